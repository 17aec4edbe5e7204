// SPDX-License-Identifier: MIT
/*
 * The registry and the device index at scale (netns.c, dev.c): thousands
 * of namespaces registered and unregistered in any order keep name and id
 * lookups, creation-order iteration and the count right; a namespace with
 * hundreds of devices (a hub with one veth end per neighbour) keeps
 * lookups by name and ifindex, renames, explicit ifindexes and the
 * ifindex order that `ip link` prints.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devices/devices.h"
#include "tests/unit/harness/harness.h"

#define NNS 3000

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

static struct netns *nss[NNS];

static void test_registry_many_namespaces(void **state)
{
	char name[32];
	unsigned base = netns_count(), n, i;
	struct netns *ns;
	uint32_t prev_id = 0;

	for (i = 0; i < NNS; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		nss[i] = netns_create(name, loop_current());
		assert_non_null(nss[i]);
		assert_int_equal(netns_register(nss[i]), 0);
	}
	assert_int_equal(netns_count(), base + NNS);
	/* a taken name is refused whatever the table's size */
	ns = netns_create("s1234", loop_current());
	assert_non_null(ns);
	assert_int_equal(netns_register(ns), -EEXIST);
	netns_destroy(ns);

	/* unregister every third, oldest first (holes in the id order) */
	for (i = 0; i < NNS; i += 3) {
		netns_unregister(nss[i]);
		netns_destroy(nss[i]);
		nss[i] = NULL;
	}
	assert_int_equal(netns_count(), base + NNS - (NNS + 2) / 3);
	for (i = 0; i < NNS; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		assert_ptr_equal(netns_lookup(name), nss[i]);
		if (nss[i])
			assert_ptr_equal(netns_lookup_id(nss[i]->id), nss[i]);
	}
	/* iteration: creation order, no holes, every live one once */
	n = 0;
	for (ns = netns_next(NULL); ns; ns = netns_next(ns)) {
		assert_true(ns->id > prev_id);
		prev_id = ns->id;
		n++;
	}
	assert_int_equal(n, netns_count());
	/* the rest, newest first */
	for (i = NNS; i-- > 0;) {
		if (!nss[i])
			continue;
		netns_unregister(nss[i]);
		assert_null(netns_lookup_id(nss[i]->id));
		netns_destroy(nss[i]);
	}
	assert_int_equal(netns_count(), base);
	assert_null(netns_lookup("s1"));
}

#define NDEV 300

static void test_dev_index_many_devices(void **state)
{
	struct netns *hub = h_ns("hub");
	struct netns *leaf = h_ns("leaf");
	char a[IFNAMSIZ], b[IFNAMSIZ];
	struct netdev *d, *prev = NULL;
	unsigned i, n = 0;

	for (i = 0; i < NDEV; i++) {
		snprintf(a, sizeof(a), "h%u", i);
		snprintf(b, sizeof(b), "l%u", i);
		assert_int_equal(veth_create_pair(hub, a, leaf, b, NULL), 0);
	}
	assert_int_equal(hub->ndevs, NDEV + 1);
	for (i = 0; i < NDEV; i++) {
		snprintf(a, sizeof(a), "h%u", i);
		d = dev_get_by_name(hub, a);
		assert_non_null(d);
		assert_ptr_equal(dev_get_by_index(hub, d->ifindex), d);
	}
	/* a name taken among hundreds is still refused */
	assert_int_equal(veth_create_pair(hub, "h17", leaf, "x0", NULL), -EEXIST);

	/* rename one (down): found by the new name only */
	d = dev_get_by_name(hub, "h42");
	assert_int_equal(dev_change_name(d, "renamed", NULL), 0);
	assert_null(dev_get_by_name(hub, "h42"));
	assert_ptr_equal(dev_get_by_name(hub, "renamed"), d);

	/* delete from the middle: gone by name and index, order kept */
	d = dev_get_by_name(hub, "h100");
	i = (unsigned)d->ifindex;
	veth_delete(d);
	h_run();
	assert_null(dev_get_by_name(hub, "h100"));
	assert_null(dev_get_by_index(hub, (int)i));
	assert_null(dev_get_by_name(leaf, "l100"));

	/* an explicit ifindex in the hole goes back in order */
	d = dev_alloc(hub, "mid", NULL, 0);
	assert_non_null(d);
	assert_int_equal(dev_register(d, (int)i, NULL), 0);
	assert_ptr_equal(dev_get_by_index(hub, (int)i), d);
	for (d = hub->dev_list; d; d = d->next) {
		if (prev)
			assert_true(prev->ifindex < d->ifindex);
		assert_ptr_equal(d->prev, prev);
		prev = d;
		n++;
	}
	assert_ptr_equal(hub->dev_tail, prev);
	assert_int_equal(n, hub->ndevs);
	dev_unregister(dev_get_by_name(hub, "mid"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registry_many_namespaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dev_index_many_devices, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
