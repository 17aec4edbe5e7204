// SPDX-License-Identifier: MIT
/*
 * Device core tests: registration rules and errors as the kernel gives
 * them, carrier/operstate, the receive checks with their drop reasons and
 * counters, ptype dispatch, the worker backlog, transmit, and loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "tests/unit/harness/harness.h"

#define ETH_P_TEST 0x88b5 /* IEEE local experimental ethertype */

static const char *MAC_A = "02:00:00:00:00:0a";
static const char *MAC_B = "02:00:00:00:00:0b";

/* What the test ptype handler saw. */
static unsigned test_rcv_count;
static struct netdev *test_rcv_dev;
static uint8_t test_rcv_pkt_type;
static uint32_t test_rcv_len;
static uint8_t test_rcv_first;

static void test_ptype_rcv(struct pkt *p)
{
	test_rcv_count++;
	test_rcv_dev = p->dev;
	test_rcv_pkt_type = p->pkt_type;
	test_rcv_len = p->len;
	test_rcv_first = p->len ? p->data[0] : 0;
	assert_int_equal(p->protocol, ETH_P_TEST);
	assert_ptr_equal(pkt_l3(p), p->data);
	pkt_consume(p);
}

static struct packet_type test_ptype = { .type = ETH_P_TEST, .func = test_ptype_rcv };

static int setup(void **state)
{
	h_setup();
	dev_add_pack(&test_ptype);
	test_rcv_count = 0;
	test_rcv_dev = NULL;
	return 0;
}

static int teardown(void **state)
{
	h_teardown();
	return 0;
}

/* A frame of @len bytes (>= 14) to @dst with ethertype @proto. */
static size_t frame(uint8_t *buf, const char *dst, uint16_t proto, size_t len)
{
	size_t i;

	h_eth(buf, dst, MAC_B, proto);
	for (i = ETH_HLEN; i < len; i++)
		buf[i] = (uint8_t)(0xa0 + i);
	return len;
}

/* ---- registration ---- */

static void test_dev_register_assigns_next_ifindex_after_lo(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	struct netdev *b = h_fake_dev(ns, "eth1", NULL);

	assert_int_equal(ns->lo->ifindex, 1);
	assert_int_equal(a->ifindex, 2);
	assert_int_equal(b->ifindex, 3);
	assert_int_equal(ns->ndevs, 3);
	assert_ptr_equal(dev_get_by_name(ns, "eth1"), b);
	assert_ptr_equal(dev_get_by_index(ns, 2), a);
	assert_null(dev_get_by_index(ns, 4));
}

static void test_dev_register_duplicate_name_is_eexist(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev;

	h_fake_dev(ns, "eth0", NULL);
	dev = dev_alloc(ns, "eth0", NULL, 0);
	assert_int_equal(dev_register(dev, 0, NULL), -EEXIST);
	dev_free(dev);
	assert_int_equal(ns->ndevs, 2);
}

static void test_dev_register_invalid_names_are_einval(void **state)
{
	static const char *bad[] = { "", ".", "..", "a/b", "a:b", "a b", "a\tb",
				     "sixteen-chars-xx" };
	struct netns *ns = h_ns("t");
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct netdev *dev = dev_alloc(ns, bad[i], NULL, 0);

		assert_false(dev_valid_name(bad[i]));
		assert_int_equal(dev_register(dev, 0, NULL), -EINVAL);
		dev_free(dev);
	}
	assert_true(dev_valid_name("fifteen-chars-x"));
	assert_int_equal(ns->ndevs, 1);
}

static void test_dev_register_taken_ifindex_is_ebusy(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = dev_alloc(ns, "eth0", NULL, 0);
	struct extack ext = { 0 };

	assert_int_equal(dev_register(dev, 1, &ext), -EBUSY);
	assert_non_null(ext.msg);
	assert_int_equal(dev_register(dev, 7, NULL), 0);
	assert_int_equal(dev->ifindex, 7);
	/* the list stays in ifindex order */
	assert_ptr_equal(ns->dev_list, ns->lo);
	assert_ptr_equal(ns->dev_list->next, dev);
}

