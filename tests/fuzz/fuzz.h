/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets (STYLE §8: a frame into dev_rx, a netlink
 * message into rtnl, a line into the CLI). Each target defines libFuzzer's
 * two entry points; `make fuzz` links them with clang's -fsanitize=fuzzer,
 * and tests/fuzz/replay.c drives the same functions from a plain main() so
 * `make test` replays the committed corpora under gcc, plain and ASan.
 *
 * The frame and rtnl targets read their input as records, so one input can
 * carry a sequence (a veth add, then an address on it; two fragments):
 *
 *   u8 ctl | u16 len (big endian) | len bytes | next record ...
 *
 * A record whose len runs past the input is cut to what is left, so every
 * byte string is a valid input. What ctl means is the target's.
 */
#ifndef NSEMU_TESTS_FUZZ_H
#define NSEMU_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a crash for libFuzzer: report it and abort. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__,  \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct fuzz_rec {
	const uint8_t *p;
	size_t left;
};

/* Next record of the input: its ctl byte and payload. false at the end. */
static inline bool fuzz_rec_next(struct fuzz_rec *r, uint8_t *ctl, const uint8_t **buf,
				 size_t *len)
{
	size_t n;

	if (r->left < 3)
		return false;
	*ctl = r->p[0];
	n = (size_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->left -= 3;
	if (n > r->left)
		n = r->left;
	*buf = r->p;
	*len = n;
	r->p += n;
	r->left -= n;
	return true;
}

/* Largest record the corpus generator writes (a 64 KB netlink dump request
 * never needs more; frames are at most a jumbo MTU). */
#define FUZZ_REC_MAX 0xffff

#endif
