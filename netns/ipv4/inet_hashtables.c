// SPDX-License-Identifier: MIT
/*
 * TCP's port space in one namespace, as net/ipv4/inet_hashtables.c and
 * inet_connection_sock.c: the established hash (every socket with a peer,
 * SYN_RECV children and TIME_WAIT included, found by its 4-tuple in O(1)),
 * the listening hash (by port), and the bind buckets (one per local port
 * in use, listing its owners) where bind, listen and connect find a port
 * with the kernel's EADDRINUSE rules. The tables are made with the
 * namespace's first TCP socket. Owner thread only.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/rand.h"
#include "tcp.h"

#define EHASH_SIZE 1024 /* buckets; chains grow past that */
#define LHASH_SIZE 32
#define BHASH_SIZE 256

struct inet_bind_bucket {
	struct inet_bind_bucket *next;
	uint16_t port;
	struct tcp_sock *owners; /* chained by bind_next */
};

struct inet_hashinfo {
	struct tcp_sock *ehash[EHASH_SIZE];
	struct tcp_sock *lhash[LHASH_SIZE];
	struct inet_bind_bucket *bhash[BHASH_SIZE];
	struct tcp_sock *all;	/* every TCP socket, for ss and teardown */
	uint32_t hash_secret;
	uint16_t rover;		/* last ephemeral port tried */
};

struct inet_hashinfo *inet_hashinfo_get(struct netns *ns, bool create)
{
	if (!ns->tcp_hashinfo && create) {
		ns->tcp_hashinfo = calloc(1, sizeof(*ns->tcp_hashinfo));
		if (ns->tcp_hashinfo)
			ns->tcp_hashinfo->hash_secret = (uint32_t)rand_u64();
	}
	return ns->tcp_hashinfo;
}

/* inet_ehashfn: a mix of the 4-tuple and a per-namespace secret, so
 * chains cannot be aimed at from outside. */
static unsigned inet_ehashfn(const struct inet_hashinfo *h, uint32_t laddr, uint16_t lport,
			     uint32_t raddr, uint16_t rport)
{
	uint32_t x = laddr ^ (raddr * 0x9e3779b1u) ^ ((uint32_t)lport << 16 | rport) ^ h->hash_secret;

	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x & (EHASH_SIZE - 1);
}

void inet_sk_list_add(struct tcp_sock *tp)
{
	struct inet_hashinfo *h = tp->sk.ns->tcp_hashinfo;

	tp->all_next = h->all;
	if (h->all)
		h->all->all_pprev = &tp->all_next;
	h->all = tp;
	tp->all_pprev = &h->all;
}

void inet_sk_list_del(struct tcp_sock *tp)
{
	if (!tp->all_pprev)
		return;
	*tp->all_pprev = tp->all_next;
	if (tp->all_next)
		tp->all_next->all_pprev = tp->all_pprev;
	tp->all_pprev = NULL;
	tp->all_next = NULL;
}

void inet_sk_for_each(struct netns *ns, void (*fn)(struct tcp_sock *tp, void *arg), void *arg)
{
	struct tcp_sock *tp, *next;

	if (!ns->tcp_hashinfo)
		return;
	/* @fn may free the socket it is given (a listener's children). */
	for (tp = ns->tcp_hashinfo->all; tp; tp = next) {
		next = tp->all_next;
		fn(tp, arg);
	}
}

void inet_ehash_insert(struct tcp_sock *tp)
{
	struct inet_hashinfo *h = tp->sk.ns->tcp_hashinfo;
	struct tcp_sock **pp;

	if (tp->ehashed)
		return;
	pp = &h->ehash[inet_ehashfn(h, tp->sk.saddr, tp->sk.num, tp->sk.daddr, tp->sk.dport)];
	tp->ehash_next = *pp;
	*pp = tp;
	tp->ehashed = true;
}

void inet_ehash_remove(struct tcp_sock *tp)
{
	struct inet_hashinfo *h = tp->sk.ns->tcp_hashinfo;
	struct tcp_sock **pp;

	if (!tp->ehashed)
		return;
	pp = &h->ehash[inet_ehashfn(h, tp->sk.saddr, tp->sk.num, tp->sk.daddr, tp->sk.dport)];
	while (*pp && *pp != tp)
		pp = &(*pp)->ehash_next;
	if (*pp)
		*pp = tp->ehash_next;
	tp->ehash_next = NULL;
	tp->ehashed = false;
}

