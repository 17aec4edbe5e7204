// SPDX-License-Identifier: MIT
/*
 * veth tests on one worker: pair creation (names, ifindex order, peer
 * link), carrier that needs both ends up, frames crossing the pair with
 * each end counting its own side, drops when the peer is down or deleted,
 * deletion of both ends (directly, through one end, through the
 * namespace), and the rtnl "veth" newlink parsing VETH_INFO_PEER.
 */
#include <errno.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/msg.h>

#include "devices/devices.h"
#include "netns/rtnl/rtnl.h"
#include "netns/rtnl/rtnl_priv.h"
#include "tests/unit/harness/harness.h"

#define ETH_P_TEST 0x88b5

static unsigned test_rcv_count;
static struct netdev *test_rcv_dev;

static void test_ptype_rcv(struct pkt *p)
{
	test_rcv_count++;
	test_rcv_dev = p->dev;
	pkt_consume(p);
}

static struct packet_type test_ptype = { .type = ETH_P_TEST, .func = test_ptype_rcv };

static int setup(void **state)
{
	h_setup();
	dev_add_pack(&test_ptype);
	test_rcv_count = 0;
	test_rcv_dev = NULL;
	return 0;
}

static int teardown(void **state)
{
	h_teardown();
	return 0;
}

/* A test frame from @from to @to's MAC, transmitted on @from. */
static void send_frame(struct netdev *from, const struct netdev *to)
{
	struct pkt *p = pkt_alloc(PKT_HR_LINK, 46);

	assert_non_null(p);
	memset(p->data, 0x5a, 46);
	eth_header(p, to->addr, from->addr, ETH_P_TEST);
	p->dev = from;
	dev_queue_xmit(p);
}

static void test_veth_create_pair_registers_both_ends(void **state)
{
	struct netns *ns = h_ns("v");
	struct netdev *a, *b;
	uint32_t peer_ns = 0;

	assert_int_equal(veth_create_pair(ns, "a0", ns, "b0", NULL), 0);
	a = dev_get_by_name(ns, "a0");
	b = dev_get_by_name(ns, "b0");
	assert_non_null(a);
	assert_non_null(b);
	assert_true(dev_is_veth(a));
	assert_false(dev_is_veth(ns->lo));
	/* veth_newlink registers the peer first */
	assert_true(b->ifindex < a->ifindex);
	assert_int_equal(a->ops->get_iflink(a, &peer_ns), b->ifindex);
	assert_int_equal(peer_ns, ns->id);
	assert_int_equal(b->ops->get_iflink(b, NULL), a->ifindex);
	assert_string_equal(a->ops->kind, "veth");
	/* created down, without carrier */
	assert_int_equal(a->operstate, OPER_DOWN);
	assert_false(a->carrier);
	assert_int_equal(a->carrier_changes, 1);
}

static void test_veth_default_names_are_veth_n(void **state)
{
	struct netns *ns = h_ns("v");

	assert_int_equal(veth_create_pair(ns, NULL, ns, NULL, NULL), 0);
	assert_int_equal(veth_create_pair(ns, "veth%d", ns, "veth%d", NULL), 0);
	assert_non_null(dev_get_by_name(ns, "veth0"));
	assert_non_null(dev_get_by_name(ns, "veth1"));
	assert_non_null(dev_get_by_name(ns, "veth2"));
	assert_non_null(dev_get_by_name(ns, "veth3"));
	/* the peer (registered first) took veth0 */
	assert_int_equal(dev_get_by_name(ns, "veth1")->ops->get_iflink(
				 dev_get_by_name(ns, "veth1"), NULL),
			 dev_get_by_name(ns, "veth0")->ifindex);
}

