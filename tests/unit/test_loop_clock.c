// SPDX-License-Identifier: MIT
/*
 * loop_clock against loop_now on a real worker: within one run of work
 * loop_now stays where the run began, loop_clock moves with time; from
 * one task run to the next loop_now moves too.
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

/* A task that wakes itself: every run lands in the same drain of the
 * worker's queues, 2 ms apart. */
struct rewake {
	struct loop_task task;
	uint64_t now[4];
	unsigned runs;
	volatile bool done;
};

static void rewake_run(void *arg)
{
	struct rewake *r = arg;
	struct timespec ms2 = { 0, 2000000 };

	r->now[r->runs++] = loop_now();
	if (r->runs == 4) {
		r->done = true;
		return;
	}
	nanosleep(&ms2, NULL);
	loop_task_wake(loop_current(), &r->task);
}

static void start_rewake(void *arg)
{
	struct rewake *r = arg;

	loop_task_wake(loop_current(), &r->task);
}

/* loop_now moves from one task run to the next even inside one drain: a
 * timer armed from it in the fourth run counts from then, not from the
 * drain's start (TCP's RTO fired early under a transfer's busy drain). */
static void test_loop_now_moves_between_task_runs(void **state)
{
	struct rewake r = { .runs = 0 };
	struct timespec ms1 = { 0, 1000000 };

	loop_task_init(&r.task, rewake_run, &r);
	assert_int_equal(loop_init(1), 0);
	loop_call_sync(loop_worker(0), start_rewake, &r);
	for (int i = 0; i < 1000 && !r.done; i++)
		nanosleep(&ms1, NULL);
	loop_shutdown();
	assert_true(r.done);
	for (unsigned i = 1; i < 4; i++)
		assert_true(r.now[i] - r.now[i - 1] >= 2000000);
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
		cmocka_unit_test(test_loop_now_moves_between_task_runs),
		cmocka_unit_test(test_loop_clock_is_the_fake_clock_in_tests),
	};

	return cmocka_run_group_tests_name("loop_clock", tests, NULL, NULL);
}
