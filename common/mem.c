/* SPDX-License-Identifier: MIT */
/* Allocation wrappers that abort on exhaustion; see mem.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static void
out_of_memory(size_t size)
{
	fprintf(stderr, "lectern: out of memory allocating %zu bytes\n", size);
	abort();
}

void *
lc_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
lc_calloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(nmemb * size);
	return p;
}

void *
lc_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

char *
lc_strdup(const char *s)
{
	if (s == NULL)
		return NULL;
	return lc_strndup(s, strlen(s));
}

char *
lc_strndup(const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	p = lc_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
lc_vasprintf(const char *fmt, va_list ap)
{
	va_list copy;
	char *p;
	int n;

	if (fmt == NULL) /* also tells gcc's -Wformat-truncation under UBSan it is not */
		return lc_strdup("");
	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return lc_strdup("(message formatting failed)");
	p = lc_malloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
lc_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = lc_vasprintf(fmt, ap);
	va_end(ap);
	return p;
}
