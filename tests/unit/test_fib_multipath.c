// SPDX-License-Identifier: MIT
/*
 * Unit tests for multipath routes (fib.c, fib_nh.c): RTA_MULTIPATH parsed
 * and checked as fib_get_nhs / fib_check_nh, path selection by the flow's
 * hash (policies 0 and 1, weights, stickiness), fib_multipath_use_neigh,
 * dead and linkdown paths after device events, the whole route going with
 * a device's unregistration or its last live path, deletion by nexthops,
 * and bad input that changes nothing. Forwarding through route.c spreads
 * flows over the paths.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/core/neigh.h"
#include "netns/core/sysctl.h"
#include "netns/ipv4/fib.h"


/* A fake device with @addr/24 (its connected route in main). */
static struct netdev *dev_addr(struct netns *ns, const char *name, const char *addr)
{
	struct netdev *dev = h_fake_dev(ns, name, NULL);

	assert_int_equal(inet_addr_add(dev, h_ip(addr), 24, 0, RT_SCOPE_UNIVERSE, NULL, NULL), 0);
	h_tx_flush(dev);
	return dev;
}

/* RTA_MULTIPATH's payload, built one nexthop at a time. */
struct mp_buf {
	uint8_t b[512];
	int len;
};

static void mp_add(struct mp_buf *m, int ifindex, const char *gw, unsigned weight)
{
	struct rtnexthop *rtnh = (struct rtnexthop *)(m->b + m->len);

	memset(rtnh, 0, sizeof(*rtnh));
	rtnh->rtnh_len = sizeof(*rtnh);
	rtnh->rtnh_hops = (uint8_t)(weight - 1);
	rtnh->rtnh_ifindex = ifindex;
	if (gw) {
		struct rtattr *a = (struct rtattr *)(m->b + m->len + sizeof(*rtnh));
		uint32_t v = h_ip(gw);

		a->rta_type = RTA_GATEWAY;
		a->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(a), &v, 4);
		rtnh->rtnh_len += RTA_SPACE(4);
	}
	m->len += RTNH_ALIGN(rtnh->rtnh_len);
}

static struct fib_config mp_cfg(const char *dst, int len, const struct mp_buf *m)
{
	return (struct fib_config){
		.table = RT_TABLE_MAIN,
		.dst = h_ip(dst),
		.dst_len = (uint8_t)len,
		.type = RTN_UNICAST,
		.scope = RT_SCOPE_UNIVERSE,
		.protocol = RTPROT_BOOT,
		.nlflags = NLM_F_CREATE | NLM_F_EXCL,
		.mp = (const struct rtnexthop *)m->b,
		.mp_len = m->len,
	};
}

/* Two devices a (10.0.0.1/24) and b (10.0.1.1/24) and the route
 * 192.168.0.0/16 via 10.0.0.2 (weight @wa) and 10.0.1.2 (weight @wb). */
static struct netns *two_paths(struct netdev **a, struct netdev **b, unsigned wa, unsigned wb)
{
	struct netns *ns = h_ns("a");
	struct mp_buf m = { .len = 0 };
	struct fib_config c;

	*a = dev_addr(ns, "eth0", "10.0.0.1");
	*b = dev_addr(ns, "eth1", "10.0.1.1");
	mp_add(&m, (*a)->ifindex, "10.0.0.2", wa);
	mp_add(&m, (*b)->ifindex, "10.0.1.2", wb);
	c = mp_cfg("192.168.0.0", 16, &m);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	return ns;
}

/* The path fib_lookup_flow + fib_select_path give @fl4: its device. */
static struct netdev *pick(struct netns *ns, const struct flowi4 *fl4)
{
	struct fib_result res;

	if (fib_lookup_flow(ns, fl4, &res))
		return NULL;
	fib_select_path(ns, &res, fl4);
	return res.dev;
}

/* Flow @i of a set: sources and destinations both vary. */
static struct flowi4 flow(unsigned i)
{
	return (struct flowi4){ .daddr = htonl(0xc0a80000u | (i & 0xffff)),
				.saddr = htonl(0x0a630000u | (i * 7919u & 0xffff)) };
}

struct find {
	uint32_t dst;
	uint8_t len;
	struct fib_route r;
	struct fib_path nh[4];
	bool found;
};

static int find_one(const struct fib_route *r, void *arg)
{
	struct find *f = arg;

	if (r->cfg.table != RT_TABLE_MAIN || r->cfg.dst != f->dst || r->cfg.dst_len != f->len)
		return 0;
	f->r = *r;
	for (unsigned i = 0; i < r->nhs && i < 4; i++)
		f->nh[i] = r->nh[i];
	f->found = true;
	return 1;
}

