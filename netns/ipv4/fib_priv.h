/* SPDX-License-Identifier: MIT */
/*
 * The FIB's own structures, shared by its three files: fib.c (lookups,
 * fib_table_insert/delete, flushes, dumps, device events), fib_table.c
 * (a table's prefix entries, its exact-match index and its lpm kept in
 * step) and fib_nh.c (next-hop records and the indexes by device,
 * preferred source and local address). Nothing outside netns/fib*.c
 * and nexthop.c (which keeps its objects in struct fib) includes it. Owner thread only.
 */
#ifndef NSEMU_NETNS_FIB_PRIV_H
#define NSEMU_NETNS_FIB_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fib.h"

struct lpm;
struct nh_table;

/*
 * One route of a prefix (the kernel's fib_alias): its tos and its shared
 * next-hop record (the kernel's fib_info), which holds everything else:
 * type, scope, protocol, metric, device, gateway, preferred source.
 */
struct fib_alias {
	uint32_t nh; /* index in fib.nh[] (a counted reference) */
	uint8_t tos;
};

/* The routes of a prefix that has more than one, or one with a tos: in
 * fib_alias order (tos descending, metric ascending, then insertion). */
struct fib_alist {
	uint32_t n, cap;
	struct fib_alias a[];
};

enum { ENT_FREE, ENT_ONE, ENT_LIST };

/*
 * A prefix of a table, kept by value in the table's ent[]. 8 bytes, the
 * route included in the common case of one route with tos 0 (ENT_ONE:
 * @ref is its record, which the prefix's lpm leaf carries too, so a
 * lookup reads the trie and a record that many prefixes share, not the
 * entry). Other prefixes have a list of routes (ENT_LIST: @ref indexes
 * the table's lists[]; their lpm leaf is the entry's index) and lookups
 * read it.
 */
struct fib_entry {
	uint32_t dst; /* network order */
	uint32_t dst_len : 6;
	uint32_t kind : 2;
	uint32_t ref : 24;
};
static_assert(sizeof(struct fib_entry) == 8, "fib entry is 8 bytes");

/*
 * A table's exact-match index (its only one: the lpm keeps no rule set):
 * entry indexes by (dst, len) in open addressing over any capacity (a
 * multiply-shift maps the hash onto the slots, so it grows by half rather
 * than doubling), linear probing, backward-shift deletion. A slot holds
 * the entry's index + 1 in its low 26 bits and 6 more bits of its hash,
 * so a probe reads an entry only when those agree. Entry indexes stay
 * below 2^26 - 1 (the lpm's values).
 */
#define PFX_IDX_BITS 26
#define PFX_IDX_MASK ((1u << PFX_IDX_BITS) - 1)

/*
 * What the lpm maps a prefix to (its leaf value): for an ENT_ONE entry
 * LEAF_NH | its route's record, so that a lookup reads the trie and a
 * record (shared, likely in cache) but not the entry, one cache miss
 * fewer; for the others the entry's index, and lookups read its routes.
 * Entry indexes stay below LEAF_NH.
 */
#define LEAF_NH (1u << 25)

struct fib_table {
	struct lpm *lpm;	  /* hot: host-order prefix -> index in ent[] */
	struct fib_entry *ent;	  /* entries by index; moves when it grows */
	uint32_t ent_cap;
	uint32_t ent_hint;	  /* no free slot below this index */
	uint32_t *pfx;		  /* the exact-match index */
	uint32_t pfx_cap, pfx_n;
	uint32_t len_count[33];	  /* prefixes per length: skip empty ones */
	struct fib_alist **lists; /* ENT_LIST entries' routes, NULL = free */
	uint32_t lists_cap, lists_hint;
	uint32_t id;
	struct fib_table *next;	  /* ascending id */
};

/*
 * Device and address events touch only their own routes, as the kernel's
 * fib_info_devhash and fib_info_laddrhash: by device and by preferred
 * source a hash gives the next-hop records (a short array of indexes),
 * and each record knows the entries whose routes use it while they are
 * few (FIB_NH_TRACK). A record shared by more routes than that is marked
 * untracked and its routes are found by a scan of the tables: a million
 * routes through one gateway then cost no index at all, and deleting them
 * all costs one pass. Open addressing, backward-shift deletion; a key
 * leaves with its last record.
 */
