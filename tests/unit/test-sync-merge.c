/* SPDX-License-Identifier: MIT */
/* The merges of a conflicting edit: per field, and line by line for Markdown bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "common/err.h"
#include "sync/merge.h"

#define BASE "# Title\n\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n"

static void
test_text_merge_of_disjoint_lines_is_clean(void **state)
{
	const char *mine =
	    "# Title\n\nline 1 mine\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n";
	const char *theirs = "# Title\n\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7 "
	                     "theirs\n";
	char *out = NULL;

	assert_int_equal(sync_merge_text(BASE, mine, theirs, &out, NULL), 0);
	assert_string_equal(out, "# Title\n\nline 1 mine\nline 2\nline 3\nline 4\nline 5\nline "
	                         "6\nline 7 theirs\n");
	free(out);
}

static void
test_text_merge_of_the_same_line_conflicts(void **state)
{
	const char *mine =
	    "# Title\n\nline 1\nline 2\nline 3\nline 4 mine\nline 5\nline 6\nline 7\n";
	const char *theirs = "# Title\n\nline 1\nline 2\nline 3\nline 4 theirs\nline 5\nline "
	                     "6\nline 7\n";
	char *out = NULL;

	assert_int_equal(sync_merge_text(BASE, mine, theirs, &out, NULL), -LC_ECONFLICT);
	assert_null(out);
}

static void
test_text_merge_takes_the_only_changed_side(void **state)
{
	char *out = NULL;

	assert_int_equal(sync_merge_text(BASE, BASE, "theirs\n", &out, NULL), 0);
	assert_string_equal(out, "theirs\n");
	free(out);
	assert_int_equal(sync_merge_text(BASE, "mine\n", BASE, &out, NULL), 0);
	assert_string_equal(out, "mine\n");
	free(out);
}

static const char *
field(cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
test_edit_merge_combines_fields_and_bodies(void **state)
{
	const char *base =
	    "{\"id\":\"x\",\"rev\":3,\"title\":\"T\",\"body\":\"a\\nb\\nc\\nd\\ne\\n\"}";
	const char *mine = "{\"body\":\"A\\nb\\nc\\nd\\ne\\n\"}";
	const char *theirs =
	    "{\"id\":\"x\",\"rev\":4,\"title\":\"New\",\"body\":\"a\\nb\\nc\\nd\\nE\\n\"}";
	char *body = NULL, *doc = NULL;
	cJSON *b, *d;

	assert_int_equal(sync_merge_edit(base, mine, theirs, &body, &doc, NULL), 0);
	b = cJSON_Parse(body);
	d = cJSON_Parse(doc);
	assert_string_equal(field(b, "body"), "A\nb\nc\nd\nE\n");
	assert_null(field(b, "title")); /* only what the user changed is sent */
	assert_string_equal(field(d, "title"), "New");
	assert_string_equal(field(d, "body"), "A\nb\nc\nd\nE\n");
	assert_int_equal(cJSON_GetObjectItem(d, "rev")->valueint, 4);
	cJSON_Delete(b);
	cJSON_Delete(d);
	free(body);
	free(doc);
}

static void
test_edit_merge_reports_fields_changed_on_both_sides(void **state)
{
	const char *base = "{\"title\":\"T\",\"points\":1}";
	const char *mine = "{\"title\":\"Mine\",\"points\":2}";
	const char *theirs = "{\"title\":\"Theirs\",\"points\":2}";
	char *body = NULL, *doc = NULL, *cause = NULL;

	assert_int_equal(sync_merge_edit(base, mine, theirs, &body, &doc, &cause), -LC_ECONFLICT);
	assert_null(body);
	assert_null(doc);
	assert_non_null(strstr(cause, "title"));
	assert_null(strstr(cause, "points")); /* the same value on both sides is no conflict */
	free(cause);
}

static void
test_edit_merge_without_a_base_conflicts_unless_equal(void **state)
{
	char *body = NULL, *doc = NULL;

	assert_int_equal(
	    sync_merge_edit(NULL, "{\"body\":\"x\"}", "{\"body\":\"y\"}", &body, &doc, NULL),
	    -LC_ECONFLICT);
	assert_int_equal(sync_merge_edit(NULL, "{\"body\":\"x\"}", "{\"body\":\"x\",\"rev\":2}",
	                                 &body, &doc, NULL),
	                 0);
	free(body);
	free(doc);
	assert_int_equal(sync_merge_edit(NULL, "[1]", "{}", &body, &doc, NULL), -LC_EPROTO);
}

