// SPDX-License-Identifier: MIT
/*
 * A hashed timer wheel per thread (Varghese & Lauck), like the kernel's
 * timer wheel in its simplest form: WHEEL_SIZE slots of one TIMER_TICK_NS
 * tick each; a timer lives in the slot of the tick it expires in (rounded
 * up, so it never fires early), and one further than a revolution away
 * simply stays in its slot until the wheel comes round to its own tick.
 * Arming and cancelling are O(1). timer_run(now) walks the ticks from the
 * last one processed up to now, firing every due timer of a tick in expiry
 * order.
 *
 * Firing follows the kernel's __run_timers(): the wheel's clock moves past a
 * tick before its timers run, and the due timers are first moved to a
 * private "expired" list where they stay pending, so a callback may re-arm
 * itself, cancel any other timer (due or not) or arm new ones safely. A
 * timer (re-)armed at or before the current tick goes to the next tick to
 * be processed: it fires on the next pass, never in a loop.
 */
#include "timer.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>

#include "log.h"

#define WHEEL_BITS 10
#define WHEEL_SIZE (1u << WHEEL_BITS)
#define WHEEL_MASK (WHEEL_SIZE - 1)

struct timer_wheel {
	uint64_t clk;		  /* next tick to process: every tick < clk is done */
	unsigned count;		  /* pending timers, in slots or in expired */
	bool wake_changed;	  /* armed before wake_tick since timer_next_wake */
	uint64_t wake_tick;	  /* the tick timer_next_wake last reported */
	struct timer *expired;	  /* due timers being fired by timer_run */
	struct timer *slot[WHEEL_SIZE];
};

static _Thread_local struct timer_wheel *wheel;

/* The tick a timer belongs to: rounded up, so that firing at the end of
 * tick k (time k * TICK) is never before the expiry. */
static inline uint64_t timer_tick(uint64_t expires)
{
	return expires / TIMER_TICK_NS + (expires % TIMER_TICK_NS != 0);
}

static inline void timer_link(struct timer *t, struct timer **pp)
{
	t->next = *pp;
	if (t->next)
		t->next->pprev = &t->next;
	*pp = t;
	t->pprev = pp;
}

static inline void timer_unlink(struct timer *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

void timer_init(struct timer *t, timer_fn fn)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expires = 0;
	t->fn = fn;
}

static void timer_enqueue(struct timer_wheel *wh, struct timer *t)
{
	uint64_t tick = timer_tick(t->expires);

	if (tick < wh->clk)
		tick = wh->clk;
	if (tick < wh->wake_tick)
		wh->wake_changed = true;
	timer_link(t, &wh->slot[tick & WHEEL_MASK]);
	wh->count++;
}

void timer_mod(struct timer *t, uint64_t expires)
{
	struct timer_wheel *wh = wheel;

	/* Timers belong to the owner thread's wheel (loop.c makes one per
	 * worker, loop_test_attach one for tests). */
	assert(wh && "timer_mod on a thread without a timer wheel");
	if (!wh)
		return;
	if (timer_pending(t)) {
		timer_unlink(t);
		wh->count--;
	}
	t->expires = expires;
	timer_enqueue(wh, t);
}

void timer_del(struct timer *t)
{
	if (!timer_pending(t))
		return;
	timer_unlink(t);
	if (wheel)
		wheel->count--;
}

/*
 * Stable merge sort of the expired list by expiry, so timers of equal
 * expiry fire in the order they were armed. Rebuilds the pprev links.
 */
static struct timer *timer_sort(struct timer *list, unsigned n)
{
	struct timer *a, *b, *head = NULL, **tail = &head;
	unsigned half = n / 2;

	if (n < 2)
		return list;
	a = list;
	b = list;
	for (unsigned i = 1; i < half; i++)
		b = b->next;
	{
		struct timer *mid = b->next;
		b->next = NULL;
		b = mid;
	}
	a = timer_sort(a, half);
	b = timer_sort(b, n - half);
	while (a && b) {
		struct timer **pick = b->expires < a->expires ? &b : &a;
		*tail = *pick;
		tail = &(*pick)->next;
		*pick = (*pick)->next;
	}
	*tail = a ? a : b;
	return head;
}

/*
 * Fire the timers of tick @k that are due at @now: those whose own tick is
 * @k or earlier (not a later revolution sharing the slot) and whose expiry
 * has passed (only the partial last tick holds some that have not).
 */
static void timer_run_tick(struct timer_wheel *wh, uint64_t k, uint64_t now)
{
	struct timer **pp = &wh->slot[k & WHEEL_MASK];
	struct timer *list = NULL, *t;
	unsigned n = 0;

	/* Collect in slot order (newest first); prepending reverses it into
	 * arming order, which the stable sort keeps for equal expiries. */
	while ((t = *pp)) {
		if (timer_tick(t->expires) <= k && t->expires <= now) {
			timer_unlink(t);
			t->next = list;
			list = t;
			n++;
		} else {
			pp = &t->next;
		}
	}
	if (!list)
		return;
	list = timer_sort(list, n);
	wh->expired = NULL;
	for (pp = &wh->expired; list; list = t) {
		t = list->next;
		timer_link(list, pp);
		pp = &list->next;
	}
	/* Each stays pending until the moment it fires: a callback may cancel
	 * a later one in this list (timer_del unlinks it through pprev). */
	while ((t = wh->expired)) {
		timer_unlink(t);
		wh->count--;
		t->fn(t);
	}
}

