// SPDX-License-Identifier: MIT
/*
 * The receive half of the device core: the ptype table (dev_add_pack),
 * dev_rx with eth_type_trans's checks (counts, runt/MTU/destination MAC)
 * and dispatch by ethertype, and the per-worker backlog that netif_rx()
 * defers into, so a chain of veth hops or lo never recurses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "capture.h"
#include "dev.h"

/* ---- ptype table ---- */

#define PTYPE_MAX 16

static struct packet_type *ptypes[PTYPE_MAX];
static unsigned nptypes;

static struct packet_type **ptype_slot(uint16_t type)
{
	unsigned i;

	for (i = 0; i < nptypes; i++)
		if (ptypes[i]->type == type)
			return &ptypes[i];
	return NULL;
}

static const struct packet_type *ptype_find_entry(uint16_t type)
{
	struct packet_type **slot = ptype_slot(type);

	return slot ? *slot : NULL;
}

/* Registration happens at start-up, before workers run. */
void dev_add_pack(struct packet_type *pt)
{
	struct packet_type **slot = ptype_slot(pt->type);

	if (slot) {
		*slot = pt;
		return;
	}
	assert(nptypes < PTYPE_MAX);
	if (nptypes < PTYPE_MAX)
		ptypes[nptypes++] = pt;
}

void dev_remove_pack(struct packet_type *pt)
{
	struct packet_type **slot = ptype_slot(pt->type);

	if (!slot || *slot != pt)
		return;
	*slot = ptypes[--nptypes];
	ptypes[nptypes] = NULL;
}

static ptype_fn ptype_find(uint16_t type)
{
	const struct packet_type *pt = ptype_find_entry(type);

	return pt ? pt->func : NULL;
}

/* ---- receive ---- */

int netdev_rx_handler_register(struct netdev *dev, rx_handler_func_t *fn, void *data)
{
	NS_ASSERT_OWNER(dev->ns);
	if (dev->rx_handler)
		return -EBUSY;
	dev->rx_handler_data = data;
	dev->rx_handler = fn;
	return 0;
}

void netdev_rx_handler_unregister(struct netdev *dev)
{
	NS_ASSERT_OWNER(dev->ns);
	dev->rx_handler = NULL;
	dev->rx_handler_data = NULL;
}

/* eth_type_trans()'s classification of the destination MAC. */
static uint8_t eth_pkt_type(const struct netdev *dev, const struct ethhdr *eth)
{
	if (dev->flags & IFF_LOOPBACK)
		return PACKET_HOST;
	if (likely(eth_equal(eth->h_dest, dev->addr)))
		return PACKET_HOST;
	if (eth_is_multicast(eth->h_dest))
		return eth_is_broadcast(eth->h_dest) ? PACKET_BROADCAST : PACKET_MULTICAST;
	return PACKET_OTHERHOST;
}

/*
 * May the device take frame @p with a link header of @hlen bytes? A frame
 * shorter than its header (or empty) or longer than is_skb_forwardable()
 * allows (mtu + header + VLAN_HLEN of slack) is a length error; one that
 * reaches a down device never entered it: its rx_dropped is charged here
 * and pkt_drop counts only the reason (DEV_DOWN is otherwise a transmit-
 * side drop). False: @p was dropped.
 */
static inline bool dev_rx_admit(struct pkt *p, unsigned hlen)
{
	struct netdev *dev = p->dev;

	if (unlikely(p->len < (hlen ? hlen : 1))) {
		dev->stats.rx_length_errors++;
		pkt_drop(p, DROP_PKT_TOO_SMALL);
		return false;
	}
	if (unlikely(p->len > dev->mtu + hlen + 4)) {
		dev->stats.rx_length_errors++;
		pkt_drop(p, DROP_MTU_EXCEEDED);
		return false;
	}
	if (unlikely(!(dev->flags & IFF_UP))) {
		dev->stats.rx_dropped++;
		p->dev = NULL;
		pkt_drop(p, DROP_DEV_DOWN);
		return false;
	}
	return true;
}

/*
 * Receive on a device without a link-layer header (no header_ops: tun). The
 * frame is a bare IP packet and the driver has set p->protocol from it, as
 * tun_get_user does from the IP version nibble for IFF_TUN without
 * IFF_NO_PI. There is no destination MAC: every packet is for this host.
 * Consumes p.
 */
static void dev_rx_nohdr(struct pkt *p)
{
	ptype_fn fn;

	if (unlikely(!dev_rx_admit(p, 0)))
		return;
	p->pkt_type = PACKET_HOST;
	pkt_set_l2(p);
	pkt_set_l3(p);
	fn = ptype_find(p->protocol);
	if (unlikely(!fn)) {
		pkt_drop(p, DROP_UNHANDLED_PROTO);
		return;
	}
	fn(p);
}

