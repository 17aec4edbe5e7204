// SPDX-License-Identifier: MIT
/*
 * TCP's state machine against a table (RFC 9293 3.10.7, RFC 5961, and
 * where they leave room, Linux's tcp_rcv_state_process,
 * tcp_validate_incoming, tcp_rcv_synsent_state_process, tcp_check_req and
 * tcp_timewait_state_process): each row takes a fresh connection to a
 * state, the fake peer 10.0.0.2 sends one crafted segment (flags, seq
 * relative to rcv_nxt, ack relative to snd_una or snd_nxt, data), and
 * the row says what must come back (nothing, an ACK, a challenge ACK, a
 * RST, a SYN-ACK), the state the 4-tuple is in afterwards, and a counter
 * or drop reason that must move; the answers of the rows where the RFCs
 * leave room were checked against Linux 6.18 with
 * scripts/tcp_states_kernel.py. Every row runs twice: with sequence
 * numbers far from the wrap, and with both initial sequence numbers just
 * below 2^32 so that every comparison crosses zero.
 *
 * Then what the table cannot say: the rate limits on challenge ACKs and
 * on ACKs to out-of-window segments (tcp_invalid_ratelimit), and the
 * out-of-order queue a FIN empties.
 */
#include <errno.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/core/sock.h"
#include "netns/core/sysctl.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/tcp.h"

#define PEER_PORT 1000
#define OUR_PORT 80
#define ACTIVE_PORT 2000 /* the peer's, for the connect of SYN_SENT rows */
#define BEYOND 100000	 /* past the 65535-byte window both sides offer */
#define SETTLE_NS (41ull * NSEC_PER_MSEC) /* past the delayed ACK, short of any RTO */

static struct netns *ns;
static struct netdev *eth0;
static struct sock *accepted;

static void cb_accept(struct sock *sk, struct sock *newsk, void *ctx)
{
	(void)sk;
	(void)ctx;
	accepted = newsk;
}

static const struct sock_ops ops = { .accept = cb_accept };

static int setup(void **state)
{
	(void)state;
	accepted = NULL;
	ns = h_host("h", &eth0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

/* ---- the peer ---- */

struct seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	unsigned len;
};

static void peer_send(const struct seg *s)
{
	uint8_t tcp[20 + 64], f[200];
	struct tcphdr *th = (struct tcphdr *)tcp;
	size_t n = sizeof(*th) + s->len, m;

	memset(tcp, 0, sizeof(tcp));
	th->source = htons(s->sport);
	th->dest = htons(s->dport);
	th->seq = htonl(s->seq);
	th->ack_seq = htonl(s->ack);
	th->doff_res = 5 << 4;
	th->flags = s->flags;
	th->window = htons(65535);
	memset(tcp + sizeof(*th), 'd', s->len);
	th->check = csum_fold(csum_tcpudp_nofold(h_ip("10.0.0.2"), h_ip("10.0.0.1"), (uint16_t)n,
						 IPPROTO_TCP, csum_partial(tcp, n, 0)));
	m = h_eth(f, H_HOST_MAC, H_PEER_MAC, ETH_P_IP);
	m += h_ipv4(f + m, "10.0.0.2", "10.0.0.1", IPPROTO_TCP, 64, tcp, n);
	h_rx(eth0, f, m);
	h_run();
}

static const struct tcphdr *tx_tcp(const struct pkt *tx)
{
	return (const struct tcphdr *)(tx->data + ETH_HLEN + 20);
}

/* ---- taking a connection to a state ---- */

struct conn {
	uint16_t pport, lport;	/* peer's and our port */
	uint32_t peer_isn, our_isn;
	struct sock *sk;	/* the application's socket, once it has one */
};

static struct tcp_sock *conn_tp(const struct conn *c)
{
	return inet_lookup_established(ns, h_ip("10.0.0.1"), c->lport, h_ip("10.0.0.2"), c->pport);
}

static int conn_state(const struct conn *c)
{
	struct tcp_sock *tp = conn_tp(c);

	return tp ? tp->state : TCP_CLOSE;
}

/* Move our initial sequence number to @iss (the handshake's first
 * segment is out already; the peer only ever sees the new numbers). */
static void conn_set_iss(struct tcp_sock *tp, uint32_t iss)
{
	uint32_t d = iss - tp->iss;

	tp->iss += d;
	tp->snd_una += d;
	tp->snd_nxt += d;
	tp->snd_max += d;
	tp->write_seq += d;
	tp->snd_wl2 += d;
	tp->rtt_seq += d;
}

/* A segment of @c from the peer, in the connection's numbers. */
static void conn_send(const struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct seg s = { c->pport, c->lport, seq, ack, flags, 0 };

	peer_send(&s);
}

static void settle(void)
{
	h_advance(SETTLE_NS);
	h_tx_flush(eth0);
}

static void conn_reach(struct conn *c, int state, bool wrap)
{
	struct tcp_sock *tp;
	struct sock *l;

	memset(c, 0, sizeof(*c));
	c->peer_isn = wrap ? 0xfffffffeu : 1000;
	c->our_isn = wrap ? 0xfffffffeu : 5000;
	if (state == TCP_SYN_SENT) {
		assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &ops, NULL, &c->sk), 0);
		assert_int_equal(sock_connect(c->sk, h_ip("10.0.0.2"), ACTIVE_PORT), -EINPROGRESS);
		c->pport = ACTIVE_PORT;
		c->lport = sock_port(c->sk);
		conn_set_iss(tcp_sk(c->sk), c->our_isn);
		h_tx_flush(eth0);
		return;
	}
	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &ops, NULL, &l), 0);
	assert_int_equal(sock_bind(l, 0, OUR_PORT), 0);
	assert_int_equal(sock_listen(l, 8), 0);
	c->pport = PEER_PORT;
	c->lport = OUR_PORT;
	conn_send(c, TCPHDR_SYN, c->peer_isn, 0);
	tp = conn_tp(c);
	assert_non_null(tp);
	conn_set_iss(tp, c->our_isn);
	h_tx_flush(eth0);
	if (state == TCP_SYN_RECV)
		return;
	conn_send(c, TCPHDR_ACK, c->peer_isn + 1, c->our_isn + 1);
	assert_non_null(accepted);
	c->sk = accepted;
	tp = tcp_sk(c->sk);
	assert_int_equal(tp->state, TCP_ESTABLISHED);
	switch (state) {
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
		conn_send(c, TCPHDR_FIN | TCPHDR_ACK, tp->rcv_nxt, tp->snd_una);
		if (state == TCP_LAST_ACK)
			assert_int_equal(sock_shutdown(c->sk, SHUT_WR), 0);
		break;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSING:
	case TCP_TIME_WAIT:
		assert_int_equal(sock_shutdown(c->sk, SHUT_WR), 0);
		if (state == TCP_FIN_WAIT2 || state == TCP_TIME_WAIT)
			conn_send(c, TCPHDR_ACK, tp->rcv_nxt, tp->snd_nxt);
		if (state == TCP_CLOSING)
			conn_send(c, TCPHDR_FIN | TCPHDR_ACK, tp->rcv_nxt, tp->snd_una);
		if (state == TCP_TIME_WAIT)
			conn_send(c, TCPHDR_FIN | TCPHDR_ACK, tp->rcv_nxt, tp->snd_nxt);
		break;
	default:
		break;
	}
	sock_close(l); /* a TIME_WAIT row's new SYN must not find it either */
	settle();
	assert_int_equal(conn_state(c), state);
}

