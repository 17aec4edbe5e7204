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
	/* each end's ifindex and namespace id, fixed by veth_newlink */
	int ifindex[2];
	uint32_t ns_id[2];
	struct veth_side side[2];
};

/* dev->priv of a veth end: fixed once the pair is linked (side is NULL
 * for a peer the core made until its half of veth_newlink, veth_peer_link,
 * has run on its owner: at once, or at the look-ahead's flush). */
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
	veth_pairs_here--;
	veth_pair_free(pair);
	/* each end's teardown, counted from its veth_uninit */
	dev_async_end();
	dev_async_end();
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
	struct veth_side *peer;
	struct veth_pair *pair;

	if (!s)
		return; /* a peer the core made, unmade before veth_newlink ran */
	peer = veth_peer_side(s);
	pair = s->pair;
	s->dead = true;
	s->dev = NULL;
	s->up = false;
	/* Once the namespace itself is going, nothing may count into it
	 * after this call returns. */
	s->drop_ns = dev->ns->dying ? NULL : dev->ns;
	/* Frames staged toward the peer die with this end (the task may
	 * still run, and then finds nothing staged). */
	veth_tx_drop_all(s, dev->ns);

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
	/* Until the pair is freed (veth_pair_release), so that `ip link del`
	 * and namespace deletion return with the peer gone. */
	dev_async_begin();
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

/* veth_setup: ether_setup's defaults (MTU 68..65535, a random MAC), and
 * no carrier until both ends are up (veth_newlink's netif_carrier_off). */
static void veth_setup(struct netdev *dev)
{
	dev->ops = &veth_ops;
	dev_set_carrier(dev, false);
}

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

/* End @s (its dev set) learns its peer and starts carrying frames. Owner
 * of s. */
static void veth_side_link(struct veth_side *s)
{
	struct veth_priv *priv = s->dev->priv;

	priv->side = s;
	priv->peer_ifindex = s->pair->ifindex[!s->idx];
	priv->peer_ns_id = s->pair->ns_id[!s->idx];
	s->drop_ns = s->dev->ns;
	s->linked = true;
	if (s->pair->cross && s->idx == 0)
		veth_pairs_here++;
}

static void veth_peer_link(void *arg)
{
	veth_side_link(arg);
}

/*
 * rtnl_link_ops.newlink, on the owner of @dev: the core has made @peer
 * (registered, in its own namespace, perhaps on another worker) and set
 * up @dev; register dev and link the two ends (veth_newlink's
 * register_netdevice and priv->peer). The peer's half runs on its owner
 * (rtnl_peer_call). Failing, nothing of the pair is left (the core
 * unregisters the peer).
 */
static int veth_newlink(struct netns *src, struct netdev *dev, struct netdev *peer,
			struct nlattr **tb, struct nlattr **data, struct extack *ext)
{
	struct veth_pair *pair = veth_pair_alloc(dev->ns, peer->ns);
	int err;

	if (!pair)
		return -ENOMEM;
	pair->side[0].dev = dev;
	pair->side[1].dev = peer; /* set before the peer's owner sees the pair */
	err = dev_register(dev, 0, ext);
	if (err) {
		veth_pair_free(pair);
		return err;
	}
	/* the peer's ifindex and namespace are fixed once it is registered */
	pair->ifindex[0] = dev->ifindex;
	pair->ns_id[0] = dev->ns->id;
	pair->ifindex[1] = peer->ifindex;
	pair->ns_id[1] = peer->ns->id;
	veth_side_link(&pair->side[0]);
	rtnl_peer_call(peer, veth_peer_link, &pair->side[1]);
	return 0;
}

int veth_create_pair(struct netns *ns_a, const char *name_a, struct netns *ns_b,
		     const char *name_b, struct extack *ext)
{
	return rtnl_link_create(&veth_link_ops, ns_a, name_a, NULL, ns_b, name_b, ext);
}

/* ---- deletion ---- */

static void veth_dev_unregister(void *arg)
{
	dev_unregister(arg);
}

void veth_delete(struct netdev *dev)
{
	/* Unregistering one end takes the peer with it: at once on a shared
	 * worker, through PEER_GONE messages across workers, which
	 * dev_async_wait sees finished. */
	loop_call_sync(dev->ns->owner, veth_dev_unregister, dev);
	dev_async_wait();
}

/* ---- rtnl_link_ops "veth" ---- */

static struct nla_policy veth_policy[VETH_INFO_MAX + 1] = {
	[VETH_INFO_PEER] = { .minlen = sizeof(struct ifinfomsg) },
};

static const struct rtnl_link_ops veth_link_ops = {
	.kind = "veth",
	.priv_size = sizeof(struct veth_priv),
	.setup = veth_setup,
	.maxtype = VETH_INFO_MAX,
	.policy = veth_policy,
	.peer_type = VETH_INFO_PEER,
	.newlink = veth_newlink,
};

void veth_init(void)
{
	rtnl_link_register(&veth_link_ops);
}
