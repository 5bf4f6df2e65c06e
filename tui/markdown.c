/* SPDX-License-Identifier: MIT */
/*
 * CommonMark to styled, wrapped lines; see markdown.h. Blocks are walked recursively with a
 * first-line prefix and a continuation prefix; inline content is gathered into styled runs
 * and then word-wrapped by wrap_runs().
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "tui/markdown.h"
#include "tui/text.h"

/* Prefixes never take more than the width minus this, so text always has room. */
#define MIN_TEXT_CELLS 10

struct render {
	struct tui_md_doc *doc;
	size_t lines_cap;
	size_t links_cap;
	int width;
	int list_depth;
};

/* Inline content before wrapping: styled text, or a hard line break when text is NULL. */
struct run {
	int style;
	char *text;
};

struct runs {
	struct run *items;
	size_t n, cap;
};

/* Wrapping state: the line being filled and the word being gathered. */
struct wrap {
	struct render *r;
	const struct tui_md_line *rest;
	struct tui_md_line line;
	bool line_has_text;
	struct tui_md_line word;
	int word_width;
	bool space_pending;
};

static void
line_add(struct tui_md_line *line, int style, const char *text, size_t len)
{
	struct tui_md_span *last;

	if (len == 0)
		return;
	line->width += tui_text_width_n(text, len);
	last = line->n > 0 ? &line->spans[line->n - 1] : NULL;
	if (last != NULL && last->style == style) {
		size_t old = strlen(last->text);

		last->text = lc_realloc(last->text, old + len + 1);
		memcpy(last->text + old, text, len);
		last->text[old + len] = '\0';
		return;
	}
	line->spans = lc_realloc(line->spans, (line->n + 1) * sizeof(*line->spans));
	line->spans[line->n].style = style;
	line->spans[line->n].text = lc_strndup(text, len);
	line->n++;
}

static void
line_finish(struct tui_md_line *line)
{
	for (size_t i = 0; i < line->n; i++)
		free(line->spans[i].text);
	free(line->spans);
	memset(line, 0, sizeof(*line));
}

static void
line_copy(struct tui_md_line *dst, const struct tui_md_line *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->n; i++)
		line_add(dst, src->spans[i].style, src->spans[i].text, strlen(src->spans[i].text));
}

/* Moves line into the document; line is left empty. */
static void
emit(struct render *r, struct tui_md_line *line)
{
	struct tui_md_doc *doc = r->doc;

	if (doc->n == r->lines_cap) {
		r->lines_cap = r->lines_cap ? r->lines_cap * 2 : 64;
		doc->lines = lc_realloc(doc->lines, r->lines_cap * sizeof(*doc->lines));
	}
	doc->lines[doc->n++] = *line;
	memset(line, 0, sizeof(*line));
}

/* A blank line between blocks: the continuation prefix with its trailing spaces dropped. */
static void
emit_blank(struct render *r, const struct tui_md_line *rest)
{
	struct tui_md_line line;

	line_copy(&line, rest);
	while (line.n > 0) {
		struct tui_md_span *last = &line.spans[line.n - 1];
		size_t len = strlen(last->text);

		while (len > 0 && last->text[len - 1] == ' ') {
			last->text[--len] = '\0';
			line.width--;
		}
		if (len > 0)
			break;
		free(last->text);
		line.n--;
	}
	emit(r, &line);
}

/* prefix + (style, text), unless that would leave the text too little room. */
static void
prefix_extend(struct render *r, struct tui_md_line *dst, const struct tui_md_line *src, int style,
              const char *text)
{
	line_copy(dst, src);
	if (dst->width + tui_text_width(text) <= r->width - MIN_TEXT_CELLS)
		line_add(dst, style, text, strlen(text));
}

static void
runs_add(struct runs *runs, int style, const char *text)
{
	if (runs->n == runs->cap) {
		runs->cap = runs->cap ? runs->cap * 2 : 16;
		runs->items = lc_realloc(runs->items, runs->cap * sizeof(*runs->items));
	}
	runs->items[runs->n].style = style;
	runs->items[runs->n].text = text != NULL ? lc_strdup(text) : NULL;
	runs->n++;
}

