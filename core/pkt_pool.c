// SPDX-License-Identifier: MIT
/*
 * Per-thread packet buffer caches over one shared depot, the magazine
 * scheme of Bonwick's slab allocator that DPDK's mempool cache and VPP's
 * per-thread buffer lists also use (STYLE O7). pkt_pool_get/put touch only
 * the calling thread's cache; when it runs dry or overflows, a batch of
 * PKT_POOL_BATCH buffers moves from or to the depot under its mutex, so the
 * lock is taken once per batch, never per packet.
 *
 * A buffer remembers the cache that handed it out (its owner, in a small
 * header before struct pkt). A buffer freed on another thread goes back to
 * its owner, not into the freeing thread's cache: the freeing thread
 * gathers up to PKT_POOL_REMOTE_BATCH such buffers (their addresses, in
 * its own cache) and pushes them onto the owner's lock-free "remote"
 * stack with one CAS, as one node: the first buffer of the batch carries
 * the addresses of the others in its own memory (a magazine, struct
 * pool_mag). The owner takes the whole stack with one atomic exchange
 * when its cache runs dry. Taking everything at once (never popping one
 * node) makes the stack immune to ABA. The array matters more than the
 * lock: the buffers come back from another core, and a linked chain
 * through them would cost one dependent cache miss per buffer (the next
 * link is in the line just fetched), where the array's addresses sit in a
 * few consecutive lines the core fetches together; the buffers themselves
 * are touched only when handed out again. On a chain of routers split
 * across workers, the worker that allocates and the one that frees thus
 * trade buffers without the depot mutex. Caches outlive their threads (an exiting thread's cache is
 * retired and adopted by the next new thread), so a late remote free
 * always has somewhere to go; a thread whose cache and depot are empty
 * also takes what sits on other caches' remote stacks before allocating.
 *
 * pkt_in_use() sums per-thread counters of live packets instead of sharing
 * one atomic, so the hot path writes no shared cache line. A thread's cache
 * is spilled to the depot and its counter folded into a global when the
 * thread exits (pthread key destructor).
 *
 * Under AddressSanitizer, cached buffers are poisoned: a use after
 * pkt_free() or a double free is reported where it happens.
 */
#include "pkt_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POOL_POISON(p) ASAN_POISON_MEMORY_REGION((p), sizeof(struct pkt) + PKT_BUF_SIZE)
#define POOL_UNPOISON(p) ASAN_UNPOISON_MEMORY_REGION((p), sizeof(struct pkt) + PKT_BUF_SIZE)
#else
#define POOL_POISON(p) ((void)(p))
#define POOL_UNPOISON(p) ((void)(p))
#endif

/* Freed buffers a thread gathers for one other owner before pushing
 * them to it with one CAS (one magazine: the first carries the others'
 * addresses). 30: header and magazine fill the buffer's first four
 * lines, which the freeing core holds already (struct pkt and the
 * headers of a frame at 64 bytes of headroom); a fifth would be fetched
 * from the owner's core just for the list. */
#define PKT_POOL_REMOTE_BATCH 30
/* How many allocations ahead pkt_pool_get prefetches a buffer. */
#define PKT_POOL_PREFETCH 4

struct pool_cache;

/* Before each pooled struct pkt; never poisoned. A buffer starts on a
 * cache line, so header and struct pkt fill exactly two lines and the
 * data begins on the third: a frame put at a line boundary of the data
 * (64 bytes of headroom) has its Ethernet, IPv4 and UDP headers in one
 * line. Every line counts twice on a chain split across workers: the
 * receiving core fetches it, and the allocating core fetches it back
 * when it reuses the buffer. */
struct pool_hdr {
	struct pool_cache *owner;	/* cache that handed the buffer out */
};
static_assert(sizeof(struct pool_hdr) + sizeof(struct pkt) <= 2 * CACHELINE,
	      "a pooled buffer's header and struct pkt fit in two cache lines");
#define POOL_BUF_BYTES                                                                          \
	((sizeof(struct pool_hdr) + sizeof(struct pkt) + PKT_BUF_SIZE + CACHELINE - 1) &        \
	 ~(size_t)(CACHELINE - 1))

/* A magazine: written over the struct pkt (and the start of the data) of
 * the first buffer of a remote batch, which is free, so the batch needs
 * no memory of its own. Its n addresses are the batch's other buffers;
 * next links magazines on a remote stack. */
struct pool_mag {
	struct pool_hdr *next;
	unsigned n;
	struct pkt *v[PKT_POOL_REMOTE_BATCH - 1];
};
static_assert(sizeof(struct pool_hdr) + sizeof(struct pool_mag) <= 4 * CACHELINE,
	      "a magazine fits in a buffer's first four lines");

