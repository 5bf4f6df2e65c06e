/* SPDX-License-Identifier: MIT */
/*
 * The `lectern` subcommands for scripts and kiosks. Every command reads and writes the
 * replica only, except login, logout and sync, which use the network. Writes go through
 * store_local_write(): the optimistic row and its outbox entry in one transaction, with a
 * client-made UUID, so they work offline and go out with the next `lectern sync`.
 */
#ifndef TUI_CLI_H
#define TUI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "tui/write.h"

/* Exit statuses of the command line. */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_USAGE = 1, /* also every failure that is not one of the two below */
	CLI_EXIT_UNREACHABLE = 2,
	CLI_EXIT_VERIFY = 3,
	CLI_EXIT_REFUSED = 4, /* lectern sync worked, but the server refused some writes */
};

/* What main.c resolved from the global options, the config file and the environment. */
struct cli_ctx {
	const char *db_path;    /* DIR/replica.db */
	const char *server_url; /* --server / LECTERN_SERVER, or NULL for the replica's */
	const char *data_dir;   /* DIR (profiles/ lives there) */
	int kiosk;              /* enum tui_kiosk; in kiosk mode only logout runs */
};

/* Runs the subcommand argv[0] with its arguments. Returns an exit status. */
int cli_run(const struct cli_ctx *ctx, int argc, char **argv);
/* Prints the usage text. */
void cli_usage(FILE *fp);
/*
 * True for `lectern help [COMMAND]` and `lectern COMMAND ... --help|-h`, which main.c
 * answers with cli_help() before reading the config or making the data folder.
 */
bool cli_wants_help(int argc, char **argv);
int cli_help(int argc, char **argv);

/*
 * What a command that queues writes needs: the replica and who writes (tui/write.h).
 * cli_writer_open() fails, saying why on stderr, when nobody is logged in; close it
 * whatever it returned.
 */
struct cli_writer {
	struct store_db *db;
	char *user_id;
	char *username;
	struct tui_writer w;
};
int cli_writer_open(const struct cli_ctx *ctx, struct cli_writer *w);
void cli_writer_close(struct cli_writer *w);

/*
 * `lectern course checkout|status|diff|push|pull|new --from` (issue 12, cli-course.c):
 * whether argv ("course", SUB, ...) is one of them, and running it.
 */
bool cli_course_files_handles(int argc, char **argv);
int cli_course_files(const struct cli_ctx *ctx, int argc, char **argv);

#endif
