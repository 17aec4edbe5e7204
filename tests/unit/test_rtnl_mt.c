// SPDX-License-Identifier: MIT
/*
 * The rtnetlink dispatcher on two real workers (runs under TSan too: the
 * _mt suffix). A datagram of NEWNS requests with NSEMU_A_THREAD, grouped
 * by worker, is built on each worker in a run there; veth NEWLINKs sent
 * from a namespace run on its worker and reach a peer on the other one
 * with one call; DELNS runs on each namespace's owner. Replies stay one
 * per request, in order, with the right errors, each namespace lands on
 * the worker it asked for, and deletion leaves no veth pair behind.
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "devices/devices.h"
#include "netns/core/dev.h"
#include "netns/rtnl/rtnl.h"
#include "tests/unit/harness/h_nl.h"
#include "tests/unit/harness/harness.h"

static struct rtnl_conn conn;
static struct rtnl_out out;

static int group_setup(void **state)
{
	assert_int_equal(loop_init(2), 0);
	devices_init();
	assert_int_equal(rtnl_init(), 0);
	rtnl_out_init(&out);
	return 0;
}

static int group_teardown(void **state)
{
	rtnl_exit();
	rtnl_out_free(&out);
	loop_shutdown();
	return 0;
}

static struct nlmsghdr *reply(unsigned i)
{
	size_t off = 0;

	while (off + NLMSG_HDRLEN <= out.len) {
		struct nlmsghdr *h = (struct nlmsghdr *)(out.buf + off);
		if (i-- == 0)
			return h;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return NULL;
}


static struct nl_msg *newns_msg(const char *name, int thread)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_NEWNS, NLM_F_CREATE | NLM_F_ECHO);

	nla_put_string(m, NSEMU_A_NS, name);
	if (thread >= 0)
		nla_put_u32(m, NSEMU_A_THREAD, (uint32_t)thread);
	return m;
}

static struct nl_msg *ns_msg(int type, const char *name)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, 0);

	nla_put_string(m, NSEMU_A_NS, name);
	return m;
}


/* Id and worker of the NEWNS echo @h. */
static void ns_echo(const struct nlmsghdr *h, uint32_t *id, uint32_t *thread)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];

	assert_int_equal(h->nlmsg_type, NSEMU_MSG_NEWNS);
	assert_int_equal(nlmsg_parse((struct nlmsghdr *)h, 0, tb, NSEMU_A_MAX, NULL), 0);
	*id = nla_get_u32(tb[NSEMU_A_NSID]);
	*thread = nla_get_u32(tb[NSEMU_A_THREAD]);
}

