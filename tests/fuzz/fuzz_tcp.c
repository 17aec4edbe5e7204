// SPDX-License-Identifier: MIT
/*
 * Fuzz target: TCP input (tcp_v4_rcv, tcp_v4_conn_request,
 * tcp_rcv_state_process and everything below it, tcp_v4_err), with the
 * application's calls and the clock in between, so the fuzzer can walk a
 * connection through every state.
 *
 * Each input gets a fresh namespace "h" on the fake worker of the unit
 * tests (deterministic: the random draws are seeded per input): lo and a
 * fake eth0 10.0.0.1/24 whose peer 10.0.0.2 is a permanent neighbour;
 * what h transmits is checked (valid TCP checksum) and thrown away. The
 * target itself plays the peer and sets up, before the input:
 *
 *   flow 0  10.0.0.2:1000 -> 10.0.0.1:80, ESTABLISHED, accepted by the
 *           listener on port 80 (socket slot 1; the listener is slot 0)
 *   flow 1  10.0.0.1:<ephemeral> -> 10.0.0.2:2000, ESTABLISHED by a
 *           connect of socket slot 2 (the peer's SYN-ACK offers MSS,
 *           window scale and timestamps)
 *   flow 2  10.0.0.2:1001..1008 -> 10.0.0.1:80: new connections to the
 *           listener (the port is 1001 + the source port's low 3 bits)
 *
 * The input is a sequence of records (tests/fuzz/fuzz.h), ctl bits:
 *
 *   0-2  kind (mod 6):
 *        0-2  a TCP segment of flow 0-2: the payload is the TCP header
 *             (padded to 20 bytes), options and data, ports overwritten
 *        3    a raw IPv4 datagram (header from the input) into eth0
 *        4    an ICMP error from the peer quoting a segment of ours:
 *             payload type, code, 2 bytes next-hop MTU, flow, then the
 *             quoted TCP header (padded to 8 bytes)
 *        5    an application call: payload slot (mod 8), op (mod 8),
 *             16-bit argument: send ARG bytes, recv ARG bytes,
 *             shutdown(WR), shutdown(RD), close, connect a new socket to
 *             10.0.0.2:2000 + (ARG & 3), a new listener on 81 + (ARG & 1)
 *             with backlog ARG >> 8, or set tcp_timestamps (ARG % 3) and
 *             tcp_window_scaling (ARG >> 2 & 1)
 *   3    fix the checksums (TCP, IPv4 header, ICMP) before injection
 *   4    relative: the segment's (or the quoted one's) seq is added to
 *        the flow's rcv_nxt (quoted: snd_una) and its ack to snd_una
 *   7    with bit 4: the ack is added to snd_nxt instead (acks all sent)
 *   5-6  then advance the fake clock by 0, 50 ms, 1 s or 70 s
 *
 * After every record, every TCP socket's sequence variables must be
 * consistent and CurrEstab must count the sockets it should (NSEMU_FUZZ_OUTPUT=1 prints every socket's state). After the input, the namespace is destroyed with whatever
 * is still open: nothing (packet, timer) may outlive it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

#include "devices/devices.h"
#include "core/csum.h"
#include "core/loop.h"
#include "core/pkt.h"
#include "core/rand.h"
#include "core/timer.h"
#include "netns/core/dev.h"
#include "netns/core/neigh.h"
#include "netns/core/netns.h"
#include "netns/core/sock.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "netns/ipv4/tcp.h"
#include "netns/proto/ip.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_START_NS 1000000000ull
#define FUZZ_SLOTS 8
#define FUZZ_SEG_MAX 4096
#define FUZZ_SEND_MAX 65536

static const uint8_t fuzz_host_mac[ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t fuzz_peer_mac[ETH_ALEN] = { 2, 0, 0, 0, 0, 2 };
static uint32_t fuzz_host_ip, fuzz_peer_ip;

static struct netns *fuzz_ns;
static struct netdev *fuzz_eth0;
static struct sock *fuzz_slot[FUZZ_SLOTS];
static uint8_t fuzz_buf[FUZZ_SEND_MAX];

/* ---- the fake device: frames are checked and freed ---- */

