// SPDX-License-Identifier: MIT
/*
 * The netdevice notifier chain (netns/core/dev_notify.c): a subscriber
 * sees a device's events in order, priorities order the subscribers, a
 * REGISTER refusal fails the registration cleanly, a PRE_UP veto keeps
 * the device down, and the subsystems that subscribe (routes, neighbours,
 * addresses) still act on their events.
 */
#include <errno.h>
#include <string.h>

#include "netns/core/neigh.h"
#include "netns/core/sysctl.h"
#include "netns/ipv4/fib.h"
#include "tests/unit/harness/harness.h"

#define MAX_SEEN 32

static struct {
	unsigned long event;
	struct netdev *dev;
	int who;
} seen[MAX_SEEN];
static unsigned nseen;
static struct netdev *watch; /* NULL: record every device */
static int refuse_register, veto_up;

static int record(int who, unsigned long event, struct netdev *dev)
{
	if (watch && dev != watch)
		return NOTIFY_DONE;
	assert_true(nseen < MAX_SEEN);
	seen[nseen].event = event;
	seen[nseen].dev = dev;
	seen[nseen].who = who;
	nseen++;
	return NOTIFY_DONE;
}

static int rec_a(struct notifier_block *nb, unsigned long event, void *ptr)
{
	if (event == NETDEV_REGISTER && refuse_register)
		return notifier_from_errno(-ENOMEM);
	if (event == NETDEV_PRE_UP && veto_up)
		return notifier_from_errno(-EPERM);
	return record(1, event, ptr);
}

static int rec_b(struct notifier_block *nb, unsigned long event, void *ptr)
{
	return record(2, event, ptr);
}

static struct notifier_block nb_a = { .notifier_call = rec_a };
static struct notifier_block nb_b = { .notifier_call = rec_b, .priority = 1000 };

static int setup(void **state)
{
	h_setup();
	nseen = 0;
	watch = NULL;
	refuse_register = veto_up = 0;
	return 0;
}

static int teardown(void **state)
{
	unregister_netdevice_notifier(&nb_a);
	unregister_netdevice_notifier(&nb_b);
	h_teardown();
	return 0;
}

static unsigned events_of(int who, unsigned long *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nseen && n < max; i++)
		if (seen[i].who == who)
			out[n++] = seen[i].event;
	return n;
}

static void test_subscriber_sees_device_lifecycle_in_order(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev;
	unsigned long ev[MAX_SEEN];
	static const unsigned long want[] = { NETDEV_REGISTER, NETDEV_PRE_UP, NETDEV_UP,
					      NETDEV_CHANGEMTU, NETDEV_CHANGE, NETDEV_GOING_DOWN,
					      NETDEV_DOWN, NETDEV_UNREGISTER };
	unsigned n;

	assert_int_equal(register_netdevice_notifier(&nb_a), 0);
	dev = dev_alloc(ns, "eth0", NULL, 0);
	assert_non_null(dev);
	watch = dev;
	/* not registered yet: no events */
	assert_int_equal(dev_set_mtu(dev, 1400, NULL), 0);
	assert_int_equal(nseen, 0);
	assert_int_equal(dev_register(dev, 0, NULL), 0);
	assert_int_equal(dev_open(dev), 0);
	assert_int_equal(dev_set_mtu(dev, 1280, NULL), 0);
	assert_int_equal(dev_set_mtu(dev, 1280, NULL), 0); /* unchanged: no event */
	dev_set_carrier(dev, false);
	dev_set_carrier(dev, false); /* unchanged: no event */
	dev_unregister(dev);
	n = events_of(1, ev, MAX_SEEN);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(ev[i], want[i]);
	for (unsigned i = 0; i < nseen; i++)
		assert_ptr_equal(seen[i].dev, dev);
}

static void test_mac_and_name_changes_are_notified(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = h_fake_dev(ns, "eth0", "02:00:00:00:00:01");
	uint8_t mac[ETH_ALEN];
	unsigned long ev[4];

	assert_int_equal(register_netdevice_notifier(&nb_a), 0);
	watch = dev;
	h_mac(mac, "02:00:00:00:00:02");
	assert_int_equal(dev_set_mac(dev, mac, NULL), 0);
	assert_int_equal(dev_close(dev), 0);
	assert_int_equal(dev_change_name(dev, "wan0", NULL), 0);
	assert_int_equal(events_of(1, ev, 4), 4);
	assert_int_equal(ev[0], NETDEV_CHANGEADDR);
	assert_int_equal(ev[1], NETDEV_GOING_DOWN);
	assert_int_equal(ev[2], NETDEV_DOWN);
	assert_int_equal(ev[3], NETDEV_CHANGENAME);
}