/* dev_rx without the worker's packet count (dev_rx_batch counts a batch
 * at once). Consumes p. */
static void dev_rx_one(struct pkt *p)
{
	struct netdev *dev = p->dev;
	const struct ethhdr *eth;
	ptype_fn fn;

	p->ns = dev->ns;
	NS_ASSERT_OWNER(dev->ns);
	dev->stats.rx_packets++;
	dev->stats.rx_bytes += p->len;
	/* ptype_all taps (tcpdump) see every frame the device receives,
	 * before any protocol check; one branch when nobody captures. */
	if (unlikely(dev->capture))
		capture_tap(dev, p, false);
	if (unlikely(!dev->header_ops)) {
		dev_rx_nohdr(p);
		return;
	}

	if (unlikely(!dev_rx_admit(p, ETH_HLEN)))
		return;

	eth = (const struct ethhdr *)p->data;
	p->pkt_type = eth_pkt_type(dev, eth);
	if (p->pkt_type == PACKET_MULTICAST)
		dev->stats.multicast++;
	pkt_set_l2(p);
	p->protocol = ntohs(eth->h_proto);
	pkt_pull(p, ETH_HLEN);
	pkt_set_l3(p);
	/* __netif_receive_skb_core: the device's rx_handler sees every frame
	 * (a bridge port's for other hosts too) before the ptypes. */
	while (unlikely(dev->rx_handler)) {
		rx_handler_result_t res = dev->rx_handler(&p);

		if (res == RX_HANDLER_CONSUMED)
			return;
		if (res != RX_HANDLER_ANOTHER)
			break;
		dev = p->dev;
		p->ns = dev->ns;
		NS_ASSERT_OWNER(dev->ns);
		/* another_round: the new device's taps see the frame as well,
		 * with its link header (tcpdump on a bridge or VLAN device) */
		if (unlikely(dev->capture)) {
			unsigned hlen = (unsigned)(p->data - pkt_l2(p));

			pkt_push(p, hlen);
			capture_tap(dev, p, false);
			pkt_pull(p, hlen);
		}
	}
	/* ip_rcv_core drops PACKET_OTHERHOST (SKB_DROP_REASON_OTHERHOST);
	 * without promiscuity no such frame gets that far, so we drop it
	 * here. With IFF_PROMISC the L3 handler sees and drops it. */
	if (unlikely(p->pkt_type == PACKET_OTHERHOST && !(dev->flags & IFF_PROMISC))) {
		pkt_drop(p, DROP_OTHERHOST);
		return;
	}

	fn = ptype_find(p->protocol);
	if (unlikely(!fn)) {
		pkt_drop(p, DROP_UNHANDLED_PROTO);
		return;
	}
	fn(p);
}

void dev_rx(struct pkt *p)
{
	struct worker *w = loop_current();

	if (w)
		loop_stats(w)->pkts++;
	dev_rx_one(p);
}

/* Hand the frames b->p[@start..@end) to @fn: the whole of @b as it is (the
 * common case) or a copy of the part. */
static void dev_rx_up(struct pkt_batch *b, ptype_batch_fn fn, unsigned start, unsigned end)
{
	struct pkt_batch part;

	if (start == end)
		return;
	if (likely(start == 0 && end == b->n)) {
		fn(b);
		return;
	}
	part.n = end - start;
	memcpy(part.p, b->p + start, part.n * sizeof(part.p[0]));
	fn(&part);
}

/*
 * Batch receive (STYLE H1-H3, like netif_receive_skb_list). A frame takes
 * the fast path when its device is a plain Ethernet device that is up,
 * not captured and without an rx_handler (checked once per run of one
 * device) and the frame is long enough, short enough and addressed to the
 * device's own MAC (one test): that is exactly the case where dev_rx would pass it up as
 * PACKET_HOST with no counter but rx_packets/rx_bytes. Anything else goes
 * through dev_rx_one, whose checks and counts are dev_rx's. Frames of a
 * type with a batch handler (IPv4) are gathered into runs and handed over
 * together (a run is a stretch of @b itself: b->p[up_start..i)); before
 * any frame is handled on its own the pending run is handed over, so
 * frames reach the protocols in arrival order.
 */
