// SPDX-License-Identifier: MIT
/*
 * Unit tests for netns/ipv4/fib_rules.c: the default rules and the direct
 * lookup path they keep, the default priority, each selector (from, to,
 * iif, oif, fwmark/mask, tos, not), order by priority, goto (resolved,
 * unresolved, re-resolved), suppress_prefixlength, the actions and the
 * errors they give, delete and flush semantics, bad input, and the rules
 * as the data path (ip_route_output, fib_lookup_batch) sees them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/harness/harness.h"

#include "core/pkt.h"
#include "netns/core/dev.h"
#include "netns/core/sysctl.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/fib_rules.h"
#include "netns/ipv4/route.h"


/* A namespace with eth0 10.0.1.1/24 and eth1 10.0.2.1/24, and
 * 192.168.0.0/16 via 10.0.1.2 in main, via 10.0.2.2 in table 100. */
static struct netns *two_tables(struct netdev **e0, struct netdev **e1)
{
	struct netns *ns = h_ns("a");
	struct netdev *a = h_fake_dev(ns, "eth0", NULL), *b = h_fake_dev(ns, "eth1", NULL);
	struct fib_config c = { .table = RT_TABLE_MAIN, .dst = h_ip("192.168.0.0"), .dst_len = 16,
				.type = RTN_UNICAST, .scope = RT_SCOPE_UNIVERSE,
				.protocol = RTPROT_BOOT, .gw = h_ip("10.0.1.2"),
				.nlflags = NLM_F_CREATE | NLM_F_EXCL };

	assert_int_equal(inet_addr_add(a, h_ip("10.0.1.1"), 24, 0, RT_SCOPE_UNIVERSE, NULL, NULL), 0);
	assert_int_equal(inet_addr_add(b, h_ip("10.0.2.1"), 24, 0, RT_SCOPE_UNIVERSE, NULL, NULL), 0);
	h_tx_flush(a);
	h_tx_flush(b);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	c.table = 100;
	c.gw = h_ip("10.0.2.2");
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	if (e0)
		*e0 = a;
	if (e1)
		*e1 = b;
	return ns;
}

static struct fib_rule_config rule(uint32_t table)
{
	return (struct fib_rule_config){ .table = table, .action = FR_ACT_TO_TBL,
					 .suppress_prefixlen = -1, .suppress_ifgroup = -1,
					 .has_table = true };
}

static struct fib_rule_config rule_pref(uint32_t pref, uint8_t action, uint32_t table)
{
	struct fib_rule_config c = rule(table);

	c.pref = pref;
	c.has_pref = true;
	c.action = action;
	return c;
}

static int add(struct netns *ns, struct fib_rule_config c)
{
	struct extack ext = { 0 };

	return fib_rule_add(ns, &c, true, NULL, &ext);
}

/* The table a lookup of @fl answers from, 0 for none, -errno on error. */
static long table_of(struct netns *ns, struct flowi4 fl)
{
	struct fib_result res;
	int err = fib_lookup_flow(ns, &fl, &res);

	return err ? err : (long)res.table;
}

struct prefs {
	uint32_t v[16];
	uint32_t flags[16];
	unsigned n;
};

static int collect(const struct fib_rule_view *r, void *arg)
{
	struct prefs *p = arg;

	if (p->n < 16) {
		p->flags[p->n] = r->flags;
		p->v[p->n++] = r->cfg.pref;
	}
	return 0;
}

static struct prefs prefs_of(struct netns *ns)
{
	struct prefs p = { .n = 0 };

	assert_int_equal(fib_rules_walk(ns, collect, &p), 0);
	return p;
}

static void test_fib_rules_defaults_keep_the_direct_path(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct prefs p = prefs_of(ns);

	(void)state;
	assert_int_equal(fib_rules_count(ns), 3);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0], 0);
	assert_int_equal(p.v[1], 32766);
	assert_int_equal(p.v[2], 32767);
	assert_false(fib_has_custom_rules(ns));
	/* local before main: our own address */
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("10.0.1.1") }), RT_TABLE_LOCAL);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3") }),
			 RT_TABLE_MAIN);
}

