// SPDX-License-Identifier: MIT
/*
 * Packet pools across threads (also run under TSan): packets allocated on
 * one thread and freed on another stay accounted in pkt_in_use, a thread's
 * cache returns to the depot when the thread exits, and concurrent
 * allocators never exceed the pool cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <sched.h>
#include <cmocka.h>

#include "core/pkt.h"
#include "core/pkt_pool.h"
#include "core/ring.h"

#define N 2000

static struct pkt *handoff[N];

static void *alloc_and_exit(void *arg)
{
	for (int i = 0; i < N; i++)
		handoff[i] = pkt_alloc(PKT_HR_LINK, 100);
	return NULL;
}

static void test_pkt_alloc_on_exited_thread_freed_here_is_accounted(void **state)
{
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, alloc_and_exit, NULL), 0);
	pthread_join(th, NULL);
	/* the allocating thread is gone; its share of the count is not */
	assert_int_equal(pkt_in_use(), N);
	for (int i = 0; i < N; i++) {
		assert_non_null(handoff[i]);
		pkt_free(handoff[i]);
	}
	assert_int_equal(pkt_in_use(), 0);
}

static void *churn_and_exit(void *arg)
{
	struct pkt *p[PKT_POOL_CACHE];

	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < PKT_POOL_CACHE; i++)
			p[i] = pkt_alloc(PKT_HR_LINK, 100);
		for (int i = 0; i < PKT_POOL_CACHE; i++)
			pkt_free(p[i]);
	}
	return NULL;
}

static void test_pkt_pool_thread_exit_returns_cache_to_depot(void **state)
{
	pthread_t th;
	unsigned long total;

	assert_int_equal(pthread_create(&th, NULL, churn_and_exit, NULL), 0);
	pthread_join(th, NULL);
	total = pkt_pool_total();
	/* a second thread finds the first one's buffers in the depot */
	assert_int_equal(pthread_create(&th, NULL, churn_and_exit, NULL), 0);
	pthread_join(th, NULL);
	assert_int_equal(pkt_pool_total(), total);
	assert_int_equal(pkt_in_use(), 0);
}

/* Producer allocates, consumer frees, through an SPSC ring: the shape of
 * a veth pair across workers. */
struct xfer {
	struct ring_spsc *r;
	unsigned n;
};

static void *xfer_producer(void *arg)
{
	struct xfer *x = arg;

	for (unsigned i = 0; i < x->n; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_LINK, 64);

		p->data[0] = (uint8_t)i;
		while (!ring_spsc_enqueue_burst(x->r, (void *const *)&p, 1))
			sched_yield();
	}
	return NULL;
}

static void test_pkt_free_on_other_thread_recycles(void **state)
{
	struct xfer x = { ring_spsc_create(64), 100000 };
	pthread_t th;
	unsigned got = 0;

	assert_int_equal(pthread_create(&th, NULL, xfer_producer, &x), 0);
	while (got < x.n) {
		void *objs[32];
		unsigned n = ring_spsc_dequeue_burst(x.r, objs, 32);

		for (unsigned i = 0; i < n; i++, got++) {
			struct pkt *p = objs[i];
			assert_int_equal(p->data[0], (uint8_t)got);
			pkt_free(p);
		}
		if (!n)
			sched_yield();
	}
	pthread_join(th, NULL);
	assert_int_equal(pkt_in_use(), 0);
	/* buffers flowed back through the depot instead of piling up */
	assert_true(pkt_pool_total() < 20000);
	ring_spsc_free(x.r);
}

/* Frees on the consumer go back to the producer's cache (lock-free, in
 * batches): the producer recycles them instead of making new buffers. */
static void test_pkt_remote_frees_return_to_owner(void **state)
{
	struct xfer x = { ring_spsc_create(64), 200000 };
	unsigned long total = pkt_pool_total();
	pthread_t th;
	unsigned got = 0;

	assert_int_equal(pthread_create(&th, NULL, xfer_producer, &x), 0);
	while (got < x.n) {
		void *objs[32];
		unsigned n = ring_spsc_dequeue_burst(x.r, objs, 32);

		for (unsigned i = 0; i < n; i++, got++)
			pkt_free(objs[i]);
		if (!n)
			sched_yield();
	}
	pthread_join(th, NULL);
	assert_int_equal(pkt_in_use(), 0);
	/* ring + a cache + a batch in flight, not one buffer per packet */
	assert_true(pkt_pool_total() - total < 2 * PKT_POOL_CACHE + 64 + 2 * 32 + 64);
	ring_spsc_free(x.r);
}

/* Remote frees travel as magazines (the first buffer of a batch lists
 * the others): every buffer comes back to its owner exactly once, whole
 * batches as soon as they are full, and the owner hands out those very
 * buffers again without making new ones. */
#define MAG_N 1000
#define MAG_BATCH 30 /* PKT_POOL_REMOTE_BATCH */

struct mag_owner {
	pthread_barrier_t bar;
	struct pkt *first[MAG_N], **again; /* again: room for every buffer */
	unsigned long total;
	unsigned got;
};