/* Every TCP segment nsemu sends carries a valid checksum. */
static void fuzz_check_tx(const struct pkt *p)
{
	const struct iphdr *iph;
	size_t ihl, tot;

	FUZZ_CHECK(p->len >= ETH_HLEN + sizeof(*iph));
	iph = (const struct iphdr *)(p->data + ETH_HLEN);
	if (p->data[12] != 0x08 || p->data[13] != 0x00 || iph->protocol != IPPROTO_TCP)
		return;
	ihl = (size_t)iph->ihl * 4;
	tot = ntohs(iph->tot_len);
	FUZZ_CHECK(tot >= ihl + sizeof(struct tcphdr) && ETH_HLEN + tot <= p->len);
	FUZZ_CHECK(csum_fold(csum_tcpudp_nofold(iph->saddr, iph->daddr, (uint16_t)(tot - ihl),
						IPPROTO_TCP,
						csum_partial(p->data + ETH_HLEN + ihl, tot - ihl,
							     0))) == 0);
}

static void fuzz_xmit(struct netdev *dev, struct pkt *p)
{
	(void)dev;
	fuzz_check_tx(p);
	pkt_free(p);
}

static const struct netdev_ops fuzz_dev_ops = {
	.kind = "fake",
	.xmit = fuzz_xmit,
};

/* ---- the application ---- */

static int fuzz_slot_free(void)
{
	for (int i = 0; i < FUZZ_SLOTS; i++)
		if (!fuzz_slot[i])
			return i;
	return -1;
}

static void fuzz_forget(struct sock *sk)
{
	for (int i = 0; i < FUZZ_SLOTS; i++)
		if (fuzz_slot[i] == sk)
			fuzz_slot[i] = NULL;
}

static void fuzz_cb_accept(struct sock *sk, struct sock *newsk, void *ctx);

static void fuzz_cb_gone(struct sock *sk, void *ctx)
{
	(void)ctx;
	fuzz_forget(sk);
}

static const struct sock_ops fuzz_sock_ops = { .accept = fuzz_cb_accept, .gone = fuzz_cb_gone };

static void fuzz_cb_accept(struct sock *sk, struct sock *newsk, void *ctx)
{
	int i = fuzz_slot_free();

	(void)sk;
	(void)ctx;
	if (i < 0) {
		sock_close(newsk);
		return;
	}
	sock_set_cb(newsk, &fuzz_sock_ops, NULL);
	fuzz_slot[i] = newsk;
}

static void fuzz_close(struct sock *sk)
{
	fuzz_forget(sk);
	sock_close(sk);
}

static struct sock *fuzz_socket(void)
{
	struct sock *sk;

	FUZZ_CHECK(sock_create(fuzz_ns, AF_INET, SOCK_STREAM, 0, &fuzz_sock_ops, NULL, &sk) == 0);
	return sk;
}

static void fuzz_app(const uint8_t *b, size_t len)
{
	uint8_t in[3] = { 0 };
	struct sock *sk, *n;
	unsigned arg;
	int i;

	memcpy(in, b, len < 3 ? len : 3);
	arg = (unsigned)in[2] << 8 | (len > 3 ? b[3] : 0);
	sk = fuzz_slot[in[0] % FUZZ_SLOTS];
	switch (in[1] % 8) {
	case 0:
		if (sk)
			sock_send(sk, fuzz_buf, arg);
		break;
	case 1:
		if (sk)
			sock_recv(sk, fuzz_buf, arg);
		break;
	case 2:
		if (sk)
			sock_shutdown(sk, SHUT_WR);
		break;
	case 3:
		if (sk)
			sock_shutdown(sk, SHUT_RD);
		break;
	case 4:
		if (sk)
			fuzz_close(sk);
		break;
	case 5:
		i = fuzz_slot_free();
		if (i < 0)
			break;
		n = fuzz_socket();
		fuzz_slot[i] = n;
		sock_connect(n, fuzz_peer_ip, (uint16_t)(2000 + (arg & 3)));
		break;
	case 6:
		i = fuzz_slot_free();
		if (i < 0)
			break;
		n = fuzz_socket();
		fuzz_slot[i] = n;
		if (sock_bind(n, 0, (uint16_t)(81 + (arg & 1))) == 0)
			sock_listen(n, (int)(arg >> 8));
		break;
	default:
		fuzz_ns->sysctl.tcp_timestamps = (int)(arg % 3);
		fuzz_ns->sysctl.tcp_window_scaling = (int)(arg >> 2 & 1);
		break;
	}
}