static void test_fib_rules_default_priority_is_below_second_rule(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct prefs p;

	(void)state;
	assert_int_equal(add(ns, rule(100)), 0);
	assert_int_equal(add(ns, rule(101)), 0);
	p = prefs_of(ns);
	assert_int_equal(p.n, 5);
	assert_int_equal(p.v[1], 32764);
	assert_int_equal(p.v[2], 32765);
	assert_true(fib_has_custom_rules(ns));
}

static void test_fib_rules_from_selects_table(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config c = rule(100);

	(void)state;
	c.src = h_ip("10.9.0.0");
	c.src_len = 16;
	assert_int_equal(add(ns, c), 0);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3"),
						       .saddr = h_ip("10.9.4.4") }),
			 100);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3"),
						       .saddr = h_ip("10.8.4.4") }),
			 RT_TABLE_MAIN);
}

static void test_fib_rules_to_tos_and_mark_select(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config to = rule(100), tos = rule(100), mark = rule(100);
	struct flowi4 fl = { .daddr = h_ip("192.168.3.3") };

	(void)state;
	to.dst = h_ip("192.168.7.0");
	to.dst_len = 24;
	tos.tos = 0x10;
	mark.mark = 0x5;
	mark.mark_mask = 0xff;
	mark.has_mark_mask = true;
	assert_int_equal(add(ns, to), 0);
	assert_int_equal(add(ns, tos), 0);
	assert_int_equal(add(ns, mark), 0);
	assert_true(fib_rules_use_tos_mark(ns));
	assert_int_equal(table_of(ns, fl), RT_TABLE_MAIN);
	fl.daddr = h_ip("192.168.7.9");
	assert_int_equal(table_of(ns, fl), 100);
	fl.daddr = h_ip("192.168.3.3");
	fl.tos = 0x10;
	assert_int_equal(table_of(ns, fl), 100);
	/* the ECN bits do not count */
	fl.tos = 0x11;
	assert_int_equal(table_of(ns, fl), 100);
	fl.tos = 0x08;
	assert_int_equal(table_of(ns, fl), RT_TABLE_MAIN);
	fl.tos = 0;
	fl.mark = 0x305; /* only the masked bits */
	assert_int_equal(table_of(ns, fl), 100);
	fl.mark = 0x306;
	assert_int_equal(table_of(ns, fl), RT_TABLE_MAIN);
}

static void test_fib_rules_not_inverts(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config c = rule(100);

	(void)state;
	c.flags = FIB_RULE_INVERT;
	c.src = h_ip("10.9.0.0");
	c.src_len = 16;
	assert_int_equal(add(ns, c), 0);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3"),
						       .saddr = h_ip("10.9.4.4") }),
			 RT_TABLE_MAIN);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3"),
						       .saddr = h_ip("10.8.4.4") }),
			 100);
}

static void test_fib_rules_iif_by_name_detached_until_device_exists(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config c = rule(100);
	struct flowi4 fl = { .daddr = h_ip("192.168.3.3") };
	struct netdev *late;
	struct prefs p;

	(void)state;
	snprintf(c.iifname, sizeof(c.iifname), "late0");
	assert_int_equal(add(ns, c), 0);
	p = prefs_of(ns);
	assert_true(p.flags[1] & FIB_RULE_IIF_DETACHED);
	/* a detached rule matches nothing, not even iif 0 */
	assert_int_equal(table_of(ns, fl), RT_TABLE_MAIN);
	late = h_fake_dev(ns, "late0", NULL);
	p = prefs_of(ns);
	assert_false(p.flags[1] & FIB_RULE_IIF_DETACHED);
	fl.iif = late->ifindex;
	assert_int_equal(table_of(ns, fl), 100);
	fl.iif = late->ifindex + 1;
	assert_int_equal(table_of(ns, fl), RT_TABLE_MAIN);
	/* and detached again when it goes */
	dev_unregister(late);
	p = prefs_of(ns);
	assert_true(p.flags[1] & FIB_RULE_IIF_DETACHED);
}

