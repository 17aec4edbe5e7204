// SPDX-License-Identifier: MIT
/*
 * wget: an HTTP/1.1 client over the emulated TCP, printing what GNU Wget
 * prints when its output is not a terminal (the "dot" progress):
 *   wget [-q] [-O FILE|-] [-T SECS] [-t TRIES] URL...
 * URL is http://ADDR[:PORT][/PATH] with a dotted IPv4 address (there is no
 * resolver: a name fails as wget's lookup does). Files are saved under
 * the URL's last path segment ("index.html" for none; NAME.1, NAME.2...
 * when it exists), or all to -O FILE; "-O -" writes to standard output.
 * Several URLs to one server share a persistent connection ("Reusing
 * existing connection"). Redirects (301/302/303/307/308) are followed up
 * to 20 times. -T sets the connect and read timeouts (read: 900 s
 * without it); a timeout, a reset or a connection closed early is retried
 * up to TRIES times (20), after min(try-1, 10) s, the transfer starting
 * over; a refused connection is not retried. Exit statuses are wget's: 0,
 * 1 (generic: bad URL), 2 (usage), 3 (file I/O), 4 (network failure),
 * 7 (protocol error), 8 (server error response); of several, the lowest
 * but 1 wins. A chunked response is decoded (a malformed one: exit 7).
 * The state machine runs on the namespace's owner worker (cli/app.h).
 */
#include <arpa/inet.h>
#include <errno.h>
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

#define WG_MAXURLS APP_OPT_MAXPOS
#define WG_HDR_MAX 16384
#define WG_BUFSZ 16384
#define WG_MAX_REDIRECTS 20
#define WG_READ_TIMEOUT_S 900
#define WG_WAITRETRY_S 10
/* dot progress, wget's "default" style: 1 KiB a dot, 10 a group, 50 a row */
#define WG_DOT_BYTES 1024
#define WG_DOT_SPACING 10
#define WG_DOTS_IN_LINE 50

enum wg_state { WG_IDLE, WG_CONNECTING, WG_HEADERS, WG_BODY, WG_DISCARD, WG_WAIT };
/* chunked transfer coding (RFC 9112 7.1): where the decoder is */
enum wg_chunk { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER, CH_TRAILER_LINE };

struct wget {
	struct app *app;
	struct netns *ns;
	struct sock *sk;
	struct timer timer;
	enum wg_state state;
	bool quiet, to_stdout, finished;
	long timeout_s; /* -T; 0: none */
	int tries;	/* -t; 0: unlimited */
	int status;
	int nurls, cur;
	char urls[WG_MAXURLS][2048];
	char out_path[4096]; /* -O, "" without */
	FILE *out;
	bool out_shared;     /* -O: one file for every URL */
	/* the URL being fetched */
	char url[2048], host[256], hostport[280], path[2048];
	bool resolved; /* a dotted address: there is no resolver */
	uint32_t addr;
	uint16_t port;
	int try_no, redirects;
	/* the connection */
	bool reusable;
	bool sk_fresh; /* sk: created for the next try, not connected yet */
	uint32_t conn_addr;
	uint16_t conn_port;
	/* the response */
	struct http_resp resp;
	unsigned hdr_len;
	char hdr[WG_HDR_MAX + 1];
	char save_name[4096];
	uint64_t got, discard_left;
	enum wg_chunk chunk_state;
	uint64_t chunk_left;
	unsigned chunk_digits;
	/* progress, on loop_clock (loop_now is one iteration's) */
	uint64_t t_start, row_t;
	uint64_t shown; /* bytes drawn as dots (whole rows, then dots) */
	/* totals for FINISHED */
	uint64_t wall_start, total_ns, total_bytes;
	unsigned files;
	uint8_t buf[WG_BUFSZ];
};

static void wg_next_url(struct wget *w);
static void wg_try(struct wget *w);
static const struct sock_ops wg_sock_ops;

#define wg_log(w, ...)                                                                           \
	do {                                                                                     \
		if (!(w)->quiet)                                                                 \
			app_eprintf((w)->app, __VA_ARGS__);                                      \
	} while (0)

/* wget's rule for several errors: the lowest status wins, but 1 loses. */
static void wg_status(struct wget *w, int status)
{
	if (!status)
		return;
	if (!w->status || w->status == 1 || (status != 1 && status < w->status))
		w->status = status;
}

