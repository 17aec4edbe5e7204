// SPDX-License-Identifier: MIT
/*
 * The command layer: iproute2's prefix matching (ip/ip.c matches()), table
 * dispatch, the line splitter (shell-like quoting, `#` comments), scripts
 * (`source`, `nsemu -f/-b`, with ip -batch's "Command failed FILE:LINE"),
 * and the top-level table: ip, sysctl, show, nstat, ping, traceroute,
 * help, source, quit/exit.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/compiler.h"
#include "cmd.h"

#define CLI_MAX_ARGS 256
#define CLI_MAX_DEPTH 8 /* nested `source` */

bool matches(const char *prefix, const char *word)
{
	size_t n = strlen(prefix);

	return n && n <= strlen(word) && !memcmp(prefix, word, n);
}

int cmd_dispatch(struct cli_ctx *c, const struct cmd *table, const char *what, int argc,
		 char **argv)
{
	if (argc < 1)
		return -EINVAL;
	for (const struct cmd *t = table; t->name; t++)
		if (matches(argv[0], t->name))
			return t->fn(c, argc, argv);
	if (!strcmp(what, "ip"))
		fprintf(c->err, "Object \"%s\" is unknown, try \"ip help\".\n", argv[0]);
	else
		fprintf(c->err, "Command \"%s\" is unknown, try \"%s help\".\n", argv[0], what);
	return -EINVAL;
}

/*
 * Full names of host programs a Linux user types expecting the real tool.
 * At the top level they are never taken as an abbreviation of an nsemu
 * command (`tc` is not tcpdump, `sh` not show, `tr` not traceroute).
 */
static const char *const host_tools[] = {
	"arp",	   "arping",   "bridge",   "brctl", "curl",	    "devlink", "dig",	  "ebtables",
	"ethtool", "ex",       "host",	   "hping3", "ifconfig", "ip6tables", "iperf", "iperf3",
	"iptables", "iw",      "mtr",	   "nc",    "ncat",	    "netstat", "nft",	  "nmap",
	"nping",   "nslookup", "ping6",	   "route", "sh",	    "socat",   "ss",	  "ssh",
	"tc",	   "tcptraceroute", "telnet", "tr", "tracepath", "traceroute6", "tshark", "w",
};

static bool is_host_tool(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_tools); i++)
		if (!strcmp(word, host_tools[i]))
			return true;
	return false;
}

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions, so "pnig" is 1 from "ping"); words over 31 bytes are
 * never close. */
static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned d[32][32];

	if (la > 31 || lb > 31)
		return UINT_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* The command nearest to @word, if it is close: at most 2 edits, and fewer
 * edits than @word has letters (so "tc" is not "close" to "ip"). */
static const char *cmd_nearest(const struct cmd *table, const char *word)
{
	const char *best = NULL;
	unsigned best_d = 3;

	for (const struct cmd *t = table; t->name; t++) {
		unsigned d = edit_distance(word, t->name);

		if (d < best_d && d < strlen(word)) {
			best = t->name;
			best_d = d;
		}
	}
	return best;
}

/*
 * The top-level lookup: an exact name, else a prefix of exactly one
 * command that is not itself a host tool's name. An ambiguous prefix lists
 * its candidates; a host tool's name is said to be one; another unknown
 * word names the nearest command if one is close.
 */
static const struct cmd *cmd_lookup_top(struct cli_ctx *c, const char *word)
{
	const struct cmd *hit = NULL;
	const char *near;
	unsigned n = 0;
	bool host;

	for (const struct cmd *t = cli_cmds; t->name; t++)
		if (!strcmp(word, t->name))
			return t;
	host = is_host_tool(word);
	if (!host)
		for (const struct cmd *t = cli_cmds; t->name; t++)
			if (matches(word, t->name)) {
				hit = t;
				n++;
			}
	if (n == 1)
		return hit;
	if (n > 1) {
		fprintf(c->err, "Ambiguous command \"%s\", could be:", word);
		for (const struct cmd *t = cli_cmds; t->name; t++)
			if (matches(word, t->name))
				fprintf(c->err, " %s", t->name);
		fprintf(c->err, ". Try \"help\".\n");
		return NULL;
	}
	/* a host tool's name is not a typo of ours: "tc" is not "nc" */
	if (host)
		fprintf(c->err,
			"Unknown command \"%s\": a host program, which nsemu does not emulate. "
			"Try \"help\".\n",
			word);
	else if ((near = cmd_nearest(cli_cmds, word)))
		fprintf(c->err, "Unknown command \"%s\", did you mean \"%s\"? Try \"help\".\n",
			word, near);
	else
		fprintf(c->err, "Unknown command \"%s\", try \"help\".\n", word);
	return NULL;
}

