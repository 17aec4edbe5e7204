/* SPDX-License-Identifier: MIT */
/*
 * Packet buffer pools, private to core/pkt.c (and to tests): per-thread
 * caches of fixed-size buffers over one shared depot (STYLE O7). A buffer
 * is a small header (the owning cache), a struct pkt and PKT_BUF_SIZE
 * bytes, in one allocation.
 */
#ifndef NSEMU_CORE_PKT_POOL_H
#define NSEMU_CORE_PKT_POOL_H

#include "pkt.h"

/* Buffers a thread keeps for itself, and how many move to or from the
 * depot at a time (the depot's lock is taken once per batch). */
#define PKT_POOL_CACHE 256
#define PKT_POOL_BATCH 64
/* Default cap on pooled buffers in existence (about 560 MB). */
#define PKT_POOL_LIMIT (256ul * 1024)
/* Largest headroom + data pkt_alloc() serves (PKT_F_LARGE): a maximal IP
 * datagram plus link headroom; layer offsets are 16-bit. */
#define PKT_LARGE_MAX (65535u + 512u)

/* A buffer from the calling thread's cache (refilled from buffers other
 * threads freed for it, from the depot, or newly allocated below the cap),
 * counted live for pkt_in_use(). Metadata is not initialised. NULL when
 * the cap is reached. Any thread. */
struct pkt *pkt_pool_get(void);
/* Return a pooled buffer (counted no longer live): to the calling
 * thread's cache, or, if another thread's cache handed it out, gathered
 * for that cache (pushed back lock-free in batches). Any thread. */
void pkt_pool_put(struct pkt *p);
/* Live-packet accounting for pkt_in_use(): the calling thread's share
 * (PKT_F_LARGE buffers; pooled ones are counted by get/put). */
void pkt_pool_live_add(long n);

/* Cap the number of pooled buffers in existence (tests use a small one).
 * Buffers already made are kept; past the cap pkt_alloc() fails. */
void pkt_pool_set_limit(unsigned long nbufs);
/* Pooled buffers in existence (live, cached or in the depot). */
unsigned long pkt_pool_total(void);
/* Buffers in the calling thread's cache (tests). */
unsigned pkt_pool_cached(void);

#endif
