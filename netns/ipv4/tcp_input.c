// SPDX-License-Identifier: MIT
/*
 * TCP input, as net/ipv4/tcp_input.c: option parsing, the listener's
 * SYN (tcp_conn_request: a child in SYN_RECV), SYN_SENT
 * (tcp_rcv_synsent_state_process), and for every other state
 * tcp_rcv_state_process, in RFC 9293 3.10.7.4's order: sequence check,
 * RST (RFC 5961 3.2: exact sequence resets, in window gets a challenge
 * ACK), SYN (RFC 5961 4.2: challenge ACK), ACK (tcp_ack: window update,
 * RTT, congestion control, duplicate ACKs), data (tcp_data_queue, with
 * the out-of-order queue), FIN. Owner thread only.
 */
#include <errno.h>
#include <string.h>

#include "core/rand.h"
#include "tcp.h"

void tcp_parse_options(const struct tcphdr *th, struct tcp_skb_cb *cb)
{
	const uint8_t *o = (const uint8_t *)(th + 1);
	int len = (int)tcp_doff(th) - (int)sizeof(*th);
	bool syn = th->flags & TCPHDR_SYN;

	cb->mss = 0;
	cb->wscale = -1;
	cb->saw_tstamp = false;
	cb->sack_ok = false;
	cb->num_sacks = 0;
	while (len > 0) {
		uint8_t kind = o[0], olen;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			o++;
			len--;
			continue;
		}
		/* An option running past the header ends parsing. */
		if (len < 2)
			return;
		olen = o[1];
		if (olen < 2 || olen > len)
			return;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen == TCPOLEN_MSS && syn)
				cb->mss = (uint16_t)(o[2] << 8 | o[3]);
			break;
		case TCPOPT_WINDOW:
			if (olen == TCPOLEN_WINDOW && syn)
				cb->wscale = (int8_t)MIN(o[2], TCP_MAX_WSCALE); /* RFC 7323 2.3 */
			break;
		case TCPOPT_SACK_PERM:
			if (olen == TCPOLEN_SACK_PERM && syn)
				cb->sack_ok = true;
			break;
		case TCPOPT_SACK:
			/* A length that is not a whole number of blocks: the
			 * option is ignored (Linux counts nothing). */
			if (olen >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK &&
			    !((olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK)) {
				cb->sack_off = (uint8_t)(o + 2 - (const uint8_t *)th);
				cb->num_sacks = (uint8_t)((olen - TCPOLEN_SACK_BASE) /
							  TCPOLEN_SACK_PERBLOCK);
			}
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == TCPOLEN_TIMESTAMP) {
				uint32_t v[2];

				memcpy(v, o + 2, 8);
				cb->saw_tstamp = true;
				cb->rcv_tsval = ntohl(v[0]);
				cb->rcv_tsecr = ntohl(v[1]);
			}
			break;
		default:
			break;
		}
		o += olen;
		len -= olen;
	}
}

/* What the peer's SYN or SYN-ACK agreed: an option holds only if both
 * sides sent it (our side: the sysctl, decided before). */
void tcp_init_options(struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
	uint16_t peer_mss = cb->mss ? cb->mss : TCP_MSS_DEFAULT;

	if (peer_mss < tp->mss_cache)
		tp->mss_cache = peer_mss;
	if (tp->mss_cache < 88)
		tp->mss_cache = 88;
	if (tp->wscale_ok && cb->wscale >= 0) {
		tp->snd_wscale = (uint8_t)cb->wscale;
	} else {
		tp->wscale_ok = false;
		tp->snd_wscale = 0;
		tp->rcv_wscale = 0;
	}
	if (tp->tstamp_ok && cb->saw_tstamp) {
		tp->ts_recent = cb->rcv_tsval;
		tp->mss_cache -= TCPOLEN_TIMESTAMP + 2; /* every segment carries them */
	} else {
		tp->tstamp_ok = false;
	}
	tp->sack_ok = tp->sack_ok && cb->sack_ok;
}

/* tcp_update_rtt_min: the smallest sample of the last 300 s
 * (tcp_min_rtt_wlen), a sample older than that giving way to the new
 * one (Linux keeps the three best of the window, minmax). */
static void tcp_update_rtt_min(struct tcp_sock *tp, uint32_t rtt_us)
{
	uint32_t now = tcp_jiffies32();

	if (!tp->min_rtt_us || rtt_us <= tp->min_rtt_us || now - tp->min_rtt_stamp > 300000u) {
		tp->min_rtt_us = rtt_us;
		tp->min_rtt_stamp = now;
	}
}

/* tcp_rtt_estimator + tcp_set_rto (RFC 6298 2.2-2.4, Linux's 200 ms
 * floor on the variance term). */
void tcp_rtt_estimator(struct tcp_sock *tp, uint32_t rtt_us)
{
	uint64_t rto;

	if (!rtt_us)
		rtt_us = 1;
	if (!tp->srtt_us) {
		tp->srtt_us = rtt_us;
		tp->rttvar_us = rtt_us / 2;
	} else {
		uint32_t delta = tp->srtt_us > rtt_us ? tp->srtt_us - rtt_us : rtt_us - tp->srtt_us;

		tp->rttvar_us = (3 * tp->rttvar_us + delta) / 4;
		tp->srtt_us = (7 * tp->srtt_us + rtt_us) / 8;
	}
	tcp_update_rtt_min(tp, rtt_us);
	rto = (uint64_t)tp->srtt_us + MAX(4ull * tp->rttvar_us, (uint64_t)TCP_RTO_MIN_US);
	tp->rto_us = (uint32_t)MIN(rto, (uint64_t)TCP_RTO_MAX_US);
}

