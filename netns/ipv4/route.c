// SPDX-License-Identifier: MIT
/*
 * Route decisions for datagrams (net/ipv4/route.c). ip_route_input follows
 * ip_route_input_slow: martian source and destination checks, limited and
 * subnet broadcast, the FIB lookup, local delivery after
 * fib_validate_source (accept_local, rp_filter strict/loose), forwarding
 * only when the input device forwards, and ip_error's choice of ICMP code
 * and counter when there is no usable route. ip_route_output follows
 * ip_route_output_key_hash_rcu: local destinations through `lo`, oif
 * bound lookups, route-type errors, source address selection. The caller
 * owns the packet; these functions only read it. Owner thread only.
 */
#include "route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "core/compiler.h"
#include "netns/core/dev.h"
#include "netns/core/sysctl.h"
#include "netns/proto/ip.h"
#include "fib_rules.h"
#include "route_exception.h"

/* the flow bits of a TOS byte routing looks at, and lo's ifindex */
#ifndef IPTOS_RT_MASK
#define IPTOS_RT_MASK 0x1c
#endif
#define LOOPBACK_IFINDEX 1

#define IGMP_ALL_HOSTS htonl(0xe0000001) /* 224.0.0.1, joined by every device */
#ifndef IPPROTO_IGMP
#define IPPROTO_IGMP 2
#endif

static inline bool ipv4_is_local_multicast(uint32_t a)
{
	return (ntohl(a) & 0xffffff00) == 0xe0000000;
}

/* fib_props[type].error: what a lookup hitting this route type means. */
static int fib_type_error(uint8_t type)
{
	switch (type) {
	case RTN_UNREACHABLE:
		return -EHOSTUNREACH;
	case RTN_PROHIBIT:
		return -EACCES;
	case RTN_BLACKHOLE:
		return -EINVAL;
	default:
		return 0;
	}
}

/* FIB_RES_PREFSRC: the route's preferred source, else an address of its
 * device chosen for the gateway (fib_info_update_nhc_saddr). */
static uint32_t fib_res_prefsrc(const struct fib_result *res)
{
	if (res->prefsrc)
		return res->prefsrc;
	return res->dev ? inet_select_addr(res->dev, res->gw, res->scope) : 0;
}

/*
 * fib_compute_spec_dst: the address a reply (or an ICMP error) about a
 * received datagram should come from: the destination itself if it was
 * ours, else the source we would use to reach its sender.
 */
static uint32_t fib_compute_spec_dst(struct netns *ns, const struct netdev *dev, uint8_t type,
				     uint32_t saddr, uint32_t daddr)
{
	struct fib_result res;
	int scope = RT_SCOPE_UNIVERSE;

	if (type == RTN_LOCAL)
		return daddr;
	if (saddr) {
		/* as a reply this namespace sends: in through lo for the rules */
		if (fib_lookup_flow(ns,
				    &(struct flowi4){ .daddr = saddr, .iif = LOOPBACK_IFINDEX,
						      .l3mdev = l3mdev_master_ifindex(dev) },
				    &res) == 0 &&
		    !fib_type_error(res.type))
			return fib_res_prefsrc(&res);
	} else {
		scope = RT_SCOPE_LINK;
	}
	return inet_select_addr(dev, saddr, scope);
}

/* inet_lookup_ifaddr_rcu: is @addr one of our addresses? Every address
 * has its /32 `local` route, so one exact lookup in table local answers
 * without walking the devices (this runs per received packet). */
static bool ip_is_local_addr(struct netns *ns, uint32_t addr)
{
	struct fib_result res;

	return fib_table_lookup(ns, RT_TABLE_LOCAL, addr, &res) == 0 && res.type == RTN_LOCAL &&
	       res.prefixlen == 32;
}

/*
 * fib_validate_source: may a datagram from @src arrive on @dev (to be
 * delivered locally when @oif is 0, or forwarded out of @oif)? Returns 0
 * or the drop reason: IP_RPFILTER (-EXDEV in the kernel), IP_LOCAL_SOURCE
 * (a local address without accept_local), IP_INVALID_SOURCE (the source
 * routes as broadcast or the like).
 */
