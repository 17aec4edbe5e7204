// SPDX-License-Identifier: MIT
/*
 * `bench fib [--prefixes N] [--lookups M] [--seed S] [--rules R]`: the FIB at Internet
 * scale. N prefixes drawn (seeded, reproducible) with the length mix of a
 * full BGP table (about 60% /24, 20% /22-/23, 15% /16-/21, 1% /8-/15, 4%
 * /25-/32) go into the main table of one fresh namespace, as unicast
 * routes via a gateway on a veth. The routes are added on the namespace's
 * owner with fib_route_add() (the FIB's own cost, without one control
 * message per route), then it times M lookups of random destinations one
 * at a time (fib_lookup: each waits for its own cache misses), the same M
 * in batches of FIB_BATCH (fib_lookup_batch: the misses of a batch
 * overlap), and M of a few repeated destinations (cached), and checks a
 * sample of lookups, single and batched, against a naive reference
 * (per-length sorted arrays, longest first). Memory is jemalloc's
 * stats.allocated before and after the load (the control table and the
 * trie together; n/a in sanitizer builds), split by the FIB's own count
 * of what it holds.
 *
 * With --rules R, R policy rules that match no lookup
 * (from 198.18.x.y/32: the lookups carry no source) go in between the
 * local and main rules first, so that every lookup walks them, as
 * fib_rules_lookup does, before main answers.
 *
 * With --ecmp N (2 and more) every route is a multipath route over N
 * gateways on the veth (equal weights, one shared record, as the kernel's
 * fib_info), and every timed lookup also picks its path
 * (fib_lookup_flow + fib_select_path, the hash of a fixed source and the
 * destination), so the figures include path selection; the verify step
 * also reports how evenly the sample spread over the paths.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "netns/ipv4/fib.h"
#include "netns/ipv4/fib_rules.h"
#include "bench.h"
#include "cli/print.h"

#define FIB_GW 0x0afe0002u     /* 10.254.0.2, on the namespace's veth */
#define FIB_VERIFY 2000	       /* sampled lookups checked against the reference */
#define FIB_SADDR 0x0a630001u  /* 10.99.0.1: the source ECMP lookups hash */
#define FIB_ECMP_MAX 64

extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
	__attribute__((weak));

static int64_t fib_bench_allocated(void)
{
	uint64_t epoch = 1;
	size_t v, len = sizeof(epoch);

	if (!mallctl || mallctl("epoch", &epoch, &len, &epoch, sizeof(epoch)))
		return -1;
	len = sizeof(v);
	if (mallctl("stats.allocated", &v, &len, NULL, 0))
		return -1;
	return (int64_t)v;
}

/* xorshift64*: cheap, seeded, the same sequence on every machine. */
static uint64_t fib_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

/* A prefix length with a BGP table's mix. */
static unsigned fib_rand_len(uint64_t *s)
{
	unsigned r = (unsigned)(fib_rand(s) % 1000);

	if (r < 600)
		return 24;
	if (r < 800)
		return 22 + (r & 1);
	if (r < 950)
		return 16 + r % 6;
	if (r < 960)
		return 8 + r % 8;
	return 25 + r % 8;
}

struct fib_prefix {
	uint32_t addr; /* host order, host bits zero */
	uint8_t len;
};

struct fib_bench {
	struct fib_prefix *pfx;
	uint32_t *addrs;      /* random lookup destinations, host order */
	uint32_t *daddrs;     /* the same, network order */
	unsigned n, added, dups, failed, nlookups, nrules, rules_added;
	uint64_t load_ns, random_ns, batch_ns, repeat_ns, sink;
	int64_t mem0, mem1;
	size_t lpm_bytes;     /* fib_lpm_memory after the load */
	size_t fib_bytes;     /* fib_memory after the load */
	unsigned checked, wrong;
	uint64_t seed;
	unsigned ecmp;	      /* paths per route; 1: single-path routes */
	uint8_t mp[FIB_ECMP_MAX * (sizeof(struct rtnexthop) + RTA_SPACE(4))];
	int mp_len;
};

