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
	/* Cut lines end with the continuation mark (ux review 2026-11-29, A14). */
	assert_line(&doc, 1, "  int main(void) { " TUI_MD_CONTINUED);
	assert_true(doc.lines[1].spans[doc.lines[1].n - 1].style & TUI_MD_MARK);
	assert_line(&doc, 2, "  return printf(\"%d" TUI_MD_CONTINUED);
	assert_line(&doc, 3, "  \\n\", 42); }");
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

/*
 * GFM tables render as aligned columns (ux review 2026-11-29, A14: a table was "a
 * paragraph of pipes"): cmark-gfm's table extension, the header in bold over a rule,
 * cells padded to their column and aligned as the delimiter row says.
 */
static void
test_gfm_table_renders_as_aligned_columns(void **state)
{
	struct tui_md_doc doc;
	const char *md = "| expression | type | meaning |\n"
	                 "|---|:---:|---:|\n"
	                 "| p | int * | the address |\n"
	                 "| *p | `int` | the object |\n";

	(void)state;
	assert_int_equal(tui_md_render(md, 60, &doc), 0);
	assert_fits(&doc, 60);
	assert_int_equal(doc.n, 4);
	assert_line(&doc, 0, "expression │ type  │     meaning");
	assert_true(doc.lines[0].spans[0].style & TUI_MD_BOLD);
	assert_line(&doc, 1, "───────────┼───────┼────────────");
	assert_line(&doc, 2, "p          │ int * │ the address");
	assert_line(&doc, 3, "*p         │ `int` │  the object");
	tui_md_free(&doc);
}

/* A table wider than the screen wraps inside its columns and never passes the width. */
static void
test_gfm_table_wider_than_screen_wraps_in_columns(void **state)
{
	struct tui_md_doc doc;
	const char *md = "| name | description |\n"
	                 "|---|---|\n"
	                 "| x | a long description that cannot fit on one line of the screen |\n";
	char *all;

	(void)state;
	assert_int_equal(tui_md_render(md, 30, &doc), 0);
	assert_fits(&doc, 30);
	assert_line(&doc, 0, "name │ description");
	assert_line(&doc, 2, "x    │ a long description that");
	assert_true(doc.n > 3);
	all = joined(&doc);
	assert_non_null(strstr(all, "screen"));
	free(all);
	tui_md_free(&doc);
	/* Too narrow for columns at all: row by row, "header: value". */
	assert_int_equal(tui_md_render("| aaaa | bbbb | cccc | dddd |\n|---|---|---|---|\n"
	                               "| 1 | 2 | 3 | 4 |\n",
	                               10, &doc),
	                 0);
	assert_fits(&doc, 10);
	assert_line(&doc, 0, "aaaa: 1");
	assert_line(&doc, 3, "dddd: 4");
	tui_md_free(&doc);
}

/* Inline code keeps its backquotes, so that it shows without colour (A14, NO_COLOR). */
static void
test_inline_code_keeps_backquotes(void **state)
{
	struct tui_md_doc doc;

	(void)state;
	assert_int_equal(tui_md_render("Use `p` here.", 40, &doc), 0);
	assert_line(&doc, 0, "Use `p` here.");
	tui_md_free(&doc);
}

/*
 * Searching the page (A14: "/ does nothing"): every match, case-insensitive, in reading
 * order, with byte offsets into the line's text, also after a multi-byte character.
 */
static void
test_find_matches_case_insensitive_in_order(void **state)
{
	struct tui_md_doc doc;
	struct tui_md_match *m;
	size_t n;

	(void)state;
	assert_int_equal(tui_md_render("A Pointer.\n\nÉté: pointer, POINTER.", 40, &doc), 0);
	n = tui_md_find(&doc, "pointer", &m);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].line, 0);
	assert_int_equal(m[0].start, 2);
	assert_int_equal(m[0].len, 7);
	assert_int_equal(m[1].line, 2);
	assert_int_equal(m[1].start, strlen("Été: "));
	assert_int_equal(m[2].start, strlen("Été: pointer, "));
	free(m);
	/* Folding beyond ASCII follows the locale's LC_CTYPE, as the TUI runs it. */
	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL) {
		assert_int_equal(tui_md_find(&doc, "été", &m), 1);
		assert_int_equal(m[0].len, strlen("Été"));
		free(m);
		setlocale(LC_ALL, "C");
	}
	assert_int_equal(tui_md_find(&doc, "absent", &m), 0);
	assert_null(m);
	assert_int_equal(tui_md_find(&doc, "", &m), 0);
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
	    cmocka_unit_test(test_gfm_table_renders_as_aligned_columns),
	    cmocka_unit_test(test_gfm_table_wider_than_screen_wraps_in_columns),
	    cmocka_unit_test(test_inline_code_keeps_backquotes),
	    cmocka_unit_test(test_find_matches_case_insensitive_in_order),
	};

	/* Widths must not depend on the locale the tests happen to run in. */
	setlocale(LC_ALL, "C");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
