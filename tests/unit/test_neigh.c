// SPDX-License-Identifier: MIT
/*
 * Unit tests for netns/core/neigh.c: the NUD state machine driven by the fake
 * clock (INCOMPLETE probes and failure, REACHABLE/STALE/DELAY/PROBE aging,
 * permanent entries), the unresolved queue and its limit, direct output on
 * NOARP devices and to broadcasts, the control-path calls and their errors,
 * device down and garbage collection.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>

#include "core/timer.h"
#include "netns/ipv4/fib.h"
#include "netns/core/neigh.h"
#include "netns/proto/arp.h"
#include "netns/proto/ip.h"
#include "netns/core/sysctl.h"
#include "tests/unit/harness/harness.h"

#define MAC0 "02:00:00:00:00:01"
#define MAC1 "02:00:00:00:00:02"
#define PEER "02:00:00:00:00:aa"
#define PEER2 "02:00:00:00:00:bb"
#define SEC NSEC_PER_SEC
#define MS NSEC_PER_MSEC

static struct netns *ns;
static struct netdev *eth0;

static int setup(void **state)
{
	(void)state;
	h_setup();
	ns = h_ns("n");
	eth0 = h_fake_dev(ns, "eth0", MAC0);
	assert_int_equal(inet_addr_add(eth0, h_ip("10.0.0.1"), 24, h_ip("10.0.0.255"),
				       RT_SCOPE_UNIVERSE, "eth0", NULL),
			 0);
	h_tx_flush(eth0); /* the address's gratuitous ARP */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

/* A locally built UDP datagram to @dst, handed to neigh_output on @dev. The
 * IP ID tells packets apart. */
static void out_pkt(struct netdev *dev, const char *src, const char *dst, uint16_t id)
{
	uint8_t buf[64], pl[8] = { 0 };
	size_t n = h_ipv4(buf, src, dst, IPPROTO_UDP, 64, pl, sizeof(pl));
	struct pkt *p = pkt_alloc(PKT_HR_NET, (unsigned)n);

	assert_non_null(p);
	((struct iphdr *)buf)->id = htons(id);
	memcpy(p->data, buf, n);
	p->dev = dev;
	p->ns = dev->ns;
	p->nexthop = h_ip(dst);
	p->flags |= PKT_F_LOCAL_OUT;
	pkt_set_l3(p);
	neigh_output(p);
}

/* @mac answers for @ip with a unicast reply to eth0. */
static void rx_reply(const char *mac, const char *ip)
{
	uint8_t f[ETH_ZLEN];

	h_rx(eth0, f, h_arp(f, MAC0, mac, ARPOP_REPLY, ip, MAC0, "10.0.0.1"));
	h_run();
}

static uint16_t state_of(const char *ip)
{
	struct neighbour *n = neigh_lookup(ns, eth0, h_ip(ip));
	return n ? n->state : 0xffff;
}

/* Pop a frame and check it is an ARP request for @tip sent to @eth_dst. */
static void expect_arp_request(struct netdev *dev, const char *eth_dst, const char *tip)
{
	struct pkt *p = h_tx_pop(dev);
	uint8_t mac[ETH_ALEN];
	uint32_t t;

	assert_non_null(p);
	assert_int_equal(p->len, ETH_HLEN + sizeof(struct arp_eth));
	const struct ethhdr *eth = (const struct ethhdr *)p->data;
	const struct arp_eth *a = (const struct arp_eth *)(p->data + ETH_HLEN);
	h_mac(mac, eth_dst);
	assert_memory_equal(eth->h_dest, mac, ETH_ALEN);
	assert_memory_equal(eth->h_source, dev->addr, ETH_ALEN);
	assert_int_equal(ntohs(eth->h_proto), ETH_P_ARP);
	assert_int_equal(ntohs(a->ar_op), ARPOP_REQUEST);
	assert_memory_equal(a->ar_sha, dev->addr, ETH_ALEN);
	memcpy(&t, a->ar_tip, 4);
	assert_int_equal(t, h_ip(tip));
	pkt_free(p);
}

/* Pop a frame and check it is IPv4 to @eth_dst with IP ID @id. */
static void expect_ip(struct netdev *dev, const char *eth_dst, uint16_t id)
{
	struct pkt *p = h_tx_pop(dev);
	uint8_t mac[ETH_ALEN];

	assert_non_null(p);
	const struct ethhdr *eth = (const struct ethhdr *)p->data;
	const struct iphdr *iph = (const struct iphdr *)(p->data + ETH_HLEN);
	h_mac(mac, eth_dst);
	assert_memory_equal(eth->h_dest, mac, ETH_ALEN);
	assert_memory_equal(eth->h_source, dev->addr, ETH_ALEN);
	assert_int_equal(ntohs(eth->h_proto), ETH_P_IP);
	assert_int_equal(ntohs(iph->id), id);
	pkt_free(p);
}

