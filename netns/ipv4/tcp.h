/* SPDX-License-Identifier: MIT */
/*
 * TCP (RFC 9293), shaped as Linux's include/net/tcp.h and
 * include/linux/tcp.h: struct tcp_sock, the states, the functions that
 * net/ipv4's tcp*.c files share, and struct tcp_congestion_ops.
 *
 *   inet_hashtables.c  established 4-tuple hash, listening hash, bind
 *                      buckets (EADDRINUSE rules), ephemeral ports
 *   tcp.c              socket calls: listen, accept, send, recv,
 *                      shutdown, close; tcp_set_state and the counters
 *   tcp_ipv4.c         tcp_v4_rcv (demux), tcp_v4_connect,
 *                      tcp_v4_send_reset, tcp_v4_err
 *   tcp_input.c        tcp_rcv_state_process, tcp_ack, tcp_data_queue
 *   tcp_output.c       tcp_transmit_skb, tcp_write_xmit, tcp_send_ack
 *   tcp_timer.c        retransmit (RFC 6298), delayed ACK, TIME_WAIT
 *   tcp_cong.c         tcp_congestion_ops: the list of algorithms, Reno
 *   tcp_cubic.c        CUBIC (RFC 9438), the default
 *   tcp_sack.c         SACK and D-SACK (RFC 2018, 2883): the blocks we
 *                      send, the scoreboard of those we receive, RFC
 *                      6675 loss recovery
 *
 * Buffers: the send and receive buffers are byte rings indexed by
 * sequence number (a byte of sequence s lives at s & (size - 1)), so a
 * retransmission rebuilds its segment from the send ring and
 * out-of-order data is written in place in the receive ring, its ranges
 * kept in a short sorted list (the out-of-order queue). They are
 * allocated when the connection is established. Owner thread only.
 */
#ifndef NSEMU_NETNS_TCP_H
#define NSEMU_NETNS_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/loop.h"
#include "core/timer.h"
#include "netns/core/sock.h"
#include "netns/proto/tcp.h"
#include "ip.h"

/* The states, numbered as Linux's (ss and /proc/net/tcp print these). */
enum tcp_state {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_TIME_WAIT,
	TCP_CLOSE,
	TCP_CLOSE_WAIT,
	TCP_LAST_ACK,
	TCP_LISTEN,
	TCP_CLOSING,
	TCP_MAX_STATES
};

/* sk->shutdown bits, as the kernel's. */
#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2

#define TCP_SNDBUF_SIZE (128u * 1024)	/* bytes; a power of two */
#define TCP_RCVBUF_SIZE (128u * 1024)
#define TCP_OOO_MAX 16			/* out-of-order ranges kept */
#define TCP_INIT_CWND 10		/* RFC 6928, TCP_INIT_CWND */
#define TCP_RTO_MIN_US 200000u		/* TCP_RTO_MIN: 200 ms */
#define TCP_RTO_MAX_US 120000000u	/* TCP_RTO_MAX: 120 s */
#define TCP_TIMEOUT_INIT_US 1000000u	/* RFC 6298 2.1: 1 s */
#define TCP_RESOURCE_PROBE_NS (500ull * NSEC_PER_MSEC) /* TCP_RESOURCE_PROBE_INTERVAL */
#define TCP_HZ 250			/* the kernel's HZ: keepalive times are jiffies */
#define MAX_TCP_KEEPIDLE 32767		/* TCP_KEEPIDLE, TCP_KEEPINTVL: seconds */
#define MAX_TCP_KEEPINTVL 32767
#define MAX_TCP_KEEPCNT 127
#define TCP_DELACK_US 40000u		/* TCP_DELACK_MIN */
#define TCP_TIMEWAIT_NS (60ull * NSEC_PER_SEC) /* TCP_TIMEWAIT_LEN */
#define TCP_MSS_DEFAULT 536u		/* RFC 9293 3.7.1 without an MSS option */
#define TCP_RETRIES2 15			/* net.ipv4.tcp_retries2 */
#define TCP_NUM_SACKS 4			/* blocks we send (TCP_NUM_SACKS) */
#define TCP_SACK_SCOREBOARD 32		/* SACKed ranges the sender keeps */
#define TCP_DUPTHRESH 3			/* RFC 6675 DupThresh (tcp_reordering) */
#define TCP_WMEM_DEFAULT 16384		/* net.ipv4.tcp_wmem[1]: a new socket's SO_SNDBUF */
#define TCP_RMEM_DEFAULT 131072		/* net.ipv4.tcp_rmem[1]: its SO_RCVBUF */