static void
runs_finish(struct runs *runs)
{
	for (size_t i = 0; i < runs->n; i++)
		free(runs->items[i].text);
	free(runs->items);
}

static int
add_link(struct render *r, const char *url)
{
	struct tui_md_doc *doc = r->doc;

	for (size_t i = 0; i < doc->n_links; i++)
		if (strcmp(doc->links[i], url) == 0)
			return (int)i + 1;
	if (doc->n_links == r->links_cap) {
		r->links_cap = r->links_cap ? r->links_cap * 2 : 8;
		doc->links = lc_realloc(doc->links, r->links_cap * sizeof(*doc->links));
	}
	doc->links[doc->n_links++] = lc_strdup(url);
	return (int)doc->n_links;
}

static void
collect_inlines(struct render *r, cmark_node *node, int style, struct runs *runs)
{
	for (cmark_node *c = cmark_node_first_child(node); c != NULL; c = cmark_node_next(c)) {
		char mark[32];

		switch (cmark_node_get_type(c)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_HTML_INLINE:
		case CMARK_NODE_CUSTOM_INLINE:
			runs_add(runs, style, cmark_node_get_literal(c));
			break;
		case CMARK_NODE_CODE:
			/* Backquotes kept: code stays code without colour (NO_COLOR, A14). */
			runs_add(runs, style | TUI_MD_CODE, "`");
			runs_add(runs, style | TUI_MD_CODE, cmark_node_get_literal(c));
			runs_add(runs, style | TUI_MD_CODE, "`");
			break;
		case CMARK_NODE_SOFTBREAK:
			runs_add(runs, style, " ");
			break;
		case CMARK_NODE_LINEBREAK:
			runs_add(runs, style, NULL);
			break;
		case CMARK_NODE_EMPH:
			collect_inlines(r, c, style | TUI_MD_ITALIC, runs);
			break;
		case CMARK_NODE_STRONG:
			collect_inlines(r, c, style | TUI_MD_BOLD, runs);
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			if (cmark_node_get_type(c) == CMARK_NODE_IMAGE)
				runs_add(runs, style, "[image: ");
			collect_inlines(r, c, style | TUI_MD_LINK, runs);
			if (cmark_node_get_type(c) == CMARK_NODE_IMAGE)
				runs_add(runs, style, "]");
			snprintf(mark, sizeof(mark), "[%d]",
			         add_link(r, cmark_node_get_url(c) ? cmark_node_get_url(c) : ""));
			runs_add(runs, TUI_MD_MARK, mark);
			break;
		default:
			collect_inlines(r, c, style, runs);
			break;
		}
	}
}

static void
wrap_newline(struct wrap *w)
{
	emit(w->r, &w->line);
	line_copy(&w->line, w->rest);
	w->line_has_text = false;
}

/* Puts the gathered word on the line, moving to a new line or cutting it as needed. */
static void
wrap_flush_word(struct wrap *w)
{
	int sep;

	if (w->word.n == 0) {
		return;
	}
	sep = (w->space_pending && w->line_has_text) ? 1 : 0;
	if (w->line_has_text && w->line.width + sep + w->word_width > w->r->width) {
		wrap_newline(w);
		sep = 0;
	}
	if (sep)
		line_add(&w->line, TUI_MD_PLAIN, " ", 1);
	for (size_t i = 0; i < w->word.n; i++) {
		const char *s = w->word.spans[i].text;
		size_t len = strlen(s);

		while (len > 0) {
			size_t fit = tui_text_fit(s, len, w->r->width - w->line.width, NULL);

			if (fit == 0 && !w->line_has_text) {
				wchar_t wc;

				/* Not even one character fits an empty line: place it anyway. */
				fit = tui_utf8_decode(s, len, &wc);
			}
			if (fit == 0) {
				wrap_newline(w);
				continue;
			}
			line_add(&w->line, w->word.spans[i].style, s, fit);
			w->line_has_text = true;
			s += fit;
			len -= fit;
		}
	}
	line_finish(&w->word);
	w->word_width = 0;
	w->space_pending = false;
}

