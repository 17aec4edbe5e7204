// SPDX-License-Identifier: MIT
/*
 * `bench netns [--count N]`: what a namespace costs. It creates N
 * namespaces the way a user would build a star (each: lo up, one veth to a
 * hub namespace, a /30 address on each end, a default route via the hub),
 * every step an rtnetlink request through the control path, then deletes
 * them. Like a netlink client that knows what it wants (`ip -batch`,
 * libnl's caches), it sends many requests per datagram to rtnl_process(),
 * the entry point of the control socket: NSEMU_MSG_HELLO inside a
 * datagram selects the namespace for the requests after it, and the
 * dispatcher hands each run of requests for one worker over at once; the
 * bench places the namespaces on the workers itself (NSEMU_A_THREAD,
 * round robin) and groups every step by worker, namespace creation and
 * deletion included. It reports namespaces/s for creation and deletion, resident memory
 * per namespace (RSS from /proc/self/statm, before and after), and the
 * allocator's own view: jemalloc's "stats.allocated" (after an "epoch" to
 * refresh it), which, unlike RSS, counts only live allocations. Sanitizer
 * builds do not link jemalloc and print n/a there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/msg.h>

#include "core/loop.h"
#include "core/mem.h"
#include "bench.h"
#include "cli/print.h"

#define NETNS_BENCH_MAX 1000000 /* 100.64.0.0/10 holds 2^20 /30s */

/* ---- datagrams of requests, built by hand (one buffer, no libnl per message) ---- */

struct nb_dgram {
	uint8_t *buf;
	size_t len, cap;
	size_t msg;	     /* offset of the message being built */
	size_t nest[4];	     /* open nested attributes */
	unsigned depth;
};

/* @n more bytes, not zeroed (the caller writes them all). */
static void *nb_reserve_raw(struct nb_dgram *d, size_t n)
{
	if (d->len + n > d->cap) {
		size_t cap = d->cap ? d->cap : 65536;
		while (cap < d->len + n)
			cap *= 2;
		uint8_t *b = realloc(d->buf, cap);
		if (!b)
			abort(); /* a few hundred KB: as rtnl's own reply buffer */
		d->buf = b;
		d->cap = cap;
	}
	void *p = d->buf + d->len;
	d->len += n;
	return p;
}

/* @n more bytes (and the padding to the next 4-byte boundary), zeroed. */
static void *nb_reserve(struct nb_dgram *d, size_t n)
{
	n = NLMSG_ALIGN(n);
	return memset(nb_reserve_raw(d, n), 0, n);
}

/* Start a request; @seq tells its replies apart (the namespace's index). */
static void nb_msg(struct nb_dgram *d, uint16_t type, uint16_t flags, uint32_t seq,
		   const void *hdr, size_t hdrlen)
{
	d->msg = d->len;
	struct nlmsghdr *h = nb_reserve(d, NLMSG_HDRLEN + hdrlen);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = seq;
	if (hdrlen)
		memcpy((uint8_t *)h + NLMSG_HDRLEN, hdr, hdrlen);
}

static void nb_end(struct nb_dgram *d)
{
	((struct nlmsghdr *)(d->buf + d->msg))->nlmsg_len = (uint32_t)(d->len - d->msg);
}

static void nb_put(struct nb_dgram *d, uint16_t type, const void *data, size_t len)
{
	size_t n = NLA_HDRLEN + len, pad = NLA_ALIGN(n) - n;
	struct nlattr *a = nb_reserve_raw(d, n + pad);

	a->nla_type = type;
	a->nla_len = (uint16_t)n;
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	memset((uint8_t *)a + n, 0, pad);
}

static void nb_put_u32(struct nb_dgram *d, uint16_t type, uint32_t v)
{
	nb_put(d, type, &v, sizeof(v));
}

static void nb_put_str(struct nb_dgram *d, uint16_t type, const char *s)
{
	nb_put(d, type, s, strlen(s) + 1);
}

