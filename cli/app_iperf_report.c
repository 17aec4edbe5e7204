// SPDX-License-Identifier: MIT
/*
 * What iperf3 prints (cli/app_iperf.h): the connected lines, the interval
 * table, the sender/receiver summary, in iperf3 3.12's formats
 * (iperf_locale.c) and units (units.c: bytes in powers of 1024, bits per
 * second in powers of 1000, 4 significant places); the results exchanged
 * with the peer; and the --json document (start, intervals, end, with
 * iperf3's key names).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <netinet/tcp.h>
#include "netns/ipv4/tcp_diag.h"
#include "app_iperf.h"

#define IPERF_SEPARATOR "- - - - - - - - - - - - - - - - - - - - - - - - -\n"
#define IPERF_HDR "[ ID] Interval           Transfer     Bitrate\n"
#define IPERF_HDR_RETR "[ ID] Interval           Transfer     Bitrate         Retr\n"
#define IPERF_HDR_CWND "[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n"
#define IPERF_NO_RETRANS UINT64_MAX /* what iperf3 sends for "not counted" */

void iperf_unit(char *s, size_t n, double v, char fmt)
{
	static const char *const bytes[] = { "Byte", "KByte", "MByte", "GByte", "TByte" };
	static const char *const bits[] = { "bit", "Kbit", "Mbit", "Gbit", "Tbit" };
	bool upper = isupper((unsigned char)fmt);
	double base = upper ? 1024.0 : 1000.0;
	unsigned conv = 0;

	if (!upper)
		v *= 8;
	while (v >= base && conv < 4) {
		v /= base;
		conv++;
	}
	snprintf(s, n, v < 9.995 ? "%4.2f %s" : v < 99.95 ? "%4.1f %s" : "%4.0f %s", v,
		 upper ? bytes[conv] : bits[conv]);
}

static double iperf_rate(uint64_t bytes, double secs)
{
	return secs > 0 ? (double)bytes / secs : 0;
}

void iperf_print_banner(struct iperf *ip)
{
	if (ip->json)
		return;
	app_printf(ip->app, "-----------------------------------------------------------\n"
			    "Server listening on %u (test #%d)\n"
			    "-----------------------------------------------------------\n",
		   ip->port, ip->test_no);
}

void iperf_print_connected(struct iperf *ip, struct iperf_stream *s)
{
	char l[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN];
	struct ijson *c;

	inet_ntop(AF_INET, &s->laddr, l, sizeof(l));
	inet_ntop(AF_INET, &s->raddr, r, sizeof(r));
	if (!ip->json) {
		app_printf(ip->app, "[%3d] local %s port %u connected to %s port %u\n", s->id, l,
			   s->lport, r, s->rport);
		return;
	}
	c = ijson_add_obj((struct ijson *)ijson_get(ijson_get(ip->jout, "start"), "connected"),
			  NULL);
	ijson_add_num(c, "socket", s->id);
	ijson_add_str(c, "local_host", l);
	ijson_add_num(c, "local_port", s->lport);
	ijson_add_str(c, "remote_host", r);
	ijson_add_num(c, "remote_port", s->rport);
}

