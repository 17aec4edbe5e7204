// SPDX-License-Identifier: MIT
/*
 * RTM_NEWLINK / DELLINK / GETLINK / SETLINK (net/core/rtnetlink.c:
 * rtnl_newlink, do_setlink, rtnl_dellink, rtnl_getlink, rtnl_dump_ifinfo,
 * rtnl_fill_ifinfo, rtnl_create_link). Device lookups, changes and replies
 * run on the owner of the namespace. Creating a device of a kind is the
 * core's work, as rtnl_newlink_create does it: each device is allocated,
 * set up and registered on the owner of its namespace (the peer of a pair
 * first, perhaps on another worker), with the kind's rtnl_link_ops called
 * at fixed points, and what was made is undone when a step fails. A change
 * request is validated completely before anything is applied, so a
 * request with one bad value changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "netns/core/dev.h"
#include "rtnl_priv.h"

#define RTNL_MAX_ADDR_LEN 32 /* MAX_ADDR_LEN */
#define RTNL_ALTIFNAMSIZ 128 /* ALTIFNAMSIZ */
#define RTNL_IFALIASZ 256    /* IFALIASZ */
/* The IFLA_INET_CONF array has one u32 per IPV4_DEVCONF_* (1..33). */
#define RTNL_INET_CONF_N (DEVCONF_MAX - 1)
static_assert(RTNL_INET_CONF_N == 33, "IPV4_DEVCONF_MAX of Linux 6.1");

/* ifla_policy of the kernel, for what nsemu reads. */
static const struct nla_policy ifla_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ - 1 },
	[IFLA_ADDRESS] = { .type = NLA_BINARY, .maxlen = RTNL_MAX_ADDR_LEN },
	[IFLA_BROADCAST] = { .type = NLA_BINARY, .maxlen = RTNL_MAX_ADDR_LEN },
	[IFLA_MTU] = { .type = NLA_U32 },
	[IFLA_LINK] = { .type = NLA_U32 },
	[IFLA_MASTER] = { .type = NLA_U32 },
	[IFLA_CARRIER] = { .type = NLA_U8 },
	[IFLA_TXQLEN] = { .type = NLA_U32 },
	[IFLA_WEIGHT] = { .type = NLA_U32 },
	[IFLA_OPERSTATE] = { .type = NLA_U8 },
	[IFLA_LINKMODE] = { .type = NLA_U8 },
	[IFLA_LINKINFO] = { .type = NLA_NESTED },
	[IFLA_NET_NS_PID] = { .type = NLA_U32 },
	[IFLA_NET_NS_FD] = { .type = NLA_U32 },
	/* checked as a length, trailing NUL included: this machine's kernel
	 * takes 0..255 bytes (an empty alias clears it) and answers 256 with
	 * ERANGE "Attribute failed policy validation" */
	[IFLA_IFALIAS] = { .type = NLA_BINARY, .maxlen = RTNL_IFALIASZ - 1 },
	[IFLA_AF_SPEC] = { .type = NLA_NESTED },
	[IFLA_EXT_MASK] = { .type = NLA_U32 },
	[IFLA_PROMISCUITY] = { .type = NLA_U32 },
	[IFLA_NUM_TX_QUEUES] = { .type = NLA_U32 },
	[IFLA_NUM_RX_QUEUES] = { .type = NLA_U32 },
	[IFLA_GROUP] = { .type = NLA_U32 },
	[IFLA_TARGET_NETNSID] = { .type = NLA_S32 },
	[IFLA_ALT_IFNAME] = { .type = NLA_STRING, .maxlen = RTNL_ALTIFNAMSIZ - 1 },
};

static const struct nla_policy ifla_info_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { .type = NLA_STRING },
	[IFLA_INFO_DATA] = { .type = NLA_NESTED },
	[IFLA_INFO_SLAVE_KIND] = { .type = NLA_STRING },
	[IFLA_INFO_SLAVE_DATA] = { .type = NLA_NESTED },
};

static const struct nla_policy ifla_inet_policy[IFLA_INET_MAX + 1] = {
	[IFLA_INET_CONF] = { .type = NLA_NESTED },
};

/* What a link request carries, parsed on the control thread. */
struct link_req {
	const struct ifinfomsg *ifm;
	struct nlattr *tb[IFLA_MAX + 1];
	struct nlattr *linfo[IFLA_INFO_MAX + 1];
	struct nlattr **data;	/* IFLA_INFO_DATA parsed with the kind's policy */
	const struct rtnl_link_ops *ops;
	char name[RTNL_ALTIFNAMSIZ];
	char kind[32];
	bool found;		/* an existing device matched */
	struct netdev *dev;	/* dellink: the device; create: the one made */
	/* notifications: the veth peer that a change or delete also affects */
	int peer_ifindex;
	uint32_t peer_ns_id;
};

/* The other end of a pair (its ifindex, 0 if none) for notifications. */
static void link_peer(const struct netdev *dev, struct link_req *lr)
{
	lr->peer_ifindex = 0;
	lr->peer_ns_id = 0;
	if (dev->ops && dev->ops->get_iflink) {
		uint32_t ns_id = 0;
		int iflink = dev->ops->get_iflink(dev, &ns_id);
		if (iflink > 0 && (iflink != dev->ifindex || (ns_id && ns_id != dev->ns->id))) {
			lr->peer_ifindex = iflink;
			lr->peer_ns_id = ns_id ? ns_id : dev->ns->id;
		}
	}
}

/* ------------------------------------------------------------- replies */

