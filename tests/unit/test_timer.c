// SPDX-License-Identifier: MIT
/*
 * Timer wheel: nothing fires early, everything due fires, in expiry order;
 * re-arming (from outside and from the callback itself), cancelling, and a
 * callback cancelling another due timer; timers more than a revolution
 * away; long jumps of the clock; re-basing the wheel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/compiler.h"
#include "core/timer.h"

#define MS NSEC_PER_MSEC
#define T0 (1000 * MS) /* the wheel starts at 1 s */

struct ttimer {
	struct timer t;
	unsigned fired;
	uint64_t fired_at; /* the "now" of the timer_run that fired it */
	uint64_t period;   /* re-arm by this much from the callback (0: once) */
	struct timer *victim; /* cancelled by the callback */
};

static uint64_t now;
static struct ttimer *order[64];
static unsigned norder;

static void tt_fn(struct timer *t)
{
	struct ttimer *tt = container_of(t, struct ttimer, t);

	tt->fired++;
	tt->fired_at = now;
	if (norder < ARRAY_SIZE(order))
		order[norder++] = tt;
	if (tt->victim)
		timer_del(tt->victim);
	if (tt->period)
		timer_mod(t, t->expires + tt->period);
}

static void run_to(uint64_t t)
{
	now = t;
	timer_run(t);
}

static int setup(void **state)
{
	now = T0;
	norder = 0;
	timer_wheel_init(T0);
	return 0;
}

static int teardown(void **state)
{
	timer_wheel_destroy();
	return 0;
}

static void tt_init(struct ttimer *tt)
{
	*tt = (struct ttimer){ .fired = 0 };
	timer_init(&tt->t, tt_fn);
}

static void test_timer_never_fires_early(void **state)
{
	struct ttimer a;

	tt_init(&a);
	timer_mod(&a.t, T0 + 10 * MS + 500); /* mid-tick expiry */
	assert_true(timer_pending(&a.t));
	run_to(T0 + 10 * MS);
	assert_int_equal(a.fired, 0);
	run_to(T0 + 10 * MS + 499);
	assert_int_equal(a.fired, 0);
	run_to(T0 + 10 * MS + 500);
	assert_int_equal(a.fired, 1);
	assert_false(timer_pending(&a.t));
	assert_int_equal(timer_count(), 0);
}

static void test_timer_all_due_fire_in_expiry_order(void **state)
{
	struct ttimer t[8];
	/* armed out of order, two in the same tick, two with equal expiry */
	const uint64_t at[8] = { 7 * MS, 3 * MS, 3 * MS + 1, 50 * MS, 1 * MS, 7 * MS, 2000 * MS,
				 20 * MS };
	const unsigned want[8] = { 4, 1, 2, 0, 5, 7, 3, 6 };

	for (int i = 0; i < 8; i++) {
		tt_init(&t[i]);
		timer_mod(&t[i].t, T0 + at[i]);
	}
	assert_int_equal(timer_count(), 8);
	run_to(T0 + 3000 * MS);
	assert_int_equal(norder, 8);
	for (int i = 0; i < 8; i++)
		assert_ptr_equal(order[i], &t[want[i]]);
	assert_int_equal(timer_count(), 0);
}

static void test_timer_due_at_exact_expiry(void **state)
{
	struct ttimer a;

	tt_init(&a);
	timer_mod(&a.t, T0 + 5 * MS);
	run_to(T0 + 5 * MS);
	assert_int_equal(a.fired, 1);
	assert_int_equal(a.fired_at, T0 + 5 * MS);
}

static void test_timer_mod_rearms_pending_timer(void **state)
{
	struct ttimer a;

	tt_init(&a);
	timer_mod(&a.t, T0 + 5 * MS);
	timer_mod(&a.t, T0 + 50 * MS); /* pushed back */
	assert_int_equal(timer_count(), 1);
	run_to(T0 + 40 * MS);
	assert_int_equal(a.fired, 0);
	timer_mod(&a.t, T0 + 45 * MS); /* pulled in */
	run_to(T0 + 45 * MS);
	assert_int_equal(a.fired, 1);
}

