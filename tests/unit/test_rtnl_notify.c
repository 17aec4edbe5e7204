// SPDX-License-Identifier: MIT
/*
 * rtnetlink notifications (netns/rtnl/rtnl_notify.c): what a request that
 * changes state hands to the sink set with rtnl_set_notify() — the
 * messages, their groups and namespace, stamped with the requester's
 * portid and the request's seq as rtnl_notify does — and that failed
 * requests and dumps notify nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "devices/devices.h"
#include "tests/unit/harness/h_nl.h"
#include "tests/unit/harness/harness.h"
#include "netns/rtnl/rtnl.h"

#define MAX_NOTES 64

struct note {
	uint32_t ns_id;
	unsigned group;
	uint16_t type;
	uint32_t pid, seq;
	uint8_t body[1024];
	size_t len;
};

static struct note notes[MAX_NOTES];
static unsigned nnotes;
static struct rtnl_conn conn;
static struct rtnl_out out;
static uint32_t seq;

static void sink(uint32_t ns_id, unsigned group, const void *msg, size_t len)
{
	const struct nlmsghdr *h = msg;
	assert_true(nnotes < MAX_NOTES);
	assert_true(len == h->nlmsg_len && len <= sizeof(notes[0].body));
	notes[nnotes] = (struct note){ .ns_id = ns_id, .group = group, .type = h->nlmsg_type,
				       .pid = h->nlmsg_pid, .seq = h->nlmsg_seq, .len = len };
	memcpy(notes[nnotes].body, msg, len);
	nnotes++;
}

static int setup(void **state)
{
	(void)state;
	h_setup();
	devices_init();
	assert_int_equal(rtnl_init(), 0);
	conn = (struct rtnl_conn){ .portid = 4242, .ext_ack = true };
	rtnl_out_init(&out);
	rtnl_set_notify(sink);
	nnotes = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rtnl_set_notify(NULL);
	rtnl_exit();
	rtnl_out_free(&out);
	h_teardown();
	return 0;
}

/* Send a libnl message (freed); the error of its answer (0: ACK). */
static int send_msg(struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++seq;
	nnotes = 0;
	rtnl_out_reset(&out);
	rtnl_process(&conn, h, h->nlmsg_len, &out);
	nlmsg_free(m);
	const struct nlmsghdr *r = (const struct nlmsghdr *)out.buf;
	if (out.len < NLMSG_HDRLEN || r->nlmsg_type != NLMSG_ERROR)
		return 1;
	return ((const struct nlmsgerr *)NLMSG_DATA(r))->error;
}


static int add_veth(const char *a, const char *b)
{
	return send_msg(h_veth_msg(NLM_F_CREATE | NLM_F_EXCL, a, b, 0));
}

/* The ifindex of a link from the last notifications, by name. */
static int note_ifindex(const char *name)
{
	for (unsigned i = 0; i < nnotes; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)notes[i].body;
		struct nlattr *tb[IFLA_MAX + 1];
		if (notes[i].group != RTNLGRP_LINK ||
		    nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0)
			continue;
		if (tb[IFLA_IFNAME] && !strcmp(nla_get_string(tb[IFLA_IFNAME]), name))
			return ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
	}
	return 0;
}

static unsigned count(uint16_t type, unsigned group)
{
	unsigned n = 0;
	for (unsigned i = 0; i < nnotes; i++) {
		n += notes[i].type == type && notes[i].group == group;
		/* rtnl_notify's stamp: the requester and its request */
		assert_int_equal(notes[i].pid, 4242);
		assert_int_equal(notes[i].seq, seq);
		assert_int_equal(notes[i].ns_id, 0);
	}
	return n;
}

static int addr(int type, int ifindex, const char *a, int plen)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (uint8_t)plen,
				 .ifa_index = (uint32_t)ifindex };
	uint32_t v = inet_addr(a);
	nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	nla_put_u32(m, IFA_LOCAL, v);
	nla_put_u32(m, IFA_ADDRESS, v);
	return send_msg(m);
}

