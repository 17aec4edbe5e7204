// SPDX-License-Identifier: MIT
/*
 * Unit tests of the rtnetlink control path: requests are built with libnl
 * as `ip` would send them, fed to rtnl_process(), and the replies parsed
 * back — error codes and ext-ack texts, dump contents, and that bad input
 * changes nothing and leaves the next request working.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "devices/devices.h"
#include "tests/unit/harness/h_nl.h"
#include "tests/unit/harness/harness.h"
#include "netns/rtnl/rtnl.h"

static struct rtnl_conn conn;
static struct rtnl_out out;
static uint32_t seq;

static int setup(void **state)
{
	h_rtnl_open(&conn, &out);
	return 0;
}

static int teardown(void **state)
{
	h_rtnl_close(&out);
	return 0;
}

/* ---- helpers ---- */

/* Send raw bytes; replies land in `out`. */
static int send_raw(const void *buf, size_t len)
{
	rtnl_out_reset(&out);
	return rtnl_process(&conn, buf, len, &out);
}

/* Send a libnl message (freed) with NLM_F_REQUEST and a fresh seq. */
static int send_msg(struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	h->nlmsg_flags |= NLM_F_REQUEST;
	h->nlmsg_seq = ++seq;
	int ret = send_raw(h, h->nlmsg_len);
	nlmsg_free(m);
	return ret;
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

static unsigned count_type(uint16_t type)
{
	unsigned n = 0;
	for (unsigned i = 0; reply(i); i++)
		n += reply(i)->nlmsg_type == type;
	return n;
}

/* The error code of the (last) NLMSG_ERROR, or 1 if there is none. */
static int reply_err(void)
{
	int err = 1;
	for (unsigned i = 0; reply(i); i++)
		if (reply(i)->nlmsg_type == NLMSG_ERROR)
			err = ((struct nlmsgerr *)NLMSG_DATA(reply(i)))->error;
	return err;
}

static const char *reply_extack(void)
{
	for (unsigned i = 0; reply(i); i++) {
		struct nlmsghdr *h = reply(i);
		if (h->nlmsg_type != NLMSG_ERROR || !(h->nlmsg_flags & NLM_F_ACK_TLVS))
			continue;
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
		assert_int_equal(nlmsg_parse(h, sizeof(struct nlmsgerr), tb, NLMSGERR_ATTR_MAX,
					     NULL), 0);
		return tb[NLMSGERR_ATTR_MSG] ? nla_get_string(tb[NLMSGERR_ATTR_MSG]) : NULL;
	}
	return NULL;
}


static int add_veth(const char *a, const char *b)
{
	send_msg(h_veth_msg(NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, a, b, 0));
	return reply_err();
}

/* Find a link in a GETLINK dump by name: its ifinfomsg and attributes. */
static struct ifinfomsg *dump_find_link(const char *name, struct nlattr **tb)
{
	send_msg(h_link_msg(RTM_GETLINK, NLM_F_DUMP, 0, 0, 0));
	for (unsigned i = 0; reply(i); i++) {
		struct nlmsghdr *h = reply(i);
		if (h->nlmsg_type != RTM_NEWLINK)
			continue;
		assert_int_equal(nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
		if (tb[IFLA_IFNAME] && !strcmp(nla_get_string(tb[IFLA_IFNAME]), name))
			return NLMSG_DATA(h);
	}
	return NULL;
}

static int ifindex_of(const char *name)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifm = dump_find_link(name, tb);
	return ifm ? ifm->ifi_index : 0;
}

static int set_link(int ifindex, unsigned flags, unsigned change)
{
	send_msg(h_link_msg(RTM_NEWLINK, NLM_F_ACK, ifindex, flags, change));
	return reply_err();
}

static int addr_req(int type, int flags, int ifindex, const char *ip, int plen)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, flags);
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (uint8_t)plen,
				 .ifa_index = (uint32_t)ifindex };
	nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	uint32_t a = h_ip(ip);
	nla_put_u32(m, IFA_LOCAL, a);
	nla_put_u32(m, IFA_ADDRESS, a);
	send_msg(m);
	return reply_err();
}

static int route_req(int type, int flags, const char *dst, int plen, const char *gw, int oif)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, flags);
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = (uint8_t)plen,
			     .rtm_table = RT_TABLE_MAIN };
	if (type == RTM_NEWROUTE) {
		rtm.rtm_protocol = RTPROT_BOOT;
		rtm.rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		rtm.rtm_type = RTN_UNICAST;
	} else {
		rtm.rtm_scope = RT_SCOPE_NOWHERE;
	}
	nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	if (plen)
		nla_put_u32(m, RTA_DST, h_ip(dst));
	if (gw)
		nla_put_u32(m, RTA_GATEWAY, h_ip(gw));
	if (oif)
		nla_put_u32(m, RTA_OIF, (uint32_t)oif);
	send_msg(m);
	return reply_err();
}

/* Is dst/plen in the route dump (any table)? */
static bool route_dumped(const char *dst, int plen, uint8_t *proto)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg rtm = { .rtm_family = AF_INET };
	nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	send_msg(m);
	for (unsigned i = 0; reply(i); i++) {
		struct nlmsghdr *h = reply(i);
		struct nlattr *tb[RTA_MAX + 1];
		if (h->nlmsg_type != RTM_NEWROUTE)
			continue;
		struct rtmsg *r = NLMSG_DATA(h);
		assert_int_equal(nlmsg_parse(h, sizeof(*r), tb, RTA_MAX, NULL), 0);
		uint32_t d = tb[RTA_DST] ? nla_get_u32(tb[RTA_DST]) : 0;
		if (r->rtm_table == RT_TABLE_MAIN && r->rtm_dst_len == plen && d == h_ip(dst)) {
			if (proto)
				*proto = r->rtm_protocol;
			return true;
		}
	}
	return false;
}

