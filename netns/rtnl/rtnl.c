// SPDX-License-Identifier: MIT
/*
 * The rtnetlink dispatcher (net/core/rtnetlink.c's rtnetlink_rcv_msg and
 * net/netlink/af_netlink.c's netlink_rcv_skb / netlink_ack): it walks the
 * nlmsgs of a datagram, routes each to its handler under the control lock,
 * and frames the answers as the kernel does — NLMSG_ERROR with the request
 * header and extended-ack text, ACKs only when asked, dumps as NLM_F_MULTI
 * parts ended by NLMSG_DONE. It also holds the reply builder, the request
 * parser with the policy rules, the link-kind registry and start-up.
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
static rtnl_notify_fn rtnl_notify_sink; /* under rtnl_mutex */

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
static void *rtnl_out_reserve_raw(struct rtnl_out *o, size_t n);

static void *rtnl_out_reserve(struct rtnl_out *o, size_t n)
{
	void *p = rtnl_out_reserve_raw(o, n);

	memset(p, 0, n);
	return p;
}

/* The same, not zeroed: the caller fills all of it. */
static void *rtnl_out_reserve_raw(struct rtnl_out *o, size_t n)
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
static _Thread_local bool rtnl_in_run;

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

/* ------------------------------------------------------ notifications */

void rtnl_set_notify(rtnl_notify_fn fn)
{
	rtnl_lock();
	rtnl_notify_sink = fn;
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
static void rtnl_ack(struct rtnl_req *r, int err)
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
static int rtnl_rcv_msg(struct rtnl_conn *c, const struct nlmsghdr *nlh, struct rtnl_out *out,
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

/* ---- grouped namespace creation (engineer V, issue 6) ---- */
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

/* A creating NEWLINK may run on the requester's owner when its kind says
 * its newlink can (rtnl_link_ops.run: veth reaches both ends through
 * rtnl_call_ns); without IFLA_INFO_KIND, or of another kind, it stays on
 * the control thread. */
static const struct rtnl_link_ops *rtnl_newlink_run_ops(const uint8_t *p, size_t len)
{
	size_t hdr = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg)), alen, klen;
	const uint8_t *info, *kind;
	char name[32];

	if (len < hdr)
		return NULL;
	info = rtnl_raw_attr(p + hdr, len - hdr, IFLA_LINKINFO, &alen);
	if (!info || !(kind = rtnl_raw_attr(info, alen, IFLA_INFO_KIND, &klen)) || !klen ||
	    klen >= sizeof(name))
		return NULL;
	memcpy(name, kind, klen);
	name[klen] = '\0';
	const struct rtnl_link_ops *ops = rtnl_link_ops_get(name);
	return ops && ops->run ? ops : NULL;
}
/*
 * DELNS runs on the owner of the namespace it names (A_NS, else A_NSID):
 * rtnl_delns then tears it down there in one go. Unknown names and the
 * default namespace stay on the control thread, whose handler answers
 * the error.
 */
static struct worker *rtnl_delns_where(const uint8_t *p, size_t len)
{
	size_t alen;
	const uint8_t *a;
	struct netns *ns = NULL;

	if ((a = rtnl_raw_attr(p + NLMSG_HDRLEN, len - NLMSG_HDRLEN, NSEMU_A_NS, &alen))) {
		char name[NETNS_NAMSIZ];
		size_t n = MIN(alen, sizeof(name) - 1);

		memcpy(name, a, n);
		name[n] = '\0';
		if (name[0])
			ns = netns_lookup(name);
	} else if ((a = rtnl_raw_attr(p + NLMSG_HDRLEN, len - NLMSG_HDRLEN, NSEMU_A_NSID,
				      &alen)) &&
		   alen >= sizeof(uint32_t)) {
		uint32_t id;

		memcpy(&id, a, sizeof(id));
		if (id)
			ns = netns_lookup_id(id);
	}
	return ns && ns != rtnl_def_ns ? ns->owner : RTNL_RUN_CONTROL;
}
/* ---- end grouped namespace creation ---- */

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
	if (!(mt->flags & RTNL_FLAG_RUN))
		return RTNL_RUN_CONTROL;
	/* NEWLINK that may create: the link kind decides (veth_newlink
	 * touches two namespaces, through rtnl_call_ns). */
	if (nlh->nlmsg_type == RTM_NEWLINK && (nlh->nlmsg_flags & NLM_F_CREATE) &&
	    !rtnl_newlink_run_ops(p, nlh->nlmsg_len))
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

