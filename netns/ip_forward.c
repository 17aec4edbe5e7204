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
#include "../core/csum.h"
#include "dev.h"
#include "icmp.h"
#include "ip.h"

/*
 * ip_decrease_ttl - decrement the TTL and patch the header checksum for
 * the 16-bit word holding ttl and protocol (RFC 1624 eqn. 3), as the
 * kernel's ip_decrease_ttl. Returns the new TTL.
 */
static uint8_t ip_decrease_ttl(struct iphdr *iph)
{
	uint16_t old, new;

	memcpy(&old, &iph->ttl, sizeof(old));
	iph->ttl--;
	memcpy(&new, &iph->ttl, sizeof(new));
	iph->check = csum_replace2(iph->check, old, new);
	return iph->ttl;
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

/* The MTU of the route's output device, unless the route sets its own
 * (ip_dst_mtu_maybe_forward). */
static unsigned ip_rt_mtu(const struct rtable *rt)
{
	if (rt->mtu)
		return rt->mtu;
	return rt->dev ? rt->dev->mtu : ETH_DATA_LEN;
}

/*
 * ip_forward_finish - count and send. Consumes pkt.
 */
static void ip_forward_finish(struct pkt *p, const struct rtable *rt)
{
	mib_inc(p->ns, MIB_IpForwDatagrams);
	ip_output(p, rt);
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

	mtu = ip_rt_mtu(rt);
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
	/* NF_INET_FORWARD would run here. */
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