/* ---- segments from the peer ---- */

/* The 4-tuple of a flow, seen from the peer: its port and ours. */
static bool fuzz_flow(unsigned flow, const struct tcphdr *th, uint16_t *peer, uint16_t *local)
{
	switch (flow) {
	case 0:
		*peer = 1000;
		*local = 80;
		return true;
	case 1:
		if (!fuzz_slot[2] || !sock_port(fuzz_slot[2]))
			return false;
		*peer = 2000;
		*local = sock_port(fuzz_slot[2]);
		return true;
	default:
		*peer = (uint16_t)(1001 + (ntohs(th->source) & 7));
		*local = 80;
		return true;
	}
}

/* Make seq / ack relative to the connection the segment belongs to. */
static void fuzz_relative(uint8_t ctl, uint16_t peer, uint16_t local, uint32_t *seq,
			  uint32_t *ack, bool quoted)
{
	struct tcp_sock *tp = inet_lookup_established(fuzz_ns, fuzz_host_ip, local, fuzz_peer_ip,
						      peer);

	if (!tp || !(ctl & 16))
		return;
	*seq += quoted ? tp->snd_una : tp->rcv_nxt;
	*ack += (ctl & 128) ? tp->snd_nxt : tp->snd_una;
}

static void fuzz_inject_ip(uint8_t *ip, size_t len, bool fix)
{
	struct iphdr *iph = (struct iphdr *)ip;
	struct pkt *p;

	if (fix && len >= sizeof(*iph) && (size_t)iph->ihl * 4 >= sizeof(*iph) &&
	    (size_t)iph->ihl * 4 <= len) {
		iph->check = 0;
		iph->check = ip_compute_csum(iph, (size_t)iph->ihl * 4);
	}
	p = pkt_alloc(PKT_HR_NET, (unsigned)(ETH_HLEN + len));
	FUZZ_CHECK(p);
	memcpy(p->data, fuzz_host_mac, ETH_ALEN);
	memcpy(p->data + ETH_ALEN, fuzz_peer_mac, ETH_ALEN);
	p->data[12] = 0x08;
	p->data[13] = 0x00;
	memcpy(p->data + ETH_HLEN, ip, len);
	p->dev = fuzz_eth0;
	p->ns = fuzz_ns;
	p->tstamp = loop_now();
	dev_rx(p);
}

static size_t fuzz_ipv4(uint8_t *ip, uint32_t saddr, uint32_t daddr, uint8_t proto, size_t plen)
{
	struct iphdr *iph = (struct iphdr *)ip;

	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons((uint16_t)(sizeof(*iph) + plen));
	iph->id = htons(1);
	iph->ttl = 64;
	iph->protocol = proto;
	iph->saddr = saddr;
	iph->daddr = daddr;
	return sizeof(*iph) + plen;
}

static void fuzz_tcp_csum(struct tcphdr *th, uint32_t saddr, uint32_t daddr, size_t len)
{
	th->check = 0;
	th->check = csum_fold(csum_tcpudp_nofold(saddr, daddr, (uint16_t)len, IPPROTO_TCP,
						 csum_partial(th, len, 0)));
}

/* A segment of flow 0-2 (kinds 0-2). */
static void fuzz_segment(uint8_t ctl, unsigned flow, const uint8_t *b, size_t len)
{
	static uint8_t ip[20 + FUZZ_SEG_MAX];
	struct tcphdr *th = (struct tcphdr *)(ip + 20);
	uint16_t peer, local;
	uint32_t seq, ack;

	if (len > FUZZ_SEG_MAX)
		len = FUZZ_SEG_MAX;
	memset(th, 0, sizeof(*th));
	memcpy(th, b, len);
	if (len < sizeof(*th))
		len = sizeof(*th);
	if (!fuzz_flow(flow, th, &peer, &local))
		return;
	th->source = htons(peer);
	th->dest = htons(local);
	seq = ntohl(th->seq);
	ack = ntohl(th->ack_seq);
	fuzz_relative(ctl, peer, local, &seq, &ack, false);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	if (ctl & 8)
		fuzz_tcp_csum(th, fuzz_peer_ip, fuzz_host_ip, len);
	fuzz_inject_ip(ip, fuzz_ipv4(ip, fuzz_peer_ip, fuzz_host_ip, IPPROTO_TCP, len), true);
}

