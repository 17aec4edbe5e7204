// SPDX-License-Identifier: MIT
/*
 * Unit tests for core/lpm: longest-prefix match against a naive reference
 * with seeded random prefixes, delete restoring the covering rule (which
 * the caller names, as the FIB does from its own index), replace, /0,
 * batched lookups agreeing with single ones, and memory that grows (and
 * shrinks) with use.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/compiler.h"
#include "core/lpm.h"

struct ref_rule {
	uint32_t addr;
	unsigned len;
	uint32_t value;
	bool live;
};

static uint32_t mask_of(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* xorshift32: a fixed sequence per seed, independent of libc's rand() */
static uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static bool ref_lookup(const struct ref_rule *r, unsigned n, uint32_t addr, uint32_t *value)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		if (!r[i].live || (addr & mask_of(r[i].len)) != r[i].addr)
			continue;
		if (best < 0 || r[i].len > r[best].len)
			best = (int)i;
	}
	if (best < 0)
		return false;
	*value = r[best].value;
	return true;
}

/* Delete live rule @i of the reference from @l, naming its covering rule
 * as the FIB would. */
static int ref_del(struct lpm *l, struct ref_rule *r, unsigned n, unsigned i)
{
	int best = -1;

	r[i].live = false;
	for (unsigned k = 0; k < n; k++) {
		if (!r[k].live || r[k].len >= r[i].len || (r[i].addr & mask_of(r[k].len)) != r[k].addr)
			continue;
		if (best < 0 || r[k].len > r[best].len)
			best = (int)k;
	}
	return lpm_del(l, r[i].addr, r[i].len, best < 0 ? -1 : (int)r[best].len,
		       best < 0 ? 0 : r[best].value);
}

/* lpm_lookup_batch must give what lpm_lookup gives, miss for miss. */
static void check_batch(const struct lpm *l, const uint32_t *a, unsigned n)
{
	uint32_t got[LPM_BATCH];
	uint8_t len[LPM_BATCH];

	assert_true(n <= LPM_BATCH);
	lpm_lookup_batch(l, a, n, got, len);
	for (unsigned i = 0; i < n; i++) {
		uint32_t v = 0;
		unsigned vl = 0;

		if (lpm_lookup_len(l, a[i], &v, &vl)) {
			assert_int_equal(got[i], v);
			assert_int_equal(len[i], vl);
			/* the length is the matching rule's: @a is inside it */
			assert_true(vl <= 32);
		} else {
			assert_int_equal(got[i], LPM_MISS);
		}
	}
}

static void check_against_ref(const struct lpm *l, const struct ref_rule *r, unsigned n,
			      uint32_t *seed, unsigned lookups)
{
	uint32_t batch[LPM_BATCH];

	for (unsigned i = 0; i < lookups; i++) {
		uint32_t a = rnd(seed), want = 0, got = 0;
		bool hw, hg;

		/* half the probes land inside a known prefix, to hit deep entries */
		if (i & 1) {
			const struct ref_rule *p = &r[rnd(seed) % n];

			a = p->addr | (a & ~mask_of(p->len));
		}
		hw = ref_lookup(r, n, a, &want);
		hg = lpm_lookup(l, a, &got);
		assert_int_equal(hg, hw);
		if (hw)
			assert_int_equal(got, want);
		batch[i % LPM_BATCH] = a;
		if (i % LPM_BATCH == LPM_BATCH - 1)
			check_batch(l, batch, LPM_BATCH);
	}
}

static void test_lpm_empty_lookup_misses(void **state)
{
	struct lpm *l = lpm_create();
	uint32_t v;

	assert_non_null(l);
	assert_false(lpm_lookup(l, 0x0a000001, &v));
	lpm_destroy(l);
}

