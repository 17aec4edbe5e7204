// SPDX-License-Identifier: MIT
/*
 * Unit tests for netns/ipv4/route.c: ip_route_input's decisions (local,
 * forward, broadcast, multicast), martian sources and destinations,
 * accept_local, rp_filter strict/loose with max(all, dev), forwarding
 * disabled, ip_error's ICMP codes and drop reasons for route types; and
 * ip_route_output's device, next hop and source selection and errors.
 * Some tests go end to end (a frame into the fake device) to check the
 * counters a user sees.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "tests/unit/harness/harness.h"

#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/route.h"

#define MAC0 "02:00:00:00:00:01"
#define MAC1 "02:00:00:00:00:02"
#define PEER "02:00:00:00:00:99"

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

static struct netdev *dev_addr(struct netns *ns, const char *name, const char *mac,
			       const char *addr, int plen)
{
	struct netdev *dev = h_fake_dev(ns, name, mac);

	assert_int_equal(inet_addr_add(dev, h_ip(addr), (uint8_t)plen, 0, RT_SCOPE_UNIVERSE, NULL,
				       NULL),
			 0);
	h_run();
	h_tx_flush(dev);
	return dev;
}

static void sysctl(struct netns *ns, const char *key, const char *val)
{
	assert_int_equal(sysctl_set(ns, key, val, NULL), 0);
}

static void add_route(struct netns *ns, const char *dst, int len, uint8_t type, const char *gw,
		      struct netdev *dev)
{
	struct fib_config c = {
		.table = RT_TABLE_MAIN, .dst = h_ip(dst), .dst_len = (uint8_t)len, .type = type,
		.scope = (type == RTN_UNICAST && !gw) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
		.protocol = RTPROT_BOOT, .gw = gw ? h_ip(gw) : 0, .oif = dev ? dev->ifindex : 0,
		.nlflags = NLM_F_CREATE | NLM_F_EXCL,
	};

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
}

/* Route a datagram src -> dst received on @dev; returns ip_route_input's value. */
static int route_in(struct netdev *dev, const char *src, const char *dst, struct rtable *rt,
		    enum drop_reason *reason, int *code)
{
	uint8_t buf[64];
	size_t n = h_ipv4(buf, src, dst, IPPROTO_UDP, 64, "x", 1);
	struct pkt *p = pkt_alloc(PKT_HR_NET, (unsigned)n);
	int ret;

	assert_non_null(p);
	memcpy(p->data, buf, n);
	pkt_set_l3(p);
	p->dev = dev;
	p->ns = dev->ns;
	ret = ip_route_input(p, rt, reason, code);
	pkt_free(p);
	return ret;
}

/* Expect a drop with @reason and ICMP @code from ip_route_input. */
static void expect_drop(struct netdev *dev, const char *src, const char *dst,
			enum drop_reason want, int want_code)
{
	enum drop_reason reason = DROP_MAX;
	struct rtable rt;
	int code = 99;

	assert_true(route_in(dev, src, dst, &rt, &reason, &code) < 0);
	assert_int_equal(reason, want);
	assert_int_equal(code, want_code);
}

static void expect_type(struct netdev *dev, const char *src, const char *dst, uint8_t type)
{
	enum drop_reason reason = DROP_MAX;
	struct rtable rt;
	int code = 99;

	assert_int_equal(route_in(dev, src, dst, &rt, &reason, &code), 0);
	assert_int_equal(rt.type, type);
}

/* A UDP datagram from PEER into @dev (MAC0), end to end. */
static void rx_udp(struct netdev *dev, const char *src, const char *dst)
{
	uint8_t frame[128], udp[32];
	size_t ul = h_udp(udp, src, dst, 1000, 2000, "hi", 2);
	size_t n = h_eth(frame, MAC0, PEER, ETH_P_IP);

	n += h_ipv4(frame + n, src, dst, IPPROTO_UDP, 64, udp, ul);
	h_rx(dev, frame, n);
	h_run();
}