static void tcp_rtt_sample(struct tcp_sock *tp, uint32_t ack)
{
	if (tp->rtt_timing && !before(ack, tp->rtt_seq)) {
		uint32_t rtt_us = (uint32_t)((loop_now() - tp->rtt_start) / 1000);

		tp->rtt_timing = false;
		tcp_rtt_estimator(tp, rtt_us);
		if (tp->ca_ops->pkts_acked)
			tp->ca_ops->pkts_acked(tp, rtt_us);
	}
}

/* The window scale we announce: the smallest that covers the ring. */
static uint8_t tcp_rcv_wscale(void)
{
	uint8_t ws = 0;

	while (ws < TCP_MAX_WSCALE && (65535u << ws) < TCP_RCVBUF_SIZE)
		ws++;
	return ws;
}

/* Options our side offers, from the namespace's sysctls. */
void tcp_init_syn_options(struct tcp_sock *tp, bool peer_wscale, bool peer_tstamp,
			  bool peer_sack)
{
	struct netns *ns = tp->sk.ns;

	tp->wscale_ok = ns->sysctl.tcp_window_scaling && peer_wscale;
	tp->rcv_wscale = tp->wscale_ok ? tcp_rcv_wscale() : 0;
	tp->tstamp_ok = ns->sysctl.tcp_timestamps && peer_tstamp;
	/* tcp_timestamps 1: a random offset per connection; 2: none. */
	tp->ts_offset = ns->sysctl.tcp_timestamps == 1 ? (uint32_t)rand_u64() : 0;
	tp->sack_ok = ns->sysctl.tcp_sack && peer_sack;
}

static void tcp_established_buffers(struct tcp_sock *tp)
{
	tp->copied_seq = tp->rcv_nxt;
	tp->retransmits = 0;
	tp->backoff = 0;
}

/*
 * tcp_create_openreq_child - a child of @lp in SYN_RECV for the SYN that
 * @cb describes (addresses and ports from @p), hashed, with our ISN @iss
 * and nothing sent yet. NULL with *@reason without a route or memory.
 */
struct tcp_sock *tcp_create_openreq_child(struct tcp_sock *lp, const struct pkt *p,
					  const struct tcp_skb_cb *cb, uint32_t iss,
					  enum drop_reason *reason)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	const struct tcphdr *th = (const struct tcphdr *)p->data;
	struct netns *ns = lp->sk.ns;
	struct tcp_sock *tp;
	struct sock *sk;
	struct rtable rt;

	if (ip_route_output(ns, iph->saddr, iph->daddr, 0, &rt) < 0) {
		*reason = DROP_IP_OUTNOROUTES;
		return NULL;
	}
	sk = sk_alloc(ns, &tcp_prot);
	if (!sk) {
		*reason = DROP_NOMEM;
		return NULL;
	}
	tp = tcp_sk(sk);
	sk->ops = lp->sk.ops;
	sk->family = lp->sk.family;
	sk->type = lp->sk.type;
	sk->protocol = lp->sk.protocol;
	tcp_init_sock(tp);
	tcp_inherit_sockopts(tp, lp);
	tp->segs_in = 1; /* the SYN (tcp_create_openreq_child) */
	inet_sk_list_add(tp);
	sk->rcv_saddr = iph->daddr;
	sk->saddr = iph->daddr;
	sk->daddr = iph->saddr;
	sk->dport = ntohs(th->source);
	inet_inherit_port(lp, tp);
	tp->parent = lp;
	lp->syn_len++;

	tp->pmtu = MIN(ip_dst_mtu_maybe_forward(ns, &rt, false), IP_MAXPACKET); /* ipv4_mtu: IP_MAX_MTU */
	tp->advmss = tcp_mss_for_mtu(tp->pmtu);
	tp->mss_cache = tp->advmss;
	tp->irs = cb->seq;
	tp->rcv_nxt = cb->seq + 1;
	tp->copied_seq = tp->rcv_nxt;
	tcp_init_syn_options(tp, cb->wscale >= 0, cb->saw_tstamp, cb->sack_ok);
	tcp_init_options(tp, cb);
	tcp_ecn_create_request(tp, cb);
	tp->snd_wnd = cb->window; /* RFC 7323 2.2: not scaled in a SYN */
	tp->max_window = tp->snd_wnd;
	tp->snd_wl1 = cb->seq;
	tp->iss = iss;
	tp->snd_una = tp->iss;
	tp->snd_nxt = tp->iss;
	tp->snd_max = tp->iss;
	tp->write_seq = tp->iss + 1;
	tp->snd_wl2 = tp->iss;
	tcp_set_state(tp, TCP_SYN_RECV);
	inet_ehash_insert(tp);
	return tp;
}

