// SPDX-License-Identifier: MIT
/*
 * `bench fwd`: forwarding throughput. It builds a chain of fresh namespaces
 * src - r1 - ... - rN - dst (spread over T workers in contiguous runs, so
 * a chain split across threads crosses each worker boundary once), or uses
 * a topology the user loads (--topology FILE --from NS --to ADDR). A
 * generator in src works like the kernel's pktgen: it prebuilds one
 * Ethernet/IPv4/UDP frame per flow (flows differ in their source port),
 * and each run copies a burst of them into pool buffers and hands them
 * straight to the output device's transmit path (dev_queue_xmit), with no
 * routing, socket or neighbour lookup of its own. An absorber in dst is a
 * UDP socket bound to the discard port: packets reach it after the full
 * receive path (dev_rx, ip_rcv, ip_route_input, ip_local_deliver, udp_rcv),
 * and it counts them, reads the hop count from the TTL and, with --rate,
 * the send timestamp carried in the payload (one-way latency).
 *
 * The generator keeps at most FWD_WINDOW packets in flight (sent and not
 * yet absorbed), clocked by the absorber like a TCP window: on a chain
 * split across workers the generator's worker would otherwise outrun the
 * next one and flood the veth ring between them, and the bench would
 * measure RING_FULL drops instead of forwarding. The window is smaller
 * than a veth ring and the backlog, so neither overflows on a clean path.
 * The absorber publishes its count in a shared struct fwd_flow (the one
 * thing both workers touch, bench only) and wakes the generator's task
 * once the window has room for a burst; packets dropped on the way are
 * written off after FWD_STALL_NS without progress, so a lossy topology
 * slows the generator down but never stops it.
 *
 * --no-window switches the window off, for overload: the generator no
 * longer waits for the absorber. Without --rate it sends a burst per run
 * as fast as its worker lets it (on a chain split across workers, faster
 * than the next worker forwards); with --rate, each run sends every packet
 * the schedule says is due, up to FWD_OVERLOAD_RUN at once, the way a NIC
 * hands over what arrived since the last poll. Offered load above
 * capacity must then be dropped where the kernel drops it: at the veth
 * ring between workers (RING_FULL, the sending end's tx_dropped) and at
 * the backlog (BACKLOG_FULL, netdev_max_backlog), each counted, with
 * memory bounded by those queues; the summary and `show drops` say where.
 *
 * Generator and absorber live on their namespaces' owner workers (O1); the
 * CLI thread reads their counters with owner calls (O5) once a second for
 * the interval lines, and at the end checks the accounting: every packet
 * sent was received or dropped with a reason (GETDROPS counters of the
 * namespaces involved).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "core/csum.h"
#include "core/timer.h"
#include "netns/core/dev.h"
#include "netns/core/neigh.h"
#include "netns/proto/ip.h"
#include "netns/ipv4/route.h"
#include "netns/core/sock.h"
#include "bench.h"
#include "cli/print.h"

#define FWD_PORT 9	     /* discard (RFC 863) */
#define FWD_SPORT 10000	     /* first source port; flow i uses FWD_SPORT + i */
#define FWD_BURST 64	     /* packets per generator run (well under the backlog's 1000) */
#define FWD_MAX_HOPS 250     /* link i uses 10.200.i.0/24; TTL starts at 255 */
#define FWD_TTL 255
#define FWD_MAX_INTERVALS 3600
#define FWD_DRAIN_NS (2 * 1000000000ull) /* wait for packets in flight at the end */
/* Packets in flight at most: under a veth ring (1024) and the backlog
 * (1000), several generator bursts to keep every worker of a chain busy. */
#define FWD_WINDOW 768
/* No packet absorbed for this long with the window full: the missing ones
 * were dropped on the way (counted there); write them off. Long enough
 * that a worker the OS (or valgrind) holds back for a while is not taken
 * for a loss, which would reopen the window onto a full ring. */
#define FWD_STALL_NS (200 * TIMER_TICK_NS)
/* --no-window with --rate: packets sent at most per run when behind the
 * schedule; above the backlog (1000) and a veth ring (1024), so overload
 * reaches both. What the generator cannot build is never offered (the
 * summary's "sent" and offered rate say what was). */
#define FWD_OVERLOAD_RUN 2048

/* Flow control between the absorber (writer of acked) and the generator
 * (writer of wake_at): the only memory both workers touch. */
struct fwd_flow {
	_Atomic uint64_t acked __cacheline_aligned; /* packets absorbed */
	_Atomic uint64_t wake_at;		     /* 0, or wake the generator at acked >= it */
	struct loop_task *task;			     /* the generator's, fixed at start */
	struct worker *w;
};

#define FWD_MAX_RULES 10000
#define FWD_MAX_ECMP 64

struct fwd_opts {
	unsigned hops, threads, size, flows;
	unsigned rules, ecmp; /* per forwarding node: rules before main, paths to the next */
	double seconds;
	uint64_t count, rate;
	const char *topology, *from, *to_str;
	uint32_t to; /* network order */
	bool json, no_window;
};

/* The generator: owned by src's worker once started. */
struct fwd_gen {
	struct loop_task task;
	struct timer timer;
	struct worker *w;
	struct netns *ns;
	struct sock *sk; /* unused for traffic: its gone() says the namespace died */
	int ifindex;
	uint8_t *frames; /* nflows prebuilt frames of flen bytes */
	unsigned flen, nflows, flow;
	uint64_t rate, limit, t0;
	uint64_t sent, nomem;
	uint64_t skipped; /* --no-window --rate: due but never offered (behind schedule) */
	struct fwd_flow *flow_ctl;
	uint64_t lost;		  /* written off as dropped on the way (window only) */
	uint64_t stall_acked, stall_t; /* absorber's count and time when the window filled */
	bool tstamp, stop, gone, done, no_window;
	int err;
	char errmsg[160];
};

/* The absorber: owned by dst's worker. */
struct fwd_sink {
	struct worker *w;
	struct sock *sk;
	uint32_t addr;
	uint64_t rcvd, bytes;
	uint8_t ttl; /* TTL of the last packet received: hops = FWD_TTL - ttl */
	bool tstamp, gone;
	struct fwd_flow *flow_ctl;
	int err;
	struct bench_hist *hist;
};

