// SPDX-License-Identifier: MIT
/*
 * The CLI side of the control socket server: NSEMU_MSG_CLI lines run on a
 * thread that belongs to the connection (so a ping does not hold up other
 * clients), through the same cli_run_line() as the interactive shell. The
 * line's cli_ctx writes to fopencookie() streams. Each flushed line becomes
 * an NSEMU_MSG_OUTPUT message on a list the server thread collects (woken
 * by its ev_async), and NSEMU_MSG_DONE carries the exit status.
 * NSEMU_MSG_INTERRUPT is Ctrl-C: the server signals the line's thread
 * (CTL_SIGINTR), whose handler sets the thread's own interrupt flag.
 * app_run() polls that flag, the same path SIGINT takes at the shell.
 * A line runs in the client's working directory (NSEMU_A_CWD), so that
 * `nsemuctl tcpdump -w rel.pcap` and `source FILE` name the client's files:
 * the thread unshares its filesystem attributes (CLONE_FS) from the rest
 * of the daemon and chdir()s there.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "ctl_server_priv.h"

#define CTL_TEXT_CHUNK (16u << 10) /* OUTPUT text per message */

/* Append one nlmsg with up to two attributes (a2 may be NULL). The caller
 * made room: NLMSG_SPACE + both NLA_ALIGN'd attributes. */
static void dgram_put_msg(struct ctl_dgram *d, uint16_t type, uint16_t flags, uint32_t seq,
			  uint32_t portid, uint16_t t1, const void *a1, size_t l1, uint16_t t2,
			  const void *a2, size_t l2)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(d->data + d->len);
	uint8_t *p = (uint8_t *)NLMSG_DATA(nlh);
	const uint16_t ts[2] = { t1, t2 };
	const void *as[2] = { a1, a2 };
	const size_t ls[2] = { l1, l2 };

	for (int i = 0; i < 2; i++) {
		struct nlattr *nla = (struct nlattr *)p;

		if (!as[i])
			continue;
		nla->nla_type = ts[i];
		nla->nla_len = (uint16_t)(NLA_HDRLEN + ls[i]);
		memcpy(p + NLA_HDRLEN, as[i], ls[i]);
		memset(p + NLA_HDRLEN + ls[i], 0, NLA_ALIGN(ls[i]) - ls[i]);
		p += NLA_HDRLEN + NLA_ALIGN(ls[i]);
	}
	*nlh = (struct nlmsghdr){ .nlmsg_len = (uint32_t)(p - (uint8_t *)nlh),
				  .nlmsg_type = type,
				  .nlmsg_flags = flags,
				  .nlmsg_seq = seq,
				  .nlmsg_pid = portid };
	d->len += nlh->nlmsg_len;
}

/* The interrupt flag of the CLI line running on this thread. */
static _Thread_local volatile sig_atomic_t ctl_intr;

static void ctl_on_intr(int sig)
{
	ctl_intr = 1;
}