static void
wrap_text(struct wrap *w, int style, const char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		wchar_t wc;
		size_t step = tui_utf8_decode(s + i, len - i, &wc);
		int cw = tui_wc_width(wc);

		if (wc == ' ' || wc == '\t' || wc == '\n') {
			wrap_flush_word(w);
			w->space_pending = true;
		} else if (cw == 2) {
			/* Wide scripts do not separate words by spaces: a break may go anywhere. */
			wrap_flush_word(w);
			line_add(&w->word, style, s + i, step);
			w->word_width = cw;
			wrap_flush_word(w);
		} else {
			line_add(&w->word, style, s + i, step);
			w->word_width += cw;
		}
		i += step;
	}
}

/* Word-wraps runs into lines starting with first, then rest. */
static void
wrap_runs(struct render *r, const struct runs *runs, const struct tui_md_line *first,
          const struct tui_md_line *rest)
{
	struct wrap w = {.r = r, .rest = rest};

	line_copy(&w.line, first);
	for (size_t i = 0; i < runs->n; i++) {
		if (runs->items[i].text == NULL) {
			wrap_flush_word(&w);
			wrap_newline(&w);
			continue;
		}
		wrap_text(&w, runs->items[i].style, runs->items[i].text);
	}
	wrap_flush_word(&w);
	emit(r, &w.line);
}

/* Code and raw HTML: kept as written, a line too long cut and carried on the next line. */
static void
render_literal(struct render *r, const char *text, int style, const struct tui_md_line *first,
               const struct tui_md_line *rest)
{
	const char *p = text ? text : "";
	bool is_first = true;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct lc_buf expanded = {0};
		const char *s;

		/* Tabs would be measured as one cell but drawn as up to eight. */
		for (size_t i = 0; i < len; i++) {
			if (p[i] == '\t')
				lc_buf_puts(&expanded, "    ");
			else
				lc_buf_putc(&expanded, p[i]);
		}
		s = lc_buf_str(&expanded);
		len = expanded.len;
		do {
			struct tui_md_line line;
			size_t fit;

			line_copy(&line, is_first ? first : rest);
			is_first = false;
			line_add(&line, style, "  ", 2);
			fit = tui_text_fit(s, len, r->width - line.width, NULL);
			if (fit < len) /* cut: one cell kept for the continuation mark */
				fit = tui_text_fit(s, len, r->width - line.width - 1, NULL);
			if (fit == 0 && len > 0) {
				wchar_t wc;

				fit = tui_utf8_decode(s, len, &wc);
			}
			line_add(&line, style, s, fit);
			/* The line goes on below (ux review 2026-11-29, A14: no more silent cuts).
			 */
			if (fit < len && line.width < r->width)
				line_add(&line, TUI_MD_MARK, TUI_MD_CONTINUED,
				         strlen(TUI_MD_CONTINUED));
			emit(r, &line);
			s += fit;
			len -= fit;
		} while (len > 0);
		lc_buf_finish(&expanded);
		p = nl ? nl + 1 : p + strlen(p);
	}
}

static void render_block(struct render *r, cmark_node *node, const struct tui_md_line *first,
                         const struct tui_md_line *rest);

/* Renders the children of a container, blank lines between them unless tight. */
static void
render_children(struct render *r, cmark_node *node, const struct tui_md_line *first,
                const struct tui_md_line *rest, bool tight)
{
	bool is_first = true;

	for (cmark_node *c = cmark_node_first_child(node); c != NULL; c = cmark_node_next(c)) {
		if (!is_first && !tight)
			emit_blank(r, rest);
		render_block(r, c, is_first ? first : rest, rest);
		is_first = false;
	}
}

static void
render_heading(struct render *r, cmark_node *node, const struct tui_md_line *first,
               const struct tui_md_line *rest)
{
	struct runs runs = {0};
	int level = cmark_node_get_heading_level(node);
	size_t start = r->doc->n;
	int text_width = 0;

	collect_inlines(r, node, TUI_MD_HEADING | TUI_MD_BOLD, &runs);
	wrap_runs(r, &runs, first, rest);
	runs_finish(&runs);
	for (size_t i = start; i < r->doc->n; i++)
		if (r->doc->lines[i].width - rest->width > text_width)
			text_width = r->doc->lines[i].width - rest->width;
	if (level <= 2) {
		/* An underline makes the top levels stand out on monochrome terminals too. */
		struct tui_md_line line;
		const char *bar = level == 1 ? "═" : "─";

		line_copy(&line, rest);
		for (int i = 0; i < text_width && line.width < r->width; i++)
			line_add(&line, TUI_MD_HEADING, bar, strlen(bar));
		emit(r, &line);
	}
}