/* Link, address, route and neighbour dumps concatenated: a snapshot to
 * compare before and after a bad request. */
static void *snapshot(size_t *len)
{
	static const uint16_t types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH };
	uint8_t *buf = NULL;
	*len = 0;
	for (unsigned t = 0; t < 4; t++) {
		struct nl_msg *m = nlmsg_alloc_simple(types[t], NLM_F_REQUEST | NLM_F_DUMP);
		struct rtmsg rtm = { .rtm_family = AF_UNSPEC };
		nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
		nlmsg_hdr(m)->nlmsg_seq = 7;
		send_raw(nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len);
		nlmsg_free(m);
		buf = realloc(buf, *len + out.len);
		memcpy(buf + *len, out.buf, out.len);
		*len += out.len;
	}
	return buf;
}

static void assert_snapshot_equal(void *before, size_t blen)
{
	size_t alen;
	void *after = snapshot(&alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	free(after);
	free(before);
}

/* ---- links ---- */

static void test_rtnl_dumplink_shows_lo_down_with_kernel_attrs(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifm = dump_find_link("lo", tb);

	assert_non_null(ifm);
	assert_int_equal(ifm->ifi_index, 1);
	assert_int_equal(ifm->ifi_type, ARPHRD_LOOPBACK);
	assert_true(ifm->ifi_flags & IFF_LOOPBACK);
	assert_false(ifm->ifi_flags & IFF_UP);
	assert_non_null(tb[IFLA_TXQLEN]);
	assert_string_equal(nla_get_string(tb[IFLA_QDISC]), "noop");
	assert_int_equal(nla_len(tb[IFLA_STATS64]), sizeof(struct rtnl_link_stats64));
	assert_null(tb[IFLA_LINKINFO]);
	/* stamped with the request's seq and the connection's portid, ended by DONE */
	assert_int_equal(reply(0)->nlmsg_seq, seq);
	assert_int_equal(reply(0)->nlmsg_pid, 4242);
	assert_true(reply(0)->nlmsg_flags & NLM_F_MULTI);
	assert_int_equal(count_type(NLMSG_DONE), 1);
	assert_int_equal(count_type(NLMSG_ERROR), 0);
}

static void test_rtnl_dump_with_ack_flag_sends_no_ack(void **state)
{
	send_msg(h_link_msg(RTM_GETLINK, NLM_F_DUMP | NLM_F_ACK, 0, 0, 0));
	assert_int_equal(count_type(NLMSG_DONE), 1);
	assert_int_equal(count_type(NLMSG_ERROR), 0);
}

static void test_rtnl_newlink_empty_probe_returns_enodev(void **state)
{
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_ACK, 0, 0, 0);
	send_msg(m);
	assert_int_equal(reply_err(), -ENODEV);
	/* the error carries only the request header (NLM_F_CAPPED) */
	assert_true(reply(0)->nlmsg_flags & NLM_F_CAPPED);
	assert_int_equal(((struct nlmsgerr *)NLMSG_DATA(reply(0)))->msg.nlmsg_seq, seq);
}

static void test_rtnl_newlink_veth_creates_pair_and_dellink_removes_both(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1];

	assert_int_equal(add_veth("va", "vb"), 0);
	struct ifinfomsg *ifm = dump_find_link("va", tb);
	assert_non_null(ifm);
	int va = ifm->ifi_index;
	int vb = ifindex_of("vb");
	assert_true(vb > 0);
	ifm = dump_find_link("va", tb);
	assert_int_equal(nla_get_u32(tb[IFLA_LINK]), vb);
	struct nlattr *li[IFLA_INFO_MAX + 1];
	assert_int_equal(nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	assert_string_equal(nla_get_string(li[IFLA_INFO_KIND]), "veth");
	assert_null(tb[IFLA_LINK_NETNSID]);

	send_msg(h_link_msg(RTM_DELLINK, NLM_F_ACK, va, 0, 0));
	assert_int_equal(reply_err(), 0);
	assert_int_equal(ifindex_of("va"), 0);
	assert_int_equal(ifindex_of("vb"), 0);
}

static void test_rtnl_newlink_duplicate_name_returns_eexist(void **state)
{
	assert_int_equal(add_veth("va", "vb"), 0);
	assert_int_equal(add_veth("va", "vc"), -EEXIST);
	assert_int_equal(ifindex_of("vc"), 0);
}

static void test_rtnl_newlink_unknown_kind_returns_eopnotsupp(void **state)
{
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	nla_put_string(m, IFLA_IFNAME, "d1");
	struct nlattr *li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "nosuchkind");
	nla_nest_end(m, li);
	send_msg(m);
	assert_int_equal(reply_err(), -EOPNOTSUPP);
	assert_string_equal(reply_extack(), "Unknown device type");
}

static void test_rtnl_setlink_bad_mtu_with_up_changes_nothing(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1];
	assert_int_equal(add_veth("va", "vb"), 0);
	int va = ifindex_of("va");

	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_ACK, va, IFF_UP, IFF_UP);
	nla_put_u32(m, IFLA_MTU, 10);
	send_msg(m);
	assert_int_equal(reply_err(), -EINVAL);
	assert_string_equal(reply_extack(), "mtu less than device minimum");
	struct ifinfomsg *ifm = dump_find_link("va", tb);
	assert_false(ifm->ifi_flags & IFF_UP);
	assert_int_equal(nla_get_u32(tb[IFLA_MTU]), 1500);
}

