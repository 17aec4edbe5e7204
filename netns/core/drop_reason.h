/* SPDX-License-Identifier: MIT */
/*
 * Every reason nsemu drops a packet, in one list (as the kernel's
 * include/net/dropreason-core.h). Each entry: reason, the MIB counter it
 * also bumps (or NONE), and the line `show drops` prints.
 * pkt_drop() is the one exit for a packet dropped in error.
 */
#ifndef NSEMU_NETNS_DROP_REASON_H
#define NSEMU_NETNS_DROP_REASON_H

#define DROP_REASONS(X)                                                                            \
	X(NOT_SPECIFIED, NONE, "drop reason not specified")                                        \
	X(NOMEM, NONE, "no packet buffer or memory available")                                     \
	X(DEV_DOWN, NONE, "device is down")                                                        \
	X(DEV_GONE, NONE, "device or namespace was deleted with the packet in flight")            \
	X(RING_FULL, NONE, "cross-thread veth ring full")                                         \
	X(TAP_TXFULL, NONE, "host TAP/TUN would block (host not reading): frame not written")    \
	X(BACKLOG_FULL, NONE, "per-worker receive backlog full")                                   \
	X(PKT_TOO_SMALL, NONE, "packet shorter than a header it must hold (link layer, TCP)")      \
	X(UNHANDLED_PROTO, NONE, "no handler for the ethertype")                                   \
	X(OTHERHOST, NONE, "frame addressed to another host's MAC")                                \
	X(MTU_EXCEEDED, NONE, "frame larger than the device MTU")                                  \
	X(IP_INHDR, IpInHdrErrors, "IPv4 header invalid (version, ihl, length)")                   \
	X(IP_CSUM, IpInHdrErrors, "IPv4 header checksum wrong")                                    \
	X(PKT_TRUNCATED, IpInTruncatedPkts, "IPv4 tot_len larger than the frame")                  \
	X(IP_INADDRERRORS, IpInAddrErrors, "no route for a forwarded or local packet's address")   \
	X(IP_NOPROTO, IpInUnknownProtos, "no handler for the IP protocol")                         \
	X(IP_RPFILTER, NONE, "reverse path filter (rp_filter) failed")                             \
	X(IP_INVALID_SOURCE, NONE, "martian or local source address")                              \
	X(IP_INVALID_DEST, NONE, "martian destination address")                                    \
	X(IP_LOCAL_SOURCE, NONE, "source is a local address (accept_local=0)")                     \
	X(IP_FORWARDING_DISABLED, NONE, "forwarding disabled on the input device")                \
	X(IP_OUTNOROUTES, IpOutNoRoutes, "no route for an outgoing packet")                        \
	X(IP_NOROUTE_BLACKHOLE, NONE, "blackhole route")                                           \
	X(IP_NOROUTE_UNREACHABLE, NONE, "unreachable route")                                       \
	X(IP_NOROUTE_PROHIBIT, NONE, "prohibit route")                                             \
	X(IP_INNOROUTES, NONE, "no route for a received packet (ip_error counts IpInNoRoutes)") \
	X(IP_MC_NOT_JOINED, NONE, "multicast to a group no device here has joined")           \
	X(IP_TTL_EXPIRED, NONE, "TTL expired in forwarding")                                       \
	X(IP_FRAG_NEEDED, IpFragFails, "too big for the link and DF set")                          \
	X(IP_FRAG_FAILS, IpFragFails, "could not fragment")                                        \
	X(FRAG_REASM_TIMEOUT, IpReasmFails, "fragment reassembly timed out")                      \
	X(FRAG_TOO_FAR, IpReasmFails, "fragment beyond 65535 bytes")                               \
	X(FRAG_OVERLAP, IpReasmFails, "overlapping fragment")                                      \
	X(FRAG_INVALID, IpReasmFails, "malformed fragment")                                        \
	X(FRAG_MEM_LIMIT, IpReasmFails, "reassembly memory limit (ipfrag_high_thresh) reached")    \
	X(NEIGH_FAILED, NONE, "neighbour resolution failed")                                       \
	X(NEIGH_QUEUEFULL, NONE, "too many packets queued waiting for ARP")                        \
	X(NEIGH_DEAD, NONE, "neighbour entry deleted with packets queued")                         \
	X(ARP_INVALID, NONE, "malformed or unsupported ARP packet")                                \
	X(ARP_IGNORED, NONE, "ARP request not answered (arp_ignore or not ours)")                  \
	X(ICMP_CSUM, IcmpInCsumErrors, "ICMP checksum wrong")                                      \
	X(ICMP_INVALID, IcmpInErrors, "malformed ICMP message")                                    \
	X(ICMP_ECHO_IGNORED, NONE, "echo request ignored (icmp_echo_ignore_*)")                    \
	X(ICMP_RATELIMIT, NONE, "ICMP error suppressed by icmp_ratelimit")                         \
	X(UDP_CSUM, UdpInCsumErrors, "UDP checksum wrong")                                         \
	X(UDP_INVALID, UdpInErrors, "malformed UDP datagram")                                      \
	X(NO_SOCKET, NONE, "no socket for the datagram (port unreachable sent)")                   \
	X(SOCKET_RCVBUFF, NONE, "socket receive queue full")                                     \
	X(FRAG_DUP, NONE, "duplicate fragment (data already received)")                           \
	X(NETFILTER_DROP, NONE, "dropped by a netfilter hook (NF_DROP)")                           \
	X(QDISC_DROP, NONE, "dropped by the device's queueing discipline")                         \
	X(TCP_CSUM, TcpInCsumErrors, "TCP checksum wrong")                                         \
	X(TCP_FLAGS, NONE, "TCP segment with flags its state does not take")                       \
	X(TCP_INVALID_SEQUENCE, NONE, "TCP segment beyond the receive window")                    \
	X(TCP_OLD_SEQUENCE, NONE, "TCP segment wholly before the window (a duplicate)")           \
	X(TCP_INVALID_ACK_SEQUENCE, NONE, "TCP SYN-SENT: the ACK is not of our SYN (RST sent)")    \
	X(TCP_RESET, NONE, "TCP RST not taken (not in window, or not exactly at rcv_nxt)")        \
	X(TCP_INVALID_SYN, NONE, "TCP SYN on a synchronized connection (challenge ACK)")          \
	X(TCP_OLD_DATA, NONE, "TCP data already received")                                         \
	X(TCP_ZEROWINDOW, NONE, "TCP data while the receive window is zero")                      \
	X(TCP_OVERWINDOW, NONE, "TCP data beyond the receive window")                            \
	X(TCP_OFO_DROP, NONE, "TCP out-of-order data beyond what the queue holds")                \
	X(TCP_TOO_OLD_ACK, NONE, "TCP ACK older than anything ever acknowledged (RFC 5961 5.2)")   \
	X(TCP_ACK_UNSENT_DATA, NONE, "TCP ACK of data never sent")                                \
	X(TCP_LISTEN_OVERFLOW, NONE, "TCP SYN or last ACK for a listener whose queue is full")    \
	X(TCP_RFC7323_PAWS, TcpExtPAWSEstab, "TCP segment with an old timestamp (PAWS)")           \
	X(TCP_RFC7323_PAWS_ACK, TcpExtPAWSOldAck, "TCP old ACK with an old timestamp (PAWS)")      \
	X(TCP_CLOSE, NONE, "TCP segment for a socket that is closing or closed")

enum drop_reason {
#define DROP_ENUM(r, mib, text) DROP_##r,
	DROP_REASONS(DROP_ENUM)
#undef DROP_ENUM
	DROP_MAX
};

extern const char *const drop_reason_names[DROP_MAX]; /* "IP_CSUM" */
extern const char *const drop_reason_text[DROP_MAX];  /* one-line description */

#endif
