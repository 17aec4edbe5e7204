// SPDX-License-Identifier: MIT
/*
 * SipHash-2-4: four 64-bit lanes initialised from the key, two
 * compression rounds per 8-byte word, the length in the last word's top
 * byte, four finalisation rounds (the paper's section 2).
 */
#include <string.h>

#include "siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

static inline uint64_t le64(const uint8_t *p)
{
	uint64_t w = 0;

	for (int i = 7; i >= 0; i--)
		w = w << 8 | p[i];
	return w;
}

static inline void sip_compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sipround(v);
	sipround(v);
	v[0] ^= m;
}

uint64_t siphash(const void *data, size_t len, const struct siphash_key *key)
{
	const uint8_t *p = data;
	uint64_t v[4] = {
		key->k[0] ^ 0x736f6d6570736575ull,
		key->k[1] ^ 0x646f72616e646f6dull,
		key->k[0] ^ 0x6c7967656e657261ull,
		key->k[1] ^ 0x7465646279746573ull,
	};
	uint64_t last = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		sip_compress(v, le64(p + i));
	for (size_t j = 0; i + j < len; j++)
		last |= (uint64_t)p[i + j] << (8 * j);
	sip_compress(v, last);
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t siphash_4u32(uint32_t a, uint32_t b, uint32_t c, uint32_t d,
		      const struct siphash_key *key)
{
	uint32_t w[4] = { a, b, c, d };
	uint8_t buf[16];

	/* little-endian words whatever the host */
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			buf[4 * i + j] = (uint8_t)(w[i] >> (8 * j));
	return siphash(buf, sizeof(buf), key);
}
