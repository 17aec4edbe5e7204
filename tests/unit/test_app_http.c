// SPDX-License-Identifier: MIT
/*
 * Unit tests for the HTTP apps (cli/http.c, cli/app_httpd.c,
 * cli/app_wget.c) without threads: the parsers on hand-made requests, then
 * httpd and wget both started on the fake worker (app_start_here) in one
 * namespace, talking over lo, with the fake clock advanced by hand: files
 * saved and named as wget names them, keep-alive, chunked responses and a
 * redirect from a hand-made server, the exit statuses
 * (0, 4 refused or timed out, 8 server error), 408 for a request that
 * never completes, the usage errors, and app_exit's deferred free.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/harness/harness.h"

#include "cli/app.h"
#include "cli/cmd.h"
#include "cli/http.h"
#include "core/timer.h"
#include "netns/core/sock.h"

static struct netns *ns;
static char dir[64], cwd[4096];
static char out[65536];

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/www/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int setup(void **state)
{
	struct netdev *eth0;
	char path[128];

	(void)state;
	ns = h_host("h", &eth0);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(dir, sizeof(dir), "/tmp/nsemu-http-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/www", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file("hello.txt", "hello\n", 6);
	/* wget saves into the current directory */
	assert_int_equal(chdir(dir), 0);
	out[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	h_teardown();
	assert_int_equal(chdir(cwd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

typedef struct app *(*create_fn)(struct cli_ctx *c, int argc, char **argv, int *status, bool *bg);

/* Build an app from a command line as the CLI would; NULL with *status
 * and the message in errbuf on a usage error. */
static struct app *make(create_fn fn, const char *line, int *status, char *errbuf, size_t len)
{
	struct cli_ctx c;
	char *argv[32], *copy = strdup(line), *tok, *save = NULL;
	int argc = 0;
	bool bg;
	struct app *a;
	FILE *err = fmemopen(errbuf, len, "w");

	memset(&c, 0, sizeof(c));
	c.out = stdout;
	c.err = err;
	for (tok = strtok_r(copy, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	a = fn(&c, argc, argv, status, &bg);
	fclose(err);
	free(copy);
	return a;
}

static struct app *start(create_fn fn, const char *line)
{
	char err[256] = "";
	int status;
	struct app *a = make(fn, line, &status, err, sizeof(err));

	if (!a)
		fail_msg("%s: %s", line, err);
	app_start_here(a, ns);
	h_run();
	return a;
}

static struct app *httpd(void)
{
	char line[128];

	snprintf(line, sizeof(line), "httpd -q -t 2 -p 8080 -d %s/www", dir);
	return start(httpd_app_create, line);
}

/* Run until @a exits (at most @ms of fake time); its status, output in out. */
static int run_until_exit(struct app *a, unsigned ms)
{
	int status = -1;

	for (unsigned i = 0; i < ms && !app_exited(a, NULL); i++)
		h_advance(NSEC_PER_MSEC);
	app_read_output(a, out, sizeof(out));
	assert_true(app_exited(a, &status));
	app_destroy(a);
	return status;
}

static void stop(struct app *a)
{
	app_request_stop(a);
	h_run();
	assert_true(app_exited(a, NULL));
	app_destroy(a);
}

static char *slurp(const char *path, size_t *len)
{
	static char buf[300000];
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

/* ---- parsers ---- */

static int parse(const char *text, struct http_req *r)
{
	static char buf[HTTP_REQ_MAX];
	size_t len = strlen(text), end;

	memcpy(buf, text, len);
	end = http_header_end(buf, len);
	assert_int_not_equal(end, 0);
	return http_parse_request(buf, end, r);
}

static void test_http_parse_request(void **state)
{
	struct http_req r;

	(void)state;
	assert_int_equal(parse("GET /a HTTP/1.1\r\nHost: x\r\n\r\n", &r), 0);
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.target, "/a");
	assert_int_equal(r.minor, 1);
	assert_false(r.conn_close);
	/* bare LF line ends, empty lines first, Connection as a list */
	assert_int_equal(parse("\r\nHEAD / HTTP/1.0\nConnection: foo, Keep-Alive\n\n", &r), 0);
	assert_true(r.conn_keepalive);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n", &r), 0);
	assert_int_equal(r.content_length, 12);
	/* 400s: no Host in 1.1, two Hosts, space before colon, no colon,
	 * folding, bad or conflicting Content-Length, malformed line */
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost : a\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.0\r\nContent-Length: 1x\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
			       &r), 400);
	assert_int_equal(parse("GET / HTTP/1.0\r\nContent-Length: 99999999999999999999\r\n\r\n",
			       &r), 400);
	assert_int_equal(parse("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET /\r\n\r\n", &r), 400);
	assert_int_equal(parse("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", &r), 400);
	assert_int_equal(parse("GET / HTTP/1.1x\r\nHost: a\r\n\r\n", &r), 400);
	/* 505 for another major version */
	assert_int_equal(parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &r), 505);
	assert_int_equal(parse("GET / HTTP/0.9\r\n\r\n", &r), 505);
	assert_int_equal(http_header_end("GET / HTTP/1.0\r\n", 16), 0);
}

static void test_http_decode_path(void **state)
{
	char p[64];

	(void)state;
	assert_int_equal(http_decode_path("/a%20b?x=../..", p, sizeof(p)), 0);
	assert_string_equal(p, "/a b");
	assert_int_equal(http_decode_path("http://host:80/x/y#frag", p, sizeof(p)), 0);
	assert_string_equal(p, "/x/y");
	assert_int_equal(http_decode_path("/x/./y..z/..a", p, sizeof(p)), 0);
	assert_int_equal(http_decode_path("/..", p, sizeof(p)), 403);
	assert_int_equal(http_decode_path("/a/../b", p, sizeof(p)), 403);
	assert_int_equal(http_decode_path("/a/%2E%2e/b", p, sizeof(p)), 403);
	assert_int_equal(http_decode_path("/a/..%2fb", p, sizeof(p)), 403);
	assert_int_equal(http_decode_path("a", p, sizeof(p)), 400);
	assert_int_equal(http_decode_path("/%zz", p, sizeof(p)), 400);
	assert_int_equal(http_decode_path("/%4", p, sizeof(p)), 400);
	assert_int_equal(http_decode_path("/%00", p, sizeof(p)), 400);
	assert_int_equal(http_decode_path("/0123456789", p, 8), 400);
	assert_string_equal(http_mime_type("/a/b.HTML"), "text/html");
	assert_string_equal(http_mime_type("/a.b/c"), "application/octet-stream");
	assert_string_equal(http_mime_type("/x.json"), "application/json");
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
	http_date(p, sizeof(p), 784111777);
	assert_string_equal(p, "Sun, 06 Nov 1994 08:49:37 GMT");
	{
		time_t t;

		assert_int_equal(http_parse_date(p, &t), 0);
		assert_int_equal(t, 784111777);
		assert_int_equal(http_parse_date("Sunday, 06-Nov-94 08:49:37 GMT", &t), -1);
		assert_int_equal(http_parse_date("Sun, 06 Foo 1994 08:49:37 GMT", &t), -1);
		assert_int_equal(http_parse_date("Sun, 06 Nov 1994 08:49:37 UTC", &t), -1);
		assert_int_equal(http_parse_date("Sun, 06 Nov 1994 25:49:37 GMT", &t), -1);
		assert_int_equal(http_parse_date("Sun, 06 Nov 1994 08:49:37 GMTx", &t), -1);
	}
}

static void test_http_parse_response(void **state)
{
	char buf[256] = "HTTP/1.0 301 Moved Permanently\r\nLocation: /x/\r\nContent-length: 0\r\n"
			"Connection: close\r\nContent-Type: text/html\r\n\r\n";
	struct http_resp r;

	(void)state;
	assert_int_equal(http_parse_response(buf, strlen(buf), &r), 0);
	assert_int_equal(r.status, 301);
	assert_string_equal(r.reason, "Moved Permanently");
	assert_string_equal(r.location, "/x/");
	assert_true(r.has_length);
	assert_true(r.conn_close);
	assert_string_equal(r.content_type, "text/html");
	strcpy(buf, "HTTP/1.1 20 OK\r\n\r\n");
	assert_int_equal(http_parse_response(buf, strlen(buf), &r), -1);
	strcpy(buf, "ICY 200 OK\r\n\r\n");
	assert_int_equal(http_parse_response(buf, strlen(buf), &r), -1);
}

/* Random and mutated header blocks through every parser: no read past
 * the buffer (ASan build), every answer one of the documented ones. */
static void test_http_parsers_take_garbage(void **state)
{
	static const char seed[] = "GET /a%20b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
				   "Connection: close\r\n\r\n";
	static const char bytes[] = "\r\n :%./aH";
	unsigned rnd = 12345;

	(void)state;
	for (unsigned iter = 0; iter < 20000; iter++) {
		size_t len = (rnd = rnd * 1103515245 + 12345) % 200 + 1, end;
		char *buf = malloc(len), path[64];
		struct http_req r;
		struct http_resp rs;
		int st;

		for (size_t i = 0; i < len; i++) {
			rnd = rnd * 1103515245 + 12345;
			/* half the runs mutate a valid request, half are noise */
			buf[i] = iter & 1 ? (char)(rnd >> 16)
			       : i < sizeof(seed) - 1 && (rnd >> 16) % 8 ? seed[i]
								     : bytes[(rnd >> 16) % (sizeof(bytes) - 1)];
		}
		end = http_header_end(buf, len);
		assert_true(end <= len);
		if (end) {
			char *copy = malloc(end);

			memcpy(copy, buf, end);
			st = http_parse_request(copy, end, &r);
			assert_true(st == 0 || st == 400 || st == 505);
			if (!st) {
				st = http_decode_path(r.target, path, sizeof(path));
				assert_true(st == 0 || st == 400 || st == 403);
			}
			memcpy(copy, buf, end);
			http_parse_response(copy, end, &rs);
			free(copy);
		}
		free(buf);
	}
}

/* ---- httpd and wget over lo ---- */

static void test_wget_saves_files_and_keeps_the_connection(void **state)
{
	static uint8_t big[200000];
	struct app *h, *w;
	size_t len;
	char *got;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13 + (i >> 10));
	write_file("big.bin", big, sizeof(big));
	h = httpd();
	w = start(wget_app_create, "wget http://127.0.0.1:8080/big.bin http://127.0.0.1:8080/hello.txt "
				   "127.0.0.1:8080/hello.txt");
	assert_int_equal(run_until_exit(w, 2000), 0);
	assert_non_null(strstr(out, "Length: 200000 (195K) [application/octet-stream]\n"
				    "Saving to: \u2018big.bin\u2019\n\n"
				    "     0K .......... .......... .......... .......... .......... 25%"));
	assert_non_null(strstr(out, "   150K .......... .......... .......... .......... .....     "
				    "100%"));
	assert_non_null(strstr(out, "\u2019 saved [200000/200000]\n\n"));
	/* the second and third URL reuse the connection; the third file is
	 * hello.txt.1 */
	assert_non_null(strstr(out, "Reusing existing connection to 127.0.0.1:8080.\n"
				    "HTTP request sent, awaiting response... 200 OK\n"
				    "Length: 6 [text/plain]\nSaving to: \u2018hello.txt\u2019\n"));
	assert_non_null(strstr(out, "Saving to: \u2018hello.txt.1\u2019\n"));
	assert_non_null(strstr(out, "Downloaded: 3 files, 195K in "));
	assert_null(strstr(out, "Connecting to 127.0.0.1:8080... connected.\nHTTP request sent, "
				"awaiting response... 200 OK\nLength: 6"));
	got = slurp("big.bin", &len);
	assert_non_null(got);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(got, big, sizeof(big));
	got = slurp("hello.txt.1", &len);
	assert_non_null(got);
	assert_int_equal(len, 6);
	assert_mib(ns, TcpActiveOpens, 1);
	stop(h);
}

static void test_wget_exit_statuses(void **state)
{
	struct app *h, *w;

	(void)state;
	h = httpd();
	/* 8: an error response; the lower 4 wins over 8 for a later refusal */
	w = start(wget_app_create, "wget -q http://127.0.0.1:8080/none");
	assert_int_equal(run_until_exit(w, 1000), 8);
	assert_string_equal(out, "");
	w = start(wget_app_create, "wget http://127.0.0.1:8080/none http://127.0.0.1:8081/");
	assert_int_equal(run_until_exit(w, 1000), 4);
	assert_non_null(strstr(out, "ERROR 404: Not Found.\n"));
	assert_non_null(strstr(out, "Connecting to 127.0.0.1:8081... failed: Connection refused.\n"));
	/* 3: the output file cannot be written */
	w = start(wget_app_create, "wget -O /nonexistent/dir/x http://127.0.0.1:8080/hello.txt");
	assert_int_equal(run_until_exit(w, 1000), 3);
	/* 1: a scheme wget does not know */
	w = start(wget_app_create, "wget ftp://127.0.0.1/x");
	assert_int_equal(run_until_exit(w, 1000), 1);
	assert_string_equal(out, "ftp://127.0.0.1/x: Unsupported scheme \u2018ftp\u2019.\n");
	stop(h);
}

/* A server that accepts and never answers: wget's read timeout, retried. */
static void test_wget_read_timeout_retries_then_gives_up(void **state)
{
	static const struct sock_ops none;
	struct sock *l;
	struct app *w;

	(void)state;
	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &none, NULL, &l), 0);
	assert_int_equal(sock_bind(l, 0, 9000), 0);
	assert_int_equal(sock_listen(l, 8), 0);
	w = start(wget_app_create, "wget -T 1 -t 2 http://127.0.0.1:9000/");
	/* 1 s timeout, 1 s wait, 1 s timeout */
	assert_int_equal(run_until_exit(w, 5000), 4);
	assert_non_null(strstr(out, "HTTP request sent, awaiting response... Read error (Connection "
				    "timed out) in headers.\nRetrying.\n\n--"));
	assert_non_null(strstr(out, "--  (try: 2)  http://127.0.0.1:9000/\n"));
	assert_non_null(strstr(out, "in headers.\nGiving up.\n\n"));
	sock_close(l);
}