static enum drop_reason fib_validate_source(struct netns *ns, uint32_t src, uint32_t dst,
					    uint8_t tos, int oif, struct netdev *dev)
{
	int rpf = devconf_rp_filter(dev);
	bool accept_local = devconf_accept_local(dev);
	struct fib_result res;

	/* Without rp_filter only a local source matters, unless user local
	 * routes, rules other than the defaults or a redirect (same in and
	 * out device) need the full check. */
	if (!rpf && (dev->ifindex != oif || !devconf_get(dev, DEVCONF_SEND_REDIRECTS)) &&
	    !fib_has_custom_local_routes(ns) && !fib_has_custom_rules(ns)) {
		if (accept_local || !ip_is_local_addr(ns, src))
			return 0;
		return DROP_IP_LOCAL_SOURCE;
	}
	/* __fib_validate_source: the route back to the source, as rules see
	 * a reply: from our address, in through the output device (lo when
	 * the datagram is ours) */
	if (fib_lookup_flow(ns,
			    &(struct flowi4){ .daddr = src, .saddr = dst,
					      .iif = oif ? oif : LOOPBACK_IFINDEX, .tos = tos,
					      .l3mdev = l3mdev_master_ifindex(dev) },
			    &res) ||
	    fib_type_error(res.type))
		goto last_resort;
	if (res.type != RTN_UNICAST) {
		if (res.type != RTN_LOCAL)
			return DROP_IP_INVALID_SOURCE;
		if (!accept_local)
			return DROP_IP_LOCAL_SOURCE;
	}
	if (!rpf)
		return 0;
	/* strict and loose both pass when the reverse route uses @dev (any
	 * of its paths: fib_info_nh_uses_dev) */
	if (fib_info_nh_uses_dev(ns, &res, dev) || (res.type == RTN_LOCAL && dev == ns->lo))
		return 0;
	/* a device without addresses cannot be checked: last resort */
	if (!__in_dev_get(dev)->ifa_list)
		goto last_resort;
	/* strict (1): the reverse path must be this device; loose (2): any
	 * route back to the source will do */
	return rpf == 1 ? DROP_IP_RPFILTER : 0;

last_resort:
	return rpf ? DROP_IP_RPFILTER : 0;
}

/* The rtable of a datagram delivered here (local_input). */
static void rt_local(struct rtable *rt, struct netns *ns, struct netdev *dev, uint8_t type,
		     uint32_t saddr, uint32_t daddr)
{
	rt->type = type;
	/* ip_rt_get_dev: local delivery goes through the namespace's lo */
	rt->dev = ns->lo ? ns->lo : dev;
	rt->nexthop = daddr;
	rt->src = fib_compute_spec_dst(ns, dev, type, saddr, daddr);
	rt->mtu = rt->dev->mtu;
}

/* ip_route_input_mc: only 224.0.0.1 (joined by ip_mc_up on every device)
 * is ours; multicast forwarding is not implemented. */
static int ip_route_input_mc(const struct iphdr *iph, struct netdev *dev, struct rtable *rt,
			     enum drop_reason *reason)
{
	struct netns *ns = dev->ns;
	uint32_t saddr = iph->saddr, daddr = iph->daddr;

	if (daddr != IGMP_ALL_HOSTS) {
		*reason = DROP_IP_MC_NOT_JOINED;
		return -EINVAL;
	}
	/* ip_mc_validate_source */
	*reason = DROP_IP_INVALID_SOURCE;
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr))
		return -EINVAL;
	if (ipv4_is_loopback(saddr) && !devconf_get(dev, DEVCONF_ROUTE_LOCALNET))
		return -EINVAL;
	if (ipv4_is_zeronet(saddr)) {
		if (!ipv4_is_local_multicast(daddr) && iph->protocol != IPPROTO_IGMP)
			return -EINVAL;
	} else {
		*reason = fib_validate_source(ns, saddr, daddr, iph->tos & IPTOS_RT_MASK, 0, dev);
		if (*reason)
			return -EINVAL;
	}
	rt_local(rt, ns, dev, RTN_MULTICAST, saddr, daddr);
	return 0;
}

/* ip_error's decision for a datagram without a usable route: the ICMP
 * code to send (-1 none) and the drop reason. */
