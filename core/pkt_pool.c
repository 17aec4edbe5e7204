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
 * gathers up to PKT_POOL_REMOTE_BATCH such buffers in a chain and pushes
 * the chain onto the owner's lock-free "remote" stack with one CAS; the
 * owner takes the whole stack with one atomic exchange when its cache runs
 * dry. Taking everything at once (never popping one node) makes the stack
 * immune to ABA. On a chain of routers split across workers, the worker
 * that allocates and the one that frees thus trade buffers without the
 * depot mutex. Caches outlive their threads (an exiting thread's cache is
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
 * them to it with one CAS. */
#define PKT_POOL_REMOTE_BATCH 32

struct pool_cache;

/* Before each pooled struct pkt; never poisoned. */
struct pool_hdr {
	struct pool_cache *owner;	/* cache that handed the buffer out */
	struct pool_hdr *next;		/* remote chain link */
} __attribute__((aligned(16)));

struct pool_cache {
	unsigned n;			/* buffers in p[] */
	_Atomic long live;		/* allocs minus frees by this cache's thread; only it writes */
	struct pool_cache *next;	/* depot.caches (under depot.lock) */
	bool retired;			/* thread exited; adoptable (under depot.lock) */
	/* Buffers other threads freed, pushed back for this cache. */
	_Atomic(struct pool_hdr *) remote;
	struct pool_hdr *chain;		/* taken off remote, not yet in p[] */
	/* Buffers this thread freed that belong to rem_owner, not yet pushed. */
	struct pool_cache *rem_owner;
	struct pool_hdr *rem_head, *rem_tail;
	unsigned rem_n;
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

/* Move a remote chain into the depot. Caller holds depot.lock. */
static void depot_push_chain_locked(struct pool_hdr *h)
{
	while (h) {
		struct pool_hdr *next = h->next;
		struct pkt *p = hdr_pkt(h);

		depot_push_locked(&p, 1);
		h = next;
	}
}

/* Push the gathered remote frees to their owner: one CAS. */
static void pool_remote_flush(struct pool_cache *c)
{
	struct pool_cache *o = c->rem_owner;

	if (!c->rem_n)
		return;
	c->rem_tail->next = atomic_load_explicit(&o->remote, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&o->remote, &c->rem_tail->next, c->rem_head,
						      memory_order_release, memory_order_relaxed))
		;
	c->rem_head = c->rem_tail = NULL;
	c->rem_n = 0;
}

/* Fill c's empty cache from its private chain of buffers taken off a
 * remote stack (taking the stack when the chain is empty). Returns whether
 * anything was taken. Only c's thread calls it. */
static bool pool_take_remote(struct pool_cache *c)
{
	struct pool_hdr *h = c->chain;

	if (!h)
		h = atomic_exchange_explicit(&c->remote, NULL, memory_order_acquire);
	if (!h)
		return false;
	while (h && c->n < PKT_POOL_CACHE) {
		c->p[c->n++] = hdr_pkt(h);
		h = h->next;
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
		c = calloc(1, sizeof(*c));
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
	h = malloc(sizeof(*h) + sizeof(struct pkt) + PKT_BUF_SIZE);
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
	POOL_UNPOISON(p);
	pool_hdr(p)->owner = c;
	cache_live_add(c, 1);
	return p;
}

/* A buffer owned by another cache: gather it for its owner. */
static void pool_put_remote(struct pool_cache *c, struct pool_hdr *h)
{
	if (c->rem_owner != h->owner) {
		pool_remote_flush(c);
		c->rem_owner = h->owner;
	}
	h->next = c->rem_head;
	c->rem_head = h;
	if (!c->rem_tail)
		c->rem_tail = h;
	if (++c->rem_n == PKT_POOL_REMOTE_BATCH)
		pool_remote_flush(c);
}

void pkt_pool_put(struct pkt *p)
{
	struct pool_cache *c = pool_cache_get();

	struct pool_hdr *h = pool_hdr(p);

	if (unlikely(!c)) {
		pkt_pool_live_add(-1);
		pool_free_buf(p);
		return;
	}
	cache_live_add(c, -1);
	if (unlikely(h->owner != c) && h->owner) {
		POOL_POISON(p);
		pool_put_remote(c, h);
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
