// SPDX-License-Identifier: MIT
/*
 * The generic part of queueing disciplines (net/sched/sch_generic.c,
 * sch_api.c): creating and attaching a qdisc, and running it, which hands
 * the frames it releases to the driver through dev_hard_start_xmit.
 */
#include <errno.h>
#include <stdlib.h>

#include "sch_generic.h"

struct Qdisc *qdisc_create(struct netdev *dev, const struct Qdisc_ops *ops)
{
	struct Qdisc *q = calloc(1, sizeof(*q) + ops->priv_size);

	if (!q)
		return NULL;
	q->ops = ops;
	q->dev = dev;
	pkt_queue_init(&q->q);
	return q;
}

int dev_qdisc_attach(struct netdev *dev, struct Qdisc *q)
{
	NS_ASSERT_OWNER(dev->ns);
	if (dev->qdisc)
		return -EBUSY;
	dev->qdisc = q;
	return 0;
}

static void qdisc_reset(struct Qdisc *q)
{
	struct pkt *p;

	if (q->ops->reset) {
		q->ops->reset(q);
		return;
	}
	while ((p = pkt_queue_pop(&q->q)))
		qdisc_drop(p, q);
}

void dev_qdisc_reset(struct netdev *dev)
{
	NS_ASSERT_OWNER(dev->ns);
	if (dev->qdisc)
		qdisc_reset(dev->qdisc);
}

void dev_qdisc_detach(struct netdev *dev)
{
	struct Qdisc *q = dev->qdisc;

	NS_ASSERT_OWNER(dev->ns);
	if (!q)
		return;
	dev->qdisc = NULL;
	qdisc_reset(q);
	if (q->ops->destroy)
		q->ops->destroy(q);
	free(q);
}

int qdisc_drop(struct pkt *p, struct Qdisc *q)
{
	p->ns = q->dev->ns;
	pkt_drop(p, DROP_QDISC_DROP);
	return NET_XMIT_DROP;
}

void qdisc_run(struct Qdisc *q)
{
	struct netdev *dev = q->dev;
	struct pkt *p;

	NS_ASSERT_OWNER(dev->ns);
	while ((p = q->ops->dequeue(q))) {
		p->dev = dev;
		p->ns = dev->ns;
		if (unlikely(!dev_is_running(dev))) {
			pkt_drop(p, DROP_DEV_DOWN);
			continue;
		}
		dev_hard_start_xmit(p, dev);
	}
}

void qdisc_xmit(struct Qdisc *q, struct pkt *p)
{
	q->ops->enqueue(p, q);
	qdisc_run(q);
}
