// SPDX-License-Identifier: MIT
/*
 * Unit tests for netns/ipv4/fib.c: route insertion with fib_table_insert's
 * EXCL/REPLACE/APPEND rules and fib_check_nh's gateway validation, deletion
 * with wildcards, lookups (longest prefix, local before main, metrics,
 * route types, backtracking), dumps, and device down/up/unregister.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/harness/harness.h"

#include "netns/ipv4/fib.h"
#include "netns/core/sysctl.h"

static int setup(void **state)
{
	h_setup();
	return 0;
}

static int teardown(void **state)
{
	h_teardown();
	return 0;
}

/* A fake device with @addr/@plen configured (connected route in main). */
static struct netdev *dev_addr(struct netns *ns, const char *name, const char *addr, int plen)
{
	struct netdev *dev = h_fake_dev(ns, name, NULL);

	assert_int_equal(inet_addr_add(dev, h_ip(addr), (uint8_t)plen, 0, RT_SCOPE_UNIVERSE, NULL,
				       NULL),
			 0);
	h_tx_flush(dev);
	return dev;
}

static struct fib_config rcfg(const char *dst, int len, const char *gw, struct netdev *dev)
{
	return (struct fib_config){
		.table = RT_TABLE_MAIN,
		.dst = dst ? h_ip(dst) : 0,
		.dst_len = (uint8_t)len,
		.type = RTN_UNICAST,
		.scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
		.protocol = RTPROT_BOOT,
		.gw = gw ? h_ip(gw) : 0,
		.oif = dev ? dev->ifindex : 0,
		.nlflags = NLM_F_CREATE | NLM_F_EXCL,
	};
}

static struct fib_config del_cfg(const char *dst, int len)
{
	return (struct fib_config){ .table = RT_TABLE_MAIN, .dst = h_ip(dst),
				    .dst_len = (uint8_t)len, .scope = RT_SCOPE_NOWHERE };
}

struct find {
	uint32_t table, dst;
	uint8_t len, type;
	const struct fib_route *r;
	unsigned n;
};

/* Walks hand out views valid during the call: keep a copy (a few at a
 * time, for tests that hold more than one). */
static const struct fib_route *keep_route(const struct fib_route *r)
{
	static struct fib_route kept[4];
	static unsigned next;

	kept[next % 4] = *r;
	return &kept[next++ % 4];
}

static int find_cb(const struct fib_route *r, void *arg)
{
	struct find *f = arg;

	if (r->cfg.table == f->table && r->cfg.dst == f->dst && r->cfg.dst_len == f->len &&
	    r->cfg.type == f->type) {
		if (!f->r)
			f->r = keep_route(r);
		f->n++;
	}
	return 0;
}

static const struct fib_route *find_route(struct netns *ns, uint32_t table, const char *dst,
					  int len, uint8_t type)
{
	struct find f = { table, h_ip(dst), (uint8_t)len, type, NULL, 0 };

	fib_walk(ns, find_cb, &f);
	return f.r;
}

/* The route a lookup chose, as a view (NULL if none). */
static const struct fib_route *res_route(struct netns *ns, const struct fib_result *res)
{
	static struct fib_route r;

	return fib_result_route(ns, res, &r) ? &r : NULL;
}

static void test_fib_device_route_is_looked_up(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_config c = rcfg("192.168.5.0", 24, NULL, eth);
	struct fib_result res;

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("192.168.5.77"), &res), 0);
	assert_int_equal(res.type, RTN_UNICAST);
	assert_ptr_equal(res.dev, eth);
	assert_int_equal(res.gw, 0);
	assert_int_equal(res.prefixlen, 24);
	assert_int_equal(res.table, RT_TABLE_MAIN);
	assert_int_equal(fib_lookup(ns, h_ip("192.168.6.1"), &res), -ENETUNREACH);
}

static void test_fib_longest_prefix_wins(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct netdev *b = dev_addr(ns, "eth1", "10.1.0.1", 24);
	struct fib_config c;
	struct fib_result res;

	c = rcfg(NULL, 0, "10.0.0.254", NULL);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	c = rcfg("172.16.0.0", 12, "10.1.0.254", NULL);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("172.16.9.9"), &res), 0);
	assert_ptr_equal(res.dev, b);
	assert_int_equal(res.gw, h_ip("10.1.0.254"));
	assert_int_equal(fib_lookup(ns, h_ip("8.8.8.8"), &res), 0);
	assert_ptr_equal(res.dev, a);
	assert_int_equal(res.gw, h_ip("10.0.0.254"));
	assert_int_equal(res.prefixlen, 0);
}