/* ---- the table ---- */

enum ack_base { A_UNA, A_NXT };
enum reply { R_NONE, R_ACK, R_CHALLENGE, R_RST, R_RSTACK, R_SYNACK };

struct row {
	const char *what;
	uint8_t state;
	uint8_t flags;
	int32_t seq;		/* from rcv_nxt (SYN_SENT: from the peer's ISN) */
	uint8_t ack_base;
	int32_t ack;
	uint8_t len;		/* data bytes */
	uint8_t reply;
	uint8_t next;		/* the 4-tuple's state after (TCP_CLOSE: gone) */
	int16_t mib;		/* a counter that moves by one, or -1 */
	int16_t drop;		/* a drop reason counted once, or -1 */
};

#define ACK TCPHDR_ACK
#define SYN TCPHDR_SYN
#define FIN TCPHDR_FIN
#define RST TCPHDR_RST
#define NOMIB -1
#define NODROP -1
#define M(x) MIB_##x
#define D(x) DROP_##x

static const struct row rows[] = {
	/* ESTABLISHED (tcp_rcv_established's slow path) */
	{ "data in order", TCP_ESTABLISHED, ACK, 0, A_UNA, 0, 10, R_ACK, TCP_ESTABLISHED, NOMIB,
	  NODROP },
	{ "data out of order: duplicate ACK", TCP_ESTABLISHED, ACK, 10, A_UNA, 0, 10, R_ACK,
	  TCP_ESTABLISHED, NOMIB, NODROP },
	{ "data ending at rcv_nxt: ACK, old data", TCP_ESTABLISHED, ACK, -10, A_UNA, 0, 10, R_ACK,
	  TCP_ESTABLISHED, NOMIB, D(TCP_OLD_DATA) },
	{ "data before the window: ACK", TCP_ESTABLISHED, ACK, -20, A_UNA, 0, 10, R_ACK,
	  TCP_ESTABLISHED, NOMIB, D(TCP_OLD_SEQUENCE) },
	{ "data beyond the window: ACK", TCP_ESTABLISHED, ACK, BEYOND, A_UNA, 0, 10, R_ACK,
	  TCP_ESTABLISHED, NOMIB, D(TCP_INVALID_SEQUENCE) },
	{ "pure ACK beyond the window: ACK", TCP_ESTABLISHED, ACK, BEYOND, A_UNA, 0, 0, R_ACK,
	  TCP_ESTABLISHED, M(TcpExtBeyondWindow), D(TCP_INVALID_SEQUENCE) },
	{ "data without ACK", TCP_ESTABLISHED, 0, 0, A_UNA, 0, 10, R_NONE, TCP_ESTABLISHED, NOMIB,
	  D(TCP_FLAGS) },
	{ "no ACK, RST or SYN beyond the window: dropped, no ACK", TCP_ESTABLISHED, 0, BEYOND,
	  A_UNA, 0, 10, R_NONE, TCP_ESTABLISHED, NOMIB, D(TCP_FLAGS) },
	{ "FIN out of order: duplicate ACK", TCP_ESTABLISHED, FIN | ACK, 10, A_UNA, 0, 0, R_ACK,
	  TCP_ESTABLISHED, NOMIB, NODROP },
	{ "RST at rcv_nxt: reset", TCP_ESTABLISHED, RST, 0, A_UNA, 0, 0, R_NONE, TCP_CLOSE,
	  M(TcpEstabResets), NODROP },
	{ "RST|ACK at rcv_nxt: reset", TCP_ESTABLISHED, RST | ACK, 0, A_UNA, 0, 0, R_NONE,
	  TCP_CLOSE, M(TcpEstabResets), NODROP },
	{ "RST in the window: challenge ACK", TCP_ESTABLISHED, RST, 1, A_UNA, 0, 0, R_CHALLENGE,
	  TCP_ESTABLISHED, NOMIB, D(TCP_RESET) },
	{ "RST beyond the window: dropped", TCP_ESTABLISHED, RST, BEYOND, A_UNA, 0, 0, R_NONE,
	  TCP_ESTABLISHED, NOMIB, D(TCP_INVALID_SEQUENCE) },
	{ "RST before the window: dropped", TCP_ESTABLISHED, RST, -1, A_UNA, 0, 0, R_NONE,
	  TCP_ESTABLISHED, NOMIB, D(TCP_OLD_SEQUENCE) },
	{ "SYN in the window: challenge ACK, InErrs", TCP_ESTABLISHED, SYN, 0, A_UNA, 0, 0,
	  R_CHALLENGE, TCP_ESTABLISHED, M(TcpInErrs), D(TCP_INVALID_SYN) },
	{ "SYN beyond the window: challenge ACK, InErrs", TCP_ESTABLISHED, SYN, BEYOND, A_UNA, 0,
	  0, R_CHALLENGE, TCP_ESTABLISHED, M(TcpInErrs), D(TCP_INVALID_SYN) },
	{ "SYN|ACK before rcv_nxt: challenge ACK", TCP_ESTABLISHED, SYN | ACK, -1, A_UNA, 0, 0,
	  R_CHALLENGE, TCP_ESTABLISHED, M(TcpInErrs), NODROP },
	{ "FIN in order: CLOSE_WAIT", TCP_ESTABLISHED, FIN | ACK, 0, A_UNA, 0, 0, R_ACK,
	  TCP_CLOSE_WAIT, NOMIB, NODROP },
	{ "data and FIN in order: CLOSE_WAIT", TCP_ESTABLISHED, FIN | ACK, 0, A_UNA, 0, 10, R_ACK,
	  TCP_CLOSE_WAIT, NOMIB, NODROP },
	/* RFC 5961 5.2 with Linux's bound: below snd_una by more than
	 * min(max_window, bytes_acked), and a passive side has had nothing
	 * acknowledged (its SYN was the request sock's) */
	{ "ACK of snd_una - 1, nothing acked yet: challenge ACK", TCP_ESTABLISHED, ACK, 0, A_UNA,
	  -1, 10, R_CHALLENGE, TCP_ESTABLISHED, M(TcpExtTCPChallengeACK), D(TCP_TOO_OLD_ACK) },
	{ "ACK of data never sent: challenge ACK", TCP_ESTABLISHED, ACK, 0, A_NXT, 1000, 10,
	  R_CHALLENGE, TCP_ESTABLISHED, NOMIB, D(TCP_ACK_UNSENT_DATA) },

	/* SYN_RECV, a listener's child (tcp_check_req) */
	{ "retransmitted SYN: SYN-ACK again", TCP_SYN_RECV, SYN, -1, A_UNA, 0, 0, R_SYNACK,
	  TCP_SYN_RECV, NOMIB, NODROP },
	{ "ACK of the SYN-ACK: ESTABLISHED", TCP_SYN_RECV, ACK, 0, A_NXT, 0, 0, R_NONE,
	  TCP_ESTABLISHED, M(TcpPassiveOpens), NODROP },
	{ "ACK with data: ESTABLISHED, data ACKed", TCP_SYN_RECV, ACK, 0, A_NXT, 0, 10, R_ACK,
	  TCP_ESTABLISHED, M(TcpPassiveOpens), NODROP },
	{ "ACK with FIN: CLOSE_WAIT", TCP_SYN_RECV, ACK | FIN, 0, A_NXT, 0, 0, R_ACK,
	  TCP_CLOSE_WAIT, M(TcpPassiveOpens), NODROP },
	{ "ACK of the ISN: RST", TCP_SYN_RECV, ACK, 0, A_UNA, 0, 0, R_RST, TCP_SYN_RECV, NOMIB,
	  NODROP },
	{ "ACK of unsent data: RST", TCP_SYN_RECV, ACK, 0, A_NXT, 1, 0, R_RST, TCP_SYN_RECV, NOMIB,
	  NODROP },
	{ "RST at rcv_nxt: child gone", TCP_SYN_RECV, RST, 0, A_UNA, 0, 0, R_NONE, TCP_CLOSE,
	  M(TcpExtEmbryonicRsts), NODROP },
	{ "RST in the window: challenge ACK", TCP_SYN_RECV, RST, 5, A_UNA, 0, 0, R_CHALLENGE,
	  TCP_SYN_RECV, NOMIB, D(TCP_RESET) },
	{ "SYN in the window: RST, child gone", TCP_SYN_RECV, SYN, 0, A_UNA, 0, 0, R_RSTACK,
	  TCP_CLOSE, M(TcpAttemptFails), D(TCP_INVALID_SYN) },
	{ "RST beyond the window: dropped", TCP_SYN_RECV, RST, BEYOND, A_UNA, 0, 0, R_NONE,
	  TCP_SYN_RECV, NOMIB, D(TCP_OVERWINDOW) },
	{ "data without ACK: dropped", TCP_SYN_RECV, 0, 0, A_UNA, 0, 10, R_NONE, TCP_SYN_RECV,
	  NOMIB, NODROP },
	{ "ACK beyond the window: ACK", TCP_SYN_RECV, ACK, BEYOND, A_NXT, 0, 0, R_ACK,
	  TCP_SYN_RECV, NOMIB, D(TCP_OVERWINDOW) },
	{ "SYN-ACK at the ISN: out of the window, ACK", TCP_SYN_RECV, SYN | ACK, -1, A_NXT, 0, 0,
	  R_ACK, TCP_SYN_RECV, NOMIB, D(TCP_OVERWINDOW) },
	{ "SYN-ACK at the ISN with data: the SYN cut off, taken", TCP_SYN_RECV, SYN | ACK, -1,
	  A_NXT, 0, 10, R_ACK, TCP_ESTABLISHED, M(TcpPassiveOpens), NODROP },

	/* SYN_SENT (tcp_rcv_synsent_state_process) */
	{ "SYN-ACK: ESTABLISHED", TCP_SYN_SENT, SYN | ACK, 0, A_NXT, 0, 0, R_ACK, TCP_ESTABLISHED,
	  NOMIB, NODROP },
	{ "SYN-ACK acking the ISN: RST", TCP_SYN_SENT, SYN | ACK, 0, A_UNA, 0, 0, R_RST,
	  TCP_SYN_SENT, NOMIB, D(TCP_INVALID_ACK_SEQUENCE) },
	{ "SYN-ACK acking beyond: RST", TCP_SYN_SENT, SYN | ACK, 0, A_NXT, 1, 0, R_RST,
	  TCP_SYN_SENT, NOMIB, D(TCP_INVALID_ACK_SEQUENCE) },
	{ "RST|ACK of the SYN: refused", TCP_SYN_SENT, RST | ACK, 0, A_NXT, 0, 0, R_NONE,
	  TCP_CLOSE, M(TcpAttemptFails), NODROP },
	{ "RST without ACK: dropped", TCP_SYN_SENT, RST, 0, A_UNA, 0, 0, R_NONE, TCP_SYN_SENT,
	  NOMIB, D(TCP_RESET) },
	{ "RST|ACK of something else: dropped", TCP_SYN_SENT, RST | ACK, 0, A_NXT, 5, 0, R_NONE,
	  TCP_SYN_SENT, NOMIB, NODROP },
	{ "SYN: simultaneous open, SYN-ACK", TCP_SYN_SENT, SYN, 0, A_UNA, 0, 0, R_SYNACK,
	  TCP_SYN_RECV, NOMIB, NODROP },
	{ "ACK of the SYN alone: dropped", TCP_SYN_SENT, ACK, 0, A_NXT, 0, 0, R_NONE,
	  TCP_SYN_SENT, NOMIB, D(TCP_FLAGS) },
	{ "FIN|ACK acking beyond: RST", TCP_SYN_SENT, FIN | ACK, 0, A_NXT, 9, 0, R_RST,
	  TCP_SYN_SENT, NOMIB, NODROP },

	/* FIN_WAIT1 (our FIN out, not acknowledged) */
	{ "ACK of our FIN: FIN_WAIT2", TCP_FIN_WAIT1, ACK, 0, A_NXT, 0, 0, R_NONE, TCP_FIN_WAIT2,
	  NOMIB, NODROP },
	{ "ACK short of our FIN: stays", TCP_FIN_WAIT1, ACK, 0, A_UNA, 0, 0, R_NONE,
	  TCP_FIN_WAIT1, NOMIB, NODROP },
	{ "FIN not acking ours: CLOSING", TCP_FIN_WAIT1, FIN | ACK, 0, A_UNA, 0, 0, R_ACK,
	  TCP_CLOSING, NOMIB, NODROP },
	{ "FIN acking ours: TIME_WAIT", TCP_FIN_WAIT1, FIN | ACK, 0, A_NXT, 0, 0, R_ACK,
	  TCP_TIME_WAIT, NOMIB, NODROP },
	{ "data: taken (half-close)", TCP_FIN_WAIT1, ACK, 0, A_UNA, 0, 10, R_ACK, TCP_FIN_WAIT1,
	  NOMIB, NODROP },
	{ "RST at rcv_nxt: reset", TCP_FIN_WAIT1, RST, 0, A_UNA, 0, 0, R_NONE, TCP_CLOSE, NOMIB,
	  NODROP },
	{ "RST in the window: challenge ACK", TCP_FIN_WAIT1, RST, 7, A_UNA, 0, 0, R_CHALLENGE,
	  TCP_FIN_WAIT1, NOMIB, D(TCP_RESET) },
	{ "pure ACK beyond the window: ACK", TCP_FIN_WAIT1, ACK, BEYOND, A_UNA, 0, 0, R_ACK,
	  TCP_FIN_WAIT1, NOMIB, D(TCP_INVALID_SEQUENCE) },
	{ "SYN: challenge ACK, no InErrs", TCP_FIN_WAIT1, SYN, 0, A_UNA, 0, 0, R_CHALLENGE,
	  TCP_FIN_WAIT1, M(TcpExtTCPSYNChallenge), D(TCP_INVALID_SYN) },
	{ "ACK of data never sent: challenge ACK", TCP_FIN_WAIT1, ACK, 0, A_NXT, 1, 0,
	  R_CHALLENGE, TCP_FIN_WAIT1, NOMIB, D(TCP_ACK_UNSENT_DATA) },

	/* FIN_WAIT2 (a socket the application still holds) */
	{ "FIN: TIME_WAIT", TCP_FIN_WAIT2, FIN | ACK, 0, A_NXT, 0, 0, R_ACK, TCP_TIME_WAIT, NOMIB,
	  NODROP },
	{ "data: taken (half-close)", TCP_FIN_WAIT2, ACK, 0, A_NXT, 0, 10, R_ACK, TCP_FIN_WAIT2,
	  NOMIB, NODROP },
	{ "bare ACK: nothing", TCP_FIN_WAIT2, ACK, 0, A_NXT, 0, 0, R_NONE, TCP_FIN_WAIT2, NOMIB,
	  NODROP },
	{ "RST at rcv_nxt: reset", TCP_FIN_WAIT2, RST, 0, A_UNA, 0, 0, R_NONE, TCP_CLOSE, NOMIB,
	  NODROP },
	{ "RST in the window: challenge ACK", TCP_FIN_WAIT2, RST, 100, A_UNA, 0, 0, R_CHALLENGE,
	  TCP_FIN_WAIT2, NOMIB, D(TCP_RESET) },
	{ "SYN: challenge ACK", TCP_FIN_WAIT2, SYN, 0, A_UNA, 0, 0, R_CHALLENGE, TCP_FIN_WAIT2,
	  NOMIB, NODROP },

	/* CLOSING (both FINs out, ours not acknowledged) */
	{ "ACK of our FIN: TIME_WAIT", TCP_CLOSING, ACK, 0, A_NXT, 0, 0, R_NONE, TCP_TIME_WAIT,
	  NOMIB, NODROP },
	{ "retransmitted FIN: ACK", TCP_CLOSING, FIN | ACK, -1, A_UNA, 0, 0, R_ACK, TCP_CLOSING,
	  NOMIB, NODROP },
	{ "RST at rcv_nxt: reset", TCP_CLOSING, RST, 0, A_UNA, 0, 0, R_NONE, TCP_CLOSE, NOMIB,
	  NODROP },
	{ "RST at rcv_nxt - 1 (the FIN's): reset", TCP_CLOSING, RST, -1, A_UNA, 0, 0, R_NONE,
	  TCP_CLOSE, NOMIB, NODROP },
	{ "RST in the window: challenge ACK", TCP_CLOSING, RST, 3, A_UNA, 0, 0, R_CHALLENGE,
	  TCP_CLOSING, NOMIB, D(TCP_RESET) },
	{ "SYN: challenge ACK", TCP_CLOSING, SYN, 0, A_UNA, 0, 0, R_CHALLENGE, TCP_CLOSING, NOMIB,
	  NODROP },
	{ "data after the FIN: ignored", TCP_CLOSING, ACK, 0, A_UNA, 0, 5, R_NONE, TCP_CLOSING,
	  NOMIB, NODROP },

	/* LAST_ACK */
	{ "ACK of our FIN: closed", TCP_LAST_ACK, ACK, 0, A_NXT, 0, 0, R_NONE, TCP_CLOSE, NOMIB,
	  NODROP },
	{ "ACK short of our FIN: stays", TCP_LAST_ACK, ACK, 0, A_UNA, 0, 0, R_NONE, TCP_LAST_ACK,
	  NOMIB, NODROP },
	{ "retransmitted FIN: ACK", TCP_LAST_ACK, FIN | ACK, -1, A_UNA, 0, 0, R_ACK, TCP_LAST_ACK,
	  NOMIB, NODROP },
	{ "RST at rcv_nxt: reset", TCP_LAST_ACK, RST, 0, A_UNA, 0, 0, R_NONE, TCP_CLOSE, NOMIB,
	  NODROP },
	{ "RST at rcv_nxt - 1 (the FIN's): reset", TCP_LAST_ACK, RST, -1, A_UNA, 0, 0, R_NONE,
	  TCP_CLOSE, NOMIB, NODROP },
	{ "RST in the window: challenge ACK", TCP_LAST_ACK, RST, 2, A_UNA, 0, 0, R_CHALLENGE,
	  TCP_LAST_ACK, NOMIB, D(TCP_RESET) },
	{ "SYN: challenge ACK", TCP_LAST_ACK, SYN, 0, A_UNA, 0, 0, R_CHALLENGE, TCP_LAST_ACK,
	  NOMIB, NODROP },

	/* CLOSE_WAIT */
	{ "retransmitted FIN: ACK", TCP_CLOSE_WAIT, FIN | ACK, -1, A_UNA, 0, 0, R_ACK,
	  TCP_CLOSE_WAIT, NOMIB, NODROP },
	{ "data after the FIN: ignored", TCP_CLOSE_WAIT, ACK, 0, A_UNA, 0, 5, R_NONE,
	  TCP_CLOSE_WAIT, NOMIB, NODROP },
	{ "bare ACK: nothing", TCP_CLOSE_WAIT, ACK, 0, A_UNA, 0, 0, R_NONE, TCP_CLOSE_WAIT, NOMIB,
	  NODROP },
	{ "RST at rcv_nxt: reset", TCP_CLOSE_WAIT, RST, 0, A_UNA, 0, 0, R_NONE, TCP_CLOSE,
	  M(TcpEstabResets), NODROP },
	{ "RST at rcv_nxt - 1 (the FIN's): reset", TCP_CLOSE_WAIT, RST, -1, A_UNA, 0, 0, R_NONE,
	  TCP_CLOSE, M(TcpEstabResets), NODROP },
	{ "RST in the window: challenge ACK", TCP_CLOSE_WAIT, RST, 9, A_UNA, 0, 0, R_CHALLENGE,
	  TCP_CLOSE_WAIT, NOMIB, D(TCP_RESET) },
	{ "SYN: challenge ACK, no InErrs", TCP_CLOSE_WAIT, SYN, 0, A_UNA, 0, 0, R_CHALLENGE,
	  TCP_CLOSE_WAIT, M(TcpExtTCPSYNChallenge), NODROP },
	{ "ACK of data never sent: challenge ACK", TCP_CLOSE_WAIT, ACK, 0, A_NXT, 1, 0,
	  R_CHALLENGE, TCP_CLOSE_WAIT, NOMIB, D(TCP_ACK_UNSENT_DATA) },

	/* TIME_WAIT (tcp_timewait_state_process) */
	{ "retransmitted FIN: ACK", TCP_TIME_WAIT, FIN | ACK, -1, A_NXT, 0, 0, R_ACK,
	  TCP_TIME_WAIT, NOMIB, NODROP },
	{ "RST at rcv_nxt: gone", TCP_TIME_WAIT, RST, 0, A_UNA, 0, 0, R_NONE, TCP_CLOSE, NOMIB,
	  NODROP },
	{ "data: ACK", TCP_TIME_WAIT, ACK, 0, A_NXT, 0, 5, R_ACK, TCP_TIME_WAIT, NOMIB, NODROP },
	{ "old SYN: ACK", TCP_TIME_WAIT, SYN, -10, A_UNA, 0, 0, R_ACK, TCP_TIME_WAIT, NOMIB,
	  NODROP },
	{ "RST in the window, not at rcv_nxt: ignored", TCP_TIME_WAIT, RST, 1, A_UNA, 0, 0,
	  R_NONE, TCP_TIME_WAIT, NOMIB, D(TCP_RESET) },
	{ "bare ACK at rcv_nxt: nothing", TCP_TIME_WAIT, ACK, 0, A_NXT, 0, 0, R_NONE,
	  TCP_TIME_WAIT, NOMIB, NODROP },
	{ "new SYN, no listener: ACK", TCP_TIME_WAIT, SYN, 100, A_UNA, 0, 0, R_ACK, TCP_TIME_WAIT,
	  NOMIB, NODROP },
};

