// SPDX-License-Identifier: MIT
/*
 * RTM_NEWNEXTHOP / DELNEXTHOP / GETNEXTHOP (net/ipv4/nexthop.c:
 * rtm_new_nexthop, rtm_to_nh_config, nh_check_attr_group,
 * rtm_del_nexthop, rtm_get_nexthop, rtm_dump_nexthop, nh_fill_info,
 * nexthop_notify). The objects are netns/ipv4/nexthop.c's; this file
 * checks a struct nhmsg and its NHA_* attributes under the kernel's
 * strict policies and answers with nexthops as the kernel fills them.
 * Every handler runs on the owner of the connection's namespace.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "netns/core/dev.h"
#include "netns/ipv4/nexthop.h"
#include "rtnl_priv.h"

/* rtm_nh_policy_new */
static const struct nla_policy nh_policy_new[NHA_MAX + 1] = {
	[NHA_ID] = { .type = NLA_U32 },
	[NHA_GROUP] = { .type = NLA_UNSPEC },
	[NHA_GROUP_TYPE] = { .type = NLA_U16 },
	[NHA_BLACKHOLE] = { .type = NLA_FLAG },
	[NHA_OIF] = { .type = NLA_U32 },
	[NHA_GATEWAY] = { .type = NLA_UNSPEC },
	[NHA_ENCAP_TYPE] = { .type = NLA_U16 },
	[NHA_ENCAP] = { .type = NLA_NESTED },
	[NHA_FDB] = { .type = NLA_FLAG },
	[NHA_RES_GROUP] = { .type = NLA_NESTED },
};

/* rtm_nh_policy_get (DEL and GET) and rtm_nh_policy_dump */
static const struct nla_policy nh_policy_get[NHA_MAX + 1] = {
	[NHA_ID] = { .type = NLA_U32 },
};
static const struct nla_policy nh_policy_dump[NHA_MAX + 1] = {
	[NHA_OIF] = { .type = NLA_U32 },
	[NHA_GROUPS] = { .type = NLA_FLAG },
	[NHA_MASTER] = { .type = NLA_U32 },
	[NHA_FDB] = { .type = NLA_FLAG },
};

/* Bits of the attribute types each policy has an entry for. */
#define NHA_BIT(t) (1u << (t))
#define NH_NEW_ATTRS                                                                           \
	(NHA_BIT(NHA_ID) | NHA_BIT(NHA_GROUP) | NHA_BIT(NHA_GROUP_TYPE) | NHA_BIT(NHA_BLACKHOLE) | \
	 NHA_BIT(NHA_OIF) | NHA_BIT(NHA_GATEWAY) | NHA_BIT(NHA_ENCAP_TYPE) |                     \
	 NHA_BIT(NHA_ENCAP) | NHA_BIT(NHA_FDB) | NHA_BIT(NHA_RES_GROUP))
#define NH_GET_ATTRS NHA_BIT(NHA_ID)
#define NH_DUMP_ATTRS \
	(NHA_BIT(NHA_OIF) | NHA_BIT(NHA_GROUPS) | NHA_BIT(NHA_MASTER) | NHA_BIT(NHA_FDB))

/*
 * nlmsg_parse with NL_VALIDATE_STRICT, as the nexthop handlers parse: a
 * type above the policy's last is "Unknown attribute type", one the
 * policy has no entry for "Unsupported attribute"; then the lengths.
 */
static int nh_parse(struct rtnl_req *r, struct nlattr **tb, int maxtype,
		    const struct nla_policy *policy, uint32_t allowed)
{
	const struct nlmsghdr *nlh = r->nlh;
	const struct nlattr *nla;
	int rem;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nhmsg))) {
		EXTACK_MSG(&r->ext, "Invalid header for nexthop message");
		return -EINVAL;
	}
	nla = (const struct nlattr *)((const char *)NLMSG_DATA(nlh) +
				      NLMSG_ALIGN(sizeof(struct nhmsg)));
	rem = (int)nlh->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct nhmsg)));
	for (; nla_ok(nla, rem); nla = nla_next(nla, &rem)) {
		int type = nla_type(nla);

		if (type > maxtype) {
			EXTACK_MSG(&r->ext, "Unknown attribute type");
			return -EINVAL;
		}
		if (!(allowed & NHA_BIT(type))) {
			EXTACK_MSG(&r->ext, "Unsupported attribute");
			return -EINVAL;
		}
	}
	return rtnl_parse(r, sizeof(struct nhmsg), tb, maxtype, policy);
}

