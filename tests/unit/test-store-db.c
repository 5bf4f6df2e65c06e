/* SPDX-License-Identifier: MIT */
/*
 * store/db: opening, migrating and refusing files, permissions, the statement cache,
 * transactions and savepoints. Every test works in its own temporary folder.
 *
 * Pinned findings (security review 2026-11-29 and code review 2026-11-29):
 *  - CR1: opening a second connection must not drop the first one's SQLite locks
 *    (test_db_second_open_keeps_the_first_connections_locks; the header probe still refuses
 *    a non-SQLite file untouched and takes a zero-length file as new).
 *  - L1: a private (replica) file that is a symbolic link or readable/writable by others,
 *    and a folder others may write, are refused and nothing is written
 *    (test_db_private_*).
 *  - F12: opening never changes the process's umask, from any number of threads, and a
 *    new file is 0600 (its -wal too) whatever the umask (test_db_open_*umask*).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "store/db.h"

static const char *const migrations_v2[] = {
    "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL);",
    "ALTER TABLE t ADD COLUMN w INTEGER NOT NULL DEFAULT 7;",
};

static const struct store_schema schema_v1 = {"test db", 0x54657374, migrations_v2, 1, false};
static const struct store_schema schema_v2 = {"test db", 0x54657374, migrations_v2, 2, false};
/* As the client replica's: a file holding secrets. */
static const struct store_schema schema_private = {"test db", 0x54657374, migrations_v2, 1, true};

