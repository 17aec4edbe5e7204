// SPDX-License-Identifier: MIT
/*
 * VRF devices (drivers/net/vrf.c, net/l3mdev): an L3 master whose ports
 * route in its own table. `ip link add red type vrf table 10` makes one
 * (IFLA_INFO_DATA { IFLA_VRF_TABLE }); `ip link set X master red` makes X
 * a port: the kernel's do_vrf_add_slave links it and cycles it down and up,
 * so that its routes, flushed on NETDEV_CHANGEUPPER, come back in table 10
 * (fib_magic asks l3mdev_fib_table). The first VRF of a namespace adds the
 * rule `1000: from all lookup [l3mdev-table]` (vrf_add_fib_rules), which
 * sends the lookups of flows in a VRF (through a port or the VRF itself:
 * fib_rules.c's l3mdev match) to its table; it stays when the VRFs go, as
 * in Linux.
 *
 * vrf_setup: ether_setup with a random MAC, flags NOARP|MASTER
 * (vrf_dev_init), MTU 65575 within [1280, 65575] (IPV6_MIN_MTU,
 * IP6_MAX_MTU), operstate UP whenever it is up. What the VRF itself
 * transmits (a route of its table that is local: the VRF is its domain's
 * loopback) comes back in on it, as vrf_local_xmit does.
 *
 * The kind is this file plus vrf_init() in devices_init(); nothing in
 * netns/ names it.
 */
#include <errno.h>

#include <linux/if_link.h>

#include "netns/core/netns.h"
#include "netns/ipv4/fib_rules.h"
#include "netns/rtnl/rtnl.h"
#include "devices.h"

#define VRF_MTU 65575	  /* IP6_MAX_MTU: 65535 + an IPv6 header */
#define VRF_MIN_MTU 1280  /* IPV6_MIN_MTU */
#define FIB_RULE_PREF 1000 /* vrf.c's l3mdev rule */

struct vrf_priv {
	uint32_t tb_id; /* IFLA_VRF_TABLE */
};

static uint32_t vrf_fib_table(const struct netdev *dev)
{
	return ((const struct vrf_priv *)dev->priv)->tb_id;
}

/* vrf_local_xmit: the VRF is the loopback of its domain; what leaves
 * through it is received on it again. Consumes p. Owner. */
static void vrf_xmit(struct netdev *dev, struct pkt *p)
{
	p->dev = dev;
	netif_rx(p);
}

/* cycle_netdev: down and up again, so that its routes come back in the
 * table of its (new) domain. A device that is down stays down. */
static void vrf_cycle(struct netdev *port)
{
	if (!dev_is_up(port))
		return;
	dev_close(port);
	dev_open(port);
}

/* netdev_master_upper_dev_link / _unlink, with the NETDEV_CHANGEUPPER
 * that makes the FIB drop the port's routes. */
static void vrf_link(struct netdev *port, struct netdev *master)
{
	port->master = master;
	port->ns->dev_gen++;
	call_netdevice_notifiers(NETDEV_CHANGEUPPER, port);
}

/* vrf_add_slave + do_vrf_add_slave. */
static int vrf_add_slave(struct netdev *dev, struct netdev *port, struct extack *ext)
{
	if (netif_is_l3_master(port)) {
		EXTACK_MSG(ext, "Can not enslave an L3 master device to a VRF");
		return -EINVAL;
	}
	/* a port of another VRF must leave it first (do_set_master does) */
	if (port->master)
		return -EINVAL;
	/* the VRF device is the loopback of its domain */
	if (port == port->ns->lo || (port->flags & IFF_LOOPBACK)) {
		EXTACK_MSG(ext, "Can not enslave loopback device to a VRF");
		return -EOPNOTSUPP;
	}
	vrf_link(port, dev);
	vrf_cycle(port);
	return 0;
}

/* vrf_del_slave: unlink and cycle, so the routes return to main/local. */
static int vrf_del_slave(struct netdev *dev, struct netdev *port)
{
	if (port->master != dev)
		return -EINVAL;
	vrf_link(port, NULL);
	vrf_cycle(port);
	return 0;
}

/* vrf_dev_uninit (with vrf_dellink's port release): every port leaves. */
static void vrf_uninit(struct netdev *dev)
{
	for (struct netdev *d = dev->ns->dev_list; d; d = d->next)
		if (d->master == dev)
			vrf_del_slave(dev, d);
}

static const struct netdev_ops vrf_ops = {
	.kind = "vrf",
	.xmit = vrf_xmit,
	.uninit = vrf_uninit,
	.add_slave = vrf_add_slave,
	.del_slave = vrf_del_slave,
	.l3mdev_fib_table = vrf_fib_table,
};

