// SPDX-License-Identifier: MIT
/*
 * Device capture (netns/core/capture.h): the tap that dev_rx and dev_queue_xmit
 * call while a capture is attached, the per-worker flush that hands filled
 * batches to the consumer once per worker iteration, and the consumer's
 * bounded queue.
 *
 * Threads. The owner worker of the device's namespace is the only one that
 * touches the tap-side fields (dev link, current batch, local counts); the
 * consumer touches only its batches once it has taken them. The two meet
 * in the queue, under cap->lock, once per batch. Like the kernel's packet
 * socket, the tap never waits for the reader: a full queue means the frame
 * is counted as dropped (tp_drops, which tcpdump prints as "dropped by
 * kernel"). Ending is owner-side too: capture_end() hands over the last
 * batch and marks the end, after which the owner never touches the capture
 * again; the consumer frees it once it has seen the end and no stop request
 * is still queued towards the owner (the rule of cli/app.c).
 */
#include "capture.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pcap.h"
#include "dev.h"

/* Bytes per batch: one lo frame (MTU 65536) fits with room to spare. */
#define CAPTURE_BATCH_BYTES (128 * 1024)
#define CAPTURE_QUEUE_DEFAULT (4u * 1024 * 1024)
#define CAPTURE_REC_ALIGN 8

struct capture_batch {
	struct capture_batch *next;
	size_t used;
	uint8_t buf[] __attribute__((aligned(CAPTURE_REC_ALIGN)));
};

struct capture {
	/* owner side: the device's worker only */
	struct capture *dev_next;   /* dev->capture list */
	struct netdev *dev;	    /* NULL once ended */
	struct capture *flush_next; /* this worker's flush list */
	bool flush_queued;
	bool starved;		    /* no free batch: drop until the next flush */
	struct capture_batch *cur;  /* batch being filled */
	uint64_t rx_local, drop_local; /* not yet handed over */
	uint32_t snaplen;
	capture_filter_fn filter;
	const void *filter_prog;

	/* shared with the consumer, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct worker *worker;	    /* owner, set at attach */
	struct capture_batch *q_head, **q_tail; /* filled batches */
	struct capture_batch *free_list;
	unsigned nbatches, max_batches;
	uint64_t received, dropped;
	enum capture_end end;
	bool stop_posted;
	unsigned calls_pending;	    /* stop calls holding a pointer */
};

static _Thread_local uint64_t copies;
static _Thread_local struct capture *flush_list;
static _Thread_local struct loop_task flush_task;
static _Thread_local struct worker *flush_worker;

uint64_t capture_copies(void)
{
	return copies;
}

struct capture *capture_create(const struct capture_config *cfg)
{
	struct capture *cap = calloc(1, sizeof(*cap));
	pthread_condattr_t ca;
	size_t qb;

	if (!cap)
		return NULL;
	cap->snaplen = cfg->snaplen ? cfg->snaplen : PCAP_SNAPLEN_MAX;
	cap->filter = cfg->filter;
	cap->filter_prog = cfg->filter_prog;
	qb = cfg->queue_bytes ? cfg->queue_bytes : CAPTURE_QUEUE_DEFAULT;
	/* Two batches at least: one being filled while one is read. */
	cap->max_batches = (unsigned)(qb / CAPTURE_BATCH_BYTES);
	if (cap->max_batches < 2)
		cap->max_batches = 2;
	cap->q_tail = &cap->q_head;
	pthread_mutex_init(&cap->lock, NULL);
	/* CLOCK_MONOTONIC: a wall-clock step must not stretch a timed wait. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cap->cond, &ca);
	pthread_condattr_destroy(&ca);
	return cap;
}

/* ---- owner side ---- */

/* A free batch, or NULL when the queue holds all it may. cap->lock held. */
static struct capture_batch *capture_get_batch_locked(struct capture *cap)
{
	struct capture_batch *b = cap->free_list;

