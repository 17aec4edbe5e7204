// SPDX-License-Identifier: MIT
/*
 * The control socket server. One thread with its own libev loop accepts
 * connections on a Unix SOCK_SEQPACKET socket and reads one datagram at a
 * time from each (MSG_PEEK|MSG_TRUNC sizes the buffer). A datagram is split
 * as netlink_rcv_skb() walks an skb: the transport's own messages (BIND,
 * SETSOCKOPT, CLI, INTERRUPT) are handled here, runs of everything else go to
 * rtnl_process() — the one code path the in-process CLI uses too. Replies
 * leave as the kernel sends them: one datagram per message, except dump
 * parts (NLM_F_MULTI), which are packed up to 32 KiB per datagram like
 * netlink_dump() fills an skb. Output that the socket does not take at once
 * waits in a per-connection queue drained by a write watcher; a client whose
 * queue passes CTL_MAX_QUEUED is dropped (netlink would drop replies with
 * ENOBUFS; a stream of unread dumps must not grow the emulator without
 * bound). Multicast notifications from rtnl (any thread) are queued under a
 * lock, and delivered by the server thread to every connection bound to the
 * namespace that joined the group, before the reply of the request that
 * caused them, as rtnl_notify() precedes netlink_ack().
 *
 * NSEMU_MSG_CLI runs a whole CLI line on a thread of the connection's own
 * (ctl/ctl_server_cli.c); this file collects its OUTPUT and DONE messages
 * into the connection's queue when the CLI thread wakes the loop.
 */
#include "ctl_server.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>
#include <linux/netlink.h>

#include "core/log.h"
#include "netns/rtnl/rtnl.h"
#include "cli/cmd.h"
#include "ctl_server_priv.h"

/* the transport's attribute numbers are wire protocol: nothing may shift them */
static_assert(NSEMU_A_FLAGS + 1 == NSEMU_A_GROUPS && NSEMU_A_STATUS == 21 && NSEMU_A_CWD == 23,
	      "NSEMU_A_* transport attributes moved");

#define CTL_READ_BURST 16 /* datagrams read per wake-up, for fairness */

/* Notifications may come from any thread calling rtnl_process(). */
static pthread_mutex_t ctl_note_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ctl_server *ctl_active;
static struct ctl_note *ctl_notes, **ctl_notes_tail = &ctl_notes;

int ctl_default_path(char *buf, size_t len)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	int n;

	if (dir && *dir)
		n = snprintf(buf, len, "%s/nsemu.sock", dir);
	else
		n = snprintf(buf, len, "/tmp/nsemu-%u.sock", (unsigned)getuid());
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/* ---- building messages ---- */

struct ctl_dgram *ctl_dgram_new(size_t cap)
{
	struct ctl_dgram *d = malloc(sizeof(*d) + cap);

	if (d) {
		d->next = NULL;
		d->len = 0;
		d->cap = cap;
		d->multi = false;
	}
	return d;
}

static struct ctl_dgram *dgram_copy(const void *msg, size_t len)
{
	struct ctl_dgram *d = ctl_dgram_new(len);

	if (d) {
		memcpy(d->data, msg, len);
		d->len = len;
	}
	return d;
}

/* An NLMSG_ERROR for @req (header echoed, NLM_F_CAPPED) with @msg as the
 * extended ack when the connection asked for it. */