static void test_fib_rules_oif_selects(void **state)
{
	struct netdev *e1;
	struct netns *ns = two_tables(NULL, &e1);
	struct fib_rule_config c = rule(100);

	(void)state;
	snprintf(c.oifname, sizeof(c.oifname), "eth1");
	assert_int_equal(add(ns, c), 0);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3"),
						       .oif = e1->ifindex }),
			 100);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3") }),
			 RT_TABLE_MAIN);
}

static void test_fib_rules_order_by_priority_then_insertion(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct prefs p;

	(void)state;
	assert_int_equal(add(ns, rule_pref(200, FR_ACT_TO_TBL, 101)), 0);
	assert_int_equal(add(ns, rule_pref(100, FR_ACT_TO_TBL, 100)), 0);
	assert_int_equal(add(ns, rule_pref(200, FR_ACT_TO_TBL, 102)), 0);
	p = prefs_of(ns);
	assert_int_equal(p.n, 6);
	assert_int_equal(p.v[1], 100);
	assert_int_equal(p.v[2], 200);
	assert_int_equal(p.v[3], 200);
	/* priority 100's table answers first */
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3") }), 100);
}

static void test_fib_rules_missing_table_falls_through(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);

	(void)state;
	assert_int_equal(add(ns, rule_pref(10, FR_ACT_TO_TBL, 4242)), 0);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3") }),
			 RT_TABLE_MAIN);
}

static void test_fib_rules_goto_skips_and_resolves(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config g = rule_pref(10, FR_ACT_GOTO, 0);
	struct flowi4 fl = { .daddr = h_ip("192.168.3.3") };
	struct prefs p;

	(void)state;
	g.target = 30;
	g.has_goto = true;
	assert_int_equal(add(ns, g), 0);
	assert_int_equal(add(ns, rule_pref(20, FR_ACT_PROHIBIT, 0)), 0);
	/* target 30 does not exist yet: the goto is skipped, prohibit hits */
	p = prefs_of(ns);
	assert_true(p.flags[1] & FIB_RULE_UNRESOLVED);
	assert_int_equal(table_of(ns, fl), -EACCES);
	/* with a rule at 30 the goto jumps over the prohibit */
	assert_int_equal(add(ns, rule_pref(30, FR_ACT_TO_TBL, 100)), 0);
	p = prefs_of(ns);
	assert_false(p.flags[1] & FIB_RULE_UNRESOLVED);
	assert_int_equal(table_of(ns, fl), 100);
	/* deleting the target unresolves it again */
	struct fib_rule_config d = { .pref = 30, .has_pref = true, .suppress_prefixlen = -1,
				     .suppress_ifgroup = -1 };
	assert_int_equal(fib_rule_del(ns, &d, NULL, NULL), 0);
	assert_int_equal(table_of(ns, fl), -EACCES);
}

