// SPDX-License-Identifier: MIT
/*
 * SACK and D-SACK (RFC 2018, 2883) and RFC 6675 recovery: a transfer
 * between two namespaces whose wire (this test) drops chosen segments
 * recovers with fewer retransmissions with SACK than with NewReno; the
 * blocks an out-of-order receiver sends (most recent first, 4 or 3
 * beside timestamps); a D-SACK for a duplicate, old or out of order, and
 * for the overlap of partly duplicate data; SACK-permitted in the
 * handshake only when both sides and net.ipv4.tcp_sack agree; malformed
 * SACK options and blocks outside the window ignored and counted
 * (TCPSACKDiscard, TCPDSACKIgnored*); a recovery driven by crafted SACKs
 * retransmitting the holes only; an RTO in recovery
 * (TCPSackRecoveryFail) after which only unSACKed data is resent; late
 * data (TCPSACKReorder) and a receiver that drops what it SACKed
 * (TCPSACKReneging) counted.
 */
#include <errno.h>
#include <stdlib.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/core/sock.h"
#include "netns/core/sysctl.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/tcp.h"

static struct netns *ns, *nsb;
static uint16_t peer_port = 1000; /* the fake peer's, in crafted segments */
static struct netdev *eth0, *ethb;

static struct {
	struct sock *accepted;
	int connected;
} seen;

static void cb_connected(struct sock *sk, int err, void *ctx)
{
	(void)sk;
	(void)ctx;
	assert_int_equal(err, 0);
	seen.connected++;
}

static void cb_accept(struct sock *sk, struct sock *newsk, void *ctx)
{
	(void)sk;
	(void)ctx;
	seen.accepted = newsk;
}

static const struct sock_ops ops = { .connected = cb_connected, .accept = cb_accept };

