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
#include "../core/csum.h"
#include "dev.h"
#include "icmp.h"
#include "ip.h"
#include "route.h"

/*
 * ip_rcv_core - the checks of the kernel's ip_rcv_core(), in its order.
 * Consumes pkt on failure (returns NULL after pkt_drop with the reason);
 * otherwise returns it with data at the IP header, trimmed to tot_len and
 * l3/l4 offsets set. Owner thread of pkt->dev's namespace.
 */
struct pkt *ip_rcv_core(struct pkt *p)
{
	struct netns *ns = p->ns ? p->ns : p->dev->ns;
	enum drop_reason reason = DROP_NOT_SPECIFIED;
	const struct iphdr *iph;
	unsigned ihl, len;

	p->ns = ns;
	NS_ASSERT_OWNER(ns);
	/* A promiscuous device passes frames for other hosts up; IP does not
	 * look at them, and they are not counted as received (ip_rcv_core
	 * drops PACKET_OTHERHOST before IPSTATS_MIB_IN). */
	if (unlikely(p->pkt_type == PACKET_OTHERHOST)) {
		pkt_drop(p, DROP_OTHERHOST);
		return NULL;
	}
	mib_inc(ns, MIB_IpInReceives);
	pkt_set_l3(p);

	if (unlikely(p->len < sizeof(struct iphdr)))
		goto inhdr_error;
	iph = (const struct iphdr *)p->data;
	/* Fast check (STYLE H3): version 4 with a 20-byte header is one
	 * byte compare; classify only when it fails. RFC 1122 3.2.1.1: a
	 * datagram whose version is not 4 MUST be silently discarded. */
	if (unlikely(p->data[0] != 0x45)) {
		if (iph->ihl < 5 || iph->version != 4)
			goto inhdr_error;
		if (p->len < (unsigned)iph->ihl * 4)
			goto inhdr_error;
	}
	ihl = iph->ihl * 4u;
	/* RFC 1122 3.2.1.2: a datagram with a bad header checksum MUST be
	 * silently discarded. */
	if (unlikely(ip_fast_csum(iph, iph->ihl)))
		goto csum_error;

	len = ntohs(iph->tot_len);
	if (unlikely(p->len < len)) {
		/* The frame holds less than the header claims. */
		pkt_drop(p, DROP_PKT_TRUNCATED);
		return NULL;
	} else if (unlikely(len < ihl)) {
		goto inhdr_error;
	}
	/* The link may have padded the frame (Ethernet's 60-byte minimum):
	 * now we know it is IP, trim to the datagram's true length. */
	pkt_trim(p, len);
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

/*
 * ip_rcv_finish - route the datagram (ip_route_input) and pass it to
 * local delivery, forwarding or the error path. Consumes pkt.
 */
static void ip_rcv_finish(struct pkt *p)
{
	enum drop_reason reason = DROP_NOT_SPECIFIED;
	int icmp_code = -1;
	struct rtable rt;

	/* A datagram looped back through `lo` was routed as local by
	 * ip_output already: in the kernel it keeps that dst across
	 * loopback_xmit and ip_rcv_finish skips the lookup (which would call
	 * our own source address a martian). nsemu's packets carry no route,
	 * so take `lo` itself as the sign. */
	if (p->dev && (p->dev->flags & IFF_LOOPBACK)) {
		IPCB(p)->rt_type = RTN_LOCAL;
		IPCB(p)->iif = p->dev->ifindex;
		ip_local_deliver(p);
		return;
	}
	if (unlikely(ip_route_input(p, &rt, &reason, &icmp_code) < 0)) {
		if (reason == DROP_NOT_SPECIFIED)
			reason = DROP_IP_INADDRERRORS;
		ip_error(p, reason, icmp_code);
		return;
	}
	/* IPCB: later layers (ICMP echo replies, UDP) need to know whether
	 * the datagram was addressed to a broadcast or multicast address. */
	IPCB(p)->rt_type = rt.type;
	IPCB(p)->iif = p->dev ? p->dev->ifindex : 0;

	switch (rt.type) {
	case RTN_LOCAL:
	case RTN_BROADCAST:
	case RTN_MULTICAST:
		ip_local_deliver(p);
		break;
	case RTN_UNICAST:
		ip_forward(p, &rt);
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
	/* NF_INET_PRE_ROUTING would run here (no netfilter yet). */
	ip_rcv_finish(p);
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
	inet_proto_fn fn;

	pkt_pull(p, iph->ihl * 4u);
	pkt_set_l4(p);
	fn = inet_proto_get(proto);
	if (likely(fn != NULL)) {
		/* The kernel counts InDelivers for every datagram a protocol
		 * handler accepted, whatever the handler does next. */
		mib_inc(p->ns, MIB_IpInDelivers);
		fn(p);
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
	/* NF_INET_LOCAL_IN would run here. */
	ip_local_deliver_finish(p);
}
