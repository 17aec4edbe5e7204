// SPDX-License-Identifier: MIT
/*
 * Next-hop exceptions, as net/ipv4/route.c keeps them (fib_nh_exception:
 * update_or_create_fnhe, find_exception, rt_bind_exception,
 * __ip_rt_update_pmtu) and the redirect sender's per-host backoff
 * (ip_rt_send_redirect's inet_peer state). The kernel hangs a hash of
 * FNHE_HASH_SIZE buckets off every next hop; nsemu's next-hop records are
 * shared by many routes and rebuilt as routes change, so the namespace
 * keeps one hash of the same size keyed by destination, and each
 * exception remembers the next hop (device and gateway) it was learned
 * through: a lookup through another next hop does not see it, as in the
 * kernel. A bucket holds at most FNHE_RECLAIM_DEPTH exceptions; a new one
 * past that replaces the bucket's oldest (fnhe_remove_oldest), which
 * bounds the table at FNHE_HASH_SIZE x FNHE_RECLAIM_DEPTH entries. Owner
 * thread only.
 */
#include "route_exception.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "core/timer.h"
#include "fib.h"
#include "icmp.h"
#include "ip.h"
#include "netns/core/dev.h"
#include "netns/core/neigh.h"
#include "netns/core/sysctl.h"

/* ip_rt_send_redirect's constants. Linux keeps redirect_number,
 * redirect_load and redirect_silence in init_net only (a namespace has no
 * net.ipv4.route.redirect_*), so every namespace uses the defaults:
 * 9 redirects, the first at once, the next after 20 ms << n, and 20.48 s
 * of silence resets the count. */
#define REDIRECT_NUMBER 9
#define REDIRECT_LOAD_NS (20 * NSEC_PER_MSEC)
#define REDIRECT_SILENCE_NS (REDIRECT_LOAD_NS << (REDIRECT_NUMBER + 1))
#define REDIRECT_PEERS 64

struct fnhe {
	struct fnhe *next;
	struct fnhe_view v;
	uint32_t genid;	/* ns->rt_genid when made (fnhe_genid); another one: stale */
	uint64_t stamp; /* last update (fnhe_stamp), for reclaim */
};

/* A host we redirected (the kernel's inet_peer rate_* fields). */
struct redirect_peer {
	uint32_t addr; /* 0: free */
	uint32_t n_redirects;
	uint64_t rate_last;
	uint64_t used; /* LRU stamp */
};

struct fnhe_table {
	struct fnhe *hash[FNHE_HASH_SIZE];
	unsigned n;
	uint64_t clock;
	struct redirect_peer peers[REDIRECT_PEERS];
};

static struct fnhe_table *fnhe_table_get(struct netns *ns)
{
	if (!ns->fnhe)
		ns->fnhe = calloc(1, sizeof(*ns->fnhe));
	return ns->fnhe;
}

/* fnhe_hashfun: the kernel mixes the address with a secret; a
 * multiplicative hash spreads a /24 as well. */
static unsigned fnhe_hashfun(uint32_t daddr)
{
	return (unsigned)((daddr * 2654435761u) >> (32 - FNHE_HASH_SHIFT));
}

static bool fnhe_same_nh(const struct fnhe *f, uint32_t daddr, int oif, uint32_t nh_gw)
{
	return f->v.daddr == daddr && f->v.oif == oif && f->v.nh_gw == nh_gw;
}

/* An exception lookups no longer use: made before the last flush, or past
 * its expiry (find_exception deletes those it meets). */
static bool fnhe_dead(const struct netns *ns, const struct fnhe *f, uint64_t now)
{
	return f->genid != ns->rt_genid || (f->v.expires && now >= f->v.expires);
}

static void fnhe_unlink(struct fnhe_table *t, struct fnhe **pp)
{
	struct fnhe *f = *pp;

	*pp = f->next;
	free(f);
	t->n--;
}