static void
render_list(struct render *r, cmark_node *node, const struct tui_md_line *first,
            const struct tui_md_line *rest)
{
	static const char *const bullets[] = {"• ", "◦ ", "▪ "};
	bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
	bool tight = cmark_node_get_list_tight(node) != 0;
	int number = cmark_node_get_list_start(node);
	int count = 0, digits;
	bool is_first = true;

	for (cmark_node *c = cmark_node_first_child(node); c; c = cmark_node_next(c))
		count++;
	digits = snprintf(NULL, 0, "%d", number + count - 1);
	r->list_depth++;
	for (cmark_node *c = cmark_node_first_child(node); c != NULL; c = cmark_node_next(c)) {
		struct tui_md_line item_first, item_rest;
		char marker[32], pad[32];
		int mw;

		if (ordered)
			snprintf(marker, sizeof(marker), "%*d. ", digits, number++);
		else
			snprintf(marker, sizeof(marker), "%s", bullets[(r->list_depth - 1) % 3]);
		mw = tui_text_width(marker);
		snprintf(pad, sizeof(pad), "%*s", mw, "");
		if (!is_first && !tight)
			emit_blank(r, rest);
		prefix_extend(r, &item_first, is_first ? first : rest, TUI_MD_MARK, marker);
		prefix_extend(r, &item_rest, rest, TUI_MD_PLAIN, pad);
		render_children(r, c, &item_first, &item_rest, tight);
		line_finish(&item_first);
		line_finish(&item_rest);
		is_first = false;
	}
	r->list_depth--;
}

/* ---- GFM tables ---- */

/* Cells narrower than this are not worth a column: the table is listed row by row. */
#define TABLE_MIN_COL 3
#define TABLE_SEP " │ "
#define TABLE_RULE_SEP "─┼─"

/* One cell: its inline runs and the width they take on one line. */
struct cell {
	struct runs runs;
	int width;
};

static int
runs_width(const struct runs *runs)
{
	int w = 0;

	for (size_t i = 0; i < runs->n; i++)
		w += runs->items[i].text ? tui_text_width(runs->items[i].text) : 1;
	return w;
}

/*
 * Column widths for the table in `avail` cells: natural widths when they fit, else the
 * narrow columns keep theirs and the wide ones share what is left equally. Returns false
 * when even TABLE_MIN_COL per column does not fit.
 */
static bool
table_widths(const int *natural, int ncols, int avail, int *out)
{
	int sum = 0, left = avail, wide = 0;
	bool changed = true;

	for (int c = 0; c < ncols; c++) {
		out[c] = natural[c] > 0 ? natural[c] : 1;
		sum += out[c];
	}
	if (sum <= avail)
		return true;
	if (avail < ncols * TABLE_MIN_COL)
		return false;
	for (int c = 0; c < ncols; c++)
		out[c] = -1; /* not settled */
	while (changed) {
		int unsettled = 0;

		changed = false;
		for (int c = 0; c < ncols; c++)
			unsettled += out[c] < 0;
		if (unsettled == 0)
			break;
		for (int c = 0; c < ncols; c++) {
			if (out[c] < 0 && natural[c] <= left / unsettled) {
				out[c] = natural[c] > 0 ? natural[c] : 1;
				left -= out[c];
				changed = true;
				break;
			}
		}
	}
	for (int c = 0; c < ncols; c++)
		wide += out[c] < 0;
	for (int c = 0, given = 0; c < ncols; c++) {
		if (out[c] >= 0)
			continue;
		/* The last wide column takes the remainder of the division. */
		out[c] = ++given == wide ? left - (left / wide) * (wide - 1) : left / wide;
		if (out[c] < TABLE_MIN_COL)
			out[c] = TABLE_MIN_COL;
	}
	return true;
}

