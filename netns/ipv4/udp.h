/* SPDX-License-Identifier: MIT */
/* UDP (udp.c), as net/ipv4/udp.c: the protocol handlers and udp_prot. */
#ifndef NSEMU_NETNS_UDP_H
#define NSEMU_NETNS_UDP_H

#include <stdint.h>

#include "netns/core/sock.h"

extern struct proto udp_prot;

/* IPPROTO_UDP handler (net_protocol.handler). Consumes pkt. */
void udp_rcv(struct pkt *p);
/* IPPROTO_UDP err_handler: the error goes to the socket bound to the
 * quoted source port. Borrows pkt. */
void udp_err(struct pkt *p, uint32_t info);

#endif