static void assert_ack(unsigned i, uint32_t sq, int err)
{
	struct nlmsghdr *h = reply(i);

	assert_non_null(h);
	assert_int_equal(h->nlmsg_seq, sq);
	assert_int_equal(h->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(((struct nlmsgerr *)NLMSG_DATA(h))->error, err);
}

static void pair_count_fn(void *arg)
{
	*(unsigned *)arg = veth_pair_count();
}

/* Cross-worker pairs not yet freed, summed over the workers. */
static unsigned pairs_live(void)
{
	unsigned i, n, sum = 0;

	for (i = 0; i < loop_nworkers(); i++) {
		loop_call_sync(loop_worker(i), pair_count_fn, &n);
		sum += n;
	}
	return sum;
}

static void test_rtnl_mt_newns_grouped_by_thread_answers_in_order_on_the_right_workers(
	void **state)
{
	static uint8_t buf[8192];
	uint32_t id[4], th[4], sq = 0;
	size_t len = 0;

	/* worker 0's group, worker 1's group (with a name taken), a bad
	 * thread and no thread (control thread, round robin) */
	len = h_dgram_add(buf, len, newns_msg("g0", 0), ++sq);
	len = h_dgram_add(buf, len, newns_msg("g1", 0), ++sq);
	len = h_dgram_add(buf, len, newns_msg("g2", 1), ++sq);
	len = h_dgram_add(buf, len, newns_msg("g0", 1), ++sq);
	len = h_dgram_add(buf, len, newns_msg("g3", 1), ++sq);
	len = h_dgram_add(buf, len, newns_msg("g4", 7), ++sq);
	len = h_dgram_add(buf, len, newns_msg("bad/name", 1), ++sq);
	rtnl_out_reset(&out);
	assert_int_not_equal(rtnl_process(&conn, buf, len, &out), 0);

	/* echo of each created namespace (no ACK asked), errors in place */
	ns_echo(reply(0), &id[0], &th[0]);
	assert_int_equal(reply(0)->nlmsg_seq, 1);
	ns_echo(reply(1), &id[1], &th[1]);
	assert_int_equal(reply(1)->nlmsg_seq, 2);
	ns_echo(reply(2), &id[2], &th[2]);
	assert_int_equal(reply(2)->nlmsg_seq, 3);
	assert_ack(3, 4, -EEXIST);
	ns_echo(reply(4), &id[3], &th[3]);
	assert_int_equal(reply(4)->nlmsg_seq, 5);
	assert_ack(5, 6, -EINVAL);
	assert_ack(6, 7, -EINVAL);
	assert_null(reply(7));
	assert_int_equal(th[0], 0);
	assert_int_equal(th[1], 0);
	assert_int_equal(th[2], 1);
	assert_int_equal(th[3], 1);
	assert_ptr_equal(netns_lookup("g0")->owner, loop_worker(0));
	assert_ptr_equal(netns_lookup("g3")->owner, loop_worker(1));
	assert_null(netns_lookup("g4"));

	/* veths from the namespaces' side, grouped by worker: g2 (worker 1)
	 * to g0 (worker 0) across, g1 to g0 on one worker, then a name taken */
	len = 0;
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, "g2"), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth0", "p2", id[0]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth0", "p9", id[0]), ++sq);
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, "g1"), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth0", "p1", id[0]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "x0", "x1", 0), ++sq);
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, ""), ++sq);
	rtnl_out_reset(&out);
	assert_int_not_equal(rtnl_process(&conn, buf, len, &out), 0);
	assert_ack(0, 8, 0);
	assert_int_equal(reply(1)->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(reply(1)->nlmsg_seq, 9);
	assert_int_equal(((struct ifinfomsg *)NLMSG_DATA(reply(1)))->ifi_index, 2);
	assert_ack(2, 10, -EEXIST);
	assert_ack(3, 11, 0);
	assert_int_equal(reply(4)->nlmsg_seq, 12);
	assert_int_equal(((struct ifinfomsg *)NLMSG_DATA(reply(4)))->ifi_index, 2);
	/* same namespace: the peer is made first and gets the lower index */
	assert_int_equal(reply(5)->nlmsg_seq, 13);
	assert_int_equal(((struct ifinfomsg *)NLMSG_DATA(reply(5)))->ifi_index, 4);
	assert_ack(6, 14, 0);
	assert_null(reply(7));
	assert_int_equal(pairs_live(), 1);

	/* Batched far ends (a run's veths toward one other worker, made there
	 * in one call): a far name taken answers its error and unwinds its
	 * near end, the next ones get the indexes the unbatched order gives. */
	len = 0;
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, "g3"), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "a", "p2", id[0]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "b", "p3", id[0]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "c", "p4", id[0]), ++sq);
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, ""), ++sq);
	rtnl_out_reset(&out);
	assert_int_not_equal(rtnl_process(&conn, buf, len, &out), 0);
	assert_ack(0, 15, 0);
	assert_ack(1, 16, -EEXIST);
	for (unsigned i = 2; i <= 3; i++) {
		struct nlattr *tb[IFLA_MAX + 1];

		assert_int_equal(reply(i)->nlmsg_type, RTM_NEWLINK);
		assert_int_equal(reply(i)->nlmsg_seq, 15 + i);
		/* the peer is made first (veth_newlink's order): "a"'s failed,
		 * so "a" itself took no index in g3 */
		assert_int_equal(((struct ifinfomsg *)NLMSG_DATA(reply(i)))->ifi_index, i);
		assert_int_equal(nlmsg_parse(reply(i), sizeof(struct ifinfomsg), tb, IFLA_MAX,
					     NULL), 0);
		assert_non_null(tb[IFLA_LINK]);
		assert_int_equal(nla_get_u32(tb[IFLA_LINK]), 2 + i); /* p3 4, p4 5 in g0 */
	}
	assert_ack(4, 19, 0);
	assert_null(reply(5));
	assert_int_equal(pairs_live(), 3);

	/* deleting the namespaces takes every veth with them */
	len = 0;
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "g2"), ++sq);
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "g1"), ++sq);
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "g3"), ++sq);
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "g0"), ++sq);
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, buf, len, &out), 0);
	assert_null(reply(0));
	assert_null(netns_lookup("g0"));
	assert_null(netns_lookup("g2"));
	/* DELNS ran on the owners; the cross-worker pair's two-step teardown
	 * (O6) was waited for before the replies left: nothing in flight */
	assert_int_equal(pairs_live(), 0);
}

