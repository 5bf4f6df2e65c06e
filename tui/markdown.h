/* SPDX-License-Identifier: MIT */
/*
 * The reader's Markdown renderer: CommonMark (libcmark) in, styled lines of at most `width`
 * terminal cells out, with no terminal involved, so that unit tests can read the result.
 *
 * One idea: a block is rendered with two prefixes, one for its first line and one for the
 * lines after it ("• " then "  " inside a list item, "│ " for both inside a quote), and
 * nested blocks simply extend both prefixes. Paragraph text is word-wrapped, wide characters
 * counting two cells and allowing a break between them; code blocks are never reflowed but
 * a line too long for the screen is cut and continued on the next line. Links keep their
 * text, get a "[n]" mark, and are listed by number under a "Links" heading at the end.
 */
#ifndef TUI_MARKDOWN_H
#define TUI_MARKDOWN_H

#include <stddef.h>

/* Style bits of a span; the TUI maps them to curses attributes. */
enum tui_md_style {
	TUI_MD_PLAIN = 0,
	TUI_MD_BOLD = 1 << 0,
	TUI_MD_ITALIC = 1 << 1,
	TUI_MD_CODE = 1 << 2,
	TUI_MD_HEADING = 1 << 3,
	TUI_MD_LINK = 1 << 4,
	TUI_MD_QUOTE = 1 << 5, /* the quote bar */
	TUI_MD_MARK = 1 << 6,  /* list markers, rules, link numbers */
};

/* Ends a code line that is cut and continued on the next line. */
#define TUI_MD_CONTINUED "\xe2\x86\xa9" /* ↩ */

struct tui_md_span {
	int style;
	char *text; /* UTF-8 */
};

struct tui_md_line {
	struct tui_md_span *spans;
	size_t n;
	int width; /* cells the line takes, never more than the width rendered for */
};

struct tui_md_doc {
	struct tui_md_line *lines;
	size_t n;
	char **links; /* URLs in reference order: links[0] is "[1]" */
	size_t n_links;
};

/*
 * Renders markdown into *out for a screen `width` cells wide (at least 10). Returns 0, or
 * -LC_EINVAL when width is too small. Free with tui_md_free().
 */
int tui_md_render(const char *markdown, int width, struct tui_md_doc *out);
/* Frees everything in doc and empties it. Accepts NULL. */
void tui_md_free(struct tui_md_doc *doc);
/* The text of a line without styles (caller frees), for tests and copying. */
char *tui_md_line_text(const struct tui_md_line *line);

/* One match of a search: on line `line`, bytes [start, start + len) of its plain text. */
struct tui_md_match {
	size_t line;
	size_t start, len;
};

/*
 * Finds every match of needle (UTF-8, case-insensitive, inside one line) in doc, in reading
 * order, into *out (caller frees; NULL when none). Returns how many; 0 for an empty needle.
 */
size_t tui_md_find(const struct tui_md_doc *doc, const char *needle, struct tui_md_match **out);

#endif
