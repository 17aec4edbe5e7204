// SPDX-License-Identifier: MIT
/* See mem.h. */
#include <stdio.h>
#include <unistd.h>

#include "mem.h"

/* jemalloc's control interface; NULL when it is not linked (weak). */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
	__attribute__((weak));

int64_t mem_allocated(void)
{
	uint64_t epoch = 1;
	size_t allocated, len = sizeof(epoch);

	if (!mallctl)
		return -1;
	/* Statistics are a snapshot taken at the last epoch: refresh it. */
	if (mallctl("epoch", &epoch, &len, &epoch, sizeof(epoch)))
		return -1;
	len = sizeof(allocated);
	if (mallctl("stats.allocated", &allocated, &len, NULL, 0))
		return -1;
	return (int64_t)allocated;
}

uint64_t mem_rss(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

void mem_release(void)
{
	/* MALLCTL_ARENAS_ALL (4096): every arena; the thread caches of other
	 * threads keep what they hold, a small part */
	if (mallctl)
		mallctl("arena.4096.purge", NULL, NULL, NULL, 0);
}
