// SPDX-License-Identifier: MIT
/*
 * Unit tests for netns/core/capture.c (the device tap) and the tcpdump line
 * printer (cli/tcpdump_print.c): a device without captures copies nothing;
 * a capture sees received and transmitted frames in order; a libpcap BPF
 * filter decides what is kept; stop and device deletion end the capture
 * with the frames taken so far; a consumer that does not read makes the tap
 * count drops instead of waiting; the printed lines are tcpdump -n's.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "cli/tcpdump.h"
#include "netns/core/capture.h"
#include "netns/proto/ip.h"
#include "tests/unit/harness/harness.h"

#define MAC_H H_HOST_MAC
#define MAC_P H_PEER_MAC

static struct netns *ns;
static struct netdev *eth0;

static int setup(void **state)
{
	(void)state;
	ns = h_host("h", &eth0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown();
	return 0;
}

/* An echo request from 10.0.0.2 to 10.0.0.1 (74 bytes): the stack answers
 * with an echo reply on eth0. */
static void rx_echo(uint16_t seq)
{
	uint8_t f[256], icmp[128];
	size_t n = h_icmp_echo(icmp, ICMP_ECHO, 0x1234, seq, 32);
	size_t fl = h_eth(f, MAC_H, MAC_P, ETH_P_IP);

	fl += h_ipv4(f + fl, "10.0.0.2", "10.0.0.1", IPPROTO_ICMP, 64, icmp, n);
	h_rx(eth0, f, fl);
	h_run();
}

/* Take every record queued so far; fills @out (up to @max) and returns the
 * count. */
static unsigned drain(struct capture *cap, const struct capture_rec **out, uint8_t *store,
		      unsigned max)
{
	struct capture_batch *b;
	enum capture_end end;
	unsigned n = 0;
	size_t used = 0;

	while ((b = capture_next(cap, 0, &end))) {
		const struct capture_rec *r;
		size_t off = 0;

		while ((r = capture_batch_rec(b, &off))) {
			size_t sz = sizeof(*r) + r->caplen;

			if (n < max) {
				memcpy(store + used, r, sz);
				out[n] = (const struct capture_rec *)(store + used);
				used += (sz + 7) & ~(size_t)7;
			}
			n++;
		}
		capture_batch_release(cap, b);
	}
	return n;
}

static struct capture *attach(const struct capture_config *cfg)
{
	struct capture *cap = capture_create(cfg);
	uint16_t type = 0;

	assert_non_null(cap);
	assert_int_equal(capture_attach(ns, "eth0", cap, &type, NULL), 0);
	assert_int_equal(type, ARPHRD_ETHER);
	return cap;
}

/* Stop, let the owner run the stop call, check the end, free. */
static void stop_and_free(struct capture *cap)
{
	enum capture_end end = CAPTURE_RUNNING;

	capture_request_stop(cap);
	h_run();
	while (capture_next(cap, 0, &end))
		;
	assert_int_equal(end, CAPTURE_END_STOPPED);
	capture_destroy(cap);
}

static void test_capture_off_copies_nothing(void **state)
{
	uint64_t before = capture_copies();

	rx_echo(1);
	assert_int_equal(h_tx_count(eth0), 1); /* the reply went out */
	assert_null(eth0->capture);
	assert_int_equal(capture_copies(), before);
}

static void test_capture_sees_rx_and_tx(void **state)
{
	struct capture_config cfg = { 0 };
	struct capture *cap = attach(&cfg);
	const struct capture_rec *r[4];
	uint64_t rx, drops;
	uint8_t store[4096];

	rx_echo(7);
	assert_int_equal(drain(cap, r, store, 4), 2);
	/* first the request as received, then the reply as transmitted */
	assert_int_equal(r[0]->outgoing, 0);
	assert_int_equal(r[0]->len, 74);
	assert_int_equal(r[0]->caplen, 74);
	assert_int_equal(r[0]->data[14 + 20], ICMP_ECHO);
	assert_int_equal(r[1]->outgoing, 1);
	assert_int_equal(r[1]->len, 74);
	assert_int_equal(r[1]->data[14 + 20], ICMP_ECHOREPLY);
	static const uint8_t peer[6] = { 2, 0, 0, 0, 0, 2 };
	assert_memory_equal(r[1]->data, peer, 6); /* to the peer */
	assert_true(r[1]->ts_ns >= r[0]->ts_ns);
	assert_true(r[0]->ts_ns > 1600000000ull * 1000000000ull); /* wall clock */
	capture_stats(cap, &rx, &drops);
	assert_int_equal(rx, 2);
	assert_int_equal(drops, 0);
	stop_and_free(cap);
	/* detached: traffic no longer copies */
	uint64_t before = capture_copies();
	rx_echo(8);
	assert_int_equal(capture_copies(), before);
	assert_null(eth0->capture);
}