/* Raw client helpers */
static struct {
	struct sock *sk;
	bool connected;
} cl;

static void cl_connected(struct sock *sk, int err, void *ctx)
{
	(void)sk;
	(void)ctx;
	cl.connected = !err;
}

static const struct sock_ops cl_ops = { .connected = cl_connected };

static void cl_connect(void)
{
	memset(&cl, 0, sizeof(cl));
	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &cl_ops, NULL, &cl.sk), 0);
	assert_int_equal(sock_connect(cl.sk, htonl(0x7f000001), 8080), -EINPROGRESS);
	h_run();
	assert_true(cl.connected);
}

static int cl_read(char *buf, size_t len)
{
	size_t n = 0;
	int r;

	while (n + 1 < len && (r = sock_recv(cl.sk, buf + n, (unsigned)(len - 1 - n))) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return (int)n;
}

static void test_httpd_idle_and_partial_requests_get_408(void **state)
{
	struct app *h;
	char buf[4096];

	(void)state;
	h = httpd();
	/* half a request, then silence: 408 after -t 2 s, then the server
	 * shuts its side */
	cl_connect();
	assert_int_equal(sock_send(cl.sk, "GET /hello.txt HT", 17), 17);
	h_advance(1900 * NSEC_PER_MSEC);
	assert_int_equal(cl_read(buf, sizeof(buf)), 0);
	h_advance(200 * NSEC_PER_MSEC);
	assert_true(cl_read(buf, sizeof(buf)) > 0);
	assert_true(!strncmp(buf, "HTTP/1.1 408 Request Timeout\r\n", 30));
	assert_non_null(strstr(buf, "Connection: close\r\n"));
	assert_int_equal(sock_recv(cl.sk, buf, sizeof(buf)), 0); /* FIN */
	sock_close(cl.sk);
	/* a kept-alive connection idle after its response closes silently */
	cl_connect();
	assert_int_equal(sock_send(cl.sk, "GET /hello.txt HTTP/1.1\r\nHost: h\r\n\r\n", 36), 36);
	h_advance(10 * NSEC_PER_MSEC);
	assert_true(cl_read(buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "Connection: keep-alive\r\n\r\nhello\n"));
	h_advance(2100 * NSEC_PER_MSEC);
	assert_int_equal(sock_recv(cl.sk, buf, sizeof(buf)), 0);
	sock_close(cl.sk);
	stop(h);
	h_advance(61ull * NSEC_PER_SEC);
}

/* If-Modified-Since: 304 without a body for a copy as new as the file,
 * 200 for an older one or a date that does not parse. */
static void test_httpd_if_modified_since(void **state)
{
	static const char *const cases[][2] = {
		{ "Thu, 01 Jan 2099 00:00:00 GMT", "HTTP/1.1 304 Not Modified\r\n" },
		{ "Thu, 01 Jan 1970 00:00:00 GMT", "HTTP/1.1 200 OK\r\n" },
		{ "yesterday", "HTTP/1.1 200 OK\r\n" },
	};
	struct app *h;
	char buf[4096], req[256];

	(void)state;
	h = httpd();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int n = snprintf(req, sizeof(req),
				 "GET /hello.txt HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: %s\r\n"
				 "Connection: close\r\n\r\n",
				 cases[i][0]);

		cl_connect();
		assert_int_equal(sock_send(cl.sk, req, (unsigned)n), n);
		h_advance(10 * NSEC_PER_MSEC);
		assert_true(cl_read(buf, sizeof(buf)) > 0);
		assert_true(!strncmp(buf, cases[i][1], strlen(cases[i][1])));
		if (i == 0) {
			assert_null(strstr(buf, "Content-Length"));
			assert_non_null(strstr(buf, "Last-Modified: "));
			assert_int_equal(strlen(strstr(buf, "\r\n\r\n")), 4); /* no body */
		} else {
			assert_non_null(strstr(buf, "\r\n\r\nhello\n"));
		}
		sock_close(cl.sk);
	}
	stop(h);
	h_advance(61ull * NSEC_PER_SEC);
}

