/* SPDX-License-Identifier: MIT */
/*
 * Queueing disciplines on a device's egress, as include/net/sch_generic.h:
 * dev_queue_xmit hands a frame to the device's qdisc (dev->qdisc; NULL is
 * noqueue, frames go straight to the driver), which queues, delays, drops
 * or reorders it; qdisc_run sends whatever the qdisc releases. A qdisc
 * kind (netem, tbf, a FIFO) is one Qdisc_ops in its own file; one that
 * releases frames later (a timer) calls qdisc_run then. Owner thread of
 * the device's namespace throughout.
 */
#ifndef NSEMU_NETNS_SCH_GENERIC_H
#define NSEMU_NETNS_SCH_GENERIC_H

#include <stddef.h>

#include "dev.h"

#define NET_XMIT_SUCCESS 0
#define NET_XMIT_DROP 1

struct Qdisc;

struct Qdisc_ops {
	const char *id;		/* "pfifo", "netem" */
	size_t priv_size;	/* bytes of qdisc_priv() */
	/* Take @p: NET_XMIT_SUCCESS, or NET_XMIT_DROP once it has dropped
	 * it (qdisc_drop). */
	int (*enqueue)(struct pkt *p, struct Qdisc *q);
	/* The next frame to send now, or NULL. */
	struct pkt *(*dequeue)(struct Qdisc *q);
	/* Optional: drop what is queued (qdisc_reset's default empties
	 * q->q with DROP_QDISC_DROP). */
	void (*reset)(struct Qdisc *q);
	/* Optional: free the kind's own state (before the qdisc is freed). */
	void (*destroy)(struct Qdisc *q);
};

struct Qdisc {
	const struct Qdisc_ops *ops;
	struct netdev *dev;
	struct pkt_queue q;	/* a FIFO the kind may use (q.len frames) */
	unsigned char priv[] __attribute__((aligned(8)));
};

static inline void *qdisc_priv(struct Qdisc *q)
{
	return q->priv;
}

/* Allocate a qdisc of @ops for @dev (not attached), NULL without memory. */
struct Qdisc *qdisc_create(struct netdev *dev, const struct Qdisc_ops *ops);
/* Make @q @dev's egress queue: 0, or -EBUSY if it has one. */
int dev_qdisc_attach(struct netdev *dev, struct Qdisc *q);
/* dev_deactivate's qdisc_reset (dev_close): the queued frames are
 * dropped (DROP_QDISC_DROP), the qdisc stays. */
void dev_qdisc_reset(struct netdev *dev);
/* Back to noqueue: the queued frames are dropped (reset), the qdisc freed. */
void dev_qdisc_detach(struct netdev *dev);

/* dev_queue_xmit's qdisc path: enqueue @p, then qdisc_run. Consumes p. */
void qdisc_xmit(struct Qdisc *q, struct pkt *p);
/* Send every frame @q releases now (dev_hard_start_xmit); a frame
 * released while the device is not running is dropped (DROP_DEV_DOWN). */
void qdisc_run(struct Qdisc *q);
/* Drop @p on behalf of @q (DROP_QDISC_DROP). Returns NET_XMIT_DROP. */
int qdisc_drop(struct pkt *p, struct Qdisc *q);

#endif
