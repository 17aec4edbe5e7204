// SPDX-License-Identifier: MIT
/*
 * RTM_NEWADDR / DELADDR / GETADDR for IPv4 (net/ipv4/devinet.c:
 * inet_rtm_newaddr, inet_rtm_deladdr, inet_dump_ifaddr, inet_fill_ifaddr).
 * Adding an address also adds the routes Linux derives from it (devinet.c's
 * job, through inet_addr_add); this file only translates messages. Every
 * handler runs on the owner of the connection's namespace.
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netns/core/dev.h"
#include "netns/ipv4/fib.h"
#include "rtnl_priv.h"

/* ifa_ipv4_policy */
static const struct nla_policy ifa_policy[IFA_MAX + 1] = {
	[IFA_LOCAL] = { .type = NLA_U32 },
	[IFA_ADDRESS] = { .type = NLA_U32 },
	[IFA_BROADCAST] = { .type = NLA_U32 },
	[IFA_LABEL] = { .type = NLA_STRING, .maxlen = IFNAMSIZ - 1 },
	[IFA_CACHEINFO] = { .type = NLA_UNSPEC, .minlen = sizeof(struct ifa_cacheinfo) },
	[IFA_FLAGS] = { .type = NLA_U32 },
	[IFA_RT_PRIORITY] = { .type = NLA_U32 },
	[IFA_TARGET_NETNSID] = { .type = NLA_S32 },
};

struct addr_req {
	const struct ifaddrmsg *ifm;
	struct nlattr *tb[IFA_MAX + 1];
};

