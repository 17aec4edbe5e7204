// SPDX-License-Identifier: MIT
/*
 * IPv4 policy routing rules (net/core/fib_rules.c: fib_nl_newrule,
 * fib_nl_delrule, fib_rules_lookup, fib_rules_event; net/ipv4/fib_rules.c:
 * fib4_rule_configure, fib4_rule_match, fib4_rule_action,
 * fib4_rule_suppress). A namespace's rules are a list in lookup order
 * (priority ascending, equal priorities in insertion order), made on the
 * first change from the three default rules; fib.c's lookups come here
 * only while the list differs from those three (fib->custom_rules).
 * Rules naming devices keep the name and follow the device's register,
 * rename and unregister, as the kernel's attach_rules/detach_rules.
 * Lookups do not walk the list: they read an array of the rules' match
 * keys, in order and contiguous (gotos as indexes), front to back (the
 * control list kept apart from what lookups read, as the FIB keeps its
 * tables apart from the tries). A change marks the array stale and the
 * next lookup rebuilds it, so that loading many rules costs what the
 * kernel's list insertion costs, not a rebuild per rule.
 * Owner thread only.
 */
#include "fib_rules.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "fib_priv.h"
#include "netns/core/dev.h"
#include "netns/proto/ip.h"

#define LOOPBACK_IFINDEX 1 /* lo: local output, which no VRF claims by iif */

struct fib_rule {
	struct fib_rule *next;
	struct fib_rule_config cfg;
	uint32_t srcmask, dstmask; /* network order */
	int iifindex, oifindex;	   /* 0 any, -1 detached (name not present) */
	struct fib_rule *ctarget;  /* goto's resolved target, NULL unresolved */
	unsigned idx;		   /* its place in the list (and in keys[]) */
};

#define RULE_NO_TARGET UINT32_MAX

/* What a lookup reads of a rule: one cache line (STYLE H10). */
struct fib_rule_key {
	uint32_t src, srcmask, dst, dstmask; /* network order */
	uint32_t mark, mark_mask;
	int iifindex, oifindex;
	uint32_t table;
	int32_t suppress_prefixlen, suppress_ifgroup;
	uint32_t target; /* goto: index of the target, RULE_NO_TARGET unresolved */
	uint8_t tos, invert, action, l3mdev;
};
static_assert(sizeof(struct fib_rule_key) <= 64, "a rule's key is one cache line");

struct fib_rules {
	struct fib_rule *head;
	unsigned n;
	bool tos_mark; /* some rule selects on tos or fwmark */
	bool iif;      /* some rule selects on the input device */
	bool l3mdev;   /* some rule is an l3mdev rule: lookups find the flow's VRF */
	struct fib_rule_key *keys; /* n of them, in lookup order */
	unsigned keys_cap;
	bool stale; /* keys[] no longer reflects the list */
};

#define FIB_RULE_PREF_MAIN 32766
#define FIB_RULE_PREF_DEFAULT 32767

/* The legacy TOS bits a rule may select (IPTOS_TOS_MASK) and those a
 * flow's tos is compared on (IPTOS_RT_MASK: without the ECN bits). */
#define RULE_TOS_MASK 0x1e
#define RULE_RT_MASK 0x1c
#define RULE_ECN_MASK 0x03

static struct fib_rule *rule_alloc(const struct fib_rule_config *cfg)
{
	struct fib_rule *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->cfg = *cfg;
	r->cfg.has_pref = r->cfg.has_table = r->cfg.has_mark_mask = r->cfg.has_goto = false;
	r->srcmask = inet_make_mask(cfg->src_len);
	r->dstmask = inet_make_mask(cfg->dst_len);
	return r;
}

/* The lookup keys from the list, in order; keys_cap >= n (fib_rule_add
 * grows it before inserting), so this never allocates. */
