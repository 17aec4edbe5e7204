// SPDX-License-Identifier: MIT
/*
 * The peers of pair kinds (rtnl_link_ops.peer_type: veth). Two things the
 * rtnl core does for every such kind, so that none carries scheduler code:
 *
 * - Reading a request that makes a pair (rtnl_pair_req_read): its kind,
 *   names and the namespaces both ends go to, which is what the scheduler
 *   needs to place it (rtnl_sched.c).
 *
 * - Making peers ahead of a run. A run on worker W that makes many pairs
 *   toward namespaces of one other worker H (`ip -n nsI link add eth0 type
 *   veth peer name hI netns hub` for each namespace of W) would wait on H
 *   twice per pair: once to make the peer, once for the kind to finish its
 *   side there. The scheduler looks ahead instead: rtnl_peer_ahead_add
 *   takes each plain such request of the coming messages,
 *   rtnl_peer_ahead_run makes all their peers on H in one call, in message
 *   order (so each gets the ifindex and name it would have got), and each
 *   request then runs as usual: link_make takes its peer from here
 *   (rtnl_peer_make), and what the kind asks to run on H (rtnl_peer_call)
 *   waits for rtnl_peer_ahead_flush, one more call on H before the next
 *   message of the run, which also unregisters the peers no request took.
 *   Replies stay per message and in order. Only while nobody listens for
 *   notifications (a peer's RTM_NEWLINK would be built on H before the
 *   kind finished it). The state is the run's worker's: thread-local.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "netns/core/dev.h"
#include "rtnl_priv.h"

/* ---- reading a pair request ---- */

/* Only these attributes present in tb[0..max] (0: none). */
static bool peer_only(struct nlattr **tb, int max, int a, int b)
{
	for (int i = 1; i <= max; i++)
		if (tb[i] && i != a && i != b)
			return false;
	return true;
}

/*
 * One end's IFLA_* as the scheduler may take them: names, MTU, address,
 * txqlen, IFLA_NET_NS_PID (non-zero: 0 names the default namespace, which
 * the ordinary path handles), and @skip (the request's own IFLA_LINKINFO,
 * read apart). *bare: only the name (and with @ns_ok, the namespace).
 * Walks the attributes themselves, not a table of every type: a request
 * has two or three.
 */
static bool peer_end_read(const void *head, int len, int skip, char *name, uint32_t *ns_id,
			  bool ns_ok, bool *bare)
{
	const struct nlattr *a;
	int rem;

	*bare = true;
	nla_for_each_attr(a, head, len, rem) {
		switch (nla_type(a)) {
		case IFLA_IFNAME:
			if (nla_len(a) > IFNAMSIZ ||
			    nla_strlcpy(name, (struct nlattr *)a, IFNAMSIZ) >= IFNAMSIZ)
				return false;
			break;
		case IFLA_MTU:
		case IFLA_TXQLEN:
			if (nla_len(a) < (int)sizeof(uint32_t))
				return false;
			*bare = false;
			break;
		case IFLA_ADDRESS:
			*bare = false;
			break;
		case IFLA_NET_NS_PID:
			if (nla_len(a) < (int)sizeof(uint32_t) ||
			    !(*ns_id = nla_get_u32((struct nlattr *)a)))
				return false;
			*bare &= ns_ok;
			break;
		default:
			if (nla_type(a) != skip)
				return false;
		}
	}
	return true;
}

#define PEER_DATA_MAX 32 /* IFLA_INFO_DATA types a pair kind may have */