	if (b) {
		cap->free_list = b->next;
	} else if (cap->nbatches < cap->max_batches) {
		/* One allocation per batch, not per frame (STYLE H7). */
		b = malloc(sizeof(*b) + CAPTURE_BATCH_BYTES);
		if (!b)
			return NULL;
		cap->nbatches++;
	} else {
		return NULL;
	}
	b->next = NULL;
	b->used = 0;
	return b;
}

/*
 * Hand the current batch (if it holds anything) and the local counts to
 * the consumer, and take a fresh batch unless @ending. cap->lock held.
 */
static void capture_post_locked(struct capture *cap, bool ending, enum capture_end why)
{
	struct capture_batch *b = cap->cur;

	if (b && b->used) {
		*cap->q_tail = b;
		cap->q_tail = &b->next;
		b = NULL;
	}
	cap->received += cap->rx_local;
	cap->dropped += cap->drop_local;
	cap->rx_local = cap->drop_local = 0;
	if (ending) {
		if (b) {
			b->next = cap->free_list;
			cap->free_list = b;
		}
		cap->cur = NULL;
		cap->end = why;
	} else {
		cap->cur = b ? b : capture_get_batch_locked(cap);
		cap->starved = !cap->cur;
	}
	pthread_cond_broadcast(&cap->cond);
}

/* One lock round per batch. Owner thread. */
static void capture_post(struct capture *cap, bool ending, enum capture_end why)
{
	pthread_mutex_lock(&cap->lock);
	capture_post_locked(cap, ending, why);
	pthread_mutex_unlock(&cap->lock);
}

static void capture_flush_run(void *arg)
{
	struct capture *cap;

	(void)arg;
	while ((cap = flush_list)) {
		flush_list = cap->flush_next;
		cap->flush_next = NULL;
		cap->flush_queued = false;
		capture_post(cap, false, CAPTURE_RUNNING);
	}
}

/* Queue @cap for the end-of-iteration flush: the frames it took in this
 * worker iteration reach the consumer as one batch. */
static void capture_schedule_flush(struct capture *cap)
{
	struct worker *w = loop_current();

	if (cap->flush_queued)
		return;
	if (unlikely(!w)) {
		/* not on a worker (never in normal operation): hand over now */
		capture_post(cap, false, CAPTURE_RUNNING);
		return;
	}
	/* A thread can become another (test) worker over its life, like
	 * dev.c's backlog task. */
	if (flush_worker != w) {
		loop_task_init(&flush_task, capture_flush_run, NULL);
		flush_worker = w;
		flush_list = NULL;
	}
	cap->flush_queued = true;
	cap->flush_next = flush_list;
	flush_list = cap;
	loop_task_wake(w, &flush_task);
}

static void capture_one(struct capture *cap, const struct pkt *p, bool outgoing, uint64_t ts)
{
	struct capture_rec *r;
	uint32_t caplen = p->len;
	size_t need;

	if (cap->filter && !cap->filter(cap->filter_prog, p->data, p->len, p->len))
		return;
	cap->rx_local++;
	if (caplen > cap->snaplen)
		caplen = cap->snaplen;
	if (caplen > CAPTURE_BATCH_BYTES - sizeof(*r))
		caplen = CAPTURE_BATCH_BYTES - sizeof(*r);
	need = (sizeof(*r) + caplen + CAPTURE_REC_ALIGN - 1) & ~(size_t)(CAPTURE_REC_ALIGN - 1);
	if (cap->cur && cap->cur->used + need > CAPTURE_BATCH_BYTES) {
		capture_post(cap, false, CAPTURE_RUNNING);
	} else if (!cap->cur && !cap->starved) {
		capture_post(cap, false, CAPTURE_RUNNING);
	} else if (!cap->cur && !pthread_mutex_trylock(&cap->lock)) {
		/* Starved: look for a batch the consumer gave back, but never
		 * wait for the lock (the consumer may hold it). */
		capture_post_locked(cap, false, CAPTURE_RUNNING);
		pthread_mutex_unlock(&cap->lock);
	}
	if (unlikely(!cap->cur)) {
		/* The consumer is behind and every batch is queued: count
		 * the frame as the kernel counts tp_drops, never wait. The
		 * next flush tries for a free batch again. */
		cap->drop_local++;
		capture_schedule_flush(cap);
		return;
	}
	r = (struct capture_rec *)(cap->cur->buf + cap->cur->used);
	r->ts_ns = ts;
	r->caplen = caplen;
	r->len = p->len;
	r->outgoing = outgoing;
	memset(r->pad, 0, sizeof(r->pad));
	memcpy(r->data, p->data, caplen);
	cap->cur->used += need;
	copies++;
	capture_schedule_flush(cap);
}

void capture_tap(struct netdev *dev, const struct pkt *p, bool outgoing)
{
	struct timespec now;
	struct capture *cap;
	uint64_t ts;

	NS_ASSERT_OWNER(dev->ns);
	/* A down device receives nothing in Linux: the frame never reaches
	 * __netif_receive_skb, where the taps are. */
	if (!outgoing && !(dev->flags & IFF_UP))
		return;
	/* Wall-clock time, as the kernel stamps skb->tstamp for packet
	 * sockets; read only while a capture runs. */
	clock_gettime(CLOCK_REALTIME, &now);
	ts = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	for (cap = dev->capture; cap; cap = cap->dev_next)
		capture_one(cap, p, outgoing, ts);
}

/* Detach from the device and the flush list, hand over the last batch and
 * mark the end. The owner never touches @cap afterwards. */
static void capture_end(struct capture *cap, enum capture_end why)
{
	struct capture **pp;

	for (pp = &cap->dev->capture; *pp; pp = &(*pp)->dev_next) {
		if (*pp == cap) {
			*pp = cap->dev_next;
			break;
		}
	}
	cap->dev = NULL;
	if (cap->flush_queued) {
		for (pp = &flush_list; *pp; pp = &(*pp)->flush_next) {
			if (*pp == cap) {
				*pp = cap->flush_next;
				break;
			}
		}
		cap->flush_queued = false;
	}
	capture_post(cap, true, why);
}

int capture_attach(struct netns *ns, const char *ifname, struct capture *cap,
		   uint16_t *dev_type, struct extack *ext)
{
	struct netdev *dev;

	NS_ASSERT_OWNER(ns);
	dev = dev_get_by_name(ns, ifname);
	if (!dev) {
		EXTACK_MSG(ext, "Cannot find device");
		return -ENODEV;
	}
	cap->dev = dev;
	cap->dev_next = dev->capture;
	pthread_mutex_lock(&cap->lock);
	cap->worker = ns->owner ? ns->owner : loop_current();
	pthread_mutex_unlock(&cap->lock);
	/* Attach last: from here on dev_rx / dev_queue_xmit see it. */
	dev->capture = cap;
	if (dev_type)
		*dev_type = dev->type;
	return 0;
}

void capture_dev_gone(struct netdev *dev)
{
	NS_ASSERT_OWNER(dev->ns);
	while (dev->capture)
		capture_end(dev->capture, CAPTURE_END_GONE);
}

/* The stop request, on the owner. Only the owner sets cap->end, so reading
 * it here cannot race with an end in progress. */
static void capture_stop_call(void *arg)
{
	struct capture *cap = arg;

	if (cap->dev)
		capture_end(cap, CAPTURE_END_STOPPED);
	pthread_mutex_lock(&cap->lock);
	cap->calls_pending--;
	pthread_cond_broadcast(&cap->cond);
	pthread_mutex_unlock(&cap->lock);
}

/* ---- consumer side ---- */

void capture_request_stop(struct capture *cap)
{
	struct worker *w = NULL;

	pthread_mutex_lock(&cap->lock);
	if (cap->worker && cap->end == CAPTURE_RUNNING && !cap->stop_posted) {
		cap->stop_posted = true;
		cap->calls_pending++;
		w = cap->worker;
	}
	pthread_mutex_unlock(&cap->lock);
	if (w)
		loop_call(w, capture_stop_call, cap);
}

struct capture_batch *capture_next(struct capture *cap, unsigned timeout_ms,
				   enum capture_end *end)
{
	struct capture_batch *b = NULL;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&cap->lock);
	for (;;) {
		b = cap->q_head;
		if (b) {
			cap->q_head = b->next;
			if (!cap->q_head)
				cap->q_tail = &cap->q_head;
			b->next = NULL;
			break;
		}
		if (cap->end != CAPTURE_RUNNING && !cap->calls_pending)
			break;
		if (pthread_cond_timedwait(&cap->cond, &cap->lock, &ts) == ETIMEDOUT)
			break;
	}
	if (end)
		*end = (!b && !cap->calls_pending) ? cap->end : CAPTURE_RUNNING;
	pthread_mutex_unlock(&cap->lock);
	return b;
}