static void test_rtnl_setlink_mtu_and_up_down(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1];
	assert_int_equal(add_veth("va", "vb"), 0);
	int va = ifindex_of("va");

	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_ACK, va, IFF_UP, IFF_UP);
	nla_put_u32(m, IFLA_MTU, 1400);
	send_msg(m);
	assert_int_equal(reply_err(), 0);
	struct ifinfomsg *ifm = dump_find_link("va", tb);
	assert_true(ifm->ifi_flags & IFF_UP);
	assert_int_equal(nla_get_u32(tb[IFLA_MTU]), 1400);
	/* peer down: no carrier, as Linux's veth */
	assert_false(ifm->ifi_flags & IFF_RUNNING);

	assert_int_equal(set_link(va, 0, IFF_UP), 0);
	ifm = dump_find_link("va", tb);
	assert_false(ifm->ifi_flags & IFF_UP);
}

static void test_rtnl_setlink_lo_up_shows_noqueue_and_running(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1];
	assert_int_equal(set_link(1, IFF_UP, IFF_UP), 0);
	struct ifinfomsg *ifm = dump_find_link("lo", tb);
	assert_true(ifm->ifi_flags & IFF_UP);
	assert_string_equal(nla_get_string(tb[IFLA_QDISC]), "noqueue");
}

static void test_rtnl_setlink_renames_by_index(void **state)
{
	assert_int_equal(add_veth("va", "vb"), 0);
	int va = ifindex_of("va");
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_ACK, va, 0, 0);
	nla_put_string(m, IFLA_IFNAME, "eth0");
	send_msg(m);
	assert_int_equal(reply_err(), 0);
	assert_int_equal(ifindex_of("eth0"), va);
	assert_int_equal(ifindex_of("va"), 0);

	/* renaming onto an existing name fails */
	m = h_link_msg(RTM_NEWLINK, NLM_F_ACK, va, 0, 0);
	nla_put_string(m, IFLA_IFNAME, "vb");
	send_msg(m);
	assert_int_equal(reply_err(), -EEXIST);
}

static void test_rtnl_dellink_lo_returns_eopnotsupp(void **state)
{
	send_msg(h_link_msg(RTM_DELLINK, NLM_F_ACK, 1, 0, 0));
	assert_int_equal(reply_err(), -EOPNOTSUPP);
	assert_int_equal(ifindex_of("lo"), 1);
}

static void test_rtnl_getlink_by_name_replies_object_then_ack(void **state)
{
	struct nl_msg *m = h_link_msg(RTM_GETLINK, NLM_F_ACK, 0, 0, 0);
	nla_put_string(m, IFLA_IFNAME, "lo");
	send_msg(m);
	assert_int_equal(reply(0)->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(reply(0)->nlmsg_flags, 0);
	assert_int_equal(reply(1)->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(reply_err(), 0);
}

static void test_rtnl_getlink_missing_index_returns_enodev(void **state)
{
	send_msg(h_link_msg(RTM_GETLINK, 0, 77, 0, 0));
	assert_int_equal(reply_err(), -ENODEV);
	assert_null(reply_extack());
}

/* ---- addresses and routes ---- */

static int up_veth(void)
{
	assert_int_equal(add_veth("va", "vb"), 0);
	int va = ifindex_of("va");
	assert_int_equal(set_link(va, IFF_UP, IFF_UP), 0);
	assert_int_equal(set_link(ifindex_of("vb"), IFF_UP, IFF_UP), 0);
	return va;
}

static void test_rtnl_addr_add_dump_and_del_with_connected_route(void **state)
{
	int va = up_veth();
	uint8_t proto = 0;

	assert_int_equal(addr_req(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, va,
				  "10.0.0.1", 24), 0);
	assert_true(route_dumped("10.0.0.0", 24, &proto));
	assert_int_equal(proto, RTPROT_KERNEL);

	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	send_msg(m);
	bool found = false;
	for (unsigned i = 0; reply(i); i++) {
		struct nlattr *tb[IFA_MAX + 1];
		struct nlmsghdr *h = reply(i);
		if (h->nlmsg_type != RTM_NEWADDR)
			continue;
		assert_int_equal(nlmsg_parse(h, sizeof(ifa), tb, IFA_MAX, NULL), 0);
		struct ifaddrmsg *r = NLMSG_DATA(h);
		if (r->ifa_index == (uint32_t)va) {
			found = true;
			assert_int_equal(r->ifa_prefixlen, 24);
			assert_int_equal(nla_get_u32(tb[IFA_LOCAL]), h_ip("10.0.0.1"));
			assert_string_equal(nla_get_string(tb[IFA_LABEL]), "va");
			struct ifa_cacheinfo *ci = nla_data(tb[IFA_CACHEINFO]);
			assert_int_equal(ci->ifa_valid, 0xFFFFFFFFu);
		}
	}
	assert_true(found);

	assert_int_equal(addr_req(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, va,
				  "10.0.0.1", 24), -EEXIST);
	assert_int_equal(addr_req(RTM_DELADDR, NLM_F_ACK, va, "10.0.0.1", 24), 0);
	assert_false(route_dumped("10.0.0.0", 24, NULL));
	assert_int_equal(addr_req(RTM_DELADDR, NLM_F_ACK, va, "10.0.0.1", 24), -EADDRNOTAVAIL);
	assert_string_equal(reply_extack(), "Cannot assign requested address");
}

static void test_rtnl_addr_add_bad_prefix_or_device_fails(void **state)
{
	assert_int_equal(addr_req(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE, 1, "10.0.0.1", 33),
			 -EINVAL);
	assert_int_equal(addr_req(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE, 99, "10.0.0.1", 24),
			 -ENODEV);
}

static void test_rtnl_route_add_replace_del_and_dump(void **state)
{
	int va = up_veth();
	int flags = NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	assert_int_equal(addr_req(RTM_NEWADDR, flags, va, "10.0.0.1", 24), 0);

	assert_int_equal(route_req(RTM_NEWROUTE, flags, "10.1.0.0", 16, "10.0.0.254", va), 0);
	uint8_t proto = 0;
	assert_true(route_dumped("10.1.0.0", 16, &proto));
	assert_int_equal(proto, RTPROT_BOOT);
	assert_int_equal(route_req(RTM_NEWROUTE, flags, "10.1.0.0", 16, "10.0.0.254", va),
			 -EEXIST);
	assert_int_equal(route_req(RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
				   "10.1.0.0", 16, "10.0.0.253", va), 0);
	assert_int_equal(route_req(RTM_DELROUTE, NLM_F_ACK, "10.1.0.0", 16, NULL, 0), 0);
	assert_false(route_dumped("10.1.0.0", 16, NULL));
	assert_int_equal(route_req(RTM_DELROUTE, NLM_F_ACK, "10.1.0.0", 16, NULL, 0), -ESRCH);
}

/* NEWROUTE 10.N.0.0/16 via 10.0.0.254 with RTA_METRICS holding one
 * attribute @type of @len bytes of @val (then RTAX_LOCK @lock if set). */
static int route_mx_req(int n, int type, uint32_t val, int len, uint32_t lock)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 16, .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE,
			     .rtm_type = RTN_UNICAST };
	char dst[16];
	struct nlattr *mx;

	snprintf(dst, sizeof(dst), "10.%d.0.0", n);
	nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	nla_put_u32(m, RTA_DST, h_ip(dst));
	nla_put_u32(m, RTA_GATEWAY, h_ip("10.0.0.254"));
	mx = nla_nest_start(m, RTA_METRICS);
	nla_put(m, type, len, &val);
	if (lock)
		nla_put_u32(m, RTAX_LOCK, lock);
	nla_nest_end(m, mx);
	send_msg(m);
	return reply_err();
}

