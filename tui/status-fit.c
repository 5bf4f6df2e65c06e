/* SPDX-License-Identifier: MIT */
/* The status line's layout; see status-fit.h. */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tui/status-fit.h"
#include "tui/text.h"

size_t
tui_status_word_cut(const char *msg, size_t n, int cells)
{
	int room = cells - tui_text_width(tui_text_ellipsis());
	size_t fit, end;

	if (room <= 0)
		return 0;
	fit = tui_text_fit(msg, n, room, NULL);
	/* A cut inside a word goes back to the space before it. */
	end = fit;
	if (end < n && msg[end] != ' ')
		while (end > 0 && msg[end - 1] != ' ')
			end--;
	while (end > 0 && msg[end - 1] == ' ')
		end--;
	return end;
}

/* Copies the first n bytes of s into out (size bytes), never splitting a UTF-8 character. */
static void
copy_n(char *out, size_t size, const char *s, size_t n)
{
	assert(size > 0);
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

void
tui_status_fit(const char *counts, const char *extra, const char *msg, int cols, char *left,
               size_t lsize, char *right, size_t rsize)
{
	size_t mlen = strlen(msg), cut;
	int mw = tui_text_width(msg), room;

	assert(lsize > 0 && rsize > 0);
	/* One blank at each edge and two between the halves. */
	snprintf(left, lsize, "%s%s%s", counts, extra[0] != '\0' ? " | " : "", extra);
	if (mw <= cols - 4 - tui_text_width(left)) {
		copy_n(right, rsize, msg, mlen);
		return;
	}
	snprintf(left, lsize, "%s", counts);
	room = cols - 4 - tui_text_width(left);
	if (mw <= room) {
		copy_n(right, rsize, msg, mlen);
		return;
	}
	cut = tui_status_word_cut(msg, mlen, room);
	if (cut == 0) {
		/* One word longer than the room: cut it, with the mark (tui_text_clip). */
		bool was_cut = false;

		cut = room > 0 ? tui_text_clip(msg, mlen, room, NULL, &was_cut) : 0;
		if (cut == 0) {
			right[0] = '\0';
			return;
		}
	}
	copy_n(right, rsize, msg, cut);
	if (strlen(right) == cut) {
		size_t len = strlen(right);

		snprintf(right + len, rsize - len, "%s", tui_text_ellipsis());
	}
}
