/* SPDX-License-Identifier: MIT */
/*
 * Per-namespace sysctls with Linux's semantics:
 *  - net.ipv4.conf.{all,default,DEV}.* (devconf), DEV taking `default` at
 *    creation; net.ipv4.ip_forward writes conf.all.forwarding and every
 *    device's forwarding (devinet_conf_proc / inet_forward_change);
 *    conf.all.forwarding does the same;
 *  - rp_filter and arp_ignore read as max(all, dev) (IN_DEV_RPFILTER,
 *    IN_DEV_ARP_IGNORE); accept_local as all || dev;
 *  - bounded tables: a write outside [min, max] fails with -EINVAL.
 * Keys are dotted names as `sysctl` prints them.
 */
#ifndef NSEMU_NETNS_SYSCTL_H
#define NSEMU_NETNS_SYSCTL_H

#include <stddef.h>
#include <stdint.h>

struct netns;
struct netdev;
struct extack;

/* Same numbering as the kernel's IPV4_DEVCONF_* (linux/ip.h) so that
 * IFLA_INET_CONF arrays map one to one. Index 0 unused. */
enum devconf {
	DEVCONF_FORWARDING = 1,
	DEVCONF_MC_FORWARDING,
	DEVCONF_PROXY_ARP,
	DEVCONF_ACCEPT_REDIRECTS,
	DEVCONF_SECURE_REDIRECTS,
	DEVCONF_SEND_REDIRECTS,
	DEVCONF_SHARED_MEDIA,
	DEVCONF_RP_FILTER,
	DEVCONF_ACCEPT_SOURCE_ROUTE,
	DEVCONF_BOOTP_RELAY,
	DEVCONF_LOG_MARTIANS,
	DEVCONF_TAG,
	DEVCONF_ARPFILTER,
	DEVCONF_MEDIUM_ID,
	DEVCONF_NOXFRM,
	DEVCONF_NOPOLICY,
	DEVCONF_FORCE_IGMP_VERSION,
	DEVCONF_ARP_ANNOUNCE,
	DEVCONF_ARP_IGNORE,
	DEVCONF_PROMOTE_SECONDARIES,
	DEVCONF_ARP_ACCEPT,
	DEVCONF_ARP_NOTIFY,
	DEVCONF_ACCEPT_LOCAL,
	DEVCONF_SRC_VMARK,
	DEVCONF_PROXY_ARP_PVLAN,
	DEVCONF_ROUTE_LOCALNET,
	DEVCONF_IGMPV2_UNSOLICITED_REPORT_INTERVAL,
	DEVCONF_IGMPV3_UNSOLICITED_REPORT_INTERVAL,
	DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN,
	DEVCONF_DROP_UNICAST_IN_L2_MULTICAST,
	DEVCONF_DROP_GRATUITOUS_ARP,
	DEVCONF_BC_FORWARDING,
	DEVCONF_ARP_EVICT_NOCARRIER,
	DEVCONF_MAX /* 33: array size */
};

struct ipv4_devconf {
	int32_t data[DEVCONF_MAX];
	/* Bit i set once data[i] was written explicitly (the kernel's
	 * cnf.state): a later write of conf.default.X no longer reaches it. */
	uint64_t state;
};

