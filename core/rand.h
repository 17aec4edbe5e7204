/* SPDX-License-Identifier: MIT */
/*
 * Pseudo-random numbers for the control path (MAC addresses of new
 * devices): splitmix64 over one atomic state, so any thread may draw
 * without a lock. Each run draws a different sequence (seeded from the
 * kernel's getrandom at the first draw), so two emulators whose TAPs share
 * a segment do not hand out the same MACs; rand_seed() (`nsemu --seed N`)
 * makes a run reproducible instead.
 */
#ifndef NSEMU_CORE_RAND_H
#define NSEMU_CORE_RAND_H

#include <stdint.h>

/* Fix the sequence: the same @seed gives the same draws. Call before the
 * first draw (start-up). */
void rand_seed(uint64_t seed);
uint64_t rand_u64(void);

#endif
