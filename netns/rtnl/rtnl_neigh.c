// SPDX-License-Identifier: MIT
/*
 * RTM_NEWNEIGH / DELNEIGH / GETNEIGH for the ARP table (net/core/
 * neighbour.c: neigh_add, neigh_delete, neigh_get, neigh_dump_info,
 * neigh_fill_info). `ip neigh flush` is a dump plus one DELNEIGH per entry,
 * as iproute2 does it, so it needs nothing here. Every handler runs on the
 * owner of the connection's namespace.
 */
#include <errno.h>
#include <string.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "core/timer.h"
#include "netns/core/dev.h"
#include "netns/core/neigh.h"
#include "rtnl_priv.h"

#define RTNL_MAX_ADDR_LEN 32

/* nda_policy */
static const struct nla_policy nda_policy[NDA_MAX + 1] = {
	[NDA_DST] = { .type = NLA_BINARY, .maxlen = RTNL_MAX_ADDR_LEN },
	[NDA_LLADDR] = { .type = NLA_BINARY, .maxlen = RTNL_MAX_ADDR_LEN },
	[NDA_CACHEINFO] = { .type = NLA_UNSPEC, .minlen = sizeof(struct nda_cacheinfo) },
	[NDA_PROBES] = { .type = NLA_U32 },
	[NDA_VLAN] = { .type = NLA_U16 },
	[NDA_PORT] = { .type = NLA_U16 },
	[NDA_VNI] = { .type = NLA_U32 },
	[NDA_IFINDEX] = { .type = NLA_U32 },
	[NDA_MASTER] = { .type = NLA_U32 },
	[NDA_PROTOCOL] = { .type = NLA_U8 },
	[NDA_NH_ID] = { .type = NLA_U32 },
};

struct neigh_req {
	const struct ndmsg *ndm;
	struct nlattr *tb[NDA_MAX + 1];
	struct netdev *dev;
	uint32_t dst;
};

/* Clock ticks (USER_HZ, 1/100 s) since @t, as jiffies_to_clock_t(now - t). */
static uint32_t neigh_ticks_ago(uint64_t now, uint64_t t)
{
	if (!t || t > now)
		return 0;
	return (uint32_t)((now - t) / (NSEC_PER_SEC / 100));
}

/* neigh_fill_info */
void rtnl_neigh_fill(struct rtnl_req *r, const struct neighbour *n, uint16_t type,
		     uint16_t flags)
{
	struct rtnl_out *o = r->out;
	struct ndmsg ndm = {
		.ndm_family = AF_INET,
		.ndm_ifindex = n->dev->ifindex,
		.ndm_state = n->state,
		.ndm_flags = n->flags,
		.ndm_type = RTN_UNICAST,
	};
	size_t off = rtnl_msg_start(r, type, flags, &ndm, sizeof(ndm));

	rtnl_put(o, NDA_DST, &n->key, 4);
	/* The hardware address only when it is known (NUD_VALID). */
	if (n->state & NUD_VALID)
		rtnl_put(o, NDA_LLADDR, n->ha, ETH_ALEN);
	uint64_t now = loop_now();
	struct nda_cacheinfo ci = {
		.ndm_confirmed = neigh_ticks_ago(now, n->confirmed),
		.ndm_used = neigh_ticks_ago(now, n->used),
		.ndm_updated = neigh_ticks_ago(now, n->updated),
		.ndm_refcnt = n->refcnt_dummy,
	};
	rtnl_put(o, NDA_CACHEINFO, &ci, sizeof(ci));
	rtnl_put_u32(o, NDA_PROBES, n->probes);
	rtnl_msg_end(o, off);
}

/* The common checks of neigh_add / neigh_delete / neigh_get, in the
 * kernel's order. Owner (device lookup). */
static int neigh_parse_owner(struct rtnl_req *r, struct neigh_req *nr)
{
	struct nlattr **tb = nr->tb;

	nr->dev = NULL;
	if (nr->ndm->ndm_ifindex) {
		nr->dev = dev_get_by_index(r->ns, nr->ndm->ndm_ifindex);
		if (!nr->dev)
			return -ENODEV;
		if (tb[NDA_LLADDR] && nla_len(tb[NDA_LLADDR]) < ETH_ALEN) {
			EXTACK_MSG(&r->ext, "Invalid link address");
			return -EINVAL;
		}
	}
	if (!tb[NDA_DST]) {
		EXTACK_MSG(&r->ext, "Network address not specified");
		return -EINVAL;
	}
	if (nr->ndm->ndm_family != AF_INET)
		return -EAFNOSUPPORT; /* neigh_find_table: only the ARP table */
	if (nla_len(tb[NDA_DST]) < 4) {
		EXTACK_MSG(&r->ext, "Invalid network address");
		return -EINVAL;
	}
	memcpy(&nr->dst, nla_data(tb[NDA_DST]), 4);
	if (nr->ndm->ndm_flags & NTF_PROXY) {
		EXTACK_MSG(&r->ext, "Proxy neighbour entries are not supported");
		return -EOPNOTSUPP;
	}
	if (!nr->dev) {
		EXTACK_MSG(&r->ext, "Device not specified");
		return -EINVAL;
	}
	return 0;
}

static int neigh_parse(struct rtnl_req *r, struct neigh_req *nr)
{
	int err = rtnl_parse(r, sizeof(struct ndmsg), nr->tb, NDA_MAX, nda_policy);
	if (err)
		return err;
	nr->ndm = NLMSG_DATA(r->nlh);
	return 0;
}

