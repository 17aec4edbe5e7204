// SPDX-License-Identifier: MIT
/*
 * IPv4 longest-prefix match as a multibit trie with four 8-bit strides
 * whose nodes are bitmap-compressed, as poptrie (Asai & Ohara, SIGCOMM
 * 2015) compresses its nodes and as VPP's ip4_mtrie and DPDK's rte_lpm
 * expand prefixes (STYLE H8). A node stands for 256 slots; each slot is
 * either a child node for the next 8 bits or a leaf: the value of the
 * longest rule covering the slot's range, with that rule's depth. A node
 * stores only what differs: a 256-bit map of its child slots, a 256-bit
 * map of the slots where a run of equal leaves starts, its children, then
 * one leaf per run. A lookup indexes a slot with a popcount of the bits
 * below it (per-word counts are kept in the node), so each level costs one
 * node and one array read, and a /24 among a million random prefixes costs
 * a node of a few hundred bytes instead of a 2 KB array per /16.
 *
 * Updates expand one node into a 256-slot scratch array, apply the rule
 * there (and through the children under its range), and pack the node
 * again; nodes on the path above only see a child pointer change, in
 * place. A node whose slots all become one leaf from a rule no longer
 * than the node's own prefix is folded back into its parent's slot.
 *
 * Beside the trie, a hash of rules keyed by (prefix, length), 8 bytes a
 * rule, answers exact lookups and lets lpm_del find the next covering
 * rule and re-expand it into the freed range, as rte_lpm_delete does with
 * its rule table.
 *
 * A table starts without a trie: up to LPM_SMALL_MAX rules live in a small
 * array sorted longest prefix first, and a lookup takes the first rule
 * that matches. A namespace's tables hold a handful of routes (lo's, an
 * address or two, a default); the trie is built from the rule hash when
 * the table outgrows the array, and kept from then on. If memory runs out
 * while the trie changes, the trie is dropped and lookups search the rule
 * hash, length by length, until a later change builds it again.
 */
/*
 * Lookups are popcounts. The build targets baseline x86-64, whose
 * __builtin_popcountll is a libgcc call; every x86-64 CPU since 2008
 * (x86-64-v2) has POPCNT, so this file alone uses it.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC target("popcnt")
#endif

#include "lpm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

#define LPM_FANOUT 256

/* Values fit in 26 bits: a leaf is (value + 1) << 6 | depth, 0 = none. */
#define LPM_VALUE_BITS 26
#define LPM_VALUE_MAX ((1u << LPM_VALUE_BITS) - 2)

static inline uint32_t leaf_make(uint32_t value, unsigned depth)
{
	return (value + 1) << 6 | depth;
}

static inline unsigned leaf_depth(uint32_t lf)
{
	return lf & 63;
}

static inline uint32_t leaf_value(uint32_t lf)
{
	return (lf >> 6) - 1;
}

struct lpm_node {
	uint64_t cbm[4]; /* slot i is a child */
	uint64_t lbm[4]; /* slot i is a leaf that starts a run of equal leaves */
	uint8_t cc[4];	 /* children in the words before word w */
	uint8_t lc[4];	 /* runs started in the words before word w */
	uint16_t nk, nl; /* children, runs */
	uint32_t pad;
	struct lpm_node *kid[]; /* nk children, then nl uint32_t leaves */
};
static_assert(sizeof(struct lpm_node) == 80, "lpm node header is 80 bytes");

/* LPM_SMALL_MAX rules are searched linearly before a trie pays. */
#define LPM_SMALL_MAX 16

struct lpm_small {
	uint32_t addr, mask, value;
};

/*
 * A rule in the hash: addr << 32 | (len + 1) << 26 | value, 0 = free. The
 * key is the part above the value bits.
 */
#define RULE_KEY(slot) ((slot) >> LPM_VALUE_BITS)

