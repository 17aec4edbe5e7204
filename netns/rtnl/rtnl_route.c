// SPDX-License-Identifier: MIT
/*
 * RTM_NEWROUTE / DELROUTE / GETROUTE for IPv4 (net/ipv4/fib_frontend.c:
 * rtm_to_fib_config, inet_rtm_newroute, inet_rtm_delroute, inet_dump_fib;
 * fib_semantics.c: fib_dump_info; route.c: inet_rtm_getroute, rt_fill_info).
 * The FIB itself is fib.c's; this file translates messages and, for
 * `ip route get`, answers with the route a locally sent datagram would take.
 * Every handler runs on the owner of the connection's namespace.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "core/pkt.h"
#include "netns/core/dev.h"
#include "netns/proto/ip.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/route.h"
#include "netns/ipv4/route_exception.h"
#include "core/timer.h"
#include "netns/core/sysctl.h"
#include "rtnl_priv.h"

/* rtm_ipv4_policy */
static const struct nla_policy rtm_policy[RTA_MAX + 1] = {
	[RTA_DST] = { .type = NLA_U32 },
	[RTA_SRC] = { .type = NLA_U32 },
	[RTA_IIF] = { .type = NLA_U32 },
	[RTA_OIF] = { .type = NLA_U32 },
	[RTA_GATEWAY] = { .type = NLA_U32 },
	[RTA_PRIORITY] = { .type = NLA_U32 },
	[RTA_PREFSRC] = { .type = NLA_U32 },
	[RTA_METRICS] = { .type = NLA_NESTED },
	[RTA_MULTIPATH] = { .type = NLA_UNSPEC, .minlen = sizeof(struct rtnexthop) },
	[RTA_FLOW] = { .type = NLA_U32 },
	[RTA_ENCAP_TYPE] = { .type = NLA_U16 },
	[RTA_ENCAP] = { .type = NLA_NESTED },
	[RTA_UID] = { .type = NLA_U32 },
	[RTA_MARK] = { .type = NLA_U32 },
	[RTA_TABLE] = { .type = NLA_U32 },
	[RTA_IP_PROTO] = { .type = NLA_U8 },
	[RTA_SPORT] = { .type = NLA_U16 },
	[RTA_DPORT] = { .type = NLA_U16 },
	[RTA_NH_ID] = { .type = NLA_U32 },
};

/* rtnetlink_put_metrics opens RTA_METRICS with nla_nest_start_noflag:
 * iproute2 does not look for the NLA_F_NESTED bit there and would miss
 * the attribute with it. */
static size_t route_metrics_start(struct rtnl_out *o)
{
	size_t off = rtnl_nest_start(o, RTA_METRICS);

	((struct nlattr *)(o->buf + off))->nla_type = RTA_METRICS;
	return off;
}

/* fib_nexthop_info: a nexthop without link is also dead to a device that
 * ignores routes with linkdown. */
static uint32_t nh_dump_flags(const struct netdev *dev, uint32_t flags)
{
	if ((flags & RTNH_F_LINKDOWN) && dev &&
	    devconf_get(dev, DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN))
		flags |= RTNH_F_DEAD;
	return flags;
}

struct route_req {
	const struct rtmsg *rtm;
	struct nlattr *tb[RTA_MAX + 1];
	struct fib_config cfg;
};

