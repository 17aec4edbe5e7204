/* SPDX-License-Identifier: MIT */
/*
 * The AF_INET socket family (af_inet.c), as include/net/protocol.h's
 * inet_protosw and include/net/inet_common.h: the inetsw table that
 * inet_create chooses a socket's protocol from, the socket-level ops of
 * datagram sockets, and helpers the datagram protocols (udp.c, ping.c)
 * share.
 */
#ifndef NSEMU_NETNS_AF_INET_H
#define NSEMU_NETNS_AF_INET_H

#include <stdint.h>

#include "netns/core/sock.h"
#include "ip.h"

/*
 * One row of inetsw: sockets of @type and @protocol are made of @prot
 * and use @ops. @protocol IPPROTO_IP (0) matches any protocol; a socket
 * asking for protocol 0 gets the first row of its type.
 */
struct inet_protosw {
	struct inet_protosw *next;	/* inetsw[type] list, in registration order */
	int type;
	int protocol;
	struct proto *prot;
	const struct proto_ops *ops;
};

/* Start-up only. 0, -EINVAL (type out of range) or -EEXIST (a row for
 * this type and protocol exists). A new row goes after the existing
 * ones, so a type's default protocol never changes. */
int inet_register_protosw(struct inet_protosw *p);
void inet_unregister_protosw(struct inet_protosw *p);

/* Datagram sockets' ops: bind (inet_bind), connect, sendmsg, release. */
extern const struct proto_ops inet_dgram_ops;

/*
 * inet_dgram_alloc - the common start of a datagram protocol's sendmsg
 * (ip_make_skb's part): @hlen + @len must fit an IP datagram (-EMSGSIZE);
 * no broadcast unless sk->broadcast (-EACCES, as without SO_BROADCAST); route to @daddr (its errno;
 * IpOutNoRoutes for -ENETUNREACH). On 0, *pp holds @hlen bytes of room
 * for the transport header followed by a copy of @data, and *args the
 * socket's source, destination, protocol, tos, ttl and df for ip_send.
 */
int inet_dgram_alloc(struct sock *sk, uint32_t daddr, unsigned hlen, const void *data,
		     unsigned len, struct ip_send_args *args, struct pkt **pp);

/*
 * ip_icmp_error - report the ICMP error @p (an err_handler's pkt) to @sk:
 * type, code, @info, the offender and TTL of the error, the quoted
 * destination, and @port (original destination port or echo sequence).
 * First what the error changes, as ping_err and __udp4_lib_err: a frag
 * needed updates the path MTU (ip_rt_update_pmtu) and is not reported to
 * an IP_PMTUDISC_DONT socket; a redirect goes to ip_do_redirect (@info:
 * the new gateway, host order) and is not reported to a UDP socket.
 */
/*
 * ip_setsockopt / ip_getsockopt (ip_sockglue.c) - level IPPROTO_IP:
 * IP_TTL (1..255, -1 for ip_default_ttl), IP_TOS. Any other level:
 * -ENOPROTOOPT on set, -EOPNOTSUPP on get, as the kernel's. The
 * contract is sock_setsockopt's. Owner thread.
 */
int ip_setsockopt(struct sock *sk, int level, int optname, const void *val, unsigned len);
int ip_getsockopt(struct sock *sk, int level, int optname, void *val, unsigned *len);

void ip_icmp_error(struct sock *sk, const struct pkt *p, uint32_t info, uint16_t port);

#endif
