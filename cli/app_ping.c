// SPDX-License-Identifier: MIT
/*
 * ping, as iputils' ping over a ping socket (SOCK_DGRAM, IPPROTO_ICMP):
 * same options (-b -c -f -s -t -i -W -w -q -M), same output lines,
 * statistics and exit status (0 if any reply, 1 if none, 2 on other
 * errors). The CLI acts as root in its namespaces, so -f and intervals
 * below iputils' 2 ms user minimum are allowed. The state
 * machine runs on the namespace's owner worker (cli/app.h): a timer sends
 * one echo request per interval, replies and ICMP errors arrive through the
 * socket's callbacks, and the summary is printed when the count is reached,
 * the wait after the last request ends, the deadline passes, or the user
 * presses Ctrl-C. As iputils carries a struct timeval in the payload, the
 * request carries its send time (loop_clock(), read as it is sent) and the
 * RTT is computed from the copy the reply brings back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timer.h"
#include "netns/core/dev.h"
#include "netns/proto/ip.h"
#include "netns/ipv4/route.h"
#include "netns/core/sock.h"
#include "app.h"
#include "cmd.h"

#define PING_MAXWAIT_NS (10 * NSEC_PER_SEC) /* iputils MAXWAIT: default -W */
#define PING_MAX_DUP_CHK 0x10000	     /* sequence numbers tracked for (DUP!) */
#define PING_TSTAMP_LEN 16		     /* sizeof(struct timeval) on LP64 */
#define PING_MAX_DATALEN (65535 - 20 - 8)
#define PING_MININTERVAL_NS (10 * NSEC_PER_MSEC) /* iputils MININTERVAL: -f's resend */

struct ping {
	struct app *app;
	struct netns *ns;
	struct sock *sk;
	struct timer tx_timer;	     /* next echo request */
	struct timer exit_timer;     /* wait after the last request */
	struct timer deadline_timer; /* -w */
	uint32_t daddr;
	char dst[INET_ADDRSTRLEN];

	/* options */
	long npackets; /* -c, 0 = until stopped */
	unsigned datalen;
	int ttl;       /* -t, 0 = default */
	int pmtudisc;  /* -1 default, 0 dont, 1 do */
	char device[IFNAMSIZ]; /* -I NAME: SO_BINDTODEVICE ("" none) */
	uint32_t source;       /* -I ADDR: bound source (0 none) */
	bool quiet;
	bool broadcast; /* -b */
	bool flood;	/* -f */
	bool opt_interval;
	uint64_t interval, linger, deadline; /* ns */

	/* statistics, as iputils' struct ping_rts (times in microseconds) */
	long ntransmitted, nreceived, nrepeats, nerrors;
	long tmin, tmax;
	long long tsum, tsum2;
	long rtt;     /* moving average RTT x 8 (iputils' ewma) */
	int pipesize; /* most requests seen in flight */
	uint64_t start_time, cur_time;
	bool exiting; /* the exit condition is met: take no more replies */
	bool finished;
	uint8_t rcvd_tbl[PING_MAX_DUP_CHK / 8];
	uint8_t outpack[8 + PING_MAX_DATALEN];
};

static void ping_finish(struct ping *p, bool gone);

static bool ping_rcvd_test_and_set(struct ping *p, uint16_t seq)
{
	unsigned bit = seq % PING_MAX_DUP_CHK;
	uint8_t mask = (uint8_t)(1u << (bit & 7));
	bool was = p->rcvd_tbl[bit >> 3] & mask;

	p->rcvd_tbl[bit >> 3] |= mask;
	return was;
}

/* iputils' exit test, run after every reply or error: the count is
 * complete when replies plus errors reach it; with -w the first error
 * ends the run. The summary is printed from the exit timer, due now:
 * never from inside a socket callback, which must not close its socket. */
static void ping_check_done(struct ping *p)
{
	if (p->exiting)
		return;
	if ((p->npackets && p->nreceived + p->nerrors >= p->npackets) ||
	    (p->deadline && p->nerrors)) {
		p->exiting = true;
		timer_del(&p->tx_timer);
		timer_mod(&p->exit_timer, loop_now());
	}
}