/* Snapshots read on the owners. */
struct fwd_counts {
	uint64_t sent, nomem, rcvd, bytes;
	bool done;
};

/* ---------------- generator (src's owner) ---------------- */

static void fwd_gen_gone(struct sock *sk, void *ctx)
{
	struct fwd_gen *g = ctx;

	g->gone = true;
	g->sk = NULL;
	timer_del(&g->timer);
}

static void fwd_sink_gone(struct sock *sk, void *ctx)
{
	struct fwd_sink *s = ctx;

	s->gone = true;
	s->sk = NULL;
}

static void fwd_drop_rcv(struct sock *sk, struct pkt *p, void *ctx)
{
	pkt_consume(p); /* the generator's socket receives nothing it wants */
}

static const struct sock_ops fwd_gen_sock_ops = { .rcv = fwd_drop_rcv, .gone = fwd_gen_gone };

/*
 * Room in the window: how many packets may be sent now. When it is full,
 * ask the absorber to wake us once a burst's worth has arrived, and arm
 * the timer that writes packets off if nothing arrives at all. Owner.
 */
static uint64_t fwd_gen_window(struct fwd_gen *g)
{
	struct fwd_flow *f = g->flow_ctl;
	uint64_t acked = atomic_load_explicit(&f->acked, memory_order_relaxed);
	uint64_t out = g->sent - g->lost - acked, now;

	if (out + FWD_BURST <= FWD_WINDOW)
		return FWD_WINDOW - out;
	now = loop_now();
	if (acked != g->stall_acked || !g->stall_t) {
		g->stall_acked = acked;
		g->stall_t = now;
	} else if (now - g->stall_t >= FWD_STALL_NS) {
		g->lost += out; /* dropped on the way: the drop counters have them */
		g->stall_t = 0;
		return FWD_WINDOW;
	}
	atomic_store_explicit(&f->wake_at, g->sent - g->lost - FWD_WINDOW + FWD_BURST,
			      memory_order_seq_cst);
	/* The absorber may have moved on before it could see wake_at; if
	 * that race is lost both ways, the timer below wakes us. */
	if (atomic_load_explicit(&f->acked, memory_order_seq_cst) != acked &&
	    atomic_exchange(&f->wake_at, 0))
		loop_task_wake(g->w, &g->task);
	if (!timer_pending(&g->timer))
		timer_mod(&g->timer, loop_now() + TIMER_TICK_NS);
	return 0;
}

/*
 * One generator run: a burst of up to FWD_BURST frames into the device's
 * transmit path, then wake itself again (blast mode), or, with a rate,
 * only as many as the schedule allows and a 1 ms timer when ahead of it.
 * The copy of a prebuilt frame is the only per-packet work besides the
 * buffer from the pool (no allocation, no syscall: H7).
 */
static void fwd_gen_run(void *arg)
{
	struct fwd_gen *g = arg;
	struct netdev *dev;
	uint64_t n = FWD_BURST, ts = 0, i;

	if (g->stop || g->gone || g->done)
		return;
	dev = dev_get_by_index(g->ns, g->ifindex);
	if (unlikely(!dev)) {
		g->err = -ENODEV;
		g->done = true;
		return;
	}
	if (g->no_window && g->rate)
		n = FWD_OVERLOAD_RUN;
	if (g->limit)
		n = MIN(n, g->limit - g->sent);
	if (!g->no_window)
		n = MIN(n, fwd_gen_window(g));
	if (!n)
		return; /* the absorber or the timer wakes us */
	if (g->rate) {
		uint64_t now = bench_now_ns();
		uint64_t due = (uint64_t)((double)(now - g->t0) * (double)g->rate / 1e9);
		uint64_t base = g->sent + g->skipped;

		if (due <= base) {
			if (!timer_pending(&g->timer))
				timer_mod(&g->timer, loop_now() + TIMER_TICK_NS);
			return;
		}
		/* Overload: further behind than one run can catch up. Those
		 * packets are never built (not offered), so that the debt
		 * cannot grow without bound. */
		if (g->no_window && due - base > n) {
			g->skipped += due - base - n;
			base = due - n;
		}
		n = MIN(n, due - base);
		ts = now;
	}
	for (i = 0; i < n; i++) {
		/* 64 bytes of headroom: the frame starts on a cache line of
		 * the buffer (core/pkt_pool.c), its headers in one line */
		struct pkt *p = pkt_alloc(PKT_HR_NET, g->flen);

		if (unlikely(!p)) {
			/* Pool exhausted: counted, retried on the next run
			 * once packets in flight have been freed. */
			g->nomem++;
			break;
		}
		memcpy(p->data, g->frames + (size_t)g->flow * g->flen, g->flen);
		if (++g->flow == g->nflows)
			g->flow = 0;
		if (g->tstamp)
			memcpy(p->data + ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr), &ts,
			       sizeof(ts));
		p->dev = dev;
		p->protocol = ETH_P_IP;
		pkt_set_l2(p);
		p->flags |= PKT_F_LOCAL_OUT;
		dev_queue_xmit(p);
	}
	g->sent += i;
	if (g->limit && g->sent >= g->limit) {
		g->done = true;
		return;
	}
	/* Blast mode: run again after what is queued (the backlog that
	 * carries this burst through the chain). With a rate: check the
	 * schedule again, which arms the timer once it is ahead. */
	loop_task_wake(loop_current(), &g->task);
}

static void fwd_gen_timer(struct timer *t)
{
	struct fwd_gen *g = container_of(t, struct fwd_gen, timer);

	if (!g->stop && !g->gone)
		loop_task_wake(loop_current(), &g->task);
}

/* Build the flows' frames: Ethernet to the next hop's MAC, IPv4 with a
 * valid header checksum, UDP without checksum (RFC 768 allows 0; the
 * kernel's veth marks its own traffic CHECKSUM_UNNECESSARY likewise). */
