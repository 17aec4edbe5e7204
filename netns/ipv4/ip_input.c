// SPDX-License-Identifier: MIT
/*
 * IPv4 receive, as net/ipv4/ip_input.c: ip_rcv validates the header
 * (ip_rcv_core), ip_rcv_finish asks the routing code what the datagram is
 * for (ip_route_input) and hands it to local delivery, forwarding, or the
 * error path (ip_error: ICMP destination unreachable, then the drop), and
 * ip_local_deliver reassembles fragments and dispatches to inet_protos[].
 * Counters and drop reasons are the kernel's: IpInReceives first, then
 * IpInHdrErrors / IpInCsumErrors / IpInTruncatedPkts for bad headers,
 * IpInDelivers and IpInUnknownProtos on delivery.
 */
#include "core/csum.h"
#include "netns/core/dev.h"
#include "icmp.h"
#include "ip.h"
#include "netns/core/netfilter.h"
#include "route.h"

/*
 * ip_rcv_core - the checks of the kernel's ip_rcv_core(), in its order.
 * Consumes pkt on failure (returns NULL after pkt_drop with the reason);
 * otherwise returns it with data at the IP header, trimmed to tot_len and
 * l3/l4 offsets set. Owner thread of pkt->dev's namespace.
 */
static inline __attribute__((always_inline)) struct pkt *ip_rcv_core_inline(struct netns *ns,
									    struct pkt *p)
{
	enum drop_reason reason = DROP_NOT_SPECIFIED;
	const struct iphdr *iph;
	unsigned ihl, len, plen;
	uint16_t bad;

	/* A promiscuous device passes frames for other hosts up; IP does not
	 * look at them, and they are not counted as received (ip_rcv_core
	 * drops PACKET_OTHERHOST before IPSTATS_MIB_IN). */
	if (unlikely(p->pkt_type == PACKET_OTHERHOST)) {
		pkt_drop(p, DROP_OTHERHOST);
		return NULL;
	}
	mib_inc(ns, MIB_IpInReceives);
	pkt_set_l3(p);

	plen = p->len;
	if (unlikely(plen < sizeof(struct iphdr)))
		goto inhdr_error;
	iph = (const struct iphdr *)p->data;
	/* Fast check (STYLE H3): version 4 with a 20-byte header is one
	 * byte compare; classify only when it fails. RFC 1122 3.2.1.1: a
	 * datagram whose version is not 4 MUST be silently discarded.
	 * RFC 1122 3.2.1.2: a datagram with a bad header checksum MUST be
	 * silently discarded. */
	if (likely(p->data[0] == 0x45)) {
		ihl = sizeof(struct iphdr);
		bad = ip_fast_csum(iph, 5);
	} else {
		if (iph->ihl < 5 || iph->version != 4)
			goto inhdr_error;
		if (plen < (unsigned)iph->ihl * 4)
			goto inhdr_error;
		ihl = iph->ihl * 4u;
		bad = ip_fast_csum(iph, iph->ihl);
	}
	if (unlikely(bad))
		goto csum_error;

	len = ntohs(iph->tot_len);
	if (unlikely(plen < len)) {
		/* The frame holds less than the header claims. */
		pkt_drop(p, DROP_PKT_TRUNCATED);
		return NULL;
	} else if (unlikely(len < ihl)) {
		goto inhdr_error;
	}
	/* The link may have padded the frame (Ethernet's 60-byte minimum):
	 * now we know it is IP, trim to the datagram's true length. */
	p->len = len;
	p->l4_off = (uint16_t)(p->l3_off + ihl);
	p->flags |= PKT_F_CSUM_VALID;
	return p;

csum_error:
	/* As the kernel: a checksum error is also a header error. The drop
	 * table maps IP_CSUM to IpInHdrErrors; InCsumErrors is counted here. */
	reason = DROP_IP_CSUM;
	mib_inc(ns, MIB_IpInCsumErrors);
inhdr_error:
	if (reason == DROP_NOT_SPECIFIED)
		reason = DROP_IP_INHDR;
	pkt_drop(p, reason);
	return NULL;
}

struct pkt *ip_rcv_core(struct pkt *p)
{
	struct netns *ns = p->ns ? p->ns : p->dev->ns;

	p->ns = ns;
	NS_ASSERT_OWNER(ns);
	return ip_rcv_core_inline(ns, p);
}

/*
 * ip_error - a route lookup failed for a received datagram (the kernel's
 * dst.input = ip_error). Tell the sender with destination unreachable when
 * the routing code gave a code (net/host unreachable, or "communication
 * administratively prohibited" for prohibit routes), then drop. icmp_send
 * applies the ICMP rate limits (the kernel's ip_error has its own peer
 * token bucket on top; nsemu relies on icmp_send's alone). Consumes pkt.
 */
