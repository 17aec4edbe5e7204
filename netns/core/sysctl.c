// SPDX-License-Identifier: MIT
/*
 * Per-namespace sysctls: net.ipv4.*, net.ipv4.conf.{all,default,DEV}.* and
 * net.ipv4.neigh.default.*, kept as bounded tables in the style of OpenBSD's
 * ipctl_vars[] (name, storage, min, max) but with Linux's semantics
 * (net/ipv4/devinet.c, sysctl_net_ipv4.c, net/core/neighbour.c): writing
 * ip_forward or conf.all.forwarding switches every device (inet_forward_change),
 * conf.default.X reaches the devices that never set X themselves
 * (devinet_copy_dflt_conf), and reads of rp_filter, arp_ignore & co combine
 * `all` and the device as the IN_DEV_* macros do. Keys are accepted in dotted
 * (net.ipv4.ip_forward) and slash (net/ipv4/ip_forward) form, as sysctl(8)
 * does. Owner thread of the namespace for everything here.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"
#include "netns.h"
#include "netns/ipv4/inetdevice.h"
#include "sysctl.h"

/* How a devconf value is read for a device: the kernel's IN_DEV_* macros. */
enum devconf_combine {
	COMB_DEV, /* IN_DEV_CONF_GET: the device's own value */
	COMB_OR,  /* IN_DEV_ORCONF: all || dev */
	COMB_AND, /* IN_DEV_ANDCONF: all && dev */
	COMB_MAX, /* IN_DEV_MAXCONF: max(all, dev) */
	COMB_RX_REDIRECTS, /* IN_DEV_RX_REDIRECTS: AND when forwarding, else OR */
};

#define DV_RO 1	      /* read-only (0444 in the kernel) */
#define DV_ARP_IGNORE 2 /* only 0-4 and 8 are defined (arp_ignore()) */

struct devconf_var {
	const char *name;
	uint8_t idx;	 /* enum devconf */
	uint8_t combine; /* enum devconf_combine */
	uint8_t flags;	 /* DV_* */
	int32_t min, max;
};

/*
 * devinet_sysctl's table, sorted by name (sysctl -a order). The kernel
 * stores most of these with proc_dointvec and no bounds; we bound them to
 * the values the kernel gives a meaning to, so a typo fails with -EINVAL.
 */
static const struct devconf_var devconf_vars[] = {
	{ "accept_local", DEVCONF_ACCEPT_LOCAL, COMB_OR, 0, 0, 1 },
	{ "accept_redirects", DEVCONF_ACCEPT_REDIRECTS, COMB_RX_REDIRECTS, 0, 0, 1 },
	{ "accept_source_route", DEVCONF_ACCEPT_SOURCE_ROUTE, COMB_AND, 0, 0, 1 },
	{ "arp_accept", DEVCONF_ARP_ACCEPT, COMB_MAX, 0, 0, 2 },
	{ "arp_announce", DEVCONF_ARP_ANNOUNCE, COMB_MAX, 0, 0, 2 },
	{ "arp_evict_nocarrier", DEVCONF_ARP_EVICT_NOCARRIER, COMB_AND, 0, 0, 1 },
	{ "arp_filter", DEVCONF_ARPFILTER, COMB_OR, 0, 0, 1 },
	{ "arp_ignore", DEVCONF_ARP_IGNORE, COMB_MAX, DV_ARP_IGNORE, 0, 8 },
	{ "arp_notify", DEVCONF_ARP_NOTIFY, COMB_MAX, 0, 0, 1 },
	{ "bc_forwarding", DEVCONF_BC_FORWARDING, COMB_AND, 0, 0, 1 },
	{ "bootp_relay", DEVCONF_BOOTP_RELAY, COMB_AND, 0, 0, 1 },
	{ "disable_policy", DEVCONF_NOPOLICY, COMB_DEV, 0, 0, 1 },
	{ "disable_xfrm", DEVCONF_NOXFRM, COMB_DEV, 0, 0, 1 },
	{ "drop_gratuitous_arp", DEVCONF_DROP_GRATUITOUS_ARP, COMB_OR, 0, 0, 1 },
	{ "drop_unicast_in_l2_multicast", DEVCONF_DROP_UNICAST_IN_L2_MULTICAST, COMB_OR, 0, 0, 1 },
	{ "force_igmp_version", DEVCONF_FORCE_IGMP_VERSION, COMB_DEV, 0, 0, 3 },
	{ "forwarding", DEVCONF_FORWARDING, COMB_DEV, 0, 0, 1 },
	{ "igmpv2_unsolicited_report_interval", DEVCONF_IGMPV2_UNSOLICITED_REPORT_INTERVAL,
	  COMB_DEV, 0, 0, INT_MAX },
	{ "igmpv3_unsolicited_report_interval", DEVCONF_IGMPV3_UNSOLICITED_REPORT_INTERVAL,
	  COMB_DEV, 0, 0, INT_MAX },
	{ "ignore_routes_with_linkdown", DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN, COMB_OR, 0, 0, 1 },
	{ "log_martians", DEVCONF_LOG_MARTIANS, COMB_OR, 0, 0, 1 },
	{ "mc_forwarding", DEVCONF_MC_FORWARDING, COMB_AND, DV_RO, 0, 1 },
	{ "medium_id", DEVCONF_MEDIUM_ID, COMB_DEV, 0, -1, INT_MAX },
	{ "promote_secondaries", DEVCONF_PROMOTE_SECONDARIES, COMB_OR, 0, 0, 1 },
	{ "proxy_arp", DEVCONF_PROXY_ARP, COMB_OR, 0, 0, 1 },
	{ "proxy_arp_pvlan", DEVCONF_PROXY_ARP_PVLAN, COMB_OR, 0, 0, 1 },
	{ "route_localnet", DEVCONF_ROUTE_LOCALNET, COMB_OR, 0, 0, 1 },
	{ "rp_filter", DEVCONF_RP_FILTER, COMB_MAX, 0, 0, 2 },
	{ "secure_redirects", DEVCONF_SECURE_REDIRECTS, COMB_OR, 0, 0, 1 },
	{ "send_redirects", DEVCONF_SEND_REDIRECTS, COMB_OR, 0, 0, 1 },
	{ "shared_media", DEVCONF_SHARED_MEDIA, COMB_OR, 0, 0, 1 },
	{ "src_valid_mark", DEVCONF_SRC_VMARK, COMB_OR, 0, 0, 1 },
	{ "tag", DEVCONF_TAG, COMB_DEV, 0, INT_MIN, INT_MAX },
};

