// SPDX-License-Identifier: MIT
/*
 * SPSC ring across two threads (also run under TSan): a producer pushes
 * 1,000,000 sequence numbers in bursts of varying size into a small ring,
 * the consumer checks that every one arrives, once, in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>
#include <sched.h>
#include <cmocka.h>

#include "core/ring.h"

#define NSEQ 1000000u

struct ring_test {
	struct ring_spsc *r;
	unsigned long full_retries;
};

static void *producer(void *arg)
{
	struct ring_test *rt = arg;
	uintptr_t next = 1;
	void *burst[32];

	while (next <= NSEQ) {
		unsigned want = 1 + (unsigned)(next % 32), n = 0;

		if (next + want - 1 > NSEQ)
			want = (unsigned)(NSEQ - next + 1);
		for (unsigned i = 0; i < want; i++)
			burst[i] = (void *)(next + i);
		/* push the rest of the burst until it all fits */
		while (n < want) {
			unsigned k = ring_spsc_enqueue_burst(rt->r, burst + n, want - n);
			if (!k) {
				rt->full_retries++;
				sched_yield();
			}
			n += k;
		}
		next += want;
	}
	return NULL;
}

static void test_ring_spsc_mt_million_in_order_no_loss(void **state)
{
	struct ring_test rt = { .r = ring_spsc_create(256) };
	pthread_t th;
	uintptr_t expect = 1;
	void *out[64];

	assert_non_null(rt.r);
	assert_int_equal(pthread_create(&th, NULL, producer, &rt), 0);
	while (expect <= NSEQ) {
		unsigned n = ring_spsc_dequeue_burst(rt.r, out, 1 + (unsigned)(expect % 64));

		if (!n) {
			sched_yield();
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			if ((uintptr_t)out[i] != expect)
				fail_msg("got %lu, expected %lu", (unsigned long)(uintptr_t)out[i],
					 (unsigned long)expect);
			expect++;
		}
	}
	pthread_join(th, NULL);
	assert_int_equal(expect, NSEQ + 1);
	assert_int_equal(ring_spsc_count(rt.r), 0);
	ring_spsc_free(rt.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_spsc_mt_million_in_order_no_loss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