static void test_dev_register_template_takes_lowest_free_unit(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a, *b;

	h_fake_dev(ns, "dummy0", NULL);
	a = h_fake_dev(ns, "dummy%d", NULL);
	b = h_fake_dev(ns, "dummy%d", NULL);
	assert_string_equal(a->name, "dummy1");
	assert_string_equal(b->name, "dummy2");
}

static void test_dev_unregister_removes_device(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	uint32_t gen = ns->dev_gen;

	dev_unregister(a);
	assert_null(dev_get_by_name(ns, "eth0"));
	assert_int_equal(ns->ndevs, 1);
	assert_true(ns->dev_gen != gen);
}

/* ---- attribute changes ---- */

static void test_dev_change_name_checks_validity_and_uniqueness(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);

	h_fake_dev(ns, "eth1", NULL);
	dev_close(a);
	assert_int_equal(dev_change_name(a, "eth1", NULL), -EEXIST);
	assert_int_equal(dev_change_name(a, "bad/name", NULL), -EINVAL);
	assert_string_equal(a->name, "eth0");
	assert_int_equal(dev_change_name(a, "wan0", NULL), 0);
	assert_ptr_equal(dev_get_by_name(ns, "wan0"), a);
}

static void test_dev_change_name_of_up_device_is_ebusy(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);

	assert_int_equal(dev_change_name(a, "wan0", NULL), -EBUSY);
	assert_string_equal(a->name, "eth0");
}

static void test_dev_set_mtu_enforces_device_range(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);
	struct extack ext = { 0 };

	assert_int_equal(dev_set_mtu(a, 67, &ext), -EINVAL);
	assert_string_equal(ext.msg, "mtu less than device minimum");
	assert_int_equal(dev_set_mtu(a, 65536, &ext), -EINVAL);
	assert_string_equal(ext.msg, "mtu greater than device maximum");
	assert_int_equal(a->mtu, 1500);
	assert_int_equal(dev_set_mtu(a, 9000, &ext), 0);
	assert_int_equal(a->mtu, 9000);
	assert_int_equal(dev_set_mtu(a, 68, &ext), 0);
}

static void test_dev_set_mac_rejects_multicast_and_zero(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	uint8_t mcast[ETH_ALEN] = { 0x01, 0, 0x5e, 0, 0, 1 };
	uint8_t zero[ETH_ALEN] = { 0 };
	uint8_t good[ETH_ALEN] = { 0x02, 1, 2, 3, 4, 5 };
	uint8_t old[ETH_ALEN];

	memcpy(old, a->addr, ETH_ALEN);
	assert_int_equal(dev_set_mac(a, mcast, NULL), -EADDRNOTAVAIL);
	assert_int_equal(dev_set_mac(a, zero, NULL), -EADDRNOTAVAIL);
	assert_memory_equal(a->addr, old, ETH_ALEN);
	assert_int_equal(dev_set_mac(a, good, NULL), 0);
	assert_memory_equal(a->addr, good, ETH_ALEN);
	/* lo has no ndo_set_mac_address */
	assert_int_equal(dev_set_mac(ns->lo, good, NULL), -EOPNOTSUPP);
}

static void test_dev_alloc_gives_ethernet_defaults(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = dev_alloc(ns, "eth0", NULL, 16);

	assert_int_equal(a->mtu, 1500);
	assert_int_equal(a->min_mtu, 68);
	assert_int_equal(a->max_mtu, 65535);
	assert_int_equal(a->txqlen, 1000);
	assert_int_equal(a->type, ARPHRD_ETHER);
	assert_int_equal(a->flags, IFF_BROADCAST | IFF_MULTICAST);
	assert_int_equal(a->operstate, OPER_DOWN);
	assert_true(eth_is_valid_unicast(a->addr));
	assert_true(a->addr[0] & 0x02); /* locally administered */
	assert_true(eth_is_broadcast(a->broadcast));
	assert_ptr_equal(a->priv, (char *)a + sizeof(*a));
	dev_free(a);
}

/* ---- carrier and operstate ---- */