static int route(int type, const char *dst, int len, const char *gw)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0);
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = (uint8_t)len,
			     .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = type == RTM_NEWROUTE ? RTPROT_BOOT : 0,
			     .rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE,
			     .rtm_type = type == RTM_NEWROUTE ? RTN_UNICAST : 0 };
	nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	nla_put_u32(m, RTA_DST, inet_addr(dst));
	if (gw)
		nla_put_u32(m, RTA_GATEWAY, inet_addr(gw));
	return send_msg(m);
}

static void test_rtnl_notify_veth_create_announces_both_ends(void **state)
{
	assert_int_equal(add_veth("na", "nb"), 0);
	assert_int_equal(count(RTM_NEWLINK, RTNLGRP_LINK), 2);
	assert_true(note_ifindex("na") > 0);
	assert_true(note_ifindex("nb") > 0);
}

static void test_rtnl_notify_link_up_then_delete(void **state)
{
	assert_int_equal(add_veth("na", "nb"), 0);
	int na = note_ifindex("na"), nb = note_ifindex("nb");
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, na, IFF_UP, IFF_UP)), 0);
	/* the device only: its peer is down, its carrier did not move */
	assert_int_equal(count(RTM_NEWLINK, RTNLGRP_LINK), 1);
	assert_int_equal(note_ifindex("na"), na);
	assert_int_equal(addr(RTM_NEWADDR, na, "10.1.0.1", 24), 0);
	assert_int_equal(send_msg(h_link_msg(RTM_DELLINK, 0, nb, 0, 0)), 0);
	assert_int_equal(count(RTM_DELLINK, RTNLGRP_LINK), 2);
	assert_int_equal(count(RTM_DELADDR, RTNLGRP_IPV4_IFADDR), 1);
	assert_int_equal(count(RTM_DELROUTE, RTNLGRP_IPV4_ROUTE), 0); /* silent, as Linux */
}

/* The ifindex of link note @i. */
static int note_link(unsigned i)
{
	assert_true(i < nnotes);
	assert_int_equal(notes[i].group, RTNLGRP_LINK);
	return ((struct ifinfomsg *)NLMSG_DATA((struct nlmsghdr *)notes[i].body))->ifi_index;
}

/* Linux (checked with `ip monitor link`): the peer hears of an end's up or
 * down only when its own carrier moves, i.e. while the peer is up. */
static void test_rtnl_notify_veth_peer_only_when_its_carrier_moves(void **state)
{
	assert_int_equal(add_veth("na", "nb"), 0);
	int na = note_ifindex("na"), nb = note_ifindex("nb");
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, na, IFF_UP, IFF_UP)), 0);
	assert_int_equal(nnotes, 1);
	assert_int_equal(note_link(0), na);
	/* nb up: nb, then na, whose carrier came */
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, nb, IFF_UP, IFF_UP)), 0);
	assert_int_equal(nnotes, 2);
	assert_int_equal(note_link(0), nb);
	assert_int_equal(note_link(1), na);
	/* na down: na, then nb, whose carrier went */
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, na, 0, IFF_UP)), 0);
	assert_int_equal(nnotes, 2);
	assert_int_equal(note_link(0), na);
	assert_int_equal(note_link(1), nb);
	/* nb down, na already down: nb only */
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, nb, 0, IFF_UP)), 0);
	assert_int_equal(nnotes, 1);
	assert_int_equal(note_link(0), nb);
}

/* "TYPE DST/LEN" of route note @i, e.g. "2 10.1.0.0/24" (RTN_LOCAL 2,
 * RTN_BROADCAST 3, RTN_UNICAST 1). */
static const char *note_route(unsigned i)
{
	static char buf[64];
	struct nlattr *tb[RTA_MAX + 1];
	struct nlmsghdr *h;
	struct rtmsg *rtm;
	struct in_addr a;

	assert_true(i < nnotes);
	assert_int_equal(notes[i].group, RTNLGRP_IPV4_ROUTE);
	h = (struct nlmsghdr *)notes[i].body;
	rtm = NLMSG_DATA(h);
	assert_int_equal(nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL), 0);
	a.s_addr = tb[RTA_DST] ? nla_get_u32(tb[RTA_DST]) : 0;
	snprintf(buf, sizeof(buf), "%u %s/%u", rtm->rtm_type, inet_ntoa(a), rtm->rtm_dst_len);
	return buf;
}

