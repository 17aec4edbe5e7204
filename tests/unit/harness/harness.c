// SPDX-License-Identifier: MIT
/*
 * Unit-test harness: fake worker and clock, namespaces torn down at the end
 * of each test with a packet leak check, and frame builders. Checksums are
 * computed here independently of core/csum.c so that a bug there cannot
 * hide behind matching builders.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "devices/devices.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "netns/core/neigh.h"
#include "netns/proto/arp.h"
#include "netns/core/sysctl.h"
#include "tests/unit/harness/harness.h"

#define H_MAX_NS 32

static struct netns *h_nss[H_MAX_NS];
static unsigned h_nns;

void h_setup(void)
{
	static bool inited;

	loop_test_attach(H_START_NS);
	if (!inited) {
		inited = true;
		inet_init();
		devices_init();
	}
	h_nns = 0;
}

void h_run(void)
{
	loop_test_run(loop_now());
}

void h_advance(uint64_t ns)
{
	loop_test_run(loop_now() + ns);
}

uint64_t h_now(void)
{
	return loop_now();
}

struct netns *h_ns(const char *name)
{
	struct netns *ns;

	assert_true(h_nns < H_MAX_NS);
	ns = netns_create(name, loop_current());
	assert_non_null(ns);
	assert_int_equal(netns_register(ns), 0);
	h_nss[h_nns++] = ns;
	return ns;
}

void h_ns_destroy(struct netns *ns)
{
	unsigned i;

	for (i = 0; i < h_nns; i++) {
		if (h_nss[i] == ns) {
			memmove(&h_nss[i], &h_nss[i + 1], (h_nns - i - 1) * sizeof(h_nss[0]));
			h_nns--;
			break;
		}
	}
	netns_unregister(ns);
	netns_destroy(ns);
	h_run();
}

void h_teardown(void)
{
	h_run();
	while (h_nns) {
		struct netns *ns = h_nss[--h_nns];

		netns_unregister(ns);
		netns_destroy(ns);
	}
	h_run();
	assert_int_equal(pkt_in_use(), 0);
	loop_test_detach();
}

/* ---- fake device ---- */

static void fake_xmit(struct netdev *dev, struct pkt *p)
{
	pkt_queue_push(dev->priv, p);
}

static void fake_uninit(struct netdev *dev)
{
	h_tx_flush(dev);
}

static const struct netdev_ops fake_ops = {
	.kind = "fake",
	.xmit = fake_xmit,
	.uninit = fake_uninit,
};

void h_mac(uint8_t *out, const char *mac)
{
	unsigned b[ETH_ALEN];
	int i;

	assert_int_equal(sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]),
			 6);
	for (i = 0; i < ETH_ALEN; i++)
		out[i] = (uint8_t)b[i];
}

struct netdev *h_fake_dev(struct netns *ns, const char *name, const char *mac)
{
	struct netdev *dev = dev_alloc(ns, name, &fake_ops, sizeof(struct pkt_queue));

	assert_non_null(dev);
	pkt_queue_init(dev->priv);
	if (mac)
		h_mac(dev->addr, mac);
	assert_int_equal(dev_register(dev, 0, NULL), 0);
	assert_int_equal(dev_open(dev), 0);
	return dev;
}

unsigned h_tx_count(struct netdev *fake)
{
	return ((struct pkt_queue *)fake->priv)->len;
}

struct pkt *h_tx_pop(struct netdev *fake)
{
	return pkt_queue_pop(fake->priv);
}

void h_tx_flush(struct netdev *fake)
{
	struct pkt *p;

	while ((p = pkt_queue_pop(fake->priv)))
		pkt_free(p);
}

void h_rx(struct netdev *dev, const void *frame, size_t len)
{
	struct pkt *p = pkt_alloc(PKT_HR_NET, (unsigned)len);

	assert_non_null(p);
	memcpy(p->data, frame, len);
	p->dev = dev;
	p->ns = dev->ns;
	p->tstamp = loop_now();
	dev_rx(p);
}

/* ---- frame builders ---- */

static uint32_t h_sum(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

/* Folded one's complement, returned in network order. */
static uint16_t h_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

uint32_t h_ip(const char *dotted)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, dotted, &a), 1);
	return a.s_addr;
}

size_t h_eth(uint8_t *buf, const char *dst_mac, const char *src_mac, uint16_t proto)
{
	struct ethhdr *eth = (struct ethhdr *)buf;

	h_mac(eth->h_dest, dst_mac);
	h_mac(eth->h_source, src_mac);
	eth->h_proto = htons(proto);
	return ETH_HLEN;
}

size_t h_ipv4(uint8_t *buf, const char *src, const char *dst, uint8_t proto, uint8_t ttl,
	      const void *payload, size_t len)
{
	struct iphdr iph;

	memset(&iph, 0, sizeof(iph));
	iph.version = 4;
	iph.ihl = 5;
	iph.tot_len = htons((uint16_t)(sizeof(iph) + len));
	iph.id = htons(1);
	iph.ttl = ttl;
	iph.protocol = proto;
	iph.saddr = h_ip(src);
	iph.daddr = h_ip(dst);
	iph.check = h_fold(h_sum(&iph, sizeof(iph), 0));
	memcpy(buf, &iph, sizeof(iph));
	if (len)
		memmove(buf + sizeof(iph), payload, len);
	return sizeof(iph) + len;
}

