/* SPDX-License-Identifier: MIT */
/*
 * struct netns: one network namespace and everything in it. Owned by one
 * worker (DESIGN §3); only that worker touches it, except the registry
 * (name/id lookup), which the control path uses under the control lock.
 * Memory grows with use: a namespace with only `lo` is a few KB.
 */
#ifndef NSEMU_NETNS_NETNS_H
#define NSEMU_NETNS_NETNS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/compiler.h"
#include "core/loop.h"
#include "core/pkt.h"
#include "drop_reason.h"
#include "snmp.h"
#include "sysctl.h"

#define NETNS_NAMSIZ 64

struct netdev;
struct fib;
struct neigh_cache;

/* Neighbour table slots (neigh_table_init): ARP, room for IPv6's ND. */
enum { NEIGH_ARP_TABLE, NEIGH_ND_TABLE, NEIGH_NR_TABLES };
struct ipfrag_state;
struct sock_table;
struct icmp_state;
struct inet_hashinfo;
struct nf_hook_ops;
struct tcp_congestion_ops;

/* Extended ack for the control path: errno's companion text (NLMSGERR_ATTR_MSG). */
struct extack {
	const char *msg; /* static string, or points into buf */
	char buf[128];
};
void extack_set(struct extack *e, const char *fmt, ...) __printf(2, 3);
#define EXTACK_MSG(e, text)                                                                        \
	do {                                                                                       \
		if (e)                                                                             \
			(e)->msg = (text);                                                         \
	} while (0)

struct netns {
	/* hot: read by every packet */
	struct worker *owner;
	uint32_t slow;			 /* NS_SLOW_*: something is attached to the data path */
	uint64_t mib[MIB_MAX];
	uint64_t drop[DROP_MAX];
	struct sysctl_net sysctl;

	struct fib *fib;		 /* netns/ipv4/fib.c */
	struct neigh_cache *neigh[NEIGH_NR_TABLES]; /* neigh.c: per registered neigh_table */
	struct ipfrag_state *ipfrag;	 /* netns/ipv4/ip_frag.c, created on first fragment */
	struct sock_table *socks;	 /* netns/core/sock.c, created on first socket */
	struct inet_hashinfo *tcp_hashinfo; /* netns/ipv4/inet_hashtables.c, on first TCP socket */
	/* net.ipv4.tcp_congestion_control (netns/ipv4/tcp_cong.c); NULL: cubic */
	const struct tcp_congestion_ops *tcp_ca;
	struct icmp_state *icmp;	 /* netns/ipv4/icmp.c rate limiter state, lazily */
	struct fnhe_table *fnhe;	 /* netns/ipv4/route_exception.c, lazily */
	uint32_t rt_genid;		 /* rt_cache_flush (net.ipv4.route.flush) bumps it */
	struct nf_hook_ops *nf_hooks_ipv4[5]; /* netfilter.c: per NF_INET_* hook, by priority */

	struct netdev *dev_list;	 /* devices in ifindex order */
	struct netdev *dev_tail;	 /* last of dev_list (new ifindexes append) */
	struct netdev **dev_hash;	 /* dev.c: by name, then by ifindex; NULL while few */
	unsigned dev_hsize;		 /* buckets in each half of dev_hash */
	struct netdev *lo;
	unsigned ndevs;
	int ifindex_next;		 /* last ifindex given out */
	uint16_t ip_id;			 /* IP ID generator for locally built datagrams */
	uint32_t dev_gen;		 /* bumped by any device/addr/route change (dump INTR) */

	uint32_t id;			 /* registry id, never reused while running */
	bool dying;
	bool vrf_rules_added;		 /* devices/vrf.c: the l3mdev rule was added once */
	char name[NETNS_NAMSIZ];
	struct netns *reg_next;		 /* registry hash chain (control path) */
};

/*
 * ns->slow: one bit per thing attached to the namespace's data path. The
 * fast path tests the word (once per packet on the single path, once per
 * batch on the batch path) and takes the general path when a bit is set;
 * with nothing attached it costs one predictable branch. Bits 0-4 are the
 * netfilter hook points (NF_INET_PRE_ROUTING .. NF_INET_POST_ROUTING).
 */
