/* SPDX-License-Identifier: MIT */
/*
 * `lectern`: parses the global options, reads the config file (tui/config.c; the command
 * line wins over it), finds the replica's folder, then either runs a subcommand (tui/cli.c)
 * or opens the TUI when none is given.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/mem.h"
#include "tui/cli.h"
#include "tui/config.h"
#include "tui/term.h"
#include "tui/tui.h"

/* $XDG_<kind>_HOME/lectern, else ~/<fallback>/lectern. Caller frees; NULL when no home. */
static char *
xdg_dir(const char *env, const char *fallback)
{
	const char *base = getenv(env);
	const char *home = getenv("HOME");

	if (base != NULL && base[0] == '/')
		return lc_asprintf("%s/lectern", base);
	if (home == NULL || home[0] == '\0')
		return NULL;
	return lc_asprintf("%s/%s/lectern", home, fallback);
}

static char *
data_dir(const char *opt)
{
	const char *env = getenv("LECTERN_DATA_DIR");

	if (opt != NULL)
		return lc_strdup(opt);
	if (env != NULL && env[0] != '\0')
		return lc_strdup(env);
	return xdg_dir("XDG_DATA_HOME", ".local/share");
}

static int
run(const char *dir, const char *server, const struct tui_config_file *cf, int kiosk_opt, int argc,
    char **argv)
{
	struct cli_ctx ctx = {.server_url = server, .data_dir = dir};
	struct tui_config cfg = {.server_url = server, .data_dir = dir};
	char *db_path, *state_dir = NULL, *log_path = NULL;
	int status;

	tui_config_apply(&cfg, cf, kiosk_opt);
	/* The replica holds tokens and private posts: its folder is the user's alone. */
	if (lc_mkdir_p(dir, 0700) < 0) {
		fprintf(stderr, "lectern: cannot create %s: %s\n", dir, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	db_path = lc_asprintf("%s/replica.db", dir);
	if (argc > 0) {
		ctx.db_path = db_path;
		ctx.server_url = cfg.server_url;
		ctx.kiosk = cfg.kiosk;
		status = cli_run(&ctx, argc, argv);
	} else {
		state_dir = xdg_dir("XDG_STATE_HOME", ".local/state");
		if (state_dir != NULL)
			log_path = lc_asprintf("%s/lectern.log", state_dir);
		cfg.db_path = db_path;
		cfg.log_path = log_path;
		status = tui_run(&cfg);
	}
	free(state_dir);
	free(log_path);
	free(db_path);
	return status;
}

/* --config FILE, else the default file when there is one. Exits 1 on a bad file. */
static int
read_config(const char *opt, struct tui_config_file *cf)
{
	char *path = opt != NULL ? lc_strdup(opt) : tui_config_default_path(), *cause = NULL;
	int rc = tui_config_file_read(path, opt != NULL, cf, &cause);

	free(path);
	if (rc < 0) {
		fprintf(stderr, "lectern: config: %s\n", cause != NULL ? cause : "cannot read it");
		free(cause);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"server", required_argument, NULL, 's'},
	    {"data-dir", required_argument, NULL, 'd'},
	    {"kiosk", optional_argument, NULL, 'k'},
	    {"config", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *server = getenv("LECTERN_SERVER"), *dir_opt = NULL, *config_opt = NULL;
	struct tui_config_file cf;
	char *dir;
	int c, status, kiosk_opt = -1;

	if (server != NULL && server[0] == '\0')
		server = NULL;
	/* A peer that closes a TLS connection mid-write must be an error, not a dead client. */
	signal(SIGPIPE, SIG_IGN);
	/* "+": options stop at the subcommand, whose own options it parses itself. */
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			server = optarg;
			break;
		case 'd':
			dir_opt = optarg;
			break;
		case 'k':
			kiosk_opt = tui_config_kiosk_arg(optarg);
			if (kiosk_opt < 0) {
				fprintf(stderr, "lectern: --kiosk takes keep or wipe, not \"%s\"\n",
				        optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'c':
			config_opt = optarg;
			break;
		case 'h':
			cli_usage(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("lectern %s\n", LECTERN_VERSION);
			return CLI_EXIT_OK;
		default:
			cli_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	/* Help reads no config and makes no folder (ux review 2026-11-29, E6). */
	if (optind < argc && cli_wants_help(argc - optind, argv + optind))
		return cli_help(argc - optind, argv + optind);
	/* Before the data directory is made: a refused terminal leaves nothing behind. */
	if (optind == argc && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		const char *term;

		if (tui_term_check(&term) < 0) {
			fprintf(
			    stderr,
			    "lectern: this terminal (TERM=%s) cannot show the interactive "
			    "screens; use the commands: lectern ls, lectern sync, lectern courses, "
			    "... (lectern --help)\n",
			    term);
			return 1;
		}
	}
	if (read_config(config_opt, &cf) != 0)
		return CLI_EXIT_USAGE;
	dir = data_dir(dir_opt);
	if (dir == NULL) {
		fprintf(stderr, "lectern: no HOME: use --data-dir DIR\n");
		tui_config_file_finish(&cf);
		return CLI_EXIT_USAGE;
	}
	status = run(dir, server, &cf, kiosk_opt, argc - optind, argv + optind);
	tui_config_file_finish(&cf);
	free(dir);
	return status;
}
