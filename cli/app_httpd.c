// SPDX-License-Identifier: MIT
/*
 * httpd: a static file server over the emulated TCP.
 *   httpd [-q] [-p PORT] [-d DIR] [-t SECS] [&]
 * HTTP/1.0 and 1.1, GET and HEAD, If-Modified-Since (304), persistent
 * connections (1.1 by default,
 * 1.0 with "Connection: keep-alive") with pipelined requests answered in
 * order. Files under DIR are streamed in HTTPD_CHUNK pieces as the send
 * buffer drains, never read whole. Errors as nginx/Apache answer them:
 * 400 (malformed), 403 (a ".." segment, a directory without index.html, an
 * unreadable file), 404, 405 (a method of RFC 9110 other than GET/HEAD,
 * with Allow), 408 (no complete request within -t SECS), 414 (request
 * line longer than HTTP_REQ_MAX), 431 (headers longer), 501 (unknown
 * method, Transfer-Encoding in a request), 505 (not HTTP/1.x). After
 * 400/408/414/431/501/505 the connection closes: shut down for writing,
 * then what the client still sends is read and dropped until it closes
 * (a lingering close, so the answer is not lost to a RST). A keep-alive
 * connection idle for SECS after a response closes silently (nginx's
 * keepalive_timeout). One common-log-format line per response on stdout
 * unless -q.
 * The state machine runs on the namespace's owner worker (cli/app.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/timer.h"
#include "netns/core/sock.h"
#include "app.h"
#include "cmd.h"
#include "http.h"

#define HTTPD_CHUNK 16384
#define HTTPD_MAX_CONNS 1024
#define HTTPD_LINGER_NS (2 * NSEC_PER_SEC)
#define HTTPD_LOG_REQ 512 /* bytes of the request line kept for the log */

enum hc_state {
	HC_READ,   /* waiting for (the rest of) a request */
	HC_SEND,   /* a response is being sent */
	HC_LINGER, /* shut down for writing; dropping input until EOF */
};

struct httpd;

struct httpd_conn {
	struct httpd *h;
	struct httpd_conn *next, **pprev;
	struct sock *sk;
	struct timer timer;
	enum hc_state state;
	unsigned depth;	  /* callbacks of this connection on the stack */
	bool dead;	  /* closed; freed when depth drops to 0 */
	bool served;	  /* a response went out: idle now is keep-alive idle */
	bool keep_alive;  /* after this response */
	uint32_t peer;	  /* network order */
	uint64_t body_skip; /* request body still to drop */
	/* request bytes received, not yet consumed */
	unsigned req_len;
	char req[HTTP_REQ_MAX + 1];
	/* the response: buf holds the header and the first piece of the body
	 * (one segment for a small file: Nagle would hold a second one back
	 * until the first is acked), then the file's next pieces */
	FILE *f;
	uint64_t file_left;
	unsigned buf_len, buf_off, hdr_left; /* hdr_left: header bytes not yet sent */
	char buf[HTTPD_CHUNK];
	/* the log line */
	int status;
	uint64_t body_sent;
	char logreq[HTTPD_LOG_REQ];
};

struct httpd {
	struct app *app;
	struct sock *lsk;
	struct httpd_conn *conns;
	unsigned nconns;
	uint16_t port;
	bool quiet, stopping;
	long timeout_s;
	char dir[PATH_MAX];
};

static void hc_pump(struct httpd_conn *hc);

static void hc_get(struct httpd_conn *hc)
{
	hc->depth++;
}

static void hc_put(struct httpd_conn *hc)
{
	if (--hc->depth == 0 && hc->dead)
		free(hc);
}

static void hc_close(struct httpd_conn *hc)
{
	if (hc->dead)
		return;
	hc->dead = true;
	timer_del(&hc->timer);
	if (hc->f)
		fclose(hc->f);
	hc->f = NULL;
	if (hc->sk)
		sock_close(hc->sk);
	hc->sk = NULL;
	*hc->pprev = hc->next;
	if (hc->next)
		hc->next->pprev = hc->pprev;
	hc->h->nconns--;
	if (!hc->depth)
		free(hc);
}

static void hc_arm(struct httpd_conn *hc, uint64_t ns)
{
	timer_mod(&hc->timer, loop_now() + ns);
}

/* Apache's escaping of the request line in the log: '"', '\' and
 * non-printable bytes as \xhh. */
