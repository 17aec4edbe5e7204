/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the rtnetlink handlers (rtnl.c, rtnl_link.c,
 * rtnl_addr.c, rtnl_route.c, rtnl_neigh.c, rtnl_netns.c): the request
 * context, the reply builder over struct rtnl_out, the request parser with
 * its policy rules, and the handler entry points the dispatcher calls.
 * Nothing outside netns/rtnl*.c includes it.
 */
#ifndef NSEMU_NETNS_RTNL_PRIV_H
#define NSEMU_NETNS_RTNL_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <netlink/attr.h>

#include "netns/ipv4/fib.h"
#include "rtnl.h"

/*
 * One request being handled. The dispatcher fills c, nlh, out and ns (the
 * connection's namespace, NULL if it was deleted); handlers fill ext.
 */
struct rtnl_req {
	struct rtnl_conn *c;
	const struct nlmsghdr *nlh; /* validated: nlmsg_len fits the datagram */
	struct rtnl_out *out;
	struct netns *ns;
	struct extack ext;
	void *priv; /* handler state carried into rtnl_on_owner() */
	/* Notifications collected for the sink (rtnl_notify.c); NULL when no
	 * sink is set. out_saved: r->out while one is being built. */
	struct rtnl_out *notify;
	struct rtnl_out *out_saved;
};

/* A handler returns 0 or -errno; RTNL_DUMPED tells the dispatcher that it
 * produced a multipart answer, to be ended by NLMSG_DONE without an ACK. */
#define RTNL_DUMPED 1
typedef int (*rtnl_handler_fn)(struct rtnl_req *r);

/* ---- handler registration (rtnl.c; net/core/rtnetlink.c's rtnl_register) ---- */

/* What the dispatcher and the scheduler need to know of a message type. */
enum {
	RTNL_FLAG_NEED_NS = 1 << 0,    /* needs the connection's namespace */
	RTNL_FLAG_ALWAYS_ACK = 1 << 1, /* ACK even without NLM_F_ACK (HELLO: the shim waits) */
	RTNL_FLAG_NEVER_ACK = 1 << 2,  /* no answer at all (BIND, SETSOCKOPT) */
	/* May run inside a run on the owner of the connection's namespace
	 * (any worker without NEED_NS): the handler reaches namespaces only
	 * through rtnl_on_owner and takes no lock. Not DELLINK, nor walks
	 * over every namespace. rtnl_sched.c adds its own rules for NEWNS
	 * (with a thread), DELNS (on the owner of its namespace) and creating
	 * NEWLINKs (of a kind whose newlink can). */
	RTNL_FLAG_RUN = 1 << 3,
};

struct rtnl_msgtype {
	uint16_t type;
	rtnl_handler_fn doit;
	rtnl_handler_fn dumpit; /* used when NLM_F_DUMP is set */
	unsigned flags;		/* RTNL_FLAG_* */
};

/* Address families the table has room for (AF_UNSPEC, AF_INET, AF_BRIDGE,
 * AF_INET6, ...). */
#define RTNL_NFAMILY 46 /* NPROTO / AF_MAX of Linux 6.1 */

/*
 * Handle @msgtype (an RTM_* type or nsemu's NSEMU_MSG_*) of @family with
 * doit, or dumpit when NLM_F_DUMP is set. A request of a family without a
 * handler of its own falls back to the AF_UNSPEC one; none: -EOPNOTSUPP.
 * Start-up only (each handler file's rtnl_*_init, from rtnl_init);
 * registering again replaces.
 */
void rtnl_register(int family, uint16_t msgtype, rtnl_handler_fn doit, rtnl_handler_fn dumpit,
		   unsigned flags);
void rtnl_unregister(int family, uint16_t msgtype);
/* The handler for a message of @family and @type, as the dispatcher picks
 * it, or NULL. Lock-free. */
const struct rtnl_msgtype *rtnl_find_type(uint8_t family, uint16_t type);
/* The family byte of the message at @msg (@len bytes, maybe unaligned). */
uint8_t rtnl_msg_family(const void *msg, uint32_t len);
/* Each handler file registers its message types. */
void rtnl_link_init(void);
void rtnl_addr_init(void);
void rtnl_route_init(void);
void rtnl_rule_init(void);
void rtnl_nexthop_init(void);
void rtnl_neigh_init(void);
void rtnl_netns_init(void);