static struct ctl_dgram *dgram_error(const struct rtnl_conn *rc, const struct nlmsghdr *req,
				     int err, const char *msg)
{
	struct nlmsgerr e = { .error = err, .msg = *req };
	size_t mlen = rc->ext_ack && msg ? strlen(msg) + 1 : 0;
	struct ctl_dgram *d = ctl_dgram_new(NLMSG_SPACE(sizeof(e)) + NLA_HDRLEN + NLA_ALIGN(mlen));
	struct nlmsghdr *nlh;
	struct nlattr *nla;

	if (!d)
		return NULL;
	nlh = (struct nlmsghdr *)d->data;
	*nlh = (struct nlmsghdr){ .nlmsg_len = NLMSG_LENGTH(sizeof(e)),
				  .nlmsg_type = NLMSG_ERROR,
				  .nlmsg_flags = NLM_F_CAPPED | (mlen ? NLM_F_ACK_TLVS : 0),
				  .nlmsg_seq = req->nlmsg_seq,
				  .nlmsg_pid = rc->portid };
	memcpy(NLMSG_DATA(nlh), &e, sizeof(e));
	if (mlen) {
		nla = (struct nlattr *)(d->data + NLMSG_SPACE(sizeof(e)));
		nla->nla_type = NLMSGERR_ATTR_MSG;
		nla->nla_len = (uint16_t)(NLA_HDRLEN + mlen);
		memcpy((uint8_t *)nla + NLA_HDRLEN, msg, mlen);
		memset((uint8_t *)nla + NLA_HDRLEN + mlen, 0, NLA_ALIGN(mlen) - mlen);
		nlh->nlmsg_len = (uint32_t)(NLMSG_SPACE(sizeof(e)) + NLA_HDRLEN + NLA_ALIGN(mlen));
	}
	d->len = nlh->nlmsg_len;
	return d;
}

static void dgram_free_list(struct ctl_dgram *d)
{
	while (d) {
		struct ctl_dgram *next = d->next;

		free(d);
		d = next;
	}
}

/* ---- output queue (server thread) ---- */

static void conn_close(struct ctl_conn *cn, const char *why);

static void conn_flush(struct ctl_conn *cn)
{
	struct ctl_server *s = cn->s;

	while (cn->head) {
		struct ctl_dgram *d = cn->head;
		ssize_t n = send(cn->fd, d->data, d->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				ev_io_start(s->loop, &cn->wr);
				return;
			}
			/* EPIPE/ECONNRESET: the client went away */
			conn_close(cn, NULL);
			return;
		}
		cn->head = d->next;
		if (!cn->head)
			cn->tail = &cn->head;
		cn->queued -= d->len;
		free(d);
	}
	ev_io_stop(s->loop, &cn->wr);
}

/* Queue @d (consumed). Past the cap the client is dropped: false. */
static bool conn_enqueue(struct ctl_conn *cn, struct ctl_dgram *d)
{
	if (cn->closing) {
		free(d);
		return false;
	}
	if (cn->queued + d->len > CTL_MAX_QUEUED) {
		char why[96];

		snprintf(why, sizeof(why), "%zu bytes of replies unread", cn->queued);
		free(d);
		conn_close(cn, why);
		return false;
	}
	*cn->tail = d;
	cn->tail = &d->next;
	cn->queued += d->len;
	return true;
}

/* Split rtnl_process() output into datagrams: dump parts packed together up
 * to CTL_DGRAM_FILL, every other message on its own, as the kernel does. */
static void conn_queue_replies(struct ctl_conn *cn, const struct rtnl_out *o)
{
	struct ctl_dgram *cur = NULL;
	size_t off = 0;

	while (off + NLMSG_HDRLEN <= o->len && !cn->closing) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(o->buf + off);
		size_t len = nlh->nlmsg_len, step = NLMSG_ALIGN(len);
		bool multi = nlh->nlmsg_flags & NLM_F_MULTI;

		if (len < NLMSG_HDRLEN || len > o->len - off)
			break; /* cannot happen: rtnl builds whole messages */
		if (step > o->len - off)
			step = o->len - off;
		if (cur && multi && cur->len + step <= cur->cap) {
			memcpy(cur->data + cur->len, nlh, step);
			cur->len += step;
		} else {
			if (cur && !conn_enqueue(cn, cur))
				return;
			cur = ctl_dgram_new(multi && step < CTL_DGRAM_FILL ? CTL_DGRAM_FILL : step);
			if (!cur) {
				conn_close(cn, "out of memory");
				return;
			}
			cur->multi = multi;
			memcpy(cur->data, nlh, step);
			cur->len = step;
			if (!multi) {
				if (!conn_enqueue(cn, cur))
					return;
				cur = NULL;
			}
		}
		off += step;
	}
	if (cur)
		conn_enqueue(cn, cur);
}

