// SPDX-License-Identifier: MIT
/*
 * Unit tests for netns/core/sysctl.c: Linux's defaults for a new namespace,
 * ip_forward propagation (inet_forward_change), conf.default reaching only
 * new or untouched devices, the effective values read as max/or of all and
 * the device, bounds and parse errors that change nothing, unknown keys,
 * slash form and `sysctl -a` order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness/harness.h"
#include "netns/core/sysctl.h"


/* sysctl_get as an int; fails the test if the key is missing. */
static int get(struct netns *ns, const char *key)
{
	char buf[32];

	assert_int_equal(sysctl_get(ns, key, buf, sizeof(buf)), 0);
	return atoi(buf);
}

static void set_ok(struct netns *ns, const char *key, const char *val)
{
	struct extack ext = { 0 };

	assert_int_equal(sysctl_set(ns, key, val, &ext), 0);
}

static void test_sysctl_defaults_match_new_linux_netns(void **state)
{
	struct netns *ns = h_ns("s");

	(void)state;
	assert_int_equal(get(ns, "net.ipv4.ip_forward"), 0);
	assert_int_equal(get(ns, "net.ipv4.ip_default_ttl"), 64);
	assert_int_equal(get(ns, "net.ipv4.icmp_echo_ignore_all"), 0);
	assert_int_equal(get(ns, "net.ipv4.icmp_echo_ignore_broadcasts"), 1);
	assert_int_equal(get(ns, "net.ipv4.icmp_ratelimit"), 1000);
	assert_int_equal(get(ns, "net.ipv4.icmp_ratemask"), 6168);
	assert_int_equal(get(ns, "net.ipv4.icmp_msgs_per_sec"), 1000);
	assert_int_equal(get(ns, "net.ipv4.icmp_msgs_burst"), 50);
	assert_int_equal(get(ns, "net.ipv4.ipfrag_high_thresh"), 4194304);
	assert_int_equal(get(ns, "net.ipv4.ipfrag_low_thresh"), 3145728);
	assert_int_equal(get(ns, "net.ipv4.ipfrag_time"), 30);
	assert_int_equal(get(ns, "net.ipv4.conf.all.rp_filter"), 0);
	assert_int_equal(get(ns, "net.ipv4.conf.default.rp_filter"), 0);
	assert_int_equal(get(ns, "net.ipv4.conf.all.accept_redirects"), 1);
	assert_int_equal(get(ns, "net.ipv4.conf.default.send_redirects"), 1);
	assert_int_equal(get(ns, "net.ipv4.conf.all.secure_redirects"), 1);
	assert_int_equal(get(ns, "net.ipv4.conf.all.accept_source_route"), 0);
	assert_int_equal(get(ns, "net.ipv4.conf.default.accept_source_route"), 1);
	assert_int_equal(get(ns, "net.ipv4.conf.lo.forwarding"), 0);
	assert_int_equal(get(ns, "net.ipv4.neigh.default.base_reachable_time_ms"), 30000);
	assert_int_equal(get(ns, "net.ipv4.neigh.default.retrans_time_ms"), 1000);
	assert_int_equal(get(ns, "net.ipv4.neigh.default.delay_first_probe_time"), 5);
	assert_int_equal(get(ns, "net.ipv4.neigh.default.gc_stale_time"), 60);
	assert_int_equal(get(ns, "net.ipv4.neigh.default.ucast_solicit"), 3);
	assert_int_equal(get(ns, "net.ipv4.neigh.default.mcast_solicit"), 3);
	assert_int_equal(get(ns, "net.ipv4.neigh.default.unres_qlen"), 101);
}

static void test_sysctl_ip_forward_propagates_to_every_device(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	struct netdev *b = h_fake_dev(ns, "eth1", NULL);

	(void)state;
	set_ok(ns, "net.ipv4.ip_forward", "1");
	assert_int_equal(devconf_forwarding(a), 1);
	assert_int_equal(devconf_forwarding(b), 1);
	assert_int_equal(devconf_forwarding(ns->lo), 1);
	assert_int_equal(get(ns, "net.ipv4.conf.all.forwarding"), 1);
	assert_int_equal(get(ns, "net.ipv4.conf.default.forwarding"), 1);
	assert_int_equal(get(ns, "net.ipv4.conf.eth1.forwarding"), 1);
	/* inet_forward_change: a router stops accepting redirects */
	assert_int_equal(get(ns, "net.ipv4.conf.all.accept_redirects"), 0);

	set_ok(ns, "net.ipv4.ip_forward", "0");
	assert_int_equal(devconf_forwarding(a), 0);
	assert_int_equal(get(ns, "net.ipv4.conf.default.forwarding"), 0);
	assert_int_equal(get(ns, "net.ipv4.conf.all.accept_redirects"), 1);
}