int fnhe_update(struct netns *ns, uint32_t daddr, int oif, uint32_t nh_gw, uint32_t gw,
		uint32_t pmtu, bool lock, uint64_t expires)
{
	struct fnhe_table *t = fnhe_table_get(ns);
	struct fnhe **pp, **oldest = NULL, *f;
	unsigned depth = 0;
	uint64_t now = loop_now();

	NS_ASSERT_OWNER(ns);
	if (!t)
		return -ENOMEM;
	for (pp = &t->hash[fnhe_hashfun(daddr)]; *pp; pp = &(*pp)->next) {
		f = *pp;
		if (fnhe_same_nh(f, daddr, oif, nh_gw)) {
			/* rt_bind_exception resets a stale one before use */
			if (fnhe_dead(ns, f, now)) {
				f->v.gw = 0;
				f->v.pmtu = 0;
				f->v.mtu_locked = false;
				f->genid = ns->rt_genid;
			}
			goto update;
		}
		if (!oldest || f->stamp < (*oldest)->stamp)
			oldest = pp;
		depth++;
	}
	/* fnhe_remove_oldest: the bucket is full */
	if (depth >= FNHE_RECLAIM_DEPTH)
		fnhe_unlink(t, oldest);
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->v.daddr = daddr;
	f->v.oif = oif;
	f->v.nh_gw = nh_gw;
	f->genid = ns->rt_genid;
	f->next = t->hash[fnhe_hashfun(daddr)];
	t->hash[fnhe_hashfun(daddr)] = f;
	t->n++;
update:
	if (gw)
		f->v.gw = gw;
	if (pmtu) {
		f->v.pmtu = pmtu;
		f->v.mtu_locked = lock;
	}
	f->v.expires = expires ? expires : 1;
	/* a strictly increasing stamp keeps "oldest" well defined under a
	 * clock that does not move (tests, one loop iteration) */
	f->stamp = ++t->clock;
	return 0;
}

bool fnhe_lookup(struct netns *ns, uint32_t daddr, int oif, uint32_t nh_gw,
		 struct fnhe_view *out)
{
	struct fnhe_table *t = ns->fnhe;
	struct fnhe **pp;
	uint64_t now;

	NS_ASSERT_OWNER(ns);
	if (!t || !t->n)
		return false;
	now = loop_now();
	for (pp = &t->hash[fnhe_hashfun(daddr)]; *pp; pp = &(*pp)->next) {
		struct fnhe *f = *pp;

		if (!fnhe_same_nh(f, daddr, oif, nh_gw))
			continue;
		if (fnhe_dead(ns, f, now)) {
			fnhe_unlink(t, pp);
			return false;
		}
		*out = f->v;
		return true;
	}
	return false;
}

void fnhe_bind(struct netns *ns, struct rtable *rt, uint32_t daddr, uint32_t nh_gw)
{
	struct fnhe_view v;

	if (!rt->dev || !fnhe_lookup(ns, daddr, rt->dev->ifindex, nh_gw, &v))
		return;
	rt->expires = v.expires;
	if (v.gw) {
		rt->nexthop = v.gw;
		rt->flags |= RTCF_REDIRECTED;
	}
	/* ipv4_mtu: a live learned MTU wins over the route's metric; a
	 * locked route metric is never replaced (__ip_rt_update_pmtu does not
	 * make one, but an exception may predate the lock) */
	if (v.pmtu && !(rt->flags & RTCF_MTU_LOCKED_ROUTE)) {
		rt->pmtu = v.pmtu;
		rt->mtu = v.pmtu;
		if (v.mtu_locked)
			rt->flags |= RTCF_MTU_LOCKED;
	}
}

int ip_rt_update_pmtu(struct netns *ns, uint32_t daddr, uint32_t saddr, uint32_t mtu)
{
	uint32_t min_pmtu = (uint32_t)ns->sysctl.ip_rt_min_pmtu;
	struct rtable rt;
	bool lock = false;
	uint64_t life;
	int err;

	NS_ASSERT_OWNER(ns);
	err = ip_route_output(ns, daddr, saddr, 0, &rt);
	if (err)
		return err;
	/* only unicast routes through a device carry exceptions */
	if (rt.type != RTN_UNICAST || !rt.dev)
		return -EINVAL;
	/* ip_mtu_locked: a locked route MTU or a locked exception */
	if (rt.flags & (RTCF_MTU_LOCKED | RTCF_MTU_LOCKED_ROUTE))
		return -EINVAL;
	/* a frag needed may only lower the MTU in use */
	if (rt.mtu < mtu)
		return -EINVAL;
	if (mtu < min_pmtu) {
		lock = true;
		mtu = rt.mtu < min_pmtu ? rt.mtu : min_pmtu;
	}
	/* a negative mtu_expires (Linux takes it) makes exceptions that are
	 * stale at once */
	life = ns->sysctl.ip_rt_mtu_expires > 0 ? (uint64_t)ns->sysctl.ip_rt_mtu_expires * NSEC_PER_SEC
						  : 0;
	/* the same value, refreshed at most once per half life */
	if (rt.pmtu == mtu && !lock && rt.expires > life / 2 && loop_now() < rt.expires - life / 2)
		return 0;
	return fnhe_update(ns, daddr, rt.dev->ifindex, rt.gw, 0, mtu, lock, loop_now() + life);
}

