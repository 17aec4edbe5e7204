// SPDX-License-Identifier: MIT
/*
 * TCP output, as net/ipv4/tcp_output.c: tcp_transmit_skb builds one
 * segment (header, options, the bytes from the send ring, checksum over
 * the pseudo-header) and hands it to ip_send; tcp_write_xmit sends new
 * data as far as the peer's window, the congestion window, Nagle's rule
 * (RFC 896, RFC 1122 4.2.3.4) and sender-side silly window avoidance
 * allow; tcp_send_ack, the SYN and SYN-ACK, resets and retransmissions.
 * Owner thread only.
 */
#include <errno.h>
#include <string.h>

#include "core/csum.h"
#include "tcp.h"

uint32_t tcp_time_stamp(const struct tcp_sock *tp)
{
	return (uint32_t)(loop_now() / NSEC_PER_MSEC) + tp->ts_offset;
}

uint16_t tcp_mss_for_mtu(unsigned mtu)
{
	unsigned mss;

	if (mtu > IP_MAXPACKET)
		mtu = IP_MAXPACKET;
	mss = mtu > 40 + 88 ? mtu - 40 : 88; /* TCP_MIN_MSS */

	return (uint16_t)MIN(mss, 65495u);
}

/*
 * tcp_select_window - the free space of the receive ring, scaled; the
 * right edge announced before never moves left (RFC 9293 3.8.6.2.2)
 * except by the rounding of the scale.
 */
uint16_t tcp_select_window(struct tcp_sock *tp)
{
	uint32_t free = TCP_RCVBUF_SIZE - (tp->rcv_nxt - tp->copied_seq);
	uint32_t old_edge = tp->rcv_wup + tp->rcv_wnd;
	uint32_t win;

	if (!tp->rcvbuf)
		free = TCP_RCVBUF_SIZE;
	if (after(old_edge, tp->rcv_nxt + free))
		free = old_edge - tp->rcv_nxt;
	win = free >> tp->rcv_wscale;
	if (win > 65535)
		win = 65535;
	tp->rcv_wup = tp->rcv_nxt;
	tp->rcv_wnd = win << tp->rcv_wscale;
	return (uint16_t)win;
}

/* The options of a segment: on SYN and SYN-ACK the MSS, SACK-permitted,
 * the timestamps and the window scale offered / agreed; on others the
 * timestamps when agreed and the SACK blocks, as many as fit beside @len
 * bytes of data in one MSS. Linux's order (MSS, SACK_PERM TS or NOP NOP
 * TS, NOP WS, NOP NOP SACK_PERM without TS; NOP NOP SACK). Returns
 * their length. */
static unsigned tcp_options_write(struct tcp_sock *tp, uint8_t *o, uint8_t flags, unsigned len)
{
	unsigned n = 0;
	bool syn = flags & TCPHDR_SYN;
	bool sack_perm = syn && tp->sack_ok;

	if (syn) {
		o[n++] = TCPOPT_MSS;
		o[n++] = TCPOLEN_MSS;
		o[n++] = (uint8_t)(tp->advmss >> 8);
		o[n++] = (uint8_t)tp->advmss;
	}
	if (tp->tstamp_ok) {
		uint32_t tsval = htonl(tcp_time_stamp(tp));
		uint32_t tsecr = htonl(tp->ts_recent);

		if (sack_perm) {
			o[n++] = TCPOPT_SACK_PERM;
			o[n++] = TCPOLEN_SACK_PERM;
			sack_perm = false;
		} else {
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_NOP;
		}
		o[n++] = TCPOPT_TIMESTAMP;
		o[n++] = TCPOLEN_TIMESTAMP;
		memcpy(o + n, &tsval, 4);
		memcpy(o + n + 4, &tsecr, 4);
		n += 8;
	}
	if (syn && tp->wscale_ok) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_WINDOW;
		o[n++] = TCPOLEN_WINDOW;
		o[n++] = tp->rcv_wscale;
	}
	if (sack_perm) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_SACK_PERM;
		o[n++] = TCPOLEN_SACK_PERM;
	}
	if (!syn && tp->sack_ok && (tp->num_sacks || tp->dsack) && len < tp->mss_cache)
		n += tcp_sack_options_write(tp, o + n, MIN(TCP_MAX_OPTLEN - n, tp->mss_cache - len));
	return n;
}

