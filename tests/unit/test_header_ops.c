// SPDX-License-Identifier: MIT
/*
 * Unit tests for header_ops (netns/core/eth.c, dev.h): Ethernet's create,
 * parse and cache, which devices get which framing (Ethernet devices and
 * lo eth_header_ops, tun none), and the neighbour output through a
 * device's header_ops: no link header at all without them (tx_bytes count
 * the IP packet), a header of another length from ->create one by one and
 * from ->cache for a batch.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "devices/tap.h"
#include "netns/core/neigh.h"
#include "netns/proto/ip.h"
#include "tests/unit/harness/harness.h"

#define MAC0 "02:00:00:00:00:01"
#define PEER "02:00:00:00:00:aa"


/* An IPv4 datagram to @dst for neigh_output on @dev; its length in *len. */
static struct pkt *ip_pkt(struct netdev *dev, const char *dst, size_t *len)
{
	uint8_t buf[64], pl[8] = { 0 };
	size_t n = h_ipv4(buf, "10.0.0.1", dst, IPPROTO_UDP, 64, pl, sizeof(pl));
	struct pkt *p = pkt_alloc(PKT_HR_NET, (unsigned)n);

	assert_non_null(p);
	memcpy(p->data, buf, n);
	p->dev = dev;
	p->ns = dev->ns;
	p->nexthop = h_ip(dst);
	p->flags |= PKT_F_LOCAL_OUT;
	pkt_set_l3(p);
	if (len)
		*len = n;
	return p;
}

static void test_eth_create_parse_and_cache_agree(void **state)
{
	struct netns *ns = h_ns("n");
	struct netdev *eth0 = h_fake_dev(ns, "eth0", MAC0);
	struct pkt *p = pkt_alloc(PKT_HR_LINK, 4);
	uint8_t dst[ETH_ALEN], src[ETH_ALEN];
	struct hh_cache hh = { 0 };
	struct neighbour n = { .dev = eth0 };
	const struct ethhdr *eth;

	assert_ptr_equal(eth0->header_ops, &eth_header_ops);
	assert_int_equal(eth0->hard_header_len, ETH_HLEN);
	h_mac(dst, PEER);
	/* NULL source: the device's own address */
	assert_int_equal(dev_hard_header(p, eth0, ETH_P_IP, dst, NULL, p->len), ETH_HLEN);
	eth = (const struct ethhdr *)p->data;
	assert_int_equal(p->len, 4 + ETH_HLEN);
	assert_memory_equal(eth->h_dest, dst, ETH_ALEN);
	assert_memory_equal(eth->h_source, eth0->addr, ETH_ALEN);
	assert_int_equal(ntohs(eth->h_proto), ETH_P_IP);
	assert_int_equal(eth_header_ops.parse(p, src), ETH_ALEN);
	assert_memory_equal(src, eth0->addr, ETH_ALEN);

	memcpy(n.ha, dst, ETH_ALEN);
	assert_int_equal(eth_header_ops.cache(&n, &hh, ETH_P_IP), 0);
	assert_int_equal(hh.hh_len, ETH_HLEN);
	assert_memory_equal(hh.hh_data, p->data, ETH_HLEN);
	pkt_free(p);

	/* no destination: the header is pushed, its length comes back negative */
	p = pkt_alloc(PKT_HR_LINK, 4);
	assert_int_equal(dev_hard_header(p, eth0, ETH_P_ARP, NULL, NULL, p->len), -ETH_HLEN);
	pkt_free(p);
}

static void test_lo_has_eth_header_ops_and_tun_none(void **state)
{
	struct netns *ns = h_ns("n");
	int sv[2];
	struct netdev *tun;
	struct pkt *p = pkt_alloc(PKT_HR_LINK, 4);
	uint8_t *data = p->data;

	/* loopback_setup: Ethernet framing with a zero MAC */
	assert_ptr_equal(ns->lo->header_ops, &eth_header_ops);
	assert_int_equal(ns->lo->hard_header_len, ETH_HLEN);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(tap_create_fd(ns, "tun0", sv[0], true, NULL, false, NULL), 0);
	tun = dev_get_by_name(ns, "tun0");
	assert_non_null(tun);
	assert_null(tun->header_ops);
	assert_int_equal(tun->hard_header_len, 0);
	/* dev_hard_header on a device without header_ops adds nothing */
	assert_int_equal(dev_hard_header(p, tun, ETH_P_IP, tun->broadcast, NULL, p->len), 0);
	assert_ptr_equal(p->data, data);
	assert_int_equal(p->len, 4);
	pkt_free(p);
	close(sv[1]);
}

