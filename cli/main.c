// SPDX-License-Identifier: MIT
/*
 * nsemu's entry point: `nsemu [-t THREADS] [-f SCRIPT] [-b SCRIPT] [-q]`.
 * Starts the worker threads and the control path, then runs a script
 * (-f: and stays interactive; -b: batch, exits non-zero at the first
 * failing line like `ip -batch`), or the interactive shell when stdin is a
 * terminal, or stdin as a batch when it is not. SIGINT interrupts the
 * running command (a ping prints its summary) and clears the line at the
 * prompt; it never kills the emulator.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/loop.h"
#include "../netns/rtnl.h"
#include "cmd.h"
#include "shell.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: nsemu [ -t THREADS ] [ -f SCRIPT ] [ -b SCRIPT ] [ -q ]\n"
		   "  -t THREADS  worker threads (default: one per CPU)\n"
		   "  -f SCRIPT   run SCRIPT, then continue interactively\n"
		   "  -b SCRIPT   run SCRIPT and exit (\"-\": standard input); stop at the\n"
		   "              first failing line with \"Command failed SCRIPT:LINE\"\n"
		   "  -q          no banner\n");
}

static void banner(void)
{
	printf("nsemu: a user-space network namespace emulator. Namespaces, veth pairs,\n"
	       "routes and ARP run in this process; configure them with iproute2's grammar.\n"
	       "Type `help` for the commands. With the default topology (topo/default.nsemu):\n"
	       "  ip netns list\n"
	       "  ip -n h1 addr\n"
	       "  ip netns exec h1 ping -c 3 10.0.2.2\n"
	       "  ip netns exec h1 traceroute 10.0.2.2\n"
	       "  show drops\n\n");
}

int main(int argc, char **argv)
{
	const char *script = NULL, *batch = NULL;
	struct sigaction sa = { .sa_handler = on_sigint };
	unsigned threads = 0;
	bool quiet = false;
	struct cli_ctx c;
	int opt, ret = 0;

	while ((opt = getopt(argc, argv, "t:f:b:qh")) != -1) {
		switch (opt) {
		case 't': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !*optarg || v > 1024) {
				fprintf(stderr, "nsemu: invalid thread count \"%s\"\n", optarg);
				return 2;
			}
			threads = (unsigned)v;
			break;
		}
		case 'f': script = optarg; break;
		case 'b': batch = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (loop_init(threads)) {
		fprintf(stderr, "nsemu: cannot start worker threads\n");
		return 1;
	}
	if (rtnl_init()) {
		fprintf(stderr, "nsemu: cannot initialise the control path\n");
		loop_shutdown();
		return 1;
	}
	/* no SA_RESTART: a blocking read at the prompt returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	cli_ctx_init(&c, stdout, stderr);
	c.interrupt = &interrupted;
	if (batch) {
		ret = cli_run_file(&c, batch);
	} else {
		bool tty = isatty(STDIN_FILENO);

		if (script) {
			/* like -batch, but a failing script leaves the shell running */
			ret = cli_run_file(&c, script);
		}
		if (!c.quit) {
			if (tty) {
				if (!quiet && isatty(STDOUT_FILENO))
					banner();
				ret = shell_run(&c, &interrupted);
			} else {
				ret = cli_run_file(&c, "-");
			}
		}
	}
	cli_ctx_free(&c);
	rtnl_exit();
	loop_shutdown();
	return ret ? 1 : 0;
}
