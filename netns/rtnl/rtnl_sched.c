// SPDX-License-Identifier: MIT
/*
 * The request scheduler: where each message of a datagram runs. rtnl.c's
 * dispatcher handles one message; this file walks a datagram and hands
 * consecutive messages that may run on one worker (the owner of the
 * connection's namespace) to it in one call (a run), cuts stretches of
 * messages for several workers into runs that go at once (parallel
 * stretches), and builds ahead what a run will need elsewhere: the
 * namespaces of a stretch of NEWNS, and the peers of pairs (rtnl_peer.c).
 * What it knows of a link kind is its rtnl_link_ops.peer_type: which
 * namespaces a request that makes a pair touches (rtnl_pair_req_read). Replies and errors stay per
 * message and in message order, exactly as one message after the other
 * on the control thread would leave them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "core/mem.h"
#include "netns/core/dev.h"
#include "rtnl_priv.h"

/* Where a message may be handled (rtnl_run_where): on the control thread
 * only, anywhere (no namespace state, or an error without a handler), or
 * on one worker, the owner of the connection's namespace. */
#define RTNL_RUN_CONTROL ((struct worker *)NULL)
#define RTNL_RUN_ANY ((struct worker *)1)

/* The payload of the first attribute of @type in the attribute stream
 * [p, p + len), which need not be aligned (headers are copied out), and
 * its length; NULL if absent. */
