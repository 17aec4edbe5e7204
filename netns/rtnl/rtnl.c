// SPDX-License-Identifier: MIT
/*
 * The rtnetlink dispatcher (net/core/rtnetlink.c's rtnetlink_rcv_msg and
 * net/netlink/af_netlink.c's netlink_rcv_skb / netlink_ack): it walks the
 * nlmsgs of a datagram, routes each to its handler under the control lock,
 * and frames the answers as the kernel does — NLMSG_ERROR with the request
 * header and extended-ack text, ACKs only when asked, dumps as NLM_F_MULTI
 * parts ended by NLMSG_DONE. It also holds the handler table
 * (rtnl_register), the reply builder, the request parser with the policy
 * rules, the namespace resolvers, the link-kind registry and start-up.
 * Where each message of a datagram runs is rtnl_sched.c's business.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "core/log.h"
#include "netns/core/dev.h"
#include "netns/ipv4/ip.h"
#include "rtnl_priv.h"

/* Recursive so that public helpers (rtnl_ns_call, rtnl_netns_delete) work
 * both from a client thread and from inside a handler. */
static pthread_mutex_t rtnl_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct netns *rtnl_def_ns;
rtnl_notify_fn rtnl_notify_sink; /* under rtnl_mutex */

void rtnl_lock(void)
{
	pthread_mutex_lock(&rtnl_mutex);
}

void rtnl_unlock(void)
{
	pthread_mutex_unlock(&rtnl_mutex);
}

/* ---------------------------------------------------------------- out */

void rtnl_out_init(struct rtnl_out *o)
{
	o->buf = NULL;
	o->len = o->cap = 0;
}

void rtnl_out_reset(struct rtnl_out *o)
{
	o->len = 0;
}

void rtnl_out_free(struct rtnl_out *o)
{
	free(o->buf);
	rtnl_out_init(o);
}

/* Make room for @n more bytes and return them zeroed. Replies are small
 * (a dump of thousands of routes is a few hundred KB); running out of
 * memory here leaves no way to answer, so it is fatal like the kernel's
 * GFP_KERNEL failure would be for a client waiting on its reply. */

static void *rtnl_out_reserve(struct rtnl_out *o, size_t n)
{
	void *p = rtnl_out_reserve_raw(o, n);

	memset(p, 0, n);
	return p;
}

/* The same, not zeroed: the caller fills all of it. */
void *rtnl_out_reserve_raw(struct rtnl_out *o, size_t n)
{
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->len + n)
			cap *= 2;
		uint8_t *b = realloc(o->buf, cap);
		if (!b) {
			log_msg(LOG_ERR, "rtnl: out of memory building a reply");
			abort();
		}
		o->buf = b;
		o->cap = cap;
	}
	void *p = o->buf + o->len;
	o->len += n;
	return p;
}

size_t rtnl_msg_start(struct rtnl_req *r, uint16_t type, uint16_t flags, const void *hdr,
		      size_t hdrlen)
{
	size_t off = r->out->len;
	struct nlmsghdr *h = rtnl_out_reserve(r->out, NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen));
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = r->nlh->nlmsg_seq;
	h->nlmsg_pid = r->c->portid;
	if (hdrlen)
		memcpy((uint8_t *)h + NLMSG_HDRLEN, hdr, hdrlen);
	h->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen));
	return off;
}

void rtnl_msg_end(struct rtnl_out *o, size_t off)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(o->buf + off);
	h->nlmsg_len = (uint32_t)(o->len - off);
}

void rtnl_msg_cancel(struct rtnl_out *o, size_t off)
{
	if (off < o->len)
		o->len = off;
}

