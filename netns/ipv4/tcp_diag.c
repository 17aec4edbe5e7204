// SPDX-License-Identifier: MIT
/*
 * tcp_diag_dump (tcp_diag.h): what inet_diag tells ss about each socket,
 * as ss shows it: state, queues (unread and unacknowledged bytes; for a
 * listener its accept queue and backlog) and the two ends. Owner thread.
 */
#include <errno.h>
#include <stdlib.h>

#include "tcp.h"
#include "tcp_diag.h"

static_assert(TCP_DIAG_LISTEN == TCP_LISTEN && TCP_DIAG_SYN_RECV == TCP_SYN_RECV &&
		      TCP_DIAG_TIME_WAIT == TCP_TIME_WAIT,
	      "tcp_diag.h numbers the states as tcp.h");

struct tcp_diag_buf {
	struct tcp_diag_row *rows;
	unsigned n, cap;
	bool nomem;
};

static void tcp_diag_one(struct tcp_sock *tp, void *arg)
{
	struct tcp_diag_buf *b = arg;
	struct tcp_diag_row *r;

	if (tp->state == TCP_CLOSE || b->nomem)
		return; /* unconnected: not in the kernel's dump either */
	if (b->n == b->cap) {
		unsigned cap = b->cap ? b->cap * 2 : 64;
		struct tcp_diag_row *rows = realloc(b->rows, cap * sizeof(*rows));

		if (!rows) {
			b->nomem = true;
			return;
		}
		b->rows = rows;
		b->cap = cap;
	}
	r = &b->rows[b->n++];
	r->state = tp->state;
	r->lport = tp->sk.num;
	if (tp->state == TCP_LISTEN) {
		r->rq = tp->acq_len;
		r->sq = tp->backlog;
		r->laddr = tp->sk.rcv_saddr;
		r->raddr = 0;
		r->rport = 0;
		return;
	}
	r->rq = tp->state == TCP_TIME_WAIT ? 0 : tcp_rcv_queued(tp);
	r->sq = tp->state == TCP_TIME_WAIT ? 0 : tcp_snd_queued(tp);
	r->laddr = tp->sk.saddr;
	r->raddr = tp->sk.daddr;
	r->rport = tp->sk.dport;
}

int tcp_diag_dump(struct netns *ns, struct tcp_diag_row **rows, unsigned *n)
{
	struct tcp_diag_buf b = { 0 };

	NS_ASSERT_OWNER(ns);
	inet_sk_for_each(ns, tcp_diag_one, &b);
	if (b.nomem) {
		free(b.rows);
		return -ENOMEM;
	}
	*rows = b.rows;
	*n = b.n;
	return 0;
}