/* Socket options of level IPPROTO_TCP, numbered as the kernel's
 * (include/uapi/linux/tcp.h; <netinet/tcp.h> clashes with this file). */
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CORK 3
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define TCP_SYNCNT 7
#define TCP_LINGER2 8
#define TCP_DEFER_ACCEPT 9
#define TCP_WINDOW_CLAMP 10
#define TCP_INFO 11
#define TCP_QUICKACK 12
#define TCP_CONGESTION 13
#define TCP_USER_TIMEOUT 18

/* Congestion avoidance states (enum tcp_ca_state, the kernel's values:
 * TCP_INFO reports them). CWR: cwnd reduced for an ECN echo. */
enum tcp_ca_state { TCP_CA_Open, TCP_CA_Disorder, TCP_CA_CWR, TCP_CA_Recovery, TCP_CA_Loss };

/* Events for cwnd_event (enum tcp_ca_event, the one nsemu raises). */
enum tcp_ca_event { CA_EVENT_TX_START };

struct tcp_sock;

#define TCP_CA_NAME_MAX 16
#define TCP_CA_MAX 8		/* algorithms that can be registered */
#define TCP_CA_PRIV_SIZE 104	/* ICSK_CA_PRIV_SIZE: an algorithm's state */

/*
 * A congestion control algorithm (include/net/tcp.h). ssthresh: the new
 * slow-start threshold on loss; cong_avoid: grow the window for @acked
 * newly acknowledged segments. Optional (may be NULL): init (at
 * establishment, and when TCP_CONGESTION switches), set_state (the
 * ca_state moves), cwnd_event, pkts_acked (an ACK that gave an RTT
 * sample of @rtt_us microseconds). Registered at start-up by
 * tcp_register_congestion_control, read-only after.
 */
struct tcp_congestion_ops {
	const char *name;
	void (*init)(struct tcp_sock *tp);
	uint32_t (*ssthresh)(struct tcp_sock *tp);
	void (*cong_avoid)(struct tcp_sock *tp, uint32_t ack, uint32_t acked);
	void (*set_state)(struct tcp_sock *tp, uint8_t new_state);
	void (*cwnd_event)(struct tcp_sock *tp, enum tcp_ca_event ev);
	void (*pkts_acked)(struct tcp_sock *tp, uint32_t rtt_us);
};
extern const struct tcp_congestion_ops tcp_reno;

struct inet_bind_bucket;

/* One out-of-order range [start, end) held in the receive ring. */
struct tcp_ooo_range {
	uint32_t start, end;
};

/* A SACK block [start_seq, end_seq) (struct tcp_sack_block). */
struct tcp_sack_block {
	uint32_t start_seq, end_seq;
};

struct tcp_sock {
	struct sock sk;			/* first: sk_alloc sizes by obj_size */
	uint8_t state;			/* enum tcp_state */
	uint8_t shutdown;		/* RCV_SHUTDOWN | SEND_SHUTDOWN */
	bool fin_rcvd;			/* the peer's FIN is in (EOF after the data) */
	bool fin_sent;			/* our FIN has sequence write_seq */
	bool nodelay;			/* TCP_NODELAY (Nagle off) */
	bool connecting;		/* a connect whose callback is due */

	/* inet_hashtables.c */
	struct tcp_sock *ehash_next, *lhash_next, *bind_next;
	struct tcp_sock *all_next, **all_pprev;	/* every TCP socket of the netns */
	struct inet_bind_bucket *tb;
	bool ehashed, lhashed;

	/* A listener: children in SYN_RECV and the accept queue. */
	struct tcp_sock *parent;	/* a child's listener until accepted */
	struct tcp_sock *acq_next;	/* accept queue link */
	struct tcp_sock *acq_head, **acq_tail;
	unsigned acq_len, syn_len, backlog;
	/* the listener is inside its accept callback, which may close it:
	 * tcp_close then leaves the free to tcp_child_established */
	bool in_accept, close_deferred;
	bool synq_overflowed;		/* a SYN cookie was sent, at last_overflow */
	uint64_t last_overflow;

