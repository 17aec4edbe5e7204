// SPDX-License-Identifier: MIT
/*
 * Unit tests for the built-in iperf3 (cli/app_iperf.c, app_iperf_report.c,
 * iperf_json.c): the JSON reader and cJSON-style printer, iperf3's unit
 * formatting, the parameter errors word for word, and whole tests
 * between nsemu's server and client over the loopback of one namespace on
 * the fake clock (the output's lines as iperf3 prints them; -P 2; -R;
 * a busy server's ACCESS_DENIED), plus a client that sends the server
 * garbage: an error line, no crash, and the server takes the next test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness/harness.h"

#include "cli/app.h"
#include "cli/app_iperf.h"
#include "cli/cmd.h"
#include "cli/iperf_json.h"
#include "netns/core/sock.h"

static struct netns *ns;
static struct netdev *eth0;
static char sout[65536], cout[65536];

static int setup(void **state)
{
	(void)state;
	ns = h_host("h", &eth0);
	sout[0] = cout[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

static struct app *make(const char *line, int *status, char *errbuf, size_t errlen)
{
	struct cli_ctx c;
	char *argv[32], *copy = strdup(line), *tok, *save = NULL;
	int argc = 0;
	bool bg;
	struct app *a;
	FILE *err = fmemopen(errbuf, errlen, "w");

	memset(&c, 0, sizeof(c));
	c.out = err;
	c.err = err;
	for (tok = strtok_r(copy, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	a = iperf_app_create(&c, argc, argv, status, &bg);
	fclose(err);
	free(copy);
	return a;
}

static struct app *start(const char *line)
{
	char err[512];
	int status;
	struct app *a = make(line, &status, err, sizeof(err));

	if (!a)
		fail_msg("%s: %s", line, err);
	app_start_here(a, ns);
	h_run();
	return a;
}

static void collect(struct app *a, char *buf)
{
	size_t n = strlen(buf);

	app_read_output(a, buf + n, sizeof(sout) - n);
}

/* Run the fake clock in @step steps until @c (and @s, if not NULL) exit. */
static void run_until_exit(struct app *s, struct app *c, uint64_t step, unsigned max)
{
	for (unsigned i = 0; i < max; i++) {
		if (app_exited(c, NULL) && (!s || app_exited(s, NULL)))
			return;
		h_advance(step);
		collect(c, cout);
		if (s)
			collect(s, sout);
	}
	fail_msg("no end after %u steps; client:\n%s\nserver:\n%s", max, cout, sout);
}

static int finish(struct app *a, char *buf)
{
	int status = -1;

	collect(a, buf);
	assert_true(app_exited(a, &status));
	app_destroy(a);
	return status;
}

/* The line of @text that starts with @prefix (NULL: none). */
static const char *line_with(const char *text, const char *prefix, const char *suffix)
{
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);

		if (!strncmp(l, prefix, strlen(prefix)) &&
		    (!suffix || (n >= strlen(suffix) && !strncmp(l + n - strlen(suffix), suffix,
								  strlen(suffix)))))
			return l;
		if (!e)
			break;
		l = e + 1;
	}
	return NULL;
}

/* ---- JSON ---- */

static void test_iperf_json_parse_and_print(void **state)
{
	const char *in = "{\"tcp\":true,\"omit\":0,\"time\":1,\"num\":0,\"parallel\":2,"
			 "\"len\":131072,\"s\":\"a\\\"b\\u0041\",\"x\":[1,2.5,null,false],"
			 "\"big\":18446744073709551615}";
	struct ijson *j = ijson_parse(in, strlen(in)), *o;
	char *s;

	(void)state;
	assert_non_null(j);
	assert_true(ijson_get_bool(j, "tcp", false));
	assert_int_equal((int)ijson_get_num(j, "parallel", 0), 2);
	assert_int_equal((int)ijson_get_num(j, "len", 0), 131072);
	assert_string_equal(ijson_get(j, "s")->str, "a\"bA");
	assert_true(ijson_get_num(j, "big", 0) > 1.8e19);
	assert_int_equal((int)ijson_get_num(j, "missing", -7), -7);
	ijson_free(j);

	/* cJSON's layouts: unformatted on the wire, tabs for --json */
	o = ijson_new(IJSON_OBJECT);
	ijson_add_num(o, "a", 5);
	ijson_add_num(o, "f", 1.0200129747390747);
	ijson_add_u64(o, "r", UINT64_MAX);
	ijson_add_num(ijson_add_obj(ijson_add_arr(o, "arr"), NULL), "socket", 5);
	s = ijson_print(o, false);
	assert_string_equal(s, "{\"a\":5,\"f\":1.0200129747390747,\"r\":18446744073709551615,"
			       "\"arr\":[{\"socket\":5}]}");
	free(s);
	s = ijson_print(o, true);
	assert_string_equal(s, "{\n\t\"a\":\t5,\n\t\"f\":\t1.0200129747390747,\n"
			       "\t\"r\":\t18446744073709551615,\n"
			       "\t\"arr\":\t[{\n\t\t\t\"socket\":\t5\n\t\t}]\n}");
	free(s);
	ijson_free(o);
}