void rtnl_put(struct rtnl_out *o, uint16_t type, const void *data, size_t len)
{
	assert(len <= 0xffff - NLA_HDRLEN);
	struct nlattr *a = rtnl_out_reserve(o, NLA_HDRLEN + NLA_ALIGN(len));
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

void rtnl_put_u8(struct rtnl_out *o, uint16_t type, uint8_t v)
{
	rtnl_put(o, type, &v, sizeof(v));
}

void rtnl_put_u16(struct rtnl_out *o, uint16_t type, uint16_t v)
{
	rtnl_put(o, type, &v, sizeof(v));
}

void rtnl_put_u32(struct rtnl_out *o, uint16_t type, uint32_t v)
{
	rtnl_put(o, type, &v, sizeof(v));
}

void rtnl_put_u64(struct rtnl_out *o, uint16_t type, uint64_t v)
{
	rtnl_put(o, type, &v, sizeof(v));
}

void rtnl_put_str(struct rtnl_out *o, uint16_t type, const char *s)
{
	rtnl_put(o, type, s, strlen(s) + 1);
}

size_t rtnl_nest_start(struct rtnl_out *o, uint16_t type)
{
	size_t off = o->len;
	struct nlattr *a = rtnl_out_reserve(o, NLA_HDRLEN);
	a->nla_type = type | NLA_F_NESTED;
	return off;
}

size_t rtnl_nest_start_noflag(struct rtnl_out *o, uint16_t type)
{
	size_t off = rtnl_nest_start(o, type);

	((struct nlattr *)(o->buf + off))->nla_type = type;
	return off;
}

void rtnl_nest_end(struct rtnl_out *o, size_t off)
{
	struct nlattr *a = (struct nlattr *)(o->buf + off);
	assert(o->len - off <= 0xffff);
	a->nla_len = (uint16_t)(o->len - off);
}

/* ------------------------------------------------------------- parsing */

static int rtnl_validate_attr(struct rtnl_req *r, const struct nlattr *a,
			      const struct nla_policy *pt)
{
	int len = nla_len(a);
	const char *data = nla_data(a);
	int minlen = 0;

	switch (pt->type) {
	case NLA_U8: case NLA_S8: minlen = 1; break;
	case NLA_U16: case NLA_S16: minlen = 2; break;
	case NLA_U32: case NLA_S32: minlen = 4; break;
	case NLA_U64: case NLA_S64: case NLA_MSECS: minlen = 8; break;
	case NLA_FLAG:
		if (len > 0)
			goto out_range;
		return 0;
	case NLA_NUL_STRING: {
		/* The NUL must be within the allowed length. */
		int n = pt->maxlen ? MIN(len, pt->maxlen + 1) : len;
		if (n <= 0 || !memchr(data, '\0', (size_t)n))
			goto out_inval;
		return 0;
	}
	case NLA_STRING:
		if (len < 1)
			goto out_range;
		if (pt->maxlen) {
			/* As the kernel: a trailing NUL does not count. */
			if (data[len - 1] == '\0')
				len--;
			if (len > pt->maxlen)
				goto out_range;
		}
		return 0;
	case NLA_BINARY:
		if (pt->maxlen && len > pt->maxlen)
			goto out_range;
		return 0;
	case NLA_NESTED:
		if (len != 0 && len < NLA_HDRLEN)
			goto out_range;
		return 0;
	default:
		break;
	}
	if (pt->minlen)
		minlen = pt->minlen;
	if (len < minlen)
		goto out_range;
	return 0;
out_range:
	EXTACK_MSG(&r->ext, "Attribute failed policy validation");
	return -ERANGE;
out_inval:
	EXTACK_MSG(&r->ext, "Attribute failed policy validation");
	return -EINVAL;
}

static int rtnl_parse_attrs(struct rtnl_req *r, const void *head, int len, struct nlattr **tb,
			    int maxtype, const struct nla_policy *policy)
{
	const struct nlattr *a = head;
	int rem = len;

	memset(tb, 0, sizeof(*tb) * (size_t)(maxtype + 1));
	/* Walk by hand so that an attribute running past the end is noticed:
	 * the kernel's strict parsing rejects those bytes as leftover. */
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem) {
		int type = nla_type(a);
		if (type > 0 && type <= maxtype) {
			if (policy) {
				int err = rtnl_validate_attr(r, a, &policy[type]);
				if (err)
					return err;
			}
			tb[type] = (struct nlattr *)a;
		}
		int step = NLA_ALIGN(a->nla_len);
		if (step > rem)
			step = rem;
		rem -= step;
		a = (const struct nlattr *)((const uint8_t *)a + step);
	}
	if (rem > 0) {
		EXTACK_MSG(&r->ext, "bytes leftover after parsing attributes");
		return -EINVAL;
	}
	return 0;
}

