/* SPDX-License-Identifier: MIT */
/*
 * IPv4 input, forwarding, output and fragmentation (net/ipv4/ip_input.c,
 * ip_forward.c, ip_output.c, ip_fragment.c), plus the L4 protocol table.
 */
#ifndef NSEMU_NETNS_IP_H
#define NSEMU_NETNS_IP_H

#include <stdint.h>

#include "netns/core/dev.h"
#include "netns/core/netns.h"
#include "netns/proto/ip.h"
#include "route.h"

/* Registered as the ETH_P_IP ptype by inet_init(). Consumes pkt (data at L3). */
void ip_rcv(struct pkt *p);
/* Validation shared by single and batch paths (ip_rcv_core): version, ihl,
 * checksum, tot_len; trims padding. Returns pkt, or NULL after dropping it. */
struct pkt *ip_rcv_core(struct pkt *p);
void ip_local_deliver(struct pkt *p);
void ip_forward(struct pkt *p, const struct rtable *rt);
/* Batch forms (STYLE H1), registered as ETH_P_IP's batch entry. Each
 * consumes every packet of @b and leaves b->n unspecified; owner thread.
 * ip_rcv_batch: as ip_rcv per datagram, in order.
 * ip_forward_batch: as ip_forward per datagram, for datagrams that share
 * the borrowed route @rt (a run of one input device, source and
 * destination); the run goes on through ip_output_batch.
 * ip_output_batch: as ip_output per datagram, for datagrams of one
 * namespace routed by @rt; the run goes out through neigh_output_batch. */
void ip_rcv_batch(struct pkt_batch *b);
void ip_forward_batch(struct pkt_batch *b, const struct rtable *rt);
void ip_output_batch(struct pkt_batch *b, const struct rtable *rt);

/*
 * Send a locally built datagram: pkt->data at a complete IP header (with
 * saddr/daddr/ttl/protocol/tot_len set; id/check filled here), routed by
 * *rt (from ip_route_output). Counts IpOutRequests, fragments if larger
 * than the MTU and DF is clear. Consumes pkt.
 */
void ip_local_out(struct netns *ns, struct pkt *p, const struct rtable *rt);
/* Output of routed datagram (forwarded or local): fragment if needed, then
 * neigh_output toward rt->nexthop on rt->dev. Consumes pkt. */
void ip_output(struct pkt *p, const struct rtable *rt);

/* The device a route sends on: local destinations loop through `lo`. */
static inline struct netdev *ip_rt_dev(struct netns *ns, const struct rtable *rt)
{
	/* a local route leaves through lo, or through its VRF: the
	 * loopback of the VRF's domain (ip_route_output chose it) */
	if (rt->type == RTN_LOCAL && ns->lo && !(rt->dev && (rt->dev->flags & IFF_MASTER) &&
						 netif_is_l3_master(rt->dev)))
		return ns->lo;
	return rt->dev;
}

/*
 * ip_dst_mtu_maybe_forward - the MTU a datagram routed by @rt must fit:
 * the route's own MTU if it sets one, else the output device's. A
 * forwarded datagram (@forwarding, ip_forward's check) is measured against
 * the route's device as it is, since it only takes unicast routes; a
 * datagram sent by ip_output (the kernel's ip_skb_dst_mtu) against the
 * device it really leaves on, which is `lo` for a local route.
 */
static inline unsigned ip_dst_mtu_maybe_forward(struct netns *ns, const struct rtable *rt,
						bool forwarding)
{
	const struct netdev *dev = forwarding ? rt->dev : ip_rt_dev(ns, rt);

	if (rt->mtu)
		return rt->mtu;
	return dev ? dev->mtu : ETH_DATA_LEN;
}

/* Build and send a datagram from a payload (ICMP, UDP, raw sockets).
 * Returns 0 or a negative errno from routing (pkt freed in every case
 * except when the caller keeps it: never). */
struct ip_send_args {
	uint32_t saddr, daddr;	/* saddr 0 = choose */
	uint8_t protocol, tos, ttl; /* ttl 0 = ip_default_ttl */
	bool df;		/* IP_PMTUDISC_DO: DF, never fragmented (-EMSGSIZE) */
	bool pmtu_want;		/* IP_PMTUDISC_WANT: DF while it fits the path MTU */
	int oif;
};
int ip_send(struct netns *ns, struct pkt *payload, const struct ip_send_args *a);

/* Fragment (ip_do_fragment) and reassemble (ip_defrag). */
void ip_fragment(struct pkt *p, const struct rtable *rt, unsigned mtu);
/* Queue a fragment; returns the reassembled datagram when complete, NULL
 * otherwise (fragment kept or dropped with a reason). Consumes pkt. */
struct pkt *ip_defrag(struct pkt *p);
void ipfrag_exit(struct netns *ns);
/* Start-up: register ipfrag_exit per namespace (state is made lazily). */
void ipfrag_init(void);
size_t ipfrag_mem(const struct netns *ns); /* bytes held by incomplete datagrams */

/*
 * L4 dispatch (inet_protos[], protocol.c), as include/net/protocol.h.
 * handler: a datagram of the protocol for us; consumes pkt (data at the L4
 * header, l3_off and l4_off valid). err_handler: an ICMP error quoting a
 * datagram of the protocol (icmp_socket_deliver); borrows pkt: data at
 * the quoted IP header, followed by at least 8 bytes of its L4 header;
 * l3_off/l4_off at the ICMP message's own IP and ICMP headers. @info: the
 * MTU for frag-needed, the pointer for parameter problem, else 0.
 */
struct net_protocol {
	void (*handler)(struct pkt *p);
	void (*err_handler)(struct pkt *p, uint32_t info);
};
/* Start-up only. 0, or -EEXIST if another protocol holds @protocol. */
int inet_add_protocol(const struct net_protocol *prot, uint8_t protocol);
/* 0, or -ENOENT if @prot does not hold @protocol. */
int inet_del_protocol(const struct net_protocol *prot, uint8_t protocol);
/* The protocol registered for @protocol, or NULL (ip_local_deliver's lookup). */
const struct net_protocol *inet_proto_get(uint8_t protocol);

/*
 * The IP layer's view of pkt->cb (the kernel's IPCB(skb)), written by
 * ip_rcv_finish and read up to L4 (icmp_rcv, udp_rcv): the type of the
 * input route (RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST) and the input
 * ifindex. Locally generated packets have rt_type 0 (RTN_UNSPEC).
 */
struct ip_cb {
	uint8_t rt_type;
	int iif;
};
#define IPCB(p) ((struct ip_cb *)(void *)(p)->cb)

/* One-time registration of ptypes and protocols (ARP, IP, ICMP, UDP). */
void inet_init(void);

#endif