static void wg_stamp(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* wget's print_decimal */
static const char *wg_decimal(char *buf, size_t len, double n)
{
	if (n >= 9.95)
		snprintf(buf, len, "%.0f", n);
	else if (n >= 0.95)
		snprintf(buf, len, "%.1f", n);
	else if (n >= 0.001)
		snprintf(buf, len, "%.1g", n);
	else if (n >= 0.0005)
		snprintf(buf, len, "%.3f", n);
	else
		snprintf(buf, len, "0");
	return buf;
}

/* wget's secs_to_human_time */
static const char *wg_human_time(char *buf, size_t len, double secs)
{
	int s = (int)secs, m = s / 60, h = m / 60, d = h / 24;
	char dec[32];

	s %= 60;
	m %= 60;
	h %= 24;
	if (d)
		snprintf(buf, len, "%dd %dh %dm %ds", d, h, m, s);
	else if (h)
		snprintf(buf, len, "%dh %dm %ds", h, m, s);
	else if (m)
		snprintf(buf, len, "%dm %ds", m, s);
	else
		snprintf(buf, len, "%ss", wg_decimal(dec, sizeof(dec), secs));
	return buf;
}

/* wget's eta_to_human_short (condensed: no spaces) */
static const char *wg_eta(char *buf, size_t len, int secs, bool condensed)
{
	const char *sp = condensed ? "" : " ";

	if (secs < 100)
		snprintf(buf, len, "%ds", secs);
	else if (secs < 100 * 60)
		snprintf(buf, len, "%dm%s%ds", secs / 60, sp, secs % 60);
	else if (secs < 48 * 3600)
		snprintf(buf, len, "%dh%s%dm", secs / 3600, sp, (secs / 60) % 60);
	else if (secs < 100 * 86400)
		snprintf(buf, len, "%dd%s%dh", secs / 86400, sp, (secs / 3600) % 24);
	else
		snprintf(buf, len, "%dd", secs / 86400);
	return buf;
}

/* A rate in bytes/s with wget's units and precision: "1.24 MB/s", or the
 * row form "1.24M". */
static const char *wg_rate(char *buf, size_t len, uint64_t bytes, double secs, bool row)
{
	static const char *const units[] = { "B/s", "KB/s", "MB/s", "GB/s", "TB/s" };
	static const char shortu[] = { ' ', 'K', 'M', 'G', 'T' };
	double r = secs > 0 ? (double)bytes / secs : (double)bytes * 1e9; /* under 1 ns */
	int u = 0;

	while (r >= 1024 && u < 4) {
		r /= 1024;
		u++;
	}
	if (row)
		snprintf(buf, len, "%4.*f%c", r >= 99.95 ? 0 : r >= 9.995 ? 1 : 2, r, shortu[u]);
	else
		snprintf(buf, len, "%.*f %s", r >= 99.95 ? 0 : r >= 9.995 ? 1 : 2, r, units[u]);
	return buf;
}

/* wget's human_readable for "Length: N (117K)" */
static const char *wg_human_size(char *buf, size_t len, uint64_t n)
{
	static const char powers[] = { 'K', 'M', 'G', 'T', 'P', 'E' };
	double v = (double)n;
	unsigned i;

	if (n < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)n);
		return buf;
	}
	for (i = 0, v /= 1024; v >= 1024 && i + 1 < sizeof(powers); i++)
		v /= 1024;
	snprintf(buf, len, "%.*f%c", v < 10 ? 1 : 0, v, powers[i]);
	return buf;
}

static double wg_secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* ---- dot progress ---- */

/*
 * Draw the dots for the bytes now received, a row of 50 KiB at a time as
 * wget's dot_update: "     0K .......... (x5) 42%  258M 0s"; @finish
 * draws the partial last row, padded, with "100%  412M=0s".
 */
static void wg_progress(struct wget *w, bool finish)
{
	const uint64_t row_bytes = (uint64_t)WG_DOT_BYTES * WG_DOTS_IN_LINE;
	char line[160], rate[32], eta[32], dec[32];

	while (w->got - w->shown >= row_bytes || (finish && w->shown <= w->got)) {
		uint64_t now = loop_clock(), row_start = w->shown;
		uint64_t in_row = w->got - row_start >= row_bytes ? row_bytes : w->got - row_start;
		unsigned dots = (unsigned)(in_row / WG_DOT_BYTES);
		bool last = in_row < row_bytes || (finish && w->got == row_start + row_bytes);
		int n = snprintf(line, sizeof(line), "%6lluK", (unsigned long long)(row_start / 1024));

		for (unsigned i = 0; i < WG_DOTS_IN_LINE; i++) {
			if (i % WG_DOT_SPACING == 0)
				line[n++] = ' ';
			line[n++] = i < dots ? '.' : ' ';
		}
		line[n] = '\0';
		if (w->resp.has_length && w->resp.content_length)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "%3d%%",
				      (int)(100.0 * (double)(row_start + in_row) /
					    (double)w->resp.content_length));
		else if (w->resp.has_length)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "100%%");
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %s",
			      wg_rate(rate, sizeof(rate), in_row, wg_secs(now - w->row_t), true));
		if (finish && last) {
			wg_log(w, "%s=%ss\n", line,
			       wg_decimal(dec, sizeof(dec), wg_secs(now - w->t_start)));
			w->shown = w->got + 1; /* drawn */
			return;
		}
		if (w->resp.has_length) {
			uint64_t done = row_start + in_row, left = w->resp.content_length - done;
			double eta_s = wg_secs(now - w->t_start) * (double)left / (double)done;

			snprintf(line + n, sizeof(line) - (size_t)n, " %s",
				 wg_eta(eta, sizeof(eta), (int)(eta_s + 0.5), true));
		}
		wg_log(w, "%s\n", line);
		w->shown = row_start + row_bytes;
		w->row_t = now;
	}
}

