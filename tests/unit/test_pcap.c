// SPDX-License-Identifier: MIT
/*
 * Unit tests for core/pcap.c: the global and record headers byte for byte
 * (nanosecond and microsecond magic, LINKTYPE_ETHERNET / LINKTYPE_RAW,
 * snapshot truncation), a written file read back by libpcap itself, and a
 * FIFO whose reader went away giving -EPIPE instead of killing the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/pcap.h"

static void test_pcap_file_header_bytes(void **state)
{
	uint8_t h[PCAP_FILE_HDR_LEN];
	/* little-endian host (x86-64, arm64): the fields as libpcap writes them */
	static const uint8_t nsec_eth[PCAP_FILE_HDR_LEN] = {
		0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x00, 0x04, 0x00, 1, 0, 0, 0,
	};
	static const uint8_t usec_raw[PCAP_FILE_HDR_LEN] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xdc, 0x05, 0x00, 0x00, 101, 0, 0, 0,
	};

	assert_int_equal(pcap_fill_file_header(h, LINKTYPE_ETHERNET, PCAP_SNAPLEN_MAX, true),
			 PCAP_FILE_HDR_LEN);
	assert_memory_equal(h, nsec_eth, sizeof(h));
	pcap_fill_file_header(h, LINKTYPE_RAW, 1500, false);
	assert_memory_equal(h, usec_raw, sizeof(h));
}

static void test_pcap_record_header_bytes(void **state)
{
	uint8_t h[PCAP_REC_HDR_LEN];
	/* 1700000000.123456789 s, 60 of 98 bytes */
	uint64_t ts = 1700000000ull * 1000000000ull + 123456789ull;
	static const uint8_t nsec[PCAP_REC_HDR_LEN] = {
		0x00, 0xf1, 0x53, 0x65, 0x15, 0xcd, 0x5b, 0x07, 60, 0, 0, 0, 98, 0, 0, 0,
	};
	static const uint8_t usec[PCAP_REC_HDR_LEN] = {
		0x00, 0xf1, 0x53, 0x65, 0x40, 0xe2, 0x01, 0x00, 60, 0, 0, 0, 98, 0, 0, 0,
	};

	assert_int_equal(pcap_fill_record_header(h, ts, 60, 98, true), PCAP_REC_HDR_LEN);
	assert_memory_equal(h, nsec, sizeof(h));
	pcap_fill_record_header(h, ts, 60, 98, false); /* 123456 us, rounded down */
	assert_memory_equal(h, usec, sizeof(h));
}

/* Write a file with the writer; read it back with libpcap. */
static void test_pcap_file_reads_back_in_libpcap(void **state)
{
	char path[] = "/tmp/nsemu-test-pcap-XXXXXX";
	char errbuf[PCAP_ERRBUF_SIZE];
	uint8_t frame[100], big[70000];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pcap_writer *w;
	pcap_t *pd;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;
	memset(big, 0xab, sizeof(big));
	w = pcap_writer_open(fd, LINKTYPE_ETHERNET, 64, true);
	assert_non_null(w);
	assert_int_equal(pcap_writer_write(w, 5000000001ull, frame, 100, 100), 0);
	assert_int_equal(pcap_writer_write(w, 5000000002ull, frame, 30, 30), 0);
	assert_int_equal(pcap_writer_close(w), 0);

	pd = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	assert_non_null(pd);
	assert_int_equal(pcap_datalink(pd), DLT_EN10MB);
	assert_int_equal(pcap_snapshot(pd), 64);
	assert_int_equal(pcap_next_ex(pd, &h, &data), 1);
	assert_int_equal(h->ts.tv_sec, 5);
	assert_int_equal(h->ts.tv_usec, 1); /* nanoseconds in a nano handle */
	assert_int_equal(h->caplen, 64);    /* cut to the snapshot length */
	assert_int_equal(h->len, 100);
	assert_memory_equal(data, frame, 64);
	assert_int_equal(pcap_next_ex(pd, &h, &data), 1);
	assert_int_equal(h->caplen, 30);
	assert_int_equal(pcap_next_ex(pd, &h, &data), PCAP_ERROR_BREAK); /* end of file */
	pcap_close(pd);

	/* a record larger than the writer's buffer goes straight through */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	w = pcap_writer_open(fd, LINKTYPE_RAW, PCAP_SNAPLEN_MAX, false);
	assert_int_equal(pcap_writer_write(w, 1000, big, sizeof(big), sizeof(big)), 0);
	assert_int_equal(pcap_writer_close(w), 0);
	pd = pcap_open_offline(path, errbuf);
	assert_non_null(pd);
	assert_int_equal(pcap_datalink(pd), DLT_RAW);
	assert_int_equal(pcap_next_ex(pd, &h, &data), 1);
	assert_int_equal(h->caplen, sizeof(big));
	assert_int_equal(data[69999], 0xab);
	pcap_close(pd);
	unlink(path);
}

static void test_pcap_reader_gone_gives_epipe(void **state)
{
	uint8_t frame[60] = { 0 };
	struct pcap_writer *w;
	sigset_t pending;
	int p[2];

	assert_int_equal(pipe(p), 0);
	close(p[0]); /* wireshark went away */
	w = pcap_writer_open(p[1], LINKTYPE_ETHERNET, 0, true);
	assert_int_equal(pcap_writer_write(w, 1, frame, sizeof(frame), sizeof(frame)), 0);
	/* the process survives, the writer reports it, no SIGPIPE is left */
	assert_int_equal(pcap_writer_flush(w), -EPIPE);
	sigpending(&pending);
	assert_false(sigismember(&pending, SIGPIPE));
	assert_int_equal(pcap_writer_close(w), 0); /* nothing left to write */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_file_header_bytes),
		cmocka_unit_test(test_pcap_record_header_bytes),
		cmocka_unit_test(test_pcap_file_reads_back_in_libpcap),
		cmocka_unit_test(test_pcap_reader_gone_gives_epipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