struct fixture {
	char dir[64];
	char *path; /* dir/sub/test.db: the folder does not exist yet */
};

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/lc-store-db-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->path = lc_asprintf("%s/sub/test.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = lc_asprintf("rm -rf '%s'", f->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->path);
	free(f);
	return 0;
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *fp;

	assert_int_equal(lc_mkdir_parents(path, 0700), 0);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Opens path expecting refusal, and checks the file's bytes did not change. */
static void
assert_refused_untouched(const char *path, const struct store_schema *schema)
{
	char *before = NULL, *after = NULL, *cause = NULL;
	size_t len_before = 0, len_after = 0;
	struct store_db *db = NULL;
	struct stat st;
	char *side;

	assert_int_equal(lc_read_file(path, &before, &len_before), 0);
	assert_int_equal(store_db_open(path, schema, &db, &cause), -LC_EFOREIGN);
	assert_null(db);
	assert_non_null(cause);
	assert_int_equal(lc_read_file(path, &after, &len_after), 0);
	assert_int_equal(len_before, len_after);
	assert_memory_equal(before, after, len_before);
	side = lc_asprintf("%s-wal", path);
	assert_int_not_equal(stat(side, &st) == 0 && st.st_size > 0, 1);
	free(side);
	free(before);
	free(after);
	free(cause);
}

static int64_t
query_int(struct store_db *db, const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t v;

	assert_int_equal(store_db_stmt(db, sql, &stmt), 0);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return v;
}

static void
test_db_created_from_nothing_private_and_migrated(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	char *cause = NULL, *dir = lc_asprintf("%s/sub", f->dir), *wal;
	struct stat st;

	assert_int_equal(store_db_open(f->path, &schema_v1, &db, &cause), 0);
	assert_null(cause);
	assert_int_equal(store_db_version(db), 1);
	assert_int_equal(query_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(query_int(db, "PRAGMA application_id"), 0x54657374);
	assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(db, "PRAGMA synchronous"), 2);
	assert_int_equal(query_int(db, "PRAGMA busy_timeout"), 5000);
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES ('x')"), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	wal = lc_asprintf("%s-wal", f->path);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(wal);
	wal = lc_asprintf("%s-shm", f->path);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(wal);
	assert_string_equal(store_db_path(db), f->path);
	store_db_close(db);
	free(dir);
}

/*
 * Opening another connection to a current database needs no write lock: lecternd's workers
 * open theirs on their first request, and one opened while another request held the write
 * lock used to wait out the busy timeout and answer 500 (issue 9, section 2: "a write that
 * still meets SQLITE_BUSY answers 503, never 500"; found while merging the auth work).
 */
static void
test_db_open_needs_no_write_lock_when_current(void **state)
{
	struct fixture *f = *state;
	struct store_db *writer = NULL, *second = NULL;
	char *cause = NULL;

	assert_int_equal(store_db_open(f->path, &schema_v1, &writer, &cause), 0);
	assert_int_equal(store_db_begin(writer), 0);
	assert_int_equal(store_db_exec(writer, "INSERT INTO t(v) VALUES ('held')"), 0);
	assert_int_equal(store_db_open(f->path, &schema_v1, &second, &cause), 0);
	assert_null(cause);
	assert_int_equal(store_db_version(second), 1);
	assert_int_equal(query_int(second, "SELECT count(*) FROM t"), 0);
	assert_int_equal(store_db_commit(writer), 0);
	assert_int_equal(query_int(second, "SELECT count(*) FROM t"), 1);
	store_db_close(second);
	store_db_close(writer);
}

static void
test_db_reopen_keeps_data_and_upgrades(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	char *cause = NULL;

	assert_int_equal(store_db_open(f->path, &schema_v1, &db, &cause), 0);
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES ('kept')"), 0);
	store_db_close(db);
	assert_int_equal(store_db_open(f->path, &schema_v1, &db, &cause), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 1);
	store_db_close(db);
	assert_int_equal(store_db_open(f->path, &schema_v2, &db, &cause), 0);
	assert_int_equal(store_db_version(db), 2);
	assert_int_equal(query_int(db, "PRAGMA user_version"), 2);
	assert_int_equal(query_int(db, "SELECT w FROM t WHERE v = 'kept'"), 7);
	store_db_close(db);
}

static void
test_db_empty_file_is_initialised(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;

	write_file(f->path, "", 0);
	assert_int_equal(store_db_open(f->path, &schema_v1, &db, NULL), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 0);
	store_db_close(db);
}

static void
test_db_newer_version_refused_untouched(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;

	assert_int_equal(store_db_open(f->path, &schema_v2, &db, NULL), 0);
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES ('new')"), 0);
	store_db_close(db);
	assert_refused_untouched(f->path, &schema_v1);
}

/* The newer schema is still only in the WAL: the header alone would say version 0. */
static void
test_db_newer_version_in_wal_refused(void **state)
{
	struct fixture *f = *state;
	struct store_db *newer = NULL, *db = NULL;
	char *before = NULL, *after = NULL, *cause = NULL;
	size_t len_before, len_after;

	assert_int_equal(store_db_open(f->path, &schema_v2, &newer, NULL), 0);
	assert_int_equal(lc_read_file(f->path, &before, &len_before), 0);
	assert_int_equal(store_db_open(f->path, &schema_v1, &db, &cause), -LC_EFOREIGN);
	assert_non_null(strstr(cause, "newer"));
	assert_int_equal(lc_read_file(f->path, &after, &len_after), 0);
	assert_int_equal(len_before, len_after);
	assert_memory_equal(before, after, len_before);
	store_db_close(newer);
	free(before);
	free(after);
	free(cause);
}

static void
test_db_folder_path_is_an_io_error(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	char *cause = NULL;

	assert_int_equal(store_db_open(f->dir, &schema_v1, &db, &cause), -LC_EIO);
	assert_null(db);
	assert_non_null(cause);
	free(cause);
}

static void
test_db_other_application_refused_untouched(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	static const struct store_schema other = {"other", 0x4f746872, migrations_v2, 1, false};

	assert_int_equal(store_db_open(f->path, &other, &db, NULL), 0);
	store_db_close(db);
	assert_refused_untouched(f->path, &schema_v1);
}

/* A plain SQLite file another program made: no application_id, but tables. */
static void
test_db_unlabelled_sqlite_refused_untouched(void **state)
{
	struct fixture *f = *state;
	sqlite3 *raw = NULL;

	assert_int_equal(lc_mkdir_parents(f->path, 0700), 0);
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
	                              "CREATE TABLE notes(body TEXT); INSERT INTO notes "
	                              "VALUES ('mine'); PRAGMA user_version=3;",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_close(raw), SQLITE_OK);
	assert_refused_untouched(f->path, &schema_v1);
	/* And with user_version 0, as most programs leave it. */
	assert_int_equal(sqlite3_open(f->path, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version=0;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(raw), SQLITE_OK);
	assert_refused_untouched(f->path, &schema_v1);
}

static void
test_db_non_sqlite_refused_untouched(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "# my notes\nthese are not a database, please keep them\n";
	char big[4096];

	write_file(f->path, text, sizeof(text) - 1);
	assert_refused_untouched(f->path, &schema_v1);
	/* Long enough for a header, but not SQLite's. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	write_file(f->path, big, sizeof(big));
	assert_refused_untouched(f->path, &schema_v1);
}

static void
test_db_stmt_cache_returns_same_reset_statement(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	sqlite3_stmt *a, *b;

	assert_int_equal(store_db_open(f->path, &schema_v1, &db, NULL), 0);
	assert_int_equal(store_db_stmt(db, "SELECT ?1 + 1", &a), 0);
	assert_int_equal(sqlite3_bind_int(a, 1, 41), SQLITE_OK);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(a, 0), 42);
	assert_int_equal(store_db_stmt(db, "SELECT ?1 + 1", &b), 0);
	assert_ptr_equal(a, b);
	/* Bindings were cleared: NULL + 1 is NULL. */
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
	assert_int_equal(store_db_stmt(db, "SELECT nonsense FROM nowhere", &a), -LC_EDB);
	assert_null(a);
	assert_int_equal(store_db_error(db)->sqlite_code, SQLITE_ERROR);
	assert_non_null(strstr(store_db_error(db)->message, "nowhere"));
	store_db_close(db);
}

static void
test_db_savepoints_nest_and_commit(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;

	assert_int_equal(store_db_open(f->path, &schema_v1, &db, NULL), 0);
	/* A lone savepoint is its own transaction. */
	assert_int_equal(store_db_savepoint(db, "outer"), 0);
	assert_true(store_db_in_transaction(db));
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES ('a')"), 0);
	assert_int_equal(store_db_savepoint(db, "inner"), 0);
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES ('b')"), 0);
	store_db_rollback_to(db, "inner");
	assert_true(store_db_in_transaction(db));
	assert_int_equal(store_db_release(db, "outer"), 0);
	assert_false(store_db_in_transaction(db));
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 1);
	/* Inside a transaction, savepoints compose and the rollback wins. */
	assert_int_equal(store_db_begin(db), 0);
	assert_int_equal(store_db_savepoint(db, "sp"), 0);
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES ('c')"), 0);
	assert_int_equal(store_db_release(db, "sp"), 0);
	assert_true(store_db_in_transaction(db));
	store_db_rollback(db);
	assert_false(store_db_in_transaction(db));
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 1);
	/* A failed lone savepoint leaves nothing open. */
	assert_int_equal(store_db_savepoint(db, "lone"), 0);
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES ('d')"), 0);
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES (NULL)"), -LC_EDB);
	assert_int_equal(store_db_error(db)->sqlite_code, SQLITE_CONSTRAINT_NOTNULL);
	store_db_rollback_to(db, "lone");
	assert_false(store_db_in_transaction(db));
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 1);
	assert_int_equal(store_db_savepoint(db, "bad name"), -LC_EINVAL);
	assert_false(store_db_in_transaction(db));
	assert_int_equal(store_db_begin(db), 0);
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES ('e')"), 0);
	assert_int_equal(store_db_last_rowid(db), query_int(db, "SELECT max(id) FROM t"));
	assert_int_equal(store_db_changes(db), 1);
	assert_int_equal(store_db_commit(db), 0);
	assert_int_equal(query_int(db, "SELECT count(*) FROM t"), 2);
	store_db_rollback(db); /* harmless with nothing open */
	store_db_close(db);
}