static struct find find_route(struct netns *ns, const char *dst, int len)
{
	struct find f = { .dst = h_ip(dst), .len = (uint8_t)len };

	fib_walk(ns, find_one, &f);
	return f;
}

static void test_mp_route_keeps_paths_and_weights(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 2, 1);
	struct find f = find_route(ns, "192.168.0.0", 16);

	assert_true(f.found);
	assert_int_equal(f.r.nhs, 2);
	assert_ptr_equal(f.nh[0].dev, a);
	assert_int_equal(f.nh[0].gw, h_ip("10.0.0.2"));
	assert_int_equal(f.nh[0].weight, 2);
	assert_ptr_equal(f.nh[1].dev, b);
	assert_int_equal(f.nh[1].weight, 1);
	assert_int_equal(f.nh[0].flags | f.nh[1].flags, 0);
	/* fib_rebalance: DIV_ROUND_CLOSEST(w << 31, total) - 1, 2/3 and 3/3 of
	 * the 31-bit hash space */
	assert_int_equal(f.nh[0].upper_bound, 0x55555554);
	assert_int_equal(f.nh[1].upper_bound, (int32_t)0x7fffffff);
}

static void test_mp_one_nexthop_is_a_plain_route(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", "10.0.0.1");
	struct mp_buf m = { .len = 0 };
	struct fib_config c;
	struct find f;

	mp_add(&m, 0, "10.0.0.2", 7);
	c = mp_cfg("192.168.0.0", 16, &m);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	f = find_route(ns, "192.168.0.0", 16);
	assert_true(f.found);
	assert_int_equal(f.r.nhs, 0);
	assert_ptr_equal(f.r.dev, a);
	assert_int_equal(f.r.cfg.gw, h_ip("10.0.0.2"));
}

static void test_mp_flow_sticks_to_one_path(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 1);

	for (unsigned i = 0; i < 200; i++) {
		struct flowi4 fl = flow(i);
		struct netdev *first = pick(ns, &fl);

		assert_true(first == a || first == b);
		for (unsigned k = 0; k < 5; k++)
			assert_ptr_equal(pick(ns, &fl), first);
	}
}

static void test_mp_weights_share_the_flows(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 3);
	unsigned on_a = 0, n = 4000;

	for (unsigned i = 0; i < n; i++) {
		struct flowi4 fl = flow(i);

		on_a += pick(ns, &fl) == a;
	}
	/* weight 1 of 4: a quarter, within a few percent */
	assert_in_range(on_a, n / 4 - n / 25, n / 4 + n / 25);
}

static void test_mp_policy0_ignores_ports_policy1_uses_them(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 1);
	unsigned on_a = 0, n = 400;
	struct flowi4 fl = flow(1);
	struct netdev *first = pick(ns, &fl);

	fl.proto = IPPROTO_UDP;
	for (unsigned i = 0; i < n; i++) {
		fl.sport = htons((uint16_t)(1024 + i));
		assert_ptr_equal(pick(ns, &fl), first);
	}
	ns->sysctl.fib_multipath_hash_policy = 1;
	for (unsigned i = 0; i < n; i++) {
		fl.sport = htons((uint16_t)(1024 + i));
		on_a += pick(ns, &fl) == a;
	}
	assert_in_range(on_a, n / 2 - n / 8, n / 2 + n / 8);
	/* with the ports fixed the flow still sticks */
	fl.sport = htons(5000);
	first = pick(ns, &fl);
	for (unsigned k = 0; k < 5; k++)
		assert_ptr_equal(pick(ns, &fl), first);
}

static void test_mp_oif_bound_lookup_takes_that_path(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 1);

	for (unsigned i = 0; i < 50; i++) {
		struct flowi4 fl = flow(i);

		fl.oif = b->ifindex;
		assert_ptr_equal(pick(ns, &fl), b);
		fl.oif = a->ifindex;
		assert_ptr_equal(pick(ns, &fl), a);
	}
}