static void test_fib_add_excl_existing_is_eexist(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, eth);
	unsigned n;

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	n = fib_route_count(ns);
	assert_int_equal(fib_route_add(ns, &c, NULL), -EEXIST);
	assert_int_equal(fib_route_count(ns), n);
}

static void test_fib_replace_replaces_first_route(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	struct netdev *b = h_fake_dev(ns, "eth1", NULL);
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, a);
	struct fib_result res;
	unsigned n;

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	n = fib_route_count(ns);
	c = rcfg("10.9.0.0", 16, NULL, b);
	c.nlflags = NLM_F_CREATE | NLM_F_REPLACE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_route_count(ns), n);
	assert_int_equal(fib_lookup(ns, h_ip("10.9.1.1"), &res), 0);
	assert_ptr_equal(res.dev, b);
}

static void test_fib_replace_without_create_is_enoent(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, eth);

	c.nlflags = NLM_F_REPLACE;
	assert_int_equal(fib_route_add(ns, &c, NULL), -ENOENT);
	c.nlflags = NLM_F_REPLACE | NLM_F_CREATE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
}

static void test_fib_append_adds_second_route_same_metric(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	struct netdev *b = h_fake_dev(ns, "eth1", NULL);
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, a);
	struct fib_result res;
	unsigned n;

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	n = fib_route_count(ns);
	c = rcfg("10.9.0.0", 16, NULL, b);
	c.nlflags = NLM_F_CREATE | NLM_F_APPEND;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_route_count(ns), n + 1);
	/* appended after: the first one still answers */
	assert_int_equal(fib_lookup(ns, h_ip("10.9.1.1"), &res), 0);
	assert_ptr_equal(res.dev, a);
	/* an identical route is refused even with APPEND */
	assert_int_equal(fib_route_add(ns, &c, NULL), -EEXIST);
}

static void test_fib_lower_metric_is_preferred(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	struct netdev *b = h_fake_dev(ns, "eth1", NULL);
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, a);
	struct fib_result res;

	c.priority = 100;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	c = rcfg("10.9.0.0", 16, NULL, b);
	c.priority = 10;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.9.1.1"), &res), 0);
	assert_ptr_equal(res.dev, b);
}

static void test_fib_gateway_not_onlink_is_enetunreach(void **state)
{
	struct netns *ns = h_ns("a");
	struct fib_config c;
	struct extack ext = { 0 };

	dev_addr(ns, "eth0", "10.0.0.1", 24);
	c = rcfg("192.168.0.0", 16, "10.5.5.5", NULL);
	assert_int_equal(fib_route_add(ns, &c, &ext), -ENETUNREACH);
	assert_string_equal(ext.msg, "Nexthop has invalid gateway");
	assert_int_equal(fib_lookup(ns, h_ip("192.168.1.1"), &(struct fib_result){ 0 }),
			 -ENETUNREACH);
}

static void test_fib_gateway_behind_gateway_is_rejected(void **state)
{
	struct netns *ns = h_ns("a");
	struct fib_config c;
	struct extack ext = { 0 };

	dev_addr(ns, "eth0", "10.0.0.1", 24);
	c = rcfg("172.16.0.0", 12, "10.0.0.2", NULL);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	/* 172.16.0.9 is reachable, but only through a gateway: not on-link */
	c = rcfg("192.168.0.0", 16, "172.16.0.9", NULL);
	assert_int_equal(fib_route_add(ns, &c, &ext), -ENETUNREACH);
	assert_string_equal(ext.msg, "Nexthop has invalid gateway");
}

static void test_fib_gateway_resolves_device(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct fib_config c = rcfg("192.168.0.0", 16, "10.0.0.2", NULL);
	const struct fib_route *r;

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	r = find_route(ns, RT_TABLE_MAIN, "192.168.0.0", 16, RTN_UNICAST);
	assert_non_null(r);
	assert_ptr_equal(r->dev, eth);
	assert_int_equal(r->cfg.oif, eth->ifindex);
	assert_int_equal(r->cfg.scope, RT_SCOPE_UNIVERSE);
}

static void test_fib_gateway_via_other_oif_is_rejected(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *b;
	struct fib_config c;

	dev_addr(ns, "eth0", "10.0.0.1", 24);
	b = dev_addr(ns, "eth1", "10.1.0.1", 24);
	c = rcfg("192.168.0.0", 16, "10.0.0.2", b);
	assert_int_equal(fib_route_add(ns, &c, NULL), -ENETUNREACH);
}

static void test_fib_unknown_oif_is_enodev(void **state)
{
	struct netns *ns = h_ns("a");
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, NULL);
	struct extack ext = { 0 };

	c.oif = 77;
	assert_int_equal(fib_route_add(ns, &c, &ext), -ENODEV);
	assert_string_equal(ext.msg, "Cannot find device");
}