static int cmd_dispatch_top(struct cli_ctx *c, int argc, char **argv)
{
	const struct cmd *t;

	/* `ip route ?`: the grammar of what the words before it name */
	if (!strcmp(argv[argc - 1], "?")) {
		/* [w0 .. wn-2, ?] -> [help, w0 .. wn-2] */
		memmove(argv + 1, argv, (size_t)(argc - 1) * sizeof(*argv));
		argv[0] = "help";
	}
	t = cmd_lookup_top(c, argv[0]);
	return t ? t->fn(c, argc, argv) : -EINVAL;
}

/*
 * Split @line into words in @buf (same size as line): whitespace separates,
 * '...' is literal, "..." allows \" and \\, a backslash outside quotes
 * escapes the next character, and an unquoted # at the start of a word
 * starts a comment. Returns the word count, or -EINVAL (unterminated quote,
 * too many words) with *why set.
 */
static int split_words(const char *line, char *buf, char **argv, int max, const char **why)
{
	const char *s = line;
	char *o = buf;
	int argc = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			break;
		if (argc == max) {
			*why = "too many arguments";
			return -EINVAL;
		}
		argv[argc++] = o;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
			if (*s == '\'') {
				for (s++; *s && *s != '\''; s++)
					*o++ = *s;
				if (!*s) {
					*why = "unterminated quote";
					return -EINVAL;
				}
				s++;
			} else if (*s == '"') {
				for (s++; *s && *s != '"'; s++) {
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
						s++;
					*o++ = *s;
				}
				if (!*s) {
					*why = "unterminated quote";
					return -EINVAL;
				}
				s++;
			} else if (*s == '\\' && s[1]) {
				*o++ = s[1];
				s += 2;
			} else {
				*o++ = *s++;
			}
		}
		*o++ = '\0';
	}
	return argc;
}

int cli_run_line(struct cli_ctx *c, const char *line)
{
	const char *saved_ns = c->ns, *saved_line = c->line, *why = "";
	bool json = c->json, stats = c->stats, details = c->details, pretty = c->pretty;
	int level = c->stats_level, argc, ret;
	char *argv[CLI_MAX_ARGS + 1];
	char *buf = malloc(strlen(line) + 1);

	if (!buf)
		return -ENOMEM;
	argc = split_words(line, buf, argv, CLI_MAX_ARGS, &why);
	if (argc < 0) {
		fprintf(c->err, "Error: %s.\n", why);
		free(buf);
		return argc;
	}
	if (argc == 0) {
		free(buf);
		return 0;
	}
	argv[argc] = NULL;
	c->line = line;
	ret = cmd_dispatch_top(c, argc, argv);
	c->line = saved_line;
	fflush(c->out);
	fflush(c->err);
	/* options like -n NS / -j belong to one line only */
	c->ns = saved_ns;
	c->json = json;
	c->stats = stats;
	c->details = details;
	c->pretty = pretty;
	c->stats_level = level;
	free(buf);
	return ret;
}

/* per thread: control socket connections run scripts concurrently */
static _Thread_local int file_depth;

int cli_run_file(struct cli_ctx *c, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int ret = 0;

	if (!f) {
		fprintf(c->err, "Cannot open file \"%s\" for batch: %s\n", path, strerror(errno));
		return -errno;
	}
	if (file_depth >= CLI_MAX_DEPTH) {
		fprintf(c->err, "Error: \"%s\": scripts nested too deeply.\n", path);
		if (f != stdin)
			fclose(f);
		return -ELOOP;
	}
	file_depth++;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		ret = cli_run_line(c, line);
		if (ret) {
			/* iproute2 ip.c batch(): the failing line, then stop */
			fprintf(c->err, "Command failed %s:%u\n", path, lineno);
			break;
		}
		if (c->quit)
			break;
	}
	file_depth--;
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

static int cmd_source(struct cli_ctx *c, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(c->err, "Usage: source FILE\n");
		return -EINVAL;
	}
	return cli_run_file(c, argv[1]);
}

