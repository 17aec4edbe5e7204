// SPDX-License-Identifier: MIT
/*
 * IPv4 reassembly, as net/ipv4/ip_fragment.c (ip_defrag) on the
 * inet_frag_queue machinery of net/ipv4/inet_fragment.c. Per namespace,
 * created on the first fragment: a small hash of queues keyed by (saddr,
 * daddr, id, protocol), each holding its fragments sorted by offset, an
 * expiry timer (net.ipv4.ipfrag_time) and its share of the memory
 * accounted against ipfrag_high_thresh. Since 2018 the kernel discards the
 * whole datagram when fragments overlap (RFC 5722 style, "ip: discard IPv4
 * datagrams with overlapping segments"), but drops a fragment lying
 * entirely within data already received as a duplicate and keeps the
 * queue (IPFRAG_DUP); nsemu does both. The reassembled datagram is one
 * contiguous buffer (PKT_F_LARGE above the pool's buffer size).
 */
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "core/timer.h"
#include "netns/core/dev.h"
#include "icmp.h"
#include "ip.h"

#define IPQ_HASHSZ 64

/* Queue flags, as INET_FRAG_* */
enum { IPQ_FIRST_IN = 1, IPQ_LAST_IN = 2 };

/* pkt->cb of a queued fragment: the IP control block, then the payload
 * range this fragment covers (ip_defrag_offset and its end). */
struct ipfrag_cb {
	struct ip_cb ip;
	uint32_t offset, end;
};
static_assert(sizeof(struct ipfrag_cb) <= PKT_CB_SIZE, "ipfrag_cb fits pkt->cb");
#define FRAG_CB(p) ((struct ipfrag_cb *)(void *)(p)->cb)

struct ipq {
	struct ipq *hnext;		/* hash chain */
	struct ipq *lru_prev, *lru_next; /* creation order, oldest first */
	struct ipfrag_state *st;
	uint32_t saddr, daddr;
	uint16_t id;
	uint8_t protocol;
	uint8_t flags;			/* IPQ_* */
	uint32_t len;			/* payload length (end of the furthest fragment) */
	uint32_t meat;			/* payload bytes received */
	size_t truesize;		/* memory charged for the queued fragments */
	int iif;			/* input ifindex of the last fragment */
	struct pkt *fragments;		/* sorted by offset, linked by pkt->next */
	struct timer timer;		/* ipfrag_time after the first fragment */
};

struct ipfrag_state {
	struct netns *ns;
	struct ipq *hash[IPQ_HASHSZ];
	struct ipq *lru_head, *lru_tail;
	size_t mem;
	unsigned nqueues;
};

/* What a queued fragment costs (the kernel charges skb->truesize). */
static size_t ipfrag_truesize(const struct pkt *p)
{
	return p->size + sizeof(struct pkt);
}

static unsigned ipq_hashfn(uint32_t saddr, uint32_t daddr, uint16_t id, uint8_t proto)
{
	uint32_t h = saddr ^ (daddr * 2654435761u) ^ ((uint32_t)id << 8) ^ proto;

	h ^= h >> 16;
	h *= 0x45d9f3bu;
	h ^= h >> 16;
	return h & (IPQ_HASHSZ - 1);
}

/* Unlink @q from the hash and the LRU list, stop its timer and free it;
 * its fragments must have been taken already. */
static void ipq_destroy(struct ipq *q)
{
	struct ipfrag_state *st = q->st;
	struct ipq **pp = &st->hash[ipq_hashfn(q->saddr, q->daddr, q->id, q->protocol)];

	while (*pp && *pp != q)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = q->hnext;
	if (q->lru_prev)
		q->lru_prev->lru_next = q->lru_next;
	else
		st->lru_head = q->lru_next;
	if (q->lru_next)
		q->lru_next->lru_prev = q->lru_prev;
	else
		st->lru_tail = q->lru_prev;
	timer_del(&q->timer);
	st->mem -= q->truesize;
	st->nqueues--;
	free(q);
}

/*
 * ipq_kill - discard an incomplete datagram: every queued fragment is
 * dropped with @reason. The drop table maps FRAG_* reasons to
 * IpReasmFails, which the kernel counts once per datagram (inet_frag_kill
 * callers), not once per fragment: the extra counts are taken back so
 * `nstat` reads as on Linux while `show drops` still counts packets.
 */
