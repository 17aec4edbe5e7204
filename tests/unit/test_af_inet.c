// SPDX-License-Identifier: MIT
/*
 * The AF_INET registrations: inet_create's choice of protocol and its
 * errnos, and a protocol added the way a new one is (a struct proto, a
 * net_protocol given to inet_add_protocol, an inetsw row): its sockets
 * are created, bound and sent from through the socket layer, its
 * datagrams reach its handler, ICMP errors quoting them reach its
 * err_handler and then the socket, and without the registration the
 * protocol is unknown again.
 */
#include <errno.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/core/sock.h"
#include "netns/ipv4/af_inet.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/udp.h"

#define MAC_H H_HOST_MAC
#define MAC_P H_PEER_MAC
#define IPPROTO_FAKE 253 /* RFC 3692 experimentation */

static struct netns *ns;
static struct netdev *eth0;

/* The fake protocol's header: the socket's id and the destination's. */
struct fakehdr {
	uint16_t source, dest;
};

/* A protocol's own sock, bigger than struct sock (proto.obj_size). */
struct fake_sock {
	struct sock sk;
	uint32_t magic;
};

/* What the fake protocol and the application callbacks saw. */
static struct {
	unsigned init, close, handler, err_handler, connect, disconnect;
	uint32_t err_info;
	unsigned rcv, err, gone;
	uint8_t data[64];
	unsigned len;
	struct sock_err e;
} seen;

static int fake_init(struct sock *sk)
{
	seen.init++;
	((struct fake_sock *)sk)->magic = 0xfa4e;
	return 0;
}

static void fake_close(struct sock *sk)
{
	seen.close++;
	sk->prot->unhash(sk);
}

static int fake_connect(struct sock *sk, uint32_t daddr, uint16_t dport)
{
	seen.connect++;
	return 0;
}

static int fake_disconnect(struct sock *sk)
{
	seen.disconnect++;
	return 0;
}

static int fake_get_port(struct sock *sk, uint16_t port)
{
	return sock_get_port(sk, port, 1000, 1999);
}

static int fake_sendmsg(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data,
			unsigned len)
{
	struct ip_send_args args;
	struct fakehdr *fh;
	struct pkt *p;
	int err;

	err = inet_dgram_alloc(sk, daddr, sizeof(*fh), data, len, &args, &p);
	if (err < 0)
		return err;
	fh = (struct fakehdr *)p->data;
	fh->source = htons(sk->num);
	fh->dest = htons(dport);
	err = ip_send(sk->ns, p, &args);
	return err < 0 ? err : (int)len;
}

static struct proto fake_prot = {
	.name = "FAKE",
	.obj_size = sizeof(struct fake_sock),
	.init = fake_init,
	.close = fake_close,
	.connect = fake_connect,
	.disconnect = fake_disconnect,
	.sendmsg = fake_sendmsg,
	.get_port = fake_get_port,
	.hash = sock_hash,
	.unhash = sock_unhash,
};

/* Handler: the socket whose id is the destination; else dropped. */
static void fake_rcv(struct pkt *p)
{
	const struct fakehdr *fh = (const struct fakehdr *)p->data;
	struct sock *sk;

	seen.handler++;
	sk = sock_lookup(p->ns, &fake_prot, ntohs(fh->dest));
	pkt_pull(p, sizeof(*fh));
	if (!sk || !sock_queue_rcv(sk, p))
		pkt_consume(p);
}

/* err_handler: the socket whose id is the quoted source. */
static void fake_err(struct pkt *p, uint32_t info)
{
	const struct iphdr *iph = (const struct iphdr *)p->data;
	const struct fakehdr *q = (const struct fakehdr *)(p->data + iph->ihl * 4u);
	struct sock *sk = sock_lookup(p->ns, &fake_prot, ntohs(q->source));

	seen.err_handler++;
	seen.err_info = info;
	if (sk)
		ip_icmp_error(sk, p, info, ntohs(q->dest));
}

static const struct net_protocol fake_protocol = {
	.handler = fake_rcv,
	.err_handler = fake_err,
};

static struct inet_protosw fake_protosw = {
	.type = SOCK_DGRAM,
	.protocol = IPPROTO_FAKE,
	.prot = &fake_prot,
	.ops = &inet_dgram_ops,
};