/* ---- notifications ---- */

/* The sink handed to rtnl: any thread, usually inside rtnl_process(). */
static void ctl_notify(uint32_t ns_id, unsigned group, const void *nlmsg, size_t len)
{
	struct ctl_note *n;

	if (!group || group > 64)
		return;
	pthread_mutex_lock(&ctl_note_lock);
	if (ctl_active && (n = malloc(sizeof(*n)))) {
		n->next = NULL;
		n->ns_id = ns_id;
		n->group = group;
		n->d = dgram_copy(nlmsg, len);
		if (n->d) {
			*ctl_notes_tail = n;
			ctl_notes_tail = &n->next;
			ev_async_send(ctl_active->loop, &ctl_active->wake);
		} else {
			free(n);
		}
	}
	pthread_mutex_unlock(&ctl_note_lock);
}

/* Deliver queued notifications to members (server thread). */
static void ctl_deliver_notes(struct ctl_server *s)
{
	struct ctl_note *n;

	pthread_mutex_lock(&ctl_note_lock);
	n = ctl_notes;
	ctl_notes = NULL;
	ctl_notes_tail = &ctl_notes;
	pthread_mutex_unlock(&ctl_note_lock);
	while (n) {
		struct ctl_note *next = n->next;

		for (struct ctl_conn *cn = s->conns; cn; cn = cn->next) {
			struct ctl_dgram *d;

			if (cn->closing || cn->rc.ns_id != n->ns_id ||
			    !(cn->groups & (1ull << (n->group - 1))))
				continue;
			d = dgram_copy(n->d->data, n->d->len);
			if (d && conn_enqueue(cn, d))
				conn_flush(cn);
			else if (!d)
				conn_close(cn, "out of memory");
		}
		free(n->d);
		free(n);
		n = next;
	}
}

/*
 * A connection's multicast groups change (bind, setsockopt, close). The
 * rtnl sink is installed only while some connection listens: collecting
 * notifications turns off rtnl's batching and parallel runs, which the
 * clients that never subscribe (nsemuctl, most libnl programs) should not
 * pay for. Server thread.
 */
static void conn_set_groups(struct ctl_conn *cn, uint64_t groups)
{
	struct ctl_server *s = cn->s;
	bool was = cn->groups != 0;

	cn->groups = groups;
	if (was == (groups != 0))
		return;
	if (groups && s->subscribers++ == 0)
		rtnl_notify_add(ctl_notify);
	else if (!groups && --s->subscribers == 0)
		rtnl_notify_del(ctl_notify);
}

/* Take what the CLI thread produced into the output queue; on DONE the
 * connection reads input again (server thread). */
static void conn_input(struct ctl_conn *cn, uint8_t *buf, size_t len);

static void conn_collect_cli(struct ctl_conn *cn)
{
	struct ctl_server *s = cn->s;
	struct ctl_dgram *d;
	bool done = false;

	pthread_mutex_lock(&s->lock);
	d = cn->cli_head;
	cn->cli_head = NULL;
	cn->cli_tail = &cn->cli_head;
	if (cn->running && !cn->line && !cn->in_line) {
		/* the DONE is in the list just taken */
		cn->running = false;
		done = true;
	}
	pthread_mutex_unlock(&s->lock);
	while (d) {
		struct ctl_dgram *next = d->next;

		d->next = NULL;
		if (!conn_enqueue(cn, d)) {
			dgram_free_list(next);
			return;
		}
		d = next;
	}
	conn_flush(cn);
	if (done && !cn->closing) {
		uint8_t *in = cn->deferred;
		size_t n = cn->deferred_len;

		cn->deferred = NULL;
		cn->deferred_len = 0;
		ev_io_start(s->loop, &cn->rd);
		if (in) {
			conn_input(cn, in, n);
			free(in);
		}
	}
}

/* ---- input ---- */

static bool nla_u32_ok(const struct nlattr *a)
{
	return a && nla_len(a) >= 4;
}

