// SPDX-License-Identifier: MIT
/*
 * Virtual Ethernet pairs (drivers/net/veth.c). A frame sent on one end is
 * received on the other. When both ends live on the same worker, veth_xmit
 * hands the frame to the peer through the worker's backlog (netif_rx), as
 * veth_forward_skb does. When they live on different workers, each
 * direction has an SPSC ring. The sending end stages frames in a small
 * batch of its own and moves the batch into the ring when it is full or
 * when its task runs at the end of the current run of work (the task is
 * woken, locally, when the batch stops being empty), so the ring's indices
 * and the consumer's wake-up are paid once per batch, not per frame
 * (STYLE H1, H6; veth's ndo_xdp_xmit + __veth_xdp_flush). The receiving
 * end's task drains its ring in bursts, with a budget per run, and wakes
 * itself again while frames remain, so the frames it hands to the stack
 * (and the backlog hops they take next) never pile up (O3 by re-waking,
 * like NAPI's budget). Each end counts its own statistics (O5) and nothing
 * in one end's state is written by the other end's worker.
 *
 * Carrier follows the kernel: an end has carrier only while both ends are
 * up (veth_open/veth_close). Across workers the peer's state change is a
 * message (loop_call), never a write into the other worker's memory.
 *
 * Teardown across workers is a short message protocol (O6). Each end, when
 * unregistered on its owner, marks itself dead, drains its ring and sends
 * PEER_GONE to the other end's worker, which unregisters the other end if
 * it is still alive. An end that is dead and has received PEER_GONE is
 * finished; end 1, once finished, sends FINAL to end 0's worker, which
 * frees the rings and the pair. Because a worker runs calls and tasks in
 * the order they were posted, by the time FINAL runs neither end's ring
 * task can be queued or woken again, so no packet or task outlives the
 * pair. An end's staged frames are dropped (DEV_GONE) when it is
 * unregistered; its one task both flushes the stage and drains the ring,
 * so there is no second task that could still be queued at FINAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "core/log.h"
#include "core/ring.h"
#include "netns/core/netns.h"
#include "netns/rtnl/rtnl.h"
#include "devices.h"

/* Slots per direction of a cross-worker pair (power of two): room for a
 * few consumer runs, so a producer a little ahead does not drop. */
#define VETH_RING_SIZE 1024
/* Frames an end stages before it moves them into the peer's ring. */
#define VETH_TX_BATCH PKT_BATCH
/* Frames the receiving task dequeues per burst, and per run before it
 * yields to the worker's other work (the backlog its frames feed). */
#define VETH_RX_BURST PKT_BATCH
#define VETH_RX_BUDGET 256

struct veth_pair;

/* One end's view of the pair. Fields marked "owner" are touched only by
 * the worker that owns this end; the rest are fixed at creation. */
struct veth_side {
	struct veth_pair *pair;
	unsigned idx;		 /* 0 or 1 */
	struct worker *w;	 /* owner worker of this end */
	struct ring_spsc *rx;	 /* frames toward this end (cross-worker only; made by
				  * the peer on its first flush: veth_rx_ring_get) */
	struct loop_task task;	 /* on w: flushes txq, drains rx */
	/* The fields above are what the peer's worker reads (and, for the
	 * task, writes) once per burst; the ones below are written by the
	 * owner per frame, on lines of their own (no false sharing). */
	unsigned txn __cacheline_aligned; /* owner; frames staged in txq */
	struct pkt *txq[VETH_TX_BATCH]; /* owner; staged toward the peer's rx */
	struct netdev *dev;	 /* owner; NULL once unregistered */
	struct netns *drop_ns;	 /* owner; where to count DEV_GONE once dead */
	bool linked;		 /* owner; both ends registered */
	bool up;		 /* owner; this end administratively up */
	bool peer_up;		 /* owner; last state the peer reported */
	bool dead;		 /* owner; unregistered */
	bool peer_gone;		 /* owner; PEER_GONE received */
	bool finishing;		 /* owner; final task run requested */
	bool finished;		 /* owner; final task run done */
	bool peer_done;		 /* owner, end 0 only; end 1 finished */
} __cacheline_aligned;

struct veth_pair {
	bool cross;  /* ends on different workers */
	bool *freed; /* set on end 0's worker when freed (veth_delete waits) */
	struct veth_side side[2];
};

/* dev->priv of a veth end: fixed once the pair is linked. */
struct veth_priv {
	struct veth_side *side;
	int peer_ifindex;
	uint32_t peer_ns_id;
};

static const struct netdev_ops veth_ops;
static const struct rtnl_link_ops veth_link_ops;
static void veth_side_finish(struct veth_side *s);

static struct veth_side *veth_side_of(const struct netdev *dev)
{
	return ((struct veth_priv *)dev->priv)->side;
}

static struct veth_side *veth_peer_side(struct veth_side *s)
{
	return &s->pair->side[!s->idx];
}

bool dev_is_veth(const struct netdev *dev)
{
	return dev && dev->ops == &veth_ops;
}

/* ---- data path ---- */

/*
 * A cross-worker end's ring is made by its producer, the peer's owner, on
 * the first flush toward it, not when the pair is created: most veths of
 * a big topology (a hub's) carry nothing for long, and two 10 KB rings
 * per pair were most of an idle namespace's memory and of its creation
 * time. The producer publishes it with a release store; the consumer's
 * acquire load sees it before the frames (it is woken after the enqueue).
 */
static inline struct ring_spsc *veth_rx_ring(const struct veth_side *s)
{
	return __atomic_load_n(&s->rx, __ATOMIC_ACQUIRE);
}

/* The peer's ring for a flush from @s, made now if it does not exist
 * yet; NULL if memory ran out. Owner of s (the ring's only producer). */
static struct ring_spsc *veth_rx_ring_get(struct veth_side *peer)
{
	struct ring_spsc *r = __atomic_load_n(&peer->rx, __ATOMIC_RELAXED);