/* An ICMP error about a segment we sent (kind 4). */
static void fuzz_icmp(uint8_t ctl, const uint8_t *b, size_t len)
{
	uint8_t in[5 + 40] = { 0 }, ip[20 + 8 + 20 + 40];
	struct icmphdr *ih = (struct icmphdr *)(ip + 20);
	uint8_t *inner = ip + 28;
	struct tcphdr *th = (struct tcphdr *)(inner + 20);
	size_t qlen = len > 5 ? len - 5 : 0;
	uint16_t peer, local;
	uint32_t seq, ack;

	memcpy(in, b, len < sizeof(in) ? len : sizeof(in));
	if (qlen > 40)
		qlen = 40;
	if (qlen < 8)
		qlen = 8;
	memset(th, 0, 40);
	memcpy(th, in + 5, qlen);
	/* the quoted segment goes from us to the peer: ports swapped */
	if (!fuzz_flow(in[4] % 3, th, &peer, &local))
		return;
	th->source = htons(local);
	th->dest = htons(peer);
	seq = ntohl(th->seq);
	ack = ntohl(th->ack_seq);
	fuzz_relative(ctl, peer, local, &seq, &ack, true);
	th->seq = htonl(seq);
	if (qlen >= 12)
		th->ack_seq = htonl(ack);
	fuzz_ipv4(inner, fuzz_host_ip, fuzz_peer_ip, IPPROTO_TCP, 40);
	((struct iphdr *)inner)->check = ip_compute_csum(inner, 20);
	memset(ih, 0, sizeof(*ih));
	ih->type = in[0];
	ih->code = in[1];
	memcpy((uint8_t *)ih + 6, in + 2, 2); /* next-hop MTU */
	if (ctl & 8)
		ih->checksum = ip_compute_csum(ih, 8 + 20 + qlen);
	fuzz_inject_ip(ip, fuzz_ipv4(ip, fuzz_peer_ip, fuzz_host_ip, IPPROTO_ICMP, 8 + 20 + qlen),
		       true);
}

/* Kind 3: a whole datagram; with ctl bit 3, its TCP checksum fixed too. */
static void fuzz_raw(uint8_t ctl, const uint8_t *b, size_t len)
{
	static uint8_t ip[20 + FUZZ_SEG_MAX];
	struct iphdr *iph = (struct iphdr *)ip;
	size_t ihl, tot;

	if (len > sizeof(ip))
		len = sizeof(ip);
	memcpy(ip, b, len);
	if ((ctl & 8) && len >= sizeof(*iph)) {
		ihl = (size_t)iph->ihl * 4;
		tot = ntohs(iph->tot_len);
		if (iph->protocol == IPPROTO_TCP && !(ntohs(iph->frag_off) & 0x3fff) &&
		    ihl >= sizeof(*iph) && tot >= ihl + sizeof(struct tcphdr) && tot <= len)
			fuzz_tcp_csum((struct tcphdr *)(ip + ihl), iph->saddr, iph->daddr, tot - ihl);
	}
	fuzz_inject_ip(ip, len, ctl & 8);
}

/* ---- invariants ---- */