static void
test_db_helpers_bind_null_and_dup(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	sqlite3_stmt *stmt;
	char *s;

	assert_int_equal(store_db_open(f->path, &schema_v1, &db, NULL), 0);
	assert_int_equal(store_db_stmt(db, "SELECT ?1, ?2", &stmt), 0);
	assert_int_equal(store_bind_text(stmt, 1, NULL), SQLITE_OK);
	assert_int_equal(store_bind_text(stmt, 2, "héllo"), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_null(store_column_dup(stmt, 0));
	s = store_column_dup(stmt, 1);
	assert_string_equal(s, "héllo");
	free(s);
	sqlite3_reset(stmt);
	store_db_close(db);
	store_db_close(NULL);
}

/* ---- CR1: a second connection keeps the first one's locks ------------------------------- */

/* SQLite's unix VFS takes SHARED as a read lock on these bytes (os_unix.c). */
#define SQLITE_SHARED_FIRST (0x40000000 + 2)
#define SQLITE_SHARED_SIZE 510

/* In a child process (a process never sees its own fcntl locks): is a read lock held? */
static bool
other_process_holds_shared(const char *path)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct flock fl = {.l_type = F_WRLCK,
		                   .l_whence = SEEK_SET,
		                   .l_start = SQLITE_SHARED_FIRST,
		                   .l_len = SQLITE_SHARED_SIZE};
		int fd = open(path, O_RDONLY);

		if (fd < 0 || fcntl(fd, F_GETLK, &fl) != 0)
			_exit(2);
		_exit(fl.l_type == F_RDLCK ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 2);
	return WEXITSTATUS(status) == 0;
}