/* Namespace-wide values. @scale: stored = written * scale (retrans_time is
 * in USER_HZ ticks of 10 ms, base_reachable_time in seconds, both stored in
 * ms as their *_ms twins). */
struct net_var {
	const char *name; /* relative to net.ipv4. (net.core. in core_vars) */
	size_t off;	  /* in struct sysctl_net */
	int32_t min, max; /* in the key's own unit */
	int32_t scale;
};

/* The kernel's HZ, which bounds the sysctls kept in jiffies. */
#define SYSCTL_HZ 250

#define NV(key, field, lo, hi, sc) { key, offsetof(struct sysctl_net, field), lo, hi, sc }
/* sorted by name; "conf" and "neigh" directories slot in by sysctl_walk's sort */
static const struct net_var net_vars[] = {
	/* policy 3 (custom fields, fib_multipath_hash_fields) is not there */
	NV("fib_multipath_hash_policy", fib_multipath_hash_policy, 0, 2, 1),
	NV("fib_multipath_use_neigh", fib_multipath_use_neigh, 0, 1, 1),
	NV("icmp_echo_ignore_all", icmp_echo_ignore_all, 0, 1, 1),
	NV("icmp_echo_ignore_broadcasts", icmp_echo_ignore_broadcasts, 0, 1, 1),
	NV("icmp_msgs_burst", icmp_msgs_burst, 0, INT_MAX, 1),
	NV("icmp_msgs_per_sec", icmp_msgs_per_sec, 0, INT_MAX, 1),
	NV("icmp_ratelimit", icmp_ratelimit, 0, INT_MAX, 1),
	NV("icmp_ratemask", icmp_ratemask, 0, INT_MAX, 1),
	NV("ip_default_ttl", ip_default_ttl, 1, 255, 1),
	/* ip_forward lives in conf.all.forwarding: handled apart */
	NV("ip_no_pmtu_disc", ip_no_pmtu_disc, 0, 255, 1),
	/* high >= low and low <= high are checked in net_var_check() */
	NV("ipfrag_high_thresh", ipfrag_high_thresh, 0, INT_MAX, 1),
	NV("ipfrag_low_thresh", ipfrag_low_thresh, 0, INT_MAX, 1),
	NV("ipfrag_time", ipfrag_time, 0, INT_MAX, 1),
	NV("neigh.default.base_reachable_time", neigh_base_reachable_time_ms, 0, INT_MAX / 1000,
	   1000),
	NV("neigh.default.base_reachable_time_ms", neigh_base_reachable_time_ms, 0, INT_MAX, 1),
	NV("neigh.default.delay_first_probe_time", neigh_delay_first_probe_time, 0, INT_MAX, 1),
	NV("neigh.default.gc_stale_time", neigh_gc_stale_time, 0, INT_MAX, 1),
	NV("neigh.default.mcast_solicit", neigh_mcast_solicit, 0, INT_MAX, 1),
	NV("neigh.default.retrans_time", neigh_retrans_time_ms, 0, INT_MAX / 10, 10),
	NV("neigh.default.retrans_time_ms", neigh_retrans_time_ms, 0, INT_MAX, 1),
	NV("neigh.default.ucast_solicit", neigh_ucast_solicit, 0, INT_MAX, 1),
	NV("neigh.default.unres_qlen", neigh_unres_qlen, 0, INT_MAX, 1),
	/* ipv4_route_netns_table: min_pmtu >= 68 (ip_min_valid_pmtu);
	 * mtu_expires in seconds (proc_dointvec_jiffies) */
	NV("route.min_pmtu", ip_rt_min_pmtu, 68, INT_MAX, 1),
	NV("route.mtu_expires", ip_rt_mtu_expires, INT_MIN / 1000, INT_MAX / 1000, 1),
	NV("tcp_abort_on_overflow", tcp_abort_on_overflow, 0, 255, 1),
	/* tcp_dsack / tcp_sack: u8 (proc_dou8vec_minmax), any of 0..255 */
	NV("tcp_dsack", tcp_dsack, 0, 255, 1),
	NV("tcp_ecn", tcp_ecn, 0, 2, 1),
	NV("tcp_ecn_fallback", tcp_ecn_fallback, 0, 1, 1),
	NV("tcp_fin_timeout", tcp_fin_timeout, 1, INT_MAX, 1),
	/* proc_dointvec_ms_jiffies, at least 0 (kept in ms here, not rounded
	 * up to a jiffy as the kernel shows it) */
	NV("tcp_invalid_ratelimit", tcp_invalid_ratelimit, 0, INT_MAX, 1),
	/* proc_dointvec_jiffies: seconds that fit an int of jiffies (HZ
	 * 250, as the reference kernel), negative ones too; the probe count
	 * is a u8 (proc_dou8vec_minmax) */
	NV("tcp_keepalive_intvl", tcp_keepalive_intvl, -(INT_MAX / SYSCTL_HZ), INT_MAX / SYSCTL_HZ, 1),
	NV("tcp_keepalive_probes", tcp_keepalive_probes, 0, 255, 1),
	NV("tcp_keepalive_time", tcp_keepalive_time, -(INT_MAX / SYSCTL_HZ), INT_MAX / SYSCTL_HZ, 1),
	NV("tcp_max_syn_backlog", tcp_max_syn_backlog, INT_MIN, INT_MAX, 1),
	NV("tcp_sack", tcp_sack, 0, 255, 1),
	/* tcp_syn_retries / tcp_synack_retries: 1..127 (MAX_TCP_SYNCNT) */
	NV("tcp_syn_retries", tcp_syn_retries, 1, 127, 1),
	NV("tcp_synack_retries", tcp_synack_retries, 1, 127, 1),
	NV("tcp_syncookies", tcp_syncookies, 0, 255, 1),
	NV("tcp_timestamps", tcp_timestamps, 0, 2, 1),
	NV("tcp_window_scaling", tcp_window_scaling, 0, 1, 1),
};

