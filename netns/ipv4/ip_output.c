// SPDX-License-Identifier: MIT
/*
 * IPv4 output, as net/ipv4/ip_output.c: ip_send builds the header of a
 * locally generated datagram (the work of ip_build_and_send_pkt and
 * ip_make_skb for nsemu's sockets and ICMP), ip_local_out finishes it
 * (IP ID, checksum, IpOutRequests), ip_output sends any routed datagram,
 * fragmenting it when it is larger than the route's MTU and DF is clear
 * (ip_fragment / ip_do_fragment), and ip_finish_output2 hands each packet
 * to the neighbour layer toward the route's next hop. Datagrams for a
 * local address leave through `lo` and are received again, as in Linux.
 */
#include <errno.h>
#include <string.h>

#include "core/csum.h"
#include "netns/core/dev.h"
#include "icmp.h"
#include "ip.h"
#include "netns/core/neigh.h"
#include "netns/core/netfilter.h"

#define IPOPT_END 0
#define IPOPT_NOOP 1
#define IPOPT_COPIED(o) ((o) & 0x80)

/*
 * ip_finish_output2 - one packet (a whole datagram or a fragment) to the
 * neighbour layer: next hop from the route, IpOutTransmits counted for
 * every packet handed to the link (Linux >= 6.3 OutTransmits). Consumes pkt.
 */
static inline void ip_finish_output2_mark(struct pkt *p, uint32_t nh)
{
	pkt_set_l3(p);
	p->protocol = ETH_P_IP;
	p->nexthop = nh;
}

static void ip_finish_output2(struct pkt *p, const struct rtable *rt)
{
	/* On-link routes carry the destination itself as next hop; local
	 * ones too (lo needs no resolution, but keep it meaningful). */
	ip_finish_output2_mark(p, rt->nexthop ? rt->nexthop
					      : ((const struct iphdr *)p->data)->daddr);
	mib_inc(p->ns, MIB_IpOutTransmits);
	neigh_output(p);
}

/* ip_finish_output2 for the packets b->p[@start..@end), all marked for
 * next hop @nh on @dev: IpOutTransmits once for the run, which goes to the
 * neighbour layer together (the whole of @b as it is, the common case, or
 * a copy of the part). Consumes them; b->n is left 0 when the run was the
 * whole batch. */
static void ip_finish_output2_batch(struct netns *ns, struct netdev *dev, uint32_t nh,
				    struct pkt_batch *b, unsigned start, unsigned end)
{
	struct pkt_batch part;

	if (start == end)
		return;
	mib_add(ns, MIB_IpOutTransmits, end - start);
	if (likely(start == 0 && end == b->n)) {
		neigh_output_batch(dev, nh, b);
		return;
	}
	part.n = end - start;
	memcpy(part.p, b->p + start, part.n * sizeof(part.p[0]));
	neigh_output_batch(dev, nh, &part);
}

/*
 * ip_options_fragment - in fragments after the first, options whose
 * "copied" flag is clear are replaced by NOOPs (RFC 791: only copied
 * options are repeated in every fragment), as the kernel does.
 */
static void ip_options_fragment(uint8_t *opt, unsigned l)
{
	while (l > 0) {
		unsigned optlen;

		if (opt[0] == IPOPT_END)
			return;
		if (opt[0] == IPOPT_NOOP) {
			l--;
			opt++;
			continue;
		}
		if (l < 2)
			return;
		optlen = opt[1];
		if (optlen < 2 || optlen > l)
			return;
		if (!IPOPT_COPIED(opt[0]))
			memset(opt, IPOPT_NOOP, optlen);
		l -= optlen;
		opt += optlen;
	}
}

/*
 * ip_fragment - split a datagram larger than @mtu into fragments of at
 * most @mtu bytes (payload a multiple of 8 except the last), as
 * ip_do_fragment's slow path, and send each one. With DF set the datagram
 * cannot be split: ICMP fragmentation needed back to the sender and
 * DROP_IP_FRAG_NEEDED (IpFragFails). Counts IpFragOKs per datagram and
 * IpFragCreates per fragment. Consumes pkt (data at the IP header).
 */
