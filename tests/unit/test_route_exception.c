// SPDX-License-Identifier: MIT
/*
 * Route exceptions (netns/ipv4/route_exception.c): path MTUs learned from
 * frag needed (expiry after mtu_expires, min_pmtu clamp and lock, values
 * larger than the route's MTU ignored, `ip route flush cache`), what local
 * senders then do (DO refused with EMSGSIZE, WANT without DF once locked),
 * redirects sent by a router (send_redirects, on-link sender, the
 * kernel's backoff) and accepted by a host (accept_redirects,
 * secure_redirects, shared_media, the gateway check, neighbour probe
 * first), and the table's bound.
 *   host: eth0 10.0.0.1/24, gateway 10.0.0.2 for 10.9.0.0/16
 *   router: eth0 10.0.1.1/24 (A 10.0.1.2, R3 10.0.1.3), eth1 10.0.2.1/24
 */
#include <errno.h>

#include <linux/neighbour.h>
#include <linux/netlink.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/core/neigh.h"
#include "netns/core/sock.h"
#include "netns/core/sysctl.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/route_exception.h"

#define MAC_H H_HOST_MAC
#define MAC_P H_PEER_MAC
#define SEC 1000000000ull
#define MSEC 1000000ull

static struct netns *ns;
static struct netdev *eth0, *eth1;

static struct {
	unsigned err;
	struct sock_err e;
} seen;

static void cb_rcv(struct sock *sk, struct pkt *p, void *ctx)
{
	(void)sk;
	(void)ctx;
	pkt_consume(p);
}

static void cb_err(struct sock *sk, const struct sock_err *e, void *ctx)
{
	(void)sk;
	(void)ctx;
	seen.err++;
	seen.e = *e;
}

static void cb_gone(struct sock *sk, void *ctx)
{
	(void)ctx;
	sock_close(sk);
}

static const struct sock_ops ops = { .rcv = cb_rcv, .err = cb_err, .gone = cb_gone };

static void add_route(struct netns *n, const char *dst, int len, const char *gw,
		      struct netdev *dev)
{
	struct fib_config c = {
		.table = RT_TABLE_MAIN, .dst = h_ip(dst), .dst_len = (uint8_t)len,
		.type = RTN_UNICAST, .scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
		.protocol = RTPROT_BOOT, .gw = gw ? h_ip(gw) : 0, .oif = dev ? dev->ifindex : 0,
		.nlflags = NLM_F_CREATE | NLM_F_EXCL,
	};

	assert_int_equal(fib_route_add(n, &c, NULL), 0);
}

static void set(const char *key, const char *val)
{
	assert_int_equal(sysctl_set(ns, key, val, NULL), 0);
}

static int setup_host(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	ns = h_host("h", &eth0);
	add_route(ns, "10.9.0.0", 16, "10.0.0.2", NULL);
	return 0;
}