struct pool_cache {
	unsigned n;			/* buffers in p[] */
	_Atomic long live;		/* allocs minus frees by this cache's thread; only it writes */
	struct pool_cache *next;	/* depot.caches (under depot.lock) */
	bool retired;			/* thread exited; adoptable (under depot.lock) */
	struct pool_hdr *chain;		/* magazines taken off remote, not yet in p[] */
	/* Buffers this thread freed that belong to rem_owner, not yet pushed. */
	struct pool_cache *rem_owner;
	unsigned rem_n;
	struct pkt *rem[PKT_POOL_REMOTE_BATCH];
	struct pkt *p[PKT_POOL_CACHE];
	/* Magazines other threads freed, pushed back for this cache: the
	 * one field they write, on a line of its own, so their CAS does not
	 * take away the line of n and live, which this thread writes on
	 * every packet. */
	_Atomic(struct pool_hdr *) remote __cacheline_aligned;
} __cacheline_aligned;

static struct {
	pthread_mutex_t lock;
	struct pkt **p;			/* free buffers */
	size_t n, cap;
	struct pool_cache *caches;	/* every live thread's cache */
	long retired_live;		/* live counts of exited threads */
	_Atomic unsigned long total;	/* pooled buffers in existence */
	_Atomic unsigned long limit;
} depot = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.limit = PKT_POOL_LIMIT,
};

static _Thread_local struct pool_cache *tl_cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

static inline struct pool_hdr *pool_hdr(struct pkt *p)
{
	return (struct pool_hdr *)(void *)p - 1;
}

static inline struct pkt *hdr_pkt(struct pool_hdr *h)
{
	return (struct pkt *)(void *)(h + 1);
}

static void pool_free_buf(struct pkt *p)
{
	POOL_UNPOISON(p);
	free(pool_hdr(p));
	atomic_fetch_sub_explicit(&depot.total, 1, memory_order_relaxed);
}

/* Move @n buffers into the depot. Caller holds depot.lock. If the depot
 * cannot grow, the buffers go back to malloc instead of being lost. */
static void depot_push_locked(struct pkt **bufs, unsigned n)
{
	if (!n)
		return;
	if (depot.n + n > depot.cap) {
		size_t cap = depot.cap ? depot.cap * 2 : 1024;
		struct pkt **np;

		while (cap < depot.n + n)
			cap *= 2;
		np = realloc(depot.p, cap * sizeof(*np));
		if (!np) {
			for (unsigned i = 0; i < n; i++)
				pool_free_buf(bufs[i]);
			return;
		}
		depot.p = np;
		depot.cap = cap;
	}
	memcpy(depot.p + depot.n, bufs, n * sizeof(*bufs));
	depot.n += n;
}

static inline struct pool_mag *hdr_mag(struct pool_hdr *h)
{
	return (struct pool_mag *)(void *)(h + 1);
}

/* Unpack magazine @h into @out (which has room for a whole batch): the
 * magazine's own buffer first, then the ones it lists. Returns the count.
 * Under ASan the magazine's buffer is unpoisoned while it carries the
 * list and poisoned again here, like every cached buffer. */
static unsigned pool_mag_unpack(struct pool_hdr *h, struct pkt **out)
{
	struct pool_mag *m = hdr_mag(h);
	unsigned n = m->n, i;

	for (i = 0; i < n; i++)
		out[i + 1] = m->v[i];
	out[0] = hdr_pkt(h);
	POOL_POISON(out[0]);
	return n + 1;
}

/* Move a stack of magazines into the depot. Caller holds depot.lock. */
static void depot_push_chain_locked(struct pool_hdr *h)
{
	struct pkt *bufs[PKT_POOL_REMOTE_BATCH];

	while (h) {
		struct pool_hdr *next = hdr_mag(h)->next;

		depot_push_locked(bufs, pool_mag_unpack(h, bufs));
		h = next;
	}
}

/* Push the gathered remote frees to their owner: one magazine, one CAS.
 * The magazine is built here, in one pass over lines this thread has
 * just written anyway (the buffer's header and struct pkt). */
static void pool_remote_flush(struct pool_cache *c)
{
	struct pool_cache *o = c->rem_owner;
	struct pool_hdr *h;
	struct pool_mag *m;

	if (!c->rem_n)
		return;
	h = pool_hdr(c->rem[0]);
	POOL_UNPOISON(c->rem[0]);
	m = hdr_mag(h);
	m->n = c->rem_n - 1;
	memcpy(m->v, c->rem + 1, m->n * sizeof(m->v[0]));
	m->next = atomic_load_explicit(&o->remote, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&o->remote, &m->next, h,
						      memory_order_release, memory_order_relaxed))
		;
	c->rem_n = 0;
}