static const uint8_t *rtnl_raw_attr(const uint8_t *p, size_t len, uint16_t type, size_t *alen)
{
	while (len >= NLA_HDRLEN) {
		struct nlattr a;

		memcpy(&a, p, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len)
			return NULL;
		if ((a.nla_type & NLA_TYPE_MASK) == type) {
			*alen = a.nla_len - NLA_HDRLEN;
			return p + NLA_HDRLEN;
		}
		size_t step = NLA_ALIGN(a.nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return NULL;
}

/* ---- where NEWNS, creating NEWLINKs and DELNS run ---- */
/*
 * NEWNS with NSEMU_A_THREAD: the namespace is built on that worker anyway
 * (netns_create runs on its owner; the registry has its own mutex), so it
 * may run in a run there, and a datagram of NEWNS grouped by worker costs
 * one hand-off per group. Without the attribute (round robin) or with a
 * bad one (the handler answers the error) it stays on the control thread.
 */
static struct worker *rtnl_newns_where(const uint8_t *p, size_t len)
{
	size_t alen;
	const uint8_t *a = rtnl_raw_attr(p + NLMSG_HDRLEN, len - NLMSG_HDRLEN, NSEMU_A_THREAD, &alen);
	uint32_t t;

	if (!a || alen < sizeof(t))
		return RTNL_RUN_CONTROL;
	memcpy(&t, a, sizeof(t));
	return t < loop_nworkers() ? loop_worker(t) : RTNL_RUN_CONTROL;
}

/*
 * DELNS runs on the owner of the namespace it names (A_NS, else A_NSID):
 * rtnl_delns then tears it down there in one go. Unknown names and the
 * default namespace stay on the control thread, whose handler answers
 * the error.
 */
static struct worker *rtnl_delns_where(const uint8_t *p, size_t len)
{
	const uint8_t *body = p + NLMSG_HDRLEN;
	size_t blen = len - NLMSG_HDRLEN, nlen = 0, ilen = 0;
	const uint8_t *name = rtnl_raw_attr(body, blen, NSEMU_A_NS, &nlen);
	const uint8_t *id = rtnl_raw_attr(body, blen, NSEMU_A_NSID, &ilen);
	bool given;
	struct netns *ns = rtnl_nsemu_ns(name, nlen, id, ilen, &given);

	return ns && ns != rtnl_default_ns() ? ns->owner : RTNL_RUN_CONTROL;
}

/* @p: the whole message (nlh is its header, copied), maybe unaligned. */
static struct worker *rtnl_run_where(const struct rtnl_conn *c, const struct nlmsghdr *nlh,
				     const uint8_t *p)
{
	if (!(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return RTNL_RUN_ANY;
	const struct rtnl_msgtype *mt =
		rtnl_find_type(rtnl_msg_family(p, nlh->nlmsg_len), nlh->nlmsg_type);
	if (!mt)
		return RTNL_RUN_ANY;
	if (nlh->nlmsg_type == NSEMU_MSG_NEWNS)
		return rtnl_newns_where(p, nlh->nlmsg_len);
	if (nlh->nlmsg_type == NSEMU_MSG_DELNS)
		return rtnl_delns_where(p, nlh->nlmsg_len);
	/* A creating NEWLINK runs here too: the core makes each device on
	 * its namespace's owner through rtnl_call_ns, whatever the kind. */
	if (!(mt->flags & RTNL_FLAG_RUN))
		return RTNL_RUN_CONTROL;
	if (!(mt->flags & RTNL_FLAG_NEED_NS))
		return RTNL_RUN_ANY;
	struct netns *ns = rtnl_conn_ns(c);
	return ns ? ns->owner : RTNL_RUN_ANY;
}

/* A datagram being walked: the rest of it, and what the walk found. */
struct rtnl_walk {
	struct rtnl_conn *c;
	const uint8_t *p;
	size_t len;
	struct rtnl_out *out, *notify;
	int ret;
	bool first;
	bool fixed; /* a parallel run's share: every message runs here */
};

enum { RTNL_WALK_NEXT, RTNL_WALK_END, RTNL_WALK_STOP };

/*
 * Handle the next message of @wk if @only is NULL or it may run on @only
 * (which is then the current worker); RTNL_WALK_STOP leaves it for the
 * control thread. netlink_rcv_skb's checks: a header that lies about its
 * length ends the walk, answered only if it is the first.
 */
static int rtnl_walk_one(struct rtnl_walk *wk, struct worker *only)
{
	struct nlmsghdr h;

	if (wk->len < NLMSG_HDRLEN)
		return RTNL_WALK_END;
	memcpy(&h, wk->p, sizeof(h)); /* the datagram need not be aligned */
	if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > wk->len) {
		/* Trailing bytes after real messages are padding (`ip` sends
		 * zeroed tails); a first header that lies is answered. */
		if (only)
			return RTNL_WALK_STOP;
		if (wk->first) {
			struct rtnl_req r = { .c = wk->c, .nlh = &h, .out = wk->out };
			EXTACK_MSG(&r.ext, "Invalid message length");
			rtnl_ack(&r, -EINVAL);
			wk->ret = -EINVAL;
		}
		return RTNL_WALK_END;
	}
	if (only && !wk->fixed) {
		struct worker *w = rtnl_run_where(wk->c, &h, wk->p);
		if (w != RTNL_RUN_ANY && w != only)
			return RTNL_WALK_STOP;
	}
	/* Handlers read the message in place; copy it when it is not
	 * 4-byte aligned so nla accessors stay well defined. */
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)wk->p;
	void *copy = NULL;
	if ((uintptr_t)wk->p & 3) {
		copy = malloc(h.nlmsg_len);
		if (!copy) {
			if (only)
				return RTNL_WALK_STOP; /* the control thread ends it */
			wk->ret = -ENOMEM;
			return RTNL_WALK_END;
		}
		memcpy(copy, wk->p, h.nlmsg_len);
		nlh = copy;
	}
	int err = rtnl_rcv_msg(wk->c, nlh, wk->out, wk->notify);
	free(copy);
	if (err)
		wk->ret = err;
	wk->first = false;
	size_t step = NLMSG_ALIGN(h.nlmsg_len);
	if (step > wk->len)
		step = wk->len;
	wk->p += step;
	wk->len -= step;
	return RTNL_WALK_NEXT;
}

/*
 * Look ahead from the walk's position: HELLOs and creating NEWLINKs of a
 * pair kind that rtnl_peer_ahead_add takes (pairs from this worker's
 * namespaces toward one other worker's). Their peers are made there in
 * one call (rtnl_peer_ahead_run); returns the end of the last one taken
 * (rtnl_peer_ahead_flush is due when the walk gets there), or NULL. Nobody
 * may listen for notifications (a peer's RTM_NEWLINK would be built before
 * its kind finished it).
 */
static const uint8_t *rtnl_run_prefetch(const struct rtnl_walk *wk, const uint8_t **stop)
{
	const uint8_t *p = wk->p, *end = NULL;
	size_t len = wk->len;
	struct netns *cur = rtnl_conn_ns(wk->c);

	if (rtnl_notify_sink)
		return NULL;
	while (len >= NLMSG_HDRLEN && !((uintptr_t)p & 3)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)p;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len ||
		    !(h->nlmsg_flags & NLM_F_REQUEST))
			break;
		if (h->nlmsg_type == NSEMU_MSG_HELLO) {
			const uint8_t *body = p + NLMSG_HDRLEN;
			size_t blen = h->nlmsg_len - NLMSG_HDRLEN, nlen = 0, ilen = 0;
			const uint8_t *name = rtnl_raw_attr(body, blen, NSEMU_A_NS, &nlen);
			const uint8_t *id = rtnl_raw_attr(body, blen, NSEMU_A_NSID, &ilen);
			bool given;
			/* rtnl_hello's choice */
			struct netns *ns = rtnl_nsemu_ns(name, nlen, id, ilen, &given);

			if (!given)
				ns = rtnl_default_ns();
			if (!ns)
				break;
			cur = ns;
		} else if (rtnl_peer_ahead_add(cur, h)) {
			end = p + MIN(NLMSG_ALIGN(h->nlmsg_len), len);
		} else {
			break;
		}
		size_t step = MIN(NLMSG_ALIGN(h->nlmsg_len), len);
		p += step;
		len -= step;
	}
	if (end)
		rtnl_peer_ahead_run();
	*stop = end ? NULL : p;
	return end;
}