static void fwd_build_frames(struct fwd_gen *g, const uint8_t *dmac, const uint8_t *smac,
			     uint32_t saddr, uint32_t daddr, unsigned size)
{
	for (unsigned f = 0; f < g->nflows; f++) {
		uint8_t *fr = g->frames + (size_t)f * g->flen;
		struct ethhdr *eth = (struct ethhdr *)fr;
		struct iphdr *iph = (struct iphdr *)(fr + ETH_HLEN);
		struct udphdr *uh = (struct udphdr *)(iph + 1);
		uint8_t *payload = (uint8_t *)(uh + 1);

		memcpy(eth->h_dest, dmac, ETH_ALEN);
		memcpy(eth->h_source, smac, ETH_ALEN);
		eth->h_proto = htons(ETH_P_IP);
		memset(iph, 0, sizeof(*iph));
		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons((uint16_t)(sizeof(*iph) + sizeof(*uh) + size));
		iph->id = htons((uint16_t)f);
		iph->ttl = FWD_TTL;
		iph->protocol = IPPROTO_UDP;
		iph->saddr = saddr;
		iph->daddr = daddr;
		iph->check = ip_fast_csum(iph, 5);
		uh->source = htons((uint16_t)(FWD_SPORT + f));
		uh->dest = htons(FWD_PORT);
		uh->len = htons((uint16_t)(sizeof(*uh) + size));
		uh->check = 0;
		for (unsigned i = 0; i < size; i++)
			payload[i] = (uint8_t)i;
	}
}

struct fwd_gen_start {
	struct fwd_gen *g;
	uint32_t daddr;
	unsigned size;
};

/* On src's owner: route to the destination once, take the next hop's MAC
 * from the neighbour table, prebuild the frames, start. */
static void fwd_gen_start_fn(struct netns *ns, void *arg)
{
	struct fwd_gen_start *st = arg;
	struct fwd_gen *g = st->g;
	struct neighbour *n;
	struct rtable rt;
	int err;

	g->w = loop_current();
	g->ns = ns;
	loop_task_init(&g->task, fwd_gen_run, g);
	g->flow_ctl->task = &g->task;
	g->flow_ctl->w = g->w;
	timer_init(&g->timer, fwd_gen_timer);
	err = ip_route_output(ns, st->daddr, 0, 0, &rt);
	if (err) {
		g->err = err;
		snprintf(g->errmsg, sizeof(g->errmsg), "no route to the destination: %s",
			 strerror(-err));
		return;
	}
	if (rt.type != RTN_UNICAST || !rt.dev || (rt.dev->flags & IFF_LOOPBACK)) {
		g->err = -EINVAL;
		snprintf(g->errmsg, sizeof(g->errmsg),
			 "the destination is local to the source namespace");
		return;
	}
	if (st->size + sizeof(struct iphdr) + sizeof(struct udphdr) > rt.dev->mtu) {
		g->err = -EMSGSIZE;
		snprintf(g->errmsg, sizeof(g->errmsg), "--size %u does not fit the MTU %u of %s",
			 st->size, rt.dev->mtu, rt.dev->name);
		return;
	}
	n = neigh_lookup(ns, rt.dev, rt.nexthop);
	if (!n || !(n->state & NUD_VALID)) {
		struct in_addr a = { .s_addr = rt.nexthop };

		g->err = -EHOSTUNREACH;
		snprintf(g->errmsg, sizeof(g->errmsg),
			 "next hop %s on %s has no resolved neighbour entry", inet_ntoa(a),
			 rt.dev->name);
		return;
	}
	g->sk = sock_open(ns, IPPROTO_UDP, &fwd_gen_sock_ops, g);
	if (!g->sk) {
		g->err = -ENOMEM;
		snprintf(g->errmsg, sizeof(g->errmsg), "cannot open a socket");
		return;
	}
	g->ifindex = rt.dev->ifindex;
	fwd_build_frames(g, n->ha, rt.dev->addr, rt.src, st->daddr, st->size);
	g->t0 = bench_now_ns();
	loop_task_wake(g->w, &g->task);
}

/* On src's owner: no further runs; the socket goes. */
static void fwd_gen_stop_fn(void *arg)
{
	struct fwd_gen *g = arg;

	g->stop = true;
	timer_del(&g->timer);
	if (g->sk)
		sock_close(g->sk);
	g->sk = NULL;
}

/* On src's owner: is the task still queued? (The flag is cleared before
 * a run, and a stopped generator never queues itself again.) */
struct fwd_queued {
	struct fwd_gen *g;
	bool queued;
};

static void fwd_gen_queued_fn(void *arg)
{
	struct fwd_queued *q = arg;

	q->queued = atomic_load(&q->g->task.queued);
}

static void fwd_gen_read_fn(void *arg)
{
	struct fwd_gen *g = ((void **)arg)[0];
	struct fwd_counts *k = ((void **)arg)[1];

	k->sent = g->sent;
	k->nomem = g->nomem;
	k->done = g->done || g->gone;
}

/* ---------------- absorber (dst's owner) ---------------- */

/* Publish the absorber's count; wake the generator if it waits for it.
 * A plain store and load per packet (relaxed atomics), an exchange per
 * wake-up. */
static void fwd_sink_ack(struct fwd_flow *f, uint64_t rcvd)
{
	uint64_t at;

	atomic_store_explicit(&f->acked, rcvd, memory_order_relaxed);
	at = atomic_load_explicit(&f->wake_at, memory_order_relaxed);
	if (unlikely(at && rcvd >= at) && atomic_exchange(&f->wake_at, 0))
		loop_task_wake(f->w, f->task);
}

static void fwd_sink_rcv(struct sock *sk, struct pkt *p, void *ctx)
{
	struct fwd_sink *s = ctx;
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);

	s->rcvd++;
	s->bytes += ETH_HLEN + ntohs(iph->tot_len);
	fwd_sink_ack(s->flow_ctl, s->rcvd);
	s->ttl = iph->ttl;
	if (s->tstamp && p->len >= sizeof(uint64_t)) {
		uint64_t ts, now = bench_now_ns();

		memcpy(&ts, p->data, sizeof(ts));
		if (ts && now >= ts)
			bench_hist_add(s->hist, now - ts);
	}
	pkt_consume(p);
}

static const struct sock_ops fwd_sink_ops = { .rcv = fwd_sink_rcv, .gone = fwd_sink_gone };