/* ---- reply building (rtnl.c). Offsets, not pointers: the buffer grows. ---- */

/* Append an nlmsghdr stamped for @r (seq of the request, pid of the
 * connection) and @hdr (@hdrlen bytes, padded). Returns its offset. */
size_t rtnl_msg_start(struct rtnl_req *r, uint16_t type, uint16_t flags, const void *hdr,
		      size_t hdrlen);
/* Set nlmsg_len of the message started at @off. */
void rtnl_msg_end(struct rtnl_out *o, size_t off);
/* Forget everything appended since @off. */
void rtnl_msg_cancel(struct rtnl_out *o, size_t off);
/* rtnl_put*, rtnl_nest_*: rtnl.h (the link kinds' fill_info use them too). */
/* Flags of an object message: NLM_F_MULTI inside a dump, 0 for a doit. */
static inline uint16_t rtnl_obj_flags(bool dump)
{
	return dump ? NLM_F_MULTI : 0;
}

/* ---- request parsing (rtnl.c) ---- */

/*
 * Check that the request carries a family header of @hdrlen bytes, then
 * parse its attributes into tb[0..maxtype] under @policy. Policy rules (the
 * kernel's validate_nla, with libnl's struct nla_policy fields):
 *   NLA_U8/U16/U32/U64/S32: at least that many bytes, else -ERANGE;
 *   NLA_STRING: at least 1 byte; maxlen = most characters not counting a
 *     trailing NUL (the kernel's .len), else -ERANGE;
 *   NLA_NUL_STRING: a NUL within maxlen + 1 bytes, else -EINVAL;
 *   NLA_NESTED: empty or at least one attribute header, else -ERANGE;
 *   NLA_BINARY: at most maxlen bytes; NLA_UNSPEC: at least minlen bytes.
 * An attribute running past the message, or stray bytes after the last one,
 * is -EINVAL. Types above maxtype are ignored, as the kernel does.
 * Failures set the kernel's extack text.
 */
int rtnl_parse(struct rtnl_req *r, size_t hdrlen, struct nlattr **tb, int maxtype,
	       const struct nla_policy *policy);
/* The same for the attributes in [buf, buf + len) (a veth peer's, after
 * its ifinfomsg). */
int rtnl_parse_buf(struct rtnl_req *r, const void *buf, int len, struct nlattr **tb, int maxtype,
		   const struct nla_policy *policy);
/* The same for the payload of a nested attribute. */
int rtnl_parse_nested(struct rtnl_req *r, const struct nlattr *nla, struct nlattr **tb,
		      int maxtype, const struct nla_policy *policy);
/* Copy a string attribute (validated NLA_STRING) into @buf, NUL-terminated. */
void rtnl_nla_strlcpy(char *buf, const struct nlattr *nla, size_t size);

/* ---- dispatch (rtnl.c), used by the scheduler (rtnl_sched.c) ---- */

/* rtnetlink_rcv_msg + the ack part of netlink_rcv_skb for one message
 * (aligned, length checked): replies into @out, notifications into
 * @notify. Returns the request's error. */
int rtnl_rcv_msg(struct rtnl_conn *c, const struct nlmsghdr *nlh, struct rtnl_out *out,
		 struct rtnl_out *notify);
/* netlink_ack(): NLMSG_ERROR for @r with @err. */
void rtnl_ack(struct rtnl_req *r, int err);
/* Room for @n more bytes at the end of @o, not zeroed. */
void *rtnl_out_reserve_raw(struct rtnl_out *o, size_t n);
/* The notification sink (rtnl_set_notify), under the control lock. */
extern rtnl_notify_fn rtnl_notify_sink;
/* Set on a worker while it runs messages for the control thread (a run,
 * rtnl_sched.c): the control thread holds the lock and waits, so the
 * worker acts under it, and notifications wait for the control thread. */
extern _Thread_local bool rtnl_in_run;

/* ---- pair kinds' peers (rtnl_peer.c) ---- */