/* iputils' schedule_exit(): after the last request, wait twice the
 * longest RTT (at least one interval) if anything came back, else the
 * linger time (-W, default 10 s). */
static void ping_schedule_exit(struct ping *p)
{
	uint64_t wait;

	if (p->deadline)
		return;
	if (p->nreceived) {
		wait = 2 * (uint64_t)p->tmax * 1000;
		if (wait < p->interval)
			wait = p->interval;
	} else {
		wait = p->linger;
	}
	timer_mod(&p->exit_timer, loop_now() + wait);
}

static void ping_send(struct ping *p)
{
	struct icmphdr *icmp = (struct icmphdr *)p->outpack;
	uint16_t seq = (uint16_t)(p->ntransmitted + 1);
	uint64_t now = loop_clock(); /* the request's time stamp */
	int rc;

	icmp->type = ICMP_ECHO;
	icmp->code = 0;
	icmp->checksum = 0;
	icmp->un.echo.id = 0; /* the ping socket puts its own id here */
	icmp->un.echo.sequence = htons(seq);
	if (p->datalen >= PING_TSTAMP_LEN) {
		memcpy(p->outpack + 8, &now, sizeof(now));
		memset(p->outpack + 8 + sizeof(now), 0, PING_TSTAMP_LEN - sizeof(now));
	}
	p->cur_time = now;
	rc = sock_sendto(p->sk, p->daddr, 0, p->outpack, 8 + p->datalen);
	p->ntransmitted++;
	if (rc >= 0) {
		if (p->flood && !p->quiet)
			app_printf(p->app, ".");
		return;
	}
	/*
	 * A hard local error counts as transmitted, as iputils' pinger
	 * ("Pretend we sent packet"). EMSGSIZE (DF and too big for the
	 * route's MTU) is reported from the error queue as a local error and
	 * counts as an error.
	 */
	if (rc == -EMSGSIZE) {
		struct rtable rt;
		unsigned mtu = 0;

		if (!ip_route_output(p->ns, p->daddr, 0, 0, &rt))
			mtu = rt.mtu ? rt.mtu : (rt.dev ? rt.dev->mtu : 0);
		p->nerrors++;
		if (p->quiet)
			return;
		if (p->flood)
			app_printf(p->app, "E");
		else
			app_eprintf(p->app, "ping: local error: message too long, mtu=%u\n", mtu);
	} else if (!p->quiet) {
		if (p->flood)
			app_printf(p->app, "E");
		else
			app_eprintf(p->app, "ping: sendmsg: %s\n", strerror(-rc));
	}
}

static void ping_tx_timer(struct timer *t)
{
	struct ping *p = container_of(t, struct ping, tx_timer);

	ping_send(p);
	ping_check_done(p);
	if (p->exiting)
		return;
	if (p->npackets && p->ntransmitted >= p->npackets)
		ping_schedule_exit(p);
	else if (p->interval)
		timer_mod(&p->tx_timer, loop_now() + p->interval);
	else /* as fast as replies come back, at least every MININTERVAL */
		timer_mod(&p->tx_timer, loop_now() + PING_MININTERVAL_NS);
}

/* iputils' acknowledge(): the pipe is how far the reply trails the last
 * request sent. */
static void ping_acknowledge(struct ping *p, uint16_t seq)
{
	uint16_t diff = (uint16_t)((uint16_t)p->ntransmitted - seq);

	if (diff <= 0x7fff && (int)diff + 1 > p->pipesize)
		p->pipesize = (int)diff + 1;
}

static void ping_exit_timer(struct timer *t)
{
	ping_finish(container_of(t, struct ping, exit_timer), false);
}

static void ping_deadline_timer(struct timer *t)
{
	ping_finish(container_of(t, struct ping, deadline_timer), false);
}

