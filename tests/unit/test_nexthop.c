// SPDX-License-Identifier: MIT
/*
 * Unit tests for nexthop objects (nexthop.c, rtnl_nexthop.c): single,
 * blackhole and group nexthops; routes using them (a group is a
 * multipath route whose flows spread over its members); replace, delete
 * and device events changing or removing those routes as the kernel
 * does; and bad input, in the API and as RTM_*NEXTHOP messages, that gets
 * the kernel's errors and changes nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/nexthop.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "devices/devices.h"
#include "tests/unit/harness/harness.h"
#include "netns/core/dev.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/nexthop.h"
#include "netns/rtnl/rtnl.h"

static struct netdev *dev_addr(struct netns *ns, const char *name, const char *addr)
{
	struct netdev *dev = h_fake_dev(ns, name, NULL);

	assert_int_equal(inet_addr_add(dev, h_ip(addr), 24, 0, RT_SCOPE_UNIVERSE, NULL, NULL), 0);
	h_tx_flush(dev);
	return dev;
}

static int nh_gw(struct netns *ns, uint32_t id, struct netdev *dev, const char *gw)
{
	struct nh_config c = { .id = id, .oif = dev->ifindex, .gw = gw ? h_ip(gw) : 0,
			       .nlflags = NLM_F_CREATE | NLM_F_EXCL };
	uint32_t got;

	return nexthop_add(ns, &c, &got, NULL);
}

static int nh_group(struct netns *ns, uint32_t id, const struct nh_grp_entry *g, uint16_t n,
		    uint32_t nlflags, struct extack *ext)
{
	struct nh_config c = { .id = id, .ngrp = n, .grp = g, .nlflags = nlflags };
	uint32_t got;

	return nexthop_add(ns, &c, &got, ext);
}

static int route_nhid(struct netns *ns, const char *dst, uint32_t nhid, struct extack *ext)
{
	struct fib_config c = { .table = RT_TABLE_MAIN, .dst = h_ip(dst), .dst_len = 24,
				.type = RTN_UNICAST, .scope = RT_SCOPE_UNIVERSE,
				.protocol = RTPROT_BOOT, .nlflags = NLM_F_CREATE | NLM_F_EXCL,
				.nh_id = nhid };

	return fib_route_add(ns, &c, ext);
}

struct find {
	uint32_t dst;
	struct fib_route r;
	struct fib_path nh[4];
	bool found;
};

static int find_one(const struct fib_route *r, void *arg)
{
	struct find *f = arg;

	if (r->cfg.table != RT_TABLE_MAIN || r->cfg.dst != f->dst || r->cfg.dst_len != 24)
		return 0;
	f->r = *r;
	for (unsigned i = 0; i < r->nhs && i < 4; i++)
		f->nh[i] = r->nh[i];
	f->found = true;
	return 1;
}

static struct find find_route(struct netns *ns, const char *dst)
{
	struct find f = { .dst = h_ip(dst) };

	fib_walk(ns, find_one, &f);
	return f;
}

/* The device a lookup of @dst (source @src) goes out of, path chosen. */
static struct netdev *pick(struct netns *ns, const char *dst, uint32_t src)
{
	struct flowi4 fl = { .daddr = h_ip(dst), .saddr = src };
	struct fib_result res;

	if (fib_lookup_flow(ns, &fl, &res))
		return NULL;
	fib_select_path(ns, &res, &fl);
	return res.dev;
}

/* A namespace with a (10.0.0.1/24) and b (10.0.1.1/24), nexthops 1 via
 * 10.0.0.2 dev a, 2 via 10.0.1.2 dev b and the group 10 = 1/2. */
static struct netns *two_nh(struct netdev **a, struct netdev **b)
{
	struct netns *ns = h_ns("a");
	const struct nh_grp_entry g[] = { { 1, 1 }, { 2, 1 } };

	*a = dev_addr(ns, "eth0", "10.0.0.1");
	*b = dev_addr(ns, "eth1", "10.0.1.1");
	assert_int_equal(nh_gw(ns, 1, *a, "10.0.0.2"), 0);
	assert_int_equal(nh_gw(ns, 2, *b, "10.0.1.2"), 0);
	assert_int_equal(nh_group(ns, 10, g, 2, NLM_F_CREATE | NLM_F_EXCL, NULL), 0);
	return ns;
}

