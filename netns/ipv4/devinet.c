// SPDX-License-Identifier: MIT
/*
 * IPv4 addresses of devices (net/ipv4/devinet.c) and the routes they imply
 * (fib_add_ifaddr / fib_del_ifaddr of net/ipv4/fib_frontend.c). The first
 * address of a subnet on a device is primary, later ones are secondary;
 * deleting a primary deletes the secondaries of its subnet (Linux's
 * default, promote_secondaries=0). An address yields a `local` route in
 * table local at once, and, while the device is up, the connected route in
 * main and the subnet broadcast route in local. Source address selection
 * (inet_select_addr) lives here too. Owner thread only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h> /* IFA_F_* */

#include "netns/core/dev.h"
#include "arp.h"
#include "fib.h"
#include "netns/core/neigh.h"
#include "netns/proto/ip.h"

/* One route an address implies, as fib_magic builds it. */
struct ifa_route {
	uint32_t table;
	uint32_t dst;
	uint8_t dst_len;
	uint8_t type;
	uint8_t scope;
	uint32_t prefsrc;
};

/* inet_ifa_match: is @addr in the subnet of @ifa? */
static bool inet_ifa_match(uint32_t addr, const struct in_ifaddr *ifa)
{
	return !((addr ^ ifa->address) & ifa->mask);
}

/* inet_ifa_byprefix: the (primary) address of @dev owning prefix/mask. */
static struct in_ifaddr *inet_ifa_byprefix(const struct netdev *dev, uint32_t prefix,
					   uint32_t mask)
{
	for (struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next)
		if (ifa->mask == mask && inet_ifa_match(prefix, ifa))
			return ifa;
	return NULL;
}

/*
 * The routes fib_add_ifaddr adds for @ifa: the local /32 always (it
 * stays while the device is down); the explicit broadcast, the prefix
 * route and the subnet broadcast only when @up. Secondaries use their
 * primary's address as preferred source and add no prefix route. Returns
 * the count written to @out.
 */
static unsigned ifa_routes(const struct in_ifaddr *ifa, bool up, struct ifa_route out[4])
{
	const struct netdev *dev = ifa->dev;
	const struct in_ifaddr *prim = ifa;
	uint32_t prefix = ifa->address & ifa->mask;
	/* fib_magic: a port of a VRF puts every route in the VRF's table */
	uint32_t vrf = l3mdev_fib_table(dev);
	uint32_t local = vrf ? vrf : RT_TABLE_LOCAL, main = vrf ? vrf : RT_TABLE_MAIN;
	unsigned n = 0;

	if (ifa->flags & IFA_F_SECONDARY) {
		prim = inet_ifa_byprefix(dev, prefix, ifa->mask);
		if (!prim)
			return 0;
	}
	out[n++] = (struct ifa_route){ local, ifa->local, 32, RTN_LOCAL, RT_SCOPE_HOST,
				       prim->local };
	if (!up)
		return n;
	/* an explicitly assigned broadcast address */
	if (ifa->broadcast && ifa->broadcast != htonl(INADDR_BROADCAST))
		out[n++] = (struct ifa_route){ local, ifa->broadcast, 32, RTN_BROADCAST,
					       RT_SCOPE_LINK, prim->local };
	if (!ipv4_is_zeronet(prefix) && !(ifa->flags & IFA_F_SECONDARY) &&
	    (prefix != ifa->local || ifa->prefixlen < 32)) {
		/* on loopback the whole prefix is local (127.0.0.0/8) */
		if (dev->flags & IFF_LOOPBACK)
			out[n++] = (struct ifa_route){ local, prefix, ifa->prefixlen,
						       RTN_LOCAL, RT_SCOPE_HOST, prim->local };
		else
			out[n++] = (struct ifa_route){ main, prefix, ifa->prefixlen,
						       RTN_UNICAST, RT_SCOPE_LINK, prim->local };
		/* Linux >= 5.x adds only the subnet broadcast, not the
		 * network address as a broadcast any more */
		if (ifa->prefixlen < 31)
			out[n++] = (struct ifa_route){ local, prefix | ~ifa->mask, 32,
						       RTN_BROADCAST, RT_SCOPE_LINK, prim->local };
	}
	return n;
}

