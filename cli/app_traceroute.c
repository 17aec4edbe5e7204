// SPDX-License-Identifier: MIT
/*
 * traceroute, as Debian's "modern" traceroute 2.1: UDP probes to port
 * 33434 and up (one port per probe) or, with -I, ICMP echo requests, with
 * TTL 1, 2, ... until the destination answers (port unreachable / echo
 * reply), an ICMP unreachable ends the trace (!H !N !P !X ...), or the
 * maximum TTL is reached. The probes of one hop are sent together; the hop's
 * line is printed when all have answered or the wait (-w) is over. Runs on
 * the namespace's owner worker through the app runner (cli/app.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timer.h"
#include "netns/proto/ip.h"
#include "netns/ipv4/route.h"
#include "netns/core/sock.h"
#include "app.h"
#include "cmd.h"

#define TR_MAX_PROBES 10   /* traceroute's limit for -q */
#define TR_MAX_TTL 255
#define TR_DEF_PORT 33434  /* DEF_UDP_PORT */
#define TR_DATALEN 32	   /* 60-byte packets: 20 IP + 8 UDP/ICMP + 32 */

struct tr_probe {
	uint64_t send_time, recv_time; /* recv_time 0: no answer */
	uint32_t addr;		       /* who answered, network order */
	uint16_t key;		       /* UDP destination port or echo sequence */
	bool done, final;
	char err_str[16];	       /* " !H" mark, without the space */
};

struct traceroute {
	struct app *app;
	struct netns *ns;
	struct sock *sk;
	struct timer wait_timer;
	uint32_t daddr;
	char dst[INET_ADDRSTRLEN];
	/* options */
	bool icmp, numeric;
	unsigned max_ttl, nqueries;
	uint64_t wait;
	uint16_t port; /* first UDP port or first echo sequence */
	/* the hop in flight */
	unsigned ttl, ndone;
	bool finished;
	struct tr_probe probes[TR_MAX_PROBES];
	uint8_t data[8 + TR_DATALEN];
};

static void tr_finish(struct traceroute *t, int status)
{
	t->finished = true;
	timer_del(&t->wait_timer);
	if (t->sk)
		sock_close(t->sk);
	t->sk = NULL;
	app_exit(t->app, status);
}

/* print_probe() for each probe of the hop: the address when it differs
 * from the previous answered probe's, the time, the mark. */
static void tr_print_hop(struct traceroute *t)
{
	char line[512], a[INET_ADDRSTRLEN];
	size_t n = 0;
	unsigned i;

	n += (size_t)snprintf(line + n, sizeof(line) - n, "%2u ", t->ttl);
	for (i = 0; i < t->nqueries; i++) {
		struct tr_probe *pb = &t->probes[i];

		if (!pb->addr) {
			n += (size_t)snprintf(line + n, sizeof(line) - n, " *");
		} else {
			bool prn = true;
			int j;

			for (j = (int)i - 1; j >= 0 && !t->probes[j].addr; j--)
				;
			if (j >= 0 && t->probes[j].addr == pb->addr)
				prn = false;
			if (prn) {
				inet_ntop(AF_INET, &pb->addr, a, sizeof(a));
				if (t->numeric)
					n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", a);
				else
					n += (size_t)snprintf(line + n, sizeof(line) - n, " %s (%s)",
							      a, a);
			}
		}
		if (pb->recv_time)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "  %.3f ms",
					      (double)(pb->recv_time - pb->send_time) / 1e6);
		if (pb->err_str[0])
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", pb->err_str);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
	}
	app_printf(t->app, "%s\n", line);
}

static void tr_send_hop(struct traceroute *t);

/* The hop is over (all answered, or the wait ran out): print it, then stop
 * at the destination / an unreachable, or go on with the next TTL. */