static const char *const reply_names[] = { "nothing", "ACK", "challenge ACK", "RST", "RST|ACK",
					   "SYN-ACK" };

/* What came back, as one of enum reply (R_CHALLENGE and R_ACK look the
 * same on the wire), or -1 for anything else (two segments...). */
static int reply_of(const struct row *r, uint32_t seg_ack)
{
	struct pkt *tx = h_tx_pop(eth0);
	int got = -1;
	uint8_t f;

	if (!tx)
		return R_NONE;
	f = tx_tcp(tx)->flags & ~TCPHDR_PSH;
	if (f == TCPHDR_ACK)
		got = r->reply == R_CHALLENGE ? R_CHALLENGE : R_ACK;
	else if (f == TCPHDR_RST && ntohl(tx_tcp(tx)->seq) == seg_ack)
		got = R_RST;
	else if (f == (TCPHDR_RST | TCPHDR_ACK))
		got = R_RSTACK;
	else if (f == (TCPHDR_SYN | TCPHDR_ACK))
		got = R_SYNACK;
	pkt_free(tx);
	if (h_tx_count(eth0))
		got = -1;
	return got;
}

static void run_row(const struct row *r, bool wrap)
{
	uint64_t mib_before = 0, drop_before = 0, challenges, inerrs;
	struct tcp_sock *tp;
	struct conn c;
	struct seg s;
	int got, state;

	conn_reach(&c, r->state, wrap);
	tp = conn_tp(&c);
	assert_non_null(tp);
	s.sport = c.pport;
	s.dport = c.lport;
	s.seq = (r->state == TCP_SYN_SENT ? c.peer_isn : tp->rcv_nxt) + (uint32_t)r->seq;
	s.ack = (r->ack_base == A_NXT ? tp->snd_nxt : tp->snd_una) + (uint32_t)r->ack;
	if (!(r->flags & TCPHDR_ACK))
		s.ack = 0;
	s.flags = r->flags;
	s.len = r->len;
	challenges = ns->mib[MIB_TcpExtTCPChallengeACK];
	inerrs = ns->mib[MIB_TcpInErrs];
	if (r->mib >= 0)
		mib_before = ns->mib[r->mib];
	if (r->drop >= 0)
		drop_before = ns->drop[r->drop];
	peer_send(&s);
	h_advance(SETTLE_NS);
	got = reply_of(r, s.ack);
	state = conn_state(&c);
	if (got != r->reply || state != r->next)
		fail_msg("%s, %s%s: got %s, %s; want %s, %s", tcp_state_name(r->state), r->what,
			 wrap ? " (wrapping)" : "", got < 0 ? "something else" : reply_names[got],
			 tcp_state_name(state), reply_names[r->reply], tcp_state_name(r->next));
	/* a challenge ACK is counted as one, a plain ACK is not */
	if (ns->mib[MIB_TcpExtTCPChallengeACK] - challenges != (r->reply == R_CHALLENGE))
		fail_msg("%s, %s%s: TCPChallengeACK moved by %d", tcp_state_name(r->state), r->what,
			 wrap ? " (wrapping)" : "",
			 (int)(ns->mib[MIB_TcpExtTCPChallengeACK] - challenges));
	/* InErrs moves only where the row says so */
	if (r->mib != MIB_TcpInErrs && ns->mib[MIB_TcpInErrs] != inerrs)
		fail_msg("%s, %s%s: InErrs moved", tcp_state_name(r->state), r->what,
			 wrap ? " (wrapping)" : "");
	if (r->mib >= 0 && ns->mib[r->mib] != mib_before + 1)
		fail_msg("%s, %s%s: counter moved by %d", tcp_state_name(r->state), r->what,
			 wrap ? " (wrapping)" : "", (int)(ns->mib[r->mib] - mib_before));
	if (r->drop >= 0 && ns->drop[r->drop] != drop_before + 1)
		fail_msg("%s, %s%s: drop reason moved by %d", tcp_state_name(r->state), r->what,
			 wrap ? " (wrapping)" : "", (int)(ns->drop[r->drop] - drop_before));
}

