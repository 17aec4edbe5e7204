// SPDX-License-Identifier: MIT
/*
 * TAP/TUN device tests without root: a SOCK_SEQPACKET socketpair stands in
 * for the /dev/net/tun fd (one frame per read and write, like a tun fd).
 * The test holds the "host" end: it writes frames the device receives and
 * reads what the device transmits. Covered: an ARP request answered back
 * to the host, transmit coalesced into one flush, a full host queue and a
 * full device queue counted as TAP_TXFULL / tx_dropped, EOF as carrier loss
 * and reattaching through the opener hook, the L3 tun path (bare IPv4 in
 * and out, no ARP), the error text when /dev/net/tun cannot be used, and
 * the host end closing when the device is deleted.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/tap.h"
#include "netns/ipv4/fib.h"
#include "netns/rtnl/rtnl.h"
#include "tests/unit/harness/harness.h"

#define ETH_P_TEST 0x88b5

static int host_fd = -1;   /* the test's end of the current stand-in */
static int hook_calls;	   /* opener hook invocations */
static int hook_result;	   /* 0: hand out a new socketpair; else -errno */
static enum tap_step hook_step;

static int setup(void **state)
{
	h_setup();
	host_fd = -1;
	hook_calls = 0;
	hook_result = 0;
	return 0;
}

static int teardown(void **state)
{
	tap_set_open_hook(NULL);
	if (host_fd >= 0)
		close(host_fd);
	host_fd = -1;
	h_teardown();
	return 0;
}

/* A tap (or tun) device on a fresh socketpair; host_fd is the other end. */
static struct netdev *make_dev(struct netns *ns, const char *name, bool tun)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(tap_create_fd(ns, name, sv[0], tun, NULL, false, NULL), 0);
	host_fd = sv[1];
	fcntl(host_fd, F_SETFL, O_NONBLOCK);
	return dev_get_by_name(ns, name);
}

static void addr_up(struct netdev *dev, const char *ip)
{
	uint32_t a = h_ip(ip);

	assert_int_equal(inet_addr_add(dev, a, 24, a | htonl(0xff), 0, NULL, NULL), 0);
	assert_int_equal(dev_open(dev), 0);
}

