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
 * up), min_mtu 0 and no upper MTU limit.
 *
 * The kind is this file plus dummy_init() in devices_init(); nothing in
 * netns/ names it.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <linux/if_link.h>

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

static const struct netdev_ops dummy_ops = {
	.kind = "dummy",
	.xmit = dummy_xmit,
	.xmit_batch = dummy_xmit_batch,
};

struct dummy_create_req {
	struct netns *ns;
	const char *name;
	struct nlattr **tb;
	struct extack *ext;
	int err;
};

/*
 * The request's generic attributes, as rtnl_create_link applies them before
 * register_netdevice: IFLA_MTU checked as dev_validate_mtu, IFLA_ADDRESS
 * (dummy_validate: 6 bytes, a valid unicast MAC), IFLA_TXQLEN. The rtnl
 * policy has already checked the attribute types.
 */
static int dummy_attrs(struct netdev *dev, struct nlattr **tb, struct extack *ext)
{
	if (!tb)
		return 0;
	if (tb[IFLA_MTU]) {
		uint32_t mtu = nla_get_u32(tb[IFLA_MTU]);

		if (mtu > INT_MAX || mtu < dev->min_mtu) {
			EXTACK_MSG(ext, "mtu less than device minimum");
			return -EINVAL;
		}
		dev->mtu = mtu;
	}
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN)
			return -EINVAL;
		if (!eth_is_valid_unicast(nla_data(tb[IFLA_ADDRESS])))
			return -EADDRNOTAVAIL;
		memcpy(dev->addr, nla_data(tb[IFLA_ADDRESS]), ETH_ALEN);
	}
	if (tb[IFLA_TXQLEN])
		dev->txqlen = nla_get_u32(tb[IFLA_TXQLEN]);
	return 0;
}

static const struct rtnl_link_ops dummy_link_ops;

/* dummy_setup() + register_netdevice() on the owner of the namespace. */
static void dummy_create_owner(void *arg)
{
	struct dummy_create_req *r = arg;
	struct netdev *dev;

	dev = dev_alloc(r->ns, r->name, &dummy_ops, 0);
	if (!dev) {
		r->err = -ENOMEM;
		return;
	}
	dev->rtnl_link_ops = &dummy_link_ops;
	dev->flags = IFF_BROADCAST | IFF_NOARP;
	dev->min_mtu = 0;
	/* Linux's max_mtu 0 means "no limit"; the rtnl core compares
	 * against max_mtu as is, so the limit is the largest int MTU. */
	dev->max_mtu = INT_MAX;
	r->err = dummy_attrs(dev, r->tb, r->ext);
	if (!r->err)
		r->err = dev_register(dev, 0, r->ext);
	if (r->err)
		dev_free(dev);
}

/* rtnl_link_ops.newlink: one device in @ns, or in the namespace that
 * IFLA_NET_NS_PID names (an nsemu namespace id). */
static int dummy_newlink(struct netns *ns, const char *ifname, struct nlattr **tb,
			 struct nlattr **data, struct extack *ext)
{
	struct dummy_create_req r = { .ns = ns, .name = ifname, .tb = tb, .ext = ext };

	if (tb && rtnl_link_get_net(ns, tb[IFLA_NET_NS_PID], &r.ns)) {
		EXTACK_MSG(ext, "No such namespace");
		return -ESRCH;
	}
	rtnl_call_ns(r.ns, dummy_create_owner, &r);
	return r.err;
}

static const struct rtnl_link_ops dummy_link_ops = {
	.kind = "dummy",
	.newlink = dummy_newlink,
};

void dummy_init(void)
{
	rtnl_link_register(&dummy_link_ops);
}