static void test_nh_single_and_group_are_kept_by_id(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_nh(&a, &b);
	const struct nexthop *nh = nexthop_find(ns, 1), *g = nexthop_find(ns, 10);
	struct nh_config auto_id = { .oif = 0, .blackhole = true, .nlflags = NLM_F_CREATE };
	uint32_t id = 0;

	(void)state;
	assert_non_null(nh);
	assert_ptr_equal(nh->dev, a);
	assert_int_equal(nh->gw, h_ip("10.0.0.2"));
	assert_int_equal(nh->scope, RT_SCOPE_LINK);
	assert_non_null(g);
	assert_int_equal(g->ngrp, 2);
	assert_int_equal(g->grp[1].id, 2);
	/* id 0: nh_find_unused_id counts up from the last one given, past
	 * the ids in use (1 and 2) */
	assert_int_equal(dev_open(dev_get_by_index(ns, 1)), 0);
	assert_int_equal(nexthop_add(ns, &auto_id, &id, NULL), 0);
	assert_int_equal(id, 3);
	assert_true(nexthop_find(ns, 3)->blackhole);
	assert_int_equal(nexthop_count(ns), 4);
}

static void test_nh_route_takes_the_nexthop_and_shows_its_id(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_nh(&a, &b);
	struct find f;

	(void)state;
	assert_int_equal(route_nhid(ns, "192.168.1.0", 1, NULL), 0);
	f = find_route(ns, "192.168.1.0");
	assert_true(f.found);
	assert_int_equal(f.r.cfg.nh_id, 1);
	assert_int_equal(f.r.cfg.gw, h_ip("10.0.0.2"));
	assert_ptr_equal(pick(ns, "192.168.1.9", 0), a);
}

static void test_nh_group_route_spreads_flows_over_its_members(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_nh(&a, &b);
	unsigned on_a = 0, on_b = 0;
	struct find f;

	(void)state;
	assert_int_equal(route_nhid(ns, "192.168.2.0", 10, NULL), 0);
	f = find_route(ns, "192.168.2.0");
	assert_true(f.found);
	assert_int_equal(f.r.cfg.nh_id, 10);
	assert_int_equal(f.r.nhs, 2);
	assert_ptr_equal(f.nh[0].dev, a);
	assert_ptr_equal(f.nh[1].dev, b);
	for (unsigned i = 0; i < 200; i++) {
		struct netdev *d = pick(ns, "192.168.2.7", htonl(0x0a630000u + i * 7919u));

		on_a += d == a;
		on_b += d == b;
	}
	assert_int_equal(on_a + on_b, 200);
	assert_true(on_a > 40 && on_b > 40);
}

static void test_nh_replace_changes_the_routes_using_it(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_nh(&a, &b);
	struct nh_config c = { .id = 1, .oif = 0, .gw = h_ip("10.0.1.9"),
			       .nlflags = NLM_F_CREATE | NLM_F_REPLACE };
	const struct nh_grp_entry g[] = { { 2, 1 } };
	uint32_t id;
	struct find f;

	(void)state;
	assert_int_equal(route_nhid(ns, "192.168.1.0", 1, NULL), 0);
	assert_int_equal(route_nhid(ns, "192.168.2.0", 10, NULL), 0);
	c.oif = b->ifindex;
	assert_int_equal(nexthop_add(ns, &c, &id, NULL), 0);
	f = find_route(ns, "192.168.1.0");
	assert_true(f.found);
	assert_int_equal(f.r.cfg.gw, h_ip("10.0.1.9"));
	assert_ptr_equal(f.r.dev, b);
	/* the group's first path follows its member */
	f = find_route(ns, "192.168.2.0");
	assert_int_equal(f.nh[0].gw, h_ip("10.0.1.9"));
	/* a group replaced by a group of one: a plain route */
	assert_int_equal(nh_group(ns, 10, g, 1, NLM_F_CREATE | NLM_F_REPLACE, NULL), 0);
	f = find_route(ns, "192.168.2.0");
	assert_true(f.found);
	assert_int_equal(f.r.nhs, 0);
	assert_int_equal(f.r.cfg.gw, h_ip("10.0.1.2"));
	assert_int_equal(f.r.cfg.nh_id, 10);
}