static void test_timer_del_cancelled_never_fires(void **state)
{
	struct ttimer a, b;

	tt_init(&a);
	tt_init(&b);
	timer_mod(&a.t, T0 + 5 * MS);
	timer_mod(&b.t, T0 + 6 * MS);
	timer_del(&a.t);
	timer_del(&a.t); /* idle: no-op */
	assert_false(timer_pending(&a.t));
	assert_int_equal(timer_count(), 1);
	run_to(T0 + 100 * MS);
	assert_int_equal(a.fired, 0);
	assert_int_equal(b.fired, 1);
}

static void test_timer_rearm_from_own_callback(void **state)
{
	struct ttimer a;

	tt_init(&a);
	a.period = 10 * MS;
	timer_mod(&a.t, T0 + 10 * MS);
	for (int i = 1; i <= 5; i++)
		run_to(T0 + (uint64_t)i * 10 * MS);
	assert_int_equal(a.fired, 5);
	assert_true(timer_pending(&a.t));
	assert_int_equal(a.t.expires, T0 + 60 * MS);
	timer_del(&a.t);
	assert_int_equal(timer_count(), 0);
}

static void test_timer_periodic_fires_each_period_in_one_long_run(void **state)
{
	struct ttimer a;

	tt_init(&a);
	a.period = 10 * MS;
	timer_mod(&a.t, T0 + 10 * MS);
	/* one run over 100 ms: every expiry falls in a tick walked */
	run_to(T0 + 100 * MS);
	assert_int_equal(a.fired, 10);
	timer_del(&a.t);
}

static void test_timer_callback_deletes_other_due_timer(void **state)
{
	struct ttimer a, b, c;

	tt_init(&a);
	tt_init(&b);
	tt_init(&c);
	timer_mod(&a.t, T0 + 5 * MS);
	timer_mod(&b.t, T0 + 5 * MS + 10); /* same tick, due in the same pass */
	timer_mod(&c.t, T0 + 9 * MS);	   /* a later tick */
	a.victim = &b.t;
	b.victim = &c.t;
	run_to(T0 + 5 * MS + 10);
	assert_int_equal(a.fired, 1);
	assert_int_equal(b.fired, 0);
	assert_true(timer_pending(&c.t));
	c.victim = NULL;
	tt_init(&b);
	timer_mod(&b.t, T0 + 8 * MS);
	b.victim = &c.t; /* b cancels c, which is pending in a later tick */
	run_to(T0 + 20 * MS);
	assert_int_equal(b.fired, 1);
	assert_int_equal(c.fired, 0);
	assert_int_equal(timer_count(), 0);
}

static void test_timer_beyond_one_revolution_waits_its_turn(void **state)
{
	struct ttimer far, near;

	tt_init(&far);
	tt_init(&near);
	/* 1024 slots of 1 ms: 3000 ms shares a slot with 952 ms and 1976 ms */
	timer_mod(&far.t, T0 + 3000 * MS);
	timer_mod(&near.t, T0 + 952 * MS);
	run_to(T0 + 1976 * MS);
	assert_int_equal(near.fired, 1);
	assert_int_equal(far.fired, 0);
	run_to(T0 + 2999 * MS);
	assert_int_equal(far.fired, 0);
	run_to(T0 + 3000 * MS);
	assert_int_equal(far.fired, 1);
}

static void test_timer_long_jump_keeps_order(void **state)
{
	struct ttimer a, b;

	tt_init(&a);
	tt_init(&b);
	/* b's tick comes round in the slot walk before a's, a revolution
	 * earlier; a must still fire first. */
	timer_mod(&b.t, T0 + 3000 * MS);
	timer_mod(&a.t, T0 + 2000 * MS);
	run_to(T0 + 3600 * NSEC_PER_SEC);
	assert_int_equal(norder, 2);
	assert_ptr_equal(order[0], &a);
	assert_ptr_equal(order[1], &b);
}

