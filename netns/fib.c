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
 * usable. Device events follow fib_netdev_event. Owner thread only.
 */
#include "fib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../core/lpm.h"
#include "dev.h"
#include "proto/ip.h"

/* A prefix of a table, kept by value in the table's ent[] (the lpm's
 * leaves index it): a lookup reads the trie, then one array slot. */
struct fib_entry {
	struct fib_route *routes; /* NULL: a free slot */
	uint32_t dst;		  /* network order */
	uint32_t dst_len : 8;
	/* the first route's next-hop record in fib.nh[] (0: none, look at
	 * the routes): a lookup reads it instead of the route */
	uint32_t nh : 24;
};
static_assert(sizeof(struct fib_entry) == 16, "fib entry is 16 bytes");

struct fib_table {
	struct lpm *lpm;	  /* hot: host-order prefix -> index in ent[] */
	struct fib_entry *ent;	  /* entries by index; moves when it grows */
	uint32_t ent_cap;
	uint32_t ent_hint;	  /* no free slot below this index */
	uint32_t id;
	bool use_nh;		  /* entries point at next-hop records */
	struct fib_table *next;	  /* ascending id */
};

/* Tables of at most this many prefixes (a namespace's own: lo, an address
 * or two, a default) read their routes, which are in cache; larger ones
 * give their entries next-hop records. */
#define FIB_NH_MIN_PREFIXES 16

/*
 * Indexes of routes by a key, as the kernel's fib_info_devhash and
 * fib_info_laddrhash, so that device and address events touch only their
 * own routes, not every route of every table. By device: the key maps to
 * the head of a list threaded through the routes (every route has a
 * device, and a device may carry a million routes). By preferred source:
 * the key maps to a small array of the routes that have one (mostly the
 * routes an address implies), which costs the other routes nothing. Open
 * addressing, backward-shift deletion; a key leaves with its last route.
 */
struct fib_srcvec {
	uint32_t n, cap;
	struct fib_route *r[];
};

struct fib_hslot {
	uint64_t key; /* 0 = free */
	union {
		struct fib_route *head;	 /* by_dev */
		struct fib_srcvec *vec;	 /* by_src */
		struct in_ifaddr *ifa;	 /* by_addr: in_ifaddr.hash_next chain */
	};
};

struct fib_hmap {
	struct fib_hslot *slot;
	uint32_t cap; /* power of two, 0 before first use */
	uint32_t n;
};

/*
 * A next-hop record shared by the routes that resolve alike (the kernel's
 * fib_info, VPP's load-balance): what a lookup returns. A prefix entry
 * holds the index of its first route's record, so a lookup is the trie,
 * the entry, and a record that a few hundred thousand prefixes share (in
 * cache), not a pointer chase to a route of its own. Refcounted by the
 * entries that point at it; found by its contents through a hash of
 * indexes. Free records chain through refcnt's place (next_free).
 */
struct fib_nh {
	struct netdev *dev;
	uint32_t gw, prefsrc;
	union {
		uint32_t refcnt;
		uint32_t next_free;
	};
	uint8_t type, scope;
};

#define FIB_NH_MAX ((1u << 24) - 1)

struct fib {
	struct fib_table *local, *main; /* the two every lookup visits */
	struct fib_nh *nh;		/* records by index, [0] unused */
	uint32_t nh_cap, nh_free;	/* nh_free: a free index, 0 = none */
	uint32_t *nh_hash;		/* indexes by contents, 0 = empty */
	uint32_t nh_hcap, nh_n;		/* power of two; records in use */
	uint32_t nh_top;		/* indexes below it have been used */
	struct fib_table *tables;
	unsigned nroutes;
	bool has_custom_local_routes;
	struct fib_hmap by_dev; /* route->dev -> dev_next/dev_prev list */
	struct fib_hmap by_src; /* route->cfg.prefsrc -> array of routes */
	struct fib_hmap by_addr; /* ifa->local -> the addresses (inet_addr_lst) */
};

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

/* ---- route indexes: by device, by preferred source ---- */

static uint32_t hmap_hash(uint64_t key)
{
	key *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(key >> 32);
}

static struct fib_hslot *hmap_find(const struct fib_hmap *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	for (uint32_t i = hmap_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->slot[i].key == key)
			return &m->slot[i];
		if (!m->slot[i].key)
			return NULL;
	}
}

/* The slot of @key, made (empty list) if absent. NULL on -ENOMEM. */
static struct fib_hslot *hmap_get(struct fib_hmap *m, uint64_t key)
{
	struct fib_hslot *hs = hmap_find(m, key);
	uint32_t i;