static void ipq_kill(struct ipq *q, enum drop_reason reason)
{
	struct netns *ns = q->st->ns;
	struct pkt *p = q->fragments;
	unsigned n = 0;

	q->fragments = NULL;
	while (p) {
		struct pkt *next = p->next;

		p->next = NULL;
		p->ns = ns;
		pkt_drop(p, reason);
		n++;
		p = next;
	}
	if (n > 1)
		ns->mib[MIB_IpReasmFails] -= n - 1;
	else if (n == 0)
		mib_inc(ns, MIB_IpReasmFails);
	ipq_destroy(q);
}

/*
 * ip_expire - the reassembly timer (ipfrag_time) ran out: count
 * IpReasmTimeout and IpReasmFails, and if the first fragment had arrived
 * tell the sender with ICMP time exceeded / fragment reassembly time
 * exceeded (RFC 792; RFC 1122 3.3.2), quoting that fragment.
 */
static void ip_expire(struct timer *t)
{
	struct ipq *q = container_of(t, struct ipq, timer);
	struct netns *ns = q->st->ns;

	mib_inc(ns, MIB_IpReasmTimeout);
	if ((q->flags & IPQ_FIRST_IN) && q->fragments) {
		struct pkt *head = q->fragments;

		/* The device may have gone since: look it up by index as the
		 * kernel does (dev_get_by_index_rcu(net, qp->iif)). */
		head->dev = dev_get_by_index(ns, q->iif);
		head->ns = ns;
		if (head->dev)
			icmp_send(head, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
		head->dev = NULL;
	}
	ipq_kill(q, DROP_FRAG_REASM_TIMEOUT);
}

static struct ipfrag_state *ipfrag_state_get(struct netns *ns)
{
	if (!ns->ipfrag) {
		ns->ipfrag = calloc(1, sizeof(*ns->ipfrag));
		if (ns->ipfrag)
			ns->ipfrag->ns = ns;
	}
	return ns->ipfrag;
}

/* Find the queue of @iph's datagram, or create it. NULL on no memory. */
static struct ipq *ipq_find(struct ipfrag_state *st, const struct iphdr *iph)
{
	unsigned h = ipq_hashfn(iph->saddr, iph->daddr, iph->id, iph->protocol);
	struct ipq *q;

	for (q = st->hash[h]; q; q = q->hnext)
		if (q->saddr == iph->saddr && q->daddr == iph->daddr && q->id == iph->id &&
		    q->protocol == iph->protocol)
			return q;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->st = st;
	q->saddr = iph->saddr;
	q->daddr = iph->daddr;
	q->id = iph->id;
	q->protocol = iph->protocol;
	timer_init(&q->timer, ip_expire);
	timer_mod(&q->timer, loop_now() + (uint64_t)st->ns->sysctl.ipfrag_time * NSEC_PER_SEC);
	q->hnext = st->hash[h];
	st->hash[h] = q;
	q->lru_prev = st->lru_tail;
	if (st->lru_tail)
		st->lru_tail->lru_next = q;
	else
		st->lru_head = q;
	st->lru_tail = q;
	st->nqueues++;
	return q;
}

/*
 * ipfrag_evict - memory is over ipfrag_high_thresh: discard the oldest
 * incomplete datagrams until usage plus @need is under ipfrag_low_thresh
 * (the kernel's inet_frag_evictor before 4.17). Returns true if @need
 * now fits under the high threshold.
 */
static bool ipfrag_evict(struct ipfrag_state *st, size_t need)
{
	const struct sysctl_net *s = &st->ns->sysctl;
	size_t high = s->ipfrag_high_thresh > 0 ? (size_t)s->ipfrag_high_thresh : 0;
	size_t low = s->ipfrag_low_thresh > 0 ? (size_t)s->ipfrag_low_thresh : 0;

	if (st->mem + need <= high)
		return true;
	while (st->lru_head && st->mem + need > low)
		ipq_kill(st->lru_head, DROP_FRAG_MEM_LIMIT);
	return st->mem + need <= high;
}

/*
 * ip_frag_reasm - every byte is in: build the datagram in one buffer (the
 * first fragment's header with its options, then each payload at its
 * offset), free the fragments, destroy the queue. @last is the fragment
 * that completed it (its metadata goes to the datagram, as the kernel's
 * reassembled skb takes the last arrival's). NULL on no memory.
 */
static struct pkt *ip_frag_reasm(struct ipq *q, const struct pkt *last)
{
	struct pkt *head = q->fragments, *p, *r;
	const struct iphdr *hiph = (const struct iphdr *)pkt_l3(head);
	unsigned ihl = hiph->ihl * 4u;
	struct iphdr *iph;

	r = pkt_alloc(PKT_HR_TRANSPORT, ihl + q->len);
	if (!r)
		return NULL;
	r->dev = last->dev;
	r->ns = q->st->ns;
	r->pkt_type = last->pkt_type;
	r->tstamp = last->tstamp;
	r->protocol = ETH_P_IP;
	r->flags |= PKT_F_FRAG_DONE | PKT_F_CSUM_VALID;
	memcpy(r->cb, last->cb, sizeof(r->cb));
	pkt_set_l3(r);
	memcpy(r->data, hiph, ihl);
	for (p = head; p; p = p->next) {
		const uint8_t *src = pkt_l3(p) + ((const struct iphdr *)pkt_l3(p))->ihl * 4u;

		memcpy(r->data + ihl + FRAG_CB(p)->offset, src, FRAG_CB(p)->end - FRAG_CB(p)->offset);
	}
	iph = (struct iphdr *)r->data;
	iph->tot_len = htons((uint16_t)(ihl + q->len));
	iph->frag_off = 0;
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);
	r->l4_off = (uint16_t)(r->l3_off + ihl);

	p = q->fragments;
	q->fragments = NULL;
	while (p) {
		struct pkt *next = p->next;

		pkt_consume(p);
		p = next;
	}
	ipq_destroy(q);
	return r;
}