	if (likely(r))
		return r;
	r = ring_spsc_create(VETH_RING_SIZE);
	if (r)
		__atomic_store_n(&peer->rx, r, __ATOMIC_RELEASE);
	return r;
}

/* Drop every frame left in @s's ring as DEV_GONE, counted in @ns (or as
 * an orphan when NULL). */
static void veth_ring_drop_all(struct veth_side *s, struct netns *ns)
{
	struct ring_spsc *rx = veth_rx_ring(s);
	void *objs[PKT_BATCH];
	unsigned n, i;

	if (!rx)
		return;
	while ((n = ring_spsc_dequeue_burst(rx, objs, PKT_BATCH))) {
		for (i = 0; i < n; i++) {
			struct pkt *p = objs[i];

			p->dev = NULL;
			p->ns = ns;
			pkt_drop(p, DROP_DEV_GONE);
		}
	}
}

/* Drop the frames @s has staged but not yet moved into the peer's ring
 * as DEV_GONE, counted in @ns (or as orphans when NULL). Owner of s. */
static void veth_tx_drop_all(struct veth_side *s, struct netns *ns)
{
	unsigned i;

	for (i = 0; i < s->txn; i++) {
		struct pkt *p = s->txq[i];

		p->dev = NULL;
		p->ns = ns;
		pkt_drop(p, DROP_DEV_GONE);
	}
	s->txn = 0;
}

/*
 * Move the frames @s has staged into the peer's ring and wake the peer's
 * task once for all of them: loop_task_wake is one exchange, and nothing
 * at all reaches the other worker while its task is still queued (H6).
 * What does not fit is this end's drop (P6), counted as its tx_dropped
 * like veth's peer_tq_xdp_xmit_err. Owner of s, which is linked and alive.
 */
static void veth_tx_flush(struct veth_side *s)
{
	struct veth_side *peer = veth_peer_side(s);
	struct ring_spsc *ring = veth_rx_ring_get(peer);
	unsigned n = s->txn, done = 0, i;

	s->txn = 0;
	/* The device and namespace belong to this worker: the consumer sets
	 * its own. */
	for (i = 0; i < n; i++) {
		s->txq[i]->dev = NULL;
		s->txq[i]->ns = NULL;
	}
	if (likely(ring))
		done = ring_spsc_enqueue_burst(ring, (void *const *)s->txq, n);
	if (likely(done))
		loop_task_wake(peer->w, &peer->task);
	for (i = done; i < n; i++) {
		struct pkt *p = s->txq[i];

		p->dev = s->dev;
		p->ns = s->dev->ns;
		pkt_drop(p, DROP_RING_FULL);
	}
}

/*
 * An end's task, on s->w (cross-worker pairs only): move what this end
 * staged into the peer's ring, then receive up to VETH_RX_BUDGET frames
 * from this end's ring in bursts, each counted in this end's rx
 * statistics. With frames left it wakes itself again and so runs after
 * the work those frames queued (the backlog): the backlog stays short, the
 * worker responsive, and no frame is left behind (O3).
 */
static void veth_task(void *arg)
{
	struct veth_side *s = arg;
	struct ring_spsc *rx;
	struct pkt_batch b;
	unsigned n, i, budget = VETH_RX_BUDGET;

	if (unlikely(s->dead)) {
		if (s->finishing && !s->finished)
			veth_side_finish(s); /* last run: may free the pair */
		else
			veth_ring_drop_all(s, s->drop_ns);
		return;
	}
	if (s->txn)
		veth_tx_flush(s);
	rx = veth_rx_ring(s);
	while (rx && budget && (n = ring_spsc_dequeue_burst(rx, (void **)b.p,
						       MIN(budget, VETH_RX_BURST)))) {
		budget -= n;
		/* Every line of these frames was last written on the peer's
		 * core: ask for all of them before touching any, so the
		 * misses overlap instead of coming one frame at a time. The
		 * struct pkt first (its data pointer says where the headers
		 * are), then the Ethernet and IP headers. */
		for (i = 0; i < n; i++) {
			prefetchw(b.p[i]);
			prefetchw((const char *)b.p[i] + CACHELINE);
		}
		for (i = 0; i < n; i++) {
			b.p[i]->dev = s->dev;
			prefetchw(b.p[i]->data);
			/* last byte of Ethernet + IPv4 + UDP headers (42
			 * bytes: at most two lines) */
			prefetchw(b.p[i]->data + 41);
		}
		b.n = n;
		dev_rx_batch(&b);
	}
	if (!budget)
		loop_task_wake(s->w, &s->task);
}

/* veth_xmit(): consumes p. Owner of dev. */
static void veth_xmit(struct netdev *dev, struct pkt *p)
{
	struct veth_side *s = veth_side_of(dev);
	struct veth_side *peer = veth_peer_side(s);

	if (unlikely(!s->linked)) {
		pkt_drop(p, DROP_DEV_DOWN);
		return;
	}
	if (!s->pair->cross) {
		/* Same worker: veth_forward_skb. The backlog keeps a chain of
		 * hops from recursing. The peer exists: unregistering one end
		 * on this worker unregisters the other with it. */
		p->dev = peer->dev;
		p->ns = peer->dev->ns;
		netif_rx(p);
		return;
	}
	/*
	 * Across workers: stage the frame. A full stage goes to the ring at
	 * once; the first frame of a stage wakes this end's task, which runs
	 * after the current run of work and flushes what gathered by then.
	 * That wake-up stays on this worker: no system call, and an exchange
	 * on a line no other thread writes often.
	 */
	s->txq[s->txn++] = p;
	if (s->txn == VETH_TX_BATCH)
		veth_tx_flush(s);
	else if (s->txn == 1)
		loop_task_wake(s->w, &s->task);
}

/* ndo_xmit_batch: a run of frames out of @dev, already counted by
 * dev_queue_xmit_batch. The same as veth_xmit per frame, with one pass
 * into the backlog or one wake-up of this end's task for the run.
 * Consumes b. Owner of dev. */
