// SPDX-License-Identifier: MIT
/*
 * Packet buffers: what pkt_alloc hands out (offsets, reset metadata),
 * PKT_F_LARGE buffers, pkt_copy, leak accounting by pkt_in_use, recycling
 * through the thread cache and the depot, and the pool cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/pkt.h"
#include "core/pkt_pool.h"

static void test_pkt_alloc_sets_headroom_len_and_offsets(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, 100);

	assert_non_null(p);
	assert_int_equal(pkt_headroom(p), PKT_HR_NET);
	assert_int_equal(p->len, 100);
	assert_int_equal(p->size, PKT_BUF_SIZE);
	assert_int_equal(pkt_tailroom(p), PKT_BUF_SIZE - PKT_HR_NET - 100);
	assert_int_equal(p->l2_off, PKT_HR_NET);
	assert_int_equal(p->l3_off, PKT_HR_NET);
	assert_int_equal(p->l4_off, PKT_HR_NET);
	assert_int_equal(p->flags, 0);
	assert_int_equal(p->pkt_type, PACKET_HOST);
	pkt_free(p);
	assert_int_equal(pkt_in_use(), 0);
}

static void test_pkt_alloc_resets_metadata_of_recycled_buffer(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_LINK, 60);

	/* dirty every field a layer may set, then recycle */
	p->dev = (struct netdev *)p;
	p->ns = (struct netns *)p;
	p->next = p;
	p->flags = PKT_F_FORWARDED | PKT_F_CSUM_VALID;
	p->pkt_type = PACKET_OTHERHOST;
	p->protocol = 0x0800;
	p->nexthop = 0x01020304;
	p->tstamp = 99;
	memset(p->cb, 0xab, sizeof(p->cb));
	pkt_free(p);
	p = pkt_alloc(PKT_HR_TRANSPORT, 10);
	assert_null(p->dev);
	assert_null(p->ns);
	assert_null(p->next);
	assert_int_equal(p->flags, 0);
	assert_int_equal(p->pkt_type, PACKET_HOST);
	assert_int_equal(p->protocol, 0);
	assert_int_equal(p->nexthop, 0);
	assert_int_equal(p->tstamp, 0);
	for (size_t i = 0; i < sizeof(p->cb); i++)
		assert_int_equal(p->cb[i], 0);
	assert_int_equal(pkt_headroom(p), PKT_HR_TRANSPORT);
	pkt_free(p);
}

static void test_pkt_alloc_exactly_full_buffer_is_pooled(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_LINK, PKT_BUF_SIZE - PKT_HR_LINK);

	assert_non_null(p);
	assert_int_equal(p->flags & PKT_F_LARGE, 0);
	assert_int_equal(pkt_tailroom(p), 0);
	pkt_free(p);
}

static void test_pkt_alloc_large_gets_exact_buffer(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, 65535);

	assert_non_null(p);
	assert_true(p->flags & PKT_F_LARGE);
	assert_int_equal(p->size, PKT_HR_NET + 65535);
	assert_int_equal(pkt_tailroom(p), 0);
	memset(p->data, 0x5a, p->len); /* all of it is writable */
	assert_int_equal(pkt_in_use(), 1);
	pkt_free(p);
	assert_int_equal(pkt_in_use(), 0);
}

static void test_pkt_alloc_beyond_largest_fails(void **state)
{
	assert_null(pkt_alloc(PKT_HR_NET, PKT_LARGE_MAX));
	assert_null(pkt_alloc(UINT32_MAX, UINT32_MAX)); /* no overflow into a small size */
	assert_int_equal(pkt_in_use(), 0);
}

static void test_pkt_free_null_is_noop(void **state)
{
	pkt_free(NULL);
	assert_int_equal(pkt_in_use(), 0);
}

static void test_pkt_push_pull_put_trim_move_the_window(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, 20);
	uint8_t *d = p->data;

	assert_ptr_equal(pkt_push(p, 14), d - 14);
	assert_int_equal(p->len, 34);
	pkt_set_l2(p);
	assert_ptr_equal(pkt_pull(p, 14), d);
	pkt_set_l3(p);
	assert_ptr_equal(pkt_l2(p), d - 14);
	assert_ptr_equal(pkt_l3(p), d);
	assert_ptr_equal(pkt_put(p, 8), d + 20);
	assert_int_equal(p->len, 28);
	pkt_trim(p, 100);
	assert_int_equal(p->len, 28);
	pkt_trim(p, 10);
	assert_int_equal(p->len, 10);
	pkt_free(p);
}

