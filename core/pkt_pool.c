// SPDX-License-Identifier: MIT
/*
 * Per-thread packet buffer caches over one shared depot, the magazine
 * scheme of Bonwick's slab allocator that DPDK's mempool cache and VPP's
 * per-thread buffer lists also use (STYLE O7). pkt_pool_get/put touch only
 * the calling thread's cache; when it runs dry or overflows, a batch of
 * PKT_POOL_BATCH buffers moves from or to the depot under its mutex, so the
 * lock is taken once per batch, never per packet. A buffer freed on another
 * thread simply joins that thread's cache.
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
#include <stdlib.h>

#include "log.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POOL_POISON(p) ASAN_POISON_MEMORY_REGION((p), sizeof(struct pkt) + PKT_BUF_SIZE)
#define POOL_UNPOISON(p) ASAN_UNPOISON_MEMORY_REGION((p), sizeof(struct pkt) + PKT_BUF_SIZE)
#else
#define POOL_POISON(p) ((void)(p))
#define POOL_UNPOISON(p) ((void)(p))
#endif

struct pool_cache {
	unsigned n;			/* buffers in p[] */
	_Atomic long live;		/* allocs minus frees on this thread; only it writes */
	struct pool_cache *next;	/* depot.caches (under depot.lock) */
	struct pool_cache **pprev;
	struct pkt *p[PKT_POOL_CACHE];
};

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

static void pool_free_buf(struct pkt *p)
{
	POOL_UNPOISON(p);
	free(p);
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

/* Thread exit: the cache's buffers go to the depot, its live count to
 * the retired total, so nothing is lost with the thread. */
static void pool_cache_release(void *arg)
{
	struct pool_cache *c = arg;

	pthread_mutex_lock(&depot.lock);
	depot_push_locked(c->p, c->n);
	depot.retired_live += atomic_load_explicit(&c->live, memory_order_relaxed);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	pthread_mutex_unlock(&depot.lock);
	if (tl_cache == c)
		tl_cache = NULL;
	free(c);
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
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	pthread_once(&cache_key_once, pool_key_create);
	pthread_setspecific(cache_key, c);
	pthread_mutex_lock(&depot.lock);
	c->next = depot.caches;
	if (c->next)
		c->next->pprev = &c->next;
	depot.caches = c;
	c->pprev = &depot.caches;
	pthread_mutex_unlock(&depot.lock);
	tl_cache = c;
	return c;
}

/* A new buffer, if the cap allows: the cap is checked and reserved with
 * one atomic so racing threads cannot overshoot it. */
static struct pkt *pool_new_buf(void)
{
	unsigned long limit = atomic_load_explicit(&depot.limit, memory_order_relaxed);
	struct pkt *p;

	if (atomic_fetch_add_explicit(&depot.total, 1, memory_order_relaxed) >= limit) {
		atomic_fetch_sub_explicit(&depot.total, 1, memory_order_relaxed);
		return NULL;
	}
	p = malloc(sizeof(struct pkt) + PKT_BUF_SIZE);
	if (!p)
		atomic_fetch_sub_explicit(&depot.total, 1, memory_order_relaxed);
	return p;
}

struct pkt *pkt_pool_get(void)
{
	struct pool_cache *c = pool_cache_get();
	struct pkt *p;

	if (unlikely(!c))
		return pool_new_buf();
	if (unlikely(c->n == 0)) {
		pthread_mutex_lock(&depot.lock);
		if (depot.n) {
			unsigned k = depot.n < PKT_POOL_BATCH ? (unsigned)depot.n : PKT_POOL_BATCH;

			depot.n -= k;
			memcpy(c->p, depot.p + depot.n, k * sizeof(*c->p));
			c->n = k;
		}
		pthread_mutex_unlock(&depot.lock);
		if (c->n == 0)
			return pool_new_buf();
	}
	p = c->p[--c->n];
	POOL_UNPOISON(p);
	return p;
}

void pkt_pool_put(struct pkt *p)
{
	struct pool_cache *c = pool_cache_get();

	if (unlikely(!c)) {
		pool_free_buf(p);
		return;
	}
	if (unlikely(c->n == PKT_POOL_CACHE)) {
		/* Spill the oldest batch (bottom of the stack): the buffers
		 * freed last are the ones still warm in this core's cache. */
		pthread_mutex_lock(&depot.lock);
		depot_push_locked(c->p, PKT_POOL_BATCH);
		pthread_mutex_unlock(&depot.lock);
		memmove(c->p, c->p + PKT_POOL_BATCH,
			(PKT_POOL_CACHE - PKT_POOL_BATCH) * sizeof(*c->p));
		c->n -= PKT_POOL_BATCH;
	}
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
	/* Only this thread writes its counter: a plain load and store, no
	 * read-modify-write; pkt_in_use() reads it atomically. */
	atomic_store_explicit(&c->live, atomic_load_explicit(&c->live, memory_order_relaxed) + n,
			      memory_order_relaxed);
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
