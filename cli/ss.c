// SPDX-License-Identifier: MIT
/*
 * ss -t: the TCP sockets of a namespace in ss's own layout (iproute2's
 * ss.c without a terminal: each column as wide as its widest cell, the
 * addresses right-aligned against their ports). The owner worker takes a
 * snapshot (STYLE O5); this thread sorts and prints it. States shown as
 * ss's filters choose them: by default the connected ones (not LISTEN,
 * SYN-RECV, TIME-WAIT), -l listeners only, -a all. Recv-Q / Send-Q are
 * unread / unacknowledged bytes, and for a listener its accept queue and
 * backlog. Ports print as service names unless -n.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netns/ipv4/tcp_diag.h"
#include "netns/rtnl/rtnl.h"
#include "cmd.h"

struct ss_snap {
	int err;
	struct tcp_diag_row *rows;
	unsigned n;
};

static void ss_owner_call(struct netns *ns, void *arg)
{
	struct ss_snap *s = arg;

	s->err = tcp_diag_dump(ns, &s->rows, &s->n);
}

/* Listeners first (the kernel dumps its listening hash first), then by
 * local port and peer. */
static int ss_cmp(const void *a, const void *b)
{
	const struct tcp_diag_row *x = a, *y = b;
	int lx = x->state == TCP_DIAG_LISTEN, ly = y->state == TCP_DIAG_LISTEN;

	if (lx != ly)
		return ly - lx;
	if (x->lport != y->lport)
		return x->lport - y->lport;
	if (ntohl(x->raddr) != ntohl(y->raddr))
		return ntohl(x->raddr) < ntohl(y->raddr) ? -1 : 1;
	return x->rport - y->rport;
}

/* SS_CONN: every state but LISTEN, SYN-RECV and TIME-WAIT. */
static bool ss_shown(const struct tcp_diag_row *r, bool all, bool listening)
{
	if (all)
		return true;
	if (listening)
		return r->state == TCP_DIAG_LISTEN;
	return r->state != TCP_DIAG_LISTEN && r->state != TCP_DIAG_SYN_RECV && r->state != TCP_DIAG_TIME_WAIT;
}

static void ss_port(char *buf, size_t len, uint16_t port, bool star, bool numeric)
{
	struct servent *se;

	if (star) {
		snprintf(buf, len, "*");
		return;
	}
	se = numeric ? NULL : getservbyport(htons(port), "tcp");
	if (se)
		snprintf(buf, len, "%s", se->s_name);
	else
		snprintf(buf, len, "%u", port);
}

struct ss_cells {
	char rq[12], sq[12], la[INET_ADDRSTRLEN], lp[32], ra[INET_ADDRSTRLEN], rp[32];
	const char *state;
};

static void ss_cells(const struct tcp_diag_row *r, bool numeric, struct ss_cells *c)
{
	c->state = tcp_state_name(r->state);
	snprintf(c->rq, sizeof(c->rq), "%u", r->rq);
	snprintf(c->sq, sizeof(c->sq), "%u", r->sq);
	inet_ntop(AF_INET, &r->laddr, c->la, sizeof(c->la));
	inet_ntop(AF_INET, &r->raddr, c->ra, sizeof(c->ra));
	ss_port(c->lp, sizeof(c->lp), r->lport, false, numeric);
	ss_port(c->rp, sizeof(c->rp), r->rport, r->state == TCP_DIAG_LISTEN, numeric);
}

static int ss_usage(struct cli_ctx *c)
{
	fprintf(c->err, "Usage: ss [ -n NS ] -t [ -a | -l ] [ -n ]\n"
			"   -t, --tcp           display only TCP sockets\n"
			"   -a, --all           display all sockets\n"
			"   -l, --listening     display listening sockets\n"
			"   -n, --numeric       don't resolve service names\n"
			"   -N, --net=NS        switch to the specified network namespace\n");
	return 1;
}

/* `ss`; -n NS (a word after -n that is not an option, as nstat and
 * tcpdump take it) or -N NS names the namespace. */
int cmd_ss(struct cli_ctx *c, int argc, char **argv)
{
	struct ss_snap s = { 0 };
	bool all = false, listening = false, numeric = false;
	const char *ns = c->ns;
	unsigned w[6] = { 5, 6, 6, 13, 4, 12 }, wrp = 4, i;
	struct ss_cells cell;
	int err;

	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];

		if (!strcmp(a, "-N") || !strcmp(a, "--net") || (!strcmp(a, "-n") && k + 1 < argc &&
								 argv[k + 1][0] != '-')) {
			if (k + 1 >= argc)
				return ss_usage(c);
			ns = argv[++k];
			continue;
		}
		if (!strcmp(a, "--tcp") || !strcmp(a, "--all") || !strcmp(a, "--listening") ||
		    !strcmp(a, "--numeric")) {
			all |= a[2] == 'a';
			listening |= a[2] == 'l';
			numeric |= a[2] == 'n';
			continue;
		}
		if (a[0] != '-' || !a[1])
			return ss_usage(c);
		for (const char *p = a + 1; *p; p++) {
			switch (*p) {
			case 't':
				break;
			case 'a':
				all = true;
				break;
			case 'l':
				listening = true;
				break;
			case 'n':
				numeric = true;
				break;
			default:
				fprintf(c->err, "ss: invalid option -- '%c'\n", *p);
				return ss_usage(c);
			}
		}
	}
	err = rtnl_ns_call_sync(ns, ss_owner_call, &s);
	if (err) {
		fprintf(c->err, "Cannot open network namespace \"%s\": %s\n",
			ns ? ns : NSEMU_DEFAULT_NS, strerror(-err));
		free(s.rows);
		return 1;
	}
	if (s.err) {
		fprintf(c->err, "ss: %s\n", strerror(-s.err));
		return 1;
	}
	if (s.n) /* qsort takes no NULL, even for nothing */
		qsort(s.rows, s.n, sizeof(s.rows[0]), ss_cmp);
	for (i = 0; i < s.n; i++) {
		if (!ss_shown(&s.rows[i], all, listening))
			continue;
		ss_cells(&s.rows[i], numeric, &cell);
		w[0] = MAX(w[0], (unsigned)strlen(cell.state));
		w[1] = MAX(w[1], (unsigned)strlen(cell.rq));
		w[2] = MAX(w[2], (unsigned)strlen(cell.sq));
		w[3] = MAX(w[3], (unsigned)strlen(cell.la));
		w[4] = MAX(w[4], (unsigned)strlen(cell.lp));
		w[5] = MAX(w[5], (unsigned)strlen(cell.ra));
		wrp = MAX(wrp, (unsigned)strlen(cell.rp));
	}
	fprintf(c->out, "%-*s %-*s %-*s %*s:%-*s %*s:%-*sProcess\n", w[0], "State", w[1],
		"Recv-Q", w[2], "Send-Q", w[3], "Local Address", w[4], "Port", w[5],
		"Peer Address", wrp, "Port");
	for (i = 0; i < s.n; i++) {
		if (!ss_shown(&s.rows[i], all, listening))
			continue;
		ss_cells(&s.rows[i], numeric, &cell);
		fprintf(c->out, "%-*s %-*s %-*s %*s:%-*s %*s:%-*s%-7s\n", w[0], cell.state, w[1],
			cell.rq, w[2], cell.sq, w[3], cell.la, w[4], cell.lp, w[5], cell.ra, wrp,
			cell.rp, "");
	}
	free(s.rows);
	return 0;
}