static void rules_rebuild(struct fib_rules *rs)
{
	unsigned i = 0;

	rs->stale = false;
	for (struct fib_rule *r = rs->head; r; r = r->next)
		r->idx = i++;
	i = 0;
	for (const struct fib_rule *r = rs->head; r; r = r->next, i++) {
		const struct fib_rule_config *c = &r->cfg;

		rs->keys[i] = (struct fib_rule_key){
			.src = c->src, .srcmask = r->srcmask, .dst = c->dst, .dstmask = r->dstmask,
			.mark = c->mark, .mark_mask = c->mark_mask,
			.iifindex = r->iifindex, .oifindex = r->oifindex, .table = c->table,
			.suppress_prefixlen = c->suppress_prefixlen,
			.suppress_ifgroup = c->suppress_ifgroup,
			.target = r->ctarget ? r->ctarget->idx : RULE_NO_TARGET,
			.tos = c->tos, .invert = !!(c->flags & FIB_RULE_INVERT),
			.action = c->action, .l3mdev = c->l3mdev,
		};
	}
}

/* fib_default_rules_init: local, main, default, proto kernel. */
static struct fib_rules *rules_get(struct netns *ns)
{
	static const struct {
		uint32_t pref, table;
	} def[] = { { 0, RT_TABLE_LOCAL },
		    { FIB_RULE_PREF_MAIN, RT_TABLE_MAIN },
		    { FIB_RULE_PREF_DEFAULT, RT_TABLE_DEFAULT } };
	struct fib *f = ns->fib;
	struct fib_rule **tail;

	if (f->rules)
		return f->rules;
	f->rules = calloc(1, sizeof(*f->rules));
	if (!f->rules)
		return NULL;
	f->rules->keys = calloc(4, sizeof(*f->rules->keys));
	if (!f->rules->keys) {
		free(f->rules);
		f->rules = NULL;
		return NULL;
	}
	f->rules->keys_cap = 4;
	tail = &f->rules->head;
	for (unsigned i = 0; i < 3; i++) {
		struct fib_rule_config c = { .pref = def[i].pref, .table = def[i].table,
					     .action = FR_ACT_TO_TBL, .proto = RTPROT_KERNEL,
					     .suppress_prefixlen = -1, .suppress_ifgroup = -1 };
		struct fib_rule *r = rule_alloc(&c);

		if (!r) {
			fib_rules_free(ns);
			return NULL;
		}
		*tail = r;
		tail = &r->next;
		f->rules->n++;
	}
	f->rules->stale = true;
	return f->rules;
}

/* Is @r what the default rule of @pref / @table is? Any selector,
 * another action or a suppressor makes it a custom rule. */
static bool rule_is_default(const struct fib_rule *r, uint32_t pref, uint32_t table)
{
	const struct fib_rule_config *c = &r->cfg;

	return c->pref == pref && c->table == table && c->action == FR_ACT_TO_TBL && !c->flags &&
	       !c->tos && !c->src_len && !c->dst_len && !c->iifname[0] && !c->oifname[0] &&
	       !c->mark && !c->mark_mask && c->suppress_prefixlen == -1 &&
	       c->suppress_ifgroup == -1 && !c->l3mdev;
}

/* After every change: may lookups take fib.c's direct path again (the
 * list is exactly the default rules), and do rules look at tos or mark?
 * Cached route decisions (the input hints) depend on the rules: bump the
 * generation they are checked against. */
static void rules_changed(struct netns *ns)
{
	struct fib_rules *rs = ns->fib->rules;
	const struct fib_rule *r = rs->head;
	bool dflt = rs->n == 3 && rule_is_default(r, 0, RT_TABLE_LOCAL) &&
		    rule_is_default(r->next, FIB_RULE_PREF_MAIN, RT_TABLE_MAIN) &&
		    rule_is_default(r->next->next, FIB_RULE_PREF_DEFAULT, RT_TABLE_DEFAULT);

	rs->tos_mark = rs->iif = rs->l3mdev = false;
	for (r = rs->head; r; r = r->next) {
		if (r->cfg.l3mdev)
			rs->l3mdev = true;
		if (r->cfg.tos || r->cfg.mark_mask)
			rs->tos_mark = true;
		if (r->cfg.iifname[0])
			rs->iif = true;
	}
	ns->fib->custom_rules = !dflt;
	rs->stale = true;
	ns->dev_gen++;
}