/* The ISN for the connection a SYN to a TIME_WAIT 4-tuple opens, set
 * just before tcp_v4_conn_request (Linux's per-CPU tcp_tw_isn; per
 * worker here, a namespace's segments all run on its owner). */
static _Thread_local uint32_t tcp_tw_isn;

/* A listener's segment (tcp_rcv_state_process's LISTEN, tcp_conn_request). */
void tcp_v4_conn_request(struct tcp_sock *lp, struct pkt *p)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	struct netns *ns = lp->sk.ns;
	enum drop_reason reason;
	struct tcp_sock *tp;
	bool want_cookie;

	if (cb->flags & TCPHDR_RST) {
		pkt_drop(p, DROP_TCP_RESET);
		return;
	}
	if (cb->flags & TCPHDR_ACK) {
		/* the ACK of a SYN cookie makes the child (cookie_v4_check) */
		if (!(cb->flags & TCPHDR_SYN) && cookie_v4_check(lp, p))
			return;
		/* RFC 9293 3.10.7.2: an ACK to a listener gets a RST. */
		tcp_v4_send_reset(ns, p);
		pkt_drop(p, DROP_TCP_FLAGS);
		return;
	}
	if (!(cb->flags & TCPHDR_SYN) || (cb->flags & TCPHDR_FIN)) {
		pkt_drop(p, DROP_TCP_FLAGS);
		return;
	}
	if (!tcp_conn_request_admit(lp, p, &want_cookie))
		return;
	if (want_cookie) {
		cookie_v4_send_synack(lp, p);
		return;
	}
	/* a SYN that ended a TIME_WAIT continues above its sequence space */
	tp = tcp_create_openreq_child(lp, p, cb, tcp_tw_isn ? tcp_tw_isn : (uint32_t)rand_u64(),
				      &reason);
	tcp_tw_isn = 0;
	if (!tp) {
		pkt_drop(p, reason);
		return;
	}
	tp->rtt_timing = true;
	tp->rtt_seq = tp->iss + 1;
	tp->rtt_start = loop_now();
	tcp_send_synack(tp);
	tp->snd_nxt = tp->iss + 1;
	tp->snd_max = tp->snd_nxt;
	tcp_reset_xmit_timer(tp);
	pkt_consume(p);
}

/* RFC 9293 3.10.7.3 (tcp_rcv_synsent_state_process). Consumes pkt. */
static void tcp_rcv_synsent_state_process(struct tcp_sock *tp, struct pkt *p)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	bool ack = cb->flags & TCPHDR_ACK;

	if (ack && (!after(cb->ack_seq, tp->iss) || after(cb->ack_seq, tp->snd_max))) {
		if (!(cb->flags & TCPHDR_RST))
			tcp_v4_send_reset(tp->sk.ns, p);
		pkt_drop(p, DROP_TCP_INVALID_ACK_SEQUENCE);
		return;
	}
	if (cb->flags & TCPHDR_RST) {
		/* Only an RST that ACKs our SYN refuses the connection. */
		if (ack)
			tcp_reset(tp);
		pkt_drop(p, DROP_TCP_RESET);
		return;
	}
	if (!(cb->flags & TCPHDR_SYN)) {
		pkt_drop(p, DROP_TCP_FLAGS);
		return;
	}
	tp->irs = cb->seq;
	tp->rcv_nxt = cb->seq + 1;
	tp->copied_seq = tp->rcv_nxt;
	tcp_init_options(tp, cb);
	tp->snd_wl1 = cb->seq;
	if (!ack) {
		/* Simultaneous open (RFC 9293 3.5, figure 8). */
		tcp_ecn_rcv_syn(tp, cb);
		tcp_set_state(tp, TCP_SYN_RECV);
		tp->snd_wnd = cb->window;
		tp->max_window = tp->snd_wnd;
		tcp_send_synack(tp);
		pkt_consume(p);
		return;
	}
	if (tcp_alloc_buffers(tp)) {
		tp->sk.err = -ENOMEM;
		tcp_send_active_reset(tp);
		pkt_drop(p, DROP_NOMEM);
		if (!tcp_done(tp))
			tcp_sk_connected(tp, -ENOMEM);
		return;
	}
	tcp_ecn_rcv_synack(tp, cb);
	tcp_rtt_sample(tp, cb->ack_seq);
	tp->bytes_acked += cb->ack_seq - tp->snd_una; /* the SYN */
	tp->snd_una = cb->ack_seq;
	tp->syn_acked = true;
	tp->snd_wnd = cb->window; /* not scaled in a SYN-ACK */
	tp->max_window = tp->snd_wnd;
	tp->snd_wl2 = cb->ack_seq;
	tcp_established_buffers(tp);
	timer_del(&tp->retransmit_timer);
	tcp_set_state(tp, TCP_ESTABLISHED);
	tcp_send_ack(tp);
	pkt_consume(p);
	tcp_sk_connected(tp, 0);
	tcp_sk_writable(tp);
}

/* tcp_sequence: RFC 9293's acceptability test as Linux words it; the
 * reason when it fails (a duplicate, or beyond the window), else 0. */
static enum drop_reason tcp_sequence(const struct tcp_sock *tp, uint32_t seq, uint32_t end_seq)
{
	uint32_t wnd_end = tp->rcv_wup + tp->rcv_wnd;

