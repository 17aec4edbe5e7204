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
 * The table keeps no rule set of its own: its user has one (the FIB's
 * prefix entries and their exact-match hash), so lpm_del is told which
 * rule covers the deleted one, and re-expands it into the freed range as
 * rte_lpm_delete does with its rule table. Two copies of a million rules
 * would cost 8 bytes a rule for nothing.
 *
 * A table starts without a trie: up to LPM_SMALL_MAX rules live in a small
 * array sorted longest prefix first, and a lookup takes the first rule
 * that matches. A namespace's tables hold a handful of routes (lo's, an
 * address or two, a default); the trie is built from the array when the
 * table outgrows it, and kept from then on. If memory runs out while the
 * trie changes, the trie is dropped and the table is broken (lookups miss)
 * until its user clears it and adds its rules again.
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

/*
 * A 72-byte header: the counts of children and runs before each map word
 * (so a slot's index is one load and one popcount), then the maps; the
 * children and the leaves follow (a lookup asks for the header's two lines
 * at once, then for the one line holding its slot).
 */
struct lpm_node {
	uint8_t cc[4];	 /* children in the words before word w */
	uint8_t lc[4];	 /* runs started in the words before word w */
	uint64_t cbm[4]; /* slot i is a child */
	uint64_t lbm[4]; /* slot i is a leaf that starts a run of equal leaves */
	struct lpm_node *kid[]; /* the children, then one uint32_t leaf per run */
};
static_assert(sizeof(struct lpm_node) == 72, "lpm node header is 72 bytes");

/* LPM_SMALL_MAX rules are searched linearly before a trie pays. */
#define LPM_SMALL_MAX 16

struct lpm_small {
	uint32_t addr, mask, value;
};

/*
 * A large trie (more than LPM_DIR_BYTES of nodes) also gets a direct
 * index of its 65536 /16 slots, as DIR-16-8-8: each entry is what the trie
 * holds there, a level-2 node or a leaf (leaf << 1 | 1), so a lookup
 * starts two levels down. 512 KB, kept in step with the trie by
 * refreshing the entries an update's range covers (only those can change:
 * a node folding away leaves the same leaf in every slot outside it), and
 * dropped again when the trie shrinks to a quarter of that size. Small and
 * middling tables never pay for it.
 */
#define LPM_DIR_BYTES (1u << 20)
#define LPM_DIR_SLOTS 65536