static void test_rtnl_route_mtu_metric_and_bad_metrics(void **state)
{
	int va = up_veth();
	struct nlattr *tb[RTA_MAX + 1], *mx[RTAX_MAX + 1];
	bool seen = false;

	assert_int_equal(addr_req(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE, va, "10.0.0.1", 24), 0);
	assert_int_equal(route_mx_req(1, RTAX_MTU, 1400, 4, 1u << RTAX_MTU), 0);
	/* the dump carries them back */
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg rtm = { .rtm_family = AF_INET };
	nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	send_msg(m);
	for (unsigned i = 0; reply(i); i++) {
		struct nlmsghdr *h = reply(i);

		if (h->nlmsg_type != RTM_NEWROUTE)
			continue;
		assert_int_equal(nlmsg_parse(h, sizeof(struct rtmsg), tb, RTA_MAX, NULL), 0);
		if (!tb[RTA_DST] || nla_get_u32(tb[RTA_DST]) != h_ip("10.1.0.0"))
			continue;
		assert_non_null(tb[RTA_METRICS]);
		assert_int_equal(nla_parse_nested(mx, RTAX_MAX, tb[RTA_METRICS], NULL), 0);
		assert_int_equal(nla_get_u32(mx[RTAX_MTU]), 1400);
		assert_int_equal(nla_get_u32(mx[RTAX_LOCK]), 1u << RTAX_MTU);
		seen = true;
	}
	assert_true(seen);
	/* a type past RTAX_MAX, a short value, a metric nsemu does not keep:
	 * refused, nothing added */
	assert_int_equal(route_mx_req(2, RTAX_MAX + 1, 1, 4, 0), -EINVAL);
	assert_int_equal(route_mx_req(3, RTAX_MTU, 1400, 2, 0), -EINVAL);
	assert_string_equal(reply_extack(), "Invalid attribute in metrics");
	assert_int_equal(route_mx_req(4, RTAX_ADVMSS, 1000, 4, 0), -EOPNOTSUPP);
	assert_int_equal(route_mx_req(5, RTAX_MTU, 1400, 4, 1u << RTAX_WINDOW), -EOPNOTSUPP);
	assert_false(route_dumped("10.2.0.0", 16, NULL));
	assert_false(route_dumped("10.3.0.0", 16, NULL));
	assert_false(route_dumped("10.4.0.0", 16, NULL));
	assert_false(route_dumped("10.5.0.0", 16, NULL));
}

static int route_get(const char *dst, struct nlattr **tb, struct rtmsg **rtm)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	struct rtmsg req = { .rtm_family = AF_INET, .rtm_dst_len = 32,
			     .rtm_flags = RTM_F_LOOKUP_TABLE };
	nlmsg_append(m, &req, sizeof(req), NLMSG_ALIGNTO);
	nla_put_u32(m, RTA_DST, h_ip(dst));
	send_msg(m);
	if (reply(0)->nlmsg_type != RTM_NEWROUTE)
		return reply_err();
	*rtm = NLMSG_DATA(reply(0));
	assert_int_equal(nlmsg_parse(reply(0), sizeof(**rtm), tb, RTA_MAX, NULL), 0);
	return 0;
}

static void test_rtnl_getroute_answers_like_ip_route_get(void **state)
{
	int va = up_veth();
	int flags = NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;

	assert_int_equal(addr_req(RTM_NEWADDR, flags, va, "10.0.1.2", 24), 0);
	assert_int_equal(route_req(RTM_NEWROUTE, flags, "10.0.2.0", 24, "10.0.1.1", va), 0);

	assert_int_equal(route_get("10.0.2.2", tb, &rtm), 0);
	assert_int_equal(rtm->rtm_dst_len, 32);
	assert_true(rtm->rtm_flags & RTM_F_CLONED);
	assert_int_equal(nla_get_u32(tb[RTA_DST]), h_ip("10.0.2.2"));
	assert_int_equal(nla_get_u32(tb[RTA_GATEWAY]), h_ip("10.0.1.1"));
	assert_int_equal(nla_get_u32(tb[RTA_OIF]), va);
	assert_int_equal(nla_get_u32(tb[RTA_PREFSRC]), h_ip("10.0.1.2"));
	assert_int_equal(nla_get_u32(tb[RTA_UID]), 0);
	assert_non_null(tb[RTA_CACHEINFO]);

	assert_int_equal(route_get("192.168.9.9", tb, &rtm), -ENETUNREACH);
}

