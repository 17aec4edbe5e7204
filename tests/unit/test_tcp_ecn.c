// SPDX-License-Identifier: MIT
/*
 * ECN for TCP (RFC 3168, netns/ipv4/tcp_ecn.c) against a fake peer: the
 * negotiation both ways under net.ipv4.tcp_ecn 0/1/2, ECT(0) on new data
 * only, the ECE echo of a CE mark held until the peer's CWR, the sender's
 * one reduction per window (the CWR state) with CWR on its next data, an
 * ECT SYN refused, and tcp_ecn_fallback's SYN retransmission without ECN.
 */
#include <errno.h>

#include "tests/unit/harness/harness.h"
#include "tests/unit/harness/h_tcp.h"

#include "core/csum.h"
#include "netns/core/sock.h"
#include "netns/core/sysctl.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/tcp.h"

#define ECT0 2
#define CE 3

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

/* The fake peer 10.0.0.2:@sport -> 10.0.0.1:@dport, @len bytes of data,
 * IP ECN field @ecn, no options. */
static void rx(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, unsigned len,
	       uint8_t ecn)
{
	uint8_t seg[20 + 1000], f[14 + 20 + sizeof(seg)];
	struct tcphdr *th = (struct tcphdr *)seg;
	size_t m;
	uint16_t c;

	memset(seg, 'd', sizeof(seg));
	memset(th, 0, sizeof(*th));
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff_res = 5 << 4;
	th->flags = flags;
	th->window = htons(65535);
	th->check = csum_fold(csum_tcpudp_nofold(h_ip("10.0.0.2"), h_ip("10.0.0.1"),
						 (uint16_t)(20 + len), IPPROTO_TCP,
						 csum_partial(seg, 20 + len, 0)));
	m = h_eth(f, H_HOST_MAC, H_PEER_MAC, ETH_P_IP);
	m += h_ipv4(f + m, "10.0.0.2", "10.0.0.1", IPPROTO_TCP, 64, seg, 20 + len);
	f[ETH_HLEN + 1] = ecn;
	memset(f + ETH_HLEN + 10, 0, 2);
	c = ip_compute_csum(f + ETH_HLEN, 20);
	memcpy(f + ETH_HLEN + 10, &c, 2);
	h_rx(eth0, f, m);
	h_run();
}

static const struct iphdr *tx_ip(const struct pkt *tx)
{
	return (const struct iphdr *)(tx->data + ETH_HLEN);
}

static const struct tcphdr *tx_tcp(const struct pkt *tx)
{
	return (const struct tcphdr *)(tx->data + ETH_HLEN + 20);
}

static unsigned tx_datalen(const struct pkt *tx)
{
	return ntohs(tx_ip(tx)->tot_len) - 20u - (tx_tcp(tx)->doff_res >> 4) * 4u;
}

/* Pop the next segment, expecting @flags; returns its sequence. */
static uint32_t expect_tx(uint8_t flags, uint8_t ecn, unsigned *len)
{
	struct pkt *tx = h_tx_pop(eth0);
	uint32_t seq;

	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, flags);
	assert_int_equal(tx_ip(tx)->tos & 3, ecn);
	seq = ntohl(tx_tcp(tx)->seq);
	if (len)
		*len = tx_datalen(tx);
	pkt_free(tx);
	return seq;
}

static void set_ecn(const char *v)
{
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_ecn", v, NULL), 0);
}

/* Connect to the fake peer :80; the peer's SYN-ACK carries @synack_flags
 * beside SYN|ACK. Returns our next sequence. */
static uint32_t active_open(struct sock *c, uint8_t syn_flags, uint8_t synack_flags, uint16_t *sport)
{
	struct pkt *tx;
	uint32_t iss;

	assert_int_equal(sock_connect(c, h_ip("10.0.0.2"), 80), -EINPROGRESS);
	h_run();
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_SYN | syn_flags);
	assert_int_equal(tx_ip(tx)->tos & 3, 0); /* a SYN is never ECT */
	iss = ntohl(tx_tcp(tx)->seq);
	*sport = ntohs(tx_tcp(tx)->source);
	pkt_free(tx);
	rx(80, *sport, 7000, iss + 1, TCPHDR_SYN | TCPHDR_ACK | synack_flags, 0, 0);
	assert_int_equal(tcp_sk(c)->state, TCP_ESTABLISHED);
	expect_tx(TCPHDR_ACK, 0, NULL);
	return iss + 1;
}