/* net.core.* (netns_core_table: the per-namespace ones). */
static const struct net_var core_vars[] = {
	/* proc_dointvec_minmax, extra1 SYSCTL_ZERO */
	NV("somaxconn", somaxconn, 0, INT_MAX, 1),
};
#undef NV

#define SYSCTL_STR_MAX 16
static const struct sysctl_str *str_vars[SYSCTL_STR_MAX];
static unsigned n_str_vars;

void sysctl_register_str(const struct sysctl_str *s)
{
	assert(n_str_vars < SYSCTL_STR_MAX);
	str_vars[n_str_vars++] = s;
}

void sysctl_net_init(struct sysctl_net *s)
{
	memset(s, 0, sizeof(*s));
	/*
	 * ipv4_devconf / ipv4_devconf_dflt (devinet.c), the compiled-in values
	 * (net.core.devconf_inherit_init_net=2): forwarding and rp_filter 0;
	 * redirects on; default also accepts source routes.
	 */
	struct ipv4_devconf *c[2] = { &s->all, &s->dflt };
	for (int i = 0; i < 2; i++) {
		c[i]->data[DEVCONF_ACCEPT_REDIRECTS] = 1;
		c[i]->data[DEVCONF_SEND_REDIRECTS] = 1;
		c[i]->data[DEVCONF_SECURE_REDIRECTS] = 1;
		c[i]->data[DEVCONF_SHARED_MEDIA] = 1;
		c[i]->data[DEVCONF_IGMPV2_UNSOLICITED_REPORT_INTERVAL] = 10000;
		c[i]->data[DEVCONF_IGMPV3_UNSOLICITED_REPORT_INTERVAL] = 1000;
		c[i]->data[DEVCONF_ARP_EVICT_NOCARRIER] = 1;
	}
	s->dflt.data[DEVCONF_ACCEPT_SOURCE_ROUTE] = 1;

	s->ip_default_ttl = 64;		  /* IPDEFTTL */
	s->icmp_echo_ignore_all = 0;
	s->icmp_echo_ignore_broadcasts = 1;
	s->icmp_ratelimit = 1000;	  /* 1 * HZ, shown in ms */
	s->icmp_ratemask = 0x1818;	  /* dest unreach, source quench, time exceeded, param prob */
	s->icmp_msgs_per_sec = 1000;
	s->icmp_msgs_burst = 50;
	s->ip_no_pmtu_disc = 0;
	s->ipfrag_high_thresh = 4 * 1024 * 1024;
	s->ipfrag_low_thresh = 3 * 1024 * 1024;
	s->ipfrag_time = 30;		  /* IP_FRAG_TIME / HZ */
	s->ip_rt_min_pmtu = 552;	  /* DEFAULT_MIN_PMTU: 512 + 20 + 20 */
	s->ip_rt_mtu_expires = 600;	  /* DEFAULT_MTU_EXPIRES: 10 * 60 * HZ */
	/* arp_tbl.parms (net/ipv4/arp.c) */
	s->neigh_base_reachable_time_ms = 30000;
	s->neigh_retrans_time_ms = 1000;
	s->neigh_delay_first_probe_time = 5;
	s->neigh_gc_stale_time = 60;
	s->neigh_ucast_solicit = 3;
	s->neigh_mcast_solicit = 3;
	s->neigh_unres_qlen = 101;	  /* the kernel's sysctl shows 101 for its byte limit */
	s->ip_local_port_range[0] = 32768;
	s->ip_local_port_range[1] = 60999;
	s->tcp_window_scaling = 1;
	s->tcp_timestamps = 1;
	s->tcp_sack = 1;
	s->tcp_dsack = 1;
	s->tcp_ecn = 2;			  /* accept ECN when asked, do not ask */
	s->tcp_ecn_fallback = 1;
	s->tcp_syn_retries = 6;		  /* TCP_SYN_RETRIES */
	s->tcp_synack_retries = 5;	  /* TCP_SYNACK_RETRIES */
	s->tcp_fin_timeout = 60;	  /* TCP_FIN_TIMEOUT / HZ */
	s->tcp_keepalive_time = 7200;	  /* TCP_KEEPALIVE_TIME / HZ */
	s->tcp_keepalive_intvl = 75;	  /* TCP_KEEPALIVE_INTVL / HZ */
	s->tcp_keepalive_probes = 9;	  /* TCP_KEEPALIVE_PROBES */
	s->somaxconn = 4096;		  /* SOMAXCONN */
	/* max(128, ehash entries / 128): 2048 on the reference machine */
	s->tcp_max_syn_backlog = 2048;
	s->tcp_abort_on_overflow = 0;
	s->tcp_syncookies = 1;
	s->tcp_invalid_ratelimit = 500;	  /* HZ / 2, shown in ms */
}