/* Earliest tick holding a pending timer, counting timers parked at the
 * clock as due then; UINT64_MAX if none. Scans the whole wheel. */
static uint64_t timer_first_tick(const struct timer_wheel *wh)
{
	uint64_t best = UINT64_MAX;

	for (unsigned i = 0; i < WHEEL_SIZE; i++) {
		for (const struct timer *t = wh->slot[i]; t; t = t->next) {
			uint64_t tick = timer_tick(t->expires);

			if (tick < wh->clk)
				tick = wh->clk;
			if (tick < best)
				best = tick;
		}
	}
	return best;
}

void timer_run(uint64_t now)
{
	struct timer_wheel *wh = wheel;
	uint64_t last = now / TIMER_TICK_NS; /* every tick <= last is wholly due */

	if (!wh)
		return;
	/* After a long idle (or a jump of the test clock) skip straight to
	 * the first tick that holds anything instead of visiting every
	 * empty slot. */
	if (wh->count && last >= wh->clk + WHEEL_SIZE) {
		uint64_t first = timer_first_tick(wh);

		if (first > wh->clk)
			wh->clk = first <= last ? first : last + 1;
	}
	while (wh->clk <= last) {
		uint64_t k = wh->clk++;

		if (!wh->count) {
			wh->clk = last + 1;
			break;
		}
		timer_run_tick(wh, k, now);
	}
	/* The tick now is in: fire what expired within it (and what was
	 * armed for an earlier time since), without moving the clock past
	 * the timers of this tick that are not due yet. */
	if (wh->count)
		timer_run_tick(wh, wh->clk, now);
}

unsigned timer_count(void)
{
	return wheel ? wheel->count : 0;
}

uint64_t timer_next_expiry(void)
{
	uint64_t best = UINT64_MAX;

	if (!wheel || !wheel->count)
		return best;
	for (unsigned i = 0; i < WHEEL_SIZE; i++)
		for (const struct timer *t = wheel->slot[i]; t; t = t->next)
			if (t->expires < best)
				best = t->expires;
	for (const struct timer *t = wheel->expired; t; t = t->next)
		if (t->expires < best)
			best = t->expires;
	return best;
}

/*
 * The first slot in use from the clock on, in wheel order: its tick is
 * the earliest any timer can be due (a timer a revolution or more away
 * makes the loop wake early and look again, never late). At most one
 * revolution of pointer checks, done when the loop is about to sleep.
 */
uint64_t timer_next_wake(void)
{
	struct timer_wheel *wh = wheel;

	if (!wh || !wh->count)
		return UINT64_MAX;
	wh->wake_changed = false;
	wh->wake_tick = wh->clk; /* only the expired list: due now */
	for (unsigned i = 0; i < WHEEL_SIZE; i++) {
		if (wh->slot[(wh->clk + i) & WHEEL_MASK]) {
			wh->wake_tick = wh->clk + i;
			break;
		}
	}
	return wh->wake_tick * TIMER_TICK_NS;
}

bool timer_wake_changed(void)
{
	return wheel && wheel->wake_changed;
}

/*
 * A second init on a thread that has a wheel re-bases it at @now (a test
 * that restarts its fake clock): pending timers are re-inserted, and any
 * already past fires on the next run.
 */
void timer_wheel_init(uint64_t now)
{
	struct timer *pending = NULL, *t;

	if (wheel) {
		for (unsigned i = 0; i < WHEEL_SIZE; i++) {
			while ((t = wheel->slot[i])) {
				timer_unlink(t);
				t->next = pending;
				pending = t;
			}
		}
	} else {
		wheel = calloc(1, sizeof(*wheel));
		if (!wheel) {
			log_msg(LOG_ERR, "timer: out of memory for the timer wheel");
			abort();
		}
	}
	wheel->count = 0;
	wheel->expired = NULL;
	wheel->clk = now / TIMER_TICK_NS;
	wheel->wake_tick = UINT64_MAX;
	wheel->wake_changed = false;
	while ((t = pending)) {
		pending = t->next;
		timer_enqueue(wheel, t);
	}
}

/* Pending timers are left idle (timer_pending() false, timer_del() a
 * no-op): the wheel goes, the timers' owners may still hold them. */
void timer_wheel_destroy(void)
{
	struct timer *t;

	if (!wheel)
		return;
	if (wheel->count)
		log_msg(LOG_WARN, "timer: %u timer(s) still pending at wheel destroy",
			wheel->count);
	for (unsigned i = 0; i < WHEEL_SIZE; i++)
		while ((t = wheel->slot[i]))
			timer_unlink(t);
	while ((t = wheel->expired))
		timer_unlink(t);
	free(wheel);
	wheel = NULL;
}
