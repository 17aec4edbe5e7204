// SPDX-License-Identifier: MIT
/*
 * The IPv4 protocol tables, as net/ipv4/af_inet.c and protocol.c: the
 * ethertype handlers for IPv4 and ARP go into the device layer's ptype
 * table, and the L4 receive handlers (ICMP, UDP; TCP later) into
 * inet_protos[256], which ip_local_deliver indexes by iph->protocol. The
 * tables are process-wide and filled once at start-up, before any worker
 * receives a packet, so the data path reads them without synchronisation
 * (the kernel uses RCU because modules may register late; nsemu has no
 * late registration).
 */
#include <stdbool.h>

#include "netns/core/capture.h"
#include "netns/core/dev.h"
#include "icmp.h"
#include "fib.h"
#include "ip.h"
#include "netns/core/neigh.h"
#include "netns/core/sock.h"

/* Indexed by the IP protocol number; NULL means "no handler": the datagram
 * gets ICMP protocol unreachable (ip_local_deliver). */
static inet_proto_fn inet_protos[256];

/*
 * inet_add_protocol - register @fn as the receive handler of IP protocol
 * @proto, replacing any previous one. Start-up only (before workers run
 * packets); any thread.
 */
void inet_add_protocol(uint8_t proto, inet_proto_fn fn)
{
	inet_protos[proto] = fn;
}

/*
 * inet_proto_get - the handler for @proto or NULL. Data path, any thread
 * (the table is read-only once packets flow).
 */
inet_proto_fn inet_proto_get(uint8_t proto)
{
	return inet_protos[proto];
}

/*
 * inet_init - register the IPv4 and ARP packet types and the ICMP and UDP
 * protocol handlers, as inet_init() does at boot. Idempotent: tests and
 * the emulator may both call it; the second call changes nothing.
 * Control thread, before packets flow.
 */
void inet_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	dev_add_pack(ETH_P_IP, ip_rcv);
	dev_add_pack_batch(ETH_P_IP, ip_rcv_batch); /* Q: batch data path */
	dev_add_pack(ETH_P_ARP, arp_rcv);
	inet_add_protocol(IPPROTO_ICMP, icmp_rcv);
	inet_add_protocol(IPPROTO_UDP, udp_rcv);
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
	ipfrag_init();
}