static struct nl_msg *hello_id_msg(uint32_t id)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_HELLO, 0);

	nla_put_u32(m, NSEMU_A_NSID, id);
	return m;
}

/* `ip link set dev IFINDEX up`, acked */
static struct nl_msg *link_up_msg(int ifindex)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };

	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	return m;
}

/* `ip addr add A/PLEN dev IFINDEX`, acked */
static struct nl_msg *addr_msg(int ifindex, uint32_t a, unsigned plen)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (uint8_t)plen,
				 .ifa_index = (uint32_t)ifindex };
	uint32_t na = htonl(a);

	nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	nla_put(m, IFA_LOCAL, 4, &na);
	nla_put(m, IFA_ADDRESS, 4, &na);
	return m;
}

/* `ip route add DST/PLEN via GW`, acked */
static struct nl_msg *route_msg(uint32_t dst, unsigned plen, uint32_t gw)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = (uint8_t)plen,
			     .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
			     .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };
	uint32_t nd = htonl(dst), ng = htonl(gw);

	nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	if (plen)
		nla_put(m, RTA_DST, 4, &nd);
	nla_put(m, RTA_GATEWAY, 4, &ng);
	return m;
}

/*
 * Two namespaces per worker joined by a cross-worker veth, configured by
 * one datagram whose runs alternate between the workers: the dispatcher
 * runs them on both workers at once (rtnl_par_try). Every reply, errors
 * and extack text included, must be byte for byte what the same requests
 * sent one per datagram (one after the other) give on an identical pair,
 * and the state after it the same: both ends up with carrier, the routes
 * in place.
 */
static size_t par_config(uint8_t *buf, uint32_t id_w0, uint32_t id_w1, uint32_t net)
{
	size_t len = 0;
	uint32_t sq = 1000;

	len = h_dgram_add(buf, len, hello_id_msg(id_w0), ++sq);
	len = h_dgram_add(buf, len, link_up_msg(2), ++sq);
	len = h_dgram_add(buf, len, addr_msg(2, net + 1, 24), ++sq);
	len = h_dgram_add(buf, len, addr_msg(2, net + 1, 24), ++sq); /* EEXIST */
	len = h_dgram_add(buf, len, hello_id_msg(id_w1), ++sq);
	len = h_dgram_add(buf, len, link_up_msg(2), ++sq);
	len = h_dgram_add(buf, len, link_up_msg(42), ++sq); /* ENODEV */
	len = h_dgram_add(buf, len, addr_msg(2, net + 2, 24), ++sq);
	len = h_dgram_add(buf, len, route_msg(0, 0, net + 1), ++sq);
	len = h_dgram_add(buf, len, route_msg(0x0a090000, 16, 0x0a090909), ++sq); /* unreachable gw */
	len = h_dgram_add(buf, len, hello_id_msg(id_w0), ++sq);
	len = h_dgram_add(buf, len, route_msg(0x0a630000, 16, net + 2), ++sq);
	len = h_dgram_add(buf, len, addr_msg(7, net + 5, 24), ++sq); /* ENODEV */
	len = h_dgram_add(buf, len, hello_id_msg(0), ++sq);
	return len;
}