static void test_lpm_default_route_matches_everything(void **state)
{
	struct lpm *l = lpm_create();
	uint32_t v = 0;

	assert_int_equal(lpm_add(l, 0, 0, 7), 0);
	assert_true(lpm_lookup(l, 0x01020304, &v));
	assert_int_equal(v, 7);
	assert_true(lpm_lookup(l, 0xffffffff, &v));
	assert_int_equal(v, 7);
	assert_int_equal(lpm_add(l, 0x0a000000, 8, 8), 0);
	assert_true(lpm_lookup(l, 0x0a010101, &v));
	assert_int_equal(v, 8);
	assert_true(lpm_lookup(l, 0x0b010101, &v));
	assert_int_equal(v, 7);
	assert_int_equal(lpm_del(l, 0, 0, -1, 0), 0);
	assert_false(lpm_lookup(l, 0x0b010101, &v));
	lpm_destroy(l);
}

static void test_lpm_matches_naive_reference(void **state)
{
	static const unsigned lens[] = { 0, 8, 9, 16, 24, 25, 31, 32, 1, 12, 20, 28, 30 };
	struct ref_rule r[600];
	uint32_t seed = 0x12345678;
	struct lpm *l = lpm_create();
	unsigned n = 0;

	while (n < ARRAY_SIZE(r)) {
		unsigned len = lens[rnd(&seed) % ARRAY_SIZE(lens)];
		/* cluster addresses in a few /8s so prefixes nest */
		uint32_t a = ((rnd(&seed) % 4 + 10) << 24) | (rnd(&seed) & 0x00ffffff);
		bool dup = false;

		a &= mask_of(len);
		for (unsigned i = 0; i < n; i++)
			dup |= r[i].addr == a && r[i].len == len;
		if (dup)
			continue;
		r[n] = (struct ref_rule){ a, len, n + 1, true };
		assert_int_equal(lpm_add(l, a, len, n + 1), 0);
		n++;
	}
	check_against_ref(l, r, n, &seed, 5000);

	/* delete every other rule: lookups fall back to covering rules */
	for (unsigned i = 0; i < n; i += 2)
		assert_int_equal(ref_del(l, r, n, i), 0);
	check_against_ref(l, r, n, &seed, 5000);

	/* and the rest: nothing matches, every node but the root is gone */
	for (unsigned i = 1; i < n; i += 2)
		assert_int_equal(ref_del(l, r, n, i), 0);
	check_against_ref(l, r, n, &seed, 1000);
	lpm_destroy(l);
}

static void test_lpm_del_restores_covering_prefix(void **state)
{
	struct lpm *l = lpm_create();
	uint32_t v = 0;

	assert_int_equal(lpm_add(l, 0x0a000000, 8, 1), 0);
	assert_int_equal(lpm_add(l, 0x0a010000, 16, 2), 0);
	assert_int_equal(lpm_add(l, 0x0a010200, 24, 3), 0);
	assert_true(lpm_lookup(l, 0x0a010203, &v));
	assert_int_equal(v, 3);
	assert_int_equal(lpm_del(l, 0x0a010200, 24, 16, 2), 0);
	assert_true(lpm_lookup(l, 0x0a010203, &v));
	assert_int_equal(v, 2);
	assert_int_equal(lpm_del(l, 0x0a010000, 16, 8, 1), 0);
	assert_true(lpm_lookup(l, 0x0a010203, &v));
	assert_int_equal(v, 1);
	lpm_destroy(l);
}

/* A small table knows its rules (a trie does not: its user does). */
static void test_lpm_del_absent_returns_enoent(void **state)
{
	struct lpm *l = lpm_create();

	assert_int_equal(lpm_del(l, 0x0a000000, 8, -1, 0), -ENOENT);
	assert_int_equal(lpm_add(l, 0x0a000000, 8, 1), 0);
	/* same address, other length: a different prefix */
	assert_int_equal(lpm_del(l, 0x0a000000, 16, 8, 1), -ENOENT);
	assert_int_equal(lpm_del(l, 0x0a000000, 8, -1, 0), 0);
	assert_int_equal(lpm_del(l, 0x0a000000, 8, -1, 0), -ENOENT);
	lpm_destroy(l);
}