static void test_mp_device_down_kills_its_path_then_the_route(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 1);
	unsigned routes = fib_route_count(ns);
	struct find f;

	dev_close(a);
	f = find_route(ns, "192.168.0.0", 16);
	assert_true(f.found);
	assert_int_equal(f.nh[0].flags, RTNH_F_DEAD | RTNH_F_LINKDOWN);
	assert_int_equal(f.nh[0].upper_bound, -1);
	assert_int_equal(f.nh[1].flags, 0);
	for (unsigned i = 0; i < 200; i++) {
		struct flowi4 fl = flow(i);

		assert_ptr_equal(pick(ns, &fl), b);
	}
	/* back up: the path lives again and takes flows */
	assert_int_equal(dev_open(a), 0);
	f = find_route(ns, "192.168.0.0", 16);
	assert_int_equal(f.nh[0].flags, 0);
	assert_true(f.nh[0].upper_bound > 0);
	/* both down: the route goes, with each device's prefix and
	 * broadcast routes (their local routes stay) */
	dev_close(a);
	dev_close(b);
	f = find_route(ns, "192.168.0.0", 16);
	assert_false(f.found);
	assert_int_equal(fib_route_count(ns), routes - 5);
}

static void test_mp_carrier_loss_is_linkdown_and_ignored_on_request(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 1);
	unsigned on_a = 0;
	struct find f;

	dev_set_carrier(a, false);
	f = find_route(ns, "192.168.0.0", 16);
	assert_int_equal(f.nh[0].flags, RTNH_F_LINKDOWN);
	assert_int_equal(f.r.flags, 0);
	/* still used: only ignore_routes_with_linkdown skips it */
	for (unsigned i = 0; i < 200; i++) {
		struct flowi4 fl = flow(i);

		on_a += pick(ns, &fl) == a;
	}
	assert_true(on_a > 0);
	dev_set_carrier(a, true);
	f = find_route(ns, "192.168.0.0", 16);
	assert_int_equal(f.nh[0].flags, 0);
	/* ignored: the next carrier event leaves it out of the hash */
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.all.ignore_routes_with_linkdown", "1", NULL),
			 0);
	dev_set_carrier(a, false);
	for (unsigned i = 0; i < 200; i++) {
		struct flowi4 fl = flow(i);

		assert_ptr_equal(pick(ns, &fl), b);
	}
}

static void test_mp_all_paths_without_carrier_mark_the_route(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", "10.0.0.1");
	struct mp_buf m = { .len = 0 };
	struct fib_config c;
	struct find f;

	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, a->ifindex, "10.0.0.3", 1);
	c = mp_cfg("192.168.0.0", 16, &m);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	dev_set_carrier(a, false);
	f = find_route(ns, "192.168.0.0", 16);
	assert_int_equal(f.r.flags, RTNH_F_LINKDOWN);
	dev_set_carrier(a, true);
	f = find_route(ns, "192.168.0.0", 16);
	assert_int_equal(f.r.flags, 0);
}

static void test_mp_unregister_removes_the_whole_route(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 1);
	struct fib_result res;

	dev_unregister(b);
	assert_false(find_route(ns, "192.168.0.0", 16).found);
	assert_int_equal(fib_lookup(ns, h_ip("192.168.1.1"), &res), -ENETUNREACH);
	(void)a;
}

static void test_mp_use_neigh_passes_over_failed_neighbour(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 1);
	uint32_t gw = h_ip("10.0.0.2");
	struct neighbour *n = neigh_create(NEIGH_ARP_TABLE, a, &gw);
	unsigned on_a = 0;

	assert_non_null(n);
	assert_int_equal(neigh_update(n, NULL, NUD_FAILED, NEIGH_UPDATE_F_ADMIN, NULL), 0);
	/* off: the hash alone decides */
	for (unsigned i = 0; i < 200; i++) {
		struct flowi4 fl = flow(i);

		on_a += pick(ns, &fl) == a;
	}
	assert_true(on_a > 0);
	assert_int_equal(sysctl_set(ns, "net.ipv4.fib_multipath_use_neigh", "1", NULL), 0);
	for (unsigned i = 0; i < 200; i++) {
		struct flowi4 fl = flow(i);

		assert_ptr_equal(pick(ns, &fl), b);
	}
}

static void test_mp_delete_matches_nexthops_in_order(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 1);
	struct mp_buf m = { .len = 0 };
	struct fib_config c;

	mp_add(&m, b->ifindex, "10.0.1.2", 1);
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	c = mp_cfg("192.168.0.0", 16, &m);
	c.scope = RT_SCOPE_NOWHERE;
	assert_int_equal(fib_route_del(ns, &c, NULL), -ESRCH);
	m.len = 0;
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, 0, "10.0.1.2", 1);
	c = mp_cfg("192.168.0.0", 16, &m);
	c.scope = RT_SCOPE_NOWHERE;
	assert_int_equal(fib_route_del(ns, &c, NULL), 0);
	assert_false(find_route(ns, "192.168.0.0", 16).found);
}