/* ---- the connection ---- */

static void wg_drop_conn(struct wget *w)
{
	if (w->sk)
		sock_close(w->sk);
	w->sk = NULL;
	w->reusable = false;
	w->sk_fresh = false;
}

static void wg_close_out(struct wget *w)
{
	if (w->out && !w->out_shared)
		fclose(w->out);
	if (!w->out_shared)
		w->out = NULL;
}

static void wg_finish(struct wget *w)
{
	char stamp[32], t1[32], t2[32], sz[32], rate[32];

	if (w->finished)
		return;
	w->finished = true;
	timer_del(&w->timer);
	wg_drop_conn(w);
	if (w->out && !w->to_stdout)
		fclose(w->out);
	w->out = NULL;
	if (w->nurls > 1) {
		wg_stamp(stamp, sizeof(stamp));
		wg_log(w, "FINISHED --%s--\nTotal wall clock time: %s\n", stamp,
		       wg_human_time(t1, sizeof(t1), wg_secs(loop_clock() - w->wall_start)));
		if (w->files)
			wg_log(w, "Downloaded: %u files, %s in %s (%s)\n", w->files,
			       wg_human_size(sz, sizeof(sz), w->total_bytes),
			       wg_human_time(t2, sizeof(t2), wg_secs(w->total_ns)),
			       wg_rate(rate, sizeof(rate), w->total_bytes, wg_secs(w->total_ns),
				       false));
	}
	app_exit(w->app, w->status);
}

/* This URL is done (saved or failed with @status): on to the next. */
static void wg_url_done(struct wget *w, int status)
{
	wg_status(w, status);
	wg_close_out(w);
	w->cur++;
	wg_next_url(w);
}

/* A network failure: retry after min(try, 10) s, or give up (4). */
static void wg_retry(struct wget *w)
{
	wg_drop_conn(w);
	wg_close_out(w);
	if (w->tries && w->try_no >= w->tries) {
		wg_log(w, "Giving up.\n\n");
		wg_url_done(w, 4);
		return;
	}
	wg_log(w, "Retrying.\n\n");
	w->try_no++;
	w->state = WG_WAIT;
	/* The next try's socket now: while wget waits it is the socket whose
	 * gone() says the namespace is being deleted (the timer alone would
	 * fire into a freed namespace). */
	if (!sock_create(w->ns, AF_INET, SOCK_STREAM, IPPROTO_TCP, &wg_sock_ops, w, &w->sk))
		w->sk_fresh = true;
	timer_mod(&w->timer, loop_now() + (uint64_t)(w->try_no - 1 < WG_WAITRETRY_S
							     ? w->try_no - 1
							     : WG_WAITRETRY_S) *
						  NSEC_PER_SEC);
}

static void wg_arm_read(struct wget *w)
{
	timer_mod(&w->timer, loop_now() + (uint64_t)(w->timeout_s ? w->timeout_s
								    : WG_READ_TIMEOUT_S) *
						  NSEC_PER_SEC);
}

/* "name", "name.1", "name.2"... : the first that does not exist */
static void wg_pick_name(struct wget *w)
{
	const char *base = strrchr(w->path, '/');
	char name[2048];
	size_t l;
	struct stat st;

	base = base ? base + 1 : w->path;
	l = strcspn(base, "?#");
	if (!l)
		snprintf(name, sizeof(name), "index.html");
	else
		snprintf(name, sizeof(name), "%.*s", (int)l, base);
	snprintf(w->save_name, sizeof(w->save_name), "%s", name);
	for (unsigned i = 1; !stat(w->save_name, &st); i++)
		snprintf(w->save_name, sizeof(w->save_name), "%s.%u", name, i);
}

