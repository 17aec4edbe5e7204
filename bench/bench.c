// SPDX-License-Identifier: MIT
/*
 * `bench`: nsemu's stress tests (issue 6). This file holds the command's
 * dispatch (`bench fwd|netns|fib|tcp`) and what the benches share: number
 * parsing with clear errors, a private CLI context for the lines that build
 * a bench topology, a synchronous call on the owner of a namespace, drop
 * counters read through NSEMU_MSG_GETDROPS (the same owner snapshot `show
 * drops` prints), per-worker busy time, and a log-linear latency histogram.
 * Benchmarks report; `make bench` (scripts/bench.sh) collects the figures
 * into docs/benchmarks.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/loop.h"
#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int bench_get_u64(struct cli_ctx *c, const char *opt, const char *s, uint64_t min, uint64_t max,
		  uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (!s || *s == '-' || *s == '\0')
		goto bad;
	x = strtoull(s, &end, 0);
	/* 1k, 10M: the counts benches take are large */
	if (*end == 'k' || *end == 'K') {
		x *= 1000;
		end++;
	} else if (*end == 'M') {
		x *= 1000000;
		end++;
	}
	if (errno || *end || x < min || x > max)
		goto bad;
	*v = x;
	return 0;
bad:
	fprintf(c->err, "bench: invalid value \"%s\" for %s (expected %" PRIu64 "..%" PRIu64 ")\n",
		s ? s : "", opt, min, max);
	return -EINVAL;
}

int bench_get_double(struct cli_ctx *c, const char *opt, const char *s, double min, double max,
		     double *v)
{
	char *end;
	double x;

	errno = 0;
	x = s ? strtod(s, &end) : NAN;
	if (!s || errno || end == s || *end || !(x >= min && x <= max)) {
		fprintf(c->err, "bench: invalid value \"%s\" for %s (expected %g..%g)\n", s ? s : "",
			opt, min, max);
		return -EINVAL;
	}
	*v = x;
	return 0;
}

/* ---- private CLI context ---- */

int bench_cli_open(struct bench_cli *b)
{
	memset(b, 0, sizeof(*b));
	b->out = fopen("/dev/null", "w");
	b->err = open_memstream(&b->ebuf, &b->elen);
	if (!b->out || !b->err) {
		if (b->out)
			fclose(b->out);
		if (b->err)
			fclose(b->err);
		free(b->ebuf);
		return -ENOMEM;
	}
	cli_ctx_init(&b->ctx, b->out, b->err);
	return 0;
}

void bench_cli_close(struct bench_cli *b)
{
	cli_ctx_free(&b->ctx);
	fclose(b->out);
	fclose(b->err);
	free(b->ebuf);
}

int bench_run(struct cli_ctx *c, struct bench_cli *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ret = cli_run_line(&b->ctx, line);
	if (ret) {
		fflush(b->err);
		fprintf(c->err, "bench: \"%s\" failed: %.*s", line, (int)b->elen,
			b->elen ? b->ebuf : "error\n");
		if (!b->elen || b->ebuf[b->elen - 1] != '\n')
			fputc('\n', c->err);
	}
	fseeko(b->err, 0, SEEK_SET);
	fflush(b->err);
	return ret;
}

/* ---- drop counters through GETDROPS ---- */

static int bench_drops_cb(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[NSEMU_A_MAX + 1], *cnt;
	uint64_t *drops = arg;
	int rem;

	if (nlh->nlmsg_type != NSEMU_MSG_GETDROPS || nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) < 0 ||
	    !tb[NSEMU_A_COUNTERS])
		return 0;
	nla_for_each_nested(cnt, tb[NSEMU_A_COUNTERS], rem) {
		struct nlattr *ct[NSEMU_A_MAX + 1];
		const char *name;

		if (nla_type(cnt) != NSEMU_A_CNT || nla_parse_nested(ct, NSEMU_A_MAX, cnt, NULL) < 0 ||
		    !ct[NSEMU_A_CNT_NAME] || !ct[NSEMU_A_CNT_VALUE])
			continue;
		name = nla_get_string(ct[NSEMU_A_CNT_NAME]);
		for (unsigned r = 0; r < DROP_MAX; r++) {
			if (!strcmp(name, drop_reason_names[r])) {
				drops[r] += nla_get_u64(ct[NSEMU_A_CNT_VALUE]);
				break;
			}
		}
	}
	return 0;
}

