/* SPDX-License-Identifier: MIT */
/*
 * Worker threads. Each worker runs one libev loop and owns a set of
 * namespaces. Other threads reach a worker only through:
 *   - loop_call():      an MPSC queue of closures plus one ev_async wake-up;
 *   - loop_task_wake(): an intrusive "run this task soon" flag, used by the
 *                       veth rings so one wake-up covers a whole batch.
 * The control thread (CLI, control socket) is not a worker; it uses
 * loop_call_sync() to run a function on a worker and wait for it.
 *
 * Unit tests need no threads: loop_test_attach() makes the calling thread
 * behave as worker 0 (loop_current() returns it, timers and tasks run when
 * the test calls loop_test_run()).
 */
#ifndef NSEMU_CORE_LOOP_H
#define NSEMU_CORE_LOOP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct worker;
struct ev_loop;

typedef void (*loop_call_fn)(void *arg);

/* An intrusive node for the lock-free MPSC queue (Vyukov). */
struct mpsc_node {
	_Atomic(struct mpsc_node *) next;
};

/*
 * A task a worker runs "soon": its fn is called on the worker once per
 * wake-up, however many times loop_task_wake() was called before it ran
 * (libev-style coalescing). fn must drain its source fully (STYLE O3).
 */
struct loop_task {
	struct mpsc_node node;
	atomic_bool queued;
	loop_call_fn fn;
	void *arg;
};

/* Create @n workers (0 = number of CPUs) and start their threads. */
int loop_init(unsigned n);
/* Stop and join every worker; pending calls are run first. */
void loop_shutdown(void);

unsigned loop_nworkers(void);
struct worker *loop_worker(unsigned i);
unsigned loop_worker_id(const struct worker *w);
/* The worker the calling thread is, or NULL on a non-worker thread.
 * Inline: every owner assertion and packet allocation asks. */
extern _Thread_local struct worker *loop_tl_current;
static inline struct worker *loop_current(void)
{
	return loop_tl_current;
}

/* Run fn(arg) on @w, asynchronously. Any thread. Ownership of arg passes to w. */
void loop_call(struct worker *w, loop_call_fn fn, void *arg);
/* Run fn(arg) on @w and wait until it returned. From a non-worker thread, or
 * from @w itself (runs inline). Never from another worker (deadlock risk). */
void loop_call_sync(struct worker *w, loop_call_fn fn, void *arg);
/*
 * Run fn(arg) on @w and wait, from any thread, another worker included: the
 * caller guarantees that no cycle of such waits can form (rtnl: only the
 * holder of the control lock starts the runs that wait, and a run waits only
 * on workers whose queued work cannot wait on it). On @w itself fn runs
 * inline. Anything this thread holds (loop_post) for other workers is sent
 * first. The answer usually comes within microseconds, so the caller spins
 * for a few wake-ups' worth before it sleeps on a condition variable.
 */
void loop_call_wait(struct worker *w, loop_call_fn fn, void *arg);

/*
 * Held messages. Between loop_post_hold() and loop_post_release(),
 * loop_post() on this thread keeps messages for other workers and sends
 * them, one closure per worker carrying that worker's messages in order,
 * at loop_post_flush(), loop_post_release(), loop_call_wait(), or when
 * LOOP_POST_BATCH are held. Each worker's queue is FIFO and every held
 * message goes out before this thread next waits on anyone, so no worker
 * can tell the difference: it costs one wake-up per batch instead of one per
 * message. Outside a hold, or toward the calling worker itself, loop_post
 * is loop_call. Ownership of arg passes as with loop_call.
 */
#define LOOP_POST_BATCH 16
void loop_post_hold(void);
void loop_post(struct worker *w, loop_call_fn fn, void *arg);
void loop_post_flush(void);
void loop_post_release(void);

void loop_task_init(struct loop_task *t, loop_call_fn fn, void *arg);
/* Ask @w to run @t soon. Any thread; cheap when already queued (one atomic). */
void loop_task_wake(struct worker *w, struct loop_task *t);

/* The libev loop of @w, for watchers a driver registers on it (a TAP's
 * ev_io). Start and stop them only on @w itself (loop_call). NULL for the
 * fake test worker, which has no loop: callers then poll by hand. */
struct ev_loop *loop_ev(struct worker *w);

/* Loop time in nanoseconds (monotonic), read at the start of each callback,
 * closure and task run, and cached within it. */
uint64_t loop_now(void);
/* The monotonic clock read now (what a program's gettimeofday around a
 * send and a receive sees): for time stamps that measure the emulator's
 * own latency (ping's and traceroute's RTTs), which loop_now's cache would
 * round to a run. The fake test worker's clock in tests. */
uint64_t loop_clock(void);

/* Per-worker statistics shown by `show threads`. */
struct loop_stats {
	uint64_t calls;	       /* loop_call closures run */
	uint64_t tasks;	       /* loop_task runs */
	uint64_t pkts;	       /* packets processed (counted by netns/core/dev.c) */
	uint64_t busy_ns;      /* time spent in callbacks */
};
struct loop_stats *loop_stats(struct worker *w); /* owner writes, snapshot via loop_call_sync */

/* --- unit-test support (no threads) --- */
/* Make the calling thread act as a single worker with a fake clock at @now. */
void loop_test_attach(uint64_t now);
void loop_test_detach(void);
/* Advance the fake clock to @now, fire due timers, run pending tasks and
 * calls until nothing is left. */
void loop_test_run(uint64_t now);

/* --- MPSC queue (exported for rings/tests) --- */
struct mpsc_queue {
	_Atomic(struct mpsc_node *) head; /* producers push here */
	struct mpsc_node *tail;		   /* consumer pops here */
	struct mpsc_node stub;
};
void mpsc_init(struct mpsc_queue *q);
void mpsc_push(struct mpsc_queue *q, struct mpsc_node *n); /* any thread */
struct mpsc_node *mpsc_pop(struct mpsc_queue *q);	   /* consumer only; NULL if empty */

#endif
