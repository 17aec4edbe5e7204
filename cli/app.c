// SPDX-License-Identifier: MIT
/*
 * The app runner (cli/app.h). An app lives on two threads: its state
 * machine on the owner worker of its namespace, and app_run() on the CLI
 * thread, which prints. They share only struct app's output queue and
 * flags, under a mutex with a condition variable (control path only: a
 * message per printed line). A stop request is a loop_call to the owner; the
 * CLI thread frees the app only once the app has exited *and* no stop call
 * is still queued, so a late stop never touches freed memory.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netns/rtnl/rtnl.h"
#include "app.h"
#include "cmd.h"

struct app_line {
	struct app_line *next;
	bool err;    /* stderr */
	size_t len;  /* bytes of text (app_write's may hold NULs) */
	char text[]; /* NUL-terminated */
};

struct app {
	const struct app_ops *ops;
	void *priv;
	struct worker *worker; /* owner of the app's namespace, set at start */

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct app_line *head, **tail; /* queued output */
	bool started;		       /* start ran: worker is valid */
	bool exited;
	bool stop_posted;
	unsigned calls_pending; /* loop_calls holding a pointer to the app */
	int status;
};

struct app *app_create(const struct app_ops *ops, void *priv)
{
	struct app *a = calloc(1, sizeof(*a));
	pthread_condattr_t ca;

	if (!a)
		return NULL;
	a->ops = ops;
	a->priv = priv;
	a->tail = &a->head;
	pthread_mutex_init(&a->lock, NULL);
	/* CLOCK_MONOTONIC: a wall-clock jump must not stall the Ctrl-C poll. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cond, &ca);
	pthread_condattr_destroy(&ca);
	return a;
}

void *app_priv(const struct app *a)
{
	return a->priv;
}

void app_destroy(struct app *a)
{
	struct app_line *l, *n;

	if (!a)
		return;
	for (l = a->head; l; l = n) {
		n = l->next;
		free(l);
	}
	pthread_cond_destroy(&a->cond);
	pthread_mutex_destroy(&a->lock);
	free(a->priv);
	free(a);
}

static void app_enqueue(struct app *a, struct app_line *l)
{
	l->next = NULL;
	pthread_mutex_lock(&a->lock);
	*a->tail = l;
	a->tail = &l->next;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

static void app_vqueue(struct app *a, bool err, const char *fmt, va_list ap)
{
	va_list ap2;
	struct app_line *l;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	l = malloc(sizeof(*l) + (size_t)n + 1);
	if (!l)
		return; /* out of memory: the line is lost, the app goes on */
	vsnprintf(l->text, (size_t)n + 1, fmt, ap);
	l->err = err;
	l->len = (size_t)n;
	app_enqueue(a, l);
}

void app_write(struct app *a, const void *data, size_t len)
{
	struct app_line *l = malloc(sizeof(*l) + len + 1);

	if (!l)
		return;
	memcpy(l->text, data, len);
	l->text[len] = '\0';
	l->err = false;
	l->len = len;
	app_enqueue(a, l);
}

void app_printf(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	app_vqueue(a, false, fmt, ap);
	va_end(ap);
}

void app_eprintf(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	app_vqueue(a, true, fmt, ap);
	va_end(ap);
}

