// SPDX-License-Identifier: MIT
/*
 * Worker threads, one libev loop each (DESIGN §3). Other threads reach a
 * worker only through two intrusive MPSC queues (Vyukov's algorithm): one of
 * closures (loop_call, the control path) and one of tasks (loop_task_wake,
 * the veth rings' "drain me" flag), plus one ev_async to wake the loop.
 * Pushes from the worker itself skip the ev_async: an ev_prepare watcher
 * drains both queues before the loop blocks, so locally woken work runs
 * without a syscall. Every drain empties the queues (STYLE O3), with a
 * budget per callback so a flood of wake-ups cannot starve the loop's other
 * watchers: leftover work keeps an ev_idle active, and the loop polls
 * without blocking until it is gone.
 *
 * Adaptive polling (as DPDK's and VPP's interrupt/poll switch): a worker
 * that ran a call or task in the last LOOP_POLL_NS keeps its ev_idle
 * active and polls its queues (so a peer's veth ring, through its task)
 * instead of blocking in epoll, and while it polls producers skip the
 * ev_async_send (an eventfd write, then a futex and an IPI on the
 * sleeper's side). The handshake is the classic one, all seq_cst: the
 * consumer sets w->sleeping, looks at the queues once more, then blocks;
 * a producer pushes (seq_cst exchange), then reads w->sleeping and sends
 * only if it is set. Either the producer sees the flag or the consumer
 * sees the node. Once LOOP_POLL_NS pass without work the worker sleeps
 * again, so an idle worker costs no CPU.
 *
 * The timer wheel (timer.c) is thread-local; a one-shot ev_timer set for the
 * wheel's earliest slot in use runs it, and is stopped when no timer is
 * pending, so an idle worker sleeps in epoll. loop_now() is CLOCK_MONOTONIC
 * read at the start of each callback and of each closure or task run in it
 * (libev's ev_now() is wall-clock time, which may jump).
 *
 * Unit tests run without threads: loop_test_attach() turns the calling
 * thread into a fake worker 0 with a fake clock; loop_call() and
 * loop_task_wake() to it just queue, and loop_test_run() runs the queues
 * and steps the clock through every timer expiry up to the time asked.
 */
#include "loop.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compiler.h"
#include "log.h"
#include "timer.h"

/* Closures and tasks run per callback before yielding to other watchers. */
#define LOOP_DRAIN_BUDGET 1024
/* Workers at most: pkt->pool_id is 8 bits, 255 means "not a worker". */
#define LOOP_MAX_WORKERS 254
/* Iterations of loop_test_run() before it gives up on a callback chain
 * that never settles (a timer re-arming itself at "now" forever). */
#define LOOP_TEST_MAX_ITER (1u << 22)
/* A worker keeps polling for this long after its last call or task. */
#define LOOP_POLL_NS 20000u
/* Polling pays only while the worker has its core: when it is preempted
 * often (another thread keeps wanting the core: two preemptions less than
 * LOOP_POLL_PREEMPT_NS apart), looked at most once per LOOP_POLL_CHECK_NS,
 * it blocks instead for LOOP_POLL_BACKOFF_NS. A single preemption (the
 * control thread answering a request, a kernel thread) says nothing about
 * the machine and leaves polling on. */
#define LOOP_POLL_CHECK_NS 1000000u
#define LOOP_POLL_BACKOFF_NS 4000000u
#define LOOP_POLL_PREEMPT_NS 10000000u
/* Queue checks per idle callback while polling, with a pause between
 * them, before the loop looks at its fds (a zero-timeout epoll_wait). */
#define LOOP_POLL_SPIN 64

/* A loop_call() closure. Heap-allocated for loop_call(); on the caller's
 * stack, with a completion, for loop_call_sync(). */
struct loop_closure {
	struct mpsc_node node;
	loop_call_fn fn;
	void *arg;
	struct loop_sync *sync;
};

struct loop_sync {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_bool done; /* set under lock; loop_call_wait spins on it first */
};