static int cmd_quit(struct cli_ctx *c, int argc, char **argv)
{
	c->quit = true;
	return 0;
}

/*
 * `help`: every command with its grammar. `help CMD [WORDS...]` (or `CMD
 * [WORDS...] ?`): what CMD's own help says, `ip route help` for `help ip
 * route`, for the commands that have one (ip, bench); the grammar line
 * for the others.
 */
static int cmd_help(struct cli_ctx *c, int argc, char **argv)
{
	const struct cmd *t;

	if (argc > 1) {
		char *v[CLI_MAX_ARGS + 1];
		int n = 0;

		if (!(t = cmd_lookup_top(c, argv[1])))
			return -EINVAL;
		if (t->fn != cmd_ip && t->fn != cmd_bench) {
			fprintf(c->out, "Usage: %s\n", t->help);
			return 0;
		}
		for (int i = 1; i < argc && n < CLI_MAX_ARGS; i++)
			v[n++] = argv[i];
		v[n++] = "help";
		v[n] = NULL;
		return t->fn(c, n, v);
	}
	fprintf(c->out, "nsemu: a user-space network namespace emulator. Commands:\n");
	for (t = cli_cmds; t->name; t++)
		fprintf(c->out, "  %-11s %s\n", t->name, t->help);
	fprintf(c->out, "Words may be abbreviated (ip li sh). Lines starting with # are comments.\n"
			"`help CMD` or `CMD ... ?` shows one command's grammar; see docs/cli.md\n"
			"for the full reference.\n");
	return 0;
}

const struct cmd cli_cmds[] = {
	{ "ip", cmd_ip, "ip [-n NS] [-j [-p]] [-s] [-d] link|addr|route|neigh|netns ..." },
	{ "sysctl", cmd_sysctl, "sysctl [--netns NS] [-n] [-w] [-a] NAME[=VALUE]..." },
	{ "show", cmd_show, "show [-j [-p]] [-v] drops [NS|all] | threads" },
	{ "nstat", cmd_nstat, "nstat [-n NS] [-a] [-z] [-j] [PATTERN...]: MIB counters" },
	{ "ping", cmd_ping, "ping [-bf] [-c N] [-i S] [-s SIZE] [-t TTL] [-W S] ADDR (default netns)" },
	{ "traceroute", cmd_traceroute, "traceroute [-m HOPS] [-q N] ADDR (default namespace)" },
	{ "nc", cmd_nc, "nc [-vz] [-w S] [-i FILE] [-o FILE] ADDR PORT | nc -l [-v] [-i F] [-o F] PORT [&]" },
	{ "httpd", cmd_httpd, "httpd [-q] [-p PORT] [-d DIR] [-t SECS] [&]: static HTTP/1.1 file server" },
	{ "wget", cmd_wget, "wget [-q] [-O FILE|-] [-T SECS] [-t TRIES] URL... [&]: HTTP client" },
	{ "iperf3", cmd_iperf3, "iperf3 -s [-p PORT] [-1] | -c ADDR [-t S|-n BYTES] [-P N] [-R] [-l LEN] [-i S] [-J] [&]" },
	{ "ss", cmd_ss, "ss [-n NS] -t [-a|-l] [-n]: TCP sockets" },
	{ "tcpdump", cmd_tcpdump, "tcpdump [-n NS] -i DEV [-w FILE] [-c N] [-e] [EXPR] [&]: capture" },
	{ "wait", cmd_wait, "wait [%N]: wait for background jobs (tcpdump ... &, nc ... &); Ctrl-C stops them" },
	{ "jobs", cmd_jobs, "jobs: the background apps (nc, httpd, wget ... &) and their state" },
	{ "kill", cmd_kill, "kill %N...: stop background app N (as listed by jobs)" },
	{ "bench", cmd_bench, "bench fwd|netns|fib|tcp [OPTIONS]: stress tests (bench help)" },
	{ "help", cmd_help, "help [CMD [WORDS...]]: this list, or one command's grammar (also CMD ... ?)" },
	{ "source", cmd_source, "source FILE: run the commands in FILE" },
	{ "quit", cmd_quit, "leave nsemu" },
	{ "exit", cmd_quit, "leave nsemu" },
	{ NULL, NULL, NULL },
};