static void test_lpm_add_replaces_value(void **state)
{
	struct lpm *l = lpm_create();
	uint32_t v = 0;

	assert_int_equal(lpm_add(l, 0x0a000000, 24, 1), 0);
	assert_int_equal(lpm_add(l, 0x0a000080, 25, 9), 0);
	assert_int_equal(lpm_add(l, 0x0a000000, 24, 5), 0);
	assert_true(lpm_lookup(l, 0x0a000001, &v));
	assert_int_equal(v, 5);
	/* the longer /25 keeps its own value */
	assert_true(lpm_lookup(l, 0x0a0000ff, &v));
	assert_int_equal(v, 9);
	/* and so in a trie */
	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(lpm_add(l, 0x0b000000 | (i << 8), 24, 100 + i), 0);
	assert_int_equal(lpm_add(l, 0x0a000000, 24, 6), 0);
	assert_true(lpm_lookup(l, 0x0a000001, &v));
	assert_int_equal(v, 6);
	assert_true(lpm_lookup(l, 0x0a0000ff, &v));
	assert_int_equal(v, 9);
	/* deleting the /25 uncovers the replaced /24 */
	assert_int_equal(lpm_del(l, 0x0a000080, 25, 24, 6), 0);
	assert_true(lpm_lookup(l, 0x0a0000ff, &v));
	assert_int_equal(v, 6);
	lpm_destroy(l);
}

static void test_lpm_add_masks_host_bits(void **state)
{
	struct lpm *l = lpm_create();
	uint32_t v = 0;

	assert_int_equal(lpm_add(l, 0xc0a80105, 24, 4), 0);
	assert_true(lpm_lookup(l, 0xc0a80100, &v));
	assert_int_equal(v, 4);
	assert_true(lpm_lookup(l, 0xc0a801fe, &v));
	assert_false(lpm_lookup(l, 0xc0a80200, &v));
	/* the stored prefix is the masked one: deleting it by that works */
	assert_int_equal(lpm_del(l, 0xc0a80100, 24, -1, 0), 0);
	assert_false(lpm_lookup(l, 0xc0a801fe, &v));
	assert_int_equal(lpm_add(l, 1, 33, 1), -EINVAL);
	lpm_destroy(l);
}

static void test_lpm_host_route_exact(void **state)
{
	struct lpm *l = lpm_create();
	uint32_t v = 0;

	assert_int_equal(lpm_add(l, 0x0a000001, 32, 1), 0);
	assert_true(lpm_lookup(l, 0x0a000001, &v));
	assert_int_equal(v, 1);
	assert_false(lpm_lookup(l, 0x0a000002, &v));
	assert_false(lpm_lookup(l, 0x0a000000, &v));
	lpm_destroy(l);
}

static void test_lpm_memory_grows_with_use(void **state)
{
	struct lpm *l = lpm_create();
	size_t empty = lpm_memory(l), ten;

	/* forty /24s in one /16 (past the small array): root + one /8 node
	 * + one /16 node */
	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(lpm_add(l, 0x0a000000 | (i << 8), 24, i), 0);
	ten = lpm_memory(l);
	assert_true(ten > empty);
	assert_true(ten < 16 * 1024);
	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(lpm_del(l, 0x0a000000 | (i << 8), 24, -1, 0), 0);
	/* the nodes are given back: the trie, once built, keeps its root
	 * (one run: a 72-byte header and a leaf) */
	assert_true(lpm_memory(l) < ten);
	assert_true(lpm_memory(l) <= empty + 72 + 4);
	lpm_destroy(l);
}

/* A handful of rules (a namespace's local table) stays in the small
 * array: well under a KB, and lookups still take the longest match. */
