/* SPDX-License-Identifier: MIT */
/*
 * pcap file writer: the classic libpcap savefile format (a 24-byte global
 * header, then a 16-byte record header before every frame), in host byte
 * order as libpcap writes it, with nanosecond (magic 0xa1b23c4d) or
 * microsecond (0xa1b2c3d4) timestamps. It knows nothing of devices: the
 * caller names the link type (LINKTYPE_ETHERNET for Ethernet devices,
 * LINKTYPE_RAW for tun). Writes go through a buffer flushed explicitly, so
 * a FIFO reader (`wireshark -k -i FIFO`) sees every batch as soon as it is
 * flushed; a reader that goes away yields -EPIPE, never a SIGPIPE.
 */
#ifndef NSEMU_CORE_PCAP_H
#define NSEMU_CORE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_FILE_HDR_LEN 24
#define PCAP_REC_HDR_LEN 16
/* tcpdump's default snapshot length (MAXIMUM_SNAPLEN) */
#define PCAP_SNAPLEN_MAX 262144u

/* LINKTYPE_* values of savefiles (not the DLT_* of the capture API). */
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101

/* Fill @buf with the global header. Returns PCAP_FILE_HDR_LEN. */
size_t pcap_fill_file_header(uint8_t *buf, uint32_t linktype, uint32_t snaplen, bool nsec);
/* Fill @buf with a record header for a frame of @len bytes on the wire, of
 * which @caplen are stored, at @ts_ns nanoseconds since the epoch (rounded
 * down to microseconds unless @nsec). Returns PCAP_REC_HDR_LEN. */
size_t pcap_fill_record_header(uint8_t *buf, uint64_t ts_ns, uint32_t caplen, uint32_t len,
			  bool nsec);

struct pcap_writer;

/*
 * Start a savefile on @fd (a file, a FIFO or a pipe; the writer owns it and
 * closes it in pcap_writer_close) and write its global header into the buffer.
 * NULL if out of memory (fd is then left open).
 */
struct pcap_writer *pcap_writer_open(int fd, uint32_t linktype, uint32_t snaplen, bool nsec);
/* Append one record (truncated to the snapshot length). 0 or -errno of a
 * write the full buffer needed (-EPIPE: the reader went away). */
int pcap_writer_write(struct pcap_writer *w, uint64_t ts_ns, const void *data, uint32_t caplen,
	       uint32_t len);
/* Write out what is buffered. 0 or -errno. */
int pcap_writer_flush(struct pcap_writer *w);
/* Flush, close the fd, free. Returns pcap_writer_flush()'s result. NULL is fine. */
int pcap_writer_close(struct pcap_writer *w);

#endif
