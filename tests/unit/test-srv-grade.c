/* SPDX-License-Identifier: MIT */
/* Quiz grading for the five question kinds (server-stub/grade.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server-stub/grade.h"

/* Grades the JSON text value against the JSON text answer. */
static bool
grade(const char *kind, const char *answer, double tolerance, const char *value)
{
	cJSON *a = cJSON_Parse(answer);
	cJSON *v = value != NULL ? cJSON_Parse(value) : NULL;
	bool ok;

	assert_non_null(a);
	if (value != NULL)
		assert_non_null(v);
	ok = srv_grade_correct(kind, a, tolerance, v);
	cJSON_Delete(a);
	cJSON_Delete(v);
	return ok;
}

static bool
valid(const char *kind, const char *answer, int n_choices)
{
	cJSON *a = cJSON_Parse(answer);
	bool ok;

	assert_non_null(a);
	ok = srv_grade_answer_valid(kind, a, n_choices);
	cJSON_Delete(a);
	return ok;
}

static void
test_single_matches_only_the_same_index(void **state)
{
	(void)state;
	assert_true(grade("single", "2", 0, "2"));
	assert_false(grade("single", "2", 0, "1"));
	assert_false(grade("single", "2", 0, "\"2\""));
	assert_false(grade("single", "2", 0, "2.5"));
	assert_false(grade("single", "0", 0, "false"));
	assert_false(grade("single", "2", 0, NULL));
}

static void
test_multiple_is_the_set_in_any_order(void **state)
{
	(void)state;
	assert_true(grade("multiple", "[0, 2]", 0, "[0, 2]"));
	assert_true(grade("multiple", "[0, 2]", 0, "[2, 0]"));
	assert_true(grade("multiple", "[0, 2]", 0, "[2, 0, 2]"));
	assert_false(grade("multiple", "[0, 2]", 0, "[0]"));
	assert_false(grade("multiple", "[0, 2]", 0, "[0, 1, 2]"));
	assert_false(grade("multiple", "[0, 2]", 0, "[]"));
	assert_false(grade("multiple", "[0, 2]", 0, "2"));
	assert_false(grade("multiple", "[0, 2]", 0, "[0, \"2\"]"));
	assert_false(grade("multiple", "[0, 2]", 0, "[0, -2]"));
}

static void
test_boolean_requires_a_json_boolean(void **state)
{
	(void)state;
	assert_true(grade("boolean", "true", 0, "true"));
	assert_true(grade("boolean", "false", 0, "false"));
	assert_false(grade("boolean", "true", 0, "false"));
	assert_false(grade("boolean", "true", 0, "1"));
	assert_false(grade("boolean", "false", 0, "\"false\""));
}

static void
test_short_ignores_case_and_spaces(void **state)
{
	(void)state;
	assert_true(grade("short", "\"pwd\"", 0, "\"pwd\""));
	assert_true(grade("short", "\"pwd\"", 0, "\"  PWD \""));
	assert_true(grade("short", "\"rule of thirds\"", 0, "\"Rule of  Thirds\""));
	assert_true(grade("short", "\"m'appelle\"", 0, "\"M'APPELLE\\n\""));
	assert_false(grade("short", "\"pwd\"", 0, "\"pwdx\""));
	assert_false(grade("short", "\"pwd\"", 0, "\"pw\""));
	assert_false(grade("short", "\"pwd\"", 0, "\"   \""));
	assert_false(grade("short", "\"112\"", 0, "112"));
}

static void
test_numeric_within_tolerance(void **state)
{
	(void)state;
	assert_true(grade("numeric", "5", 0, "5"));
	assert_true(grade("numeric", "5", 0, "5.0"));
	assert_false(grade("numeric", "5", 0, "5.01"));
	assert_true(grade("numeric", "0.3333", 0.01, "0.33"));
	assert_true(grade("numeric", "12", 0.5, "12.5"));
	assert_false(grade("numeric", "12", 0.5, "12.51"));
	assert_true(grade("numeric", "12", 0.5, "11.5"));
	assert_true(grade("numeric", "0.3", 0, "0.30000000000000004"));
	assert_true(grade("numeric", "70", 0, "\" 70 \""));
	assert_false(grade("numeric", "70", 0, "\"70 km\""));
	assert_false(grade("numeric", "70", -5, "71"));
	assert_false(grade("numeric", "70", 0, "true"));
}

static void
test_unknown_kind_is_never_correct(void **state)
{
	(void)state;
	assert_false(srv_grade_kind_valid("essay"));
	assert_false(srv_grade_kind_valid(NULL));
	assert_true(srv_grade_kind_valid("numeric"));
	assert_false(grade("essay", "1", 0, "1"));
}

static void
test_stored_answer_must_fit_the_kind(void **state)
{
	(void)state;
	assert_true(valid("single", "3", 4));
	assert_false(valid("single", "4", 4));
	assert_false(valid("single", "-1", 4));
	assert_false(valid("single", "true", 4));
	assert_true(valid("multiple", "[3, 0]", 4));
	assert_false(valid("multiple", "[]", 4));
	assert_false(valid("multiple", "[1, 1]", 4));
	assert_false(valid("multiple", "[1, 4]", 4));
	assert_false(valid("multiple", "1", 4));
	assert_true(valid("boolean", "false", 0));
	assert_false(valid("boolean", "0", 0));
	assert_true(valid("short", "\"octave\"", 0));
	assert_false(valid("short", "\"  \"", 0));
	assert_false(valid("short", "7", 0));
	assert_true(valid("numeric", "-2.5", 0));
	assert_false(valid("numeric", "\"2\"", 0));
	assert_false(valid("essay", "\"x\"", 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_single_matches_only_the_same_index),
	    cmocka_unit_test(test_multiple_is_the_set_in_any_order),
	    cmocka_unit_test(test_boolean_requires_a_json_boolean),
	    cmocka_unit_test(test_short_ignores_case_and_spaces),
	    cmocka_unit_test(test_numeric_within_tolerance),
	    cmocka_unit_test(test_unknown_kind_is_never_correct),
	    cmocka_unit_test(test_stored_answer_must_fit_the_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
