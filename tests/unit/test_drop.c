// SPDX-License-Identifier: MIT
/*
 * pkt_drop() tests: the reason is counted in the packet's namespace (or
 * its device's), the mapped MIB counter moves, the device counter the
 * kernel would charge moves (and no other), and the name/text tables are
 * complete.
 */
#include <string.h>

#include "tests/unit/harness/harness.h"

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

static struct pkt *mkpkt(struct netns *ns, struct netdev *dev)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, 60);

	assert_non_null(p);
	memset(p->data, 0, 60);
	p->ns = ns;
	p->dev = dev;
	return p;
}

static void test_drop_reason_tables_are_complete(void **state)
{
	unsigned i;

	for (i = 0; i < DROP_MAX; i++) {
		assert_non_null(drop_reason_names[i]);
		assert_non_null(drop_reason_text[i]);
		assert_true(strlen(drop_reason_text[i]) > 0);
	}
	assert_string_equal(drop_reason_names[DROP_IP_CSUM], "IP_CSUM");
	assert_string_equal(drop_reason_names[DROP_OTHERHOST], "OTHERHOST");
	assert_string_equal(drop_reason_text[DROP_DEV_DOWN], "device is down");
}

static void test_mib_names_carry_kernel_names(void **state)
{
	unsigned i;

	for (i = 0; i < MIB_MAX; i++)
		assert_non_null(mib_names[i]);
	assert_string_equal(mib_names[MIB_IpInReceives], "IpInReceives");
	assert_string_equal(mib_names[MIB_IcmpOutTimeExcds], "IcmpOutTimeExcds");
	assert_string_equal(mib_names[MIB_UdpInCsumErrors], "UdpInCsumErrors");
}

static void test_pkt_drop_counts_reason_and_mapped_mib(void **state)
{
	struct netns *ns = h_ns("d");

	pkt_drop(mkpkt(ns, NULL), DROP_IP_CSUM);
	pkt_drop(mkpkt(ns, NULL), DROP_IP_INHDR);
	assert_drop(ns, IP_CSUM, 1);
	assert_drop(ns, IP_INHDR, 1);
	/* both map to IpInHdrErrors, as ip_rcv_core's inhdr_error label */
	assert_mib(ns, IpInHdrErrors, 2);
	pkt_drop(mkpkt(ns, NULL), DROP_UDP_CSUM);
	assert_mib(ns, UdpInCsumErrors, 1);
}

static void test_pkt_drop_every_reason_moves_its_counter(void **state)
{
	struct netns *ns = h_ns("d");
	unsigned i;

	for (i = 0; i < DROP_MAX; i++) {
		pkt_drop(mkpkt(ns, NULL), (enum drop_reason)i);
		assert_int_equal(ns->drop[i], 1);
	}
}

static void test_pkt_drop_uses_device_namespace_when_ns_unset(void **state)
{
	struct netns *ns = h_ns("d");
	struct netdev *dev = h_fake_dev(ns, "eth0", NULL);

	pkt_drop(mkpkt(NULL, dev), DROP_NOMEM);
	assert_drop(ns, NOMEM, 1);
}

static void test_pkt_drop_without_ns_or_dev_counts_orphan(void **state)
{
	uint64_t before = pkt_drop_orphans();

	pkt_drop(mkpkt(NULL, NULL), DROP_DEV_GONE);
	assert_int_equal(pkt_drop_orphans(), before + 1);
	pkt_drop(NULL, DROP_NOMEM); /* no packet: nothing to count */
	assert_int_equal(pkt_drop_orphans(), before + 1);
}

static void test_pkt_drop_ring_full_counts_sender_tx_dropped(void **state)
{
	struct netns *ns = h_ns("d");
	struct netdev *dev = h_fake_dev(ns, "eth0", NULL);

	pkt_drop(mkpkt(ns, dev), DROP_RING_FULL);
	assert_drop(ns, RING_FULL, 1);
	assert_int_equal(dev->stats.tx_dropped, 1);
	assert_int_equal(dev->stats.rx_dropped, 0);
}

static void test_pkt_drop_backlog_full_counts_rx_dropped(void **state)
{
	struct netns *ns = h_ns("d");
	struct netdev *dev = h_fake_dev(ns, "eth0", NULL);

	pkt_drop(mkpkt(ns, dev), DROP_BACKLOG_FULL);
	assert_int_equal(dev->stats.rx_dropped, 1);
	assert_int_equal(dev->stats.tx_dropped, 0);
}

static void test_pkt_drop_l3_reasons_move_no_device_counter(void **state)
{
	struct netns *ns = h_ns("d");
	struct netdev *dev = h_fake_dev(ns, "eth0", NULL);

	pkt_drop(mkpkt(ns, dev), DROP_OTHERHOST);
	pkt_drop(mkpkt(ns, dev), DROP_IP_CSUM);
	pkt_drop(mkpkt(ns, dev), DROP_NEIGH_FAILED);
	assert_int_equal(dev->stats.rx_dropped, 0);
	assert_int_equal(dev->stats.tx_dropped, 0);
	assert_drop(ns, OTHERHOST, 1);
}

static void test_pkt_drop_out_of_range_reason_is_not_specified(void **state)
{
	struct netns *ns = h_ns("d");

	pkt_drop(mkpkt(ns, NULL), (enum drop_reason)(DROP_MAX + 5));
	assert_drop(ns, NOT_SPECIFIED, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_drop_reason_tables_are_complete),
		T(test_mib_names_carry_kernel_names),
		T(test_pkt_drop_counts_reason_and_mapped_mib),
		T(test_pkt_drop_every_reason_moves_its_counter),
		T(test_pkt_drop_uses_device_namespace_when_ns_unset),
		T(test_pkt_drop_without_ns_or_dev_counts_orphan),
		T(test_pkt_drop_ring_full_counts_sender_tx_dropped),
		T(test_pkt_drop_backlog_full_counts_rx_dropped),
		T(test_pkt_drop_l3_reasons_move_no_device_counter),
		T(test_pkt_drop_out_of_range_reason_is_not_specified),
	};

	return cmocka_run_group_tests_name("drop", tests, NULL, NULL);
}
