// SPDX-License-Identifier: MIT
/*
 * Neighbour tables (net/core/neighbour.c). A protocol registers a struct
 * neigh_table (ARP: arp_tbl, key an IPv4 address); each namespace keeps a
 * cache of each table: a hash of (device, key) -> link address entries
 * that grows by doubling, so a namespace that never talked to anyone pays
 * only the cache header. Each entry runs Linux's NUD state machine on its own timer:
 * INCOMPLETE (queue packets, broadcast a request every retrans_time, FAILED
 * after mcast_solicit) -> REACHABLE (for a random 0.5..1.5 x
 * base_reachable_time after the last confirmation) -> STALE (used as is)
 * -> DELAY (first use of a stale entry; wait delay_first_probe_time for a
 * confirmation) -> PROBE (ucast_solicit unicast requests) -> FAILED.
 * The same timer garbage-collects STALE and FAILED entries after
 * gc_stale_time, so an idle table has no timer at all. neigh_output() is
 * the transmit end of ip_output: cached MAC in one lookup on the fast path;
 * the lookup is inlined with the key length a constant, so arp_tbl's key
 * compare is one 4-byte compare. Frames get their link header from the
 * device's header_ops (dev_hard_header).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "core/log.h"
#include "dev.h"
#include "neigh.h"

#define NEIGH_HASH_MIN 8
/* neigh.default.locktime: 1 s, arp_process's "use the FIRST reply" window */
#define NEIGH_LOCKTIME_NS NSEC_PER_SEC
/* neigh_periodic_work re-randomises reachable_time every 300 s */
#define NEIGH_REACH_RERANDOM_NS (300 * NSEC_PER_SEC)

/* A namespace's cache of one neigh_table. */
struct neigh_cache {
	const struct neigh_table *tbl;
	struct neighbour **buckets; /* NULL until the first entry */
	unsigned nbuckets;	    /* power of two */
	unsigned count;
	uint64_t reachable_time;    /* ns, neigh_rand_reach_time(base) */
	int32_t reach_base_ms;	    /* base it was drawn from */
	uint64_t reach_stamp;	    /* when it was drawn */
	uint64_t rnd;		    /* xorshift state */
};

static const struct neigh_table *neigh_tables[NEIGH_NR_TABLES];

void neigh_table_init(int index, const struct neigh_table *tbl)
{
	assert(index >= 0 && index < NEIGH_NR_TABLES);
	assert(tbl->key_len && tbl->key_len % 4 == 0 && tbl->key_len <= NEIGH_MAX_KEY_LEN);
	neigh_tables[index] = tbl;
}

void neigh_table_clear(int index, const struct neigh_table *tbl)
{
	if (neigh_tables[index] == tbl)
		neigh_tables[index] = NULL;
}

/*
 * The key's 32-bit words xor-folded, then Fibonacci hashing mixed with the
 * device; for a 4-byte key the fold is the key itself. Not keyed: dumps
 * come out in a stable order, which the scripts tests compare.
 */
static inline unsigned neigh_hash(const void *pkey, unsigned key_len, int ifindex,
				  unsigned nbuckets)
{
	uint32_t key = 0, w, h;

	for (unsigned i = 0; i < key_len; i += 4) {
		memcpy(&w, (const uint8_t *)pkey + i, 4);
		key ^= w;
	}
	h = (key ^ ((uint32_t)ifindex * 0x85ebca6bu)) * 0x9e3779b1u;
	return (h ^ (h >> 16)) & (nbuckets - 1);
}

static uint64_t ms_to_ns(int32_t ms)
{
	return ms > 0 ? (uint64_t)ms * NSEC_PER_MSEC : 0;
}

/* neigh_rand_reach_time(): uniform in [base/2, 3*base/2). Every table
 * reads the namespace's neigh.default parameters. */