static void test_dev_carrier_drives_running_and_operstate(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL);

	assert_true(a->flags & IFF_RUNNING);
	assert_true(a->flags & IFF_LOWER_UP);
	assert_int_equal(a->operstate, OPER_UP);

	dev_set_carrier(a, false);
	assert_false(a->flags & (IFF_RUNNING | IFF_LOWER_UP));
	assert_int_equal(a->operstate, OPER_DOWN);
	assert_int_equal(a->carrier_changes, 1);
	dev_set_carrier(a, false); /* no change, no count */
	assert_int_equal(a->carrier_changes, 1);

	dev_set_carrier(a, true);
	assert_int_equal(a->carrier_changes, 2);
	assert_int_equal(a->operstate, OPER_UP);

	dev_close(a);
	assert_false(a->flags & (IFF_UP | IFF_RUNNING | IFF_LOWER_UP));
	assert_int_equal(a->operstate, OPER_DOWN);
}

/* ---- receive ---- */

static void test_dev_rx_dispatches_by_ethertype(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	uint8_t buf[64];

	h_rx(a, buf, frame(buf, MAC_A, ETH_P_TEST, 60));
	assert_int_equal(test_rcv_count, 1);
	assert_ptr_equal(test_rcv_dev, a);
	assert_int_equal(test_rcv_pkt_type, PACKET_HOST);
	assert_int_equal(test_rcv_len, 60 - ETH_HLEN);
	assert_int_equal(test_rcv_first, 0xa0 + ETH_HLEN);
	assert_int_equal(a->stats.rx_packets, 1);
	assert_int_equal(a->stats.rx_bytes, 60);
}

static void test_dev_rx_classifies_broadcast_and_multicast(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	uint8_t buf[64];

	h_rx(a, buf, frame(buf, "ff:ff:ff:ff:ff:ff", ETH_P_TEST, 60));
	assert_int_equal(test_rcv_pkt_type, PACKET_BROADCAST);
	h_rx(a, buf, frame(buf, "01:00:5e:00:00:01", ETH_P_TEST, 60));
	assert_int_equal(test_rcv_pkt_type, PACKET_MULTICAST);
	assert_int_equal(a->stats.multicast, 1);
	assert_int_equal(test_rcv_count, 2);
}

static void test_dev_rx_drops_runt_as_pkt_too_small(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	uint8_t buf[64];

	frame(buf, MAC_A, ETH_P_TEST, 60);
	h_rx(a, buf, 13);
	assert_drop(ns, PKT_TOO_SMALL, 1);
	assert_int_equal(a->stats.rx_packets, 1);
	assert_int_equal(a->stats.rx_length_errors, 1);
	assert_int_equal(a->stats.rx_dropped, 1);
	assert_int_equal(test_rcv_count, 0);
}

static void test_dev_rx_drops_oversize_as_mtu_exceeded(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	static uint8_t buf[1600];

	/* mtu + Ethernet header + 4 bytes of VLAN slack still passes */
	h_rx(a, buf, frame(buf, MAC_A, ETH_P_TEST, 1500 + ETH_HLEN + 4));
	assert_int_equal(test_rcv_count, 1);
	h_rx(a, buf, frame(buf, MAC_A, ETH_P_TEST, 1500 + ETH_HLEN + 5));
	assert_drop(ns, MTU_EXCEEDED, 1);
	assert_int_equal(a->stats.rx_length_errors, 1);
	assert_int_equal(a->stats.rx_dropped, 1);
	assert_int_equal(test_rcv_count, 1);
}

static void test_dev_rx_drops_otherhost_without_counting_rx_dropped(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	uint8_t buf[64];

	h_rx(a, buf, frame(buf, "02:00:00:00:00:99", ETH_P_TEST, 60));
	assert_drop(ns, OTHERHOST, 1);
	assert_int_equal(a->stats.rx_packets, 1);
	assert_int_equal(a->stats.rx_dropped, 0);
	assert_int_equal(test_rcv_count, 0);
}

static void test_dev_rx_promisc_passes_otherhost_up(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	uint8_t buf[64];

	a->flags |= IFF_PROMISC;
	h_rx(a, buf, frame(buf, "02:00:00:00:00:99", ETH_P_TEST, 60));
	assert_drop(ns, OTHERHOST, 0);
	assert_int_equal(test_rcv_count, 1);
	assert_int_equal(test_rcv_pkt_type, PACKET_OTHERHOST);
}

