// SPDX-License-Identifier: MIT
/*
 * ICMP, as net/ipv4/icmp.c. Input (icmp_rcv): checksum and length checks,
 * IcmpInMsgs and the per-type In counters, echo requests answered from the
 * address they were sent to, echo replies handed to ping sockets, and
 * destination unreachable / time exceeded / parameter problem delivered to
 * the socket whose datagram they quote. Output (icmp_send, the kernel's
 * __icmp_send): errors are never sent about ICMP errors, non-first
 * fragments, broadcasts or multicasts, or to a source that is not a single
 * host (RFC 1122 3.2.2); they quote as much of the offending datagram as
 * fits in 576 bytes (RFC 1812 4.3.2.3) and are rate limited by the global
 * token bucket (icmp_msgs_per_sec / icmp_msgs_burst) and the per
 * destination one (icmp_ratelimit, for the types in icmp_ratemask), as
 * icmp_global_allow and icmpv4_xrlim_allow. With the default
 * icmp_errors_use_inbound_ifaddr=0, the source of an error about a datagram
 * not addressed to us is the one routing selects toward its sender: the
 * router's address on the interface facing back, which traceroute shows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "core/timer.h"
#include "netns/core/dev.h"
#include "fib.h"
#include "icmp.h"
#include "ip.h"
#include "ping.h"

#define ICMP_ADDRESS 17
#define ICMP_ADDRESSREPLY 18
/* RFC 1812 4.3.2.3: an error carries as much of the original datagram
 * as fits in 576 bytes (the kernel's 576 - iph - icmph room). */
#define ICMP_ERR_MAXLEN 576
#define IPTOS_TOS_MASK 0x1E
#define IPTOS_PREC_INTERNETCONTROL 0xC0
/* inet_peer_xrlim_allow's bucket holds up to 6 tokens (XRLIM_BURST_FACTOR). */
#define XRLIM_BURST_FACTOR 6
#define ICMP_PEERS 64

/* Per destination token bucket (the kernel keeps it in inet_peer). */
struct icmp_peer {
	uint32_t addr;	 /* network order; 0 = free slot */
	uint64_t tokens; /* ns of credit */
	uint64_t last;	 /* loop time of the last refill */
	uint64_t used;	 /* LRU stamp */
};

struct icmp_state {
	int64_t credit;	 /* global bucket (icmp_global.credit) */
	uint64_t stamp;	 /* its last refill */
	uint64_t clock;	 /* LRU clock for peers */
	struct icmp_peer peers[ICMP_PEERS];
};

static bool icmp_is_error(int type)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return true;
	default:
		return false;
	}
}

static struct icmp_state *icmp_state_get(struct netns *ns)
{
	if (!ns->icmp) {
		ns->icmp = calloc(1, sizeof(*ns->icmp));
		if (ns->icmp) {
			uint64_t now = loop_now();

			/* A fresh bucket may refill at once, as the kernel's
			 * zero-initialised stamp allows on the first error. */
			ns->icmp->stamp = now > NSEC_PER_SEC ? now - NSEC_PER_SEC : 0;
		}
	}
	return ns->icmp;
}

/* icmp_out_count: IcmpOutMsgs and the per-type Out counter. */
static void icmp_out_count(struct netns *ns, int type)
{
	mib_inc(ns, MIB_IcmpOutMsgs);
	switch (type) {
	case ICMP_DEST_UNREACH:
		mib_inc(ns, MIB_IcmpOutDestUnreachs);
		break;
	case ICMP_TIME_EXCEEDED:
		mib_inc(ns, MIB_IcmpOutTimeExcds);
		break;
	case ICMP_PARAMETERPROB:
		mib_inc(ns, MIB_IcmpOutParmProbs);
		break;
	case ICMP_REDIRECT:
		mib_inc(ns, MIB_IcmpOutRedirects);
		break;
	case ICMP_ECHO:
		mib_inc(ns, MIB_IcmpOutEchos);
		break;
	case ICMP_ECHOREPLY:
		mib_inc(ns, MIB_IcmpOutEchoReps);
		break;
	}
}

