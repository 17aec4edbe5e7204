// SPDX-License-Identifier: MIT
/*
 * UDP receive (length, checksum, port unreachable) and the datagram
 * sockets: UDP send/receive, ping sockets receiving their replies and
 * ICMP errors about what they sent, a ping to our own address through
 * `lo`, send errors (no route, DF too big, oversize), bind conflicts and
 * namespace teardown.
 */
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "netns/core/neigh.h"
#include "netns/core/sock.h"

#define MAC_H H_HOST_MAC
#define MAC_P H_PEER_MAC

static struct netns *ns;
static struct netdev *eth0;

/* What the test socket callbacks saw. */
static struct {
	unsigned rcv, err, gone;
	uint8_t data[64];
	unsigned len;
	struct sock_err e;
} seen;

static void cb_rcv(struct sock *sk, struct pkt *p, void *ctx)
{
	(void)sk;
	(void)ctx;
	seen.rcv++;
	seen.len = p->len;
	memcpy(seen.data, p->data, MIN(p->len, sizeof(seen.data)));
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
	seen.gone++;
	sock_close(sk); /* must be harmless inside gone */
}

static const struct sock_ops ops = { .rcv = cb_rcv, .err = cb_err, .gone = cb_gone };

static int setup(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	ns = h_host("h", &eth0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

static void rx_ip(const char *src, uint8_t proto, uint8_t ttl, const void *l4, size_t len)
{
	uint8_t f[1600];
	size_t n = h_eth(f, MAC_H, MAC_P, ETH_P_IP);

	n += h_ipv4(f + n, src, "10.0.0.1", proto, ttl, l4, len);
	h_rx(eth0, f, n);
	h_run();
}

static const struct iphdr *tx_ip(struct pkt *tx)
{
	return (const struct iphdr *)(tx->data + ETH_HLEN);
}

/* An ICMP error from @src quoting the frame @tx we sent. */
static void rx_icmp_error_about(struct pkt *tx, const char *src, uint8_t type, uint8_t code)
{
	uint8_t icmp[8 + 28];
	uint16_t c;

	memset(icmp, 0, sizeof(icmp));
	icmp[0] = type;
	icmp[1] = code;
	memcpy(icmp + 8, tx->data + ETH_HLEN, 28);
	c = ip_compute_csum(icmp, sizeof(icmp));
	memcpy(icmp + 2, &c, 2);
	rx_ip(src, IPPROTO_ICMP, 250, icmp, sizeof(icmp));
}

static void test_udp_closed_port_sends_port_unreach(void **state)
{
	uint8_t udp[64];
	size_t n = h_udp(udp, "10.0.0.2", "10.0.0.1", 4000, 9999, "hello", 5);
	const struct icmphdr *icmph;
	struct pkt *tx;

	(void)state;
	rx_ip("10.0.0.2", IPPROTO_UDP, 64, udp, n);
	assert_drop(ns, NO_SOCKET, 1);
	assert_mib(ns, UdpNoPorts, 1);
	assert_mib(ns, UdpInDatagrams, 0);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	icmph = (const struct icmphdr *)(tx_ip(tx) + 1);
	assert_int_equal(tx_ip(tx)->saddr, h_ip("10.0.0.1"));
	assert_int_equal(icmph->type, ICMP_DEST_UNREACH);
	assert_int_equal(icmph->code, ICMP_PORT_UNREACH);
	pkt_free(tx);
}

static void test_udp_rcv_drops_bad_csum(void **state)
{
	uint8_t udp[64];
	size_t n = h_udp(udp, "10.0.0.2", "10.0.0.1", 4000, 9999, "hello", 5);

	(void)state;
	udp[8] ^= 0x20;
	rx_ip("10.0.0.2", IPPROTO_UDP, 64, udp, n);
	assert_drop(ns, UDP_CSUM, 1);
	assert_mib(ns, UdpInCsumErrors, 1);
	assert_mib(ns, UdpInErrors, 1);
	assert_int_equal(h_tx_count(eth0), 0);
}

static void test_udp_rcv_drops_length_beyond_payload(void **state)
{
	uint8_t udp[64];
	size_t n = h_udp(udp, "10.0.0.2", "10.0.0.1", 4000, 9999, "hello", 5);
	struct udphdr *uh = (struct udphdr *)udp;

	(void)state;
	uh->len = htons(40);
	uh->check = 0;
	rx_ip("10.0.0.2", IPPROTO_UDP, 64, udp, n);
	assert_drop(ns, UDP_INVALID, 1);
	assert_mib(ns, UdpInErrors, 1);
}

static void test_udp_socket_receives_datagram_with_zero_csum(void **state)
{
	uint8_t udp[64];
	size_t n = h_udp(udp, "10.0.0.2", "10.0.0.1", 4000, 7, "hello", 5);
	struct sock *sk = sock_open(ns, IPPROTO_UDP, &ops, NULL);

	(void)state;
	assert_non_null(sk);
	assert_int_equal(sock_bind(sk, 0, 7), 0);
	((struct udphdr *)udp)->check = 0; /* RFC 768: no checksum */
	rx_ip("10.0.0.2", IPPROTO_UDP, 64, udp, n);
	assert_int_equal(seen.rcv, 1);
	assert_int_equal(seen.len, 5);
	assert_memory_equal(seen.data, "hello", 5);
	assert_mib(ns, UdpInDatagrams, 1);
	sock_close(sk);
}

static void test_udp_socket_sendto_builds_checksummed_datagram(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_UDP, &ops, NULL);
	const struct iphdr *iph;
	const struct udphdr *uh;
	struct pkt *tx;

	(void)state;
	assert_non_null(sk);
	assert_true(sock_port(sk) >= 32768 && sock_port(sk) <= 60999);
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 9, "data", 4), 4);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	iph = tx_ip(tx);
	uh = (const struct udphdr *)(iph + 1);
	assert_int_equal(iph->saddr, h_ip("10.0.0.1"));
	assert_int_equal(iph->protocol, IPPROTO_UDP);
	assert_int_equal(ntohs(uh->source), sock_port(sk));
	assert_int_equal(ntohs(uh->dest), 9);
	assert_int_equal(ntohs(uh->len), 12);
	assert_int_equal(csum_fold(csum_tcpudp_nofold(iph->saddr, iph->daddr, 12, IPPROTO_UDP,
						      csum_partial(uh, 12, 0))),
			 0);
	assert_mib(ns, UdpOutDatagrams, 1);
	pkt_free(tx);
	sock_close(sk);
}