static uint32_t nla_get_in_addr(const struct nlattr *a)
{
	uint32_t v;
	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

static int route_parse(struct rtnl_req *r, struct route_req *rr)
{
	int err = rtnl_parse(r, sizeof(struct rtmsg), rr->tb, RTA_MAX, rtm_policy);
	if (err)
		return err;
	rr->rtm = NLMSG_DATA(r->nlh);
	if (rr->rtm->rtm_family != AF_INET) {
		EXTACK_MSG(&r->ext, "Only IPv4 routes are supported");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/*
 * ip_metrics_convert for the metrics nsemu keeps: RTAX_MTU (above 65520,
 * IP_MAX_MTU - 15, it is 65520; 0 is no metric) and RTAX_LOCK's MTU bit
 * (`mtu lock N`). Every value but RTAX_CC_ALGO's is a u32; a type above
 * RTAX_MAX is invalid. Other metrics (advmss, window, ...) are refused,
 * since nothing here would act on them.
 */
static int route_parse_metrics(struct rtnl_req *r, const struct nlattr *mx,
			       struct fib_config *cfg)
{
	const struct nlattr *nla;
	int rem;

	nla_for_each_nested(nla, mx, rem) {
		int type = nla_type(nla);
		uint32_t val;

		if (!type)
			continue;
		if (type > RTAX_MAX)
			return -EINVAL;
		if (type == RTAX_CC_ALGO) {
			EXTACK_MSG(&r->ext, "Route metrics other than mtu are not supported");
			return -EOPNOTSUPP;
		}
		if (nla_len(nla) != sizeof(uint32_t)) {
			EXTACK_MSG(&r->ext, "Invalid attribute in metrics");
			return -EINVAL;
		}
		val = nla_get_u32(nla);
		if (type == RTAX_MTU) {
			cfg->mtu = val > 65535 - 15 ? 65535 - 15 : val;
		} else if (type == RTAX_LOCK) {
			if (val & ~(1u << RTAX_MTU)) {
				EXTACK_MSG(&r->ext, "Route metrics other than mtu are not supported");
				return -EOPNOTSUPP;
			}
			cfg->mtu_lock = val != 0;
		} else if (val) {
			EXTACK_MSG(&r->ext, "Route metrics other than mtu are not supported");
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* rtm_to_fib_config */
static int route_to_config(struct rtnl_req *r, struct route_req *rr)
{
	const struct rtmsg *rtm = rr->rtm;
	struct nlattr **tb = rr->tb;
	struct fib_config *cfg = &rr->cfg;

	memset(cfg, 0, sizeof(*cfg));
	if (rtm->rtm_type > RTN_MAX) {
		EXTACK_MSG(&r->ext, "Invalid route type");
		return -EINVAL;
	}
	if (rtm->rtm_dst_len > 32) {
		EXTACK_MSG(&r->ext, "Invalid prefix length");
		return -EINVAL;
	}
	if (tb[RTA_ENCAP]) {
		EXTACK_MSG(&r->ext, "Encapsulation is not supported");
		return -EOPNOTSUPP;
	}
	if (tb[RTA_NH_ID]) {
		/* rtm_to_fib_config: a nexthop object or nexthops, not both */
		cfg->nh_id = nla_get_u32(tb[RTA_NH_ID]);
		if (tb[RTA_OIF] || tb[RTA_GATEWAY] || tb[RTA_MULTIPATH]) {
			EXTACK_MSG(&r->ext,
				   "Nexthop specification and nexthop id are mutually exclusive");
			return -EINVAL;
		}
	}
	if (tb[RTA_METRICS]) {
		int err = route_parse_metrics(r, tb[RTA_METRICS], cfg);

		if (err)
			return err;
	}
	cfg->dst_len = rtm->rtm_dst_len;
	cfg->tos = rtm->rtm_tos;
	cfg->table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	/* fib_new_table / fib_get_table: table 0 means main */
	if (cfg->table == RT_TABLE_UNSPEC)
		cfg->table = RT_TABLE_MAIN;
	cfg->protocol = rtm->rtm_protocol;
	cfg->scope = rtm->rtm_scope;
	cfg->type = rtm->rtm_type;
	cfg->nlflags = r->nlh->nlmsg_flags;
	if (tb[RTA_DST])
		cfg->dst = nla_get_in_addr(tb[RTA_DST]);
	if (tb[RTA_GATEWAY])
		cfg->gw = nla_get_in_addr(tb[RTA_GATEWAY]);
	if (tb[RTA_OIF])
		cfg->oif = (int)nla_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PREFSRC])
		cfg->prefsrc = nla_get_in_addr(tb[RTA_PREFSRC]);
	if (tb[RTA_PRIORITY]) {
		cfg->priority = nla_get_u32(tb[RTA_PRIORITY]);
		cfg->has_priority = true;
	}
	/* the nexthops are read by fib_create_info / fib_nh_match, as
	 * fc_mp: the policy made sure one struct rtnexthop fits */
	if (tb[RTA_MULTIPATH]) {
		cfg->mp = nla_data(tb[RTA_MULTIPATH]);
		cfg->mp_len = nla_len(tb[RTA_MULTIPATH]);
	}
	return 0;
}

/*
 * Finding the route a request added or will delete, for its notification
 * (rtmsg_fib in fib_table_insert / fib_table_delete): the first of the
 * prefix's routes, in their order, that the request describes.
 */
typedef bool (*route_pick_fn)(const struct fib_route *rt, const struct fib_config *cfg);

struct route_find {
	const struct fib_config *cfg;
	route_pick_fn pick;
	struct rtnl_route_ent found;
	bool ok;
};

/* Same table and prefix. */
static bool route_same_prefix(const struct fib_route *rt, const struct fib_config *cfg)
{
	uint32_t table = cfg->table ? cfg->table : RT_TABLE_MAIN;
	return rt->cfg.table == table && rt->cfg.dst == cfg->dst &&
	       rt->cfg.dst_len == cfg->dst_len;
}

/* The route fib_route_add just inserted. */
static bool route_pick_added(const struct fib_route *rt, const struct fib_config *cfg)
{
	/* a route of a nexthop object: its paths (and a blackhole's type)
	 * came from the object */
	if (cfg->nh_id)
		return route_same_prefix(rt, cfg) && rt->cfg.tos == cfg->tos &&
		       rt->cfg.priority == cfg->priority && rt->cfg.nh_id == cfg->nh_id;
	if (!route_same_prefix(rt, cfg) || rt->cfg.tos != cfg->tos ||
	    rt->cfg.priority != cfg->priority || rt->cfg.type != cfg->type ||
	    (cfg->prefsrc && rt->cfg.prefsrc != cfg->prefsrc))
		return false;
	/* a multipath request: the route's nexthops are the request's */
	if (cfg->mp)
		return fib_route_nh_match(cfg, rt);
	return rt->cfg.gw == cfg->gw && (!cfg->oif || (rt->dev && rt->dev->ifindex == cfg->oif));
}

/* The route fib_route_del deletes: the same wildcard rules. */
static bool route_pick_deleted(const struct fib_route *rt, const struct fib_config *cfg)
{
	if (!route_same_prefix(rt, cfg) || rt->cfg.tos != cfg->tos)
		return false;
	if (cfg->type && rt->cfg.type != cfg->type)
		return false;
	if (cfg->scope != RT_SCOPE_NOWHERE && rt->cfg.scope != cfg->scope)
		return false;
	if (cfg->prefsrc && rt->cfg.prefsrc != cfg->prefsrc)
		return false;
	if (cfg->protocol && rt->cfg.protocol != cfg->protocol)
		return false;
	if ((cfg->has_priority || cfg->priority) && rt->cfg.priority != cfg->priority)
		return false;
	return fib_route_nh_match(cfg, rt);
}

static int route_find_one(const struct fib_route *rt, void *arg)
{
	struct route_find *f = arg;
	if (!f->pick(rt, f->cfg))
		return 0;
	rtnl_route_ent_set(&f->found, rt);
	/* the paths, copied: the notification may follow the route's end */
	if (rt->nhs) {
		f->found.nh = malloc(rt->nhs * sizeof(*f->found.nh));
		if (!f->found.nh)
			return 1; /* a notification less, never a wrong one */
		for (unsigned i = 0; i < rt->nhs; i++)
			f->found.nh[i] = (struct rtnl_route_nh){
				rt->nh[i].dev->ifindex, rt->nh[i].gw, rt->nh[i].weight,
				(uint8_t)nh_dump_flags(rt->nh[i].dev, rt->nh[i].flags)
			};
		f->found.nhs = rt->nhs;
	}
	f->ok = true;
	return 1;
}

static bool route_find(struct netns *ns, const struct fib_config *cfg, route_pick_fn pick,
		       struct rtnl_route_ent *out)
{
	struct route_find f = { .cfg = cfg, .pick = pick };

	fib_prefix_walk(ns, cfg->table, cfg->dst, cfg->dst_len, route_find_one, &f);
	if (f.ok)
		*out = f.found;
	return f.ok;
}

static int route_new_owner(struct rtnl_req *r)
{
	struct route_req *rr = r->priv;
	int err = fib_route_add(r->ns, &rr->cfg, &r->ext);
	struct rtnl_route_ent e;
	if (!err && rtnl_notifying(r) && route_find(r->ns, &rr->cfg, route_pick_added, &e)) {
		rtnl_notify_route(r, r->ns, &e, RTM_NEWROUTE);
		free(e.nh);
	}
	return err;
}

static int route_del_owner(struct rtnl_req *r)
{
	struct route_req *rr = r->priv;
	struct rtnl_route_ent e;
	bool found = rtnl_notifying(r) && route_find(r->ns, &rr->cfg, route_pick_deleted, &e);
	int err = fib_route_del(r->ns, &rr->cfg, &r->ext);
	if (!err && found)
		rtnl_notify_route(r, r->ns, &e, RTM_DELROUTE);
	if (found)
		free(e.nh);
	return err;
}

int rtnl_newroute(struct rtnl_req *r)
{
	struct route_req rr;
	int err = route_parse(r, &rr);
	if (!err)
		err = route_to_config(r, &rr);
	if (err)
		return err;
	/* inet_rtm_newroute: a new route needs a type */
	if (rr.cfg.type == RTN_UNSPEC) {
		EXTACK_MSG(&r->ext, "Invalid route type");
		return -EINVAL;
	}
	r->priv = &rr;
	return rtnl_on_owner(r, route_new_owner);
}

int rtnl_delroute(struct rtnl_req *r)
{
	struct route_req rr;
	int err = route_parse(r, &rr);
	if (!err)
		err = route_to_config(r, &rr);
	if (err)
		return err;
	r->priv = &rr;
	return rtnl_on_owner(r, route_del_owner);
}

void rtnl_route_ent_set(struct rtnl_route_ent *e, const struct fib_route *rt)
{
	memset(e, 0, sizeof(*e));
	e->cfg = rt->cfg;
	/* request-only fields are not part of the route's identity */
	e->cfg.nlflags = 0;
	e->cfg.has_priority = false;
	e->ifindex = rt->dev ? rt->dev->ifindex : 0;
	/* a multipath route's own flags are fib_info's, its paths' their own */
	e->rtflags = rt->nhs ? rt->flags : nh_dump_flags(rt->dev, rt->flags);
}

/* One struct rtnexthop of RTA_MULTIPATH, its gateway nested. */
static void put_rtnh(struct rtnl_out *o, uint8_t flags, uint16_t weight, int ifindex, uint32_t gw)
{
	size_t at = o->len;
	struct rtnexthop *rtnh = rtnl_out_reserve_raw(o, sizeof(*rtnh));

	*rtnh = (struct rtnexthop){ .rtnh_flags = flags, .rtnh_hops = (uint8_t)(weight - 1),
				    .rtnh_ifindex = ifindex };
	if (gw)
		rtnl_put(o, RTA_GATEWAY, &gw, 4);
	((struct rtnexthop *)(o->buf + at))->rtnh_len = (unsigned short)(o->len - at);
}

/* fib_dump_info: one route as `ip route show` reads it; a multipath
 * route's paths from the view @v if given, else from @e. */
static void route_fill_msg(struct rtnl_req *r, const struct rtnl_route_ent *e,
			   const struct fib_route *v, uint16_t type, uint16_t flags)
{
	struct rtnl_out *o = r->out;
	const struct fib_config *c = &e->cfg;
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = c->dst_len,
		.rtm_tos = c->tos,
		.rtm_table = c->table < 256 ? (uint8_t)c->table : RT_TABLE_COMPAT,
		.rtm_protocol = c->protocol,
		.rtm_scope = c->scope,
		.rtm_type = c->type,
		/* a single nexthop's dead/linkdown flags go in rtm_flags, a
		 * multipath route's own (fib_info's) too */
		.rtm_flags = e->rtflags,
	};
	size_t off = rtnl_msg_start(r, type, flags, &rtm, sizeof(rtm));

	rtnl_put_u32(o, RTA_TABLE, c->table);
	if (c->dst_len)
		rtnl_put(o, RTA_DST, &c->dst, 4);
	if (c->priority)
		rtnl_put_u32(o, RTA_PRIORITY, c->priority);
	if (c->prefsrc)
		rtnl_put(o, RTA_PREFSRC, &c->prefsrc, 4);
	/* fib_dump_info: the object's id, then (nexthop_compat_mode) its
	 * paths; a blackhole object's device is the loopback */
	if (c->nh_id) {
		rtnl_put_u32(o, RTA_NH_ID, c->nh_id);
		if (c->type == RTN_BLACKHOLE && !e->ifindex)
			rtnl_put_u32(o, RTA_OIF, 1);
	}
	if (e->nhs) {
		/* fib_add_multipath: a nest without NLA_F_NESTED, as the
		 * kernel's nla_nest_start_noflag */
		size_t mp = o->len;

		rtnl_put(o, RTA_MULTIPATH, NULL, 0);
		for (unsigned i = 0; i < e->nhs; i++) {
			if (v)
				put_rtnh(o, (uint8_t)nh_dump_flags(v->nh[i].dev, v->nh[i].flags),
					 v->nh[i].weight, v->nh[i].dev->ifindex, v->nh[i].gw);
			else
				put_rtnh(o, e->nh[i].flags, e->nh[i].weight, e->nh[i].ifindex,
					 e->nh[i].gw);
		}
		((struct nlattr *)(o->buf + mp))->nla_len = (uint16_t)(o->len - mp);
	} else {
		if (c->gw)
			rtnl_put(o, RTA_GATEWAY, &c->gw, 4);
		if (e->ifindex)
			rtnl_put_u32(o, RTA_OIF, (uint32_t)e->ifindex);
	}
	if (c->mtu || c->mtu_lock) {
		/* rtnetlink_put_metrics: only the metrics set */
		size_t nest = route_metrics_start(o);

		if (c->mtu_lock)
			rtnl_put_u32(o, RTAX_LOCK, 1u << RTAX_MTU);
		if (c->mtu)
			rtnl_put_u32(o, RTAX_MTU, c->mtu);
		rtnl_nest_end(o, nest);
	}
	rtnl_msg_end(o, off);
}

void rtnl_route_fill(struct rtnl_req *r, const struct rtnl_route_ent *e, uint16_t type,
		     uint16_t flags)
{
	route_fill_msg(r, e, NULL, type, flags);
}

static void route_fill(struct rtnl_req *r, const struct fib_route *rt, uint16_t flags)
{
	struct rtnl_route_ent e;

	rtnl_route_ent_set(&e, rt);
	e.nhs = rt->nhs;
	route_fill_msg(r, &e, rt, RTM_NEWROUTE, flags);
}

static int route_dump_one(const struct fib_route *rt, void *arg)
{
	route_fill(arg, rt, NLM_F_MULTI);
	return 0;
}

static int route_dump_owner(struct rtnl_req *r)
{
	fib_walk(r->ns, route_dump_one, r);
	return RTNL_DUMPED;
}

static uint32_t route_expires_clock(const struct rtable *rt);
static void route_put_exception(struct rtnl_out *o, const struct rtable *rt);

/* fib_dump_info_fnhe: one exception as a cloned route (rt_fill_info
 * without a flow: no source, no uid): `ip route show cache` prints
 * "D via G dev X \n    cache [<redirected>] expires Nsec [mtu M]". */
static int route_dump_fnhe_one(const struct fnhe_view *e, void *arg)
{
	struct rtnl_req *r = arg;
	struct rtnl_out *o = r->out;
	struct netdev *dev = dev_get_by_index(r->ns, e->oif);
	uint32_t gw = e->gw ? e->gw : e->nh_gw;
	struct rtable rt = { .pmtu = e->pmtu, .expires = e->expires,
			     .flags = e->mtu_locked ? RTCF_MTU_LOCKED : 0 };
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = 32,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_UNSPEC,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
		.rtm_flags = RTM_F_CLONED | (e->gw ? RTCF_REDIRECTED : 0),
	};
	size_t off;

	if (!dev)
		return 0;
	off = rtnl_msg_start(r, RTM_NEWROUTE, NLM_F_MULTI, &rtm, sizeof(rtm));
	rtnl_put_u32(o, RTA_TABLE, RT_TABLE_MAIN);
	rtnl_put(o, RTA_DST, &e->daddr, 4);
	rtnl_put_u32(o, RTA_OIF, (uint32_t)dev->ifindex);
	if (gw)
		rtnl_put(o, RTA_GATEWAY, &gw, 4);
	route_put_exception(o, &rt);
	struct rta_cacheinfo ci = { .rta_expires = route_expires_clock(&rt) };
	rtnl_put(o, RTA_CACHEINFO, &ci, sizeof(ci));
	rtnl_msg_end(o, off);
	return 0;
}

static int route_dump_fnhe_owner(struct rtnl_req *r)
{
	fnhe_walk(r->ns, route_dump_fnhe_one, r);
	return RTNL_DUMPED;
}

/* inet_dump_fib: every table (`ip` filters by table itself), or with
 * RTM_F_CLONED in the request's rtm_flags the exceptions instead (`ip
 * route show cache`). Families other than IPv4 get an empty dump. */
int rtnl_dumproute(struct rtnl_req *r)
{
	if (r->nlh->nlmsg_len >= NLMSG_LENGTH(1)) {
		uint8_t family = *(const uint8_t *)NLMSG_DATA(r->nlh);
		if (family != AF_UNSPEC && family != AF_INET)
			return RTNL_DUMPED;
	}
	if (r->nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct rtmsg)) &&
	    (((const struct rtmsg *)NLMSG_DATA(r->nlh))->rtm_flags & RTM_F_CLONED))
		return rtnl_on_owner(r, route_dump_fnhe_owner);
	return rtnl_on_owner(r, route_dump_owner);
}

