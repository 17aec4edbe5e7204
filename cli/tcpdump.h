/* SPDX-License-Identifier: MIT */
/*
 * The tcpdump command's pieces shared between cli/tcpdump.c (capture, files,
 * background jobs) and cli/tcpdump_print.c (one line per frame in tcpdump
 * -n's format), and what cli/main.c calls when nsemu exits.
 */
#ifndef NSEMU_CLI_TCPDUMP_H
#define NSEMU_CLI_TCPDUMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct tcpdump_print_opts {
	bool eflag; /* -e: link-level header on each line */
	bool qflag; /* -q: quick output (TCP as "tcp LEN") */
	bool nano;  /* --nano: nanosecond time stamps */
};

/*
 * Print one frame as tcpdump -n does: local time, then the decoded
 * headers (Ethernet/ARP/IPv4/ICMP/UDP; others by ethertype or protocol
 * number), one line. @raw: the frame starts at the IP header (tun,
 * LINKTYPE_RAW). Any thread; never reads past @caplen.
 */
void tcpdump_print_frame(FILE *out, const struct tcpdump_print_opts *o, bool raw, uint64_t ts_ns,
			 const uint8_t *data, uint32_t caplen, uint32_t len);

/* Format the decoded part of a frame (everything after the time stamp) into
 * @buf. For tests. Returns the length. */
size_t tcpdump_format(char *buf, size_t size, const struct tcpdump_print_opts *o, bool raw,
		      const uint8_t *data, uint32_t caplen, uint32_t len);

/* Stop every background capture (`tcpdump ... &`) and wait for its
 * statistics lines: nsemu calls it before the workers stop. CLI thread. */
void tcpdump_jobs_stop(void);

#endif
