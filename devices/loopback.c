// SPDX-License-Identifier: MIT
/*
 * The loopback device (drivers/net/loopback.c): every namespace's `lo`,
 * ifindex 1, MTU 64 KiB, no ARP and no real MAC. Transmit hands the frame
 * straight back to the receive path through the worker's backlog, so local
 * traffic takes the same lo round trip it takes in Linux (and shows up in
 * lo's counters) without recursing into the stack.
 */
#include <errno.h>
#include <string.h>

#include "netns/core/netns.h"
#include "devices.h"

/* loopback_xmit(): the frame is received on the same device. Consumes p. */
static void loopback_xmit(struct netdev *dev, struct pkt *p)
{
	p->dev = dev;
	netif_rx(p);
}

/* The same for a run of frames: one pass into the backlog. Consumes b. */
static void loopback_xmit_batch(struct netdev *dev, struct pkt_batch *b)
{
	for (unsigned i = 0; i < b->n; i++)
		b->p[i]->dev = dev;
	netif_rx_batch(b);
}

static const struct netdev_ops loopback_ops = {
	.kind = NULL, /* no IFLA_INFO_KIND, as lo has no rtnl_link_ops */
	.xmit = loopback_xmit,
	.xmit_batch = loopback_xmit_batch,
};

/* loopback_setup() + loopback_net_init(). */
struct netdev *loopback_create(struct netns *ns)
{
	struct netdev *dev;

	dev = dev_alloc(ns, "lo", &loopback_ops, 0);
	if (!dev)
		return NULL;
	dev->type = ARPHRD_LOOPBACK;
	dev->header_ops = &eth_header_ops; /* loopback_setup: frames carry a zero MAC header */
	dev->mtu = 64 * 1024;
	dev->min_mtu = 0;
	dev->linkwatch = false; /* never reports a carrier: `state UNKNOWN` */
	dev->max_mtu = ETH_MAX_MTU + 1; /* the kernel allows lo up to 65536 */
	dev->txqlen = 1000;
	dev->flags = IFF_LOOPBACK;
	memset(dev->addr, 0, ETH_ALEN);
	memset(dev->broadcast, 0, ETH_ALEN);
	/* loopback is always "plugged in" */
	dev->carrier = true;
	if (dev_register(dev, 1, NULL) < 0) {
		dev_free(dev);
		return NULL;
	}
	return dev;
}

/* loopback_net_init / loopback_net_exit. */
static int loopback_net_init(struct netns *ns)
{
	ns->lo = loopback_create(ns);
	return ns->lo ? 0 : -ENOMEM;
}

static void loopback_net_exit(struct netns *ns)
{
	if (ns->lo)
		dev_unregister(ns->lo); /* clears ns->lo */
}

/* A pernet device: lo comes after every subsystem and goes after every
 * other device (netns_destroy unregisters those first). */
static const struct pernet_operations loopback_net_ops = {
	.name = "loopback",
	.init = loopback_net_init,
	.exit = loopback_net_exit,
};

void loopback_init(void)
{
	register_pernet_device(&loopback_net_ops);
}