static void test_ecn_default_does_not_ask(void **state)
{
	struct sock *c = tcp_socket();
	uint16_t sport;

	(void)state;
	assert_int_equal(ns->sysctl.tcp_ecn, 2);
	active_open(c, 0, TCPHDR_ECE, &sport);
	assert_false(tcp_sk(c)->ecn_flags & TCP_ECN_OK);
	assert_int_equal(sock_send(c, "x", 1), 1);
	h_run();
	expect_tx(TCPHDR_ACK | TCPHDR_PSH, 0, NULL); /* not ECT */
	sock_close(c);
}

static void test_ecn_sender_reduces_once_per_window_and_sends_cwr(void **state)
{
	static uint8_t data[8 * 1000];
	struct sock *c = tcp_socket();
	struct tcp_sock *tp = tcp_sk(c);
	uint32_t snd, cwnd, seq;
	uint16_t sport;
	unsigned len, sent = 0;

	(void)state;
	set_ecn("1");
	snd = active_open(c, TCPHDR_ECE | TCPHDR_CWR, TCPHDR_ECE, &sport);
	assert_true(tp->ecn_flags & TCP_ECN_OK);
	assert_int_equal(sock_send(c, data, 4 * 536), 4 * 536);
	h_run();
	for (int i = 0; i < 4; i++) {
		expect_tx(TCPHDR_ACK | (i == 3 ? TCPHDR_PSH : 0), ECT0, &len);
		sent += len;
	}
	assert_int_equal(sent, 4 * 536);
	assert_int_equal(h_tx_count(eth0), 0);

	/* the peer echoes a CE mark: ssthresh and cwnd halve, state CWR */
	cwnd = tp->snd_cwnd;
	rx(80, sport, 7001, snd + 536, TCPHDR_ACK | TCPHDR_ECE, 0, 0);
	assert_int_equal(tp->ca_state, TCP_CA_CWR);
	assert_true(tp->snd_ssthresh < cwnd);
	assert_int_equal(tp->snd_cwnd, tp->snd_ssthresh);
	/* a second echo in the same window changes nothing */
	cwnd = tp->snd_cwnd;
	rx(80, sport, 7001, snd + 2 * 536, TCPHDR_ACK | TCPHDR_ECE, 0, 0);
	assert_int_equal(tp->snd_cwnd, cwnd);
	assert_int_equal(tp->ca_state, TCP_CA_CWR);

	/* the next new data carries CWR (once), still ECT(0) */
	assert_int_equal(sock_send(c, data, 2 * 536), 2 * 536);
	h_run();
	seq = expect_tx(TCPHDR_ACK | TCPHDR_CWR, ECT0, &len);
	assert_int_equal(seq, snd + 4 * 536);
	expect_tx(TCPHDR_ACK | TCPHDR_PSH, ECT0, NULL);
	/* a retransmission is not ECN-capable (RFC 3168 6.1.5) */
	h_advance(2ull * NSEC_PER_SEC);
	seq = expect_tx(TCPHDR_ACK | TCPHDR_PSH, 0, NULL);
	assert_int_equal(seq, snd + 2 * 536);
	h_tx_flush(eth0);

	/* everything up to beyond high_seq ACKed: CWR is over */
	rx(80, sport, 7001, snd + 6 * 536, TCPHDR_ACK, 0, 0);
	assert_int_equal(tp->ca_state, TCP_CA_Open);
	sock_close(c);
}

/* A peer's SYN to our listener on :80; returns our ISN + 1 after the
 * handshake, the SYN-ACK's flags in *synack. */
static uint32_t passive_open(uint8_t syn_flags, uint8_t syn_ecn, uint8_t *synack)
{
	struct pkt *tx;
	uint32_t iss;

	rx(1000, 80, 100, 0, TCPHDR_SYN | syn_flags, 0, syn_ecn);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	*synack = tx_tcp(tx)->flags;
	assert_int_equal(tx_ip(tx)->tos & 3, 0);
	iss = ntohl(tx_tcp(tx)->seq);
	pkt_free(tx);
	rx(1000, 80, 101, iss + 1, TCPHDR_ACK, 0, 0);
	assert_non_null(h_tcp.accepted);
	return iss + 1;
}

static struct sock *listen_80(void)
{
	return h_tcp_listener(ns, 0, 80, 16);
}

