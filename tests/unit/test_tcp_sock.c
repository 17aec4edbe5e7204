// SPDX-License-Identifier: MIT
/*
 * TCP through the socket API on the one-host fixture: a transfer over
 * `lo` (handshake, data both ways, FIN, TIME_WAIT), a connect to a closed
 * port (RST, ECONNREFUSED), SYN retries ending in ETIMEDOUT on the fake
 * clock, bind/listen errnos with SO_REUSEADDR and TIME_WAIT, crafted
 * segments from the fake peer (bad checksum, bad data offset, ACK to a
 * listener, RST in and out of window, SYN in ESTABLISHED), and a
 * namespace destroyed with open connections.
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
	unsigned gone, readable;
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

static void cb_gone(struct sock *sk, void *ctx)
{
	(void)sk;
	(void)ctx;
	seen.gone++;
}

static const struct sock_ops ops = { .connected = cb_connected, .accept = cb_accept,
				     .readable = cb_readable, .gone = cb_gone };

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

static struct sock *listener(uint32_t addr, uint16_t port)
{
	struct sock *sk = tcp_socket();

	assert_int_equal(sock_bind(sk, addr, port), 0);
	assert_int_equal(sock_listen(sk, 16), 0);
	return sk;
}

static void test_tcp_loopback_transfer_and_close(void **state)
{
	static uint8_t out[300000], in[300000];
	struct sock *l = listener(0, 5000), *c = tcp_socket(), *s;
	unsigned sent = 0, got = 0;
	int n;

	(void)state;
	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + (i >> 9));
	assert_int_equal(sock_connect(c, htonl(0x7f000001), 5000), -EINPROGRESS);
	h_run();
	assert_int_equal(seen.connected, 1);
	assert_int_equal(seen.connect_err, 0);
	assert_non_null(seen.accepted);
	s = seen.accepted;
	assert_mib(ns, TcpActiveOpens, 1);
	assert_mib(ns, TcpPassiveOpens, 1);
	assert_mib(ns, TcpCurrEstab, 2);
	assert_int_equal(tcp_sk(c)->state, TCP_ESTABLISHED);
	assert_true(tcp_sk(c)->wscale_ok);
	assert_true(tcp_sk(c)->tstamp_ok);
	assert_int_equal(sock_recv(s, in, sizeof(in)), -EAGAIN);
	for (unsigned iter = 0; got < sizeof(out); iter++) {
		if (iter > 20000)
			fail_msg("stalled: sent %u got %u c: una %u nxt %u wnd %u cwnd %u s: rcv_nxt %u copied %u",
				 sent, got, tcp_sk(c)->snd_una - tcp_sk(c)->iss, tcp_sk(c)->snd_nxt - tcp_sk(c)->iss,
				 tcp_sk(c)->snd_wnd, tcp_sk(c)->snd_cwnd, tcp_sk(s)->rcv_nxt - tcp_sk(s)->irs,
				 tcp_sk(s)->copied_seq - tcp_sk(s)->irs);
		if (sent < sizeof(out)) {
			n = sock_send(c, out + sent, sizeof(out) - sent);
			if (n > 0)
				sent += (unsigned)n;
			else
				assert_int_equal(n, -EAGAIN);
		}
		h_advance(1000000);
		while ((n = sock_recv(s, in + got, sizeof(in) - got)) > 0)
			got += (unsigned)n;
	}
	assert_memory_equal(in, out, sizeof(out));
	assert_int_equal(sock_shutdown(c, SHUT_WR), 0);
	h_advance(1000000);
	assert_int_equal(sock_recv(s, in, sizeof(in)), 0); /* EOF */
	assert_int_equal(sock_send(c, "x", 1), -EPIPE);
	assert_int_equal(tcp_sk(s)->state, TCP_CLOSE_WAIT);
	sock_close(s);
	h_advance(1000000);
	assert_int_equal(tcp_sk(c)->state, TCP_TIME_WAIT);
	assert_mib(ns, TcpCurrEstab, 0);
	assert_mib(ns, TcpEstabResets, 0);
	assert_mib(ns, TcpRetransSegs, 0);
	sock_close(c);
	sock_close(l);
	/* TIME_WAIT holds the port 60 s; then everything is freed. */
	h_advance(61ull * NSEC_PER_SEC);
	assert_int_equal(timer_count(), 0);
}

