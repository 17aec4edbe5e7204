// SPDX-License-Identifier: MIT
/*
 * SACK, as the SACK parts of net/ipv4/tcp_input.c and tcp_output.c.
 *
 * Receiver (RFC 2018, RFC 2883): up to TCP_NUM_SACKS blocks for the
 * out-of-order queue, the most recent first (tcp_sack_new_ofo_skb), gone
 * once rcv_nxt covers them (tcp_sack_remove); a duplicate segment sets a
 * D-SACK that the next ACK carries first (tcp_dsack_set).
 *
 * Sender: every block of an ACK is checked as tcp_is_sackblock_valid
 * does (beyond snd_nxt, reversed, below snd_una: TCPSACKDiscard; a
 * D-SACK too old or with no recovery to undo: TCPDSACKIgnoredOld /
 * NoUndo) and merged into the scoreboard, a sorted list of SACKed ranges
 * above snd_una. Loss recovery is RFC 6675's: IsLost (DupThresh SACKed
 * ranges or more than (DupThresh - 1) * SMSS bytes above), SetPipe (what
 * tcp_packets_in_flight returns when SACK is on), NextSeg rules 1-3, and
 * RecoveryPoint in high_seq. Without SACK the NewReno of tcp_cong.c runs
 * instead. Owner thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

/* ---- receiver ---- */

/* tcp_sack_extend: grow @sp by [seq, end_seq) if they touch. */
static bool tcp_sack_extend(struct tcp_sack_block *sp, uint32_t seq, uint32_t end_seq)
{
	if (after(seq, sp->end_seq) || after(sp->start_seq, end_seq))
		return false;
	if (before(seq, sp->start_seq))
		sp->start_seq = seq;
	if (after(end_seq, sp->end_seq))
		sp->end_seq = end_seq;
	return true;
}

void tcp_dsack_set(struct tcp_sock *tp, uint32_t seq, uint32_t end_seq)
{
	struct netns *ns = tp->sk.ns;

	if (!tp->sack_ok || !ns->sysctl.tcp_dsack)
		return;
	mib_inc(ns, before(seq, tp->rcv_nxt) ? MIB_TcpExtTCPDSACKOldSent : MIB_TcpExtTCPDSACKOfoSent);
	tp->dsack = true;
	tp->duplicate_sack.start_seq = seq;
	tp->duplicate_sack.end_seq = end_seq;
}

void tcp_dsack_extend(struct tcp_sock *tp, uint32_t seq, uint32_t end_seq)
{
	if (!tp->dsack)
		tcp_dsack_set(tp, seq, end_seq);
	else
		tcp_sack_extend(&tp->duplicate_sack, seq, end_seq);
}

/* Linux's tcp_data_queue_ofo: all of the segment already held (a set),
 * or its overlap with each range it covers (set, then extended). */
void tcp_ofo_dsack(struct tcp_sock *tp, uint32_t seq, uint32_t end_seq)
{
	bool first = true;

	for (unsigned i = 0; i < tp->ooo_n; i++) {
		const struct tcp_ooo_range *r = &tp->ooo[i];
		uint32_t lo, hi;

		if (!before(r->start, end_seq))
			break;
		if (!after(r->end, seq))
			continue;
		lo = after(r->start, seq) ? r->start : seq;
		hi = before(r->end, end_seq) ? r->end : end_seq;
		if (first)
			tcp_dsack_set(tp, lo, hi);
		else
			tcp_dsack_extend(tp, lo, hi);
		first = false;
	}
}

/* tcp_sack_maybe_coalesce: the first block, just grown, swallows the
 * blocks it now touches. */
static void tcp_sack_maybe_coalesce(struct tcp_sock *tp)
{
	struct tcp_sack_block *sp = tp->selective_acks;

	for (unsigned i = 1; i < tp->num_sacks;) {
		if (tcp_sack_extend(&sp[0], sp[i].start_seq, sp[i].end_seq)) {
			tp->num_sacks--;
			memmove(&sp[i], &sp[i + 1], (tp->num_sacks - i) * sizeof(sp[0]));
			continue;
		}
		i++;
	}
}

/*
 * The block for a new out-of-order segment [seq, end_seq): RFC 2018 4
 * wants the first block to be the whole contiguous range that holds it,
 * so the range of the out-of-order queue is used. A block it touches is
 * grown and rotated to the front; else a new one goes in front and the
 * oldest falls off a full list (Linux's tcp_sack_new_ofo_skb).
 */