/*
 * ip_frag_queue - place fragment @p in @q (ip_frag_queue and
 * inet_frag_queue_insert). Returns 1 if the datagram is complete, 0 if
 * queued, or -1 after the fragment was dropped (and, for a corrupt
 * datagram, the whole queue discarded).
 */
static int ip_frag_queue(struct ipq *q, struct pkt *p)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	unsigned ihl = iph->ihl * 4u;
	uint16_t fo = ntohs(iph->frag_off);
	uint32_t offset = (fo & IP_OFFSET) * 8u;
	uint32_t end = offset + (p->len - ihl);
	struct pkt **pp, *cur;
	enum drop_reason reason;
	struct netns *ns;

	/* The reassembled datagram could not be represented (the kernel
	 * fails it in ip_frag_reasm with "Oversized IP packet"). */
	if (ihl + end > IP_MAXPACKET) {
		reason = DROP_FRAG_TOO_FAR;
		goto discard_qp;
	}
	if (!(fo & IP_MF)) {
		/* The last fragment fixes the length: data beyond it, or a
		 * second last fragment with another end, is corruption. */
		if (end < q->len || ((q->flags & IPQ_LAST_IN) && end != q->len)) {
			reason = DROP_FRAG_INVALID;
			goto discard_qp;
		}
		q->flags |= IPQ_LAST_IN;
		q->len = end;
	} else {
		/* Non-final fragments carry multiples of 8 bytes; the kernel
		 * ignores the odd tail rather than rejecting the fragment. */
		end &= ~7u;
		if (end > q->len) {
			if (q->flags & IPQ_LAST_IN) {
				reason = DROP_FRAG_INVALID;
				goto discard_qp;
			}
			q->len = end;
		}
	}
	if (end <= offset) {
		/* A fragment without data. */
		reason = DROP_FRAG_INVALID;
		goto discard_qp;
	}
	/* Insert sorted by offset; an overlap with any queued fragment kills
	 * the datagram, one lying within a queued fragment is a duplicate. */
	for (pp = &q->fragments; (cur = *pp) != NULL; pp = &cur->next) {
		if (end <= FRAG_CB(cur)->offset)
			break;
		if (offset >= FRAG_CB(cur)->end)
			continue;
		if (offset >= FRAG_CB(cur)->offset && end <= FRAG_CB(cur)->end) {
			/* IPFRAG_DUP: the kernel drops just this copy
			 * (SKB_DROP_REASON_DUP_FRAG) and counts nothing. */
			pkt_drop(p, DROP_FRAG_DUP);
			return -1;
		}
		mib_inc(q->st->ns, MIB_IpReasmOverlaps);
		reason = DROP_FRAG_OVERLAP;
		goto discard_qp;
	}
	pkt_trim(p, ihl + (end - offset));
	FRAG_CB(p)->offset = offset;
	FRAG_CB(p)->end = end;
	p->next = *pp;
	*pp = p;
	/* Device pointers of queued packets would dangle if the device went
	 * away; keep its index instead (the kernel's qp->iif). */
	q->iif = p->dev ? p->dev->ifindex : 0;
	p->dev = NULL;
	q->meat += end - offset;
	q->truesize += ipfrag_truesize(p);
	q->st->mem += ipfrag_truesize(p);
	if (offset == 0)
		q->flags |= IPQ_FIRST_IN;
	if ((q->flags & (IPQ_FIRST_IN | IPQ_LAST_IN)) == (IPQ_FIRST_IN | IPQ_LAST_IN) &&
	    q->meat == q->len)
		return 1;
	return 0;

