/* SPDX-License-Identifier: MIT */
/*
 * The interactive lectern: the ncurses screens. main.c parses the command line and calls
 * tui_run() when no subcommand is given.
 */
#ifndef TUI_TUI_H
#define TUI_TUI_H

#include <stdbool.h>

/* Kiosk mode (issue 13): off, or one profile per user kept locked or wiped at sign-out. */
enum tui_kiosk { TUI_KIOSK_OFF, TUI_KIOSK_KEEP, TUI_KIOSK_WIPE };

struct tui_config_file;

struct tui_config {
	const char *db_path;    /* the replica file (created 0600 when missing) */
	const char *server_url; /* --server / LECTERN_SERVER, or NULL to use the replica's */
	const char *log_path;   /* log file under $XDG_STATE_HOME/lectern/, or NULL */
	int sync_interval_s;    /* background sync period while online; 0 for the default */
	/* Issue 13, from the config file (tui/config.h) and --kiosk. */
	enum tui_kiosk kiosk;
	const char *data_dir;       /* D: replica.db, profiles/<user-id>/replica.db, content.db */
	int idle_s;                 /* idle sign-out after this many seconds; 0 never */
	const char *admin_hash;     /* crypto_pwhash_str() of the kiosk admin password, or NULL */
	bool kiosk_background_sync; /* the lab allows syncing signed-out profiles' waiting writes */
	/* Issue 15, from the config file: key bindings and colours (NULL: none). */
	const struct tui_config_file *file;
};

/*
 * Runs the TUI until the user quits. Restores the terminal on every exit path, including
 * Ctrl-C and crash signals. Returns the process exit status (0 normal, 1 on a start-up
 * error, with a message printed to stderr after the terminal is restored).
 */
int tui_run(const struct tui_config *cfg);

/*
 * The kiosk admin's password check (issue 13, item 5) the sign-in screen calls before it
 * lets anyone leave the program: true only when cfg->admin_hash is set and password
 * matches it (crypto_pwhash_str_verify(), constant time). Nothing is logged or kept.
 */
bool tui_admin_check(const struct tui_config *cfg, const char *password);
/*
 * The admin_hash line's value for password (`lectern kiosk-passwd`): crypto_pwhash_str()
 * with libsodium's interactive limits into out. Returns 0, or -LC_ENOMEM.
 */
int tui_admin_hash(const char *password, char out[128]);

#endif
