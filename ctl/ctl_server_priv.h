/* SPDX-License-Identifier: MIT */
/*
 * Private to the control socket server (ctl/ctl_server.c, the socket side on
 * the server thread; ctl/ctl_server_cli.c, the CLI-line threads): the
 * connection and server structures and the calls between the two files.
 * Fields under "shared with the CLI thread" are guarded by ctl_server.lock;
 * everything else belongs to the server thread.
 */
#ifndef NSEMU_CLI_CTL_SERVER_PRIV_H
#define NSEMU_CLI_CTL_SERVER_PRIV_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include <ev.h>
#include <linux/netlink.h>

#include "netns/rtnl/rtnl.h"
#include "ctl_server.h"

#define CTL_SIGINTR SIGUSR1 /* INTERRUPT -> the line's thread */
#define CTL_TEXT_CHUNK (16u << 10) /* OUTPUT text per message */

/* One outgoing datagram: complete nlmsgs. */
struct ctl_dgram {
	struct ctl_dgram *next;
	size_t len, cap;
	bool multi; /* holds dump parts: more may be packed in */
	_Alignas(8) uint8_t data[]; /* nlmsgs: 4-aligned at least */
};

struct ctl_note {
	struct ctl_note *next;
	uint32_t ns_id;
	unsigned group;
	struct ctl_dgram *d;
};

struct ctl_conn {
	struct ctl_server *s;
	struct ctl_conn *next;
	int fd;
	pid_t pid; /* peer, for log lines */
	ev_io rd, wr;
	struct rtnl_conn rc;
	uint64_t groups; /* bit g-1: multicast group g joined */
	struct ctl_dgram *head, **tail;
	size_t queued;	   /* bytes in head..tail */
	uint8_t *deferred; /* input held while a CLI line runs */
	size_t deferred_len;
	bool closing;
	bool running; /* a CLI line was handed over; its DONE not yet queued */
	/* -- shared with the connection's CLI thread, under s->lock -- */
	pthread_t thread;
	bool thread_started, thread_exit;
	pthread_cond_t cond;
	char *line;	   /* next line for the thread */
	char *cwd;	   /* its NSEMU_A_CWD, or NULL */
	uint32_t line_flags; /* its NSEMU_A_FLAGS: CTL_CLI_JSON */
	bool in_line;	   /* the thread is running a line */
	bool intr_pending; /* INTERRUPT before the thread took the line */
	bool gone;	   /* connection closed: discard output */
	uint32_t seq;	   /* of the CLI request, echoed in OUTPUT/DONE */
	struct ctl_dgram *cli_head, **cli_tail; /* OUTPUT/DONE from the thread */
};

struct ctl_server {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd;
	struct ev_loop *loop;
	ev_io accept_w;
	ev_async wake;
	pthread_t thread;
	pthread_mutex_t lock; /* CLI hand-over and output, stop flag */
	pthread_cond_t idle;  /* a CLI thread finished a line */
	bool started, stopping;
	struct ctl_conn *conns;
	uint32_t rover; /* next server-assigned portid */
	unsigned subscribers; /* open connections with groups (server thread) */
	uint8_t *rbuf;
	size_t rcap;
	struct rtnl_out rout;
};

/* A datagram with room for @cap bytes (len 0), or NULL. Any thread. */
struct ctl_dgram *ctl_dgram_new(size_t cap);

/* Install the CTL_SIGINTR handler (process-wide, once, main thread). */
void ctl_cli_signal_init(void);
/* Hand @line (copied) to the connection's CLI thread, starting the thread
 * the first time; it runs in directory @cwd (the client's, copied; NULL:
 * the daemon's) with @flags (CTL_CLI_JSON). OUTPUT/DONE will carry @nlh's
 * seq. Server thread. 0 or -errno. */
int ctl_cli_start_line(struct ctl_conn *cn, const struct nlmsghdr *nlh, const char *line,
		       const char *cwd, uint32_t flags);
/* NSEMU_MSG_INTERRUPT: interrupt the running (or next) line. Server thread. */
void ctl_cli_interrupt(struct ctl_conn *cn);

#endif
