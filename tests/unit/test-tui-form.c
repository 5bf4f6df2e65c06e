/* SPDX-License-Identifier: MIT */
/*
 * The authoring forms' drafts (issue 11, item 7: Ctrl-C and a crash keep what was typed in
 * the course, item and question forms): the values a form keeps in the replica's drafts
 * table come back whole (text as typed, spaces and all, choices and yes/no by their word),
 * and a draft from a form of another shape sets only what still fits, never a wrong field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "tui/form.h"

static const char *const kinds[] = {"page", "link", "quiz", NULL};

enum { F_TITLE, F_KIND, F_REQUIRED, F_URL, F_N };

/* An item-like form with its fields as a new form opens them. */
static void
form_init(struct tui_form *form, struct tui_form_field *fields)
{
	memset(form, 0, sizeof(*form));
	form->fields = fields;
	form->n = F_N;
	tui_form_text(form, F_TITLE, "Title", "", NULL);
	tui_form_choice(form, F_KIND, "Kind", kinds, "page");
	tui_form_bool(form, F_REQUIRED, "Required", true);
	tui_form_text(form, F_URL, "URL", "", NULL);
}

static void
assert_text(const struct tui_form *form, int i, const char *want)
{
	char *text = tui_field_get(&form->fields[i].text);

	assert_string_equal(text, want);
	free(text);
}

static void
test_form_values_restore_whole(void **state)
{
	struct tui_form_field a_fields[F_N], b_fields[F_N];
	struct tui_form a, b;
	char *values;

	(void)state;
	form_init(&a, a_fields);
	tui_field_set(&a.fields[F_TITLE].text, "  Zürich: \"naïve\" \\ pointers ");
	a.fields[F_KIND].choice = 1;
	a.fields[F_REQUIRED].choice = 0;
	tui_field_set(&a.fields[F_URL].text, "https://example.org/a?b=c&d");
	values = tui_form_values(&a);
	form_init(&b, b_fields);
	assert_int_equal(tui_form_restore(&b, values), F_N);
	assert_text(&b, F_TITLE, "  Zürich: \"naïve\" \\ pointers ");
	assert_string_equal(tui_form_word(&b, F_KIND), "link");
	assert_string_equal(tui_form_word(&b, F_REQUIRED), "no");
	assert_text(&b, F_URL, "https://example.org/a?b=c&d");
	/* The cursor is at the end of a restored text, as after typing it. */
	assert_int_equal(b.fields[F_URL].text.cursor, b.fields[F_URL].text.len);
	free(values);
}

/*
 * A draft kept before the form changed shape (here: the field at index 1 is no longer a
 * choice, a choice word is gone, a field was added) sets only the fields that still match
 * by index, label and kind.
 */
static void
test_form_restore_only_matching_fields(void **state)
{
	static const char *const other_kinds[] = {"page", "quiz", NULL};
	struct tui_form_field fields[F_N + 1];
	struct tui_form form;
	const char *draft = "{\"fields\":["
	                    "{\"label\":\"Title\",\"text\":\"Kept\"},"
	                    "{\"label\":\"Kind\",\"text\":\"link\"},"
	                    "{\"label\":\"Required\",\"choice\":\"maybe\"},"
	                    "{\"label\":\"Address\",\"text\":\"https://example.org\"},"
	                    "{\"label\":\"Extra\",\"text\":\"x\"}]}";
	int rc;

	(void)state;
	memset(&form, 0, sizeof(form));
	form.fields = fields;
	form.n = F_N + 1;
	tui_form_text(&form, F_TITLE, "Title", "Old", NULL);
	tui_form_choice(&form, F_KIND, "Kind", other_kinds, "quiz");
	tui_form_bool(&form, F_REQUIRED, "Required", true);
	tui_form_text(&form, F_URL, "URL", "", NULL);
	tui_form_text(&form, F_N, "Points", "3", NULL);
	rc = tui_form_restore(&form, draft);
	assert_int_equal(rc, 1);
	assert_text(&form, F_TITLE, "Kept");
	assert_string_equal(tui_form_word(&form, F_KIND), "quiz");
	assert_string_equal(tui_form_word(&form, F_REQUIRED), "yes");
	assert_text(&form, F_URL, "");
	assert_text(&form, F_N, "3");
	/* A draft of fewer fields sets those it has. */
	assert_int_equal(
	    tui_form_restore(&form, "{\"fields\":[{\"label\":\"Title\",\"text\":\"\"}]}"), 1);
	assert_text(&form, F_TITLE, "");
}

/* Something that is not a form's values sets nothing and says so. */
static void
test_form_restore_refuses_other_text(void **state)
{
	const char *bad[] = {"",
	                     "not json",
	                     "{}",
	                     "[]",
	                     "{\"fields\":{}}",
	                     "{\"fields\":\"Title\"}",
	                     "{\"fields\":[",
	                     NULL};
	struct tui_form_field fields[F_N];
	struct tui_form form;

	(void)state;
	form_init(&form, fields);
	tui_field_set(&form.fields[F_TITLE].text, "Mine");
	for (int i = 0; bad[i] != NULL; i++)
		assert_int_equal(tui_form_restore(&form, bad[i]), -LC_EINVAL);
	assert_int_equal(tui_form_restore(&form, NULL), -LC_EINVAL);
	/* Entries that are not objects are skipped, not taken for fields. */
	assert_int_equal(tui_form_restore(&form, "{\"fields\":[1, null, \"Title\"]}"), 0);
	assert_text(&form, F_TITLE, "Mine");
	assert_string_equal(tui_form_word(&form, F_KIND), "page");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_form_values_restore_whole),
	    cmocka_unit_test(test_form_restore_only_matching_fields),
	    cmocka_unit_test(test_form_restore_refuses_other_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
