// SPDX-License-Identifier: MIT
/*
 * Nexthop objects (net/ipv4/nexthop.c): the namespace's `ip nexthop`
 * entries, kept by ascending id in one array (dumps walk it in order,
 * lookups bisect it). A route naming one (RTA_NH_ID) is an ordinary FIB
 * route whose device, gateway or multipath paths fib_route_add takes
 * from the object and whose record remembers the id: lookups, path
 * selection and dumps are the FIB's own, so a group behaves exactly as
 * an RTA_MULTIPATH route. When an object changes (replace, a group
 * member removed) its routes are rebuilt from it; when it goes, they go
 * (fib_flush after remove_nexthop). Owner thread only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "netns/core/dev.h"
#include "fib_priv.h"
#include "nexthop.h"

struct nh_table {
	struct nexthop **v; /* ascending id */
	uint32_t n, cap;
	uint32_t last_id;   /* net->nexthop.last_id_allocated */
	uint64_t seq;	    /* counts groups made or replaced */
};

static struct nh_table *nh_table(struct netns *ns)
{
	return ns->fib->nexthops;
}

/* The place of @id in the array, or where it would go (*found false). */
static uint32_t nh_pos(const struct nh_table *t, uint32_t id, bool *found)
{
	uint32_t lo = 0, hi = t->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->v[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < t->n && t->v[lo]->id == id;
	return lo;
}

static struct nexthop *nh_lookup(struct netns *ns, uint32_t id)
{
	struct nh_table *t = nh_table(ns);
	bool found;
	uint32_t p;

	if (!t)
		return NULL;
	p = nh_pos(t, id, &found);
	return found ? t->v[p] : NULL;
}

const struct nexthop *nexthop_find(struct netns *ns, uint32_t id)
{
	NS_ASSERT_OWNER(ns);
	return nh_lookup(ns, id);
}

unsigned nexthop_count(struct netns *ns)
{
	return nh_table(ns) ? nh_table(ns)->n : 0;
}

int nexthop_walk(struct netns *ns, nexthop_walk_fn fn, void *arg)
{
	struct nh_table *t = nh_table(ns);
	int ret = 0;

	NS_ASSERT_OWNER(ns);
	for (uint32_t i = 0; t && i < t->n && !ret; i++)
		ret = fn(t->v[i], arg);
	return ret;
}

static void nh_free(struct nexthop *nh)
{
	if (nh) {
		free(nh->grp);
		free(nh);
	}
}

static bool nh_in_group(const struct nexthop *g, uint32_t id)
{
	for (uint16_t i = 0; i < g->ngrp; i++)
		if (g->grp[i].id == id)
			return true;
	return false;
}

/* ---- the routes using a nexthop ---- */

struct nh_route_set {
	const uint32_t *ids;
	uint32_t nids;
	struct fib_config *v;
	size_t n, cap;
	bool nomem;
};

static bool nh_set_has(const struct nh_route_set *s, uint32_t id)
{
	for (uint32_t i = 0; i < s->nids; i++)
		if (s->ids[i] == id)
			return true;
	return false;
}

static int nh_collect_one(const struct fib_route *r, void *arg)
{
	struct nh_route_set *s = arg;

	if (!r->cfg.nh_id || !nh_set_has(s, r->cfg.nh_id))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		struct fib_config *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->nomem = true;
			return 1;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = r->cfg;
	return 0;
}

static bool nh_match_set(const struct fib_route *r, void *arg)
{
	return r->cfg.nh_id && nh_set_has(arg, r->cfg.nh_id);
}

/*
 * The routes using nexthops @ids take their paths again from them (the
 * kernel's routes point at the object, so a change shows through): each
 * is deleted and added anew with the same table, prefix, tos, metric,
 * protocol and source. One that can no longer be built is gone.
 */
static void nh_routes_rebuild(struct netns *ns, const uint32_t *ids, uint32_t nids)
{
	struct nh_route_set s = { .ids = ids, .nids = nids };

	fib_walk(ns, nh_collect_one, &s);
	if (s.nomem) {
		/* a route left with stale paths would be worse than none */
		fib_flush_match(ns, nh_match_set, &s);
		free(s.v);
		return;
	}
	for (size_t i = 0; i < s.n; i++) {
		struct fib_config c = s.v[i];

		c.oif = 0;
		c.gw = 0;
		c.mp = NULL;
		c.mp_len = 0;
		c.type = 0;
		c.scope = RT_SCOPE_NOWHERE;
		c.protocol = 0;
		c.has_priority = true;
		fib_route_del(ns, &c, NULL);
		c = s.v[i];
		c.oif = 0;
		c.gw = 0;
		c.mp = NULL;
		c.mp_len = 0;
		/* a blackhole route came from its nexthop */
		if (c.type == RTN_BLACKHOLE)
			c.type = RTN_UNICAST;
		c.nlflags = NLM_F_CREATE | NLM_F_APPEND;
		fib_route_add(ns, &c, NULL);
	}
	free(s.v);
}

/* The ids whose routes change with @id: itself and the groups holding it. */
static uint32_t *nh_users(struct nh_table *t, uint32_t id, uint32_t *n)
{
	uint32_t *ids = malloc((t->n + 1) * sizeof(*ids));

	*n = 0;
	if (!ids)
		return NULL;
	ids[(*n)++] = id;
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i]->ngrp && nh_in_group(t->v[i], id))
			ids[(*n)++] = t->v[i]->id;
	return ids;
}