static void test_sysctl_all_forwarding_acts_as_ip_forward(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);

	(void)state;
	set_ok(ns, "net.ipv4.conf.all.forwarding", "1");
	assert_int_equal(get(ns, "net.ipv4.ip_forward"), 1);
	assert_int_equal(devconf_forwarding(a), 1);
	assert_int_equal(get(ns, "net.ipv4.conf.default.forwarding"), 1);
}

static void test_sysctl_devconf_set_all_forwarding_propagates(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);

	(void)state;
	assert_int_equal(sysctl_devconf_set(ns, NULL, DEVCONF_FORWARDING, 1, NULL), 0);
	assert_int_equal(devconf_forwarding(a), 1);
	assert_int_equal(sysctl_devconf_set(ns, a, DEVCONF_RP_FILTER, 3, NULL), -EINVAL);
	assert_int_equal(devconf_rp_filter(a), 0);
}

static void test_sysctl_dev_forwarding_sets_only_that_device(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	struct netdev *b = h_fake_dev(ns, "eth1", NULL);

	(void)state;
	set_ok(ns, "net.ipv4.conf.eth0.forwarding", "1");
	assert_int_equal(devconf_forwarding(a), 1);
	assert_int_equal(devconf_forwarding(b), 0);
	assert_int_equal(get(ns, "net.ipv4.ip_forward"), 0);
	assert_int_equal(get(ns, "net.ipv4.conf.default.forwarding"), 0);
}

static void test_sysctl_ip_forward_rewrite_same_value_leaves_devices(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);

	(void)state;
	set_ok(ns, "net.ipv4.ip_forward", "1");
	set_ok(ns, "net.ipv4.conf.eth0.forwarding", "0");
	/* devinet_sysctl_forward acts only when the value changes */
	set_ok(ns, "net.ipv4.ip_forward", "1");
	assert_int_equal(devconf_forwarding(a), 0);
}

static void test_sysctl_default_forwarding_applies_to_new_devices_only(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *old = h_fake_dev(ns, "eth0", NULL);

	(void)state;
	set_ok(ns, "net.ipv4.conf.default.forwarding", "1");
	assert_int_equal(devconf_forwarding(old), 0);
	assert_int_equal(get(ns, "net.ipv4.ip_forward"), 0);
	struct netdev *new = h_fake_dev(ns, "eth1", NULL);
	assert_int_equal(devconf_forwarding(new), 1);
}

static void test_sysctl_default_rp_filter_reaches_only_untouched_devices(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	struct netdev *b = h_fake_dev(ns, "eth1", NULL);

	(void)state;
	set_ok(ns, "net.ipv4.conf.eth1.rp_filter", "0"); /* explicitly set */
	/* devinet_copy_dflt_conf: devices that never set the value follow */
	set_ok(ns, "net.ipv4.conf.default.rp_filter", "2");
	assert_int_equal(get(ns, "net.ipv4.conf.eth0.rp_filter"), 2);
	assert_int_equal(get(ns, "net.ipv4.conf.eth1.rp_filter"), 0);
	assert_int_equal(devconf_rp_filter(a), 2);
	assert_int_equal(devconf_rp_filter(b), 0);
	struct netdev *c = h_fake_dev(ns, "eth2", NULL);
	assert_int_equal(devconf_rp_filter(c), 2);
}

static void test_sysctl_rp_filter_effective_is_max_of_all_and_dev(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);

	(void)state;
	set_ok(ns, "net.ipv4.conf.eth0.rp_filter", "1");
	assert_int_equal(devconf_rp_filter(a), 1);
	set_ok(ns, "net.ipv4.conf.all.rp_filter", "2");
	assert_int_equal(devconf_rp_filter(a), 2);
	/* /proc shows the stored value, not the effective one */
	assert_int_equal(get(ns, "net.ipv4.conf.eth0.rp_filter"), 1);
	set_ok(ns, "net.ipv4.conf.all.rp_filter", "0");
	assert_int_equal(devconf_rp_filter(a), 1);
}

static void test_sysctl_arp_ignore_max_and_accept_local_or(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);

	(void)state;
	set_ok(ns, "net.ipv4.conf.all.arp_ignore", "2");
	set_ok(ns, "net.ipv4.conf.eth0.arp_ignore", "1");
	assert_int_equal(devconf_arp_ignore(a), 2);
	assert_int_equal(devconf_accept_local(a), 0);
	set_ok(ns, "net.ipv4.conf.all.accept_local", "1");
	assert_int_equal(devconf_accept_local(a), 1);
	assert_int_equal(devconf_get(a, DEVCONF_ACCEPT_LOCAL), 1);
}

