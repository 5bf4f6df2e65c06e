/* SPDX-License-Identifier: MIT */
/* Growable buffer; see buf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"

void
lc_buf_init(struct lc_buf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

void
lc_buf_finish(struct lc_buf *buf)
{
	if (buf == NULL)
		return;
	free(buf->data);
	lc_buf_init(buf);
}

void
lc_buf_reset(struct lc_buf *buf)
{
	buf->len = 0;
	if (buf->data != NULL)
		buf->data[0] = '\0';
}

static void
reserve(struct lc_buf *buf, size_t extra)
{
	size_t need = buf->len + extra + 1;

	if (need <= buf->cap)
		return;
	if (buf->cap == 0)
		buf->cap = 64;
	while (buf->cap < need)
		buf->cap *= 2;
	buf->data = lc_realloc(buf->data, buf->cap);
}

void
lc_buf_append(struct lc_buf *buf, const void *data, size_t len)
{
	reserve(buf, len);
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

void
lc_buf_puts(struct lc_buf *buf, const char *s)
{
	lc_buf_append(buf, s, strlen(s));
}

void
lc_buf_putc(struct lc_buf *buf, char c)
{
	lc_buf_append(buf, &c, 1);
}

void
lc_buf_printf(struct lc_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	reserve(buf, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)n;
}

char *
lc_buf_steal(struct lc_buf *buf)
{
	char *p = buf->data;

	if (p == NULL)
		p = lc_strdup("");
	lc_buf_init(buf);
	return p;
}

const char *
lc_buf_str(const struct lc_buf *buf)
{
	return buf->data != NULL ? buf->data : "";
}