/* tcp_event_data_sent: data leaves after a time with nothing in flight
 * (the algorithm may move its epoch); lsndtime is the last data sent. */
static void tcp_event_data_sent(struct tcp_sock *tp)
{
	if (tp->snd_una == tp->snd_max)
		tcp_ca_event(tp, CA_EVENT_TX_START);
	tp->lsndtime = tcp_jiffies32();
}

/* tcp_info's output counters for a segment of @len data bytes at @seq.
 * A SYN-RECV child's SYN-ACKs are its request sock's in Linux: not
 * counted. */
static void tcp_event_segs_out(struct tcp_sock *tp, uint32_t seq, unsigned len)
{
	if (tp->state == TCP_SYN_RECV && tp->parent)
		return;
	tp->segs_out++;
	if (!len)
		return;
	tcp_event_data_sent(tp);
	tp->data_segs_out++;
	tp->bytes_sent += len;
	if (before(seq, tp->snd_max))
		tp->bytes_retrans += len;
}

int tcp_transmit_skb(struct tcp_sock *tp, uint32_t seq, uint8_t flags, unsigned len)
{
	struct netns *ns = tp->sk.ns;
	uint8_t opts[TCP_MAX_OPTLEN];
	struct ip_send_args args;
	unsigned olen, hlen, off, first;
	struct tcphdr *th;
	struct pkt *p;
	uint8_t tos = tp->sk.tos;
	uint16_t win;
	int err;

	tcp_ecn_send(tp, seq, len, &flags, &tos);
	olen = tcp_options_write(tp, opts, flags, len);
	hlen = sizeof(*th) + olen;
	p = pkt_alloc(PKT_HR_TRANSPORT, hlen + len);
	if (!p)
		return -ENOBUFS;
	p->ns = ns;
	p->tstamp = loop_now();
	th = (struct tcphdr *)p->data;
	memcpy(p->data + sizeof(*th), opts, olen);
	if (len) {
		off = seq & (TCP_SNDBUF_SIZE - 1);
		first = MIN(len, TCP_SNDBUF_SIZE - off);
		memcpy(p->data + hlen, tp->sndbuf + off, first);
		memcpy(p->data + hlen + first, tp->sndbuf, len - first);
	}
	/* RFC 7323 2.2: the window of a SYN is never scaled. */
	if (flags & TCPHDR_SYN) {
		uint32_t free = TCP_RCVBUF_SIZE;

		win = (uint16_t)MIN(free, 65535u);
		tp->rcv_wup = tp->rcv_nxt;
		tp->rcv_wnd = win;
	} else {
		win = tcp_select_window(tp);
	}
	th->source = htons(tp->sk.num);
	th->dest = htons(tp->sk.dport);
	th->seq = htonl(seq);
	th->ack_seq = (flags & TCPHDR_ACK) ? htonl(tp->rcv_nxt) : 0;
	th->doff_res = (uint8_t)((hlen / 4) << 4);
	th->flags = flags;
	th->window = htons(win);
	th->urg_ptr = 0;
	th->check = 0;
	th->check = csum_fold(csum_tcpudp_nofold(tp->sk.saddr, tp->sk.daddr, (uint16_t)p->len,
						 IPPROTO_TCP, csum_partial(p->data, p->len, 0)));
	memset(&args, 0, sizeof(args));
	args.saddr = tp->sk.saddr;
	args.daddr = tp->sk.daddr;
	args.protocol = IPPROTO_TCP;
	args.tos = tos;
	args.ttl = (uint8_t)tp->sk.ttl;
	args.df = true; /* ip_no_pmtu_disc 0: PMTU discovery on */
	mib_inc(ns, MIB_TcpOutSegs);
	tcp_event_segs_out(tp, seq, len);
	if ((len || (flags & (TCPHDR_SYN | TCPHDR_FIN))) && before(seq, tp->snd_max)) {
		mib_inc(ns, MIB_TcpRetransSegs);
		tp->total_retrans++;
	}
	if (flags & TCPHDR_ACK) {
		tp->ack_pending = 0;
		tp->ack_scheduled = false;
		timer_del(&tp->delack_timer);
	}
	err = ip_send(ns, p, &args);
	return err;
}

/* Segments in flight: RFC 6675's pipe with SACK (tcp_sack.c), else what
 * is between snd_una and snd_nxt, in segments rounded up. */
