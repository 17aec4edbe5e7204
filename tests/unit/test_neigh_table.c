// SPDX-License-Identifier: MIT
/*
 * Unit tests for the generic neighbour table (netns/core/neigh.c): a second
 * table, registered here with 16-byte keys, a fake solicit and error
 * report that record their calls, lives beside arp_tbl in every namespace
 * built after it. Its entries resolve, queue, fail and are framed through
 * the device's header_ops with the table's ethertype; its keys compare on
 * all 16 bytes; its map and allow_add are asked; the control calls and
 * device down reach it; and ARP's cache does not see any of it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <linux/netlink.h>

#include "netns/core/neigh.h"
#include "tests/unit/harness/harness.h"

#define MAC0 "02:00:00:00:00:01"
#define PEER "02:00:00:00:00:aa"
#define SEC NSEC_PER_SEC
#define ETH_P_FAKE 0x86dd
#define PAYLOAD 40

static struct netns *ns;
static struct netdev *eth0;

static unsigned solicits, solicits_unicast, errors;
static uint8_t solicit_key[16];

static void fake_solicit(struct neighbour *n, const uint8_t *dst_ha)
{
	solicits++;
	if (dst_ha)
		solicits_unicast++;
	memcpy(solicit_key, n->primary_key, 16);
}

static void fake_error_report(struct neighbour *n, struct pkt *p)
{
	(void)n;
	assert_int_equal(p->len, PAYLOAD);
	errors++;
}

/* key[0] 0xff: a "multicast" key, mapped to the broadcast address */
static bool fake_map(const struct netdev *dev, const void *pkey, uint8_t *ha)
{
	if (((const uint8_t *)pkey)[0] != 0xff)
		return false;
	memcpy(ha, dev->broadcast, ETH_ALEN);
	return true;
}

static int fake_allow_add(const struct netdev *dev, const void *pkey, struct extack *ext)
{
	(void)dev;
	if (((const uint8_t *)pkey)[0] == 0xff) {
		EXTACK_MSG(ext, "fake: no multicast");
		return -EINVAL;
	}
	return 0;
}

static const struct neigh_ops fake_ops = {
	.solicit = fake_solicit,
	.error_report = fake_error_report,
};

static const struct neigh_table fake_tbl = {
	.family = 10, /* AF_INET6 */
	.key_len = 16,
	.protocol = ETH_P_FAKE,
	.id = "fake_cache",
	.ops = &fake_ops,
	.map = fake_map,
	.allow_add = fake_allow_add,
};

/* fe80::@last */
static void key(uint8_t *k, uint8_t last)
{
	memset(k, 0, 16);
	k[0] = 0xfe;
	k[1] = 0x80;
	k[15] = last;
}

static int setup(void **state)
{
	(void)state;
	h_setup();
	neigh_table_init(NEIGH_ND_TABLE, &fake_tbl);
	solicits = solicits_unicast = errors = 0;
	ns = h_ns("n");
	eth0 = h_fake_dev(ns, "eth0", MAC0);
	h_tx_flush(eth0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	neigh_table_clear(NEIGH_ND_TABLE, &fake_tbl);
	return 0;
}

/* A packet (data at L3) numbered @id, sent to @k through the fake table. */
static void xmit(const uint8_t *k, uint8_t id)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, PAYLOAD);

	assert_non_null(p);
	memset(p->data, 0, PAYLOAD);
	p->data[0] = 0x60;
	p->data[1] = id;
	p->ns = ns;
	pkt_set_l3(p);
	neigh_xmit(NEIGH_ND_TABLE, eth0, k, p);
}

/* The next frame on eth0: to @dst with the fake ethertype, packet @id. */
static void expect_frame(const uint8_t *dst, uint8_t id)
{
	struct pkt *p = h_tx_pop(eth0);
	const struct ethhdr *eth;

	assert_non_null(p);
	eth = (const struct ethhdr *)p->data;
	assert_int_equal(p->len, ETH_HLEN + PAYLOAD);
	assert_memory_equal(eth->h_dest, dst, ETH_ALEN);
	assert_memory_equal(eth->h_source, eth0->addr, ETH_ALEN);
	assert_int_equal(ntohs(eth->h_proto), ETH_P_FAKE);
	assert_int_equal(p->protocol, ETH_P_FAKE);
	assert_int_equal(p->data[ETH_HLEN], 0x60);
	assert_int_equal(p->data[ETH_HLEN + 1], id);
	pkt_free(p);
}

static int count_one(const struct neighbour *n, void *arg)
{
	(void)n;
	(*(unsigned *)arg)++;
	return 0;
}

static void test_second_table_resolves_and_frames_with_its_ethertype(void **state)
{
	uint8_t k[16], other[16], peer[ETH_ALEN];
	struct neighbour *n;
	unsigned arp_entries = 0;

	(void)state;
	h_mac(peer, PEER);
	key(k, 1);
	key(other, 2);
	assert_null(neigh_tbl_lookup(NEIGH_ND_TABLE, eth0, k));
	xmit(k, 1);
	/* INCOMPLETE: queued, one solicitation for the whole key */
	n = neigh_tbl_lookup(NEIGH_ND_TABLE, eth0, k);
	assert_non_null(n);
	assert_int_equal(n->state, NUD_INCOMPLETE);
	assert_int_equal(n->arp_queue.len, 1);
	assert_int_equal(solicits, 1);
	assert_memory_equal(solicit_key, k, 16);
	assert_int_equal(h_tx_count(eth0), 0);
	/* keys that differ only in their last byte are different entries */
	assert_null(neigh_tbl_lookup(NEIGH_ND_TABLE, eth0, other));
	/* ARP's cache saw nothing */
	neigh_walk(ns, count_one, &arp_entries);
	assert_int_equal(arp_entries, 0);

	/* the answer: the queue goes out framed by eth_header_ops */
	assert_int_equal(neigh_update(n, peer, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE, NULL), 0);
	expect_frame(peer, 1);
	/* CONNECTED: straight out, no new solicitation */
	xmit(k, 2);
	expect_frame(peer, 2);
	assert_int_equal(solicits, 1);
	assert_int_equal(eth0->stats.tx_packets, 2);
}

