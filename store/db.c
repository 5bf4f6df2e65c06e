/* SPDX-License-Identifier: MIT */
/*
 * SQLite plumbing; see db.h.
 *
 * The one idea: nothing is written to a file until it has been identified as ours (or as
 * brand new). The identification reads the 100-byte SQLite header through SQLite's VFS and
 * then, for what the header cannot tell, asks SQLite through a read-only connection. Only
 * then is the file opened read-write, switched to WAL and migrated.
 *
 * The second idea: a database file (or its -wal/-shm) is never opened outside SQLite, not
 * even to read it, because close(2) on any descriptor of a file drops all the process's
 * POSIX locks on it, including those of its live connections (see vfs_read_head()).
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "store/db.h"

#define BUSY_TIMEOUT_MS 5000
#define SQLITE_HEADER_LEN 100

struct cached_stmt {
	uint64_t hash;
	char *sql;
	sqlite3_stmt *stmt;
};

struct store_db {
	sqlite3 *handle;
	char *path;
	int version;
	struct store_error error;
	struct cached_stmt *cache;
	size_t cache_len;
	size_t cache_cap;
	/* Savepoint nesting, and the depth whose savepoint opened the transaction (0: none). */
	int sp_depth;
	int sp_owner_depth;
};

/* What the read-only inspection found. */
struct file_probe {
	bool is_new;            /* missing or empty: to be initialised */
	bool missing;           /* is_new because there is no file yet: create it */
	int32_t application_id; /* from the file */
	int32_t user_version;
};