static void link_fill_stats(struct rtnl_out *o, const struct netdev_stats *s)
{
	struct rtnl_link_stats64 s64 = {
		.rx_packets = s->rx_packets, .tx_packets = s->tx_packets,
		.rx_bytes = s->rx_bytes, .tx_bytes = s->tx_bytes,
		.rx_errors = s->rx_errors, .tx_errors = s->tx_errors,
		.rx_dropped = s->rx_dropped, .tx_dropped = s->tx_dropped,
		.multicast = s->multicast, .collisions = s->collisions,
		.rx_length_errors = s->rx_length_errors, .rx_over_errors = s->rx_over_errors,
		.rx_crc_errors = s->rx_crc_errors, .rx_frame_errors = s->rx_frame_errors,
		.rx_fifo_errors = s->rx_fifo_errors, .rx_missed_errors = s->rx_missed_errors,
		.tx_aborted_errors = s->tx_aborted_errors,
		.tx_carrier_errors = s->tx_carrier_errors, .tx_fifo_errors = s->tx_fifo_errors,
		.tx_heartbeat_errors = s->tx_heartbeat_errors,
		.tx_window_errors = s->tx_window_errors, .rx_nohandler = s->rx_nohandler,
	};
	/* Full uapi struct: libnl's policy rejects a short IFLA_STATS64. */
	rtnl_put(o, IFLA_STATS64, &s64, sizeof(s64));

	/* IFLA_STATS: the same counters truncated to 32 bits (copy_rtnl_link_stats). */
	struct rtnl_link_stats s32 = {
		.rx_packets = (uint32_t)s->rx_packets, .tx_packets = (uint32_t)s->tx_packets,
		.rx_bytes = (uint32_t)s->rx_bytes, .tx_bytes = (uint32_t)s->tx_bytes,
		.rx_errors = (uint32_t)s->rx_errors, .tx_errors = (uint32_t)s->tx_errors,
		.rx_dropped = (uint32_t)s->rx_dropped, .tx_dropped = (uint32_t)s->tx_dropped,
		.multicast = (uint32_t)s->multicast, .collisions = (uint32_t)s->collisions,
		.rx_length_errors = (uint32_t)s->rx_length_errors,
		.rx_over_errors = (uint32_t)s->rx_over_errors,
		.rx_crc_errors = (uint32_t)s->rx_crc_errors,
		.rx_frame_errors = (uint32_t)s->rx_frame_errors,
		.rx_fifo_errors = (uint32_t)s->rx_fifo_errors,
		.rx_missed_errors = (uint32_t)s->rx_missed_errors,
		.tx_aborted_errors = (uint32_t)s->tx_aborted_errors,
		.tx_carrier_errors = (uint32_t)s->tx_carrier_errors,
		.tx_fifo_errors = (uint32_t)s->tx_fifo_errors,
		.tx_heartbeat_errors = (uint32_t)s->tx_heartbeat_errors,
		.tx_window_errors = (uint32_t)s->tx_window_errors,
		.rx_nohandler = (uint32_t)s->rx_nohandler,
	};
	rtnl_put(o, IFLA_STATS, &s32, sizeof(s32));
}

/*
 * rtnl_fill_ifinfo: one RTM_NEWLINK describing @dev, attributes in the
 * kernel's order. Owner thread (the statistics are the owner's, O5).
 */