static void test_timer_armed_in_the_past_fires_on_next_run(void **state)
{
	struct ttimer a;

	run_to(T0 + 10 * MS);
	tt_init(&a);
	timer_mod(&a.t, T0 + 2 * MS); /* already past */
	assert_int_equal(timer_next_expiry(), T0 + 2 * MS);
	run_to(T0 + 10 * MS); /* same time again */
	assert_int_equal(a.fired, 1);
}

static void test_timer_next_expiry_reports_earliest(void **state)
{
	struct ttimer a, b;

	assert_true(timer_next_expiry() == UINT64_MAX);
	tt_init(&a);
	tt_init(&b);
	timer_mod(&a.t, T0 + 70 * MS);
	timer_mod(&b.t, T0 + 3 * NSEC_PER_SEC);
	assert_int_equal(timer_next_expiry(), T0 + 70 * MS);
	timer_del(&a.t);
	assert_int_equal(timer_next_expiry(), T0 + 3 * NSEC_PER_SEC);
	timer_del(&b.t);
}

static void test_timer_wheel_rebase_keeps_pending_timers(void **state)
{
	struct ttimer a;

	tt_init(&a);
	timer_mod(&a.t, T0 + 5 * MS);
	timer_wheel_init(T0 / 2); /* the clock restarts earlier */
	assert_int_equal(timer_count(), 1);
	run_to(T0 + 4 * MS);
	assert_int_equal(a.fired, 0);
	run_to(T0 + 5 * MS);
	assert_int_equal(a.fired, 1);
}

static void test_timer_wheel_destroy_leaves_timers_idle(void **state)
{
	struct ttimer a;

	tt_init(&a);
	timer_mod(&a.t, T0 + 5 * MS);
	timer_wheel_destroy();
	assert_false(timer_pending(&a.t));
	assert_int_equal(timer_count(), 0);
	timer_del(&a.t); /* safe after the wheel is gone */
	timer_wheel_init(T0);
}

static void test_timer_next_wake_is_earliest_slot_and_tracks_arming(void **state)
{
	struct ttimer a, b;

	assert_true(timer_next_wake() == UINT64_MAX);
	tt_init(&a);
	tt_init(&b);
	timer_mod(&a.t, T0 + 300 * MS + 1); /* rounds up to the end of its tick */
	assert_true(timer_wake_changed());
	assert_int_equal(timer_next_wake(), T0 + 301 * MS);
	assert_false(timer_wake_changed());
	timer_mod(&b.t, T0 + 500 * MS); /* later: the wake stands */
	assert_false(timer_wake_changed());
	timer_mod(&b.t, T0 + 20 * MS); /* earlier: the loop must look again */
	assert_true(timer_wake_changed());
	assert_int_equal(timer_next_wake(), T0 + 20 * MS);
	run_to(T0 + 20 * MS);
	assert_int_equal(b.fired, 1);
	assert_int_equal(timer_next_wake(), T0 + 301 * MS);
	timer_del(&a.t);
	assert_true(timer_next_wake() == UINT64_MAX);
}

static void test_timer_next_wake_never_after_far_timer(void **state)
{
	struct ttimer a;

	tt_init(&a);
	/* five revolutions away: the wake comes early (its slot this
	 * revolution), and again until the real tick */
	timer_mod(&a.t, T0 + 5000 * MS);
	assert_true(timer_next_wake() <= T0 + 5000 * MS);
	for (int i = 0; i < 10 && !a.fired; i++)
		run_to(timer_next_wake());
	assert_int_equal(a.fired, 1);
	assert_int_equal(a.fired_at, T0 + 5000 * MS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timer_never_fires_early, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_all_due_fire_in_expiry_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_due_at_exact_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_mod_rearms_pending_timer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_del_cancelled_never_fires, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_rearm_from_own_callback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_periodic_fires_each_period_in_one_long_run,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_callback_deletes_other_due_timer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_beyond_one_revolution_waits_its_turn,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_long_jump_keeps_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_armed_in_the_past_fires_on_next_run,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_next_expiry_reports_earliest, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_wheel_rebase_keeps_pending_timers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timer_wheel_destroy_leaves_timers_idle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_timer_next_wake_is_earliest_slot_and_tracks_arming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_next_wake_never_after_far_timer, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