void sysctl_dev_init(struct netns *ns, struct ipv4_devconf *cnf)
{
	/* inetdev_init: memcpy(&in_dev->cnf, dev_net(dev)->ipv4.devconf_dflt) */
	*cnf = ns->sysctl.dflt;
	cnf->state = 0;
}

/* ---- effective values (IN_DEV_*) ---- */

static const struct devconf_var *devconf_var_by_idx(enum devconf i)
{
	for (size_t k = 0; k < ARRAY_SIZE(devconf_vars); k++)
		if (devconf_vars[k].idx == i)
			return &devconf_vars[k];
	return NULL;
}

static int devconf_combine(const struct netdev *dev, enum devconf i, int comb)
{
	int all = dev->ns->sysctl.all.data[i];
	int own = __in_dev_get(dev)->cnf.data[i];

	switch (comb) {
	case COMB_OR:
		return all || own;
	case COMB_AND:
		return all && own;
	case COMB_MAX:
		return MAX(all, own);
	case COMB_RX_REDIRECTS:
		/* IN_DEV_RX_REDIRECTS: a router needs both, a host either */
		if (__in_dev_get(dev)->cnf.data[DEVCONF_FORWARDING])
			return all && own;
		return all || own;
	default:
		return own;
	}
}

int devconf_get(const struct netdev *dev, enum devconf i)
{
	if (i <= 0 || i >= DEVCONF_MAX)
		return 0;
	const struct devconf_var *v = devconf_var_by_idx(i);
	return devconf_combine(dev, i, v ? v->combine : COMB_DEV);
}

