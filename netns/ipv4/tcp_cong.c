// SPDX-License-Identifier: MIT
/*
 * Congestion control, as net/ipv4/tcp_cong.c and the recovery part of
 * tcp_input.c: the list of algorithms by name (tcp_register_congestion_control,
 * tcp_ca_find), the namespace's default (net.ipv4.tcp_congestion_control)
 * and a socket's own (TCP_CONGESTION); the tcp_congestion_ops of Reno
 * (RFC 5681: slow start, congestion avoidance, ssthresh = max(flight / 2,
 * 2)), fast retransmit at the third duplicate ACK and NewReno recovery
 * (RFC 6582: a partial ACK retransmits the next hole, recovery ends when
 * high_seq is acknowledged), and the loss state an RTO enters (RFC 5681
 * 3.1: cwnd 1, then go back to snd_una). CUBIC is tcp_cubic.c. The list
 * is filled at start-up (tcp_cong_init) and only read afterwards, so the
 * workers share it without locks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netns/core/sysctl.h"
#include "tcp.h"

static const struct tcp_congestion_ops *tcp_cong_list[TCP_CA_MAX];
static unsigned tcp_cong_n;

int tcp_register_congestion_control(const struct tcp_congestion_ops *ca)
{
	if (!ca->ssthresh || !ca->cong_avoid || strlen(ca->name) >= TCP_CA_NAME_MAX)
		return -EINVAL;
	if (tcp_ca_find(ca->name))
		return -EEXIST;
	if (tcp_cong_n == TCP_CA_MAX)
		return -ENOSPC;
	tcp_cong_list[tcp_cong_n++] = ca;
	return 0;
}

const struct tcp_congestion_ops *tcp_ca_find(const char *name)
{
	for (unsigned i = 0; i < tcp_cong_n; i++)
		if (!strcmp(tcp_cong_list[i]->name, name))
			return tcp_cong_list[i];
	return NULL;
}

const struct tcp_congestion_ops *tcp_ca_default(struct netns *ns)
{
	return ns->tcp_ca ? ns->tcp_ca : &cubictcp;
}

int tcp_set_default_congestion_control(struct netns *ns, const char *name)
{
	const struct tcp_congestion_ops *ca = tcp_ca_find(name);

	/* Every algorithm here may be the default of any namespace: the
	 * kernel's EPERM (restricted outside init_net) has no case. */
	if (!ca)
		return -ENOENT;
	ns->tcp_ca = ca;
	return 0;
}

void tcp_init_congestion_control(struct tcp_sock *tp)
{
	if (tp->ca_ops->init)
		tp->ca_ops->init(tp);
}

/* tcp_reinit_congestion_control: the new algorithm starts from clean
 * state, at once on a connection already established. */
int tcp_set_congestion_control(struct tcp_sock *tp, const char *name)
{
	const struct tcp_congestion_ops *ca = tcp_ca_find(name);

	if (ca == tp->ca_ops) {
		tp->ca_setsockopt = true;
		return 0;
	}
	if (!ca)
		return -ENOENT;
	tp->ca_ops = ca;
	tp->ca_setsockopt = true;
	memset(tp->ca_priv, 0, sizeof(tp->ca_priv));
	if (tp->state != TCP_CLOSE && tp->state != TCP_LISTEN)
		tcp_init_congestion_control(tp);
	return 0;
}

void tcp_set_ca_state(struct tcp_sock *tp, uint8_t ca_state)
{
	if (tp->ca_ops->set_state)
		tp->ca_ops->set_state(tp, ca_state);
	tp->ca_state = ca_state;
}

void tcp_ca_event(struct tcp_sock *tp, enum tcp_ca_event ev)
{
	if (tp->ca_ops->cwnd_event)
		tp->ca_ops->cwnd_event(tp, ev);
}

/* Space-separated names in registration order, as
 * tcp_get_available_congestion_control prints them. */
void tcp_get_available_congestion_control(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < tcp_cong_n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
					tcp_cong_list[i]->name);
}

