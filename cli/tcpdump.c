// SPDX-License-Identifier: MIT
/*
 * tcpdump: capture the frames an nsemu device receives and transmits
 * (netns/core/capture.h) to a pcap file or FIFO (core/pcap.h), or print one line
 * per frame as tcpdump -n prints it (cli/tcpdump_print.c); `-r FILE` reads
 * a savefile back through libpcap. Filter expressions are compiled by
 * libpcap for the device's link type and run on the owner worker by
 * libpcap's own BPF interpreter, bpf_filter(), handed to the capture as a
 * function pointer: the emulator library stays free of libpcap (benches and
 * fuzzers link it without), and the program's memory stays with the
 * command that compiled it.
 *
 * The command runs on the CLI thread, never on a worker: it takes batches
 * from the capture's queue, writes or prints them, and stops on -c N,
 * Ctrl-C, or the device (or its namespace) going away, then prints
 * tcpdump's three statistics lines. A trailing `&` runs the same loop in a
 * background thread so the shell can generate traffic meanwhile; `wait`
 * waits for background captures (Ctrl-C stops them) and nsemu stops any
 * still running when it exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/pcap.h"
#include "netns/core/capture.h"
#include "netns/core/dev.h"
#include "app.h"
#include "cmd.h"
#include "tcpdump.h"

#define TCPDUMP_POLL_MS 50

struct tcpdump {
	/* options */
	char *ns;	  /* namespace name (owned), NULL = default */
	char *ifname, *wfile, *rfile; /* owned: a background job outlives the line */
	char *expr;	  /* filter expression (owned), NULL = none */
	long long count;  /* -c, 0 = no limit */
	uint32_t snaplen; /* -s */
	size_t bufsize;	  /* -B, bytes */
	bool background;  /* trailing & */
	struct tcpdump_print_opts popt;

	/* run */
	FILE *out, *err;
	volatile sig_atomic_t *interrupt;
	atomic_bool stop;	/* background: stop asked by `wait`/shutdown */
	struct bpf_program prog;
	bool have_prog;
	struct capture *cap;
	struct pcap_writer *w;
	uint16_t dev_type;
	uint64_t captured;
	pthread_t thread;
	struct tcpdump *job_next;
};

/* Background captures: the shell's job list (control threads only). */
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tcpdump *jobs;

static void tcpdump_free(struct tcpdump *t)
{
	if (t->have_prog)
		pcap_freecode(&t->prog);
	capture_destroy(t->cap);
	if (t->w)
		pcap_writer_close(t->w);
	free(t->ns);
	free(t->ifname);
	free(t->wfile);
	free(t->rfile);
	free(t->expr);
	free(t);
}

static void tcpdump_usage(FILE *f)
{
	fprintf(f, "Usage: tcpdump [ -n NS ] -i DEV [ -w FILE ] [ -c COUNT ] [ -e ] [ -q ]\n"
		   "               [ -s SNAPLEN ] [ -B KIB ] [ --nano | --micro ] [ EXPRESSION ] [ & ]\n"
		   "       tcpdump -r FILE [ -c COUNT ] [ -e ] [ --nano ] [ EXPRESSION ]\n"
		   "       ip netns exec NS tcpdump -i DEV ...   (-n is then tcpdump's no-op -n)\n");
}

static int tcpdump_num(struct tcpdump *t, FILE *err, const char *what, const char *s,
		       long long min, long long max, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno || end == s || *end || *v < min || *v > max) {
		fprintf(err, "tcpdump: invalid %s %s\n", what, s);
		return -1;
	}
	return 0;
}

/*
 * tcpdump's command line. -n is the namespace (the issue's `tcpdump -n NS
 * -i DEV`), except after `ip netns exec NS` or before another option, where
 * it is tcpdump's own "don't resolve" flag (output is always numeric).
 */
