// SPDX-License-Identifier: MIT
/*
 * Per-namespace subsystems (register_pernet_subsys/device, netns.c): init
 * in registration order with subsystems before devices, exit in reverse
 * with devices first, and a failing init unwinds what came before it so
 * that netns_create fails leaving nothing behind (the ASan run checks
 * the memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness/harness.h"

#define MAX_CALLS 16

static char calls[MAX_CALLS][16];
static unsigned ncalls;
static const char *fail_in;	/* name of the init that fails */
static bool lo_at_init[3], lo_at_exit[3], fib_at_exit[3];
static void *state_of[3];	/* what each init allocated */

static void note(const char *what)
{
	assert_true(ncalls < MAX_CALLS);
	snprintf(calls[ncalls++], sizeof(calls[0]), "%s", what);
}

static int any_init(struct netns *ns, int i, const char *name)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "+%s", name);
	note(buf);
	lo_at_init[i] = ns->lo != NULL;
	if (fail_in && !strcmp(fail_in, name))
		return -ENOMEM;
	state_of[i] = malloc(64); /* leaked unless exit runs */
	return state_of[i] ? 0 : -ENOMEM;
}

static void any_exit(struct netns *ns, int i, const char *name)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "-%s", name);
	note(buf);
	lo_at_exit[i] = ns->lo != NULL;
	fib_at_exit[i] = ns->fib != NULL;
	free(state_of[i]);
	state_of[i] = NULL;
}

static int a_init(struct netns *ns) { return any_init(ns, 0, "a"); }
static void a_exit(struct netns *ns) { any_exit(ns, 0, "a"); }
static int b_init(struct netns *ns) { return any_init(ns, 1, "b"); }
static void b_exit(struct netns *ns) { any_exit(ns, 1, "b"); }
static int d_init(struct netns *ns) { return any_init(ns, 2, "d"); }
static void d_exit(struct netns *ns) { any_exit(ns, 2, "d"); }

static const struct pernet_operations ops_a = { "a", a_init, a_exit };
static const struct pernet_operations ops_b = { "b", b_init, b_exit };
static const struct pernet_operations ops_d = { "d", d_init, d_exit };

static int setup(void **state)
{
	h_setup();
	ncalls = 0;
	fail_in = NULL;
	assert_int_equal(netns_alive(), 0);
	/* the device first: subsystems still go before it */
	assert_int_equal(register_pernet_device(&ops_d), 0);
	assert_int_equal(register_pernet_subsys(&ops_a), 0);
	assert_int_equal(register_pernet_subsys(&ops_b), 0);
	return 0;
}

static int teardown(void **state)
{
	h_teardown();
	assert_int_equal(unregister_pernet_operations(&ops_a), 0);
	assert_int_equal(unregister_pernet_operations(&ops_b), 0);
	assert_int_equal(unregister_pernet_operations(&ops_d), 0);
	assert_int_equal(unregister_pernet_operations(&ops_d), -ENOENT);
	assert_int_equal(netns_alive(), 0);
	return 0;
}

static void expect_calls(const char *const *want, unsigned n)
{
	assert_int_equal(ncalls, n);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(calls[i], want[i]);
}

static void test_init_in_order_exit_in_reverse(void **state)
{
	struct netns *ns = netns_create("p", loop_current());
	static const char *const up[] = { "+a", "+b", "+d" };
	static const char *const all[] = { "+a", "+b", "+d", "-d", "-b", "-a" };

	assert_non_null(ns);
	expect_calls(up, 3);
	/* subsystems before lo, lo (a pernet device) before d */
	assert_false(lo_at_init[0]);
	assert_false(lo_at_init[1]);
	assert_true(lo_at_init[2]);
	assert_non_null(ns->fib);
	assert_int_equal(netns_alive(), 1);
	netns_destroy(ns);
	expect_calls(all, 6);
	/* d goes while lo is still there; the subsystems after lo, and
	 * before the fib (registered earlier) */
	assert_true(lo_at_exit[2]);
	assert_false(lo_at_exit[1]);
	assert_false(lo_at_exit[0]);
	assert_true(fib_at_exit[0]);
	assert_int_equal(netns_alive(), 0);
}

static void test_failing_subsys_init_unwinds(void **state)
{
	static const char *const want[] = { "+a", "+b", "-a" };

	fail_in = "b";
	assert_null(netns_create("p", loop_current()));
	expect_calls(want, 3);
	assert_null(state_of[0]);
	assert_int_equal(netns_alive(), 0);
}

static void test_failing_device_init_unwinds_lo_too(void **state)
{
	static const char *const want[] = { "+a", "+b", "+d", "-b", "-a" };

	fail_in = "d";
	assert_null(netns_create("p", loop_current()));
	expect_calls(want, 5);
	assert_null(state_of[0]);
	assert_null(state_of[1]);
	assert_int_equal(netns_alive(), 0);
	assert_int_equal(pkt_in_use(), 0);
}

static void test_build_ahead_runs_the_same_inits(void **state)
{
	static const char *const up[] = { "+a", "+b", "+d" };
	struct netns *ns;

	netns_create_ahead("p", loop_current());
	expect_calls(up, 3);
	ns = netns_create("p", loop_current()); /* takes the one built ahead */
	assert_non_null(ns);
	assert_int_equal(ncalls, 3);
	assert_non_null(ns->lo);
	netns_destroy(ns);
	assert_int_equal(ncalls, 6);
	netns_create_ahead("q", loop_current());
	netns_ahead_drop(); /* not taken: destroyed with every exit */
	assert_int_equal(ncalls, 12);
	assert_int_equal(netns_alive(), 0);
}

static void test_no_registration_while_a_namespace_exists(void **state)
{
	static const struct pernet_operations late = { "late", NULL, NULL };
	struct netns *ns = h_ns("p");

	assert_non_null(ns);
	assert_int_equal(register_pernet_subsys(&late), -EBUSY);
	assert_int_equal(unregister_pernet_operations(&ops_a), -EBUSY);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_init_in_order_exit_in_reverse),
		T(test_failing_subsys_init_unwinds),
		T(test_failing_device_init_unwinds_lo_too),
		T(test_build_ahead_runs_the_same_inits),
		T(test_no_registration_while_a_namespace_exists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