/* iputils prints the RTT with 3 significant decimals at most. */
static void ping_fmt_time(char *buf, size_t len, long us)
{
	if (us >= 100000 - 50)
		snprintf(buf, len, " time=%ld ms", (us + 500) / 1000);
	else if (us >= 10000 - 5)
		snprintf(buf, len, " time=%ld.%01ld ms", (us + 50) / 1000, ((us + 50) % 1000) / 100);
	else if (us >= 1000)
		snprintf(buf, len, " time=%ld.%02ld ms", (us + 5) / 1000, ((us + 5) % 1000) / 10);
	else
		snprintf(buf, len, " time=%ld.%03ld ms", us / 1000, us % 1000);
}

/* Interval 0 (-f, -i 0): the next request goes as soon as an answer (a
 * reply or an ICMP error) is in, as iputils' loop sends whenever it wakes. */
static void ping_send_on_answer(struct ping *p)
{
	if (!p->interval && !p->exiting && (!p->npackets || p->ntransmitted < p->npackets))
		timer_mod(&p->tx_timer, loop_now());
}

static void ping_rcv(struct sock *sk, struct pkt *pk, void *ctx)
{
	struct ping *p = ctx;
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(pk);
	const struct icmphdr *icmp = (const struct icmphdr *)pk->data;
	char from[INET_ADDRSTRLEN], tbuf[32] = "";
	bool timing = p->datalen >= PING_TSTAMP_LEN;
	unsigned cc = pk->len;
	uint16_t seq;
	long triptime = 0;
	bool dup;

	if (p->exiting || cc < 8 || icmp->type != ICMP_ECHOREPLY) {
		pkt_consume(pk);
		return;
	}
	seq = ntohs(icmp->un.echo.sequence);
	p->nreceived++;
	ping_acknowledge(p, seq);
	if (timing && cc >= 8 + PING_TSTAMP_LEN) {
		uint64_t sent;

		memcpy(&sent, pk->data + 8, sizeof(sent));
		triptime = (long)((loop_clock() - sent) / 1000);
		if (triptime < 0)
			triptime = 0;
		p->tsum += triptime;
		p->tsum2 += (long long)triptime * triptime;
		if (triptime < p->tmin)
			p->tmin = triptime;
		if (triptime > p->tmax)
			p->tmax = triptime;
		if (!p->rtt)
			p->rtt = triptime * 8;
		else
			p->rtt += triptime - p->rtt / 8;
	}
	dup = ping_rcvd_test_and_set(p, seq);
	if (dup) {
		p->nrepeats++;
		p->nreceived--;
	}
	inet_ntop(AF_INET, &iph->saddr, from, sizeof(from));
	if (p->flood && !p->quiet) {
		app_printf(p->app, "\b \b");
	} else if (!p->quiet) {
		if (cc < p->datalen + 8) {
			app_printf(p->app, "%u bytes from %s: icmp_seq=%u ttl=%u (truncated)\n", cc,
				   from, seq, iph->ttl);
		} else {
			if (timing)
				ping_fmt_time(tbuf, sizeof(tbuf), triptime);
			app_printf(p->app, "%u bytes from %s: icmp_seq=%u ttl=%u%s%s\n", cc, from,
				   seq, iph->ttl, tbuf, dup ? " (DUP!)" : "");
		}
	}
	pkt_consume(pk);
	ping_check_done(p);
	ping_send_on_answer(p);
}