static void test_nh_delete_removes_routes_and_shrinks_groups(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_nh(&a, &b);
	unsigned routes;
	struct find f;

	(void)state;
	assert_int_equal(route_nhid(ns, "192.168.1.0", 1, NULL), 0);
	assert_int_equal(route_nhid(ns, "192.168.2.0", 10, NULL), 0);
	routes = fib_route_count(ns);
	assert_int_equal(nexthop_del(ns, 1, NULL, NULL), 0);
	assert_null(nexthop_find(ns, 1));
	assert_false(find_route(ns, "192.168.1.0").found);
	f = find_route(ns, "192.168.2.0");
	assert_true(f.found);
	assert_int_equal(f.r.nhs, 0);
	assert_ptr_equal(f.r.dev, b);
	assert_int_equal(nexthop_find(ns, 10)->ngrp, 1);
	assert_int_equal(fib_route_count(ns), routes - 1);
	/* the group goes with its last member, and its route */
	assert_int_equal(nexthop_del(ns, 2, NULL, NULL), 0);
	assert_null(nexthop_find(ns, 10));
	assert_false(find_route(ns, "192.168.2.0").found);
	assert_int_equal(nexthop_count(ns), 0);
	assert_int_equal(nexthop_del(ns, 2, NULL, NULL), -ENOENT);
}

static void test_nh_device_down_and_carrier_loss_remove_its_nexthops(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_nh(&a, &b);
	struct find f;

	(void)state;
	assert_int_equal(route_nhid(ns, "192.168.1.0", 1, NULL), 0);
	assert_int_equal(route_nhid(ns, "192.168.2.0", 10, NULL), 0);
	dev_set_carrier(b, false);
	assert_null(nexthop_find(ns, 2));
	f = find_route(ns, "192.168.2.0");
	assert_true(f.found); /* nhid 10 via its remaining member */
	assert_ptr_equal(f.r.dev, a);
	assert_int_equal(dev_close(a), 0);
	assert_int_equal(nexthop_count(ns), 0);
	assert_false(find_route(ns, "192.168.1.0").found);
	assert_false(find_route(ns, "192.168.2.0").found);
}

static void test_nh_unregister_keeps_the_group_route_on_other_members(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_nh(&a, &b);
	struct find f;

	(void)state;
	assert_int_equal(route_nhid(ns, "192.168.2.0", 10, NULL), 0);
	/* unlike an RTA_MULTIPATH route, which goes whole */
	dev_unregister(b);
	f = find_route(ns, "192.168.2.0");
	assert_true(f.found);
	assert_ptr_equal(f.r.dev, a);
	assert_int_equal(f.r.nhs, 0);
}

