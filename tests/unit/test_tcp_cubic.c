// SPDX-License-Identifier: MIT
/*
 * CUBIC and the choice of algorithm. The window after a loss is driven
 * ACK by ACK on the fake clock and compared with RFC 9438's curve
 * W(t) = C (t - K)^3 + W_max (C 0.4, beta 0.7): concave up to W_max at K,
 * convex beyond; with a short RTT the TCP-friendly region (Reno's rate,
 * 3 (1 - beta) / (1 + beta) per RTT) wins; fast convergence lowers W_max
 * after a loss below it. Then net.ipv4.tcp_congestion_control (default
 * cubic, reno per namespace, unknown names -ENOENT, the two read-only
 * lists) and TCP_CONGESTION per socket, inherited by a listener's
 * children, and the ssthresh each algorithm picks on a fast retransmit
 * of a real connection; getsockopt TCP_CONGESTION and TCP_INFO (the
 * kernel's layout, lengths and fields) after a transfer.
 */
#include <errno.h>
#include <math.h>

#include "tests/unit/harness/harness.h"
#include "tests/unit/harness/h_tcp.h"

#include "netns/core/sock.h"
#include "netns/core/sysctl.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/tcp.h"
#include "netns/ipv4/tcp_diag.h"

static struct netns *ns;
static struct netdev *eth0;

static int setup(void **state)
{
	(void)state;
	ns = h_tcp_host(&eth0);
	return 0;
}

static struct sock *tcp_socket(struct netns *n)
{
	return h_tcp_socket(n);
}

/* W(t) of RFC 9438 4.2 in segments, t in seconds from the epoch. */
static double w_cubic(double t, double wmax)
{
	double k = cbrt(wmax * (1 - 0.7) / 0.4);

	return 0.4 * pow(t - k, 3) + wmax;
}

/* One RTT of a window-limited sender: cwnd segments ACKed two per ACK
 * (delayed ACKs) spread over @rtt_us, then the RTT sample. */
static void one_rtt(struct tcp_sock *tp, uint32_t rtt_us)
{
	unsigned acks = tp->snd_cwnd / 2 ? tp->snd_cwnd / 2 : 1;
	uint64_t step = (uint64_t)rtt_us * 1000 / acks;

	for (unsigned i = 0; i < acks; i++) {
		h_advance(step);
		tcp_cong_on_ack(tp, 0, 2);
	}
	if (tp->ca_ops->pkts_acked)
		tp->ca_ops->pkts_acked(tp, rtt_us);
}

/* A connection-less socket run as the algorithm's subject: cwnd @cwnd,
 * always the limit (tcp_is_cwnd_limited), an RTT known, then a loss
 * (ssthresh as fast recovery takes it, the window set to it as recovery
 * leaves). */
static struct tcp_sock *after_loss(uint32_t cwnd, uint32_t rtt_us)
{
	struct tcp_sock *tp = tcp_sk(tcp_socket(ns));

	assert_ptr_equal(tp->ca_ops, &cubictcp);
	tcp_init_congestion_control(tp);
	tp->is_cwnd_limited = true;
	tp->snd_cwnd = cwnd;
	tp->ca_ops->pkts_acked(tp, rtt_us);
	tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = tp->snd_ssthresh;
	return tp;
}

static void test_cubic_window_follows_the_cubic_after_a_loss(void **state)
{
	struct tcp_sock *tp = after_loss(100, 100000);
	double t = 0, w;

	(void)state;
	/* beta: 100 * 717 / 1024 */
	assert_int_equal(tp->snd_ssthresh, 70);
	for (unsigned rtt = 1; rtt <= 80; rtt++) {
		uint32_t before_cwnd = tp->snd_cwnd;

		one_rtt(tp, 100000);
		t += 0.1;
		w = w_cubic(t, 100);
		/* within 3% (and a segment) of the curve all along */
		if (fabs(tp->snd_cwnd - w) > 0.03 * w + 1)
			fail_msg("t %.1f s: cwnd %u, W(t) %.1f", t, tp->snd_cwnd, w);
		/* concave before K (~4.2 s): the plateau is approached slowly */
		if (t > 3.6 && t < 4.8)
			assert_in_range(tp->snd_cwnd - before_cwnd, 0, 1);
	}
	/* convex beyond: at 8 s CUBIC is at ~122 where Reno, one segment
	 * per RTT from 70, would be at 150 */
	assert_in_range(tp->snd_cwnd, 117, 126);
	sock_close(&tp->sk);
}

