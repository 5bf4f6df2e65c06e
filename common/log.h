/* SPDX-License-Identifier: MIT */
/*
 * Process-wide logging. Library code logs through lc_log(); the program decides where the
 * lines go with lc_log_open(): a file (the TUI, under $XDG_STATE_HOME/lectern/, since
 * curses owns the terminal), stderr (lecternd, the CLI) or nowhere (the default).
 * Safe to call from several threads.
 */
#ifndef LC_LOG_H
#define LC_LOG_H

#include <stdio.h>

enum lc_log_level {
	LC_LOG_DEBUG,
	LC_LOG_INFO,
	LC_LOG_WARN,
	LC_LOG_ERROR,
};

/* Sends log lines to fp (not closed by us) at or above min_level. NULL silences logging. */
void lc_log_to(FILE *fp, enum lc_log_level min_level);
/*
 * Opens path for appending (mode 0600, creating its folder 0700) and logs there.
 * Returns 0 or -LC_EIO.
 */
int lc_log_open(const char *path, enum lc_log_level min_level);
/* Closes a file opened by lc_log_open() and silences logging. */
void lc_log_close(void);
void lc_log(enum lc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes a raw line (a newline is added) with no prefix; used for access logs. */
void lc_log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