/* RTA_MULTIPATH's payload: gateways 10.254.0.2 .. 10.254.0.(N+1). */
static void fib_bench_mp(struct fib_bench *fb)
{
	fb->mp_len = 0;
	for (unsigned i = 0; i < fb->ecmp; i++) {
		struct rtnexthop *rtnh = (struct rtnexthop *)(fb->mp + fb->mp_len);
		struct rtattr *a = (struct rtattr *)RTNH_DATA(rtnh);
		uint32_t gw = htonl(FIB_GW + i);

		*rtnh = (struct rtnexthop){ .rtnh_len = RTNH_LENGTH(RTA_SPACE(4)) };
		a->rta_type = RTA_GATEWAY;
		a->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(a), &gw, 4);
		fb->mp_len += RTNH_ALIGN(rtnh->rtnh_len);
	}
}

/* A lookup as a forwarded datagram's: with ECMP, the path too. */
static inline int fib_bench_lookup(struct netns *ns, const struct fib_bench *fb, uint32_t daddr,
				   struct fib_result *res)
{
	struct flowi4 fl4 = { .daddr = daddr, .saddr = htonl(FIB_SADDR) };
	int err;

	if (fb->ecmp < 2)
		return fib_lookup(ns, daddr, res);
	err = fib_lookup_flow(ns, &fl4, res);
	if (!err)
		fib_select_path(ns, res, &fl4);
	return err;
}

/* Prefix generation: random starting points outside 0/8, 10/8, 127/8
 * and 224/3, the namespace's own and special ranges. */
static uint32_t fib_rand_addr(uint64_t *s)
{
	for (;;) {
		uint32_t a = (uint32_t)fib_rand(s);
		unsigned o = a >> 24;

		if (o != 0 && o != 10 && o != 127 && o < 224)
			return a;
	}
}

static void fib_bench_load_fn(struct netns *ns, void *arg)
{
	struct fib_bench *fb = arg;
	uint64_t t0;

	/* priorities 1..R, each after the last: one step of the list walk */
	for (unsigned i = 0; i < fb->nrules; i++) {
		struct fib_rule_config rc = {
			.pref = i + 1, .has_pref = true, .action = FR_ACT_TO_TBL,
			.table = 1000 + i % 1000, .src = htonl(0xc6120000u | (i & 0x1ffff)),
			.src_len = 32, .suppress_prefixlen = -1, .suppress_ifgroup = -1,
		};

		if (!fib_rule_add(ns, &rc, false, NULL, NULL))
			fb->rules_added++;
	}
	fb->mem0 = fib_bench_allocated();
	t0 = bench_now_ns();
	for (unsigned i = 0; i < fb->n; i++) {
		struct fib_config cfg = {
			.table = RT_TABLE_MAIN,
			.dst = htonl(fb->pfx[i].addr),
			.dst_len = fb->pfx[i].len,
			.type = RTN_UNICAST,
			.scope = RT_SCOPE_UNIVERSE,
			.protocol = RTPROT_STATIC,
			.gw = htonl(FIB_GW),
			.nlflags = NLM_F_CREATE | NLM_F_EXCL,
		};
		int err;

		if (fb->ecmp > 1) {
			cfg.gw = 0;
			cfg.mp = (const struct rtnexthop *)fb->mp;
			cfg.mp_len = fb->mp_len;
		}
		err = fib_route_add(ns, &cfg, NULL);

		if (!err)
			fb->added++;
		else if (err == -EEXIST)
			fb->dups++;
		else
			fb->failed++;
		if (err)
			fb->pfx[i].len = 255; /* not in the FIB: the reference skips it */
	}
	fb->load_ns = bench_now_ns() - t0;
	fb->mem1 = fib_bench_allocated();
	fb->lpm_bytes = fib_lpm_memory(ns);
	fb->fib_bytes = fib_memory(ns);
}