static void test_tcp_connect_closed_port_refused(void **state)
{
	struct sock *c = tcp_socket();

	(void)state;
	assert_int_equal(sock_connect(c, htonl(0x7f000001), 9), -EINPROGRESS);
	h_run();
	assert_int_equal(seen.connected, 1);
	assert_int_equal(seen.connect_err, -ECONNREFUSED);
	assert_int_equal(sock_error(c), -ECONNREFUSED);
	assert_int_equal(sock_error(c), 0);
	assert_mib(ns, TcpOutRsts, 1);
	assert_mib(ns, TcpAttemptFails, 1);
	assert_drop(ns, NO_SOCKET, 1);
	assert_int_equal(sock_send(c, "x", 1), -EPIPE); /* Linux: not ENOTCONN */
	assert_int_equal(sock_recv(c, NULL, 0), 0); /* tcp_done shut it down: EOF */
	sock_close(c);
}

static void test_tcp_syn_retries_time_out(void **state)
{
	struct sock *c = tcp_socket();
	unsigned syns = 0;
	struct pkt *tx;

	(void)state;
	ns->sysctl.tcp_syn_retries = 2;
	assert_int_equal(sock_connect(c, h_ip("10.0.0.2"), 80), -EINPROGRESS);
	assert_int_equal(sock_connect(c, h_ip("10.0.0.2"), 80), -EALREADY);
	/* SYN at 0, retries after 1 s and 2 s more, gives up 4 s after that */
	h_advance(6900ull * NSEC_PER_MSEC);
	assert_int_equal(seen.connected, 0);
	h_advance(200ull * NSEC_PER_MSEC);
	assert_int_equal(seen.connected, 1);
	assert_int_equal(seen.connect_err, -ETIMEDOUT);
	while ((tx = h_tx_pop(eth0))) {
		syns++;
		pkt_free(tx);
	}
	assert_int_equal(syns, 3);
	assert_mib(ns, TcpRetransSegs, 2);
	assert_mib(ns, TcpAttemptFails, 1);
	sock_close(c);
}

static void test_tcp_bind_rules(void **state)
{
	struct sock *a = tcp_socket(), *b = tcp_socket(), *d = tcp_socket();

	(void)state;
	assert_int_equal(sock_bind(a, 0, 7000), 0);
	assert_int_equal(sock_bind(a, 0, 7001), -EINVAL); /* bound already */
	assert_int_equal(sock_bind(b, 0, 7000), -EADDRINUSE);
	assert_int_equal(sock_bind(b, h_ip("10.0.0.9"), 7002), -EADDRNOTAVAIL);
	/* SO_REUSEADDR on both: share while neither listens */
	sock_set_reuseaddr(a, true);
	sock_set_reuseaddr(b, true);
	assert_int_equal(sock_bind(b, h_ip("10.0.0.1"), 7000), 0);
	assert_int_equal(sock_listen(a, 5), 0);
	assert_int_equal(sock_listen(b, 5), -EADDRINUSE);
	sock_set_reuseaddr(d, true);
	assert_int_equal(sock_bind(d, 0, 7000), -EADDRINUSE); /* a listens */
	assert_int_equal(sock_accept(b, &d), -EINVAL);
	assert_int_equal(sock_accept(a, &d), -EAGAIN);
	assert_int_equal(sock_shutdown(b, SHUT_WR), -ENOTCONN);
	assert_int_equal(sock_recv(a, NULL, 0), -ENOTCONN);
	sock_close(a);
	sock_close(b);
	sock_close(d);
}

