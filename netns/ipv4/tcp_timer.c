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

	mib_inc(tp->sk.ns, MIB_TcpExtTCPAbortOnTimeout);
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

static uint64_t tcp_rto_ns(const struct tcp_sock *tp)
{
	uint64_t rto = (uint64_t)tp->rto_us << tp->backoff;

	return MIN(rto, (uint64_t)TCP_RTO_MAX_US) * 1000;
}

/*
 * tcp_write_timeout: the handshake gives up after its retry count; data
 * after tcp_retries2 retransmissions or, with TCP_USER_TIMEOUT, once the
 * unacknowledged head has waited that long (retransmits_timed_out).
 */
static bool tcp_write_timeout(const struct tcp_sock *tp, unsigned limit)
{
	if (tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV || !tp->user_timeout)
		return tp->retransmits >= limit;
	return tp->retransmits &&
	       loop_now() - tp->retrans_stamp >= (uint64_t)tp->user_timeout * NSEC_PER_MSEC;
}

/* tcp_clamp_rto_to_user_timeout: the next expiry no later than the user
 * timeout, so the connection ends on time. */
static void tcp_clamp_rto_to_user_timeout(struct tcp_sock *tp)
{
	uint64_t end = tp->retrans_stamp + (uint64_t)tp->user_timeout * NSEC_PER_MSEC;

	if (!tp->user_timeout || tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV)
		return;
	if (tp->retransmit_timer.expires > end)
		timer_mod(&tp->retransmit_timer, MAX(end, loop_now() + 1));
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
	if (!tp->retransmits)
		tp->retrans_stamp = loop_now() - tcp_rto_ns(tp);
	if (tp->state == TCP_SYN_SENT)
		limit = (unsigned)ns->sysctl.tcp_syn_retries;
	else if (tp->state == TCP_SYN_RECV)
		limit = (unsigned)ns->sysctl.tcp_synack_retries;
	else
		limit = TCP_RETRIES2;
	if (tcp_write_timeout(tp, limit)) {
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
	tcp_clamp_rto_to_user_timeout(tp);
}

static void tcp_delack_timer(struct timer *t)
{
	struct tcp_sock *tp = container_of(t, struct tcp_sock, delack_timer);

	if (tp->ack_scheduled && tp->state != TCP_CLOSE && tp->state != TCP_LISTEN)
		tcp_send_ack(tp);
}

/* Seconds of a keepalive setting as the kernel's u32 jiffies read them
 * (keepalive_time_when): a negative sysctl is a very long time. */
static uint64_t tcp_keepalive_ns(int32_t sec)
{
	return (uint64_t)(uint32_t)((int64_t)sec * TCP_HZ) * (NSEC_PER_SEC / TCP_HZ);
}

static uint64_t keepalive_time_when(const struct tcp_sock *tp)
{
	return tcp_keepalive_ns(tp->keepalive_time ? (int32_t)tp->keepalive_time
						   : tp->sk.ns->sysctl.tcp_keepalive_time);
}

static uint64_t keepalive_intvl_when(const struct tcp_sock *tp)
{
	return tcp_keepalive_ns(tp->keepalive_intvl ? (int32_t)tp->keepalive_intvl
						    : tp->sk.ns->sysctl.tcp_keepalive_intvl);
}

static unsigned keepalive_probes(const struct tcp_sock *tp)
{
	return tp->keepalive_probes ? tp->keepalive_probes
				    : (unsigned)tp->sk.ns->sysctl.tcp_keepalive_probes;
}

/* States whose timer keepalive may use: synchronized, and not TIME_WAIT
 * or an orphan's FIN_WAIT2, whose end the same timer holds. */
static bool tcp_keepalive_state(const struct tcp_sock *tp)
{
	switch (tp->state) {
	case TCP_CLOSE:
	case TCP_LISTEN:
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
	case TCP_TIME_WAIT:
		return false;
	case TCP_FIN_WAIT2:
		return !tp->sk.orphan;
	default:
		return true;
	}
}

/* "It is alive without keepalive": data or our FIN in flight or queued. */
static bool tcp_keepalive_busy(const struct tcp_sock *tp)
{
	return tp->snd_una != tp->snd_max || before(tp->snd_max, tp->write_seq) ||
	       (tp->fin_sent && tp->snd_max == tp->write_seq);
}

void tcp_reset_keepalive_timer(struct tcp_sock *tp)
{
	uint64_t when = keepalive_time_when(tp), elapsed = loop_now() - tp->rcv_tstamp;

	if (!tp->sk.keepopen || !tcp_keepalive_state(tp))
		return;
	timer_mod(&tp->keepalive_timer, loop_now() + (when > elapsed ? when - elapsed : 0));
}

/* tcp_set_keepalive: switched on, the first probe is a full idle time
 * away; switched off, the timer stops. */
void tcp_set_keepalive(struct sock *sk, bool on)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!tcp_keepalive_state(tp))
		return;
	if (on && !sk->keepopen)
		timer_mod(&tp->keepalive_timer, loop_now() + keepalive_time_when(tp));
	else if (!on)
		timer_del(&tp->keepalive_timer);
}

/*
 * The socket timer (tcp_keepalive_timer): TIME_WAIT over, or an orphan's
 * FIN_WAIT2 timed out: free the socket. Otherwise keepalive: after the
 * idle time without a word from the peer, a probe (sequence snd_una - 1,
 * no data: the peer answers with an ACK) every interval; when the count
 * (or TCP_USER_TIMEOUT) is spent, a RST and ETIMEDOUT.
 */
static void tcp_keepalive_timer(struct timer *t)
{
	struct tcp_sock *tp = container_of(t, struct tcp_sock, keepalive_timer);
	struct netns *ns = tp->sk.ns;
	uint64_t when, elapsed, next;

	if (tp->state == TCP_TIME_WAIT || (tp->state == TCP_FIN_WAIT2 && tp->sk.orphan)) {
		if (tp->state == TCP_TIME_WAIT)
			mib_inc(ns, MIB_TcpExtTW);
		tcp_done(tp);
		return;
	}
	if (!tp->sk.keepopen || !tcp_keepalive_state(tp))
		return;
	when = keepalive_time_when(tp);
	elapsed = loop_now() - tp->rcv_tstamp;
	if (tcp_keepalive_busy(tp)) {
		next = when;
	} else if (elapsed >= when) {
		if ((tp->user_timeout &&
		     elapsed >= (uint64_t)tp->user_timeout * NSEC_PER_MSEC && tp->probes_out) ||
		    (!tp->user_timeout && tp->probes_out >= keepalive_probes(tp))) {
			tcp_send_active_reset(tp);
			tcp_write_err(tp);
			return;
		}
		mib_inc(ns, MIB_TcpExtTCPKeepAlive);
		if (tcp_transmit_skb(tp, tp->snd_una - 1, TCPHDR_ACK, 0) == 0) {
			tp->probes_out++;
			next = keepalive_intvl_when(tp);
		} else {
			next = TCP_RESOURCE_PROBE_NS; /* not sent: try harder */
		}
	} else {
		next = when - elapsed;
	}
	timer_mod(&tp->keepalive_timer, loop_now() + next);
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