struct worker {
	/* Owner-only state, then each queue on its own cache lines: producers
	 * on other cores write the queues' heads, not the loop's state. */
	struct ev_loop *loop;
	ev_async async;
	ev_prepare prepare;
	ev_idle idle;		/* active while work is left over or recent (polling) */
	ev_check check;
	ev_timer tick;
	uint64_t now;		/* loop time (ns), or the fake clock in test mode */
	uint64_t last_work;	/* loop time of the last drain that ran something */
	uint64_t poll_check;	/* when preemptions were last counted */
	uint64_t poll_off_until; /* no polling before this (a busy machine) */
	uint64_t last_preempt;	/* poll_check time a preemption was last seen */
	long nivcsw;		/* involuntary context switches at poll_check */
	struct loop_stats stats;
	unsigned id;
	bool test;		/* loop_test_attach's fake worker: no thread, no loop */
	pthread_t thread;

	struct mpsc_queue calls __cacheline_aligned;
	struct mpsc_queue tasks __cacheline_aligned;
	/* Set by the worker just before it blocks, cleared once it woke:
	 * producers (who write this line anyway) send a wake-up only when
	 * it is set. */
	atomic_bool sleeping;
} __cacheline_aligned;

static struct worker **workers;
static unsigned nworkers;
/* The calling thread's worker; loop.h reads it inline (loop_current). */
_Thread_local struct worker *loop_tl_current;

/* ---------------- MPSC queue (Vyukov, intrusive, with stub) ---------------- */

void mpsc_init(struct mpsc_queue *q)
{
	atomic_store_explicit(&q->stub.next, NULL, memory_order_relaxed);
	atomic_store_explicit(&q->head, &q->stub, memory_order_relaxed);
	q->tail = &q->stub;
}

/* Wait-free: one exchange publishes the node as the new head, then the
 * old head is linked to it. Between the two a consumer sees the chain
 * broken (mpsc_pop returns NULL); the producer's wake-up follows its link. */
void mpsc_push(struct mpsc_queue *q, struct mpsc_node *n)
{
	struct mpsc_node *prev;

	atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
	/* seq_cst: ordered before the producer's read of w->sleeping. */
	prev = atomic_exchange_explicit(&q->head, n, memory_order_seq_cst);
	atomic_store_explicit(&prev->next, n, memory_order_release);
}

struct mpsc_node *mpsc_pop(struct mpsc_queue *q)
{
	struct mpsc_node *tail = q->tail;
	struct mpsc_node *next = atomic_load_explicit(&tail->next, memory_order_acquire);
	struct mpsc_node *head;

	if (tail == &q->stub) {
		if (!next)
			return NULL;
		q->tail = next;
		tail = next;
		next = atomic_load_explicit(&tail->next, memory_order_acquire);
	}
	if (next) {
		q->tail = next;
		return tail;
	}
	head = atomic_load_explicit(&q->head, memory_order_acquire);
	/* A producer swapped the head but has not linked yet. */
	if (tail != head)
		return NULL;
	/* tail is the last node: put the stub behind it so it can leave. */
	mpsc_push(q, &q->stub);
	next = atomic_load_explicit(&tail->next, memory_order_acquire);
	if (next) {
		q->tail = next;
		return tail;
	}
	return NULL;
}

/* Consumer side: true if nothing is queued, and no producer is between
 * its exchange and its link: head == tail == stub. (tail is the next node
 * mpsc_pop returns: a real node there is still queued, even when it is
 * also the head, as after a drain that stopped at its budget.) */
static inline bool mpsc_idle(struct mpsc_queue *q)
{
	return q->tail == &q->stub &&
	       atomic_load_explicit(&q->head, memory_order_acquire) == &q->stub;
}

/* The same, ordered after the consumer's store to w->sleeping. */
static inline bool mpsc_idle_sc(struct mpsc_queue *q)
{
	return q->tail == &q->stub &&
	       atomic_load_explicit(&q->head, memory_order_seq_cst) == &q->stub;
}

/* ---------------- running closures and tasks ---------------- */

