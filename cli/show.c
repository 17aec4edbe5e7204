// SPDX-License-Identifier: MIT
/*
 * nsemu's own views of its counters: `show drops` (the per-namespace drop
 * reasons of netns/core/drop_reason.h, DESIGN §4), `show threads` (what each
 * worker owns and does) and `nstat` (the MIB counters with the kernel's
 * names, in the layout of iproute2's misc/nstat.c). Every number is an
 * owner snapshot sent back by the control path (STYLE O5).
 */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "ip_common.h"
#include "print.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- show drops ---- */

static int print_drops(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[NSEMU_A_MAX + 1], *cnt;
	unsigned *nns = arg, n = 0;
	int rem;

	if (nlh->nlmsg_type != NSEMU_MSG_GETDROPS || nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) < 0)
		return 0;
	const char *ns = tb[NSEMU_A_NS] ? nla_get_string(tb[NSEMU_A_NS]) : "?";

	open_json_object(NULL);
	print_string(PRINT_JSON, "namespace", NULL, ns);
	print_text("%snamespace %s:\n", *nns ? "\n" : "", ns);
	(*nns)++;
	print_text("    %-26s %12s  %s\n", "REASON", "COUNT", "DESCRIPTION");
	open_json_array(PRINT_JSON, "drops");
	if (tb[NSEMU_A_COUNTERS]) {
		nla_for_each_nested(cnt, tb[NSEMU_A_COUNTERS], rem) {
			struct nlattr *ct[NSEMU_A_MAX + 1];
			const char *name, *text;
			uint64_t v;

			if (nla_type(cnt) != NSEMU_A_CNT ||
			    nla_parse_nested(ct, NSEMU_A_MAX, cnt, NULL) < 0 || !ct[NSEMU_A_CNT_NAME] ||
			    !ct[NSEMU_A_CNT_VALUE])
				continue;
			name = nla_get_string(ct[NSEMU_A_CNT_NAME]);
			text = ct[NSEMU_A_CNT_TEXT] ? nla_get_string(ct[NSEMU_A_CNT_TEXT]) : "";
			v = nla_get_u64(ct[NSEMU_A_CNT_VALUE]);
			open_json_object(NULL);
			print_string(PRINT_JSON, "reason", NULL, name);
			print_u64(PRINT_JSON, "count", NULL, v);
			print_string(PRINT_JSON, "description", NULL, text);
			close_json_object();
			print_text("    %-26s %12" PRIu64 "  %s\n", name, v, text);
			n++;
		}
	}
	close_json_array(PRINT_JSON, NULL);
	if (!n)
		print_text("    (no drops)\n");
	/* Memory held by incomplete datagrams: printed while non-zero, so that
	 * reassembly timeouts can be seen to give it back. */
	if (tb[NSEMU_A_FRAG_MEM]) {
		uint64_t mem = nla_get_u64(tb[NSEMU_A_FRAG_MEM]);

		print_u64(PRINT_JSON, "ipfrag_mem", NULL, mem);
		if (mem)
			print_text("    ipfrag memory: %" PRIu64 " bytes held by incomplete datagrams\n",
				   mem);
	}
	close_json_object();
	return 0;
}

static int show_drops(struct cli_ctx *c, int argc, char **argv)
{
	struct nl_msg *m;
	unsigned nns = 0;
	bool all = false;
	int err;

	if (argc > 2) {
		fprintf(c->err, "Usage: show drops [ NS | all ]\n");
		return -EINVAL;
	}
	if (argc == 2) {
		if (!strcmp(argv[1], "all"))
			all = true;
		else
			c->ns = argv[1];
	}
	if (c->ns && cli_check_ns(c))
		return -ENOENT;
	m = nlmsg_alloc_simple(NSEMU_MSG_GETDROPS, all ? NLM_F_DUMP : 0);
	if (!m)
		return -ENOMEM;
	if (all)
		nla_put_u32(m, NSEMU_A_FLAGS, 1);
	new_json_obj(c->out, c->json, c->pretty);
	err = cli_request(c, m, print_drops, &nns, false);
	delete_json_obj();
	return err;
}

/* ---- show threads ---- */

static uint64_t start_ns;

__attribute__((constructor)) static void show_start(void)
{
	start_ns = mono_ns();
}