/* The body is complete. */
static void wg_saved(struct wget *w)
{
	char stamp[32], rate[32];
	uint64_t dt = loop_clock() - w->t_start;

	timer_del(&w->timer);
	wg_progress(w, true);
	wg_stamp(stamp, sizeof(stamp));
	rate[0] = '\0';
	wg_rate(rate, sizeof(rate), w->got, wg_secs(dt), false);
	if (w->to_stdout)
		wg_log(w, "\n%s (%s) - written to stdout [%llu", stamp, rate,
		       (unsigned long long)w->got);
	else
		wg_log(w, "\n%s (%s) - \u2018%s\u2019 saved [%llu", stamp, rate,
		       w->out_shared ? w->out_path : w->save_name, (unsigned long long)w->got);
	if (w->resp.has_length)
		wg_log(w, "/%llu]\n\n", (unsigned long long)w->resp.content_length);
	else
		wg_log(w, "]\n\n");
	if (w->out && !w->to_stdout && fflush(w->out)) {
		wg_log(w, "Cannot write to \u2018%s\u2019 (%s).\n",
		       w->out_shared ? w->out_path : w->save_name, strerror(errno));
		wg_drop_conn(w);
		wg_url_done(w, 3);
		return;
	}
	w->files++;
	w->total_bytes += w->got;
	w->total_ns += dt;
	w->state = WG_IDLE;
	w->reusable = w->sk && (w->resp.has_length || w->resp.chunked) && !w->resp.conn_close &&
		      (w->resp.minor >= 1 || w->resp.conn_keepalive);
	if (!w->reusable)
		wg_drop_conn(w);
	wg_url_done(w, 0);
}

static int wg_write(struct wget *w, const void *p, size_t n)
{
	if (w->to_stdout) {
		app_write(w->app, p, n);
		return 0;
	}
	if (fwrite(p, 1, n, w->out) != n) {
		wg_log(w, "Cannot write to \u2018%s\u2019 (%s).\n",
		       w->out_shared ? w->out_path : w->save_name, strerror(errno));
		wg_drop_conn(w);
		wg_url_done(w, 3);
		return -1;
	}
	return 0;
}

/* Body bytes @p[0..n) arrived. */
static void wg_body(struct wget *w, const uint8_t *p, size_t n)
{
	if (w->resp.has_length && n > w->resp.content_length - w->got)
		n = (size_t)(w->resp.content_length - w->got); /* the rest is not ours */
	if (n && wg_write(w, p, n))
		return;
	w->got += n;
	wg_progress(w, false);
	if (w->resp.has_length && w->got == w->resp.content_length)
		wg_saved(w);
}

/* Chunked body bytes @p[0..n): sizes, data, CRLFs and the trailer
 * section, as they come, in any split. */
static void wg_chunked(struct wget *w, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && w->state == WG_BODY) {
		uint8_t ch = p[i];

		switch (w->chunk_state) {
		case CH_SIZE: {
			int v = ch >= '0' && ch <= '9'	 ? ch - '0'
				: ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
				: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
							 : -1;

			i++;
			if (v >= 0 && w->chunk_digits < 15) {
				w->chunk_left = w->chunk_left * 16 + (uint64_t)v;
				w->chunk_digits++;
				break;
			}
			if (w->chunk_digits && (ch == ';' || ch == ' ' || ch == '\t' || ch == '\r')) {
				w->chunk_state = CH_EXT; /* extensions are ignored */
				break;
			}
			if (w->chunk_digits && ch == '\n') {
				w->chunk_state = w->chunk_left ? CH_DATA : CH_TRAILER;
				break;
			}
			goto bad;
		}
		case CH_EXT:
			if (p[i++] == '\n')
				w->chunk_state = w->chunk_left ? CH_DATA : CH_TRAILER;
			break;
		case CH_DATA: {
			size_t take = n - i < w->chunk_left ? n - i : (size_t)w->chunk_left;

			if (wg_write(w, p + i, take))
				return;
			i += take;
			w->got += take;
			w->chunk_left -= take;
			wg_progress(w, false);
			if (!w->chunk_left)
				w->chunk_state = CH_DATA_CR;
			break;
		}
		case CH_DATA_CR: /* CRLF after the data; a bare LF is taken too */
			i++;
			if (ch == '\r') {
				w->chunk_state = CH_DATA_LF;
				break;
			}
			if (ch != '\n')
				goto bad;
			w->chunk_state = CH_SIZE;
			w->chunk_digits = 0;
			break;
		case CH_DATA_LF:
			i++;
			if (ch != '\n')
				goto bad;
			w->chunk_state = CH_SIZE;
			w->chunk_digits = 0;
			break;
		case CH_TRAILER: /* at the start of a trailer line */
			i++;
			if (ch == '\n') {
				wg_saved(w); /* the empty line: the message is complete */
				return;
			}
			if (ch != '\r')
				w->chunk_state = CH_TRAILER_LINE;
			break;
		case CH_TRAILER_LINE:
			if (p[i++] == '\n')
				w->chunk_state = CH_TRAILER;
			break;
		}
	}
	return;
