// SPDX-License-Identifier: MIT
/*
 * SPSC ring on one thread: sizes accepted, FIFO order across the index
 * wrap, a full ring taking only what fits (the caller counts the rest),
 * an empty ring giving nothing, and the count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ring.h"

#define P(i) ((void *)(uintptr_t)(i))

static void test_ring_spsc_create_rejects_bad_sizes(void **state)
{
	struct ring_spsc *r;

	assert_null(ring_spsc_create(0));
	assert_null(ring_spsc_create(1));
	assert_null(ring_spsc_create(3));
	assert_null(ring_spsc_create(1000));
	r = ring_spsc_create(2);
	assert_non_null(r);
	ring_spsc_free(r);
	r = ring_spsc_create(1024);
	assert_non_null(r);
	assert_int_equal(ring_spsc_count(r), 0);
	ring_spsc_free(r);
}

static void test_ring_spsc_empty_dequeue_returns_zero(void **state)
{
	struct ring_spsc *r = ring_spsc_create(8);
	void *out[4];

	assert_int_equal(ring_spsc_dequeue_burst(r, out, 4), 0);
	assert_int_equal(ring_spsc_dequeue_burst(r, out, 0), 0);
	ring_spsc_free(r);
}

static void test_ring_spsc_full_enqueue_returns_partial_count(void **state)
{
	struct ring_spsc *r = ring_spsc_create(8);
	void *in[12], *out[12];

	for (int i = 0; i < 12; i++)
		in[i] = P(i + 1);
	assert_int_equal(ring_spsc_enqueue_burst(r, in, 5), 5);
	assert_int_equal(ring_spsc_enqueue_burst(r, in + 5, 7), 3); /* 8 slots */
	assert_int_equal(ring_spsc_count(r), 8);
	assert_int_equal(ring_spsc_enqueue_burst(r, in + 8, 4), 0);
	assert_int_equal(ring_spsc_dequeue_burst(r, out, 12), 8);
	for (int i = 0; i < 8; i++)
		assert_ptr_equal(out[i], P(i + 1));
	ring_spsc_free(r);
}

static void test_ring_spsc_wraparound_keeps_fifo_order(void **state)
{
	struct ring_spsc *r = ring_spsc_create(16);
	unsigned next_in = 1, next_out = 1;
	void *buf[16];

	/* bursts of 5 in, 3 out, then drain: slot and index wrap many times */
	for (int round = 0; round < 1000; round++) {
		unsigned n;

		for (int i = 0; i < 5; i++)
			buf[i] = P(next_in + (unsigned)i);
		n = ring_spsc_enqueue_burst(r, buf, 5);
		next_in += n;
		n = ring_spsc_dequeue_burst(r, buf, (round % 4) ? 3 : 16);
		for (unsigned i = 0; i < n; i++)
			assert_ptr_equal(buf[i], P(next_out++));
	}
	while (ring_spsc_count(r)) {
		unsigned n = ring_spsc_dequeue_burst(r, buf, 16);
		for (unsigned i = 0; i < n; i++)
			assert_ptr_equal(buf[i], P(next_out++));
	}
	assert_int_equal(next_in, next_out);
	assert_true(next_in > 2000);
	ring_spsc_free(r);
}

static void test_ring_spsc_indices_wrap_at_2_32(void **state)
{
	struct ring_spsc *r = ring_spsc_create(4);
	void *in[3] = { P(1), P(2), P(3) }, *out[3];

	/* as if 2^32 - 2 objects had passed already */
	atomic_store(&r->head, UINT32_MAX - 1);
	atomic_store(&r->tail, UINT32_MAX - 1);
	r->cached_head = r->cached_tail = UINT32_MAX - 1;
	assert_int_equal(ring_spsc_enqueue_burst(r, in, 3), 3);
	assert_int_equal(ring_spsc_count(r), 3);
	assert_int_equal(ring_spsc_dequeue_burst(r, out, 3), 3);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(out[i], in[i]);
	assert_int_equal(ring_spsc_count(r), 0);
	ring_spsc_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_spsc_create_rejects_bad_sizes),
		cmocka_unit_test(test_ring_spsc_empty_dequeue_returns_zero),
		cmocka_unit_test(test_ring_spsc_full_enqueue_returns_partial_count),
		cmocka_unit_test(test_ring_spsc_wraparound_keeps_fifo_order),
		cmocka_unit_test(test_ring_spsc_indices_wrap_at_2_32),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