void fib_rules_free(struct netns *ns)
{
	struct fib_rules *rs = ns->fib ? ns->fib->rules : NULL;

	if (!rs)
		return;
	while (rs->head) {
		struct fib_rule *r = rs->head;

		rs->head = r->next;
		free(r);
	}
	free(rs->keys);
	free(rs);
	ns->fib->rules = NULL;
	ns->fib->custom_rules = false;
}

static void rule_view(const struct fib_rule *r, struct fib_rule_view *v)
{
	v->cfg = r->cfg;
	v->flags = r->cfg.flags;
	if (r->cfg.action == FR_ACT_GOTO && !r->ctarget)
		v->flags |= FIB_RULE_UNRESOLVED;
	if (r->cfg.iifname[0] && r->iifindex == -1)
		v->flags |= FIB_RULE_IIF_DETACHED;
	if (r->cfg.oifname[0] && r->oifindex == -1)
		v->flags |= FIB_RULE_OIF_DETACHED;
}

/* The ifindex a rule's device name stands for now: -1 while no device
 * has the name (the rule matches nothing), 0 for no name. */
static int rule_ifindex(struct netns *ns, const char *name)
{
	struct netdev *dev;

	if (!name[0])
		return 0;
	dev = dev_get_by_name(ns, name);
	return dev ? dev->ifindex : -1;
}

/* fib_default_rule_pref: one below the second rule's priority, when the
 * list has a second rule of non-zero priority; else 0. */
static uint32_t default_pref(const struct fib_rules *rs)
{
	const struct fib_rule *second = rs->head ? rs->head->next : NULL;

	return second && second->cfg.pref ? second->cfg.pref - 1 : 0;
}

/* fib_empty_table: the first table id from 1 with no table yet. */
static uint32_t empty_table(const struct fib *f)
{
	for (uint32_t id = 1; id < RT_TABLE_COMPAT; id++)
		if (!fib_get_table(f, id))
			return id;
	return 0;
}

/* The selector and action checks of fib_nl2rule and fib4_rule_configure
 * that do not depend on the list. */
static int rule_validate(const struct fib_rule_config *c, struct extack *ext)
{
	if (c->src_len > 32) {
		EXTACK_MSG(ext, "Invalid source address");
		return -EINVAL;
	}
	if (c->dst_len > 32) {
		EXTACK_MSG(ext, "Invalid dst address");
		return -EINVAL;
	}
	if (c->tos & RULE_ECN_MASK) {
		EXTACK_MSG(ext, "Invalid dsfield (tos): ECN bits must be 0");
		return -EINVAL;
	}
	if (c->tos & ~RULE_TOS_MASK) {
		EXTACK_MSG(ext, "Invalid tos");
		return -EINVAL;
	}
	/* fib_nl2rule: the flow's VRF gives the table */
	if (c->l3mdev && c->table) {
		EXTACK_MSG(ext, "l3mdev and table are mutually exclusive");
		return -EINVAL;
	}
	return 0;
}

/* rule_exists: the same selectors, action, table, priority, suppressors
 * and protocol. Like the kernel's, it looks neither at `not` nor at a
 * goto's target: `not from A` and `from A` at one priority are the same. */
static bool rule_same(const struct fib_rule *r, const struct fib_rule_config *c)
{
	const struct fib_rule_config *o = &r->cfg;

	return o->pref == c->pref && o->action == c->action && o->table == c->table &&
	       o->tos == c->tos && o->src_len == c->src_len &&
	       o->dst_len == c->dst_len && o->src == c->src && o->dst == c->dst &&
	       !strcmp(o->iifname, c->iifname) && !strcmp(o->oifname, c->oifname) &&
	       o->mark == c->mark && o->mark_mask == c->mark_mask &&
	       o->suppress_prefixlen == c->suppress_prefixlen &&
	       o->suppress_ifgroup == c->suppress_ifgroup && o->proto == c->proto &&
	       o->l3mdev == c->l3mdev;
}