static void fuzz_check_sock(struct tcp_sock *tp, void *arg)
{
	uint64_t *estab = arg;

	FUZZ_CHECK(tp->state > 0 && tp->state < TCP_MAX_STATES);
	if (tp->state == TCP_ESTABLISHED || tp->state == TCP_CLOSE_WAIT)
		(*estab)++;
	if (tp->state == TCP_LISTEN || tp->state == TCP_CLOSE)
		return;
	FUZZ_CHECK(!after(tp->snd_una, tp->snd_nxt));
	FUZZ_CHECK(!after(tp->snd_nxt, tp->snd_max));
	FUZZ_CHECK(!after(tp->snd_max, tp->write_seq + 1));
	FUZZ_CHECK(tp->mss_cache >= 48);
	FUZZ_CHECK(tp->snd_cwnd >= 1);
	if (tp->rcvbuf) {
		FUZZ_CHECK(!before(tp->rcv_nxt, tp->copied_seq));
		FUZZ_CHECK(tp->rcv_nxt - tp->copied_seq <= TCP_RCVBUF_SIZE + 1);
	}
	if (tp->sndbuf)
		FUZZ_CHECK(tcp_snd_queued(tp) <= TCP_SNDBUF_SIZE);
	FUZZ_CHECK(tp->ooo_n <= TCP_OOO_MAX);
	for (unsigned i = 0; i < tp->ooo_n; i++) {
		FUZZ_CHECK(before(tp->ooo[i].start, tp->ooo[i].end));
		FUZZ_CHECK(after(tp->ooo[i].start, tp->rcv_nxt));
		FUZZ_CHECK(!after(tp->ooo[i].end, tp->copied_seq + TCP_RCVBUF_SIZE));
		if (i)
			FUZZ_CHECK(after(tp->ooo[i].start, tp->ooo[i - 1].end));
	}
}

/* NSEMU_FUZZ_OUTPUT=1: each socket's state after each record (debugging). */
static bool fuzz_verbose;

static void fuzz_print_sock(struct tcp_sock *tp, void *arg)
{
	(void)arg;
	fprintf(stderr, " %u-%u:%s", tp->sk.num, tp->sk.dport, tcp_state_name(tp->state));
	if (tp->ooo_n)
		fprintf(stderr, "(rcv_nxt %u ooo %u-%u)", tp->rcv_nxt - tp->irs,
			tp->ooo[0].start - tp->irs, tp->ooo[0].end - tp->irs);
}

/* ---- set-up ---- */

/* Inject a valid segment of the target's own making. */
static void fuzz_peer_send(uint16_t peer, uint16_t local, uint32_t seq, uint32_t ack,
			   uint8_t flags, const uint8_t *opts, size_t olen)
{
	uint8_t ip[20 + 60];
	struct tcphdr *th = (struct tcphdr *)(ip + 20);
	size_t len = sizeof(*th) + olen;

	memset(th, 0, sizeof(*th));
	th->source = htons(peer);
	th->dest = htons(local);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff_res = (uint8_t)(len / 4 << 4);
	th->flags = flags;
	th->window = htons(65535);
	if (olen)
		memcpy(th + 1, opts, olen);
	fuzz_tcp_csum(th, fuzz_peer_ip, fuzz_host_ip, len);
	fuzz_inject_ip(ip, fuzz_ipv4(ip, fuzz_peer_ip, fuzz_host_ip, IPPROTO_TCP, len), true);
	loop_test_run(loop_now());
}

