/* SPDX-License-Identifier: MIT */
/*
 * IPv4 policy routing (net/core/fib_rules.c + net/ipv4/fib_rules.c): the
 * per-namespace list of rules that `ip rule` edits, ordered by priority,
 * and the walk fib_rules_lookup does over it. A namespace starts with the
 * kernel's default rules (0 lookup local, 32766 main, 32767 default) and
 * keeps no list until one is changed; while the list is those three,
 * fib.c's lookups take their direct path and never come here. Owner
 * thread only.
 */
#ifndef NSEMU_NETNS_FIB_RULES_H
#define NSEMU_NETNS_FIB_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/fib_rules.h> /* FR_ACT_*, FIB_RULE_*, FRA_* */

#include "fib.h"

/* A rule as RTM_NEWRULE/DELRULE carry it and a dump shows it (fib_rule +
 * fib4_rule). Addresses and marks as on the wire (addresses network
 * order). */
struct fib_rule_config {
	uint32_t pref;
	uint32_t table;		/* FRA_TABLE or the header's table */
	uint8_t action;		/* FR_ACT_* (or another RTN_* value, kept as given) */
	uint8_t flags;		/* FIB_RULE_INVERT; the others are computed */
	uint8_t proto;		/* FRA_PROTOCOL */
	uint8_t tos;
	uint8_t src_len, dst_len;
	uint32_t src, dst;
	char iifname[16], oifname[16]; /* "" = any */
	uint32_t mark, mark_mask;
	int32_t suppress_prefixlen;	/* -1 = none */
	int32_t suppress_ifgroup;	/* -1 = none */
	uint32_t target;		/* FRA_GOTO, 0 = none */
	uint8_t l3mdev;			/* FRA_L3MDEV: look up in the flow's VRF's table */
	/* request only: which of the optional fields the message carried */
	bool has_pref, has_table, has_mark_mask, has_goto;
};

/* What a dump shows of a rule besides its config: FIB_RULE_IIF_DETACHED,
 * FIB_RULE_OIF_DETACHED, FIB_RULE_UNRESOLVED in flags. */
struct fib_rule_view {
	struct fib_rule_config cfg;
	uint32_t flags; /* cfg.flags | the computed ones */
};

/*
 * Add a rule as fib_nl_newrule: validates (extack texts and errnos of the
 * kernel), picks the default priority, places it after every rule of
 * lower or equal priority, resolves gotos in both directions. @excl
 * (NLM_F_EXCL): -EEXIST for an identical rule. On success *out (if not
 * NULL) is the rule as added. Owner thread. 0 or -errno.
 */
int fib_rule_add(struct netns *ns, const struct fib_rule_config *cfg, bool excl,
		 struct fib_rule_view *out, struct extack *ext);
/* Delete the first rule @cfg describes (fib_nl_delrule: zero fields and
 * absent priority match anything). -ENOENT if none. *out: the deleted
 * rule. Owner thread. */
int fib_rule_del(struct netns *ns, const struct fib_rule_config *cfg, struct fib_rule_view *out,
		 struct extack *ext);
typedef int (*fib_rule_walk_fn)(const struct fib_rule_view *r, void *arg); /* non-zero stops */
/* Every rule in lookup order. Owner thread. */
int fib_rules_walk(struct netns *ns, fib_rule_walk_fn fn, void *arg);
/* Rules in the list (3 for a fresh namespace). */
unsigned fib_rules_count(struct netns *ns);

/*
 * The rule walk of fib_rules_lookup for @fl: 0 with *res (which may be an
 * error-type route, as fib_lookup), or -ENETUNREACH (nothing matched, or
 * an unreachable rule), -EACCES (prohibit), -EINVAL (blackhole and other
 * actions). fib.c calls it only when fib_rules_custom(). Owner thread.
 */
int fib_rules_lookup(struct netns *ns, const struct flowi4 *fl, struct fib_result *res);
/* Does a rule select on tos or fwmark (so a lookup's answer depends on more
 * than addresses and devices)? Owner thread. */
bool fib_rules_use_tos_mark(const struct netns *ns);
/* Does a rule select on the input device (iif)? Owner thread. */
bool fib_rules_use_iif(const struct netns *ns);
/* The namespace's list, freed at namespace exit (fib_exit). */
void fib_rules_free(struct netns *ns);
/* Start-up: subscribe to device events (names resolved and detached). */
void fib_rules_init(void);

#endif