/* ---- replies ---- */

/* nh_fill_info */
static void nh_fill(struct rtnl_req *r, const struct nexthop *nh, uint16_t type, uint16_t flags)
{
	struct rtnl_out *o = r->out;
	struct nhmsg nhm = {
		.nh_family = nh->ngrp ? AF_UNSPEC : AF_INET,
		.nh_scope = nh->scope,
		.nh_protocol = nh->protocol,
		.nh_flags = nh->flags,
	};
	size_t off = rtnl_msg_start(r, type, flags, &nhm, sizeof(nhm));

	rtnl_put_u32(o, NHA_ID, nh->id);
	if (nh->ngrp) {
		struct nexthop_grp *g = calloc(nh->ngrp, sizeof(*g));

		if (g) {
			for (uint16_t i = 0; i < nh->ngrp; i++)
				g[i] = (struct nexthop_grp){ .id = nh->grp[i].id,
							     .weight = (uint8_t)(nh->grp[i].weight - 1) };
			rtnl_put(o, NHA_GROUP, g, nh->ngrp * sizeof(*g));
			free(g);
		}
		rtnl_put_u16(o, NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_MPATH);
	} else if (nh->blackhole) {
		rtnl_put(o, NHA_BLACKHOLE, NULL, 0);
	} else {
		rtnl_put_u32(o, NHA_OIF, (uint32_t)nh->dev->ifindex);
		if (nh->gw)
			rtnl_put(o, NHA_GATEWAY, &nh->gw, 4);
	}
	rtnl_msg_end(o, off);
}

/* nexthop_notify: to RTNLGRP_NEXTHOP. */
static void nh_notify(struct rtnl_req *r, const struct nexthop *nh, uint16_t type)
{
	size_t rec;

	if (!rtnl_notifying(r) || !nh)
		return;
	rec = rtnl_notify_start(r, r->ns, RTNLGRP_NEXTHOP);
	nh_fill(r, nh, type, 0);
	rtnl_notify_end(r, rec);
}

/* ---- RTM_NEWNEXTHOP ---- */

struct nh_req {
	struct nh_config cfg;
	struct nh_grp_entry grp[256];
	uint32_t id;  /* GET, DEL */
	int dev_idx;  /* dump filters */
	bool groups;
};

