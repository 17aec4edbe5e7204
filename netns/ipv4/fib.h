/* SPDX-License-Identifier: MIT */
/*
 * IPv4 routing: the control table (every route as `ip route` shows it, per
 * table) kept apart from the forwarding structure (core/lpm per table),
 * STYLE H8. Tables: local (255), main (254), default (253) and user tables
 * 1..2^32-1, created on first use. Lookup follows the namespace's policy
 * rules (fib_rules.h); with only the default rules, directly: local, then
 * main, then default. Also the addresses of devices
 * (devinet: in_ifaddr) and the routes they imply.
 */
#ifndef NSEMU_NETNS_FIB_H
#define NSEMU_NETNS_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/rtnetlink.h> /* RTN_*, RT_SCOPE_*, RT_TABLE_*, RTPROT_* */

#include "inetdevice.h"
#include "netns/core/netns.h"

struct netdev;

/* An IPv4 address on a device (struct in_ifaddr). Addresses network order. */
struct in_ifaddr {
	struct in_ifaddr *next;
	struct in_ifaddr *hash_next; /* fib.c: the namespace's addresses by local */
	struct netdev *dev;
	uint32_t local;	    /* IFA_LOCAL */
	uint32_t address;   /* IFA_ADDRESS (peer; = local without peer) */
	uint32_t broadcast; /* IFA_BROADCAST, 0 if none */
	uint32_t mask;
	uint8_t prefixlen;
	uint8_t scope;	    /* RT_SCOPE_* */
	uint32_t flags;	    /* IFA_F_* (IFA_F_PERMANENT, IFA_F_SECONDARY) */
	char label[16];
};

/* A route as configured: what RTM_NEWROUTE carries. */
struct fib_config {
	uint32_t table;	    /* RT_TABLE_MAIN by default */
	uint32_t dst;	    /* network order, host bits must be zero */
	uint8_t dst_len;
	uint8_t tos;
	uint8_t type;	    /* RTN_UNICAST, LOCAL, BROADCAST, BLACKHOLE, UNREACHABLE, PROHIBIT */
	uint8_t scope;	    /* RT_SCOPE_UNIVERSE, LINK, HOST; NOWHERE = wildcard on delete */
	uint8_t protocol;   /* RTPROT_BOOT, KERNEL, STATIC, ...; 0 = wildcard on delete */
	uint32_t gw;	    /* 0: none */
	int oif;	    /* 0: derive from gw */
	uint32_t prefsrc;   /* 0: none */
	uint32_t priority;  /* metric */
	uint32_t mtu;	    /* RTA_METRICS RTAX_MTU, 0: none (the device's) */
	bool mtu_lock;	    /* RTAX_LOCK has RTAX_MTU: `mtu lock N` */
	uint32_t nlflags;   /* NLM_F_CREATE|EXCL|REPLACE|APPEND as in RTM_NEWROUTE */
	bool has_priority;  /* for delete: metric given */
	/* RTA_MULTIPATH's payload (fc_mp, fc_mp_len): struct rtnexthop
	 * records, each followed by its attributes (RTA_GATEWAY). Borrowed
	 * from the request; NULL when absent. */
	const struct rtnexthop *mp;
	int mp_len;
	/* RTA_NH_ID: the route uses nexthop object @nh_id (nexthop.c), whose
	 * device, gateway or group paths fib_route_add fills in; 0: none. On
	 * delete, a route of another (or no) nexthop object does not match. */
	uint32_t nh_id;
};

/*
 * One path of a multipath route (the kernel's fib_nh in fib_info's
 * fib_nh[]): device, gateway, weight, the RTNH_F_DEAD / RTNH_F_LINKDOWN
 * flags device events set on it, and the upper bound of its share of the
 * 31-bit hash space (fib_rebalance; -1: not chosen by hash).
 */
struct fib_path {
	struct netdev *dev;
	uint32_t gw;	     /* 0: on-link */
	uint16_t weight;     /* 1..256 (rtnh_hops + 1) */
	uint8_t flags;	     /* RTNH_F_DEAD, RTNH_F_LINKDOWN */
	uint8_t scope;	     /* RT_SCOPE_LINK with a gateway, RT_SCOPE_HOST without */
	int32_t upper_bound;
};

/*
 * A route as walks, flushes and fib_result_route() show it: a view filled
 * in from the table (the table keeps a prefix entry and a shared next-hop
 * record, not this struct), valid for the callback or until the next
 * change of the FIB.
 */
struct fib_route {
	struct fib_config cfg;	/* normalised: oif and scope resolved; no nlflags */
	struct netdev *dev;	/* output device, NULL for blackhole & co */
	uint32_t flags;		/* RTNH_F_LINKDOWN while dev has no carrier */
	/* a multipath route: its paths (nhs >= 2), and cfg.gw and dev are
	 * the first path's; 0 and NULL for a single-path route */
	unsigned nhs;
	const struct fib_path *nh;
};

