/* SPDX-License-Identifier: MIT */
/*
 * Allocation wrappers. Like tmux's xmalloc, they abort the process with a message when
 * memory runs out: every caller would otherwise need a recovery path that can never be
 * tested, and a learning client that cannot allocate 100 bytes cannot do anything useful.
 */
#ifndef LC_MEM_H
#define LC_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *lc_malloc(size_t size);
void *lc_calloc(size_t nmemb, size_t size);
void *lc_realloc(void *ptr, size_t size);
/* Returns a copy of s, or NULL when s is NULL. Caller frees. */
char *lc_strdup(const char *s);
/* Returns a copy of the first n bytes of s, NUL-terminated. Caller frees. */
char *lc_strndup(const char *s, size_t n);
/* printf into a new string. Caller frees. */
char *lc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *lc_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
