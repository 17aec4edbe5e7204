// SPDX-License-Identifier: MIT
/*
 * iperf3 as a built-in app, speaking iperf3's protocol (3.12) over the
 * emulated TCP, so that it runs against the real iperf3 through a TAP:
 *   iperf3 -s [-p PORT] [-1] [-i SECS] [-J]                       server
 *   iperf3 -c HOST [-p PORT] [-t SECS | -n BYTES] [-P N] [-R] [-l LEN]
 *          [-i SECS] [-J|--json]                                     client
 * The control connection carries the client's 37-byte cookie, then one
 * byte per state from the server (PARAM_EXCHANGE, CREATE_STREAMS,
 * TEST_START, TEST_RUNNING, EXCHANGE_RESULTS, DISPLAY_RESULTS) and from
 * the client (TEST_END, IPERF_DONE); parameters and results travel as a
 * 4-byte big-endian length and a JSON text. Each data stream is a TCP
 * connection that first sends the cookie. The sender writes blocks of
 * -l bytes as fast as the socket takes them; the receiver counts what it
 * reads. Everything runs on the namespace's owner worker; the output is
 * iperf3's (cli/app_iperf_report.c).
 *
 * The app finishes through a zero-delay timer (iperf_finish): callbacks
 * deep in a socket's stack may end the test, and the app's memory must
 * stay valid until they have all returned, since app_exit lets the CLI
 * thread free it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/random.h>
#include <sys/resource.h>

#include <netinet/tcp.h>
#include "netns/ipv4/tcp_diag.h"
#include "app_iperf.h"
#include "cmd.h"

/* A connection accepted while streams are being created, before its
 * cookie has arrived. */
struct iperf_conn {
	struct iperf *ip;
	struct sock *sk;
	uint8_t cookie[IPERF_COOKIE_SIZE];
	unsigned len;
	struct iperf_conn *next;
};

static struct iperf_conn *iperf_conns_head(struct iperf *ip);
static void iperf_conns_free(struct iperf *ip);
static void iperf_srv_reset(struct iperf *ip);
static void iperf_ctl_process(struct iperf *ip);

/* ---- ending ---- */

static void iperf_streams_close(struct iperf *ip)
{
	for (int i = 0; i < ip->nst; i++) {
		sock_close(ip->st[i].sk);
		ip->st[i].sk = NULL;
	}
}

static void iperf_test_free(struct iperf *ip)
{
	timer_del(&ip->t_end);
	timer_del(&ip->t_ival);
	iperf_streams_close(ip);
	for (int i = 0; i < ip->nst; i++)
		free(ip->st[i].ivals);
	free(ip->st);
	ip->st = NULL;
	ip->nst = 0;
	iperf_conns_free(ip);
	sock_close(ip->ctl);
	ip->ctl = NULL;
	ijson_free(ip->peer);
	ip->peer = NULL;
	ip->in_len = ip->out_len = 0;
	ip->want_json = false;
	ip->running = ip->ended = ip->sender = ip->interrupted = false;
	ip->state = 0;
	ip->ctl_cookie_len = 0;
	ip->total_bytes = 0;
	ip->nival = 0;
}

/* Close everything now; app_exit from a timer, once the stack is clear. */
static void iperf_finish(struct iperf *ip, int status)
{
	if (ip->finished)
		return;
	ip->finished = true;
	iperf_test_free(ip);
	sock_close(ip->lsk);
	ip->lsk = NULL;
	ijson_free(ip->jout);
	ip->jout = NULL;
	free(ip->blk);
	ip->blk = NULL;
	free(ip->in);
	free(ip->out);
	ip->in = ip->out = NULL;
	ip->in_cap = ip->out_cap = 0;
	ip->exit_status = status;
	timer_mod(&ip->t_exit, loop_now());
}

static void iperf_exit_fire(struct timer *t)
{
	struct iperf *ip = container_of(t, struct iperf, t_exit);

	app_exit(ip->app, ip->exit_status);
}

/* "iperf3: error - ...": the test cannot go on. The server prints it and
 * waits for the next client (unless -1); the client ends with status 1. */
static void iperf_error(struct iperf *ip, const char *fmt, ...) __printf(2, 3);

static void iperf_error(struct iperf *ip, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ip->json) {
		iperf_json_finish(ip, msg);
	} else {
		app_eprintf(ip->app, "iperf3: error - %s\n", msg);
	}
	if (ip->server && !ip->one_off) {
		iperf_srv_reset(ip);
		return;
	}
	iperf_finish(ip, 1);
}

/* ---- the control connection ---- */

static void iperf_ctl_pump(struct iperf *ip)
{
	while (ip->ctl && ip->out_len) {
		int r = sock_send(ip->ctl, ip->out, (unsigned)ip->out_len);

		if (r == -EAGAIN)
			return;
		if (r < 0) {
			iperf_error(ip, "control socket has closed unexpectedly");
			return;
		}
		memmove(ip->out, ip->out + r, ip->out_len - (size_t)r);
		ip->out_len -= (size_t)r;
	}
}

static void iperf_ctl_write(struct iperf *ip, const void *d, size_t n)
{
	if (ip->out_len + n > ip->out_cap) {
		size_t cap = ip->out_cap ? ip->out_cap : 1024;
		uint8_t *m;

		while (cap < ip->out_len + n)
			cap *= 2;
		m = realloc(ip->out, cap);
		if (!m) {
			iperf_error(ip, "%s", strerror(ENOMEM));
			return;
		}
		ip->out = m;
		ip->out_cap = cap;
	}
	memcpy(ip->out + ip->out_len, d, n);
	ip->out_len += n;
	iperf_ctl_pump(ip);
}