int rtnl_parse(struct rtnl_req *r, size_t hdrlen, struct nlattr **tb, int maxtype,
	       const struct nla_policy *policy)
{
	const struct nlmsghdr *h = r->nlh;
	if (h->nlmsg_len < NLMSG_HDRLEN + hdrlen) {
		/* __nlmsg_parse: the family header itself is cut short */
		EXTACK_MSG(&r->ext, "Invalid header length");
		return -EINVAL;
	}
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	int len = h->nlmsg_len > off ? (int)(h->nlmsg_len - off) : 0;
	return rtnl_parse_attrs(r, (const uint8_t *)h + off, len, tb, maxtype, policy);
}

int rtnl_parse_buf(struct rtnl_req *r, const void *buf, int len, struct nlattr **tb, int maxtype,
		   const struct nla_policy *policy)
{
	return rtnl_parse_attrs(r, buf, len, tb, maxtype, policy);
}

int rtnl_parse_nested(struct rtnl_req *r, const struct nlattr *nla, struct nlattr **tb,
		      int maxtype, const struct nla_policy *policy)
{
	return rtnl_parse_attrs(r, nla_data(nla), nla_len(nla), tb, maxtype, policy);
}

void rtnl_nla_strlcpy(char *buf, const struct nlattr *nla, size_t size)
{
	size_t n = (size_t)nla_len(nla);
	const char *s = nla_data(nla);
	const char *z = memchr(s, '\0', n);
	if (z)
		n = (size_t)(z - s);
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* ---------------------------------------------------------- namespaces */

struct netns *rtnl_default_ns(void)
{
	return rtnl_def_ns;
}

struct netns *rtnl_conn_ns(const struct rtnl_conn *c)
{
	if (c->ns_id == 0)
		return rtnl_def_ns;
	return netns_lookup_id(c->ns_id);
}

struct netns *rtnl_nsemu_ns(const void *name, size_t name_len, const void *id, size_t id_len,
			    bool *given)
{
	*given = true;
	if (name) {
		char buf[NETNS_NAMSIZ];
		size_t n = MIN(name_len, sizeof(buf) - 1);

		memcpy(buf, name, n);
		buf[n] = '\0';
		return buf[0] ? netns_lookup(buf) : rtnl_def_ns;
	}
	if (id) {
		uint32_t v;

		if (id_len < sizeof(v))
			return NULL;
		memcpy(&v, id, sizeof(v));
		return v ? netns_lookup_id(v) : rtnl_def_ns;
	}
	*given = false;
	return NULL;
}

struct rtnl_owner_call {
	struct rtnl_req *r;
	rtnl_handler_fn fn;
	int ret;
};

static void rtnl_owner_tramp(void *arg)
{
	struct rtnl_owner_call *oc = arg;
	oc->ret = oc->fn(oc->r);
}

/*
 * Set on a worker while it runs a run of requests for the control thread
 * (rtnl_run_fn): the control thread holds the lock and waits, so the
 * worker acts under it, and notifications wait for the control thread.
 */
_Thread_local bool rtnl_in_run;

/*
 * loop_call_sync() for the control path. From a worker inside a run, a
 * namespace of another worker (a veth peer's notification) is reached by
 * loop_call_wait: loop_call_sync refuses worker-to-worker calls in
 * general, but here no cycle can form, since only the holder of the
 * control lock starts runs and only a run waits on another worker.
 */
static void rtnl_call_sync(struct worker *w, loop_call_fn fn, void *arg)
{
	if (!rtnl_in_run)
		loop_call_sync(w, fn, arg);
	else
		loop_call_wait(w, fn, arg);
}

int rtnl_on_owner(struct rtnl_req *r, rtnl_handler_fn fn)
{
	struct rtnl_owner_call oc = { .r = r, .fn = fn };
	rtnl_call_sync(r->ns->owner, rtnl_owner_tramp, &oc);
	return oc.ret;
}

void rtnl_call_ns(struct netns *ns, loop_call_fn fn, void *arg)
{
	rtnl_call_sync(ns->owner, fn, arg);
}

struct rtnl_ns_closure {
	rtnl_ns_fn fn;
	void *arg;
	struct netns *ns;
};

static void rtnl_ns_call_tramp(void *arg)
{
	struct rtnl_ns_closure *cl = arg;
	cl->fn(cl->ns, cl->arg);
	free(cl);
}

int rtnl_ns_call(const char *name, rtnl_ns_fn fn, void *arg)
{
	int err = 0;
	rtnl_lock();
	struct netns *ns = name ? netns_lookup(name) : rtnl_def_ns;
	struct rtnl_ns_closure *cl = ns ? malloc(sizeof(*cl)) : NULL;
	if (!ns) {
		err = -ENOENT;
	} else if (!cl) {
		err = -ENOMEM;
	} else {
		/* Posted while holding the lock: a deletion of @ns (which needs
		 * the lock) queues its destroy on the same owner after this,
		 * and the owner's queue is FIFO. */
		*cl = (struct rtnl_ns_closure){ .fn = fn, .arg = arg, .ns = ns };
		loop_call(ns->owner, rtnl_ns_call_tramp, cl);
	}
	rtnl_unlock();
	return err;
}

struct rtnl_ns_sync {
	rtnl_ns_fn fn;
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static void rtnl_ns_sync_fn(struct netns *ns, void *arg)
{
	struct rtnl_ns_sync *s = arg;

	s->fn(ns, s->arg);
	pthread_mutex_lock(&s->lock);
	s->done = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

int rtnl_ns_call_sync(const char *name, rtnl_ns_fn fn, void *arg)
{
	struct rtnl_ns_sync s = { .fn = fn, .arg = arg };
	int err;

	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	err = rtnl_ns_call(name, rtnl_ns_sync_fn, &s);
	if (!err) {
		pthread_mutex_lock(&s.lock);
		while (!s.done)
			pthread_cond_wait(&s.cond, &s.lock);
		pthread_mutex_unlock(&s.lock);
	}
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);
	return err;
}

/* ------------------------------------------------------ notifications */

/* The sinks listening (the control socket server, `ip monitor` commands);
 * rtnl_notify_sink is rtnl_notify_fanout while any is set. */
#define RTNL_NOTIFY_SINKS 4
static rtnl_notify_fn rtnl_sinks[RTNL_NOTIFY_SINKS]; /* under rtnl_mutex */

static void rtnl_notify_fanout(uint32_t ns_id, unsigned group, const void *nlmsg, size_t len)
{
	for (unsigned i = 0; i < RTNL_NOTIFY_SINKS; i++)
		if (rtnl_sinks[i])
			rtnl_sinks[i](ns_id, group, nlmsg, len);
}

static void rtnl_sinks_update(void)
{
	rtnl_notify_sink = NULL;
	for (unsigned i = 0; i < RTNL_NOTIFY_SINKS; i++)
		if (rtnl_sinks[i])
			rtnl_notify_sink = rtnl_notify_fanout;
}

int rtnl_notify_add(rtnl_notify_fn fn)
{
	int err = -ENOSPC;

	rtnl_lock();
	for (unsigned i = 0; i < RTNL_NOTIFY_SINKS; i++)
		if (rtnl_sinks[i] == fn)
			err = 0;
	for (unsigned i = 0; err && i < RTNL_NOTIFY_SINKS; i++)
		if (!rtnl_sinks[i]) {
			rtnl_sinks[i] = fn;
			err = 0;
		}
	rtnl_sinks_update();
	rtnl_unlock();
	return err;
}

void rtnl_notify_del(rtnl_notify_fn fn)
{
	rtnl_lock();
	for (unsigned i = 0; i < RTNL_NOTIFY_SINKS; i++)
		if (rtnl_sinks[i] == fn)
			rtnl_sinks[i] = NULL;
	rtnl_sinks_update();
	rtnl_unlock();
}

void rtnl_set_notify(rtnl_notify_fn fn)
{
	rtnl_lock();
	memset(rtnl_sinks, 0, sizeof(rtnl_sinks));
	rtnl_sinks[0] = fn;
	rtnl_sinks_update();
	rtnl_unlock();
}

/* The records rtnl_notify.c appended: { u32 ns_id, u32 group, u32 len,
 * u32 pad } then the nlmsg, 4-aligned. Control thread, lock held. */
void rtnl_notify_flush(struct rtnl_out *notify)
{
	size_t off = 0;

	while (rtnl_notify_sink && off + 16 <= notify->len) {
		uint32_t hdr[4];
		memcpy(hdr, notify->buf + off, sizeof(hdr));
		off += sizeof(hdr);
		if (hdr[2] > notify->len - off)
			break;
		rtnl_notify_sink(hdr[0], hdr[1], notify->buf + off, hdr[2]);
		off += NLMSG_ALIGN(hdr[2]);
	}
	rtnl_out_reset(notify);
}

/* Append a record header for a notification to @ns / @group and point
 * r->out at the notification buffer until rtnl_notify_end(). */
size_t rtnl_notify_start(struct rtnl_req *r, const struct netns *ns, unsigned group)
{
	size_t rec = r->notify->len;
	uint32_t *hdr = rtnl_out_reserve(r->notify, 16);
	hdr[0] = ns == rtnl_def_ns ? 0 : ns->id;
	hdr[1] = group;
	r->out_saved = r->out;
	r->out = r->notify;
	return rec;
}

void rtnl_notify_end(struct rtnl_req *r, size_t rec)
{
	uint32_t len = (uint32_t)(r->notify->len - rec - 16);
	memcpy(r->notify->buf + rec + 8, &len, sizeof(len));
	r->out = r->out_saved;
	r->out_saved = NULL;
}

/* ------------------------------------------------------- link kinds */

#define RTNL_MAX_KINDS 16
static const struct rtnl_link_ops *rtnl_kinds[RTNL_MAX_KINDS];

void rtnl_link_register(const struct rtnl_link_ops *ops)
{
	rtnl_lock();
	for (unsigned i = 0; i < RTNL_MAX_KINDS; i++) {
		/* Registering a kind again replaces it (devices_init may run
		 * more than once in tests). */
		if (!rtnl_kinds[i] || !strcmp(rtnl_kinds[i]->kind, ops->kind)) {
			rtnl_kinds[i] = ops;
			rtnl_unlock();
			return;
		}
	}
	rtnl_unlock();
	log_msg(LOG_ERR, "rtnl: too many link kinds, %s not registered", ops->kind);
}

/* Lock-free: kinds are registered at start-up (devices_init) before any
 * request runs, and owner-side code may look a kind up while the control
 * thread holds the lock and waits for it. */
const struct rtnl_link_ops *rtnl_link_ops_get(const char *kind)
{
	for (unsigned i = 0; i < RTNL_MAX_KINDS && rtnl_kinds[i]; i++)
		if (!strcmp(rtnl_kinds[i]->kind, kind))
			return rtnl_kinds[i];
	return NULL;
}

int rtnl_link_get_net(struct netns *src, const struct nlattr *a, struct netns **nsp)
{
	uint32_t id;

	if (!a) {
		*nsp = src;
		return 0;
	}
	if (nla_len(a) < (int)sizeof(id))
		return -EINVAL;
	memcpy(&id, nla_data(a), sizeof(id));
	/* id 0 names no namespace: the default one, as everywhere else */
	*nsp = id ? netns_lookup_id(id) : rtnl_def_ns;
	return *nsp ? 0 : -ESRCH;
}

/* --------------------------------------------------------- dispatcher */

/* NSEMU_MSG_BIND / SETSOCKOPT, when a transport passes them on: what the
 * dispatcher itself needs of them (portid for stamping, NETLINK_EXT_ACK).
 * Never answered, not even with NLM_F_ACK: the shim does not wait. */
static const struct nla_policy rtnl_sock_policy[NSEMU_A_MAX + 1] = {
	[NSEMU_A_PORTID] = { .type = NLA_U32 },
	[NSEMU_A_GROUPS] = { .type = NLA_U32 },
	[NSEMU_A_OPTNAME] = { .type = NLA_U32 },
	[NSEMU_A_OPTVAL] = { .type = NLA_U32 },
};

static int rtnl_bind(struct rtnl_req *r)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	int err = rtnl_parse(r, 0, tb, NSEMU_A_MAX, rtnl_sock_policy);
	if (!err && tb[NSEMU_A_PORTID] && nla_get_u32(tb[NSEMU_A_PORTID]))
		r->c->portid = nla_get_u32(tb[NSEMU_A_PORTID]);
	return err;
}

static int rtnl_setsockopt(struct rtnl_req *r)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	int err = rtnl_parse(r, 0, tb, NSEMU_A_MAX, rtnl_sock_policy);
	if (!err && tb[NSEMU_A_OPTNAME] && tb[NSEMU_A_OPTVAL] &&
	    nla_get_u32(tb[NSEMU_A_OPTNAME]) == NETLINK_EXT_ACK)
		r->c->ext_ack = nla_get_u32(tb[NSEMU_A_OPTVAL]) != 0;
	return err;
}