static void fwd_sink_start_fn(struct netns *ns, void *arg)
{
	struct fwd_sink *s = arg;

	s->w = loop_current();
	s->sk = sock_open(ns, IPPROTO_UDP, &fwd_sink_ops, s);
	if (!s->sk) {
		s->err = -ENOMEM;
		return;
	}
	s->err = sock_bind(s->sk, s->addr, FWD_PORT);
	if (s->err) {
		sock_close(s->sk);
		s->sk = NULL;
	}
}

static void fwd_sink_stop_fn(void *arg)
{
	struct fwd_sink *s = arg;

	if (s->sk)
		sock_close(s->sk);
	s->sk = NULL;
}

static void fwd_sink_read_fn(void *arg)
{
	struct fwd_sink *s = ((void **)arg)[0];
	struct fwd_counts *k = ((void **)arg)[1];

	k->rcvd = s->rcvd;
	k->bytes = s->bytes;
}

/* Both sides' counters, each read on its owner. */
static void fwd_read(struct fwd_gen *g, struct fwd_sink *s, struct fwd_counts *k)
{
	void *ga[2] = { g, k }, *sa[2] = { s, k };

	loop_call_sync(g->w, fwd_gen_read_fn, ga);
	loop_call_sync(s->w, fwd_sink_read_fn, sa);
}


/* ---------------- options ---------------- */

static int fwd_parse(struct cli_ctx *c, int argc, char **argv, struct fwd_opts *o)
{
	uint64_t v;
	int i;

	*o = (struct fwd_opts){ .hops = 1, .threads = 1, .size = 64, .flows = 1, .seconds = 5 };
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			o->json = true;
			takes = false;
		} else if (!strcmp(a, "--no-window")) {
			o->no_window = true;
			takes = false;
		} else if (!val && !strncmp(a, "--", 2)) {
			fprintf(c->err, "bench: option \"%s\" needs a value\n", a);
			return -EINVAL;
		} else if (!strcmp(a, "--hops")) {
			if (bench_get_u64(c, a, val, 1, FWD_MAX_HOPS, &v))
				return -EINVAL;
			o->hops = (unsigned)v;
		} else if (!strcmp(a, "--threads")) {
			if (bench_get_u64(c, a, val, 1, 254, &v))
				return -EINVAL;
			o->threads = (unsigned)v;
		} else if (!strcmp(a, "--size")) {
			/* payload bytes: room for the timestamp, at most a
			 * full 9000-byte jumbo frame's worth */
			if (bench_get_u64(c, a, val, 8, 8972, &v))
				return -EINVAL;
			o->size = (unsigned)v;
		} else if (!strcmp(a, "--flows")) {
			if (bench_get_u64(c, a, val, 1, 50000, &v))
				return -EINVAL;
			o->flows = (unsigned)v;
		} else if (!strcmp(a, "--rules")) {
			if (bench_get_u64(c, a, val, 0, FWD_MAX_RULES, &v))
				return -EINVAL;
			o->rules = (unsigned)v;
		} else if (!strcmp(a, "--ecmp")) {
			if (bench_get_u64(c, a, val, 1, FWD_MAX_ECMP, &v))
				return -EINVAL;
			o->ecmp = (unsigned)v;
		} else if (!strcmp(a, "--seconds")) {
			if (bench_get_double(c, a, val, 0.01, 86400, &o->seconds))
				return -EINVAL;
		} else if (!strcmp(a, "--count")) {
			if (bench_get_u64(c, a, val, 1, UINT64_MAX / 2, &o->count))
				return -EINVAL;
		} else if (!strcmp(a, "--rate")) {
			if (bench_get_u64(c, a, val, 1, 1000000000, &o->rate))
				return -EINVAL;
		} else if (!strcmp(a, "--topology")) {
			o->topology = val;
		} else if (!strcmp(a, "--from")) {
			o->from = val;
		} else if (!strcmp(a, "--to")) {
			struct in_addr in;

			if (inet_pton(AF_INET, val, &in) != 1) {
				fprintf(c->err, "bench: invalid value \"%s\" for --to (an IPv4 address)\n",
					val);
				return -EINVAL;
			}
			o->to = in.s_addr;
			o->to_str = val;
		} else {
			fprintf(c->err, "bench: unknown option \"%s\", try \"bench help\"\n", a);
			return -EINVAL;
		}
		if (takes)
			i++;
	}
	if (o->topology && (!o->from || !o->to_str)) {
		fprintf(c->err, "bench: --topology needs --from NS and --to A.B.C.D\n");
		return -EINVAL;
	}
	if (o->topology && (o->rules || o->ecmp)) {
		fprintf(c->err, "bench: --rules and --ecmp build on the chain, not on --topology\n");
		return -EINVAL;
	}
	if (!o->topology && (o->from || o->to_str)) {
		fprintf(c->err, "bench: --from and --to go with --topology FILE\n");
		return -EINVAL;
	}
	if (o->threads > loop_nworkers()) {
		fprintf(c->err, "bench: --threads %u but nsemu runs %u worker thread%s (start it with -t %u)\n",
			o->threads, loop_nworkers(), loop_nworkers() == 1 ? "" : "s", o->threads);
		return -EINVAL;
	}
	if (!o->topology && o->threads > o->hops + 2) {
		fprintf(c->err, "bench: --threads %u needs at least %u routers (--hops)\n", o->threads,
			o->threads - 2);
		return -EINVAL;
	}
	return 0;
}

/* ---------------- the chain ---------------- */

static void fwd_node_name(char *buf, size_t len, unsigned i, unsigned hops)
{
	if (i == 0)
		snprintf(buf, len, "bench-src");
	else if (i == hops + 1)
		snprintf(buf, len, "bench-dst");
	else
		snprintf(buf, len, "bench-r%u", i);
}

/*
 * Node @a's way to node @z over link @i: a default route via z's west
 * address, behind --rules rules that never match (`from 10.201.X.Y`,
 * preferences 1..N, so every lookup walks them before main's), and with
 * --ecmp K a multipath default over K gateways, z's addresses 10.200.i.2
 * .. i.K+1 (one device, one MAC, permanent neighbours), hashed on L4 so
 * that --flows spreads over them. The cost of rules and multipath, where
 * they are used, on the forwarding path.
 */