/*
 * Owner: handle messages of the walk while they may run here. A look-ahead
 * that took nothing stopped at a message rtnl_peer_ahead_add refused (or at the
 * end): until the walk is past it, looking again from a later message would
 * only go over the same HELLOs and refuse the same message (nothing but
 * HELLOs lies before it, and they change no state), so each message is
 * looked at once, not once per message before it.
 */
static void rtnl_run_fn(void *arg)
{
	struct rtnl_walk *wk = arg;
	struct worker *self = loop_current();
	const uint8_t *pf_end = NULL, *pf_stop = NULL;

	/* Messages to other workers (a veth end's PEER_GONE) are held until
	 * the run ends or waits on another worker: nothing can see them
	 * earlier (loop_post). */
	rtnl_in_run = true;
	loop_post_hold();
	for (;;) {
		if (pf_end && wk->p >= pf_end) {
			rtnl_peer_ahead_flush();
			pf_end = NULL;
		}
		if (!pf_end && (!pf_stop || wk->p > pf_stop))
			pf_end = rtnl_run_prefetch(wk, &pf_stop);
		if (rtnl_walk_one(wk, self) != RTNL_WALK_NEXT)
			break;
	}
	if (pf_end)
		rtnl_peer_ahead_flush();
	loop_post_release();
	rtnl_in_run = false;
}

/* ---- parallel runs ---- */
/*
 * A datagram that configures namespaces of several workers (`bench netns`:
 * each worker's namespaces, then the hub; a topology script's addresses
 * and routes) would keep one worker busy at a time, the others idle while
 * the control thread waits. When every message of a stretch only changes
 * the namespace it is sent to, the order between messages of different
 * workers cannot be seen, so the stretch is cut into runs by worker and
 * they all start at once, each worker's in order (its queue is FIFO);
 * the replies are put together in message order afterwards, exactly as the
 * runs one after the other would have left them.
 *
 * Such a message (rtnl_par_msg): RTM_NEWADDR/DELADDR, RTM_NEWROUTE/
 * DELROUTE, RTM_NEWLINK/SETLINK that cannot create and changes only the
 * device's flags, name, MTU, address or queue length (no namespace move,
 * no kind data), and a HELLO naming a namespace by id. They read no other
 * namespace and wait on no other worker; a veth end going up tells its
 * peer's owner asynchronously, as it always did (the peer's carrier
 * follows when the message arrives: the same end state in either order).
 * Nothing that reads state (GET*, dumps), creates or deletes namespaces,
 * deletes links or sets sysctls, and nothing at all while a listener
 * waits for notifications (they would interleave across workers). The
 * registry cannot change meanwhile: only the holder of the control lock
 * changes it, and it is waiting.
 *
 * One kind of request does reach another worker: a pair (veth) whose ends
 * (IFLA_NET_NS_PID, the peer's) live elsewhere, made through calls to
 * their owners (rtnl_call_sync). Such a call joins the other worker's
 * queue behind every run of the stretch posted to it, so it is allowed
 * only toward a worker whose runs all come earlier in the stretch: it then
 * runs after them, as in order, and nothing later on that worker can see
 * it early. A run on a worker that an earlier run calls ends the stretch.
 * Calls thus only ever wait on earlier runs, never in a cycle. (`bench
 * netns`: each worker's veths to the hub, the hub's worker first.)
 */