static uint64_t loop_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void loop_run_closure(struct worker *w, struct mpsc_node *n)
{
	struct loop_closure *c = container_of(n, struct loop_closure, node);
	struct loop_sync *s = c->sync;

	c->fn(c->arg);
	w->stats.calls++;
	if (!s) {
		free(c);
		return;
	}
	/* c lives on the waiter's stack: not touched after the signal. */
	pthread_mutex_lock(&s->lock);
	atomic_store_explicit(&s->done, true, memory_order_release);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void loop_run_task(struct worker *w, struct mpsc_node *n)
{
	struct loop_task *t = container_of(n, struct loop_task, node);

	/* Cleared before fn runs: a wake-up during fn queues the task again,
	 * so data that arrives while fn drains is never left behind. */
	atomic_store(&t->queued, false);
	t->fn(t->arg);
	w->stats.tasks++;
}

/*
 * Run queued closures and tasks until both queues are empty or @budget
 * items ran. Returns the number run; *more says whether anything is left
 * (including a producer caught between its exchange and its link, whose
 * node the next drain will see).
 */
static unsigned loop_drain(struct worker *w, unsigned budget, bool *more)
{
	unsigned done = 0;

	while (done < budget) {
		struct mpsc_node *c = mpsc_pop(&w->calls);
		struct mpsc_node *t = c ? NULL : mpsc_pop(&w->tasks);

		/* A drain of a busy worker (tasks that wake each other, as a
		 * TCP transfer's backlog and veth tasks do) lasts up to a
		 * budget of 1024 runs, a second or more: each run reads the
		 * clock anew, or timers armed from loop_now() in the later
		 * ones (TCP's RTO, restarted on every ACK) would count from
		 * the drain's start and expire early. Not on the fake test
		 * worker, whose clock only loop_test_run moves. */
		if (done && !w->test)
			w->now = loop_mono_ns();
		if (c)
			loop_run_closure(w, c);
		else if (t)
			loop_run_task(w, t);
		else
			break;
		done++;
	}
	*more = !mpsc_idle(&w->calls) || !mpsc_idle(&w->tasks);
	return done;
}

/* ---------------- worker threads ---------------- */

static inline bool loop_queued(struct worker *w)
{
	return !mpsc_idle(&w->calls) || !mpsc_idle(&w->tasks);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

static void loop_drain_cb(struct worker *w)
{
	uint64_t t0 = loop_mono_ns(), t1;
	unsigned done;
	bool more;

	w->now = t0;
	done = loop_drain(w, LOOP_DRAIN_BUDGET, &more);
	t1 = loop_mono_ns();
	/* The polling period counts from the end of the work. */
	if (done)
		w->last_work = t1;
	/* Left over (budget spent, or a producer mid-push), or work done
	 * just now: keep the loop from blocking. loop_idle_cb stops the
	 * idle watcher once the queues stayed empty for LOOP_POLL_NS. */
	if ((more || (done && t1 >= w->poll_off_until)) && !ev_is_active(&w->idle))
		ev_idle_start(w->loop, &w->idle);
	w->stats.busy_ns += t1 - t0;
}

static void loop_async_cb(struct ev_loop *l, ev_async *a, int revents)
{
	loop_drain_cb(container_of(a, struct worker, async));
}

/*
 * Polling: look at the queues a few times (a pause between looks, no
 * system call) and drain them as soon as something arrives; after
 * LOOP_POLL_NS without work, stop, and the next prepare puts the worker
 * to sleep.
 */
static void loop_idle_cb(struct ev_loop *l, ev_idle *i, int revents)
{
	struct worker *w = container_of(i, struct worker, idle);
	uint64_t now;

	for (unsigned spin = 0; spin < LOOP_POLL_SPIN; spin++) {
		if (loop_queued(w)) {
			loop_drain_cb(w);
			return;
		}
		/* Not polling (a busy machine): the queues are empty,
		 * block at once. */
		if (!spin && w->poll_off_until && loop_mono_ns() < w->poll_off_until)
			break;
		cpu_relax();
	}
	/* No sched_yield() here: on a busy machine it hands the core to
	 * another process for a whole time slice (measured: ping RTTs of
	 * milliseconds across workers), where a wake-up would have been
	 * served at once. */
	now = loop_mono_ns();
	if (now - w->last_work >= LOOP_POLL_NS || now < w->poll_off_until)
		ev_idle_stop(l, i);
}

/*
 * About to block: if the thread is preempted often (the machine has more
 * runnable threads than cores), stop polling for a while. A spinning
 * worker would then hold a core its peer (whose output it waits for) or
 * another process needs, where blocking hands the core over at once and
 * the wake-up is served promptly. One preemption alone does not count: on
 * a machine with as many cores as workers, the control thread's every
 * request preempts a worker, and switching polling off for it would turn
 * each of the next LOOP_POLL_BACKOFF_NS's hand-offs between workers into
 * a sleep and a wake-up. One getrusage() per LOOP_POLL_CHECK_NS at most,
 * and only when going to sleep.
 */
static void loop_poll_check(struct worker *w)
{
	uint64_t now = loop_mono_ns();
	struct rusage ru;
	long d;

	if (now - w->poll_check < LOOP_POLL_CHECK_NS || getrusage(RUSAGE_THREAD, &ru))
		return;
	d = ru.ru_nivcsw - w->nivcsw;
	if (d > 0 && w->poll_check) {
		/* several since a recent look, or one soon after another */
		if ((d >= 2 && now - w->poll_check < LOOP_POLL_PREEMPT_NS) ||
		    (w->last_preempt && now - w->last_preempt < LOOP_POLL_PREEMPT_NS))
			w->poll_off_until = now + LOOP_POLL_BACKOFF_NS;
		w->last_preempt = now;
	}
	w->nivcsw = ru.ru_nivcsw;
	w->poll_check = now;
}

/* After every poll: the worker is awake, producers need not wake it. The
 * line is written only when the flag was set (once per sleep). */
static void loop_check_cb(struct ev_loop *l, ev_check *c, int revents)
{
	struct worker *w = container_of(c, struct worker, check);

	if (atomic_load_explicit(&w->sleeping, memory_order_relaxed))
		atomic_store_explicit(&w->sleeping, false, memory_order_relaxed);
}

/*
 * Sleep until the earliest wheel slot in use. The ev_timer is one-shot:
 * after it fires (or when a timer is armed earlier than it was set for)
 * the next prepare sets it again, so a worker whose timers are seconds
 * away sleeps for as long as it can, and one without timers not at all.
 */
static void loop_timer_arm(struct worker *w)
{
	uint64_t wake = timer_next_wake(), now = loop_mono_ns();

	/* libev counts the delay from its cached monotonic time: refresh it
	 * after reading ours, so that it is not earlier and the timer cannot
	 * fire before @wake. */
	ev_now_update(w->loop);
	ev_timer_stop(w->loop, &w->tick);
	ev_timer_set(&w->tick, wake > now ? (double)(wake - now) / NSEC_PER_SEC : 0., 0.);
	ev_timer_start(w->loop, &w->tick);
}

/* Before every poll: run what this worker queued for itself; if it is
 * not polling, advertise that it is about to sleep and look at the queues
 * once more (a producer that pushed before it could see the flag is seen
 * here); arm the timer wheel's wake-up only while there are timers. */
static void loop_prepare_cb(struct ev_loop *l, ev_prepare *p, int revents)
{
	struct worker *w = container_of(p, struct worker, prepare);

	if (loop_queued(w))
		loop_drain_cb(w);
	if (!ev_is_active(&w->idle)) {
		loop_poll_check(w);
		atomic_store_explicit(&w->sleeping, true, memory_order_seq_cst);
		if (!mpsc_idle_sc(&w->calls) || !mpsc_idle_sc(&w->tasks)) {
			atomic_store_explicit(&w->sleeping, false, memory_order_relaxed);
			loop_drain_cb(w);
			/* A producer caught mid-push left nothing to run:
			 * poll until its node is linked. */
			if (!ev_is_active(&w->idle))
				ev_idle_start(l, &w->idle);
		}
	}
	if (timer_count()) {
		if (!ev_is_active(&w->tick) || timer_wake_changed())
			loop_timer_arm(w);
	} else if (ev_is_active(&w->tick)) {
		ev_timer_stop(l, &w->tick);
	}
}

static void loop_tick_cb(struct ev_loop *l, ev_timer *t, int revents)
{
	struct worker *w = container_of(t, struct worker, tick);
	uint64_t t0 = loop_mono_ns();

	w->now = t0;
	timer_run(t0);
	w->stats.busy_ns += loop_mono_ns() - t0;
}

static void loop_stop_fn(void *arg)
{
	struct worker *w = arg;

	ev_break(w->loop, EVBREAK_ALL);
}

static void *loop_thread(void *arg)
{
	struct worker *w = arg;
	char name[16];
	bool more;

	snprintf(name, sizeof(name), "nsemu-w%u", w->id);
	pthread_setname_np(pthread_self(), name);
	loop_tl_current = w;
	w->now = loop_mono_ns();
	timer_wheel_init(w->now);
	ev_run(w->loop, 0);
	/* Closures posted before the stop have run (FIFO); run any that
	 * arrived since, so no message is lost in shutdown. */
	do {
		w->now = loop_mono_ns();
	} while (loop_drain(w, UINT32_MAX, &more) || more);
	timer_wheel_destroy();
	loop_tl_current = NULL;
	return NULL;
}

static struct worker *loop_worker_new(unsigned id, bool test)
{
	struct worker *w = aligned_alloc(CACHELINE, sizeof(struct worker));

	if (!w)
		return NULL;
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->test = test;
	mpsc_init(&w->calls);
	mpsc_init(&w->tasks);
	atomic_init(&w->sleeping, false);
	if (test)
		return w;
	w->loop = ev_loop_new(EVFLAG_AUTO);
	if (!w->loop) {
		free(w);
		return NULL;
	}
	ev_async_init(&w->async, loop_async_cb);
	ev_async_start(w->loop, &w->async);
	ev_prepare_init(&w->prepare, loop_prepare_cb);
	ev_prepare_start(w->loop, &w->prepare);
	ev_idle_init(&w->idle, loop_idle_cb);
	ev_check_init(&w->check, loop_check_cb);
	ev_check_start(w->loop, &w->check);
	ev_init(&w->tick, loop_tick_cb);
	return w;
}

/* Free a worker whose thread is gone (or never ran). Anything still
 * queued could only have been posted after its final drain: it is
 * reported, and the closures' memory released. */
static void loop_worker_free(struct worker *w)
{
	struct mpsc_node *n;
	unsigned lost = 0;

	while ((n = mpsc_pop(&w->calls))) {
		struct loop_closure *c = container_of(n, struct loop_closure, node);

		if (!c->sync)
			free(c);
		lost++;
	}
	while ((n = mpsc_pop(&w->tasks)))
		lost++;
	if (lost)
		log_msg(LOG_WARN, "worker %u: %u call(s)/task(s) posted after shutdown dropped",
			w->id, lost);
	if (w->loop)
		ev_loop_destroy(w->loop);
	free(w);
}

int loop_init(unsigned n)
{
	unsigned started = 0;
	int err = 0;

	if (workers)
		return -EALREADY;
	if (n == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = cpus > 0 ? (unsigned)cpus : 1;
	}
	if (n > LOOP_MAX_WORKERS)
		n = LOOP_MAX_WORKERS;
	workers = calloc(n, sizeof(*workers));
	if (!workers)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		workers[i] = loop_worker_new(i, false);
		if (!workers[i]) {
			err = -ENOMEM;
			break;
		}
	}
	nworkers = n;
	for (unsigned i = 0; !err && i < n; i++) {
		int rc = pthread_create(&workers[i]->thread, NULL, loop_thread, workers[i]);

		if (rc) {
			err = -rc;
			break;
		}
		started++;
	}
	if (!err)
		return 0;
	log_msg(LOG_ERR, "loop_init: cannot start %u workers: %s", n, strerror(-err));
	/* Unwind: stop what started, free the rest. */
	for (unsigned i = 0; i < started; i++)
		loop_call(workers[i], loop_stop_fn, workers[i]);
	for (unsigned i = 0; i < started; i++)
		pthread_join(workers[i]->thread, NULL);
	for (unsigned i = 0; i < n; i++)
		if (workers[i])
			loop_worker_free(workers[i]);
	free(workers);
	workers = NULL;
	nworkers = 0;
	return err;
}

/* The stop closure queues behind everything already posted, so pending
 * calls run first (loop.h); each thread then drains what came later. */
void loop_shutdown(void)
{
	if (!workers)
		return;
	if (workers[0]->test) {
		loop_test_detach();
		return;
	}
	for (unsigned i = 0; i < nworkers; i++)
		loop_call(workers[i], loop_stop_fn, workers[i]);
	for (unsigned i = 0; i < nworkers; i++)
		pthread_join(workers[i]->thread, NULL);
	for (unsigned i = 0; i < nworkers; i++)
		loop_worker_free(workers[i]);
	free(workers);
	workers = NULL;
	nworkers = 0;
}

unsigned loop_nworkers(void)
{
	return nworkers;
}

struct worker *loop_worker(unsigned i)
{
	return i < nworkers ? workers[i] : NULL;
}

unsigned loop_worker_id(const struct worker *w)
{
	return w->id;
}

uint64_t loop_now(void)
{
	struct worker *w = loop_tl_current;

	return w ? w->now : loop_mono_ns();
}

uint64_t loop_clock(void)
{
	struct worker *w = loop_tl_current;

	return w && w->test ? w->now : loop_mono_ns();
}

struct ev_loop *loop_ev(struct worker *w)
{
	return w->loop;
}

struct loop_stats *loop_stats(struct worker *w)
{
	return &w->stats;
}

/* Wake @w after a push, unless it is the caller (its prepare watcher
 * drains before blocking), the fake test worker (loop_test_run does), or
 * awake (polling or running: it sees the push before it sleeps). */
static inline void loop_kick(struct worker *w)
{
	if (!w->test && w != loop_tl_current &&
	    atomic_load_explicit(&w->sleeping, memory_order_seq_cst))
		ev_async_send(w->loop, &w->async);
}

void loop_call(struct worker *w, loop_call_fn fn, void *arg)
{
	struct loop_closure *c = malloc(sizeof(*c));

	/* The control path has no way to report this, and losing a message
	 * would leave its sender waiting for ever. */
	if (!c) {
		log_msg(LOG_ERR, "loop_call: out of memory");
		abort();
	}
	c->fn = fn;
	c->arg = arg;
	c->sync = NULL;
	mpsc_push(&w->calls, &c->node);
	loop_kick(w);
}

void loop_call_sync(struct worker *w, loop_call_fn fn, void *arg)
{
	struct loop_sync s = { .done = false };
	struct loop_closure c = { .fn = fn, .arg = arg, .sync = &s };

	if (loop_tl_current == w) {
		fn(arg);
		return;
	}
	/* From another worker this could deadlock (two workers waiting on
	 * each other); a fake test worker only runs from loop_test_run. */
	assert(!loop_tl_current && !w->test);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	mpsc_push(&w->calls, &c.node);
	loop_kick(w);
	pthread_mutex_lock(&s.lock);
	while (!s.done)
		pthread_cond_wait(&s.cond, &s.lock);
	pthread_mutex_unlock(&s.lock);
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);
}

