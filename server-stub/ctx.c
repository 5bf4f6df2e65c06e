/* SPDX-License-Identifier: MIT */
/*
 * The process context: the database path, one connection per thread (a store_db is
 * single-threaded; WAL lets them read side by side while one writes), the token signing
 * key kept in the database, and loading the caller of a request.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"

struct srv_thread_db {
	pthread_t thread;
	struct store_db *db;
	struct srv_thread_db *next;
};

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
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? -LC_ENOTFOUND : store_db_fail(db, rc, "user");
	snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(stmt, 0));
	snprintf(out->username, sizeof(out->username), "%s",
	         (const char *)sqlite3_column_text(stmt, 1));
	rc = srv_role_parse((const char *)sqlite3_column_text(stmt, 2));
	out->role = rc < 0 ? SRV_ROLE_LEARNER : (enum srv_role)rc;
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
		return store_db_fail(db, rc, "memberships");
	return 0;
}
