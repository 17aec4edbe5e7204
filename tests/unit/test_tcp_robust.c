// SPDX-License-Identifier: MIT
/*
 * TCP robustness on the one-host fixture: the socket-option API
 * (sock_setsockopt / sock_getsockopt with Linux's levels, names, errnos
 * and SO_RCVBUF / SO_SNDBUF doubling), TCP_NODELAY turning Nagle off,
 * keepalive (probes, RST and ETIMEDOUT after the count), TCP_USER_TIMEOUT.
 * The peer 10.0.0.2 is played with crafted segments.
 */
#include <errno.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/core/sock.h"
#include "netns/core/sysctl.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/tcp.h"

static struct netns *ns;
static struct netdev *eth0;

static struct {
	struct sock *accepted;
	int connected, connect_err;
	unsigned readable, writable;
} seen;

static void cb_connected(struct sock *sk, int err, void *ctx)
{
	(void)sk;
	(void)ctx;
	seen.connected++;
	seen.connect_err = err;
}

static void cb_accept(struct sock *sk, struct sock *newsk, void *ctx)
{
	(void)sk;
	(void)ctx;
	seen.accepted = newsk;
}

static void cb_readable(struct sock *sk, void *ctx)
{
	(void)sk;
	(void)ctx;
	seen.readable++;
}

static void cb_writable(struct sock *sk, void *ctx)
{
	(void)sk;
	(void)ctx;
	seen.writable++;
}

static const struct sock_ops ops = { .connected = cb_connected, .accept = cb_accept,
				     .readable = cb_readable, .writable = cb_writable };

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

static struct sock *tcp_socket(void)
{
	struct sock *sk;

	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &ops, NULL, &sk), 0);
	return sk;
}

static struct sock *listener(uint16_t port, int backlog)
{
	struct sock *sk = tcp_socket();

	assert_int_equal(sock_bind(sk, 0, port), 0);
	assert_int_equal(sock_listen(sk, backlog), 0);
	return sk;
}

static int set_int(struct sock *sk, int level, int name, int v)
{
	return sock_setsockopt(sk, level, name, &v, sizeof(v));
}

/* The int value of an option (fails the test on an error). */
static int get_int(struct sock *sk, int level, int name)
{
	unsigned len = sizeof(int);
	int v = -12345;

	assert_int_equal(sock_getsockopt(sk, level, name, &v, &len), 0);
	assert_int_equal(len, sizeof(int));
	return v;
}

/* A segment from the fake peer 10.0.0.2:@sport to 10.0.0.1:@dport with
 * @olen bytes of options. */
static void rx_seg(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		   const void *opts, unsigned olen, const void *data, unsigned len)
{
	uint8_t seg[1600], f[1700];
	struct tcphdr *th = (struct tcphdr *)seg;
	unsigned hl = 20 + olen;
	size_t n, m;

	memset(seg, 0, sizeof(seg));
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff_res = (uint8_t)(hl / 4 << 4);
	th->flags = flags;
	th->window = htons(65535);
	if (olen)
		memcpy(seg + 20, opts, olen);
	if (len)
		memcpy(seg + hl, data, len);
	n = hl + len;
	th->check = csum_fold(csum_tcpudp_nofold(h_ip("10.0.0.2"), h_ip("10.0.0.1"), (uint16_t)n,
						 IPPROTO_TCP, csum_partial(seg, n, 0)));
	m = h_eth(f, H_HOST_MAC, H_PEER_MAC, ETH_P_IP);
	m += h_ipv4(f + m, "10.0.0.2", "10.0.0.1", IPPROTO_TCP, 64, seg, n);
	h_rx(eth0, f, m);
	h_run();
}

static void rx_tcp(uint32_t seq, uint32_t ack, uint8_t flags, const void *data, unsigned len)
{
	rx_seg(1000, 80, seq, ack, flags, NULL, 0, data, len);
}

static const struct iphdr *tx_ip(const struct pkt *tx)
{
	return (const struct iphdr *)(tx->data + ETH_HLEN);
}