/* ---- neighbours ---- */

static int neigh_req(int type, int flags, int ifindex, const char *ip, const uint8_t *mac)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, flags);
	struct ndmsg ndm = { .ndm_family = AF_INET, .ndm_ifindex = ifindex,
			     .ndm_state = NUD_PERMANENT };
	nlmsg_append(m, &ndm, sizeof(ndm), NLMSG_ALIGNTO);
	if (ip)
		nla_put_u32(m, NDA_DST, h_ip(ip));
	if (mac)
		nla_put(m, NDA_LLADDR, 6, mac);
	send_msg(m);
	return reply_err();
}

static bool neigh_dumped(const char *ip, uint8_t *mac_out)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_GETNEIGH, NLM_F_DUMP);
	struct ndmsg ndm = { .ndm_family = AF_UNSPEC };
	nlmsg_append(m, &ndm, sizeof(ndm), NLMSG_ALIGNTO);
	send_msg(m);
	for (unsigned i = 0; reply(i); i++) {
		struct nlattr *tb[NDA_MAX + 1];
		if (reply(i)->nlmsg_type != RTM_NEWNEIGH)
			continue;
		assert_int_equal(nlmsg_parse(reply(i), sizeof(ndm), tb, NDA_MAX, NULL), 0);
		if (nla_get_u32(tb[NDA_DST]) != h_ip(ip))
			continue;
		assert_int_equal(((struct ndmsg *)NLMSG_DATA(reply(i)))->ndm_state, NUD_PERMANENT);
		assert_non_null(tb[NDA_CACHEINFO]);
		memcpy(mac_out, nla_data(tb[NDA_LLADDR]), 6);
		return true;
	}
	return false;
}

static void test_rtnl_neigh_add_dump_and_del(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 9 };
	uint8_t got[6];
	int va = up_veth();
	int flags = NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

	assert_int_equal(neigh_req(RTM_NEWNEIGH, flags, va, "10.0.0.2", mac), 0);
	assert_true(neigh_dumped("10.0.0.2", got));
	assert_memory_equal(got, mac, 6);
	assert_int_equal(neigh_req(RTM_DELNEIGH, NLM_F_ACK, va, "10.0.0.2", NULL), 0);
	assert_false(neigh_dumped("10.0.0.2", got));
}

static void test_rtnl_neigh_add_without_dst_or_device_fails(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 9 };
	assert_int_equal(neigh_req(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE, 1, NULL, mac), -EINVAL);
	assert_string_equal(reply_extack(), "Network address not specified");
	assert_int_equal(neigh_req(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE, 0, "10.0.0.2", mac),
			 -EINVAL);
	assert_string_equal(reply_extack(), "Device not specified");
	assert_int_equal(neigh_req(RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE, 55, "10.0.0.2", mac),
			 -ENODEV);
}

/* ---- private messages ---- */

static int ns_req(int type, int flags, const char *name, int thread)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, flags);
	if (name)
		nla_put_string(m, NSEMU_A_NS, name);
	if (thread >= 0)
		nla_put_u32(m, NSEMU_A_THREAD, (uint32_t)thread);
	send_msg(m);
	return reply_err();
}

static unsigned ns_listed(const char *name)
{
	unsigned n = 0;
	send_msg(nlmsg_alloc_simple(NSEMU_MSG_GETNS, NLM_F_DUMP));
	for (unsigned i = 0; reply(i); i++) {
		struct nlattr *tb[NSEMU_A_MAX + 1];
		if (reply(i)->nlmsg_type != NSEMU_MSG_NEWNS)
			continue;
		assert_int_equal(nlmsg_parse(reply(i), 0, tb, NSEMU_A_MAX, NULL), 0);
		if (!strcmp(nla_get_string(tb[NSEMU_A_NS]), name))
			n++;
	}
	return n;
}

static void test_rtnl_netns_create_list_delete(void **state)
{
	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "h1", -1), 0);
	assert_int_equal(ns_listed("h1"), 1);
	assert_int_equal(ns_listed(NSEMU_DEFAULT_NS), 0); /* as `ip netns list` */
	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "h1", -1), -EEXIST);
	assert_int_equal(ns_req(NSEMU_MSG_DELNS, NLM_F_ACK, "h1", -1), 0);
	assert_int_equal(ns_listed("h1"), 0);
	assert_int_equal(ns_req(NSEMU_MSG_DELNS, NLM_F_ACK, "h1", -1), -ENOENT);
}

static void test_rtnl_netns_bad_names_threads_and_default_fail(void **state)
{
	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "..", -1), -EINVAL);
	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "a/b", -1), -EINVAL);
	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "ok", 5), -EINVAL);
	assert_int_equal(ns_req(NSEMU_MSG_DELNS, NLM_F_ACK, NSEMU_DEFAULT_NS, -1), -EBUSY);
	assert_string_equal(reply_extack(), "Cannot delete the default namespace");
	assert_int_equal(ns_listed("ok"), 0);
}

static void test_rtnl_hello_binds_namespace_or_enoent(void **state)
{
	assert_int_equal(ns_req(NSEMU_MSG_HELLO, 0, "nope", -1), -ENOENT);
	assert_string_equal(reply_extack(), "No such namespace");
	assert_int_equal(conn.ns_id, 0);

	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "h1", -1), 0);
	assert_int_equal(add_veth("va", "vb"), 0); /* in the default namespace */
	/* HELLO always answers */
	assert_int_equal(ns_req(NSEMU_MSG_HELLO, 0, "h1", -1), 0);
	assert_int_not_equal(conn.ns_id, 0);
	assert_int_equal(ifindex_of("va"), 0);
	assert_int_equal(ifindex_of("lo"), 1);
	assert_int_equal(ns_req(NSEMU_MSG_HELLO, 0, "", -1), 0);
	assert_int_equal(conn.ns_id, 0);
	assert_true(ifindex_of("va") > 0);
}


