// SPDX-License-Identifier: MIT
/*
 * The batch receive path gives what the single path gives. Two identical
 * routers
 *   A 10.0.1.2 --- eth0 10.0.1.1 [r] eth1 10.0.2.1 --- B 10.0.2.2
 * receive the same mixed sequence of frames, one through dev_rx frame by
 * frame, the other as one dev_rx_batch (runs of forwarded datagrams,
 * local delivery, every kind of error in between): every MIB counter,
 * drop reason and device statistic must match, and each device must send
 * the same frames in the same order. Plus the backlog bound of
 * netif_rx_batch and dev_queue_xmit_batch on a device with xmit_batch.
 */
#include <linux/neighbour.h>
#include <linux/netlink.h>

#include "tests/unit/harness/harness.h"

#include "core/csum.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "netns/core/neigh.h"
#include "netns/core/sysctl.h"

#define MAC_R0 H_R0_MAC
#define MAC_R1 H_R1_MAC
#define MAC_A H_A_MAC
#define MAC_B H_B_MAC
#define MAC_OTHER "02:00:00:00:00:99"
#define BCAST "ff:ff:ff:ff:ff:ff"

struct router {
	struct netns *ns;
	struct netdev *eth0, *eth1;
};

static void router_make(struct router *r, const char *name)
{
	r->ns = h_router(name, &r->eth0, &r->eth1);
	/* a small MTU on eth1, so fragmentation and DF paths are exercised */
	assert_int_equal(dev_set_mtu(r->eth1, 600, NULL), 0);
	h_run();
}


#define MAX_FRAMES 48

struct frame {
	int dev; /* 0: eth0, 1: eth1 */
	size_t len;
	uint8_t b[1600];
};

static struct frame frames[MAX_FRAMES];
static unsigned nframes;

static struct frame *frame_new(int dev)
{
	assert_true(nframes < MAX_FRAMES);
	frames[nframes].dev = dev;
	return &frames[nframes++];
}

/* A UDP-ish datagram: @ttl, @len bytes of payload, DF per @df. */
static void add_dgram(int dev, const char *dmac, const char *src, const char *dst, uint8_t ttl,
		      size_t len, bool df)
{
	static uint8_t payload[1500];
	struct frame *f = frame_new(dev);
	size_t l = h_eth(f->b, dmac, dev ? MAC_B : MAC_A, ETH_P_IP);
	struct iphdr *iph = (struct iphdr *)(f->b + l);

	memset(payload, 0x5a, sizeof(payload));
	l += h_ipv4(f->b + l, src, dst, IPPROTO_UDP, ttl, payload, len);
	if (df) {
		iph->frag_off = htons(IP_DF);
		iph->check = 0;
		iph->check = ip_fast_csum(iph, 5);
	}
	f->len = l;
}

static void add_fwd_ab(unsigned count)
{
	while (count--)
		add_dgram(0, MAC_R0, "10.0.1.2", "10.0.2.2", 64, 40, false);
}

/* The last frame added, as an IP header to corrupt. */
static struct iphdr *last_iph(void)
{
	return (struct iphdr *)(frames[nframes - 1].b + ETH_HLEN);
}

