// SPDX-License-Identifier: MIT
/*
 * TCP robustness on the one-host fixture: the socket-option API
 * (sock_setsockopt / sock_getsockopt with Linux's levels, names, errnos
 * and SO_RCVBUF / SO_SNDBUF doubling), TCP_NODELAY turning Nagle off,
 * keepalive (probes, RST and ETIMEDOUT after the count), TCP_USER_TIMEOUT,
 * the listen queues and SYN cookies, PAWS, SO_LINGER 0.
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

/* ---- listen queues ---- */

static const struct sock_ops ops_noaccept = { .readable = cb_readable };

/* A listener on port 80 whose children wait in the accept queue. */
static struct sock *queue_listener(int backlog)
{
	struct sock *sk;

	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &ops_noaccept, NULL, &sk), 0);
	assert_int_equal(sock_bind(sk, 0, 80), 0);
	assert_int_equal(sock_listen(sk, backlog), 0);
	return sk;
}

/* A SYN from port @sport (no options); returns the SYN-ACK's ISN, or 0
 * (and nothing sent) when it was dropped. */
static uint32_t peer_syn(uint16_t sport)
{
	struct pkt *tx;
	uint32_t iss;

	rx_seg(sport, 80, 100, 0, TCPHDR_SYN, NULL, 0, NULL, 0);
	tx = h_tx_pop(eth0);
	if (!tx)
		return 0;
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_SYN | TCPHDR_ACK);
	assert_int_equal(ntohl(tx_tcp(tx)->ack_seq), 101);
	iss = ntohl(tx_tcp(tx)->seq);
	pkt_free(tx);
	assert_int_not_equal(iss, 0);
	return iss;
}

static void peer_ack(uint16_t sport, uint32_t iss)
{
	rx_seg(sport, 80, 101, iss + 1, TCPHDR_ACK, NULL, 0, NULL, 0);
}

