// SPDX-License-Identifier: MIT
/*
 * Shared packet data (pkt_clone, skb_clone): a clone sees the same bytes
 * with metadata of its own; the data outlives whichever of the two is
 * freed first; pkt_make_writable copies only while the data is shared
 * (into the clone's own buffer, or a copy that replaces the holder), so a
 * writer never changes what the other packet sees; clones of clones; a
 * full buffer and PKT_F_LARGE packets; pool exhaustion answers NULL and
 * leaves the packet as it was. pkt_in_use() must be 0 after each test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/pkt.h"
#include "core/pkt_pool.h"

/* A packet of @len pattern bytes at PKT_HR_NET, with an Ethernet-sized
 * push in front and the offsets set. */
static struct pkt *make(unsigned len)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, len);

	assert_non_null(p);
	for (unsigned i = 0; i < len; i++)
		p->data[i] = (uint8_t)i;
	pkt_set_l3(p);
	pkt_push(p, 14);
	memset(p->data, 0xee, 14);
	pkt_set_l2(p);
	p->protocol = 0x0800;
	p->dev = (struct netdev *)0x1;
	memset(p->cb, 0x11, sizeof(p->cb));
	return p;
}

static int check_leaks(void **state)
{
	assert_int_equal(pkt_in_use(), 0);
	return 0;
}

static void test_pkt_clone_shares_data_with_own_metadata(void **state)
{
	struct pkt *p = make(100), *c;

	assert_false(pkt_cloned(p));
	c = pkt_clone(p);
	assert_non_null(c);
	assert_ptr_not_equal(c, p);
	/* the same bytes, not a copy */
	assert_ptr_equal(c->data, p->data);
	assert_ptr_equal(c->head, p->head);
	assert_int_equal(c->len, p->len);
	assert_int_equal(c->l2_off, p->l2_off);
	assert_int_equal(c->l3_off, p->l3_off);
	assert_int_equal(c->protocol, 0x0800);
	assert_ptr_equal(c->dev, p->dev);
	assert_memory_equal(c->cb, p->cb, sizeof(c->cb));
	assert_null(c->next);
	assert_true(pkt_cloned(p));
	assert_true(pkt_cloned(c));
	assert_true(p->flags & PKT_F_SHARED);
	assert_true(c->flags & PKT_F_SHARED);
	/* metadata is each packet's own */
	pkt_pull(c, 14);
	c->dev = NULL;
	memset(c->cb, 0x22, sizeof(c->cb));
	assert_int_equal(p->len, 114);
	assert_ptr_equal(p->dev, (struct netdev *)0x1);
	assert_int_equal(p->cb[0], 0x11);
	/* two buffers in use: the data with p's struct, and c's struct */
	assert_int_equal(pkt_in_use(), 2);
	pkt_free(c);
	assert_false(pkt_cloned(p));
	pkt_free(p);
}

static void test_pkt_clone_data_outlives_the_original(void **state)
{
	struct pkt *p = make(200), *c = pkt_clone(p);

	assert_non_null(c);
	pkt_free(p);
	/* the data stays: c reads it, and alone it may write */
	assert_int_equal(pkt_in_use(), 2);
	for (unsigned i = 0; i < 200; i++)
		assert_int_equal(c->data[14 + i], (uint8_t)i);
	assert_false(pkt_cloned(c));
	assert_ptr_equal(pkt_make_writable(c), c);
	c->data[14] = 0x77;
	pkt_free(c);
}

static void test_pkt_clone_freed_first_leaves_the_original_whole(void **state)
{
	struct pkt *p = make(200), *c = pkt_clone(p);
	unsigned tail = pkt_tailroom(p);

	assert_non_null(c);
	pkt_free(c);
	assert_int_equal(pkt_in_use(), 1);
	/* unshared again: make_writable gives p back with its full buffer */
	assert_ptr_equal(pkt_make_writable(p), p);
	assert_false(p->flags & PKT_F_SHARED);
	assert_int_equal(p->size, PKT_BUF_SIZE);
	assert_true(pkt_tailroom(p) > tail);
	pkt_free(p);
}

static void test_pkt_make_writable_copies_only_when_shared(void **state)
{
	struct pkt *p = make(64), *c, *w;
	uint8_t *d = p->data;

	/* never shared: the same packet, the same bytes */
	assert_ptr_equal(pkt_make_writable(p), p);
	assert_ptr_equal(p->data, d);

	/* the clone gets the bytes in its own buffer, in place */
	c = pkt_clone(p);
	assert_non_null(c);
	w = pkt_make_writable(c);
	assert_ptr_equal(w, c);
	assert_ptr_not_equal(c->data, p->data);
	assert_false(c->flags & PKT_F_SHARED);
	assert_int_equal(c->len, p->len);
	assert_int_equal(pkt_headroom(c), pkt_headroom(p));
	assert_memory_equal(c->data, p->data, p->len);
	assert_memory_equal(pkt_l3(c), pkt_l3(p), 64);
	c->data[20] = 0x99;
	assert_int_equal(p->data[20], 6);
	/* p is alone again: nothing copied */
	assert_false(pkt_cloned(p));
	assert_ptr_equal(pkt_make_writable(p), p);
	assert_ptr_equal(p->data, d);
	pkt_free(c);
	pkt_free(p);
}