static void app_release_call(void *arg)
{
	struct app *a = arg;

	pthread_mutex_lock(&a->lock);
	a->calls_pending--;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

void app_exit(struct app *a, int status)
{
	pthread_mutex_lock(&a->lock);
	a->status = status;
	a->exited = true;
	a->calls_pending++; /* app_release_call's */
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	/* The callbacks that called app_exit still read the app's state as
	 * they unwind (nc's n->finished after nc_pump_send, wget's loops):
	 * the CLI thread frees the app only once this call has run on the
	 * owner, after the current callback returned. */
	loop_call(a->worker, app_release_call, a);
}

void app_start_here(struct app *a, struct netns *ns)
{
	struct worker *w = ns->owner ? ns->owner : loop_current();

	pthread_mutex_lock(&a->lock);
	a->worker = w;
	a->started = true;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
	a->ops->start(a, ns);
}

static void app_start_call(struct netns *ns, void *arg)
{
	app_start_here(arg, ns);
}

/* Runs on the owner. exited is only ever set on this thread, so reading it
 * here and then calling ops->stop cannot race with app_exit. */
static void app_stop_call(void *arg)
{
	struct app *a = arg;
	bool run;

	pthread_mutex_lock(&a->lock);
	run = !a->exited;
	pthread_mutex_unlock(&a->lock);
	if (run && a->ops->stop)
		a->ops->stop(a);
	pthread_mutex_lock(&a->lock);
	a->calls_pending--;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

/* Called with a->lock held; returns true if a stop call was posted. */
static bool app_post_stop_locked(struct app *a)
{
	if (a->exited || a->stop_posted || !a->started)
		return false;
	a->stop_posted = true;
	a->calls_pending++;
	return true;
}

void app_request_stop(struct app *a)
{
	bool post;

	pthread_mutex_lock(&a->lock);
	post = app_post_stop_locked(a);
	pthread_mutex_unlock(&a->lock);
	if (post)
		loop_call(a->worker, app_stop_call, a);
}

bool app_exited(struct app *a, int *status)
{
	bool done;

	pthread_mutex_lock(&a->lock);
	done = a->exited && !a->calls_pending;
	if (done && status)
		*status = a->status;
	pthread_mutex_unlock(&a->lock);
	return done;
}

size_t app_read_output(struct app *a, char *buf, size_t len)
{
	struct app_line *l;
	size_t n = 0;

	if (!len)
		return 0;
	pthread_mutex_lock(&a->lock);
	while ((l = a->head)) {
		size_t tl = l->len;

		if (n + tl >= len)
			tl = len - 1 - n;
		memcpy(buf + n, l->text, tl);
		n += tl;
		a->head = l->next;
		free(l);
	}
	a->tail = &a->head;
	pthread_mutex_unlock(&a->lock);
	buf[n] = '\0';
	return n;
}

/* Print the queued lines outside the lock (a slow terminal must not block
 * the worker's app_printf). */
static void app_flush_output(struct cli_ctx *c, struct app_line *l)
{
	struct app_line *n;

	for (; l; l = n) {
		n = l->next;
		if (l->err) {
			fflush(c->out);
			fwrite(l->text, 1, l->len, c->err);
			fflush(c->err);
		} else {
			fwrite(l->text, 1, l->len, c->out);
			fflush(c->out);
		}
		free(l);
	}
}

void app_cond_wait_tick(pthread_cond_t *cond, pthread_mutex_t *lock)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 50 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(cond, lock, &ts);
}

/* app_run's second half: print, relay Ctrl-C, wait for app_exit, destroy. */
static int app_wait(struct cli_ctx *c, struct app *a)
{
	bool interrupted = false;
	int status;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct app_line *lines = a->head;
		bool post = false;

		a->head = NULL;
		a->tail = &a->head;
		if (lines) {
			pthread_mutex_unlock(&a->lock);
			app_flush_output(c, lines);
			pthread_mutex_lock(&a->lock);
			continue;
		}
		if (a->exited && !a->calls_pending)
			break;
		/* Ctrl-C: ask once; the app prints its summary and exits.
		 * Before start ran, remember it and post when it has. */
		/* atomic: a job's flag is set by the shell's thread (kill, wait) */
		if (c->interrupt && __atomic_load_n(c->interrupt, __ATOMIC_RELAXED))
			interrupted = true;
		if (interrupted)
			post = app_post_stop_locked(a);
		if (post) {
			pthread_mutex_unlock(&a->lock);
			loop_call(a->worker, app_stop_call, a);
			pthread_mutex_lock(&a->lock);
			continue;
		}
		/* wake up at least every 50 ms to look at *c->interrupt */
		app_cond_wait_tick(&a->cond, &a->lock);
	}
	status = a->status;
	pthread_mutex_unlock(&a->lock);
	app_destroy(a);
	return status;
}

/* Start @a on its namespace's owner; 2 after a message if there is none. */
static int app_start_remote(struct cli_ctx *c, struct app *a)
{
	int err = rtnl_ns_call(c->ns, app_start_call, a);

	if (err) {
		fprintf(c->err, "Cannot open network namespace \"%s\": %s\n",
			c->ns ? c->ns : NSEMU_DEFAULT_NS, strerror(-err));
		app_destroy(a);
		return 2;
	}
	return 0;
}

int app_run(struct cli_ctx *c, struct app *a)
{
	int status = app_start_remote(c, a);

	return status ? status : app_wait(c, a);
}

/* ---- background apps: the shell's job table ---- */

