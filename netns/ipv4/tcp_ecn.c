// SPDX-License-Identifier: MIT
/*
 * Explicit Congestion Notification for TCP (RFC 3168), as Linux's
 * tcp_ecn_* helpers in tcp_input.c and tcp_output.c, under
 * net.ipv4.tcp_ecn (0 off, 1 ask for it and accept it, 2 — the default —
 * accept it when the peer asks) and tcp_ecn_fallback (a retransmitted SYN
 * stops asking). Negotiated in the handshake (SYN with ECE|CWR, SYN-ACK
 * with ECE), ECN lets routers mark congestion (CE) instead of dropping:
 * the receiver echoes it with ECE on its segments until the sender's CWR
 * arrives; the sender reduces cwnd once per window (the CWR state) and
 * sets CWR on its next new data. New data goes out ECT(0); ACKs, SYNs and
 * retransmissions are not ECN-capable, as RFC 3168 6.1.5 says.
 * Owner thread only.
 */
#include "tcp.h"

/* The ECN field of the IP header (INET_ECN_*). */
#define INET_ECN_MASK 3
#define INET_ECN_ECT_0 2
#define INET_ECN_CE 3

uint8_t tcp_ecn_send_syn(struct tcp_sock *tp)
{
	const struct netns *ns = tp->sk.ns;
	/* tcp_ecn_clear_syn: after a lost SYN, try without */
	bool ask = ns->sysctl.tcp_ecn == 1 && !(tp->retransmits && ns->sysctl.tcp_ecn_fallback);

	tp->ecn_flags = ask ? TCP_ECN_OK : 0;
	return ask ? TCPHDR_ECE | TCPHDR_CWR : 0;
}

void tcp_ecn_rcv_synack(struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
	/* a SYN-ACK agrees with ECE alone */
	if (!(cb->flags & TCPHDR_ECE) || (cb->flags & TCPHDR_CWR))
		tp->ecn_flags &= (uint8_t)~TCP_ECN_OK;
}

void tcp_ecn_rcv_syn(struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
	/* simultaneous open: the peer's SYN must ask too */
	if ((cb->flags & (TCPHDR_ECE | TCPHDR_CWR)) != (TCPHDR_ECE | TCPHDR_CWR))
		tp->ecn_flags &= (uint8_t)~TCP_ECN_OK;
}

void tcp_ecn_create_request(struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
	const struct netns *ns = tp->sk.ns;

	/* tcp_ecn_create_request: ECE|CWR in a SYN that is itself not
	 * ECN-capable (an ECT SYN is a broken middlebox's), sysctl not 0 */
	tp->ecn_flags = 0;
	if ((cb->flags & (TCPHDR_ECE | TCPHDR_CWR)) == (TCPHDR_ECE | TCPHDR_CWR) &&
	    !(cb->ip_dsfield & INET_ECN_MASK) && ns->sysctl.tcp_ecn)
		tp->ecn_flags = TCP_ECN_OK;
}

uint8_t tcp_ecn_make_synack(const struct tcp_sock *tp)
{
	return tp->ecn_flags & TCP_ECN_OK ? TCPHDR_ECE : 0;
}

void tcp_ecn_send(struct tcp_sock *tp, uint32_t seq, unsigned len, uint8_t *flags, uint8_t *tos)
{
	if (!(tp->ecn_flags & TCP_ECN_OK) || (*flags & TCPHDR_SYN))
		return;
	*tos &= (uint8_t)~INET_ECN_MASK;
	if (len && !before(seq, tp->snd_max)) {
		*tos |= INET_ECN_ECT_0;
		if (tp->ecn_flags & TCP_ECN_QUEUE_CWR) {
			tp->ecn_flags &= (uint8_t)~TCP_ECN_QUEUE_CWR;
			*flags |= TCPHDR_CWR;
		}
	}
	if (tp->ecn_flags & TCP_ECN_DEMAND_CWR)
		*flags |= TCPHDR_ECE;
}

bool tcp_ecn_rcv_data(struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
	bool ack_now = false;

	if (!(tp->ecn_flags & TCP_ECN_OK))
		return false;
	/* tcp_ecn_accept_cwr: the sender has reduced; its cwnd may be
	 * small, so this data is ACKed at once */
	if (cb->flags & TCPHDR_CWR) {
		tp->ecn_flags &= (uint8_t)~TCP_ECN_DEMAND_CWR;
		ack_now = true;
	}
	/* __tcp_ecn_check_ce */
	switch (cb->ip_dsfield & INET_ECN_MASK) {
	case INET_ECN_CE:
		if (!(tp->ecn_flags & TCP_ECN_DEMAND_CWR)) {
			tp->ecn_flags |= TCP_ECN_DEMAND_CWR;
			ack_now = true; /* quickack: the echo must not wait */
		}
		tp->ecn_flags |= TCP_ECN_SEEN;
		break;
	case 0:
		break;
	default: /* ECT(0) or ECT(1) */
		tp->ecn_flags |= TCP_ECN_SEEN;
		break;
	}
	return ack_now;
}

void tcp_ecn_rcv_ack(struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
	/* tcp_fastretrans_alert: CWR is held until something above
	 * high_seq is ACKed, so that the CWR bit has reached the peer */
	if (tp->ca_state == TCP_CA_CWR && after(tp->snd_una, tp->high_seq)) {
		tp->snd_cwnd = tp->snd_ssthresh; /* tcp_end_cwnd_reduction */
		tcp_set_ca_state(tp, TCP_CA_Open);
	}
	/* tcp_ecn_rcv_ecn_echo, then tcp_try_to_open's tcp_enter_cwr: once
	 * per window, and not in recovery or loss, which reduced already */
	if (!(tp->ecn_flags & TCP_ECN_OK) || !(cb->flags & TCPHDR_ECE) || (cb->flags & TCPHDR_SYN) ||
	    tp->ca_state >= TCP_CA_CWR)
		return;
	tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	/* Linux lowers cwnd to ssthresh over the next round (PRR); nsemu
	 * at once, as RFC 3168 6.1.2 describes */
	tp->snd_cwnd = MAX(tp->snd_ssthresh, 1u);
	tp->snd_cwnd_cnt = 0;
	tp->high_seq = tp->snd_nxt;
	tp->ecn_flags |= TCP_ECN_QUEUE_CWR;
	tcp_set_ca_state(tp, TCP_CA_CWR);
}