static void test_fib_unicast_without_dev_or_gw_is_enodev(void **state)
{
	struct netns *ns = h_ns("a");
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, NULL);
	unsigned n = fib_route_count(ns);

	/* as Linux: `route add -net 10.9.0.0/16` answers "No such device" */
	assert_int_equal(fib_route_add(ns, &c, NULL), -ENODEV);
	assert_int_equal(fib_route_count(ns), n);
}

static void test_fib_host_bits_in_prefix_are_einval(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_config c = rcfg("10.9.0.1", 16, NULL, eth);
	struct extack ext = { 0 };

	assert_int_equal(fib_route_add(ns, &c, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Invalid prefix for given prefix length");
	c = rcfg("10.9.0.0", 33, NULL, eth);
	assert_int_equal(fib_route_add(ns, &c, &ext), -EINVAL);
}

static void test_fib_device_down_route_add_is_enetdown(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, eth);

	dev_close(eth);
	assert_int_equal(fib_route_add(ns, &c, NULL), -ENETDOWN);
}

static void test_fib_blackhole_route_needs_no_device(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_config c = rcfg("10.66.0.0", 16, NULL, NULL);
	struct fib_result res;
	struct extack ext = { 0 };

	c.type = RTN_BLACKHOLE;
	c.scope = RT_SCOPE_UNIVERSE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.66.1.2"), &res), 0);
	assert_int_equal(res.type, RTN_BLACKHOLE);
	assert_null(res.dev);
	/* a device does not go with a blackhole */
	c = rcfg("10.67.0.0", 16, NULL, eth);
	c.type = RTN_BLACKHOLE;
	c.scope = RT_SCOPE_UNIVERSE;
	assert_int_equal(fib_route_add(ns, &c, &ext), -EINVAL);
}

static void test_fib_unreachable_and_prohibit_types_are_returned(void **state)
{
	struct netns *ns = h_ns("a");
	struct fib_config c = rcfg("10.66.0.0", 16, NULL, NULL);
	struct fib_result res;

	c.type = RTN_UNREACHABLE;
	c.scope = RT_SCOPE_UNIVERSE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	c = rcfg("10.67.0.0", 16, NULL, NULL);
	c.type = RTN_PROHIBIT;
	c.scope = RT_SCOPE_UNIVERSE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.66.0.1"), &res), 0);
	assert_int_equal(res.type, RTN_UNREACHABLE);
	assert_int_equal(fib_lookup(ns, h_ip("10.67.0.1"), &res), 0);
	assert_int_equal(res.type, RTN_PROHIBIT);
}

static void test_fib_throw_falls_through_to_next_table(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_config c = rcfg("10.70.0.0", 16, NULL, NULL);
	struct fib_result res;

	c.type = RTN_THROW;
	c.scope = RT_SCOPE_UNIVERSE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	c = rcfg("10.0.0.0", 8, NULL, eth);
	c.table = RT_TABLE_DEFAULT;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.70.1.1"), &res), 0);
	assert_int_equal(res.table, RT_TABLE_DEFAULT);
	assert_ptr_equal(res.dev, eth);
}

static void test_fib_local_table_is_searched_first(void **state)
{
	struct netns *ns = h_ns("a");
	struct fib_config c;
	struct fib_result res;

	dev_addr(ns, "eth0", "10.0.0.1", 24);
	/* a more specific main route does not hide a local address */
	c = rcfg("10.0.0.0", 30, "10.0.0.2", NULL);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.0.0.1"), &res), 0);
	assert_int_equal(res.type, RTN_LOCAL);
	assert_int_equal(res.table, RT_TABLE_LOCAL);
}

static void test_fib_del_matches_wildcards(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct fib_config c = rcfg("192.168.0.0", 16, "10.0.0.2", NULL);
	struct fib_config d = del_cfg("192.168.0.0", 16);
	struct fib_result res;

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	/* wrong gateway: no match */
	d.gw = h_ip("10.0.0.3");
	assert_int_equal(fib_route_del(ns, &d, NULL), -ESRCH);
	d.gw = 0;
	d.oif = eth->ifindex;
	assert_int_equal(fib_route_del(ns, &d, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("192.168.1.1"), &res), -ENETUNREACH);
	assert_int_equal(fib_route_del(ns, &d, NULL), -ESRCH);
}

static void test_fib_del_missing_route_is_esrch(void **state)
{
	struct netns *ns = h_ns("a");
	struct fib_config d = del_cfg("10.1.2.0", 24);
	struct extack ext = { 0 };

	/* main exists even when empty: plain "No such process" */
	assert_int_equal(fib_route_del(ns, &d, &ext), -ESRCH);
	assert_null(ext.msg);
	d.table = 1234;
	assert_int_equal(fib_route_del(ns, &d, &ext), -ESRCH);
	assert_string_equal(ext.msg, "FIB table does not exist");
}

static void test_fib_del_by_metric(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, eth);
	struct fib_config d = del_cfg("10.9.0.0", 16);
	struct fib_result res;

	c.priority = 5;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	c.priority = 7;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	d.priority = 5;
	d.has_priority = true;
	assert_int_equal(fib_route_del(ns, &d, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.9.0.1"), &res), 0);
	assert_int_equal(res_route(ns, &res)->cfg.priority, 7);
}

static void test_fib_prefsrc_must_be_local(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, eth);
	struct extack ext = { 0 };

	c.prefsrc = h_ip("10.0.0.99");
	assert_int_equal(fib_route_add(ns, &c, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Invalid prefsrc address");
	c.prefsrc = h_ip("10.0.0.1");
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
}

struct order {
	uint32_t table[32], dst[32];
	unsigned n;
};

static int order_cb(const struct fib_route *r, void *arg)
{
	struct order *o = arg;

	if (o->n < 32) {
		o->table[o->n] = r->cfg.table;
		o->dst[o->n] = ntohl(r->cfg.dst);
		o->n++;
	}
	return 0;
}

static void test_fib_walk_orders_tables_then_prefixes(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct fib_config c;
	struct order o = { .n = 0 };

	c = rcfg("192.168.0.0", 16, NULL, eth);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	c = rcfg(NULL, 0, "10.0.0.2", NULL);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	c = rcfg("172.16.0.0", 12, NULL, eth);
	c.table = 100;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_walk(ns, order_cb, &o), 0);
	assert_int_equal(o.n, fib_route_count(ns));
	for (unsigned i = 1; i < o.n; i++) {
		assert_true(o.table[i - 1] <= o.table[i]);
		if (o.table[i - 1] == o.table[i])
			assert_true(o.dst[i - 1] <= o.dst[i]);
	}
	/* table 100 first, then main with default first, local last */
	assert_int_equal(o.table[0], 100);
	assert_int_equal(o.table[1], RT_TABLE_MAIN);
	assert_int_equal(o.dst[1], 0);
	assert_int_equal(o.table[o.n - 1], RT_TABLE_LOCAL);
}

static void test_fib_dev_down_removes_routes_but_keeps_local(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct fib_config c = rcfg("192.168.0.0", 16, "10.0.0.2", NULL);
	struct fib_result res;

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(dev_close(eth), 0);
	/* static and connected routes through the device are gone */
	assert_int_equal(fib_lookup(ns, h_ip("192.168.1.1"), &res), -ENETUNREACH);
	assert_null(find_route(ns, RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST));
	assert_null(find_route(ns, RT_TABLE_LOCAL, "10.0.0.255", 32, RTN_BROADCAST));
	/* the address's local route stays, as fib_sync_down_dev leaves it */
	assert_non_null(find_route(ns, RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL));
}

static void test_fib_dev_up_readds_address_routes(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct fib_result res;

	assert_int_equal(dev_close(eth), 0);
	assert_int_equal(dev_open(eth), 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.0.0.7"), &res), 0);
	assert_ptr_equal(res.dev, eth);
	assert_int_equal(res.prefsrc, h_ip("10.0.0.1"));
	assert_non_null(find_route(ns, RT_TABLE_LOCAL, "10.0.0.255", 32, RTN_BROADCAST));
	assert_non_null(find_route(ns, RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL));
}

static void test_fib_dev_unregister_removes_every_route(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct fib_config c = rcfg("192.168.0.0", 16, "10.0.0.2", NULL);
	struct fib_result res;
	unsigned before;

	before = fib_route_count(ns);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	dev_unregister(eth);
	assert_int_equal(fib_route_count(ns), before - 3);
	assert_int_equal(fib_lookup(ns, h_ip("192.168.1.1"), &res), -ENETUNREACH);
	assert_int_equal(fib_lookup(ns, h_ip("10.0.0.1"), &res), -ENETUNREACH);
}

static void test_fib_carrier_loss_shows_linkdown(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = dev_addr(ns, "eth0", "10.0.0.1", 24);
	const struct fib_route *r;
	struct fib_result res;

	dev_set_carrier(eth, false);
	r = find_route(ns, RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST);
	assert_non_null(r);
	assert_true(r->flags & RTNH_F_LINKDOWN);
	/* still used: only ignore_routes_with_linkdown skips it */
	assert_int_equal(fib_lookup(ns, h_ip("10.0.0.9"), &res), 0);
	assert_ptr_equal(res.dev, eth);
	dev_set_carrier(eth, true);
	r = find_route(ns, RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST);
	assert_false(r->flags & RTNH_F_LINKDOWN);
}

static void test_fib_lookup_flow_backtracks_for_oif(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	struct netdev *b = h_fake_dev(ns, "eth1", NULL);
	struct fib_config c = rcfg("10.9.0.0", 16, NULL, a);
	struct fib_result res;

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	c = rcfg("10.0.0.0", 8, NULL, b);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	/* the /16 goes out eth0; bound to eth1 the /8 answers */
	assert_int_equal(fib_lookup_flow(ns, &(struct flowi4){ .daddr = h_ip("10.9.0.1"),
							       .oif = b->ifindex },
					 &res),
			 0);
	assert_ptr_equal(res.dev, b);
	assert_int_equal(res.prefixlen, 8);
}

/* Forty devices, each with an address and a route through it: unregister
 * and down take exactly one device's routes (found through its own list),
 * and deleting an address takes the routes that use it as preferred
 * source on other devices too. */
static void test_fib_dev_events_touch_only_their_routes(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *dev[40];
	struct fib_result res;
	char name[16], a[32], gw[32], dst[32];
	unsigned before;

	for (int i = 0; i < 40; i++) {
		struct fib_config c;

		snprintf(name, sizeof(name), "eth%d", i);
		snprintf(a, sizeof(a), "10.0.%d.1", i);
		snprintf(gw, sizeof(gw), "10.0.%d.2", i);
		snprintf(dst, sizeof(dst), "172.16.%d.0", i);
		dev[i] = dev_addr(ns, name, a, 24);
		c = rcfg(dst, 24, gw, NULL);
		assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	}
	/* a route through eth7 with eth5's address as source */
	{
		struct fib_config c = rcfg("192.168.0.0", 16, "10.0.7.2", NULL);

		c.prefsrc = h_ip("10.0.5.1");
		assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	}
	before = fib_route_count(ns);
	/* unregister: local, broadcast, connected and the static route */
	dev_unregister(dev[3]);
	assert_int_equal(fib_route_count(ns), before - 4);
	assert_int_equal(fib_lookup(ns, h_ip("172.16.3.9"), &res), -ENETUNREACH);
	assert_int_equal(fib_lookup(ns, h_ip("172.16.4.9"), &res), 0);
	assert_ptr_equal(res.dev, dev[4]);
	/* down keeps the local route only */
	assert_int_equal(dev_close(dev[9]), 0);
	assert_int_equal(fib_route_count(ns), before - 4 - 3);
	assert_non_null(find_route(ns, RT_TABLE_LOCAL, "10.0.9.1", 32, RTN_LOCAL));
	assert_int_equal(fib_lookup(ns, h_ip("172.16.9.9"), &res), -ENETUNREACH);
	/* eth5's address goes: its four routes and the one using it as source */
	assert_int_equal(fib_lookup(ns, h_ip("192.168.1.1"), &res), 0);
	assert_int_equal(res.prefsrc, h_ip("10.0.5.1"));
	assert_int_equal(inet_addr_del(dev[5], h_ip("10.0.5.1"), 24, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("192.168.1.1"), &res), -ENETUNREACH);
	/* the static route via 10.0.5.2 stays (as in Linux, until the device goes) */
	assert_int_equal(fib_route_count(ns), before - 4 - 3 - 3 - 1);
	assert_int_equal(fib_lookup(ns, h_ip("172.16.8.9"), &res), 0);
	assert_ptr_equal(res.dev, dev[8]);
}

/* Lookups answer from the next-hop record of a prefix's first route; every
 * change of the first route (replace, a better metric, a delete, a tos
 * route in front, a carrier going down under ignore_routes_with_linkdown)
 * must show in the answer, and it must agree with the route it names. */
static void test_fib_nexthop_records_follow_route_changes(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct netdev *b = dev_addr(ns, "eth1", "10.1.0.1", 24);
	struct fib_config c;
	struct fib_result res;
	char dst[32];

	/* many prefixes sharing two next hops */
	for (int i = 0; i < 200; i++) {
		snprintf(dst, sizeof(dst), "172.%d.%d.0", 16 + i % 8, i);
		c = rcfg(dst, 24, i & 1 ? "10.1.0.254" : "10.0.0.254", NULL);
		assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	}
	for (int i = 0; i < 200; i++) {
		snprintf(dst, sizeof(dst), "172.%d.%d.9", 16 + i % 8, i);
		assert_int_equal(fib_lookup(ns, h_ip(dst), &res), 0);
		assert_ptr_equal(res.dev, i & 1 ? b : a);
		assert_int_equal(res.gw, h_ip(i & 1 ? "10.1.0.254" : "10.0.0.254"));
		assert_int_equal(res.prefixlen, 24);
		assert_non_null(res_route(ns, &res));
		assert_int_equal(res_route(ns, &res)->cfg.gw, res.gw);
		assert_ptr_equal(res_route(ns, &res)->dev, res.dev);
	}
	/* replace the first route */
	c = rcfg("172.16.0.0", 24, "10.1.0.254", NULL);
	c.nlflags = NLM_F_REPLACE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("172.16.0.1"), &res), 0);
	assert_ptr_equal(res.dev, b);
	/* a lower metric in front, then gone again */
	c = rcfg("172.16.0.0", 24, "10.0.0.7", NULL);
	c.priority = 0;
	c.nlflags = NLM_F_CREATE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("172.16.0.1"), &res), 0);
	assert_int_equal(res.gw, h_ip("10.0.0.7"));
	assert_ptr_equal(res_route(ns, &res)->dev, a);
	c = del_cfg("172.16.0.0", 24);
	c.gw = h_ip("10.0.0.7");
	assert_int_equal(fib_route_del(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("172.16.0.1"), &res), 0);
	assert_int_equal(res.gw, h_ip("10.1.0.254"));
	/* a tos route first: lookups carry no tos and skip it */
	c = rcfg("172.17.1.0", 24, "10.0.0.8", NULL);
	c.tos = 0x10;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("172.17.1.1"), &res), 0);
	assert_int_equal(res.gw, h_ip("10.1.0.254"));
	assert_int_equal(res_route(ns, &res)->cfg.tos, 0);
	/* a second route via eth0 behind one via eth1; eth1 loses carrier */
	c = rcfg("172.17.1.0", 24, "10.0.0.9", NULL);
	c.priority = 50;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	dev_set_carrier(b, false);
	assert_int_equal(fib_lookup(ns, h_ip("172.17.1.1"), &res), 0);
	assert_ptr_equal(res.dev, b); /* still used without the sysctl */
	assert_int_equal(sysctl_devconf_set(ns, b, DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN, 1, NULL),
			 0);
	assert_int_equal(fib_lookup(ns, h_ip("172.17.1.1"), &res), 0);
	assert_ptr_equal(res.dev, a);
	assert_int_equal(res.gw, h_ip("10.0.0.9"));
	dev_set_carrier(b, true);
	assert_int_equal(fib_lookup(ns, h_ip("172.17.1.1"), &res), 0);
	assert_ptr_equal(res.dev, b);
	/* a device's routes go with it, records and all */
	dev_unregister(b);
	for (int i = 1; i < 200; i += 2) {
		snprintf(dst, sizeof(dst), "172.%d.%d.9", 16 + i % 8, i);
		if (!fib_lookup(ns, h_ip(dst), &res))
			assert_ptr_not_equal(res.dev, b);
	}
	assert_int_equal(fib_lookup(ns, h_ip("172.18.2.1"), &res), 0);
	assert_ptr_equal(res.dev, a);
}

