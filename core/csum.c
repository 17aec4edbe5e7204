// SPDX-License-Identifier: MIT
/*
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 * Sums are kept in the "memory" representation, as Linux keeps __wsum: the
 * 16-bit words are read exactly as they lie in the packet, so the folded
 * result is stored back without byte swapping. One's complement addition
 * commutes with byte swapping (RFC 1071 §2(B)), which is what makes this
 * valid on either byte order.
 */
#include "csum.h"

#include <string.h>

/* End-around-carry fold of a 64-bit accumulator to 32 bits; since
 * 2^32 == 1 (mod 2^16 - 1), the value mod 0xffff is unchanged. */
static inline uint32_t csum_fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

static inline uint64_t csum_add64(uint64_t a, uint64_t b)
{
	uint64_t r = a + b;
	return r + (r < a); /* end-around carry: 2^64 == 1 (mod 2^16 - 1) */
}

/*
 * Loads go through memcpy, so the buffer may start at any address (an odd
 * one included): the words summed are always those at even offsets from
 * @buf, which is what the checksum is defined over. Eight bytes at a time
 * with end-around carry, then the 4/2/1-byte tail.
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;

	while (len >= 32) {
		uint64_t w0, w1, w2, w3;
		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		memcpy(&w2, p + 16, 8);
		memcpy(&w3, p + 24, 8);
		s = csum_add64(s, w0);
		s = csum_add64(s, w1);
		s = csum_add64(s, w2);
		s = csum_add64(s, w3);
		p += 32;
		len -= 32;
	}
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		s = csum_add64(s, w);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		s = csum_add64(s, w);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		s = csum_add64(s, w);
		p += 2;
		len -= 2;
	}
	if (len) {
		/* An odd final byte is the high-order byte of a word padded
		 * with zero (RFC 1071 §4.1); in memory order that is the first
		 * byte of the word. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		s = csum_add64(s, *p);
#else
		s = csum_add64(s, (uint64_t)*p << 8);
#endif
	}
	return csum_fold64(s);
}

/* csum_fold, ip_fast_csum and csum_replace2 are inline in csum.h. */

uint16_t csum_replace4(uint16_t check, uint32_t old, uint32_t new)
{
	uint32_t s = (uint16_t)~check;
	s += (uint16_t)~(old & 0xffff);
	s += (uint16_t)~(old >> 16);
	s += new & 0xffff;
	s += new >> 16;
	return csum_fold(s);
}

/*
 * The TCP/UDP pseudo header (RFC 768, RFC 793 §3.1): source, destination,
 * zero, protocol, length. The words are added in memory order, so the two
 * host-order fields are converted to network order first.
 */
uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint16_t len, uint8_t proto,
			    uint32_t sum)
{
	uint8_t ph[4] = { 0, proto, (uint8_t)(len >> 8), (uint8_t)len };
	uint32_t w;
	uint64_t s = sum;

	memcpy(&w, ph, 4);
	s += saddr;
	s += daddr;
	s += w;
	return csum_fold64(s);
}