static bool nla_string_ok(const struct nlattr *a)
{
	return a && nla_len(a) >= 1 && !((const char *)nla_data(a))[nla_len(a) - 1];
}

/* BIND / SETSOCKOPT / CLI / INTERRUPT. */
static void conn_transport_msg(struct ctl_conn *cn, struct nlmsghdr *nlh)
{
	struct nlattr *tb[NSEMU_A_MAX + 1];
	const char *why = NULL;
	int err = 0;

	if (nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) < 0) {
		err = -EINVAL;
		why = "Malformed attributes";
		goto reply;
	}
	switch (nlh->nlmsg_type) {
	case NSEMU_MSG_BIND:
		/* bind(): nl_pid and nl_groups (the legacy group bitmask) */
		if (nla_u32_ok(tb[NSEMU_A_PORTID]) && nla_get_u32(tb[NSEMU_A_PORTID]))
			cn->rc.portid = nla_get_u32(tb[NSEMU_A_PORTID]);
		if (nla_u32_ok(tb[NSEMU_A_GROUPS]))
			conn_set_groups(cn, nla_get_u32(tb[NSEMU_A_GROUPS]));
		break;
	case NSEMU_MSG_SETSOCKOPT: {
		uint32_t name, val;

		if (!nla_u32_ok(tb[NSEMU_A_OPTNAME]) || !nla_u32_ok(tb[NSEMU_A_OPTVAL])) {
			err = -EINVAL;
			why = "SETSOCKOPT needs NSEMU_A_OPTNAME and NSEMU_A_OPTVAL";
			break;
		}
		name = nla_get_u32(tb[NSEMU_A_OPTNAME]);
		val = nla_get_u32(tb[NSEMU_A_OPTVAL]);
		if (name == NETLINK_ADD_MEMBERSHIP || name == NETLINK_DROP_MEMBERSHIP) {
			/* netlink_setsockopt(): groups 1..ngroups, else EINVAL */
			if (!val || val > 64) {
				err = -EINVAL;
				why = "Invalid multicast group";
			} else if (name == NETLINK_ADD_MEMBERSHIP) {
				conn_set_groups(cn, cn->groups | 1ull << (val - 1));
			} else {
				conn_set_groups(cn, cn->groups & ~(1ull << (val - 1)));
			}
		} else if (name == NETLINK_EXT_ACK) {
			cn->rc.ext_ack = val != 0;
		}
		/* CAP_ACK, GET_STRICT_CHK, NO_ENOBUFS, PKTINFO...: accepted,
		 * replies are already shaped as nsemu's clients expect */
		break;
	}
	case NSEMU_MSG_CLI:
		if (!nla_string_ok(tb[NSEMU_A_LINE])) {
			err = -EINVAL;
			why = "CLI needs NSEMU_A_LINE, a NUL-terminated string";
			break;
		}
		if (tb[NSEMU_A_CWD] && (!nla_string_ok(tb[NSEMU_A_CWD]) ||
					((char *)nla_data(tb[NSEMU_A_CWD]))[0] != '/')) {
			err = -EINVAL;
			why = "NSEMU_A_CWD must be an absolute path, NUL-terminated";
			break;
		}
		err = ctl_cli_start_line(cn, nlh, nla_data(tb[NSEMU_A_LINE]),
					 tb[NSEMU_A_CWD] ? nla_data(tb[NSEMU_A_CWD]) : NULL,
					 nla_u32_ok(tb[NSEMU_A_FLAGS]) ? nla_get_u32(tb[NSEMU_A_FLAGS]) : 0);
		if (!err)
			return; /* answered by OUTPUT and DONE */
		why = "Cannot start the command thread";
		break;
	case NSEMU_MSG_INTERRUPT:
		ctl_cli_interrupt(cn);
		return;
	}
reply:
	/* no reply unless asked (the shim sends these fire-and-forget) or wrong */
	if (err || (nlh->nlmsg_flags & NLM_F_ACK)) {
		struct ctl_dgram *d = dgram_error(&cn->rc, nlh, err, why);

		if (d && conn_enqueue(cn, d))
			conn_flush(cn);
	}
}