/* A cell's runs wrapped to `width` cells: lines without any prefix, into *lines. */
static void
cell_lines(const struct runs *runs, int width, struct tui_md_doc *lines)
{
	struct render cr = {.doc = lines, .width = width};
	struct tui_md_line none = {0};

	memset(lines, 0, sizeof(*lines));
	wrap_runs(&cr, runs, &none, &none);
	/* Links inside a cell were numbered by the table's render; the temporary list goes. */
	assert(lines->n_links == 0);
}

/* Appends `n` spaces. */
static void
line_pad(struct tui_md_line *line, int n)
{
	for (; n > 0; n--)
		line_add(line, TUI_MD_PLAIN, " ", 1);
}

static void
render_table_row(struct render *r, struct cell *cells, int ncols, const int *widths,
                 const uint8_t *align, bool header, const struct tui_md_line *prefix)
{
	struct tui_md_doc *cl = lc_calloc((size_t)ncols, sizeof(*cl));
	size_t height = 1;

	for (int c = 0; c < ncols; c++) {
		cell_lines(&cells[c].runs, widths[c], &cl[c]);
		if (cl[c].n > height)
			height = cl[c].n;
	}
	for (size_t y = 0; y < height; y++) {
		struct tui_md_line line;

		line_copy(&line, prefix);
		for (int c = 0; c < ncols; c++) {
			const struct tui_md_line *src = y < cl[c].n ? &cl[c].lines[y] : NULL;
			int w = src ? src->width : 0, before = 0;

			if (c > 0)
				line_add(&line, TUI_MD_MARK, TABLE_SEP, strlen(TABLE_SEP));
			if (align != NULL && align[c] == 'r')
				before = widths[c] - w;
			else if (align != NULL && align[c] == 'c')
				before = (widths[c] - w) / 2;
			line_pad(&line, before);
			for (size_t i = 0; src != NULL && i < src->n; i++)
				line_add(&line, src->spans[i].style | (header ? TUI_MD_BOLD : 0),
				         src->spans[i].text, strlen(src->spans[i].text));
			/* No trailing blanks after the last column. */
			if (c + 1 < ncols)
				line_pad(&line, widths[c] - w - before);
		}
		emit(r, &line);
	}
	for (int c = 0; c < ncols; c++)
		tui_md_free(&cl[c]);
	free(cl);
}

/* Too narrow for columns: each row as "header: value" lines, a blank line between rows. */
static void
render_table_list(struct render *r, struct cell **rows, size_t nrows, int ncols,
                  const struct tui_md_line *first, const struct tui_md_line *rest)
{
	for (size_t y = 1; y < nrows; y++) {
		if (y > 1)
			emit_blank(r, rest);
		for (int c = 0; c < ncols; c++) {
			struct runs runs = {0};

			for (size_t i = 0; i < rows[0][c].runs.n; i++)
				runs_add(&runs, rows[0][c].runs.items[i].style | TUI_MD_BOLD,
				         rows[0][c].runs.items[i].text);
			runs_add(&runs, TUI_MD_BOLD, ": ");
			for (size_t i = 0; i < rows[y][c].runs.n; i++)
				runs_add(&runs, rows[y][c].runs.items[i].style,
				         rows[y][c].runs.items[i].text);
			wrap_runs(r, &runs, y == 1 && c == 0 ? first : rest, rest);
			runs_finish(&runs);
		}
	}
}

/*
 * A GFM table (cmark-gfm's table extension) as aligned columns: the header row in bold,
 * a rule under it, cells padded to their column's width and aligned as the delimiter row
 * says; a cell too wide for its share of the screen wraps inside its column.
 */