static void test_veth_carrier_needs_both_ends_up(void **state)
{
	struct netns *ns = h_ns("v");
	struct netdev *a, *b;

	assert_int_equal(veth_create_pair(ns, "a0", ns, "b0", NULL), 0);
	a = dev_get_by_name(ns, "a0");
	b = dev_get_by_name(ns, "b0");
	dev_open(a);
	assert_false(a->flags & IFF_RUNNING);
	assert_int_equal(a->operstate, OPER_LOWERLAYERDOWN);
	dev_open(b);
	assert_true(a->flags & IFF_RUNNING);
	assert_true(b->flags & IFF_LOWER_UP);
	assert_int_equal(a->operstate, OPER_UP);
	assert_int_equal(b->operstate, OPER_UP);
	dev_close(b);
	assert_false(a->flags & IFF_RUNNING);
	assert_int_equal(a->operstate, OPER_LOWERLAYERDOWN);
	assert_int_equal(b->operstate, OPER_DOWN);
	assert_int_equal(a->carrier_changes, 3); /* off, on, off */
}

static void test_veth_frame_arrives_on_peer_with_stats_on_each_end(void **state)
{
	struct netns *n1 = h_ns("n1"), *n2 = h_ns("n2");
	struct netdev *a, *b;

	assert_int_equal(veth_create_pair(n1, "a0", n2, "b0", NULL), 0);
	a = dev_get_by_name(n1, "a0");
	b = dev_get_by_name(n2, "b0");
	dev_open(a);
	dev_open(b);
	send_frame(a, b);
	h_run();
	assert_int_equal(test_rcv_count, 1);
	assert_ptr_equal(test_rcv_dev, b);
	assert_int_equal(a->stats.tx_packets, 1);
	assert_int_equal(a->stats.tx_bytes, 60);
	assert_int_equal(b->stats.rx_packets, 1);
	assert_int_equal(b->stats.rx_bytes, 60);
	assert_int_equal(a->stats.rx_packets, 0);
	assert_int_equal(b->stats.tx_packets, 0);
	/* and back */
	send_frame(b, a);
	h_run();
	assert_int_equal(test_rcv_count, 2);
	assert_ptr_equal(test_rcv_dev, a);
}

static void test_veth_xmit_with_peer_down_drops_dev_down(void **state)
{
	struct netns *n1 = h_ns("n1"), *n2 = h_ns("n2");
	struct netdev *a, *b;

	assert_int_equal(veth_create_pair(n1, "a0", n2, "b0", NULL), 0);
	a = dev_get_by_name(n1, "a0");
	b = dev_get_by_name(n2, "b0");
	dev_open(a);
	send_frame(a, b);
	h_run();
	assert_drop(n1, DEV_DOWN, 1);
	assert_int_equal(a->stats.tx_dropped, 1);
	assert_int_equal(b->stats.rx_packets, 0);
	assert_int_equal(test_rcv_count, 0);
}

static void test_veth_delete_removes_both_ends(void **state)
{
	struct netns *n1 = h_ns("n1"), *n2 = h_ns("n2");

	assert_int_equal(veth_create_pair(n1, "a0", n2, "b0", NULL), 0);
	veth_delete(dev_get_by_name(n1, "a0"));
	assert_null(dev_get_by_name(n1, "a0"));
	assert_null(dev_get_by_name(n2, "b0"));
	assert_int_equal(n1->ndevs, 1);
	assert_int_equal(n2->ndevs, 1);
}

static void test_veth_unregister_one_end_takes_the_peer(void **state)
{
	struct netns *ns = h_ns("v");

	assert_int_equal(veth_create_pair(ns, "a0", ns, "b0", NULL), 0);
	dev_unregister(dev_get_by_name(ns, "b0"));
	assert_null(dev_get_by_name(ns, "a0"));
	assert_int_equal(ns->ndevs, 1);
}

static void test_veth_netns_destroy_deletes_far_end(void **state)
{
	struct netns *n1 = h_ns("n1"), *n2 = h_ns("n2");

	assert_int_equal(veth_create_pair(n1, "a0", n2, "b0", NULL), 0);
	assert_int_equal(veth_create_pair(n1, "a1", n1, "a2", NULL), 0);
	h_ns_destroy(n1);
	assert_null(dev_get_by_name(n2, "b0"));
	assert_int_equal(n2->ndevs, 1);
}

