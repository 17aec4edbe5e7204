// SPDX-License-Identifier: MIT
/*
 * RTM_NEWRULE / DELRULE / GETRULE for IPv4 (net/core/fib_rules.c:
 * fib_nl_newrule, fib_nl_delrule, fib_nl_dumprule, fib_nl_fill_rule,
 * notify_rule_change; net/ipv4/fib_rules.c: fib4_rule_fill). The rules
 * themselves are netns/ipv4/fib_rules.c's; this file translates a
 * fib_rule_hdr and its FRA_* attributes, under the kernel's policy, into
 * a rule and back. Every handler runs on the owner of the connection's
 * namespace.
 */
#include <errno.h>
#include <string.h>

#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "netns/ipv4/fib_rules.h"
#include "rtnl_priv.h"

/* fib_rule_policy (FRA_GENERIC_POLICY) + fib4_rule_policy */
static const struct nla_policy rule_policy[FRA_MAX + 1] = {
	/* FRA_SRC/FRA_DST untyped: their length is checked against the
	 * header's prefix lengths (`ip rule add from all` sends an empty one) */
	[FRA_IIFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ - 1 },
	[FRA_OIFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ - 1 },
	[FRA_PRIORITY] = { .type = NLA_U32 },
	[FRA_FWMARK] = { .type = NLA_U32 },
	[FRA_FLOW] = { .type = NLA_U32 },
	[FRA_TUN_ID] = { .type = NLA_U64 },
	[FRA_FWMASK] = { .type = NLA_U32 },
	[FRA_TABLE] = { .type = NLA_U32 },
	[FRA_SUPPRESS_PREFIXLEN] = { .type = NLA_U32 },
	[FRA_SUPPRESS_IFGROUP] = { .type = NLA_U32 },
	[FRA_GOTO] = { .type = NLA_U32 },
	[FRA_L3MDEV] = { .type = NLA_U8 },
	[FRA_UID_RANGE] = { .type = NLA_UNSPEC, .minlen = sizeof(struct fib_rule_uid_range) },
	[FRA_PROTOCOL] = { .type = NLA_U8 },
	[FRA_IP_PROTO] = { .type = NLA_U8 },
	[FRA_SPORT_RANGE] = { .type = NLA_UNSPEC, .minlen = sizeof(struct fib_rule_port_range) },
	[FRA_DPORT_RANGE] = { .type = NLA_UNSPEC, .minlen = sizeof(struct fib_rule_port_range) },
};

struct rule_req {
	struct fib_rule_config cfg;
	bool excl;
};