static void test_ip_route_input_local_address_is_delivered(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);
	enum drop_reason reason;
	struct rtable rt;
	int code;

	assert_int_equal(route_in(eth, "10.0.0.2", "10.0.0.1", &rt, &reason, &code), 0);
	assert_int_equal(rt.type, RTN_LOCAL);
	assert_ptr_equal(rt.dev, ns->lo);
	assert_int_equal(rt.src, h_ip("10.0.0.1"));
}

static void test_ip_route_input_forwards_when_enabled(void **state)
{
	struct netns *ns = h_ns("r");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);
	struct netdev *b = dev_addr(ns, "eth1", MAC1, "10.1.0.1", 24);
	enum drop_reason reason;
	struct rtable rt;
	int code;

	add_route(ns, "192.168.0.0", 16, RTN_UNICAST, "10.1.0.254", NULL);
	sysctl(ns, "net.ipv4.ip_forward", "1");
	assert_int_equal(route_in(a, "10.0.0.2", "192.168.3.4", &rt, &reason, &code), 0);
	assert_int_equal(rt.type, RTN_UNICAST);
	assert_ptr_equal(rt.dev, b);
	assert_int_equal(rt.nexthop, h_ip("10.1.0.254"));
	assert_int_equal(rt.mtu, b->mtu);
	/* on-link destination: the next hop is the destination itself */
	assert_int_equal(route_in(a, "10.0.0.2", "10.1.0.9", &rt, &reason, &code), 0);
	assert_int_equal(rt.nexthop, h_ip("10.1.0.9"));
}

static void test_ip_route_input_forwarding_disabled_drops(void **state)
{
	struct netns *ns = h_ns("h");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	dev_addr(ns, "eth1", MAC1, "10.1.0.1", 24);
	expect_drop(a, "10.0.0.2", "10.1.0.9", DROP_IP_FORWARDING_DISABLED, -1);
	/* with no route at all it is the same for a host: no ICMP */
	expect_drop(a, "10.0.0.2", "8.8.8.8", DROP_IP_FORWARDING_DISABLED, -1);
	/* end to end: ip_error counts IpInAddrErrors and sends nothing */
	rx_udp(a, "10.0.0.2", "10.1.0.9");
	assert_drop(ns, IP_FORWARDING_DISABLED, 1);
	assert_mib(ns, IpInAddrErrors, 1);
	assert_int_equal(h_tx_count(a), 0);
}

static void test_ip_route_input_no_route_is_net_unreachable(void **state)
{
	struct netns *ns = h_ns("r");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	sysctl(ns, "net.ipv4.ip_forward", "1");
	expect_drop(a, "10.0.0.2", "8.8.8.8", DROP_IP_INNOROUTES, ICMP_NET_UNREACH);
	rx_udp(a, "10.0.0.2", "8.8.8.8");
	assert_drop(ns, IP_INNOROUTES, 1);
	assert_mib(ns, IpInNoRoutes, 1);
	h_tx_flush(a);
}

static void test_ip_route_input_unreachable_route_is_host_unreachable(void **state)
{
	struct netns *ns = h_ns("r");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	sysctl(ns, "net.ipv4.ip_forward", "1");
	add_route(ns, "10.66.0.0", 16, RTN_UNREACHABLE, NULL, NULL);
	expect_drop(a, "10.0.0.2", "10.66.0.1", DROP_IP_NOROUTE_UNREACHABLE, ICMP_HOST_UNREACH);
	rx_udp(a, "10.0.0.2", "10.66.0.1");
	assert_drop(ns, IP_NOROUTE_UNREACHABLE, 1);
	h_tx_flush(a);
}

static void test_ip_route_input_prohibit_route_is_pkt_filtered(void **state)
{
	struct netns *ns = h_ns("r");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	sysctl(ns, "net.ipv4.ip_forward", "1");
	add_route(ns, "10.67.0.0", 16, RTN_PROHIBIT, NULL, NULL);
	expect_drop(a, "10.0.0.2", "10.67.0.1", DROP_IP_NOROUTE_PROHIBIT, ICMP_PKT_FILTERED);
	rx_udp(a, "10.0.0.2", "10.67.0.1");
	assert_drop(ns, IP_NOROUTE_PROHIBIT, 1);
	h_tx_flush(a);
}