int devconf_forwarding(const struct netdev *dev)
{
	/* IN_DEV_FORWARD: the device's own value; ip_forward reaches it by
	 * being copied into every device (inet_forward_change) */
	return __in_dev_get(dev)->cnf.data[DEVCONF_FORWARDING];
}

int devconf_rp_filter(const struct netdev *dev)
{
	return devconf_combine(dev, DEVCONF_RP_FILTER, COMB_MAX);
}

int devconf_arp_ignore(const struct netdev *dev)
{
	return devconf_combine(dev, DEVCONF_ARP_IGNORE, COMB_MAX);
}

int devconf_accept_local(const struct netdev *dev)
{
	return devconf_combine(dev, DEVCONF_ACCEPT_LOCAL, COMB_OR);
}

/* ---- writes with the kernel's side effects ---- */

/* inet_forward_change(): all.forwarding was switched to @on. */
static void inet_forward_change(struct netns *ns)
{
	int on = ns->sysctl.all.data[DEVCONF_FORWARDING];

	/* a router does not take redirects: all.accept_redirects = !on */
	ns->sysctl.all.data[DEVCONF_ACCEPT_REDIRECTS] = !on;
	ns->sysctl.dflt.data[DEVCONF_FORWARDING] = on;
	for (struct netdev *d = ns->dev_list; d; d = d->next) {
		/* IN_DEV_CONF_SET marks the value as set on the device */
		__in_dev_get(d)->cnf.data[DEVCONF_FORWARDING] = on;
		__in_dev_get(d)->cnf.state |= 1ull << DEVCONF_FORWARDING;
	}
	ns->dev_gen++;
}

/* devinet_copy_dflt_conf(): a new default reaches devices that never set it. */
static void devinet_copy_dflt_conf(struct netns *ns, enum devconf i)
{
	for (struct netdev *d = ns->dev_list; d; d = d->next)
		if (!(__in_dev_get(d)->cnf.state & (1ull << i)))
			__in_dev_get(d)->cnf.data[i] = ns->sysctl.dflt.data[i];
}

static int devconf_check(const struct devconf_var *v, int64_t val, struct extack *ext)
{
	if (v->flags & DV_RO) {
		EXTACK_MSG(ext, "Permission denied");
		return -EACCES;
	}
	if (val < v->min || val > v->max || ((v->flags & DV_ARP_IGNORE) && val > 4 && val != 8)) {
		EXTACK_MSG(ext, "Invalid argument");
		return -EINVAL;
	}
	return 0;
}

/* Store @val into @cnf (all, default or a device's) as devinet_conf_proc /
 * devinet_sysctl_forward would. Bounds already checked. */
static void devconf_store(struct netns *ns, struct ipv4_devconf *cnf, enum devconf i, int32_t val)
{
	int32_t old = cnf->data[i];

	cnf->data[i] = val;
	cnf->state |= 1ull << i;
	/* Input route hints (route.c) are only valid for one dev_gen: any
	 * devconf (rp_filter, accept_local, route_localnet...) may change
	 * the decision. */
	if (old != val)
		ns->dev_gen++;
	if (i == DEVCONF_FORWARDING) {
		/* devinet_sysctl_forward: effects only when the value changed;
		 * default.forwarding is just stored (new devices only) */
		if (cnf == &ns->sysctl.all && old != val)
			inet_forward_change(ns);
		else if (old != val)
			ns->dev_gen++;
		return;
	}
	if (cnf == &ns->sysctl.dflt)
		devinet_copy_dflt_conf(ns, i);
}

int sysctl_devconf_set(struct netns *ns, struct netdev *dev, enum devconf i, int32_t v,
		       struct extack *ext)
{
	NS_ASSERT_OWNER(ns);
	const struct devconf_var *var = devconf_var_by_idx(i);
	if (!var) {
		EXTACK_MSG(ext, "Unknown devconf attribute");
		return -EINVAL;
	}
	int err = devconf_check(var, v, ext);
	if (err)
		return err;
	devconf_store(ns, dev ? &__in_dev_get(dev)->cnf : &ns->sysctl.all, i, v);
	return 0;
}

/* ---- key parsing ---- */

#define KEY_MAXCOMP 6
#define KEY_COMPLEN 64

struct key_path {
	int n;
	char c[KEY_MAXCOMP][KEY_COMPLEN];
};

/*
 * Split a key into its /proc/sys path components. sysctl(8)'s slashdot():
 * the first separator tells the form; in dotted form a '/' inside a
 * component stands for a '.' (a device named "eth0.100" is written
 * net.ipv4.conf.eth0/100.forwarding), in slash form dots are literal.
 */