static void hc_log_request(struct httpd_conn *hc, const char *line, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 5 < sizeof(hc->logreq); i++) {
		unsigned char ch = (unsigned char)line[i];

		if (ch == '"' || ch == '\\')
			n += (size_t)snprintf(hc->logreq + n, 3, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			n += (size_t)snprintf(hc->logreq + n, 5, "\\x%02x", ch);
		else
			hc->logreq[n++] = (char)ch;
	}
	hc->logreq[n] = '\0';
}

/* The first line of the request in hc->req, for the log ("-" if none). */
static void hc_log_first_line(struct httpd_conn *hc)
{
	const char *nl = memchr(hc->req, '\n', hc->req_len);
	size_t len = nl ? (size_t)(nl - hc->req) : hc->req_len;

	if (len && hc->req[len - 1] == '\r')
		len--;
	if (!len)
		snprintf(hc->logreq, sizeof(hc->logreq), "-");
	else
		hc_log_request(hc, hc->req, len);
}

/* Common log format: host ident authuser [date] "request" status bytes */
static void hc_log(struct httpd_conn *hc)
{
	char addr[INET_ADDRSTRLEN], when[64], bytes[24];
	time_t now = time(NULL);
	struct tm tm;

	if (hc->h->quiet)
		return;
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S %z", &tm);
	if (hc->body_sent)
		snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)hc->body_sent);
	else
		snprintf(bytes, sizeof(bytes), "-");
	app_printf(hc->h->app, "%s - - [%s] \"%s\" %d %s\n",
		   inet_ntop(AF_INET, &hc->peer, addr, sizeof(addr)), when, hc->logreq, hc->status,
		   bytes);
}

/* Build the status line and header fields at the start of hc->buf. */
static void hc_header(struct httpd_conn *hc, int status, const char *type, uint64_t length,
		      const struct stat *st, const char *extra)
{
	char date[40], mtime[40];
	int n;

	http_date(date, sizeof(date), time(NULL));
	n = snprintf(hc->buf, 1024, "HTTP/1.1 %d %s\r\nServer: nsemu-httpd\r\nDate: %s\r\n", status,
		     http_reason(status), date);
	if (type) /* NULL: 304, which has no content */
		n += snprintf(hc->buf + n, 1024 - (size_t)n,
			      "Content-Type: %s\r\nContent-Length: %llu\r\n", type,
			      (unsigned long long)length);
	if (st) {
		http_date(mtime, sizeof(mtime), st->st_mtime);
		n += snprintf(hc->buf + n, 1024 - (size_t)n, "Last-Modified: %s\r\n", mtime);
	}
	n += snprintf(hc->buf + n, 1024 - (size_t)n, "%sConnection: %s\r\n\r\n",
		      extra ? extra : "", hc->keep_alive ? "keep-alive" : "close");
	hc->buf_len = hc->hdr_left = (unsigned)n;
	hc->buf_off = 0;
	hc->status = status;
}

/* An error response with a small HTML body (none for HEAD). */
static void hc_error(struct httpd_conn *hc, int status, bool head, const char *extra)
{
	char body[256];
	int n = snprintf(body, sizeof(body),
			 "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n"
			 "<center><h1>%d %s</h1></center>\r\n</body>\r\n</html>\r\n",
			 status, http_reason(status), status, http_reason(status));

	if (status != 403 && status != 404 && status != 405)
		hc->keep_alive = false;
	hc_header(hc, status, "text/html", (uint64_t)n, NULL, extra);
	if (!head) {
		memcpy(hc->buf + hc->buf_len, body, (size_t)n);
		hc->buf_len += (unsigned)n;
	}
	hc->state = HC_SEND;
}

/* Open the file for @path (decoded, starting with '/'): 0 and hc->f, or
 * the error status. A directory serves its index.html; without one it is
 * 403, as nginx without autoindex. */
static int hc_open(struct httpd_conn *hc, const char *path, struct stat *st, char *full,
		   size_t fulllen)
{
	bool dir = false;
	int fd;

	if ((size_t)snprintf(full, fulllen, "%s%s", hc->h->dir, path) >= fulllen)
		return 414;
	if (stat(full, st) == 0 && S_ISDIR(st->st_mode)) {
		size_t l = strlen(full);

		dir = true;
		if ((size_t)snprintf(full + l, fulllen - l, "%sindex.html",
				     full[l - 1] == '/' ? "" : "/") >= fulllen - l)
			return 414;
	}
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return dir ? 403 : 404;
		return errno == EACCES || errno == ELOOP ? 403 : 500;
	}
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		close(fd);
		return 403;
	}
	hc->f = fdopen(fd, "rb");
	if (!hc->f) {
		close(fd);
		return 500;
	}
	return 0;
}

