/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of a namespace's TCP sockets for ss (the role of Linux's
 * inet_diag / tcp_diag), with no TCP internals in it, so that a caller
 * need not include tcp.h (whose names are the kernel's and meet glibc's
 * <netinet/tcp.h>).
 */
#ifndef NSEMU_NETNS_TCP_DIAG_H
#define NSEMU_NETNS_TCP_DIAG_H

#include <stdbool.h>
#include <stdint.h>

struct netns;

/* Linux's numbering: 1 ESTABLISHED ... 10 LISTEN, 11 CLOSING. */
#define TCP_DIAG_LISTEN 10
#define TCP_DIAG_SYN_RECV 3
#define TCP_DIAG_TIME_WAIT 6

struct tcp_diag_row {
	uint8_t state;
	uint32_t rq, sq;	/* listener: accept queue and backlog */
	uint32_t laddr, raddr;	/* network order */
	uint16_t lport, rport;	/* host order */
};

/* Every socket of @ns but unconnected ones, into *rows (malloc'd, the
 * caller frees). 0 or -ENOMEM. Owner thread. */
int tcp_diag_dump(struct netns *ns, struct tcp_diag_row **rows, unsigned *n);
/* ss's name of a state ("ESTAB", "TIME-WAIT", ...). */
const char *tcp_state_name(int state);

#endif