void ip_fragment(struct pkt *p, const struct rtable *rt, unsigned mtu)
{
	const struct iphdr *iph = (const struct iphdr *)p->data;
	unsigned hlen = iph->ihl * 4u, left, pos = 0, chunk;
	unsigned orig_off = (ntohs(iph->frag_off) & IP_OFFSET) * 8u;
	bool orig_mf = (iph->frag_off & htons(IP_MF)) != 0;
	bool first = true;

	if (iph->frag_off & htons(IP_DF)) {
		icmp_send(p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
		pkt_drop(p, DROP_IP_FRAG_NEEDED);
		return;
	}
	/* Every fragment but the last carries a multiple of 8 bytes. */
	chunk = mtu > hlen ? (mtu - hlen) & ~7u : 0;
	if (unlikely(chunk == 0 || p->len <= hlen)) {
		pkt_drop(p, DROP_IP_FRAG_FAILS);
		return;
	}
	left = p->len - hlen;
	while (left > 0) {
		unsigned len = left > chunk ? chunk : left;
		bool more = left > len || orig_mf;
		struct iphdr *fh;
		struct pkt *q;

		q = pkt_alloc(PKT_HR_NET, hlen + len);
		if (unlikely(!q)) {
			/* Fragments already sent stay sent, as in the kernel;
			 * the datagram as a whole failed. */
			pkt_drop(p, DROP_IP_FRAG_FAILS);
			return;
		}
		q->dev = p->dev;
		q->ns = p->ns;
		q->flags = (uint16_t)(p->flags & ~PKT_F_LARGE);
		q->pkt_type = p->pkt_type;
		q->tstamp = p->tstamp;
		memcpy(q->cb, p->cb, sizeof(q->cb));
		memcpy(q->data, p->data, hlen);
		memcpy(q->data + hlen, p->data + hlen + pos, len);
		fh = (struct iphdr *)q->data;
		if (!first)
			ip_options_fragment(q->data + sizeof(*fh), hlen - sizeof(*fh));
		fh->tot_len = htons((uint16_t)(hlen + len));
		fh->frag_off = htons((uint16_t)(((orig_off + pos) >> 3) | (more ? IP_MF : 0)));
		fh->check = 0;
		fh->check = ip_fast_csum(fh, fh->ihl);
		mib_inc(p->ns, MIB_IpFragCreates);
		ip_finish_output2(q, rt);
		pos += len;
		left -= len;
		first = false;
	}
	mib_inc(p->ns, MIB_IpFragOKs);
	pkt_consume(p);
}

/*
 * ip_output - send a routed datagram (forwarded or local) on the route's
 * device: fragment when longer than the path MTU (ip_finish_output's
 * check), else straight to the neighbour layer. Consumes pkt (data at the
 * IP header, pkt->ns set). Owner thread.
 */
void ip_output(struct pkt *p, const struct rtable *rt)
{
	struct netdev *dev = ip_rt_dev(p->ns, rt);
	unsigned mtu;

	NS_ASSERT_OWNER(p->ns);
	if (unlikely(!dev)) {
		pkt_drop(p, DROP_IP_OUTNOROUTES);
		return;
	}
	p->dev = dev;
	if (!nf_hook(NF_INET_POST_ROUTING, p->ns, p, NULL, dev))
		return;
	mtu = ip_dst_mtu_maybe_forward(p->ns, rt, false);
	if (p->len > mtu) {
		ip_fragment(p, rt, mtu);
		return;
	}
	ip_finish_output2(p, rt);
}

/*
 * ip_output_batch - ip_output for a run of datagrams routed by @rt, stage
 * by stage: POST_ROUTING, ip_finish_output's MTU check and
 * ip_finish_output2's marks for each datagram in order. The datagrams that
 * go out whole share the route's next hop and go to the neighbour layer
 * together; one that must be fragmented is fragmented on its own once the
 * datagrams before it have been handed on, so the order on the wire and
 * every counter are ip_output's. With hooks at POST_ROUTING (one test of
 * the slow word for the run), no device or an on-link route (a next hop
 * per datagram) every datagram takes ip_output. Consumes every packet of
 * @b. Owner thread.
 */
void ip_output_batch(struct pkt_batch *b, const struct rtable *rt)
{
	struct netns *ns = b->p[0]->ns;
	struct netdev *dev = ip_rt_dev(ns, rt);
	unsigned mtu, i, n = b->n, start = 0;
	uint32_t nh = rt->nexthop;

	NS_ASSERT_OWNER(ns);
	if (unlikely(!dev || !nh || (ns->slow & NS_SLOW_NF(NF_INET_POST_ROUTING)))) {
		for (i = 0; i < n; i++)
			ip_output(b->p[i], rt);
		b->n = 0;
		return;
	}
	mtu = ip_dst_mtu_maybe_forward(ns, rt, false);
	for (i = 0; i < n; i++) {
		struct pkt *p = b->p[i];

		p->dev = dev;
		if (unlikely(p->len > mtu)) {
			ip_finish_output2_batch(ns, dev, nh, b, start, i);
			start = i + 1;
			ip_fragment(p, rt, mtu);
			continue;
		}
		ip_finish_output2_mark(p, nh);
	}
	ip_finish_output2_batch(ns, dev, nh, b, start, n);
	b->n = 0;
}

/*
 * ip_local_out - finish a locally built header (IP ID from the namespace's
 * counter, checksum) and send it: IpOutRequests counts the datagram once,
 * before any fragmentation. Consumes pkt. Owner thread.
 */
void ip_local_out(struct netns *ns, struct pkt *p, const struct rtable *rt)
{
	struct iphdr *iph = (struct iphdr *)p->data;

	NS_ASSERT_OWNER(ns);
	p->ns = ns;
	p->flags |= PKT_F_LOCAL_OUT;
	p->pkt_type = PACKET_HOST;
	pkt_set_l3(p);
	iph->id = htons(ns->ip_id++);
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);
	mib_inc(ns, MIB_IpOutRequests);
	if (!nf_hook(NF_INET_LOCAL_OUT, ns, p, NULL, ip_rt_dev(ns, rt)))
		return;
	ip_output(p, rt);
}

