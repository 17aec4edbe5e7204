// SPDX-License-Identifier: MIT
/*
 * TCP over IPv4, as net/ipv4/tcp_ipv4.c: tcp_v4_rcv checks a segment
 * (length, data offset, checksum: InErrs / InCsumErrors) and finds its
 * socket (established 4-tuple first, then a listener); a segment for no
 * socket gets a RST (RFC 9293 3.10.7.1, OutRsts). tcp_v4_connect starts
 * an active open; tcp_v4_err takes ICMP errors (a refused or unreachable
 * SYN ends the connect, frag-needed lowers the MSS); tcp_init registers
 * the per-namespace teardown. Owner thread only.
 */
#include <errno.h>
#include <string.h>

#include "core/csum.h"
#include "core/rand.h"
#include "netns/proto/ip.h"
#include "af_inet.h"
#include "icmp.h"
#include "tcp.h"

void tcp_v4_send_reset(struct netns *ns, const struct pkt *p)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	const struct tcphdr *oth = (const struct tcphdr *)pkt_l4(p);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	struct ip_send_args args;
	struct tcphdr *th;
	struct pkt *r;

	if (oth->flags & TCPHDR_RST)
		return;
	/* Never to a broadcast or multicast (tcp_v4_send_reset's check). */
	if (cb->rt_type != RTN_LOCAL && cb->rt_type != RTN_UNSPEC)
		return;
	r = pkt_alloc(PKT_HR_TRANSPORT, sizeof(*th));
	if (!r)
		return;
	r->ns = ns;
	th = (struct tcphdr *)r->data;
	memset(th, 0, sizeof(*th));
	th->source = oth->dest;
	th->dest = oth->source;
	if (oth->flags & TCPHDR_ACK) {
		th->seq = oth->ack_seq;
		th->flags = TCPHDR_RST;
	} else {
		th->ack_seq = htonl(cb->end_seq);
		th->flags = TCPHDR_RST | TCPHDR_ACK;
	}
	th->doff_res = 5 << 4;
	th->check = csum_fold(csum_tcpudp_nofold(iph->daddr, iph->saddr, sizeof(*th), IPPROTO_TCP,
						 csum_partial(th, sizeof(*th), 0)));
	memset(&args, 0, sizeof(args));
	args.saddr = iph->daddr;
	args.daddr = iph->saddr;
	args.protocol = IPPROTO_TCP;
	args.df = true;
	mib_inc(ns, MIB_TcpOutSegs);
	mib_inc(ns, MIB_TcpOutRsts);
	ip_send(ns, r, &args);
}

/* tcp_v4_rcv - IPPROTO_TCP handler. Consumes pkt. Owner thread. */
void tcp_v4_rcv(struct pkt *p)
{
	struct netns *ns = p->ns;
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	const struct tcphdr *th;
	struct tcp_skb_cb *cb;
	struct tcp_sock *tp;
	unsigned doff;
	uint8_t rt_type;

	NS_ASSERT_OWNER(ns);
	mib_inc(ns, MIB_TcpInSegs);
	if (p->len < sizeof(*th)) {
		pkt_drop(p, DROP_PKT_TOO_SMALL);
		return;
	}
	th = (const struct tcphdr *)p->data;
	doff = tcp_doff(th);
	if (doff < sizeof(*th))
		goto bad_packet;
	if (doff > p->len) {
		pkt_drop(p, DROP_PKT_TOO_SMALL);
		return;
	}
	if (csum_fold(csum_tcpudp_nofold(iph->saddr, iph->daddr, (uint16_t)p->len, IPPROTO_TCP,
					 csum_partial(p->data, p->len, 0))) != 0)
		goto csum_error;

	rt_type = IPCB(p)->rt_type;
	cb = TCP_SKB_CB(p);
	cb->rt_type = rt_type;
	cb->ip_dsfield = iph->tos;
	cb->seq = ntohl(th->seq);
	cb->ack_seq = ntohl(th->ack_seq);
	cb->flags = th->flags;
	cb->window = ntohs(th->window);
	cb->datalen = (uint16_t)(p->len - doff);
	cb->end_seq = cb->seq + cb->datalen + ((th->flags & TCPHDR_SYN) ? 1 : 0) +
		      ((th->flags & TCPHDR_FIN) ? 1 : 0);
	tcp_parse_options(th, cb);
	pkt_set_l4(p);

	tp = inet_lookup_established(ns, iph->daddr, ntohs(th->dest), iph->saddr,
				     ntohs(th->source));
	if (tp) {
		tcp_segs_in(tp, cb);
		tcp_rcv_state_process(tp, p);
		return;
	}
	tp = inet_lookup_listener(ns, iph->daddr, ntohs(th->dest));
	if (tp) {
		tcp_v4_conn_request(tp, p);
		return;
	}
	tcp_v4_send_reset(ns, p);
	pkt_drop(p, DROP_NO_SOCKET);
	return;

csum_error:
	/* InCsumErrors (the drop's MIB) and InErrs, as the kernel. */
	mib_inc(ns, MIB_TcpInErrs);
	pkt_drop(p, DROP_TCP_CSUM);
	return;
bad_packet:
	mib_inc(ns, MIB_TcpInErrs);
	pkt_drop(p, DROP_PKT_TOO_SMALL);
}

