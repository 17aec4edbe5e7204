/* SPDX-License-Identifier: MIT */
/*
 * Route decisions for packets (net/ipv4/route.c): ip_route_input decides
 * local / forward / broadcast / drop for a received datagram, with martian
 * checks and rp_filter (fib_validate_source); ip_route_output picks the
 * output device, next hop and source address for a locally built one.
 */
#ifndef NSEMU_NETNS_ROUTE_H
#define NSEMU_NETNS_ROUTE_H

#include <stdint.h>

#include <linux/in_route.h>

#include "fib.h"
#include "netns/core/netns.h"

/* rt_flags: the kernel's RTCF_* (RTCF_DOREDIRECT on input: forwarded out
 * of its input device; RTCF_REDIRECTED on output: the next hop comes from
 * a redirect), and nsemu's own low bits, never put in rtm_flags: the MTU
 * in use may not change */
#define RTCF_MTU_LOCKED 0x00000001u	  /* a learned PMTU below min_pmtu (rt_mtu_locked) */
#define RTCF_MTU_LOCKED_ROUTE 0x00000002u /* the route's `mtu lock` metric */

struct rtable {
	uint8_t type;	    /* RTN_LOCAL, RTN_UNICAST (forward/output), RTN_BROADCAST, ... */
	/* IPSKB_MULTIPATH: a path chosen by the flow's hash, so the
	 * decision is not the same for all datagrams of (saddr, daddr): no
	 * input hint, no shared run (ip_extract_route_hint) */
	bool multipath;
	/* input, multipath: the route's record when the input hint may keep
	 * it (ip_route_input reselects the path per datagram), else 0 */
	uint32_t mp_fi;
	struct netdev *dev; /* output device (input device's ns `lo` for local) */
	uint32_t nexthop;   /* gateway or the destination itself */
	uint32_t src;	    /* chosen source (output); spec_dst for local input, 0 when forwarding */
	uint32_t mtu;	    /* the MTU datagrams on this route must fit */
	uint32_t flags;	    /* RTCF_* */
	/* output routes, from the FIB and the exception cache (route_exception.h) */
	uint32_t gw;	    /* the route's gateway before any redirect, 0 on-link */
	uint32_t mtu_metric; /* the route's own MTU (RTAX_MTU), 0: none */
	uint32_t pmtu;	    /* a learned path MTU in force, 0: none */
	uint64_t expires;   /* loop time the exception applied expires, 0: none */
};

/*
 * Decide what to do with a received datagram. Borrows pkt (reads the IP
 * header at pkt_l3, pkt->dev). Returns 0 and fills *rt, or a negative
 * value and sets *reason to the drop reason; for forward routes failing
 * only because of the route type (unreachable, prohibit, no route),
 * *icmp_code tells which ICMP dest-unreach code to send (-1: none).
 * Checks, in the kernel's order: martian source/dest, local source
 * (accept_local), broadcast, fib lookup, forwarding on the input device,
 * rp_filter (strict 1, loose 2; max of all and dev).
 */
int ip_route_input(const struct pkt *p, struct rtable *rt, enum drop_reason *reason,
		   int *icmp_code);

/* Route a locally generated datagram to @daddr. @saddr 0 = choose one.
 * @oif 0 = any. 0, -ENETUNREACH, -EHOSTUNREACH (unreachable route),
 * -EACCES (prohibit), -EINVAL (blackhole: kernel returns -EINVAL). */
int ip_route_output(struct netns *ns, uint32_t daddr, uint32_t saddr, int oif, struct rtable *rt);
/* The same for a whole flow (ip_route_output_key): daddr, saddr, oif, and
 * the tos and mark that policy rules may select on. */
struct flowi4;
int ip_route_output_key(struct netns *ns, const struct flowi4 *fl, struct rtable *rt);

#endif