bool rtnl_pair_req_read(const struct nlmsghdr *nlh, struct rtnl_pair_req *pr)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *data[PEER_DATA_MAX + 1];
	struct nlattr *ptb[IFLA_MAX + 1], *peer = NULL;
	const struct ifinfomsg *ifm = NLMSG_DATA(nlh);
	int hdr = NLMSG_ALIGN(sizeof(struct ifinfomsg));
	char kind[32];
	bool bare_a, bare_b;

	memset(pr, 0, sizeof(*pr));
	if (nlh->nlmsg_type != RTM_NEWLINK || !(nlh->nlmsg_flags & NLM_F_CREATE) ||
	    nlh->nlmsg_len < NLMSG_LENGTH((unsigned)hdr) || ifm->ifi_index > 0)
		return false;
	if (nla_parse(tb, IFLA_MAX, (struct nlattr *)((char *)NLMSG_DATA(nlh) + hdr),
		      (int)(nlh->nlmsg_len - NLMSG_LENGTH((unsigned)hdr)), NULL) < 0 ||
	    !tb[IFLA_LINKINFO])
		return false;
	if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !peer_only(li, IFLA_INFO_MAX, IFLA_INFO_KIND, IFLA_INFO_DATA) || !li[IFLA_INFO_KIND] ||
	    nla_strlcpy(kind, li[IFLA_INFO_KIND], sizeof(kind)) >= sizeof(kind))
		return false;
	pr->ops = rtnl_link_ops_get(kind);
	if (!pr->ops || !pr->ops->peer_type || pr->ops->maxtype > PEER_DATA_MAX)
		return false;
	memset(data, 0, sizeof(data));
	memset(ptb, 0, sizeof(ptb));
	if (li[IFLA_INFO_DATA]) {
		if (nla_parse_nested(data, pr->ops->maxtype, li[IFLA_INFO_DATA], NULL) < 0 ||
		    !peer_only(data, pr->ops->maxtype, pr->ops->peer_type, pr->ops->peer_type))
			return false;
		peer = data[pr->ops->peer_type];
		if (peer && (nla_len(peer) < hdr ||
			     nla_parse(ptb, IFLA_MAX, (struct nlattr *)((char *)nla_data(peer) + hdr),
				       nla_len(peer) - hdr, NULL) < 0))
			return false;
		ifm = peer ? nla_data(peer) : NULL;
		if (ifm && (ifm->ifi_index || ifm->ifi_flags || ifm->ifi_change))
			return false;
	}
	if (!peer_end_read((char *)NLMSG_DATA(nlh) + hdr,
			   (int)(nlh->nlmsg_len - NLMSG_LENGTH((unsigned)hdr)), IFLA_LINKINFO,
			   pr->name, &pr->ns_id, false, &bare_a) ||
	    !peer_end_read(peer ? (char *)nla_data(peer) + hdr : NULL,
			   peer ? nla_len(peer) - hdr : 0, -1, pr->peer_name, &pr->peer_ns_id, true,
			   &bare_b))
		return false;
	if (pr->ops->validate && (pr->ops->validate(tb, data, NULL) || pr->ops->validate(ptb, NULL, NULL)))
		return false;
	ifm = NLMSG_DATA(nlh);
	pr->bare = bare_a && bare_b && pr->name[0] && pr->peer_name[0] && pr->peer_ns_id &&
		   ifm->ifi_family == AF_UNSPEC && !ifm->ifi_type && !ifm->ifi_flags &&
		   !ifm->ifi_change;
	return true;
}

/* ---- making a peer ---- */

struct peer_make {
	const struct rtnl_link_ops *ops;
	struct netns *ns;
	const char *name;
	struct nlattr **tb;
	struct extack *ext;
	struct netdev *dev; /* out: registered */
	int err;
};

/* rtnl_create_link + register_netdevice of a peer, on its owner. */
static void peer_make_owner(void *arg)
{
	struct peer_make *m = arg;
	struct netdev *dev = rtnl_create_link(m->ns, m->name, m->ops, m->tb, m->ext, &m->err);

	if (!dev)
		return;
	m->err = dev_register(dev, 0, m->ext);
	if (m->err) {
		dev_free(dev);
		return;
	}
	m->dev = dev;
}

static void peer_unregister_owner(void *arg)
{
	dev_unregister(arg);
}

/* ---- peers made ahead of a run ---- */

struct peer_ahead {
	struct netns *ns;		/* where the request's own device goes */
	char name[IFNAMSIZ], peer_name[IFNAMSIZ];
	struct peer_make m;		/* the peer, on the owner of m.ns */
	struct extack ext;		/* m's error message */
	bool taken;			/* a request has it */
	loop_call_fn fn;		/* its kind's rtnl_peer_call, at the flush */
	void *arg;
};

#define PEER_AHEAD_MAX 1024
static _Thread_local struct peer_ahead *ahead;
static _Thread_local unsigned ahead_n, ahead_next;

bool rtnl_peer_ahead_add(struct netns *cur, const struct nlmsghdr *nlh)
{
	struct rtnl_pair_req pr;
	struct netns *peer_ns;
	struct peer_ahead *pa;

	if (ahead_n == PEER_AHEAD_MAX || !cur || cur->owner != loop_current() ||
	    !rtnl_pair_req_read(nlh, &pr) || !pr.bare)
		return false;
	peer_ns = netns_lookup_id(pr.peer_ns_id);
	/* across workers, all toward one worker, one kind */
	if (!peer_ns || peer_ns->owner == cur->owner ||
	    (ahead_n && (peer_ns->owner != ahead[0].m.ns->owner || pr.ops != ahead[0].m.ops)))
		return false;
	/* The request's own device must not fail before its peer is made
	 * (link_make): a valid, fixed name, free in its namespace (this
	 * worker's) and not taken earlier in the batch. */
	if (!dev_valid_name(pr.name) || strchr(pr.name, '%') || dev_get_by_name(cur, pr.name))
		return false;
	for (unsigned i = 0; i < ahead_n; i++)
		if (ahead[i].ns == cur && !strcmp(ahead[i].name, pr.name))
			return false;
	/* freed by rtnl_peer_ahead_flush */
	if (!ahead && !(ahead = calloc(PEER_AHEAD_MAX, sizeof(*ahead))))
		return false;
	pa = &ahead[ahead_n++];
	memset(pa, 0, sizeof(*pa));
	pa->ns = cur;
	memcpy(pa->name, pr.name, IFNAMSIZ);
	memcpy(pa->peer_name, pr.peer_name, IFNAMSIZ);
	pa->m.ops = pr.ops;
	pa->m.ns = peer_ns;
	pa->m.name = pa->peer_name;
	pa->m.ext = &pa->ext;
	return true;
}