struct fib_idxvec {
	uint32_t n, cap;
	uint32_t v[];
};

struct fib_hslot {
	uint64_t key; /* 0 = free */
	union {
		struct fib_idxvec *vec;	 /* by_dev, by_src: next-hop records */
		struct in_ifaddr *ifa;	 /* by_addr: in_ifaddr.hash_next chain */
	};
};

struct fib_hmap {
	struct fib_hslot *slot;
	uint32_t cap; /* power of two, 0 before first use */
	uint32_t n;
};

/* Where a route that uses a record sits: table and entry (its place in
 * the entry is found by the record's index). */
struct fib_nhref {
	uint32_t table, ent;
};

struct fib_nhrefs {
	uint32_t n, cap;
	struct fib_nhref v[];
};

#define FIB_NH_TRACK 64

/*
 * The paths of a multipath record (fib_info's fib_nh[] and fib_nhs), owned
 * by the record, and the flags the kernel keeps in fib_info->fib_flags:
 * RTNH_F_LINKDOWN once one carrier event has left every path without a
 * link (fib_sync_down_dev's count), cleared when a path comes back.
 */
struct fib_mp {
	uint32_t n;
	uint32_t flags;
	struct fib_path p[];
};

/*
 * A next-hop record shared by the routes that resolve alike (the kernel's
 * fib_info, VPP's load-balance): what a lookup returns. Every route holds
 * a reference; a prefix entry names its first route's record, so a lookup
 * is the trie, the entry, and a record that a few hundred thousand
 * prefixes share (in cache), not a pointer chase to a route of its own.
 * Found by its contents through a hash of indexes. Free records chain
 * through refcnt's place (next_free).
 */
struct fib_nh {
	struct netdev *dev;
	uint32_t gw, prefsrc;
	union {
		uint32_t refcnt;
		uint32_t next_free;
	};
	uint32_t priority;
	uint32_t mtu;		 /* metrics (the kernel's fib_metrics): RTAX_MTU ... */
	bool mtu_lock;		 /* ... and its RTAX_LOCK bit */
	uint8_t type, scope, protocol;
	bool live;
	/* a lookup taking this record must check its device's carrier
	 * (ignore_routes_with_linkdown): a device, not an error type, not
	 * scope host; set when the record is made */
	bool linkcheck;
	bool untracked;		 /* refs dropped: more than FIB_NH_TRACK routes */
	/* the fast lookup path must not answer from this record alone: a
	 * throw route or a multipath one */
	bool slow;
	uint32_t nh_id;		 /* the route's nexthop object (RTA_NH_ID), 0: none */
	struct fib_nhrefs *refs; /* while tracked: one per route using it */
	/* a multipath route's paths (dev and gw are the first one's), or
	 * NULL. In a lookup key, borrowed; in a record, owned. */
	struct fib_mp *mp;
};

#define FIB_NH_MAX ((1u << 24) - 1)

struct fib {
	struct fib_table *local, *main; /* the two every lookup visits */
	struct fib_table *deflt;	/* table 253, rule 32767's: NULL until made */
	/* the rules are not the three defaults: lookups walk rules (below) */
	bool custom_rules;
	struct fib_nh *nh;		/* records by index, [0] unused */
	uint32_t nh_cap, nh_free;	/* nh_free: a free index, 0 = none */
	uint32_t *nh_hash;		/* indexes by contents, 0 = empty */
	uint32_t nh_hcap, nh_n;		/* power of two; records in use */
	uint32_t nh_top;		/* indexes below it have been used */
	struct fib_table *tables;
	unsigned nroutes;
	bool has_custom_local_routes;
	struct fib_hmap by_dev;	 /* nh->dev -> records */
	struct fib_hmap by_src;	 /* nh->prefsrc -> records */
	struct fib_hmap by_addr; /* ifa->local -> the addresses (inet_addr_lst) */
	struct fib_rules *rules; /* fib_rules.c; NULL = the default rules */
	struct nh_table *nexthops; /* nexthop.c: the namespace's nexthop objects */
};