/* How long loop_call_wait spins before it sleeps: a few wake-ups' worth. */
#define LOOP_WAIT_SPIN_NS 50000L

void loop_call_wait(struct worker *w, loop_call_fn fn, void *arg)
{
	struct loop_sync s = { .done = false };
	struct loop_closure c = { .fn = fn, .arg = arg, .sync = &s };
	struct timespec t0, t;

	if (loop_tl_current == w) {
		fn(arg);
		return;
	}
	loop_post_flush();
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	mpsc_push(&w->calls, &c.node);
	loop_kick(w);
	/* A short spin saves this thread's futex sleep and wake-up. The lock
	 * is still taken below, so the closure's runner is out of it before
	 * the mutex goes. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned spin = 1; !atomic_load_explicit(&s.done, memory_order_acquire); spin++) {
		cpu_relax();
		if (spin % 64)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t); /* vDSO: no system call */
		if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) >
		    LOOP_WAIT_SPIN_NS)
			break;
	}
	pthread_mutex_lock(&s.lock);
	while (!atomic_load_explicit(&s.done, memory_order_acquire))
		pthread_cond_wait(&s.cond, &s.lock);
	pthread_mutex_unlock(&s.lock);
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);
}

/* ---------------- held messages (loop_post) ---------------- */

struct loop_held {
	struct worker *w; /* NULL once sent */
	loop_call_fn fn;
	void *arg;
};