/*
 * The handler table (rtnetlink's rtnl_msg_handlers[family][type]): RTM_*
 * types and nsemu's private ones, per address family. Filled at start-up
 * by each handler file's init, constant afterwards, so lookups take no
 * lock.
 */
#define RTNL_NR_RTM (RTM_MAX + 1 - RTM_BASE)
#define RTNL_NR_TYPES (RTNL_NR_RTM + NSEMU_MSG_MAX + 1 - NSEMU_MSG_BASE)
static struct rtnl_msgtype *rtnl_msg_handlers[RTNL_NFAMILY];

static int rtnl_msgindex(uint16_t type)
{
	if (type >= RTM_BASE && type <= RTM_MAX)
		return type - RTM_BASE;
	if (type >= NSEMU_MSG_BASE && type <= NSEMU_MSG_MAX)
		return RTNL_NR_RTM + (type - NSEMU_MSG_BASE);
	return -1;
}

void rtnl_register(int family, uint16_t msgtype, rtnl_handler_fn doit, rtnl_handler_fn dumpit,
		   unsigned flags)
{
	int i = rtnl_msgindex(msgtype);

	assert(family >= 0 && family < RTNL_NFAMILY && i >= 0);
	if (!rtnl_msg_handlers[family]) {
		rtnl_msg_handlers[family] = calloc(RTNL_NR_TYPES, sizeof(struct rtnl_msgtype));
		if (!rtnl_msg_handlers[family]) {
			log_msg(LOG_ERR, "rtnl: out of memory registering handlers");
			abort();
		}
	}
	rtnl_msg_handlers[family][i] = (struct rtnl_msgtype){
		.type = msgtype, .doit = doit, .dumpit = dumpit, .flags = flags,
	};
}