static void veth_xmit_batch(struct netdev *dev, struct pkt_batch *b)
{
	struct veth_side *s = veth_side_of(dev);
	struct veth_side *peer = veth_peer_side(s);
	unsigned i;

	if (unlikely(!s->linked)) {
		for (i = 0; i < b->n; i++)
			pkt_drop(b->p[i], DROP_DEV_DOWN);
		b->n = 0;
		return;
	}
	if (!s->pair->cross) {
		for (i = 0; i < b->n; i++) {
			b->p[i]->dev = peer->dev;
			b->p[i]->ns = peer->dev->ns;
		}
		netif_rx_batch(b);
		return;
	}
	for (i = 0; i < b->n; i++) {
		s->txq[s->txn++] = b->p[i];
		if (s->txn == VETH_TX_BATCH)
			veth_tx_flush(s);
	}
	b->n = 0;
	if (s->txn)
		loop_task_wake(s->w, &s->task);
}

/* ---- carrier ---- */

/* Carrier of an end = both ends up (veth_open / veth_close). Owner. */
static void veth_update_carrier(struct veth_side *s)
{
	if (s->dev)
		dev_set_carrier(s->dev, s->up && s->peer_up);
}

struct veth_state_msg {
	struct veth_side *to;
	bool up;
};

/* On the peer's worker: the other end went up or down. */
static void veth_peer_state(void *arg)
{
	struct veth_state_msg *m = arg;
	struct veth_side *s = m->to;

	if (!s->dead) {
		s->peer_up = m->up;
		veth_update_carrier(s);
	}
	free(m);
}

static void veth_tell_peer(struct veth_side *s, bool up)
{
	struct veth_side *peer = veth_peer_side(s);
	struct veth_state_msg *m;

	if (s->peer_gone)
		return;
	if (!s->pair->cross) {
		peer->peer_up = up;
		veth_update_carrier(peer);
		return;
	}
	m = malloc(sizeof(*m));
	if (!m)
		return; /* control path; the peer keeps its previous view */
	m->to = peer;
	m->up = up;
	/* inside an rtnl run, held and sent in batches (loop_post) */
	loop_post(peer->w, veth_peer_state, m);
}

static int veth_open(struct netdev *dev)
{
	struct veth_side *s = veth_side_of(dev);

	s->up = true;
	if (s->linked)
		veth_tell_peer(s, true);
	veth_update_carrier(s);
	return 0;
}

static int veth_close(struct netdev *dev)
{
	struct veth_side *s = veth_side_of(dev);

	s->up = false;
	veth_update_carrier(s);
	if (s->linked)
		veth_tell_peer(s, false);
	return 0;
}

static int veth_get_iflink(const struct netdev *dev, uint32_t *peer_ns_id)
{
	const struct veth_priv *priv = dev->priv;

	if (peer_ns_id)
		*peer_ns_id = priv->peer_ns_id;
	return priv->peer_ifindex;
}

/* ---- teardown ---- */

/* Linked cross-worker pairs whose end 0 this worker owns (the worker that
 * frees them), for veth_pair_count(). */
static _Thread_local unsigned veth_pairs_here;

unsigned veth_pair_count(void)
{
	return veth_pairs_here;
}

static void veth_pair_free(struct veth_pair *pair)
{
	unsigned i;

	for (i = 0; i < 2; i++)
		if (pair->side[i].rx)
			ring_spsc_free(pair->side[i].rx);
	free(pair);
}

/* On end 0's worker once both ends finished: nothing can wake either task
 * or produce into either ring any more. */
static void veth_pair_release(struct veth_pair *pair)
{
	/* Both rings are empty here (each end drained its own as it
	 * finished); anything left would have no namespace to count in. */
	veth_ring_drop_all(&pair->side[0], NULL);
	veth_ring_drop_all(&pair->side[1], NULL);
	if (pair->freed)
		*pair->freed = true; /* read by veth_delete's poll on this worker */
	veth_pairs_here--;
	veth_pair_free(pair);
}

/* On end 0's worker: end 1 has finished. */
static void veth_side1_done(void *arg)
{
	struct veth_pair *pair = arg;

	pair->side[0].peer_done = true;
	if (pair->side[0].finished)
		veth_pair_release(pair);
}

/*
 * The last run of an end's task (s is dead and its peer is dead, so no one
 * else wakes this task again). End 1 reports to end 0's worker as its very
 * last action; end 0 frees the pair once both are done. Owner of s.
 */
static void veth_side_finish(struct veth_side *s)
{
	struct veth_pair *pair = s->pair;

	veth_ring_drop_all(s, s->drop_ns);
	s->finished = true;
	if (s->idx == 1) {
		loop_call(pair->side[0].w, veth_side1_done, pair);
		return; /* pair may be gone from here on */
	}
	if (s->peer_done)
		veth_pair_release(pair);
}

/*
 * Dead and told that the peer is dead: run the final drain from the task
 * itself. The worker clears a task's queued flag before running it, and
 * the only other waker (the peer's xmit) has stopped, so when that run
 * ends nothing can reference the task any more.
 */
static void veth_side_start_finish(struct veth_side *s)
{
	s->finishing = true;
	loop_task_wake(s->w, &s->task);
}

/* On the worker of end @arg: the other end was unregistered. */
static void veth_peer_gone(void *arg)
{
	struct veth_side *s = arg;

	s->peer_gone = true;
	s->peer_up = false;
	if (!s->dead)
		dev_unregister(s->dev); /* -> veth_uninit -> start_finish */
	else
		veth_side_start_finish(s);
}

/*
 * ndo_uninit: the end is being unregistered on its owner. The peer goes
 * with it (veth_dellink / unregister_netdevice_queue of the peer).
 */
