// SPDX-License-Identifier: MIT
/*
 * The AF_INET family, as net/ipv4/af_inet.c: the inetsw table of
 * {type, protocol, proto, proto_ops} rows that inet_create chooses a new
 * socket's protocol from, the datagram sockets' proto_ops
 * (inet_dgram_ops), and inet_init, which registers the packet types, the
 * L4 protocols and the socket family at start-up.
 *
 * A new inet protocol is one file that defines its struct proto and its
 * receive and error handlers, plus two lines here: a net_protocol
 * registered with inet_add_protocol in inet_init, and a row of
 * inetsw_array.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "netns/core/capture.h"
#include "netns/core/dev.h"
#include "netns/core/neigh.h"
#include "netns/core/sock.h"
#include "af_inet.h"
#include "arp.h"
#include "fib.h"
#include "icmp.h"
#include "ip.h"
#include "ping.h"
#include "route_exception.h"
#include "tcp.h"
#include "udp.h"

/* Rows by socket type; each list in registration order. */
static struct inet_protosw *inetsw[SOCK_MAX];

/*
 * inet_register_protosw - add the row @p (see af_inet.h). Start-up only.
 */
int inet_register_protosw(struct inet_protosw *p)
{
	struct inet_protosw **pp;

	if (p->type < 0 || p->type >= SOCK_MAX)
		return -EINVAL;
	for (pp = &inetsw[p->type]; *pp; pp = &(*pp)->next) {
		if (*pp == p)
			return 0;
		if ((*pp)->protocol == p->protocol)
			return -EEXIST;
	}
	p->next = NULL;
	*pp = p;
	return 0;
}

/* inet_unregister_protosw - remove the row @p; no sockets of it may
 * remain. Start-up / shutdown only. */
void inet_unregister_protosw(struct inet_protosw *p)
{
	struct inet_protosw **pp;

	if (p->type < 0 || p->type >= SOCK_MAX)
		return;
	for (pp = &inetsw[p->type]; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			p->next = NULL;
			return;
		}
	}
}

/*
 * inet_create - a socket of @type/@protocol, from the first inetsw row of
 * @type whose protocol matches (protocol 0 takes the first row; a row of
 * protocol 0 takes any). -EINVAL for a protocol out of range,
 * -ESOCKTNOSUPPORT when @type has no rows, -EPROTONOSUPPORT when none
 * matches, -ENOBUFS on no memory, the protocol's init or get_port errno.
 * The socket is bound to an ephemeral port at once (ping and UDP sockets
 * of nsemu have their id/port from the start).
 */
static int inet_create(struct netns *ns, int type, int protocol, struct sock **res)
{
	struct inet_protosw *answer;
	struct sock *sk;
	int err;

	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	err = -ESOCKTNOSUPPORT;
	for (answer = inetsw[type]; answer; answer = answer->next) {
		err = 0;
		/* The exact match, then the two wildcards. */
		if (protocol == answer->protocol) {
			if (protocol != IPPROTO_IP)
				break;
		} else {
			if (protocol == IPPROTO_IP) {
				protocol = answer->protocol;
				break;
			}
			if (answer->protocol == IPPROTO_IP)
				break;
		}
		err = -EPROTONOSUPPORT;
	}
	if (err)
		return err;

	sk = sk_alloc(ns, answer->prot);
	if (!sk)
		return -ENOBUFS;
	sk->ops = answer->ops;
	sk->family = AF_INET;
	sk->type = type;
	sk->protocol = protocol;
	if (sk->prot->init) {
		err = sk->prot->init(sk);
		if (err) {
			sk_free(sk);
			return err;
		}
	}
	/* Stream sockets take a port at bind, listen or connect. */
	err = type == SOCK_STREAM ? 0 : sk->prot->get_port(sk, 0);
	if (err) {
		sk->prot->close(sk);
		sk_free(sk);
		return err;
	}
	*res = sk;
	return 0;
}

static const struct net_proto_family inet_family_ops = {
	.family = AF_INET,
	.create = inet_create,
};

/* ---- datagram sockets' ops ---- */

static void inet_release(struct sock *sk)
{
	sk->prot->close(sk);
}