static _Thread_local struct loop_held loop_held[LOOP_POST_BATCH];
static _Thread_local unsigned loop_held_n;
static _Thread_local bool loop_holding;

struct loop_held_batch {
	unsigned n;
	struct {
		loop_call_fn fn;
		void *arg;
	} m[];
};

static void loop_held_batch_fn(void *arg)
{
	struct loop_held_batch *b = arg;

	for (unsigned i = 0; i < b->n; i++)
		b->m[i].fn(b->m[i].arg);
	free(b);
}

void loop_post_hold(void)
{
	loop_holding = true;
}

/* Send what is held: one closure per worker, messages in order. */
void loop_post_flush(void)
{
	for (unsigned i = 0; i < loop_held_n; i++) {
		struct worker *w = loop_held[i].w;
		struct loop_held_batch *b;
		unsigned n = 0;

		if (!w)
			continue;
		for (unsigned j = i; j < loop_held_n; j++)
			n += loop_held[j].w == w;
		b = n > 1 ? malloc(sizeof(*b) + n * sizeof(b->m[0])) : NULL;
		if (b)
			b->n = 0;
		for (unsigned j = i; j < loop_held_n; j++) {
			if (loop_held[j].w != w)
				continue;
			if (b) {
				b->m[b->n].fn = loop_held[j].fn;
				b->m[b->n++].arg = loop_held[j].arg;
			} else {
				/* one message, or no memory for the batch:
				 * one closure each, still in order */
				loop_call(w, loop_held[j].fn, loop_held[j].arg);
			}
			loop_held[j].w = NULL;
		}
		if (b)
			loop_call(w, loop_held_batch_fn, b);
	}
	loop_held_n = 0;
}