static void veth_uninit(struct netdev *dev)
{
	struct veth_side *s = veth_side_of(dev);
	struct veth_side *peer = veth_peer_side(s);
	struct veth_pair *pair = s->pair;

	s->dead = true;
	s->dev = NULL;
	s->up = false;
	/* Once the namespace itself is going, nothing may count into it
	 * after this call returns. */
	s->drop_ns = dev->ns->dying ? NULL : dev->ns;
	/* Frames staged toward the peer die with this end (the task may
	 * still run, and then finds nothing staged). */
	veth_tx_drop_all(s, dev->ns);

	if (!s->linked) {
		/* Half-built pair being unwound by veth_create_pair: it owns
		 * the pair memory. */
		return;
	}
	if (!pair->cross) {
		/* Same worker: unregister the peer now; the second end to go
		 * frees the pair. Nothing touches the pair after that. */
		if (!peer->dead)
			dev_unregister(peer->dev);
		else
			veth_pair_free(pair);
		return;
	}
	veth_ring_drop_all(s, dev->ns);
	/* Tell the peer's owner (O6 step 1). Until it has handled this, the
	 * peer keeps producing into our ring; our task drops what arrives.
	 * Inside an rtnl run (DELNS) it is held and leaves when the run ends,
	 * before anything else reaches the peer's worker (loop_post). */
	loop_post(peer->w, veth_peer_gone, peer);
	if (s->peer_gone)
		veth_side_start_finish(s);
}

static const struct netdev_ops veth_ops = {
	.kind = "veth",
	.open = veth_open,
	.stop = veth_close,
	.xmit = veth_xmit,
	.xmit_batch = veth_xmit_batch,
	.get_iflink = veth_get_iflink,
	.uninit = veth_uninit,
};

/* ---- creation ---- */

struct veth_end_req {
	struct veth_side *side;
	struct netns *ns;
	const char *name;
	struct nlattr **tb;	/* the end's own IFLA_* (MTU, address, txqlen) or NULL */
	struct extack *ext;
	int err;
	/* filled by the create step */
	int ifindex;
	uint32_t ns_id;
	/* for the link step */
	int peer_ifindex;
	uint32_t peer_ns_id;
};

/*
 * The generic attributes of one end, as rtnl_create_link applies them
 * before register_netdevice, checked as veth_validate does: IFLA_MTU within
 * [68, 65535], IFLA_ADDRESS a 6-byte unicast MAC, IFLA_TXQLEN. The peer's
 * come unvalidated from VETH_INFO_PEER, so lengths are checked here.
 */
static int veth_end_attrs(struct netdev *dev, struct nlattr **tb, struct extack *ext)
{
	if (!tb)
		return 0;
	if (tb[IFLA_MTU]) {
		uint32_t mtu;

		if (nla_len(tb[IFLA_MTU]) < (int)sizeof(uint32_t))
			return -EINVAL;
		mtu = nla_get_u32(tb[IFLA_MTU]);
		if (mtu < dev->min_mtu || mtu > dev->max_mtu) {
			EXTACK_MSG(ext, mtu < dev->min_mtu ? "mtu less than device minimum"
							    : "mtu greater than device maximum");
			return -EINVAL;
		}
		dev->mtu = mtu;
	}
	if (tb[IFLA_ADDRESS]) {
		const uint8_t *a = nla_data(tb[IFLA_ADDRESS]);
		static const uint8_t zero[ETH_ALEN];

		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN)
			return -EINVAL;
		/* is_valid_ether_addr: not multicast, not all zeros */
		if ((a[0] & 1) || !memcmp(a, zero, ETH_ALEN))
			return -EADDRNOTAVAIL;
		memcpy(dev->addr, a, ETH_ALEN);
	}
	if (tb[IFLA_TXQLEN]) {
		if (nla_len(tb[IFLA_TXQLEN]) < (int)sizeof(uint32_t))
			return -EINVAL;
		dev->txqlen = nla_get_u32(tb[IFLA_TXQLEN]);
	}
	return 0;
}

/* veth_setup() + register_netdevice() on the end's owner. */
static void veth_end_create(void *arg)
{
	struct veth_end_req *r = arg;
	struct veth_priv *priv;
	struct netdev *dev;

	dev = dev_alloc(r->ns, r->name, &veth_ops, sizeof(struct veth_priv));
	if (!dev) {
		r->err = -ENOMEM;
		return;
	}
	dev->rtnl_link_ops = &veth_link_ops;
	priv = dev->priv;
	priv->side = r->side;
	r->err = veth_end_attrs(dev, r->tb, r->ext);
	if (r->err) {
		dev_free(dev);
		return;
	}
	/* veth_newlink: netif_carrier_off() until both ends are up. */
	dev_set_carrier(dev, false);
	r->err = dev_register(dev, 0, r->ext);
	if (r->err) {
		dev_free(dev);
		return;
	}
	r->side->dev = dev;
	r->side->drop_ns = r->ns;
	r->ifindex = dev->ifindex;
	r->ns_id = r->ns->id;
}

/* Both ends exist: record the peer for IFLA_LINK, enable the data path. */
static void veth_end_link(void *arg)
{
	struct veth_end_req *r = arg;
	struct veth_priv *priv = r->side->dev->priv;

	priv->peer_ifindex = r->peer_ifindex;
	priv->peer_ns_id = r->peer_ns_id;
	r->side->linked = true;
	if (r->side->pair->cross && r->side->idx == 0)
		veth_pairs_here++;
}

static void veth_end_unregister(void *arg)
{
	struct veth_side *s = arg;

	dev_unregister(s->dev);
}

static void veth_dev_unregister(void *arg)
{
	dev_unregister(arg);
}

/* Far end of a cross-worker pair: create it and link it to the near end,
 * which already exists, in one call on its owner. */
static void veth_end_create_link(void *arg)
{
	struct veth_end_req *r = arg;

	veth_end_create(r);
	if (!r->err)
		veth_end_link(r);
}

/*
 * Both ends on this worker (one call instead of four): the peer first, as
 * veth_newlink does (so the peer gets the lower ifindex and, with default
 * names, veth0), then the first end, then link both; a failure unwinds in
 * reverse order and leaves the error in its request.
 */