/* A complete request header block of @len bytes is at hc->req. */
static void hc_request(struct httpd_conn *hc, size_t len)
{
	static const char *const known[] = { "POST", "PUT", "DELETE", "CONNECT",
					     "OPTIONS", "TRACE", "PATCH" };
	char path[HTTP_REQ_MAX], full[PATH_MAX + HTTP_REQ_MAX];
	struct http_req r;
	struct stat st;
	bool head;
	int status;

	hc_log_first_line(hc);
	hc->body_sent = 0;
	status = http_parse_request(hc->req, len, &r);
	if (status) {
		hc_error(hc, status, false, NULL);
		return;
	}
	head = !strcmp(r.method, "HEAD");
	hc->keep_alive = r.minor >= 1 ? !r.conn_close : r.conn_keepalive && !r.conn_close;
	hc->body_skip = r.content_length;
	if (r.has_te) {
		hc_error(hc, 501, head, NULL); /* no request bodies to decode */
		return;
	}
	if (!head && strcmp(r.method, "GET")) {
		for (size_t i = 0; i < ARRAY_SIZE(known); i++)
			if (!strcmp(r.method, known[i])) {
				hc_error(hc, 405, false, "Allow: GET, HEAD\r\n");
				return;
			}
		hc_error(hc, 501, false, NULL);
		return;
	}
	status = http_decode_path(r.target, path, sizeof(path));
	if (!status)
		status = hc_open(hc, path, &st, full, sizeof(full));
	if (status) {
		hc_error(hc, status, head, NULL);
		return;
	}
	if (r.has_ims && st.st_mtime <= r.ims) {
		/* RFC 9110 13.1.3: not modified since the client's copy */
		hc_header(hc, 304, NULL, 0, &st, NULL);
		hc->file_left = 0;
		head = true;
	} else {
		hc_header(hc, 200, http_mime_type(full), (uint64_t)st.st_size, &st, NULL);
		hc->file_left = head ? 0 : (uint64_t)st.st_size;
	}
	if (head) {
		fclose(hc->f);
		hc->f = NULL;
	}
	hc->state = HC_SEND;
}

/* Drop the first @n bytes of hc->req. */
static void hc_consume(struct httpd_conn *hc, size_t n)
{
	memmove(hc->req, hc->req + n, hc->req_len - n);
	hc->req_len -= (unsigned)n;
}

/* Answer the requests that are buffered, one at a time, until one needs
 * more bytes or a response cannot be sent at once; 414/431 when a request
 * cannot fit. */
static void hc_process(struct httpd_conn *hc)
{
	while (!hc->dead && hc->state == HC_READ) {
		size_t end, lead = 0;

		if (hc->body_skip) {
			size_t n = hc->body_skip < hc->req_len ? (size_t)hc->body_skip : hc->req_len;

			hc_consume(hc, n);
			hc->body_skip -= n;
			if (hc->body_skip)
				return;
		}
		/* empty lines between requests are ignored (RFC 9112 2.2) */
		while (lead < hc->req_len && (hc->req[lead] == '\r' || hc->req[lead] == '\n'))
			lead++;
		hc_consume(hc, lead);
		if (!hc->req_len)
			return;
		end = http_header_end(hc->req, hc->req_len);
		if (!end) {
			if (hc->req_len < HTTP_REQ_MAX)
				return; /* wait for the rest */
			hc_log_first_line(hc);
			hc->body_sent = 0;
			hc_error(hc, memchr(hc->req, '\n', hc->req_len) ? 431 : 414, false, NULL);
			hc->req_len = 0;
		} else {
			hc_request(hc, end);
			hc_consume(hc, end);
		}
		hc_pump(hc);
	}
}

static void hc_read(struct httpd_conn *hc)
{
	for (;;) {
		int r;

		hc_process(hc);
		if (hc->dead || hc->state != HC_READ)
			return;
		r = sock_recv(hc->sk, hc->req + hc->req_len, HTTP_REQ_MAX - hc->req_len);
		if (r == -EAGAIN)
			return;
		if (r <= 0) {
			/* EOF or reset: a partial request goes unanswered, as nginx */
			hc_close(hc);
			return;
		}
		hc->req_len += (unsigned)r;
		hc_arm(hc, (uint64_t)hc->h->timeout_s * NSEC_PER_SEC);
	}
}

/* Linger: read and drop until the client's EOF, then close. */
static void hc_linger_read(struct httpd_conn *hc)
{
	for (;;) {
		int r = sock_recv(hc->sk, hc->buf, sizeof(hc->buf));

		if (r == -EAGAIN)
			return;
		if (r <= 0) {
			hc_close(hc);
			return;
		}
	}
}

