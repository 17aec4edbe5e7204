// SPDX-License-Identifier: MIT
/*
 * RTM_NEWLINK / DELLINK / GETLINK / SETLINK (net/core/rtnetlink.c:
 * rtnl_newlink, do_setlink, rtnl_dellink, rtnl_getlink, rtnl_dump_ifinfo,
 * rtnl_fill_ifinfo). Device lookups, changes and replies run on the owner of
 * the namespace; creating and deleting devices of a kind (veth) runs on the
 * control thread through the kind's rtnl_link_ops, because a pair may span
 * two workers. A change request is validated completely before anything is
 * applied, so a request with one bad value changes nothing.
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
	[IFLA_IFALIAS] = { .type = NLA_STRING, .maxlen = RTNL_IFALIASZ - 1 },
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
	struct netdev *dev;	/* dellink: the device */
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
	if (dev->rtnl_link_ops) {
		size_t li = rtnl_nest_start(o, IFLA_LINKINFO);
		rtnl_put_str(o, IFLA_INFO_KIND, dev->rtnl_link_ops->kind);
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
	if (lr->tb[IFLA_NET_NS_FD] || lr->tb[IFLA_TARGET_NETNSID]) {
		/* fds are the shim's business (notes §4); nsids are not kept */
		EXTACK_MSG(&r->ext, "Use IFLA_NET_NS_PID with an nsemu namespace id");
		return -EOPNOTSUPP;
	}
	return 0;
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
	bool mtu, addr, rename, txqlen, flags;
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
		ch->mtu_v = nla_get_u32(tb[IFLA_MTU]);
		/* dev_validate_mtu */
		if (ch->mtu_v < dev->min_mtu) {
			EXTACK_MSG(&r->ext, "mtu less than device minimum");
			return -EINVAL;
		}
		if (ch->mtu_v > dev->max_mtu) {
			EXTACK_MSG(&r->ext, "mtu greater than device maximum");
			return -EINVAL;
		}
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
	if (tb[IFLA_MASTER] && nla_get_u32(tb[IFLA_MASTER])) {
		if (!dev_get_by_index(dev->ns, (int)nla_get_u32(tb[IFLA_MASTER])))
			return -EINVAL;
		EXTACK_MSG(&r->ext, "Device can not be enslaved");
		return -EOPNOTSUPP;
	}
	if (tb[IFLA_CARRIER])
		return -EOPNOTSUPP; /* no ndo_change_carrier on lo or veth */
	if (tb[IFLA_TXQLEN]) {
		ch->txqlen_v = nla_get_u32(tb[IFLA_TXQLEN]);
		ch->txqlen = true;
	}
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
	for (unsigned i = 0; i < ch->nconf; i++) {
		err = sysctl_devconf_set(dev->ns, dev, (enum devconf)ch->conf[i].id,
					 ch->conf[i].v, &r->ext);
		if (err)
			return err;
		ch->applied = true;
	}
	if (ch->flags && ch->up != dev_is_up(dev)) {
		struct rtnl_route_snap before = { 0 }, after = { 0 };
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
		link_peer(dev, lr);
		if (ch->up && rtnl_notifying(r)) {
			/* __dev_notify_flags: the link first, then its routes */
			rtnl_notify_link(r, dev, RTM_NEWLINK);
			ch->notified = true;
			rtnl_route_snap_dev(r->ns, dev, &after);
			rtnl_route_snap_notify(r, r->ns, &before, &after);
		}
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

/* Owner of the new device's namespace: pick "<kind>N" (rtnl_create_link's
 * "%s%%d" for a request without a name). */
static int link_pick_name(struct rtnl_req *r)
{
	struct link_req *lr = r->priv;
	for (int n = 0; n < 100000; n++) {
		snprintf(lr->name, sizeof(lr->name), "%.10s%d", lr->kind, n);
		if (strlen(lr->name) < IFNAMSIZ && !dev_get_by_name(r->ns, lr->name))
			return 0;
	}
	return -ENFILE;
}

/* Owner: NLM_F_ECHO and the RTM_NEWLINK notification of a created device
 * (register_netdevice -> rtmsg_ifinfo), and which peer came with it. */
static int link_created_owner(struct rtnl_req *r)
{
	struct link_req *lr = r->priv;
	struct netdev *dev = dev_get_by_name(r->ns, lr->name);
	if (!dev)
		return 0;
	if (r->nlh->nlmsg_flags & NLM_F_ECHO)
		rtnl_link_fill(r, dev, RTM_NEWLINK, 0, 0);
	rtnl_notify_link(r, dev, RTM_NEWLINK);
	link_peer(dev, lr);
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

static int link_create(struct rtnl_req *r, struct link_req *lr)
{
	struct netns *dest = r->ns;
	int err;

	if (!lr->ops) {
		EXTACK_MSG(&r->ext, "Unknown device type");
		return -EOPNOTSUPP;
	}
	/* IFLA_NET_NS_PID: create the device in that namespace (its id). */
	/* (id 0, which names no namespace, is the default one here) */
	if (lr->tb[IFLA_NET_NS_PID] && !nla_get_u32(lr->tb[IFLA_NET_NS_PID])) {
		dest = rtnl_default_ns();
	} else if (rtnl_link_get_net(r->ns, lr->tb[IFLA_NET_NS_PID], &dest)) {
		EXTACK_MSG(&r->ext, "No such namespace");
		return -ESRCH;
	}
	struct netns *self = r->ns;
	r->ns = dest;
	if (!lr->name[0]) {
		err = rtnl_on_owner(r, link_pick_name);
		if (err)
			goto out;
	}
	if (!dev_valid_name(lr->name)) {
		err = -EINVAL;
		goto out;
	}
	/* The kind gets the request's namespace, as rtnl_newlink_create gives
	 * veth_newlink src_net: it resolves IFLA_NET_NS_PID itself, and a
	 * veth peer without its own stays in the requester's namespace. */
	err = lr->ops->newlink(self, lr->name, lr->tb, lr->data, &r->ext);
	if (!err && ((r->nlh->nlmsg_flags & NLM_F_ECHO) || rtnl_notifying(r))) {
		rtnl_on_owner(r, link_created_owner);
		/* a veth peer is a new device in its own namespace */
		rtnl_notify_peer_link(r, lr->peer_ns_id, lr->peer_ifindex, RTM_NEWLINK);
	}
out:
	r->ns = self;
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
	if (!lr->ops->dellink)
		dev_unregister(lr->dev);
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
	/* The device stays valid: only the control thread, which holds the
	 * control lock, deletes devices. */
	if (!err && lr.ops->dellink)
		lr.ops->dellink(lr.dev); /* control thread: may span workers */
	return err;
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
