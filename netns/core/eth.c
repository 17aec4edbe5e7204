// SPDX-License-Identifier: MIT
/* Ethernet helpers (net/ethernet/eth.c): building the link header and
 * making random locally administered addresses. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"

void eth_header(struct pkt *p, const uint8_t *dst, const uint8_t *src, uint16_t proto)
{
	struct ethhdr *eth = (struct ethhdr *)pkt_push(p, ETH_HLEN);

	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(proto);
	pkt_set_l2(p);
}

void eth_random_addr(uint8_t *addr)
{
	unsigned i;

	/* random() is thread-safe in glibc; MACs are made on the control
	 * path, never per packet. */
	for (i = 0; i < ETH_ALEN; i++)
		addr[i] = (uint8_t)(random() >> 7);
	addr[0] &= 0xfe; /* unicast */
	addr[0] |= 0x02; /* locally administered */
}
