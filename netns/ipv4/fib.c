// SPDX-License-Identifier: MIT
/*
 * The IPv4 FIB (net/ipv4/fib_trie.c, fib_semantics.c, fib_frontend.c): per
 * table, a control structure of prefix entries, each holding the routes of
 * one prefix ordered as the kernel orders its fib_aliases (tos descending,
 * then priority, then insertion), and a core/lpm trie mapping the prefix to
 * its entry (STYLE H8: control table apart from the forwarding structure).
 * Route insertion and deletion follow fib_table_insert/fib_table_delete and
 * fib_create_info/fib_check_nh; lookup follows fib_table_lookup, including
 * its backtracking to shorter prefixes when no route of the longest one is
 * usable. Device events follow fib_netdev_event. The table's entries and
 * exact-match index are fib_table.c's, the next-hop records and the
 * indexes by device and source fib_nh.c's (fib_priv.h). Owner thread only.
 */
#include "fib_priv.h"
#include "nexthop.h"
#include "fib_rules.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "core/lpm.h"
#include "netns/core/dev.h"
#include "netns/core/neigh.h"
#include "netns/core/sysctl.h"
#include "netns/proto/ip.h"

/* fib_props[]: the minimum scope of each type and the error it means. */
static const struct {
	uint8_t scope;
	int error;
} fib_props[RTN_MAX + 1] = {
	[RTN_UNSPEC] = { RT_SCOPE_NOWHERE, 0 },
	[RTN_UNICAST] = { RT_SCOPE_UNIVERSE, 0 },
	[RTN_LOCAL] = { RT_SCOPE_HOST, 0 },
	[RTN_BROADCAST] = { RT_SCOPE_LINK, 0 },
	[RTN_ANYCAST] = { RT_SCOPE_LINK, 0 },
	[RTN_MULTICAST] = { RT_SCOPE_UNIVERSE, 0 },
	[RTN_BLACKHOLE] = { RT_SCOPE_UNIVERSE, -EINVAL },
	[RTN_UNREACHABLE] = { RT_SCOPE_UNIVERSE, -EHOSTUNREACH },
	[RTN_PROHIBIT] = { RT_SCOPE_UNIVERSE, -EACCES },
	[RTN_THROW] = { RT_SCOPE_UNIVERSE, -EAGAIN },
	[RTN_NAT] = { RT_SCOPE_NOWHERE, -EINVAL },
	[RTN_XRESOLVE] = { RT_SCOPE_NOWHERE, -EINVAL },
};


int fib_init(struct netns *ns)
{
	ns->fib = calloc(1, sizeof(*ns->fib));
	return ns->fib ? 0 : -ENOMEM;
}

void fib_exit(struct netns *ns)
{
	struct fib *f = ns->fib;

	if (!f)
		return;
	while (f->tables) {
		struct fib_table *tb = f->tables;

		f->tables = tb->next;
		fib_table_free(tb);
	}
	fib_nh_exit(f);
	fib_rules_free(ns);
	free(f);
	ns->fib = NULL;
}

/* ---- lookup ---- */

/* netif_carrier_ok for a route's device. */
static bool route_linkdown(const struct fib_route *r)
{
	return r->dev && r->cfg.scope != RT_SCOPE_HOST && !r->dev->carrier;
}

static bool nh_linkdown(const struct fib_nh *n)
{
	return n->dev && n->scope != RT_SCOPE_HOST && !n->dev->carrier;
}

/* ip_ignore_linkdown: conf.{all,DEV}.ignore_routes_with_linkdown. */
static bool ignore_linkdown(const struct netdev *dev)
{
	return devconf_get(dev, DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN);
}

struct fib_flow {
	int oif;
	uint8_t scope;
	bool ignore_linkstate;
};

/* fib_lookup_good_nhc for each path of a multipath record: the first
 * path usable for @fl (not dead, link up unless ignored, through fl->oif
 * if given), or -1. */
static int mp_match(const struct fib_mp *mp, const struct fib_flow *fl)
{
	for (uint32_t i = 0; i < mp->n; i++) {
		const struct fib_path *p = &mp->p[i];

		if (p->flags & RTNH_F_DEAD)
			continue;
		if (!fl->ignore_linkstate && (p->flags & RTNH_F_LINKDOWN) && ignore_linkdown(p->dev))
			continue;
		if (fl->oif && p->dev->ifindex != fl->oif)
			continue;
		return (int)i;
	}
	return -1;
}

/* The first route of a prefix usable for @fl, in fib_table_lookup's
 * order: its place (and in *sel the path a multipath route offers), or
 * -1. */
static int entry_match(const struct fib *f, const struct fib_table *tb, const struct fib_entry *e,
		       const struct fib_flow *fl, int *sel)
{
	struct fib_alias one;
	unsigned n;
	const struct fib_alias *a = fib_entry_aliases(tb, e, &one, &n);

	for (unsigned i = 0; i < n; i++) {
		const struct fib_nh *nh = &f->nh[a[i].nh];

		/* Lookups carry no TOS: only tos-0 routes match, as for a
		 * flow with tos 0 in the kernel. */
		if (a[i].tos)
			continue;
		if (nh->scope < fl->scope)
			continue;
		*sel = 0;
		/* error types answer before any nexthop check */
		if (fib_type_is_error(nh->type))
			return (int)i;
		if (nh->mp) {
			if ((*sel = mp_match(nh->mp, fl)) < 0)
				continue;
			return (int)i;
		}
		if (!fl->ignore_linkstate && nh_linkdown(nh) && ignore_linkdown(nh->dev))
			continue;
		if (fl->oif && (!nh->dev || nh->dev->ifindex != fl->oif))
			continue;
		return (int)i;
	}
	return -1;
}

/* A table's answer for host-order @a whose longest prefix has leaf value
 * @v and length @len: 1 found, 0 nothing here (try the next table),
 * -EAGAIN throw. */
static int table_finish(const struct fib *f, const struct fib_table *tb, uint32_t a, uint32_t v,
			unsigned len, const struct fib_flow *fl, struct fib_result *res)
{
	uint32_t dst = htonl(len ? a & ~0u << (32 - len) : 0), idx = v, nhi = v & ~LEAF_NH;
	const struct fib_entry *e;
	const struct fib_nh *n;
	struct fib_alias one;
	unsigned cnt;
	int i = 0, sel = 0;

	if (likely(v & LEAF_NH)) {
		/* entry_match's answer from the route's record: taken unless
		 * the lookup is bound to a device, the record's scope is too
		 * narrow, a down carrier hides it or it has several paths */
		n = &f->nh[nhi];
		if (!n->mp && !fl->oif && n->scope >= fl->scope &&
		    (!n->linkcheck || n->dev->carrier || fl->ignore_linkstate ||
		     !ignore_linkdown(n->dev)))
			goto found;
		idx = fib_pfx_find(tb, dst, len);
	}
	e = &tb->ent[idx];
	while ((i = entry_match(f, tb, e, fl, &sel)) < 0) {
		/* fib_table_lookup backtracks to the next shorter prefix when no
		 * alias of this one fits the flow (rare: oif-bound or
		 * scope-limited lookups, linkdown routes) */
		idx = fib_entry_cover(tb, a, e->dst_len);
		if (idx == UINT32_MAX)
			return 0;
		e = &tb->ent[idx];
	}
	nhi = fib_entry_aliases(tb, e, &one, &cnt)[i].nh;
	n = &f->nh[nhi];
	dst = e->dst;
	len = e->dst_len;
found:
	if (n->type == RTN_THROW)
		return -EAGAIN;
	*res = (struct fib_result){
		.type = n->type,
		.scope = n->scope,
		.prefixlen = (uint8_t)len,
		.alias = (uint16_t)i,
		.table = tb->id,
		.dev = n->dev,
		.gw = n->gw,
		.prefsrc = n->prefsrc,
		.dst = dst,
		.mtu = n->mtu,
		.mtu_lock = n->mtu_lock,
	};
	if (n->mp && !fib_type_is_error(n->type)) {
		/* the first usable path; fib_select_path may pick another */
		res->fi = nhi;
		res->nh_sel = (uint16_t)sel;
		res->dev = n->mp->p[sel].dev;
		res->gw = n->mp->p[sel].gw;
	}
	return 1;
}

