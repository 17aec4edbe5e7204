// SPDX-License-Identifier: MIT
/*
 * Logging: the level filter and prefix of log_msg (stderr captured into a
 * temporary file), and log_ratelimit_ok letting five messages per second
 * through per call site.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/log.h"

/* Run log_msg with stderr redirected to a file; return what it wrote. */
static void capture(char *out, size_t cap, enum log_level lvl, const char *text)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	log_msg(lvl, "%s", text);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, cap - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

static void test_log_default_level_is_warn(void **state)
{
	/* the unit-test runner does not set NSEMU_LOG */
	if (getenv("NSEMU_LOG"))
		skip();
	assert_int_equal(log_level, LOG_WARN);
}

static void test_log_msg_prints_level_prefix_and_one_newline(void **state)
{
	char buf[256];
	int saved = log_level;

	log_level = LOG_WARN;
	capture(buf, sizeof(buf), LOG_ERR, "disk on fire\n");
	assert_string_equal(buf, "nsemu: error: disk on fire\n");
	capture(buf, sizeof(buf), LOG_WARN, "careful");
	assert_string_equal(buf, "nsemu: warning: careful\n");
	log_level = saved;
}

static void test_log_msg_drops_messages_above_level(void **state)
{
	char buf[256];
	int saved = log_level;

	log_level = LOG_WARN;
	capture(buf, sizeof(buf), LOG_INFO, "chatty");
	assert_string_equal(buf, "");
	capture(buf, sizeof(buf), LOG_DEBUG, "chattier");
	assert_string_equal(buf, "");
	log_level = LOG_DEBUG;
	capture(buf, sizeof(buf), LOG_DEBUG, "now shown");
	assert_string_equal(buf, "nsemu: debug: now shown\n");
	log_level = saved;
}

static void test_log_msg_truncates_long_line(void **state)
{
	static char big[4000], buf[4096];
	int saved = log_level;

	memset(big, 'x', sizeof(big) - 1);
	log_level = LOG_WARN;
	capture(buf, sizeof(buf), LOG_ERR, big);
	assert_true(strlen(buf) < 1100);
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	log_level = saved;
}

static void test_log_ratelimit_allows_five_per_second(void **state)
{
	uint64_t site = 0;
	unsigned ok = 0;
	struct timespec ts = { 1, 100 * 1000 * 1000 };

	for (int i = 0; i < 100; i++)
		ok += log_ratelimit_ok(&site);
	assert_int_equal(ok, 5);
	/* a new window after a second */
	nanosleep(&ts, NULL);
	assert_true(log_ratelimit_ok(&site));
}

static void test_log_ratelimit_sites_are_independent(void **state)
{
	uint64_t a = 0, b = 0;

	for (int i = 0; i < 10; i++)
		log_ratelimit_ok(&a);
	assert_false(log_ratelimit_ok(&a));
	assert_true(log_ratelimit_ok(&b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_default_level_is_warn),
		cmocka_unit_test(test_log_msg_prints_level_prefix_and_one_newline),
		cmocka_unit_test(test_log_msg_drops_messages_above_level),
		cmocka_unit_test(test_log_msg_truncates_long_line),
		cmocka_unit_test(test_log_ratelimit_allows_five_per_second),
		cmocka_unit_test(test_log_ratelimit_sites_are_independent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
