// SPDX-License-Identifier: MIT
/*
 * The IPv4 protocol table, as net/ipv4/protocol.c: inet_protos[256] holds
 * each L4 protocol's net_protocol {handler, err_handler}. ip_local_deliver
 * calls handler by iph->protocol; icmp_socket_deliver calls err_handler by
 * the protocol of the datagram an ICMP error quotes. af_inet.c's
 * inet_init registers ICMP and UDP. The table is process-wide and filled
 * at start-up, before any worker receives a packet, so the data path
 * reads it without synchronisation (the kernel uses RCU because modules
 * may register late; nsemu has no late registration).
 */
#include <errno.h>

#include "ip.h"

/* Indexed by the IP protocol number; NULL means "no handler": the datagram
 * gets ICMP protocol unreachable (ip_local_deliver). */
static const struct net_protocol *inet_protos[256];

/*
 * inet_add_protocol - register @prot for IP protocol @protocol. 0, or
 * -EEXIST if another protocol holds it (adding the same one twice is
 * fine). Start-up only (before workers run packets); any thread.
 */
int inet_add_protocol(const struct net_protocol *prot, uint8_t protocol)
{
	if (inet_protos[protocol] && inet_protos[protocol] != prot)
		return -EEXIST;
	inet_protos[protocol] = prot;
	return 0;
}

/* inet_del_protocol - undo inet_add_protocol. 0, or -ENOENT. */
int inet_del_protocol(const struct net_protocol *prot, uint8_t protocol)
{
	if (inet_protos[protocol] != prot)
		return -ENOENT;
	inet_protos[protocol] = NULL;
	return 0;
}

/*
 * inet_proto_get - the protocol registered for @protocol or NULL. Data
 * path, any thread (the table is read-only once packets flow).
 */
const struct net_protocol *inet_proto_get(uint8_t protocol)
{
	return inet_protos[protocol];
}