static void nb_nest(struct nb_dgram *d, uint16_t type)
{
	d->nest[d->depth++] = d->len;
	struct nlattr *a = nb_reserve(d, NLA_HDRLEN);
	a->nla_type = type | NLA_F_NESTED;
}

static void nb_nest_end(struct nb_dgram *d)
{
	size_t off = d->nest[--d->depth];
	((struct nlattr *)(d->buf + off))->nla_len = (uint16_t)(d->len - off);
}

static void nb_hello(struct nb_dgram *d, uint32_t nsid)
{
	nb_msg(d, NSEMU_MSG_HELLO, 0, 0, NULL, 0);
	nb_put_u32(d, NSEMU_A_NSID, nsid);
	nb_end(d);
}

/* `ip link set DEV up`: RTM_NEWLINK without NLM_F_CREATE. */
static void nb_link_up(struct nb_dgram *d, uint32_t seq, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	nb_msg(d, RTM_NEWLINK, 0, seq, &ifi, sizeof(ifi));
	nb_end(d);
}

/* `ip addr add A/30 dev DEV` */
static void nb_addr_add(struct nb_dgram *d, uint32_t seq, int ifindex, uint32_t addr)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 30,
				 .ifa_index = (uint32_t)ifindex };
	uint32_t a = htonl(addr);
	nb_msg(d, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, seq, &ifa, sizeof(ifa));
	nb_put(d, IFA_LOCAL, &a, 4);
	nb_put(d, IFA_ADDRESS, &a, 4);
	nb_end(d);
}

/* Per namespace: what the replies told us. */
struct nb_ns {
	uint32_t id;
	uint32_t thread;
	int ifindex;	 /* eth0 in the namespace */
	int hub_ifindex; /* h<i> in the hub */
};

struct nb_ctx {
	struct cli_ctx *c;
	struct rtnl_conn conn;
	struct rtnl_out out;
	struct nb_dgram d;
	struct nb_ns *ns;
	unsigned count;
};

/* Namespace i's /30 in 100.64.0.0/10 (RFC 6598 shared space: never a
 * real destination here): .1 the hub's end, .2 the namespace's. */
static uint32_t nb_addr(unsigned i, unsigned host)
{
	return 0x64400000u + 4 * i + host;
}

/* The u32 attribute @type in @h's attributes after a family header of
 * @hdrlen bytes; false if absent or short. The replies are the
 * emulator's own, well formed: a plain walk, not nlmsg_parse's table of
 * every type (the bench's own work counts against the figure). */