static void test_neigh_output_unresolved_queues_and_broadcasts_request(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	assert_int_equal(h_tx_count(eth0), 1);
	expect_arp_request(eth0, "ff:ff:ff:ff:ff:ff", "10.0.0.2");
	assert_int_equal(state_of("10.0.0.2"), NUD_INCOMPLETE);
	assert_int_equal(neigh_lookup(ns, eth0, h_ip("10.0.0.2"))->arp_queue.len, 1);
}

static void test_neigh_request_source_is_queued_packet_source(void **state)
{
	struct pkt *p;
	uint32_t sip;

	(void)state;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	p = h_tx_pop(eth0);
	assert_non_null(p);
	memcpy(&sip, ((struct arp_eth *)(p->data + ETH_HLEN))->ar_sip, 4);
	assert_int_equal(sip, h_ip("10.0.0.1"));
	pkt_free(p);
}

static void test_neigh_incomplete_retransmits_every_second(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	h_tx_flush(eth0);
	h_advance(SEC - MS);
	assert_int_equal(h_tx_count(eth0), 0);
	h_advance(MS);
	assert_int_equal(h_tx_count(eth0), 1);
	expect_arp_request(eth0, "ff:ff:ff:ff:ff:ff", "10.0.0.2");
	h_advance(SEC);
	expect_arp_request(eth0, "ff:ff:ff:ff:ff:ff", "10.0.0.2");
	assert_int_equal(state_of("10.0.0.2"), NUD_INCOMPLETE);
}

static void test_neigh_incomplete_fails_after_three_probes(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 2);
	h_advance(2 * SEC);
	assert_int_equal(h_tx_count(eth0), 3); /* mcast_solicit broadcasts */
	h_tx_flush(eth0);
	assert_drop(ns, NEIGH_FAILED, 0);
	h_advance(SEC);
	assert_int_equal(state_of("10.0.0.2"), NUD_FAILED);
	assert_drop(ns, NEIGH_FAILED, 2);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_neigh_failed_entry_restarts_resolution(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	h_advance(3 * SEC);
	assert_int_equal(state_of("10.0.0.2"), NUD_FAILED);
	h_tx_flush(eth0);
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 2);
	assert_int_equal(state_of("10.0.0.2"), NUD_INCOMPLETE);
	expect_arp_request(eth0, "ff:ff:ff:ff:ff:ff", "10.0.0.2");
	rx_reply(PEER, "10.0.0.2");
	expect_ip(eth0, PEER, 2);
}

static void test_neigh_reply_makes_reachable_and_flushes_queue_in_order(void **state)
{
	(void)state;
	for (uint16_t id = 1; id <= 3; id++)
		out_pkt(eth0, "10.0.0.1", "10.0.0.2", id);
	assert_int_equal(h_tx_count(eth0), 1);
	h_tx_flush(eth0);
	rx_reply(PEER, "10.0.0.2");
	assert_int_equal(state_of("10.0.0.2"), NUD_REACHABLE);
	assert_int_equal(h_tx_count(eth0), 3);
	expect_ip(eth0, PEER, 1);
	expect_ip(eth0, PEER, 2);
	expect_ip(eth0, PEER, 3);
	/* and later packets go straight out */
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 4);
	expect_ip(eth0, PEER, 4);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_neigh_unres_qlen_overflow_drops_oldest(void **state)
{
	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.neigh.default.unres_qlen", "2", NULL), 0);
	for (uint16_t id = 1; id <= 4; id++)
		out_pkt(eth0, "10.0.0.1", "10.0.0.2", id);
	assert_drop(ns, NEIGH_QUEUEFULL, 2);
	h_tx_flush(eth0);
	rx_reply(PEER, "10.0.0.2");
	expect_ip(eth0, PEER, 3);
	expect_ip(eth0, PEER, 4);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_neigh_unres_qlen_zero_drops_every_packet(void **state)
{
	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.neigh.default.unres_qlen", "0", NULL), 0);
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	assert_drop(ns, NEIGH_QUEUEFULL, 1);
	assert_int_equal(state_of("10.0.0.2"), NUD_INCOMPLETE);
}

static void test_neigh_reachable_becomes_stale_after_reachable_time(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	rx_reply(PEER, "10.0.0.2");
	h_tx_flush(eth0);
	/* reachable_time is random in [0.5, 1.5) x base_reachable_time (30 s) */
	h_advance(15 * SEC - MS);
	assert_int_equal(state_of("10.0.0.2"), NUD_REACHABLE);
	h_advance(30 * SEC + MS);
	assert_int_equal(state_of("10.0.0.2"), NUD_STALE);
	/* a stale entry is still used, without ARP first */
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 2);
	expect_ip(eth0, PEER, 2);
	assert_int_equal(state_of("10.0.0.2"), NUD_DELAY);
}