struct app_job {
	struct app *a;
	int id;				/* %N */
	char *ns;			/* owned copy of the namespace name */
	char *cmd;			/* the line, for `jobs` */
	volatile sig_atomic_t stop;	/* the job's Ctrl-C */
	bool done;			/* app_wait returned (under app_jobs_lock) */
	int status;
	pthread_t thread;
	struct app_job *next;		/* newest first: the head is %+ */
};

static pthread_mutex_t app_jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct app_job *app_jobs;

static void *app_job_main(void *arg)
{
	struct app_job *j = arg;
	struct cli_ctx c;
	int status;

	memset(&c, 0, sizeof(c));
	c.out = stdout;
	c.err = stderr;
	c.ns = j->ns;
	c.interrupt = &j->stop;
	status = app_wait(&c, j->a);
	pthread_mutex_lock(&app_jobs_lock);
	j->status = status;
	j->done = true;
	pthread_mutex_unlock(&app_jobs_lock);
	return NULL;
}

/* An empty call to the owner: it runs after every call posted before. */
static void app_sync_call(struct netns *ns, void *arg)
{
	(void)ns;
	(void)arg;
}

static void app_job_free(struct app_job *j)
{
	free(j->ns);
	free(j->cmd);
	free(j);
}

/* The line as typed, without the newline and surrounding blanks. */
static char *app_job_cmd(const char *line, const char *prog)
{
	size_t len;

	if (!line)
		return strdup(prog);
	while (*line == ' ' || *line == '\t')
		line++;
	len = strlen(line);
	while (len && strchr(" \t\r\n", line[len - 1]))
		len--;
	return strndup(line, len);
}

int app_run_background(struct cli_ctx *c, struct app *a, const char *prog)
{
	struct app_job *j;
	int status;

	if (c->out != stdout || c->err != stderr) {
		fprintf(c->err, "%s: background (&) is only available in the nsemu shell\n", prog);
		app_destroy(a);
		return 1;
	}
	j = calloc(1, sizeof(*j));
	if (!j || (c->ns && !(j->ns = strdup(c->ns))) || !(j->cmd = app_job_cmd(c->line, prog))) {
		if (j)
			app_job_free(j);
		app_destroy(a);
		fprintf(c->err, "%s: %s\n", prog, strerror(ENOMEM));
		return 1;
	}
	j->a = a;
	status = app_start_remote(c, a);
	if (status) {
		app_job_free(j);
		return status;
	}
	/* One more call to the owner runs after start returned: a server
	 * listens before the next line. */
	rtnl_ns_call_sync(c->ns, app_sync_call, NULL);
	pthread_mutex_lock(&app_jobs_lock);
	/* bash's numbering: one more than the highest job still listed */
	j->id = app_jobs ? app_jobs->id + 1 : 1;
	for (struct app_job *o = app_jobs; o; o = o->next)
		if (o->id >= j->id)
			j->id = o->id + 1;
	if (pthread_create(&j->thread, NULL, app_job_main, j)) {
		pthread_mutex_unlock(&app_jobs_lock);
		/* started: wait for it here instead */
		fprintf(c->err, "%s: cannot start a background job\n", prog);
		app_job_free(j);
		app_request_stop(a);
		app_wait(c, a);
		return 1;
	}
	j->next = app_jobs;
	app_jobs = j;
	pthread_mutex_unlock(&app_jobs_lock);
	return 0;
}

/* The job's Ctrl-C, from the shell's thread; app_wait polls it. */
static void app_job_stop(struct app_job *j)
{
	__atomic_store_n(&j->stop, 1, __ATOMIC_RELAXED);
}

/* Take @j out of the table (app_jobs_lock held). */
static void app_job_unlink_locked(struct app_job *j)
{
	for (struct app_job **pp = &app_jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			return;
		}
}

/* Join @j's thread, relaying Ctrl-C in @c (if any) into a stop request
 * for the jobs from @j on. Unlinked already. */
static int app_job_join(struct cli_ctx *c, struct app_job *j, struct app_job *rest)
{
	int status;

	while (c && c->interrupt) {
		if (!pthread_tryjoin_np(j->thread, NULL))
			goto joined;
		/* Ctrl-C during `wait` stops the jobs it waits for. */
		if (*c->interrupt) {
			app_job_stop(j);
			for (struct app_job *u = rest; u; u = u->next)
				app_job_stop(u);
		}
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000L }, NULL);
	}
	pthread_join(j->thread, NULL);
joined:
	status = j->status;
	app_job_free(j);
	return status;
}