/* The result of a lookup. */
struct fib_result {
	uint8_t type;	    /* RTN_* */
	uint8_t scope;
	uint8_t prefixlen;
	uint16_t alias;	    /* the route's place among its prefix's routes */
	uint16_t nh_sel;    /* multipath: the path dev and gw are from */
	uint32_t table;
	uint32_t fi;	    /* multipath: the route's record (fib_select_path), else 0 */
	struct netdev *dev; /* output device (NULL for blackhole, unreachable, prohibit) */
	uint32_t gw;	    /* gateway, 0 = destination is on-link */
	uint32_t prefsrc;   /* preferred source, 0 if none */
	uint32_t dst;	    /* the matching prefix (network order) */
	uint32_t mtu;	    /* the route's MTU metric, 0: none */
	bool mtu_lock;	    /* `mtu lock` */
};

int fib_init(struct netns *ns);
void fib_exit(struct netns *ns);

/* Add a route (fib_table_insert semantics: EXCL -> -EEXIST, REPLACE, the
 * gateway must be reachable on-link -> -ENETUNREACH, no such dev -> -ENODEV).
 * Owner thread. */
int fib_route_add(struct netns *ns, const struct fib_config *cfg, struct extack *ext);
/* Delete the first route matching cfg, with zero fields as wildcards (as the
 * kernel's fib_table_delete). -ESRCH if none. */
int fib_route_del(struct netns *ns, const struct fib_config *cfg, struct extack *ext);
/* Longest prefix match: local, main, default. 0 or -ENETUNREACH. For
 * blackhole/unreachable/prohibit routes returns 0 with res->type telling. */
int fib_lookup(struct netns *ns, uint32_t daddr, struct fib_result *res);
/* Lookup in one table only. */
int fib_table_lookup(struct netns *ns, uint32_t table, uint32_t daddr, struct fib_result *res);

/* The route a successful lookup (0 returned) chose, as a view: true, or
 * false if the FIB no longer has it. Owner thread. */
bool fib_result_route(struct netns *ns, const struct fib_result *res, struct fib_route *out);

/*
 * fib_lookup for @n destinations at once (at most FIB_BATCH), as
 * rte_lpm_lookup_bulk: the trie walks of all of them advance one level at
 * a time with the next level prefetched, so their cache misses overlap
 * instead of forming one dependent chain per lookup. ret[i] and res[i] are
 * what fib_lookup(ns, daddr[i], &res[i]) would give. Owner thread.
 */
#define FIB_BATCH 64
void fib_lookup_batch(struct netns *ns, const uint32_t *daddr, unsigned n,
		      struct fib_result *res, int *ret);

typedef int (*fib_walk_fn)(const struct fib_route *r, void *arg); /* non-zero stops */
/* Every route of every table: tables ascending; within a table by prefix
 * (ascending address, then length), a prefix's routes in the kernel's
 * fib_alias order. @r is a view, valid during the call. */
int fib_walk(struct netns *ns, fib_walk_fn fn, void *arg);
/* The routes of one prefix (table 0 = main), in order; 0 if there are none
 * or what @fn returned. Owner thread. */
int fib_prefix_walk(struct netns *ns, uint32_t table, uint32_t dst, uint8_t dst_len,
		    fib_walk_fn fn, void *arg);
unsigned fib_route_count(struct netns *ns);
/* Bytes held by the forwarding structures (core/lpm: tries and rule
 * hashes) of every table; the control table is the rest. Owner thread. */
size_t fib_lpm_memory(struct netns *ns);
/* Bytes held by the whole FIB of @ns (control and forwarding: entries,
 * route lists, next-hop records and their indexes, the lpm tables), as
 * allocated, not counting the allocator's rounding. Owner thread. */
size_t fib_memory(struct netns *ns);

/*
 * What a lookup is asked about (the kernel's struct flowi4): the
 * destination always; the rest narrows the choice. Rules (fib_rules)
 * match on saddr, iif, oif, mark and tos; multipath hashes saddr, daddr
 * and, for policy 1, proto and the ports. Addresses and ports network
 * order; zero fields mean "any".
 */
#define FLOWI_FLAG_IGNORE_LINKSTATE 0x01 /* FIB_LOOKUP_IGNORE_LINKSTATE */
struct flowi4 {
	uint32_t daddr, saddr;
	int oif, iif;
	uint32_t mark;
	uint8_t tos;
	uint8_t scope; /* only routes of scope >= this; RT_SCOPE_UNIVERSE = 0 */
	uint8_t proto;
	uint8_t flags; /* FLOWI_FLAG_* */
	uint16_t sport, dport;
	/* flowi4_l3mdev: the VRF whose table the l3mdev rule sends the
	 * lookup to; 0: the one oif or iif belongs to, if any
	 * (l3mdev_update_flow) */
	int l3mdev;
};

/*
 * Lookup with the kernel's flowi4 knobs (fib_lookup with flowi4_oif and
 * flowi4_scope): only routes of scope >= fl->scope and, when fl->oif is
 * set, through that device. 0 or -ENETUNREACH, as fib_lookup. Owner
 * thread.
 */