struct tcp_sock *inet_lookup_established(struct netns *ns, uint32_t laddr, uint16_t lport,
					 uint32_t raddr, uint16_t rport)
{
	struct inet_hashinfo *h = ns->tcp_hashinfo;
	struct tcp_sock *tp;

	if (!h)
		return NULL;
	for (tp = h->ehash[inet_ehashfn(h, laddr, lport, raddr, rport)]; tp; tp = tp->ehash_next)
		if (tp->sk.saddr == laddr && tp->sk.num == lport && tp->sk.daddr == raddr &&
		    tp->sk.dport == rport)
			return tp;
	return NULL;
}

void inet_lhash_insert(struct tcp_sock *tp)
{
	struct inet_hashinfo *h = tp->sk.ns->tcp_hashinfo;
	struct tcp_sock **pp = &h->lhash[tp->sk.num % LHASH_SIZE];

	if (tp->lhashed)
		return;
	tp->lhash_next = *pp;
	*pp = tp;
	tp->lhashed = true;
}

void inet_lhash_remove(struct tcp_sock *tp)
{
	struct inet_hashinfo *h = tp->sk.ns->tcp_hashinfo;
	struct tcp_sock **pp;

	if (!tp->lhashed)
		return;
	pp = &h->lhash[tp->sk.num % LHASH_SIZE];
	while (*pp && *pp != tp)
		pp = &(*pp)->lhash_next;
	if (*pp)
		*pp = tp->lhash_next;
	tp->lhash_next = NULL;
	tp->lhashed = false;
}

/* __inet_lookup_listener's score, reduced to what one family has: a
 * listener bound to @laddr beats one bound to any address. */
struct tcp_sock *inet_lookup_listener(struct netns *ns, uint32_t laddr, uint16_t lport)
{
	struct inet_hashinfo *h = ns->tcp_hashinfo;
	struct tcp_sock *tp, *any = NULL;

	if (!h)
		return NULL;
	for (tp = h->lhash[lport % LHASH_SIZE]; tp; tp = tp->lhash_next) {
		if (tp->sk.num != lport)
			continue;
		if (tp->sk.rcv_saddr == laddr)
			return tp;
		if (!tp->sk.rcv_saddr && !any)
			any = tp;
	}
	return any;
}

static struct inet_bind_bucket *inet_bind_bucket_find(struct inet_hashinfo *h, uint16_t port)
{
	struct inet_bind_bucket *tb;

	for (tb = h->bhash[port % BHASH_SIZE]; tb; tb = tb->next)
		if (tb->port == port)
			return tb;
	return NULL;
}

/* inet_bind_bucket_create: NULL on no memory. */
static struct inet_bind_bucket *inet_bind_bucket_create(struct inet_hashinfo *h, uint16_t port)
{
	struct inet_bind_bucket *tb = calloc(1, sizeof(*tb));

	if (!tb)
		return NULL;
	tb->port = port;
	tb->next = h->bhash[port % BHASH_SIZE];
	h->bhash[port % BHASH_SIZE] = tb;
	return tb;
}

static void inet_bind_bucket_destroy(struct inet_hashinfo *h, struct inet_bind_bucket *tb)
{
	struct inet_bind_bucket **pp = &h->bhash[tb->port % BHASH_SIZE];

	while (*pp != tb)
		pp = &(*pp)->next;
	*pp = tb->next;
	free(tb);
}

static void inet_bind_hash(struct tcp_sock *tp, struct inet_bind_bucket *tb, uint16_t port)
{
	tp->sk.num = port;
	tp->tb = tb;
	tp->bind_next = tb->owners;
	tb->owners = tp;
}

/*
 * inet_csk_bind_conflict - does another owner of @tb stop @tp? Addresses
 * overlap when either is the wildcard or both are equal; SO_REUSEADDR on
 * both lets them share unless the other one listens (or @tp is about to,
 * and the other one does).
 */
