/* SPDX-License-Identifier: MIT */
/*
 * The interactive lectern: the ncurses screens. main.c parses the command line and calls
 * tui_run() when no subcommand is given.
 */
#ifndef TUI_TUI_H
#define TUI_TUI_H

struct tui_config {
	const char *db_path;    /* the replica file (created 0600 when missing) */
	const char *server_url; /* --server / LECTERN_SERVER, or NULL to use the replica's */
	const char *log_path;   /* log file under $XDG_STATE_HOME/lectern/, or NULL */
	int sync_interval_s;    /* background sync period while online; 0 for the default */
};

/*
 * Runs the TUI until the user quits. Restores the terminal on every exit path, including
 * Ctrl-C and crash signals. Returns the process exit status (0 normal, 1 on a start-up
 * error, with a message printed to stderr after the terminal is restored).
 */
int tui_run(const struct tui_config *cfg);

#endif