static uint32_t nla_get_in_addr(const struct nlattr *a)
{
	uint32_t v;
	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

/* inet_fill_ifaddr, attributes in the kernel's order. */
void rtnl_addr_fill(struct rtnl_req *r, const struct in_ifaddr *ifa, uint16_t type,
		    uint16_t flags)
{
	struct rtnl_out *o = r->out;
	/* nsemu addresses have no lifetimes: all are permanent, as ones
	 * added without valid_lft are on Linux */
	uint32_t ifa_flags = ifa->flags | IFA_F_PERMANENT;
	struct ifaddrmsg ifm = {
		.ifa_family = AF_INET,
		.ifa_prefixlen = ifa->prefixlen,
		.ifa_flags = (uint8_t)ifa_flags,
		.ifa_scope = ifa->scope,
		.ifa_index = (uint32_t)ifa->dev->ifindex,
	};
	size_t off = rtnl_msg_start(r, type, flags, &ifm, sizeof(ifm));

	if (ifa->address)
		rtnl_put(o, IFA_ADDRESS, &ifa->address, 4);
	if (ifa->local)
		rtnl_put(o, IFA_LOCAL, &ifa->local, 4);
	if (ifa->broadcast)
		rtnl_put(o, IFA_BROADCAST, &ifa->broadcast, 4);
	if (ifa->label[0])
		rtnl_put_str(o, IFA_LABEL, ifa->label);
	rtnl_put_u32(o, IFA_FLAGS, ifa_flags);
	/* INFINITY_LIFE_TIME: `ip` prints "valid_lft forever" */
	struct ifa_cacheinfo ci = { .ifa_prefered = 0xFFFFFFFFu, .ifa_valid = 0xFFFFFFFFu };
	rtnl_put(o, IFA_CACHEINFO, &ci, sizeof(ci));
	rtnl_msg_end(o, off);
}

static struct in_ifaddr *addr_find(struct netdev *dev, uint32_t local, uint8_t prefixlen)
{
	for (struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next)
		if (ifa->local == local && ifa->prefixlen == prefixlen)
			return ifa;
	return NULL;
}

static int addr_parse(struct rtnl_req *r, struct addr_req *ar)
{
	int err = rtnl_parse(r, sizeof(struct ifaddrmsg), ar->tb, IFA_MAX, ifa_policy);
	if (err)
		return err;
	ar->ifm = NLMSG_DATA(r->nlh);
	if (ar->ifm->ifa_family != AF_INET) {
		EXTACK_MSG(&r->ext, "Only IPv4 addresses are supported");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/* rtm_to_ifaddr + inet_rtm_newaddr. Owner. */
static int addr_new_owner(struct rtnl_req *r)
{
	struct addr_req *ar = r->priv;
	struct nlattr **tb = ar->tb;
	const struct ifaddrmsg *ifm = ar->ifm;
	char label[IFNAMSIZ];

	if (ifm->ifa_prefixlen > 32) {
		EXTACK_MSG(&r->ext, "Invalid prefix length");
		return -EINVAL;
	}
	if (!tb[IFA_LOCAL] && !tb[IFA_ADDRESS]) {
		EXTACK_MSG(&r->ext, "Local address is not supplied");
		return -EINVAL;
	}
	struct netdev *dev = dev_get_by_index(r->ns, (int)ifm->ifa_index);
	if (!dev)
		return -ENODEV;
	/* A missing IFA_LOCAL takes IFA_ADDRESS, as libnl-built requests
	 * sometimes carry only that. */
	uint32_t local = nla_get_in_addr(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS]);
	uint32_t bcast = tb[IFA_BROADCAST] ? nla_get_in_addr(tb[IFA_BROADCAST]) : 0;
	if (tb[IFA_LABEL])
		rtnl_nla_strlcpy(label, tb[IFA_LABEL], sizeof(label));
	else
		strcpy(label, dev->name);
	if (tb[IFA_CACHEINFO]) {
		struct ifa_cacheinfo ci;
		memcpy(&ci, nla_data(tb[IFA_CACHEINFO]), sizeof(ci));
		/* set_ifa_lifetime: a zero valid lifetime is invalid */
		if (!ci.ifa_valid || ci.ifa_prefered > ci.ifa_valid)
			return -EINVAL;
	}
	struct rtnl_route_snap before = { 0 }, after = { 0 };
	if (rtnl_notifying(r))
		rtnl_route_snap_dev(r->ns, dev, &before);
	int err = inet_addr_add(dev, local, ifm->ifa_prefixlen, bcast, ifm->ifa_scope, label,
				&r->ext);
	if (err == -EEXIST && !(r->nlh->nlmsg_flags & NLM_F_EXCL) &&
	    (r->nlh->nlmsg_flags & NLM_F_REPLACE)) {
		/* NLM_F_REPLACE on an existing address only refreshes
		 * lifetimes, which nsemu does not have */
		r->ext.msg = NULL;
		rtnl_route_snap_free(&before);
		return 0;
	}
	if (err) {
		rtnl_route_snap_free(&before);
		return err;
	}
	struct in_ifaddr *ifa = addr_find(dev, local, ifm->ifa_prefixlen);
	if (ifa && (r->nlh->nlmsg_flags & NLM_F_ECHO))
		rtnl_addr_fill(r, ifa, RTM_NEWADDR, 0);
	if (rtnl_notifying(r)) {
		/* __inet_insert_ifa: RTM_NEWADDR, then fib_add_ifaddr's
		 * local, own broadcast, prefix and subnet broadcast routes */
		if (ifa)
			rtnl_notify_addr(r, ifa, RTM_NEWADDR);
		rtnl_route_snap_dev(r->ns, dev, &after);
		rtnl_route_snap_notify(r, r->ns, &before, &after, 0);
	}
	return 0;
}

int rtnl_newaddr(struct rtnl_req *r)
{
	struct addr_req ar;
	int err = addr_parse(r, &ar);
	if (err)
		return err;
	r->priv = &ar;
	return rtnl_on_owner(r, addr_new_owner);
}

/* Delete @ifa; notify RTM_DELADDR, then the routes fib_del_ifaddr took
 * with it (__inet_del_ifa's order). Owner. */
static int addr_del_notify(struct rtnl_req *r, struct netdev *dev, struct in_ifaddr *ifa)
{
	struct rtnl_route_snap before = { 0 }, after = { 0 };
	size_t mark = r->notify ? r->notify->len : 0;
	uint32_t brd = ifa->broadcast; /* ifa is freed by the delete */

	if (rtnl_notifying(r)) {
		/* built before: the address is freed by the delete */
		rtnl_notify_addr(r, ifa, RTM_DELADDR);
		rtnl_route_snap_dev(r->ns, dev, &before);
	}
	int err = inet_addr_del(dev, ifa->local, ifa->prefixlen, &r->ext);
	if (!rtnl_notifying(r))
		return err;
	if (err) {
		rtnl_msg_cancel(r->notify, mark);
		rtnl_route_snap_free(&before);
		return err;
	}
	rtnl_route_snap_dev(r->ns, dev, &after);
	rtnl_route_snap_notify(r, r->ns, &before, &after, brd);
	return 0;
}

/* inet_rtm_deladdr: the first address matching every key given. Owner. */
static int addr_del_owner(struct rtnl_req *r)
{
	struct addr_req *ar = r->priv;
	struct nlattr **tb = ar->tb;
	char label[IFNAMSIZ] = "";

	struct netdev *dev = dev_get_by_index(r->ns, (int)ar->ifm->ifa_index);
	if (!dev)
		return -ENODEV;
	if (tb[IFA_LABEL])
		rtnl_nla_strlcpy(label, tb[IFA_LABEL], sizeof(label));
	for (struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next) {
		if (tb[IFA_LOCAL] && ifa->local != nla_get_in_addr(tb[IFA_LOCAL]))
			continue;
		if (tb[IFA_LABEL] && strcmp(ifa->label, label))
			continue;
		if (tb[IFA_ADDRESS]) {
			/* inet_ifa_match: prefix length and the subnet */
			uint32_t a = nla_get_in_addr(tb[IFA_ADDRESS]);
			if (ar->ifm->ifa_prefixlen != ifa->prefixlen ||
			    ((a ^ ifa->address) & ifa->mask))
				continue;
		}
		return addr_del_notify(r, dev, ifa);
	}
	EXTACK_MSG(&r->ext, "Cannot assign requested address");
	return -EADDRNOTAVAIL;
}

int rtnl_deladdr(struct rtnl_req *r)
{
	struct addr_req ar;
	int err = addr_parse(r, &ar);
	if (err)
		return err;
	r->priv = &ar;
	return rtnl_on_owner(r, addr_del_owner);
}

static int addr_dump_owner(struct rtnl_req *r)
{
	int ifindex = *(int *)r->priv;
	for (struct netdev *dev = r->ns->dev_list; dev; dev = dev->next) {
		if (ifindex && dev->ifindex != ifindex)
			continue;
		for (struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next)
			rtnl_addr_fill(r, ifa, RTM_NEWADDR, NLM_F_MULTI);
	}
	return RTNL_DUMPED;
}

/* inet_dump_ifaddr. AF_UNSPEC and AF_INET get the IPv4 addresses; other
 * families (`ip -6 addr`) an empty dump. ifa_index filters as with strict
 * checking. A request with only a struct rtgenmsg is accepted. */
int rtnl_dumpaddr(struct rtnl_req *r)
{
	int ifindex = 0;
	if (r->nlh->nlmsg_len < NLMSG_LENGTH(1))
		return RTNL_DUMPED;
	uint8_t family = *(const uint8_t *)NLMSG_DATA(r->nlh);
	if (family != AF_UNSPEC && family != AF_INET)
		return RTNL_DUMPED;
	if (r->nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifaddrmsg))) {
		const struct ifaddrmsg *ifm = NLMSG_DATA(r->nlh);
		ifindex = (int)ifm->ifa_index;
	}
	r->priv = &ifindex;
	return rtnl_on_owner(r, addr_dump_owner);
}

/* Registered for AF_INET and, for the other families' requests (which the
 * handlers answer as the kernel does), for AF_UNSPEC. */
void rtnl_addr_init(void)
{
	static const int fams[] = { AF_INET, AF_UNSPEC };

	for (unsigned i = 0; i < ARRAY_SIZE(fams); i++) {
		rtnl_register(fams[i], RTM_NEWADDR, rtnl_newaddr, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_DELADDR, rtnl_deladdr, NULL,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
		rtnl_register(fams[i], RTM_GETADDR, NULL, rtnl_dumpaddr,
			      RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN);
	}
}