/* table_finish for the common answer, inline: a plain lookup (no oif,
 * scope universe, carrier checks only if asked) of a prefix whose record
 * is in its leaf. */
static inline int table_finish_fast(const struct fib *f, const struct fib_table *tb, uint32_t a,
				    uint32_t v, unsigned len, const struct fib_flow *fl,
				    struct fib_result *res)
{
	const struct fib_nh *n = &f->nh[v & ~LEAF_NH];

	if (!(v & LEAF_NH) || (n->linkcheck && !n->dev->carrier) || n->slow)
		return table_finish(f, tb, a, v, len, fl, res);
	*res = (struct fib_result){
		.type = n->type,
		.scope = n->scope,
		.prefixlen = (uint8_t)len,
		.table = tb->id,
		.dev = n->dev,
		.gw = n->gw,
		.prefsrc = n->prefsrc,
		.dst = htonl(len ? a & ~0u << (32 - len) : 0),
		.mtu = n->mtu,
		.mtu_lock = n->mtu_lock,
	};
	return 1;
}

/* One table: 1 found, 0 nothing here (try the next table), -EAGAIN throw.
 * Inlined: in a lookup one at a time, the fewer instructions each takes,
 * the more of their cache misses the CPU overlaps. */
static inline __attribute__((always_inline)) int table_lookup(const struct fib *f, const struct fib_table *tb, uint32_t daddr,
			const struct fib_flow *fl, struct fib_result *res)
{
	uint32_t a = ntohl(daddr), v;
	unsigned len;

	if (!lpm_lookup_len(tb->lpm, a, &v, &len)) {
		/* out of memory took the trie: the index still knows */
		if (likely(!lpm_broken(tb->lpm)) || (v = fib_entry_cover(tb, a, 33)) == UINT32_MAX)
			return 0;
		len = tb->ent[v].dst_len;
	}
	if (!fl->oif && fl->scope == RT_SCOPE_UNIVERSE && !fl->ignore_linkstate)
		return table_finish_fast(f, tb, a, v, len, fl, res);
	return table_finish(f, tb, a, v, len, fl, res);
}

int fib_lookup_flow(struct netns *ns, const struct flowi4 *fl4, struct fib_result *res)
{
	const struct fib_flow fl = { fl4->oif, fl4->scope,
				     !!(fl4->flags & FLOWI_FLAG_IGNORE_LINKSTATE) };
	uint32_t daddr = fl4->daddr;
	const struct fib *f = ns->fib;

	NS_ASSERT_OWNER(ns);
	if (unlikely(f->custom_rules))
		return fib_rules_lookup(ns, fl4, res);
	/* the default rules: 0 lookup local, 32766 main, 32767 default */
	if (f->local && table_lookup(f, f->local, daddr, &fl, res) == 1)
		return 0;
	if (f->main && table_lookup(f, f->main, daddr, &fl, res) == 1)
		return 0;
	if (f->deflt && table_lookup(f, f->deflt, daddr, &fl, res) == 1)
		return 0;
	return -ENETUNREACH;
}

int fib_table_lookup_fl(struct netns *ns, const struct fib_table *tb, const struct flowi4 *fl4,
			struct fib_result *res)
{
	const struct fib_flow fl = { fl4->oif, fl4->scope,
				     !!(fl4->flags & FLOWI_FLAG_IGNORE_LINKSTATE) };

	return table_lookup(ns->fib, tb, fl4->daddr, &fl, res);
}

int fib_lookup(struct netns *ns, uint32_t daddr, struct fib_result *res)
{
	const struct flowi4 fl4 = { .daddr = daddr };

	return fib_lookup_flow(ns, &fl4, res);
}

static_assert(FIB_BATCH <= LPM_BATCH, "a FIB batch is one lpm batch per table");

void fib_lookup_batch(struct netns *ns, const uint32_t *daddr, unsigned n,
		      struct fib_result *res, int *ret)
{
	const struct fib_flow fl = { 0, RT_SCOPE_UNIVERSE, false };
	const struct fib *f = ns->fib;
	const struct fib_table *order[3], *tb;
	uint32_t a[FIB_BATCH], v[3][FIB_BATCH];
	uint8_t len[3][FIB_BATCH];
	unsigned nt = 0;

	NS_ASSERT_OWNER(ns);
	if (unlikely(f->custom_rules)) {
		/* rules other than the defaults: one rule walk per destination */
		for (unsigned i = 0; i < n; i++)
			ret[i] = fib_lookup_flow(ns, &(struct flowi4){ .daddr = daddr[i] }, &res[i]);
		return;
	}
	/* the default rules, as fib_lookup_flow: the tables that exist */
	if (f->local)
		order[nt++] = f->local;
	if (f->main)
		order[nt++] = f->main;
	if (f->deflt)
		order[nt++] = f->deflt;
	while (n) {
		unsigned m = MIN(n, FIB_BATCH);

		for (unsigned i = 0; i < m; i++)
			a[i] = ntohl(daddr[i]);
		/* each table's trie walks together; the entries that are
		 * needed (prefixes without a record in their leaf) are asked
		 * for together before any is read */
		for (unsigned t = 0; t < nt; t++) {
			bool broken;

			tb = order[t];
			lpm_lookup_batch(tb->lpm, a, m, v[t], len[t]);
			broken = lpm_broken(tb->lpm);
			for (unsigned i = 0; i < m; i++) {
				if (unlikely(broken) &&
				    (v[t][i] = fib_entry_cover(tb, a[i], 33)) != LPM_MISS)
					len[t][i] = (uint8_t)tb->ent[v[t][i]].dst_len;
				if (v[t][i] != LPM_MISS && !(v[t][i] & LEAF_NH))
					prefetch(&tb->ent[v[t][i]]);
			}
		}
		for (unsigned i = 0; i < m; i++) {
			ret[i] = -ENETUNREACH;
			for (unsigned t = 0; t < nt; t++) {
				if (v[t][i] != LPM_MISS &&
				    table_finish_fast(f, order[t], a[i], v[t][i], len[t][i], &fl,
						      &res[i]) == 1) {
					ret[i] = 0;
					break;
				}
			}
		}
		daddr += m;
		res += m;
		ret += m;
		n -= m;
	}
}

int fib_table_lookup(struct netns *ns, uint32_t table, uint32_t daddr, struct fib_result *res)
{
	const struct fib_flow fl = { 0, RT_SCOPE_UNIVERSE, false };
	const struct fib_table *tb;

	NS_ASSERT_OWNER(ns);
	tb = fib_get_table(ns->fib, table ? table : RT_TABLE_MAIN);
	if (tb && table_lookup(ns->fib, tb, daddr, &fl, res) == 1)
		return 0;
	return -ENETUNREACH;
}

