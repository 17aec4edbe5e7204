/* SPDX-License-Identifier: MIT */
/* Internet checksum (RFC 1071) and incremental update (RFC 1624). */
#ifndef NSEMU_CORE_CSUM_H
#define NSEMU_CORE_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* 32-bit partial sum of @len bytes added to @sum (network byte order data). */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
/* Fold a partial sum to 16 bits and complement: the value to store. */
uint16_t csum_fold(uint32_t sum);
/* Checksum of a buffer: csum_fold(csum_partial(buf, len, 0)). 0 = valid. */
static inline uint16_t ip_compute_csum(const void *buf, size_t len)
{
	return csum_fold(csum_partial(buf, len, 0));
}
/* IPv4 header checksum; @ihl in 32-bit words. Returns 0 on a valid header. */
uint16_t ip_fast_csum(const void *iph, unsigned ihl);
/* RFC 1624 eqn. 3: update checksum @check (as stored) when a 16-bit field
 * changes from @old to @new (both as stored, network order). */
uint16_t csum_replace2(uint16_t check, uint16_t old, uint16_t new);
/* Same for a 32-bit field (e.g. an address). */
uint16_t csum_replace4(uint16_t check, uint32_t old, uint32_t new);
/* Pseudo-header sum for TCP/UDP (addresses network order, len host order). */
uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint16_t len, uint8_t proto,
			    uint32_t sum);

#endif