bool ip_rt_redirect_allow(struct netns *ns, uint32_t saddr)
{
	struct fnhe_table *t = fnhe_table_get(ns);
	struct redirect_peer *pe = NULL, *victim;
	uint64_t now = loop_now();
	unsigned i;

	NS_ASSERT_OWNER(ns);
	if (!t)
		return false;
	victim = &t->peers[0];
	for (i = 0; i < REDIRECT_PEERS; i++) {
		if (t->peers[i].addr == saddr) {
			pe = &t->peers[i];
			break;
		}
		if (t->peers[i].used < victim->used)
			victim = &t->peers[i];
	}
	if (!pe) {
		/* inet_getpeer: a new peer starts with no history */
		pe = victim;
		memset(pe, 0, sizeof(*pe));
		pe->addr = saddr;
	}
	pe->used = ++t->clock;
	/* no redirect wanted for redirect_silence: start again */
	if (now > pe->rate_last + REDIRECT_SILENCE_NS)
		pe->n_redirects = 0;
	/* the host ignored redirect_number of them: stay quiet, and the
	 * silence counts from this datagram */
	if (pe->n_redirects >= REDIRECT_NUMBER) {
		pe->rate_last = now;
		return false;
	}
	/* the load limit: the n-th redirect waits redirect_load << n */
	if (pe->n_redirects == 0 || now > pe->rate_last + (REDIRECT_LOAD_NS << pe->n_redirects)) {
		pe->rate_last = now;
		pe->n_redirects++;
		return true;
	}
	return false;
}

/* inet_addr_onlink: are @a and @b (0: any) in one subnet of @dev? */
bool inet_addr_onlink(const struct netdev *dev, uint32_t a, uint32_t b)
{
	for (const struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next) {
		if (((a ^ ifa->address) & ifa->mask) == 0 &&
		    (!b || ((b ^ ifa->address) & ifa->mask) == 0))
			return true;
	}
	return false;
}

void ip_rt_send_redirect(const struct pkt *p, const struct rtable *rt)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);

	if (!ip_rt_redirect_allow(p->ns, iph->saddr))
		return;
	/* rt_nexthop: the gateway, or the destination itself if on-link */
	icmp_send(p, ICMP_REDIRECT, ICMP_REDIR_HOST, ntohl(rt->nexthop));
}

/* ip_fib_check_default's answer: is @gw the gateway of a route through
 * @dev (any of the FIB's next hops on it)? */
struct gw_find {
	const struct netdev *dev;
	uint32_t gw;
};

static int gw_find_one(const struct fib_route *r, void *arg)
{
	const struct gw_find *g = arg;

	return r->dev == g->dev && r->cfg.gw == g->gw;
}

/* inet_addr_type: what the local table says @addr is (RTN_UNICAST if it
 * has no entry for it). */
static uint8_t inet_addr_type(struct netns *ns, uint32_t addr)
{
	struct fib_result res;

	if (ipv4_is_zeronet(addr) || ipv4_is_lbcast(addr))
		return RTN_BROADCAST;
	if (ipv4_is_multicast(addr))
		return RTN_MULTICAST;
	if (fib_table_lookup(ns, RT_TABLE_LOCAL, addr, &res) == 0)
		return res.type;
	return RTN_UNICAST;
}

int ip_do_redirect(struct netns *ns, struct netdev *dev, int code, uint32_t from,
		   uint32_t daddr, uint32_t saddr, uint32_t new_gw)
{
	struct neighbour *n;
	struct rtable rt;

	NS_ASSERT_OWNER(ns);
	switch (code & 7) {
	case ICMP_REDIR_NET:
	case ICMP_REDIR_HOST:
	case ICMP_REDIR_NETTOS:
	case ICMP_REDIR_HOSTTOS:
		break;
	default:
		return -EINVAL;
	}
	/* the route the datagram took: only its gateway may redirect it */
	if (ip_route_output(ns, daddr, saddr, 0, &rt) || rt.type != RTN_UNICAST || !rt.dev)
		return -EINVAL;
	if ((!rt.gw && !(rt.flags & RTCF_REDIRECTED)) || rt.nexthop != from)
		return -EINVAL;
	if (new_gw == from || !devconf_get(dev, DEVCONF_ACCEPT_REDIRECTS) ||
	    ipv4_is_multicast(new_gw) || ipv4_is_lbcast(new_gw) || ipv4_is_zeronet(new_gw))
		return -EINVAL;
	if (!devconf_get(dev, DEVCONF_SHARED_MEDIA)) {
		if (!inet_addr_onlink(dev, new_gw, from))
			return -EINVAL;
		if (devconf_get(dev, DEVCONF_SECURE_REDIRECTS) &&
		    !fib_walk(ns, gw_find_one, &(struct gw_find){ .dev = dev, .gw = new_gw }))
			return -EINVAL;
	} else if (inet_addr_type(ns, new_gw) != RTN_UNICAST) {
		return -EINVAL;
	}
	/* a gateway we cannot reach yet is only asked for (neigh_event_send);
	 * the sender's next redirect finds it valid */
	n = neigh_lookup(ns, rt.dev, new_gw);
	if (!n)
		n = neigh_create(NEIGH_ARP_TABLE, rt.dev, &new_gw);
	if (!n)
		return -ENOMEM;
	if (!(n->state & NUD_VALID)) {
		neigh_event_send_probe(n);
		return -EAGAIN;
	}
	return fnhe_update(ns, daddr, rt.dev->ifindex, rt.gw, new_gw, 0, false,
			   loop_now() + FNHE_REDIRECT_TIMEOUT_SEC * NSEC_PER_SEC);
}

