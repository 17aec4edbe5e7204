// SPDX-License-Identifier: MIT
/*
 * `bench tcp`: the emulated TCP between two applications, as iperf3 and a
 * connect loop measure the kernel's (scripts/bench-kernel.sh runs those).
 * It builds a chain of fresh namespaces btcp-a - r1 - ... - rN - btcp-b
 * joined by veth pairs (none of routers by default: one veth pair), with
 * permanent neighbour entries and routes both ways, spread over W workers
 * in contiguous runs as `bench fwd` does, and runs one of three loads:
 *
 *   bulk (default)  one connection from an application in a to one in b:
 *                   the sender keeps the send buffer full (sock_send until
 *                   -EAGAIN, again on writable), the receiver drains it
 *                   (sock_recv until -EAGAIN) and compares every byte with
 *                   the pattern the sender sent (a sequence of period
 *                   65521, so a byte's value depends on its offset: lost,
 *                   duplicated or misplaced data cannot match). Reports
 *                   Gbit/s of data delivered, segments/s (the sender's
 *                   OutSegs), retransmissions (RetransSegs), and CPU per
 *                   GB (CPU time of every worker thread).
 *   --conns N       N connections opened (256 connects in flight) and left
 *                   idle; memory per connection (both ends: two sockets),
 *                   from jemalloc's stats.allocated and RSS.
 *   --cps           a loop of connect, accept, close (the client closes at
 *                   once, the server when it reads the end of stream), one
 *                   connection at a time, as a blocking program does it:
 *                   connections per second.
 *
 * The applications run on their namespaces' owner workers (O1) as
 * socket callbacks; the CLI thread starts and stops them and reads their
 * counters with owner calls (O5). Everything is torn down with the
 * namespaces at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "core/loop.h"
#include "core/mem.h"
#include "netns/core/netns.h"
#include "netns/core/sock.h"
#include "bench.h"
#include "cli/print.h"

#define TCPB_PORT 5201		/* iperf3's */
#define TCPB_CHUNK 65536	/* bytes per sock_send / sock_recv call */
#define TCPB_PERIOD 65521	/* the data pattern's period (a prime) */
#define TCPB_MAX_ROUTERS 250	/* link i is 10.202.i.0/24 */
#define TCPB_WINDOW 256		/* --conns: connects in flight */
#define TCPB_STALL_NS (5 * 1000000000ull) /* no progress for this long: fail */
/* --conns / --cps: the client namespace's ip_local_port_range, and so the
 * most connections one client namespace holds (TIME-WAIT included). */
#define TCPB_PORT_LO 1024
#define TCPB_PORT_HI 65535
#define TCPB_MAX_CONNS (TCPB_PORT_HI - TCPB_PORT_LO + 1)
/* --conns above that: more client namespaces, each its own veth pair to
 * b (link k is 10.204.k.0/24), the connections shared among them. */
#define TCPB_MAX_CLIENTS 4
#define TCPB_MAX_STREAMS 128	/* --streams (iperf3 -P allows 128) */

enum tcpb_mode { TCPB_BULK, TCPB_CONNS, TCPB_CPS };

struct tcpb_opts {
	unsigned routers, workers, conns;
	unsigned clients;	/* client namespaces (--conns) */
	unsigned streams;	/* bulk: connections side by side */
	double seconds;
	uint64_t bytes;
	enum tcpb_mode mode;
	bool json, seconds_set;
};

/* ---------------- bulk: the receivers (b's owner) ---------------- */

/* One stream's receiving end. */
struct tcpb_rx {
	struct sock *sk;
	const uint8_t *pat;
	uint64_t bytes, bad;	/* bytes received, of which differing from the pattern */
	uint64_t limit;		/* --bytes: t_done when this stream's share arrived */
	uint64_t t_done;
	bool eof, gone;
	int err;
	uint8_t buf[TCPB_CHUNK];
};

/* The listener: the first --streams connections are the streams, in the
 * order they are accepted; any other is closed. */
struct tcpb_rxl {
	struct worker *w;
	struct sock *lsk;
	uint32_t addr;
	struct tcpb_rx *rx;
	unsigned n, accepted;
	bool gone;
	int err;
};

/* Count the bytes of @buf that differ from the pattern at stream offset
 * @off. memcmp first: the common case is a match at memory speed. */
static uint64_t tcpb_check(const uint8_t *pat, uint64_t off, const uint8_t *buf, unsigned len)
{
	const uint8_t *p = pat + off % TCPB_PERIOD;
	uint64_t bad = 0;

	if (!memcmp(p, buf, len))
		return 0;
	for (unsigned i = 0; i < len; i++)
		bad += p[i] != buf[i];
	return bad;
}

static void tcpb_rx_readable(struct sock *sk, void *ctx)
{
	struct tcpb_rx *rx = ctx;
	int r;

	while ((r = sock_recv(sk, rx->buf, sizeof(rx->buf))) > 0) {
		rx->bad += tcpb_check(rx->pat, rx->bytes, rx->buf, (unsigned)r);
		rx->bytes += (unsigned)r;
		if (rx->limit && rx->bytes >= rx->limit && !rx->t_done)
			rx->t_done = bench_now_ns();
	}
	if (r == 0)
		rx->eof = true;
	else if (r != -EAGAIN && !rx->err)
		rx->err = r;
}

static void tcpb_rx_gone(struct sock *sk, void *ctx)
{
	struct tcpb_rx *rx = ctx;

	rx->sk = NULL;
	rx->gone = true;
}

static const struct sock_ops tcpb_rx_ops = {
	.readable = tcpb_rx_readable,
	.gone = tcpb_rx_gone,
};

static void tcpb_rxl_accept(struct sock *lsk, struct sock *newsk, void *ctx)
{
	struct tcpb_rxl *l = ctx;
	struct tcpb_rx *rx;

	if (l->accepted == l->n) {
		sock_close(newsk);
		return;
	}
	rx = &l->rx[l->accepted++];
	rx->sk = newsk;
	sock_set_cb(newsk, &tcpb_rx_ops, rx);
	tcpb_rx_readable(newsk, rx); /* data may have come with the handshake */
}

static void tcpb_rxl_gone(struct sock *sk, void *ctx)
{
	struct tcpb_rxl *l = ctx;

	l->lsk = NULL;
	l->gone = true;
}

static const struct sock_ops tcpb_listen_ops = {
	.accept = tcpb_rxl_accept,
	.gone = tcpb_rxl_gone,
};

/* Listen on @addr:TCPB_PORT in @ns with @ops (ctx @ctx); 0 or -errno. */
static int tcpb_listen(struct netns *ns, uint32_t addr, const struct sock_ops *ops, void *ctx,
		       struct sock **res)
{
	struct sock *sk;
	int err = sock_create(ns, AF_INET, SOCK_STREAM, 0, ops, ctx, &sk);

	if (err)
		return err;
	sock_set_reuseaddr(sk, true);
	err = sock_bind(sk, addr, TCPB_PORT);
	if (!err)
		err = sock_listen(sk, 4096);
	if (err) {
		sock_close(sk);
		return err;
	}
	*res = sk;
	return 0;
}