/* ICMPMSGIN: the per-type In counter. */
static void icmp_in_count(struct netns *ns, int type)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
		mib_inc(ns, MIB_IcmpInDestUnreachs);
		break;
	case ICMP_TIME_EXCEEDED:
		mib_inc(ns, MIB_IcmpInTimeExcds);
		break;
	case ICMP_PARAMETERPROB:
		mib_inc(ns, MIB_IcmpInParmProbs);
		break;
	case ICMP_REDIRECT:
		mib_inc(ns, MIB_IcmpInRedirects);
		break;
	case ICMP_ECHO:
		mib_inc(ns, MIB_IcmpInEchos);
		break;
	case ICMP_ECHOREPLY:
		mib_inc(ns, MIB_IcmpInEchoReps);
		break;
	}
}

/*
 * icmpv4_mask_allow - types outside icmp_ratemask, and fragmentation
 * needed (never limit PMTU discovery), are not rate limited at all.
 */
static bool icmpv4_mask_allow(const struct netns *ns, int type, int code)
{
	if (type > NR_ICMP_TYPES)
		return true;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		return true;
	return !((1u << type) & (uint32_t)ns->sysctl.icmp_ratemask);
}

/*
 * icmp_global_allow - the namespace-wide bucket: icmp_msgs_per_sec
 * credits a second, at most icmp_msgs_burst, refilled no more often than
 * every 20 ms (HZ/50). The kernel consumes a random 0-2 credits per
 * message since 6.10; nsemu consumes exactly one so tests are repeatable.
 */
static bool icmp_global_allow(struct netns *ns, struct icmp_state *st, uint64_t now)
{
	uint64_t delta;
	int64_t incr;

	if (st->credit > 0)
		return true;
	delta = now - st->stamp;
	if (delta > NSEC_PER_SEC)
		delta = NSEC_PER_SEC;
	if (delta < NSEC_PER_SEC / 50)
		return false;
	incr = (int64_t)ns->sysctl.icmp_msgs_per_sec * (int64_t)delta / (int64_t)NSEC_PER_SEC;
	if (incr <= 0)
		return false;
	st->stamp = now;
	st->credit = MIN(st->credit + incr, (int64_t)ns->sysctl.icmp_msgs_burst);
	return true;
}

/*
 * icmp_peer_allow - inet_peer_xrlim_allow for @daddr: the bucket gains
 * one ns of credit per ns, holds at most 6 x icmp_ratelimit, and each
 * message costs icmp_ratelimit. A new peer starts as if idle for 60 s,
 * so up to six errors pass at once, then one per icmp_ratelimit. The
 * table is bounded: the least recently used peer makes room.
 */
static bool icmp_peer_allow(struct icmp_state *st, uint32_t daddr, uint64_t timeout,
			    uint64_t now)
{
	struct icmp_peer *pe = NULL, *victim = &st->peers[0];
	uint64_t token;
	unsigned i;

	for (i = 0; i < ICMP_PEERS; i++) {
		if (st->peers[i].addr == daddr) {
			pe = &st->peers[i];
			break;
		}
		if (st->peers[i].used < victim->used)
			victim = &st->peers[i];
	}
	if (!pe) {
		pe = victim;
		pe->addr = daddr;
		pe->tokens = 0;
		pe->last = now - 60 * NSEC_PER_SEC;
	}
	pe->used = ++st->clock;
	token = pe->tokens + (now - pe->last);
	pe->last = now;
	if (token > XRLIM_BURST_FACTOR * timeout)
		token = XRLIM_BURST_FACTOR * timeout;
	if (token >= timeout) {
		pe->tokens = token - timeout;
		return true;
	}
	pe->tokens = token;
	return false;
}

/*
 * icmp_send - send an ICMP error about @orig (borrowed). See icmp.h for
 * the contract; the checks below are __icmp_send's, in its order.
 * Owner thread of the packet's namespace.
 */