static void test_pkt_copy_is_independent_and_keeps_offsets(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, 64), *c;

	for (unsigned i = 0; i < 64; i++)
		p->data[i] = (uint8_t)i;
	pkt_push(p, 14);
	memset(p->data, 0xee, 14);
	pkt_set_l2(p);
	p->l3_off = p->l2_off + 14;
	p->l4_off = p->l3_off + 20;
	p->protocol = 0x0806;
	p->pkt_type = PACKET_BROADCAST;
	p->flags = PKT_F_LOCAL_OUT;
	p->nexthop = 0x0a000001;
	p->tstamp = 1234;
	p->cb[0] = 7;
	c = pkt_copy(p);
	assert_non_null(c);
	assert_ptr_not_equal(c->head, p->head);
	assert_int_equal(c->len, p->len);
	assert_int_equal(pkt_headroom(c), pkt_headroom(p));
	assert_memory_equal(c->data, p->data, p->len);
	assert_int_equal(c->l2_off, p->l2_off);
	assert_int_equal(c->l3_off, p->l3_off);
	assert_int_equal(c->l4_off, p->l4_off);
	assert_int_equal(c->protocol, 0x0806);
	assert_int_equal(c->pkt_type, PACKET_BROADCAST);
	assert_int_equal(c->flags, PKT_F_LOCAL_OUT);
	assert_int_equal(c->nexthop, 0x0a000001);
	assert_int_equal(c->tstamp, 1234);
	assert_int_equal(c->cb[0], 7);
	c->data[20] = 0xff; /* writing the copy leaves the original alone */
	assert_int_equal(p->data[20], 6);
	assert_int_equal(pkt_in_use(), 2);
	pkt_free(p);
	pkt_free(c);
	assert_int_equal(pkt_in_use(), 0);
}

static void test_pkt_copy_of_large_packet(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, 4000), *c;

	memset(p->data, 0x11, p->len);
	c = pkt_copy(p);
	assert_non_null(c);
	assert_true(c->flags & PKT_F_LARGE);
	assert_memory_equal(c->data, p->data, 4000);
	pkt_free(p);
	pkt_free(c);
	assert_int_equal(pkt_in_use(), 0);
}

static void test_pkt_in_use_counts_live_packets(void **state)
{
	struct pkt *p[10];

	for (int i = 0; i < 10; i++) {
		p[i] = pkt_alloc(PKT_HR_LINK, 60);
		assert_int_equal(pkt_in_use(), i + 1);
	}
	for (int i = 0; i < 10; i++)
		pkt_free(p[i]);
	assert_int_equal(pkt_in_use(), 0);
}

static void test_pkt_pool_recycles_through_depot(void **state)
{
	enum { N = 3 * PKT_POOL_CACHE };
	struct pkt **p = calloc(N, sizeof(*p));
	unsigned long total;

	assert_non_null(p);
	for (int i = 0; i < N; i++)
		p[i] = pkt_alloc(PKT_HR_LINK, 60);
	for (int i = 0; i < N; i++)
		pkt_free(p[i]);
	/* more than a cache's worth went back: the rest spilled to the depot */
	assert_true(pkt_pool_cached() <= PKT_POOL_CACHE);
	total = pkt_pool_total();
	assert_true(total >= N);
	/* a second round is served entirely from cache and depot */
	for (int i = 0; i < N; i++)
		assert_non_null(p[i] = pkt_alloc(PKT_HR_LINK, 60));
	assert_int_equal(pkt_pool_total(), total);
	for (int i = 0; i < N; i++)
		pkt_free(p[i]);
	assert_int_equal(pkt_in_use(), 0);
	free(p);
}

static void test_pkt_alloc_fails_past_pool_limit(void **state)
{
	unsigned long limit = pkt_pool_total() + 100, got = 0;
	struct pkt **p = calloc(limit + 1, sizeof(*p));

	assert_non_null(p);
	pkt_pool_set_limit(limit);
	/* every buffer in existence is in this thread's cache or the depot,
	 * so exactly @limit can be live at once */
	while (got <= limit && (p[got] = pkt_alloc(PKT_HR_LINK, 100)))
		got++;
	assert_int_equal(got, limit);
	assert_null(pkt_alloc(PKT_HR_LINK, 100));
	/* large buffers are not pooled and not capped by it */
	p[got] = pkt_alloc(PKT_HR_LINK, 3000);
	assert_non_null(p[got]);
	pkt_free(p[got]);
	pkt_free(p[0]);
	assert_non_null(p[0] = pkt_alloc(PKT_HR_LINK, 100)); /* one free: one alloc */
	for (unsigned long i = 0; i < got; i++)
		pkt_free(p[i]);
	pkt_pool_set_limit(PKT_POOL_LIMIT);
	assert_int_equal(pkt_in_use(), 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkt_alloc_sets_headroom_len_and_offsets),
		cmocka_unit_test(test_pkt_alloc_resets_metadata_of_recycled_buffer),
		cmocka_unit_test(test_pkt_alloc_exactly_full_buffer_is_pooled),
		cmocka_unit_test(test_pkt_alloc_large_gets_exact_buffer),
		cmocka_unit_test(test_pkt_alloc_beyond_largest_fails),
		cmocka_unit_test(test_pkt_free_null_is_noop),
		cmocka_unit_test(test_pkt_push_pull_put_trim_move_the_window),
		cmocka_unit_test(test_pkt_copy_is_independent_and_keeps_offsets),
		cmocka_unit_test(test_pkt_copy_of_large_packet),
		cmocka_unit_test(test_pkt_in_use_counts_live_packets),
		cmocka_unit_test(test_pkt_pool_recycles_through_depot),
		cmocka_unit_test(test_pkt_alloc_fails_past_pool_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