/* One fresh namespace per row: every row starts from the same counters,
 * ports and rate-limit clocks. */
static void test_tcp_state_table(void **state)
{
	(void)state;
	h_teardown();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (int wrap = 0; wrap < 2; wrap++) {
			accepted = NULL;
			ns = h_host("h", &eth0);
			run_row(&rows[i], wrap);
			h_teardown();
		}
	}
	ns = h_host("h", &eth0);
}

/* Out-of-order data beyond the FIN can never be delivered: the FIN
 * empties the queue (Linux's tcp_fin purges out_of_order_queue). */
static void test_tcp_fin_purges_out_of_order_queue(void **state)
{
	struct tcp_sock *tp;
	struct conn c;
	struct seg s;

	(void)state;
	conn_reach(&c, TCP_ESTABLISHED, false);
	tp = tcp_sk(c.sk);
	s = (struct seg){ c.pport, c.lport, tp->rcv_nxt + 20, tp->snd_una, TCPHDR_ACK, 10 };
	peer_send(&s);
	assert_int_equal(tp->ooo_n, 1);
	s = (struct seg){ c.pport, c.lport, tp->rcv_nxt, tp->snd_una, TCPHDR_ACK | TCPHDR_FIN, 5 };
	peer_send(&s);
	assert_int_equal(tp->state, TCP_CLOSE_WAIT);
	assert_int_equal(tp->ooo_n, 0);
	assert_int_equal(tcp_rcv_queued(tp), 5);
}