int tcp_v4_connect(struct sock *sk, uint32_t daddr, uint16_t dport)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct netns *ns = sk->ns;
	struct rtable rt;
	int err;

	if (!dport)
		return -ECONNREFUSED;
	err = ip_route_output(ns, daddr, sk->rcv_saddr, 0, &rt);
	if (err < 0) {
		if (err == -ENETUNREACH)
			mib_inc(ns, MIB_IpOutNoRoutes);
		return err;
	}
	/* tcp_v4_connect: no connections to broadcast or multicast. */
	if (rt.type == RTN_BROADCAST || rt.type == RTN_MULTICAST)
		return -ENETUNREACH;
	sk->saddr = sk->rcv_saddr ? sk->rcv_saddr : rt.src;
	sk->daddr = daddr;
	sk->dport = dport;
	if (!tp->tb) {
		err = inet_hash_connect(tp);
	} else if (inet_lookup_established(ns, sk->saddr, sk->num, daddr, dport)) {
		err = -EADDRNOTAVAIL; /* the 4-tuple is taken */
	}
	if (err) {
		sk->daddr = 0;
		sk->dport = 0;
		return err;
	}
	tp->pmtu = MIN(ip_dst_mtu_maybe_forward(ns, &rt, false), IP_MAXPACKET); /* ipv4_mtu: IP_MAX_MTU */
	tp->advmss = tcp_mss_for_mtu(tp->pmtu);
	tp->mss_cache = tp->advmss;
	tcp_init_syn_options(tp, true, true, true);
	tp->iss = (uint32_t)rand_u64();
	tp->snd_una = tp->iss;
	tp->snd_nxt = tp->iss;
	tp->snd_max = tp->iss;
	tp->write_seq = tp->iss + 1;
	tp->fin_sent = false;
	tp->syn_acked = false;
	tp->fin_rcvd = false;
	tp->shutdown = 0;
	tp->retransmits = 0;
	tp->backoff = 0;
	tp->rto_us = TCP_TIMEOUT_INIT_US;
	tp->connecting = true;
	tcp_set_state(tp, TCP_SYN_SENT);
	inet_ehash_insert(tp);
	mib_inc(ns, MIB_TcpActiveOpens);
	tp->rtt_timing = true;
	tp->rtt_seq = tp->iss + 1;
	tp->rtt_start = loop_now();
	tcp_reset_xmit_timer(tp);
	tcp_send_syn(tp);
	tp->snd_nxt = tp->iss + 1;
	tp->snd_max = tp->snd_nxt;
	return -EINPROGRESS;
}

/* tcp_v4_err's errno: icmp_err_convert for destination unreachable. */
static int tcp_icmp_errno(int type, int code)
{
	bool fatal;

	if (type == ICMP_TIME_EXCEEDED)
		return -EHOSTUNREACH;
	if (type != ICMP_DEST_UNREACH)
		return 0;
	return -icmp_err_convert((uint8_t)code, &fatal);
}

/*
 * tcp_v4_err - an ICMP error quoting a segment we sent (borrows pkt, see
 * net_protocol). Frag-needed lowers the MSS and resends at once
 * (tcp_v4_mtu_reduced); other errors end a connect in SYN_SENT with
 * their errno (a connected socket takes them as soft errors: ignored).
 */
void tcp_v4_err(struct pkt *p, uint32_t info)
{
	const struct iphdr *iph = (const struct iphdr *)p->data;
	const struct tcphdr *th = (const struct tcphdr *)(p->data + iph->ihl * 4u);
	const struct icmphdr *icmph = (const struct icmphdr *)pkt_l4(p);
	struct tcp_sock *tp;
	int err;

	tp = inet_lookup_established(p->ns, iph->saddr, ntohs(th->source), iph->daddr,
				     ntohs(th->dest));
	if (!tp || tp->state == TCP_TIME_WAIT)
		return;
	err = tcp_icmp_errno(icmph->type, icmph->code);
	if (!err)
		return;
	if (err == -EMSGSIZE) {
		/* tcp_sync_mss: every segment carries the timestamps too */
		uint16_t mss = tcp_mss_for_mtu(info) - (tp->tstamp_ok ? TCPOLEN_TIMESTAMP + 2 : 0);

		if (info >= 68 && mss < tp->mss_cache) {
			tp->mss_cache = mss;
			tp->pmtu = info;
			tcp_retransmit_skb(tp);
		}
		return;
	}
	if (tp->state != TCP_SYN_SENT)
		return;
	tp->sk.err = err;
	if (!tcp_done(tp))
		tcp_sk_connected(tp, err);
}

/* The namespace is going: every TCP socket's owner hears gone() (its
 * sock_close calls are no-ops from then on), then every socket and its
 * timers are freed, without a segment sent. */
static void tcp_sk_mark_closing(struct tcp_sock *tp, void *arg)
{
	(void)arg;
	tp->sk.closing = true;
}

static void tcp_sk_gone(struct tcp_sock *tp, void *arg)
{
	struct sock *sk = &tp->sk;

	(void)arg;
	if (sk->cb && sk->cb->gone && !sk->orphan)
		sk->cb->gone(sk, sk->cb_ctx);
}

static void tcp_sk_free(struct tcp_sock *tp, void *arg)
{
	(void)arg;
	tcp_free_sock(tp);
}

static void tcp_net_exit(struct netns *ns)
{
	inet_sk_for_each(ns, tcp_sk_mark_closing, NULL);
	inet_sk_for_each(ns, tcp_sk_gone, NULL);
	inet_sk_for_each(ns, tcp_sk_free, NULL);
	inet_hashinfo_exit(ns);
}

static const struct pernet_operations tcp_net_ops = {
	.name = "tcp",
	.exit = tcp_net_exit,
};

void tcp_init(void)
{
	tcp_cong_init();
	syncookie_init();
	register_pernet_subsys(&tcp_net_ops);
}
