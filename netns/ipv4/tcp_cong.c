// SPDX-License-Identifier: MIT
/*
 * Congestion control, as net/ipv4/tcp_cong.c and the recovery part of
 * tcp_input.c: the tcp_congestion_ops of Reno (RFC 5681: slow start,
 * congestion avoidance, ssthresh = max(flight / 2, 2)), fast retransmit
 * at the third duplicate ACK and NewReno recovery (RFC 6582: a partial
 * ACK retransmits the next hole, recovery ends when high_seq is
 * acknowledged), and the loss state an RTO enters (RFC 5681 3.1: cwnd 1,
 * then go back to snd_una). A new algorithm is one more ops table.
 */
#include "tcp.h"

/* tcp_reno_ssthresh: half the window in flight, at least 2 segments. */
static uint32_t tcp_reno_ssthresh(struct tcp_sock *tp)
{
	uint32_t half = tcp_packets_in_flight(tp) / 2;

	if (half < tp->snd_cwnd / 2)
		half = tp->snd_cwnd / 2;
	return half > 2 ? half : 2;
}

/* tcp_reno_cong_avoid: slow start below ssthresh (one segment per
 * segment ACKed), else one segment per window (tcp_cong_avoid_ai). */
static void tcp_reno_cong_avoid(struct tcp_sock *tp, uint32_t ack, uint32_t acked)
{
	(void)ack;
	if (tp->snd_cwnd < tp->snd_ssthresh) {
		uint32_t cwnd = tp->snd_cwnd + acked;

		if (cwnd > tp->snd_ssthresh) {
			acked = cwnd - tp->snd_ssthresh;
			cwnd = tp->snd_ssthresh;
		} else {
			acked = 0;
		}
		tp->snd_cwnd = cwnd;
		if (!acked)
			return;
	}
	tp->snd_cwnd_cnt += acked;
	if (tp->snd_cwnd_cnt >= tp->snd_cwnd) {
		tp->snd_cwnd_cnt -= tp->snd_cwnd;
		tp->snd_cwnd++;
	}
}

const struct tcp_congestion_ops tcp_reno = {
	.name = "reno",
	.ssthresh = tcp_reno_ssthresh,
	.cong_avoid = tcp_reno_cong_avoid,
};

/* tcp_enter_loss: an RTO. Everything in flight is presumed lost. */
void tcp_enter_loss(struct tcp_sock *tp)
{
	if (tp->ca_state != TCP_CA_Loss)
		tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = 1;
	tp->snd_cwnd_cnt = 0;
	tp->ca_state = TCP_CA_Loss;
	tp->high_seq = tp->snd_max;
	tp->dupacks = 0;
	tp->snd_nxt = tp->snd_una;
}

void tcp_cong_on_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked)
{
	tp->dupacks = 0;
	if (tp->ca_state == TCP_CA_Recovery) {
		if (!before(ack, tp->high_seq)) {
			/* Full ACK: leave recovery with cwnd = ssthresh. */
			tp->snd_cwnd = tp->snd_ssthresh;
			tp->ca_state = TCP_CA_Open;
			return;
		}
		/* Partial ACK (RFC 6582 3.2 step 3): retransmit the next
		 * hole, deflate by what was ACKed, add one back. */
		tcp_retransmit_skb(tp);
		if (tp->snd_cwnd > acked)
			tp->snd_cwnd -= acked;
		else
			tp->snd_cwnd = 1;
		tp->snd_cwnd++;
		return;
	}
	if (tp->ca_state == TCP_CA_Loss && !before(ack, tp->high_seq))
		tp->ca_state = TCP_CA_Open;
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
		tp->ca_state = TCP_CA_Disorder;
		return;
	}
	/* RFC 6582 3.2 step 2: a new recovery only past the last one. */
	tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = tp->snd_ssthresh + 3;
	tp->high_seq = tp->snd_max;
	tp->ca_state = TCP_CA_Recovery;
	tcp_retransmit_skb(tp);
}