int fib_rule_add(struct netns *ns, const struct fib_rule_config *cfg_in, bool excl,
		 struct fib_rule_view *out, struct extack *ext)
{
	struct fib_rule_config c = *cfg_in;
	struct fib_rules *rs;
	struct fib_rule *nr, **pp;
	int err;

	NS_ASSERT_OWNER(ns);
	err = rule_validate(&c, ext);
	if (err)
		return err;
	/* host bits are kept (the dump shows them); matching masks them */
	if (!c.src_len)
		c.src = 0;
	if (!c.dst_len)
		c.dst = 0;
	rs = rules_get(ns);
	if (!rs)
		return -ENOMEM;
	if (!c.has_pref)
		c.pref = default_pref(rs);
	/* a mark without a mask selects on every bit */
	if (c.mark && !c.has_mark_mask)
		c.mark_mask = 0xffffffffu;
	if (c.has_goto) {
		if (c.action != FR_ACT_GOTO) {
			EXTACK_MSG(ext, "Unexpected goto");
			return -EINVAL;
		}
		if (c.target <= c.pref) {
			EXTACK_MSG(ext, "Backward goto not supported.");
			return -EINVAL;
		}
	} else if (c.action == FR_ACT_GOTO) {
		EXTACK_MSG(ext, "Missing goto target for action goto.");
		return -EINVAL;
	}
	/* fib4_rule_configure: a lookup in table 0 means a new, empty table
	 * (not for an l3mdev rule, whose table is the flow's VRF's) */
	if (c.table == RT_TABLE_UNSPEC && c.action == FR_ACT_TO_TBL && !c.l3mdev) {
		c.table = empty_table(ns->fib);
		if (!c.table || !fib_new_table(ns->fib, c.table))
			return -ENOBUFS;
	}
	if (excl) {
		for (const struct fib_rule *r = rs->head; r; r = r->next)
			if (rule_same(r, &c))
				return -EEXIST;
	}
	if (rs->n + 1 > rs->keys_cap) {
		unsigned cap = rs->keys_cap * 2;
		struct fib_rule_key *k = realloc(rs->keys, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		rs->keys = k;
		rs->keys_cap = cap;
	}
	nr = rule_alloc(&c);
	if (!nr)
		return -ENOMEM;
	nr->iifindex = rule_ifindex(ns, c.iifname);
	nr->oifindex = rule_ifindex(ns, c.oifname);
	/* after every rule of lower or equal priority */
	for (pp = &rs->head; *pp && (*pp)->cfg.pref <= c.pref; pp = &(*pp)->next)
		;
	nr->next = *pp;
	*pp = nr;
	rs->n++;
	/* goto resolution both ways: this rule's target is the first rule
	 * of that priority; unresolved gotos to this priority now have it */
	for (struct fib_rule *r = rs->head; r; r = r->next) {
		if (nr->cfg.action == FR_ACT_GOTO && !nr->ctarget && r->cfg.pref == c.target)
			nr->ctarget = r;
		if (r->cfg.action == FR_ACT_GOTO && !r->ctarget && r->cfg.target == c.pref)
			r->ctarget = nr;
	}
	rules_changed(ns);
	if (out)
		rule_view(nr, out);
	return 0;
}

/* rule_find + fib4_rule_compare: zero fields match anything. */
static bool rule_matches_del(const struct fib_rule *r, const struct fib_rule_config *c)
{
	const struct fib_rule_config *o = &r->cfg;

	if (c->action && o->action != c->action)
		return false;
	if (c->table && o->table != c->table)
		return false;
	if (c->has_pref && o->pref != c->pref)
		return false;
	if (c->iifname[0] && strcmp(o->iifname, c->iifname))
		return false;
	if (c->oifname[0] && strcmp(o->oifname, c->oifname))
		return false;
	if (c->mark && o->mark != c->mark)
		return false;
	if (c->suppress_ifgroup != -1 && o->suppress_ifgroup != c->suppress_ifgroup)
		return false;
	if (c->suppress_prefixlen != -1 && o->suppress_prefixlen != c->suppress_prefixlen)
		return false;
	if (c->mark_mask && o->mark_mask != c->mark_mask)
		return false;
	if (c->proto && o->proto != c->proto)
		return false;
	if (c->src_len && (o->src_len != c->src_len || o->src != c->src))
		return false;
	if (c->dst_len && (o->dst_len != c->dst_len || o->dst != c->dst))
		return false;
	if (c->tos && o->tos != c->tos)
		return false;
	if (c->l3mdev && o->l3mdev != c->l3mdev)
		return false;
	return true;
}

int fib_rule_del(struct netns *ns, const struct fib_rule_config *cfg, struct fib_rule_view *out,
		 struct extack *ext)
{
	struct fib_rules *rs;
	struct fib_rule **pp, *r, *n;
	int err;