static void set_error(struct store_db *db, int sqlite_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_error(struct store_db *db, int sqlite_code, const char *fmt, ...)
{
	va_list ap;

	db->error.sqlite_code = sqlite_code;
	va_start(ap, fmt);
	vsnprintf(db->error.message, sizeof(db->error.message), fmt, ap);
	va_end(ap);
}

int
store_db_fail(struct store_db *db, int sqlite_code, const char *context)
{
	const char *msg = db->handle != NULL ? sqlite3_errmsg(db->handle) : "no connection";

	if (sqlite_code == SQLITE_OK || sqlite_code == SQLITE_ROW || sqlite_code == SQLITE_DONE)
		msg = "unexpected result";
	set_error(db, sqlite_code, "%s: %s", context != NULL ? context : "sqlite", msg);
	return -LC_EDB;
}

const struct store_error *
store_db_error(const struct store_db *db)
{
	return &db->error;
}

static uint32_t
read_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/*
 * The name to give the VFS, as sqlite3_open() makes it: the full path with symbolic links
 * resolved, in SQLite's filename layout (the VFS may look for URI parameters after it).
 * Free with sqlite3_free_filename().
 */
static int
vfs_name(sqlite3_vfs *vfs, const char *path, sqlite3_filename *out, char **cause)
{
	char *full = lc_calloc(1, (size_t)vfs->mxPathname + 1);
	/* SQLITE_OK_SYMLINK says a link was resolved: fine, that is the point. */
	int rc = vfs->xFullPathname(vfs, path, vfs->mxPathname + 1, full) & 0xff;

	*out = rc == SQLITE_OK ? sqlite3_create_filename(full, "", "", 0, NULL) : NULL;
	free(full);
	if (*out == NULL)
		return lc_cause_set(cause, -LC_EIO, "%s: cannot resolve: %s", path,
		                    sqlite3_errstr(rc == SQLITE_OK ? SQLITE_NOMEM : rc));
	return 0;
}

/*
 * Reads the first bytes of the file through SQLite's own VFS, never with open(2)/close(2):
 * closing any descriptor of a file drops every POSIX lock this process holds on it, so a
 * plain close() here would silently release the locks of this process's live connections
 * (another lecternd worker, the TUI's sync thread) and let another process checkpoint and
 * delete the -wal they still use (security review 2026-11-29, CR1). The unix VFS keeps one
 * record per inode and, while the process holds locks on it, parks the descriptor instead
 * of closing it. Returns 0 with *len bytes (at most SQLITE_HEADER_LEN) or an error.
 */
static int
vfs_read_head(const char *path, unsigned char *head, size_t *len, char **cause)
{
	sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
	sqlite3_filename name;
	sqlite3_file *file;
	sqlite3_int64 size = 0;
	int out_flags = 0, rc;

	*len = 0;
	if (vfs == NULL)
		return lc_cause_set(cause, -LC_EDB, "%s: no SQLite VFS", path);
	if ((rc = vfs_name(vfs, path, &name, cause)) < 0)
		return rc;
	file = lc_calloc(1, (size_t)vfs->szOsFile);
	rc = vfs->xOpen(vfs, name, file, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &out_flags);
	if (rc == SQLITE_OK)
		rc = file->pMethods->xFileSize(file, &size);
	if (rc == SQLITE_OK && size > 0) {
		*len = size < SQLITE_HEADER_LEN ? (size_t)size : SQLITE_HEADER_LEN;
		rc = file->pMethods->xRead(file, head, (int)*len, 0);
	}
	/* xOpen leaves pMethods NULL when it fails, and then there is nothing to close. */
	if (file->pMethods != NULL)
		file->pMethods->xClose(file);
	free(file);
	sqlite3_free_filename(name);
	if (rc != SQLITE_OK)
		return lc_cause_set(cause, -LC_EIO, "%s: cannot read: %s", path,
		                    sqlite3_errstr(rc));
	return 0;
}

/*
 * Identifies the file without writing to it, so that a file that is not SQLite at all is
 * never handed to SQLite (which could treat it as a hot journal's target). Returns 0 with
 * probe->is_new for a missing or empty file (probe->missing for a missing one), 1 when
 * the header is SQLite's, or an error. stat(2) does not open the file.
 */
static int
probe_header(const char *path, struct file_probe *probe, char **cause)
{
	unsigned char header[SQLITE_HEADER_LEN];
	static const char magic[16] = "SQLite format 3";
	struct stat st;
	size_t total = 0;
	int rc;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT) {
			probe->is_new = true;
			probe->missing = true;
			return 0;
		}
		return lc_cause_set(cause, -LC_EIO, "%s: %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return lc_cause_set(cause, -LC_EIO, "%s: not a regular file", path);
	if (st.st_size > 0 && (rc = vfs_read_head(path, header, &total, cause)) < 0)
		return rc;
	if (total == 0) {
		probe->is_new = true;
		return 0;
	}
	if (total < sizeof(header) || memcmp(header, magic, sizeof(magic)) != 0)
		return lc_cause_set(cause, -LC_EFOREIGN, "%s: not an SQLite database", path);
	probe->user_version = (int32_t)read_be32(header + 60);
	probe->application_id = (int32_t)read_be32(header + 68);
	return 1;
}

static int
query_int(sqlite3 *handle, const char *sql, int64_t *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(stmt, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * Decides from an identified file's ids whether we may write to it. objects (the number
 * of schema objects) only matters when the file names no application.
 */
static int
judge(const char *path, const struct store_schema *schema, int64_t app_id, int64_t version,
      int64_t objects, char **cause)
{
	if (app_id != 0 && app_id != schema->application_id)
		return lc_cause_set(cause, -LC_EFOREIGN,
		                    "%s: belongs to another application (application_id %lld), "
		                    "not a %s",
		                    path, (long long)app_id, schema->name);
	if (app_id == 0 && (objects > 0 || version != 0))
		return lc_cause_set(cause, -LC_EFOREIGN, "%s: an SQLite database that is not a %s",
		                    path, schema->name);
	if (version > schema->migration_count)
		return lc_cause_set(cause, -LC_EFOREIGN,
		                    "%s: %s schema version %lld is newer than this build knows "
		                    "(%d); upgrade Lectern",
		                    path, schema->name, (long long)version,
		                    schema->migration_count);
	if (version < 0)
		return lc_cause_set(cause, -LC_EFOREIGN, "%s: invalid schema version %lld", path,
		                    (long long)version);
	return 0;
}

/*
 * Asks SQLite, read-only, for the ids as the WAL may have updated them, and for whether
 * an unlabelled file holds anything. The header alone already refused foreign ids.
 */
static int
probe_sqlite(const char *path, const struct store_schema *schema, char **cause)
{
	sqlite3 *ro = NULL;
	int64_t app_id = 0, version = 0, objects = 0;
	int rc = sqlite3_open_v2(path, &ro, SQLITE_OPEN_READONLY, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(ro, BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK)
		rc = query_int(ro, "PRAGMA application_id", &app_id);
	if (rc == SQLITE_OK)
		rc = query_int(ro, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = query_int(ro, "SELECT count(*) FROM sqlite_master", &objects);
	if (rc != SQLITE_OK) {
		int err = rc == SQLITE_NOTADB ? -LC_EFOREIGN : -LC_EDB;

		lc_cause_set(cause, err, "%s: %s", path,
		             ro != NULL ? sqlite3_errmsg(ro) : sqlite3_errstr(rc));
		sqlite3_close_v2(ro);
		return err;
	}
	sqlite3_close_v2(ro);
	return judge(path, schema, app_id, version, objects, cause);
}

/*
 * Creates a missing file 0600 (folder 0700); SQLite gives the -wal and -shm it creates
 * later the database file's own mode (it fchmod()s them), so they are 0600 too.
 *
 * The file is created through SQLite's VFS, for the reason vfs_read_head() gives, with
 * O_EXCL (SQLITE_OPEN_EXCLUSIVE) so that a file that appeared meanwhile is not adopted
 * unexamined (-LC_ECONFLICT: probe again). The unix VFS creates database files 0644 minus
 * the umask, so the umask is 077 for just this call (security review 2026-11-29 / code
 * review F12: it used to be changed around every sqlite3_open_v2(), which lecternd's
 * worker threads race on). Creation happens once per file, normally before any thread
 * exists; the mutex keeps two creating threads from restoring each other's mask, and a
 * file another thread creates within that instant is at worst born stricter than asked.
 */
static int
create_file(const char *path, char **cause)
{
	static pthread_mutex_t umask_lock = PTHREAD_MUTEX_INITIALIZER;
	sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
	sqlite3_filename name;
	sqlite3_file *file;
	mode_t old_mask;
	int out_flags = 0, rc;

	if (lc_mkdir_parents(path, 0700) != 0)
		return lc_cause_set(cause, -LC_EIO, "%s: cannot create folder: %s", path,
		                    strerror(errno));
	if (vfs == NULL)
		return lc_cause_set(cause, -LC_EDB, "%s: no SQLite VFS", path);
	if ((rc = vfs_name(vfs, path, &name, cause)) < 0)
		return rc;
	file = lc_calloc(1, (size_t)vfs->szOsFile);
	pthread_mutex_lock(&umask_lock);
	old_mask = umask(077);
	rc = vfs->xOpen(vfs, name, file,
	                SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE |
	                    SQLITE_OPEN_MAIN_DB,
	                &out_flags);
	umask(old_mask);
	pthread_mutex_unlock(&umask_lock);
	if (file->pMethods != NULL)
		file->pMethods->xClose(file);
	free(file);
	sqlite3_free_filename(name);
	if (rc == SQLITE_OK)
		return 0;
	if (access(path, F_OK) == 0)
		return -LC_ECONFLICT;
	return lc_cause_set(cause, -LC_EIO, "%s: cannot create: %s", path, sqlite3_errstr(rc));
}

/*
 * For a file holding a user's secrets (the client replica): refuses a folder that is not
 * the user's or that others may write, and a file that is a symbolic link, not the user's,
 * or that others may read or write (security review 2026-11-29, L1). lstat(2)/stat(2)
 * only: nothing is opened. A missing file or folder is fine: it will be created 0600/0700.
 */
static int
check_private(const char *path, char **cause)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? lc_strdup(".")
	                          : lc_strndup(path, slash == path ? 1 : (size_t)(slash - path));
	int rc = lc_check_private_dir(dir, cause);

	free(dir);
	if (rc == -LC_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	rc = lc_check_private_file(path, cause);
	return rc == -LC_ENOTFOUND ? 0 : rc;
}

static int
exec_sql(struct store_db *db, const char *sql, const char *context)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->handle, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		set_error(db, sqlite3_extended_errcode(db->handle), "%s: %s", context,
		          msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return -LC_EDB;
	}
	return 0;
}

int
store_db_exec(struct store_db *db, const char *sql)
{
	return exec_sql(db, sql, "exec");
}

static int
configure(struct store_db *db)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);

	if (rc != SQLITE_OK)
		return store_db_fail(db, rc, "busy_timeout");
	sqlite3_extended_result_codes(db->handle, 1);
	rc = sqlite3_prepare_v2(db->handle, "PRAGMA journal_mode=WAL", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return store_db_fail(db, rc, "journal_mode");
	}
	if (strcmp((const char *)sqlite3_column_text(stmt, 0), "wal") != 0) {
		sqlite3_finalize(stmt);
		set_error(db, SQLITE_OK, "cannot switch %s to WAL", db->path);
		return -LC_EDB;
	}
	sqlite3_finalize(stmt);
	/* FULL: in WAL mode NORMAL may lose the last commits on power loss. */
	return exec_sql(db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;", "pragmas");
}

/* Reads the application id, schema version and object count of db's file. */
static int
read_ids(struct store_db *db, int64_t *app_id, int64_t *version, int64_t *objects)
{
	if (query_int(db->handle, "PRAGMA application_id", app_id) != SQLITE_OK ||
	    query_int(db->handle, "PRAGMA user_version", version) != SQLITE_OK ||
	    query_int(db->handle, "SELECT count(*) FROM sqlite_master", objects) != SQLITE_OK)
		return store_db_fail(db, sqlite3_extended_errcode(db->handle),
		                     "reading schema ids");
	return 0;
}

/*
 * Applies the missing migrations in one IMMEDIATE transaction, re-reading the ids under
 * the write lock since another process may have migrated (or replaced) the file meanwhile.
 * A file that is already current is judged without the write lock: every lecternd worker
 * opens its connection on its first request, and that must not wait behind (or fail on)
 * another connection's write.
 */
static int
migrate(struct store_db *db, const struct store_schema *schema, char **cause)
{
	int64_t app_id = 0, version = 0, objects = 0;
	int rc = read_ids(db, &app_id, &version, &objects);

	if (rc == 0 && version == schema->migration_count) {
		rc = judge(db->path, schema, app_id, version, objects, cause);
		if (rc == 0)
			db->version = schema->migration_count;
		return rc;
	}
	if (rc == 0)
		rc = store_db_begin(db);
	if (rc == 0)
		rc = read_ids(db, &app_id, &version, &objects);
	if (rc == 0)
		rc = judge(db->path, schema, app_id, version, objects, cause);
	for (int64_t v = version; rc == 0 && v < schema->migration_count; v++) {
		char context[64];

		snprintf(context, sizeof(context), "migration %lld", (long long)v + 1);
		rc = exec_sql(db, schema->migrations[v], context);
	}
	if (rc == 0 && version < schema->migration_count) {
		char pragma[96];

		/* PRAGMAs take no bound parameters; both values are integers we own. */
		snprintf(pragma, sizeof(pragma),
		         "PRAGMA application_id=%d; PRAGMA user_version=%d;",
		         (int)schema->application_id, schema->migration_count);
		rc = exec_sql(db, pragma, "stamping schema ids");
	}
	if (rc == 0)
		rc = store_db_commit(db);
	if (rc != 0) {
		store_db_rollback(db);
		if (rc == -LC_EDB)
			lc_cause_set(cause, rc, "%s: %s", db->path, db->error.message);
		return rc;
	}
	db->version = schema->migration_count;
	return 0;
}

static int
open_checked(const char *path, const struct store_schema *schema, char **cause)
{
	int rc = 0;

	/*
	 * A file we create is probed (and judged) again, like one someone else created between
	 * our probe and our creation; three rounds cover both.
	 */
	for (int attempt = 0; attempt < 3; attempt++) {
		struct file_probe probe = {0};

		/* Identify first: "not an SQLite database" beats "chmod 600" for a stray file. */
		rc = probe_header(path, &probe, cause);
		if (rc < 0)
			return rc;
		if (schema->private_file && (rc = check_private(path, cause)) < 0)
			return rc;
		if (probe.is_new && !probe.missing)
			return 0;
		if (probe.is_new) {
			rc = create_file(path, cause);
			if (rc < 0 && rc != -LC_ECONFLICT)
				return rc;
			continue;
		}
		rc = judge(path, schema, probe.application_id, probe.user_version, 0, cause);
		if (rc == 0)
			rc = probe_sqlite(path, schema, cause);
		return rc;
	}
	return lc_cause_set(cause, -LC_EIO, "%s: keeps appearing and disappearing", path);
}

int
store_db_open(const char *path, const struct store_schema *schema, struct store_db **out,
              char **cause)
{
	struct store_db *db;
	int rc;

	assert(path != NULL && schema != NULL && out != NULL);
	*out = NULL;
	rc = open_checked(path, schema, cause);
	if (rc < 0)
		return rc;
	db = lc_calloc(1, sizeof(*db));
	db->path = lc_strdup(path);
	/* No umask here: SQLite gives -wal/-shm the mode of the (0600) database file. */
	rc = sqlite3_open_v2(path, &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = store_db_fail(db, rc, "open");
		goto fail;
	}
	rc = configure(db);
	if (rc == 0)
		rc = migrate(db, schema, cause);
	if (rc != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	if (rc == -LC_EDB)
		lc_cause_set(cause, rc, "%s: %s", path, db->error.message);
	store_db_close(db);
	return rc;
}

int
store_db_quick_check(struct store_db *db, char **cause)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(db->handle, "PRAGMA quick_check(1)", -1, &stmt, NULL);
	const char *verdict;

	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		rc = store_db_fail(db, rc, "quick_check");
		sqlite3_finalize(stmt);
		return lc_cause_set(cause, rc, "%s: %s", db->path, db->error.message);
	}
	verdict = (const char *)sqlite3_column_text(stmt, 0);
	if (verdict == NULL || strcmp(verdict, "ok") != 0) {
		rc = lc_cause_set(cause, -LC_EDB,
		                  "%s: the database is damaged (quick_check: %s); restore it "
		                  "from a backup",
		                  db->path, verdict != NULL ? verdict : "no answer");
		sqlite3_finalize(stmt);
		return rc;
	}
	sqlite3_finalize(stmt);
	return 0;
}

void
store_db_close(struct store_db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->cache_len; i++) {
		sqlite3_finalize(db->cache[i].stmt);
		free(db->cache[i].sql);
	}
	free(db->cache);
	sqlite3_close_v2(db->handle);
	free(db->path);
	free(db);
}