/* ---- create, replace ---- */

/* nh_check_attr_group + valid_group_nh: members are distinct existing
 * single nexthops; a blackhole only alone. */
static int nh_check_group(struct netns *ns, const struct nh_config *cfg, struct extack *ext)
{
	for (uint16_t i = 0; i < cfg->ngrp; i++) {
		if (cfg->grp[i].weight < 1 || cfg->grp[i].weight > 256) {
			EXTACK_MSG(ext, "Invalid value for weight");
			return -EINVAL;
		}
		for (uint16_t j = i + 1; j < cfg->ngrp; j++)
			if (cfg->grp[i].id == cfg->grp[j].id) {
				EXTACK_MSG(ext, "Nexthop id can not be used twice in a group");
				return -EINVAL;
			}
	}
	for (uint16_t i = 0; i < cfg->ngrp; i++) {
		const struct nexthop *m = nh_lookup(ns, cfg->grp[i].id);

		if (!m) {
			EXTACK_MSG(ext, "Invalid nexthop id");
			return -EINVAL;
		}
		if (m->ngrp) {
			EXTACK_MSG(ext, "Hash-threshold group can not be a nexthop within a group");
			return -EINVAL;
		}
		if (m->blackhole && cfg->ngrp > 1) {
			EXTACK_MSG(ext, "Blackhole nexthop can not be used in a group with more "
					"than 1 path");
			return -EINVAL;
		}
	}
	return 0;
}

/* fib_check_nh_v4_gw for a nexthop: the gateway is reachable on-link
 * through its device (a route of scope link at least). */
static int nh_check_gw(struct netns *ns, struct netdev *dev, uint32_t gw, struct extack *ext)
{
	struct flowi4 fl = { .daddr = gw, .oif = dev->ifindex, .scope = RT_SCOPE_LINK,
			     .flags = FLOWI_FLAG_IGNORE_LINKSTATE };
	struct fib_result res;

	if (fib_lookup_flow(ns, &fl, &res)) {
		EXTACK_MSG(ext, "Nexthop has invalid gateway");
		return -ENETUNREACH;
	}
	if ((res.type != RTN_UNICAST && res.type != RTN_LOCAL) || res.dev != dev) {
		EXTACK_MSG(ext, "Nexthop has invalid gateway");
		return -EINVAL;
	}
	return 0;
}

/* nexthop_create / nh_create_ipv4 / nexthop_create_group: a new object
 * from @cfg (checked), or -errno with the kernel's text. */
static int nh_create(struct netns *ns, const struct nh_config *cfg, uint32_t id,
		     struct nexthop **out, struct extack *ext)
{
	struct nexthop *nh = calloc(1, sizeof(*nh));
	int err;