static void test_neigh_output_without_header_ops_sends_the_ip_packet(void **state)
{
	struct netns *ns = h_ns("n");
	struct netdev *d = h_fake_dev(ns, "raw0", MAC0);
	struct pkt *p;
	size_t len;

	/* a tun-like device: no link header, no ARP */
	d->header_ops = NULL;
	d->hard_header_len = 0;
	d->flags |= IFF_NOARP;
	neigh_output(ip_pkt(d, "10.0.0.2", &len));
	p = h_tx_pop(d);
	assert_non_null(p);
	assert_int_equal(p->len, len);
	assert_int_equal(p->data[0], 0x45);
	assert_int_equal(p->protocol, ETH_P_IP);
	assert_int_equal(d->stats.tx_bytes, len);
	assert_int_equal(d->stats.tx_packets, 1);
	pkt_free(p);
}

/* A 10-byte link header: destination (6), type (2), 0xc0de. */
#define FAKE_HLEN 10
static unsigned fake_creates, fake_caches;

static int fake_create(struct pkt *p, const struct netdev *dev, uint16_t type,
		       const uint8_t *daddr, const uint8_t *saddr, unsigned len)
{
	uint8_t *h = pkt_push(p, FAKE_HLEN);
	uint16_t t = htons(type);

	(void)dev, (void)saddr, (void)len;
	fake_creates++;
	memcpy(h, daddr, ETH_ALEN);
	memcpy(h + 6, &t, 2);
	h[8] = 0xc0;
	h[9] = 0xde;
	pkt_set_l2(p);
	return FAKE_HLEN;
}

static int fake_cache(const struct neighbour *n, struct hh_cache *hh, uint16_t type)
{
	uint16_t t = htons(type);

	fake_caches++;
	memcpy(hh->hh_data, n->ha, ETH_ALEN);
	memcpy(hh->hh_data + 6, &t, 2);
	hh->hh_data[8] = 0xc0;
	hh->hh_data[9] = 0xde;
	hh->hh_len = FAKE_HLEN;
	return 0;
}

static const struct header_ops fake_header_ops = {
	.create = fake_create,
	.cache = fake_cache,
};
static const struct header_ops fake_header_ops_nocache = {
	.create = fake_create,
};

static void expect_fake_frame(struct netdev *d, size_t iplen)
{
	struct pkt *p = h_tx_pop(d);
	uint8_t peer[ETH_ALEN];

	assert_non_null(p);
	h_mac(peer, PEER);
	assert_int_equal(p->len, iplen + FAKE_HLEN);
	assert_memory_equal(p->data, peer, ETH_ALEN);
	assert_int_equal(p->data[6], 0x08);
	assert_int_equal(p->data[7], 0x00);
	assert_int_equal(p->data[8], 0xc0);
	assert_int_equal(p->data[9], 0xde);
	assert_int_equal(p->data[10], 0x45);
	assert_ptr_equal(pkt_l2(p), p->data);
	pkt_free(p);
}

static void run_batch(struct netdev *d, unsigned cnt, size_t *len)
{
	struct pkt_batch b;

	b.n = 0;
	for (unsigned i = 0; i < cnt; i++)
		b.p[b.n++] = ip_pkt(d, "10.0.0.2", len);
	neigh_output_batch(d, h_ip("10.0.0.2"), &b);
	assert_int_equal(b.n, 0);
}

static void test_neigh_output_frames_with_the_devices_header_ops(void **state)
{
	struct netns *ns = h_ns("n");
	struct netdev *d = h_fake_dev(ns, "fk0", MAC0);
	uint8_t peer[ETH_ALEN];
	size_t len;

	d->header_ops = &fake_header_ops;
	d->hard_header_len = FAKE_HLEN;
	h_mac(peer, PEER);
	assert_int_equal(neigh_update_cfg(d, h_ip("10.0.0.2"), peer, NUD_PERMANENT, NLM_F_CREATE,
					  NULL),
			 0);
	fake_creates = fake_caches = 0;
	/* one by one: ->create per packet */
	neigh_output(ip_pkt(d, "10.0.0.2", &len));
	assert_int_equal(fake_creates, 1);
	expect_fake_frame(d, len);
	/* a batch: ->cache once for the run, the header copied into each */
	run_batch(d, 3, &len);
	assert_int_equal(fake_caches, 1);
	assert_int_equal(fake_creates, 1);
	for (unsigned i = 0; i < 3; i++)
		expect_fake_frame(d, len);
	assert_int_equal(d->stats.tx_bytes, 4 * (len + FAKE_HLEN));
	/* without ->cache a batch is framed by ->create packet by packet */
	d->header_ops = &fake_header_ops_nocache;
	run_batch(d, 2, &len);
	assert_int_equal(fake_creates, 3);
	expect_fake_frame(d, len);
	expect_fake_frame(d, len);
	assert_null(h_tx_pop(d));
	d->header_ops = &eth_header_ops;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, h_cm_setup, h_cm_teardown)
		T(test_eth_create_parse_and_cache_agree),
		T(test_lo_has_eth_header_ops_and_tun_none),
		T(test_neigh_output_without_header_ops_sends_the_ip_packet),
		T(test_neigh_output_frames_with_the_devices_header_ops),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
