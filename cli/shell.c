// SPDX-License-Identifier: MIT
/*
 * Interactive line editing on libedit's native API (histedit.h): el_gets()
 * with a persistent history file, and a completion function bound to TAB.
 * Completion follows the grammar where it knows it, cheaply: the first
 * word completes from the top-level commands; after `ip` (and its options)
 * the objects, after `ip OBJECT` that object's verbs, after `type` the
 * link kinds, after `show` what it shows; the word after `-n`, `netns`,
 * `exec`, `--netns` or `show drops` from the namespace list (one GETNS
 * dump), after `dev` from the devices of the namespace named on the line
 * (one GETLINK dump); any other word from a fixed vocabulary of iproute2
 * keywords.
 */
#include "shell.h"

#include <errno.h>
#include <histedit.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "ip_common.h"

#define HISTORY_FILE ".nsemu_history"
#define HISTORY_SIZE 1000
#define MAX_CANDS 256

static struct cli_ctx *shell_ctx;

static const char *const vocabulary[] = {
	"address", "link", "route", "neighbour", "netns", "add", "del", "delete", "set",
	"show", "list", "flush", "get", "replace", "change", "append", "exec", "dev", "type",
	"veth", "peer", "name", "up", "down", "mtu", "via", "table", "metric", "proto",
	"scope", "src", "lladdr", "nud", "permanent", "reachable", "stale", "noarp",
	"blackhole", "unreachable", "prohibit", "default", "local", "main", "all",
	"drops", "threads", "thread", "ping", "traceroute", "sysctl", "nstat",
	"net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv4.conf.all.rp_filter",
	"net.ipv4.ip_default_ttl", "-j", "-p", "-s", "-d", "-n",
};

struct cands {
	const char *prefix;
	size_t plen;
	char *v[MAX_CANDS];
	unsigned n;
};

static void cand_add(struct cands *k, const char *w)
{
	if (k->n < MAX_CANDS && !strncmp(w, k->prefix, k->plen)) {
		for (unsigned i = 0; i < k->n; i++)
			if (!strcmp(k->v[i], w))
				return;
		k->v[k->n] = strdup(w);
		if (k->v[k->n])
			k->n++;
	}
}

static int ns_cand(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];

	if (nlh->nlmsg_type == NSEMU_MSG_NEWNS && nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) >= 0 &&
	    tb[NSEMU_A_NS])
		cand_add(arg, nla_get_string(tb[NSEMU_A_NS]));
	return 0;
}

static int dev_cand(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1];

	if (nlh->nlmsg_type == RTM_NEWLINK &&
	    nlmsg_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) >= 0 && tb[IFLA_IFNAME])
		cand_add(arg, nla_get_string(tb[IFLA_IFNAME]));
	return 0;
}

/* `ip` objects and the verbs of each, as iproute2's usage lists them. */
static const struct {
	const char *object;
	const char *const *verbs;
} ip_grammar[] = {
	{ "address", (const char *const[]){ "add", "del", "show", "flush", "help", NULL } },
	{ "link", (const char *const[]){ "add", "delete", "set", "show", "help", NULL } },
	{ "route", (const char *const[]){ "add", "del", "change", "append", "replace", "show",
					  "flush", "get", "help", NULL } },
	{ "neighbour", (const char *const[]){ "add", "del", "change", "replace", "show", "flush",
					      "help", NULL } },
	{ "netns", (const char *const[]){ "add", "delete", "list", "exec", "help", NULL } },
	{ "rule", (const char *const[]){ "add", "delete", "list", "show", "flush", "help", NULL } },
	{ "nexthop", (const char *const[]){ "add", "replace", "delete", "list", "show", "get",
					    "flush", "help", NULL } },
	{ "vrf", (const char *const[]){ "show", "list", "help", NULL } },
	{ "monitor", (const char *const[]){ "all", "link", "address", "route", "neigh", "rule",
					    "nexthop", "label", "help", NULL } },
};

static const char *const link_kinds[] = { "veth", "dummy", "tap", "tun" };
static const char *const show_subjects[] = { "drops", "threads" };

/* `ip` options that take a value (the next word is not the object). */
static bool ip_opt_takes_value(const char *w)
{
	return !strcmp(w, "-n") || !strcmp(w, "-netns") || !strcmp(w, "--netns") ||
	       !strcmp(w, "-b") || !strcmp(w, "-batch");
}