/* The text iputils' pr_icmph() prints for an ICMP error. */
static void ping_icmp_text(char *buf, size_t len, uint8_t type, uint8_t code, uint32_t info)
{
	static const char *const unreach[] = {
		"Destination Net Unreachable",
		"Destination Host Unreachable",
		"Destination Protocol Unreachable",
		"Destination Port Unreachable",
		NULL, /* frag needed: carries the MTU */
		"Source Route Failed",
		"Destination Net Unknown",
		"Destination Host Unknown",
		"Source Host Isolated",
		"Destination Net Prohibited",
		"Destination Host Prohibited",
		"Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service",
		"Packet filtered",
		"Precedence Violation",
		"Precedence Cutoff",
	};

	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code == ICMP_FRAG_NEEDED)
			snprintf(buf, len, "Frag needed and DF set (mtu = %u)", info);
		else if (code < ARRAY_SIZE(unreach))
			snprintf(buf, len, "%s", unreach[code]);
		else
			snprintf(buf, len, "Dest Unreachable, Bad Code: %u", code);
		break;
	case ICMP_TIME_EXCEEDED:
		if (code == ICMP_EXC_TTL)
			snprintf(buf, len, "Time to live exceeded");
		else if (code == ICMP_EXC_FRAGTIME)
			snprintf(buf, len, "Frag reassembly time exceeded");
		else
			snprintf(buf, len, "Time exceeded, Bad Code: %u", code);
		break;
	case ICMP_SOURCE_QUENCH:
		snprintf(buf, len, "Source Quench");
		break;
	case ICMP_PARAMETERPROB:
		snprintf(buf, len, "Parameter problem: pointer = %u", info);
		break;
	default:
		snprintf(buf, len, "Bad ICMP type: %u", type);
		break;
	}
}

/* An ICMP error about one of our requests (IP_RECVERR, SO_EE_ORIGIN_ICMP):
 * iputils counts it as an error and prints "From <offender> icmp_seq=N". */
static void ping_err(struct sock *sk, const struct sock_err *e, void *ctx)
{
	struct ping *p = ctx;
	char from[INET_ADDRSTRLEN], text[64];

	/* Not about our target: "not our error, not an error at all". */
	if (p->exiting || e->daddr != p->daddr)
		return;
	if (e->type == ICMP_REDIRECT) {
		/* iputils (raw socket, ping4_parse_reply): a redirect is shown,
		 * "From X: icmp_seq=N Redirect Host(New nexthop: G)", but is
		 * no error and answers nothing */
		static const char *const redir[] = {
			"Redirect Network",
			"Redirect Host",
			"Redirect Type of Service and Network",
			"Redirect Type of Service and Host",
		};
		uint32_t gw = htonl(e->info);
		char nh[INET_ADDRSTRLEN];

		if (p->quiet || p->flood)
			return;
		inet_ntop(AF_INET, &e->offender, from, sizeof(from));
		inet_ntop(AF_INET, &gw, nh, sizeof(nh));
		if (e->code < ARRAY_SIZE(redir))
			snprintf(text, sizeof(text), "%s", redir[e->code]);
		else
			snprintf(text, sizeof(text), "Redirect, Bad Code: %u", e->code);
		app_printf(p->app, "From %s: icmp_seq=%u %s(New nexthop: %s)\n", from, e->dport,
			   text, nh);
		return;
	}
	p->nerrors++;
	if (p->flood && !p->quiet) {
		app_printf(p->app, "\bE");
	} else if (!p->quiet) {
		inet_ntop(AF_INET, &e->offender, from, sizeof(from));
		ping_icmp_text(text, sizeof(text), e->type, e->code, e->info);
		app_printf(p->app, "From %s icmp_seq=%u %s\n", from, e->dport, text);
	}
	ping_check_done(p);
	ping_send_on_answer(p);
}

/* The namespace is being deleted: sock.c frees the socket after this. */
static void ping_gone(struct sock *sk, void *ctx)
{
	struct ping *p = ctx;

	p->sk = NULL;
	if (p->finished)
		return;
	app_eprintf(p->app, "ping: network namespace %s was deleted\n", p->ns->name);
	ping_finish(p, true);
}

static const struct sock_ops ping_sock_ops = {
	.rcv = ping_rcv,
	.err = ping_err,
	.gone = ping_gone,
};