static void fib_bench_lookup_fn(struct netns *ns, void *arg)
{
	struct fib_bench *fb = arg;
	struct fib_result res;
	uint64_t t0, sink = 0;

	t0 = bench_now_ns();
	for (unsigned i = 0; i < fb->nlookups; i++) {
		if (!fib_bench_lookup(ns, fb, fb->daddrs[i], &res))
			sink += res.prefixlen + res.gw;
	}
	fb->random_ns = bench_now_ns() - t0;
	t0 = bench_now_ns();
	for (unsigned i = 0; i < fb->nlookups; i += FIB_BATCH) {
		struct fib_result r[FIB_BATCH];
		int ret[FIB_BATCH];
		unsigned n = MIN(FIB_BATCH, fb->nlookups - i);

		fib_lookup_batch(ns, &fb->daddrs[i], n, r, ret);
		for (unsigned k = 0; k < n; k++) {
			if (ret[k])
				continue;
			if (fb->ecmp > 1) {
				struct flowi4 fl4 = { .daddr = fb->daddrs[i + k],
						      .saddr = htonl(FIB_SADDR) };

				fib_select_path(ns, &r[k], &fl4);
			}
			sink += r[k].prefixlen + r[k].gw;
		}
	}
	fb->batch_ns = bench_now_ns() - t0;
	t0 = bench_now_ns();
	for (unsigned i = 0; i < fb->nlookups; i++) {
		if (!fib_bench_lookup(ns, fb, htonl(fb->addrs[i & 15]), &res))
			sink += res.prefixlen + res.gw;
	}
	fb->repeat_ns = bench_now_ns() - t0;
	fb->sink = sink;
}

/* ---- the reference: sorted addresses per length, longest first ---- */

static int fib_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct fib_ref {
	uint32_t *by_len[33];
	unsigned n[33];
};

static int fib_ref_build(struct fib_ref *r, const struct fib_bench *fb)
{
	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < fb->n; i++)
		if (fb->pfx[i].len <= 32)
			r->n[fb->pfx[i].len]++;
	for (unsigned l = 0; l <= 32; l++) {
		r->by_len[l] = malloc((r->n[l] + 1) * sizeof(uint32_t));
		if (!r->by_len[l])
			return -ENOMEM;
		r->n[l] = 0;
	}
	for (unsigned i = 0; i < fb->n; i++) {
		unsigned l = fb->pfx[i].len;

		if (l <= 32)
			r->by_len[l][r->n[l]++] = fb->pfx[i].addr;
	}
	for (unsigned l = 0; l <= 32; l++)
		qsort(r->by_len[l], r->n[l], sizeof(uint32_t), fib_cmp_u32);
	return 0;
}

static void fib_ref_free(struct fib_ref *r)
{
	for (unsigned l = 0; l <= 32; l++)
		free(r->by_len[l]);
}

/* Longest matching length for @a (host order), -1 if none. */
static int fib_ref_lookup(const struct fib_ref *r, uint32_t a)
{
	for (int l = 32; l >= 0; l--) {
		uint32_t key = l ? a & ~((1ull << (32 - l)) - 1) : 0;

		if (r->n[l] && bsearch(&key, r->by_len[l], r->n[l], sizeof(uint32_t), fib_cmp_u32))
			return l;
	}
	return -1;
}

struct fib_verify {
	const struct fib_ref *ref;
	const struct fib_bench *fb;
	const uint32_t *addrs;
	unsigned n, wrong, batch_wrong;
	uint32_t first_wrong;
	unsigned per_path[FIB_ECMP_MAX]; /* ECMP: the sample's picks per gateway */
};

