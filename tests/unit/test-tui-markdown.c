/* SPDX-License-Identifier: MIT */
/*
 * The reader's Markdown renderer, checked without a terminal: wrapping, wide characters,
 * nested lists, long code lines, quotes, headings and numbered links.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "tui/markdown.h"
#include "tui/text.h"

/* The plain text of line i (caller frees). */
static char *
text_of(const struct tui_md_doc *doc, size_t i)
{
	assert_true(i < doc->n);
	return tui_md_line_text(&doc->lines[i]);
}

static void
assert_line(const struct tui_md_doc *doc, size_t i, const char *want)
{
	char *got = text_of(doc, i);

	assert_string_equal(got, want);
	free(got);
}

/* Every line fits the width, and its recorded width is what it measures. */
static void
assert_fits(const struct tui_md_doc *doc, int width)
{
	for (size_t i = 0; i < doc->n; i++) {
		char *t = text_of(doc, i);

		assert_true(tui_text_width(t) <= width);
		assert_int_equal(tui_text_width(t), doc->lines[i].width);
		free(t);
	}
}

/* All lines joined by spaces, for checking that no word was lost. Caller frees. */
static char *
joined(const struct tui_md_doc *doc)
{
	struct lc_buf buf = {0};

	for (size_t i = 0; i < doc->n; i++) {
		char *t = text_of(doc, i);

		if (i > 0)
			lc_buf_putc(&buf, ' ');
		lc_buf_puts(&buf, t);
		free(t);
	}
	return lc_buf_steal(&buf);
}

static void
test_paragraph_wraps_at_word_boundaries(void **state)
{
	struct tui_md_doc doc;
	const char *md = "The quick brown fox jumps over the lazy dog and keeps running far away.";
	char *all;

	(void)state;
	assert_int_equal(tui_md_render(md, 20, &doc), 0);
	assert_true(doc.n >= 4);
	assert_fits(&doc, 20);
	assert_line(&doc, 0, "The quick brown fox");
	assert_line(&doc, 1, "jumps over the lazy");
	all = joined(&doc);
	assert_string_equal(all, md);
	free(all);
	tui_md_free(&doc);
}

static void
test_word_longer_than_width_is_cut(void **state)
{
	struct tui_md_doc doc;

	(void)state;
	assert_int_equal(tui_md_render("abcdefghijklmnopqrstuvwxyz0123456789", 12, &doc), 0);
	assert_fits(&doc, 12);
	assert_line(&doc, 0, "abcdefghijkl");
	assert_line(&doc, 1, "mnopqrstuvwx");
	assert_line(&doc, 2, "yz0123456789");
	assert_int_equal(doc.n, 3);
	tui_md_free(&doc);
}

static void
test_wide_characters_take_two_cells_and_break_anywhere(void **state)
{
	struct tui_md_doc doc;

	(void)state;
	assert_int_equal(tui_text_width("日本語"), 6);
	assert_int_equal(tui_text_width("héllo"), 5);
	/* 13 wide characters in 10 cells: five per line, never a half character. */
	assert_int_equal(tui_md_render("学习是一种快乐的事情对吧", 10, &doc), 0);
	assert_fits(&doc, 10);
	assert_line(&doc, 0, "学习是一种");
	assert_line(&doc, 1, "快乐的事情");
	assert_line(&doc, 2, "对吧");
	tui_md_free(&doc);
	/* Mixed scripts: latin words stay whole next to wide characters. */
	assert_int_equal(tui_md_render("hello 世界 wonderful", 11, &doc), 0);
	assert_fits(&doc, 11);
	assert_line(&doc, 0, "hello 世界");
	assert_line(&doc, 1, "wonderful");
	tui_md_free(&doc);
}

static void
test_fit_never_cuts_a_character(void **state)
{
	int used = 0;
	const char *s = "ab日本";

	(void)state;
	/* 5 cells hold "ab" and one wide character (4 cells), not half of the next. */
	assert_int_equal(tui_text_fit(s, strlen(s), 5, &used), 5);
	assert_int_equal(used, 4);
	assert_int_equal(tui_text_fit(s, strlen(s), 1, &used), 1);
	/* A broken UTF-8 byte counts as one cell and does not swallow what follows. */
	assert_int_equal(tui_text_width("a\xff"
	                                "b"),
	                 3);
}

static void
test_nested_lists_indent_under_their_marker(void **state)
{
	struct tui_md_doc doc;
	const char *md = "- one\n"
	                 "- two\n"
	                 "  - inner\n"
	                 "    1. deep\n"
	                 "    2. deeper with words that wrap\n"
	                 "- three\n";

	(void)state;
	assert_int_equal(tui_md_render(md, 30, &doc), 0);
	assert_fits(&doc, 30);
	assert_line(&doc, 0, "• one");
	assert_line(&doc, 1, "• two");
	assert_line(&doc, 2, "  ◦ inner");
	assert_line(&doc, 3, "    1. deep");
	assert_line(&doc, 4, "    2. deeper with words that");
	assert_line(&doc, 5, "       wrap");
	assert_line(&doc, 6, "• three");
	assert_int_equal(doc.n, 7);
	tui_md_free(&doc);
}