static int setup_router(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	h_setup();
	ns = h_router("r", &eth0, &eth1);
	h_neigh(eth0, "10.0.1.3", "02:00:00:00:00:03");
	add_route(ns, "10.9.0.0", 16, "10.0.1.3", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

/*
 * An ICMP error from @from to the host: @type/@code, the 4-byte word
 * @un (network order: the MTU's place or the gateway), quoting our echo
 * request to @qdst with id @id (@qlen bytes of it: 28 whole).
 */
static void rx_icmp_err(const char *from, uint8_t type, uint8_t code, uint32_t un,
			const char *qdst, uint16_t id, size_t qlen)
{
	uint8_t echo[8], quoted[64], icmp[128], f[256];
	struct icmphdr *ih = (struct icmphdr *)icmp;
	size_t n;

	h_icmp_echo(echo, ICMP_ECHO, id, 1, 0);
	n = h_ipv4(quoted, "10.0.0.1", qdst, IPPROTO_ICMP, 64, echo, 8);
	((struct iphdr *)quoted)->frag_off = htons(IP_DF);
	memset(icmp, 0, sizeof(icmp));
	ih->type = type;
	ih->code = code;
	ih->un.gateway = un;
	memcpy(icmp + sizeof(*ih), quoted, qlen < n ? qlen : n);
	n = sizeof(*ih) + (qlen < n ? qlen : n);
	ih->checksum = ip_compute_csum(icmp, n);
	size_t l = h_eth(f, MAC_H, MAC_P, ETH_P_IP);
	l += h_ipv4(f + l, from, "10.0.0.1", IPPROTO_ICMP, 64, icmp, n);
	h_rx(eth0, f, l);
	h_run();
}

static void rx_frag_needed(struct sock *sk, uint16_t mtu)
{
	rx_icmp_err("10.0.0.2", ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu), "10.9.0.5",
		    sock_port(sk), 28);
}

static void rx_redirect(struct sock *sk, const char *from, int code, const char *gw)
{
	rx_icmp_err(from, ICMP_REDIRECT, (uint8_t)code, h_ip(gw), "10.9.0.5", sock_port(sk), 28);
}

static struct rtable route_to(const char *dst)
{
	struct rtable rt;

	assert_int_equal(ip_route_output(ns, h_ip(dst), 0, 0, &rt), 0);
	return rt;
}

/* Send an echo of @len bytes of data; sock_sendto's value. */
static int send_echo(struct sock *sk, const char *dst, unsigned len)
{
	static uint8_t buf[2048];
	size_t n = h_icmp_echo(buf, ICMP_ECHO, 0, 1, len);

	return sock_sendto(sk, h_ip(dst), 0, buf, (unsigned)n);
}

/* ---- path MTU ---- */

static void test_fnhe_frag_needed_learns_pmtu(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	struct rtable rt;

	(void)state;
	assert_int_equal(route_to("10.9.0.5").mtu, 1500);
	rx_frag_needed(sk, 1400);
	assert_int_equal(seen.err, 1);
	assert_int_equal(seen.e.info, 1400);
	rt = route_to("10.9.0.5");
	assert_int_equal(rt.mtu, 1400);
	assert_int_equal(rt.pmtu, 1400);
	assert_int_equal(rt.expires, h_now() + 600 * SEC);
	/* only that destination */
	assert_int_equal(route_to("10.9.0.6").mtu, 1500);
	/* DO: 1472 bytes of data (1500) is refused, 1372 (1400) goes */
	sock_set_df(sk, true);
	assert_int_equal(send_echo(sk, "10.9.0.5", 1472), -EMSGSIZE);
	assert_true(send_echo(sk, "10.9.0.5", 1372) > 0);
	h_tx_flush(eth0);
	sock_close(sk);
}

static void test_fnhe_want_fragments_above_pmtu_with_df_below(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	struct pkt *tx;

	(void)state;
	/* WANT (the default): DF while it fits */
	assert_true(send_echo(sk, "10.9.0.5", 1472) > 0);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_true(((const struct iphdr *)(tx->data + ETH_HLEN))->frag_off & htons(IP_DF));
	pkt_free(tx);
	rx_frag_needed(sk, 1400);
	/* now fragmented locally, without DF */
	assert_true(send_echo(sk, "10.9.0.5", 1472) > 0);
	assert_int_equal(h_tx_count(eth0), 2);
	tx = h_tx_pop(eth0);
	assert_int_equal(((const struct iphdr *)(tx->data + ETH_HLEN))->frag_off, htons(IP_MF));
	/* 20 + a multiple of 8 that fits 1400 */
	assert_int_equal(tx->len, ETH_HLEN + 20 + ((1400 - 20) & ~7u));
	pkt_free(tx);
	h_tx_flush(eth0);
	assert_mib(ns, IpFragOKs, 1);
	sock_close(sk);
}

static void test_fnhe_pmtu_expires_after_mtu_expires(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);

	(void)state;
	rx_frag_needed(sk, 1400);
	h_advance(599 * SEC);
	assert_int_equal(route_to("10.9.0.5").mtu, 1400);
	h_advance(1 * SEC);
	assert_int_equal(route_to("10.9.0.5").mtu, 1500);
	assert_int_equal(route_to("10.9.0.5").expires, 0);
	assert_int_equal(fnhe_count(ns), 0);
	/* a shorter life */
	set("net.ipv4.route.mtu_expires", "10");
	rx_frag_needed(sk, 1300);
	assert_int_equal(route_to("10.9.0.5").expires, h_now() + 10 * SEC);
	h_advance(10 * SEC);
	assert_int_equal(route_to("10.9.0.5").mtu, 1500);
	sock_close(sk);
}