void loop_post_release(void)
{
	loop_post_flush();
	loop_holding = false;
}

void loop_post(struct worker *w, loop_call_fn fn, void *arg)
{
	if (!loop_holding || w == loop_tl_current) {
		loop_call(w, fn, arg);
		return;
	}
	loop_held[loop_held_n++] = (struct loop_held){ w, fn, arg };
	if (loop_held_n == LOOP_POST_BATCH)
		loop_post_flush();
}

void loop_task_init(struct loop_task *t, loop_call_fn fn, void *arg)
{
	atomic_store_explicit(&t->node.next, NULL, memory_order_relaxed);
	atomic_store(&t->queued, false);
	t->fn = fn;
	t->arg = arg;
}

void loop_task_wake(struct worker *w, struct loop_task *t)
{
	/* One exchange when already queued: wake-ups coalesce like
	 * ev_async_send, and the task is in the queue at most once. */
	if (atomic_exchange(&t->queued, true))
		return;
	mpsc_push(&w->tasks, &t->node);
	loop_kick(w);
}

/* ---------------- unit-test mode ---------------- */

void loop_test_attach(uint64_t now)
{
	struct worker *w = loop_tl_current;

	if (w && w->test) {
		/* Attached again (a fixture's per-test setup): restart the
		 * clock; pending timers are re-based onto it. */
		w->now = now;
		timer_wheel_init(now);
		return;
	}
	assert(!workers && "loop_test_attach with real workers running");
	workers = calloc(1, sizeof(*workers));
	w = workers ? loop_worker_new(0, true) : NULL;
	if (!w) {
		log_msg(LOG_ERR, "loop_test_attach: out of memory");
		abort();
	}
	workers[0] = w;
	nworkers = 1;
	w->now = now;
	loop_tl_current = w;
	timer_wheel_init(now);
}