static void test_sysctl_out_of_bounds_is_einval_and_changes_nothing(void **state)
{
	struct netns *ns = h_ns("s");
	struct extack ext = { 0 };

	(void)state;
	h_fake_dev(ns, "eth0", NULL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_default_ttl", "0", &ext), -EINVAL);
	assert_string_equal(ext.msg, "Invalid argument");
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_default_ttl", "256", NULL), -EINVAL);
	assert_int_equal(get(ns, "net.ipv4.ip_default_ttl"), 64);
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_forward", "2", NULL), -EINVAL);
	assert_int_equal(get(ns, "net.ipv4.ip_forward"), 0);
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.rp_filter", "3", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.all.rp_filter", "-1", NULL), -EINVAL);
	assert_int_equal(get(ns, "net.ipv4.conf.eth0.rp_filter"), 0);
	/* arp_ignore defines 0-4 and 8 only */
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.arp_ignore", "5", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.arp_ignore", "9", NULL), -EINVAL);
	assert_int_equal(get(ns, "net.ipv4.conf.eth0.arp_ignore"), 0);
	set_ok(ns, "net.ipv4.conf.eth0.arp_ignore", "8");
	assert_int_equal(get(ns, "net.ipv4.conf.eth0.arp_ignore"), 8);
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.arp_announce", "3", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.icmp_ratelimit", "-5", NULL), -EINVAL);
	assert_int_equal(get(ns, "net.ipv4.icmp_ratelimit"), 1000);
}

static void test_sysctl_garbage_value_is_einval(void **state)
{
	struct netns *ns = h_ns("s");
	struct extack ext = { 0 };

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_default_ttl", "abc", &ext), -EINVAL);
	assert_string_equal(ext.msg, "Invalid argument");
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_default_ttl", "12x", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_default_ttl", "", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.icmp_ratelimit", "99999999999", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_default_ttl", NULL, NULL), -EINVAL);
	assert_int_equal(get(ns, "net.ipv4.ip_default_ttl"), 64);
	/* echo's newline and surrounding blanks are fine */
	set_ok(ns, "net.ipv4.ip_default_ttl", "32\n");
	assert_int_equal(get(ns, "net.ipv4.ip_default_ttl"), 32);
	set_ok(ns, "net.ipv4.ip_default_ttl", " 33 ");
	assert_int_equal(get(ns, "net.ipv4.ip_default_ttl"), 33);
}