static void fuzz_setup(void)
{
	/* MSS 1460, NOP NOP TS(7, 0), NOP WS 7 */
	static const uint8_t synack_opts[] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0, 7,
					       0, 0, 0, 0, 1, 3, 3, 7 };
	struct tcp_sock *tp;
	struct sock *l, *c;

	fuzz_ns = netns_create("h", loop_current());
	FUZZ_CHECK(fuzz_ns && netns_register(fuzz_ns) == 0);
	fuzz_eth0 = dev_alloc(fuzz_ns, "eth0", &fuzz_dev_ops, 0);
	FUZZ_CHECK(fuzz_eth0);
	memcpy(fuzz_eth0->addr, fuzz_host_mac, ETH_ALEN);
	FUZZ_CHECK(dev_register(fuzz_eth0, 0, NULL) == 0);
	FUZZ_CHECK(dev_open(fuzz_eth0) == 0);
	FUZZ_CHECK(dev_open(fuzz_ns->lo) == 0);
	FUZZ_CHECK(inet_addr_add(fuzz_eth0, fuzz_host_ip, 24, fuzz_host_ip | htonl(0xff),
				 RT_SCOPE_UNIVERSE, "eth0", NULL) == 0);
	FUZZ_CHECK(neigh_update_cfg(fuzz_eth0, fuzz_peer_ip, fuzz_peer_mac, NUD_PERMANENT,
				    NLM_F_CREATE | NLM_F_REPLACE, NULL) == 0);
	loop_test_run(loop_now());

	/* flow 0: the peer connects to the listener */
	l = fuzz_socket();
	FUZZ_CHECK(sock_bind(l, 0, 80) == 0 && sock_listen(l, 8) == 0);
	fuzz_slot[0] = l;
	fuzz_peer_send(1000, 80, 100, 0, TCPHDR_SYN, NULL, 0);
	tp = inet_lookup_established(fuzz_ns, fuzz_host_ip, 80, fuzz_peer_ip, 1000);
	FUZZ_CHECK(tp && tp->state == TCP_SYN_RECV);
	fuzz_peer_send(1000, 80, 101, tp->iss + 1, TCPHDR_ACK, NULL, 0);
	FUZZ_CHECK(fuzz_slot[1] && tcp_sk(fuzz_slot[1])->state == TCP_ESTABLISHED);

	/* flow 1: we connect to the peer, which answers with options */
	c = fuzz_socket();
	fuzz_slot[2] = c;
	FUZZ_CHECK(sock_connect(c, fuzz_peer_ip, 2000) == -EINPROGRESS);
	fuzz_peer_send(2000, sock_port(c), 5000, tcp_sk(c)->iss + 1, TCPHDR_SYN | TCPHDR_ACK,
		       synack_opts, sizeof(synack_opts));
	FUZZ_CHECK(tcp_sk(c)->state == TCP_ESTABLISHED);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	loop_test_attach(FUZZ_START_NS);
	inet_init();
	devices_init();
	fuzz_verbose = getenv("NSEMU_FUZZ_OUTPUT");
	fuzz_host_ip = htonl(0x0a000001);
	fuzz_peer_ip = htonl(0x0a000002);
	for (size_t i = 0; i < sizeof(fuzz_buf); i++)
		fuzz_buf[i] = (uint8_t)(i * 7 + (i >> 8));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t steps[4] = { 0, 50 * NSEC_PER_MSEC, NSEC_PER_SEC,
					   70 * NSEC_PER_SEC };
	struct fuzz_rec rec = { .p = data, .left = size };
	uint64_t estab;
	const uint8_t *buf;
	uint8_t ctl;
	size_t len;

	loop_test_attach(FUZZ_START_NS);
	rand_seed(1);
	memset(fuzz_slot, 0, sizeof(fuzz_slot));
	fuzz_setup();

	while (fuzz_rec_next(&rec, &ctl, &buf, &len)) {
		unsigned kind = (ctl & 7) % 6;

		if (kind < 3)
			fuzz_segment(ctl, kind, buf, len);
		else if (kind == 3)
			fuzz_raw(ctl, buf, len);
		else if (kind == 4)
			fuzz_icmp(ctl, buf, len);
		else
			fuzz_app(buf, len);
		loop_test_run(loop_now() + steps[(ctl >> 5) & 3]);
		if (fuzz_verbose) {
			fprintf(stderr, "ctl %#04x len %3zu:", ctl, len);
			inet_sk_for_each(fuzz_ns, fuzz_print_sock, NULL);
			fprintf(stderr, "\n");
		}
		estab = 0;
		inet_sk_for_each(fuzz_ns, fuzz_check_sock, &estab);
		/* CurrEstab counts exactly ESTABLISHED and CLOSE_WAIT */
		FUZZ_CHECK(fuzz_ns->mib[MIB_TcpCurrEstab] == estab);
	}

	/* The namespace goes with whatever is open: every socket, buffer
	 * and timer with it. */
	netns_unregister(fuzz_ns);
	netns_destroy(fuzz_ns);
	loop_test_run(loop_now());
	for (int i = 0; i < FUZZ_SLOTS; i++)
		FUZZ_CHECK(!fuzz_slot[i]);
	FUZZ_CHECK(timer_count() == 0);
	FUZZ_CHECK(netns_test_reset_ids() == 0);
	FUZZ_CHECK(pkt_in_use() == 0);
	loop_test_detach();
	return 0;
}
