// SPDX-License-Identifier: MIT
/*
 * Datagram sockets for built-in applications: ping sockets (SOCK_DGRAM,
 * IPPROTO_ICMP, as net/ipv4/ping.c: the echo identifier is the socket's
 * "port") and UDP sockets (net/ipv4/udp.c), with IP_RECVERR-style error
 * delivery. Each namespace has its own table, created with its first
 * socket: one hash per protocol keyed by port. Ephemeral UDP ports come
 * from ip_local_port_range (32768-60999); ping identifiers from a rover
 * starting at 1, as ping_get_port. Owner thread only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "dev.h"
#include "netns/ipv4/fib.h"
#include "netns/ipv4/ip.h"
#include "sock.h"

#define SOCK_HASHSZ 64
#define PORT_RANGE_LO 32768 /* net.ipv4.ip_local_port_range defaults */
#define PORT_RANGE_HI 60999

struct sock {
	struct sock *next;	/* hash chain */
	struct netns *ns;
	const struct sock_ops *ops;
	void *ctx;
	int proto;		/* IPPROTO_ICMP or IPPROTO_UDP */
	uint16_t port;		/* host order: UDP port or echo id */
	uint32_t addr;		/* bound address, 0 = any */
	int ttl;		/* 0 = ip_default_ttl */
	uint8_t tos;
	bool df;
	bool closing;		/* inside ops->gone: sock_close must not free */
};

struct sock_table {
	struct sock *icmp[SOCK_HASHSZ];
	struct sock *udp[SOCK_HASHSZ];
	uint16_t ping_rover;	/* last echo id given out */
	uint16_t udp_rover;	/* last ephemeral port given out */
};

static struct sock **sock_bucket(struct sock_table *t, int proto, uint16_t port)
{
	return proto == IPPROTO_ICMP ? &t->icmp[port % SOCK_HASHSZ] : &t->udp[port % SOCK_HASHSZ];
}

static struct sock *sock_lookup(struct sock_table *t, int proto, uint16_t port)
{
	struct sock *sk;

	for (sk = *sock_bucket(t, proto, port); sk; sk = sk->next)
		if (sk->port == port)
			return sk;
	return NULL;
}

static void sock_unhash(struct sock *sk)
{
	struct sock **pp = sock_bucket(sk->ns->socks, sk->proto, sk->port);

	while (*pp && *pp != sk)
		pp = &(*pp)->next;
	if (*pp)
		*pp = sk->next;
	sk->next = NULL;
}

static void sock_hash(struct sock *sk)
{
	struct sock **pp = sock_bucket(sk->ns->socks, sk->proto, sk->port);

	sk->next = *pp;
	*pp = sk;
}

/* A free ephemeral port / echo id, or 0 if every one is taken. */
static uint16_t sock_pick_port(struct sock_table *t, int proto)
{
	unsigned i;

	if (proto == IPPROTO_ICMP) {
		for (i = 0; i < 65535; i++) {
			uint16_t id = (uint16_t)(t->ping_rover + 1);

			t->ping_rover = id ? id : 1;
			if (!sock_lookup(t, proto, t->ping_rover))
				return t->ping_rover;
		}
		return 0;
	}
	for (i = 0; i <= PORT_RANGE_HI - PORT_RANGE_LO; i++) {
		uint16_t port = (uint16_t)(t->udp_rover + 1);

		if (port < PORT_RANGE_LO || port > PORT_RANGE_HI)
			port = PORT_RANGE_LO;
		t->udp_rover = port;
		if (!sock_lookup(t, proto, port))
			return port;
	}
	return 0;
}

/*
 * sock_open - a ping (IPPROTO_ICMP) or UDP socket in @ns with an
 * ephemeral id/port. NULL on no memory, an unknown protocol or no free
 * port. Owner thread.
 */
struct sock *sock_open(struct netns *ns, int proto, const struct sock_ops *ops, void *ctx)
{
	struct sock *sk;
	uint16_t port;

	NS_ASSERT_OWNER(ns);
	if (proto != IPPROTO_ICMP && proto != IPPROTO_UDP)
		return NULL;
	if (!ns->socks) {
		ns->socks = calloc(1, sizeof(*ns->socks));
		if (!ns->socks)
			return NULL;
		ns->socks->udp_rover = PORT_RANGE_LO - 1;
	}
	port = sock_pick_port(ns->socks, proto);
	if (!port)
		return NULL;
	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return NULL;
	sk->ns = ns;
	sk->ops = ops;
	sk->ctx = ctx;
	sk->proto = proto;
	sk->port = port;
	sock_hash(sk);
	return sk;
}