static void ifa_route_cfg(const struct in_ifaddr *ifa, const struct ifa_route *r,
			  struct fib_config *cfg)
{
	*cfg = (struct fib_config){
		.table = r->table,
		.dst = r->dst,
		.dst_len = r->dst_len,
		.type = r->type,
		.scope = r->scope,
		.protocol = RTPROT_KERNEL,
		.oif = ifa->dev->ifindex,
		.prefsrc = r->prefsrc,
		.nlflags = NLM_F_CREATE | NLM_F_APPEND,
		.has_priority = true,
	};
}

void fib_add_ifaddr(struct in_ifaddr *ifa)
{
	struct ifa_route rt[4];
	unsigned n = ifa_routes(ifa, dev_is_up(ifa->dev), rt);

	for (unsigned i = 0; i < n; i++) {
		struct fib_config cfg;

		ifa_route_cfg(ifa, &rt[i], &cfg);
		/* fib_magic ignores errors: the route may already be there
		 * (re-added on NETDEV_UP, or shared with another address) */
		fib_route_add(ifa->dev->ns, &cfg, NULL);
	}
}

static bool ifa_route_eq(const struct ifa_route *a, const struct ifa_route *b)
{
	return a->table == b->table && a->dst == b->dst && a->dst_len == b->dst_len &&
	       a->type == b->type && a->prefsrc == b->prefsrc;
}

/*
 * fib_del_ifaddr: @ifa has just been unlinked from its device; @gone are
 * the routes it implied (computed while it was still listed). Delete each
 * one that no remaining address of the device still implies, then, if the
 * address is no longer anywhere in the namespace, the stray routes that
 * use it as preferred source (fib_sync_down_addr + fib_flush).
 */
static void fib_del_ifaddr(struct in_ifaddr *ifa, const struct ifa_route *gone, unsigned ngone)
{
	struct netdev *dev = ifa->dev;

	for (unsigned i = 0; i < ngone; i++) {
		bool needed = false;
		struct fib_config cfg;

		for (struct in_ifaddr *o = __in_dev_get(dev)->ifa_list; o && !needed; o = o->next) {
			struct ifa_route keep[4];
			unsigned nk = ifa_routes(o, true, keep);

			for (unsigned k = 0; k < nk && !needed; k++)
				needed = ifa_route_eq(&gone[i], &keep[k]);
		}
		if (needed)
			continue;
		ifa_route_cfg(ifa, &gone[i], &cfg);
		cfg.has_priority = false;
		fib_route_del(dev->ns, &cfg, NULL);
	}
	if (!inet_addr_local_dev(dev->ns, ifa->local))
		fib_flush_prefsrc(dev->ns, ifa->local);
}

/* Unlink @ifa, drop its routes and free it. */
static void inet_del_one(struct in_ifaddr *ifa)
{
	struct netdev *dev = ifa->dev;
	struct ifa_route gone[4];
	unsigned n = ifa_routes(ifa, true, gone);

	for (struct in_ifaddr **pp = &__in_dev_get(dev)->ifa_list; *pp; pp = &(*pp)->next) {
		if (*pp == ifa) {
			*pp = ifa->next;
			break;
		}
	}
	fib_addr_hash_del(ifa);
	fib_del_ifaddr(ifa, gone, n);
	dev->ns->dev_gen++;
	free(ifa);
}

/* __inet_del_ifa without promotion: a primary takes the secondaries of
 * its subnet with it. */
static void inet_del_ifa(struct in_ifaddr *ifa)
{
	struct netdev *dev = ifa->dev;

	if (!(ifa->flags & IFA_F_SECONDARY)) {
		struct in_ifaddr *s = __in_dev_get(dev)->ifa_list, *next;

		for (; s; s = next) {
			next = s->next;
			if ((s->flags & IFA_F_SECONDARY) && s->mask == ifa->mask &&
			    inet_ifa_match(s->address, ifa))
				inet_del_one(s);
		}
	}
	inet_del_one(ifa);
}

