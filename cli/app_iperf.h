/* SPDX-License-Identifier: MIT */
/*
 * iperf3, the built-in app (cli/app_iperf.c: options, the protocol's
 * client and server; cli/app_iperf_report.c: what it prints, text and
 * --json). Shared between those two files only.
 */
#ifndef NSEMU_CLI_APP_IPERF_H
#define NSEMU_CLI_APP_IPERF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "core/timer.h"
#include "netns/core/sock.h"
#include "app.h"
#include "iperf_json.h"

struct cli_ctx;
struct app *iperf_app_create(struct cli_ctx *c, int argc, char **argv, int *status, bool *bg);

#define IPERF_COOKIE_SIZE 37 /* 36 characters and a NUL */
#define IPERF_PORT 5201
#define IPERF_LEN_TCP 131072	  /* default -l: 128 KB */
#define IPERF_MAX_BLOCKSIZE 1048576 /* MAX_BLOCKSIZE */
#define IPERF_MAX_STREAMS 128
#define IPERF_MAX_TIME 86400
#define IPERF_MAX_JSON (1 << 20) /* a peer's blob longer than this is refused */

/* The control connection's one-byte states (iperf_api.h). */
enum iperf_msg {
	IPERF_TEST_START = 1,
	IPERF_TEST_RUNNING = 2,
	IPERF_TEST_END = 4,
	IPERF_PARAM_EXCHANGE = 9,
	IPERF_CREATE_STREAMS = 10,
	IPERF_SERVER_TERMINATE = 11,
	IPERF_CLIENT_TERMINATE = 12,
	IPERF_EXCHANGE_RESULTS = 13,
	IPERF_DISPLAY_RESULTS = 14,
	IPERF_DONE = 16,
	IPERF_ACCESS_DENIED = -1,
	IPERF_SERVER_ERROR = -2,
};

/* One reporting interval of one stream. */
struct iperf_ival {
	double start, end; /* seconds since the test started */
	uint64_t bytes;
	uint32_t retrans;
	uint32_t cwnd, snd_wnd, rtt, rttvar, pmtu; /* sender: TCP_INFO at its end */
};

struct iperf_conn;

struct iperf_stream {
	struct iperf *ip;
	struct sock *sk;
	int id;	 /* what iperf3 prints in "[  5]": its socket number */
	int rid; /* the id in the results exchange: 1, 3, 4, 5, ... */
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint8_t cookie[IPERF_COOKIE_SIZE];
	unsigned cookie_len; /* server: received; client: sent */
	bool ready;	     /* the cookie has passed */
	uint64_t bytes;	     /* this test: sent (sender) or received */
	uint64_t ival_bytes; /* since the current interval began */
	uint32_t retrans0, ival_retrans0; /* TCP_INFO total_retrans at start / interval */
	uint32_t retrans;		  /* during the test */
	unsigned blk_off;		  /* sender: position in the current block */
	double end_time;		  /* seconds: when the test ended for it */
	uint32_t max_cwnd, max_snd_wnd, max_rtt, min_rtt;
	uint64_t sum_rtt;
	unsigned n_rtt;
	struct iperf_ival *ivals;
	unsigned nivals, ivals_cap;
	/* the peer's view, from its results */
	bool peer_has;
	uint64_t peer_bytes;
	double peer_start, peer_end;
	uint64_t peer_retrans;
};

struct iperf {
	struct app *app;
	struct netns *ns;
	/* options */
	bool server, one_off, reverse, json;
	uint16_t port;
	char host[64];
	uint32_t daddr;
	int duration; /* -t seconds (0 with -n) */
	double interval;
	uint64_t nbytes; /* -n */
	int parallel;
	unsigned len;
	/* the run */
	bool finished;
	int test_no;
	struct sock *lsk, *ctl;
	char cookie[IPERF_COOKIE_SIZE];
	uint8_t ctl_cookie[IPERF_COOKIE_SIZE];
	unsigned ctl_cookie_len;
	uint32_t ctl_raddr;
	uint16_t ctl_rport;
	int state;	   /* the last state sent or received */
	bool want_json;	   /* reading a 4-byte length and a JSON blob */
	uint8_t *in;	   /* control input not yet used */
	size_t in_len, in_cap;
	uint8_t *out;	   /* control output not yet taken by the socket */
	size_t out_len, out_cap;
	struct iperf_stream *st;
	int nst;	   /* streams created */
	struct iperf_conn *conns; /* server: accepted, cookie not read yet */
	bool sender, running, ended;
	bool interrupted; /* Ctrl-C / CLIENT_TERMINATE: no results from the peer */
	uint64_t t0;	   /* loop_now() at TEST_START */
	uint64_t ival_t0;
	unsigned nival;	   /* intervals reported */
	uint64_t total_bytes;
	struct timer t_end, t_ival, t_exit;
	int exit_status;
	struct rusage ru0, ru1; /* CPU at the test's start and end */
	uint64_t t_stop;	/* loop_now() when it ended */
	char congestion[16];	/* TCP_CONGESTION of the first stream */
	uint8_t *blk;	   /* the sender's block */
	struct ijson *peer; /* the peer's results */
	struct ijson *jout; /* --json: the document being built */
	struct ijson *jintervals;
	uint8_t rbuf[65536];
};

/* cli/app_iperf_report.c */
void iperf_unit(char *s, size_t n, double v, char fmt); /* iperf3's unit_snprintf */
void iperf_print_banner(struct iperf *ip);
void iperf_print_connected(struct iperf *ip, struct iperf_stream *s);
/* An interval has ended (@last: the test's end): record it, print it. */
void iperf_report_interval(struct iperf *ip, bool last);
void iperf_print_summary(struct iperf *ip);
/* The results this side sends to its peer (the caller frees). */
struct ijson *iperf_results_json(struct iperf *ip);
/* Take the peer's results into the streams; 0 or -1 if malformed. */
int iperf_results_parse(struct iperf *ip, const struct ijson *j);
void iperf_json_start(struct iperf *ip);
/* The --json document is complete: print it and free it. */
void iperf_json_finish(struct iperf *ip, const char *error);
/* Seconds since the test started. */
double iperf_elapsed(const struct iperf *ip);

#endif
