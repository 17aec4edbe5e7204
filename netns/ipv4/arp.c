// SPDX-License-Identifier: MIT
/*
 * ARP for IPv4 over Ethernet (net/ipv4/arp.c): the receive path (arp_rcv ->
 * arp_process) that answers requests for our addresses under arp_ignore /
 * arp_filter and feeds the neighbour table, and the send side: requests for
 * neigh.c's resolution (arp_solicit, source chosen by arp_announce) and
 * gratuitous announcements (arp_send_gratuitous). arp_tbl is the neighbour
 * table of IPv4 (key: the next hop's address). Frames are 42 bytes,
 * unpadded, as arp_create builds them: padding to ETH_ZLEN is a NIC's job
 * and veth does not do it, so rx/tx byte counters match Linux's veth.
 * Owner thread of the namespace throughout.
 */
#include <errno.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "netns/core/dev.h"
#include "arp.h"
#include "fib.h"
#include "icmp.h"
#include "netns/core/neigh.h"
#include "netns/proto/arp.h"
#include "netns/proto/ip.h"
#include "route.h"

static const uint8_t eth_zero[ETH_ALEN];

/*
 * arp_create + arp_xmit: build one ARP packet and transmit it on @dev.
 * @dest_hw: Ethernet destination (NULL: broadcast); @target_hw: ar_tha
 * (NULL: zeros, as in requests).
 */
static void arp_send(struct netdev *dev, int op, uint32_t dest_ip, uint32_t src_ip,
		     const uint8_t *dest_hw, const uint8_t *target_hw)
{
	const unsigned len = sizeof(struct arp_eth);
	struct pkt *p;
	struct arp_eth *arp;

	/* arp_xmit refuses NOARP devices; a device that is down drops in
	 * dev_queue_xmit and is counted there */
	if (dev->flags & IFF_NOARP)
		return;
	p = pkt_alloc(PKT_HR_LINK, len);
	if (!p)
		return; /* arp_create failing is silent in the kernel too */
	memset(p->data, 0, len);
	arp = (struct arp_eth *)p->data;
	arp->ar_hrd = htons(ARPHRD_ETHER_WIRE);
	arp->ar_pro = htons(ETH_P_IP);
	arp->ar_hln = ETH_ALEN;
	arp->ar_pln = 4;
	arp->ar_op = htons((uint16_t)op);
	memcpy(arp->ar_sha, dev->addr, ETH_ALEN);
	memcpy(arp->ar_sip, &src_ip, 4);
	memcpy(arp->ar_tha, target_hw ? target_hw : eth_zero, ETH_ALEN);
	memcpy(arp->ar_tip, &dest_ip, 4);

	p->dev = dev;
	p->ns = dev->ns;
	p->flags |= PKT_F_LOCAL_OUT;
	pkt_set_l3(p);
	if (dev_hard_header(p, dev, ETH_P_ARP, dest_hw ? dest_hw : dev->broadcast, dev->addr,
			    p->len) < 0) {
		pkt_free(p); /* arp_create's "goto out": no frame was made */
		return;
	}
	p->protocol = ETH_P_ARP;
	dev_queue_xmit(p);
}

static bool ifa_match(const struct in_ifaddr *ifa, uint32_t addr)
{
	return ((addr ^ ifa->address) & ifa->mask) == 0;
}

/* confirm_addr_indev(): an address of @dev equal to @local (any if 0) with
 * scope <= @scope, on a subnet that also holds @dst (any if 0). */
static uint32_t confirm_addr_indev(const struct netdev *dev, uint32_t dst, uint32_t local,
				   int scope)
{
	uint32_t addr = 0;
	bool same = false;

	for (const struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next) {
		if (!addr && (local == ifa->local || !local) && ifa->scope <= scope) {
			addr = ifa->local;
			if (same)
				break;
		}
		if (!same) {
			same = (!local || ifa_match(ifa, local)) && (!dst || ifa_match(ifa, dst));
			if (same && addr) {
				if (local || !dst)
					break;
				if (ifa_match(ifa, addr))
					break;
				if (ifa->scope <= scope) {
					addr = ifa->local;
					break;
				}
				same = false;
			}
		}
	}
	return same ? addr : 0;
}

