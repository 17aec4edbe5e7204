// SPDX-License-Identifier: MIT
/*
 * The FIB's next-hop records (fib_semantics.c's fib_info: shared by the
 * routes that resolve alike, found by contents, refcounted) and the
 * indexes that let device and address events find their routes without a
 * scan (fib_info_devhash, fib_info_laddrhash, devinet.c's
 * inet_addr_lst). Owner thread only.
 */
#include "fib_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netns/core/dev.h"
#include "netns/core/sysctl.h"

/* ---- indexes: by device, by preferred source, by address ---- */

static uint32_t fib_hmap_hash(uint64_t key)
{
	key *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(key >> 32);
}

struct fib_hslot *fib_hmap_find(const struct fib_hmap *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	for (uint32_t i = fib_hmap_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->slot[i].key == key)
			return &m->slot[i];
		if (!m->slot[i].key)
			return NULL;
	}
}

/* The slot of @key, made (empty list) if absent. NULL on -ENOMEM. */
static struct fib_hslot *fib_hmap_get(struct fib_hmap *m, uint64_t key)
{
	struct fib_hslot *hs = fib_hmap_find(m, key);
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
			for (i = fib_hmap_hash(m->slot[k].key) & mask; ns[i].key; i = (i + 1) & mask)
				;
			ns[i] = m->slot[k];
		}
		free(m->slot);
		m->slot = ns;
		m->cap = cap;
	}
	for (i = fib_hmap_hash(key) & (m->cap - 1); m->slot[i].key; i = (i + 1) & (m->cap - 1))
		;
	m->slot[i] = (struct fib_hslot){ .key = key };
	m->n++;
	return &m->slot[i];
}

/* Remove slot @hs (its list is empty), shifting later entries back. */
static void fib_hmap_remove(struct fib_hmap *m, struct fib_hslot *hs)
{
	uint32_t mask = m->cap - 1, i = (uint32_t)(hs - m->slot), j;

	for (j = (i + 1) & mask; m->slot[j].key; j = (j + 1) & mask) {
		uint32_t home = fib_hmap_hash(m->slot[j].key) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slot[i] = m->slot[j];
			i = j;
		}
	}
	m->slot[i] = (struct fib_hslot){ 0 };
	m->n--;
}

/* Append @idx to the array of @key. 0 or -ENOMEM (nothing changed). */
static int fib_idxvec_add(struct fib_hmap *m, uint64_t key, uint32_t idx)
{
	struct fib_hslot *hs = fib_hmap_get(m, key);
	struct fib_idxvec *v;

	if (!hs)
		return -ENOMEM;
	v = hs->vec;
	if (!v || v->n == v->cap) {
		uint32_t cap = v ? v->cap * 2 : 2;

		v = realloc(v, sizeof(*v) + cap * sizeof(v->v[0]));
		if (!v) {
			if (!hs->vec)
				fib_hmap_remove(m, hs);
			return -ENOMEM;
		}
		if (!hs->vec)
			v->n = 0;
		v->cap = cap;
		hs->vec = v;
	}
	v->v[v->n++] = idx;
	return 0;
}

/* Remove @idx from the array of @key (the last one takes its place). */
static void fib_idxvec_del(struct fib_hmap *m, uint64_t key, uint32_t idx)
{
	struct fib_hslot *hs = fib_hmap_find(m, key);
	struct fib_idxvec *v = hs->vec;

	for (uint32_t i = v->n; i-- > 0;) {
		if (v->v[i] == idx) {
			v->v[i] = v->v[--v->n];
			break;
		}
	}
	if (!v->n) {
		free(v);
		fib_hmap_remove(m, hs);
	}
}

/* ---- next-hop records ---- */

static uint32_t fib_nh_hash(const struct fib_nh *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k->dev * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)k->gw << 32 | k->prefsrc) * 0xc2b2ae3d27d4eb4full;
	h ^= ((uint64_t)k->priority << 24 | (uint64_t)k->protocol << 16 | k->type << 8 | k->scope) *
	     0x165667b19e3779f9ull;
	return (uint32_t)(h >> 32);
}

