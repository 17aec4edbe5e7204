/* SPDX-License-Identifier: MIT */
/* ARP (arp.c, net/ipv4/arp.c): the one instance of the generic neighbour
 * table so far (arp_tbl). */
#ifndef NSEMU_NETNS_IPV4_ARP_H
#define NSEMU_NETNS_IPV4_ARP_H

#include <stdint.h>

#include "netns/core/dev.h"

/* Start-up (inet_init): register arp_tbl, the ARP packet type and the
 * device events ARP follows (arp_notify on up, eviction on carrier loss). */
void arp_init(void);
/* The ARP packet type's handler. Consumes p. Owner. */
void arp_rcv(struct pkt *p);
/* Announce @ip on @dev (gratuitous request; arp_notify). Owner. */
void arp_send_gratuitous(struct netdev *dev, uint32_t ip);

#endif