/* Record the interval that ends now for every stream. */
static void iperf_ival_record(struct iperf *ip, double start, double end)
{
	struct tcp_diag_info ti;

	for (int i = 0; i < ip->nst; i++) {
		struct iperf_stream *s = &ip->st[i];
		struct iperf_ival v = { .start = start, .end = end, .bytes = s->ival_bytes };
		unsigned len = sizeof(ti);

		memset(&ti, 0, sizeof(ti));
		if (s->sk && !sock_getsockopt(s->sk, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
			v.retrans = ti.tcpi_total_retrans - s->ival_retrans0;
			s->ival_retrans0 = ti.tcpi_total_retrans;
			v.cwnd = ti.tcpi_snd_cwnd * ti.tcpi_snd_mss;
			v.snd_wnd = ti.tcpi_snd_wnd;
			v.rtt = ti.tcpi_rtt;
			v.rttvar = ti.tcpi_rttvar;
			v.pmtu = ti.tcpi_pmtu;
		}
		if (v.cwnd > s->max_cwnd)
			s->max_cwnd = v.cwnd;
		if (v.snd_wnd > s->max_snd_wnd)
			s->max_snd_wnd = v.snd_wnd;
		if (v.rtt > s->max_rtt)
			s->max_rtt = v.rtt;
		if (v.rtt && (!s->min_rtt || v.rtt < s->min_rtt))
			s->min_rtt = v.rtt;
		if (v.rtt) {
			s->sum_rtt += v.rtt;
			s->n_rtt++;
		}
		s->ival_bytes = 0;
		if (s->nivals == s->ivals_cap) {
			unsigned cap = s->ivals_cap ? s->ivals_cap * 2 : 16;
			struct iperf_ival *m = realloc(s->ivals, cap * sizeof(*m));

			if (!m)
				continue; /* out of memory: the interval is printed, not kept */
			s->ivals = m;
			s->ivals_cap = cap;
		}
		s->ivals[s->nivals++] = v;
	}
}

static void iperf_ival_json(struct iperf *ip, double start, double end)
{
	struct ijson *iv = ijson_add_obj(ip->jintervals, NULL);
	struct ijson *arr = ijson_add_arr(iv, "streams"), *sum;
	uint64_t bytes = 0, retrans = 0;

	for (int i = 0; i < ip->nst; i++) {
		struct iperf_stream *s = &ip->st[i];
		const struct iperf_ival *v;
		struct ijson *o;

		if (!s->nivals)
			continue;
		v = &s->ivals[s->nivals - 1];
		o = ijson_add_obj(arr, NULL);
		ijson_add_num(o, "socket", s->id);
		ijson_add_num(o, "start", v->start);
		ijson_add_num(o, "end", v->end);
		ijson_add_num(o, "seconds", v->end - v->start);
		ijson_add_num(o, "bytes", (double)v->bytes);
		ijson_add_num(o, "bits_per_second", 8 * iperf_rate(v->bytes, v->end - v->start));
		if (ip->sender) {
			ijson_add_num(o, "retransmits", v->retrans);
			ijson_add_num(o, "snd_cwnd", v->cwnd);
			ijson_add_num(o, "snd_wnd", v->snd_wnd);
			ijson_add_num(o, "rtt", v->rtt);
			ijson_add_num(o, "rttvar", v->rttvar);
			ijson_add_num(o, "pmtu", v->pmtu);
		}
		ijson_add_bool(o, "omitted", false);
		ijson_add_bool(o, "sender", ip->sender);
		bytes += v->bytes;
		retrans += v->retrans;
	}
	sum = ijson_add_obj(iv, "sum");
	ijson_add_num(sum, "start", start);
	ijson_add_num(sum, "end", end);
	ijson_add_num(sum, "seconds", end - start);
	ijson_add_num(sum, "bytes", (double)bytes);
	ijson_add_num(sum, "bits_per_second", 8 * iperf_rate(bytes, end - start));
	if (ip->sender)
		ijson_add_num(sum, "retransmits", (double)retrans);
	ijson_add_bool(sum, "omitted", false);
	ijson_add_bool(sum, "sender", ip->sender);
}

static void iperf_ival_text(struct iperf *ip, double start, double end)
{
	char tb[16], bb[16], cb[16];
	uint64_t bytes = 0, retrans = 0;

	if (!ip->nival)
		app_printf(ip->app, "%s", !ip->server || ip->sender ? IPERF_HDR_CWND : IPERF_HDR);
	else if (ip->nst > 1)
		app_printf(ip->app, IPERF_SEPARATOR);
	for (int i = 0; i < ip->nst; i++) {
		struct iperf_stream *s = &ip->st[i];
		const struct iperf_ival *v;

		if (!s->nivals)
			continue;
		v = &s->ivals[s->nivals - 1];
		iperf_unit(tb, sizeof(tb), (double)v->bytes, 'A');
		iperf_unit(bb, sizeof(bb), iperf_rate(v->bytes, end - start), 'a');
		if (ip->sender) {
			iperf_unit(cb, sizeof(cb), v->cwnd, 'A');
			app_printf(ip->app, "[%3d]%s %6.2f-%-6.2f sec  %ss  %ss/sec  %3u   %ss       %s\n",
				   s->id, "", start, end, tb, bb, v->retrans, cb, "");
		} else {
			app_printf(ip->app, "[%3d]%s %6.2f-%-6.2f sec  %ss  %ss/sec                  %s\n",
				   s->id, "", start, end, tb, bb, "");
		}
		bytes += v->bytes;
		retrans += v->retrans;
	}
	if (ip->nst < 2)
		return;
	iperf_unit(tb, sizeof(tb), (double)bytes, 'A');
	iperf_unit(bb, sizeof(bb), iperf_rate(bytes, end - start), 'a');
	if (ip->sender)
		app_printf(ip->app, "[SUM]%s %6.2f-%-6.2f sec  %ss  %ss/sec  %3d             %s\n", "",
			   start, end, tb, bb, (int)retrans, "");
	else
		app_printf(ip->app, "[SUM]%s %6.2f-%-6.2f sec  %ss  %ss/sec                  %s\n", "",
			   start, end, tb, bb, "");
}

void iperf_report_interval(struct iperf *ip, bool last)
{
	double start = (double)(ip->ival_t0 - ip->t0) / 1e9, end = iperf_elapsed(ip);
	bool ok = !last || ip->interval == 0 || end - start >= ip->interval * 0.1;

	/* iperf3 drops a last interval shorter than 10% of -i that carried
	 * nothing (the control message overtook the data) */
	for (int i = 0; i < ip->nst && !ok; i++)
		ok = ip->st[i].ival_bytes > 0;
	if (!ok)
		return;
	iperf_ival_record(ip, start, end);
	if (ip->json)
		iperf_ival_json(ip, start, end);
	else
		iperf_ival_text(ip, start, end);
	ip->ival_t0 = loop_now();
	ip->nival++;
}

/* ---- summary ---- */

struct iperf_side {
	bool have, retr;
	uint64_t bytes, retrans;
	double start, end;
};

/* The sender's and receiver's view of stream @s. */
static void iperf_sides(const struct iperf *ip, const struct iperf_stream *s,
			struct iperf_side *snd, struct iperf_side *rcv)
{
	struct iperf_side own = { true, ip->sender, s->bytes, s->retrans, 0, s->end_time };
	struct iperf_side peer = { s->peer_has, !ip->sender, s->peer_bytes,
				   s->peer_retrans == IPERF_NO_RETRANS ? 0 : s->peer_retrans,
				   s->peer_start, s->peer_end };

	/* interrupted, iperf3 shows the peer's side as 0 bytes */
	if (!peer.have && ip->interrupted)
		peer = (struct iperf_side){ true, !ip->sender, 0, 0, 0, s->end_time };
	*snd = ip->sender ? own : peer;
	*rcv = ip->sender ? peer : own;
}

static void iperf_side_line(struct iperf *ip, const char *id, const struct iperf_side *d,
			    bool sender)
{
	char tb[16], bb[16];

	iperf_unit(tb, sizeof(tb), (double)d->bytes, 'A');
	iperf_unit(bb, sizeof(bb), iperf_rate(d->bytes, d->end - d->start), 'a');
	if (sender)
		app_printf(ip->app, "%s%s %6.2f-%-6.2f sec  %ss  %ss/sec  %3u             %s\n", id,
			   "", d->start, d->end, tb, bb, (unsigned)d->retrans, "sender");
	else
		app_printf(ip->app, "%s%s %6.2f-%-6.2f sec  %ss  %ss/sec                  %s\n", id,
			   "", d->start, d->end, tb, bb, "receiver");
}

static void iperf_side_add(struct iperf_side *sum, const struct iperf_side *d)
{
	if (!d->have)
		return;
	sum->have = true;
	sum->bytes += d->bytes;
	sum->retrans += d->retrans;
	if (d->end > sum->end)
		sum->end = d->end;
}

static void iperf_summary_text(struct iperf *ip)
{
	struct iperf_side ssum = { 0 }, rsum = { 0 };
	/* the client shows both ends; the server only its own */
	bool show_snd = !ip->server || ip->sender, show_rcv = !ip->server || !ip->sender;
	char id[8];

	app_printf(ip->app, IPERF_SEPARATOR);
	app_printf(ip->app, "%s", show_snd ? IPERF_HDR_RETR : IPERF_HDR);
	for (int i = 0; i < ip->nst; i++) {
		struct iperf_side snd, rcv;

		iperf_sides(ip, &ip->st[i], &snd, &rcv);
		snprintf(id, sizeof(id), "[%3d]", ip->st[i].id);
		if (show_snd && snd.have)
			iperf_side_line(ip, id, &snd, true);
		if (show_rcv && rcv.have)
			iperf_side_line(ip, id, &rcv, false);
		iperf_side_add(&ssum, &snd);
		iperf_side_add(&rsum, &rcv);
	}
	if (ip->nst > 1) {
		if (show_snd && ssum.have)
			iperf_side_line(ip, "[SUM]", &ssum, true);
		if (show_rcv && rsum.have)
			iperf_side_line(ip, "[SUM]", &rsum, false);
	}
	if (!ip->server && !ip->interrupted)
		app_printf(ip->app, "\niperf Done.\n");
}

void iperf_print_summary(struct iperf *ip)
{
	if (ip->json)
		iperf_json_finish(ip, NULL);
	else
		iperf_summary_text(ip);
}

/* ---- the results exchange ---- */

static double iperf_tv(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* CPU use of this process over the test, in percent of its wall time,
 * as iperf3's cpu_util (getrusage, user and system). */
static void iperf_cpu(const struct iperf *ip, double *total, double *user, double *sys)
{
	double wall = (double)(ip->t_stop - ip->t0) / 1e9;

	*user = *sys = 0;
	if (wall > 0) {
		*user = 100 * (iperf_tv(&ip->ru1.ru_utime) - iperf_tv(&ip->ru0.ru_utime)) / wall;
		*sys = 100 * (iperf_tv(&ip->ru1.ru_stime) - iperf_tv(&ip->ru0.ru_stime)) / wall;
	}
	*total = *user + *sys;
}

static void iperf_congestion(const struct iperf *ip, char *name, unsigned len)
{
	snprintf(name, len, "%s", ip->congestion[0] ? ip->congestion : "cubic");
}

struct ijson *iperf_results_json(struct iperf *ip)
{
	struct ijson *j = ijson_new(IJSON_OBJECT), *arr;
	double total, user, sys;

	iperf_cpu(ip, &total, &user, &sys);
	ijson_add_num(j, "cpu_util_total", total);
	ijson_add_num(j, "cpu_util_user", user);
	ijson_add_num(j, "cpu_util_system", sys);
	if (ip->sender)
		ijson_add_num(j, "sender_has_retransmits", 1);
	else
		ijson_add_u64(j, "sender_has_retransmits", IPERF_NO_RETRANS);
	ijson_add_str(j, "congestion_used", ip->congestion[0] ? ip->congestion : "cubic");
	arr = ijson_add_arr(j, "streams");
	for (int i = 0; i < ip->nst; i++) {
		const struct iperf_stream *s = &ip->st[i];
		struct ijson *o = ijson_add_obj(arr, NULL);

		ijson_add_num(o, "id", s->rid);
		ijson_add_num(o, "bytes", (double)s->bytes);
		if (ip->sender)
			ijson_add_num(o, "retransmits", s->retrans);
		else
			ijson_add_u64(o, "retransmits", IPERF_NO_RETRANS);
		ijson_add_num(o, "jitter", 0);
		ijson_add_num(o, "errors", 0);
		ijson_add_num(o, "packets", 0);
		ijson_add_num(o, "start_time", 0);
		ijson_add_num(o, "end_time", s->end_time);
	}
	return j;
}

int iperf_results_parse(struct iperf *ip, const struct ijson *j)
{
	const struct ijson *arr = ijson_get(j, "streams");

	if (!arr || arr->type != IJSON_ARRAY)
		return -1;
	for (const struct ijson *o = arr->child; o; o = o->next) {
		double id = ijson_get_num(o, "id", -1);

		for (int i = 0; i < ip->nst; i++) {
			struct iperf_stream *s = &ip->st[i];
			double r;

			if (s->rid != id)
				continue;
			s->peer_has = true;
			s->peer_bytes = (uint64_t)ijson_get_num(o, "bytes", 0);
			s->peer_start = ijson_get_num(o, "start_time", 0);
			s->peer_end = ijson_get_num(o, "end_time", 0);
			r = ijson_get_num(o, "retransmits", -1);
			s->peer_retrans = r < 0 || r >= 1.8e19 ? IPERF_NO_RETRANS : (uint64_t)r;
		}
	}
	return 0;
}

/* ---- --json ---- */

/* What iperf3 -J has before any connection: start's connected, version
 * and system_info, and the intervals. */
static void iperf_json_begin(struct iperf *ip)
{
	struct ijson *start;
	struct utsname u;

	ijson_free(ip->jout);
	ip->jout = ijson_new(IJSON_OBJECT);
	start = ijson_add_obj(ip->jout, "start");
	ijson_add_arr(start, "connected");
	ijson_add_str(start, "version", "iperf 3.12");
	if (!uname(&u)) {
		char sys[sizeof(u) + 8];

		snprintf(sys, sizeof(sys), "%s %s %s %s %s", u.sysname, u.nodename, u.release,
			 u.version, u.machine);
		ijson_add_str(start, "system_info", sys);
	}
	ip->jintervals = ijson_add_arr(ip->jout, "intervals");
}

void iperf_json_start(struct iperf *ip)
{
	struct ijson *start, *o;
	char tbuf[64];
	time_t now = time(NULL);
	struct tm tm;
	char a[INET_ADDRSTRLEN];
	int v;
	unsigned len = sizeof(v);

	iperf_json_begin(ip);
	start = (struct ijson *)ijson_get(ip->jout, "start");
	gmtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	o = ijson_add_obj(start, "timestamp");
	ijson_add_str(o, "time", tbuf);
	ijson_add_num(o, "timesecs", (double)now);
	if (ip->server) {
		o = ijson_add_obj(start, "accepted_connection");
		ijson_add_str(o, "host", inet_ntop(AF_INET, &ip->ctl_raddr, a, sizeof(a)));
		ijson_add_num(o, "port", ip->ctl_rport);
	} else {
		o = ijson_add_obj(start, "connecting_to");
		ijson_add_str(o, "host", ip->host);
		ijson_add_num(o, "port", ip->port);
	}
	ijson_add_str(start, "cookie", ip->cookie);
	if (ip->ctl && !sock_getsockopt(ip->ctl, IPPROTO_TCP, TCP_MAXSEG, &v, &len) && !ip->server)
		ijson_add_num(start, "tcp_mss_default", v);
	else
		ijson_add_num(start, "tcp_mss_default", 0);
	ijson_add_num(start, "target_bitrate", 0);
	ijson_add_num(start, "sock_bufsize", 0);
	len = sizeof(v);
	if (ip->ctl && !sock_getsockopt(ip->ctl, SOL_SOCKET, SO_SNDBUF, &v, &len))
		ijson_add_num(start, "sndbuf_actual", v);
	len = sizeof(v);
	if (ip->ctl && !sock_getsockopt(ip->ctl, SOL_SOCKET, SO_RCVBUF, &v, &len))
		ijson_add_num(start, "rcvbuf_actual", v);
	o = ijson_add_obj(start, "test_start");
	ijson_add_str(o, "protocol", "TCP");
	ijson_add_num(o, "num_streams", ip->parallel);
	ijson_add_num(o, "blksize", ip->len);
	ijson_add_num(o, "omit", 0);
	ijson_add_num(o, "duration", ip->duration);
	ijson_add_num(o, "bytes", (double)ip->nbytes);
	ijson_add_num(o, "blocks", 0);
	ijson_add_num(o, "reverse", ip->reverse);
	ijson_add_num(o, "tos", 0);
	ijson_add_num(o, "target_bitrate", 0);
}

static void iperf_json_side(struct ijson *o, int id, const struct iperf_side *d, bool sender)
{
	if (id)
		ijson_add_num(o, "socket", id);
	ijson_add_num(o, "start", d->start);
	ijson_add_num(o, "end", d->end);
	ijson_add_num(o, "seconds", d->end - d->start);
	ijson_add_num(o, "bytes", (double)d->bytes);
	ijson_add_num(o, "bits_per_second", 8 * iperf_rate(d->bytes, d->end - d->start));
	(void)sender;
}

static void iperf_json_end(struct iperf *ip)
{
	struct ijson *end = ijson_add_obj(ip->jout, "end"), *arr, *o;
	struct iperf_side ssum = { 0 }, rsum = { 0 };
	double total, user, sys;
	char cc[16];

	arr = ijson_add_arr(end, "streams");
	for (int i = 0; i < ip->nst; i++) {
		const struct iperf_stream *s = &ip->st[i];
		struct iperf_side snd, rcv;
		struct ijson *e = ijson_add_obj(arr, NULL);

		iperf_sides(ip, s, &snd, &rcv);
		o = ijson_add_obj(e, "sender");
		iperf_json_side(o, s->id, &snd, true);
		ijson_add_num(o, "retransmits", (double)snd.retrans);
		if (ip->sender) {
			ijson_add_num(o, "max_snd_cwnd", s->max_cwnd);
			ijson_add_num(o, "max_snd_wnd", s->max_snd_wnd);
			ijson_add_num(o, "max_rtt", s->max_rtt);
			ijson_add_num(o, "min_rtt", s->min_rtt);
			ijson_add_num(o, "mean_rtt", s->n_rtt ? (double)(s->sum_rtt / s->n_rtt) : 0);
		}
		ijson_add_bool(o, "sender", ip->sender);
		o = ijson_add_obj(e, "receiver");
		iperf_json_side(o, s->id, &rcv, false);
		ijson_add_bool(o, "sender", ip->sender);
		iperf_side_add(&ssum, &snd);
		iperf_side_add(&rsum, &rcv);
	}
	o = ijson_add_obj(end, "sum_sent");
	iperf_json_side(o, 0, &ssum, true);
	ijson_add_num(o, "retransmits", (double)ssum.retrans);
	ijson_add_bool(o, "sender", ip->sender);
	o = ijson_add_obj(end, "sum_received");
	iperf_json_side(o, 0, &rsum, false);
	ijson_add_bool(o, "sender", ip->sender);
	iperf_cpu(ip, &total, &user, &sys);
	o = ijson_add_obj(end, "cpu_utilization_percent");
	ijson_add_num(o, "host_total", total);
	ijson_add_num(o, "host_user", user);
	ijson_add_num(o, "host_system", sys);
	ijson_add_num(o, "remote_total", ijson_get_num(ip->peer, "cpu_util_total", 0));
	ijson_add_num(o, "remote_user", ijson_get_num(ip->peer, "cpu_util_user", 0));
	ijson_add_num(o, "remote_system", ijson_get_num(ip->peer, "cpu_util_system", 0));
	iperf_congestion(ip, cc, sizeof(cc));
	if (ip->sender) {
		ijson_add_str(end, "sender_tcp_congestion", cc);
		if (ijson_get(ip->peer, "congestion_used"))
			ijson_add_str(end, "receiver_tcp_congestion",
				      ijson_get(ip->peer, "congestion_used")->str ?: cc);
	} else {
		if (ijson_get(ip->peer, "congestion_used"))
			ijson_add_str(end, "sender_tcp_congestion",
				      ijson_get(ip->peer, "congestion_used")->str ?: cc);
		ijson_add_str(end, "receiver_tcp_congestion", cc);
	}
}

void iperf_json_finish(struct iperf *ip, const char *error)
{
	char *s;

	if (!ip->jout) {
		iperf_json_begin(ip);
		if (!ip->jout)
			return;
	}
	if (error) {
		ijson_add_obj(ip->jout, "end");
		ijson_add_str(ip->jout, "error", error);
	} else {
		iperf_json_end(ip);
	}
	s = ijson_print(ip->jout, true);
	if (s)
		app_printf(ip->app, "%s\n", s);
	free(s);
	ijson_free(ip->jout);
	ip->jout = NULL;
	ip->jintervals = NULL;
}
