// SPDX-License-Identifier: MIT
/*
 * Netfilter hook registration and traversal (net/netfilter/core.c): each
 * namespace keeps, per IPv4 hook point, a list of nf_hook_ops ordered by
 * priority, and sets the point's bit in ns->slow while the list is not
 * empty, so that the data path tests one word when nothing is attached.
 */
#include <errno.h>

#include "netfilter.h"

static_assert(NF_INET_NUMHOOKS == sizeof(((struct netns *)0)->nf_hooks_ipv4) /
					   sizeof(((struct netns *)0)->nf_hooks_ipv4[0]),
	      "one list per hook point");

static bool nf_ops_linked(struct netns *ns, const struct nf_hook_ops *ops)
{
	const struct nf_hook_ops *o;

	for (o = ns->nf_hooks_ipv4[ops->hooknum]; o; o = o->next)
		if (o == ops)
			return true;
	return false;
}

int nf_register_net_hook(struct netns *ns, struct nf_hook_ops *ops)
{
	struct nf_hook_ops **pp;

	NS_ASSERT_OWNER(ns);
	if (!ops->hook || ops->pf != NFPROTO_IPV4 || ops->hooknum >= NF_INET_NUMHOOKS)
		return -EINVAL;
	if (nf_ops_linked(ns, ops))
		return -EBUSY;
	pp = &ns->nf_hooks_ipv4[ops->hooknum];
	while (*pp && (*pp)->priority <= ops->priority)
		pp = &(*pp)->next;
	ops->next = *pp;
	*pp = ops;
	ns->slow |= NS_SLOW_NF(ops->hooknum);
	/* Batched receive reuses a routing decision while dev_gen holds:
	 * a new hook must be seen by the next packet of such a run. */
	ns->dev_gen++;
	return 0;
}

void nf_unregister_net_hook(struct netns *ns, struct nf_hook_ops *ops)
{
	struct nf_hook_ops **pp;

	NS_ASSERT_OWNER(ns);
	if (ops->hooknum >= NF_INET_NUMHOOKS)
		return;
	for (pp = &ns->nf_hooks_ipv4[ops->hooknum]; *pp; pp = &(*pp)->next) {
		if (*pp == ops) {
			*pp = ops->next;
			ops->next = NULL;
			break;
		}
	}
	if (!ns->nf_hooks_ipv4[ops->hooknum])
		ns->slow &= ~NS_SLOW_NF(ops->hooknum);
	ns->dev_gen++;
}

bool nf_hook_slow(struct netns *ns, unsigned hook, struct pkt *p, struct netdev *in,
		  struct netdev *out)
{
	struct nf_hook_state st = {
		.hook = (uint8_t)hook, .pf = NFPROTO_IPV4, .in = in, .out = out, .net = ns,
	};
	struct nf_hook_ops *o, *next;

	for (o = ns->nf_hooks_ipv4[hook]; o; o = next) {
		/* a hook may unregister itself */
		next = o->next;
		switch (o->hook(o->priv, p, &st)) {
		case NF_ACCEPT:
			continue;
		case NF_STOLEN:
			return false;
		default:
			/* NF_DROP, and any verdict nsemu does not implement */
			p->ns = ns;
			pkt_drop(p, DROP_NETFILTER_DROP);
			return false;
		}
	}
	return true;
}
