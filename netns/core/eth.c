// SPDX-License-Identifier: MIT
/* Ethernet helpers (net/ethernet/eth.c): building the link header, the
 * header_ops of Ethernet devices and random locally administered
 * addresses. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "dev.h"
#include "neigh.h"

void eth_header(struct pkt *p, const uint8_t *dst, const uint8_t *src, uint16_t proto)
{
	struct ethhdr *eth = (struct ethhdr *)pkt_push(p, ETH_HLEN);

	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(proto);
	pkt_set_l2(p);
}

/* eth_header(): header_ops->create. A NOARP or loopback device gets the
 * destination its caller gives (neigh.c passes the device's own address). */
static int eth_header_create(struct pkt *p, const struct netdev *dev, uint16_t type,
			     const uint8_t *daddr, const uint8_t *saddr, unsigned len)
{
	static const uint8_t zero[ETH_ALEN];

	(void)len;
	eth_header(p, daddr ? daddr : zero, saddr ? saddr : dev->addr, type);
	return daddr ? ETH_HLEN : -ETH_HLEN;
}

/* eth_header_parse(): the source MAC of the frame's L2 header. */
static int eth_header_parse(const struct pkt *p, uint8_t *haddr)
{
	const struct ethhdr *eth = (const struct ethhdr *)pkt_l2(p);

	memcpy(haddr, eth->h_source, ETH_ALEN);
	return ETH_ALEN;
}

/* eth_header_cache(): the header to @n's address, from its device. */
static int eth_header_cache(const struct neighbour *n, struct hh_cache *hh, uint16_t type)
{
	uint16_t proto = htons(type);

	memcpy(hh->hh_data, n->ha, ETH_ALEN);
	memcpy(hh->hh_data + ETH_ALEN, n->dev->addr, ETH_ALEN);
	memcpy(hh->hh_data + 2 * ETH_ALEN, &proto, sizeof(proto));
	hh->hh_len = ETH_HLEN;
	return 0;
}

const struct header_ops eth_header_ops = {
	.create = eth_header_create,
	.parse = eth_header_parse,
	.cache = eth_header_cache,
};

void eth_random_addr(uint8_t *addr)
{
	uint64_t r = rand_u64(); /* control path only, never per packet */

	for (unsigned i = 0; i < ETH_ALEN; i++)
		addr[i] = (uint8_t)(r >> (8 * i));
	addr[0] &= 0xfe; /* unicast */
	addr[0] |= 0x02; /* locally administered */
}
