/* SPDX-License-Identifier: MIT */
/*
 * The control path (DESIGN §7): rtnetlink requests in, replies out. Every
 * client — the CLI in this process, later the control socket, nsemuctl and
 * the preload shim — hands datagrams of nlmsgs to rtnl_process() and gets
 * back ACKs, NLMSG_ERROR (errno + NLMSGERR_ATTR_MSG) or multipart dumps
 * ending in NLMSG_DONE, exactly as the kernel's rtnetlink answers.
 *
 * rtnl_process() runs on a non-worker thread and serialises requests under
 * the control lock. It routes each request to the owner worker of the
 * connection's namespace (loop_call_sync), where the handler in
 * rtnl_link.c / rtnl_addr.c / rtnl_route.c / rtnl_neigh.c runs. Requests
 * that span namespaces (a veth pair across namespaces, deleting a
 * namespace) are done in steps, each on the owner of what it touches.
 *
 * Private messages (nsemu's own, numbered above RTM_MAX) select, create,
 * delete and list namespaces, read/write sysctls, and read drop/MIB/thread
 * counters; docs/control-protocol.md documents them.
 */
#ifndef NSEMU_NETNS_RTNL_H
#define NSEMU_NETNS_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <netlink/attr.h>

#include "netns/core/netns.h"

struct netdev;

/* ---- private message types and attributes ---- */
enum {
	NSEMU_MSG_BASE = 0x6e00,
	NSEMU_MSG_HELLO = 0x6e01,     /* select namespace: A_NS or A_NSID; ACK or -ENOENT */
	NSEMU_MSG_NEWNS = 0x6e10,     /* create: A_NS, optional A_THREAD; also the GETNS reply */
	NSEMU_MSG_DELNS = 0x6e11,     /* delete: A_NS or A_NSID */
	NSEMU_MSG_GETNS = 0x6e12,     /* dump all, or doit with A_NS/A_NSID */
	NSEMU_MSG_SYSCTL_GET = 0x6e20, /* A_KEY -> reply SYSCTL_GET with A_KEY, A_VALUE */
	NSEMU_MSG_SYSCTL_SET = 0x6e21, /* A_KEY, A_VALUE */
	NSEMU_MSG_SYSCTL_DUMP = 0x6e22, /* dump: one SYSCTL_GET per key (optional A_KEY prefix) */
	NSEMU_MSG_GETDROPS = 0x6e30,  /* reply: A_NS, A_COUNTERS{A_CNT{A_CNT_NAME, A_CNT_VALUE, A_CNT_TEXT}} */
	NSEMU_MSG_GETMIB = 0x6e31,    /* reply: A_NS, A_COUNTERS (Ip*, Icmp*, Udp*) */
	NSEMU_MSG_GETTHREADS = 0x6e32, /* dump: one reply per worker: A_THREAD, A_COUNTERS, A_NS... */
	/* -- control socket transport (ctl/ctl_server.c, docs/control-protocol.md "Transport") -- */
	NSEMU_MSG_BIND = 0x6e02,       /* bind(): A_PORTID, A_GROUPS (u32 mask, bit g-1 = group g); no reply */
	NSEMU_MSG_SETSOCKOPT = 0x6e03, /* setsockopt(SOL_NETLINK): A_OPTNAME, A_OPTVAL (u32); no reply */
	NSEMU_MSG_CLI = 0x6e40,	       /* run a CLI line: A_LINE; answered by OUTPUT* then DONE */
	NSEMU_MSG_OUTPUT = 0x6e41,     /* server -> client: A_FD (1 stdout, 2 stderr), A_TEXT */
	NSEMU_MSG_INTERRUPT = 0x6e42,  /* client -> server: Ctrl-C for the running CLI line; no reply */
	NSEMU_MSG_DONE = 0x6e43,       /* server -> client: A_STATUS (u32 exit status), A_FLAGS (1 = quit) */
	NSEMU_MSG_MAX = 0x6eff,
};

