/* SPDX-License-Identifier: MIT */
/*
 * Small file-system helpers: private folders (0700) and whole-file reads.
 */
#ifndef LC_FSUTIL_H
#define LC_FSUTIL_H

#include <stdbool.h>
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

/*
 * Checks, with lstat(2)/stat(2) only, that the file `path` may hold the user's secrets, as
 * ssh checks a key file: a regular file (not a symbolic link) owned by the effective user
 * and neither readable nor writable by group or others. Returns 0, -LC_ENOTFOUND when it
 * does not exist, -LC_EPERM with a message telling what to do, or -LC_EIO.
 */
int lc_check_private_file(const char *path, char **cause);
/*
 * The same for the folder `dir` that holds such files: owned by the effective user and not
 * writable by group or others (reading is harmless: the files are 0600). A symbolic link
 * to a folder is accepted when the link and the folder are both the user's. A loose folder
 * is refused, not repaired: the message gives the chmod to run.
 */
int lc_check_private_dir(const char *dir, char **cause);

#endif