static uint32_t fib_nh_home(const struct fib *f, uint32_t idx)
{
	return fib_nh_hash(&f->nh[idx]) & (f->nh_hcap - 1);
}

/* Room for one more record and its hash slot. false on -ENOMEM. */
static bool fib_nh_reserve(struct fib *f)
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
			for (i = fib_nh_home(f, oh[k]); h[i]; i = (i + 1) & (hcap - 1))
				;
			h[i] = oh[k];
		}
		free(oh);
	}
	return true;
}

/* Note that the route in (@table, @ent) uses @n, which it is about to
 * reference. false on -ENOMEM. */
static bool fib_nh_ref_add(struct fib_nh *n, uint32_t table, uint32_t ent)
{
	struct fib_nhrefs *r = n->refs;

	if (n->untracked)
		return true;
	if (n->refcnt >= FIB_NH_TRACK) {
		/* many routes: device events scan the tables for them */
		free(r);
		n->refs = NULL;
		n->untracked = true;
		return true;
	}
	if (!r || r->n == r->cap) {
		uint32_t cap = r ? r->cap * 2 : 1;

		r = realloc(r, sizeof(*r) + cap * sizeof(r->v[0]));
		if (!r)
			return false;
		if (!n->refs)
			r->n = 0;
		r->cap = cap;
		n->refs = r;
	}
	r->v[r->n++] = (struct fib_nhref){ table, ent };
	return true;
}

static void fib_nh_ref_del(struct fib_nh *n, uint32_t table, uint32_t ent)
{
	struct fib_nhrefs *r = n->refs;

	if (n->untracked)
		return;
	for (uint32_t i = r->n; i-- > 0;) {
		if (r->v[i].table == table && r->v[i].ent == ent) {
			r->v[i] = r->v[--r->n];
			return;
		}
	}
}

/* Is the device of path @i also one of an earlier path? (A record is in
 * by_dev once per device.) */
static bool fib_mp_dev_seen(const struct fib_mp *mp, uint32_t i)
{
	for (uint32_t k = 0; k < i; k++)
		if (mp->p[k].dev == mp->p[i].dev)
			return true;
	return false;
}

/* Out of by_dev under the devices of paths [1, @upto) of @n (the first
 * path's device is n->dev's entry). */
static void fib_mp_devs_del(struct fib *f, const struct fib_nh *n, uint32_t idx, uint32_t upto)
{
	for (uint32_t i = 1; n->mp && i < upto; i++)
		if (!fib_mp_dev_seen(n->mp, i))
			fib_idxvec_del(&f->by_dev, fib_dev_key(n->mp->p[i].dev), idx);
}

/* Into by_dev under the other devices of a multipath record. 0 or
 * -ENOMEM (nothing added). */
static int fib_mp_devs_add(struct fib *f, const struct fib_nh *n, uint32_t idx)
{
	for (uint32_t i = 1; n->mp && i < n->mp->n; i++) {
		if (fib_mp_dev_seen(n->mp, i))
			continue;
		if (fib_idxvec_add(&f->by_dev, fib_dev_key(n->mp->p[i].dev), idx)) {
			fib_mp_devs_del(f, n, idx, i);
			return -ENOMEM;
		}
	}
	return 0;
}

void fib_mp_rebalance(struct fib_mp *mp)
{
	uint64_t total = 0, w = 0;

	/* a path without a link counts only while the device does not
	 * ignore routes with linkdown (ip_ignore_linkdown) */
	for (uint32_t i = 0; i < mp->n; i++) {
		const struct fib_path *p = &mp->p[i];

		if (!(p->flags & RTNH_F_DEAD) &&
		    !((p->flags & RTNH_F_LINKDOWN) &&
		      devconf_get(p->dev, DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN)))
			total += p->weight;
	}
	for (uint32_t i = 0; i < mp->n; i++) {
		struct fib_path *p = &mp->p[i];

		if ((p->flags & RTNH_F_DEAD) ||
		    ((p->flags & RTNH_F_LINKDOWN) &&
		     devconf_get(p->dev, DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN))) {
			p->upper_bound = -1;
			continue;
		}
		w += p->weight;
		/* DIV_ROUND_CLOSEST_ULL(w << 31, total) - 1 */
		p->upper_bound = (int32_t)(((w << 31) + total / 2) / total - 1);
	}
}