static void tr_hop_done(struct traceroute *t)
{
	bool end = false;
	unsigned i;

	timer_del(&t->wait_timer);
	tr_print_hop(t);
	for (i = 0; i < t->nqueries; i++)
		end |= t->probes[i].final;
	if (end || t->ttl >= t->max_ttl) {
		tr_finish(t, 0);
		return;
	}
	t->ttl++;
	tr_send_hop(t);
}

static void tr_wait_timer(struct timer *tm)
{
	tr_hop_done(container_of(tm, struct traceroute, wait_timer));
}

static void tr_send_hop(struct traceroute *t)
{
	uint64_t now = loop_now();
	unsigned i;

	memset(t->probes, 0, sizeof(t->probes));
	t->ndone = 0;
	sock_set_ttl(t->sk, (int)t->ttl);
	for (i = 0; i < t->nqueries; i++) {
		struct tr_probe *pb = &t->probes[i];
		unsigned idx = (t->ttl - 1) * t->nqueries + i;
		int rc;

		pb->key = (uint16_t)(t->port + idx);
		pb->send_time = loop_clock(); /* each probe its own stamp */
		if (t->icmp) {
			struct icmphdr *icmp = (struct icmphdr *)t->data;

			memset(icmp, 0, sizeof(*icmp));
			icmp->type = ICMP_ECHO;
			icmp->un.echo.sequence = htons(pb->key);
			rc = sock_sendto(t->sk, t->daddr, 0, t->data, sizeof(t->data));
		} else {
			rc = sock_sendto(t->sk, t->daddr, pb->key, t->data + 8, TR_DATALEN);
		}
		if (rc < 0) {
			/* traceroute: a send error is fatal ("send: ...") */
			app_printf(t->app, "\n");
			app_eprintf(t->app, "send: %s\n", strerror(-rc));
			tr_finish(t, 1);
			return;
		}
	}
	timer_mod(&t->wait_timer, now + t->wait);
}

static struct tr_probe *tr_find(struct traceroute *t, uint16_t key)
{
	unsigned i;

	for (i = 0; i < t->nqueries; i++)
		if (t->probes[i].key == key && !t->probes[i].done)
			return &t->probes[i];
	return NULL;
}

static void tr_probe_done(struct traceroute *t, struct tr_probe *pb, uint32_t from)
{
	pb->done = true;
	pb->addr = from;
	pb->recv_time = loop_clock();
	if (pb->recv_time == pb->send_time)
		pb->recv_time++; /* an answer within one tick still prints a time */
	/* All in: finish the hop from the timer, not from inside the socket
	 * callback (the next hop sends, the last one closes the socket). */
	if (++t->ndone == t->nqueries)
		timer_mod(&t->wait_timer, loop_now());
}

/* -I: an echo reply means the destination is reached. */
static void tr_rcv(struct sock *sk, struct pkt *p, void *ctx)
{
	struct traceroute *t = ctx;
	const struct icmphdr *icmp = (const struct icmphdr *)p->data;
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	struct tr_probe *pb;

	if (!t->finished && t->icmp && p->len >= 8 && icmp->type == ICMP_ECHOREPLY &&
	    (pb = tr_find(t, ntohs(icmp->un.echo.sequence)))) {
		uint32_t from = iph->saddr;

		pkt_consume(p);
		pb->final = true;
		tr_probe_done(t, pb, from);
		return;
	}
	pkt_consume(p);
}