static void test_lpm_small_table_is_small(void **state)
{
	struct lpm *l = lpm_create();
	uint32_t v = 0;

	assert_int_equal(lpm_add(l, 0x7f000000, 8, 1), 0);   /* 127/8 */
	assert_int_equal(lpm_add(l, 0x7f000001, 32, 2), 0);  /* 127.0.0.1 */
	assert_int_equal(lpm_add(l, 0x7fffffff, 32, 3), 0);  /* 127.255.255.255 */
	assert_int_equal(lpm_add(l, 0x0a000001, 32, 4), 0);  /* 10.0.0.1 */
	assert_int_equal(lpm_add(l, 0x0a000000, 24, 5), 0);  /* 10.0.0/24 */
	assert_int_equal(lpm_add(l, 0, 0, 6), 0);	     /* default */
	assert_true(lpm_memory(l) < 1024);
	assert_true(lpm_lookup(l, 0x7f000001, &v));
	assert_int_equal(v, 2);
	assert_true(lpm_lookup(l, 0x7f000002, &v));
	assert_int_equal(v, 1);
	assert_true(lpm_lookup(l, 0x0a000001, &v));
	assert_int_equal(v, 4);
	assert_true(lpm_lookup(l, 0x0a0000fe, &v));
	assert_int_equal(v, 5);
	assert_true(lpm_lookup(l, 0x08080808, &v));
	assert_int_equal(v, 6);
	/* replace keeps one rule; delete falls back to the covering one */
	assert_int_equal(lpm_add(l, 0x0a000000, 24, 7), 0);
	assert_int_equal(lpm_del(l, 0x0a000001, 32, 24, 7), 0);
	assert_true(lpm_lookup(l, 0x0a000001, &v));
	assert_int_equal(v, 7);
	/* one rule per prefix: the replaced /24 went once, and is gone */
	assert_int_equal(lpm_del(l, 0x0a000000, 24, 0, 6), 0);
	assert_int_equal(lpm_del(l, 0x0a000000, 24, 0, 6), -ENOENT);
	assert_true(lpm_lookup(l, 0x0a000001, &v));
	assert_int_equal(v, 6);
	assert_int_equal(lpm_del(l, 0, 0, -1, 0), 0);
	assert_false(lpm_lookup(l, 0x08080808, &v));
	lpm_destroy(l);
}

/* Growing past the small array builds the trie from every rule: each
 * prefix answers the same before and after, and deletes still uncover
 * the next covering rule. */
static void test_lpm_small_to_trie_keeps_answers(void **state)
{
	struct lpm *l = lpm_create();
	size_t empty = lpm_memory(l);
	uint32_t v = 0;

	assert_int_equal(lpm_add(l, 0x0a000000, 8, 1000), 0);
	for (unsigned i = 0; i < 40; i++) {
		assert_int_equal(lpm_add(l, 0x0a000000 | (i << 16), 16, i), 0);
		for (unsigned j = 0; j <= i; j++) {
			assert_true(lpm_lookup(l, 0x0a000001 | (j << 16), &v));
			assert_int_equal(v, j);
		}
		assert_true(lpm_lookup(l, 0x0aff0001, &v));
		assert_int_equal(v, 1000);
	}
	/* a trie now: a root node and one node for 10/8 */
	assert_true(lpm_memory(l) > empty + 2 * 64);
	for (unsigned i = 0; i < 40; i++) {
		assert_int_equal(lpm_del(l, 0x0a000000 | (i << 16), 16, 8, 1000), 0);
		assert_true(lpm_lookup(l, 0x0a000001 | (i << 16), &v));
		assert_int_equal(v, 1000);
	}
	assert_int_equal(lpm_del(l, 0x0a000000, 8, -1, 0), 0);
	assert_false(lpm_lookup(l, 0x0a000001, &v));
	lpm_destroy(l);
}

/* ---- big tables: a hashed reference, 100k prefixes, churn ---- */

/* The reference for big tables: (prefix, length) -> value in an
 * open-addressed map with tombstones, searched longest length first. */
#define BIG_CAP (1u << 19)
#define BIG_TOMB UINT64_MAX

struct big_ref {
	uint64_t *key; /* addr << 8 | (len + 1); 0 = empty */
	uint32_t *val;
	uint32_t lens[33];
};

static uint32_t big_hash(uint64_t k)
{
	k *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(k >> 40) & (BIG_CAP - 1);
}

