// SPDX-License-Identifier: MIT
/*
 * Forwarding through a router namespace with two fake devices:
 *   A 10.0.1.2 --- eth0 10.0.1.1 [r] eth1 10.0.2.1 --- B 10.0.2.2
 * TTL decrement with a valid checksum, ICMP time exceeded from the
 * interface facing the sender, net/host unreachable and prohibited,
 * forwarding disabled, rp_filter, DF over a small MTU, fragmentation
 * of forwarded datagrams, and the errors that must not be sent.
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

/* A datagram from @src to @dst received on @dev, @len bytes of UDP-ish
 * payload; @frag_off (host order) goes in as is. */
static void rx_dgram(struct netdev *dev, const char *dmac, const char *src, const char *dst,
		     uint8_t ttl, size_t len, uint16_t frag_off)
{
	static uint8_t payload[1600];
	uint8_t f[1700];
	size_t l = h_eth(f, dmac, dev == eth0 ? MAC_A : MAC_B, ETH_P_IP);
	struct iphdr *iph = (struct iphdr *)(f + l);

	memset(payload, 0xab, sizeof(payload));
	l += h_ipv4(f + l, src, dst, IPPROTO_UDP, ttl, payload, len);
	if (frag_off) {
		iph->frag_off = htons(frag_off);
		iph->check = 0;
		iph->check = ip_fast_csum(iph, 5);
	}
	h_rx(dev, f, l);
	h_run();
}

static void rx_a(const char *dst, uint8_t ttl, size_t len, uint16_t frag_off)
{
	rx_dgram(eth0, MAC_R0, "10.0.1.2", dst, ttl, len, frag_off);
}

static const struct iphdr *tx_ip(struct pkt *tx)
{
	return (const struct iphdr *)(tx->data + ETH_HLEN);
}

static const struct icmphdr *tx_icmp(struct pkt *tx)
{
	return (const struct icmphdr *)(tx_ip(tx) + 1);
}

/* Pop one ICMP error from @dev and check type, code and source. */
static void expect_icmp(struct netdev *dev, uint8_t type, uint8_t code, const char *src,
			const char *dst)
{
	struct pkt *tx = h_tx_pop(dev);

	assert_non_null(tx);
	assert_int_equal(tx_ip(tx)->protocol, IPPROTO_ICMP);
	assert_int_equal(tx_icmp(tx)->type, type);
	assert_int_equal(tx_icmp(tx)->code, code);
	assert_int_equal(tx_ip(tx)->saddr, h_ip(src));
	assert_int_equal(tx_ip(tx)->daddr, h_ip(dst));
	assert_int_equal(ip_compute_csum(tx_icmp(tx), ntohs(tx_ip(tx)->tot_len) - 20), 0);
	pkt_free(tx);
}

static void test_ip_forward_decrements_ttl_and_fixes_csum(void **state)
{
	uint8_t mac[ETH_ALEN];
	struct pkt *tx;

	(void)state;
	rx_a("10.0.2.2", 64, 100, 0);
	assert_int_equal(h_tx_count(eth1), 1);
	tx = h_tx_pop(eth1);
	assert_int_equal(tx_ip(tx)->ttl, 63);
	assert_int_equal(ip_fast_csum(tx_ip(tx), 5), 0);
	h_mac(mac, MAC_B);
	assert_memory_equal(tx->data, mac, ETH_ALEN);
	assert_memory_equal(tx->data + ETH_ALEN, eth1->addr, ETH_ALEN);
	pkt_free(tx);
	assert_mib(ns, IpForwDatagrams, 1);
	assert_mib(ns, IpOutTransmits, 1);
	assert_mib(ns, IpInDelivers, 0);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_ip_forward_ttl1_sends_time_exceeded(void **state)
{
	(void)state;
	rx_a("10.0.2.2", 1, 100, 0);
	assert_int_equal(h_tx_count(eth1), 0);
	expect_icmp(eth0, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, "10.0.1.1", "10.0.1.2");
	assert_drop(ns, IP_TTL_EXPIRED, 1);
	assert_mib(ns, IpInHdrErrors, 1);
	assert_mib(ns, IcmpOutTimeExcds, 1);
	assert_mib(ns, IpForwDatagrams, 0);
}

static void test_ip_forward_time_exceeded_source_faces_sender(void **state)
{
	(void)state;
	/* from B's side the router answers with its eth1 address */
	rx_dgram(eth1, MAC_R1, "10.0.2.2", "10.0.1.2", 1, 40, 0);
	expect_icmp(eth1, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, "10.0.2.1", "10.0.2.2");
}

static void test_ip_forward_no_route_sends_net_unreach(void **state)
{
	(void)state;
	rx_a("192.168.9.9", 64, 40, 0);
	expect_icmp(eth0, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, "10.0.1.1", "10.0.1.2");
	assert_drop(ns, IP_INNOROUTES, 1);
	assert_mib(ns, IpInNoRoutes, 1);
}

static void test_ip_forward_unreachable_route_sends_host_unreach(void **state)
{
	struct fib_config cfg = { .table = RT_TABLE_MAIN, .dst = h_ip("10.9.0.0"), .dst_len = 16,
				  .type = RTN_UNREACHABLE, .protocol = RTPROT_STATIC,
				  .nlflags = NLM_F_CREATE };

	(void)state;
	assert_int_equal(fib_route_add(ns, &cfg, NULL), 0);
	rx_a("10.9.1.1", 64, 40, 0);
	expect_icmp(eth0, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, "10.0.1.1", "10.0.1.2");
	assert_drop(ns, IP_NOROUTE_UNREACHABLE, 1);
}

static void test_ip_forward_prohibit_route_sends_pkt_filtered(void **state)
{
	struct fib_config cfg = { .table = RT_TABLE_MAIN, .dst = h_ip("10.9.0.0"), .dst_len = 16,
				  .type = RTN_PROHIBIT, .protocol = RTPROT_STATIC,
				  .nlflags = NLM_F_CREATE };

	(void)state;
	assert_int_equal(fib_route_add(ns, &cfg, NULL), 0);
	rx_a("10.9.1.1", 64, 40, 0);
	expect_icmp(eth0, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, "10.0.1.1", "10.0.1.2");
	assert_drop(ns, IP_NOROUTE_PROHIBIT, 1);
}

static void test_ip_forward_disabled_on_input_drops_silently(void **state)
{
	(void)state;
	assert_int_equal(sysctl_devconf_set(ns, eth0, DEVCONF_FORWARDING, 0, NULL), 0);
	rx_a("10.0.2.2", 64, 40, 0);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_int_equal(h_tx_count(eth1), 0);
	assert_drop(ns, IP_FORWARDING_DISABLED, 1);
	assert_mib(ns, IpInAddrErrors, 1);
}

static void test_ip_forward_rp_filter_strict_drops(void **state)
{
	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.all.rp_filter", "1", NULL), 0);
	/* 10.0.2.2 is reached through eth1, yet arrives on eth0 */
	rx_dgram(eth0, MAC_R0, "10.0.2.2", "10.0.1.2", 64, 40, 0);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, IP_RPFILTER, 1);
	assert_mib(ns, IpForwDatagrams, 0);
}

