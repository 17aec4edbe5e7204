// SPDX-License-Identifier: MIT
/*
 * A FIB table's control structure (fib_trie.c's leaves and aliases): the
 * prefix entries, their routes, the exact-match index by (dst, len), and
 * the table's core/lpm kept in step with them (each prefix's leaf value,
 * the covering prefix on delete, a rebuild if the lpm ran out of memory).
 * Owner thread only.
 */
#include "fib_priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/lpm.h"
#include "netns/proto/ip.h"

struct fib_table *fib_get_table(const struct fib *f, uint32_t id)
{
	struct fib_table *tb;

	if (id == RT_TABLE_LOCAL)
		return f->local;
	if (id == RT_TABLE_MAIN)
		return f->main;
	if (id == RT_TABLE_DEFAULT)
		return f->deflt;
	for (tb = f->tables; tb && tb->id <= id; tb = tb->next)
		if (tb->id == id)
			return tb;
	return NULL;
}

/* fib_new_table: find or create, keeping the list in ascending id. */
struct fib_table *fib_new_table(struct fib *f, uint32_t id)
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
	else if (id == RT_TABLE_DEFAULT)
		f->deflt = tb;
	return tb;
}

static uint32_t pfx_hash(uint32_t dst, unsigned len)
{
	uint64_t h = ((uint64_t)dst << 6 | len) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32);
}

/* The hash's slot: a multiply-shift onto any capacity (its high bits); the
 * tag is 6 low bits. */
static inline uint32_t pfx_home(uint32_t h, uint32_t cap)
{
	return (uint32_t)(((uint64_t)h * cap) >> 32);
}

static inline uint32_t pfx_slot(uint32_t h, uint32_t idx)
{
	return (h & 63) << PFX_IDX_BITS | (idx + 1);
}

/* The index of the entry of dst/len, or UINT32_MAX. */
uint32_t fib_pfx_find(const struct fib_table *tb, uint32_t dst, unsigned len)
{
	uint32_t h = pfx_hash(dst, len), tag = h & 63, cap = tb->pfx_cap;

	if (!cap)
		return UINT32_MAX;
	for (uint32_t i = pfx_home(h, cap);; i = i + 1 == cap ? 0 : i + 1) {
		uint32_t v = tb->pfx[i];
		const struct fib_entry *e;

		if (!v)
			return UINT32_MAX;
		if (v >> PFX_IDX_BITS != tag)
			continue;
		e = &tb->ent[(v & PFX_IDX_MASK) - 1];
		if (e->dst == dst && e->dst_len == len)
			return (v & PFX_IDX_MASK) - 1;
	}
}

static void pfx_place(uint32_t *slots, uint32_t cap, uint32_t h, uint32_t idx)
{
	uint32_t i = pfx_home(h, cap);

	while (slots[i])
		i = i + 1 == cap ? 0 : i + 1;
	slots[i] = pfx_slot(h, idx);
}

