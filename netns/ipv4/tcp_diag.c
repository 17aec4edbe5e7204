// SPDX-License-Identifier: MIT
/*
 * tcp_diag_dump (tcp_diag.h): what inet_diag tells ss about each socket,
 * as ss shows it: state, queues (unread and unacknowledged bytes; for a
 * listener its accept queue and backlog), the two ends, the pending
 * timer (inet_sk_diag_fill's idiag_timer) and, for a full socket, its
 * congestion control and struct tcp_diag_info (tcp_get_info, which
 * getsockopt(TCP_INFO) returns too). Owner thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp.h"
#include "tcp_diag.h"

static_assert(TCP_DIAG_LISTEN == TCP_LISTEN && TCP_DIAG_SYN_RECV == TCP_SYN_RECV &&
		      TCP_DIAG_TIME_WAIT == TCP_TIME_WAIT && TCP_DIAG_FIN_WAIT2 == TCP_FIN_WAIT2,
	      "tcp_diag.h numbers the states as tcp.h");
/* Linux's layout: 248 bytes up to tcpi_total_rto_time */
static_assert(sizeof(struct tcp_diag_info) == 248, "struct tcp_diag_info as the kernel's");
static_assert(offsetof(struct tcp_diag_info, tcpi_rto) == 8 &&
		      offsetof(struct tcp_diag_info, tcpi_pacing_rate) == 104 &&
		      offsetof(struct tcp_diag_info, tcpi_bytes_sent) == 200 &&
		      offsetof(struct tcp_diag_info, tcpi_snd_wnd) == 228,
	      "struct tcp_diag_info offsets as the kernel's");

static uint32_t tcp_ms_since(uint32_t then)
{
	return tcp_jiffies32() - then; /* HZ 1000: jiffies are ms */
}

/* A TIME-WAIT socket, or an orphan waiting out FIN-WAIT-2: Linux keeps
 * only an inet_timewait_sock for both, with no tcp_info. */
static bool tcp_diag_is_tw(const struct tcp_sock *tp)
{
	return tp->state == TCP_TIME_WAIT ||
	       (tp->state == TCP_FIN_WAIT2 && tp->sk.orphan && timer_pending(&tp->keepalive_timer));
}

/* Linux's mini sockets (timewait, and a SYN-RECV request sock) carry no
 * tcp_info and no congestion control in a dump. */
static bool tcp_diag_mini(const struct tcp_sock *tp)
{
	return tcp_diag_is_tw(tp) || (tp->state == TCP_SYN_RECV && tp->parent);
}

/* sacked_out: the segments the SACK scoreboard holds above snd_una. */
static uint32_t tcp_diag_sacked(const struct tcp_sock *tp)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < tp->sacked_n; i++)
		n += (tp->sacked[i].end_seq - tp->sacked[i].start_seq + tp->mss_cache - 1) /
		     tp->mss_cache;
	return n;
}

void tcp_get_info(struct tcp_sock *tp, struct tcp_diag_info *info)
{
	uint32_t rto;

	memset(info, 0, sizeof(*info));
	info->tcpi_state = tp->state;
	info->tcpi_pacing_rate = ~0ull; /* no pacing */
	info->tcpi_max_pacing_rate = ~0ull;
	info->tcpi_reordering = 3; /* the duplicate ACK threshold, fixed */
	info->tcpi_snd_cwnd = tp->snd_cwnd;
	if (tp->state == TCP_LISTEN) {
		info->tcpi_unacked = tp->acq_len;
		info->tcpi_sacked = tp->backlog;
		return;
	}
	info->tcpi_ca_state = tp->ca_state;
	info->tcpi_retransmits = tp->retransmits;
	info->tcpi_probes = tp->probes_out;
	info->tcpi_backoff = tp->backoff;
	/* what was negotiated: in SYN-SENT, nothing yet */
	if (tp->tstamp_ok && tp->state != TCP_SYN_SENT)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tp->sack_ok && tp->state != TCP_SYN_SENT)
		info->tcpi_options |= TCPI_OPT_SACK;
	if (tp->ecn_flags & TCP_ECN_OK && tp->state != TCP_SYN_SENT)
		info->tcpi_options |= TCPI_OPT_ECN;
	if (tp->ecn_flags & TCP_ECN_SEEN)
		info->tcpi_options |= TCPI_OPT_ECN_SEEN;
	if (tp->wscale_ok && tp->state != TCP_SYN_SENT) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = tp->snd_wscale & 0xf;
		info->tcpi_rcv_wscale = tp->rcv_wscale & 0xf;
	}
	/* icsk_rto doubles with each expiry; it is kept in jiffies, so
	 * whole milliseconds at HZ 1000 (rounded up, usecs_to_jiffies) */
	rto = tp->retransmits ? (uint32_t)MIN((uint64_t)tp->rto_us << tp->backoff,
					      (uint64_t)TCP_RTO_MAX_US)
			      : tp->rto_us;
	info->tcpi_rto = (rto + 999) / 1000 * 1000;
	info->tcpi_ato = tp->data_segs_in ? TCP_DELACK_US : 0; /* set by the first data */
	info->tcpi_snd_mss = tp->mss_cache;
	if (tp->state == TCP_SYN_SENT) /* before the peer's MSS: RFC 9293's 536, less our options */
		info->tcpi_snd_mss = TCP_MSS_DEFAULT - (tp->tstamp_ok ? TCPOLEN_TIMESTAMP + 2u : 0u);
	info->tcpi_rcv_mss = tp->rcv_mss ? tp->rcv_mss : 88; /* TCP_MIN_MSS until established */
	info->tcpi_sacked = tcp_diag_sacked(tp);
	info->tcpi_dsack_dups = tp->dsack_dups;
	info->tcpi_unacked = tp->snd_max == tp->snd_una ? 0 :
			     (tp->snd_max - tp->snd_una + tp->mss_cache - 1) / tp->mss_cache;
	info->tcpi_last_data_sent = tcp_ms_since(tp->lsndtime);
	info->tcpi_last_data_recv = tcp_ms_since(tp->lrcvtime);
	info->tcpi_last_ack_recv = (uint32_t)((loop_now() - tp->rcv_tstamp) / NSEC_PER_MSEC);
	info->tcpi_pmtu = tp->pmtu;
	info->tcpi_rtt = tp->srtt_us;
	info->tcpi_rttvar = tp->rttvar_us;
	info->tcpi_snd_ssthresh = tp->snd_ssthresh;
	/* Linux's advmss leaves the timestamps' room out */
	info->tcpi_advmss = tp->advmss - (tp->tstamp_ok ? TCPOLEN_TIMESTAMP + 2u : 0u);
	info->tcpi_total_retrans = tp->total_retrans;
	info->tcpi_bytes_acked = tp->bytes_acked;
	info->tcpi_bytes_received = tp->bytes_received;
	info->tcpi_segs_out = tp->segs_out;
	info->tcpi_segs_in = tp->segs_in;
	info->tcpi_notsent_bytes = after(tp->write_seq, tp->snd_nxt) ? tp->write_seq - tp->snd_nxt : 0;
	info->tcpi_min_rtt = tp->min_rtt_us ? tp->min_rtt_us : ~0u;
	info->tcpi_data_segs_in = tp->data_segs_in;
	info->tcpi_data_segs_out = tp->data_segs_out;
	info->tcpi_bytes_sent = tp->bytes_sent;
	info->tcpi_bytes_retrans = tp->bytes_retrans;
	info->tcpi_snd_wnd = tp->snd_wnd;
	info->tcpi_rcv_wnd = tp->rcv_wnd << tp->rcv_wscale;
}