static void
test_db_second_open_keeps_the_first_connections_locks(void **state)
{
	struct fixture *f = *state;
	struct store_db *first = NULL, *second = NULL, *third = NULL;

	assert_int_equal(store_db_open(f->path, &schema_v1, &first, NULL), 0);
	assert_int_equal(query_int(first, "SELECT count(*) FROM t"), 0);
	/* In WAL mode a connection keeps its SHARED lock between transactions. */
	assert_true(other_process_holds_shared(f->path));
	/* probe_header() used to open()/close() the file here, dropping that lock. */
	assert_int_equal(store_db_open(f->path, &schema_v1, &second, NULL), 0);
	assert_true(other_process_holds_shared(f->path));
	/* Also when the second connection is closed while the first lives on. */
	store_db_close(second);
	assert_int_equal(store_db_open(f->path, &schema_private, &third, NULL), 0);
	store_db_close(third);
	assert_true(other_process_holds_shared(f->path));
	assert_int_equal(query_int(first, "SELECT count(*) FROM t"), 0);
	store_db_close(first);
	assert_false(other_process_holds_shared(f->path));
}

static void
test_db_zero_length_file_is_new_and_keeps_its_mode(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	struct stat st;

	write_file(f->path, "", 0);
	assert_int_equal(chmod(f->path, 0640), 0);
	assert_int_equal(store_db_open(f->path, &schema_v1, &db, NULL), 0);
	assert_int_equal(store_db_version(db), 1);
	store_db_close(db);
	/* The server's file stays as its operator made it; only private files are judged. */
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
}

static void
test_db_short_non_sqlite_file_refused_untouched(void **state)
{
	struct fixture *f = *state;

	write_file(f->path, "SQLite format 3", 15); /* the magic minus its NUL: 15 bytes */
	assert_refused_untouched(f->path, &schema_v1);
	assert_refused_untouched(f->path, &schema_private);
}

/* ---- L1: private files and folders ------------------------------------------------------ */

/* Expects -LC_EPERM with hint in the message and the file's bytes and mode unchanged. */
static void
assert_private_refused(const char *path, const char *hint)
{
	char *before = NULL, *after = NULL, *cause = NULL;
	size_t len_before = 0, len_after = 0;
	struct store_db *db = NULL;
	struct stat st_before, st_after;
	char *wal = lc_asprintf("%s-wal", path);

	assert_int_equal(stat(path, &st_before), 0);
	assert_int_equal(lc_read_file(path, &before, &len_before), 0);
	assert_int_equal(store_db_open(path, &schema_private, &db, &cause), -LC_EPERM);
	assert_null(db);
	assert_non_null(cause);
	if (strstr(cause, hint) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", cause, hint);
	assert_int_equal(stat(path, &st_after), 0);
	assert_int_equal(st_after.st_mode, st_before.st_mode);
	assert_int_equal(lc_read_file(path, &after, &len_after), 0);
	assert_int_equal(len_before, len_after);
	assert_memory_equal(before, after, len_before);
	assert_int_not_equal(access(wal, F_OK), 0);
	free(wal);
	free(before);
	free(after);
	free(cause);
}

static void
test_db_private_file_readable_by_others_refused(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;

	assert_int_equal(store_db_open(f->path, &schema_private, &db, NULL), 0);
	store_db_close(db);
	assert_int_equal(chmod(f->path, 0644), 0);
	assert_private_refused(f->path, "chmod 600");
	assert_int_equal(chmod(f->path, 0666), 0);
	assert_private_refused(f->path, "chmod 600");
	assert_int_equal(chmod(f->path, 0620), 0);
	assert_private_refused(f->path, "mode 0620");
	/* An empty planted file is refused as well, before anything is written into it. */
	assert_int_equal(unlink(f->path), 0);
	write_file(f->path, "", 0);
	assert_int_equal(chmod(f->path, 0666), 0);
	assert_private_refused(f->path, "chmod 600");
	/* Once fixed as told, it opens. */
	assert_int_equal(chmod(f->path, 0600), 0);
	assert_int_equal(store_db_open(f->path, &schema_private, &db, NULL), 0);
	store_db_close(db);
}

static void
test_db_private_symlink_refused_and_target_untouched(void **state)
{
	struct fixture *f = *state;
	char *target = lc_asprintf("%s/elsewhere.db", f->dir);
	char *dangling = lc_asprintf("%s/nowhere.db", f->dir);
	char *cause = NULL;
	struct store_db *db = NULL;
	struct stat st;

	write_file(target, "", 0);
	assert_int_equal(chmod(target, 0600), 0);
	assert_int_equal(lc_mkdir_parents(f->path, 0700), 0);
	assert_int_equal(symlink(target, f->path), 0);
	assert_private_refused(f->path, "symbolic link");
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 0);
	/* A link to nowhere: refused, and the target is not created. */
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(symlink(dangling, f->path), 0);
	assert_int_equal(store_db_open(f->path, &schema_private, &db, &cause), -LC_EPERM);
	assert_non_null(strstr(cause, "symbolic link"));
	assert_int_not_equal(access(dangling, F_OK), 0);
	free(cause);
	free(target);
	free(dangling);
}