/* xorshift32 for the random tables below: the same sequence every run. */
static uint32_t t_rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void assert_same_result(int err1, const struct fib_result *a, int err2,
			       const struct fib_result *b)
{
	assert_int_equal(err1, err2);
	if (err1)
		return;
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->scope, b->scope);
	assert_int_equal(a->prefixlen, b->prefixlen);
	assert_int_equal(a->table, b->table);
	assert_ptr_equal(a->dev, b->dev);
	assert_int_equal(a->gw, b->gw);
	assert_int_equal(a->prefsrc, b->prefsrc);
	assert_int_equal(a->dst, b->dst);
	assert_int_equal(a->alias, b->alias);
}

/* fib_lookup_batch against fib_lookup for @n addresses, in batches of
 * every size from 1 to FIB_BATCH + 3 (more than one round). */
static void check_batch_vs_single(struct netns *ns, const uint32_t *d, unsigned n)
{
	struct fib_result rb[FIB_BATCH + 3], r1;
	int eb[FIB_BATCH + 3];
	unsigned i = 0, m = 1;

	while (i < n) {
		unsigned k = MIN(m, n - i);

		fib_lookup_batch(ns, &d[i], k, rb, eb);
		for (unsigned j = 0; j < k; j++)
			assert_same_result(fib_lookup(ns, d[i + j], &r1), &r1, eb[j], &rb[j]);
		i += k;
		m = m % (FIB_BATCH + 3) + 1;
	}
}