static void test_fnhe_below_min_pmtu_is_clamped_and_locked(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	struct rtable rt;
	struct pkt *tx;

	(void)state;
	/* mtu 0 and anything below 552 give 552, locked */
	rx_frag_needed(sk, 0);
	rt = route_to("10.9.0.5");
	assert_int_equal(rt.mtu, 552);
	assert_true(rt.flags & RTCF_MTU_LOCKED);
	/* a locked MTU takes no more updates */
	rx_frag_needed(sk, 1000);
	assert_int_equal(route_to("10.9.0.5").mtu, 552);
	/* and WANT sends without DF (ip_dont_fragment) */
	assert_true(send_echo(sk, "10.9.0.5", 100) > 0);
	tx = h_tx_pop(eth0);
	assert_int_equal(((const struct iphdr *)(tx->data + ETH_HLEN))->frag_off, 0);
	pkt_free(tx);
	/* a bigger min_pmtu clamps to it */
	set("net.ipv4.route.flush", "1");
	set("net.ipv4.route.min_pmtu", "1000");
	rx_frag_needed(sk, 900);
	assert_int_equal(route_to("10.9.0.5").mtu, 1000);
	assert_true(route_to("10.9.0.5").flags & RTCF_MTU_LOCKED);
	/* min_pmtu below 68 is refused */
	assert_int_equal(sysctl_set(ns, "net.ipv4.route.min_pmtu", "67", NULL), -EINVAL);
	sock_close(sk);
}

static void test_fnhe_bigger_than_route_mtu_is_ignored(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);

	(void)state;
	rx_frag_needed(sk, 1600);
	assert_int_equal(fnhe_count(ns), 0);
	assert_int_equal(route_to("10.9.0.5").pmtu, 0);
	/* the route's own MTU is not bigger: kept, as the kernel */
	rx_frag_needed(sk, 1500);
	assert_int_equal(route_to("10.9.0.5").pmtu, 1500);
	/* a lower one replaces it, a higher one does not */
	rx_frag_needed(sk, 1200);
	rx_frag_needed(sk, 1300);
	assert_int_equal(route_to("10.9.0.5").mtu, 1200);
	/* the socket still hears of every one */
	assert_int_equal(seen.err, 4);
	sock_close(sk);
}

static void test_fnhe_dont_socket_learns_but_is_not_told(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);

	(void)state;
	sock_set_df(sk, false);
	rx_frag_needed(sk, 1400);
	assert_int_equal(seen.err, 0);
	assert_int_equal(route_to("10.9.0.5").mtu, 1400);
	sock_close(sk);
}

static void test_fnhe_no_pmtu_disc_2_ignores_frag_needed(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);

	(void)state;
	set("net.ipv4.ip_no_pmtu_disc", "2");
	rx_frag_needed(sk, 1400);
	assert_int_equal(seen.err, 0);
	assert_int_equal(fnhe_count(ns), 0);
	assert_mib(ns, IcmpInDestUnreachs, 1);
	sock_close(sk);
}

static void test_fnhe_flush_cache_forgets(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	char buf[16];

	(void)state;
	rx_frag_needed(sk, 1400);
	assert_int_equal(route_to("10.9.0.5").mtu, 1400);
	/* any value flushes; the key cannot be read */
	set("net.ipv4.route.flush", "abc");
	assert_int_equal(route_to("10.9.0.5").mtu, 1500);
	assert_int_equal(sysctl_get(ns, "net.ipv4.route.flush", buf, sizeof(buf)), -EACCES);
	/* learning again works */
	rx_frag_needed(sk, 1300);
	assert_int_equal(route_to("10.9.0.5").mtu, 1300);
	sock_close(sk);
}