/* The route types that answer with an error (fib_props[].error). */
static inline bool fib_type_is_error(uint8_t type)
{
	return type == RTN_BLACKHOLE || type == RTN_UNREACHABLE || type == RTN_PROHIBIT ||
	       type == RTN_THROW || type == RTN_NAT || type == RTN_XRESOLVE;
}

static inline uint64_t fib_dev_key(const struct netdev *dev)
{
	return (uint64_t)(uintptr_t)dev;
}

/* Same paths (device, gateway, weight), in the same order. */
static inline bool fib_mp_same(const struct fib_mp *a, const struct fib_mp *b)
{
	if (!a || !b)
		return a == b;
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->p[i].dev != b->p[i].dev || a->p[i].gw != b->p[i].gw ||
		    a->p[i].weight != b->p[i].weight)
			return false;
	return true;
}

static inline bool fib_nh_same(const struct fib_nh *a, const struct fib_nh *b)
{
	return a->dev == b->dev && a->gw == b->gw && a->prefsrc == b->prefsrc &&
	       a->priority == b->priority && a->type == b->type && a->scope == b->scope &&
	       a->protocol == b->protocol && a->mtu == b->mtu && a->mtu_lock == b->mtu_lock &&
	       a->nh_id == b->nh_id && fib_mp_same(a->mp, b->mp);
}

static inline uint32_t fib_entry_leaf(const struct fib_table *tb, uint32_t idx)
{
	const struct fib_entry *e = &tb->ent[idx];

	return e->kind == ENT_ONE ? LEAF_NH | e->ref : idx;
}

/* The routes of @e as an array of *n; the inline one is copied to @one. */
static inline const struct fib_alias *fib_entry_aliases(const struct fib_table *tb,
					     const struct fib_entry *e, struct fib_alias *one,
					     unsigned *n)
{
	if (e->kind == ENT_ONE) {
		*one = (struct fib_alias){ e->ref, 0 };
		*n = 1;
		return one;
	}
	if (e->kind == ENT_LIST) {
		const struct fib_alist *l = tb->lists[e->ref];

		*n = l->n;
		return l->a;
	}
	*n = 0;
	return NULL;
}

/* fib.c: one table's lookup for a rule's action (fib_table_lookup under
 * fib4_rule_action): 1 found (*res filled), 0 nothing, -EAGAIN throw. */
int fib_table_lookup_fl(struct netns *ns, const struct fib_table *tb, const struct flowi4 *fl,
			struct fib_result *res);

/* fib_nh.c: records (a reference per route, for the route in (table,
 * entry); 0 on -ENOMEM) and the indexes */
uint32_t fib_nh_get(struct fib *f, const struct fib_nh *key, uint32_t table, uint32_t ent);
void fib_nh_put(struct fib *f, uint32_t idx, uint32_t table, uint32_t ent);
struct fib_hslot *fib_hmap_find(const struct fib_hmap *m, uint64_t key);
void fib_nh_exit(struct fib *f);
/* fib_rebalance: the paths' upper bounds from their weights and flags. */
void fib_mp_rebalance(struct fib_mp *mp);
size_t fib_nh_memory(const struct fib *f);

/* fib_table.c: tables, entries, the exact-match index, the lpm */
struct fib_table *fib_get_table(const struct fib *f, uint32_t id);
struct fib_table *fib_new_table(struct fib *f, uint32_t id);
void fib_table_free(struct fib_table *tb);
size_t fib_table_memory(const struct fib_table *tb);
uint32_t fib_pfx_find(const struct fib_table *tb, uint32_t dst, unsigned len);
struct fib_entry *fib_entry_get(const struct fib_table *tb, uint32_t dst, uint8_t len,
				uint32_t *idx);
uint32_t fib_entry_cover(const struct fib_table *tb, uint32_t a, int len);
int fib_entry_new(struct fib_table *tb, uint32_t dst, uint8_t len, uint32_t *idx);
void fib_entry_drop(struct fib_table *tb, uint32_t idx);
int fib_entry_publish(struct fib_table *tb, uint32_t idx);
void fib_entry_sync(struct fib_table *tb, uint32_t idx, uint32_t old);
void fib_entry_free(struct fib_table *tb, uint32_t idx);
struct fib_alist *fib_entry_unfold(struct fib_table *tb, struct fib_entry *e);
void fib_entry_fold(struct fib_table *tb, struct fib_entry *e);

#endif