static uint64_t *big_find(struct big_ref *b, uint32_t addr, unsigned len, bool insert)
{
	uint64_t k = (uint64_t)addr << 8 | (len + 1), *tomb = NULL;

	for (uint32_t i = big_hash(k);; i = (i + 1) & (BIG_CAP - 1)) {
		if (b->key[i] == k)
			return &b->key[i];
		if (b->key[i] == BIG_TOMB && !tomb)
			tomb = &b->key[i];
		if (!b->key[i]) {
			if (!insert)
				return NULL;
			return tomb ? tomb : &b->key[i];
		}
	}
}

static void big_set(struct big_ref *b, uint32_t addr, unsigned len, uint32_t value)
{
	uint64_t *k = big_find(b, addr, len, true);

	if (*k != ((uint64_t)addr << 8 | (len + 1)))
		b->lens[len]++;
	*k = (uint64_t)addr << 8 | (len + 1);
	b->val[k - b->key] = value;
}

static bool big_del(struct big_ref *b, uint32_t addr, unsigned len)
{
	uint64_t *k = big_find(b, addr, len, false);

	if (!k)
		return false;
	*k = BIG_TOMB;
	b->lens[len]--;
	return true;
}

/* The longest rule shorter than @below covering @addr: its length, or -1. */
static int big_cover(struct big_ref *b, uint32_t addr, int below, uint32_t *value)
{
	for (int len = below - 1; len >= 0; len--) {
		uint64_t *k;

		if (!b->lens[len])
			continue;
		k = big_find(b, addr & mask_of((unsigned)len), (unsigned)len, false);
		if (k) {
			*value = b->val[k - b->key];
			return len;
		}
	}
	return -1;
}

static bool big_lookup(struct big_ref *b, uint32_t addr, uint32_t *value)
{
	return big_cover(b, addr, 33, value) >= 0;
}

/* Delete from the reference and from @l (with the covering rule). */
static void big_del_both(struct lpm *l, struct big_ref *b, uint32_t addr, unsigned len)
{
	uint32_t cv = 0;
	int cl;

	assert_true(big_del(b, addr, len));
	cl = big_cover(b, addr, (int)len, &cv);
	assert_int_equal(lpm_del(l, addr, len, cl, cv), 0);
}

/* A prefix length with a BGP table's mix, plus some short ones. */
static unsigned big_len(uint32_t *s)
{
	unsigned r = rnd(s) % 1000;

	if (r < 600)
		return 24;
	if (r < 800)
		return 22 + (r & 1);
	if (r < 950)
		return 16 + r % 6;
	if (r < 960)
		return r % 16;
	return 25 + r % 8;
}

static void big_check(const struct lpm *l, struct big_ref *b, const uint32_t *pa,
		      const uint8_t *pl, unsigned n, uint32_t *seed, unsigned lookups)
{
	uint32_t batch[LPM_BATCH];

	for (unsigned i = 0; i < lookups; i++) {
		uint32_t a = rnd(seed), want = 0, got = 0;
		bool hw, hg;

		if (i & 1) {
			unsigned j = rnd(seed) % n;

			a = pa[j] | (a & ~mask_of(pl[j]));
		}
		hw = big_lookup(b, a, &want);
		hg = lpm_lookup(l, a, &got);
		assert_int_equal(hg, hw);
		if (hw)
			assert_int_equal(got, want);
		/* batches of every size up to LPM_BATCH */
		batch[i % LPM_BATCH] = a;
		if (i % LPM_BATCH == LPM_BATCH - 1)
			check_batch(l, batch, 1 + i / LPM_BATCH % LPM_BATCH);
	}
}

/* 100,000 prefixes, then adds, replaces and deletes interleaved, checked
 * against the reference all along; deleting everything gives the nodes
 * back. */