static void test_udp_socket_gets_port_unreachable_error(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_UDP, &ops, NULL);
	struct pkt *tx;

	(void)state;
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 33434, "x", 1), 1);
	tx = h_tx_pop(eth0);
	rx_icmp_error_about(tx, "10.0.0.2", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
	pkt_free(tx);
	assert_int_equal(seen.err, 1);
	assert_int_equal(seen.e.type, ICMP_DEST_UNREACH);
	assert_int_equal(seen.e.code, ICMP_PORT_UNREACH);
	assert_int_equal(seen.e.dport, 33434);
	assert_int_equal(seen.e.offender, h_ip("10.0.0.2"));
	sock_close(sk);
}

/* Connected UDP (ip4_datagram_connect): send() goes to the peer, only the
 * peer's datagrams arrive (another source gets port unreachable, as when
 * nobody listens), a port unreachable about what it sent is the next
 * send's ECONNREFUSED, and connecting to AF_UNSPEC (daddr 0) undoes it. */
static void test_udp_connected_socket(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_UDP, &ops, NULL);
	uint8_t dg[8 + 2];
	uint32_t addr;
	uint16_t port, sport;
	struct pkt *tx;
	size_t n;

	(void)state;
	sport = sock_port(sk);
	assert_int_equal(sock_send(sk, "x", 1), -EDESTADDRREQ);
	assert_int_equal(sock_getname(sk, true, &addr, &port), -ENOTCONN);
	assert_int_equal(sock_connect(sk, h_ip("10.9.9.9"), 53), -ENETUNREACH);
	assert_int_equal(sock_connect(sk, h_ip("10.0.0.255"), 53), -EACCES); /* broadcast */
	assert_int_equal(sock_connect(sk, h_ip("10.0.0.2"), 53), 0);
	assert_int_equal(sock_getname(sk, true, &addr, &port), 0);
	assert_int_equal(addr, h_ip("10.0.0.2"));
	assert_int_equal(port, 53);
	assert_int_equal(sock_getname(sk, false, &addr, &port), 0);
	assert_int_equal(addr, h_ip("10.0.0.1")); /* the route's source */
	assert_int_equal(sock_send(sk, "hi", 2), 2);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_ip(tx)->daddr, h_ip("10.0.0.2"));
	assert_int_equal(ntohs(((const struct udphdr *)(tx_ip(tx) + 1))->dest), 53);

	/* the peer answers: delivered; another port of the peer: refused */
	n = h_udp(dg, "10.0.0.2", "10.0.0.1", 53, sport, "ok", 2);
	rx_ip("10.0.0.2", IPPROTO_UDP, 64, dg, n);
	assert_int_equal(seen.rcv, 1);
	n = h_udp(dg, "10.0.0.2", "10.0.0.1", 54, sport, "no", 2);
	rx_ip("10.0.0.2", IPPROTO_UDP, 64, dg, n);
	assert_int_equal(seen.rcv, 1);
	assert_mib(ns, UdpNoPorts, 1);
	h_tx_flush(eth0); /* the port unreachable */

	/* the peer's port unreachable: ECONNREFUSED on the next send only */
	rx_icmp_error_about(tx, "10.0.0.2", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
	pkt_free(tx);
	assert_int_equal(seen.err, 1);
	assert_int_equal(sock_send(sk, "hi", 2), -ECONNREFUSED);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_int_equal(sock_send(sk, "hi", 2), 2);
	h_tx_flush(eth0);

	/* disconnect: no peer, the chosen source forgotten, anyone heard */
	assert_int_equal(sock_connect(sk, 0, 0), 0);
	assert_int_equal(sock_send(sk, "x", 1), -EDESTADDRREQ);
	assert_int_equal(sock_getname(sk, false, &addr, &port), 0);
	assert_int_equal(addr, 0);
	assert_int_equal(port, sport);
	n = h_udp(dg, "10.0.0.2", "10.0.0.1", 54, sport, "ok", 2);
	rx_ip("10.0.0.2", IPPROTO_UDP, 64, dg, n);
	assert_int_equal(seen.rcv, 2);
	sock_close(sk);
}