static int print_thread(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	uint64_t calls = 0, tasks = 0, pkts = 0, busy = 0, up = mono_ns() - start_ns;
	struct nlattr *a, *cnt, *tb[NSEMU_A_MAX + 1];
	unsigned nns = 0;
	int rem, rem2;

	if (nlh->nlmsg_type != NSEMU_MSG_GETTHREADS || nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) < 0)
		return 0;
	if (tb[NSEMU_A_COUNTERS]) {
		nla_for_each_nested(cnt, tb[NSEMU_A_COUNTERS], rem2) {
			struct nlattr *ct[NSEMU_A_MAX + 1];

			if (nla_parse_nested(ct, NSEMU_A_MAX, cnt, NULL) < 0 || !ct[NSEMU_A_CNT_NAME] ||
			    !ct[NSEMU_A_CNT_VALUE])
				continue;
			const char *n = nla_get_string(ct[NSEMU_A_CNT_NAME]);
			uint64_t v = nla_get_u64(ct[NSEMU_A_CNT_VALUE]);

			if (!strcmp(n, "calls"))
				calls = v;
			else if (!strcmp(n, "tasks"))
				tasks = v;
			else if (!strcmp(n, "pkts"))
				pkts = v;
			else if (!strcmp(n, "busy_ns"))
				busy = v;
		}
	}
	open_json_object(NULL);
	print_uint(PRINT_ANY, "thread", "%-6u ", tb[NSEMU_A_THREAD] ? nla_get_u32(tb[NSEMU_A_THREAD]) : 0);
	print_u64(PRINT_ANY, "packets", "%12" PRIu64 " ", pkts);
	print_u64(PRINT_ANY, "calls", "%10" PRIu64 " ", calls);
	print_u64(PRINT_JSON, "tasks", NULL, tasks);
	print_u64(PRINT_JSON, "busy_ns", NULL, busy);
	/* busy share of the time since nsemu started */
	print_text("%5.1f%%  ", up ? 100.0 * (double)busy / (double)up : 0.0);
	/* one A_NS attribute per namespace the worker owns */
	nla_for_each_attr(a, nlmsg_attrdata(nlh, 0), nlmsg_attrlen(nlh, 0), rem)
		if (nla_type(a) == NSEMU_A_NS)
			nns++;
	print_uint(PRINT_ANY, "namespace_count", "%10u", nns);
	/* the names (thousands of them on a large run) only when asked for */
	open_json_array(PRINT_JSON, "namespaces");
	nns = 0;
	nla_for_each_attr(a, nlmsg_attrdata(nlh, 0), nlmsg_attrlen(nlh, 0), rem) {
		if (nla_type(a) != NSEMU_A_NS)
			continue;
		print_string(PRINT_JSON, NULL, NULL, nla_get_string(a));
		if (c->details)
			print_text("%s%s", nns++ ? "," : "  ", nla_get_string(a));
	}
	close_json_array(PRINT_JSON, NULL);
	print_text("\n");
	close_json_object();
	return 0;
}

static int show_threads(struct cli_ctx *c, int argc, char **argv)
{
	struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_GETTHREADS, NLM_F_DUMP);
	int err;

	if (!m)
		return -ENOMEM;
	c->ns = NULL;
	new_json_obj(c->out, c->json, c->pretty);
	print_text("%-6s %12s %10s %6s  %s%s\n", "THREAD", "PACKETS", "CALLS", "BUSY", "NAMESPACES",
		   c->details ? "  NAMES" : "");
	err = cli_request(c, m, print_thread, NULL, false);
	delete_json_obj();
	return err;
}

static const struct cmd show_cmds[] = {
	{ "drops", show_drops, "" },
	{ "threads", show_threads, "" },
	{ NULL, NULL, NULL },
};

/*
 * The output options (-j[son], -p[retty], -v[erbose] or -d[etails]) go
 * anywhere on a show line: `show -j drops r1` and `show drops r1 -j`
 * alike. They are taken out of argv, which keeps the other words in
 * order; returns the new argc, or -EINVAL after printing an unknown
 * option. -v is kept in c->details, reset after the line as -d is.
 */