void tcp_sack_new_ofo_skb(struct tcp_sock *tp, uint32_t seq, uint32_t end_seq)
{
	struct tcp_sack_block *sp = tp->selective_acks;
	unsigned i;

	if (!tp->sack_ok)
		return;
	for (i = 0; i < tp->ooo_n; i++) {
		if (!after(tp->ooo[i].start, seq) && !before(tp->ooo[i].end, end_seq)) {
			seq = tp->ooo[i].start;
			end_seq = tp->ooo[i].end;
			break;
		}
	}
	for (i = 0; i < tp->num_sacks; i++) {
		if (tcp_sack_extend(&sp[i], seq, end_seq)) {
			struct tcp_sack_block b = sp[i];

			memmove(&sp[1], &sp[0], i * sizeof(sp[0]));
			sp[0] = b;
			tcp_sack_maybe_coalesce(tp);
			return;
		}
	}
	if (tp->num_sacks == TCP_NUM_SACKS)
		tp->num_sacks--;
	memmove(&sp[1], &sp[0], tp->num_sacks * sizeof(sp[0]));
	sp[0].start_seq = seq;
	sp[0].end_seq = end_seq;
	tp->num_sacks++;
}

void tcp_sack_remove(struct tcp_sock *tp)
{
	struct tcp_sack_block *sp = tp->selective_acks;

	if (!tp->ooo_n) {
		tp->num_sacks = 0;
		return;
	}
	for (unsigned i = 0; i < tp->num_sacks;) {
		if (!before(tp->rcv_nxt, sp[i].start_seq)) {
			tp->num_sacks--;
			memmove(&sp[i], &sp[i + 1], (tp->num_sacks - i) * sizeof(sp[0]));
			continue;
		}
		i++;
	}
}

void tcp_send_dupack(struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
	if (cb->end_seq != cb->seq && before(cb->seq, tp->rcv_nxt) && !(cb->flags & TCPHDR_SYN)) {
		uint32_t end_seq = after(cb->end_seq, tp->rcv_nxt) ? tp->rcv_nxt : cb->end_seq;

		mib_inc(tp->sk.ns, MIB_TcpExtDelayedACKLost);
		tcp_dsack_set(tp, cb->seq, end_seq);
	}
	tcp_send_ack(tp);
}

static void put_be32(uint8_t *o, uint32_t v)
{
	v = htonl(v);
	memcpy(o, &v, 4);
}

/* NOP NOP SACK: the D-SACK first (RFC 2883 4), then the blocks; 3 of
 * them fit beside timestamps, 4 without (tcp_established_options). */
unsigned tcp_sack_options_write(struct tcp_sock *tp, uint8_t *o, unsigned room)
{
	unsigned n = tp->num_sacks + (tp->dsack ? 1u : 0u), k = 4;
	const struct tcp_sack_block *b;

	if (room < 4 + TCPOLEN_SACK_PERBLOCK)
		return 0;
	n = MIN(n, (room - 4) / TCPOLEN_SACK_PERBLOCK);
	o[0] = TCPOPT_NOP;
	o[1] = TCPOPT_NOP;
	o[2] = TCPOPT_SACK;
	o[3] = (uint8_t)(TCPOLEN_SACK_BASE + n * TCPOLEN_SACK_PERBLOCK);
	for (unsigned i = 0; i < n; i++, k += 8) {
		if (tp->dsack)
			b = i ? &tp->selective_acks[i - 1] : &tp->duplicate_sack;
		else
			b = &tp->selective_acks[i];
		put_be32(o + k, b->start_seq);
		put_be32(o + k + 4, b->end_seq);
	}
	tp->dsack = false;
	return k;
}

/* ---- sender: the scoreboard ---- */

static uint32_t get_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static uint32_t seq_span(uint32_t from, uint32_t to)
{
	return after(to, from) ? to - from : 0;
}

/* HighRxt stays within [snd_una, snd_max] (never a stale value that
 * sequence wraparound would make look ahead). */
static void tcp_sack_clamp_rxt(struct tcp_sock *tp)
{
	if (before(tp->high_rxt, tp->snd_una) || after(tp->high_rxt, tp->snd_max))
		tp->high_rxt = tp->snd_una;
}