/* Issue 11, item 6: the merge a person edits carries markers around the overlap only. */
static void
test_marked_merge_puts_markers_around_the_overlap(void **state)
{
	const char *mine = "# Title\n\nline 1 mine\nline 2\nline 3\nline 4 mine\nline 5\nline "
	                   "6\nline 7\n";
	const char *theirs = "# Title\n\nline 1\nline 2\nline 3\nline 4 theirs\nline 5\nline "
	                     "6\nline 7 theirs\n";
	char *out = NULL;

	assert_int_equal(sync_merge_text_marked(BASE, mine, theirs, &out, NULL), -LC_ECONFLICT);
	assert_non_null(out);
	assert_non_null(strstr(out, "line 1 mine\n"));
	assert_non_null(strstr(out, "line 7 theirs\n"));
	assert_non_null(
	    strstr(out, "<<<<<<< yours\nline 4 mine\n=======\nline 4 theirs\n>>>>>>> server's\n"));
	free(out);
	assert_int_equal(sync_merge_text_marked(BASE, mine, BASE, &out, NULL), 0);
	assert_string_equal(out, mine);
	free(out);
}

static void
test_marked_field_and_resolve_make_the_body_to_send(void **state)
{
	const char *base = "{\"title\":\"T\",\"body\":\"a\\nb\\nc\\n\",\"points\":1}";
	const char *mine = "{\"body\":\"a\\nb mine\\nc\\n\",\"points\":2}";
	const char *theirs = "{\"title\":\"T2\",\"body\":\"a\\nb theirs\\nc\\n\",\"points\":1,"
	                     "\"rev\":5}";
	char *field = NULL, *marked = NULL, *body = NULL;

	assert_int_equal(sync_merge_marked_field(base, mine, theirs, &field, &marked, NULL), 0);
	assert_string_equal(field, "body");
	assert_non_null(strstr(marked, "<<<<<<< yours\nb mine\n=======\nb theirs\n>>>>>>>"));
	/* Markers left in: refused, nothing to send. */
	assert_int_equal(sync_merge_resolve(base, mine, theirs, field, marked, &body, NULL),
	                 -LC_EINVAL);
	assert_null(body);
	assert_int_equal(
	    sync_merge_resolve(base, mine, theirs, field, "a\nb both\nc\n", &body, NULL), 0);
	cJSON *got = cJSON_Parse(body);
	assert_string_equal(cJSON_GetObjectItem(got, "body")->valuestring, "a\nb both\nc\n");
	assert_int_equal(cJSON_GetObjectItem(got, "points")->valueint, 2); /* only mine changed */
	cJSON_Delete(got);
	free(body);
	free(field);
	free(marked);
	/* Nothing textual collides: no merge to edit. */
	assert_int_equal(sync_merge_marked_field("{\"points\":1}", "{\"points\":2}",
	                                         "{\"points\":3}", &field, &marked, NULL),
	                 -LC_ENOTFOUND);
	assert_null(field);
}

static void
test_describe_shows_each_side_as_a_line_diff(void **state)
{
	const char *base = "{\"body\":\"a\\nb\\nc\\n\",\"points\":1}";
	const char *mine = "{\"body\":\"a\\nb mine\\nc\\n\",\"points\":2}";
	const char *theirs = "{\"body\":\"a\\nb theirs\\nc\\n\",\"points\":1}";
	char *d = sync_merge_describe(base, mine, theirs);

	assert_non_null(strstr(d, "Text\nYour change:\n@@ line 1\n a\n-b\n+b mine\n c\n"));
	assert_non_null(strstr(d, "The server's change:\n@@ line 1\n a\n-b\n+b theirs\n c\n"));
	assert_non_null(
	    strstr(d, "Points\nYour change:\n-1\n+2\nThe server's change: (unchanged)"));
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_merge_of_disjoint_lines_is_clean),
	    cmocka_unit_test(test_text_merge_of_the_same_line_conflicts),
	    cmocka_unit_test(test_text_merge_takes_the_only_changed_side),
	    cmocka_unit_test(test_marked_merge_puts_markers_around_the_overlap),
	    cmocka_unit_test(test_marked_field_and_resolve_make_the_body_to_send),
	    cmocka_unit_test(test_describe_shows_each_side_as_a_line_diff),
	    cmocka_unit_test(test_edit_merge_combines_fields_and_bodies),
	    cmocka_unit_test(test_edit_merge_reports_fields_changed_on_both_sides),
	    cmocka_unit_test(test_edit_merge_without_a_base_conflicts_unless_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
