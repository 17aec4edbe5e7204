// SPDX-License-Identifier: MIT
/*
 * Namespace lifecycle and the namespace registry. netns_create() builds a
 * namespace on its owner worker by running the registered pernet
 * subsystems' init in order (sysctls, FIB, neighbours, ..., then the
 * loopback device, as loopback_net_init runs for every new net);
 * netns_destroy() tears it down in reverse. The registry maps names and ids to namespaces for the
 * control path only; a mutex private to this file keeps it consistent even
 * if two control threads race (data-path code never touches it, O2).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rand.h"
#include "core/timer.h"
#include "dev.h"
#include "netns.h"

/* ---- extended ack ---- */

void extack_set(struct extack *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->buf, sizeof(e->buf), fmt, ap);
	va_end(ap);
	e->msg = e->buf;
}

/* ---- per-namespace subsystems ---- */

/* Subsystems first, then devices (first_device on): init walks up, exit
 * down. Written at start-up only. */
#define PERNET_MAX 32
static const struct pernet_operations *pernet_list[PERNET_MAX];
static unsigned pernet_n, pernet_first_device;
static _Atomic unsigned netns_nalive;

unsigned netns_alive(void)
{
	return netns_nalive;
}

static int pernet_insert(const struct pernet_operations *ops, unsigned at)
{
	if (netns_nalive)
		return -EBUSY;
	if (pernet_n == PERNET_MAX)
		return -ENOSPC;
	memmove(&pernet_list[at + 1], &pernet_list[at], (pernet_n - at) * sizeof(pernet_list[0]));
	pernet_list[at] = ops;
	pernet_n++;
	return 0;
}

int register_pernet_subsys(const struct pernet_operations *ops)
{
	int err = pernet_insert(ops, pernet_first_device);

	if (!err)
		pernet_first_device++;
	return err;
}

int register_pernet_device(const struct pernet_operations *ops)
{
	return pernet_insert(ops, pernet_n);
}

int unregister_pernet_operations(const struct pernet_operations *ops)
{
	if (netns_nalive)
		return -EBUSY;
	for (unsigned i = 0; i < pernet_n; i++) {
		if (pernet_list[i] != ops)
			continue;
		memmove(&pernet_list[i], &pernet_list[i + 1],
			(pernet_n - i - 1) * sizeof(pernet_list[0]));
		pernet_n--;
		if (i < pernet_first_device)
			pernet_first_device--;
		return 0;
	}
	return -ENOENT;
}

/* Run the exits of pernet_list[from..to) in reverse. */
static void pernet_exit_range(struct netns *ns, unsigned from, unsigned to)
{
	while (to-- > from)
		if (pernet_list[to]->exit)
			pernet_list[to]->exit(ns);
}

/* ---- lifecycle ---- */

/* @ahead: built before its request, which draws ip_id (netns_create) */
static struct netns *netns_build(const char *name, struct worker *owner, bool ahead)
{
	size_t len = name ? strlen(name) : 0;
	struct netns *ns;

	if (!len || len >= NETNS_NAMSIZ)
		return NULL;
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	netns_nalive++;
	ns->owner = owner;
	memcpy(ns->name, name, len + 1);
	/* Linux starts ip_id from a random value per destination; here a
	 * random start per namespace, from the run's sequence (core/rand:
	 * new each run, fixed by --seed) */
	if (!ahead)
		ns->ip_id = (uint16_t)rand_u64();
	NS_ASSERT_OWNER(ns);

	/* the subsystems in registration order (sysctls, FIB, neighbours,
	 * ...), then the devices every namespace has (loopback) */
	for (unsigned i = 0; i < pernet_n; i++) {
		const struct pernet_operations *ops = pernet_list[i];

		if (ops->init && ops->init(ns) < 0) {
			pernet_exit_range(ns, 0, i);
			dev_backlog_purge(ns);
			dev_hash_free(ns);
			free(ns);
			netns_nalive--;
			return NULL;
		}
	}
	return ns;
}

/*
 * Namespaces built ahead on this worker (netns_create_ahead), oldest
 * first, chained through reg_next (they are not registered). The requests
 * come in the order they were built, so the first one matches.
 */
static _Thread_local struct netns *netns_ahead, *netns_ahead_tail;

void netns_create_ahead(const char *name, struct worker *owner)
{
	struct netns *ns = netns_build(name, owner, true);

	if (!ns)
		return; /* the request builds it itself (and answers the error) */
	if (netns_ahead_tail)
		netns_ahead_tail->reg_next = ns;
	else
		netns_ahead = ns;
	netns_ahead_tail = ns;
}

