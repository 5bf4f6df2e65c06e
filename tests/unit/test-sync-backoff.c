/* SPDX-License-Identifier: MIT */
/* Back-off between failed syncs: grows, stays jittered within its bounds, resets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sync/backoff.h"

static void
test_backoff_doubles_within_jitter_bounds_up_to_the_cap(void **state)
{
	struct sync_backoff b;
	int64_t want = 1000;

	sync_backoff_init(&b, 1000, 60000);
	for (int i = 0; i < 12; i++) {
		int64_t d = sync_backoff_next(&b);

		assert_true(d >= want / 2);
		assert_true(d <= want);
		want = want * 2 > 60000 ? 60000 : want * 2;
	}
}

static void
test_backoff_is_jittered(void **state)
{
	struct sync_backoff a, b;
	int same = 0;

	sync_backoff_init(&a, 100000, 100000);
	sync_backoff_init(&b, 100000, 100000);
	a.rng = 1;
	b.rng = 2;
	for (int i = 0; i < 20; i++)
		same += sync_backoff_next(&a) == sync_backoff_next(&b);
	assert_true(same < 3); /* two clients failing together do not retry together */
}

static void
test_backoff_reset_starts_again_from_the_base(void **state)
{
	struct sync_backoff b;

	sync_backoff_init(&b, 1000, 600000);
	for (int i = 0; i < 8; i++)
		sync_backoff_next(&b);
	assert_true(sync_backoff_next(&b) >= 64000);
	sync_backoff_reset(&b);
	assert_true(sync_backoff_next(&b) <= 1000);
}

/*
 * Issue 10 (the initial sync writes at most 3x the replica): a full answer that came fast
 * doubles the next pull's page, up to the server's most; a slow one goes back to the
 * server's default; an answer that was not full keeps the page.
 */
static void
test_pull_limit_grows_on_fast_full_answers_and_falls_back_on_slow_ones(void **state)
{
	(void)state;
	assert_int_equal(sync_pull_limit_next(0, SYNC_PULL_DEFAULT, 100), 2000);
	assert_int_equal(sync_pull_limit_next(2000, 2000, 100), 4000);
	assert_int_equal(sync_pull_limit_next(4000, 4000, 100), SYNC_PULL_MAX);
	assert_int_equal(sync_pull_limit_next(SYNC_PULL_MAX, SYNC_PULL_MAX, 1), SYNC_PULL_MAX);
	/* Not full: the same page (a reset answer brings no change at all). */
	assert_int_equal(sync_pull_limit_next(0, 0, 100), 0);
	assert_int_equal(sync_pull_limit_next(4000, 3999, 100), 4000);
	/* Slow: back to the default, full or not. */
	assert_int_equal(sync_pull_limit_next(4000, 4000, SYNC_PULL_FAST_MS), 0);
	assert_int_equal(sync_pull_limit_next(0, SYNC_PULL_DEFAULT, 60000), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff_doubles_within_jitter_bounds_up_to_the_cap),
	    cmocka_unit_test(test_backoff_is_jittered),
	    cmocka_unit_test(test_backoff_reset_starts_again_from_the_base),
	    cmocka_unit_test(
	        test_pull_limit_grows_on_fast_full_answers_and_falls_back_on_slow_ones),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