void dev_rx_batch(struct pkt_batch *b)
{
	struct worker *w = loop_current();
	ptype_batch_fn up_fn = NULL;	/* NULL: no run open; else b->p[up_start..i) */
	unsigned up_start = 0;
	uint16_t up_proto = 0;
	struct netdev *dev = NULL;	/* device of the current run of frames */
	struct netns *ns = NULL;
	uint32_t span = 0;		/* is_skb_forwardable: mtu + VLAN past the header */
	uint32_t a4 = 0;		/* the device's MAC as a 4- and a 2-byte word */
	uint16_t a2 = 0;
	bool fast = false;		/* Ethernet, up, no capture, not loopback */
	uint32_t pkts = 0;		/* rx_packets/rx_bytes not yet added to dev */
	uint64_t bytes = 0;
	unsigned i, n = b->n;

	if (w)
		loop_stats(w)->pkts += n;
	for (i = 0; i < n; i++) {
		struct pkt *p = b->p[i];
		const uint8_t *d = p->data;
		uint32_t len = p->len, d4;
		const struct packet_type *pt;
		uint16_t d2, proto;


		if (unlikely(p->dev != dev)) {
			if (dev) {
				dev->stats.rx_packets += pkts;
				dev->stats.rx_bytes += bytes;
			}
			pkts = 0;
			bytes = 0;
			dev = p->dev;
			ns = dev->ns;
			NS_ASSERT_OWNER(ns);
			span = dev->mtu + 4;
			fast = dev->type == ARPHRD_ETHER && !dev->capture && !dev->rx_handler &&
			       (dev->flags & (IFF_UP | IFF_LOOPBACK)) == IFF_UP;
			memcpy(&a4, dev->addr, 4);
			memcpy(&a2, dev->addr + 4, 2);
		}
		/* one unsigned compare checks both ends of the length; the
		 * destination is read only once the header is known there */
		if (unlikely(!fast || len - ETH_HLEN > span ||
			     (memcpy(&d4, d, 4), memcpy(&d2, d + 4, 2), d4 != a4 || d2 != a2))) {
			/* every other case, with dev_rx's checks and counts */
			if (up_fn) {
				dev_rx_up(b, up_fn, up_start, i);
				up_start = i + 1;
			}
			dev_rx_one(p);
			continue;
		}
		pkts++;
		bytes += len;
		p->ns = ns;
		p->pkt_type = PACKET_HOST;
		pkt_set_l2(p);
		proto = ntohs(((const struct ethhdr *)d)->h_proto);
		p->protocol = proto;
		p->data = (uint8_t *)d + ETH_HLEN;
		p->len = len - ETH_HLEN;
		pkt_set_l3(p);
		if (likely(proto == up_proto && up_fn))
			continue;
		if (up_fn)
			dev_rx_up(b, up_fn, up_start, i);
		pt = ptype_find_entry(proto);
		if (pt && pt->list_func) {
			up_fn = pt->list_func;
			up_proto = proto;
			up_start = i;
			continue;
		}
		up_fn = NULL;
		if (unlikely(!pt || !pt->func)) {
			pkt_drop(p, DROP_UNHANDLED_PROTO);
			continue;
		}
		pt->func(p);
	}
	if (up_fn)
		dev_rx_up(b, up_fn, up_start, n);
	if (dev) {
		dev->stats.rx_packets += pkts;
		dev->stats.rx_bytes += bytes;
	}
	b->n = 0;
}

/*
 * The per-worker backlog (softnet_data.input_pkt_queue): a FIFO plus a loop
 * task that drains it. netdev_max_backlog bounds it like the kernel's
 * default of 1000.
 */
#define NETDEV_MAX_BACKLOG 1000
/* Work per task run: enough to amortise the wake-up, small enough that a
 * routing loop cannot starve the worker's other calls (like the NAPI
 * budget / netdev_budget). */
#define BACKLOG_BUDGET 4096

/* The backlog is a ring of packet pointers (a power of two above the
 * bound): queueing a frame is one store, and a batch comes off it without
 * touching the frames themselves. */
#define BACKLOG_SLOTS 1024
static_assert(BACKLOG_SLOTS >= NETDEV_MAX_BACKLOG, "backlog ring holds the bound");
static_assert((BACKLOG_SLOTS & (BACKLOG_SLOTS - 1)) == 0, "power of two");

static _Thread_local struct {
	unsigned head, tail;	/* free-running; tail - head frames queued */
	struct pkt *slot[BACKLOG_SLOTS];
} backlog;
static _Thread_local struct loop_task backlog_task;
static _Thread_local struct worker *backlog_worker; /* worker backlog_task belongs to */

static inline unsigned backlog_len(void)
{
	return backlog.tail - backlog.head;
}

static void backlog_run(void *arg)
{
	(void)arg;
	dev_process_backlog();
}

static void backlog_schedule(struct worker *w)
{
	/* A thread can become a different (test) worker over its life: a
	 * task left queued on an old one must not block the new one. */
	if (backlog_worker != w) {
		loop_task_init(&backlog_task, backlog_run, NULL);
		backlog_worker = w;
	}
	loop_task_wake(w, &backlog_task);
}