	if (!nh)
		return -ENOMEM;
	nh->id = id;
	nh->protocol = cfg->protocol;
	nh->flags = cfg->flags;
	if (cfg->ngrp) {
		err = nh_check_group(ns, cfg, ext);
		if (err)
			goto fail;
		nh->grp = malloc(cfg->ngrp * sizeof(*nh->grp));
		if (!nh->grp) {
			err = -ENOMEM;
			goto fail;
		}
		memcpy(nh->grp, cfg->grp, cfg->ngrp * sizeof(*nh->grp));
		nh->ngrp = cfg->ngrp;
		nh->seq = ++nh_table(ns)->seq;
		nh->flags = 0;
		*out = nh;
		return 0;
	}
	if (cfg->blackhole) {
		/* the kernel gives a blackhole the loopback device, which
		 * fib_check_nh_nongw wants up */
		struct netdev *lo = dev_get_by_index(ns, 1);

		if (cfg->oif || cfg->gw) {
			EXTACK_MSG(ext, "Blackhole attribute can not be used with gateway, oif, "
					"encap or fdb");
			err = -EINVAL;
			goto fail;
		}
		if (!lo || !dev_is_up(lo)) {
			EXTACK_MSG(ext, "Device for nexthop is not up");
			err = -ENETDOWN;
			goto fail;
		}
		nh->blackhole = true;
		nh->scope = RT_SCOPE_UNIVERSE;
		*out = nh;
		return 0;
	}
	if (!cfg->oif) {
		EXTACK_MSG(ext, "Device attribute required for non-blackhole and non-fdb nexthops");
		err = -EINVAL;
		goto fail;
	}
	nh->dev = dev_get_by_index(ns, cfg->oif);
	if (!nh->dev) {
		EXTACK_MSG(ext, "Invalid device index");
		err = -EINVAL;
		goto fail;
	}
	if (!dev_is_up(nh->dev)) {
		EXTACK_MSG(ext, "Nexthop device is not up");
		err = -ENETDOWN;
		goto fail;
	}
	if (!nh->dev->carrier) {
		EXTACK_MSG(ext, "Carrier for nexthop device is down");
		err = -ENETDOWN;
		goto fail;
	}
	if (!cfg->gw && (cfg->flags & RTNH_F_ONLINK)) {
		EXTACK_MSG(ext, "ONLINK flag can not be set for nexthop without a gateway");
		err = -EINVAL;
		goto fail;
	}
	/* the FIB has no on-link gateways beyond connected routes */
	if (cfg->flags & RTNH_F_ONLINK) {
		EXTACK_MSG(ext, "Onlink nexthops are not supported");
		err = -EOPNOTSUPP;
		goto fail;
	}
	if (cfg->gw) {
		err = nh_check_gw(ns, nh->dev, cfg->gw, ext);
		if (err)
			goto fail;
	}
	nh->gw = cfg->gw;
	nh->scope = cfg->gw ? RT_SCOPE_LINK : RT_SCOPE_HOST;
	*out = nh;
	return 0;

fail:
	nh_free(nh);
	return err;
}

/* nh_find_unused_id: the next id after the last one given out. */
static uint32_t nh_unused_id(struct netns *ns, struct nh_table *t)
{
	uint32_t start = t->last_id;

	for (;;) {
		t->last_id++;
		if (t->last_id == start)
			return 0;
		if (t->last_id && !nh_lookup(ns, t->last_id))
			return t->last_id;
	}
}

/* replace_nexthop's checks: a group stays a group, a single one single;
 * a blackhole cannot go into a group of several. */
static int nh_check_replace(struct nh_table *t, const struct nexthop *old,
			    const struct nexthop *new, struct extack *ext)
{
	if (old->ngrp && !new->ngrp) {
		EXTACK_MSG(ext, "Can not replace a nexthop group with a nexthop.");
		return -EINVAL;
	}
	if (!old->ngrp && new->ngrp) {
		EXTACK_MSG(ext, "Can not replace a nexthop with a nexthop group.");
		return -EINVAL;
	}
	if (new->blackhole)
		for (uint32_t i = 0; i < t->n; i++)
			if (t->v[i]->ngrp > 1 && nh_in_group(t->v[i], old->id)) {
				EXTACK_MSG(ext, "Blackhole nexthop can not be used in a group "
						"with more than 1 path");
				return -EINVAL;
			}
	return 0;
}