static int setup(void **state)
{
	(void)state;
	memset(&seen, 0, sizeof(seen));
	peer_port = 1000;
	ns = h_host("a", &eth0);
	nsb = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

static struct sock *tcp_socket(struct netns *n)
{
	struct sock *sk;

	assert_int_equal(sock_create(n, AF_INET, SOCK_STREAM, 0, &ops, NULL, &sk), 0);
	return sk;
}

/* ---- two namespaces, the test as the wire between them ---- */

/* Namespace b: 10.0.0.2 on its fake eth0 (H_PEER_MAC), a's eth0 its
 * neighbour; what one transmits the test hands to the other. */
static void peer_host(void)
{
	nsb = h_ns("b");
	ethb = h_fake_dev(nsb, "eth0", H_PEER_MAC);
	assert_int_equal(dev_open(nsb->lo), 0);
	assert_int_equal(inet_addr_add(ethb, h_ip("10.0.0.2"), 24, h_ip("10.0.0.255"),
				       RT_SCOPE_UNIVERSE, "eth0", NULL),
			 0);
	h_neigh(ethb, "10.0.0.1", H_HOST_MAC);
	h_run();
	h_tx_flush(ethb);
}

static const struct tcphdr *frame_tcp(const struct pkt *tx)
{
	return (const struct tcphdr *)(tx->data + ETH_HLEN + 20);
}

static unsigned frame_payload(const struct pkt *tx)
{
	return tx->len - ETH_HLEN - 20 - tcp_doff(frame_tcp(tx));
}

/* The wire drops a's data segments that start at one of @drop's
 * offsets in the stream, each as many times as its entry says. */
struct wire_drop {
	uint32_t off;
	unsigned times;
};

static struct {
	struct wire_drop *drop;
	unsigned ndrop;
	uint32_t isn;	/* a's first data byte */
} wire;

static bool wire_drops(const struct pkt *tx)
{
	uint32_t off = ntohl(frame_tcp(tx)->seq) - wire.isn;

	if (!frame_payload(tx))
		return false;
	for (unsigned i = 0; i < wire.ndrop; i++) {
		if (wire.drop[i].off == off && wire.drop[i].times) {
			wire.drop[i].times--;
			return true;
		}
	}
	return false;
}

/* Move frames both ways until the wire is quiet. */
static void wire_run(void)
{
	struct pkt *tx;
	bool moved = true;

	while (moved) {
		moved = false;
		while ((tx = h_tx_pop(eth0))) {
			if (!wire_drops(tx))
				h_rx(ethb, tx->data, tx->len);
			pkt_free(tx);
			moved = true;
		}
		while ((tx = h_tx_pop(ethb))) {
			h_rx(eth0, tx->data, tx->len);
			pkt_free(tx);
			moved = true;
		}
		h_run();
	}
}

struct xfer_result {
	uint64_t retrans, elapsed_ms, sack_recoveries, reno_recoveries;
};

/* @len bytes from a to b through the wire; the result as a's counters. */
static struct xfer_result transfer(unsigned len, const struct wire_drop *drop, unsigned ndrop)
{
	static uint8_t out[400000], in[400000];
	struct sock *l, *c, *s;
	unsigned sent = 0, got = 0;
	struct xfer_result r;
	uint64_t t0;
	int n;

	assert_true(len <= sizeof(out));
	for (unsigned i = 0; i < len; i++)
		out[i] = (uint8_t)(i * 13 + (i >> 11));
	l = tcp_socket(nsb);
	assert_int_equal(sock_bind(l, 0, 5001), 0);
	assert_int_equal(sock_listen(l, 4), 0);
	c = tcp_socket(ns);
	assert_int_equal(sock_connect(c, h_ip("10.0.0.2"), 5001), -EINPROGRESS);
	wire_run();
	assert_int_equal(seen.connected, 1);
	s = seen.accepted;
	assert_non_null(s);
	static struct wire_drop d[16];

	assert_true(ndrop <= ARRAY_SIZE(d));
	memcpy(d, drop, ndrop * sizeof(d[0]));
	wire.drop = d;
	wire.ndrop = ndrop;
	wire.isn = tcp_sk(c)->iss + 1;
	t0 = h_now();
	for (unsigned iter = 0; got < len; iter++) {
		if (iter > 200000)
			fail_msg("stalled: sent %u got %u", sent, got);
		while (sent < len && (n = sock_send(c, out + sent, len - sent)) > 0)
			sent += (unsigned)n;
		wire_run();
		while ((n = sock_recv(s, in + got, len - got)) > 0)
			got += (unsigned)n;
		if (!h_tx_count(eth0) && !h_tx_count(ethb))
			h_advance(NSEC_PER_MSEC);
	}
	assert_memory_equal(in, out, len);
	r.elapsed_ms = (h_now() - t0) / NSEC_PER_MSEC;
	if (getenv("SACK_DEBUG"))
		for (int i = MIB_TcpExtDelayedACKLost; i < MIB_MAX; i++)
			if (ns->mib[i] || nsb->mib[i])
				print_message("%s a %llu b %llu\n", mib_names[i],
					      (unsigned long long)ns->mib[i], (unsigned long long)nsb->mib[i]);
	r.retrans = ns->mib[MIB_TcpRetransSegs];
	r.sack_recoveries = ns->mib[MIB_TcpExtTCPSackRecovery];
	r.reno_recoveries = ns->mib[MIB_TcpExtTCPRenoRecovery];
	sock_close(s);
	sock_close(c);
	sock_close(l);
	wire.ndrop = 0;
	wire_run();
	h_advance(61ull * NSEC_PER_SEC);
	wire_run();
	return r;
}

/* Losses in one window, one of them twice (its fast retransmission
 * too): NewReno mends one hole per round trip and, when the
 * retransmission is lost, goes back to snd_una after the RTO; SACK
 * resends the holes only. Offsets in segments of 1448 bytes. */
#define SEG 1448u
static const struct wire_drop drops[] = {
	{ 30 * SEG, 2 }, { 33 * SEG, 1 }, { 36 * SEG, 1 }, { 39 * SEG, 1 },
	{ 100 * SEG, 1 }, { 101 * SEG, 1 }, { 150 * SEG, 1 },
};

static void test_sack_transfer_recovers_with_fewer_retransmissions(void **state)
{
	struct xfer_result with, without;

	(void)state;
	peer_host();
	with = transfer(300000, drops, ARRAY_SIZE(drops));
	assert_true(with.sack_recoveries > 0);
	assert_int_equal(with.reno_recoveries, 0);
	memset(ns->mib, 0, sizeof(ns->mib));
	seen.connected = 0;
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_sack", "0", NULL), 0);
	without = transfer(300000, drops, ARRAY_SIZE(drops));
	assert_int_equal(without.sack_recoveries, 0);
	print_message("sack: %llu retransmissions, %llu ms; newreno: %llu, %llu ms\n",
		      (unsigned long long)with.retrans, (unsigned long long)with.elapsed_ms,
		      (unsigned long long)without.retrans, (unsigned long long)without.elapsed_ms);
	/* the wire has no delay: both take one RTO for the lost
	 * retransmission, so time is printed, not compared */
	assert_true(with.retrans < without.retrans);
}

/* ---- crafted segments from the fake peer 10.0.0.2:1000 to a:80 ---- */

/* A segment with @olen bytes of options @opt (a multiple of 4) and
 * @len bytes of data; the header window is @win. */
static void rx_seg(uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opt, unsigned olen,
		   const void *data, unsigned len, uint16_t win)
{
	uint8_t seg[1600], f[1700];
	struct tcphdr *th = (struct tcphdr *)seg;
	unsigned hl = 20 + olen;
	size_t m;

	assert_true(hl + len <= sizeof(seg) && !(olen % 4));
	memset(seg, 0, sizeof(seg));
	th->source = htons(peer_port);
	th->dest = htons(80);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff_res = (uint8_t)(hl / 4 << 4);
	th->flags = flags;
	th->window = htons(win);
	if (olen)
		memcpy(seg + 20, opt, olen);
	if (len)
		memcpy(seg + hl, data, len);
	th->check = csum_fold(csum_tcpudp_nofold(h_ip("10.0.0.2"), h_ip("10.0.0.1"),
						 (uint16_t)(hl + len), IPPROTO_TCP,
						 csum_partial(seg, hl + len, 0)));
	m = h_eth(f, H_HOST_MAC, H_PEER_MAC, ETH_P_IP);
	m += h_ipv4(f + m, "10.0.0.2", "10.0.0.1", IPPROTO_TCP, 64, seg, hl + len);
	h_rx(eth0, f, m);
	h_run();
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/* A SACK option (NOP NOP SACK) of @n blocks [b[2i], b[2i+1]); its length. */
static unsigned sack_opt(uint8_t *o, const uint32_t *b, unsigned n)
{
	o[0] = TCPOPT_NOP;
	o[1] = TCPOPT_NOP;
	o[2] = TCPOPT_SACK;
	o[3] = (uint8_t)(2 + 8 * n);
	for (unsigned i = 0; i < 2 * n; i++)
		put32(o + 4 + 4 * i, b[i]);
	return 4 + 8 * n;
}

/* The SACK blocks of a's frame @tx into @b (pairs); their count, -1 with
 * no SACK option. */
static int frame_sacks(const struct pkt *tx, uint32_t *b)
{
	const struct tcphdr *th = frame_tcp(tx);
	const uint8_t *o = (const uint8_t *)(th + 1);
	unsigned len = tcp_doff(th) - 20;

	for (unsigned i = 0; i < len;) {
		if (o[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (o[i] == TCPOPT_EOL || i + 1 >= len)
			break;
		if (o[i] == TCPOPT_SACK) {
			int n = (o[i + 1] - 2) / 8;

			for (int k = 0; k < 2 * n; k++) {
				uint32_t v;

				memcpy(&v, o + i + 2 + 4 * k, 4);
				b[k] = ntohl(v);
			}
			return n;
		}
		i += o[i + 1];
	}
	return -1;
}

/* Pop a's next frame: an ACK of @ack; its SACK blocks into @b. */
static int pop_ack(uint32_t ack, uint32_t *b)
{
	struct pkt *tx = h_tx_pop(eth0);
	int n;

	assert_non_null(tx);
	assert_true(frame_tcp(tx)->flags & TCPHDR_ACK);
	assert_int_equal(ntohl(frame_tcp(tx)->ack_seq), ack);
	n = frame_sacks(tx, b);
	pkt_free(tx);
	return n;
}

#define assert_block(b, i, s, e)                                                                   \
	do {                                                                                       \
		assert_int_equal((b)[2 * (i)], (s));                                               \
		assert_int_equal((b)[2 * (i) + 1], (e));                                           \
	} while (0)

static const uint8_t syn_sackperm[] = { TCPOPT_MSS, TCPOLEN_MSS, 0x05, 0xb4,
					TCPOPT_NOP, TCPOPT_NOP, TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM };

/* The peer opens a connection to a listener on a:80 with @opt in its
 * SYN; returns a's ISN + 1; the accepted socket in *srv. */
static uint32_t peer_open(const uint8_t *opt, unsigned olen, const uint8_t *synack_opt,
			  unsigned synack_olen, struct sock **srv)
{
	struct pkt *tx;
	uint32_t iss;

	rx_seg(100, 0, TCPHDR_SYN, opt, olen, NULL, 0, 65535);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(frame_tcp(tx)->flags, TCPHDR_SYN | TCPHDR_ACK);
	if (synack_opt) {
		assert_int_equal(tcp_doff(frame_tcp(tx)), 20 + synack_olen);
		assert_memory_equal(frame_tcp(tx) + 1, synack_opt, synack_olen);
	}
	iss = ntohl(frame_tcp(tx)->seq);
	pkt_free(tx);
	rx_seg(101, iss + 1, TCPHDR_ACK, NULL, 0, NULL, 0, 65535);
	assert_non_null(seen.accepted);
	*srv = seen.accepted;
	return iss + 1;
}

static struct sock *listener80(void)
{
	struct sock *l = tcp_socket(ns);

	assert_int_equal(sock_bind(l, 0, 80), 0);
	assert_int_equal(sock_listen(l, 4), 0);
	return l;
}

static void test_sack_blocks_most_recent_first_and_dsack(void **state)
{
	struct sock *l = listener80(), *s;
	uint32_t b[8], snd;
	char d[10] = "0123456789";

	(void)state;
	/* the SYN-ACK answers SACK-permitted (no timestamps: NOP NOP SACK_PERM) */
	snd = peer_open(syn_sackperm, sizeof(syn_sackperm), syn_sackperm, sizeof(syn_sackperm), &s);
	assert_true(tcp_sk(s)->sack_ok);
	/* five out-of-order segments: the newest block first, four at most */
	rx_seg(111, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(101, b), 1);
	assert_block(b, 0, 111, 121);
	rx_seg(131, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(101, b), 2);
	assert_block(b, 0, 131, 141);
	assert_block(b, 1, 111, 121);
	rx_seg(151, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	h_tx_flush(eth0);
	rx_seg(171, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	h_tx_flush(eth0);
	rx_seg(191, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(101, b), 4);
	assert_block(b, 0, 191, 201);
	assert_block(b, 1, 171, 181);
	assert_block(b, 2, 151, 161);
	assert_block(b, 3, 131, 141);
	/* a segment joining two ranges: their whole range first */
	rx_seg(121, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(101, b), 4);
	assert_block(b, 0, 111, 141);
	assert_block(b, 1, 191, 201);
	assert_block(b, 2, 171, 181);
	assert_block(b, 3, 151, 161);
	/* the hole filled: rcv_nxt jumps, the blocks it covers go */
	rx_seg(101, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(141, b), 3);
	assert_block(b, 0, 191, 201);
	assert_block(b, 1, 171, 181);
	assert_block(b, 2, 151, 161);
	assert_int_equal(h_tx_count(eth0), 0);
	/* old data again: a D-SACK first (RFC 2883), then the blocks */
	rx_seg(101, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(141, b), 4);
	assert_block(b, 0, 101, 111);
	assert_block(b, 1, 191, 201);
	assert_mib(ns, TcpExtTCPDSACKOldSent, 1);
	assert_mib(ns, TcpExtDelayedACKLost, 1);
	/* the D-SACK goes once */
	rx_seg(211, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(141, b), 4);
	assert_block(b, 0, 211, 221);
	assert_block(b, 1, 191, 201);
	/* out-of-order data again: D-SACK, then its range in front */
	rx_seg(171, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(141, b), 4);
	assert_block(b, 0, 171, 181);
	assert_block(b, 1, 171, 181);
	assert_block(b, 2, 211, 221);
	assert_block(b, 3, 191, 201);
	assert_mib(ns, TcpExtTCPDSACKOfoSent, 1);
	/* net.ipv4.tcp_dsack 0: the duplicate gets plain SACK blocks */
	ns->sysctl.tcp_dsack = 0;
	rx_seg(101, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(141, b), 4);
	assert_block(b, 0, 171, 181);
	assert_mib(ns, TcpExtTCPDSACKOldSent, 1);
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_sack_three_blocks_beside_timestamps(void **state)
{
	static const uint8_t opt[] = { TCPOPT_MSS, TCPOLEN_MSS, 0x05, 0xb4,
				       TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM, TCPOPT_TIMESTAMP,
				       TCPOLEN_TIMESTAMP, 0, 0, 0, 1, 0, 0, 0, 0,
				       TCPOPT_NOP, TCPOPT_NOP, TCPOPT_NOP, TCPOPT_NOP };
	uint8_t ts[12] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP,
			   0, 0, 0, 2 };
	struct sock *l = listener80(), *s;
	char d[10] = "0123456789";
	struct pkt *tx;
	uint32_t b[8], snd;

	(void)state;
	snd = peer_open(opt, sizeof(opt), NULL, 0, &s);
	assert_true(tcp_sk(s)->sack_ok);
	assert_true(tcp_sk(s)->tstamp_ok);
	for (uint32_t seq = 111; seq < 190; seq += 20) {
		rx_seg(seq, snd, TCPHDR_ACK, ts, sizeof(ts), d, 10, 65535);
		h_tx_flush(eth0);
	}
	rx_seg(191, snd, TCPHDR_ACK, ts, sizeof(ts), d, 10, 65535);
	tx = h_tx_pop(eth0);
	assert_int_equal(tcp_doff(frame_tcp(tx)), 60); /* 40 bytes of options */
	assert_int_equal(frame_sacks(tx, b), 3);
	assert_block(b, 0, 191, 201);
	assert_block(b, 2, 151, 161);
	pkt_free(tx);
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_sack_permitted_only_when_both_agree(void **state)
{
	static const uint8_t mss_only[] = { TCPOPT_MSS, TCPOLEN_MSS, 0x05, 0xb4 };
	struct sock *l = listener80(), *s, *c;
	char d[10] = "0123456789";
	struct pkt *tx;
	uint32_t b[8], snd;
	char v[8];

	(void)state;
	assert_int_equal(sysctl_get(ns, "net.ipv4.tcp_sack", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	assert_int_equal(sysctl_get(ns, "net.ipv4.tcp_dsack", v, sizeof(v)), 0);
	assert_string_equal(v, "1");
	/* the kernel's ranges: a u8, any value is "on" */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_sack", "255", NULL), 0);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_sack", "256", NULL), -EINVAL);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_dsack", "-1", NULL), -EINVAL);
	/* our SYN offers it: MSS, SACK_PERM + TS, NOP WS (Linux's layout) */
	c = tcp_socket(ns);
	assert_int_equal(sock_connect(c, h_ip("10.0.0.2"), 9), -EINPROGRESS);
	tx = h_tx_pop(eth0);
	assert_int_equal(tcp_doff(frame_tcp(tx)), 40);
	assert_memory_equal((const uint8_t *)(frame_tcp(tx) + 1) + 4,
			    ((const uint8_t[]){ TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM, TCPOPT_TIMESTAMP }),
			    3);
	pkt_free(tx);
	sock_close(c);
	/* a peer without SACK-permitted: not used, no blocks */
	snd = peer_open(mss_only, sizeof(mss_only), mss_only, sizeof(mss_only), &s);
	assert_false(tcp_sk(s)->sack_ok);
	rx_seg(111, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(101, b), -1);
	sock_close(s);
	h_tx_flush(eth0);
	/* tcp_sack 0: the SYN-ACK does not answer it */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_sack", "0", NULL), 0);
	seen.accepted = NULL;
	peer_port = 1001;
	rx_seg(100, 0, TCPHDR_SYN, syn_sackperm, sizeof(syn_sackperm), NULL, 0, 65535);
	tx = h_tx_pop(eth0);
	assert_int_equal(tcp_doff(frame_tcp(tx)), 24); /* the MSS only */
	pkt_free(tx);
	sock_close(l);
	h_tx_flush(eth0);
}

/* a:80's child sends 8 full segments to the peer (MSS 1460). */
static uint32_t sender_with_flight(struct sock **srv)
{
	static uint8_t data[8 * 1460];
	uint32_t snd = peer_open(syn_sackperm, sizeof(syn_sackperm), NULL, 0, srv);

	assert_int_equal(tcp_sk(*srv)->mss_cache, 1460);
	assert_int_equal(sock_send(*srv, data, sizeof(data)), (int)sizeof(data));
	assert_int_equal(h_tx_count(eth0), 8);
	h_tx_flush(eth0);
	return snd;
}

/* The peer's ACK of @ack with SACK blocks (@n of them in @blk); window
 * @win (a new one makes it no duplicate ACK). */
static void rx_sack(uint32_t ack, const uint32_t *blk, unsigned n, uint16_t win)
{
	uint8_t o[40];

	rx_seg(101, ack, TCPHDR_ACK, o, sack_opt(o, blk, n), NULL, 0, win);
}

static void test_sack_malformed_and_out_of_window_blocks(void **state)
{
	struct sock *l = listener80(), *s;
	struct tcp_sock *tp;
	uint8_t o[40];
	uint32_t snd;

	(void)state;
	snd = sender_with_flight(&s);
	tp = tcp_sk(s);
	/* a length that is not 2 + 8n: ignored, as Linux (no counter) */
	sack_opt(o, (const uint32_t[]){ snd + 1460, snd + 2920 }, 1);
	o[3] = 11;
	rx_seg(101, snd, TCPHDR_ACK, o, 12, NULL, 0, 60000);
	assert_int_equal(tp->sacked_n, 0);
	/* an option running past the header: parsing ends */
	o[3] = 34;
	rx_seg(101, snd, TCPHDR_ACK, o, 12, NULL, 0, 60001);
	assert_int_equal(tp->sacked_n, 0);
	/* beyond snd_nxt, reversed, below snd_una: TCPSACKDiscard */
	rx_sack(snd, (const uint32_t[]){ snd + 1460, snd + 100000 }, 1, 60002);
	rx_sack(snd, (const uint32_t[]){ snd + 2920, snd + 1460 }, 1, 60003);
	rx_sack(snd, (const uint32_t[]){ snd + 5000, snd + 5000 }, 1, 60004);
	assert_mib(ns, TcpExtTCPSACKDiscard, 3);
	/* a first block below the ACK is a D-SACK: dubious (nothing resent) */
	rx_sack(snd, (const uint32_t[]){ snd - 50, snd }, 1, 60005);
	assert_mib(ns, TcpExtTCPDSACKRecv, 1);
	assert_mib(ns, TcpExtTCPDSACKIgnoredDubious, 1);
	assert_mib(ns, TcpExtTCPSACKDiscard, 4);
	assert_int_equal(tp->sacked_n, 0);
	assert_int_equal(h_tx_count(eth0), 0);
	/* a good block beside a bad one: the good one is taken */
	rx_sack(snd, (const uint32_t[]){ snd + 1460, snd + 2920, snd + 9000, snd + 99999 }, 2,
		60006);
	assert_int_equal(tp->sacked_n, 1);
	assert_int_equal(tp->sacked[0].start_seq, snd + 1460);
	assert_mib(ns, TcpExtTCPSACKDiscard, 5);
	assert_int_equal(tp->ca_state, TCP_CA_Disorder);
	assert_int_equal(h_tx_count(eth0), 0); /* one SACKed segment: nothing lost */
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

/* The first retransmitted frame's sequence (relative to @snd) and length. */
static void pop_retransmit(uint32_t snd, uint32_t off, unsigned len)
{
	struct pkt *tx = h_tx_pop(eth0);

	assert_non_null(tx);
	assert_int_equal(ntohl(frame_tcp(tx)->seq) - snd, off);
	assert_int_equal(frame_payload(tx), len);
	pkt_free(tx);
}

static void test_sack_recovery_resends_the_holes(void **state)
{
	struct sock *l = listener80(), *s;
	struct tcp_sock *tp;
	uint32_t snd;

	(void)state;
	/* Reno's ssthresh (half the flight) keeps the arithmetic below simple */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_congestion_control", "reno", NULL), 0);
	snd = sender_with_flight(&s);
	tp = tcp_sk(s);
	/* segments 1, 3 and 5 SACKed (0, 2, 4, 6, 7 missing): IsLost(snd_una)
	 * with three ranges above it, recovery at once, the first hole resent */
	rx_sack(snd, (const uint32_t[]){ snd + 1460, snd + 2920 }, 1, 65535);
	rx_sack(snd, (const uint32_t[]){ snd + 4380, snd + 5840, snd + 1460, snd + 2920 }, 2, 65535);
	assert_int_equal(h_tx_count(eth0), 0);
	rx_sack(snd, (const uint32_t[]){ snd + 7300, snd + 8760, snd + 4380, snd + 5840,
					 snd + 1460, snd + 2920 },
		3, 65535);
	assert_mib(ns, TcpExtTCPSackRecovery, 1);
	assert_int_equal(tp->ca_state, TCP_CA_Recovery);
	pop_retransmit(snd, 0, 1460);
	/* pipe: the resent hole, and 2, 4, 6, 7 not lost yet: 5 = cwnd */
	assert_int_equal(tp->snd_cwnd, 5);
	assert_int_equal(tcp_packets_in_flight(tp), 5);
	assert_int_equal(h_tx_count(eth0), 0);
	/* segment 7 SACKed: 2 is lost now (three ranges above), resent
	 * (rule 1); no new data, so 4 goes too (rule 3) */
	rx_sack(snd, (const uint32_t[]){ snd + 10220, snd + 11680, snd + 7300, snd + 8760,
					 snd + 4380, snd + 5840 },
		3, 65535);
	pop_retransmit(snd, 2920, 1460);
	pop_retransmit(snd, 5840, 1460);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_mib(ns, TcpExtTCPFastRetrans, 3);
	assert_mib(ns, TcpRetransSegs, 3);
	/* everything ACKed: recovery over, cwnd = ssthresh */
	rx_seg(101, snd + 11680, TCPHDR_ACK, NULL, 0, NULL, 0, 65535);
	assert_int_equal(tp->ca_state, TCP_CA_Open);
	assert_int_equal(tp->snd_cwnd, tp->snd_ssthresh);
	assert_int_equal(tp->sacked_n, 0);
	/* D-SACKs are checked while data is in flight (Linux: packets_out) */
	assert_int_equal(sock_send(s, "more", 4), 4);
	h_tx_flush(eth0);
	/* a D-SACK for the first resend: spurious, counted */
	rx_sack(snd + 11680, (const uint32_t[]){ snd, snd + 1460 }, 1, 65535);
	assert_mib(ns, TcpExtTCPDSACKRecv, 1);
	assert_mib(ns, TcpExtTCPDSACKRecvSegs, 1);
	/* one from before the recovery began: too old */
	rx_sack(snd + 11680, (const uint32_t[]){ snd - 20, snd - 10 }, 1, 65535);
	assert_mib(ns, TcpExtTCPDSACKRecv, 2);
	assert_mib(ns, TcpExtTCPDSACKIgnoredOld, 1);
	assert_mib(ns, TcpExtTCPDSACKIgnoredDubious, 0);
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_sack_rto_resends_only_unsacked(void **state)
{
	struct sock *l = listener80(), *s;
	struct tcp_sock *tp;
	uint32_t snd;

	(void)state;
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_congestion_control", "reno", NULL), 0);
	snd = sender_with_flight(&s);
	tp = tcp_sk(s);
	/* 1, 2 and 4-7 SACKed: 0 and 3 lost, both resent in the recovery */
	rx_sack(snd, (const uint32_t[]){ snd + 5840, snd + 11680, snd + 1460, snd + 4380 }, 2,
		65535);
	assert_int_equal(tp->ca_state, TCP_CA_Recovery);
	pop_retransmit(snd, 0, 1460);
	pop_retransmit(snd, 4380, 1460);
	assert_int_equal(h_tx_count(eth0), 0);
	/* both resends lost: the RTO (a failed recovery) resends the head only */
	assert_in_range(tp->rto_us, 200000, 250000);
	h_advance(300ull * NSEC_PER_MSEC);
	assert_mib(ns, TcpExtTCPSackRecoveryFail, 1);
	assert_int_equal(tp->ca_state, TCP_CA_Loss);
	assert_int_equal(tp->snd_cwnd, 1);
	pop_retransmit(snd, 0, 1460);
	assert_int_equal(h_tx_count(eth0), 0);
	/* its ACK reaches the SACKed 1-2: cwnd 2, and of the rest only 3
	 * goes again (without SACK, go-back-N would resend 1 to 7) */
	rx_sack(snd + 4380, (const uint32_t[]){ snd + 5840, snd + 11680 }, 1, 65535);
	pop_retransmit(snd, 4380, 1460);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_mib(ns, TcpExtTCPSlowStartRetrans, 1);
	rx_seg(101, snd + 11680, TCPHDR_ACK, NULL, 0, NULL, 0, 65535);
	assert_int_equal(tp->ca_state, TCP_CA_Open);
	assert_int_equal(h_tx_count(eth0), 0);
	assert_mib(ns, TcpRetransSegs, 4);
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_sack_dsack_for_overlapping_data(void **state)
{
	struct sock *l = listener80(), *s;
	char d[16] = "0123456789abcdef";
	uint32_t b[8], snd;

	(void)state;
	snd = peer_open(syn_sackperm, sizeof(syn_sackperm), NULL, 0, &s);
	rx_seg(111, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(101, b), 1);
	/* in-order data running into the queued range: that part twice */
	rx_seg(101, snd, TCPHDR_ACK, NULL, 0, d, 15, 65535);
	assert_int_equal(pop_ack(121, b), 1);
	assert_block(b, 0, 111, 116);
	assert_mib(ns, TcpExtTCPDSACKOldSent, 1);
	/* a segment whose head is old: a D-SACK for the head, with the
	 * delayed ACK of its new part */
	rx_seg(118, snd, TCPHDR_ACK, NULL, 0, d, 8, 65535);
	assert_int_equal(h_tx_count(eth0), 0);
	h_advance(TCP_DELACK_US * 1000ull);
	assert_int_equal(pop_ack(126, b), 1);
	assert_block(b, 0, 118, 121);
	assert_mib(ns, TcpExtTCPDSACKOldSent, 2);
	/* out of order, half of it queued already: the overlap */
	rx_seg(136, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	h_tx_flush(eth0);
	rx_seg(131, snd, TCPHDR_ACK, NULL, 0, d, 10, 65535);
	assert_int_equal(pop_ack(126, b), 2);
	assert_block(b, 0, 136, 141);
	assert_block(b, 1, 131, 146);
	assert_mib(ns, TcpExtTCPDSACKOfoSent, 1);
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

static void test_sack_reordering_and_reneging_counted(void **state)
{
	struct sock *l = listener80(), *s;
	struct tcp_sock *tp;
	uint32_t snd;

	(void)state;
	snd = sender_with_flight(&s);
	tp = tcp_sk(s);
	/* 3 SACKed, then 1 below it: never resent, so reordered */
	rx_sack(snd, (const uint32_t[]){ snd + 4380, snd + 5840 }, 1, 65535);
	assert_mib(ns, TcpExtTCPSACKReorder, 0);
	rx_sack(snd, (const uint32_t[]){ snd + 1460, snd + 2920, snd + 4380, snd + 5840 }, 2,
		65535);
	assert_mib(ns, TcpExtTCPSACKReorder, 1);
	/* 0 and 2 arrive late too: the cumulative ACK covers data never
	 * SACKed nor resent below the highest SACKed */
	rx_seg(101, snd + 5840, TCPHDR_ACK, NULL, 0, NULL, 0, 65535);
	assert_mib(ns, TcpExtTCPSACKReorder, 2);
	assert_int_equal(tp->sacked_n, 0);
	assert_int_equal(tp->ca_state, TCP_CA_Open);
	assert_int_equal(h_tx_count(eth0), 0); /* nothing was lost */
	/* 6 SACKed, then an ACK up to its start: the receiver dropped it */
	rx_sack(snd + 5840, (const uint32_t[]){ snd + 8760, snd + 10220 }, 1, 65535);
	assert_int_equal(tp->sacked_n, 1);
	rx_seg(101, snd + 8760, TCPHDR_ACK, NULL, 0, NULL, 0, 65535);
	assert_mib(ns, TcpExtTCPSACKReneging, 1);
	assert_int_equal(tp->sacked_n, 0);
	sock_close(s);
	sock_close(l);
	h_tx_flush(eth0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sack_transfer_recovers_with_fewer_retransmissions,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sack_blocks_most_recent_first_and_dsack, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sack_dsack_for_overlapping_data, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sack_three_blocks_beside_timestamps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sack_permitted_only_when_both_agree, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sack_malformed_and_out_of_window_blocks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sack_recovery_resends_the_holes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sack_rto_resends_only_unsacked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sack_reordering_and_reneging_counted, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
