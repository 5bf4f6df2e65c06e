/* SPDX-License-Identifier: MIT */
/*
 * The process context: the database path, one connection per thread (a store_db is
 * single-threaded; WAL lets them read side by side while one writes), the token signing
 * key kept in the database, and loading the caller of a request.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"

struct srv_thread_db {
	pthread_t thread;
	struct store_db *db;
	struct srv_thread_db *next;
};

/*
 * WAL upkeep (perf review 2026-11-29, bottleneck 4). SQLite's own auto-checkpoint is a
 * PASSIVE one at 1,000 pages: it copies what no reader still needs but never waits, and
 * the log only restarts from its beginning when a writer finds it all copied with no reader
 * on it; under a steady stream of overlapping requests that moment may never come, and the
 * -wal grows. This hook replaces it on every lecternd connection: PASSIVE from
 * SRV_WAL_PASSIVE_PAGES as before, and from SRV_WAL_TRUNCATE_PAGES a TRUNCATE, which waits
 * for the readers of the moment to finish, restarts the log and cuts the file to zero.
 * Readers that start meanwhile read the database file (the log is all copied), so the wait
 * is about one request long. It waits SRV_WAL_WAIT_MS at most and runs at most once a
 * second in the process: a reader that never ends (an operator's sqlite3 shell) costs one
 * write a second that much, not every write the whole busy timeout.
 * journal_size_limit bounds the file when SQLite restarts the log by itself.
 */
#define SRV_WAL_PASSIVE_PAGES 1000
#define SRV_WAL_TRUNCATE_PAGES 4000
#define SRV_WAL_WAIT_MS 100
#define SRV_WAL_SIZE_LIMIT "16777216" /* bytes; journal_size_limit */
#define SRV_BUSY_DEFAULT_MS 5000      /* store/db.c's BUSY_TIMEOUT_MS, restored after */

static _Atomic int64_t wal_last_truncate_ms;

static int
wal_upkeep(void *arg, sqlite3 *h, const char *schema, int pages)
{
	struct srv_ctx *ctx = arg;
	int64_t now = lc_monotonic_ms(), last = wal_last_truncate_ms;
	int mode = SQLITE_CHECKPOINT_PASSIVE, log = 0, copied = 0, busy_ms, rc;

	if (pages < SRV_WAL_PASSIVE_PAGES)
		return SQLITE_OK;
	if (pages >= SRV_WAL_TRUNCATE_PAGES && now - last >= 1000 &&
	    atomic_compare_exchange_strong(&wal_last_truncate_ms, &last, now)) {
		mode = SQLITE_CHECKPOINT_TRUNCATE;
		(void)sqlite3_busy_timeout(h, SRV_WAL_WAIT_MS);
	}
	rc = sqlite3_wal_checkpoint_v2(h, schema, mode, &log, &copied);
	if (mode == SQLITE_CHECKPOINT_TRUNCATE) {
		pthread_mutex_lock(&ctx->lock);
		busy_ms = ctx->busy_timeout_ms > 0 ? ctx->busy_timeout_ms : SRV_BUSY_DEFAULT_MS;
		pthread_mutex_unlock(&ctx->lock);
		(void)sqlite3_busy_timeout(h, busy_ms);
	}
	/* BUSY is a reader still on the log: a later commit tries again. The commit that
	 * called us has succeeded whatever happens here, so nothing is returned but OK. */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		lc_log(LC_LOG_WARN, "wal checkpoint: %s", sqlite3_errmsg(h));
	return SQLITE_OK;
}

/* Installs wal_upkeep() and the -wal size limit on one connection. */
static int
wal_upkeep_install(struct srv_ctx *ctx, struct store_db *db)
{
	int rc = store_db_exec(db, "PRAGMA journal_size_limit=" SRV_WAL_SIZE_LIMIT);

	if (rc == 0)
		(void)sqlite3_wal_hook(store_db_handle(db), wal_upkeep, ctx);
	return rc;
}