static void test_dev_rx_unknown_ethertype_drops_unhandled_proto(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	uint8_t buf[64];

	h_rx(a, buf, frame(buf, MAC_A, 0x88cc /* LLDP */, 60));
	assert_drop(ns, UNHANDLED_PROTO, 1);
	assert_int_equal(a->stats.rx_packets, 1);
	assert_int_equal(a->stats.rx_dropped, 1);
}

static void test_dev_rx_on_down_device_drops_dev_down(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	uint8_t buf[64];

	dev_close(a);
	h_rx(a, buf, frame(buf, MAC_A, ETH_P_TEST, 60));
	assert_drop(ns, DEV_DOWN, 1);
	assert_int_equal(a->stats.rx_dropped, 1);
	assert_int_equal(a->stats.tx_dropped, 0);
	assert_int_equal(test_rcv_count, 0);
}

/* ---- backlog ---- */

static struct pkt *frame_pkt(struct netdev *dev, const char *dst)
{
	struct pkt *p = pkt_alloc(PKT_HR_LINK, 60);

	assert_non_null(p);
	frame(p->data, dst, ETH_P_TEST, 60);
	p->dev = dev;
	return p;
}

static void test_netif_rx_defers_until_backlog_runs(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);

	netif_rx(frame_pkt(a, MAC_A));
	netif_rx(frame_pkt(a, MAC_A));
	assert_int_equal(test_rcv_count, 0);
	assert_int_equal(dev_process_backlog(), 2);
	assert_int_equal(test_rcv_count, 2);
	netif_rx(frame_pkt(a, MAC_A));
	h_run(); /* the worker's task drains it too */
	assert_int_equal(test_rcv_count, 3);
}

static void test_netif_rx_over_max_backlog_drops_backlog_full(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	unsigned i;

	for (i = 0; i < 1001; i++)
		netif_rx(frame_pkt(a, MAC_A));
	assert_drop(ns, BACKLOG_FULL, 1);
	assert_int_equal(a->stats.rx_dropped, 1);
	h_run();
	assert_int_equal(test_rcv_count, 1000);
}

static void test_dev_unregister_drops_its_backlog_as_dev_gone(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	struct netdev *b = h_fake_dev(ns, "eth1", MAC_B);

	netif_rx(frame_pkt(a, MAC_A));
	netif_rx(frame_pkt(b, MAC_B));
	dev_unregister(a);
	assert_drop(ns, DEV_GONE, 1);
	h_run();
	assert_int_equal(test_rcv_count, 1);
	assert_ptr_equal(test_rcv_dev, b);
}

/* ---- transmit ---- */

static void test_dev_queue_xmit_counts_tx_and_calls_driver(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);
	struct pkt *p;

	dev_queue_xmit(frame_pkt(a, MAC_B));
	assert_int_equal(a->stats.tx_packets, 1);
	assert_int_equal(a->stats.tx_bytes, 60);
	assert_int_equal(h_tx_count(a), 1);
	p = h_tx_pop(a);
	assert_int_equal(p->len, 60);
	pkt_free(p);
}

static void test_dev_queue_xmit_on_down_device_drops_dev_down(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);

	dev_close(a);
	dev_queue_xmit(frame_pkt(a, MAC_B));
	assert_drop(ns, DEV_DOWN, 1);
	assert_int_equal(a->stats.tx_dropped, 1);
	assert_int_equal(a->stats.tx_packets, 0);
	assert_int_equal(h_tx_count(a), 0);
}

static void test_dev_queue_xmit_without_carrier_drops_dev_down(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *a = h_fake_dev(ns, "eth0", MAC_A);

	dev_set_carrier(a, false);
	dev_queue_xmit(frame_pkt(a, MAC_B));
	assert_drop(ns, DEV_DOWN, 1);
	assert_int_equal(a->stats.tx_dropped, 1);
}

