// SPDX-License-Identifier: MIT
/*
 * Logging. Control-path code logs with log_msg(); the data path logs only
 * through log_ratelimited(), which is off unless the level is debug, so
 * counters stay the interface (STYLE §6). The level comes from NSEMU_LOG
 * (debug|info|warn|err) at start-up and defaults to warnings. Each message
 * is written with one stdio call so lines from several threads never
 * interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int log_level = LOG_WARN;

/* Per call site, like the kernel's DEFAULT_RATELIMIT_BURST over one second
 * (the kernel uses 10 per 5 s; a second keeps a flood short in a CLI). */
#define LOG_RL_BURST 5
#define LOG_RL_INTERVAL_MS 1000

static const char *const log_prefix[] = {
	[LOG_ERR] = "error",
	[LOG_WARN] = "warning",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

/* Read NSEMU_LOG once, before main(), so every thread sees the level. */
__attribute__((constructor)) static void log_init_from_env(void)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{ "debug", LOG_DEBUG }, { "info", LOG_INFO },	{ "warn", LOG_WARN },
		{ "warning", LOG_WARN }, { "err", LOG_ERR },	{ "error", LOG_ERR },
	};
	const char *env = getenv("NSEMU_LOG");

	if (!env || !*env)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcasecmp(env, names[i].name)) {
			log_level = names[i].level;
			return;
		}
	}
	fprintf(stderr, "nsemu: warning: NSEMU_LOG=%s not understood (debug|info|warn|err)\n",
		env);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	if ((int)lvl > log_level)
		return;
	if ((unsigned)lvl >= ARRAY_SIZE(log_prefix))
		lvl = LOG_DEBUG;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* A truncated line still ends the way a whole one does. */
	n = (size_t)n >= sizeof(buf) ? (int)sizeof(buf) - 1 : n;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	fprintf(stderr, "nsemu: %s: %s\n", log_prefix[lvl], buf);
}

static uint64_t log_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * The site's state is one word, shared by every thread that passes the
 * site: the start of the current window in ms (upper bits) and the number
 * of messages let through in it (low 3 bits). A compare-and-swap keeps it
 * consistent without a lock; 0 means "never used". The window start is
 * stored + 1 so a window starting at ms 0 differs from "never used".
 */
bool log_ratelimit_ok(uint64_t *last)
{
	uint64_t now = log_mono_ms() + 1;
	uint64_t old = __atomic_load_n(last, __ATOMIC_RELAXED);

	for (;;) {
		uint64_t start = old >> 3, count = old & 7, next;

		if (!old || now - start >= LOG_RL_INTERVAL_MS)
			next = now << 3 | 1;
		else if (count < LOG_RL_BURST)
			next = old + 1;
		else
			return false;
		if (__atomic_compare_exchange_n(last, &old, next, false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return true;
	}
}