	/* Send sequence space (RFC 9293 3.3.1), snd_max the highest sent. */
	uint32_t iss, snd_una, snd_nxt, snd_max, write_seq;
	uint32_t snd_wnd, snd_wl1, snd_wl2, max_window;
	uint8_t *sndbuf;
	/* Receive sequence space; copied_seq: next byte the app reads. */
	uint32_t irs, rcv_nxt, copied_seq, rcv_wup, rcv_wnd;
	uint8_t *rcvbuf;
	struct tcp_ooo_range ooo[TCP_OOO_MAX];
	unsigned ooo_n;

	/* Options (RFC 9293 3.7.1, RFC 7323). */
	uint16_t mss_cache;		/* segment size we send */
	uint16_t advmss;		/* MSS we announce */
	uint8_t snd_wscale, rcv_wscale;
	bool wscale_ok, tstamp_ok;
	uint32_t ts_recent, ts_offset;

	/* SACK (tcp_sack.c). Receiver: the blocks our ACKs carry, most
	 * recent first, and a D-SACK for the next one. Sender: the ranges
	 * the peer SACKed above snd_una (sorted, disjoint), the highest
	 * sequence retransmitted (RFC 6675 HighRxt), undo_marker (snd_una
	 * when a recovery began, 0 before any) and the D-SACKed segments. */
	bool sack_ok;
	bool dsack;
	uint8_t num_sacks;
	struct tcp_sack_block duplicate_sack;
	struct tcp_sack_block selective_acks[TCP_NUM_SACKS];
	uint8_t sacked_n;
	struct tcp_sack_block *sacked;	/* TCP_SACK_SCOREBOARD, at the first SACK */
	uint32_t high_rxt, undo_marker, dsack_dups;

	/* RTT (RFC 6298), in microseconds; Karn: one timed segment. */
	uint32_t srtt_us, rttvar_us, rto_us;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	bool rtt_timing;
	/* Our SYN is acknowledged: snd_una alone cannot say so, since it
	 * passes iss again after 4 GiB and is before(iss + 1) after 2 GiB. */
	bool syn_acked;
	uint8_t backoff, retransmits;

	/* Congestion control (RFC 5681, RFC 6582), in segments. */
	const struct tcp_congestion_ops *ca_ops;
	bool ca_setsockopt;		/* chosen by TCP_CONGESTION: children inherit it */
	/* tcp_cwnd_validate: whether this window was cwnd-limited, else the
	 * most segments it had out; cwnd_usage_seq ends the window */
	bool is_cwnd_limited;
	uint32_t max_packets_out, cwnd_usage_seq;
	uint32_t snd_sml;		/* end of the last small segment sent (Minshall) */
	uint32_t snd_cwnd, snd_ssthresh, snd_cwnd_cnt, high_seq;
	uint8_t ca_state;
	uint8_t ecn_flags;		/* TCP_ECN_* (tcp_ecn.c) */
	uint8_t dupacks;
	uint32_t total_retrans;
	/* What tcp_info reports (RFC 4898's counters) and ss -i shows. */
	uint64_t bytes_sent, bytes_retrans;	/* data bytes out (retransmitted too) */
	uint64_t bytes_acked, bytes_received;	/* sequence space ACKed / received */
	uint32_t segs_out, segs_in, data_segs_out, data_segs_in;
	uint32_t lsndtime;		/* tcp_jiffies32: the last data sent */
	uint32_t lrcvtime;		/* the last data received */
	uint32_t min_rtt_us, min_rtt_stamp; /* minimum RTT of the last 300 s */
	uint16_t rcv_mss;		/* icsk_ack.rcv_mss: the peer's segment size, guessed */
	uint32_t pmtu;			/* icsk_pmtu_cookie: the path MTU the MSS came from */
	/* the algorithm's private state (inet_csk_ca) */
	uint64_t ca_priv[TCP_CA_PRIV_SIZE / sizeof(uint64_t)];

	/* Delayed ACK: full-sized segments received since the last ACK. */
	uint8_t ack_pending;
	bool ack_scheduled;

	/* Keepalive (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT; 0: the
	 * namespace's tcp_keepalive_*), TCP_USER_TIMEOUT in ms (0: off). */
	uint32_t keepalive_time, keepalive_intvl;	/* seconds */
	uint8_t keepalive_probes;
	uint8_t probes_out;		/* keepalive probes unanswered */
	uint32_t user_timeout;
	uint64_t rcv_tstamp;		/* loop time the peer was last heard */
	uint64_t retrans_stamp;		/* loop time the head was sent, once retransmitted */
	uint64_t last_oow_ack_time;	/* the last ACK to an invalid segment (RFC 5961 7) */

