/* SPDX-License-Identifier: MIT */
/*
 * Datagram sockets inside a namespace, for built-in applications (ping,
 * traceroute, echo servers). Like Linux's ping sockets (SOCK_DGRAM,
 * IPPROTO_ICMP: the echo id is the local "port") and UDP sockets, with
 * IP_RECVERR-style error delivery: ICMP errors quoting a datagram a socket
 * sent are handed to that socket. Owner thread only; callbacks run there.
 */
#ifndef NSEMU_NETNS_SOCKET_H
#define NSEMU_NETNS_SOCKET_H

#include <stdbool.h>
#include <stdint.h>

#include "netns.h"

struct sock;

/* An error report (sock_extended_err + offender). */
struct sock_err {
	uint8_t type, code;	/* ICMP type and code */
	uint32_t info;		/* MTU for frag-needed */
	uint32_t offender;	/* source of the ICMP error, network order */
	uint32_t daddr;		/* destination of the original datagram */
	uint16_t dport;		/* original destination port / echo sequence */
	uint8_t ttl;		/* TTL of the error datagram as received */
	uint64_t tstamp;	/* loop time received */
};

struct sock_ops {
	/* A datagram arrived: payload at p->data (ICMP: from the ICMP header;
	 * UDP: the UDP payload), l3_off valid. Consumes pkt. */
	void (*rcv)(struct sock *sk, struct pkt *p, void *ctx);
	void (*err)(struct sock *sk, const struct sock_err *e, void *ctx);
	/* The namespace is being destroyed: the socket is closed and freed
	 * right after this returns (the app must not use sk again). */
	void (*gone)(struct sock *sk, void *ctx);
};

/* proto: IPPROTO_ICMP (ping socket) or IPPROTO_UDP. Binds an ephemeral
 * id/port. NULL on failure (-ENOMEM, no ports). */
struct sock *sock_open(struct netns *ns, int proto, const struct sock_ops *ops, void *ctx);
void sock_close(struct sock *sk);
int sock_bind(struct sock *sk, uint32_t addr, uint16_t port); /* port host order */
uint16_t sock_port(const struct sock *sk);			 /* host order */
void sock_set_ttl(struct sock *sk, int ttl);			 /* 0 = default */
void sock_set_tos(struct sock *sk, uint8_t tos);
void sock_set_df(struct sock *sk, bool df);			 /* default: pmtudisc DONT */
/* Send a datagram. ICMP: @data is an ICMP header + payload (the id is
 * overwritten with the socket's, checksum filled). UDP: the payload.
 * Returns bytes sent or a negative errno (-ENETUNREACH, -EHOSTUNREACH,
 * -EACCES, -EMSGSIZE...). */
int sock_sendto(struct sock *sk, uint32_t daddr, uint16_t dport, const void *data, unsigned len);

/* Protocol side: deliver to a socket. Consumes pkt; returns false (pkt not
 * consumed) if no socket matched. */
bool sock_deliver_icmp_echo(struct netns *ns, struct pkt *p); /* echo reply for a ping socket */
bool sock_deliver_udp(struct netns *ns, struct pkt *p, uint16_t dport);
/* An ICMP error arrived quoting @inner (IP header of what we sent). Borrows. */
void sock_deliver_err(struct netns *ns, const struct pkt *icmp_pkt, const void *inner,
		      unsigned inner_len);
void sock_exit(struct netns *ns);
/* Start-up: register sock_exit per namespace (the table is made lazily). */
void sock_init(void);

/* UDP (udp.c): handler for IPPROTO_UDP. Consumes pkt. */
void udp_rcv(struct pkt *p);

#endif