struct carrier_q {
	struct netns *ns;
	int ifindex;
	bool carrier;
};

/* The message at @buf + *off alone in a datagram (the order a parallel
 * stretch stands for): its replies are in `out`; *off moves past it.
 * Returns what rtnl_process returned. */
static int process_one(const uint8_t *buf, size_t *off)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + *off);
	size_t n = NLMSG_ALIGN(h->nlmsg_len);

	*off += n;
	rtnl_out_reset(&out);
	return rtnl_process(&conn, h, n, &out);
}

static void carrier_fn(void *arg)
{
	struct carrier_q *q = arg;
	struct netdev *dev = dev_get_by_index(q->ns, q->ifindex);

	q->carrier = dev && dev->carrier && (dev->flags & IFF_UP);
}

static bool carrier_of(const char *ns, int ifindex)
{
	struct carrier_q q = { .ns = netns_lookup(ns), .ifindex = ifindex };

	assert_non_null(q.ns);
	loop_call_sync(q.ns->owner, carrier_fn, &q);
	return q.carrier;
}

static void test_rtnl_mt_config_of_both_workers_runs_in_parallel_and_answers_in_order(
	void **state)
{
	static uint8_t buf[8192], expect[16384];
	uint32_t id[4], th, sq = 0;
	size_t len = 0, off, elen = 0;
	int ret_seq = 0;

	/* p0, q0 on worker 0; p1, q1 on worker 1; eth0 (index 2) of p1 and
	 * q1 is a veth to eth0 (index 2) of p0 and q0 */
	len = h_dgram_add(buf, len, newns_msg("p0", 0), ++sq);
	len = h_dgram_add(buf, len, newns_msg("q0", 0), ++sq);
	len = h_dgram_add(buf, len, newns_msg("p1", 1), ++sq);
	len = h_dgram_add(buf, len, newns_msg("q1", 1), ++sq);
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, buf, len, &out), 0);
	for (unsigned i = 0; i < 4; i++)
		ns_echo(reply(i), &id[i], &th);
	len = 0;
	len = h_dgram_add(buf, len, hello_id_msg(id[2]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth0", "eth0", id[0]), ++sq);
	len = h_dgram_add(buf, len, hello_id_msg(id[3]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth0", "eth0", id[1]), ++sq);
	len = h_dgram_add(buf, len, hello_id_msg(0), ++sq);
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, buf, len, &out), 0);
	assert_int_equal(pairs_live(), 2);
	assert_false(carrier_of("p0", 2));

	/* q0/q1, one request per datagram: the order the runs stand for */
	len = par_config(buf, id[1], id[3], 0x0a010000);
	for (off = 0; off < len;) {
		int err = process_one(buf, &off);

		if (err)
			ret_seq = err;
		assert_true(elen + out.len <= sizeof(expect));
		memcpy(expect + elen, out.buf, out.len);
		elen += out.len;
	}
	assert_int_equal(conn.ns_id, 0);
	assert_int_not_equal(ret_seq, 0);

	/* p0/p1, one datagram: three runs (worker 0, 1, 0) at once */
	len = par_config(buf, id[0], id[2], 0x0a010000);
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, buf, len, &out), ret_seq);
	assert_int_equal(out.len, elen);
	assert_memory_equal(out.buf, expect, elen);
	/* 9 ACKs and 4 errors, in request order */
	assert_ack(0, 1001, 0);
	assert_ack(3, 1004, -EEXIST);
	assert_ack(6, 1007, -ENODEV);
	assert_ack(12, 1013, -ENODEV);
	assert_ack(13, 1014, 0);
	assert_null(reply(14));
	assert_int_equal(conn.ns_id, 0);

	/* the ends told each other: carrier on both sides, in both pairs */
	assert_true(carrier_of("p0", 2));
	assert_true(carrier_of("p1", 2));
	assert_true(carrier_of("q0", 2));
	assert_true(carrier_of("q1", 2));

	len = 0;
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "p0"), ++sq);
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "q0"), ++sq);
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "p1"), ++sq);
	len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "q1"), ++sq);
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, buf, len, &out), 0);
	assert_int_equal(pairs_live(), 0);
}