void netns_ahead_drop(void)
{
	struct netns *ns, *next;

	for (ns = netns_ahead; ns; ns = next) {
		next = ns->reg_next;
		ns->reg_next = NULL;
		netns_destroy(ns);
	}
	netns_ahead = netns_ahead_tail = NULL;
}

struct netns *netns_create(const char *name, struct worker *owner)
{
	struct netns **pp, *ns = NULL, *prev = NULL;

	for (pp = &netns_ahead; name && (ns = *pp); prev = ns, pp = &ns->reg_next) {
		if (ns->owner == owner && !strcmp(ns->name, name)) {
			*pp = ns->reg_next;
			if (netns_ahead_tail == ns)
				netns_ahead_tail = prev;
			ns->reg_next = NULL;
			/* its ip_id start, drawn when its request came */
			ns->ip_id = (uint16_t)rand_u64();
			return ns;
		}
	}
	return netns_build(name, owner, false);
}

void netns_destroy(struct netns *ns)
{
	struct netdev *dev;

	if (!ns)
		return;
	NS_ASSERT_OWNER(ns);
	ns->dying = true;

	/*
	 * Unregister every device but lo first, then lo: the kernel's
	 * default_device_exit_batch moves/unregisters ordinary devices and
	 * loopback_net_exit runs last, because routes and sockets may still
	 * point at lo while others go. Unregistering a veth end may remove
	 * its same-worker peer too (possibly the next device in this list),
	 * so restart from the head every time.
	 */
	for (;;) {
		for (dev = ns->dev_list; dev && dev == ns->lo; dev = dev->next)
			;
		if (!dev)
			break;
		dev_unregister(dev);
	}
	pernet_exit_range(ns, pernet_first_device, pernet_n);
	/* Frames of this namespace still waiting in the worker's backlog
	 * would otherwise outlive it (O6). */
	dev_backlog_purge(ns);
	pernet_exit_range(ns, 0, pernet_first_device);
	assert(ns->dev_list == NULL && ns->ndevs == 0);
	dev_hash_free(ns);
	free(ns);
	netns_nalive--;
}

/* ---- registry ---- */

/*
 * The registry holds up to hundreds of thousands of namespaces, so every
 * operation is O(1) or O(log n) amortised: a name hash that doubles when
 * it fills, and an array in id order (ids only grow) searched by binary
 * search. Unregistering leaves a hole (ns NULL, id kept, so the order and
 * the search stay valid); holes are squeezed out once they are half the
 * array, so deleting n namespaces in any order costs O(n log n).
 */
#define NETNS_HASH_MIN 256

struct reg_slot {
	uint32_t id;
	struct netns *ns; /* NULL: unregistered, awaiting compaction */
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct netns **reg_by_name;  /* chained through reg_next */
static unsigned reg_hsize;	    /* buckets, power of two (0 before first use) */
static uint32_t reg_next_id;	    /* last id given out */
static struct reg_slot *reg_order;  /* creation (= id) order, with holes */
static unsigned reg_n, reg_cap;	    /* slots used / allocated */
static unsigned reg_live;	    /* registered namespaces */
static struct netns *reg_last;	    /* netns_lookup_id's last answer (registered) */

static unsigned netns_name_hash(const char *name)
{
	unsigned h = 5381;

	while (*name)
		h = h * 33 + (unsigned char)*name++;
	return h & (reg_hsize - 1);
}

static struct netns *netns_lookup_locked(const char *name)
{
	struct netns *ns;