/* iputils' finish(): the statistics block and the exit status. */
static void ping_finish(struct ping *p, bool gone)
{
	long long ms = (long long)((p->cur_time - p->start_time + 500000) / 1000000);
	char line[256];
	int n, status;

	p->finished = p->exiting = true;
	timer_del(&p->tx_timer);
	timer_del(&p->exit_timer);
	timer_del(&p->deadline_timer);
	if (p->sk)
		sock_close(p->sk);
	p->sk = NULL;

	n = snprintf(line, sizeof(line), "%ld packets transmitted, %ld received", p->ntransmitted,
		     p->nreceived);
	if (p->nrepeats)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", +%ld duplicates", p->nrepeats);
	if (p->nerrors)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", +%ld errors", p->nerrors);
	if (p->ntransmitted)
		snprintf(line + n, sizeof(line) - (size_t)n, ", %g%% packet loss, time %lldms",
			 (float)((p->ntransmitted - p->nreceived) * 100.0 / p->ntransmitted), ms);
	app_printf(p->app, "\n--- %s ping statistics ---\n%s\n", p->dst, line);
	if (p->nreceived && p->datalen >= PING_TSTAMP_LEN) {
		long total = p->nreceived + p->nrepeats;
		long tmavg = (long)(p->tsum / total);
		long long tmvar = (p->tsum2 - (p->tsum * p->tsum) / total) / total;
		long tmdev = app_llsqrt(tmvar);

		app_printf(p->app, "rtt min/avg/max/mdev = %ld.%03ld/%ld.%03ld/%ld.%03ld/%ld.%03ld ms",
			   p->tmin / 1000, p->tmin % 1000, tmavg / 1000, tmavg % 1000,
			   p->tmax / 1000, p->tmax % 1000, tmdev / 1000, tmdev % 1000);
	}
	if (p->pipesize > 1)
		app_printf(p->app, ", pipe %d", p->pipesize);
	if (p->ntransmitted > 1 && p->nreceived && (!p->interval || p->flood)) {
		long ipg = (long)((p->cur_time - p->start_time) / 1000 / (uint64_t)(p->ntransmitted - 1));

		app_printf(p->app, ", ipg/ewma %ld.%03ld/%ld.%03ld ms", ipg / 1000, ipg % 1000,
			   p->rtt / 8000, (p->rtt / 8) % 1000);
	}
	app_printf(p->app, "\n");
	status = (!p->nreceived || (p->deadline && p->nreceived < p->npackets)) ? 1 : 0;
	if (gone)
		status = 2;
	app_exit(p->app, status);
}

/* Is @addr one of @dev's own addresses? */
static bool ping_dev_has_addr(const struct netdev *dev, uint32_t addr)
{
	for (const struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next)
		if (ifa->local == addr)
			return true;
	return false;
}