static void test_ecn_receiver_echoes_ce_until_cwr(void **state)
{
	struct sock *l = listen_80();
	uint8_t synack;
	uint32_t snd;

	(void)state;
	/* tcp_ecn 2 (the default) accepts a request */
	snd = passive_open(TCPHDR_ECE | TCPHDR_CWR, 0, &synack);
	assert_int_equal(synack, TCPHDR_SYN | TCPHDR_ACK | TCPHDR_ECE);
	assert_true(tcp_sk(h_tcp.accepted)->ecn_flags & TCP_ECN_OK);

	/* data marked CE: ACKed at once, with ECE */
	rx(1000, 80, 101, snd, TCPHDR_ACK, 500, CE);
	expect_tx(TCPHDR_ACK | TCPHDR_ECE, 0, NULL);
	assert_true(tcp_sk(h_tcp.accepted)->ecn_flags & TCP_ECN_SEEN);
	/* later data, not marked: the echo goes on until CWR */
	rx(1000, 80, 601, snd, TCPHDR_ACK, 500, ECT0);
	rx(1000, 80, 1101, snd, TCPHDR_ACK, 500, ECT0);
	expect_tx(TCPHDR_ACK | TCPHDR_ECE, 0, NULL);
	/* the sender's CWR: the echo stops, and that data is ACKed at once */
	rx(1000, 80, 1601, snd, TCPHDR_ACK | TCPHDR_CWR, 500, ECT0);
	expect_tx(TCPHDR_ACK, 0, NULL);
	assert_int_equal(h_tx_count(eth0), 0);
	sock_close(h_tcp.accepted);
	sock_close(l);
}

static void test_ecn_off_or_ect_syn_is_not_negotiated(void **state)
{
	struct sock *l = listen_80();
	uint8_t synack;
	uint32_t snd;

	(void)state;
	set_ecn("0");
	snd = passive_open(TCPHDR_ECE | TCPHDR_CWR, 0, &synack);
	assert_int_equal(synack, TCPHDR_SYN | TCPHDR_ACK);
	/* without ECN a CE mark is not echoed */
	rx(1000, 80, 101, snd, TCPHDR_ACK, 500, CE);
	h_advance(NSEC_PER_SEC);
	expect_tx(TCPHDR_ACK, 0, NULL);
	sock_close(h_tcp.accepted);
	h_tcp.accepted = NULL;
	h_advance(NSEC_PER_SEC);
	h_tx_flush(eth0);

	/* an ECN-capable SYN is a broken middlebox's: no ECN */
	set_ecn("2");
	rx(1001, 80, 100, 0, TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, 0, ECT0);
	expect_tx(TCPHDR_SYN | TCPHDR_ACK, 0, NULL);
	sock_close(l);
}

static void test_ecn_fallback_retransmits_syn_without_ecn(void **state)
{
	struct sock *c = tcp_socket();

	(void)state;
	set_ecn("1");
	assert_int_equal(sock_connect(c, h_ip("10.0.0.2"), 80), -EINPROGRESS);
	h_run();
	expect_tx(TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, 0, NULL);
	h_advance(1100 * NSEC_PER_MSEC); /* the initial RTO, 1 s */
	expect_tx(TCPHDR_SYN, 0, NULL);
	assert_false(tcp_sk(c)->ecn_flags & TCP_ECN_OK);
	/* with the fallback off, the retransmission still asks */
	sock_close(c);
	h_tx_flush(eth0);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_ecn_fallback", "0", NULL), 0);
	c = tcp_socket();
	assert_int_equal(sock_connect(c, h_ip("10.0.0.2"), 80), -EINPROGRESS);
	h_run();
	expect_tx(TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, 0, NULL);
	h_advance(1100 * NSEC_PER_MSEC);
	expect_tx(TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR, 0, NULL);
	/* the sysctls' ranges, as the kernel's */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_ecn", "3", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_ecn_fallback", "2", NULL), -EINVAL);
	assert_int_equal(ns->sysctl.tcp_ecn, 1);
	sock_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ecn_default_does_not_ask, setup, h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_ecn_sender_reduces_once_per_window_and_sends_cwr,
						setup, h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_ecn_receiver_echoes_ce_until_cwr, setup, h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_ecn_off_or_ect_syn_is_not_negotiated, setup,
						h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_ecn_fallback_retransmits_syn_without_ecn, setup,
						h_cm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