void icmp_send(const struct pkt *orig, int type, int code, uint32_t info)
{
	struct netns *ns = orig->ns ? orig->ns : (orig->dev ? orig->dev->ns : NULL);
	const uint8_t *end = orig->data + orig->len;
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(orig);
	struct ip_send_args args = { 0 };
	struct fib_result res;
	struct icmp_state *st;
	struct icmphdr *icmph;
	struct rtable rt;
	bool local = false, limit;
	unsigned ihl, qlen;
	uint32_t saddr = 0;
	uint64_t now;
	struct pkt *q;

	if (!ns)
		return;
	NS_ASSERT_OWNER(ns);
	if ((const uint8_t *)iph + sizeof(*iph) > end)
		return;
	ihl = iph->ihl * 4u;
	if (ihl < sizeof(*iph) || (const uint8_t *)iph + ihl > end)
		return;
	/* RFC 1122 3.2.2: no error about a datagram sent to a link-layer
	 * broadcast/multicast, or to an IP broadcast or multicast address. */
	if (orig->pkt_type != PACKET_HOST)
		return;
	if (ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr))
		return;
	/* what the datagram was to, in the VRF it came through */
	if (fib_lookup_flow(ns,
			    &(struct flowi4){ .daddr = iph->daddr,
					      .l3mdev = l3mdev_master_ifindex(orig->dev) },
			    &res) == 0) {
		if (res.type == RTN_BROADCAST || res.type == RTN_MULTICAST)
			return;
		local = res.type == RTN_LOCAL;
	}
	/* Only about fragment 0. */
	if (iph->frag_off & htons(IP_OFFSET))
		return;
	/* Nor to a source that does not name a single host. */
	if (ipv4_is_zeronet(iph->saddr) || ipv4_is_multicast(iph->saddr) ||
	    ipv4_is_lbcast(iph->saddr))
		return;
	/* Never an error about an ICMP error (RFC 1122 3.2.2), nor about an
	 * ICMP message whose type we cannot read or do not know. */
	if (icmp_is_error(type) && iph->protocol == IPPROTO_ICMP) {
		const uint8_t *itp = (const uint8_t *)iph + ihl;

		if (itp >= end || *itp > NR_ICMP_TYPES || icmp_is_error(*itp))
			return;
	}
	st = icmp_state_get(ns);
	if (!st)
		return;
	now = loop_now();
	limit = !icmpv4_mask_allow(ns, type, code);
	if (limit && !icmp_global_allow(ns, st, now)) {
		mib_inc(ns, MIB_IcmpOutRateLimitGlobal);
		return;
	}
	/* The source: the address the datagram was sent to if it was ours;
	 * otherwise chosen by routing toward its sender
	 * (icmp_errors_use_inbound_ifaddr = 0). */
	if (local)
		saddr = iph->daddr;
	/* icmp_route_lookup: in the VRF of the device it came through */
	args.oif = l3mdev_master_ifindex(orig->dev);
	if (ip_route_output(ns, iph->saddr, saddr, args.oif, &rt) < 0)
		return;
	if (limit) {
		/* No per-destination limit toward ourselves (loopback). */
		bool loopback = rt.type == RTN_LOCAL || (rt.dev && (rt.dev->flags & IFF_LOOPBACK));

		if (!loopback && !icmp_peer_allow(st, iph->saddr,
						  (uint64_t)ns->sysctl.icmp_ratelimit * NSEC_PER_MSEC,
						  now)) {
			mib_inc(ns, MIB_IcmpOutRateLimitHost);
			return;
		}
		st->credit--;
	}

	qlen = (unsigned)(end - (const uint8_t *)iph);
	if (qlen > ICMP_ERR_MAXLEN - sizeof(struct iphdr) - sizeof(struct icmphdr))
		qlen = ICMP_ERR_MAXLEN - sizeof(struct iphdr) - sizeof(struct icmphdr);
	q = pkt_alloc(PKT_HR_TRANSPORT, sizeof(*icmph) + qlen);
	if (!q) {
		mib_inc(ns, MIB_IcmpOutErrors);
		return;
	}
	q->ns = ns;
	q->dev = NULL;
	q->tstamp = now;
	icmph = (struct icmphdr *)q->data;
	icmph->type = (uint8_t)type;
	icmph->code = (uint8_t)code;
	icmph->checksum = 0;
	icmph->un.gateway = 0;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		icmph->un.frag.mtu = htons((uint16_t)info);
	else if (type == ICMP_PARAMETERPROB)
		icmph->un.gateway = htonl(info << 24);
	else if (type == ICMP_REDIRECT)
		icmph->un.gateway = htonl(info); /* the better gateway */
	memcpy(q->data + sizeof(*icmph), iph, qlen);
	icmph->checksum = ip_compute_csum(q->data, q->len);

	args.saddr = saddr ? saddr : rt.src;
	args.daddr = iph->saddr;
	args.protocol = IPPROTO_ICMP;
	/* Errors are sent with precedence "internetwork control". */
	args.tos = (uint8_t)((iph->tos & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL);
	if (ip_send(ns, q, &args) == 0)
		icmp_out_count(ns, type);
	else
		mib_inc(ns, MIB_IcmpOutErrors);
}

