// SPDX-License-Identifier: MIT
/*
 * Fuzz target: CLI lines into cli_run_line() (STYLE §8), as `nsemu -b`
 * runs a script: the word splitter, iproute2 prefix matching, every
 * command's argument parser, the messages they build, the replies they
 * print (text and JSON) and the apps (ping, traceroute). The input is split
 * into lines at '\n' (and NUL), each run in turn whatever the previous one
 * returned, against a fresh control path per input on two real worker
 * threads (so `thread 1` and cross-worker veth pairs are reachable).
 *
 * Commands that reach outside the process are not run: only lines whose
 * first word is exactly a command of the allow list below, and with none of
 * the deny-listed words anywhere, so the fuzzer never reads a script from
 * stdin (`source -`), writes a capture file or starts a long benchmark.
 * Ping and traceroute run with the interrupt flag already set: they start,
 * are stopped at once (Ctrl-C) and print their summary, so no input waits
 * on a clock. Output goes to /dev/null.
 */
#include <string.h>

#include "devices/devices.h"
#include "cli/cmd.h"
#include "core/loop.h"
#include "core/pkt.h"
#include "netns/core/netns.h"
#include "netns/rtnl/rtnl.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_LINE_MAX 1024
#define FUZZ_LINES_MAX 64

static const char *const fuzz_allow[] = {
	"ip", "sysctl", "show", "nstat", "ping", "traceroute", "help", "quit", "exit",
};
static const char *const fuzz_deny[] = { "source", "tcpdump", "bench", "topo" };

static FILE *fuzz_null;
static volatile sig_atomic_t fuzz_intr = 1;

static bool fuzz_word_in(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w, list[i]))
			return true;
	return false;
}

/* May @line run? Judged on the words with quotes and backslashes removed,
 * a superset of what the splitter can make of them. */
static bool fuzz_line_ok(const char *line)
{
	char buf[FUZZ_LINE_MAX + 1], *w, *save = NULL;
	size_t n = 0;
	bool first = true;

	for (const char *s = line; *s && n < FUZZ_LINE_MAX; s++)
		if (*s != '\'' && *s != '"' && *s != '\\')
			buf[n++] = *s;
	buf[n] = '\0';
	for (w = strtok_r(buf, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (first && w[0] == '#')
			return true; /* a comment line */
		if (first && !fuzz_word_in(w, fuzz_allow, ARRAY_SIZE(fuzz_allow)))
			return false;
		if (fuzz_word_in(w, fuzz_deny, ARRAY_SIZE(fuzz_deny)))
			return false;
		first = false;
	}
	return true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_CHECK(loop_init(2) == 0);
	/* NSEMU_FUZZ_OUTPUT=1 shows what the commands print (debugging). */
	fuzz_null = getenv("NSEMU_FUZZ_OUTPUT") ? stdout : fopen("/dev/null", "w");
	FUZZ_CHECK(fuzz_null);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[FUZZ_LINE_MAX + 1];
	struct cli_ctx c;
	size_t off = 0;
	unsigned nlines = 0;

	devices_init();

	FUZZ_CHECK(rtnl_init() == 0);
	cli_ctx_init(&c, fuzz_null, fuzz_null);
	c.interrupt = &fuzz_intr;
	while (off < size && nlines < FUZZ_LINES_MAX && !c.quit) {
		size_t n = 0;

		while (off < size && data[off] != '\n' && data[off] != '\0') {
			if (n < FUZZ_LINE_MAX)
				line[n++] = (char)data[off];
			off++;
		}
		off++; /* the separator */
		line[n] = '\0';
		nlines++;
		if (fuzz_line_ok(line))
			cli_run_line(&c, line);
	}
	cli_ctx_free(&c);
	rtnl_exit();
	/* no namespace left; the next input gets the same ids as this one */
	FUZZ_CHECK(netns_test_reset_ids() == 0);
	FUZZ_CHECK(pkt_in_use() == 0);
	return 0;
}