void app_jobs_wait(struct cli_ctx *c, bool stop)
{
	struct app_job *list, *j, *n;

	pthread_mutex_lock(&app_jobs_lock);
	list = app_jobs;
	app_jobs = NULL;
	pthread_mutex_unlock(&app_jobs_lock);
	for (j = list; j; j = j->next)
		if (stop)
			app_job_stop(j);
	for (j = list; j; j = n) {
		n = j->next;
		app_job_join(stop ? NULL : c, j, n);
	}
}

/* A jobspec: %N, %%, %+ (the newest), %- (the one before); NULL if no
 * job matches (app_jobs_lock held). */
static struct app_job *app_job_find_locked(const char *spec)
{
	char *end;
	long id;

	if (spec[0] != '%')
		return NULL;
	if (!strcmp(spec, "%%") || !strcmp(spec, "%+") || !spec[1])
		return app_jobs;
	if (!strcmp(spec, "%-"))
		return app_jobs ? app_jobs->next : NULL;
	id = strtol(spec + 1, &end, 10);
	if (*end || end == spec + 1)
		return NULL;
	for (struct app_job *j = app_jobs; j; j = j->next)
		if (j->id == id)
			return j;
	return NULL;
}

static char app_job_mark_locked(const struct app_job *j)
{
	return j == app_jobs ? '+' : app_jobs && j == app_jobs->next ? '-' : ' ';
}

int app_job_wait_one(struct cli_ctx *c, const char *spec)
{
	struct app_job *j;

	pthread_mutex_lock(&app_jobs_lock);
	j = app_job_find_locked(spec);
	if (j)
		app_job_unlink_locked(j);
	pthread_mutex_unlock(&app_jobs_lock);
	if (!j) {
		fprintf(c->err, "wait: %s: no such job\n", spec);
		return 127; /* bash's status for an unknown job */
	}
	return app_job_join(c, j, NULL);
}

/* bash's "[1]+  Running                 httpd -p 80 &"; a job that ended
 * is shown without its '&' */
static void app_job_print(FILE *f, int id, char mark, const char *state, const char *cmd)
{
	size_t len = strlen(cmd);

	if (strcmp(state, "Running") && len >= 2 && !strcmp(cmd + len - 2, " &"))
		len -= 2;
	fprintf(f, "[%d]%c  %-24s%.*s\n", id, mark, state, (int)len, cmd);
}

int cmd_jobs(struct cli_ctx *c, int argc, char **argv)
{
	struct app_job *done = NULL, **pp, *j;
	int max = 0;

	(void)argv;
	if (argc > 1) {
		fprintf(c->err, "jobs: usage: jobs\n");
		return 2;
	}
	pthread_mutex_lock(&app_jobs_lock);
	for (j = app_jobs; j; j = j->next)
		if (j->id > max)
			max = j->id;
	/* in job order, as bash lists them */
	for (int id = 1; id <= max; id++)
		for (j = app_jobs; j; j = j->next) {
			char state[32];

			if (j->id != id)
				continue;
			if (!j->done)
				snprintf(state, sizeof(state), "Running");
			else if (!j->status)
				snprintf(state, sizeof(state), "Done");
			else
				snprintf(state, sizeof(state), "Exit %d", j->status);
			app_job_print(c->out, j->id, app_job_mark_locked(j), state, j->cmd);
		}
	/* a finished job is listed once, then forgotten */
	for (pp = &app_jobs; (j = *pp);) {
		if (j->done) {
			*pp = j->next;
			j->next = done;
			done = j;
		} else {
			pp = &j->next;
		}
	}
	pthread_mutex_unlock(&app_jobs_lock);
	for (j = done; j; j = done) {
		done = j->next;
		app_job_join(NULL, j, NULL);
	}
	return 0;
}

