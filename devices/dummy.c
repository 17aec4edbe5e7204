// SPDX-License-Identifier: MIT
/*
 * The dummy device (drivers/net/dummy.c): a device to point routes and
 * addresses at that never delivers anything. `ip link add d0 type dummy`
 * makes one; what it transmits is counted (tx_packets/tx_bytes, by
 * dev_queue_xmit) and freed, as dummy_xmit does with dev_lstats_add and
 * dev_kfree_skb: consumed, not a drop, so tx_dropped and the drop
 * counters stay 0. Nothing is ever received.
 *
 * dummy_setup: ether_setup with NOARP and without MULTICAST (flags
 * BROADCAST,NOARP), a random MAC, txqueuelen 1000, no queue (noqueue when
 * up), min_mtu 0 and no upper MTU limit. The rtnl core does the rest of
 * `ip link add`: the name, the namespace, the attributes, registration.
 *
 * The kind is this file plus dummy_init() in devices_init(); nothing in
 * netns/ names it.
 */
#include "netns/core/netns.h"
#include "netns/rtnl/rtnl.h"
#include "devices.h"

/* dummy_xmit(): count (done by the core) and free. Consumes p. Owner. */
static void dummy_xmit(struct netdev *dev, struct pkt *p)
{
	pkt_consume(p);
}

/* The same for a run of frames already counted by dev_queue_xmit_batch. */
static void dummy_xmit_batch(struct netdev *dev, struct pkt_batch *b)
{
	for (unsigned i = 0; i < b->n; i++)
		pkt_consume(b->p[i]);
}

/* dummy_change_carrier: `ip link set DEV carrier on|off` (IFLA_CARRIER). */
static int dummy_change_carrier(struct netdev *dev, bool on)
{
	dev_set_carrier(dev, on);
	return 0;
}

static const struct netdev_ops dummy_ops = {
	.kind = "dummy",
	.xmit = dummy_xmit,
	.xmit_batch = dummy_xmit_batch,
	.change_carrier = dummy_change_carrier,
};

/* dummy_setup: ether_setup, then no ARP, no multicast, and no MTU limits
 * (max_mtu 0: none). */
static void dummy_setup(struct netdev *dev)
{
	dev->ops = &dummy_ops;
	dev->flags = IFF_BROADCAST | IFF_NOARP;
	dev->min_mtu = 0;
	dev->max_mtu = 0;
	dev->linkwatch = false; /* no carrier reports: `state UNKNOWN` when up */
}

static const struct rtnl_link_ops dummy_link_ops = {
	.kind = "dummy",
	.setup = dummy_setup,
};

void dummy_init(void)
{
	rtnl_link_register(&dummy_link_ops);
}