	struct timer retransmit_timer;	/* RTO, SYN / SYN-ACK retries, window probe */
	struct timer delack_timer;
	struct timer keepalive_timer;	/* FIN_WAIT2 (tcp_fin_timeout) and TIME_WAIT */
};

static inline struct tcp_sock *tcp_sk(struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

static inline void *inet_csk_ca(struct tcp_sock *tp)
{
	return tp->ca_priv;
}

static inline bool tcp_in_slow_start(const struct tcp_sock *tp)
{
	return tp->snd_cwnd < tp->snd_ssthresh;
}

/* tcp_is_cwnd_limited: only a flow the window holds back may grow it
 * (RFC 7661); in slow start, up to twice what it had out. */
static inline bool tcp_is_cwnd_limited(const struct tcp_sock *tp)
{
	if (tp->is_cwnd_limited)
		return true;
	if (tcp_in_slow_start(tp))
		return tp->snd_cwnd < 2 * tp->max_packets_out;
	return false;
}

/* The clock congestion control counts in: tcp_jiffies32 at HZ=1000. */
static inline uint32_t tcp_jiffies32(void)
{
	return (uint32_t)(loop_now() / NSEC_PER_MSEC);
}

/* Sequence comparisons modulo 2^32 (before(), after()). */
static inline bool before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
#define after(a, b) before(b, a)

/* The control block of a received segment, in pkt->cb (TCP_SKB_CB). */
struct tcp_skb_cb {
	uint32_t seq, end_seq, ack_seq;
	uint8_t flags;
	uint16_t window;
	uint16_t datalen;
	/* parsed options */
	uint16_t mss;
	int8_t wscale;			/* -1: none */
	bool saw_tstamp, sack_ok;
	uint8_t sack_off;		/* SACK blocks at this offset in the header */
	uint8_t num_sacks;		/* how many (0: none, or a bad length) */
	uint32_t rcv_tsval, rcv_tsecr;
	uint8_t rt_type;		/* IPCB's, which this control block overwrites */
	uint8_t ip_dsfield;		/* the IP header's TOS byte (its ECN field) */
};
#define TCP_SKB_CB(p) ((struct tcp_skb_cb *)(void *)(p)->cb)
static_assert(sizeof(struct tcp_skb_cb) <= PKT_CB_SIZE, "tcp_skb_cb fits pkt->cb");

/* ---- tcp_ecn.c ---- */
#define TCP_ECN_OK 1	     /* negotiated */
#define TCP_ECN_QUEUE_CWR 2  /* set CWR on the next new data */
#define TCP_ECN_DEMAND_CWR 4 /* echo ECE until the peer's CWR */
#define TCP_ECN_SEEN 8	     /* an ECT or CE segment has arrived */
/* The SYN's ECE|CWR when asking (tcp_ecn 1); sets ecn_flags. */
uint8_t tcp_ecn_send_syn(struct tcp_sock *tp);
void tcp_ecn_rcv_synack(struct tcp_sock *tp, const struct tcp_skb_cb *cb);
void tcp_ecn_rcv_syn(struct tcp_sock *tp, const struct tcp_skb_cb *cb);
/* A listener's child: ecn_flags from the SYN and tcp_ecn. */
void tcp_ecn_create_request(struct tcp_sock *tp, const struct tcp_skb_cb *cb);
uint8_t tcp_ecn_make_synack(const struct tcp_sock *tp); /* ECE or 0 */
/* A non-SYN segment of @len bytes at @seq: ECT(0) into *tos for new data,
 * CWR and ECE into *flags as due. */
void tcp_ecn_send(struct tcp_sock *tp, uint32_t seq, unsigned len, uint8_t *flags, uint8_t *tos);
/* Data arrived: CWR accepted, CE noted. True: ACK it at once. */
bool tcp_ecn_rcv_data(struct tcp_sock *tp, const struct tcp_skb_cb *cb);
/* An acceptable ACK (snd_una already moved): leave or enter CWR. */
void tcp_ecn_rcv_ack(struct tcp_sock *tp, const struct tcp_skb_cb *cb);

/* ---- inet_hashtables.c ---- */
struct inet_hashinfo;
/* The namespace's tables, made on first use (NULL on no memory). */
struct inet_hashinfo *inet_hashinfo_get(struct netns *ns, bool create);
void inet_sk_list_add(struct tcp_sock *tp);
void inet_sk_list_del(struct tcp_sock *tp);
/* Every TCP socket of @ns (ss, a listener closing): @fn on each; it may
 * free the one it is given, no other. */
void inet_sk_for_each(struct netns *ns, void (*fn)(struct tcp_sock *tp, void *arg), void *arg);
void inet_ehash_insert(struct tcp_sock *tp);
void inet_ehash_remove(struct tcp_sock *tp);
/* __inet_lookup_established: local @laddr:@lport, remote @raddr:@rport
 * (addresses network order, ports host order). */
struct tcp_sock *inet_lookup_established(struct netns *ns, uint32_t laddr, uint16_t lport,
					 uint32_t raddr, uint16_t rport);
void inet_lhash_insert(struct tcp_sock *tp);
void inet_lhash_remove(struct tcp_sock *tp);
/* The listener of @lport taking @laddr: one bound to it before one on any. */
struct tcp_sock *inet_lookup_listener(struct netns *ns, uint32_t laddr, uint16_t lport);
/*
 * inet_csk_get_port - bind @tp to @port (0: a free ephemeral port of
 * ip_local_port_range) at tp->sk.rcv_saddr, with Linux's conflict rules
 * (inet_csk_bind_conflict): another socket on the port with an
 * overlapping address conflicts unless both have SO_REUSEADDR and it is
 * not listening; sockets in TIME_WAIT count. @listen: the check listen()
 * repeats on the socket's own port. 0, -EADDRINUSE, -ENOMEM.
 */
int inet_csk_get_port(struct tcp_sock *tp, uint16_t port, bool listen);
/* __inet_hash_connect: an ephemeral port for a connect (-EADDRNOTAVAIL). */
int inet_hash_connect(struct tcp_sock *tp);
/* inet_inherit_port: @child takes @parent's port bucket. */
void inet_inherit_port(struct tcp_sock *parent, struct tcp_sock *child);
void inet_put_port(struct tcp_sock *tp);
void inet_hashinfo_exit(struct netns *ns);

/* ---- tcp.c ---- */
extern struct proto tcp_prot;
extern const struct proto_ops inet_stream_ops;
/* tcp_set_state - the move and its counters (CurrEstab, EstabResets,
 * AttemptFails), as the kernel's tcp_set_state. */
void tcp_set_state(struct tcp_sock *tp, int state);
/* tcp_done - the connection is over: CLOSE, timers off, unhashed; an
 * orphan (closed by the application) or an unaccepted child is freed,
 * so @tp must not be used after it returns true. */
bool tcp_done(struct tcp_sock *tp);
/* tcp_reset - a valid RST arrived: the errno for the application
 * (ECONNREFUSED in SYN_SENT, EPIPE in CLOSE_WAIT, else ECONNRESET), then
 * tcp_done. Returns tcp_done's value. */
bool tcp_reset(struct tcp_sock *tp);
/* The application may act: readiness, connect completion, a new child. */
void tcp_sk_readable(struct tcp_sock *tp);
void tcp_sk_writable(struct tcp_sock *tp);
void tcp_sk_connected(struct tcp_sock *tp, int err);
void tcp_child_established(struct tcp_sock *child);
/* Bytes the application has not read / has not had acknowledged. */
uint32_t tcp_rcv_queued(const struct tcp_sock *tp);
uint32_t tcp_snd_queued(const struct tcp_sock *tp);
/* Allocate the two rings (on establishment): 0 or -ENOMEM. */
int tcp_alloc_buffers(struct tcp_sock *tp);
void tcp_init_sock(struct tcp_sock *tp);
/* tcp_init_transfer: the connection is established (either side). */
void tcp_init_transfer(struct tcp_sock *tp);
/* tcp_rcv_nxt_update: rcv_nxt moves to @seq (bytes_received counts it). */
static inline void tcp_rcv_nxt_update(struct tcp_sock *tp, uint32_t seq)
{
	tp->bytes_received += seq - tp->rcv_nxt;
	tp->rcv_nxt = seq;
}
/* tcp_segs_in: a segment for this connection (not a listener's). */
static inline void tcp_segs_in(struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
	tp->segs_in++;
	if (cb->datalen)
		tp->data_segs_in++;
}
/* A new child takes its listener's socket options (after tcp_init_sock). */
void tcp_inherit_sockopts(struct tcp_sock *child, const struct tcp_sock *lp);
void tcp_free_sock(struct tcp_sock *tp);
/* The state names ss prints ("ESTAB", "LISTEN", ...): tcp_diag.h. */
const char *tcp_state_name(int state);

/* ---- inet_connection_sock.c ---- */
/* The listen backlog @backlog becomes: capped at net.core.somaxconn (a
 * negative one too, as __sys_listen's unsigned compare). */
unsigned inet_csk_listen_backlog(const struct netns *ns, int backlog);
/* tcp_conn_request's checks of a SYN for listener @lp: true if it may go
 * on (*want_cookie: answer with a SYN cookie instead of a child), false
 * once it has dropped @p (consumes pkt then) with its counters. */
bool tcp_conn_request_admit(struct tcp_sock *lp, struct pkt *p, bool *want_cookie);
/* The last ACK of @child's handshake, its listener's accept queue full:
 * true once @p is dropped (and with tcp_abort_on_overflow a RST sent,
 * the child freed); false if there is room. */
bool tcp_child_overflow(struct tcp_sock *child, struct pkt *p);
/* sk_acceptq_is_full for a child about to be made: true once @p is
 * dropped with ListenOverflows and ListenDrops. */
bool tcp_acceptq_overflow(struct tcp_sock *lp, struct pkt *p);

/* ---- tcp_paws.c ---- */
/* RFC 7323 5: true once @p, an old duplicate by its timestamp, has been
 * dropped (PAWSEstab with a duplicate ACK, or PAWSOldAck); false if it
 * goes on. */
bool tcp_paws_reject(struct tcp_sock *tp, struct pkt *p);

/* ---- syncookies.c ---- */
/* Start-up: draw the secrets. */
void syncookie_init(void);
/* Answer the SYN @p to @lp with a cookie SYN-ACK, keeping nothing
 * (SyncookiesSent). Consumes pkt. */
void cookie_v4_send_synack(struct tcp_sock *lp, struct pkt *p);
/* An ACK to @lp that may answer a cookie: false (pkt untouched) when it
 * does not (an invalid one counts SyncookiesFailed); true once it made
 * the child and handed it @p (SyncookiesRecv), or dropped @p. */
bool cookie_v4_check(struct tcp_sock *lp, struct pkt *p);

/* ---- tcp_ipv4.c ---- */
void tcp_v4_rcv(struct pkt *p);
void tcp_v4_err(struct pkt *p, uint32_t info);
int tcp_v4_connect(struct sock *sk, uint32_t daddr, uint16_t dport);
/* RST for the segment @p (RFC 9293 3.10.7.1), unless it carries RST.
 * Borrows pkt (its IP header at pkt_l3, TCP header at pkt_l4). */
void tcp_v4_send_reset(struct netns *ns, const struct pkt *p);
void tcp_init(void);

/* ---- tcp_input.c ---- */
/* tcp_parse_options: fill the option fields of @cb from @th (options
 * that run past the header end parsing, as the kernel). */
void tcp_parse_options(const struct tcphdr *th, struct tcp_skb_cb *cb);
/* Process segment @p (TCP header at p->data, cb filled) for @tp in any
 * state but LISTEN. Consumes pkt. */
void tcp_rcv_state_process(struct tcp_sock *tp, struct pkt *p);
struct tcp_sock *tcp_create_openreq_child(struct tcp_sock *lp, const struct pkt *p,
					  const struct tcp_skb_cb *cb, uint32_t iss,
					  enum drop_reason *reason);
/* A segment for a listener: a SYN makes a child in SYN_RECV. Consumes pkt. */
void tcp_v4_conn_request(struct tcp_sock *lp, struct pkt *p);
/* The new socket's options from its peer's SYN or SYN-ACK. */
void tcp_init_options(struct tcp_sock *tp, const struct tcp_skb_cb *cb);
/* What our SYN / SYN-ACK offers (sysctls; a SYN-ACK only what the SYN had). */
void tcp_init_syn_options(struct tcp_sock *tp, bool peer_wscale, bool peer_tstamp,
			  bool peer_sack);
void tcp_rtt_estimator(struct tcp_sock *tp, uint32_t rtt_us);

/* ---- tcp_output.c ---- */
/*
 * tcp_transmit_skb - build and send one segment: @flags, sequence @seq,
 * @len bytes of the send ring from @seq (SYN and FIN take none), the
 * current ACK and window, and the options a segment of that kind carries.
 * Counts OutSegs (and RetransSegs when @seq is below snd_max). 0 or the
 * negative errno of ip_send.
 */
int tcp_transmit_skb(struct tcp_sock *tp, uint32_t seq, uint8_t flags, unsigned len);
/* Send what the windows, Nagle and the data allow; arm the RTO. */
void tcp_write_xmit(struct tcp_sock *tp);
void tcp_send_ack(struct tcp_sock *tp);
/* A challenge ACK (RFC 5961 3.2, 4.2, 5.2): TCPChallengeACK, or held
 * back by the rate limit (TCPACKSkippedChallenge). */
void tcp_send_challenge_ack(struct tcp_sock *tp);
/* RFC 5961 7: true (and @mib counted) when an ACK to an invalid segment
 * must wait, the last one having gone out less than tcp_invalid_ratelimit
 * ago (*@last, loop time; 0: never). tcp_oow_rate_limited never holds
 * back the answer to a segment with data and no SYN. */
bool __tcp_oow_rate_limited(struct netns *ns, enum mib_field mib, uint64_t *last);
bool tcp_oow_rate_limited(struct netns *ns, const struct tcp_skb_cb *cb, enum mib_field mib,
			  uint64_t *last);
void tcp_send_syn(struct tcp_sock *tp);
void tcp_send_synack(struct tcp_sock *tp);
void tcp_send_active_reset(struct tcp_sock *tp);
/* Retransmit the segment at snd_una (fast retransmit, RTO). */
void tcp_retransmit_skb(struct tcp_sock *tp);
/* The window we announce (scaled value for the header field). */
uint16_t tcp_select_window(struct tcp_sock *tp);
/* MSS for a path MTU: MTU - 40, at most what the peer announced. */
uint16_t tcp_mss_for_mtu(unsigned mtu);
uint32_t tcp_time_stamp(const struct tcp_sock *tp);

/* ---- tcp_timer.c ---- */
void tcp_init_xmit_timers(struct tcp_sock *tp);
void tcp_clear_xmit_timers(struct tcp_sock *tp);
void tcp_reset_xmit_timer(struct tcp_sock *tp);
void tcp_schedule_delack(struct tcp_sock *tp);
/* SO_KEEPALIVE switched (proto.keepalive, tcp_set_keepalive). */
void tcp_set_keepalive(struct sock *sk, bool on);
/* Keepalive armed from now on (establishment, SO_KEEPALIVE, TCP_KEEPIDLE):
 * the idle time less what has already passed since the peer was heard. */
void tcp_reset_keepalive_timer(struct tcp_sock *tp);
/* The peer was heard (an acceptable segment with ACK): keepalive restarts. */
static inline void tcp_rcv_heard(struct tcp_sock *tp)
{
	tp->rcv_tstamp = loop_now();
	tp->probes_out = 0;
}
/* TIME_WAIT for 60 s (or FIN_WAIT2's tcp_fin_timeout), then freed. */
void tcp_time_wait(struct tcp_sock *tp, int state);

/* ---- tcp_cong.c ---- */
/* Add @ca to the list (start-up only): 0, -EEXIST, -ENOSPC. */
int tcp_register_congestion_control(const struct tcp_congestion_ops *ca);
/* tcp_ca_find: the algorithm called @name, or NULL. */
const struct tcp_congestion_ops *tcp_ca_find(const char *name);
/* The namespace's net.ipv4.tcp_congestion_control (cubic until set). */
const struct tcp_congestion_ops *tcp_ca_default(struct netns *ns);
/* tcp_set_default_congestion_control: 0 or -ENOENT (unknown name). */
int tcp_set_default_congestion_control(struct netns *ns, const char *name);
/* TCP_CONGESTION: switch @tp to @name (its init runs if the connection
 * is established). 0 or -ENOENT. */
int tcp_set_congestion_control(struct tcp_sock *tp, const char *name);
/* tcp_init_congestion_control: the algorithm starts on this connection. */
void tcp_init_congestion_control(struct tcp_sock *tp);
void tcp_set_ca_state(struct tcp_sock *tp, uint8_t ca_state);
void tcp_ca_event(struct tcp_sock *tp, enum tcp_ca_event ev);
/* Reno's building blocks, as the kernel exports them to algorithms:
 * slow start up to ssthresh (returns the ACKed segments left over), and
 * one segment per @w segments ACKed. */
uint32_t tcp_slow_start(struct tcp_sock *tp, uint32_t acked);
void tcp_cong_avoid_ai(struct tcp_sock *tp, uint32_t w, uint32_t acked);
/* The names for tcp_available_congestion_control, space separated. */
void tcp_get_available_congestion_control(char *buf, size_t len);
void tcp_cong_init(void);
void tcp_enter_loss(struct tcp_sock *tp);
/* Congestion state on a new cumulative ACK of @acked segments. */
void tcp_cong_on_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked);
/* A duplicate ACK: fast retransmit at the third (RFC 5681 3.2). */
void tcp_cong_on_dupack(struct tcp_sock *tp);
uint32_t tcp_packets_in_flight(const struct tcp_sock *tp);

