// SPDX-License-Identifier: MIT
/*
 * UDP receive, as net/ipv4/udp.c (__udp4_lib_rcv): length checks against
 * the IP payload, the checksum over the pseudo-header (a zero checksum
 * means "none", RFC 768), delivery to the socket bound to the destination
 * port (the UDP port hash, sock_lookup), and for a unicast datagram
 * nobody listens to, ICMP port unreachable (RFC 1122 4.1.3.1) with
 * UdpNoPorts; ICMP errors about what a socket sent (udp_err); and
 * udp_prot, the socket protocol: ephemeral ports from
 * ip_local_port_range (32768-60999), udp_sendmsg.
 */
#include <errno.h>

#include "netns/core/dev.h"
#include "core/csum.h"
#include "af_inet.h"
#include "icmp.h"
#include "ip.h"
#include "udp.h"

#define PORT_RANGE_LO 32768 /* net.ipv4.ip_local_port_range defaults */
#define PORT_RANGE_HI 60999

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
 * udp4_lib_lookup - the socket bound to @dport that takes datagrams to
 * @daddr (bound to it or to any address), or NULL.
 */
static struct sock *udp4_lib_lookup(struct netns *ns, uint32_t saddr, uint16_t sport,
				    uint32_t daddr, uint16_t dport, const struct netdev *dev)
{
	struct sock *sk = sock_lookup(ns, &udp_prot, dport);

	if (sk && sk->rcv_saddr && sk->rcv_saddr != daddr)
		return NULL;
	/* a connected socket hears its peer only */
	if (sk && sk->dport && (sk->daddr != saddr || sk->dport != sport))
		return NULL;
	/* compute_score: a socket bound to a device (or VRF) takes only
	 * what came through it (an unbound one takes everything here:
	 * udp_l3mdev_accept is not modelled) */
	if (sk && sk->bound_dev_if && dev &&
	    !inet_bound_dev_eq(true, sk->bound_dev_if, dev->ifindex, l3mdev_master_ifindex(dev)))
		return NULL;
	return sk;
}

/*
 * udp_rcv - IPPROTO_UDP handler (data at the UDP header, l3_off valid).
 * Consumes pkt. Owner thread.
 */
