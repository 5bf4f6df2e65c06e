/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 decoding and cell widths; see text.h. The decoder is written here rather than with
 * mbrtowc() so that it does not depend on the locale being UTF-8 when tests run.
 */
#include <string.h>
#include <wchar.h>

#include "tui/text.h"

size_t
tui_utf8_decode(const char *s, size_t n, wchar_t *wc)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;
	unsigned long cp;

	if (n == 0) {
		*wc = 0;
		return 0;
	}
	if (u[0] < 0x80) {
		*wc = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = u[0] & 0x07;
	} else {
		*wc = 0xfffd;
		return 1;
	}
	if (len > n) {
		*wc = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*wc = 0xfffd;
			return 1;
		}
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	/* Overlong forms and surrogates are not characters; treat them as bad bytes. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
		*wc = 0xfffd;
		return 1;
	}
	*wc = (wchar_t)cp;
	return len;
}

int
tui_wc_width(wchar_t wc)
{
	int w;

	if (wc < 0x20 || wc == 0x7f)
		return 1; /* drawn as a replacement, never as a control */
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