static void iperf_send_state(struct iperf *ip, int st)
{
	int8_t b = (int8_t)st;

	ip->state = st;
	iperf_ctl_write(ip, &b, 1);
}

/* A JSON blob: its length (4 bytes, big-endian), then the text. */
static void iperf_send_json(struct iperf *ip, struct ijson *j)
{
	char *s = j ? ijson_print(j, false) : NULL;
	uint32_t n;

	ijson_free(j);
	if (!s) {
		iperf_error(ip, "%s", strerror(ENOMEM));
		return;
	}
	n = htonl((uint32_t)strlen(s));
	iperf_ctl_write(ip, &n, 4);
	if (!ip->finished)
		iperf_ctl_write(ip, s, strlen(s));
	free(s);
}

/* ---- TCP_INFO ---- */

static bool iperf_tcp_info(struct sock *sk, struct tcp_diag_info *ti)
{
	unsigned len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return sk && !sock_getsockopt(sk, IPPROTO_TCP, TCP_INFO, ti, &len);
}

/* ---- the test ---- */

double iperf_elapsed(const struct iperf *ip)
{
	return (double)(loop_now() - ip->t0) / 1e9;
}

static void iperf_ival_fire(struct timer *t)
{
	struct iperf *ip = container_of(t, struct iperf, t_ival);

	iperf_report_interval(ip, false);
	timer_mod(&ip->t_ival,
		  ip->t0 + (uint64_t)((ip->nival + 1) * ip->interval * 1e9));
}

static void iperf_test_begin(struct iperf *ip)
{
	struct tcp_diag_info ti;

	ip->running = true;
	ip->t0 = ip->ival_t0 = loop_now();
	getrusage(RUSAGE_SELF, &ip->ru0);
	if (ip->nst && ip->st[0].sk) {
		unsigned n = sizeof(ip->congestion) - 1;

		memset(ip->congestion, 0, sizeof(ip->congestion));
		if (sock_getsockopt(ip->st[0].sk, IPPROTO_TCP, TCP_CONGESTION, ip->congestion, &n))
			ip->congestion[0] = '\0';
	}
	for (int i = 0; i < ip->nst; i++) {
		struct iperf_stream *s = &ip->st[i];

		iperf_tcp_info(s->sk, &ti);
		s->retrans0 = s->ival_retrans0 = ti.tcpi_total_retrans;
	}
	if (ip->interval > 0)
		timer_mod(&ip->t_ival, ip->t0 + (uint64_t)(ip->interval * 1e9));
	if (!ip->server && ip->duration)
		timer_mod(&ip->t_end, ip->t0 + (uint64_t)ip->duration * NSEC_PER_SEC);
}

/* The test is over for this side: last interval, end times, retransmits. */
static void iperf_test_stop(struct iperf *ip)
{
	double now = iperf_elapsed(ip);
	struct tcp_diag_info ti;

	if (ip->ended)
		return;
	ip->ended = true;
	timer_del(&ip->t_end);
	timer_del(&ip->t_ival);
	getrusage(RUSAGE_SELF, &ip->ru1);
	ip->t_stop = loop_now();
	for (int i = 0; i < ip->nst; i++) {
		struct iperf_stream *s = &ip->st[i];

		s->end_time = now;
		if (iperf_tcp_info(s->sk, &ti))
			s->retrans = ti.tcpi_total_retrans - s->retrans0;
	}
	iperf_report_interval(ip, true);
}

static void iperf_stream_pump(struct iperf_stream *s);

/* Client: the test time or byte count is reached. */
static void iperf_client_end(struct iperf *ip)
{
	iperf_test_stop(ip);
	iperf_send_state(ip, IPERF_TEST_END);
}

static void iperf_end_fire(struct timer *t)
{
	iperf_client_end(container_of(t, struct iperf, t_end));
}

static bool iperf_bytes_done(const struct iperf *ip)
{
	return ip->nbytes && ip->total_bytes >= ip->nbytes;
}

static void iperf_stream_pump(struct iperf_stream *s)
{
	struct iperf *ip = s->ip;

	while (s->sk && ip->running && !ip->ended && ip->sender) {
		int r;

		/* -n counts whole blocks, as iperf3's iperf_send */
		if (!s->blk_off && iperf_bytes_done(ip)) {
			if (!ip->server)
				iperf_client_end(ip);
			return;
		}
		r = sock_send(s->sk, ip->blk + s->blk_off, ip->len - s->blk_off);
		if (r == -EAGAIN)
			return;
		if (r < 0) {
			iperf_error(ip, "unable to write to stream socket: %s", strerror(-r));
			return;
		}
		s->blk_off = (s->blk_off + (unsigned)r) % ip->len;
		s->bytes += (unsigned)r;
		s->ival_bytes += (unsigned)r;
		ip->total_bytes += (unsigned)r;
	}
}

static void iperf_stream_readable(struct sock *sk, void *ctx)
{
	struct iperf_stream *s = ctx;
	struct iperf *ip = s->ip;
	int r;

	/* Data before TEST_RUNNING waits in the socket (iperf3 reads its
	 * streams only once the test runs): the stream's first bytes can
	 * overtake the control connection's TEST_START. */
	if (!ip->running)
		return;
	while (!ip->finished && s->sk && (r = sock_recv(sk, ip->rbuf, sizeof(ip->rbuf))) != -EAGAIN) {
		if (r <= 0) {
			/* the peer closed it: at the end of a test, the usual way */
			sock_close(s->sk);
			s->sk = NULL;
			if (ip->running && !ip->ended && r < 0)
				iperf_error(ip, "unable to read from stream socket: %s",
					    strerror(-r));
			return;
		}
		if (ip->ended || ip->sender)
			continue;
		s->bytes += (unsigned)r;
		s->ival_bytes += (unsigned)r;
		ip->total_bytes += (unsigned)r;
		if (!ip->server && iperf_bytes_done(ip)) {
			iperf_client_end(ip);
			return;
		}
	}
}