/* Send @flags at rcv_nxt + @seq (ACK at snd_una) with @len data bytes; how
 * many segments came back. */
static unsigned poke(const struct conn *c, uint8_t flags, uint32_t seq, unsigned len)
{
	struct tcp_sock *tp = conn_tp(c);
	struct seg s = { c->pport, c->lport, tp->rcv_nxt + seq, tp->snd_una, flags, len };
	unsigned n;

	peer_send(&s);
	n = h_tx_count(eth0);
	h_tx_flush(eth0);
	return n;
}

/* RFC 5961 7 as Linux does it: one challenge ACK per socket per
 * tcp_invalid_ratelimit (500 ms), the rest counted as skipped. */
static void test_tcp_challenge_ack_rate_limit(void **state)
{
	struct conn c;

	(void)state;
	conn_reach(&c, TCP_ESTABLISHED, false);
	assert_int_equal(poke(&c, TCPHDR_RST, 1, 0), 1);
	assert_int_equal(poke(&c, TCPHDR_RST, 2, 0), 0);
	assert_int_equal(poke(&c, TCPHDR_SYN, 0, 0), 0);
	assert_mib(ns, TcpExtTCPChallengeACK, 1);
	assert_mib(ns, TcpExtTCPACKSkippedChallenge, 2);
	assert_mib(ns, TcpExtTCPSYNChallenge, 1);
	assert_mib(ns, TcpInErrs, 1);
	h_advance(499ull * NSEC_PER_MSEC);
	assert_int_equal(poke(&c, TCPHDR_RST, 1, 0), 0);
	h_advance(1ull * NSEC_PER_MSEC);
	assert_int_equal(poke(&c, TCPHDR_RST, 1, 0), 1);
	assert_mib(ns, TcpExtTCPChallengeACK, 2);
	assert_mib(ns, TcpExtTCPACKSkippedChallenge, 3);
	/* 0 turns the limit off */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_invalid_ratelimit", "0", NULL), 0);
	assert_int_equal(poke(&c, TCPHDR_RST, 1, 0), 1);
	assert_int_equal(poke(&c, TCPHDR_RST, 1, 0), 1);
	assert_mib(ns, TcpExtTCPChallengeACK, 4);
	assert_int_equal(tcp_sk(c.sk)->state, TCP_ESTABLISHED);
}