sqlite3 *
store_db_handle(struct store_db *db)
{
	return db->handle;
}

const char *
store_db_path(const struct store_db *db)
{
	return db->path;
}

int
store_db_version(struct store_db *db)
{
	return db->version;
}

/* FNV-1a: the cache compares hashes before texts. */
static uint64_t
hash_sql(const char *sql)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)sql; *p != '\0'; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

int
store_db_prepare_new(struct store_db *db, const char *sql, sqlite3_stmt **stmt)
{
	int rc = sqlite3_prepare_v3(db->handle, sql, -1, 0, stmt, NULL);

	if (rc != SQLITE_OK) {
		*stmt = NULL;
		set_error(db, sqlite3_extended_errcode(db->handle), "prepare: %s (in: %.200s)",
		          sqlite3_errmsg(db->handle), sql);
		return -LC_EDB;
	}
	return 0;
}

int
store_db_stmt(struct store_db *db, const char *sql, sqlite3_stmt **stmt)
{
	uint64_t h = hash_sql(sql);
	sqlite3_stmt *fresh;
	int rc;

	for (size_t i = 0; i < db->cache_len; i++) {
		struct cached_stmt *c = &db->cache[i];

		if (c->hash == h && strcmp(c->sql, sql) == 0) {
			/* reset() repeats the last step's error, which its caller already saw. */
			sqlite3_reset(c->stmt);
			sqlite3_clear_bindings(c->stmt);
			*stmt = c->stmt;
			return 0;
		}
	}
	rc = sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &fresh, NULL);
	if (rc != SQLITE_OK) {
		*stmt = NULL;
		set_error(db, sqlite3_extended_errcode(db->handle), "prepare: %s (in: %.200s)",
		          sqlite3_errmsg(db->handle), sql);
		return -LC_EDB;
	}
	if (db->cache_len == db->cache_cap) {
		db->cache_cap = db->cache_cap ? db->cache_cap * 2 : 32;
		db->cache = lc_realloc(db->cache, db->cache_cap * sizeof(*db->cache));
	}
	db->cache[db->cache_len++] = (struct cached_stmt){h, lc_strdup(sql), fresh};
	*stmt = fresh;
	return 0;
}