static bool inet_csk_bind_conflict(const struct tcp_sock *tp, const struct inet_bind_bucket *tb)
{
	const struct tcp_sock *o;

	for (o = tb->owners; o; o = o->bind_next) {
		if (o == tp)
			continue;
		if (tp->sk.reuse && o->sk.reuse && o->state != TCP_LISTEN)
			continue;
		if (!tp->sk.rcv_saddr || !o->sk.rcv_saddr || tp->sk.rcv_saddr == o->sk.rcv_saddr)
			return true;
	}
	return false;
}

/* A port of ip_local_port_range that nobody holds, after the rover. */
static int inet_pick_ephemeral(struct netns *ns, struct inet_hashinfo *h, uint16_t *port)
{
	unsigned lo = (unsigned)ns->sysctl.ip_local_port_range[0];
	unsigned hi = (unsigned)ns->sysctl.ip_local_port_range[1];
	unsigned i;

	for (i = 0; i <= hi - lo; i++) {
		unsigned next = (unsigned)h->rover + 1;

		if (next < lo || next > hi)
			next = lo;
		h->rover = (uint16_t)next;
		if (!inet_bind_bucket_find(h, (uint16_t)next)) {
			*port = (uint16_t)next;
			return 0;
		}
	}
	return -EADDRINUSE;
}

int inet_csk_get_port(struct tcp_sock *tp, uint16_t port, bool listen)
{
	struct inet_hashinfo *h = inet_hashinfo_get(tp->sk.ns, true);
	struct inet_bind_bucket *tb;

	if (!h)
		return -ENOMEM;
	if (listen) {
		/* inet_csk_listen_start: the socket's own bucket again, now
		 * that it will listen. */
		return tp->tb && inet_csk_bind_conflict(tp, tp->tb) ? -EADDRINUSE : 0;
	}
	if (!port) {
		if (inet_pick_ephemeral(tp->sk.ns, h, &port))
			return -EADDRINUSE;
	}
	tb = inet_bind_bucket_find(h, port);
	if (tb && inet_csk_bind_conflict(tp, tb))
		return -EADDRINUSE;
	if (!tb && !(tb = inet_bind_bucket_create(h, port)))
		return -ENOMEM;
	inet_bind_hash(tp, tb, port);
	return 0;
}

int inet_hash_connect(struct tcp_sock *tp)
{
	struct inet_hashinfo *h = inet_hashinfo_get(tp->sk.ns, true);
	struct inet_bind_bucket *tb;
	uint16_t port;

	if (!h)
		return -ENOMEM;
	if (inet_pick_ephemeral(tp->sk.ns, h, &port))
		return -EADDRNOTAVAIL;
	tb = inet_bind_bucket_create(h, port);
	if (!tb)
		return -ENOMEM;
	inet_bind_hash(tp, tb, port);
	return 0;
}

void inet_inherit_port(struct tcp_sock *parent, struct tcp_sock *child)
{
	inet_bind_hash(child, parent->tb, parent->sk.num);
}

/* inet_put_port: leave the bucket (and free it when it empties). */
void inet_put_port(struct tcp_sock *tp)
{
	struct inet_bind_bucket *tb = tp->tb;
	struct tcp_sock **pp;

	if (!tb)
		return;
	for (pp = &tb->owners; *pp && *pp != tp; pp = &(*pp)->bind_next)
		;
	if (*pp)
		*pp = tp->bind_next;
	tp->bind_next = NULL;
	tp->tb = NULL;
	if (!tb->owners)
		inet_bind_bucket_destroy(tp->sk.ns->tcp_hashinfo, tb);
}

/* The namespace is going: the tables (every socket already freed). */
void inet_hashinfo_exit(struct netns *ns)
{
	struct inet_hashinfo *h = ns->tcp_hashinfo;
	unsigned i;

	if (!h)
		return;
	for (i = 0; i < BHASH_SIZE; i++) {
		while (h->bhash[i]) {
			struct inet_bind_bucket *tb = h->bhash[i];

			h->bhash[i] = tb->next;
			free(tb);
		}
	}
	free(h);
	ns->tcp_hashinfo = NULL;
}
