// SPDX-License-Identifier: MIT
/*
 * Internet checksum: known vectors (RFC 1071, a real IPv4 header), any
 * length and any alignment against a byte-by-byte reference, and the
 * RFC 1624 incremental updates against full recomputation over many
 * seeded random headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "core/csum.h"

/* xorshift64*: a fixed seed makes every failure reproducible. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* The checksum as RFC 1071 defines it, one big-endian word at a time;
 * returns the value to store, in network order. */
static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

static void put_csum(uint8_t *at, uint16_t c)
{
	memcpy(at, &c, 2);
}

static void test_csum_rfc1071_example(void **state)
{
	/* RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2, so the
	 * checksum stored is its complement, 22 0d. */
	const uint8_t buf[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint16_t c = ip_compute_csum(buf, sizeof(buf));
	uint8_t bytes[2];

	memcpy(bytes, &c, 2);
	assert_int_equal(bytes[0], 0x22);
	assert_int_equal(bytes[1], 0x0d);
}

static void test_ip_fast_csum_known_header(void **state)
{
	/* 192.168.0.1 -> 192.168.0.199 UDP, checksum b861. */
	uint8_t iph[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			    0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t c;

	assert_int_equal(ip_fast_csum(iph, 5), 0);
	iph[10] = iph[11] = 0;
	c = ip_fast_csum(iph, 5);
	put_csum(&iph[10], c);
	assert_int_equal(iph[10], 0xb8);
	assert_int_equal(iph[11], 0x61);
	iph[8] = 0x3f; /* corrupt the TTL: no longer valid */
	assert_int_not_equal(ip_fast_csum(iph, 5), 0);
}

static void test_csum_partial_any_length_and_alignment(void **state)
{
	uint8_t buf[600];

	rng_state = 0x1071;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= 300; len++)
			assert_int_equal(ip_compute_csum(buf + off, len),
					 ref_csum(buf + off, len));
}

static void test_csum_partial_chains_even_pieces(void **state)
{
	uint8_t buf[256];

	rng_state = 42;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	/* Summing a buffer in even-sized pieces equals summing it whole. */
	for (size_t cut = 0; cut <= sizeof(buf); cut += 2) {
		uint32_t s = csum_partial(buf, cut, 0);
		s = csum_partial(buf + cut, sizeof(buf) - cut, s);
		assert_int_equal(csum_fold(s), ip_compute_csum(buf, sizeof(buf)));
	}
}

static void test_csum_all_ones_and_zero_data(void **state)
{
	uint8_t ones[64], zeros[64] = { 0 };

	memset(ones, 0xff, sizeof(ones));
	assert_int_equal(ip_compute_csum(ones, sizeof(ones)), ref_csum(ones, sizeof(ones)));
	assert_int_equal(ip_compute_csum(zeros, sizeof(zeros)), 0xffff);
}

static void random_header(uint8_t *iph)
{
	for (int i = 0; i < 20; i++)
		iph[i] = (uint8_t)rnd();
	iph[0] = 0x45;
	if (iph[8] == 0)
		iph[8] = 1; /* a TTL that can still be decremented */
	iph[10] = iph[11] = 0;
	put_csum(&iph[10], ip_fast_csum(iph, 5));
}

static void test_csum_replace2_ttl_decrement_matches_recompute(void **state)
{
	uint8_t iph[20];

	rng_state = 1624;
	for (int n = 0; n < 100000; n++) {
		uint16_t old, new, check, full;

		random_header(iph);
		/* ip_decrease_ttl(): TTL and protocol share a 16-bit word. */
		memcpy(&old, &iph[8], 2);
		iph[8]--;
		memcpy(&new, &iph[8], 2);
		memcpy(&check, &iph[10], 2);
		check = csum_replace2(check, old, new);
		put_csum(&iph[10], check);
		assert_int_equal(ip_fast_csum(iph, 5), 0);
		iph[10] = iph[11] = 0;
		full = ip_fast_csum(iph, 5);
		assert_int_equal(check, full);
	}
}

static void test_csum_replace4_address_rewrite_matches_recompute(void **state)
{
	uint8_t iph[20];

	rng_state = 3022;
	for (int n = 0; n < 100000; n++) {
		uint32_t old, new = (uint32_t)rnd();
		uint16_t check, full;
		int at = (n & 1) ? 12 : 16; /* saddr or daddr */

		random_header(iph);
		memcpy(&old, &iph[at], 4);
		if (n % 97 == 0)
			new = old; /* no change leaves the checksum alone */
		memcpy(&iph[at], &new, 4);
		memcpy(&check, &iph[10], 2);
		check = csum_replace4(check, old, new);
		iph[10] = iph[11] = 0;
		full = ip_fast_csum(iph, 5);
		assert_int_equal(check, full);
	}
}

static void test_csum_tcpudp_nofold_matches_pseudo_header(void **state)
{
	uint8_t ph[12 + 64];

	rng_state = 768;
	for (int n = 0; n < 10000; n++) {
		uint32_t saddr = (uint32_t)rnd(), daddr = (uint32_t)rnd();
		uint16_t len = (uint16_t)(8 + rnd() % 57);
		uint8_t proto = (n & 1) ? 17 : 6;
		uint16_t nlen = htons(len);
		uint32_t body;

		memcpy(ph, &saddr, 4);
		memcpy(ph + 4, &daddr, 4);
		ph[8] = 0;
		ph[9] = proto;
		memcpy(ph + 10, &nlen, 2);
		for (int i = 0; i < len; i++)
			ph[12 + i] = (uint8_t)rnd();
		body = csum_partial(ph + 12, len, 0);
		assert_int_equal(csum_fold(csum_tcpudp_nofold(saddr, daddr, len, proto, body)),
				 ref_csum(ph, 12u + len));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071_example),
		cmocka_unit_test(test_ip_fast_csum_known_header),
		cmocka_unit_test(test_csum_partial_any_length_and_alignment),
		cmocka_unit_test(test_csum_partial_chains_even_pieces),
		cmocka_unit_test(test_csum_all_ones_and_zero_data),
		cmocka_unit_test(test_csum_replace2_ttl_decrement_matches_recompute),
		cmocka_unit_test(test_csum_replace4_address_rewrite_matches_recompute),
		cmocka_unit_test(test_csum_tcpudp_nofold_matches_pseudo_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