static bool is_transport_msg(uint16_t type)
{
	return type == NSEMU_MSG_BIND || type == NSEMU_MSG_SETSOCKOPT || type == NSEMU_MSG_CLI ||
	       type == NSEMU_MSG_INTERRUPT;
}

/* A run of rtnetlink messages: rtnl_process, notifications first. */
static void conn_rtnl(struct ctl_conn *cn, const uint8_t *buf, size_t len)
{
	struct ctl_server *s = cn->s;

	rtnl_out_reset(&s->rout);
	rtnl_process(&cn->rc, buf, len, &s->rout);
	ctl_deliver_notes(s);
	if (!cn->closing) {
		conn_queue_replies(cn, &s->rout);
		if (!cn->closing)
			conn_flush(cn);
	}
	/* a 100,000-route dump should not stay allocated for the next ACK */
	if (s->rout.cap > (1u << 20))
		rtnl_out_free(&s->rout);
}

/* One datagram, walked as netlink_rcv_skb() walks an skb. While a CLI line
 * runs, everything after an INTERRUPT waits (ordering as sent). */
static void conn_input(struct ctl_conn *cn, uint8_t *buf, size_t len)
{
	size_t off = 0, start = 0;

	while (off + NLMSG_HDRLEN <= len && !cn->closing) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + off);
		size_t next;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len - off)
			break; /* rtnl_process answers the malformed rest */
		next = off + NLMSG_ALIGN(nlh->nlmsg_len);
		if (next > len)
			next = len;
		if (cn->running && nlh->nlmsg_type != NSEMU_MSG_INTERRUPT) {
			if (off > start)
				conn_rtnl(cn, buf + start, off - start);
			cn->deferred = malloc(len - off);
			if (!cn->deferred) {
				conn_close(cn, "out of memory");
				return;
			}
			memcpy(cn->deferred, buf + off, len - off);
			cn->deferred_len = len - off;
			ev_io_stop(cn->s->loop, &cn->rd);
			return;
		}
		if (is_transport_msg(nlh->nlmsg_type)) {
			if (off > start)
				conn_rtnl(cn, buf + start, off - start);
			if (!cn->closing)
				conn_transport_msg(cn, nlh);
			start = next;
		}
		off = next;
	}
	if (len > start && !cn->closing)
		conn_rtnl(cn, buf + start, len - start);
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *cn = w->data;
	struct ctl_server *s = cn->s;

	for (int i = 0; i < CTL_READ_BURST && !cn->closing && ev_is_active(&cn->rd); i++) {
		uint8_t peek[NLMSG_HDRLEN];
		ssize_t size = recv(cn->fd, peek, sizeof(peek), MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		size_t want;
		ssize_t n;

		if (size < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(cn, NULL);
			return;
		}
		if (size == 0) {
			conn_close(cn, NULL); /* EOF */
			return;
		}
		want = (size_t)size > CTL_MAX_DGRAM ? CTL_MAX_DGRAM : (size_t)size;
		if (s->rcap < want) {
			uint8_t *b = realloc(s->rbuf, want);

			if (!b) {
				conn_close(cn, "out of memory");
				return;
			}
			s->rbuf = b;
			s->rcap = want;
		}
		n = recv(cn->fd, s->rbuf, want, MSG_DONTWAIT);
		if (n <= 0) {
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			conn_close(cn, NULL);
			return;
		}
		if ((size_t)size > CTL_MAX_DGRAM) {
			/* the kernel would truncate it; say so and keep serving */
			struct ctl_dgram *d;

			if ((size_t)n < sizeof(struct nlmsghdr))
				continue;
			d = dgram_error(&cn->rc, (struct nlmsghdr *)s->rbuf, -EMSGSIZE,
					"Message too long (limit 1 MiB)");
			if (d && conn_enqueue(cn, d))
				conn_flush(cn);
			continue;
		}
		conn_input(cn, s->rbuf, (size_t)n);
	}
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	conn_flush(w->data);
}