static void test_iperf_json_rejects_bad_input(void **state)
{
	static const char *const bad[] = {
		"", "{", "{\"a\"}", "{\"a\":}", "[1,]", "{\"a\":1,}", "\"abc", "tru", "1e999",
		"{\"a\":1} x", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{a:1}",
	};
	char deep[200];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_null(ijson_parse(bad[i], strlen(bad[i])));
	memset(deep, '[', sizeof(deep)); /* deeper than the parser goes */
	assert_null(ijson_parse(deep, sizeof(deep)));
}

/* ---- units and parameters ---- */

static void test_iperf_units_as_iperf3(void **state)
{
	char s[32];

	(void)state;
	iperf_unit(s, sizeof(s), 10670000, 'A');
	assert_string_equal(s, "10.2 MByte");
	iperf_unit(s, sizeof(s), 10670000 / 1.0002, 'a');
	assert_string_equal(s, "85.3 Mbit");
	iperf_unit(s, sizeof(s), 1259470848, 'A');
	assert_string_equal(s, "1.17 GByte");
	iperf_unit(s, sizeof(s), 657408, 'A');
	assert_string_equal(s, " 642 KByte");
	iperf_unit(s, sizeof(s), 0, 'a');
	assert_string_equal(s, "0.00 bit");
}