const struct capture_rec *capture_batch_rec(const struct capture_batch *b, size_t *off)
{
	const struct capture_rec *r;

	if (*off >= b->used)
		return NULL;
	r = (const struct capture_rec *)(b->buf + *off);
	*off += (sizeof(*r) + r->caplen + CAPTURE_REC_ALIGN - 1) & ~(size_t)(CAPTURE_REC_ALIGN - 1);
	return r;
}

void capture_batch_release(struct capture *cap, struct capture_batch *b)
{
	pthread_mutex_lock(&cap->lock);
	b->used = 0;
	b->next = cap->free_list;
	cap->free_list = b;
	pthread_mutex_unlock(&cap->lock);
}

void capture_stats(struct capture *cap, uint64_t *received, uint64_t *dropped)
{
	pthread_mutex_lock(&cap->lock);
	if (received)
		*received = cap->received;
	if (dropped)
		*dropped = cap->dropped;
	pthread_mutex_unlock(&cap->lock);
}

static void capture_free_list(struct capture_batch *b)
{
	struct capture_batch *n;

	for (; b; b = n) {
		n = b->next;
		free(b);
	}
}

void capture_destroy(struct capture *cap)
{
	if (!cap)
		return;
	capture_free_list(cap->q_head);
	capture_free_list(cap->free_list);
	free(cap->cur); /* only a never-attached capture could hold one */
	pthread_cond_destroy(&cap->cond);
	pthread_mutex_destroy(&cap->lock);
	free(cap);
}

/* packet_notifier(NETDEV_UNREGISTER): the captures of a device that goes
 * end. First of the chain, so a capture ends before the device's state. */
static int capture_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netdev *dev = ptr;

	if (event == NETDEV_UNREGISTER && unlikely(dev->capture))
		capture_dev_gone(dev);
	return NOTIFY_DONE;
}

static struct notifier_block capture_netdev_notifier = {
	.notifier_call = capture_netdev_event,
	.priority = 100,
};

void capture_init(void)
{
	register_netdevice_notifier(&capture_netdev_notifier);
}