static void test_higher_priority_runs_first(void **state)
{
	struct netns *ns = h_ns("t");

	assert_int_equal(register_netdevice_notifier(&nb_a), 0);
	assert_int_equal(register_netdevice_notifier(&nb_b), 0);
	watch = NULL;
	h_fake_dev(ns, "eth0", NULL);
	/* REGISTER: b (priority 1000) before a */
	assert_true(nseen >= 2);
	assert_int_equal(seen[0].event, NETDEV_REGISTER);
	assert_int_equal(seen[0].who, 2);
	assert_int_equal(seen[1].event, NETDEV_REGISTER);
	assert_int_equal(seen[1].who, 1);
	assert_int_equal(unregister_netdevice_notifier(&nb_b), 0);
	assert_int_equal(unregister_netdevice_notifier(&nb_b), -ENOENT);
}

static void test_register_refused_fails_cleanly(void **state)
{
	struct netns *ns = h_ns("t");
	unsigned ndevs = ns->ndevs;
	struct netdev *dev;

	assert_int_equal(register_netdevice_notifier(&nb_b), 0);
	assert_int_equal(register_netdevice_notifier(&nb_a), 0);
	refuse_register = 1;
	dev = dev_alloc(ns, "eth0", NULL, 0);
	watch = dev;
	assert_int_equal(dev_register(dev, 0, NULL), -ENOMEM);
	/* b saw REGISTER, a refused it; then both see the undo */
	assert_int_equal(nseen, 3);
	assert_int_equal(seen[0].event, NETDEV_REGISTER);
	assert_int_equal(seen[0].who, 2);
	assert_int_equal(seen[1].event, NETDEV_UNREGISTER);
	assert_int_equal(seen[2].event, NETDEV_UNREGISTER);
	assert_int_equal(ns->ndevs, ndevs);
	assert_null(dev_get_by_name(ns, "eth0"));
	dev_free(dev);
	/* the name is free again */
	refuse_register = 0;
	h_fake_dev(ns, "eth0", NULL);
}

static void test_pre_up_veto_keeps_device_down(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = dev_alloc(ns, "eth0", NULL, 0);

	assert_int_equal(dev_register(dev, 0, NULL), 0);
	assert_int_equal(register_netdevice_notifier(&nb_a), 0);
	veto_up = 1;
	assert_int_equal(dev_open(dev), -EPERM);
	assert_false(dev_is_up(dev));
	veto_up = 0;
	assert_int_equal(dev_open(dev), 0);
	assert_true(dev_is_up(dev));
}

/* The IPv4 subscribers act on events without dev.c naming them. */
static void test_subsystems_follow_device_events(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = h_fake_dev(ns, "eth0", NULL);
	struct fib_result res;

	assert_int_equal(inet_addr_add(dev, h_ip("10.0.0.1"), 24, 0, RT_SCOPE_UNIVERSE, NULL,
				       NULL),
			 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.0.0.9"), &res), 0);
	/* DOWN: the connected route goes (fib), the local one stays */
	assert_int_equal(dev_close(dev), 0);
	assert_int_not_equal(fib_lookup(ns, h_ip("10.0.0.9"), &res) == 0 &&
				     res.type == RTN_UNICAST && res.dev == dev,
			     1);
	assert_int_equal(fib_lookup(ns, h_ip("10.0.0.1"), &res), 0);
	assert_int_equal(res.type, RTN_LOCAL);
	/* UP: fib re-adds it */
	assert_int_equal(dev_open(dev), 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.0.0.9"), &res), 0);
	assert_ptr_equal(res.dev, dev);
	/* UNREGISTER: addresses and their routes go */
	dev_unregister(dev);
	assert_null(inet_addr_local_dev(ns, h_ip("10.0.0.1")));
	assert_int_not_equal(fib_lookup(ns, h_ip("10.0.0.1"), &res) == 0 && res.type == RTN_LOCAL,
			     1);
}

/* The IPv4 state comes with registration, devconf from conf.default then. */
static void test_in_device_from_register_to_unregister(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = dev_alloc(ns, "eth0", NULL, 0);

	assert_null(__in_dev_get(dev));
	assert_int_equal(sysctl_set(ns, "net.ipv4.conf.default.rp_filter", "2", NULL), 0);
	assert_int_equal(dev_register(dev, 0, NULL), 0);
	assert_non_null(__in_dev_get(dev));
	assert_null(__in_dev_get(dev)->ifa_list);
	assert_int_equal(__in_dev_get(dev)->cnf.data[DEVCONF_RP_FILTER], 2);
	assert_int_equal(devconf_rp_filter(dev), 2);
	assert_non_null(__in_dev_get(ns->lo));
	/* refused registration: the in_device made is freed again (ASan) */
	assert_int_equal(register_netdevice_notifier(&nb_a), 0);
	refuse_register = 1;
	dev = dev_alloc(ns, "eth1", NULL, 0);
	assert_int_equal(dev_register(dev, 0, NULL), -ENOMEM);
	assert_null(__in_dev_get(dev));
	dev_free(dev);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_subscriber_sees_device_lifecycle_in_order),
		T(test_mac_and_name_changes_are_notified),
		T(test_higher_priority_runs_first),
		T(test_register_refused_fails_cleanly),
		T(test_pre_up_veto_keeps_device_down),
		T(test_subsystems_follow_device_events),
		T(test_in_device_from_register_to_unregister),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
