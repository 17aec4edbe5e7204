/* SPDX-License-Identifier: MIT */
/*
 * The `bench` commands (stress tests, issue 6): `bench fwd` (forwarding
 * through a chain of routers with an in-process packet generator and a
 * socket absorber), `bench netns` (namespace creation/deletion rate and
 * memory) and `bench fib` (FIB load time, memory, lookup cost). This header
 * is private to cli/bench*.c: option parsing, a synchronous "run this on
 * the owner of namespace NAME", drop-counter snapshots through the
 * GETDROPS message, a latency histogram and the wall clock.
 *
 * Every bench runs on the CLI (control) thread and touches namespaces only
 * through the control path (CLI lines, rtnetlink messages) or closures run
 * on their owner worker (STYLE O1, O5).
 */
#ifndef NSEMU_CLI_BENCH_H
#define NSEMU_CLI_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "netns/core/drop_reason.h"
#include "netns/rtnl/rtnl.h"
#include "cli/cmd.h"

/* Sub-commands. */
int bench_fwd(struct cli_ctx *c, int argc, char **argv);
int bench_netns(struct cli_ctx *c, int argc, char **argv);
int bench_fib(struct cli_ctx *c, int argc, char **argv);
int bench_tcp(struct cli_ctx *c, int argc, char **argv);

/* CLOCK_MONOTONIC in ns (the clock loop_now() reads). */
uint64_t bench_now_ns(void);

/* Parse a number for option @opt; prints "bench: invalid value ..." to
 * c->err and returns -EINVAL when it is not in [min, max]. */
int bench_get_u64(struct cli_ctx *c, const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *v);
int bench_get_double(struct cli_ctx *c, const char *opt, const char *s, double min, double max,
		     double *v);


/* A private CLI context for the lines a bench runs to build and tear
 * down its topology: output is discarded, errors are kept for the user. */
struct bench_cli {
	struct cli_ctx ctx;
	FILE *out, *err;
	char *ebuf;
	size_t elen;
};
int bench_cli_open(struct bench_cli *b);
void bench_cli_close(struct bench_cli *b);
/* Run one CLI line (printf-style) in @b; on failure copy its error text
 * to c->err, prefixed "bench: ", and return the status. */
int bench_run(struct cli_ctx *c, struct bench_cli *b, const char *fmt, ...) __printf(3, 4);

/*
 * Add the drop counters of namespace @ns (NULL: every namespace) to
 * @drops, read through NSEMU_MSG_GETDROPS (the owner's snapshot, as
 * `show drops` shows it). 0 or -errno.
 */
int bench_drops_add(struct cli_ctx *c, const char *ns, uint64_t drops[DROP_MAX]);

/* Per-worker busy time (loop_stats), read on each worker. @busy has
 * loop_nworkers() entries. */
void bench_busy_snapshot(uint64_t *busy);

/*
 * A log-linear latency histogram (HdrHistogram-like): 64 sub-buckets per
 * power of two, so a percentile is within 1.6% of the true value. Filled on
 * one thread (the absorber's owner), read after it stopped.
 */
#define BENCH_HIST_SUB 64
#define BENCH_HIST_BUCKETS (64 * BENCH_HIST_SUB)
struct bench_hist {
	uint64_t count, max;
	uint32_t b[BENCH_HIST_BUCKETS];
};
void bench_hist_add(struct bench_hist *h, uint64_t v);
/* Value at quantile @q (0..1): the upper bound of its bucket, capped at max. */
uint64_t bench_hist_quantile(const struct bench_hist *h, double q);

/* "12.41 Mpps" style helpers: format @pps / @bps into @buf. */
const char *bench_fmt_rate(char *buf, size_t len, double pps);

#endif