static void test_sysctl_unknown_key_is_enoent(void **state)
{
	struct netns *ns = h_ns("s");
	struct extack ext = { 0 };
	char buf[16];

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.foo", "1", &ext), -ENOENT);
	assert_string_equal(ext.msg, "No such file or directory");
	assert_int_equal(sysctl_get(ns, "net.ipv4.foo", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sysctl_get(ns, "net.ipv4.conf.nodev.forwarding", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(sysctl_get(ns, "net.ipv4.conf.all.nokey", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sysctl_get(ns, "net.ipv6.conf.all.forwarding", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(sysctl_get(ns, "net.ipv4..ip_forward", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sysctl_get(ns, "", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sysctl_get(ns, "net.ipv4.neigh.eth0.retrans_time_ms", buf, sizeof(buf)),
			 -ENOENT);
}

static void test_sysctl_slash_form_accepted(void **state)
{
	struct netns *ns = h_ns("s");

	(void)state;
	set_ok(ns, "net/ipv4/ip_forward", "1");
	assert_int_equal(get(ns, "net.ipv4.ip_forward"), 1);
	assert_int_equal(get(ns, "net/ipv4/conf/all/forwarding"), 1);
	assert_int_equal(get(ns, "net/ipv4/neigh/default/ucast_solicit"), 3);
}

static void test_sysctl_device_name_with_dot(void **state)
{
	struct netns *ns = h_ns("s");
	struct netdev *v = h_fake_dev(ns, "eth0.100", NULL);

	(void)state;
	/* sysctl(8) writes the dot of a device name as '/' in dotted form */
	set_ok(ns, "net.ipv4.conf.eth0/100.rp_filter", "1");
	assert_int_equal(devconf_rp_filter(v), 1);
	assert_int_equal(get(ns, "net/ipv4/conf/eth0.100/rp_filter"), 1);
}

static void test_sysctl_mc_forwarding_is_read_only(void **state)
{
	struct netns *ns = h_ns("s");

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.all.mc_forwarding", "1", NULL), -EACCES);
	assert_int_equal(get(ns, "net.ipv4.conf.all.mc_forwarding"), 0);
}

static void test_sysctl_ipfrag_low_thresh_bounded_by_high(void **state)
{
	struct netns *ns = h_ns("s");

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.ipfrag_low_thresh", "4194305", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.ipfrag_high_thresh", "3145727", NULL), -EINVAL);
	set_ok(ns, "net.ipv4.ipfrag_low_thresh", "1000");
	set_ok(ns, "net.ipv4.ipfrag_high_thresh", "2000");
	assert_int_equal(ns->sysctl.ipfrag_high_thresh, 2000);
}

static void test_sysctl_neigh_times_in_kernel_units(void **state)
{
	struct netns *ns = h_ns("s");

	(void)state;
	/* retrans_time is in USER_HZ (1/100 s), base_reachable_time in s */
	assert_int_equal(get(ns, "net.ipv4.neigh.default.retrans_time"), 100);
	set_ok(ns, "net.ipv4.neigh.default.retrans_time", "50");
	assert_int_equal(get(ns, "net.ipv4.neigh.default.retrans_time_ms"), 500);
	set_ok(ns, "net.ipv4.neigh.default.base_reachable_time", "10");
	assert_int_equal(ns->sysctl.neigh_base_reachable_time_ms, 10000);
}

struct walk_ctx {
	unsigned n;
	char prev[128];
	bool sorted, saw_lo, saw_dev, saw_neigh;
	char first[128];
};

static void walk_cb(const char *key, const char *val, void *arg)
{
	struct walk_ctx *w = arg;

	(void)val;
	if (w->n == 0)
		snprintf(w->first, sizeof(w->first), "%s", key);
	else if (strcmp(w->prev, key) >= 0)
		w->sorted = false;
	snprintf(w->prev, sizeof(w->prev), "%s", key);
	w->n++;
	if (!strcmp(key, "net.ipv4.conf.lo.rp_filter"))
		w->saw_lo = true;
	if (!strcmp(key, "net.ipv4.conf.veth9.forwarding"))
		w->saw_dev = true;
	if (!strcmp(key, "net.ipv4.neigh.default.unres_qlen"))
		w->saw_neigh = true;
}

static void test_sysctl_walk_lists_every_key_sorted(void **state)
{
	struct netns *ns = h_ns("s");
	struct walk_ctx w = { .sorted = true };

	(void)state;
	h_fake_dev(ns, "veth9", NULL);
	sysctl_walk(ns, walk_cb, &w);
	assert_true(w.sorted);
	assert_true(w.saw_lo);
	assert_true(w.saw_dev);
	assert_true(w.saw_neigh);
	assert_string_equal(w.first, "net.core.somaxconn"); /* net.core sorts first */
	assert_string_equal(w.prev, "net.ipv4.tcp_window_scaling");
	/* every key listed can be read back */
	char buf[16];
	assert_int_equal(sysctl_get(ns, "net.ipv4.conf.veth9.bc_forwarding", buf, sizeof(buf)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, h_cm_setup, h_cm_teardown)
		T(test_sysctl_defaults_match_new_linux_netns),
		T(test_sysctl_ip_forward_propagates_to_every_device),
		T(test_sysctl_all_forwarding_acts_as_ip_forward),
		T(test_sysctl_devconf_set_all_forwarding_propagates),
		T(test_sysctl_dev_forwarding_sets_only_that_device),
		T(test_sysctl_ip_forward_rewrite_same_value_leaves_devices),
		T(test_sysctl_default_forwarding_applies_to_new_devices_only),
		T(test_sysctl_default_rp_filter_reaches_only_untouched_devices),
		T(test_sysctl_rp_filter_effective_is_max_of_all_and_dev),
		T(test_sysctl_arp_ignore_max_and_accept_local_or),
		T(test_sysctl_out_of_bounds_is_einval_and_changes_nothing),
		T(test_sysctl_garbage_value_is_einval),
		T(test_sysctl_unknown_key_is_enoent),
		T(test_sysctl_slash_form_accepted),
		T(test_sysctl_device_name_with_dot),
		T(test_sysctl_mc_forwarding_is_read_only),
		T(test_sysctl_ipfrag_low_thresh_bounded_by_high),
		T(test_sysctl_neigh_times_in_kernel_units),
		T(test_sysctl_walk_lists_every_key_sorted),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