/* A route as callers see it. */
static void route_view(const struct fib *f, const struct fib_table *tb, const struct fib_entry *e,
		       const struct fib_alias *a, struct fib_route *out)
{
	const struct fib_nh *n = &f->nh[a->nh];

	*out = (struct fib_route){
		.cfg = {
			.table = tb->id,
			.dst = e->dst,
			.dst_len = (uint8_t)e->dst_len,
			.tos = a->tos,
			.type = n->type,
			.scope = n->scope,
			.protocol = n->protocol,
			.gw = n->gw,
			.oif = n->dev ? n->dev->ifindex : 0,
			.prefsrc = n->prefsrc,
			.priority = n->priority,
			.mtu = n->mtu,
			.mtu_lock = n->mtu_lock,
			.nh_id = n->nh_id,
		},
		.dev = n->dev,
		.flags = n->mp ? n->mp->flags : nh_linkdown(n) ? RTNH_F_LINKDOWN : 0,
		.nhs = n->mp ? n->mp->n : 0,
		.nh = n->mp ? n->mp->p : NULL,
	};
}

bool fib_result_route(struct netns *ns, const struct fib_result *res, struct fib_route *out)
{
	const struct fib *f = ns->fib;
	const struct fib_table *tb;
	const struct fib_alias *a;
	struct fib_alias one;
	uint32_t idx;
	unsigned n;

	NS_ASSERT_OWNER(ns);
	tb = res->table ? fib_get_table(f, res->table) : NULL;
	if (!tb || !fib_entry_get(tb, res->dst, res->prefixlen, &idx))
		return false;
	a = fib_entry_aliases(tb, &tb->ent[idx], &one, &n);
	if (res->alias >= n)
		return false;
	route_view(f, tb, &tb->ent[idx], &a[res->alias], out);
	return true;
}

bool fib_has_custom_local_routes(const struct netns *ns)
{
	return ns->fib->has_custom_local_routes;
}

bool fib_has_custom_rules(const struct netns *ns)
{
	return ns->fib->custom_rules;
}

/* ---- insert ---- */

/*
 * fib_check_nh for a gateway (fib_check_nh_v4_gw without onlink): the
 * gateway must be reachable through a route of scope at least link (a
 * connected route), via @cfg->oif if given, looked up in @cfg->table first
 * and then in all tables. Fills r->dev.
 */
static int fib_check_nh_gw(struct netns *ns, struct fib_route *r, struct extack *ext)
{
	struct fib_config *cfg = &r->cfg;
	struct fib_flow fl = { cfg->oif, (uint8_t)(cfg->scope + 1), true };
	const struct fib_table *tb = NULL;
	struct fib_result res;
	bool found = false;

	if (fl.scope < RT_SCOPE_LINK)
		fl.scope = RT_SCOPE_LINK;
	if (cfg->table != RT_TABLE_MAIN)
		tb = fib_get_table(ns->fib, cfg->table);
	if (tb)
		found = table_lookup(ns->fib, tb, cfg->gw, &fl, &res) == 1;
	if (!found)
		found = fib_lookup_flow(ns,
					&(struct flowi4){ .daddr = cfg->gw, .oif = fl.oif,
							  .scope = fl.scope,
							  .flags = FLOWI_FLAG_IGNORE_LINKSTATE },
					&res) == 0;
	if (!found) {
		EXTACK_MSG(ext, "Nexthop has invalid gateway");
		return -ENETUNREACH;
	}
	if (res.type != RTN_UNICAST && res.type != RTN_LOCAL) {
		EXTACK_MSG(ext, "Nexthop has invalid gateway");
		return -EINVAL;
	}
	if (!res.dev) {
		EXTACK_MSG(ext, "No egress device for nexthop gateway");
		return -EINVAL;
	}
	r->dev = res.dev;
	return dev_is_up(r->dev) ? 0 : -ENETDOWN;
}

/* ---- RTA_MULTIPATH (rtnh_ok, rtnh_next, nla_find inside a nexthop) ---- */

static bool rtnh_ok(const struct rtnexthop *rtnh, int remaining)
{
	return remaining >= (int)sizeof(*rtnh) && rtnh->rtnh_len >= sizeof(*rtnh) &&
	       rtnh->rtnh_len <= remaining;
}

static const struct rtnexthop *rtnh_next(const struct rtnexthop *rtnh, int *remaining)
{
	int totlen = RTNH_ALIGN(rtnh->rtnh_len);

	*remaining -= totlen;
	return (const struct rtnexthop *)((const char *)rtnh + totlen);
}

/* The first attribute of @type among a nexthop's (nla_find: the walk
 * stops at the first malformed one). */