int cmd_kill(struct cli_ctx *c, int argc, char **argv)
{
	int ret = 0;

	if (argc < 2) {
		fprintf(c->err, "kill: usage: kill %%N... (a job of `jobs`)\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct app_job *j;
		char *cmd, mark = ' ';
		int id = 0;

		if (argv[i][0] != '%') {
			/* no processes here: nsemu's apps are jobs, not PIDs */
			fprintf(c->err, "kill: %s: arguments must be job IDs (%%N)\n", argv[i]);
			ret = 1;
			continue;
		}
		pthread_mutex_lock(&app_jobs_lock);
		j = app_job_find_locked(argv[i]);
		if (j) {
			mark = app_job_mark_locked(j);
			id = j->id;
			app_job_unlink_locked(j);
		}
		pthread_mutex_unlock(&app_jobs_lock);
		if (!j) {
			fprintf(c->err, "kill: %s: no such job\n", argv[i]);
			ret = 1;
			continue;
		}
		/* the stop is a Ctrl-C for the job; wait until it is gone so
		 * its last words come before the next line's */
		app_job_stop(j);
		cmd = strdup(j->cmd);
		app_job_join(NULL, j, NULL);
		app_job_print(c->out, id, mark, "Terminated", cmd ? cmd : "");
		free(cmd);
	}
	return ret;
}

void app_opt_init(struct app_opt *o, const char *prog, enum app_opt_style style, FILE *err,
		  int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->style = style;
	o->err = err;
	o->argc = argc;
	o->argv = argv;
	o->idx = argc > 0 ? 1 : 0; /* argv[0]: the command word as typed */
}

static int app_opt_error(struct app_opt *o, const char *what, char ch)
{
	if (o->style == APP_OPT_IPUTILS)
		fprintf(o->err, "%s: %s -- '%c'\n", o->prog, what, ch);
	else
		fprintf(o->err, "Bad option `-%c' (argc %d)\n", ch, o->idx);
	return '?';
}

int app_opt_next(struct app_opt *o, const char *spec)
{
	const char *s;
	char ch;

	o->arg = NULL;
	while (!o->sub) {
		const char *w;

		if (o->idx >= o->argc)
			return -1;
		w = o->argv[o->idx];
		if (!strcmp(w, "--")) {
			/* everything after "--" is positional */
			for (o->idx++; o->idx < o->argc; o->idx++)
				if (o->npos < APP_OPT_MAXPOS)
					o->pos[o->npos++] = o->argv[o->idx];
			return -1;
		}
		if (w[0] == '-' && w[1]) {
			o->sub = 1;
			break;
		}
		if (o->npos < APP_OPT_MAXPOS)
			o->pos[o->npos++] = o->argv[o->idx];
		else
			o->npos++; /* counted, so "too many arguments" can be said */
		o->idx++;
	}
	ch = o->argv[o->idx][o->sub++];
	o->cur[0] = '-';
	o->cur[1] = ch;
	s = strchr(spec, ch);
	if (!s || ch == ':') {
		o->idx++;
		o->sub = 0;
		return app_opt_error(o, "invalid option", ch);
	}
	if (s[1] != ':') {
		if (!o->argv[o->idx][o->sub]) {
			o->idx++;
			o->sub = 0;
		}
		return ch;
	}
	/* an option with a value: the rest of this word, or the next word */
	if (o->argv[o->idx][o->sub]) {
		o->arg = &o->argv[o->idx][o->sub];
		o->idx++;
	} else if (o->idx + 1 < o->argc) {
		o->arg = o->argv[o->idx + 1];
		o->idx += 2;
	} else {
		o->idx++;
		o->sub = 0;
		return app_opt_error(o, "option requires an argument", ch);
	}
	o->sub = 0;
	return ch;
}

int app_opt_num(struct app_opt *o, long long min, long long max, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(o->arg, &end, 10);
	if (o->style == APP_OPT_TRACEROUTE) {
		if (errno || end == o->arg || *end || *v < min || *v > max) {
			fprintf(o->err, "Cannot handle `%s' option with arg `%s' (argc %d)\n", o->cur,
				o->arg, o->idx - 1);
			return -1;
		}
		return 0;
	}
	/* iputils' strtol_or_err() */
	if (errno || end == o->arg || *end) {
		fprintf(o->err, "%s: invalid argument: '%s'\n", o->prog, o->arg);
		return -1;
	}
	if (*v < min || *v > max) {
		fprintf(o->err, "%s: invalid argument: '%s': out of range: %lld <= value <= %lld\n",
			o->prog, o->arg, min, max);
		return -1;
	}
	return 0;
}

int app_parse_seconds(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || *end || *v != *v)
		return -1;
	return 0;
}

long app_llsqrt(long long a)
{
	long long prev = LLONG_MAX;
	long long x = a;

	/* Newton's method, as iputils, so mdev rounds the same way */
	if (x > 0) {
		while (x < prev) {
			prev = x;
			x = (x + (a / x)) / 2;
		}
	}
	return (long)x;
}