static void test_neigh_base_reachable_time_sysctl_shortens_reachable(void **state)
{
	(void)state;
	/* 10 s base: reachable for 5..15 s, never past the 15 s that the
	 * default 30 s base would guarantee */
	assert_int_equal(
		sysctl_set(ns, "net.ipv4.neigh.default.base_reachable_time_ms", "10000", NULL), 0);
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	rx_reply(PEER, "10.0.0.2");
	h_tx_flush(eth0);
	h_advance(15 * SEC);
	assert_int_equal(state_of("10.0.0.2"), NUD_STALE);
}

static void test_neigh_reachable_recently_used_goes_delay(void **state)
{
	(void)state;
	/* neigh_timer_handler: an entry used within delay_first_probe_time
	 * when its reachable time runs out goes to DELAY, not STALE */
	assert_int_equal(
		sysctl_set(ns, "net.ipv4.neigh.default.base_reachable_time_ms", "1000", NULL), 0);
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	rx_reply(PEER, "10.0.0.2");
	h_tx_flush(eth0);
	h_advance(2 * SEC);
	assert_int_equal(state_of("10.0.0.2"), NUD_DELAY);
	h_advance(5 * SEC - 10 * MS); /* DELAY began 0.5..1.5 s in, lasts 5 s */
	assert_int_equal(state_of("10.0.0.2"), NUD_PROBE);
	expect_arp_request(eth0, PEER, "10.0.0.2");
}

/* Put 10.0.0.2 in STALE with PEER's address, as `ip neigh replace ... nud stale`. */
static void make_stale(void)
{
	uint8_t mac[ETH_ALEN];

	h_mac(mac, PEER);
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), mac, NUD_STALE,
					  NLM_F_CREATE | NLM_F_REPLACE, NULL),
			 0);
}

static void test_neigh_stale_delay_probe_then_failed(void **state)
{
	(void)state;
	make_stale();
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	expect_ip(eth0, PEER, 1);
	assert_int_equal(state_of("10.0.0.2"), NUD_DELAY);
	h_advance(5 * SEC - MS);
	assert_int_equal(h_tx_count(eth0), 0);
	h_advance(MS);
	assert_int_equal(state_of("10.0.0.2"), NUD_PROBE);
	/* probes in PROBE are unicast to the cached address */
	expect_arp_request(eth0, PEER, "10.0.0.2");
	h_advance(SEC);
	expect_arp_request(eth0, PEER, "10.0.0.2");
	h_advance(SEC);
	expect_arp_request(eth0, PEER, "10.0.0.2");
	assert_int_equal(state_of("10.0.0.2"), NUD_PROBE);
	h_advance(SEC);
	assert_int_equal(state_of("10.0.0.2"), NUD_FAILED);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_neigh_probe_answered_becomes_reachable(void **state)
{
	(void)state;
	make_stale();
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	h_advance(5 * SEC);
	assert_int_equal(state_of("10.0.0.2"), NUD_PROBE);
	h_tx_flush(eth0);
	rx_reply(PEER, "10.0.0.2");
	assert_int_equal(state_of("10.0.0.2"), NUD_REACHABLE);
	h_advance(3 * SEC);
	assert_int_equal(h_tx_count(eth0), 0); /* no more probes */
	assert_int_equal(state_of("10.0.0.2"), NUD_REACHABLE);
}

static void test_neigh_permanent_entry_never_ages(void **state)
{
	uint8_t mac[ETH_ALEN];

	(void)state;
	h_mac(mac, PEER);
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), mac, NUD_PERMANENT,
					  NLM_F_CREATE | NLM_F_EXCL, NULL),
			 0);
	h_advance(3600 * SEC);
	assert_int_equal(state_of("10.0.0.2"), NUD_PERMANENT);
	/* an ARP reply cannot move it */
	rx_reply(PEER2, "10.0.0.2");
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	expect_ip(eth0, PEER, 1);
	assert_int_equal(state_of("10.0.0.2"), NUD_PERMANENT);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_neigh_stale_entry_garbage_collected(void **state)
{
	(void)state;
	make_stale();
	h_advance(59 * SEC);
	assert_int_equal(state_of("10.0.0.2"), NUD_STALE);
	h_advance(2 * SEC);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
}

