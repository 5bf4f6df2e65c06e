/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 text measured in terminal cells. Everything the TUI draws goes through these so that
 * wide characters (CJK, most emoji) take the two cells they really take and never push a
 * line past the edge. Widths come from wcwidth(3) in the current locale; the caller runs
 * setlocale(LC_ALL, "") first. Invalid bytes count as one cell each (drawn as '?').
 */
#ifndef TUI_TEXT_H
#define TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/*
 * Decodes one UTF-8 character at s (at most n bytes) into *wc. Returns the number of bytes
 * used (at least 1 when n > 0): an invalid or truncated sequence yields U+FFFD and 1.
 */
size_t tui_utf8_decode(const char *s, size_t n, wchar_t *wc);
/* Cells taken by one character: 0 for combining marks, 2 for wide, 1 otherwise. */
int tui_wc_width(wchar_t wc);
/* Cells taken by the first n bytes of s. */
int tui_text_width_n(const char *s, size_t n);
/* Cells taken by the string s. */
int tui_text_width(const char *s);
/*
 * The number of bytes of s (at most n) that fit in `cells` terminal cells without cutting a
 * character; *used (may be NULL) receives the cells they take.
 */
size_t tui_text_fit(const char *s, size_t n, int cells, int *used);
/*
 * Text cut anywhere in the TUI ends with an ellipsis (ux review 2026-11-29, A13/E9): "…", or
 * "..." in ASCII-only mode (below), as tui_text_ellipsis() gives it. tui_text_clip() is
 * tui_text_fit() for drawing: when the first n bytes of s do not fit in `cells` (a tail of
 * blanks aside, which is padding and loses nothing), it returns the bytes to draw before
 * the mark, leaving room for it and dropping blanks just before it, and sets *cut; *used
 * (may be NULL) gets the cells of those bytes, without the mark. Too few cells for the
 * mark: plain tui_text_fit(), no mark.
 */
const char *tui_text_ellipsis(void);
size_t tui_text_clip(const char *s, size_t n, int cells, int *used, bool *cut);
/*
 * Wraps text at width cells on spaces (a word longer than a row is cut there), at most max
 * rows: starts[r] and lens[r] are each row's bytes, without the spaces between rows.
 * Returns the number of rows.
 */
int tui_text_wrap(const char *text, int width, const char **starts, size_t *lens, int max);

/*
 * ASCII-only drawing for terminals whose locale is not UTF-8 (ux review 2026-11-29, A5/E2:
 * under LANG=C the raw bytes of "─", "é" or "学" broke every line). When on, every
 * character outside ASCII is drawn as tui_ascii_subst() gives it and measured as that many
 * cells, so the width functions above always agree with what is drawn.
 * tui_text_detect_locale() turns it on when nl_langinfo(CODESET) is not UTF-8 (call it
 * after setlocale()); tui_text_set_ascii() sets it directly (tests).
 */
void tui_text_detect_locale(void);
void tui_text_set_ascii(bool on);
bool tui_text_ascii(void);
/*
 * In ASCII-only mode, what wc (not ASCII, not a control) is drawn as: "-" or "|" for
 * lines, "+" for corners, "..." for the ellipsis, "?" for anything else.
 */
const char *tui_ascii_subst(wchar_t wc);

#endif
