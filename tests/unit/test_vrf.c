// SPDX-License-Identifier: MIT
/*
 * VRF devices (devices/vrf.c) driven over rtnetlink as `ip` drives them:
 * `ip link add red type vrf table 10` (IFLA_LINKINFO with or without
 * NLA_F_NESTED) gives a NOARP,MASTER device of MTU 65575 reported with
 * IFLA_INFO_DATA { IFLA_VRF_TABLE }; the table is required and not 0; the
 * first VRF adds `1000: from all lookup [l3mdev-table]` once; enslaving
 * (IFLA_MASTER) moves a port's routes into table 10 and nomaster moves them
 * back, as the kernel's cycle_netdev; a port reports IFLA_MASTER and
 * IFLA_INFO_SLAVE_KIND "vrf" with IFLA_VRF_PORT_TABLE; bad masters get the
 * kernel's errors; lookups of flows in a VRF (through a port or bound to
 * the VRF) use its table, others do not; deleting the VRF frees its ports;
 * l3mdev rules get the kernel's checks; a socket bound to the VRF
 * (SO_BINDTODEVICE) sends through its table.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "devices/devices.h"
#include "netns/core/sock.h"
#include "netns/ipv4/fib_rules.h"
#include "netns/rtnl/rtnl.h"
#include "tests/unit/harness/h_nl.h"
#include "tests/unit/harness/harness.h"

static struct rtnl_conn conn;
static struct rtnl_out out;
static uint32_t seq;
static char extack[256];

static int setup(void **state)
{
	h_setup();
	devices_init();
	assert_int_equal(rtnl_init(), 0);
	conn = (struct rtnl_conn){ .portid = 77, .ext_ack = true };
	rtnl_out_init(&out);
	return 0;
}

static int teardown(void **state)
{
	rtnl_exit();
	rtnl_out_free(&out);
	h_teardown();
	return 0;
}

/* Send a libnl message (freed) with NLM_F_REQUEST|NLM_F_ACK; the error of
 * the answer (0 for an ACK), its extack text in extack[]. */
static int send_msg(struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	int err = 1;
	size_t off = 0;

	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++seq;
	rtnl_out_reset(&out);
	extack[0] = '\0';
	rtnl_process(&conn, h, h->nlmsg_len, &out);
	nlmsg_free(m);
	while (off + NLMSG_HDRLEN <= out.len) {
		struct nlmsghdr *r = (struct nlmsghdr *)(out.buf + off);

		if (r->nlmsg_type == NLMSG_ERROR) {
			struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

			err = ((struct nlmsgerr *)NLMSG_DATA(r))->error;
			/* the kernel's capped answer: nlmsgerr, then the TLVs */
			if ((r->nlmsg_flags & NLM_F_ACK_TLVS) &&
			    nlmsg_parse(r, sizeof(struct nlmsgerr), tb, NLMSGERR_ATTR_MAX, NULL) == 0 &&
			    tb[NLMSGERR_ATTR_MSG])
				snprintf(extack, sizeof(extack), "%s",
					 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
		}
		off += NLMSG_ALIGN(r->nlmsg_len);
	}
	return err;
}

static struct netns *def_ns(void)
{
	struct netns *ns = netns_lookup(NSEMU_DEFAULT_NS);

	assert_non_null(ns);
	return ns;
}

static struct netdev *dev_named(const char *name)
{
	return dev_get_by_name(def_ns(), name);
}

/* `ip link add NAME type vrf [table T]`; table < 0: none. @nested: the
 * nests carry NLA_F_NESTED, as iproute2 sends them. */
static int add_vrf(const char *name, long table, bool nested)
{
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	struct nlattr *li, *data;

	nla_put_string(m, IFLA_IFNAME, name);
	li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "vrf");
	data = nla_nest_start(m, IFLA_INFO_DATA);
	if (table >= 0)
		nla_put_u32(m, IFLA_VRF_TABLE, (uint32_t)table);
	nla_nest_end(m, data);
	nla_nest_end(m, li);
	if (nested) {
		li->nla_type |= NLA_F_NESTED;
		data->nla_type |= NLA_F_NESTED;
	} else {
		li->nla_type &= ~NLA_F_NESTED;
		data->nla_type &= ~NLA_F_NESTED;
	}
	return send_msg(m);
}

static int add_dummy(const char *name)
{
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	struct nlattr *li;

	nla_put_string(m, IFLA_IFNAME, name);
	li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "dummy");
	nla_nest_end(m, li);
	return send_msg(m);
}