static void ping_start(struct app *a, struct netns *ns)
{
	struct ping *p = app_priv(a);
	struct netdev *dev = NULL;
	struct rtable rt;
	uint32_t src;
	unsigned i;
	bool bcast;
	int err;

	p->app = a;
	p->ns = ns;
	timer_init(&p->tx_timer, ping_tx_timer);
	timer_init(&p->exit_timer, ping_exit_timer);
	timer_init(&p->deadline_timer, ping_deadline_timer);
	/* -I NAME: SO_BINDTODEVICE on the probe, which fails first */
	if (p->device[0]) {
		dev = dev_get_by_name(ns, p->device);
		if (!dev) {
			app_eprintf(a, "ping: SO_BINDTODEVICE %s: %s\n", p->device, strerror(ENODEV));
			app_exit(a, 2);
			return;
		}
	}
	/* iputils connect()s a probe socket first to learn the source: a
	 * destination without a usable route fails here, before "PING".
	 * Bound to a VRF, the route is looked up in its table. */
	err = ip_route_output(ns, p->daddr, p->source, dev ? dev->ifindex : 0, &rt);
	if (err == -EACCES) {
		app_eprintf(a, "ping: Do you want to ping broadcast? Then -b. If not, check your "
			       "local firewall rules\n");
		app_exit(a, 2);
		return;
	}
	if (err) {
		app_eprintf(a, "ping: connect: %s\n", strerror(-err));
		app_exit(a, 2);
		return;
	}
	/* connect() to a broadcast address without SO_BROADCAST: EACCES */
	bcast = ipv4_is_lbcast(p->daddr) || rt.type == RTN_BROADCAST;
	if (bcast && !p->broadcast) {
		app_eprintf(a, "ping: Do you want to ping broadcast? Then -b. If not, check your "
			       "local firewall rules\n");
		app_exit(a, 2);
		return;
	}
	if (bcast)
		app_eprintf(a, "WARNING: pinging broadcast address\n");
	src = p->source ? p->source : rt.src;
	/* iputils looks for the source among the device's own addresses (a
	 * VRF has none: its ports have them) */
	if (dev && !ping_dev_has_addr(dev, src))
		app_eprintf(a, "ping: Warning: source address might be selected on device other "
			       "than: %s\n", p->device);
	p->sk = sock_open(ns, IPPROTO_ICMP, &ping_sock_ops, p);
	if (!p->sk) {
		app_eprintf(a, "ping: socket: %s\n", strerror(ENOMEM));
		app_exit(a, 2);
		return;
	}
	if (p->source && (err = sock_bind(p->sk, p->source, 0))) {
		app_eprintf(a, "ping: bind: %s\n", strerror(-err));
		app_exit(a, 2);
		return;
	}
	if (dev)
		sock_setsockopt(p->sk, SOL_SOCKET, SO_BINDTODEVICE, p->device,
				(unsigned)strlen(p->device) + 1);
	if (p->ttl)
		sock_set_ttl(p->sk, p->ttl);
	sock_set_broadcast(p->sk, p->broadcast);
	if (p->pmtudisc >= 0)
		sock_set_df(p->sk, p->pmtudisc == 1);
	/* iputils' fill pattern: byte i of the data is i, the timestamp over
	 * the first 16 bytes. */
	for (i = 0; i < p->datalen; i++)
		p->outpack[8 + i] = (uint8_t)i;
	p->tmin = __LONG_MAX__;
	app_printf(a, "PING %s (%s) ", p->dst, p->dst);
	if (dev || p->source) {
		char from[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &src, from, sizeof(from));
		app_printf(a, "from %s %s: ", from, p->device);
	}
	app_printf(a, "%u(%u) bytes of data.\n", p->datalen, p->datalen + 8 + 20);
	p->start_time = p->cur_time = loop_clock();
	if (p->deadline)
		timer_mod(&p->deadline_timer, p->start_time + p->deadline);
	ping_tx_timer(&p->tx_timer);
}

static void ping_stop(struct app *a)
{
	ping_finish(app_priv(a), false);
}

static const struct app_ops ping_app_ops = {
	.name = "ping",
	.start = ping_start,
	.stop = ping_stop,
};

static void ping_usage(struct cli_ctx *c)
{
	fprintf(c->err, "\nUsage\n  ping [options] <destination>\n\nOptions:\n"
			"  <destination>      ip address\n"
			"  -b                 allow pinging broadcast\n"
			"  -c <count>         stop after <count> replies\n"
			"  -f                 flood ping\n"
			"  -i <interval>      seconds between sending each packet\n"
			"  -I <interface>     either interface name or address\n"
			"  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>\n"
			"  -q                 quiet output\n"
			"  -s <size>          use <size> as number of data bytes to be sent\n"
			"  -t <ttl>           define time to live\n"
			"  -w <deadline>      reply wait <deadline> in seconds\n"
			"  -W <timeout>       time to wait for response\n");
}

/* Parse the command line the way iputils does, with its messages and exit
 * codes (1 for out-of-range numbers, 2 for other usage errors). */
