/* SPDX-License-Identifier: MIT */
/*
 * The allocator's view (jemalloc's mallctl, when the binary links it; the
 * sanitizer builds use their own allocator and get -1 / no-ops).
 */
#ifndef NSEMU_CORE_MEM_H
#define NSEMU_CORE_MEM_H

#include <stdint.h>

/* Bytes allocated and not freed (jemalloc stats.allocated); -1 without
 * jemalloc. */
int64_t mem_allocated(void);
/* Resident set size of the process in bytes (/proc/self/statm); 0 if
 * unknown. */
uint64_t mem_rss(void);
/* Give the pages of freed memory back to the kernel now (every arena's
 * dirty pages), instead of when decay gets to them: after a large
 * deletion, so that RSS follows what is live. Any thread; a few ms. */
void mem_release(void);

#endif