/* The highest SACKed sequence (Linux's fack), snd_una with none. */
static uint32_t tcp_highest_sack_seq(const struct tcp_sock *tp)
{
	return tp->sacked_n ? tp->sacked[tp->sacked_n - 1].end_seq : tp->snd_una;
}

static bool tcp_is_sackblock_valid(const struct tcp_sock *tp, bool is_dsack, uint32_t start_seq,
				   uint32_t end_seq)
{
	/* too far in the future, or reversed */
	if (after(end_seq, tp->snd_nxt) || !before(start_seq, end_seq))
		return false;
	/* start_seq wrapped around */
	if (!before(start_seq, tp->snd_nxt))
		return false;
	if (after(start_seq, tp->snd_una))
		return true;
	if (!is_dsack || !tp->undo_marker)
		return false;
	/* a D-SACK below snd_una, at most a window below the recovery's start */
	if (after(end_seq, tp->snd_una))
		return false;
	if (!before(start_seq, tp->undo_marker))
		return true;
	if (!after(end_seq, tp->undo_marker))
		return false;
	return !before(start_seq, end_seq - tp->max_window);
}

/* tcp_dsack_seen: the segments a D-SACK reports, 0 when it is dubious
 * (longer than the largest window, or more duplicates than we sent). */
static uint32_t tcp_dsack_seen(struct tcp_sock *tp, uint32_t start_seq, uint32_t end_seq)
{
	uint32_t len, segs = 1;

	if (!before(start_seq, end_seq))
		return 0;
	len = end_seq - start_seq;
	if (len > tp->max_window)
		return 0;
	if (len > tp->mss_cache)
		segs = (len + tp->mss_cache - 1) / tp->mss_cache;
	tp->dsack_dups += segs;
	if (tp->dsack_dups > tp->total_retrans)
		return 0;
	return segs;
}

/* tcp_check_dsack (RFC 2883 4): the first block is a D-SACK when it is
 * below the ACK, or inside the second block. */
static bool tcp_check_dsack(struct tcp_sock *tp, const uint8_t *sp, unsigned num_sacks,
			    uint32_t ack)
{
	struct netns *ns = tp->sk.ns;
	uint32_t start0 = get_be32(sp), end0 = get_be32(sp + 4), segs;

	if (before(start0, ack)) {
		mib_inc(ns, MIB_TcpExtTCPDSACKRecv);
	} else if (num_sacks > 1) {
		if (after(end0, get_be32(sp + 12)) || before(start0, get_be32(sp + 8)))
			return false;
		mib_inc(ns, MIB_TcpExtTCPDSACKOfoRecv);
	} else {
		return false;
	}
	segs = tcp_dsack_seen(tp, start0, end0);
	if (!segs) {
		mib_inc(ns, MIB_TcpExtTCPDSACKIgnoredDubious);
		return false;
	}
	ns->mib[MIB_TcpExtTCPDSACKRecvSegs] += segs;
	return true;
}

/*
 * Merge [start, end) into the scoreboard. Returns the bytes it SACKs
 * that were not SACKed before, *low the lowest of them. A block that
 * would need a slot when all are taken is left out: its data stays
 * unSACKed, which only costs a retransmission. The scoreboard is
 * allocated at the first SACK (an idle connection holds none); without
 * memory the blocks are not used.
 */
static uint32_t tcp_sack_mark(struct tcp_sock *tp, uint32_t start, uint32_t end, uint32_t *low)
{
	struct tcp_sack_block *r;
	unsigned i = 0, j, n = tp->sacked_n;
	uint32_t old = 0, s = start, e = end;

	if (!tp->sacked) {
		tp->sacked = calloc(TCP_SACK_SCOREBOARD, sizeof(tp->sacked[0]));
		if (!tp->sacked)
			return 0;
	}
	r = tp->sacked;

	while (i < n && before(r[i].end_seq, start))
		i++;
	for (j = i; j < n && !after(r[j].start_seq, end); j++) {
		old += r[j].end_seq - r[j].start_seq;
		if (before(r[j].start_seq, s))
			s = r[j].start_seq;
		if (after(r[j].end_seq, e))
			e = r[j].end_seq;
	}
	if (j == i) {
		if (n == TCP_SACK_SCOREBOARD)
			return 0;
		memmove(&r[i + 1], &r[i], (n - i) * sizeof(r[0]));
		tp->sacked_n++;
	} else if (j > i + 1) {
		memmove(&r[i + 1], &r[j], (n - j) * sizeof(r[0]));
		tp->sacked_n -= (uint8_t)(j - i - 1);
	}
	*low = (j > i && !before(start, r[i].start_seq)) ? r[i].end_seq : start;
	r[i].start_seq = s;
	r[i].end_seq = e;
	return (e - s) - old;
}

