/* SPDX-License-Identifier: MIT */
/* Ethernet wire format. */
#ifndef NSEMU_PROTO_ETH_H
#define NSEMU_PROTO_ETH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60	   /* minimum frame without FCS */
#define ETH_DATA_LEN 1500
#define ETH_MAX_MTU 65535
#define ETH_MIN_MTU 68

#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_IPV6 0x86DD

struct ethhdr {
	uint8_t h_dest[ETH_ALEN];
	uint8_t h_source[ETH_ALEN];
	uint16_t h_proto; /* network order */
} __attribute__((packed));
_Static_assert(sizeof(struct ethhdr) == ETH_HLEN, "ethhdr layout");

static inline bool eth_is_broadcast(const uint8_t *a)
{
	return (a[0] & a[1] & a[2] & a[3] & a[4] & a[5]) == 0xff;
}
static inline bool eth_is_multicast(const uint8_t *a)
{
	return a[0] & 1;
}
static inline bool eth_is_zero(const uint8_t *a)
{
	return !(a[0] | a[1] | a[2] | a[3] | a[4] | a[5]);
}
static inline bool eth_is_valid_unicast(const uint8_t *a)
{
	return !eth_is_multicast(a) && !eth_is_zero(a);
}
static inline bool eth_equal(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, ETH_ALEN) == 0;
}

#endif
