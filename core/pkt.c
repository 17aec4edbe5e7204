// SPDX-License-Identifier: MIT
/*
 * Packet allocation, release, copy and clone: the sk_buff life cycle. A
 * struct pkt has exactly one owner (STYLE P1); its data buffer has one too
 * unless the packet was cloned. Buffers up to PKT_BUF_SIZE come from the
 * calling thread's pool cache (pkt_pool.c); larger ones, rare (reassembled
 * datagrams, big pings), are allocated to size and marked PKT_F_LARGE.
 * Every buffer handed out is counted for pkt_in_use().
 *
 * A clone (pkt_clone, skb_clone) is a pool buffer used for its struct pkt
 * only: its head points into the data of the packet it was cloned from,
 * the holder, whose buffer begins with the holder's own struct pkt (head
 * is always just after it), so every packet over a buffer finds both the
 * buffer (pkt_holder) and the count (pkt_shinfo, at head + size) from its
 * own fields. The count is atomic: clones may be freed on other workers.
 * The holder's struct pkt stays allocated with its buffer after the
 * holder is freed; nothing reads it but the buffer's pool header.
 */
#include "pkt.h"

#include <stdatomic.h>
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

/* skb_shared_info's dataref: the packets over one data buffer. */
struct pkt_shinfo {
	_Atomic uint32_t dataref;
	uint32_t size_orig;	/* the holder's size before the count took its place */
};

static inline struct pkt_shinfo *pkt_shinfo(const struct pkt *p)
{
	return (struct pkt_shinfo *)(void *)(p->head + p->size);
}

/* The packet allocated with the buffer that holds @p's data (@p itself
 * unless @p is a clone). */
static inline struct pkt *pkt_holder(const struct pkt *p)
{
	return (struct pkt *)(void *)p->head - 1;
}

/* Give back a whole buffer (struct pkt and data). */
static void pkt_buf_free(struct pkt *h, bool large)
{
	if (large) {
		pkt_pool_live_add(-1);
		free(h);
	} else {
		pkt_pool_put(h);
	}
}

/* Drop one reference to a shared data buffer; the last frees it. The
 * release orders this packet's reads of the data before the free, the
 * acquire the free after every other packet's. */
static void pkt_data_release(struct pkt *holder, struct pkt_shinfo *si, bool large)
{
	if (atomic_fetch_sub_explicit(&si->dataref, 1, memory_order_acq_rel) == 1)
		pkt_buf_free(holder, large);
}

/* pkt_free of a PKT_F_LARGE or PKT_F_SHARED packet. */
static __attribute__((noinline)) void pkt_free_slow(struct pkt *p)
{
	struct pkt *h;
	struct pkt_shinfo *si;
	bool large = p->flags & PKT_F_LARGE;

	if (!(p->flags & PKT_F_SHARED)) {
		pkt_buf_free(p, large);
		return;
	}
	h = pkt_holder(p);
	si = pkt_shinfo(p);
	/* A clone's own buffer carries only its struct pkt. */
	if (h != p)
		pkt_pool_put(p);
	pkt_data_release(h, si, large);
}

void pkt_free(struct pkt *p)
{
	if (!p)
		return;
	/* One test for both rare cases: the fast path is unchanged. */
	if (unlikely(p->flags & (PKT_F_LARGE | PKT_F_SHARED)))
		pkt_free_slow(p);
	else
		pkt_pool_put(p);
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
	/* the copy's buffer is its own: not shared, large only if it is */
	n->flags = (uint16_t)((p->flags & ~(PKT_F_LARGE | PKT_F_SHARED)) |
			      (n->flags & PKT_F_LARGE));
	n->protocol = p->protocol;
	n->pkt_type = p->pkt_type;
	n->nexthop = p->nexthop;
	n->tstamp = p->tstamp;
	memcpy(n->cb, p->cb, sizeof(n->cb));
	return n;
}

/*
 * Make @p's buffer shareable: its count takes the last 8 aligned bytes of
 * the tailroom (the size shrinks over it, as skb->end stops before
 * skb_shared_info), with one reference, @p's. False when the tailroom is
 * too small.
 */
static bool pkt_share_init(struct pkt *p)
{
	uint32_t end = pkt_headroom(p) + p->len;
	uint32_t size = (p->size - (uint32_t)sizeof(struct pkt_shinfo)) & ~7u;
	struct pkt_shinfo *si;

	if (p->size < sizeof(struct pkt_shinfo) || size < end)
		return false;
	si = (struct pkt_shinfo *)(void *)(p->head + size);
	si->size_orig = p->size;
	atomic_init(&si->dataref, 1);
	p->size = size;
	p->flags |= PKT_F_SHARED;
	return true;
}

struct pkt *pkt_clone(struct pkt *p)
{
	struct pkt *c = pkt_pool_get();

	if (unlikely(!c))
		return NULL;
	if (!(p->flags & PKT_F_SHARED) && !pkt_share_init(p)) {
		pkt_pool_put(c);
		return pkt_copy(p);
	}
	atomic_fetch_add_explicit(&pkt_shinfo(p)->dataref, 1, memory_order_relaxed);
	*c = *p;
	c->next = NULL;
	return c;
}

bool pkt_cloned(const struct pkt *p)
{
	return (p->flags & PKT_F_SHARED) &&
	       atomic_load_explicit(&pkt_shinfo(p)->dataref, memory_order_acquire) != 1;
}

struct pkt *pkt_unshare_slow(struct pkt *p)
{
	struct pkt_shinfo *si = pkt_shinfo(p);
	struct pkt *h = pkt_holder(p), *n;
	unsigned hr = pkt_headroom(p);

	if (atomic_load_explicit(&si->dataref, memory_order_acquire) == 1) {
		/* The others are gone. The holder gets its buffer back whole; a
		 * clone keeps PKT_F_SHARED, the buffer is still not its own. */
		if (h == p) {
			p->size = si->size_orig;
			p->flags &= (uint16_t)~PKT_F_SHARED;
		}
		return p;
	}
	if (h != p && hr + p->len <= PKT_BUF_SIZE) {
		/* A clone: the bytes (headroom too, so the layer offsets hold)
		 * move into its own pool buffer, unused so far. */
		uint8_t *own = (uint8_t *)(p + 1);
		bool large = p->flags & PKT_F_LARGE;

		memcpy(own, p->head, (size_t)hr + p->len);
		p->head = own;
		p->data = own + hr;
		p->size = PKT_BUF_SIZE;
		p->flags &= (uint16_t)~(PKT_F_SHARED | PKT_F_LARGE);
		pkt_data_release(h, si, large);
		return p;
	}
	n = pkt_copy(p);
	if (!n)
		return NULL;
	pkt_free(p);
	return n;
}