/* rtm_to_nh_config and nh_check_attr_group's checks of the message. */
static int nh_to_config(struct rtnl_req *r, struct nh_req *q)
{
	struct nlattr *tb[NHA_MAX + 1];
	const struct nhmsg *nhm = NLMSG_DATA(r->nlh);
	struct nh_config *c = &q->cfg;
	int err = nh_parse(r, tb, NHA_RES_GROUP, nh_policy_new, NH_NEW_ATTRS);

	if (err)
		return err;
	memset(c, 0, sizeof(*c));
	if (nhm->resvd || nhm->nh_scope) {
		EXTACK_MSG(&r->ext, "Invalid values in ancillary header");
		return -EINVAL;
	}
	if (nhm->nh_flags & ~RTNH_F_ONLINK) {
		EXTACK_MSG(&r->ext, "Invalid nexthop flags in ancillary header");
		return -EINVAL;
	}
	if (nhm->nh_family != AF_INET && nhm->nh_family != AF_INET6 &&
	    !(nhm->nh_family == AF_UNSPEC && tb[NHA_GROUP])) {
		EXTACK_MSG(&r->ext, "Invalid address family");
		return -EINVAL;
	}
	c->flags = nhm->nh_flags;
	c->protocol = nhm->nh_protocol;
	c->nlflags = r->nlh->nlmsg_flags;
	if (tb[NHA_ID])
		c->id = nla_get_u32(tb[NHA_ID]);
	if (tb[NHA_FDB] || tb[NHA_ENCAP] || tb[NHA_RES_GROUP]) {
		EXTACK_MSG(&r->ext, "Nexthop fdb, encap and resilient groups are not supported");
		return -EOPNOTSUPP;
	}
	if (tb[NHA_GROUP]) {
		const struct nexthop_grp *g = nla_data(tb[NHA_GROUP]);
		int len = nla_len(tb[NHA_GROUP]);

		if (nhm->nh_family != AF_UNSPEC) {
			EXTACK_MSG(&r->ext, "Invalid family for group");
			return -EINVAL;
		}
		if (tb[NHA_GROUP_TYPE] && nla_get_u16(tb[NHA_GROUP_TYPE]) > NEXTHOP_GRP_TYPE_MAX) {
			EXTACK_MSG(&r->ext, "Invalid group type");
			return -EINVAL;
		}
		if (tb[NHA_GROUP_TYPE] && nla_get_u16(tb[NHA_GROUP_TYPE]) != NEXTHOP_GRP_TYPE_MPATH) {
			EXTACK_MSG(&r->ext, "Resilient nexthop groups are not supported");
			return -EOPNOTSUPP;
		}
		if (!len || len % (int)sizeof(*g) || len / (int)sizeof(*g) > 256) {
			EXTACK_MSG(&r->ext, "Invalid length for nexthop group attribute");
			return -EINVAL;
		}
		c->ngrp = (uint16_t)(len / (int)sizeof(*g));
		for (uint16_t i = 0; i < c->ngrp; i++) {
			if (g[i].resvd1 || g[i].resvd2) {
				EXTACK_MSG(&r->ext, "Reserved fields in nexthop_grp must be 0");
				return -EINVAL;
			}
			q->grp[i] = (struct nh_grp_entry){ g[i].id, (uint16_t)(g[i].weight + 1) };
		}
		/* no other attributes can be set in nexthop groups */
		for (int t = NHA_GROUP_TYPE + 1; t <= NHA_RES_GROUP; t++)
			if (tb[t]) {
				EXTACK_MSG(&r->ext, "No other attributes can be set in nexthop groups");
				return -EINVAL;
			}
		c->grp = q->grp;
		return 0;
	}
	if (nhm->nh_family == AF_INET6) {
		EXTACK_MSG(&r->ext, "IPv6 nexthops are not supported");
		return -EAFNOSUPPORT;
	}
	if (tb[NHA_BLACKHOLE]) {
		if (tb[NHA_GATEWAY] || tb[NHA_OIF]) {
			EXTACK_MSG(&r->ext, "Blackhole attribute can not be used with gateway, oif, "
					    "encap or fdb");
			return -EINVAL;
		}
		c->blackhole = true;
		return 0;
	}
	if (!tb[NHA_OIF]) {
		EXTACK_MSG(&r->ext, "Device attribute required for non-blackhole and non-fdb nexthops");
		return -EINVAL;
	}
	c->oif = (int)nla_get_u32(tb[NHA_OIF]);
	if (c->oif <= 0) {
		EXTACK_MSG(&r->ext, "Invalid device index");
		return -EINVAL;
	}
	if (tb[NHA_GATEWAY]) {
		if (nla_len(tb[NHA_GATEWAY]) != 4) {
			EXTACK_MSG(&r->ext, "Invalid gateway");
			return -EINVAL;
		}
		memcpy(&c->gw, nla_data(tb[NHA_GATEWAY]), 4);
	}
	return 0;
}

static int nh_new_owner(struct rtnl_req *r)
{
	struct nh_req *q = r->priv;
	uint32_t id;
	int err;

	/* the device's checks belong to the namespace: done here */
	if (!q->cfg.ngrp && !q->cfg.blackhole && !dev_get_by_index(r->ns, q->cfg.oif)) {
		EXTACK_MSG(&r->ext, "Invalid device index");
		return -EINVAL;
	}
	err = nexthop_add(r->ns, &q->cfg, &id, &r->ext);
	if (!err)
		nh_notify(r, nexthop_find(r->ns, id), RTM_NEWNEXTHOP);
	return err;
}

static int rtnl_newnexthop(struct rtnl_req *r)
{
	struct nh_req *q = malloc(sizeof(*q));
	int err;

	if (!q)
		return -ENOMEM;
	err = nh_to_config(r, q);
	if (!err) {
		r->priv = q;
		err = rtnl_on_owner(r, nh_new_owner);
	}
	free(q);
	return err;
}

/* ---- RTM_DELNEXTHOP, RTM_GETNEXTHOP ---- */

/* nh_valid_get_del_req */
static int nh_get_del_parse(struct rtnl_req *r, struct nh_req *q)
{
	struct nlattr *tb[NHA_MAX + 1];
	const struct nhmsg *nhm = NLMSG_DATA(r->nlh);
	int err = nh_parse(r, tb, NHA_ID, nh_policy_get, NH_GET_ATTRS);

	if (err)
		return err;
	if (nhm->nh_protocol || nhm->resvd || nhm->nh_scope || nhm->nh_flags) {
		EXTACK_MSG(&r->ext, "Invalid values in header");
		return -EINVAL;
	}
	if (!tb[NHA_ID]) {
		EXTACK_MSG(&r->ext, "Nexthop id is missing");
		return -EINVAL;
	}
	q->id = nla_get_u32(tb[NHA_ID]);
	if (!q->id) {
		EXTACK_MSG(&r->ext, "Invalid nexthop id");
		return -EINVAL;
	}
	return 0;
}

