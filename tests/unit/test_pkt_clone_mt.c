// SPDX-License-Identifier: MIT
/*
 * Shared packet data across threads (also run under TSan): clones handed
 * to another thread through a ring and freed there while the original is
 * freed here, in whichever order the threads happen to run; a writer on
 * the other thread (pkt_make_writable) never changes what this thread
 * reads; and a thread that clones and frees its original at once leaves
 * the last reference, and the return of both buffers to its cache, to the
 * thread that frees the clone. pkt_in_use() is 0 at the end.
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

#define N 50000
#define LEN 64

struct xfer {
	struct ring_spsc *r;
	unsigned n;
	unsigned bad;		/* packets whose bytes were not what was sent */
};

static void put_u32(uint8_t *d, uint32_t v)
{
	memcpy(d, &v, sizeof(v));
}

static uint32_t get_u32(const uint8_t *d)
{
	uint32_t v;

	memcpy(&v, d, sizeof(v));
	return v;
}

static void send_one(struct ring_spsc *r, struct pkt *p)
{
	while (!ring_spsc_enqueue_burst(r, (void *const *)&p, 1))
		sched_yield();
}

static struct pkt *recv_one(struct ring_spsc *r)
{
	void *p;

	while (!ring_spsc_dequeue_burst(r, &p, 1))
		sched_yield();
	return p;
}

/* Take clones, check their bytes, write through every other one. */
static void *clone_consumer(void *arg)
{
	struct xfer *x = arg;

	for (unsigned i = 0; i < x->n; i++) {
		struct pkt *c = recv_one(x->r), *w;

		if (get_u32(c->data) != i || c->data[LEN - 1] != (uint8_t)i)
			x->bad++;
		pkt_pull(c, 4); /* metadata is the clone's own */
		if (i & 1) {
			w = pkt_make_writable(c);
			if (!w) {
				pkt_free(c);
				continue;
			}
			memset(w->data, 0xff, w->len);
			c = w;
		}
		pkt_free(c);
	}
	return NULL;
}

static void test_pkt_clones_freed_on_another_thread(void **state)
{
	struct xfer x = { ring_spsc_create(64), N, 0 };
	struct pkt *held[16];
	unsigned nheld = 0;
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, clone_consumer, &x), 0);
	for (unsigned i = 0; i < N; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_NET, LEN), *c;

		assert_non_null(p);
		memset(p->data, (uint8_t)i, LEN);
		put_u32(p->data, i);
		c = pkt_clone(p);
		assert_non_null(c);
		send_one(x.r, c);
		/* keep a few originals a while: some are freed before their
		 * clone, some after */
		held[nheld++] = p;
		if (nheld == 16 || (i & 3) == 0) {
			while (nheld) {
				struct pkt *o = held[--nheld];
				uint32_t id = get_u32(o->data);

				/* the other thread's writes went to its copy */
				assert_int_equal(o->data[LEN - 1], (uint8_t)id);
				assert_int_equal(o->len, LEN);
				pkt_free(o);
			}
		}
	}
	while (nheld)
		pkt_free(held[--nheld]);
	pthread_join(th, NULL);
	assert_int_equal(x.bad, 0);
	assert_int_equal(pkt_in_use(), 0);
	ring_spsc_free(x.r);
}

/* Allocate, clone, send the clone, free the original at once. */
static void *clone_producer(void *arg)
{
	struct xfer *x = arg;

	for (unsigned i = 0; i < x->n; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_NET, LEN), *c, *cc;

		if (!p) {
			x->bad++;
			return NULL;
		}
		memset(p->data, (uint8_t)i, LEN);
		put_u32(p->data, i);
		c = pkt_clone(p);
		/* a clone of the clone, freed here too */
		cc = c ? pkt_clone(c) : NULL;
		if (!c || !cc)
			x->bad++;
		pkt_free(p);
		pkt_free(cc);
		if (c)
			send_one(x->r, c);
	}
	return NULL;
}

static void test_pkt_clone_outliving_its_thread_original(void **state)
{
	struct xfer x = { ring_spsc_create(64), N, 0 };
	unsigned got = 0;
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, clone_producer, &x), 0);
	while (got < N) {
		struct pkt *c = recv_one(x.r);

		assert_int_equal(get_u32(c->data), got);
		assert_int_equal(c->data[LEN - 1], (uint8_t)got);
		/* the last reference: the buffers go back to the producer's cache */
		pkt_free(c);
		got++;
	}
	pthread_join(th, NULL);
	assert_int_equal(x.bad, 0);
	assert_int_equal(pkt_in_use(), 0);
	ring_spsc_free(x.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkt_clones_freed_on_another_thread),
		cmocka_unit_test(test_pkt_clone_outliving_its_thread_original),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