/* rt_fill_info's expiry: what is left of the exception applied to @rt,
 * in USER_HZ (100) ticks, 0 when none applies. */
static uint32_t route_expires_clock(const struct rtable *rt)
{
	uint64_t now = loop_now();

	if (!rt->expires || rt->expires <= now)
		return 0;
	return (uint32_t)((rt->expires - now) / (NSEC_PER_SEC / 100));
}

/* rt_fill_info's metrics: the route's, with a learned path MTU in force
 * in place of its MTU, locked when the route says `mtu lock` or the
 * learned one was clamped to min_pmtu (RTAX_LOCK bit RTAX_MTU), as `ip`
 * shows "mtu 1400" / "mtu lock 552". */
static void route_put_exception(struct rtnl_out *o, const struct rtable *rt)
{
	bool live = rt->pmtu && rt->expires;
	uint32_t mtu = live ? rt->pmtu : rt->mtu_metric;
	bool lock = (rt->flags & RTCF_MTU_LOCKED_ROUTE) || (live && (rt->flags & RTCF_MTU_LOCKED));
	size_t nest;

	if (!mtu && !lock)
		return;
	nest = route_metrics_start(o);
	if (lock)
		rtnl_put_u32(o, RTAX_LOCK, 1u << RTAX_MTU);
	if (mtu)
		rtnl_put_u32(o, RTAX_MTU, mtu);
	rtnl_nest_end(o, nest);
}

