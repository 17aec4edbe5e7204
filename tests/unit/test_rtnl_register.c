// SPDX-License-Identifier: MIT
/*
 * rtnl_register: the dispatcher picks a handler by (family, type) and falls
 * back to the AF_UNSPEC one, as rtnetlink_rcv_msg does; a type nobody
 * registered answers -EOPNOTSUPP; registration flags decide the ACK. And
 * the namespace resolvers the handlers and link kinds share.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "devices/devices.h"
#include "tests/unit/harness/h_nl.h"
#include "tests/unit/harness/harness.h"
#include <netlink/msg.h>
#include "netns/rtnl/rtnl_priv.h"

static struct rtnl_conn conn;
static struct rtnl_out out;
static unsigned calls;
static uint8_t seen_family;

static int setup(void **state)
{
	(void)state;
	h_setup();
	devices_init();
	assert_int_equal(rtnl_init(), 0);
	conn = (struct rtnl_conn){ .portid = 7, .ext_ack = true };
	rtnl_out_init(&out);
	calls = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rtnl_exit();
	rtnl_out_free(&out);
	h_teardown();
	return 0;
}

/* An RTM_NEWADDR of @family with an empty ifaddrmsg; the reply's error
 * (1: no NLMSG_ERROR). */
static int send_addr(uint8_t family, uint16_t type, uint16_t flags)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
	} m = { .h = { .nlmsg_len = sizeof(m), .nlmsg_type = type,
		       .nlmsg_flags = NLM_F_REQUEST | flags, .nlmsg_seq = 1 },
		.ifa = { .ifa_family = family } };
	int err = 1;

	rtnl_out_reset(&out);
	rtnl_process(&conn, &m, sizeof(m), &out);
	for (size_t off = 0; off + NLMSG_HDRLEN <= out.len;) {
		struct nlmsghdr *h = (struct nlmsghdr *)(out.buf + off);

		if (h->nlmsg_type == NLMSG_ERROR)
			err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return err;
}

static int test_doit(struct rtnl_req *r)
{
	calls++;
	seen_family = *(const uint8_t *)NLMSG_DATA(r->nlh);
	return -EPERM;
}

static int test_doit_ok(struct rtnl_req *r)
{
	calls++;
	return 0;
}

static void test_rtnl_register_family_handler_then_unspec_fallback(void **state)
{
	(void)state;
	/* AF_INET6 today: the AF_UNSPEC handler, which refuses the family */
	int before = send_addr(AF_INET6, RTM_NEWADDR, NLM_F_ACK);
	assert_int_not_equal(before, -EPERM);
	assert_int_equal(calls, 0);

	rtnl_register(AF_INET6, RTM_NEWADDR, test_doit, NULL, RTNL_FLAG_NEED_NS);
	assert_int_equal(send_addr(AF_INET6, RTM_NEWADDR, NLM_F_ACK), -EPERM);
	assert_int_equal(calls, 1);
	assert_int_equal(seen_family, AF_INET6);
	/* other families still reach the inet handler */
	assert_int_not_equal(send_addr(AF_INET, RTM_NEWADDR, NLM_F_ACK), -EPERM);
	assert_int_equal(calls, 1);

	rtnl_unregister(AF_INET6, RTM_NEWADDR);
	assert_int_equal(send_addr(AF_INET6, RTM_NEWADDR, NLM_F_ACK), before);
	assert_int_equal(calls, 1);
}

