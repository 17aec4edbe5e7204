// SPDX-License-Identifier: MIT
/*
 * The dummy link kind (devices/dummy.c), driven over rtnetlink as `ip`
 * drives it: `ip link add d0 type dummy` gives a BROADCAST,NOARP Ethernet
 * device (random MAC, MTU 1500, min 0, txqlen 1000) reported with
 * IFLA_INFO_KIND "dummy"; address/mtu/txqlen given at creation apply and a
 * bad address creates nothing; addresses and routes go on it; what is sent
 * to it (UDP through the connected route and through a gateway, one frame
 * and a batch) is counted in tx_packets/tx_bytes and freed, never counted
 * as a drop; and deleting it leaves nothing behind (h_teardown checks that
 * no packet is left allocated).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "devices/devices.h"
#include "netns/core/sock.h"
#include "netns/rtnl/rtnl.h"
#include "tests/unit/harness/h_nl.h"
#include "tests/unit/harness/harness.h"

static struct rtnl_conn conn;
static struct rtnl_out out;
static uint32_t seq;

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
 * the answer (0 for an ACK). */
static int send_msg(struct nl_msg *m)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	int err = 1;
	size_t off = 0;

	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++seq;
	rtnl_out_reset(&out);
	rtnl_process(&conn, h, h->nlmsg_len, &out);
	nlmsg_free(m);
	while (off + NLMSG_HDRLEN <= out.len) {
		struct nlmsghdr *r = (struct nlmsghdr *)(out.buf + off);

		if (r->nlmsg_type == NLMSG_ERROR)
			err = ((struct nlmsgerr *)NLMSG_DATA(r))->error;
		off += NLMSG_ALIGN(r->nlmsg_len);
	}
	return err;
}

/* `ip link add [NAME] [mtu M] [address A] type dummy`; mtu 0 / NULL: not given. */
static int add_dummy(const char *name, uint32_t mtu, const uint8_t *mac)
{
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);
	struct nlattr *li;

	if (name)
		nla_put_string(m, IFLA_IFNAME, name);
	if (mtu)
		nla_put_u32(m, IFLA_MTU, mtu);
	if (mac)
		nla_put(m, IFLA_ADDRESS, 6, mac);
	li = nla_nest_start(m, IFLA_LINKINFO);
	nla_put_string(m, IFLA_INFO_KIND, "dummy");
	nla_nest_end(m, li);
	return send_msg(m);
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

static int link_up(int ifindex)
{
	return send_msg(h_link_msg(RTM_NEWLINK, 0, ifindex, IFF_UP, IFF_UP));
}

/* `ip link set dev IFINDEX mtu MTU` */
static int link_mtu(int ifindex, uint32_t mtu)
{
	struct nl_msg *m = h_link_msg(RTM_NEWLINK, 0, ifindex, 0, 0);

	nla_put_u32(m, IFLA_MTU, mtu);
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

static int route_add(const char *dst, int plen, const char *gw, int oif)
{
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = (uint8_t)plen,
			     .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
			     .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };

	nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	nla_put_u32(m, RTA_DST, h_ip(dst));
	nla_put_u32(m, RTA_GATEWAY, h_ip(gw));
	nla_put_u32(m, RTA_OIF, (uint32_t)oif);
	return send_msg(m);
}

/* The IFLA_INFO_KIND of @ifindex in a GETLINK answer, or NULL. */
static const char *link_kind(int ifindex)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct nlmsghdr *h;

	send_msg(h_link_msg(RTM_GETLINK, 0, ifindex, 0, 0));
	h = (struct nlmsghdr *)out.buf;
	if (out.len < NLMSG_HDRLEN || h->nlmsg_type != RTM_NEWLINK)
		return NULL;
	assert_int_equal(nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	if (!tb[IFLA_LINKINFO] ||
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 || !li[IFLA_INFO_KIND])
		return NULL;
	return nla_get_string(li[IFLA_INFO_KIND]);
}

static void test_dummy_newlink_makes_a_noarp_ethernet_device(void **state)
{
	struct netdev *dev;

	assert_int_equal(add_dummy("d0", 0, NULL), 0);
	dev = dev_named("d0");
	assert_non_null(dev);
	assert_int_equal(dev->type, ARPHRD_ETHER);
	assert_int_equal(dev->flags, IFF_BROADCAST | IFF_NOARP);
	assert_int_equal(dev->mtu, 1500);
	/* dummy_setup: min_mtu 0, max_mtu 0 ("no limit": `ip -d link` shows
	 * "minmtu 0 maxmtu 0") */
	assert_int_equal(dev->min_mtu, 0);
	assert_int_equal(dev->max_mtu, 0);
	assert_int_equal(dev->txqlen, 1000);
	assert_int_equal(dev->operstate, OPER_DOWN);
	assert_true(eth_is_valid_unicast(dev->addr));
	assert_string_equal(link_kind(dev->ifindex), "dummy");
	/* up: carrier from the start, no queue */
	assert_int_equal(link_up(dev->ifindex), 0);
	assert_true(dev_is_running(dev));
	assert_true(dev->flags & IFF_LOWER_UP);
	/* no carrier reports: `state UNKNOWN`, as Linux shows a dummy */
	assert_int_equal(dev->operstate, OPER_UNKNOWN);
	/* a second one with the same name is refused */
	assert_int_equal(add_dummy("d0", 0, NULL), -EEXIST);
}