int inet_addr_add(struct netdev *dev, uint32_t local, uint8_t prefixlen, uint32_t broadcast,
		  uint8_t scope, const char *label, struct extack *ext)
{
	struct in_ifaddr *ifa, **last_primary = &__in_dev_get(dev)->ifa_list, **pp;
	uint32_t mask;
	bool secondary = false;

	NS_ASSERT_OWNER(dev->ns);
	if (__in_dev_get(dev)->dead)
		return -ENOBUFS; /* inet_rtm_newaddr: no in_device */
	if (prefixlen > 32) {
		EXTACK_MSG(ext, "Invalid prefix length");
		return -EINVAL;
	}
	if (!local) {
		EXTACK_MSG(ext, "Invalid local address");
		return -EINVAL;
	}
	mask = inet_make_mask(prefixlen);
	/* __inet_insert_ifa: duplicates, scope consistency within a subnet,
	 * primary or secondary, and where a primary goes (after the last
	 * primary of the same or wider scope) */
	for (ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next) {
		if (!(ifa->flags & IFA_F_SECONDARY) && scope <= ifa->scope)
			last_primary = &ifa->next;
		if (ifa->mask == mask && !((ifa->address ^ local) & mask)) {
			if (ifa->local == local)
				return -EEXIST;
			if (ifa->scope != scope) {
				EXTACK_MSG(ext, "ipv4: Invalid scope value");
				return -EINVAL;
			}
			secondary = true;
		}
	}
	ifa = calloc(1, sizeof(*ifa));
	if (!ifa)
		return -ENOMEM;
	ifa->dev = dev;
	ifa->local = local;
	ifa->address = local;
	ifa->broadcast = broadcast;
	ifa->mask = mask;
	ifa->prefixlen = prefixlen;
	ifa->scope = scope;
	ifa->flags = IFA_F_PERMANENT | (secondary ? IFA_F_SECONDARY : 0);
	snprintf(ifa->label, sizeof(ifa->label), "%s", label && *label ? label : dev->name);
	if (fib_addr_hash_add(ifa)) {
		free(ifa);
		return -ENOMEM;
	}
	if (secondary) {
		for (pp = &__in_dev_get(dev)->ifa_list; *pp; pp = &(*pp)->next)
			;
	} else {
		pp = last_primary;
	}
	ifa->next = *pp;
	*pp = ifa;
	dev->ns->dev_gen++;

	/* inetaddr_chain NETDEV_UP: fib_inetaddr_event. Nothing goes on the
	 * link: Linux announces addresses only on NETDEV_UP / NOTIFY_PEERS
	 * with arp_notify (arp_netdev_event), not when one is added. */
	fib_add_ifaddr(ifa);
	return 0;
}

int inet_addr_del(struct netdev *dev, uint32_t local, uint8_t prefixlen, struct extack *ext)
{
	NS_ASSERT_OWNER(dev->ns);
	for (struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next) {
		if (ifa->local == local && ifa->prefixlen == prefixlen) {
			inet_del_ifa(ifa);
			return 0;
		}
	}
	/* inet_rtm_deladdr: nothing matched */
	return -EADDRNOTAVAIL;
}

void inet_addr_flush(struct netdev *dev)
{
	struct in_device *in_dev = __in_dev_get(dev);

	NS_ASSERT_OWNER(dev->ns);
	/* a registration undone before the in_device was made */
	if (!in_dev)
		return;
	/* inetdev_destroy: delete from the head until none is left */
	while (in_dev->ifa_list)
		inet_del_ifa(in_dev->ifa_list);
}

struct netdev *inet_addr_local_dev(struct netns *ns, uint32_t addr)
{
	struct netdev *best = NULL;

	/* a hash of the namespace's addresses (inet_lookup_ifaddr_rcu), not a
	 * walk of every device: a hub with thousands of veths answers ARP and
	 * deletes addresses in constant time. The same address on several
	 * devices: the first in device-list (ifindex) order, as the walk gave. */
	for (const struct in_ifaddr *ifa = fib_addr_hash_find(ns, addr); ifa; ifa = ifa->hash_next)
		if (ifa->local == addr && (!best || ifa->dev->ifindex < best->ifindex))
			best = ifa->dev;
	return best;
}