/* Reads the signing key, making it on first start. */
static int
load_sign_key(struct srv_ctx *ctx, struct store_db *db, char **cause)
{
	sqlite3_stmt *stmt;
	unsigned char key[32];
	int rc;

	lc_random_bytes(key, sizeof(key));
	rc = store_db_stmt(db, "INSERT OR IGNORE INTO meta (key, value) VALUES ('sign_key', ?)",
	                   &stmt);
	if (rc == 0) {
		sqlite3_bind_blob(stmt, 1, key, sizeof(key), SQLITE_TRANSIENT);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = store_db_fail(db, sqlite3_errcode(store_db_handle(db)), "sign key");
	}
	if (rc == 0)
		rc = store_db_stmt(db, "SELECT value FROM meta WHERE key = 'sign_key'", &stmt);
	if (rc == 0) {
		rc = store_db_next_row(db, stmt, "sign key");
		if (rc == 1 && sqlite3_column_bytes(stmt, 0) == 32)
			memcpy(ctx->sign_key, sqlite3_column_blob(stmt, 0), 32);
		else if (rc >= 0)
			rc = store_db_fail(db, SQLITE_CORRUPT, "sign key");
		/*
		 * Reset at once: a statement left stepping holds a read snapshot, which pins the
		 * WAL and makes this connection's next BEGIN IMMEDIATE fail as soon as another
		 * process has written (`lecternd --create-user` beside a serving lecternd).
		 */
		sqlite3_reset(stmt);
		rc = rc == 1 ? 0 : rc;
	}
	memset(key, 0, sizeof(key));
	if (rc != 0)
		return lc_cause_set(cause, rc, "cannot read the signing key: %s",
		                    store_db_error(db)->message);
	return 0;
}

int
srv_ctx_init(struct srv_ctx *ctx, const char *path, char **cause)
{
	struct store_db *db;
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	rc = store_db_open(path, &srv_schema, &db, cause);
	if (rc != 0)
		return rc;
	/* A damaged file is refused at start, not discovered by a request (review CR1). */
	rc = store_db_quick_check(db, cause);
	if (rc != 0) {
		store_db_close(db);
		return rc;
	}
	ctx->db_path = lc_strdup(path);
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->dbs = lc_calloc(1, sizeof(*ctx->dbs));
	ctx->dbs->thread = pthread_self();
	ctx->dbs->db = db;
	rc = wal_upkeep_install(ctx, db);
	if (rc != 0)
		rc = lc_cause_set(cause, rc, "cannot set up the WAL: %s",
		                  store_db_error(db)->message);
	if (rc == 0)
		rc = load_sign_key(ctx, db, cause);
	if (rc == 0)
		rc = srv_feed_init(ctx, db);
	if (rc != 0) {
		srv_ctx_finish(ctx);
		return rc;
	}
	return 0;
}

void
srv_ctx_finish(struct srv_ctx *ctx)
{
	struct srv_thread_db *t, *next;

	for (t = ctx->dbs; t; t = next) {
		next = t->next;
		store_db_close(t->db);
		free(t);
	}
	ctx->dbs = NULL;
	free(ctx->db_path);
	ctx->db_path = NULL;
	pthread_mutex_destroy(&ctx->lock);
	memset(ctx->sign_key, 0, sizeof(ctx->sign_key));
}

struct store_db *
srv_ctx_db(struct srv_ctx *ctx)
{
	pthread_t self = pthread_self();
	struct srv_thread_db *t;
	struct store_db *db = NULL;
	char *cause = NULL;

	pthread_mutex_lock(&ctx->lock);
	for (t = ctx->dbs; t; t = t->next)
		if (pthread_equal(t->thread, self)) {
			db = t->db;
			break;
		}
	pthread_mutex_unlock(&ctx->lock);
	if (db)
		return db;
	if (store_db_open(ctx->db_path, &srv_schema, &db, &cause) != 0) {
		lc_log(LC_LOG_ERROR, "cannot open %s: %s", ctx->db_path, cause ? cause : "?");
		free(cause);
		return NULL;
	}
	if (wal_upkeep_install(ctx, db) != 0) {
		lc_log(LC_LOG_ERROR, "cannot set up the WAL of %s: %s", ctx->db_path,
		       store_db_error(db)->message);
		store_db_close(db);
		return NULL;
	}
	if (ctx->busy_timeout_ms > 0)
		(void)sqlite3_busy_timeout(store_db_handle(db), ctx->busy_timeout_ms);
	t = lc_calloc(1, sizeof(*t));
	t->thread = self;
	t->db = db;
	pthread_mutex_lock(&ctx->lock);
	t->next = ctx->dbs;
	ctx->dbs = t;
	pthread_mutex_unlock(&ctx->lock);
	return db;
}