static bool bpf_run(const void *prog, const uint8_t *d, uint32_t wirelen, uint32_t caplen)
{
	const struct bpf_program *p = prog;

	return bpf_filter(p->bf_insns, d, wirelen, caplen) != 0;
}

static void test_capture_filter_keeps_only_matches(void **state)
{
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 262144);
	struct capture_config cfg = { .filter = bpf_run };
	const struct capture_rec *r[4];
	struct bpf_program prog;
	struct capture *cap;
	uint64_t rx;
	uint8_t store[4096];

	assert_non_null(pd);
	assert_int_equal(pcap_compile(pd, &prog, "icmp[icmptype] = icmp-echoreply", 1,
				      PCAP_NETMASK_UNKNOWN), 0);
	cfg.filter_prog = &prog;
	cap = attach(&cfg);
	rx_echo(1);
	rx_echo(2);
	assert_int_equal(drain(cap, r, store, 4), 2);
	assert_int_equal(r[0]->outgoing, 1);
	assert_int_equal(r[1]->outgoing, 1);
	assert_int_equal(r[1]->data[14 + 20], ICMP_ECHOREPLY);
	capture_stats(cap, &rx, NULL);
	assert_int_equal(rx, 2); /* the requests did not pass the filter */
	stop_and_free(cap);
	pcap_freecode(&prog);
	pcap_close(pd);
}

static void test_capture_snaplen_truncates(void **state)
{
	struct capture_config cfg = { .snaplen = 40 };
	struct capture *cap = attach(&cfg);
	const struct capture_rec *r[4];
	uint8_t store[4096];

	rx_echo(1);
	assert_int_equal(drain(cap, r, store, 4), 2);
	assert_int_equal(r[0]->caplen, 40);
	assert_int_equal(r[0]->len, 74);
	stop_and_free(cap);
}

static void test_capture_ends_when_device_deleted(void **state)
{
	struct capture_config cfg = { 0 };
	struct capture *cap = attach(&cfg);
	const struct capture_rec *r[4];
	enum capture_end end = CAPTURE_RUNNING;
	uint8_t store[4096];

	rx_echo(1);
	h_ns_destroy(ns);
	/* the frames taken before the end still arrive, then the end */
	assert_int_equal(drain(cap, r, store, 4), 2);
	assert_null(capture_next(cap, 0, &end));
	assert_int_equal(end, CAPTURE_END_GONE);
	/* a stop after the end is ignored */
	capture_request_stop(cap);
	capture_destroy(cap);
}

static void test_capture_full_queue_counts_drops(void **state)
{
	/* the smallest queue: two batches */
	struct capture_config cfg = { .queue_bytes = 1 };
	struct capture *cap = attach(&cfg);
	const struct capture_rec *r[64];
	uint64_t rx, drops;
	static uint8_t store[64 * 256];
	unsigned i, got;

	/* Each iteration's frames are handed over as one batch: with nobody
	 * reading, the third iteration finds no free batch. */
	for (i = 0; i < 5; i++)
		rx_echo((uint16_t)i);
	assert_int_equal(h_tx_count(eth0), 5); /* the stack never waited */
	capture_stats(cap, &rx, &drops);
	assert_int_equal(rx, 10);
	assert_int_equal(drops, 6);
	got = drain(cap, r, store, 64);
	assert_int_equal(got, 4);
	/* the consumer caught up: capture works again */
	rx_echo(9);
	assert_int_equal(drain(cap, r, store, 64), 2);
	stop_and_free(cap);
}

static void test_capture_attach_unknown_device_fails(void **state)
{
	struct capture_config cfg = { 0 };
	struct capture *cap = capture_create(&cfg);
	struct extack ext = { 0 };

	assert_int_equal(capture_attach(ns, "eth9", cap, NULL, &ext), -ENODEV);
	assert_string_equal(ext.msg, "Cannot find device");
	assert_null(eth0->capture);
	capture_destroy(cap);
}

/* ---- the tcpdump -n line printer ---- */

static void fmt_eq(bool eflag, const uint8_t *f, size_t n, const char *want)
{
	struct tcpdump_print_opts o = { .eflag = eflag };
	char line[512];

	tcpdump_format(line, sizeof(line), &o, false, f, (uint32_t)n, (uint32_t)n);
	assert_string_equal(line, want);
}

