/* SPDX-License-Identifier: MIT */
/*
 * The status line's layout, without curses (unit-tested in tests/unit/test-tui-status.c).
 * Ux review 2026-11-29, A8: flash messages overwrote the counts and were cut mid-word
 * ("Enrollment queued; it is sent with the n").
 */
#ifndef TUI_STATUS_FIT_H
#define TUI_STATUS_FIT_H

#include <stddef.h>

/*
 * Lays out one status line of `cols` cells: " LEFT  RIGHT ". `counts` (state, waiting,
 * issues) is never cut; `extra` (the last sync time) follows it as " | extra" only when
 * `msg` still fits beside it; `msg` takes the right part, whole when it fits, otherwise
 * shortened after its last whole word that fits, with tui_text_ellipsis() added (a single
 * word longer than the room is cut with the mark; no room at all: empty). Writes the left
 * text into left and the right text into right (both NUL-terminated, truncated to their
 * sizes at a character boundary).
 */
void tui_status_fit(const char *counts, const char *extra, const char *msg, int cols, char *left,
                    size_t lsize, char *right, size_t rsize);

/*
 * The bytes of msg (its first n) that fit in `cells` cells with the ellipsis after them,
 * ending at a word (the spaces before the cut dropped); 0 when not even one word fits.
 */
size_t tui_status_word_cut(const char *msg, size_t n, int cells);

#endif