#define RTNL_PAR_MAX 256	  /* runs in one stretch */
#define RTNL_PAR_WORKERS 256 /* workers it tracks (loop.c allows 254) */

struct rtnl_par {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned pending;
};

struct rtnl_par_run {
	struct rtnl_walk wk;
	struct rtnl_conn conn; /* the connection as the run starts, then as it ends */
	struct rtnl_out out;
	struct worker *w;
	struct rtnl_par *par;
};

/* May @h (whole message at @p, aligned) be part of a parallel stretch?
 * For a HELLO, *hello_ns is the namespace it selects; for a pair (the
 * only creating request a stretch takes: it touches just the namespaces
 * of its two ends), dest/peer its ends' IFLA_NET_NS_PID (0: the
 * requester's namespace). */
static bool rtnl_par_msg(const struct nlmsghdr *h, const uint8_t *p, struct netns **hello_ns,
			 uint32_t *dest, uint32_t *peer, bool *create)
{
	size_t len = h->nlmsg_len, hdr, alen;

	*create = false;
	if (!(h->nlmsg_flags & NLM_F_REQUEST))
		return false;
	switch (h->nlmsg_type) {
	case RTM_NEWADDR:
	case RTM_DELADDR:
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return true;
	case RTM_NEWLINK:
	case RTM_SETLINK:
		if (h->nlmsg_flags & NLM_F_CREATE) {
			struct rtnl_pair_req pr;

			*create = true;
			if (!rtnl_pair_req_read(h, &pr))
				return false;
			*dest = pr.ns_id;
			*peer = pr.peer_ns_id;
			return true;
		}
		hdr = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg));
		if (len < hdr)
			return true; /* answered -EINVAL by its own worker */
		for (p += hdr, len -= hdr; len >= NLA_HDRLEN;) {
			const struct nlattr *a = (const struct nlattr *)p;

			if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
				return false;
			switch (a->nla_type & NLA_TYPE_MASK) {
			case IFLA_IFNAME:
			case IFLA_MTU:
			case IFLA_ADDRESS:
			case IFLA_TXQLEN:
				break;
			default:
				return false;
			}
			alen = MIN((size_t)NLA_ALIGN(a->nla_len), len);
			p += alen;
			len -= alen;
		}
		return true;
	case NSEMU_MSG_HELLO: {
		/* exactly one attribute, A_NSID of a live namespace */
		const struct nlattr *a = (const struct nlattr *)(p + NLMSG_HDRLEN);
		uint32_t id;

		if (len != NLMSG_HDRLEN + NLA_HDRLEN + sizeof(id) ||
		    a->nla_len != NLA_HDRLEN + sizeof(id) ||
		    (a->nla_type & NLA_TYPE_MASK) != NSEMU_A_NSID)
			return false;
		bool given;

		*hello_ns = rtnl_nsemu_ns(NULL, 0, p + NLMSG_HDRLEN + NLA_HDRLEN, sizeof(id),
					  &given);
		return *hello_ns != NULL;
	}
	default:
		return false;
	}
}

static void rtnl_run_fn(void *arg);

static void rtnl_par_run_fn(void *arg)
{
	struct rtnl_par_run *pr = arg;
	struct rtnl_par *par = pr->par;

	rtnl_run_fn(&pr->wk);
	pthread_mutex_lock(&par->lock);
	if (!--par->pending)
		pthread_cond_signal(&par->cond);
	pthread_mutex_unlock(&par->lock);
}

/*
 * From @wk's position: a stretch of messages for at least two workers?
 * Then run it in parallel, append its replies to wk->out and move past it;
 * false leaves everything to the ordinary path. Control thread, lock held.
 */