void rtnl_link_fill(struct rtnl_req *r, const struct netdev *dev, uint16_t type, uint16_t flags,
		    uint32_t ext_mask)
{
	struct rtnl_out *o = r->out;
	struct ifinfomsg ifm = {
		.ifi_family = AF_UNSPEC,
		.ifi_type = dev->type,
		.ifi_index = dev->ifindex,
		.ifi_flags = dev->flags,
	};
	size_t off = rtnl_msg_start(r, type, flags, &ifm, sizeof(ifm));

	rtnl_put_str(o, IFLA_IFNAME, dev->name);
	/* nla_put_ifalias: only a non-empty alias */
	if (dev->ifalias)
		rtnl_put_str(o, IFLA_IFALIAS, dev->ifalias);
	rtnl_put_u32(o, IFLA_TXQLEN, dev->txqlen);
	rtnl_put_u8(o, IFLA_OPERSTATE, dev->operstate);
	rtnl_put_u8(o, IFLA_LINKMODE, 0);
	rtnl_put_u32(o, IFLA_MTU, dev->mtu);
	rtnl_put_u32(o, IFLA_MIN_MTU, dev->min_mtu);
	rtnl_put_u32(o, IFLA_MAX_MTU, dev->max_mtu);
	rtnl_put_u32(o, IFLA_GROUP, 0);
	rtnl_put_u32(o, IFLA_PROMISCUITY, 0);
	rtnl_put_u32(o, IFLA_NUM_TX_QUEUES, 1);
	rtnl_put_u32(o, IFLA_NUM_RX_QUEUES, 1);
	/* put_master_ifindex */
	if (dev->master)
		rtnl_put_u32(o, IFLA_MASTER, (uint32_t)dev->master->ifindex);
	rtnl_put_u8(o, IFLA_CARRIER, (dev->flags & IFF_LOWER_UP) ? 1 : 0);
	/* Linux attaches noqueue to lo and veth at dev_activate(); a device
	 * that is down shows the noop placeholder. */
	rtnl_put_str(o, IFLA_QDISC, (dev->flags & IFF_UP) ? "noqueue" : "noop");
	rtnl_put_u32(o, IFLA_CARRIER_CHANGES, dev->carrier_changes);
	/* A device without a link-layer address (tun: addr_len 0) has no
	 * IFLA_ADDRESS/IFLA_BROADCAST; `ip link` then prints "link/none". */
	if (dev->type != ARPHRD_NONE) {
		rtnl_put(o, IFLA_ADDRESS, dev->addr, ETH_ALEN);
		rtnl_put(o, IFLA_BROADCAST, dev->broadcast, ETH_ALEN);
	}

	/* nla_put_iflink: only when the link is another device (veth peer).
	 * A peer in another namespace is another device even when its
	 * ifindex equals ours: Linux 6.x reports it then too (`h1-eth0@if2`
	 * for a pair of ifindex-2 ends, checked on the kernel). */
	uint32_t peer_ns_id = 0;
	if (dev->ops && dev->ops->get_iflink) {
		int iflink = dev->ops->get_iflink(dev, &peer_ns_id);
		if (iflink != dev->ifindex || (peer_ns_id && peer_ns_id != dev->ns->id))
			rtnl_put_u32(o, IFLA_LINK, (uint32_t)iflink);
	}
	if (!(ext_mask & RTEXT_FILTER_SKIP_STATS))
		link_fill_stats(o, &dev->stats);
	/* rtnl_link_fill: the kind and its data, then what the master's
	 * kind says of its port (rtnl_link_slave_info_fill) */
	const struct rtnl_link_ops *mops = dev->master ? dev->master->rtnl_link_ops : NULL;
	if (dev->rtnl_link_ops || (mops && mops->fill_slave_info)) {
		size_t li = rtnl_nest_start_noflag(o, IFLA_LINKINFO);
		const struct rtnl_link_ops *ops = dev->rtnl_link_ops;

		if (ops) {
			rtnl_put_str(o, IFLA_INFO_KIND, ops->kind);
			if (ops->fill_info) {
				size_t data = rtnl_nest_start_noflag(o, IFLA_INFO_DATA);
				ops->fill_info(o, dev);
				rtnl_nest_end(o, data);
			}
		}
		if (mops && mops->fill_slave_info) {
			size_t data;

			rtnl_put_str(o, IFLA_INFO_SLAVE_KIND, mops->kind);
			data = rtnl_nest_start_noflag(o, IFLA_INFO_SLAVE_DATA);
			mops->fill_slave_info(o, dev->master, dev);
			rtnl_nest_end(o, data);
		}
		rtnl_nest_end(o, li);
	}
	/* rtnl_fill_link_netnsid: the peer's namespace, as the id nsemu
	 * gives it (the registry id; IFLA_NET_NS_PID takes the same ids). */
	if (peer_ns_id && peer_ns_id != dev->ns->id)
		rtnl_put_u32(o, IFLA_LINK_NETNSID, peer_ns_id);

	/* inet_fill_link_af: the devconf as a flat u32 array, index i-1. */
	size_t af = rtnl_nest_start(o, IFLA_AF_SPEC);
	size_t inet = rtnl_nest_start(o, AF_INET);
	uint32_t conf[RTNL_INET_CONF_N];
	for (int i = 1; i < DEVCONF_MAX; i++)
		conf[i - 1] = (uint32_t)__in_dev_get(dev)->cnf.data[i];
	rtnl_put(o, IFLA_INET_CONF, conf, sizeof(conf));
	rtnl_nest_end(o, inet);
	rtnl_nest_end(o, af);

	rtnl_msg_end(o, off);
}

/* ------------------------------------------------------------- parsing */

/* An end names its namespace by IFLA_NET_NS_PID only: fds are the shim's
 * business (notes §4) and nsids are not kept. The request's end and a
 * pair's peer alike. */
static int link_ns_attrs_ok(struct rtnl_req *r, struct nlattr **tb)
{
	if (tb[IFLA_NET_NS_FD] || tb[IFLA_TARGET_NETNSID]) {
		EXTACK_MSG(&r->ext, "Use IFLA_NET_NS_PID with an nsemu namespace id");
		return -EOPNOTSUPP;
	}
	return 0;
}

static int link_parse(struct rtnl_req *r, struct link_req *lr)
{
	int err = rtnl_parse(r, sizeof(struct ifinfomsg), lr->tb, IFLA_MAX, ifla_policy);
	if (err)
		return err;
	lr->ifm = NLMSG_DATA(r->nlh);
	if (lr->tb[IFLA_IFNAME])
		rtnl_nla_strlcpy(lr->name, lr->tb[IFLA_IFNAME], sizeof(lr->name));
	else if (lr->tb[IFLA_ALT_IFNAME])
		rtnl_nla_strlcpy(lr->name, lr->tb[IFLA_ALT_IFNAME], sizeof(lr->name));
	return link_ns_attrs_ok(r, lr->tb);
}

/* Find the device a request names: ifi_index first, then the name. */
static struct netdev *link_lookup(struct netns *ns, const struct link_req *lr)
{
	if (lr->ifm->ifi_index > 0)
		return dev_get_by_index(ns, lr->ifm->ifi_index);
	if (lr->name[0] && strlen(lr->name) < IFNAMSIZ)
		return dev_get_by_name(ns, lr->name);
	return NULL;
}

/* ------------------------------------------------------------ changes */

struct link_change {
	bool mtu, addr, rename, txqlen, flags, alias, carrier, carrier_v, master;
	int master_v; /* IFLA_MASTER: the new master's ifindex, 0 none */
	bool applied;  /* something changed: notify even if a later step failed */
	bool notified; /* RTM_NEWLINK already built */
	uint32_t mtu_v, txqlen_v;
	uint8_t addr_v[ETH_ALEN];
	bool up;
	unsigned nconf;
	struct { int id; int32_t v; } conf[RTNL_INET_CONF_N];
};

/* inet_validate_link_af + collect: IFLA_AF_SPEC{AF_INET{IFLA_INET_CONF{id: u32}}}. */
static int link_parse_af_spec(struct rtnl_req *r, const struct nlattr *spec,
			      struct link_change *ch)
{
	const struct nlattr *af;
	int rem;

