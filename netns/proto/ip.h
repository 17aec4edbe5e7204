/* SPDX-License-Identifier: MIT */
/* IPv4, ICMP and UDP wire formats (RFC 791, 792, 768). No state. */
#ifndef NSEMU_PROTO_IP_H
#define NSEMU_PROTO_IP_H

#include <arpa/inet.h>
#include <stdint.h>

struct iphdr {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint8_t ihl : 4, version : 4;
#else
	uint8_t version : 4, ihl : 4;
#endif
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t ttl;
	uint8_t protocol;
	uint16_t check;
	uint32_t saddr;
	uint32_t daddr;
} __attribute__((packed, aligned(2)));
_Static_assert(sizeof(struct iphdr) == 20, "iphdr layout");

#define IP_CE 0x8000	 /* frag_off flags, host order */
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFSET 0x1FFF
#define IP_MAXPACKET 65535

#ifndef IPPROTO_ICMP
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#endif

struct icmphdr {
	uint8_t type;
	uint8_t code;
	uint16_t checksum;
	union {
		struct {
			uint16_t id;
			uint16_t sequence;
		} echo;
		uint32_t gateway;
		struct {
			uint16_t unused;
			uint16_t mtu;
		} frag;
	} un;
} __attribute__((packed, aligned(2)));
_Static_assert(sizeof(struct icmphdr) == 8, "icmphdr layout");

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMP_TIMESTAMP 13
#define ICMP_TIMESTAMPREPLY 14
#define NR_ICMP_TYPES 18

/* Codes for ICMP_DEST_UNREACH */
#define ICMP_NET_UNREACH 0
#define ICMP_HOST_UNREACH 1
#define ICMP_PROT_UNREACH 2
#define ICMP_PORT_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP_SR_FAILED 5
#define ICMP_NET_UNKNOWN 6
#define ICMP_HOST_UNKNOWN 7
#define ICMP_HOST_ISOLATED 8
#define ICMP_NET_ANO 9
#define ICMP_HOST_ANO 10
#define ICMP_NET_UNR_TOS 11
#define ICMP_HOST_UNR_TOS 12
#define ICMP_PKT_FILTERED 13
#define ICMP_PREC_VIOLATION 14
#define ICMP_PREC_CUTOFF 15
#define NR_ICMP_UNREACH 15
/* Codes for ICMP_REDIRECT */
#define ICMP_REDIR_NET 0
#define ICMP_REDIR_HOST 1
#define ICMP_REDIR_NETTOS 2
#define ICMP_REDIR_HOSTTOS 3
/* Codes for ICMP_TIME_EXCEEDED */
#define ICMP_EXC_TTL 0
#define ICMP_EXC_FRAGTIME 1

struct udphdr {
	uint16_t source;
	uint16_t dest;
	uint16_t len;
	uint16_t check;
} __attribute__((packed, aligned(2)));
_Static_assert(sizeof(struct udphdr) == 8, "udphdr layout");

/* Address classes (network byte order arguments). */
static inline int ipv4_is_loopback(uint32_t a) { return (ntohl(a) >> 24) == 127; }
static inline int ipv4_is_multicast(uint32_t a) { return (ntohl(a) & 0xf0000000) == 0xe0000000; }
static inline int ipv4_is_lbcast(uint32_t a) { return a == 0xffffffff; }
static inline int ipv4_is_zeronet(uint32_t a) { return (ntohl(a) >> 24) == 0; }
static inline uint32_t inet_make_mask(unsigned len)
{
	return len ? htonl(~0u << (32 - len)) : 0;
}

#endif