static void test_veth_frames_toward_deleted_end_drop_dev_gone(void **state)
{
	struct netns *n1 = h_ns("n1"), *n2 = h_ns("n2");
	struct netdev *a, *b;

	assert_int_equal(veth_create_pair(n1, "a0", n2, "b0", NULL), 0);
	a = dev_get_by_name(n1, "a0");
	b = dev_get_by_name(n2, "b0");
	dev_open(a);
	dev_open(b);
	send_frame(a, b); /* now in the worker's backlog, toward b */
	veth_delete(a);
	h_run();
	assert_drop(n2, DEV_GONE, 1);
	assert_int_equal(test_rcv_count, 0);
}

static void test_veth_duplicate_name_fails_and_leaves_nothing(void **state)
{
	struct netns *n1 = h_ns("n1"), *n2 = h_ns("n2");

	h_fake_dev(n1, "eth0", NULL);
	assert_int_equal(veth_create_pair(n1, "eth0", n2, "p0", NULL), -EEXIST);
	assert_null(dev_get_by_name(n2, "p0"));
	assert_int_equal(n2->ndevs, 1);
	assert_int_equal(n1->ndevs, 2);
	/* a pair whose two ends would share a name in one namespace */
	assert_int_equal(veth_create_pair(n2, "x0", n2, "x0", NULL), -EEXIST);
	assert_int_equal(n2->ndevs, 1);
	assert_int_equal(veth_create_pair(n2, "bad/name", n2, "x1", NULL), -EINVAL);
	assert_int_equal(n2->ndevs, 1);
}

/* ---- rtnl newlink ---- */

/* Parse IFLA_INFO_DATA built as `ip link add ... type veth peer ...`
 * sends it: VETH_INFO_PEER = ifinfomsg + IFLA_IFNAME [+ IFLA_NET_NS_PID]. */
/*
 * `ip -n NS link add NAME [netns FIRST] type veth [peer name PEER [netns
 * PEER_NS]]` over rtnetlink, as the rtnl core reads it: 0 or the error of
 * the answer, its extack text copied into @ext.
 */
/* peer_ns values that put other attributes in the peer: IFLA_NET_NS_PID
 * 0 (the default namespace), IFLA_NET_NS_FD (refused) */
#define PEER_NS_ZERO UINT32_MAX
#define PEER_NS_FD (UINT32_MAX - 1)

