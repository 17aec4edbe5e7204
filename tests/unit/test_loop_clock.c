// SPDX-License-Identifier: MIT
/*
 * loop_clock against loop_now on a real worker: within one run of work
 * loop_now stays where the iteration began, loop_clock moves with time.
 * ping and traceroute stamp their requests and answers with loop_clock,
 * so two probes sent and answered in one iteration still get their own
 * RTTs, not the loop's cached time. On the fake test worker loop_clock is
 * the fake clock, so the unit tests' RTTs stay deterministic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "core/loop.h"

struct reads {
	uint64_t now[2], clock[2];
};

static void read_twice(void *arg)
{
	struct reads *r = arg;
	struct timespec ms2 = { 0, 2000000 };

	r->now[0] = loop_now();
	r->clock[0] = loop_clock();
	nanosleep(&ms2, NULL);
	r->now[1] = loop_now();
	r->clock[1] = loop_clock();
}

static void test_loop_clock_moves_within_an_iteration(void **state)
{
	struct reads r = { { 0 }, { 0 } };

	assert_int_equal(loop_init(1), 0);
	loop_call_sync(loop_worker(0), read_twice, &r);
	loop_shutdown();
	assert_true(r.now[1] == r.now[0]);
	assert_true(r.clock[1] - r.clock[0] >= 2000000);
	/* the same clock: the cached time is a past reading of it */
	assert_true(r.clock[0] >= r.now[0]);
}

static void test_loop_clock_is_the_fake_clock_in_tests(void **state)
{
	loop_test_attach(1000);
	loop_test_run(5000000);
	assert_int_equal(loop_clock(), loop_now());
	loop_test_detach();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_clock_moves_within_an_iteration),
		cmocka_unit_test(test_loop_clock_is_the_fake_clock_in_tests),
	};

	return cmocka_run_group_tests_name("loop_clock", tests, NULL, NULL);
}