static const struct tcphdr *tx_tcp(const struct pkt *tx)
{
	return (const struct tcphdr *)(tx->data + ETH_HLEN + 20);
}

static unsigned tx_payload(const struct pkt *tx)
{
	return ntohs(tx_ip(tx)->tot_len) - 20 - tcp_doff(tx_tcp(tx));
}

/* The fake peer opens a connection to the listener on port 80 (no
 * options: MSS 536); returns the server's first data sequence. */
static uint32_t peer_connect(struct sock **srv)
{
	struct pkt *tx;
	uint32_t iss;

	rx_tcp(100, 0, TCPHDR_SYN, NULL, 0);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_SYN | TCPHDR_ACK);
	iss = ntohl(tx_tcp(tx)->seq);
	pkt_free(tx);
	rx_tcp(101, iss + 1, TCPHDR_ACK, NULL, 0);
	assert_non_null(seen.accepted);
	*srv = seen.accepted;
	sock_set_cb(*srv, &ops, NULL);
	assert_int_equal(tcp_sk(*srv)->state, TCP_ESTABLISHED);
	return iss + 1;
}

/* ---- the socket-option API ---- */

static void test_sockopt_sol_socket_buffers_doubled_and_errnos(void **state)
{
	struct sock *t = tcp_socket(), *u;
	unsigned len;
	uint8_t b[8];
	int v;

	(void)state;
	assert_int_equal(sock_create(ns, AF_INET, SOCK_DGRAM, 0, &ops, NULL, &u), 0);
	/* defaults: tcp_rmem[1] / tcp_wmem[1]; rmem_default for UDP */
	assert_int_equal(get_int(t, SOL_SOCKET, SO_RCVBUF), 131072);
	assert_int_equal(get_int(t, SOL_SOCKET, SO_SNDBUF), 16384);
	assert_int_equal(get_int(u, SOL_SOCKET, SO_RCVBUF), 212992);
	assert_int_equal(get_int(u, SOL_SOCKET, SO_SNDBUF), 212992);
	/* doubled on the way in, with floors, capped at the max */
	assert_int_equal(set_int(t, SOL_SOCKET, SO_RCVBUF, 10000), 0);
	assert_int_equal(get_int(t, SOL_SOCKET, SO_RCVBUF), 20000);
	assert_int_equal(set_int(t, SOL_SOCKET, SO_RCVBUF, 1), 0);
	assert_int_equal(get_int(t, SOL_SOCKET, SO_RCVBUF), 2304);
	assert_int_equal(set_int(t, SOL_SOCKET, SO_SNDBUF, 1), 0);
	assert_int_equal(get_int(t, SOL_SOCKET, SO_SNDBUF), 4608);
	assert_int_equal(set_int(t, SOL_SOCKET, SO_SNDBUF, -1), 0);
	assert_int_equal(get_int(t, SOL_SOCKET, SO_SNDBUF), 2 * 212992);
	assert_true(t->userlocks & SOCK_SNDBUF_LOCK);
	/* a value shorter than an int: EINVAL, even for an unknown name */
	v = 1;
	assert_int_equal(sock_setsockopt(t, SOL_SOCKET, SO_RCVBUF, &v, 2), -EINVAL);
	assert_int_equal(sock_setsockopt(t, SOL_SOCKET, 9999, &v, 2), -EINVAL);
	assert_int_equal(set_int(t, SOL_SOCKET, 9999, 1), -ENOPROTOOPT);
	len = sizeof(v);
	assert_int_equal(sock_getsockopt(t, SOL_SOCKET, 9999, &v, &len), -ENOPROTOOPT);
	assert_int_equal(set_int(t, SOL_SOCKET, SO_ERROR, 1), -ENOPROTOOPT);
	/* a short room truncates (getsockopt copies min(len, 4) bytes) */
	memset(b, 0xee, sizeof(b));
	len = 2;
	assert_int_equal(sock_getsockopt(t, SOL_SOCKET, SO_RCVBUF, b, &len), 0);
	assert_int_equal(len, 2);
	assert_int_equal(b[0] | b[1] << 8, 2304);
	assert_int_equal(b[2], 0xee);
	/* booleans read back as 0 / 1 */
	assert_int_equal(set_int(t, SOL_SOCKET, SO_REUSEADDR, 7), 0);
	assert_int_equal(get_int(t, SOL_SOCKET, SO_REUSEADDR), 1);
	assert_true(t->reuse);
	assert_int_equal(set_int(u, SOL_SOCKET, SO_BROADCAST, 3), 0);
	assert_int_equal(get_int(u, SOL_SOCKET, SO_BROADCAST), 1);
	assert_int_equal(get_int(u, SOL_SOCKET, SO_KEEPALIVE), 0);
	assert_int_equal(get_int(t, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	assert_int_equal(get_int(u, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP);
	assert_int_equal(get_int(u, SOL_SOCKET, SO_DOMAIN), AF_INET);
	/* the old helpers go through the same path */
	sock_set_reuseaddr(t, false);
	assert_int_equal(get_int(t, SOL_SOCKET, SO_REUSEADDR), 0);
	sock_close(t);
	sock_close(u);
}

static void test_sockopt_so_error_reads_and_clears(void **state)
{
	struct sock *c = tcp_socket();

	(void)state;
	assert_int_equal(sock_connect(c, htonl(0x7f000001), 9), -EINPROGRESS);
	h_run();
	assert_int_equal(seen.connect_err, -ECONNREFUSED);
	/* a positive errno, as getsockopt(2) gives it, then 0 */
	assert_int_equal(get_int(c, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
	assert_int_equal(get_int(c, SOL_SOCKET, SO_ERROR), 0);
	sock_close(c);
}

static void test_sockopt_ip_level_ttl_tos(void **state)
{
	struct sock *t = tcp_socket(), *u;
	unsigned len;
	uint8_t b[4];
	struct pkt *tx;

	(void)state;
	assert_int_equal(sock_create(ns, AF_INET, SOCK_DGRAM, 0, &ops, NULL, &u), 0);
	assert_int_equal(get_int(t, IPPROTO_IP, IP_TTL), 64);
	ns->sysctl.ip_default_ttl = 70;
	assert_int_equal(get_int(t, IPPROTO_IP, IP_TTL), 70); /* follows the sysctl */
	assert_int_equal(set_int(t, IPPROTO_IP, IP_TTL, 0), -EINVAL);
	assert_int_equal(set_int(t, IPPROTO_IP, IP_TTL, 256), -EINVAL);
	assert_int_equal(sock_setsockopt(t, IPPROTO_IP, IP_TTL, b, 0), -EINVAL);
	/* one byte is a value too (do_ip_setsockopt's unsigned char) */
	b[0] = 7;
	assert_int_equal(sock_setsockopt(t, IPPROTO_IP, IP_TTL, b, 1), 0);
	assert_int_equal(get_int(t, IPPROTO_IP, IP_TTL), 7);
	len = 1;
	b[0] = 0;
	assert_int_equal(sock_getsockopt(t, IPPROTO_IP, IP_TTL, b, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(b[0], 7);
	/* the SYN leaves with that TTL and TOS; a stream socket keeps the
	 * ECN bits to itself */
	assert_int_equal(set_int(t, IPPROTO_IP, IP_TOS, 0xff), 0);
	assert_int_equal(get_int(t, IPPROTO_IP, IP_TOS), 0xfc);
	assert_int_equal(set_int(u, IPPROTO_IP, IP_TOS, 0x1ff), 0);
	assert_int_equal(get_int(u, IPPROTO_IP, IP_TOS), 0xff);
	assert_int_equal(sock_connect(t, h_ip("10.0.0.2"), 80), -EINPROGRESS);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_ip(tx)->ttl, 7);
	assert_int_equal(tx_ip(tx)->tos, 0xfc);
	pkt_free(tx);
	assert_int_equal(set_int(t, IPPROTO_IP, IP_TTL, -1), 0);
	assert_int_equal(get_int(t, IPPROTO_IP, IP_TTL), 70);
	/* unknown names and levels */
	len = sizeof(int);
	assert_int_equal(set_int(t, IPPROTO_IP, 200, 1), -ENOPROTOOPT);
	assert_int_equal(sock_getsockopt(t, IPPROTO_IP, 200, b, &len), -ENOPROTOOPT);
	assert_int_equal(set_int(t, 999, 1, 1), -ENOPROTOOPT);
	assert_int_equal(sock_getsockopt(t, 999, 1, b, &len), -EOPNOTSUPP);
	assert_int_equal(set_int(u, IPPROTO_TCP, TCP_NODELAY, 1), -ENOPROTOOPT);
	assert_int_equal(sock_getsockopt(u, IPPROTO_TCP, TCP_NODELAY, b, &len), -EOPNOTSUPP);
	assert_int_equal(set_int(t, IPPROTO_UDP, 1, 1), -ENOPROTOOPT);
	assert_int_equal(sock_getsockopt(t, IPPROTO_UDP, 1, b, &len), -EOPNOTSUPP);
	assert_int_equal(set_int(u, IPPROTO_UDP, 1, 1), -ENOPROTOOPT);
	assert_int_equal(set_int(t, IPPROTO_TCP, 200, 1), -ENOPROTOOPT);
	assert_int_equal(sock_getsockopt(t, IPPROTO_TCP, 200, b, &len), -ENOPROTOOPT);
	sock_close(t);
	sock_close(u);
}

static void test_tcp_nodelay_sends_small_segments_at_once(void **state)
{
	struct sock *l = listener(80, 8), *s;
	struct pkt *tx;
	uint32_t snd;
	int v = 1;

	(void)state;
	snd = peer_connect(&s);
	assert_int_equal(get_int(s, IPPROTO_TCP, TCP_NODELAY), 0);
	assert_int_equal(sock_send(s, "a", 1), 1);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_payload(tx), 1);
	pkt_free(tx);
	/* Nagle: a small segment waits while "a" is unacknowledged */
	assert_int_equal(sock_send(s, "b", 1), 1);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_int_equal(sock_setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, 1), -EINVAL);
	/* TCP_NODELAY pushes it out, and the next one goes at once too */
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_NODELAY, 5), 0);
	assert_int_equal(get_int(s, IPPROTO_TCP, TCP_NODELAY), 1);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(ntohl(tx_tcp(tx)->seq), snd + 1);
	pkt_free(tx);
	assert_int_equal(sock_send(s, "c", 1), 1);
	assert_int_equal(h_tx_count(eth0), 1);
	h_tx_flush(eth0);
	rx_tcp(101, snd + 3, TCPHDR_ACK, NULL, 0);
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_tcp_child_inherits_listener_options(void **state)
{
	struct sock *l = listener(80, 8), *s;

	(void)state;
	assert_int_equal(set_int(l, SOL_SOCKET, SO_RCVBUF, 5000), 0);
	assert_int_equal(set_int(l, IPPROTO_TCP, TCP_NODELAY, 1), 0);
	assert_int_equal(set_int(l, IPPROTO_IP, IP_TTL, 9), 0);
	peer_connect(&s);
	assert_int_equal(get_int(s, SOL_SOCKET, SO_RCVBUF), 10000);
	assert_int_equal(get_int(s, SOL_SOCKET, SO_SNDBUF), 16384);
	assert_int_equal(get_int(s, IPPROTO_TCP, TCP_NODELAY), 1);
	assert_int_equal(get_int(s, IPPROTO_IP, IP_TTL), 9);
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_tcp_abort_and_timewait_counters(void **state)
{
	struct sock *l = listener(80, 8), *s;
	struct pkt *tx;
	uint32_t snd;

	(void)state;
	/* close with unread data: RST, TCPAbortOnClose */
	snd = peer_connect(&s);
	rx_tcp(101, snd, TCPHDR_ACK, "zz", 2);
	sock_close(s);
	assert_mib(ns, TcpExtTCPAbortOnClose, 1);
	h_tx_flush(eth0);
	/* data for an orphan in FIN_WAIT1: RST, TCPAbortOnData */
	seen.accepted = NULL;
	snd = peer_connect(&s);
	sock_close(s);
	tx = h_tx_pop(eth0);
	assert_true(tx_tcp(tx)->flags & TCPHDR_FIN);
	pkt_free(tx);
	rx_tcp(101, snd, TCPHDR_ACK, "late", 4);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_true(tx_tcp(tx)->flags & TCPHDR_RST);
	pkt_free(tx);
	assert_mib(ns, TcpExtTCPAbortOnData, 1);
	/* a TIME_WAIT that runs out counts TW */
	seen.accepted = NULL;
	snd = peer_connect(&s);
	sock_close(s);
	h_tx_flush(eth0);
	rx_tcp(101, snd + 1, TCPHDR_ACK | TCPHDR_FIN, NULL, 0);
	assert_int_equal(tcp_sk(s)->state, TCP_TIME_WAIT);
	h_tx_flush(eth0);
	h_advance(61ull * NSEC_PER_SEC);
	assert_mib(ns, TcpExtTW, 1);
	sock_close(l);
}

/* ---- keepalive ---- */

/* The keepalive probe (RFC 9293 3.8.4, tcp_xmit_probe_skb): sequence
 * snd_una - 1, no data; pops it. */
static void assert_keepalive_probe(uint32_t snd, uint32_t rcv_nxt)
{
	struct pkt *tx = h_tx_pop(eth0);

	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_ACK);
	assert_int_equal(ntohl(tx_tcp(tx)->seq), snd - 1);
	assert_int_equal(ntohl(tx_tcp(tx)->ack_seq), rcv_nxt);
	assert_int_equal(tx_payload(tx), 0);
	pkt_free(tx);
}

static void test_tcp_keepalive_probes_then_reset_and_etimedout(void **state)
{
	struct sock *l = listener(80, 8), *s;
	struct pkt *tx;
	uint32_t snd;
	char buf[8];

	(void)state;
	snd = peer_connect(&s);
	assert_int_equal(get_int(s, IPPROTO_TCP, TCP_KEEPIDLE), 7200);
	assert_int_equal(get_int(s, IPPROTO_TCP, TCP_KEEPINTVL), 75);
	assert_int_equal(get_int(s, IPPROTO_TCP, TCP_KEEPCNT), 9);
	assert_int_equal(set_int(s, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_KEEPIDLE, 0), -EINVAL);
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_KEEPIDLE, 32768), -EINVAL);
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_KEEPINTVL, 32768), -EINVAL);
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_KEEPCNT, 128), -EINVAL);
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_KEEPIDLE, 10), 0);
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_KEEPINTVL, 2), 0);
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_KEEPCNT, 3), 0);
	assert_int_equal(get_int(s, IPPROTO_TCP, TCP_KEEPIDLE), 10);
	h_advance(9900ull * NSEC_PER_MSEC);
	assert_int_equal(h_tx_count(eth0), 0);
	h_advance(200ull * NSEC_PER_MSEC);
	assert_keepalive_probe(snd, 101);
	assert_mib(ns, TcpExtTCPKeepAlive, 1);
	/* the peer answers: idle again, the next probe a full 10 s later */
	rx_tcp(101, snd, TCPHDR_ACK, NULL, 0);
	h_advance(9900ull * NSEC_PER_MSEC);
	assert_int_equal(h_tx_count(eth0), 0);
	h_advance(200ull * NSEC_PER_MSEC);
	assert_keepalive_probe(snd, 101);
	/* then silence: a probe every 2 s; 3 unanswered, then a RST */
	h_advance(2000ull * NSEC_PER_MSEC);
	assert_keepalive_probe(snd, 101);
	h_advance(2000ull * NSEC_PER_MSEC);
	assert_keepalive_probe(snd, 101);
	assert_int_equal(tcp_sk(s)->state, TCP_ESTABLISHED);
	h_advance(2000ull * NSEC_PER_MSEC);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_true(tx_tcp(tx)->flags & TCPHDR_RST);
	assert_int_equal(ntohl(tx_tcp(tx)->seq), snd);
	pkt_free(tx);
	assert_int_equal(tcp_sk(s)->state, TCP_CLOSE);
	assert_int_equal(sock_recv(s, buf, sizeof(buf)), -ETIMEDOUT);
	assert_mib(ns, TcpExtTCPKeepAlive, 4);
	assert_mib(ns, TcpExtTCPAbortOnTimeout, 1);
	assert_mib(ns, TcpOutRsts, 1);
	assert_mib(ns, TcpEstabResets, 1);
	sock_close(s);
	sock_close(l);
}

