/* SPDX-License-Identifier: MIT */
/* Ping sockets (ping.c): SOCK_DGRAM + IPPROTO_ICMP, as net/ipv4/ping.c. */
#ifndef NSEMU_NETNS_PING_H
#define NSEMU_NETNS_PING_H

#include <stdint.h>

#include "netns/core/sock.h"

extern struct proto ping_prot;

/* An echo reply (data at the ICMP header, l3_off valid) for the ping
 * socket whose id it carries; dropped quietly (consumed) if none. */
void ping_rcv(struct pkt *p);
/* An ICMP error quoting an echo request (a net_protocol err_handler's
 * pkt and info): reported to the ping socket that sent it. Borrows. */
void ping_err(struct pkt *p, uint32_t info);

#endif
