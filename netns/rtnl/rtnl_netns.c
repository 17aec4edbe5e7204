// SPDX-License-Identifier: MIT
/*
 * nsemu's private control messages (numbered above RTM_MAX, rtnl.h):
 * binding a connection to a namespace (HELLO), creating, deleting and
 * listing namespaces (Linux has no netlink operation for these: `ip netns`
 * works on files), sysctls by dotted key, and the counters `show drops`,
 * `nstat` and `show threads` print. Messages carry attributes right after
 * the nlmsghdr, with no family header. Namespace lifecycle runs on the
 * control thread in steps, each on the owner of what it touches, or, for
 * NEWNS with a thread and DELNS, in a run on the namespace's owner (rtnl.c
 * decides); counters are snapshots built by their owners (O5).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netns/core/dev.h"
#include "netns/ipv4/ip.h"
#include "rtnl_priv.h"

static const struct nla_policy nsemu_policy[NSEMU_A_MAX + 1] = {
	[NSEMU_A_NS] = { .type = NLA_STRING, .maxlen = NETNS_NAMSIZ - 1 },
	[NSEMU_A_NSID] = { .type = NLA_U32 },
	[NSEMU_A_PORTID] = { .type = NLA_U32 },
	[NSEMU_A_PID] = { .type = NLA_U32 },
	[NSEMU_A_THREAD] = { .type = NLA_U32 },
	[NSEMU_A_KEY] = { .type = NLA_STRING, .maxlen = 255 },
	[NSEMU_A_VALUE] = { .type = NLA_STRING, .maxlen = 255 },
	[NSEMU_A_FLAGS] = { .type = NLA_U32 },
};

static int nsemu_parse(struct rtnl_req *r, struct nlattr **tb)
{
	return rtnl_parse(r, 0, tb, NSEMU_A_MAX, nsemu_policy);
}

/* `ip netns add` accepts what can be a file name; nsemu keeps names
 * printable and short: 1..63 of [A-Za-z0-9._-], not "." or "..". */
static bool netns_valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= NETNS_NAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/* The namespace named by A_NS or A_NSID (A_NS "" or A_NSID 0: default). */
static struct netns *nsemu_attr_ns(struct nlattr **tb, bool *given)
{
	const struct nlattr *name = tb[NSEMU_A_NS], *id = tb[NSEMU_A_NSID];

	return rtnl_nsemu_ns(name ? nla_data(name) : NULL, name ? (size_t)nla_len(name) : 0,
			     id ? nla_data(id) : NULL, id ? (size_t)nla_len(id) : 0, given);
}

/* --------------------------------------------------------- lifecycle */

struct ns_create_arg {
	const char *name;
	struct worker *w;
	struct netns *ns;
};

static void ns_create_fn(void *arg)
{
	struct ns_create_arg *a = arg;
	a->ns = netns_create(a->name, a->w);
}

static void ns_destroy_fn(void *arg)
{
	netns_destroy(arg);
}

/*
 * Create and register @name on @w. The control lock is held: by the
 * caller, or, in a run on @w (NEWNS with a thread), by the control thread
 * that waits for the run, so it is not taken here.
 */
static int netns_create_locked(const char *name, struct worker *w, struct netns **nsp,
			       struct extack *ext)
{
	struct ns_create_arg a = { .name = name, .w = w };
	int err = 0;

	if (netns_lookup(name)) {
		extack_set(ext, "Namespace \"%s\" already exists", name);
		err = -EEXIST;
		goto out;
	}
	/* Built on its owner, so everything in it is born there (O1). */
	loop_call_sync(w, ns_create_fn, &a);
	if (!a.ns) {
		err = -ENOMEM;
		goto out;
	}
	err = netns_register(a.ns);
	if (err) {
		loop_call_sync(w, ns_destroy_fn, a.ns);
		goto out;
	}
	*nsp = a.ns;
out:
	return err;
}

int rtnl_netns_create(const char *name, struct worker *w, struct netns **nsp,
		      struct extack *ext)
{
	rtnl_lock();
	int err = netns_create_locked(name, w, nsp, ext);
	rtnl_unlock();
	return err;
}