static void test_tcp_listen_backlog_capped_by_somaxconn(void **state)
{
	struct sock *l = tcp_socket();
	char v[16];

	(void)state;
	assert_int_equal(sysctl_get(ns, "net.core.somaxconn", v, sizeof(v)), 0);
	assert_string_equal(v, "4096");
	assert_int_equal(sysctl_set(ns, "net.core.somaxconn", "-1", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.core.somaxconn", "3", NULL), 0);
	assert_int_equal(sock_listen(l, 100), 0);
	assert_int_equal(tcp_sk(l)->backlog, 3);
	assert_int_equal(sock_listen(l, 2), 0);
	assert_int_equal(tcp_sk(l)->backlog, 2);
	/* a negative backlog is somaxconn (__sys_listen compares unsigned) */
	assert_int_equal(sock_listen(l, -1), 0);
	assert_int_equal(tcp_sk(l)->backlog, 3);
	sock_close(l);
}

static void test_tcp_accept_queue_full_drops_syn(void **state)
{
	struct sock *l = queue_listener(1), *a;

	(void)state;
	/* the accept queue holds backlog + 1 */
	peer_ack(1000, peer_syn(1000));
	peer_ack(1001, peer_syn(1001));
	assert_int_equal(tcp_sk(l)->acq_len, 2);
	assert_int_equal(peer_syn(1002), 0);
	assert_mib(ns, TcpExtListenOverflows, 1);
	assert_mib(ns, TcpExtListenDrops, 1);
	assert_drop(ns, TCP_LISTEN_OVERFLOW, 1);
	/* room again after an accept */
	assert_int_equal(sock_accept(l, &a), 0);
	assert_int_not_equal(peer_syn(1002), 0);
	assert_int_equal(tcp_sk(l)->syn_len, 1);
	sock_close(a);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_tcp_last_ack_overflow_dropped_or_reset(void **state)
{
	struct sock *l = queue_listener(2);
	uint32_t b, c, d;
	struct pkt *tx;

	(void)state;
	peer_ack(1000, peer_syn(1000));
	b = peer_syn(1001);
	c = peer_syn(1002);
	d = peer_syn(1003);
	assert_int_not_equal(d, 0);
	peer_ack(1001, b);
	peer_ack(1002, c);
	assert_int_equal(tcp_sk(l)->acq_len, 3);
	/* the accept queue is full when D's handshake ends: dropped, D stays
	 * in SYN_RECV (its SYN-ACK is resent, the peer will ACK again) */
	peer_ack(1003, d);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_mib(ns, TcpExtListenOverflows, 1);
	assert_mib(ns, TcpExtListenDrops, 1);
	assert_int_equal(tcp_sk(l)->acq_len, 3);
	assert_int_equal(tcp_sk(l)->syn_len, 1);
	/* with tcp_abort_on_overflow: a RST, and the request is gone */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_abort_on_overflow", "1", NULL), 0);
	peer_ack(1003, d);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_RST);
	assert_int_equal(ntohl(tx_tcp(tx)->seq), d + 1);
	pkt_free(tx);
	assert_mib(ns, TcpExtEmbryonicRsts, 1);
	assert_mib(ns, TcpExtListenOverflows, 2);
	assert_int_equal(tcp_sk(l)->syn_len, 0);
	assert_mib(ns, TcpAttemptFails, 0);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_tcp_syn_queue_full_without_cookies(void **state)
{
	struct sock *l = queue_listener(1);

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_syncookies", "0", NULL), 0);
	assert_int_not_equal(peer_syn(1000), 0);
	assert_int_not_equal(peer_syn(1001), 0);
	assert_int_equal(peer_syn(1002), 0);
	assert_mib(ns, TcpExtTCPReqQFullDrop, 1);
	assert_mib(ns, TcpExtListenDrops, 1);
	assert_mib(ns, TcpExtListenOverflows, 0);
	sock_close(l);
	/* without cookies the last quarter of tcp_max_syn_backlog is kept */
	l = queue_listener(100);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_max_syn_backlog", "4", NULL), 0);
	for (uint16_t port = 2000; port < 2004; port++)
		assert_int_not_equal(peer_syn(port), 0);
	assert_int_equal(peer_syn(2004), 0);
	assert_mib(ns, TcpExtListenDrops, 2);
	assert_mib(ns, TcpExtTCPReqQFullDrop, 1);
	sock_close(l);
}

/* ---- SYN cookies ---- */

/* A SYN with MSS 1400, window scale 7, timestamps (TSval @tsval) and
 * SACK-permitted:
 * returns the SYN-ACK's ISN and its TSval in *tsval_out. */
static uint32_t peer_syn_opts(uint16_t sport, uint32_t tsval, uint32_t *tsval_out,
			      bool *has_ts, uint8_t ecn)
{
	uint8_t o[24] = { TCPOPT_MSS, 4, 1400 >> 8, 1400 & 0xff, TCPOPT_NOP, TCPOPT_WINDOW, 3, 7,
			  TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, 10, [20] = TCPOPT_NOP,
			  TCPOPT_NOP, TCPOPT_SACK_PERM, 2 };
	uint32_t v = htonl(tsval);
	const uint8_t *opt, *end;
	struct pkt *tx;
	uint32_t iss;

	memcpy(o + 12, &v, 4);
	rx_seg(sport, 80, 100, 0, TCPHDR_SYN | ecn, o, sizeof(o), NULL, 0);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags & ~TCPHDR_ECE, TCPHDR_SYN | TCPHDR_ACK);
	assert_int_equal(tx_tcp(tx)->flags & TCPHDR_ECE, ecn ? TCPHDR_ECE : 0);
	iss = ntohl(tx_tcp(tx)->seq);
	*has_ts = false;
	opt = (const uint8_t *)(tx_tcp(tx) + 1);
	end = (const uint8_t *)tx_tcp(tx) + tcp_doff(tx_tcp(tx));
	while (opt < end && *opt != TCPOPT_EOL) {
		if (*opt == TCPOPT_NOP) {
			opt++;
			continue;
		}
		if (*opt == TCPOPT_TIMESTAMP) {
			memcpy(&v, opt + 2, 4);
			*tsval_out = ntohl(v);
			*has_ts = true;
		}
		opt += opt[1];
	}
	pkt_free(tx);
	return iss;
}

/* The ACK of a handshake with timestamps: TSval @tsval, TSecr @tsecr. */
static void peer_ack_ts(uint16_t sport, uint32_t ack, uint32_t tsval, uint32_t tsecr,
			const void *data, unsigned len)
{
	uint8_t o[12] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, 10 };
	uint32_t v[2] = { htonl(tsval), htonl(tsecr) };

	memcpy(o + 4, v, 8);
	rx_seg(sport, 80, 101, ack, TCPHDR_ACK, o, sizeof(o), data, len);
}

static void test_tcp_syncookies_always_make_the_connection(void **state)
{
	struct sock *l = queue_listener(8), *a;
	uint32_t iss, tsval = 0;
	struct tcp_sock *tp;
	bool has_ts;
	char buf[8];

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_syncookies", "2", NULL), 0);
	/* no TSval offset, so the cookie's bits show on the wire */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_timestamps", "2", NULL), 0);
	iss = peer_syn_opts(1000, 5000, &tsval, &has_ts, TCPHDR_ECE | TCPHDR_CWR);
	/* nothing kept: no child, a cookie sent */
	assert_int_equal(tcp_sk(l)->syn_len, 0);
	assert_mib(ns, TcpExtSyncookiesSent, 1);
	assert_mib(ns, TcpExtTCPReqQFullDoCookies, 1);
	/* the TSval's low 6 bits say window scale 7, SACK and ECN */
	assert_true(has_ts);
	assert_int_equal(tsval & 0x3f, 0x20 | 0x10 | 7);
	peer_ack_ts(1000, iss + 1, 5001, tsval, "hi", 2);
	assert_mib(ns, TcpExtSyncookiesRecv, 1);
	assert_mib(ns, TcpExtSyncookiesFailed, 0);
	assert_mib(ns, TcpPassiveOpens, 1);
	assert_int_equal(sock_accept(l, &a), 0);
	tp = tcp_sk(a);
	assert_int_equal(tp->state, TCP_ESTABLISHED);
	assert_true(tp->wscale_ok);
	assert_int_equal(tp->snd_wscale, 7);
	assert_true(tp->tstamp_ok);
	assert_true(tp->sack_ok);
	assert_int_equal(tp->ecn_flags & TCP_ECN_OK, TCP_ECN_OK);
	assert_int_equal(tp->ts_recent, 5001);
	/* the peer's MSS 1400 is remembered as the table's 1300 */
	assert_int_equal(tp->mss_cache, 1300 - 12);
	assert_int_equal(sock_recv(a, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "hi", 2);
	/* our next TSval does not go back behind the cookie's */
	h_tx_flush(eth0);
	assert_int_equal(sock_send(a, "ok", 2), 2);
	{
		struct pkt *tx = h_tx_pop(eth0);
		uint32_t v;

		assert_non_null(tx);
		assert_int_equal(ntohl(tx_tcp(tx)->seq), iss + 1);
		memcpy(&v, (const uint8_t *)(tx_tcp(tx) + 1) + 4, 4);
		assert_false(before(ntohl(v), tsval));
		pkt_free(tx);
	}
	sock_close(a);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_tcp_syncookies_when_syn_queue_full(void **state)
{
	struct sock *l = queue_listener(1), *a;
	uint32_t iss, tsval;
	struct pkt *tx;
	bool has_ts;

	(void)state;
	/* an ACK to a listener with no cookie out: RST, not even a check */
	rx_seg(999, 80, 5, 777, TCPHDR_ACK, NULL, 0, NULL, 0);
	tx = h_tx_pop(eth0);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_RST);
	pkt_free(tx);
	assert_mib(ns, TcpExtSyncookiesFailed, 0);
	/* default tcp_syncookies 1: cookies once the SYN queue is full */
	assert_int_not_equal(peer_syn(1000), 0);
	assert_int_not_equal(peer_syn(1001), 0);
	assert_mib(ns, TcpExtSyncookiesSent, 0);
	iss = peer_syn_opts(1002, 1, &tsval, &has_ts, 0);
	assert_mib(ns, TcpExtSyncookiesSent, 1);
	assert_int_equal(tcp_sk(l)->syn_len, 2);
	/* a forged ACK: SyncookiesFailed and a RST */
	peer_ack_ts(1003, iss + 1, 2, tsval, NULL, 0);
	assert_mib(ns, TcpExtSyncookiesFailed, 1);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_RST);
	pkt_free(tx);
	/* the real one: the legitimate client gets its connection */
	peer_ack_ts(1002, iss + 1, 2, tsval, NULL, 0);
	assert_mib(ns, TcpExtSyncookiesRecv, 1);
	assert_int_equal(sock_accept(l, &a), 0);
	assert_int_equal(sock_port(a), 80);
	assert_int_equal(a->dport, 1002);
	/* a cookie older than two minutes is refused */
	iss = peer_syn_opts(1004, 3, &tsval, &has_ts, 0);
	h_advance(180ull * NSEC_PER_SEC);
	h_tx_flush(eth0);
	peer_ack_ts(1004, iss + 1, 4, tsval, NULL, 0);
	assert_mib(ns, TcpExtSyncookiesRecv, 1);
	h_tx_flush(eth0);
	sock_close(a);
	sock_close(l);
}

/* ---- PAWS and SO_LINGER ---- */

/* A segment with timestamps from port 1000. */
static void rx_ts(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t tsval, uint32_t tsecr,
		  const void *data, unsigned len)
{
	uint8_t o[12] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, 10 };
	uint32_t v[2] = { htonl(tsval), htonl(tsecr) };

	memcpy(o + 4, v, 8);
	rx_seg(1000, 80, seq, ack, flags, o, sizeof(o), data, len);
}