static bool nb_attr_u32(const struct nlmsghdr *h, size_t hdrlen, uint16_t type, uint32_t *v)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	while (off + NLA_HDRLEN <= h->nlmsg_len) {
		const struct nlattr *a = (const struct nlattr *)((const uint8_t *)h + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > h->nlmsg_len)
			return false;
		if ((a->nla_type & NLA_TYPE_MASK) == type) {
			if (a->nla_len < NLA_HDRLEN + sizeof(*v))
				return false;
			memcpy(v, (const uint8_t *)a + NLA_HDRLEN, sizeof(*v));
			return true;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return false;
}

/* "@prefix<n>" into @buf (no snprintf: two names per namespace). */
static void nb_name(char *buf, const char *prefix, unsigned n)
{
	char digits[12];
	unsigned k = 0;
	size_t len = strlen(prefix);

	do
		digits[k++] = (char)('0' + n % 10);
	while ((n /= 10));
	memcpy(buf, prefix, len);
	while (k)
		buf[len++] = digits[--k];
	buf[len] = '\0';
}

/* Send the datagram built in x->d and walk the replies: the first error
 * is printed and returned; echoes fill x->ns by sequence number. */
static int nb_send(struct nb_ctx *x)
{
	int err = 0;

	rtnl_out_reset(&x->out);
	if (x->d.len)
		rtnl_process(&x->conn, x->d.buf, x->d.len, &x->out);
	x->d.len = 0;
	/* libnl's nlmsg_ok/nlmsg_next: glibc's NLMSG_OK compares a u32 with
	 * the int length, which clang (make fuzz) refuses */
	int len = (int)x->out.len;
	for (struct nlmsghdr *h = (struct nlmsghdr *)x->out.buf; x->out.buf && nlmsg_ok(h, len);
	     h = nlmsg_next(h, &len)) {
		uint32_t i = h->nlmsg_seq;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			if (e->error && !err) {
				fprintf(x->c->err, "bench: request %u (type %#x) for namespace %u: %s\n",
					e->msg.nlmsg_type, e->msg.nlmsg_type, i, strerror(-e->error));
				err = e->error;
			}
			continue;
		}
		if (i >= x->count)
			continue;
		if (h->nlmsg_type == NSEMU_MSG_NEWNS) {
			uint32_t id, thread;

			if (!nb_attr_u32(h, 0, NSEMU_A_NSID, &id))
				continue;
			x->ns[i].id = id;
			x->ns[i].thread = nb_attr_u32(h, 0, NSEMU_A_THREAD, &thread) ? thread : 0;
		} else if (h->nlmsg_type == RTM_NEWLINK && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
			const struct ifinfomsg *ifi = NLMSG_DATA(h);
			uint32_t link;

			/* the veth's echo: eth0 in the namespace, and with
			 * IFLA_LINK its peer's index in the hub (as libnl's
			 * link cache reads it, with no GETLINK by name) */
			x->ns[i].ifindex = ifi->ifi_index;
			if (nb_attr_u32(h, sizeof(*ifi), IFLA_LINK, &link))
				x->ns[i].hub_ifindex = (int)link;
		}
	}
	return err;
}

/* Namespaces [lo, hi): created, linked to the hub and configured with
 * four datagrams, whatever the batch size. */
static int nb_create_batch(struct nb_ctx *x, uint32_t hub, unsigned lo, unsigned hi,
			   unsigned *created)
{
	struct nb_dgram *d = &x->d;
	char name[32];
	int err;

	unsigned nw = loop_nworkers();

	/* `ip netns add`, echoed for the id and the worker it went to. The
	 * bench spreads the namespaces over the workers itself (NSEMU_A_THREAD,
	 * round robin as the default is) and sends each worker's together, so
	 * the dispatcher builds each group on its worker in one hand-off. */
	for (unsigned t = 0; t < nw; t++) {
		for (unsigned i = lo; i < hi; i++) {
			if (i % nw != t)
				continue;
			nb_name(name, "bench-ns", i);
			nb_msg(d, NSEMU_MSG_NEWNS, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, i, NULL, 0);
			nb_put_str(d, NSEMU_A_NS, name);
			nb_put_u32(d, NSEMU_A_THREAD, t);
			nb_end(d);
		}
	}
	err = nb_send(x);
	for (unsigned i = lo; i < hi; i++)
		if (x->ns[i].id)
			*created = i + 1;
	if (err)
		return err;

	/* `ip -n bench-nsI link add eth0 type veth peer name hI netns hub`,
	 * grouped by worker like the rest: the namespace's end is made where
	 * the request runs, the hub's end with one call on the hub's worker
	 * (none when it is the same worker). */
	for (unsigned t = 0; t < nw; t++) {
		for (unsigned i = lo; i < hi; i++) {
			if (x->ns[i].thread != t)
				continue;
			struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
			nb_hello(d, x->ns[i].id);
			nb_msg(d, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, i, &ifi,
			       sizeof(ifi));
			nb_put_str(d, IFLA_IFNAME, "eth0");
			nb_nest(d, IFLA_LINKINFO);
			nb_put_str(d, IFLA_INFO_KIND, "veth");
			nb_nest(d, IFLA_INFO_DATA);
			nb_nest(d, VETH_INFO_PEER);
			nb_reserve(d, sizeof(ifi));
			nb_name(name, "h", i);
			nb_put_str(d, IFLA_IFNAME, name);
			nb_put_u32(d, IFLA_NET_NS_PID, hub);
			nb_nest_end(d);
			nb_nest_end(d);
			nb_nest_end(d);
			nb_end(d);
		}
	}
	if ((err = nb_send(x)))
		return err;

	/* Each namespace, grouped by worker so that the dispatcher hands each
	 * worker its share at once: lo up, address, eth0 up, default route. */
	for (unsigned t = 0; t < loop_nworkers(); t++) {
		for (unsigned i = lo; i < hi; i++) {
			if (x->ns[i].thread != t)
				continue;
			nb_hello(d, x->ns[i].id);
			nb_link_up(d, i, 1); /* lo is ifindex 1 in every namespace */
			nb_addr_add(d, i, x->ns[i].ifindex, nb_addr(i, 2));
			nb_link_up(d, i, x->ns[i].ifindex);
			struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
					     .rtm_protocol = RTPROT_BOOT,
					     .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };
			uint32_t gw = htonl(nb_addr(i, 1));
			nb_msg(d, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, i, &rtm, sizeof(rtm));
			nb_put(d, RTA_GATEWAY, &gw, 4);
			nb_end(d);
		}
	}
	/* the hub's ends: address and up */
	nb_hello(d, hub);
	for (unsigned i = lo; i < hi; i++) {
		nb_addr_add(d, i, x->ns[i].hub_ifindex, nb_addr(i, 1));
		nb_link_up(d, i, x->ns[i].hub_ifindex);
	}
	return nb_send(x);
}