/* cleanup_net: unlisted first (nobody finds it any more), then destroyed
 * on its owner with its devices; a veth peer on another worker goes by
 * messages, and the namespace is gone for good once they are done. */
static void netns_delete_locked(struct netns *ns)
{
	netns_unregister(ns);
	loop_call_sync(ns->owner, ns_destroy_fn, ns);
	dev_async_wait();
}

int rtnl_netns_delete(struct netns *ns, struct extack *ext)
{
	rtnl_lock();
	if (ns == rtnl_default_ns()) {
		rtnl_unlock();
		EXTACK_MSG(ext, "Cannot delete the default namespace");
		return -EBUSY;
	}
	netns_delete_locked(ns);
	rtnl_unlock();
	return 0;
}

void rtnl_netns_delete_all(void)
{
	rtnl_lock();
	unsigned n = netns_count(), i = 0;
	struct netns **all = calloc(n ? n : 1, sizeof(*all));
	if (all) {
		for (struct netns *ns = netns_next(NULL); ns && i < n; ns = netns_next(ns))
			all[i++] = ns;
		while (i > 0)
			netns_delete_locked(all[--i]); /* newest first */
		free(all);
	}
	rtnl_unlock();
}

/* ------------------------------------------------------------ HELLO */

int rtnl_hello(struct rtnl_req *r)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	bool given;
	int err = nsemu_parse(r, tb);
	if (err)
		return err;
	struct netns *ns = nsemu_attr_ns(tb, &given);
	if (given && !ns) {
		EXTACK_MSG(&r->ext, "No such namespace");
		return -ENOENT;
	}
	if (!given)
		ns = rtnl_default_ns();
	r->c->ns_id = ns == rtnl_default_ns() ? 0 : ns->id;
	if (tb[NSEMU_A_PORTID])
		r->c->portid = nla_get_u32(tb[NSEMU_A_PORTID]);
	return 0;
}

/* -------------------------------------------------- NEWNS/DELNS/GETNS */

/* Owner of r->ns: the NEWNS message that describes it. */
static int ns_fill_owner(struct rtnl_req *r)
{
	uint16_t flags = *(uint16_t *)r->priv;
	size_t off = rtnl_msg_start(r, NSEMU_MSG_NEWNS, flags, NULL, 0);
	rtnl_put_str(r->out, NSEMU_A_NS, r->ns->name);
	rtnl_put_u32(r->out, NSEMU_A_NSID, r->ns->id);
	rtnl_put_u32(r->out, NSEMU_A_THREAD, loop_worker_id(r->ns->owner));
	rtnl_put_u32(r->out, NSEMU_A_NDEVS, r->ns->ndevs);
	rtnl_msg_end(r->out, off);
	return 0;
}

/* Build something about @ns on its owner, whatever r->ns is. */
static int ns_on_owner(struct rtnl_req *r, struct netns *ns, rtnl_handler_fn fn, void *priv)
{
	struct netns *self = r->ns;
	void *save = r->priv;
	r->ns = ns;
	r->priv = priv;
	int err = rtnl_on_owner(r, fn);
	r->ns = self;
	r->priv = save;
	return err;
}

int rtnl_newns(struct rtnl_req *r)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	char name[NETNS_NAMSIZ];
	struct netns *ns;
	int err = nsemu_parse(r, tb);
	if (err)
		return err;
	if (!tb[NSEMU_A_NS]) {
		EXTACK_MSG(&r->ext, "Namespace name is required");
		return -EINVAL;
	}
	rtnl_nla_strlcpy(name, tb[NSEMU_A_NS], sizeof(name));
	if (!netns_valid_name(name)) {
		EXTACK_MSG(&r->ext, "Invalid namespace name");
		return -EINVAL;
	}
	unsigned nw = loop_nworkers();
	unsigned t;
	if (tb[NSEMU_A_THREAD]) {
		t = nla_get_u32(tb[NSEMU_A_THREAD]);
		if (t >= nw) {
			extack_set(&r->ext, "Thread %u does not exist (%u workers)", t, nw);
			return -EINVAL;
		}
	} else {
		static unsigned rr; /* round robin, under the control lock */
		t = rr++ % nw;
	}
	/* With a thread this may be a run on that worker (rtnl.c): the
	 * control thread holds the lock for it. */
	err = netns_create_locked(name, loop_worker(t), &ns, &r->ext);
	if (err)
		return err;
	if (r->nlh->nlmsg_flags & NLM_F_ECHO) {
		uint16_t flags = 0;
		ns_on_owner(r, ns, ns_fill_owner, &flags);
	}
	return 0;
}