static void vrf_setup(struct netdev *dev)
{
	dev->ops = &vrf_ops;
	dev->flags = IFF_NOARP | IFF_MASTER;
	dev->mtu = VRF_MTU;
	dev->min_mtu = VRF_MIN_MTU;
	dev->max_mtu = VRF_MTU;
	/* vrf_dev_init: "oper state is irrelevant; set to up" */
	dev->carrier = true;
	dev->linkwatch = true;
}

static const struct nla_policy vrf_nl_policy[IFLA_VRF_MAX + 1] = {
	[IFLA_VRF_TABLE] = { .type = NLA_U32 },
};

/* vrf_validate: a given address must be a unicast MAC. */
static int vrf_validate(struct nlattr **tb, struct nlattr **data, struct extack *ext)
{
	(void)data;
	if (tb[IFLA_ADDRESS]) {
		EXTACK_MSG(ext, "Invalid hardware address");
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN)
			return -EINVAL;
		if (!eth_is_valid_unicast(nla_data(tb[IFLA_ADDRESS])))
			return -EADDRNOTAVAIL;
		ext->msg = NULL;
	}
	return 0;
}

/* vrf_add_fib_rules, IPv4 part: `1000: from all lookup [l3mdev-table]`,
 * once per namespace (an existing identical rule is no error). */
static int vrf_add_fib_rules(struct netns *ns, struct extack *ext)
{
	const struct fib_rule_config c = {
		.pref = FIB_RULE_PREF, .has_pref = true, .action = FR_ACT_TO_TBL,
		.l3mdev = 1, .proto = RTPROT_KERNEL,
		.suppress_prefixlen = -1, .suppress_ifgroup = -1,
	};
	int err = fib_rule_add(ns, &c, true, NULL, ext);

	return err == -EEXIST ? 0 : err;
}

/* vrf_newlink: the table is required and not 0; register, then the rule. */
static int vrf_newlink(struct netns *src, struct netdev *dev, struct netdev *peer,
		       struct nlattr **tb, struct nlattr **data, struct extack *ext)
{
	struct vrf_priv *vrf = dev->priv;
	int err;

	(void)src, (void)peer, (void)tb;
	if (!data || !data[IFLA_VRF_TABLE]) {
		EXTACK_MSG(ext, "VRF table id is missing");
		return -EINVAL;
	}
	vrf->tb_id = nla_get_u32(data[IFLA_VRF_TABLE]);
	if (vrf->tb_id == RT_TABLE_UNSPEC) {
		EXTACK_MSG(ext, "Invalid VRF table id");
		return -EINVAL;
	}
	/* the rule first: a registered device cannot be undone here (the
	 * core frees what newlink leaves unregistered), and a rule left by a
	 * failed registration is the one the next VRF would add */
	if (!dev->ns->vrf_rules_added && (err = vrf_add_fib_rules(dev->ns, ext)))
		return err;
	err = dev_register(dev, 0, ext);
	if (err)
		return err;
	dev->ns->vrf_rules_added = true;
	return 0;
}

static void vrf_fill_info(struct rtnl_out *o, const struct netdev *dev)
{
	rtnl_put_u32(o, IFLA_VRF_TABLE, vrf_fib_table(dev));
}

static void vrf_fill_slave_info(struct rtnl_out *o, const struct netdev *dev,
				const struct netdev *slave)
{
	(void)slave;
	rtnl_put_u32(o, IFLA_VRF_PORT_TABLE, vrf_fib_table(dev));
}

static const struct rtnl_link_ops vrf_link_ops = {
	.kind = "vrf",
	.priv_size = sizeof(struct vrf_priv),
	.setup = vrf_setup,
	.maxtype = IFLA_VRF_MAX,
	.policy = vrf_nl_policy,
	.validate = vrf_validate,
	.newlink = vrf_newlink,
	.fill_info = vrf_fill_info,
	.fill_slave_info = vrf_fill_slave_info,
};

/* A port going away leaves its VRF (netdev_upper_dev_unlink in
 * unregister_netdevice): nothing else points at it. */
static int vrf_device_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netdev *dev = ptr;

	(void)nb;
	if (event == NETDEV_UNREGISTER && netif_is_l3_slave(dev))
		dev->master = NULL;
	return NOTIFY_DONE;
}

static struct notifier_block vrf_notifier = {
	.notifier_call = vrf_device_event,
};

void vrf_init(void)
{
	rtnl_link_register(&vrf_link_ops);
	register_netdevice_notifier(&vrf_notifier);
}