static int tcpdump_parse(struct cli_ctx *c, struct tcpdump *t, int argc, char **argv)
{
	size_t elen = 0;
	int i;

	if (argc > 1 && !strcmp(argv[argc - 1], "&")) {
		t->background = true;
		argc--;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val;
		char opt;

		if (!strcmp(a, "--nano") || !strcmp(a, "--time-stamp-precision=nano")) {
			t->popt.nano = true;
			continue;
		}
		if (!strcmp(a, "--micro") || !strcmp(a, "--time-stamp-precision=micro")) {
			t->popt.nano = false;
			continue;
		}
		if (a[0] != '-' || !a[1]) {
			/* the filter expression: every remaining word */
			size_t l = strlen(a);
			char *e = realloc(t->expr, elen + l + 2);

			if (!e)
				return -ENOMEM;
			t->expr = e;
			if (elen)
				e[elen++] = ' ';
			memcpy(e + elen, a, l + 1);
			elen += l;
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			opt = *p;
			if (!strchr("neqlUvicwrsB", opt)) {
				fprintf(c->err, "tcpdump: invalid option -- '%c'\n", opt);
				tcpdump_usage(c->err);
				return -EINVAL;
			}
			if (opt == 'n') {
				/* `-n NS` only at the top level, and only when
				 * a namespace name follows */
				if (!c->ns && !p[1] && i + 1 < argc && argv[i + 1][0] != '-' &&
				    !t->ns) {
					t->ns = strdup(argv[++i]);
					if (!t->ns)
						return -ENOMEM;
				}
				continue;
			}
			if (strchr("eqlUv", opt)) {
				if (opt == 'e')
					t->popt.eflag = true;
				if (opt == 'q')
					t->popt.qflag = true;
				/* -l -U: every batch is flushed anyway; -v: the
				 * one-line format is the only one */
				continue;
			}
			/* options with a value: the rest of the word or the next */
			if (p[1]) {
				val = p + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				fprintf(c->err, "tcpdump: option requires an argument -- '%c'\n", opt);
				tcpdump_usage(c->err);
				return -EINVAL;
			}
			long long v;

			switch (opt) {
			case 'i':
			case 'w':
			case 'r': {
				/* copies: a `&` job runs after the line's words are freed */
				char **dst = opt == 'i' ? &t->ifname : opt == 'w' ? &t->wfile : &t->rfile;

				free(*dst);
				*dst = strdup(val);
				if (!*dst)
					return -ENOMEM;
				break;
			}
			case 'c':
				if (tcpdump_num(t, c->err, "packet count", val, 1, LLONG_MAX, &v))
					return -EINVAL;
				t->count = v;
				break;
			case 's':
				if (tcpdump_num(t, c->err, "snaplen", val, 0, PCAP_SNAPLEN_MAX, &v))
					return -EINVAL;
				/* tcpdump: 0 means the default (262144) */
				t->snaplen = v ? (uint32_t)v : PCAP_SNAPLEN_MAX;
				break;
			case 'B':
				if (tcpdump_num(t, c->err, "packet buffer size", val, 1, 1 << 20,
						&v))
					return -EINVAL;
				t->bufsize = (size_t)v * 1024;
				break;
			}
			break; /* the value ended this word */
		}
	}
	if (t->rfile && (t->ifname || t->wfile || t->background)) {
		fprintf(c->err, "tcpdump: -r reads a file: -i, -w and & do not apply\n");
		return -EINVAL;
	}
	if (!t->rfile && !t->ifname) {
		fprintf(c->err, "tcpdump: no interface given: use -i DEV (nsemu has no default)\n");
		return -EINVAL;
	}
	if (!t->ns && c->ns) {
		t->ns = strdup(c->ns);
		if (!t->ns)
			return -ENOMEM;
	}
	return 0;
}

/* ---- running a function on the namespace's owner and waiting ---- */

struct tcpdump_sync {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	struct tcpdump *t;
	bool attach;	/* false: only look the device up */
	int err;
};

static void tcpdump_owner_call(struct netns *ns, void *arg)
{
	struct tcpdump_sync *s = arg;
	struct tcpdump *t = s->t;
	struct netdev *dev = dev_get_by_name(ns, t->ifname);

	if (!dev) {
		s->err = -ENODEV;
	} else if (!s->attach) {
		t->dev_type = dev->type;
	} else if (dev->type != t->dev_type) {
		s->err = -ENODEV; /* replaced since the filter was compiled */
	} else {
		s->err = capture_attach(ns, t->ifname, t->cap, NULL, NULL);
	}
	pthread_mutex_lock(&s->lock);
	s->done = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* 0, -ENOENT (no such namespace) or -ENODEV. */
static int tcpdump_on_owner(struct tcpdump *t, bool attach)
{
	struct tcpdump_sync s = { .t = t, .attach = attach };
	int err;

	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	err = rtnl_ns_call(t->ns, tcpdump_owner_call, &s);
	if (!err) {
		pthread_mutex_lock(&s.lock);
		while (!s.done)
			pthread_cond_wait(&s.cond, &s.lock);
		pthread_mutex_unlock(&s.lock);
		err = s.err;
	}
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);
	return err;
}

/* ---- filter ---- */

static bool tcpdump_bpf(const void *prog, const uint8_t *data, uint32_t wirelen, uint32_t caplen)
{
	const struct bpf_program *p = prog;

	return bpf_filter(p->bf_insns, data, wirelen, caplen) != 0;
}