static void test_pkt_make_writable_on_holder_replaces_it(void **state)
{
	struct pkt *p = make(64), *c = pkt_clone(p), *w;

	assert_non_null(c);
	w = pkt_make_writable(p); /* p is released */
	assert_non_null(w);
	assert_ptr_not_equal(w->data, c->data);
	assert_false(w->flags & PKT_F_SHARED);
	assert_int_equal(w->len, c->len);
	assert_memory_equal(w->data, c->data, c->len);
	assert_int_equal(w->l3_off, c->l3_off);
	assert_ptr_equal(w->dev, c->dev);
	memset(w->data, 0, w->len);
	/* the clone still sees the original bytes */
	assert_int_equal(c->data[0], 0xee);
	assert_int_equal(c->data[14 + 63], 63);
	assert_false(pkt_cloned(c));
	pkt_free(w);
	pkt_free(c);
}

static void test_pkt_clone_of_a_clone_shares_one_buffer(void **state)
{
	struct pkt *p = make(80), *a = pkt_clone(p), *b;

	assert_non_null(a);
	pkt_pull(a, 14);
	b = pkt_clone(a);
	assert_non_null(b);
	assert_ptr_equal(b->head, p->head);
	assert_ptr_equal(b->data, a->data);
	assert_int_equal(b->len, 80);
	assert_int_equal(pkt_in_use(), 3);
	/* any order: the middle one first, then the holder, then the last */
	pkt_free(a);
	assert_true(pkt_cloned(b));
	pkt_free(p);
	assert_false(pkt_cloned(b));
	assert_int_equal(b->data[79], 79);
	pkt_free(b);
}

static void test_pkt_copy_of_a_clone_is_private(void **state)
{
	struct pkt *p = make(40), *c = pkt_clone(p), *n;

	assert_non_null(c);
	n = pkt_copy(c);
	assert_non_null(n);
	assert_false(n->flags & PKT_F_SHARED);
	assert_ptr_not_equal(n->data, p->data);
	assert_memory_equal(n->data, p->data, p->len);
	assert_true(pkt_cloned(p)); /* the copy took no reference */
	pkt_free(n);
	pkt_free(p);
	pkt_free(c);
}

static void test_pkt_clone_of_a_full_buffer_is_a_copy(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_LINK, PKT_BUF_SIZE - PKT_HR_LINK), *c;

	assert_non_null(p);
	memset(p->data, 0x3c, p->len);
	c = pkt_clone(p); /* no tailroom for the count */
	assert_non_null(c);
	assert_ptr_not_equal(c->data, p->data);
	assert_false(p->flags & PKT_F_SHARED);
	assert_false(c->flags & PKT_F_SHARED);
	assert_memory_equal(c->data, p->data, p->len);
	pkt_free(p);
	pkt_free(c);
}

static void test_pkt_clone_of_large_packet(void **state)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, 5000), *c, *w;

	assert_non_null(p);
	assert_true(p->flags & PKT_F_LARGE);
	memset(p->data, 0x5a, p->len);
	/* exact size, no tailroom: a copy */
	c = pkt_clone(p);
	assert_non_null(c);
	assert_ptr_not_equal(c->data, p->data);
	pkt_free(c);
	/* with tailroom the data is shared; the clone cannot take the
	 * bytes into its pool buffer, so writing makes a copy */
	pkt_trim(p, 4000);
	c = pkt_clone(p);
	assert_non_null(c);
	assert_ptr_equal(c->data, p->data);
	w = pkt_make_writable(c);
	assert_non_null(w);
	assert_ptr_not_equal(w->data, p->data);
	assert_int_equal(w->len, 4000);
	assert_int_equal(w->data[3999], 0x5a);
	pkt_free(w);
	assert_false(pkt_cloned(p));
	/* a shared large buffer freed through its last clone */
	c = pkt_clone(p);
	assert_non_null(c);
	pkt_free(p);
	pkt_free(c);
}

static void test_pkt_clone_and_make_writable_fail_cleanly_when_pool_is_empty(void **state)
{
	unsigned long limit;
	struct pkt *p = make(64), *c, *filler[4096];
	unsigned n = 0;

	c = pkt_clone(p);
	assert_non_null(c);
	/* exhaust the pool */
	limit = pkt_pool_total();
	pkt_pool_set_limit(limit);
	while (n < 4096 && (filler[n] = pkt_alloc(PKT_HR_LINK, 10)))
		n++;
	assert_true(n < 4096);
	assert_null(pkt_alloc(PKT_HR_LINK, 10));
	/* no buffer for a clone: NULL, p unchanged and still shared once */
	assert_null(pkt_clone(p));
	assert_true(pkt_cloned(p));
	pkt_free(c);
	assert_false(pkt_cloned(p));
	/* shared again through c's freed buffer, the last one: the holder's
	 * writable copy cannot be had */
	c = pkt_clone(p);
	assert_non_null(c);
	assert_null(pkt_make_writable(p));
	assert_true(pkt_cloned(p));
	assert_int_equal(p->data[14], 0);
	/* but the clone's needs no new buffer */
	assert_ptr_equal(pkt_make_writable(c), c);
	assert_false(pkt_cloned(p));
	while (n)
		pkt_free(filler[--n]);
	pkt_pool_set_limit(PKT_POOL_LIMIT);
	pkt_free(c);
	pkt_free(p);
}

#define T(fn) cmocka_unit_test_teardown(fn, check_leaks)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pkt_clone_shares_data_with_own_metadata),
		T(test_pkt_clone_data_outlives_the_original),
		T(test_pkt_clone_freed_first_leaves_the_original_whole),
		T(test_pkt_make_writable_copies_only_when_shared),
		T(test_pkt_make_writable_on_holder_replaces_it),
		T(test_pkt_clone_of_a_clone_shares_one_buffer),
		T(test_pkt_copy_of_a_clone_is_private),
		T(test_pkt_clone_of_a_full_buffer_is_a_copy),
		T(test_pkt_clone_of_large_packet),
		T(test_pkt_clone_and_make_writable_fail_cleanly_when_pool_is_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
