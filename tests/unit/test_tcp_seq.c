// SPDX-License-Identifier: MIT
/*
 * TCP sequence space and segment size over a connection's life: a
 * connection keeps sending once more than 2 GiB, and exactly 4 GiB, have
 * been acknowledged (snd_una - iss past 2^31 and back at 0: "is our SYN
 * acknowledged" cannot be read from snd_una), and a frag-needed on a
 * connection with timestamps lowers the MSS so that the retransmitted
 * segment, options included, fits the reported MTU.
 */
#include <errno.h>

#include "tests/unit/harness/harness.h"
#include "tests/unit/harness/h_tcp.h"

#include "core/csum.h"
#include "netns/core/sock.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/tcp.h"

static struct netns *ns;
static struct netdev *eth0;

static int setup(void **state)
{
	(void)state;
	ns = h_tcp_host(&eth0);
	return 0;
}

static struct sock *tcp_socket(void)
{
	return h_tcp_socket(ns);
}

/* Send @len bytes c -> s over lo; fails if they do not all arrive. */
static void transfer(struct sock *c, struct sock *s, unsigned len)
{
	static uint8_t out[200000], in[200000];
	unsigned sent = 0, got = 0;
	int n;

	assert_true(len <= sizeof(out));
	for (unsigned i = 0; i < len; i++)
		out[i] = (uint8_t)(i * 13 + (i >> 8));
	for (unsigned iter = 0; got < len; iter++) {
		if (iter > 5000)
			fail_msg("stalled: sent %u got %u (una - iss %u)", sent, got,
				 tcp_sk(c)->snd_una - tcp_sk(c)->iss);
		if (sent < len) {
			n = sock_send(c, out + sent, len - sent);
			if (n > 0)
				sent += (unsigned)n;
			else
				assert_int_equal(n, -EAGAIN);
		}
		h_advance(1000000);
		while ((n = sock_recv(s, in + got, len - got)) > 0)
			got += (unsigned)n;
	}
	assert_memory_equal(in, out, len);
}

static void test_tcp_keeps_sending_past_2gib_and_4gib(void **state)
{
	struct sock *l = h_tcp_listener(ns, 0, 5000, 16), *c = tcp_socket();
	struct tcp_sock *tp = tcp_sk(c);

	(void)state;
	assert_int_equal(sock_connect(c, htonl(0x7f000001), 5000), -EINPROGRESS);
	h_run();
	assert_non_null(h_tcp.accepted);
	transfer(c, h_tcp.accepted, 100000);
	/* As if 3 GiB had been acknowledged: snd_una is before(iss + 1). */
	tp->iss = tp->snd_una - 0xc0000000u;
	transfer(c, h_tcp.accepted, 200000);
	/* As if exactly 4 GiB had: snd_una == iss again. */
	tp->iss = tp->snd_una;
	transfer(c, h_tcp.accepted, 200000);
	assert_mib(ns, TcpRetransSegs, 0);
	sock_close(c);
	sock_close(h_tcp.accepted);
	sock_close(l);
}

/* The fake peer 10.0.0.2:80 sends @flags with MSS 1460 and timestamps. */
static void rx_tcp_ts(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t tsecr, uint16_t sport)
{
	uint8_t seg[40], f[128];
	struct tcphdr *th = (struct tcphdr *)seg;
	uint32_t tsval = htonl(1000), ecr = htonl(tsecr);
	size_t m;

	memset(seg, 0, sizeof(seg));
	th->source = htons(80);
	th->dest = htons(sport);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff_res = 36 / 4 << 4;
	th->flags = flags;
	th->window = htons(65535);
	memcpy(seg + 20, "\x02\x04\x05\xb4\x01\x01\x08\x0a", 8);
	memcpy(seg + 28, &tsval, 4);
	memcpy(seg + 32, &ecr, 4);
	th->check = csum_fold(csum_tcpudp_nofold(h_ip("10.0.0.2"), h_ip("10.0.0.1"), 36, IPPROTO_TCP,
						 csum_partial(seg, 36, 0)));
	m = h_eth(f, H_HOST_MAC, H_PEER_MAC, ETH_P_IP);
	m += h_ipv4(f + m, "10.0.0.2", "10.0.0.1", IPPROTO_TCP, 64, seg, 36);
	h_rx(eth0, f, m);
	h_run();
}

static uint32_t tx_tsval(const struct pkt *tx)
{
	const uint8_t *o = tx->data + ETH_HLEN + 20 + 20;
	const uint8_t *end = tx->data + ETH_HLEN + 20 +
			     (((const struct tcphdr *)(tx->data + ETH_HLEN + 20))->doff_res >> 4) * 4u;
	uint32_t v;

	while (o < end && *o != TCPOPT_TIMESTAMP)
		o += *o == TCPOPT_NOP ? 1 : o[1];
	assert_true(o < end);
	memcpy(&v, o + 2, 4);
	return ntohl(v);
}