/* remove_nexthop and remove_nh_grp_entry: the nexthop as it was, then
 * the groups it left (RTM_DELNEXTHOP for an emptied one) */
static void nh_del_notify(const struct nexthop *nh, bool deleted, void *arg)
{
	nh_notify(arg, nh, deleted ? RTM_DELNEXTHOP : RTM_NEWNEXTHOP);
}

static int nh_del_owner(struct rtnl_req *r)
{
	struct nh_req *q = r->priv;

	return nexthop_del(r->ns, q->id, nh_del_notify, r);
}

static int nh_get_owner(struct rtnl_req *r)
{
	struct nh_req *q = r->priv;
	const struct nexthop *nh = nexthop_find(r->ns, q->id);

	if (!nh)
		return -ENOENT;
	nh_fill(r, nh, RTM_NEWNEXTHOP, 0);
	return 0;
}

static int rtnl_delnexthop(struct rtnl_req *r)
{
	struct nh_req q;
	int err = nh_get_del_parse(r, &q);

	if (err)
		return err;
	r->priv = &q;
	return rtnl_on_owner(r, nh_del_owner);
}

static int rtnl_getnexthop(struct rtnl_req *r)
{
	struct nh_req q;
	int err = nh_get_del_parse(r, &q);

	if (err)
		return err;
	r->priv = &q;
	return rtnl_on_owner(r, nh_get_owner);
}

/* ---- dump ---- */

static int nh_dump_one(const struct nexthop *nh, void *arg)
{
	struct rtnl_req *r = arg;
	const struct nh_req *q = r->priv;

	/* nh_dump_filtered: a device filter passes single nexthops through
	 * it only, the groups filter groups only */
	if (q->dev_idx && (!nh->dev || nh->dev->ifindex != q->dev_idx))
		return 0;
	if (q->groups && !nh->ngrp)
		return 0;
	nh_fill(r, nh, RTM_NEWNEXTHOP, NLM_F_MULTI);
	return 0;
}

static int nh_dump_owner(struct rtnl_req *r)
{
	nexthop_walk(r->ns, nh_dump_one, r);
	return RTNL_DUMPED;
}

/* nh_valid_dump_req */
static int rtnl_dumpnexthop(struct rtnl_req *r)
{
	struct nlattr *tb[NHA_MAX + 1];
	const struct nhmsg *nhm = NLMSG_DATA(r->nlh);
	struct nh_req q = { 0 };
	int err = nh_parse(r, tb, NHA_FDB, nh_policy_dump, NH_DUMP_ATTRS);

	if (err)
		return err;
	if (nhm->nh_protocol || nhm->resvd || nhm->nh_scope || nhm->nh_flags) {
		EXTACK_MSG(&r->ext, "Invalid values in header for nexthop dump request");
		return -EINVAL;
	}
	if (tb[NHA_OIF]) {
		uint32_t idx = nla_get_u32(tb[NHA_OIF]);

		if (idx > INT_MAX) {
			EXTACK_MSG(&r->ext, "Invalid device index");
			return -EINVAL;
		}
		q.dev_idx = (int)idx;
	}
	if (tb[NHA_MASTER] || tb[NHA_FDB])
		return RTNL_DUMPED; /* no VRF masters and no fdb nexthops here */
	q.groups = tb[NHA_GROUPS] != NULL;
	/* a family other than unspec/inet has no nexthops here */
	if (nhm->nh_family != AF_UNSPEC && nhm->nh_family != AF_INET)
		return RTNL_DUMPED;
	r->priv = &q;
	return rtnl_on_owner(r, nh_dump_owner);
}

void rtnl_nexthop_init(void)
{
	static const int fams[] = { AF_UNSPEC, AF_INET };

	for (unsigned i = 0; i < ARRAY_SIZE(fams); i++) {
		rtnl_register(fams[i], RTM_NEWNEXTHOP, rtnl_newnexthop, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_DELNEXTHOP, rtnl_delnexthop, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_GETNEXTHOP, rtnl_getnexthop, rtnl_dumpnexthop,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
	}
}