	if (hs)
		return hs;
	/* load at most one half */
	if ((m->n + 1) * 2 > m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 8;
		struct fib_hslot *ns = calloc(cap, sizeof(*ns));

		if (!ns)
			return NULL;
		for (uint32_t k = 0, mask = cap - 1; k < m->cap; k++) {
			if (!m->slot[k].key)
				continue;
			for (i = hmap_hash(m->slot[k].key) & mask; ns[i].key; i = (i + 1) & mask)
				;
			ns[i] = m->slot[k];
		}
		free(m->slot);
		m->slot = ns;
		m->cap = cap;
	}
	for (i = hmap_hash(key) & (m->cap - 1); m->slot[i].key; i = (i + 1) & (m->cap - 1))
		;
	m->slot[i] = (struct fib_hslot){ .key = key };
	m->n++;
	return &m->slot[i];
}

/* Remove slot @hs (its list is empty), shifting later entries back. */
static void hmap_remove(struct fib_hmap *m, struct fib_hslot *hs)
{
	uint32_t mask = m->cap - 1, i = (uint32_t)(hs - m->slot), j;

	for (j = (i + 1) & mask; m->slot[j].key; j = (j + 1) & mask) {
		uint32_t home = hmap_hash(m->slot[j].key) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slot[i] = m->slot[j];
			i = j;
		}
	}
	m->slot[i] = (struct fib_hslot){ 0 };
	m->n--;
}

static inline uint64_t dev_key(const struct netdev *dev)
{
	return (uint64_t)(uintptr_t)dev;
}

/* Put @r on its device's and its preferred source's lists. 0 or -ENOMEM
 * (on neither then). */
static int route_index_add(struct fib *f, struct fib_route *r)
{
	struct fib_hslot *d = NULL, *src;

	if (r->dev) {
		d = hmap_get(&f->by_dev, dev_key(r->dev));
		if (!d)
			return -ENOMEM;
	}
	if (r->cfg.prefsrc) {
		struct fib_srcvec *v = NULL;

		src = hmap_get(&f->by_src, r->cfg.prefsrc);
		if (src && (!src->vec || src->vec->n == src->vec->cap)) {
			uint32_t cap = src->vec ? src->vec->cap * 2 : 4;

			v = realloc(src->vec, sizeof(*v) + cap * sizeof(v->r[0]));
			if (v) {
				if (!src->vec)
					v->n = 0;
				v->cap = cap;
				src->vec = v;
			}
		} else if (src) {
			v = src->vec;
		}
		if (!v) {
			if (src && !src->vec)
				hmap_remove(&f->by_src, src);
			if (d && !d->head)
				hmap_remove(&f->by_dev, d);
			return -ENOMEM;
		}
		v->r[v->n++] = r;
	}
	if (d) {
		r->dev_prev = NULL;
		r->dev_next = d->head;
		if (d->head)
			d->head->dev_prev = r;
		d->head = r;
	}
	return 0;
}

static void route_index_del(struct fib *f, struct fib_route *r)
{
	struct fib_hslot *hs;

	if (r->dev) {
		if (r->dev_next)
			r->dev_next->dev_prev = r->dev_prev;
		if (r->dev_prev) {
			r->dev_prev->dev_next = r->dev_next;
		} else {
			hs = hmap_find(&f->by_dev, dev_key(r->dev));
			hs->head = r->dev_next;
			if (!hs->head)
				hmap_remove(&f->by_dev, hs);
		}
	}
	if (r->cfg.prefsrc) {
		struct fib_srcvec *v;

		/* one address's routes: a short array, searched from the end */
		hs = hmap_find(&f->by_src, r->cfg.prefsrc);
		v = hs->vec;
		for (uint32_t i = v->n; i-- > 0;) {
			if (v->r[i] == r) {
				v->r[i] = v->r[--v->n];
				break;
			}
		}
		if (!v->n) {
			free(v);
			hmap_remove(&f->by_src, hs);
		}
	}
}

/* ---- next-hop records ---- */

static uint32_t nh_hash_of(const struct netdev *dev, uint32_t gw, uint32_t prefsrc,
			   uint8_t type, uint8_t scope)
{
	uint64_t h = (uint64_t)(uintptr_t)dev * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)gw << 32 | prefsrc) * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)(type << 8 | scope) * 0x165667b19e3779f9ull;
	return (uint32_t)(h >> 32);
}

static inline bool nh_is(const struct fib_nh *n, const struct fib_route *r)
{
	return n->dev == r->dev && n->gw == r->cfg.gw && n->prefsrc == r->cfg.prefsrc &&
	       n->type == r->cfg.type && n->scope == r->cfg.scope;
}