/* inet_confirm_addr(): @dev NULL means any device of @ns. */
static uint32_t inet_confirm_addr(struct netns *ns, const struct netdev *dev, uint32_t dst,
				  uint32_t local, int scope)
{
	if (dev)
		return confirm_addr_indev(dev, dst, local, scope);
	for (const struct netdev *d = ns->dev_list; d; d = d->next) {
		uint32_t a = confirm_addr_indev(d, dst, local, scope);
		if (a)
			return a;
	}
	return 0;
}

/* arp_ignore(): non-zero when a request for local @tip must not be
 * answered on @dev, per max(conf.all, conf.DEV).arp_ignore. */
static int arp_ignore(struct netdev *dev, uint32_t sip, uint32_t tip)
{
	const struct netdev *in_dev = dev;
	int scope;

	switch (devconf_arp_ignore(dev)) {
	case 0: /* reply for any local address, whatever the interface */
		return 0;
	case 1: /* only if tip is configured on the incoming interface */
		sip = 0;
		scope = RT_SCOPE_HOST;
		break;
	case 2: /* ... and sip is on one of its subnets */
		scope = RT_SCOPE_HOST;
		break;
	case 3: /* not for scope host addresses */
		sip = 0;
		scope = RT_SCOPE_LINK;
		in_dev = NULL;
		break;
	case 8: /* never */
		return 1;
	default: /* 4-7 reserved: reply */
		return 0;
	}
	return !inet_confirm_addr(dev->ns, in_dev, sip, tip, scope);
}

/* arp_filter(): with arp_filter=1 answer only if the route back to the
 * sender leaves through the device the request came in on. */
static int arp_filter(struct netdev *dev, uint32_t sip, uint32_t tip)
{
	struct rtable rt;

	if (ip_route_output(dev->ns, sip, tip, 0, &rt))
		return 1;
	return rt.dev != dev;
}

/* arp_accept(): create entries from unsolicited ARP? 0 no, 1 yes, 2 only
 * for senders on one of the device's subnets. */
static bool arp_accept(struct netdev *dev, uint32_t sip)
{
	switch (devconf_get(dev, DEVCONF_ARP_ACCEPT)) {
	case 0:
		return false;
	case 1:
		return true;
	default:
		return inet_confirm_addr(dev->ns, dev, sip, 0, RT_SCOPE_HOST) != 0;
	}
}

/* Would inet_addr_type() call @ip RTN_UNICAST (not local, broadcast or
 * multicast)? */
static bool arp_addr_unicast(struct netns *ns, uint32_t ip)
{
	return ip && !ipv4_is_lbcast(ip) && !ipv4_is_multicast(ip) &&
	       !inet_addr_local_dev(ns, ip);
}

/*
 * ip_route_input_noref(skb, tip, sip, 0, dev) for an ARP request: a
 * datagram header on the stack stands in for the packet (the route
 * decision borrows only the IP header and the input device).
 */
static int arp_route_input(struct netdev *dev, uint32_t sip, uint32_t tip, struct rtable *rt)
{
	uint8_t hdr[sizeof(struct iphdr)] = { 0 };
	struct iphdr *iph = (struct iphdr *)hdr;
	struct pkt fake = { 0 };
	enum drop_reason reason;
	int icmp_code;

	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->saddr = sip;
	iph->daddr = tip;
	fake.head = fake.data = hdr;
	fake.len = fake.size = sizeof(hdr);
	fake.dev = dev;
	fake.ns = dev->ns;
	fake.protocol = ETH_P_IP;
	fake.pkt_type = PACKET_HOST;
	return ip_route_input(&fake, rt, &reason, &icmp_code);
}

/* arp_fwd_proxy(): proxy_arp on the input device, the route leaving through
 * another one, and medium_id not saying both are the same medium
 * (0: no check, -1: proxying disabled, else must differ). */