static uint32_t tcp_diag_expires(const struct timer *t)
{
	uint64_t now = loop_now();

	return t->expires > now ? (uint32_t)((t->expires - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC)
				: 0;
}

/* inet_sk_diag_fill's timer: the retransmission timer (or, with nothing
 * in flight and a closed window, the zero-window probe), else the
 * keepalive timer; TIME-WAIT's own for a twsk. */
static void tcp_diag_timer(const struct tcp_sock *tp, struct tcp_diag_row *r)
{
	if (tcp_diag_is_tw(tp)) {
		r->timer = TCP_DIAG_TIMER_TIMEWAIT;
		r->expires_ms = tcp_diag_expires(&tp->keepalive_timer);
		return;
	}
	if (timer_pending(&tp->retransmit_timer)) {
		bool probe = tp->snd_una == tp->snd_max && !tp->snd_wnd &&
			     before(tp->snd_nxt, tp->write_seq);

		r->timer = probe ? TCP_DIAG_TIMER_PERSIST : TCP_DIAG_TIMER_ON;
		r->retrans = probe ? tp->backoff : tp->retransmits;
		r->expires_ms = tcp_diag_expires(&tp->retransmit_timer);
		return;
	}
	if (timer_pending(&tp->keepalive_timer)) {
		r->timer = TCP_DIAG_TIMER_KEEPALIVE;
		r->retrans = tp->probes_out;
		r->expires_ms = tcp_diag_expires(&tp->keepalive_timer);
	}
}

struct tcp_diag_buf {
	struct tcp_diag_row *rows;
	unsigned n, cap;
	bool nomem;
};

static void tcp_diag_one(struct tcp_sock *tp, void *arg)
{
	struct tcp_diag_buf *b = arg;
	struct tcp_diag_row *r;

	if (tp->state == TCP_CLOSE || b->nomem)
		return; /* unconnected: not in the kernel's dump either */
	if (b->n == b->cap) {
		unsigned cap = b->cap ? b->cap * 2 : 64;
		struct tcp_diag_row *rows = realloc(b->rows, cap * sizeof(*rows));

		if (!rows) {
			b->nomem = true;
			return;
		}
		b->rows = rows;
		b->cap = cap;
	}
	r = &b->rows[b->n++];
	memset(r, 0, sizeof(*r));
	r->state = tp->state;
	tcp_diag_timer(tp, r);
	if (!tcp_diag_mini(tp)) {
		r->has_info = true;
		snprintf(r->cong, sizeof(r->cong), "%s", tp->ca_ops->name);
		tcp_get_info(tp, &r->info);
	}
	r->lport = tp->sk.num;
	if (tp->state == TCP_LISTEN) {
		r->rq = tp->acq_len;
		r->sq = tp->backlog;
		r->laddr = tp->sk.rcv_saddr;
		r->raddr = 0;
		r->rport = 0;
		return;
	}
	/* inet_diag's queues: unread bytes, and write_seq - snd_una (a SYN
	 * or FIN not yet ACKed counts); none for a mini socket */
	r->rq = tcp_diag_mini(tp) ? 0 : tcp_rcv_queued(tp);
	r->sq = tcp_diag_mini(tp) ? 0 : tp->write_seq + (tp->fin_sent ? 1u : 0u) - tp->snd_una;
	r->laddr = tp->sk.saddr;
	r->raddr = tp->sk.daddr;
	r->rport = tp->sk.dport;
}

int tcp_diag_dump(struct netns *ns, struct tcp_diag_row **rows, unsigned *n)
{
	struct tcp_diag_buf b = { 0 };

	NS_ASSERT_OWNER(ns);
	inet_sk_for_each(ns, tcp_diag_one, &b);
	if (b.nomem) {
		free(b.rows);
		return -ENOMEM;
	}
	*rows = b.rows;
	*n = b.n;
	return 0;
}