/* The test runs: the sender starts writing, the receiver reads what
 * arrived before. */
static void iperf_streams_kick(struct iperf *ip)
{
	for (int i = 0; i < ip->nst && !ip->finished && !ip->ended; i++) {
		if (ip->sender)
			iperf_stream_pump(&ip->st[i]);
		else if (ip->st[i].sk)
			iperf_stream_readable(ip->st[i].sk, &ip->st[i]);
	}
}

static void iperf_stream_writable(struct sock *sk, void *ctx)
{
	(void)sk;
	iperf_stream_pump(ctx);
}

static void iperf_sock_gone(struct iperf *ip, struct sock *sk)
{
	if (ip->ctl == sk)
		ip->ctl = NULL;
	if (ip->lsk == sk)
		ip->lsk = NULL;
	for (int i = 0; i < ip->nst; i++)
		if (ip->st[i].sk == sk)
			ip->st[i].sk = NULL;
	for (struct iperf_conn *c = iperf_conns_head(ip); c; c = c->next)
		if (c->sk == sk)
			c->sk = NULL;
	iperf_finish(ip, 1); /* the namespace is going away */
}

static void iperf_stream_gone(struct sock *sk, void *ctx)
{
	iperf_sock_gone(((struct iperf_stream *)ctx)->ip, sk);
}

static void iperf_stream_connected(struct sock *sk, int err, void *ctx);

static const struct sock_ops iperf_stream_ops = {
	.readable = iperf_stream_readable,
	.writable = iperf_stream_writable,
	.connected = iperf_stream_connected,
	.gone = iperf_stream_gone,
};

static void iperf_stream_names(struct iperf_stream *s)
{
	sock_getname(s->sk, false, &s->laddr, &s->lport);
	sock_getname(s->sk, true, &s->raddr, &s->rport);
}

/* ---- client ---- */

static void iperf_client_connect_stream(struct iperf *ip);

static void iperf_stream_connected(struct sock *sk, int err, void *ctx)
{
	struct iperf_stream *s = ctx;
	struct iperf *ip = s->ip;
	int r;

	(void)sk;
	if (err) {
		iperf_error(ip, "unable to connect stream: %s", strerror(-err));
		return;
	}
	iperf_stream_names(s);
	r = sock_send(s->sk, ip->cookie, IPERF_COOKIE_SIZE);
	if (r != IPERF_COOKIE_SIZE) {
		/* an empty send buffer takes 37 bytes at once */
		iperf_error(ip, "unable to send cookie to server: %s",
			    strerror(r < 0 ? -r : EAGAIN));
		return;
	}
	s->ready = true;
	iperf_print_connected(ip, s);
	iperf_client_connect_stream(ip);
}

/* Streams connect one after the other, as iperf3's blocking connects:
 * their lines print in order. */
static void iperf_client_connect_stream(struct iperf *ip)
{
	struct iperf_stream *s;
	int err;

	if (ip->nst == ip->parallel)
		return;
	s = &ip->st[ip->nst];
	s->ip = ip;
	/* iperf3 prints socket numbers: 5, 7, 9, ... on the client */
	s->id = 5 + 2 * ip->nst;
	s->rid = ip->nst ? ip->nst + 2 : 1;
	ip->nst++;
	err = sock_create(ip->ns, AF_INET, SOCK_STREAM, IPPROTO_TCP, &iperf_stream_ops, s, &s->sk);
	if (!err)
		err = sock_connect(s->sk, ip->daddr, ip->port);
	if (err != -EINPROGRESS)
		iperf_error(ip, "unable to connect stream: %s", strerror(-err));
}

static struct ijson *iperf_params_json(struct iperf *ip)
{
	struct ijson *j = ijson_new(IJSON_OBJECT);

	ijson_add_bool(j, "tcp", true);
	ijson_add_num(j, "omit", 0);
	ijson_add_num(j, "time", ip->duration);
	ijson_add_num(j, "num", (double)ip->nbytes);
	ijson_add_num(j, "blockcount", 0);
	ijson_add_num(j, "parallel", ip->parallel);
	if (ip->reverse)
		ijson_add_bool(j, "reverse", true);
	ijson_add_num(j, "len", ip->len);
	ijson_add_num(j, "pacing_timer", 1000);
	ijson_add_str(j, "client_version", "3.12");
	return j;
}

static void iperf_client_state(struct iperf *ip, int st)
{
	switch (st) {
	case IPERF_PARAM_EXCHANGE:
		ip->state = st;
		iperf_send_json(ip, iperf_params_json(ip));
		break;
	case IPERF_CREATE_STREAMS:
		ip->state = st;
		ip->st = calloc((size_t)ip->parallel, sizeof(*ip->st));
		if (!ip->st) {
			iperf_error(ip, "%s", strerror(ENOMEM));
			return;
		}
		iperf_client_connect_stream(ip);
		break;
	case IPERF_TEST_START:
		ip->state = st;
		ip->sender = !ip->reverse;
		iperf_test_begin(ip);
		break;
	case IPERF_TEST_RUNNING:
		ip->state = st;
		iperf_streams_kick(ip);
		break;
	case IPERF_EXCHANGE_RESULTS:
		ip->state = st;
		iperf_send_json(ip, iperf_results_json(ip));
		ip->want_json = true;
		break;
	case IPERF_DISPLAY_RESULTS:
		ip->state = st;
		iperf_print_summary(ip);
		iperf_send_state(ip, IPERF_DONE);
		iperf_finish(ip, 0);
		break;
	case IPERF_SERVER_TERMINATE:
		iperf_error(ip, "the server has terminated");
		break;
	case IPERF_ACCESS_DENIED:
		iperf_error(ip, "the server is busy running a test. try again later");
		break;
	case IPERF_SERVER_ERROR:
		iperf_error(ip, "the server has reported an error");
		break;
	default:
		iperf_error(ip, "received an unknown control message (%d)", st);
	}
}