static void cb_rcv(struct sock *sk, struct pkt *p, void *ctx)
{
	seen.rcv++;
	seen.len = p->len;
	memcpy(seen.data, p->data, MIN(p->len, sizeof(seen.data)));
	pkt_consume(p);
}

static void cb_err(struct sock *sk, const struct sock_err *e, void *ctx)
{
	seen.err++;
	seen.e = *e;
}

static void cb_gone(struct sock *sk, void *ctx)
{
	seen.gone++;
}

static const struct sock_ops ops = { .rcv = cb_rcv, .err = cb_err, .gone = cb_gone };

static void fake_register(void)
{
	assert_int_equal(proto_register(&fake_prot), 0);
	assert_int_equal(inet_add_protocol(&fake_protocol, IPPROTO_FAKE), 0);
	assert_int_equal(inet_register_protosw(&fake_protosw), 0);
}

static void fake_unregister(void)
{
	inet_del_protocol(&fake_protocol, IPPROTO_FAKE);
	inet_unregister_protosw(&fake_protosw);
}

static int setup(void **state)
{
	memset(&seen, 0, sizeof(seen));
	ns = h_host("h", &eth0);
	return 0;
}

static int setup_fake(void **state)
{
	setup(state);
	fake_register();
	return 0;
}

static int teardown(void **state)
{
	h_teardown();
	fake_unregister();
	return 0;
}

static void rx_ip(uint8_t proto, const void *l4, size_t len)
{
	uint8_t f[1600];
	size_t n = h_eth(f, MAC_H, MAC_P, ETH_P_IP);

	n += h_ipv4(f + n, "10.0.0.2", "10.0.0.1", proto, 64, l4, len);
	h_rx(eth0, f, n);
	h_run();
}

/* A datagram of the fake protocol from 10.0.0.2 to our @dport. */
static void rx_fake(uint16_t dport, const char *payload)
{
	uint8_t l4[64];
	struct fakehdr fh = { .source = htons(7), .dest = htons(dport) };
	size_t n = strlen(payload);

	memcpy(l4, &fh, sizeof(fh));
	memcpy(l4 + sizeof(fh), payload, n);
	rx_ip(IPPROTO_FAKE, l4, sizeof(fh) + n);
}

static int create(int family, int type, int protocol, struct sock **sk)
{
	return sock_create(ns, family, type, protocol, &ops, NULL, sk);
}

static void test_inet_create_errnos_as_linux(void **state)
{
	struct sock *sk;

	assert_int_equal(create(AF_INET, SOCK_DGRAM, IPPROTO_FAKE, &sk), -EPROTONOSUPPORT);
	assert_null(sk);
	assert_int_equal(create(AF_INET, SOCK_DGRAM, IPPROTO_TCP, &sk), -EPROTONOSUPPORT);
	/* SOCK_STREAM is TCP's: protocol 0 takes it, UDP is not one of it */
	assert_int_equal(create(AF_INET, SOCK_STREAM, 0, &sk), 0);
	assert_int_equal(sk->protocol, IPPROTO_TCP);
	sock_close(sk);
	assert_int_equal(create(AF_INET, SOCK_STREAM, IPPROTO_UDP, &sk), -EPROTONOSUPPORT);
	assert_int_equal(create(AF_INET, SOCK_RAW, IPPROTO_ICMP, &sk), -ESOCKTNOSUPPORT);
	assert_int_equal(create(AF_INET, SOCK_MAX, 0, &sk), -EINVAL);
	assert_int_equal(create(AF_INET, -1, 0, &sk), -EINVAL);
	assert_int_equal(create(AF_INET, SOCK_DGRAM, IPPROTO_MAX, &sk), -EINVAL);
	assert_int_equal(create(AF_INET6, SOCK_DGRAM, 0, &sk), -EAFNOSUPPORT);
	assert_int_equal(create(-1, SOCK_DGRAM, 0, &sk), -EAFNOSUPPORT);
	/* sock_open names its protocol: no default */
	assert_null(sock_open(ns, 0, &ops, NULL));
	assert_null(sock_open(ns, IPPROTO_FAKE, &ops, NULL));
}