/* ---- tcp_cubic.c ---- */
extern const struct tcp_congestion_ops cubictcp;

/* ---- tcp_sack.c ---- */
/* Receiver. tcp_sack_new_ofo_skb: [seq, end_seq) (the out-of-order range
 * that now holds a new segment) becomes the first block. tcp_sack_remove:
 * rcv_nxt moved, blocks below it go. */
void tcp_sack_new_ofo_skb(struct tcp_sock *tp, uint32_t seq, uint32_t end_seq);
void tcp_sack_remove(struct tcp_sock *tp);
/* tcp_dsack_set / tcp_dsack_extend: a duplicate [seq, end_seq) for the
 * next ACK's first block (TCPDSACKOldSent / TCPDSACKOfoSent), when SACK
 * was agreed and tcp_dsack is on. */
void tcp_dsack_set(struct tcp_sock *tp, uint32_t seq, uint32_t end_seq);
void tcp_dsack_extend(struct tcp_sock *tp, uint32_t seq, uint32_t end_seq);
/* tcp_ofo_dsack: an out-of-order segment [seq, end_seq) before it joins
 * the queue: the part already held is a D-SACK. */
void tcp_ofo_dsack(struct tcp_sock *tp, uint32_t seq, uint32_t end_seq);
/* tcp_send_dupack: the ACK for a segment that failed the sequence test
 * (DelayedACKLost and a D-SACK when it held old data). */
