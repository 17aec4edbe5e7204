// SPDX-License-Identifier: MIT
/*
 * Unit tests for netns/ipv4/devinet.c: adding and deleting IPv4 addresses, the
 * kernel routes they imply (local, connected, subnet broadcast), primary
 * and secondary addresses, loopback's 127.0.0.1/8, flushing, and source
 * address selection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <linux/if_addr.h>

#include "tests/unit/harness/harness.h"

#include "netns/ipv4/fib.h"

static int setup(void **state)
{
	h_setup();
	return 0;
}

static int teardown(void **state)
{
	h_teardown();
	return 0;
}

static int add(struct netdev *dev, const char *a, int plen)
{
	return inet_addr_add(dev, h_ip(a), (uint8_t)plen, 0, RT_SCOPE_UNIVERSE, NULL, NULL);
}

struct find {
	uint32_t table, dst;
	uint8_t len, type;
	const struct fib_route *r;
};

/* Walks hand out views valid during the call: keep a copy (a few at a
 * time, for tests that hold more than one). */
static const struct fib_route *keep_route(const struct fib_route *r)
{
	static struct fib_route kept[4];
	static unsigned next;

	kept[next % 4] = *r;
	return &kept[next++ % 4];
}

static int find_cb(const struct fib_route *r, void *arg)
{
	struct find *f = arg;

	if (!f->r && r->cfg.table == f->table && r->cfg.dst == f->dst && r->cfg.dst_len == f->len &&
	    r->cfg.type == f->type)
		f->r = keep_route(r);
	return 0;
}

static const struct fib_route *find_route(struct netns *ns, uint32_t table, const char *dst,
					  int len, uint8_t type)
{
	struct find f = { table, h_ip(dst), (uint8_t)len, type, NULL };

	fib_walk(ns, find_cb, &f);
	return f.r;
}

static void test_inet_addr_add_creates_kernel_routes(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	const struct fib_route *r;

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	/* local 10.0.0.1 dev eth0 table local proto kernel scope host src 10.0.0.1 */
	r = find_route(ns, RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL);
	assert_non_null(r);
	assert_int_equal(r->cfg.scope, RT_SCOPE_HOST);
	assert_int_equal(r->cfg.protocol, RTPROT_KERNEL);
	assert_int_equal(r->cfg.prefsrc, h_ip("10.0.0.1"));
	assert_ptr_equal(r->dev, eth);
	/* 10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 */
	r = find_route(ns, RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST);
	assert_non_null(r);
	assert_int_equal(r->cfg.scope, RT_SCOPE_LINK);
	assert_int_equal(r->cfg.prefsrc, h_ip("10.0.0.1"));
	/* broadcast 10.0.0.255, but no network-address broadcast (Linux 5.x+) */
	r = find_route(ns, RT_TABLE_LOCAL, "10.0.0.255", 32, RTN_BROADCAST);
	assert_non_null(r);
	assert_int_equal(r->cfg.scope, RT_SCOPE_LINK);
	assert_null(find_route(ns, RT_TABLE_LOCAL, "10.0.0.0", 32, RTN_BROADCAST));
	assert_int_equal(fib_route_count(ns), 3);
	/* no broadcast address unless one is given */
	assert_int_equal(__in_dev_get(eth)->ifa_list->broadcast, 0);
	assert_true(__in_dev_get(eth)->ifa_list->flags & IFA_F_PERMANENT);
	assert_string_equal(__in_dev_get(eth)->ifa_list->label, "eth0");
}

static void test_inet_addr_add_explicit_broadcast_adds_route(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	assert_int_equal(inet_addr_add(eth, h_ip("10.0.0.1"), 16, h_ip("10.0.255.255"),
				       RT_SCOPE_UNIVERSE, NULL, NULL),
			 0);
	assert_int_equal(__in_dev_get(eth)->ifa_list->broadcast, h_ip("10.0.255.255"));
	assert_non_null(find_route(ns, RT_TABLE_LOCAL, "10.0.255.255", 32, RTN_BROADCAST));
	assert_int_equal(inet_addr_del(eth, h_ip("10.0.0.1"), 16, NULL), 0);
	assert_int_equal(fib_route_count(ns), 0);
}

static void test_inet_addr_add_duplicate_is_eexist(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	unsigned n;

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	n = fib_route_count(ns);
	assert_int_equal(add(eth, "10.0.0.1", 24), -EEXIST);
	assert_int_equal(fib_route_count(ns), n);
	assert_null(__in_dev_get(eth)->ifa_list->next);
}