static void tcpb_rxl_start_fn(struct netns *ns, void *arg)
{
	struct tcpb_rxl *l = arg;

	l->w = loop_current();
	l->err = tcpb_listen(ns, l->addr, &tcpb_listen_ops, l, &l->lsk);
}

static void tcpb_rxl_stop_fn(void *arg)
{
	struct tcpb_rxl *l = arg;

	for (unsigned i = 0; i < l->accepted; i++) {
		sock_close(l->rx[i].sk);
		l->rx[i].sk = NULL;
	}
	sock_close(l->lsk);
	l->lsk = NULL;
}

/* The receivers added up (read on their owner). t_done: when the last
 * stream got its share, 0 until they all have. */
struct tcpb_rsum {
	uint64_t bytes, bad, t_done;
	bool eof, gone;
	int err;
};

struct tcpb_rx_read {
	const struct tcpb_rxl *l;
	struct tcpb_rsum *s;
};

static void tcpb_rx_read_fn(void *arg)
{
	const struct tcpb_rx_read *q = arg;
	const struct tcpb_rxl *l = q->l;
	struct tcpb_rsum *s = q->s;
	unsigned done = 0;

	memset(s, 0, sizeof(*s));
	s->gone = l->gone;
	s->err = l->err;
	for (unsigned i = 0; i < l->accepted; i++) {
		const struct tcpb_rx *rx = &l->rx[i];

		s->bytes += rx->bytes;
		s->bad += rx->bad;
		s->eof |= rx->eof && !rx->t_done; /* an end before its share */
		s->gone |= rx->gone;
		if (!s->err)
			s->err = rx->err;
		if (rx->t_done) {
			done++;
			s->t_done = MAX(s->t_done, rx->t_done);
		}
	}
	if (done < l->n)
		s->t_done = 0;
}

static void tcpb_rx_read(const struct tcpb_rxl *l, struct tcpb_rsum *s)
{
	struct tcpb_rx_read q = { l, s };

	loop_call_sync(l->w, tcpb_rx_read_fn, &q);
}

/* ---------------- bulk: the senders (a's owner) ---------------- */

struct tcpb_tx {
	struct sock *sk;
	const uint8_t *pat;
	uint32_t daddr;
	uint64_t limit, sent;	/* limit 0: until stopped */
	uint64_t t_conn;	/* bench_now_ns when the connection was up */
	bool connected, stop, shut, gone;
	int err;
};

/* Every sender, on a's owner. */
struct tcpb_txs {
	struct worker *w;
	struct tcpb_tx *tx;
	unsigned n;
	int err;
};

/* Fill the send buffer: chunks of the pattern at the stream offset. */
static void tcpb_tx_pump(struct tcpb_tx *tx)
{
	while (tx->sk && !tx->stop && !tx->shut) {
		uint64_t len = TCPB_CHUNK;
		int r;

		if (tx->limit && tx->limit - tx->sent < len)
			len = tx->limit - tx->sent;
		if (!len) {
			/* everything handed over: the receiver sees the end */
			sock_shutdown(tx->sk, SHUT_WR);
			tx->shut = true;
			break;
		}
		r = sock_send(tx->sk, tx->pat + tx->sent % TCPB_PERIOD, (unsigned)len);
		if (r == -EAGAIN)
			break;
		if (r < 0) {
			tx->err = r;
			break;
		}
		tx->sent += (unsigned)r;
	}
}

static void tcpb_tx_writable(struct sock *sk, void *ctx)
{
	tcpb_tx_pump(ctx);
}

static void tcpb_tx_connected(struct sock *sk, int err, void *ctx)
{
	struct tcpb_tx *tx = ctx;

	if (err) {
		tx->err = err;
		return;
	}
	tx->t_conn = bench_now_ns();
	tx->connected = true;
	/* the writable callback that follows fills the buffer */
}

static void tcpb_tx_gone(struct sock *sk, void *ctx)
{
	struct tcpb_tx *tx = ctx;

	tx->sk = NULL;
	tx->gone = true;
}

static const struct sock_ops tcpb_tx_ops = {
	.writable = tcpb_tx_writable,
	.connected = tcpb_tx_connected,
	.gone = tcpb_tx_gone,
};

static void tcpb_txs_start_fn(struct netns *ns, void *arg)
{
	struct tcpb_txs *t = arg;

	t->w = loop_current();
	for (unsigned i = 0; i < t->n && !t->err; i++) {
		struct tcpb_tx *tx = &t->tx[i];
		int err = sock_create(ns, AF_INET, SOCK_STREAM, 0, &tcpb_tx_ops, tx, &tx->sk);

		if (!err)
			err = sock_connect(tx->sk, tx->daddr, TCPB_PORT);
		if (err != -EINPROGRESS)
			t->err = err ? err : -EPROTO;
	}
}

static void tcpb_txs_stop_fn(void *arg)
{
	struct tcpb_txs *t = arg;

	for (unsigned i = 0; i < t->n; i++)
		t->tx[i].stop = true;
}

static void tcpb_txs_close_fn(void *arg)
{
	struct tcpb_txs *t = arg;

	for (unsigned i = 0; i < t->n; i++) {
		sock_close(t->tx[i].sk);
		t->tx[i].sk = NULL;
	}
}

/* The senders added up: t_conn when the first was up, connected once
 * all are. */
struct tcpb_tsum {
	uint64_t sent, t_conn;
	bool connected, gone;
	int err;
};

struct tcpb_tx_read {
	const struct tcpb_txs *t;
	struct tcpb_tsum *s;
};

static void tcpb_tx_read_fn(void *arg)
{
	const struct tcpb_tx_read *q = arg;
	struct tcpb_tsum *s = q->s;

	memset(s, 0, sizeof(*s));
	s->connected = true;
	s->err = q->t->err;
	for (unsigned i = 0; i < q->t->n; i++) {
		const struct tcpb_tx *tx = &q->t->tx[i];

		s->sent += tx->sent;
		s->connected &= tx->connected;
		s->gone |= tx->gone;
		if (tx->connected && (!s->t_conn || tx->t_conn < s->t_conn))
			s->t_conn = tx->t_conn;
		if (!s->err)
			s->err = tx->err;
	}
}

static void tcpb_tx_read(const struct tcpb_txs *t, struct tcpb_tsum *s)
{
	struct tcpb_tx_read q = { t, s };

	loop_call_sync(t->w, tcpb_tx_read_fn, &q);
}

/* ---------------- --conns and --cps: the client (a's owner) ---------------- */

struct tcpb_cli {
	struct worker *w;
	struct netns *ns;
	struct loop_task task;
	uint32_t daddr;
	unsigned n, window;	/* connections to make, connects in flight at most */
	unsigned started, established, failed;
	bool cps;		/* close each as soon as it is up */
	struct sock **sk;	/* --conns: every connection, kept */
	struct sock *up;	/* --cps: the one to close next */
	struct sock *pending;	/* --cps: the one connecting (window 1) */
	bool queued;		/* the task, as last seen on the owner */
	int err;
};

