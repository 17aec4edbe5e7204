// SPDX-License-Identifier: MIT
/*
 * Real worker threads (also run under TSan): loop_call_sync runs on the
 * worker asked for, loop_call keeps one producer's order, loop_task_wake
 * from other threads coalesces and never loses a wake-up, timers fire on
 * the worker that armed them, packets freed on another thread are
 * accounted, loop_shutdown runs what is pending and joins, loop_call_wait
 * works worker to worker, and loop_post holds messages and sends them one
 * closure per worker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <cmocka.h>

#include "core/compiler.h"
#include "core/loop.h"
#include "core/pkt.h"
#include "core/timer.h"

static int setup(void **state)
{
	return loop_init(2);
}

static int teardown(void **state)
{
	loop_shutdown();
	return 0;
}

static void noop(void *arg)
{
}

struct where {
	struct worker *seen;
	unsigned id;
};

static void note_worker(void *arg)
{
	struct where *w = arg;

	w->seen = loop_current();
	w->id = loop_worker_id(w->seen);
}

static void test_loop_call_sync_runs_on_target_worker(void **state)
{
	assert_int_equal(loop_nworkers(), 2);
	assert_null(loop_current()); /* the test thread is not a worker */
	for (unsigned i = 0; i < 2; i++) {
		struct where w = { NULL, 99 };

		loop_call_sync(loop_worker(i), note_worker, &w);
		assert_ptr_equal(w.seen, loop_worker(i));
		assert_int_equal(w.id, i);
	}
	assert_int_equal(loop_stats(loop_worker(0))->calls, 1); /* read after sync: ordered */
}

#define NCALLS 20000
static unsigned order_log[NCALLS];
static unsigned order_n;

static void log_call(void *arg)
{
	order_log[order_n++] = (unsigned)(uintptr_t)arg;
}

static void test_loop_call_is_fifo_from_one_producer(void **state)
{
	struct worker *w = loop_worker(1);

	order_n = 0;
	for (uintptr_t i = 0; i < NCALLS; i++)
		loop_call(w, log_call, (void *)i);
	loop_call_sync(w, noop, NULL); /* behind all of them */
	assert_int_equal(order_n, NCALLS);
	for (unsigned i = 0; i < NCALLS; i++)
		assert_int_equal(order_log[i], i);
}

/* A task and the "work" it drains: producers add to pending and wake the
 * task; the task moves pending to done. No wake-up may be lost, so once
 * producers stop, done must reach the total. */
struct drain_task {
	struct loop_task t;
	atomic_ulong pending;
	unsigned long done; /* worker only */
	unsigned long runs; /* worker only */
	struct worker *ran_on;
};

static void drain_fn(void *arg)
{
	struct drain_task *d = arg;

	d->done += atomic_exchange(&d->pending, 0);
	d->runs++;
	d->ran_on = loop_current();
}

struct waker_arg {
	struct drain_task *d;
	unsigned n;
};

static void *waker(void *arg)
{
	struct waker_arg *wa = arg;

	for (unsigned i = 0; i < wa->n; i++) {
		atomic_fetch_add(&wa->d->pending, 1);
		loop_task_wake(loop_worker(0), &wa->d->t);
		if (i % 1024 == 0)
			sched_yield();
	}
	return NULL;
}

struct drain_result {
	struct drain_task *d;
	unsigned long done, runs;
	struct worker *ran_on;
};

static void read_result(void *arg)
{
	struct drain_result *r = arg;

	r->done = r->d->done;
	r->runs = r->d->runs;
	r->ran_on = r->d->ran_on;
}

static void test_loop_task_wake_from_threads_coalesces_and_runs(void **state)
{
	static struct drain_task d;
	struct waker_arg wa = { &d, 50000 };
	struct drain_result r = { &d, 0, 0, NULL };
	pthread_t th[2];

	atomic_init(&d.pending, 0);
	d.done = d.runs = 0;
	d.ran_on = NULL;
	loop_task_init(&d.t, drain_fn, &d);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, waker, &wa), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	/* the last wake-up may still be in flight: wait for it to be run */
	for (int tries = 0; tries < 10000; tries++) {
		loop_call_sync(loop_worker(0), read_result, &r);
		if (r.done == 2 * wa.n)
			break;
		sched_yield();
	}
	assert_int_equal(r.done, 2 * wa.n);
	assert_ptr_equal(r.ran_on, loop_worker(0));
	assert_true(r.runs >= 1);
	assert_true(r.runs <= 2 * wa.n); /* at most one run per wake-up */
}