static void fib_nh_release(struct fib *f, uint32_t idx)
{
	struct fib_nh *n = &f->nh[idx];

	free(n->refs);
	n->refs = NULL;
	free(n->mp);
	n->mp = NULL;
	n->live = false;
	n->dev = NULL;
	n->next_free = f->nh_free;
	f->nh_free = idx;
}

/*
 * A reference to the record resolving as @key, for the route that goes in
 * (@table, @ent); made if there is none. 0 on -ENOMEM.
 */
uint32_t fib_nh_get(struct fib *f, const struct fib_nh *key, uint32_t table, uint32_t ent)
{
	uint32_t i, idx;
	struct fib_nh *n;

	if (f->nh_hcap) {
		for (i = fib_nh_hash(key) & (f->nh_hcap - 1); f->nh_hash[i];
		     i = (i + 1) & (f->nh_hcap - 1)) {
			n = &f->nh[f->nh_hash[i]];
			if (fib_nh_same(n, key)) {
				if (!fib_nh_ref_add(n, table, ent))
					return 0;
				n->refcnt++;
				return f->nh_hash[i];
			}
		}
	}
	if (!fib_nh_reserve(f))
		return 0;
	if (f->nh_free) {
		idx = f->nh_free;
		f->nh_free = f->nh[idx].next_free;
	} else {
		idx = f->nh_top++;
	}
	n = &f->nh[idx];
	*n = *key;
	n->refs = NULL;
	n->mp = NULL;
	n->untracked = false;
	n->live = true;
	/* a multipath record's carrier checks are per path (entry_match) */
	n->linkcheck = n->dev && !fib_type_is_error(n->type) && n->scope != RT_SCOPE_HOST &&
		       !key->mp;
	n->slow = n->type == RTN_THROW || key->mp;
	if (key->mp) {
		size_t sz = sizeof(*key->mp) + key->mp->n * sizeof(key->mp->p[0]);

		n->mp = malloc(sz);
		if (!n->mp)
			goto fail;
		memcpy(n->mp, key->mp, sz);
	}
	if (n->dev && fib_idxvec_add(&f->by_dev, fib_dev_key(n->dev), idx))
		goto fail;
	if (fib_mp_devs_add(f, n, idx)) {
		fib_idxvec_del(&f->by_dev, fib_dev_key(n->dev), idx);
		goto fail;
	}
	if (n->prefsrc && fib_idxvec_add(&f->by_src, n->prefsrc, idx)) {
		if (n->dev)
			fib_idxvec_del(&f->by_dev, fib_dev_key(n->dev), idx);
		fib_mp_devs_del(f, n, idx, n->mp ? n->mp->n : 0);
		goto fail;
	}
	if (!fib_nh_ref_add(n, table, ent)) {
		if (n->dev)
			fib_idxvec_del(&f->by_dev, fib_dev_key(n->dev), idx);
		fib_mp_devs_del(f, n, idx, n->mp ? n->mp->n : 0);
		if (n->prefsrc)
			fib_idxvec_del(&f->by_src, n->prefsrc, idx);
		goto fail;
	}
	n->refcnt = 1;
	for (i = fib_nh_home(f, idx); f->nh_hash[i]; i = (i + 1) & (f->nh_hcap - 1))
		;
	f->nh_hash[i] = idx;
	f->nh_n++;
	return idx;
fail:
	fib_nh_release(f, idx);
	return 0;
}