/* The look-ahead's arrays are the calling worker's (W); H reads them
 * through the pointer while W waits. */
struct peer_ahead_batch {
	struct peer_ahead *pa;
	unsigned n;
};

/* On H: the peers, in message order. */
static void peer_ahead_make_batch(void *arg)
{
	struct peer_ahead_batch *b = arg;

	for (unsigned i = 0; i < b->n; i++)
		peer_make_owner(&b->pa[i].m);
}

void rtnl_peer_ahead_run(void)
{
	struct peer_ahead_batch b = { .pa = ahead, .n = ahead_n };

	if (ahead_n)
		rtnl_call_ns(ahead[0].m.ns, peer_ahead_make_batch, &b);
}

/* On H: what the kinds left for their peers; the peers nobody took go. */
static void peer_ahead_flush_batch(void *arg)
{
	struct peer_ahead_batch *b = arg;

	for (unsigned i = 0; i < b->n; i++) {
		struct peer_ahead *pa = &b->pa[i];

		if (pa->taken && pa->fn)
			pa->fn(pa->arg);
		else if (!pa->taken && pa->m.dev)
			dev_unregister(pa->m.dev);
	}
}

void rtnl_peer_ahead_flush(void)
{
	struct peer_ahead_batch b = { .pa = ahead, .n = ahead_n };

	if (!ahead_n)
		return;
	rtnl_call_ns(ahead[0].m.ns, peer_ahead_flush_batch, &b);
	ahead_n = ahead_next = 0;
	free(ahead);
	ahead = NULL;
}

/* The next peer made ahead, if it is this request's. Anything else (a
 * request failed before its link_make): finish the batch, so no peer made
 * ahead stands in the way, and go on without. */
static struct peer_ahead *peer_ahead_take(const struct rtnl_link_ops *ops, struct netns *ns,
					  const char *name, struct netns *peer_ns,
					  const char *peer_name)
{
	struct peer_ahead *pa;

	if (ahead_next >= ahead_n)
		return NULL;
	pa = &ahead[ahead_next];
	if (pa->m.ops != ops || pa->ns != ns || pa->m.ns != peer_ns || strcmp(pa->name, name) ||
	    strcmp(pa->peer_name, peer_name)) {
		rtnl_peer_ahead_flush();
		return NULL;
	}
	ahead_next++;
	pa->taken = true;
	return pa;
}

/* The entry of the current batch that made @peer. */
static struct peer_ahead *peer_ahead_of(const struct netdev *peer)
{
	if (!peer || !ahead_next || ahead[ahead_next - 1].m.dev != peer)
		return NULL;
	return &ahead[ahead_next - 1];
}

/* ---- for link_make (rtnl_link.c) and the kinds ---- */

struct netdev *rtnl_peer_make(const struct rtnl_link_ops *ops, struct netns *ns,
			      const char *name, struct netns *peer_ns, const char *peer_name,
			      struct nlattr **peer_tb, struct extack *ext, int *errp)
{
	struct peer_make m = { .ops = ops, .ns = peer_ns, .name = peer_name, .tb = peer_tb,
			       .ext = ext };
	/* a request the look-ahead took has nothing in peer_tb to apply */
	struct peer_ahead *pa = peer_ahead_take(ops, ns, name, peer_ns, peer_name);

	if (pa) {
		if (pa->m.err) {
			pa->taken = false;
			if (pa->ext.msg && ext) {
				*ext = pa->ext;
				if (pa->ext.msg == pa->ext.buf)
					ext->msg = ext->buf;
			}
			*errp = pa->m.err;
			return NULL;
		}
		return pa->m.dev;
	}
	rtnl_call_ns(peer_ns, peer_make_owner, &m);
	*errp = m.err;
	return m.dev;
}

void rtnl_peer_unmake(struct netdev *peer)
{
	struct peer_ahead *pa = peer_ahead_of(peer);

	if (pa)
		pa->taken = false; /* the flush unregisters it */
	else
		rtnl_call_ns(peer->ns, peer_unregister_owner, peer);
}

void rtnl_peer_finish(struct netdev *peer, loop_call_fn fn, void *arg)
{
	struct peer_ahead *pa = peer_ahead_of(peer);

	if (pa && !pa->fn) {
		pa->fn = fn;
		pa->arg = arg;
		return;
	}
	rtnl_call_ns(peer->ns, fn, arg);
}