static void test_neigh_failed_entry_garbage_collected(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	h_advance(3 * SEC);
	assert_int_equal(state_of("10.0.0.2"), NUD_FAILED);
	h_advance(61 * SEC);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
	assert_int_equal(h_tx_count(eth0), 3);
}

static void test_neigh_noarp_device_sends_without_arp(void **state)
{
	struct pkt *p;

	(void)state;
	eth0->flags |= IFF_NOARP;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	p = h_tx_pop(eth0);
	assert_non_null(p);
	/* arp_constructor: NOARP entries carry the device's own address */
	assert_memory_equal(((struct ethhdr *)p->data)->h_dest, eth0->addr, ETH_ALEN);
	pkt_free(p);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
}

static void test_neigh_broadcast_nexthop_needs_no_arp(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "255.255.255.255", 1);
	expect_ip(eth0, "ff:ff:ff:ff:ff:ff", 1);
	out_pkt(eth0, "10.0.0.1", "10.0.0.255", 2);
	expect_ip(eth0, "ff:ff:ff:ff:ff:ff", 2);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.255")));
}

static void test_neigh_multicast_nexthop_maps_mac(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "224.1.2.3", 1);
	expect_ip(eth0, "01:00:5e:01:02:03", 1);
}

static void test_neigh_cfg_bad_state_is_einval(void **state)
{
	uint8_t mac[ETH_ALEN];
	struct extack ext = { 0 };

	(void)state;
	h_mac(mac, PEER);
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), mac, 0x3, NLM_F_CREATE, &ext),
			 -EINVAL);
	assert_non_null(ext.msg);
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), mac, 0x100, NLM_F_CREATE, NULL),
			 -EINVAL);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
}

static void test_neigh_cfg_valid_state_needs_lladdr(void **state)
{
	struct extack ext = { 0 };

	(void)state;
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), NULL, NUD_PERMANENT,
					  NLM_F_CREATE, &ext),
			 -EINVAL);
	assert_string_equal(ext.msg, "No link layer address given");
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
}

static void test_neigh_cfg_excl_and_create_flags(void **state)
{
	uint8_t a[ETH_ALEN], b[ETH_ALEN];

	(void)state;
	h_mac(a, PEER);
	h_mac(b, PEER2);
	/* change of a missing entry (no NLM_F_CREATE) */
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), a, NUD_PERMANENT, 0, NULL),
			 -ENOENT);
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), a, NUD_PERMANENT,
					  NLM_F_CREATE | NLM_F_EXCL, NULL),
			 0);
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), b, NUD_PERMANENT,
					  NLM_F_CREATE | NLM_F_EXCL, NULL),
			 -EEXIST);
	/* replace overrides the address */
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), b, NUD_PERMANENT,
					  NLM_F_CREATE | NLM_F_REPLACE, NULL),
			 0);
	assert_memory_equal(neigh_lookup(ns, eth0, h_ip("10.0.0.2"))->ha, b, ETH_ALEN);
}

static void test_neigh_delete_missing_is_enoent(void **state)
{
	struct extack ext = { 0 };

	(void)state;
	assert_int_equal(neigh_delete(eth0, h_ip("10.0.0.7"), &ext), -ENOENT);
	assert_non_null(ext.msg);
}

static void test_neigh_delete_removes_entry(void **state)
{
	(void)state;
	make_stale();
	assert_int_equal(neigh_delete(eth0, h_ip("10.0.0.2"), NULL), 0);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
}

static void test_neigh_flush_keeps_permanent_entries(void **state)
{
	uint8_t mac[ETH_ALEN];

	(void)state;
	h_mac(mac, PEER);
	make_stale();
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.3"), mac, NUD_PERMANENT,
					  NLM_F_CREATE, NULL),
			 0);
	assert_int_equal(neigh_flush(ns, eth0, false), 1);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
	assert_non_null(neigh_lookup(ns, eth0, h_ip("10.0.0.3")));
	assert_int_equal(neigh_flush(ns, NULL, true), 1);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.3")));
}

static void test_neigh_dev_down_drops_queue_as_dead(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 2);
	neigh_dev_down(eth0);
	assert_drop(ns, NEIGH_DEAD, 2);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
	h_advance(5 * SEC); /* no timer left behind */
	assert_int_equal(h_tx_count(eth0), 1);
}