static void test_tcp_ephemeral_ports_from_ip_local_port_range(void **state)
{
	struct sock *a = tcp_socket(), *b = tcp_socket(), *d = tcp_socket();
	char v[32];

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_local_port_range", "40000 40001", NULL), 0);
	assert_int_equal(sysctl_get(ns, "net.ipv4.ip_local_port_range", v, sizeof(v)), 0);
	assert_string_equal(v, "40000\t40001");
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_local_port_range", "5 4", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_local_port_range", "0 4", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_local_port_range", "1000", NULL), -EINVAL);
	/* listen() on an unbound socket takes an ephemeral port */
	assert_int_equal(sock_listen(a, 1), 0);
	assert_int_equal(sock_listen(b, 1), 0);
	assert_in_range(sock_port(a), 40000, 40001);
	assert_in_range(sock_port(b), 40000, 40001);
	assert_int_not_equal(sock_port(a), sock_port(b));
	assert_int_equal(sock_listen(d, 1), -EADDRINUSE);
	assert_int_equal(sock_connect(d, htonl(0x7f000001), sock_port(a)), -EADDRNOTAVAIL);
	sock_close(a);
	assert_int_equal(sock_connect(d, htonl(0x7f000001), sock_port(b)), -EINPROGRESS);
	assert_int_equal(sock_port(d), 40000 + 40001 - sock_port(b));
	h_run();
	assert_int_equal(seen.connect_err, 0);
	sock_close(b);
	sock_close(d);
	sock_close(seen.accepted);
}

static void test_tcp_time_wait_blocks_bind_without_reuseaddr(void **state)
{
	struct sock *l = tcp_socket(), *c = tcp_socket(), *s, *n1;

	(void)state;
	assert_int_equal(sock_bind(l, 0, 6000), 0);
	assert_int_equal(sock_listen(l, 4), 0);
	assert_int_equal(sock_connect(c, htonl(0x7f000001), 6000), -EINPROGRESS);
	h_run();
	s = seen.accepted;
	assert_non_null(s);
	/* the server closes first: its socket goes to TIME_WAIT on port 6000 */
	sock_close(s);
	h_advance(NSEC_PER_MSEC);
	sock_close(c);
	sock_close(l);
	h_advance(NSEC_PER_MSEC);
	n1 = tcp_socket();
	assert_int_equal(sock_bind(n1, 0, 6000), -EADDRINUSE);
	sock_set_reuseaddr(n1, true);
	assert_int_equal(sock_bind(n1, 0, 6000), -EADDRINUSE); /* the old one had no reuse */
	h_advance(61ull * NSEC_PER_SEC);
	assert_int_equal(sock_bind(n1, 0, 6000), 0);
	sock_close(n1);
}

/* A segment from the fake peer 10.0.0.2:@sport to 10.0.0.1:@dport. */
static void rx_tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		   unsigned doff, const void *data, unsigned len, bool bad_csum)
{
	uint8_t seg[256], f[400];
	struct tcphdr *th = (struct tcphdr *)seg;
	size_t n;
	uint16_t c;

	memset(seg, 0, sizeof(seg));
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff_res = (uint8_t)(doff / 4 << 4);
	th->flags = flags;
	th->window = htons(65535);
	/* doff over 40: a header that claims more than the segment holds */
	unsigned hl = doff > 40 ? 20 : MAX(doff, 20u);

	if (len)
		memcpy(seg + hl, data, len);
	n = hl + len;
	c = csum_fold(csum_tcpudp_nofold(h_ip("10.0.0.2"), h_ip("10.0.0.1"), (uint16_t)n,
					 IPPROTO_TCP, csum_partial(seg, n, 0)));
	th->check = bad_csum ? (uint16_t)(c ^ 1) : c;
	size_t m = h_eth(f, H_HOST_MAC, H_PEER_MAC, ETH_P_IP);
	m += h_ipv4(f + m, "10.0.0.2", "10.0.0.1", IPPROTO_TCP, 64, seg, n);
	h_rx(eth0, f, m);
	h_run();
}

static const struct tcphdr *tx_tcp(struct pkt *tx)
{
	return (const struct tcphdr *)(tx->data + ETH_HLEN + 20);
}

