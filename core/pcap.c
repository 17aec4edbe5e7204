// SPDX-License-Identifier: MIT
/*
 * The pcap savefile writer (core/pcap.h). The format is libpcap's
 * (pcap-savefile(5)): every field in the writer's byte order, which the
 * magic number tells a reader; nanosecond files use magic 0xa1b23c4d and
 * put nanoseconds where microsecond files put microseconds. Records are
 * collected in a 64 KiB buffer and written with one write() per flush, so
 * a FIFO reader sees whole records.
 */
#include "pcap.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PCAP_BUF_SIZE (64 * 1024)

struct pcap_writer {
	int fd;
	bool nsec;
	uint32_t snaplen;
	size_t len; /* bytes buffered */
	uint8_t buf[PCAP_BUF_SIZE];
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* host order, as libpcap's sf_write_header */
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

size_t pcap_fill_file_header(uint8_t *buf, uint32_t linktype, uint32_t snaplen, bool nsec)
{
	put32(buf, nsec ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC);
	put16(buf + 4, PCAP_VERSION_MAJOR);
	put16(buf + 6, PCAP_VERSION_MINOR);
	put32(buf + 8, 0);  /* thiszone: always 0 (GMT) */
	put32(buf + 12, 0); /* sigfigs: always 0 */
	put32(buf + 16, snaplen);
	put32(buf + 20, linktype);
	return PCAP_FILE_HDR_LEN;
}

size_t pcap_fill_record_header(uint8_t *buf, uint64_t ts_ns, uint32_t caplen, uint32_t len,
			  bool nsec)
{
	uint64_t sec = ts_ns / 1000000000u, frac = ts_ns % 1000000000u;

	/* The savefile's ts_sec is 32 bits: wraps in 2106, as in libpcap. */
	put32(buf, (uint32_t)sec);
	put32(buf + 4, (uint32_t)(nsec ? frac : frac / 1000u));
	put32(buf + 8, caplen);
	put32(buf + 12, len);
	return PCAP_REC_HDR_LEN;
}

struct pcap_writer *pcap_writer_open(int fd, uint32_t linktype, uint32_t snaplen, bool nsec)
{
	struct pcap_writer *w = malloc(sizeof(*w));

	if (!w)
		return NULL;
	w->fd = fd;
	w->nsec = nsec;
	w->snaplen = snaplen ? snaplen : PCAP_SNAPLEN_MAX;
	w->len = pcap_fill_file_header(w->buf, linktype, w->snaplen, nsec);
	return w;
}

/*
 * write() with SIGPIPE blocked in this thread only: a FIFO whose reader
 * (wireshark) went away must end the capture with EPIPE, not kill the
 * emulator. A SIGPIPE raised by our write stays pending on this thread;
 * take it back with sigtimedwait unless one was pending before (the
 * technique of curl's sigpipe.h and git's write path).
 */
static int pcap_write_all(int fd, const uint8_t *p, size_t n)
{
	sigset_t pipe_set, old, pending;
	bool was_pending;
	int err = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	if (err == -EPIPE && !was_pending) {
		const struct timespec zero = { 0, 0 };

		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

int pcap_writer_flush(struct pcap_writer *w)
{
	int err;

	if (!w->len)
		return 0;
	err = pcap_write_all(w->fd, w->buf, w->len);
	w->len = 0;
	return err;
}

int pcap_writer_write(struct pcap_writer *w, uint64_t ts_ns, const void *data, uint32_t caplen,
	       uint32_t len)
{
	int err;

	if (caplen > w->snaplen)
		caplen = w->snaplen;
	if (w->len + PCAP_REC_HDR_LEN + caplen > sizeof(w->buf)) {
		err = pcap_writer_flush(w);
		if (err)
			return err;
	}
	/* A record larger than the buffer (a snaplen above 64 KiB and a
	 * reassembled datagram) is written straight through. */
	if (PCAP_REC_HDR_LEN + caplen > sizeof(w->buf)) {
		uint8_t hdr[PCAP_REC_HDR_LEN];

		pcap_fill_record_header(hdr, ts_ns, caplen, len, w->nsec);
		err = pcap_write_all(w->fd, hdr, sizeof(hdr));
		return err ? err : pcap_write_all(w->fd, data, caplen);
	}
	w->len += pcap_fill_record_header(w->buf + w->len, ts_ns, caplen, len, w->nsec);
	memcpy(w->buf + w->len, data, caplen);
	w->len += caplen;
	return 0;
}

int pcap_writer_close(struct pcap_writer *w)
{
	int err;

	if (!w)
		return 0;
	err = pcap_writer_flush(w);
	if (close(w->fd) && !err)
		err = -errno;
	free(w);
	return err;
}
