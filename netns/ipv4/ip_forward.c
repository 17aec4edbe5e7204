// SPDX-License-Identifier: MIT
/*
 * IPv4 forwarding, as net/ipv4/ip_forward.c. The routing code has already
 * decided the datagram is to be forwarded (ip_route_input checked
 * forwarding on the input device and rp_filter); ip_forward enforces what
 * a router owes the sender: an expiring TTL gets ICMP time exceeded
 * (RFC 1812 5.3.1), a datagram too big for the next link with DF set gets
 * ICMP fragmentation needed carrying the link MTU (RFC 1191), and every
 * forwarded datagram has its TTL decremented with an incremental checksum
 * update (RFC 1624). nsemu sends no ICMP redirects (send_redirects is not
 * acted upon): a host that routes through the wrong gateway keeps doing so.
 */
#include "core/csum.h"
#include "netns/core/dev.h"
#include "icmp.h"
#include "ip.h"
#include "netns/core/neigh.h"
#include "netns/core/netfilter.h"

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

/* Count a run of forwarded datagrams (IpForwDatagrams in
 * ip_forward_finish, IpOutTransmits in ip_finish_output2) and hand it to
 * the neighbour layer. Consumes the @n packets of @b. */
static void ip_forward_xmit(struct netns *ns, struct netdev *dev, uint32_t nh,
			    struct pkt_batch *b, unsigned n)
{
	mib_add(ns, MIB_IpForwDatagrams, n);
	mib_add(ns, MIB_IpOutTransmits, n);
	b->n = n;
	neigh_output_batch(dev, nh, b);
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
	 * written in place. */
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
 * (borrowed; a unicast route with its device and next hop, as
 * ip_route_input makes them). A datagram sent to the input device's own
 * MAC whose TTL does not expire and that fits the route's MTU (the common
 * case, one test) has its TTL decremented, gets the marks of
 * ip_finish_output2 (output device, next hop; its l3 offset and protocol
 * are already those) and joins the output run, which goes to the
 * neighbour layer together: ip_forward_finish, ip_output and
 * ip_finish_output2 for the run, with IpForwDatagrams and IpOutTransmits
 * counted once. Any other datagram goes through ip_forward on its own,
 * once the datagrams before it have been sent, so the order on the wire
 * and every counter are ip_forward's. Consumes every packet of @b. Owner
 * thread.
 */
void ip_forward_batch(struct pkt_batch *b, const struct rtable *rt)
{
	struct netns *ns = b->p[0]->ns;
	unsigned mtu = ip_dst_mtu_maybe_forward(ns, rt, true), i, n = b->n, out_n = 0;
	struct netdev *dev = rt->dev;
	uint32_t nh = rt->nexthop;
	struct pkt_batch out;

	NS_ASSERT_OWNER(ns);
	/* Not a route ip_route_input gives, or hooks at FORWARD or
	 * POST_ROUTING (one test of the slow word for the batch): every
	 * datagram through ip_forward, which runs them. */
	if (unlikely(!dev || !nh ||
		     (ns->slow & (NS_SLOW_NF(NF_INET_FORWARD) | NS_SLOW_NF(NF_INET_POST_ROUTING))))) {
		for (i = 0; i < n; i++)
			ip_forward(b->p[i], rt);
		b->n = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		struct pkt *p = b->p[i];
		struct iphdr *iph = (struct iphdr *)p->data;

		if (unlikely(p->pkt_type != PACKET_HOST || iph->ttl <= 1 || p->len > mtu)) {
			if (out_n) {
				ip_forward_xmit(ns, dev, nh, &out, out_n);
				out_n = 0;
			}
			ip_forward(p, rt);
			continue;
		}
		p->flags |= PKT_F_FORWARDED;
		ip_decrease_ttl(iph);
		p->dev = dev;
		p->nexthop = nh;
		out.p[out_n++] = p;
	}
	if (out_n)
		ip_forward_xmit(ns, dev, nh, &out, out_n);
	b->n = 0;
}
