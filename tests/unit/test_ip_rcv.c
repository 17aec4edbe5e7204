// SPDX-License-Identifier: MIT
/*
 * ip_rcv / ip_rcv_core / ip_local_deliver: every header validation with
 * its drop reason and counters, link padding trimmed, delivery counted,
 * and protocol unreachable for an unknown protocol.
 */
#include <linux/neighbour.h>
#include <linux/netlink.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "netns/core/neigh.h"

#define MAC_H H_HOST_MAC
#define MAC_P H_PEER_MAC

static struct netns *ns;
static struct netdev *eth0;

static int setup(void **state)
{
	(void)state;
	ns = h_host("h", &eth0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

/* An echo request from 10.0.0.2 to 10.0.0.1 in a frame at @f; returns its length. */
static size_t echo_frame(uint8_t *f)
{
	uint8_t icmp[64];
	size_t n = h_icmp_echo(icmp, ICMP_ECHO, 7, 1, 16);
	size_t l = h_eth(f, MAC_H, MAC_P, ETH_P_IP);

	return l + h_ipv4(f + l, "10.0.0.2", "10.0.0.1", IPPROTO_ICMP, 64, icmp, n);
}

/* Recompute the IP header checksum after a test edited the header. */
static void fix_csum(uint8_t *f)
{
	struct iphdr *iph = (struct iphdr *)(f + ETH_HLEN);

	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);
}

static void rx(const uint8_t *f, size_t len)
{
	h_rx(eth0, f, len);
	h_run();
}

static void test_ip_rcv_drops_short_header(void **state)
{
	uint8_t f[128];
	size_t n = echo_frame(f);

	(void)state;
	(void)n;
	rx(f, ETH_HLEN + 12);
	assert_drop(ns, IP_INHDR, 1);
	assert_mib(ns, IpInReceives, 1);
	assert_mib(ns, IpInHdrErrors, 1);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_ip_rcv_drops_bad_version(void **state)
{
	uint8_t f[128];
	size_t n = echo_frame(f);

	(void)state;
	f[ETH_HLEN] = 0x65; /* version 6, ihl 5 */
	fix_csum(f);
	rx(f, n);
	assert_drop(ns, IP_INHDR, 1);
	assert_mib(ns, IpInHdrErrors, 1);
	assert_mib(ns, IpInDelivers, 0);
}

static void test_ip_rcv_drops_ihl_below_5(void **state)
{
	uint8_t f[128];
	size_t n = echo_frame(f);

	(void)state;
	f[ETH_HLEN] = 0x44;
	rx(f, n);
	assert_drop(ns, IP_INHDR, 1);
	assert_mib(ns, IpInHdrErrors, 1);
}

static void test_ip_rcv_drops_ihl_beyond_frame(void **state)
{
	uint8_t f[128];
	size_t l = h_eth(f, MAC_H, MAC_P, ETH_P_IP);

	(void)state;
	l += h_ipv4(f + l, "10.0.0.2", "10.0.0.1", 200, 64, NULL, 0);
	f[ETH_HLEN] = 0x4f; /* claims 60 bytes of header in a 20-byte datagram */
	rx(f, l);
	assert_drop(ns, IP_INHDR, 1);
}

static void test_ip_rcv_drops_bad_csum(void **state)
{
	uint8_t f[128];
	size_t n = echo_frame(f);

	(void)state;
	f[ETH_HLEN + 10] ^= 0x55;
	rx(f, n);
	assert_drop(ns, IP_CSUM, 1);
	assert_mib(ns, IpInCsumErrors, 1);
	/* the kernel's csum_error label falls into inhdr_error */
	assert_mib(ns, IpInHdrErrors, 1);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_ip_rcv_drops_truncated(void **state)
{
	uint8_t f[128];
	size_t n = echo_frame(f);
	struct iphdr *iph = (struct iphdr *)(f + ETH_HLEN);

	(void)state;
	iph->tot_len = htons(ntohs(iph->tot_len) + 40);
	fix_csum(f);
	rx(f, n);
	assert_drop(ns, PKT_TRUNCATED, 1);
	assert_mib(ns, IpInTruncatedPkts, 1);
	assert_mib(ns, IpInHdrErrors, 0);
}

static void test_ip_rcv_drops_tot_len_below_header(void **state)
{
	uint8_t f[128];
	size_t n = echo_frame(f);
	struct iphdr *iph = (struct iphdr *)(f + ETH_HLEN);

	(void)state;
	iph->tot_len = htons(12);
	fix_csum(f);
	rx(f, n);
	assert_drop(ns, IP_INHDR, 1);
	assert_mib(ns, IpInHdrErrors, 1);
}

static void test_ip_rcv_trims_link_padding(void **state)
{
	uint8_t f[128];
	size_t n = echo_frame(f);
	const struct iphdr *iph;
	struct pkt *tx;

	(void)state;
	memset(f + n, 0xee, 30); /* padding after the datagram */
	rx(f, n + 30);
	assert_mib(ns, IpInDelivers, 1);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	iph = (const struct iphdr *)(tx->data + ETH_HLEN);
	/* the reply echoes exactly the request's 24 bytes of ICMP */
	assert_int_equal(ntohs(iph->tot_len), n - ETH_HLEN);
	assert_int_equal(tx->len, n);
	pkt_free(tx);
}

static void test_ip_rcv_drops_otherhost_on_promisc(void **state)
{
	uint8_t f[128];
	size_t n = echo_frame(f);

	(void)state;
	eth0->flags |= IFF_PROMISC;
	h_mac(f, "02:00:00:00:00:99");
	rx(f, n);
	eth0->flags &= ~IFF_PROMISC;
	assert_drop(ns, OTHERHOST, 1);
	/* ip_rcv_core drops these before counting them as received */
	assert_mib(ns, IpInReceives, 0);
}

static void test_ip_local_deliver_counts_in_delivers(void **state)
{
	uint8_t f[128];
	size_t n = echo_frame(f);

	(void)state;
	rx(f, n);
	assert_mib(ns, IpInReceives, 1);
	assert_mib(ns, IpInDelivers, 1);
	assert_int_equal(h_tx_count(eth0), 1);
	h_tx_flush(eth0);
}

static void test_ip_local_deliver_unknown_proto_sends_prot_unreach(void **state)
{
	uint8_t f[128], data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t l = h_eth(f, MAC_H, MAC_P, ETH_P_IP);
	const struct iphdr *iph, *inner;
	const struct icmphdr *icmph;
	struct pkt *tx;

	(void)state;
	l += h_ipv4(f + l, "10.0.0.2", "10.0.0.1", 200, 64, data, sizeof(data));
	rx(f, l);
	assert_drop(ns, IP_NOPROTO, 1);
	assert_mib(ns, IpInUnknownProtos, 1);
	assert_mib(ns, IpInDelivers, 0);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	iph = (const struct iphdr *)(tx->data + ETH_HLEN);
	icmph = (const struct icmphdr *)(iph + 1);
	inner = (const struct iphdr *)(icmph + 1);
	assert_int_equal(iph->protocol, IPPROTO_ICMP);
	assert_int_equal(iph->saddr, h_ip("10.0.0.1"));
	assert_int_equal(iph->daddr, h_ip("10.0.0.2"));
	assert_int_equal(icmph->type, ICMP_DEST_UNREACH);
	assert_int_equal(icmph->code, ICMP_PROT_UNREACH);
	assert_int_equal(inner->protocol, 200);
	assert_int_equal(ip_compute_csum(icmph, ntohs(iph->tot_len) - 20), 0);
	assert_mib(ns, IcmpOutDestUnreachs, 1);
	pkt_free(tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ip_rcv_drops_short_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_rcv_drops_bad_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_rcv_drops_ihl_below_5, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_rcv_drops_ihl_beyond_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_rcv_drops_bad_csum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_rcv_drops_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_rcv_drops_tot_len_below_header, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_rcv_trims_link_padding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_rcv_drops_otherhost_on_promisc, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_local_deliver_counts_in_delivers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_local_deliver_unknown_proto_sends_prot_unreach,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