static void test_inet_addr_add_same_address_other_prefix_is_allowed(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	/* Linux keys addresses by (local, subnet): a /16 of the same IP is new */
	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(add(eth, "10.0.0.1", 16), 0);
	assert_non_null(find_route(ns, RT_TABLE_MAIN, "10.0.0.0", 16, RTN_UNICAST));
}

static void test_inet_addr_add_rejects_bad_input(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct extack ext = { 0 };

	assert_int_equal(inet_addr_add(eth, h_ip("10.0.0.1"), 33, 0, 0, NULL, &ext), -EINVAL);
	assert_non_null(ext.msg);
	assert_int_equal(inet_addr_add(eth, 0, 24, 0, 0, NULL, NULL), -EINVAL);
	assert_null(__in_dev_get(eth)->ifa_list);
	assert_int_equal(fib_route_count(ns), 0);
}

static void test_inet_addr_second_in_subnet_is_secondary(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	const struct fib_route *r;

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(add(eth, "10.0.0.2", 24), 0);
	assert_false(__in_dev_get(eth)->ifa_list->flags & IFA_F_SECONDARY);
	assert_true(__in_dev_get(eth)->ifa_list->next->flags & IFA_F_SECONDARY);
	/* a secondary adds only its local route, with the primary as source */
	r = find_route(ns, RT_TABLE_LOCAL, "10.0.0.2", 32, RTN_LOCAL);
	assert_non_null(r);
	assert_int_equal(r->cfg.prefsrc, h_ip("10.0.0.1"));
	assert_int_equal(fib_route_count(ns), 4);
}

static void test_inet_addr_del_secondary_keeps_subnet_routes(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_result res;

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(add(eth, "10.0.0.2", 24), 0);
	assert_int_equal(inet_addr_del(eth, h_ip("10.0.0.2"), 24, NULL), 0);
	assert_null(find_route(ns, RT_TABLE_LOCAL, "10.0.0.2", 32, RTN_LOCAL));
	assert_int_equal(fib_lookup(ns, h_ip("10.0.0.9"), &res), 0);
	assert_ptr_equal(res.dev, eth);
	assert_int_equal(fib_route_count(ns), 3);
}

static void test_inet_addr_del_primary_deletes_secondaries(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(add(eth, "10.0.0.2", 24), 0);
	assert_int_equal(add(eth, "192.168.1.1", 24), 0);
	assert_int_equal(inet_addr_del(eth, h_ip("10.0.0.1"), 24, NULL), 0);
	assert_non_null(__in_dev_get(eth)->ifa_list);
	assert_int_equal(__in_dev_get(eth)->ifa_list->local, h_ip("192.168.1.1"));
	assert_null(__in_dev_get(eth)->ifa_list->next);
	assert_null(inet_addr_local_dev(ns, h_ip("10.0.0.2")));
	assert_null(find_route(ns, RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST));
	assert_int_equal(fib_route_count(ns), 3);
}

static void test_inet_addr_del_removes_its_routes(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct fib_result res;

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(inet_addr_del(eth, h_ip("10.0.0.1"), 24, NULL), 0);
	assert_null(__in_dev_get(eth)->ifa_list);
	assert_int_equal(fib_route_count(ns), 0);
	assert_int_equal(fib_lookup(ns, h_ip("10.0.0.1"), &res), -ENETUNREACH);
}

static void test_inet_addr_del_flushes_routes_using_it_as_source(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct netdev *eth1 = h_fake_dev(ns, "eth1", NULL);
	struct fib_config c = {
		.table = RT_TABLE_MAIN, .dst = h_ip("172.16.0.0"), .dst_len = 12,
		.type = RTN_UNICAST, .scope = RT_SCOPE_LINK, .protocol = RTPROT_BOOT,
		.oif = eth1->ifindex, .prefsrc = h_ip("10.0.0.1"),
		.nlflags = NLM_F_CREATE | NLM_F_EXCL,
	};
	struct fib_result res;

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	assert_int_equal(inet_addr_del(eth, h_ip("10.0.0.1"), 24, NULL), 0);
	/* fib_sync_down_addr: the `src 10.0.0.1` route went with the address */
	assert_int_equal(fib_lookup(ns, h_ip("172.16.0.1"), &res), -ENETUNREACH);
}

