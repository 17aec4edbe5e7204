// SPDX-License-Identifier: MIT
/*
 * Fragmentation on output (offsets, MF, counters) and reassembly on input:
 * in order and out of order, the reassembly timeout (ICMP only when the
 * first fragment came), overlaps, duplicates, datagrams past 65535 bytes,
 * empty fragments, the memory limit, and namespace teardown.
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
/* an echo request of 3000 bytes of ICMP, to be cut into fragments */
static uint8_t dgram[3000];

static int setup(void **state)
{
	(void)state;
	ns = h_host("h", &eth0);
	h_icmp_echo(dgram, ICMP_ECHO, 0x77, 1, sizeof(dgram) - 8);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

/* Receive bytes [@off, @off + @len) of dgram as a fragment of datagram @id. */
static void rx_frag(uint16_t id, unsigned off, unsigned len, bool mf)
{
	uint8_t f[1600];
	size_t l = h_eth(f, MAC_H, MAC_P, ETH_P_IP);
	struct iphdr *iph = (struct iphdr *)(f + l);

	l += h_ipv4(f + l, "10.0.0.2", "10.0.0.1", IPPROTO_ICMP, 64, dgram + off, len);
	iph->id = htons(id);
	iph->frag_off = htons((uint16_t)((off >> 3) | (mf ? IP_MF : 0)));
	iph->check = 0;
	iph->check = ip_fast_csum(iph, 5);
	h_rx(eth0, f, l);
	h_run();
}

static const struct iphdr *tx_ip(struct pkt *tx)
{
	return (const struct iphdr *)(tx->data + ETH_HLEN);
}

/* Check the three fragments of a 3000-byte payload on eth0. */
static void expect_three_fragments(void)
{
	static const unsigned off[3] = { 0, 1480, 2960 }, len[3] = { 1480, 1480, 40 };
	unsigned i;

	assert_int_equal(h_tx_count(eth0), 3);
	for (i = 0; i < 3; i++) {
		struct pkt *tx = h_tx_pop(eth0);
		const struct iphdr *iph = tx_ip(tx);
		uint16_t fo = ntohs(iph->frag_off);

		assert_int_equal(ntohs(iph->tot_len), 20 + len[i]);
		assert_int_equal((fo & IP_OFFSET) * 8, off[i]);
		assert_int_equal(!!(fo & IP_MF), i < 2);
		assert_int_equal(ip_fast_csum(iph, 5), 0);
		pkt_free(tx);
	}
}

static void test_ip_fragment_splits_3000_bytes_over_mtu_1500(void **state)
{
	struct ip_send_args a = { .daddr = h_ip("10.0.0.2"), .protocol = IPPROTO_ICMP };
	struct pkt *p = pkt_alloc(PKT_HR_TRANSPORT, sizeof(dgram));

	(void)state;
	memcpy(p->data, dgram, sizeof(dgram));
	assert_int_equal(ip_send(ns, p, &a), 0);
	expect_three_fragments();
	assert_mib(ns, IpOutRequests, 1);
	assert_mib(ns, IpFragOKs, 1);
	assert_mib(ns, IpFragCreates, 3);
	assert_mib(ns, IpOutTransmits, 3);
}

static void test_ip_defrag_in_order(void **state)
{
	(void)state;
	rx_frag(5, 0, 1480, true);
	rx_frag(5, 1480, 1480, true);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_true(ipfrag_mem(ns) > 0);
	rx_frag(5, 2960, 40, false);
	assert_mib(ns, IpReasmReqds, 3);
	assert_mib(ns, IpReasmOKs, 1);
	assert_mib(ns, IcmpInEchos, 1);
	assert_int_equal(ipfrag_mem(ns), 0);
	/* the 3000-byte reply is fragmented again on the way out */
	expect_three_fragments();
}

static void test_ip_defrag_out_of_order(void **state)
{
	(void)state;
	rx_frag(6, 2960, 40, false);
	rx_frag(6, 0, 1480, true);
	assert_mib(ns, IpReasmOKs, 0);
	rx_frag(6, 1480, 1480, true);
	assert_mib(ns, IpReasmOKs, 1);
	assert_mib(ns, IcmpInEchos, 1);
	expect_three_fragments();
}

static void test_ip_defrag_timeout_sends_fragtime_after_first(void **state)
{
	const struct icmphdr *icmph;
	struct pkt *tx;

	(void)state;
	rx_frag(7, 0, 1480, true);
	h_advance(29 * 1000000000ull);
	assert_int_equal(h_tx_count(eth0), 0);
	h_advance(2 * 1000000000ull);
	assert_drop(ns, FRAG_REASM_TIMEOUT, 1);
	assert_mib(ns, IpReasmTimeout, 1);
	assert_mib(ns, IpReasmFails, 1);
	assert_int_equal(ipfrag_mem(ns), 0);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	icmph = (const struct icmphdr *)(tx_ip(tx) + 1);
	assert_int_equal(icmph->type, ICMP_TIME_EXCEEDED);
	assert_int_equal(icmph->code, ICMP_EXC_FRAGTIME);
	assert_int_equal(tx_ip(tx)->saddr, h_ip("10.0.0.1"));
	pkt_free(tx);
}

static void test_ip_defrag_timeout_silent_without_first(void **state)
{
	(void)state;
	rx_frag(8, 1480, 1480, true);
	rx_frag(8, 2960, 40, false);
	h_advance(31 * 1000000000ull);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, FRAG_REASM_TIMEOUT, 2);
	/* one datagram failed, whatever the number of its fragments */
	assert_mib(ns, IpReasmFails, 1);
	assert_mib(ns, IpReasmTimeout, 1);
}

