// SPDX-License-Identifier: MIT
/*
 * `bench netns [--count N]`: what a namespace costs. It creates N
 * namespaces the way a user would build a star (each: lo up, one veth to a
 * hub namespace, a /30 address on each end, a default route via the hub),
 * every step an rtnetlink request through the control path, then deletes
 * them. It reports namespaces/s for creation and deletion, resident memory
 * per namespace (RSS from /proc/self/statm, before and after), and the
 * allocator's own view: jemalloc's "stats.allocated" (after an "epoch" to
 * refresh it), which, unlike RSS, counts only live allocations. Sanitizer
 * builds do not link jemalloc and print n/a there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/loop.h"
#include "bench.h"
#include "print.h"

#define NETNS_BENCH_MAX 1000000 /* 100.64.0.0/10 holds 2^20 /30s */

/* jemalloc's control interface, when the binary links jemalloc (weak: the
 * sanitizer builds use their own allocator and leave it NULL). */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
	__attribute__((weak));

/* Bytes jemalloc has allocated and not freed; -1 without jemalloc. */
static int64_t bench_allocated(void)
{
	uint64_t epoch = 1;
	size_t allocated, len = sizeof(epoch);

	if (!mallctl)
		return -1;
	/* Statistics are a snapshot taken at the last epoch: refresh it. */
	if (mallctl("epoch", &epoch, &len, &epoch, sizeof(epoch)))
		return -1;
	len = sizeof(allocated);
	if (mallctl("stats.allocated", &allocated, &len, NULL, 0))
		return -1;
	return (int64_t)allocated;
}

/* Resident set size of the process in bytes (/proc/self/statm). */
static uint64_t bench_rss(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Namespace i's /30 in 100.64.0.0/10 (RFC 6598 shared space: never a
 * real destination here): .1 the hub's end, .2 the namespace's. */
static void netns_bench_addr(unsigned i, unsigned host, char *buf, size_t len)
{
	uint32_t a = 0x64400000u + 4 * i + host;

	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static int netns_bench_one(struct cli_ctx *c, struct bench_cli *b, unsigned i)
{
	char hub[20], ns[20];

	netns_bench_addr(i, 1, hub, sizeof(hub));
	netns_bench_addr(i, 2, ns, sizeof(ns));
	if (bench_run(c, b, "ip netns add bench-ns%u", i))
		return -EINVAL;
	if (bench_run(c, b, "ip -n bench-ns%u link set lo up", i) ||
	    bench_run(c, b, "ip link add eth0 netns bench-ns%u type veth peer name h%u netns bench-hub",
		      i, i) ||
	    bench_run(c, b, "ip -n bench-ns%u addr add %s/30 dev eth0", i, ns) ||
	    bench_run(c, b, "ip -n bench-hub addr add %s/30 dev h%u", hub, i) ||
	    bench_run(c, b, "ip -n bench-ns%u link set eth0 up", i) ||
	    bench_run(c, b, "ip -n bench-hub link set h%u up", i) ||
	    bench_run(c, b, "ip -n bench-ns%u route add default via %s", i, hub))
		return -EIO; /* created: the caller deletes it */
	return 0;
}

static void netns_bench_print_mem(const char *key, const char *label, int64_t before,
				  int64_t after, unsigned n)
{
	open_json_object(key);
	if (before < 0 || after < 0) {
		print_text("%s: n/a (not the jemalloc build)\n", label);
		print_null(PRINT_JSON, "bytes_per_netns", NULL, NULL);
	} else {
		print_text("%s: %.1f MiB before, %.1f MiB after, %.0f bytes/namespace\n", label,
			   before / 1048576.0, after / 1048576.0, n ? (double)(after - before) / n : 0);
		print_u64(PRINT_JSON, "before", NULL, (uint64_t)before);
		print_u64(PRINT_JSON, "after", NULL, (uint64_t)after);
		print_float(PRINT_JSON, "bytes_per_netns", NULL,
			    n ? (double)(after - before) / n : 0);
	}
	close_json_object();
}

int bench_netns(struct cli_ctx *c, int argc, char **argv)
{
	uint64_t count = 1000, t0, t1, t2, rss0, rss1;
	int64_t al0, al1;
	unsigned created = 0, i;
	struct bench_cli b;
	bool json = false, hub = false;
	int err = 0;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-j") || !strcmp(argv[a], "--json")) {
			json = true;
		} else if (!strcmp(argv[a], "--count")) {
			if (bench_get_u64(c, "--count", a + 1 < argc ? argv[a + 1] : NULL, 1,
					  NETNS_BENCH_MAX, &count))
				return -EINVAL;
			a++;
		} else {
			fprintf(c->err, "bench: unknown option \"%s\", try \"bench help\"\n", argv[a]);
			return -EINVAL;
		}
	}
	if (bench_cli_open(&b))
		return -ENOMEM;
	if (bench_run(c, &b, "ip netns add bench-hub")) {
		err = -EEXIST;
		goto out;
	}
	hub = true;
	rss0 = bench_rss();
	al0 = bench_allocated();
	t0 = bench_now_ns();
	for (i = 0; i < count; i++) {
		if (c->interrupt && *c->interrupt) {
			fprintf(c->err, "bench: interrupted after %u namespaces\n", i);
			err = -EINTR;
			goto out;
		}
		err = netns_bench_one(c, &b, i);
		if (err != -EINVAL)
			created = i + 1;
		if (err)
			goto out;
	}
	t1 = bench_now_ns();
	rss1 = bench_rss();
	al1 = bench_allocated();
	/* Deleting a namespace deletes its veth, and the hub's end with it. */
	for (i = 0; i < created; i++)
		bench_run(c, &b, "ip netns del bench-ns%u", i);
	t2 = bench_now_ns();
	created = 0;

	new_json_obj(c->out, json, c->pretty);
	open_json_object(NULL);
	print_u64(PRINT_ANY, "count", "--- bench netns: %" PRIu64 " namespaces", count);
	print_text(" (each: lo up, a veth to a hub, an address, a default route) ---\n");
	print_float(PRINT_ANY, "create_seconds", "create: %.3f s, ", (t1 - t0) / 1e9);
	print_float(PRINT_ANY, "create_per_second", "%.0f namespaces/s\n",
		    (double)count / ((t1 - t0) / 1e9));
	print_float(PRINT_ANY, "delete_seconds", "delete: %.3f s, ", (t2 - t1) / 1e9);
	print_float(PRINT_ANY, "delete_per_second", "%.0f namespaces/s\n",
		    (double)count / ((t2 - t1) / 1e9));
	netns_bench_print_mem("rss", "RSS", (int64_t)rss0, (int64_t)rss1, (unsigned)count);
	netns_bench_print_mem("allocated", "allocated (jemalloc stats.allocated)", al0, al1,
			      (unsigned)count);
	close_json_object();
	delete_json_obj();
out:
	for (i = 0; i < created; i++)
		bench_run(c, &b, "ip netns del bench-ns%u", i);
	if (hub)
		bench_run(c, &b, "ip netns del bench-hub");
	bench_cli_close(&b);
	return err;
}