static void test_tcp_paws_drops_old_timestamps(void **state)
{
	struct sock *l = listener(80, 8), *s;
	uint32_t iss, tsval = 0;
	struct pkt *tx;
	bool has_ts;
	char buf[16];

	(void)state;
	iss = peer_syn_opts(1000, 5000, &tsval, &has_ts, 0);
	rx_ts(101, iss + 1, TCPHDR_ACK, 5001, tsval, NULL, 0);
	s = seen.accepted;
	assert_non_null(s);
	assert_true(tcp_sk(s)->tstamp_ok);
	rx_ts(101, iss + 1, TCPHDR_ACK, 5002, tsval, "new", 3);
	assert_int_equal(tcp_sk(s)->ts_recent, 5002);
	h_advance(100ull * NSEC_PER_MSEC);
	h_tx_flush(eth0);
	/* data with a TSval older than TS.Recent: dropped, a duplicate ACK */
	rx_ts(104, iss + 1, TCPHDR_ACK, 4000, tsval, "old", 3);
	assert_mib(ns, TcpExtPAWSEstab, 1);
	assert_drop(ns, TCP_RFC7323_PAWS, 1);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_ACK);
	assert_int_equal(ntohl(tx_tcp(tx)->ack_seq), 104);
	pkt_free(tx);
	assert_int_equal(sock_recv(s, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "new", 3);
	assert_int_equal(sock_recv(s, buf, sizeof(buf)), -EAGAIN);
	/* an old pure ACK below rcv_nxt: dropped without an answer */
	rx_ts(101, iss + 1, TCPHDR_ACK, 4000, tsval, NULL, 0);
	assert_mib(ns, TcpExtPAWSOldAck, 1);
	assert_int_equal(h_tx_count(eth0), 0);
	/* one tick behind is tolerated (TCP_PAWS_WINDOW) */
	rx_ts(104, iss + 1, TCPHDR_ACK, 5001, tsval, "ok", 2);
	assert_int_equal(sock_recv(s, buf, sizeof(buf)), 2);
	assert_mib(ns, TcpExtPAWSEstab, 1);
	/* a RST is judged by RFC 5961 alone, whatever its timestamp */
	rx_ts(106, 0, TCPHDR_RST, 4000, 0, NULL, 0);
	assert_int_equal(tcp_sk(s)->state, TCP_CLOSE);
	h_tx_flush(eth0);
	sock_close(s);
	sock_close(l);
}

