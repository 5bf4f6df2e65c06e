/* SPDX-License-Identifier: MIT */
/*
 * Small file-system helpers: private folders (0700) and whole-file reads.
 */
#ifndef LC_FSUTIL_H
#define LC_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Creates every missing folder above the file `path` with `mode` (the last component is
 * taken to be a file and is not created). Returns 0 or -LC_EIO with errno set.
 */
int lc_mkdir_parents(const char *path, mode_t mode);
/* Creates the folder `dir` and its parents with `mode`. Returns 0 or -LC_EIO. */
int lc_mkdir_p(const char *dir, mode_t mode);
/*
 * Reads a whole file into *out (NUL-terminated, caller frees) and its length into *len
 * (len may be NULL). Returns 0, -LC_ENOTFOUND or -LC_EIO.
 */
int lc_read_file(const char *path, char **out, size_t *len);

#endif
