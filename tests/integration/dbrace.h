/* SPDX-License-Identifier: MIT */
/*
 * A race of second processes on live databases, shared by the integration test
 * test-db-second-process.c and the soak program bench/soak.c (security review 2026-11-29,
 * CR1). It runs a real lecternd whose worker threads all hold connections, and a live client
 * (a child process running the sync engine on its own thread plus a second connection, as
 * the TUI does), while other processes open and close the same files: `lecternd --db X
 * --create-user`, plain sqlite3-API readers opening read-write (as the sqlite3 shell does),
 * `lectern post` writers on the replica, and HTTP writes to the server. Every acknowledged
 * write goes into a ledger; at the end everything is SIGKILLed, the server restarted, the
 * client synced once with `lectern sync`, and the ledger, the created users and
 * `PRAGMA integrity_check` of both files are checked.
 */
#ifndef DBRACE_H
#define DBRACE_H

#include <stdbool.h>
#include <stdint.h>

struct dbrace_opts {
	int rounds;
	/* Percent chance per round of a SIGKILL of one of the server, the client, a `lectern
	 * post` in flight or a reader in flight (0: no kill until the end). */
	int kill_pct;
	uint64_t seed; /* 0: st_seed() (SYNC_TEST_SEED or random, printed) */
};

struct dbrace_result {
	int rounds;
	int acknowledged;  /* HTTP 2xx, `lectern post` exit 0, `--create-user` exit 0 */
	int lost;          /* acknowledged but absent at the end */
	int doubled;       /* present more than once (acknowledged or not) */
	int kills;         /* mid-run SIGKILLs */
	int integrity_bad; /* files whose integrity_check is not "ok" (0..2) */
	int final_sync_rc; /* exit status of the final `lectern sync` */
};

/* Runs the race; returns 0 when it could be run (see the result for the verdict), -1 when
 * the world could not be set up. */
int dbrace_run(const struct dbrace_opts *opts, struct dbrace_result *out);

#endif