/* The link kind whose ahead_add took the messages of this worker's
 * current look-ahead (NULL: none taken). */
static _Thread_local const struct rtnl_link_ops *rtnl_ahead_ops;

/*
 * Look ahead from the walk's position: HELLOs and creating NEWLINKs that
 * their kind's ahead_add takes, all of one kind (a veth pair from this
 * worker's namespace toward one other worker's). What they need elsewhere
 * is made in one call (ahead_run); returns the end of the last one taken
 * (ahead_flush is due when the walk gets there), or NULL. Nobody may
 * listen for notifications (a peer's RTM_NEWLINK would be built from the
 * far end while the request runs).
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
			size_t alen;
			const uint8_t *a;
			struct netns *ns = NULL;

			/* rtnl_hello's choice (nsemu_attr_ns) */
			if ((a = rtnl_raw_attr(p + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN,
					       NSEMU_A_NS, &alen))) {
				char name[NETNS_NAMSIZ];
				size_t n = MIN(alen, sizeof(name) - 1);

				memcpy(name, a, n);
				name[n] = '\0';
				ns = name[0] ? netns_lookup(name) : rtnl_def_ns;
			} else if ((a = rtnl_raw_attr(p + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN,
						      NSEMU_A_NSID, &alen))) {
				uint32_t id;

				if (alen < sizeof(id))
					break;
				memcpy(&id, a, sizeof(id));
				ns = id ? netns_lookup_id(id) : rtnl_def_ns;
			} else {
				ns = rtnl_def_ns;
			}
			if (!ns)
				break;
			cur = ns;
		} else if (h->nlmsg_type == RTM_NEWLINK && (h->nlmsg_flags & NLM_F_CREATE)) {
			const struct rtnl_link_ops *ops = rtnl_newlink_run_ops(p, h->nlmsg_len);

			if (!ops || !ops->ahead_add || (rtnl_ahead_ops && ops != rtnl_ahead_ops) ||
			    !ops->ahead_add(cur, h))
				break;
			rtnl_ahead_ops = ops;
			end = p + MIN(NLMSG_ALIGN(h->nlmsg_len), len);
		} else {
			break;
		}
		size_t step = MIN(NLMSG_ALIGN(h->nlmsg_len), len);
		p += step;
		len -= step;
	}
	if (end)
		rtnl_ahead_ops->ahead_run();
	*stop = end ? NULL : p;
	return end;
}

/* Finish the requests of the current look-ahead (ahead_flush). */
static void rtnl_ahead_flush(void)
{
	const struct rtnl_link_ops *ops = rtnl_ahead_ops;

	rtnl_ahead_ops = NULL;
	ops->ahead_flush();
}

/*
 * Owner: handle messages of the walk while they may run here. A look-ahead
 * that took nothing stopped at a message ahead_add refused (or at the
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
			rtnl_ahead_flush();
			pf_end = NULL;
		}
		if (!pf_end && (!pf_stop || wk->p > pf_stop))
			pf_end = rtnl_run_prefetch(wk, &pf_stop);
		if (rtnl_walk_one(wk, self) != RTNL_WALK_NEXT)
			break;
	}
	if (pf_end)
		rtnl_ahead_flush();
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
 * One kind of request does reach another worker: a veth pair whose ends
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

/* Walk the attributes of [p, p + len), using up @len: whatever is left
 * after the loop did not parse (an attribute running past the end). */
#define RTNL_PAR_FOR_EACH_ATTR(a, p, len)                                             \
	for (const struct nlattr *a = (const struct nlattr *)(p);                     \
	     (len) >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= (len);  \
	     (len) -= MIN((size_t)NLA_ALIGN(a->nla_len), (len)),                      \
	     a = (const struct nlattr *)((const uint8_t *)a + NLA_ALIGN(a->nla_len)))

/* An attribute of one end of a veth pair that a parallel stretch can
 * take: its name, MTU, address, txqlen, or IFLA_NET_NS_PID (a non-zero
 * namespace id into *ns). False for anything else. */