struct lpm {
	struct lpm_node *root;	  /* hot: first (STYLE H10); NULL: small or hash */
	uint32_t nsmall;	  /* rules in small[] while there is no trie */
	bool small_ok;		  /* no trie and small[] holds every rule */
	struct lpm_small small[LPM_SMALL_MAX]; /* longest prefix first */
	size_t trie_bytes;	  /* bytes of all nodes */
	uint64_t *rules;	  /* open addressing, linear probing */
	uint32_t rules_cap;	  /* power of two */
	uint32_t nrules;
	uint32_t len_count[33];	  /* rules per prefix length: skip empty lengths */
};

static inline uint32_t lpm_mask(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

static inline unsigned lpm_byte(uint32_t addr, unsigned level)
{
	return (addr >> (24 - 8 * level)) & 0xff;
}

/* Bits set in @x: one POPCNT instruction (see the target pragma above). */
static inline unsigned popcount64(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

/* ---- rule hash ---- */

static uint32_t rule_hash(uint32_t addr, unsigned len)
{
	uint32_t h = addr * 0x9e3779b1u ^ (len * 0x85ebca6bu);

	return h ^ (h >> 16);
}

static inline uint64_t rule_key(uint32_t addr, unsigned len)
{
	return (uint64_t)addr << (32 - LPM_VALUE_BITS) | (len + 1);
}

static uint64_t *rule_find(const struct lpm *l, uint32_t addr, unsigned len)
{
	uint32_t m = l->rules_cap - 1;
	uint64_t key = rule_key(addr, len);

	for (uint32_t i = rule_hash(addr, len) & m;; i = (i + 1) & m) {
		uint64_t *r = &l->rules[i];

		if (!*r)
			return NULL;
		if (RULE_KEY(*r) == key)
			return r;
	}
}

static inline uint32_t rule_addr(uint64_t r)
{
	return (uint32_t)(r >> 32);
}

static inline unsigned rule_len(uint64_t r)
{
	return (unsigned)((r >> LPM_VALUE_BITS) & 63) - 1;
}

static inline uint32_t rule_value(uint64_t r)
{
	return (uint32_t)(r & ((1u << LPM_VALUE_BITS) - 1));
}

static int rule_grow(struct lpm *l)
{
	uint32_t cap = l->rules_cap * 2;
	uint64_t *nr = calloc(cap, sizeof(*nr));

	if (!nr)
		return -ENOMEM;
	for (uint32_t i = 0; i < l->rules_cap; i++) {
		uint64_t r = l->rules[i];
		uint32_t j, m = cap - 1;

		if (!r)
			continue;
		for (j = rule_hash(rule_addr(r), rule_len(r)) & m; nr[j]; j = (j + 1) & m)
			;
		nr[j] = r;
	}
	free(l->rules);
	l->rules = nr;
	l->rules_cap = cap;
	return 0;
}

/* Insert or replace; *old tells whether a rule existed (and its value). */
static int rule_set(struct lpm *l, uint32_t addr, unsigned len, uint32_t value, bool *existed,
		    uint32_t *old)
{
	uint64_t *r = rule_find(l, addr, len), slot = rule_key(addr, len) << LPM_VALUE_BITS | value;
	uint32_t m;

	if (r) {
		*existed = true;
		*old = rule_value(*r);
		*r = slot;
		return 0;
	}
	*existed = false;
	/* keep the load under three quarters so probes stay short */
	if ((l->nrules + 1) * 4 > l->rules_cap * 3 && rule_grow(l) < 0)
		return -ENOMEM;
	m = l->rules_cap - 1;
	for (uint32_t i = rule_hash(addr, len) & m;; i = (i + 1) & m) {
		if (!l->rules[i]) {
			l->rules[i] = slot;
			break;
		}
	}
	l->nrules++;
	l->len_count[len]++;
	return 0;
}

/* Remove with backward-shift deletion (no tombstones). */
static bool rule_del(struct lpm *l, uint32_t addr, unsigned len)
{
	uint64_t *r = rule_find(l, addr, len);
	uint32_t m = l->rules_cap - 1, i, j;

	if (!r)
		return false;
	i = (uint32_t)(r - l->rules);
	for (j = (i + 1) & m; l->rules[j]; j = (j + 1) & m) {
		uint64_t rj = l->rules[j];
		uint32_t home = rule_hash(rule_addr(rj), rule_len(rj)) & m;

		/* move j into the hole at i unless its home lies in (i, j] */
		if (((j - home) & m) >= ((j - i) & m)) {
			l->rules[i] = rj;
			i = j;
		}
	}
	l->rules[i] = 0;
	l->nrules--;
	l->len_count[len]--;
	return true;
}

/* The longest rule of length < @len covering @addr, as a leaf (0: none). */
static uint32_t rule_cover(const struct lpm *l, uint32_t addr, unsigned len)
{
	for (int cl = (int)len - 1; cl >= 0; cl--) {
		const uint64_t *r;

		if (!l->len_count[cl])
			continue;
		r = rule_find(l, addr & lpm_mask((unsigned)cl), (unsigned)cl);
		if (r)
			return leaf_make(rule_value(*r), (unsigned)cl);
	}
	return 0;
}

/* ---- nodes ---- */

static inline uint32_t *node_leaves(const struct lpm_node *n)
{
	return (uint32_t *)(n->kid + n->nk);
}

static inline size_t node_size(unsigned nk, unsigned nl)
{
	return sizeof(struct lpm_node) + nk * sizeof(struct lpm_node *) + nl * sizeof(uint32_t);
}

static void node_free(struct lpm *l, struct lpm_node *n)
{
	l->trie_bytes -= node_size(n->nk, n->nl);
	free(n);
}

static void node_free_tree(struct lpm *l, struct lpm_node *n)
{
	for (unsigned i = 0; i < n->nk; i++)
		node_free_tree(l, n->kid[i]);
	node_free(l, n);
}

/* A node of 256 slots all holding @leaf. */
static struct lpm_node *node_uniform(struct lpm *l, uint32_t leaf)
{
	struct lpm_node *n = calloc(1, node_size(0, 1));

	if (!n)
		return NULL;
	n->lbm[0] = 1;
	n->nl = 1;
	node_leaves(n)[0] = leaf;
	l->trie_bytes += node_size(0, 1);
	return n;
}

/* Set bits of the 256-bit map @bm below slot @i (0..256). */
static unsigned bm_rank(const uint64_t *bm, unsigned i)
{
	unsigned c = 0;

	for (unsigned k = 0; k < (i >> 6); k++)
		c += popcount64(bm[k]);
	if (i & 63)
		c += popcount64(bm[i >> 6] & ((1ull << (i & 63)) - 1));
	return c;
}

static inline bool bm_test(const uint64_t *bm, unsigned i)
{
	return bm[i >> 6] & (1ull << (i & 63));
}

static inline void bm_assign(uint64_t *bm, unsigned i, bool on)
{
	if (on)
		bm[i >> 6] |= 1ull << (i & 63);
	else
		bm[i >> 6] &= ~(1ull << (i & 63));
}

/* The new contents of slots [lo, hi] of a node: a child or a leaf each. */
struct lpm_region {
	unsigned lo, hi;
	struct lpm_node *kid[LPM_FANOUT]; /* by slot - lo; NULL: a leaf */
	uint32_t leaf[LPM_FANOUT];
};

/*
 * Replace *np by a node equal to it outside @g's slots and holding @g's
 * contents inside. Run starts (lbm) can only change in [lo, hi + 1], so
 * the runs and children on either side are copied as they are: the cost
 * is the region plus two memcpy, not the node's 256 slots. The old block
 * is freed (its children belong to the new one). 0 or -ENOMEM (*np
 * unchanged).
 */
static int node_splice(struct lpm *l, struct lpm_node **np, const struct lpm_region *g)
{
	const struct lpm_node *o = *np;
	const uint32_t *olv = node_leaves(o);
	unsigned lo = g->lo, hi = g->hi, kb, ka, rb, ra, nk = 0, nl = 0, end;
	uint64_t cbm[4], lbm[4];
	bool prev_kid;
	uint32_t prev = 0, *lv;
	struct lpm_node *n;

	memcpy(cbm, o->cbm, sizeof(cbm));
	memcpy(lbm, o->lbm, sizeof(lbm));
	/* the slot before the region keeps its old contents */
	prev_kid = !lo || bm_test(o->cbm, lo - 1);
	if (!prev_kid)
		prev = olv[bm_rank(o->lbm, lo) - 1];
	for (unsigned i = lo; i <= hi; i++) {
		const struct lpm_node *k = g->kid[i - lo];
		uint32_t leaf = g->leaf[i - lo];

		bm_assign(cbm, i, k);
		bm_assign(lbm, i, !k && (prev_kid || leaf != prev));
		prev_kid = k;
		prev = leaf;
	}
	/* the slot after it keeps its contents but may start or join a run */
	end = hi + 1;
	if (end < LPM_FANOUT && !bm_test(o->cbm, end)) {
		uint32_t leaf = olv[bm_rank(o->lbm, end + 1) - 1];

		bm_assign(lbm, end, prev_kid || leaf != prev);
	}
	for (unsigned w = 0; w < 4; w++) {
		nk += popcount64(cbm[w]);
		nl += popcount64(lbm[w]);
	}
	n = malloc(node_size(nk, nl));
	if (!n)
		return -ENOMEM;
	memcpy(n->cbm, cbm, sizeof(cbm));
	memcpy(n->lbm, lbm, sizeof(lbm));
	n->nk = (uint16_t)nk;
	n->nl = (uint16_t)nl;
	n->pad = 0;
	for (unsigned w = 0, c = 0, r = 0; w < 4; w++) {
		n->cc[w] = (uint8_t)c;
		n->lc[w] = (uint8_t)r;
		c += popcount64(cbm[w]);
		r += popcount64(lbm[w]);
	}
	/* children: those before, the region's, those after */
	kb = bm_rank(o->cbm, lo);
	ka = bm_rank(o->cbm, hi + 1);
	memcpy(n->kid, o->kid, kb * sizeof(n->kid[0]));
	nk = kb;
	for (unsigned i = lo; i <= hi; i++)
		if (g->kid[i - lo])
			n->kid[nk++] = g->kid[i - lo];
	memcpy(&n->kid[nk], &o->kid[ka], (o->nk - ka) * sizeof(n->kid[0]));
	/* leaves: runs started before lo, in [lo, hi + 1], after hi + 1 */
	lv = node_leaves(n);
	rb = bm_rank(o->lbm, lo);
	memcpy(lv, olv, rb * sizeof(uint32_t));
	nl = rb;
	for (unsigned i = lo; i <= hi; i++)
		if (bm_test(lbm, i))
			lv[nl++] = g->leaf[i - lo];
	ra = bm_rank(o->lbm, MIN(end + 1, LPM_FANOUT));
	if (end < LPM_FANOUT && bm_test(lbm, end))
		lv[nl++] = olv[bm_rank(o->lbm, end + 1) - 1];
	memcpy(&lv[nl], &olv[ra], (o->nl - ra) * sizeof(uint32_t));
	l->trie_bytes += node_size(n->nk, n->nl);
	node_free(l, *np);
	*np = n;
	return 0;
}

/* Read slots [lo, hi] of @n into @g. */
static void node_read(const struct lpm_node *n, struct lpm_region *g, unsigned lo, unsigned hi)
{
	const uint32_t *lv = node_leaves(n);
	unsigned k = bm_rank(n->cbm, lo), r = bm_rank(n->lbm, lo);
	/* a leaf at lo that starts no run belongs to the run before it */
	uint32_t cur = r ? lv[r - 1] : 0;

	g->lo = lo;
	g->hi = hi;
	for (unsigned i = lo; i <= hi; i++) {
		if (bm_test(n->cbm, i)) {
			g->kid[i - lo] = n->kid[k++];
			continue;
		}
		if (bm_test(n->lbm, i))
			cur = lv[r++];
		g->kid[i - lo] = NULL;
		g->leaf[i - lo] = cur;
	}
}

/* Where slot @b's child pointer sits in @n, which has one there. */
static inline struct lpm_node **node_kid_slot(struct lpm_node *n, unsigned b)
{
	unsigned w = b >> 6;
	uint64_t bit = 1ull << (b & 63);

	return &n->kid[n->cc[w] + popcount64(n->cbm[w] & (bit - 1))];
}

/* A child node at @level adds nothing when all its slots are one leaf
 * from a rule no longer than its own prefix (8 * level bits). */
static bool node_foldable(const struct lpm_node *c, unsigned level)
{
	uint32_t lf;

	if (c->nk || c->nl != 1)
		return false;
	lf = node_leaves(c)[0];
	return !lf || leaf_depth(lf) <= 8 * level;
}

/* What a change does: add a rule (@leaf is its leaf) or delete one (@leaf
 * is the covering rule's leaf, 0 for none). */
struct lpm_op {
	uint32_t addr;
	unsigned len;
	bool del;
	uint32_t leaf;
};

/* Apply @op to one leaf slot; true if it changed. */
static inline bool op_leaf(const struct lpm_op *op, uint32_t *lf)
{
	if (!op->del) {
		/* entries owned by longer rules keep theirs */
		if ((*lf && leaf_depth(*lf) > op->len) || *lf == op->leaf)
			return false;
		*lf = op->leaf;
		return true;
	}
	/* inside the deleted rule's range its depth means its own entries */
	if (!*lf || leaf_depth(*lf) != op->len)
		return false;
	*lf = op->leaf;
	return true;
}

/*
 * Apply @op to slots [lo, hi] of *np (a node at @level) and to every slot
 * of the children there, then pack the node again if anything changed,
 * folding children that became uniform. On -ENOMEM the trie stays
 * memory-safe (child pointers are written back as they change) but may
 * hold the rule for part of its range: the caller drops the trie.
 */
static int node_fill(struct lpm *l, struct lpm_node **np, unsigned level, unsigned lo,
		     unsigned hi, const struct lpm_op *op)
{
	struct lpm_region g;
	struct lpm_node *fold[LPM_FANOUT];
	unsigned nfold = 0, k = bm_rank((*np)->cbm, lo);
	bool changed = false;
	int err;

	node_read(*np, &g, lo, hi);
	for (unsigned i = 0; i <= hi - lo; i++) {
		struct lpm_node **kp;

		if (!g.kid[i]) {
			changed |= op_leaf(op, &g.leaf[i]);
			continue;
		}
		kp = &(*np)->kid[k++];
		err = node_fill(l, kp, level + 1, 0, LPM_FANOUT - 1, op);
		g.kid[i] = *kp;
		if (err)
			return err;
		if (node_foldable(g.kid[i], level + 1)) {
			fold[nfold++] = g.kid[i];
			g.leaf[i] = node_leaves(g.kid[i])[0];
			g.kid[i] = NULL;
			changed = true;
		}
	}
	if (!changed)
		return 0;
	err = node_splice(l, np, &g);
	if (err)
		return err;
	/* only now do the folded children go: the old node pointed at them */
	for (unsigned i = 0; i < nfold; i++)
		node_free(l, fold[i]);
	return 0;
}

/* Walk to the node holding @op's range below *np (at @level), making
 * nodes on the way for an add, and apply it there. */
static int node_update(struct lpm *l, struct lpm_node **np, unsigned level, const struct lpm_op *op)
{
	struct lpm_node *n = *np, *c, **kp;
	unsigned b = lpm_byte(op->addr, level);
	struct lpm_region g;
	int err;

	if (op->len <= 8 * (level + 1)) {
		unsigned span = 8 * (level + 1) - op->len;

		return node_fill(l, np, level, b, b + (1u << span) - 1, op);
	}
	if (n->cbm[b >> 6] & (1ull << (b & 63))) {
		kp = node_kid_slot(n, b);
		err = node_update(l, kp, level + 1, op);
		if (err || !node_foldable(*kp, level + 1))
			return err;
		/* the child is uniform again: the slot becomes its leaf */
		c = *kp;
		g.lo = g.hi = b;
		g.kid[0] = NULL;
		g.leaf[0] = node_leaves(c)[0];
		err = node_splice(l, np, &g);
		if (!err)
			node_free(l, c);
		return err;
	}
	/* nothing below this slot: a delete has nothing to do here */
	if (op->del)
		return 0;
	node_read(n, &g, b, b);
	/* the new child starts as the expansion of the slot's leaf */
	c = node_uniform(l, g.leaf[0]);
	if (!c)
		return -ENOMEM;
	err = node_update(l, &c, level + 1, op);
	if (!err) {
		g.kid[0] = c;
		err = node_splice(l, np, &g);
	}
	if (err)
		node_free_tree(l, c);
	return err;
}

/* ---- shapes: small array, trie, or (out of memory) the hash alone ---- */

static void lpm_trie_free(struct lpm *l)
{
	if (l->root)
		node_free_tree(l, l->root);
	l->root = NULL;
}

/* Small table: set or insert (longest prefix first); the caller has made
 * room. */
static void lpm_small_set(struct lpm *l, uint32_t addr, unsigned len, uint32_t value)
{
	uint32_t mask = lpm_mask(len), i;

	for (i = 0; i < l->nsmall; i++) {
		if (l->small[i].addr == addr && l->small[i].mask == mask) {
			l->small[i].value = value;
			return;
		}
		/* masks of longer prefixes compare greater */
		if (l->small[i].mask < mask)
			break;
	}
	memmove(&l->small[i + 1], &l->small[i], (l->nsmall - i) * sizeof(l->small[0]));
	l->small[i] = (struct lpm_small){ addr, mask, value };
	l->nsmall++;
}

static void lpm_small_del(struct lpm *l, uint32_t addr, unsigned len)
{
	uint32_t mask = lpm_mask(len);

	for (uint32_t i = 0; i < l->nsmall; i++) {
		if (l->small[i].addr == addr && l->small[i].mask == mask) {
			memmove(&l->small[i], &l->small[i + 1],
				(l->nsmall - i - 1) * sizeof(l->small[0]));
			l->nsmall--;
			return;
		}
	}
}

/* Build the trie from the rule hash, shorter rules first so that longer
 * ones override them. 0 or -ENOMEM (no trie then). */
static int lpm_trie_build(struct lpm *l)
{
	l->root = node_uniform(l, 0);
	if (!l->root)
		return -ENOMEM;
	for (unsigned len = 0; len <= 32; len++) {
		if (!l->len_count[len])
			continue;
		for (uint32_t i = 0; i < l->rules_cap; i++) {
			uint64_t r = l->rules[i];
			struct lpm_op op = { rule_addr(r), len, false, 0 };

			if (!r || rule_len(r) != len)
				continue;
			op.leaf = leaf_make(rule_value(r), len);
			if (node_update(l, &l->root, 0, &op)) {
				lpm_trie_free(l);
				return -ENOMEM;
			}
		}
	}
	l->small_ok = false;
	l->nsmall = 0;
	return 0;
}

/* The trie could not follow a change: drop it and take the shape the
 * rule count calls for (a failed build leaves the hash alone). */
static void lpm_reshape(struct lpm *l)
{
	lpm_trie_free(l);
	l->small_ok = false;
	l->nsmall = 0;
	if (l->nrules <= LPM_SMALL_MAX) {
		for (uint32_t i = 0; i < l->rules_cap; i++)
			if (l->rules[i])
				lpm_small_set(l, rule_addr(l->rules[i]), rule_len(l->rules[i]),
					      rule_value(l->rules[i]));
		l->small_ok = true;
		return;
	}
	lpm_trie_build(l);
}

/* ---- API ---- */

struct lpm *lpm_create(void)
{
	struct lpm *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->small_ok = true;
	l->rules_cap = 8;
	l->rules = calloc(l->rules_cap, sizeof(*l->rules));
	if (!l->rules) {
		free(l);
		return NULL;
	}
	return l;
}

void lpm_destroy(struct lpm *l)
{
	if (!l)
		return;
	lpm_trie_free(l);
	free(l->rules);
	free(l);
}

int lpm_add(struct lpm *l, uint32_t addr, unsigned len, uint32_t value)
{
	struct lpm_op op;
	uint32_t old;
	bool existed;
	int err;

	if (len > 32)
		return -EINVAL;
	if (value > LPM_VALUE_MAX)
		return -ERANGE;
	addr &= lpm_mask(len);
	err = rule_set(l, addr, len, value, &existed, &old);
	if (err)
		return err;
	if (l->small_ok) {
		if (existed || l->nsmall < LPM_SMALL_MAX) {
			lpm_small_set(l, addr, len, value);
			return 0;
		}
		/* outgrown: the hash holds every rule, the new one included */
		err = lpm_trie_build(l);
		if (!err)
			return 0;
	} else if (l->root) {
		op = (struct lpm_op){ addr, len, false, leaf_make(value, len) };
		err = node_update(l, &l->root, 0, &op);
		if (!err)
			return 0;
	} else {
		/* hash only (an earlier build ran out of memory): try again */
		err = lpm_trie_build(l);
		if (!err)
			return 0;
	}
	/* undo the rule, then make the lookup structure agree with the hash */
	if (existed)
		rule_set(l, addr, len, old, &existed, &old);
	else
		rule_del(l, addr, len);
	lpm_reshape(l);
	return err;
}

int lpm_del(struct lpm *l, uint32_t addr, unsigned len)
{
	struct lpm_op op;

	if (len > 32)
		return -ENOENT;
	addr &= lpm_mask(len);
	if (!rule_del(l, addr, len))
		return -ENOENT;
	if (l->small_ok) {
		lpm_small_del(l, addr, len);
		return 0;
	}
	if (!l->root)
		return 0;
	/* the longest remaining rule that covers the deleted one takes over */
	op = (struct lpm_op){ addr, len, true, rule_cover(l, addr, len) };
	if (node_update(l, &l->root, 0, &op))
		lpm_reshape(l);
	return 0;
}

bool lpm_lookup(const struct lpm *l, uint32_t addr, uint32_t *value)
{
	const struct lpm_node *n = l->root;
	unsigned shift = 24;
	uint32_t lf;

	if (unlikely(!n)) {
		if (!l->small_ok) {
			lf = rule_cover(l, addr, 33);
			if (lf)
				*value = leaf_value(lf);
			return lf != 0;
		}
		/* longest first: the first match is the longest */
		for (uint32_t i = 0; i < l->nsmall; i++) {
			if ((addr & l->small[i].mask) == l->small[i].addr) {
				*value = l->small[i].value;
				return true;
			}
		}
		return false;
	}
	/* at most four levels: one node and one array read each */
	for (;;) {
		unsigned b = (addr >> shift) & 0xff, w = b >> 6;
		uint64_t bit = 1ull << (b & 63);

		if (!(n->cbm[w] & bit)) {
			/* the run holding slot b started at the last lbm bit <= b */
			unsigned run = n->lc[w] + popcount64(n->lbm[w] & (bit | (bit - 1))) - 1;

			lf = node_leaves(n)[run];
			break;
		}
		n = n->kid[n->cc[w] + popcount64(n->cbm[w] & (bit - 1))];
		/* a node spans a few lines (80-byte header, then children and
		 * leaves): ask for the next two with the first, not after it */
		prefetch((const char *)n + 64);
		prefetch((const char *)n + 128);
		shift -= 8;
	}
	if (!lf)
		return false;
	*value = leaf_value(lf);
	return true;
}

bool lpm_get(const struct lpm *l, uint32_t addr, unsigned len, uint32_t *value)
{
	const uint64_t *r;

	if (len > 32)
		return false;
	r = rule_find(l, addr & lpm_mask(len), len);
	if (!r)
		return false;
	*value = rule_value(*r);
	return true;
}

size_t lpm_count(const struct lpm *l)
{
	return l->nrules;
}

size_t lpm_memory(const struct lpm *l)
{
	return sizeof(*l) + l->trie_bytes + l->rules_cap * sizeof(*l->rules);
}