/*
 * icmp_echo - answer an echo request (RFC 792; RFC 1122 3.2.2.6) with the
 * same identifier, sequence and data, from the address it was sent to, or
 * for a broadcast from the receiving device's address (fib_compute_spec_dst).
 * Echo replies are not rate limited (not in icmp_ratemask). Consumes pkt.
 */
static void icmp_echo(struct pkt *p)
{
	struct netns *ns = p->ns;
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	struct ip_send_args args = { 0 };
	struct icmphdr *icmph;
	struct pkt *q;

	if (ns->sysctl.icmp_echo_ignore_all) {
		pkt_drop(p, DROP_ICMP_ECHO_IGNORED);
		return;
	}
	q = pkt_alloc(PKT_HR_TRANSPORT, p->len);
	if (!q) {
		mib_inc(ns, MIB_IcmpOutErrors);
		pkt_drop(p, DROP_NOMEM);
		return;
	}
	q->ns = ns;
	q->tstamp = loop_now();
	memcpy(q->data, p->data, p->len);
	icmph = (struct icmphdr *)q->data;
	icmph->type = ICMP_ECHOREPLY;
	icmph->checksum = 0;
	icmph->checksum = ip_compute_csum(q->data, q->len);

	if (IPCB(p)->rt_type == RTN_LOCAL)
		args.saddr = iph->daddr;
	else if (p->dev)
		args.saddr = inet_select_addr(p->dev, iph->saddr, RT_SCOPE_UNIVERSE);
	args.daddr = iph->saddr;
	args.protocol = IPPROTO_ICMP;
	args.tos = iph->tos;
	/* icmp_reply: the answer stays in the VRF the request came in */
	args.oif = l3mdev_master_ifindex(p->dev);
	if (ip_send(ns, q, &args) == 0)
		icmp_out_count(ns, ICMP_ECHOREPLY);
	else
		mib_inc(ns, MIB_IcmpOutErrors);
	pkt_consume(p);
}

/*
 * icmp_socket_deliver - hand the error to the err_handler of the protocol
 * of the datagram it quotes (data at the quoted IP header, whole and
 * followed by 8 bytes, checked by icmp_unreach). Borrows pkt.
 */
static void icmp_socket_deliver(struct pkt *p, uint32_t info)
{
	const struct iphdr *iph = (const struct iphdr *)p->data;
	const struct net_protocol *ipprot = inet_proto_get(iph->protocol);

	if (ipprot && ipprot->err_handler)
		ipprot->err_handler(p, info);
}

/*
 * icmp_unreach - destination unreachable, time exceeded, parameter
 * problem (and source quench): check the quoted header and hand the error
 * to the protocol that sent the datagram, which tells its socket
 * (IP_RECVERR) and, for frag needed, the route's path MTU
 * (ip_icmp_error -> ip_rt_update_pmtu). Consumes pkt.
 */