static void test_fib_rules_goto_must_go_forward(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config g = rule_pref(10, FR_ACT_GOTO, 0), m = rule_pref(10, FR_ACT_GOTO, 0);
	struct extack ext = { 0 };

	(void)state;
	g.target = 10;
	g.has_goto = true;
	assert_int_equal(fib_rule_add(ns, &g, true, NULL, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Backward goto not supported.");
	ext.msg = NULL;
	assert_int_equal(fib_rule_add(ns, &m, true, NULL, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Missing goto target for action goto.");
	assert_int_equal(fib_rules_count(ns), 3);
	assert_false(fib_has_custom_rules(ns));
}

static void test_fib_rules_suppress_prefixlength_skips_default_route(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config s = rule_pref(10, FR_ACT_TO_TBL, RT_TABLE_MAIN);
	struct fib_config def = { .table = RT_TABLE_MAIN, .type = RTN_UNICAST,
				  .scope = RT_SCOPE_UNIVERSE, .protocol = RTPROT_BOOT,
				  .gw = h_ip("10.0.1.2"), .nlflags = NLM_F_CREATE | NLM_F_EXCL };
	struct fib_rule_config d = { .pref = 10, .has_pref = true, .suppress_prefixlen = -1,
				     .suppress_ifgroup = -1 };

	(void)state;
	/* a default route in main and one in table 100 */
	assert_int_equal(fib_route_add(ns, &def, NULL), 0);
	def.table = 100;
	def.gw = h_ip("10.0.2.2");
	assert_int_equal(fib_route_add(ns, &def, NULL), 0);
	s.suppress_prefixlen = 0;
	assert_int_equal(add(ns, s), 0);
	assert_int_equal(add(ns, rule_pref(20, FR_ACT_TO_TBL, 100)), 0);
	/* main's /16 is longer than 0: kept */
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3") }),
			 RT_TABLE_MAIN);
	/* main's default is suppressed at 10: table 100's default answers */
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("8.8.8.8") }), 100);
	/* without the suppressor main answers first again */
	assert_int_equal(fib_rule_del(ns, &d, NULL, NULL), 0);
	d.pref = 20;
	assert_int_equal(fib_rule_del(ns, &d, NULL, NULL), 0);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("8.8.8.8") }), RT_TABLE_MAIN);
	assert_false(fib_has_custom_rules(ns));
}

static void test_fib_rules_actions_give_their_errors(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config u = rule_pref(10, FR_ACT_UNREACHABLE, 0);
	struct fib_rule_config p = rule_pref(11, FR_ACT_PROHIBIT, 0);
	struct fib_rule_config b = rule_pref(12, FR_ACT_BLACKHOLE, 0);
	struct fib_rule_config n = rule_pref(9, FR_ACT_NOP, 0);

	(void)state;
	u.dst = h_ip("172.16.0.0");
	u.dst_len = 16;
	p.dst = h_ip("172.17.0.0");
	p.dst_len = 16;
	b.dst = h_ip("172.18.0.0");
	b.dst_len = 16;
	assert_int_equal(add(ns, n), 0);
	assert_int_equal(add(ns, u), 0);
	assert_int_equal(add(ns, p), 0);
	assert_int_equal(add(ns, b), 0);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("172.16.1.1") }), -ENETUNREACH);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("172.17.1.1") }), -EACCES);
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("172.18.1.1") }), -EINVAL);
	/* a nop matching everything changes nothing */
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.1.1") }),
			 RT_TABLE_MAIN);
}

static void test_fib_rules_output_route_sees_iif_lo(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config c = rule_pref(10, FR_ACT_PROHIBIT, 0);
	struct rtable rt;

	(void)state;
	snprintf(c.iifname, sizeof(c.iifname), "lo");
	assert_int_equal(add(ns, c), 0);
	/* locally generated: iif is lo, so the rule applies */
	assert_int_equal(ip_route_output(ns, h_ip("192.168.3.3"), 0, 0, &rt), -EACCES);
}