/* A creating RTM_NEWLINK of a pair kind, as the scheduler reads it. */
struct rtnl_pair_req {
	const struct rtnl_link_ops *ops;
	char name[IFNAMSIZ], peer_name[IFNAMSIZ]; /* "" when absent */
	uint32_t ns_id, peer_ns_id;		  /* IFLA_NET_NS_PID; 0 when absent */
	/* a zero ifinfomsg and nothing but both names and the peer's
	 * IFLA_NET_NS_PID: what the look-ahead takes */
	bool bare;
};
/*
 * Is @nlh (aligned, length checked) a creating RTM_NEWLINK of a pair kind
 * whose device and peer carry only names, MTU, address, txqlen and
 * non-zero IFLA_NET_NS_PIDs, and that the kind's validate accepts? Then
 * *pr says what it makes where. False for anything else: the ordinary
 * path handles it (and answers what is wrong with it). Any thread.
 */
bool rtnl_pair_req_read(const struct nlmsghdr *nlh, struct rtnl_pair_req *pr);
/*
 * The look-ahead of a run on this worker (rtnl_peer.c's comment): take
 * the coming request @nlh, made from namespace @cur (false: not taken,
 * stop looking); make the peers of what was taken in one call; finish
 * them before any other message runs.
 */
bool rtnl_peer_ahead_add(struct netns *cur, const struct nlmsghdr *nlh);
void rtnl_peer_ahead_run(void);
void rtnl_peer_ahead_flush(void);
/*
 * For link_make: the peer of a request that makes @name in @ns, made and
 * registered as @peer_name in @peer_ns with the attributes of @peer_tb
 * (or taken from the look-ahead); NULL with *errp and ext set.
 * rtnl_peer_unmake undoes it when the request fails later.
 */
struct netdev *rtnl_peer_make(const struct rtnl_link_ops *ops, struct netns *ns,
			      const char *name, struct netns *peer_ns, const char *peer_name,
			      struct nlattr **peer_tb, struct extack *ext, int *errp);
void rtnl_peer_unmake(struct netdev *peer);
/* The kind's rtnl_peer_call for @peer, from link_make's thread once
 * newlink returned: at the look-ahead's flush, or now. */
void rtnl_peer_finish(struct netdev *peer, loop_call_fn fn, void *arg);

/*
 * The namespace a private message names: NSEMU_A_NS (@name, a name of
 * @name_len bytes; "" is the default namespace) before NSEMU_A_NSID (@id,
 * @id_len bytes; 0 is the default namespace). Payloads may be unaligned;
 * NULL where the attribute is absent. *given is false when neither is
 * (and NULL is returned); otherwise NULL means no such namespace.
 */
struct netns *rtnl_nsemu_ns(const void *name, size_t name_len, const void *id, size_t id_len,
			    bool *given);

/* ---- running on owners (rtnl.c) ---- */

/* Run fn(r) on the owner of r->ns and wait; returns what fn returned.
 * Control thread. */
int rtnl_on_owner(struct rtnl_req *r, rtnl_handler_fn fn);
/* The namespace a connection is bound to (0: the default one), or NULL. */
struct netns *rtnl_conn_ns(const struct rtnl_conn *c);
struct netns *rtnl_default_ns(void);
/* The control lock, recursive: public entry points take it themselves. */
void rtnl_lock(void);
void rtnl_unlock(void);

/* ---- handlers (one file each) ---- */
int rtnl_newlink(struct rtnl_req *r);
int rtnl_dellink(struct rtnl_req *r);
int rtnl_getlink(struct rtnl_req *r);
int rtnl_dumplink(struct rtnl_req *r);

int rtnl_newaddr(struct rtnl_req *r);
int rtnl_deladdr(struct rtnl_req *r);
int rtnl_dumpaddr(struct rtnl_req *r);

int rtnl_newroute(struct rtnl_req *r);
int rtnl_delroute(struct rtnl_req *r);
int rtnl_getroute(struct rtnl_req *r);
int rtnl_dumproute(struct rtnl_req *r);

int rtnl_newneigh(struct rtnl_req *r);
int rtnl_delneigh(struct rtnl_req *r);
int rtnl_getneigh(struct rtnl_req *r);
int rtnl_dumpneigh(struct rtnl_req *r);

int rtnl_hello(struct rtnl_req *r);
int rtnl_newns(struct rtnl_req *r);
int rtnl_delns(struct rtnl_req *r);
int rtnl_getns(struct rtnl_req *r);
int rtnl_dumpns(struct rtnl_req *r);
int rtnl_sysctl_get(struct rtnl_req *r);
int rtnl_sysctl_set(struct rtnl_req *r);
int rtnl_sysctl_dump(struct rtnl_req *r);
int rtnl_getdrops(struct rtnl_req *r);
int rtnl_getmib(struct rtnl_req *r);
int rtnl_getthreads(struct rtnl_req *r);