uint32_t tcp_slow_start(struct tcp_sock *tp, uint32_t acked)
{
	uint32_t cwnd = MIN(tp->snd_cwnd + acked, tp->snd_ssthresh);

	acked -= cwnd - tp->snd_cwnd;
	tp->snd_cwnd = cwnd;
	return acked;
}

void tcp_cong_avoid_ai(struct tcp_sock *tp, uint32_t w, uint32_t acked)
{
	/* Credits gathered at a larger w are applied gently now. */
	if (tp->snd_cwnd_cnt >= w) {
		tp->snd_cwnd_cnt = 0;
		tp->snd_cwnd++;
	}
	tp->snd_cwnd_cnt += acked;
	if (tp->snd_cwnd_cnt >= w) {
		uint32_t delta = tp->snd_cwnd_cnt / w;

		tp->snd_cwnd_cnt -= delta * w;
		tp->snd_cwnd += delta;
	}
}

/* tcp_reno_ssthresh: half the window in flight, at least 2 segments. */
static uint32_t tcp_reno_ssthresh(struct tcp_sock *tp)
{
	uint32_t half = tcp_packets_in_flight(tp) / 2;

	if (half < tp->snd_cwnd / 2)
		half = tp->snd_cwnd / 2;
	return half > 2 ? half : 2;
}

/* tcp_reno_cong_avoid: slow start below ssthresh (one segment per
 * segment ACKed), else one segment per window. */
static void tcp_reno_cong_avoid(struct tcp_sock *tp, uint32_t ack, uint32_t acked)
{
	(void)ack;
	if (!tcp_is_cwnd_limited(tp))
		return;
	if (tcp_in_slow_start(tp)) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			return;
	}
	tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);
}

const struct tcp_congestion_ops tcp_reno = {
	.name = "reno",
	.ssthresh = tcp_reno_ssthresh,
	.cong_avoid = tcp_reno_cong_avoid,
};

/* --- net.ipv4.tcp_congestion_control and its two lists --- */

static int tcp_ca_sysctl_get(struct netns *ns, char *buf, size_t len)
{
	snprintf(buf, len, "%s", tcp_ca_default(ns)->name);
	return 0;
}

/* proc_tcp_congestion_control: the name as written up to a newline (or
 * TCP_CA_NAME_MAX - 1 bytes), else -ENOENT as the kernel's lookup. */
static int tcp_ca_sysctl_set(struct netns *ns, const char *val)
{
	char name[TCP_CA_NAME_MAX];
	size_t n = strcspn(val, "\n");

	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, val, n);
	name[n] = '\0';
	return tcp_set_default_congestion_control(ns, name);
}

static int tcp_ca_sysctl_list(struct netns *ns, char *buf, size_t len)
{
	(void)ns;
	tcp_get_available_congestion_control(buf, len);
	return 0;
}

/* In a namespace other than init_net both lists are read-only (0444);
 * every algorithm here is allowed (TCP_CONG_NON_RESTRICTED). */
static const struct sysctl_str tcp_ca_sysctls[] = {
	{ "tcp_allowed_congestion_control", tcp_ca_sysctl_list, NULL },
	{ "tcp_available_congestion_control", tcp_ca_sysctl_list, NULL },
	{ "tcp_congestion_control", tcp_ca_sysctl_get, tcp_ca_sysctl_set },
};

void tcp_cong_init(void)
{
	/* tcp_init registers Reno first, then cubictcp_register: the
	 * kernel lists them in that order */
	if (tcp_register_congestion_control(&tcp_reno) ||
	    tcp_register_congestion_control(&cubictcp))
		abort();
	for (size_t i = 0; i < ARRAY_SIZE(tcp_ca_sysctls); i++)
		sysctl_register_str(&tcp_ca_sysctls[i]);
}

/* The first RTO of a loss episode (tcp_retransmit_timer counted it in
 * retransmits already): the recovery it ends failed (Linux's counters). */