static void icmp_unreach(struct pkt *p)
{
	const struct icmphdr *icmph = (const struct icmphdr *)p->data;
	const struct iphdr *iph = (const struct iphdr *)(p->data + sizeof(*icmph));
	unsigned inner_len = p->len - (unsigned)sizeof(*icmph);
	uint32_t info = 0;

	/* The quoted header must be whole and followed by the 8 bytes of
	 * transport header that name the socket (RFC 792, RFC 1122 3.2.2). */
	if (inner_len < sizeof(*iph) || iph->ihl < 5 || iph->version != 4 ||
	    inner_len < iph->ihl * 4u + 8) {
		pkt_drop(p, DROP_ICMP_INVALID);
		return;
	}
	if (icmph->type == ICMP_DEST_UNREACH && icmph->code == ICMP_FRAG_NEEDED) {
		/* ip_no_pmtu_disc: 0 believes the MTU; 2 ignores the message;
		 * 3 keeps it only for protocols with strict tag validation
		 * (none of ours); others deliver it without an MTU */
		switch (p->ns->sysctl.ip_no_pmtu_disc) {
		case 0:
			info = ntohs(icmph->un.frag.mtu);
			break;
		case 2:
		case 3:
			pkt_consume(p);
			return;
		default:
			break;
		}
	} else if (icmph->type == ICMP_PARAMETERPROB)
		info = ntohl(icmph->un.gateway) >> 24;
	pkt_pull(p, sizeof(*icmph));
	icmp_socket_deliver(p, info);
	pkt_consume(p);
}

/*
 * icmp_redirect - a redirect (RFC 792): its quoted header must be whole
 * and followed by 8 bytes (else dropped as ICMP_INVALID, IcmpInErrors, as
 * icmp_socket_deliver counts); the protocol that sent the datagram decides with its socket
 * (ip_icmp_error -> ip_do_redirect). @info is the new gateway, host
 * order. Consumes pkt.
 */
static void icmp_redirect(struct pkt *p)
{
	const struct icmphdr *icmph = (const struct icmphdr *)p->data;
	const struct iphdr *iph = (const struct iphdr *)(p->data + sizeof(*icmph));
	unsigned inner_len = p->len - (unsigned)sizeof(*icmph);
	uint32_t info = ntohl(icmph->un.gateway);

	if (inner_len < sizeof(*iph) || iph->ihl < 5 || inner_len < iph->ihl * 4u + 8) {
		/* ICMP_INVALID counts IcmpInErrors */
		pkt_drop(p, DROP_ICMP_INVALID);
		return;
	}
	pkt_pull(p, sizeof(*icmph));
	icmp_socket_deliver(p, info);
	pkt_consume(p);
}

/*
 * icmp_err - IPPROTO_ICMP's err_handler: errors about an ICMP message we
 * sent. Every one but an echo reply (sent by icmp_echo, not a socket)
 * goes to the ping sockets. Borrows pkt.
 */
void icmp_err(struct pkt *p, uint32_t info)
{
	const struct iphdr *iph = (const struct iphdr *)p->data;
	const struct icmphdr *q = (const struct icmphdr *)(p->data + iph->ihl * 4u);

	if (q->type != ICMP_ECHOREPLY)
		ping_err(p, info);
}

/*
 * icmp_rcv - IPPROTO_ICMP handler (data at the ICMP header, l3_off valid).
 * Consumes pkt. Owner thread.
 */