static void test_mp_replace_by_itself_and_by_other_paths(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_paths(&a, &b, 1, 1);
	size_t mem = fib_memory(ns);
	struct mp_buf m = { .len = 0 };
	struct fib_config c;
	struct find f;

	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, b->ifindex, "10.0.1.2", 1);
	c = mp_cfg("192.168.0.0", 16, &m);
	c.nlflags = NLM_F_CREATE | NLM_F_REPLACE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(fib_memory(ns), mem);
	/* the same prefix and paths again is a duplicate */
	c.nlflags = NLM_F_CREATE | NLM_F_EXCL;
	assert_int_equal(fib_route_add(ns, &c, NULL), -EEXIST);
	m.len = 0;
	mp_add(&m, b->ifindex, "10.0.1.2", 3);
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	c = mp_cfg("192.168.0.0", 16, &m);
	c.nlflags = NLM_F_CREATE | NLM_F_REPLACE;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	f = find_route(ns, "192.168.0.0", 16);
	assert_ptr_equal(f.nh[0].dev, b);
	assert_int_equal(f.nh[0].weight, 3);
}

/* Bad RTA_MULTIPATH: the kernel's errno and text, no route, no record. */
static void expect_refused(struct netns *ns, const struct mp_buf *m, int err, const char *msg)
{
	struct fib_config c = mp_cfg("192.168.0.0", 16, m);
	unsigned routes = fib_route_count(ns);
	size_t mem = fib_memory(ns);
	struct extack ext = { 0 };

	assert_int_equal(fib_route_add(ns, &c, &ext), err);
	if (msg)
		assert_string_equal(ext.msg, msg);
	assert_int_equal(fib_route_count(ns), routes);
	assert_int_equal(fib_memory(ns), mem);
	assert_false(find_route(ns, "192.168.0.0", 16).found);
}

static void test_mp_bad_input_changes_nothing(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", "10.0.0.1");
	struct netdev *b = dev_addr(ns, "eth1", "10.0.1.1");
	struct mp_buf m = { .len = 0 };
	struct rtnexthop *rtnh;

	/* bytes after the last nexthop that are not one */
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	m.len += 4;
	expect_refused(ns, &m, -EINVAL, "Invalid nexthop configuration - extra data after nexthops");
	/* a nexthop whose length runs past the attribute */
	m.len = 0;
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, b->ifindex, "10.0.1.2", 1);
	((struct rtnexthop *)(m.b + 16))->rtnh_len = 200;
	expect_refused(ns, &m, -EINVAL, "Invalid nexthop configuration - extra data after nexthops");
	/* shorter than one struct rtnexthop */
	m.len = 4;
	expect_refused(ns, &m, -EINVAL, "Invalid nexthop configuration - extra data after nexthops");
	/* a gateway attribute too short for an address */
	m.len = 0;
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, b->ifindex, "10.0.1.2", 1);
	((struct rtattr *)(m.b + 16 + 8))->rta_len = RTA_LENGTH(2);
	expect_refused(ns, &m, -EINVAL, "Invalid IPv4 address in RTA_GATEWAY");
	/* flags only the kernel sets */
	m.len = 0;
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, b->ifindex, "10.0.1.2", 1);
	rtnh = (struct rtnexthop *)(m.b + 16);
	rtnh->rtnh_flags = RTNH_F_DEAD;
	expect_refused(ns, &m, -EINVAL,
		       "Invalid flags for nexthop - can not contain DEAD or LINKDOWN");
	/* the second gateway unreachable: the first is not left behind */
	m.len = 0;
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, 0, "10.9.0.2", 1);
	expect_refused(ns, &m, -ENETUNREACH, "Nexthop has invalid gateway");
	/* a device that does not exist, a nexthop with neither */
	m.len = 0;
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, 99, NULL, 1);
	expect_refused(ns, &m, -ENODEV, "Cannot find device");
	m.len = 0;
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, 0, NULL, 1);
	expect_refused(ns, &m, -ENODEV, NULL);
	/* a device that is down */
	dev_close(b);
	m.len = 0;
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	mp_add(&m, b->ifindex, NULL, 1);
	expect_refused(ns, &m, -ENETDOWN, "Device for nexthop is not up");
}