static int addr_brd(int ifindex, const char *a, int plen, const char *brd)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (uint8_t)plen,
				 .ifa_index = (uint32_t)ifindex };
	nlmsg_append(m, &ifa, sizeof(ifa), NLMSG_ALIGNTO);
	nla_put_u32(m, IFA_LOCAL, inet_addr(a));
	nla_put_u32(m, IFA_ADDRESS, inet_addr(a));
	nla_put_u32(m, IFA_BROADCAST, inet_addr(brd));
	return send_msg(m);
}

/* fib_magic's order, as this machine's kernel showed it in `ip monitor
 * route`: add local, own broadcast, prefix, subnet broadcast; delete
 * prefix, broadcasts, local; a device coming up: prefix, broadcast (the
 * local route stayed while it was down). */
static void test_rtnl_notify_addr_routes_in_kernel_order(void **state)
{
	assert_int_equal(add_veth("na", "nb"), 0);
	int na = note_ifindex("na"), nb = note_ifindex("nb");
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, nb, IFF_UP, IFF_UP)), 0);
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, na, IFF_UP, IFF_UP)), 0);
	assert_int_equal(addr(RTM_NEWADDR, na, "10.1.0.1", 24), 0);
	assert_int_equal(nnotes, 4);
	assert_int_equal(notes[0].type, RTM_NEWADDR);
	assert_string_equal(note_route(1), "2 10.1.0.1/32");
	assert_string_equal(note_route(2), "1 10.1.0.0/24");
	assert_string_equal(note_route(3), "3 10.1.0.255/32");

	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, na, 0, IFF_UP)), 0);
	assert_int_equal(count(RTM_DELROUTE, RTNLGRP_IPV4_ROUTE), 0);
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, na, IFF_UP, IFF_UP)), 0);
	assert_int_equal(count(RTM_NEWROUTE, RTNLGRP_IPV4_ROUTE), 2);
	assert_string_equal(note_route(1), "1 10.1.0.0/24");
	assert_string_equal(note_route(2), "3 10.1.0.255/32");

	assert_int_equal(addr(RTM_DELADDR, na, "10.1.0.1", 24), 0);
	assert_int_equal(nnotes, 4);
	assert_int_equal(notes[0].type, RTM_DELADDR);
	assert_string_equal(note_route(1), "1 10.1.0.0/24");
	assert_string_equal(note_route(2), "3 10.1.0.255/32");
	assert_string_equal(note_route(3), "2 10.1.0.1/32");

	/* `brd 10.3.0.77`: the address's own broadcast before the prefix */
	assert_int_equal(addr_brd(na, "10.3.0.1", 24, "10.3.0.77"), 0);
	assert_int_equal(nnotes, 5);
	assert_string_equal(note_route(1), "2 10.3.0.1/32");
	assert_string_equal(note_route(2), "3 10.3.0.77/32");
	assert_string_equal(note_route(3), "1 10.3.0.0/24");
	assert_string_equal(note_route(4), "3 10.3.0.255/32");
}

static void test_rtnl_notify_addr_brings_its_routes(void **state)
{
	assert_int_equal(add_veth("na", "nb"), 0);
	int na = note_ifindex("na"), nb = note_ifindex("nb");
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, na, IFF_UP, IFF_UP)), 0);
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, nb, IFF_UP, IFF_UP)), 0);
	assert_int_equal(addr(RTM_NEWADDR, na, "10.1.0.1", 24), 0);
	assert_int_equal(count(RTM_NEWADDR, RTNLGRP_IPV4_IFADDR), 1);
	/* fib_add_ifaddr: local, broadcast, prefix */
	assert_int_equal(count(RTM_NEWROUTE, RTNLGRP_IPV4_ROUTE), 3);
	assert_int_equal(notes[0].type, RTM_NEWADDR);
	/* a duplicate notifies nothing */
	assert_int_equal(addr(RTM_NEWADDR, na, "10.1.0.1", 24), -EEXIST);
	assert_int_equal(nnotes, 0);
	assert_int_equal(addr(RTM_DELADDR, na, "10.1.0.1", 24), 0);
	assert_int_equal(count(RTM_DELADDR, RTNLGRP_IPV4_IFADDR), 1);
	assert_int_equal(count(RTM_DELROUTE, RTNLGRP_IPV4_ROUTE), 3);
}