	if (before(wnd_end, tp->rcv_nxt))
		wnd_end = tp->rcv_nxt;
	if (before(end_seq, tp->rcv_wup))
		return DROP_TCP_OLD_SEQUENCE;
	if (after(seq, wnd_end))
		return DROP_TCP_INVALID_SEQUENCE;
	return 0;
}

/*
 * tcp_ack. Returns 0, or why the segment must be dropped: an ACK of data
 * never sent (TCP_ACK_UNSENT_DATA), or one older than what was ever
 * acknowledged (TCP_TOO_OLD_ACK, RFC 5961 5.2: blind data injection);
 * the caller decides on the challenge ACK, as Linux's callers do. @th:
 * the header, for its SACK blocks.
 */
static enum drop_reason tcp_ack(struct tcp_sock *tp, const struct tcp_skb_cb *cb,
				const uint8_t *th)
{
	uint32_t ack = cb->ack_seq, acked, nwin;
	uint32_t prior_wnd = tp->snd_wnd;
	int flag = 0;
	bool dup;

	if (after(ack, tp->snd_max))
		return DROP_TCP_ACK_UNSENT_DATA;
	if (before(ack, tp->snd_una)) {
		/* RFC 5961 5.2 as Linux bounds it: within
		 * min(max_window, bytes_acked) below snd_una it is only old */
		uint64_t max_window = MIN((uint64_t)tp->max_window, tp->bytes_acked);

		if (before(ack, tp->snd_una - (uint32_t)max_window))
			return DROP_TCP_TOO_OLD_ACK;
	}
	/* SACK blocks count even on an old ACK (Linux: tcp_ack's old_ack) */
	if (tp->sack_ok && cb->num_sacks)
		flag = tcp_sacktag_write_queue(tp, th + cb->sack_off, cb->num_sacks, ack);
	if (before(ack, tp->snd_una))
		return 0; /* old duplicate: ignored, the data may still count */
	nwin = (uint32_t)cb->window << tp->snd_wscale;
	/* RFC 9293 3.10.7.4: the window from the newest segment only. */
	if (before(tp->snd_wl1, cb->seq) || (tp->snd_wl1 == cb->seq && !before(ack, tp->snd_wl2))) {
		tp->snd_wnd = nwin;
		tp->snd_wl1 = cb->seq;
		tp->snd_wl2 = ack;
		if (nwin > tp->max_window)
			tp->max_window = nwin;
	}
	if (ack == tp->snd_una) {
		tcp_ecn_rcv_ack(tp, cb);
		/* RFC 5681 2: a duplicate ACK carries no data, does not move
		 * the window, and there is data outstanding. */
		dup = !cb->datalen && !(cb->flags & (TCPHDR_SYN | TCPHDR_FIN)) && nwin == prior_wnd &&
		      tp->snd_una != tp->snd_max;
		if (tp->sack_ok)
			tcp_sack_fastretrans_alert(tp, ack, 0, dup, flag);
		else if (dup)
			tcp_cong_on_dupack(tp);
		if (!dup && prior_wnd == 0 && tp->snd_wnd)
			tp->backoff = 0;
		return 0;
	}
	acked = ack - tp->snd_una;
	tp->bytes_acked += acked; /* tcp_snd_una_update */
	tcp_rtt_sample(tp, ack);
	tp->snd_una = ack;
	if (after(ack, tp->snd_nxt))
		tp->snd_nxt = ack;
	tp->backoff = 0;
	tp->retransmits = 0;
	tcp_ecn_rcv_ack(tp, cb);
	if (tp->sack_ok)
		tcp_sack_fastretrans_alert(tp, ack - acked,
					   (acked + tp->mss_cache - 1) / tp->mss_cache, false, flag);
	else
		tcp_cong_on_ack(tp, ack, (acked + tp->mss_cache - 1) / tp->mss_cache);
	if (tp->snd_una == tp->snd_max)
		timer_del(&tp->retransmit_timer);
	else
		tcp_reset_xmit_timer(tp);
	if (tp->sk.cb && !(tp->shutdown & SEND_SHUTDOWN))
		tcp_sk_writable(tp);
	return 0;
}

/* Our FIN is acknowledged. */
static bool tcp_fin_acked(const struct tcp_sock *tp)
{
	return tp->fin_sent && !before(tp->snd_una, tp->write_seq + 1);
}

/* Insert [start, end) into the out-of-order list, merging neighbours.
 * false when the list is full. */
static bool tcp_ofo_queue_insert(struct tcp_sock *tp, uint32_t start, uint32_t end)
{
	unsigned i = 0, j;

	while (i < tp->ooo_n && before(tp->ooo[i].end, start))
		i++;
	/* ranges i.. that touch [start, end) merge into one */
	j = i;
	while (j < tp->ooo_n && !after(tp->ooo[j].start, end)) {
		if (before(tp->ooo[j].start, start))
			start = tp->ooo[j].start;
		if (after(tp->ooo[j].end, end))
			end = tp->ooo[j].end;
		j++;
	}
	if (j == i) {
		if (tp->ooo_n == TCP_OOO_MAX)
			return false;
		memmove(&tp->ooo[i + 1], &tp->ooo[i], (tp->ooo_n - i) * sizeof(tp->ooo[0]));
		tp->ooo_n++;
	} else if (j > i + 1) {
		memmove(&tp->ooo[i + 1], &tp->ooo[j], (tp->ooo_n - j) * sizeof(tp->ooo[0]));
		tp->ooo_n -= j - i - 1;
	}
	tp->ooo[i].start = start;
	tp->ooo[i].end = end;
	return true;
}