static int show_opts(struct cli_ctx *c, int argc, char **argv)
{
	int n = 1;

	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (o[0] != '-' || !o[1]) {
			argv[n++] = argv[i];
			continue;
		}
		o += o[1] == '-' ? 2 : 1;
		if (matches(o, "json"))
			c->json = true;
		else if (matches(o, "pretty"))
			c->pretty = true;
		else if (matches(o, "verbose") || matches(o, "details"))
			c->details = true;
		else {
			fprintf(c->err, "Option \"%s\" is unknown, try \"help\".\n", argv[i]);
			return -EINVAL;
		}
	}
	argv[n] = NULL;
	return n;
}

int cmd_show(struct cli_ctx *c, int argc, char **argv)
{
	argc = show_opts(c, argc, argv);
	if (argc < 0)
		return argc;
	if (argc < 2) {
		fprintf(c->err, "Usage: show [ -j [ -p ] ] [ -v ] { drops [ NS | all ] | threads }\n");
		return -EINVAL;
	}
	return cmd_dispatch(c, show_cmds, "show", argc - 1, argv + 1);
}

/* ---- nstat ---- */

struct nstat_opts {
	bool zeros, json;
	char **pat;
	int npat;
	unsigned n;
};

static bool nstat_match(const struct nstat_opts *o, const char *name)
{
	if (!o->npat)
		return true;
	for (int i = 0; i < o->npat; i++)
		if (!fnmatch(o->pat[i], name, 0))
			return true;
	return false;
}

static int print_mib(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[NSEMU_A_MAX + 1], *cnt;
	struct nstat_opts *o = arg;
	int rem;

	if (nlh->nlmsg_type != NSEMU_MSG_GETMIB || nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) < 0 ||
	    !tb[NSEMU_A_COUNTERS])
		return 0;
	nla_for_each_nested(cnt, tb[NSEMU_A_COUNTERS], rem) {
		struct nlattr *ct[NSEMU_A_MAX + 1];
		const char *name;
		uint64_t v;

		if (nla_parse_nested(ct, NSEMU_A_MAX, cnt, NULL) < 0 || !ct[NSEMU_A_CNT_NAME] ||
		    !ct[NSEMU_A_CNT_VALUE])
			continue;
		name = nla_get_string(ct[NSEMU_A_CNT_NAME]);
		v = nla_get_u64(ct[NSEMU_A_CNT_VALUE]);
		if ((!v && !o->zeros) || !nstat_match(o, name))
			continue;
		/* misc/nstat.c dump_kern_db(): "%-32s%-16llu%6.1f" (no rate here) */
		if (o->json)
			fprintf(c->out, "%s\"%s\":%" PRIu64, o->n ? "," : "", name, v);
		else
			fprintf(c->out, "%-32s%-16" PRIu64 "%6.1f\n", name, v, 0.0);
		o->n++;
	}
	return 0;
}

int cmd_nstat(struct cli_ctx *c, int argc, char **argv)
{
	struct nstat_opts o = { .json = c->json };
	struct nl_msg *m;
	int i, err;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i] + (argv[i][1] == '-' ? 2 : 1);

		if (!strcmp(a, "n") || !strcmp(a, "netns")) {
			if (++i == argc) {
				fprintf(c->err, "nstat: option requires an argument -- 'n'\n");
				return -EINVAL;
			}
			c->ns = argv[i];
		} else if (!strcmp(a, "a") || !strcmp(a, "ignore")) {
			/* absolute values: always, nsemu's nstat keeps no history */
		} else if (!strcmp(a, "z") || !strcmp(a, "zeros")) {
			o.zeros = true;
		} else if (!strcmp(a, "j") || !strcmp(a, "json")) {
			o.json = true;
		} else if (!strcmp(a, "s") || !strcmp(a, "noupdate") || !strcmp(a, "r") ||
			   !strcmp(a, "reset")) {
			/* history options: nothing to update or reset */
		} else {
			fprintf(c->err, "Usage: nstat [ -n NS ] [ -a ] [ -z ] [ -j ] [ PATTERN ... ]\n");
			return -EINVAL;
		}
	}
	if (c->ns && cli_check_ns(c))
		return -ENOENT;
	o.pat = argv + i;
	o.npat = argc - i;
	m = nlmsg_alloc_simple(NSEMU_MSG_GETMIB, 0);
	if (!m)
		return -ENOMEM;
	if (o.json)
		fprintf(c->out, "{\"kernel\":{");
	else
		fprintf(c->out, "#kernel\n");
	err = cli_request(c, m, print_mib, &o, false);
	if (o.json)
		fprintf(c->out, "}}\n");
	return err;
}
