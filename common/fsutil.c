/* SPDX-License-Identifier: MIT */
/* File-system helpers; see fsutil.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "fsutil.h"
#include "mem.h"

int
lc_mkdir_p(const char *dir, mode_t mode)
{
	char *copy = lc_strdup(dir);
	int rc = 0;

	for (char *p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) != 0 && errno != EEXIST)
			rc = -LC_EIO;
		*p = '/';
		if (rc != 0)
			goto out;
	}
	if (mkdir(copy, mode) != 0 && errno != EEXIST)
		rc = -LC_EIO;
out:
	free(copy);
	return rc;
}

int
lc_mkdir_parents(const char *path, mode_t mode)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int rc;

	if (slash == NULL || slash == path)
		return 0;
	dir = lc_strndup(path, (size_t)(slash - path));
	rc = lc_mkdir_p(dir, mode);
	free(dir);
	return rc;
}

int
lc_read_file(const char *path, char **out, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, cap = 0;

	if (fp == NULL)
		return errno == ENOENT ? -LC_ENOTFOUND : -LC_EIO;
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			data = lc_realloc(data, cap);
		}
		got = fread(data + n, 1, cap - n - 1, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		fclose(fp);
		free(data);
		return -LC_EIO;
	}
	fclose(fp);
	data[n] = '\0';
	*out = data;
	if (len != NULL)
		*len = n;
	return 0;
}