static void test_iperf_parameter_errors(void **state)
{
	static const struct {
		const char *line, *first;
	} cases[] = {
		{ "iperf3", "iperf3: parameter error - must either be a client (-c) or server (-s)\n" },
		{ "iperf3 -s -c 1.2.3.4", "iperf3: parameter error - cannot be both server and client\n" },
		{ "iperf3 -c 1.2.3.4 -P 200",
		  "iperf3: parameter error - number of parallel streams too large (maximum = 128)\n" },
		{ "iperf3 -c 1.2.3.4 -p 0",
		  "iperf3: parameter error - port number must be between 1 and 65535 inclusive\n" },
		{ "iperf3 -s -p 70000",
		  "iperf3: parameter error - port number must be between 1 and 65535 inclusive\n" },
		{ "iperf3 -s -R",
		  "iperf3: parameter error - some option you are trying to set is client only\n" },
		{ "iperf3 -c 1.2.3.4 -1",
		  "iperf3: parameter error - some option you are trying to set is server only\n" },
		{ "iperf3 -c 1.2.3.4 -i 0.01",
		  "iperf3: parameter error - invalid report interval (min = 0.1, max = 60 seconds)\n" },
		{ "iperf3 -c 1.2.3.4 -t 90000",
		  "iperf3: parameter error - test duration too long (maximum = 86400 seconds)\n" },
		{ "iperf3 -c 1.2.3.4 -n 10M -t 5", "iperf3: parameter error - only one test end "
						    "condition (-t, -n, -k) may be specified\n" },
		{ "iperf3 -c 1.2.3.4 -l 20M",
		  "iperf3: parameter error - block size too large (maximum = 1048576 bytes)\n" },
		{ "iperf3 -c 1.2.3.4 -x", "iperf3: invalid option -- 'x'\n" },
		{ "iperf3 -c 1.2.3.4 --jsonx", "iperf3: unrecognized option '--jsonx'\n" },
		{ "iperf3 -c", "iperf3: option requires an argument -- 'c'\n" },
		{ "iperf3 -c 1.2.3.4 -t", "iperf3: option requires an argument -- 't'\n" },
		{ "iperf3 -c 1.2.3.4 -P 0", "iperf3: parameter error - number of parallel streams "
					    "must be at least 1\n" },
		{ "iperf3 -c 1.2.3.4 -t 0", "iperf3: parameter error - test duration must be at "
					    "least 1 second (nsemu runs no endless test)\n" },
		{ "iperf3 -c host.example", "iperf3: error - unable to resolve host: host.example: "
					    "Name or service not known\n" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char err[1024] = "";
		int status = 0;
		struct app *a = make(cases[i].line, &status, err, sizeof(err));

		assert_null(a);
		assert_int_equal(status, 1);
		if (strncmp(err, cases[i].first, strlen(cases[i].first)))
			fail_msg("%s: got \"%s\"", cases[i].line, err);
	}
}

/* ---- whole tests over the loopback ---- */

static void test_iperf_bytes_test_client_and_server(void **state)
{
	struct app *s = start("iperf3 -s -1");
	struct app *c;
	const char *l;

	(void)state;
	collect(s, sout);
	assert_string_equal(sout, "-----------------------------------------------------------\n"
				  "Server listening on 5201 (test #1)\n"
				  "-----------------------------------------------------------\n");
	c = start("iperf3 -c 127.0.0.1 -n 1M -l 65536");
	run_until_exit(s, c, NSEC_PER_MSEC, 5000);
	assert_int_equal(finish(c, cout), 0);
	assert_int_equal(finish(s, sout), 0);

	assert_non_null(strstr(cout, "Connecting to host 127.0.0.1, port 5201\n"));
	assert_non_null(line_with(cout, "[  5] local 127.0.0.1 port ", "connected to 127.0.0.1 port 5201"));
	assert_non_null(strstr(cout, "[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n"));
	assert_non_null(strstr(cout, "- - - - - - - - - - - - - - - - - - - - - - - - -\n"
				     "[ ID] Interval           Transfer     Bitrate         Retr\n"));
	/* -n 1M sends whole blocks: exactly 1 MByte, no retransmission */
	l = line_with(cout, "[  5]   0.00-", "sender");
	assert_non_null(l);
	assert_non_null(strstr(l, "sec  1.00 MBytes "));
	assert_non_null(strstr(l, "/sec    0             sender"));
	assert_non_null(line_with(cout, "[  5]   0.00-", "                  receiver"));
	assert_non_null(strstr(cout, "\niperf Done.\n"));

	assert_non_null(strstr(sout, "Accepted connection from 127.0.0.1, port "));
	assert_non_null(line_with(sout, "[  5] local 127.0.0.1 port 5201 connected to 127.0.0.1 port ", NULL));
	assert_non_null(strstr(sout, "[ ID] Interval           Transfer     Bitrate\n"));
	assert_non_null(line_with(sout, "[  5]   0.00-", "                  receiver"));
	assert_null(strstr(sout, "sender"));
	assert_null(strstr(sout, "iperf Done."));
}

/* -t 1 on the fake clock: the interval timer prints 0.00-1.00 exactly,
 * two streams are numbered as iperf3 numbers them, and [SUM] lines. */
static void test_iperf_time_test_two_streams(void **state)
{
	struct app *s = start("iperf3 -s -1");
	struct app *c = start("iperf3 -c 127.0.0.1 -t 1 -P 2");

	(void)state;
	run_until_exit(s, c, 10 * NSEC_PER_MSEC, 1000);
	assert_int_equal(finish(c, cout), 0);
	assert_int_equal(finish(s, sout), 0);
	assert_non_null(line_with(cout, "[  5] local 127.0.0.1 port ", "port 5201"));
	assert_non_null(line_with(cout, "[  7] local 127.0.0.1 port ", "port 5201"));
	assert_non_null(line_with(sout, "[  5] local 127.0.0.1 port 5201 ", NULL));
	assert_non_null(line_with(sout, "[  8] local 127.0.0.1 port 5201 ", NULL));
	assert_non_null(line_with(cout, "[  5]   0.00-1.00   sec ", "Bytes       "));
	assert_non_null(line_with(cout, "[  7]   0.00-1.00   sec ", NULL));
	assert_non_null(line_with(cout, "[SUM]   0.00-1.00   sec ", "             "));
	assert_non_null(line_with(cout, "[  5]   0.00-1.00   sec ", "sender"));
	assert_non_null(line_with(cout, "[  7]   0.00-1.00   sec ", "sender"));
	assert_non_null(line_with(cout, "[SUM]   0.00-1.00   sec ", "sender"));
	assert_non_null(line_with(cout, "[SUM]   0.00-1.", "receiver"));
	assert_non_null(line_with(sout, "[SUM]   0.00-1.", "receiver"));
}

/* -R: the server sends (its lines carry Retr and Cwnd), the client's
 * summary takes the sender's line from the server's results. */
static void test_iperf_reverse(void **state)
{
	struct app *s = start("iperf3 -s -1");
	struct app *c = start("iperf3 -c 127.0.0.1 -n 512K -R");
	const char *l;

	(void)state;
	run_until_exit(s, c, NSEC_PER_MSEC, 5000);
	assert_int_equal(finish(c, cout), 0);
	assert_int_equal(finish(s, sout), 0);
	assert_non_null(strstr(cout, "Reverse mode, remote host 127.0.0.1 is sending\n"));
	/* the sender's line comes from the server's results: 512 KBytes */
	l = line_with(cout, "[  5]   0.00-", "             sender");
	if (!l || strncmp(l + 25, " 512 KBytes ", 12))
		fail_msg("%s", cout);
	assert_non_null(strstr(sout, "[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n"));
	assert_non_null(line_with(sout, "[  5]   0.00-", "sender"));
	assert_null(strstr(sout, "receiver"));
}

/* A second client while a test runs is told ACCESS_DENIED. */
static void test_iperf_busy_server_denies(void **state)
{
	struct app *s = start("iperf3 -s");
	struct app *c1 = start("iperf3 -c 127.0.0.1 -t 2");
	struct app *c2;
	char c2out[4096] = "";
	int status = -1;

	(void)state;
	h_advance(100 * NSEC_PER_MSEC);
	c2 = start("iperf3 -c 127.0.0.1 -t 1");
	for (int i = 0; i < 100 && !app_exited(c2, NULL); i++)
		h_advance(NSEC_PER_MSEC);
	app_read_output(c2, c2out, sizeof(c2out));
	assert_true(app_exited(c2, &status));
	assert_int_equal(status, 1);
	assert_string_equal(c2out, "Connecting to host 127.0.0.1, port 5201\n"
				   "iperf3: error - the server is busy running a test. try again later\n");
	app_destroy(c2);
	run_until_exit(NULL, c1, 10 * NSEC_PER_MSEC, 1000);
	assert_int_equal(finish(c1, cout), 0);
	assert_non_null(strstr(cout, "iperf Done.\n"));
	collect(s, sout);
	assert_non_null(strstr(sout, "Server listening on 5201 (test #2)\n"));
	app_request_stop(s);
	h_run();
	assert_int_equal(finish(s, sout), 1);
	assert_non_null(strstr(sout, "iperf3: interrupt - the server has terminated\n"));
}

/* A fake client: the cookie, then a parameter blob that claims 4 GB. */
static void noop_readable(struct sock *sk, void *ctx)
{
	char b[64];

	(void)ctx;
	while (sock_recv(sk, b, sizeof(b)) > 0)
		;
}

static const struct sock_ops raw_ops = { .readable = noop_readable };

static void test_iperf_server_survives_bad_params(void **state)
{
	struct app *s = start("iperf3 -s");
	struct sock *sk;
	static const char cookie[IPERF_COOKIE_SIZE] = "abcdefghijklmnopqrstuvwxyz2345672345";
	const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };
	const char bad[] = "\0\0\0\x05{\"tcp";
	struct app *c;

	(void)state;
	/* 1: a length over the limit */
	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &raw_ops, NULL, &sk), 0);
	assert_int_equal(sock_connect(sk, htonl(0x7f000001), 5201), -EINPROGRESS);
	h_advance(NSEC_PER_MSEC);
	assert_int_equal(sock_send(sk, cookie, sizeof(cookie)), (int)sizeof(cookie));
	h_advance(NSEC_PER_MSEC);
	assert_int_equal(sock_send(sk, huge, sizeof(huge)), 4);
	h_advance(NSEC_PER_MSEC);
	sock_close(sk);
	/* 2: a blob that is not JSON */
	assert_int_equal(sock_create(ns, AF_INET, SOCK_STREAM, 0, &raw_ops, NULL, &sk), 0);
	assert_int_equal(sock_connect(sk, htonl(0x7f000001), 5201), -EINPROGRESS);
	h_advance(NSEC_PER_MSEC);
	assert_int_equal(sock_send(sk, cookie, sizeof(cookie)), (int)sizeof(cookie));
	assert_int_equal(sock_send(sk, bad, sizeof(bad) - 1), (int)sizeof(bad) - 1);
	h_advance(NSEC_PER_MSEC);
	sock_close(sk);
	h_advance(NSEC_PER_MSEC);
	collect(s, sout);
	assert_non_null(strstr(sout, "iperf3: error - unable to receive parameters from client\n"
				     "-----------------------------------------------------------\n"
				     "Server listening on 5201 (test #2)\n"));
	assert_non_null(strstr(sout, "Server listening on 5201 (test #3)\n"));
	/* and a real test still runs */
	c = start("iperf3 -c 127.0.0.1 -n 256K");
	run_until_exit(NULL, c, NSEC_PER_MSEC, 5000);
	assert_int_equal(finish(c, cout), 0);
	assert_non_null(strstr(cout, "iperf Done.\n"));
	app_request_stop(s);
	h_run();
	assert_int_equal(finish(s, sout), 1);
}