void ctl_cli_signal_init(void)
{
	struct sigaction sa = { .sa_handler = ctl_on_intr, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(CTL_SIGINTR, &sa, NULL);
}


struct ctl_stream {
	struct ctl_conn *cn;
	uint32_t fd; /* 1 stdout, 2 stderr */
};

/* Append a message with two attributes to the thread's output list, packing
 * it into the last datagram when it fits. s->lock held. */
static void cli_post(struct ctl_conn *cn, uint16_t type, uint16_t t1, const void *a1, size_t l1,
		     uint16_t t2, const void *a2, size_t l2)
{
	size_t need = NLMSG_SPACE(0) + NLA_HDRLEN + NLA_ALIGN(l1) + NLA_HDRLEN + NLA_ALIGN(l2);
	struct ctl_dgram *d = NULL;

	if (cn->cli_head) {
		d = (struct ctl_dgram *)((char *)cn->cli_tail - offsetof(struct ctl_dgram, next));
		if (d->len + need > d->cap)
			d = NULL;
	}
	if (!d) {
		d = ctl_dgram_new(need > CTL_DGRAM_FILL ? need : CTL_DGRAM_FILL);
		if (!d)
			return; /* output lost; DONE still ends the line */
		*cn->cli_tail = d;
		cn->cli_tail = &d->next;
	}
	dgram_put_msg(d, type, 0, cn->seq, cn->rc.portid, t1, a1, l1, t2, a2, l2);
}

static ssize_t cli_stream_write(void *cookie, const char *buf, size_t len)
{
	struct ctl_stream *st = cookie;
	struct ctl_conn *cn = st->cn;
	struct ctl_server *s = cn->s;

	pthread_mutex_lock(&s->lock);
	for (size_t off = 0; off < len && !cn->gone;) {
		size_t n = len - off < CTL_TEXT_CHUNK ? len - off : CTL_TEXT_CHUNK;

		cli_post(cn, NSEMU_MSG_OUTPUT, NSEMU_A_FD, &st->fd, sizeof(st->fd), NSEMU_A_TEXT,
			 buf + off, n);
		off += n;
	}
	pthread_mutex_unlock(&s->lock);
	ev_async_send(s->loop, &s->wake);
	return (ssize_t)len; /* a closed connection's output goes nowhere */
}

/* Whether this thread has its own working directory (CLONE_FS unshared). */
static _Thread_local bool ctl_own_cwd;

/* Move this thread to @cwd (NULL: stay). 0, or -errno after telling @err. */
static int cli_enter_cwd(const char *cwd, FILE *err)
{
	char here[PATH_MAX];

	if (!cwd)
		return 0;
	if (!ctl_own_cwd) {
		if (getcwd(here, sizeof(here)) && !strcmp(here, cwd))
			return 0; /* the daemon's own directory: nothing to change */
		if (unshare(CLONE_FS)) {
			int e = errno;

			fprintf(err, "Error: cannot run in the client's directory \"%s\": "
				     "unshare(CLONE_FS): %s.\n", cwd, strerror(e));
			return -e;
		}
		ctl_own_cwd = true;
	}
	if (chdir(cwd)) {
		int e = errno;

		fprintf(err, "Error: cannot run in the client's directory \"%s\": %s.\n", cwd,
			strerror(e));
		return -e;
	}
	return 0;
}

static void *cli_thread(void *arg)
{
	static const cookie_io_functions_t io = { .write = cli_stream_write };
	struct ctl_conn *cn = arg;
	struct ctl_server *s = cn->s;
	struct ctl_stream so = { cn, 1 }, se = { cn, 2 };
	FILE *out = fopencookie(&so, "w", io), *err = fopencookie(&se, "w", io);
	struct cli_ctx c;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, CTL_SIGINTR);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	/* line buffered: a ping's replies stream out as they come */
	if (out)
		setvbuf(out, NULL, _IOLBF, 1 << 14);
	if (err)
		setvbuf(err, NULL, _IOLBF, 1 << 12);
	cli_ctx_init(&c, out ? out : stdout, err ? err : stderr);
	c.interrupt = &ctl_intr;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		char *line, *cwd;
		uint32_t status, flags, line_flags;
		int ret;

		while (!cn->line && !cn->thread_exit)
			pthread_cond_wait(&cn->cond, &s->lock);
		if (cn->thread_exit)
			break;
		line = cn->line;
		cn->line = NULL;
		cwd = cn->cwd;
		cn->cwd = NULL;
		line_flags = cn->line_flags;
		cn->in_line = true;
		ctl_intr = cn->intr_pending;
		cn->intr_pending = false;
		pthread_mutex_unlock(&s->lock);

		c.quit = false;
		c.json = line_flags & CTL_CLI_JSON;
		if (!out || !err)
			ret = -ENOMEM;
		else
			ret = cli_enter_cwd(cwd, err) ?: cli_run_line(&c, line);
		c.json = false;
		if (out)
			fflush(out);
		if (err)
			fflush(err);
		free(line);
		free(cwd);
		/* nsemu's exit status: a command's own status (ping: 1 no
		 * reply, 2 error), 1 for a -errno from the command layer */
		status = ret < 0 ? 1 : ret > 255 ? 1 : (uint32_t)ret;
		flags = c.quit ? 1 : 0;

		pthread_mutex_lock(&s->lock);
		cn->in_line = false;
		cli_post(cn, NSEMU_MSG_DONE, NSEMU_A_STATUS, &status, sizeof(status),
			 NSEMU_A_FLAGS, &flags, sizeof(flags));
		pthread_cond_broadcast(&s->idle);
		ev_async_send(s->loop, &s->wake);
	}
	pthread_mutex_unlock(&s->lock);
	if (out)
		fclose(out);
	if (err)
		fclose(err);
	cli_ctx_free(&c);
	return NULL;
}

int ctl_cli_start_line(struct ctl_conn *cn, const struct nlmsghdr *nlh, const char *line,
		       const char *cwd, uint32_t flags)
{
	struct ctl_server *s = cn->s;
	char *copy = strdup(line), *cwd_copy = cwd ? strdup(cwd) : NULL;
	int err = 0;

	if (!copy || (cwd && !cwd_copy)) {
		free(copy);
		free(cwd_copy);
		return -ENOMEM;
	}
	pthread_mutex_lock(&s->lock);
	if (!cn->thread_started) {
		sigset_t all, old;

		/* the thread unblocks CTL_SIGINTR itself; nothing else */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		err = -pthread_create(&cn->thread, NULL, cli_thread, cn);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		cn->thread_started = !err;
	}
	if (!err) {
		cn->line = copy;
		cn->cwd = cwd_copy;
		cn->line_flags = flags;
		cn->seq = nlh->nlmsg_seq;
		cn->running = true;
		pthread_cond_signal(&cn->cond);
	} else {
		free(copy);
		free(cwd_copy);
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

void ctl_cli_interrupt(struct ctl_conn *cn)
{
	struct ctl_server *s = cn->s;

	pthread_mutex_lock(&s->lock);
	if (cn->in_line)
		pthread_kill(cn->thread, CTL_SIGINTR);
	else if (cn->line)
		cn->intr_pending = true;
	pthread_mutex_unlock(&s->lock);
}

