// SPDX-License-Identifier: MIT
/*
 * SYN cookies, as net/ipv4/syncookies.c: when tcp_syncookies asks for one
 * (2: always; 1: once the SYN queue is full) a listener answers a SYN
 * without keeping anything, its ISN a keyed hash of the 4-tuple, the
 * peer's sequence and the minute, with the index of the peer's MSS in a
 * four-entry table folded into the low 24 bits. With timestamps on, the
 * low 6 bits of the SYN-ACK's TSval carry the peer's window scale (or
 * "none"), SACK-permitted and ECN, and come back in the ACK's TSecr. The ACK that
 * answers a valid cookie (at most two minutes old, within two minutes of
 * the last cookie sent) becomes a child as if the SYN had been queued.
 * The hash is SipHash-2-4 under secrets drawn at start-up. Owner thread
 * for everything but syncookie_init.
 */
#include "core/rand.h"
#include "core/siphash.h"
#include "tcp.h"

#define COOKIEBITS 24 /* the upper 8 bits carry the minute */
#define COOKIEMASK ((1u << COOKIEBITS) - 1)
#define MAX_SYNCOOKIE_AGE 2 /* minutes */
#define TCP_SYNCOOKIE_PERIOD_NS (60ull * NSEC_PER_SEC)
#define TCP_SYNCOOKIE_VALID_NS (MAX_SYNCOOKIE_AGE * TCP_SYNCOOKIE_PERIOD_NS)
#define TSBITS 6
#define TS_OPT_WSCALE_MASK 0xfu
#define TS_OPT_SACK (1u << 4)
#define TS_OPT_ECN (1u << 5)

/* The MSS values a cookie can say: the peer's MSS is rounded down to one. */
static const uint16_t msstab[] = { 536, 1300, 1440, 1460 };

/* Read-only once start-up drew them. */
static struct siphash_key syncookie_secret[2];
static struct siphash_key ts_secret;

void syncookie_init(void)
{
	syncookie_secret[0] = (struct siphash_key){ { rand_u64(), rand_u64() } };
	syncookie_secret[1] = (struct siphash_key){ { rand_u64(), rand_u64() } };
	ts_secret = (struct siphash_key){ { rand_u64(), rand_u64() } };
}

/* Addresses and ports in network order, as the headers hold them. */
static uint32_t cookie_hash(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
			    uint32_t count, int c)
{
	return (uint32_t)siphash_4u32(saddr, daddr, (uint32_t)sport << 16 | dport, count,
				      &syncookie_secret[c]);
}

static uint32_t tcp_cookie_time(void)
{
	return (uint32_t)(loop_now() / TCP_SYNCOOKIE_PERIOD_NS);
}

static uint32_t secure_tcp_syn_cookie(uint32_t saddr, uint32_t daddr, uint16_t sport,
				      uint16_t dport, uint32_t sseq, uint32_t data)
{
	uint32_t count = tcp_cookie_time();

	return cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq + (count << COOKIEBITS) +
	       ((cookie_hash(saddr, daddr, sport, dport, count, 1) + data) & COOKIEMASK);
}

/* The data of a cookie, or (uint32_t)-1 when it is older than
 * MAX_SYNCOOKIE_AGE minutes (or not ours). */
static uint32_t check_tcp_syn_cookie(uint32_t cookie, uint32_t saddr, uint32_t daddr,
				     uint16_t sport, uint16_t dport, uint32_t sseq)
{
	uint32_t diff, count = tcp_cookie_time();

	cookie -= cookie_hash(saddr, daddr, sport, dport, 0, 0) + sseq;
	diff = (count - (cookie >> COOKIEBITS)) & ((uint32_t)-1 >> COOKIEBITS);
	if (diff >= MAX_SYNCOOKIE_AGE)
		return (uint32_t)-1;
	return (cookie - cookie_hash(saddr, daddr, sport, dport, count - diff, 1)) & COOKIEMASK;
}