static bool rtnl_par_try(struct rtnl_walk *wk)
{
	struct rtnl_par_run *runs = NULL, *cur = NULL;
	struct rtnl_conn conn = *wk->c;
	struct netns *conn_ns = NULL; /* rtnl_conn_ns(&conn), looked up once */
	struct rtnl_par par;
	const uint8_t *p = wk->p;
	size_t len = wk->len;
	unsigned n = 0, cap = 0;
	bool multi = false;
	/* workers that a run of the stretch calls (veth ends made there) */
	uint64_t called[RTNL_PAR_WORKERS / 64] = { 0 };

	if (rtnl_notify_sink || loop_nworkers() < 2 || loop_nworkers() > RTNL_PAR_WORKERS)
		return false;
	while (len >= NLMSG_HDRLEN && !((uintptr_t)p & 3) && n < RTNL_PAR_MAX) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)p;
		struct netns *ns = NULL, *hello = NULL, *ends[2] = { NULL, NULL };
		uint32_t dest, peer;
		bool create;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len ||
		    !rtnl_par_msg(h, p, &hello, &dest, &peer, &create))
			break;
		if (!hello) {
			/* a request: on its namespace's owner */
			if (!conn_ns)
				conn_ns = rtnl_conn_ns(&conn);
			ns = conn_ns;
			if (!ns)
				break; /* the ordinary path answers ENOENT */
		} else if (!cur) {
			ns = hello; /* a stretch starting with a HELLO: its target */
		}
		if (create) {
			/* where the veth's ends go: each must be this run's
			 * worker or one with no later run (see above) */
			ends[0] = dest ? netns_lookup_id(dest) : ns;
			ends[1] = peer ? netns_lookup_id(peer) : ns;
			if (!ends[0] || !ends[1])
				break;
		}
		if (ns && (!cur || cur->w != ns->owner)) {
			unsigned wi = loop_worker_id(ns->owner);

			if (called[wi / 64] & (1ull << (wi % 64)))
				break; /* an earlier run calls this worker */
			if (n == cap) {
				unsigned c2 = cap ? 2 * cap : 8;
				struct rtnl_par_run *r2 = realloc(runs, c2 * sizeof(*r2));

				if (!r2)
					break;
				runs = r2;
				cap = c2;
			}
			cur = &runs[n++];
			memset(cur, 0, sizeof(*cur));
			cur->w = ns->owner;
			cur->conn = conn;
			cur->wk.p = p;
			multi |= cur->w != runs[0].w;
		}
		for (unsigned e = 0; e < 2; e++) {
			if (ends[e] && ends[e]->owner != cur->w) {
				unsigned wi = loop_worker_id(ends[e]->owner);

				called[wi / 64] |= 1ull << (wi % 64);
			}
		}
		if (hello) {
			conn.ns_id = hello == rtnl_default_ns() ? 0 : hello->id;
			conn_ns = hello;
		}
		size_t step = MIN(NLMSG_ALIGN(h->nlmsg_len), len);
		p += step;
		len -= step;
		cur->wk.len = (size_t)(p - cur->wk.p);
	}
	if (!multi) {
		free(runs);
		return false;
	}

	pthread_mutex_init(&par.lock, NULL);
	pthread_cond_init(&par.cond, NULL);
	par.pending = n;
	for (unsigned i = 0; i < n; i++) {
		struct rtnl_par_run *pr = &runs[i];

		pr->wk.c = &pr->conn;
		pr->wk.out = &pr->out;
		pr->wk.notify = wk->notify; /* unused: nobody listens */
		pr->wk.fixed = true;
		rtnl_out_init(&pr->out);
		pr->par = &par;
	}
	/* all posted before any wait: every worker starts at once */
	for (unsigned i = 0; i < n; i++)
		loop_call(runs[i].w, rtnl_par_run_fn, &runs[i]);
	pthread_mutex_lock(&par.lock);
	while (par.pending)
		pthread_cond_wait(&par.cond, &par.lock);
	pthread_mutex_unlock(&par.lock);
	pthread_cond_destroy(&par.cond);
	pthread_mutex_destroy(&par.lock);

	for (unsigned i = 0; i < n; i++) {
		struct rtnl_par_run *pr = &runs[i];

		/* every message ran (fixed runs do not stop early) */
		assert(pr->wk.len == 0);
		if (pr->out.len)
			memcpy(rtnl_out_reserve_raw(wk->out, pr->out.len), pr->out.buf,
			       pr->out.len);
		if (pr->wk.ret)
			wk->ret = pr->wk.ret;
		rtnl_out_free(&pr->out);
	}
	*wk->c = runs[n - 1].conn;
	wk->p = p;
	wk->len = len;
	wk->first = false;
	free(runs);
	return true;
}