static int ip_route_no_route(int err, enum drop_reason *reason, int *icmp_code)
{
	switch (err) {
	case -ENETUNREACH:
		*reason = DROP_IP_INNOROUTES;
		*icmp_code = ICMP_NET_UNREACH;
		break;
	case -EHOSTUNREACH:
		*reason = DROP_IP_NOROUTE_UNREACHABLE;
		*icmp_code = ICMP_HOST_UNREACH;
		break;
	case -EACCES:
		*reason = DROP_IP_NOROUTE_PROHIBIT;
		*icmp_code = ICMP_PKT_FILTERED;
		break;
	default:
		/* blackhole: silently */
		*reason = DROP_IP_NOROUTE_BLACKHOLE;
		break;
	}
	return err;
}

/*
 * __mkroute_input's redirect test, for a datagram that leaves by the
 * device @dev it came in on: send_redirects (all || dev) and a sender that
 * is on-link through @dev (fib_validate_source's answer: the route back to
 * it uses @dev without a gateway). Then either shared_media (all || dev)
 * or the sender and the new gateway @gw sharing one of @dev's subnets
 * (inet_addr_onlink).
 */
static bool ip_route_wants_redirect(struct netns *ns, struct netdev *dev, uint32_t saddr,
				    uint32_t gw)
{
	struct fib_result back;

	if (!devconf_get(dev, DEVCONF_SEND_REDIRECTS))
		return false;
	/* the route back, in the VRF @dev belongs to */
	if (fib_lookup_flow(ns,
			    &(struct flowi4){ .daddr = saddr, .l3mdev = l3mdev_master_ifindex(dev) },
			    &back) ||
	    back.type != RTN_UNICAST || back.dev != dev || back.gw)
		return false;
	if (devconf_get(dev, DEVCONF_SHARED_MEDIA))
		return true;
	return inet_addr_onlink(dev, saddr, gw);
}

/*
 * The flow of a received datagram as fib_multipath_hash reads it: its
 * addresses, and for policy 1 its protocol and, unless it is a fragment,
 * its ports (TCP, UDP, UDP-Lite, SCTP, DCCP). An ICMP error is hashed on
 * the datagram it quotes (ip_multipath_l3_keys), so it follows that
 * flow's path.
 */
static void ip_multipath_flow(const struct iphdr *iph, struct flowi4 *fl4)
{
	unsigned ihl = iph->ihl * 4u, len = ntohs(iph->tot_len);
	const uint8_t *l4 = (const uint8_t *)iph + ihl;
	bool frag = iph->frag_off & htons(IP_MF | IP_OFFSET);

	*fl4 = (struct flowi4){ .daddr = iph->daddr, .saddr = iph->saddr, .proto = iph->protocol };
	if (frag || len < ihl + 4)
		return;
	switch (iph->protocol) {
	case IPPROTO_ICMP:
		/* dest unreachable, source quench, redirect, time exceeded,
		 * parameter problem: the quoted header's addresses */
		if (len >= ihl + 8 + sizeof(struct iphdr) &&
		    (l4[0] == 3 || l4[0] == 4 || l4[0] == 5 || l4[0] == 11 || l4[0] == 12)) {
			const struct iphdr *in = (const struct iphdr *)(l4 + 8);

			fl4->saddr = in->saddr;
			fl4->daddr = in->daddr;
		}
		break;
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		memcpy(&fl4->sport, l4, 2);
		memcpy(&fl4->dport, l4 + 2, 2);
		break;
	}
}

/* ip_route_input_slow: every check, in the kernel's order. */
static int ip_route_input_slow(const struct iphdr *iph, struct netdev *dev, struct rtable *rt,
			       enum drop_reason *reason, int *icmp_code)
{
	struct netns *ns = dev->ns;
	uint32_t saddr = iph->saddr, daddr = iph->daddr;
	uint8_t tos = iph->tos & IPTOS_RT_MASK;
	struct fib_result res;
	int err;

	if (ipv4_is_multicast(daddr))
		return ip_route_input_mc(iph, dev, rt, reason);