void icmp_rcv(struct pkt *p)
{
	struct netns *ns = p->ns;
	const struct icmphdr *icmph;
	bool bcast;

	NS_ASSERT_OWNER(ns);
	mib_inc(ns, MIB_IcmpInMsgs);
	if (ip_compute_csum(p->data, p->len)) {
		/* csum_error falls into error: InCsumErrors and InErrors. */
		mib_inc(ns, MIB_IcmpInErrors);
		pkt_drop(p, DROP_ICMP_CSUM);
		return;
	}
	if (p->len < sizeof(*icmph)) {
		pkt_drop(p, DROP_ICMP_INVALID);
		return;
	}
	icmph = (const struct icmphdr *)p->data;
	icmp_in_count(ns, icmph->type);
	if (icmph->type > NR_ICMP_TYPES) {
		pkt_drop(p, DROP_ICMP_INVALID);
		return;
	}
	bcast = IPCB(p)->rt_type == RTN_BROADCAST || IPCB(p)->rt_type == RTN_MULTICAST;
	if (bcast) {
		/* RFC 1122 3.2.2.6: an echo to a broadcast MAY be silently
		 * ignored; icmp_echo_ignore_broadcasts (default 1) decides.
		 * Errors sent to a broadcast are bogus. Both count InErrors. */
		if ((icmph->type == ICMP_ECHO || icmph->type == ICMP_TIMESTAMP) &&
		    ns->sysctl.icmp_echo_ignore_broadcasts) {
			mib_inc(ns, MIB_IcmpInErrors);
			pkt_drop(p, DROP_ICMP_ECHO_IGNORED);
			return;
		}
		if (icmph->type != ICMP_ECHO && icmph->type != ICMP_TIMESTAMP &&
		    icmph->type != ICMP_ADDRESS && icmph->type != ICMP_ADDRESSREPLY) {
			pkt_drop(p, DROP_ICMP_INVALID);
			return;
		}
	}
	switch (icmph->type) {
	case ICMP_ECHO:
		icmp_echo(p);
		break;
	case ICMP_ECHOREPLY:
		ping_rcv(p);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		icmp_unreach(p);
		break;
	case ICMP_REDIRECT:
		icmp_redirect(p);
		break;
	default:
		/* Timestamps and the rest: accepted and ignored. */
		pkt_consume(p);
		break;
	}
}

/* icmp_exit - free the rate limiter state. Owner thread. */
void icmp_exit(struct netns *ns)
{
	free(ns->icmp);
	ns->icmp = NULL;
}

static const struct pernet_operations icmp_net_ops = {
	.name = "icmp",
	.exit = icmp_exit,
};

void icmp_init(void)
{
	register_pernet_subsys(&icmp_net_ops);
}

int icmp_err_convert(uint8_t code, bool *fatal)
{
	static const struct {
		uint8_t err; /* positive errno */
		bool fatal;
	} table[NR_ICMP_UNREACH + 1] = {
		[ICMP_NET_UNREACH] = { ENETUNREACH, false },
		[ICMP_HOST_UNREACH] = { EHOSTUNREACH, false },
		[ICMP_PROT_UNREACH] = { ENOPROTOOPT, true },
		[ICMP_PORT_UNREACH] = { ECONNREFUSED, true },
		[ICMP_FRAG_NEEDED] = { EMSGSIZE, false },
		[ICMP_SR_FAILED] = { EOPNOTSUPP, false },
		[ICMP_NET_UNKNOWN] = { ENETUNREACH, true },
		[ICMP_HOST_UNKNOWN] = { EHOSTDOWN, true },
		[ICMP_HOST_ISOLATED] = { ENONET, true },
		[ICMP_NET_ANO] = { ENETUNREACH, true },
		[ICMP_HOST_ANO] = { EHOSTUNREACH, true },
		[ICMP_NET_UNR_TOS] = { ENETUNREACH, false },
		[ICMP_HOST_UNR_TOS] = { EHOSTUNREACH, false },
		[ICMP_PKT_FILTERED] = { EHOSTUNREACH, true },
		[ICMP_PREC_VIOLATION] = { EHOSTUNREACH, true },
		[ICMP_PREC_CUTOFF] = { EHOSTUNREACH, true },
	};

	if (code > NR_ICMP_UNREACH) {
		*fatal = false;
		return EHOSTUNREACH;
	}
	*fatal = table[code].fatal;
	return table[code].err;
}
