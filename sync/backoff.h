/* SPDX-License-Identifier: MIT */
/*
 * Exponential back-off with jitter between failed sync attempts, so that a classroom of
 * clients that lost the server at the same moment do not all come back at the same one.
 */
#ifndef SYNC_BACKOFF_H
#define SYNC_BACKOFF_H

#include <stdint.h>

struct sync_backoff {
	int64_t base_ms; /* first delay */
	int64_t max_ms;  /* cap */
	int failures;    /* in a row */
	uint64_t rng;    /* xorshift state; seeded from the kernel when 0 */
};

/* Sets up a back-off between base_ms and max_ms. */
void sync_backoff_init(struct sync_backoff *b, int64_t base_ms, int64_t max_ms);
/*
 * Records a failure and returns the delay before the next try: a random value in
 * [d/2, d] where d = base_ms * 2^(failures-1), capped at max_ms.
 */
int64_t sync_backoff_next(struct sync_backoff *b);
/* Records a success: the next failure starts again from base_ms. */
void sync_backoff_reset(struct sync_backoff *b);

#endif