void rtnl_unregister(int family, uint16_t msgtype)
{
	int i = rtnl_msgindex(msgtype);

	if (family >= 0 && family < RTNL_NFAMILY && i >= 0 && rtnl_msg_handlers[family])
		memset(&rtnl_msg_handlers[family][i], 0, sizeof(struct rtnl_msgtype));
}

/* The family of a message: the first byte after the header (rtgen_family,
 * which every RTM_* family header starts with); AF_UNSPEC if there is none.
 * nsemu's private messages register under AF_UNSPEC, so whatever byte
 * they carry there selects the same handler. */
uint8_t rtnl_msg_family(const void *msg, uint32_t len)
{
	return len > NLMSG_HDRLEN ? ((const uint8_t *)msg)[NLMSG_HDRLEN] : AF_UNSPEC;
}

/* rtnetlink_rcv_msg's lookup: (family, type), else (AF_UNSPEC, type). */
const struct rtnl_msgtype *rtnl_find_type(uint8_t family, uint16_t type)
{
	int i = rtnl_msgindex(type);
	const struct rtnl_msgtype *mt;

	if (i < 0)
		return NULL;
	if (family < RTNL_NFAMILY && rtnl_msg_handlers[family]) {
		mt = &rtnl_msg_handlers[family][i];
		if (mt->doit || mt->dumpit)
			return mt;
	}
	mt = rtnl_msg_handlers[AF_UNSPEC] ? &rtnl_msg_handlers[AF_UNSPEC][i] : NULL;
	return mt && (mt->doit || mt->dumpit) ? mt : NULL;
}