/* The marks of traceroute's parse_icmp_res() for dest-unreachable codes. */
static void tr_unreach_mark(struct tr_probe *pb, uint8_t code, uint32_t info)
{
	switch (code) {
	case ICMP_NET_UNREACH:
	case ICMP_NET_UNKNOWN:
	case 8:	 /* host isolated */
	case 11: /* net unreachable for TOS */
		strcpy(pb->err_str, "!N");
		break;
	case ICMP_HOST_UNREACH:
	case ICMP_HOST_UNKNOWN:
	case 12: /* host unreachable for TOS */
		strcpy(pb->err_str, "!H");
		break;
	case 9:	 /* net prohibited */
	case 10: /* host prohibited */
	case ICMP_PKT_FILTERED:
		strcpy(pb->err_str, "!X");
		break;
	case ICMP_PORT_UNREACH:
		break; /* the destination answered: no mark */
	case ICMP_PROT_UNREACH:
		strcpy(pb->err_str, "!P");
		break;
	case ICMP_FRAG_NEEDED:
		snprintf(pb->err_str, sizeof(pb->err_str), "!F-%u", info);
		break;
	case ICMP_SR_FAILED:
		strcpy(pb->err_str, "!S");
		break;
	case 14:
		strcpy(pb->err_str, "!V");
		break;
	case 15:
		strcpy(pb->err_str, "!C");
		break;
	default:
		snprintf(pb->err_str, sizeof(pb->err_str), "!<%u>", code);
		break;
	}
}

static void tr_err(struct sock *sk, const struct sock_err *e, void *ctx)
{
	struct traceroute *t = ctx;
	struct tr_probe *pb;

	if (t->finished || e->daddr != t->daddr || !(pb = tr_find(t, e->dport)))
		return;
	if (e->type == ICMP_DEST_UNREACH) {
		/* any unreachable ends the trace after this hop */
		tr_unreach_mark(pb, e->code, e->info);
		pb->final = true;
	} else if (e->type != ICMP_TIME_EXCEEDED) {
		return;
	}
	tr_probe_done(t, pb, e->offender);
}

static void tr_gone(struct sock *sk, void *ctx)
{
	struct traceroute *t = ctx;

	t->sk = NULL;
	if (t->finished)
		return;
	app_eprintf(t->app, "traceroute: network namespace %s was deleted\n", t->ns->name);
	tr_finish(t, 2);
}

static const struct sock_ops tr_sock_ops = {
	.rcv = tr_rcv,
	.err = tr_err,
	.gone = tr_gone,
};

static void tr_start(struct app *a, struct netns *ns)
{
	struct traceroute *t = app_priv(a);
	struct rtable rt;
	unsigned i;
	int err;

	t->app = a;
	t->ns = ns;
	timer_init(&t->wait_timer, tr_wait_timer);
	app_printf(a, "traceroute to %s (%s), %u hops max, %u byte packets\n", t->dst, t->dst,
		   t->max_ttl, 20 + 8 + TR_DATALEN);
	/* traceroute connect()s its socket: no usable route fails here */
	err = ip_route_output(ns, t->daddr, 0, 0, &rt);
	if (err) {
		app_eprintf(a, "connect: %s\n", strerror(-err));
		app_exit(a, 1);
		return;
	}
	t->sk = sock_open(ns, t->icmp ? IPPROTO_ICMP : IPPROTO_UDP, &tr_sock_ops, t);
	if (!t->sk) {
		app_eprintf(a, "socket: %s\n", strerror(ENOMEM));
		app_exit(a, 1);
		return;
	}
	/* traceroute's payload: 0x40, 0x41, ... */
	for (i = 0; i < TR_DATALEN; i++)
		t->data[8 + i] = (uint8_t)(0x40 + i);
	t->ttl = 1;
	tr_send_hop(t);
}

static void tr_stop(struct app *a)
{
	struct traceroute *t = app_priv(a);

	/* Ctrl-C: the hop line in progress is left unfinished, as the tool. */
	app_printf(a, "\n");
	tr_finish(t, 1);
}

static const struct app_ops tr_app_ops = {
	.name = "traceroute",
	.start = tr_start,
	.stop = tr_stop,
};

static void tr_usage(struct cli_ctx *c)
{
	fprintf(c->err, "Usage:\n  traceroute [ -In ] [ -N squeries ] [ -m max_ttl ] [ -p port ] [ -w wait ] "
			"[ -q nqueries ] host\n");
}

