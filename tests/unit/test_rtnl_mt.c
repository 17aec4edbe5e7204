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

#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "../../devices/devices.h"
#include "../../netns/rtnl.h"
#include "harness/harness.h"

static struct rtnl_conn conn;
static struct rtnl_out out;

static int group_setup(void **state)
{
	assert_int_equal(loop_init(2), 0);
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

/* Append libnl message @m (freed) to @buf with NLM_F_REQUEST and seq @sq. */
static size_t dgram_add(uint8_t *buf, size_t len, struct nl_msg *m, uint32_t sq)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	h->nlmsg_flags |= NLM_F_REQUEST;
	h->nlmsg_seq = sq;
	memcpy(buf + len, h, h->nlmsg_len);
	len += NLMSG_ALIGN(h->nlmsg_len);
	nlmsg_free(m);
	return len;
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

/* `ip link add NAME type veth peer name PEER [netns PEER_NS]`, echoed. */
static struct nl_msg *veth_msg(const char *name, const char *peer, uint32_t peer_ns)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	nla_put_string(m, IFLA_IFNAME, name);
	struct nlattr *li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "veth");
	struct nlattr *data = nla_nest_start(m, IFLA_INFO_DATA);
	struct nlattr *p = nla_nest_start(m, VETH_INFO_PEER);
	nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
	nla_put_string(m, IFLA_IFNAME, peer);
	if (peer_ns)
		nla_put_u32(m, IFLA_NET_NS_PID, peer_ns);
	nla_nest_end(m, p);
	nla_nest_end(m, data);
	nla_nest_end(m, li);
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
	len = dgram_add(buf, len, newns_msg("g0", 0), ++sq);
	len = dgram_add(buf, len, newns_msg("g1", 0), ++sq);
	len = dgram_add(buf, len, newns_msg("g2", 1), ++sq);
	len = dgram_add(buf, len, newns_msg("g0", 1), ++sq);
	len = dgram_add(buf, len, newns_msg("g3", 1), ++sq);
	len = dgram_add(buf, len, newns_msg("g4", 7), ++sq);
	len = dgram_add(buf, len, newns_msg("bad/name", 1), ++sq);
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
	len = dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, "g2"), ++sq);
	len = dgram_add(buf, len, veth_msg("eth0", "p2", id[0]), ++sq);
	len = dgram_add(buf, len, veth_msg("eth0", "p9", id[0]), ++sq);
	len = dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, "g1"), ++sq);
	len = dgram_add(buf, len, veth_msg("eth0", "p1", id[0]), ++sq);
	len = dgram_add(buf, len, veth_msg("x0", "x1", 0), ++sq);
	len = dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, ""), ++sq);
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
	len = dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, "g3"), ++sq);
	len = dgram_add(buf, len, veth_msg("a", "p2", id[0]), ++sq);
	len = dgram_add(buf, len, veth_msg("b", "p3", id[0]), ++sq);
	len = dgram_add(buf, len, veth_msg("c", "p4", id[0]), ++sq);
	len = dgram_add(buf, len, ns_msg(NSEMU_MSG_HELLO, ""), ++sq);
	rtnl_out_reset(&out);
	assert_int_not_equal(rtnl_process(&conn, buf, len, &out), 0);
	assert_ack(0, 15, 0);
	assert_ack(1, 16, -EEXIST);
	for (unsigned i = 2; i <= 3; i++) {
		struct nlattr *tb[IFLA_MAX + 1];

		assert_int_equal(reply(i)->nlmsg_type, RTM_NEWLINK);
		assert_int_equal(reply(i)->nlmsg_seq, 15 + i);
		/* "a" took index 2 in g3 before its far end failed */
		assert_int_equal(((struct ifinfomsg *)NLMSG_DATA(reply(i)))->ifi_index, 1 + i);
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
	len = dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "g2"), ++sq);
	len = dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "g1"), ++sq);
	len = dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "g3"), ++sq);
	len = dgram_add(buf, len, ns_msg(NSEMU_MSG_DELNS, "g0"), ++sq);
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, buf, len, &out), 0);
	assert_null(reply(0));
	assert_null(netns_lookup("g0"));
	assert_null(netns_lookup("g2"));
	/* DELNS ran on the owners; the cross-worker pair's two-step teardown
	 * (O6) was waited for before the replies left: nothing in flight */
	assert_int_equal(pairs_live(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_rtnl_mt_newns_grouped_by_thread_answers_in_order_on_the_right_workers),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