static void veth_pair_create_local(void *arg)
{
	struct veth_end_req *req = arg;

	veth_end_create(&req[1]);
	if (req[1].err)
		return;
	veth_end_create(&req[0]);
	if (req[0].err) {
		veth_end_unregister(req[1].side);
		return;
	}
	req[0].peer_ifindex = req[1].ifindex;
	req[0].peer_ns_id = req[1].ns_id;
	req[1].peer_ifindex = req[0].ifindex;
	req[1].peer_ns_id = req[0].ns_id;
	veth_end_link(&req[0]);
	veth_end_link(&req[1]);
}

/* ---- far ends made ahead of a run (rtnl_link_ops.ahead_*) ---- */
/*
 * A run on a worker W that creates many veth pairs toward namespaces of
 * one other worker H (`ip -n nsI link add eth0 type veth peer name hI
 * netns hub` for each namespace of W) would wait on H once per pair. The
 * dispatcher (rtnl_run_fn) looks ahead first: veth_pf_add() takes each
 * simple such request of the coming messages (checked as rtnl_newlink and
 * veth_newlink would: nothing else can fail before the far end is made),
 * veth_pf_run() makes all their far ends (end 1, the peer, registered
 * first as veth_newlink does) in one call on H, in message order, so each
 * gets the ifindex and name it would have got. Then each request runs as
 * usual; veth_create_pair_attrs takes its prefetched far end and makes
 * and links the near end here. veth_pf_flush() links the far ends (and
 * unregisters any a request did not take) in one more call on H, before
 * the next message of the run. Replies stay per message, in order. Only
 * when nobody listens for notifications (a peer's RTM_NEWLINK would be
 * built on H from the far end, linked). All on W: thread-local.
 */
struct veth_pf {
	struct veth_pair *pair;
	struct netns *ns_a, *ns_b;
	char name_a[IFNAMSIZ], name_b[IFNAMSIZ];
	struct veth_end_req far;	/* end 1, on ns_b's owner */
	struct extack ext;		/* far's error message */
	bool taken, linked;
};

#define VETH_PF_MAX 1024
static _Thread_local struct veth_pf *veth_pf;
static _Thread_local unsigned veth_pf_n, veth_pf_next;

static struct veth_pair *veth_pair_alloc(struct netns *ns_a, struct netns *ns_b)
{
	/* cache-line aligned: each end's per-frame fields on lines of their own */
	struct veth_pair *pair = aligned_alloc(CACHELINE, sizeof(*pair));

	if (!pair)
		return NULL;
	memset(pair, 0, sizeof(*pair));
	pair->cross = ns_a->owner != ns_b->owner;
	for (unsigned i = 0; i < 2; i++) {
		struct veth_side *s = &pair->side[i];

		s->pair = pair;
		s->idx = i;
		s->w = i ? ns_b->owner : ns_a->owner;
		if (pair->cross)
			loop_task_init(&s->task, veth_task, s); /* rings: veth_rx_ring_get */
	}
	return pair;
}

/* Only these attributes present in tb[0..max]. */
static bool veth_pf_only(struct nlattr **tb, int max, int a, int b)
{
	for (int i = 0; i <= max; i++)
		if (tb[i] && i != a && i != b)
			return false;
	return true;
}

static void veth_pf_flush(void);

static bool veth_pf_add(struct netns *cur, const struct nlmsghdr *nlh)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *data[VETH_INFO_MAX + 1];
	struct nlattr *ptb[IFLA_MAX + 1];
	const struct ifinfomsg *ifm = NLMSG_DATA(nlh);
	int hdr = NLMSG_ALIGN(sizeof(struct ifinfomsg)), plen;
	char name_a[IFNAMSIZ], name_b[IFNAMSIZ];
	struct veth_pf *pf;
	struct netns *ns_b;

	if (veth_pf_n == VETH_PF_MAX || !cur || cur->owner != loop_current() ||
	    nlh->nlmsg_len < NLMSG_LENGTH((unsigned)hdr) || ifm->ifi_family != AF_UNSPEC ||
	    ifm->ifi_index || ifm->ifi_type || ifm->ifi_flags || ifm->ifi_change)
		return false;
	if (nla_parse(tb, IFLA_MAX, (struct nlattr *)((char *)NLMSG_DATA(nlh) + hdr),
		      (int)(nlh->nlmsg_len - NLMSG_LENGTH((unsigned)hdr)), NULL) < 0 ||
	    !veth_pf_only(tb, IFLA_MAX, IFLA_IFNAME, IFLA_LINKINFO) || !tb[IFLA_IFNAME] ||
	    !tb[IFLA_LINKINFO] || nla_len(tb[IFLA_IFNAME]) > IFNAMSIZ)
		return false;
	if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !veth_pf_only(li, IFLA_INFO_MAX, IFLA_INFO_KIND, IFLA_INFO_DATA) ||
	    !li[IFLA_INFO_KIND] || !li[IFLA_INFO_DATA] || nla_strcmp(li[IFLA_INFO_KIND], "veth"))
		return false;
	if (nla_parse_nested(data, VETH_INFO_MAX, li[IFLA_INFO_DATA], NULL) < 0 ||
	    !veth_pf_only(data, VETH_INFO_MAX, VETH_INFO_PEER, VETH_INFO_PEER) ||
	    !data[VETH_INFO_PEER] || nla_len(data[VETH_INFO_PEER]) <= hdr)
		return false;
	plen = nla_len(data[VETH_INFO_PEER]) - hdr;
	if (nla_parse(ptb, IFLA_MAX, (struct nlattr *)((char *)nla_data(data[VETH_INFO_PEER]) + hdr),
		      plen, NULL) < 0 ||
	    !veth_pf_only(ptb, IFLA_MAX, IFLA_IFNAME, IFLA_NET_NS_PID) || !ptb[IFLA_IFNAME] ||
	    !ptb[IFLA_NET_NS_PID] || nla_len(ptb[IFLA_IFNAME]) > IFNAMSIZ ||
	    nla_len(ptb[IFLA_NET_NS_PID]) < (int)sizeof(uint32_t))
		return false;
	ns_b = netns_lookup_id(nla_get_u32(ptb[IFLA_NET_NS_PID]));
	/* across workers, all toward one worker */
	if (!ns_b || ns_b->owner == cur->owner ||
	    (veth_pf_n && ns_b->owner != veth_pf[0].ns_b->owner))
		return false;
	if (nla_strlcpy(name_a, tb[IFLA_IFNAME], IFNAMSIZ) >= IFNAMSIZ ||
	    nla_strlcpy(name_b, ptb[IFLA_IFNAME], IFNAMSIZ) >= IFNAMSIZ)
		return false;
	/* The near end must not fail: a valid, fixed name, free in its
	 * namespace (this worker's) and not taken earlier in the batch. */
	if (!dev_valid_name(name_a) || strchr(name_a, '%') || dev_get_by_name(cur, name_a))
		return false;
	for (unsigned i = 0; i < veth_pf_n; i++)
		if (veth_pf[i].ns_a == cur && !strcmp(veth_pf[i].name_a, name_a))
			return false;
	/* freed by veth_pf_flush */
	if (!veth_pf && !(veth_pf = calloc(VETH_PF_MAX, sizeof(*veth_pf))))
		return false;
	pf = &veth_pf[veth_pf_n];
	memset(pf, 0, sizeof(*pf));
	pf->pair = veth_pair_alloc(cur, ns_b);
	if (!pf->pair) {
		if (!veth_pf_n) {
			free(veth_pf);
			veth_pf = NULL;
		}
		return false;
	}
	memcpy(pf->name_a, name_a, IFNAMSIZ);
	memcpy(pf->name_b, name_b, IFNAMSIZ);
	pf->ns_a = cur;
	pf->ns_b = ns_b;
	pf->far.side = &pf->pair->side[1];
	pf->far.ns = ns_b;
	pf->far.ext = &pf->ext;
	veth_pf_n++;
	return true;
}