static struct nl_msg *hello_msg(const char *name)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_HELLO, 0);
	nla_put_string(m, NSEMU_A_NS, name);
	return m;
}

/* One datagram switching namespaces with HELLO: each request answered in
 * order with its own seq, each touching the namespace selected before it
 * (the dispatcher hands runs of them to the owner at once). */
static void test_rtnl_datagram_mixing_namespaces_via_hello_answers_in_order(void **state)
{
	static uint8_t buf[4096];
	size_t len = 0;
	struct nlattr *tb[IFLA_MAX + 1];

	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "h1", -1), 0);
	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "h2", -1), 0);
	len = h_dgram_add(buf, len, hello_msg("h1"), 1);
	len = h_dgram_add(buf, len, h_link_msg(RTM_NEWLINK, NLM_F_ACK, 1, IFF_UP, IFF_UP), 2);
	len = h_dgram_add(buf, len, hello_msg("h2"), 3);
	len = h_dgram_add(buf, len, h_link_msg(RTM_NEWLINK, NLM_F_ACK, 7, IFF_UP, IFF_UP), 4);
	len = h_dgram_add(buf, len, hello_msg("nope"), 5);
	/* still h2: the failed HELLO changed nothing */
	len = h_dgram_add(buf, len, h_link_msg(RTM_NEWLINK, 0, 1, 0, IFF_UP), 6);
	len = h_dgram_add(buf, len, hello_msg(""), 7);
	len = h_dgram_add(buf, len, h_link_msg(RTM_GETLINK, 0, 1, 0, 0), 8);
	send_raw(buf, len);

	/* seq, type, error (for NLMSG_ERROR) of every reply, in order */
	static const struct { uint32_t seq; uint16_t type; int err; } want[] = {
		{ 1, NLMSG_ERROR, 0 },	     { 2, NLMSG_ERROR, 0 },	{ 3, NLMSG_ERROR, 0 },
		{ 4, NLMSG_ERROR, -ENODEV }, { 5, NLMSG_ERROR, -ENOENT }, { 7, NLMSG_ERROR, 0 },
		{ 8, RTM_NEWLINK, 0 },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		struct nlmsghdr *h = reply(i);
		assert_non_null(h);
		assert_int_equal(h->nlmsg_seq, want[i].seq);
		assert_int_equal(h->nlmsg_pid, 4242);
		assert_int_equal(h->nlmsg_type, want[i].type);
		if (want[i].type == NLMSG_ERROR)
			assert_int_equal(((struct nlmsgerr *)NLMSG_DATA(h))->error, want[i].err);
	}
	assert_null(reply(ARRAY_SIZE(want)));
	assert_int_equal(conn.ns_id, 0); /* the last HELLO: the default namespace */

	/* lo went up in h1 only; the default namespace's lo is untouched */
	assert_false(((struct ifinfomsg *)NLMSG_DATA(reply(6)))->ifi_flags & IFF_UP);
	assert_int_equal(ns_req(NSEMU_MSG_HELLO, 0, "h1", -1), 0);
	assert_true(dump_find_link("lo", tb)->ifi_flags & IFF_UP);
	assert_int_equal(ns_req(NSEMU_MSG_HELLO, 0, "h2", -1), 0);
	assert_false(dump_find_link("lo", tb)->ifi_flags & IFF_UP);
}

static void test_rtnl_veth_peer_in_other_namespace_reports_link_netnsid(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1];
	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "h1", -1), 0);
	send_msg(nlmsg_alloc_simple(NSEMU_MSG_GETNS, NLM_F_DUMP));
	struct nlattr *ntb[NSEMU_A_MAX + 1];
	assert_int_equal(nlmsg_parse(reply(0), 0, ntb, NSEMU_A_MAX, NULL), 0);
	uint32_t h1 = nla_get_u32(ntb[NSEMU_A_NSID]);

	send_msg(h_veth_msg(NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, "va", "vb", h1));
	assert_int_equal(reply_err(), 0);

	assert_non_null(dump_find_link("va", tb));
	assert_int_equal(nla_get_u32(tb[IFLA_LINK_NETNSID]), h1);
	assert_int_equal(ifindex_of("vb"), 0);
	/* deleting the namespace deletes the pair */
	assert_int_equal(ns_req(NSEMU_MSG_DELNS, NLM_F_ACK, "h1", -1), 0);
	assert_int_equal(ifindex_of("va"), 0);
}

static int sysctl_req(int type, const char *key, const char *val, char *got)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_ACK);
	nla_put_string(m, NSEMU_A_KEY, key);
	if (val)
		nla_put_string(m, NSEMU_A_VALUE, val);
	send_msg(m);
	if (got && reply(0)->nlmsg_type == NSEMU_MSG_SYSCTL_GET) {
		struct nlattr *tb[NSEMU_A_MAX + 1];
		assert_int_equal(nlmsg_parse(reply(0), 0, tb, NSEMU_A_MAX, NULL), 0);
		strcpy(got, nla_get_string(tb[NSEMU_A_VALUE]));
	}
	return reply_err();
}

