// SPDX-License-Identifier: MIT
/*
 * Unit tests for netns/ipv4/arp.c: replies to requests for our addresses under
 * arp_ignore 0/1/2/8, learning the sender, malformed and ignored packets
 * counted by reason, gratuitous ARP, arp_accept, RFC 5227 probes,
 * drop_gratuitous_arp, and the frames we send (replies, announcements).
 * Also the ICMP host unreachable that a failed resolution sends back to
 * the source of a forwarded datagram.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>

#include "devices/devices.h"
#include "netns/ipv4/arp.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "netns/core/neigh.h"
#include "netns/proto/arp.h"
#include "netns/proto/ip.h"
#include "netns/core/sysctl.h"
#include "tests/unit/harness/harness.h"

#define MAC0 "02:00:00:00:00:01"
#define MAC1 "02:00:00:00:00:02"
#define PEER "02:00:00:00:00:aa"
#define PEER2 "02:00:00:00:00:bb"
#define BCAST "ff:ff:ff:ff:ff:ff"
#define ZERO "00:00:00:00:00:00"
#define SEC NSEC_PER_SEC

static struct netns *ns;
static struct netdev *eth0, *eth1;

static int setup(void **state)
{
	(void)state;
	h_setup();
	ns = h_ns("a");
	eth0 = h_fake_dev(ns, "eth0", MAC0);
	eth1 = h_fake_dev(ns, "eth1", MAC1);
	assert_int_equal(inet_addr_add(eth0, h_ip("10.0.0.1"), 24, h_ip("10.0.0.255"),
				       RT_SCOPE_UNIVERSE, "eth0", NULL),
			 0);
	assert_int_equal(inet_addr_add(eth1, h_ip("10.0.1.1"), 24, h_ip("10.0.1.255"),
				       RT_SCOPE_UNIVERSE, "eth1", NULL),
			 0);
	h_tx_flush(eth0);
	h_tx_flush(eth1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

/* A broadcast request from @sha/@sip for @tip, received on @dev. */
static void rx_request(struct netdev *dev, const char *sha, const char *sip, const char *tip)
{
	uint8_t f[ETH_ZLEN];

	h_rx(dev, f, h_arp(f, BCAST, sha, ARPOP_REQUEST, sip, ZERO, tip));
	h_run();
}

/* Check the next frame on @dev is our reply to @sha/@sip for @tip. */
static void expect_reply(struct netdev *dev, const char *sha, const char *sip, const char *tip)
{
	struct pkt *p = h_tx_pop(dev);
	uint8_t mac[ETH_ALEN];
	uint32_t a4;

	assert_non_null(p);
	assert_int_equal(p->len, ETH_HLEN + sizeof(struct arp_eth)); /* unpadded, as arp_create */
	const struct ethhdr *eth = (const struct ethhdr *)p->data;
	const struct arp_eth *a = (const struct arp_eth *)(p->data + ETH_HLEN);
	h_mac(mac, sha);
	assert_memory_equal(eth->h_dest, mac, ETH_ALEN); /* unicast to the asker */
	assert_memory_equal(eth->h_source, dev->addr, ETH_ALEN);
	assert_int_equal(ntohs(eth->h_proto), ETH_P_ARP);
	assert_int_equal(ntohs(a->ar_hrd), 1);
	assert_int_equal(ntohs(a->ar_pro), ETH_P_IP);
	assert_int_equal(ntohs(a->ar_op), ARPOP_REPLY);
	assert_memory_equal(a->ar_sha, dev->addr, ETH_ALEN);
	memcpy(&a4, a->ar_sip, 4);
	assert_int_equal(a4, h_ip(tip));
	assert_memory_equal(a->ar_tha, mac, ETH_ALEN);
	memcpy(&a4, a->ar_tip, 4);
	assert_int_equal(a4, h_ip(sip));
	pkt_free(p);
}

static struct neighbour *entry(struct netdev *dev, const char *ip)
{
	return neigh_lookup(ns, dev, h_ip(ip));
}

static void test_arp_request_for_our_address_gets_unicast_reply(void **state)
{
	(void)state;
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	expect_reply(eth0, PEER, "10.0.0.2", "10.0.0.1");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 0);
}

static void test_arp_request_learns_sender_as_stale(void **state)
{
	uint8_t mac[ETH_ALEN];

	(void)state;
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	h_tx_flush(eth0);
	struct neighbour *n = entry(eth0, "10.0.0.2");
	assert_non_null(n);
	assert_int_equal(n->state, NUD_STALE);
	h_mac(mac, PEER);
	assert_memory_equal(n->ha, mac, ETH_ALEN);
}