static void tcpb_cli_connected(struct sock *sk, int err, void *ctx)
{
	struct tcpb_cli *cl = ctx;

	if (err) {
		cl->failed++;
		if (!cl->err)
			cl->err = err;
	} else {
		cl->established++;
	}
	if (cl->cps) {
		cl->up = sk;
		cl->pending = NULL;
	}
	/* Close (--cps) and connect again from the task, not from inside
	 * TCP's input path that called us. */
	loop_task_wake(cl->w, &cl->task);
}

static const struct sock_ops tcpb_cli_ops = { .connected = tcpb_cli_connected };

/* Connect one more; false when there is nothing more to do. */
static bool tcpb_cli_connect_one(struct tcpb_cli *cl)
{
	struct sock *sk;
	int err;

	if (cl->err || cl->started == cl->n)
		return false;
	err = sock_create(cl->ns, AF_INET, SOCK_STREAM, 0, &tcpb_cli_ops, cl, &sk);
	if (!err)
		err = sock_connect(sk, cl->daddr, TCPB_PORT);
	if (err != -EINPROGRESS) {
		cl->err = err ? err : -EPROTO;
		sock_close(sk);
		return false;
	}
	if (cl->sk)
		cl->sk[cl->started] = sk;
	else
		cl->pending = sk;
	cl->started++;
	return true;
}

static void tcpb_cli_run(void *arg)
{
	struct tcpb_cli *cl = arg;

	if (cl->up) {
		sock_close(cl->up);
		cl->up = NULL;
	}
	while (cl->started - cl->established - cl->failed < cl->window &&
	       tcpb_cli_connect_one(cl))
		;
}

static void tcpb_cli_start_fn(struct netns *ns, void *arg)
{
	struct tcpb_cli *cl = arg;

	cl->w = loop_current();
	cl->ns = ns;
	loop_task_init(&cl->task, tcpb_cli_run, cl);
	tcpb_cli_run(cl);
}

/* Close everything; the task may still be queued (tcpb_cli_stop waits). */
static void tcpb_cli_close_fn(void *arg)
{
	struct tcpb_cli *cl = arg;

	cl->n = cl->started; /* no more */
	sock_close(cl->up);
	sock_close(cl->pending);
	cl->up = cl->pending = NULL;
	for (unsigned i = 0; cl->sk && i < cl->started; i++) {
		sock_close(cl->sk[i]);
		cl->sk[i] = NULL;
	}
	cl->queued = atomic_load(&cl->task.queued);
}

static void tcpb_cli_queued_fn(void *arg)
{
	struct tcpb_cli *cl = arg;

	cl->queued = atomic_load(&cl->task.queued);
}

static void tcpb_sleep_ms(unsigned ms);

/* Close the client's sockets and wait until its task can no longer run:
 * then @cl may be freed. */
static void tcpb_cli_stop(struct tcpb_cli *cl)
{
	loop_call_sync(cl->w, tcpb_cli_close_fn, cl);
	while (cl->queued) {
		tcpb_sleep_ms(1);
		loop_call_sync(cl->w, tcpb_cli_queued_fn, cl);
	}
}

/* ---------------- --conns and --cps: the server (b's owner) ---------------- */

struct tcpb_srv {
	struct worker *w;
	struct sock *lsk;
	uint32_t addr;
	unsigned n, accepted, closed;
	struct sock **sk;	/* --conns: every accepted connection */
	struct sock **open;	/* --cps: accepted, not yet closed (their ctx is us) */
	unsigned nopen, open_cap;
	uint64_t t_done;	/* --cps: when the last one was closed */
	bool cps;
	int err;
	uint8_t buf[256];
};

/* --cps: read to the end of stream, then close. */
static void tcpb_srv_readable(struct sock *sk, void *ctx)
{
	struct tcpb_srv *sv = ctx;
	int r;

	while ((r = sock_recv(sk, sv->buf, sizeof(sv->buf))) > 0)
		;
	if (r == -EAGAIN)
		return;
	/* out of the open set (a few: the client makes one at a time) */
	for (unsigned i = sv->nopen; i--;) {
		if (sv->open[i] == sk) {
			sv->open[i] = sv->open[--sv->nopen];
			break;
		}
	}
	sock_close(sk);
	if (++sv->closed == sv->n)
		sv->t_done = bench_now_ns();
}

static const struct sock_ops tcpb_srv_child_ops = { .readable = tcpb_srv_readable };

static void tcpb_srv_accept(struct sock *lsk, struct sock *newsk, void *ctx)
{
	struct tcpb_srv *sv = ctx;

	if (sv->cps) {
		if (sv->nopen == sv->open_cap) {
			unsigned cap = sv->open_cap ? 2 * sv->open_cap : 64;
			struct sock **o = realloc(sv->open, cap * sizeof(*o));

			if (!o) {
				sock_close(newsk);
				sv->err = -ENOMEM;
				return;
			}
			sv->open = o;
			sv->open_cap = cap;
		}
		sv->open[sv->nopen++] = newsk;
		sock_set_cb(newsk, &tcpb_srv_child_ops, sv);
	} else if (sv->accepted < sv->n) {
		sv->sk[sv->accepted] = newsk;
	} else {
		sock_close(newsk);
		return;
	}
	sv->accepted++;
}

static const struct sock_ops tcpb_srv_ops = { .accept = tcpb_srv_accept };

static void tcpb_srv_start_fn(struct netns *ns, void *arg)
{
	struct tcpb_srv *sv = arg;

	sv->w = loop_current();
	sv->err = tcpb_listen(ns, sv->addr, &tcpb_srv_ops, sv, &sv->lsk);
}

static void tcpb_srv_close_fn(void *arg)
{
	struct tcpb_srv *sv = arg;

	for (unsigned i = 0; sv->sk && i < MIN(sv->accepted, sv->n); i++) {
		sock_close(sv->sk[i]);
		sv->sk[i] = NULL;
	}
	while (sv->nopen)
		sock_close(sv->open[--sv->nopen]);
	free(sv->open);
	sv->open = NULL;
	sock_close(sv->lsk);
	sv->lsk = NULL;
}

/* ---------------- counters ---------------- */

/* A copy of a namespace's MIB, taken on its owner. */
static void tcpb_mib_fn(struct netns *ns, void *arg)
{
	memcpy(arg, ns->mib, sizeof(ns->mib));
}

static int tcpb_mib(const char *ns, uint64_t mib[MIB_MAX])
{
	return rtnl_ns_call_sync(ns, tcpb_mib_fn, mib);
}

/* Read a struct's fields on its owner: a plain copy, taken there. */
struct tcpb_copy {
	const void *src;
	void *dst;
	size_t len;
};

static void tcpb_copy_fn(void *arg)
{
	struct tcpb_copy *c = arg;

	memcpy(c->dst, c->src, c->len);
}

static void tcpb_snapshot(struct worker *w, const void *src, void *dst, size_t len)
{
	struct tcpb_copy c = { src, dst, len };

	loop_call_sync(w, tcpb_copy_fn, &c);
}