static void test_httpd_streams_a_large_file_as_the_client_reads(void **state)
{
	static uint8_t big[1 << 20];
	struct app *h;
	char buf[65536];
	size_t total = 0;
	int r;

	(void)state;
	memset(big, 'z', sizeof(big));
	write_file("mb.bin", big, sizeof(big));
	h = httpd();
	cl_connect();
	assert_int_equal(sock_send(cl.sk, "GET /mb.bin HTTP/1.1\r\nHost: h\r\n\r\n", 33), 33);
	/* the client does not read: the server stops at what the window and
	 * its send buffer hold, and finishes once the client reads */
	h_advance(100 * NSEC_PER_MSEC);
	for (unsigned i = 0; i < 2000 && total < sizeof(big); i++) {
		while ((r = sock_recv(cl.sk, buf, sizeof(buf))) > 0)
			total += (size_t)r;
		h_advance(NSEC_PER_MSEC);
	}
	assert_true(total > sizeof(big)); /* the body and its header */
	assert_true(total < sizeof(big) + 400);
	sock_close(cl.sk);
	stop(h);
	h_advance(61ull * NSEC_PER_SEC);
}

/* A hand-made server for wget: accepts, then the test writes the answer. */
static struct sock *canned_sk;

static void canned_accept(struct sock *sk, struct sock *newsk, void *ctx)
{
	(void)sk;
	(void)ctx;
	canned_sk = newsk;
}