/* Fill c's empty cache from its private chain of magazines taken off a
 * remote stack (taking the stack when the chain is empty), whole
 * magazines while they fit. Returns whether anything was taken. Only c's
 * thread calls it. */
static bool pool_take_remote(struct pool_cache *c)
{
	struct pool_hdr *h = c->chain;

	if (!h)
		h = atomic_exchange_explicit(&c->remote, NULL, memory_order_acquire);
	if (!h)
		return false;
	while (h && c->n + PKT_POOL_REMOTE_BATCH <= PKT_POOL_CACHE) {
		struct pool_hdr *next = hdr_mag(h)->next;

		/* the next magazine's list, while this one is unpacked */
		if (next)
			for (unsigned l = 0; l < 4; l++)
				prefetch((const char *)next + l * CACHELINE);
		c->n += pool_mag_unpack(h, c->p + c->n);
		h = next;
	}
	c->chain = h;
	return true;
}

/* Thread exit: pending remote frees go to their owner, the cache's
 * buffers and its remote stack to the depot. The cache itself stays (with
 * its live count) for a later remote free and for the next new thread to
 * adopt, so nothing is lost with the thread. */
static void pool_cache_release(void *arg)
{
	struct pool_cache *c = arg;

	pool_remote_flush(c);
	pthread_mutex_lock(&depot.lock);
	depot_push_locked(c->p, c->n);
	c->n = 0;
	depot_push_chain_locked(c->chain);
	c->chain = NULL;
	depot_push_chain_locked(atomic_exchange_explicit(&c->remote, NULL, memory_order_acquire));
	c->retired = true;
	pthread_mutex_unlock(&depot.lock);
	if (tl_cache == c)
		tl_cache = NULL;
}

static void pool_key_create(void)
{
	if (pthread_key_create(&cache_key, pool_cache_release))
		log_msg(LOG_ERR, "pkt pool: pthread_key_create failed; caches leak at thread exit");
}

static struct pool_cache *pool_cache_get(void)
{
	struct pool_cache *c = tl_cache;

	if (likely(c))
		return c;
	pthread_once(&cache_key_once, pool_key_create);
	pthread_mutex_lock(&depot.lock);
	for (c = depot.caches; c && !c->retired; c = c->next)
		;
	if (c) {
		c->retired = false;
	} else {
		c = aligned_alloc(CACHELINE, sizeof(*c)); /* sizeof is a multiple */
		if (c)
			memset(c, 0, sizeof(*c));
		if (!c) {
			pthread_mutex_unlock(&depot.lock);
			return NULL;
		}
		c->next = depot.caches;
		depot.caches = c;
	}
	pthread_mutex_unlock(&depot.lock);
	pthread_setspecific(cache_key, c);
	tl_cache = c;
	return c;
}

/* A new buffer, if the cap allows: the cap is checked and reserved with
 * one atomic so racing threads cannot overshoot it. */
static struct pkt *pool_new_buf(struct pool_cache *owner)
{
	unsigned long limit = atomic_load_explicit(&depot.limit, memory_order_relaxed);
	struct pool_hdr *h;

	if (atomic_fetch_add_explicit(&depot.total, 1, memory_order_relaxed) >= limit) {
		atomic_fetch_sub_explicit(&depot.total, 1, memory_order_relaxed);
		return NULL;
	}
	h = aligned_alloc(CACHELINE, POOL_BUF_BYTES);
	if (!h) {
		atomic_fetch_sub_explicit(&depot.total, 1, memory_order_relaxed);
		return NULL;
	}
	h->owner = owner;
	return hdr_pkt(h);
}

/* Only c's thread writes its counter: a plain load and store, no
 * read-modify-write; pkt_in_use() reads it atomically. */