static void test_fnhe_belongs_to_its_next_hop(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	struct fib_config del = { .table = RT_TABLE_MAIN, .dst = h_ip("10.9.0.0"), .dst_len = 16,
				  .scope = RT_SCOPE_NOWHERE };

	(void)state;
	rx_frag_needed(sk, 1400);
	assert_int_equal(fib_route_del(ns, &del, NULL), 0);
	h_neigh(eth0, "10.0.0.3", "02:00:00:00:00:03");
	add_route(ns, "10.9.0.0", 16, "10.0.0.3", NULL);
	/* through another gateway the learned MTU does not apply */
	assert_int_equal(route_to("10.9.0.5").mtu, 1500);
	sock_close(sk);
}

static void test_fnhe_follows_device_mtu_and_down(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);

	(void)state;
	rx_frag_needed(sk, 1400);
	/* fib_sync_mtu: a smaller device MTU lowers the learned one */
	assert_int_equal(dev_set_mtu(eth0, 1300, NULL), 0);
	assert_int_equal(route_to("10.9.0.5").mtu, 1300);
	assert_int_equal(route_to("10.9.0.5").pmtu, 1300);
	/* the device going down deletes its routes and their exceptions */
	assert_int_equal(dev_close(eth0), 0);
	assert_int_equal(fnhe_count(ns), 0);
	sock_close(sk);
}

/* A route with its own MTU (`mtu N`, `mtu lock N`). */
static void set_route_mtu(uint32_t mtu, bool lock)
{
	struct fib_config c = {
		.table = RT_TABLE_MAIN, .dst = h_ip("10.9.0.0"), .dst_len = 16,
		.type = RTN_UNICAST, .scope = RT_SCOPE_UNIVERSE, .protocol = RTPROT_BOOT,
		.gw = h_ip("10.0.0.2"), .mtu = mtu, .mtu_lock = lock,
		.nlflags = NLM_F_CREATE | NLM_F_REPLACE,
	};

	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
}

static void test_fnhe_route_mtu_metric_and_lock(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	struct pkt *tx;

	(void)state;
	set_route_mtu(1300, false);
	assert_int_equal(route_to("10.9.0.5").mtu, 1300);
	/* above the route's MTU: ignored; below: learned */
	rx_frag_needed(sk, 1400);
	assert_int_equal(fnhe_count(ns), 0);
	rx_frag_needed(sk, 1200);
	assert_int_equal(route_to("10.9.0.5").mtu, 1200);
	/* `mtu lock`: nothing is learned, WANT sends without DF */
	set("net.ipv4.route.flush", "1");
	set_route_mtu(1300, true);
	rx_frag_needed(sk, 1000);
	assert_int_equal(route_to("10.9.0.5").mtu, 1300);
	assert_true(send_echo(sk, "10.9.0.5", 100) > 0);
	tx = h_tx_pop(eth0);
	assert_int_equal(((const struct iphdr *)(tx->data + ETH_HLEN))->frag_off, 0);
	pkt_free(tx);
	sock_close(sk);
}

static void test_fnhe_table_is_bounded(void **state)
{
	const unsigned bound = FNHE_HASH_SIZE * FNHE_RECLAIM_DEPTH;
	uint32_t last = 0;
	struct fnhe_view v;

	(void)state;
	for (unsigned i = 0; i < 2 * bound; i++) {
		last = htonl(0x0a800000u + i);
		assert_int_equal(fnhe_update(ns, last, eth0->ifindex, h_ip("10.0.0.2"), 0, 1400, false,
					     h_now() + 600 * SEC),
				 0);
	}
	assert_true(fnhe_count(ns) <= bound);
	assert_true(fnhe_count(ns) >= bound * 9 / 10);
	/* the newest is kept, the very first made room */
	assert_true(fnhe_lookup(ns, last, eth0->ifindex, h_ip("10.0.0.2"), &v));
	assert_int_equal(v.pmtu, 1400);
	assert_false(fnhe_lookup(ns, htonl(0x0a800000u), eth0->ifindex, h_ip("10.0.0.2"), &v));
}

/* ---- redirects accepted by a host ---- */