static int fwd_chain_route(struct cli_ctx *c, struct bench_cli *b, const struct fwd_opts *o,
			   const char *a, const char *z, unsigned i)
{
	char line[64 + FWD_MAX_ECMP * 32];
	size_t n;

	for (unsigned k = 0; k < o->rules; k++)
		if (bench_run(c, b, "ip -n %s rule add from 10.201.%u.%u lookup 1000 pref %u", a,
			      k >> 8, k & 255, k + 1))
			return -EINVAL;
	if (o->ecmp <= 1)
		return bench_run(c, b, "ip -n %s route add default via 10.200.%u.2", a, i);
	if (bench_run(c, b, "ip netns exec %s sysctl -q -w net.ipv4.fib_multipath_hash_policy=1",
		      a))
		return -EINVAL;
	n = (size_t)snprintf(line, sizeof(line), "ip -n %s route add default", a);
	for (unsigned k = 0; k < o->ecmp; k++) {
		if (k && (bench_run(c, b, "ip -n %s addr add 10.200.%u.%u/24 dev west", z, i, k + 2) ||
			  bench_run(c, b,
				    "ip -n %s neigh add 10.200.%u.%u lladdr 02:be:00:%02x:%02x:02 "
				    "dev east nud permanent",
				    a, i, k + 2, i >> 8, i & 255)))
			return -EINVAL;
		n += (size_t)snprintf(line + n, sizeof(line) - n, " nexthop via 10.200.%u.%u", i,
				      k + 2);
	}
	return bench_run(c, b, "%s", line);
}

/* Node i's link toward node i+1 is 10.200.i.0/24: .1 on node i's "east",
 * .2 on node i+1's "west". MACs are fixed so permanent neighbour entries
 * can be written up front: no ARP while the bench runs.
 *
 * Node i goes to worker i * T / (N + 2): contiguous runs of equal length,
 * so the chain crosses each worker boundary once. Split in two, this is
 * also the most even split a namespace at a time can give: measured in
 * instructions (callgrind, one worker), the generator costs about as much
 * as a router hop (~220 per packet) and the absorber's local delivery
 * about 1.6 hops (~350), so with 4 routers [src r1 r2 | r3 r4 dst] puts
 * ~660 on worker 0 and ~790 on worker 1 (moving r3 over would give ~880
 * and ~570), which bounds two workers at ~1.8x one; with 8 routers
 * ~1,100 and ~1,220 (~1.87x). */
static int fwd_chain_build(struct cli_ctx *c, struct bench_cli *b, const struct fwd_opts *o,
			   unsigned *created)
{
	unsigned nodes = o->hops + 2, i;
	char a[32], z[32];

	for (i = 0; i < nodes; i++) {
		fwd_node_name(a, sizeof(a), i, o->hops);
		if (bench_run(c, b, "ip netns add %s thread %u", a,
			      (unsigned)((uint64_t)i * o->threads / nodes)))
			return -EINVAL;
		(*created)++;
		if (i > 0 && i <= o->hops &&
		    bench_run(c, b, "ip netns exec %s sysctl -q -w net.ipv4.ip_forward=1", a))
			return -EINVAL;
	}
	for (i = 0; i + 1 < nodes; i++) {
		fwd_node_name(a, sizeof(a), i, o->hops);
		fwd_node_name(z, sizeof(z), i + 1, o->hops);
		if (bench_run(c, b,
			      "ip link add east netns %s type veth peer name west netns %s", a, z) ||
		    bench_run(c, b, "ip -n %s link set east address 02:be:00:%02x:%02x:01", a, i >> 8,
			      i & 255) ||
		    bench_run(c, b, "ip -n %s link set west address 02:be:00:%02x:%02x:02", z, i >> 8,
			      i & 255) ||
		    bench_run(c, b, "ip -n %s addr add 10.200.%u.1/24 dev east", a, i) ||
		    bench_run(c, b, "ip -n %s addr add 10.200.%u.2/24 dev west", z, i) ||
		    bench_run(c, b, "ip -n %s link set east up", a) ||
		    bench_run(c, b, "ip -n %s link set west up", z) ||
		    bench_run(c, b,
			      "ip -n %s neigh add 10.200.%u.2 lladdr 02:be:00:%02x:%02x:02 dev east "
			      "nud permanent",
			      a, i, i >> 8, i & 255) ||
		    fwd_chain_route(c, b, o, a, z, i))
			return -EINVAL;
	}
	return 0;
}

static void fwd_chain_delete(struct cli_ctx *c, struct bench_cli *b, const struct fwd_opts *o,
			     unsigned created)
{
	char a[32];

	for (unsigned i = 0; i < created; i++) {
		fwd_node_name(a, sizeof(a), i, o->hops);
		bench_run(c, b, "ip netns del %s", a);
	}
}

/* Drops of the namespaces the packets cross (all of them with a user
 * topology, whose path we do not know). */
static int fwd_drops(struct cli_ctx *c, const struct fwd_opts *o, uint64_t drops[DROP_MAX])
{
	char a[32];
	int err = 0;

	memset(drops, 0, sizeof(uint64_t) * DROP_MAX);
	if (o->topology)
		return bench_drops_add(c, NULL, drops);
	for (unsigned i = 0; i < o->hops + 2 && !err; i++) {
		fwd_node_name(a, sizeof(a), i, o->hops);
		err = bench_drops_add(c, a, drops);
	}
	return err;
}

/* ---------------- user topology: where is --to? ---------------- */

struct fwd_ns_list {
	char (*names)[NETNS_NAMSIZ];
	unsigned n, cap;
};

static int fwd_ns_list_cb(struct cli_ctx *c, struct nlmsghdr *nlh, void *arg)
{
	struct fwd_ns_list *l = arg;
	struct nlattr *tb[NSEMU_A_MAX + 1];

	if (nlh->nlmsg_type != NSEMU_MSG_NEWNS || nlmsg_parse(nlh, 0, tb, NSEMU_A_MAX, NULL) < 0 ||
	    !tb[NSEMU_A_NS])
		return 0;
	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 64;
		void *nn = realloc(l->names, cap * sizeof(*l->names));

		if (!nn)
			return -ENOMEM;
		l->names = nn;
		l->cap = cap;
	}
	snprintf(l->names[l->n++], NETNS_NAMSIZ, "%s", nla_get_string(tb[NSEMU_A_NS]));
	return 0;
}

