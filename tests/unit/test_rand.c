// SPDX-License-Identifier: MIT
/*
 * core/rand: the same seed gives the same draws (`nsemu --seed N`), other
 * seeds other draws; the MACs made from them are unicast and locally
 * administered, and successive ones differ.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/rand.h"
#include "netns/core/dev.h"

static void test_rand_same_seed_same_draws(void **state)
{
	uint64_t a[4], b[4];

	rand_seed(7);
	for (unsigned i = 0; i < 4; i++)
		a[i] = rand_u64();
	rand_seed(7);
	for (unsigned i = 0; i < 4; i++)
		b[i] = rand_u64();
	assert_memory_equal(a, b, sizeof(a));
	assert_true(a[0] != a[1] && a[1] != a[2]);
	rand_seed(8);
	assert_true(rand_u64() != a[0]);
}

static void test_eth_random_addr_is_local_unicast_and_varies(void **state)
{
	uint8_t m1[6], m2[6];

	rand_seed(1);
	eth_random_addr(m1);
	eth_random_addr(m2);
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *m = i ? m2 : m1;

		assert_int_equal(m[0] & 0x01, 0); /* unicast */
		assert_int_equal(m[0] & 0x02, 0x02); /* locally administered */
		assert_true(eth_is_valid_unicast(m));
	}
	assert_memory_not_equal(m1, m2, 6);
	/* the same seed: the same MAC */
	rand_seed(1);
	eth_random_addr(m2);
	assert_memory_equal(m1, m2, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rand_same_seed_same_draws),
		cmocka_unit_test(test_eth_random_addr_is_local_unicast_and_varies),
	};

	return cmocka_run_group_tests_name("rand", tests, NULL, NULL);
}