static void test_rtnl_notify_route_add_del_carry_the_route(void **state)
{
	assert_int_equal(add_veth("na", "nb"), 0);
	int na = note_ifindex("na"), nb = note_ifindex("nb");
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, na, IFF_UP, IFF_UP)), 0);
	assert_int_equal(send_msg(h_link_msg(RTM_NEWLINK, 0, nb, IFF_UP, IFF_UP)), 0);
	assert_int_equal(addr(RTM_NEWADDR, na, "10.1.0.1", 24), 0);
	assert_int_equal(route(RTM_NEWROUTE, "10.2.0.0", 16, "10.1.0.254"), 0);
	assert_int_equal(count(RTM_NEWROUTE, RTNLGRP_IPV4_ROUTE), 1);
	/* a delete by prefix only still tells which route went */
	assert_int_equal(route(RTM_DELROUTE, "10.2.0.0", 16, NULL), 0);
	assert_int_equal(count(RTM_DELROUTE, RTNLGRP_IPV4_ROUTE), 1);
	struct nlattr *tb[RTA_MAX + 1];
	assert_int_equal(nlmsg_parse((struct nlmsghdr *)notes[0].body, sizeof(struct rtmsg), tb,
				     RTA_MAX, NULL), 0);
	assert_non_null(tb[RTA_GATEWAY]);
	assert_int_equal(nla_get_u32(tb[RTA_GATEWAY]), inet_addr("10.1.0.254"));
	assert_int_equal(nla_get_u32(tb[RTA_OIF]), (uint32_t)na);
	/* a failed delete notifies nothing */
	assert_int_equal(route(RTM_DELROUTE, "10.2.0.0", 16, NULL), -ESRCH);
	assert_int_equal(nnotes, 0);
}

static void test_rtnl_notify_neigh_and_dumps(void **state)
{
	assert_int_equal(add_veth("na", "nb"), 0);
	int na = note_ifindex("na");
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL);
	struct ndmsg ndm = { .ndm_family = AF_INET, .ndm_ifindex = na, .ndm_state = NUD_PERMANENT };
	uint8_t ll[6] = { 2, 0, 0, 0, 0, 9 };
	nlmsg_append(m, &ndm, sizeof(ndm), NLMSG_ALIGNTO);
	nla_put_u32(m, NDA_DST, inet_addr("10.1.0.9"));
	nla_put(m, NDA_LLADDR, 6, ll);
	assert_int_equal(send_msg(m), 0);
	assert_int_equal(count(RTM_NEWNEIGH, RTNLGRP_NEIGH), 1);
	m = nlmsg_alloc_simple(RTM_DELNEIGH, 0);
	nlmsg_append(m, &ndm, sizeof(ndm), NLMSG_ALIGNTO);
	nla_put_u32(m, NDA_DST, inet_addr("10.1.0.9"));
	assert_int_equal(send_msg(m), 0);
	assert_int_equal(count(RTM_DELNEIGH, RTNLGRP_NEIGH), 1);
	/* a dump changes nothing and notifies nothing */
	m = h_link_msg(RTM_GETLINK, NLM_F_DUMP, 0, 0, 0);
	send_msg(m);
	assert_int_equal(nnotes, 0);
}

/* RTM_SETLINK of @ifindex with an IFLA_IFALIAS of @len bytes of @text. */
static int set_alias(int ifindex, const char *text, int len)
{
	struct nl_msg *m = h_link_msg(RTM_SETLINK, 0, ifindex, 0, 0);
	nla_put(m, IFLA_IFALIAS, len, text);
	return send_msg(m);
}

