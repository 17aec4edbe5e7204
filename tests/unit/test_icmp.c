// SPDX-License-Identifier: MIT
/*
 * ICMP: echo replies (source, counters, echo_ignore_all/broadcasts),
 * input validation (checksum, length, quoted header), and the rate
 * limits on errors (per host as inet_peer_xrlim_allow, global as
 * icmp_global_allow), which never apply to echo replies.
 */
#include <linux/neighbour.h>
#include <linux/netlink.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/icmp.h"
#include "netns/ipv4/ip.h"
#include "netns/core/neigh.h"

#define MAC_H H_HOST_MAC
#define MAC_P H_PEER_MAC
#define MAC_BCAST "ff:ff:ff:ff:ff:ff"

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

/* Receive an IP datagram from 10.0.0.2 carrying @l4 on eth0. */
static void rx_ip(const char *dmac, const char *dst, uint8_t proto, const void *l4, size_t len)
{
	uint8_t f[1600];
	size_t n = h_eth(f, dmac, MAC_P, ETH_P_IP);

	n += h_ipv4(f + n, "10.0.0.2", dst, proto, 64, l4, len);
	h_rx(eth0, f, n);
	h_run();
}

static void rx_echo(const char *dmac, const char *dst, uint16_t seq)
{
	uint8_t icmp[128];
	size_t n = h_icmp_echo(icmp, ICMP_ECHO, 0x1234, seq, 32);

	rx_ip(dmac, dst, IPPROTO_ICMP, icmp, n);
}

/* A UDP datagram to a closed port: each one asks for a port unreachable. */
static void rx_udp_closed(void)
{
	uint8_t udp[64];
	size_t n = h_udp(udp, "10.0.0.2", "10.0.0.1", 5000, 33434, "x", 1);

	rx_ip(MAC_H, "10.0.0.1", IPPROTO_UDP, udp, n);
}

static const struct iphdr *tx_ip(struct pkt *tx)
{
	return (const struct iphdr *)(tx->data + ETH_HLEN);
}

static const struct icmphdr *tx_icmp(struct pkt *tx)
{
	const struct iphdr *iph = tx_ip(tx);

	return (const struct icmphdr *)((const uint8_t *)iph + iph->ihl * 4);
}

static void test_icmp_echo_request_gets_reply(void **state)
{
	const struct icmphdr *icmph;
	const struct iphdr *iph;
	struct pkt *tx;

	(void)state;
	rx_echo(MAC_H, "10.0.0.1", 9);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	iph = tx_ip(tx);
	icmph = tx_icmp(tx);
	assert_int_equal(iph->saddr, h_ip("10.0.0.1"));
	assert_int_equal(iph->daddr, h_ip("10.0.0.2"));
	assert_int_equal(iph->ttl, 64);
	assert_int_equal(ip_fast_csum(iph, iph->ihl), 0);
	assert_int_equal(icmph->type, ICMP_ECHOREPLY);
	assert_int_equal(ntohs(icmph->un.echo.id), 0x1234);
	assert_int_equal(ntohs(icmph->un.echo.sequence), 9);
	assert_int_equal(ip_compute_csum(icmph, ntohs(iph->tot_len) - 20), 0);
	assert_mib(ns, IcmpInMsgs, 1);
	assert_mib(ns, IcmpInEchos, 1);
	assert_mib(ns, IcmpOutMsgs, 1);
	assert_mib(ns, IcmpOutEchoReps, 1);
	assert_mib(ns, IpOutRequests, 1);
	pkt_free(tx);
}

static void test_icmp_echo_ignore_all_drops_request(void **state)
{
	(void)state;
	ns->sysctl.icmp_echo_ignore_all = 1;
	rx_echo(MAC_H, "10.0.0.1", 1);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ICMP_ECHO_IGNORED, 1);
	assert_mib(ns, IcmpOutEchoReps, 0);
}

static void test_icmp_echo_to_broadcast_ignored_by_default(void **state)
{
	(void)state;
	rx_echo(MAC_BCAST, "10.0.0.255", 1);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ICMP_ECHO_IGNORED, 1);
	assert_mib(ns, IcmpInErrors, 1);
}

static void test_icmp_echo_to_broadcast_answered_from_device_address(void **state)
{
	struct pkt *tx;

	(void)state;
	ns->sysctl.icmp_echo_ignore_broadcasts = 0;
	rx_echo(MAC_BCAST, "10.0.0.255", 1);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	/* never from the broadcast address itself */
	assert_int_equal(tx_ip(tx)->saddr, h_ip("10.0.0.1"));
	assert_int_equal(tx_icmp(tx)->type, ICMP_ECHOREPLY);
	pkt_free(tx);
}