static void test_cubic_tcp_friendly_region_on_a_short_rtt(void **state)
{
	struct tcp_sock *tp = after_loss(100, 1000);

	(void)state;
	/* 200 RTTs of 1 ms: the curve is still far below W_max (~74) but a
	 * Reno flow would have grown 0.53 per RTT (AIMD with beta 0.7) */
	for (unsigned rtt = 0; rtt < 200; rtt++)
		one_rtt(tp, 1000);
	assert_in_range(tp->snd_cwnd, 70 + 100, 70 + 115);
	sock_close(&tp->sk);
}

static void test_cubic_fast_convergence_lowers_wmax(void **state)
{
	struct tcp_sock *tp = after_loss(1000, 100000);
	double t = 0;

	(void)state;
	/* a second loss at 800, below W_max 1000: W_max becomes
	 * 800 * (1 + 0.7) / 2 = 680, not 800, and cwnd 560 (a window this
	 * large keeps CUBIC above the TCP-friendly rate) */
	for (unsigned rtt = 0; tp->snd_cwnd < 800; rtt++) {
		assert_true(rtt < 100);
		one_rtt(tp, 100000);
	}
	tp->snd_cwnd = 800;
	tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
	tp->snd_cwnd = tp->snd_ssthresh;
	assert_int_equal(tp->snd_cwnd, 560);
	for (unsigned rtt = 0; rtt < 67; rtt++) {
		one_rtt(tp, 100000);
		t += 0.1;
	}
	/* K = cbrt(120 / 0.4) = 6.7 s: the plateau is at 680 (W_max 800
	 * would put cwnd near 798 by now) */
	assert_in_range(tp->snd_cwnd, 670, 690);
	assert_true(fabs(tp->snd_cwnd - w_cubic(t, 680)) < 0.03 * 680);
	sock_close(&tp->sk);
}

static void test_cubic_rto_forgets_wmax(void **state)
{
	struct tcp_sock *tp = after_loss(100, 100000);
	uint32_t c0;

	(void)state;
	tp->snd_cwnd = 60;
	tcp_enter_loss(tp);
	/* ssthresh from cwnd 60 (below W_max: fast convergence), then Loss
	 * resets the state: the next epoch has no W_max to return to */
	assert_int_equal(tp->snd_ssthresh, 60 * 717 / 1024);
	assert_int_equal(tp->snd_cwnd, 1);
	assert_int_equal(tp->ca_state, TCP_CA_Loss);
	tcp_set_ca_state(tp, TCP_CA_Open);
	tp->snd_cwnd = tp->snd_ssthresh;
	c0 = tp->snd_cwnd;
	for (unsigned rtt = 0; rtt < 10; rtt++)
		one_rtt(tp, 100000);
	/* no plateau: 5% per RTT at least (cnt 20), the Reno rate's
	 * 0.53 per RTT would give only ~5 segments */
	assert_true(tp->snd_cwnd >= c0 + 10);
	sock_close(&tp->sk);
}

static void test_cubic_and_reno_grow_only_when_cwnd_limited(void **state)
{
	struct tcp_sock *tp = after_loss(100, 100000);
	uint32_t c0 = tp->snd_cwnd;

	(void)state;
	/* an application-limited flow (30 segments out, cwnd 70): the
	 * window does not grow on its ACKs, for either algorithm */
	tp->is_cwnd_limited = false;
	tp->max_packets_out = 30;
	for (unsigned rtt = 0; rtt < 20; rtt++)
		one_rtt(tp, 100000);
	assert_int_equal(tp->snd_cwnd, c0);
	assert_int_equal(tcp_set_congestion_control(tp, "reno"), 0);
	for (unsigned rtt = 0; rtt < 20; rtt++)
		one_rtt(tp, 100000);
	assert_int_equal(tp->snd_cwnd, c0);
	/* in slow start it may still double what it had out */
	tp->snd_ssthresh = 1000;
	tp->snd_cwnd = 40;
	for (unsigned i = 0; i < 40; i++)
		tcp_cong_on_ack(tp, 0, 1);
	assert_int_equal(tp->snd_cwnd, 60);
	sock_close(&tp->sk);
}