	if (!reg_hsize)
		return NULL;
	for (ns = reg_by_name[netns_name_hash(name)]; ns; ns = ns->reg_next)
		if (strcmp(ns->name, name) == 0)
			return ns;
	return NULL;
}

/* Double the name hash (or make the first one) and rehash every chain. */
static int netns_hash_grow(void)
{
	unsigned old = reg_hsize, size = old ? old * 2 : NETNS_HASH_MIN;
	struct netns **nb = calloc(size, sizeof(*nb)), **ob = reg_by_name;

	if (!nb)
		return -ENOMEM;
	reg_by_name = nb;
	reg_hsize = size;
	for (unsigned i = 0; i < old; i++) {
		struct netns *ns = ob[i], *next;

		for (; ns; ns = next) {
			unsigned h = netns_name_hash(ns->name);

			next = ns->reg_next;
			ns->reg_next = nb[h];
			nb[h] = ns;
		}
	}
	free(ob);
	return 0;
}

/* Squeeze the holes out of reg_order (order kept). */
static void netns_order_compact(void)
{
	unsigned j = 0;

	for (unsigned i = 0; i < reg_n; i++)
		if (reg_order[i].ns)
			reg_order[j++] = reg_order[i];
	reg_n = j;
}

int netns_register(struct netns *ns)
{
	unsigned h;
	int err = 0;

	pthread_mutex_lock(&reg_lock);
	if (netns_lookup_locked(ns->name)) {
		err = -EEXIST;
		goto out_unlock;
	}
	/* keep chains about one long */
	if (reg_live >= reg_hsize && (err = netns_hash_grow()) < 0)
		goto out_unlock;
	if (reg_n == reg_cap && reg_n > 2 * reg_live)
		netns_order_compact();
	if (reg_n == reg_cap) {
		unsigned cap = reg_cap ? reg_cap * 2 : 16;
		struct reg_slot *o = realloc(reg_order, cap * sizeof(*o));

		if (!o) {
			err = -ENOMEM;
			goto out_unlock;
		}
		reg_order = o;
		reg_cap = cap;
	}
	/* Ids are never reused while running: a stale id in a client never
	 * names a newer namespace (as the kernel's peernet ids). */
	ns->id = ++reg_next_id;
	reg_order[reg_n++] = (struct reg_slot){ ns->id, ns };
	reg_live++;
	h = netns_name_hash(ns->name);
	ns->reg_next = reg_by_name[h];
	reg_by_name[h] = ns;
out_unlock:
	pthread_mutex_unlock(&reg_lock);
	return err;
}

/* reg_order is sorted by id (ids increase with creation): binary search
 * for the first slot with an id >= @id. Ids are distinct and increasing,
 * so slot i holds an id of at least reg_order[0].id + i: @id cannot be
 * further in than that, and where nothing was deleted (the common case:
 * ids given out one after the other) it is exactly there, found without
 * the dozen or so cache misses of a search through 100,000 slots. */
static unsigned netns_order_lower_bound(uint32_t id)
{
	unsigned lo = 0, hi = reg_n;

	if (reg_n && id >= reg_order[0].id && id - reg_order[0].id < reg_n) {
		unsigned i = id - reg_order[0].id;

		if (reg_order[i].id == id)
			return i;
		hi = i; /* reg_order[i].id > id */
	}

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (reg_order[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void netns_unregister(struct netns *ns)
{
	struct netns **pp;
	unsigned i;

	pthread_mutex_lock(&reg_lock);
	if (reg_hsize) {
		for (pp = &reg_by_name[netns_name_hash(ns->name)]; *pp; pp = &(*pp)->reg_next) {
			if (*pp == ns) {
				*pp = ns->reg_next;
				break;
			}
		}
	}
	i = netns_order_lower_bound(ns->id);
	if (i < reg_n && reg_order[i].ns == ns) {
		reg_order[i].ns = NULL;
		reg_live--;
		/* the newest going first (a test's teardown) leaves no hole */
		while (reg_n && !reg_order[reg_n - 1].ns)
			reg_n--;
		if (reg_n > 64 && reg_n > 2 * reg_live)
			netns_order_compact();
	}
	ns->reg_next = NULL;
	if (reg_last == ns)
		reg_last = NULL;
	pthread_mutex_unlock(&reg_lock);
}

struct netns *netns_lookup(const char *name)
{
	struct netns *ns;

	if (!name)
		return NULL;
	pthread_mutex_lock(&reg_lock);
	ns = netns_lookup_locked(name);
	pthread_mutex_unlock(&reg_lock);
	return ns;
}

struct netns *netns_lookup_id(uint32_t id)
{
	struct netns *ns = NULL;
	unsigned i;

	pthread_mutex_lock(&reg_lock);
	/* A datagram's requests name the same namespace again and again (the
	 * HELLO, then each request's own lookup): the last answer first. */
	if (reg_last && reg_last->id == id) {
		ns = reg_last;
	} else {
		i = netns_order_lower_bound(id);
		if (i < reg_n && reg_order[i].id == id)
			ns = reg_last = reg_order[i].ns;
	}
	pthread_mutex_unlock(&reg_lock);
	return ns;
}

struct netns *netns_next(struct netns *prev)
{
	struct netns *ns = NULL;
	unsigned i;

	pthread_mutex_lock(&reg_lock);
	/* First namespace with an id above prev's: works even if prev was
	 * unregistered meanwhile. Holes are skipped. */
	for (i = prev ? netns_order_lower_bound(prev->id + 1) : 0; i < reg_n && !ns; i++)
		ns = reg_order[i].ns;
	pthread_mutex_unlock(&reg_lock);
	return ns;
}

unsigned netns_count(void)
{
	unsigned n;

	pthread_mutex_lock(&reg_lock);
	n = reg_live;
	pthread_mutex_unlock(&reg_lock);
	return n;
}

int netns_test_reset_ids(void)
{
	int err = -EBUSY;

	pthread_mutex_lock(&reg_lock);
	if (!reg_n) {
		reg_next_id = 0;
		err = 0;
	}
	pthread_mutex_unlock(&reg_lock);
	return err;
}
