// SPDX-License-Identifier: MIT
/*
 * Fuzz target: Ethernet frames into dev_rx() (STYLE §8), the entry of the
 * whole receive path: eth, ARP and the neighbour state machine, ip_rcv_core,
 * routing (local, forward, blackhole/unreachable/prohibit, rp_filter),
 * reassembly, ICMP (echo, errors, rate limits), UDP, fragmentation on a
 * smaller-MTU link, and veth hand-off to the next namespace.
 *
 * Each input gets a fresh topology, built with CLI lines through the real
 * control path on the fake worker of the unit tests (deterministic: a
 * crash replays exactly):
 *
 *   h1 (10.0.1.2) -- h1-eth0 | r-eth0 -- r -- r-eth1 (MTU 1280) | h2-eth0 -- h2 (10.0.2.2)
 *
 * r forwards, has 192.0.2.1 on lo, a route to 198.51.100.0/24 via h2,
 * blackhole/unreachable/prohibit routes, loose rp_filter on r-eth0, and a
 * permanent neighbour for h2 (h1 is learnt through ARP). The input is a
 * sequence of records (tests/fuzz/fuzz.h), one frame each:
 *
 *   ctl bits 0-2  device: h1-eth0, r-eth0, r-eth1, h2-eth0, r's lo (mod 5)
 *   ctl bit 3     fix the IPv4 header checksum and, for an unfragmented
 *                 datagram, the ICMP/UDP checksum before injection (STYLE
 *                 §8: else the fuzzer learns little beyond checksum drops)
 *   ctl bit 4     receive through netif_rx() (the backlog) not dev_rx()
 *   ctl bits 5-6  then advance the fake clock by 0, 1, 5 or 40 seconds
 *
 * After the input, every timer runs out and every namespace is deleted;
 * no packet and no namespace may be left.
 */
#include <arpa/inet.h>
#include <string.h>

#include <linux/netlink.h>

#include "devices/devices.h"
#include "cli/cmd.h"
#include "core/csum.h"
#include "core/loop.h"
#include "core/pkt.h"
#include "netns/core/dev.h"
#include "netns/core/netns.h"
#include "netns/proto/ip.h"
#include "netns/rtnl/rtnl.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_START_NS 1000000000ull
#define FUZZ_SEC 1000000000ull
#define FUZZ_NDEV 5
#define FUZZ_FRAME_MAX 16384 /* beyond any MTU here: dev_rx drops it as too long */

static const char *const fuzz_topology[] = {
	"ip netns add h1",
	"ip netns add r",
	"ip netns add h2",
	"ip link add h1-eth0 netns h1 type veth peer name r-eth0 netns r",
	"ip link add r-eth1 netns r type veth peer name h2-eth0 netns h2",
	"ip -n h1 link set h1-eth0 address 02:00:00:00:01:02",
	"ip -n r link set r-eth0 address 02:00:00:00:01:01",
	"ip -n r link set r-eth1 address 02:00:00:00:02:01",
	"ip -n h2 link set h2-eth0 address 02:00:00:00:02:02",
	"ip -n h1 addr add 10.0.1.2/24 dev h1-eth0",
	"ip -n r addr add 10.0.1.1/24 dev r-eth0",
	"ip -n r addr add 10.0.2.1/24 dev r-eth1",
	"ip -n r addr add 192.0.2.1/32 dev lo",
	"ip -n h2 addr add 10.0.2.2/24 dev h2-eth0",
	"ip -n h1 link set lo up",
	"ip -n r link set lo up",
	"ip -n h2 link set lo up",
	"ip -n h1 link set h1-eth0 up",
	"ip -n r link set r-eth0 up",
	"ip -n r link set r-eth1 mtu 1280",
	"ip -n r link set r-eth1 up",
	"ip -n h2 link set h2-eth0 mtu 1280",
	"ip -n h2 link set h2-eth0 up",
	"ip -n h1 route add default via 10.0.1.1",
	"ip -n h2 route add default via 10.0.2.1",
	"ip -n r route add 198.51.100.0/24 via 10.0.2.2",
	"ip -n r route add blackhole 203.0.113.0/25",
	"ip -n r route add unreachable 203.0.113.128/25",
	"ip -n r route add prohibit 100.64.0.0/10",
	"ip -n r neigh add 10.0.2.2 lladdr 02:00:00:00:02:02 dev r-eth1 nud permanent",
	"ip netns exec r sysctl -w net.ipv4.ip_forward=1",
	"ip netns exec r sysctl -w net.ipv4.conf.r-eth0.rp_filter=2",
};

static const struct {
	const char *ns, *dev;
} fuzz_devs[FUZZ_NDEV] = {
	{ "h1", "h1-eth0" }, { "r", "r-eth0" }, { "r", "r-eth1" }, { "h2", "h2-eth0" }, { "r", "lo" },
};

static FILE *fuzz_null;