static void test_ip_forward_df_over_mtu_sends_frag_needed(void **state)
{
	struct pkt *tx;

	(void)state;
	assert_int_equal(dev_set_mtu(eth1, 1000, NULL), 0);
	rx_a("10.0.2.2", 64, 1200, IP_DF);
	assert_int_equal(h_tx_count(eth1), 0);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_icmp(tx)->type, ICMP_DEST_UNREACH);
	assert_int_equal(tx_icmp(tx)->code, ICMP_FRAG_NEEDED);
	assert_int_equal(ntohs(tx_icmp(tx)->un.frag.mtu), 1000);
	pkt_free(tx);
	assert_drop(ns, IP_FRAG_NEEDED, 1);
	assert_mib(ns, IpFragFails, 1);
}

static void test_ip_forward_fragments_without_df(void **state)
{
	struct pkt *tx;

	(void)state;
	assert_int_equal(dev_set_mtu(eth1, 1000, NULL), 0);
	rx_a("10.0.2.2", 64, 1200, 0);
	assert_int_equal(h_tx_count(eth1), 2);
	tx = h_tx_pop(eth1);
	assert_int_equal(ntohs(tx_ip(tx)->tot_len), 20 + 976);
	assert_int_equal(ntohs(tx_ip(tx)->frag_off), IP_MF);
	assert_int_equal(tx_ip(tx)->ttl, 63);
	pkt_free(tx);
	tx = h_tx_pop(eth1);
	assert_int_equal(ntohs(tx_ip(tx)->tot_len), 20 + 1200 - 976);
	assert_int_equal(ntohs(tx_ip(tx)->frag_off), 976 / 8);
	pkt_free(tx);
	assert_mib(ns, IpFragOKs, 1);
	assert_mib(ns, IpFragCreates, 2);
	assert_mib(ns, IpForwDatagrams, 1);
}

static void test_ip_forward_no_time_exceeded_for_non_first_fragment(void **state)
{
	(void)state;
	rx_a("10.0.2.2", 1, 40, 185 /* offset 1480 */);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, IP_TTL_EXPIRED, 1);
	assert_mib(ns, IcmpOutTimeExcds, 0);
}

static void test_ip_forward_no_time_exceeded_about_icmp_error(void **state)
{
	uint8_t icmp[8 + 28], f[128];
	size_t l = h_eth(f, MAC_R0, MAC_A, ETH_P_IP);
	uint16_t c;

	(void)state;
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = ICMP_DEST_UNREACH;
	h_ipv4(icmp + 8, "10.0.2.2", "10.0.1.2", IPPROTO_UDP, 64, "12345678", 8);
	c = ip_compute_csum(icmp, sizeof(icmp));
	memcpy(icmp + 2, &c, 2);
	l += h_ipv4(f + l, "10.0.1.2", "10.0.2.2", IPPROTO_ICMP, 1, icmp, sizeof(icmp));
	h_rx(eth0, f, l);
	h_run();
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, IP_TTL_EXPIRED, 1);
	assert_mib(ns, IcmpOutMsgs, 0);
}

static void test_ip_forward_drops_link_broadcast(void **state)
{
	(void)state;
	rx_dgram(eth0, "ff:ff:ff:ff:ff:ff", "10.0.1.2", "10.0.2.2", 64, 40, 0);
	assert_int_equal(h_tx_count(eth1), 0);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, NOT_SPECIFIED, 1);
	assert_mib(ns, IpForwDatagrams, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ip_forward_decrements_ttl_and_fixes_csum, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_ttl1_sends_time_exceeded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_time_exceeded_source_faces_sender,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_no_route_sends_net_unreach, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_unreachable_route_sends_host_unreach,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_prohibit_route_sends_pkt_filtered,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_disabled_on_input_drops_silently,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_rp_filter_strict_drops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_df_over_mtu_sends_frag_needed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_fragments_without_df, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_ip_forward_no_time_exceeded_for_non_first_fragment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_no_time_exceeded_about_icmp_error,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_forward_drops_link_broadcast, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