static int link_up(int ifindex)
{
	return send_msg(h_link_msg(RTM_NEWLINK, 0, ifindex, IFF_UP, IFF_UP));
}

/* `ip link set IFINDEX master M` (0: nomaster). */
static int set_master(int ifindex, int master)
{
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, 0, ifindex, 0, 0);

	nla_put_u32(m, IFLA_MASTER, (uint32_t)master);
	return send_msg(m);
}

static int addr_add(int ifindex, const char *ip, int plen)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (uint8_t)plen,
				 .ifa_index = (uint32_t)ifindex };
	uint32_t a = h_ip(ip);

	nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	nla_put_u32(m, IFA_LOCAL, a);
	nla_put_u32(m, IFA_ADDRESS, a);
	return send_msg(m);
}

/* Does table @table hold a route of @type for @dst/@len through @dev? */
struct route_q {
	uint32_t table, dst;
	uint8_t len, type;
	const struct netdev *dev;
	bool found;
};

static int route_q_cb(const struct fib_route *r, void *arg)
{
	struct route_q *q = arg;

	if (r->cfg.table == q->table && r->cfg.dst == q->dst && r->cfg.dst_len == q->len &&
	    r->cfg.type == q->type && r->dev == q->dev)
		q->found = true;
	return 0;
}

static bool has_route(uint32_t table, const char *dst, uint8_t len, uint8_t type,
		      const struct netdev *dev)
{
	struct route_q q = { table, h_ip(dst), len, type, dev, false };

	fib_walk(def_ns(), route_q_cb, &q);
	return q.found;
}

/* The attributes of @ifindex's GETLINK answer into tb, its linkinfo into li. */
static void get_link(int ifindex, struct nlattr **tb, struct nlattr **li)
{
	struct nlmsghdr *h;

	assert_int_equal(send_msg(h_link_msg(RTM_GETLINK, 0, ifindex, 0, 0)), 0);
	h = (struct nlmsghdr *)out.buf;
	assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	assert_non_null(tb[IFLA_LINKINFO]);
	/* the kernel's nla_nest_start_noflag: iproute2's name_is_vrf and
	 * ipvrf_get_table (parse_rtattr) would not find a flagged one */
	assert_int_equal(tb[IFLA_LINKINFO]->nla_type, IFLA_LINKINFO);
	assert_int_equal(nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	if (li[IFLA_INFO_DATA])
		assert_int_equal(li[IFLA_INFO_DATA]->nla_type, IFLA_INFO_DATA);
}

static uint32_t nested_u32(struct nlattr *nest, int type)
{
	struct nlattr *tb[8];

	assert_non_null(nest);
	assert_int_equal(nla_parse_nested(tb, 7, nest, NULL), 0);
	assert_non_null(tb[type]);
	return nla_get_u32(tb[type]);
}

/* The l3mdev rules in @ns. */
static int count_l3mdev(const struct fib_rule_view *r, void *arg)
{
	if (r->cfg.l3mdev) {
		assert_int_equal(r->cfg.pref, 1000);
		assert_int_equal(r->cfg.table, 0);
		(*(unsigned *)arg)++;
	}
	return 0;
}

static unsigned l3mdev_rules(void)
{
	unsigned n = 0;

	fib_rules_walk(def_ns(), count_l3mdev, &n);
	return n;
}

static void test_vrf_newlink_makes_an_l3_master(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct netdev *dev;

	assert_int_equal(l3mdev_rules(), 0);
	assert_int_equal(add_vrf("red", 10, true), 0);
	dev = dev_named("red");
	assert_non_null(dev);
	assert_int_equal(dev->flags, IFF_NOARP | IFF_MASTER);
	assert_int_equal(dev->mtu, 65575);
	assert_int_equal(dev->min_mtu, 1280);
	assert_int_equal(dev->max_mtu, 65575);
	assert_int_equal(dev->operstate, OPER_DOWN);
	assert_true(netif_is_l3_master(dev));
	assert_int_equal(l3mdev_fib_table(dev), 10);
	get_link(dev->ifindex, tb, li);
	assert_string_equal(nla_get_string(li[IFLA_INFO_KIND]), "vrf");
	assert_int_equal(nested_u32(li[IFLA_INFO_DATA], IFLA_VRF_TABLE), 10);
	assert_null(tb[IFLA_MASTER]);
	/* vrf_dev_init: operstate UP whenever it is up */
	assert_int_equal(link_up(dev->ifindex), 0);
	assert_int_equal(dev->operstate, OPER_UP);
	/* the l3mdev rule, once, also without NLA_F_NESTED on the nests */
	assert_int_equal(l3mdev_rules(), 1);
	assert_true(fib_has_custom_rules(def_ns()));
	assert_int_equal(add_vrf("blue", 20, false), 0);
	assert_int_equal(l3mdev_fib_table(dev_named("blue")), 20);
	assert_int_equal(l3mdev_rules(), 1);
}

static void test_vrf_newlink_refuses_missing_or_zero_table(void **state)
{
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	struct nl_msg *m;
	struct nlattr *li;

	assert_int_equal(add_vrf("red", -1, true), -EINVAL);
	assert_string_equal(extack, "VRF table id is missing");
	assert_int_equal(add_vrf("red", 0, true), -EINVAL);
	assert_string_equal(extack, "Invalid VRF table id");
	/* no IFLA_INFO_DATA at all */
	m = h_link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	nla_put_string(m, IFLA_IFNAME, "red");
	li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "vrf");
	nla_nest_end(m, li);
	assert_int_equal(send_msg(m), -EINVAL);
	assert_string_equal(extack, "VRF table id is missing");
	/* vrf_validate: a multicast address */
	m = h_link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	nla_put_string(m, IFLA_IFNAME, "red");
	nla_put(m, IFLA_ADDRESS, 6, mcast);
	li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "vrf");
	nla_nest_end(m, li);
	assert_int_equal(send_msg(m), -EADDRNOTAVAIL);
	assert_string_equal(extack, "Invalid hardware address");
	/* nothing made, no rule added */
	assert_null(dev_named("red"));
	assert_int_equal(l3mdev_rules(), 0);
}