static void hc_response_done(struct httpd_conn *hc)
{
	hc_log(hc);
	hc->served = true;
	if (!hc->keep_alive) {
		hc->state = HC_LINGER;
		sock_shutdown(hc->sk, SHUT_WR);
		hc_arm(hc, HTTPD_LINGER_NS);
		hc_linger_read(hc);
		return;
	}
	/* the caller goes on with a pipelined request, if one is buffered */
	hc->state = HC_READ;
	hc_arm(hc, (uint64_t)hc->h->timeout_s * NSEC_PER_SEC);
}

/* Send what fits: the header, then buffered body, then more of the file. */
static void hc_pump(struct httpd_conn *hc)
{
	while (!hc->dead && hc->state == HC_SEND) {
		const void *p;
		unsigned len;
		int r;

		if (hc->file_left && (hc->buf_off == hc->buf_len || hc->hdr_left == hc->buf_len)) {
			/* refill (after the header, in the same buffer) */
			size_t room, got;

			if (hc->buf_off == hc->buf_len)
				hc->buf_off = hc->buf_len = 0;
			room = sizeof(hc->buf) - hc->buf_len;
			got = fread(hc->buf + hc->buf_len, 1,
				    hc->file_left < room ? (size_t)hc->file_left : room, hc->f);
			if (!got) {
				/* the file shrank: the promised length cannot be kept */
				hc_close(hc);
				return;
			}
			hc->buf_len += (unsigned)got;
			hc->file_left -= got;
		}
		if (hc->buf_off == hc->buf_len) {
			if (hc->f)
				fclose(hc->f);
			hc->f = NULL;
			hc_response_done(hc);
			return;
		}
		p = hc->buf + hc->buf_off;
		len = hc->buf_len - hc->buf_off;
		r = sock_send(hc->sk, p, len);
		if (r == -EAGAIN)
			return;
		if (r < 0) {
			hc_close(hc); /* the client went away */
			return;
		}
		hc->buf_off += (unsigned)r;
		if ((unsigned)r <= hc->hdr_left) {
			hc->hdr_left -= (unsigned)r;
		} else {
			hc->body_sent += (uint64_t)r - hc->hdr_left;
			hc->hdr_left = 0;
		}
		hc_arm(hc, (uint64_t)hc->h->timeout_s * NSEC_PER_SEC);
	}
}

static void hc_readable(struct sock *sk, void *ctx)
{
	struct httpd_conn *hc = ctx;

	(void)sk;
	hc_get(hc);
	if (hc->state == HC_READ)
		hc_read(hc);
	else if (hc->state == HC_LINGER)
		hc_linger_read(hc);
	/* HC_SEND: the next request waits in the receive buffer */
	hc_put(hc);
}

static void hc_writable(struct sock *sk, void *ctx)
{
	struct httpd_conn *hc = ctx;

	(void)sk;
	hc_get(hc);
	hc_pump(hc);
	if (!hc->dead && hc->state == HC_READ)
		hc_read(hc); /* the response is out: the next request */
	hc_put(hc);
}

static void hc_gone(struct sock *sk, void *ctx)
{
	struct httpd_conn *hc = ctx;

	(void)sk;
	hc->sk = NULL; /* freed by the namespace */
	hc_close(hc);
}

static const struct sock_ops hc_sock_ops = {
	.readable = hc_readable,
	.writable = hc_writable,
	.gone = hc_gone,
};

static void hc_timeout(struct timer *t)
{
	struct httpd_conn *hc = container_of(t, struct httpd_conn, timer);

	hc_get(hc);
	if (hc->state == HC_READ && (!hc->served || hc->req_len || hc->body_skip)) {
		/* no complete request in time: 408, then close */
		hc_log_first_line(hc);
		if (!hc->req_len)
			snprintf(hc->logreq, sizeof(hc->logreq), "-");
		hc->body_sent = 0;
		hc->req_len = 0;
		hc->body_skip = 0;
		hc_error(hc, 408, false, NULL);
		hc_pump(hc);
	} else {
		hc_close(hc); /* keep-alive idle, a stalled send, or lingering */
	}
	hc_put(hc);
}

