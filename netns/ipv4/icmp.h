/* SPDX-License-Identifier: MIT */
/* ICMP (net/ipv4/icmp.c): echo, errors with rate limiting, error delivery
 * to the socket that sent the offending datagram. */
#ifndef NSEMU_NETNS_ICMP_H
#define NSEMU_NETNS_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include "netns/core/netns.h"

/* Handler for IPPROTO_ICMP. Consumes pkt. */
void icmp_rcv(struct pkt *p);
/* IPPROTO_ICMP err_handler (net_protocol): an error quoting an ICMP
 * message we sent goes to ping_err unless it quotes an echo reply. */
void icmp_err(struct pkt *p, uint32_t info);
/* icmp_err_convert: the errno (positive) a destination unreachable @code
 * means to a socket, and whether it is fatal (hard): ends a connection
 * or reaches a connected datagram socket without IP_RECVERR. */
int icmp_err_convert(uint8_t code, bool *fatal);
/*
 * Send an ICMP error about @orig (borrowed; l3_off at its IP header, dev
 * its input device or NULL for local) as __icmp_send: never about ICMP
 * errors, non-first fragments, broadcast/multicast, or with a martian
 * source; rate limited per icmp_ratelimit/icmp_ratemask (token bucket per
 * destination as inet_peer_xrlim_allow, plus the global icmp_msgs_*).
 * @info: MTU for FRAG_NEEDED, pointer for PARAMETERPROB, the gateway (host
 * order) for REDIRECT.
 */
void icmp_send(const struct pkt *orig, int type, int code, uint32_t info);
void icmp_exit(struct netns *ns);
/* Start-up: register icmp_exit per namespace (state is made lazily). */
void icmp_init(void);

#endif