static void iperf_client_json(struct iperf *ip, struct ijson *j)
{
	ijson_free(ip->peer);
	ip->peer = j;
	if (iperf_results_parse(ip, j))
		iperf_error(ip, "unable to receive results");
}

/* ---- server ---- */

static struct iperf_conn *iperf_conns_head(struct iperf *ip)
{
	return ip->conns;
}

static void iperf_conns_free(struct iperf *ip)
{
	struct iperf_conn *c, *n;

	for (c = ip->conns; c; c = n) {
		n = c->next;
		sock_close(c->sk);
		free(c);
	}
	ip->conns = NULL;
}

static void iperf_conn_unlink(struct iperf *ip, struct iperf_conn *c)
{
	for (struct iperf_conn **pp = &ip->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	free(c);
}

/* Refuse a connection: ACCESS_DENIED, then close. */
static void iperf_deny(struct sock *sk)
{
	int8_t b = IPERF_ACCESS_DENIED;

	sock_send(sk, &b, 1);
	sock_close(sk);
}

static void iperf_srv_test_begin(struct iperf *ip)
{
	iperf_send_state(ip, IPERF_TEST_START);
	if (ip->finished)
		return;
	ip->sender = ip->reverse;
	iperf_test_begin(ip);
	iperf_send_state(ip, IPERF_TEST_RUNNING);
	iperf_streams_kick(ip);
}

static void iperf_conn_readable(struct sock *sk, void *ctx)
{
	struct iperf_conn *c = ctx;
	struct iperf *ip = c->ip;
	struct iperf_stream *s;
	int r;

	while (c->len < IPERF_COOKIE_SIZE) {
		r = sock_recv(sk, c->cookie + c->len, IPERF_COOKIE_SIZE - c->len);
		if (r == -EAGAIN)
			return;
		if (r <= 0) {
			sock_close(c->sk);
			iperf_conn_unlink(ip, c);
			return;
		}
		c->len += (unsigned)r;
	}
	if (memcmp(c->cookie, ip->cookie, IPERF_COOKIE_SIZE) ||
	    ip->state != IPERF_CREATE_STREAMS || ip->nst >= ip->parallel) {
		iperf_deny(c->sk);
		iperf_conn_unlink(ip, c);
		return;
	}
	s = &ip->st[ip->nst];
	s->ip = ip;
	s->sk = c->sk;
	/* iperf3's server numbers its stream sockets 5, 8, 11, ... */
	s->id = 5 + 3 * ip->nst;
	s->rid = ip->nst ? ip->nst + 2 : 1;
	s->ready = true;
	ip->nst++;
	c->sk = NULL;
	iperf_conn_unlink(ip, c);
	sock_set_cb(s->sk, &iperf_stream_ops, s);
	iperf_stream_names(s);
	iperf_print_connected(ip, s);
	if (ip->nst == ip->parallel)
		iperf_srv_test_begin(ip);
}

static void iperf_conn_gone(struct sock *sk, void *ctx)
{
	iperf_sock_gone(((struct iperf_conn *)ctx)->ip, sk);
}

static const struct sock_ops iperf_conn_ops = {
	.readable = iperf_conn_readable,
	.gone = iperf_conn_gone,
};

static void iperf_ctl_readable(struct sock *sk, void *ctx);
static void iperf_ctl_writable(struct sock *sk, void *ctx);
static void iperf_ctl_gone(struct sock *sk, void *ctx);

static const struct sock_ops iperf_srv_ctl_ops = {
	.readable = iperf_ctl_readable,
	.writable = iperf_ctl_writable,
	.gone = iperf_ctl_gone,
};

static void iperf_srv_accept(struct sock *lsk, struct sock *newsk, void *ctx)
{
	struct iperf *ip = ctx;
	struct iperf_conn *c;

	(void)lsk;
	if (ip->finished) {
		sock_close(newsk);
		return;
	}
	if (!ip->ctl) {
		ip->ctl = newsk;
		sock_set_cb(newsk, &iperf_srv_ctl_ops, ip);
		sock_getname(newsk, true, &ip->ctl_raddr, &ip->ctl_rport);
		iperf_ctl_readable(newsk, ip);
		return;
	}
	if (ip->state != IPERF_CREATE_STREAMS) {
		/* busy: iperf3 does not read from it, it says no */
		iperf_deny(newsk);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		sock_close(newsk);
		return;
	}
	c->ip = ip;
	c->sk = newsk;
	c->next = ip->conns;
	ip->conns = c;
	sock_set_cb(newsk, &iperf_conn_ops, c);
	iperf_conn_readable(newsk, c);
}

static void iperf_lsk_gone(struct sock *sk, void *ctx)
{
	iperf_sock_gone(ctx, sk);
}

static const struct sock_ops iperf_listen_ops = {
	.accept = iperf_srv_accept,
	.gone = iperf_lsk_gone,
};

/* The test is over (or failed): back to listening, or out with -1. */
static void iperf_srv_reset(struct iperf *ip)
{
	iperf_test_free(ip);
	if (ip->one_off) {
		iperf_finish(ip, 0);
		return;
	}
	ip->test_no++;
	iperf_print_banner(ip);
}

/* The client's parameters (PARAM_EXCHANGE). */
static void iperf_srv_params(struct iperf *ip, struct ijson *j)
{
	char a[INET_ADDRSTRLEN];
	double len, par;

	if (ijson_get_bool(j, "udp", false) || ijson_get_bool(j, "sctp", false) ||
	    ijson_get_bool(j, "bidirectional", false)) {
		ijson_free(j);
		/* nsemu's server runs TCP tests, one direction at a time */
		iperf_send_state(ip, IPERF_SERVER_ERROR);
		iperf_error(ip, "this server runs TCP tests only, without --bidir");
		return;
	}
	ip->duration = (int)ijson_get_num(j, "time", 10);
	ip->nbytes = (uint64_t)ijson_get_num(j, "num", 0);
	par = ijson_get_num(j, "parallel", 1);
	len = ijson_get_num(j, "len", IPERF_LEN_TCP);
	ip->reverse = ijson_get_bool(j, "reverse", false);
	ijson_free(j);
	if (par < 1 || par > IPERF_MAX_STREAMS || len < 1 || len > IPERF_MAX_BLOCKSIZE) {
		iperf_send_state(ip, IPERF_SERVER_ERROR);
		iperf_error(ip, "received bad parameters");
		return;
	}
	ip->parallel = (int)par;
	ip->len = (unsigned)len;
	free(ip->blk);
	ip->blk = malloc(ip->len);
	ip->st = calloc((size_t)ip->parallel, sizeof(*ip->st));
	if (!ip->blk || !ip->st) {
		iperf_error(ip, "%s", strerror(ENOMEM));
		return;
	}
	for (unsigned i = 0; i < ip->len; i++)
		ip->blk[i] = (uint8_t)random();
	if (ip->json)
		iperf_json_start(ip);
	else
		app_printf(ip->app, "Accepted connection from %s, port %u\n",
			   inet_ntop(AF_INET, &ip->ctl_raddr, a, sizeof(a)), ip->ctl_rport);
	iperf_send_state(ip, IPERF_CREATE_STREAMS);
}

static void iperf_server_state(struct iperf *ip, int st)
{
	switch (st) {
	case IPERF_TEST_END:
		iperf_test_stop(ip);
		iperf_streams_close(ip);
		iperf_send_state(ip, IPERF_EXCHANGE_RESULTS);
		ip->want_json = true;
		break;
	case IPERF_DONE:
		iperf_srv_reset(ip);
		break;
	case IPERF_CLIENT_TERMINATE:
		/* iperf3 says so, then prints what it has */
		if (ip->json) {
			iperf_json_finish(ip, "the client has terminated");
		} else {
			app_eprintf(ip->app, "iperf3: the client has terminated\n");
			if (ip->running && !ip->ended) {
				ip->interrupted = true;
				iperf_test_stop(ip);
				iperf_print_summary(ip);
			}
		}
		iperf_srv_reset(ip);
		break;
	default:
		iperf_error(ip, "received an unknown control message (%d)", st);
	}
}

static void iperf_server_json(struct iperf *ip, struct ijson *j)
{
	if (ip->state == IPERF_PARAM_EXCHANGE) {
		iperf_srv_params(ip, j);
		return;
	}
	/* the client's results, after EXCHANGE_RESULTS */
	ijson_free(ip->peer);
	ip->peer = j;
	if (iperf_results_parse(ip, j)) {
		iperf_error(ip, "unable to receive results");
		return;
	}
	ip->want_json = false;
	iperf_send_json(ip, iperf_results_json(ip));
	if (ip->finished)
		return;
	iperf_send_state(ip, IPERF_DISPLAY_RESULTS);
	if (!ip->finished)
		iperf_print_summary(ip);
}

/* ---- control input ---- */

static void iperf_ctl_process(struct iperf *ip)
{
	while (!ip->finished && ip->ctl) {
		if (ip->server && ip->ctl_cookie_len < IPERF_COOKIE_SIZE) {
			unsigned n = IPERF_COOKIE_SIZE - ip->ctl_cookie_len;

			if (ip->in_len < n)
				n = (unsigned)ip->in_len;
			memcpy(ip->ctl_cookie + ip->ctl_cookie_len, ip->in, n);
			ip->ctl_cookie_len += n;
			memmove(ip->in, ip->in + n, ip->in_len - n);
			ip->in_len -= n;
			if (ip->ctl_cookie_len < IPERF_COOKIE_SIZE)
				return;
			memcpy(ip->cookie, ip->ctl_cookie, IPERF_COOKIE_SIZE);
			ip->cookie[IPERF_COOKIE_SIZE - 1] = '\0';
			iperf_send_state(ip, IPERF_PARAM_EXCHANGE);
			ip->want_json = true;
			continue;
		}
		if (ip->want_json) {
			uint32_t n;
			struct ijson *j;

			if (ip->in_len < 4)
				return;
			memcpy(&n, ip->in, 4);
			n = ntohl(n);
			if (n > IPERF_MAX_JSON) {
				iperf_error(ip, "%s", ip->state == IPERF_PARAM_EXCHANGE
							   ? "unable to receive parameters from client"
							   : "unable to receive results");
				return;
			}
			if (ip->in_len < 4 + (size_t)n)
				return;
			j = ijson_parse((const char *)ip->in + 4, n);
			memmove(ip->in, ip->in + 4 + n, ip->in_len - 4 - n);
			ip->in_len -= 4 + (size_t)n;
			ip->want_json = false;
			if (!j) {
				iperf_error(ip, "%s", ip->state == IPERF_PARAM_EXCHANGE
							   ? "unable to receive parameters from client"
							   : "unable to receive results");
				return;
			}
			if (ip->server)
				iperf_server_json(ip, j);
			else
				iperf_client_json(ip, j);
			continue;
		}
		if (!ip->in_len)
			return;
		{
			int st = (int8_t)ip->in[0];

			memmove(ip->in, ip->in + 1, ip->in_len - 1);
			ip->in_len--;
			if (ip->server)
				iperf_server_state(ip, st);
			else
				iperf_client_state(ip, st);
		}
	}
}

static void iperf_ctl_readable(struct sock *sk, void *ctx)
{
	struct iperf *ip = ctx;

	while (!ip->finished && ip->ctl == sk) {
		int r;

		if (ip->in_cap - ip->in_len < 4096) {
			size_t cap = ip->in_cap ? ip->in_cap * 2 : 8192;
			uint8_t *m;

			if (cap > IPERF_MAX_JSON + 8192) {
				iperf_error(ip, "unable to receive control message");
				return;
			}
			m = realloc(ip->in, cap);
			if (!m) {
				iperf_error(ip, "%s", strerror(ENOMEM));
				return;
			}
			ip->in = m;
			ip->in_cap = cap;
		}
		r = sock_recv(sk, ip->in + ip->in_len, (unsigned)(ip->in_cap - ip->in_len));
		if (r == -EAGAIN)
			return;
		if (r <= 0) {
			if (ip->server)
				iperf_error(ip, "the client has unexpectedly closed the connection");
			else
				iperf_error(ip, "control socket has closed unexpectedly");
			return;
		}
		ip->in_len += (unsigned)r;
		iperf_ctl_process(ip);
	}
}

static void iperf_ctl_writable(struct sock *sk, void *ctx)
{
	(void)sk;
	iperf_ctl_pump(ctx);
}

static void iperf_ctl_gone(struct sock *sk, void *ctx)
{
	iperf_sock_gone(ctx, sk);
}

static const char iperf_cookie_chars[] = "abcdefghijklmnopqrstuvwxyz234567";

static void iperf_make_cookie(char *cookie)
{
	uint8_t r[IPERF_COOKIE_SIZE - 1];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (uint8_t)random();
	for (size_t i = 0; i < sizeof(r); i++)
		cookie[i] = iperf_cookie_chars[r[i] % 32];
	cookie[IPERF_COOKIE_SIZE - 1] = '\0';
}

static void iperf_ctl_connected(struct sock *sk, int err, void *ctx)
{
	struct iperf *ip = ctx;

	(void)sk;
	if (err) {
		iperf_error(ip, "unable to connect to server: %s", strerror(-err));
		return;
	}
	iperf_make_cookie(ip->cookie);
	if (ip->json) {
		iperf_json_start(ip);
	} else {
		app_printf(ip->app, "Connecting to host %s, port %u\n", ip->host, ip->port);
		if (ip->reverse)
			app_printf(ip->app, "Reverse mode, remote host %s is sending\n", ip->host);
	}
	iperf_ctl_write(ip, ip->cookie, IPERF_COOKIE_SIZE);
}

static const struct sock_ops iperf_cli_ctl_ops = {
	.readable = iperf_ctl_readable,
	.writable = iperf_ctl_writable,
	.connected = iperf_ctl_connected,
	.gone = iperf_ctl_gone,
};

static void iperf_start(struct app *a, struct netns *ns)
{
	struct iperf *ip = app_priv(a);
	int err;

	ip->app = a;
	ip->ns = ns;
	ip->test_no = 1;
	timer_init(&ip->t_end, iperf_end_fire);
	timer_init(&ip->t_ival, iperf_ival_fire);
	timer_init(&ip->t_exit, iperf_exit_fire);
	if (ip->server) {
		err = sock_create(ns, AF_INET, SOCK_STREAM, IPPROTO_TCP, &iperf_listen_ops, ip,
				  &ip->lsk);
		if (!err) {
			sock_set_reuseaddr(ip->lsk, true); /* as iperf3's netannounce */
			err = sock_bind(ip->lsk, 0, ip->port);
		}
		if (!err)
			err = sock_listen(ip->lsk, 128);
		if (err) {
			ip->one_off = true;
			iperf_error(ip, "unable to start listener for connections: %s",
				    strerror(-err));
			return;
		}
		iperf_print_banner(ip);
		return;
	}
	ip->blk = malloc(ip->len);
	if (!ip->blk) {
		iperf_error(ip, "%s", strerror(ENOMEM));
		return;
	}
	for (unsigned i = 0; i < ip->len; i++)
		ip->blk[i] = (uint8_t)random();
	err = sock_create(ns, AF_INET, SOCK_STREAM, IPPROTO_TCP, &iperf_cli_ctl_ops, ip, &ip->ctl);
	if (!err)
		err = sock_connect(ip->ctl, ip->daddr, ip->port);
	if (err != -EINPROGRESS)
		iperf_error(ip, "unable to connect to server: %s", strerror(-err));
}

static void iperf_stop(struct app *a)
{
	struct iperf *ip = app_priv(a);

	if (ip->server) {
		app_eprintf(a, "iperf3: interrupt - the server has terminated\n");
	} else {
		/* tell the server, as iperf3's SIGINT handler does */
		if (ip->ctl) {
			int8_t b = IPERF_CLIENT_TERMINATE;

			sock_send(ip->ctl, &b, 1);
		}
		if (ip->running && !ip->ended && !ip->json) {
			ip->interrupted = true;
			iperf_test_stop(ip);
			iperf_print_summary(ip);
		}
		app_eprintf(a, "iperf3: interrupt - the client has terminated\n");
	}
	iperf_finish(ip, 1);
}

static const struct app_ops iperf_app_ops = {
	.name = "iperf3",
	.start = iperf_start,
	.stop = iperf_stop,
};

/* ---- command line ---- */

static void iperf_usage(FILE *f)
{
	fprintf(f, "Usage: iperf3 [-s|-c host] [options]\n"
		   "       iperf3 [-h|--help] [-v|--version]\n");
}

static void iperf_help(FILE *f)
{
	iperf_usage(f);
	fprintf(f, "\nServer or Client:\n"
		   "  -p, --port      #         server port to listen on/connect to\n"
		   "  -i, --interval  #         seconds between periodic throughput reports\n"
		   "  -J, --json                output in JSON format\n"
		   "Server specific:\n"
		   "  -s, --server              run in server mode\n"
		   "  -1, --one-off             handle one client connection then exit\n"
		   "Client specific:\n"
		   "  -c, --client <host>       run in client mode, connecting to <host>\n"
		   "  -t, --time      #         time in seconds to transmit for (default 10 secs)\n"
		   "  -n, --bytes     #[KMG]    number of bytes to transmit (instead of -t)\n"
		   "  -l, --length    #[KMG]    length of buffer to read or write\n"
		   "                            (default 128 KB for TCP)\n"
		   "  -P, --parallel  #         number of parallel client streams to run\n"
		   "  -R, --reverse             run in reverse mode (server sends, client receives)\n"
		   "\n[KMG] indicates options that support a K/M/G suffix for kilo-, mega-, or "
		   "giga-\n");
}

/* iperf3's unit_atof / unit_atoi: a number with an optional K/M/G/T
 * suffix (powers of 1024). Like atof, junk after the number is ignored. */
static double iperf_unit_atof(const char *s)
{
	double n = 0;
	char suffix = '\0';

	sscanf(s, "%lf%c", &n, &suffix);
	switch (suffix) {
	case 't': case 'T': n *= 1024.0 * 1024 * 1024 * 1024; break;
	case 'g': case 'G': n *= 1024.0 * 1024 * 1024; break;
	case 'm': case 'M': n *= 1024.0 * 1024; break;
	case 'k': case 'K': n *= 1024.0; break;
	default: break;
	}
	return n;
}

struct iperf_args {
	bool server, client, json, one_off, reverse;
	bool client_only, server_only; /* an option of the other role was given */
	const char *host;
	long port;
	bool have_t, have_n;
	int duration;
	double nbytes, len, interval;
	int parallel;
};

static int iperf_param_error(FILE *err, const char *msg)
{
	fprintf(err, "iperf3: parameter error - %s\n\n", msg);
	iperf_usage(err);
	return -1;
}

/* Long options: --json, --server, --client HOST, ... as getopt_long with
 * the value in the next word or after '='. */
static const struct {
	const char *name;
	char ch;
	bool arg;
} iperf_longopts[] = {
	{ "port", 'p', true },	   { "interval", 'i', true }, { "json", 'J', false },
	{ "server", 's', false },  { "one-off", '1', false }, { "client", 'c', true },
	{ "time", 't', true },	   { "bytes", 'n', true },    { "length", 'l', true },
	{ "parallel", 'P', true }, { "reverse", 'R', false }, { "help", 'h', false },
	{ "version", 'v', false },
};

static int iperf_args_parse(FILE *out, FILE *err, int argc, char **argv, struct iperf_args *a)
{
	const char *spec = "p:i:Js1c:t:n:l:P:Rhv";

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *val = NULL;
		char ch;
		const char *s;

		if (w[0] != '-' || !w[1]) {
			continue; /* iperf3 ignores stray words */
		}
		if (w[1] == '-') {
			const char *eq = strchr(w + 2, '=');
			size_t n = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
			size_t k;

			for (k = 0; k < ARRAY_SIZE(iperf_longopts); k++)
				if (strlen(iperf_longopts[k].name) == n &&
				    !strncmp(iperf_longopts[k].name, w + 2, n))
					break;
			if (k == ARRAY_SIZE(iperf_longopts)) {
				fprintf(err, "iperf3: unrecognized option '%s'\n", w);
				iperf_usage(err);
				return -1;
			}
			ch = iperf_longopts[k].ch;
			if (iperf_longopts[k].arg) {
				if (eq)
					val = eq + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else {
					fprintf(err, "iperf3: option '--%s' requires an argument\n",
						iperf_longopts[k].name);
					iperf_usage(err);
					return -1;
				}
			} else if (eq) {
				fprintf(err, "iperf3: option '--%s' doesn't allow an argument\n",
					iperf_longopts[k].name);
				iperf_usage(err);
				return -1;
			}
		} else {
			ch = w[1];
			s = strchr(spec, ch);
			if (!s || ch == ':') {
				fprintf(err, "iperf3: invalid option -- '%c'\n", ch);
				iperf_usage(err);
				return -1;
			}
			if (s[1] == ':') {
				if (w[2])
					val = w + 2;
				else if (i + 1 < argc)
					val = argv[++i];
				else {
					fprintf(err, "iperf3: option requires an argument -- '%c'\n", ch);
					iperf_usage(err);
					return -1;
				}
			} else if (w[2]) {
				/* clustered flags (-sJ): take the rest as more options */
				fprintf(err, "iperf3: invalid option -- '%c'\n", w[2]);
				iperf_usage(err);
				return -1;
			}
		}
		switch (ch) {
		case 'p':
			a->port = atol(val);
			break;
		case 'i':
			a->interval = atof(val);
			break;
		case 'J':
			a->json = true;
			break;
		case 's':
			if (a->client)
				return iperf_param_error(err, "cannot be both server and client");
			a->server = true;
			break;
		case '1':
			a->one_off = true;
			a->server_only = true;
			break;
		case 'c':
			if (a->server)
				return iperf_param_error(err, "cannot be both server and client");
			a->client = true;
			a->host = val;
			break;
		case 't':
			a->duration = atoi(val);
			a->have_t = true;
			a->client_only = true;
			break;
		case 'n':
			a->nbytes = iperf_unit_atof(val);
			a->have_n = true;
			a->client_only = true;
			break;
		case 'l':
			a->len = iperf_unit_atof(val);
			a->client_only = true;
			break;
		case 'P':
			a->parallel = atoi(val);
			a->client_only = true;
			break;
		case 'R':
			a->reverse = true;
			a->client_only = true;
			break;
		case 'h':
			iperf_help(out);
			return 1;
		case 'v':
			fprintf(out, "iperf 3.12 (nsemu built-in: TCP, IPv4)\n");
			return 1;
		}
	}
	return 0;
}