/* h_veth_msg with an IFLA_MTU of two bytes, which the policy refuses
 * (-ERANGE), or with @tail bytes after its attributes (-EINVAL, "bytes
 * leftover"): the look-ahead must not make ends for either. */
static struct nl_msg *bad_veth_msg(const char *name, const char *peer, uint32_t peer_ns,
				   unsigned tail)
{
	struct nl_msg *m = h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, name, peer, peer_ns);
	uint16_t mtu = 1400;

	if (tail) {
		void *p = nlmsg_reserve(m, tail, 1);

		memset(p, 0, tail);
	} else {
		nla_put(m, IFLA_MTU, sizeof(mtu), &mtu);
	}
	return m;
}

/* `ip -n NS link add NAME type veth peer name PEER netns PEER_NS`,
 * echoed, from the connection's namespace (hello_id_msg first). */
static size_t par_veths(uint8_t *buf, const uint32_t *id)
{
	size_t len = 0;
	uint32_t sq = 2000;

	/* id[0] the hub and id[1] on worker 0, id[2] and id[3] on worker 1 */
	len = h_dgram_add(buf, len, hello_id_msg(id[1]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth0", "h0", id[0]), ++sq); /* one worker */
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth1", "eth1", 0), ++sq);   /* in id[1] */
	len = h_dgram_add(buf, len, hello_id_msg(id[2]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth0", "h1", id[0]), ++sq); /* across */
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth1", "h0", id[0]), ++sq); /* EEXIST */
	len = h_dgram_add(buf, len, hello_id_msg(id[3]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth0", "h2", id[0]), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth0", "h3", id[0]), ++sq); /* EEXIST here */
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "eth1", "h3", id[2]), ++sq); /* worker 1 */
	/* worker 0 again, after runs that made ends there: a new stretch */
	len = h_dgram_add(buf, len, hello_id_msg(id[0]), ++sq);
	len = h_dgram_add(buf, len, link_up_msg(2), ++sq);
	len = h_dgram_add(buf, len, bad_veth_msg("h7", "x7", id[3], 2), ++sq);
	len = h_dgram_add(buf, len, bad_veth_msg("h8", "x8", id[3], 0), ++sq);
	len = h_dgram_add(buf, len, h_veth_msg(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, "h9", "x9", id[3]), ++sq);
	len = h_dgram_add(buf, len, hello_id_msg(id[3]), ++sq);
	len = h_dgram_add(buf, len, link_up_msg(2), ++sq);
	len = h_dgram_add(buf, len, hello_id_msg(0), ++sq);
	return len;
}

/* What a reply says, but for namespace ids: type, seq, error, and for a
 * link its index and its peer's (IFLA_LINK). */
struct reply_sum {
	uint16_t type;
	uint32_t seq;
	int err, ifindex, link;
};

static unsigned reply_sums(struct reply_sum *rs, unsigned max)
{
	unsigned n = 0;

	for (struct nlmsghdr *h; n < max && (h = reply(n)); n++) {
		struct reply_sum *r = &rs[n];

		memset(r, 0, sizeof(*r));
		r->type = h->nlmsg_type;
		r->seq = h->nlmsg_seq;
		if (h->nlmsg_type == NLMSG_ERROR) {
			r->err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		} else if (h->nlmsg_type == RTM_NEWLINK) {
			struct nlattr *tb[IFLA_MAX + 1];

			r->ifindex = ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
			assert_int_equal(
				nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
			r->link = tb[IFLA_LINK] ? (int)nla_get_u32(tb[IFLA_LINK]) : -1;
		}
	}
	return n;
}

/*
 * veth pairs from namespaces of both workers to a hub on worker 0, in one
 * datagram: worker 0's run and worker 1's (whose far ends it makes on
 * worker 0, behind worker 0's run) run at once; a later run on worker 0
 * starts a new stretch. Replies, indexes and errors are those of the same
 * requests one per datagram on a twin set of namespaces.
 */
static void test_rtnl_mt_veths_of_both_workers_to_a_hub_answer_as_in_order(void **state)
{
	static uint8_t buf[16384];
	static struct reply_sum seq_sum[32], par_sum[32];
	uint32_t id[8], th, sq = 0;
	unsigned nseq = 0, npar;
	size_t len = 0, off;
	int ret_seq = 0;
	static const char *const names[8] = { "sh", "s0", "s1", "s2", "ph", "p0", "p1", "p2" };

	for (unsigned i = 0; i < 8; i++)
		len = h_dgram_add(buf, len, newns_msg(names[i], i % 4 < 2 ? 0 : 1), ++sq);
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, buf, len, &out), 0);
	for (unsigned i = 0; i < 8; i++) {
		ns_echo(reply(i), &id[i], &th);
		assert_int_equal(th, i % 4 < 2 ? 0 : 1);
		/* built ahead on both workers at once, registered in order */
		if (i)
			assert_int_equal(id[i], id[i - 1] + 1);
	}

	/* s*: one request per datagram */
	len = par_veths(buf, &id[0]);
	for (off = 0; off < len;) {
		int err = process_one(buf, &off);

		if (err)
			ret_seq = err;
		nseq += reply_sums(&seq_sum[nseq], 32 - nseq);
	}
	assert_int_equal(ret_seq, -ERANGE); /* the last error: bad_veth_msg's MTU */

	/* p*: one datagram */
	len = par_veths(buf, &id[4]);
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, buf, len, &out), ret_seq);
	npar = reply_sums(par_sum, 32);
	assert_int_equal(npar, nseq);
	for (unsigned i = 0; i < nseq; i++) {
		assert_int_equal(par_sum[i].type, seq_sum[i].type);
		assert_int_equal(par_sum[i].seq, seq_sum[i].seq);
		assert_int_equal(par_sum[i].err, seq_sum[i].err);
		assert_int_equal(par_sum[i].ifindex, seq_sum[i].ifindex);
		assert_int_equal(par_sum[i].link, seq_sum[i].link);
	}
	/* the hub's ends in message order: h0 2, h1 3, h2 4 (h3 in p1) */
	assert_int_equal(par_sum[1].type, RTM_NEWLINK);
	assert_int_equal(par_sum[1].link, 2);
	assert_int_equal(par_sum[4].link, 3);
	assert_int_equal(par_sum[5].err, -EEXIST);
	assert_int_equal(par_sum[7].link, 4);
	/* the two bad requests were refused, each for its own reason */
	unsigned bad = 0;

	for (unsigned i = 0; i < npar; i++)
		bad |= (par_sum[i].err == -EINVAL) | (par_sum[i].err == -ERANGE) << 1;
	assert_int_equal(bad, 3);
	assert_int_equal(conn.ns_id, 0);

	len = 0;
	for (unsigned i = 0; i < 8; i++)
		len = h_dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, names[i]), ++sq);
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, buf, len, &out), 0);
	assert_int_equal(pairs_live(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_rtnl_mt_newns_grouped_by_thread_answers_in_order_on_the_right_workers),
		cmocka_unit_test(
			test_rtnl_mt_config_of_both_workers_runs_in_parallel_and_answers_in_order),
		cmocka_unit_test(test_rtnl_mt_veths_of_both_workers_to_a_hub_answer_as_in_order),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