static uint32_t nh_home(const struct fib *f, uint32_t idx)
{
	const struct fib_nh *n = &f->nh[idx];

	return nh_hash_of(n->dev, n->gw, n->prefsrc, n->type, n->scope) & (f->nh_hcap - 1);
}

/* Room for one more record and its hash slot. false on -ENOMEM. */
static bool nh_reserve(struct fib *f)
{
	if (!f->nh_free && f->nh_top >= f->nh_cap) {
		uint32_t cap = f->nh_cap ? f->nh_cap * 2 : 8;
		struct fib_nh *n;

		if (cap > FIB_NH_MAX + 1)
			return false;
		n = realloc(f->nh, cap * sizeof(*n));
		if (!n)
			return false;
		f->nh = n;
		if (!f->nh_cap)
			f->nh_top = 1;
		f->nh_cap = cap;
	}
	/* load at most one half */
	if ((f->nh_n + 1) * 2 > f->nh_hcap) {
		uint32_t hcap = f->nh_hcap ? f->nh_hcap * 2 : 16, *h = calloc(hcap, sizeof(*h));
		uint32_t old = f->nh_hcap, *oh = f->nh_hash;

		if (!h)
			return false;
		f->nh_hash = h;
		f->nh_hcap = hcap;
		for (uint32_t k = 0; k < old; k++) {
			uint32_t i;

			if (!oh[k])
				continue;
			for (i = nh_home(f, oh[k]); h[i]; i = (i + 1) & (hcap - 1))
				;
			h[i] = oh[k];
		}
		free(oh);
	}
	return true;
}

/* A reference to the record resolving as @r does; 0 (the entry then has
 * no record and lookups read its routes) if none can be made. */
static uint32_t nh_get(struct fib *f, const struct fib_route *r)
{
	uint32_t i, idx;
	struct fib_nh *n;

	if (f->nh_hcap) {
		for (i = nh_hash_of(r->dev, r->cfg.gw, r->cfg.prefsrc, r->cfg.type, r->cfg.scope) &
			 (f->nh_hcap - 1);
		     f->nh_hash[i]; i = (i + 1) & (f->nh_hcap - 1)) {
			n = &f->nh[f->nh_hash[i]];
			if (nh_is(n, r)) {
				n->refcnt++;
				return f->nh_hash[i];
			}
		}
	}
	if (!nh_reserve(f))
		return 0;
	if (f->nh_free) {
		idx = f->nh_free;
		f->nh_free = f->nh[idx].next_free;
	} else {
		idx = f->nh_top++;
	}
	n = &f->nh[idx];
	*n = (struct fib_nh){ .dev = r->dev, .gw = r->cfg.gw, .prefsrc = r->cfg.prefsrc,
			      .type = r->cfg.type, .scope = r->cfg.scope };
	n->refcnt = 1;
	for (i = nh_home(f, idx); f->nh_hash[i]; i = (i + 1) & (f->nh_hcap - 1))
		;
	f->nh_hash[i] = idx;
	f->nh_n++;
	return idx;
}

static void nh_put(struct fib *f, uint32_t idx)
{
	uint32_t mask, i, j;

	if (!idx || --f->nh[idx].refcnt)
		return;
	/* out of the hash with backward-shift deletion */
	mask = f->nh_hcap - 1;
	for (i = nh_home(f, idx); f->nh_hash[i] != idx; i = (i + 1) & mask)
		;
	for (j = (i + 1) & mask; f->nh_hash[j]; j = (j + 1) & mask) {
		uint32_t home = nh_home(f, f->nh_hash[j]);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			f->nh_hash[i] = f->nh_hash[j];
			i = j;
		}
	}
	f->nh_hash[i] = 0;
	f->nh_n--;
	f->nh[idx].dev = NULL;
	f->nh[idx].next_free = f->nh_free;
	f->nh_free = idx;
}

/*
 * After any change to @e's routes: point it at its first route's record
 * when a default lookup (no oif, scope universe) would take that route
 * from the record alone — tos 0 (lookups carry none) and not dead; the
 * carrier check stays in the lookup, it changes without the FIB knowing.
 * Small tables (!tb->use_nh) keep index 0.
 */
static void entry_sync_nh(struct fib *f, const struct fib_table *tb, struct fib_entry *e)
{
	const struct fib_route *r = e->routes;
	uint32_t old = e->nh;

	if (tb->use_nh && r && !r->cfg.tos && !(r->flags & RTNH_F_DEAD)) {
		if (old && nh_is(&f->nh[old], r))
			return;
		e->nh = nh_get(f, r);
	} else {
		e->nh = 0;
	}
	nh_put(f, old);
}