static void test_mp_error_types_and_host_scope_refuse_nexthops(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", "10.0.0.1");
	struct mp_buf m = { .len = 0 };
	struct extack ext = { 0 };
	struct fib_config c;

	mp_add(&m, a->ifindex, NULL, 1);
	mp_add(&m, a->ifindex, "10.0.0.2", 1);
	c = mp_cfg("192.168.0.0", 16, &m);
	c.type = RTN_BLACKHOLE;
	assert_int_equal(fib_route_add(ns, &c, &ext), -EINVAL);
	assert_string_equal(ext.msg,
			    "Gateway, device and multipath can not be specified for this route type");
	c = mp_cfg("192.168.0.0", 16, &m);
	c.scope = RT_SCOPE_HOST;
	assert_int_equal(fib_route_add(ns, &c, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Route with host scope can not have multiple nexthops");
	c = mp_cfg("192.168.0.0", 16, &m);
	c.oif = 99;
	assert_int_equal(fib_route_add(ns, &c, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Nexthop device index does not match RTA_OIF");
	assert_false(find_route(ns, "192.168.0.0", 16).found);
}

/* ---- forwarding (route.c: ip_mkroute_input's selection) ---- */

/* One UDP datagram 10.0.1.2:@sport -> 10.9.0.1:53 received on @in. */
static void fwd_one_udp(struct netdev *in, uint16_t sport)
{
	static const char payload[8] = "payload";
	uint8_t f[128], udp[64];
	size_t ul = h_udp(udp, "10.0.1.2", "10.9.0.1", sport, 53, payload, sizeof(payload));
	size_t l = h_eth(f, H_R0_MAC, H_A_MAC, ETH_P_IP);

	l += h_ipv4(f + l, "10.0.1.2", "10.9.0.1", IPPROTO_UDP, 64, udp, ul);
	h_rx(in, f, l);
	h_run();
}

static unsigned fwd_udp(struct netdev *in, unsigned n, bool vary_ports)
{
	static const char payload[8] = "payload";
	uint8_t f[128], udp[64];

	for (unsigned i = 0; i < n; i++) {
		uint16_t sport = (uint16_t)(vary_ports ? 1024 + i : 4000);
		size_t ul = h_udp(udp, "10.0.1.2", "10.9.0.1", sport, 53, payload, sizeof(payload));
		size_t l = h_eth(f, H_R0_MAC, H_A_MAC, ETH_P_IP);

		l += h_ipv4(f + l, "10.0.1.2", "10.9.0.1", IPPROTO_UDP, 64, udp, ul);
		h_rx(in, f, l);
	}
	h_run();
	return n;
}

static void test_mp_forwarding_spreads_flows_by_ports(void **state)
{
	struct netdev *eth0, *eth1, *eth2;
	struct netns *ns = h_router("r", &eth0, &eth1);
	struct mp_buf m = { .len = 0 };
	struct fib_config c;
	unsigned n1, n2;

	eth2 = dev_addr(ns, "eth2", "10.0.3.1");
	h_neigh(eth2, "10.0.3.2", "02:00:00:00:00:03");
	mp_add(&m, eth1->ifindex, "10.0.2.2", 1);
	mp_add(&m, eth2->ifindex, "10.0.3.2", 1);
	c = mp_cfg("10.9.0.0", 16, &m);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);

	/* policy 0: one (saddr, daddr), one path for every datagram */
	fwd_udp(eth0, 64, true);
	n1 = h_tx_count(eth1);
	n2 = h_tx_count(eth2);
	assert_int_equal(n1 + n2, 64);
	assert_true(n1 == 64 || n2 == 64);
	h_tx_flush(eth1);
	h_tx_flush(eth2);

	/* policy 1: the ports spread the flows over both paths */
	assert_int_equal(sysctl_set(ns, "net.ipv4.fib_multipath_hash_policy", "1", NULL), 0);
	fwd_udp(eth0, 64, true);
	n1 = h_tx_count(eth1);
	n2 = h_tx_count(eth2);
	assert_int_equal(n1 + n2, 64);
	assert_in_range(n1, 16, 48);
	h_tx_flush(eth1);
	h_tx_flush(eth2);
	/* ... and one flow stays on one */
	fwd_udp(eth0, 16, false);
	n1 = h_tx_count(eth1);
	n2 = h_tx_count(eth2);
	assert_true((n1 == 16 && n2 == 0) || (n1 == 0 && n2 == 16));
	h_tx_flush(eth1);
	h_tx_flush(eth2);
	assert_mib(ns, IpForwDatagrams, 144);
}

/*
 * The input hint keeps a multipath route, not a path: a stream of one
 * (saddr, daddr) whose ports differ takes, datagram by datagram, the path
 * fib_select_path gives that flow (the first datagram takes the slow path,
 * the rest the hint). Where a path leaves by the input device the route
 * is not hinted (redirects depend on the path), and the choice is still
 * per flow.
 */
static void test_mp_hinted_stream_takes_each_flows_own_path(void **state)
{
	struct netdev *eth0, *eth1, *eth2, *outs[3];
	struct netns *ns = h_router("r", &eth0, &eth1);
	struct mp_buf m = { .len = 0 };
	struct fib_config c;

	eth2 = dev_addr(ns, "eth2", "10.0.3.1");
	h_neigh(eth2, "10.0.3.2", "02:00:00:00:00:03");
	h_neigh(eth0, "10.0.1.3", "02:00:00:00:00:04");
	assert_int_equal(sysctl_set(ns, "net.ipv4.fib_multipath_hash_policy", "1", NULL), 0);
	for (unsigned round = 0; round < 2; round++) {
		mp_add(&m, eth1->ifindex, "10.0.2.2", 1);
		mp_add(&m, eth2->ifindex, "10.0.3.2", 2);
		if (round)	/* a third path back out of eth0 */
			mp_add(&m, eth0->ifindex, "10.0.1.3", 1);
		c = mp_cfg("10.9.0.0", 16, &m);
		c.nlflags = NLM_F_CREATE | NLM_F_REPLACE;
		assert_int_equal(fib_route_add(ns, &c, NULL), 0);
		outs[0] = eth0, outs[1] = eth1, outs[2] = eth2;
		for (unsigned i = 0; i < 64; i++) {
			struct flowi4 fl4 = { .daddr = h_ip("10.9.0.1"), .saddr = h_ip("10.0.1.2"),
					      .proto = IPPROTO_UDP, .sport = htons(1024 + i),
					      .dport = htons(53) };
			struct fib_result res;
			unsigned before[3], got = 3, want = 3;

			assert_int_equal(fib_lookup(ns, fl4.daddr, &res), 0);
			fib_select_path(ns, &res, &fl4);
			for (unsigned d = 0; d < 3; d++) {
				before[d] = h_tx_count(outs[d]);
				if (res.dev == outs[d])
					want = d;
			}
			fwd_one_udp(eth0, (uint16_t)(1024 + i));
			for (unsigned d = 0; d < 3; d++)
				if (h_tx_count(outs[d]) > before[d])
					got = d;
			assert_int_equal(got, want);
		}
		for (unsigned d = 0; d < 3; d++)
			h_tx_flush(outs[d]);
		m.len = 0;
	}
}

static void test_mp_hash_policy_sysctl_is_bounded(void **state)
{
	struct netns *ns = h_ns("a");
	char buf[16];

	assert_int_equal(sysctl_get(ns, "net.ipv4.fib_multipath_hash_policy", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(sysctl_set(ns, "net.ipv4.fib_multipath_hash_policy", "2", NULL), 0);
	assert_int_equal(sysctl_set(ns, "net.ipv4.fib_multipath_hash_policy", "4", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.fib_multipath_use_neigh", "2", NULL), -EINVAL);
	assert_int_equal(ns->sysctl.fib_multipath_hash_policy, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, h_cm_setup, h_cm_teardown)
		T(test_mp_route_keeps_paths_and_weights),
		T(test_mp_one_nexthop_is_a_plain_route),
		T(test_mp_flow_sticks_to_one_path),
		T(test_mp_weights_share_the_flows),
		T(test_mp_policy0_ignores_ports_policy1_uses_them),
		T(test_mp_oif_bound_lookup_takes_that_path),
		T(test_mp_device_down_kills_its_path_then_the_route),
		T(test_mp_carrier_loss_is_linkdown_and_ignored_on_request),
		T(test_mp_all_paths_without_carrier_mark_the_route),
		T(test_mp_unregister_removes_the_whole_route),
		T(test_mp_use_neigh_passes_over_failed_neighbour),
		T(test_mp_delete_matches_nexthops_in_order),
		T(test_mp_replace_by_itself_and_by_other_paths),
		T(test_mp_bad_input_changes_nothing),
		T(test_mp_error_types_and_host_scope_refuse_nexthops),
		T(test_mp_forwarding_spreads_flows_by_ports),
		T(test_mp_hinted_stream_takes_each_flows_own_path),
		T(test_mp_hash_policy_sysctl_is_bounded),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