static void test_redirect_accepted_from_gateway(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	struct rtable rt;

	(void)state;
	h_neigh(eth0, "10.0.0.3", "02:00:00:00:00:03");
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "10.0.0.3");
	assert_mib(ns, IcmpInRedirects, 1);
	assert_mib(ns, IcmpInMsgs, 1);
	/* ping hears of it (EREMOTEIO in the kernel) */
	assert_int_equal(seen.err, 1);
	assert_int_equal(seen.e.type, ICMP_REDIRECT);
	rt = route_to("10.9.0.5");
	assert_int_equal(rt.nexthop, h_ip("10.0.0.3"));
	assert_true(rt.flags & RTCF_REDIRECTED);
	assert_int_equal(rt.expires, h_now() + 300 * SEC);
	/* only that host, and it expires after ip_rt_gc_timeout */
	assert_int_equal(route_to("10.9.0.6").nexthop, h_ip("10.0.0.2"));
	h_advance(300 * SEC);
	assert_int_equal(route_to("10.9.0.5").nexthop, h_ip("10.0.0.2"));
	sock_close(sk);
}

static void test_redirect_to_unresolved_gateway_probes_first(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	struct pkt *tx;

	(void)state;
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "10.0.0.3");
	assert_int_equal(route_to("10.9.0.5").nexthop, h_ip("10.0.0.2"));
	/* an ARP request for the new gateway went out */
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(ntohs(((const struct ethhdr *)tx->data)->h_proto), ETH_P_ARP);
	pkt_free(tx);
	h_tx_flush(eth0);
	/* once it answers, the next redirect is taken */
	h_neigh(eth0, "10.0.0.3", "02:00:00:00:00:03");
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "10.0.0.3");
	assert_int_equal(route_to("10.9.0.5").nexthop, h_ip("10.0.0.3"));
	sock_close(sk);
}

static void test_redirect_rejected_cases(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);

	(void)state;
	h_neigh(eth0, "10.0.0.3", "02:00:00:00:00:03");
	h_neigh(eth0, "10.0.0.7", "02:00:00:00:00:07");
	/* not from the route's gateway */
	rx_redirect(sk, "10.0.0.7", ICMP_REDIR_HOST, "10.0.0.3");
	/* to ourselves, to a broadcast, to zero, to the sender itself */
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "10.0.0.1");
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "255.255.255.255");
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "0.0.0.0");
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "10.0.0.2");
	/* a code that is not net/host(/tos) */
	rx_redirect(sk, "10.0.0.2", 4, "10.0.0.3");
	assert_int_equal(fnhe_count(ns), 0);
	assert_mib(ns, IcmpInRedirects, 6);
	/* accept_redirects off (all and device: OR when not forwarding) */
	set("net.ipv4.conf.all.accept_redirects", "0");
	set("net.ipv4.conf.eth0.accept_redirects", "0");
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "10.0.0.3");
	assert_int_equal(route_to("10.9.0.5").nexthop, h_ip("10.0.0.2"));
	assert_int_equal(fnhe_count(ns), 0);
	sock_close(sk);
}

static void test_redirect_without_shared_media_needs_onlink_known_gateway(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);

	(void)state;
	h_neigh(eth0, "10.0.0.3", "02:00:00:00:00:03");
	h_neigh(eth0, "10.5.0.1", "02:00:00:00:00:05");
	set("net.ipv4.conf.all.shared_media", "0");
	set("net.ipv4.conf.eth0.shared_media", "0");
	/* off-link new gateway */
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "10.5.0.1");
	assert_int_equal(fnhe_count(ns), 0);
	/* secure_redirects: 10.0.0.3 is no route's gateway yet */
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "10.0.0.3");
	assert_int_equal(fnhe_count(ns), 0);
	add_route(ns, "10.8.0.0", 16, "10.0.0.3", NULL);
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_HOST, "10.0.0.3");
	assert_int_equal(route_to("10.9.0.5").nexthop, h_ip("10.0.0.3"));
	sock_close(sk);
}

static void test_redirect_with_shared_media_takes_offlink_unicast(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);

	(void)state;
	h_neigh(eth0, "10.5.0.1", "02:00:00:00:00:05");
	rx_redirect(sk, "10.0.0.2", ICMP_REDIR_NET, "10.5.0.1");
	assert_int_equal(route_to("10.9.0.5").nexthop, h_ip("10.5.0.1"));
	sock_close(sk);
}