static void sysctl_is(struct netns *n, const char *key, const char *want)
{
	char buf[64];

	assert_int_equal(sysctl_get(n, key, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_tcp_congestion_control_sysctls(void **state)
{
	struct netns *other;
	struct sock *a, *b;

	(void)state;
	other = h_ns("other");
	sysctl_is(ns, "net.ipv4.tcp_congestion_control", "cubic");
	sysctl_is(ns, "net.ipv4.tcp_available_congestion_control", "reno cubic");
	sysctl_is(ns, "net.ipv4.tcp_allowed_congestion_control", "reno cubic");
	a = tcp_socket(ns);
	assert_ptr_equal(tcp_sk(a)->ca_ops, &cubictcp);

	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_congestion_control", "reno", NULL), 0);
	sysctl_is(ns, "net.ipv4.tcp_congestion_control", "reno");
	b = tcp_socket(ns);
	assert_ptr_equal(tcp_sk(b)->ca_ops, &tcp_reno);
	assert_ptr_equal(tcp_sk(a)->ca_ops, &cubictcp); /* new sockets only */
	sysctl_is(other, "net.ipv4.tcp_congestion_control", "cubic"); /* per namespace */
	sock_close(b);
	b = tcp_socket(other);
	assert_ptr_equal(tcp_sk(b)->ca_ops, &cubictcp);
	sock_close(b);

	/* unknown names: ENOENT, as the kernel's tcp_ca_find fails */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_congestion_control", "vegas", NULL),
			 -ENOENT);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_congestion_control", "", NULL), -ENOENT);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_congestion_control", "reno cubic", NULL),
			 -ENOENT);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_congestion_control",
				    "cubiccubiccubiccubic", NULL), -ENOENT);
	sysctl_is(ns, "net.ipv4.tcp_congestion_control", "reno");
	/* echo's newline ends the name, as proc_dostring */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_congestion_control", "cubic\n", NULL), 0);
	sysctl_is(ns, "net.ipv4.tcp_congestion_control", "cubic");

	/* 0444 outside init_net */
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_available_congestion_control", "reno", NULL),
			 -EACCES);
	assert_int_equal(sysctl_set(ns, "net.ipv4.tcp_allowed_congestion_control", "reno", NULL),
			 -EACCES);
	sysctl_is(ns, "net.ipv4.tcp_allowed_congestion_control", "reno cubic");
	sock_close(a);
}

static void test_tcp_congestion_per_socket_and_children(void **state)
{
	struct sock *l = tcp_socket(ns), *c = tcp_socket(ns);
	struct tcp_sock *ctp = tcp_sk(c);

	(void)state;
	assert_int_equal(sock_setsockopt(l, IPPROTO_TCP, TCP_CONGESTION, "nope", 4), -ENOENT);
	assert_int_equal(sock_setsockopt(l, IPPROTO_TCP, TCP_CONGESTION, "reno", 0), -EINVAL);
	assert_ptr_equal(tcp_sk(l)->ca_ops, &cubictcp);
	/* the name ends at optlen (strncpy_from_sockptr) */
	assert_int_equal(sock_setsockopt(l, IPPROTO_TCP, TCP_CONGESTION, "renoXX", 4), 0);
	assert_ptr_equal(tcp_sk(l)->ca_ops, &tcp_reno);
	assert_int_equal(sock_bind(l, 0, 5000), 0);
	assert_int_equal(sock_listen(l, 4), 0);
	assert_int_equal(sock_connect(c, htonl(0x7f000001), 5000), -EINPROGRESS);
	h_run();
	assert_non_null(h_tcp.accepted);
	/* the child takes the listener's choice; the client the default */
	assert_ptr_equal(tcp_sk(h_tcp.accepted)->ca_ops, &tcp_reno);
	assert_ptr_equal(ctp->ca_ops, &cubictcp);

	/* A fast retransmit with ten segments in flight: CUBIC keeps
	 * 717/1024 of the window, Reno half. */
	static uint8_t data[10 * 1448];
	assert_int_equal(sock_send(c, data, sizeof(data)), (int)sizeof(data));
	assert_int_equal(ctp->snd_cwnd, 10);
	for (int i = 0; i < 3; i++)
		tcp_cong_on_dupack(ctp);
	assert_int_equal(ctp->ca_state, TCP_CA_Recovery);
	assert_int_equal(ctp->snd_ssthresh, 7);
	h_advance(1000000);
	assert_int_equal(ctp->ca_state, TCP_CA_Open);

	/* switched on the established connection: Reno from now on */
	assert_int_equal(sock_setsockopt(c, IPPROTO_TCP, TCP_CONGESTION, "reno", 5), 0);
	assert_int_equal(sock_send(c, data, sizeof(data)), (int)sizeof(data));
	ctp->snd_cwnd = 10;
	for (int i = 0; i < 3; i++)
		tcp_cong_on_dupack(ctp);
	assert_int_equal(ctp->snd_ssthresh, 5);
	h_advance(1000000);
	sock_close(h_tcp.accepted);
	sock_close(c);
	sock_close(l);
	h_advance(1000000);
}