static const struct sock_ops canned_ops = { .accept = canned_accept };

static int wget_canned(uint16_t port, const char *const *parts, size_t nparts)
{
	char line[96];
	struct sock *l;
	struct app *w;
	char req[1024];
	int status;

	canned_sk = NULL;
	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &canned_ops, NULL, &l), 0);
	assert_int_equal(sock_bind(l, 0, port), 0);
	assert_int_equal(sock_listen(l, 8), 0);
	snprintf(line, sizeof(line), "wget -t 1 -O - http://127.0.0.1:%u/c", port);
	w = start(wget_app_create, line);
	h_advance(5 * NSEC_PER_MSEC);
	assert_non_null(canned_sk);
	assert_true(sock_recv(canned_sk, req, sizeof(req)) > 0);
	/* each part its own segment: the decoder sees every split */
	for (size_t i = 0; i < nparts; i++) {
		assert_int_equal(sock_send(canned_sk, parts[i], (unsigned)strlen(parts[i])),
				 (int)strlen(parts[i]));
		h_advance(NSEC_PER_MSEC);
	}
	status = run_until_exit(w, 1000);
	sock_close(canned_sk);
	sock_close(l);
	return status;
}

static void test_wget_decodes_chunked_responses(void **state)
{
	static const char *const good[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n"
		"Content-Length: 999\r\n\r\n5;ext=1\r\nhel",
		"lo\r", "\n7\r\n, world\r\n1", "0\r\n0123456789abcdef\r\n0\r\nX-Trailer: y\r\n", "\r\n",
	};
	static const char *const bad[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX",
	};

	(void)state;
	assert_int_equal(wget_canned(9001, good, ARRAY_SIZE(good)), 0);
	assert_non_null(strstr(out, "Length: unspecified [text/plain]\nSaving to: \u2018STDOUT\u2019\n"));
	assert_non_null(strstr(out, "hello, world0123456789abcdef"));
	assert_non_null(strstr(out, "- written to stdout [28]\n"));
	assert_int_equal(wget_canned(9002, bad, ARRAY_SIZE(bad)), 7);
	assert_non_null(strstr(out, "Malformed chunk in the response body at byte 5.\n"));
}