void netif_rx(struct pkt *p)
{
	struct worker *w = loop_current();

	p->ns = p->dev->ns;
	NS_ASSERT_OWNER(p->ns);
	/* Not on a worker (never in normal operation): receive inline. */
	if (unlikely(!w)) {
		dev_rx(p);
		return;
	}
	if (unlikely(backlog_len() >= NETDEV_MAX_BACKLOG)) {
		pkt_drop(p, DROP_BACKLOG_FULL);
		return;
	}
	backlog.slot[backlog.tail++ & (BACKLOG_SLOTS - 1)] = p;
	if (backlog_len() == 1)
		backlog_schedule(w);
}

unsigned dev_process_backlog(void)
{
	unsigned n = 0;

	/* Batches of up to PKT_BATCH frames in arrival order (H1). */
	while (n < BACKLOG_BUDGET && backlog_len()) {
		struct pkt_batch b;
		unsigned k = MIN(backlog_len(), (unsigned)PKT_BATCH);
		unsigned h = backlog.head & (BACKLOG_SLOTS - 1);
		unsigned first = MIN(k, BACKLOG_SLOTS - h); /* up to the ring's end */

		memcpy(b.p, &backlog.slot[h], first * sizeof(b.p[0]));
		memcpy(b.p + first, &backlog.slot[0], (k - first) * sizeof(b.p[0]));
		backlog.head += k;
		b.n = k;
		n += k;
		dev_rx_batch(&b);
	}
	/* Frames queued while we ran (a loop through lo, a chain of
	 * same-worker veths) get another turn after other work. */
	if (backlog_len()) {
		struct worker *w = loop_current();

		if (w)
			backlog_schedule(w);
	}
	return n;
}

void netif_rx_batch(struct pkt_batch *b)
{
	struct worker *w = loop_current();
	unsigned i, n = b->n, tail = backlog.tail, room, t, first;
	struct netdev *dev = NULL;
	struct netns *ns = NULL;

	/* Not on a worker (never in normal operation): receive inline. */
	if (unlikely(!w)) {
		dev_rx_batch(b);
		return;
	}
	room = MIN(n, NETDEV_MAX_BACKLOG - backlog_len());
	for (i = 0; i < room; i++) {
		struct pkt *p = b->p[i];

		if (unlikely(p->dev != dev)) {
			dev = p->dev;
			ns = dev->ns;
			NS_ASSERT_OWNER(ns);
		}
		p->ns = ns;
	}
	/* into the ring in two copies at most: up to its end, then from 0 */
	t = tail & (BACKLOG_SLOTS - 1);
	first = MIN(room, BACKLOG_SLOTS - t);
	memcpy(&backlog.slot[t], b->p, first * sizeof(b->p[0]));
	memcpy(&backlog.slot[0], b->p + first, (room - first) * sizeof(b->p[0]));
	tail += room;
	/* what does not fit, in order */
	for (; i < n; i++) {
		struct pkt *p = b->p[i];

		NS_ASSERT_OWNER(p->dev->ns);
		p->ns = p->dev->ns;
		pkt_drop(p, DROP_BACKLOG_FULL);
	}
	b->n = 0;
	/* one wake-up for the batch (H6), as netif_rx's first frame */
	if (backlog.tail == backlog.head && tail != backlog.head) {
		backlog.tail = tail;
		backlog_schedule(w);
	} else {
		backlog.tail = tail;
	}
}

/* Remove every backlog frame for which @match is true and drop it as
 * DEV_GONE in its namespace, forgetting its device; the others keep their
 * order. */
static void dev_backlog_purge_if(bool (*match)(const struct pkt *p, const void *arg),
				 const void *arg)
{
	unsigned i, keep = backlog.head;

	for (i = backlog.head; i != backlog.tail; i++) {
		struct pkt *p = backlog.slot[i & (BACKLOG_SLOTS - 1)];

		if (match(p, arg)) {
			p->ns = p->dev->ns;
			p->dev = NULL;
			pkt_drop(p, DROP_DEV_GONE);
		} else {
			backlog.slot[keep++ & (BACKLOG_SLOTS - 1)] = p;
		}
	}
	backlog.tail = keep;
}

static bool match_dev(const struct pkt *p, const void *arg)
{
	return p->dev == arg;
}

static bool match_ns(const struct pkt *p, const void *arg)
{
	return p->dev->ns == arg;
}

void dev_backlog_purge_dev(struct netdev *dev)
{
	if (backlog_len())
		dev_backlog_purge_if(match_dev, dev);
}

void dev_backlog_purge(struct netns *ns)
{
	NS_ASSERT_OWNER(ns);
	if (backlog_len())
		dev_backlog_purge_if(match_ns, ns);
}