/*
 * The grammar's candidates for word @nw of an `ip` line (w[0] is "ip"):
 * the objects, or the verbs of the object, or the link kinds after
 * `type`. False where the grammar has nothing to say (the caller falls
 * back).
 */
static bool complete_ip(struct cands *k, char **w, int nw)
{
	int i = 1;

	while (i < nw && w[i][0] == '-')
		i += ip_opt_takes_value(w[i]) ? 2 : 1;
	if (i > nw)
		return false; /* typing an option's value */
	if (i == nw) {
		for (size_t j = 0; j < ARRAY_SIZE(ip_grammar); j++)
			cand_add(k, ip_grammar[j].object);
		return true;
	}
	for (size_t j = 0; j < ARRAY_SIZE(ip_grammar); j++) {
		if (!matches(w[i], ip_grammar[j].object))
			continue;
		if (nw == i + 1) {
			for (const char *const *v = ip_grammar[j].verbs; *v; v++)
				cand_add(k, *v);
			return true;
		}
		if (!strcmp(w[nw - 1], "type") && !strcmp(ip_grammar[j].object, "link")) {
			for (size_t t = 0; t < ARRAY_SIZE(link_kinds); t++)
				cand_add(k, link_kinds[t]);
			return true;
		}
		return false;
	}
	return false;
}

/* Collect candidates for the word being typed, given the words before it. */
static void complete_words(struct cands *k, char **w, int nw)
{
	struct cli_ctx *c = shell_ctx;
	const char *prev = nw ? w[nw - 1] : NULL;
	const char *ns = NULL;

	for (int i = 0; i + 1 < nw; i++)
		if (!strcmp(w[i], "-n") || !strcmp(w[i], "-netns") || !strcmp(w[i], "--netns") ||
		    !strcmp(w[i], "exec"))
			ns = w[i + 1];
	if (!nw) {
		for (const struct cmd *t = cli_cmds; t->name; t++)
			cand_add(k, t->name);
	} else if (!strcmp(w[0], "ip") && strcmp(prev, "dev") && !ip_opt_takes_value(prev) &&
		   strcmp(prev, "exec") && complete_ip(k, w, nw)) {
		/* the grammar's words */
	} else if (!strcmp(w[0], "show") && nw == 1) {
		for (size_t j = 0; j < ARRAY_SIZE(show_subjects); j++)
			cand_add(k, show_subjects[j]);
	} else if (!strcmp(prev, "-n") || !strcmp(prev, "-netns") || !strcmp(prev, "--netns") ||
		   !strcmp(prev, "exec") || !strcmp(prev, "del") || !strcmp(prev, "drops") ||
		   (!strcmp(prev, "netns") && nw > 1 && strcmp(w[nw - 2], "ip"))) {
		struct nl_msg *m = nlmsg_alloc_simple(NSEMU_MSG_GETNS, NLM_F_DUMP);

		if (m) {
			c->ns = NULL;
			cli_request(c, m, ns_cand, k, true);
		}
	} else if (!strcmp(prev, "dev")) {
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
		struct nl_msg *m = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);

		if (m) {
			nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
			c->ns = ns;
			cli_request(c, m, dev_cand, k, true);
		}
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(vocabulary); i++)
			cand_add(k, vocabulary[i]);
	}
	c->ns = NULL;
}

unsigned shell_complete_line(struct cli_ctx *c, const char *line, char **out, unsigned max)
{
	const char *start = line + strlen(line);
	char *head, *words[64], *save = NULL, *tok;
	struct cands k = { 0 };
	int nw = 0;

	while (start > line && start[-1] != ' ' && start[-1] != '\t')
		start--;
	head = strndup(line, (size_t)(start - line));
	if (!head)
		return 0;
	for (tok = strtok_r(head, " \t", &save); tok && nw < 64; tok = strtok_r(NULL, " \t", &save))
		words[nw++] = tok;
	k.prefix = start;
	k.plen = strlen(start);
	shell_ctx = c;
	complete_words(&k, words, nw);
	free(head);
	for (unsigned i = 0; i < k.n; i++) {
		if (i < max)
			out[i] = k.v[i];
		else
			free(k.v[i]);
	}
	return k.n < max ? k.n : max;
}