static bool arp_fwd_proxy(struct netdev *dev, const struct rtable *rt)
{
	int imi, omi;

	if (rt->dev == dev || !devconf_get(dev, DEVCONF_PROXY_ARP))
		return false;
	imi = devconf_get(dev, DEVCONF_MEDIUM_ID);
	if (imi == 0)
		return true;
	if (imi == -1)
		return false;
	omi = devconf_get(rt->dev, DEVCONF_MEDIUM_ID);
	return omi != imi && omi != -1;
}

/* arp_process(): act on a well-formed ARP packet. Consumes p. */
static void arp_process(struct pkt *p)
{
	struct netdev *dev = p->dev;
	struct netns *ns = dev->ns;
	const struct arp_eth *arp = (const struct arp_eth *)p->data;
	int op = ntohs(arp->ar_op);
	uint8_t sha[ETH_ALEN], tha[ETH_ALEN];
	uint32_t sip, tip;

	memcpy(sha, arp->ar_sha, ETH_ALEN);
	memcpy(tha, arp->ar_tha, ETH_ALEN);
	memcpy(&sip, arp->ar_sip, 4);
	memcpy(&tip, arp->ar_tip, 4);

	if (op != ARPOP_REQUEST && op != ARPOP_REPLY)
		goto invalid;
	/* nobody resolves multicast, and loopback only with route_localnet */
	if (ipv4_is_multicast(tip) ||
	    (!devconf_get(dev, DEVCONF_ROUTE_LOCALNET) && ipv4_is_loopback(tip)))
		goto invalid;
	/* a sender claiming a multicast or broadcast MAC is bogus */
	if (!eth_is_valid_unicast(sha))
		goto invalid;

	/* RFC 5227 address probe (sip 0): answer if tip is ours, learn nothing */
	if (sip == 0) {
		if (op == ARPOP_REQUEST && inet_addr_local_dev(ns, tip) && !arp_ignore(dev, sip, tip)) {
			arp_send(dev, ARPOP_REPLY, sip, tip, sha, sha);
			pkt_consume(p);
			return;
		}
		goto ignored;
	}
	if (sip == tip && devconf_get(dev, DEVCONF_DROP_GRATUITOUS_ARP))
		goto ignored;

	/*
	 * A request: ask routing about tip as if a datagram from sip had come
	 * in on dev (ip_route_input_noref). RTN_LOCAL means one of our
	 * addresses on any device (the weak host model); a martian sender or
	 * a failing rp_filter gets no answer.
	 */
	struct rtable rt;
	if (op == ARPOP_REQUEST && arp_route_input(dev, sip, tip, &rt) == 0) {
		if (rt.type == RTN_LOCAL) {
			int dont_send = arp_ignore(dev, sip, tip);
			if (!dont_send && devconf_get(dev, DEVCONF_ARPFILTER))
				dont_send = arp_filter(dev, sip, tip);
			if (dont_send)
				goto ignored;
			/* neigh_event_ns: the sender's address, STALE until confirmed */
			neigh_event_ns(NEIGH_ARP_TABLE, dev, &sip, sha);
			arp_send(dev, ARPOP_REPLY, sip, tip, sha, sha);
			pkt_consume(p);
			return;
		}
		/* proxy ARP: a router answers for a host it routes to through
		 * another device (arp_fwd_proxy) */
		if (rt.type == RTN_UNICAST && devconf_forwarding(dev) && arp_fwd_proxy(dev, &rt)) {
			neigh_event_ns(NEIGH_ARP_TABLE, dev, &sip, sha);
			arp_send(dev, ARPOP_REPLY, sip, tip, sha, sha);
			pkt_consume(p);
			return;
		}
	}

	/* Update our ARP tables: an existing entry, or a new one if arp_accept */
	struct neighbour *n = neigh_lookup(ns, dev, sip);
	bool is_garp = false;
	if (n || devconf_get(dev, DEVCONF_ARP_ACCEPT)) {
		/* arp_is_garp(): sip == tip, a unicast address, and for replies
		 * tha == sha as well */
		is_garp = sip == tip && (op == ARPOP_REQUEST || eth_equal(tha, sha)) &&
			  arp_addr_unicast(ns, sip);
	}
	if (!n && arp_accept(dev, sip) &&
	    (is_garp || (op == ARPOP_REPLY && arp_addr_unicast(ns, sip))))
		n = neigh_create(NEIGH_ARP_TABLE, dev, &sip);
	if (!n)
		goto ignored;

	/* several replies back to back: the first wins (locktime), unless
	 * it is an announcement */
	bool override = loop_now() > n->updated + NSEC_PER_SEC || is_garp;
	/* broadcast replies and requests do not prove reachability */
	uint16_t state = (op == ARPOP_REPLY && p->pkt_type == PACKET_HOST) ? NUD_REACHABLE
									  : NUD_STALE;
	/* PERMANENT and NOARP entries refuse (-EPERM): nothing learnt */
	if (neigh_update(n, sha, state, override ? NEIGH_UPDATE_F_OVERRIDE : 0, NULL) < 0)
		goto ignored;
	pkt_consume(p);
	return;

invalid:
	pkt_drop(p, DROP_ARP_INVALID);
	return;
ignored:
	/* the kernel consumes these silently; we count them */
	pkt_drop(p, DROP_ARP_IGNORED);
}