static void test_rtnl_register_new_type_and_ack_flags(void **state)
{
	(void)state;
	/* RTM_NEWQDISC: no handler yet */
	assert_int_equal(send_addr(AF_UNSPEC, RTM_NEWQDISC, 0), -EOPNOTSUPP);
	rtnl_register(AF_UNSPEC, RTM_NEWQDISC, test_doit_ok, NULL, 0);
	/* success without NLM_F_ACK: no answer */
	assert_int_equal(send_addr(AF_UNSPEC, RTM_NEWQDISC, 0), 1);
	assert_int_equal(send_addr(AF_UNSPEC, RTM_NEWQDISC, NLM_F_ACK), 0);
	rtnl_register(AF_UNSPEC, RTM_NEWQDISC, test_doit_ok, NULL, RTNL_FLAG_ALWAYS_ACK);
	assert_int_equal(send_addr(AF_UNSPEC, RTM_NEWQDISC, 0), 0);
	rtnl_register(AF_UNSPEC, RTM_NEWQDISC, test_doit, NULL, RTNL_FLAG_NEVER_ACK);
	assert_int_equal(send_addr(AF_UNSPEC, RTM_NEWQDISC, NLM_F_ACK), 1);
	assert_int_equal(calls, 4);
	rtnl_unregister(AF_UNSPEC, RTM_NEWQDISC);
	assert_int_equal(send_addr(AF_UNSPEC, RTM_NEWQDISC, 0), -EOPNOTSUPP);
	/* and the lookup the scheduler uses */
	assert_non_null(rtnl_find_type(AF_BRIDGE, RTM_GETLINK));
	assert_null(rtnl_find_type(AF_UNSPEC, RTM_GETQDISC));
	assert_null(rtnl_find_type(AF_UNSPEC, 0x5000));
}

/* The resolvers: private messages' A_NS / A_NSID, link kinds' IFLA_NET_NS_PID. */
static void test_rtnl_namespace_resolvers(void **state)
{
	(void)state;
	struct netns *def = rtnl_default_ns(), *ns;
	uint32_t id = def->id, bad = 0x7fffffff, zero = 0;
	bool given;
	struct {
		struct nlattr a;
		uint32_t v;
	} pid = { { NLA_HDRLEN + 4, IFLA_NET_NS_PID }, def->id };

	assert_null(rtnl_nsemu_ns(NULL, 0, NULL, 0, &given));
	assert_false(given);
	assert_ptr_equal(rtnl_nsemu_ns("", 0, NULL, 0, &given), def);
	assert_true(given);
	assert_ptr_equal(rtnl_nsemu_ns(def->name, strlen(def->name), &bad, 4, &given), def);
	assert_null(rtnl_nsemu_ns("nope", 4, NULL, 0, &given));
	assert_true(given);
	assert_ptr_equal(rtnl_nsemu_ns(NULL, 0, &id, 4, &given), def);
	assert_ptr_equal(rtnl_nsemu_ns(NULL, 0, &zero, 4, &given), def);
	assert_null(rtnl_nsemu_ns(NULL, 0, &id, 2, &given));
	assert_null(rtnl_nsemu_ns(NULL, 0, &bad, 4, &given));

	assert_int_equal(rtnl_link_get_net(def, NULL, &ns), 0);
	assert_ptr_equal(ns, def);
	assert_int_equal(rtnl_link_get_net(NULL, &pid.a, &ns), 0);
	assert_ptr_equal(ns, def);
	pid.v = bad;
	assert_int_equal(rtnl_link_get_net(def, &pid.a, &ns), -ESRCH);
	pid.a.nla_len = NLA_HDRLEN + 2;
	assert_int_equal(rtnl_link_get_net(def, &pid.a, &ns), -EINVAL);
}

/* A device made by a link kind points at the kind's ops; lo at none. */
static void test_rtnl_dev_points_at_its_link_ops(void **state)
{
	(void)state;
	struct nl_msg *m = h_veth_msg(NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, "va", "vb", 0);
	struct nlmsghdr *h = nlmsg_hdr(m);
	struct netns *def = rtnl_default_ns();

	h->nlmsg_flags |= NLM_F_REQUEST;
	rtnl_out_reset(&out);
	assert_int_equal(rtnl_process(&conn, h, h->nlmsg_len, &out), 0);
	nlmsg_free(m);
	assert_non_null(dev_get_by_name(def, "va"));
	assert_ptr_equal(dev_get_by_name(def, "va")->rtnl_link_ops, rtnl_link_ops_get("veth"));
	assert_ptr_equal(dev_get_by_name(def, "vb")->rtnl_link_ops, rtnl_link_ops_get("veth"));
	assert_null(dev_get_by_name(def, "lo")->rtnl_link_ops);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_rtnl_register_family_handler_then_unspec_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtnl_register_new_type_and_ack_flags, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rtnl_namespace_resolvers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtnl_dev_points_at_its_link_ops, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