static void test_eth_header_prepends_addresses_and_type(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_LINK, 4);
	uint8_t dst[ETH_ALEN], src[ETH_ALEN];
	const struct ethhdr *eth;

	h_mac(dst, MAC_A);
	h_mac(src, MAC_B);
	eth_header(p, dst, src, ETH_P_ARP);
	eth = (const struct ethhdr *)p->data;
	assert_int_equal(p->len, 4 + ETH_HLEN);
	assert_memory_equal(eth->h_dest, dst, ETH_ALEN);
	assert_memory_equal(eth->h_source, src, ETH_ALEN);
	assert_int_equal(ntohs(eth->h_proto), ETH_P_ARP);
	assert_ptr_equal(pkt_l2(p), p->data);
	pkt_free(p);
}

/* ---- loopback ---- */

static void test_lo_has_linux_defaults(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *lo = ns->lo;

	assert_string_equal(lo->name, "lo");
	assert_int_equal(lo->ifindex, 1);
	assert_int_equal(lo->type, ARPHRD_LOOPBACK);
	assert_int_equal(lo->mtu, 65536);
	assert_int_equal(lo->flags, IFF_LOOPBACK);
	assert_true(eth_is_zero(lo->addr));
	assert_int_equal(lo->operstate, OPER_DOWN);
	assert_int_equal(dev_open(lo), 0);
	assert_true(lo->flags & IFF_RUNNING);
	/* lo never goes through linkwatch: `state UNKNOWN` */
	assert_int_equal(lo->operstate, OPER_UNKNOWN);
}

static void test_lo_xmit_receives_on_lo(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *lo = ns->lo;

	dev_open(lo);
	dev_queue_xmit(frame_pkt(lo, "00:00:00:00:00:00"));
	assert_int_equal(test_rcv_count, 0); /* deferred to the backlog */
	h_run();
	assert_int_equal(test_rcv_count, 1);
	assert_ptr_equal(test_rcv_dev, lo);
	assert_int_equal(test_rcv_pkt_type, PACKET_HOST);
	assert_int_equal(lo->stats.tx_packets, 1);
	assert_int_equal(lo->stats.rx_packets, 1);
}

static void test_lo_xmit_while_down_drops_dev_down(void **state)
{
	struct netns *ns = h_ns("t");

	dev_queue_xmit(frame_pkt(ns->lo, "00:00:00:00:00:00"));
	assert_drop(ns, DEV_DOWN, 1);
	assert_int_equal(ns->lo->stats.tx_dropped, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dev_register_assigns_next_ifindex_after_lo),
		T(test_dev_register_duplicate_name_is_eexist),
		T(test_dev_register_invalid_names_are_einval),
		T(test_dev_register_taken_ifindex_is_ebusy),
		T(test_dev_register_template_takes_lowest_free_unit),
		T(test_dev_unregister_removes_device),
		T(test_dev_change_name_checks_validity_and_uniqueness),
		T(test_dev_change_name_of_up_device_is_ebusy),
		T(test_dev_set_mtu_enforces_device_range),
		T(test_dev_set_mac_rejects_multicast_and_zero),
		T(test_dev_alloc_gives_ethernet_defaults),
		T(test_dev_carrier_drives_running_and_operstate),
		T(test_dev_rx_dispatches_by_ethertype),
		T(test_dev_rx_classifies_broadcast_and_multicast),
		T(test_dev_rx_drops_runt_as_pkt_too_small),
		T(test_dev_rx_drops_oversize_as_mtu_exceeded),
		T(test_dev_rx_drops_otherhost_without_counting_rx_dropped),
		T(test_dev_rx_promisc_passes_otherhost_up),
		T(test_dev_rx_unknown_ethertype_drops_unhandled_proto),
		T(test_dev_rx_on_down_device_drops_dev_down),
		T(test_netif_rx_defers_until_backlog_runs),
		T(test_netif_rx_over_max_backlog_drops_backlog_full),
		T(test_dev_unregister_drops_its_backlog_as_dev_gone),
		T(test_dev_queue_xmit_counts_tx_and_calls_driver),
		T(test_dev_queue_xmit_on_down_device_drops_dev_down),
		T(test_dev_queue_xmit_without_carrier_drops_dev_down),
		T(test_eth_header_prepends_addresses_and_type),
		T(test_lo_has_linux_defaults),
		T(test_lo_xmit_receives_on_lo),
		T(test_lo_xmit_while_down_drops_dev_down),
	};

	return cmocka_run_group_tests_name("dev", tests, NULL, NULL);
}