static int key_split(const char *key, struct key_path *kp)
{
	const char *first = strpbrk(key, "./");
	char sep = first ? *first : '.';
	char other = sep == '.' ? '/' : '.';
	size_t l = 0;

	kp->n = 0;
	if (!*key)
		return -ENOENT;
	for (const char *p = key;; p++) {
		if (*p == sep || *p == '\0') {
			if (l == 0 || kp->n == KEY_MAXCOMP)
				return -ENOENT;
			kp->c[kp->n++][l] = '\0';
			l = 0;
			if (*p == '\0')
				return 0;
			continue;
		}
		if (l + 1 >= KEY_COMPLEN || kp->n == KEY_MAXCOMP)
			return -ENOENT;
		kp->c[kp->n][l++] = (*p == other && sep == '.') ? '.' : *p;
	}
}

/* What a key names: a namespace-wide value, ip_forward, or one devconf
 * value of all/default/a device. */
struct key_ref {
	const struct net_var *nv;
	const struct devconf_var *dv;
	struct ipv4_devconf *cnf;
	bool ip_forward;
	bool route_flush; /* net.ipv4.route.flush: write-only, 0200 */
	bool port_range;	/* ip_local_port_range: two values */
	const struct sysctl_str *str; /* a registered text key */
};

static int key_resolve(struct netns *ns, const char *key, struct key_ref *r)
{
	struct key_path kp;
	char rel[2 * KEY_COMPLEN + 16];

	memset(r, 0, sizeof(*r));
	if (key_split(key, &kp) || kp.n < 3 || strcmp(kp.c[0], "net"))
		return -ENOENT;
	if (kp.n == 3 && !strcmp(kp.c[1], "core")) {
		for (size_t k = 0; k < ARRAY_SIZE(core_vars); k++)
			if (!strcmp(core_vars[k].name, kp.c[2])) {
				r->nv = &core_vars[k];
				return 0;
			}
		return -ENOENT;
	}
	if (strcmp(kp.c[1], "ipv4"))
		return -ENOENT;
	if (kp.n == 3 && !strcmp(kp.c[2], "ip_forward")) {
		r->ip_forward = true;
		return 0;
	}
	if (kp.n == 3 && !strcmp(kp.c[2], "ip_local_port_range")) {
		r->port_range = true;
		return 0;
	}
	for (unsigned k = 0; kp.n == 3 && k < n_str_vars; k++)
		if (!strcmp(str_vars[k]->name, kp.c[2])) {
			r->str = str_vars[k];
			return 0;
		}
	if (kp.n == 5 && !strcmp(kp.c[2], "conf")) {
		if (!strcmp(kp.c[3], "all")) {
			r->cnf = &ns->sysctl.all;
		} else if (!strcmp(kp.c[3], "default")) {
			r->cnf = &ns->sysctl.dflt;
		} else {
			struct netdev *dev = dev_get_by_name(ns, kp.c[3]);
			if (!dev)
				return -ENOENT;
			r->cnf = &__in_dev_get(dev)->cnf;
		}
		for (size_t k = 0; k < ARRAY_SIZE(devconf_vars); k++)
			if (!strcmp(devconf_vars[k].name, kp.c[4])) {
				r->dv = &devconf_vars[k];
				return 0;
			}
		return -ENOENT;
	}
	if (kp.n == 4 && !strcmp(kp.c[2], "route") && !strcmp(kp.c[3], "flush")) {
		r->route_flush = true;
		return 0;
	}
	/* net.ipv4.X, net.ipv4.route.X or net.ipv4.neigh.default.X */
	if (kp.n == 3)
		snprintf(rel, sizeof(rel), "%s", kp.c[2]);
	else if (kp.n == 4 && !strcmp(kp.c[2], "route"))
		snprintf(rel, sizeof(rel), "route.%s", kp.c[3]);
	else if (kp.n == 5 && !strcmp(kp.c[2], "neigh") && !strcmp(kp.c[3], "default"))
		snprintf(rel, sizeof(rel), "neigh.default.%s", kp.c[4]);
	else
		return -ENOENT;
	for (size_t k = 0; k < ARRAY_SIZE(net_vars); k++)
		if (!strcmp(net_vars[k].name, rel)) {
			r->nv = &net_vars[k];
			return 0;
		}
	return -ENOENT;
}

static int32_t *net_var_ptr(struct netns *ns, const struct net_var *v)
{
	return (int32_t *)((char *)&ns->sysctl + v->off);
}

static int32_t net_var_read(struct netns *ns, const struct net_var *v)
{
	return *net_var_ptr(ns, v) / v->scale;
}

static int net_var_check(struct netns *ns, const struct net_var *v, int64_t val,
			 struct extack *ext)
{
	int64_t lo = v->min, hi = v->max;