static void test_arp_ignore_0_answers_for_address_on_other_device(void **state)
{
	(void)state;
	rx_request(eth0, PEER, "10.0.0.2", "10.0.1.1");
	expect_reply(eth0, PEER, "10.0.0.2", "10.0.1.1");
}

static void test_arp_ignore_1_needs_target_on_incoming_device(void **state)
{
	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.arp_ignore", "1", NULL), 0);
	rx_request(eth0, PEER, "10.0.0.2", "10.0.1.1");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 1);
	assert_null(entry(eth0, "10.0.0.2")); /* nothing learnt either */
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	expect_reply(eth0, PEER, "10.0.0.2", "10.0.0.1");
}

static void test_arp_ignore_all_counts_as_max(void **state)
{
	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.all.arp_ignore", "1", NULL), 0);
	rx_request(eth0, PEER, "10.0.0.2", "10.0.1.1");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 1);
}

static void test_arp_ignore_2_needs_sender_on_same_subnet(void **state)
{
	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.arp_ignore", "2", NULL), 0);
	rx_request(eth0, PEER, "10.9.9.9", "10.0.0.1");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 1);
	rx_request(eth0, PEER, "10.0.1.5", "10.0.1.1"); /* target on another device */
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 2);
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	expect_reply(eth0, PEER, "10.0.0.2", "10.0.0.1");
}

static void test_arp_ignore_8_never_answers(void **state)
{
	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.arp_ignore", "8", NULL), 0);
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 1);
}

static void test_arp_request_for_other_host_is_counted_ignored(void **state)
{
	(void)state;
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.99");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 1);
	assert_null(entry(eth0, "10.0.0.2"));
}