void arp_rcv(struct pkt *p)
{
	struct netdev *dev = p->dev;
	const struct arp_eth *arp;

	p->ns = dev->ns;
	NS_ASSERT_OWNER(dev->ns);
	if (p->len < sizeof(struct arp_eth))
		goto invalid;
	arp = (const struct arp_eth *)p->data;
	/* Ethernet/IPv4 only: ar_hln must be the device's address length */
	if (arp->ar_hrd != htons(ARPHRD_ETHER_WIRE) || arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4)
		goto invalid;
	if ((dev->flags & IFF_NOARP) || p->pkt_type == PACKET_OTHERHOST ||
	    p->pkt_type == PACKET_LOOPBACK) {
		pkt_drop(p, DROP_ARP_IGNORED);
		return;
	}
	pkt_set_l3(p);
	arp_process(p);
	return;
invalid:
	pkt_drop(p, DROP_ARP_INVALID);
}

/*
 * arp_solicit(): the request that resolves n->key. Source address by
 * arp_announce (max of all and dev): 0 the queued packet's source if it is
 * ours, 1 only if it is on the target's subnet of this device, 2 always
 * inet_select_addr(dev, target, scope link).
 */
static void arp_solicit(struct neighbour *n, const uint8_t *dst_ha)
{
	struct netdev *dev = n->dev;
	struct netns *ns = dev->ns;
	uint32_t saddr = 0, target = n->key;
	const struct pkt *last = n->arp_queue.tail;

	if (last) {
		/* queued packets have data at their IP header (neigh_output) */
		const struct iphdr *iph = (const struct iphdr *)last->data;
		uint32_t s = iph->saddr;
		switch (devconf_get(dev, DEVCONF_ARP_ANNOUNCE)) {
		case 0:
			if (inet_addr_local_dev(ns, s))
				saddr = s;
			break;
		case 1:
			if (inet_addr_local_dev(ns, s) && inet_confirm_addr(ns, dev, target, s,
									     RT_SCOPE_HOST))
				saddr = s;
			break;
		default:
			break;
		}
	}
	if (!saddr)
		saddr = inet_select_addr(dev, target, RT_SCOPE_LINK);
	arp_send(dev, ARPOP_REQUEST, target, saddr, dst_ha, NULL);
}

void arp_send_gratuitous(struct netdev *dev, uint32_t ip)
{
	NS_ASSERT_OWNER(dev->ns);
	/* arp_send(ARPOP_REQUEST, ip, dev, ip, NULL, dev_addr, NULL):
	 * broadcast, sender = target = ip, tha zero */
	if (!dev_is_up(dev) || (dev->flags & (IFF_NOARP | IFF_LOOPBACK)))
		return;
	arp_send(dev, ARPOP_REQUEST, ip, ip, NULL, NULL);
}

/* arp_error_report(): dst_link_failure, ICMP host unreachable to the
 * sender of a packet that waited for a resolution that failed. */