/* tcp_ofo_queue: ranges that rcv_nxt reached become in-order data. */
static bool tcp_ofo_queue(struct tcp_sock *tp)
{
	bool moved = false;

	while (tp->ooo_n && !after(tp->ooo[0].start, tp->rcv_nxt)) {
		/* in-order data overlapped it: that part came twice */
		if (before(tp->ooo[0].start, tp->rcv_nxt))
			tcp_dsack_extend(tp, tp->ooo[0].start,
					 before(tp->ooo[0].end, tp->rcv_nxt) ? tp->ooo[0].end
									     : tp->rcv_nxt);
		if (after(tp->ooo[0].end, tp->rcv_nxt))
			tcp_rcv_nxt_update(tp, tp->ooo[0].end);
		memmove(&tp->ooo[0], &tp->ooo[1], (tp->ooo_n - 1) * sizeof(tp->ooo[0]));
		tp->ooo_n--;
		moved = true;
	}
	return moved;
}

/* tcp_event_data_recv: in-order data of @len bytes arrived; the receive
 * MSS guess grows to the largest segment seen, up to what we announced
 * (tcp_measure_rcv_mss; Linux also lowers it on a run of equal smaller
 * segments, nsemu does not). */
static void tcp_event_data_recv(struct tcp_sock *tp, uint32_t len)
{
	uint32_t adv = tp->advmss - (tp->tstamp_ok ? TCPOLEN_TIMESTAMP + 2u : 0u);

	if (len >= tp->rcv_mss)
		tp->rcv_mss = (uint16_t)MIN(len, adv);
	tp->lrcvtime = tcp_jiffies32();
}

/*
 * tcp_data_queue - the segment's data into the receive ring. In order:
 * rcv_nxt moves (and over any out-of-order range it reaches), the ACK is
 * delayed unless a second full segment is waiting; out of order: kept
 * and a duplicate ACK at once (RFC 5681 4.2). Returns false with *reason
 * when nothing of it could be used.
 */
static bool tcp_data_queue(struct tcp_sock *tp, struct pkt *p, enum drop_reason *reason)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	const uint8_t *data = p->data + tcp_doff((const struct tcphdr *)p->data);
	uint32_t seq = cb->seq, len = cb->datalen, limit, off, first;
	bool ofo_filled, ecn_ack_now = tcp_ecn_rcv_data(tp, cb);

	if (cb->flags & TCPHDR_SYN) {
		seq++;
	}
	if (!before(tp->rcv_nxt, seq + len)) {
		/* a retransmission we have: ACK it at once, with a D-SACK */
		mib_inc(tp->sk.ns, MIB_TcpExtDelayedACKLost);
		tcp_dsack_set(tp, cb->seq, cb->end_seq);
		tcp_send_ack(tp);
		*reason = DROP_TCP_OLD_DATA;
		return false;
	}
	if (before(seq, tp->rcv_nxt)) {
		tcp_dsack_set(tp, cb->seq, tp->rcv_nxt); /* its old head */
		data += tp->rcv_nxt - seq;
		len -= tp->rcv_nxt - seq;
		seq = tp->rcv_nxt;
	}
	limit = tp->copied_seq + TCP_RCVBUF_SIZE;
	if (!before(seq, limit)) {
		tcp_send_ack(tp);
		*reason = limit == tp->rcv_nxt ? DROP_TCP_ZEROWINDOW : DROP_TCP_OVERWINDOW;
		return false;
	}
	if (after(seq + len, limit))
		len = limit - seq;
	if (seq != tp->rcv_nxt)
		tcp_ofo_dsack(tp, seq, seq + len);
	if (seq != tp->rcv_nxt && !tcp_ofo_queue_insert(tp, seq, seq + len)) {
		tcp_send_ack(tp);
		*reason = DROP_TCP_OFO_DROP;
		return false;
	}
	off = seq & (TCP_RCVBUF_SIZE - 1);
	first = MIN(len, TCP_RCVBUF_SIZE - off);
	memcpy(tp->rcvbuf + off, data, first);
	memcpy(tp->rcvbuf, data + first, len - first);
	if (seq != tp->rcv_nxt) {
		tcp_sack_new_ofo_skb(tp, seq, seq + len);
		tcp_send_ack(tp); /* out of order: a duplicate ACK now */
		return true;
	}
	tcp_event_data_recv(tp, cb->datalen);
	tcp_rcv_nxt_update(tp, tp->rcv_nxt + len);
	ofo_filled = tcp_ofo_queue(tp);
	if (tp->num_sacks)
		tcp_sack_remove(tp);
	/* RFC 1122 4.2.3.2 / 9293 3.8.6.3: ACK at least every second full
	 * segment; a hole just filled is ACKed at once (RFC 5681 4.2). */
	if (ofo_filled || ecn_ack_now || ++tp->ack_pending >= 2)
		tcp_send_ack(tp);
	else
		tcp_schedule_delack(tp);
	return true;
}