/* A table of a few thousand random prefixes with everything lookups must
 * get right (routes with a tos, several metrics, error types, a local
 * table that answers first, a carrier down under
 * ignore_routes_with_linkdown): the batched lookup answers as the single
 * one, before and after deleting a third of the prefixes. */
static void test_fib_batch_lookup_matches_single(void **state)
{
	enum { N = 3000, Q = 4000 };
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct netdev *b = dev_addr(ns, "eth1", "10.1.0.1", 24);
	static uint32_t pfx[N], daddr[Q];
	static uint8_t plen[N];
	uint32_t seed = 0xfeed5eed;

	for (unsigned i = 0; i < N; i++) {
		struct fib_config c;
		unsigned r = t_rnd(&seed) % 100;

		plen[i] = (uint8_t)(r < 60 ? 24 : r < 80 ? 16 + r % 8 : r < 95 ? 25 + r % 8 : r % 16);
		pfx[i] = (0xac000000u | (t_rnd(&seed) & 0x00ffffff)) &
			 (plen[i] ? ~0u << (32 - plen[i]) : 0);
		c = rcfg(NULL, plen[i], r & 1 ? "10.1.0.2" : "10.0.0.2", NULL);
		c.dst = htonl(pfx[i]);
		if (r % 17 == 0)
			c.tos = 0x10;
		if (r % 13 == 0)
			c.priority = 100;
		if (r % 23 == 0) {
			c = (struct fib_config){ .table = RT_TABLE_MAIN, .dst = htonl(pfx[i]),
						 .dst_len = plen[i], .type = RTN_UNREACHABLE,
						 .scope = RT_SCOPE_UNIVERSE, .protocol = RTPROT_BOOT,
						 .nlflags = NLM_F_CREATE };
		}
		c.nlflags = NLM_F_CREATE | NLM_F_APPEND;
		/* duplicates of the same key fail with EEXIST: fine */
		fib_route_add(ns, &c, NULL);
		if (r % 7 == 0) {
			/* a second route of the prefix behind the first */
			c.priority += 10;
			fib_route_add(ns, &c, NULL);
		}
	}
	/* a local route inside the random range: the local table answers */
	{
		struct fib_config c = rcfg(NULL, 32, NULL, a);

		c.table = RT_TABLE_LOCAL;
		c.type = RTN_LOCAL;
		c.scope = RT_SCOPE_HOST;
		c.dst = htonl(pfx[5] | 1);
		assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	}
	for (unsigned i = 0; i < Q; i++) {
		uint32_t x = t_rnd(&seed);

		if (i & 1) {
			unsigned j = t_rnd(&seed) % N;

			x = pfx[j] | (x & (plen[j] ? ~(~0u << (32 - plen[j])) : ~0u));
		}
		daddr[i] = htonl(i % 3 ? x : 0xac000000u | (x & 0x00ffffff));
	}
	daddr[0] = htonl(pfx[5] | 1);
	check_batch_vs_single(ns, daddr, Q);

	/* eth1 loses carrier and its routes are to be ignored: the records
	 * no longer answer alone */
	dev_set_carrier(b, false);
	assert_int_equal(sysctl_devconf_set(ns, b, DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN, 1, NULL),
			 0);
	check_batch_vs_single(ns, daddr, Q);
	dev_set_carrier(b, true);

	for (unsigned i = 0; i < N; i += 3) {
		struct fib_config d = del_cfg("0.0.0.0", plen[i]);

		d.dst = htonl(pfx[i]);
		while (fib_route_del(ns, &d, NULL) == 0)
			;
		d.tos = 0x10;
		while (fib_route_del(ns, &d, NULL) == 0)
			;
	}
	check_batch_vs_single(ns, daddr, Q);
	(void)a;
}