int rtnl_delns(struct rtnl_req *r)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	bool given;
	int err = nsemu_parse(r, tb);
	if (err)
		return err;
	struct netns *ns = nsemu_attr_ns(tb, &given);
	if (!given) {
		EXTACK_MSG(&r->ext, "Namespace name or id is required");
		return -EINVAL;
	}
	if (!ns) {
		EXTACK_MSG(&r->ext, "No such namespace");
		return -ENOENT;
	}
	if (rtnl_in_run && loop_current() != ns->owner) {
		/* a run was placed by another of its NSEMU_A_NS attributes */
		EXTACK_MSG(&r->ext, "Namespace given twice");
		return -EINVAL;
	}
	if (loop_current() == ns->owner && ns != rtnl_default_ns()) {
		/* a run on the owner (rtnl.c's rtnl_delns_where) */
		rtnl_netns_destroy_here(ns);
		return 0;
	}
	return rtnl_netns_delete(ns, &r->ext);
}

/*
 * On the owner, in a run whose control lock the control thread holds:
 * unlist @ns and destroy it here in one go, as cleanup_net does. A veth
 * peer on this worker goes with its end at once; one on another worker
 * gets its PEER_GONE posted (O6), ahead of any later request to that
 * worker, and the control thread waits for the pair to be freed once the
 * datagram's runs are over (dev_async_wait in rtnl_process), not this run.
 */
void rtnl_netns_destroy_here(struct netns *ns)
{
	netns_unregister(ns);
	netns_destroy(ns);
}

int rtnl_getns(struct rtnl_req *r)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	bool given;
	int err = nsemu_parse(r, tb);
	if (err)
		return err;
	struct netns *ns = nsemu_attr_ns(tb, &given);
	if (!given)
		return rtnl_dumpns(r);
	if (!ns) {
		EXTACK_MSG(&r->ext, "No such namespace");
		return -ENOENT;
	}
	uint16_t flags = 0;
	return ns_on_owner(r, ns, ns_fill_owner, &flags);
}

/* The owner-side part of a namespace dump: each worker snapshots the
 * device counts of the namespaces it owns (O5), in one call per worker
 * rather than one per namespace, so `ip netns list` with 100,000
 * namespaces costs two hand-offs, not 100,000. */
struct ns_dump {
	struct netns **ns;
	uint32_t *ndevs;
	size_t n;
	struct worker *w;
};

static void ns_dump_owner(void *arg)
{
	struct ns_dump *d = arg;

	for (size_t i = 0; i < d->n; i++)
		if (d->ns[i]->owner == d->w)
			d->ndevs[i] = d->ns[i]->ndevs;
}

/* Every namespace but the default one, in creation order, as `ip netns
 * list` never shows the initial namespace. Name, id and worker never
 * change after creation, so the control thread (which holds the control
 * lock, keeping the registry still) fills them in itself. */