static void test_dummy_newlink_applies_generic_attributes(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	struct netdev *dev;

	assert_int_equal(add_dummy("d1", 9000, mac), 0);
	dev = dev_named("d1");
	assert_non_null(dev);
	assert_int_equal(dev->mtu, 9000);
	assert_memory_equal(dev->addr, mac, 6);
	/* no upper limit but int's; min_mtu 0 */
	assert_int_equal(add_dummy("d2", 70000, NULL), 0);
	assert_int_equal(dev_named("d2")->mtu, 70000);
	/* and the same when changed later (do_setlink's dev_validate_mtu) */
	assert_int_equal(link_mtu(dev_named("d2")->ifindex, 100000), 0);
	assert_int_equal(dev_named("d2")->mtu, 100000);
	assert_int_equal(link_mtu(dev_named("d2")->ifindex, 0x80000000u), -EINVAL);
	assert_int_equal(dev_named("d2")->mtu, 100000);
	assert_int_equal(add_dummy("d3", 0x80000000u, NULL), -EINVAL);
	/* dummy_validate: a multicast address is not a device address */
	assert_int_equal(add_dummy("d4", 0, mcast), -EADDRNOTAVAIL);
	assert_null(dev_named("d3"));
	assert_null(dev_named("d4"));
	/* without a name: "dummy%d" */
	assert_int_equal(add_dummy(NULL, 0, NULL), 0);
	assert_non_null(dev_named("dummy0"));
}

/* Drops of every reason in @ns. */
static uint64_t drops(const struct netns *ns)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < DROP_MAX; i++)
		n += ns->drop[i];
	return n;
}

/* A UDP datagram to @dst:9 with @len bytes of payload from a fresh socket. */
static void udp_send(struct netns *ns, const char *dst, unsigned len)
{
	static const struct sock_ops ops;
	uint8_t payload[256];
	struct sock *sk = sock_open(ns, IPPROTO_UDP, &ops, NULL);

	assert_non_null(sk);
	memset(payload, 0xab, sizeof(payload));
	assert_int_equal(sock_sendto(sk, h_ip(dst), 9, payload, len), (int)len);
	sock_close(sk);
}

static void test_dummy_counts_tx_and_frees_what_is_routed_to_it(void **state)
{
	struct netns *ns = def_ns();
	struct netdev *dev;

	assert_int_equal(add_dummy("d0", 0, NULL), 0);
	dev = dev_named("d0");
	assert_int_equal(link_up(dev->ifindex), 0);
	assert_int_equal(addr_add(dev->ifindex, "10.9.0.1", 24), 0);
	assert_int_equal(route_add("10.10.0.0", 24, "10.9.0.2", dev->ifindex), 0);
	/* connected route, then through the gateway: NOARP sends at once */
	udp_send(ns, "10.9.0.2", 100);
	udp_send(ns, "10.10.0.5", 28);
	h_run();
	assert_int_equal(dev->stats.tx_packets, 2);
	assert_int_equal(dev->stats.tx_bytes, (14 + 20 + 8) * 2 + 100 + 28);
	assert_int_equal(dev->stats.tx_dropped, 0);
	assert_int_equal(dev->stats.rx_packets, 0);
	/* freed, not dropped */
	assert_int_equal(drops(ns), 0);
	assert_int_equal(pkt_in_use(), 0);
}

static void test_dummy_batch_transmit_frees_every_frame(void **state)
{
	struct pkt_batch b = { .n = 0 };
	struct netdev *dev;

	assert_int_equal(add_dummy("d0", 0, NULL), 0);
	dev = dev_named("d0");
	assert_int_equal(link_up(dev->ifindex), 0);
	for (unsigned i = 0; i < 5; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_LINK, 60);

		assert_non_null(p);
		memset(p->data, 0, 60);
		eth_header(p, dev->broadcast, dev->addr, ETH_P_IP);
		b.p[b.n++] = p;
	}
	dev_queue_xmit_batch(dev, &b);
	assert_int_equal(b.n, 0);
	assert_int_equal(dev->stats.tx_packets, 5);
	assert_int_equal(dev->stats.tx_bytes, 5 * 74);
	assert_int_equal(drops(def_ns()), 0);
	assert_int_equal(pkt_in_use(), 0);
}

static void test_dummy_dellink_removes_it(void **state)
{
	int ifindex;

	assert_int_equal(add_dummy("d0", 0, NULL), 0);
	ifindex = dev_named("d0")->ifindex;
	assert_int_equal(link_up(ifindex), 0);
	assert_int_equal(addr_add(ifindex, "10.9.0.1", 24), 0);
	assert_int_equal(send_msg(h_link_msg(RTM_DELLINK, 0, ifindex, 0, 0)), 0);
	assert_null(dev_named("d0"));
	assert_int_equal(send_msg(h_link_msg(RTM_DELLINK, 0, ifindex, 0, 0)), -ENODEV);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dummy_newlink_makes_a_noarp_ethernet_device),
		T(test_dummy_newlink_applies_generic_attributes),
		T(test_dummy_counts_tx_and_frees_what_is_routed_to_it),
		T(test_dummy_batch_transmit_frees_every_frame),
		T(test_dummy_dellink_removes_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