static void *mag_owner_thread(void *arg)
{
	struct mag_owner *m = arg;

	for (unsigned i = 0; i < MAG_N; i++)
		m->first[i] = pkt_alloc(PKT_HR_LINK, 64);
	pthread_barrier_wait(&m->bar); /* the main thread frees them */
	pthread_barrier_wait(&m->bar);
	m->total = pkt_pool_total();
	m->again = calloc(m->total + 1, sizeof(*m->again));
	/* no new buffer: everything the pool has, the returned ones too */
	pkt_pool_set_limit(m->total);
	while (m->again && (m->again[m->got] = pkt_alloc(PKT_HR_LINK, 64)))
		m->got++;
	pkt_pool_set_limit(PKT_POOL_LIMIT);
	pthread_barrier_wait(&m->bar); /* the main thread checks, then frees */
	pthread_barrier_wait(&m->bar);
	return NULL;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

static void test_pkt_remote_magazines_return_every_buffer_once(void **state)
{
	static struct mag_owner m;
	struct pkt *sorted[MAG_N];
	unsigned held = MAG_N % MAG_BATCH; /* the last, partial batch stays here */
	unsigned in_first = 0;
	pthread_t th;

	m.got = 0;
	assert_int_equal(pthread_barrier_init(&m.bar, NULL, 2), 0);
	assert_int_equal(pthread_create(&th, NULL, mag_owner_thread, &m), 0);
	pthread_barrier_wait(&m.bar);
	for (unsigned i = 0; i < MAG_N; i++) {
		assert_non_null(m.first[i]);
		m.first[i]->data[0] = 0xa5; /* freed buffers are overwritten, not read */
		pkt_free(m.first[i]);
	}
	pthread_barrier_wait(&m.bar);
	pthread_barrier_wait(&m.bar);
	/* every full batch came back (the depot, which earlier tests
	 * filled, adds others), and no buffer was handed out twice */
	assert_non_null(m.again);
	assert_true(m.got >= MAG_N - held);
	assert_int_equal(pkt_pool_total(), m.total);
	memcpy(sorted, m.first, sizeof(sorted));
	qsort(sorted, MAG_N, sizeof(sorted[0]), cmp_ptr);
	qsort(m.again, m.got, sizeof(m.again[0]), cmp_ptr);
	for (unsigned i = 0; i < m.got; i++) {
		in_first += bsearch(&m.again[i], sorted, MAG_N, sizeof(sorted[0]), cmp_ptr) != NULL;
		if (i)
			assert_true(m.again[i] != m.again[i - 1]);
	}
	assert_true(in_first >= MAG_N - held);
	for (unsigned i = 0; i < m.got; i++)
		pkt_free(m.again[i]);
	free(m.again);
	pthread_barrier_wait(&m.bar);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&m.bar);
	assert_int_equal(pkt_in_use(), 0);
}

#define ORPHANS 300

static void *alloc_orphans(void *arg)
{
	struct pkt **p = arg;

	for (unsigned i = 0; i < ORPHANS; i++)
		p[i] = pkt_alloc(PKT_HR_LINK, 64);
	return NULL;
}

/* Buffers freed here for a cache whose thread has exited are not lost:
 * with the cap at the buffers in existence, every one can be had again. */
static void test_pkt_frees_for_exited_thread_are_reused(void **state)
{
	struct pkt *p[ORPHANS], *q[ORPHANS + 1];
	unsigned long limit;
	unsigned got = 0;
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, alloc_orphans, p), 0);
	pthread_join(th, NULL);
	for (unsigned i = 0; i < ORPHANS; i++) {
		assert_non_null(p[i]);
		pkt_free(p[i]);
	}
	assert_int_equal(pkt_in_use(), 0);
	limit = pkt_pool_total();
	assert_true(limit >= ORPHANS);
	pkt_pool_set_limit(limit);
	while (got <= ORPHANS && (q[got] = pkt_alloc(PKT_HR_LINK, 64)))
		got++;
	assert_int_equal(got, ORPHANS + 1 <= limit ? ORPHANS + 1 : limit);
	assert_int_equal(pkt_pool_total(), limit);
	for (unsigned i = 0; i < got; i++)
		pkt_free(q[i]);
	pkt_pool_set_limit(PKT_POOL_LIMIT);
	assert_int_equal(pkt_in_use(), 0);
}

struct capped {
	unsigned got;
	struct pkt *p[600];
};

static void *alloc_until_null(void *arg)
{
	struct capped *c = arg;

	while (c->got < 600 && (c->p[c->got] = pkt_alloc(PKT_HR_LINK, 100)))
		c->got++;
	return NULL;
}

static void test_pkt_pool_cap_holds_under_concurrent_alloc(void **state)
{
	static struct capped c[2];
	unsigned long limit = pkt_pool_total() + 500;
	pthread_t th[2];

	pkt_pool_set_limit(limit);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, alloc_until_null, &c[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_true(pkt_pool_total() <= limit);
	assert_true(c[0].got + c[1].got >= 500); /* the new ones, at least */
	for (int i = 0; i < 2; i++)
		for (unsigned k = 0; k < c[i].got; k++)
			pkt_free(c[i].p[k]);
	pkt_pool_set_limit(PKT_POOL_LIMIT);
	assert_int_equal(pkt_in_use(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkt_alloc_on_exited_thread_freed_here_is_accounted),
		cmocka_unit_test(test_pkt_pool_thread_exit_returns_cache_to_depot),
		cmocka_unit_test(test_pkt_free_on_other_thread_recycles),
		cmocka_unit_test(test_pkt_remote_frees_return_to_owner),
		cmocka_unit_test(test_pkt_remote_magazines_return_every_buffer_once),
		cmocka_unit_test(test_pkt_frees_for_exited_thread_are_reused),
		cmocka_unit_test(test_pkt_pool_cap_holds_under_concurrent_alloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