/* Close the socket now; the memory goes when the CLI thread is idle. */
static void conn_close(struct ctl_conn *cn, const char *why)
{
	struct ctl_server *s = cn->s;

	if (cn->closing)
		return;
	cn->closing = true;
	conn_set_groups(cn, 0);
	if (why)
		log_msg(LOG_WARN, "control client pid %d dropped: %s", (int)cn->pid, why);
	ev_io_stop(s->loop, &cn->rd);
	ev_io_stop(s->loop, &cn->wr);
	close(cn->fd);
	cn->fd = -1;
	dgram_free_list(cn->head);
	cn->head = NULL;
	cn->tail = &cn->head;
	cn->queued = 0;
	free(cn->deferred);
	cn->deferred = NULL;
	pthread_mutex_lock(&s->lock);
	cn->gone = true;
	free(cn->line);
	cn->line = NULL;
	free(cn->cwd);
	cn->cwd = NULL;
	if (cn->in_line)
		pthread_kill(cn->thread, CTL_SIGINTR); /* a ping stops */
	pthread_mutex_unlock(&s->lock);
}

/* Free closed connections whose CLI thread is idle (or wait: @wait). */
static void ctl_reap(struct ctl_server *s, bool wait)
{
	for (struct ctl_conn **pp = &s->conns; *pp;) {
		struct ctl_conn *cn = *pp;
		bool busy;

		if (!cn->closing) {
			pp = &cn->next;
			continue;
		}
		pthread_mutex_lock(&s->lock);
		while (wait && cn->in_line)
			pthread_cond_wait(&s->idle, &s->lock);
		busy = cn->in_line;
		if (!busy) {
			cn->thread_exit = true;
			pthread_cond_signal(&cn->cond);
		}
		pthread_mutex_unlock(&s->lock);
		if (busy) {
			pp = &cn->next;
			continue;
		}
		if (cn->thread_started)
			pthread_join(cn->thread, NULL);
		dgram_free_list(cn->cli_head);
		pthread_cond_destroy(&cn->cond);
		*pp = cn->next;
		free(cn);
	}
}

static void ctl_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = w->data;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct ctl_conn *cn;
	int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* only our own user, or root, may drive the emulator */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    (cred.uid != getuid() && cred.uid != 0)) {
		log_msg(LOG_WARN, "control connection refused: pid %d uid %u is not uid %u or root",
			clen == sizeof(cred) ? (int)cred.pid : -1, (unsigned)cred.uid,
			(unsigned)getuid());
		close(fd);
		return;
	}
	cn = calloc(1, sizeof(*cn));
	if (!cn) {
		close(fd);
		return;
	}
	cn->s = s;
	cn->fd = fd;
	cn->pid = cred.pid;
	cn->tail = &cn->head;
	cn->cli_tail = &cn->cli_head;
	/* netlink_autobind(): portids from -4096 downwards; HELLO/BIND set their own */
	cn->rc.portid = s->rover--;
	pthread_cond_init(&cn->cond, NULL);
	ev_io_init(&cn->rd, conn_read_cb, fd, EV_READ);
	ev_io_init(&cn->wr, conn_write_cb, fd, EV_WRITE);
	cn->rd.data = cn->wr.data = cn;
	ev_io_start(loop, &cn->rd);
	cn->next = s->conns;
	s->conns = cn;
}

static void ctl_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct ctl_server *s = w->data;
	bool stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stopping;
	pthread_mutex_unlock(&s->lock);
	if (stop) {
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	ctl_deliver_notes(s);
	for (struct ctl_conn *cn = s->conns; cn; cn = cn->next)
		if (!cn->closing)
			conn_collect_cli(cn);
}

/* After every callback: free what closed (ev_check runs once per loop). */
static void ctl_check_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	ctl_reap(w->data, false);
}

static void *ctl_thread(void *arg)
{
	struct ctl_server *s = arg;
	ev_check check;

	ev_check_init(&check, ctl_check_cb);
	check.data = s;
	ev_check_start(s->loop, &check);
	ev_run(s->loop, 0);
	ev_check_stop(s->loop, &check);
	return NULL;
}

/* ---- start / stop ---- */

