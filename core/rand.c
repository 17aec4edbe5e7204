// SPDX-License-Identifier: MIT
/* See rand.h. */
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "rand.h"

static _Atomic uint64_t rand_state;
static atomic_bool rand_seeded;

void rand_seed(uint64_t seed)
{
	atomic_store(&rand_state, seed);
	atomic_store(&rand_seeded, true);
}

/* The first draw of an unseeded run: the kernel's entropy, or the clock
 * and pid if getrandom is unavailable. Two threads racing here both seed;
 * either seed is as good. */
static void rand_seed_once(void)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
	}
	uint64_t zero = 0;
	atomic_compare_exchange_strong(&rand_state, &zero, seed);
	atomic_store(&rand_seeded, true);
}

uint64_t rand_u64(void)
{
	if (!atomic_load_explicit(&rand_seeded, memory_order_relaxed))
		rand_seed_once();
	/* splitmix64: each draw advances the state by the golden gamma */
	uint64_t z = atomic_fetch_add(&rand_state, 0x9e3779b97f4a7c15ull) + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