bad:
	wg_log(w, "Malformed chunk in the response body at byte %llu.\n",
	       (unsigned long long)w->got);
	wg_drop_conn(w);
	wg_url_done(w, 7);
}

/* Parse a URL into w->addr/port/path/hostport; 0 or the exit status
 * after wget's message. */
static int wg_parse_url(struct wget *w, const char *url)
{
	const char *s = url, *hp, *slash;
	char host[256];
	size_t hl;

	if (strstr(s, "://")) {
		if (strncasecmp(s, "http://", 7)) {
			int l = (int)(strstr(s, "://") - s);

			app_eprintf(w->app, "%s: Unsupported scheme \u2018%.*s\u2019.\n", url, l, s);
			return 1;
		}
		s += 7;
	}
	snprintf(w->url, sizeof(w->url), "http://%s", s);
	hp = s;
	slash = strchr(hp, '/');
	hl = slash ? (size_t)(slash - hp) : strlen(hp);
	snprintf(w->path, sizeof(w->path), "%s", slash ? slash : "/");
	if (!slash)
		snprintf(w->url + strlen(w->url), sizeof(w->url) - strlen(w->url), "/");
	if (hl >= sizeof(host) || !hl) {
		app_eprintf(w->app, "%s: Invalid host name.\n", url);
		return 1;
	}
	memcpy(host, hp, hl);
	host[hl] = '\0';
	w->port = 80;
	if (strchr(host, ':')) {
		char *c = strchr(host, ':'), *end;
		long v = strtol(c + 1, &end, 10);

		if (!c[1] || *end || v < 0 || v > 65535) {
			app_eprintf(w->app, "%s: Bad port number.\n", url);
			return 1;
		}
		*c = '\0';
		w->port = (uint16_t)v;
	}
	/* a name is looked up at the try (wg_try), after the "--" line */
	w->resolved = inet_pton(AF_INET, host, &w->addr) == 1;
	snprintf(w->host, sizeof(w->host), "%s", host);
	snprintf(w->hostport, sizeof(w->hostport), "%s:%u", host, w->port);
	return 0;
}

static void wg_send_request(struct wget *w)
{
	char req[4096];
	const char *colon = strchr(w->hostport, ':');
	int n, r;

	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %.*s\r\nUser-Agent: Wget/1.21.3 (nsemu)\r\n"
		     "Accept: */*\r\nAccept-Encoding: identity\r\nConnection: Keep-Alive\r\n\r\n",
		     w->path, w->port == 80 ? (int)(colon - w->hostport) : (int)strlen(w->hostport),
		     w->hostport);
	r = sock_send(w->sk, req, (unsigned)n);
	wg_log(w, "HTTP request sent, awaiting response... ");
	if (r != n) {
		/* a fresh send buffer always takes a request; a reused
		 * connection the server closed does not */
		wg_log(w, "Write failed (%s).\n", strerror(r < 0 ? -r : EAGAIN));
		wg_retry(w);
		return;
	}
	w->state = WG_HEADERS;
	w->hdr_len = 0;
	wg_arm_read(w);
}

/* Start the body after the header: file, "Length:", "Saving to:". */
static void wg_start_body(struct wget *w, size_t hdr_end)
{
	char sz[32];
	const char *name;

	if (w->resp.has_length) {
		wg_log(w, "Length: %llu", (unsigned long long)w->resp.content_length);
		if (w->resp.content_length >= 1024)
			wg_log(w, " (%s)", wg_human_size(sz, sizeof(sz), w->resp.content_length));
	} else {
		wg_log(w, "Length: unspecified");
	}
	if (w->resp.content_type[0])
		wg_log(w, " [%s]", w->resp.content_type);
	wg_log(w, "\n");
	if (w->to_stdout) {
		name = "STDOUT";
	} else if (w->out_shared) {
		name = w->out_path;
	} else {
		wg_pick_name(w);
		name = w->save_name;
		w->out = fopen(w->save_name, "wb");
		if (!w->out) {
			wg_log(w, "%s: %s\n", w->save_name, strerror(errno));
			wg_log(w, "Cannot write to \u2018%s\u2019 (%s).\n", w->save_name,
			       strerror(errno));
			wg_drop_conn(w);
			wg_url_done(w, 3);
			return;
		}
	}
	wg_log(w, "Saving to: \u2018%s\u2019\n\n", name);
	w->state = WG_BODY;
	w->got = w->shown = 0;
	w->t_start = w->row_t = loop_clock();
	w->chunk_state = CH_SIZE;
	w->chunk_left = 0;
	w->chunk_digits = 0;
	if (w->resp.chunked)
		wg_chunked(w, (const uint8_t *)w->hdr + hdr_end, w->hdr_len - hdr_end);
	else
		wg_body(w, (const uint8_t *)w->hdr + hdr_end, w->hdr_len - hdr_end);
}

