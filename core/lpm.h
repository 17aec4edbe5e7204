/* SPDX-License-Identifier: MIT */
/*
 * IPv4 longest-prefix match, the forwarding half of the FIB (STYLE H8):
 * a multibit trie with 8-8-8-8 strides and bitmap-compressed nodes (no 2^24
 * table, a few hundred bytes per populated /16; a large trie adds a 512 KB
 * index of its /16 slots), mapping prefixes to a value below 2^26 - 1 (the
 * FIB's next-hop record or prefix entry).
 * Up to 16 prefixes need no trie: a small array, longest prefix first.
 * The user keeps the rule set (lpm_del is told the covering rule).
 * Single-threaded: the owner of the namespace uses it.
 */
#ifndef NSEMU_CORE_LPM_H
#define NSEMU_CORE_LPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lpm;

struct lpm *lpm_create(void);
void lpm_destroy(struct lpm *l);
/* Add or replace prefix @addr/@len (host byte order) -> @value (at most
 * 2^26 - 2). 0, -EINVAL (length), -ERANGE (value) or -ENOMEM: the table
 * is then broken (see lpm_broken). */
int lpm_add(struct lpm *l, uint32_t addr, unsigned len, uint32_t value);
/* Delete prefix @addr/@len, which the caller knows to be in the table;
 * the caller also names the longest remaining rule covering it
 * (@cover_len < 0: none), whose value the freed range takes. 0, -ENOENT
 * (known absent) or -ENOMEM (broken). */
int lpm_del(struct lpm *l, uint32_t addr, unsigned len, int cover_len, uint32_t cover_value);
/* Longest match for @addr (host order): true and *value, or false. */
bool lpm_lookup(const struct lpm *l, uint32_t addr, uint32_t *value);
/* The same, with the matching prefix's length in *len. */
bool lpm_lookup_len(const struct lpm *l, uint32_t addr, uint32_t *value, unsigned *len);
/*
 * lpm_lookup_len for @n addresses at once (best up to LPM_BATCH):
 * values[i] is the value, or LPM_MISS, and lens[i] the prefix length. The walks advance together one level at a
 * time, each level's nodes prefetched a round before they are read, so
 * the cache misses of n lookups overlap (as rte_lpm_lookup_bulk).
 */
#define LPM_MISS UINT32_MAX
#define LPM_BATCH 64
void lpm_lookup_batch(const struct lpm *l, const uint32_t *addr, unsigned n, uint32_t *values,
		      uint8_t *lens);
/* A change ran out of memory and the trie was dropped: lookups miss until
 * the user calls lpm_clear and adds its rules again. */
bool lpm_broken(const struct lpm *l);
/* Back to an empty table. */
void lpm_clear(struct lpm *l);
size_t lpm_memory(const struct lpm *l); /* bytes allocated */

#endif