struct veth_pf_batch {
	struct veth_pf *pf;
	unsigned n;
};

/* On H: the far ends, in message order. The name is copied at the call
 * (pf moves only on W, which waits). */
static void veth_pf_create_fn(void *arg)
{
	struct veth_pf_batch *b = arg;

	for (unsigned i = 0; i < b->n; i++) {
		b->pf[i].far.name = b->pf[i].name_b;
		veth_end_create(&b->pf[i].far);
	}
}

static void veth_pf_run(void)
{
	struct veth_pf_batch b = { .pf = veth_pf, .n = veth_pf_n };

	if (veth_pf_n)
		rtnl_call_ns(veth_pf[0].ns_b, veth_pf_create_fn, &b);
}

static struct veth_pf *veth_pf_take(struct netns *ns_a, const char *name_a,
				    struct netns *ns_b, const char *name_b)
{
	struct veth_pf *pf;

	if (veth_pf_next >= veth_pf_n)
		return NULL;
	pf = &veth_pf[veth_pf_next];
	if (pf->ns_a != ns_a || pf->ns_b != ns_b || strcmp(pf->name_a, name_a) ||
	    strcmp(pf->name_b, name_b)) {
		/* Not what the look-ahead expected (a request failed before
		 * its veth_newlink): link what was taken, drop the rest, and
		 * go unbatched, so no prefetched name stands in the way. */
		veth_pf_flush();
		return NULL;
	}
	veth_pf_next++;
	pf->taken = true;
	return pf;
}

/* veth_create_pair_attrs with the far end already made (or failed): the
 * near end here, as the unbatched order would leave things. */
static int veth_pf_finish(struct veth_pf *pf, struct nlattr **tb_a, struct extack *ext)
{
	struct veth_end_req rn = { .side = &pf->pair->side[0], .ns = pf->ns_a,
				   .name = pf->name_a, .tb = tb_a, .ext = ext };

	veth_end_create(&rn);
	if (rn.err || pf->far.err) {
		if (!rn.err) {
			/* the far end failed: unwind the near one, its error */
			veth_end_unregister(rn.side);
			if (pf->ext.msg)
				*ext = pf->ext, ext->msg = pf->ext.msg == pf->ext.buf ? ext->buf
										   : pf->ext.msg;
		} else if (!pf->far.err) {
			rtnl_call_ns(pf->ns_b, veth_end_unregister, pf->far.side);
		}
		veth_pair_free(pf->pair);
		pf->pair = NULL;
		return rn.err ? rn.err : pf->far.err;
	}
	rn.peer_ifindex = pf->far.ifindex;
	rn.peer_ns_id = pf->far.ns_id;
	veth_end_link(&rn);
	pf->far.peer_ifindex = rn.ifindex;
	pf->far.peer_ns_id = rn.ns_id;
	pf->linked = true;
	return 0;
}

/* On H: link the far ends whose near end is made; unregister those no
 * request took. */
static void veth_pf_flush_fn(void *arg)
{
	struct veth_pf_batch *b = arg;

	for (unsigned i = 0; i < b->n; i++) {
		struct veth_pf *pf = &b->pf[i];

		if (pf->linked)
			veth_end_link(&pf->far);
		else if (!pf->taken && !pf->far.err)
			veth_end_unregister(pf->far.side);
	}
}

static void veth_pf_flush(void)
{
	struct veth_pf_batch b = { .pf = veth_pf, .n = veth_pf_n };

	if (!veth_pf_n)
		return;
	rtnl_call_ns(veth_pf[0].ns_b, veth_pf_flush_fn, &b);
	for (unsigned i = 0; i < veth_pf_n; i++)
		if (!veth_pf[i].taken && veth_pf[i].pair)
			veth_pair_free(veth_pf[i].pair);
	veth_pf_n = veth_pf_next = 0;
	free(veth_pf);
	veth_pf = NULL;
}

static int veth_create_pair_attrs(struct netns *ns_a, const char *name_a, struct nlattr **tb_a,
				  struct netns *ns_b, const char *name_b, struct nlattr **tb_b,
				  struct extack *ext)
{
	struct veth_end_req req[2];
	struct veth_pair *pair;
	unsigned i;

	/* the far end made ahead of the run (veth_pf_*): the near end here */
	struct veth_pf *pf = veth_pf_take(ns_a, name_a, ns_b, name_b);
	if (pf)
		return veth_pf_finish(pf, tb_a, ext);