static void test_inet_addr_del_absent_is_eaddrnotavail(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(inet_addr_del(eth, h_ip("10.0.0.2"), 24, NULL), -EADDRNOTAVAIL);
	assert_int_equal(inet_addr_del(eth, h_ip("10.0.0.1"), 16, NULL), -EADDRNOTAVAIL);
	assert_int_equal(fib_route_count(ns), 3);
}

static void test_inet_addr_on_down_device_adds_only_local_route(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	assert_int_equal(dev_close(eth), 0);
	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(fib_route_count(ns), 1);
	assert_non_null(find_route(ns, RT_TABLE_LOCAL, "10.0.0.1", 32, RTN_LOCAL));
	assert_int_equal(dev_open(eth), 0);
	assert_int_equal(fib_route_count(ns), 3);
	assert_non_null(find_route(ns, RT_TABLE_MAIN, "10.0.0.0", 24, RTN_UNICAST));
}

static void test_inet_addr_slash32_has_no_connected_route(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	assert_int_equal(add(eth, "10.0.0.1", 32), 0);
	assert_int_equal(fib_route_count(ns), 1);
	assert_int_equal(add(eth, "10.1.0.1", 31), 0);
	/* a /31 has a prefix route but no broadcast */
	assert_non_null(find_route(ns, RT_TABLE_MAIN, "10.1.0.0", 31, RTN_UNICAST));
	assert_null(find_route(ns, RT_TABLE_LOCAL, "10.1.0.1", 32, RTN_BROADCAST));
}

/* Linux sends nothing when an address is added to an up device (checked
 * on this machine's kernel with tcpdump on a veth peer): a gratuitous
 * ARP comes only with arp_notify, at link up. */
static void test_inet_addr_add_sends_nothing(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	h_tx_flush(eth);
	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(add(eth, "10.0.0.3", 24), 0); /* a secondary */
	h_run();
	assert_int_equal(h_tx_count(eth), 0);
}

/* `ip link set lo mtu 10`: IPv4 leaves the device (Linux's
 * inetdev_valid_mtu): 127.0.0.1 and its routes go, no address is taken
 * (-ENOBUFS, "No buffer space available"); at 68 or more an address can
 * be added again, and lo gets 127.0.0.1 back at its next up. */
static void test_mtu_below_68_takes_ipv4_off_the_device(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *lo = ns->lo;

	assert_int_equal(dev_open(lo), 0);
	assert_non_null(__in_dev_get(lo)->ifa_list);
	assert_int_equal(dev_set_mtu(lo, 10, NULL), 0);
	assert_null(__in_dev_get(lo)->ifa_list);
	assert_null(find_route(ns, RT_TABLE_LOCAL, "127.0.0.1", 32, RTN_LOCAL));
	assert_int_equal(add(lo, "127.0.0.2", 8), -ENOBUFS);
	assert_null(__in_dev_get(lo)->ifa_list);
	/* a second change below 68 changes nothing */
	assert_int_equal(dev_set_mtu(lo, 67, NULL), 0);
	assert_int_equal(dev_set_mtu(lo, 68, NULL), 0);
	assert_null(__in_dev_get(lo)->ifa_list);
	assert_int_equal(dev_close(lo), 0);
	assert_int_equal(dev_open(lo), 0);
	assert_non_null(find_route(ns, RT_TABLE_LOCAL, "127.0.0.1", 32, RTN_LOCAL));
	assert_int_equal(add(lo, "10.0.0.1", 8), 0);
}

static void test_lo_up_gets_127_0_0_1(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *lo = ns->lo;
	const struct fib_route *r;

	assert_non_null(lo);
	assert_int_equal(dev_open(lo), 0);
	assert_non_null(__in_dev_get(lo)->ifa_list);
	assert_int_equal(__in_dev_get(lo)->ifa_list->local, htonl(INADDR_LOOPBACK));
	assert_int_equal(__in_dev_get(lo)->ifa_list->prefixlen, 8);
	assert_int_equal(__in_dev_get(lo)->ifa_list->scope, RT_SCOPE_HOST);
	assert_string_equal(__in_dev_get(lo)->ifa_list->label, "lo");
	/* local 127.0.0.0/8, local 127.0.0.1, broadcast 127.255.255.255 */
	r = find_route(ns, RT_TABLE_LOCAL, "127.0.0.0", 8, RTN_LOCAL);
	assert_non_null(r);
	assert_int_equal(r->cfg.scope, RT_SCOPE_HOST);
	assert_int_equal(r->cfg.prefsrc, htonl(INADDR_LOOPBACK));
	assert_non_null(find_route(ns, RT_TABLE_LOCAL, "127.0.0.1", 32, RTN_LOCAL));
	assert_non_null(find_route(ns, RT_TABLE_LOCAL, "127.255.255.255", 32, RTN_BROADCAST));
	assert_null(find_route(ns, RT_TABLE_MAIN, "127.0.0.0", 8, RTN_UNICAST));
	/* down and up again: still one address */
	assert_int_equal(dev_close(lo), 0);
	assert_int_equal(dev_open(lo), 0);
	assert_null(__in_dev_get(lo)->ifa_list->next);
	assert_int_equal(fib_route_count(ns), 3);
}

