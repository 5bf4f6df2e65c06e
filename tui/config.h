/* SPDX-License-Identifier: MIT */
/*
 * The config file of `lectern` (issue 13): $XDG_CONFIG_HOME/lectern/config, else
 * ~/.config/lectern/config, or the file --config names. Lines `key = value`; blank lines and
 * lines whose first non-blank is `#` are ignored, and so is ` # ...` after a value. A line
 * that is not `key = value`, an unknown key, a key given twice or a bad value is an error
 * naming the file and line: a lab's typo must not silently leave a kiosk open.
 *
 * No curses here: the parser is a table of keys (config.c), so that issue 15 adds its key
 * bindings and colours as rows of that table and tests run without a terminal.
 */
#ifndef TUI_CONFIG_H
#define TUI_CONFIG_H

#include <stdbool.h>

#include "tui/tui.h"

/* What the file said. Strings are owned (tui_config_file_finish()). */
struct tui_config_file {
	char *path;           /* the file read, or NULL when the default file is missing */
	enum tui_kiosk kiosk; /* kiosk = off|keep|wipe (default off) */
	int idle_s;           /* idle_minutes = N (0..1440) or idle_seconds = N, in seconds; -1 */
	char *admin_hash;     /* admin_hash = $argon2id$...; NULL when not given */
	bool background_sync; /* background_sync = yes|no (default no) */
	char *server;         /* server = http(s)://...; NULL when not given */
};

/*
 * The default file's path ($XDG_CONFIG_HOME/lectern/config, else ~/.config/...). Caller
 * frees; NULL when neither is set.
 */
char *tui_config_default_path(void);

/*
 * Reads path into *out (zeroed first; defaults filled). A missing file is fine when
 * !required (out->path stays NULL); any other failure returns -LC_EINVAL (a bad line:
 * "FILE:LINE: ...") or -LC_EIO with *cause (caller frees), and *out holds nothing to free.
 */
int tui_config_file_read(const char *path, bool required, struct tui_config_file *out,
                         char **cause);

/* Parses text as the file named path (for tests and for tui_config_file_read()). */
int tui_config_file_parse(const char *path, const char *text, struct tui_config_file *out,
                          char **cause);

void tui_config_file_finish(struct tui_config_file *cf);

/*
 * `--kiosk`, `--kiosk=keep`, `--kiosk=wipe` (arg NULL for the bare option): the kiosk mode
 * it names, or -1 for a bad value.
 */
int tui_config_kiosk_arg(const char *arg);

/*
 * Fills cfg's issue-13 fields from the file and the command line (kiosk_opt: -1 when
 * --kiosk was not given): the command line wins; idle sign-out defaults to 10 minutes in
 * kiosk mode and never outside it. cfg keeps pointers into cf.
 */
void tui_config_apply(struct tui_config *cfg, const struct tui_config_file *cf, int kiosk_opt);

#endif