/* IFLA_IFALIAS of a link message (NULL: none). */
static const char *msg_alias(struct nlmsghdr *h)
{
	struct nlattr *tb[IFLA_MAX + 1];
	assert_int_equal(nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	return tb[IFLA_IFALIAS] ? nla_get_string(tb[IFLA_IFALIAS]) : NULL;
}

/* The alias of @ifindex as a GETLINK answers it (NULL: none). */
static const char *get_alias(int ifindex)
{
	static char buf[300];
	struct nl_msg *m = h_link_msg(RTM_GETLINK, 0, ifindex, 0, 0);
	struct nlmsghdr *h = nlmsg_hdr(m);
	const char *a;

	h->nlmsg_flags |= NLM_F_REQUEST;
	rtnl_out_reset(&out);
	rtnl_process(&conn, h, h->nlmsg_len, &out);
	nlmsg_free(m);
	h = (struct nlmsghdr *)out.buf;
	assert_int_equal(h->nlmsg_type, RTM_NEWLINK);
	a = msg_alias(h);
	if (!a)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", a);
	return buf;
}

static void test_rtnl_link_alias_set_clear_and_limit(void **state)
{
	char big[257];

	memset(big, 'a', sizeof(big));
	assert_int_equal(add_veth("na", "nb"), 0);
	int na = note_ifindex("na");
	/* iproute2 sends the text without a NUL; the change is notified with it */
	assert_int_equal(set_alias(na, "uplink to r1", 12), 0);
	assert_int_equal(count(RTM_NEWLINK, RTNLGRP_LINK), 1);
	assert_string_equal(msg_alias((struct nlmsghdr *)notes[0].body), "uplink to r1");
	assert_string_equal(get_alias(na), "uplink to r1");
	/* 255 bytes are the limit (IFALIASZ - 1); 256 are refused and change
	 * nothing, with this machine's kernel's errno and text */
	assert_int_equal(set_alias(na, big, 255), 0);
	assert_int_equal(strlen(get_alias(na)), 255);
	assert_int_equal(set_alias(na, "short", 5), 0);
	assert_int_equal(set_alias(na, big, 256), -ERANGE);
	assert_int_equal(nnotes, 0);
	assert_string_equal(get_alias(na), "short");
	/* the text ends at a NUL inside the attribute */
	assert_int_equal(set_alias(na, "ab\0cd", 5), 0);
	assert_string_equal(get_alias(na), "ab");
	/* empty clears it: the dump and the notification carry none */
	assert_int_equal(set_alias(na, "", 0), 0);
	assert_int_equal(count(RTM_NEWLINK, RTNLGRP_LINK), 1);
	assert_null(msg_alias((struct nlmsghdr *)notes[0].body));
	assert_null(get_alias(na));
}

static unsigned second_sink_calls;

static void second_sink(uint32_t ns_id, unsigned group, const void *msg, size_t len)
{
	(void)ns_id, (void)group, (void)msg, (void)len;
	second_sink_calls++;
}

static void test_rtnl_notify_second_sink_sees_the_same(void **state)
{
	second_sink_calls = 0;
	assert_int_equal(rtnl_notify_add(second_sink), 0);
	assert_int_equal(rtnl_notify_add(second_sink), 0); /* once only */
	assert_int_equal(add_veth("na", "nb"), 0);
	assert_int_equal(count(RTM_NEWLINK, RTNLGRP_LINK), 2);
	assert_int_equal(second_sink_calls, 2);
	int na = note_ifindex("na");
	rtnl_notify_del(second_sink);
	assert_int_equal(set_alias(na, "x", 1), 0);
	assert_int_equal(second_sink_calls, 2);
	assert_int_equal(nnotes, 1); /* the first sink still listens */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rtnl_notify_veth_create_announces_both_ends),
		T(test_rtnl_notify_link_up_then_delete),
		T(test_rtnl_notify_veth_peer_only_when_its_carrier_moves),
		T(test_rtnl_notify_addr_routes_in_kernel_order),
		T(test_rtnl_notify_addr_brings_its_routes),
		T(test_rtnl_notify_route_add_del_carry_the_route),
		T(test_rtnl_notify_neigh_and_dumps),
		T(test_rtnl_link_alias_set_clear_and_limit),
		T(test_rtnl_notify_second_sink_sees_the_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
