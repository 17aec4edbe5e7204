// SPDX-License-Identifier: MIT
/*
 * SipHash-2-4 against the reference vectors of the paper (appendix A)
 * and the reference implementation's vectors.h: key 00..0f, messages
 * 00, 00 01, ... of every length 0..15.
 */
#include "tests/unit/harness/harness.h"

#include "core/siphash.h"

static const struct siphash_key key = { { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull } };

static void test_siphash_paper_vector(void **state)
{
	uint8_t m[15];

	(void)state;
	for (int i = 0; i < 15; i++)
		m[i] = (uint8_t)i;
	assert_true(siphash(m, 15, &key) == 0xa129ca6149be45e5ull);
}

static void test_siphash_reference_lengths(void **state)
{
	/* vectors.h vectors_sip64[0], [1], [7], [8] as little-endian words */
	uint8_t m[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		m[i] = (uint8_t)i;
	assert_true(siphash(m, 0, &key) == 0x726fdb47dd0e0e31ull);
	assert_true(siphash(m, 1, &key) == 0x74f839c593dc67fdull);
	assert_true(siphash(m, 7, &key) == 0xab0200f58b01d137ull);
	assert_true(siphash(m, 8, &key) == 0x93f5f5799a932462ull);
	/* siphash_4u32 is the 16-byte message of four LE words */
	assert_true(siphash_4u32(0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c, &key) ==
		    siphash(m, 16, &key));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_paper_vector),
		cmocka_unit_test(test_siphash_reference_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