/* Namespace-wide values (net.ipv4.*). */
struct sysctl_net {
	struct ipv4_devconf all;
	struct ipv4_devconf dflt;
	int32_t fib_multipath_hash_policy; /* 0: L3, 1: L4, 2: L3 (inner L3: none here) */
	int32_t fib_multipath_use_neigh;   /* 0 */
	int32_t ip_default_ttl;		  /* 64 */
	int32_t icmp_echo_ignore_all;	  /* 0 */
	int32_t icmp_echo_ignore_broadcasts; /* 1 */
	int32_t icmp_ratelimit;		  /* 1000 ms */
	int32_t icmp_ratemask;		  /* 0x1818 */
	int32_t icmp_msgs_per_sec;	  /* 1000 */
	int32_t icmp_msgs_burst;	  /* 50 */
	int32_t ip_no_pmtu_disc;	  /* 0 */
	int32_t ipfrag_high_thresh;	  /* 4 MiB */
	int32_t ipfrag_low_thresh;	  /* 3 MiB */
	int32_t ipfrag_time;		  /* 30 s */
	/* net.ipv4.route.* (the ones a namespace has) */
	int32_t ip_rt_min_pmtu;		  /* 552: a learned PMTU below it is clamped and locked */
	int32_t ip_rt_mtu_expires;	  /* 600 s: life of a learned PMTU */
	/* net.ipv4.neigh.default.* (one set per namespace for now) */
	int32_t neigh_base_reachable_time_ms; /* 30000 */
	int32_t neigh_retrans_time_ms;	      /* 1000 */
	int32_t neigh_delay_first_probe_time; /* 5 s */
	int32_t neigh_gc_stale_time;	      /* 60 s */
	int32_t neigh_ucast_solicit;	      /* 3 */
	int32_t neigh_mcast_solicit;	      /* 3 */
	int32_t neigh_unres_qlen;	      /* 101 packets (unres_qlen) */
	/* TCP (net.ipv4.tcp_*) and the port range of connect/bind(0) */
	int32_t ip_local_port_range[2];	  /* 32768 60999 */
	int32_t tcp_window_scaling;	  /* 1 */
	int32_t tcp_timestamps;		  /* 1 */
	int32_t tcp_sack;		  /* 1: offer / accept SACK (RFC 2018) */
	int32_t tcp_dsack;		  /* 1: send D-SACK (RFC 2883) */
	int32_t tcp_ecn;		  /* 0 off, 1 ask and accept, 2 accept (RFC 3168) */
	int32_t tcp_ecn_fallback;	  /* 1: a retransmitted SYN stops asking */
	int32_t tcp_syn_retries;	  /* 6 */
	int32_t tcp_synack_retries;	  /* 5 */
	int32_t tcp_fin_timeout;	  /* 60 s */
	int32_t tcp_keepalive_time;	  /* 7200 s */
	int32_t tcp_keepalive_intvl;	  /* 75 s */
	int32_t tcp_keepalive_probes;	  /* 9 */
	int32_t tcp_max_syn_backlog;	  /* 2048 (memory-sized in Linux) */
	int32_t tcp_abort_on_overflow;	  /* 0 */
	int32_t tcp_syncookies;		  /* 1: when the SYN queue overflows, 2: always */
	int32_t somaxconn;		  /* net.core.somaxconn: 4096 */
	int32_t tcp_invalid_ratelimit;	  /* 500 ms between ACKs to invalid segments */
};

/* Set every value to Linux's default for a new namespace. */
void sysctl_net_init(struct sysctl_net *s);
/* Start-up: register sysctl_net_init as a pernet subsystem. */
void sysctl_init(void);
/* Apply conf.default to a new device's devconf. */
void sysctl_dev_init(struct netns *ns, struct ipv4_devconf *cnf);

/* Effective values, as the kernel's IN_DEV_* macros compute them. */
int devconf_forwarding(const struct netdev *dev);
int devconf_rp_filter(const struct netdev *dev);   /* max(all, dev) */
int devconf_arp_ignore(const struct netdev *dev);  /* max(all, dev) */
int devconf_accept_local(const struct netdev *dev); /* all || dev */
int devconf_get(const struct netdev *dev, enum devconf i);

/* Read @key into @buf as /proc prints it (no newline). 0, -ENOENT. */
int sysctl_get(struct netns *ns, const char *key, char *buf, size_t len);
/* Write @val to @key with the kernel's side effects. 0, -ENOENT, -EINVAL. */
int sysctl_set(struct netns *ns, const char *key, const char *val, struct extack *ext);
/* Set one devconf value of @dev (dev == NULL: `all`; use sysctl_set for
 * `default`), with the same side effects. */
int sysctl_devconf_set(struct netns *ns, struct netdev *dev, enum devconf i, int32_t v,
		       struct extack *ext);
/*
 * A key whose value is text, kept by the subsystem that registers it (the
 * role of register_net_sysctl for the proc_dostring handlers):
 * net.ipv4.@name. get: the text /proc shows; set: NULL for a read-only
 * (0444) key, whose writes fail with -EACCES, else 0 or the negative errno
 * of the kernel's handler. Registered at start-up, before workers run.
 */
struct sysctl_str {
	const char *name;
	int (*get)(struct netns *ns, char *buf, size_t len);
	int (*set)(struct netns *ns, const char *val);
};
void sysctl_register_str(const struct sysctl_str *s);

/* Call @fn for every key in sorted order (sysctl -a). */
typedef void (*sysctl_walk_fn)(const char *key, const char *val, void *arg);
void sysctl_walk(struct netns *ns, sysctl_walk_fn fn, void *arg);

#endif