/* The ranges at or below snd_una are acknowledged now. A range that
 * snd_una reaches without covering means the receiver dropped data it
 * had SACKed (reneging): the scoreboard is forgotten. */
static void tcp_sack_clean(struct tcp_sock *tp)
{
	unsigned i = 0;

	while (i < tp->sacked_n && !after(tp->sacked[i].end_seq, tp->snd_una))
		i++;
	if (i) {
		tp->sacked_n -= (uint8_t)i;
		memmove(&tp->sacked[0], &tp->sacked[i], tp->sacked_n * sizeof(tp->sacked[0]));
	}
	if (tp->sacked_n && !after(tp->sacked[0].start_seq, tp->snd_una)) {
		mib_inc(tp->sk.ns, MIB_TcpExtTCPSACKReneging);
		tp->sacked_n = 0;
	}
}

int tcp_sacktag_write_queue(struct tcp_sock *tp, const uint8_t *sp, unsigned num_sacks,
			    uint32_t ack)
{
	struct netns *ns = tp->sk.ns;
	uint32_t fack, reord, low;
	bool found_dup;
	int flag = 0;

	tcp_sack_clamp_rxt(tp);
	fack = tcp_highest_sack_seq(tp);
	reord = tp->snd_nxt;
	found_dup = tcp_check_dsack(tp, sp, num_sacks, ack);
	if (found_dup)
		flag |= TCP_FLAG_DSACKING_ACK;
	/* too old an ACK to trust its blocks */
	if (before(ack, tp->snd_una - tp->max_window))
		return 0;
	if (tp->snd_una == tp->snd_max)
		return flag;
	for (unsigned i = 0; i < num_sacks; i++, sp += TCPOLEN_SACK_PERBLOCK) {
		bool dup_sack = !i && found_dup;
		uint32_t start = get_be32(sp), end = get_be32(sp + 4);

		if (!tcp_is_sackblock_valid(tp, dup_sack, start, end)) {
			if (dup_sack) {
				mib_inc(ns, tp->undo_marker ? MIB_TcpExtTCPDSACKIgnoredOld
							    : MIB_TcpExtTCPDSACKIgnoredNoUndo);
			} else {
				/* an old block of a reordered ACK is not counted */
				if (ack != tp->snd_una && !after(end, tp->snd_una))
					continue;
				mib_inc(ns, MIB_TcpExtTCPSACKDiscard);
			}
			continue;
		}
		if (!after(end, tp->snd_una))
			continue; /* a D-SACK of acknowledged data: counted above */
		if (tcp_sack_mark(tp, start, end, &low)) {
			flag |= TCP_FLAG_DATA_SACKED;
			/* newly SACKed below the highest SACKed, never resent:
			 * the network reordered it (tcp_check_sack_reordering) */
			if (before(low, fack) && !before(low, tp->high_rxt) && before(low, reord))
				reord = low;
		}
	}
	if (before(reord, fack))
		mib_inc(ns, MIB_TcpExtTCPSACKReorder);
	return flag;
}

/* ---- sender: RFC 6675 recovery ---- */

/* IsLost(S) holds for an unSACKed S below the returned sequence: the
 * start of the range with DupThresh ranges or more than (DupThresh - 1)
 * * SMSS SACKed bytes from it up. After an RTO, also all that was in
 * flight then (high_seq). */
static uint32_t tcp_sack_lost_end(const struct tcp_sock *tp)
{
	uint32_t bytes = 0, lost = tp->snd_una;

	for (int i = tp->sacked_n - 1; i >= 0; i--) {
		bytes += tp->sacked[i].end_seq - tp->sacked[i].start_seq;
		if (tp->sacked_n - i >= TCP_DUPTHRESH ||
		    bytes > (TCP_DUPTHRESH - 1) * (uint32_t)tp->mss_cache) {
			lost = tp->sacked[i].start_seq;
			break;
		}
	}
	if (tp->ca_state == TCP_CA_Loss && after(tp->high_seq, lost))
		lost = before(tp->high_seq, tp->snd_nxt) ? tp->high_seq : tp->snd_nxt;
	return lost;
}

