/* SPDX-License-Identifier: MIT */
/*
 * IPv4 longest-prefix match, the forwarding half of the FIB (STYLE H8):
 * a multibit trie with 8-8-8-8 strides and bitmap-compressed nodes (no 2^24
 * table, a few hundred bytes per populated /16), mapping prefixes to a value
 * below 2^26 - 1 (the FIB's index of a prefix entry).
 * Up to 16 prefixes need no trie: a small array, longest prefix first.
 * It keeps its own rule set so that deleting a prefix restores the next
 * covering one. Single-threaded: the owner of the namespace uses it.
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
 * 2^26 - 2). 0, -EINVAL (length), -ERANGE (value) or -ENOMEM. */
int lpm_add(struct lpm *l, uint32_t addr, unsigned len, uint32_t value);
/* Delete an exact prefix. 0, or -ENOENT. */
int lpm_del(struct lpm *l, uint32_t addr, unsigned len);
/* Longest match for @addr (host order): true and *value, or false. */
bool lpm_lookup(const struct lpm *l, uint32_t addr, uint32_t *value);
/* Exact prefix lookup. */
bool lpm_get(const struct lpm *l, uint32_t addr, unsigned len, uint32_t *value);
size_t lpm_count(const struct lpm *l);
size_t lpm_memory(const struct lpm *l); /* bytes allocated */

#endif