void udp_rcv(struct pkt *p)
{
	struct netns *ns = p->ns;
	const struct udphdr *uh;
	struct sock *sk;
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
	sk = udp4_lib_lookup(ns, ((const struct iphdr *)pkt_l3(p))->saddr, ntohs(uh->source),
			     ((const struct iphdr *)pkt_l3(p))->daddr, ntohs(uh->dest), p->dev);
	if (sk && sock_queue_rcv(sk, p)) {
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

/*
 * udp_err - an ICMP error quoting a datagram we sent (see udp.h), as
 * __udp4_lib_err: the socket bound to its source port hears of it (its
 * err callback: nsemu's sockets all take errors as with IP_RECVERR). A
 * connected socket also keeps a hard error (port unreachable...) as its
 * pending error, which the next send returns, as without IP_RECVERR.
 * Owner thread.
 */
void udp_err(struct pkt *p, uint32_t info)
{
	const struct iphdr *iph = (const struct iphdr *)p->data;
	const struct udphdr *q = (const struct udphdr *)(p->data + iph->ihl * 4u);
	const struct icmphdr *icmph = (const struct icmphdr *)pkt_l4(p);
	struct sock *sk = sock_lookup(p->ns, &udp_prot, ntohs(q->source));
	bool fatal = false;
	int err = 0;

	if (!sk)
		return;
	ip_icmp_error(sk, p, info, ntohs(q->dest));
	if (icmph->type == ICMP_DEST_UNREACH && icmph->code != ICMP_FRAG_NEEDED)
		err = icmp_err_convert(icmph->code, &fatal);
	else if (icmph->type == ICMP_PARAMETERPROB)
		err = EPROTO, fatal = true;
	if (fatal && sk->dport && sk->daddr == iph->daddr && sk->dport == ntohs(q->dest))
		sk->err = -err;
}

static int udp_v4_get_port(struct sock *sk, uint16_t port)
{
	return sock_get_port(sk, port, PORT_RANGE_LO, PORT_RANGE_HI);
}

/* udp_lib_close - sk_common_release's part: leave the hash. */
static void udp_lib_close(struct sock *sk)
{
	sk->prot->unhash(sk);
}

/*
 * udp_sendmsg - send @data as one datagram from the socket's port to
 * @daddr:@dport, checksummed over the pseudo-header. Counts
 * UdpOutDatagrams. Bytes sent or a negative errno (inet_dgram_alloc's,
 * ip_send's).
 */
static int udp_sendmsg(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data,
		       unsigned len)
{
	struct ip_send_args args;
	struct udphdr *uh;
	uint16_t check;
	struct pkt *p;
	int err;

	/* a pending error (an ICMP error to a connected socket) first, as
	 * sock_alloc_send_pskb's sock_error */
	if (sk->err)
		return sock_error(sk);
	err = inet_dgram_alloc(sk, daddr, sizeof(*uh), data, len, &args, &p);
	if (err < 0)
		return err;
	uh = (struct udphdr *)p->data;
	uh->source = htons(sk->num);
	uh->dest = htons(dport);
	uh->len = htons((uint16_t)p->len);
	uh->check = 0;
	check = csum_fold(csum_tcpudp_nofold(args.saddr, daddr, (uint16_t)p->len, IPPROTO_UDP,
					     csum_partial(p->data, p->len, 0)));
	/* RFC 768: a computed zero is sent as all ones. */
	uh->check = check ? check : 0xffff;
	err = ip_send(sk->ns, p, &args);
	if (err < 0)
		return err;
	mib_inc(sk->ns, MIB_UdpOutDatagrams);
	return (int)len;
}

/*
 * udp_connect - ip4_datagram_connect: the route to @daddr gives the
 * source address unless one is bound; afterwards send() goes to
 * @daddr:@dport and only datagrams from there arrive. -ENETUNREACH (no
 * route), -EACCES (broadcast without SO_BROADCAST).
 */
static int udp_connect(struct sock *sk, uint32_t daddr, uint16_t dport)
{
	struct rtable rt;
	int err;

	err = ip_route_output(sk->ns, daddr, sk->rcv_saddr, sk->bound_dev_if, &rt);
	if (err < 0) {
		if (err == -ENETUNREACH)
			mib_inc(sk->ns, MIB_IpOutNoRoutes);
		return err;
	}
	if (rt.type == RTN_BROADCAST && !sk->broadcast)
		return -EACCES;
	if (!sk->rcv_saddr)
		sk->rcv_saddr = rt.src;
	sk->daddr = daddr;
	sk->dport = dport;
	return 0;
}

/* __udp_disconnect (connect to AF_UNSPEC): no peer, and the source
 * address connect chose is forgotten unless the app bound it. The port
 * stays (nsemu's datagram sockets are bound from creation). */
static int udp_disconnect(struct sock *sk)
{
	sk->daddr = 0;
	sk->dport = 0;
	if (!(sk->userlocks & SOCK_BINDADDR_LOCK))
		sk->rcv_saddr = 0;
	return 0;
}

/* udp_setsockopt / udp_getsockopt: level IPPROTO_UDP has no option here
 * (no UDP_CORK, UDP_SEGMENT...), the others are IP's. */
static int udp_setsockopt(struct sock *sk, int level, int optname, const void *val, unsigned len)
{
	int v;

	if (level != IPPROTO_UDP)
		return ip_setsockopt(sk, level, optname, val, len);
	return sockopt_get_int(val, len, &v) ? -EINVAL : -ENOPROTOOPT;
}

static int udp_getsockopt(struct sock *sk, int level, int optname, void *val, unsigned *len)
{
	if (level != IPPROTO_UDP)
		return ip_getsockopt(sk, level, optname, val, len);
	return -ENOPROTOOPT;
}

struct proto udp_prot = {
	.name = "UDP",
	.obj_size = sizeof(struct sock),
	.close = udp_lib_close,
	.connect = udp_connect,
	.disconnect = udp_disconnect,
	.sendmsg = udp_sendmsg,
	.get_port = udp_v4_get_port,
	.hash = sock_hash,
	.unhash = sock_unhash,
	.setsockopt = udp_setsockopt,
	.getsockopt = udp_getsockopt,
};