static void test_rtnl_sysctl_get_set(void **state)
{
	char v[64] = "";
	assert_int_equal(sysctl_req(NSEMU_MSG_SYSCTL_GET, "net.ipv4.ip_forward", NULL, v), 0);
	assert_string_equal(v, "0");
	assert_int_equal(sysctl_req(NSEMU_MSG_SYSCTL_SET, "net.ipv4.ip_forward", "1", NULL), 0);
	assert_int_equal(sysctl_req(NSEMU_MSG_SYSCTL_GET, "net.ipv4.ip_forward", NULL, v), 0);
	assert_string_equal(v, "1");
	assert_int_equal(sysctl_req(NSEMU_MSG_SYSCTL_GET, "net.ipv4.nope", NULL, v), -ENOENT);
	assert_int_equal(sysctl_req(NSEMU_MSG_SYSCTL_SET, "net.ipv4.ip_forward", NULL, NULL),
			 -EINVAL);
}

static void test_rtnl_sysctl_dump_lists_keys_by_prefix(void **state)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_SYSCTL_DUMP, NLM_F_DUMP);
	nla_put_string(m, NSEMU_A_KEY, "net.ipv4.conf.lo.");
	send_msg(m);
	assert_true(count_type(NSEMU_MSG_SYSCTL_GET) > 5);
	assert_int_equal(count_type(NLMSG_DONE), 1);
}

static void test_rtnl_getdrops_getmib_getthreads_answer(void **state)
{
	send_msg(nlmsg_alloc_simple(NSEMU_MSG_GETDROPS, 0));
	assert_int_equal(reply(0)->nlmsg_type, NSEMU_MSG_GETDROPS);
	send_msg(nlmsg_alloc_simple(NSEMU_MSG_GETMIB, 0));
	assert_int_equal(reply(0)->nlmsg_type, NSEMU_MSG_GETMIB);
	struct nlattr *tb[NSEMU_A_MAX + 1];
	assert_int_equal(nlmsg_parse(reply(0), 0, tb, NSEMU_A_MAX, NULL), 0);
	int n = 0, rem;
	struct nlattr *a;
	nla_for_each_nested(a, tb[NSEMU_A_COUNTERS], rem)
		n++;
	assert_int_equal(n, MIB_MAX); /* zeros included */
	send_msg(nlmsg_alloc_simple(NSEMU_MSG_GETTHREADS, NLM_F_DUMP));
	assert_int_equal(count_type(NSEMU_MSG_GETTHREADS), loop_nworkers());
	assert_int_equal(count_type(NLMSG_DONE), 1);
}

/* ---- bad input ---- */

static void test_rtnl_short_datagram_is_rejected_without_reply(void **state)
{
	size_t blen;
	void *before = snapshot(&blen);
	uint8_t junk[10] = { 1, 2, 3 };
	assert_int_equal(send_raw(junk, sizeof(junk)), -EINVAL);
	assert_int_equal(out.len, 0);
	assert_snapshot_equal(before, blen);
}

static void test_rtnl_nlmsg_len_past_datagram_gets_einval(void **state)
{
	size_t blen;
	void *before = snapshot(&blen);
	struct nl_msg *m = h_link_msg(RTM_DELLINK, NLM_F_ACK, 1, 0, 0);
	struct nlmsghdr *h = nlmsg_hdr(m);
	h->nlmsg_flags |= NLM_F_REQUEST;
	size_t len = h->nlmsg_len;
	h->nlmsg_len = 4000;
	assert_int_equal(send_raw(h, len), -EINVAL);
	assert_int_equal(reply_err(), -EINVAL);
	nlmsg_free(m);
	assert_snapshot_equal(before, blen);
	assert_true(ifindex_of("lo") == 1); /* still serving */
}

static void test_rtnl_truncated_ifinfomsg_gets_einval(void **state)
{
	size_t blen;
	void *before = snapshot(&blen);
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE);
	uint8_t half[8] = { 0 };
	nlmsg_append(m, half, sizeof(half), NLMSG_ALIGNTO);
	send_msg(m);
	assert_int_equal(reply_err(), -EINVAL);
	assert_snapshot_equal(before, blen);
}

static void test_rtnl_attribute_overrunning_message_gets_einval(void **state)
{
	size_t blen;
	void *before = snapshot(&blen);
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_ACK, 1, IFF_UP, IFF_UP);
	nla_put_u32(m, IFLA_MTU, 1400);
	struct nlmsghdr *h = nlmsg_hdr(m);
	struct nlattr *a = (struct nlattr *)((uint8_t *)h + NLMSG_HDRLEN +
					     NLMSG_ALIGN(sizeof(struct ifinfomsg)));
	a->nla_len = 200; /* past the end of the message */
	send_msg(m);
	assert_int_equal(reply_err(), -EINVAL);
	assert_string_equal(reply_extack(), "bytes leftover after parsing attributes");
	assert_snapshot_equal(before, blen);
}

static void test_rtnl_garbage_linkinfo_gets_einval(void **state)
{
	size_t blen;
	void *before = snapshot(&blen);
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	nla_put_string(m, IFLA_IFNAME, "x0");
	uint8_t garbage[7] = { 0xff, 0xff, 1, 2, 3, 4, 5 };
	nla_put(m, IFLA_LINKINFO, sizeof(garbage), garbage);
	send_msg(m);
	assert_int_equal(reply_err(), -EINVAL);
	assert_snapshot_equal(before, blen);
}

static void test_rtnl_unknown_type_gets_eopnotsupp(void **state)
{
	send_msg(nlmsg_alloc_simple(RTM_NEWQDISC, NLM_F_ACK));
	assert_int_equal(reply_err(), -EOPNOTSUPP);
	send_msg(nlmsg_alloc_simple(0x6e99, NLM_F_ACK));
	assert_int_equal(reply_err(), -EOPNOTSUPP);
	assert_int_equal(ifindex_of("lo"), 1);
}