/* sock_close - unbind and free. NULL is ok. Owner thread. */
void sock_close(struct sock *sk)
{
	if (!sk || sk->closing)
		return;
	NS_ASSERT_OWNER(sk->ns);
	sock_unhash(sk);
	free(sk);
}

/*
 * sock_bind - bind to @addr (0 = any; else an address of the namespace,
 * -EADDRNOTAVAIL) and @port (host order; 0 keeps the current one).
 * -EADDRINUSE when another socket of the protocol holds the port.
 */
int sock_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
	struct sock *other;

	NS_ASSERT_OWNER(sk->ns);
	if (addr && !ipv4_is_loopback(addr) && !inet_addr_local_dev(sk->ns, addr))
		return -EADDRNOTAVAIL;
	if (port && port != sk->port) {
		other = sock_lookup(sk->ns->socks, sk->proto, port);
		if (other)
			return -EADDRINUSE;
		sock_unhash(sk);
		sk->port = port;
		sock_hash(sk);
	}
	sk->addr = addr;
	return 0;
}

uint16_t sock_port(const struct sock *sk)
{
	return sk->port;
}

void sock_set_ttl(struct sock *sk, int ttl)
{
	sk->ttl = ttl < 0 || ttl > 255 ? 0 : ttl;
}

void sock_set_tos(struct sock *sk, uint8_t tos)
{
	sk->tos = tos;
}

void sock_set_df(struct sock *sk, bool df)
{
	sk->df = df;
}

/*
 * sock_sendto - build and send one datagram (see sock.h). A broadcast
 * destination needs SO_BROADCAST, which nsemu sockets do not have:
 * -EACCES as in the kernel. Owner thread.
 */
int sock_sendto(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data, unsigned len)
{
	struct netns *ns = sk->ns;
	struct ip_send_args args = { 0 };
	struct rtable rt;
	unsigned hlen = sk->proto == IPPROTO_UDP ? sizeof(struct udphdr) : 0;
	struct pkt *p;
	int err;

	NS_ASSERT_OWNER(ns);
	if (sk->proto == IPPROTO_ICMP) {
		const struct icmphdr *uh = data;

		/* ping_common_sendmsg: only echo requests, code 0. */
		if (len < sizeof(struct icmphdr) || uh->type != ICMP_ECHO || uh->code != 0)
			return -EINVAL;
	}
	if (len + hlen > IP_MAXPACKET)
		return -EMSGSIZE;
	if (ipv4_is_lbcast(daddr))
		return -EACCES;
	/* Route first: the UDP checksum covers the source address. */
	err = ip_route_output(ns, daddr, sk->addr, 0, &rt);
	if (err < 0) {
		if (err == -ENETUNREACH)
			mib_inc(ns, MIB_IpOutNoRoutes);
		return err;
	}
	if (rt.type == RTN_BROADCAST)
		return -EACCES;

	p = pkt_alloc(PKT_HR_TRANSPORT, hlen + len);
	if (!p)
		return -ENOBUFS;
	p->ns = ns;
	p->tstamp = loop_now();
	memcpy(p->data + hlen, data, len);
	args.saddr = sk->addr ? sk->addr : rt.src;
	args.daddr = daddr;
	args.protocol = (uint8_t)sk->proto;
	args.tos = sk->tos;
	args.ttl = (uint8_t)sk->ttl;
	args.df = sk->df;
	if (sk->proto == IPPROTO_ICMP) {
		struct icmphdr *icmph = (struct icmphdr *)p->data;

		icmph->un.echo.id = htons(sk->port);
		icmph->checksum = 0;
		icmph->checksum = ip_compute_csum(p->data, p->len);
	} else {
		struct udphdr *uh = (struct udphdr *)p->data;
		uint16_t check;

		uh->source = htons(sk->port);
		uh->dest = htons(dport);
		uh->len = htons((uint16_t)p->len);
		uh->check = 0;
		check = csum_fold(csum_tcpudp_nofold(args.saddr, daddr, (uint16_t)p->len,
						     IPPROTO_UDP, csum_partial(p->data, p->len, 0)));
		/* RFC 768: a computed zero is sent as all ones. */
		uh->check = check ? check : 0xffff;
	}
	err = ip_send(ns, p, &args);
	if (err < 0)
		return err;
	if (sk->proto == IPPROTO_ICMP) {
		mib_inc(ns, MIB_IcmpOutMsgs);
		mib_inc(ns, MIB_IcmpOutEchos);
	} else {
		mib_inc(ns, MIB_UdpOutDatagrams);
	}
	return (int)len;
}

/*
 * sock_deliver_icmp_echo - an echo reply (data at the ICMP header) for the
 * ping socket whose id it carries. Consumes pkt and returns true if one
 * matched; false and pkt untouched otherwise. Owner thread.
 */