enum {
	NSEMU_A_UNSPEC,
	NSEMU_A_NS,	   /* string, namespace name */
	NSEMU_A_NSID,	   /* u32 */
	NSEMU_A_PORTID,	   /* u32 */
	NSEMU_A_PID,	   /* u32 */
	NSEMU_A_THREAD,	   /* u32 worker index */
	NSEMU_A_KEY,	   /* string sysctl key */
	NSEMU_A_VALUE,	   /* string sysctl value */
	NSEMU_A_COUNTERS,  /* nested list of A_CNT */
	NSEMU_A_CNT,	   /* nested: A_CNT_NAME, A_CNT_VALUE, A_CNT_TEXT */
	NSEMU_A_CNT_NAME,  /* string */
	NSEMU_A_CNT_VALUE, /* u64 */
	NSEMU_A_CNT_TEXT,  /* string */
	NSEMU_A_NDEVS,	   /* u32 */
	NSEMU_A_FLAGS,	   /* u32: GETDROPS with 1 = all namespaces */
	/* -- control socket transport (ctl/ctl_server.c); wire numbers, keep them -- */
	NSEMU_A_GROUPS = 15,  /* u32 multicast group mask (BIND) */
	NSEMU_A_OPTNAME = 16, /* u32 SOL_NETLINK option (SETSOCKOPT) */
	NSEMU_A_OPTVAL = 17,  /* u32 option value (SETSOCKOPT) */
	NSEMU_A_LINE = 18,    /* string: one CLI line (CLI) */
	NSEMU_A_FD = 19,      /* u32: 1 stdout, 2 stderr (OUTPUT) */
	NSEMU_A_TEXT = 20,    /* binary: output bytes, no terminator (OUTPUT) */
	NSEMU_A_STATUS = 21,  /* u32: exit status of a CLI line (DONE) */
	/* -- show drops -- */
	NSEMU_A_FRAG_MEM,  /* u64: bytes held by incomplete datagrams (GETDROPS) */
	/* -- CLI -- */
	NSEMU_A_CWD,	   /* string: the client's working directory, absolute (CLI) */
	__NSEMU_A_MAX
};
#define NSEMU_A_MAX (__NSEMU_A_MAX - 1)

#define NSEMU_DEFAULT_NS "default" /* the namespace a connection starts in */

/* ---- connections and replies ---- */
struct rtnl_conn {
	uint32_t ns_id;	 /* bound namespace (0: the default namespace) */
	uint32_t portid; /* stamped into every reply's nlmsg_pid */
	bool ext_ack;	 /* send NLMSGERR_ATTR_MSG (the CLI always wants it) */
};

/* A growable buffer of complete reply nlmsgs. */
struct rtnl_out {
	uint8_t *buf;
	size_t len, cap;
};
void rtnl_out_init(struct rtnl_out *o);
void rtnl_out_reset(struct rtnl_out *o);
void rtnl_out_free(struct rtnl_out *o);
/* Append one attribute (or open and close a nest: the offset
 * rtnl_nest_start returns goes to rtnl_nest_end) to the message being
 * built in @o. */
void rtnl_put(struct rtnl_out *o, uint16_t type, const void *data, size_t len);
void rtnl_put_u8(struct rtnl_out *o, uint16_t type, uint8_t v);
void rtnl_put_u16(struct rtnl_out *o, uint16_t type, uint16_t v);
void rtnl_put_u32(struct rtnl_out *o, uint16_t type, uint32_t v);
void rtnl_put_u64(struct rtnl_out *o, uint16_t type, uint64_t v);
void rtnl_put_str(struct rtnl_out *o, uint16_t type, const char *s);
size_t rtnl_nest_start(struct rtnl_out *o, uint16_t type);
/* nla_nest_start_noflag: a nest without NLA_F_NESTED, as the kernel
 * writes IFLA_LINKINFO and its data (iproute2's parse_rtattr does not
 * mask the flag, so a flagged IFLA_LINKINFO is not found by name_is_vrf). */
size_t rtnl_nest_start_noflag(struct rtnl_out *o, uint16_t type);
void rtnl_nest_end(struct rtnl_out *o, size_t off);

/* Start-up: create the default namespace, register handlers. Call after
 * loop_init(). rtnl_exit() deletes every namespace. */
int rtnl_init(void);
void rtnl_exit(void);

