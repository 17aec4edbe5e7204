// SPDX-License-Identifier: MIT
/*
 * Ping sockets, as net/ipv4/ping.c: SOCK_DGRAM sockets of IPPROTO_ICMP
 * that send echo requests and receive the replies. The echo identifier is
 * the socket's "port" (sk->num), given out from a rover over 1-65535 as
 * ping_get_port; replies and ICMP errors quoting a request find the socket
 * by it. Owner thread.
 */
#include <errno.h>

#include "core/csum.h"
#include "netns/core/dev.h"
#include "af_inet.h"
#include "ip.h"
#include "ping.h"

static int ping_get_port(struct sock *sk, uint16_t port)
{
	return sock_get_port(sk, port, 1, 65535);
}

/* ping_close - sk_common_release's part: leave the hash. */
static void ping_close(struct sock *sk)
{
	sk->prot->unhash(sk);
}

/*
 * ping_sendmsg - send the echo request @data (ICMP header + payload) to
 * @daddr with the socket's id and a fresh checksum. Only echo requests of
 * code 0 (ping_common_sendmsg: -EINVAL). Counts IcmpOutMsgs and
 * IcmpOutEchos. Bytes sent or a negative errno.
 */
static int ping_sendmsg(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data,
			unsigned len)
{
	const struct icmphdr *uh = data;
	struct ip_send_args args;
	struct icmphdr *icmph;
	struct pkt *p;
	int err;

	if (len < sizeof(struct icmphdr) || uh->type != ICMP_ECHO || uh->code != 0)
		return -EINVAL;
	err = inet_dgram_alloc(sk, daddr, 0, data, len, &args, &p);
	if (err < 0)
		return err;
	icmph = (struct icmphdr *)p->data;
	icmph->un.echo.id = htons(sk->num);
	icmph->checksum = 0;
	icmph->checksum = ip_compute_csum(p->data, p->len);
	err = ip_send(sk->ns, p, &args);
	if (err < 0)
		return err;
	mib_inc(sk->ns, MIB_IcmpOutMsgs);
	mib_inc(sk->ns, MIB_IcmpOutEchos);
	return (int)len;
}

struct proto ping_prot = {
	.name = "PING",
	.obj_size = sizeof(struct sock),
	.close = ping_close,
	.sendmsg = ping_sendmsg,
	.get_port = ping_get_port,
	.hash = sock_hash,
	.unhash = sock_unhash,
	.setsockopt = ip_setsockopt,
	.getsockopt = ip_getsockopt,
};

/* ping_rcv - see ping.h. Owner thread. */
void ping_rcv(struct pkt *p)
{
	const struct icmphdr *icmph = (const struct icmphdr *)p->data;
	struct sock *sk;

	if (p->len >= sizeof(*icmph)) {
		sk = sock_lookup(p->ns, &ping_prot, ntohs(icmph->un.echo.id));
		/* ping_lookup: a bound socket hears only its device or VRF
		 * (an unbound one hears every device, VRF ports too) */
		if (sk && sk->bound_dev_if && p->dev &&
		    !inet_bound_dev_eq(true, sk->bound_dev_if, p->dev->ifindex,
				       l3mdev_master_ifindex(p->dev)))
			sk = NULL;
		if (sk && sock_queue_rcv(sk, p))
			return;
	}
	pkt_consume(p);
}

/* ping_err - see ping.h. Owner thread. */
void ping_err(struct pkt *p, uint32_t info)
{
	const struct iphdr *iph = (const struct iphdr *)p->data;
	const struct icmphdr *q = (const struct icmphdr *)(p->data + iph->ihl * 4u);
	struct sock *sk;

	if (q->type != ICMP_ECHO)
		return;
	sk = sock_lookup(p->ns, &ping_prot, ntohs(q->un.echo.id));
	if (sk)
		ip_icmp_error(sk, p, info, ntohs(q->un.echo.sequence));
}
