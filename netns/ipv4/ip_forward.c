// SPDX-License-Identifier: MIT
/*
 * IPv4 forwarding, as net/ipv4/ip_forward.c. The routing code has already
 * decided the datagram is to be forwarded (ip_route_input checked
 * forwarding on the input device and rp_filter); ip_forward enforces what
 * a router owes the sender: an expiring TTL gets ICMP time exceeded
 * (RFC 1812 5.3.1), a datagram too big for the next link with DF set gets
 * ICMP fragmentation needed carrying the link MTU (RFC 1191), and every
 * forwarded datagram has its TTL decremented with an incremental checksum
 * update (RFC 1624). A datagram that leaves by the interface it came in
 * on, toward a gateway its sender could have used directly, also earns the
 * sender an ICMP redirect (RFC 1812 5.2.7.2; ip_route_input decides,
 * ip_rt_send_redirect rate-limits).
 */
#include <string.h>

#include "core/csum.h"
#include "netns/core/dev.h"
#include "icmp.h"
#include "ip.h"
#include "netns/core/neigh.h"
#include "netns/core/netfilter.h"
#include "route_exception.h"

/*
 * ip_decrease_ttl - decrement the TTL and patch the header checksum, as
 * the kernel's ip_decrease_ttl: the 16-bit word holding ttl and protocol
 * loses 0x0100, so the checksum gains 0x0100 in one's complement (RFC 1624
 * eqn. 3 for this change). Adding in the stored byte order with the
 * end-around carry gives, bit for bit, what csum_replace2 gives (never
 * 0xffff, 0 for a zero sum). Returns the new TTL.
 */
static inline uint8_t ip_decrease_ttl(struct iphdr *iph)
{
	uint32_t check = iph->check;

	check += htons(0x0100);
	iph->check = (uint16_t)(check + (check >= 0xffff));
	return --iph->ttl;
}

/*
 * ip_exceeds_mtu - as the kernel's: only a datagram longer than the MTU
 * with DF set is refused; without DF it is fragmented by ip_output.
 */
static bool ip_exceeds_mtu(const struct pkt *p, unsigned mtu)
{
	const struct iphdr *iph = (const struct iphdr *)p->data;

	if (p->len <= mtu)
		return false;
	return (iph->frag_off & htons(IP_DF)) != 0;
}

/*
 * ip_forward_finish - count and send. Consumes pkt.
 */
static void ip_forward_finish(struct pkt *p, const struct rtable *rt)
{
	mib_inc(p->ns, MIB_IpForwDatagrams);
	ip_output(p, rt);
}

/* ip_forward_finish for the packets b->p[@start..@end): IpForwDatagrams
 * once for the run, which goes through ip_output's stages together (the
 * whole of @b as it is, the common case, or a copy of the part). Consumes
 * them. */
static void ip_forward_finish_batch(struct netns *ns, struct pkt_batch *b, unsigned start,
				    unsigned end, const struct rtable *rt)
{
	struct pkt_batch part;

	if (start == end)
		return;
	mib_add(ns, MIB_IpForwDatagrams, end - start);
	if (likely(start == 0 && end == b->n)) {
		ip_output_batch(b, rt);
		return;
	}
	part.n = end - start;
	memcpy(part.p, b->p + start, part.n * sizeof(part.p[0]));
	ip_output_batch(&part, rt);
}

/*
 * ip_forward - forward a received datagram along @rt (borrowed; the
 * routing result for its destination). Consumes pkt (data at the IP
 * header). Owner thread.
 */
void ip_forward(struct pkt *p, const struct rtable *rt)
{
	struct iphdr *iph = (struct iphdr *)p->data;
	unsigned mtu;

	NS_ASSERT_OWNER(p->ns);
	p->flags |= PKT_F_FORWARDED;
	/* A router forwards only frames sent to its own MAC: link-layer
	 * broadcasts and multicasts are not forwarded (the kernel drops them
	 * here without a specific reason). */
	if (p->pkt_type != PACKET_HOST) {
		pkt_drop(p, DROP_NOT_SPECIFIED);
		return;
	}
	if (iph->ttl <= 1)
		goto too_many_hops;

	mtu = ip_dst_mtu_maybe_forward(p->ns, rt, true);
	if (ip_exceeds_mtu(p, mtu)) {
		/* RFC 1191: tell the sender the next-hop MTU. The drop table
		 * maps IP_FRAG_NEEDED to IpFragFails, as the kernel counts. */
		icmp_send(p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
		pkt_drop(p, DROP_IP_FRAG_NEEDED);
		return;
	}
	/* The kernel calls skb_cow here; nsemu's receiver owns the buffer
	 * outright (it is never shared between namespaces), so the header is
	 * written in place. The redirect quotes the header as it arrived. */
	if (unlikely(rt->flags & RTCF_DOREDIRECT))
		ip_rt_send_redirect(p, rt);
	ip_decrease_ttl(iph);
	if (!nf_hook(NF_INET_FORWARD, p->ns, p, p->dev, rt->dev))
		return;
	ip_forward_finish(p, rt);
	return;

too_many_hops:
	/* Tell the sender its datagram died (RFC 792, RFC 1812 5.3.1). The
	 * kernel counts this as a header error (IPSTATS_MIB_INHDRERRORS in
	 * ip_forward's too_many_hops), which traceroute's probes move. */
	mib_inc(p->ns, MIB_IpInHdrErrors);
	icmp_send(p, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
	pkt_drop(p, DROP_IP_TTL_EXPIRED);
}

/*
 * ip_forward_batch - ip_forward for a run of datagrams sharing @rt
 * (borrowed; a unicast route, as ip_route_input makes them). A datagram
 * sent to the input device's own MAC whose TTL does not expire and that
 * fits the route's MTU (the common case, one test) has its TTL decremented
 * and joins the forwarded run, which then goes through ip_forward_finish
 * and ip_output's stages together (ip_forward_finish_batch,
 * ip_output_batch). Any other datagram goes through ip_forward on its own,
 * once the datagrams before it have been handed on, so the order on the
 * wire and every counter are ip_forward's. With hooks at FORWARD (one test
 * of the slow word for the run) or on a route that redirects (each
 * datagram may earn a redirect) every datagram takes ip_forward. Consumes
 * every packet of @b. Owner thread.
 */
void ip_forward_batch(struct pkt_batch *b, const struct rtable *rt)
{
	struct netns *ns = b->p[0]->ns;
	unsigned mtu = ip_dst_mtu_maybe_forward(ns, rt, true), i, n = b->n, start = 0;

	NS_ASSERT_OWNER(ns);
	if (unlikely((ns->slow & NS_SLOW_NF(NF_INET_FORWARD)) || (rt->flags & RTCF_DOREDIRECT))) {
		for (i = 0; i < n; i++)
			ip_forward(b->p[i], rt);
		b->n = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		struct pkt *p = b->p[i];
		struct iphdr *iph = (struct iphdr *)p->data;

		if (unlikely(p->pkt_type != PACKET_HOST || iph->ttl <= 1 || p->len > mtu)) {
			ip_forward_finish_batch(ns, b, start, i, rt);
			start = i + 1;
			ip_forward(p, rt);
			continue;
		}
		p->flags |= PKT_F_FORWARDED;
		ip_decrease_ttl(iph);
	}
	ip_forward_finish_batch(ns, b, start, n, rt);
	b->n = 0;
}
