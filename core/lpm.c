// SPDX-License-Identifier: MIT
/*
 * IPv4 longest-prefix match as a multibit trie with four 8-bit strides
 * (STYLE H8; VPP's ip4_mtrie 8-8-8-8 plies, DPDK rte_lpm's prefix
 * expansion). Every node is 256 entries; an entry holds either the value
 * of the longest rule covering its range (with that rule's depth) or the
 * index of a child node for the next 8 bits. A rule is expanded into all
 * entries of the range it covers that no longer rule owns. Nodes are
 * allocated on demand, so a /24 costs three nodes (root, /8, /16 level),
 * and a node whose 256 entries all come from one rule above it is folded
 * back into its parent entry when a delete leaves it so.
 *
 * Beside the trie, a hash of rules keyed by (prefix, length) lets
 * lpm_del find the next covering rule and re-expand it into the freed
 * range, as rte_lpm_delete does with its rule table.
 *
 * A table starts without a trie: up to LPM_SMALL_MAX rules live in a small
 * array sorted longest prefix first, and a lookup takes the first rule
 * that matches. A namespace's tables hold a handful of routes (lo's, an
 * address or two, a default), and a 2 KB node per level of every /32
 * would make each idle namespace cost tens of KB; the trie is built from
 * the rule hash when the table outgrows the array, and kept from then on.
 */
#include "lpm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

#define LPM_FANOUT 256
#define LPM_LEVELS 4

enum { LPM_E_VALID = 1, LPM_E_CHILD = 2 };

struct lpm_entry {
	uint32_t v;    /* value, or child node index with LPM_E_CHILD */
	uint8_t depth; /* prefix length of the rule expanded here (LPM_E_VALID) */
	uint8_t flags;
	uint16_t pad;
};
static_assert(sizeof(struct lpm_entry) == 8, "lpm entry is 8 bytes");

struct lpm_node {
	struct lpm_entry e[LPM_FANOUT];
};

struct lpm_rule {
	uint32_t addr;
	uint32_t value;
	uint8_t len;
	uint8_t used;
};

/* LPM_SMALL_MAX rules are searched linearly before a trie pays. */
#define LPM_SMALL_MAX 16

struct lpm_small {
	uint32_t addr, mask, value;
};

struct lpm {
	struct lpm_node *root;	  /* hot: first (STYLE H10); also nodes[0]; NULL: small */
	uint32_t nsmall;	  /* rules in small[] while there is no trie */
	struct lpm_small small[LPM_SMALL_MAX]; /* longest prefix first */
	struct lpm_node **nodes;  /* child index -> node, NULL = free slot */
	uint32_t nodes_cap;
	uint32_t nodes_live;
	uint32_t nodes_hint;	  /* no free slot below this index */
	struct lpm_rule *rules;	  /* open addressing, linear probing */
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

/* ---- rule hash ---- */

static uint32_t rule_hash(uint32_t addr, unsigned len)
{
	uint32_t h = addr * 0x9e3779b1u ^ (len * 0x85ebca6bu);

	return h ^ (h >> 16);
}

static struct lpm_rule *rule_find(const struct lpm *l, uint32_t addr, unsigned len)
{
	uint32_t m = l->rules_cap - 1;

