/* SPDX-License-Identifier: MIT */
/*
 * Nexthop objects (net/ipv4/nexthop.c): `ip nexthop` entries of a
 * namespace, each a single IPv4 nexthop (device, optional gateway) or a
 * blackhole, or a hash-threshold group of single nexthops with weights.
 * Routes name one by id (RTA_NH_ID) and take their paths from it: a
 * group gives a multipath route. Deleting, replacing or losing the device
 * of a nexthop changes or removes the routes using it, as the kernel
 * does. Owner thread only.
 */
#ifndef NSEMU_NETNS_NEXTHOP_H
#define NSEMU_NETNS_NEXTHOP_H

#include <stdbool.h>
#include <stdint.h>

#include "netns/core/netns.h"

struct fib_config;
struct netdev;

/* One member of a group: a single nexthop's id and its weight (1..256). */
struct nh_grp_entry {
	uint32_t id;
	uint16_t weight;
};

/* What RTM_NEWNEXTHOP asks for (the kernel's nh_config). */
struct nh_config {
	uint32_t id;	    /* 0: the next free one */
	uint8_t protocol;
	uint32_t flags;	    /* nhm->nh_flags (RTNH_F_ONLINK) */
	bool blackhole;
	int oif;
	uint32_t gw;	    /* network order, 0: device only */
	uint16_t ngrp;	    /* a group of ngrp members, 0: not a group */
	const struct nh_grp_entry *grp;
	uint32_t nlflags;   /* NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE */
};

/* A nexthop as dumps see it: valid until the next change. */
struct nexthop {
	uint32_t id;
	uint8_t protocol;
	uint8_t scope;	    /* RT_SCOPE_LINK with a gateway, HOST without, else UNIVERSE */
	uint32_t flags;
	bool blackhole;
	struct netdev *dev; /* NULL for blackholes and groups */
	uint32_t gw;
	uint16_t ngrp;
	struct nh_grp_entry *grp;
	uint64_t seq;	    /* when its members were last set: notification order */
};

/*
 * Add or replace a nexthop (nexthop_add / replace_nexthop with the
 * kernel's checks and extack texts). *@id gets the id used. 0 or -errno;
 * a failure changes nothing.
 */
int nexthop_add(struct netns *ns, const struct nh_config *cfg, uint32_t *id, struct extack *ext);
/* What a removal changed, as remove_nexthop notifies it: @nh deleted
 * (as it was) or, a group that lost a member, as it is now. */
typedef void (*nexthop_notify_fn)(const struct nexthop *nh, bool deleted, void *arg);
/* Remove nexthop @id (remove_nexthop): the routes using it go, groups
 * lose it (and go with their last member). @fn (may be NULL) hears of
 * @id, then of each group it changed, most recently made first (the
 * kernel's grp_list order). 0 or -ENOENT. */
int nexthop_del(struct netns *ns, uint32_t id, nexthop_notify_fn fn, void *arg);
/* The nexthop of @id, or NULL. */
const struct nexthop *nexthop_find(struct netns *ns, uint32_t id);
typedef int (*nexthop_walk_fn)(const struct nexthop *nh, void *arg); /* non-zero stops */
/* Every nexthop by ascending id; what @fn returned last. */
int nexthop_walk(struct netns *ns, nexthop_walk_fn fn, void *arg);
unsigned nexthop_count(struct netns *ns);
/*
 * For fib_route_add: fill @cfg's device and gateway from nexthop
 * cfg->nh_id, or (a group) point cfg->mp at RTA_MULTIPATH records built
 * in *@buf (the caller frees it after the add), or make it a blackhole.
 * 0, or -EINVAL with "Nexthop id does not exist" and the kernel's other
 * texts.
 */
int nexthop_route_config(struct netns *ns, struct fib_config *cfg, void **buf,
			 struct extack *ext);
/* Start-up: per-namespace state and device events (called by ip_fib_init). */
void nexthop_init(void);

#endif
