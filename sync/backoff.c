/* SPDX-License-Identifier: MIT */
/* Exponential back-off with "equal jitter": half fixed, half random. */
#include "sync/backoff.h"

#include "common/uuid.h"

void
sync_backoff_init(struct sync_backoff *b, int64_t base_ms, int64_t max_ms)
{
	b->base_ms = base_ms > 0 ? base_ms : 1;
	b->max_ms = max_ms >= b->base_ms ? max_ms : b->base_ms;
	b->failures = 0;
	b->rng = 0;
}

static uint64_t
next_random(struct sync_backoff *b)
{
	while (b->rng == 0)
		lc_random_bytes(&b->rng, sizeof(b->rng));
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

int64_t
sync_backoff_next(struct sync_backoff *b)
{
	int64_t d = b->base_ms;

	/* Doubling stops at the cap, so the shift never overflows. */
	for (int i = 1; i < b->failures + 1 && d < b->max_ms; i++)
		d *= 2;
	if (d > b->max_ms)
		d = b->max_ms;
	b->failures++;
	return d / 2 + (int64_t)(next_random(b) % (uint64_t)(d - d / 2 + 1));
}

void
sync_backoff_reset(struct sync_backoff *b)
{
	b->failures = 0;
}

int
sync_pull_limit_next(int limit, size_t n_changes, int64_t elapsed_ms)
{
	int asked = limit > 0 ? limit : SYNC_PULL_DEFAULT;

	if (elapsed_ms >= SYNC_PULL_FAST_MS)
		return 0;
	if (n_changes < (size_t)asked)
		return limit;
	return asked * 2 < SYNC_PULL_MAX ? asked * 2 : SYNC_PULL_MAX;
}