struct lpm {
	struct lpm_node *root;	  /* hot: first (STYLE H10); NULL: small or broken */
	uintptr_t *dir;		  /* the /16 index of a large trie, or NULL */
	uint32_t nsmall;	  /* rules in small[] while there is no trie */
	bool small_ok;		  /* no trie and small[] holds every rule */
	bool broken;		  /* a change ran out of memory: no trie */
	struct lpm_small small[LPM_SMALL_MAX]; /* longest prefix first */
	size_t trie_bytes;	  /* bytes of all nodes */
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

/* ---- nodes ---- */

static inline unsigned node_nk(const struct lpm_node *n)
{
	return n->cc[3] + popcount64(n->cbm[3]);
}

static inline unsigned node_nl(const struct lpm_node *n)
{
	return n->lc[3] + popcount64(n->lbm[3]);
}

static inline uint32_t *node_leaves(const struct lpm_node *n)
{
	return (uint32_t *)(n->kid + node_nk(n));
}

/* Where the child of slot @b of @n is (the slot holds one). */
static inline struct lpm_node *const *node_kid_at(const struct lpm_node *n, unsigned b)
{
	unsigned w = b >> 6;

	return &n->kid[n->cc[w] + popcount64(n->cbm[w] & ((1ull << (b & 63)) - 1))];
}

/* Where the leaf of slot @b of @n is: the run that started at the last
 * lbm bit at or below b. */
static inline const uint32_t *node_leaf_at(const struct lpm_node *n, unsigned b)
{
	unsigned w = b >> 6;
	uint64_t upto = ((1ull << (b & 63)) << 1) - 1;

	return &node_leaves(n)[n->lc[w] + popcount64(n->lbm[w] & upto) - 1];
}

static inline size_t node_size(unsigned nk, unsigned nl)
{
	return sizeof(struct lpm_node) + nk * sizeof(struct lpm_node *) + nl * sizeof(uint32_t);
}

static void node_free(struct lpm *l, struct lpm_node *n)
{
	l->trie_bytes -= node_size(node_nk(n), node_nl(n));
	free(n);
}

static void node_free_tree(struct lpm *l, struct lpm_node *n)
{
	for (unsigned i = 0, nk = node_nk(n); i < nk; i++)
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
	n->lc[1] = n->lc[2] = n->lc[3] = 1; /* the run starts in word 0 */
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
	unsigned onk = node_nk(o), onl = node_nl(o);
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
	for (unsigned w = 0, c = 0, r = 0; w < 4; w++) {
		n->cc[w] = (uint8_t)c;
		n->lc[w] = (uint8_t)r;
		c += popcount64(cbm[w]);
		r += popcount64(lbm[w]);
	}
	l->trie_bytes += node_size(nk, nl);
	/* children: those before, the region's, those after */
	kb = bm_rank(o->cbm, lo);
	ka = bm_rank(o->cbm, hi + 1);
	memcpy(n->kid, o->kid, kb * sizeof(n->kid[0]));
	nk = kb;
	for (unsigned i = lo; i <= hi; i++)
		if (g->kid[i - lo])
			n->kid[nk++] = g->kid[i - lo];
	memcpy(&n->kid[nk], &o->kid[ka], (onk - ka) * sizeof(n->kid[0]));
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
	memcpy(&lv[nl], &olv[ra], (onl - ra) * sizeof(uint32_t));
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
	return (struct lpm_node **)node_kid_at(n, b);
}

/* A child node at @level adds nothing when all its slots are one leaf
 * from a rule no longer than its own prefix (8 * level bits). */
static bool node_foldable(const struct lpm_node *c, unsigned level)
{
	uint32_t lf;

	if (c->cbm[0] | c->cbm[1] | c->cbm[2] | c->cbm[3] || node_nl(c) != 1)
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

/* ---- shapes: small array, trie, or (out of memory) broken ---- */

static void lpm_trie_free(struct lpm *l)
{
	free(l->dir);
	l->dir = NULL;
	if (l->root)
		node_free_tree(l, l->root);
	l->root = NULL;
}

/* Small table: the rule's place, or nsmall. */
static uint32_t lpm_small_find(const struct lpm *l, uint32_t addr, uint32_t mask)
{
	uint32_t i;

	for (i = 0; i < l->nsmall; i++)
		if (l->small[i].addr == addr && l->small[i].mask == mask)
			break;
	return i;
}

/* Small table: insert (longest prefix first); the caller has made room. */
static void lpm_small_insert(struct lpm *l, uint32_t addr, uint32_t mask, uint32_t value)
{
	uint32_t i;

	/* masks of longer prefixes compare greater */
	for (i = 0; i < l->nsmall && l->small[i].mask >= mask; i++)
		;
	memmove(&l->small[i + 1], &l->small[i], (l->nsmall - i) * sizeof(l->small[0]));
	l->small[i] = (struct lpm_small){ addr, mask, value };
	l->nsmall++;
}

/* The trie could not follow a change: drop it, and the small array with
 * it (it may hold only some of the rules when the trie was being built
 * from it), so that every lookup misses and the caller asks its own index
 * until lpm_clear. */
static int lpm_break(struct lpm *l)
{
	lpm_trie_free(l);
	l->nsmall = 0;
	l->small_ok = false;
	l->broken = true;
	return -ENOMEM;
}

/* What the trie holds in /16 slot @i: a level-2 node or a leaf. */
static uintptr_t dir_entry(const struct lpm *l, unsigned i)
{
	const struct lpm_node *n = l->root;
	unsigned a = i >> 8, b = i & 0xff;

	if (!bm_test(n->cbm, a))
		return (uintptr_t)*node_leaf_at(n, a) << 1 | 1;
	n = *node_kid_at(n, a);
	if (!bm_test(n->cbm, b))
		return (uintptr_t)*node_leaf_at(n, b) << 1 | 1;
	return (uintptr_t)*node_kid_at(n, b);
}

/* After a change of @addr/@len: its /16 slots follow; a trie that has
 * grown large gets its index. */
static void dir_refresh(struct lpm *l, uint32_t addr, unsigned len)
{
	uint32_t first = addr >> 16, count = len >= 16 ? 1 : 1u << (16 - len);

	if (l->dir && l->trie_bytes < LPM_DIR_BYTES / 4) {
		/* shrunk well below where it paid (no back and forth) */
		free(l->dir);
		l->dir = NULL;
		return;
	}
	if (!l->dir) {
		if (l->trie_bytes < LPM_DIR_BYTES)
			return;
		/* no index is no error: lookups walk from the root */
		l->dir = malloc(LPM_DIR_SLOTS * sizeof(*l->dir));
		if (!l->dir)
			return;
		first = 0;
		count = LPM_DIR_SLOTS;
	}
	for (uint32_t i = first; i < first + count; i++)
		l->dir[i] = dir_entry(l, i);
}

static int lpm_trie_add(struct lpm *l, uint32_t addr, unsigned len, uint32_t value)
{
	const struct lpm_op op = { addr, len, false, leaf_make(value, len) };

	if (node_update(l, &l->root, 0, &op))
		return lpm_break(l);
	dir_refresh(l, addr, len);
	return 0;
}

/* The small array is full: build the trie from it. Rules may go in any
 * order (an add never overwrites the slots of a longer rule). */
static int lpm_trie_build(struct lpm *l)
{
	l->root = node_uniform(l, 0);
	if (!l->root)
		return lpm_break(l);
	l->small_ok = false;
	for (uint32_t i = 0; i < l->nsmall; i++) {
		const struct lpm_small *r = &l->small[i];

		if (lpm_trie_add(l, r->addr, (unsigned)popcount64(r->mask), r->value))
			return -ENOMEM;
	}
	l->nsmall = 0;
	return 0;
}

/* ---- API ---- */

struct lpm *lpm_create(void)
{
	struct lpm *l = calloc(1, sizeof(*l));

	if (l)
		l->small_ok = true;
	return l;
}

void lpm_destroy(struct lpm *l)
{
	if (!l)
		return;
	lpm_trie_free(l);
	free(l);
}

void lpm_clear(struct lpm *l)
{
	lpm_trie_free(l);
	l->broken = false;
	l->small_ok = true;
	l->nsmall = 0;
}

bool lpm_broken(const struct lpm *l)
{
	return l->broken;
}

int lpm_add(struct lpm *l, uint32_t addr, unsigned len, uint32_t value)
{
	uint32_t mask, i;

	if (len > 32)
		return -EINVAL;
	if (value > LPM_VALUE_MAX)
		return -ERANGE;
	if (l->broken)
		return -ENOMEM;
	mask = lpm_mask(len);
	addr &= mask;
	if (!l->small_ok)
		return lpm_trie_add(l, addr, len, value);
	i = lpm_small_find(l, addr, mask);
	if (i < l->nsmall) {
		l->small[i].value = value;
		return 0;
	}
	if (l->nsmall < LPM_SMALL_MAX) {
		lpm_small_insert(l, addr, mask, value);
		return 0;
	}
	/* outgrown: a trie of what the array holds, then the new rule */
	if (lpm_trie_build(l))
		return -ENOMEM;
	return lpm_trie_add(l, addr, len, value);
}

int lpm_del(struct lpm *l, uint32_t addr, unsigned len, int cover_len, uint32_t cover_value)
{
	struct lpm_op op;
	uint32_t mask, i;

	if (len > 32)
		return -ENOENT;
	if (l->broken)
		return 0;
	mask = lpm_mask(len);
	addr &= mask;
	if (l->small_ok) {
		i = lpm_small_find(l, addr, mask);
		if (i == l->nsmall)
			return -ENOENT;
		memmove(&l->small[i], &l->small[i + 1], (l->nsmall - i - 1) * sizeof(l->small[0]));
		l->nsmall--;
		return 0;
	}
	/* the longest remaining rule that covers the deleted one takes over */
	op = (struct lpm_op){ addr, len, true,
			      cover_len >= 0 && (unsigned)cover_len < len
				      ? leaf_make(cover_value, (unsigned)cover_len)
				      : 0 };
	if (node_update(l, &l->root, 0, &op))
		return lpm_break(l);
	dir_refresh(l, addr, len);
	return 0;
}

bool lpm_lookup_len(const struct lpm *l, uint32_t addr, uint32_t *value, unsigned *len)
{
	const struct lpm_node *n = l->root;
	unsigned shift = 24;
	uint32_t lf;

	if (unlikely(!n)) {
		/* longest first: the first match is the longest */
		for (uint32_t i = 0; i < l->nsmall; i++) {
			if ((addr & l->small[i].mask) == l->small[i].addr) {
				*value = l->small[i].value;
				*len = (unsigned)popcount64(l->small[i].mask);
				return true;
			}
		}
		return false;
	}
	if (l->dir) {
		uintptr_t d = l->dir[addr >> 16];

		if (d & 1) {
			lf = (uint32_t)(d >> 1);
			goto leaf;
		}
		n = (const struct lpm_node *)d;
		shift = 8;
	}
	/* at most four levels: one node and one array read each */
	for (;;) {
		unsigned b = (addr >> shift) & 0xff;

		if (!bm_test(n->cbm, b)) {
			lf = *node_leaf_at(n, b);
			break;
		}
		n = *node_kid_at(n, b);
		/* the header is two lines, children and leaves the next ones:
		 * ask for them together, not one after the other */
		prefetch((const char *)n + 64);
		prefetch((const char *)n + 128);
		shift -= 8;
	}
leaf:
	if (!lf)
		return false;
	*value = leaf_value(lf);
	*len = leaf_depth(lf);
	return true;
}

bool lpm_lookup(const struct lpm *l, uint32_t addr, uint32_t *value)
{
	unsigned len;

	return lpm_lookup_len(l, addr, value, &len);
}

void lpm_lookup_batch(const struct lpm *l, const uint32_t *addr, unsigned n, uint32_t *values,
		      uint8_t *lens)
{
	const struct lpm_node *cur[LPM_BATCH];
	const void *slot[LPM_BATCH];
	uint8_t walking[LPM_BATCH];
	bool kid[LPM_BATCH];
	unsigned nt, shift = 24;

	if (!l->root) {
		/* a small table (a namespace's local one): each address
		 * against the few rules, longest first */
		for (unsigned i = 0; i < n; i++) {
			uint32_t k;

			for (k = 0; k < l->nsmall; k++)
				if ((addr[i] & l->small[k].mask) == l->small[k].addr)
					break;
			values[i] = k < l->nsmall ? l->small[k].value : LPM_MISS;
			lens[i] = k < l->nsmall ? (uint8_t)popcount64(l->small[k].mask) : 0;
		}
		return;
	}
	if (unlikely(n > LPM_BATCH)) {
		for (unsigned i = 0; i < n; i++) {
			unsigned len = 0;

			if (!lpm_lookup_len(l, addr[i], &values[i], &len))
				values[i] = LPM_MISS;
			lens[i] = (uint8_t)len;
		}
		return;
	}
	nt = 0;
	if (l->dir) {
		/* the index first: ask for every entry, then read them */
		for (unsigned i = 0; i < n; i++)
			prefetch(&l->dir[addr[i] >> 16]);
		for (unsigned i = 0; i < n; i++) {
			uintptr_t d = l->dir[addr[i] >> 16];

			if (d & 1) {
				uint32_t lf = (uint32_t)(d >> 1);

				values[i] = lf ? leaf_value(lf) : LPM_MISS;
				lens[i] = (uint8_t)leaf_depth(lf);
				continue;
			}
			cur[i] = (const struct lpm_node *)d;
			prefetch(cur[i]);
			prefetch((const char *)cur[i] + 64);
			walking[nt++] = (uint8_t)i;
		}
		shift = 8;
	} else {
		for (unsigned i = 0; i < n; i++) {
			cur[i] = l->root;
			walking[nt++] = (uint8_t)i;
		}
	}
	/*
	 * Two steps a level, each one memory access per walk and all walks
	 * in a round before the next round: read the node's maps (asked for
	 * a round earlier) and ask for the one child pointer or leaf they
	 * point at; then read that and ask for the child's maps. A node
	 * spans several lines; this fetches the two it needs, overlapped
	 * with every other walk's.
	 */
	for (; nt; shift -= 8) {
		unsigned left = 0;

		for (unsigned k = 0; k < nt; k++) {
			unsigned i = walking[k], b = (addr[i] >> shift) & 0xff;
			const struct lpm_node *nd = cur[i];

			if (bm_test(nd->cbm, b)) {
				slot[i] = node_kid_at(nd, b);
				kid[i] = true;
			} else {
				slot[i] = node_leaf_at(nd, b);
				kid[i] = false;
			}
			prefetch(slot[i]);
		}
		for (unsigned k = 0; k < nt; k++) {
			unsigned i = walking[k];

			if (!kid[i]) {
				uint32_t lf = *(const uint32_t *)slot[i];

				values[i] = lf ? leaf_value(lf) : LPM_MISS;
				lens[i] = (uint8_t)leaf_depth(lf);
				continue;
			}
			cur[i] = *(struct lpm_node *const *)slot[i];
			prefetch(cur[i]);
			prefetch((const char *)cur[i] + 64);
			walking[left++] = (uint8_t)i;
		}
		nt = left;
	}
}

size_t lpm_memory(const struct lpm *l)
{
	return sizeof(*l) + l->trie_bytes + (l->dir ? LPM_DIR_SLOTS * sizeof(*l->dir) : 0);
}