static void fib_bench_verify_fn(struct netns *ns, void *arg)
{
	struct fib_verify *v = arg;

	for (unsigned i = 0; i < v->n; i++) {
		struct fib_result res;
		int want = fib_ref_lookup(v->ref, v->addrs[i]);
		int got = fib_bench_lookup(ns, v->fb, htonl(v->addrs[i]), &res) ? -1 : res.prefixlen;
		uint32_t path = ntohl(res.gw) - FIB_GW;

		/* a generated prefix's lookup ends at one of its gateways */
		if (got != want || (got >= 0 && path >= v->fb->ecmp)) {
			if (!v->wrong)
				v->first_wrong = v->addrs[i];
			v->wrong++;
		} else if (got >= 0) {
			v->per_path[path]++;
		}
	}
	/* the batched lookup must agree with the single one, field by field */
	for (unsigned i = 0; i < v->n; i += FIB_BATCH) {
		uint32_t d[FIB_BATCH];
		struct fib_result r[FIB_BATCH], one;
		int ret[FIB_BATCH];
		unsigned n = MIN(FIB_BATCH, v->n - i);

		for (unsigned k = 0; k < n; k++)
			d[k] = htonl(v->addrs[i + k]);
		fib_lookup_batch(ns, d, n, r, ret);
		for (unsigned k = 0; k < n; k++) {
			int err = fib_lookup(ns, d[k], &one);

			if (err != ret[k] ||
			    (!err && (one.prefixlen != r[k].prefixlen || one.dev != r[k].dev ||
				      one.gw != r[k].gw || one.type != r[k].type ||
				      one.dst != r[k].dst || one.table != r[k].table)))
				v->batch_wrong++;
		}
	}
}

static int fib_bench_parse(struct cli_ctx *c, int argc, char **argv, struct fib_bench *fb,
			   bool *json)
{
	uint64_t v;

	for (int a = 1; a < argc; a++) {
		const char *val = a + 1 < argc ? argv[a + 1] : NULL;

		if (!strcmp(argv[a], "-j") || !strcmp(argv[a], "--json")) {
			*json = true;
			continue;
		}
		if (!strcmp(argv[a], "--prefixes")) {
			if (bench_get_u64(c, "--prefixes", val, 1, 10000000, &v))
				return -EINVAL;
			fb->n = (unsigned)v;
		} else if (!strcmp(argv[a], "--lookups")) {
			if (bench_get_u64(c, "--lookups", val, 16, 100000000, &v))
				return -EINVAL;
			fb->nlookups = (unsigned)v;
		} else if (!strcmp(argv[a], "--ecmp")) {
			if (bench_get_u64(c, "--ecmp", val, 1, FIB_ECMP_MAX, &v))
				return -EINVAL;
			fb->ecmp = (unsigned)v;
		} else if (!strcmp(argv[a], "--rules")) {
			if (bench_get_u64(c, "--rules", val, 0, 100000, &v))
				return -EINVAL;
			fb->nrules = (unsigned)v;
		} else if (!strcmp(argv[a], "--seed")) {
			if (bench_get_u64(c, "--seed", val, 1, UINT64_MAX, &fb->seed))
				return -EINVAL;
		} else {
			fprintf(c->err, "bench: unknown option \"%s\", try \"bench help\"\n", argv[a]);
			return -EINVAL;
		}
		a++;
	}
	return 0;
}

