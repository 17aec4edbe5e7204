// SPDX-License-Identifier: MIT
/*
 * UDP receive, as net/ipv4/udp.c (__udp4_lib_rcv): length checks against
 * the IP payload, the checksum over the pseudo-header (a zero checksum
 * means "none", RFC 768), delivery to the socket bound to the destination
 * port (sock.c), and for a unicast datagram nobody listens to, ICMP port
 * unreachable (RFC 1122 4.1.3.1) with UdpNoPorts. Datagrams sent by
 * sockets are built in sock.c.
 */
#include "core/csum.h"
#include "icmp.h"
#include "ip.h"
#include "netns/core/sock.h"

/* udp4_csum_ok - true if the checksum is absent or verifies. */
static bool udp4_csum_ok(const struct pkt *p, const struct udphdr *uh, unsigned ulen)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	uint32_t sum;

	if (uh->check == 0)
		return true;
	sum = csum_tcpudp_nofold(iph->saddr, iph->daddr, (uint16_t)ulen, IPPROTO_UDP,
				 csum_partial(uh, ulen, 0));
	return csum_fold(sum) == 0;
}

/*
 * udp_rcv - IPPROTO_UDP handler (data at the UDP header, l3_off valid).
 * Consumes pkt. Owner thread.
 */
void udp_rcv(struct pkt *p)
{
	struct netns *ns = p->ns;
	const struct udphdr *uh;
	unsigned ulen;
	uint8_t rt_type;

	NS_ASSERT_OWNER(ns);
	/* short_packet: shorter than a header, or than its own length field,
	 * or a length field below 8. */
	if (p->len < sizeof(*uh))
		goto short_packet;
	uh = (const struct udphdr *)p->data;
	ulen = ntohs(uh->len);
	if (ulen > p->len || ulen < sizeof(*uh))
		goto short_packet;
	pkt_trim(p, ulen);
	if (!udp4_csum_ok(p, uh, ulen))
		goto csum_error;

	pkt_set_l4(p);
	rt_type = IPCB(p)->rt_type;
	pkt_pull(p, sizeof(*uh));
	if (sock_deliver_udp(ns, p, ntohs(uh->dest))) {
		mib_inc(ns, MIB_UdpInDatagrams);
		return;
	}
	/* Broadcast and multicast datagrams nobody wants are ignored
	 * quietly (__udp4_lib_mcast_deliver's UdpIgnoredMulti). */
	if (rt_type == RTN_BROADCAST || rt_type == RTN_MULTICAST) {
		pkt_consume(p);
		return;
	}
	mib_inc(ns, MIB_UdpNoPorts);
	icmp_send(p, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	pkt_drop(p, DROP_NO_SOCKET);
	return;

short_packet:
	pkt_drop(p, DROP_UDP_INVALID);
	return;
csum_error:
	/* As the kernel: UdpInCsumErrors (the drop's MIB) and UdpInErrors. */
	mib_inc(ns, MIB_UdpInErrors);
	pkt_drop(p, DROP_UDP_CSUM);
}