static void test_ip_route_input_blackhole_is_silent(void **state)
{
	struct netns *ns = h_ns("r");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	sysctl(ns, "net.ipv4.ip_forward", "1");
	add_route(ns, "10.68.0.0", 16, RTN_BLACKHOLE, NULL, NULL);
	expect_drop(a, "10.0.0.2", "10.68.0.1", DROP_IP_NOROUTE_BLACKHOLE, -1);
	rx_udp(a, "10.0.0.2", "10.68.0.1");
	assert_drop(ns, IP_NOROUTE_BLACKHOLE, 1);
	assert_int_equal(h_tx_count(a), 0);
}

static void test_ip_route_input_martian_sources_are_dropped(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	expect_drop(a, "224.0.0.5", "10.0.0.1", DROP_IP_INVALID_SOURCE, -1);
	expect_drop(a, "255.255.255.255", "10.0.0.1", DROP_IP_INVALID_SOURCE, -1);
	expect_drop(a, "0.0.0.0", "10.0.0.1", DROP_IP_INVALID_SOURCE, -1);
	expect_drop(a, "0.1.2.3", "10.0.0.1", DROP_IP_INVALID_SOURCE, -1);
	expect_drop(a, "127.0.0.1", "10.0.0.1", DROP_IP_INVALID_SOURCE, -1);
	rx_udp(a, "127.0.0.1", "10.0.0.1");
	assert_drop(ns, IP_INVALID_SOURCE, 1);
}

static void test_ip_route_input_martian_destinations_are_dropped(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	expect_drop(a, "10.0.0.2", "0.1.2.3", DROP_IP_INVALID_DEST, -1);
	expect_drop(a, "10.0.0.2", "127.0.0.1", DROP_IP_INVALID_DEST, -1);
	rx_udp(a, "10.0.0.2", "127.0.0.1");
	assert_drop(ns, IP_INVALID_DEST, 1);
}

static void test_ip_route_input_route_localnet_accepts_loopback(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	assert_int_equal(dev_open(ns->lo), 0);
	sysctl(ns, "net.ipv4.conf.eth0.route_localnet", "1");
	expect_type(a, "10.0.0.2", "127.0.0.1", RTN_LOCAL);
}

static void test_ip_route_input_broadcasts_are_local(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	expect_type(a, "10.0.0.2", "255.255.255.255", RTN_BROADCAST);
	expect_type(a, "10.0.0.2", "10.0.0.255", RTN_BROADCAST);
	/* a DHCP discover: zero source to limited broadcast */
	expect_type(a, "0.0.0.0", "255.255.255.255", RTN_BROADCAST);
}

static void test_ip_route_input_local_source_is_dropped(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	expect_drop(a, "10.0.0.1", "10.0.0.1", DROP_IP_LOCAL_SOURCE, -1);
	rx_udp(a, "10.0.0.1", "10.0.0.1");
	assert_drop(ns, IP_LOCAL_SOURCE, 1);
	/* accept_local lets it in */
	sysctl(ns, "net.ipv4.conf.eth0.accept_local", "1");
	expect_type(a, "10.0.0.1", "10.0.0.1", RTN_LOCAL);
}

static void test_rp_filter_strict_drops_wrong_interface(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	dev_addr(ns, "eth1", MAC1, "10.1.0.1", 24);
	sysctl(ns, "net.ipv4.conf.all.rp_filter", "1");
	/* 10.1.0.5 lives behind eth1, so it may not arrive on eth0 */
	expect_drop(a, "10.1.0.5", "10.0.0.1", DROP_IP_RPFILTER, -1);
	rx_udp(a, "10.1.0.5", "10.0.0.1");
	assert_drop(ns, IP_RPFILTER, 1);
	/* the right interface passes */
	expect_type(a, "10.0.0.5", "10.0.0.1", RTN_LOCAL);
}

