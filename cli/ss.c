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
#include <stdarg.h>
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

struct ss_opts {
	bool all, listening, numeric;
	bool info;	/* -i: tcp_info */
	bool options;	/* -o: timers (and ts / sack / ecn with -i) */
};

/* The Process column's text, built as ss's out() appends to a field. */
struct ss_buf {
	char s[1024];
	size_t n;
};

static void ss_out(struct ss_buf *b, const char *fmt, ...) __printf(2, 3);
static void ss_out(struct ss_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->n >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->n = MIN(b->n + (size_t)n, sizeof(b->s) - 1);
}

/* print_ms_timer: "200ms", "1.500ms" style of ss (seconds with their
 * milliseconds below 10 s, whole minutes and seconds above). */
static void ss_ms_timer(char *buf, size_t len, unsigned timeout)
{
	unsigned secs = timeout / 1000, minutes = secs / 60, msecs = timeout % 1000;
	size_t n = 0;

	secs %= 60;
	buf[0] = '\0';
	if (minutes) {
		msecs = 0;
		n += (size_t)snprintf(buf, len, "%umin", minutes);
		if (minutes > 9)
			secs = 0;
	}
	if (secs && n < len) {
		if (secs > 9)
			msecs = 0;
		n += (size_t)snprintf(buf + n, len - n, "%u%s", secs, msecs ? "." : "sec");
	}
	if (msecs && n < len)
		snprintf(buf + n, len - n, "%03ums", msecs);
}

/* tcp_timer_print: " timer:(on,200ms,0)" */
static void ss_timer(struct ss_buf *b, const struct tcp_diag_row *r)
{
	static const char *const tmr_name[] = { "off", "on", "keepalive", "timewait", "persist" };
	char t[64];

	if (!r->timer || r->timer >= ARRAY_SIZE(tmr_name))
		return;
	ss_ms_timer(t, sizeof(t), r->expires_ms);
	ss_out(b, " timer:(%s,%s,%u)", tmr_name[r->timer], t, r->retrans);
}

/* sprint_bw: bits per second with ss's units, or digits with -n. */
static const char *ss_bw(char *buf, size_t len, double bw, bool numeric)
{
	if (numeric)
		snprintf(buf, len, "%.0f", bw);
	else if (bw >= 1e12)
		snprintf(buf, len, "%.3gT", bw / 1e12);
	else if (bw >= 1e9)
		snprintf(buf, len, "%.3gG", bw / 1e9);
	else if (bw >= 1e6)
		snprintf(buf, len, "%.3gM", bw / 1e6);
	else if (bw >= 1e3)
		snprintf(buf, len, "%.3gk", bw / 1e3);
	else
		snprintf(buf, len, "%g", bw);
	return buf;
}

/*
 * tcp_show_info + tcp_stats_print of iproute2 6.1: the fields in its
 * order and spelling, each only when the kernel's value would make ss
 * print it (non-zero; rto not 3 s; ssthresh below 0xFFFF; reordering
 * not 3). nsemu's tcp_info leaves the fields it does not measure at 0
 * (pacing ~0), so ss's own rules drop them.
 */