/* The end of the hole that begins at or before @seq: the next SACKed
 * range's start, or snd_nxt. */
static uint32_t tcp_sack_hole_end(const struct tcp_sock *tp, unsigned i)
{
	return i < tp->sacked_n ? tp->sacked[i].start_seq : tp->snd_nxt;
}

/* SetPipe (RFC 6675 4) in bytes: each unSACKed byte in flight counts
 * once if it is not lost and once more if it was retransmitted. */
static uint32_t tcp_sack_pipe_bytes(const struct tcp_sock *tp)
{
	uint32_t lost = tcp_sack_lost_end(tp), rxt = tp->high_rxt, prev = tp->snd_una, pipe = 0;

	if (before(rxt, tp->snd_una) || after(rxt, tp->snd_max))
		rxt = tp->snd_una;
	for (unsigned i = 0; i <= tp->sacked_n; i++) {
		uint32_t end = tcp_sack_hole_end(tp, i);

		pipe += seq_span(after(lost, prev) ? lost : prev, end);
		pipe += seq_span(prev, before(rxt, end) ? rxt : end);
		if (i < tp->sacked_n)
			prev = tp->sacked[i].end_seq;
	}
	return pipe;
}

uint32_t tcp_sack_pipe(const struct tcp_sock *tp)
{
	uint32_t bytes;

	if (!tp->sacked_n && tp->ca_state != TCP_CA_Loss && !after(tp->high_rxt, tp->snd_una))
		bytes = tp->snd_nxt - tp->snd_una;
	else
		bytes = tcp_sack_pipe_bytes(tp);
	return (bytes + tp->mss_cache - 1) / tp->mss_cache;
}

/* Retransmit [seq, seq + len) of a hole (the FIN with it when the hole
 * holds our FIN); HighRxt moves past it. */
static void tcp_sack_retransmit(struct tcp_sock *tp, uint32_t seq, uint32_t len)
{
	struct netns *ns = tp->sk.ns;
	uint8_t flags = TCPHDR_ACK;
	uint32_t data = len;

	if (tp->fin_sent && after(seq + len, tp->write_seq)) {
		flags |= TCPHDR_FIN;
		data = seq_span(seq, tp->write_seq);
	}
	if (data)
		flags |= TCPHDR_PSH;
	tp->rtt_timing = false; /* Karn */
	if (tcp_transmit_skb(tp, seq, flags, data) < 0)
		return;
	mib_inc(ns, tp->ca_state == TCP_CA_Loss ? MIB_TcpExtTCPSlowStartRetrans
						: MIB_TcpExtTCPFastRetrans);
	tp->high_rxt = seq + len;
	if (seq == tp->snd_una)
		tcp_reset_xmit_timer(tp);
}

/* New data could go (NextSeg rule 2, which tcp_write_xmit sends). */
static bool tcp_sack_can_send_new(const struct tcp_sock *tp)
{
	return before(tp->snd_nxt, tp->write_seq) &&
	       (int32_t)(tp->snd_una + tp->snd_wnd - tp->snd_nxt) > 0;
}

/*
 * NextSeg and the transmission of RFC 6675 5 (step C): while pipe is
 * below cwnd, the first unSACKed segment at or above HighRxt that is
 * lost (rule 1); when none is, new data goes first (rule 2, from
 * tcp_write_xmit after this ACK); when there is none to send, an
 * unSACKed segment below the highest SACKed (rule 3).
 */
static void tcp_sack_xmit_retransmit_queue(struct tcp_sock *tp)
{
	uint32_t lost = tcp_sack_lost_end(tp), fack = tcp_highest_sack_seq(tp);

	if (tp->ca_state == TCP_CA_Loss && before(fack, lost))
		fack = lost;
	while (tcp_sack_pipe(tp) < tp->snd_cwnd) {
		uint32_t prev = tp->snd_una, seq = 0, end = 0;
		bool found = false;

		tcp_sack_clamp_rxt(tp);
		for (unsigned i = 0; i <= tp->sacked_n && !found; i++) {
			end = tcp_sack_hole_end(tp, i);
			seq = after(tp->high_rxt, prev) ? tp->high_rxt : prev;
			found = before(seq, end);
			if (i < tp->sacked_n)
				prev = tp->sacked[i].end_seq;
		}
		if (!found || !before(seq, fack))
			return;
		if (!before(seq, lost) && tcp_sack_can_send_new(tp))
			return;
		tcp_sack_retransmit(tp, seq, MIN(end - seq, (uint32_t)tp->mss_cache));
	}
}