static void httpd_accept(struct sock *lsk, struct sock *newsk, void *ctx)
{
	struct httpd *h = ctx;
	struct httpd_conn *hc;
	uint16_t port;

	(void)lsk;
	if (h->nconns >= HTTPD_MAX_CONNS || !(hc = calloc(1, sizeof(*hc)))) {
		sock_close(newsk);
		return;
	}
	hc->h = h;
	hc->sk = newsk;
	hc->state = HC_READ;
	sock_getname(newsk, true, &hc->peer, &port);
	timer_init(&hc->timer, hc_timeout);
	hc->next = h->conns;
	if (h->conns)
		h->conns->pprev = &hc->next;
	hc->pprev = &h->conns;
	h->conns = hc;
	h->nconns++;
	sock_set_cb(newsk, &hc_sock_ops, hc);
	hc_arm(hc, (uint64_t)h->timeout_s * NSEC_PER_SEC);
	hc_get(hc);
	hc_read(hc);
	hc_put(hc);
}

static void httpd_finish(struct httpd *h, int status)
{
	if (h->stopping)
		return;
	h->stopping = true;
	while (h->conns)
		hc_close(h->conns);
	if (h->lsk)
		sock_close(h->lsk);
	h->lsk = NULL;
	app_exit(h->app, status);
}

static void httpd_listen_gone(struct sock *sk, void *ctx)
{
	struct httpd *h = ctx;

	(void)sk;
	h->lsk = NULL;
	httpd_finish(h, 1);
}

static const struct sock_ops httpd_listen_ops = {
	.accept = httpd_accept,
	.gone = httpd_listen_gone,
};

static void httpd_start(struct app *a, struct netns *ns)
{
	struct httpd *h = app_priv(a);
	int err;

	h->app = a;
	err = sock_create(ns, AF_INET, SOCK_STREAM, IPPROTO_TCP, &httpd_listen_ops, h, &h->lsk);
	if (!err) {
		sock_set_reuseaddr(h->lsk, true); /* as every server does */
		err = sock_bind(h->lsk, 0, h->port);
	}
	if (!err)
		err = sock_listen(h->lsk, 511); /* nginx's default backlog */
	if (err) {
		app_eprintf(a, "httpd: bind to 0.0.0.0:%u: %s\n", h->port, strerror(-err));
		httpd_finish(h, 1);
	}
}

static void httpd_stop(struct app *a)
{
	httpd_finish(app_priv(a), 0);
}

static const struct app_ops httpd_app_ops = {
	.name = "httpd",
	.start = httpd_start,
	.stop = httpd_stop,
};

static void httpd_usage(FILE *f)
{
	fprintf(f, "usage: httpd [-q] [-p PORT] [-d DIR] [-t SECS] [&]\n");
}

struct app *httpd_app_create(struct cli_ctx *c, int argc, char **argv, int *status, bool *bg)
{
	const char *dir = ".";
	struct app_opt o;
	struct httpd *h;
	struct stat st;
	struct app *a;
	int ch;

	*status = 1;
	*bg = false;
	if (argc > 1 && !strcmp(argv[argc - 1], "&")) {
		*bg = true;
		argc--;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		fprintf(c->err, "httpd: %s\n", strerror(ENOMEM));
		return NULL;
	}
	h->port = 80;
	h->timeout_s = 60;
	app_opt_init(&o, "httpd", APP_OPT_IPUTILS, c->err, argc, argv);
	while ((ch = app_opt_next(&o, "qp:d:t:h")) != -1) {
		long long v;

		switch (ch) {
		case 'q':
			h->quiet = true;
			break;
		case 'p':
			if (app_opt_num(&o, 1, 65535, &v))
				goto out_free;
			h->port = (uint16_t)v;
			break;
		case 'd':
			dir = o.arg;
			break;
		case 't':
			if (app_opt_num(&o, 1, 86400, &v))
				goto out_free;
			h->timeout_s = (long)v;
			break;
		default:
			goto usage;
		}
	}
	if (o.npos)
		goto usage;
	/* an absolute path: the server runs on after the shell's cwd moves */
	if (!realpath(dir, h->dir) || stat(h->dir, &st)) {
		fprintf(c->err, "httpd: %s: %s\n", dir, strerror(errno));
		goto out_free;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(c->err, "httpd: %s: %s\n", dir, strerror(ENOTDIR));
		goto out_free;
	}
	if (!strcmp(h->dir, "/"))
		h->dir[0] = '\0'; /* paths start with '/' */
	a = app_create(&httpd_app_ops, h);
	if (!a) {
		fprintf(c->err, "httpd: %s\n", strerror(ENOMEM));
		goto out_free;
	}
	return a;

usage:
	httpd_usage(c->err);
out_free:
	free(h);
	return NULL;
}

int cmd_httpd(struct cli_ctx *c, int argc, char **argv)
{
	int status;
	bool bg;
	struct app *a = httpd_app_create(c, argc, argv, &status, &bg);

	if (!a)
		return status;
	return bg ? app_run_background(c, a, "httpd") : app_run(c, a);
}