/* A namespace's FIB (lo's routes, an address, a default route) stays a
 * few hundred bytes: no per-namespace arrays sized for big tables. */
static void test_fib_small_table_is_small(void **state)
{
	struct netns *ns = h_ns("a");
	struct fib_config c = rcfg(NULL, 0, "10.0.0.254", NULL);
	size_t bytes;

	dev_addr(ns, "eth0", "10.0.0.1", 24);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	bytes = fib_memory(ns);
	print_message("fib of %u routes: %zu bytes\n", fib_route_count(ns), bytes);
	assert_int_equal(fib_route_count(ns), 4); /* local, broadcast, connected, default */
	assert_true(bytes < 4096);
}

/* More routes through one next hop than it keeps an index of: a device
 * going down still takes all of them, and only them; so does an address
 * whose routes (as preferred source) are that many. */
static void test_fib_dev_down_with_many_routes_per_next_hop(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", "10.0.0.1", 24);
	struct netdev *b = dev_addr(ns, "eth1", "10.1.0.1", 24);
	struct fib_result res;
	unsigned before;
	char dst[32];

	for (int i = 0; i < 300; i++) {
		struct fib_config c;

		snprintf(dst, sizeof(dst), "172.16.%d.0", i % 250);
		c = rcfg(dst, i < 250 ? 24 : 25, "10.0.0.2", NULL);
		assert_int_equal(fib_route_add(ns, &c, NULL), 0);
		snprintf(dst, sizeof(dst), "172.17.%d.0", i % 250);
		c = rcfg(dst, i < 250 ? 24 : 25, "10.1.0.2", NULL);
		c.prefsrc = h_ip("10.0.0.1"); /* eth0's address, through eth1 */
		assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	}
	for (int i = 0; i < 20; i++) {
		struct fib_config c;

		snprintf(dst, sizeof(dst), "172.18.%d.0", i);
		c = rcfg(dst, 24, "10.1.0.2", NULL);
		assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	}
	before = fib_route_count(ns);
	/* eth1 down: its 320 routes, its connected and broadcast routes (its
	 * local route stays) */
	assert_int_equal(dev_close(b), 0);
	assert_int_equal(fib_route_count(ns), before - 320 - 2);
	assert_int_equal(fib_lookup(ns, h_ip("172.17.1.1"), &res), -ENETUNREACH);
	assert_int_equal(fib_lookup(ns, h_ip("172.18.1.1"), &res), -ENETUNREACH);
	assert_int_equal(fib_lookup(ns, h_ip("172.16.1.1"), &res), 0);
	assert_ptr_equal(res.dev, a);
	/* and up again: the routes of its address come back, nothing else */
	assert_int_equal(dev_open(b), 0);
	assert_int_equal(fib_route_count(ns), before - 320);
	for (int i = 0; i < 300; i++) {
		struct fib_config c;

		snprintf(dst, sizeof(dst), "172.17.%d.0", i % 250);
		c = rcfg(dst, i < 250 ? 24 : 25, "10.1.0.2", NULL);
		c.prefsrc = h_ip("10.0.0.1");
		assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	}
	/* eth0's address goes: its own three routes and the 300 using it as
	 * source; those via 10.0.0.2 stay (as in Linux, until eth0 goes) */
	before = fib_route_count(ns);
	assert_int_equal(inet_addr_del(a, h_ip("10.0.0.1"), 24, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("172.17.1.1"), &res), -ENETUNREACH);
	assert_int_equal(fib_route_count(ns), before - 3 - 300);
	assert_int_equal(fib_lookup(ns, h_ip("172.16.1.1"), &res), 0);
	assert_ptr_equal(res.dev, a);
	/* and eth0 going takes those */
	dev_unregister(a);
	assert_int_equal(fib_route_count(ns), 3); /* eth1's local, broadcast, connected */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_fib_dev_events_touch_only_their_routes),
		T(test_fib_device_route_is_looked_up),
		T(test_fib_longest_prefix_wins),
		T(test_fib_add_excl_existing_is_eexist),
		T(test_fib_replace_replaces_first_route),
		T(test_fib_replace_without_create_is_enoent),
		T(test_fib_append_adds_second_route_same_metric),
		T(test_fib_lower_metric_is_preferred),
		T(test_fib_gateway_not_onlink_is_enetunreach),
		T(test_fib_gateway_behind_gateway_is_rejected),
		T(test_fib_gateway_resolves_device),
		T(test_fib_gateway_via_other_oif_is_rejected),
		T(test_fib_unknown_oif_is_enodev),
		T(test_fib_unicast_without_dev_or_gw_is_enodev),
		T(test_fib_host_bits_in_prefix_are_einval),
		T(test_fib_device_down_route_add_is_enetdown),
		T(test_fib_blackhole_route_needs_no_device),
		T(test_fib_unreachable_and_prohibit_types_are_returned),
		T(test_fib_throw_falls_through_to_next_table),
		T(test_fib_local_table_is_searched_first),
		T(test_fib_del_matches_wildcards),
		T(test_fib_del_missing_route_is_esrch),
		T(test_fib_del_by_metric),
		T(test_fib_prefsrc_must_be_local),
		T(test_fib_walk_orders_tables_then_prefixes),
		T(test_fib_dev_down_removes_routes_but_keeps_local),
		T(test_fib_dev_up_readds_address_routes),
		T(test_fib_dev_unregister_removes_every_route),
		T(test_fib_carrier_loss_shows_linkdown),
		T(test_fib_nexthop_records_follow_route_changes),
		T(test_fib_lookup_flow_backtracks_for_oif),
		T(test_fib_batch_lookup_matches_single),
		T(test_fib_small_table_is_small),
		T(test_fib_dev_down_with_many_routes_per_next_hop),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