/* in_dev_select_addr: a primary address of scope <= @scope, not link. */
static uint32_t in_dev_select_addr(const struct netdev *dev, int scope)
{
	for (const struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next) {
		if (ifa->flags & IFA_F_SECONDARY)
			continue;
		if (ifa->scope != RT_SCOPE_LINK && ifa->scope <= scope)
			return ifa->local;
	}
	return 0;
}

uint32_t inet_select_addr(const struct netdev *dev, uint32_t dst, int scope)
{
	int localnet_scope = RT_SCOPE_HOST;
	uint32_t addr = 0;

	/* with route_localnet, 127/8 addresses count as link scope */
	if (devconf_get(dev, DEVCONF_ROUTE_LOCALNET))
		localnet_scope = RT_SCOPE_LINK;
	for (const struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next) {
		if (ifa->flags & IFA_F_SECONDARY)
			continue;
		if (MIN(ifa->scope, localnet_scope) > scope)
			continue;
		if (!dst || inet_ifa_match(dst, ifa))
			return ifa->local;
		if (!addr)
			addr = ifa->local;
	}
	if (addr)
		return addr;
	/* any device's address of acceptable scope; lo comes first, as
	 * in the kernel's dev_base list */
	for (const struct netdev *d = dev->ns->dev_list; d; d = d->next) {
		addr = in_dev_select_addr(d, scope);
		if (addr)
			return addr;
	}
	return 0;
}

/* inetdev_init: the device's IPv4 state, devconf from conf.default now. */
static int inetdev_init(struct netdev *dev)
{
	struct in_device *in_dev = calloc(1, sizeof(*in_dev));

	if (!in_dev)
		return -ENOMEM;
	sysctl_dev_init(dev->ns, &in_dev->cnf);
	dev->ip_ptr = in_dev;
	return 0;
}

/* inetdev_valid_mtu: IPv4 needs 68 bytes (RFC 791's minimum). */
#define IPV4_MIN_MTU 68

/* inetdev_event's NETDEV_CHANGEMTU: below 68 IPv4 goes from the device as
 * inetdev_destroy takes it (addresses and their routes deleted); back at
 * 68 or more it returns as inetdev_init makes it, devconf from
 * conf.default again, without addresses (lo gets 127.0.0.1 at its next
 * up). */
static void inetdev_changemtu(struct netdev *dev)
{
	struct in_device *in_dev = __in_dev_get(dev);

	if (dev->mtu < IPV4_MIN_MTU && !in_dev->dead) {
		inet_addr_flush(dev);
		in_dev->dead = true;
	} else if (dev->mtu >= IPV4_MIN_MTU && in_dev->dead) {
		in_dev->dead = false;
		sysctl_dev_init(dev->ns, &in_dev->cnf);
	}
}

/*
 * inetdev_event: REGISTER gives the device its in_device; UNREGISTER
 * (inetdev_destroy) deletes its addresses and the routes they imply;
 * CHANGEMTU turns IPv4 off and on around 68 bytes. The in_device itself
 * goes in inetdev_release, last of the chain, because the handlers after
 * this one still read addresses and devconf.
 */
static int inetdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netdev *dev = ptr;

	switch (event) {
	case NETDEV_REGISTER:
		return notifier_from_errno(inetdev_init(dev));
	case NETDEV_CHANGEMTU:
		inetdev_changemtu(dev);
		break;
	case NETDEV_UNREGISTER:
		inet_addr_flush(dev);
		break;
	}
	return NOTIFY_DONE;
}

static int inetdev_release(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netdev *dev = ptr;

	if (event == NETDEV_UNREGISTER) {
		free(dev->ip_ptr);
		dev->ip_ptr = NULL;
	}
	return NOTIFY_DONE;
}

static struct notifier_block ip_netdev_notifier = {
	.notifier_call = inetdev_event,
};

static struct notifier_block ip_netdev_release_notifier = {
	.notifier_call = inetdev_release,
	.priority = -100,
};

void devinet_init(void)
{
	register_netdevice_notifier(&ip_netdev_notifier);
	register_netdevice_notifier(&ip_netdev_release_notifier);
}