static void test_redirect_truncated_counts_in_errors(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);

	(void)state;
	h_neigh(eth0, "10.0.0.3", "02:00:00:00:00:03");
	rx_icmp_err("10.0.0.2", ICMP_REDIRECT, ICMP_REDIR_HOST, h_ip("10.0.0.3"), "10.9.0.5",
		    sock_port(sk), 24);
	assert_mib(ns, IcmpInErrors, 1);
	assert_drop(ns, ICMP_INVALID, 1);
	assert_int_equal(fnhe_count(ns), 0);
	sock_close(sk);
}

/* ---- redirects sent by a router ---- */

/* A datagram from @src (on eth0, from A's MAC) to @dst. */
static void rx_fwd(const char *src, const char *dst)
{
	uint8_t f[256], payload[32] = { 0 };
	size_t l = h_eth(f, H_R0_MAC, H_A_MAC, ETH_P_IP);

	l += h_ipv4(f + l, src, dst, IPPROTO_UDP, 64, payload, sizeof(payload));
	h_rx(eth0, f, l);
	h_run();
}

/* Pop everything eth0 sent; how many were redirects (checked). */
static unsigned pop_redirects(void)
{
	unsigned n = 0;
	struct pkt *tx;

	while ((tx = h_tx_pop(eth0))) {
		const struct iphdr *iph = (const struct iphdr *)(tx->data + ETH_HLEN);
		const struct icmphdr *ih = (const struct icmphdr *)(iph + 1);

		if (iph->protocol == IPPROTO_ICMP && ih->type == ICMP_REDIRECT) {
			assert_int_equal(ih->code, ICMP_REDIR_HOST);
			assert_int_equal(ih->un.gateway, h_ip("10.0.1.3"));
			assert_int_equal(iph->saddr, h_ip("10.0.1.1"));
			assert_int_equal(iph->daddr, h_ip("10.0.1.2"));
			n++;
		}
		pkt_free(tx);
	}
	return n;
}

static void test_router_sends_redirect_and_forwards(void **state)
{
	(void)state;
	rx_fwd("10.0.1.2", "10.9.0.1");
	assert_int_equal(h_tx_count(eth0), 2);
	assert_int_equal(pop_redirects(), 1);
	assert_mib(ns, IcmpOutRedirects, 1);
	assert_mib(ns, IcmpOutMsgs, 1);
	assert_mib(ns, IpForwDatagrams, 1);
}

static void test_router_no_redirect_when_off_or_sender_offlink(void **state)
{
	(void)state;
	/* a sender behind a gateway is not told */
	add_route(ns, "10.7.0.0", 16, "10.0.1.3", NULL);
	rx_fwd("10.7.0.1", "10.9.0.1");
	assert_int_equal(pop_redirects(), 0);
	/* send_redirects is all || dev */
	set("net.ipv4.conf.all.send_redirects", "0");
	rx_fwd("10.0.1.2", "10.9.0.1");
	assert_int_equal(pop_redirects(), 1);
	h_advance(30 * SEC);
	set("net.ipv4.conf.eth0.send_redirects", "0");
	rx_fwd("10.0.1.2", "10.9.0.1");
	assert_int_equal(pop_redirects(), 0);
	assert_mib(ns, IcmpOutRedirects, 1);
	assert_mib(ns, IpForwDatagrams, 3);
}

