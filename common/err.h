/* SPDX-License-Identifier: MIT */
/*
 * Error codes shared by every layer of Lectern.
 *
 * A function that can fail returns 0 or a negative enum lc_err; a human message, where
 * one helps, goes out through a `char **cause` the caller frees. lc_cause_set() fills
 * such a cause and tolerates a NULL cause pointer, so callers that do not care pass NULL.
 */
#ifndef LC_ERR_H
#define LC_ERR_H

enum lc_err {
	LC_OK = 0,
	LC_EIO = 1,       /* file or OS error */
	LC_EDB = 2,       /* SQLite error */
	LC_ENET = 3,      /* network unreachable, timeout, dropped connection */
	LC_EAUTH = 4,     /* not logged in, token rejected */
	LC_ECONFLICT = 5, /* stale revision, duplicate */
	LC_EPROTO = 6,    /* the peer sent something we do not understand */
	LC_EINVAL = 7,    /* bad argument or input */
	LC_ENOMEM = 8,    /* allocation failed */
	LC_ENOTFOUND = 9, /* no such row, file or resource */
	LC_EPERM = 10,    /* not allowed */
	LC_EFOREIGN = 11, /* a file that is not ours or is newer than this build */
};

/* Returns a static, human-readable name for an error code (positive or negative). */
const char *lc_strerror(int err);

/*
 * Formats a message into *cause (allocated; the caller frees it). Replaces and frees an
 * earlier message already held in *cause. Does nothing when cause is NULL. Always returns
 * err, so `return lc_cause_set(cause, -LC_EINVAL, "bad %s", x);` reads naturally.
 */
int lc_cause_set(char **cause, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