static void
test_ordered_list_numbers_align(void **state)
{
	struct tui_md_doc doc;
	const char *md = "9. nine\n10. ten\n";

	(void)state;
	assert_int_equal(tui_md_render(md, 40, &doc), 0);
	assert_line(&doc, 0, " 9. nine");
	assert_line(&doc, 1, "10. ten");
	tui_md_free(&doc);
}

static void
test_long_code_lines_are_cut_not_reflowed(void **state)
{
	struct tui_md_doc doc;
	const char *md = "```\n"
	                 "short\n"
	                 "int main(void) { return printf(\"%d\\n\", 42); }\n"
	                 "\tindented\n"
	                 "```\n";
	(void)state;
	assert_int_equal(tui_md_render(md, 20, &doc), 0);
	assert_fits(&doc, 20);
	assert_line(&doc, 0, "  short");
	/* 45 characters in 18-cell slices, spaces inside kept exactly. */
	assert_line(&doc, 1, "  int main(void) { r");
	assert_line(&doc, 2, "  eturn printf(\"%d\\n");
	assert_line(&doc, 3, "  \", 42); }");
	/* A tab becomes four spaces so that it is measured as drawn. */
	assert_line(&doc, 4, "      indented");
	assert_int_equal(doc.n, 5);
	assert_true(doc.lines[0].spans[0].style & TUI_MD_CODE);
	tui_md_free(&doc);
}

static void
test_quote_heading_and_emphasis(void **state)
{
	struct tui_md_doc doc;
	const char *md = "# Title\n\n> quoted *words* here\n> and **more**\n\nafter";
	bool saw_italic = false, saw_bold = false;

	(void)state;
	assert_int_equal(tui_md_render(md, 40, &doc), 0);
	assert_line(&doc, 0, "Title");
	assert_true(doc.lines[0].spans[0].style & TUI_MD_HEADING);
	assert_line(&doc, 1, "═════");
	assert_line(&doc, 2, "");
	assert_line(&doc, 3, "│ quoted words here and more");
	assert_true(doc.lines[3].spans[0].style & TUI_MD_QUOTE);
	for (size_t i = 0; i < doc.lines[3].n; i++) {
		saw_italic |= (doc.lines[3].spans[i].style & TUI_MD_ITALIC) != 0;
		saw_bold |= (doc.lines[3].spans[i].style & TUI_MD_BOLD) != 0;
	}
	assert_true(saw_italic);
	assert_true(saw_bold);
	assert_line(&doc, 4, "");
	assert_line(&doc, 5, "after");
	tui_md_free(&doc);
}

static void
test_links_are_numbered_and_listed(void **state)
{
	struct tui_md_doc doc;
	const char *md =
	    "See [the docs](https://example.org/docs) and [again](https://example.org/docs)"
	    " or [other](https://example.org/other).";
	char *last;

	(void)state;
	assert_int_equal(tui_md_render(md, 80, &doc), 0);
	assert_line(&doc, 0, "See the docs[1] and again[1] or other[2].");
	assert_int_equal(doc.n_links, 2);
	assert_string_equal(doc.links[0], "https://example.org/docs");
	last = text_of(&doc, doc.n - 1);
	assert_string_equal(last, "[2] https://example.org/other");
	free(last);
	assert_line(&doc, doc.n - 3, "Links");
	tui_md_free(&doc);
}

static void
test_narrow_width_is_refused(void **state)
{
	struct tui_md_doc doc;

	(void)state;
	assert_int_equal(tui_md_render("text", 5, &doc), -7 /* -LC_EINVAL */);
	tui_md_free(&doc);
	assert_int_equal(tui_md_render(NULL, 20, &doc), 0);
	assert_int_equal(doc.n, 0);
	tui_md_free(&doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paragraph_wraps_at_word_boundaries),
	    cmocka_unit_test(test_word_longer_than_width_is_cut),
	    cmocka_unit_test(test_wide_characters_take_two_cells_and_break_anywhere),
	    cmocka_unit_test(test_fit_never_cuts_a_character),
	    cmocka_unit_test(test_nested_lists_indent_under_their_marker),
	    cmocka_unit_test(test_ordered_list_numbers_align),
	    cmocka_unit_test(test_long_code_lines_are_cut_not_reflowed),
	    cmocka_unit_test(test_quote_heading_and_emphasis),
	    cmocka_unit_test(test_links_are_numbered_and_listed),
	    cmocka_unit_test(test_narrow_width_is_refused),
	};

	/* Widths must not depend on the locale the tests happen to run in. */
	setlocale(LC_ALL, "C");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