static void test_vrf_enslave_moves_routes_to_its_table_and_back(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct netdev *vrf, *d0;

	assert_int_equal(add_vrf("red", 10, true), 0);
	assert_int_equal(add_dummy("d0"), 0);
	vrf = dev_named("red");
	d0 = dev_named("d0");
	assert_int_equal(addr_add(d0->ifindex, "10.0.0.1", 24), 0);
	assert_int_equal(link_up(d0->ifindex), 0);
	assert_true(has_route(RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST, d0));
	assert_true(has_route(RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL, d0));

	assert_int_equal(set_master(d0->ifindex, vrf->ifindex), 0);
	assert_ptr_equal(d0->master, vrf);
	assert_true(dev_is_up(d0)); /* cycled: up again */
	assert_true(has_route(10, "10.0.0.0", 24, RTN_UNICAST, d0));
	assert_true(has_route(10, "10.0.0.1", 32, RTN_LOCAL, d0));
	assert_true(has_route(10, "10.0.0.255", 32, RTN_BROADCAST, d0));
	assert_false(has_route(RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST, d0));
	assert_false(has_route(RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL, d0));
	/* the port reports its master and the VRF's word on it */
	get_link(d0->ifindex, tb, li);
	assert_int_equal(nla_get_u32(tb[IFLA_MASTER]), (uint32_t)vrf->ifindex);
	assert_string_equal(nla_get_string(li[IFLA_INFO_KIND]), "dummy");
	assert_string_equal(nla_get_string(li[IFLA_INFO_SLAVE_KIND]), "vrf");
	assert_int_equal(nested_u32(li[IFLA_INFO_SLAVE_DATA], IFLA_VRF_PORT_TABLE), 10);
	/* the same master again changes nothing */
	assert_int_equal(set_master(d0->ifindex, vrf->ifindex), 0);
	assert_true(has_route(10, "10.0.0.0", 24, RTN_UNICAST, d0));

	/* nomaster: back to main and local */
	assert_int_equal(set_master(d0->ifindex, 0), 0);
	assert_null(d0->master);
	assert_true(has_route(RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST, d0));
	assert_true(has_route(RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL, d0));
	assert_false(has_route(10, "10.0.0.0", 24, RTN_UNICAST, d0));
	assert_false(has_route(10, "10.0.0.1", 32, RTN_LOCAL, d0));
	/* nomaster of a device without one is no error */
	assert_int_equal(set_master(d0->ifindex, 0), 0);
}