	NS_ASSERT_OWNER(ns);
	err = rule_validate(cfg, ext);
	if (err)
		return err;
	rs = rules_get(ns);
	if (!rs)
		return -ENOMEM;
	for (pp = &rs->head; *pp && !rule_matches_del(*pp, cfg); pp = &(*pp)->next)
		;
	r = *pp;
	if (!r)
		return -ENOENT;
	if (out)
		rule_view(r, out);
	*pp = r->next;
	rs->n--;
	/* gotos to the deleted rule move to the next rule of the same
	 * priority, or become unresolved */
	n = r->next && r->next->cfg.pref == r->cfg.pref ? r->next : NULL;
	for (struct fib_rule *g = rs->head; g; g = g->next)
		if (g->ctarget == r)
			g->ctarget = n;
	free(r);
	rules_changed(ns);
	return 0;
}

int fib_rules_walk(struct netns *ns, fib_rule_walk_fn fn, void *arg)
{
	struct fib_rules *rs;
	int ret = 0;

	NS_ASSERT_OWNER(ns);
	rs = rules_get(ns);
	if (!rs)
		return -ENOMEM;
	for (const struct fib_rule *r = rs->head; r && !ret; r = r->next) {
		struct fib_rule_view v;

		rule_view(r, &v);
		ret = fn(&v, arg);
	}
	return ret;
}

unsigned fib_rules_count(struct netns *ns)
{
	return ns->fib->rules ? ns->fib->rules->n : 3;
}

bool fib_rules_use_tos_mark(const struct netns *ns)
{
	return ns->fib->rules && ns->fib->rules->tos_mark;
}

bool fib_rules_use_iif(const struct netns *ns)
{
	return ns->fib->rules && ns->fib->rules->iif;
}

/* fib_rule_match + fib4_rule_match; @l3mdev: the flow is in a VRF
 * (l3mdev_fib_rule_match). */
static inline bool rule_match(const struct fib_rule_key *k, const struct flowi4 *fl,
			      bool l3mdev)
{
	bool ret = (!k->iifindex || k->iifindex == fl->iif) && (!k->l3mdev || l3mdev) &&
		   (!k->oifindex || k->oifindex == fl->oif) &&
		   !((k->mark ^ fl->mark) & k->mark_mask) &&
		   !((fl->saddr ^ k->src) & k->srcmask) && !((fl->daddr ^ k->dst) & k->dstmask) &&
		   (!k->tos || k->tos == (fl->tos & RULE_RT_MASK));

	return ret != k->invert;
}

/* fib4_rule_suppress: a route found through a rule with a suppressor is
 * ignored when its prefix is no longer than suppress_prefixlength, or
 * its device is in the suppressed group (every device is in group 0). */
static bool rule_suppress(const struct fib_rule_key *k, const struct fib_result *res)
{
	if ((int)res->prefixlen <= k->suppress_prefixlen)
		return true;
	return k->suppress_ifgroup == 0 && res->dev;
}

/* l3mdev_update_flow: the VRF of the flow's output device, else of its
 * input device (not lo: local output stays in its own domain). 0: none. */
static int l3mdev_flow(struct netns *ns, const struct flowi4 *fl)
{
	int l3 = 0;

	if (fl->l3mdev)
		return fl->l3mdev;
	if (fl->oif)
		l3 = l3mdev_master_ifindex(dev_get_by_index(ns, fl->oif));
	if (!l3 && fl->iif > LOOPBACK_IFINDEX)
		l3 = l3mdev_master_ifindex(dev_get_by_index(ns, fl->iif));
	return l3;
}

int fib_rules_lookup(struct netns *ns, const struct flowi4 *fl, struct fib_result *res)
{
	const struct fib *f = ns->fib;
	struct fib_rules *rs = f->rules;
	unsigned n = rs ? rs->n : 0;
	const struct flowi4 *tfl = fl;
	struct flowi4 any_port;
	uint32_t l3_table = 0;
	int l3 = 0;

	NS_ASSERT_OWNER(ns);
	if (unlikely(rs && rs->stale))
		rules_rebuild(rs);
	/* only when an l3mdev rule may ask: the flow's VRF and its table
	 * (l3mdev_fib_rule_match); a flow bound to the VRF itself may leave
	 * by any of its ports, so the table lookup checks no device */
	if (rs && rs->l3mdev && (l3 = l3mdev_flow(ns, fl))) {
		l3_table = l3mdev_fib_table(dev_get_by_index(ns, l3));
		if (fl->oif == l3) {
			any_port = *fl;
			any_port.oif = 0;
			tfl = &any_port;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		const struct fib_rule_key *k = &rs->keys[i];
		const struct fib_table *tb;
		struct fib_result tmp;
	jumped:
		if (!rule_match(k, fl, l3_table != 0))
			continue;
		switch (k->action) {
		case FR_ACT_GOTO:
			if (k->target == RULE_NO_TARGET)
				continue;
			i = k->target;
			k = &rs->keys[i];
			goto jumped;
		case FR_ACT_NOP:
			continue;
		case FR_ACT_TO_TBL:
			break;
		case FR_ACT_UNREACHABLE:
			return -ENETUNREACH;
		case FR_ACT_PROHIBIT:
			return -EACCES;
		default:
			/* blackhole and the actions fib4_rule_action does not know */
			return -EINVAL;
		}
		tb = fib_get_table(f, k->l3mdev ? l3_table : k->table);
		/* no table, nothing found or a throw route: the next rule */
		if (!tb || fib_table_lookup_fl(ns, tb, tfl, &tmp) != 1)
			continue;
		/* an error route ends the walk before any suppressor looks */
		if (!fib_type_is_error(tmp.type) && rule_suppress(k, &tmp))
			continue;
		*res = tmp;
		return 0;
	}
	return -ENETUNREACH;
}

/* fib_rules_event: a device appearing under a rule's name attaches the
 * rule, one going away (or renamed) detaches it. */
static int fib_rules_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netdev *dev = ptr;
	struct netns *ns = dev->ns;
	struct fib_rules *rs = ns->fib ? ns->fib->rules : NULL;
	bool changed = false;

	(void)nb;
	if (!rs || (event != NETDEV_REGISTER && event != NETDEV_UNREGISTER &&
		    event != NETDEV_CHANGENAME))
		return NOTIFY_DONE;
	for (struct fib_rule *r = rs->head; r; r = r->next) {
		int iif = r->iifindex, oif = r->oifindex;

		if (event != NETDEV_REGISTER) {
			/* detach_rules */
			if (r->iifindex == dev->ifindex)
				r->iifindex = -1;
			if (r->oifindex == dev->ifindex)
				r->oifindex = -1;
		}
		if (event != NETDEV_UNREGISTER) {
			/* attach_rules */
			if (r->iifindex == -1 && !strcmp(r->cfg.iifname, dev->name))
				r->iifindex = dev->ifindex;
			if (r->oifindex == -1 && !strcmp(r->cfg.oifname, dev->name))
				r->oifindex = dev->ifindex;
		}
		changed |= iif != r->iifindex || oif != r->oifindex;
	}
	if (changed) {
		rs->stale = true;
		ns->dev_gen++;
	}
	return NOTIFY_DONE;
}

static struct notifier_block fib_rules_notifier = {
	.notifier_call = fib_rules_event,
};

void fib_rules_init(void)
{
	register_netdevice_notifier(&fib_rules_notifier);
}