static void test_rp_filter_strict_applies_to_forwarding(void **state)
{
	struct netns *ns = h_ns("r");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	dev_addr(ns, "eth1", MAC1, "10.1.0.1", 24);
	sysctl(ns, "net.ipv4.ip_forward", "1");
	sysctl(ns, "net.ipv4.conf.eth0.rp_filter", "1");
	expect_drop(a, "10.1.0.5", "10.1.0.9", DROP_IP_RPFILTER, -1);
	expect_type(a, "10.0.0.5", "10.1.0.9", RTN_UNICAST);
}

static void test_rp_filter_loose_needs_any_route(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	dev_addr(ns, "eth1", MAC1, "10.1.0.1", 24);
	sysctl(ns, "net.ipv4.conf.all.rp_filter", "2");
	/* reachable through another interface: fine in loose mode */
	expect_type(a, "10.1.0.5", "10.0.0.1", RTN_LOCAL);
	/* no route back at all */
	expect_drop(a, "192.0.2.1", "10.0.0.1", DROP_IP_RPFILTER, -1);
}

static void test_rp_filter_is_max_of_all_and_dev(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	dev_addr(ns, "eth1", MAC1, "10.1.0.1", 24);
	/* all=0, dev=1: strict */
	sysctl(ns, "net.ipv4.conf.eth0.rp_filter", "1");
	expect_drop(a, "10.1.0.5", "10.0.0.1", DROP_IP_RPFILTER, -1);
	/* all=2, dev=1: loose wins */
	sysctl(ns, "net.ipv4.conf.all.rp_filter", "2");
	expect_type(a, "10.1.0.5", "10.0.0.1", RTN_LOCAL);
}

static void test_ip_route_input_multicast_groups(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);

	/* all-hosts is joined by every device */
	expect_type(a, "10.0.0.2", "224.0.0.1", RTN_MULTICAST);
	expect_drop(a, "10.0.0.2", "239.1.2.3", DROP_IP_MC_NOT_JOINED, -1);
	rx_udp(a, "10.0.0.2", "239.1.2.3");
	assert_drop(ns, IP_MC_NOT_JOINED, 1);
}

static void test_ip_route_output_on_link(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);
	struct rtable rt;

	assert_int_equal(ip_route_output(ns, h_ip("10.0.0.7"), 0, 0, &rt), 0);
	assert_int_equal(rt.type, RTN_UNICAST);
	assert_ptr_equal(rt.dev, a);
	assert_int_equal(rt.nexthop, h_ip("10.0.0.7"));
	assert_int_equal(rt.src, h_ip("10.0.0.1"));
	assert_int_equal(rt.mtu, a->mtu);
}

static void test_ip_route_output_via_gateway_selects_source(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *b;
	struct rtable rt;

	dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);
	b = dev_addr(ns, "eth1", MAC1, "10.1.0.1", 24);
	add_route(ns, "0.0.0.0", 0, RTN_UNICAST, "10.1.0.254", NULL);
	assert_int_equal(ip_route_output(ns, h_ip("8.8.8.8"), 0, 0, &rt), 0);
	assert_ptr_equal(rt.dev, b);
	assert_int_equal(rt.nexthop, h_ip("10.1.0.254"));
	assert_int_equal(rt.src, h_ip("10.1.0.1"));
}

static void test_ip_route_output_local_goes_through_lo(void **state)
{
	struct netns *ns = h_ns("a");
	struct rtable rt;

	dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);
	assert_int_equal(ip_route_output(ns, h_ip("10.0.0.1"), 0, 0, &rt), 0);
	assert_int_equal(rt.type, RTN_LOCAL);
	assert_ptr_equal(rt.dev, ns->lo);
	assert_int_equal(rt.src, h_ip("10.0.0.1"));
}