int bench_fib(struct cli_ctx *c, int argc, char **argv)
{
	struct fib_bench fb = { .n = 100000, .nlookups = 1000000, .seed = 42, .ecmp = 1 };
	struct fib_verify ver = { 0 };
	struct fib_ref ref = { 0 };
	uint32_t *sample = NULL;
	struct bench_cli b;
	bool json = false, made = false;
	uint64_t s;
	int err;

	if (fib_bench_parse(c, argc, argv, &fb, &json))
		return -EINVAL;
	fib_bench_mp(&fb);
	if (bench_cli_open(&b))
		return -ENOMEM;
	err = -ENOMEM;
	fb.pfx = malloc((size_t)fb.n * sizeof(*fb.pfx));
	fb.addrs = malloc((size_t)fb.nlookups * sizeof(*fb.addrs));
	fb.daddrs = malloc((size_t)fb.nlookups * sizeof(*fb.daddrs));
	sample = malloc(FIB_VERIFY * sizeof(*sample));
	if (!fb.pfx || !fb.addrs || !fb.daddrs || !sample) {
		fprintf(c->err, "bench: out of memory\n");
		goto out;
	}
	s = fb.seed;
	for (unsigned i = 0; i < fb.n; i++) {
		unsigned len = fib_rand_len(&s);

		fb.pfx[i].len = (uint8_t)len;
		fb.pfx[i].addr = fib_rand_addr(&s) & (uint32_t)~((1ull << (32 - len)) - 1);
	}
	for (unsigned i = 0; i < fb.nlookups; i++) {
		fb.addrs[i] = fib_rand_addr(&s);
		fb.daddrs[i] = htonl(fb.addrs[i]);
	}

	err = -EINVAL;
	if (bench_run(c, &b, "ip netns add bench-fib"))
		goto out;
	made = true;
	if (bench_run(c, &b, "ip link add east netns bench-fib type veth peer name west netns bench-fib") ||
	    bench_run(c, &b, "ip -n bench-fib addr add 10.254.0.1/16 dev east") ||
	    bench_run(c, &b, "ip -n bench-fib link set east up") ||
	    bench_run(c, &b, "ip -n bench-fib link set west up"))
		goto out;
	if (rtnl_ns_call_sync("bench-fib", fib_bench_load_fn, &fb) ||
	    rtnl_ns_call_sync("bench-fib", fib_bench_lookup_fn, &fb))
		goto out;

	/* Verify: half the sample inside prefixes we loaded (the interesting
	 * case: the longest of several nested matches), half anywhere. */
	err = -ENOMEM;
	if (fib_ref_build(&ref, &fb))
		goto out;
	for (unsigned i = 0; i < FIB_VERIFY; i++) {
		const struct fib_prefix *p = &fb.pfx[fib_rand(&s) % fb.n];

		if (i & 1 || p->len > 32)
			sample[i] = fib_rand_addr(&s);
		else
			sample[i] = p->addr | ((uint32_t)fib_rand(&s) &
					       (uint32_t)((1ull << (32 - p->len)) - 1));
	}
	/* 10.254.0.0/16 (connected) is in the FIB too; the sample avoids
	 * 10/8, so the reference needs only the generated prefixes. */
	ver.ref = &ref;
	ver.fb = &fb;
	ver.addrs = sample;
	ver.n = FIB_VERIFY;
	if (rtnl_ns_call_sync("bench-fib", fib_bench_verify_fn, &ver))
		goto out;

	new_json_obj(c->out, json, c->pretty);
	open_json_object(NULL);
	print_uint(PRINT_ANY, "prefixes", "--- bench fib: %u prefixes", fb.n);
	print_u64(PRINT_ANY, "seed", " (seed %" PRIu64 ")", fb.seed);
	print_uint(PRINT_ANY, "lookups", ", %u lookups", fb.nlookups);
	if (fb.ecmp > 1)
		print_uint(PRINT_ANY, "ecmp", ", %u-way ECMP", fb.ecmp);
	else
		print_uint(PRINT_JSON, "ecmp", NULL, 1);
	print_text(" ---\n");
	if (fb.nrules) {
		print_uint(PRINT_ANY, "rules", "rules: %u non-matching rules walked before main",
			   fb.rules_added);
		print_text("\n");
	}
	print_uint(PRINT_ANY, "added", "loaded %u routes", fb.added);
	print_uint(PRINT_ANY, "duplicates", " (%u duplicate prefixes skipped", fb.dups);
	print_uint(PRINT_ANY, "failed", ", %u failed)", fb.failed);
	print_float(PRINT_ANY, "load_seconds", " in %.3f s", fb.load_ns / 1e9);
	print_float(PRINT_ANY, "routes_per_second", ", %.0f routes/s\n",
		    fb.load_ns ? fb.added / (fb.load_ns / 1e9) : 0);
	if (fb.mem0 < 0 || fb.mem1 < 0) {
		print_text("memory: n/a (not the jemalloc build)\n");
		print_null(PRINT_JSON, "memory_mib", NULL, NULL);
	} else {
		print_float(PRINT_ANY, "memory_mib", "memory: %.1f MiB", (fb.mem1 - fb.mem0) / 1048576.0);
		print_float(PRINT_ANY, "bytes_per_route", " (%.1f bytes/route)\n",
			    fb.added ? (double)(fb.mem1 - fb.mem0) / fb.added : 0);
	}
	/* the FIB's own count: the forwarding structure (lpm tries) and the
	 * control table (prefix entries, their exact-match index, route
	 * lists, next-hop records and device/source indexes) */
	print_float(PRINT_ANY, "lpm_mib", "forwarding (lpm tries): %.1f MiB",
		    fb.lpm_bytes / 1048576.0);
	print_float(PRINT_ANY, "lpm_bytes_per_route", " (%.1f bytes/route)",
		    fb.added ? (double)fb.lpm_bytes / fb.added : 0);
	print_float(PRINT_ANY, "control_mib", ", control (entries, prefix index, next hops): %.1f MiB",
		    (fb.fib_bytes - fb.lpm_bytes) / 1048576.0);
	print_float(PRINT_ANY, "control_bytes_per_route", " (%.1f bytes/route)\n",
		    fb.added ? (double)(fb.fib_bytes - fb.lpm_bytes) / fb.added : 0);
	print_float(PRINT_ANY, "ns_per_lookup_random", "lookup: %.1f ns/lookup random one at a time",
		    (double)fb.random_ns / fb.nlookups);
	print_uint(PRINT_ANY, "batch", ", %u a batch:", FIB_BATCH);
	print_float(PRINT_ANY, "ns_per_lookup_batched", " %.1f ns/lookup random",
		    (double)fb.batch_ns / fb.nlookups);
	print_float(PRINT_ANY, "ns_per_lookup_repeated", ", %.1f ns/lookup repeated\n",
		    (double)fb.repeat_ns / fb.nlookups);
	print_uint(PRINT_ANY, "verified", "verify: %u sampled lookups against a naive reference", ver.n);
	print_uint(PRINT_ANY, "wrong", ", %u wrong", ver.wrong);
	print_uint(PRINT_ANY, "batch_wrong", ", %u batched differing from single", ver.batch_wrong);
	if (fb.ecmp > 1) {
		unsigned lo = UINT32_MAX, hi = 0, tot = 0;

		for (unsigned i = 0; i < fb.ecmp; i++) {
			lo = MIN(lo, ver.per_path[i]);
			hi = MAX(hi, ver.per_path[i]);
			tot += ver.per_path[i];
		}
		/* an even spread puts tot / ecmp on each */
		print_uint(PRINT_ANY, "path_min", "; per path %u", lo);
		print_uint(PRINT_ANY, "path_max", " to %u", hi);
		print_uint(PRINT_ANY, "path_sampled", " of %u", tot);
	}
	if (ver.wrong) {
		struct in_addr a = { .s_addr = htonl(ver.first_wrong) };

		print_string(PRINT_ANY, "first_wrong", " (first: %s)", inet_ntoa(a));
	}
	print_text("\n");
	close_json_object();
	delete_json_obj();
	err = ver.wrong || ver.batch_wrong ? -EIO : 0;
out:
	if (made)
		bench_run(c, &b, "ip netns del bench-fib");
	fib_ref_free(&ref);
	free(sample);
	free(fb.pfx);
	free(fb.addrs);
	free(fb.daddrs);
	bench_cli_close(&b);
	return err;
}
