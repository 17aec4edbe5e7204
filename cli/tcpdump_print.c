// SPDX-License-Identifier: MIT
/*
 * tcpdump's one-line output (tcpdump 4.99 with -n: addresses and ports as
 * numbers), for what nsemu puts on a wire: Ethernet (with -e), ARP, IPv4
 * with fragments, ICMP (echo, unreachable with the quoted datagram's
 * destination and port, time exceeded, ...), UDP; TCP is printed the
 * short way (-q style, "tcp LEN") and IPv6 by its addresses and next
 * header only. Every field is read with a bounds check against the
 * captured length, so a truncated or hostile frame prints tcpdump's
 * "[|proto]" marker instead of reading past the end. The texts follow
 * tcpdump's print-ether.c, print-arp.c, print-ip.c, print-icmp.c and
 * print-udp.c.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "netns/proto/eth.h"
#include "netns/proto/ip.h"
#include "tcpdump.h"

#ifndef IPPROTO_ICMP
#define IPPROTO_ICMP 1
#endif
#define ETH_HDR 14

/* An output buffer that never overflows (snprintf semantics). */
struct pbuf {
	char *s;
	size_t size, len;
};

static void pb(struct pbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pb(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = (b->len + (size_t)n < b->size) ? b->len + (size_t)n : b->size - 1;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const char *ip4str(const uint8_t *p, char *buf)
{
	return inet_ntop(AF_INET, p, buf, INET_ADDRSTRLEN);
}

static void pb_mac(struct pbuf *b, const uint8_t *m)
{
	pb(b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* ---- ARP (print-arp.c) ---- */

static void print_arp(struct pbuf *b, const uint8_t *d, uint32_t caplen, uint32_t len)
{
	char s[INET_ADDRSTRLEN], t[INET_ADDRSTRLEN];
	uint16_t op;

	/* Ethernet/IPv4 ARP only: hrd 1, pro 0x0800, hln 6, pln 4 */
	if (caplen < 28) {
		pb(b, "[|ARP]");
		return;
	}
	op = rd16(d + 6);
	if (rd16(d) != 1 || rd16(d + 2) != ETH_P_IP || d[4] != 6 || d[5] != 4) {
		pb(b, "arp-#%u for proto #%u (%u) hardware #%u (%u), length %u", op, rd16(d + 2),
		   d[5], rd16(d), d[4], len);
		return;
	}
	ip4str(d + 14, s);
	ip4str(d + 24, t);
	switch (op) {
	case 1:
		pb(b, "Request who-has %s tell %s, length %u", t, s, len);
		break;
	case 2:
		pb(b, "Reply %s is-at ", s);
		pb_mac(b, d + 8);
		pb(b, ", length %u", len);
		break;
	default:
		pb(b, "arp-#%u, length %u", op, len);
		break;
	}
}

/* ---- ICMP (print-icmp.c) ---- */

/* "dst udp port N unreachable" and friends: from the quoted datagram. */
static void print_icmp_unreach(struct pbuf *b, uint8_t code, const uint8_t *icmp, uint32_t ilen)
{
	static const char *const fmt[16] = {
		[0] = "net %s unreachable",
		[1] = "host %s unreachable",
		[5] = "%s unreachable - source route failed",
		[6] = "net %s unreachable - unknown",
		[7] = "host %s unreachable - unknown",
		[8] = "%s unreachable - source host isolated",
		[9] = "net %s unreachable - admin prohibited",
		[10] = "host %s unreachable - admin prohibited",
		[11] = "net %s unreachable - tos prohibited",
		[12] = "host %s unreachable - tos prohibited",
		[13] = "host %s unreachable - admin prohibited filter",
		[14] = "host %s unreachable - host precedence violation",
		[15] = "host %s unreachable - precedence cutoff",
	};
	const uint8_t *in = icmp + 8;
	char dst[INET_ADDRSTRLEN];
	unsigned ihl;

	if (ilen < 8 + 20) {
		pb(b, "[|icmp]");
		return;
	}
	ip4str(in + 16, dst);
	ihl = (in[0] & 0x0f) * 4u;
	switch (code) {
	case ICMP_PROT_UNREACH:
		pb(b, "%s protocol %u unreachable", dst, in[9]);
		return;
	case ICMP_PORT_UNREACH:
		if (ihl < 20 || ilen < 8 + ihl + 4) {
			pb(b, "[|icmp]");
			return;
		}
		if (in[9] == IPPROTO_UDP)
			pb(b, "%s udp port %u unreachable", dst, rd16(in + ihl + 2));
		else if (in[9] == IPPROTO_TCP)
			pb(b, "%s tcp port %u unreachable", dst, rd16(in + ihl + 2));
		else
			pb(b, "%s protocol %u port %u unreachable", dst, in[9],
			   rd16(in + ihl + 2));
		return;
	case ICMP_FRAG_NEEDED:
		pb(b, "%s unreachable - need to frag (mtu %u)", dst, rd16(icmp + 6));
		return;
	}
	if (code < 16 && fmt[code])
		pb(b, fmt[code], dst);
	else
		pb(b, "%s unreachable - #%u", dst, code);
}

static void print_icmp(struct pbuf *b, const uint8_t *icmp, uint32_t ilen, uint32_t plen)
{
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	pb(b, "ICMP ");
	if (ilen < 4) {
		pb(b, "[|icmp]");
		return;
	}
	switch (icmp[0]) {
	case ICMP_ECHO:
	case ICMP_ECHOREPLY:
		if (ilen < 8) {
			pb(b, "[|icmp]");
			return;
		}
		pb(b, "echo %s, id %u, seq %u", icmp[0] == ICMP_ECHO ? "request" : "reply",
		   rd16(icmp + 4), rd16(icmp + 6));
		break;
	case ICMP_DEST_UNREACH:
		print_icmp_unreach(b, icmp[1], icmp, ilen);
		break;
	case ICMP_TIME_EXCEEDED:
		if (icmp[1] == ICMP_EXC_TTL)
			pb(b, "time exceeded in-transit");
		else if (icmp[1] == ICMP_EXC_FRAGTIME)
			pb(b, "ip reassembly time exceeded");
		else
			pb(b, "time exceeded-#%u", icmp[1]);
		break;
	case ICMP_PARAMETERPROB:
		if (icmp[1] == 0 && ilen >= 5)
			pb(b, "parameter problem - octet %u", icmp[4]);
		else
			pb(b, "parameter problem - code %u", icmp[1]);
		break;
	case ICMP_SOURCE_QUENCH:
		pb(b, "source quench");
		break;
	case ICMP_REDIRECT:
		if (ilen < 8 + 20) {
			pb(b, "[|icmp]");
			return;
		}
		pb(b, "redirect %s to %s %s", ip4str(icmp + 8 + 16, a),
		   icmp[1] == 0 ? "net" : "host", ip4str(icmp + 4, g));
		break;
	case ICMP_TIMESTAMP:
	case ICMP_TIMESTAMPREPLY:
		if (ilen < 8) {
			pb(b, "[|icmp]");
			return;
		}
		pb(b, "time stamp %s id %u seq %u", icmp[0] == ICMP_TIMESTAMP ? "query" : "reply",
		   rd16(icmp + 4), rd16(icmp + 6));
		break;
	default:
		pb(b, "type-#%u", icmp[0]);
		break;
	}
	pb(b, ", length %u", plen);
}

/* ---- IPv4 (print-ip.c, print-udp.c) ---- */

static void print_ipv4(struct pbuf *b, const uint8_t *d, uint32_t caplen, uint32_t len)
{
	char s[INET_ADDRSTRLEN], t[INET_ADDRSTRLEN];
	unsigned ihl, tot, off, plen, have;
	const uint8_t *l4;

	if (caplen < 20) {
		pb(b, "[|ip]");
		return;
	}
	if ((d[0] >> 4) != 4) {
		pb(b, "IP%u ", d[0] >> 4);
		return;
	}
	ihl = (d[0] & 0x0f) * 4u;
	if (ihl < 20) {
		pb(b, "bad-hlen %u", ihl);
		return;
	}
	tot = rd16(d + 2);
	if (tot < ihl) {
		pb(b, "bad-len %u", tot);
		return;
	}
	if (tot > len)
		pb(b, "truncated-ip - %u bytes missing! ", tot - len);
	ip4str(d + 12, s);
	ip4str(d + 16, t);
	off = rd16(d + 6) & 0x1fff;
	plen = tot - ihl;
	/* what of the L4 header is really here */
	have = caplen > ihl ? caplen - ihl : 0;
	if (have > plen)
		have = plen;
	l4 = d + ihl;
	if (off) {
		/* a later fragment: no L4 header to decode */
		pb(b, "%s > %s: ip-proto-%u", s, t, d[9]);
		return;
	}
	switch (d[9]) {
	case IPPROTO_ICMP:
		pb(b, "%s > %s: ", s, t);
		print_icmp(b, l4, have, plen);
		break;
	case IPPROTO_UDP:
		if (have < 8) {
			pb(b, "%s > %s: [|udp]", s, t);
			break;
		}
		pb(b, "%s.%u > %s.%u: ", s, rd16(l4), t, rd16(l4 + 2));
		if (rd16(l4 + 4) < 8)
			pb(b, "UDP, bad length %u", rd16(l4 + 4));
		else
			pb(b, "UDP, length %u", rd16(l4 + 4) - 8u);
		break;
	case IPPROTO_TCP:
		if (have < 20 || ((l4[12] >> 4) * 4u) < 20) {
			pb(b, "%s > %s: [|tcp]", s, t);
			break;
		}
		/* -q style for TCP: nsemu has no TCP of its own yet */
		pb(b, "%s.%u > %s.%u: tcp %u", s, rd16(l4), t, rd16(l4 + 2),
		   plen > (l4[12] >> 4) * 4u ? plen - (l4[12] >> 4) * 4u : 0);
		break;
	default:
		pb(b, "%s > %s: ip-proto-%u %u", s, t, d[9], plen);
		break;
	}
}

static void print_ipv6(struct pbuf *b, const uint8_t *d, uint32_t caplen)
{
	char s[INET6_ADDRSTRLEN], t[INET6_ADDRSTRLEN];

	if (caplen < 40) {
		pb(b, "[|ip6]");
		return;
	}
	inet_ntop(AF_INET6, d + 8, s, sizeof(s));
	inet_ntop(AF_INET6, d + 24, t, sizeof(t));
	pb(b, "%s > %s: ip-proto-%u %u", s, t, d[6], rd16(d + 4));
}

size_t tcpdump_format(char *buf, size_t size, const struct tcpdump_print_opts *o, bool raw,
		      const uint8_t *d, uint32_t caplen, uint32_t len)
{
	struct pbuf b = { buf, size, 0 };
	uint16_t type;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (raw) {
		/* LINKTYPE_RAW: the IP version nibble says what follows */
		if (caplen && (d[0] >> 4) == 6) {
			pb(&b, "IP6 ");
			print_ipv6(&b, d, caplen);
		} else {
			pb(&b, "IP ");
			print_ipv4(&b, d, caplen, len);
		}
		return b.len;
	}
	if (caplen < ETH_HDR) {
		pb(&b, "[|ether]");
		return b.len;
	}
	type = rd16(d + 12);
	if (o->eflag) {
		pb_mac(&b, d + 6);
		pb(&b, " > ");
		pb_mac(&b, d);
		pb(&b, ", ethertype %s (0x%04x), length %u: ",
		   type == ETH_P_IP ? "IPv4" : type == ETH_P_ARP ? "ARP" :
		   type == ETH_P_IPV6 ? "IPv6" : type == ETH_P_8021Q ? "802.1Q" : "Unknown",
		   type, len);
	}
	d += ETH_HDR;
	caplen -= ETH_HDR;
	len -= ETH_HDR;
	switch (type) {
	case ETH_P_IP:
		if (!o->eflag)
			pb(&b, "IP ");
		print_ipv4(&b, d, caplen, len);
		break;
	case ETH_P_ARP:
		if (!o->eflag)
			pb(&b, "ARP, ");
		print_arp(&b, d, caplen, len);
		break;
	case ETH_P_IPV6:
		if (!o->eflag)
			pb(&b, "IP6 ");
		print_ipv6(&b, d, caplen);
		break;
	default:
		if (!o->eflag)
			pb(&b, "ethertype Unknown (0x%04x), length %u", type, len + ETH_HDR);
		break;
	}
	return b.len;
}

void tcpdump_print_frame(FILE *out, const struct tcpdump_print_opts *o, bool raw, uint64_t ts_ns,
			 const uint8_t *data, uint32_t caplen, uint32_t len)
{
	time_t sec = (time_t)(ts_ns / 1000000000u);
	unsigned frac = (unsigned)(ts_ns % 1000000000u);
	char line[512];
	struct tm tm;

	/* tcpdump's default -t: local time of day */
	localtime_r(&sec, &tm);
	tcpdump_format(line, sizeof(line), o, raw, data, caplen, len);
	if (o->nano)
		fprintf(out, "%02d:%02d:%02d.%09u %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec, frac,
			line);
	else
		fprintf(out, "%02d:%02d:%02d.%06u %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
			frac / 1000, line);
}