void fnhe_flush(struct netns *ns)
{
	NS_ASSERT_OWNER(ns);
	ns->rt_genid++;
}

void fnhe_flush_dev(struct netns *ns, int ifindex)
{
	struct fnhe_table *t = ns->fnhe;

	NS_ASSERT_OWNER(ns);
	if (!t || !t->n)
		return;
	for (unsigned b = 0; b < FNHE_HASH_SIZE; b++) {
		struct fnhe **pp = &t->hash[b];

		while (*pp) {
			if ((*pp)->v.oif == ifindex)
				fnhe_unlink(t, pp);
			else
				pp = &(*pp)->next;
		}
	}
}

int fnhe_walk(struct netns *ns, fnhe_walk_fn fn, void *arg)
{
	struct fnhe_table *t = ns->fnhe;
	uint64_t now = loop_now();
	int ret;

	NS_ASSERT_OWNER(ns);
	if (!t || !t->n)
		return 0;
	for (unsigned b = 0; b < FNHE_HASH_SIZE; b++) {
		struct fnhe **pp = &t->hash[b];

		while (*pp) {
			if (fnhe_dead(ns, *pp, now)) {
				fnhe_unlink(t, pp);
				continue;
			}
			ret = fn(&(*pp)->v, arg);
			if (ret)
				return ret;
			pp = &(*pp)->next;
		}
	}
	return 0;
}

unsigned fnhe_count(const struct netns *ns)
{
	return ns->fnhe ? ns->fnhe->n : 0;
}

void fnhe_exit(struct netns *ns)
{
	struct fnhe_table *t = ns->fnhe;

	if (!t)
		return;
	for (unsigned b = 0; b < FNHE_HASH_SIZE; b++) {
		while (t->hash[b])
			fnhe_unlink(t, &t->hash[b]);
	}
	free(t);
	ns->fnhe = NULL;
}

/* fib_sync_mtu: a device's MTU changed; learned MTUs through it above
 * the new one come down to it (a locked one also loses its lock). */
static void fnhe_sync_mtu(struct netns *ns, const struct netdev *dev)
{
	struct fnhe_table *t = ns->fnhe;

	if (!t || !t->n)
		return;
	for (unsigned b = 0; b < FNHE_HASH_SIZE; b++) {
		for (struct fnhe *f = t->hash[b]; f; f = f->next) {
			if (f->v.oif != dev->ifindex || !f->v.pmtu)
				continue;
			if (f->v.mtu_locked) {
				if (dev->mtu <= f->v.pmtu) {
					f->v.pmtu = dev->mtu;
					f->v.mtu_locked = false;
				}
			} else if (dev->mtu < f->v.pmtu) {
				f->v.pmtu = dev->mtu;
			}
		}
	}
}

/* The routes through a device that goes down or away are deleted, and
 * with their next hops the exceptions learned through them
 * (fib_disable_ip -> free_fib_info -> fnhe flush). */
static int fnhe_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netdev *dev = ptr;

	(void)nb;
	switch (event) {
	case NETDEV_DOWN:
	case NETDEV_UNREGISTER:
		fnhe_flush_dev(dev->ns, dev->ifindex);
		break;
	case NETDEV_CHANGEMTU:
		fnhe_sync_mtu(dev->ns, dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block fnhe_netdev_notifier = {
	.notifier_call = fnhe_netdev_event,
};

static const struct pernet_operations fnhe_net_ops = {
	.name = "fnhe",
	.exit = fnhe_exit,
};

void fnhe_init(void)
{
	register_pernet_subsys(&fnhe_net_ops);
	register_netdevice_notifier(&fnhe_netdev_notifier);
}
