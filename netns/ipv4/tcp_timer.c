// SPDX-License-Identifier: MIT
/*
 * TCP timers, as net/ipv4/tcp_timer.c: the retransmission timer (RFC 6298
 * 5: on expiry retransmit the first unacknowledged segment, double the
 * RTO up to 120 s; SYN and SYN-ACK give up after tcp_syn_retries /
 * tcp_synack_retries, data after tcp_retries2, with ETIMEDOUT; with
 * nothing in flight and a closed window it sends a window probe), the
 * delayed-ACK timer (40 ms, RFC 1122 4.2.3.2), and the TIME_WAIT /
 * FIN_WAIT2 timer that frees an orphaned socket. Timers run on the owner.
 */
#include <errno.h>

#include "tcp.h"

void tcp_reset_xmit_timer(struct tcp_sock *tp)
{
	uint64_t rto = (uint64_t)tp->rto_us << tp->backoff;

	if (rto > TCP_RTO_MAX_US)
		rto = TCP_RTO_MAX_US;
	timer_mod(&tp->retransmit_timer, loop_now() + rto * 1000);
}

/* The connection timed out: ETIMEDOUT to the application. */
static void tcp_write_err(struct tcp_sock *tp)
{
	bool connecting = tp->state == TCP_SYN_SENT;

	tp->sk.err = -ETIMEDOUT;
	if (tcp_done(tp))
		return;
	if (connecting) {
		tcp_sk_connected(tp, -ETIMEDOUT);
		return;
	}
	tcp_sk_readable(tp);
	tcp_sk_writable(tp);
}

/* tcp_probe_timer: a zero-window probe, a segment the receiver must ACK
 * (sequence snd_una - 1, tcp_xmit_probe_skb), with backoff. */
static void tcp_probe_timer(struct tcp_sock *tp)
{
	tcp_transmit_skb(tp, tp->snd_una - 1, TCPHDR_ACK, 0);
	if (tp->backoff < 15)
		tp->backoff++;
	tcp_reset_xmit_timer(tp);
}

static void tcp_retransmit_timer(struct timer *t)
{
	struct tcp_sock *tp = container_of(t, struct tcp_sock, retransmit_timer);
	struct netns *ns = tp->sk.ns;
	unsigned limit;

	if (tp->state == TCP_CLOSE || tp->state == TCP_LISTEN || tp->state == TCP_TIME_WAIT)
		return;
	if (tp->snd_una == tp->snd_max) {
		if (before(tp->snd_nxt, tp->write_seq) && !tp->snd_wnd)
			tcp_probe_timer(tp);
		else
			tcp_write_xmit(tp);
		return;
	}
	if (tp->state == TCP_SYN_SENT)
		limit = (unsigned)ns->sysctl.tcp_syn_retries;
	else if (tp->state == TCP_SYN_RECV)
		limit = (unsigned)ns->sysctl.tcp_synack_retries;
	else
		limit = TCP_RETRIES2;
	if (tp->retransmits >= limit) {
		tcp_write_err(tp);
		return;
	}
	tp->retransmits++;
	if (tp->state != TCP_SYN_SENT && tp->state != TCP_SYN_RECV)
		tcp_enter_loss(tp);
	tcp_retransmit_skb(tp);
	if (tp->backoff < 15)
		tp->backoff++;
	tcp_reset_xmit_timer(tp);
}

static void tcp_delack_timer(struct timer *t)
{
	struct tcp_sock *tp = container_of(t, struct tcp_sock, delack_timer);

	if (tp->ack_scheduled && tp->state != TCP_CLOSE && tp->state != TCP_LISTEN)
		tcp_send_ack(tp);
}

/* TIME_WAIT over (or an orphan's FIN_WAIT2 timed out): free the socket. */
static void tcp_keepalive_timer(struct timer *t)
{
	struct tcp_sock *tp = container_of(t, struct tcp_sock, keepalive_timer);

	if (tp->state == TCP_FIN_WAIT2 && !tp->sk.orphan)
		return;
	tcp_done(tp);
}

void tcp_schedule_delack(struct tcp_sock *tp)
{
	if (tp->ack_scheduled)
		return;
	tp->ack_scheduled = true;
	timer_mod(&tp->delack_timer, loop_now() + TCP_DELACK_US * 1000ull);
}

/*
 * tcp_time_wait - enter TIME_WAIT for 2MSL (Linux's 60 s) or, for an
 * orphan in FIN_WAIT2, wait tcp_fin_timeout for the peer's FIN. The
 * socket keeps its port (a bind without SO_REUSEADDR meets it) and its
 * 4-tuple (a retransmitted FIN is ACKed again).
 */
void tcp_time_wait(struct tcp_sock *tp, int state)
{
	uint64_t len = TCP_TIMEWAIT_NS;

	if (state == TCP_FIN_WAIT2)
		len = (uint64_t)tp->sk.ns->sysctl.tcp_fin_timeout * NSEC_PER_SEC;
	if (tp->state != state)
		tcp_set_state(tp, state);
	if (state == TCP_TIME_WAIT) {
		timer_del(&tp->retransmit_timer);
		timer_del(&tp->delack_timer);
		tp->ack_scheduled = false;
	}
	timer_mod(&tp->keepalive_timer, loop_now() + len);
}

void tcp_init_xmit_timers(struct tcp_sock *tp)
{
	timer_init(&tp->retransmit_timer, tcp_retransmit_timer);
	timer_init(&tp->delack_timer, tcp_delack_timer);
	timer_init(&tp->keepalive_timer, tcp_keepalive_timer);
}

void tcp_clear_xmit_timers(struct tcp_sock *tp)
{
	timer_del(&tp->retransmit_timer);
	timer_del(&tp->delack_timer);
	timer_del(&tp->keepalive_timer);
	tp->ack_scheduled = false;
}