static void test_tcp_bad_segments_are_counted(void **state)
{
	struct pkt *tx;

	(void)state;
	rx_tcp(1000, 80, 1, 0, TCPHDR_SYN, 20, NULL, 0, true);
	assert_drop(ns, TCP_CSUM, 1);
	assert_mib(ns, TcpInCsumErrors, 1);
	assert_mib(ns, TcpInErrs, 1);
	rx_tcp(1000, 80, 1, 0, TCPHDR_SYN, 16, NULL, 0, false);
	assert_mib(ns, TcpInErrs, 2);
	assert_drop(ns, PKT_TOO_SMALL, 1);
	/* data offset past the segment: dropped, not an InErr */
	rx_tcp(1000, 80, 1, 0, TCPHDR_SYN, 60, NULL, 0, false);
	assert_int_equal(ns->drop[DROP_PKT_TOO_SMALL], 2);
	assert_int_equal(h_tx_count(eth0), 0);
	/* a SYN to a closed port: RST|ACK acking it */
	rx_tcp(1000, 80, 1, 0, TCPHDR_SYN, 20, NULL, 0, false);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_RST | TCPHDR_ACK);
	assert_int_equal(ntohl(tx_tcp(tx)->ack_seq), 2);
	pkt_free(tx);
	/* a RST to a closed port gets nothing back */
	rx_tcp(1000, 80, 1, 0, TCPHDR_RST, 20, NULL, 0, false);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_mib(ns, TcpInSegs, 5);
	assert_mib(ns, TcpOutRsts, 1);
}

/* Open a connection from the fake peer to a listener on port 80; returns
 * the server's ISN + 1 (the first sequence it sends). */
static uint32_t peer_connect(struct sock **srv)
{
	struct pkt *tx;
	uint32_t iss;

	rx_tcp(1000, 80, 100, 0, TCPHDR_SYN, 20, NULL, 0, false);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_SYN | TCPHDR_ACK);
	assert_int_equal(ntohl(tx_tcp(tx)->ack_seq), 101);
	iss = ntohl(tx_tcp(tx)->seq);
	pkt_free(tx);
	rx_tcp(1000, 80, 101, iss + 1, TCPHDR_ACK, 20, NULL, 0, false);
	assert_non_null(seen.accepted);
	*srv = seen.accepted;
	assert_int_equal(tcp_sk(*srv)->state, TCP_ESTABLISHED);
	/* no options from the peer: none used, MSS 536 */
	assert_false(tcp_sk(*srv)->wscale_ok);
	assert_int_equal(tcp_sk(*srv)->mss_cache, 536);
	return iss + 1;
}

static void test_tcp_established_crafted_segments(void **state)
{
	struct sock *l = listener(0, 80), *s;
	uint8_t buf[64];
	struct pkt *tx;
	uint32_t snd;

	(void)state;
	/* an ACK to a listener: RST with its ack as sequence */
	rx_tcp(999, 80, 5, 777, TCPHDR_ACK, 20, NULL, 0, false);
	tx = h_tx_pop(eth0);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_RST);
	assert_int_equal(ntohl(tx_tcp(tx)->seq), 777);
	pkt_free(tx);

	snd = peer_connect(&s);
	/* out of order data then the hole: a dup ACK, then all of it */
	rx_tcp(1000, 80, 106, snd, TCPHDR_ACK, 20, "world", 5, false);
	tx = h_tx_pop(eth0);
	assert_int_equal(ntohl(tx_tcp(tx)->ack_seq), 101);
	pkt_free(tx);
	assert_int_equal(sock_recv(s, buf, sizeof(buf)), -EAGAIN);
	rx_tcp(1000, 80, 101, snd, TCPHDR_ACK, 20, "hello", 5, false);
	tx = h_tx_pop(eth0);
	assert_int_equal(ntohl(tx_tcp(tx)->ack_seq), 111);
	pkt_free(tx);
	assert_int_equal(sock_recv(s, buf, sizeof(buf)), 10);
	assert_memory_equal(buf, "helloworld", 10);
	/* old data again: a duplicate ACK, dropped as old */
	rx_tcp(1000, 80, 101, snd, TCPHDR_ACK, 20, "hello", 5, false);
	assert_drop(ns, TCP_OLD_SEQUENCE, 1);
	assert_int_equal(h_tx_count(eth0), 1);
	/* part old, part new: the new part is taken */
	rx_tcp(1000, 80, 109, snd, TCPHDR_ACK, 20, "ldXY", 4, false);
	assert_int_equal(sock_recv(s, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "XY", 2);
	h_tx_flush(eth0);
	/* a SYN in ESTABLISHED: challenge ACK, InErrs */
	rx_tcp(1000, 80, 500, 0, TCPHDR_SYN, 20, NULL, 0, false);
	tx = h_tx_pop(eth0);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_ACK);
	assert_int_equal(ntohl(tx_tcp(tx)->ack_seq), 113);
	pkt_free(tx);
	assert_mib(ns, TcpInErrs, 1);
	/* RST in window but not exact: challenge ACK, the connection lives
	 * (once tcp_invalid_ratelimit has passed since the last one) */
	h_advance(500ull * NSEC_PER_MSEC);
	h_tx_flush(eth0);
	rx_tcp(1000, 80, 120, 0, TCPHDR_RST, 20, NULL, 0, false);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_ACK);
	pkt_free(tx);
	assert_int_equal(tcp_sk(s)->state, TCP_ESTABLISHED);
	/* RST out of window: dropped without an answer */
	rx_tcp(1000, 80, 100 + 0x40000000u, 0, TCPHDR_RST, 20, NULL, 0, false);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_int_equal(tcp_sk(s)->state, TCP_ESTABLISHED);
	/* the exact RST resets it */
	rx_tcp(1000, 80, 113, 0, TCPHDR_RST, 20, NULL, 0, false);
	assert_int_equal(tcp_sk(s)->state, TCP_CLOSE);
	assert_int_equal(sock_recv(s, buf, sizeof(buf)), -ECONNRESET);
	assert_mib(ns, TcpEstabResets, 1);
	assert_mib(ns, TcpCurrEstab, 0);
	sock_close(s);
	sock_close(l);
}