	/* the most weird martians, which the FIB would not catch */
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr))
		goto martian_source;
	if (ipv4_is_lbcast(daddr) || (saddr == 0 && daddr == 0))
		goto brd_input;
	/* zero source only toward limited broadcast (DHCP discover) */
	if (ipv4_is_zeronet(saddr))
		goto martian_source;
	if (ipv4_is_zeronet(daddr))
		goto martian_destination;
	/* 127/8 never crosses a wire unless route_localnet says so */
	if (ipv4_is_loopback(daddr)) {
		if (!devconf_get(dev, DEVCONF_ROUTE_LOCALNET))
			goto martian_destination;
	} else if (ipv4_is_loopback(saddr)) {
		if (!devconf_get(dev, DEVCONF_ROUTE_LOCALNET))
			goto martian_source;
	}

	/* the flow rules match on: no mark (packets carry none) */
	err = fib_lookup_flow(ns,
			      &(struct flowi4){ .daddr = daddr, .saddr = saddr,
						.iif = dev->ifindex, .tos = tos },
			      &res);
	if (!err)
		err = fib_type_error(res.type);
	if (err) {
		/* a host that does not forward answers nothing: ip_error
		 * counts IpInAddrErrors, no ICMP */
		if (!devconf_forwarding(dev))
			goto forwarding_disabled;
		return ip_route_no_route(err, reason, icmp_code);
	}
	if (res.type == RTN_BROADCAST) {
		/* bc_forwarding would forward directed broadcasts; not
		 * implemented, so they are received like a local broadcast */
		goto brd_input;
	}
	if (res.type == RTN_LOCAL) {
		*reason = fib_validate_source(ns, saddr, daddr, tos, 0, dev);
		if (*reason)
			return -EINVAL;
		rt_local(rt, ns, dev, RTN_LOCAL, saddr, daddr);
		return 0;
	}
	if (!devconf_forwarding(dev))
		goto forwarding_disabled;
	if (res.type != RTN_UNICAST)
		goto martian_destination;

	/* ip_mkroute_input: a multipath route picks its path by the flow */
	if (unlikely(res.fi)) {
		struct flowi4 fl4;

		ip_multipath_flow(iph, &fl4);
		fib_select_path(ns, &res, &fl4);
		rt->multipath = true;
		/* the hint may keep the route (not the path) when nothing below
		 * depends on which path the flow took: no path leaves by the
		 * input device (redirects, validate's same-device case), and no
		 * rule selects on iif (validate's full check looks the source
		 * up with iif = the chosen device) */
		if (!fib_info_nh_uses_dev(ns, &res, dev) && !fib_rules_use_iif(ns))
			rt->mp_fi = res.fi;
		rt->mtu_metric = res.mtu;
	}
	/* __mkroute_input */
	if (!res.dev)
		goto martian_destination;
	*reason = fib_validate_source(ns, saddr, daddr, tos, res.dev->ifindex, dev);
	if (*reason)
		return -EINVAL;
	rt->type = RTN_UNICAST;
	rt->dev = res.dev;
	rt->nexthop = res.gw ? res.gw : daddr;
	/* spec_dst is only needed to answer (ICMP errors compute it from the
	 * packet): keep the forwarding path to one lookup, or two with
	 * rp_filter */
	rt->src = 0;
	/* ip_dst_mtu_maybe_forward: the route's MTU metric, else the device's */
	rt->mtu = res.mtu ? res.mtu : res.dev->mtu;
	if (res.dev == dev && ip_route_wants_redirect(ns, dev, saddr, res.gw))
		rt->flags |= RTCF_DOREDIRECT;
	return 0;

brd_input:
	if (saddr) {
		*reason = fib_validate_source(ns, saddr, daddr, tos, 0, dev);
		if (*reason)
			return -EINVAL;
	}
	rt_local(rt, ns, dev, RTN_BROADCAST, saddr, daddr);
	return 0;

forwarding_disabled:
	*reason = DROP_IP_FORWARDING_DISABLED;
	return -EHOSTUNREACH;

martian_source:
	/* in_martian_src: a route-cache statistic in Linux, no MIB */
	*reason = DROP_IP_INVALID_SOURCE;
	return -EINVAL;

martian_destination:
	*reason = DROP_IP_INVALID_DEST;
	return -EINVAL;
}

/* A hint hit on a multipath route: the rest of the decision was the
 * route's, the path is the flow's (fib_select_path per datagram, as the
 * slow path would choose it). */
static int ip_route_input_mp_hint(struct netns *ns, const struct iphdr *iph,
				  const struct rt_input_hint *h, struct rtable *rt)
{
	struct fib_result res = { .type = RTN_UNICAST, .fi = h->mp_fi };
	struct flowi4 fl4;

	ip_multipath_flow(iph, &fl4);
	fib_select_path(ns, &res, &fl4);
	memset(rt, 0, sizeof(*rt));
	rt->type = RTN_UNICAST;
	rt->multipath = true;
	rt->mp_fi = h->mp_fi;
	rt->dev = res.dev;
	rt->nexthop = res.gw ? res.gw : iph->daddr;
	rt->mtu_metric = h->mtu;
	rt->mtu = h->mtu ? h->mtu : res.dev->mtu;
	return 0;
}