static inline void cache_live_add(struct pool_cache *c, long n)
{
	atomic_store_explicit(&c->live, atomic_load_explicit(&c->live, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

struct pkt *pkt_pool_get(void)
{
	struct pool_cache *c = pool_cache_get();
	struct pkt *p;

	if (unlikely(!c)) {
		p = pool_new_buf(NULL);
		if (p)
			pkt_pool_live_add(1);
		return p;
	}
	if (unlikely(c->n == 0) && !pool_take_remote(c)) {
		pthread_mutex_lock(&depot.lock);
		if (depot.n) {
			unsigned k = depot.n < PKT_POOL_BATCH ? (unsigned)depot.n : PKT_POOL_BATCH;

			depot.n -= k;
			memcpy(c->p, depot.p + depot.n, k * sizeof(*c->p));
			c->n = k;
		} else {
			/* Last resort before a new buffer: what this and
			 * other threads freed for other (maybe exited)
			 * caches. */
			pool_remote_flush(c);
			for (struct pool_cache *o = depot.caches; o && !c->chain; o = o->next)
				c->chain = atomic_exchange_explicit(&o->remote, NULL,
								    memory_order_acquire);
			pool_take_remote(c);
		}
		pthread_mutex_unlock(&depot.lock);
		if (c->n == 0) {
			p = pool_new_buf(c);
			if (p)
				cache_live_add(c, 1);
			return p;
		}
	}
	p = c->p[--c->n];
	/* A buffer a few allocations ahead (the cache is a stack: what a
	 * generator or a copy fills next): one back from another worker is
	 * still in that core's cache, and the caller writes its first lines
	 * at once. Asking for them now lets those misses overlap with the
	 * work on this buffer and the next ones instead of stalling each
	 * allocation in turn: the header and struct pkt (two lines), and the
	 * two lines a frame takes after 64 bytes of headroom. */
	if (likely(c->n >= PKT_POOL_PREFETCH)) {
		const char *nx = (const char *)pool_hdr(c->p[c->n - PKT_POOL_PREFETCH]);

		prefetchw(nx);
		prefetchw(nx + CACHELINE);
		prefetchw(nx + 3 * CACHELINE);
		prefetchw(nx + 4 * CACHELINE);
	}
	POOL_UNPOISON(p);
	pool_hdr(p)->owner = c;
	cache_live_add(c, 1);
	return p;
}

/* A buffer for another owner than the one gathered so far: push what
 * was gathered first. Out of line, like every rare path of
 * pkt_pool_put, so that the per-packet paths need no stack frame. */
static __attribute__((noinline)) void pool_remote_switch(struct pool_cache *c,
							 struct pool_cache *owner)
{
	pool_remote_flush(c);
	c->rem_owner = owner;
}

/* Full cache: spill the oldest batch (bottom of the stack) to the depot;
 * the buffers freed last are the ones still warm in this core's cache. */
static __attribute__((noinline)) void pool_spill(struct pool_cache *c)
{
	pthread_mutex_lock(&depot.lock);
	depot_push_locked(c->p, PKT_POOL_BATCH);
	pthread_mutex_unlock(&depot.lock);
	memmove(c->p, c->p + PKT_POOL_BATCH, (PKT_POOL_CACHE - PKT_POOL_BATCH) * sizeof(*c->p));
	c->n -= PKT_POOL_BATCH;
}

/* No cache for this thread (out of memory): back to malloc. */
static __attribute__((noinline)) void pool_put_nocache(struct pkt *p)
{
	pkt_pool_live_add(-1);
	pool_free_buf(p);
}

void pkt_pool_put(struct pkt *p)
{
	struct pool_cache *c = pool_cache_get();
	struct pool_hdr *h = pool_hdr(p);

	if (unlikely(!c)) {
		pool_put_nocache(p);
		return;
	}
	cache_live_add(c, -1);
	if (unlikely(h->owner != c) && h->owner) {
		/* Another cache's buffer: gather it for its owner. */
		POOL_POISON(p);
		if (unlikely(c->rem_owner != h->owner))
			pool_remote_switch(c, h->owner);
		c->rem[c->rem_n] = p;
		if (unlikely(++c->rem_n == PKT_POOL_REMOTE_BATCH))
			pool_remote_flush(c);
		return;
	}
	if (unlikely(c->n == PKT_POOL_CACHE))
		pool_spill(c);
	POOL_POISON(p);
	c->p[c->n++] = p;
}

void pkt_pool_live_add(long n)
{
	struct pool_cache *c = pool_cache_get();

	if (unlikely(!c)) {
		pthread_mutex_lock(&depot.lock);
		depot.retired_live += n;
		pthread_mutex_unlock(&depot.lock);
		return;
	}
	cache_live_add(c, n);
}

long pkt_in_use(void)
{
	long sum;

	pthread_mutex_lock(&depot.lock);
	sum = depot.retired_live;
	for (struct pool_cache *c = depot.caches; c; c = c->next)
		sum += atomic_load_explicit(&c->live, memory_order_relaxed);
	pthread_mutex_unlock(&depot.lock);
	return sum;
}

void pkt_pool_set_limit(unsigned long nbufs)
{
	atomic_store_explicit(&depot.limit, nbufs, memory_order_relaxed);
}

unsigned long pkt_pool_total(void)
{
	return atomic_load_explicit(&depot.total, memory_order_relaxed);
}

unsigned pkt_pool_cached(void)
{
	return tl_cache ? tl_cache->n : 0;
}