	pair = veth_pair_alloc(ns_a, ns_b);
	if (!pair)
		return -ENOMEM;
	memset(req, 0, sizeof(req));
	for (i = 0; i < 2; i++) {
		struct veth_side *s = &pair->side[i];

		req[i].side = s;
		req[i].ns = i ? ns_b : ns_a;
		req[i].name = (i ? name_b : name_a) ? (i ? name_b : name_a) : "veth%d";
		req[i].tb = i ? tb_b : tb_a;
		req[i].ext = ext;
	}

	/* Same worker: both ends in one call on it. */
	if (!pair->cross) {
		rtnl_call_ns(ns_a, veth_pair_create_local, req);
		if (req[1].err || req[0].err)
			goto out_err;
		return 0;
	}
	/*
	 * Across workers, one call per end: the near end (this worker's, in
	 * a run on an owner; end 0 otherwise) is created first, then the far
	 * end is created and linked in one call on its owner, then the near
	 * end is linked. Each end's ifindex is its own namespace's, so the
	 * order does not change what either gets. Unwind in reverse order.
	 */
	unsigned near = loop_current() == pair->side[1].w ? 1 : 0;
	struct netns *ns_near = near ? ns_b : ns_a, *ns_far = near ? ns_a : ns_b;
	struct veth_end_req *rn = &req[near], *rf = &req[!near];

	rtnl_call_ns(ns_near, veth_end_create, rn);
	if (rn->err)
		goto out_err;
	rf->peer_ifindex = rn->ifindex;
	rf->peer_ns_id = rn->ns_id;
	rtnl_call_ns(ns_far, veth_end_create_link, rf);
	if (rf->err)
		goto out_unregister_near;
	rn->peer_ifindex = rf->ifindex;
	rn->peer_ns_id = rf->ns_id;
	rtnl_call_ns(ns_near, veth_end_link, rn);
	return 0;

out_unregister_near:
	rtnl_call_ns(ns_near, veth_end_unregister, rn->side);
out_err:
	veth_pair_free(pair);
	return req[1].err ? req[1].err : req[0].err;

}

int veth_create_pair(struct netns *ns_a, const char *name_a, struct netns *ns_b,
		     const char *name_b, struct extack *ext)
{
	return veth_create_pair_attrs(ns_a, name_a, NULL, ns_b, name_b, NULL, ext);
}

/* ---- deletion ---- */

struct veth_del_req {
	struct netdev *dev;
	bool *freed;
};

static void veth_del_start(void *arg)
{
	struct veth_del_req *r = arg;

	veth_side_of(r->dev)->pair->freed = r->freed;
	dev_unregister(r->dev);
}

/*
 * Ask done(arg) until it says yes, with a short sleep between asks: each
 * ask is a call to a worker or a few, and the teardown chains they wait
 * for are a few messages long, so this ends within microseconds. False
 * after VETH_POLL_MAX asks. Control thread.
 */
#define VETH_POLL_MAX 100000
#define VETH_POLL_NS 20000