/* fib_nl2rule: the header and attributes as a rule. */
static int rule_parse(struct rtnl_req *r, struct rule_req *rr, bool add)
{
	struct nlattr *tb[FRA_MAX + 1];
	const struct fib_rule_hdr *frh = NLMSG_DATA(r->nlh);
	struct fib_rule_config *c = &rr->cfg;
	int err;

	/* fib_nl_newrule/delrule's order: length, family, attributes */
	if (r->nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*frh))) {
		EXTACK_MSG(&r->ext, "Invalid msg length");
		return -EINVAL;
	}
	if (frh->family != AF_INET) {
		EXTACK_MSG(&r->ext, "Rule family not supported");
		return -EAFNOSUPPORT;
	}
	err = rtnl_parse(r, sizeof(*frh), tb, FRA_MAX, rule_policy);
	if (err) {
		/* the kernel replaces the policy's own text */
		EXTACK_MSG(&r->ext, "Error parsing msg");
		return err;
	}
	memset(rr, 0, sizeof(*rr));
	rr->excl = r->nlh->nlmsg_flags & NLM_F_EXCL;
	/* selectors nsemu has no flow field for: refused rather than kept
	 * as rules that would match differently than the kernel's */
	if (tb[FRA_TUN_ID] || tb[FRA_UID_RANGE] || tb[FRA_IP_PROTO] || tb[FRA_SPORT_RANGE] ||
	    tb[FRA_DPORT_RANGE] || tb[FRA_FLOW]) {
		EXTACK_MSG(&r->ext, "Rule selectors tun_id, uidrange, ipproto, sport, dport and "
				    "realms are not supported");
		return -EOPNOTSUPP;
	}
	/* fib_nl2rule: l3mdev is a flag, 1 or absent */
	if (tb[FRA_L3MDEV]) {
		c->l3mdev = nla_get_u8(tb[FRA_L3MDEV]);
		if (c->l3mdev != 1) {
			EXTACK_MSG(&r->ext, "Invalid l3mdev");
			return -EINVAL;
		}
	}
	if ((frh->src_len && (!tb[FRA_SRC] || frh->src_len > 32 || nla_len(tb[FRA_SRC]) != 4))) {
		EXTACK_MSG(&r->ext, "Invalid source address");
		return -EINVAL;
	}
	if ((frh->dst_len && (!tb[FRA_DST] || frh->dst_len > 32 || nla_len(tb[FRA_DST]) != 4))) {
		EXTACK_MSG(&r->ext, "Invalid dst address");
		return -EINVAL;
	}
	c->src_len = frh->src_len;
	c->dst_len = frh->dst_len;
	if (frh->src_len)
		memcpy(&c->src, nla_data(tb[FRA_SRC]), 4);
	if (frh->dst_len)
		memcpy(&c->dst, nla_data(tb[FRA_DST]), 4);
	c->tos = frh->tos;
	c->action = frh->action;
	c->flags = frh->flags & FIB_RULE_INVERT;
	c->table = tb[FRA_TABLE] ? nla_get_u32(tb[FRA_TABLE]) : frh->table;
	c->has_table = tb[FRA_TABLE] || frh->table;
	if (tb[FRA_PRIORITY]) {
		c->pref = nla_get_u32(tb[FRA_PRIORITY]);
		c->has_pref = true;
	}
	if (tb[FRA_PROTOCOL])
		c->proto = nla_get_u8(tb[FRA_PROTOCOL]);
	if (tb[FRA_IIFNAME])
		rtnl_nla_strlcpy(c->iifname, tb[FRA_IIFNAME], sizeof(c->iifname));
	if (tb[FRA_OIFNAME])
		rtnl_nla_strlcpy(c->oifname, tb[FRA_OIFNAME], sizeof(c->oifname));
	if (tb[FRA_FWMARK])
		c->mark = nla_get_u32(tb[FRA_FWMARK]);
	if (tb[FRA_FWMASK]) {
		c->mark_mask = nla_get_u32(tb[FRA_FWMASK]);
		c->has_mark_mask = true;
	}
	c->suppress_prefixlen =
		tb[FRA_SUPPRESS_PREFIXLEN] ? (int32_t)nla_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]) : -1;
	c->suppress_ifgroup =
		tb[FRA_SUPPRESS_IFGROUP] ? (int32_t)nla_get_u32(tb[FRA_SUPPRESS_IFGROUP]) : -1;
	if (tb[FRA_GOTO]) {
		c->target = nla_get_u32(tb[FRA_GOTO]);
		c->has_goto = true;
	}
	(void)add;
	return 0;
}

/* fib_nl_fill_rule + fib4_rule_fill. */
static void rule_fill(struct rtnl_req *r, const struct fib_rule_view *v, uint16_t type,
		      uint16_t flags)
{
	const struct fib_rule_config *c = &v->cfg;
	struct rtnl_out *o = r->out;
	struct fib_rule_hdr frh = {
		.family = AF_INET,
		.dst_len = c->dst_len,
		.src_len = c->src_len,
		.tos = c->tos,
		.table = c->table < 256 ? (uint8_t)c->table : RT_TABLE_COMPAT,
		.action = c->action,
		.flags = v->flags,
	};
	size_t off = rtnl_msg_start(r, type, flags, &frh, sizeof(frh));

	rtnl_put_u32(o, FRA_TABLE, c->table);
	rtnl_put_u32(o, FRA_SUPPRESS_PREFIXLEN, (uint32_t)c->suppress_prefixlen);
	if (c->iifname[0])
		rtnl_put_str(o, FRA_IIFNAME, c->iifname);
	if (c->oifname[0])
		rtnl_put_str(o, FRA_OIFNAME, c->oifname);
	if (c->pref)
		rtnl_put_u32(o, FRA_PRIORITY, c->pref);
	if (c->mark)
		rtnl_put_u32(o, FRA_FWMARK, c->mark);
	if (c->mark_mask || c->mark)
		rtnl_put_u32(o, FRA_FWMASK, c->mark_mask);
	if (c->target)
		rtnl_put_u32(o, FRA_GOTO, c->target);
	if (c->l3mdev)
		rtnl_put_u8(o, FRA_L3MDEV, c->l3mdev);
	if (c->suppress_ifgroup != -1)
		rtnl_put_u32(o, FRA_SUPPRESS_IFGROUP, (uint32_t)c->suppress_ifgroup);
	rtnl_put_u8(o, FRA_PROTOCOL, c->proto);
	if (c->dst_len)
		rtnl_put(o, FRA_DST, &c->dst, 4);
	if (c->src_len)
		rtnl_put(o, FRA_SRC, &c->src, 4);
	rtnl_msg_end(o, off);
}