/* Recompute the checksums a sender would have filled in. Borrows @f. */
static void fuzz_fix_csums(uint8_t *f, size_t len)
{
	struct iphdr *iph = (struct iphdr *)(f + ETH_HLEN);
	size_t ihl, tot, l4len;
	uint8_t *l4;

	if (len < ETH_HLEN + sizeof(*iph) || f[12] != 0x08 || f[13] != 0x00)
		return;
	ihl = (size_t)iph->ihl * 4;
	if (ihl < sizeof(*iph) || ETH_HLEN + ihl > len)
		return;
	iph->check = 0;
	iph->check = ip_compute_csum(iph, ihl);
	tot = ntohs(iph->tot_len);
	/* L4 checksums cover the whole datagram: only in a first and last
	 * fragment, and only when tot_len fits the frame. */
	if ((ntohs(iph->frag_off) & 0x3fff) || tot < ihl || ETH_HLEN + tot > len)
		return;
	l4 = f + ETH_HLEN + ihl;
	l4len = tot - ihl;
	if (iph->protocol == IPPROTO_ICMP && l4len >= 4) {
		l4[2] = l4[3] = 0;
		uint16_t c = ip_compute_csum(l4, l4len);
		memcpy(l4 + 2, &c, 2);
	} else if (iph->protocol == IPPROTO_UDP && l4len >= 8) {
		l4[6] = l4[7] = 0;
		uint16_t c = csum_fold(csum_tcpudp_nofold(iph->saddr, iph->daddr, (uint16_t)l4len,
							  IPPROTO_UDP, csum_partial(l4, l4len, 0)));
		if (!c)
			c = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
		memcpy(l4 + 6, &c, 2);
	}
}

static void fuzz_build_topology(struct netdev **devs)
{
	struct cli_ctx c;

	cli_ctx_init(&c, fuzz_null, fuzz_null);
	for (size_t i = 0; i < sizeof(fuzz_topology) / sizeof(fuzz_topology[0]); i++) {
		int ret = cli_run_line(&c, fuzz_topology[i]);

		if (ret)
			fprintf(stderr, "fuzz_frame: topology line failed: %s\n", fuzz_topology[i]);
		FUZZ_CHECK(ret == 0);
	}
	cli_ctx_free(&c);
	for (unsigned i = 0; i < FUZZ_NDEV; i++) {
		struct netns *ns = netns_lookup(fuzz_devs[i].ns);

		FUZZ_CHECK(ns);
		devs[i] = dev_get_by_name(ns, fuzz_devs[i].dev);
		FUZZ_CHECK(devs[i]);
	}
	/* Settle: gratuitous ARP of the addresses just added. */
	loop_test_run(loop_now() + FUZZ_SEC);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	loop_test_attach(FUZZ_START_NS);
	/* NSEMU_FUZZ_OUTPUT=1 shows what the commands print (debugging). */
	fuzz_null = getenv("NSEMU_FUZZ_OUTPUT") ? stdout : fopen("/dev/null", "w");
	FUZZ_CHECK(fuzz_null);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t steps[4] = { 0, 1 * FUZZ_SEC, 5 * FUZZ_SEC, 40 * FUZZ_SEC };
	struct fuzz_rec rec = { .p = data, .left = size };
	struct netdev *devs[FUZZ_NDEV];
	const uint8_t *buf;
	uint8_t ctl;
	size_t len;

	loop_test_attach(FUZZ_START_NS);
	devices_init();
	FUZZ_CHECK(rtnl_init() == 0);
	fuzz_build_topology(devs);

	while (fuzz_rec_next(&rec, &ctl, &buf, &len)) {
		struct netdev *dev = devs[(ctl & 7) % FUZZ_NDEV];
		struct pkt *p;

		if (len > FUZZ_FRAME_MAX)
			len = FUZZ_FRAME_MAX;
		p = pkt_alloc(PKT_HR_NET, (unsigned)len);
		FUZZ_CHECK(p);
		memcpy(p->data, buf, len);
		if (ctl & 8)
			fuzz_fix_csums(p->data, len);
		p->dev = dev;
		p->ns = dev->ns;
		p->tstamp = loop_now();
		if (ctl & 16)
			netif_rx(p);
		else
			dev_rx(p);
		loop_test_run(loop_now() + steps[(ctl >> 5) & 3]);
	}

	if (fuzz_null == stdout) {
		/* NSEMU_FUZZ_OUTPUT: what the input did, by counters */
		struct cli_ctx c;

		cli_ctx_init(&c, stdout, stdout);
		cli_run_line(&c, "show drops all");
		cli_run_line(&c, "nstat -n r");
		cli_run_line(&c, "ip -n r -s link show");
		cli_ctx_free(&c);
	}
	/* Every timer runs out (ARP retries, reassembly queues, ICMP rate
	 * limits), then the namespaces go: nothing may outlive them. */
	loop_test_run(loop_now() + 300 * FUZZ_SEC);
	rtnl_exit();
	loop_test_run(loop_now());
	/* no namespace left; the next input gets the same ids as this one */
	FUZZ_CHECK(netns_test_reset_ids() == 0);
	FUZZ_CHECK(pkt_in_use() == 0);
	return 0;
}