static void
render_table(struct render *r, cmark_node *node, const struct tui_md_line *first,
             const struct tui_md_line *rest)
{
	int ncols = cmark_gfm_extensions_get_table_columns(node);
	const uint8_t *align = cmark_gfm_extensions_get_table_alignments(node);
	size_t nrows = 0, y = 0;
	struct cell **rows;
	int *natural, *widths, avail;

	if (ncols <= 0)
		return;
	for (cmark_node *row = cmark_node_first_child(node); row; row = cmark_node_next(row))
		nrows++;
	rows = lc_calloc(nrows ? nrows : 1, sizeof(*rows));
	natural = lc_calloc((size_t)ncols, sizeof(*natural));
	widths = lc_calloc((size_t)ncols, sizeof(*widths));
	for (cmark_node *row = cmark_node_first_child(node); row; row = cmark_node_next(row)) {
		int c = 0;

		rows[y] = lc_calloc((size_t)ncols, sizeof(**rows));
		for (cmark_node *cell = cmark_node_first_child(row); cell && c < ncols;
		     cell = cmark_node_next(cell), c++) {
			collect_inlines(r, cell, TUI_MD_PLAIN, &rows[y][c].runs);
			rows[y][c].width = runs_width(&rows[y][c].runs);
			if (rows[y][c].width > natural[c])
				natural[c] = rows[y][c].width;
		}
		y++;
	}
	avail = r->width - rest->width - (ncols - 1) * tui_text_width(TABLE_SEP);
	if (first->width > rest->width)
		avail -= first->width - rest->width;
	if (table_widths(natural, ncols, avail, widths)) {
		for (y = 0; y < nrows; y++) {
			render_table_row(r, rows[y], ncols, widths, align, y == 0,
			                 y == 0 ? first : rest);
			if (y == 0) {
				struct tui_md_line rule;

				line_copy(&rule, rest);
				for (int c = 0; c < ncols; c++) {
					if (c > 0)
						line_add(&rule, TUI_MD_MARK, TABLE_RULE_SEP,
						         strlen(TABLE_RULE_SEP));
					for (int i = 0; i < widths[c]; i++)
						line_add(&rule, TUI_MD_MARK, "─", strlen("─"));
				}
				emit(r, &rule);
			}
		}
	} else {
		render_table_list(r, rows, nrows, ncols, first, rest);
	}
	for (y = 0; y < nrows; y++) {
		for (int c = 0; c < ncols; c++)
			runs_finish(&rows[y][c].runs);
		free(rows[y]);
	}
	free(rows);
	free(natural);
	free(widths);
}

static void
render_block(struct render *r, cmark_node *node, const struct tui_md_line *first,
             const struct tui_md_line *rest)
{
	struct runs runs = {0};
	struct tui_md_line qf, qr;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_PARAGRAPH:
		collect_inlines(r, node, TUI_MD_PLAIN, &runs);
		wrap_runs(r, &runs, first, rest);
		runs_finish(&runs);
		break;
	case CMARK_NODE_HEADING:
		render_heading(r, node, first, rest);
		break;
	case CMARK_NODE_CODE_BLOCK:
		render_literal(r, cmark_node_get_literal(node), TUI_MD_CODE, first, rest);
		break;
	case CMARK_NODE_HTML_BLOCK:
	case CMARK_NODE_CUSTOM_BLOCK:
		render_literal(r, cmark_node_get_literal(node), TUI_MD_PLAIN, first, rest);
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		line_copy(&qf, first);
		while (qf.width < r->width)
			line_add(&qf, TUI_MD_MARK, "─", strlen("─"));
		emit(r, &qf);
		break;
	case CMARK_NODE_BLOCK_QUOTE:
		prefix_extend(r, &qf, first, TUI_MD_QUOTE, "│ ");
		prefix_extend(r, &qr, rest, TUI_MD_QUOTE, "│ ");
		render_children(r, node, &qf, &qr, false);
		line_finish(&qf);
		line_finish(&qr);
		break;
	case CMARK_NODE_LIST:
		render_list(r, node, first, rest);
		break;
	default:
		if (strcmp(cmark_node_get_type_string(node), "table") == 0) {
			render_table(r, node, first, rest);
			break;
		}
		render_children(r, node, first, rest, false);
		break;
	}
}

static void
render_links(struct render *r)
{
	struct tui_md_line none = {0}, pad = {0};
	struct runs runs = {0};

	if (r->doc->n_links == 0)
		return;
	if (r->doc->n > 0)
		emit_blank(r, &none);
	runs_add(&runs, TUI_MD_HEADING | TUI_MD_BOLD, "Links");
	wrap_runs(r, &runs, &none, &none);
	runs_finish(&runs);
	line_add(&pad, TUI_MD_PLAIN, "     ", 5);
	for (size_t i = 0; i < r->doc->n_links; i++) {
		struct tui_md_line first = {0};
		char mark[32];

		snprintf(mark, sizeof(mark), "[%zu] ", i + 1);
		line_add(&first, TUI_MD_MARK, mark, strlen(mark));
		memset(&runs, 0, sizeof(runs));
		runs_add(&runs, TUI_MD_LINK, r->doc->links[i]);
		wrap_runs(r, &runs, &first, &pad);
		runs_finish(&runs);
		line_finish(&first);
	}
	line_finish(&pad);
}