static void test_vrf_enslave_down_port_routes_wait_for_up(void **state)
{
	struct netdev *vrf, *d0;

	assert_int_equal(add_vrf("red", 10, true), 0);
	assert_int_equal(add_dummy("d0"), 0);
	vrf = dev_named("red");
	d0 = dev_named("d0");
	assert_int_equal(addr_add(d0->ifindex, "10.0.0.1", 24), 0);
	assert_true(has_route(RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL, d0));
	/* a port that is down is not cycled: its local route goes with the
	 * flush and comes back in table 10 when it goes up */
	assert_int_equal(set_master(d0->ifindex, vrf->ifindex), 0);
	assert_false(dev_is_up(d0));
	assert_false(has_route(RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL, d0));
	assert_int_equal(link_up(d0->ifindex), 0);
	assert_true(has_route(10, "10.0.0.1", 32, RTN_LOCAL, d0));
	assert_true(has_route(10, "10.0.0.0", 24, RTN_UNICAST, d0));
}

static void test_vrf_bad_masters_get_the_kernels_errors(void **state)
{
	struct netdev *red, *d0, *d1;

	assert_int_equal(add_vrf("red", 10, true), 0);
	assert_int_equal(add_vrf("blue", 20, true), 0);
	assert_int_equal(add_dummy("d0"), 0);
	assert_int_equal(add_dummy("d1"), 0);
	red = dev_named("red");
	d0 = dev_named("d0");
	d1 = dev_named("d1");
	/* a VRF into itself or another VRF */
	assert_int_equal(set_master(red->ifindex, red->ifindex), -EINVAL);
	assert_string_equal(extack, "Can not enslave an L3 master device to a VRF");
	assert_int_equal(set_master(red->ifindex, dev_named("blue")->ifindex), -EINVAL);
	/* the loopback: the VRF is its domain's */
	assert_int_equal(set_master(1, red->ifindex), -EOPNOTSUPP);
	assert_string_equal(extack, "Can not enslave loopback device to a VRF");
	/* a device that is no master: no text */
	assert_int_equal(set_master(d0->ifindex, d1->ifindex), -EOPNOTSUPP);
	assert_string_equal(extack, "");
	/* an ifindex this namespace does not have */
	assert_int_equal(set_master(d0->ifindex, 999), -EINVAL);
	assert_null(red->master);
	assert_null(d0->master);
	assert_null(d1->master);
	/* a port moves from one VRF to another through do_set_master */
	assert_int_equal(set_master(d0->ifindex, red->ifindex), 0);
	assert_int_equal(set_master(d0->ifindex, dev_named("blue")->ifindex), 0);
	assert_ptr_equal(d0->master, dev_named("blue"));
}

static void test_vrf_master_in_another_namespace_is_invalid(void **state)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_NEWNS, 0);
	int red;

	nla_put_string(m, NSEMU_A_NS, "b");
	assert_int_equal(send_msg(m), 0);
	assert_int_equal(add_dummy("d0"), 0);
	m = nlmsg_alloc_simple(NSEMU_MSG_HELLO, 0);
	nla_put_string(m, NSEMU_A_NS, "b");
	send_msg(m);
	assert_int_equal(add_dummy("x"), 0);
	assert_int_equal(add_dummy("y"), 0);
	assert_int_equal(add_vrf("red", 10, true), 0);
	red = dev_get_by_name(netns_lookup("b"), "red")->ifindex;
	assert_null(dev_get_by_index(def_ns(), red));
	m = nlmsg_alloc_simple(NSEMU_MSG_HELLO, 0);
	nla_put_string(m, NSEMU_A_NS, "");
	send_msg(m);
	/* d0 (default namespace) cannot name b's VRF: no such ifindex here */
	assert_int_equal(set_master(dev_named("d0")->ifindex, red), -EINVAL);
	assert_null(dev_named("d0")->master);
}