static void test_fib_rules_del_semantics(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config any = { .suppress_prefixlen = -1, .suppress_ifgroup = -1 };
	struct fib_rule_config t = any;
	struct fib_rule_view v;

	(void)state;
	assert_int_equal(add(ns, rule_pref(100, FR_ACT_TO_TBL, 5)), 0);
	assert_int_equal(add(ns, rule_pref(200, FR_ACT_TO_TBL, 5)), 0);
	/* nothing matches: ENOENT, nothing removed */
	t.table = 6;
	assert_int_equal(fib_rule_del(ns, &t, NULL, NULL), -ENOENT);
	assert_int_equal(fib_rules_count(ns), 5);
	/* by table: the first of them */
	t.table = 5;
	assert_int_equal(fib_rule_del(ns, &t, &v, NULL), 0);
	assert_int_equal(v.cfg.pref, 100);
	/* an empty selector is the first rule: local */
	assert_int_equal(fib_rule_del(ns, &any, &v, NULL), 0);
	assert_int_equal(v.cfg.table, RT_TABLE_LOCAL);
	/* without the local rule our own address is not found in local */
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("10.0.1.1") }),
			 RT_TABLE_MAIN);
	assert_int_equal(fib_rule_del(ns, &t, NULL, NULL), 0);
	/* back to the three defaults (added again by hand): direct path */
	struct fib_rule_config l = rule_pref(0, FR_ACT_TO_TBL, RT_TABLE_LOCAL);
	assert_int_equal(add(ns, l), 0);
	assert_int_equal(fib_rules_count(ns), 3);
	assert_false(fib_has_custom_rules(ns));
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("10.0.1.1") }),
			 RT_TABLE_LOCAL);
}

