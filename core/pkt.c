// SPDX-License-Identifier: MIT
/*
 * Packet allocation, release and copy: the sk_buff life cycle without
 * sharing (no clones, no reference counts: a packet has exactly one owner,
 * STYLE P1). Buffers up to PKT_BUF_SIZE come from the calling thread's pool
 * cache (pkt_pool.c); larger ones, rare (reassembled datagrams, big pings),
 * are allocated to size and marked PKT_F_LARGE. Every packet handed out is
 * counted for pkt_in_use().
 */
#include "pkt.h"

#include <stdlib.h>

#include "loop.h"
#include "pkt_pool.h"

/* A packet's buffer begins right after its struct: keep it 8-byte aligned
 * so headers at the usual headroom offsets can be read as words. */
static_assert(sizeof(struct pkt) % 8 == 0, "pkt buffer must start 8-byte aligned");

static inline void pkt_reset(struct pkt *p, unsigned headroom, unsigned len, uint32_t size,
			     uint16_t flags)
{
	struct worker *w = loop_current();

	p->next = NULL;
	p->head = (uint8_t *)(p + 1);
	p->data = p->head + headroom;
	p->len = len;
	p->size = size;
	p->dev = NULL;
	p->ns = NULL;
	p->l2_off = p->l3_off = p->l4_off = (uint16_t)headroom;
	p->flags = flags;
	p->protocol = 0;
	p->pkt_type = PACKET_HOST;
	p->pool_id = w ? (uint8_t)loop_worker_id(w) : UINT8_MAX;
	p->nexthop = 0;
	p->tstamp = 0;
	memset(p->cb, 0, sizeof(p->cb));
}

struct pkt *pkt_alloc(unsigned headroom, unsigned len)
{
	uint64_t need = (uint64_t)headroom + len;
	struct pkt *p;

	if (likely(need <= PKT_BUF_SIZE)) {
		p = pkt_pool_get();
		if (unlikely(!p))
			return NULL;
		pkt_reset(p, headroom, len, PKT_BUF_SIZE, 0); /* counted live by the pool */
	} else {
		if (need > PKT_LARGE_MAX)
			return NULL;
		p = malloc(sizeof(*p) + need);
		if (!p)
			return NULL;
		pkt_reset(p, headroom, len, (uint32_t)need, PKT_F_LARGE);
		pkt_pool_live_add(1);
	}
	return p;
}

void pkt_free(struct pkt *p)
{
	if (!p)
		return;
	if (unlikely(p->flags & PKT_F_LARGE)) {
		pkt_pool_live_add(-1);
		free(p);
	} else {
		pkt_pool_put(p);
	}
}

/*
 * Like the kernel's skb_copy(): headroom and data are copied, so every
 * layer offset (relative to head) stays valid in the copy. The copy may
 * come from the pool even if the original was PKT_F_LARGE, when what is in
 * use fits.
 */
struct pkt *pkt_copy(const struct pkt *p)
{
	unsigned headroom = pkt_headroom(p);
	struct pkt *n = pkt_alloc(headroom, p->len);

	if (!n)
		return NULL;
	memcpy(n->head, p->head, (size_t)headroom + p->len);
	n->dev = p->dev;
	n->ns = p->ns;
	n->l2_off = p->l2_off;
	n->l3_off = p->l3_off;
	n->l4_off = p->l4_off;
	n->flags = (uint16_t)((p->flags & ~PKT_F_LARGE) | (n->flags & PKT_F_LARGE));
	n->protocol = p->protocol;
	n->pkt_type = p->pkt_type;
	n->nexthop = p->nexthop;
	n->tstamp = p->tstamp;
	memcpy(n->cb, p->cb, sizeof(n->cb));
	return n;
}