/*
 * The decision depends only on (saddr, daddr, input device) and on state
 * whose every change bumps ns->dev_gen (routes, addresses, devices,
 * devconf), so a hit in the device's hint gives the answer the slow path
 * would. Only successes are kept: errors send ICMP and are rare.
 * Multicast input also reads the protocol (IGMP), so it is never hinted.
 */
int ip_route_input(const struct pkt *p, struct rtable *rt, enum drop_reason *reason,
		   int *icmp_code)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	struct netdev *dev = p->dev;
	struct netns *ns = dev->ns;
	struct rt_input_hint *h = &dev->rt_hint;
	int err;

	NS_ASSERT_OWNER(ns);
	*icmp_code = -1;
	*reason = DROP_NOT_SPECIFIED;
	if (likely(h->type && h->gen == ns->dev_gen && h->daddr == iph->daddr &&
		   h->saddr == iph->saddr)) {
		if (unlikely(h->mp_fi))
			return ip_route_input_mp_hint(ns, iph, h, rt);
		rt->type = h->type;
		rt->multipath = false;
		rt->dev = h->out;
		rt->nexthop = h->nexthop;
		rt->src = h->src;
		rt->mtu = h->mtu;
		rt->flags = 0;
		return 0;
	}
	memset(rt, 0, sizeof(*rt));
	err = ip_route_input_slow(iph, dev, rt, reason, icmp_code);
	/* rules on tos make the answer depend on more than the addresses,
	 * and so does a multipath route's path; a route that redirects is
	 * not hinted either: the hint carries no flags, and such datagrams
	 * take ip_forward one by one anyway */
	if (err == 0 && !ipv4_is_multicast(iph->daddr) && (!rt->multipath || rt->mp_fi) &&
	    !fib_rules_use_tos_mark(ns) && !(rt->flags & RTCF_DOREDIRECT)) {
		*h = (struct rt_input_hint){ .gen = ns->dev_gen, .saddr = iph->saddr,
					     .daddr = iph->daddr, .nexthop = rt->nexthop,
					     .src = rt->src, .out = rt->dev, .type = rt->type,
					     .mtu = rt->mp_fi ? rt->mtu_metric : rt->mtu,
					     .mp_fi = rt->mp_fi };
	}
	return err;
}

/* __ip_dev_find(saddr): the device of a local address, or of a `local`
 * route covering it (127.0.0.5 is lo's). */
static struct netdev *ip_dev_find(struct netns *ns, uint32_t addr)
{
	struct netdev *dev = inet_addr_local_dev(ns, addr);
	struct fib_result res;

	if (!dev && fib_table_lookup(ns, RT_TABLE_LOCAL, addr, &res) == 0 &&
	    res.type == RTN_LOCAL)
		dev = res.dev;
	return dev;
}

int ip_route_output(struct netns *ns, uint32_t daddr, uint32_t saddr, int oif, struct rtable *rt)
{
	const struct flowi4 fl = { .daddr = daddr, .saddr = saddr, .oif = oif };

	return ip_route_output_key(ns, &fl, rt);
}

