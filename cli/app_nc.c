// SPDX-License-Identifier: MIT
/*
 * nc, a subset of OpenBSD netcat's grammar over a TCP stream socket:
 *   nc [-vzN] [-w SECS] [-i FILE] [-o FILE] HOST PORT     connect
 *   nc -l [-v] [-i FILE] [-o FILE] [-p] PORT              accept one connection
 * A CLI has no standard input to offer the connection, so what nc sends
 * comes from -i FILE (nothing without it) and what arrives goes to -o FILE
 * (standard output without it). Once the file is sent nc shuts down its
 * write side (as OpenBSD nc -N); it ends when the peer has closed its
 * side and everything was sent. -z connects and closes at once (a port
 * check); -v prints what OpenBSD nc prints with -v (connection refused,
 * succeeded, listening, connection received), and only then, as nc does.
 * A trailing `&` runs it in the background (cli/app.h); `wait` waits.
 * The state machine runs on the namespace's owner worker; the files are
 * read and written there in chunks of NC_BUFSZ.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timer.h"
#include "netns/core/sock.h"
#include "app.h"
#include "cmd.h"

#define NC_BUFSZ 16384

struct nc {
	struct app *app;
	struct netns *ns;
	struct sock *lsk, *sk;
	struct timer timeout;	/* -w: connect timeout */
	uint32_t daddr;
	uint16_t port;
	char host[64];
	bool listen, zero, verbose;
	long wait_s;
	char in_path[4096], out_path[4096]; /* "": none */
	FILE *in, *out;
	bool in_eof, peer_eof, finished;
	unsigned buf_len, buf_off;
	uint8_t buf[NC_BUFSZ];
	uint8_t rbuf[NC_BUFSZ];
};

static void nc_finish(struct nc *n, int status)
{
	if (n->finished)
		return;
	n->finished = true;
	timer_del(&n->timeout);
	/* the file is complete before the peer sees our FIN */
	if (n->in)
		fclose(n->in);
	if (n->out)
		fclose(n->out);
	n->in = n->out = NULL;
	sock_close(n->sk);
	sock_close(n->lsk);
	n->sk = n->lsk = NULL;
	app_exit(n->app, status);
}

/* Everything sent and the peer closed its side: done. */
static void nc_maybe_done(struct nc *n)
{
	if (n->peer_eof && n->in_eof && n->buf_off == n->buf_len)
		nc_finish(n, 0);
}

/* Fill the send ring from -i until it is full or the file ends (then
 * shut down the write side). */
static void nc_pump_send(struct nc *n)
{
	while (!n->finished && !n->in_eof) {
		int r;

		if (n->buf_off == n->buf_len) {
			size_t got = fread(n->buf, 1, sizeof(n->buf), n->in);

			n->buf_off = 0;
			n->buf_len = (unsigned)got;
			if (!got) {
				n->in_eof = true;
				sock_shutdown(n->sk, SHUT_WR);
				break;
			}
		}
		r = sock_send(n->sk, n->buf + n->buf_off, n->buf_len - n->buf_off);
		if (r == -EAGAIN)
			return;
		if (r < 0) {
			app_eprintf(n->app, "nc: write failed: %s\n", strerror(-r));
			nc_finish(n, 1);
			return;
		}
		n->buf_off += (unsigned)r;
	}
	nc_maybe_done(n);
}

static void nc_readable(struct sock *sk, void *ctx)
{
	struct nc *n = ctx;
	int r;

	while (!n->finished && (r = sock_recv(sk, n->rbuf, sizeof(n->rbuf))) != -EAGAIN) {
		if (r == 0) {
			n->peer_eof = true;
			nc_maybe_done(n);
			return;
		}
		if (r < 0) {
			/* a reset peer ends nc quietly with status 1, as OpenBSD's */
			nc_finish(n, 1);
			return;
		}
		if (n->out)
			fwrite(n->rbuf, 1, (size_t)r, n->out);
		else
			app_printf(n->app, "%.*s", r, (const char *)n->rbuf);
	}
}

static void nc_writable(struct sock *sk, void *ctx)
{
	(void)sk;
	nc_pump_send(ctx);
}

static void nc_gone(struct sock *sk, void *ctx)
{
	struct nc *n = ctx;

	if (sk == n->sk)
		n->sk = NULL;
	if (sk == n->lsk)
		n->lsk = NULL;
	nc_finish(n, 1);
}