/*
 * NEWNS for several workers (`bench netns` sends each worker's together):
 * the runs register the namespaces and answer one worker after the other,
 * in message order, so ids and errors stay what that order gives; but the
 * building (netns_create: tables, lo, the memory they touch first) is most
 * of the work and is seen by nobody until registration. So the control
 * thread first hands each worker the names of its stretch to build ahead
 * (netns_create_ahead, posted before the runs, so it comes first on each
 * worker), and the workers build them at the same time; each request's
 * netns_create then takes its namespace ready-made. What no request took
 * (a name already used, a request that failed) is destroyed at the end of
 * the datagram (netns_ahead_drop, before any later request on the worker).
 */
#define RTNL_AHEAD_MAX 1024 /* NEWNS looked at in one stretch */
#define RTNL_RELEASE_NETNS 64 /* namespaces one datagram deletes: mem_release */

struct rtnl_ahead {
	struct worker *w;
	unsigned n;
	char name[][NETNS_NAMSIZ];
};

static void rtnl_ahead_fn(void *arg)
{
	struct rtnl_ahead *a = arg;

	for (unsigned i = 0; i < a->n; i++)
		netns_create_ahead(a->name[i], a->w);
	free(a);
}

static void rtnl_ahead_drop_fn(void *arg)
{
	netns_ahead_drop();
}

/* A NEWNS with a valid NSEMU_A_THREAD and a name that fits: its worker
 * index and name; false for anything else. */
static bool rtnl_ahead_msg(const struct nlmsghdr *h, const uint8_t *p, unsigned *t, char *name)
{
	size_t alen;
	const uint8_t *a;
	uint32_t th;

	if (h->nlmsg_type != NSEMU_MSG_NEWNS || !(h->nlmsg_flags & NLM_F_REQUEST))
		return false;
	a = rtnl_raw_attr(p + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN, NSEMU_A_THREAD, &alen);
	if (!a || alen < sizeof(th))
		return false;
	memcpy(&th, a, sizeof(th));
	if (th >= loop_nworkers())
		return false;
	a = rtnl_raw_attr(p + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN, NSEMU_A_NS, &alen);
	if (!a || !alen || !memchr(a, '\0', MIN(alen, (size_t)NETNS_NAMSIZ)))
		return false;
	memcpy(name, a, strnlen((const char *)a, NETNS_NAMSIZ - 1) + 1);
	*t = th;
	return name[0] != '\0';
}

/*
 * From @wk's position: a stretch of NEWNS for at least two workers? Hand
 * each worker its names to build ahead, mark it in @used (its leftovers
 * are dropped at the end) and return the end of the stretch, before which
 * nothing is looked at again. Control thread, lock held.
 */
/* Is @name new in @seen (2 * RTNL_AHEAD_MAX slots)? Then it is added.
 * A hash match counts as a repeat: at worst the stretch ends early. */
static bool rtnl_ahead_first(uint32_t *seen, const char *name)
{
	uint32_t h = 2166136261u, i;

	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	h |= 1;
	for (i = h & (2 * RTNL_AHEAD_MAX - 1); seen[i]; i = (i + 1) & (2 * RTNL_AHEAD_MAX - 1))
		if (seen[i] == h)
			return false;
	seen[i] = h;
	return true;
}