static void test_tcp_retransmits_with_backoff_and_unread_close_resets(void **state)
{
	struct sock *l = listener(0, 80), *s;
	struct pkt *tx;
	uint32_t snd;

	(void)state;
	snd = peer_connect(&s);
	assert_int_equal(sock_send(s, "abc", 3), 3);
	tx = h_tx_pop(eth0);
	assert_int_equal(ntohl(tx_tcp(tx)->seq), snd);
	pkt_free(tx);
	/* no ACK: resent after the RTO (1 s before any RTT sample... the
	 * handshake gave one, so at least the 200 ms floor), then doubled */
	h_advance(199ull * NSEC_PER_MSEC);
	assert_int_equal(h_tx_count(eth0), 0);
	h_advance(2ull * NSEC_PER_MSEC);
	assert_int_equal(h_tx_count(eth0), 1);
	h_advance(398ull * NSEC_PER_MSEC);
	assert_int_equal(h_tx_count(eth0), 1);
	h_advance(3ull * NSEC_PER_MSEC);
	assert_int_equal(h_tx_count(eth0), 2);
	assert_mib(ns, TcpRetransSegs, 2);
	h_tx_flush(eth0);
	rx_tcp(1000, 80, 101, snd + 3, TCPHDR_ACK, 20, "zz", 2, false);
	h_tx_flush(eth0);
	/* closing with unread data sends a RST (RFC 2525 2.17) */
	sock_close(s);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_true(tx_tcp(tx)->flags & TCPHDR_RST);
	pkt_free(tx);
	assert_mib(ns, TcpEstabResets, 1);
	sock_close(l);
}

static void test_tcp_netns_destroy_frees_connections(void **state)
{
	struct sock *l = listener(0, 5000), *c = tcp_socket();

	(void)state;
	(void)l;
	assert_int_equal(sock_connect(c, htonl(0x7f000001), 5000), -EINPROGRESS);
	h_run();
	assert_int_equal(sock_send(c, "data", 4), 4);
	h_run();
	assert_non_null(seen.accepted);
	sock_set_cb(seen.accepted, &ops, NULL);
	h_ns_destroy(ns);
	assert_int_equal(seen.gone, 3); /* listener, client, accepted */
	assert_int_equal(timer_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_loopback_transfer_and_close, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_connect_closed_port_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_syn_retries_time_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_bind_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_ephemeral_ports_from_ip_local_port_range,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_time_wait_blocks_bind_without_reuseaddr,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_bad_segments_are_counted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_established_crafted_segments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_tcp_retransmits_with_backoff_and_unread_close_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_netns_destroy_frees_connections, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