/* ---- addresses by local address (devinet.c's inet_addr_lst) ---- */

int fib_addr_hash_add(struct in_ifaddr *ifa)
{
	struct fib_hslot *hs = hmap_get(&ifa->dev->ns->fib->by_addr, ifa->local);

	if (!hs)
		return -ENOMEM;
	ifa->hash_next = hs->ifa;
	hs->ifa = ifa;
	return 0;
}

void fib_addr_hash_del(struct in_ifaddr *ifa)
{
	struct fib_hmap *m = &ifa->dev->ns->fib->by_addr;
	struct fib_hslot *hs = hmap_find(m, ifa->local);

	for (struct in_ifaddr **pp = &hs->ifa; *pp; pp = &(*pp)->hash_next) {
		if (*pp == ifa) {
			*pp = ifa->hash_next;
			break;
		}
	}
	if (!hs->ifa)
		hmap_remove(m, hs);
}

const struct in_ifaddr *fib_addr_hash_find(const struct netns *ns, uint32_t addr)
{
	const struct fib_hslot *hs = addr ? hmap_find(&ns->fib->by_addr, addr) : NULL;

	return hs ? hs->ifa : NULL;
}

/* ---- tables ---- */

static struct fib_table *fib_get_table(const struct fib *f, uint32_t id)
{
	struct fib_table *tb;

	if (id == RT_TABLE_LOCAL)
		return f->local;
	if (id == RT_TABLE_MAIN)
		return f->main;
	for (tb = f->tables; tb && tb->id <= id; tb = tb->next)
		if (tb->id == id)
			return tb;
	return NULL;
}

/* fib_new_table: find or create, keeping the list in ascending id. */
static struct fib_table *fib_new_table(struct fib *f, uint32_t id)
{
	struct fib_table *tb = fib_get_table(f, id), **pp;

	if (tb)
		return tb;
	tb = calloc(1, sizeof(*tb));
	if (!tb)
		return NULL;
	tb->lpm = lpm_create();
	if (!tb->lpm) {
		free(tb);
		return NULL;
	}
	tb->id = id;
	for (pp = &f->tables; *pp && (*pp)->id < id; pp = &(*pp)->next)
		;
	tb->next = *pp;
	*pp = tb;
	if (id == RT_TABLE_LOCAL)
		f->local = tb;
	else if (id == RT_TABLE_MAIN)
		f->main = tb;
	return tb;
}

static struct fib_entry *table_entry_get(const struct fib_table *tb, uint32_t dst, uint8_t len)
{
	uint32_t idx;

	if (!lpm_get(tb->lpm, ntohl(dst), len, &idx))
		return NULL;
	return &tb->ent[idx];
}

/* A new entry for dst/len; the caller gives it its first route at once
 * (an entry without routes is a free slot). Pointers to entries are good
 * until the next table_entry_new. */
static struct fib_entry *table_entry_new(struct fib *f, struct fib_table *tb, uint32_t dst,
					 uint8_t len)
{
	struct fib_entry *e;
	uint32_t i;

	for (i = tb->ent_hint; i < tb->ent_cap && tb->ent[i].routes; i++)
		;
	if (i == tb->ent_cap) {
		uint32_t cap = tb->ent_cap ? tb->ent_cap * 2 : 8;
		struct fib_entry *ne = realloc(tb->ent, cap * sizeof(*ne));

		if (!ne)
			return NULL;
		memset(ne + tb->ent_cap, 0, (cap - tb->ent_cap) * sizeof(*ne));
		tb->ent = ne;
		tb->ent_cap = cap;
	}
	if (lpm_add(tb->lpm, ntohl(dst), len, i) < 0)
		return NULL;
	e = &tb->ent[i];
	*e = (struct fib_entry){ .dst = dst, .dst_len = len };
	tb->ent_hint = i + 1;
	if (!tb->use_nh && lpm_count(tb->lpm) > FIB_NH_MIN_PREFIXES) {
		/* grown past a namespace's own routes: records from now on */
		tb->use_nh = true;
		for (uint32_t k = 0; k < tb->ent_cap; k++)
			if (tb->ent[k].routes)
				entry_sync_nh(f, tb, &tb->ent[k]);
	}
	return e;
}

static void table_entry_free(struct fib_table *tb, struct fib_entry *e)
{
	uint32_t idx = (uint32_t)(e - tb->ent);

	lpm_del(tb->lpm, ntohl(e->dst), e->dst_len);
	*e = (struct fib_entry){ 0 };
	if (idx < tb->ent_hint)
		tb->ent_hint = idx;
}