static void test_lpm_big_table_with_churn_matches_reference(void **state)
{
	enum { N = 100000, OPS = 60000 };
	struct big_ref b = { calloc(BIG_CAP, sizeof(uint64_t)), calloc(BIG_CAP, sizeof(uint32_t)),
			     { 0 } };
	uint32_t *pa = malloc(N * sizeof(*pa)), seed = 0x5eed1234, lseed = 77, v = 0;
	uint8_t *pl = malloc(N);
	struct lpm *l = lpm_create();
	size_t empty = lpm_memory(l);

	assert_non_null(b.key);
	assert_non_null(b.val);
	for (unsigned i = 0; i < N; i++) {
		pl[i] = (uint8_t)big_len(&seed);
		pa[i] = rnd(&seed) & mask_of(pl[i]);
		assert_int_equal(lpm_add(l, pa[i], pl[i], i), 0);
		big_set(&b, pa[i], pl[i], i);
	}
	big_check(l, &b, pa, pl, N, &lseed, 100000);
	for (unsigned op = 0; op < OPS; op++) {
		unsigned j = rnd(&seed) % N, r = rnd(&seed) % 10;

		if (r < 4) {
			uint64_t *k = big_find(&b, pa[j], pl[j], false);

			if (k)
				big_del_both(l, &b, pa[j], pl[j]);
		} else if (r < 6) {
			/* replace (or re-add) with another value */
			assert_int_equal(lpm_add(l, pa[j], pl[j], N + op), 0);
			big_set(&b, pa[j], pl[j], N + op);
		} else {
			/* a new prefix in slot j; the old one stays in the table */
			pl[j] = (uint8_t)big_len(&seed);
			pa[j] = rnd(&seed) & mask_of(pl[j]);
			assert_int_equal(lpm_add(l, pa[j], pl[j], N + op), 0);
			big_set(&b, pa[j], pl[j], N + op);
		}
		if (op % 10000 == 9999)
			big_check(l, &b, pa, pl, N, &lseed, 10000);
	}
	big_check(l, &b, pa, pl, N, &lseed, 50000);
	/* delete every rule still in the reference */
	for (uint32_t i = 0; i < BIG_CAP; i++) {
		uint64_t k = b.key[i];

		if (!k || k == BIG_TOMB)
			continue;
		big_del_both(l, &b, (uint32_t)(k >> 8), (unsigned)(k & 0xff) - 1);
	}
	assert_false(lpm_lookup(l, 0x08080808, &v));
	assert_false(lpm_lookup(l, pa[0], &v));
	/* the nodes are gone but the root (a 72-byte header and one leaf) */
	assert_true(lpm_memory(l) - empty <= 72 + 4);
	lpm_destroy(l);
	free(b.key);
	free(b.val);
	free(pa);
	free(pl);
}

/* Values are 26 bits: larger ones are refused, the largest works. */
static void test_lpm_value_range(void **state)
{
	struct lpm *l = lpm_create();
	uint32_t v = 0;

	assert_int_equal(lpm_add(l, 0x0a000000, 8, (1u << 26) - 1), -ERANGE);
	assert_int_equal(lpm_add(l, 0x0a000000, 8, (1u << 26) - 2), 0);
	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(lpm_add(l, 0x0b000000 | (i << 8), 24, i), 0);
	assert_true(lpm_lookup(l, 0x0a010203, &v));
	assert_int_equal(v, (1u << 26) - 2);
	lpm_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lpm_empty_lookup_misses),
		cmocka_unit_test(test_lpm_default_route_matches_everything),
		cmocka_unit_test(test_lpm_matches_naive_reference),
		cmocka_unit_test(test_lpm_del_restores_covering_prefix),
		cmocka_unit_test(test_lpm_del_absent_returns_enoent),
		cmocka_unit_test(test_lpm_add_replaces_value),
		cmocka_unit_test(test_lpm_add_masks_host_bits),
		cmocka_unit_test(test_lpm_host_route_exact),
		cmocka_unit_test(test_lpm_memory_grows_with_use),
		cmocka_unit_test(test_lpm_small_table_is_small),
		cmocka_unit_test(test_lpm_small_to_trie_keeps_answers),
		cmocka_unit_test(test_lpm_big_table_with_churn_matches_reference),
		cmocka_unit_test(test_lpm_value_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