/* The RTCF_* bits rt_fill_info puts in rtm_flags that `ip` prints after
 * "cache" (local delivery, broadcast, redirected) come from
 * <linux/in_route.h>, through route.h. */

/*
 * An input lookup for `ip route get ... iif DEV` (inet_rtm_getroute with
 * RTA_IIF): a datagram with these addresses and tos arriving on @dev,
 * routed by ip_route_input as a received one would be. 0 or -errno.
 */
static int route_get_input(struct netdev *dev, uint32_t dst, uint32_t src, uint8_t tos,
			   struct rtable *rt)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, sizeof(struct iphdr));
	enum drop_reason reason;
	struct iphdr *iph;
	int icmp_code, err;

	if (!p)
		return -ENOMEM;
	pkt_set_l3(p);
	iph = (struct iphdr *)pkt_l3(p);
	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = tos;
	iph->ttl = 64;
	iph->protocol = IPPROTO_ICMP;
	iph->tot_len = htons(sizeof(*iph));
	iph->saddr = src;
	iph->daddr = dst;
	p->dev = dev;
	p->ns = dev->ns;
	err = ip_route_input(p, rt, &reason, &icmp_code);
	/* a probe, never a datagram that was received: not a drop */
	pkt_free(p);
	return err;
}

/*
 * inet_rtm_getroute (`ip route get ADDR [from SRC] [iif DEV] [oif DEV]
 * [mark M] [tos T] [fibmatch]`): the route a datagram would take, sent
 * from this namespace or (iif) received on DEV, through the same flow the
 * data path builds, so rules see from, iif (lo for local output), oif,
 * mark and tos. Answered as rt_fill_info describes a cached route
 * (RTM_F_CLONED; RTA_UID and RTA_CACHEINFO for output), or with
 * RTM_F_FIB_MATCH as the matching FIB entry. The table is the one the
 * lookup found when RTM_F_LOOKUP_TABLE asks for it (iproute2 always
 * does), else main. Errors are the lookup's (-ENETUNREACH, -EHOSTUNREACH,
 * -EACCES, -EINVAL) without extack, as Linux. Owner.
 */
