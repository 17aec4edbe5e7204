// SPDX-License-Identifier: MIT
/*
 * The transmit half of the device core: dev_queue_xmit and its batched
 * form, where a frame is counted, shown to capture taps and handed to the
 * driver.
 */
#include "capture.h"
#include "dev.h"
#include "sch_generic.h"

/* ---- transmit ---- */

void dev_hard_start_xmit(struct pkt *p, struct netdev *dev)
{
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += p->len;
	/* dev_queue_xmit_nit(): taps see the frame as it goes to the driver. */
	if (unlikely(dev->capture))
		capture_tap(dev, p, true);
	dev->ops->xmit(dev, p);
}

void dev_queue_xmit(struct pkt *p)
{
	struct netdev *dev = p->dev;

	p->ns = dev->ns;
	NS_ASSERT_OWNER(dev->ns);
	/* __dev_queue_xmit on a device that is down or has no carrier. */
	if (unlikely(!dev_is_running(dev))) {
		pkt_drop(p, DROP_DEV_DOWN);
		return;
	}
	/* A queueing discipline takes the frame and sends what it releases
	 * (__dev_xmit_skb); without one (noqueue) it goes straight out. */
	if (unlikely(dev->qdisc)) {
		qdisc_xmit(dev->qdisc, p);
		return;
	}
	dev_hard_start_xmit(p, dev);
}

void dev_queue_xmit_batch(struct netdev *dev, struct pkt_batch *b)
{
	struct netns *ns = dev->ns;
	unsigned i, n = b->n;
	uint64_t bytes = 0;

	NS_ASSERT_OWNER(ns);
	/* Devices that need per-frame work (down, capture taps, a qdisc)
	 * take dev_queue_xmit's path frame by frame. */
	if (unlikely(!dev_is_running(dev) || dev->capture || dev->qdisc ||
		     !dev->ops->xmit_batch)) {
		for (i = 0; i < n; i++) {
			b->p[i]->dev = dev;
			dev_queue_xmit(b->p[i]);
		}
		b->n = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		struct pkt *p = b->p[i];

		p->dev = dev;
		p->ns = ns;
		bytes += p->len;
	}
	dev->stats.tx_packets += n;
	dev->stats.tx_bytes += bytes;
	dev->ops->xmit_batch(dev, b);
	b->n = 0;
}