static void tcpb_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static bool tcpb_interrupted(const struct cli_ctx *c)
{
	return c->interrupt && *c->interrupt;
}

/* ---------------- options ---------------- */

static int tcpb_parse(struct cli_ctx *c, int argc, char **argv, struct tcpb_opts *o)
{
	uint64_t v;
	bool conns_set = false, streams_set = false;

	*o = (struct tcpb_opts){ .workers = 1, .clients = 1, .streams = 1, .seconds = 2 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			o->json = true;
			takes = false;
		} else if (!strcmp(a, "--cps")) {
			o->mode = TCPB_CPS;
			takes = false;
		} else if (!val && !strncmp(a, "--", 2)) {
			fprintf(c->err, "bench: option \"%s\" needs a value\n", a);
			return -EINVAL;
		} else if (!strcmp(a, "--routers")) {
			if (bench_get_u64(c, a, val, 0, TCPB_MAX_ROUTERS, &v))
				return -EINVAL;
			o->routers = (unsigned)v;
		} else if (!strcmp(a, "--workers")) {
			if (bench_get_u64(c, a, val, 1, 254, &v))
				return -EINVAL;
			o->workers = (unsigned)v;
		} else if (!strcmp(a, "--streams")) {
			if (bench_get_u64(c, a, val, 1, TCPB_MAX_STREAMS, &v))
				return -EINVAL;
			o->streams = (unsigned)v;
			streams_set = true;
		} else if (!strcmp(a, "--seconds")) {
			if (bench_get_double(c, a, val, 0.01, 86400, &o->seconds))
				return -EINVAL;
			o->seconds_set = true;
		} else if (!strcmp(a, "--bytes")) {
			if (bench_get_u64(c, a, val, 1, UINT64_MAX / 2, &o->bytes))
				return -EINVAL;
		} else if (!strcmp(a, "--conns")) {
			if (bench_get_u64(c, a, val, 1, TCPB_MAX_CLIENTS * TCPB_MAX_CONNS, &v))
				return -EINVAL;
			o->conns = (unsigned)v;
			conns_set = true;
		} else {
			fprintf(c->err, "bench: unknown option \"%s\", try \"bench help\"\n", a);
			return -EINVAL;
		}
		if (takes)
			i++;
	}
	if (o->bytes && o->seconds_set) {
		fprintf(c->err, "bench: --seconds and --bytes do not go together\n");
		return -EINVAL;
	}
	if (o->mode == TCPB_CPS) {
		if (o->bytes) {
			fprintf(c->err, "bench: --bytes is for a transfer, not --cps\n");
			return -EINVAL;
		}
		/* --cps: until --seconds, or --conns N are done (at most
		 * a client namespace's ports: each waits in TIME-WAIT) */
		if (!conns_set)
			o->conns = TCPB_MAX_CONNS;
	} else if (conns_set) {
		if (o->bytes || o->seconds_set) {
			fprintf(c->err, "bench: --conns opens idle connections: no --seconds or --bytes\n");
			return -EINVAL;
		}
		o->mode = TCPB_CONNS;
		o->clients = (o->conns + TCPB_MAX_CONNS - 1) / TCPB_MAX_CONNS;
	}
	if (streams_set && o->mode != TCPB_BULK) {
		fprintf(c->err, "bench: --streams is for a transfer, not --conns or --cps\n");
		return -EINVAL;
	}
	if (o->bytes && o->bytes < o->streams) {
		fprintf(c->err, "bench: --bytes %" PRIu64 " is less than a byte per stream\n", o->bytes);
		return -EINVAL;
	}
	if (o->mode == TCPB_CPS && o->conns > TCPB_MAX_CONNS) {
		fprintf(c->err, "bench: --cps makes at most %u connections (a client's ports, each "
			"held in TIME-WAIT)\n", TCPB_MAX_CONNS);
		return -EINVAL;
	}
	if (o->clients > 1 && o->routers) {
		fprintf(c->err, "bench: --conns above %u takes more client namespaces, on the veth "
			"pair only (no --routers)\n", TCPB_MAX_CONNS);
		return -EINVAL;
	}
	if (o->workers > loop_nworkers()) {
		fprintf(c->err, "bench: --workers %u but nsemu runs %u worker thread%s (start it with -t %u)\n",
			o->workers, loop_nworkers(), loop_nworkers() == 1 ? "" : "s", o->workers);
		return -EINVAL;
	}
	if (o->workers > o->routers + o->clients + 1) {
		fprintf(c->err, "bench: --workers %u needs at least %u routers (--routers)\n", o->workers,
			o->workers - 1 - o->clients);
		return -EINVAL;
	}
	return 0;
}

/* ---------------- the chain ---------------- */

/* Node i: a, the routers, b, then the extra clients a2, a3... */
static void tcpb_node_name(char *buf, size_t len, unsigned i, unsigned routers)
{
	if (i == 0)
		snprintf(buf, len, "btcp-a");
	else if (i == routers + 1)
		snprintf(buf, len, "btcp-b");
	else if (i > routers + 1)
		snprintf(buf, len, "btcp-a%u", i - routers);
	else
		snprintf(buf, len, "btcp-r%u", i);
}

/* Client k's namespace (0: a) and the address of b it connects to. */
static uint32_t tcpb_client(const struct tcpb_opts *o, unsigned k, char *buf, size_t len)
{
	tcpb_node_name(buf, len, k ? o->routers + 1 + k : 0, o->routers);
	return htonl(k ? 0x0acc0002u | (k << 8) : 0x0aca0002u | (o->routers << 8));
}

/* Extra client k (1..): a veth pair east (in it) - west<k> (in b),
 * 10.204.k.0/24, permanent neighbours, a default route to b. */
static int tcpb_client_link(struct cli_ctx *c, struct bench_cli *b, const struct tcpb_opts *o,
			    unsigned k)
{
	char a[32], z[32];

	tcpb_client(o, k, a, sizeof(a));
	tcpb_node_name(z, sizeof(z), o->routers + 1, o->routers);
	return bench_run(c, b, "ip link add east netns %s type veth peer name west%u netns %s", a,
			 k, z) ||
	       bench_run(c, b, "ip -n %s link set east address 02:bc:01:00:%02x:01", a, k) ||
	       bench_run(c, b, "ip -n %s link set west%u address 02:bc:01:00:%02x:02", z, k, k) ||
	       bench_run(c, b, "ip -n %s addr add 10.204.%u.1/24 dev east", a, k) ||
	       bench_run(c, b, "ip -n %s addr add 10.204.%u.2/24 dev west%u", z, k, k) ||
	       bench_run(c, b, "ip -n %s link set east up", a) ||
	       bench_run(c, b, "ip -n %s link set west%u up", z, k) ||
	       bench_run(c, b,
			 "ip -n %s neigh add 10.204.%u.2 lladdr 02:bc:01:00:%02x:02 dev east "
			 "nud permanent",
			 a, k, k) ||
	       bench_run(c, b,
			 "ip -n %s neigh add 10.204.%u.1 lladdr 02:bc:01:00:%02x:01 dev west%u "
			 "nud permanent",
			 z, k, k, k) ||
	       bench_run(c, b, "ip -n %s route add default via 10.204.%u.2", a, k)
		       ? -EINVAL
		       : 0;
}