	nla_for_each_nested(af, spec, rem) {
		if (nla_type(af) != AF_INET) {
			EXTACK_MSG(&r->ext, "Only AF_INET device settings are supported");
			return -EAFNOSUPPORT;
		}
		struct nlattr *tb[IFLA_INET_MAX + 1];
		int err = rtnl_parse_nested(r, af, tb, IFLA_INET_MAX, ifla_inet_policy);
		if (err)
			return err;
		if (!tb[IFLA_INET_CONF])
			continue;
		const struct nlattr *a;
		int rem2;
		nla_for_each_nested(a, tb[IFLA_INET_CONF], rem2) {
			int id = nla_type(a);
			if (nla_len(a) < 4 || id <= 0 || id >= DEVCONF_MAX ||
			    ch->nconf >= RTNL_INET_CONF_N)
				return -EINVAL;
			ch->conf[ch->nconf].id = id;
			ch->conf[ch->nconf].v = (int32_t)nla_get_u32((struct nlattr *)a);
			ch->nconf++;
		}
		if (rem2 > 0)
			return -EINVAL;
	}
	if (rem > 0)
		return -EINVAL;
	return 0;
}

static int link_validate(struct rtnl_req *r, struct netdev *dev, struct link_req *lr,
			 struct link_change *ch)
{
	struct nlattr **tb = lr->tb;

	if (tb[IFLA_NET_NS_PID]) {
		EXTACK_MSG(&r->ext, "Moving a device to another namespace is not supported");
		return -EOPNOTSUPP;
	}
	if (lr->linfo[IFLA_INFO_DATA]) {
		/* no kind has a changelink yet */
		return -EOPNOTSUPP;
	}
	if (tb[IFLA_ADDRESS]) {
		/* validate_linkmsg: shorter than the device's address */
		if (nla_len(tb[IFLA_ADDRESS]) < ETH_ALEN)
			return -EINVAL;
		if (dev->type == ARPHRD_LOOPBACK)
			return -EOPNOTSUPP; /* loopback has no ndo_set_mac_address */
		memcpy(ch->addr_v, nla_data(tb[IFLA_ADDRESS]), ETH_ALEN);
		/* eth_prepare_mac_addr_change: !is_valid_ether_addr */
		if (!eth_is_valid_unicast(ch->addr_v))
			return -EADDRNOTAVAIL;
		ch->addr = true;
	}
	if (tb[IFLA_MTU]) {
		int err;

		ch->mtu_v = nla_get_u32(tb[IFLA_MTU]);
		if ((err = dev_validate_mtu(dev, (int)ch->mtu_v, &r->ext)))
			return err;
		ch->mtu = true;
	}
	/* An index plus a name is a rename (do_setlink). */
	if (lr->ifm->ifi_index > 0 && tb[IFLA_IFNAME] && strcmp(lr->name, dev->name)) {
		if (!dev_valid_name(lr->name))
			return -EINVAL;
		if (dev_get_by_name(dev->ns, lr->name))
			return -EEXIST;
		ch->rename = true;
	}
	if (tb[IFLA_MASTER]) {
		ch->master = true;
		ch->master_v = (int)nla_get_u32(tb[IFLA_MASTER]);
	}
	/* dev_change_carrier: only devices with ndo_change_carrier (dummy) */
	if (tb[IFLA_CARRIER]) {
		if (!dev->ops || !dev->ops->change_carrier)
			return -EOPNOTSUPP;
		ch->carrier = true;
		ch->carrier_v = nla_get_u8(tb[IFLA_CARRIER]) != 0;
	}
	if (tb[IFLA_TXQLEN]) {
		ch->txqlen_v = nla_get_u32(tb[IFLA_TXQLEN]);
		ch->txqlen = true;
	}
	ch->alias = tb[IFLA_IFALIAS] != NULL;
	if (tb[IFLA_AF_SPEC]) {
		int err = link_parse_af_spec(r, tb[IFLA_AF_SPEC], ch);
		if (err)
			return err;
	}
	/* rtnl_dev_combine_flags: ifi_change 0 means "all of ifi_flags". */
	if (lr->ifm->ifi_flags || lr->ifm->ifi_change) {
		uint32_t change = lr->ifm->ifi_change ? lr->ifm->ifi_change : ~0u;
		uint32_t nf = (lr->ifm->ifi_flags & change) | (dev->flags & ~change);
		ch->flags = true;
		ch->up = nf & IFF_UP;
	}
	return 0;
}

/* dev_set_alias: the text up to its first NUL; empty clears it. Even an
 * unchanged alias counts as a change (do_setlink notifies). 0 or -ENOMEM. */
static int link_set_alias(struct netdev *dev, const struct nlattr *a)
{
	size_t len = strnlen(nla_data(a), (size_t)nla_len(a));
	char *s = NULL;

	if (len) {
		s = malloc(len + 1);
		if (!s)
			return -ENOMEM;
		memcpy(s, nla_data(a), len);
		s[len] = '\0';
	}
	free(dev->ifalias);
	dev->ifalias = s;
	return 0;
}

/*
 * do_set_master: leave the current master (if it is not @ifindex already)
 * through its del_slave, then join @ifindex's through its add_slave (0:
 * none). A device that is no master: -EOPNOTSUPP, as the kernel answers
 * without a text; an ifindex not in this namespace: -EINVAL.
 */
static int link_set_master(struct netdev *dev, int ifindex, struct extack *ext)
{
	struct netdev *upper = dev->master;
	int err;

	if (upper) {
		if (upper->ifindex == ifindex)
			return 0;
		if (!upper->ops->del_slave)
			return -EOPNOTSUPP;
		if ((err = upper->ops->del_slave(upper, dev)))
			return err;
	}
	if (!ifindex)
		return 0;
	upper = dev_get_by_index(dev->ns, ifindex);
	if (!upper)
		return -EINVAL;
	if (!upper->ops || !upper->ops->add_slave)
		return -EOPNOTSUPP;
	return upper->ops->add_slave(upper, dev, ext);
}