	/* ipfrag_high_thresh has extra1 = &low_thresh, ipfrag_low_thresh has
	 * extra2 = &high_thresh (proc_doulongvec_minmax bounds) */
	if (v->off == offsetof(struct sysctl_net, ipfrag_high_thresh))
		lo = ns->sysctl.ipfrag_low_thresh;
	if (v->off == offsetof(struct sysctl_net, ipfrag_low_thresh))
		hi = ns->sysctl.ipfrag_high_thresh;
	if (val < lo || val > hi) {
		EXTACK_MSG(ext, "Invalid argument");
		return -EINVAL;
	}
	return 0;
}

/* proc_dointvec's parser: optional spaces and sign, digits, then only
 * whitespace (echo's newline). */
static int parse_int(const char *s, int64_t *out)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')))
		return -EINVAL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || errno == ERANGE || v < INT32_MIN || v > INT32_MAX)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * net.ipv4.ip_local_port_range (ipv4_local_port_range): two integers, low
 * then high, 1 <= low <= high <= 65535; what follows them is ignored, as
 * proc_dointvec stops at its vector's end; one value alone is refused.
 */
static int port_range_set(struct netns *ns, const char *val, struct extack *ext)
{
	long v[2];
	const char *p = val;
	char *end;

	for (int i = 0; i < 2; i++) {
		while (p && (*p == ' ' || *p == '\t'))
			p++;
		if (!p || !(*p == '+' || (*p >= '0' && *p <= '9')))
			goto inval;
		errno = 0;
		v[i] = strtol(p, &end, 10);
		if (errno || end == p || (*end && *end != ' ' && *end != '\t' && *end != '\n'))
			goto inval;
		p = end;
	}
	if (v[0] < 1 || v[1] > 65535 || v[1] < v[0])
		goto inval;
	ns->sysctl.ip_local_port_range[0] = (int32_t)v[0];
	ns->sysctl.ip_local_port_range[1] = (int32_t)v[1];
	return 0;
inval:
	EXTACK_MSG(ext, "Invalid argument");
	return -EINVAL;
}

static int str_var_set(struct netns *ns, const struct sysctl_str *sv, const char *val,
		       struct extack *ext)
{
	int err;

	if (!sv->set) {
		EXTACK_MSG(ext, "Permission denied");
		return -EACCES;
	}
	err = sv->set(ns, val ? val : "");
	if (err)
		EXTACK_MSG(ext, strerror(-err));
	return err;
}

int sysctl_get(struct netns *ns, const char *key, char *buf, size_t len)
{
	struct key_ref r;

	NS_ASSERT_OWNER(ns);
	if (key_resolve(ns, key, &r))
		return -ENOENT;
	/* write-only: /proc refuses to read it (sysctl(8) skips it) */
	if (r.route_flush)
		return -EACCES;
	if (r.port_range) {
		snprintf(buf, len, "%d\t%d", ns->sysctl.ip_local_port_range[0],
			 ns->sysctl.ip_local_port_range[1]);
		return 0;
	}
	if (r.str)
		return r.str->get(ns, buf, len);
	int32_t v;
	if (r.ip_forward)
		v = ns->sysctl.all.data[DEVCONF_FORWARDING];
	else if (r.dv)
		v = r.cnf->data[r.dv->idx]; /* /proc shows the stored value, not IN_DEV_* */
	else
		v = net_var_read(ns, r.nv);
	snprintf(buf, len, "%d", v);
	return 0;
}

int sysctl_set(struct netns *ns, const char *key, const char *val, struct extack *ext)
{
	struct key_ref r;
	int64_t v;
	int err;

	NS_ASSERT_OWNER(ns);
	if (key_resolve(ns, key, &r)) {
		EXTACK_MSG(ext, "No such file or directory");
		return -ENOENT;
	}
	/* ipv4_sysctl_rtcache_flush: any write flushes (rt_cache_flush):
	 * every route exception made before it is stale */
	if (r.route_flush) {
		ns->rt_genid++;
		return 0;
	}
	if (r.port_range)
		return port_range_set(ns, val, ext);
	if (r.str)
		return str_var_set(ns, r.str, val, ext);
	if (!val || parse_int(val, &v)) {
		EXTACK_MSG(ext, "Invalid argument");
		return -EINVAL;
	}
	if (r.ip_forward) {
		/* ipv4_sysctl_forward is devinet_sysctl_forward on all.forwarding */
		r.cnf = &ns->sysctl.all;
		r.dv = devconf_var_by_idx(DEVCONF_FORWARDING);
	}
	if (r.dv) {
		err = devconf_check(r.dv, v, ext);
		if (err)
			return err;
		devconf_store(ns, r.cnf, r.dv->idx, (int32_t)v);
		return 0;
	}
	err = net_var_check(ns, r.nv, v, ext);
	if (err)
		return err;
	*net_var_ptr(ns, r.nv) = (int32_t)(v * r.nv->scale);
	return 0;
}

