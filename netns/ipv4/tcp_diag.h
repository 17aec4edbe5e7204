/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of a namespace's TCP sockets for ss (the role of Linux's
 * inet_diag / tcp_diag), with no TCP internals in it, so that a caller
 * need not include tcp.h (whose names are the kernel's and meet glibc's
 * <netinet/tcp.h>).
 */
#ifndef NSEMU_NETNS_TCP_DIAG_H
#define NSEMU_NETNS_TCP_DIAG_H

#include <stdbool.h>
#include <stdint.h>

struct netns;

/* Linux's numbering: 1 ESTABLISHED ... 10 LISTEN, 11 CLOSING. */
#define TCP_DIAG_LISTEN 10
#define TCP_DIAG_SYN_RECV 3
#define TCP_DIAG_TIME_WAIT 6
#define TCP_DIAG_FIN_WAIT2 5

/* tcpi_options bits (include/uapi/linux/tcp.h) */
#define TCPI_OPT_TIMESTAMPS 1
#define TCPI_OPT_SACK 2
#define TCPI_OPT_WSCALE 4
#define TCPI_OPT_ECN 8
#define TCPI_OPT_ECN_SEEN 16

/*
 * struct tcp_info as Linux lays it out (include/uapi/linux/tcp.h, up to
 * tcpi_total_rto_time), what getsockopt(TCP_INFO) copies and
 * INET_DIAG_INFO carries. Times in microseconds unless named _ms or
 * last_*; windows and sizes in bytes, cwnd and ssthresh in segments.
 * Fields nsemu has no value for are 0 (pacing rates ~0: unpaced; min_rtt
 * ~0 before a sample). Named apart from glibc's older struct tcp_info
 * (<netinet/tcp.h>, which libnl includes); the bytes are the kernel's.
 */
struct tcp_diag_info {
	uint8_t tcpi_state;
	uint8_t tcpi_ca_state;
	uint8_t tcpi_retransmits;
	uint8_t tcpi_probes;
	uint8_t tcpi_backoff;
	uint8_t tcpi_options;
	uint8_t tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4;
	uint8_t tcpi_delivery_rate_app_limited : 1, tcpi_fastopen_client_fail : 2;

	uint32_t tcpi_rto;
	uint32_t tcpi_ato;
	uint32_t tcpi_snd_mss;
	uint32_t tcpi_rcv_mss;

	uint32_t tcpi_unacked;
	uint32_t tcpi_sacked;
	uint32_t tcpi_lost;
	uint32_t tcpi_retrans;
	uint32_t tcpi_fackets;

	uint32_t tcpi_last_data_sent; /* ms ago */
	uint32_t tcpi_last_ack_sent;  /* not remembered (Linux neither) */
	uint32_t tcpi_last_data_recv;
	uint32_t tcpi_last_ack_recv;

	uint32_t tcpi_pmtu;
	uint32_t tcpi_rcv_ssthresh;
	uint32_t tcpi_rtt;
	uint32_t tcpi_rttvar;
	uint32_t tcpi_snd_ssthresh;
	uint32_t tcpi_snd_cwnd;
	uint32_t tcpi_advmss;
	uint32_t tcpi_reordering;

	uint32_t tcpi_rcv_rtt;
	uint32_t tcpi_rcv_space;

	uint32_t tcpi_total_retrans;

	uint64_t tcpi_pacing_rate;
	uint64_t tcpi_max_pacing_rate;
	uint64_t tcpi_bytes_acked;
	uint64_t tcpi_bytes_received;
	uint32_t tcpi_segs_out;
	uint32_t tcpi_segs_in;

	uint32_t tcpi_notsent_bytes;
	uint32_t tcpi_min_rtt;
	uint32_t tcpi_data_segs_in;
	uint32_t tcpi_data_segs_out;

	uint64_t tcpi_delivery_rate;

	uint64_t tcpi_busy_time;
	uint64_t tcpi_rwnd_limited;
	uint64_t tcpi_sndbuf_limited;

	uint32_t tcpi_delivered;
	uint32_t tcpi_delivered_ce;

	uint64_t tcpi_bytes_sent;
	uint64_t tcpi_bytes_retrans;
	uint32_t tcpi_dsack_dups;
	uint32_t tcpi_reord_seen;

	uint32_t tcpi_rcv_ooopack;

	uint32_t tcpi_snd_wnd;
	uint32_t tcpi_rcv_wnd;

	uint32_t tcpi_rehash;

	uint16_t tcpi_total_rto;
	uint16_t tcpi_total_rto_recoveries;
	uint32_t tcpi_total_rto_time;
};

/* The timer ss -o shows (idiag_timer): none, retransmit, keepalive,
 * TIME-WAIT (also an orphan's FIN-WAIT-2), zero-window probe. */
enum { TCP_DIAG_TIMER_OFF, TCP_DIAG_TIMER_ON, TCP_DIAG_TIMER_KEEPALIVE,
       TCP_DIAG_TIMER_TIMEWAIT, TCP_DIAG_TIMER_PERSIST };

struct tcp_diag_row {
	uint8_t state;
	uint32_t rq, sq;	/* listener: accept queue and backlog */
	uint32_t laddr, raddr;	/* network order */
	uint16_t lport, rport;	/* host order */
	/* inet_diag's idiag_timer / idiag_expires (ms) / idiag_retrans */
	uint8_t timer, retrans;
	uint32_t expires_ms;
	/* INET_DIAG_INFO and INET_DIAG_CONG: full sockets only (not a
	 * TIME-WAIT one, an orphan's FIN-WAIT-2 or a listener's SYN-RECV
	 * child: Linux's timewait and request socks) */
	bool has_info;
	char cong[16];
	struct tcp_diag_info info;
};

/* Every socket of @ns but unconnected ones, into *rows (malloc'd, the
 * caller frees). 0 or -ENOMEM. Owner thread. */
int tcp_diag_dump(struct netns *ns, struct tcp_diag_row **rows, unsigned *n);
struct tcp_sock;
/* tcp_get_info: the socket's struct tcp_diag_info, as the kernel's fills it
 * (a listener: state, cwnd, and unacked / sacked as its accept queue /
 * backlog). Owner thread. */
void tcp_get_info(struct tcp_sock *tp, struct tcp_diag_info *info);
/* ss's name of a state ("ESTAB", "TIME-WAIT", ...). */
const char *tcp_state_name(int state);

#endif
