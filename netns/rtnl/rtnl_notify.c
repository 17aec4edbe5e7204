// SPDX-License-Identifier: MIT
/*
 * rtnetlink notifications (net/core/rtnetlink.c rtnl_notify, rtmsg_ifinfo;
 * devinet.c rtmsg_ifa; fib_semantics.c rtmsg_fib; neighbour.c
 * __neigh_notify). Handlers call these on the owner of the object's
 * namespace right where the kernel would notify; each builds the message
 * the kernel multicasts — the object as a dump shows it, stamped with the
 * requester's portid and the request's seq — into the request's
 * notification buffer. The dispatcher (rtnl.c) hands the buffer to the
 * transport's sink once the handler is done.
 *
 * What Linux derives from a change is notified too: the routes an address
 * brings or takes with it (fib_magic goes through fib_table_insert/delete,
 * which notify) and the routes of addresses coming back when a device goes
 * up. They are found by diffing the routes through the device before and
 * after. Routes a device loses when it goes down are not notified, as in
 * Linux, where fib_sync_down_dev and fib_flush remove them silently.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "core/log.h"
#include "netns/core/dev.h"
#include "netns/ipv4/fib.h"
#include "netns/core/neigh.h"
#include "rtnl_priv.h"

void rtnl_notify_link(struct rtnl_req *r, const struct netdev *dev, uint16_t type)
{
	if (!rtnl_notifying(r))
		return;
	size_t rec = rtnl_notify_start(r, dev->ns, RTNLGRP_LINK);
	/* rtmsg_ifinfo sends the full message, statistics included */
	rtnl_link_fill(r, dev, type, 0, 0);
	rtnl_notify_end(r, rec);
}

void rtnl_notify_addr(struct rtnl_req *r, const struct in_ifaddr *ifa, uint16_t type)
{
	if (!rtnl_notifying(r))
		return;
	size_t rec = rtnl_notify_start(r, ifa->dev->ns, RTNLGRP_IPV4_IFADDR);
	rtnl_addr_fill(r, ifa, type, 0);
	rtnl_notify_end(r, rec);
}

void rtnl_notify_route(struct rtnl_req *r, struct netns *ns, const struct rtnl_route_ent *e,
		       uint16_t type)
{
	if (!rtnl_notifying(r))
		return;
	size_t rec = rtnl_notify_start(r, ns, RTNLGRP_IPV4_ROUTE);
	rtnl_route_fill(r, e, type, 0);
	rtnl_notify_end(r, rec);
}

void rtnl_notify_neigh(struct rtnl_req *r, const struct neighbour *n, uint16_t type)
{
	if (!rtnl_notifying(r))
		return;
	size_t rec = rtnl_notify_start(r, n->dev->ns, RTNLGRP_NEIGH);
	rtnl_neigh_fill(r, n, type, 0);
	rtnl_notify_end(r, rec);
}

/* ------------------------------------------------------- route diffs */

struct snap_walk {
	const struct netdev *dev;
	struct rtnl_route_snap *s;
};

static int snap_one(const struct fib_route *rt, void *arg)
{
	struct snap_walk *w = arg;

	/* multipath routes come and go with no address event's diff (a
	 * device down takes them silently, as fib_sync_down_dev) */
	if (rt->dev != w->dev || rt->nhs)
		return 0;
	if (w->s->n == w->s->cap) {
		size_t cap = w->s->cap ? w->s->cap * 2 : 16;
		struct rtnl_route_ent *v = realloc(w->s->v, cap * sizeof(*v));
		if (!v) {
			/* a notification less, never a wrong one: stop here and
			 * let the diff see an empty set */
			log_msg(LOG_ERR, "rtnl: out of memory for route notifications");
			return 1;
		}
		w->s->v = v;
		w->s->cap = cap;
	}
	rtnl_route_ent_set(&w->s->v[w->s->n], rt);
	/* route flags (linkdown) are state, not identity: Linux does not
	 * notify when they change */
	w->s->v[w->s->n].rtflags = 0;
	w->s->n++;
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct rtnl_route_ent));
}

void rtnl_route_snap_dev(struct netns *ns, const struct netdev *dev, struct rtnl_route_snap *s)
{
	struct snap_walk w = { .dev = dev, .s = s };

	s->n = 0;
	if (fib_walk(ns, snap_one, &w)) {
		s->n = 0; /* incomplete: notify nothing rather than a false delete */
		return;
	}
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), ent_cmp);
}