struct timer_probe {
	struct timer t;
	atomic_int fired;
	struct worker *armed_on, *fired_on;
	uint64_t armed_at, fired_at, expires;
};

static void probe_fn(struct timer *t)
{
	struct timer_probe *p = container_of(t, struct timer_probe, t);

	p->fired_on = loop_current();
	p->fired_at = loop_now();
	atomic_store(&p->fired, 1);
}

static void arm_probe(void *arg)
{
	struct timer_probe *p = arg;

	p->armed_on = loop_current();
	p->armed_at = loop_now();
	p->expires = p->armed_at + 20 * NSEC_PER_MSEC;
	timer_init(&p->t, probe_fn);
	timer_mod(&p->t, p->expires);
}

static void test_timer_fires_on_worker_thread(void **state)
{
	static struct timer_probe p;
	struct timespec ts = { 0, 1000000 };

	atomic_init(&p.fired, 0);
	loop_call_sync(loop_worker(1), arm_probe, &p);
	for (int i = 0; i < 5000 && !atomic_load(&p.fired); i++)
		nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&p.fired), 1);
	assert_ptr_equal(p.fired_on, loop_worker(1));
	assert_ptr_equal(p.armed_on, loop_worker(1));
	assert_true(p.fired_at >= p.expires); /* never early */
}

struct periodic_probe {
	struct timer t;
	atomic_int fired;
	int want;
};

static void periodic_probe_fn(struct timer *t)
{
	struct periodic_probe *p = container_of(t, struct periodic_probe, t);

	if (atomic_fetch_add(&p->fired, 1) + 1 < p->want)
		timer_mod(t, loop_now() + 2 * NSEC_PER_MSEC);
}

static void arm_periodic(void *arg)
{
	struct periodic_probe *p = arg;

	timer_init(&p->t, periodic_probe_fn);
	timer_mod(&p->t, loop_now() + 2 * NSEC_PER_MSEC);
}

static void test_timer_rearmed_from_callback_keeps_firing_on_worker(void **state)
{
	static struct periodic_probe p = { .want = 10 };
	struct timespec ts = { 0, 1000000 };

	atomic_init(&p.fired, 0);
	loop_call_sync(loop_worker(0), arm_periodic, &p);
	for (int i = 0; i < 5000 && atomic_load(&p.fired) < p.want; i++)
		nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&p.fired), p.want);
}

static struct timer_probe late, early;

static void arm_late_then_early(void *arg)
{
	timer_init(&late.t, probe_fn);
	late.expires = loop_now() + 10 * NSEC_PER_SEC;
	timer_mod(&late.t, late.expires);
}

static void arm_early(void *arg)
{
	timer_init(&early.t, probe_fn);
	early.expires = loop_now() + 5 * NSEC_PER_MSEC;
	timer_mod(&early.t, early.expires);
}

static void del_late(void *arg)
{
	timer_del(&late.t);
}

static void test_timer_armed_earlier_than_sleep_wakes_worker(void **state)
{
	struct timespec ts = { 0, 1000000 };
	uint64_t t0;
	int i;

	atomic_init(&late.fired, 0);
	atomic_init(&early.fired, 0);
	/* the worker goes to sleep for 10 s, then gets a 5 ms timer */
	loop_call_sync(loop_worker(0), arm_late_then_early, NULL);
	nanosleep(&ts, NULL);
	loop_call_sync(loop_worker(0), arm_early, NULL);
	t0 = loop_now();
	for (i = 0; i < 3000 && !atomic_load(&early.fired); i++)
		nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&early.fired), 1);
	assert_true(loop_now() - t0 < 2 * NSEC_PER_SEC);
	assert_true(early.fired_at >= early.expires);
	assert_int_equal(atomic_load(&late.fired), 0);
	loop_call_sync(loop_worker(0), del_late, NULL);
}

struct pkt_handoff {
	struct pkt *p[64];
};

static void free_pkts(void *arg)
{
	struct pkt_handoff *h = arg;

	for (int i = 0; i < 64; i++)
		pkt_free(h->p[i]);
}

static void test_pkt_freed_on_other_worker_is_accounted(void **state)
{
	struct pkt_handoff h;

	for (int i = 0; i < 64; i++)
		h.p[i] = pkt_alloc(PKT_HR_LINK, 64);
	assert_int_equal(pkt_in_use(), 64);
	loop_call_sync(loop_worker(0), free_pkts, &h);
	assert_int_equal(pkt_in_use(), 0);
}