int ip_route_output_key(struct netns *ns, const struct flowi4 *flp, struct rtable *rt)
{
	uint32_t daddr = flp->daddr, saddr = flp->saddr;
	int oif = flp->oif;
	struct netdev *dev_out = NULL;
	struct fib_result res;
	struct flowi4 fl4;
	uint8_t type = RTN_UNICAST;
	uint32_t gw = 0, mtu_metric = 0;
	bool mtu_lock = false;
	int err;

	NS_ASSERT_OWNER(ns);
	memset(rt, 0, sizeof(*rt));
	if (saddr) {
		if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) || ipv4_is_zeronet(saddr))
			return -EINVAL;
		/* broadcast/multicast without a device: the source picks it */
		if (!oif && (ipv4_is_multicast(daddr) || ipv4_is_lbcast(daddr))) {
			dev_out = ip_dev_find(ns, saddr);
			if (!dev_out)
				return -ENETUNREACH;
			goto make_route;
		}
		/* the source must be one of ours */
		if (!ip_dev_find(ns, saddr))
			return -ENETUNREACH;
	}
	if (oif) {
		dev_out = dev_get_by_index(ns, oif);
		if (!dev_out)
			return -ENODEV;
		if (!dev_is_up(dev_out))
			return -ENETUNREACH;
		if (ipv4_is_local_multicast(daddr) || ipv4_is_lbcast(daddr)) {
			if (!saddr)
				saddr = inet_select_addr(dev_out, 0, RT_SCOPE_LINK);
			goto make_route;
		}
		if (!saddr) {
			if (ipv4_is_multicast(daddr))
				saddr = inet_select_addr(dev_out, 0, RT_SCOPE_UNIVERSE);
			else if (!daddr)
				saddr = inet_select_addr(dev_out, 0, RT_SCOPE_HOST);
		}
	}
	if (!daddr) {
		/* a datagram to 0.0.0.0 is a datagram to ourselves */
		daddr = saddr;
		if (!daddr)
			daddr = saddr = htonl(INADDR_LOOPBACK);
		dev_out = ns->lo;
		type = RTN_LOCAL;
		goto make_route;
	}

	/* ip_route_output_key_hash: locally generated traffic comes in
	 * through lo as far as rules (iif lo) are concerned; the protocol
	 * and ports a caller gives are what multipath policy 1 hashes */
	fl4 = (struct flowi4){ .daddr = daddr, .saddr = saddr, .oif = oif,
			       .iif = LOOPBACK_IFINDEX, .mark = flp->mark,
			       .tos = flp->tos & IPTOS_RT_MASK, .proto = flp->proto,
			       .sport = flp->sport, .dport = flp->dport };
	err = fib_lookup_flow(ns, &fl4, &res);
	if (!err)
		err = fib_type_error(res.type);
	if (err) {
		/* "Apparently, routing tables are wrong. Assume that the
		 * destination is on link": allowed when the device is given,
		 * unless it is a VRF (its table had the last word) */
		if (oif && !netif_is_l3_master(dev_out)) {
			if (!saddr)
				saddr = inet_select_addr(dev_out, 0, RT_SCOPE_LINK);
			type = RTN_UNICAST;
			goto make_route;
		}
		return err;
	}
	if (res.type == RTN_LOCAL) {
		if (!saddr)
			saddr = res.prefsrc ? res.prefsrc : daddr;
		/* the L3 master is the loopback of its domain */
		dev_out = l3mdev_master_dev(res.dev);
		if (!dev_out)
			dev_out = ns->lo ? ns->lo : res.dev;
		type = RTN_LOCAL;
		goto make_route;
	}
	/* fib_select_path: a multipath route's path (by the flow's
	 * addresses, and for policy 1 the protocol and ports the caller
	 * gave), then the source for it */
	fib_select_path(ns, &res, &fl4);
	if (!saddr)
		saddr = fib_res_prefsrc(&res);
	dev_out = res.dev;
	type = res.type;
	gw = res.gw;
	mtu_metric = res.mtu;
	mtu_lock = res.mtu_lock;

make_route:
	/* __mkroute_output */
	if (!dev_out)
		return -ENETUNREACH;
	if (ipv4_is_loopback(saddr) && !(dev_out->flags & IFF_LOOPBACK))
		return -EINVAL;
	if (ipv4_is_lbcast(daddr))
		type = RTN_BROADCAST;
	else if (ipv4_is_multicast(daddr))
		type = RTN_MULTICAST;
	else if (ipv4_is_zeronet(daddr))
		return -EINVAL;
	rt->type = type;
	rt->dev = dev_out;
	rt->nexthop = (type == RTN_UNICAST && gw) ? gw : daddr;
	rt->src = saddr;
	rt->mtu = dev_out->mtu;
	/* the route's metrics (fib_info's RTAX_MTU, RTAX_LOCK) */
	if (type == RTN_UNICAST) {
		rt->mtu_metric = mtu_metric;
		if (mtu_metric)
			rt->mtu = mtu_metric;
		if (mtu_lock)
			rt->flags |= RTCF_MTU_LOCKED_ROUTE;
	}
	/* find_exception / rt_bind_exception: what ICMP taught us about this
	 * destination through this next hop (path MTU, redirect) */
	if (type == RTN_UNICAST) {
		rt->gw = gw;
		fnhe_bind(ns, rt, daddr, gw);
	}
	return 0;
}