static void test_tcpdump_prints_echo_arp_udp(void **state)
{
	uint8_t f[256], l4[128];
	size_t n, m;

	n = h_eth(f, MAC_H, MAC_P, ETH_P_IP);
	m = h_icmp_echo(l4, ICMP_ECHO, 1, 2, 56);
	n += h_ipv4(f + n, "10.0.1.2", "10.0.2.2", IPPROTO_ICMP, 64, l4, m);
	fmt_eq(false, f, n, "IP 10.0.1.2 > 10.0.2.2: ICMP echo request, id 1, seq 2, length 64");
	fmt_eq(true, f, n,
	       "02:00:00:00:00:02 > 02:00:00:00:00:01, ethertype IPv4 (0x0800), length 98: "
	       "10.0.1.2 > 10.0.2.2: ICMP echo request, id 1, seq 2, length 64");
	/* a truncated capture of it */
	fmt_eq(false, f, 14 + 10, "IP [|ip]");

	n = h_eth(f, MAC_H, MAC_P, ETH_P_IP);
	m = h_udp(l4, "10.0.1.2", "10.0.2.2", 40000, 33434, "0123456789abcdef0123456789abcdef",
		  32);
	n += h_ipv4(f + n, "10.0.1.2", "10.0.2.2", IPPROTO_UDP, 1, l4, m);
	fmt_eq(false, f, n, "IP 10.0.1.2.40000 > 10.0.2.2.33434: UDP, length 32");

	/* ARP request and reply (hrd 1, pro 0x0800, 6, 4) */
	static const uint8_t arp_req[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2, 0x08, 0x06,
		0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 2, 10, 0, 1, 2,
		0, 0, 0, 0, 0, 0, 10, 0, 1, 1,
	};
	fmt_eq(false, arp_req, sizeof(arp_req),
	       "ARP, Request who-has 10.0.1.1 tell 10.0.1.2, length 28");
	uint8_t arp_rep[sizeof(arp_req)];
	memcpy(arp_rep, arp_req, sizeof(arp_req));
	arp_rep[21] = 2;
	memcpy(arp_rep + 28, (uint8_t[]){ 10, 0, 1, 1 }, 4);
	fmt_eq(false, arp_rep, sizeof(arp_rep),
	       "ARP, Reply 10.0.1.1 is-at 02:00:00:00:00:02, length 28");
}

static void test_tcpdump_prints_icmp_errors(void **state)
{
	uint8_t f[256], l4[128], inner[64], udp[16];
	size_t n, m, in;

	/* port unreachable quoting a UDP datagram to 10.0.2.2:33434 */
	m = h_udp(udp, "10.0.1.2", "10.0.2.2", 40000, 33434, NULL, 0);
	in = h_ipv4(inner, "10.0.1.2", "10.0.2.2", IPPROTO_UDP, 1, udp, m);
	memset(l4, 0, 8);
	l4[0] = ICMP_DEST_UNREACH;
	l4[1] = ICMP_PORT_UNREACH;
	memcpy(l4 + 8, inner, in);
	n = h_eth(f, MAC_H, MAC_P, ETH_P_IP);
	n += h_ipv4(f + n, "10.0.2.2", "10.0.1.2", IPPROTO_ICMP, 64, l4, 8 + in);
	fmt_eq(false, f, n,
	       "IP 10.0.2.2 > 10.0.1.2: ICMP 10.0.2.2 udp port 33434 unreachable, length 36");

	/* frag needed, mtu 1400 */
	l4[1] = ICMP_FRAG_NEEDED;
	l4[6] = 1400 >> 8;
	l4[7] = 1400 & 0xff;
	n = h_eth(f, MAC_H, MAC_P, ETH_P_IP);
	n += h_ipv4(f + n, "10.0.1.1", "10.0.1.2", IPPROTO_ICMP, 64, l4, 8 + in);
	fmt_eq(false, f, n,
	       "IP 10.0.1.1 > 10.0.1.2: ICMP 10.0.2.2 unreachable - need to frag (mtu 1400), "
	       "length 36");

	/* time exceeded in transit */
	memset(l4, 0, 8);
	l4[0] = ICMP_TIME_EXCEEDED;
	n = h_eth(f, MAC_H, MAC_P, ETH_P_IP);
	n += h_ipv4(f + n, "10.0.1.1", "10.0.1.2", IPPROTO_ICMP, 64, l4, 8 + in);
	fmt_eq(false, f, n, "IP 10.0.1.1 > 10.0.1.2: ICMP time exceeded in-transit, length 36");

	/* an unknown ethertype */
	n = h_eth(f, MAC_H, MAC_P, 0x88b5);
	memset(f + n, 0, 46);
	fmt_eq(false, f, n + 46, "ethertype Unknown (0x88b5), length 60");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capture_off_copies_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_sees_rx_and_tx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_filter_keeps_only_matches, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_capture_snaplen_truncates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_ends_when_device_deleted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_capture_full_queue_counts_drops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_capture_attach_unknown_device_fails, setup,
						teardown),
		cmocka_unit_test(test_tcpdump_prints_echo_arp_udp),
		cmocka_unit_test_setup_teardown(test_tcpdump_prints_icmp_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