static void
test_db_private_loose_folder_refused(void **state)
{
	struct fixture *f = *state;
	char *dir = lc_asprintf("%s/sub", f->dir);
	char *cause = NULL, *hint = NULL;
	struct store_db *db = NULL;
	struct stat st;

	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	/* A new replica in a folder anyone may write: refused, nothing created. */
	assert_int_equal(store_db_open(f->path, &schema_private, &db, &cause), -LC_EPERM);
	hint = lc_asprintf("chmod 700 '%s'", dir);
	if (strstr(cause, hint) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", cause, hint);
	assert_int_not_equal(access(f->path, F_OK), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0777);
	/* An existing replica in it is refused too. */
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(store_db_open(f->path, &schema_private, &db, NULL), 0);
	store_db_close(db);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_private_refused(f->path, "writable by others");
	assert_int_equal(chmod(dir, 0770), 0);
	assert_private_refused(f->path, "chmod 700");
	/* Readable by others is fine: the file itself is 0600. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(store_db_open(f->path, &schema_private, &db, NULL), 0);
	store_db_close(db);
	free(hint);
	free(cause);
	free(dir);
}

/* ---- F12: the umask ------------------------------------------------------------------- */

static void
test_db_open_creates_0600_whatever_the_umask(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	char *wal = lc_asprintf("%s-wal", f->path);
	mode_t old = umask(0);
	struct stat st;

	assert_int_equal(store_db_open(f->path, &schema_v1, &db, NULL), 0);
	assert_int_equal(umask(0), 0);
	assert_int_equal(store_db_exec(db, "INSERT INTO t(v) VALUES ('x')"), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	store_db_close(db);
	umask(old);
	free(wal);
}

#define UMASK_THREADS 8

static void *
open_close_loop(void *arg)
{
	const char *path = arg;

	for (int i = 0; i < 25; i++) {
		struct store_db *db = NULL;

		if (store_db_open(path, &schema_v1, &db, NULL) != 0)
			return (void *)1;
		store_db_close(db);
	}
	return NULL;
}

static void
test_db_open_from_threads_leaves_umask_alone(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	pthread_t threads[UMASK_THREADS];
	mode_t old = umask(022);

	assert_int_equal(store_db_open(f->path, &schema_v1, &db, NULL), 0);
	for (int i = 0; i < UMASK_THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, open_close_loop, f->path), 0);
	for (int i = 0; i < UMASK_THREADS; i++) {
		void *ret = NULL;

		assert_int_equal(pthread_join(threads[i], &ret), 0);
		assert_null(ret);
	}
	store_db_close(db);
	assert_int_equal(umask(old), 022);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_db_created_from_nothing_private_and_migrated,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_open_needs_no_write_lock_when_current, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_db_reopen_keeps_data_and_upgrades, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_db_empty_file_is_initialised, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_newer_version_refused_untouched, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_db_newer_version_in_wal_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_folder_path_is_an_io_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_other_application_refused_untouched, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_db_unlabelled_sqlite_refused_untouched, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_db_non_sqlite_refused_untouched, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_stmt_cache_returns_same_reset_statement, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_db_savepoints_nest_and_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_helpers_bind_null_and_dup, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_second_open_keeps_the_first_connections_locks,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_zero_length_file_is_new_and_keeps_its_mode,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_short_non_sqlite_file_refused_untouched, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_db_private_file_readable_by_others_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_db_private_symlink_refused_and_target_untouched,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_private_loose_folder_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_db_open_creates_0600_whatever_the_umask, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_db_open_from_threads_leaves_umask_alone, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