/*
 * inet_bind - the protocol's own bind if it has one; else __inet_bind:
 * @addr must be 0, loopback or an address of the namespace
 * (-EADDRNOTAVAIL), and a new @port must be free (get_port's errno).
 */
static int inet_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
	int err;

	if (sk->prot->bind)
		return sk->prot->bind(sk, addr, port);
	if (addr && !ipv4_is_loopback(addr) && !inet_addr_local_dev(sk->ns, addr))
		return -EADDRNOTAVAIL;
	if (port && port != sk->num) {
		err = sk->prot->get_port(sk, port);
		if (err)
			return err;
	}
	sk->rcv_saddr = addr;
	if (addr)
		sk->userlocks |= SOCK_BINDADDR_LOCK;
	else
		sk->userlocks &= (uint8_t)~SOCK_BINDADDR_LOCK;
	return 0;
}

/* inet_dgram_connect - daddr 0 disconnects; -EOPNOTSUPP where the
 * protocol has no such op. */
static int inet_dgram_connect(struct sock *sk, uint32_t daddr, uint16_t dport)
{
	if (!daddr)
		return sk->prot->disconnect ? sk->prot->disconnect(sk) : -EOPNOTSUPP;
	return sk->prot->connect ? sk->prot->connect(sk, daddr, dport) : -EOPNOTSUPP;
}

static int inet_sendmsg(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data,
			unsigned len)
{
	if (!sk->prot->sendmsg)
		return -EOPNOTSUPP;
	return sk->prot->sendmsg(sk, daddr, dport, data, len);
}

/* send(2) on a datagram socket: to the connected peer, else
 * -EDESTADDRREQ. */
static int inet_dgram_send(struct sock *sk, const void *data, unsigned len)
{
	if (!sk->dport)
		return -EDESTADDRREQ;
	return inet_sendmsg(sk, sk->daddr, sk->dport, data, len);
}

const struct proto_ops inet_dgram_ops = {
	.family = AF_INET,
	.bind = inet_bind,
	.connect = inet_dgram_connect,
	.sendmsg = inet_sendmsg,
	.send = inet_dgram_send,
	.release = inet_release,
};

/* inet_dgram_alloc - see af_inet.h. Owner thread. */
int inet_dgram_alloc(struct sock *sk, uint32_t daddr, unsigned hlen, const void *data,
		     unsigned len, struct ip_send_args *args, struct pkt **pp)
{
	struct netns *ns = sk->ns;
	struct rtable rt;
	struct pkt *p;
	int err;

	if (len + hlen > IP_MAXPACKET)
		return -EMSGSIZE;
	if (ipv4_is_lbcast(daddr) && !sk->broadcast)
		return -EACCES;
	/* Route first: the UDP checksum covers the source address. */
	/* a bound socket routes through its device (a VRF: in its table) */
	err = ip_route_output(ns, daddr, sk->rcv_saddr, sk->bound_dev_if, &rt);
	if (err < 0) {
		if (err == -ENETUNREACH)
			mib_inc(ns, MIB_IpOutNoRoutes);
		return err;
	}
	if (rt.type == RTN_BROADCAST && !sk->broadcast)
		return -EACCES;

	p = pkt_alloc(PKT_HR_TRANSPORT, hlen + len);
	if (!p)
		return -ENOBUFS;
	p->ns = ns;
	p->tstamp = loop_now();
	memcpy(p->data + hlen, data, len);
	memset(args, 0, sizeof(*args));
	args->saddr = sk->rcv_saddr ? sk->rcv_saddr : rt.src;
	args->daddr = daddr;
	args->protocol = (uint8_t)sk->protocol;
	args->tos = sk->tos;
	args->ttl = (uint8_t)sk->ttl;
	args->df = sk->pmtudisc == IP_PMTUDISC_DO;
	args->pmtu_want = sk->pmtudisc == IP_PMTUDISC_WANT;
	args->oif = sk->bound_dev_if;
	*pp = p;
	return 0;
}