/* The connection is up (either side): start moving data. */
static void nc_established(struct nc *n)
{
	if (!n->in)
		n->in_eof = true; /* nothing to send; the write side stays open */
	nc_pump_send(n);
	if (!n->finished)
		nc_readable(n->sk, n);
}

static void nc_connected(struct sock *sk, int err, void *ctx)
{
	struct nc *n = ctx;
	struct servent *se;

	timer_del(&n->timeout);
	if (err) {
		if (n->verbose)
			app_eprintf(n->app, "nc: connect to %s port %u (tcp) failed: %s\n", n->host,
				    n->port, strerror(-err));
		nc_finish(n, 1);
		return;
	}
	if (n->verbose) {
		se = getservbyport(htons(n->port), "tcp");
		app_eprintf(n->app, "Connection to %s %u port [tcp/%s] succeeded!\n", n->host,
			    n->port, se ? se->s_name : "*");
	}
	if (n->zero) {
		nc_finish(n, 0);
		return;
	}
	(void)sk;
	nc_established(n);
}

static const struct sock_ops nc_sock_ops = {
	.readable = nc_readable,
	.writable = nc_writable,
	.connected = nc_connected,
	.gone = nc_gone,
};

static void nc_accept(struct sock *lsk, struct sock *newsk, void *ctx)
{
	struct nc *n = ctx;
	uint32_t addr;
	uint16_t port;
	char a[INET_ADDRSTRLEN];

	(void)lsk;
	if (n->sk) {
		sock_close(newsk); /* one connection only (no -k) */
		return;
	}
	n->sk = newsk;
	sock_set_cb(newsk, &nc_sock_ops, n);
	/* nc -l takes one connection: the listener goes */
	sock_close(n->lsk);
	n->lsk = NULL;
	if (n->verbose && !sock_getname(newsk, true, &addr, &port))
		app_eprintf(n->app, "Connection received on %s %u\n",
			    inet_ntop(AF_INET, &addr, a, sizeof(a)), port);
	nc_established(n);
}

static const struct sock_ops nc_listen_ops = {
	.accept = nc_accept,
	.gone = nc_gone,
};

static void nc_timeout(struct timer *t)
{
	struct nc *n = container_of(t, struct nc, timeout);

	if (n->verbose)
		app_eprintf(n->app, "nc: connect to %s port %u (tcp) failed: %s\n", n->host,
			    n->port, strerror(ETIMEDOUT));
	nc_finish(n, 1);
}

static void nc_start(struct app *a, struct netns *ns)
{
	struct nc *n = app_priv(a);
	int err;

	n->app = a;
	n->ns = ns;
	timer_init(&n->timeout, nc_timeout);
	if (n->in_path[0] && !(n->in = fopen(n->in_path, "rb"))) {
		app_eprintf(a, "nc: %s: %s\n", n->in_path, strerror(errno));
		nc_finish(n, 1);
		return;
	}
	if (n->out_path[0] && !(n->out = fopen(n->out_path, "wb"))) {
		app_eprintf(a, "nc: %s: %s\n", n->out_path, strerror(errno));
		nc_finish(n, 1);
		return;
	}
	if (n->listen) {
		err = sock_create(ns, AF_INET, SOCK_STREAM, IPPROTO_TCP, &nc_listen_ops, n, &n->lsk);
		if (!err) {
			sock_set_reuseaddr(n->lsk, true); /* OpenBSD nc sets SO_REUSEADDR */
			err = sock_bind(n->lsk, 0, n->port);
		}
		if (!err)
			err = sock_listen(n->lsk, 1);
		if (err) {
			app_eprintf(a, "nc: %s\n", err == -EADDRINUSE ? "Address already in use"
								: strerror(-err));
			nc_finish(n, 1);
			return;
		}
		if (n->verbose)
			app_eprintf(a, "Listening on 0.0.0.0 %u\n", n->port);
		return;
	}
	err = sock_create(ns, AF_INET, SOCK_STREAM, IPPROTO_TCP, &nc_sock_ops, n, &n->sk);
	if (!err)
		err = sock_connect(n->sk, n->daddr, n->port);
	if (err != -EINPROGRESS) {
		if (n->verbose || err != -ECONNREFUSED)
			app_eprintf(a, "nc: connect to %s port %u (tcp) failed: %s\n", n->host,
				    n->port, strerror(-err));
		nc_finish(n, 1);
		return;
	}
	if (n->wait_s)
		timer_mod(&n->timeout, loop_now() + (uint64_t)n->wait_s * NSEC_PER_SEC);
}

