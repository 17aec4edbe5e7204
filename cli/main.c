// SPDX-License-Identifier: MIT
/*
 * nsemu's entry point: `nsemu [-t THREADS] [-s SOCKET] [-f SCRIPT] [-b SCRIPT] [-q]`
 * and `nsemu --daemon [-t THREADS] [-s SOCKET] [-f SCRIPT]`.
 * Starts the worker threads and the control path, then runs a script
 * (-f: and stays interactive; -b: batch, exits non-zero at the first
 * failing line like `ip -batch`), or the interactive shell when stdin is a
 * terminal, or stdin as a batch when it is not. SIGINT interrupts the
 * running command (a ping prints its summary) and clears the line at the
 * prompt; it never kills the emulator.
 *
 * The control socket (ctl/ctl_server.c) serves alongside the shell: always
 * in interactive mode and with --daemon (which has no shell and runs until
 * SIGTERM/SIGINT), in batch mode only when -s asks for it, so that one-shot
 * scripts never collide on the default path.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "core/loop.h"
#include "core/rand.h"
#include "netns/rtnl/rtnl.h"
#include "cmd.h"
#include "ctl/ctl_server.h"
#include "exec.h"
#include "shell.h"
#include "tcpdump.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: nsemu [ -t THREADS ] [ -s SOCKET ] [ -f SCRIPT ] [ -b SCRIPT ] [ -q ] [ --seed N ]\n"
		   "       nsemu --daemon [ -t THREADS ] [ -s SOCKET ] [ -f SCRIPT ]\n"
		   "       nsemu [ -t THREADS ] bench fwd|netns|fib|tcp [ OPTIONS ]  (see `bench help`)\n"
		   "       nsemu exec [ -s SOCKET ] NS -- PROGRAM [ ARGS... ]  (ip, sysctl, libnl\n"
		   "              programs in namespace NS of a running emulator)\n"
		   "  -t THREADS  worker threads (default: one per CPU)\n"
		   "  -s SOCKET   control socket (default: $XDG_RUNTIME_DIR/nsemu.sock,\n"
		   "              else /tmp/nsemu-$UID.sock; batch mode: none unless -s)\n"
		   "  --daemon    no shell: serve the control socket until SIGTERM/SIGINT\n"
		   "  -f SCRIPT   run SCRIPT, then continue interactively\n"
		   "  -b SCRIPT   run SCRIPT and exit (\"-\": standard input); stop at the\n"
		   "              first failing line with \"Command failed SCRIPT:LINE\"\n"
		   "  -q          no banner\n"
		   "  --seed N    reproducible run: the same N and the same commands give the\n"
		   "              same MAC addresses and IP IDs (default: new ones each run)\n");
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

/* ---- the control socket (-s, --daemon) ---- */

/* Open the control socket at @path (NULL: the default path). */
static struct ctl_server *ctl_open(const char *path)
{
	char def[108];
	struct ctl_server *s;
	int err;

	if (!path) {
		if (ctl_default_path(def, sizeof(def))) {
			fprintf(stderr, "nsemu: default socket path too long; use -s PATH\n");
			return NULL;
		}
		path = def;
	}
	s = ctl_server_open(path, &err);
	if (!s && err == -EADDRINUSE)
		fprintf(stderr, "nsemu: another nsemu is serving %s\n", path);
	else if (!s)
		fprintf(stderr, "nsemu: cannot listen on %s: %s\n", path, strerror(-err));
	return s;
}

/* --daemon: the workers were started with SIGINT/SIGTERM blocked (so every
 * thread inherits that); wait for one here, synchronously. */