/* iperf3's checks after parsing, in its order (iperf_parse_arguments). */
static int iperf_args_check(FILE *err, struct iperf_args *a)
{
	if (!a->server && !a->client)
		return iperf_param_error(err, "must either be a client (-c) or server (-s)");
	if (a->server && a->client_only)
		return iperf_param_error(err, "some option you are trying to set is client only");
	if (a->client && a->server_only)
		return iperf_param_error(err, "some option you are trying to set is server only");
	if (a->port < 1 || a->port > 65535)
		return iperf_param_error(err, "port number must be between 1 and 65535 inclusive");
	if (a->duration > IPERF_MAX_TIME)
		return iperf_param_error(err,
					 "test duration too long (maximum = 86400 seconds)");
	if (a->parallel > IPERF_MAX_STREAMS)
		return iperf_param_error(err,
			"number of parallel streams too large (maximum = 128)");
	if (a->len > IPERF_MAX_BLOCKSIZE)
		return iperf_param_error(err, "block size too large (maximum = 1048576 bytes)");
	if ((a->interval < 0.1 && a->interval != 0) || a->interval > 60)
		return iperf_param_error(err,
			"invalid report interval (min = 0.1, max = 60 seconds)");
	if (a->have_t && a->have_n)
		return iperf_param_error(err,
			"only one test end condition (-t, -n, -k) may be specified");
	/* Where iperf3 takes a value nsemu will not run (-P 0 hangs it,
	 * -t 0 runs forever), say so. */
	if (a->client && a->parallel < 1)
		return iperf_param_error(err, "number of parallel streams must be at least 1");
	if (a->client && a->len < 1)
		a->len = IPERF_LEN_TCP; /* iperf3: -l 0 is the default */
	if (a->client && a->have_n && a->nbytes < 1)
		a->have_n = false; /* iperf3: -n 0 leaves the test timed */
	if (a->client && a->duration < 1 && !a->have_n)
		return iperf_param_error(err,
			"test duration must be at least 1 second (nsemu runs no endless test)");
	return 0;
}