int fib_lookup_flow(struct netns *ns, const struct flowi4 *fl, struct fib_result *res);
/*
 * fib_select_path's multipath part: for a result of a multipath route
 * (res->fi set) and a flow not bound to a device, pick the path by the
 * flow's hash (net.ipv4.fib_multipath_hash_policy: 0 and 2 hash saddr and
 * daddr, 1 adds proto and ports) among the live paths in proportion to
 * their weights (fib_select_multipath); with fib_multipath_use_neigh,
 * paths whose gateway's neighbour is not valid are passed over. Sets
 * res->dev, res->gw and res->nh_sel. A single-path result costs one test.
 * Owner thread.
 */
void fib_select_multipath(struct netns *ns, struct fib_result *res, const struct flowi4 *fl4);
static inline void fib_select_path(struct netns *ns, struct fib_result *res,
				   const struct flowi4 *fl4)
{
	if (__builtin_expect(res->fi != 0, 0) && !fl4->oif)
		fib_select_multipath(ns, res, fl4);
}
/* The flow's multipath hash (fib_multipath_hash), 31 bits. */
uint32_t fib_multipath_hash(const struct netns *ns, const struct flowi4 *fl4);
/* fib_info_nh_uses_dev: does the route of @res go out through @dev (any
 * of its paths)? Owner thread. */
bool fib_info_nh_uses_dev(struct netns *ns, const struct fib_result *res,
			  const struct netdev *dev);
/* fib_nh_match's nexthop part, as fib_table_delete applies it: RTA_OIF
 * and RTA_GATEWAY against the route's first nexthop, else each nexthop of
 * RTA_MULTIPATH (cfg->mp) against the route's in order (a zero ifindex or
 * a missing gateway matching any); true if nothing is given. */
bool fib_route_nh_match(const struct fib_config *cfg, const struct fib_route *r);
/* Delete every route for which @match returns true (fib_flush). Returns
 * the number deleted. Owner thread. */
typedef bool (*fib_match_fn)(const struct fib_route *r, void *arg);
unsigned fib_flush_match(struct netns *ns, fib_match_fn match, void *arg);
/* Delete every route whose preferred source is @prefsrc (fib_sync_down_addr
 * + fib_flush), found through an index: the cost is those routes, not the
 * table. Returns the number deleted. Owner thread. */
unsigned fib_flush_prefsrc(struct netns *ns, uint32_t prefsrc);
/* devinet.c's index of every address of the namespace by local address
 * (the kernel's inet_addr_lst): add (0 or -ENOMEM) when an address is
 * linked, delete when it is unlinked; find gives the first of the chain
 * (next: hash_next) or NULL. Owner thread. */
int fib_addr_hash_add(struct in_ifaddr *ifa);
void fib_addr_hash_del(struct in_ifaddr *ifa);
const struct in_ifaddr *fib_addr_hash_find(const struct netns *ns, uint32_t addr);
/* A user added a `local` route (net->ipv4.fib_has_custom_local_routes):
 * fib_validate_source can no longer trust the address list alone. */
bool fib_has_custom_local_routes(const struct netns *ns);
/* The rules are not just the default ones (fib4_has_custom_rules): lookups
 * walk them (fib_rules.c). */
bool fib_has_custom_rules(const struct netns *ns);
/* The routes an address implies (fib_add_ifaddr, devinet.c): local route,
 * and when the device is up the broadcast and prefix routes. */
void fib_add_ifaddr(struct in_ifaddr *ifa);

/* Device events, as fib_netdev_event: unregister removes every route
 * through @dev; down removes those too except host-scope ones (the local
 * routes of its addresses stay, fib_sync_down_dev); up re-adds the routes
 * of its addresses (and gives `lo` 127.0.0.1/8 if it has none). Down and
 * unregister visit only @dev's routes (a per-device list). */
void fib_dev_down(struct netdev *dev);
void fib_dev_up(struct netdev *dev);
void fib_dev_unregister(struct netdev *dev);
/* Start-up: register fib_init/fib_exit per namespace and subscribe to
 * device events (the three above). */
void ip_fib_init(void);

/*
 * Addresses (devinet.c). inet_addr_add adds the connected route in main
 * (proto kernel scope link src A), the local route and the broadcast
 * routes in table local, as fib_add_ifaddr does; and sends a gratuitous
 * ARP if the device is up. -EEXIST if present.
 */
int inet_addr_add(struct netdev *dev, uint32_t local, uint8_t prefixlen, uint32_t broadcast,
		  uint8_t scope, const char *label, struct extack *ext);
int inet_addr_del(struct netdev *dev, uint32_t local, uint8_t prefixlen, struct extack *ext);
void inet_addr_flush(struct netdev *dev);
/* Start-up: subscribe to device events (unregister flushes addresses). */
void devinet_init(void);
/* Is @addr configured on any device of @ns? Returns the device (the one
 * with the lowest ifindex if several) or NULL. A hash lookup. */
struct netdev *inet_addr_local_dev(struct netns *ns, uint32_t addr);
/* Source address selection (inet_select_addr): a primary address of @dev
 * in the same subnet as @dst if any, else the first of scope <= @scope,
 * else any device's. 0 if none. */
uint32_t inet_select_addr(const struct netdev *dev, uint32_t dst, int scope);

#endif