/* Duplicate ACKs to segments outside the window share the limit (and the
 * clock) with challenge ACKs; segments with data are always answered. */
static void test_tcp_out_of_window_ack_rate_limit(void **state)
{
	struct conn c;
	char v[16];

	(void)state;
	assert_int_equal(sysctl_get(ns, "net.ipv4.tcp_invalid_ratelimit", v, sizeof(v)), 0);
	assert_string_equal(v, "500");
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_invalid_ratelimit", "-1", NULL), -EINVAL);
	conn_reach(&c, TCP_ESTABLISHED, false);
	assert_int_equal(poke(&c, TCPHDR_ACK, BEYOND, 0), 1);
	assert_int_equal(poke(&c, TCPHDR_ACK, BEYOND, 0), 0);
	assert_int_equal(poke(&c, TCPHDR_ACK, (uint32_t)-70000, 0), 0); /* before the window */
	assert_int_equal(poke(&c, TCPHDR_ACK, BEYOND, 10), 1);		 /* data: answered */
	assert_int_equal(poke(&c, TCPHDR_RST, 1, 0), 0);		 /* the same clock */
	assert_mib(ns, TcpExtTCPACKSkippedSeq, 2);
	assert_mib(ns, TcpExtTCPACKSkippedChallenge, 1);
	assert_mib(ns, TcpExtBeyondWindow, 3);
	h_advance(500ull * NSEC_PER_MSEC);
	h_tx_flush(eth0);
	assert_int_equal(poke(&c, TCPHDR_ACK, BEYOND, 0), 1);
	assert_drop(ns, TCP_INVALID_SEQUENCE, 4);
	assert_drop(ns, TCP_OLD_SEQUENCE, 1);
}