/* ip_icmp_error - see af_inet.h. Owner thread. */
void ip_icmp_error(struct sock *sk, const struct pkt *p, uint32_t info, uint16_t port)
{
	const struct iphdr *oiph = (const struct iphdr *)pkt_l3(p);
	const struct icmphdr *icmph = (const struct icmphdr *)pkt_l4(p);
	const struct iphdr *iph = (const struct iphdr *)p->data;
	struct sock_err e = { 0 };

	/* ping_err / __udp4_lib_err: what the error changes before the
	 * socket hears of it */
	if (icmph->type == ICMP_DEST_UNREACH && icmph->code == ICMP_FRAG_NEEDED) {
		/* ipv4_sk_update_pmtu; a socket that does not discover path
		 * MTUs (IP_PMTUDISC_DONT) is not told */
		ip_rt_update_pmtu(sk->ns, iph->daddr, iph->saddr, info);
		if (sk->pmtudisc == IP_PMTUDISC_DONT)
			return;
	} else if (icmph->type == ICMP_REDIRECT) {
		/* ipv4_sk_redirect; ping reports it (EREMOTEIO), UDP not */
		if (p->dev)
			ip_do_redirect(sk->ns, p->dev, icmph->code, oiph->saddr, iph->daddr,
				       iph->saddr, htonl(info));
		if (sk->protocol == IPPROTO_UDP)
			return;
	}

	e.type = icmph->type;
	e.code = icmph->code;
	e.info = info;
	e.offender = oiph->saddr;
	e.daddr = iph->daddr;
	e.dport = port;
	e.ttl = oiph->ttl;
	e.tstamp = p->tstamp ? p->tstamp : loop_now();
	sock_queue_err(sk, &e);
}

/* ---- registration ---- */

static const struct net_protocol icmp_protocol = {
	.handler = icmp_rcv,
	.err_handler = icmp_err,
};

static const struct net_protocol tcp_protocol = {
	.handler = tcp_v4_rcv,
	.err_handler = tcp_v4_err,
};

static const struct net_protocol udp_protocol = {
	.handler = udp_rcv,
	.err_handler = udp_err,
};

/* UDP first: it is SOCK_DGRAM's default (protocol 0). */
static struct inet_protosw inetsw_array[] = {
	{ .type = SOCK_STREAM, .protocol = IPPROTO_TCP, .prot = &tcp_prot,
	  .ops = &inet_stream_ops },
	{ .type = SOCK_DGRAM, .protocol = IPPROTO_UDP, .prot = &udp_prot,
	  .ops = &inet_dgram_ops },
	{ .type = SOCK_DGRAM, .protocol = IPPROTO_ICMP, .prot = &ping_prot,
	  .ops = &inet_dgram_ops },
};

/* IPv4's packet type: dev_rx_batch hands a run of IPv4 frames to
 * ip_rcv_batch at once. */
static struct packet_type ip_packet_type = {
	.type = ETH_P_IP, .func = ip_rcv, .list_func = ip_rcv_batch,
};

/*
 * inet_init - register the IPv4 and ARP packet types, the ICMP and UDP
 * protocols, the ping and UDP socket protocols and the AF_INET family,
 * as inet_init() does at boot. Idempotent: tests and the emulator may
 * both call it; the second call changes nothing. Control thread, before
 * packets flow.
 */
void inet_init(void)
{
	static bool done;
	unsigned i;

	if (done)
		return;
	done = true;
	dev_add_pack(&ip_packet_type);
	/* Per-namespace state (pernet, init in this order, exit in reverse:
	 * sysctl, fib, neigh, sock, icmp, ipfrag) and device events (in the
	 * order their subscribers act on one event: captures end first;
	 * then addresses, routes, neighbours, ARP). */
	sysctl_init();
	capture_init();
	devinet_init();
	ip_fib_init();
	neigh_subsys_init();
	arp_init();
	sock_init();
	icmp_init();
	fnhe_init();
	tcp_init();
	ipfrag_init();
	inet_add_protocol(&icmp_protocol, IPPROTO_ICMP);
	inet_add_protocol(&udp_protocol, IPPROTO_UDP);
	inet_add_protocol(&tcp_protocol, IPPROTO_TCP);
	/* Sockets leave a dying namespace in this order: ping, then UDP. */
	proto_register(&ping_prot);
	proto_register(&udp_prot);
	sock_register(&inet_family_ops);
	for (i = 0; i < ARRAY_SIZE(inetsw_array); i++)
		inet_register_protosw(&inetsw_array[i]);
}