static const struct rtattr *rtnh_find(const struct rtnexthop *rtnh, unsigned short type)
{
	int rem = rtnh->rtnh_len - (int)RTNH_LENGTH(0);
	const struct rtattr *a = (const struct rtattr *)RTNH_DATA(rtnh);

	for (; rem >= (int)sizeof(*a) && a->rta_len >= sizeof(*a) && a->rta_len <= rem;
	     rem -= RTA_ALIGN(a->rta_len), a = (const struct rtattr *)((const char *)a +
								       RTA_ALIGN(a->rta_len)))
		if ((a->rta_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

/* A nexthop's gateway (RTA_GATEWAY, or RTA_VIA with an IPv4 address), as
 * fib_get_nhs reads it: 0 and *gw (0: none), or the kernel's error. */
static int rtnh_gateway(const struct rtnexthop *rtnh, uint32_t *gw, struct extack *ext)
{
	const struct rtattr *a = NULL, *via = NULL;

	*gw = 0;
	if (rtnh->rtnh_len > RTNH_LENGTH(0)) {
		a = rtnh_find(rtnh, RTA_GATEWAY);
		via = rtnh_find(rtnh, RTA_VIA);
	}
	if (a && via) {
		EXTACK_MSG(ext, "Nexthop configuration can not contain both GATEWAY and VIA");
		return -EINVAL;
	}
	if (a) {
		/* fib_gw_from_attr */
		if (RTA_PAYLOAD(a) < sizeof(*gw)) {
			EXTACK_MSG(ext, "Invalid IPv4 address in RTA_GATEWAY");
			return -EINVAL;
		}
		memcpy(gw, RTA_DATA(a), sizeof(*gw));
	} else if (via) {
		/* fib_gw_from_via */
		const struct rtvia *v = RTA_DATA(via);

		if (RTA_PAYLOAD(via) < offsetof(struct rtvia, rtvia_addr)) {
			EXTACK_MSG(ext, "Invalid attribute length for RTA_VIA");
			return -EINVAL;
		}
		if (v->rtvia_family == AF_INET) {
			if (RTA_PAYLOAD(via) - offsetof(struct rtvia, rtvia_addr) != sizeof(*gw)) {
				EXTACK_MSG(ext, "Invalid IPv4 address in RTA_VIA");
				return -EINVAL;
			}
			memcpy(gw, v->rtvia_addr, sizeof(*gw));
		} else if (v->rtvia_family == AF_INET6) {
			EXTACK_MSG(ext, "IPv6 gateways are not supported");
			return -EOPNOTSUPP;
		} else {
			EXTACK_MSG(ext, "Unsupported address family in RTA_VIA");
			return -EINVAL;
		}
	}
	return 0;
}

/* A nexthop as RTA_MULTIPATH gives it, before fib_check_nh. */
struct mp_cfg {
	int oif;
	uint32_t gw;
	uint16_t weight;
};

/*
 * fib_count_nexthops and fib_get_nhs: the nexthops of @cfg->mp into a new
 * array *out of *n (the caller frees it), checked as the kernel does
 * before it looks at devices: lengths, flags, gateway attributes, and the
 * first nexthop against RTA_OIF and RTA_GATEWAY. 0 or a negative errno.
 */
static int fib_get_nhs(const struct fib_config *cfg, struct mp_cfg **out, uint32_t *n,
		       struct extack *ext)
{
	const struct rtnexthop *rtnh = cfg->mp;
	int rem = cfg->mp_len, err;
	struct mp_cfg *v;
	uint32_t cnt = 0;

	while (rtnh_ok(rtnh, rem)) {
		cnt++;
		rtnh = rtnh_next(rtnh, &rem);
	}
	/* leftover implies invalid nexthop configuration */
	if (rem > 0) {
		EXTACK_MSG(ext, "Invalid nexthop configuration - extra data after nexthops");
		return -EINVAL;
	}
	if (!cnt || cnt > UINT16_MAX)
		return -EINVAL;
	v = calloc(cnt, sizeof(*v));
	if (!v)
		return -ENOMEM;
	rtnh = cfg->mp;
	for (uint32_t i = 0; i < cnt; i++, rtnh = rtnh_next(rtnh, &rem)) {
		if (rtnh->rtnh_flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) {
			EXTACK_MSG(ext, "Invalid flags for nexthop - can not contain DEAD or LINKDOWN");
			err = -EINVAL;
			goto fail;
		}
		if (rtnh->rtnh_len > RTNH_LENGTH(0)) {
			const struct rtattr *a = rtnh_find(rtnh, RTA_FLOW);

			if (a && RTA_PAYLOAD(a) < sizeof(uint32_t)) {
				EXTACK_MSG(ext, "Invalid RTA_FLOW");
				err = -EINVAL;
				goto fail;
			}
			if (rtnh_find(rtnh, RTA_ENCAP)) {
				EXTACK_MSG(ext, "Encapsulation is not supported");
				err = -EOPNOTSUPP;
				goto fail;
			}
		}
		err = rtnh_gateway(rtnh, &v[i].gw, ext);
		if (err)
			goto fail;
		v[i].oif = rtnh->rtnh_ifindex;
		v[i].weight = (uint16_t)(rtnh->rtnh_hops + 1);
	}
	err = -EINVAL;
	if (cfg->oif && v[0].oif != cfg->oif) {
		EXTACK_MSG(ext, "Nexthop device index does not match RTA_OIF");
		goto fail;
	}
	if (cfg->gw && v[0].gw != cfg->gw) {
		EXTACK_MSG(ext, "Nexthop gateway does not match RTA_GATEWAY or RTA_VIA");
		goto fail;
	}
	*out = v;
	*n = cnt;
	return 0;
fail:
	free(v);
	return err;
}

/* fib_check_nh for a nexthop not of host scope: its device (by index),
 * and a gateway reachable on-link or an up device. Fills r->dev. */
static int fib_check_nh(struct netns *ns, struct fib_route *r, struct extack *ext)
{
	struct fib_config *cfg = &r->cfg;

	if (cfg->oif) {
		r->dev = dev_get_by_index(ns, cfg->oif);
		if (!r->dev) {
			EXTACK_MSG(ext, "Cannot find device");
			return -ENODEV;
		}
	}
	if (cfg->gw)
		return fib_check_nh_gw(ns, r, ext);
	/* fib_check_nh_nongw: no gateway and no device is
	 * inetdev_by_index(0) failing: "No such device", no text */
	if (!r->dev)
		return -ENODEV;
	if (!dev_is_up(r->dev)) {
		EXTACK_MSG(ext, "Device for nexthop is not up");
		return -ENETDOWN;
	}
	return 0;
}

/* fib_create_info's loop over the nexthops of a multipath route: each
 * checked as a route of its own, into *out (the caller frees it), with
 * RTNH_F_LINKDOWN on those without carrier (and on the route when all
 * are), then fib_rebalance. */
static int fib_create_paths(struct netns *ns, struct fib_route *r, const struct mp_cfg *v,
			    uint32_t n, struct fib_mp **out, struct extack *ext)
{
	struct fib_mp *mp = calloc(1, sizeof(*mp) + n * sizeof(mp->p[0]));
	uint32_t linkdown = 0;

	if (!mp)
		return -ENOMEM;
	mp->n = n;
	for (uint32_t i = 0; i < n; i++) {
		struct fib_route pr = { .cfg = r->cfg };
		int err;

		pr.cfg.oif = v[i].oif;
		pr.cfg.gw = v[i].gw;
		pr.cfg.mp = NULL;
		err = fib_check_nh(ns, &pr, ext);
		if (err) {
			free(mp);
			return err;
		}
		mp->p[i] = (struct fib_path){
			.dev = pr.dev,
			.gw = v[i].gw,
			.weight = v[i].weight,
			.scope = v[i].gw ? RT_SCOPE_LINK : RT_SCOPE_HOST,
		};
		if (!pr.dev->carrier) {
			mp->p[i].flags |= RTNH_F_LINKDOWN;
			linkdown++;
		}
	}
	if (linkdown == n)
		mp->flags |= RTNH_F_LINKDOWN;
	fib_mp_rebalance(mp);
	/* the route's own device and gateway are its first path's */
	r->dev = mp->p[0].dev;
	r->cfg.oif = r->dev->ifindex;
	r->cfg.gw = mp->p[0].gw;
	r->flags = mp->flags;
	*out = mp;
	return 0;
}

/* fib_create_info: validate @r->cfg and resolve its device; a multipath
 * route's paths go to *mp (NULL for one path; the caller frees it). */
static int fib_create_info(struct netns *ns, struct fib_route *r, struct fib_mp **mp,
			   struct extack *ext)
{
	struct fib_config *cfg = &r->cfg;
	struct mp_cfg *mpc = NULL;
	struct fib_result res;
	uint32_t nhs = 0;
	int err;

	if (cfg->type > RTN_MAX) {
		EXTACK_MSG(ext, "Invalid route type");
		return -EINVAL;
	}
	/* RT_SCOPE_NOWHERE on add: pick what iproute2 would have sent */
	if (cfg->scope == RT_SCOPE_NOWHERE) {
		if (cfg->type == RTN_LOCAL || cfg->type == RTN_NAT)
			cfg->scope = RT_SCOPE_HOST;
		else if (cfg->type == RTN_BROADCAST || cfg->type == RTN_ANYCAST ||
			 cfg->type == RTN_MULTICAST)
			cfg->scope = RT_SCOPE_LINK;
		else if (cfg->type == RTN_UNICAST && !cfg->gw && !cfg->mp)
			cfg->scope = RT_SCOPE_LINK;
		else
			cfg->scope = RT_SCOPE_UNIVERSE;
	}
	if (fib_props[cfg->type].scope > cfg->scope) {
		EXTACK_MSG(ext, "Invalid scope");
		return -EINVAL;
	}
	if (cfg->mp) {
		err = fib_get_nhs(cfg, &mpc, &nhs, ext);
		if (err)
			return err;
		if (nhs == 1) {
			/* one nexthop is a plain route (fib_nhs 1) */
			cfg->oif = mpc[0].oif;
			cfg->gw = mpc[0].gw;
			free(mpc);
			mpc = NULL;
		}
	}
	if (fib_type_is_error(cfg->type)) {
		free(mpc);
		if (cfg->type == RTN_NAT || cfg->type == RTN_XRESOLVE) {
			EXTACK_MSG(ext, "Invalid route type");
			return -EINVAL;
		}
		if (cfg->gw || cfg->oif || cfg->mp) {
			EXTACK_MSG(ext, "Gateway, device and multipath can not be specified for "
					"this route type");
			return -EINVAL;
		}
		return 0;
	}
	if (cfg->type != RTN_UNICAST && cfg->type != RTN_LOCAL && cfg->type != RTN_BROADCAST &&
	    cfg->type != RTN_ANYCAST && cfg->type != RTN_MULTICAST) {
		free(mpc);
		EXTACK_MSG(ext, "Invalid route type");
		return -EINVAL;
	}
	if (mpc) {
		if (cfg->scope == RT_SCOPE_HOST) {
			free(mpc);
			EXTACK_MSG(ext, "Route with host scope can not have multiple nexthops");
			return -EINVAL;
		}
		err = fib_create_paths(ns, r, mpc, nhs, mp, ext);
		free(mpc);
		if (err)
			return err;
		goto check_prefsrc;
	}
	if (cfg->oif) {
		r->dev = dev_get_by_index(ns, cfg->oif);
		if (!r->dev) {
			EXTACK_MSG(ext, "Cannot find device");
			return -ENODEV;
		}
	}
	if (cfg->scope == RT_SCOPE_HOST) {
		/* a local address: a device, no gateway */
		if (cfg->gw) {
			EXTACK_MSG(ext, "Route with host scope can not have a gateway");
			return -EINVAL;
		}
		if (!r->dev) {
			EXTACK_MSG(ext, "Cannot find device");
			return -ENODEV;
		}
	} else {
		err = fib_check_nh(ns, r, ext);
		if (err)
			return err;
	}
	cfg->oif = r->dev->ifindex;
	if (route_linkdown(r))
		r->flags |= RTNH_F_LINKDOWN;
check_prefsrc:
	/* fib_valid_prefsrc: the preferred source must be a local address
	 * (a `local` route of its own prefix excepted) of the route's own
	 * table (a VRF's addresses are local there), else of table local */
	if (cfg->prefsrc && !(cfg->type == RTN_LOCAL && cfg->dst && cfg->prefsrc == cfg->dst)) {
		const struct fib_table *lt = ns->fib->local, *own = NULL;
		const struct fib_flow fl = { 0, RT_SCOPE_UNIVERSE, true };
		bool ok = false;

		if (cfg->table != RT_TABLE_MAIN && cfg->table != RT_TABLE_LOCAL &&
		    (own = fib_get_table(ns->fib, cfg->table)))
			ok = table_lookup(ns->fib, own, cfg->prefsrc, &fl, &res) == 1 &&
			     res.type == RTN_LOCAL;
		if (!ok)
			ok = lt && table_lookup(ns->fib, lt, cfg->prefsrc, &fl, &res) == 1 &&
			     res.type == RTN_LOCAL;
		if (!ok) {
			EXTACK_MSG(ext, "Invalid prefsrc address");
			if (*mp) {
				free(*mp);
				*mp = NULL;
			}
			return -EINVAL;
		}
	}
	return 0;
}

/* What a route resolves to, as a record's contents (@mp borrowed). */
static struct fib_nh nh_key_of(const struct fib_route *r, struct fib_mp *mp)
{
	return (struct fib_nh){ .dev = r->dev, .gw = r->cfg.gw, .prefsrc = r->cfg.prefsrc,
				.priority = r->cfg.priority, .type = r->cfg.type,
				.scope = r->cfg.scope, .protocol = r->cfg.protocol,
				.mtu = r->cfg.mtu, .mtu_lock = r->cfg.mtu_lock, .mp = mp,
				.nh_id = r->cfg.nh_id };
}

bool fib_route_nh_match(const struct fib_config *cfg, const struct fib_route *r)
{
	const struct rtnexthop *rtnh = cfg->mp;
	int rem = cfg->mp_len;
	unsigned n = r->nhs ? r->nhs : 1;

	/* fib_nh_match: RTA_NH_ID names the route's nexthop object */
	if (cfg->nh_id)
		return r->cfg.nh_id == cfg->nh_id;
	/* RTA_OIF or RTA_GATEWAY: the first nexthop's */
	if (cfg->oif || cfg->gw)
		return (!cfg->oif || r->cfg.oif == cfg->oif) && (!cfg->gw || r->cfg.gw == cfg->gw);
	if (!cfg->mp)
		return true;
	/* RTA_MULTIPATH: the route's nexthops in order, each as given */
	for (unsigned i = 0; i < n; i++, rtnh = rtnh_next(rtnh, &rem)) {
		int oif = r->nhs ? r->nh[i].dev->ifindex : r->cfg.oif;
		uint32_t gw = r->nhs ? r->nh[i].gw : r->cfg.gw, want;

		if (!rtnh_ok(rtnh, rem))
			return false;
		if (rtnh->rtnh_ifindex && rtnh->rtnh_ifindex != oif)
			return false;
		if (rtnh->rtnh_len > RTNH_LENGTH(0) &&
		    (rtnh_find(rtnh, RTA_GATEWAY) || rtnh_find(rtnh, RTA_VIA)) &&
		    (rtnh_gateway(rtnh, &want, NULL) || want != gw))
			return false;
	}
	return true;
}

static inline bool same_key(const struct fib *f, const struct fib_alias *a, uint8_t tos,
			    uint32_t prio)
{
	return a->tos == tos && f->nh[a->nh].priority == prio;
}

/* fib_table_insert of the route @nr (checked) with the paths @mp. */
static int fib_route_insert(struct netns *ns, const struct fib_route *nr, struct fib_mp *mp)
{
	struct fib *f = ns->fib;
	const struct fib_config *c = &nr->cfg;
	const struct fib_alias *a = NULL;
	struct fib_alias one;
	struct fib_nh key;
	struct fib_table *tb;
	struct fib_entry *e;
	struct fib_alist *l;
	unsigned n = 0, p, q, pos;
	uint32_t idx = 0, nh, old_leaf;
	bool fresh = false;
	int match = -1;

	tb = fib_new_table(f, c->table);
	if (!tb)
		return -ENOMEM;
	key = nh_key_of(nr, mp);
	e = fib_entry_get(tb, c->dst, c->dst_len, &idx);
	if (e)
		a = fib_entry_aliases(tb, e, &one, &n);

	/* fib_find_alias: the first route with the same (tos, priority) key,
	 * or where a new key goes (tos descending, priority ascending) */
	for (p = 0; p < n && (a[p].tos > c->tos ||
			      (a[p].tos == c->tos && f->nh[a[p].nh].priority < c->priority));
	     p++)
		;
	pos = p;
	if (p < n && same_key(f, &a[p], c->tos, c->priority)) {
		if (c->nlflags & NLM_F_EXCL)
			return -EEXIST;
		/* fib_info equality: protocol, source, gateway, device too */
		for (q = p; q < n && same_key(f, &a[q], c->tos, c->priority); q++)
			if (match < 0 && fib_nh_same(&f->nh[a[q].nh], &key))
				match = (int)q;
		if (c->nlflags & NLM_F_REPLACE) {
			uint32_t old = a[p].nh;

			old_leaf = fib_entry_leaf(tb, idx);

			/* replacing a route by itself changes nothing */
			if (match >= 0)
				return match == (int)p ? 0 : -EEXIST;
			nh = fib_nh_get(f, &key, tb->id, idx);
			if (!nh)
				return -ENOMEM;
			if (e->kind == ENT_ONE)
				e->ref = nh;
			else
				tb->lists[e->ref]->a[p].nh = nh;
			fib_nh_put(f, old, tb->id, idx);
			fib_entry_sync(tb, idx, old_leaf);
			goto succeeded;
		}
		/* a perfect duplicate is refused even with APPEND */
		if (match >= 0)
			return -EEXIST;
		/* APPEND goes after the routes of the same key, plain CREATE
		 * (`ip route prepend`) before them */
		pos = (c->nlflags & NLM_F_APPEND) ? q : p;
	}
	if (!(c->nlflags & NLM_F_CREATE))
		return -ENOENT;
	if (!e) {
		if (fib_entry_new(tb, c->dst, c->dst_len, &idx))
			return -ENOMEM;
		e = &tb->ent[idx];
		fresh = true;
	}
	old_leaf = fib_entry_leaf(tb, idx);
	nh = fib_nh_get(f, &key, tb->id, idx);
	if (!nh)
		goto fail;
	if (fresh && !c->tos) {
		/* the common case: a prefix with one route */
		e->kind = ENT_ONE;
		e->ref = nh;
	} else {
		l = fib_entry_unfold(tb, e);
		if (!l) {
			fib_nh_put(f, nh, tb->id, idx);
			goto fail;
		}
		memmove(&l->a[pos + 1], &l->a[pos], (l->n - pos) * sizeof(l->a[0]));
		l->a[pos] = (struct fib_alias){ nh, c->tos };
		l->n++;
		fib_entry_fold(tb, e);
	}
	if (!fresh) {
		fib_entry_sync(tb, idx, old_leaf);
	} else if (fib_entry_publish(tb, idx)) {
		if (e->kind == ENT_LIST) {
			tb->lists[e->ref]->n = 0;
			fib_entry_fold(tb, e); /* frees the list */
		}
		fib_nh_put(f, nh, tb->id, idx);
		goto fail;
	}
	f->nroutes++;
succeeded:
	/* fib_table_insert: a user-made local route disables the address-list
	 * shortcut of fib_validate_source */
	if (c->type == RTN_LOCAL && c->protocol != RTPROT_KERNEL)
		f->has_custom_local_routes = true;
	ns->dev_gen++;
	return 0;

fail:
	if (fresh)
		fib_entry_drop(tb, idx);
	return -ENOMEM;
}

int fib_route_add(struct netns *ns, const struct fib_config *cfg_in, struct extack *ext)
{
	struct fib_route nr = { .cfg = *cfg_in };
	struct fib_mp *mp = NULL;
	void *nh_buf = NULL;
	int err;

	NS_ASSERT_OWNER(ns);
	if (cfg_in->dst_len > 32) {
		EXTACK_MSG(ext, "Invalid prefix length");
		return -EINVAL;
	}
	if (cfg_in->dst & ~inet_make_mask(cfg_in->dst_len)) {
		EXTACK_MSG(ext, "Invalid prefix for given prefix length");
		return -EINVAL;
	}
	if (!nr.cfg.table)
		nr.cfg.table = RT_TABLE_MAIN;
	/* fib_create_info: a nexthop object gives the route its paths */
	if (nr.cfg.nh_id) {
		err = nexthop_route_config(ns, &nr.cfg, &nh_buf, ext);
		if (err)
			return err;
	}
	err = fib_create_info(ns, &nr, &mp, ext);
	if (!err)
		err = fib_route_insert(ns, &nr, mp);
	/* the record keeps a copy */
	free(mp);
	free(nh_buf);
	return err;
}

/* ---- delete ---- */

/* Remove route @pos of entry @idx, and the entry with its last route. */
static void alias_unlink(struct netns *ns, struct fib_table *tb, uint32_t idx, unsigned pos)
{
	struct fib_entry *e = &tb->ent[idx];
	uint32_t nh, old_leaf = fib_entry_leaf(tb, idx);
	struct fib_alist *l;

	if (e->kind == ENT_ONE) {
		nh = e->ref;
		e->kind = ENT_FREE;
	} else {
		l = tb->lists[e->ref];
		nh = l->a[pos].nh;
		memmove(&l->a[pos], &l->a[pos + 1], (l->n - pos - 1) * sizeof(l->a[0]));
		l->n--;
		fib_entry_fold(tb, e);
	}
	fib_nh_put(ns->fib, nh, tb->id, idx);
	ns->fib->nroutes--;
	ns->dev_gen++;
	if (e->kind == ENT_FREE)
		fib_entry_free(tb, idx);
	else
		fib_entry_sync(tb, idx, old_leaf);
}

int fib_route_del(struct netns *ns, const struct fib_config *cfg, struct extack *ext)
{
	uint32_t table = cfg->table ? cfg->table : RT_TABLE_MAIN, idx;
	const struct fib_alias *a;
	struct fib_alias one;
	struct fib_table *tb;
	struct fib_entry *e;
	struct fib_route v;
	unsigned n;

	NS_ASSERT_OWNER(ns);
	if (cfg->dst_len > 32) {
		EXTACK_MSG(ext, "Invalid prefix length");
		return -EINVAL;
	}
	if (cfg->dst & ~inet_make_mask(cfg->dst_len)) {
		EXTACK_MSG(ext, "Invalid prefix for given prefix length");
		return -EINVAL;
	}
	tb = fib_get_table(ns->fib, table);
	if (!tb) {
		/* local, main and default exist from the start in Linux (here
		 * they are made on first use): only other ids are unknown */
		if (table != RT_TABLE_LOCAL && table != RT_TABLE_MAIN && table != RT_TABLE_DEFAULT)
			EXTACK_MSG(ext, "FIB table does not exist");
		return -ESRCH;
	}
	e = fib_entry_get(tb, cfg->dst, cfg->dst_len, &idx);
	if (!e)
		return -ESRCH;
	a = fib_entry_aliases(tb, e, &one, &n);
	/* fib_table_delete: zero fields (and scope NOWHERE) match anything */
	for (unsigned i = 0; i < n; i++) {
		const struct fib_nh *nh = &ns->fib->nh[a[i].nh];

		if (a[i].tos != cfg->tos)
			continue;
		if (cfg->type && nh->type != cfg->type)
			continue;
		if (cfg->scope != RT_SCOPE_NOWHERE && nh->scope != cfg->scope)
			continue;
		if (cfg->prefsrc && nh->prefsrc != cfg->prefsrc)
			continue;
		if (cfg->protocol && nh->protocol != cfg->protocol)
			continue;
		/* fib_nh_match */
		if ((cfg->has_priority || cfg->priority) && nh->priority != cfg->priority)
			continue;
		route_view(ns->fib, tb, e, &a[i], &v);
		if (!fib_route_nh_match(cfg, &v))
			continue;
		alias_unlink(ns, tb, idx, i);
		return 0;
	}
	return -ESRCH;
}

unsigned fib_flush_match(struct netns *ns, fib_match_fn match, void *arg)
{
	unsigned n = 0;

	NS_ASSERT_OWNER(ns);
	for (struct fib_table *tb = ns->fib->tables; tb; tb = tb->next) {
		for (uint32_t i = 0; i < tb->ent_cap; i++) {
			unsigned k = 0, cnt;

			for (;;) {
				const struct fib_entry *e = &tb->ent[i];
				struct fib_alias one;
				const struct fib_alias *a = fib_entry_aliases(tb, e, &one, &cnt);
				struct fib_route v;

				if (k >= cnt)
					break;
				route_view(ns->fib, tb, e, &a[k], &v);
				if (!match(&v, arg)) {
					k++;
					continue;
				}
				alias_unlink(ns, tb, i, k);
				n++;
			}
		}
	}
	return n;
}

/* The place of a route of @e that uses record @nh, or -1. */
static int entry_find_nh(const struct fib_table *tb, const struct fib_entry *e, uint32_t nh)
{
	struct fib_alias one;
	unsigned n;
	const struct fib_alias *a = fib_entry_aliases(tb, e, &one, &n);

	for (unsigned i = 0; i < n; i++)
		if (a[i].nh == nh)
			return (int)i;
	return -1;
}

/* Delete every route that uses record @idx: through its list of routes,
 * or (more than FIB_NH_TRACK of them) one pass over the tables. */
static unsigned nh_flush(struct netns *ns, uint32_t idx)
{
	struct fib *f = ns->fib;
	const struct fib_nh *nh = &f->nh[idx]; /* deletes never move f->nh */
	unsigned n = 0;

	while (nh->live && !nh->untracked) {
		const struct fib_nhref *r = &nh->refs->v[nh->refs->n - 1];
		struct fib_table *tb = fib_get_table(f, r->table);
		uint32_t ei = r->ent;

		alias_unlink(ns, tb, ei, (unsigned)entry_find_nh(tb, &tb->ent[ei], idx));
		n++;
	}
	for (struct fib_table *tb = f->tables; tb && nh->live; tb = tb->next) {
		for (uint32_t i = 0; i < tb->ent_cap && nh->live; i++) {
			int k;

			while ((k = entry_find_nh(tb, &tb->ent[i], idx)) >= 0) {
				alias_unlink(ns, tb, i, (unsigned)k);
				n++;
			}
		}
	}
	return n;
}

/*
 * fib_sync_down_dev for one multipath record: its paths through @dev get
 * RTNH_F_DEAD (NETDEV_DOWN) and RTNH_F_LINKDOWN; when that leaves every
 * path dead (already dead ones counting, as the kernel counts them), a
 * DOWN kills the record (true: flush its routes) and a carrier loss marks
 * the route linkdown. Then fib_rebalance.
 */
static bool mp_sync_down(struct fib_mp *mp, const struct netdev *dev, bool down)
{
	uint32_t dead = 0;

	for (uint32_t i = 0; i < mp->n; i++) {
		struct fib_path *p = &mp->p[i];

		if (p->flags & RTNH_F_DEAD) {
			dead++;
		} else if (p->dev == dev) {
			p->flags |= RTNH_F_LINKDOWN | (down ? RTNH_F_DEAD : 0);
			dead++;
		}
	}
	if (dead == mp->n) {
		if (down)
			return true;
		mp->flags |= RTNH_F_LINKDOWN;
	}
	fib_mp_rebalance(mp);
	return false;
}

/* fib_sync_up for one multipath record: @dev's paths lose @flags (DEAD
 * when it comes up, with LINKDOWN if it has carrier; LINKDOWN when the
 * carrier returns), and the route too once a path is alive. */
static void mp_sync_up(struct fib_mp *mp, const struct netdev *dev, uint32_t flags)
{
	uint32_t alive = 0;

	for (uint32_t i = 0; i < mp->n; i++) {
		struct fib_path *p = &mp->p[i];

		if (!(p->flags & flags)) {
			alive++;
			continue;
		}
		if (!(p->dev->flags & IFF_UP) || p->dev != dev)
			continue;
		alive++;
		p->flags &= ~flags;
	}
	if (alive)
		mp->flags &= ~flags;
	fib_mp_rebalance(mp);
}

/* The routes through @dev, all or all but those of host scope: record by
 * record (deleting a record's last route drops it from the array, the
 * last one taking its place). On a down (@keep_host) a multipath record
 * loses only the paths through @dev, and its routes go with the last. */
static unsigned fib_flush_dev(struct netns *ns, struct netdev *dev, bool keep_host)
{
	const struct fib *f = ns->fib;
	unsigned n = 0;

	NS_ASSERT_OWNER(ns);
	for (uint32_t i = 0;;) {
		const struct fib_hslot *hs = fib_hmap_find(&f->by_dev, fib_dev_key(dev));
		uint32_t idx;

		if (!hs || i >= hs->vec->n)
			break;
		idx = hs->vec->v[i];
		if (keep_host && f->nh[idx].mp && !mp_sync_down(f->nh[idx].mp, dev, true)) {
			i++;
			continue;
		}
		if (keep_host && f->nh[idx].scope == RT_SCOPE_HOST) {
			i++;
			continue;
		}
		n += nh_flush(ns, idx);
	}
	return n;
}

/* NETDEV_UP and NETDEV_CHANGE for the multipath records through @dev
 * (their single-path neighbours read the device's state when asked). */
static void fib_sync_mp(struct netns *ns, struct netdev *dev, unsigned long event)
{
	const struct fib_hslot *hs = fib_hmap_find(&ns->fib->by_dev, fib_dev_key(dev));
	bool running = dev->flags & (IFF_RUNNING | IFF_LOWER_UP);

	for (uint32_t i = 0; hs && i < hs->vec->n; i++) {
		struct fib_mp *mp = ns->fib->nh[hs->vec->v[i]].mp;

		if (!mp)
			continue;
		if (event == NETDEV_UP)
			mp_sync_up(mp, dev, RTNH_F_DEAD | (running ? RTNH_F_LINKDOWN : 0));
		else if (running)
			mp_sync_up(mp, dev, RTNH_F_LINKDOWN);
		else
			mp_sync_down(mp, dev, false);
	}
}

/* ---- multipath selection ---- */

/* A 32-bit mix of the flow's fields (the kernel's is a keyed siphash of
 * the same fields; only stickiness and spread are observable). */
static uint32_t mp_mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ b * 0xc2b2ae3d27d4eb4full;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

uint32_t fib_multipath_hash(const struct netns *ns, const struct flowi4 *fl4)
{
	uint64_t addrs = (uint64_t)fl4->saddr << 32 | fl4->daddr;

	/* policy 1: L4, the protocol and ports too (zero ports for a
	 * fragment, whose ports the caller cannot see); 0 and 2 (no inner
	 * headers here): L3 */
	if (ns->sysctl.fib_multipath_hash_policy == 1)
		return mp_mix(addrs, (uint64_t)fl4->proto << 32 | (uint32_t)fl4->sport << 16 |
					     fl4->dport) >> 1;
	return mp_mix(addrs, 0) >> 1;
}

/* fib_good_nh: a path through a gateway whose neighbour entry exists and
 * is not valid (INCOMPLETE, FAILED) is not good. */
static bool fib_good_nh(struct netns *ns, const struct fib_path *p)
{
	const struct neighbour *n;

	if (p->scope != RT_SCOPE_LINK)
		return true;
	n = neigh_lookup(ns, p->dev, p->gw);
	return !n || (n->state & NUD_VALID);
}

void fib_select_multipath(struct netns *ns, struct fib_result *res, const struct flowi4 *fl4)
{
	const struct fib_mp *mp = ns->fib->nh[res->fi].mp;
	int32_t h = (int32_t)fib_multipath_hash(ns, fl4);
	bool use_neigh = ns->sysctl.fib_multipath_use_neigh, first = false;
	uint32_t sel = res->nh_sel;

	NS_ASSERT_OWNER(ns);
	for (uint32_t i = 0; i < mp->n; i++) {
		if (use_neigh) {
			if (!fib_good_nh(ns, &mp->p[i]))
				continue;
			if (!first) {
				sel = i;
				first = true;
			}
		}
		if (h > mp->p[i].upper_bound)
			continue;
		sel = i;
		break;
	}
	res->nh_sel = (uint16_t)sel;
	res->dev = mp->p[sel].dev;
	res->gw = mp->p[sel].gw;
}

bool fib_info_nh_uses_dev(struct netns *ns, const struct fib_result *res,
			  const struct netdev *dev)
{
	const struct fib_mp *mp;

	if (res->dev == dev)
		return true;
	if (!res->fi)
		return false;
	mp = ns->fib->nh[res->fi].mp;
	for (uint32_t i = 0; i < mp->n; i++)
		if (mp->p[i].dev == dev)
			return true;
	return false;
}

unsigned fib_flush_prefsrc(struct netns *ns, uint32_t prefsrc)
{
	const struct fib_hslot *hs;
	unsigned n = 0;

	NS_ASSERT_OWNER(ns);
	if (!prefsrc)
		return 0;
	/* the last record of the key takes its slot with it: look again */
	while ((hs = fib_hmap_find(&ns->fib->by_src, prefsrc)))
		n += nh_flush(ns, hs->vec->v[hs->vec->n - 1]);
	return n;
}

/* ---- dumps ---- */

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The routes of entry @idx, in order, as views. */
static int entry_walk(const struct fib *f, const struct fib_table *tb, uint32_t idx,
		      fib_walk_fn fn, void *arg)
{
	const struct fib_entry *e = &tb->ent[idx];
	struct fib_alias one;
	unsigned n;
	const struct fib_alias *a = fib_entry_aliases(tb, e, &one, &n);
	int ret = 0;

	for (unsigned i = 0; i < n && !ret; i++) {
		struct fib_route v;

		route_view(f, tb, e, &a[i], &v);
		ret = fn(&v, arg);
	}
	return ret;
}

int fib_walk(struct netns *ns, fib_walk_fn fn, void *arg)
{
	NS_ASSERT_OWNER(ns);
	for (struct fib_table *tb = ns->fib->tables; tb; tb = tb->next) {
		uint64_t *v;
		uint32_t n = 0;
		int ret = 0;

		v = malloc((tb->ent_cap ? tb->ent_cap : 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		/* ascending address, then prefix length, as `ip route` reads;
		 * entry indexes stay below 2^26 (the lpm's values) */
		for (uint32_t i = 0; i < tb->ent_cap; i++)
			if (tb->ent[i].kind != ENT_FREE)
				v[n++] = (uint64_t)ntohl(tb->ent[i].dst) << 32 |
					 (uint64_t)tb->ent[i].dst_len << 26 | i;
		qsort(v, n, sizeof(*v), u64_cmp);
		for (uint32_t i = 0; i < n && !ret; i++)
			ret = entry_walk(ns->fib, tb, (uint32_t)(v[i] & ((1u << 26) - 1)), fn, arg);
		free(v);
		if (ret)
			return ret;
	}
	return 0;
}

int fib_prefix_walk(struct netns *ns, uint32_t table, uint32_t dst, uint8_t dst_len,
		    fib_walk_fn fn, void *arg)
{
	const struct fib_table *tb;
	uint32_t idx;

	NS_ASSERT_OWNER(ns);
	tb = fib_get_table(ns->fib, table ? table : RT_TABLE_MAIN);
	if (!tb || dst_len > 32 || !fib_entry_get(tb, dst, dst_len, &idx))
		return 0;
	return entry_walk(ns->fib, tb, idx, fn, arg);
}

unsigned fib_route_count(struct netns *ns)
{
	return ns->fib->nroutes;
}

size_t fib_lpm_memory(struct netns *ns)
{
	size_t n = 0;

	NS_ASSERT_OWNER(ns);
	for (const struct fib_table *tb = ns->fib->tables; tb; tb = tb->next)
		n += lpm_memory(tb->lpm);
	return n;
}

size_t fib_memory(struct netns *ns)
{
	const struct fib *f = ns->fib;
	size_t n = sizeof(*f) + fib_nh_memory(f);

	NS_ASSERT_OWNER(ns);
	for (const struct fib_table *tb = f->tables; tb; tb = tb->next)
		n += fib_table_memory(tb);
	return n;
}

/* ---- device events ---- */

/* fib_sync_down_dev(NETDEV_DOWN): nexthops of scope host (the local
 * routes of addresses) survive; everything else through the device dies. */
void fib_dev_down(struct netdev *dev)
{
	fib_flush_dev(dev->ns, dev, true);
}

void fib_dev_up(struct netdev *dev)
{
	NS_ASSERT_OWNER(dev->ns);
	/* inetdev_event(NETDEV_UP): loopback gets 127.0.0.1/8 when it has
	 * no address yet */
	if ((dev->flags & IFF_LOOPBACK) && !__in_dev_get(dev)->ifa_list)
		inet_addr_add(dev, htonl(INADDR_LOOPBACK), 8, 0, RT_SCOPE_HOST, "lo", NULL);
	/* fib_netdev_event(NETDEV_UP): re-add the routes of every address */
	for (struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next)
		fib_add_ifaddr(ifa);
	/* fib_sync_up(dev, RTNH_F_DEAD): its multipath paths come back */
	fib_sync_mp(dev->ns, dev, NETDEV_UP);
}

void fib_dev_unregister(struct netdev *dev)
{
	/* fib_disable_ip(force): every route through the device */
	fib_flush_dev(dev->ns, dev, false);
	inet_addr_flush(dev);
}

/* fib_netdev_event. */
static int fib_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netdev *dev = ptr;

	switch (event) {
	case NETDEV_UP:
		fib_dev_up(dev);
		break;
	case NETDEV_DOWN:
		fib_dev_down(dev);
		break;
	case NETDEV_UNREGISTER:
		fib_dev_unregister(dev);
		break;
	case NETDEV_CHANGEUPPER:
		/* linked to or unlinked from an L3 master (the only masters
		 * that send it): every route through the device goes, its
		 * local ones too (fib_disable_ip with force), to come back in
		 * the new domain's table when it goes up again */
		fib_flush_dev(dev->ns, dev, false);
		break;
	case NETDEV_CHANGE:
		/* carrier: fib_sync_up(LINKDOWN) or fib_sync_down_dev */
		fib_sync_mp(dev->ns, dev, NETDEV_CHANGE);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block fib_netdev_notifier = {
	.notifier_call = fib_netdev_event,
};

static const struct pernet_operations fib_net_ops = {
	.name = "fib",
	.init = fib_init,
	.exit = fib_exit,
};

void ip_fib_init(void)
{
	register_pernet_subsys(&fib_net_ops);
	register_netdevice_notifier(&fib_netdev_notifier);
	fib_rules_init();
	nexthop_init();
}