size_t h_icmp_echo(uint8_t *buf, uint8_t type, uint16_t id, uint16_t seq, size_t payload_len)
{
	struct icmphdr ih;
	size_t i;

	memset(&ih, 0, sizeof(ih));
	ih.type = type;
	ih.un.echo.id = htons(id);
	ih.un.echo.sequence = htons(seq);
	memcpy(buf, &ih, sizeof(ih));
	for (i = 0; i < payload_len; i++)
		buf[sizeof(ih) + i] = (uint8_t)i;
	ih.checksum = h_fold(h_sum(buf, sizeof(ih) + payload_len, 0));
	memcpy(buf + offsetof(struct icmphdr, checksum), &ih.checksum, 2);
	return sizeof(ih) + payload_len;
}

size_t h_udp(uint8_t *buf, const char *src, const char *dst, uint16_t sport, uint16_t dport,
	     const void *payload, size_t len)
{
	struct udphdr uh;
	uint32_t saddr = h_ip(src), daddr = h_ip(dst), sum;
	uint16_t ulen = (uint16_t)(sizeof(uh) + len), check;

	uh.source = htons(sport);
	uh.dest = htons(dport);
	uh.len = htons(ulen);
	uh.check = 0;
	memcpy(buf, &uh, sizeof(uh));
	if (len)
		memmove(buf + sizeof(uh), payload, len);
	/* RFC 768 pseudo-header: saddr, daddr, zero, protocol, UDP length */
	sum = h_sum(&saddr, 4, 0);
	sum = h_sum(&daddr, 4, sum);
	sum += IPPROTO_UDP;
	sum += ulen;
	sum = h_sum(buf, ulen, sum);
	check = h_fold(sum);
	/* a computed 0 is sent as all ones (0 means "no checksum") */
	if (check == 0)
		check = 0xffff;
	memcpy(buf + offsetof(struct udphdr, check), &check, 2);
	return ulen;
}

struct netns *h_host(const char *name, struct netdev **eth0)
{
	uint8_t mac[ETH_ALEN];
	struct netns *ns;

	h_setup();
	ns = h_ns(name);
	*eth0 = h_fake_dev(ns, "eth0", H_HOST_MAC);
	assert_int_equal(dev_open(ns->lo), 0);
	assert_int_equal(inet_addr_add(*eth0, h_ip("10.0.0.1"), 24, h_ip("10.0.0.255"),
				       RT_SCOPE_UNIVERSE, "eth0", NULL),
			 0);
	h_mac(mac, H_PEER_MAC);
	assert_int_equal(neigh_update_cfg(*eth0, h_ip("10.0.0.2"), mac, NUD_PERMANENT,
					  NLM_F_CREATE | NLM_F_REPLACE, NULL),
			 0);
	h_run();
	h_tx_flush(*eth0);
	return ns;
}

size_t h_arp(uint8_t *buf, const char *eth_dst, const char *sha, int op, const char *sip,
	     const char *tha, const char *tip)
{
	struct arp_eth *a = (struct arp_eth *)(buf + ETH_HLEN);
	uint32_t s = h_ip(sip), t = h_ip(tip);

	memset(buf, 0, ETH_ZLEN);
	h_eth(buf, eth_dst, sha, ETH_P_ARP);
	a->ar_hrd = htons(1);
	a->ar_pro = htons(ETH_P_IP);
	a->ar_hln = 6;
	a->ar_pln = 4;
	a->ar_op = htons((uint16_t)op);
	h_mac(a->ar_sha, sha);
	memcpy(a->ar_sip, &s, 4);
	h_mac(a->ar_tha, tha);
	memcpy(a->ar_tip, &t, 4);
	return ETH_ZLEN;
}

void h_neigh(struct netdev *dev, const char *ip, const char *mac)
{
	uint8_t ha[ETH_ALEN];

	h_mac(ha, mac);
	assert_int_equal(
		neigh_update_cfg(dev, h_ip(ip), ha, NUD_PERMANENT, NLM_F_CREATE | NLM_F_REPLACE, NULL),
		0);
}

struct netns *h_router(const char *name, struct netdev **eth0, struct netdev **eth1)
{
	struct netns *ns = h_ns(name);

	*eth0 = h_fake_dev(ns, "eth0", H_R0_MAC);
	*eth1 = h_fake_dev(ns, "eth1", H_R1_MAC);
	assert_int_equal(dev_open(ns->lo), 0);
	assert_int_equal(inet_addr_add(*eth0, h_ip("10.0.1.1"), 24, h_ip("10.0.1.255"),
				       RT_SCOPE_UNIVERSE, "eth0", NULL),
			 0);
	assert_int_equal(inet_addr_add(*eth1, h_ip("10.0.2.1"), 24, h_ip("10.0.2.255"),
				       RT_SCOPE_UNIVERSE, "eth1", NULL),
			 0);
	h_neigh(*eth0, "10.0.1.2", H_A_MAC);
	h_neigh(*eth1, "10.0.2.2", H_B_MAC);
	assert_int_equal(sysctl_set(ns, "net.ipv4.ip_forward", "1", NULL), 0);
	h_run();
	h_tx_flush(*eth0);
	h_tx_flush(*eth1);
	return ns;
}

int h_cm_setup(void **state)
{
	(void)state;
	h_setup();
	return 0;
}

int h_cm_teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}