/* The response header is complete at w->hdr[0..end). */
static void wg_response(struct wget *w, size_t end)
{
	char stamp[32], save[WG_HDR_MAX + 1];
	int st;

	memcpy(save, w->hdr, w->hdr_len); /* parsing writes NULs; the body follows */
	if (http_parse_response(w->hdr, end, &w->resp)) {
		wg_log(w, "Malformed status line\n");
		wg_drop_conn(w);
		wg_url_done(w, 7);
		return;
	}
	memcpy(w->hdr, save, w->hdr_len);
	st = w->resp.status;
	wg_log(w, "%d %s\n", st, w->resp.reason);
	if (w->resp.chunked)
		w->resp.has_length = false; /* RFC 9112 6.3: chunked wins */
	if (st >= 300 && st < 400 && st != 304 && w->resp.location[0]) {
		wg_log(w, "Location: %s [following]\n", w->resp.location);
		wg_drop_conn(w); /* the body of a redirect is not kept */
		if (++w->redirects > WG_MAX_REDIRECTS) {
			wg_log(w, "%d redirections exceeded.\n", WG_MAX_REDIRECTS);
			wg_url_done(w, 1);
			return;
		}
		if (w->resp.location[0] == '/') {
			char url[2048];

			snprintf(url, sizeof(url), "http://%s%s", w->hostport, w->resp.location);
			snprintf(w->urls[w->cur], sizeof(w->urls[w->cur]), "%s", url);
		} else {
			snprintf(w->urls[w->cur], sizeof(w->urls[w->cur]), "%s", w->resp.location);
		}
		st = wg_parse_url(w, w->urls[w->cur]);
		if (st) {
			wg_url_done(w, st);
			return;
		}
		w->try_no = 1;
		wg_try(w);
		return;
	}
	if (st < 200 || st >= 300) {
		wg_stamp(stamp, sizeof(stamp));
		wg_log(w, "%s ERROR %d: %s.\n\n", stamp, st, w->resp.reason);
		/* a short body is read and dropped to keep the connection */
		if (w->resp.has_length && w->resp.content_length <= 4096 && !w->resp.conn_close &&
		    (w->resp.minor >= 1 || w->resp.conn_keepalive)) {
			uint64_t have = w->hdr_len - end;

			w->discard_left = w->resp.content_length - (have < w->resp.content_length
									    ? have
									    : w->resp.content_length);
			w->state = WG_DISCARD;
			if (!w->discard_left) {
				w->reusable = true;
				w->state = WG_IDLE;
			}
		} else {
			wg_drop_conn(w);
		}
		if (w->state != WG_DISCARD)
			wg_url_done(w, 8);
		else
			wg_status(w, 8);
		return;
	}
	wg_start_body(w, end);
}

static void wg_read_error(struct wget *w, int r)
{
	char stamp[32], rate[32];
	const char *why = r ? strerror(-r) : NULL;

	if (w->state == WG_HEADERS) {
		if (!r && !w->hdr_len)
			wg_log(w, "No data received.\n");
		else
			wg_log(w, "Read error (%s) in headers.\n", why ? why : "Success");
		wg_retry(w);
		return;
	}
	wg_stamp(stamp, sizeof(stamp));
	wg_rate(rate, sizeof(rate), w->got, wg_secs(loop_clock() - w->t_start), false);
	if (!r)
		wg_log(w, "%s (%s) - Connection closed at byte %llu. ", stamp, rate,
		       (unsigned long long)w->got);
	else if (w->resp.has_length)
		wg_log(w, "%s (%s) - Read error at byte %llu/%llu (%s). ", stamp, rate,
		       (unsigned long long)w->got, (unsigned long long)w->resp.content_length, why);
	else
		wg_log(w, "%s (%s) - Read error at byte %llu (%s). ", stamp, rate,
		       (unsigned long long)w->got, why);
	wg_retry(w);
}