static void test_tcp_so_linger_zero_close_resets(void **state)
{
	struct sock *l = listener(80, 8), *s;
	struct linger lg;
	unsigned len;
	struct pkt *tx;
	uint32_t snd;

	(void)state;
	snd = peer_connect(&s);
	lg = (struct linger){ 1, 0 };
	assert_int_equal(sock_setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(int)), -EINVAL);
	lg = (struct linger){ 1, -1 };
	assert_int_equal(sock_setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	len = sizeof(lg);
	assert_int_equal(sock_getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len), 0);
	assert_int_equal(len, sizeof(lg));
	/* "forever": the low bits of MAX_SCHEDULE_TIMEOUT / HZ, as Linux shows */
	assert_int_equal(lg.l_onoff, 1);
	assert_int_equal(lg.l_linger, -1752346657);
	lg = (struct linger){ 1, 7 };
	assert_int_equal(sock_setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	lg = (struct linger){ 0, 9 }; /* off keeps the time */
	assert_int_equal(sock_setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	assert_int_equal(sock_getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len), 0);
	assert_int_equal(lg.l_onoff, 0);
	assert_int_equal(lg.l_linger, 7);
	lg = (struct linger){ 1, 0 };
	assert_int_equal(sock_setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	/* close: a RST instead of a FIN, no TIME_WAIT */
	sock_close(s);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_RST | TCPHDR_ACK);
	assert_int_equal(ntohl(tx_tcp(tx)->seq), snd);
	pkt_free(tx);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_mib(ns, TcpExtTCPAbortOnData, 1);
	assert_mib(ns, TcpEstabResets, 1);
	assert_mib(ns, TcpCurrEstab, 0);
	assert_int_equal(timer_count(), 0);
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
		cmocka_unit_test_setup_teardown(test_tcp_listen_backlog_capped_by_somaxconn, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_accept_queue_full_drops_syn, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_last_ack_overflow_dropped_or_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_syn_queue_full_without_cookies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_syncookies_always_make_the_connection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_syncookies_when_syn_queue_full, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_paws_drops_old_timestamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_so_linger_zero_close_resets, setup,
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