static void test_tcp_frag_needed_mss_counts_timestamps(void **state)
{
	static uint8_t data[4000];
	struct sock *c = tcp_socket();
	const struct iphdr *iph;
	const struct tcphdr *th;
	uint8_t icmp[8 + 28], f[128];
	uint16_t mtu = htons(1400), csum, sport;
	struct pkt *tx;
	uint32_t iss;
	size_t m;

	(void)state;
	assert_int_equal(sock_connect(c, h_ip("10.0.0.2"), 80), -EINPROGRESS);
	h_run();
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	th = (const struct tcphdr *)(tx->data + ETH_HLEN + 20);
	iss = ntohl(th->seq);
	sport = ntohs(th->source);
	rx_tcp_ts(5000, iss + 1, TCPHDR_SYN | TCPHDR_ACK, tx_tsval(tx), sport);
	pkt_free(tx);
	assert_int_equal(tcp_sk(c)->state, TCP_ESTABLISHED);
	assert_true(tcp_sk(c)->tstamp_ok);
	assert_int_equal(tcp_sk(c)->mss_cache, 1448);
	h_tx_flush(eth0); /* the handshake's ACK */

	assert_int_equal(sock_send(c, data, sizeof(data)), (int)sizeof(data));
	h_run();
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	iph = (const struct iphdr *)(tx->data + ETH_HLEN);
	assert_int_equal(ntohs(iph->tot_len), 1500);
	h_tx_flush(eth0);

	/* A router on the way: frag needed, MTU 1400, quoting that segment. */
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = ICMP_DEST_UNREACH;
	icmp[1] = ICMP_FRAG_NEEDED;
	memcpy(icmp + 6, &mtu, 2);
	memcpy(icmp + 8, iph, 28);
	csum = ip_compute_csum(icmp, sizeof(icmp));
	memcpy(icmp + 2, &csum, 2);
	pkt_free(tx);
	m = h_eth(f, H_HOST_MAC, H_PEER_MAC, ETH_P_IP);
	m += h_ipv4(f + m, "10.0.0.2", "10.0.0.1", IPPROTO_ICMP, 64, icmp, sizeof(icmp));
	h_rx(eth0, f, m);
	h_run();

	/* 1400 - 20 - 20 - 12: the resent segment fits, timestamps and all */
	assert_int_equal(tcp_sk(c)->mss_cache, 1348);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	iph = (const struct iphdr *)(tx->data + ETH_HLEN);
	assert_int_equal(ntohs(iph->tot_len), 1400);
	assert_int_equal(ntohl(((const struct tcphdr *)(tx->data + ETH_HLEN + 20))->seq), iss + 1);
	pkt_free(tx);
	sock_close(c);
}

/* Nagle with Minshall's change (tcp_nagle_check): a short segment goes
 * at once unless an earlier short one is unacknowledged; a full segment
 * in flight does not hold it back (classic Nagle would, and then the
 * peer's delayed ACK costs 40 ms per write). */
static void test_tcp_nagle_minshall(void **state)
{
	static uint8_t data[1448 + 100];
	struct sock *c = tcp_socket();
	const struct tcphdr *th;
	uint32_t iss;
	uint16_t sport;
	struct pkt *tx;

	(void)state;
	assert_int_equal(sock_connect(c, h_ip("10.0.0.2"), 80), -EINPROGRESS);
	h_run();
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	th = (const struct tcphdr *)(tx->data + ETH_HLEN + 20);
	iss = ntohl(th->seq);
	sport = ntohs(th->source);
	rx_tcp_ts(5000, iss + 1, TCPHDR_SYN | TCPHDR_ACK, tx_tsval(tx), sport);
	pkt_free(tx);
	h_tx_flush(eth0);
	assert_int_equal(tcp_sk(c)->mss_cache, 1448);

	/* a full segment and a short one: both leave now */
	assert_int_equal(sock_send(c, data, sizeof(data)), (int)sizeof(data));
	h_run();
	assert_int_equal(h_tx_count(eth0), 2);
	h_tx_flush(eth0);
	/* another short write while that short segment is unacknowledged:
	 * held */
	assert_int_equal(sock_send(c, data, 50), 50);
	h_run();
	assert_int_equal(h_tx_count(eth0), 0);
	/* everything ACKed: it goes */
	rx_tcp_ts(5001, iss + 1 + sizeof(data), TCPHDR_ACK, 0, sport);
	assert_int_equal(h_tx_count(eth0), 1);
	h_tx_flush(eth0);
	sock_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_keeps_sending_past_2gib_and_4gib, setup,
						h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_frag_needed_mss_counts_timestamps, setup,
						h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_nagle_minshall, setup, h_cm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