void tcp_send_dupack(struct tcp_sock *tp, const struct tcp_skb_cb *cb);
/* The SACK option of a segment (the D-SACK, then the blocks, as many as
 * @room bytes of option space hold); its length. Clears the D-SACK. */
unsigned tcp_sack_options_write(struct tcp_sock *tp, uint8_t *o, unsigned room);
/* Sender. tcp_sacktag_write_queue: the blocks of an ACK (@sp: their
 * wire bytes) checked and merged into the scoreboard; TCP_FLAG_* bits. */
#define TCP_FLAG_DATA_SACKED 1	/* new data SACKed */
#define TCP_FLAG_DSACKING_ACK 2	/* a D-SACK taken */
int tcp_sacktag_write_queue(struct tcp_sock *tp, const uint8_t *sp, unsigned num_sacks,
			    uint32_t ack);
/* tcp_sack_fastretrans_alert: congestion state on an ACK when SACK is
 * on (RFC 6675 in place of NewReno), snd_una already moved from
 * @prior_snd_una by @acked segments (0 for a duplicate), @dup an RFC 5681
 * duplicate ACK, @flag tcp_sacktag_write_queue's. */
void tcp_sack_fastretrans_alert(struct tcp_sock *tp, uint32_t prior_snd_una, uint32_t acked,
				bool dup, int flag);
/* RFC 6675 SetPipe(), in segments. */
uint32_t tcp_sack_pipe(const struct tcp_sock *tp);
/* An RTO with SACK: every unSACKed byte in flight is lost (Linux keeps
 * the SACKed ones); they are retransmitted from snd_una as cwnd allows. */
void tcp_sack_enter_loss(struct tcp_sock *tp);

#endif
