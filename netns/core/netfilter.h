/* SPDX-License-Identifier: MIT */
/*
 * Netfilter hook points, as include/linux/netfilter.h: a hook function is
 * registered in one namespace at one of the five IPv4 hook points with a
 * priority (nf_register_net_hook), and the IP layer runs the hooks of a
 * point in priority order (nf_hook). A hook returns a verdict: NF_ACCEPT
 * (on to the next hook, then the rest of the path), NF_DROP (the packet is
 * dropped as DROP_NETFILTER_DROP) or NF_STOLEN (the hook took the packet).
 * With no hook at a point the cost is one test of ns->slow.
 */
#ifndef NSEMU_NETNS_NETFILTER_H
#define NSEMU_NETNS_NETFILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "netns.h"

enum nf_inet_hooks {
	NF_INET_PRE_ROUTING,	/* ip_rcv: after the header checks, before routing */
	NF_INET_LOCAL_IN,	/* ip_local_deliver: after reassembly */
	NF_INET_FORWARD,	/* ip_forward: after the TTL decrement */
	NF_INET_LOCAL_OUT,	/* ip_local_out: a complete locally built header */
	NF_INET_POST_ROUTING,	/* ip_output: before fragmentation */
	NF_INET_NUMHOOKS
};

#define NFPROTO_IPV4 2

/* Verdicts (the kernel's values). */
#define NF_DROP 0
#define NF_ACCEPT 1
#define NF_STOLEN 2

struct netdev;

struct nf_hook_state {
	uint8_t hook;		/* NF_INET_* */
	uint8_t pf;		/* NFPROTO_* */
	struct netdev *in;	/* input device, NULL on LOCAL_OUT and POST_ROUTING */
	struct netdev *out;	/* output device, NULL on PRE_ROUTING and LOCAL_IN */
	struct netns *net;
};

/* A hook: data at the IP header. NF_STOLEN means it consumed @p. */
typedef unsigned nf_hookfn(void *priv, struct pkt *p, const struct nf_hook_state *state);

/*
 * One registration, owned by the caller, who keeps it alive while it is
 * registered. An ops is registered in one namespace at a time (use one per
 * namespace); lower priority runs first, equal priorities in the order they
 * were registered.
 */
struct nf_hook_ops {
	nf_hookfn *hook;
	void *priv;
	uint8_t pf;		/* NFPROTO_IPV4 */
	uint8_t hooknum;	/* NF_INET_* */
	int priority;
	struct nf_hook_ops *next; /* netfilter.c: the namespace's list at hooknum */
};

/* Register / unregister @ops in @ns. 0, -EINVAL (bad pf, hooknum or no
 * hook), -EBUSY (already registered). Owner thread. */
int nf_register_net_hook(struct netns *ns, struct nf_hook_ops *ops);
void nf_unregister_net_hook(struct netns *ns, struct nf_hook_ops *ops);

/* Run the hooks of @hook in @ns on @p. True: accepted, the caller goes on;
 * false: @p was dropped or stolen. */
bool nf_hook_slow(struct netns *ns, unsigned hook, struct pkt *p, struct netdev *in,
		  struct netdev *out);

/* NF_HOOK for IPv4 without the continuation: true when the caller goes on
 * with @p. One branch when @ns has no hook at @hook. */
static inline bool nf_hook(unsigned hook, struct netns *ns, struct pkt *p, struct netdev *in,
			   struct netdev *out)
{
	if (likely(!(ns->slow & NS_SLOW_NF(hook))))
		return true;
	return nf_hook_slow(ns, hook, p, in, out);
}

#endif
