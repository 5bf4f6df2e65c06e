/* SPDX-License-Identifier: MIT */
/*
 * The status line's layout (tui/status-fit.c), ux review 2026-11-29, A8: a message
 * overwrote the counts ("1 sync issue (i  Queued again…") and was cut mid-word ("it is
 * sent with the n"). Checked without a terminal.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "tui/status-fit.h"
#include "tui/text.h"

#define COUNTS "online | 3 waiting | 1 sync issue (i)"

/* A message that fits keeps the whole line, the last sync time included. */
static void
test_status_fit_short_message_keeps_everything(void **state)
{
	char left[256], right[256];

	(void)state;
	tui_status_fit(COUNTS, "synced 06:40", "? help", 80, left, sizeof(left), right,
	               sizeof(right));
	assert_string_equal(left, COUNTS " | synced 06:40");
	assert_string_equal(right, "? help");
}

/* A long message drops the time first and is cut at a word, never over the counts. */
static void
test_status_fit_long_message_never_hides_counts(void **state)
{
	const char *msg = "Enrollment queued; it is sent with the next sync, when the server "
	                  "can be reached again";
	char left[256], right[256];
	size_t n;

	(void)state;
	tui_status_fit(COUNTS, "synced 06:40", msg, 80, left, sizeof(left), right, sizeof(right));
	assert_string_equal(left, COUNTS);
	n = strlen(right) - strlen(tui_text_ellipsis());
	assert_string_equal(right + n, tui_text_ellipsis());
	assert_memory_equal(right, msg, n);
	/* ends at a word: the next character of the message is a space */
	assert_true(msg[n] == ' ' || msg[n] == ';');
	assert_true(tui_text_width(left) + 4 + tui_text_width(right) <= 80);
	assert_string_equal(right, "Enrollment queued; it is sent with the\xe2\x80\xa6");
}

/* Dropping the time is enough: the message stays whole. */
static void
test_status_fit_drops_time_before_cutting(void **state)
{
	char left[256], right[256];
	const char *msg = "Copied to /tmp/learner/lectern/x.md";

	(void)state;
	tui_status_fit(COUNTS, "synced 2026-11-29 06:40", msg, 80, left, sizeof(left), right,
	               sizeof(right));
	assert_string_equal(left, COUNTS);
	assert_string_equal(right, msg);
}

/* One word longer than the room is cut with the mark; no room: no message at all. */
static void
test_status_fit_one_long_word_and_no_room(void **state)
{
	char left[256], right[256];

	(void)state;
	tui_status_fit("offline", "", "/a/very/long/path/with/no/spaces/at/all", 30, left,
	               sizeof(left), right, sizeof(right));
	assert_string_equal(left, "offline");
	assert_int_equal(tui_text_width(right), 30 - 4 - 7);
	assert_string_equal(right + strlen(right) - strlen(tui_text_ellipsis()),
	                    tui_text_ellipsis());
	tui_status_fit(COUNTS, "", "Marked complete", 40, left, sizeof(left), right, sizeof(right));
	assert_string_equal(left, COUNTS);
	assert_string_equal(right, "");
	assert_int_equal(tui_status_word_cut("ab cd", 5, 4), 2);
	assert_int_equal(tui_status_word_cut("abcd", 4, 3), 0);
}

/* ASCII-only mode: the mark is "..." and the widths still add up. */
static void
test_status_fit_ascii_mark(void **state)
{
	char left[256], right[256];

	(void)state;
	tui_text_set_ascii(true);
	tui_status_fit("offline | 1 waiting", "", "Reply queued; it is sent with the next sync", 50,
	               left, sizeof(left), right, sizeof(right));
	tui_text_set_ascii(false);
	assert_string_equal(right, "Reply queued; it is sent...");
	assert_true(tui_text_width(left) + 4 + (int)strlen(right) <= 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_fit_short_message_keeps_everything),
	    cmocka_unit_test(test_status_fit_long_message_never_hides_counts),
	    cmocka_unit_test(test_status_fit_drops_time_before_cutting),
	    cmocka_unit_test(test_status_fit_one_long_word_and_no_room),
	    cmocka_unit_test(test_status_fit_ascii_mark),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