/* tcp_fin: the peer's FIN in order (RFC 9293 3.10.7.4 eighth). */
static void tcp_fin(struct tcp_sock *tp)
{
	tcp_rcv_nxt_update(tp, tp->rcv_nxt + 1);
	tp->fin_rcvd = true;
	/* Out-of-order data beyond the FIN can never be delivered: Linux's
	 * tcp_fin drops it (skb_rbtree_purge of the out-of-order queue). */
	tp->ooo_n = 0;
	switch (tp->state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		tcp_set_state(tp, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		/* Our FIN not yet ACKed: simultaneous close. */
		tcp_set_state(tp, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		tcp_send_ack(tp);
		tcp_time_wait(tp, TCP_TIME_WAIT);
		tcp_sk_readable(tp);
		return;
	default:
		break;
	}
	tcp_send_ack(tp);
	tcp_sk_readable(tp);
}

/*
 * tcp_timewait_state_process - TIME_WAIT as Linux's: exactly at rcv_nxt, a
 * RST ends it (tcp_rfc1337 0) and a bare ACK restarts 2MSL unanswered;
 * a SYN above rcv_nxt (or with a newer timestamp) without ACK opens a new
 * connection if a listener takes the port, its ISN above everything this
 * one sent (RFC 1122 4.2.2.13), else gets an ACK; any other segment is
 * out of the window: a RST is dropped, the rest gets an ACK (at most one
 * per tcp_invalid_ratelimit, TCPACKSkippedTimeWait) and, if it carries
 * ACK, restarts 2MSL.
 */
static void tcp_timewait_state_process(struct tcp_sock *tp, struct pkt *p)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	struct netns *ns = tp->sk.ns;
	struct tcp_sock *lp;
	uint32_t isn;

	if (cb->seq == tp->rcv_nxt && (cb->seq == cb->end_seq || (cb->flags & TCPHDR_RST))) {
		bool rst = cb->flags & TCPHDR_RST;

		pkt_consume(p);
		if (rst)
			tcp_done(tp);
		else
			tcp_time_wait(tp, TCP_TIME_WAIT);
		return;
	}
	if ((cb->flags & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_ACK)) == TCPHDR_SYN &&
	    (after(cb->seq, tp->rcv_nxt) ||
	     (tp->tstamp_ok && cb->saw_tstamp && (int32_t)(tp->ts_recent - cb->rcv_tsval) < 0))) {
		lp = inet_lookup_listener(ns, tp->sk.saddr, tp->sk.num);
		if (lp) {
			isn = tp->snd_nxt + 65535 + 2;
			tcp_done(tp);
			tcp_tw_isn = isn ? isn : 1;
			tcp_v4_conn_request(lp, p);
			tcp_tw_isn = 0;
			return;
		}
		tcp_send_ack(tp);
		pkt_consume(p);
		return;
	}
	if (cb->flags & TCPHDR_RST) {
		pkt_drop(p, DROP_TCP_RESET);
		return;
	}
	if (cb->flags & TCPHDR_ACK)
		tcp_time_wait(tp, TCP_TIME_WAIT);
	if (!tcp_oow_rate_limited(ns, cb, MIB_TcpExtTCPACKSkippedTimeWait, &tp->last_oow_ack_time))
		tcp_send_ack(tp);
	pkt_consume(p);
}

/* tcp_reset_check: after the peer's FIN a RST may carry the FIN's own
 * sequence, rcv_nxt - 1 (Linux extends RFC 5961 3.2 so). */
static bool tcp_reset_check(const struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
	return cb->seq == tp->rcv_nxt - 1 && (tp->state == TCP_CLOSE_WAIT ||
					      tp->state == TCP_LAST_ACK ||
					      tp->state == TCP_CLOSING);
}

/*
 * tcp_validate_incoming - RFC 9293 3.10.7.4's first (sequence), second
 * (RST) and fourth (SYN) checks, in Linux's order and with RFC 5961:
 * out of the window, a duplicate ACK (at most one per
 * tcp_invalid_ratelimit for segments without data); a RST resets only
 * at rcv_nxt (or rcv_nxt - 1 after a FIN), elsewhere in the window it
 * gets a challenge ACK; a SYN always gets one, and counts InErrs when
 * @syn_inerr (Linux's ESTABLISHED path, tcp_rcv_established). Returns
 * false when it consumed pkt.
 */
static bool tcp_validate_incoming(struct tcp_sock *tp, struct pkt *p, bool syn_inerr)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	struct netns *ns = tp->sk.ns;
	enum drop_reason reason;

	reason = tcp_sequence(tp, cb->seq, cb->end_seq);
	if (reason) {
		if (cb->flags & TCPHDR_RST) {
			if (tcp_reset_check(tp, cb))
				goto reset;
		} else if (cb->flags & TCPHDR_SYN) {
			goto syn_challenge;
		} else {
			if (reason == DROP_TCP_INVALID_SEQUENCE)
				mib_inc(ns, MIB_TcpExtBeyondWindow);
			if (!tcp_oow_rate_limited(ns, cb, MIB_TcpExtTCPACKSkippedSeq,
						  &tp->last_oow_ack_time))
				tcp_send_dupack(tp, cb);
		}
		pkt_drop(p, reason);
		return false;
	}
	if (cb->flags & TCPHDR_RST) {
		if (cb->seq == tp->rcv_nxt || tcp_reset_check(tp, cb))
			goto reset;
		tcp_send_challenge_ack(tp);
		pkt_drop(p, DROP_TCP_RESET);
		return false;
	}
	if (cb->flags & TCPHDR_SYN) {
		/* Simultaneous open: the peer's SYN-ACK to our SYN-ACK. */
		if (tp->state == TCP_SYN_RECV && (cb->flags & TCPHDR_ACK) &&
		    cb->seq + 1 == cb->end_seq && cb->seq + 1 == tp->rcv_nxt &&
		    cb->ack_seq == tp->snd_nxt)
			return true;
		goto syn_challenge;
	}
	return true;