/* A 301 from the hand-made server to httpd's file: wget follows it. */
static void test_wget_follows_a_redirect(void **state)
{
	static const char *const moved[] = {
		"HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:8080/hello.txt\r\n"
		"Content-Length: 0\r\n\r\n",
	};
	struct app *h;

	(void)state;
	h = httpd();
	assert_int_equal(wget_canned(9003, moved, ARRAY_SIZE(moved)), 0);
	assert_non_null(strstr(out, "awaiting response... 301 Moved Permanently\n"
				    "Location: http://127.0.0.1:8080/hello.txt [following]\n--"));
	assert_non_null(strstr(out, "--  http://127.0.0.1:8080/hello.txt\n"
				    "Connecting to 127.0.0.1:8080... connected.\n"));
	assert_non_null(strstr(out, "hello\n"));
	assert_non_null(strstr(out, "- written to stdout [6/6]\n"));
	stop(h);
}

/* wget waiting between tries holds a socket, so deleting its namespace
 * ends it (status 4) instead of its timer firing into a freed namespace. */
static void test_wget_ends_when_its_namespace_goes(void **state)
{
	struct netns *bare = h_ns("bare"); /* no route: unreachable at once */
	char err[256] = "";
	int status = 0;
	struct app *w = make(wget_app_create, "wget -t 5 http://10.9.9.9/", &status, err,
			     sizeof(err));

	(void)state;
	assert_non_null(w);
	app_start_here(w, bare);
	h_run();
	assert_false(app_exited(w, NULL));
	h_ns_destroy(bare);
	h_run();
	h_advance(3 * NSEC_PER_SEC); /* past the retry wait */
	app_read_output(w, out, sizeof(out));
	assert_true(app_exited(w, &status));
	assert_int_equal(status, 4);
	assert_non_null(strstr(out, "failed: Network is unreachable.\nRetrying.\n"));
	app_destroy(w);
}