struct fwd_addr_q {
	uint32_t addr;
	bool local;
};

static void fwd_addr_local_fn(struct netns *ns, void *arg)
{
	struct fwd_addr_q *q = arg;

	q->local = inet_addr_local_dev(ns, q->addr) != NULL;
}

/* Name of the namespace that has @addr configured, into @out. */
static int fwd_find_owner_ns(struct cli_ctx *c, uint32_t addr, char *out, size_t len)
{
	struct fwd_ns_list l = { 0 };
	struct cli_ctx q;
	struct nl_msg *m;
	int err;

	cli_ctx_init(&q, c->out, c->err);
	m = nlmsg_alloc_simple(NSEMU_MSG_GETNS, NLM_F_DUMP);
	err = m ? cli_request(&q, m, fwd_ns_list_cb, &l, false) : -ENOMEM;
	cli_ctx_free(&q);
	for (unsigned i = 0; !err && i < l.n; i++) {
		struct fwd_addr_q aq = { .addr = addr };

		if (!rtnl_ns_call_sync(l.names[i], fwd_addr_local_fn, &aq) && aq.local) {
			snprintf(out, len, "%s", l.names[i]);
			free(l.names);
			return 0;
		}
	}
	free(l.names);
	return err ? err : -ENOENT;
}

/* ---------------- run and report ---------------- */

struct fwd_interval {
	double t0, t1;
	uint64_t sent, rcvd, bytes;
};

struct fwd_result {
	double secs;
	uint64_t sent, rcvd, bytes, nomem, dropped, inflight;
	uint64_t drops[DROP_MAX];
	unsigned hops;	  /* routers seen by the absorber (TTL) */
	uint64_t *busy;	  /* per worker, ns during the run */
	struct fwd_interval *iv;
	unsigned niv;
};

static void fwd_print_interval(struct cli_ctx *c, const struct fwd_interval *v, unsigned flen)
{
	double dt = v->t1 - v->t0;
	char r[32], t[40];

	if (dt <= 0)
		return;
	snprintf(t, sizeof(t), "%.2f-%.2f s", v->t0, v->t1);
	fprintf(c->out, "%-15s %12" PRIu64 " %12" PRIu64 "  %12s  %8.2f Gbit/s\n", t, v->sent,
		v->rcvd, bench_fmt_rate(r, sizeof(r), (double)v->rcvd / dt),
		(double)v->bytes * 8 / dt / 1e9);
	fflush(c->out);
}