static bool rtnl_par_end_attr(const struct nlattr *a, uint32_t *ns)
{
	switch (a->nla_type & NLA_TYPE_MASK) {
	case IFLA_IFNAME:
	case IFLA_MTU:
	case IFLA_ADDRESS:
	case IFLA_TXQLEN:
		return true;
	case IFLA_NET_NS_PID:
		if (a->nla_len < NLA_HDRLEN + sizeof(*ns))
			return false;
		memcpy(ns, (const uint8_t *)a + NLA_HDRLEN, sizeof(*ns));
		return *ns != 0;
	default:
		return false;
	}
}

/*
 * A creating RTM_NEWLINK of kind veth, as veth_newlink reads it: *dest is
 * the first end's IFLA_NET_NS_PID (0: none), *peer the peer's. False for
 * anything else (other kinds, other ways to name a namespace, malformed
 * attributes: the ordinary path answers those).
 */
static bool rtnl_par_veth(const uint8_t *p, size_t len, uint32_t *dest, uint32_t *peer)
{
	size_t hdr = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg));
	const uint8_t *data = NULL;
	size_t dlen = 0;
	bool veth = false, info = false;

	*dest = *peer = 0;
	if (len < hdr)
		return false;
	len -= hdr;
	RTNL_PAR_FOR_EACH_ATTR(a, p + hdr, len)
	{
		size_t l2 = a->nla_len - NLA_HDRLEN;

		switch (a->nla_type & NLA_TYPE_MASK) {
		case IFLA_LINKINFO:
			if (info)
				return false; /* the parser keeps the last one */
			info = true;
			RTNL_PAR_FOR_EACH_ATTR(b, (const uint8_t *)a + NLA_HDRLEN, l2)
			{
				size_t bl = b->nla_len - NLA_HDRLEN;

				const uint8_t *kind = (const uint8_t *)b + NLA_HDRLEN;

				if ((b->nla_type & NLA_TYPE_MASK) == IFLA_INFO_KIND)
					veth = bl >= 4 && !memcmp(kind, "veth", 4) &&
					       (bl == 4 || kind[4] == 0);
				else if ((b->nla_type & NLA_TYPE_MASK) == IFLA_INFO_DATA)
					data = (const uint8_t *)b + NLA_HDRLEN, dlen = bl;
				else
					return false;
			}
			if (l2)
				return false;
			break;
		default:
			if (!rtnl_par_end_attr(a, dest))
				return false;
		}
	}
	if (len || !veth)
		return false;
	/* VETH_INFO_PEER: an ifinfomsg, then the peer's attributes */
	RTNL_PAR_FOR_EACH_ATTR(a, data, dlen)
	{
		size_t l2 = a->nla_len - NLA_HDRLEN;
		size_t ph = NLMSG_ALIGN(sizeof(struct ifinfomsg));

		if ((a->nla_type & NLA_TYPE_MASK) != VETH_INFO_PEER || l2 < ph)
			return false;
		l2 -= ph;
		RTNL_PAR_FOR_EACH_ATTR(b, (const uint8_t *)a + NLA_HDRLEN + ph, l2)
		{
			if (!rtnl_par_end_attr(b, peer))
				return false;
		}
		if (l2)
			return false;
	}
	return !dlen;
}

/* May @h (whole message at @p, aligned) be part of a parallel stretch?
 * For a HELLO, *hello_ns is the namespace it selects; for a veth pair,
 * dest/peer its ends' IFLA_NET_NS_PID (0: the requester's namespace). */
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
			*create = true;
			return h->nlmsg_type == RTM_NEWLINK && rtnl_par_veth(p, len, dest, peer);
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
		memcpy(&id, p + NLMSG_HDRLEN + NLA_HDRLEN, sizeof(id));
		*hello_ns = id ? netns_lookup_id(id) : rtnl_def_ns;
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
			conn.ns_id = hello == rtnl_def_ns ? 0 : hello->id;
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
/* ---- end parallel runs ---- */

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
	for (unsigned i = 0; i < RTNL_MAX_KINDS && rtnl_kinds[i]; i++)
		if (rtnl_kinds[i]->run_wait)
			rtnl_kinds[i]->run_wait();
	for (unsigned t = 0; t < loop_nworkers() && t < RTNL_PAR_WORKERS; t++)
		if (ahead_used[t / 64] & (1ull << (t % 64)))
			loop_call(loop_worker(t), rtnl_ahead_drop_fn, NULL);
	rtnl_unlock();
	rtnl_out_free(&notify);
	return wk.ret;
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