/* RFC 6675 5 steps 4.1-4.4: RecoveryPoint = HighData, ssthresh and
 * cwnd from the algorithm, the first hole resent at once. */
static void tcp_sack_enter_recovery(struct tcp_sock *tp)
{
	uint32_t len = tcp_sack_hole_end(tp, 0) - tp->snd_una;

	mib_inc(tp->sk.ns, MIB_TcpExtTCPSackRecovery);
	tp->undo_marker = tp->snd_una;
	if (tp->ca_state != TCP_CA_CWR) /* else reduced already */
		tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = tp->snd_ssthresh;
	tp->snd_cwnd_cnt = 0;
	tp->high_seq = tp->snd_max;
	tcp_set_ca_state(tp, TCP_CA_Recovery);
	tp->dupacks = 0;
	tp->high_rxt = tp->snd_una;
	tcp_sack_retransmit(tp, tp->snd_una, MIN(len, (uint32_t)tp->mss_cache));
	tcp_sack_xmit_retransmit_queue(tp);
}

/* Cumulatively ACKed data that was never SACKed nor resent, below the
 * highest SACKed: it arrived late, not lost (tcp_clean_rtx_queue). */
static void tcp_sack_check_ack_reorder(struct tcp_sock *tp, uint32_t prior_snd_una)
{
	uint32_t hole_end, from;

	if (!tp->sacked_n)
		return;
	hole_end = tp->sacked[0].start_seq;
	if (before(tp->snd_una, hole_end))
		hole_end = tp->snd_una;
	from = after(tp->high_rxt, prior_snd_una) ? tp->high_rxt : prior_snd_una;
	if (before(from, hole_end))
		mib_inc(tp->sk.ns, MIB_TcpExtTCPSACKReorder);
}

void tcp_sack_fastretrans_alert(struct tcp_sock *tp, uint32_t prior_snd_una, uint32_t acked,
				bool dup, int flag)
{
	(void)flag;
	if (acked) {
		tcp_sack_check_ack_reorder(tp, prior_snd_una);
		tcp_sack_clean(tp);
	}
	tcp_sack_clamp_rxt(tp);
	switch (tp->ca_state) {
	case TCP_CA_Recovery:
		if (!before(tp->snd_una, tp->high_seq)) {
			/* RecoveryPoint reached: cwnd = ssthresh, no growth on it */
			tp->snd_cwnd = tp->snd_ssthresh;
			tcp_set_ca_state(tp, tp->sacked_n ? TCP_CA_Disorder : TCP_CA_Open);
			tp->dupacks = 0;
			return;
		}
		tcp_sack_xmit_retransmit_queue(tp);
		return;
	case TCP_CA_Loss:
		if (acked) {
			if (!before(tp->snd_una, tp->high_seq))
				tcp_set_ca_state(tp, TCP_CA_Open);
			tp->ca_ops->cong_avoid(tp, tp->snd_una, acked);
		}
		if (tp->ca_state == TCP_CA_Loss)
			tcp_sack_xmit_retransmit_queue(tp);
		return;
	default:
		break;
	}
	if (acked) {
		tp->dupacks = 0;
		if (tp->ca_state != TCP_CA_CWR) /* no growth while reducing */
			tp->ca_ops->cong_avoid(tp, tp->snd_una, acked);
	} else if (dup && tp->dupacks < 255) {
		tp->dupacks++;
	}
	if (tp->ca_state != TCP_CA_CWR)
		tcp_set_ca_state(tp, (tp->sacked_n || tp->dupacks) ? TCP_CA_Disorder : TCP_CA_Open);
	if (tp->snd_una == tp->snd_max)
		return;
	/* RFC 6675 5: DupThresh duplicate ACKs, or IsLost(HighACK + 1) */
	if (tp->dupacks >= TCP_DUPTHRESH || after(tcp_sack_lost_end(tp), tp->snd_una))
		tcp_sack_enter_recovery(tp);
}

void tcp_sack_enter_loss(struct tcp_sock *tp)
{
	uint32_t len = tp->snd_nxt - tp->snd_una;

	/* the RTO resends the first segment (tcp_retransmit_skb) next */
	tp->undo_marker = tp->snd_una;
	tp->high_rxt = tp->snd_una + MIN(len, (uint32_t)tp->mss_cache);
}