int nexthop_add(struct netns *ns, const struct nh_config *cfg, uint32_t *idp, struct extack *ext)
{
	struct nh_table *t = nh_table(ns);
	struct nexthop *nh;
	uint32_t id = cfg->id, pos;
	bool found;
	int err;

	NS_ASSERT_OWNER(ns);
	if (!id) {
		id = nh_unused_id(ns, t);
		if (!id) {
			EXTACK_MSG(ext, "No free nexthop id");
			return -EINVAL;
		}
	}
	err = nh_create(ns, cfg, id, &nh, ext);
	if (err)
		return err;
	pos = nh_pos(t, id, &found);
	if (found) {
		struct nexthop *old = t->v[pos];
		uint32_t *ids, n;

		if (!(cfg->nlflags & NLM_F_REPLACE)) {
			nh_free(nh);
			return -EEXIST;
		}
		err = nh_check_replace(t, old, nh, ext);
		ids = err ? NULL : nh_users(t, id, &n);
		if (!ids) {
			nh_free(nh);
			return err ? err : -ENOMEM;
		}
		t->v[pos] = nh;
		nh_free(old);
		nh_routes_rebuild(ns, ids, n);
		free(ids);
		*idp = id;
		return 0;
	}
	if ((cfg->nlflags & NLM_F_REPLACE) && !(cfg->nlflags & NLM_F_CREATE)) {
		EXTACK_MSG(ext, "Replace specified without create and no entry exists");
		nh_free(nh);
		return -ENOENT;
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? 2 * t->cap : 16;
		struct nexthop **v = realloc(t->v, cap * sizeof(*v));

		if (!v) {
			nh_free(nh);
			return -ENOMEM;
		}
		t->v = v;
		t->cap = cap;
	}
	memmove(&t->v[pos + 1], &t->v[pos], (t->n - pos) * sizeof(t->v[0]));
	t->v[pos] = nh;
	t->n++;
	*idp = id;
	return 0;
}

/* ---- remove ---- */

static void nh_unlink(struct nh_table *t, uint32_t pos)
{
	nh_free(t->v[pos]);
	memmove(&t->v[pos], &t->v[pos + 1], (t->n - pos - 1) * sizeof(t->v[0]));
	t->n--;
}

static int nh_seq_desc(const void *a, const void *b)
{
	const struct nexthop *x = *(struct nexthop *const *)a, *y = *(struct nexthop *const *)b;

	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

/*
 * remove_nexthop: the routes using @id are flushed, then each group
 * holding it loses the member (remove_nh_grp_entry), newest group first:
 * a group left empty is removed with its routes, the others' routes are
 * rebuilt.
 */
int nexthop_del(struct netns *ns, uint32_t id, nexthop_notify_fn fn, void *arg)
{
	struct nh_table *t = nh_table(ns);
	struct nh_route_set s = { .ids = &id, .nids = 1 };
	struct nexthop **groups;
	uint32_t pos, *shrunk, ng = 0, nshrunk = 0;
	bool found;

	NS_ASSERT_OWNER(ns);
	pos = nh_pos(t, id, &found);
	if (!found)
		return -ENOENT;
	groups = malloc((t->n + 1) * sizeof(*groups));
	shrunk = malloc((t->n + 1) * sizeof(*shrunk));
	if (!groups || !shrunk) {
		free(groups);
		free(shrunk);
		return -ENOMEM;
	}
	fib_flush_match(ns, nh_match_set, &s);
	if (fn)
		fn(t->v[pos], true, arg);
	nh_unlink(t, pos);
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i]->ngrp && nh_in_group(t->v[i], id))
			groups[ng++] = t->v[i];
	qsort(groups, ng, sizeof(*groups), nh_seq_desc);
	for (uint32_t i = 0; i < ng; i++) {
		struct nexthop *g = groups[i];
		uint16_t k = 0;

		if (g->ngrp == 1) {
			/* the group goes with its last member */
			uint32_t gid = g->id;
			struct nh_route_set gs = { .ids = &gid, .nids = 1 };

			fib_flush_match(ns, nh_match_set, &gs);
			if (fn)
				fn(g, true, arg);
			nh_unlink(t, nh_pos(t, gid, &found));
			continue;
		}
		for (uint16_t j = 0; j < g->ngrp; j++)
			if (g->grp[j].id != id)
				g->grp[k++] = g->grp[j];
		g->ngrp = k;
		if (fn)
			fn(g, false, arg);
		shrunk[nshrunk++] = g->id;
	}
	nh_routes_rebuild(ns, shrunk, nshrunk);
	free(shrunk);
	free(groups);
	return 0;
}

/* ---- routes ---- */

