/* SPDX-License-Identifier: MIT */
/*
 * Timer wheel, one per worker (thread-local). Timers are armed and cancelled
 * on the owner thread only; callbacks run on that thread from the loop.
 * Resolution is TIMER_TICK_NS; a timer fires no earlier than its expiry.
 */
#ifndef NSEMU_CORE_TIMER_H
#define NSEMU_CORE_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_TICK_NS 1000000ull /* 1 ms */
#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull

struct timer;
typedef void (*timer_fn)(struct timer *t);

struct timer {
	struct timer *next, **pprev; /* wheel slot list; pprev NULL when idle */
	uint64_t expires;	     /* absolute loop time, ns */
	timer_fn fn;
};

void timer_init(struct timer *t, timer_fn fn);
/* Arm (or re-arm) @t to fire at absolute time @expires (ns). */
void timer_mod(struct timer *t, uint64_t expires);
/* Cancel @t; no-op if idle. */
void timer_del(struct timer *t);
static inline bool timer_pending(const struct timer *t)
{
	return t->pprev != 0;
}

/* Thread's wheel: create/destroy (loop.c does it per worker), run due
 * timers at @now, count pending timers, time of the earliest slot in use. */
void timer_wheel_init(uint64_t now);
void timer_wheel_destroy(void);
void timer_run(uint64_t now);
unsigned timer_count(void);
/* Earliest expiry among this thread's pending timers, UINT64_MAX if none.
 * Scans every timer: for tests, not per packet. */
uint64_t timer_next_expiry(void);
/* For the loop's sleep: the time (ns) of the earliest wheel slot in use, a
 * lower bound of the next expiry (UINT64_MAX if no timer), remembered by the
 * wheel; timer_wake_changed() then says whether a timer was armed earlier
 * than that since. */
uint64_t timer_next_wake(void);
bool timer_wake_changed(void);

#endif