static void fwd_report(struct cli_ctx *c, const struct fwd_opts *o, const struct fwd_result *r,
		       const struct fwd_sink *s, unsigned flen)
{
	unsigned nw = loop_nworkers(), links = r->hops + 1;
	double pps = r->secs > 0 ? (double)r->rcvd / r->secs : 0;
	double gbps = r->secs > 0 ? (double)r->bytes * 8 / r->secs / 1e9 : 0;
	uint64_t busy = 0;
	double ns_pkt, ns_hop;
	char rate[32];

	for (unsigned i = 0; i < nw; i++)
		busy += r->busy[i];
	/* CPU time of every worker per delivered packet: what a packet
	 * costs end to end, generator and absorber included. */
	ns_pkt = r->rcvd ? (double)busy / (double)r->rcvd : 0;
	ns_hop = ns_pkt / links;

	new_json_obj(c->out, o->json, c->pretty);
	open_json_object(NULL);
	print_text("--- bench fwd: %u router%s, %u thread%s, %u-byte payload (%u-byte frames), "
		   "%u flow%s, ",
		   r->hops, r->hops == 1 ? "" : "s", o->threads, o->threads == 1 ? "" : "s", o->size,
		   flen, o->flows, o->flows == 1 ? "" : "s");
	if (o->rules)
		print_text("%u rules, ", o->rules);
	if (o->ecmp > 1)
		print_text("%u-way ECMP, ", o->ecmp);
	print_text("%.2f s ---\n", r->secs);
	print_uint(PRINT_JSON, "routers", NULL, r->hops);
	print_uint(PRINT_JSON, "rules", NULL, o->rules);
	print_uint(PRINT_JSON, "ecmp", NULL, o->ecmp ? o->ecmp : 1);
	print_uint(PRINT_JSON, "threads", NULL, o->threads);
	print_uint(PRINT_JSON, "payload_bytes", NULL, o->size);
	print_uint(PRINT_JSON, "frame_bytes", NULL, flen);
	print_uint(PRINT_JSON, "flows", NULL, o->flows);
	print_float(PRINT_JSON, "seconds", NULL, r->secs);
	print_bool(PRINT_JSON, "window", NULL, !o->no_window);
	open_json_array(PRINT_JSON, "intervals");
	for (unsigned i = 0; o->json && i < r->niv; i++) {
		const struct fwd_interval *v = &r->iv[i];
		double dt = v->t1 - v->t0;

		open_json_object(NULL);
		print_float(PRINT_JSON, "start", NULL, v->t0);
		print_float(PRINT_JSON, "end", NULL, v->t1);
		print_u64(PRINT_JSON, "sent", NULL, v->sent);
		print_u64(PRINT_JSON, "received", NULL, v->rcvd);
		print_float(PRINT_JSON, "mpps", NULL, dt > 0 ? (double)v->rcvd / dt / 1e6 : 0);
		print_float(PRINT_JSON, "gbps", NULL, dt > 0 ? (double)v->bytes * 8 / dt / 1e9 : 0);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
	print_u64(PRINT_ANY, "sent", "sent %" PRIu64, r->sent);
	print_u64(PRINT_ANY, "received", ", received %" PRIu64, r->rcvd);
	print_u64(PRINT_ANY, "dropped", ", dropped %" PRIu64, r->dropped);
	print_u64(PRINT_ANY, "unaccounted", ", unaccounted %" PRIu64, r->inflight);
	print_u64(PRINT_JSON, "pool_exhausted", NULL, r->nomem);
	if (r->nomem)
		print_text(" (the generator found the packet pool empty %" PRIu64 " times)", r->nomem);
	print_nl();
	open_json_object("drops");
	for (unsigned i = 0; i < DROP_MAX; i++) {
		if (!r->drops[i])
			continue;
		print_text("  dropped %s: %" PRIu64 " (%s)\n", drop_reason_names[i], r->drops[i],
			   drop_reason_text[i]);
		print_u64(PRINT_JSON, drop_reason_names[i], NULL, r->drops[i]);
	}
	close_json_object();
	print_text("throughput: %s, %.2f Gbit/s\n", bench_fmt_rate(rate, sizeof(rate), pps), gbps);
	print_float(PRINT_JSON, "mpps", NULL, pps / 1e6);
	print_float(PRINT_JSON, "gbps", NULL, gbps);
	if (o->no_window) {
		double off = r->secs > 0 ? (double)r->sent / r->secs : 0;

		print_text("offered: %s, window off (the generator does not wait for the absorber)\n",
			   bench_fmt_rate(rate, sizeof(rate), off));
		print_float(PRINT_JSON, "offered_mpps", NULL, off / 1e6);
	}
	print_text("cost: %.1f ns/pkt, %.1f ns/pkt/hop (%u hops: %u router%s + local delivery)\n",
		   ns_pkt, ns_hop, links, r->hops, r->hops == 1 ? "" : "s");
	print_float(PRINT_JSON, "ns_per_pkt", NULL, ns_pkt);
	print_float(PRINT_JSON, "ns_per_pkt_hop", NULL, ns_hop);
	open_json_array(PRINT_JSON, "busy");
	for (unsigned i = 0; i < nw; i++) {
		double share = r->secs > 0 ? MIN((double)r->busy[i] / (r->secs * 1e9), 1.0) : 0;

		open_json_object(NULL);
		print_uint(PRINT_ANY, "thread", "thread %u: ", i);
		print_float(PRINT_JSON, "share", NULL, share);
		print_float(PRINT_FP, NULL, "busy %.1f%%\n", 100 * share);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
	if (o->rate && s->hist && s->hist->count) {
		const struct bench_hist *h = s->hist;

		print_text("latency: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us (%" PRIu64
			   " samples)\n",
			   bench_hist_quantile(h, 0.5) / 1e3, bench_hist_quantile(h, 0.99) / 1e3,
			   bench_hist_quantile(h, 0.999) / 1e3, h->max / 1e3, h->count);
		open_json_object("latency_ns");
		print_u64(PRINT_JSON, "p50", NULL, bench_hist_quantile(h, 0.5));
		print_u64(PRINT_JSON, "p99", NULL, bench_hist_quantile(h, 0.99));
		print_u64(PRINT_JSON, "p99.9", NULL, bench_hist_quantile(h, 0.999));
		print_u64(PRINT_JSON, "max", NULL, h->max);
		print_u64(PRINT_JSON, "samples", NULL, h->count);
		close_json_object();
	}
	print_text("accounting: %s\n", r->inflight ? "FAILED (sent != received + dropped)"
						   : "ok (sent = received + dropped)");
	print_bool(PRINT_JSON, "accounting_ok", NULL, !r->inflight);
	close_json_object();
	delete_json_obj();
}

static void fwd_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* Stop the generator and wait until its task can no longer run. */
static void fwd_gen_quiesce(struct fwd_gen *g)
{
	struct fwd_queued q = { .g = g, .queued = true };

	loop_call_sync(g->w, fwd_gen_stop_fn, g);
	for (;;) {
		loop_call_sync(g->w, fwd_gen_queued_fn, &q);
		if (!q.queued)
			break;
		fwd_sleep_ms(1);
	}
}

/* Wait (bounded) until every packet sent is received or dropped; fills
 * r->rcvd, r->bytes, r->drops, r->dropped, r->inflight. */
static int fwd_drain(struct cli_ctx *c, const struct fwd_opts *o, struct fwd_gen *g,
		     struct fwd_sink *s, const uint64_t *drops0, struct fwd_result *r)
{
	uint64_t deadline = bench_now_ns() + FWD_DRAIN_NS;
	struct fwd_counts k;
	int err;

	for (;;) {
		uint64_t d[DROP_MAX];

		fwd_read(g, s, &k);
		err = fwd_drops(c, o, d);
		if (err)
			return err;
		r->dropped = 0;
		for (unsigned i = 0; i < DROP_MAX; i++) {
			r->drops[i] = d[i] - drops0[i];
			r->dropped += r->drops[i];
		}
		r->rcvd = k.rcvd;
		r->bytes = k.bytes;
		r->inflight = r->sent > k.rcvd + r->dropped ? r->sent - k.rcvd - r->dropped : 0;
		if (!r->inflight || bench_now_ns() > deadline)
			return 0;
		fwd_sleep_ms(10);
	}
}

static bool fwd_interrupted(const struct cli_ctx *c)
{
	return c->interrupt && *c->interrupt;
}

int bench_fwd(struct cli_ctx *c, int argc, char **argv)
{
	struct fwd_gen_start st = { 0 };
	struct fwd_result r = { 0 };
	struct fwd_gen *g = NULL;
	struct fwd_sink *s = NULL;
	struct fwd_flow *flow = NULL;
	struct fwd_counts k, prev = { 0 };
	uint64_t drops0[DROP_MAX], *busy0 = NULL, t0, next, stop_at, last;
	char src[NETNS_NAMSIZ], dst[NETNS_NAMSIZ];
	char line[NETNS_NAMSIZ + 64];
	unsigned created = 0, flen;
	struct bench_cli b;
	struct fwd_opts o;
	bool sink_started = false;
	int err;

	if (fwd_parse(c, argc, argv, &o))
		return -EINVAL;
	if (bench_cli_open(&b))
		return -ENOMEM;
	flen = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr) + o.size;
	g = calloc(1, sizeof(*g));
	s = calloc(1, sizeof(*s));
	flow = aligned_alloc(CACHELINE, sizeof(*flow));
	if (flow) {
		memset(flow, 0, sizeof(*flow));
		atomic_init(&flow->acked, 0);
		atomic_init(&flow->wake_at, 0);
	}
	busy0 = calloc(loop_nworkers(), sizeof(*busy0));
	r.busy = calloc(loop_nworkers(), sizeof(*r.busy));
	r.iv = calloc(FWD_MAX_INTERVALS, sizeof(*r.iv));
	if (g)
		g->frames = calloc(o.flows, flen);
	if (s && o.rate)
		s->hist = calloc(1, sizeof(*s->hist));
	err = -ENOMEM;
	if (!g || !s || !flow || !busy0 || !r.busy || !r.iv || !g->frames ||
	    (o.rate && !s->hist)) {
		fprintf(c->err, "bench: out of memory\n");
		goto out;
	}

	/* The topology: our chain, or the user's. */
	err = -EINVAL;
	if (!o.topology) {
		if (fwd_chain_build(c, &b, &o, &created))
			goto out;
		snprintf(src, sizeof(src), "bench-src");
		snprintf(dst, sizeof(dst), "bench-dst");
		o.to = htonl(0x0ac80002u | (o.hops << 8)); /* 10.200.N.2 */
	} else {
		if (cli_run_file(&b.ctx, o.topology)) {
			fflush(b.err);
			fprintf(c->err, "bench: topology \"%s\" failed: %.*s", o.topology,
				(int)b.elen, b.ebuf);
			goto out;
		}
		snprintf(src, sizeof(src), "%s", o.from);
		/* The topology places its namespaces; every worker counts. */
		o.threads = loop_nworkers();
		if (fwd_find_owner_ns(c, o.to, dst, sizeof(dst))) {
			fprintf(c->err, "bench: no namespace has the address %s\n", o.to_str);
			goto out;
		}
		/* Resolve the first hop the way a user would, with a ping;
		 * whether it is answered does not matter here. */
		snprintf(line, sizeof(line), "ip netns exec %s ping -c 1 -W 1 %s", src, o.to_str);
		cli_run_line(&b.ctx, line);
		fseeko(b.err, 0, SEEK_SET);
	}

	/* Counters before; then the absorber, then the generator. */
	if (fwd_drops(c, &o, drops0))
		goto out;
	s->addr = o.to;
	s->tstamp = o.rate != 0;
	s->flow_ctl = flow;
	g->flow_ctl = flow;
	if (rtnl_ns_call_sync(dst, fwd_sink_start_fn, s) || s->err) {
		fprintf(c->err, "bench: cannot bind UDP port %u in \"%s\": %s\n", FWD_PORT, dst,
			strerror(s->err ? -s->err : ENOENT));
		goto out;
	}
	sink_started = true;
	g->nflows = o.flows;
	g->flen = flen;
	g->rate = o.rate;
	g->limit = o.count;
	g->tstamp = o.rate != 0;
	g->no_window = o.no_window;
	st.g = g;
	st.daddr = o.to;
	st.size = o.size;
	bench_busy_snapshot(busy0);
	if (rtnl_ns_call_sync(src, fwd_gen_start_fn, &st)) {
		fprintf(c->err, "bench: no namespace \"%s\"\n", src);
		goto out;
	}
	if (g->err) {
		fprintf(c->err, "bench: cannot start the generator in \"%s\": %s\n", src, g->errmsg);
		g->w = NULL; /* never started: nothing to quiesce */
		goto out;
	}

	/* Run: an interval line a second (text mode), until the time is up,
	 * the count is sent, or Ctrl-C. */
	t0 = last = bench_now_ns();
	next = t0 + 1000000000ull;
	stop_at = o.count ? UINT64_MAX : t0 + (uint64_t)(o.seconds * 1e9);
	if (!o.json)
		fprintf(c->out, "%-15s %12s %12s  %12s  %15s\n", "Interval", "Sent", "Received",
			"Rate", "Throughput");
	for (;;) {
		uint64_t now = bench_now_ns(), until = MIN(next, stop_at);

		/* With --count, look every 5 ms for the end. Otherwise read
		 * the counters only when an interval ends, and sleep up to
		 * 100 ms (Ctrl-C) in between: each read is an owner call on
		 * both workers, and this thread waking up on a core a worker
		 * uses preempts that worker in the middle of its batches. */
		if (o.count)
			fwd_sleep_ms(5);
		else if (until > now)
			fwd_sleep_ms((unsigned)MIN((until - now + 999999) / 1000000, 100));
		now = bench_now_ns();
		if (!o.count && now < next && now < stop_at && !fwd_interrupted(c))
			continue;
		fwd_read(g, s, &k);
		if (now >= next || now >= stop_at || k.done || fwd_interrupted(c)) {
			if (r.niv < FWD_MAX_INTERVALS && now > last + 1000000) {
				struct fwd_interval *v = &r.iv[r.niv++];

				v->t0 = (double)(last - t0) / 1e9;
				v->t1 = (double)(now - t0) / 1e9;
				v->sent = k.sent - prev.sent;
				v->rcvd = k.rcvd - prev.rcvd;
				v->bytes = k.bytes - prev.bytes;
				if (!o.json)
					fwd_print_interval(c, v, flen);
				prev = k;
				last = now;
			}
			next = now + 1000000000ull;
		}
		if (now >= stop_at || k.done || fwd_interrupted(c))
			break;
	}

	/* Stop, then account for every packet. */
	fwd_gen_quiesce(g);
	r.secs = (double)(bench_now_ns() - t0) / 1e9;
	bench_busy_snapshot(r.busy);
	for (unsigned i = 0; i < loop_nworkers(); i++)
		r.busy[i] -= busy0[i];
	fwd_read(g, s, &k);
	r.sent = k.sent;
	r.nomem = k.nomem;
	if (g->err) {
		fprintf(c->err, "bench: the generator's device in \"%s\" went away\n", src);
		goto out;
	}
	err = fwd_drain(c, &o, g, s, drops0, &r);
	if (err)
		goto out;
	/* Hops from the TTL the absorber saw (a user topology's path length
	 * is not known otherwise). */
	r.hops = o.topology && r.rcvd ? (unsigned)(FWD_TTL - s->ttl) : o.hops;
	fwd_report(c, &o, &r, s, flen);
	err = r.inflight ? -EIO : 0;

out:
	if (g && g->w)
		fwd_gen_quiesce(g);
	if (sink_started && s->w)
		loop_call_sync(s->w, fwd_sink_stop_fn, s);
	fwd_chain_delete(c, &b, &o, created);
	bench_cli_close(&b);
	if (g)
		free(g->frames);
	if (s)
		free(s->hist);
	free(g);
	free(s);
	free(flow);
	free(busy0);
	free(r.busy);
	free(r.iv);
	return err;
}