static const uint8_t *rtnl_ahead_try(const struct rtnl_walk *wk, uint64_t *used)
{
	const uint8_t *p = wk->p;
	size_t len = wk->len;
	unsigned nw = loop_nworkers(), k = 0, workers = 0;
	struct rtnl_ahead **a;
	char name[NETNS_NAMSIZ];
	/* hashes of the names taken (0: free): a name twice ends the stretch,
	 * so a namespace built ahead is never one a later request reuses */
	uint32_t seen[2 * RTNL_AHEAD_MAX] = { 0 };

	if (nw < 2 || nw > RTNL_PAR_WORKERS || len < NLMSG_HDRLEN || ((uintptr_t)p & 3) ||
	    ((const struct nlmsghdr *)p)->nlmsg_type != NSEMU_MSG_NEWNS ||
	    !(a = calloc(nw, sizeof(*a))))
		return p;
	while (len >= NLMSG_HDRLEN && !((uintptr_t)p & 3) && k < RTNL_AHEAD_MAX) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)p;
		unsigned t;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len || !rtnl_ahead_msg(h, p, &t, name) ||
		    !rtnl_ahead_first(seen, name))
			break;
		k++;
		/* a name already used is answered EEXIST: nothing to build */
		if (!netns_lookup(name)) {
			if (!a[t]) {
				a[t] = malloc(sizeof(**a) + RTNL_AHEAD_MAX * sizeof(a[t]->name[0]));
				if (!a[t])
					break;
				a[t]->w = loop_worker(t);
				a[t]->n = 0;
				workers++;
			}
			memcpy(a[t]->name[a[t]->n++], name, sizeof(name));
		}
		size_t step = MIN(NLMSG_ALIGN(h->nlmsg_len), len);
		p += step;
		len -= step;
	}
	for (unsigned t = 0; t < nw; t++) {
		if (!a[t])
			continue;
		if (workers < 2) {
			free(a[t]); /* one worker: its run builds them as fast */
			continue;
		}
		used[t / 64] |= 1ull << (t % 64);
		loop_call(a[t]->w, rtnl_ahead_fn, a[t]);
	}
	free(a);
	return p;
}

/*
 * Consecutive messages that may run on the same worker (the owner of the
 * connection's namespace, which a HELLO in the run may change) go there
 * in one loop_call_sync instead of one or more per message: a datagram of
 * a thousand requests to a few namespaces costs a few thread hand-offs.
 * Replies and errors come per message in order, as before; the rest runs
 * on the control thread as it always did.
 */
int rtnl_process(struct rtnl_conn *c, const void *buf, size_t len, struct rtnl_out *out)
{
	struct rtnl_out notify;
	struct rtnl_walk wk = { .c = c, .p = buf, .len = len, .out = out, .notify = &notify,
				.first = true };
	const uint8_t *ahead_end = NULL;
	uint64_t ahead_used[RTNL_PAR_WORKERS / 64] = { 0 };

	if (len < NLMSG_HDRLEN)
		return -EINVAL; /* no header to answer to: the kernel ignores it too */

	rtnl_out_init(&notify);
	rtnl_lock();
	unsigned nns = netns_count();
	for (;;) {
		struct nlmsghdr h;
		struct worker *w = RTNL_RUN_CONTROL;

		if (wk.p >= ahead_end)
			ahead_end = rtnl_ahead_try(&wk, ahead_used);
		if (rtnl_par_try(&wk))
			continue;
		if (wk.len >= NLMSG_HDRLEN) {
			memcpy(&h, wk.p, sizeof(h));
			if (h.nlmsg_len >= NLMSG_HDRLEN && h.nlmsg_len <= wk.len)
				w = rtnl_run_where(c, &h, wk.p);
		}
		if (w != RTNL_RUN_CONTROL && w != RTNL_RUN_ANY) {
			loop_call_sync(w, rtnl_run_fn, &wk);
			if (notify.len)
				rtnl_notify_flush(&notify);
			continue;
		}
		if (rtnl_walk_one(&wk, NULL) != RTNL_WALK_NEXT)
			break;
	}
	/* What deletions in runs left in flight (DELNS: a veth pair across
	 * workers) is finished before the replies leave, as if each had
	 * waited on the control thread. */
	dev_async_wait();
	for (unsigned t = 0; t < loop_nworkers() && t < RTNL_PAR_WORKERS; t++)
		if (ahead_used[t / 64] & (1ull << (t % 64)))
			loop_call(loop_worker(t), rtnl_ahead_drop_fn, NULL);
	/* A large deletion gives its pages back now (`ip -batch` of netns
	 * del), not when the allocator's decay gets to them. */
	if (netns_count() + RTNL_RELEASE_NETNS <= nns)
		mem_release();
	rtnl_unlock();
	rtnl_out_free(&notify);
	return wk.ret;
}