struct app *iperf_app_create(struct cli_ctx *c, int argc, char **argv, int *status, bool *bg)
{
	struct iperf_args args = {
		.port = IPERF_PORT, .duration = 10, .len = IPERF_LEN_TCP, .interval = 1,
		.parallel = 1,
	};
	struct iperf *ip;
	struct app *a;
	int r;

	*bg = false;
	*status = 1;
	if (argc > 1 && !strcmp(argv[argc - 1], "&")) {
		*bg = true;
		argc--;
	}
	r = iperf_args_parse(c->out, c->err, argc, argv, &args);
	if (r > 0)
		*status = 0;
	if (r || iperf_args_check(c->err, &args))
		return NULL;
	ip = calloc(1, sizeof(*ip));
	if (!ip) {
		fprintf(c->err, "iperf3: error - %s\n", strerror(ENOMEM));
		return NULL;
	}
	ip->server = args.server;
	ip->one_off = args.one_off;
	ip->reverse = args.reverse;
	ip->json = args.json;
	ip->port = (uint16_t)args.port;
	ip->interval = args.interval;
	ip->parallel = args.parallel;
	ip->len = (unsigned)args.len;
	if (args.have_n) {
		ip->nbytes = (uint64_t)args.nbytes;
		ip->duration = 0;
	} else {
		ip->duration = args.duration;
	}
	if (ip->server) {
		ip->parallel = 0;
	} else {
		if (strlen(args.host) >= sizeof(ip->host) ||
		    inet_pton(AF_INET, args.host, &ip->daddr) != 1) {
			/* no resolver inside nsemu: addresses only */
			fprintf(c->err, "iperf3: error - unable to resolve host: %s: Name or service "
					"not known\n", args.host);
			free(ip);
			return NULL;
		}
		snprintf(ip->host, sizeof(ip->host), "%s", args.host);
	}
	a = app_create(&iperf_app_ops, ip);
	if (!a) {
		fprintf(c->err, "iperf3: error - %s\n", strerror(ENOMEM));
		free(ip);
		return NULL;
	}
	return a;
}

int cmd_iperf3(struct cli_ctx *c, int argc, char **argv)
{
	int status;
	bool bg;
	struct app *a = iperf_app_create(c, argc, argv, &status, &bg);

	if (!a)
		return status;
	return bg ? app_run_background(c, a, "iperf3") : app_run(c, a);
}