/* Drop the reference of the route in (@table, @ent). */
void fib_nh_put(struct fib *f, uint32_t idx, uint32_t table, uint32_t ent)
{
	struct fib_nh *n = &f->nh[idx];
	uint32_t mask, i, j;

	fib_nh_ref_del(n, table, ent);
	if (--n->refcnt)
		return;
	/* out of the hash with backward-shift deletion */
	mask = f->nh_hcap - 1;
	for (i = fib_nh_home(f, idx); f->nh_hash[i] != idx; i = (i + 1) & mask)
		;
	for (j = (i + 1) & mask; f->nh_hash[j]; j = (j + 1) & mask) {
		uint32_t home = fib_nh_home(f, f->nh_hash[j]);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			f->nh_hash[i] = f->nh_hash[j];
			i = j;
		}
	}
	f->nh_hash[i] = 0;
	f->nh_n--;
	if (n->dev)
		fib_idxvec_del(&f->by_dev, fib_dev_key(n->dev), idx);
	fib_mp_devs_del(f, n, idx, n->mp ? n->mp->n : 0);
	if (n->prefsrc)
		fib_idxvec_del(&f->by_src, n->prefsrc, idx);
	fib_nh_release(f, idx);
}

/* ---- addresses by local address (devinet.c's inet_addr_lst) ---- */

int fib_addr_hash_add(struct in_ifaddr *ifa)
{
	struct fib_hslot *hs = fib_hmap_get(&ifa->dev->ns->fib->by_addr, ifa->local);

	if (!hs)
		return -ENOMEM;
	ifa->hash_next = hs->ifa;
	hs->ifa = ifa;
	return 0;
}

void fib_addr_hash_del(struct in_ifaddr *ifa)
{
	struct fib_hmap *m = &ifa->dev->ns->fib->by_addr;
	struct fib_hslot *hs = fib_hmap_find(m, ifa->local);

	for (struct in_ifaddr **pp = &hs->ifa; *pp; pp = &(*pp)->hash_next) {
		if (*pp == ifa) {
			*pp = ifa->hash_next;
			break;
		}
	}
	if (!hs->ifa)
		fib_hmap_remove(m, hs);
}

const struct in_ifaddr *fib_addr_hash_find(const struct netns *ns, uint32_t addr)
{
	const struct fib_hslot *hs = addr ? fib_hmap_find(&ns->fib->by_addr, addr) : NULL;

	return hs ? hs->ifa : NULL;
}

/* ---- teardown and accounting ---- */

static void fib_hmap_free_vecs(struct fib_hmap *m)
{
	for (uint32_t i = 0; i < m->cap; i++)
		if (m->slot[i].key)
			free(m->slot[i].vec);
	free(m->slot);
}

void fib_nh_exit(struct fib *f)
{
	for (uint32_t i = 1; i < f->nh_top; i++) {
		if (f->nh[i].live) {
			free(f->nh[i].refs);
			free(f->nh[i].mp);
		}
	}
	fib_hmap_free_vecs(&f->by_dev);
	fib_hmap_free_vecs(&f->by_src);
	free(f->by_addr.slot);
	free(f->nh);
	free(f->nh_hash);
}

static size_t fib_hmap_memory(const struct fib_hmap *m, bool vecs)
{
	size_t n = m->cap * sizeof(m->slot[0]);

	for (uint32_t i = 0; vecs && i < m->cap; i++)
		if (m->slot[i].key)
			n += sizeof(struct fib_idxvec) + m->slot[i].vec->cap * sizeof(uint32_t);
	return n;
}

size_t fib_nh_memory(const struct fib *f)
{
	size_t n = f->nh_cap * sizeof(f->nh[0]) + f->nh_hcap * sizeof(uint32_t);

	for (uint32_t i = 1; i < f->nh_top; i++) {
		if (f->nh[i].live && f->nh[i].refs)
			n += sizeof(struct fib_nhrefs) + f->nh[i].refs->cap * sizeof(struct fib_nhref);
		if (f->nh[i].live && f->nh[i].mp)
			n += sizeof(struct fib_mp) + f->nh[i].mp->n * sizeof(struct fib_path);
	}
	n += fib_hmap_memory(&f->by_dev, true) + fib_hmap_memory(&f->by_src, true);
	return n + fib_hmap_memory(&f->by_addr, false);
}