/* ---- notifications (rtnl_notify.c); all on the owner of the object's ns ---- */

struct netdev;
struct in_ifaddr;
struct fib_route;
struct neighbour;

/* Fill functions shared with the notifications: one message each. */
void rtnl_link_fill(struct rtnl_req *r, const struct netdev *dev, uint16_t type, uint16_t flags,
		    uint32_t ext_mask);
void rtnl_addr_fill(struct rtnl_req *r, const struct in_ifaddr *ifa, uint16_t type,
		    uint16_t flags);
/* A path of a multipath route, by value. */
struct rtnl_route_nh {
	int ifindex;
	uint32_t gw;
	uint16_t weight;
	uint8_t flags;
};
/* A route from its parts (a snapshot may outlive its device). Snapshots
 * (rtnl_route_snap_dev) hold single-path routes only; a multipath route's
 * paths are in @nh (the holder frees it), NULL otherwise. */
struct rtnl_route_ent {
	struct fib_config cfg; /* zeroed padding: compared with memcmp */
	int ifindex;	       /* 0: no device */
	uint32_t rtflags;
	unsigned nhs;	       /* 0: a single-path route */
	struct rtnl_route_nh *nh;
};
void rtnl_route_fill(struct rtnl_req *r, const struct rtnl_route_ent *e, uint16_t type,
		     uint16_t flags);
void rtnl_route_ent_set(struct rtnl_route_ent *e, const struct fib_route *rt);
void rtnl_neigh_fill(struct rtnl_req *r, const struct neighbour *n, uint16_t type,
		     uint16_t flags);

/* Is anyone collecting notifications for this request? */
static inline bool rtnl_notifying(const struct rtnl_req *r)
{
	return r->notify != NULL;
}
void rtnl_notify_link(struct rtnl_req *r, const struct netdev *dev, uint16_t type);
void rtnl_notify_addr(struct rtnl_req *r, const struct in_ifaddr *ifa, uint16_t type);
void rtnl_notify_route(struct rtnl_req *r, struct netns *ns, const struct rtnl_route_ent *e,
		       uint16_t type);
void rtnl_notify_neigh(struct rtnl_req *r, const struct neighbour *n, uint16_t type);

/* The routes through one device, to notify what an address or link change
 * implied (fib_magic's notifications): take one before, one after, diff. */
struct rtnl_route_snap {
	struct rtnl_route_ent *v;
	size_t n, cap;
};
void rtnl_route_snap_dev(struct netns *ns, const struct netdev *dev, struct rtnl_route_snap *s);
/* Notify DELROUTE for entries only in @before, then NEWROUTE for entries
 * only in @after (each sorted by the snap functions), each in fib_magic's
 * order (@brd: the broadcast of an address just deleted, else 0), then
 * free both. */
void rtnl_route_snap_notify(struct rtnl_req *r, struct netns *ns, struct rtnl_route_snap *before,
			    struct rtnl_route_snap *after, uint32_t brd);
void rtnl_route_snap_free(struct rtnl_route_snap *s);
/* Link up/down on the owner of a veth peer: notify the peer (its carrier
 * followed). Control thread. */
void rtnl_notify_peer_link(struct rtnl_req *r, uint32_t peer_ns_id, int peer_ifindex,
			   uint16_t type);
/* Build a notification to @group of @ns: between start and end, reply
 * building through r->out goes into the notification buffer (rtnl.c). */
size_t rtnl_notify_start(struct rtnl_req *r, const struct netns *ns, unsigned group);
void rtnl_notify_end(struct rtnl_req *r, size_t rec);
/* Deliver what was collected to the sink and reset (rtnl.c). */
void rtnl_notify_flush(struct rtnl_out *notify);

/* rtnl_netns.c: create a namespace on worker @w and register it. */
int rtnl_netns_create(const char *name, struct worker *w, struct netns **nsp,
		      struct extack *ext);
/* Delete every namespace, newest first (rtnl_exit). */
void rtnl_netns_delete_all(void);

#endif