int
tui_md_render(const char *markdown, int width, struct tui_md_doc *out)
{
	struct render r = {.doc = out, .width = width};
	static const char *const extensions[] = {"table", "autolink", "strikethrough"};
	struct tui_md_line none = {0};
	cmark_parser *parser;
	cmark_node *root;

	memset(out, 0, sizeof(*out));
	if (width < MIN_TEXT_CELLS)
		return -LC_EINVAL;
	if (markdown == NULL)
		markdown = "";
	cmark_gfm_core_extensions_ensure_registered();
	parser = cmark_parser_new(CMARK_OPT_DEFAULT);
	if (parser == NULL)
		return -LC_ENOMEM;
	/* GFM's tables and bare-URL links; every other extension stays off. */
	for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
		cmark_syntax_extension *ext = cmark_find_syntax_extension(extensions[i]);

		if (ext != NULL)
			cmark_parser_attach_syntax_extension(parser, ext);
	}
	cmark_parser_feed(parser, markdown, strlen(markdown));
	root = cmark_parser_finish(parser);
	cmark_parser_free(parser);
	if (root == NULL)
		return -LC_ENOMEM;
	render_children(&r, root, &none, &none, false);
	render_links(&r);
	cmark_node_free(root);
	return 0;
}

void
tui_md_free(struct tui_md_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->n; i++)
		line_finish(&doc->lines[i]);
	free(doc->lines);
	for (size_t i = 0; i < doc->n_links; i++)
		free(doc->links[i]);
	free(doc->links);
	memset(doc, 0, sizeof(*doc));
}

char *
tui_md_line_text(const struct tui_md_line *line)
{
	struct lc_buf buf = {0};

	assert(line != NULL);
	for (size_t i = 0; i < line->n; i++)
		lc_buf_puts(&buf, line->spans[i].text);
	return lc_buf_steal(&buf);
}

/* s decoded into lower-case wide characters with each one's byte offset; returns the count. */
static size_t
fold(const char *s, wchar_t **wcs, size_t **offs)
{
	size_t len = strlen(s), n = 0, i = 0;

	*wcs = lc_calloc(len + 1, sizeof(**wcs));
	*offs = lc_calloc(len + 1, sizeof(**offs));
	while (i < len) {
		wchar_t wc;
		size_t step = tui_utf8_decode(s + i, len - i, &wc);

		(*wcs)[n] = (wchar_t)towlower((wint_t)wc);
		(*offs)[n++] = i;
		i += step ? step : 1;
	}
	(*offs)[n] = len;
	return n;
}

size_t
tui_md_find(const struct tui_md_doc *doc, const char *needle, struct tui_md_match **out)
{
	wchar_t *nw, *lw;
	size_t *noffs, *loffs, nn, count = 0, cap = 0;

	assert(doc != NULL && out != NULL);
	*out = NULL;
	if (needle == NULL || needle[0] == '\0')
		return 0;
	nn = fold(needle, &nw, &noffs);
	for (size_t l = 0; l < doc->n; l++) {
		char *text = tui_md_line_text(&doc->lines[l]);
		size_t ln = fold(text, &lw, &loffs);

		for (size_t i = 0; nn > 0 && i + nn <= ln; i++) {
			if (wmemcmp(lw + i, nw, nn) != 0)
				continue;
			if (count == cap) {
				cap = cap ? cap * 2 : 16;
				*out = lc_realloc(*out, cap * sizeof(**out));
			}
			(*out)[count].line = l;
			(*out)[count].start = loffs[i];
			(*out)[count].len = loffs[i + nn] - loffs[i];
			count++;
			i += nn - 1; /* matches do not overlap */
		}
		free(lw);
		free(loffs);
		free(text);
	}
	free(nw);
	free(noffs);
	return count;
}