static void test_inet_create_dgram_default_is_udp(void **state)
{
	struct sock *sk, *ping;

	assert_int_equal(create(AF_INET, SOCK_DGRAM, 0, &sk), 0);
	assert_ptr_equal(sk->prot, &udp_prot);
	assert_int_equal(sk->protocol, IPPROTO_UDP);
	assert_true(sock_port(sk) >= 32768 && sock_port(sk) <= 60999);
	assert_int_equal(create(AF_INET, SOCK_DGRAM, IPPROTO_ICMP, &ping), 0);
	assert_int_equal(ping->protocol, IPPROTO_ICMP);
	assert_int_equal(sock_port(ping), 1);
	/* UDP connects (test_udp_socket has the rest); ping has no connect */
	assert_int_equal(sock_connect(sk, h_ip("10.0.0.2"), 9), 0);
	assert_int_equal(sock_connect(ping, h_ip("10.0.0.2"), 9), -EOPNOTSUPP);
	sock_close(sk);
	sock_close(ping);
}

static void test_registrations_refuse_a_second_owner(void **state)
{
	static const struct net_protocol other = { .handler = fake_rcv };
	static struct inet_protosw other_sw = {
		.type = SOCK_DGRAM, .protocol = IPPROTO_UDP, .prot = &fake_prot,
		.ops = &inet_dgram_ops,
	};

	assert_int_equal(inet_add_protocol(&other, IPPROTO_UDP), -EEXIST);
	assert_int_equal(inet_del_protocol(&other, IPPROTO_UDP), -ENOENT);
	assert_int_equal(inet_register_protosw(&other_sw), -EEXIST);
	other_sw.type = SOCK_MAX;
	assert_int_equal(inet_register_protosw(&other_sw), -EINVAL);
	/* the same registration twice is harmless */
	assert_int_equal(inet_add_protocol(&fake_protocol, IPPROTO_FAKE), 0);
	assert_int_equal(inet_register_protosw(&fake_protosw), 0);
}

static void test_fake_protocol_socket_is_created(void **state)
{
	struct sock *a, *b;

	assert_int_equal(create(AF_INET, SOCK_DGRAM, IPPROTO_FAKE, &a), 0);
	assert_ptr_equal(a->prot, &fake_prot);
	assert_ptr_equal(a->ops, &inet_dgram_ops);
	assert_int_equal(((struct fake_sock *)a)->magic, 0xfa4e);
	assert_int_equal(seen.init, 1);
	assert_int_equal(sock_port(a), 1000);
	b = sock_open(ns, IPPROTO_FAKE, &ops, NULL);
	assert_non_null(b);
	assert_int_equal(sock_port(b), 1001);
	assert_int_equal(sock_bind(b, 0, 1000), -EADDRINUSE);
	assert_int_equal(sock_bind(b, h_ip("192.0.2.1"), 1500), -EADDRNOTAVAIL);
	assert_int_equal(sock_bind(b, h_ip("10.0.0.1"), 1500), 0);
	assert_int_equal(sock_port(b), 1500);
	assert_ptr_equal(sock_lookup(ns, &fake_prot, 1500), b);
	assert_null(sock_lookup(ns, &fake_prot, 1001));
	/* SOCK_DGRAM's default stays UDP */
	sock_close(a);
	assert_int_equal(create(AF_INET, SOCK_DGRAM, 0, &a), 0);
	assert_ptr_equal(a->prot, &udp_prot);
	sock_close(a);
	sock_close(b);
	assert_int_equal(seen.close, 2);
	assert_null(sock_lookup(ns, &fake_prot, 1500));
}

static void test_fake_protocol_packet_reaches_handler(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_FAKE, &ops, NULL);

	assert_non_null(sk);
	rx_fake(sock_port(sk), "hello");
	assert_int_equal(seen.handler, 1);
	assert_int_equal(seen.rcv, 1);
	assert_int_equal(seen.len, 5);
	assert_memory_equal(seen.data, "hello", 5);
	assert_mib(ns, IpInDelivers, 1);
	assert_drop(ns, IP_NOPROTO, 0);
	assert_int_equal(h_tx_count(eth0), 0);
	sock_close(sk);
}