int
store_db_begin(struct store_db *db)
{
	return exec_sql(db, "BEGIN IMMEDIATE", "begin");
}

int
store_db_commit(struct store_db *db)
{
	int rc = exec_sql(db, "COMMIT", "commit");

	/* A failed COMMIT may leave the transaction open; never leave it dangling. */
	if (rc != 0)
		store_db_rollback(db);
	db->sp_depth = 0;
	db->sp_owner_depth = 0;
	return rc;
}

void
store_db_rollback(struct store_db *db)
{
	if (!sqlite3_get_autocommit(db->handle))
		sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
	db->sp_depth = 0;
	db->sp_owner_depth = 0;
}

bool
store_db_in_transaction(struct store_db *db)
{
	return !sqlite3_get_autocommit(db->handle);
}

static bool
plain_identifier(const char *name)
{
	if (name == NULL || name[0] == '\0' || strlen(name) > 64)
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		          (p != name && *p >= '0' && *p <= '9');
		if (!ok)
			return false;
	}
	return true;
}

static int
savepoint_sql(struct store_db *db, const char *verb, const char *name)
{
	char sql[128];

	if (!plain_identifier(name)) {
		set_error(db, SQLITE_OK, "bad savepoint name");
		return -LC_EINVAL;
	}
	snprintf(sql, sizeof(sql), "%s %s", verb, name);
	return exec_sql(db, sql, verb);
}