/* Map a routing error to the drop reason of the datagram that could not
 * be sent (the error itself goes back to the caller). */
static enum drop_reason ip_route_err_reason(int err)
{
	switch (err) {
	case -ENETUNREACH:
		return DROP_IP_OUTNOROUTES; /* IpOutNoRoutes, as the kernel counts */
	case -EHOSTUNREACH:
		return DROP_IP_NOROUTE_UNREACHABLE;
	case -EACCES:
		return DROP_IP_NOROUTE_PROHIBIT;
	case -EINVAL:
		return DROP_IP_NOROUTE_BLACKHOLE;
	default:
		return DROP_NOT_SPECIFIED;
	}
}

/*
 * ip_send - route a locally built payload to a->daddr, put an IP header in
 * front of it and send it. The source is a->saddr, or the address routing
 * selects; the TTL a->ttl or net.ipv4.ip_default_ttl. A datagram with DF
 * (a->df) that does not fit the route's MTU (a learned path MTU included)
 * is refused with -EMSGSIZE (counted as IpFragFails, like the kernel's
 * local ip_fragment failure); with a->pmtu_want it carries DF only while it
 * fits. Consumes
 * @payload in every case (data at the transport header, PKT_HR_* headroom
 * for the IP and link headers). Returns 0 or the negative errno of routing
 * (-ENETUNREACH, -EHOSTUNREACH, -EACCES, -EINVAL) or -EMSGSIZE. Owner thread.
 */
int ip_send(struct netns *ns, struct pkt *payload, const struct ip_send_args *a)
{
	struct pkt *p = payload;
	struct rtable rt;
	struct iphdr *iph;
	unsigned tot, mtu;
	bool df;
	int err;

	NS_ASSERT_OWNER(ns);
	p->ns = ns;
	err = ip_route_output(ns, a->daddr, a->saddr, a->oif, &rt);
	if (err < 0) {
		pkt_drop(p, ip_route_err_reason(err));
		return err;
	}
	tot = p->len + sizeof(*iph);
	if (unlikely(tot > IP_MAXPACKET)) {
		pkt_drop(p, DROP_IP_FRAG_FAILS);
		return -EMSGSIZE;
	}
	mtu = ip_dst_mtu_maybe_forward(ns, &rt, false);
	if (a->df && tot > mtu) {
		pkt_drop(p, DROP_IP_FRAG_NEEDED);
		return -EMSGSIZE;
	}
	/* __ip_make_skb: with WANT, DF while the datagram fits the path MTU
	 * and that MTU is not locked (ip_dont_fragment); a larger one is
	 * fragmented here */
	df = a->df || (a->pmtu_want && tot <= mtu &&
		       !(rt.flags & (RTCF_MTU_LOCKED | RTCF_MTU_LOCKED_ROUTE)));
	if (unlikely(pkt_headroom(p) < sizeof(*iph))) {
		pkt_drop(p, DROP_NOMEM);
		return -ENOBUFS;
	}
	pkt_set_l4(p);
	iph = (struct iphdr *)pkt_push(p, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = a->tos;
	iph->tot_len = htons((uint16_t)tot);
	iph->frag_off = df ? htons(IP_DF) : 0;
	iph->ttl = a->ttl ? a->ttl : (uint8_t)ns->sysctl.ip_default_ttl;
	iph->protocol = a->protocol;
	iph->saddr = a->saddr ? a->saddr : rt.src;
	iph->daddr = a->daddr;
	memset(p->cb, 0, sizeof(p->cb));
	ip_local_out(ns, p, &rt);
	return 0;
}