static void tcp_count_recovery_failure(struct tcp_sock *tp)
{
	struct netns *ns = tp->sk.ns;

	if (tp->retransmits != 1)
		return;
	if (tp->ca_state == TCP_CA_Recovery)
		mib_inc(ns, tp->sack_ok ? MIB_TcpExtTCPSackRecoveryFail : MIB_TcpExtTCPRenoRecoveryFail);
	else if (tp->ca_state == TCP_CA_Loss)
		mib_inc(ns, MIB_TcpExtTCPLossFailures);
	else if (tp->ca_state == TCP_CA_Disorder || tp->sacked_n)
		mib_inc(ns, tp->sack_ok ? MIB_TcpExtTCPSackFailures : MIB_TcpExtTCPRenoFailures);
}

/* tcp_enter_loss: an RTO. Everything in flight is presumed lost: without
 * SACK, go back to snd_una; with it, the SACKed data stays SACKed and
 * only the rest is resent (tcp_sack_enter_loss). */
void tcp_enter_loss(struct tcp_sock *tp)
{
	tcp_count_recovery_failure(tp);
	if (tp->ca_state != TCP_CA_Loss)
		tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = 1;
	tp->snd_cwnd_cnt = 0;
	tcp_set_ca_state(tp, TCP_CA_Loss);
	tp->high_seq = tp->snd_max;
	tp->dupacks = 0;
	if (tp->sack_ok) {
		tcp_sack_enter_loss(tp);
		return;
	}
	tp->snd_nxt = tp->snd_una;
}

void tcp_cong_on_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked)
{
	tp->dupacks = 0;
	if (tp->ca_state == TCP_CA_Recovery) {
		if (!before(ack, tp->high_seq)) {
			/* Full ACK: leave recovery with cwnd = ssthresh. */
			tp->snd_cwnd = tp->snd_ssthresh;
			tcp_set_ca_state(tp, TCP_CA_Open);
			return;
		}
		/* Partial ACK (RFC 6582 3.2 step 3): retransmit the next
		 * hole, deflate by what was ACKed, add one back. */
		mib_inc(tp->sk.ns, MIB_TcpExtTCPFastRetrans);
		tcp_retransmit_skb(tp);
		if (tp->snd_cwnd > acked)
			tp->snd_cwnd -= acked;
		else
			tp->snd_cwnd = 1;
		tp->snd_cwnd++;
		return;
	}
	/* tcp_try_to_open: reordering (Disorder) is over with a new ACK */
	if ((tp->ca_state == TCP_CA_Loss && !before(ack, tp->high_seq)) ||
	    tp->ca_state == TCP_CA_Disorder)
		tcp_set_ca_state(tp, TCP_CA_Open);
	if (tp->ca_state != TCP_CA_CWR) /* no growth while reducing */
		tp->ca_ops->cong_avoid(tp, ack, acked);
}

void tcp_cong_on_dupack(struct tcp_sock *tp)
{
	if (tp->ca_state == TCP_CA_Recovery) {
		tp->snd_cwnd++; /* RFC 5681 3.2 step 4: inflate */
		return;
	}
	if (tp->ca_state == TCP_CA_Loss)
		return;
	if (++tp->dupacks < 3) {
		if (tp->ca_state != TCP_CA_CWR)
			tcp_set_ca_state(tp, TCP_CA_Disorder);
		return;
	}
	/* RFC 6582 3.2 step 2: a new recovery only past the last one; out
	 * of CWR, ssthresh is already reduced (tcp_enter_recovery) */
	if (tp->ca_state != TCP_CA_CWR)
		tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = tp->snd_ssthresh + 3;
	tp->high_seq = tp->snd_max;
	tcp_set_ca_state(tp, TCP_CA_Recovery);
	mib_inc(tp->sk.ns, MIB_TcpExtTCPRenoRecovery);
	mib_inc(tp->sk.ns, MIB_TcpExtTCPFastRetrans);
	tcp_retransmit_skb(tp);
}