void
srv_ctx_busy_timeout(struct srv_ctx *ctx, int ms)
{
	pthread_mutex_lock(&ctx->lock);
	ctx->busy_timeout_ms = ms;
	for (struct srv_thread_db *t = ctx->dbs; t; t = t->next)
		(void)sqlite3_busy_timeout(store_db_handle(t->db), ms);
	pthread_mutex_unlock(&ctx->lock);
}

int
srv_registration_parse(const char *name)
{
	static const struct {
		const char *name;
		enum srv_registration policy;
	} names[] = {
	    {"learners", SRV_REG_LEARNERS},
	    {"open", SRV_REG_OPEN},
	    {"invite", SRV_REG_INVITE},
	    {"closed", SRV_REG_CLOSED},
	};

	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i].name) == 0)
			return (int)names[i].policy;
	return -1;
}

/* ---- users ---- */

static const char *const role_names[] = {"learner", "instructor", "admin"};

const char *
srv_role_name(enum srv_role role)
{
	return (unsigned)role < 3 ? role_names[role] : "learner";
}

int
srv_role_parse(const char *name)
{
	for (int i = 0; name && i < 3; i++)
		if (strcmp(name, role_names[i]) == 0)
			return i;
	return -1;
}

unsigned
srv_user_dept_roles(const struct srv_user *user, const char *department_id)
{
	if (user == NULL || department_id == NULL || *department_id == '\0')
		return 0;
	for (int i = 0; i < user->n_depts; i++)
		if (strcmp(user->depts[i].department_id, department_id) == 0)
			return user->depts[i].roles;
	return 0;
}

int
srv_user_load(struct store_db *db, const char *id, struct srv_user *out)
{
	sqlite3_stmt *stmt;
	char key[LC_UUID_LEN + 1];
	int rc;

	/* id may point into *out (reloading a user in place): copy it before clearing. */
	snprintf(key, sizeof(key), "%s", id);
	id = key;
	memset(out, 0, sizeof(*out));
	rc = store_db_stmt(db, "SELECT id, username, role FROM users WHERE id = ?", &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return rc == SQLITE_DONE ? -LC_ENOTFOUND : store_db_fail(db, rc, "user");
	}
	snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(stmt, 0));
	snprintf(out->username, sizeof(out->username), "%s",
	         (const char *)sqlite3_column_text(stmt, 1));
	rc = srv_role_parse((const char *)sqlite3_column_text(stmt, 2));
	out->role = rc < 0 ? SRV_ROLE_LEARNER : (enum srv_role)rc;
	/*
	 * Reset on every way out: this runs outside requests too (seeding, the start-up
	 * connection), where a statement left on a row keeps a read snapshot that pins the
	 * WAL (perf review 2026-11-29, bottleneck 4).
	 */
	sqlite3_reset(stmt);
	rc = store_db_stmt(db,
	                   "SELECT department_id, roles FROM memberships WHERE user_id = ? "
	                   "ORDER BY department_id",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && out->n_depts < SRV_MAX_DEPTS) {
		struct srv_membership *m = &out->depts[out->n_depts++];

		snprintf(m->department_id, sizeof(m->department_id), "%s",
		         (const char *)sqlite3_column_text(stmt, 0));
		m->roles = (unsigned)sqlite3_column_int(stmt, 1);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = store_db_fail(db, rc, "memberships");
	else
		rc = 0;
	sqlite3_reset(stmt);
	return rc;
}