static void test_ip_defrag_overlap_drops_datagram(void **state)
{
	(void)state;
	rx_frag(9, 0, 1480, true);
	rx_frag(9, 1472, 16, true);
	assert_drop(ns, FRAG_OVERLAP, 2);
	assert_mib(ns, IpReasmOverlaps, 1);
	assert_mib(ns, IpReasmFails, 1);
	assert_int_equal(ipfrag_mem(ns), 0);
	/* the rest of the datagram starts a new queue that never completes */
	rx_frag(9, 2960, 40, false);
	assert_mib(ns, IpReasmOKs, 0);
}

static void test_ip_defrag_duplicate_dropped_queue_kept(void **state)
{
	(void)state;
	rx_frag(10, 0, 1480, true);
	rx_frag(10, 0, 1480, true);
	assert_drop(ns, FRAG_DUP, 1);
	assert_mib(ns, IpReasmFails, 0);
	rx_frag(10, 1480, 1480, true);
	rx_frag(10, 2960, 40, false);
	assert_mib(ns, IpReasmOKs, 1);
	expect_three_fragments();
}

static void test_ip_defrag_drops_fragment_past_65535(void **state)
{
	(void)state;
	rx_frag(11, 0, 1480, true);
	/* offset 65528 + 16 bytes + header > 65535 */
	{
		uint8_t f[128];
		size_t l = h_eth(f, MAC_H, MAC_P, ETH_P_IP);
		struct iphdr *iph = (struct iphdr *)(f + l);

		l += h_ipv4(f + l, "10.0.0.2", "10.0.0.1", IPPROTO_ICMP, 64, dgram, 16);
		iph->id = htons(11);
		iph->frag_off = htons(65528 >> 3);
		iph->check = 0;
		iph->check = ip_fast_csum(iph, 5);
		h_rx(eth0, f, l);
		h_run();
	}
	assert_drop(ns, FRAG_TOO_FAR, 2);
	assert_mib(ns, IpReasmFails, 1);
	assert_int_equal(ipfrag_mem(ns), 0);
}

static void test_ip_defrag_drops_empty_fragment(void **state)
{
	(void)state;
	rx_frag(12, 0, 0, true);
	assert_drop(ns, FRAG_INVALID, 1);
	assert_mib(ns, IpReasmFails, 1);
	assert_int_equal(ipfrag_mem(ns), 0);
}

static void test_ip_defrag_memory_limit_evicts_oldest(void **state)
{
	(void)state;
	rx_frag(13, 0, 1480, true);
	/* room for about one queued fragment */
	ns->sysctl.ipfrag_high_thresh = (int32_t)(ipfrag_mem(ns) + 100);
	ns->sysctl.ipfrag_low_thresh = (int32_t)(ipfrag_mem(ns) / 2);
	rx_frag(14, 0, 1480, true);
	assert_drop(ns, FRAG_MEM_LIMIT, 1);
	assert_mib(ns, IpReasmFails, 1);
	/* datagram 14 is queued, 13 is gone; a second fragment of 14 does
	 * not fit either: the oldest queue (14's own) is evicted for it */
	rx_frag(14, 1480, 1480, true);
	assert_drop(ns, FRAG_MEM_LIMIT, 1 + 1);
	ns->sysctl.ipfrag_high_thresh = 4 << 20;
	ns->sysctl.ipfrag_low_thresh = 3 << 20;
}

static void test_ipfrag_exit_drops_queued_fragments(void **state)
{
	(void)state;
	rx_frag(15, 0, 1480, true);
	rx_frag(16, 0, 1480, true);
	ipfrag_exit(ns);
	assert_drop(ns, DEV_GONE, 2);
	assert_int_equal(ipfrag_mem(ns), 0);
	assert_null(ns->ipfrag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ip_fragment_splits_3000_bytes_over_mtu_1500,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_defrag_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_defrag_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_defrag_timeout_sends_fragtime_after_first,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ip_defrag_timeout_silent_without_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_defrag_overlap_drops_datagram, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_defrag_duplicate_dropped_queue_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_defrag_drops_fragment_past_65535, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_defrag_drops_empty_fragment, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ip_defrag_memory_limit_evicts_oldest, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ipfrag_exit_drops_queued_fragments, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
