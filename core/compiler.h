/* SPDX-License-Identifier: MIT */
/* Small compiler helpers shared by every layer: branch hints, prefetch, container_of. */
#ifndef NSEMU_CORE_COMPILER_H
#define NSEMU_CORE_COMPILER_H

#include <assert.h>
#include <stddef.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define prefetch(p) __builtin_prefetch(p)
#define prefetchw(p) __builtin_prefetch(p, 1)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#define CACHELINE 64
#define __cacheline_aligned __attribute__((aligned(CACHELINE)))
#define __unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