uint32_t tcp_packets_in_flight(const struct tcp_sock *tp)
{
	uint32_t bytes = tp->snd_nxt - tp->snd_una;

	if (tp->sack_ok)
		return tcp_sack_pipe(tp);

	return (bytes + tp->mss_cache - 1) / tp->mss_cache;
}

static bool tcp_can_send_data(const struct tcp_sock *tp)
{
	switch (tp->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT1:
	case TCP_LAST_ACK:
	case TCP_CLOSING:
		/* not before our SYN is acknowledged */
		return tp->syn_acked;
	default:
		return false;
	}
}

/* tcp_cwnd_validate: remember whether the window was the limit in this
 * flight (or the most segments out, when it was not), for
 * tcp_is_cwnd_limited. */
static void tcp_cwnd_validate(struct tcp_sock *tp, bool is_cwnd_limited)
{
	uint32_t packets_out = (tp->snd_nxt - tp->snd_una + tp->mss_cache - 1) / tp->mss_cache;

	if (!before(tp->snd_una, tp->cwnd_usage_seq) || is_cwnd_limited ||
	    (!tp->is_cwnd_limited && packets_out > tp->max_packets_out)) {
		tp->is_cwnd_limited = is_cwnd_limited;
		tp->max_packets_out = packets_out;
		tp->cwnd_usage_seq = tp->snd_nxt;
	}
}

void tcp_write_xmit(struct tcp_sock *tp)
{
	bool is_cwnd_limited = false;
	unsigned sent = 0;

	if (!tcp_can_send_data(tp))
		return;
	for (;;) {
		uint32_t unsent = before(tp->snd_nxt, tp->write_seq) ? tp->write_seq - tp->snd_nxt : 0;
		int32_t wnd_room = (int32_t)(tp->snd_una + tp->snd_wnd - tp->snd_nxt);
		uint32_t seg;
		uint8_t flags = TCPHDR_ACK;

		if (!unsent) {
			/* The FIN alone, once every byte before it went out. */
			if (tp->fin_sent && tp->snd_nxt == tp->write_seq) {
				if (tcp_transmit_skb(tp, tp->snd_nxt, TCPHDR_ACK | TCPHDR_FIN, 0) < 0)
					break;
				tp->snd_nxt++;
				if (after(tp->snd_nxt, tp->snd_max))
					tp->snd_max = tp->snd_nxt;
				if (!timer_pending(&tp->retransmit_timer))
					tcp_reset_xmit_timer(tp);
			}
			break;
		}
		if (tcp_packets_in_flight(tp) >= tp->snd_cwnd) {
			is_cwnd_limited = true;
			break;
		}
		if (wnd_room <= 0)
			break;
		seg = MIN(unsent, tp->mss_cache);
		seg = MIN(seg, (uint32_t)wnd_room);
		if (seg < tp->mss_cache) {
			if (seg < unsent) {
				/* window-limited: RFC 9293 3.8.6.2.1 */
				if (seg < tp->max_window / 2)
					break;
			} else if (!tp->nodelay && !tp->fin_sent && after(tp->snd_sml, tp->snd_una) &&
				   !after(tp->snd_sml, tp->snd_nxt)) {
				/* Nagle as Linux's tcp_nagle_check, with Minshall's
				 * change: a small segment waits only while an earlier
				 * small one is unacknowledged */
				break;
			}
		}
		if (seg == unsent) {
			flags |= TCPHDR_PSH;
			if (tp->fin_sent)
				flags |= TCPHDR_FIN;
		}
		if (tcp_transmit_skb(tp, tp->snd_nxt, flags, seg) < 0)
			break;
		sent++;
		if (!tp->rtt_timing && !before(tp->snd_nxt, tp->snd_max)) {
			tp->rtt_timing = true;
			tp->rtt_seq = tp->snd_nxt + seg;
			tp->rtt_start = loop_now();
		}
		tp->snd_nxt += seg + ((flags & TCPHDR_FIN) ? 1 : 0);
		if (seg < tp->mss_cache)
			tp->snd_sml = tp->snd_nxt; /* tcp_minshall_update */
		if (after(tp->snd_nxt, tp->snd_max))
			tp->snd_max = tp->snd_nxt;
		if (!timer_pending(&tp->retransmit_timer))
			tcp_reset_xmit_timer(tp);
		if (flags & TCPHDR_FIN)
			break;
	}
	is_cwnd_limited |= tcp_packets_in_flight(tp) >= tp->snd_cwnd;
	if (sent || is_cwnd_limited)
		tcp_cwnd_validate(tp, is_cwnd_limited);
	/* Data waits on a closed window with nothing in flight: the
	 * retransmit timer becomes the window probe (tcp_check_probe_timer). */
	if (before(tp->snd_nxt, tp->write_seq) && tp->snd_nxt == tp->snd_una &&
	    !timer_pending(&tp->retransmit_timer))
		tcp_reset_xmit_timer(tp);
}

