/* SPDX-License-Identifier: MIT */
/* Internet checksum (RFC 1071) and incremental update (RFC 1624). */
#ifndef NSEMU_CORE_CSUM_H
#define NSEMU_CORE_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 32-bit partial sum of @len bytes added to @sum (network byte order data). */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
/* Fold a partial sum to 16 bits and complement: the value to store.
 * Inline, like the rest of the per-packet helpers below. */
static inline uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
/* Checksum of a buffer: csum_fold(csum_partial(buf, len, 0)). 0 = valid. */
static inline uint16_t ip_compute_csum(const void *buf, size_t len)
{
	return csum_fold(csum_partial(buf, len, 0));
}
/*
 * IPv4 header checksum; @ihl in 32-bit words. Returns 0 on a valid header.
 * Every forwarded datagram is checked once per hop, so this is the kernel's
 * ip_fast_csum shape: whole 32-bit words into a 64-bit accumulator (at most
 * 15 words, no carry can be lost), then one fold.
 */
static inline uint16_t ip_fast_csum(const void *iph, unsigned ihl)
{
	const uint8_t *p = iph;
	uint64_t s = 0;

	/* The 20-byte header without options: five loads, no loop. */
	if (__builtin_expect(ihl == 5, 1)) {
		uint32_t w[5];

		memcpy(w, p, sizeof(w));
		s = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
		ihl = 0;
	}
	for (unsigned i = 0; i < ihl; i++) {
		uint32_t w;

		memcpy(&w, p + 4 * i, 4);
		s += w;
	}
	/* Fold with end-around carry by adding the rotated value (the
	 * kernel's csum_fold): the high half of s + ror64(s, 32) is the
	 * 32-bit one's complement sum, the high half of x + ror32(x, 16)
	 * the 16-bit one. */
	s += (s >> 32) | (s << 32);
	uint32_t x = (uint32_t)(s >> 32);

	x += (x >> 16) | (x << 16);
	return (uint16_t)~(x >> 16);
}
/* RFC 1624 eqn. 3: update checksum @check (as stored) when a 16-bit field
 * changes from @old to @new (both as stored, network order). HC' = ~(~HC +
 * ~m + m'); unlike eqn. 2 it never turns a checksum into 0xffff ("-0")
 * unless a full recomputation would, so both agree bit for bit. */
static inline uint16_t csum_replace2(uint16_t check, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~check;

	s += (uint16_t)~old;
	s += new;
	return csum_fold(s);
}
/* Same for a 32-bit field (e.g. an address). */
uint16_t csum_replace4(uint16_t check, uint32_t old, uint32_t new);
/* Pseudo-header sum for TCP/UDP (addresses network order, len host order). */
uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint16_t len, uint8_t proto,
			    uint32_t sum);

#endif