static void ip_error(struct pkt *p, enum drop_reason reason, int icmp_code)
{
	struct netns *ns = p->ns;

	/* ip_error: with forwarding off on the input device the kernel
	 * sends nothing and counts the datagram as an address error. */
	if (reason == DROP_IP_FORWARDING_DISABLED)
		mib_inc(ns, MIB_IpInAddrErrors);
	if (icmp_code == ICMP_NET_UNREACH)
		mib_inc(ns, MIB_IpInNoRoutes);
	if (icmp_code >= 0)
		icmp_send(p, ICMP_DEST_UNREACH, icmp_code, 0);
	pkt_drop(p, reason);
}

static void ip_rcv_finish_rt(struct pkt *p, int err, const struct rtable *rt,
			     enum drop_reason reason, int icmp_code);

/* Was a datagram received on @dev sent by this namespace to itself: lo,
 * or a VRF (the loopback of its domain)? One test of the flags in the
 * common case (a VRF is IFF_MASTER). */
static inline bool ip_rcv_looped(const struct netdev *dev)
{
	if (likely(!(dev->flags & (IFF_LOOPBACK | IFF_MASTER))))
		return false;
	return (dev->flags & IFF_LOOPBACK) || netif_is_l3_master(dev);
}

/*
 * ip_rcv_finish - route the datagram (ip_route_input) and pass it to
 * local delivery, forwarding or the error path. Consumes pkt.
 */
static void ip_rcv_finish(struct pkt *p)
{
	enum drop_reason reason = DROP_NOT_SPECIFIED;
	int icmp_code = -1;
	struct rtable rt;
	int err;

	/* A datagram looped back through `lo` was routed as local by
	 * ip_output already: in the kernel it keeps that dst across
	 * loopback_xmit and ip_rcv_finish skips the lookup (which would call
	 * our own source address a martian). nsemu's packets carry no route,
	 * so take `lo` itself as the sign; and a VRF, which is its domain's
	 * loopback (vrf_local_xmit keeps the dst too). */
	if (p->dev && ip_rcv_looped(p->dev)) {
		IPCB(p)->rt_type = RTN_LOCAL;
		IPCB(p)->iif = p->dev->ifindex;
		ip_local_deliver(p);
		return;
	}
	err = ip_route_input(p, &rt, &reason, &icmp_code);
	ip_rcv_finish_rt(p, err, &rt, reason, icmp_code);
}

/*
 * ip_rcv_finish_rt - the second half of ip_rcv_finish: act on the routing
 * answer (@err < 0: the error path with @reason and @icmp_code; else @rt).
 * Consumes pkt.
 */
static void ip_rcv_finish_rt(struct pkt *p, int err, const struct rtable *rt,
			     enum drop_reason reason, int icmp_code)
{
	if (unlikely(err < 0)) {
		if (reason == DROP_NOT_SPECIFIED)
			reason = DROP_IP_INADDRERRORS;
		ip_error(p, reason, icmp_code);
		return;
	}
	/* IPCB: later layers (ICMP echo replies, UDP) need to know whether
	 * the datagram was addressed to a broadcast or multicast address. */
	IPCB(p)->rt_type = rt->type;
	IPCB(p)->iif = p->dev ? p->dev->ifindex : 0;

	switch (rt->type) {
	case RTN_LOCAL:
	case RTN_BROADCAST:
	case RTN_MULTICAST:
		ip_local_deliver(p);
		break;
	case RTN_UNICAST:
		ip_forward(p, rt);
		break;
	default:
		/* Blackhole, unreachable and prohibit come back as errors;
		 * anything else is a route type IPv4 input cannot use. */
		pkt_drop(p, DROP_NOT_SPECIFIED);
		break;
	}
}

/*
 * ip_rcv - the ETH_P_IP packet handler: validate, then route. Consumes pkt
 * (data at the IP header, pkt->dev the input device). Owner thread.
 */
void ip_rcv(struct pkt *p)
{
	p = ip_rcv_core(p);
	if (!p)
		return;
	if (!nf_hook(NF_INET_PRE_ROUTING, p->ns, p, p->dev, NULL))
		return;
	ip_rcv_finish(p);
}

/*
 * ip_rcv_batch - the batch entry of ETH_P_IP (Linux's ip_list_rcv): every
 * datagram goes through ip_rcv_core; then runs of datagrams with the same
 * input device, source and destination share one routing decision, as
 * ip_list_rcv_finish reuses the previous packet's route (ip_route_use_hint).
 * A forwarded run is gathered and goes through ip_forward_batch together;
 * a run delivered here goes to ip_local_deliver datagram by datagram with
 * the run's route, as long as ns->dev_gen says nothing the decision depends
 * on has changed (a socket's handler runs in between; the same rule as the
 * device's route hint). Anything else (errors, broadcasts, a datagram from
 * lo) takes ip_rcv_finish's path one by one, after the pending forwarded
 * run has been sent, so datagrams leave in the order they came. Consumes
 * every packet of @b.
 */
