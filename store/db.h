/* SPDX-License-Identifier: MIT */
/*
 * SQLite plumbing shared by the client replica and lecternd.
 *
 * store_db_open() opens (or creates) a database file with WAL, foreign keys, a busy
 * timeout and synchronous=FULL, so that a transaction reported committed survives kill -9
 * and power loss. A schema names the file's owner (PRAGMA application_id) and its
 * migrations (PRAGMA user_version = number of migrations applied). A file that is not
 * SQLite, belongs to another application, or was written by a newer build is refused with
 * -LC_EFOREIGN and left byte-for-byte untouched: the checks run read-only before anything
 * is written. New files and their folder are created 0600 / 0700. The file (and its -wal
 * and -shm) is only ever opened through SQLite, never with open(2), whose close(2) would
 * drop the locks of this process's other connections to it (see docs/architecture.md).
 *
 * Statements come from a per-connection cache keyed by SQL text, so a hot query is
 * prepared once. A connection is used by one thread at a time; open one per thread.
 *
 * Errors: functions return 0 or a negative enum lc_err (-LC_EDB for SQLite failures) and
 * record the last failure in the connection, readable with store_db_error().
 */
#ifndef STORE_DB_H
#define STORE_DB_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

struct store_db;

/* What a file must be to be opened, and how to bring it up to date. */
struct store_schema {
	const char *name;              /* "lectern replica", for messages */
	int32_t application_id;        /* PRAGMA application_id written into new files */
	const char *const *migrations; /* SQL scripts; migrations[i] takes version i to i+1 */
	int migration_count;
	/*
	 * The file holds a user's secrets (the client replica): refuse a symlink, a file
	 * others may read or write or that is not the user's, and a folder that others may
	 * write or that is not the user's (lc_check_private_file/_dir).
	 */
	bool private_file;
};

/* The last failure on a connection: SQLite's (extended) result code and a message. */
struct store_error {
	int sqlite_code; /* SQLITE_OK when the failure was not SQLite's */
	char message[512];
};

/*
 * Opens path, creating it (0600, parents 0700) when missing, and migrates it to the
 * schema's latest version in one transaction. Returns 0 and *out (close with
 * store_db_close()), or a negative lc_err with a message in *cause (caller frees):
 * -LC_EFOREIGN for a file that is not ours or is newer, -LC_EIO, -LC_EDB.
 */
int store_db_open(const char *path, const struct store_schema *schema, struct store_db **out,
                  char **cause);
/*
 * Runs PRAGMA quick_check on the open file: 0, or -LC_EDB with a message saying the file is
 * damaged. Costs a read of the whole file (lecternd runs it once at start).
 */
int store_db_quick_check(struct store_db *db, char **cause);
/* Finalizes cached statements and closes the connection. Accepts NULL. */
void store_db_close(struct store_db *db);

/* The raw handle, for the modules of store/ and server-stub/ that run SQL. */
sqlite3 *store_db_handle(struct store_db *db);
/* The path the connection was opened with. */
const char *store_db_path(const struct store_db *db);
/* The schema version of the open file (its user_version). */
int store_db_version(struct store_db *db);

/*
 * Returns in *stmt a prepared statement for sql from the cache, reset and with its
 * bindings cleared. The statement belongs to the cache: do not finalize it. Two live uses
 * of the same SQL at once (nested loops over one query) need store_db_prepare_new().
 */
int store_db_stmt(struct store_db *db, const char *sql, sqlite3_stmt **stmt);
/* Prepares an uncached statement; the caller finalizes it. */
int store_db_prepare_new(struct store_db *db, const char *sql, sqlite3_stmt **stmt);
/* Runs SQL without results (may hold several statements; no parameters). */
int store_db_exec(struct store_db *db, const char *sql);

/*
 * Transactions. begin() takes the write lock at once (BEGIN IMMEDIATE) so a transaction
 * never fails half-way on a lock upgrade. Savepoints nest inside a transaction; name must
 * be a plain identifier. A savepoint taken outside any transaction opens an IMMEDIATE one
 * and its release() commits it. rollback_to() undoes AND releases the savepoint (so every
 * savepoint() is closed by exactly one release() or rollback_to()); for the outermost
 * savepoint it ends the transaction. Pair them strictly nested.
 */
int store_db_begin(struct store_db *db);
int store_db_commit(struct store_db *db);
/* Rolls back; safe to call when no transaction is open. */
void store_db_rollback(struct store_db *db);
bool store_db_in_transaction(struct store_db *db);
int store_db_savepoint(struct store_db *db, const char *name);
int store_db_release(struct store_db *db, const char *name);
void store_db_rollback_to(struct store_db *db, const char *name);

/* Changes made by the last INSERT/UPDATE/DELETE, and the last rowid inserted. */
int store_db_changes(struct store_db *db);
int64_t store_db_last_rowid(struct store_db *db);

/* The last failure recorded on db. */
const struct store_error *store_db_error(const struct store_db *db);
/*
 * Records a SQLite failure (code and sqlite3_errmsg) with a context prefix and returns
 * -LC_EDB; for store/ and server-stub/ code that steps statements itself.
 */
int store_db_fail(struct store_db *db, int sqlite_code, const char *context);

/* Bind helpers that bind NULL for a NULL string. Return SQLite codes. */
int store_bind_text(sqlite3_stmt *stmt, int idx, const char *text);
/* Column helper returning a copy (caller frees) or NULL for SQL NULL. */
char *store_column_dup(sqlite3_stmt *stmt, int col);

/*
 * Steps stmt once: 1 when it gave a row, 0 when it is done, -LC_EDB (the error recorded
 * on db with context) when SQLite failed. Loops read `while ((rc = store_db_next_row(db,
 * st, "x")) == 1)` and then treat rc < 0 as the failure it is, never as "no more rows"
 * (code review 2026-11-29, F6).
 */
int store_db_next_row(struct store_db *db, sqlite3_stmt *stmt, const char *context);

#endif