static int ping_parse(struct cli_ctx *c, struct ping *p, int argc, char **argv)
{
	struct app_opt o;
	const char *dest = NULL;
	int opt;

	app_opt_init(&o, "ping", APP_OPT_IPUTILS, c->err, argc, argv);
	while ((opt = app_opt_next(&o, "bfqnc:s:t:i:I:W:w:M:")) != -1) {
		long long v;
		double d;

		switch (opt) {
		case 'b':
			p->broadcast = true;
			break;
		case 'f':
			p->flood = true;
			break;
		case 'q':
			p->quiet = true;
			break;
		case 'n': /* addresses are never resolved */
			break;
		case 'c':
			if (app_opt_num(&o, 1, 9223372036854775807LL, &v))
				return 1;
			p->npackets = (long)v;
			break;
		case 's':
			if (app_opt_num(&o, 0, 2147483647LL, &v))
				return 1;
			if (v > PING_MAX_DATALEN) {
				fprintf(c->err, "ping: packet size %lld is too large. Maximum is %d\n",
					v, PING_MAX_DATALEN);
				return 2;
			}
			p->datalen = (unsigned)v;
			break;
		case 't':
			if (app_opt_num(&o, 0, 255, &v))
				return 1;
			p->ttl = (int)v;
			break;
		case 'i':
			/* whole milliseconds, as iputils keeps it; no 2 ms user
			 * minimum: the CLI is root in its namespaces */
			if (app_parse_seconds(o.arg, &d) || d < 0 || d > 2147483.0) {
				fprintf(c->err, "ping: bad timing interval: %s\n", o.arg);
				return 2;
			}
			p->interval = (uint64_t)(d * 1000) * NSEC_PER_MSEC;
			p->opt_interval = true;
			break;
		case 'I':
			/* an address binds the source, anything else names the
			 * device to bind to (iputils: inet_pton first) */
			if (inet_pton(AF_INET, o.arg, &p->source) != 1) {
				p->source = 0;
				snprintf(p->device, sizeof(p->device), "%s", o.arg);
			}
			break;
		case 'W':
			if (app_parse_seconds(o.arg, &d) || d < 0 || d > 2147483.0) {
				fprintf(c->err, "ping: bad linger time: %s\n", o.arg);
				return 2;
			}
			p->linger = (uint64_t)(d * 1e9 + 0.5);
			break;
		case 'w':
			if (app_opt_num(&o, 0, 2147483647LL, &v))
				return 1;
			p->deadline = (uint64_t)v * NSEC_PER_SEC;
			break;
		case 'M':
			if (!strcmp(o.arg, "do"))
				p->pmtudisc = 1;
			else if (!strcmp(o.arg, "dont"))
				p->pmtudisc = 0;
			else if (!strcmp(o.arg, "want"))
				p->pmtudisc = -1;
			else {
				fprintf(c->err, "ping: invalid -M argument: %s\n", o.arg);
				return 2;
			}
			break;
		default:
			ping_usage(c);
			return 2;
		}
	}
	/* iputils' setup(): -f without -i sends as fast as replies come */
	if (p->flood && !p->opt_interval)
		p->interval = 0;
	if (!o.npos) {
		fprintf(c->err, "ping: usage error: Destination address required\n");
		return 1;
	}
	if (o.npos > 1) {
		/* iputils takes extra arguments as source-route hops: not here.
		 * (o.pos keeps only APP_OPT_MAXPOS of them: never index it by
		 * npos.) */
		fprintf(c->err, "ping: usage error: Only one destination address is supported\n");
		return 2;
	}
	dest = o.pos[0];
	if (inet_pton(AF_INET, dest, &p->daddr) != 1) {
		fprintf(c->err, "ping: %s: Name or service not known\n", dest);
		return 2;
	}
	inet_ntop(AF_INET, &p->daddr, p->dst, sizeof(p->dst));
	return 0;
}

/* Build a ping app from its command line (not started). */
struct app *ping_app_create(struct cli_ctx *c, int argc, char **argv, int *status)
{
	struct ping *p = calloc(1, sizeof(*p));
	struct app *a;

	*status = 2;
	if (!p) {
		fprintf(c->err, "ping: %s\n", strerror(ENOMEM));
		return NULL;
	}
	p->datalen = 56;
	p->pmtudisc = -1;
	p->interval = NSEC_PER_SEC;
	p->linger = PING_MAXWAIT_NS;
	*status = ping_parse(c, p, argc, argv);
	if (*status) {
		free(p);
		return NULL;
	}
	a = app_create(&ping_app_ops, p);
	if (!a) {
		fprintf(c->err, "ping: %s\n", strerror(ENOMEM));
		*status = 2;
		free(p);
	}
	return a;
}

int cmd_ping(struct cli_ctx *c, int argc, char **argv)
{
	int status;
	struct app *a = ping_app_create(c, argc, argv, &status);

	return a ? app_run(c, a) : status;
}