/*
 * Outside a transaction a bare SAVEPOINT would begin a DEFERRED one, whose later lock
 * upgrade can fail with SQLITE_BUSY regardless of the busy timeout; so the outermost
 * savepoint opens an IMMEDIATE transaction and its release commits it.
 */
int
store_db_savepoint(struct store_db *db, const char *name)
{
	bool owner = sqlite3_get_autocommit(db->handle) != 0;
	int rc;

	assert(db != NULL && name != NULL);
	/* Outside a transaction no savepoint can be open; inside one, the owner is below. */
	assert(!owner || (db->sp_depth == 0 && db->sp_owner_depth == 0));
	assert(db->sp_owner_depth <= db->sp_depth);
	if (!plain_identifier(name)) {
		set_error(db, SQLITE_OK, "bad savepoint name");
		return -LC_EINVAL;
	}
	if (owner && (rc = store_db_begin(db)) != 0)
		return rc;
	rc = savepoint_sql(db, "SAVEPOINT", name);
	if (rc != 0) {
		if (owner)
			store_db_rollback(db);
		return rc;
	}
	db->sp_depth++;
	if (owner)
		db->sp_owner_depth = db->sp_depth;
	return 0;
}

int
store_db_release(struct store_db *db, const char *name)
{
	bool owner = db->sp_owner_depth != 0 && db->sp_owner_depth == db->sp_depth;
	int rc;

	/* A release always matches an open savepoint of this connection. */
	assert(db->sp_depth > 0 && db->sp_owner_depth <= db->sp_depth);
	rc = savepoint_sql(db, "RELEASE", name);

	if (rc != 0) {
		store_db_rollback_to(db, name);
		return rc;
	}
	if (db->sp_depth > 0)
		db->sp_depth--;
	if (owner) {
		db->sp_owner_depth = 0;
		rc = store_db_commit(db);
	}
	return rc;
}