static void test_inet_addr_flush_removes_addresses_and_routes(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(add(eth, "10.0.0.2", 24), 0);
	assert_int_equal(add(eth, "10.5.0.1", 16), 0);
	inet_addr_flush(eth);
	assert_null(__in_dev_get(eth)->ifa_list);
	assert_int_equal(fib_route_count(ns), 0);
}

static void test_inet_select_addr_prefers_same_subnet(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);
	struct netdev *eth1 = h_fake_dev(ns, "eth1", NULL);

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_int_equal(add(eth, "192.168.7.1", 24), 0);
	assert_int_equal(add(eth, "192.168.7.2", 24), 0);
	assert_int_equal(inet_select_addr(eth, h_ip("192.168.7.99"), RT_SCOPE_UNIVERSE),
			 h_ip("192.168.7.1"));
	/* no match: the first primary */
	assert_int_equal(inet_select_addr(eth, h_ip("8.8.8.8"), RT_SCOPE_UNIVERSE),
			 h_ip("10.0.0.1"));
	/* a device without addresses borrows another device's */
	assert_int_equal(inet_select_addr(eth1, h_ip("8.8.8.8"), RT_SCOPE_UNIVERSE),
			 h_ip("10.0.0.1"));
}

static void test_inet_select_addr_honours_scope(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	assert_int_equal(inet_addr_add(eth, h_ip("169.254.1.1"), 16, 0, RT_SCOPE_LINK, NULL, NULL),
			 0);
	/* a link-scope address is no source for a universe-scope destination */
	assert_int_equal(inet_select_addr(eth, h_ip("8.8.8.8"), RT_SCOPE_UNIVERSE), 0);
	assert_int_equal(inet_select_addr(eth, h_ip("8.8.8.8"), RT_SCOPE_LINK),
			 h_ip("169.254.1.1"));
}

static void test_inet_addr_local_dev_finds_owner(void **state)
{
	struct netns *ns = h_ns("a");
	struct netdev *eth = h_fake_dev(ns, "eth0", NULL);

	assert_int_equal(add(eth, "10.0.0.1", 24), 0);
	assert_ptr_equal(inet_addr_local_dev(ns, h_ip("10.0.0.1")), eth);
	assert_null(inet_addr_local_dev(ns, h_ip("10.0.0.2")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_inet_addr_add_creates_kernel_routes),
		T(test_inet_addr_add_explicit_broadcast_adds_route),
		T(test_inet_addr_add_duplicate_is_eexist),
		T(test_inet_addr_add_same_address_other_prefix_is_allowed),
		T(test_inet_addr_add_rejects_bad_input),
		T(test_inet_addr_second_in_subnet_is_secondary),
		T(test_inet_addr_del_secondary_keeps_subnet_routes),
		T(test_inet_addr_del_primary_deletes_secondaries),
		T(test_inet_addr_del_removes_its_routes),
		T(test_inet_addr_del_flushes_routes_using_it_as_source),
		T(test_inet_addr_del_absent_is_eaddrnotavail),
		T(test_inet_addr_on_down_device_adds_only_local_route),
		T(test_inet_addr_slash32_has_no_connected_route),
		T(test_inet_addr_add_sends_nothing),
		T(test_lo_up_gets_127_0_0_1),
		T(test_mtu_below_68_takes_ipv4_off_the_device),
		T(test_inet_addr_flush_removes_addresses_and_routes),
		T(test_inet_select_addr_prefers_same_subnet),
		T(test_inet_select_addr_honours_scope),
		T(test_inet_addr_local_dev_finds_owner),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