/* `ip netns del` for [lo, hi), one datagram: the veth goes with its
 * namespace, and the hub's end with it. Grouped by worker, as creation:
 * each DELNS runs on its namespace's owner, one hand-off per group. */
static int nb_delete_batch(struct nb_ctx *x, unsigned lo, unsigned hi)
{
	for (unsigned t = 0; t < loop_nworkers(); t++) {
		for (unsigned i = lo; i < hi; i++) {
			if (!x->ns[i].id || x->ns[i].thread != t)
				continue;
			nb_msg(&x->d, NSEMU_MSG_DELNS, 0, i, NULL, 0);
			nb_put_u32(&x->d, NSEMU_A_NSID, x->ns[i].id);
			nb_end(&x->d);
			x->ns[i].id = 0;
		}
	}
	return nb_send(x);
}

#define NB_BATCH 256 /* namespaces per datagram (about 150 KB of requests) */

static void netns_bench_print_mem(const char *key, const char *label, int64_t before,
				  int64_t after, int64_t deleted, unsigned n)
{
	open_json_object(key);
	if (before < 0 || after < 0) {
		print_text("%s: n/a (not the jemalloc build)\n", label);
		print_null(PRINT_JSON, "bytes_per_netns", NULL, NULL);
	} else {
		print_text("%s: %.1f MiB before, %.1f MiB after, %.0f bytes/namespace, "
			   "%.1f MiB once deleted\n",
			   label, before / 1048576.0, after / 1048576.0,
			   n ? (double)(after - before) / n : 0, deleted / 1048576.0);
		print_u64(PRINT_JSON, "before", NULL, (uint64_t)before);
		print_u64(PRINT_JSON, "after", NULL, (uint64_t)after);
		print_u64(PRINT_JSON, "deleted", NULL, (uint64_t)deleted);
		print_float(PRINT_JSON, "bytes_per_netns", NULL,
			    n ? (double)(after - before) / n : 0);
	}
	close_json_object();
}