static void test_ping_socket_receives_reply(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	uint8_t echo[64], reply[64];
	const struct icmphdr *icmph;
	size_t n;
	struct pkt *tx;

	(void)state;
	assert_non_null(sk);
	n = h_icmp_echo(echo, ICMP_ECHO, 0 /* overwritten */, 3, 8);
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 0, echo, (unsigned)n), (int)n);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	icmph = (const struct icmphdr *)(tx_ip(tx) + 1);
	assert_int_equal(ntohs(icmph->un.echo.id), sock_port(sk));
	assert_int_equal(ip_compute_csum(icmph, n), 0);
	assert_mib(ns, IcmpOutEchos, 1);
	pkt_free(tx);

	n = h_icmp_echo(reply, ICMP_ECHOREPLY, sock_port(sk), 3, 8);
	rx_ip("10.0.0.2", IPPROTO_ICMP, 64, reply, n);
	assert_int_equal(seen.rcv, 1);
	assert_int_equal(seen.len, n);
	assert_int_equal(seen.data[0], ICMP_ECHOREPLY);
	sock_close(sk);
}

static void test_ping_socket_gets_ttl_exceeded_error(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	uint8_t echo[64];
	size_t n = h_icmp_echo(echo, ICMP_ECHO, 0, 17, 8);
	struct pkt *tx;

	(void)state;
	sock_set_ttl(sk, 1);
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 0, echo, (unsigned)n), (int)n);
	tx = h_tx_pop(eth0);
	assert_int_equal(tx_ip(tx)->ttl, 1);
	/* a router two hops away answers */
	rx_icmp_error_about(tx, "10.9.9.9", ICMP_TIME_EXCEEDED, ICMP_EXC_TTL);
	pkt_free(tx);
	assert_int_equal(seen.err, 1);
	assert_int_equal(seen.e.type, ICMP_TIME_EXCEEDED);
	assert_int_equal(seen.e.offender, h_ip("10.9.9.9"));
	assert_int_equal(seen.e.daddr, h_ip("10.0.0.2"));
	assert_int_equal(seen.e.dport, 17);
	assert_int_equal(seen.e.ttl, 250);
	assert_mib(ns, IcmpInTimeExcds, 1);
	sock_close(sk);
}

