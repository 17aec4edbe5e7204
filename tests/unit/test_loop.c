// SPDX-License-Identifier: MIT
/*
 * The loop's unit-test mode (no threads): the calling thread is worker 0
 * with a fake clock; loop_call and loop_task_wake queue, loop_test_run
 * runs everything and steps the clock through timer expiries. Also the
 * MPSC queue used underneath, on one thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/compiler.h"
#include "core/loop.h"
#include "core/timer.h"

#define SEC NSEC_PER_SEC

static int setup(void **state)
{
	loop_test_attach(1 * SEC);
	return 0;
}

static int teardown(void **state)
{
	loop_test_detach();
	return 0;
}

static unsigned seq[16], nseq;

static void record(void *arg)
{
	seq[nseq++] = (unsigned)(uintptr_t)arg;
}

static void test_loop_test_attach_makes_caller_worker_zero(void **state)
{
	assert_int_equal(loop_nworkers(), 1);
	assert_non_null(loop_current());
	assert_ptr_equal(loop_worker(0), loop_current());
	assert_null(loop_worker(1));
	assert_int_equal(loop_worker_id(loop_current()), 0);
	assert_int_equal(loop_now(), 1 * SEC);
}

static void test_loop_call_runs_only_at_test_run_in_fifo_order(void **state)
{
	nseq = 0;
	for (uintptr_t i = 1; i <= 5; i++)
		loop_call(loop_current(), record, (void *)i);
	assert_int_equal(nseq, 0);
	loop_test_run(1 * SEC);
	assert_int_equal(nseq, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(seq[i], i + 1);
	assert_int_equal(loop_stats(loop_current())->calls, 5);
}

static void test_loop_call_sync_on_current_worker_runs_inline(void **state)
{
	nseq = 0;
	loop_call_sync(loop_current(), record, (void *)7);
	assert_int_equal(nseq, 1);
	assert_int_equal(seq[0], 7);
}

static unsigned task_runs;
static void count_task(void *arg)
{
	task_runs++;
}

static void test_loop_task_wake_coalesces(void **state)
{
	struct loop_task t;

	task_runs = 0;
	loop_task_init(&t, count_task, NULL);
	loop_task_wake(loop_current(), &t);
	loop_task_wake(loop_current(), &t);
	loop_task_wake(loop_current(), &t);
	loop_test_run(1 * SEC);
	assert_int_equal(task_runs, 1);
	assert_int_equal(loop_stats(loop_current())->tasks, 1);
	loop_task_wake(loop_current(), &t); /* runnable again once run */
	loop_test_run(1 * SEC);
	assert_int_equal(task_runs, 2);
}

struct self_waker {
	struct loop_task t;
	unsigned runs, want;
};

static void self_wake(void *arg)
{
	struct self_waker *s = arg;

	/* queued is already clear: this wake queues it again */
	if (++s->runs < s->want)
		loop_task_wake(loop_current(), &s->t);
}

static void test_loop_task_woken_during_its_run_runs_again(void **state)
{
	struct self_waker s = { .want = 3 };

	loop_task_init(&s.t, self_wake, &s);
	loop_task_wake(loop_current(), &s.t);
	loop_test_run(1 * SEC);
	assert_int_equal(s.runs, 3);
}

static void chain_call(void *arg)
{
	uintptr_t n = (uintptr_t)arg;

	record(arg);
	if (n < 4)
		loop_call(loop_current(), chain_call, (void *)(n + 1));
}

static void test_loop_test_run_runs_calls_queued_by_calls(void **state)
{
	nseq = 0;
	loop_call(loop_current(), chain_call, (void *)1);
	loop_test_run(1 * SEC);
	assert_int_equal(nseq, 4);
}

struct periodic {
	struct timer t;
	unsigned fired;
	uint64_t seen[16];
};

static void periodic_fn(struct timer *t)
{
	struct periodic *p = container_of(t, struct periodic, t);

	if (p->fired < ARRAY_SIZE(p->seen))
		p->seen[p->fired] = loop_now();
	p->fired++;
	timer_mod(t, loop_now() + SEC);
}

static void test_loop_test_run_steps_clock_through_timers(void **state)
{
	struct periodic p = { .fired = 0 };

	timer_init(&p.t, periodic_fn);
	timer_mod(&p.t, loop_now() + SEC);
	/* ten seconds at once: a timer re-arming from loop_now() still fires
	 * every second, and sees its own expiry as the time */
	loop_test_run(11 * SEC);
	assert_int_equal(p.fired, 10);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(p.seen[i], (2 + i) * SEC);
	assert_int_equal(loop_now(), 11 * SEC);
	timer_del(&p.t);
}

static void test_loop_test_run_never_moves_clock_back(void **state)
{
	loop_test_run(5 * SEC);
	loop_test_run(2 * SEC);
	assert_int_equal(loop_now(), 5 * SEC);
}

static void arm_now(void *arg)
{
	struct periodic *p = arg;

	timer_mod(&p->t, loop_now());
}

static void once_fn(struct timer *t)
{
	container_of(t, struct periodic, t)->fired++;
}

static void test_loop_test_run_fires_timer_armed_for_now_by_call(void **state)
{
	struct periodic p = { .fired = 0 };

	timer_init(&p.t, once_fn);
	loop_call(loop_current(), arm_now, &p);
	loop_test_run(1 * SEC);
	assert_int_equal(p.fired, 1);
}

static void test_loop_test_attach_again_restarts_clock(void **state)
{
	loop_test_run(50 * SEC);
	loop_test_attach(1 * SEC);
	assert_int_equal(loop_now(), 1 * SEC);
	assert_int_equal(loop_nworkers(), 1);
}

static void test_loop_test_detach_runs_pending_calls(void **state)
{
	nseq = 0;
	loop_call(loop_current(), record, (void *)9);
	loop_test_detach();
	assert_int_equal(nseq, 1);
	assert_null(loop_current());
	assert_int_equal(loop_nworkers(), 0);
	loop_test_attach(1 * SEC); /* for teardown */
}

static void test_mpsc_push_pop_fifo_and_empty(void **state)
{
	struct mpsc_queue q;
	struct mpsc_node n[4];

	mpsc_init(&q);
	assert_null(mpsc_pop(&q));
	for (int i = 0; i < 4; i++)
		mpsc_push(&q, &n[i]);
	for (int i = 0; i < 4; i++)
		assert_ptr_equal(mpsc_pop(&q), &n[i]);
	assert_null(mpsc_pop(&q));
	/* reusable after running empty (the stub went round) */
	mpsc_push(&q, &n[2]);
	assert_ptr_equal(mpsc_pop(&q), &n[2]);
	assert_null(mpsc_pop(&q));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_loop_test_attach_makes_caller_worker_zero,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_call_runs_only_at_test_run_in_fifo_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_call_sync_on_current_worker_runs_inline,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_task_wake_coalesces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_task_woken_during_its_run_runs_again,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_test_run_runs_calls_queued_by_calls,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_test_run_steps_clock_through_timers,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_test_run_never_moves_clock_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_loop_test_run_fires_timer_armed_for_now_by_call,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_test_attach_again_restarts_clock, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_loop_test_detach_runs_pending_calls, setup,
						teardown),
		cmocka_unit_test(test_mpsc_push_pop_fifo_and_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
