// SPDX-License-Identifier: MIT
/*
 * Single-producer single-consumer ring of pointers, the shape of DPDK's
 * rte_ring in SP/SC mode and of Linux's ptr_ring used by veth: free-running
 * 32-bit head (producer) and tail (consumer) indices, masked on access.
 * The producer publishes slots with a release store of head, the consumer
 * frees them with a release store of tail; each side reads the other's
 * index with acquire, and only when its cached copy says the ring looks
 * full (or empty), so in steady state a burst costs one shared-line read
 * per side, not one per object.
 */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

struct ring_spsc *ring_spsc_create(uint32_t size)
{
	struct ring_spsc *r;
	size_t bytes;

	/* Indices wrap at 2^32: a power-of-two size keeps head - tail exact. */
	if (size < 2 || (size & (size - 1)) || size > (1u << 30))
		return NULL;
	bytes = sizeof(*r) + (size_t)size * sizeof(r->slot[0]);
	bytes = (bytes + CACHELINE - 1) & ~(size_t)(CACHELINE - 1);
	r = aligned_alloc(CACHELINE, bytes);
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->mask = size - 1;
	return r;
}

void ring_spsc_free(struct ring_spsc *r)
{
	free(r);
}

unsigned ring_spsc_enqueue_burst(struct ring_spsc *r, void *const *objs, unsigned n)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t size = r->mask + 1;
	uint32_t free_slots = size - (head - r->cached_tail);

	if (free_slots < n) {
		/* Acquire: the consumer's reads of those slots are done before
		 * we overwrite them. */
		r->cached_tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		free_slots = size - (head - r->cached_tail);
		if (n > free_slots)
			n = free_slots;
	}
	for (unsigned i = 0; i < n; i++)
		r->slot[(head + i) & r->mask] = objs[i];
	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}

unsigned ring_spsc_dequeue_burst(struct ring_spsc *r, void **objs, unsigned n)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t avail = r->cached_head - tail;

	if (avail < n) {
		/* Acquire: the producer's slot writes are visible. */
		r->cached_head = atomic_load_explicit(&r->head, memory_order_acquire);
		avail = r->cached_head - tail;
		if (n > avail)
			n = avail;
	}
	for (unsigned i = 0; i < n; i++)
		objs[i] = r->slot[(tail + i) & r->mask];
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return n;
}

unsigned ring_spsc_count(const struct ring_spsc *r)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	return head - tail;
}