static int link_apply(struct rtnl_req *r, struct netdev *dev, struct link_change *ch,
		      struct link_req *lr)
{
	int err;

	if (ch->rename && (err = dev_change_name(dev, lr->name, &r->ext)))
		return err;
	ch->applied |= ch->rename;
	if (ch->addr && (err = dev_set_mac(dev, ch->addr_v, &r->ext)))
		return err;
	ch->applied |= ch->addr;
	if (ch->mtu && (err = dev_set_mtu(dev, (int)ch->mtu_v, &r->ext)))
		return err;
	ch->applied |= ch->mtu;
	if (ch->txqlen) {
		dev->txqlen = ch->txqlen_v;
		ch->applied = true;
	}
	if (ch->alias && (err = link_set_alias(dev, lr->tb[IFLA_IFALIAS])))
		return err;
	ch->applied |= ch->alias;
	for (unsigned i = 0; i < ch->nconf; i++) {
		err = sysctl_devconf_set(dev->ns, dev, (enum devconf)ch->conf[i].id,
					 ch->conf[i].v, &r->ext);
		if (err)
			return err;
		ch->applied = true;
	}
	if (ch->flags && ch->up != dev_is_up(dev)) {
		struct rtnl_route_snap before = { 0 }, after = { 0 };
		bool carrier = dev->carrier;
		/* going up re-adds the routes of the addresses (fib_add_ifaddr,
		 * notified); going down removes routes silently, as Linux */
		if (ch->up && rtnl_notifying(r))
			rtnl_route_snap_dev(r->ns, dev, &before);
		err = ch->up ? dev_open(dev) : dev_close(dev);
		if (err) {
			rtnl_route_snap_free(&before);
			return err;
		}
		ch->applied = true;
		/* linkwatch notifies a veth peer only when its carrier moved:
		 * both ends' carrier follows "both up", so this end's carrier
		 * changed exactly when the peer is up. A peer still down
		 * hears nothing (its flags and operstate stay the same). */
		if (dev->carrier != carrier)
			link_peer(dev, lr);
		if (ch->up && rtnl_notifying(r)) {
			/* __dev_notify_flags: the link first, then its routes */
			rtnl_notify_link(r, dev, RTM_NEWLINK);
			ch->notified = true;
			rtnl_route_snap_dev(r->ns, dev, &after);
			rtnl_route_snap_notify(r, r->ns, &before, &after, 0);
		}
	}
	/* do_setlink: IFLA_MASTER after the flags, then IFLA_CARRIER */
	if (ch->master) {
		struct rtnl_route_snap before = { 0 }, after = { 0 };
		struct netdev *old = dev->master;

		err = link_set_master(dev, ch->master_v, &r->ext);
		if (dev->master != old) {
			ch->applied = true;
			/* its routes went silently (NETDEV_CHANGEUPPER) and
			 * came back in the new table as it went up again
			 * (cycle_netdev, fib_add_ifaddr): the link, then them */
			if (rtnl_notifying(r)) {
				rtnl_notify_link(r, dev, RTM_NEWLINK);
				ch->notified = true;
				rtnl_route_snap_dev(r->ns, dev, &after);
				rtnl_route_snap_notify(r, r->ns, &before, &after, 0);
			}
		}
		if (err)
			return err;
	}
	/* do_setlink: IFLA_CARRIER after the flags */
	if (ch->carrier && ch->carrier_v != dev->carrier) {
		if ((err = dev->ops->change_carrier(dev, ch->carrier_v)))
			return err;
		ch->applied = true;
	}
	return 0;
}

/* Owner: find the device; if it exists, this is a change request. */
static int link_newlink_owner(struct rtnl_req *r)
{
	struct link_req *lr = r->priv;
	struct netdev *dev = link_lookup(r->ns, lr);
	struct link_change ch;

	if (!dev)
		return 0;
	lr->found = true;
	if (r->nlh->nlmsg_flags & NLM_F_EXCL)
		return -EEXIST;
	if (r->nlh->nlmsg_flags & NLM_F_REPLACE)
		return -EOPNOTSUPP;
	memset(&ch, 0, sizeof(ch));
	int err = link_validate(r, dev, lr, &ch);
	if (err)
		return err;
	err = link_apply(r, dev, &ch, lr);
	/* do_setlink's DO_SETLINK_NOTIFY: one RTM_NEWLINK when anything
	 * changed, also when a later attribute failed (unless link_apply
	 * has already sent it ahead of the routes of a device going up) */
	if (ch.applied && !ch.notified)
		rtnl_notify_link(r, dev, RTM_NEWLINK);
	return err;
}

/* Owner: NLM_F_ECHO and the RTM_NEWLINK notification of a created device
 * (register_netdevice -> rtmsg_ifinfo), and which peer came with it. */
static int link_created_owner(struct rtnl_req *r)
{
	struct link_req *lr = r->priv;

	if (r->nlh->nlmsg_flags & NLM_F_ECHO)
		rtnl_link_fill(r, lr->dev, RTM_NEWLINK, 0, 0);
	rtnl_notify_link(r, lr->dev, RTM_NEWLINK);
	link_peer(lr->dev, lr);
	return 0;
}

static int link_parse_linkinfo(struct rtnl_req *r, struct link_req *lr)
{
	int err = rtnl_parse_nested(r, lr->tb[IFLA_LINKINFO], lr->linfo, IFLA_INFO_MAX,
				    ifla_info_policy);
	if (err)
		return err;
	if (lr->linfo[IFLA_INFO_KIND]) {
		rtnl_nla_strlcpy(lr->kind, lr->linfo[IFLA_INFO_KIND], sizeof(lr->kind));
		lr->ops = rtnl_link_ops_get(lr->kind);
	}
	if (lr->ops && lr->linfo[IFLA_INFO_DATA] && lr->ops->maxtype > 0) {
		lr->data = calloc((size_t)lr->ops->maxtype + 1, sizeof(*lr->data));
		if (!lr->data)
			return -ENOMEM;
		err = rtnl_parse_nested(r, lr->linfo[IFLA_INFO_DATA], lr->data, lr->ops->maxtype,
					lr->ops->policy);
	}
	return err;
}