/*
 * Link i (node i's "east" to node i+1's "west") is 10.202.i.0/24, .1 and
 * .2, with fixed MACs and permanent neighbours both ways (no ARP while
 * measuring). Every node but b routes by default toward b; every node
 * past the first router routes a's link, 10.202.0.0/24, back west. Node i
 * goes to worker i * W / nodes, as `bench fwd` places them (the extra
 * clients of a large --conns come last).
 */
static int tcpb_chain_build(struct cli_ctx *c, struct bench_cli *b, const struct tcpb_opts *o,
			    unsigned *created)
{
	unsigned nodes = o->routers + 1 + o->clients, i;
	char a[32], z[32];

	for (i = 0; i < nodes; i++) {
		tcpb_node_name(a, sizeof(a), i, o->routers);
		if (bench_run(c, b, "ip netns add %s thread %u", a,
			      (unsigned)((uint64_t)i * o->workers / nodes)))
			return -EINVAL;
		(*created)++;
		if (i > 0 && i <= o->routers &&
		    bench_run(c, b, "ip netns exec %s sysctl -q -w net.ipv4.ip_forward=1", a))
			return -EINVAL;
	}
	for (i = 1; i < o->clients; i++)
		if (tcpb_client_link(c, b, o, i))
			return -EINVAL;
	for (i = 0; i < o->routers + 1; i++) {
		tcpb_node_name(a, sizeof(a), i, o->routers);
		tcpb_node_name(z, sizeof(z), i + 1, o->routers);
		if (bench_run(c, b, "ip link add east netns %s type veth peer name west netns %s", a,
			      z) ||
		    bench_run(c, b, "ip -n %s link set east address 02:bc:00:%02x:%02x:01", a, i >> 8,
			      i & 255) ||
		    bench_run(c, b, "ip -n %s link set west address 02:bc:00:%02x:%02x:02", z, i >> 8,
			      i & 255) ||
		    bench_run(c, b, "ip -n %s addr add 10.202.%u.1/24 dev east", a, i) ||
		    bench_run(c, b, "ip -n %s addr add 10.202.%u.2/24 dev west", z, i) ||
		    bench_run(c, b, "ip -n %s link set east up", a) ||
		    bench_run(c, b, "ip -n %s link set west up", z) ||
		    bench_run(c, b,
			      "ip -n %s neigh add 10.202.%u.2 lladdr 02:bc:00:%02x:%02x:02 dev east "
			      "nud permanent",
			      a, i, i >> 8, i & 255) ||
		    bench_run(c, b,
			      "ip -n %s neigh add 10.202.%u.1 lladdr 02:bc:00:%02x:%02x:01 dev west "
			      "nud permanent",
			      z, i, i >> 8, i & 255) ||
		    bench_run(c, b, "ip -n %s route add default via 10.202.%u.2", a, i) ||
		    (i > 0 && bench_run(c, b, "ip -n %s route add 10.202.0.0/24 via 10.202.%u.1", z, i)))
			return -EINVAL;
	}
	/* b's way back: its only link is the last one, so a default */
	tcpb_node_name(z, sizeof(z), o->routers + 1, o->routers);
	if (o->routers == 0)
		return 0; /* a and b share the link */
	return bench_run(c, b, "ip -n %s route add default via 10.202.%u.1", z, o->routers) ? -EINVAL
											       : 0;
}

static void tcpb_chain_delete(struct cli_ctx *c, struct bench_cli *b, const struct tcpb_opts *o,
			      unsigned created)
{
	char a[32];

	for (unsigned i = 0; i < created; i++) {
		tcpb_node_name(a, sizeof(a), i, o->routers);
		bench_run(c, b, "ip netns del %s", a);
	}
}

/* Drop counters of every namespace of the chain, added up. */
static int tcpb_drops(struct cli_ctx *c, const struct tcpb_opts *o, uint64_t drops[DROP_MAX])
{
	char a[32];
	int err = 0;

	memset(drops, 0, sizeof(uint64_t) * DROP_MAX);
	for (unsigned i = 0; i < o->routers + 2 && !err; i++) {
		tcpb_node_name(a, sizeof(a), i, o->routers);
		err = bench_drops_add(c, a, drops);
	}
	return err;
}

static void tcpb_print_drops(const uint64_t *d0, const uint64_t *d1)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < DROP_MAX; i++)
		total += d1[i] - d0[i];
	print_u64(PRINT_ANY, "dropped", "packets dropped: %" PRIu64 "\n", total);
	open_json_object("drops");
	for (unsigned i = 0; i < DROP_MAX; i++) {
		if (d1[i] == d0[i])
			continue;
		print_text("  dropped %s: %" PRIu64 " (%s)\n", drop_reason_names[i], d1[i] - d0[i],
			   drop_reason_text[i]);
		print_u64(PRINT_JSON, drop_reason_names[i], NULL, d1[i] - d0[i]);
	}
	close_json_object();
}

static void tcpb_print_head(const struct tcpb_opts *o, const char *what, double secs)
{
	print_text("--- bench tcp: %s, ", what);
	if (o->routers)
		print_text("%u router%s, ", o->routers, o->routers == 1 ? "" : "s");
	else
		print_text("one veth pair, ");
	print_text("%u worker%s, %.2f s ---\n", o->workers, o->workers == 1 ? "" : "s", secs);
	print_string(PRINT_JSON, "mode", NULL,
		     o->mode == TCPB_BULK ? "bulk" : o->mode == TCPB_CONNS ? "conns" : "cps");
	print_uint(PRINT_JSON, "routers", NULL, o->routers);
	print_uint(PRINT_JSON, "workers", NULL, o->workers);
	print_float(PRINT_JSON, "seconds", NULL, secs);
}

/* CPU time of each worker thread (CLOCK_THREAD_CPUTIME_ID, read on it):
 * what the work cost, polling included. Not loop_stats' busy time, which a
 * worker adds up when a drain of its queues ends: under a transfer that
 * keeps the queues full one drain lasts a second or more. */
static void tcpb_cpu_fn(void *arg)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	*(uint64_t *)arg = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void tcpb_cpu_snapshot(uint64_t *cpu)
{
	for (unsigned i = 0; i < loop_nworkers(); i++)
		loop_call_sync(loop_worker(i), tcpb_cpu_fn, &cpu[i]);
}

/* CPU time of every worker since @cpu0 (ns), into @cpu; the total. */
static uint64_t tcpb_cpu_since(const uint64_t *cpu0, uint64_t *cpu)
{
	uint64_t total = 0;

	tcpb_cpu_snapshot(cpu);
	for (unsigned i = 0; i < loop_nworkers(); i++) {
		cpu[i] -= cpu0[i];
		total += cpu[i];
	}
	return total;
}

