/* SPDX-License-Identifier: MIT */
/* File-system helpers; see fsutil.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int
lc_check_private_file(const char *path, char **cause)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT
		           ? -LC_ENOTFOUND
		           : lc_cause_set(cause, -LC_EIO, "%s: %s", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return lc_cause_set(
		    cause, -LC_EPERM,
		    "%s is a symbolic link; refusing to keep private data through it "
		    "(remove it, or point --data-dir at the real folder)",
		    path);
	if (!S_ISREG(st.st_mode))
		return lc_cause_set(cause, -LC_EPERM, "%s is not a regular file", path);
	if (st.st_uid != geteuid())
		return lc_cause_set(cause, -LC_EPERM,
		                    "%s belongs to user id %lu, not to you; refusing to use it",
		                    path, (unsigned long)st.st_uid);
	if ((st.st_mode & 077) != 0)
		return lc_cause_set(cause, -LC_EPERM,
		                    "%s is accessible by others (mode %04o); refusing to use it. "
		                    "If nobody else wrote to it, run: chmod 600 '%s'",
		                    path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

static int
check_dir_stat(const char *dir, const struct stat *st, char **cause)
{
	if (!S_ISDIR(st->st_mode))
		return lc_cause_set(cause, -LC_EPERM, "%s is not a folder", dir);
	if (st->st_uid != geteuid())
		return lc_cause_set(cause, -LC_EPERM,
		                    "the folder %s belongs to user id %lu, not to you; refusing to "
		                    "keep private data in it",
		                    dir, (unsigned long)st->st_uid);
	if ((st->st_mode & 022) != 0)
		return lc_cause_set(cause, -LC_EPERM,
		                    "the folder %s is writable by others (mode %04o); refusing to "
		                    "keep private data in it. Run: chmod 700 '%s'",
		                    dir, (unsigned)(st->st_mode & 07777), dir);
	return 0;
}

int
lc_check_private_dir(const char *dir, char **cause)
{
	struct stat st;
	int rc;

	if (lstat(dir, &st) != 0)
		return errno == ENOENT
		           ? -LC_ENOTFOUND
		           : lc_cause_set(cause, -LC_EIO, "%s: %s", dir, strerror(errno));
	if (!S_ISLNK(st.st_mode))
		return check_dir_stat(dir, &st, cause);
	/* A link the user made to a folder of theirs; the link itself must be theirs too. */
	if (st.st_uid != geteuid())
		return lc_cause_set(cause, -LC_EPERM,
		                    "%s is a symbolic link owned by user id %lu, not by you", dir,
		                    (unsigned long)st.st_uid);
	if (stat(dir, &st) != 0)
		return lc_cause_set(cause, -LC_EIO, "%s: %s", dir, strerror(errno));
	rc = check_dir_stat(dir, &st, cause);
	return rc;
}
