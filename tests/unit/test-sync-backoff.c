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

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff_doubles_within_jitter_bounds_up_to_the_cap),
	    cmocka_unit_test(test_backoff_is_jittered),
	    cmocka_unit_test(test_backoff_reset_starts_again_from_the_base),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