#define NS_SLOW_NF(hook) (1u << (hook))

/* Owner assertion (STYLE O1): live in debug and sanitizer builds. */
#ifdef NDEBUG
#define NS_ASSERT_OWNER(ns) ((void)(ns))
#else
#define NS_ASSERT_OWNER(ns) assert(!(ns)->owner || (ns)->owner == loop_current())
#endif

static inline void mib_inc(struct netns *ns, enum mib_field f)
{
	ns->mib[f]++;
}
static inline void mib_add(struct netns *ns, enum mib_field f, uint64_t n)
{
	ns->mib[f] += n;
}

/*
 * Lifecycle. netns_create() allocates a namespace with `lo` (ifindex 1,
 * 127.0.0.1/8, down) and sysctl defaults; call it on the worker that will own
 * it. netns_destroy() unregisters every device (deleting the far ends of its
 * veth pairs through their owners), frees routes, neighbours, queued
 * fragments and sockets, and asserts nothing is left. Owner thread.
 */
struct netns *netns_create(const char *name, struct worker *owner);
void netns_destroy(struct netns *ns);
/* Build namespace @name on this worker (@owner) ahead of the request that
 * will ask netns_create() for it here, so that the workers of a datagram
 * full of NEWNS build theirs at the same time (rtnl.c). Kept unregistered,
 * seen by nobody; netns_ahead_drop() destroys what no request took. */
void netns_create_ahead(const char *name, struct worker *owner);
void netns_ahead_drop(void);
/* Namespaces built and not yet destroyed (registered or not). */
unsigned netns_alive(void);

/*
 * Per-namespace subsystems (Linux's pernet_operations): netns_create runs
 * every registered ->init in registration order, subsystems before
 * devices; netns_destroy unregisters the namespace's ordinary devices,
 * then runs every ->exit in reverse (devices' first: lo goes last of the
 * devices, then the subsystems' state). If an ->init fails, the ->exit of
 * those that succeeded run in reverse and netns_create returns NULL.
 * Either hook may be NULL. Register at start-up, before any namespace
 * exists (-EBUSY otherwise, -ENOSPC when the table is full); the table is
 * read without a lock by every worker.
 */
struct pernet_operations {
	const char *name;
	int (*init)(struct netns *ns);	/* 0 or -errno */
	void (*exit)(struct netns *ns);
};
int register_pernet_subsys(const struct pernet_operations *ops);
/* A subsystem that owns devices of every namespace (loopback): after
 * every subsystem on init, before them on exit. */
int register_pernet_device(const struct pernet_operations *ops);
/* Remove @ops (test teardown); no namespace may exist. 0, -EBUSY, -ENOENT. */
int unregister_pernet_operations(const struct pernet_operations *ops);

/*
 * Registry: control path only (any non-worker thread, under the control
 * lock that the control dispatcher holds). Names are unique.
 */
int netns_register(struct netns *ns);	/* assigns ns->id; -EEXIST */
void netns_unregister(struct netns *ns);
struct netns *netns_lookup(const char *name);
struct netns *netns_lookup_id(uint32_t id);
/* Iterate in creation order: pass NULL to get the first. */
struct netns *netns_next(struct netns *prev);
unsigned netns_count(void);
/* Test support (fuzz targets, tests/fuzz/): with no namespace registered,
 * start ids from 1 again, so each input sees the same ids whatever ran
 * before it. Breaks "never reused" for clients that outlive the registry:
 * not for the running emulator. 0, or -EBUSY if any namespace exists. */
int netns_test_reset_ids(void);

/* Drop accounting: the one exit for packets dropped in error (STYLE §6).
 * Bumps ns->drop[reason], the mapped MIB counter, the device's
 * rx_dropped/tx_dropped where the reason is a device's, frees. Consumes p.
 * p->ns must be set (or p->dev). */
void pkt_drop(struct pkt *p, enum drop_reason reason);
/* Drops of packets with neither ns nor dev, counted per calling thread. */
uint64_t pkt_drop_orphans(void);
/* A packet delivered as intended: free it, count nothing. Consumes p. */
static inline void pkt_consume(struct pkt *p)
{
	pkt_free(p);
}

#endif
