/* SPDX-License-Identifier: MIT */
/*
 * A growable byte buffer, always NUL-terminated so its data can be used as a C string.
 * Initialise with lc_buf_init() (or `struct lc_buf b = {0};`), release with
 * lc_buf_finish(); lc_buf_steal() hands the bytes to the caller.
 */
#ifndef LC_BUF_H
#define LC_BUF_H

#include <stddef.h>

struct lc_buf {
	char *data; /* NULL until the first append; else NUL-terminated */
	size_t len;
	size_t cap;
};

void lc_buf_init(struct lc_buf *buf);
/* Frees the bytes; the buffer can be reused after lc_buf_init(). Accepts NULL. */
void lc_buf_finish(struct lc_buf *buf);
void lc_buf_reset(struct lc_buf *buf);
void lc_buf_append(struct lc_buf *buf, const void *data, size_t len);
void lc_buf_puts(struct lc_buf *buf, const char *s);
void lc_buf_putc(struct lc_buf *buf, char c);
void lc_buf_printf(struct lc_buf *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the bytes (never NULL; "" when empty) and leaves the buffer empty. Caller frees. */
char *lc_buf_steal(struct lc_buf *buf);
/* Returns the contents as a C string ("" when empty); owned by the buffer. */
const char *lc_buf_str(const struct lc_buf *buf);

#endif
