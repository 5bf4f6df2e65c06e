/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 decoding and cell widths; see text.h. The decoder and what counts as a control are
 * common/text.c's, shared with the command line's output.
 */
#include <assert.h>
#include <langinfo.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "common/text.h"
#include "tui/text.h"

static bool ascii_only;

void
tui_text_set_ascii(bool on)
{
	ascii_only = on;
}

bool
tui_text_ascii(void)
{
	return ascii_only;
}

void
tui_text_detect_locale(void)
{
	const char *cs = nl_langinfo(CODESET);

	ascii_only = cs == NULL || (strcasecmp(cs, "UTF-8") != 0 && strcasecmp(cs, "utf8") != 0);
}

const char *
tui_ascii_subst(wchar_t wc)
{
	/* Box drawing (U+2500..U+257F) and dashes: the heavy, light, double and dashed lines. */
	static const wchar_t horizontal[] = {0x2500, 0x2501, 0x2504, 0x2505, 0x2508, 0x2509, 0x254c,
	                                     0x254d, 0x2550, 0x2574, 0x2576, 0x2578, 0x257a, 0x257c,
	                                     0x257e, 0x2014, 0x2013, 0x2015, 0x2212, 0x23af, 0};
	static const wchar_t vertical[] = {0x2502, 0x2503, 0x2506, 0x2507, 0x250a, 0x250b,
	                                   0x254e, 0x254f, 0x2551, 0x2575, 0x2577, 0x2579,
	                                   0x257b, 0x257d, 0x257f, 0};

	assert(wc != 0);
	if (wc == 0x2026)
		return "...";
	if (wcschr(horizontal, wc) != NULL)
		return "-";
	if (wcschr(vertical, wc) != NULL)
		return "|";
	if (wc >= 0x2500 && wc <= 0x257f)
		return "+"; /* corners, tees and crosses */
	return "?";
}

size_t
tui_utf8_decode(const char *s, size_t n, wchar_t *wc)
{
	uint32_t cp;
	size_t len = lc_utf8_decode(s, n, &cp);

	*wc = (wchar_t)cp;
	return len;
}

int
tui_wc_width(wchar_t wc)
{
	int w;

	if (lc_text_is_control((uint32_t)wc))
		return 1; /* drawn as a replacement, never as a control */
	if (ascii_only && wc >= 0x80)
		return (int)strlen(tui_ascii_subst(wc));
	w = wcwidth(wc);
	if (w >= 0)
		return w;
	/*
	 * wcwidth() says -1 for every non-ASCII character in the C locale; count the common
	 * wide blocks ourselves so that layout does not depend on the locale.
	 */
	if ((wc >= 0x1100 && wc <= 0x115f) || (wc >= 0x2e80 && wc <= 0xa4cf) ||
	    (wc >= 0xac00 && wc <= 0xd7a3) || (wc >= 0xf900 && wc <= 0xfaff) ||
	    (wc >= 0xfe30 && wc <= 0xfe4f) || (wc >= 0xff00 && wc <= 0xff60) ||
	    (wc >= 0xffe0 && wc <= 0xffe6) || (wc >= 0x1f300 && wc <= 0x1faff) ||
	    (wc >= 0x20000 && wc <= 0x3fffd))
		return 2;
	if (wc >= 0x300 && wc <= 0x36f)
		return 0;
	return 1;
}

int
tui_text_width_n(const char *s, size_t n)
{
	int cells = 0;
	size_t i = 0;
	wchar_t wc;

	while (i < n && s[i] != '\0') {
		i += tui_utf8_decode(s + i, n - i, &wc);
		cells += tui_wc_width(wc);
	}
	return cells;
}

int
tui_text_width(const char *s)
{
	return s == NULL ? 0 : tui_text_width_n(s, strlen(s));
}

size_t
tui_text_fit(const char *s, size_t n, int cells, int *used)
{
	size_t i = 0, step;
	int have = 0, w;
	wchar_t wc;

	while (i < n && s[i] != '\0') {
		step = tui_utf8_decode(s + i, n - i, &wc);
		w = tui_wc_width(wc);
		if (have + w > cells)
			break;
		have += w;
		i += step;
	}
	if (used != NULL)
		*used = have;
	return i;
}

const char *
tui_text_ellipsis(void)
{
	return ascii_only ? "..." : "\xe2\x80\xa6";
}

size_t
tui_text_clip(const char *s, size_t n, int cells, int *used, bool *cut)
{
	int mark = ascii_only ? 3 : 1, have = 0;
	size_t fit = tui_text_fit(s, n, cells, &have), rest = fit;

	*cut = false;
	/* What does not fit is only blanks (padding): nothing is lost, no mark. */
	while (rest < n && s[rest] == ' ')
		rest++;
	if (rest >= n || s[rest] == '\0' || cells < mark) {
		if (used != NULL)
			*used = have;
		return fit;
	}
	/* Cut: make room for the mark, and keep no blank just before it ("word…"). */
	fit = tui_text_fit(s, n, cells - mark, &have);
	while (fit > 0 && s[fit - 1] == ' ') {
		fit--;
		have--;
	}
	*cut = true;
	if (used != NULL)
		*used = have;
	return fit;
}

int
tui_text_wrap(const char *text, int width, const char **starts, size_t *lens, int max)
{
	int n = 0;
	const char *s = text;

	while (*s != '\0' && n < max) {
		size_t len = strlen(s);
		size_t fit = tui_text_fit(s, len, width, NULL);
		wchar_t wc;

		if (fit < len) {
			size_t cut = fit;

			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut > 0)
				fit = cut;
		}
		/* A character wider than the row still moves on (no endless loop). */
		if (fit == 0)
			fit = tui_utf8_decode(s, len, &wc);
		starts[n] = s;
		lens[n++] = fit;
		s += fit;
		while (*s == ' ')
			s++;
	}
	return n;
}