static void test_neigh_output_without_link_headroom_dropped(void **state)
{
	uint8_t buf[64], pl[8] = { 0 };
	size_t n = h_ipv4(buf, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 64, pl, sizeof(pl));
	struct pkt *p = pkt_alloc(0, (unsigned)n);

	(void)state;
	assert_non_null(p);
	memcpy(p->data, buf, n);
	p->dev = eth0;
	p->ns = ns;
	p->nexthop = h_ip("255.255.255.255");
	pkt_set_l3(p);
	neigh_output(p);
	assert_drop(ns, NOMEM, 1);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_neigh_delete_with_queue_fails_queued_packets(void **state)
{
	(void)state;
	out_pkt(eth0, "10.0.0.1", "10.0.0.2", 1);
	assert_int_equal(neigh_delete(eth0, h_ip("10.0.0.2"), NULL), 0);
	/* neigh_delete goes through FAILED: the queue gets its error report */
	assert_drop(ns, NEIGH_FAILED, 1);
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
	h_advance(5 * SEC);
	assert_int_equal(h_tx_count(eth0), 1); /* the first request only */
}

static int count_cb(const struct neighbour *n, void *arg)
{
	(void)n;
	(*(unsigned *)arg)++;
	return 0;
}

static void test_neigh_table_grows_and_finds_every_entry(void **state)
{
	uint8_t mac[ETH_ALEN] = { 0x02, 0, 0, 0, 1, 0 };
	unsigned count = 0;
	char ip[32];

	(void)state;
	for (int i = 1; i <= 200; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250 + 2);
		mac[5] = (uint8_t)i;
		assert_int_equal(neigh_update_cfg(eth0, h_ip(ip), mac, NUD_PERMANENT, NLM_F_CREATE,
						  NULL),
				 0);
	}
	for (int i = 1; i <= 200; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 250, i % 250 + 2);
		struct neighbour *n = neigh_lookup(ns, eth0, h_ip(ip));
		assert_non_null(n);
		assert_int_equal(n->ha[5], i);
	}
	assert_int_equal(neigh_walk(ns, count_cb, &count), 0);
	assert_int_equal(count, 200);
}

static void test_neigh_idle_namespace_has_no_timers(void **state)
{
	(void)state;
	/* a permanent entry needs no timer either */
	uint8_t mac[ETH_ALEN];
	h_mac(mac, PEER);
	unsigned before = timer_count();
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), mac, NUD_PERMANENT,
					  NLM_F_CREATE, NULL),
			 0);
	assert_int_equal(timer_count(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_neigh_output_unresolved_queues_and_broadcasts_request),
		T(test_neigh_request_source_is_queued_packet_source),
		T(test_neigh_incomplete_retransmits_every_second),
		T(test_neigh_incomplete_fails_after_three_probes),
		T(test_neigh_failed_entry_restarts_resolution),
		T(test_neigh_reply_makes_reachable_and_flushes_queue_in_order),
		T(test_neigh_unres_qlen_overflow_drops_oldest),
		T(test_neigh_unres_qlen_zero_drops_every_packet),
		T(test_neigh_reachable_becomes_stale_after_reachable_time),
		T(test_neigh_base_reachable_time_sysctl_shortens_reachable),
		T(test_neigh_reachable_recently_used_goes_delay),
		T(test_neigh_stale_delay_probe_then_failed),
		T(test_neigh_probe_answered_becomes_reachable),
		T(test_neigh_permanent_entry_never_ages),
		T(test_neigh_stale_entry_garbage_collected),
		T(test_neigh_failed_entry_garbage_collected),
		T(test_neigh_noarp_device_sends_without_arp),
		T(test_neigh_broadcast_nexthop_needs_no_arp),
		T(test_neigh_multicast_nexthop_maps_mac),
		T(test_neigh_cfg_bad_state_is_einval),
		T(test_neigh_cfg_valid_state_needs_lladdr),
		T(test_neigh_cfg_excl_and_create_flags),
		T(test_neigh_delete_missing_is_enoent),
		T(test_neigh_delete_removes_entry),
		T(test_neigh_flush_keeps_permanent_entries),
		T(test_neigh_dev_down_drops_queue_as_dead),
		T(test_neigh_output_without_link_headroom_dropped),
		T(test_neigh_delete_with_queue_fails_queued_packets),
		T(test_neigh_table_grows_and_finds_every_entry),
		T(test_neigh_idle_namespace_has_no_timers),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