static void wg_readable(struct sock *sk, void *ctx)
{
	struct wget *w = ctx;

	(void)sk;
	while (!w->finished && w->sk == sk) {
		int r;

		if (w->state == WG_HEADERS) {
			size_t end;

			r = sock_recv(sk, w->hdr + w->hdr_len, WG_HDR_MAX - w->hdr_len);
			if (r == -EAGAIN)
				return;
			if (r <= 0) {
				wg_read_error(w, r);
				return;
			}
			w->hdr_len += (unsigned)r;
			wg_arm_read(w);
			end = http_header_end(w->hdr, w->hdr_len);
			if (end) {
				wg_response(w, end);
			} else if (w->hdr_len == WG_HDR_MAX) {
				wg_log(w, "Read error (%s) in headers.\n", strerror(ENOBUFS));
				wg_retry(w);
				return;
			}
			continue;
		}
		if (w->state != WG_BODY && w->state != WG_DISCARD) {
			/* idle: a kept connection the server closes */
			r = sock_recv(sk, w->buf, sizeof(w->buf));
			if (r == -EAGAIN)
				return;
			wg_drop_conn(w);
			return;
		}
		r = sock_recv(sk, w->buf, sizeof(w->buf));
		if (r == -EAGAIN)
			return;
		if (w->state == WG_DISCARD) {
			if (r <= 0) {
				wg_drop_conn(w);
				wg_url_done(w, 0);
				return;
			}
			w->discard_left -= (uint64_t)r < w->discard_left ? (uint64_t)r
									: w->discard_left;
			if (!w->discard_left) {
				w->state = WG_IDLE;
				w->reusable = true;
				wg_url_done(w, 0);
			}
			continue;
		}
		if (r <= 0 && (r < 0 || w->resp.has_length || w->resp.chunked)) {
			wg_read_error(w, r);
			return;
		}
		if (r == 0) {
			wg_saved(w); /* no length: the close ends the body */
			return;
		}
		wg_arm_read(w);
		if (w->resp.chunked)
			wg_chunked(w, w->buf, (size_t)r);
		else
			wg_body(w, w->buf, (size_t)r);
	}
}

static void wg_connected(struct sock *sk, int err, void *ctx)
{
	struct wget *w = ctx;

	(void)sk;
	timer_del(&w->timer);
	if (err) {
		wg_log(w, "failed: %s.\n", strerror(-err));
		if (err == -ECONNREFUSED) {
			wg_drop_conn(w);
			wg_url_done(w, 4); /* not retried without --retry-connrefused */
			return;
		}
		wg_retry(w);
		return;
	}
	wg_log(w, "connected.\n");
	w->conn_addr = w->addr;
	w->conn_port = w->port;
	wg_send_request(w);
	if (!w->finished && w->state == WG_HEADERS)
		wg_readable(w->sk, w);
}

static void wg_gone(struct sock *sk, void *ctx)
{
	struct wget *w = ctx;

	(void)sk;
	w->sk = NULL;
	wg_status(w, 4);
	wg_finish(w);
}

static const struct sock_ops wg_sock_ops = {
	.readable = wg_readable,
	.connected = wg_connected,
	.gone = wg_gone,
};

static void wg_timeout(struct timer *t)
{
	struct wget *w = container_of(t, struct wget, timer);

	switch (w->state) {
	case WG_WAIT:
		wg_try(w);
		break;
	case WG_CONNECTING:
		wg_log(w, "failed: %s.\n", strerror(ETIMEDOUT));
		wg_retry(w);
		break;
	case WG_HEADERS:
	case WG_BODY:
		wg_read_error(w, -ETIMEDOUT);
		break;
	case WG_DISCARD:
		wg_drop_conn(w);
		wg_url_done(w, 0);
		break;
	case WG_IDLE:
		break;
	}
}

/* One attempt at the current URL. */
static void wg_try(struct wget *w)
{
	char stamp[32], tryb[32] = "";
	int err;

	wg_stamp(stamp, sizeof(stamp));
	if (w->try_no > 1)
		snprintf(tryb, sizeof(tryb), "(try:%2d)  ", w->try_no);
	wg_log(w, "--%s--  %s%s\n", stamp, tryb, w->url);
	if (!w->resolved) {
		/* no resolver in nsemu: what wget prints for an unknown name */
		wg_log(w, "Resolving %s (%s)... failed: Name or service not known.\n", w->host,
		       w->host);
		wg_log(w, "wget: unable to resolve host address \u2018%s\u2019\n", w->host);
		wg_drop_conn(w);
		wg_url_done(w, 4);
		return;
	}
	if (w->sk && w->reusable && w->conn_addr == w->addr && w->conn_port == w->port) {
		wg_log(w, "Reusing existing connection to %s.\n", w->hostport);
		wg_send_request(w);
		if (!w->finished && w->state == WG_HEADERS)
			wg_readable(w->sk, w);
		return;
	}
	wg_log(w, "Connecting to %s... ", w->hostport);
	w->state = WG_CONNECTING;
	if (w->sk && w->sk_fresh) {
		err = 0; /* made by wg_retry */
		w->sk_fresh = false;
	} else {
		wg_drop_conn(w);
		err = sock_create(w->ns, AF_INET, SOCK_STREAM, IPPROTO_TCP, &wg_sock_ops, w,
				  &w->sk);
	}
	if (!err)
		err = sock_connect(w->sk, w->addr, w->port);
	if (err != -EINPROGRESS) {
		wg_log(w, "failed: %s.\n", strerror(-err));
		wg_drop_conn(w);
		if (err == -ECONNREFUSED)
			wg_url_done(w, 4);
		else
			wg_retry(w);
		return;
	}
	if (w->timeout_s)
		timer_mod(&w->timer, loop_now() + (uint64_t)w->timeout_s * NSEC_PER_SEC);
}

