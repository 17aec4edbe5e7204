/* SPDX-License-Identifier: MIT */
/* ARP wire format for Ethernet/IPv4 (RFC 826): the fixed 28-byte packet. No state. */
#ifndef NSEMU_PROTO_ARP_H
#define NSEMU_PROTO_ARP_H

#include <stdint.h>

#include "eth.h"

#define ARPHRD_ETHER_WIRE 1 /* ar_hrd for Ethernet */
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2

/* struct arphdr followed by the Ethernet/IPv4 addresses (struct ether_arp). */
struct arp_eth {
	uint16_t ar_hrd; /* hardware type, network order */
	uint16_t ar_pro; /* protocol type (ETH_P_IP), network order */
	uint8_t ar_hln;	 /* hardware address length (6) */
	uint8_t ar_pln;	 /* protocol address length (4) */
	uint16_t ar_op;	 /* ARPOP_*, network order */
	uint8_t ar_sha[ETH_ALEN];
	uint8_t ar_sip[4]; /* unaligned on the wire: copy with memcpy */
	uint8_t ar_tha[ETH_ALEN];
	uint8_t ar_tip[4];
} __attribute__((packed));
_Static_assert(sizeof(struct arp_eth) == 28, "arp_eth layout");

#endif