/*
 * Process every nlmsg in @buf (@len bytes) for connection @c and append the
 * replies to @out. Malformed input gets NLMSG_ERROR and changes nothing.
 * Non-worker thread; serialised internally. Returns 0, or -errno of the last
 * failed request (the replies say the same).
 */
int rtnl_process(struct rtnl_conn *c, const void *buf, size_t len, struct rtnl_out *out);

/*
 * Notifications (rtnl_notify / netlink multicast). When a request changes
 * state, the handlers build the messages Linux multicasts — RTM_NEWLINK/
 * DELLINK to RTNLGRP_LINK, RTM_NEWADDR/DELADDR to RTNLGRP_IPV4_IFADDR,
 * RTM_NEWROUTE/DELROUTE to RTNLGRP_IPV4_ROUTE (also the routes an address
 * or a link coming up implies), RTM_NEWNEIGH/DELNEIGH to RTNLGRP_NEIGH —
 * stamped like the kernel's: nlmsg_pid = the requester's portid,
 * nlmsg_seq = the request's seq. They are collected on the owner while the
 * handler runs and handed to the sink on the thread that called
 * rtnl_process(), after the handler and before the request's own reply is
 * returned, one call per message. @ns_id follows struct rtnl_conn: 0 for the
 * default namespace, else the namespace's id. @group is the RTNLGRP_* number
 * (a bind() mask has bit group-1). The sink runs under the control lock: it
 * must not block or call rtnl_process(). Set it once at start-up; NULL (the
 * default) turns collection off.
 */
typedef void (*rtnl_notify_fn)(uint32_t ns_id, unsigned group, const void *nlmsg, size_t len);
void rtnl_set_notify(rtnl_notify_fn fn);
/* Several listeners (the control socket server, each CLI `ip monitor`
 * process-wide sink): add @fn to the sinks (once; 0, or -ENOSPC past four)
 * and remove it. rtnl_set_notify(fn) replaces them all with @fn. Any
 * thread but a sink. */
int rtnl_notify_add(rtnl_notify_fn fn);
void rtnl_notify_del(rtnl_notify_fn fn);

/* Link kinds (veth, later bridge, tap): devices/ register them at start. */
/*
 * A link kind, as rtnl_link_ops in Linux. The rtnl core does what every
 * kind shares (rtnl_newlink/rtnl_create_link): it parses the request,
 * resolves the namespaces, picks "<kind>N" for a request without a name,
 * allocates the device on its namespace's owner (priv_size bytes of
 * dev->priv), calls setup, applies the common IFLA attributes (MTU
 * checked against the limits setup left, address, txqlen), then newlink
 * (or registers the device itself), and frees what it made when a step
 * fails. A pair kind (peer_type) gets its peer made and registered the
 * same way first, in the namespace the peer's IFLA_NET_NS_PID names; the
 * scheduler reads peer_type to know which namespaces a request touches.
 */