void loop_test_run(uint64_t now)
{
	struct worker *w = loop_tl_current;
	uint64_t target;

	assert(w && w->test);
	target = MAX(now, w->now);
	/*
	 * Step the clock from expiry to expiry rather than jumping straight to
	 * @now: a periodic timer that re-arms at loop_now() + period then
	 * fires as often as it would have in real time, and every callback
	 * sees the time it would have run at.
	 */
	for (unsigned iter = 0; iter < LOOP_TEST_MAX_ITER; iter++) {
		uint64_t next;
		bool more;

		timer_run(w->now);
		if (loop_drain(w, UINT32_MAX, &more) || more)
			continue;
		next = timer_next_expiry();
		if (next <= w->now)
			continue; /* re-armed for "now" by a callback */
		if (w->now >= target)
			return;
		w->now = MIN(next, target);
	}
	log_msg(LOG_ERR, "loop_test_run: callbacks keep re-arming; giving up at %llu ns",
		(unsigned long long)w->now);
}

void loop_test_detach(void)
{
	struct worker *w = loop_tl_current;

	if (!w || !w->test)
		return;
	loop_test_run(w->now);
	timer_wheel_destroy();
	loop_tl_current = NULL;
	workers[0] = NULL;
	free(workers);
	workers = NULL;
	nworkers = 0;
	loop_worker_free(w);
}