static int tr_parse(struct cli_ctx *c, struct traceroute *t, int argc, char **argv)
{
	struct app_opt o;
	int opt;

	app_opt_init(&o, "traceroute", APP_OPT_TRACEROUTE, c->err, argc, argv);
	while ((opt = app_opt_next(&o, "InTN:m:q:w:p:")) != -1) {
		long long v;
		double d;

		switch (opt) {
		case 'I':
			t->icmp = true;
			break;
		case 'n':
			t->numeric = true;
			break;
		case 'T':
			/* TCP SYN probes need TCP in the stack: refused, not
			 * silently replaced by UDP probes. */
			fprintf(c->err, "traceroute: -T (TCP SYN probes) is not supported yet\n");
			return 2;
		case 'N':
			/* Probes in flight at once: the probes of one hop always
			 * go together here, so only the value is checked. */
			if (app_opt_num(&o, 1, 1000000, &v))
				return 2;
			break;
		case 'm':
			if (app_opt_num(&o, 0, 1000000, &v))
				return 2;
			if (v > TR_MAX_TTL) {
				fprintf(c->err, "max hops cannot be more than %d\n", TR_MAX_TTL);
				return 2;
			}
			if (v < 1) {
				fprintf(c->err, "first hop out of range\n");
				return 2;
			}
			t->max_ttl = (unsigned)v;
			break;
		case 'q':
			if (app_opt_num(&o, 0, 1000000, &v))
				return 2;
			if (v < 1 || v > TR_MAX_PROBES) {
				fprintf(c->err, "no more than %d probes per hop\n", TR_MAX_PROBES);
				return 2;
			}
			t->nqueries = (unsigned)v;
			break;
		case 'w':
			if (app_parse_seconds(o.arg, &d) || d < 0 || d > 86400) {
				fprintf(c->err, "bad wait specifications `%s' used\n", o.arg);
				return 2;
			}
			t->wait = (uint64_t)(d * 1e9 + 0.5);
			if (!t->wait)
				t->wait = TIMER_TICK_NS;
			break;
		case 'p':
			if (app_opt_num(&o, 0, 65535, &v))
				return 2;
			t->port = (uint16_t)v;
			break;
		default:
			return 2;
		}
	}
	if (!o.npos) {
		tr_usage(c);
		return 2;
	}
	if (o.npos > 2) {
		fprintf(c->err, "Extra arg `%s' (position %d, argc %d)\n", o.pos[2], 3, argc - 1);
		return 2;
	}
	if (inet_pton(AF_INET, o.pos[0], &t->daddr) != 1) {
		fprintf(c->err, "%s: Name or service not known\n", o.pos[0]);
		fprintf(c->err, "Cannot handle \"host\" cmdline arg `%s' on position 1 (argc %d)\n",
			o.pos[0], argc - 1);
		return 2;
	}
	inet_ntop(AF_INET, &t->daddr, t->dst, sizeof(t->dst));
	return 0;
}

/* Build a traceroute app from its command line (not started). */
struct app *traceroute_app_create(struct cli_ctx *c, int argc, char **argv, int *status)
{
	struct traceroute *t = calloc(1, sizeof(*t));
	struct app *a;

	*status = 2;
	if (!t) {
		fprintf(c->err, "traceroute: %s\n", strerror(ENOMEM));
		return NULL;
	}
	t->max_ttl = 30;
	t->nqueries = 3;
	t->wait = 5 * NSEC_PER_SEC;
	t->port = TR_DEF_PORT;
	*status = tr_parse(c, t, argc, argv);
	if (*status) {
		free(t);
		return NULL;
	}
	/* -I: the echo sequence starts at 1 unless -p says otherwise */
	if (t->icmp && t->port == TR_DEF_PORT)
		t->port = 1;
	a = app_create(&tr_app_ops, t);
	if (!a) {
		fprintf(c->err, "traceroute: %s\n", strerror(ENOMEM));
		*status = 2;
		free(t);
	}
	return a;
}

int cmd_traceroute(struct cli_ctx *c, int argc, char **argv)
{
	int status;
	struct app *a = traceroute_app_create(c, argc, argv, &status);

	return a ? app_run(c, a) : status;
}