void ip_rcv_batch(struct pkt_batch *b)
{
	struct pkt_batch fwd;	/* the current forwarded run */
	struct rtable rt;	/* the run's route */
	struct netdev *in = NULL; /* the run's key: input device, saddr, daddr */
	uint32_t saddr = 0, daddr = 0, gen = 0;
	int iif = 0;		/* in->ifindex */
	bool local = false;	/* a local run (RTN_LOCAL), else forwarded */
	unsigned i, n = b->n, fwd_n = 0;

	for (i = 0; i < n; i++) {
		struct pkt *p = b->p[i];
		enum drop_reason reason;
		const struct iphdr *iph;
		int icmp_code, err;

		/* dev_rx_batch asserted the owner for each device */
		p = ip_rcv_core_inline(p->ns, p);
		if (unlikely(!p))
			continue;
		iph = (const struct iphdr *)p->data;
		/* Same key as the run: same decision (H2). */
		if (likely(p->dev == in && iph->daddr == daddr && iph->saddr == saddr)) {
			if (likely(!local)) {
				IPCB(p)->rt_type = RTN_UNICAST;
				IPCB(p)->iif = iif;
				fwd.p[fwd_n++] = p;
				continue;
			}
			if (likely(p->ns->dev_gen == gen)) {
				ip_rcv_finish_rt(p, 0, &rt, DROP_NOT_SPECIFIED, -1);
				continue;
			}
		}
		if (fwd_n) {
			fwd.n = fwd_n;
			ip_forward_batch(&fwd, &rt);
			fwd_n = 0;
		}
		in = NULL;
		/* Hooks at PRE_ROUTING: every datagram on its own, through
		 * ip_rcv's path (tested where a run would start, so not per
		 * datagram; registering a hook bumps dev_gen, which ends a
		 * local run). */
		if (unlikely(p->ns->slow & NS_SLOW_NF(NF_INET_PRE_ROUTING))) {
			if (nf_hook_slow(p->ns, NF_INET_PRE_ROUTING, p, p->dev, NULL))
				ip_rcv_finish(p);
			continue;
		}
		if (unlikely(ip_rcv_looped(p->dev))) {
			ip_rcv_finish(p);
			continue;
		}
		err = ip_route_input(p, &rt, &reason, &icmp_code);
		/* a multipath route's path is per flow: no run (as no hint) */
		if (err < 0 || (rt.type != RTN_UNICAST && rt.type != RTN_LOCAL) || rt.multipath) {
			ip_rcv_finish_rt(p, err, &rt, reason, icmp_code);
			continue;
		}
		/* a run starts */
		in = p->dev;
		iif = in->ifindex;
		saddr = iph->saddr;
		daddr = iph->daddr;
		local = rt.type == RTN_LOCAL;
		if (local) {
			gen = p->ns->dev_gen;
			ip_rcv_finish_rt(p, 0, &rt, DROP_NOT_SPECIFIED, -1);
			continue;
		}
		IPCB(p)->rt_type = RTN_UNICAST;
		IPCB(p)->iif = in->ifindex;
		fwd.p[fwd_n++] = p;
	}
	if (fwd_n) {
		fwd.n = fwd_n;
		ip_forward_batch(&fwd, &rt);
	}
	b->n = 0;
}

/*
 * ip_local_deliver_finish - strip the IP header and call the protocol's
 * handler (ip_protocol_deliver_rcu). No handler: ICMP protocol
 * unreachable (RFC 1122 3.2.2.1) and DROP_IP_NOPROTO, which also counts
 * IpInUnknownProtos. Consumes pkt.
 */
static void ip_local_deliver_finish(struct pkt *p)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	uint8_t proto = iph->protocol;
	const struct net_protocol *ipprot;

	pkt_pull(p, iph->ihl * 4u);
	pkt_set_l4(p);
	ipprot = inet_proto_get(proto);
	if (likely(ipprot != NULL)) {
		/* The kernel counts InDelivers for every datagram a protocol
		 * handler accepted, whatever the handler does next. */
		mib_inc(p->ns, MIB_IpInDelivers);
		ipprot->handler(p);
		return;
	}
	icmp_send(p, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
	pkt_drop(p, DROP_IP_NOPROTO);
}

/*
 * ip_local_deliver - deliver a datagram addressed to this namespace (or a
 * broadcast it accepts): reassemble it first if it is a fragment (MF set
 * or a non-zero offset), then dispatch. Consumes pkt (data at the IP
 * header, l3_off valid). Owner thread.
 */
void ip_local_deliver(struct pkt *p)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);

	if (unlikely(iph->frag_off & htons(IP_MF | IP_OFFSET))) {
		p = ip_defrag(p);
		if (!p)
			return;
	}
	if (!nf_hook(NF_INET_LOCAL_IN, p->ns, p, p->dev, NULL))
		return;
	ip_local_deliver_finish(p);
}