static void ss_info(struct ss_buf *b, const struct tcp_diag_row *r, const struct ss_opts *o)
{
	const struct tcp_diag_info *i = &r->info;
	char bw[32];

	if (!r->has_info)
		return;
	if (o->options) {
		if (i->tcpi_options & TCPI_OPT_TIMESTAMPS)
			ss_out(b, " ts");
		if (i->tcpi_options & TCPI_OPT_SACK)
			ss_out(b, " sack");
		if (i->tcpi_options & TCPI_OPT_ECN)
			ss_out(b, " ecn");
	}
	if (r->cong[0])
		ss_out(b, " %s", r->cong);
	if (i->tcpi_options & TCPI_OPT_WSCALE)
		ss_out(b, " wscale:%d,%d", i->tcpi_snd_wscale, i->tcpi_rcv_wscale);
	if (i->tcpi_rto && i->tcpi_rto != 3000000)
		ss_out(b, " rto:%g", (double)i->tcpi_rto / 1000);
	if (i->tcpi_backoff)
		ss_out(b, " backoff:%u", i->tcpi_backoff);
	if (i->tcpi_rtt)
		ss_out(b, " rtt:%g/%g", (double)i->tcpi_rtt / 1000, (double)i->tcpi_rttvar / 1000);
	if (i->tcpi_ato)
		ss_out(b, " ato:%g", (double)i->tcpi_ato / 1000);
	if (i->tcpi_snd_mss)
		ss_out(b, " mss:%u", i->tcpi_snd_mss);
	if (i->tcpi_pmtu)
		ss_out(b, " pmtu:%u", i->tcpi_pmtu);
	if (i->tcpi_rcv_mss)
		ss_out(b, " rcvmss:%u", i->tcpi_rcv_mss);
	if (i->tcpi_advmss)
		ss_out(b, " advmss:%u", i->tcpi_advmss);
	if (i->tcpi_snd_cwnd)
		ss_out(b, " cwnd:%u", i->tcpi_snd_cwnd);
	if (i->tcpi_snd_ssthresh && i->tcpi_snd_ssthresh < 0xFFFF)
		ss_out(b, " ssthresh:%u", i->tcpi_snd_ssthresh);
	if (i->tcpi_bytes_sent)
		ss_out(b, " bytes_sent:%llu", (unsigned long long)i->tcpi_bytes_sent);
	if (i->tcpi_bytes_retrans)
		ss_out(b, " bytes_retrans:%llu", (unsigned long long)i->tcpi_bytes_retrans);
	if (i->tcpi_bytes_acked)
		ss_out(b, " bytes_acked:%llu", (unsigned long long)i->tcpi_bytes_acked);
	if (i->tcpi_bytes_received)
		ss_out(b, " bytes_received:%llu", (unsigned long long)i->tcpi_bytes_received);
	if (i->tcpi_segs_out)
		ss_out(b, " segs_out:%u", i->tcpi_segs_out);
	if (i->tcpi_segs_in)
		ss_out(b, " segs_in:%u", i->tcpi_segs_in);
	if (i->tcpi_data_segs_out)
		ss_out(b, " data_segs_out:%u", i->tcpi_data_segs_out);
	if (i->tcpi_data_segs_in)
		ss_out(b, " data_segs_in:%u", i->tcpi_data_segs_in);
	if (i->tcpi_rtt && i->tcpi_snd_mss && i->tcpi_snd_cwnd)
		ss_out(b, " send %sbps",
		       ss_bw(bw, sizeof(bw),
			     (double)i->tcpi_snd_cwnd * i->tcpi_snd_mss * 8000000. / i->tcpi_rtt,
			     o->numeric));
	if (i->tcpi_last_data_sent)
		ss_out(b, " lastsnd:%u", i->tcpi_last_data_sent);
	if (i->tcpi_last_data_recv)
		ss_out(b, " lastrcv:%u", i->tcpi_last_data_recv);
	if (i->tcpi_last_ack_recv)
		ss_out(b, " lastack:%u", i->tcpi_last_ack_recv);
	if (i->tcpi_pacing_rate && i->tcpi_pacing_rate != ~0ull)
		ss_out(b, " pacing_rate %sbps",
		       ss_bw(bw, sizeof(bw), (double)i->tcpi_pacing_rate * 8., o->numeric));
	if (i->tcpi_unacked)
		ss_out(b, " unacked:%u", i->tcpi_unacked);
	if (i->tcpi_retrans || i->tcpi_total_retrans)
		ss_out(b, " retrans:%u/%u", i->tcpi_retrans, i->tcpi_total_retrans);
	if (i->tcpi_lost)
		ss_out(b, " lost:%u", i->tcpi_lost);
	if (i->tcpi_sacked && r->state != TCP_DIAG_LISTEN)
		ss_out(b, " sacked:%u", i->tcpi_sacked);
	if (i->tcpi_dsack_dups)
		ss_out(b, " dsack_dups:%u", i->tcpi_dsack_dups);
	if (i->tcpi_reordering != 3)
		ss_out(b, " reordering:%u", i->tcpi_reordering);
	if (i->tcpi_notsent_bytes)
		ss_out(b, " notsent:%u", i->tcpi_notsent_bytes);
	if (i->tcpi_min_rtt && i->tcpi_min_rtt != ~0u)
		ss_out(b, " minrtt:%g", (double)i->tcpi_min_rtt / 1000);
	if (i->tcpi_snd_wnd)
		ss_out(b, " snd_wnd:%u", i->tcpi_snd_wnd);
}

/* What ss puts in the Process column: the timer (-o), then the
 * details on a line of their own (-i). */
static char *ss_proc(const struct tcp_diag_row *r, const struct ss_opts *o)
{
	struct ss_buf b = { .n = 0 };

	b.s[0] = '\0';
	if (o->options)
		ss_timer(&b, r);
	if (o->info) {
		ss_out(&b, "\n\t");
		ss_info(&b, r, o);
	}
	return strdup(b.s);
}