static int neigh_new_owner(struct rtnl_req *r)
{
	struct neigh_req *nr = r->priv;
	int err = neigh_parse_owner(r, nr);
	if (err)
		return err;
	/* `ip neigh add` sends NUD_PERMANENT; a bare request means the same */
	uint16_t state = nr->ndm->ndm_state ? nr->ndm->ndm_state : NUD_PERMANENT;
	const uint8_t *lladdr = nr->tb[NDA_LLADDR] ? nla_data(nr->tb[NDA_LLADDR]) : NULL;
	err = neigh_update_cfg(nr->dev, nr->dst, lladdr, state, r->nlh->nlmsg_flags, &r->ext);
	if (err)
		return err;
	struct neighbour *n = neigh_lookup(r->ns, nr->dev, nr->dst);
	if (n && (r->nlh->nlmsg_flags & NLM_F_ECHO))
		rtnl_neigh_fill(r, n, RTM_NEWNEIGH, 0);
	/* neigh_update -> neigh_update_notify: RTM_NEWNEIGH to RTNLGRP_NEIGH */
	if (n)
		rtnl_notify_neigh(r, n, RTM_NEWNEIGH);
	return 0;
}

int rtnl_newneigh(struct rtnl_req *r)
{
	struct neigh_req nr;
	int err = neigh_parse(r, &nr);
	if (err)
		return err;
	r->priv = &nr;
	err = rtnl_on_owner(r, neigh_new_owner);
	r->priv = NULL;
	return err;
}

static int neigh_del_owner(struct rtnl_req *r)
{
	struct neigh_req *nr = r->priv;
	int err = neigh_parse_owner(r, nr);
	if (err)
		return err;
	/* The entry as it was: neigh_cleanup_and_release notifies
	 * RTM_DELNEIGH with the last state. Built first, handed over only
	 * when the delete succeeded. */
	struct neighbour *n = neigh_lookup(r->ns, nr->dev, nr->dst);
	size_t mark = r->notify ? r->notify->len : 0;
	if (n)
		rtnl_notify_neigh(r, n, RTM_DELNEIGH);
	err = neigh_delete(nr->dev, nr->dst, &r->ext);
	if (err && r->notify)
		rtnl_msg_cancel(r->notify, mark);
	return err;
}

int rtnl_delneigh(struct rtnl_req *r)
{
	struct neigh_req nr;
	int err = neigh_parse(r, &nr);
	if (err)
		return err;
	r->priv = &nr;
	err = rtnl_on_owner(r, neigh_del_owner);
	r->priv = NULL;
	return err;
}

static int neigh_get_owner(struct rtnl_req *r)
{
	struct neigh_req *nr = r->priv;
	int err = neigh_parse_owner(r, nr);
	if (err)
		return err;
	struct neighbour *n = neigh_lookup(r->ns, nr->dev, nr->dst);
	if (!n) {
		EXTACK_MSG(&r->ext, "Neighbour entry not found");
		return -ENOENT;
	}
	rtnl_neigh_fill(r, n, RTM_NEWNEIGH, 0);
	return 0;
}

/* neigh_get: one entry by device and address (`ip neigh get`). */
int rtnl_getneigh(struct rtnl_req *r)
{
	struct neigh_req nr;
	int err = neigh_parse(r, &nr);
	if (err)
		return err;
	r->priv = &nr;
	err = rtnl_on_owner(r, neigh_get_owner);
	r->priv = NULL;
	return err;
}

struct neigh_dump {
	struct rtnl_req *r;
	int ifindex;
};

static int neigh_dump_one(const struct neighbour *n, void *arg)
{
	struct neigh_dump *d = arg;
	if (!d->ifindex || n->dev->ifindex == d->ifindex)
		rtnl_neigh_fill(d->r, n, RTM_NEWNEIGH, NLM_F_MULTI);
	return 0;
}

static int neigh_dump_owner(struct rtnl_req *r)
{
	struct neigh_dump d = { .r = r, .ifindex = *(int *)r->priv };
	neigh_walk(r->ns, neigh_dump_one, &d);
	return RTNL_DUMPED;
}

/* neigh_dump_info: AF_UNSPEC or AF_INET gets the ARP table, other families
 * an empty dump; ndm_ifindex filters as with strict checking. */
int rtnl_dumpneigh(struct rtnl_req *r)
{
	int ifindex = 0;
	if (r->nlh->nlmsg_len >= NLMSG_LENGTH(1)) {
		uint8_t family = *(const uint8_t *)NLMSG_DATA(r->nlh);
		if (family != AF_UNSPEC && family != AF_INET)
			return RTNL_DUMPED;
	}
	if (r->nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ndmsg))) {
		const struct ndmsg *ndm = NLMSG_DATA(r->nlh);
		ifindex = ndm->ndm_ifindex;
	}
	r->priv = &ifindex;
	return rtnl_on_owner(r, neigh_dump_owner);
}

/* As rtnl_addr_init: AF_INET, and AF_UNSPEC for the other families. */
void rtnl_neigh_init(void)
{
	static const int fams[] = { AF_INET, AF_UNSPEC };

	for (unsigned i = 0; i < ARRAY_SIZE(fams); i++) {
		rtnl_register(fams[i], RTM_NEWNEIGH, rtnl_newneigh, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_DELNEIGH, rtnl_delneigh, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_GETNEIGH, rtnl_getneigh, rtnl_dumpneigh,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
	}
}
