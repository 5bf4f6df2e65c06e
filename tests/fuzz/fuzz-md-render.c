/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the reader's Markdown renderer (tui_md_render), which draws course
 * bodies and forum posts that come from the server. The first byte picks the width
 * (0..255 cells, so widths below the minimum of 10 are tried too), the rest is the
 * Markdown. A rendered document must keep the renderer's promise: no line wider than the
 * width (markdown.h), and each line's recorded width is the sum of its spans' widths.
 */
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "tui/markdown.h"
#include "tui/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool locale_set;
	struct tui_md_doc doc;
	char *md;
	int width;

	if (!locale_set) {
		/* What lectern runs in; text.c copes with any locale. */
		setlocale(LC_ALL, "C.UTF-8");
		locale_set = true;
	}
	if (size < 1 || size > 64 * 1024)
		return 0;
	width = data[0];
	md = lc_strndup((const char *)data + 1, size - 1);
	memset(&doc, 0, sizeof(doc));
	if (tui_md_render(md, width, &doc) == 0) {
		if (width < 10)
			abort();
		for (size_t i = 0; i < doc.n; i++) {
			char *text = tui_md_line_text(&doc.lines[i]);
			int cells = 0;

			/* Spans are drawn one by one, so the width is theirs summed: the bytes of
			 * two spans may form one character once joined, but never on screen. */
			for (size_t k = 0; k < doc.lines[i].n; k++)
				cells += tui_text_width(doc.lines[i].spans[k].text);
			if (doc.lines[i].width > width || doc.lines[i].width != cells) {
				fprintf(stderr,
				        "fuzz: line %zu is %d cells wide, width %d: \"%s\"\n", i,
				        doc.lines[i].width, width, text);
				abort();
			}
			free(text);
		}
		for (size_t i = 0; i < doc.n_links; i++)
			if (doc.links[i] == NULL)
				abort();
		/* The reader's search (issue 15): every match lies inside its line's text. */
		if (doc.n > 0) {
			char *needle = tui_md_line_text(&doc.lines[doc.n / 2]);
			struct tui_md_match *m = NULL;
			size_t nm;

			needle[strlen(needle) > 3 ? 3 : strlen(needle)] = '\0';
			nm = tui_md_find(&doc, needle, &m);
			for (size_t i = 0; i < nm; i++) {
				char *text;

				if (m[i].line >= doc.n || m[i].len == 0)
					abort();
				text = tui_md_line_text(&doc.lines[m[i].line]);
				if (m[i].start + m[i].len > strlen(text))
					abort();
				free(text);
			}
			free(m);
			free(needle);
		}
		tui_md_free(&doc);
	} else if (width >= 10) {
		abort();
	}
	free(md);
	return 0;
}