/* app_exit inside a callback: the runner must not free the app (and its
 * priv, which the callback's callers still read while they unwind) until
 * the owner is back in its loop. */
static bool exited_inside;

static void probe_start(struct app *a, struct netns *n)
{
	int *priv = app_priv(a);

	(void)n;
	app_exit(a, 5);
	exited_inside = app_exited(a, NULL);
	*priv = 1; /* what nc's and wget's loops do after app_exit */
}

static const struct app_ops probe_ops = { .name = "probe", .start = probe_start };

static void test_app_exit_frees_only_after_the_callback(void **state)
{
	int *priv = calloc(1, sizeof(*priv)), status = 0;
	struct app *a;

	(void)state;
	a = app_create(&probe_ops, priv);
	assert_non_null(a);
	app_start_here(a, ns);
	assert_false(exited_inside);
	h_run();
	assert_true(app_exited(a, &status));
	assert_int_equal(status, 5);
	assert_int_equal(*priv, 1);
	app_destroy(a);
}

static void test_usage_errors(void **state)
{
	char err[512];
	int status;

	(void)state;
	assert_null(make(wget_app_create, "wget", &status, err, sizeof(err)));
	assert_int_equal(status, 1);
	assert_string_equal(err, "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\n"
				 "Try `wget --help' for more options.\n");
	assert_null(make(wget_app_create, "wget -x http://1.2.3.4/", &status, err, sizeof(err)));
	assert_int_equal(status, 2);
	assert_string_equal(err, "wget: invalid option -- 'x'\nUsage: wget [OPTION]... [URL]...\n\n"
				 "Try `wget --help' for more options.\n");
	assert_null(make(wget_app_create, "wget -O", &status, err, sizeof(err)));
	assert_int_equal(status, 2);
	assert_null(make(httpd_app_create, "httpd -p 0", &status, err, sizeof(err)));
	assert_int_equal(status, 1);
	assert_string_equal(err, "httpd: invalid argument: '0': out of range: 1 <= value <= 65535\n");
	assert_null(make(httpd_app_create, "httpd -d /nonexistent", &status, err, sizeof(err)));
	assert_string_equal(err, "httpd: /nonexistent: No such file or directory\n");
	assert_null(make(httpd_app_create, "httpd extra", &status, err, sizeof(err)));
	assert_string_equal(err, "usage: httpd [-q] [-p PORT] [-d DIR] [-t SECS] [&]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_parse_request),
		cmocka_unit_test(test_http_decode_path),
		cmocka_unit_test(test_http_parse_response),
		cmocka_unit_test(test_http_parsers_take_garbage),
		cmocka_unit_test_setup_teardown(test_wget_saves_files_and_keeps_the_connection, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wget_exit_statuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wget_read_timeout_retries_then_gives_up, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_httpd_idle_and_partial_requests_get_408, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_httpd_if_modified_since, setup, teardown),
		cmocka_unit_test_setup_teardown(test_httpd_streams_a_large_file_as_the_client_reads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wget_decodes_chunked_responses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wget_follows_a_redirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wget_ends_when_its_namespace_goes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_app_exit_frees_only_after_the_callback, setup,
						teardown),
		cmocka_unit_test(test_usage_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