static void wg_next_url(struct wget *w)
{
	while (!w->finished && w->cur < w->nurls) {
		int st = wg_parse_url(w, w->urls[w->cur]);

		if (st) {
			wg_status(w, st);
			w->cur++;
			continue;
		}
		w->try_no = 1;
		w->redirects = 0;
		wg_try(w);
		return;
	}
	if (!w->finished)
		wg_finish(w);
}

static void wget_start(struct app *a, struct netns *ns)
{
	struct wget *w = app_priv(a);

	w->app = a;
	w->ns = ns;
	timer_init(&w->timer, wg_timeout);
	w->wall_start = loop_clock();
	if (w->out_path[0] && !w->to_stdout) {
		w->out = fopen(w->out_path, "wb");
		if (!w->out) {
			app_eprintf(a, "%s: %s\n", w->out_path, strerror(errno));
			w->status = 3;
			wg_finish(w);
			return;
		}
		w->out_shared = true;
	}
	if (w->to_stdout)
		w->out_shared = true;
	wg_next_url(w);
}

static void wget_stop(struct app *a)
{
	struct wget *w = app_priv(a);

	wg_status(w, 1);
	wg_finish(w);
}

static const struct app_ops wget_app_ops = {
	.name = "wget",
	.start = wget_start,
	.stop = wget_stop,
};

static void wget_usage(FILE *f)
{
	fprintf(f, "Usage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n");
}

struct app *wget_app_create(struct cli_ctx *c, int argc, char **argv, int *status, bool *bg)
{
	struct app_opt o;
	struct wget *w;
	struct app *a;
	int ch;

	*bg = false;
	*status = 2;
	if (argc > 1 && !strcmp(argv[argc - 1], "&")) {
		*bg = true;
		argc--;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		fprintf(c->err, "wget: %s\n", strerror(ENOMEM));
		*status = 1;
		return NULL;
	}
	w->tries = 20;
	app_opt_init(&o, "wget", APP_OPT_IPUTILS, c->err, argc, argv);
	while ((ch = app_opt_next(&o, "qO:T:t:h")) != -1) {
		double secs;
		long long v;

		switch (ch) {
		case 'q':
			w->quiet = true;
			break;
		case 'O':
			if (strlen(o.arg) >= sizeof(w->out_path)) {
				fprintf(c->err, "wget: %s\n", strerror(ENAMETOOLONG));
				goto out_free;
			}
			snprintf(w->out_path, sizeof(w->out_path), "%s", o.arg);
			w->to_stdout = !strcmp(o.arg, "-");
			break;
		case 'T':
			if (app_parse_seconds(o.arg, &secs) || secs < 0 || secs > 86400) {
				fprintf(c->err, "wget: -T: Invalid time period \u2018%s\u2019\n", o.arg);
				goto out_free;
			}
			w->timeout_s = secs > 0 && secs < 1 ? 1 : (long)secs;
			break;
		case 't':
			if (!strcmp(o.arg, "inf")) {
				w->tries = 0;
				break;
			}
			if (app_opt_num(&o, 0, 1000000, &v))
				goto out_free;
			w->tries = (int)v;
			break;
		default:
			goto usage;
		}
	}
	if (!o.npos) {
		fprintf(c->err, "wget: missing URL\n");
		wget_usage(c->err);
		*status = 1;
		goto out_free;
	}
	if (o.npos > WG_MAXURLS) {
		fprintf(c->err, "wget: at most %d URLs\n", WG_MAXURLS);
		goto out_free;
	}
	for (int i = 0; i < o.npos; i++) {
		if (strlen(o.pos[i]) >= sizeof(w->urls[i]) - 16) {
			fprintf(c->err, "wget: %s\n", strerror(ENAMETOOLONG));
			goto out_free;
		}
		snprintf(w->urls[i], sizeof(w->urls[i]), "%s", o.pos[i]);
	}
	w->nurls = o.npos;
	a = app_create(&wget_app_ops, w);
	if (!a) {
		fprintf(c->err, "wget: %s\n", strerror(ENOMEM));
		*status = 1;
		goto out_free;
	}
	return a;

usage:
	wget_usage(c->err);
out_free:
	free(w);
	return NULL;
}

int cmd_wget(struct cli_ctx *c, int argc, char **argv)
{
	int status;
	bool bg;
	struct app *a = wget_app_create(c, argc, argv, &status, &bg);

	if (!a)
		return status;
	return bg ? app_run_background(c, a, "wget") : app_run(c, a);
}
