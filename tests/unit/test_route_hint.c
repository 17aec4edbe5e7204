// SPDX-License-Identifier: MIT
/*
 * The input route hint (route.c, struct rt_input_hint): a router forwards
 * a stream of identical datagrams with one full ip_route_input and reuses
 * the answer after that. These tests send the same datagram again after
 * each kind of change that alters the decision (devconf accept_local and
 * rp_filter, a deleted route, a smaller MTU, a device going down) and
 * check that the second one gets the new answer, as if nothing were kept:
 *   A 10.0.1.2 --- eth0 10.0.1.1 [r] eth1 10.0.2.1 --- B 10.0.2.2
 */
#include <linux/neighbour.h>
#include <linux/netlink.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "netns/core/neigh.h"
#include "netns/core/sysctl.h"

#define MAC_R0 H_R0_MAC
#define MAC_R1 H_R1_MAC
#define MAC_A H_A_MAC
#define MAC_B H_B_MAC

static struct netns *ns;
static struct netdev *eth0, *eth1;

static void add_route(const char *dst, uint8_t len, const char *gw)
{
	struct fib_config cfg = { .table = RT_TABLE_MAIN, .dst = h_ip(dst), .dst_len = len,
				  .type = RTN_UNICAST, .scope = RT_SCOPE_UNIVERSE,
				  .protocol = RTPROT_STATIC, .gw = h_ip(gw),
				  .nlflags = NLM_F_CREATE | NLM_F_EXCL };

	assert_int_equal(fib_route_add(ns, &cfg, NULL), 0);
}

static void del_route(const char *dst, uint8_t len)
{
	struct fib_config cfg = { .table = RT_TABLE_MAIN, .dst = h_ip(dst), .dst_len = len,
				  .scope = RT_SCOPE_NOWHERE };

	assert_int_equal(fib_route_del(ns, &cfg, NULL), 0);
}

static int setup(void **state)
{
	(void)state;
	h_setup();
	ns = h_router("r", &eth0, &eth1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

/* A UDP datagram @src -> @dst of @len payload bytes (DF set) received on
 * eth0 from A. */
static void rx(const char *src, const char *dst, size_t len)
{
	static uint8_t payload[1600];
	uint8_t f[1700];
	size_t l = h_eth(f, MAC_R0, MAC_A, ETH_P_IP);
	struct iphdr *iph = (struct iphdr *)(f + l);

	l += h_ipv4(f + l, src, dst, IPPROTO_UDP, 64, payload, len);
	iph->frag_off = htons(IP_DF);
	iph->check = 0;
	iph->check = ip_fast_csum(iph, 5);
	h_rx(eth0, f, l);
	h_run();
}

static void test_route_hint_forwards_a_stream(void **state)
{
	(void)state;
	for (int i = 0; i < 10; i++)
		rx("10.0.1.2", "10.0.2.2", 100);
	assert_int_equal(h_tx_count(eth1), 10);
	assert_mib(ns, IpForwDatagrams, 10);
	h_tx_flush(eth1);
}

static void test_route_hint_sees_accept_local_cleared(void **state)
{
	(void)state;
	/* our own address as source passes only with accept_local */
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.accept_local", "1", NULL), 0);
	rx("10.0.2.1", "10.0.2.2", 100);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.accept_local", "0", NULL), 0);
	rx("10.0.2.1", "10.0.2.2", 100);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_drop(ns, IP_LOCAL_SOURCE, 1);
	h_tx_flush(eth1);
}

static void test_route_hint_sees_rp_filter_set(void **state)
{
	(void)state;
	/* no route back to 10.0.9.9: loose and strict both refuse it */
	rx("10.0.9.9", "10.0.2.2", 100);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.all.rp_filter", "2", NULL), 0);
	rx("10.0.9.9", "10.0.2.2", 100);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_drop(ns, IP_RPFILTER, 1);
	h_tx_flush(eth1);
}

static void test_route_hint_sees_route_deleted(void **state)
{
	(void)state;
	add_route("10.0.3.0", 24, "10.0.2.2");
	rx("10.0.1.2", "10.0.3.5", 100);
	assert_int_equal(h_tx_count(eth1), 1);
	del_route("10.0.3.0", 24);
	rx("10.0.1.2", "10.0.3.5", 100);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_drop(ns, IP_INNOROUTES, 1);
	assert_mib(ns, IpInNoRoutes, 1);
	/* the sender hears net unreachable */
	assert_int_equal(h_tx_count(eth0), 1);
	h_tx_flush(eth0);
	h_tx_flush(eth1);
}

static void test_route_hint_sees_mtu_lowered(void **state)
{
	(void)state;
	rx("10.0.1.2", "10.0.2.2", 1000);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_int_equal(dev_set_mtu(eth1, 576, NULL), 0);
	rx("10.0.1.2", "10.0.2.2", 1000);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_drop(ns, IP_FRAG_NEEDED, 1);
	h_tx_flush(eth0);
	h_tx_flush(eth1);
}

static void test_route_hint_sees_output_down(void **state)
{
	(void)state;
	rx("10.0.1.2", "10.0.2.2", 100);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_int_equal(dev_close(eth1), 0);
	rx("10.0.1.2", "10.0.2.2", 100);
	assert_int_equal(h_tx_count(eth1), 1);
	assert_drop(ns, IP_INNOROUTES, 1);
	h_tx_flush(eth0);
	h_tx_flush(eth1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_route_hint_forwards_a_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_hint_sees_accept_local_cleared, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_hint_sees_rp_filter_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_hint_sees_route_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_hint_sees_mtu_lowered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_hint_sees_output_down, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