int rtnl_dumpns(struct rtnl_req *r)
{
	struct ns_dump d = { 0 };
	size_t cap = netns_count();

	/* On a worker (a run of messages), reach the others per namespace as
	 * before: a worker never waits on another worker's queue directly. */
	if (loop_current() && loop_nworkers() > 1) {
		uint16_t flags = NLM_F_MULTI;
		for (struct netns *ns = netns_next(NULL); ns; ns = netns_next(ns))
			if (ns != rtnl_default_ns())
				ns_on_owner(r, ns, ns_fill_owner, &flags);
		return RTNL_DUMPED;
	}

	d.ns = calloc(cap ? cap : 1, sizeof(*d.ns));
	d.ndevs = calloc(cap ? cap : 1, sizeof(*d.ndevs));
	if (!d.ns || !d.ndevs) {
		free(d.ns);
		free(d.ndevs);
		return -ENOMEM;
	}
	for (struct netns *ns = netns_next(NULL); ns && d.n < cap; ns = netns_next(ns))
		if (ns != rtnl_default_ns())
			d.ns[d.n++] = ns;
	for (unsigned i = 0; i < loop_nworkers() && d.n; i++) {
		d.w = loop_worker(i);
		loop_call_sync(d.w, ns_dump_owner, &d);
	}
	for (size_t i = 0; i < d.n; i++) {
		size_t off = rtnl_msg_start(r, NSEMU_MSG_NEWNS, NLM_F_MULTI, NULL, 0);
		rtnl_put_str(r->out, NSEMU_A_NS, d.ns[i]->name);
		rtnl_put_u32(r->out, NSEMU_A_NSID, d.ns[i]->id);
		rtnl_put_u32(r->out, NSEMU_A_THREAD, loop_worker_id(d.ns[i]->owner));
		rtnl_put_u32(r->out, NSEMU_A_NDEVS, d.ndevs[i]);
		rtnl_msg_end(r->out, off);
	}
	free(d.ns);
	free(d.ndevs);
	return RTNL_DUMPED;
}

/* ------------------------------------------------------------ sysctl */

struct sysctl_req {
	struct nlattr *tb[NSEMU_A_MAX + 1];
	char key[256];
	char value[256];
};

static void sysctl_fill(struct rtnl_req *r, const char *key, const char *val, uint16_t flags)
{
	size_t off = rtnl_msg_start(r, NSEMU_MSG_SYSCTL_GET, flags, NULL, 0);
	rtnl_put_str(r->out, NSEMU_A_KEY, key);
	rtnl_put_str(r->out, NSEMU_A_VALUE, val);
	rtnl_msg_end(r->out, off);
}

static int sysctl_get_owner(struct rtnl_req *r)
{
	struct sysctl_req *sr = r->priv;
	int err = sysctl_get(r->ns, sr->key, sr->value, sizeof(sr->value));
	if (err) {
		if (err == -ENOENT)
			extack_set(&r->ext, "cannot stat /proc/sys/%s: No such file or directory",
				   sr->key);
		return err;
	}
	sysctl_fill(r, sr->key, sr->value, 0);
	return 0;
}

static int sysctl_set_owner(struct rtnl_req *r)
{
	struct sysctl_req *sr = r->priv;
	int err = sysctl_set(r->ns, sr->key, sr->value, &r->ext);
	if (err || !(r->nlh->nlmsg_flags & NLM_F_ECHO))
		return err;
	if (!sysctl_get(r->ns, sr->key, sr->value, sizeof(sr->value)))
		sysctl_fill(r, sr->key, sr->value, 0);
	return 0;
}

static int sysctl_parse(struct rtnl_req *r, struct sysctl_req *sr, bool need_value)
{
	int err = nsemu_parse(r, sr->tb);
	if (err)
		return err;
	if (!sr->tb[NSEMU_A_KEY] || (need_value && !sr->tb[NSEMU_A_VALUE])) {
		EXTACK_MSG(&r->ext, need_value ? "Key and value are required" : "Key is required");
		return -EINVAL;
	}
	rtnl_nla_strlcpy(sr->key, sr->tb[NSEMU_A_KEY], sizeof(sr->key));
	if (sr->tb[NSEMU_A_VALUE])
		rtnl_nla_strlcpy(sr->value, sr->tb[NSEMU_A_VALUE], sizeof(sr->value));
	r->priv = sr;
	return 0;
}

int rtnl_sysctl_get(struct rtnl_req *r)
{
	struct sysctl_req sr;
	int err = sysctl_parse(r, &sr, false);
	return err ? err : rtnl_on_owner(r, sysctl_get_owner);
}

