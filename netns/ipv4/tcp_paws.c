// SPDX-License-Identifier: MIT
/*
 * PAWS, protection against wrapped sequences (RFC 7323 5), as Linux's
 * tcp_validate_incoming applies it before the sequence check: on a
 * connection with timestamps, a segment whose TSval is older than
 * TS.Recent is a duplicate from an earlier life of the sequence space.
 * It is dropped with a duplicate ACK (TcpExt PAWSEstab), except a RST
 * (which RFC 5961 checks on its own), a SYN (the challenge ACK path), an
 * old pure ACK below rcv_nxt (dropped silently, PAWSOldAck) and a pure
 * duplicate ACK within the replay window (accepted, tcp_disordered_ack).
 * Owner thread.
 */
#include "tcp.h"

#define TCP_PAWS_WINDOW 1 /* TSval may lag TS.Recent by one tick */

/* tcp_paws_check: the timestamp passes. TS.Recent 0 is taken as unset
 * (some stacks send 0 in their SYN). */
static bool tcp_paws_check(const struct tcp_sock *tp, uint32_t tsval)
{
	return (int32_t)(tp->ts_recent - tsval) <= TCP_PAWS_WINDOW || !tp->ts_recent;
}

/* tcp_may_update_window (RFC 9293 3.10.7.4's SND.WL1/WL2 test) */
static bool tcp_may_update_window(const struct tcp_sock *tp, uint32_t ack, uint32_t seq,
				  uint32_t nwin)
{
	return after(ack, tp->snd_una) || after(seq, tp->snd_wl1) ||
	       (seq == tp->snd_wl1 && (nwin > tp->snd_wnd || !nwin));
}

/* tcp_disordered_ack_check: 0 for the pure ACK that may pass anyway,
 * else the drop reason. */
static enum drop_reason tcp_disordered_ack_check(const struct tcp_sock *tp,
						 const struct tcp_skb_cb *cb)
{
	/* tcp_tsval_replay: about 1.2 RTO in TSval (ms) units */
	uint32_t replay = (uint32_t)((uint64_t)tp->rto_us * 12 / 10000);

	if (!(cb->flags & TCPHDR_ACK) || cb->seq != cb->end_seq)
		return DROP_TCP_RFC7323_PAWS;
	if (cb->seq != tp->rcv_nxt)
		return before(cb->seq, tp->rcv_nxt) ? DROP_TCP_RFC7323_PAWS_ACK
						     : DROP_TCP_RFC7323_PAWS;
	if (cb->ack_seq != tp->snd_una)
		return DROP_TCP_RFC7323_PAWS;
	if (tcp_may_update_window(tp, cb->ack_seq, cb->seq,
				  (uint32_t)cb->window << tp->snd_wscale))
		return DROP_TCP_RFC7323_PAWS;
	if ((int32_t)(tp->ts_recent - cb->rcv_tsval) > (int32_t)replay)
		return DROP_TCP_RFC7323_PAWS;
	return 0;
}

bool tcp_paws_reject(struct tcp_sock *tp, struct pkt *p)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	enum drop_reason reason;

	if (!tp->tstamp_ok || !cb->saw_tstamp || tcp_paws_check(tp, cb->rcv_tsval))
		return false;
	reason = tcp_disordered_ack_check(tp, cb);
	if (!reason || (cb->flags & (TCPHDR_RST | TCPHDR_SYN)))
		return false;
	/* an old ACK is common: no duplicate ACK for it */
	if (reason == DROP_TCP_RFC7323_PAWS)
		tcp_send_dupack(tp, cb);
	pkt_drop(p, reason); /* PAWSEstab or PAWSOldAck */
	return true;
}