static uint64_t neigh_reachable_time(struct neigh_cache *tbl, const struct netns *ns)
{
	int32_t base = ns->sysctl.neigh_base_reachable_time_ms;
	uint64_t now = loop_now();

	if (base != tbl->reach_base_ms || now - tbl->reach_stamp >= NEIGH_REACH_RERANDOM_NS ||
	    !tbl->reach_stamp) {
		uint64_t b = ms_to_ns(base);
		tbl->rnd ^= tbl->rnd << 13;
		tbl->rnd ^= tbl->rnd >> 7;
		tbl->rnd ^= tbl->rnd << 17;
		tbl->reachable_time = b ? b / 2 + tbl->rnd % b : 0;
		tbl->reach_base_ms = base;
		tbl->reach_stamp = now ? now : 1;
	}
	return tbl->reachable_time;
}

/* retrans_time, never below HZ/100 (__neigh_event_send, neigh_timer_handler) */
static uint64_t neigh_retrans_time(const struct netns *ns)
{
	return MAX(ms_to_ns(ns->sysctl.neigh_retrans_time_ms), 10 * NSEC_PER_MSEC);
}

int neigh_init(struct netns *ns)
{
	for (int i = 0; i < NEIGH_NR_TABLES; i++) {
		struct neigh_cache *c;

		if (!neigh_tables[i])
			continue;
		c = calloc(1, sizeof(*c));
		if (!c) {
			neigh_exit(ns);
			return -ENOMEM;
		}
		c->tbl = neigh_tables[i];
		c->rnd = 0x9e3779b97f4a7c15ull ^ (uintptr_t)ns ^ (uint64_t)i << 56;
		ns->neigh[i] = c;
	}
	return 0;
}

static inline struct neighbour *__neigh_lookup(const struct neigh_cache *c,
					       const struct netdev *dev, const void *pkey,
					       unsigned key_len)
{
	if (!c || !c->count)
		return NULL;
	for (struct neighbour *n = c->buckets[neigh_hash(pkey, key_len, dev->ifindex, c->nbuckets)];
	     n; n = n->next)
		if (!memcmp(n->primary_key, pkey, key_len) && n->dev == dev)
			return n;
	return NULL;
}

/* The generic lookup: arp_tbl's length gets its own compiled compare. */
static struct neighbour *neigh_cache_lookup(const struct neigh_cache *c, const struct netdev *dev,
					    const void *pkey)
{
	if (!c)
		return NULL;
	if (c->tbl->key_len == 4)
		return __neigh_lookup(c, dev, pkey, 4);
	return __neigh_lookup(c, dev, pkey, c->tbl->key_len);
}

struct neighbour *neigh_tbl_lookup(int index, const struct netdev *dev, const void *pkey)
{
	return neigh_cache_lookup(dev->ns->neigh[index], dev, pkey);
}

struct neighbour *neigh_lookup(struct netns *ns, const struct netdev *dev, uint32_t ip)
{
	return __neigh_lookup(ns->neigh[NEIGH_ARP_TABLE], dev, &ip, 4);
}

/* Double the bucket array (load factor above 1). Keeps the old one on ENOMEM. */
static void neigh_hash_grow(struct neigh_cache *tbl)
{
	unsigned nb = tbl->nbuckets ? tbl->nbuckets * 2 : NEIGH_HASH_MIN;
	struct neighbour **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (unsigned i = 0; i < tbl->nbuckets; i++) {
		struct neighbour *n = tbl->buckets[i], *next;
		for (; n; n = next) {
			unsigned h = neigh_hash(n->primary_key, tbl->tbl->key_len, n->dev->ifindex,
						nb);
			next = n->next;
			n->next = b[h];
			b[h] = n;
		}
	}
	free(tbl->buckets);
	tbl->buckets = b;
	tbl->nbuckets = nb;
}

static void neigh_timer_handler(struct timer *t);

static struct neighbour *neigh_cache_create(struct neigh_cache *tbl, struct netdev *dev,
					    const void *pkey)
{
	struct neighbour *n = neigh_cache_lookup(tbl, dev, pkey);
	unsigned key_len;

	if (n || !tbl)
		return n;
	if (tbl->count >= tbl->nbuckets)
		neigh_hash_grow(tbl);
	if (!tbl->nbuckets)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	key_len = tbl->tbl->key_len;
	n->dev = dev;
	n->ns = dev->ns;
	n->cache = tbl;
	memcpy(n->primary_key, pkey, key_len);
	n->state = NUD_NONE;
	n->refcnt_dummy = 1;
	n->updated = n->used = loop_now();
	timer_init(&n->timer, neigh_timer_handler);
	pkt_queue_init(&n->arp_queue);

	unsigned h = neigh_hash(pkey, key_len, dev->ifindex, tbl->nbuckets);
	n->next = tbl->buckets[h];
	tbl->buckets[h] = n;
	tbl->count++;
	return n;
}