int rtnl_sysctl_set(struct rtnl_req *r)
{
	struct sysctl_req sr;
	int err = sysctl_parse(r, &sr, true);
	return err ? err : rtnl_on_owner(r, sysctl_set_owner);
}

struct sysctl_dump {
	struct rtnl_req *r;
	const char *prefix;
	size_t plen;
};

static void sysctl_dump_one(const char *key, const char *val, void *arg)
{
	struct sysctl_dump *d = arg;
	if (!strncmp(key, d->prefix, d->plen))
		sysctl_fill(d->r, key, val, NLM_F_MULTI);
}

static int sysctl_dump_owner(struct rtnl_req *r)
{
	struct sysctl_req *sr = r->priv;
	struct sysctl_dump d = { .r = r, .prefix = sr->key, .plen = strlen(sr->key) };
	sysctl_walk(r->ns, sysctl_dump_one, &d);
	return RTNL_DUMPED;
}

/* Every key (sysctl -a), or those starting with the optional A_KEY. */
int rtnl_sysctl_dump(struct rtnl_req *r)
{
	struct sysctl_req sr;
	int err = nsemu_parse(r, sr.tb);
	if (err)
		return err;
	sr.key[0] = '\0';
	if (sr.tb[NSEMU_A_KEY])
		rtnl_nla_strlcpy(sr.key, sr.tb[NSEMU_A_KEY], sizeof(sr.key));
	r->priv = &sr;
	return rtnl_on_owner(r, sysctl_dump_owner);
}

/* ---------------------------------------------------------- counters */

static void cnt_put(struct rtnl_out *o, const char *name, uint64_t v, const char *text)
{
	size_t c = rtnl_nest_start(o, NSEMU_A_CNT);
	rtnl_put_str(o, NSEMU_A_CNT_NAME, name);
	rtnl_put_u64(o, NSEMU_A_CNT_VALUE, v);
	if (text)
		rtnl_put_str(o, NSEMU_A_CNT_TEXT, text);
	rtnl_nest_end(o, c);
}

/* One namespace's drop message: its non-zero counters (@reason[i],
 * @value[i], @n of them), their total, and what reassembly holds now
 * (Linux: /proc/net/sockstat "FRAG: memory"). */
static void drops_put(struct rtnl_req *r, uint16_t flags, const char *name,
		      const uint8_t *reason, const uint64_t *value, unsigned n, uint64_t frag)
{
	struct rtnl_out *o = r->out;
	size_t off = rtnl_msg_start(r, NSEMU_MSG_GETDROPS, flags, NULL, 0);
	rtnl_put_str(o, NSEMU_A_NS, name);
	size_t cs = rtnl_nest_start(o, NSEMU_A_COUNTERS);
	uint64_t total = 0;
	for (unsigned i = 0; i < n; i++) {
		total += value[i];
		cnt_put(o, drop_reason_names[reason[i]], value[i], drop_reason_text[reason[i]]);
	}
	cnt_put(o, "TOTAL", total, "all drops in this namespace");
	rtnl_nest_end(o, cs);
	rtnl_put_u64(o, NSEMU_A_FRAG_MEM, frag);
	rtnl_msg_end(o, off);
}

/* The non-zero drop counters of @ns into @reason/@value (DROP_MAX
 * each); returns how many. Owner. */
static unsigned drops_snap(const struct netns *ns, uint8_t *reason, uint64_t *value)
{
	unsigned n = 0;

	for (int i = 0; i < DROP_MAX; i++) {
		if (!ns->drop[i])
			continue;
		reason[n] = (uint8_t)i;
		value[n++] = ns->drop[i];
	}
	return n;
}

/* Owner: r->ns's message. */
static int drops_fill_owner(struct rtnl_req *r)
{
	uint8_t reason[DROP_MAX];
	uint64_t value[DROP_MAX];
	unsigned n = drops_snap(r->ns, reason, value);

	drops_put(r, *(uint16_t *)r->priv, r->ns->name, reason, value, n, ipfrag_mem(r->ns));
	return 0;
}