static void nc_stop(struct app *a)
{
	nc_finish(app_priv(a), 1);
}

static const struct app_ops nc_app_ops = {
	.name = "nc",
	.start = nc_start,
	.stop = nc_stop,
};

static void nc_usage(FILE *f)
{
	fprintf(f, "usage: nc [-vzN] [-w timeout] [-i file] [-o file] destination port\n"
		   "       nc -l [-v] [-i file] [-o file] [-p] port  [&]\n");
}

/* A port as nc takes it: 1-65535 (or a service name). */
static int nc_port(const char *s, uint16_t *port)
{
	struct servent *se;
	char *end;
	long v = strtol(s, &end, 10);

	if (*s && !*end && v >= 1 && v <= 65535) {
		*port = (uint16_t)v;
		return 0;
	}
	se = getservbyname(s, "tcp");
	if (!se)
		return -1;
	*port = ntohs((uint16_t)se->s_port);
	return 0;
}

struct app *nc_app_create(struct cli_ctx *c, int argc, char **argv, int *status, bool *bg)
{
	struct app_opt o;
	struct nc *n;
	const char *port_s = NULL, *in = NULL, *out = NULL;
	struct app *a;
	int ch;

	*bg = false;
	if (argc > 1 && !strcmp(argv[argc - 1], "&")) {
		*bg = true;
		argc--;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		fprintf(c->err, "nc: %s\n", strerror(ENOMEM));
		*status = 1;
		return NULL;
	}
	app_opt_init(&o, "nc", APP_OPT_IPUTILS, c->err, argc, argv);
	while ((ch = app_opt_next(&o, "lvzNp:w:i:o:h")) != -1) {
		long long v;

		switch (ch) {
		case 'l':
			n->listen = true;
			break;
		case 'v':
			n->verbose = true;
			break;
		case 'z':
			n->zero = true;
			break;
		case 'N':
			break; /* always: the write side is shut down after -i */
		case 'p':
			port_s = o.arg;
			break;
		case 'w':
			if (app_opt_num(&o, 1, 86400, &v))
				goto usage;
			n->wait_s = (long)v;
			break;
		case 'i':
			in = o.arg;
			break;
		case 'o':
			out = o.arg;
			break;
		default:
			goto usage;
		}
	}
	if (n->listen) {
		if (n->zero) {
			fprintf(c->err, "nc: cannot use -z and -l\n");
			goto usage_quiet;
		}
		if (!port_s && o.npos == 1)
			port_s = o.pos[0];
		else if (o.npos != 0 || !port_s)
			goto usage;
	} else {
		if (o.npos != 2 || port_s)
			goto usage;
		if (inet_pton(AF_INET, o.pos[0], &n->daddr) != 1) {
			fprintf(c->err, "nc: getaddrinfo for host \"%s\" port %s: Name or service not "
					"known\n", o.pos[0], o.pos[1]);
			goto usage_quiet;
		}
		snprintf(n->host, sizeof(n->host), "%s", o.pos[0]);
		port_s = o.pos[1];
	}
	if (nc_port(port_s, &n->port)) {
		fprintf(c->err, "nc: port number invalid: %s\n", port_s);
		goto usage_quiet;
	}
	/* copies: argv goes away before a background job ends */
	if ((in && strlen(in) >= sizeof(n->in_path)) || (out && strlen(out) >= sizeof(n->out_path))) {
		fprintf(c->err, "nc: %s\n", strerror(ENAMETOOLONG));
		goto usage_quiet;
	}
	snprintf(n->in_path, sizeof(n->in_path), "%s", in ? in : "");
	snprintf(n->out_path, sizeof(n->out_path), "%s", out ? out : "");
	a = app_create(&nc_app_ops, n);
	if (!a) {
		fprintf(c->err, "nc: %s\n", strerror(ENOMEM));
		goto usage_quiet;
	}
	return a;

usage:
	nc_usage(c->err);
usage_quiet:
	*status = 1;
	free(n);
	return NULL;
}

int cmd_nc(struct cli_ctx *c, int argc, char **argv)
{
	int status;
	bool bg;
	struct app *a = nc_app_create(c, argc, argv, &status, &bg);

	if (!a)
		return status;
	return bg ? app_run_background(c, a, "nc") : app_run(c, a);
}