/* Frames waiting on the host end. */
static unsigned host_pending(void)
{
	uint8_t buf[4096];
	unsigned n = 0;

	while (recv(host_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

/* An ARP request "who has @tip tell 10.0.0.1" from 02:00:00:00:00:01. */
static size_t arp_request(uint8_t *buf, const char *tip)
{
	static const uint8_t hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	uint8_t *a;
	size_t n = h_eth(buf, "ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 0x0806);
	uint32_t sip = h_ip("10.0.0.1"), t = h_ip(tip);

	a = buf + n;
	memcpy(a, hdr, 8);
	h_mac(a + 8, "02:00:00:00:00:01");
	memcpy(a + 14, &sip, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, &t, 4);
	return n + 28;
}

static void test_tap_rx_arp_request_is_answered_to_host(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = make_dev(ns, "tap0", false);
	uint8_t frame[64], reply[256];
	size_t len = arp_request(frame, "10.0.0.2");
	ssize_t n;

	addr_up(dev, "10.0.0.2");
	assert_true(dev->flags & IFF_LOWER_UP);
	assert_int_equal(write(host_fd, frame, len), (ssize_t)len);
	tap_poll(dev);
	h_run();
	assert_int_equal(dev->stats.rx_packets, 1);
	n = read(host_fd, reply, sizeof(reply));
	assert_int_equal(n, 42);
	/* ARP reply (op 2) to the requester, from the device's MAC */
	assert_int_equal(reply[12], 0x08);
	assert_int_equal(reply[13], 0x06);
	assert_int_equal(reply[21], 2);
	assert_memory_equal(reply + 6, dev->addr, 6);
	assert_int_equal(dev->stats.tx_packets, 1);
}

static void send_test_frames(struct netdev *dev, unsigned n, unsigned size)
{
	for (unsigned i = 0; i < n; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_LINK, size);

		assert_non_null(p);
		memset(p->data, (int)i, size);
		eth_header(p, dev->broadcast, dev->addr, ETH_P_TEST);
		p->dev = dev;
		dev_queue_xmit(p);
	}
}

static void test_tap_tx_is_written_in_one_flush(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = make_dev(ns, "tap0", false);

	addr_up(dev, "10.0.0.2");
	send_test_frames(dev, 5, 100);
	/* queued until the end of this processing batch */
	assert_int_equal(host_pending(), 0);
	h_run();
	assert_int_equal(host_pending(), 5);
	assert_int_equal(dev->stats.tx_packets, 5);
	assert_int_equal(dev->stats.tx_dropped, 0);
}

static void test_tap_tx_full_host_queue_counts_txfull(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = make_dev(ns, "tap0", false);
	int small = 4096;
	unsigned got;

	addr_up(dev, "10.0.0.2");
	/* A host that does not read: a tiny socket buffer fills at once. */
	assert_int_equal(setsockopt(tap_fd(dev), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	send_test_frames(dev, 200, 1000);
	h_run(); /* must not block */
	got = host_pending();
	assert_true(got > 0 && got < 200);
	assert_drop(ns, TAP_TXFULL, 200 - got);
	assert_int_equal(dev->stats.tx_dropped, 200 - got);
}

static void test_tap_tx_queue_bounded_by_txqlen(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = make_dev(ns, "tap0", false);

	addr_up(dev, "10.0.0.2");
	dev->txqlen = 10;
	send_test_frames(dev, 15, 60);
	assert_drop(ns, TAP_TXFULL, 5);
	h_run();
	assert_int_equal(host_pending(), 10);
}

static void test_tap_host_eof_loses_carrier(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = make_dev(ns, "tap0", false);

	addr_up(dev, "10.0.0.2");
	assert_int_equal(dev->operstate, OPER_UP);
	close(host_fd);
	host_fd = -1;
	tap_poll(dev);
	assert_int_equal(tap_fd(dev), -1);
	assert_false(dev->flags & IFF_LOWER_UP);
	assert_int_equal(dev->operstate, OPER_DOWN);
	/* nothing crashes: transmit now drops as the device has no carrier */
	send_test_frames(dev, 1, 60);
	assert_drop(ns, DEV_DOWN, 1);
	/* a device without host-name never comes back by itself */
	h_advance(3 * TAP_POLL_NS);
	assert_int_equal(tap_fd(dev), -1);
}

static int hook_open(const char *name, bool tun, bool must_exist, char *actual,
		     enum tap_step *step)
{
	int sv[2];

	hook_calls++;
	if (hook_result) {
		*step = hook_step;
		return hook_result;
	}
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	if (host_fd >= 0)
		close(host_fd);
	host_fd = sv[1];
	fcntl(host_fd, F_SETFL, O_NONBLOCK);
	snprintf(actual, IFNAMSIZ, "%s", name);
	return sv[0];
}

static void test_tap_host_name_device_reattaches(void **state)
{
	struct netns *ns = h_ns("t");
	const struct rtnl_link_ops *ops = rtnl_link_ops_get("tap");
	struct nlattr *data[TAP_INFO_MAX + 1] = { 0 };
	struct {
		struct nlattr a;
		char s[16];
	} host = { { .nla_len = NLA_HDRLEN + 9, .nla_type = TAP_INFO_HOST_NAME }, "nsemuX0" };
	struct netdev *dev;

	tap_set_open_hook(hook_open);
	data[TAP_INFO_HOST_NAME] = &host.a;
	assert_int_equal(rtnl_link_create(ops, ns, "tap0", data, NULL, NULL, NULL), 0);
	dev = dev_get_by_name(ns, "tap0");
	assert_non_null(dev);
	addr_up(dev, "10.0.0.2");
	assert_true(dev->flags & IFF_LOWER_UP);
	assert_int_equal(hook_calls, 1);

	/* host device gone (EOF), no carrier; it is not there at the next poll */
	close(host_fd);
	host_fd = -1;
	hook_result = -ENODEV;
	hook_step = TAP_STEP_OTHER;
	tap_poll(dev);
	assert_false(dev->flags & IFF_LOWER_UP);
	h_advance(TAP_POLL_NS);
	assert_int_equal(hook_calls, 2);
	assert_false(dev->flags & IFF_LOWER_UP);

	/* it comes back: reattached and carrier regained at the next poll */
	hook_result = 0;
	h_advance(TAP_POLL_NS);
	assert_int_equal(hook_calls, 3);
	assert_true(dev->flags & IFF_LOWER_UP);
	assert_int_equal(dev->operstate, OPER_UP);
	send_test_frames(dev, 2, 60);
	h_run();
	assert_int_equal(host_pending(), 2);
}

static void test_tun_rx_bare_ipv4_echo_reply_is_bare_ipv4(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = make_dev(ns, "tun0", true);
	uint8_t icmp[64], pkt[128], reply[256];
	size_t ilen = h_icmp_echo(icmp, 8, 7, 1, 16);
	size_t len = h_ipv4(pkt, "10.0.0.1", "10.0.0.2", 1, 64, icmp, ilen);
	ssize_t n;

	assert_int_equal(dev->type, ARPHRD_NONE);
	assert_true(dev->flags & IFF_NOARP);
	assert_true(dev->flags & IFF_POINTOPOINT);
	addr_up(dev, "10.0.0.2");
	assert_int_equal(write(host_fd, pkt, len), (ssize_t)len);
	tap_poll(dev);
	h_run();
	n = read(host_fd, reply, sizeof(reply));
	/* no ARP and no Ethernet header: the reply is the IP packet itself */
	assert_int_equal(n, (ssize_t)len);
	assert_int_equal(reply[0], 0x45);
	assert_int_equal(reply[9], 1);
	assert_int_equal(reply[20], 0); /* echo reply */
	assert_int_equal(dev->stats.rx_bytes, len);
	assert_int_equal(dev->stats.tx_bytes, len);
	assert_mib(ns, IcmpOutEchoReps, 1);
}

static void test_tun_rx_non_ipv4_is_unhandled(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = make_dev(ns, "tun0", true);
	uint8_t v6[40] = { 0x60 };

	addr_up(dev, "10.0.0.2");
	assert_int_equal(write(host_fd, v6, sizeof(v6)), (ssize_t)sizeof(v6));
	tap_poll(dev);
	assert_drop(ns, UNHANDLED_PROTO, 1);
	assert_int_equal(dev->stats.rx_dropped, 1);
}

static void test_tap_rx_oversize_and_runt_are_counted(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = make_dev(ns, "tap0", false);
	static uint8_t big[1600];
	uint8_t runt[10] = { 0 };

	addr_up(dev, "10.0.0.2");
	assert_int_equal(write(host_fd, big, sizeof(big)), (ssize_t)sizeof(big));
	assert_int_equal(write(host_fd, runt, sizeof(runt)), (ssize_t)sizeof(runt));
	tap_poll(dev);
	assert_drop(ns, MTU_EXCEEDED, 1);
	assert_drop(ns, PKT_TOO_SMALL, 1);
	assert_int_equal(dev->stats.rx_length_errors, 2);
}

static void test_tap_newlink_without_permission_says_what_is_missing(void **state)
{
	struct netns *ns = h_ns("t");
	const struct rtnl_link_ops *ops = rtnl_link_ops_get("tap");
	struct extack ext = { 0 };

	tap_set_open_hook(hook_open);
	hook_result = -EACCES;
	hook_step = TAP_STEP_OPEN;
	assert_int_equal(rtnl_link_create(ops, ns, "tap0", NULL, NULL, NULL, &ext), -EACCES);
	assert_non_null(ext.msg);
	assert_non_null(strstr(ext.msg, "cannot open /dev/net/tun: Permission denied"));
	assert_non_null(strstr(ext.msg, "CAP_NET_ADMIN"));
	assert_non_null(strstr(ext.msg, "docs/host.md"));

	memset(&ext, 0, sizeof(ext));
	hook_result = -EPERM;
	hook_step = TAP_STEP_SETIFF;
	assert_int_equal(rtnl_link_create(ops, ns, "tap0", NULL, NULL, NULL, &ext), -EPERM);
	assert_non_null(strstr(ext.msg, "cannot attach tap0: Operation not permitted"));
	assert_non_null(strstr(ext.msg, "persistent TAP owned by you"));
	/* nothing was created */
	assert_null(dev_get_by_name(ns, "tap0"));
}

static void test_tap_delete_closes_host_fd(void **state)
{
	struct netns *ns = h_ns("t");
	struct netdev *dev = make_dev(ns, "tap0", false);
	uint8_t buf[64];

	addr_up(dev, "10.0.0.2");
	send_test_frames(dev, 3, 60); /* queued, not yet flushed */
	dev_unregister(dev);
	/* closing it (the first step of unregistering) drops what is queued */
	assert_drop(ns, DEV_DOWN, 3);
	/* the device's end is closed: the host sees EOF */
	assert_int_equal(read(host_fd, buf, sizeof(buf)), 0);
	assert_null(dev_get_by_name(ns, "tap0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tap_rx_arp_request_is_answered_to_host, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tap_tx_is_written_in_one_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap_tx_full_host_queue_counts_txfull, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tap_tx_queue_bounded_by_txqlen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap_host_eof_loses_carrier, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap_host_name_device_reattaches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tun_rx_bare_ipv4_echo_reply_is_bare_ipv4, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tun_rx_non_ipv4_is_unhandled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap_rx_oversize_and_runt_are_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tap_newlink_without_permission_says_what_is_missing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tap_delete_closes_host_fd, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