/*
 * `show drops all`, as rtnl_dumpns: one call per worker snapshots the
 * counters of the namespaces it owns (most have none, so the snapshot is
 * a few bytes a namespace), then the control thread writes the messages
 * in registry order. One hand-off per namespace took seconds at 100,000
 * namespaces and held the control lock meanwhile.
 */
static_assert(DROP_MAX <= 255, "a drop reason and a count fit in a byte");

struct drops_dump {
	struct netns **ns;
	struct drops_snapshot {
		uint32_t first;	 /* in reason[]/value[] */
		uint8_t n;
		uint64_t frag;
	} *snap;
	uint8_t *reason;
	uint64_t *value;
	size_t n, used, cap;	 /* namespaces; pairs used and allocated */
	struct worker *w;
	bool nomem;
};

static void drops_dump_owner(void *arg)
{
	struct drops_dump *d = arg;

	for (size_t i = 0; i < d->n && !d->nomem; i++) {
		struct netns *ns = d->ns[i];

		if (ns->owner != d->w)
			continue;
		if (d->cap - d->used < DROP_MAX) {
			size_t cap = d->cap * 2 + DROP_MAX;
			uint8_t *reason = realloc(d->reason, cap);
			uint64_t *value = reason ? realloc(d->value, cap * sizeof(*value)) : NULL;

			if (reason)
				d->reason = reason;
			if (!value) {
				d->nomem = true;
				break;
			}
			d->value = value;
			d->cap = cap;
		}
		d->snap[i].first = (uint32_t)d->used;
		d->snap[i].n = (uint8_t)drops_snap(ns, d->reason + d->used, d->value + d->used);
		d->snap[i].frag = ipfrag_mem(ns);
		d->used += d->snap[i].n;
	}
}

static int drops_dump(struct rtnl_req *r)
{
	struct drops_dump d = { 0 };
	size_t cap = netns_count() + 1;
	int err = 0;

	/* On a worker (a run of messages) reach the others per namespace:
	 * a worker never waits on another worker's queue directly. */
	if (loop_current() && loop_nworkers() > 1) {
		uint16_t flags = NLM_F_MULTI;
		for (struct netns *ns = netns_next(NULL); ns; ns = netns_next(ns))
			ns_on_owner(r, ns, drops_fill_owner, &flags);
		return RTNL_DUMPED;
	}
	d.ns = calloc(cap, sizeof(*d.ns));
	d.snap = calloc(cap, sizeof(*d.snap));
	if (!d.ns || !d.snap) {
		err = -ENOMEM;
		goto out;
	}
	for (struct netns *ns = netns_next(NULL); ns && d.n < cap; ns = netns_next(ns))
		d.ns[d.n++] = ns;
	for (unsigned i = 0; i < loop_nworkers() && !d.nomem; i++) {
		d.w = loop_worker(i);
		loop_call_sync(d.w, drops_dump_owner, &d);
	}
	if (d.nomem) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < d.n; i++)
		drops_put(r, NLM_F_MULTI, d.ns[i]->name, d.reason + d.snap[i].first,
			  d.value + d.snap[i].first, d.snap[i].n, d.snap[i].frag);
	err = RTNL_DUMPED;
out:
	free(d.ns);
	free(d.snap);
	free(d.reason);
	free(d.value);
	return err;
}

/* The connection's namespace, or with A_FLAGS 1 a dump of all of them. */
int rtnl_getdrops(struct rtnl_req *r)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	int err = nsemu_parse(r, tb);
	if (err)
		return err;
	if (tb[NSEMU_A_FLAGS] && (nla_get_u32(tb[NSEMU_A_FLAGS]) & 1))
		return drops_dump(r);
	uint16_t flags = 0;
	return ns_on_owner(r, r->ns, drops_fill_owner, &flags);
}