static bool veth_poll(bool (*done)(void *arg), void *arg)
{
	for (unsigned i = 0; i < VETH_POLL_MAX; i++) {
		struct timespec ts = { 0, VETH_POLL_NS };

		if (done(arg))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

struct veth_poll_req {
	struct worker *w0;
	bool *freed;
	bool seen;
};

static void veth_del_poll(void *arg)
{
	struct veth_poll_req *r = arg;

	r->seen = *r->freed;
}

/* `freed` is written and read only on end 0's worker. */
static bool veth_del_freed(void *arg)
{
	struct veth_poll_req *r = arg;

	loop_call_sync(r->w0, veth_del_poll, r);
	return r->seen;
}

void veth_delete(struct netdev *dev)
{
	struct veth_side *s = veth_side_of(dev);
	bool freed = false;
	struct veth_del_req req = { .dev = dev, .freed = &freed };
	struct veth_poll_req poll = { .w0 = s->pair->side[0].w, .freed = &freed };

	/* Unregistering one end takes the peer with it: synchronously on a
	 * shared worker (the pair is freed before this returns), or through
	 * PEER_GONE messages across workers. */
	if (!s->pair->cross) {
		loop_call_sync(s->w, veth_dev_unregister, dev);
		return;
	}
	loop_call_sync(s->w, veth_del_start, &req);
	/* Wait until end 0's worker has freed the pair, so the peer is gone
	 * when `ip link del` returns. */
	if (!veth_poll(veth_del_freed, &poll))
		log_msg(LOG_WARN, "veth: peer teardown did not finish");
}

/*
 * Cross-worker pairs whose teardown a DELNS run started (veth_dellink_run)
 * and that veth_run_wait waits for. The list is written by the worker in
 * the run and read by the control thread after it; only the holder of the
 * control lock starts runs, and its loop_call_sync orders the two. Each
 * `freed` is written and read on the pair's end 0 worker only.
 */
struct veth_wait {
	bool freed;
	struct worker *w0;
	struct veth_wait *next;
};
static struct veth_wait *veth_waits;

/* rtnl_link_ops.dellink_run: on the owner of @dev inside a run. Same
 * worker: both ends go now. Across workers: the two-step teardown starts
 * (PEER_GONE is posted to the peer's worker ahead of any later request)
 * and veth_run_wait waits for the pair to be freed. */
static void veth_dellink_run(struct netdev *dev)
{
	struct veth_side *s = veth_side_of(dev);
	struct veth_wait *wt;

	if (s->pair->cross && s->linked && !s->pair->freed && (wt = calloc(1, sizeof(*wt)))) {
		wt->w0 = s->pair->side[0].w;
		wt->next = veth_waits;
		veth_waits = wt;
		s->pair->freed = &wt->freed;
	}
	dev_unregister(dev);
}

struct veth_wait_poll {
	struct worker *w;
	unsigned pending;
};

/* On worker p->w: the waited-for pairs it frees that are not freed yet. */
static void veth_wait_poll_fn(void *arg)
{
	struct veth_wait_poll *p = arg;

	p->pending = 0;
	for (struct veth_wait *wt = veth_waits; wt; wt = wt->next)
		if (wt->w0 == p->w && !wt->freed)
			p->pending++;
}

/* Every waited-for pair freed? One poll per worker, not per pair. */
static bool veth_waits_done(void *arg)
{
	unsigned pending = 0;

	for (unsigned i = 0; i < loop_nworkers(); i++) {
		struct veth_wait_poll p = { .w = loop_worker(i) };

		loop_call_sync(p.w, veth_wait_poll_fn, &p);
		pending += p.pending;
	}
	return !pending;
}

/* rtnl_link_ops.run_wait: control thread, after a datagram's runs. */
static void veth_run_wait(void)
{
	if (veth_waits && !veth_poll(veth_waits_done, NULL)) {
		/* Leak the records rather than let a late release write into
		 * freed memory. */
		log_msg(LOG_WARN, "veth: peer teardown did not finish");
		veth_waits = NULL;
	}
	while (veth_waits) {
		struct veth_wait *wt = veth_waits;

		veth_waits = wt->next;
		free(wt);
	}
}

struct veth_list_req {
	struct netns *ns;
	struct netdev **devs;
	unsigned n, cap;
};

static void veth_list_cross(void *arg)
{
	struct veth_list_req *r = arg;
	struct netdev *dev;

	for (dev = r->ns->dev_list; dev; dev = dev->next) {
		if (!dev_is_veth(dev) || !veth_side_of(dev)->pair->cross ||
		    !veth_side_of(dev)->linked)
			continue;
		if (r->n == r->cap) {
			unsigned cap = r->cap ? r->cap * 2 : 16;
			struct netdev **d = realloc(r->devs, cap * sizeof(*d));

			if (!d)
				return;
			r->devs = d;
			r->cap = cap;
		}
		r->devs[r->n++] = dev;
	}
}

void veth_netns_detach(struct netns *ns)
{
	struct veth_list_req r = { .ns = ns };
	unsigned i;

	loop_call_sync(ns->owner, veth_list_cross, &r);
	for (i = 0; i < r.n; i++)
		veth_delete(r.devs[i]);
	free(r.devs);
}

/* ---- rtnl_link_ops "veth" ---- */

static struct nla_policy veth_policy[VETH_INFO_MAX + 1] = {
	[VETH_INFO_PEER] = { .minlen = sizeof(struct ifinfomsg) },
};

static struct netns *veth_resolve_ns(struct netns *dflt, struct nlattr *a, struct extack *ext)
{
	struct netns *ns;
	int err = rtnl_link_get_net(dflt, a, &ns);

	if (err == -EINVAL)
		EXTACK_MSG(ext, "Invalid network namespace attribute");
	else if (err)
		EXTACK_MSG(ext, "Peer netns reference is invalid");
	return err ? NULL : ns;
}

/*
 * veth_newlink(): the request's own IFLA_* give the first end (name, and
 * IFLA_NET_NS_PID for its namespace), VETH_INFO_PEER carries a struct
 * ifinfomsg followed by the peer's IFLA_* (IFLA_IFNAME, IFLA_NET_NS_PID).
 * Missing names become "vethN", as the kernel's "veth%d".
 */
static int veth_newlink(struct netns *ns, const char *ifname, struct nlattr **tb,
			struct nlattr **data, struct extack *ext)
{
	struct nlattr *peer_tb[IFLA_MAX + 1];
	char peer_name[IFNAMSIZ] = "veth%d";
	struct netns *ns_a, *ns_b;
	int err;

	memset(peer_tb, 0, sizeof(peer_tb));
	if (data && data[VETH_INFO_PEER]) {
		struct nlattr *peer = data[VETH_INFO_PEER];
		int hdr = NLMSG_ALIGN(sizeof(struct ifinfomsg));

		if (nla_len(peer) < (int)sizeof(struct ifinfomsg)) {
			EXTACK_MSG(ext, "Invalid peer attribute");
			return -EINVAL;
		}
		if (nla_len(peer) > hdr) {
			err = nla_parse(peer_tb, IFLA_MAX,
					(struct nlattr *)((char *)nla_data(peer) + hdr),
					nla_len(peer) - hdr, NULL);
			if (err < 0) {
				EXTACK_MSG(ext, "Invalid peer attributes");
				return -EINVAL;
			}
		}
	}
	if (peer_tb[IFLA_IFNAME]) {
		if (nla_len(peer_tb[IFLA_IFNAME]) > IFNAMSIZ ||
		    nla_strlcpy(peer_name, peer_tb[IFLA_IFNAME], sizeof(peer_name)) >=
			    sizeof(peer_name))
			return -EINVAL;
	}
	ns_a = veth_resolve_ns(ns, tb ? tb[IFLA_NET_NS_PID] : NULL, ext);
	if (!ns_a)
		return -EINVAL;
	/* Without IFLA_NET_NS_PID the peer stays in the namespace the request
	 * came from (rtnl_link_get_net(src_net, tbp)), even when the first
	 * end is created elsewhere. */
	ns_b = veth_resolve_ns(ns, peer_tb[IFLA_NET_NS_PID], ext);
	if (!ns_b)
		return -EINVAL;
	return veth_create_pair_attrs(ns_a, ifname && *ifname ? ifname : "veth%d", tb, ns_b,
				      peer_name, peer_tb, ext);
}

static const struct rtnl_link_ops veth_link_ops = {
	.kind = "veth",
	.maxtype = VETH_INFO_MAX,
	.policy = veth_policy,
	.newlink = veth_newlink,
	.dellink = veth_delete,
	.run = true, /* veth_create_pair_attrs: rtnl_call_ns only */
	.dellink_run = veth_dellink_run,
	.run_wait = veth_run_wait,
	.ahead_add = veth_pf_add,
	.ahead_run = veth_pf_run,
	.ahead_flush = veth_pf_flush,
};

void veth_init(void)
{
	rtnl_link_register(&veth_link_ops);
}