static int daemon_run(struct cli_ctx *c, struct ctl_server *srv, const char *script,
		      const sigset_t *stop)
{
	int sig, err;

	if (script && cli_run_file(c, script)) {
		fprintf(stderr, "nsemu: %s failed, not serving\n", script);
		return 1;
	}
	err = ctl_server_start(srv);
	if (err) {
		fprintf(stderr, "nsemu: cannot start the control server: %s\n", strerror(-err));
		return 1;
	}
	while (sigwait(stop, &sig))
		;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "daemon", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "seed", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL;
	struct ctl_server *srv = NULL;
	bool daemon_mode = false;
	sigset_t stop;
	const char *script = NULL, *batch = NULL;
	struct sigaction sa = { .sa_handler = on_sigint };
	unsigned threads = 0;
	bool quiet = false;
	struct cli_ctx c;
	int opt, ret = 0;

	/* `nsemu exec NS -- PROGRAM`: a launcher, no emulator of its own */
	if (argc > 1 && !strcmp(argv[1], "exec"))
		return cli_exec_main(argc - 1, argv + 1);

	while ((opt = getopt_long(argc, argv, "+t:f:b:qs:h", longopts, NULL)) != -1) {
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
		case 's': sock = optarg; break;
		case 'D': daemon_mode = true; break;
		case 'S': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 0);

			if (*end || !*optarg || *optarg == '-') {
				fprintf(stderr, "nsemu: invalid seed \"%s\"\n", optarg);
				return 2;
			}
			/* MACs and the IP ID starts (core/rand) */
			rand_seed(v);
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* `nsemu [-t N] bench fwd ...`: one bench command, then exit ("+" in
	 * the option string stops getopt at "bench", so its options are its
	 * own). */
	bool bench_cmd = optind < argc && !strcmp(argv[optind], "bench");
	if ((optind < argc && !bench_cmd) || (daemon_mode && batch)) {
		usage(stderr);
		return 2;
	}
	if (daemon_mode) {
		/* before any thread exists: all of them inherit the mask */
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &stop, NULL);
	}
	if (loop_init(threads)) {
		fprintf(stderr, "nsemu: cannot start worker threads\n");
		return 1;
	}
	devices_init();
	if (rtnl_init()) {
		fprintf(stderr, "nsemu: cannot initialise the control path\n");
		loop_shutdown();
		return 1;
	}
	if (bench_cmd) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL); /* Ctrl-C ends the run, the summary prints */
		cli_ctx_init(&c, stdout, stderr);
		c.interrupt = &interrupted;
		ret = cmd_bench(&c, argc - optind, argv + optind);
		cli_ctx_free(&c);
		rtnl_exit();
		loop_shutdown();
		return ret ? 1 : 0;
	}
	/* the socket is claimed before any script runs: a second nsemu on the
	 * same path fails at once; clients wait in the backlog until the
	 * script is done (ctl_server_start) */
	if (daemon_mode || (!batch && isatty(STDIN_FILENO)) || sock) {
		srv = ctl_open(sock);
		if (!srv) {
			rtnl_exit();
			loop_shutdown();
			return 1;
		}
	}
	cli_ctx_init(&c, stdout, stderr);
	c.interrupt = &interrupted;
	if (daemon_mode) {
		ret = daemon_run(&c, srv, script, &stop);
		ctl_server_stop(srv);
		tcpdump_jobs_stop(); /* background captures end before the workers */
		cli_ctx_free(&c);
		rtnl_exit();
		loop_shutdown();
		return ret;
	}
	/* no SA_RESTART: a blocking read at the prompt returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	if (srv && (batch || !script) && ctl_server_start(srv)) {
		fprintf(stderr, "nsemu: cannot start the control server\n");
		ret = 1;
	}
	if (batch) {
		ret = cli_run_file(&c, batch);
	} else {
		bool tty = isatty(STDIN_FILENO);

		if (script) {
			/* like -batch, but a failing script leaves the shell running */
			ret = cli_run_file(&c, script);
			if (srv && ctl_server_start(srv))
				fprintf(stderr, "nsemu: cannot start the control server\n");
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
	ctl_server_stop(srv);
	tcpdump_jobs_stop(); /* background captures end before the workers */
	cli_ctx_free(&c);
	rtnl_exit();
	loop_shutdown();
	return ret ? 1 : 0;
}