void
store_db_rollback_to(struct store_db *db, const char *name)
{
	bool owner = db->sp_owner_depth != 0 && db->sp_owner_depth == db->sp_depth;

	if (sqlite3_get_autocommit(db->handle)) {
		/* SQLite already rolled the whole transaction back (e.g. on SQLITE_FULL). */
		db->sp_depth = 0;
		db->sp_owner_depth = 0;
		return;
	}
	/* Undo, then drop the savepoint itself so the nesting stays balanced. */
	savepoint_sql(db, "ROLLBACK TO", name);
	savepoint_sql(db, "RELEASE", name);
	if (db->sp_depth > 0)
		db->sp_depth--;
	if (owner)
		store_db_rollback(db);
}

int
store_db_changes(struct store_db *db)
{
	return sqlite3_changes(db->handle);
}

int64_t
store_db_last_rowid(struct store_db *db)
{
	return sqlite3_last_insert_rowid(db->handle);
}

int
store_bind_text(sqlite3_stmt *stmt, int idx, const char *text)
{
	if (text == NULL)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, text, -1, SQLITE_TRANSIENT);
}

char *
store_column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	if (text == NULL)
		return NULL;
	return lc_strndup((const char *)text, (size_t)sqlite3_column_bytes(stmt, col));
}

int
store_db_next_row(struct store_db *db, sqlite3_stmt *stmt, const char *context)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_db_fail(db, rc, context);
}