static void test_ping_own_address_through_lo(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_ICMP, &ops, NULL);
	uint8_t echo[64];
	size_t n = h_icmp_echo(echo, ICMP_ECHO, 0, 1, 8);

	(void)state;
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.1"), 0, echo, (unsigned)n), (int)n);
	h_run();
	assert_int_equal(seen.rcv, 1);
	assert_int_equal(seen.data[0], ICMP_ECHOREPLY);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_mib(ns, IcmpInEchos, 1);
	assert_mib(ns, IcmpInEchoReps, 1);
	assert_true(ns->lo->stats.tx_packets >= 2);
	sock_close(sk);
}

static void test_sock_sendto_no_route_is_enetunreach(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_UDP, &ops, NULL);

	(void)state;
	assert_int_equal(sock_sendto(sk, h_ip("192.168.7.7"), 9, "x", 1), -ENETUNREACH);
	assert_mib(ns, IpOutNoRoutes, 1);
	assert_int_equal(h_tx_count(eth0), 0);
	sock_close(sk);
}

static void test_sock_sendto_df_too_big_is_emsgsize(void **state)
{
	static uint8_t big[2000];
	struct sock *sk = sock_open(ns, IPPROTO_UDP, &ops, NULL);

	(void)state;
	sock_set_df(sk, true);
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 9, big, sizeof(big)), -EMSGSIZE);
	assert_drop(ns, IP_FRAG_NEEDED, 1);
	assert_mib(ns, IpFragFails, 1);
	assert_int_equal(h_tx_count(eth0), 0);
	sock_close(sk);
}

static void test_sock_sendto_oversize_datagram_fails(void **state)
{
	static uint8_t huge[65510];
	struct sock *sk = sock_open(ns, IPPROTO_UDP, &ops, NULL);

	(void)state;
	/* 65510 + 8 + 20 > 65535: no IP datagram can carry it */
	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 9, huge, sizeof(huge)), -EMSGSIZE);
	assert_drop(ns, IP_FRAG_FAILS, 1);
	assert_int_equal(h_tx_count(eth0), 0);
	sock_close(sk);
}

static void test_sock_bind_port_in_use(void **state)
{
	struct sock *a = sock_open(ns, IPPROTO_UDP, &ops, NULL);
	struct sock *b = sock_open(ns, IPPROTO_UDP, &ops, NULL);

	(void)state;
	assert_int_equal(sock_bind(a, 0, 53), 0);
	assert_int_equal(sock_bind(b, 0, 53), -EADDRINUSE);
	assert_int_equal(sock_bind(b, h_ip("192.0.2.1"), 54), -EADDRNOTAVAIL);
	assert_int_equal(sock_bind(b, h_ip("10.0.0.1"), 54), 0);
	sock_close(a);
	sock_close(b);
}

static void test_sock_exit_tells_every_socket(void **state)
{
	(void)state;
	assert_non_null(sock_open(ns, IPPROTO_UDP, &ops, NULL));
	assert_non_null(sock_open(ns, IPPROTO_ICMP, &ops, NULL));
	sock_exit(ns);
	assert_int_equal(seen.gone, 2);
	assert_null(ns->socks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_udp_closed_port_sends_port_unreach, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_udp_rcv_drops_bad_csum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_rcv_drops_length_beyond_payload, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_udp_socket_receives_datagram_with_zero_csum,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_socket_sendto_builds_checksummed_datagram,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_socket_gets_port_unreachable_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_udp_connected_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping_socket_receives_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping_socket_gets_ttl_exceeded_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ping_own_address_through_lo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sock_sendto_no_route_is_enetunreach, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sock_sendto_df_too_big_is_emsgsize, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sock_sendto_oversize_datagram_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sock_bind_port_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sock_exit_tells_every_socket, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