static int route_get_owner(struct rtnl_req *r)
{
	struct route_req *rr = r->priv;
	struct nlattr **tb = rr->tb;
	uint32_t dst = nla_get_in_addr(tb[RTA_DST]);
	uint32_t src = tb[RTA_SRC] ? nla_get_in_addr(tb[RTA_SRC]) : 0;
	uint32_t mark = tb[RTA_MARK] ? nla_get_u32(tb[RTA_MARK]) : 0;
	int oif = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0;
	int iif = tb[RTA_IIF] ? (int)nla_get_u32(tb[RTA_IIF]) : 0;
	uint8_t tos = rr->rtm->rtm_tos & 0x1c; /* IPTOS_RT_MASK */
	struct flowi4 fl = { .daddr = dst, .saddr = src, .oif = oif, .iif = iif ? iif : 1,
			     .mark = mark, .tos = tos };
	uint32_t table = RT_TABLE_MAIN, rtcf = 0;
	struct fib_result res;
	struct rtable rt;
	int err;

	/* rtm_getroute_parse_ip_proto, RTA_SPORT, RTA_DPORT: what multipath
	 * policy 1 hashes (`ip route get ... ipproto udp sport S dport D`) */
	if (tb[RTA_IP_PROTO]) {
		fl.proto = nla_get_u8(tb[RTA_IP_PROTO]);
		if (fl.proto != IPPROTO_TCP && fl.proto != IPPROTO_UDP && fl.proto != IPPROTO_ICMP) {
			EXTACK_MSG(&r->ext, "Unsupported ip proto");
			return -EOPNOTSUPP;
		}
	}
	if (tb[RTA_SPORT])
		fl.sport = nla_get_u16(tb[RTA_SPORT]);
	if (tb[RTA_DPORT])
		fl.dport = nla_get_u16(tb[RTA_DPORT]);
	if (iif) {
		struct netdev *dev = dev_get_by_index(r->ns, iif);

		if (!dev)
			return -ENODEV;
		err = route_get_input(dev, dst, src, tos, &rt);
	} else {
		if (oif && !dev_get_by_index(r->ns, oif))
			return -ENODEV;
		err = ip_route_output_key(r->ns, &fl, &rt);
	}
	if (err)
		return err;
	/* the FIB's answer for the same flow: its table, or the entry */
	memset(&res, 0, sizeof(res));
	err = fib_lookup_flow(r->ns, &fl, &res);
	if ((rr->rtm->rtm_flags & RTM_F_LOOKUP_TABLE) && !err && res.table)
		table = res.table;

	if (rr->rtm->rtm_flags & RTM_F_FIB_MATCH) {
		struct fib_route fr;
		struct rtnl_route_ent e;

		if (err || !fib_result_route(r->ns, &res, &fr))
			return -EHOSTUNREACH;
		rtnl_route_ent_set(&e, &fr);
		e.cfg.table = table;
		/* a multipath route (also one of a nexthop group) with its
		 * paths, as fib_dump_info fills it */
		e.nhs = fr.nhs;
		route_fill_msg(r, &e, &fr, RTM_NEWROUTE, 0);
		return 0;
	}

	if (rt.type == RTN_LOCAL)
		rtcf = RTCF_LOCAL; /* `ip` prints "cache <local>" */
	else if (rt.type == RTN_BROADCAST)
		rtcf = RTCF_BROADCAST | RTCF_MULTICAST | (iif ? RTCF_LOCAL : 0);
	/* RTCF_REDIRECTED (output through a redirect: "cache <redirected>"),
	 * RTCF_DOREDIRECT (input that would send one: "cache <redirect>") */
	rtcf |= rt.flags & (RTCF_REDIRECTED | RTCF_DOREDIRECT);
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = 32,
		.rtm_src_len = tb[RTA_SRC] ? 32 : 0,
		.rtm_tos = rr->rtm->rtm_tos,
		.rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_COMPAT,
		.rtm_protocol = RTPROT_UNSPEC,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = rt.type,
		.rtm_flags = rtcf | RTM_F_CLONED,
	};
	struct rtnl_out *o = r->out;
	size_t off = rtnl_msg_start(r, RTM_NEWROUTE, 0, &rtm, sizeof(rtm));
	rtnl_put_u32(o, RTA_TABLE, table);
	rtnl_put(o, RTA_DST, &dst, 4);
	if (tb[RTA_SRC])
		rtnl_put(o, RTA_SRC, &src, 4);
	if (rt.dev)
		rtnl_put_u32(o, RTA_OIF, (uint32_t)rt.dev->ifindex);
	/* the source output chose, when none was asked for */
	if (!iif && rt.src && rt.src != src)
		rtnl_put(o, RTA_PREFSRC, &rt.src, 4);
	if (rt.nexthop && rt.nexthop != dst)
		rtnl_put(o, RTA_GATEWAY, &rt.nexthop, 4);
	route_put_exception(o, &rt);
	if (mark)
		rtnl_put_u32(o, RTA_MARK, mark);
	if (!iif)
		rtnl_put_u32(o, RTA_UID, 0);
	struct rta_cacheinfo ci = { .rta_expires = route_expires_clock(&rt) };
	rtnl_put(o, RTA_CACHEINFO, &ci, sizeof(ci));
	if (iif)
		rtnl_put_u32(o, RTA_IIF, (uint32_t)iif);
	rtnl_msg_end(o, off);
	return 0;
}

int rtnl_getroute(struct rtnl_req *r)
{
	struct route_req rr;
	int err = route_parse(r, &rr);
	if (err)
		return err;
	if (!rr.tb[RTA_DST]) {
		EXTACK_MSG(&r->ext, "Destination address is required");
		return -EINVAL;
	}
	r->priv = &rr;
	return rtnl_on_owner(r, route_get_owner);
}

/* As rtnl_addr_init: AF_INET, and AF_UNSPEC for the other families. */
void rtnl_route_init(void)
{
	static const int fams[] = { AF_INET, AF_UNSPEC };

	for (unsigned i = 0; i < ARRAY_SIZE(fams); i++) {
		rtnl_register(fams[i], RTM_NEWROUTE, rtnl_newroute, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_DELROUTE, rtnl_delroute, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_GETROUTE, rtnl_getroute, rtnl_dumproute,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
	}
}