static int mib_fill_owner(struct rtnl_req *r)
{
	struct rtnl_out *o = r->out;
	size_t off = rtnl_msg_start(r, NSEMU_MSG_GETMIB, 0, NULL, 0);
	rtnl_put_str(o, NSEMU_A_NS, r->ns->name);
	size_t cs = rtnl_nest_start(o, NSEMU_A_COUNTERS);
	for (int i = 0; i < MIB_MAX; i++)
		cnt_put(o, mib_names[i], r->ns->mib[i], NULL);
	rtnl_nest_end(o, cs);
	rtnl_msg_end(o, off);
	return 0;
}

/* Every MIB counter of the connection's namespace, zeros included. */
int rtnl_getmib(struct rtnl_req *r)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	int err = nsemu_parse(r, tb);
	return err ? err : rtnl_on_owner(r, mib_fill_owner);
}

struct thread_snap {
	struct worker *w;
	struct loop_stats st;
};

static void thread_snap_fn(void *arg)
{
	struct thread_snap *s = arg;
	s->st = *loop_stats(s->w);
}

/* One message per worker: its loop statistics (a snapshot taken on the
 * worker) and the names of the namespaces it owns. */
int rtnl_getthreads(struct rtnl_req *r)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	int err = nsemu_parse(r, tb);
	if (err)
		return err;
	struct rtnl_out *o = r->out;
	for (unsigned i = 0; i < loop_nworkers(); i++) {
		struct thread_snap s = { .w = loop_worker(i) };
		loop_call_sync(s.w, thread_snap_fn, &s);
		size_t off = rtnl_msg_start(r, NSEMU_MSG_GETTHREADS, NLM_F_MULTI, NULL, 0);
		rtnl_put_u32(o, NSEMU_A_THREAD, i);
		size_t cs = rtnl_nest_start(o, NSEMU_A_COUNTERS);
		cnt_put(o, "calls", s.st.calls, "cross-thread calls run");
		cnt_put(o, "tasks", s.st.tasks, "task runs");
		cnt_put(o, "pkts", s.st.pkts, "packets processed");
		cnt_put(o, "busy_ns", s.st.busy_ns, "time spent in callbacks (ns)");
		rtnl_nest_end(o, cs);
		/* owner and name never change after creation: registry data */
		for (struct netns *ns = netns_next(NULL); ns; ns = netns_next(ns))
			if (ns->owner == s.w)
				rtnl_put_str(o, NSEMU_A_NS, ns->name);
		rtnl_msg_end(o, off);
	}
	return RTNL_DUMPED;
}

/* nsemu's private messages carry no family header: AF_UNSPEC. */
void rtnl_netns_init(void)
{
	const unsigned ns_run = RTNL_FLAG_NEED_NS | RTNL_FLAG_RUN;

	rtnl_register(AF_UNSPEC, NSEMU_MSG_HELLO, rtnl_hello, NULL,
		      RTNL_FLAG_ALWAYS_ACK | RTNL_FLAG_RUN);
	rtnl_register(AF_UNSPEC, NSEMU_MSG_NEWNS, rtnl_newns, NULL, 0);
	rtnl_register(AF_UNSPEC, NSEMU_MSG_DELNS, rtnl_delns, NULL, 0);
	rtnl_register(AF_UNSPEC, NSEMU_MSG_GETNS, rtnl_getns, rtnl_dumpns, 0);
	rtnl_register(AF_UNSPEC, NSEMU_MSG_SYSCTL_GET, rtnl_sysctl_get, rtnl_sysctl_dump, ns_run);
	rtnl_register(AF_UNSPEC, NSEMU_MSG_SYSCTL_SET, rtnl_sysctl_set, NULL, ns_run);
	rtnl_register(AF_UNSPEC, NSEMU_MSG_SYSCTL_DUMP, rtnl_sysctl_dump, rtnl_sysctl_dump, ns_run);
	rtnl_register(AF_UNSPEC, NSEMU_MSG_GETDROPS, rtnl_getdrops, NULL, RTNL_FLAG_NEED_NS);
	rtnl_register(AF_UNSPEC, NSEMU_MSG_GETMIB, rtnl_getmib, NULL, ns_run);
	rtnl_register(AF_UNSPEC, NSEMU_MSG_GETTHREADS, rtnl_getthreads, rtnl_getthreads, 0);
}