static void test_nh_bad_input_changes_nothing(void **state)
{
	struct netdev *a, *b;
	struct netns *ns = two_nh(&a, &b);
	struct extack ext = { 0 };
	const struct nh_grp_entry nested[] = { { 10, 1 } }, missing[] = { { 1, 1 }, { 99, 1 } },
				  twice[] = { { 1, 1 }, { 1, 2 } }, heavy[] = { { 1, 257 } },
				  self[] = { { 20, 1 } }, bh[] = { { 1, 1 }, { 5, 1 } };
	struct nh_config blackhole_dev = { .id = 5, .blackhole = true, .oif = 2,
					   .nlflags = NLM_F_CREATE };
	struct nh_config bad_gw = { .id = 6, .oif = 0, .gw = h_ip("10.9.9.9"),
				    .nlflags = NLM_F_CREATE };
	uint32_t id;
	unsigned routes;

	(void)state;
	assert_int_equal(route_nhid(ns, "192.168.2.0", 10, NULL), 0);
	assert_int_equal(dev_open(dev_get_by_index(ns, 1)), 0); /* lo: blackholes below */
	routes = fib_route_count(ns);
	assert_int_equal(nh_group(ns, 20, nested, 1, NLM_F_CREATE, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Hash-threshold group can not be a nexthop within a group");
	assert_int_equal(nh_group(ns, 20, missing, 2, NLM_F_CREATE, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Invalid nexthop id");
	assert_int_equal(nh_group(ns, 20, self, 1, NLM_F_CREATE, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Invalid nexthop id");
	assert_int_equal(nh_group(ns, 20, twice, 2, NLM_F_CREATE, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Nexthop id can not be used twice in a group");
	assert_int_equal(nh_group(ns, 20, heavy, 1, NLM_F_CREATE, &ext), -EINVAL);
	assert_int_equal(nexthop_add(ns, &blackhole_dev, &id, &ext), -EINVAL);
	assert_string_equal(ext.msg,
			    "Blackhole attribute can not be used with gateway, oif, encap or fdb");
	bad_gw.oif = a->ifindex;
	assert_int_equal(nexthop_add(ns, &bad_gw, &id, &ext), -ENETUNREACH);
	assert_string_equal(ext.msg, "Nexthop has invalid gateway");
	/* a blackhole only alone in a group */
	blackhole_dev.oif = 0;
	assert_int_equal(nexthop_add(ns, &blackhole_dev, &id, NULL), 0);
	assert_int_equal(nh_group(ns, 20, bh, 2, NLM_F_CREATE, &ext), -EINVAL);
	assert_string_equal(ext.msg,
			    "Blackhole nexthop can not be used in a group with more than 1 path");
	/* the same id again, and kinds that cannot replace each other */
	assert_int_equal(nh_gw(ns, 1, a, "10.0.0.3"), -EEXIST);
	assert_int_equal(nh_group(ns, 10, missing, 1, NLM_F_CREATE, NULL), -EEXIST);
	assert_int_equal(nh_group(ns, 1, twice, 1, NLM_F_CREATE | NLM_F_REPLACE, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Can not replace a nexthop with a nexthop group.");
	/* routes: an unknown id, and an id beside nexthops */
	assert_int_equal(route_nhid(ns, "192.168.3.0", 77, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Nexthop id does not exist");
	assert_int_equal(nexthop_count(ns), 4); /* 1, 2, 10 and the blackhole 5 */
	assert_int_equal(nexthop_find(ns, 1)->gw, h_ip("10.0.0.2"));
	assert_int_equal(nexthop_find(ns, 10)->ngrp, 2);
	assert_int_equal(fib_route_count(ns), routes);
	assert_int_equal(find_route(ns, "192.168.2.0").r.nhs, 2);
}

static void test_nh_blackhole_route_answers_blackhole(void **state)
{
	struct netns *ns = h_ns("a");
	struct nh_config c = { .id = 4, .blackhole = true, .nlflags = NLM_F_CREATE };
	struct fib_result res;
	struct extack ext = { 0 };
	uint32_t id;

	(void)state;
	/* the kernel's blackhole nexthop sits on lo, which must be up */
	dev_close(dev_get_by_index(ns, 1));
	assert_int_equal(nexthop_add(ns, &c, &id, &ext), -ENETDOWN);
	assert_string_equal(ext.msg, "Device for nexthop is not up");
	assert_int_equal(dev_open(dev_get_by_index(ns, 1)), 0);
	assert_int_equal(nexthop_add(ns, &c, &id, NULL), 0);
	assert_int_equal(route_nhid(ns, "192.168.4.0", 4, NULL), 0);
	assert_int_equal(fib_lookup(ns, h_ip("192.168.4.1"), &res), 0);
	assert_int_equal(res.type, RTN_BLACKHOLE);
}

/* ---- RTM_*NEXTHOP ---- */

static struct rtnl_conn conn;
static struct rtnl_out out;
static uint32_t seq;

static int rtnl_setup(void **state)
{
	(void)state;
	h_setup();
	devices_init();
	assert_int_equal(rtnl_init(), 0);
	conn = (struct rtnl_conn){ .portid = 4242, .ext_ack = true };
	rtnl_out_init(&out);
	return 0;
}

static int rtnl_teardown(void **state)
{
	(void)state;
	rtnl_exit();
	rtnl_out_free(&out);
	h_teardown();
	return 0;
}

static void send_msg(struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	h->nlmsg_flags |= NLM_F_REQUEST;
	h->nlmsg_seq = ++seq;
	rtnl_out_reset(&out);
	rtnl_process(&conn, h, h->nlmsg_len, &out);
	nlmsg_free(m);
}

static struct nlmsghdr *reply(unsigned i)
{
	for (size_t off = 0; off + NLMSG_HDRLEN <= out.len;) {
		struct nlmsghdr *h = (struct nlmsghdr *)(out.buf + off);

		if (i-- == 0)
			return h;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return NULL;
}

static int reply_err(const char **msg)
{
	*msg = NULL;
	for (unsigned i = 0; reply(i); i++) {
		struct nlmsghdr *h = reply(i);
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

		if (h->nlmsg_type != NLMSG_ERROR)
			continue;
		if ((h->nlmsg_flags & NLM_F_ACK_TLVS) &&
		    !nlmsg_parse(h, sizeof(struct nlmsgerr), tb, NLMSGERR_ATTR_MAX, NULL) &&
		    tb[NLMSGERR_ATTR_MSG])
			*msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
		return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	return 1;
}

static struct nl_msg *nh_msg(int type, uint8_t family, int flags)
{
	struct nhmsg nhm = { .nh_family = family };
	struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_ACK | flags);

	nlmsg_append(m, &nhm, sizeof(nhm), NLMSG_ALIGNTO);
	return m;
}

static void expect(struct nl_msg *m, int err, const char *text)
{
	const char *msg;

	send_msg(m);
	assert_int_equal(reply_err(&msg), err);
	if (text)
		assert_string_equal(msg, text);
	else
		assert_null(msg);
}

/* The ids a dump (with @groups: NHA_GROUPS) answers, in order. */
static unsigned dump_ids(bool groups, uint32_t *ids, unsigned max)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETNEXTHOP, NLM_F_DUMP);
	struct nhmsg nhm = { 0 };
	unsigned n = 0;

	nlmsg_append(m, &nhm, sizeof(nhm), NLMSG_ALIGNTO);
	if (groups)
		nla_put_flag(m, NHA_GROUPS);
	send_msg(m);
	for (unsigned i = 0; reply(i); i++) {
		struct nlmsghdr *h = reply(i);
		struct nlattr *tb[NHA_MAX + 1];

		if (h->nlmsg_type != RTM_NEWNEXTHOP ||
		    nlmsg_parse(h, sizeof(struct nhmsg), tb, NHA_MAX, NULL) || !tb[NHA_ID])
			continue;
		if (n < max)
			ids[n] = nla_get_u32(tb[NHA_ID]);
		n++;
	}
	return n;
}

static void test_rtnl_nexthop_new_get_dump_del(void **state)
{
	struct nexthop_grp g[1] = { { .id = 1, .weight = 2 } };
	struct nlattr *tb[NHA_MAX + 1];
	struct nl_msg *m;
	uint32_t ids[4];

	(void)state;
	/* lo is down in a new namespace, as in Linux */
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, NLM_F_CREATE | NLM_F_EXCL);
	nla_put_u32(m, NHA_ID, 1);
	nla_put_flag(m, NHA_BLACKHOLE);
	expect(m, -ENETDOWN, "Device for nexthop is not up");
	{
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1,
					 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };

		m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_ACK);
		nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
		expect(m, 0, NULL);
	}
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, NLM_F_CREATE | NLM_F_EXCL);
	nla_put_u32(m, NHA_ID, 1);
	nla_put_flag(m, NHA_BLACKHOLE);
	expect(m, 0, NULL);
	m = nh_msg(RTM_NEWNEXTHOP, AF_UNSPEC, NLM_F_CREATE | NLM_F_EXCL);
	nla_put_u32(m, NHA_ID, 7);
	nla_put(m, NHA_GROUP, sizeof(g), g);
	expect(m, 0, NULL);
	/* get: the group with its weight (3: the byte is weight - 1) */
	m = nh_msg(RTM_GETNEXTHOP, AF_UNSPEC, 0);
	nla_put_u32(m, NHA_ID, 7);
	send_msg(m);
	assert_int_equal(reply(0)->nlmsg_type, RTM_NEWNEXTHOP);
	assert_int_equal(nlmsg_parse(reply(0), sizeof(struct nhmsg), tb, NHA_MAX, NULL), 0);
	assert_non_null(tb[NHA_GROUP]);
	assert_int_equal(((struct nexthop_grp *)nla_data(tb[NHA_GROUP]))->weight, 2);
	assert_int_equal(dump_ids(false, ids, 4), 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 7);
	assert_int_equal(dump_ids(true, ids, 4), 1);
	assert_int_equal(ids[0], 7);
	/* deleting the member takes the group along */
	m = nh_msg(RTM_DELNEXTHOP, AF_UNSPEC, 0);
	nla_put_u32(m, NHA_ID, 1);
	expect(m, 0, NULL);
	assert_int_equal(dump_ids(false, ids, 4), 0);
}

static void test_rtnl_nexthop_bad_messages_get_kernel_errors(void **state)
{
	struct nexthop_grp g[2] = { { .id = 1 }, { .id = 1 } };
	struct nl_msg *m;
	uint32_t ids[4];

	(void)state;
	m = nh_msg(RTM_NEWNEXTHOP, AF_UNSPEC, NLM_F_CREATE);
	nla_put_u32(m, NHA_ID, 3);
	expect(m, -EINVAL, "Invalid address family");
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, NLM_F_CREATE);
	nla_put_u32(m, NHA_ID, 3);
	expect(m, -EINVAL, "Device attribute required for non-blackhole and non-fdb nexthops");
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, NLM_F_CREATE);
	nla_put_u32(m, NHA_OIF, 99);
	expect(m, -EINVAL, "Invalid device index");
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, NLM_F_CREATE);
	nla_put_u32(m, NHA_OIF, 1);
	nla_put(m, NHA_GATEWAY, 3, "abc");
	expect(m, -EINVAL, "Invalid gateway");
	/* NHA_GROUPS belongs to dumps: the strict policy has no entry */
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, NLM_F_CREATE);
	nla_put_flag(m, NHA_GROUPS);
	expect(m, -EINVAL, "Unsupported attribute");
	m = nh_msg(RTM_NEWNEXTHOP, AF_UNSPEC, NLM_F_CREATE);
	nla_put(m, NHA_GROUP, 5, g);
	expect(m, -EINVAL, "Invalid length for nexthop group attribute");
	m = nh_msg(RTM_NEWNEXTHOP, AF_UNSPEC, NLM_F_CREATE);
	nla_put(m, NHA_GROUP, sizeof(g), g);
	expect(m, -EINVAL, "Nexthop id can not be used twice in a group");
	g[1].id = 2;
	g[1].resvd1 = 1;
	m = nh_msg(RTM_NEWNEXTHOP, AF_UNSPEC, NLM_F_CREATE);
	nla_put(m, NHA_GROUP, sizeof(g), g);
	expect(m, -EINVAL, "Reserved fields in nexthop_grp must be 0");
	m = nh_msg(RTM_NEWNEXTHOP, AF_INET, NLM_F_CREATE);
	nla_put(m, NHA_GROUP, sizeof(g[0]), g);
	expect(m, -EINVAL, "Invalid family for group");
	m = nh_msg(RTM_DELNEXTHOP, AF_UNSPEC, 0);
	expect(m, -EINVAL, "Nexthop id is missing");
	m = nh_msg(RTM_DELNEXTHOP, AF_UNSPEC, 0);
	nla_put_u32(m, NHA_ID, 0);
	expect(m, -EINVAL, "Invalid nexthop id");
	m = nh_msg(RTM_DELNEXTHOP, AF_UNSPEC, 0);
	nla_put_u32(m, NHA_ID, 5);
	expect(m, -ENOENT, NULL);
	m = nh_msg(RTM_GETNEXTHOP, AF_UNSPEC, 0);
	nla_put_u32(m, NHA_ID, 5);
	nla_put_u32(m, NHA_OIF, 1);
	/* above rtm_nh_policy_get's last type */
	expect(m, -EINVAL, "Unknown attribute type");
	assert_int_equal(dump_ids(false, ids, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, h_cm_setup, h_cm_teardown)
		T(test_nh_single_and_group_are_kept_by_id),
		T(test_nh_route_takes_the_nexthop_and_shows_its_id),
		T(test_nh_group_route_spreads_flows_over_its_members),
		T(test_nh_replace_changes_the_routes_using_it),
		T(test_nh_delete_removes_routes_and_shrinks_groups),
		T(test_nh_device_down_and_carrier_loss_remove_its_nexthops),
		T(test_nh_unregister_keeps_the_group_route_on_other_members),
		T(test_nh_bad_input_changes_nothing),
		T(test_nh_blackhole_route_answers_blackhole),
#undef T
		cmocka_unit_test_setup_teardown(test_rtnl_nexthop_new_get_dump_del, rtnl_setup,
						rtnl_teardown),
		cmocka_unit_test_setup_teardown(test_rtnl_nexthop_bad_messages_get_kernel_errors,
						rtnl_setup, rtnl_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
