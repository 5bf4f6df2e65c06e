/* SPDX-License-Identifier: MIT */
/*
 * The sync's pacing. Exponential back-off with jitter between failed sync attempts, so
 * that a classroom of clients that lost the server at the same moment do not all come back
 * at the same one; and the number of changes a pull asks for per answer.
 */
#ifndef SYNC_BACKOFF_H
#define SYNC_BACKOFF_H

#include <stddef.h>
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

/* The server's page when a request names no limit (API.md), and the most it gives. */
#define SYNC_PULL_DEFAULT 1000
#define SYNC_PULL_MAX 5000
/* An answer that took less than this over the network may be followed by a larger one. */
#define SYNC_PULL_FAST_MS 2000

/*
 * The limit for the next pull of a sync, after an answer to `limit` (0: none named, the
 * server's default) that brought n_changes in elapsed_ms of request and transfer: twice as
 * many, up to SYNC_PULL_MAX, when the answer was full and came fast; back to 0 when it
 * came slowly; else the same. Larger pages let an initial sync on a fast link commit the
 * replica's hot pages (indexes, the search index) fewer times; on a slow link a dropped
 * answer must not cost more than one default page.
 */
int sync_pull_limit_next(int limit, size_t n_changes, int64_t elapsed_ms);

#endif
