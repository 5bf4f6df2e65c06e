/* SPDX-License-Identifier: MIT */
/* Terminal-safe text; see text.h. */
#include <string.h>

#include "buf.h"
#include "text.h"

size_t
lc_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;
	uint32_t c;

	if (n == 0) {
		*cp = 0;
		return 0;
	}
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2;
		c = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3;
		c = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4;
		c = u[0] & 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (len > n) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3f);
	}
	/* Overlong forms and surrogates are not characters; treat them as bad bytes. */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = c;
	return len;
}

bool
lc_text_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

size_t
lc_text_safe_span(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t step;

		/* Plain printable ASCII is most text: no need to decode it. */
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			i++;
			continue;
		}
		step = lc_utf8_decode(s + i, n - i, &cp);
		/* A U+FFFD decoded from one byte is a bad byte; a real U+FFFD takes three. */
		if (lc_text_is_control(cp) || (cp == 0xfffd && step == 1))
			break;
		i += step;
	}
	return i;
}

void
lc_text_clean(struct lc_buf *out, const char *s, size_t n, unsigned flags)
{
	size_t i = 0;

	while (i < n) {
		size_t run = lc_text_safe_span(s + i, n - i);
		uint32_t cp;

		lc_buf_append(out, s + i, run);
		i += run;
		if (i >= n)
			break;
		i += lc_utf8_decode(s + i, n - i, &cp);
		if ((flags & LC_TEXT_KEEP_LINES) != 0 && (cp == '\n' || cp == '\t'))
			lc_buf_putc(out, (char)cp);
		else
			lc_buf_putc(out, '?');
	}
}

char *
lc_text_cleaned(const char *s, unsigned flags)
{
	struct lc_buf out = {0};

	if (s != NULL)
		lc_text_clean(&out, s, strlen(s), flags);
	return lc_buf_steal(&out);
}