static void test_router_redirects_back_off(void **state)
{
	unsigned i;

	(void)state;
	/* the first at once; the n-th only 20 ms << (n-1) after the last */
	rx_fwd("10.0.1.2", "10.9.0.1");
	rx_fwd("10.0.1.2", "10.9.0.1");
	assert_int_equal(pop_redirects(), 1);
	h_advance(40 * MSEC);
	rx_fwd("10.0.1.2", "10.9.0.1");
	assert_int_equal(pop_redirects(), 0);
	h_advance(1 * MSEC);
	rx_fwd("10.0.1.2", "10.9.0.1");
	assert_int_equal(pop_redirects(), 1);
	for (i = 2; i < 9; i++) {
		h_advance((20 * MSEC << i) + 1);
		rx_fwd("10.0.1.2", "10.9.0.1");
		assert_int_equal(pop_redirects(), 1);
	}
	/* nine ignored: silence, while the host keeps sending */
	for (i = 0; i < 10; i++) {
		h_advance(10 * SEC);
		rx_fwd("10.0.1.2", "10.9.0.1");
		assert_int_equal(pop_redirects(), 0);
	}
	assert_mib(ns, IcmpOutRedirects, 9);
	/* redirect_silence (20.48 s) without traffic starts again */
	h_advance(20480 * MSEC + 1);
	rx_fwd("10.0.1.2", "10.9.0.1");
	assert_int_equal(pop_redirects(), 1);
	/* another host has its own count */
	h_neigh(eth0, "10.0.1.4", "02:00:00:00:00:04");
	rx_fwd("10.0.1.4", "10.9.0.1");
	assert_int_equal(h_tx_count(eth0), 2);
	h_tx_flush(eth0);
	assert_mib(ns, IcmpOutRedirects, 11);
}

static void test_router_frag_needed_carries_route_mtu(void **state)
{
	struct fib_config c = {
		.table = RT_TABLE_MAIN, .dst = h_ip("10.8.0.0"), .dst_len = 16,
		.type = RTN_UNICAST, .scope = RT_SCOPE_UNIVERSE, .protocol = RTPROT_BOOT,
		.gw = h_ip("10.0.2.2"), .mtu = 1000, .nlflags = NLM_F_CREATE | NLM_F_EXCL,
	};
	uint8_t f[1600], payload[1200] = { 0 };
	size_t l = h_eth(f, H_R0_MAC, H_A_MAC, ETH_P_IP);
	struct iphdr *iph = (struct iphdr *)(f + l);
	const struct icmphdr *ih;
	struct pkt *tx;

	(void)state;
	assert_int_equal(fib_route_add(ns, &c, NULL), 0);
	l += h_ipv4(f + l, "10.0.1.2", "10.8.0.1", IPPROTO_UDP, 64, payload, sizeof(payload));
	iph->frag_off = htons(IP_DF);
	iph->check = 0;
	iph->check = ip_fast_csum(iph, 5);
	h_rx(eth0, f, l);
	h_run();
	/* the route's MTU, not eth1's 1500 */
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	ih = (const struct icmphdr *)(tx->data + ETH_HLEN + 20);
	assert_int_equal(ih->type, ICMP_DEST_UNREACH);
	assert_int_equal(ih->code, ICMP_FRAG_NEEDED);
	assert_int_equal(ntohs(ih->un.frag.mtu), 1000);
	pkt_free(tx);
	assert_int_equal(h_tx_count(eth1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define H(f) cmocka_unit_test_setup_teardown(f, setup_host, teardown)
#define R(f) cmocka_unit_test_setup_teardown(f, setup_router, teardown)
		H(test_fnhe_frag_needed_learns_pmtu),
		H(test_fnhe_want_fragments_above_pmtu_with_df_below),
		H(test_fnhe_pmtu_expires_after_mtu_expires),
		H(test_fnhe_below_min_pmtu_is_clamped_and_locked),
		H(test_fnhe_bigger_than_route_mtu_is_ignored),
		H(test_fnhe_dont_socket_learns_but_is_not_told),
		H(test_fnhe_no_pmtu_disc_2_ignores_frag_needed),
		H(test_fnhe_flush_cache_forgets),
		H(test_fnhe_belongs_to_its_next_hop),
		H(test_fnhe_follows_device_mtu_and_down),
		H(test_fnhe_route_mtu_metric_and_lock),
		H(test_fnhe_table_is_bounded),
		H(test_redirect_accepted_from_gateway),
		H(test_redirect_to_unresolved_gateway_probes_first),
		H(test_redirect_rejected_cases),
		H(test_redirect_without_shared_media_needs_onlink_known_gateway),
		H(test_redirect_with_shared_media_takes_offlink_unicast),
		H(test_redirect_truncated_counts_in_errors),
		R(test_router_sends_redirect_and_forwards),
		R(test_router_no_redirect_when_off_or_sender_offlink),
		R(test_router_redirects_back_off),
		R(test_router_frag_needed_carries_route_mtu),
#undef H
#undef R
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