struct neighbour *neigh_create(int index, struct netdev *dev, const void *pkey)
{
	return neigh_cache_create(dev->ns->neigh[index], dev, pkey);
}

/* Drop every queued packet with @reason (neigh_dev_down, neigh_exit). */
static void neigh_purge_queue(struct neighbour *n, enum drop_reason reason)
{
	struct pkt *p;

	while ((p = pkt_queue_pop(&n->arp_queue)))
		pkt_drop(p, reason);
}

/* Unlink and free @n: its timer is cancelled, queued packets dropped. */
static void neigh_destroy(struct neighbour *n, enum drop_reason reason)
{
	struct neigh_cache *tbl = n->cache;
	struct neighbour **pp = &tbl->buckets[neigh_hash(n->primary_key, tbl->tbl->key_len,
							   n->dev->ifindex, tbl->nbuckets)];

	for (; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	tbl->count--;
	timer_del(&n->timer);
	neigh_purge_queue(n, reason);
	free(n);
}

/* Put the device's link header for ethertype @proto on (none without
 * header_ops) and hand the frame to it (neigh_resolve_output's
 * dev_hard_header). Consumes p. */
static void neigh_link_xmit(struct pkt *p, const uint8_t *ha, uint16_t proto)
{
	struct netdev *dev = p->dev;

	if (unlikely(pkt_headroom(p) < dev->hard_header_len)) {
		/* the allocating layer reserves link headroom (STYLE P5);
		 * a packet without it cannot be framed */
		pkt_drop(p, DROP_NOMEM);
		return;
	}
	if (unlikely(dev_hard_header(p, dev, proto, ha, NULL, p->len) < 0)) {
		pkt_drop(p, DROP_NOT_SPECIFIED);
		return;
	}
	p->protocol = proto;
	dev_queue_xmit(p);
}

/*
 * neigh_invalidate(): resolution failed. Every queued packet goes to the
 * table's error_report (arp_error_report: ICMP host unreachable back to
 * its source) and is dropped as NEIGH_FAILED. The queue is detached first: icmp_send may
 * route through this very entry and restart its resolution (the "very thin
 * place" the kernel's comment warns about).
 */
static void neigh_invalidate(struct neighbour *n)
{
	struct pkt_queue q = n->arp_queue;
	struct pkt *p;

	pkt_queue_init(&n->arp_queue);
	while ((p = pkt_queue_pop(&q))) {
		if (n->cache->tbl->ops->error_report)
			n->cache->tbl->ops->error_report(n, p);
		pkt_drop(p, DROP_NEIGH_FAILED);
	}
}

/* Arm the garbage-collection timer of a STALE or FAILED entry. */
static void neigh_arm_gc(struct neighbour *n)
{
	uint64_t gc = (uint64_t)MAX(n->ns->sysctl.neigh_gc_stale_time, 0) * NSEC_PER_SEC;
	uint64_t since = n->state == NUD_STALE ? MAX(n->used, n->updated) : n->updated;

	timer_mod(&n->timer, since + gc);
}

/* Arm the timer for the state @n just entered (neigh_add_timer). */
static void neigh_arm_timer(struct neighbour *n, uint64_t now)
{
	switch (n->state) {
	case NUD_REACHABLE:
		timer_mod(&n->timer, now + neigh_reachable_time(n->cache, n->ns));
		break;
	case NUD_STALE:
	case NUD_FAILED:
		neigh_arm_gc(n);
		break;
	case NUD_DELAY:
	case NUD_PROBE:
	case NUD_INCOMPLETE:
		/* the kernel arms jiffies + 0 for an admin DELAY/PROBE: the
		 * handler decides at once */
		timer_mod(&n->timer, now);
		break;
	default:
		timer_del(&n->timer);
	}
}

/* Send the queued packets once the entry has an address (__neigh_update). */
static void neigh_flush_queue(struct neighbour *n)
{
	struct pkt *p;

	while ((n->state & NUD_VALID) && (p = pkt_queue_pop(&n->arp_queue)))
		neigh_link_xmit(p, n->ha, n->cache->tbl->protocol);
	neigh_purge_queue(n, DROP_NEIGH_DEAD);
}

int neigh_update(struct neighbour *n, const uint8_t *lladdr, uint16_t state, unsigned flags,
		 struct extack *ext)
{
	uint16_t old = n->state;
	uint64_t now = loop_now();
	bool new_ha = false;

	if (!(flags & NEIGH_UPDATE_F_ADMIN) && (old & (NUD_NOARP | NUD_PERMANENT)))
		return -EPERM;

	if (!(state & NUD_VALID)) {
		n->state = state;
		n->updated = now;
		timer_del(&n->timer);
		if (state == NUD_FAILED)
			neigh_arm_gc(n);
		if (state == NUD_INCOMPLETE) {
			/* an admin INCOMPLETE resolves like a first packet would */
			n->probes = 0;
			timer_mod(&n->timer, now);
		}
		if ((old & (NUD_INCOMPLETE | NUD_PROBE)) && state == NUD_FAILED)
			neigh_invalidate(n);
		return 0;
	}

	if (!lladdr) {
		if (!(old & NUD_VALID)) {
			EXTACK_MSG(ext, "No link layer address given");
			return -EINVAL;
		}
		lladdr = n->ha;
	}
	new_ha = !(old & NUD_VALID) || !eth_equal(lladdr, n->ha);

	/* a confirmation refreshes the entry even when nothing else changes */
	if (state & NUD_CONNECTED)
		n->confirmed = now;

	if (old & NUD_VALID) {
		if (new_ha && !(flags & NEIGH_UPDATE_F_OVERRIDE))
			return 0; /* first answer wins within locktime */
		/* a valid entry with the same address is not demoted to STALE
		 * by hearsay (a request, a broadcast reply) */
		if (!new_ha && state == NUD_STALE && !(flags & NEIGH_UPDATE_F_ADMIN))
			state = old;
	}

	if (state != old || new_ha)
		n->updated = now;
	if (new_ha) {
		memcpy(n->ha, lladdr, ETH_ALEN);
		/* not confirmed: make sure the next look is a probe */
		if (!(state & NUD_CONNECTED))
			n->confirmed = now - MIN(now, 2 * ms_to_ns(
				n->ns->sysctl.neigh_base_reachable_time_ms));
	}
	if (state != old) {
		n->state = state;
		if (state == NUD_PROBE)
			n->probes = 0;
		neigh_arm_timer(n, now);
	}
	if (!(old & NUD_VALID))
		neigh_flush_queue(n);
	return 0;
}

struct neighbour *neigh_event_ns(int index, struct netdev *dev, const void *pkey,
				 const uint8_t *lladdr)
{
	struct neighbour *n = neigh_create(index, dev, pkey);

	if (n)
		neigh_update(n, lladdr, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE, NULL);
	return n;
}

/* Probes allowed in the current state (neigh_max_probes): broadcast
 * requests while INCOMPLETE, unicast ones in PROBE. */
static int neigh_max_probes(const struct neighbour *n)
{
	const struct sysctl_net *s = &n->ns->sysctl;
	return n->state == NUD_PROBE ? s->neigh_ucast_solicit : s->neigh_mcast_solicit;
}

static void neigh_probe(struct neighbour *n)
{
	n->probes++;
	n->cache->tbl->ops->solicit(n, n->state == NUD_PROBE ? n->ha : NULL);
}

/* neigh_timer_handler(): every timed state transition, and GC. */
static void neigh_timer_handler(struct timer *t)
{
	struct neighbour *n = container_of(t, struct neighbour, timer);
	struct netns *ns = n->ns;
	uint64_t now = loop_now();
	uint64_t next = 0;

	switch (n->state) {
	case NUD_REACHABLE: {
		uint64_t rt = neigh_reachable_time(n->cache, ns);
		uint64_t delay = (uint64_t)MAX(ns->sysctl.neigh_delay_first_probe_time, 0) *
				 NSEC_PER_SEC;
		if (now < n->confirmed + rt) {
			next = n->confirmed + rt;
		} else if (now < n->used + delay) {
			/* used recently: go straight to DELAY, as the kernel does */
			n->state = NUD_DELAY;
			n->updated = now;
			next = now + delay;
		} else {
			n->state = NUD_STALE;
			n->updated = now;
			neigh_arm_gc(n);
			return;
		}
		break;
	}
	case NUD_DELAY: {
		uint64_t delay = (uint64_t)MAX(ns->sysctl.neigh_delay_first_probe_time, 0) *
				 NSEC_PER_SEC;
		if (now < n->confirmed + delay) {
			n->state = NUD_REACHABLE;
			n->updated = now;
			next = n->confirmed + neigh_reachable_time(n->cache, ns);
		} else {
			n->state = NUD_PROBE;
			n->updated = now;
			n->probes = 0;
			next = now + neigh_retrans_time(ns);
		}
		break;
	}
	case NUD_INCOMPLETE:
	case NUD_PROBE:
		next = now + neigh_retrans_time(ns);
		break;
	case NUD_STALE:
		if (now < n->used + (uint64_t)MAX(ns->sysctl.neigh_gc_stale_time, 0) * NSEC_PER_SEC) {
			neigh_arm_gc(n);
			return;
		}
		neigh_destroy(n, DROP_NEIGH_DEAD);
		return;
	case NUD_FAILED:
		neigh_destroy(n, DROP_NEIGH_DEAD);
		return;
	default:
		return;
	}

	if ((n->state & (NUD_INCOMPLETE | NUD_PROBE)) && n->probes >= neigh_max_probes(n)) {
		n->state = NUD_FAILED;
		n->updated = now;
		neigh_arm_gc(n);
		neigh_invalidate(n); /* may re-enter and restart resolution */
		return;
	}
	timer_mod(&n->timer, next);
	if (n->state & (NUD_INCOMPLETE | NUD_PROBE))
		neigh_probe(n);
}

/* Queue @p on an unresolved entry, keeping at most unres_qlen packets: the
 * oldest makes room (__neigh_event_send). Consumes p. */
static void neigh_queue(struct neighbour *n, struct pkt *p)
{
	unsigned qlen = (unsigned)MAX(n->ns->sysctl.neigh_unres_qlen, 0);

	if (!qlen) {
		pkt_drop(p, DROP_NEIGH_QUEUEFULL);
		return;
	}
	while (n->arp_queue.len >= qlen)
		pkt_drop(pkt_queue_pop(&n->arp_queue), DROP_NEIGH_QUEUEFULL);
	pkt_queue_push(&n->arp_queue, p);
}

/* __neigh_event_send for an entry that is not CONNECTED. Consumes p;
 * p NULL: only start resolution (neigh_event_send(n, NULL)). */
static void neigh_event_send(struct neighbour *n, struct pkt *p)
{
	struct netns *ns = n->ns;
	uint64_t now = loop_now();

	n->used = now;
	switch (n->state) {
	case NUD_STALE:
		/* first use of a stale entry: send, and give upper layers
		 * delay_first_probe_time to confirm before probing */
		n->state = NUD_DELAY;
		n->updated = now;
		timer_mod(&n->timer,
			  now + (uint64_t)MAX(ns->sysctl.neigh_delay_first_probe_time, 0) *
					NSEC_PER_SEC);
		if (p)
			neigh_link_xmit(p, n->ha, n->cache->tbl->protocol);
		return;
	case NUD_DELAY:
	case NUD_PROBE:
		if (p)
			neigh_link_xmit(p, n->ha, n->cache->tbl->protocol);
		return;
	case NUD_INCOMPLETE:
		if (p)
			neigh_queue(n, p);
		return;
	default: /* NONE, FAILED: (re)start resolution */
		break;
	}
	if (ns->sysctl.neigh_mcast_solicit <= 0) {
		/* no probes allowed: fail at once, no error report */
		n->state = NUD_FAILED;
		n->updated = now;
		neigh_arm_gc(n);
		if (p)
			pkt_drop(p, DROP_NEIGH_FAILED);
		return;
	}
	n->state = NUD_INCOMPLETE;
	n->updated = now;
	n->probes = 0;
	timer_mod(&n->timer, now + neigh_retrans_time(ns));
	if (p)
		neigh_queue(n, p);
	neigh_probe(n); /* immediate_probe */
}

void neigh_event_send_probe(struct neighbour *n)
{
	NS_ASSERT_OWNER(n->ns);
	if (n->state & (NUD_VALID | NUD_INCOMPLETE))
		return;
	neigh_event_send(n, NULL);
}

/* The part of __neigh_output after a miss or an entry that is not
 * CONNECTED: the table's map (broadcast, multicast), else an entry that
 * resolves. Consumes p. */
static void neigh_output_slow(struct neigh_cache *c, struct pkt *p, const void *pkey,
			      struct neighbour *n)
{
	if (!n) {
		uint8_t ha[ETH_ALEN];

		if (unlikely(!c)) {
			pkt_drop(p, DROP_NOMEM); /* no such table registered */
			return;
		}
		if (c->tbl->map && c->tbl->map(p->dev, pkey, ha)) {
			neigh_link_xmit(p, ha, c->tbl->protocol);
			return;
		}
		n = neigh_cache_create(c, p->dev, pkey);
		if (!n) {
			pkt_drop(p, DROP_NOMEM);
			return;
		}
	}
	neigh_event_send(n, p);
}

/* neigh_output in table cache @c for a key of @key_len bytes; @proto is
 * the table's, given by the caller so arp_tbl's is a constant. */
static inline void __neigh_output(struct neigh_cache *c, struct pkt *p, const void *pkey,
				  unsigned key_len, uint16_t proto)
{
	struct netdev *dev = p->dev;
	struct netns *ns = dev->ns;
	struct neighbour *n;

	NS_ASSERT_OWNER(ns);
	p->ns = ns;
	/* arp_constructor: no resolution on loopback/NOARP devices, the
	 * frame carries the device's own address */
	if (unlikely(dev->flags & (IFF_LOOPBACK | IFF_NOARP))) {
		neigh_link_xmit(p, dev->addr, proto);
		return;
	}
	n = __neigh_lookup(c, dev, pkey, key_len);
	if (likely(n && (n->state & NUD_CONNECTED))) {
		n->used = loop_now();
		neigh_link_xmit(p, n->ha, proto);
		return;
	}
	neigh_output_slow(c, p, pkey, n);
}

void neigh_output(struct pkt *p)
{
	__neigh_output(p->dev->ns->neigh[NEIGH_ARP_TABLE], p, &p->nexthop, 4, ETH_P_IP);
}

void neigh_xmit(int index, struct netdev *dev, const void *pkey, struct pkt *p)
{
	struct neigh_cache *c = dev->ns->neigh[index];

	p->dev = dev;
	if (unlikely(!c)) {
		p->ns = dev->ns;
		pkt_drop(p, DROP_NOMEM); /* no such table registered */
		return;
	}
	if (c->tbl->key_len == 4)
		__neigh_output(c, p, pkey, 4, c->tbl->protocol);
	else
		__neigh_output(c, p, pkey, c->tbl->key_len, c->tbl->protocol);
}

/*
 * neigh_output for a run: the link header comes from header_ops->cache
 * once, and is written into each frame with two 8-byte stores, bytes
 * 0-7 and the last 8 (for Ethernet 6-13), which overlap by bytes that
 * hold the same value. A header shorter than 8 or longer than 16 bytes, or
 * a device without a cache op, takes neigh_output per packet.
 */
void neigh_output_batch(struct netdev *dev, uint32_t nh, struct pkt_batch *b)
{
	struct netns *ns = dev->ns;
	const struct header_ops *hops = dev->header_ops;
	struct neighbour *n = NULL;
	struct pkt_batch out;
	struct hh_cache hh;
	uint64_t lo, hi;
	unsigned i, cnt = b->n, out_n = 0, hlen, hi_off;

	NS_ASSERT_OWNER(ns);
	if (likely(!(dev->flags & (IFF_LOOPBACK | IFF_NOARP))))
		n = __neigh_lookup(ns->neigh[NEIGH_ARP_TABLE], dev, &nh, 4);
	if (unlikely(!n || !(n->state & NUD_CONNECTED) || !hops || !hops->cache ||
		     hops->cache(n, &hh, ETH_P_IP) < 0 || hh.hh_len < 8 ||
		     hh.hh_len > HH_DATA_MAX)) {
		for (i = 0; i < cnt; i++) {
			b->p[i]->ns = ns;
			neigh_output(b->p[i]);
		}
		b->n = 0;
		return;
	}
	/* neigh_output's fast path, once for the run: the time is the
	 * loop's, the same for every packet of it */
	n->used = loop_now();
	hlen = hh.hh_len;
	hi_off = hlen - 8;
	memcpy(&lo, hh.hh_data, 8);
	memcpy(&hi, hh.hh_data + hi_off, 8);
	for (i = 0; i < cnt; i++) {
		struct pkt *p = b->p[i];
		uint8_t *h;

		/* p->ns: dev_queue_xmit_batch sets it for what is sent */
		if (unlikely(pkt_headroom(p) < hlen)) {
			/* neigh_xmit's check; nothing is sent, so no order
			 * to keep */
			p->ns = ns;
			pkt_drop(p, DROP_NOMEM);
			continue;
		}
		h = pkt_push(p, hlen);
		memcpy(h, &lo, 8);
		memcpy(h + hi_off, &hi, 8);
		pkt_set_l2(p);
		p->protocol = ETH_P_IP;
		out.p[out_n++] = p;
	}
	b->n = 0;
	out.n = out_n;
	if (out_n)
		dev_queue_xmit_batch(dev, &out);
}

/* ---- control path ---- */

static bool neigh_state_valid(uint16_t state)
{
	switch (state) {
	case NUD_NONE:
	case NUD_INCOMPLETE:
	case NUD_REACHABLE:
	case NUD_STALE:
	case NUD_DELAY:
	case NUD_PROBE:
	case NUD_FAILED:
	case NUD_NOARP:
	case NUD_PERMANENT:
		return true;
	default:
		return false;
	}
}

int neigh_tbl_update_cfg(int index, struct netdev *dev, const void *pkey, const uint8_t *lladdr,
			 uint16_t state, uint32_t nlflags, struct extack *ext)
{
	struct netns *ns = dev->ns;
	struct neigh_cache *c = ns->neigh[index];
	unsigned flags = NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE;
	bool created = false;
	int err;

	NS_ASSERT_OWNER(ns);
	if (!c) {
		EXTACK_MSG(ext, "No such neighbour table");
		return -EAFNOSUPPORT;
	}
	if (!neigh_state_valid(state)) {
		EXTACK_MSG(ext, "Invalid neighbour state");
		return -EINVAL;
	}
	if (c->tbl->allow_add && (err = c->tbl->allow_add(dev, pkey, ext)) < 0)
		return err;
	struct neighbour *n = neigh_cache_lookup(c, dev, pkey);
	if ((state & NUD_VALID) && !lladdr && !n) {
		EXTACK_MSG(ext, "No link layer address given");
		return -EINVAL;
	}
	if (!n) {
		if (!(nlflags & NLM_F_CREATE)) {
			EXTACK_MSG(ext, "No such neighbour entry");
			return -ENOENT;
		}
		n = neigh_cache_create(c, dev, pkey);
		if (!n) {
			EXTACK_MSG(ext, "Out of memory");
			return -ENOMEM;
		}
		created = true;
	} else {
		if (nlflags & NLM_F_EXCL) {
			EXTACK_MSG(ext, "Neighbour entry exists");
			return -EEXIST;
		}
		/* neigh_add: without REPLACE a different address is refused */
		if (!(nlflags & NLM_F_REPLACE))
			flags &= ~NEIGH_UPDATE_F_OVERRIDE;
	}
	err = neigh_update(n, lladdr, state, flags, ext);
	if (err && created)
		neigh_destroy(n, DROP_NEIGH_DEAD);
	ns->dev_gen++;
	return err;
}

int neigh_update_cfg(struct netdev *dev, uint32_t ip, const uint8_t *lladdr, uint16_t state,
		     uint32_t nlflags, struct extack *ext)
{
	return neigh_tbl_update_cfg(NEIGH_ARP_TABLE, dev, &ip, lladdr, state, nlflags, ext);
}

int neigh_tbl_delete(int index, struct netdev *dev, const void *pkey, struct extack *ext)
{
	struct neighbour *n = neigh_tbl_lookup(index, dev, pkey);

	NS_ASSERT_OWNER(dev->ns);
	if (!n) {
		EXTACK_MSG(ext, "No such neighbour entry");
		return -ENOENT;
	}
	/* neigh_delete: __neigh_update(FAILED, ADMIN) (queued packets get
	 * their error report), then neigh_remove_one */
	neigh_update(n, NULL, NUD_FAILED, NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE, NULL);
	neigh_destroy(n, DROP_NEIGH_DEAD);
	dev->ns->dev_gen++;
	return 0;
}

int neigh_delete(struct netdev *dev, uint32_t ip, struct extack *ext)
{
	return neigh_tbl_delete(NEIGH_ARP_TABLE, dev, &ip, ext);
}

unsigned neigh_tbl_flush(int index, struct netns *ns, struct netdev *dev, bool include_permanent)
{
	struct neigh_cache *tbl = ns->neigh[index];
	unsigned count = 0;

	NS_ASSERT_OWNER(ns);
	if (!tbl)
		return 0;
	for (unsigned i = 0; i < tbl->nbuckets; i++) {
		struct neighbour *n = tbl->buckets[i], *next;
		for (; n; n = next) {
			next = n->next;
			if (dev && n->dev != dev)
				continue;
			/* `ip neigh flush` skips PERMANENT and NOARP entries */
			if (!include_permanent && (n->state & (NUD_PERMANENT | NUD_NOARP)))
				continue;
			neigh_destroy(n, DROP_NEIGH_DEAD);
			count++;
		}
	}
	if (count)
		ns->dev_gen++;
	return count;
}

unsigned neigh_flush(struct netns *ns, struct netdev *dev, bool include_permanent)
{
	return neigh_tbl_flush(NEIGH_ARP_TABLE, ns, dev, include_permanent);
}

int neigh_tbl_walk(int index, struct netns *ns, neigh_walk_fn fn, void *arg)
{
	struct neigh_cache *tbl = ns->neigh[index];

	NS_ASSERT_OWNER(ns);
	if (!tbl)
		return 0;
	for (unsigned i = 0; i < tbl->nbuckets; i++)
		for (const struct neighbour *n = tbl->buckets[i]; n; n = n->next) {
			int r = fn(n, arg);
			if (r)
				return r;
		}
	return 0;
}

int neigh_walk(struct netns *ns, neigh_walk_fn fn, void *arg)
{
	return neigh_tbl_walk(NEIGH_ARP_TABLE, ns, fn, arg);
}

void neigh_dev_down(struct netdev *dev)
{
	/* neigh_ifdown in every table: every entry of the device goes,
	 * permanent ones too, and packets waiting for them are dropped as
	 * NEIGH_DEAD */
	for (int i = 0; i < NEIGH_NR_TABLES; i++)
		neigh_tbl_flush(i, dev->ns, dev, true);
}

void neigh_exit(struct netns *ns)
{
	NS_ASSERT_OWNER(ns);
	for (int t = 0; t < NEIGH_NR_TABLES; t++) {
		struct neigh_cache *tbl = ns->neigh[t];

		if (!tbl)
			continue;
		for (unsigned i = 0; i < tbl->nbuckets; i++)
			while (tbl->buckets[i])
				neigh_destroy(tbl->buckets[i], DROP_NEIGH_DEAD);
		free(tbl->buckets);
		free(tbl);
		ns->neigh[t] = NULL;
	}
}

/* A device going down or away takes its neighbours along (arp_ifdown
 * from fib_disable_ip and inetdev_destroy). */
static int neigh_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	if (event == NETDEV_DOWN || event == NETDEV_UNREGISTER)
		neigh_dev_down(ptr);
	return NOTIFY_DONE;
}

static struct notifier_block neigh_netdev_notifier = {
	.notifier_call = neigh_netdev_event,
};

static const struct pernet_operations neigh_net_ops = {
	.name = "neigh",
	.init = neigh_init,
	.exit = neigh_exit,
};

void neigh_subsys_init(void)
{
	register_pernet_subsys(&neigh_net_ops);
	register_netdevice_notifier(&neigh_netdev_notifier);
}