void tcp_send_ack(struct tcp_sock *tp)
{
	tcp_transmit_skb(tp, tp->snd_nxt, TCPHDR_ACK, 0);
}

/*
 * __tcp_oow_rate_limited: RFC 5961 7's throttle, per socket as Linux
 * keeps it: at most one ACK to an invalid segment per
 * tcp_invalid_ratelimit ms; one held back counts @mib.
 */
bool __tcp_oow_rate_limited(struct netns *ns, enum mib_field mib, uint64_t *last)
{
	uint64_t now = loop_now();
	uint64_t gap = (uint64_t)ns->sysctl.tcp_invalid_ratelimit * NSEC_PER_MSEC;

	if (*last && now - *last < gap) {
		mib_inc(ns, mib);
		return true;
	}
	*last = now;
	return false;
}

bool tcp_oow_rate_limited(struct netns *ns, const struct tcp_skb_cb *cb, enum mib_field mib,
			  uint64_t *last)
{
	/* Data without a SYN is not likely part of an ACK loop. */
	if (cb->seq != cb->end_seq && !(cb->flags & TCPHDR_SYN))
		return false;
	return __tcp_oow_rate_limited(ns, mib, last);
}

/* tcp_send_challenge_ack: Linux's host-wide limit
 * (tcp_challenge_ack_limit) is off by default; the per-socket one is not. */
void tcp_send_challenge_ack(struct tcp_sock *tp)
{
	struct netns *ns = tp->sk.ns;

	if (__tcp_oow_rate_limited(ns, MIB_TcpExtTCPACKSkippedChallenge, &tp->last_oow_ack_time))
		return;
	mib_inc(ns, MIB_TcpExtTCPChallengeACK);
	tcp_send_ack(tp);
}

void tcp_send_syn(struct tcp_sock *tp)
{
	tcp_transmit_skb(tp, tp->iss, TCPHDR_SYN | tcp_ecn_send_syn(tp), 0);
}

void tcp_send_synack(struct tcp_sock *tp)
{
	tcp_transmit_skb(tp, tp->iss, TCPHDR_SYN | TCPHDR_ACK | tcp_ecn_make_synack(tp), 0);
}

/* tcp_send_active_reset: RST with the next sequence, ACKing what we have. */
void tcp_send_active_reset(struct tcp_sock *tp)
{
	mib_inc(tp->sk.ns, MIB_TcpOutRsts);
	tcp_transmit_skb(tp, tp->snd_nxt, TCPHDR_RST | TCPHDR_ACK, 0);
}

/* tcp_retransmit_skb: the first unacknowledged segment again (SYN,
 * SYN-ACK, data, or the FIN). */
void tcp_retransmit_skb(struct tcp_sock *tp)
{
	uint32_t left;
	unsigned len;
	uint8_t flags = TCPHDR_ACK;

	if (!tp->syn_acked) {
		if (tp->state == TCP_SYN_SENT)
			tcp_send_syn(tp);
		else
			tcp_send_synack(tp);
		return;
	}
	left = before(tp->snd_una, tp->write_seq) ? tp->write_seq - tp->snd_una : 0;
	len = MIN(left, tp->mss_cache);
	if (len == left && tp->fin_sent && after(tp->snd_max, tp->write_seq))
		flags |= TCPHDR_FIN;
	if (!len && !(flags & TCPHDR_FIN))
		return;
	if (len)
		flags |= TCPHDR_PSH;
	/* Karn's rule: no RTT sample from a retransmitted segment. */
	tp->rtt_timing = false;
	tcp_transmit_skb(tp, tp->snd_una, flags, len);
}
