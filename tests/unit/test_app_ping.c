// SPDX-License-Identifier: MIT
/*
 * Unit tests for the built-in apps (cli/app_ping.c, cli/app_traceroute.c)
 * and their runner (cli/app.c), without threads: the app starts on the fake
 * worker (app_start_here), the test plays the network on a fake device
 * (echo replies, ICMP errors quoting what the app sent), advances the fake
 * clock, and compares the output with what iputils ping and traceroute 2.1
 * print.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness/harness.h"

#include "cli/app.h"
#include "cli/cmd.h"
#include "core/csum.h"
#include "netns/ipv4/fib.h"
#include "netns/core/neigh.h"
#include "netns/proto/ip.h"

#define GW_MAC "02:00:00:00:00:fe"

static struct netns *ns;
static struct netdev *eth0;
static char out[8192];

static int setup(void **state)
{
	struct fib_config cfg = {
		.table = RT_TABLE_MAIN,
		.type = RTN_UNICAST,
		.scope = RT_SCOPE_UNIVERSE,
		.protocol = RTPROT_BOOT,
		.nlflags = NLM_F_CREATE | NLM_F_EXCL,
	};
	uint8_t mac[ETH_ALEN];

	h_setup();
	ns = h_ns("h1");
	eth0 = h_fake_dev(ns, "eth0", "02:00:00:00:00:01");
	assert_int_equal(inet_addr_add(eth0, h_ip("10.0.1.2"), 24, h_ip("10.0.1.255"),
				       RT_SCOPE_UNIVERSE, "eth0", NULL), 0);
	cfg.gw = h_ip("10.0.1.1");
	assert_int_equal(fib_route_add(ns, &cfg, NULL), 0);
	/* a permanent neighbour for the gateway: no ARP in these tests */
	h_mac(mac, GW_MAC);
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.1.1"), mac, NUD_PERMANENT,
					  NLM_F_CREATE | NLM_F_REPLACE, NULL), 0);
	h_run();
	h_tx_flush(eth0);
	out[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	h_teardown();
	return 0;
}