static int tcpdump_compile(struct tcpdump *t, pcap_t *pd)
{
	if (!t->expr)
		return 0;
	if (pcap_compile(pd, &t->prog, t->expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		fprintf(t->err, "tcpdump: %s\n", pcap_geterr(pd));
		return -EINVAL;
	}
	t->have_prog = true;
	return 0;
}

/* ---- output ---- */

static bool tcpdump_interrupted(struct tcpdump *t)
{
	if (t->background)
		return atomic_load(&t->stop);
	return t->interrupt && *t->interrupt;
}

/* Open -w's target: "-" is standard output; a FIFO waits (on this CLI
 * thread, in 50 ms steps so Ctrl-C still works) until a reader such as
 * `wireshark -k -i FIFO` opens it, as tcpdump's blocking open does. */
static int tcpdump_open_output(struct tcpdump *t)
{
	struct stat st;
	int fd;

	if (!strcmp(t->wfile, "-")) {
		fflush(t->out);
		fd = dup(fileno(t->out));
	} else if (!stat(t->wfile, &st) && S_ISFIFO(st.st_mode)) {
		for (;;) {
			fd = open(t->wfile, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
			if (fd >= 0 || errno != ENXIO)
				break;
			if (tcpdump_interrupted(t))
				return -EINTR;
			nanosleep(&(struct timespec){ 0, TCPDUMP_POLL_MS * 1000000L }, NULL);
		}
		if (fd >= 0)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	} else {
		fd = open(t->wfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (fd < 0) {
		fprintf(t->err, "tcpdump: %s: %s\n", t->wfile, strerror(errno));
		return -errno;
	}
	t->w = pcap_writer_open(fd, t->dev_type == ARPHRD_NONE ? LINKTYPE_RAW : LINKTYPE_ETHERNET,
				t->snaplen, t->popt.nano);
	if (!t->w) {
		close(fd);
		fprintf(t->err, "tcpdump: %s\n", strerror(ENOMEM));
		return -ENOMEM;
	}
	return 0;
}

static const char *tcpdump_linktype_name(const struct tcpdump *t)
{
	return t->dev_type == ARPHRD_NONE ? "RAW (Raw IP)" : "EN10MB (Ethernet)";
}

/* ---- the capture loop (CLI thread or a background thread) ---- */

/* One batch: write or print each record up to -c. 0, or -errno of a
 * failed write (the reader of a FIFO went away). */
static int tcpdump_batch(struct tcpdump *t, const struct capture_batch *b)
{
	const struct capture_rec *r;
	size_t off = 0;
	int err = 0;

	while ((r = capture_batch_rec(b, &off))) {
		if (t->count && t->captured >= (uint64_t)t->count)
			break;
		if (t->w) {
			err = pcap_writer_write(t->w, r->ts_ns, r->data, r->caplen, r->len);
			if (err)
				return err;
		} else {
			tcpdump_print_frame(t->out, &t->popt, t->dev_type == ARPHRD_NONE, r->ts_ns,
					    r->data, r->caplen, r->len);
		}
		t->captured++;
	}
	if (t->w)
		err = pcap_writer_flush(t->w);
	else
		fflush(t->out);
	return err;
}

static int tcpdump_loop(struct tcpdump *t)
{
	enum capture_end end = CAPTURE_RUNNING;
	bool stop_sent = false, interrupted = false;
	uint64_t received, dropped;
	int status = 0, err;

	for (;;) {
		struct capture_batch *b;

		if (!stop_sent && tcpdump_interrupted(t)) {
			interrupted = stop_sent = true;
			capture_request_stop(t->cap);
		}
		b = capture_next(t->cap, TCPDUMP_POLL_MS, &end);
		if (!b) {
			if (end != CAPTURE_RUNNING)
				break;
			continue;
		}
		err = tcpdump_batch(t, b);
		capture_batch_release(t->cap, b);
		if (err && !stop_sent) {
			fprintf(t->err, "tcpdump: %s: %s\n", t->wfile, strerror(-err));
			status = 1;
			stop_sent = true;
			capture_request_stop(t->cap);
		}
		if (!stop_sent && t->count && t->captured >= (uint64_t)t->count) {
			stop_sent = true;
			capture_request_stop(t->cap);
		}
	}
	/* tcpdump ends an interrupted live capture with a newline on stdout
	 * (a line may have been cut short), then the statistics on stderr. */
	if (interrupted && !(t->wfile && !strcmp(t->wfile, "-")))
		fputc('\n', t->out);
	fflush(t->out);
	if (end == CAPTURE_END_GONE) {
		fprintf(t->err, "tcpdump: pcap_loop: The interface disappeared\n");
		status = 1;
	}
	if (t->w) {
		err = pcap_writer_close(t->w);
		t->w = NULL;
		if (err && !status) {
			fprintf(t->err, "tcpdump: %s: %s\n", t->wfile, strerror(-err));
			status = 1;
		}
	}
	capture_stats(t->cap, &received, &dropped);
	fprintf(t->err, "%llu packet%s captured\n", (unsigned long long)t->captured,
		t->captured == 1 ? "" : "s");
	fprintf(t->err, "%llu packet%s received by filter\n", (unsigned long long)received,
		received == 1 ? "" : "s");
	fprintf(t->err, "%llu packet%s dropped by kernel\n", (unsigned long long)dropped,
		dropped == 1 ? "" : "s");
	fflush(t->err);
	return status;
}

static void *tcpdump_job_main(void *arg)
{
	tcpdump_loop(arg);
	return NULL;
}

/* ---- -r FILE ---- */

struct tcpdump_offline {
	struct tcpdump *t;
	bool raw;
};

static void tcpdump_offline_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct tcpdump_offline *o = (struct tcpdump_offline *)user;
	/* a nanosecond handle (--nano) gives nanoseconds in tv_usec */
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u +
		      (uint64_t)h->ts.tv_usec * (o->t->popt.nano ? 1u : 1000u);

	tcpdump_print_frame(o->t->out, &o->t->popt, o->raw, ts, bytes, h->caplen, h->len);
}

static int tcpdump_read_file(struct tcpdump *t)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct tcpdump_offline o = { .t = t };
	pcap_t *pd;
	int dlt, rc;

	pd = pcap_open_offline_with_tstamp_precision(
		t->rfile, t->popt.nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO,
		errbuf);
	if (!pd) {
		fprintf(t->err, "tcpdump: %s\n", errbuf);
		return 1;
	}
	dlt = pcap_datalink(pd);
	if (dlt != DLT_EN10MB && dlt != DLT_RAW && dlt != LINKTYPE_RAW) {
		fprintf(t->err, "tcpdump: %s: link-type %s not supported by nsemu's printer\n",
			t->rfile, pcap_datalink_val_to_name(dlt) ?: "?");
		pcap_close(pd);
		return 1;
	}
	o.raw = dlt != DLT_EN10MB;
	fprintf(t->err, "reading from file %s, link-type %s (%s), snapshot length %d\n", t->rfile,
		pcap_datalink_val_to_name(dlt), pcap_datalink_val_to_description(dlt),
		pcap_snapshot(pd));
	fflush(t->err);
	if (tcpdump_compile(t, pd) || (t->have_prog && pcap_setfilter(pd, &t->prog) < 0)) {
		if (t->have_prog)
			fprintf(t->err, "tcpdump: %s\n", pcap_geterr(pd));
		pcap_close(pd);
		return 1;
	}
	rc = pcap_loop(pd, t->count ? (int)(t->count > INT32_MAX ? INT32_MAX : t->count) : -1,
		       tcpdump_offline_cb, (u_char *)&o);
	fflush(t->out);
	if (rc == PCAP_ERROR) {
		fprintf(t->err, "tcpdump: pcap_loop: %s\n", pcap_geterr(pd));
		pcap_close(pd);
		return 1;
	}
	pcap_close(pd);
	return 0;
}

/* ---- the command ---- */

/* Look the device up, compile the filter for its link type, open the
 * output, attach. On failure prints tcpdump's message; returns the status. */
static int tcpdump_start(struct tcpdump *t)
{
	struct capture_config cfg = { 0 };
	pcap_t *pd;
	int err;

	err = tcpdump_on_owner(t, false);
	if (err == -ENOENT) {
		fprintf(t->err, "Cannot open network namespace \"%s\": No such file or directory\n",
			t->ns ? t->ns : NSEMU_DEFAULT_NS);
		return 1;
	}
	if (err) {
		fprintf(t->err, "tcpdump: %s: No such device exists\n", t->ifname);
		return 1;
	}
	pd = pcap_open_dead(t->dev_type == ARPHRD_NONE ? DLT_RAW : DLT_EN10MB, (int)t->snaplen);
	if (!pd) {
		fprintf(t->err, "tcpdump: %s\n", strerror(ENOMEM));
		return 1;
	}
	err = tcpdump_compile(t, pd);
	pcap_close(pd);
	if (err)
		return 1;
	cfg.snaplen = t->snaplen;
	cfg.queue_bytes = t->bufsize;
	if (t->have_prog) {
		cfg.filter = tcpdump_bpf;
		cfg.filter_prog = &t->prog;
	}
	t->cap = capture_create(&cfg);
	if (!t->cap) {
		fprintf(t->err, "tcpdump: %s\n", strerror(ENOMEM));
		return 1;
	}
	if (t->wfile && tcpdump_open_output(t))
		return 1;
	err = tcpdump_on_owner(t, true);
	if (err) {
		fprintf(t->err, "tcpdump: %s: No such device exists\n", t->ifname);
		return 1;
	}
	if (t->wfile)
		fprintf(t->err, "tcpdump: listening on %s, link-type %s, snapshot length %u bytes\n",
			t->ifname, tcpdump_linktype_name(t), t->snaplen);
	else
		fprintf(t->err, "tcpdump: verbose output suppressed, use -v[v]... for full protocol "
				"decode\nlistening on %s, link-type %s, snapshot length %u bytes\n",
			t->ifname, tcpdump_linktype_name(t), t->snaplen);
	fflush(t->err);
	return 0;
}

int cmd_tcpdump(struct cli_ctx *c, int argc, char **argv)
{
	struct tcpdump *t = calloc(1, sizeof(*t));
	int status;

	if (!t) {
		fprintf(c->err, "tcpdump: %s\n", strerror(ENOMEM));
		return 1;
	}
	t->out = c->out;
	t->err = c->err;
	t->interrupt = c->interrupt;
	t->snaplen = PCAP_SNAPLEN_MAX;
	atomic_init(&t->stop, false);
	if (tcpdump_parse(c, t, argc, argv)) {
		tcpdump_free(t);
		return 1;
	}
	if (t->rfile) {
		status = tcpdump_read_file(t);
		tcpdump_free(t);
		return status;
	}
	/* A background capture writes to the shell's own stdout/stderr after
	 * the command returned: a control-socket client's streams would be
	 * gone by then. */
	if (t->background && (c->out != stdout || c->err != stderr)) {
		fprintf(c->err, "tcpdump: background capture (&) is only available in the nsemu "
				"shell\n");
		tcpdump_free(t);
		return 1;
	}
	status = tcpdump_start(t);
	if (status) {
		/* never attached (or attach failed): nothing on a worker */
		tcpdump_free(t);
		return status;
	}
	if (!t->background) {
		status = tcpdump_loop(t);
		tcpdump_free(t);
		return status;
	}
	pthread_mutex_lock(&jobs_lock);
	if (pthread_create(&t->thread, NULL, tcpdump_job_main, t)) {
		pthread_mutex_unlock(&jobs_lock);
		fprintf(c->err, "tcpdump: cannot start a background capture\n");
		/* attached: stop it and drain on this thread instead */
		atomic_store(&t->stop, true);
		tcpdump_loop(t);
		tcpdump_free(t);
		return 1;
	}
	t->job_next = jobs;
	jobs = t;
	pthread_mutex_unlock(&jobs_lock);
	return 0;
}

/* Join every background capture; with @stop, ask them to end first. */
static void tcpdump_jobs_join(struct cli_ctx *c, bool stop)
{
	struct tcpdump *list, *t, *n;

	pthread_mutex_lock(&jobs_lock);
	list = jobs;
	jobs = NULL;
	pthread_mutex_unlock(&jobs_lock);
	for (t = list; t; t = n) {
		n = t->job_next;
		if (stop)
			atomic_store(&t->stop, true);
	}
	for (t = list; t; t = n) {
		bool joined = false;

		n = t->job_next;
		/* Ctrl-C during `wait` stops the captures it waits for. */
		while (!stop && c && c->interrupt) {
			if (pthread_tryjoin_np(t->thread, NULL) == 0) {
				joined = true;
				break;
			}
			if (*c->interrupt) {
				for (struct tcpdump *u = t; u; u = u->job_next)
					atomic_store(&u->stop, true);
				break;
			}
			nanosleep(&(struct timespec){ 0, TCPDUMP_POLL_MS * 1000000L }, NULL);
		}
		if (!joined)
			pthread_join(t->thread, NULL);
		tcpdump_free(t);
	}
}

int cmd_wait(struct cli_ctx *c, int argc, char **argv)
{
	int ret = 0;

	/* wait %N...: those apps only; the status of the last, as bash */
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			ret = app_job_wait_one(c, argv[i]);
		return ret;
	}
	app_jobs_wait(c, false);
	tcpdump_jobs_join(c, false);
	return 0;
}

void tcpdump_jobs_stop(void)
{
	app_jobs_wait(NULL, true);
	tcpdump_jobs_join(NULL, true);
}
