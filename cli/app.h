/* SPDX-License-Identifier: MIT */
/*
 * Built-in applications (ping, traceroute): a small runner that starts an
 * app's state machine on the owner worker of its namespace and carries its
 * output back to the CLI thread. The app itself runs only on the owner
 * (STYLE O1): its sockets, timers and counters live there. Output crosses
 * threads through a mutex+condvar queue: control path only, one message per
 * printed line, never per packet. The CLI thread prints what arrives,
 * watches *c->interrupt (Ctrl-C) and asks the app to stop with a loop_call
 * to the owner; the app then prints its summary and calls app_exit().
 */
#ifndef NSEMU_CLI_APP_H
#define NSEMU_CLI_APP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/compiler.h"
#include "netns/core/netns.h"

struct app;
struct cli_ctx;

struct app_ops {
	const char *name; /* "ping": prefix of runner error messages */
	/* Start on the owner worker of @ns. The app must call app_exit()
	 * exactly once, from start itself or later from its callbacks. */
	void (*start)(struct app *a, struct netns *ns);
	/* Stop requested (Ctrl-C). Owner worker; only called before app_exit. */
	void (*stop)(struct app *a);
};

/* Create an app with @priv (malloc'd; freed by app_destroy). Any thread. */
struct app *app_create(const struct app_ops *ops, void *priv);
void *app_priv(const struct app *a);
/* Free an app that has exited (or was never started), with its queued output. */
void app_destroy(struct app *a);

/*
 * Run @a in namespace c->ns (NULL: default): start it on the owner worker,
 * print its output to c->out / c->err as it arrives, turn *c->interrupt
 * into a stop request, wait for app_exit. CLI (non-worker) thread. Destroys
 * @a. Returns the app's exit status (2 if the namespace does not exist).
 */
int app_run(struct cli_ctx *c, struct app *a);
/* pthread_cond_timedwait on @cond (a CLOCK_MONOTONIC condvar) for at
 * most 50 ms: the CLI thread's waits look at *c->interrupt that often (a
 * signal handler cannot signal a condvar). @lock held, as for
 * pthread_cond_wait. */
void app_cond_wait_tick(pthread_cond_t *cond, pthread_mutex_t *lock);

/*
 * Run @a in the background (a trailing `&`): a thread runs app_run with
 * the shell's stdout/stderr; returns once the app's start has run on its
 * worker (a server is listening when the next line runs). Only in the
 * nsemu shell (c->out is stdout): 1 with a message otherwise. Destroys
 * @a. 0, or the status of a failure to start.
 */
int app_run_background(struct cli_ctx *c, struct app *a, const char *prog);
/* Wait for the background apps (`wait`; Ctrl-C in c->interrupt stops
 * them), or with @stop ask them to stop first (the shell exits). */
void app_jobs_wait(struct cli_ctx *c, bool stop);
/* `wait %N`: wait for that job only; its exit status, or 127 after a
 * message if there is no such job. */
int app_job_wait_one(struct cli_ctx *c, const char *spec);

/* Owner worker: queue text for stdout / stderr (whole lines, as printf). */
void app_printf(struct app *a, const char *fmt, ...) __printf(2, 3);
void app_eprintf(struct app *a, const char *fmt, ...) __printf(2, 3);
/* Owner worker: queue @len bytes of data (NULs allowed) for stdout. */
void app_write(struct app *a, const void *data, size_t len);
/* Owner worker: the app is finished with @status; it must have closed its
 * sockets and cancelled its timers, and must not touch @a afterwards. Its
 * priv stays valid until the current callback has returned (the free
 * waits for a loop_call posted here), so the callers on the stack may
 * still look at their own flags. */
void app_exit(struct app *a, int status);

/* --- without a CLI thread (unit tests, the worker itself) --- */
/* Run ops->start on the calling thread, which must own @ns. */
void app_start_here(struct app *a, struct netns *ns);
/* Ask the app to stop: a loop_call to its owner. Any thread; at most once
 * takes effect; ignored after app_exit. */
void app_request_stop(struct app *a);
/* Has the app exited? Its status in *status. Any thread. */
bool app_exited(struct app *a, int *status);
/* Take the queued output (stdout and stderr interleaved, in order) into
 * @buf (NUL-terminated, truncated to @len). Returns the length. Any thread. */
size_t app_read_output(struct app *a, char *buf, size_t len);

/* --- command-line helpers shared by the apps --- */
/* getopt-like scanning with GNU permutation (options may follow the
 * destination), clustered flags (-qn) and attached values (-c3). */
enum app_opt_style { APP_OPT_IPUTILS, APP_OPT_TRACEROUTE };
#define APP_OPT_MAXPOS 8
struct app_opt {
	const char *prog;
	enum app_opt_style style;
	FILE *err;
	int argc, idx, sub;
	char **argv;
	const char *arg;	/* value of the option just returned */
	char cur[3];		/* "-x" for messages */
	int npos;
	char *pos[APP_OPT_MAXPOS]; /* positional arguments, in order */
};
/* @argv[0] is the command word (as cmd_dispatch passes it) and is skipped. */
void app_opt_init(struct app_opt *o, const char *prog, enum app_opt_style style, FILE *err,
		  int argc, char **argv);
/* Next option character, -1 at the end, '?' after printing an error for an
 * unknown option or a missing value. @spec: getopt's ("c:q"). */
int app_opt_next(struct app_opt *o, const char *spec);
/* Parse o->arg as an integer in [min, max]; prints the tool's message and
 * returns -1 if it is not. */
int app_opt_num(struct app_opt *o, long long min, long long max, long long *v);
/* Parse seconds as a decimal number ("0.2"). 0 or -1. */
int app_parse_seconds(const char *s, double *v);
/* Integer square root, as iputils' llsqrt() for mdev. */
long app_llsqrt(long long a);

/* Build (not run) the apps from a command line; NULL with *status the exit
 * status after printing a usage error to c->err. For cmd_ping/cmd_traceroute
 * and unit tests. */
struct app *ping_app_create(struct cli_ctx *c, int argc, char **argv, int *status);
struct app *traceroute_app_create(struct cli_ctx *c, int argc, char **argv, int *status);
struct app *nc_app_create(struct cli_ctx *c, int argc, char **argv, int *status, bool *bg);
struct app *wget_app_create(struct cli_ctx *c, int argc, char **argv, int *status, bool *bg);
struct app *httpd_app_create(struct cli_ctx *c, int argc, char **argv, int *status, bool *bg);

#endif