/* netlink_ack(): NLMSG_ERROR with @err and the request's header only
 * (NLM_F_CAPPED), plus the extack text as NLMSGERR_ATTR_MSG when the
 * connection asked for it (NETLINK_EXT_ACK). */
void rtnl_ack(struct rtnl_req *r, int err)
{
	const char *msg = r->c->ext_ack ? r->ext.msg : NULL;
	uint16_t flags = NLM_F_CAPPED | (msg ? NLM_F_ACK_TLVS : 0);
	struct nlmsgerr e = { .error = err, .msg = *r->nlh };
	size_t off = rtnl_msg_start(r, NLMSG_ERROR, flags, &e, sizeof(e));
	if (msg)
		rtnl_put_str(r->out, NLMSGERR_ATTR_MSG, msg);
	rtnl_msg_end(r->out, off);
}

/* NLMSG_DONE ends a dump: NLM_F_MULTI, payload int 0. */
static void rtnl_done(struct rtnl_req *r)
{
	int zero = 0;
	size_t off = rtnl_msg_start(r, NLMSG_DONE, NLM_F_MULTI, &zero, sizeof(zero));
	rtnl_msg_end(r->out, off);
}

/* rtnetlink_rcv_msg + the ack part of netlink_rcv_skb for one message. */
int rtnl_rcv_msg(struct rtnl_conn *c, const struct nlmsghdr *nlh, struct rtnl_out *out,
		 struct rtnl_out *notify)
{
	struct rtnl_req r = { .c = c, .nlh = nlh, .out = out,
			      .notify = rtnl_notify_sink ? notify : NULL };
	const struct rtnl_msgtype *mt = NULL;
	size_t start = out->len;
	int err = 0;