static void test_tcp_keepalive_from_sysctls_and_off(void **state)
{
	struct sock *l = listener(80, 8), *s;
	uint32_t snd;

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_keepalive_time", "30", NULL), 0);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_keepalive_probes", "256", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_keepalive_probes", "1", NULL), 0);
	/* the listener's SO_KEEPALIVE is the child's: armed at establishment */
	assert_int_equal(set_int(l, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
	snd = peer_connect(&s);
	assert_int_equal(get_int(s, SOL_SOCKET, SO_KEEPALIVE), 1);
	assert_int_equal(get_int(s, IPPROTO_TCP, TCP_KEEPIDLE), 30);
	/* traffic from the peer restarts the idle time */
	h_advance(20ull * NSEC_PER_SEC);
	rx_tcp(101, snd, TCPHDR_ACK, "x", 1);
	h_advance(100ull * NSEC_PER_MSEC); /* the delayed ACK */
	h_tx_flush(eth0);
	h_advance(29800ull * NSEC_PER_MSEC);
	assert_int_equal(h_tx_count(eth0), 0);
	h_advance(200ull * NSEC_PER_MSEC);
	assert_keepalive_probe(snd, 102);
	/* switched off: no more probes, no reset */
	assert_int_equal(set_int(s, SOL_SOCKET, SO_KEEPALIVE, 0), 0);
	h_advance(300ull * NSEC_PER_SEC);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_int_equal(tcp_sk(s)->state, TCP_ESTABLISHED);
	assert_mib(ns, TcpExtTCPKeepAlive, 1);
	rx_tcp(102, snd, TCPHDR_ACK | TCPHDR_FIN, NULL, 0);
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_tcp_user_timeout_ends_retransmission(void **state)
{
	struct sock *l = listener(80, 8), *s;
	char buf[8];

	(void)state;
	peer_connect(&s);
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_USER_TIMEOUT, -1), -EINVAL);
	assert_int_equal(set_int(s, IPPROTO_TCP, TCP_USER_TIMEOUT, 1500), 0);
	assert_int_equal(get_int(s, IPPROTO_TCP, TCP_USER_TIMEOUT), 1500);
	assert_int_equal(sock_send(s, "abc", 3), 3);
	/* RTO 200 ms, then 400, 800: resent at 0.2, 0.6, 1.4 s; the user
	 * timeout ends it at 1.5 s, without a RST (tcp_write_err) */
	h_advance(1490ull * NSEC_PER_MSEC);
	assert_int_equal(tcp_sk(s)->state, TCP_ESTABLISHED);
	assert_mib(ns, TcpRetransSegs, 3);
	h_advance(20ull * NSEC_PER_MSEC);
	assert_int_equal(tcp_sk(s)->state, TCP_CLOSE);
	assert_int_equal(sock_recv(s, buf, sizeof(buf)), -ETIMEDOUT);
	assert_mib(ns, TcpExtTCPAbortOnTimeout, 1);
	assert_mib(ns, TcpOutRsts, 0);
	h_tx_flush(eth0);
	sock_close(s);
	sock_close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sockopt_sol_socket_buffers_doubled_and_errnos,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sockopt_so_error_reads_and_clears, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sockopt_ip_level_ttl_tos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_nodelay_sends_small_segments_at_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_child_inherits_listener_options, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_abort_and_timewait_counters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_keepalive_probes_then_reset_and_etimedout,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_keepalive_from_sysctls_and_off, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_user_timeout_ends_retransmission, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