static void test_iperf_refused_and_json_error(void **state)
{
	struct app *c = start("iperf3 -c 127.0.0.1 -p 5999 -t 1");
	struct app *j;
	char jout[4096] = "";

	(void)state;
	run_until_exit(NULL, c, NSEC_PER_MSEC, 100);
	assert_int_equal(finish(c, cout), 1);
	assert_string_equal(cout, "iperf3: error - unable to connect to server: Connection refused\n");
	j = start("iperf3 -c 127.0.0.1 -p 5999 -t 1 --json");
	run_until_exit(NULL, j, NSEC_PER_MSEC, 100);
	assert_int_equal(finish(j, jout), 1);
	/* iperf3 -J reports the error inside the document */
	assert_non_null(strstr(jout, "{\n\t\"start\":\t{\n"));
	assert_non_null(strstr(jout, "\t\"intervals\":\t[],\n\t\"end\":\t{\n\t},\n"
				     "\t\"error\":\t\"unable to connect to server: Connection refused\"\n}\n"));
}

/* Ctrl-C on the client: its summary with the receiver's side at 0 bytes,
 * no "iperf Done.", CLIENT_TERMINATE to the server, which says so and
 * waits for the next test. */
static void test_iperf_client_interrupted(void **state)
{
	struct app *s = start("iperf3 -s");
	struct app *c = start("iperf3 -c 127.0.0.1 -t 5");

	(void)state;
	for (int i = 0; i < 150; i++)
		h_advance(10 * NSEC_PER_MSEC);
	app_request_stop(c);
	run_until_exit(NULL, c, NSEC_PER_MSEC, 100);
	assert_int_equal(finish(c, cout), 1);
	for (int i = 0; i < 10; i++)
		h_advance(NSEC_PER_MSEC);
	collect(s, sout);
	if (!line_with(cout, "[  5]   1.00-1.", NULL))
		fail_msg("%s", cout);
	assert_non_null(line_with(cout, "[  5]   0.00-1.", "             sender"));
	assert_non_null(strstr(cout, " sec  0.00 Bytes  0.00 bits/sec                  receiver\n"));
	assert_null(strstr(cout, "iperf Done."));
	assert_non_null(strstr(cout, "iperf3: interrupt - the client has terminated\n"));
	assert_non_null(strstr(sout, "iperf3: the client has terminated\n"));
	assert_non_null(strstr(sout, "Server listening on 5201 (test #2)\n"));
	app_request_stop(s);
	h_run();
	assert_int_equal(finish(s, sout), 1);
}

