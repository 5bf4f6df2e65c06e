/* SPDX-License-Identifier: MIT */
/*
 * ASCII-only drawing for locales that are not UTF-8 (ux review 2026-11-29, A5/E2: under
 * LANG=C raw bytes broke every line): the widths tui/text.c measures must be the cells
 * drawn, so that a line cut to fit still fits. Checked without a terminal.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tui/markdown.h"
#include "tui/text.h"

/* Each character outside ASCII takes the cells of what stands in for it. */
static void
test_ascii_widths_match_what_is_drawn(void **state)
{
	const char *s =
	    "Caf\xc3\xa9 \xe5\xad\xa6\xe4\xb9\xa0 a\xe2\x80\xa6z \xe2\x94\x80\xe2\x94\x82";
	int used = 0;

	(void)state;
	tui_text_set_ascii(true);
	assert_string_equal(tui_ascii_subst(0xe9), "?");
	assert_string_equal(tui_ascii_subst(0x5b66), "?");
	assert_string_equal(tui_ascii_subst(0x2026), "...");
	assert_string_equal(tui_ascii_subst(0x2500), "-");
	assert_string_equal(tui_ascii_subst(0x2550), "-");
	assert_string_equal(tui_ascii_subst(0x2502), "|");
	assert_string_equal(tui_ascii_subst(0x250c), "+");
	/* "Caf? ?? a...z -|" */
	assert_int_equal(tui_text_width(s), 16);
	assert_int_equal(tui_text_width("\xe5\xad\xa6\xe4\xb9\xa0"), 2);
	assert_int_equal(tui_text_width("e\xcc\x81"), 2); /* a combining mark is a '?' too */
	assert_int_equal(tui_text_width("\xff"), 1);      /* not UTF-8: one '?' */
	/* Cutting never splits a character, and never splits "..." either. */
	assert_int_equal(tui_text_fit("\xe5\xad\xa6\xe4\xb9\xa0"
	                              "abc",
	                              9, 3, &used),
	                 7);
	assert_int_equal(used, 3);
	assert_int_equal(tui_text_fit("a\xe2\x80\xa6z", 5, 3, &used), 1);
	assert_int_equal(used, 1);
	assert_int_equal(tui_text_fit("a\xe2\x80\xa6z", 5, 4, &used), 4);
	assert_int_equal(used, 4);
	tui_text_set_ascii(false);
	assert_int_equal(tui_text_width("\xe5\xad\xa6\xe4\xb9\xa0"), 4);
}

/* The reader's lines, measured in ASCII-only mode, still fit their width. */
static void
test_ascii_markdown_lines_fit(void **state)
{
	struct tui_md_doc doc = {0};
	const char *md =
	    "# \xe5\xad\xa6\xe4\xb9\xa0 heading\n\n"
	    "Caf\xc3\xa9, na\xc3\xafve \xe2\x80\x94 \xe5\xad\xa6\xe4\xb9\xa0\xe5\xad\xa6"
	    "\xe4\xb9\xa0 used the wall \xe2\x80\xa6 and more words to wrap here.\n";

	(void)state;
	tui_text_set_ascii(true);
	assert_int_equal(tui_md_render(md, 20, &doc), 0);
	for (size_t i = 0; i < doc.n; i++) {
		char *t = tui_md_line_text(&doc.lines[i]);

		assert_true(tui_text_width(t) <= 20);
		assert_int_equal(tui_text_width(t), doc.lines[i].width);
		free(t);
	}
	tui_md_free(&doc);
	tui_text_set_ascii(false);
}

/*
 * ux review 2026-11-29, A13/E9 (text cut with no ellipsis: "...than f/1 True" for f/11):
 * cut text leaves room for the mark, drops the blank before it, and fits exactly.
 */
static void
test_clip_ends_cut_text_with_ellipsis(void **state)
{
	const char *s = "f/2.8 is a wider aperture than f/11";
	bool cut = true;
	int used = -1;
	size_t n;

	(void)state;
	tui_text_set_ascii(false);
	assert_string_equal(tui_text_ellipsis(), "\xe2\x80\xa6");
	/* Fits whole: no mark. */
	n = tui_text_clip(s, strlen(s), 40, &used, &cut);
	assert_int_equal(n, strlen(s));
	assert_false(cut);
	assert_int_equal(used, 35);
	/* Only padding is lost: no mark. */
	n = tui_text_clip("abc      ", 9, 4, &used, &cut);
	assert_false(cut);
	assert_int_equal(n, 4);
	/* Cut at 33 cells: 32 of text, one for the mark. */
	n = tui_text_clip(s, strlen(s), 33, &used, &cut);
	assert_true(cut);
	assert_int_equal(used, 32);
	assert_int_equal(n, 32);
	/* A blank just before the mark is dropped: "f/2.8 is…" not "f/2.8 is …". */
	n = tui_text_clip(s, strlen(s), 10, &used, &cut);
	assert_true(cut);
	assert_int_equal(n, 8);
	assert_memory_equal(s, "f/2.8 is", 8);
	/* A wide character is never split to make room. */
	n = tui_text_clip("\xe5\xad\xa6\xe4\xb9\xa0x", 7, 3, &used, &cut);
	assert_true(cut);
	assert_int_equal(n, 3);
	assert_int_equal(used, 2);
	/* ASCII-only: "...", three cells. */
	tui_text_set_ascii(true);
	assert_string_equal(tui_text_ellipsis(), "...");
	n = tui_text_clip(s, strlen(s), 10, &used, &cut);
	assert_true(cut);
	assert_int_equal(used, 7);
	assert_int_equal(n, 7);
	/* No room for the mark: plain cut. */
	n = tui_text_clip(s, strlen(s), 2, &used, &cut);
	assert_false(cut);
	assert_int_equal(n, 2);
	tui_text_set_ascii(false);
}

/*
 * ux review 2026-11-29, A13 (a long quiz choice was cut, not wrapped): a 200-character
 * choice wraps on spaces into rows that fit and together hold every word; a character
 * wider than the row still moves on instead of looping.
 */
static void
test_wrap_keeps_every_word(void **state)
{
	const char *s = "A wider aperture lets in more light, so the same exposure needs a faster "
	                "shutter or a lower ISO, which is why a portrait taken at f/2 in deep "
	                "shade can still come out sharp, bright and clean (tail)";
	const char *starts[16];
	size_t lens[16], total = 0;
	int n;

	(void)state;
	tui_text_set_ascii(false);
	n = tui_text_wrap(s, 70, starts, lens, 16);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++) {
		assert_true(tui_text_width_n(starts[i], lens[i]) <= 70);
		assert_true(lens[i] > 0 && starts[i][lens[i] - 1] != ' ');
		total += lens[i] + 1;
	}
	assert_int_equal(total - 1, strlen(s));
	assert_memory_equal(starts[2] + lens[2] - 6, "(tail)", 6);
	n = tui_text_wrap("\xe5\xad\xa6\xe4\xb9\xa0", 1, starts, lens, 16);
	assert_int_equal(n, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ascii_widths_match_what_is_drawn),
	    cmocka_unit_test(test_ascii_markdown_lines_fit),
	    cmocka_unit_test(test_clip_ends_cut_text_with_ellipsis),
	    cmocka_unit_test(test_wrap_keeps_every_word),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