static void test_icmp_rcv_drops_bad_csum(void **state)
{
	uint8_t icmp[128];
	size_t n = h_icmp_echo(icmp, ICMP_ECHO, 1, 1, 16);

	(void)state;
	icmp[10] ^= 0xff;
	rx_ip(MAC_H, "10.0.0.1", IPPROTO_ICMP, icmp, n);
	assert_drop(ns, ICMP_CSUM, 1);
	assert_mib(ns, IcmpInCsumErrors, 1);
	assert_mib(ns, IcmpInErrors, 1);
	assert_mib(ns, IcmpInMsgs, 1);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_icmp_rcv_drops_short_message(void **state)
{
	/* 4 bytes with a valid checksum: too short for an ICMP header */
	uint8_t icmp[4] = { ICMP_ECHO, 0, 0, 0 };
	uint16_t c = ip_compute_csum(icmp, sizeof(icmp));

	(void)state;
	memcpy(icmp + 2, &c, 2);
	rx_ip(MAC_H, "10.0.0.1", IPPROTO_ICMP, icmp, sizeof(icmp));
	assert_drop(ns, ICMP_INVALID, 1);
	assert_mib(ns, IcmpInErrors, 1);
}

static void test_icmp_rcv_drops_error_quoting_too_little(void **state)
{
	/* destination unreachable quoting only an IP header, no transport */
	uint8_t icmp[8 + 20];
	uint16_t c;

	(void)state;
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = ICMP_DEST_UNREACH;
	icmp[1] = ICMP_PORT_UNREACH;
	h_ipv4(icmp + 8, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 64, NULL, 0);
	c = ip_compute_csum(icmp, sizeof(icmp));
	memcpy(icmp + 2, &c, 2);
	rx_ip(MAC_H, "10.0.0.1", IPPROTO_ICMP, icmp, sizeof(icmp));
	assert_drop(ns, ICMP_INVALID, 1);
	assert_mib(ns, IcmpInDestUnreachs, 1);
	assert_mib(ns, IcmpInErrors, 1);
}

static void test_icmp_error_rate_limited_per_host(void **state)
{
	unsigned i;

	(void)state;
	/* inet_peer_xrlim_allow: a burst of 6 (XRLIM_BURST_FACTOR) ... */
	for (i = 0; i < 7; i++)
		rx_udp_closed();
	assert_int_equal(h_tx_count(eth0), 6);
	assert_mib(ns, IcmpOutRateLimitHost, 1);
	assert_mib(ns, IcmpOutDestUnreachs, 6);
	/* the datagram itself is dropped for its own reason */
	assert_drop(ns, NO_SOCKET, 7);
	/* ... then one more per icmp_ratelimit (1000 ms) */
	h_advance(500 * 1000000ull);
	rx_udp_closed();
	assert_int_equal(h_tx_count(eth0), 6);
	h_advance(500 * 1000000ull);
	rx_udp_closed();
	assert_int_equal(h_tx_count(eth0), 7);
	assert_mib(ns, IcmpOutRateLimitHost, 2);
	h_tx_flush(eth0);
}

static void test_icmp_echo_replies_never_rate_limited(void **state)
{
	unsigned i;

	(void)state;
	ns->sysctl.icmp_msgs_burst = 1;
	for (i = 0; i < 20; i++)
		rx_echo(MAC_H, "10.0.0.1", (uint16_t)i);
	assert_int_equal(h_tx_count(eth0), 20);
	assert_mib(ns, IcmpOutRateLimitHost, 0);
	assert_mib(ns, IcmpOutRateLimitGlobal, 0);
	h_tx_flush(eth0);
}

static void test_icmp_error_rate_limited_globally(void **state)
{
	(void)state;
	ns->sysctl.icmp_msgs_burst = 2;
	ns->sysctl.icmp_ratelimit = 0; /* no per-host limit */
	rx_udp_closed();
	rx_udp_closed();
	rx_udp_closed();
	assert_int_equal(h_tx_count(eth0), 2);
	assert_mib(ns, IcmpOutRateLimitGlobal, 1);
	h_tx_flush(eth0);
}

static void test_icmp_no_error_to_broadcast_destination(void **state)
{
	uint8_t udp[64];
	size_t n = h_udp(udp, "10.0.0.2", "10.0.0.255", 5000, 33434, "x", 1);

	(void)state;
	rx_ip(MAC_BCAST, "10.0.0.255", IPPROTO_UDP, udp, n);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_mib(ns, IcmpOutDestUnreachs, 0);
}

static void test_icmp_exit_frees_state(void **state)
{
	(void)state;
	rx_udp_closed();
	h_tx_flush(eth0);
	assert_non_null(ns->icmp);
	icmp_exit(ns);
	assert_null(ns->icmp);
	icmp_exit(ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_icmp_echo_request_gets_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo_ignore_all_drops_request, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo_to_broadcast_ignored_by_default,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_icmp_echo_to_broadcast_answered_from_device_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_rcv_drops_bad_csum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_rcv_drops_short_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_rcv_drops_error_quoting_too_little, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_icmp_error_rate_limited_per_host, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo_replies_never_rate_limited, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_icmp_error_rate_limited_globally, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_icmp_no_error_to_broadcast_destination, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_icmp_exit_frees_state, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