bool sock_deliver_icmp_echo(struct netns *ns, struct pkt *p)
{
	const struct icmphdr *icmph = (const struct icmphdr *)p->data;
	struct sock *sk;

	if (!ns->socks || p->len < sizeof(*icmph))
		return false;
	sk = sock_lookup(ns->socks, IPPROTO_ICMP, ntohs(icmph->un.echo.id));
	if (!sk || !sk->ops || !sk->ops->rcv)
		return false;
	sk->ops->rcv(sk, p, sk->ctx);
	return true;
}

/*
 * sock_deliver_udp - a datagram (data at the UDP payload, l4_off at the
 * UDP header) for the socket bound to @dport. Consumes pkt and returns
 * true if one matched (and its bound address, if any, is the
 * destination); false and pkt untouched otherwise. Owner thread.
 */
bool sock_deliver_udp(struct netns *ns, struct pkt *p, uint16_t dport)
{
	const struct iphdr *iph = (const struct iphdr *)pkt_l3(p);
	struct sock *sk;

	if (!ns->socks)
		return false;
	sk = sock_lookup(ns->socks, IPPROTO_UDP, dport);
	if (!sk || !sk->ops || !sk->ops->rcv)
		return false;
	if (sk->addr && sk->addr != iph->daddr)
		return false;
	sk->ops->rcv(sk, p, sk->ctx);
	return true;
}

/*
 * sock_deliver_err - an ICMP error (@icmp_pkt, l3/l4 at its IP and ICMP
 * headers; borrowed) quotes @inner, the IP header of a datagram we sent:
 * find the socket from the quoted echo id (ping) or source port (UDP), as
 * ping_err / __udp4_lib_err, and report it. Owner thread.
 */
void sock_deliver_err(struct netns *ns, const struct pkt *icmp_pkt, const void *inner,
		      unsigned inner_len)
{
	const struct iphdr *oiph = (const struct iphdr *)pkt_l3(icmp_pkt);
	const struct icmphdr *icmph = (const struct icmphdr *)pkt_l4(icmp_pkt);
	const struct iphdr *iph = inner;
	const uint8_t *l4;
	struct sock_err e = { 0 };
	struct sock *sk;

	NS_ASSERT_OWNER(ns);
	if (!ns->socks || inner_len < sizeof(*iph) || inner_len < iph->ihl * 4u + 8)
		return;
	l4 = (const uint8_t *)inner + iph->ihl * 4u;
	if (iph->protocol == IPPROTO_ICMP) {
		const struct icmphdr *q = (const struct icmphdr *)l4;

		if (q->type != ICMP_ECHO)
			return;
		sk = sock_lookup(ns->socks, IPPROTO_ICMP, ntohs(q->un.echo.id));
		e.dport = ntohs(q->un.echo.sequence);
	} else if (iph->protocol == IPPROTO_UDP) {
		const struct udphdr *q = (const struct udphdr *)l4;

		sk = sock_lookup(ns->socks, IPPROTO_UDP, ntohs(q->source));
		e.dport = ntohs(q->dest);
	} else {
		return;
	}
	if (!sk || !sk->ops || !sk->ops->err)
		return;
	e.type = icmph->type;
	e.code = icmph->code;
	if (icmph->type == ICMP_DEST_UNREACH && icmph->code == ICMP_FRAG_NEEDED)
		e.info = ntohs(icmph->un.frag.mtu);
	else if (icmph->type == ICMP_PARAMETERPROB)
		e.info = ntohl(icmph->un.gateway) >> 24;
	e.offender = oiph->saddr;
	e.daddr = iph->daddr;
	e.ttl = oiph->ttl;
	e.tstamp = icmp_pkt->tstamp ? icmp_pkt->tstamp : loop_now();
	sk->ops->err(sk, &e, sk->ctx);
}

/*
 * sock_exit - the namespace is being destroyed: tell every socket's owner
 * (ops->gone), then free it. Owner thread.
 */
void sock_exit(struct netns *ns)
{
	struct sock_table *t = ns->socks;
	unsigned i;

	if (!t)
		return;
	for (i = 0; i < SOCK_HASHSZ * 2; i++) {
		struct sock **bucket = i < SOCK_HASHSZ ? &t->icmp[i] : &t->udp[i - SOCK_HASHSZ];

		while (*bucket) {
			struct sock *sk = *bucket;

			*bucket = sk->next;
			sk->closing = true;
			if (sk->ops && sk->ops->gone)
				sk->ops->gone(sk, sk->ctx);
			free(sk);
		}
	}
	free(t);
	ns->socks = NULL;
}

static const struct pernet_operations sock_net_ops = {
	.name = "sock",
	.exit = sock_exit,
};

void sock_init(void)
{
	register_pernet_subsys(&sock_net_ops);
}