	r.ext.msg = NULL;
	/* Only requests are handled; control messages (< NLMSG_MIN_TYPE) are
	 * skipped; both are still acked when NLM_F_ACK asks for it. */
	if (!(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE)
		goto ack;

	mt = rtnl_find_type(rtnl_msg_family(nlh, nlh->nlmsg_len), nlh->nlmsg_type);
	if (!mt) {
		err = -EOPNOTSUPP;
		goto ack;
	}
	if (mt->flags & RTNL_FLAG_NEED_NS) {
		r.ns = rtnl_conn_ns(c);
		if (!r.ns) {
			EXTACK_MSG(&r.ext, "No such namespace");
			err = -ENOENT;
			goto ack;
		}
	}
	rtnl_handler_fn fn = mt->doit;
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) && mt->dumpit;
	if (dump)
		fn = mt->dumpit;
	if (!fn) {
		err = -EOPNOTSUPP;
		goto ack;
	}
	err = fn(&r);
	/* rtnl_notify: what changed is multicast before the requester gets
	 * its ACK, also when a later step of the request failed. In a run the
	 * control thread flushes them when the run ends, still before any
	 * reply leaves: replies go out once rtnl_process() returns. */
	if (r.notify && !rtnl_in_run)
		rtnl_notify_flush(r.notify);
	if (err == RTNL_DUMPED) {
		/* A dump answers with its parts and NLMSG_DONE, never an ACK
		 * (libnl would count a stray ACK against its next request). */
		rtnl_done(&r);
		return 0;
	}
ack:
	if (mt && (mt->flags & RTNL_FLAG_NEVER_ACK))
		return err;
	if (err) {
		rtnl_msg_cancel(out, start); /* drop any half-built answer */
		rtnl_ack(&r, err);
	} else if ((nlh->nlmsg_flags & NLM_F_ACK) || (mt && (mt->flags & RTNL_FLAG_ALWAYS_ACK))) {
		rtnl_ack(&r, 0);
	}
	return err;
}

/* ---------------------------------------------------------- start-up */

int rtnl_init(void)
{
	static bool once;
	int err;

	rtnl_lock();
	if (rtnl_def_ns) {
		rtnl_unlock();
		return -EBUSY;
	}
	if (!once) {
		/* One-time tables: L3 handlers. Link kinds and lo's constructor
		 * are registered by devices_init(), which the program calls
		 * first (netns/ never names devices/). */
		inet_init();
		rtnl_register(AF_UNSPEC, NSEMU_MSG_BIND, rtnl_bind, NULL,
			      RTNL_FLAG_NEVER_ACK | RTNL_FLAG_RUN);
		rtnl_register(AF_UNSPEC, NSEMU_MSG_SETSOCKOPT, rtnl_setsockopt, NULL,
			      RTNL_FLAG_NEVER_ACK | RTNL_FLAG_RUN);
		rtnl_link_init();
		rtnl_addr_init();
		rtnl_route_init();
		rtnl_rule_init();
		rtnl_nexthop_init();
		rtnl_neigh_init();
		rtnl_netns_init();
		once = true;
	}
	struct extack ext = { 0 };
	err = rtnl_netns_create(NSEMU_DEFAULT_NS, loop_worker(0), &rtnl_def_ns, &ext);
	rtnl_unlock();
	if (err)
		log_msg(LOG_ERR, "rtnl: cannot create the default namespace: %s",
			ext.msg ? ext.msg : strerror(-err));
	return err;
}

void rtnl_exit(void)
{
	rtnl_lock();
	rtnl_netns_delete_all();
	rtnl_def_ns = NULL;
	rtnl_unlock();
}
