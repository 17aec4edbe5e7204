// SPDX-License-Identifier: MIT
/*
 * Namespace lifecycle and registry tests: a new namespace has `lo` down,
 * ids increase and are never reused, names are unique, lookups and
 * creation-order iteration work (also across unregistration), and
 * destroying a namespace removes its devices and the frames it still had
 * queued without leaking.
 */
#include <errno.h>
#include <string.h>

#include "tests/unit/harness/harness.h"

#define ETH_P_TEST 0x88b5

static unsigned test_rcv_count;

static void test_ptype_rcv(struct pkt *p)
{
	test_rcv_count++;
	pkt_consume(p);
}

static struct packet_type test_ptype = { .type = ETH_P_TEST, .func = test_ptype_rcv };

static int setup(void **state)
{
	h_setup();
	dev_add_pack(&test_ptype);
	test_rcv_count = 0;
	return 0;
}

static int teardown(void **state)
{
	h_teardown();
	return 0;
}

static void test_netns_create_has_lo_down(void **state)
{
	struct netns *ns = h_ns("n1");

	assert_non_null(ns->lo);
	assert_string_equal(ns->lo->name, "lo");
	assert_int_equal(ns->ndevs, 1);
	assert_ptr_equal(ns->dev_list, ns->lo);
	assert_false(dev_is_up(ns->lo));
	assert_ptr_equal(ns->owner, loop_current());
	assert_string_equal(ns->name, "n1");
	assert_false(ns->dying);
}

static void test_netns_create_rejects_bad_names(void **state)
{
	char longname[NETNS_NAMSIZ + 1];

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_null(netns_create(longname, loop_current()));
	assert_null(netns_create("", loop_current()));
	assert_null(netns_create(NULL, loop_current()));
}

static void test_netns_register_assigns_increasing_ids(void **state)
{
	struct netns *a = h_ns("a");
	struct netns *b = h_ns("b");

	assert_true(a->id > 0);
	assert_true(b->id > a->id);
}

static void test_netns_ids_are_not_reused(void **state)
{
	struct netns *a = h_ns("a");
	uint32_t old = a->id;
	struct netns *b;

	h_ns_destroy(a);
	b = h_ns("a");
	assert_true(b->id > old);
	assert_null(netns_lookup_id(old));
}

static void test_netns_register_duplicate_name_is_eexist(void **state)
{
	struct netns *dup;
	unsigned n;

	h_ns("same");
	n = netns_count();
	dup = netns_create("same", loop_current());
	assert_non_null(dup);
	assert_int_equal(netns_register(dup), -EEXIST);
	assert_int_equal(netns_count(), n);
	netns_destroy(dup);
}

static void test_netns_lookup_by_name_and_id(void **state)
{
	struct netns *a = h_ns("alpha");
	struct netns *b = h_ns("beta");

	assert_ptr_equal(netns_lookup("alpha"), a);
	assert_ptr_equal(netns_lookup("beta"), b);
	assert_ptr_equal(netns_lookup_id(b->id), b);
	assert_null(netns_lookup("gamma"));
	assert_null(netns_lookup(NULL));
	assert_null(netns_lookup_id(0));
	netns_unregister(a);
	assert_null(netns_lookup("alpha"));
	assert_null(netns_lookup_id(a->id));
	assert_int_equal(netns_register(a), 0); /* back, with a new id */
	assert_ptr_equal(netns_lookup("alpha"), a);
}

static void test_netns_next_iterates_in_creation_order(void **state)
{
	struct netns *a = h_ns("x1");
	struct netns *b = h_ns("x2");
	struct netns *c = h_ns("x3");
	struct netns *ns;
	unsigned n = 0;

	assert_int_equal(netns_count(), 3);
	for (ns = netns_next(NULL); ns; ns = netns_next(ns))
		n++;
	assert_int_equal(n, 3);
	assert_ptr_equal(netns_next(NULL), a);
	assert_ptr_equal(netns_next(a), b);
	assert_ptr_equal(netns_next(b), c);
	assert_null(netns_next(c));
	/* iteration continues past a namespace unregistered meanwhile */
	netns_unregister(b);
	assert_ptr_equal(netns_next(b), c);
	assert_ptr_equal(netns_next(a), c);
	assert_int_equal(netns_register(b), 0);
	assert_ptr_equal(netns_next(c), b);
}

static void test_netns_destroy_removes_devices_and_queued_frames(void **state)
{
	struct netns *ns = h_ns("gone");
	struct netns *other = h_ns("stays");
	struct netdev *a = h_fake_dev(ns, "eth0", "02:00:00:00:00:01");
	struct netdev *b = h_fake_dev(other, "eth0", "02:00:00:00:00:02");
	struct pkt *p;

	/* a frame for each namespace waits in the worker's backlog */
	p = pkt_alloc(PKT_HR_LINK, 60);
	h_eth(p->data, "02:00:00:00:00:01", "02:00:00:00:00:09", ETH_P_TEST);
	p->dev = a;
	netif_rx(p);
	p = pkt_alloc(PKT_HR_LINK, 60);
	h_eth(p->data, "02:00:00:00:00:02", "02:00:00:00:00:09", ETH_P_TEST);
	p->dev = b;
	netif_rx(p);
	/* and a transmitted frame sits in the fake device */
	p = pkt_alloc(PKT_HR_LINK, 60);
	h_eth(p->data, "02:00:00:00:00:09", "02:00:00:00:00:01", ETH_P_TEST);
	p->dev = a;
	dev_queue_xmit(p);

	h_ns_destroy(ns);
	assert_null(netns_lookup("gone"));
	/* only the other namespace's frame was received; teardown checks
	 * that nothing leaked */
	assert_int_equal(test_rcv_count, 1);
}

static void test_extack_set_formats_into_buffer(void **state)
{
	struct extack ext = { 0 }, *e = &ext;

	extack_set(&ext, "Device \"%s\" does not exist", "eth9");
	assert_string_equal(ext.msg, "Device \"eth9\" does not exist");
	assert_ptr_equal(ext.msg, ext.buf);
	extack_set(NULL, "ignored %d", 1);
	EXTACK_MSG(e, "static text");
	assert_string_equal(ext.msg, "static text");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_netns_create_has_lo_down),
		T(test_netns_create_rejects_bad_names),
		T(test_netns_register_assigns_increasing_ids),
		T(test_netns_ids_are_not_reused),
		T(test_netns_register_duplicate_name_is_eexist),
		T(test_netns_lookup_by_name_and_id),
		T(test_netns_next_iterates_in_creation_order),
		T(test_netns_destroy_removes_devices_and_queued_frames),
		T(test_extack_set_formats_into_buffer),
	};

	return cmocka_run_group_tests_name("netns", tests, NULL, NULL);
}