discard_qp:
	/* inet_frag_kill + IPSTATS_MIB_REASMFAILS once: the current fragment
	 * and the queue are one failed datagram. */
	ns = q->st->ns;
	pkt_drop(p, reason);
	ipq_kill(q, reason);
	ns->mib[MIB_IpReasmFails]--;
	return -1;
}

/*
 * ip_defrag - queue a fragment of a datagram for this namespace; return
 * the whole datagram when this fragment completed it (data at its IP
 * header, l3/l4 offsets set, IPCB kept), or NULL (fragment queued, or
 * dropped with its reason). Counts IpReasmReqds per fragment and
 * IpReasmOKs per datagram. Consumes pkt. Owner thread.
 */
struct pkt *ip_defrag(struct pkt *p)
{
	struct netns *ns = p->ns;
	struct ipfrag_state *st;
	struct netdev *dev = p->dev;
	struct pkt *r;
	struct ipq *q;

	NS_ASSERT_OWNER(ns);
	mib_inc(ns, MIB_IpReasmReqds);
	st = ipfrag_state_get(ns);
	if (!st) {
		pkt_drop(p, DROP_NOMEM);
		return NULL;
	}
	if (!ipfrag_evict(st, ipfrag_truesize(p))) {
		pkt_drop(p, DROP_FRAG_MEM_LIMIT);
		return NULL;
	}
	q = ipq_find(st, (const struct iphdr *)pkt_l3(p));
	if (!q) {
		pkt_drop(p, DROP_NOMEM);
		return NULL;
	}
	if (ip_frag_queue(q, p) <= 0)
		return NULL;
	/* ip_frag_queue cleared p->dev once queued; the datagram takes the
	 * device of the fragment that completed it. */
	p->dev = dev;
	r = ip_frag_reasm(q, p);
	if (!r) {
		p->dev = NULL;
		/* No memory for the datagram: it fails as a whole. */
		ipq_kill(q, DROP_NOMEM);
		return NULL;
	}
	mib_inc(ns, MIB_IpReasmOKs);
	return r;
}

/*
 * ipfrag_exit - the namespace is going away: discard every incomplete
 * datagram (DROP_DEV_GONE) and free the state. Idempotent. Owner thread.
 */
void ipfrag_exit(struct netns *ns)
{
	struct ipfrag_state *st = ns->ipfrag;

	if (!st)
		return;
	while (st->lru_head)
		ipq_kill(st->lru_head, DROP_DEV_GONE);
	free(st);
	ns->ipfrag = NULL;
}

/* ipfrag_mem - bytes charged for incomplete datagrams. Owner thread. */
size_t ipfrag_mem(const struct netns *ns)
{
	return ns->ipfrag ? ns->ipfrag->mem : 0;
}

static const struct pernet_operations ipfrag_net_ops = {
	.name = "ipfrag",
	.exit = ipfrag_exit,
};

void ipfrag_init(void)
{
	register_pernet_subsys(&ipfrag_net_ops);
}