/* One RTA_MULTIPATH record for member @m with weight @w, at @p. */
static size_t nh_put_rtnh(char *p, const struct nexthop *m, uint16_t w)
{
	struct rtnexthop *rtnh = (struct rtnexthop *)p;
	size_t len = RTNH_LENGTH(m->gw ? RTA_LENGTH(4) : 0);

	*rtnh = (struct rtnexthop){ .rtnh_len = (unsigned short)len,
				    .rtnh_hops = (unsigned char)(w - 1),
				    .rtnh_ifindex = m->dev->ifindex };
	if (m->gw) {
		struct rtattr *rta = RTNH_DATA(rtnh);

		rta->rta_type = RTA_GATEWAY;
		rta->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(rta), &m->gw, 4);
	}
	return RTNH_ALIGN(len);
}

static void nh_route_single(struct fib_config *cfg, const struct nexthop *m)
{
	if (m->blackhole) {
		/* nexthop_is_blackhole: the route answers as a blackhole */
		if (cfg->type == RTN_UNICAST)
			cfg->type = RTN_BLACKHOLE;
		return;
	}
	cfg->oif = m->dev->ifindex;
	cfg->gw = m->gw;
}

int nexthop_route_config(struct netns *ns, struct fib_config *cfg, void **buf,
			 struct extack *ext)
{
	const struct nexthop *nh;
	char *p;
	size_t at = 0;

	*buf = NULL;
	/* rtm_to_fib_config */
	if (cfg->oif || cfg->gw || cfg->mp) {
		EXTACK_MSG(ext, "Nexthop specification and nexthop id are mutually exclusive");
		return -EINVAL;
	}
	nh = nh_lookup(ns, cfg->nh_id);
	if (!nh) {
		EXTACK_MSG(ext, "Nexthop id does not exist");
		return -EINVAL;
	}
	if (!nh->ngrp) {
		nh_route_single(cfg, nh);
		return 0;
	}
	if (nh->ngrp == 1) {
		nh_route_single(cfg, nh_lookup(ns, nh->grp[0].id));
		return 0;
	}
	p = malloc(nh->ngrp * RTNH_ALIGN(RTNH_LENGTH(RTA_LENGTH(4))));
	if (!p)
		return -ENOMEM;
	for (uint16_t i = 0; i < nh->ngrp; i++)
		at += nh_put_rtnh(p + at, nh_lookup(ns, nh->grp[i].id), nh->grp[i].weight);
	cfg->mp = (const struct rtnexthop *)p;
	cfg->mp_len = (int)at;
	*buf = p;
	return 0;
}

/* ---- per namespace, device events ---- */

static int nexthop_net_init(struct netns *ns)
{
	ns->fib->nexthops = calloc(1, sizeof(struct nh_table));
	return ns->fib->nexthops ? 0 : -ENOMEM;
}

static void nexthop_net_exit(struct netns *ns)
{
	struct nh_table *t = ns->fib ? ns->fib->nexthops : NULL;

	if (!t)
		return;
	for (uint32_t i = 0; i < t->n; i++)
		nh_free(t->v[i]);
	free(t->v);
	free(t);
	ns->fib->nexthops = NULL;
}

/* nexthop_flush_dev: every single nexthop through @dev is removed. */
static void nexthop_flush_dev(struct netdev *dev)
{
	struct nh_table *t = nh_table(dev->ns);

	for (uint32_t i = 0; t && i < t->n;) {
		if (t->v[i]->dev == dev)
			nexthop_del(dev->ns, t->v[i]->id, NULL, NULL); /* not notified */
		else
			i++;
	}
}

/* nh_netdev_event: down, gone, or without carrier. Runs before the FIB's
 * own handler, which then finds no route of these objects left. */
static int nh_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netdev *dev = ptr;

	(void)nb;
	switch (event) {
	case NETDEV_DOWN:
	case NETDEV_UNREGISTER:
		nexthop_flush_dev(dev);
		break;
	case NETDEV_CHANGE:
		if (!dev_is_up(dev) || !dev->carrier)
			nexthop_flush_dev(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block nh_netdev_notifier = {
	.notifier_call = nh_netdev_event,
	.priority = 1, /* before fib_netdev_event */
};

static const struct pernet_operations nexthop_net_ops = {
	.name = "nexthop",
	.init = nexthop_net_init,
	.exit = nexthop_net_exit,
};

void nexthop_init(void)
{
	register_pernet_subsys(&nexthop_net_ops);
	register_netdevice_notifier(&nh_netdev_notifier);
}