int bench_drops_add(struct cli_ctx *c, const char *ns, uint64_t drops[DROP_MAX])
{
	struct cli_ctx q;
	struct nl_msg *m;
	int err;

	/* A context of our own: the user's c->ns must not change. */
	cli_ctx_init(&q, c->out, c->err);
	q.ns = ns;
	m = nlmsg_alloc_simple(NSEMU_MSG_GETDROPS, ns ? 0 : NLM_F_DUMP);
	if (!m) {
		cli_ctx_free(&q);
		return -ENOMEM;
	}
	if (!ns)
		nla_put_u32(m, NSEMU_A_FLAGS, 1);
	err = cli_request(&q, m, bench_drops_cb, drops, false);
	cli_ctx_free(&q);
	return err;
}

/* ---- worker busy time ---- */

static void bench_busy_fn(void *arg)
{
	uint64_t *out = arg;

	*out = loop_stats(loop_current())->busy_ns;
}

void bench_busy_snapshot(uint64_t *busy)
{
	for (unsigned i = 0; i < loop_nworkers(); i++)
		loop_call_sync(loop_worker(i), bench_busy_fn, &busy[i]);
}

/* ---- latency histogram ---- */

/* Bucket of @v: below 64 one bucket per ns; above, the power of two
 * (msb) picks a group of 64 and the next six bits the bucket in it. */
static unsigned bench_hist_index(uint64_t v)
{
	unsigned msb;

	if (v < BENCH_HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	return (msb - 5) * BENCH_HIST_SUB + (unsigned)((v >> (msb - 6)) & (BENCH_HIST_SUB - 1));
}

/* Largest value in bucket @i. */
static uint64_t bench_hist_upper(unsigned i)
{
	unsigned grp = i / BENCH_HIST_SUB, sub = i % BENCH_HIST_SUB, msb;

	if (grp == 0)
		return i;
	msb = grp + 5;
	return ((1ull << msb) | ((uint64_t)sub << (msb - 6))) + (1ull << (msb - 6)) - 1;
}

void bench_hist_add(struct bench_hist *h, uint64_t v)
{
	unsigned i = bench_hist_index(v);

	if (i >= BENCH_HIST_BUCKETS)
		i = BENCH_HIST_BUCKETS - 1;
	h->b[i]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

uint64_t bench_hist_quantile(const struct bench_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < BENCH_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			return MIN(bench_hist_upper(i), h->max);
	}
	return h->max;
}

const char *bench_fmt_rate(char *buf, size_t len, double pps)
{
	if (pps >= 1e6)
		snprintf(buf, len, "%.2f Mpps", pps / 1e6);
	else
		snprintf(buf, len, "%.1f kpps", pps / 1e3);
	return buf;
}

/* ---- the command ---- */

static int bench_usage(struct cli_ctx *c, FILE *f)
{
	fprintf(f,
		"Usage: bench fwd [ --hops N ] [ --threads T ] [ --size BYTES ] [ --flows F ]\n"
		"                 [ --seconds S | --count PKTS ] [ --rate PPS ] [ --no-window ] [ -j ]\n"
		"                 [ --rules R ] [ --ecmp K ]\n"
		"                 [ --topology FILE --from NS --to A.B.C.D ]\n"
		"       bench netns [ --count N ] [ -j ]\n"
		"       bench fib [ --prefixes N ] [ --lookups M ] [ --ecmp N ] [ --seed S ] [ --rules R ] [ -j ]\n"
		"       bench tcp [ --routers N ] [ --workers N ] [ --streams N ] [ --seconds S | --bytes B ] [ -j ]\n"
		"       bench tcp --conns N [ --routers N ] [ --workers N ] [ -j ]\n"
		"       bench tcp --cps [ --conns N ] [ --seconds S ] [ --routers N ] [ --workers N ] [ -j ]\n");
	return f == c->out ? 0 : -EINVAL;
}

static int bench_help(struct cli_ctx *c, int argc, char **argv)
{
	return bench_usage(c, c->out);
}

static const struct cmd bench_cmds[] = {
	{ "fwd", bench_fwd, "forwarding throughput through a chain of routers" },
	{ "netns", bench_netns, "namespace creation and deletion rate, memory" },
	{ "fib", bench_fib, "FIB load time, memory and lookup cost" },
	{ "tcp", bench_tcp, "TCP throughput, memory per connection, connection rate" },
	{ "help", bench_help, "usage" },
	{ NULL, NULL, NULL },
};

/* cmd_bench - `bench fwd|netns|fib|tcp ...`. Control thread. */
int cmd_bench(struct cli_ctx *c, int argc, char **argv)
{
	if (argc < 2)
		return bench_usage(c, c->err);
	return cmd_dispatch(c, bench_cmds, "bench", argc - 1, argv + 1);
}