static int ss_usage(struct cli_ctx *c)
{
	fprintf(c->err, "Usage: ss [ -n NS ] -t [ -a | -l ] [ -n ] [ -i ] [ -o ]\n"
			"   -t, --tcp           display only TCP sockets\n"
			"   -a, --all           display all sockets\n"
			"   -l, --listening     display listening sockets\n"
			"   -n, --numeric       don't resolve service names\n"
			"   -i, --info          show internal TCP information\n"
			"   -o, --options       show timer information\n"
			"   -N, --net=NS        switch to the specified network namespace\n");
	return 1;
}

static bool ss_long_opt(const char *a, struct ss_opts *o)
{
	static const char *const names[] = { "--tcp", "--all", "--listening", "--numeric",
					      "--info", "--options" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(a, names[i]))
			continue;
		o->all |= i == 1;
		o->listening |= i == 2;
		o->numeric |= i == 3;
		o->info |= i == 4;
		o->options |= i == 5;
		return true;
	}
	return false;
}

/* `ss`; -n NS (a word after -n that is not an option, as nstat and
 * tcpdump take it) or -N NS names the namespace. */
int cmd_ss(struct cli_ctx *c, int argc, char **argv)
{
	struct ss_snap s = { 0 };
	struct ss_opts o = { 0 };
	const char *ns = c->ns;
	unsigned w[6] = { 5, 6, 6, 13, 4, 12 }, wrp = 4, wproc = 7, i;
	struct ss_cells cell;
	char **proc = NULL;
	int err, ret = 0;

	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];

		if (!strcmp(a, "-N") || !strcmp(a, "--net") || (!strcmp(a, "-n") && k + 1 < argc &&
								 argv[k + 1][0] != '-')) {
			if (k + 1 >= argc)
				return ss_usage(c);
			ns = argv[++k];
			continue;
		}
		if (ss_long_opt(a, &o))
			continue;
		if (a[0] != '-' || !a[1] || a[1] == '-')
			return ss_usage(c);
		for (const char *p = a + 1; *p; p++) {
			switch (*p) {
			case 't':
				break;
			case 'a':
				o.all = true;
				break;
			case 'l':
				o.listening = true;
				break;
			case 'n':
				o.numeric = true;
				break;
			case 'i':
				o.info = true;
				break;
			case 'o':
				o.options = true;
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
	if (s.n) /* qsort takes no NULL, even for nothing; calloc neither */
		qsort(s.rows, s.n, sizeof(s.rows[0]), ss_cmp);
	proc = calloc(s.n ? s.n : 1, sizeof(*proc));
	if (!proc) {
		fprintf(c->err, "ss: %s\n", strerror(ENOMEM));
		free(s.rows);
		return 1;
	}
	for (i = 0; i < s.n; i++) {
		if (!ss_shown(&s.rows[i], o.all, o.listening))
			continue;
		ss_cells(&s.rows[i], o.numeric, &cell);
		proc[i] = ss_proc(&s.rows[i], &o);
		if (!proc[i]) {
			fprintf(c->err, "ss: %s\n", strerror(ENOMEM));
			ret = 1;
			goto out;
		}
		w[0] = MAX(w[0], (unsigned)strlen(cell.state));
		w[1] = MAX(w[1], (unsigned)strlen(cell.rq));
		w[2] = MAX(w[2], (unsigned)strlen(cell.sq));
		w[3] = MAX(w[3], (unsigned)strlen(cell.la));
		w[4] = MAX(w[4], (unsigned)strlen(cell.lp));
		w[5] = MAX(w[5], (unsigned)strlen(cell.ra));
		wrp = MAX(wrp, (unsigned)strlen(cell.rp));
		wproc = MAX(wproc, (unsigned)strlen(proc[i]));
	}
	/* ss pads every field, the last (Process, with the timer and the
	 * details line in it) included, to its column's widest */
	fprintf(c->out, "%-*s %-*s %-*s %*s:%-*s %*s:%-*s%-*s\n", w[0], "State", w[1], "Recv-Q",
		w[2], "Send-Q", w[3], "Local Address", w[4], "Port", w[5], "Peer Address", wrp,
		"Port", wproc, "Process");
	for (i = 0; i < s.n; i++) {
		if (!proc[i])
			continue;
		ss_cells(&s.rows[i], o.numeric, &cell);
		fprintf(c->out, "%-*s %-*s %-*s %*s:%-*s %*s:%-*s%-*s\n", w[0], cell.state, w[1],
			cell.rq, w[2], cell.sq, w[3], cell.la, w[4], cell.lp, w[5], cell.ra, wrp,
			cell.rp, wproc, proc[i]);
	}
out:
	for (i = 0; i < s.n; i++)
		free(proc[i]);
	free(proc);
	free(s.rows);
	return ret;
}