syn_challenge:
	if (syn_inerr)
		mib_inc(ns, MIB_TcpInErrs);
	mib_inc(ns, MIB_TcpExtTCPSYNChallenge);
	tcp_send_challenge_ack(tp);
	pkt_drop(p, DROP_TCP_INVALID_SYN);
	return false;
reset:
	/* an accepted RST is consumed, not a drop (Linux frees it so) */
	pkt_consume(p);
	tcp_reset(tp);
	return false;
}

/*
 * tcp_check_req - a segment for a listener's child still in SYN_RECV,
 * which Linux holds as a request sock and checks in tcp_minisocks.c, not
 * as RFC 9293's SYN-RECEIVED: the SYN again gets the SYN-ACK again; an
 * ACK of anything but our SYN gets the listener's RST; out of the
 * window, an ACK (rate limited); a RST at rcv_nxt or a SYN anywhere in
 * the window ends the child (EmbryonicRsts; the SYN with a RST back), a
 * RST elsewhere in it gets a challenge ACK; without ACK, dropped. Returns false when it consumed pkt; true: an ACK of our SYN,
 * to be processed as the child's.
 */
static bool tcp_check_req(struct tcp_sock *tp, struct pkt *p)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	struct netns *ns = tp->sk.ns;
	uint8_t flg = cb->flags & (TCPHDR_RST | TCPHDR_SYN | TCPHDR_ACK);
	uint32_t wnd_end = tp->rcv_nxt + tp->rcv_wnd;

	if (cb->seq == tp->irs && flg == TCPHDR_SYN) {
		if (!tcp_oow_rate_limited(ns, cb, MIB_TcpExtTCPACKSkippedSynRecv,
					  &tp->last_oow_ack_time))
			tcp_send_synack(tp);
		pkt_consume(p);
		return false;
	}
	if ((flg & TCPHDR_ACK) && cb->ack_seq != tp->iss + 1) {
		tcp_v4_send_reset(ns, p); /* the listener's answer to an ACK */
		pkt_drop(p, DROP_TCP_FLAGS);
		return false;
	}
	/* tcp_in_window */
	if (!(cb->seq == tp->rcv_nxt ||
	      (after(cb->end_seq, tp->rcv_nxt) && before(cb->seq, wnd_end)) ||
	      (cb->seq == wnd_end && cb->seq == cb->end_seq))) {
		if (!(flg & TCPHDR_RST) &&
		    !tcp_oow_rate_limited(ns, cb, MIB_TcpExtTCPACKSkippedSynRecv,
					  &tp->last_oow_ack_time))
			tcp_send_ack(tp);
		pkt_drop(p, DROP_TCP_OVERWINDOW);
		return false;
	}
	/* the SYN at the ISN is out of the window starting at ISN + 1 */
	if (cb->seq == tp->irs)
		flg &= (uint8_t)~TCPHDR_SYN;
	/* a RST elsewhere in the window gets a challenge ACK (RFC 5961
	 * 3.2, as Linux 6.18 answers for its request socks) */
	if ((flg & TCPHDR_RST) && cb->seq != tp->rcv_nxt) {
		tcp_send_challenge_ack(tp);
		pkt_drop(p, DROP_TCP_RESET);
		return false;
	}
	if (flg & (TCPHDR_RST | TCPHDR_SYN)) {
		if (!(flg & TCPHDR_RST))
			tcp_v4_send_reset(ns, p);
		mib_inc(ns, MIB_TcpExtEmbryonicRsts);
		pkt_drop(p, flg & TCPHDR_RST ? DROP_TCP_RESET : DROP_TCP_INVALID_SYN);
		tcp_done(tp); /* AttemptFails; the listener stays */
		return false;
	}
	if (!(flg & TCPHDR_ACK)) {
		pkt_drop(p, DROP_TCP_FLAGS);
		return false;
	}
	return true;
}