/* __cookie_v4_init_sequence: *mssp rounded down to the table. */
static uint32_t cookie_v4_init_sequence(const struct iphdr *iph, const struct tcphdr *th,
					uint16_t *mssp)
{
	unsigned mssind;

	for (mssind = ARRAY_SIZE(msstab) - 1; mssind; mssind--)
		if (*mssp >= msstab[mssind])
			break;
	*mssp = msstab[mssind];
	return secure_tcp_syn_cookie(iph->saddr, iph->daddr, th->source, th->dest,
				     ntohl(th->seq), mssind);
}

/* __cookie_v4_check: the MSS the cookie in the ACK @th says, or 0. */
static uint16_t cookie_v4_check_mss(const struct iphdr *iph, const struct tcphdr *th)
{
	uint32_t mssind = check_tcp_syn_cookie(ntohl(th->ack_seq) - 1, iph->saddr, iph->daddr,
					       th->source, th->dest, ntohl(th->seq) - 1);

	return mssind < ARRAY_SIZE(msstab) ? msstab[mssind] : 0;
}

/* secure_tcp_ts_off: with tcp_timestamps 1 the offset of a connection's
 * TSval is a keyed hash of the addresses (the same for the cookie's
 * SYN-ACK and the child that follows), with 2 none. */
static uint32_t tcp_v4_ts_off(const struct netns *ns, uint32_t saddr, uint32_t daddr)
{
	if (ns->sysctl.tcp_timestamps != 1)
		return 0;
	return (uint32_t)siphash_4u32(saddr, daddr, 0, 0, &ts_secret);
}

/* cookie_init_timestamp: a TSval not after now whose low bits hold the
 * options the SYN offered. */
static uint32_t cookie_init_timestamp(const struct tcp_sock *req, uint32_t ts_now)
{
	uint32_t options = req->wscale_ok ? req->snd_wscale : TS_OPT_WSCALE_MASK;
	uint32_t ts;

	if (req->sack_ok)
		options |= TS_OPT_SACK;
	if (req->ecn_flags & TCP_ECN_OK)
		options |= TS_OPT_ECN;
	ts = (ts_now >> TSBITS) << TSBITS | options;

	if (ts > ts_now)
		ts -= 1u << TSBITS;
	return ts;
}

void cookie_v4_send_synack(struct tcp_sock *lp, struct pkt *p)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	const struct tcphdr *th = (const struct tcphdr *)p->data;
	struct tcp_skb_cb syn = *TCP_SKB_CB(p);
	struct netns *ns = lp->sk.ns;
	struct tcp_sock req;
	struct rtable rt;
	uint16_t mss;

	if (ip_route_output(ns, iph->saddr, iph->daddr, 0, &rt) < 0) {
		mib_inc(ns, MIB_TcpExtListenDrops);
		pkt_drop(p, DROP_IP_OUTNOROUTES);
		return;
	}
	/* Without timestamps nothing can carry the window scale or SACK:
	 * the SYN-ACK offers neither (tcp_clear_options). */
	if (!ns->sysctl.tcp_timestamps || !syn.saw_tstamp) {
		syn.saw_tstamp = false;
		syn.wscale = -1;
		syn.sack_ok = false;
	}
	/* A request that lives for one segment: what tcp_transmit_skb reads. */
	memset(&req, 0, sizeof(req));
	req.sk.ns = ns;
	req.sk.prot = lp->sk.prot;
	req.sk.ttl = lp->sk.ttl;
	req.sk.tos = lp->sk.tos;
	req.sk.saddr = iph->daddr;
	req.sk.daddr = iph->saddr;
	req.sk.num = ntohs(th->dest);
	req.sk.dport = ntohs(th->source);
	tcp_init_sock(&req);
	req.advmss = tcp_mss_for_mtu(ip_dst_mtu_maybe_forward(ns, &rt, false));
	req.mss_cache = req.advmss;
	req.irs = syn.seq;
	req.rcv_nxt = syn.seq + 1;
	tcp_init_syn_options(&req, syn.wscale >= 0, syn.saw_tstamp, syn.sack_ok);
	tcp_init_options(&req, &syn);
	/* ECN is agreed in the SYN-ACK only when the TSval can remember it */
	if (req.tstamp_ok)
		tcp_ecn_create_request(&req, &syn);
	mss = syn.mss ? syn.mss : TCP_MSS_DEFAULT;
	req.iss = cookie_v4_init_sequence(iph, th, &mss);
	req.snd_una = req.snd_nxt = req.snd_max = req.iss;
	req.write_seq = req.iss + 1;
	if (req.tstamp_ok) {
		uint32_t now = (uint32_t)(loop_now() / NSEC_PER_MSEC);

		req.ts_offset = tcp_v4_ts_off(ns, iph->daddr, iph->saddr) +
				cookie_init_timestamp(&req, now) - now;
	}
	tcp_transmit_skb(&req, req.iss, TCPHDR_SYN | TCPHDR_ACK | tcp_ecn_make_synack(&req), 0);
	/* tcp_synq_overflow: cookies are checked for a while from now */
	lp->last_overflow = loop_now();
	lp->synq_overflowed = true;
	mib_inc(ns, MIB_TcpExtSyncookiesSent);
	pkt_consume(p);
}