/* Bind @path: replace a stale socket file, never a live one. */
static int ctl_bind(int fd, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int err;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* mode 0600 from the start: no window in which others could connect */
	old = umask(0177);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	if (err == -EADDRINUSE) {
		int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		struct stat st;
		int cerr;

		if (probe < 0) {
			err = -errno;
		} else if (!connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			err = -EADDRINUSE; /* someone answers: leave it alone */
		} else if ((cerr = errno), lstat(path, &st) || !S_ISSOCK(st.st_mode)) {
			err = -EEXIST; /* not a socket: not ours to remove */
		} else if (cerr == ECONNREFUSED) {
			/* a socket file nobody listens on: a dead nsemu's */
			unlink(path);
			err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
		}
		if (probe >= 0)
			close(probe);
	}
	umask(old);
	if (!err && chmod(path, 0600))
		err = -errno;
	return err;
}

struct ctl_server *ctl_server_open(const char *path, int *errp)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	int err;

	if (!s) {
		*errp = -ENOMEM;
		return NULL;
	}
	if (strlen(path) >= sizeof(s->path)) {
		free(s);
		*errp = -ENAMETOOLONG;
		return NULL;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->rover = (uint32_t)-4096;
	rtnl_out_init(&s->rout);
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0) {
		err = -errno;
		goto out_free;
	}
	err = ctl_bind(s->lfd, path);
	if (err)
		goto out_close;
	if (listen(s->lfd, 64)) {
		err = -errno;
		goto out_unlink;
	}
	s->loop = ev_loop_new(EVFLAG_AUTO);
	if (!s->loop) {
		err = -ENOMEM;
		goto out_unlink;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->idle, NULL);
	ev_io_init(&s->accept_w, ctl_accept_cb, s->lfd, EV_READ);
	s->accept_w.data = s;
	ev_io_start(s->loop, &s->accept_w);
	ev_async_init(&s->wake, ctl_wake_cb);
	s->wake.data = s;
	ev_async_start(s->loop, &s->wake);
	return s;

out_unlink:
	unlink(path);
out_close:
	close(s->lfd);
out_free:
	free(s);
	*errp = err;
	return NULL;
}

int ctl_server_start(struct ctl_server *s)
{
	sigset_t all, old;
	int err;

	ctl_cli_signal_init();
	pthread_mutex_lock(&ctl_note_lock);
	ctl_active = s;
	pthread_mutex_unlock(&ctl_note_lock);
	/* the rtnl sink waits for a subscriber: conn_set_groups */

	/* the server thread takes no process signals: SIGINT is the shell's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&s->thread, NULL, ctl_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err) {
		s->started = true;
		return 0;
	}
	rtnl_notify_del(ctl_notify);
	pthread_mutex_lock(&ctl_note_lock);
	ctl_active = NULL;
	pthread_mutex_unlock(&ctl_note_lock);
	return err;
}

void ctl_server_stop(struct ctl_server *s)
{
	struct ctl_note *n;

	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stopping = true;
		pthread_mutex_unlock(&s->lock);
		ev_async_send(s->loop, &s->wake);
		pthread_join(s->thread, NULL);
		/* the loop is stopped: its watchers are ours now */
		rtnl_notify_del(ctl_notify);
	}
	for (struct ctl_conn *cn = s->conns; cn; cn = cn->next)
		conn_close(cn, NULL);
	ctl_reap(s, true);
	pthread_mutex_lock(&ctl_note_lock);
	ctl_active = NULL;
	n = ctl_notes;
	ctl_notes = NULL;
	ctl_notes_tail = &ctl_notes;
	pthread_mutex_unlock(&ctl_note_lock);
	while (n) {
		struct ctl_note *next = n->next;

		free(n->d);
		free(n);
		n = next;
	}
	ev_io_stop(s->loop, &s->accept_w);
	ev_async_stop(s->loop, &s->wake);
	ev_loop_destroy(s->loop);
	close(s->lfd);
	unlink(s->path);
	rtnl_out_free(&s->rout);
	free(s->rbuf);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