static unsigned char shell_complete(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	char *line, *words[64], *save = NULL, *tok;
	size_t len = (size_t)(li->cursor - li->buffer);
	const char *start = li->cursor;
	struct cands k = { 0 };
	unsigned char ret = CC_REFRESH;
	int nw = 0;

	while (start > li->buffer && start[-1] != ' ' && start[-1] != '\t')
		start--;
	line = strndup(li->buffer, (size_t)(start - li->buffer));
	if (!line)
		return CC_ERROR;
	for (tok = strtok_r(line, " \t", &save); tok && nw < 64; tok = strtok_r(NULL, " \t", &save))
		words[nw++] = tok;
	k.prefix = start;
	k.plen = len - (size_t)(start - li->buffer);
	{
		char *pfx = strndup(start, k.plen);

		k.prefix = pfx ? pfx : "";
		complete_words(&k, words, nw);
		if (k.n == 1) {
			el_insertstr(el, k.v[0] + k.plen);
			el_insertstr(el, " ");
		} else if (k.n > 1) {
			/* extend to the longest common prefix, then list */
			size_t common = strlen(k.v[0]);

			for (unsigned i = 1; i < k.n; i++) {
				size_t j = 0;

				while (j < common && k.v[i][j] == k.v[0][j])
					j++;
				common = j;
			}
			if (common > k.plen) {
				char *ext = strndup(k.v[0] + k.plen, common - k.plen);

				if (ext)
					el_insertstr(el, ext);
				free(ext);
			} else {
				fputc('\n', stdout);
				for (unsigned i = 0; i < k.n; i++)
					printf("%s%s", k.v[i], i + 1 < k.n ? "  " : "\n");
				ret = CC_REDISPLAY;
			}
		} else {
			ret = CC_ERROR;
		}
		free(pfx);
	}
	for (unsigned i = 0; i < k.n; i++)
		free(k.v[i]);
	free(line);
	return ret;
}

static const char *prompt(EditLine *el)
{
	return "nsemu> ";
}

static char *history_path(void)
{
	const char *home = getenv("HOME");
	char *p = NULL;

	if (home && *home && asprintf(&p, "%s/%s", home, HISTORY_FILE) < 0)
		p = NULL;
	return p;
}

int shell_run(struct cli_ctx *c, volatile sig_atomic_t *intr)
{
	EditLine *el = el_init("nsemu", stdin, stdout, stderr);
	History *hist = history_init();
	char *hpath = history_path();
	HistEvent ev;
	int ret = 0;

	if (!el || !hist) {
		fprintf(c->err, "nsemu: cannot initialise line editing\n");
		if (el)
			el_end(el);
		if (hist)
			history_end(hist);
		free(hpath);
		return -ENOMEM;
	}
	shell_ctx = c;
	history(hist, &ev, H_SETSIZE, HISTORY_SIZE);
	history(hist, &ev, H_SETUNIQUE, 1);
	if (hpath)
		history(hist, &ev, H_LOAD, hpath);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_PROMPT, prompt);
	el_set(el, EL_HIST, history, hist);
	el_set(el, EL_ADDFN, "nsemu-complete", "complete a word", shell_complete);
	el_set(el, EL_BIND, "^I", "nsemu-complete", NULL);
	el_source(el, NULL); /* ~/.editrc, as other libedit programs */

	while (!c->quit) {
		int count = 0;
		const char *line;

		*intr = 0;
		line = el_gets(el, &count);
		if (!line) {
			/* SIGINT at the prompt: drop the line, show a fresh prompt */
			if (count == -1 && errno == EINTR) {
				fputc('\n', stdout);
				el_reset(el);
				continue;
			}
			fputc('\n', stdout); /* EOF (Ctrl-D) */
			break;
		}
		if (*line && strspn(line, " \t\n") != strlen(line))
			history(hist, &ev, H_ENTER, line);
		*intr = 0;
		c->interrupt = intr;
		ret = cli_run_line(c, line);
		c->interrupt = NULL;
	}
	if (hpath)
		history(hist, &ev, H_SAVE, hpath);
	free(hpath);
	history_end(hist);
	el_end(el);
	return ret;
}