static void build_frames(void)
{
	struct frame *f;
	struct iphdr *iph;

	nframes = 0;
	add_fwd_ab(3);
	/* TTL 1: time exceeded back to A */
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.2.2", 1, 40, false);
	add_fwd_ab(2);
	/* bad checksum */
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.2.2", 64, 40, false);
	last_iph()->check ^= htons(0x0101);
	/* for another host's MAC */
	add_dgram(0, MAC_OTHER, "10.0.1.2", "10.0.2.2", 64, 40, false);
	add_fwd_ab(2);
	/* next hop without a neighbour: resolution starts, frame queued */
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.2.3", 64, 40, false);
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.2.3", 64, 40, false);
	/* local, no socket: port unreachable */
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.1.1", 64, 8, false);
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.1.1", 64, 8, false);
	add_fwd_ab(1);
	/* ARP request for the router */
	f = frame_new(0);
	f->len = h_arp(f->b, BCAST, MAC_A, 1, "10.0.1.2", "00:00:00:00:00:00", "10.0.1.1");
	add_fwd_ab(2);
	/* subnet broadcast, link broadcast */
	add_dgram(0, BCAST, "10.0.1.2", "10.0.1.255", 64, 8, false);
	/* link broadcast carrying a unicast to forward: not forwarded */
	add_dgram(0, BCAST, "10.0.1.2", "10.0.2.2", 64, 40, false);
	/* too big for eth1 (MTU 600): DF -> frag needed, else fragments */
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.2.2", 64, 1000, true);
	add_fwd_ab(1);
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.2.2", 64, 1000, false);
	add_fwd_ab(1);
	/* runt */
	f = frame_new(0);
	memset(f->b, 0, 10);
	f->len = 10;
	/* unknown ethertype */
	f = frame_new(0);
	f->len = h_eth(f->b, MAC_R0, MAC_A, 0x88b5) + 46;
	memset(f->b + ETH_HLEN, 0, 46);
	/* header with options (not 0x45): checked the long way, forwarded */
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.2.2", 64, 40, false);
	iph = last_iph();
	memmove((uint8_t *)iph + 24, (uint8_t *)iph + 20, 48);
	memset((uint8_t *)iph + 20, 1, 4); /* four NOPs */
	iph->ihl = 6;
	iph->tot_len = htons(ntohs(iph->tot_len) + 4);
	iph->check = 0;
	iph->check = ip_fast_csum(iph, 6);
	frames[nframes - 1].len += 4;
	/* truncated: tot_len beyond the frame */
	add_dgram(0, MAC_R0, "10.0.1.2", "10.0.2.2", 64, 40, false);
	iph = last_iph();
	iph->tot_len = htons(ntohs(iph->tot_len) + 100);
	iph->check = 0;
	iph->check = ip_fast_csum(iph, 5);
	/* the other direction, then back */
	add_dgram(1, MAC_R1, "10.0.2.2", "10.0.1.2", 64, 40, false);
	add_dgram(1, MAC_R1, "10.0.2.2", "10.0.1.2", 64, 40, false);
	add_fwd_ab(3);
	/* a martian source */
	add_dgram(0, MAC_R0, "127.0.0.1", "10.0.2.2", 64, 40, false);
	add_fwd_ab(1);
	/* no route */
	add_dgram(0, MAC_R0, "10.0.1.2", "192.0.2.1", 64, 40, false);
	add_fwd_ab(2);
}

static struct pkt *frame_pkt(const struct router *r, const struct frame *f)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, (unsigned)f->len);

	assert_non_null(p);
	memcpy(p->data, f->b, f->len);
	p->dev = f->dev ? r->eth1 : r->eth0;
	p->ns = r->ns;
	p->tstamp = loop_now();
	return p;
}

static void assert_stats_equal(const struct netdev *a, const struct netdev *b)
{
	assert_memory_equal(&a->stats, &b->stats, sizeof(a->stats));
}

static void assert_tx_equal(struct netdev *a, struct netdev *b)
{
	assert_int_equal(h_tx_count(a), h_tx_count(b));
	for (;;) {
		struct pkt *pa = h_tx_pop(a), *pb = h_tx_pop(b);

		if (!pa || !pb) {
			assert_null(pa);
			assert_null(pb);
			return;
		}
		assert_int_equal(pa->len, pb->len);
		assert_memory_equal(pa->data, pb->data, pa->len);
		pkt_free(pa);
		pkt_free(pb);
	}
}

static void test_dev_rx_batch_matches_single_path(void **state)
{
	struct router s, b;
	struct pkt_batch batch;
	unsigned i;

	(void)state;
	router_make(&s, "single");
	router_make(&b, "batch");
	/* locally built datagrams (ICMP errors) number from the same id */
	b.ns->ip_id = s.ns->ip_id;
	build_frames();

	for (i = 0; i < nframes; i++)
		dev_rx(frame_pkt(&s, &frames[i]));
	h_run();
	/* in batches of at most PKT_BATCH, as the backlog hands them over */
	for (i = 0; i < nframes;) {
		batch.n = 0;
		while (i < nframes && batch.n < PKT_BATCH)
			batch.p[batch.n++] = frame_pkt(&b, &frames[i++]);
		dev_rx_batch(&batch);
		assert_int_equal(batch.n, 0);
	}
	h_run();

	assert_memory_equal(s.ns->mib, b.ns->mib, sizeof(s.ns->mib));
	assert_memory_equal(s.ns->drop, b.ns->drop, sizeof(s.ns->drop));
	assert_stats_equal(s.eth0, b.eth0);
	assert_stats_equal(s.eth1, b.eth1);
	assert_stats_equal(s.ns->lo, b.ns->lo);
	/* the sequence moved what it was built to move */
	assert_true(s.ns->mib[MIB_IpForwDatagrams] >= 18);
	assert_true(s.ns->drop[DROP_IP_TTL_EXPIRED] == 1);
	assert_true(s.ns->drop[DROP_IP_CSUM] == 1);
	assert_true(s.ns->drop[DROP_OTHERHOST] == 1);
	assert_true(s.ns->drop[DROP_IP_FRAG_NEEDED] == 1);
	assert_true(s.ns->drop[DROP_PKT_TOO_SMALL] == 1);
	assert_true(s.ns->drop[DROP_UNHANDLED_PROTO] == 1);
	assert_true(s.ns->drop[DROP_PKT_TRUNCATED] == 1);
	assert_true(s.ns->mib[MIB_IpFragCreates] >= 2);
	assert_tx_equal(s.eth0, b.eth0);
	assert_tx_equal(s.eth1, b.eth1);
	/* the frames still queued for 10.0.2.3 go when the entry fails */
	h_advance(10ull * 1000 * 1000 * 1000);
	assert_memory_equal(s.ns->mib, b.ns->mib, sizeof(s.ns->mib));
	assert_memory_equal(s.ns->drop, b.ns->drop, sizeof(s.ns->drop));
	assert_tx_equal(s.eth0, b.eth0);
	assert_tx_equal(s.eth1, b.eth1);
}

