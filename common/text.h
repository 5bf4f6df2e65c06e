/* SPDX-License-Identifier: MIT */
/*
 * Text from outside (the server, the replica) made safe to write to a terminal. A title
 * holding ESC ]0;...BEL or ESC [2J would retitle, clear or recolour the learner's terminal
 * when printed raw (security review 2026-11-29, M3), and C1 controls (U+0080..U+009F, such
 * as U+009B, CSI) do the same on terminals that honour them. Everything lectern prints that
 * came from outside goes through lc_text_clean(); the TUI draws through the same
 * lc_text_safe_span(), so both agree on what a control is.
 *
 * The decoder is written here rather than with mbrtowc() so that it does not depend on the
 * locale being UTF-8.
 */
#ifndef LC_TEXT_H
#define LC_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lc_buf;

/*
 * Decodes one UTF-8 character at s (at most n bytes) into *cp. Returns the number of bytes
 * used (at least 1 when n > 0): an invalid, overlong or truncated sequence, or a surrogate,
 * yields U+FFFD and 1. Returns 0 (and *cp = 0) when n is 0.
 */
size_t lc_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* True for the C0 controls (U+0000..U+001F), DEL (U+007F) and the C1 controls (U+0080..U+009F). */
bool lc_text_is_control(uint32_t cp);

/*
 * The number of leading bytes of s (at most n) that can be written to a terminal as they are:
 * valid UTF-8 holding no control character. Stops at the first control or invalid byte.
 */
size_t lc_text_safe_span(const char *s, size_t n);

/* Flags of lc_text_clean(). */
enum lc_text_flags {
	LC_TEXT_KEEP_LINES = 1, /* keep newline and tab (multi-line bodies) */
};

/*
 * Appends n bytes of s to out with every control character and every invalid byte replaced
 * by '?'. Newline and tab are kept with LC_TEXT_KEEP_LINES; without it they become '?' too,
 * so that a field printed on one line stays on one line.
 */
void lc_text_clean(struct lc_buf *out, const char *s, size_t n, unsigned flags);

/* lc_text_clean() of the string s (NULL reads as "") into a new string. Caller frees. */
char *lc_text_cleaned(const char *s, unsigned flags);

#endif