/* notify_rule_change: the rule as a dump shows it, to RTNLGRP_IPV4_RULE. */
static void rule_notify(struct rtnl_req *r, const struct fib_rule_view *v, uint16_t type)
{
	size_t rec;

	if (!rtnl_notifying(r))
		return;
	rec = rtnl_notify_start(r, r->ns, RTNLGRP_IPV4_RULE);
	rule_fill(r, v, type, 0);
	rtnl_notify_end(r, rec);
}

static int rule_new_owner(struct rtnl_req *r)
{
	struct rule_req *rr = r->priv;
	struct fib_rule_view v;
	int err = fib_rule_add(r->ns, &rr->cfg, rr->excl, &v, &r->ext);

	if (!err)
		rule_notify(r, &v, RTM_NEWRULE);
	return err;
}

static int rule_del_owner(struct rtnl_req *r)
{
	struct rule_req *rr = r->priv;
	struct fib_rule_view v;
	int err = fib_rule_del(r->ns, &rr->cfg, &v, &r->ext);

	if (!err)
		rule_notify(r, &v, RTM_DELRULE);
	return err;
}

static int rtnl_newrule(struct rtnl_req *r)
{
	struct rule_req rr;
	int err = rule_parse(r, &rr, true);

	if (err)
		return err;
	r->priv = &rr;
	return rtnl_on_owner(r, rule_new_owner);
}

static int rtnl_delrule(struct rtnl_req *r)
{
	struct rule_req rr;
	int err = rule_parse(r, &rr, false);

	if (err)
		return err;
	r->priv = &rr;
	return rtnl_on_owner(r, rule_del_owner);
}

static int rule_dump_one(const struct fib_rule_view *v, void *arg)
{
	rule_fill(arg, v, RTM_NEWRULE, NLM_F_MULTI);
	return 0;
}

static int rule_dump_owner(struct rtnl_req *r)
{
	int err = fib_rules_walk(r->ns, rule_dump_one, r);

	return err < 0 ? err : RTNL_DUMPED;
}

/* fib_nl_dumprule: AF_UNSPEC and AF_INET dump the IPv4 rules; other
 * families have none here. */
static int rtnl_dumprule(struct rtnl_req *r)
{
	if (r->nlh->nlmsg_len >= NLMSG_LENGTH(1)) {
		uint8_t family = *(const uint8_t *)NLMSG_DATA(r->nlh);

		if (family != AF_UNSPEC && family != AF_INET)
			return RTNL_DUMPED;
	}
	return rtnl_on_owner(r, rule_dump_owner);
}

/* A GETRULE without NLM_F_DUMP: the kernel registers no doit. */
static int rtnl_getrule(struct rtnl_req *r)
{
	(void)r;
	return -EOPNOTSUPP;
}

void rtnl_rule_init(void)
{
	static const int fams[] = { AF_INET, AF_UNSPEC };

	for (unsigned i = 0; i < ARRAY_SIZE(fams); i++) {
		rtnl_register(fams[i], RTM_NEWRULE, rtnl_newrule, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_DELRULE, rtnl_delrule, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_GETRULE, rtnl_getrule, rtnl_dumprule,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
	}
}
