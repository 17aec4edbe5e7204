/* SPDX-License-Identifier: MIT */
/*
 * TCP wire format (RFC 9293 3.1, RFC 7323 options): the header, its flag
 * bits and option kinds. Structs and constants only, no state.
 */
#ifndef NSEMU_PROTO_TCP_H
#define NSEMU_PROTO_TCP_H

#include <stdint.h>

struct tcphdr {
	uint16_t source;
	uint16_t dest;
	uint32_t seq;
	uint32_t ack_seq;
	uint8_t doff_res;	/* data offset (high 4 bits), reserved */
	uint8_t flags;		/* TCPHDR_* */
	uint16_t window;
	uint16_t check;
	uint16_t urg_ptr;
} __attribute__((packed, aligned(2)));
_Static_assert(sizeof(struct tcphdr) == 20, "tcphdr layout");

#define TCPHDR_FIN 0x01
#define TCPHDR_SYN 0x02
#define TCPHDR_RST 0x04
#define TCPHDR_PSH 0x08
#define TCPHDR_ACK 0x10
#define TCPHDR_URG 0x20
#define TCPHDR_ECE 0x40
#define TCPHDR_CWR 0x80

static inline unsigned tcp_doff(const struct tcphdr *th)
{
	return (th->doff_res >> 4) * 4u;
}

/* Option kinds and lengths (RFC 9293 3.2, RFC 7323, RFC 2018). */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WINDOW 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8
#define TCPOLEN_MSS 4
#define TCPOLEN_WINDOW 3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_SACK_BASE 2
#define TCPOLEN_SACK_PERBLOCK 8
#define TCP_MAX_WSCALE 14 /* RFC 7323 2.3 */
#define TCP_MAX_OPTLEN 40

#endif