static void test_rtnl_long_ifname_fails_policy(void **state)
{
	size_t blen;
	void *before = snapshot(&blen);
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	nla_put_string(m, IFLA_IFNAME, "abcdefghijklmnop"); /* 16 characters */
	struct nlattr *li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "veth");
	nla_nest_end(m, li);
	send_msg(m);
	/* the kernel's validate_nla: -ERANGE for a string over its .len */
	assert_int_equal(reply_err(), -ERANGE);
	assert_string_equal(reply_extack(), "Attribute failed policy validation");
	assert_snapshot_equal(before, blen);
}

static void test_rtnl_ifindex_of_other_namespace_gets_enodev(void **state)
{
	assert_int_equal(ns_req(NSEMU_MSG_NEWNS, NLM_F_ACK, "h1", -1), 0);
	assert_int_equal(ns_req(NSEMU_MSG_HELLO, 0, "h1", -1), 0);
	assert_int_equal(add_veth("xa", "xb"), 0);
	int xa = ifindex_of("xa");
	assert_int_equal(ns_req(NSEMU_MSG_HELLO, 0, "", -1), 0);
	size_t blen;
	void *before = snapshot(&blen);
	send_msg(h_link_msg(RTM_DELLINK, NLM_F_ACK, xa, 0, 0));
	assert_int_equal(reply_err(), -ENODEV);
	assert_snapshot_equal(before, blen);
}

static void test_rtnl_message_without_request_flag_is_ignored(void **state)
{
	size_t blen;
	void *before = snapshot(&blen);
	struct nl_msg *m = h_link_msg(RTM_DELLINK, 0, 1, 0, 0);
	nlmsg_hdr(m)->nlmsg_seq = 99;
	assert_int_equal(send_raw(nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len), 0);
	nlmsg_free(m);
	assert_int_equal(out.len, 0);
	assert_snapshot_equal(before, blen);
}

static void test_rtnl_trailing_zero_padding_is_ignored(void **state)
{
	uint8_t buf[256] = { 0 };
	struct nl_msg *m = h_link_msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0, 0, 0);
	memcpy(buf, nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len);
	nlmsg_free(m);
	assert_int_equal(send_raw(buf, sizeof(buf)), 0);
	assert_int_equal(count_type(NLMSG_DONE), 1);
	assert_int_equal(count_type(NLMSG_ERROR), 0);
}

static void test_rtnl_several_messages_in_one_datagram_each_answered(void **state)
{
	uint8_t buf[512];
	size_t len = 0;
	for (int i = 0; i < 3; i++) {
		struct nl_msg *m = h_link_msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, i == 1 ? 50 : 1,
					    0, 0);
		nlmsg_hdr(m)->nlmsg_seq = 100 + i;
		memcpy(buf + len, nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len);
		len += NLMSG_ALIGN(nlmsg_hdr(m)->nlmsg_len);
		nlmsg_free(m);
	}
	assert_int_equal(send_raw(buf, len), -ENODEV);
	assert_int_equal(count_type(RTM_NEWLINK), 2);
	assert_int_equal(count_type(NLMSG_ERROR), 3); /* ack, error, ack */
	assert_int_equal(reply(2)->nlmsg_seq, 101);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rtnl_dumplink_shows_lo_down_with_kernel_attrs),
		T(test_rtnl_dump_with_ack_flag_sends_no_ack),
		T(test_rtnl_newlink_empty_probe_returns_enodev),
		T(test_rtnl_newlink_veth_creates_pair_and_dellink_removes_both),
		T(test_rtnl_newlink_duplicate_name_returns_eexist),
		T(test_rtnl_newlink_unknown_kind_returns_eopnotsupp),
		T(test_rtnl_setlink_bad_mtu_with_up_changes_nothing),
		T(test_rtnl_setlink_mtu_and_up_down),
		T(test_rtnl_setlink_lo_up_shows_noqueue_and_running),
		T(test_rtnl_setlink_renames_by_index),
		T(test_rtnl_dellink_lo_returns_eopnotsupp),
		T(test_rtnl_getlink_by_name_replies_object_then_ack),
		T(test_rtnl_getlink_missing_index_returns_enodev),
		T(test_rtnl_addr_add_dump_and_del_with_connected_route),
		T(test_rtnl_addr_add_bad_prefix_or_device_fails),
		T(test_rtnl_route_add_replace_del_and_dump),
		T(test_rtnl_route_mtu_metric_and_bad_metrics),
		T(test_rtnl_getroute_answers_like_ip_route_get),
		T(test_rtnl_neigh_add_dump_and_del),
		T(test_rtnl_neigh_add_without_dst_or_device_fails),
		T(test_rtnl_netns_create_list_delete),
		T(test_rtnl_netns_bad_names_threads_and_default_fail),
		T(test_rtnl_hello_binds_namespace_or_enoent),
		T(test_rtnl_datagram_mixing_namespaces_via_hello_answers_in_order),
		T(test_rtnl_veth_peer_in_other_namespace_reports_link_netnsid),
		T(test_rtnl_sysctl_get_set),
		T(test_rtnl_sysctl_dump_lists_keys_by_prefix),
		T(test_rtnl_getdrops_getmib_getthreads_answer),
		T(test_rtnl_short_datagram_is_rejected_without_reply),
		T(test_rtnl_nlmsg_len_past_datagram_gets_einval),
		T(test_rtnl_truncated_ifinfomsg_gets_einval),
		T(test_rtnl_attribute_overrunning_message_gets_einval),
		T(test_rtnl_garbage_linkinfo_gets_einval),
		T(test_rtnl_unknown_type_gets_eopnotsupp),
		T(test_rtnl_long_ifname_fails_policy),
		T(test_rtnl_ifindex_of_other_namespace_gets_enodev),
		T(test_rtnl_message_without_request_flag_is_ignored),
		T(test_rtnl_trailing_zero_padding_is_ignored),
		T(test_rtnl_several_messages_in_one_datagram_each_answered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