static void arp_error_report(struct neighbour *n, struct pkt *p)
{
	(void)n;
	icmp_send(p, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
}

/* Is @ip a broadcast for @dev: the limited broadcast or the broadcast of a
 * subnet configured on it (an RTN_BROADCAST route, arp_constructor). */
static bool arp_is_broadcast(const struct netdev *dev, uint32_t ip)
{
	if (ipv4_is_lbcast(ip))
		return true;
	for (const struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next) {
		if (ifa->broadcast && ifa->broadcast == ip)
			return true;
		if (ifa->prefixlen < 31 && (ifa->local | ~ifa->mask) == ip)
			return true;
	}
	return false;
}

/* arp_constructor's addresses that need no ARP: broadcasts go to the
 * device's broadcast address, multicast to its arp_mc_map MAC. */
static bool arp_map(const struct netdev *dev, const void *pkey, uint8_t *ha)
{
	uint32_t ip;

	memcpy(&ip, pkey, 4);
	if (arp_is_broadcast(dev, ip)) {
		memcpy(ha, dev->broadcast, ETH_ALEN);
		return true;
	}
	if (ipv4_is_multicast(ip)) {
		/* arp_mc_map -> ip_eth_mc_map: 01:00:5e + low 23 bits */
		uint32_t h = ntohl(ip);
		ha[0] = 0x01;
		ha[1] = 0x00;
		ha[2] = 0x5e;
		ha[3] = (h >> 16) & 0x7f;
		ha[4] = (h >> 8) & 0xff;
		ha[5] = h & 0xff;
		return true;
	}
	return false;
}

/* `ip neigh add` of a multicast or broadcast address is refused. */
static int arp_allow_add(const struct netdev *dev, const void *pkey, struct extack *ext)
{
	uint32_t ip;

	(void)dev;
	memcpy(&ip, pkey, 4);
	if (ipv4_is_multicast(ip) || ipv4_is_lbcast(ip)) {
		EXTACK_MSG(ext, "Invalid neighbour address");
		return -EINVAL;
	}
	return 0;
}

static const struct neigh_ops arp_generic_ops = {
	.solicit = arp_solicit,
	.error_report = arp_error_report,
};

static const struct neigh_table arp_tbl = {
	.family = AF_INET,
	.key_len = 4,
	.protocol = ETH_P_IP,
	.id = "arp_cache",
	.ops = &arp_generic_ops,
	.map = arp_map,
	.allow_add = arp_allow_add,
};

/* IN_DEV_ARP_NOTIFY: max(all, dev). */
static int arp_notify_on(const struct netdev *dev)
{
	return MAX(dev->ns->sysctl.all.data[DEVCONF_ARP_NOTIFY], __in_dev_get(dev)->cnf.data[DEVCONF_ARP_NOTIFY]);
}

/*
 * UP: inetdev_event falls through to a gratuitous ARP per address only
 * when arp_notify is set (default 0); a device without carrier would only
 * drop it. CHANGE: arp_netdev_event, with arp_evict_nocarrier (default 1)
 * losing carrier flushes the device's neighbours.
 */
static int arp_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netdev *dev = ptr;

	switch (event) {
	case NETDEV_UP:
		if (!(dev->flags & IFF_NOARP) && dev_is_running(dev) && arp_notify_on(dev))
			for (struct in_ifaddr *ifa = __in_dev_get(dev)->ifa_list; ifa; ifa = ifa->next)
				arp_send_gratuitous(dev, ifa->local);
		break;
	case NETDEV_CHANGE:
		if (!dev->carrier && (dev->flags & IFF_UP) &&
		    __in_dev_get(dev)->cnf.data[DEVCONF_ARP_EVICT_NOCARRIER])
			neigh_dev_down(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block arp_netdev_notifier = {
	.notifier_call = arp_netdev_event,
};


static struct packet_type arp_packet_type = { .type = ETH_P_ARP, .func = arp_rcv };

/* arp_init(): the IPv4 neighbour table and the ARP packet type. */
void arp_init(void)
{
	neigh_table_init(NEIGH_ARP_TABLE, &arp_tbl);
	dev_add_pack(&arp_packet_type);
	register_netdevice_notifier(&arp_netdev_notifier);
}