static void test_second_table_failure_reports_each_queued_packet(void **state)
{
	uint8_t k[16];

	(void)state;
	key(k, 7);
	xmit(k, 1);
	xmit(k, 2);
	h_advance(3 * SEC);
	/* mcast_solicit (3) solicitations, then FAILED: each queued packet
	 * gets the table's error report and is dropped */
	assert_int_equal(solicits, 3);
	assert_int_equal(solicits_unicast, 0);
	assert_int_equal(neigh_tbl_lookup(NEIGH_ND_TABLE, eth0, k)->state, NUD_FAILED);
	assert_int_equal(errors, 2);
	assert_drop(ns, NEIGH_FAILED, 2);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_second_table_map_sends_without_an_entry(void **state)
{
	uint8_t k[16];

	(void)state;
	memset(k, 0, sizeof(k));
	k[0] = 0xff;
	xmit(k, 3);
	expect_frame(eth0->broadcast, 3);
	assert_null(neigh_tbl_lookup(NEIGH_ND_TABLE, eth0, k));
	assert_int_equal(solicits, 0);
}

static void test_second_table_control_calls_and_dev_down(void **state)
{
	uint8_t k[16], mc[16], peer[ETH_ALEN];
	struct extack ext = { 0 };
	unsigned entries = 0;

	(void)state;
	h_mac(peer, PEER);
	key(k, 9);
	memset(mc, 0, sizeof(mc));
	mc[0] = 0xff;
	assert_int_equal(neigh_tbl_update_cfg(NEIGH_ND_TABLE, eth0, mc, peer, NUD_PERMANENT,
					      NLM_F_CREATE, &ext),
			 -EINVAL);
	assert_string_equal(ext.msg, "fake: no multicast");
	assert_int_equal(neigh_tbl_update_cfg(NEIGH_ND_TABLE, eth0, k, peer, NUD_PERMANENT,
					      NLM_F_CREATE, NULL),
			 0);
	assert_int_equal(neigh_tbl_update_cfg(NEIGH_ND_TABLE, eth0, k, peer, NUD_PERMANENT,
					      NLM_F_CREATE | NLM_F_EXCL, NULL),
			 -EEXIST);
	neigh_tbl_walk(NEIGH_ND_TABLE, ns, count_one, &entries);
	assert_int_equal(entries, 1);
	xmit(k, 4);
	expect_frame(peer, 4);
	/* an ARP entry beside it: device down empties both tables */
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.0.2"), peer, NUD_PERMANENT, NLM_F_CREATE,
					  NULL),
			 0);
	neigh_dev_down(eth0);
	assert_null(neigh_tbl_lookup(NEIGH_ND_TABLE, eth0, k));
	assert_null(neigh_lookup(ns, eth0, h_ip("10.0.0.2")));
	assert_int_equal(neigh_tbl_delete(NEIGH_ND_TABLE, eth0, k, NULL), -ENOENT);
	assert_int_equal(neigh_tbl_update_cfg(NEIGH_ND_TABLE, eth0, k, peer, NUD_STALE,
					      NLM_F_CREATE, NULL),
			 0);
	assert_int_equal(neigh_tbl_delete(NEIGH_ND_TABLE, eth0, k, NULL), 0);
	assert_null(neigh_tbl_lookup(NEIGH_ND_TABLE, eth0, k));
}

static void test_unregistered_table_has_no_cache(void **state)
{
	uint8_t k[16];
	struct netns *ns2;
	struct pkt *p;

	(void)state;
	neigh_table_clear(NEIGH_ND_TABLE, &fake_tbl);
	ns2 = h_ns("m");
	assert_null(ns2->neigh[NEIGH_ND_TABLE]);
	assert_non_null(ns2->neigh[NEIGH_ARP_TABLE]);
	key(k, 1);
	assert_null(neigh_tbl_lookup(NEIGH_ND_TABLE, ns2->lo, k));
	assert_int_equal(neigh_tbl_update_cfg(NEIGH_ND_TABLE, ns2->lo, k, NULL, NUD_NOARP,
					      NLM_F_CREATE, NULL),
			 -EAFNOSUPPORT);
	p = pkt_alloc(PKT_HR_NET, PAYLOAD);
	assert_non_null(p);
	neigh_xmit(NEIGH_ND_TABLE, ns2->lo, k, p);
	assert_drop(ns2, NOMEM, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_second_table_resolves_and_frames_with_its_ethertype),
		T(test_second_table_failure_reports_each_queued_packet),
		T(test_second_table_map_sends_without_an_entry),
		T(test_second_table_control_calls_and_dev_down),
		T(test_unregistered_table_has_no_cache),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