/* Build the app from a command line the way the CLI would. */
static struct app *make_app(bool traceroute, const char *line, int *status, char *errbuf,
			    size_t errlen)
{
	struct cli_ctx c;
	char *argv[32], *copy = strdup(line), *tok, *save = NULL;
	int argc = 0;
	struct app *a;
	FILE *err = fmemopen(errbuf, errlen, "w");

	memset(&c, 0, sizeof(c));
	c.out = stdout;
	c.err = err;
	for (tok = strtok_r(copy, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	a = traceroute ? traceroute_app_create(&c, argc, argv, status)
		       : ping_app_create(&c, argc, argv, status);
	fclose(err);
	free(copy);
	return a;
}

static struct app *start(bool traceroute, const char *line)
{
	char err[256];
	int status;
	struct app *a = make_app(traceroute, line, &status, err, sizeof(err));

	assert_non_null(a);
	app_start_here(a, ns);
	h_run();
	return a;
}

/* Append the app's new output to `out`. */
static const char *collect(struct app *a)
{
	size_t n = strlen(out);

	app_read_output(a, out + n, sizeof(out) - n);
	return out;
}

static int finish(struct app *a)
{
	int status = -1;

	collect(a);
	assert_true(app_exited(a, &status));
	app_destroy(a);
	return status;
}

/* The IP header of the oldest frame the app sent (caller frees *p). */
static struct iphdr *pop_ip(struct pkt **p)
{
	*p = h_tx_pop(eth0);
	assert_non_null(*p);
	return (struct iphdr *)((*p)->data + ETH_HLEN);
}

static void rx_ip(const char *src, uint8_t ttl, uint8_t proto, const void *l4, size_t len)
{
	uint8_t frame[2048];
	size_t n = h_eth(frame, "02:00:00:00:00:01", GW_MAC, ETH_P_IP);

	n += h_ipv4(frame + n, src, "10.0.1.2", proto, ttl, l4, len);
	h_rx(eth0, frame, n);
	h_run();
}

/* Answer the oldest echo request from @src, @ttl, @copies times. */
static void reply_echo_from(const char *src, uint8_t ttl, unsigned copies)
{
	struct pkt *p;
	struct iphdr *iph = pop_ip(&p);
	unsigned len = ntohs(iph->tot_len) - iph->ihl * 4u;
	uint8_t icmp[2048];
	struct icmphdr *h = (struct icmphdr *)icmp;

	memcpy(icmp, (uint8_t *)iph + iph->ihl * 4, len);
	assert_int_equal(h->type, ICMP_ECHO);
	h->type = ICMP_ECHOREPLY;
	h->checksum = 0;
	h->checksum = ip_compute_csum(icmp, len);
	pkt_free(p);
	while (copies--)
		rx_ip(src, ttl, IPPROTO_ICMP, icmp, len);
}

/* Answer the oldest echo request as 10.0.2.2 would, 63 hops away,
 * @copies times (2: a duplicated reply). */
static void reply_echo_n(unsigned copies)
{
	reply_echo_from("10.0.2.2", 63, copies);
}

static void reply_echo(void)
{
	reply_echo_n(1);
}

/* Answer the oldest datagram with an ICMP error from @from quoting it. */
static void reply_error(const char *from, uint8_t type, uint8_t code, uint16_t mtu)
{
	struct pkt *p;
	struct iphdr *iph = pop_ip(&p);
	uint8_t icmp[8 + 60 + 8];
	struct icmphdr *h = (struct icmphdr *)icmp;
	unsigned qlen = iph->ihl * 4u + 8;

	memset(icmp, 0, sizeof(icmp));
	h->type = type;
	h->code = code;
	h->un.frag.mtu = htons(mtu);
	memcpy(icmp + 8, iph, qlen);
	h->checksum = ip_compute_csum(icmp, 8 + qlen);
	pkt_free(p);
	rx_ip(from, 64, IPPROTO_ICMP, icmp, 8 + qlen);
}

static void test_ping_prints_replies_and_statistics(void **state)
{
	struct app *a = start(false, "ping -c 2 -i 0.2 -W 1 10.0.2.2");

	h_advance(1000000); /* 1 ms RTT */
	reply_echo();
	h_advance(199000000);
	h_advance(1000000);
	reply_echo();
	assert_int_equal(finish(a), 0);
	assert_string_equal(out, "PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n"
				 "64 bytes from 10.0.2.2: icmp_seq=1 ttl=63 time=1.00 ms\n"
				 "64 bytes from 10.0.2.2: icmp_seq=2 ttl=63 time=1.00 ms\n"
				 "\n--- 10.0.2.2 ping statistics ---\n"
				 "2 packets transmitted, 2 received, 0% packet loss, time 200ms\n"
				 "rtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms\n");
}

static void test_ping_sends_requests_with_ttl_and_size(void **state)
{
	struct app *a = start(false, "ping -c 1 -t 7 -s 100 10.0.2.2");
	struct pkt *p;
	struct iphdr *iph = pop_ip(&p);

	assert_int_equal(iph->ttl, 7);
	assert_int_equal(ntohs(iph->tot_len), 20 + 8 + 100);
	assert_int_equal(iph->daddr, h_ip("10.0.2.2"));
	pkt_free(p);
	app_request_stop(a);
	h_run();
	finish(a);
	assert_non_null(strstr(out, "PING 10.0.2.2 (10.0.2.2) 100(128) bytes of data.\n"));
}

static void test_ping_no_reply_exits_1_after_linger(void **state)
{
	struct app *a = start(false, "ping -c 1 -W 1 10.0.2.2");
	int status;

	h_advance(900000000);
	assert_false(app_exited(a, &status));
	h_advance(100000000);
	assert_int_equal(finish(a), 1);
	assert_string_equal(out, "PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n"
				 "\n--- 10.0.2.2 ping statistics ---\n"
				 "1 packets transmitted, 0 received, 100% packet loss, time 0ms\n"
				 "\n");
}

static void test_ping_time_exceeded_is_an_error(void **state)
{
	struct app *a = start(false, "ping -c 1 -t 1 10.0.2.2");

	reply_error("10.0.1.1", ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
	h_advance(1000000);
	assert_int_equal(finish(a), 1);
	assert_string_equal(out, "PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n"
				 "From 10.0.1.1 icmp_seq=1 Time to live exceeded\n"
				 "\n--- 10.0.2.2 ping statistics ---\n"
				 "1 packets transmitted, 0 received, +1 errors, 100% packet loss, "
				 "time 0ms\n\n");
}

static void test_ping_frag_needed_prints_mtu(void **state)
{
	struct app *a = start(false, "ping -c 1 -M do -s 1472 10.0.2.2");

	reply_error("10.0.1.1", ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400);
	h_advance(1000000);
	assert_int_equal(finish(a), 1);
	assert_non_null(strstr(out, "From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n"));
}

/* A redirect from the gateway about the oldest request, which is then
 * answered: shown as iputils shows it, not an error; the next request
 * goes to the new gateway's MAC. */
static void test_ping_redirect_is_shown_and_followed(void **state)
{
	struct app *a = start(false, "ping -c 2 -i 0.2 -W 1 10.0.2.2");
	uint8_t icmp[8 + 60 + 8], mac[ETH_ALEN];
	struct icmphdr *h = (struct icmphdr *)icmp;
	struct pkt *p;
	struct iphdr *iph = pop_ip(&p);
	unsigned qlen = iph->ihl * 4u + 8;

	h_mac(mac, "02:00:00:00:00:03");
	assert_int_equal(neigh_update_cfg(eth0, h_ip("10.0.1.3"), mac, NUD_PERMANENT,
					  NLM_F_CREATE | NLM_F_REPLACE, NULL), 0);
	memset(icmp, 0, sizeof(icmp));
	h->type = ICMP_REDIRECT;
	h->code = 1;
	h->un.gateway = h_ip("10.0.1.3");
	memcpy(icmp + 8, iph, qlen);
	h->checksum = ip_compute_csum(icmp, 8 + qlen);
	rx_ip("10.0.1.1", 64, IPPROTO_ICMP, icmp, 8 + qlen);
	/* the request was forwarded all the same: answer it */
	uint8_t echo[128];
	unsigned len = ntohs(iph->tot_len) - iph->ihl * 4u;
	struct icmphdr *eh = (struct icmphdr *)echo;

	memcpy(echo, (uint8_t *)iph + iph->ihl * 4u, len);
	eh->type = ICMP_ECHOREPLY;
	eh->checksum = 0;
	eh->checksum = ip_compute_csum(echo, len);
	pkt_free(p);
	rx_ip("10.0.2.2", 63, IPPROTO_ICMP, echo, len);
	h_advance(200 * 1000000ull);
	p = h_tx_pop(eth0);
	assert_non_null(p);
	assert_memory_equal(p->data, mac, ETH_ALEN);
	pkt_free(p);
	h_advance(2000000000ull);
	assert_int_equal(finish(a), 0);
	assert_non_null(strstr(out, "From 10.0.1.1: icmp_seq=1 Redirect Host(New nexthop: 10.0.1.3)\n"
				    "64 bytes from 10.0.2.2: icmp_seq=1 ttl=63"));
	assert_non_null(strstr(out, "2 packets transmitted, 1 received, 50% packet loss"));
}

static void test_ping_duplicate_reply_is_marked_dup(void **state)
{
	struct app *a = start(false, "ping -c 2 -i 0.2 -W 1 10.0.2.2");

	reply_echo_n(2);
	h_advance(200000000);
	reply_echo();
	h_advance(1000000);
	assert_int_equal(finish(a), 0);
	assert_non_null(strstr(out, "icmp_seq=1 ttl=63 time=0.000 ms\n"));
	assert_non_null(strstr(out, "icmp_seq=1 ttl=63 time=0.000 ms (DUP!)\n"));
	assert_non_null(strstr(out, "2 packets transmitted, 2 received, +1 duplicates, 0% packet loss"));
}

static void test_ping_deadline_ends_the_run(void **state)
{
	struct app *a = start(false, "ping -w 1 -i 0.25 10.0.2.2");
	int status;

	h_advance(500000000);
	assert_false(app_exited(a, &status));
	h_advance(500000000);
	assert_int_equal(finish(a), 1);
	assert_non_null(strstr(out, "packets transmitted, 0 received, 100% packet loss"));
	h_tx_flush(eth0);
}

static void test_ping_no_route_fails_like_connect(void **state)
{
	struct netns *bare = h_ns("h2"); /* only lo, no route at all */
	char err[64];
	int status;
	struct app *a = make_app(false, "ping -c 1 10.0.2.2", &status, err, sizeof(err));

	assert_non_null(a);
	app_start_here(a, bare);
	h_run();
	assert_int_equal(finish(a), 2);
	assert_string_equal(out, "ping: connect: Network is unreachable\n");
}

static void test_ping_ctrl_c_prints_statistics(void **state)
{
	struct app *a = start(false, "ping -i 0.2 10.0.2.2");

	h_advance(1000000);
	reply_echo();
	h_advance(199000000); /* second request, never answered */
	app_request_stop(a);
	h_run();
	assert_int_equal(finish(a), 0);
	assert_non_null(strstr(out, "2 packets transmitted, 1 received, 50% packet loss, "
				    "time 200ms\n"));
}

static void test_ping_namespace_deleted_mid_run(void **state)
{
	struct app *a = start(false, "ping -i 0.2 10.0.2.2");

	h_advance(200000000);
	h_tx_flush(eth0);
	h_ns_destroy(ns);
	assert_int_equal(finish(a), 2);
	assert_non_null(strstr(out, "ping: network namespace h1 was deleted\n"));
	assert_non_null(strstr(out, "2 packets transmitted, 0 received, 100% packet loss"));
}

static void test_ping_bad_count_is_a_usage_error(void **state)
{
	char err[256] = "";
	int status;

	assert_null(make_app(false, "ping -c 0 10.0.2.2", &status, err, sizeof(err)));
	assert_int_equal(status, 1);
	assert_string_equal(err, "ping: invalid argument: '0': out of range: "
				 "1 <= value <= 9223372036854775807\n");
	assert_null(make_app(false, "ping -c 1", &status, err, sizeof(err)));
	assert_int_equal(status, 1);
	assert_string_equal(err, "ping: usage error: Destination address required\n");
	assert_null(make_app(false, "ping -M maybe 10.0.2.2", &status, err, sizeof(err)));
	assert_int_equal(status, 2);
	assert_string_equal(err, "ping: invalid -M argument: maybe\n");
	assert_null(make_app(false, "ping nohost", &status, err, sizeof(err)));
	assert_int_equal(status, 2);
	assert_string_equal(err, "ping: nohost: Name or service not known\n");
}

/* Without -b a broadcast destination is refused as iputils refuses it
 * (connect: EACCES), before anything is sent. */
static void test_ping_broadcast_needs_b(void **state)
{
	char err[64];
	int status;
	struct app *a = make_app(false, "ping -c 1 10.0.1.255", &status, err, sizeof(err));

	assert_non_null(a);
	app_start_here(a, ns);
	h_run();
	assert_int_equal(finish(a), 2);
	assert_string_equal(out, "ping: Do you want to ping broadcast? Then -b. If not, check "
				 "your local firewall rules\n");
	assert_int_equal(h_tx_count(eth0), 0);
}

/* -b sends to the subnet broadcast (Ethernet broadcast) and takes the
 * reply of any host. */
static void test_ping_broadcast_with_b(void **state)
{
	struct app *a = start(false, "ping -b -c 1 10.0.1.255");
	struct pkt *p = h_tx_pop(eth0);
	struct iphdr *iph;
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	assert_non_null(p);
	iph = (struct iphdr *)(p->data + ETH_HLEN);
	assert_memory_equal(p->data, bcast, ETH_ALEN);
	assert_int_equal(iph->daddr, h_ip("10.0.1.255"));
	/* put it back for the reply */
	h_advance(2000000);
	{
		unsigned len = ntohs(iph->tot_len) - iph->ihl * 4u;
		uint8_t icmp[128];
		struct icmphdr *h = (struct icmphdr *)icmp;

		memcpy(icmp, (uint8_t *)iph + iph->ihl * 4, len);
		h->type = ICMP_ECHOREPLY;
		h->checksum = 0;
		h->checksum = ip_compute_csum(icmp, len);
		pkt_free(p);
		rx_ip("10.0.1.7", 64, IPPROTO_ICMP, icmp, len);
	}
	h_advance(1000000);
	assert_int_equal(finish(a), 0);
	assert_string_equal(out, "WARNING: pinging broadcast address\n"
				 "PING 10.0.1.255 (10.0.1.255) 56(84) bytes of data.\n"
				 "64 bytes from 10.0.1.7: icmp_seq=1 ttl=64 time=2.00 ms\n"
				 "\n--- 10.0.1.255 ping statistics ---\n"
				 "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n"
				 "rtt min/avg/max/mdev = 2.000/2.000/2.000/0.000 ms\n");
}

/* -f: a dot per request, a backspace per reply, the next request as soon
 * as the reply is in, and iputils' ipg/ewma in the summary. */
static void test_ping_flood_sends_on_reply(void **state)
{
	struct app *a = start(false, "ping -f -c 3 10.0.2.2");

	for (int i = 0; i < 3; i++) {
		assert_int_equal(h_tx_count(eth0), 1);
		h_advance(1000000); /* 1 ms RTT */
		reply_echo();
	}
	h_advance(1000000);
	assert_int_equal(finish(a), 0);
	assert_string_equal(out, "PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n"
				 ".\b \b.\b \b.\b \b\n"
				 "--- 10.0.2.2 ping statistics ---\n"
				 "3 packets transmitted, 3 received, 0% packet loss, time 2ms\n"
				 "rtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms, "
				 "ipg/ewma 1.000/1.000 ms\n");
}

/* -f without replies resends every 10 ms (iputils' MININTERVAL); a lost
 * request leaves its dot. */
static void test_ping_flood_resends_after_10ms(void **state)
{
	struct app *a = start(false, "ping -f -c 2 -W 1 10.0.2.2");

	assert_int_equal(h_tx_count(eth0), 1);
	h_advance(9000000);
	assert_int_equal(h_tx_count(eth0), 1);
	h_advance(1000000);
	assert_int_equal(h_tx_count(eth0), 2);
	h_tx_flush(eth0);
	h_advance(1000000000);
	assert_int_equal(finish(a), 1);
	assert_non_null(strstr(out, "bytes of data.\n..\n--- 10.0.2.2 ping statistics ---\n"
				    "2 packets transmitted, 0 received, 100% packet loss, time 10ms\n"));
}

/* -f and an ICMP error: "\bE" for it, and the next request at once. */
static void test_ping_flood_error_marks_e(void **state)
{
	struct app *a = start(false, "ping -f -c 2 10.0.2.2");

	reply_error("10.0.1.1", ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	assert_int_equal(h_tx_count(eth0), 1);
	h_advance(1000000);
	reply_echo();
	h_advance(1000000);
	assert_int_equal(finish(a), 0);
	assert_non_null(strstr(out, "bytes of data.\n.\bE.\b \b\n--- 10.0.2.2 ping statistics ---\n"
				    "2 packets transmitted, 1 received, +1 errors, 50% packet loss"));
}

/* The CLI is root: intervals below iputils' 2 ms user minimum are taken,
 * in whole milliseconds. */
static void test_ping_short_interval_for_root(void **state)
{
	struct app *a = start(false, "ping -c 3 -i 0.001 10.0.2.2");

	assert_int_equal(h_tx_count(eth0), 1);
	h_advance(1000000);
	assert_int_equal(h_tx_count(eth0), 2);
	h_advance(1000000);
	assert_int_equal(h_tx_count(eth0), 3);
	h_tx_flush(eth0);
	app_request_stop(a);
	h_run();
	assert_int_equal(finish(a), 1);
}

/* -T is refused before anything is sent, not run as a UDP traceroute. */
static void test_traceroute_tcp_probes_refused(void **state)
{
	char err[256] = "";
	int status;

	assert_null(make_app(true, "traceroute -T 10.0.2.2", &status, err, sizeof(err)));
	assert_int_equal(status, 2);
	assert_string_equal(err, "traceroute: -T (TCP SYN probes) is not supported yet\n");
	assert_null(make_app(true, "traceroute -nT 10.0.2.2", &status, err, sizeof(err)));
	assert_int_equal(status, 2);
	assert_null(h_tx_pop(eth0));
}

static void test_traceroute_prints_hops_until_port_unreachable(void **state)
{
	struct app *a = start(true, "traceroute -n -q 1 -w 1 10.0.2.2");
	struct pkt *p;
	struct iphdr *iph = pop_ip(&p);
	const struct udphdr *uh = (const struct udphdr *)(iph + 1);

	assert_int_equal(iph->ttl, 1);
	assert_int_equal(iph->protocol, IPPROTO_UDP);
	assert_int_equal(ntohs(uh->dest), 33434);
	assert_int_equal(ntohs(iph->tot_len), 60);
	/* lose the first probe: hop 1 times out, then answer hop 2 */
	pkt_free(p);
	h_advance(1000000000);
	h_advance(2000000);
	reply_error("10.0.2.2", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	h_advance(1000000);
	assert_int_equal(finish(a), 0);
	assert_string_equal(out, "traceroute to 10.0.2.2 (10.0.2.2), 30 hops max, 60 byte packets\n"
				 " 1  *\n"
				 " 2  10.0.2.2  2.000 ms\n");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_ping_prints_replies_and_statistics, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_sends_requests_with_ttl_and_size, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_no_reply_exits_1_after_linger, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_time_exceeded_is_an_error, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_frag_needed_prints_mtu, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_redirect_is_shown_and_followed, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_duplicate_reply_is_marked_dup, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_deadline_ends_the_run, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_no_route_fails_like_connect, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_ctrl_c_prints_statistics, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_namespace_deleted_mid_run, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_bad_count_is_a_usage_error, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_broadcast_needs_b, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_broadcast_with_b, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_flood_sends_on_reply, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_flood_resends_after_10ms, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_flood_error_marks_e, setup, teardown),
	cmocka_unit_test_setup_teardown(test_ping_short_interval_for_root, setup, teardown),
	cmocka_unit_test_setup_teardown(test_traceroute_tcp_probes_refused, setup, teardown),
	cmocka_unit_test_setup_teardown(test_traceroute_prints_hops_until_port_unreachable, setup,
					teardown),
};

int main(void)
{
	return cmocka_run_group_tests(tests, NULL, NULL);
}