static void test_netif_rx_batch_drops_beyond_backlog(void **state)
{
	struct router r;
	struct pkt_batch batch;
	struct frame *f;
	unsigned i, queued = 0;

	(void)state;
	router_make(&r, "r");
	nframes = 0;
	add_fwd_ab(1);
	f = &frames[0];
	/* fill the backlog to a few frames short of its bound (1000) */
	while (queued < 1000 - 8) {
		batch.n = 0;
		for (i = 0; i < PKT_BATCH && queued < 1000 - 8; i++, queued++)
			batch.p[batch.n++] = frame_pkt(&r, f);
		netif_rx_batch(&batch);
		assert_int_equal(batch.n, 0);
	}
	assert_int_equal(r.ns->drop[DROP_BACKLOG_FULL], 0);
	batch.n = 0;
	for (i = 0; i < PKT_BATCH; i++)
		batch.p[batch.n++] = frame_pkt(&r, f);
	netif_rx_batch(&batch);
	assert_int_equal(r.ns->drop[DROP_BACKLOG_FULL], PKT_BATCH - 8);
	h_run();
	assert_int_equal(r.ns->mib[MIB_IpForwDatagrams], 1000);
	assert_int_equal(h_tx_count(r.eth1), 1000);
	assert_int_equal(r.eth0->stats.rx_packets, 1000);
	h_tx_flush(r.eth1);
}

/* A device with xmit_batch: records the runs it is handed. */
static unsigned batch_runs, batch_frames;

static void rec_xmit(struct netdev *dev, struct pkt *p)
{
	(void)dev;
	pkt_consume(p);
}

static void rec_xmit_batch(struct netdev *dev, struct pkt_batch *b)
{
	(void)dev;
	batch_runs++;
	batch_frames += b->n;
	for (unsigned i = 0; i < b->n; i++)
		pkt_consume(b->p[i]);
	b->n = 0;
}

static const struct netdev_ops rec_ops = {
	.kind = "rec",
	.xmit = rec_xmit,
	.xmit_batch = rec_xmit_batch,
};

static void test_dev_queue_xmit_batch_counts_and_checks_state(void **state)
{
	struct netns *ns = h_ns("x");
	struct netdev *dev = dev_alloc(ns, "rec0", &rec_ops, 0);
	struct pkt_batch b;
	unsigned i;

	(void)state;
	assert_non_null(dev);
	assert_int_equal(dev_register(dev, 0, NULL), 0);
	assert_int_equal(dev_open(dev), 0);
	batch_runs = batch_frames = 0;
	b.n = 0;
	for (i = 0; i < 5; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_NET, 60);

		assert_non_null(p);
		memset(p->data, 0, 60);
		p->dev = dev;
		p->ns = ns;
		b.p[b.n++] = p;
	}
	dev_queue_xmit_batch(dev, &b);
	assert_int_equal(b.n, 0);
	assert_int_equal(batch_runs, 1);
	assert_int_equal(batch_frames, 5);
	assert_int_equal(dev->stats.tx_packets, 5);
	assert_int_equal(dev->stats.tx_bytes, 300);

	/* down: each frame is dropped as DEV_DOWN, as dev_queue_xmit does */
	assert_int_equal(dev_close(dev), 0);
	for (i = 0; i < 3; i++) {
		struct pkt *p = pkt_alloc(PKT_HR_NET, 60);

		assert_non_null(p);
		p->dev = dev;
		p->ns = ns;
		b.p[b.n++] = p;
	}
	dev_queue_xmit_batch(dev, &b);
	assert_int_equal(b.n, 0);
	assert_int_equal(batch_runs, 1);
	assert_int_equal(ns->drop[DROP_DEV_DOWN], 3);
	assert_int_equal(dev->stats.tx_dropped, 3);
	assert_int_equal(dev->stats.tx_packets, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dev_rx_batch_matches_single_path, h_cm_setup,
						h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_netif_rx_batch_drops_beyond_backlog, h_cm_setup,
						h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_dev_queue_xmit_batch_counts_and_checks_state,
						h_cm_setup, h_cm_teardown),
	};

	return cmocka_run_group_tests_name("test_dev_batch", tests, NULL, NULL);
}