static void test_arp_malformed_packets_counted_invalid(void **state)
{
	uint8_t f[ETH_ZLEN];
	struct arp_eth *a = (struct arp_eth *)(f + ETH_HLEN);

	(void)state;
	/* shorter than the 28-byte Ethernet/IPv4 ARP packet */
	h_arp(f, BCAST, PEER, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.1");
	h_rx(eth0, f, ETH_HLEN + 20);
	h_run();
	assert_drop(ns, ARP_INVALID, 1);
	/* hardware type not Ethernet */
	h_arp(f, BCAST, PEER, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.1");
	a->ar_hrd = htons(6);
	h_rx(eth0, f, ETH_ZLEN);
	/* protocol not IPv4 */
	h_arp(f, BCAST, PEER, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.1");
	a->ar_pro = htons(ETH_P_IPV6);
	h_rx(eth0, f, ETH_ZLEN);
	/* address lengths */
	h_arp(f, BCAST, PEER, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.1");
	a->ar_hln = 8;
	h_rx(eth0, f, ETH_ZLEN);
	h_arp(f, BCAST, PEER, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.1");
	a->ar_pln = 16;
	h_rx(eth0, f, ETH_ZLEN);
	/* unknown opcode (RARP) */
	h_rx(eth0, f, h_arp(f, BCAST, PEER, 3, "10.0.0.2", ZERO, "10.0.0.1"));
	/* a multicast target */
	h_rx(eth0, f, h_arp(f, BCAST, PEER, ARPOP_REQUEST, "10.0.0.2", ZERO, "224.0.0.1"));
	/* a broadcast sender MAC */
	h_rx(eth0, f, h_arp(f, BCAST, BCAST, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.1"));
	h_run();
	assert_drop(ns, ARP_INVALID, 8);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_null(entry(eth0, "10.0.0.2"));
}

static void test_arp_proxy_arp_answers_for_host_routed_elsewhere(void **state)
{
	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_forward", "1", NULL), 0);
	rx_request(eth0, PEER, "10.0.0.2", "10.0.1.9");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 1);
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.proxy_arp", "1", NULL), 0);
	rx_request(eth0, PEER, "10.0.0.2", "10.0.1.9");
	expect_reply(eth0, PEER, "10.0.0.2", "10.0.1.9");
	/* not for hosts on the link the request came from (the request
	 * still refreshes the sender's entry, so it is not counted ignored) */
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.9");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_int_equal(entry(eth0, "10.0.0.2")->state, NUD_STALE);
}

static void test_arp_strict_rp_filter_blocks_reply(void **state)
{
	(void)state;
	/* 10.0.1.5 is routed through eth1: asking on eth0 fails rp_filter 1 */
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.all.rp_filter", "1", NULL), 0);
	rx_request(eth0, PEER, "10.0.1.5", "10.0.0.1");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 1);
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	expect_reply(eth0, PEER, "10.0.0.2", "10.0.0.1");
}

static void test_arp_noarp_device_ignores_requests(void **state)
{
	(void)state;
	eth0->flags |= IFF_NOARP;
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 1);
}

static void test_arp_gratuitous_updates_existing_entry(void **state)
{
	uint8_t f[ETH_ZLEN], mac[ETH_ALEN];

	(void)state;
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	h_tx_flush(eth0);
	/* the host moved to another NIC and announces itself at once (no
	 * locktime wait: a gratuitous ARP always overrides) */
	h_rx(eth0, f, h_arp(f, BCAST, PEER2, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.2"));
	h_run();
	h_mac(mac, PEER2);
	assert_memory_equal(entry(eth0, "10.0.0.2")->ha, mac, ETH_ALEN);
	assert_int_equal(entry(eth0, "10.0.0.2")->state, NUD_STALE);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 0);
}

static void test_arp_gratuitous_creates_entry_only_with_arp_accept(void **state)
{
	uint8_t f[ETH_ZLEN];

	(void)state;
	h_rx(eth0, f, h_arp(f, BCAST, PEER, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.2"));
	h_run();
	assert_null(entry(eth0, "10.0.0.2"));
	assert_drop(ns, ARP_IGNORED, 1);
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.eth0.arp_accept", "1", NULL), 0);
	h_rx(eth0, f, h_arp(f, BCAST, PEER, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.2"));
	h_run();
	assert_non_null(entry(eth0, "10.0.0.2"));
	assert_int_equal(entry(eth0, "10.0.0.2")->state, NUD_STALE);
}

static void test_arp_drop_gratuitous_arp_sysctl(void **state)
{
	uint8_t f[ETH_ZLEN], mac[ETH_ALEN];

	(void)state;
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	h_tx_flush(eth0);
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.all.drop_gratuitous_arp", "1", NULL), 0);
	h_rx(eth0, f, h_arp(f, BCAST, PEER2, ARPOP_REQUEST, "10.0.0.2", ZERO, "10.0.0.2"));
	h_run();
	assert_drop(ns, ARP_IGNORED, 1);
	h_mac(mac, PEER);
	assert_memory_equal(entry(eth0, "10.0.0.2")->ha, mac, ETH_ALEN);
}

static void test_arp_unsolicited_reply_not_learnt(void **state)
{
	uint8_t f[ETH_ZLEN];

	(void)state;
	h_rx(eth0, f, h_arp(f, MAC0, PEER, ARPOP_REPLY, "10.0.0.2", MAC0, "10.0.0.1"));
	h_run();
	assert_null(entry(eth0, "10.0.0.2"));
	assert_drop(ns, ARP_IGNORED, 1);
}

static void test_arp_broadcast_reply_does_not_confirm(void **state)
{
	uint8_t f[ETH_ZLEN];

	(void)state;
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	h_tx_flush(eth0);
	h_advance(2 * SEC); /* past locktime */
	h_rx(eth0, f, h_arp(f, BCAST, PEER, ARPOP_REPLY, "10.0.0.2", MAC0, "10.0.0.1"));
	h_run();
	assert_int_equal(entry(eth0, "10.0.0.2")->state, NUD_STALE);
	h_rx(eth0, f, h_arp(f, MAC0, PEER, ARPOP_REPLY, "10.0.0.2", MAC0, "10.0.0.1"));
	h_run();
	assert_int_equal(entry(eth0, "10.0.0.2")->state, NUD_REACHABLE);
}

static void test_arp_second_reply_within_locktime_loses(void **state)
{
	uint8_t f[ETH_ZLEN], mac[ETH_ALEN];

	(void)state;
	rx_request(eth0, PEER, "10.0.0.2", "10.0.0.1");
	h_tx_flush(eth0);
	/* arp_process: "several ARP replies back to back: use the FIRST" */
	h_rx(eth0, f, h_arp(f, MAC0, PEER2, ARPOP_REPLY, "10.0.0.2", MAC0, "10.0.0.1"));
	h_run();
	h_mac(mac, PEER);
	assert_memory_equal(entry(eth0, "10.0.0.2")->ha, mac, ETH_ALEN);
	h_advance(2 * SEC);
	h_rx(eth0, f, h_arp(f, MAC0, PEER2, ARPOP_REPLY, "10.0.0.2", MAC0, "10.0.0.1"));
	h_run();
	h_mac(mac, PEER2);
	assert_memory_equal(entry(eth0, "10.0.0.2")->ha, mac, ETH_ALEN);
	assert_int_equal(entry(eth0, "10.0.0.2")->state, NUD_REACHABLE);
}

static void test_arp_probe_with_zero_sender_answered_not_learnt(void **state)
{
	(void)state;
	/* RFC 5227 address probe: sender IP 0.0.0.0 */
	rx_request(eth0, PEER, "0.0.0.0", "10.0.0.1");
	expect_reply(eth0, PEER, "0.0.0.0", "10.0.0.1");
	assert_null(entry(eth0, "0.0.0.0"));
	rx_request(eth0, PEER, "0.0.0.0", "10.0.0.77");
	assert_int_equal(h_tx_count(eth0), 0);
	assert_drop(ns, ARP_IGNORED, 1);
}

static void test_arp_send_gratuitous_broadcasts_announcement(void **state)
{
	struct pkt *p;
	uint32_t a4;

	(void)state;
	arp_send_gratuitous(eth0, h_ip("10.0.0.1"));
	p = h_tx_pop(eth0);
	assert_non_null(p);
	assert_int_equal(p->len, ETH_HLEN + sizeof(struct arp_eth));
	const struct ethhdr *eth = (const struct ethhdr *)p->data;
	const struct arp_eth *a = (const struct arp_eth *)(p->data + ETH_HLEN);
	assert_true(eth_is_broadcast(eth->h_dest));
	assert_int_equal(ntohs(a->ar_op), ARPOP_REQUEST);
	memcpy(&a4, a->ar_sip, 4);
	assert_int_equal(a4, h_ip("10.0.0.1"));
	memcpy(&a4, a->ar_tip, 4);
	assert_int_equal(a4, h_ip("10.0.0.1"));
	assert_true(eth_is_zero(a->ar_tha));
	pkt_free(p);
	/* nothing on a NOARP device */
	eth1->flags |= IFF_NOARP;
	arp_send_gratuitous(eth1, h_ip("10.0.1.1"));
	assert_int_equal(h_tx_count(eth1), 0);
}

static void test_arp_announce_2_uses_device_address(void **state)
{
	uint8_t buf[64], pl[8] = { 0 };
	uint32_t sip;

	(void)state;
	/* a datagram from eth1's address leaving eth0 */
	size_t n = h_ipv4(buf, "10.0.1.1", "10.0.0.2", IPPROTO_UDP, 64, pl, sizeof(pl));
	for (int announce = 0; announce <= 2; announce += 2) {
		char v[4];
		snprintf(v, sizeof(v), "%d", announce);
		assert_int_equal(sysctl_set(ns, "net.ipv4.conf.all.arp_announce", v, NULL), 0);
		struct pkt *p = pkt_alloc(PKT_HR_NET, (unsigned)n);
		memcpy(p->data, buf, n);
		p->dev = eth0;
		p->ns = ns;
		p->nexthop = h_ip("10.0.0.2");
		pkt_set_l3(p);
		neigh_output(p);
		struct pkt *req = h_tx_pop(eth0);
		assert_non_null(req);
		memcpy(&sip, ((struct arp_eth *)(req->data + ETH_HLEN))->ar_sip, 4);
		/* 0: the packet's own source; 2: the best address of eth0 */
		assert_int_equal(sip, h_ip(announce == 0 ? "10.0.1.1" : "10.0.0.1"));
		pkt_free(req);
		neigh_flush(ns, NULL, true);
	}
	assert_drop(ns, NEIGH_DEAD, 2);
}

/*
 * Forwarding to a host that never answers: after three probes the queued
 * datagram is dropped as NEIGH_FAILED and its sender, behind eth1, gets
 * ICMP host unreachable.
 */
static void test_arp_failed_resolution_sends_host_unreachable(void **state)
{
	uint8_t f[128], ip[100], pl[8] = { 0 }, mac[ETH_ALEN];
	struct pkt *p;

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_forward", "1", NULL), 0);
	h_mac(mac, PEER2);
	assert_int_equal(neigh_update_cfg(eth1, h_ip("10.0.1.2"), mac, NUD_PERMANENT,
					  NLM_F_CREATE, NULL),
			 0);
	size_t n = h_eth(f, MAC1, PEER2, ETH_P_IP);
	size_t l = h_ipv4(ip, "10.0.1.2", "10.0.0.9", IPPROTO_UDP, 64, pl, sizeof(pl));
	memcpy(f + n, ip, l);
	h_rx(eth1, f, n + l);
	h_run();
	assert_int_equal(h_tx_count(eth0), 1); /* the first ARP request */
	h_advance(3 * SEC);
	assert_int_equal(h_tx_count(eth0), 3);
	assert_drop(ns, NEIGH_FAILED, 1);

	p = h_tx_pop(eth1);
	assert_non_null(p);
	const struct ethhdr *eth = (const struct ethhdr *)p->data;
	const struct iphdr *iph = (const struct iphdr *)(p->data + ETH_HLEN);
	const struct icmphdr *ic = (const struct icmphdr *)(p->data + ETH_HLEN + iph->ihl * 4);
	assert_memory_equal(eth->h_dest, mac, ETH_ALEN);
	assert_int_equal(iph->protocol, IPPROTO_ICMP);
	assert_int_equal(iph->daddr, h_ip("10.0.1.2"));
	assert_int_equal(ic->type, ICMP_DEST_UNREACH);
	assert_int_equal(ic->code, ICMP_HOST_UNREACH);
	pkt_free(p);
	assert_int_equal(h_tx_count(eth1), 0);
}

/*
 * Two namespaces over a veth pair: the first datagram from h1 waits for
 * ARP, h2 answers (learning h1 as STALE), h1's entry becomes REACHABLE
 * and the datagram arrives (no socket: UdpNoPorts).
 */
static void test_arp_resolves_across_veth_pair(void **state)
{
	struct netns *h1 = h_ns("h1"), *h2 = h_ns("h2");
	struct ip_send_args args = { 0 };
	uint8_t buf[64];

	(void)state;
	assert_int_equal(veth_create_pair(h1, "a", h2, "b", NULL), 0);
	struct netdev *a = dev_get_by_name(h1, "a"), *b = dev_get_by_name(h2, "b");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(inet_addr_add(a, h_ip("10.9.0.1"), 24, 0, RT_SCOPE_UNIVERSE, "a", NULL), 0);
	assert_int_equal(inet_addr_add(b, h_ip("10.9.0.2"), 24, 0, RT_SCOPE_UNIVERSE, "b", NULL), 0);
	assert_int_equal(dev_open(a), 0);
	assert_int_equal(dev_open(b), 0);
	h_run();

	size_t n = h_udp(buf, "10.9.0.1", "10.9.0.2", 4000, 5000, "hi", 2);
	struct pkt *p = pkt_alloc(PKT_HR_TRANSPORT, (unsigned)n);
	assert_non_null(p);
	memcpy(p->data, buf, n);
	p->ns = h1;
	args.saddr = h_ip("10.9.0.1");
	args.daddr = h_ip("10.9.0.2");
	args.protocol = IPPROTO_UDP;
	assert_int_equal(ip_send(h1, p, &args), 0);
	h_run();

	struct neighbour *n1 = neigh_lookup(h1, a, h_ip("10.9.0.2"));
	struct neighbour *n2 = neigh_lookup(h2, b, h_ip("10.9.0.1"));
	assert_non_null(n1);
	assert_non_null(n2);
	assert_int_equal(n1->state, NUD_REACHABLE);
	assert_memory_equal(n1->ha, b->addr, ETH_ALEN);
	assert_memory_equal(n2->ha, a->addr, ETH_ALEN);
	assert_mib(h2, UdpNoPorts, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_arp_request_for_our_address_gets_unicast_reply),
		T(test_arp_request_learns_sender_as_stale),
		T(test_arp_ignore_0_answers_for_address_on_other_device),
		T(test_arp_ignore_1_needs_target_on_incoming_device),
		T(test_arp_ignore_all_counts_as_max),
		T(test_arp_ignore_2_needs_sender_on_same_subnet),
		T(test_arp_ignore_8_never_answers),
		T(test_arp_request_for_other_host_is_counted_ignored),
		T(test_arp_malformed_packets_counted_invalid),
		T(test_arp_proxy_arp_answers_for_host_routed_elsewhere),
		T(test_arp_strict_rp_filter_blocks_reply),
		T(test_arp_noarp_device_ignores_requests),
		T(test_arp_gratuitous_updates_existing_entry),
		T(test_arp_gratuitous_creates_entry_only_with_arp_accept),
		T(test_arp_drop_gratuitous_arp_sysctl),
		T(test_arp_unsolicited_reply_not_learnt),
		T(test_arp_broadcast_reply_does_not_confirm),
		T(test_arp_second_reply_within_locktime_loses),
		T(test_arp_probe_with_zero_sender_answered_not_learnt),
		T(test_arp_send_gratuitous_broadcasts_announcement),
		T(test_arp_announce_2_uses_device_address),
		T(test_arp_failed_resolution_sends_host_unreachable),
		T(test_arp_resolves_across_veth_pair),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