static void test_vrf_lookups_use_its_table_for_flows_in_it(void **state)
{
	struct netns *ns = def_ns();
	struct fib_result res;
	struct netdev *vrf, *d0, *d1;

	assert_int_equal(add_vrf("red", 10, true), 0);
	assert_int_equal(add_dummy("d0"), 0);
	assert_int_equal(add_dummy("d1"), 0);
	vrf = dev_named("red");
	d0 = dev_named("d0");
	d1 = dev_named("d1");
	assert_int_equal(link_up(vrf->ifindex), 0);
	assert_int_equal(addr_add(d0->ifindex, "10.0.0.1", 24), 0);
	assert_int_equal(addr_add(d1->ifindex, "10.1.0.1", 24), 0);
	assert_int_equal(link_up(d0->ifindex), 0);
	assert_int_equal(link_up(d1->ifindex), 0);
	assert_int_equal(set_master(d0->ifindex, vrf->ifindex), 0);
	assert_int_equal(set_master(d1->ifindex, vrf->ifindex), 0);

	/* outside the VRF: no route to its prefixes */
	assert_int_equal(fib_lookup(ns, h_ip("10.1.0.5"), &res), -ENETUNREACH);
	/* in through a port (forwarding): table 10, out through the other */
	assert_int_equal(fib_lookup_flow(ns,
					 &(struct flowi4){ .daddr = h_ip("10.1.0.5"),
							   .iif = d0->ifindex },
					 &res),
			 0);
	assert_int_equal(res.table, 10);
	assert_ptr_equal(res.dev, d1);
	/* its own address, from a port: local in table 10 */
	assert_int_equal(fib_lookup_flow(ns,
					 &(struct flowi4){ .daddr = h_ip("10.1.0.1"),
							   .iif = d0->ifindex },
					 &res),
			 0);
	assert_int_equal(res.type, RTN_LOCAL);
	/* bound to the VRF (ping -I red): any port; bound to a port: that
	 * port only */
	assert_int_equal(fib_lookup_flow(ns,
					 &(struct flowi4){ .daddr = h_ip("10.1.0.5"),
							   .oif = vrf->ifindex,
							   .iif = 1 },
					 &res),
			 0);
	assert_ptr_equal(res.dev, d1);
	assert_int_equal(fib_lookup_flow(ns,
					 &(struct flowi4){ .daddr = h_ip("10.1.0.5"),
							   .oif = d0->ifindex,
							   .iif = 1 },
					 &res),
			 -ENETUNREACH);
	/* a flow that names the VRF outright (fib_validate_source) */
	assert_int_equal(fib_lookup_flow(ns,
					 &(struct flowi4){ .daddr = h_ip("10.0.0.9"),
							   .iif = 1, .l3mdev = vrf->ifindex },
					 &res),
			 0);
	assert_ptr_equal(res.dev, d0);
}

static void test_vrf_delete_frees_ports_and_keeps_the_rule(void **state)
{
	struct netdev *d0;

	assert_int_equal(add_vrf("red", 10, true), 0);
	assert_int_equal(add_dummy("d0"), 0);
	d0 = dev_named("d0");
	assert_int_equal(addr_add(d0->ifindex, "10.0.0.1", 24), 0);
	assert_int_equal(link_up(d0->ifindex), 0);
	assert_int_equal(set_master(d0->ifindex, dev_named("red")->ifindex), 0);
	assert_int_equal(send_msg(h_link_msg(RTM_DELLINK, 0, dev_named("red")->ifindex, 0, 0)),
			 0);
	assert_null(dev_named("red"));
	assert_null(d0->master);
	assert_true(dev_is_up(d0));
	assert_true(has_route(RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST, d0));
	assert_true(has_route(RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL, d0));
	/* as in Linux, the l3mdev rule stays; a new VRF adds no second one */
	assert_int_equal(l3mdev_rules(), 1);
	assert_int_equal(add_vrf("red", 10, true), 0);
	assert_int_equal(l3mdev_rules(), 1);
	/* a port deleted before its VRF leaves nothing pointing at it */
	assert_int_equal(set_master(d0->ifindex, dev_named("red")->ifindex), 0);
	assert_int_equal(send_msg(h_link_msg(RTM_DELLINK, 0, d0->ifindex, 0, 0)), 0);
	assert_null(dev_named("d0"));
}


/* `ip rule add l3mdev [table T]` with FRA_L3MDEV = @v. */
static int rule_l3mdev(uint8_t v, uint32_t table, uint32_t pref)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL);
	struct fib_rule_hdr frh = { .family = AF_INET, .action = FR_ACT_TO_TBL };

	nlmsg_append(m, &frh, sizeof(frh), NLMSG_ALIGNTO);
	nla_put_u8(m, FRA_L3MDEV, v);
	nla_put_u32(m, FRA_PRIORITY, pref);
	if (table)
		nla_put_u32(m, FRA_TABLE, table);
	return send_msg(m);
}

static void test_vrf_l3mdev_rules_get_the_kernels_checks(void **state)
{
	assert_int_equal(rule_l3mdev(2, 0, 500), -EINVAL);
	assert_string_equal(extack, "Invalid l3mdev");
	assert_int_equal(rule_l3mdev(1, 10, 500), -EINVAL);
	assert_string_equal(extack, "l3mdev and table are mutually exclusive");
	assert_int_equal(l3mdev_rules(), 0);
	assert_int_equal(rule_l3mdev(1, 0, 1000), 0);
	assert_int_equal(l3mdev_rules(), 1);
	assert_int_equal(rule_l3mdev(1, 0, 1000), -EEXIST);
	/* the VRF's own is `proto kernel`, so not the same rule (rule_exists
	 * compares the protocol): the kernel adds it beside the user's */
	assert_int_equal(add_vrf("red", 10, true), 0);
	assert_int_equal(l3mdev_rules(), 2);
}