static void test_iperf_json_output(void **state)
{
	struct app *s = start("iperf3 -s -1");
	struct app *c = start("iperf3 -c 127.0.0.1 -n 1M -J");
	struct ijson *j;
	const struct ijson *end, *st;

	(void)state;
	run_until_exit(s, c, NSEC_PER_MSEC, 5000);
	assert_int_equal(finish(c, cout), 0);
	assert_int_equal(finish(s, sout), 0);
	j = ijson_parse(cout, strlen(cout));
	assert_non_null(j);
	assert_non_null(ijson_get(ijson_get(j, "start"), "connected"));
	assert_string_equal(ijson_get(ijson_get(j, "start"), "version")->str, "iperf 3.12");
	assert_int_equal((int)ijson_get_num(ijson_get(ijson_get(j, "start"), "test_start"),
					    "num_streams", 0), 1);
	assert_non_null(ijson_get(j, "intervals"));
	end = ijson_get(j, "end");
	assert_non_null(end);
	assert_int_equal((int)ijson_get_num(ijson_get(end, "sum_sent"), "bytes", 0), 1048576);
	assert_true(ijson_get_num(ijson_get(end, "sum_received"), "bytes", 0) > 0);
	st = ijson_get(end, "streams");
	assert_non_null(st);
	assert_int_equal((int)ijson_get_num(ijson_get(st->child, "sender"), "socket", 0), 5);
	assert_non_null(ijson_get(end, "cpu_utilization_percent"));
	ijson_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_iperf_json_parse_and_print),
		T(test_iperf_json_rejects_bad_input),
		T(test_iperf_units_as_iperf3),
		T(test_iperf_parameter_errors),
		T(test_iperf_bytes_test_client_and_server),
		T(test_iperf_time_test_two_streams),
		T(test_iperf_reverse),
		T(test_iperf_busy_server_denies),
		T(test_iperf_server_survives_bad_params),
		T(test_iperf_refused_and_json_error),
		T(test_iperf_client_interrupted),
		T(test_iperf_json_output),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