/* ------------------------------------------------------------ create */

/*
 * The attributes every new device takes before registration, as
 * rtnl_create_link applies them: IFLA_MTU within the limits setup left
 * (dev_validate_mtu), IFLA_ADDRESS (an Ethernet device's: 6 bytes, a
 * valid unicast MAC, as veth_validate and dummy_validate check), IFLA_TXQLEN.
 */
static int link_create_attrs(struct netdev *dev, struct nlattr **tb, struct extack *ext)
{
	if (tb[IFLA_MTU]) {
		int err = dev_validate_mtu(dev, (int)nla_get_u32(tb[IFLA_MTU]), ext);

		if (err)
			return err;
		dev->mtu = nla_get_u32(tb[IFLA_MTU]);
	}
	if (tb[IFLA_ADDRESS] && dev->type == ARPHRD_ETHER) {
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

struct netdev *rtnl_create_link(struct netns *ns, const char *name,
				const struct rtnl_link_ops *ops, struct nlattr **tb,
				struct extack *ext, int *errp)
{
	struct netdev *dev = dev_alloc(ns, name, NULL, ops->priv_size);

	if (!dev) {
		*errp = -ENOMEM;
		return NULL;
	}
	dev->rtnl_link_ops = ops;
	if (ops->setup)
		ops->setup(dev);
	*errp = tb ? link_create_attrs(dev, tb, ext) : 0;
	if (*errp) {
		dev_free(dev);
		return NULL;
	}
	return dev;
}

/* A device being made (rtnl_newlink_create), with the peer made first. */
struct link_make {
	const struct rtnl_link_ops *ops;
	struct netns *src, *ns;
	const char *name;
	struct nlattr **tb, **data;
	struct extack *ext;
	bool up;	      /* the request's ifi_flags ask for IFF_UP */
	struct netdev *peer;
	loop_call_fn peer_fn; /* the kind's rtnl_peer_call */
	void *peer_arg;
	struct netdev *dev; /* out: registered */
	int err;
};

/* The make whose newlink runs on this thread (for rtnl_peer_call). */
static _Thread_local struct link_make *link_making;

/* On the owner of m->ns: allocate, set up, apply, then the kind's newlink
 * or register_netdevice. */
static void link_make_owner(void *arg)
{
	struct link_make *m = arg;
	struct netdev *dev = rtnl_create_link(m->ns, m->name, m->ops, m->tb, m->ext, &m->err);

	if (!dev)
		return;
	if (m->ops->newlink) {
		link_making = m;
		m->err = m->ops->newlink(m->src, dev, m->peer, m->tb, m->data, m->ext);
		link_making = NULL;
	} else {
		m->err = dev_register(dev, 0, m->ext);
	}
	if (m->err) {
		dev_free(dev);
		return;
	}
	m->dev = dev;
	/* rtnl_configure_link: the request's own flags (`ip link add X up`),
	 * then its master (`... master red`, do_set_master) */
	if ((m->up && (m->err = dev_open(dev))) ||
	    (m->tb && m->tb[IFLA_MASTER] &&
	     (m->err = link_set_master(dev, (int)nla_get_u32(m->tb[IFLA_MASTER]), m->ext)))) {
		/* rtnl_newlink_create's out_unregister: the device goes, and a
		 * pair's peer with it (its uninit) */
		dev_unregister(dev);
		m->dev = NULL;
		m->peer = NULL;
	}
}

/* Make m's device, and first (so that it gets the lower ifindex in a
 * shared namespace, as veth_newlink registers the peer first) its peer
 * @peer_name in @peer_ns; on failure nothing is left behind. */
static int link_make(struct link_make *m, struct netns *peer_ns, const char *peer_name,
		     struct nlattr **peer_tb)
{
	if (m->ops->peer_type) {
		m->peer = rtnl_peer_make(m->ops, m->ns, m->name, peer_ns, peer_name, peer_tb,
					 m->ext, &m->err);
		if (!m->peer)
			return m->err;
	}
	rtnl_call_ns(m->ns, link_make_owner, m);
	if (m->err && m->peer)
		rtnl_peer_unmake(m->peer);
	else if (m->peer_fn)
		rtnl_peer_finish(m->peer, m->peer_fn, m->peer_arg);
	return m->err;
}

/* newlink runs on its device's owner, which may not wait on the peer's
 * (only a run may wait on another worker): the call is made from
 * link_make's thread once newlink has returned. */
void rtnl_peer_call(struct netdev *peer, loop_call_fn fn, void *arg)
{
	struct link_make *m = link_making;

	assert(m && m->peer == peer && !m->peer_fn);
	m->peer_fn = fn;
	m->peer_arg = arg;
}

/* "<kind>%d": the name of a device nobody named (rtnl_newlink_create). */
static void link_default_name(char *buf, size_t size, const struct rtnl_link_ops *ops)
{
	snprintf(buf, size, "%.*s%%d", (int)(IFNAMSIZ - 3), ops->kind);
}

int rtnl_link_create(const struct rtnl_link_ops *ops, struct netns *ns, const char *name,
		     struct nlattr **data, struct netns *peer_ns, const char *peer_name,
		     struct extack *ext)
{
	struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	char dflt[IFNAMSIZ];
	struct link_make m = { .ops = ops, .src = ns, .ns = ns, .name = name, .data = data,
			       .ext = ext };
	int err;

	if (ops->validate && (err = ops->validate(tb, data, ext)))
		return err;
	link_default_name(dflt, sizeof(dflt), ops);
	if (!m.name)
		m.name = dflt;
	return link_make(&m, peer_ns ? peer_ns : ns, peer_name ? peer_name : dflt, NULL);
}

/* The namespace an end's IFLA_NET_NS_PID names, or @src; NULL with ext
 * set. */
static struct netns *link_dest(struct netns *src, const struct nlattr *a, struct extack *ext)
{
	struct netns *ns;

	if (rtnl_link_get_net(src, a, &ns)) {
		EXTACK_MSG(ext, "No such namespace");
		return NULL;
	}
	return ns;
}

/*
 * The peer of a pair kind (rtnl_get_peer_net + veth_newlink's parsing):
 * VETH_INFO_PEER or its like carries a struct ifinfomsg and the peer's
 * IFLA_*, parsed with the same policy as the request's; its namespace is
 * its own IFLA_NET_NS_PID or, without one, the requester's (even when the
 * first end goes elsewhere). Its name: its IFLA_IFNAME, or "<kind>%d".
 */
static int link_parse_peer(struct rtnl_req *r, struct link_req *lr, struct nlattr **ptb,
			   struct netns **peer_ns, char *peer_name)
{
	const struct nlattr *peer = lr->data ? lr->data[lr->ops->peer_type] : NULL;
	int hdr = NLMSG_ALIGN(sizeof(struct ifinfomsg)), err;

	memset(ptb, 0, (IFLA_MAX + 1) * sizeof(*ptb));
	link_default_name(peer_name, IFNAMSIZ, lr->ops);
	if (peer) {
		if (nla_len(peer) < (int)sizeof(struct ifinfomsg)) {
			EXTACK_MSG(&r->ext, "Invalid peer attribute");
			return -EINVAL;
		}
		/* the kernel's policy rules (a 15-character name needs no NUL) */
		if (nla_len(peer) > hdr &&
		    rtnl_parse_buf(r, (const char *)nla_data(peer) + hdr, nla_len(peer) - hdr, ptb,
				   IFLA_MAX, ifla_policy))
			return -EINVAL;
	}
	if (ptb[IFLA_IFNAME] &&
	    (nla_len(ptb[IFLA_IFNAME]) > IFNAMSIZ ||
	     nla_strlcpy(peer_name, ptb[IFLA_IFNAME], IFNAMSIZ) >= IFNAMSIZ))
		return -EINVAL;
	if (lr->ops->validate && (err = lr->ops->validate(ptb, NULL, &r->ext)))
		return err;
	if ((err = link_ns_attrs_ok(r, ptb)))
		return err;
	err = rtnl_link_get_net(r->ns, ptb[IFLA_NET_NS_PID], peer_ns);
	if (err) {
		EXTACK_MSG(&r->ext, err == -EINVAL ? "Invalid network namespace attribute"
						   : "Peer netns reference is invalid");
		return -EINVAL;
	}
	return 0;
}

static int link_create(struct rtnl_req *r, struct link_req *lr)
{
	struct nlattr *ptb[IFLA_MAX + 1];
	char dflt[IFNAMSIZ], peer_name[IFNAMSIZ];
	struct netns *peer_ns = NULL;
	/* rtnl_dev_combine_flags: ifi_change 0 means "all of ifi_flags" */
	uint32_t change = lr->ifm->ifi_change ? lr->ifm->ifi_change : ~0u;
	struct link_make m = { .ops = lr->ops, .src = r->ns, .name = lr->name, .tb = lr->tb,
			       .data = lr->data, .ext = &r->ext,
			       .up = lr->ifm->ifi_flags & change & IFF_UP };
	int err;

	if (!lr->ops) {
		EXTACK_MSG(&r->ext, "Unknown device type");
		return -EOPNOTSUPP;
	}
	if (lr->ops->validate && (err = lr->ops->validate(lr->tb, lr->data, &r->ext)))
		return err;
	m.ns = link_dest(r->ns, lr->tb[IFLA_NET_NS_PID], &r->ext);
	if (!m.ns)
		return -ESRCH;
	if (!lr->name[0]) {
		link_default_name(dflt, sizeof(dflt), lr->ops);
		m.name = dflt;
	} else if (!dev_valid_name(lr->name)) {
		return -EINVAL;
	}
	if (lr->ops->peer_type && (err = link_parse_peer(r, lr, ptb, &peer_ns, peer_name)))
		return err;
	err = link_make(&m, peer_ns, peer_name, ptb);
	if (!err && ((r->nlh->nlmsg_flags & NLM_F_ECHO) || rtnl_notifying(r))) {
		struct netns *self = r->ns;

		lr->dev = m.dev;
		r->ns = m.ns;
		rtnl_on_owner(r, link_created_owner);
		r->ns = self;
		/* a peer is a new device in its own namespace */
		rtnl_notify_peer_link(r, lr->peer_ns_id, lr->peer_ifindex, RTM_NEWLINK);
	}
	return err;
}

/* rtnl_newlink (also RTM_SETLINK, which never creates). */
int rtnl_newlink(struct rtnl_req *r)
{
	struct link_req lr;
	int err;

	memset(&lr, 0, sizeof(lr));
	err = link_parse(r, &lr);
	if (err)
		return err;
	if (lr.tb[IFLA_LINKINFO] && (err = link_parse_linkinfo(r, &lr)))
		goto out;

	r->priv = &lr;
	err = rtnl_on_owner(r, link_newlink_owner);
	/* linkwatch: the peer's carrier followed an up/down of this end */
	if (lr.found && lr.peer_ifindex)
		rtnl_notify_peer_link(r, lr.peer_ns_id, lr.peer_ifindex, RTM_NEWLINK);
	if (err || lr.found)
		goto out;
	/* No such device. Without NLM_F_CREATE (and for `ip`'s empty probe)
	 * the kernel answers -ENODEV; `ip` relies on exactly that. */
	if (r->nlh->nlmsg_type == RTM_SETLINK || !(r->nlh->nlmsg_flags & NLM_F_CREATE)) {
		err = -ENODEV;
		goto out;
	}
	if (lr.ifm->ifi_index > 0) {
		/* creating with a chosen ifindex is not supported */
		err = -EOPNOTSUPP;
		goto out;
	}
	err = link_create(r, &lr);
out:
	free(lr.data);
	return err;
}

/* ------------------------------------------------------------ delete */

static int link_del_owner(struct rtnl_req *r)
{
	struct link_req *lr = r->priv;
	lr->dev = link_lookup(r->ns, lr);
	if (!lr->dev)
		return -ENODEV;
	/* rtnl_delete_link: only devices of a registered kind can go (lo
	 * has no rtnl_link_ops: -EOPNOTSUPP) */
	if (!(lr->ops = lr->dev->rtnl_link_ops))
		return -EOPNOTSUPP;
	/* Built while the device exists: inetdev_destroy's RTM_DELADDR for
	 * each address, then RTM_DELLINK (rtnl_delete_link). The routes
	 * through it go silently (fib_disable_ip), as in Linux. */
	if (rtnl_notifying(r)) {
		for (const struct in_ifaddr *ifa = __in_dev_get(lr->dev)->ifa_list; ifa; ifa = ifa->next)
			rtnl_notify_addr(r, ifa, RTM_DELADDR);
		rtnl_notify_link(r, lr->dev, RTM_DELLINK);
		link_peer(lr->dev, lr);
	}
	return 0;
}

/* Owner: the device goes (after the notifications of both it and its
 * peer were built: the peer goes with it). */
static int link_unregister_owner(struct rtnl_req *r)
{
	struct link_req *lr = r->priv;

	if (lr->ops->dellink)
		lr->ops->dellink(lr->dev);
	else
		dev_unregister(lr->dev); /* a pair's peer goes with it (its uninit) */
	return 0;
}

int rtnl_dellink(struct rtnl_req *r)
{
	struct link_req lr;
	memset(&lr, 0, sizeof(lr));
	int err = link_parse(r, &lr);
	if (err)
		return err;
	if (lr.ifm->ifi_index <= 0 && !lr.name[0])
		return -EINVAL; /* no key: the kernel's rtnl_dellink does the same */
	r->priv = &lr;
	err = rtnl_on_owner(r, link_del_owner);
	/* the peer of a pair goes with it (veth_dellink) */
	if (!err && lr.peer_ifindex)
		rtnl_notify_peer_link(r, lr.peer_ns_id, lr.peer_ifindex, RTM_DELLINK);
	if (err)
		return err;
	/* The device stays valid: only the holder of the control lock
	 * deletes devices. A peer on another worker goes by messages: `ip
	 * link del` returns once it has (control thread: RTM_DELLINK never
	 * runs in a run). */
	rtnl_on_owner(r, link_unregister_owner);
	dev_async_wait();
	return 0;
}

/* --------------------------------------------------------------- get */

static int link_get_owner(struct rtnl_req *r)
{
	struct link_req *lr = r->priv;
	struct netdev *dev = link_lookup(r->ns, lr);
	if (!dev)
		return -ENODEV;
	uint32_t mask = lr->tb[IFLA_EXT_MASK] ? nla_get_u32(lr->tb[IFLA_EXT_MASK]) : 0;
	rtnl_link_fill(r, dev, RTM_NEWLINK, 0, mask);
	return 0;
}

int rtnl_getlink(struct rtnl_req *r)
{
	struct link_req lr;
	memset(&lr, 0, sizeof(lr));
	int err = link_parse(r, &lr);
	if (err)
		return err;
	if (lr.ifm->ifi_index <= 0 && !lr.name[0])
		return -EINVAL;
	r->priv = &lr;
	return rtnl_on_owner(r, link_get_owner);
}

static int link_dump_owner(struct rtnl_req *r)
{
	uint32_t mask = *(uint32_t *)r->priv;
	for (struct netdev *dev = r->ns->dev_list; dev; dev = dev->next)
		rtnl_link_fill(r, dev, RTM_NEWLINK, NLM_F_MULTI, mask);
	return RTNL_DUMPED;
}

/* rtnl_dump_ifinfo. The request may carry only a struct rtgenmsg (old
 * clients); filters are ignored (`ip` filters again) and, as without
 * strict checking, so are malformed attributes. */
int rtnl_dumplink(struct rtnl_req *r)
{
	uint32_t mask = 0;
	if (r->nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
		struct nlattr *tb[IFLA_MAX + 1];
		if (!rtnl_parse(r, sizeof(struct ifinfomsg), tb, IFLA_MAX, ifla_policy) &&
		    tb[IFLA_EXT_MASK])
			mask = nla_get_u32(tb[IFLA_EXT_MASK]);
		r->ext.msg = NULL;
	}
	r->priv = &mask;
	return rtnl_on_owner(r, link_dump_owner);
}

void rtnl_link_init(void)
{
	rtnl_register(AF_UNSPEC, RTM_NEWLINK, rtnl_newlink, NULL,
		      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
	rtnl_register(AF_UNSPEC, RTM_DELLINK, rtnl_dellink, NULL, RTNL_FLAG_NEED_NS);
	rtnl_register(AF_UNSPEC, RTM_GETLINK, rtnl_getlink, rtnl_dumplink,
		      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
	/* RTM_SETLINK is NEWLINK without create (rtnl_setlink) */
	rtnl_register(AF_UNSPEC, RTM_SETLINK, rtnl_newlink, NULL,
		      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
}
