/* SPDX-License-Identifier: MIT */
/*
 * Next-hop exceptions (the kernel's fib_nh_exception, net/ipv4/route.c):
 * per destination, what ICMP taught a host about a route: a smaller path
 * MTU (frag needed, RFC 1191) or a better first hop (redirect, RFC 792).
 * An exception belongs to the next hop it was learned through (device and
 * gateway); it expires (mtu_expires for a PMTU, the 300 s gc timeout for a
 * redirect) and `ip route flush cache` makes every one stale. Owner
 * thread only.
 */
#ifndef NSEMU_NETNS_ROUTE_EXCEPTION_H
#define NSEMU_NETNS_ROUTE_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>

#include "netns/core/netns.h"
#include "route.h"

/* The kernel's per-next-hop hash (FNHE_HASH_SHIFT 11) and the chain
 * depth past which the oldest exception of a bucket makes room. */
#define FNHE_HASH_SHIFT 11
#define FNHE_HASH_SIZE (1u << FNHE_HASH_SHIFT)
#define FNHE_RECLAIM_DEPTH 5
/* ip_rt_gc_timeout (RT_GC_TIMEOUT): the life of a redirect exception. */
#define FNHE_REDIRECT_TIMEOUT_SEC 300

/* An exception as lookups and dumps see it. */
struct fnhe_view {
	uint32_t daddr;	  /* network order */
	int oif;	  /* the next hop it was learned through: device ... */
	uint32_t nh_gw;	  /* ... and the route's gateway (0: on-link) */
	uint32_t gw;	  /* redirected gateway, 0: none */
	uint32_t pmtu;	  /* learned path MTU, 0: none */
	bool mtu_locked;  /* below min_pmtu: no more updates, no DF (WANT) */
	uint64_t expires; /* loop time (ns) */
};

/*
 * rt_bind_exception: if @rt (a unicast output route to @daddr through the
 * next hop (@rt->dev, @nh_gw)) has a live exception, apply it: the
 * redirected gateway (RTCF_REDIRECTED), the path MTU (unless the route's
 * MTU is locked) and the expiry. Stale and expired exceptions are removed.
 */
void fnhe_bind(struct netns *ns, struct rtable *rt, uint32_t daddr, uint32_t nh_gw);

/*
 * ipv4_update_pmtu / __ip_rt_update_pmtu: a frag needed for a datagram we
 * sent from @saddr to @daddr says @mtu. Ignored if the route's MTU is
 * locked or the value is larger than the route's current MTU; below
 * net.ipv4.route.min_pmtu it becomes min_pmtu (or the route's MTU if
 * smaller), locked. Returns 0 if an exception was made or refreshed,
 * -EINVAL if ignored, or routing's error.
 */
int ip_rt_update_pmtu(struct netns *ns, uint32_t daddr, uint32_t saddr, uint32_t mtu);

/*
 * ip_rt_send_redirect's peer state check: may a router send a redirect to
 * @saddr now (redirect_number, redirect_load, redirect_silence with the
 * kernel's exponential backoff)? Counts the send when it says yes.
 */
bool ip_rt_redirect_allow(struct netns *ns, uint32_t saddr);

/*
 * ip_rt_send_redirect: tell the sender of @p (borrowed, forwarded along
 * @rt, which has RTCF_DOREDIRECT) to use @rt's next hop for its
 * destination: an ICMP host redirect, if ip_rt_redirect_allow lets it.
 */
void ip_rt_send_redirect(const struct pkt *p, const struct rtable *rt);

/*
 * ip_do_redirect: a redirect from @from (the ICMP's source) says the
 * datagram we sent to @daddr (from @saddr) should go to @new_gw; @dev is
 * the device it arrived on, @code its code. Accepted into the exception
 * cache as the kernel does: code net/host(/tos), the route's gateway is
 * @from, accept_redirects (IN_DEV_RX_REDIRECTS), a unicast @new_gw other
 * than @from; without shared_media the new gateway must be on-link and,
 * with secure_redirects, one of our default gateways; with shared_media
 * it must be a unicast address. A new gateway whose neighbour entry is not
 * yet valid is only probed (neigh_event_send); a later redirect installs
 * it. Returns 0 if installed, -EAGAIN if probed, -EINVAL if rejected.
 */
int ip_do_redirect(struct netns *ns, struct netdev *dev, int code, uint32_t from,
		   uint32_t daddr, uint32_t saddr, uint32_t new_gw);

/* inet_addr_onlink: are @a and @b (0: any) in one subnet of @dev? */
bool inet_addr_onlink(const struct netdev *dev, uint32_t a, uint32_t b);

/*
 * Raw access, for tests and ip_do_redirect: make or refresh the exception
 * of (@daddr, next hop @oif/@nh_gw) with @gw (0: keep) and @pmtu (0: keep),
 * expiring at @expires (loop time). Returns 0 or -ENOMEM.
 */
int fnhe_update(struct netns *ns, uint32_t daddr, int oif, uint32_t nh_gw, uint32_t gw,
		uint32_t pmtu, bool lock, uint64_t expires);
/* The live exception of (@daddr, @oif, @nh_gw): true and *out filled. */
bool fnhe_lookup(struct netns *ns, uint32_t daddr, int oif, uint32_t nh_gw,
		 struct fnhe_view *out);
/* rt_cache_flush: every exception becomes stale (the kernel bumps
 * fnhe_genid); they are freed as lookups and walks meet them. */
void fnhe_flush(struct netns *ns);
/* Exceptions through device @ifindex are gone (its routes were deleted:
 * the device went down or away; a netdevice notifier calls it). */
void fnhe_flush_dev(struct netns *ns, int ifindex);
/* Every live exception (fnhe_dump_bucket order is by bucket); @fn returns
 * non-zero to stop. */
typedef int (*fnhe_walk_fn)(const struct fnhe_view *e, void *arg);
int fnhe_walk(struct netns *ns, fnhe_walk_fn fn, void *arg);
/* Exceptions held, live or not yet reclaimed. */
unsigned fnhe_count(const struct netns *ns);

void fnhe_exit(struct netns *ns);
/* Start-up: register fnhe_exit per namespace (the table is made lazily)
 * and the device events (down/unregister flush, MTU change: fib_sync_mtu). */
void fnhe_init(void);

#endif