/* TIME_WAIT's ACKs to segments outside the window are limited too, but
 * not those to a retransmitted FIN (it occupies sequence space, like data). */
static void test_tcp_time_wait_ack_rate_limit(void **state)
{
	struct conn c;

	(void)state;
	conn_reach(&c, TCP_TIME_WAIT, false);
	assert_int_equal(poke(&c, TCPHDR_ACK | TCPHDR_FIN, (uint32_t)-1, 0), 1);
	assert_int_equal(poke(&c, TCPHDR_ACK | TCPHDR_FIN, (uint32_t)-1, 0), 1);
	assert_int_equal(poke(&c, TCPHDR_ACK, (uint32_t)-10, 0), 1);
	assert_int_equal(poke(&c, TCPHDR_ACK, (uint32_t)-10, 0), 0);
	assert_mib(ns, TcpExtTCPACKSkippedTimeWait, 1);
	assert_int_equal(conn_state(&c), TCP_TIME_WAIT);
}

/* A SYN above a TIME_WAIT's rcv_nxt, to a port a listener still holds,
 * ends the TIME_WAIT and opens a new connection whose ISN lies above
 * everything the old one sent (Linux's TCP_TW_SYN, RFC 1122 4.2.2.13). */
static void test_tcp_time_wait_syn_opens_new_connection(void **state)
{
	struct sock *l, *s;
	struct tcp_sock *tp;
	struct conn c = { .pport = PEER_PORT, .lport = OUR_PORT, .peer_isn = 1000 };
	uint32_t old_snd_nxt, rcv_nxt;
	struct pkt *tx;

	(void)state;
	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &ops, NULL, &l), 0);
	assert_int_equal(sock_bind(l, 0, OUR_PORT), 0);
	assert_int_equal(sock_listen(l, 8), 0);
	conn_send(&c, TCPHDR_SYN, c.peer_isn, 0);
	tp = conn_tp(&c);
	conn_send(&c, TCPHDR_ACK, c.peer_isn + 1, tp->iss + 1);
	s = accepted;
	assert_non_null(s);
	/* the server closes first: TIME_WAIT, the listener still there */
	sock_close(s);
	conn_send(&c, TCPHDR_ACK | TCPHDR_FIN, tp->rcv_nxt, tp->snd_nxt);
	assert_int_equal(tp->state, TCP_TIME_WAIT);
	old_snd_nxt = tp->snd_nxt;
	rcv_nxt = tp->rcv_nxt;
	h_tx_flush(eth0);
	accepted = NULL;
	conn_send(&c, TCPHDR_SYN, rcv_nxt + 1000, 0);
	tx = h_tx_pop(eth0);
	assert_non_null(tx);
	assert_int_equal(tx_tcp(tx)->flags, TCPHDR_SYN | TCPHDR_ACK);
	assert_int_equal(ntohl(tx_tcp(tx)->seq), old_snd_nxt + 65537);
	assert_int_equal(ntohl(tx_tcp(tx)->ack_seq), rcv_nxt + 1001);
	pkt_free(tx);
	assert_int_equal(conn_state(&c), TCP_SYN_RECV);
	conn_send(&c, TCPHDR_ACK, rcv_nxt + 1001, old_snd_nxt + 65538);
	assert_non_null(accepted);
	assert_int_equal(conn_state(&c), TCP_ESTABLISHED);
	assert_mib(ns, TcpPassiveOpens, 2);
	sock_close(accepted);
	sock_close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_state_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_fin_purges_out_of_order_queue, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_challenge_ack_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_out_of_window_ack_rate_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp_time_wait_ack_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_time_wait_syn_opens_new_connection, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