static void test_tcp_congestion_and_tcp_info_getsockopt(void **state)
{
	struct sock *l = tcp_socket(ns), *c = tcp_socket(ns), *s;
	static uint8_t data[100000], sink[100000];
	struct tcp_diag_info ci, si;
	char name[TCP_CA_NAME_MAX + 4];
	unsigned len;
	int got = 0, n;

	(void)state;
	len = sizeof(name);
	memset(name, 'x', sizeof(name));
	assert_int_equal(sock_getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, name, &len), 0);
	assert_int_equal(len, TCP_CA_NAME_MAX); /* the kernel's char[16], NUL padded */
	assert_string_equal(name, "cubic");
	assert_int_equal(name[15], 0);
	len = 3;
	assert_int_equal(sock_getsockopt(c, IPPROTO_TCP, TCP_CONGESTION, name, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(name, "cub", 3);

	assert_int_equal(sock_bind(l, 0, 5001), 0);
	assert_int_equal(sock_listen(l, 4), 0);
	assert_int_equal(sock_connect(c, htonl(0x7f000001), 5001), -EINPROGRESS);
	h_run();
	assert_non_null(h_tcp.accepted);
	s = h_tcp.accepted;
	len = sizeof(ci);
	assert_int_equal(sock_getsockopt(l, IPPROTO_TCP, TCP_INFO, &ci, &len), 0);
	assert_int_equal(len, sizeof(ci));
	assert_int_equal(ci.tcpi_state, TCP_LISTEN);
	assert_int_equal(ci.tcpi_snd_cwnd, 10);
	assert_int_equal(ci.tcpi_sacked, 4); /* a listener's backlog */

	assert_int_equal(sock_send(c, data, sizeof(data)), (int)sizeof(data));
	for (int i = 0; i < 100 && got < (int)sizeof(data); i++) {
		h_advance(1000000);
		while ((n = sock_recv(s, sink + got, sizeof(sink) - got)) > 0)
			got += n;
	}
	assert_int_equal(got, sizeof(data));
	h_advance(500 * 1000000ull);

	len = sizeof(ci);
	assert_int_equal(sock_getsockopt(c, IPPROTO_TCP, TCP_INFO, &ci, &len), 0);
	len = sizeof(si);
	assert_int_equal(sock_getsockopt(s, IPPROTO_TCP, TCP_INFO, &si, &len), 0);
	assert_int_equal(ci.tcpi_state, TCP_ESTABLISHED);
	assert_int_equal(ci.tcpi_ca_state, TCP_CA_Open);
	assert_int_equal(ci.tcpi_options, TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE);
	assert_int_equal(ci.tcpi_snd_wscale, tcp_sk(c)->snd_wscale);
	assert_int_equal(ci.tcpi_rcv_wscale, tcp_sk(c)->rcv_wscale);
	/* icsk_rto is in jiffies: whole ms at HZ 1000, rounded up */
	assert_int_equal(ci.tcpi_rto, (tcp_sk(c)->rto_us + 999) / 1000 * 1000);
	assert_true(ci.tcpi_rto >= 200000);
	assert_int_equal(ci.tcpi_rtt, tcp_sk(c)->srtt_us);
	assert_int_equal(ci.tcpi_rttvar, tcp_sk(c)->rttvar_us);
	assert_true(ci.tcpi_min_rtt > 0 && ci.tcpi_min_rtt <= ci.tcpi_rtt);
	/* lo's 65536 bytes clamped to IP's 65535 (IP_MAX_MTU): MSS 65495,
	 * 65483 beside the timestamps; advmss is shown without their room,
	 * as on Linux (ss -ti on lo: pmtu:65535 advmss:65483) */
	assert_int_equal(ci.tcpi_pmtu, 65535);
	assert_int_equal(ci.tcpi_snd_mss, 65483);
	assert_int_equal(ci.tcpi_advmss, 65483);
	assert_int_equal(ci.tcpi_rcv_mss, 536); /* received no data */
	assert_int_equal(ci.tcpi_ato, 0);
	assert_int_equal(si.tcpi_ato, 40000);
	assert_true(si.tcpi_rcv_mss > 536 && si.tcpi_rcv_mss <= 65483);
	assert_int_equal(ci.tcpi_snd_cwnd, tcp_sk(c)->snd_cwnd);
	assert_int_equal(ci.tcpi_snd_ssthresh, tcp_sk(c)->snd_ssthresh);
	assert_int_equal(ci.tcpi_reordering, 3);
	/* RFC 4898's counters: the SYN counts in the client's bytes_acked */
	assert_int_equal(ci.tcpi_bytes_sent, sizeof(data));
	assert_int_equal(ci.tcpi_bytes_acked, sizeof(data) + 1);
	assert_int_equal(ci.tcpi_bytes_retrans, 0);
	assert_int_equal(si.tcpi_bytes_received, sizeof(data));
	assert_int_equal(si.tcpi_bytes_acked, 0);
	assert_int_equal(ci.tcpi_data_segs_out, si.tcpi_data_segs_in);
	assert_true(ci.tcpi_data_segs_out >= 2);
	/* the child counts the SYN in, not its SYN-ACK out (the request
	 * sock's in Linux) */
	assert_int_equal(ci.tcpi_segs_out, si.tcpi_segs_in);
	assert_int_equal(si.tcpi_segs_out + 1, ci.tcpi_segs_in);
	assert_int_equal(ci.tcpi_unacked, 0);
	assert_int_equal(ci.tcpi_notsent_bytes, 0);
	assert_int_equal(ci.tcpi_total_retrans, 0);
	assert_int_equal(ci.tcpi_snd_wnd, tcp_sk(c)->snd_wnd);
	assert_in_range(ci.tcpi_last_data_sent, 490, 510);
	assert_in_range(si.tcpi_last_data_recv, 490, 510);
	/* the last ACK came after the last data (delayed up to 40 ms) */
	assert_in_range(ci.tcpi_last_ack_recv, 450, ci.tcpi_last_data_sent);
	assert_int_equal(ci.tcpi_pacing_rate, ~0ull);

	/* a short buffer gets the start of the struct (no error) */
	len = 8;
	memset(&ci, 0xee, sizeof(ci));
	assert_int_equal(sock_getsockopt(c, IPPROTO_TCP, TCP_INFO, &ci, &len), 0);
	assert_int_equal(len, 8);
	assert_int_equal(ci.tcpi_state, TCP_ESTABLISHED);
	assert_int_equal(ci.tcpi_rto, 0xeeeeeeee);
	sock_close(s);
	sock_close(c);
	sock_close(l);
	h_advance(1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cubic_window_follows_the_cubic_after_a_loss,
						setup, h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_cubic_tcp_friendly_region_on_a_short_rtt,
						setup, h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_cubic_fast_convergence_lowers_wmax, setup,
						h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_cubic_rto_forgets_wmax, setup, h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_cubic_and_reno_grow_only_when_cwnd_limited,
						setup, h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_congestion_control_sysctls, setup,
						h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_congestion_per_socket_and_children, setup,
						h_cm_teardown),
		cmocka_unit_test_setup_teardown(test_tcp_congestion_and_tcp_info_getsockopt, setup,
						h_cm_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