static void test_fib_rules_bad_input_changes_nothing(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config c = rule(100);
	struct extack ext = { 0 };

	(void)state;
	c.tos = 0x03;
	assert_int_equal(fib_rule_add(ns, &c, true, NULL, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Invalid dsfield (tos): ECN bits must be 0");
	c.tos = 0x20;
	assert_int_equal(fib_rule_add(ns, &c, true, NULL, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Invalid tos");
	c.tos = 0;
	c.src_len = 33;
	assert_int_equal(fib_rule_add(ns, &c, true, NULL, &ext), -EINVAL);
	assert_string_equal(ext.msg, "Invalid source address");
	c.src_len = 0;
	c.pref = 50;
	c.has_pref = true;
	assert_int_equal(fib_rule_add(ns, &c, true, NULL, &ext), 0);
	/* the same rule again: EEXIST with EXCL, nothing added */
	assert_int_equal(fib_rule_add(ns, &c, true, NULL, &ext), -EEXIST);
	assert_int_equal(fib_rules_count(ns), 4);
	/* without EXCL it is added (as the kernel does) */
	assert_int_equal(fib_rule_add(ns, &c, false, NULL, &ext), 0);
	assert_int_equal(fib_rules_count(ns), 5);
}

static void test_fib_rules_table_zero_makes_an_empty_table(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config c = rule(0);
	struct fib_rule_view v;

	(void)state;
	assert_int_equal(fib_rule_add(ns, &c, true, &v, NULL), 0);
	assert_int_equal(v.cfg.table, 1);
	assert_int_equal(fib_rule_add(ns, &c, true, &v, NULL), 0);
	assert_int_equal(v.cfg.table, 2);
}

static void test_fib_rules_batch_lookup_walks_rules(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);
	struct fib_rule_config c = rule(100);
	uint32_t d[3] = { h_ip("192.168.7.7"), h_ip("192.168.3.3"), h_ip("9.9.9.9") };
	struct fib_result res[3];
	int ret[3];

	(void)state;
	c.dst = h_ip("192.168.7.0");
	c.dst_len = 24;
	assert_int_equal(add(ns, c), 0);
	fib_lookup_batch(ns, d, 3, res, ret);
	assert_int_equal(ret[0], 0);
	assert_int_equal(res[0].table, 100);
	assert_int_equal(ret[1], 0);
	assert_int_equal(res[1].table, RT_TABLE_MAIN);
	assert_int_equal(ret[2], -ENETUNREACH);
}

/* ip_route_input for a datagram src -> dst with @tos received on @dev. */
static int route_in(struct netdev *dev, const char *src, const char *dst, uint8_t tos,
		    struct rtable *rt, enum drop_reason *reason)
{
	uint8_t buf[64];
	size_t n = h_ipv4(buf, src, dst, IPPROTO_UDP, 64, "x", 1);
	struct pkt *p = pkt_alloc(PKT_HR_NET, (unsigned)n);
	int code, ret;

	assert_non_null(p);
	buf[1] = tos;
	memcpy(p->data, buf, n);
	pkt_set_l3(p);
	p->dev = dev;
	p->ns = dev->ns;
	ret = ip_route_input(p, rt, reason, &code);
	pkt_free(p);
	return ret;
}

static void test_fib_rules_forwarding_sees_iif_and_tos(void **state)
{
	struct netdev *e0, *e1;
	struct netns *ns = two_tables(&e0, &e1);
	struct fib_rule_config t = rule_pref(10, FR_ACT_PROHIBIT, 0), i = rule(100);
	enum drop_reason reason;
	struct rtable rt;

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_forward", "1", NULL), 0);
	t.tos = 0x10;
	assert_int_equal(add(ns, t), 0);
	/* (without a priority it would go one below the second rule, 10,
	 * and so before the prohibit rule) */
	i.pref = 20;
	i.has_pref = true;
	snprintf(i.iifname, sizeof(i.iifname), "eth0");
	assert_int_equal(add(ns, i), 0);
	/* from eth0: table 100's route, through eth1 */
	assert_int_equal(route_in(e0, "10.0.1.7", "192.168.3.3", 0, &rt, &reason), 0);
	assert_ptr_equal(rt.dev, e1);
	assert_int_equal(rt.nexthop, h_ip("10.0.2.2"));
	/* the same addresses with tos 0x10 (the answer above is not reused) */
	assert_int_equal(table_of(ns, (struct flowi4){ .daddr = h_ip("192.168.3.3"), .saddr = h_ip("10.0.1.7"), .iif = e0->ifindex, .tos = 0x10 }), -EACCES);
	assert_true(fib_rules_use_tos_mark(ns));
	assert_int_equal(route_in(e0, "10.0.1.7", "192.168.3.3", 0x10, &rt, &reason), -EACCES);
	assert_int_equal(reason, DROP_IP_NOROUTE_PROHIBIT);
	/* from eth1: main's route, back out of eth0 */
	assert_int_equal(route_in(e1, "10.0.2.7", "192.168.3.3", 0, &rt, &reason), 0);
	assert_ptr_equal(rt.dev, e0);
}

static void test_fib_rules_namespace_teardown_frees_rules(void **state)
{
	struct netns *ns = two_tables(NULL, NULL);

	(void)state;
	for (uint32_t i = 1; i <= 50; i++)
		assert_int_equal(add(ns, rule_pref(i, FR_ACT_TO_TBL, 100 + i)), 0);
	assert_int_equal(fib_rules_count(ns), 53);
	h_ns_destroy(ns); /* ASan reports the rules if they leak */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, h_cm_setup, h_cm_teardown)
		T(test_fib_rules_defaults_keep_the_direct_path),
		T(test_fib_rules_default_priority_is_below_second_rule),
		T(test_fib_rules_from_selects_table),
		T(test_fib_rules_to_tos_and_mark_select),
		T(test_fib_rules_not_inverts),
		T(test_fib_rules_iif_by_name_detached_until_device_exists),
		T(test_fib_rules_oif_selects),
		T(test_fib_rules_order_by_priority_then_insertion),
		T(test_fib_rules_missing_table_falls_through),
		T(test_fib_rules_goto_skips_and_resolves),
		T(test_fib_rules_goto_must_go_forward),
		T(test_fib_rules_suppress_prefixlength_skips_default_route),
		T(test_fib_rules_actions_give_their_errors),
		T(test_fib_rules_output_route_sees_iif_lo),
		T(test_fib_rules_del_semantics),
		T(test_fib_rules_bad_input_changes_nothing),
		T(test_fib_rules_table_zero_makes_an_empty_table),
		T(test_fib_rules_batch_lookup_walks_rules),
		T(test_fib_rules_forwarding_sees_iif_and_tos),
		T(test_fib_rules_namespace_teardown_frees_rules),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