void tcp_rcv_state_process(struct tcp_sock *tp, struct pkt *p)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	struct netns *ns = tp->sk.ns;
	enum drop_reason reason = DROP_NOT_SPECIFIED;
	bool fin;

	switch (tp->state) {
	case TCP_SYN_SENT:
		tcp_rcv_synsent_state_process(tp, p);
		return;
	case TCP_TIME_WAIT:
		tcp_timewait_state_process(tp, p);
		return;
	case TCP_CLOSE:
	case TCP_LISTEN:
		pkt_drop(p, DROP_TCP_CLOSE);
		return;
	default:
		break;
	}
	if (tp->state == TCP_SYN_RECV && tp->parent) {
		/* RFC 7323 5: PAWS first (tcp_check_req's paws_reject) */
		if (tcp_paws_reject(tp, p) || !tcp_check_req(tp, p))
			return;
	} else {
		/* Linux drops a segment with none of ACK, RST, SYN first */
		if (!(cb->flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN))) {
			pkt_drop(p, DROP_TCP_FLAGS);
			return;
		}
		/* RFC 7323 5: PAWS before the sequence number
		 * (tcp_validate_incoming) */
		if (tcp_paws_reject(tp, p))
			return;
		if (!tcp_validate_incoming(tp, p, tp->state == TCP_ESTABLISHED))
			return;
	}
	/* RFC 7323 4.3: TS.Recent from a segment covering Last.ACK.sent. */
	if (tp->tstamp_ok && cb->saw_tstamp && !after(cb->seq, tp->rcv_wup) &&
	    !before(cb->rcv_tsval, tp->ts_recent))
		tp->ts_recent = cb->rcv_tsval;
	/* fifth: ACK */
	if (!(cb->flags & TCPHDR_ACK)) {
		pkt_drop(p, DROP_TCP_FLAGS);
		return;
	}
	if (tp->state == TCP_SYN_RECV) {
		if (!after(cb->ack_seq, tp->snd_una) || after(cb->ack_seq, tp->snd_max)) {
			tcp_v4_send_reset(ns, p);
			pkt_drop(p, DROP_TCP_INVALID_SEQUENCE);
			return;
		}
		if (tcp_child_overflow(tp, p))
			return;
		if (tcp_alloc_buffers(tp)) {
			pkt_drop(p, DROP_NOMEM);
			return;
		}
		tcp_rtt_sample(tp, cb->ack_seq);
		tp->snd_una = cb->ack_seq;
		tp->syn_acked = true;
		tp->snd_wnd = (uint32_t)cb->window << tp->snd_wscale;
		tp->max_window = MAX(tp->max_window, tp->snd_wnd);
		tp->snd_wl1 = cb->seq;
		tp->snd_wl2 = cb->ack_seq;
		tcp_established_buffers(tp);
		timer_del(&tp->retransmit_timer);
		tcp_set_state(tp, TCP_ESTABLISHED);
		if (tp->parent) {
			tcp_child_established(tp);
		} else {
			tcp_sk_connected(tp, 0);
			tcp_sk_writable(tp);
		}
	} else if ((reason = tcp_ack(tp, cb, p->data))) {
		/* both get a challenge ACK in every state (Linux 6.18,
		 * checked with scripts/tcp_states_kernel.py) */
		tcp_send_challenge_ack(tp);
		pkt_drop(p, reason);
		return;
	}
	tcp_rcv_heard(tp);
	switch (tp->state) {
	case TCP_FIN_WAIT1:
		if (tcp_fin_acked(tp)) {
			tcp_set_state(tp, TCP_FIN_WAIT2);
			timer_del(&tp->retransmit_timer);
			if (tp->sk.orphan)
				tcp_time_wait(tp, TCP_FIN_WAIT2);
		}
		break;
	case TCP_CLOSING:
		if (tcp_fin_acked(tp)) {
			tcp_time_wait(tp, TCP_TIME_WAIT);
			pkt_consume(p);
			return;
		}
		break;
	case TCP_LAST_ACK:
		if (tcp_fin_acked(tp)) {
			tcp_done(tp);
			pkt_consume(p);
			return;
		}
		break;
	default:
		break;
	}
	/* seventh: data. An orphan takes none (Linux: TCPAbortOnData, RST). */
	fin = cb->flags & TCPHDR_FIN;
	if (cb->datalen && tp->sk.orphan && (tp->state == TCP_FIN_WAIT1 ||
					     tp->state == TCP_FIN_WAIT2)) {
		mib_inc(ns, MIB_TcpExtTCPAbortOnData);
		tcp_send_active_reset(tp);
		tcp_done(tp);
		pkt_drop(p, DROP_TCP_CLOSE);
		return;
	}
	if (cb->datalen) {
		switch (tp->state) {
		case TCP_ESTABLISHED:
		case TCP_FIN_WAIT1:
		case TCP_FIN_WAIT2:
			if (!tcp_data_queue(tp, p, &reason)) {
				pkt_drop(p, reason);
				return;
			}
			tcp_sk_readable(tp);
			break;
		default:
			break; /* RFC 9293: ignore data after the peer's FIN */
		}
	}
	/* eighth: FIN, in order only (an early one comes again) */
	if (fin && cb->end_seq - 1 == tp->rcv_nxt && !tp->fin_rcvd)
		tcp_fin(tp);
	else if (fin && tp->fin_rcvd)
		tcp_send_ack(tp); /* a retransmitted FIN: our ACK was lost */
	else if (fin && !cb->datalen && (tp->state == TCP_ESTABLISHED ||
					 tp->state == TCP_FIN_WAIT1 || tp->state == TCP_FIN_WAIT2))
		tcp_send_ack(tp); /* a FIN out of order: a duplicate ACK at once, as data */
	pkt_consume(p);
	if (tp->state != TCP_TIME_WAIT)
		tcp_write_xmit(tp);
}