static void test_fake_protocol_error_reaches_err_handler(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_FAKE, &ops, NULL);
	const struct iphdr *iph;
	uint8_t icmp[8 + 28];
	uint16_t mtu = htons(1400), c;
	struct pkt *tx;

	assert_int_equal(sock_sendto(sk, h_ip("10.0.0.2"), 4242, "abcd", 4), 4);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	iph = (const struct iphdr *)(tx->data + ETH_HLEN);
	assert_int_equal(iph->protocol, IPPROTO_FAKE);

	memset(icmp, 0, sizeof(icmp));
	icmp[0] = ICMP_DEST_UNREACH;
	icmp[1] = ICMP_FRAG_NEEDED;
	memcpy(icmp + 6, &mtu, 2);
	memcpy(icmp + 8, iph, 28);
	c = ip_compute_csum(icmp, sizeof(icmp));
	memcpy(icmp + 2, &c, 2);
	pkt_free(tx);
	rx_ip(IPPROTO_ICMP, icmp, sizeof(icmp));

	assert_int_equal(seen.err_handler, 1);
	assert_int_equal(seen.err_info, 1400);
	assert_int_equal(seen.err, 1);
	assert_int_equal(seen.e.type, ICMP_DEST_UNREACH);
	assert_int_equal(seen.e.code, ICMP_FRAG_NEEDED);
	assert_int_equal(seen.e.info, 1400);
	assert_int_equal(seen.e.dport, 4242);
	assert_int_equal(seen.e.daddr, h_ip("10.0.0.2"));
	assert_int_equal(seen.e.offender, h_ip("10.0.0.2"));
	assert_mib(ns, IcmpInDestUnreachs, 1);
	sock_close(sk);
}

static void test_fake_protocol_connect_goes_to_proto(void **state)
{
	struct sock *sk = sock_open(ns, IPPROTO_FAKE, &ops, NULL);

	assert_int_equal(sock_connect(sk, h_ip("10.0.0.2"), 9), 0);
	assert_int_equal(sock_connect(sk, 0, 0), 0);
	assert_int_equal(seen.connect, 1);
	assert_int_equal(seen.disconnect, 1);
	sock_close(sk);
}

static void test_sock_exit_releases_every_protocol(void **state)
{
	assert_non_null(sock_open(ns, IPPROTO_FAKE, &ops, NULL));
	assert_non_null(sock_open(ns, IPPROTO_FAKE, &ops, NULL));
	assert_non_null(sock_open(ns, IPPROTO_UDP, &ops, NULL));
	sock_exit(ns);
	assert_int_equal(seen.gone, 3);
	assert_int_equal(seen.close, 2);
	assert_null(ns->socks);
}

/* A row whose proto never called proto_register has no port hash: its
 * get_port fails rather than use another protocol's. */
static void test_port_hash_needs_proto_register(void **state)
{
	static struct proto lone_prot = {
		.name = "LONE", .close = fake_close, .get_port = fake_get_port,
		.hash = sock_hash, .unhash = sock_unhash,
	};
	static struct inet_protosw lone_sw = {
		.type = SOCK_DGRAM, .protocol = 252, .prot = &lone_prot, .ops = &inet_dgram_ops,
	};
	struct sock *sk;

	assert_int_equal(inet_register_protosw(&lone_sw), 0);
	assert_int_equal(create(AF_INET, SOCK_DGRAM, 252, &sk), -EINVAL);
	inet_unregister_protosw(&lone_sw);
}

static void test_unregistered_protocol_is_unknown_again(void **state)
{
	struct sock *sk;

	fake_unregister();
	assert_int_equal(create(AF_INET, SOCK_DGRAM, IPPROTO_FAKE, &sk), -EPROTONOSUPPORT);
	rx_fake(1000, "x");
	assert_int_equal(seen.handler, 0);
	assert_drop(ns, IP_NOPROTO, 1);
	assert_mib(ns, IpInUnknownProtos, 1);
	assert_int_equal(h_tx_count(eth0), 1); /* protocol unreachable */
	h_tx_flush(eth0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_inet_create_errnos_as_linux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inet_create_dgram_default_is_udp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_registrations_refuse_a_second_owner,
						setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_fake_protocol_socket_is_created, setup_fake,
						teardown),
		cmocka_unit_test_setup_teardown(test_fake_protocol_packet_reaches_handler,
						setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_fake_protocol_error_reaches_err_handler,
						setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_fake_protocol_connect_goes_to_proto,
						setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_sock_exit_releases_every_protocol, setup_fake,
						teardown),
		cmocka_unit_test_setup_teardown(test_port_hash_needs_proto_register, setup_fake,
						teardown),
		cmocka_unit_test_setup_teardown(test_unregistered_protocol_is_unknown_again,
						setup_fake, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
