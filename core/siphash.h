/* SPDX-License-Identifier: MIT */
/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012), the keyed hash the kernel
 * uses where an attacker must not predict the output (SYN cookies, TCP
 * timestamp offsets). Pure functions: any thread.
 */
#ifndef NSEMU_CORE_SIPHASH_H
#define NSEMU_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k[2];
};

/* SipHash-2-4 of @len bytes at @data under @key (the reference
 * implementation's byte order: little-endian words). */
uint64_t siphash(const void *data, size_t len, const struct siphash_key *key);
/* The kernel's siphash_4u32: the four words as 16 little-endian bytes. */
uint64_t siphash_4u32(uint32_t a, uint32_t b, uint32_t c, uint32_t d,
		      const struct siphash_key *key);

#endif