static int call_newlink(struct netns *ns, const char *name, const char *peer, uint32_t peer_ns,
			uint32_t first_ns, struct extack *ext)
{
	struct rtnl_conn conn = { .portid = 1, .ns_id = ns->id, .ext_ack = true };
	struct ifinfomsg ifi = { 0 };
	struct nlattr *li, *data, *nest;
	struct rtnl_out out;
	struct nl_msg *msg;
	int err = 1;

	msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
	nla_put_string(msg, IFLA_IFNAME, name);
	if (first_ns)
		nla_put_u32(msg, IFLA_NET_NS_PID, first_ns);
	li = nla_nest_start(msg, IFLA_LINKINFO);
	nla_put_string(msg, IFLA_INFO_KIND, "veth");
	data = nla_nest_start(msg, IFLA_INFO_DATA);
	nest = nla_nest_start(msg, VETH_INFO_PEER);
	assert_non_null(nlmsg_reserve(msg, sizeof(ifi), NLMSG_ALIGNTO));
	if (peer)
		nla_put_string(msg, IFLA_IFNAME, peer);
	if (peer_ns == PEER_NS_FD)
		nla_put_u32(msg, IFLA_NET_NS_FD, 3);
	else if (peer_ns)
		nla_put_u32(msg, IFLA_NET_NS_PID, peer_ns == PEER_NS_ZERO ? 0 : peer_ns);
	nla_nest_end(msg, nest);
	nla_nest_end(msg, data);
	nla_nest_end(msg, li);

	rtnl_out_init(&out);
	rtnl_process(&conn, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, &out);
	for (size_t off = 0; off + NLMSG_HDRLEN <= out.len;) {
		struct nlmsghdr *h = (struct nlmsghdr *)(out.buf + off);
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

		if (h->nlmsg_type == NLMSG_ERROR) {
			err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (ext && (h->nlmsg_flags & NLM_F_ACK_TLVS) &&
			    !nlmsg_parse(h, sizeof(struct nlmsgerr), tb, NLMSGERR_ATTR_MAX, NULL) &&
			    tb[NLMSGERR_ATTR_MSG]) {
				snprintf(ext->buf, sizeof(ext->buf), "%s",
					 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
				ext->msg = ext->buf;
			}
		}
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	rtnl_out_free(&out);
	nlmsg_free(msg);
	return err;
}

static void test_veth_newlink_reads_peer_name_and_namespace(void **state)
{
	struct netns *n1 = h_ns("n1"), *n2 = h_ns("n2");

	assert_int_equal(call_newlink(n1, "h1-eth0", "r1-eth0", n2->id, 0, NULL), 0);
	assert_true(dev_is_veth(dev_get_by_name(n1, "h1-eth0")));
	assert_true(dev_is_veth(dev_get_by_name(n2, "r1-eth0")));
	h_ns_destroy(n1);
	h_ns_destroy(n2);
}

static void test_veth_newlink_peer_defaults_to_request_namespace(void **state)
{
	struct netns *n1 = h_ns("n1"), *n2 = h_ns("n2");

	/* `ip link add a0 netns n2 type veth peer name b0`: the peer stays
	 * where the request came from, as rtnl_link_get_net(src_net). */
	assert_int_equal(call_newlink(n1, "a0", "b0", 0, n2->id, NULL), 0);
	assert_non_null(dev_get_by_name(n2, "a0"));
	assert_non_null(dev_get_by_name(n1, "b0"));
	h_ns_destroy(n1);
	h_ns_destroy(n2);
}

/* The peer names its namespace as the first end does: IFLA_NET_NS_PID 0
 * is the default namespace for both, IFLA_NET_NS_FD is refused for both
 * (it used to be ignored in the peer, which then stayed in n1). */
static void test_veth_newlink_peer_namespace_attrs_as_the_first_end(void **state)
{
	struct netns *n1 = h_ns("n1"), *def = rtnl_default_ns();
	struct extack ext = { 0 };
	unsigned before = n1->ndevs;

	assert_int_equal(call_newlink(n1, "a0", "b0", PEER_NS_ZERO, 0, NULL), 0);
	assert_non_null(dev_get_by_name(n1, "a0"));
	assert_non_null(dev_get_by_name(def, "b0"));
	assert_int_equal(call_newlink(n1, "a1", "b1", PEER_NS_FD, 0, &ext), -EOPNOTSUPP);
	assert_string_equal(ext.buf, "Use IFLA_NET_NS_PID with an nsemu namespace id");
	assert_null(dev_get_by_name(n1, "a1"));
	assert_null(dev_get_by_name(n1, "b1"));
	assert_int_equal(n1->ndevs, before + 1);
	h_ns_destroy(n1);
	assert_null(dev_get_by_name(def, "b0"));
}

static void test_veth_newlink_without_peer_name_uses_veth_n(void **state)
{
	struct netns *ns = h_ns("n1");

	assert_int_equal(call_newlink(ns, "a0", NULL, 0, 0, NULL), 0);
	assert_non_null(dev_get_by_name(ns, "veth0"));
	h_ns_destroy(ns);
}

/* `ip link add type veth`: no names at all. The peer is made first and
 * takes veth0, the first end veth1, as the kernel's "veth%d" for both;
 * a second pair gets veth2/veth3. */
static void test_veth_newlink_without_any_name_picks_veth_n_for_both(void **state)
{
	struct netns *ns = h_ns("n1");

	assert_int_equal(call_newlink(ns, "", NULL, 0, 0, NULL), 0);
	assert_non_null(dev_get_by_name(ns, "veth0"));
	assert_non_null(dev_get_by_name(ns, "veth1"));
	assert_true(dev_get_by_name(ns, "veth0")->ifindex < dev_get_by_name(ns, "veth1")->ifindex);
	assert_int_equal(call_newlink(ns, "", NULL, 0, 0, NULL), 0);
	assert_non_null(dev_get_by_name(ns, "veth3"));
	h_ns_destroy(ns);
}

/* The first end's name is taken: the core unregisters the peer it had
 * already made, so nothing of the request is left. */
static void test_veth_newlink_failing_first_end_unwinds_the_peer(void **state)
{
	struct netns *n1 = h_ns("n1"), *n2 = h_ns("n2");
	unsigned before = n2->ndevs;

	assert_int_equal(call_newlink(n1, "a0", "b0", n2->id, 0, NULL), 0);
	assert_int_equal(call_newlink(n1, "a0", "b1", n2->id, 0, NULL), -EEXIST);
	assert_null(dev_get_by_name(n2, "b1"));
	assert_int_equal(n2->ndevs, before + 1);
	h_ns_destroy(n1);
	h_ns_destroy(n2);
}

static void test_veth_newlink_unknown_peer_namespace_is_rejected(void **state)
{
	struct netns *ns = h_ns("n1");
	struct extack ext = { 0 };

	assert_int_equal(call_newlink(ns, "a0", "b0", 999999, 0, &ext), -EINVAL);
	assert_non_null(ext.msg);
	assert_string_equal(ext.msg, "Peer netns reference is invalid");
	assert_null(dev_get_by_name(ns, "a0"));
	assert_int_equal(ns->ndevs, 1);
	h_ns_destroy(ns);
}

/* The newlink tests drive the rtnl core: its handlers and the link kinds
 * registered, the default namespace made (and destroyed after the test's
 * own namespaces, which each test destroys). */
static int setup_rtnl(void **state)
{
	setup(state);
	devices_init();
	assert_int_equal(rtnl_init(), 0);
	return 0;
}

static int teardown_rtnl(void **state)
{
	rtnl_exit();
	return teardown(state);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define T_RTNL(f) cmocka_unit_test_setup_teardown(f, setup_rtnl, teardown_rtnl)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_veth_create_pair_registers_both_ends),
		T(test_veth_default_names_are_veth_n),
		T(test_veth_carrier_needs_both_ends_up),
		T(test_veth_frame_arrives_on_peer_with_stats_on_each_end),
		T(test_veth_xmit_with_peer_down_drops_dev_down),
		T(test_veth_delete_removes_both_ends),
		T(test_veth_unregister_one_end_takes_the_peer),
		T(test_veth_netns_destroy_deletes_far_end),
		T(test_veth_frames_toward_deleted_end_drop_dev_gone),
		T(test_veth_duplicate_name_fails_and_leaves_nothing),
		T_RTNL(test_veth_newlink_reads_peer_name_and_namespace),
		T_RTNL(test_veth_newlink_peer_defaults_to_request_namespace),
		T_RTNL(test_veth_newlink_peer_namespace_attrs_as_the_first_end),
		T_RTNL(test_veth_newlink_without_peer_name_uses_veth_n),
		T_RTNL(test_veth_newlink_unknown_peer_namespace_is_rejected),
		T_RTNL(test_veth_newlink_without_any_name_picks_veth_n_for_both),
		T_RTNL(test_veth_newlink_failing_first_end_unwinds_the_peer),
	};

	return cmocka_run_group_tests_name("veth", tests, NULL, NULL);
}