/* tcp_synq_no_recent_overflow */
static bool tcp_synq_no_recent_overflow(const struct tcp_sock *lp)
{
	return !lp->synq_overflowed || loop_now() - lp->last_overflow > TCP_SYNCOOKIE_VALID_NS;
}

/* cookie_timestamp_decode: the options the TSecr echoes into @syn;
 * false when they name one the namespace has switched off since. */
static bool cookie_timestamp_decode(const struct netns *ns, uint32_t options,
				    struct tcp_skb_cb *syn, bool *ecn_ok)
{
	if (!ns->sysctl.tcp_timestamps)
		return false;
	*ecn_ok = options & TS_OPT_ECN;
	syn->sack_ok = options & TS_OPT_SACK;
	if (syn->sack_ok && !ns->sysctl.tcp_sack)
		return false;
	if ((options & TS_OPT_WSCALE_MASK) == TS_OPT_WSCALE_MASK)
		return true;
	syn->wscale = (int8_t)(options & TS_OPT_WSCALE_MASK);
	return ns->sysctl.tcp_window_scaling != 0;
}

bool cookie_v4_check(struct tcp_sock *lp, struct pkt *p)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	const struct tcphdr *th = (const struct tcphdr *)p->data;
	const struct tcp_skb_cb *cb = TCP_SKB_CB(p);
	struct netns *ns = lp->sk.ns;
	enum drop_reason reason;
	struct tcp_skb_cb syn;
	struct tcp_sock *tp;
	bool ecn_ok = false;
	uint32_t tsoff;
	uint16_t mss;

	if (!ns->sysctl.tcp_syncookies || (cb->flags & TCPHDR_RST) ||
	    tcp_synq_no_recent_overflow(lp))
		return false;
	mss = cookie_v4_check_mss(iph, th);
	if (!mss) {
		mib_inc(ns, MIB_TcpExtSyncookiesFailed);
		return false;
	}
	mib_inc(ns, MIB_TcpExtSyncookiesRecv);
	/* The SYN as the cookie remembers it. */
	syn = *cb;
	syn.seq = cb->seq - 1;
	syn.mss = mss;
	syn.wscale = -1;
	syn.sack_ok = false;
	tsoff = tcp_v4_ts_off(ns, iph->daddr, iph->saddr);
	if (cb->saw_tstamp && !cookie_timestamp_decode(ns, cb->rcv_tsecr - tsoff, &syn, &ecn_ok))
		return false;
	if (tcp_acceptq_overflow(lp, p))
		return true;
	tp = tcp_create_openreq_child(lp, p, &syn, cb->ack_seq - 1, &reason);
	if (!tp) {
		pkt_drop(p, reason);
		return true;
	}
	if (tp->tstamp_ok)
		tp->ts_offset = tsoff;
	/* cookie_ecn_ok: the SYN asked for ECN and the namespace allows it */
	if (ecn_ok && ns->sysctl.tcp_ecn)
		tp->ecn_flags = TCP_ECN_OK;
	/* our SYN-ACK went out: the ACK completes the handshake */
	tp->snd_nxt = tp->snd_max = tp->iss + 1;
	tcp_rcv_state_process(tp, p);
	return true;
}