void rtnl_route_snap_free(struct rtnl_route_snap *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Is @dst a broadcast address configured on an address (IFA_BROADCAST)
 * of the route's device, or @brd (the address just deleted)? */
static bool snap_explicit_brd(struct netns *ns, const struct rtnl_route_ent *e, uint32_t brd)
{
	const struct netdev *dev;

	if (brd && e->cfg.dst == brd)
		return true;
	dev = e->ifindex ? dev_get_by_index(ns, e->ifindex) : NULL;
	if (!dev || !__in_dev_get(dev))
		return false;
	for (const struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next)
		if (ifa->broadcast && ifa->broadcast == e->cfg.dst)
			return true;
	return false;
}

/*
 * The order fib_magic runs in. fib_add_ifaddr: the local route, the
 * address's own broadcast (IFA_BROADCAST), the prefix route, then the
 * subnet's broadcast. fib_del_ifaddr: the prefix route, the broadcasts
 * (own, then subnet), the local route last.
 */
static unsigned snap_rank(struct netns *ns, const struct rtnl_route_ent *e, uint16_t type,
			  uint32_t brd)
{
	bool local = e->cfg.type == RTN_LOCAL && e->cfg.dst_len == 32 &&
		     e->cfg.table == RT_TABLE_LOCAL;
	bool bcast = e->cfg.type == RTN_BROADCAST;
	bool own = bcast && snap_explicit_brd(ns, e, brd);

	if (type == RTM_NEWROUTE)
		return local ? 0 : own ? 1 : bcast ? 3 : 2;
	return local ? 3 : own ? 1 : bcast ? 2 : 0;
}

/* Stable (insertion) sort of a few changes by snap_rank, then notify. */
static void snap_emit(struct rtnl_req *r, struct netns *ns, const struct rtnl_route_ent **v,
		      unsigned *rank, size_t n, uint16_t type)
{
	for (size_t i = 1; i < n; i++) {
		const struct rtnl_route_ent *e = v[i];
		unsigned k = rank[i];
		size_t j = i;
		for (; j > 0 && rank[j - 1] > k; j--) {
			v[j] = v[j - 1];
			rank[j] = rank[j - 1];
		}
		v[j] = e;
		rank[j] = k;
	}
	for (size_t i = 0; i < n; i++)
		rtnl_notify_route(r, ns, v[i], type);
}

void rtnl_route_snap_notify(struct rtnl_req *r, struct netns *ns, struct rtnl_route_snap *before,
			    struct rtnl_route_snap *after, uint32_t brd)
{
	size_t n = before->n + after->n, nd = 0, na = 0, i = 0, j = 0;
	const struct rtnl_route_ent **del = n ? malloc(n * sizeof(*del)) : NULL;
	const struct rtnl_route_ent **add = n ? malloc(n * sizeof(*add)) : NULL;
	unsigned *rd = n ? malloc(n * sizeof(*rd)) : NULL;
	unsigned *ra = n ? malloc(n * sizeof(*ra)) : NULL;
	bool ordered = del && add && rd && ra;

	/* both sorted: a merge walk finds what left and what came; they are
	 * notified deletions first, each kind in fib_magic's order (in the
	 * merge's order if there is no memory to reorder) */
	while (i < before->n || j < after->n) {
		int c = i == before->n ? 1 : j == after->n ? -1
						      : ent_cmp(&before->v[i], &after->v[j]);
		if (c < 0) {
			if (ordered) {
				rd[nd] = snap_rank(ns, &before->v[i], RTM_DELROUTE, brd);
				del[nd++] = &before->v[i];
			} else {
				rtnl_notify_route(r, ns, &before->v[i], RTM_DELROUTE);
			}
			i++;
		} else if (c > 0) {
			if (ordered) {
				ra[na] = snap_rank(ns, &after->v[j], RTM_NEWROUTE, brd);
				add[na++] = &after->v[j];
			} else {
				rtnl_notify_route(r, ns, &after->v[j], RTM_NEWROUTE);
			}
			j++;
		} else {
			i++, j++;
		}
	}
	if (ordered) {
		snap_emit(r, ns, del, rd, nd, RTM_DELROUTE);
		snap_emit(r, ns, add, ra, na, RTM_NEWROUTE);
	}
	free(del);
	free(add);
	free(rd);
	free(ra);
	rtnl_route_snap_free(before);
	rtnl_route_snap_free(after);
}

/* ------------------------------------------------------- veth peers */

struct peer_note {
	int ifindex;
	uint16_t type;
};

/* Owner of the peer's namespace. */
static int notify_peer_owner(struct rtnl_req *r)
{
	const struct peer_note *pn = r->priv;
	struct netdev *dev = dev_get_by_index(r->ns, pn->ifindex);

	if (!dev)
		return 0;
	/* inetdev_destroy: each address goes with RTM_DELADDR first */
	if (pn->type == RTM_DELLINK)
		for (const struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next)
			rtnl_notify_addr(r, ifa, RTM_DELADDR);
	rtnl_notify_link(r, dev, pn->type);
	return 0;
}

void rtnl_notify_peer_link(struct rtnl_req *r, uint32_t peer_ns_id, int peer_ifindex,
			   uint16_t type)
{
	struct peer_note pn = { .ifindex = peer_ifindex, .type = type };
	struct netns *self = r->ns;
	void *priv = r->priv;
	struct netns *ns;

	if (!rtnl_notifying(r) || peer_ifindex <= 0)
		return;
	ns = peer_ns_id ? netns_lookup_id(peer_ns_id) : self;
	if (!ns)
		return;
	r->ns = ns;
	r->priv = &pn;
	rtnl_on_owner(r, notify_peer_owner);
	r->ns = self;
	r->priv = priv;
}