static atomic_int late_runs;
static void late_call(void *arg)
{
	atomic_fetch_add(&late_runs, 1);
}

static void test_loop_shutdown_runs_pending_calls_and_joins(void **state)
{
	atomic_init(&late_runs, 0);
	for (int i = 0; i < 100; i++)
		loop_call(loop_worker(i & 1), late_call, NULL);
	loop_shutdown();
	assert_int_equal(atomic_load(&late_runs), 100);
	assert_int_equal(loop_nworkers(), 0);
	assert_null(loop_worker(0));
	/* and the loop can be started again */
	assert_int_equal(loop_init(1), 0);
	assert_int_equal(loop_nworkers(), 1);
}

/* On worker 0: wait on worker 1 (worker to worker), see where it ran. */
static void wait_on_w1(void *arg)
{
	loop_call_wait(loop_worker(1), note_worker, arg);
}

static void test_loop_call_wait_from_worker_runs_on_target(void **state)
{
	struct where w = { NULL, 99 };

	loop_call_sync(loop_worker(0), wait_on_w1, &w);
	assert_ptr_equal(w.seen, loop_worker(1));
	assert_int_equal(w.id, 1);
	/* on the target itself it runs inline */
	w.seen = NULL;
	loop_call_sync(loop_worker(1), wait_on_w1, &w);
	assert_ptr_equal(w.seen, loop_worker(1));
}

/* Held posts from worker 0 to worker 1. */
static unsigned post_log[8], post_n;
static uint64_t post_calls_before, post_calls_mid;

static void post_record(void *arg)
{
	post_log[post_n++] = (unsigned)(uintptr_t)arg;
}

static void read_post_n(void *arg)
{
	*(unsigned *)arg = post_n;
}

static void post_from_w0(void *arg)
{
	unsigned seen = 99;

	post_calls_before = loop_stats(loop_worker(1))->calls;
	loop_post_hold();
	for (uintptr_t i = 1; i <= 3; i++)
		loop_post(loop_worker(1), post_record, (void *)i);
	/* loop_call_wait sends what is held first: it runs after them */
	loop_call_wait(loop_worker(1), read_post_n, &seen);
	*(unsigned *)arg = seen;
	post_calls_mid = loop_stats(loop_worker(1))->calls;
	for (uintptr_t i = 4; i <= 5; i++)
		loop_post(loop_worker(1), post_record, (void *)i);
	loop_post_release();
	/* released: loop_post is loop_call again */
	loop_post(loop_worker(1), post_record, (void *)6);
}

static void test_loop_post_holds_and_sends_one_closure_per_worker(void **state)
{
	unsigned seen = 0, n = 0;

	post_n = 0;
	loop_call_sync(loop_worker(0), post_from_w0, &seen);
	assert_int_equal(seen, 3);
	/* three held messages went as one closure, then the waited call */
	assert_int_equal(post_calls_mid - post_calls_before, 2);
	for (int tries = 0; tries < 100000 && n < 6; tries++)
		loop_call_sync(loop_worker(1), read_post_n, &n);
	assert_int_equal(n, 6);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(post_log[i], i + 1);
}

/* A full hold is sent at once, without waiting for a flush. */
static void post_batch_from_w0(void *arg)
{
	loop_post_hold();
	for (uintptr_t i = 0; i < LOOP_POST_BATCH; i++)
		loop_post(loop_worker(1), noop, NULL);
	loop_post_release(); /* nothing left to send */
}

/* On worker 1: the closures it finished before this one. */
static void read_calls(void *arg)
{
	*(uint64_t *)arg = loop_stats(loop_current())->calls;
}

static void test_loop_post_sends_when_batch_is_full(void **state)
{
	uint64_t before, after;

	loop_call_sync(loop_worker(1), read_calls, &before);
	loop_call_sync(loop_worker(0), post_batch_from_w0, NULL);
	loop_call_sync(loop_worker(1), read_calls, &after);
	/* the first read, then one closure for the whole batch */
	assert_int_equal(after - before, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_loop_call_sync_runs_on_target_worker, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_loop_call_is_fifo_from_one_producer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_loop_task_wake_from_threads_coalesces_and_runs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_fires_on_worker_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_timer_rearmed_from_callback_keeps_firing_on_worker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_armed_earlier_than_sleep_wakes_worker,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pkt_freed_on_other_worker_is_accounted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_loop_shutdown_runs_pending_calls_and_joins,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_call_wait_from_worker_runs_on_target,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_loop_post_holds_and_sends_one_closure_per_worker, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_post_sends_when_batch_is_full, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