	for (uint32_t i = rule_hash(addr, len) & m;; i = (i + 1) & m) {
		struct lpm_rule *r = &l->rules[i];

		if (!r->used)
			return NULL;
		if (r->addr == addr && r->len == len)
			return r;
	}
}

static int rule_grow(struct lpm *l)
{
	uint32_t cap = l->rules_cap * 2;
	struct lpm_rule *nr = calloc(cap, sizeof(*nr));

	if (!nr)
		return -ENOMEM;
	for (uint32_t i = 0; i < l->rules_cap; i++) {
		const struct lpm_rule *r = &l->rules[i];
		uint32_t j;

		if (!r->used)
			continue;
		for (j = rule_hash(r->addr, r->len) & (cap - 1); nr[j].used; j = (j + 1) & (cap - 1))
			;
		nr[j] = *r;
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
	struct lpm_rule *r = rule_find(l, addr, len);
	uint32_t m;

	if (r) {
		*existed = true;
		*old = r->value;
		r->value = value;
		return 0;
	}
	*existed = false;
	/* keep the load under one half so probes stay short */
	if ((l->nrules + 1) * 2 > l->rules_cap && rule_grow(l) < 0)
		return -ENOMEM;
	m = l->rules_cap - 1;
	for (uint32_t i = rule_hash(addr, len) & m;; i = (i + 1) & m) {
		if (!l->rules[i].used) {
			l->rules[i] = (struct lpm_rule){ addr, value, (uint8_t)len, 1 };
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
	struct lpm_rule *r = rule_find(l, addr, len);
	uint32_t m = l->rules_cap - 1, i, j;

	if (!r)
		return false;
	i = (uint32_t)(r - l->rules);
	for (j = (i + 1) & m; l->rules[j].used; j = (j + 1) & m) {
		uint32_t home = rule_hash(l->rules[j].addr, l->rules[j].len) & m;

		/* move j into the hole at i unless its home lies in (i, j] */
		if (((j - home) & m) >= ((j - i) & m)) {
			l->rules[i] = l->rules[j];
			i = j;
		}
	}
	l->rules[i].used = 0;
	l->nrules--;
	l->len_count[len]--;
	return true;
}

/* ---- nodes ---- */

static int node_alloc(struct lpm *l, const struct lpm_entry *fill, uint32_t *idx)
{
	struct lpm_node *n;
	uint32_t i;

	/* the hint keeps a growing trie from rescanning its slots */
	for (i = MAX(l->nodes_hint, 1u); i < l->nodes_cap && l->nodes[i]; i++)
		;
	if (i == l->nodes_cap) {
		uint32_t cap = l->nodes_cap * 2;
		struct lpm_node **nn = realloc(l->nodes, cap * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		memset(nn + l->nodes_cap, 0, (cap - l->nodes_cap) * sizeof(*nn));
		l->nodes = nn;
		l->nodes_cap = cap;
	}
	n = malloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	/* a new node starts as the expansion of what its parent entry held */
	for (unsigned k = 0; k < LPM_FANOUT; k++)
		n->e[k] = *fill;
	l->nodes[i] = n;
	l->nodes_live++;
	l->nodes_hint = i + 1;
	*idx = i;
	return 0;
}

static void node_free(struct lpm *l, uint32_t idx)
{
	free(l->nodes[idx]);
	l->nodes[idx] = NULL;
	l->nodes_live--;
	if (idx < l->nodes_hint)
		l->nodes_hint = idx;
}

/*
 * Fold the child of parent entry @pe (a node at @level) back into @pe if
 * all its entries are the same leaf coming from a rule no longer than the
 * node's own prefix (8 * level bits): then the node adds nothing.
 */
static bool node_try_collapse(struct lpm *l, struct lpm_entry *pe, unsigned level)
{
	uint32_t idx = pe->v;
	const struct lpm_node *c = l->nodes[idx];
	struct lpm_entry f = c->e[0];

	if (f.flags & LPM_E_CHILD)
		return false;
	if ((f.flags & LPM_E_VALID) && f.depth > 8 * level)
		return false;
	for (unsigned i = 1; i < LPM_FANOUT; i++) {
		const struct lpm_entry *e = &c->e[i];

		if (e->flags != f.flags)
			return false;
		if ((f.flags & LPM_E_VALID) && (e->v != f.v || e->depth != f.depth))
			return false;
	}
	*pe = f;
	node_free(l, idx);
	return true;
}

/* Expand rule (@depth, @value) into entries [lo, hi] of @n, keeping
 * entries owned by longer rules, and through child nodes below. */
static void lpm_fill(struct lpm *l, struct lpm_node *n, unsigned lo, unsigned hi, uint8_t depth,
		     uint32_t value)
{
	for (unsigned i = lo; i <= hi; i++) {
		struct lpm_entry *e = &n->e[i];

		if (e->flags & LPM_E_CHILD)
			lpm_fill(l, l->nodes[e->v], 0, LPM_FANOUT - 1, depth, value);
		else if (!(e->flags & LPM_E_VALID) || e->depth <= depth)
			*e = (struct lpm_entry){ .v = value, .depth = depth, .flags = LPM_E_VALID };
	}
}

/* Replace the entries of deleted rule @depth in [lo, hi] by @cover (the
 * next covering rule, or an invalid entry), folding children that become
 * uniform. */
static void lpm_refill(struct lpm *l, struct lpm_node *n, unsigned level, unsigned lo,
		       unsigned hi, uint8_t depth, const struct lpm_entry *cover)
{
	for (unsigned i = lo; i <= hi; i++) {
		struct lpm_entry *e = &n->e[i];

		if (e->flags & LPM_E_CHILD) {
			lpm_refill(l, l->nodes[e->v], level + 1, 0, LPM_FANOUT - 1, depth, cover);
			node_try_collapse(l, e, level + 1);
		} else if ((e->flags & LPM_E_VALID) && e->depth == depth) {
			*e = *cover;
		}
	}
}

/* ---- API ---- */

struct lpm *lpm_create(void)
{
	struct lpm *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
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
	for (uint32_t i = 0; i < l->nodes_cap; i++)
		free(l->nodes[i]);
	free(l->nodes);
	free(l->rules);
	free(l);
}

/* Expand one rule into the trie. 0 or -ENOMEM (trie unchanged then). */
static int lpm_trie_add(struct lpm *l, uint32_t addr, unsigned len, uint32_t value)
{
	struct lpm_node *n = l->root;
	unsigned level = 0, span, lo;
	int err;

	/* walk (and grow) the path down to the node holding the range */
	while (len > 8 * (level + 1)) {
		struct lpm_entry *e = &n->e[lpm_byte(addr, level)];

		if (!(e->flags & LPM_E_CHILD)) {
			uint32_t idx;

			err = node_alloc(l, e, &idx);
			if (err)
				return err;
			*e = (struct lpm_entry){ .v = idx, .flags = LPM_E_CHILD };
		}
		n = l->nodes[e->v];
		level++;
	}
	span = 8 * (level + 1) - len;
	lo = lpm_byte(addr, level);
	lpm_fill(l, n, lo, lo + (1u << span) - 1, (uint8_t)len, value);
	return 0;
}

/* Build the trie from the rule hash, shorter rules first so that longer
 * ones override them. 0 or -ENOMEM (no trie then). */
static int lpm_trie_build(struct lpm *l)
{
	l->nodes_cap = 4;
	l->nodes = calloc(l->nodes_cap, sizeof(*l->nodes));
	l->root = calloc(1, sizeof(*l->root));
	if (!l->nodes || !l->root)
		goto out_free;
	/* slot 0 is the root: child indices are never 0 */
	l->nodes[0] = l->root;
	l->nodes_live = 1;
	for (unsigned len = 0; len <= 32; len++) {
		if (!l->len_count[len])
			continue;
		for (uint32_t i = 0; i < l->rules_cap; i++) {
			const struct lpm_rule *r = &l->rules[i];

			if (r->used && r->len == len && lpm_trie_add(l, r->addr, len, r->value))
				goto out_free;
		}
	}
	l->nsmall = 0;
	return 0;

out_free:
	for (uint32_t i = 0; l->nodes && i < l->nodes_cap; i++)
		free(l->nodes[i]);
	if (!l->nodes)
		free(l->root);
	free(l->nodes);
	l->nodes = NULL;
	l->root = NULL;
	l->nodes_cap = l->nodes_live = l->nodes_hint = 0;
	return -ENOMEM;
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

int lpm_add(struct lpm *l, uint32_t addr, unsigned len, uint32_t value)
{
	uint32_t old;
	bool existed;
	int err;

	if (len > 32)
		return -EINVAL;
	addr &= lpm_mask(len);
	err = rule_set(l, addr, len, value, &existed, &old);
	if (err)
		return err;
	if (!l->root) {
		if (existed || l->nsmall < LPM_SMALL_MAX) {
			lpm_small_set(l, addr, len, value);
			return 0;
		}
		/* outgrown: the hash holds every rule, the new one included */
		err = lpm_trie_build(l);
		if (!err)
			return 0;
	} else {
		err = lpm_trie_add(l, addr, len, value);
		if (!err)
			return 0;
	}
	/* the lookup structure is unchanged for this rule; undo the rule */
	if (existed)
		rule_set(l, addr, len, old, &existed, &old);
	else
		rule_del(l, addr, len);
	return err;
}

int lpm_del(struct lpm *l, uint32_t addr, unsigned len)
{
	struct lpm_entry *path[LPM_LEVELS] = { NULL };
	struct lpm_entry cover = { 0 };
	struct lpm_node *n = l->root;
	unsigned level = 0, span, lo;

	if (len > 32)
		return -ENOENT;
	addr &= lpm_mask(len);
	if (!rule_del(l, addr, len))
		return -ENOENT;
	if (!l->root) {
		lpm_small_del(l, addr, len);
		return 0;
	}
	/* the longest remaining rule that covers the deleted one */
	for (int cl = (int)len - 1; cl >= 0; cl--) {
		const struct lpm_rule *r;

		if (!l->len_count[cl])
			continue;
		r = rule_find(l, addr & lpm_mask((unsigned)cl), (unsigned)cl);
		if (r) {
			cover = (struct lpm_entry){ .v = r->value, .depth = (uint8_t)cl,
						    .flags = LPM_E_VALID };
			break;
		}
	}
	while (len > 8 * (level + 1)) {
		struct lpm_entry *e = &n->e[lpm_byte(addr, level)];

		/* the rule existed, so its path did */
		assert(e->flags & LPM_E_CHILD);
		path[level + 1] = e;
		n = l->nodes[e->v];
		level++;
	}
	span = 8 * (level + 1) - len;
	lo = lpm_byte(addr, level);
	lpm_refill(l, n, level, lo, lo + (1u << span) - 1, (uint8_t)len, &cover);
	/* free the nodes on the path that no longer hold anything of their own */
	for (; level > 0; level--)
		if (!node_try_collapse(l, path[level], level))
			break;
	return 0;
}

bool lpm_lookup(const struct lpm *l, uint32_t addr, uint32_t *value)
{
	const struct lpm_entry *e;
	unsigned shift = 24;

	if (unlikely(!l->root)) {
		/* longest first: the first match is the longest */
		for (uint32_t i = 0; i < l->nsmall; i++) {
			if ((addr & l->small[i].mask) == l->small[i].addr) {
				*value = l->small[i].value;
				return true;
			}
		}
		return false;
	}
	e = &l->root->e[addr >> 24];

	/* at most three more steps: a child exists only above a /32 leaf */
	while (e->flags & LPM_E_CHILD) {
		shift -= 8;
		e = &l->nodes[e->v]->e[(addr >> shift) & 0xff];
	}
	if (!(e->flags & LPM_E_VALID))
		return false;
	*value = e->v;
	return true;
}

bool lpm_get(const struct lpm *l, uint32_t addr, unsigned len, uint32_t *value)
{
	const struct lpm_rule *r;

	if (len > 32)
		return false;
	r = rule_find(l, addr & lpm_mask(len), len);
	if (!r)
		return false;
	*value = r->value;
	return true;
}

size_t lpm_count(const struct lpm *l)
{
	return l->nrules;
}

size_t lpm_memory(const struct lpm *l)
{
	return sizeof(*l) + l->nodes_cap * sizeof(*l->nodes) +
	       l->nodes_live * sizeof(struct lpm_node) + l->rules_cap * sizeof(*l->rules);
}