struct rtnl_link_ops {
	const char *kind;
	size_t priv_size;
	/* Defaults of a new device before the request's attributes apply:
	 * dev->ops, type, flags, MTU limits, carrier. Owner of dev->ns. */
	void (*setup)(struct netdev *dev);
	int maxtype;			/* IFLA_INFO_DATA attribute max */
	const struct nla_policy *policy; /* for IFLA_INFO_DATA, may be NULL */
	/* Check the request before anything is made (tb: its IFLA_*, data:
	 * IFLA_INFO_DATA parsed with policy, or NULL). Any thread. NULL: ok. */
	int (*validate)(struct nlattr **tb, struct nlattr **data, struct extack *ext);
	/* The IFLA_INFO_DATA attribute that carries the peer of a pair (a
	 * struct ifinfomsg and the peer's IFLA_*, as VETH_INFO_PEER); 0: the
	 * kind makes one device. */
	int peer_type;
	/*
	 * Owner of dev->ns: finish @dev (set up, attributes applied) and
	 * register it, or fail leaving it unregistered (the core frees it,
	 * and unregisters @peer, which is registered, on its own owner; NULL
	 * for a kind without peer_type). @src: the requester's namespace.
	 * NULL: the core registers dev. 0 or -errno with ext set.
	 */
	int (*newlink)(struct netns *src, struct netdev *dev, struct netdev *peer,
		       struct nlattr **tb, struct nlattr **data, struct extack *ext);
	/* RTM_DELLINK on the owner of dev->ns. NULL: dev_unregister (a pair
	 * kind's uninit takes the peer with it). */
	void (*dellink)(struct netdev *dev);
	/* fill_info: the kind's IFLA_INFO_DATA attributes of @dev (the core
	 * opens and closes the nest); fill_slave_info: a master kind's
	 * IFLA_INFO_SLAVE_DATA of its port @slave (IFLA_INFO_SLAVE_KIND is
	 * the master's kind). Owner. NULL: none. */
	void (*fill_info)(struct rtnl_out *o, const struct netdev *dev);
	void (*fill_slave_info)(struct rtnl_out *o, const struct netdev *dev,
				const struct netdev *slave);
};
void rtnl_link_register(const struct rtnl_link_ops *ops);
/*
 * rtnl_link_get_net: the namespace an IFLA_NET_NS_PID attribute @a names
 * (it carries an nsemu namespace id; 0 is the default namespace), or @src
 * when @a is NULL. 0 and *nsp,
 * -EINVAL (shorter than a u32) or -ESRCH (no such namespace); the caller
 * sets the extack text its kind answers with. Any thread.
 */
int rtnl_link_get_net(struct netns *src, const struct nlattr *a, struct netns **nsp);
const struct rtnl_link_ops *rtnl_link_ops_get(const char *kind);
/*
 * rtnl_create_link: a device of kind @ops named @name (a "%d" template is
 * allowed) in @ns, set up and with the common attributes of @tb (MTU,
 * address, txqlen; tb may be NULL), not registered. Owner of @ns. NULL
 * with *errp and ext set.
 */
struct netdev *rtnl_create_link(struct netns *ns, const char *name,
				const struct rtnl_link_ops *ops, struct nlattr **tb,
				struct extack *ext, int *errp);
/*
 * What RTM_NEWLINK does for a request whose only attributes are the kind's
 * @data (IFLA_INFO_DATA, parsed; NULL: none): a device of kind @ops named
 * @name in @ns and, for a pair kind, its peer @peer_name in @peer_ns
 * (names may be "%d" templates; NULL: "<kind>%d"). Control thread or an
 * rtnl run. 0 or -errno with ext set; nothing is left behind on failure.
 */
int rtnl_link_create(const struct rtnl_link_ops *ops, struct netns *ns, const char *name,
		     struct nlattr **data, struct netns *peer_ns, const char *peer_name,
		     struct extack *ext);
/*
 * From a pair kind's newlink (once per request): have fn(arg) run on the
 * owner of @peer, the peer the core made for this request, once newlink
 * has returned 0: right after it, or, when the scheduler made the peers
 * of several requests ahead, in one call with the others of the batch
 * (before anything else can see the peer).
 */
void rtnl_peer_call(struct netdev *peer, loop_call_fn fn, void *arg);

/* Run fn(arg) on the owner of @ns and wait (control thread helper). */
void rtnl_call_ns(struct netns *ns, loop_call_fn fn, void *arg);
/* DELNS on the namespace's owner, in a run: unlist and destroy @ns and
 * its devices (a cross-worker veth peer follows asynchronously, O6). */
void rtnl_netns_destroy_here(struct netns *ns);
/* Run fn(ns, arg) asynchronously on the owner of namespace @name (by
 * name; NULL = default). Ordered before any later deletion of it, so fn
 * always sees a live namespace. Non-worker thread. 0 or -ENOENT. */
typedef void (*rtnl_ns_fn)(struct netns *ns, void *arg);
int rtnl_ns_call(const char *name, rtnl_ns_fn fn, void *arg);
/* rtnl_ns_call, and wait until fn has returned. Non-worker thread (the
 * CLI's, a bench's). 0 or -ENOENT / -ENOMEM (fn did not run). */
int rtnl_ns_call_sync(const char *name, rtnl_ns_fn fn, void *arg);

/* Delete a namespace and everything in it (control thread). */
int rtnl_netns_delete(struct netns *ns, struct extack *ext);

#endif