static void table_free(struct fib_table *tb)
{
	for (uint32_t i = 0; i < tb->ent_cap; i++) {
		struct fib_entry *e = &tb->ent[i];

		while (e->routes) {
			struct fib_route *r = e->routes;

			e->routes = r->next;
			free(r);
		}
	}
	free(tb->ent);
	lpm_destroy(tb->lpm);
	free(tb);
}

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
		table_free(tb);
	}
	free(f->by_dev.slot);
	for (uint32_t i = 0; i < f->by_src.cap; i++)
		free(f->by_src.slot[i].vec);
	free(f->by_src.slot);
	free(f->by_addr.slot);
	free(f->nh);
	free(f->nh_hash);
	free(f);
	ns->fib = NULL;
}

/* ---- lookup ---- */

static bool is_error_type(uint8_t type)
{
	return type <= RTN_MAX && fib_props[type].error;
}

/* netif_carrier_ok for a route's device. */
static bool route_linkdown(const struct fib_route *r)
{
	return r->dev && r->cfg.scope != RT_SCOPE_HOST && !r->dev->carrier;
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

/* The first route of a prefix usable for @fl, in fib_table_lookup's order. */
static const struct fib_route *entry_match(const struct fib_entry *e, const struct fib_flow *fl)
{
	for (const struct fib_route *r = e->routes; r; r = r->next) {
		/* Lookups carry no TOS: only tos-0 routes match, as for a
		 * flow with tos 0 in the kernel. */
		if (r->cfg.tos)
			continue;
		if (r->cfg.scope < fl->scope)
			continue;
		/* error types answer before any nexthop check */
		if (is_error_type(r->cfg.type))
			return r;
		if (r->flags & RTNH_F_DEAD)
			continue;
		if (!fl->ignore_linkstate && route_linkdown(r) && ignore_linkdown(r->dev))
			continue;
		if (fl->oif && (!r->dev || r->dev->ifindex != fl->oif))
			continue;
		return r;
	}
	return NULL;
}

/* One table: 1 found, 0 nothing here (try the next table), -EAGAIN throw. */
static int table_lookup(const struct fib *f, const struct fib_table *tb, uint32_t daddr,
			const struct fib_flow *fl, struct fib_result *res)
{
	uint32_t a = ntohl(daddr), idx;
	const struct fib_entry *e;
	const struct fib_route *r;

	if (!lpm_lookup(tb->lpm, a, &idx))
		return 0;
	e = &tb->ent[idx];
	if (likely(e->nh) && !fl->oif) {
		/* entry_match's answer from the first route's record: taken
		 * unless its scope is too narrow or a down carrier hides it */
		const struct fib_nh *n = &f->nh[e->nh];

		if (n->scope >= fl->scope &&
		    (fl->ignore_linkstate || is_error_type(n->type) || !n->dev ||
		     n->scope == RT_SCOPE_HOST || n->dev->carrier || !ignore_linkdown(n->dev))) {
			if (n->type == RTN_THROW)
				return -EAGAIN;
			*res = (struct fib_result){
				.type = n->type,
				.scope = n->scope,
				.prefixlen = (uint8_t)e->dst_len,
				.table = tb->id,
				.dev = n->dev,
				.gw = n->gw,
				.prefsrc = n->prefsrc,
				.route = e->routes,
			};
			return 1;
		}
	}
	while (!(r = entry_match(e, fl))) {
		/* fib_table_lookup backtracks to the next shorter prefix when no
		 * alias of this one fits the flow (rare: dead, oif-bound or
		 * scope-limited lookups) */
		int len = e->dst_len - 1;

		while (len >= 0 && !lpm_get(tb->lpm, a & ntohl(inet_make_mask((unsigned)len)),
					    (unsigned)len, &idx))
			len--;
		if (len < 0)
			return 0;
		e = &tb->ent[idx];
	}
	if (r->cfg.type == RTN_THROW)
		return -EAGAIN;
	*res = (struct fib_result){
		.type = r->cfg.type,
		.scope = r->cfg.scope,
		.prefixlen = e->dst_len,
		.table = tb->id,
		.dev = r->dev,
		.gw = r->cfg.gw,
		.prefsrc = r->cfg.prefsrc,
		.route = r,
	};
	return 1;
}

int fib_lookup_flow(struct netns *ns, uint32_t daddr, int oif, uint8_t scope,
		    bool ignore_linkstate, struct fib_result *res)
{
	const struct fib_flow fl = { oif, scope, ignore_linkstate };
	const struct fib *f = ns->fib;
	const struct fib_table *order[3];

	NS_ASSERT_OWNER(ns);
	/* the default rules: 0 lookup local, 32766 main, 32767 default */
	order[0] = f->local;
	order[1] = f->main;
	order[2] = fib_get_table(f, RT_TABLE_DEFAULT);
	for (unsigned i = 0; i < 3; i++)
		if (order[i] && table_lookup(f, order[i], daddr, &fl, res) == 1)
			return 0;
	return -ENETUNREACH;
}

int fib_lookup(struct netns *ns, uint32_t daddr, struct fib_result *res)
{
	return fib_lookup_flow(ns, daddr, 0, RT_SCOPE_UNIVERSE, false, res);
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

bool fib_has_custom_local_routes(const struct netns *ns)
{
	return ns->fib->has_custom_local_routes;
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
		found = fib_lookup_flow(ns, cfg->gw, fl.oif, fl.scope, true, &res) == 0;
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

/* fib_create_info: validate @r->cfg and resolve its device. */
static int fib_create_info(struct netns *ns, struct fib_route *r, struct extack *ext)
{
	struct fib_config *cfg = &r->cfg;
	struct fib_result res;
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
		else if (cfg->type == RTN_UNICAST && !cfg->gw)
			cfg->scope = RT_SCOPE_LINK;
		else
			cfg->scope = RT_SCOPE_UNIVERSE;
	}
	if (fib_props[cfg->type].scope > cfg->scope) {
		EXTACK_MSG(ext, "Invalid scope");
		return -EINVAL;
	}
	if (is_error_type(cfg->type)) {
		if (cfg->type == RTN_NAT || cfg->type == RTN_XRESOLVE) {
			EXTACK_MSG(ext, "Invalid route type");
			return -EINVAL;
		}
		if (cfg->gw || cfg->oif) {
			EXTACK_MSG(ext, "Gateway, device and multipath can not be specified for "
					"this route type");
			return -EINVAL;
		}
		return 0;
	}
	if (cfg->type != RTN_UNICAST && cfg->type != RTN_LOCAL && cfg->type != RTN_BROADCAST &&
	    cfg->type != RTN_ANYCAST && cfg->type != RTN_MULTICAST) {
		EXTACK_MSG(ext, "Invalid route type");
		return -EINVAL;
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
	} else if (cfg->gw) {
		err = fib_check_nh_gw(ns, r, ext);
		if (err)
			return err;
	} else {
		/* fib_check_nh_nongw: no gateway and no device is
		 * inetdev_by_index(0) failing: "No such device", no text */
		if (!r->dev)
			return -ENODEV;
		if (!dev_is_up(r->dev)) {
			EXTACK_MSG(ext, "Device for nexthop is not up");
			return -ENETDOWN;
		}
	}
	cfg->oif = r->dev->ifindex;
	if (route_linkdown(r))
		r->flags |= RTNH_F_LINKDOWN;
	/* fib_valid_prefsrc: the preferred source must be a local address
	 * (a `local` route of its own prefix excepted) */
	if (cfg->prefsrc && !(cfg->type == RTN_LOCAL && cfg->dst && cfg->prefsrc == cfg->dst)) {
		const struct fib_table *lt = ns->fib->local;
		const struct fib_flow fl = { 0, RT_SCOPE_UNIVERSE, true };

		if (!lt || table_lookup(ns->fib, lt, cfg->prefsrc, &fl, &res) != 1 || res.type != RTN_LOCAL) {
			EXTACK_MSG(ext, "Invalid prefsrc address");
			return -EINVAL;
		}
	}
	return 0;
}

/* fib_info equality for the "perfect match" check of fib_table_insert. */
static bool route_same(const struct fib_route *a, const struct fib_route *b)
{
	return a->cfg.type == b->cfg.type && a->cfg.scope == b->cfg.scope &&
	       a->cfg.protocol == b->cfg.protocol && a->cfg.prefsrc == b->cfg.prefsrc &&
	       a->cfg.gw == b->cfg.gw && a->dev == b->dev;
}

static bool same_key(const struct fib_route *r, uint8_t tos, uint32_t prio)
{
	return r->cfg.tos == tos && r->cfg.priority == prio;
}

int fib_route_add(struct netns *ns, const struct fib_config *cfg_in, struct extack *ext)
{
	struct fib *f = ns->fib;
	struct fib_route *nr, **pp, **first = NULL, **last = NULL, *match = NULL;
	struct fib_table *tb;
	struct fib_entry *e;
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
	nr = calloc(1, sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	nr->cfg = *cfg_in;
	if (!nr->cfg.table)
		nr->cfg.table = RT_TABLE_MAIN;
	err = fib_create_info(ns, nr, ext);
	if (err)
		goto out_free;
	err = -ENOMEM;
	tb = fib_new_table(f, nr->cfg.table);
	if (!tb)
		goto out_free;
	e = table_entry_get(tb, nr->cfg.dst, nr->cfg.dst_len);

	/* fib_find_alias: the first route with the same (tos, priority) key,
	 * or where a new key goes (tos descending, priority ascending) */
	pp = e ? &e->routes : NULL;
	while (pp && *pp && ((*pp)->cfg.tos > nr->cfg.tos ||
			     ((*pp)->cfg.tos == nr->cfg.tos &&
			      (*pp)->cfg.priority < nr->cfg.priority)))
		pp = &(*pp)->next;
	if (pp && *pp && same_key(*pp, nr->cfg.tos, nr->cfg.priority)) {
		err = -EEXIST;
		if (nr->cfg.nlflags & NLM_F_EXCL)
			goto out_free;
		first = pp;
		for (last = pp; *last && same_key(*last, nr->cfg.tos, nr->cfg.priority);
		     last = &(*last)->next)
			if (!match && route_same(*last, nr))
				match = *last;
		if (nr->cfg.nlflags & NLM_F_REPLACE) {
			struct fib_route *old = *first;

			/* replacing a route by itself changes nothing */
			if (match) {
				err = match == old ? 0 : -EEXIST;
				goto out_free;
			}
			err = -ENOMEM;
			if (route_index_add(f, nr))
				goto out_free;
			route_index_del(f, old);
			nr->next = old->next;
			*first = nr;
			free(old);
			goto succeeded;
		}
		/* a perfect duplicate is refused even with APPEND */
		if (match)
			goto out_free;
		/* APPEND goes after the routes of the same key, plain CREATE
		 * (`ip route prepend`) before them */
		pp = (nr->cfg.nlflags & NLM_F_APPEND) ? last : first;
	}
	err = -ENOENT;
	if (!(nr->cfg.nlflags & NLM_F_CREATE))
		goto out_free;
	err = -ENOMEM;
	if (route_index_add(f, nr))
		goto out_free;
	if (!e) {
		e = table_entry_new(f, tb, nr->cfg.dst, nr->cfg.dst_len);
		if (!e) {
			route_index_del(f, nr);
			goto out_free;
		}
		pp = &e->routes;
	}
	nr->next = *pp;
	*pp = nr;
	f->nroutes++;
succeeded:
	entry_sync_nh(f, tb, e);
	/* fib_table_insert: a user-made local route disables the address-list
	 * shortcut of fib_validate_source */
	if (nr->cfg.type == RTN_LOCAL && nr->cfg.protocol != RTPROT_KERNEL)
		f->has_custom_local_routes = true;
	ns->dev_gen++;
	return 0;

out_free:
	free(nr);
	return err;
}

/* ---- delete ---- */

static void route_unlink(struct netns *ns, struct fib_table *tb, struct fib_entry *e,
			 struct fib_route **pp)
{
	struct fib_route *r = *pp;

	*pp = r->next;
	entry_sync_nh(ns->fib, tb, e);
	route_index_del(ns->fib, r);
	free(r);
	ns->fib->nroutes--;
	ns->dev_gen++;
	if (!e->routes)
		table_entry_free(tb, e);
}

int fib_route_del(struct netns *ns, const struct fib_config *cfg, struct extack *ext)
{
	uint32_t table = cfg->table ? cfg->table : RT_TABLE_MAIN;
	struct fib_table *tb;
	struct fib_entry *e;

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
	e = table_entry_get(tb, cfg->dst, cfg->dst_len);
	if (!e)
		return -ESRCH;
	/* fib_table_delete: zero fields (and scope NOWHERE) match anything */
	for (struct fib_route **pp = &e->routes; *pp; pp = &(*pp)->next) {
		const struct fib_route *r = *pp;

		if (r->cfg.tos != cfg->tos)
			continue;
		if (cfg->type && r->cfg.type != cfg->type)
			continue;
		if (cfg->scope != RT_SCOPE_NOWHERE && r->cfg.scope != cfg->scope)
			continue;
		if (cfg->prefsrc && r->cfg.prefsrc != cfg->prefsrc)
			continue;
		if (cfg->protocol && r->cfg.protocol != cfg->protocol)
			continue;
		/* fib_nh_match */
		if ((cfg->has_priority || cfg->priority) && r->cfg.priority != cfg->priority)
			continue;
		if (cfg->oif && (!r->dev || r->dev->ifindex != cfg->oif))
			continue;
		if (cfg->gw && r->cfg.gw != cfg->gw)
			continue;
		route_unlink(ns, tb, e, pp);
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
			struct fib_entry *e = &tb->ent[i];
			struct fib_route **pp;

			if (!e->routes)
				continue;
			pp = &e->routes;
			while (*pp) {
				if (!match(*pp, arg)) {
					pp = &(*pp)->next;
					continue;
				}
				n++;
				/* the entry is freed with its last route */
				if (!(*pp)->next && pp == &e->routes) {
					route_unlink(ns, tb, e, pp);
					break;
				}
				route_unlink(ns, tb, e, pp);
			}
		}
	}
	return n;
}

/* Delete @r, wherever it is. */
static void route_delete(struct netns *ns, struct fib_route *r)
{
	struct fib_table *tb = fib_get_table(ns->fib, r->cfg.table);
	struct fib_entry *e = table_entry_get(tb, r->cfg.dst, r->cfg.dst_len);
	struct fib_route **pp = &e->routes;

	while (*pp != r)
		pp = &(*pp)->next;
	route_unlink(ns, tb, e, pp);
}

/* The routes through @dev, all or all but those of host scope. Only the
 * deleted route is freed at each step, so the saved next stays valid. */
static unsigned fib_flush_dev(struct netns *ns, struct netdev *dev, bool keep_host)
{
	const struct fib_hslot *hs;
	struct fib_route *r, *next;
	unsigned n = 0;

	NS_ASSERT_OWNER(ns);
	hs = hmap_find(&ns->fib->by_dev, dev_key(dev));
	for (r = hs ? hs->head : NULL; r; r = next) {
		next = r->dev_next;
		if (keep_host && r->cfg.scope == RT_SCOPE_HOST)
			continue;
		route_delete(ns, r);
		n++;
	}
	return n;
}

unsigned fib_flush_prefsrc(struct netns *ns, uint32_t prefsrc)
{
	const struct fib_hslot *hs;
	unsigned n = 0;

	NS_ASSERT_OWNER(ns);
	if (!prefsrc)
		return 0;
	/* the last route of the key takes its slot with it: look again */
	while ((hs = hmap_find(&ns->fib->by_src, prefsrc))) {
		route_delete(ns, hs->vec->r[hs->vec->n - 1]);
		n++;
	}
	return n;
}

/* ---- dumps ---- */

static int entry_cmp(const void *a, const void *b)
{
	const struct fib_entry *x = *(const struct fib_entry *const *)a;
	const struct fib_entry *y = *(const struct fib_entry *const *)b;
	uint32_t ax = ntohl(x->dst), ay = ntohl(y->dst);

	if (ax != ay)
		return ax < ay ? -1 : 1;
	return (int)x->dst_len - (int)y->dst_len;
}

int fib_walk(struct netns *ns, fib_walk_fn fn, void *arg)
{
	NS_ASSERT_OWNER(ns);
	for (struct fib_table *tb = ns->fib->tables; tb; tb = tb->next) {
		struct fib_entry **v;
		uint32_t n = 0;
		int ret = 0;

		v = malloc((tb->ent_cap ? tb->ent_cap : 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (uint32_t i = 0; i < tb->ent_cap; i++)
			if (tb->ent[i].routes)
				v[n++] = &tb->ent[i];
		/* ascending address, then prefix length, as `ip route` reads */
		qsort(v, n, sizeof(*v), entry_cmp);
		for (uint32_t i = 0; i < n && !ret; i++) {
			for (struct fib_route *r = v[i]->routes; r && !ret; r = r->next) {
				/* carrier is tracked by the device; report it as
				 * RTNH_F_LINKDOWN the way fib_sync_down_dev marks it */
				r->flags &= ~RTNH_F_LINKDOWN;
				if (route_linkdown(r))
					r->flags |= RTNH_F_LINKDOWN;
				ret = fn(r, arg);
			}
		}
		free(v);
		if (ret)
			return ret;
	}
	return 0;
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
	if ((dev->flags & IFF_LOOPBACK) && !dev->ifa_list)
		inet_addr_add(dev, htonl(INADDR_LOOPBACK), 8, 0, RT_SCOPE_HOST, "lo", NULL);
	/* fib_netdev_event(NETDEV_UP): re-add the routes of every address */
	for (struct in_ifaddr *ifa = dev->ifa_list; ifa; ifa = ifa->next)
		fib_add_ifaddr(ifa);
}

void fib_dev_unregister(struct netdev *dev)
{
	/* fib_disable_ip(force): every route through the device */
	fib_flush_dev(dev->ns, dev, false);
	inet_addr_flush(dev);
}