static void tcpb_print_cpu(const uint64_t *cpu, double secs)
{
	open_json_array(PRINT_JSON, "cpu");
	for (unsigned i = 0; i < loop_nworkers(); i++) {
		double share = secs > 0 ? MIN((double)cpu[i] / (secs * 1e9), 1.0) : 0;

		open_json_object(NULL);
		print_uint(PRINT_ANY, "thread", "thread %u: ", i);
		print_float(PRINT_JSON, "share", NULL, share);
		print_float(PRINT_FP, NULL, "cpu %.1f%%\n", 100 * share);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
}

/* ---------------- bulk ---------------- */

static void tcpb_interval(struct cli_ctx *c, double t0, double t1, uint64_t bytes)
{
	char t[40];

	if (t1 <= t0)
		return;
	snprintf(t, sizeof(t), "%.2f-%.2f s", t0, t1);
	fprintf(c->out, "%-15s %10.2f MBytes %10.2f Gbit/s\n", t, (double)bytes / 1048576,
		(double)bytes * 8 / (t1 - t0) / 1e9);
	fflush(c->out);
}

static int tcpb_bulk(struct cli_ctx *c, const struct tcpb_opts *o, const uint8_t *pat)
{
	char a[32], bname[32];
	struct tcpb_rxl l = { .n = o->streams };
	struct tcpb_txs t = { .n = o->streams };
	struct tcpb_rsum rs;
	struct tcpb_tsum ts;
	uint64_t *mib0 = calloc(2 * MIB_MAX, sizeof(uint64_t)), *mib1 = calloc(2 * MIB_MAX, 8);
	uint64_t *cpu0 = calloc(loop_nworkers(), 8), *cpus = calloc(loop_nworkers(), 8);
	uint64_t t_start, t_end, next, last, last_bytes = 0, progress_t, progress_bytes = 0;
	uint64_t cpu = 0, stop_at, drops0[DROP_MAX], drops1[DROP_MAX];
	double secs;
	int err = -ENOMEM;

	tcpb_node_name(a, sizeof(a), 0, o->routers);
	tcpb_node_name(bname, sizeof(bname), o->routers + 1, o->routers);
	l.rx = calloc(o->streams, sizeof(*l.rx));
	t.tx = calloc(o->streams, sizeof(*t.tx));
	if (!l.rx || !t.tx || !mib0 || !mib1 || !cpu0 || !cpus) {
		fprintf(c->err, "bench: out of memory\n");
		goto out;
	}
	l.addr = htonl(0x0aca0002u | (o->routers << 8)); /* 10.202.N.2 */
	for (unsigned i = 0; i < o->streams; i++) {
		/* --bytes shared out, the first streams one more */
		uint64_t share = o->bytes / o->streams + (i < o->bytes % o->streams);

		l.rx[i].pat = t.tx[i].pat = pat;
		t.tx[i].daddr = l.addr;
		l.rx[i].limit = t.tx[i].limit = share;
	}
	if ((err = tcpb_mib(a, mib0)) || (err = tcpb_mib(bname, mib0 + MIB_MAX)) ||
	    (err = tcpb_drops(c, o, drops0)))
		goto out;
	if ((err = rtnl_ns_call_sync(bname, tcpb_rxl_start_fn, &l)) || (err = l.err)) {
		fprintf(c->err, "bench: cannot listen on port %u in \"%s\": %s\n", TCPB_PORT, bname,
			strerror(-err));
		goto out;
	}
	tcpb_cpu_snapshot(cpu0);
	t_start = bench_now_ns();
	if ((err = rtnl_ns_call_sync(a, tcpb_txs_start_fn, &t)) || (err = t.err)) {
		fprintf(c->err, "bench: cannot connect from \"%s\": %s\n", a, strerror(-err));
		goto out;
	}

	/* Wait for the connection, then run: an interval line a second. */
	for (;;) {
		tcpb_tx_read(&t, &ts);
		if (ts.connected || ts.err)
			break;
		if (bench_now_ns() - t_start > TCPB_STALL_NS || tcpb_interrupted(c)) {
			ts.err = -ETIMEDOUT;
			break;
		}
		tcpb_sleep_ms(1);
	}
	if (ts.err) {
		err = ts.err;
		fprintf(c->err, "bench: connect from \"%s\" failed: %s\n", a, strerror(-err));
		goto out;
	}
	if (!o->json)
		fprintf(c->out, "%-15s %17s %17s\n", "Interval", "Transfer", "Bitrate");
	last = progress_t = ts.t_conn;
	next = last + 1000000000ull;
	stop_at = o->bytes ? UINT64_MAX : ts.t_conn + (uint64_t)(o->seconds * 1e9);
	for (;;) {
		uint64_t now = bench_now_ns();

		if (now < MIN(next, stop_at))
			tcpb_sleep_ms((unsigned)MIN((MIN(next, stop_at) - now + 999999) / 1000000, 5));
		now = bench_now_ns();
		tcpb_rx_read(&l, &rs);
		tcpb_tx_read(&t, &ts);
		if (rs.bytes != progress_bytes) {
			progress_bytes = rs.bytes;
			progress_t = now;
		}
		if (now >= next || now >= stop_at || rs.t_done) {
			if (!o->json && now > last + 1000000)
				tcpb_interval(c, (double)(last - ts.t_conn) / 1e9,
					      (double)(now - ts.t_conn) / 1e9, rs.bytes - last_bytes);
			last = now;
			last_bytes = rs.bytes;
			next = now + 1000000000ull;
		}
		if (now >= stop_at || rs.t_done)
			break;
		if (rs.err || ts.err || rs.gone || ts.gone || rs.eof) {
			fprintf(c->err, "bench: the transfer ended after %" PRIu64 " bytes: %s\n",
				rs.bytes, strerror(-(rs.err ? rs.err : ts.err ? ts.err : -EPIPE)));
			err = -EIO;
			goto out;
		}
		if (now - progress_t > TCPB_STALL_NS || tcpb_interrupted(c)) {
			fprintf(c->err, "bench: %s after %" PRIu64 " bytes received (%" PRIu64
				" sent)\n", tcpb_interrupted(c) ? "interrupted" : "the transfer stalled",
				rs.bytes, ts.sent);
			err = tcpb_interrupted(c) ? -EINTR : -EIO;
			goto out;
		}
	}
	/* The figures at the end: bytes delivered to the receiver. */
	loop_call_sync(t.w, tcpb_txs_stop_fn, &t);
	t_end = rs.t_done ? rs.t_done : bench_now_ns();
	cpu = tcpb_cpu_since(cpu0, cpus);
	tcpb_rx_read(&l, &rs);
	tcpb_tx_read(&t, &ts);
	if ((err = tcpb_mib(a, mib1)) || (err = tcpb_mib(bname, mib1 + MIB_MAX)) ||
	    (err = tcpb_drops(c, o, drops1)))
		goto out;
	secs = (double)(t_end - ts.t_conn) / 1e9;

	uint64_t out_segs = mib1[MIB_TcpOutSegs] - mib0[MIB_TcpOutSegs];
	uint64_t in_segs = mib1[MIB_MAX + MIB_TcpInSegs] - mib0[MIB_MAX + MIB_TcpInSegs];
	uint64_t retrans = mib1[MIB_TcpRetransSegs] - mib0[MIB_TcpRetransSegs];
	uint64_t bytes = o->bytes ? MIN(rs.bytes, o->bytes) : rs.bytes;
	double gbps = secs > 0 ? (double)bytes * 8 / secs / 1e9 : 0;

	new_json_obj(c->out, o->json, c->pretty);
	open_json_object(NULL);
	char what[32];

	snprintf(what, sizeof(what), "%u stream%s", o->streams, o->streams == 1 ? "" : "s");
	tcpb_print_head(o, what, secs);
	print_uint(PRINT_JSON, "streams", NULL, o->streams);
	print_u64(PRINT_ANY, "sent", "sent %" PRIu64 " bytes", ts.sent);
	print_u64(PRINT_ANY, "received", ", received %" PRIu64 " bytes", rs.bytes);
	print_u64(PRINT_ANY, "corrupt", ", %" PRIu64 " differing from what was sent\n", rs.bad);
	print_float(PRINT_ANY, "gbps", "throughput: %.2f Gbit/s", gbps);
	print_float(PRINT_ANY, "segs_per_second", ", %.0f segments/s",
		    secs > 0 ? (double)out_segs / secs : 0);
	print_text(" (sender's OutSegs %" PRIu64 ", receiver's InSegs %" PRIu64 ")\n", out_segs,
		   in_segs);
	print_u64(PRINT_JSON, "out_segs", NULL, out_segs);
	print_u64(PRINT_JSON, "in_segs", NULL, in_segs);
	print_float(PRINT_ANY, "bytes_per_seg", "data per segment: %.0f bytes\n",
		    out_segs ? (double)rs.bytes / (double)out_segs : 0);
	print_u64(PRINT_ANY, "retrans", "retransmitted: %" PRIu64 " segments (RetransSegs)\n",
		  retrans);
	tcpb_print_drops(drops0, drops1);
	print_float(PRINT_ANY, "cpu_ms_per_gb", "cpu: %.1f ms per GB (CPU time of all workers)\n",
		    bytes ? (double)cpu / 1e6 / ((double)bytes / 1e9) : 0);
	tcpb_print_cpu(cpus, secs);
	print_text("data: %s\n", rs.bad ? "CORRUPT (received bytes differ from the sent stream)"
				      : "ok (every byte received as sent)");
	print_bool(PRINT_JSON, "data_ok", NULL, !rs.bad);
	close_json_object();
	delete_json_obj();
	err = rs.bad ? -EIO : 0;
out:
	if (t.w)
		loop_call_sync(t.w, tcpb_txs_close_fn, &t);
	if (l.w)
		loop_call_sync(l.w, tcpb_rxl_stop_fn, &l);
	free(l.rx);
	free(t.tx);
	free(mib0);
	free(mib1);
	free(cpu0);
	free(cpus);
	return err;
}

/* ---------------- --conns and --cps ---------------- */

static void tcpb_print_mem(const char *key, const char *label, int64_t before, int64_t after,
			   unsigned n)
{
	open_json_object(key);
	if (before < 0 || after < 0) {
		print_text("%s: n/a (not the jemalloc build)\n", label);
		print_null(PRINT_JSON, "bytes_per_conn", NULL, NULL);
	} else {
		double per = n ? (double)(after - before) / n : 0;

		print_text("%s: %.1f MiB before, %.1f MiB after: %.0f bytes per connection "
			   "(%.0f per socket)\n",
			   label, before / 1048576.0, after / 1048576.0, per, per / 2);
		print_u64(PRINT_JSON, "before", NULL, (uint64_t)before);
		print_u64(PRINT_JSON, "after", NULL, (uint64_t)after);
		print_float(PRINT_JSON, "bytes_per_conn", NULL, per);
	}
	close_json_object();
}

/* The clients' counts added up, each read on its owner. */
struct tcpb_cli_sum {
	unsigned established;
	int err;
	unsigned failed_at; /* the connection that failed (its client's count) */
};

static void tcpb_cli_sum(struct tcpb_cli *cl, unsigned n, struct tcpb_cli_sum *sum)
{
	struct tcpb_cli cs;

	memset(sum, 0, sizeof(*sum));
	for (unsigned k = 0; k < n; k++) {
		tcpb_snapshot(cl[k].w, &cl[k], &cs, sizeof(cs));
		sum->established += cs.established;
		if (cs.err && !sum->err) {
			sum->err = cs.err;
			sum->failed_at = cs.established + cs.failed;
		}
	}
}

/* Both ends' TCP counters: the clients' added up, the server's. */
static int tcpb_conns_mib(const struct tcpb_opts *o, uint64_t *mib_a, uint64_t *mib_b)
{
	uint64_t m[MIB_MAX];
	char name[32];
	int err;

	memset(mib_a, 0, sizeof(m));
	for (unsigned k = 0; k < o->clients; k++) {
		tcpb_client(o, k, name, sizeof(name));
		if ((err = tcpb_mib(name, m)))
			return err;
		for (unsigned f = 0; f < MIB_MAX; f++)
			mib_a[f] += m[f];
	}
	tcpb_node_name(name, sizeof(name), o->routers + 1, o->routers);
	return tcpb_mib(name, mib_b);
}

static int tcpb_conns(struct cli_ctx *c, struct bench_cli *b, const struct tcpb_opts *o)
{
	char a[32], bname[32];
	struct tcpb_cli *cl = calloc(o->clients, sizeof(*cl));
	struct tcpb_srv *sv = calloc(1, sizeof(*sv)), ss;
	struct tcpb_cli_sum cs;
	uint64_t *cpu0 = calloc(loop_nworkers(), 8), *cpus = calloc(loop_nworkers(), 8);
	uint64_t mib_a[MIB_MAX], mib_b[MIB_MAX];
	uint64_t t_start, t_end, stop_at, progress_t, rss0 = 0, rss1 = 0;
	int64_t al0 = -1, al1 = -1;
	unsigned progress = 0, k;
	bool cps = o->mode == TCPB_CPS;
	double secs;
	int err = -ENOMEM;

	tcpb_node_name(bname, sizeof(bname), o->routers + 1, o->routers);
	if (!cl || !sv || !cpu0 || !cpus)
		goto nomem;
	if (!cps && !(sv->sk = calloc(o->conns, sizeof(*sv->sk))))
		goto nomem;
	for (k = 0; k < o->clients; k++) {
		/* the connections shared out, the first clients one more */
		cl[k].n = o->conns / o->clients + (k < o->conns % o->clients);
		cl[k].daddr = tcpb_client(o, k, a, sizeof(a));
		cl[k].cps = cps;
		cl[k].window = cps ? 1 : TCPB_WINDOW;
		if (!cps && !(cl[k].sk = calloc(cl[k].n, sizeof(*cl[k].sk))))
			goto nomem;
		/* the client's ports: room for all of its connections
		 * (TIME-WAIT too) */
		if (bench_run(c, b,
			      "ip netns exec %s sysctl -q -w net.ipv4.ip_local_port_range=\"%u %u\"", a,
			      TCPB_PORT_LO, TCPB_PORT_HI)) {
			err = -EINVAL;
			goto out;
		}
	}
	sv->addr = 0; /* every client reaches b on its own link */
	sv->n = o->conns;
	sv->cps = cps;
	if ((err = rtnl_ns_call_sync(bname, tcpb_srv_start_fn, sv)) || (err = sv->err)) {
		fprintf(c->err, "bench: cannot listen on port %u in \"%s\": %s\n", TCPB_PORT, bname,
			strerror(-err));
		goto out;
	}
	rss0 = mem_rss();
	al0 = mem_allocated();
	tcpb_cpu_snapshot(cpu0);
	t_start = progress_t = bench_now_ns();
	stop_at = cps ? t_start + (uint64_t)(o->seconds * 1e9) : UINT64_MAX;
	for (k = 0; k < o->clients; k++) {
		tcpb_client(o, k, a, sizeof(a));
		if ((err = rtnl_ns_call_sync(a, tcpb_cli_start_fn, &cl[k])))
			goto out;
	}
	for (;;) {
		uint64_t now;

		tcpb_sleep_ms(cps ? 1 : 5);
		now = bench_now_ns();
		tcpb_cli_sum(cl, o->clients, &cs);
		tcpb_snapshot(sv->w, sv, &ss, offsetof(struct tcpb_srv, buf));
		if (cs.err) {
			fprintf(c->err, "bench: a connection (#%u of its client) failed: %s\n",
				cs.failed_at, strerror(-cs.err));
			err = cs.err;
			goto out;
		}
		if (ss.err) {
			fprintf(c->err, "bench: the server in \"%s\" failed: %s\n", bname,
				strerror(-ss.err));
			err = ss.err;
			goto out;
		}
		if (cps ? ss.closed == o->conns : ss.accepted == o->conns &&
							  cs.established == o->conns) {
			t_end = cps ? ss.t_done : now;
			break;
		}
		if (now >= stop_at) {
			/* --cps --seconds: stop connecting; count what the
			 * server has finished */
			t_end = now;
			break;
		}
		if ((cps ? ss.closed : ss.accepted) != progress) {
			progress = cps ? ss.closed : ss.accepted;
			progress_t = now;
		}
		if (now - progress_t > TCPB_STALL_NS || tcpb_interrupted(c)) {
			fprintf(c->err, "bench: %s: %u of %u connections %s\n",
				tcpb_interrupted(c) ? "interrupted" : "stalled",
				cps ? ss.closed : ss.accepted, o->conns, cps ? "done" : "accepted");
			err = tcpb_interrupted(c) ? -EINTR : -EIO;
			goto out;
		}
	}
	tcpb_cpu_since(cpu0, cpus);
	/* the memory of N idle connections, both ends, before any closes */
	rss1 = mem_rss();
	al1 = mem_allocated();
	if ((err = tcpb_conns_mib(o, mib_a, mib_b)))
		goto out;
	secs = (double)(t_end - t_start) / 1e9;

	new_json_obj(c->out, o->json, c->pretty);
	open_json_object(NULL);
	if (cps) {
		unsigned done = ss.closed;

		tcpb_print_head(o, "connect, accept, close, one at a time", secs);
		print_uint(PRINT_ANY, "conns", "%u connections", done);
		print_float(PRINT_ANY, "conns_per_second", ": %.0f connections/s\n",
			    secs > 0 ? done / secs : 0);
	} else {
		tcpb_print_head(o, "idle connections", secs);
		print_uint(PRINT_ANY, "conns", "%u connections established", o->conns);
		print_float(PRINT_FP, NULL, " in %.3f s", secs);
		print_float(PRINT_ANY, "open_per_second", " (%.0f/s", secs > 0 ? o->conns / secs : 0);
		print_uint(PRINT_ANY, "clients", ", from %u client namespace", o->clients);
		print_text("%s, %u connects in flight each)\n", o->clients == 1 ? "" : "s",
			   TCPB_WINDOW);
		tcpb_print_mem("allocated", "allocated (jemalloc stats.allocated)", al0, al1,
			       o->conns);
		tcpb_print_mem("rss", "RSS", rss0 ? (int64_t)rss0 : -1,
			       rss0 ? (int64_t)rss1 : -1, o->conns);
	}
	print_u64(PRINT_ANY, "client_established", "client CurrEstab %" PRIu64,
		  mib_a[MIB_TcpCurrEstab]);
	print_u64(PRINT_ANY, "client_active_opens", ", ActiveOpens %" PRIu64,
		  mib_a[MIB_TcpActiveOpens]);
	print_u64(PRINT_ANY, "server_established", "; server CurrEstab %" PRIu64,
		  mib_b[MIB_TcpCurrEstab]);
	print_u64(PRINT_ANY, "server_passive_opens", ", PassiveOpens %" PRIu64 "\n",
		  mib_b[MIB_TcpPassiveOpens]);
	tcpb_print_cpu(cpus, secs);
	close_json_object();
	delete_json_obj();
	err = 0;
	goto out;
nomem:
	fprintf(c->err, "bench: out of memory\n");
out:
	for (k = 0; cl && k < o->clients; k++) {
		if (cl[k].w)
			tcpb_cli_stop(&cl[k]);
		free(cl[k].sk);
	}
	if (sv && sv->w)
		loop_call_sync(sv->w, tcpb_srv_close_fn, sv);
	if (sv)
		free(sv->sk);
	free(cl);
	free(sv);
	free(cpu0);
	free(cpus);
	return err;
}

int bench_tcp(struct cli_ctx *c, int argc, char **argv)
{
	struct tcpb_opts o;
	struct bench_cli b;
	unsigned created = 0;
	uint8_t *pat = NULL;
	int err;

	if (tcpb_parse(c, argc, argv, &o))
		return -EINVAL;
	if (bench_cli_open(&b))
		return -ENOMEM;
	err = tcpb_chain_build(c, &b, &o, &created);
	if (err)
		goto out;
	if (o.mode == TCPB_BULK) {
		/* the stream: byte k is pattern[k % period]; one chunk more
		 * so that a chunk never wraps */
		pat = malloc(TCPB_PERIOD + TCPB_CHUNK);
		if (!pat) {
			err = -ENOMEM;
			goto out;
		}
		for (unsigned i = 0; i < TCPB_PERIOD + TCPB_CHUNK; i++) {
			unsigned k = i % TCPB_PERIOD;

			pat[i] = (uint8_t)(k * 131u + (k >> 8));
		}
		err = tcpb_bulk(c, &o, pat);
	} else {
		err = tcpb_conns(c, &b, &o);
	}
out:
	tcpb_chain_delete(c, &b, &o, created);
	bench_cli_close(&b);
	free(pat);
	return err;
}