/* ---- sysctl -a ---- */

struct walk_ent {
	char key[128];
	char val[64];
};

struct walk_buf {
	struct walk_ent *e;
	size_t n, cap;
};

static void walk_add(struct walk_buf *w, int32_t val, const char *fmt, ...) __printf(3, 4);
static struct walk_ent *walk_add_ent(struct walk_buf *w)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 128;
		struct walk_ent *e = realloc(w->e, cap * sizeof(*e));
		if (!e)
			return NULL; /* out of memory: list what we have */
		w->e = e;
		w->cap = cap;
	}
	return &w->e[w->n++];
}

static void walk_add(struct walk_buf *w, int32_t val, const char *fmt, ...)
{
	struct walk_ent *e = walk_add_ent(w);
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->key, sizeof(e->key), fmt, ap);
	va_end(ap);
	snprintf(e->val, sizeof(e->val), "%d", val);
}

/* /proc/sys keeps each directory sorted by name: compare component-wise. */
static int walk_cmp(const void *a, const void *b)
{
	const char *x = ((const struct walk_ent *)a)->key;
	const char *y = ((const struct walk_ent *)b)->key;

	for (;;) {
		size_t lx = strcspn(x, "."), ly = strcspn(y, ".");
		int c = memcmp(x, y, MIN(lx, ly));
		if (c)
			return c;
		if (lx != ly)
			return lx < ly ? -1 : 1;
		if (!x[lx] || !y[ly])
			return !x[lx] ? (y[ly] ? -1 : 0) : 1;
		x += lx + 1;
		y += ly + 1;
	}
}

static void walk_conf(struct walk_buf *w, const char *name, const struct ipv4_devconf *cnf)
{
	char dotted[IFNAMSIZ];

	/* sysctl prints a '.' of a device name as '/' */
	snprintf(dotted, sizeof(dotted), "%s", name);
	for (char *p = dotted; *p; p++)
		if (*p == '.')
			*p = '/';
	for (size_t k = 0; k < ARRAY_SIZE(devconf_vars); k++)
		walk_add(w, cnf->data[devconf_vars[k].idx], "net.ipv4.conf.%s.%s", dotted,
			 devconf_vars[k].name);
}

void sysctl_walk(struct netns *ns, sysctl_walk_fn fn, void *arg)
{
	struct walk_buf w = { 0 };

	NS_ASSERT_OWNER(ns);
	walk_add(&w, ns->sysctl.all.data[DEVCONF_FORWARDING], "net.ipv4.ip_forward");
	struct walk_ent *pr = walk_add_ent(&w);
	if (pr) {
		snprintf(pr->key, sizeof(pr->key), "net.ipv4.ip_local_port_range");
		snprintf(pr->val, sizeof(pr->val), "%d\t%d", ns->sysctl.ip_local_port_range[0],
			 ns->sysctl.ip_local_port_range[1]);
	}
	for (size_t k = 0; k < ARRAY_SIZE(core_vars); k++)
		walk_add(&w, net_var_read(ns, &core_vars[k]), "net.core.%s", core_vars[k].name);
	for (size_t k = 0; k < ARRAY_SIZE(net_vars); k++)
		walk_add(&w, net_var_read(ns, &net_vars[k]), "net.ipv4.%s", net_vars[k].name);
	for (unsigned k = 0; k < n_str_vars; k++) {
		struct walk_ent *e = walk_add_ent(&w);

		if (!e)
			break;
		snprintf(e->key, sizeof(e->key), "net.ipv4.%s", str_vars[k]->name);
		if (str_vars[k]->get(ns, e->val, sizeof(e->val)))
			w.n--; /* unreadable: sysctl -a skips it */
	}
	walk_conf(&w, "all", &ns->sysctl.all);
	walk_conf(&w, "default", &ns->sysctl.dflt);
	for (struct netdev *d = ns->dev_list; d; d = d->next)
		walk_conf(&w, d->name, &__in_dev_get(d)->cnf);
	qsort(w.e, w.n, sizeof(*w.e), walk_cmp);
	for (size_t i = 0; i < w.n; i++)
		fn(w.e[i].key, w.e[i].val, arg);
	free(w.e);
}

static int sysctl_net_ops_init(struct netns *ns)
{
	sysctl_net_init(&ns->sysctl);
	return 0;
}

/* First of the subsystems: every other one, and each new device's
 * devconf, reads the namespace's sysctls. */
static const struct pernet_operations sysctl_net_ops = {
	.name = "sysctl",
	.init = sysctl_net_ops_init,
};

void sysctl_init(void)
{
	register_pernet_subsys(&sysctl_net_ops);
}
