/* SPDX-License-Identifier: MIT */
/*
 * Idle sign-out's clock (issue 13, kiosk item 4): the warning comes TUI_IDLE_WARN_S before
 * the end, a key press starts the count again, and a limit of 0 never signs out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tui/idle.h"

static void
test_idle_warns_thirty_seconds_before_signing_out(void **state)
{
	struct tui_idle idle;
	int left;

	(void)state;
	tui_idle_start(&idle, 600, 1000);
	assert_int_equal(tui_idle_check(&idle, 1000 + 569 * 1000, &left), TUI_IDLE_ACTIVE);
	assert_int_equal(left, 31);
	assert_int_equal(tui_idle_check(&idle, 1000 + 570 * 1000, &left), TUI_IDLE_WARNING);
	assert_int_equal(left, 30);
	assert_int_equal(tui_idle_check(&idle, 1000 + 599 * 1000 + 1, &left), TUI_IDLE_WARNING);
	assert_int_equal(left, 1);
	assert_int_equal(tui_idle_check(&idle, 1000 + 600 * 1000, &left), TUI_IDLE_EXPIRED);
	assert_int_equal(left, 0);
}

static void
test_a_key_starts_the_count_again(void **state)
{
	struct tui_idle idle;
	int left;

	(void)state;
	tui_idle_start(&idle, 600, 0);
	assert_false(tui_idle_key(&idle, 100 * 1000));
	assert_int_equal(tui_idle_check(&idle, 650 * 1000, &left), TUI_IDLE_ACTIVE);
	/* A key during the warning only wakes: the caller must not act on it. */
	assert_true(tui_idle_key(&idle, 690 * 1000));
	assert_int_equal(tui_idle_check(&idle, 1000 * 1000, &left), TUI_IDLE_ACTIVE);
	assert_int_equal(tui_idle_check(&idle, 1290 * 1000, &left), TUI_IDLE_EXPIRED);
}

static void
test_idle_limit_zero_never_signs_out(void **state)
{
	struct tui_idle idle;
	int left;

	(void)state;
	tui_idle_start(&idle, 0, 0);
	assert_int_equal(tui_idle_check(&idle, INT64_C(1) << 50, &left), TUI_IDLE_ACTIVE);
	tui_idle_start(&idle, -5, 0);
	assert_int_equal(tui_idle_check(&idle, INT64_C(1) << 50, &left), TUI_IDLE_ACTIVE);
}

static void
test_a_short_limit_warns_for_half_of_it(void **state)
{
	struct tui_idle idle;
	int left;

	(void)state;
	assert_int_equal(tui_idle_warn_s(600), 30);
	assert_int_equal(tui_idle_warn_s(60), 30);
	assert_int_equal(tui_idle_warn_s(20), 10);
	tui_idle_start(&idle, 20, 0);
	assert_int_equal(tui_idle_check(&idle, 9 * 1000, &left), TUI_IDLE_ACTIVE);
	assert_int_equal(tui_idle_check(&idle, 10 * 1000, &left), TUI_IDLE_WARNING);
	assert_int_equal(left, 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idle_warns_thirty_seconds_before_signing_out),
	    cmocka_unit_test(test_a_key_starts_the_count_again),
	    cmocka_unit_test(test_idle_limit_zero_never_signs_out),
	    cmocka_unit_test(test_a_short_limit_warns_for_half_of_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