/* Index entry @idx (its dst and len set, not yet indexed). 0 or -ENOMEM. */
static int pfx_add(struct fib_table *tb, uint32_t idx)
{
	const struct fib_entry *e = &tb->ent[idx];

	/* load at most 0.8: linear probing stays short */
	if ((uint64_t)(tb->pfx_n + 1) * 5 > (uint64_t)tb->pfx_cap * 4) {
		uint32_t cap = tb->pfx_cap < 16 ? 16 : tb->pfx_cap + tb->pfx_cap / 2;
		uint32_t *ns = calloc(cap, sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		for (uint32_t i = 0; i < tb->pfx_cap; i++) {
			uint32_t v = tb->pfx[i], k;

			if (!v)
				continue;
			k = (v & PFX_IDX_MASK) - 1;
			pfx_place(ns, cap, pfx_hash(tb->ent[k].dst, tb->ent[k].dst_len), k);
		}
		free(tb->pfx);
		tb->pfx = ns;
		tb->pfx_cap = cap;
	}
	pfx_place(tb->pfx, tb->pfx_cap, pfx_hash(e->dst, e->dst_len), idx);
	tb->pfx_n++;
	tb->len_count[e->dst_len]++;
	return 0;
}

/* Drop entry @idx (still holding its dst and len) from the index. */
static void pfx_del(struct fib_table *tb, uint32_t idx)
{
	const struct fib_entry *e = &tb->ent[idx];
	uint32_t cap = tb->pfx_cap, i = pfx_home(pfx_hash(e->dst, e->dst_len), cap), j;

	while ((tb->pfx[i] & PFX_IDX_MASK) != idx + 1)
		i = i + 1 == cap ? 0 : i + 1;
	/* backward shift: move j into the hole at i unless its home lies
	 * cyclically in (i, j] */
	for (j = i + 1 == cap ? 0 : i + 1; tb->pfx[j]; j = j + 1 == cap ? 0 : j + 1) {
		const struct fib_entry *ej = &tb->ent[(tb->pfx[j] & PFX_IDX_MASK) - 1];
		uint32_t home = pfx_home(pfx_hash(ej->dst, ej->dst_len), cap);
		uint32_t dj = j >= home ? j - home : j + cap - home;
		uint32_t di = j >= i ? j - i : j + cap - i;

		if (dj >= di) {
			tb->pfx[i] = tb->pfx[j];
			i = j;
		}
	}
	tb->pfx[i] = 0;
	tb->pfx_n--;
	tb->len_count[e->dst_len]--;
}

/* The entry of dst/len. */
struct fib_entry *fib_entry_get(const struct fib_table *tb, uint32_t dst, uint8_t len,
					 uint32_t *idx)
{
	*idx = fib_pfx_find(tb, dst, len);
	return *idx == UINT32_MAX ? NULL : &tb->ent[*idx];
}

/* The longest entry shorter than @len covering host-order @a, or
 * UINT32_MAX. */
uint32_t fib_entry_cover(const struct fib_table *tb, uint32_t a, int len)
{
	for (int l = len - 1; l >= 0; l--) {
		uint32_t idx;

		if (tb->len_count[l] &&
		    (idx = fib_pfx_find(tb, htonl(a & ntohl(inet_make_mask((unsigned)l))),
				    (unsigned)l)) != UINT32_MAX)
			return idx;
	}
	return UINT32_MAX;
}

/* An lpm that lost its trie (out of memory) is rebuilt from the entries
 * at the next change; until then lookups take fib_entry_cover. */
static void fib_table_lpm_repair(struct fib_table *tb)
{
	lpm_clear(tb->lpm);
	for (uint32_t i = 0; i < tb->ent_cap; i++)
		if (tb->ent[i].kind != ENT_FREE &&
		    lpm_add(tb->lpm, ntohl(tb->ent[i].dst), tb->ent[i].dst_len, fib_entry_leaf(tb, i)))
			return;
}

/* A new entry for dst/len in the exact-match index, without routes and
 * not yet in the lpm: the caller gives it its routes, then publishes or
 * drops it. Pointers to entries are good until the next fib_entry_new.
 * 0 or -ENOMEM. */
int fib_entry_new(struct fib_table *tb, uint32_t dst, uint8_t len, uint32_t *idx)
{
	uint32_t i;

	for (i = tb->ent_hint; i < tb->ent_cap && tb->ent[i].kind != ENT_FREE; i++)
		;
	if (i == tb->ent_cap) {
		/* by half: a million prefixes waste at most a third of 8 MB */
		uint32_t cap = tb->ent_cap ? tb->ent_cap + tb->ent_cap / 2 : 8;
		struct fib_entry *ne;

		if (cap > LEAF_NH - 1)
			cap = LEAF_NH - 1;
		if (i >= cap)
			return -ENOMEM;
		ne = realloc(tb->ent, cap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		memset(ne + tb->ent_cap, 0, (cap - tb->ent_cap) * sizeof(*ne));
		tb->ent = ne;
		tb->ent_cap = cap;
	}
	tb->ent[i] = (struct fib_entry){ .dst = dst, .dst_len = len };
	if (pfx_add(tb, i)) {
		tb->ent[i] = (struct fib_entry){ 0 };
		return -ENOMEM;
	}
	tb->ent_hint = i + 1;
	*idx = i;
	return 0;
}

/* Undo fib_entry_new (the entry has no routes again). */
void fib_entry_drop(struct fib_table *tb, uint32_t idx)
{
	pfx_del(tb, idx);
	tb->ent[idx] = (struct fib_entry){ 0 };
	if (idx < tb->ent_hint)
		tb->ent_hint = idx;
}

/* Put entry @idx, which has its routes, in the lpm. 0 or -ENOMEM. */
int fib_entry_publish(struct fib_table *tb, uint32_t idx)
{
	const struct fib_entry *e = &tb->ent[idx];

	if (!lpm_add(tb->lpm, ntohl(e->dst), e->dst_len, fib_entry_leaf(tb, idx)))
		return 0;
	if (lpm_broken(tb->lpm))
		fib_table_lpm_repair(tb);
	return -ENOMEM;
}

/* After a change of entry @idx's routes: its leaf in the lpm follows
 * (@old: its leaf value before). */
void fib_entry_sync(struct fib_table *tb, uint32_t idx, uint32_t old)
{
	const struct fib_entry *e = &tb->ent[idx];

	if (fib_entry_leaf(tb, idx) == old)
		return;
	if (lpm_add(tb->lpm, ntohl(e->dst), e->dst_len, fib_entry_leaf(tb, idx)) &&
	    lpm_broken(tb->lpm))
		fib_table_lpm_repair(tb);
}

/* Entry @idx lost its last route: out of the index and the lpm, where the
 * covering prefix takes its range back. */
void fib_entry_free(struct fib_table *tb, uint32_t idx)
{
	struct fib_entry *e = &tb->ent[idx];
	uint32_t a = ntohl(e->dst), cover;
	unsigned len = e->dst_len;

	fib_entry_drop(tb, idx);
	cover = fib_entry_cover(tb, a, (int)len);
	lpm_del(tb->lpm, a, len, cover == UINT32_MAX ? -1 : (int)tb->ent[cover].dst_len,
		cover == UINT32_MAX ? 0 : fib_entry_leaf(tb, cover));
	if (lpm_broken(tb->lpm))
		fib_table_lpm_repair(tb);
}

/* Make @e's routes a list with room for one more, to edit in place. NULL
 * on -ENOMEM (@e unchanged). */
struct fib_alist *fib_entry_unfold(struct fib_table *tb, struct fib_entry *e)
{
	struct fib_alist *l;
	uint32_t i;

	if (e->kind == ENT_LIST) {
		l = tb->lists[e->ref];
		if (l->n < l->cap)
			return l;
		l = realloc(l, sizeof(*l) + 2 * l->cap * sizeof(l->a[0]));
		if (!l)
			return NULL;
		l->cap *= 2;
		tb->lists[e->ref] = l;
		return l;
	}
	for (i = tb->lists_hint; i < tb->lists_cap && tb->lists[i]; i++)
		;
	if (i > FIB_NH_MAX)
		return NULL; /* the entry's 24-bit reference */
	if (i == tb->lists_cap) {
		uint32_t cap = tb->lists_cap ? tb->lists_cap * 2 : 4;
		struct fib_alist **nl = realloc(tb->lists, cap * sizeof(*nl));

		if (!nl)
			return NULL;
		memset(nl + tb->lists_cap, 0, (cap - tb->lists_cap) * sizeof(*nl));
		tb->lists = nl;
		tb->lists_cap = cap;
	}
	l = malloc(sizeof(*l) + 2 * sizeof(l->a[0]));
	if (!l)
		return NULL;
	l->cap = 2;
	l->n = 0;
	if (e->kind == ENT_ONE)
		l->a[l->n++] = (struct fib_alias){ e->ref, 0 };
	tb->lists[i] = l;
	tb->lists_hint = i + 1;
	e->kind = ENT_LIST;
	e->ref = i;
	return l;
}

/* After an edit of @e's list: a single route without tos goes back into
 * the entry; an empty list goes (the entry is then ENT_FREE: the caller
 * frees it). */
void fib_entry_fold(struct fib_table *tb, struct fib_entry *e)
{
	struct fib_alist *l = tb->lists[e->ref];
	uint32_t n = l->n, nh = n ? l->a[0].nh : 0;

	if (n > 1 || (n == 1 && l->a[0].tos))
		return;
	free(l);
	tb->lists[e->ref] = NULL;
	if (e->ref < tb->lists_hint)
		tb->lists_hint = e->ref;
	e->kind = n ? ENT_ONE : ENT_FREE;
	e->ref = nh;
}

void fib_table_free(struct fib_table *tb)
{
	free(tb->pfx);
	for (uint32_t i = 0; i < tb->lists_cap; i++)
		free(tb->lists[i]);
	free(tb->lists);
	free(tb->ent);
	lpm_destroy(tb->lpm);
	free(tb);
}

size_t fib_table_memory(const struct fib_table *tb)
{
	size_t n = sizeof(*tb) + lpm_memory(tb->lpm) + tb->ent_cap * sizeof(tb->ent[0]);

	n += tb->pfx_cap * sizeof(tb->pfx[0]) + tb->lists_cap * sizeof(tb->lists[0]);
	for (uint32_t i = 0; i < tb->lists_cap; i++)
		if (tb->lists[i])
			n += sizeof(struct fib_alist) + tb->lists[i]->cap * sizeof(struct fib_alias);
	return n;
}