static const struct sock_ops no_ops;

static void test_vrf_socket_bound_to_it_routes_in_its_table(void **state)
{
	struct netns *ns = def_ns();
	char name[IFNAMSIZ];
	unsigned len = sizeof(name);
	struct netdev *vrf, *d0;
	struct sock *sk;

	assert_int_equal(add_vrf("red", 10, true), 0);
	assert_int_equal(add_dummy("d0"), 0);
	vrf = dev_named("red");
	d0 = dev_named("d0");
	assert_int_equal(link_up(vrf->ifindex), 0);
	assert_int_equal(addr_add(d0->ifindex, "10.0.0.1", 24), 0);
	assert_int_equal(link_up(d0->ifindex), 0);
	assert_int_equal(set_master(d0->ifindex, vrf->ifindex), 0);
	sk = sock_open(ns, IPPROTO_UDP, &no_ops, NULL);
	assert_non_null(sk);
	/* unbound: main has no route to the VRF's prefix */
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 9, "x", 1), -ENETUNREACH);
	/* SO_BINDTODEVICE: a name of no device, then the VRF */
	assert_int_equal(sock_setsockopt(sk, SOL_SOCKET, SO_BINDTODEVICE, "nosuch", 7), -ENODEV);
	assert_int_equal(sock_setsockopt(sk, SOL_SOCKET, SO_BINDTODEVICE, "red", 4), 0);
	assert_int_equal(sock_getsockopt(sk, SOL_SOCKET, SO_BINDTODEVICE, name, &len), 0);
	assert_int_equal(len, 4);
	assert_string_equal(name, "red");
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 9, "x", 1), 1);
	h_run();
	assert_int_equal(d0->stats.tx_packets, 1);
	/* an empty name unbinds: unreachable again */
	assert_int_equal(sock_setsockopt(sk, SOL_SOCKET, SO_BINDTODEVICE, "", 0), 0);
	len = sizeof(name);
	assert_int_equal(sock_getsockopt(sk, SOL_SOCKET, SO_BINDTODEVICE, name, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 9, "x", 1), -ENETUNREACH);
	sock_close(sk);
	assert_int_equal(pkt_in_use(), 0);
}

/* `ip link add NAME master M type dummy` */
static int add_dummy_master(const char *name, int master)
{
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	struct nlattr *li;

	nla_put_string(m, IFLA_IFNAME, name);
	nla_put_u32(m, IFLA_MASTER, (uint32_t)master);
	li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "dummy");
	nla_nest_end(m, li);
	return send_msg(m);
}

static void test_vrf_newlink_with_master_enslaves_or_makes_nothing(void **state)
{
	int red;

	assert_int_equal(add_vrf("red", 10, true), 0);
	red = dev_named("red")->ifindex;
	/* rtnl_newlink_create: do_set_master after the device is made */
	assert_int_equal(add_dummy_master("d0", red), 0);
	assert_ptr_equal(dev_named("d0")->master, dev_named("red"));
	/* a master that cannot take it: the new device goes again */
	assert_int_equal(add_dummy_master("d1", dev_named("d0")->ifindex), -EOPNOTSUPP);
	assert_null(dev_named("d1"));
	assert_int_equal(add_dummy_master("d2", 999), -EINVAL);
	assert_null(dev_named("d2"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_vrf_newlink_makes_an_l3_master),
		T(test_vrf_newlink_refuses_missing_or_zero_table),
		T(test_vrf_enslave_moves_routes_to_its_table_and_back),
		T(test_vrf_enslave_down_port_routes_wait_for_up),
		T(test_vrf_bad_masters_get_the_kernels_errors),
		T(test_vrf_master_in_another_namespace_is_invalid),
		T(test_vrf_lookups_use_its_table_for_flows_in_it),
		T(test_vrf_delete_frees_ports_and_keeps_the_rule),
		T(test_vrf_l3mdev_rules_get_the_kernels_checks),
		T(test_vrf_socket_bound_to_it_routes_in_its_table),
		T(test_vrf_newlink_with_master_enslaves_or_makes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