static void test_ip_route_output_route_type_errors(void **state)
{
	struct netns *ns = h_ns("a");
	struct rtable rt;

	dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);
	add_route(ns, "10.66.0.0", 16, RTN_UNREACHABLE, NULL, NULL);
	add_route(ns, "10.67.0.0", 16, RTN_PROHIBIT, NULL, NULL);
	add_route(ns, "10.68.0.0", 16, RTN_BLACKHOLE, NULL, NULL);
	assert_int_equal(ip_route_output(ns, h_ip("8.8.8.8"), 0, 0, &rt), -ENETUNREACH);
	assert_int_equal(ip_route_output(ns, h_ip("10.66.0.1"), 0, 0, &rt), -EHOSTUNREACH);
	assert_int_equal(ip_route_output(ns, h_ip("10.67.0.1"), 0, 0, &rt), -EACCES);
	assert_int_equal(ip_route_output(ns, h_ip("10.68.0.1"), 0, 0, &rt), -EINVAL);
}

static void test_ip_route_output_with_oif_assumes_on_link(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);
	struct rtable rt;

	assert_int_equal(ip_route_output(ns, h_ip("8.8.8.8"), 0, a->ifindex, &rt), 0);
	assert_ptr_equal(rt.dev, a);
	assert_int_equal(rt.nexthop, h_ip("8.8.8.8"));
	assert_int_equal(rt.src, h_ip("10.0.0.1"));
	assert_int_equal(ip_route_output(ns, h_ip("8.8.8.8"), 0, 99, &rt), -ENODEV);
}

static void test_ip_route_output_rejects_foreign_source(void **state)
{
	struct netns *ns = h_ns("a");
	struct rtable rt;

	dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);
	assert_int_equal(ip_route_output(ns, h_ip("10.0.0.7"), h_ip("10.9.9.9"), 0, &rt),
			 -ENETUNREACH);
	assert_int_equal(ip_route_output(ns, h_ip("10.0.0.7"), h_ip("224.0.0.1"), 0, &rt),
			 -EINVAL);
	assert_int_equal(ip_route_output(ns, h_ip("10.0.0.7"), h_ip("10.0.0.1"), 0, &rt), 0);
	assert_int_equal(rt.src, h_ip("10.0.0.1"));
}

static void test_ip_route_output_limited_broadcast(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = dev_addr(ns, "eth0", MAC0, "10.0.0.1", 24);
	struct rtable rt;

	assert_int_equal(ip_route_output(ns, htonl(INADDR_BROADCAST), 0, a->ifindex, &rt), 0);
	assert_int_equal(rt.type, RTN_BROADCAST);
	assert_ptr_equal(rt.dev, a);
	assert_int_equal(rt.src, h_ip("10.0.0.1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_ip_route_input_local_address_is_delivered),
		T(test_ip_route_input_forwards_when_enabled),
		T(test_ip_route_input_forwarding_disabled_drops),
		T(test_ip_route_input_no_route_is_net_unreachable),
		T(test_ip_route_input_unreachable_route_is_host_unreachable),
		T(test_ip_route_input_prohibit_route_is_pkt_filtered),
		T(test_ip_route_input_blackhole_is_silent),
		T(test_ip_route_input_martian_sources_are_dropped),
		T(test_ip_route_input_martian_destinations_are_dropped),
		T(test_ip_route_input_route_localnet_accepts_loopback),
		T(test_ip_route_input_broadcasts_are_local),
		T(test_ip_route_input_local_source_is_dropped),
		T(test_rp_filter_strict_drops_wrong_interface),
		T(test_rp_filter_strict_applies_to_forwarding),
		T(test_rp_filter_loose_needs_any_route),
		T(test_rp_filter_is_max_of_all_and_dev),
		T(test_ip_route_input_multicast_groups),
		T(test_ip_route_output_on_link),
		T(test_ip_route_output_via_gateway_selects_source),
		T(test_ip_route_output_local_goes_through_lo),
		T(test_ip_route_output_route_type_errors),
		T(test_ip_route_output_with_oif_assumes_on_link),
		T(test_ip_route_output_rejects_foreign_source),
		T(test_ip_route_output_limited_broadcast),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
