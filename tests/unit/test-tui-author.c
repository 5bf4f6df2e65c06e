/* SPDX-License-Identifier: MIT */
/*
 * What the course and quiz editors make of the text people type into their forms (issue
 * 11, items 2 and 3): a due date in the forms people write it in becomes the RFC 3339 UTC
 * the server takes, and a number outside its range or with trailing words is refused with
 * a cause that names the field, before anything is queued.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "tui/author.h"

static void
due_ok(const char *text, const char *want)
{
	char out[LC_RFC3339_LEN + 1];
	char *cause = NULL;

	assert_int_equal(tui_author_parse_due(text, out, &cause), 0);
	assert_null(cause);
	assert_string_equal(out, want);
}

static void
due_bad(const char *text)
{
	char out[LC_RFC3339_LEN + 1];
	char *cause = NULL;

	assert_int_equal(tui_author_parse_due(text, out, &cause), -LC_EINVAL);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "Due date"));
	free(cause);
}

static void
test_author_due_dates_become_rfc3339_utc(void **state)
{
	(void)state;
	due_ok("2026-12-24", "2026-12-24T23:59:00Z");
	due_ok("2026-12-24 17:00", "2026-12-24T17:00:00Z");
	due_ok("2026-12-24T17:00:00Z", "2026-12-24T17:00:00Z");
	due_ok("2026-12-24T17:00:00+02:00", "2026-12-24T15:00:00Z");
}

static void
test_author_due_dates_refused_in_words(void **state)
{
	(void)state;
	due_bad("tomorrow");
	due_bad("");
	due_bad("2026-12-24 noon");
	due_bad("24/12/2026");
	due_bad("2026-12-24T17:00"); /* no zone: ambiguous */
}

static void
test_author_numbers_in_range_only(void **state)
{
	double v = -1;
	char *cause = NULL;

	(void)state;
	assert_int_equal(tui_author_parse_num("75", "Pass score", 0, 100, &v, &cause), 0);
	assert_true(v == 75);
	assert_int_equal(tui_author_parse_num("0.5", "Tolerance", 0, 1e12, &v, &cause), 0);
	assert_true(v == 0.5);
	assert_null(cause);
	const char *bad[] = {"", "5 points", "-1", "101", "nan", "inf", "1e400"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tui_author_parse_num(bad[i], "Pass score", 0, 100, &v, &cause),
		                 -LC_EINVAL);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "Pass score: a number from 0 to 100"));
		free(cause);
		cause = NULL;
	}
}

/* Keywords drop empty pieces; choices keep them (the form counts them as choices). */
static void
test_author_split_trims_and_keeps_empty_only_when_asked(void **state)
{
	cJSON *kw = tui_author_split(" pointers , ,  heap,stack ", ',', false);
	cJSON *ch = tui_author_split("a pointer |  | an int", '|', true);
	char *kw_text = cJSON_PrintUnformatted(kw), *ch_text = cJSON_PrintUnformatted(ch);

	(void)state;
	assert_string_equal(kw_text, "[\"pointers\",\"heap\",\"stack\"]");
	assert_string_equal(ch_text, "[\"a pointer\",\"\",\"an int\"]");
	cJSON_free(kw_text);
	cJSON_free(ch_text);
	cJSON_Delete(kw);
	cJSON_Delete(ch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_author_due_dates_become_rfc3339_utc),
	    cmocka_unit_test(test_author_due_dates_refused_in_words),
	    cmocka_unit_test(test_author_split_trims_and_keeps_empty_only_when_asked),
	    cmocka_unit_test(test_author_numbers_in_range_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
