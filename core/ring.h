/* SPDX-License-Identifier: MIT */
/*
 * Lock-free single-producer single-consumer ring of pointers, with burst
 * calls in DPDK's sense: _burst moves what fits and returns the count.
 * The producer counts what did not fit (STYLE P6).
 */
#ifndef NSEMU_CORE_RING_H
#define NSEMU_CORE_RING_H

#include <stdatomic.h>
#include <stdint.h>

#include "compiler.h"

struct ring_spsc {
	_Atomic uint32_t head __cacheline_aligned; /* written by producer */
	uint32_t cached_tail;			   /* producer's view of tail */
	_Atomic uint32_t tail __cacheline_aligned; /* written by consumer */
	uint32_t cached_head;			   /* consumer's view of head */
	uint32_t mask __cacheline_aligned;	   /* size - 1 */
	void *slot[];
};

/* Allocate a ring of @size slots (power of two, >= 2). NULL on failure. */
struct ring_spsc *ring_spsc_create(uint32_t size);
void ring_spsc_free(struct ring_spsc *r);
/* Producer: enqueue up to n objects; returns how many were enqueued. */
unsigned ring_spsc_enqueue_burst(struct ring_spsc *r, void *const *objs, unsigned n);
/* Consumer: dequeue up to n objects; returns how many were dequeued. */
unsigned ring_spsc_dequeue_burst(struct ring_spsc *r, void **objs, unsigned n);
/* Approximate count (exact when called by either side with the other idle). */
unsigned ring_spsc_count(const struct ring_spsc *r);

#endif