int bench_netns(struct cli_ctx *c, int argc, char **argv)
{
	uint64_t count = 1000, t0, t1, t2, rss0, rss1, rss2;
	int64_t al0, al1, al2;
	unsigned created = 0, i;
	struct nb_ctx x = { .c = c, .conn = { .ext_ack = true } };
	uint32_t hub = 0;
	bool json = false;
	int err = 0;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-j") || !strcmp(argv[a], "--json")) {
			json = true;
		} else if (!strcmp(argv[a], "--count")) {
			if (bench_get_u64(c, "--count", a + 1 < argc ? argv[a + 1] : NULL, 1,
					  NETNS_BENCH_MAX, &count))
				return -EINVAL;
			a++;
		} else {
			fprintf(c->err, "bench: unknown option \"%s\", try \"bench help\"\n", argv[a]);
			return -EINVAL;
		}
	}
	x.count = (unsigned)count;
	x.ns = calloc(count + 1, sizeof(*x.ns)); /* [count]: the hub */
	if (!x.ns)
		return -ENOMEM;
	rtnl_out_init(&x.out);
	nb_msg(&x.d, NSEMU_MSG_NEWNS, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, x.count, NULL, 0);
	nb_put_str(&x.d, NSEMU_A_NS, "bench-hub");
	nb_end(&x.d);
	x.count++; /* the hub's echo lands in ns[count] */
	err = nb_send(&x);
	x.count--;
	hub = x.ns[count].id;
	if (err || !hub) {
		err = err ? err : -EEXIST;
		goto out;
	}
	rss0 = mem_rss();
	al0 = mem_allocated();
	t0 = bench_now_ns();
	for (i = 0; i < count; i += NB_BATCH) {
		if (c->interrupt && *c->interrupt) {
			fprintf(c->err, "bench: interrupted after %u namespaces\n", i);
			err = -EINTR;
			goto out;
		}
		err = nb_create_batch(&x, hub, i, MIN(i + NB_BATCH, (unsigned)count), &created);
		if (err)
			goto out;
	}
	t1 = bench_now_ns();
	rss1 = mem_rss();
	al1 = mem_allocated();
	/* Deleting a namespace deletes its veth, and the hub's end with it. */
	for (i = 0; i < created; i += NB_BATCH)
		nb_delete_batch(&x, i, MIN(i + NB_BATCH, created));
	t2 = bench_now_ns();
	created = 0;
	/* what is left once they are gone: rtnl gives the pages of a large
	 * deletion back (mem_release) */
	rss2 = mem_rss();
	al2 = mem_allocated();

	new_json_obj(c->out, json, c->pretty);
	open_json_object(NULL);
	print_u64(PRINT_ANY, "count", "--- bench netns: %" PRIu64 " namespaces", count);
	print_text(" (each: lo up, a veth to a hub, an address, a default route) ---\n");
	print_float(PRINT_ANY, "create_seconds", "create: %.3f s, ", (t1 - t0) / 1e9);
	print_float(PRINT_ANY, "create_per_second", "%.0f namespaces/s\n",
		    (double)count / ((t1 - t0) / 1e9));
	print_float(PRINT_ANY, "delete_seconds", "delete: %.3f s, ", (t2 - t1) / 1e9);
	print_float(PRINT_ANY, "delete_per_second", "%.0f namespaces/s\n",
		    (double)count / ((t2 - t1) / 1e9));
	netns_bench_print_mem("rss", "RSS", (int64_t)rss0, (int64_t)rss1, (int64_t)rss2,
			      (unsigned)count);
	netns_bench_print_mem("allocated", "allocated (jemalloc stats.allocated)", al0, al1, al2,
			      (unsigned)count);
	close_json_object();
	delete_json_obj();
out:
	for (i = 0; i < created; i += NB_BATCH)
		nb_delete_batch(&x, i, MIN(i + NB_BATCH, created));
	if (hub) {
		nb_msg(&x.d, NSEMU_MSG_DELNS, 0, 0, NULL, 0);
		nb_put_u32(&x.d, NSEMU_A_NSID, hub);
		nb_end(&x.d);
		nb_send(&x);
	}
	rtnl_out_free(&x.out);
	free(x.d.buf);
	free(x.ns);
	return err;
}
