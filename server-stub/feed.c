/* SPDX-License-Identifier: MIT */
/*
 * The change feed: one row per (scope, type, id), holding the latest rev and whether it
 * is a tombstone, with a seq that grows on every write. Replacing the older row on emit
 * keeps pulls proportional to what changed and makes the digest one query over live
 * rows. Rows are written in the request's transaction, so a change and its feed row
 * commit together.
 *
 * Tombstones older than SRV_TOMBSTONE_DAYS are purged at start and then at most hourly
 * (from /sync); the highest seq purged is kept in the meta table, and a replica whose
 * cursor is below it is told to reset the scope. /sync reads that value inside its
 * snapshot, so a purge committing at the same moment cannot slip between them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"

#define SRV_TOMBSTONE_DAYS 30
#define SRV_PURGE_INTERVAL 3600 /* seconds between purges while running */

int
srv_feed_emit(struct srv_req *req, const char *scope, const char *type, const char *id, int64_t rev,
              bool deleted)
{
	sqlite3_stmt *stmt;
	int rc;

	/* REPLACE deletes the older row of the key; AUTOINCREMENT never reuses its seq. */
	rc = store_db_stmt(req->db,
	                   "INSERT OR REPLACE INTO feed (scope, type, id, rev, deleted, at) "
	                   "VALUES (?, ?, ?, ?, ?, ?)",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, scope);
	store_bind_text(stmt, 2, type);
	store_bind_text(stmt, 3, id);
	sqlite3_bind_int64(stmt, 4, rev);
	sqlite3_bind_int(stmt, 5, deleted ? 1 : 0);
	sqlite3_bind_int64(stmt, 6, lc_now());
	rc = sqlite3_step(stmt);
	return rc == SQLITE_DONE ? 0 : store_db_fail(req->db, rc, "feed");
}

static int
emit_scoped(struct srv_req *req, const char *prefix, const char *owner, const char *type,
            const char *id, int64_t rev, bool deleted)
{
	char scope[64];

	snprintf(scope, sizeof(scope), "%s:%s", prefix, owner);
	return srv_feed_emit(req, scope, type, id, rev, deleted);
}

int
srv_feed_catalog(struct srv_req *req, const char *type, const char *id, int64_t rev, bool deleted)
{
	return srv_feed_emit(req, "catalog", type, id, rev, deleted);
}

int
srv_feed_user(struct srv_req *req, const char *user_id, const char *type, const char *id,
              int64_t rev, bool deleted)
{
	return emit_scoped(req, "user", user_id, type, id, rev, deleted);
}

int
srv_feed_course(struct srv_req *req, const char *course_id, const char *type, const char *id,
                int64_t rev, bool deleted)
{
	return emit_scoped(req, "course", course_id, type, id, rev, deleted);
}

int
srv_feed_staff(struct srv_req *req, const char *course_id, const char *type, const char *id,
               int64_t rev, bool deleted)
{
	return emit_scoped(req, "staff", course_id, type, id, rev, deleted);
}

int
srv_feed_delete_everywhere(struct srv_req *req, const char *type, const char *id, int64_t rev)
{
	sqlite3_stmt *stmt;
	char **scopes = NULL;
	size_t n = 0, cap = 0;
	int rc;

	/* Collect first: emitting rewrites the rows this query walks. */
	rc = store_db_stmt(
	    req->db, "SELECT scope FROM feed WHERE type = ? AND id = ? AND deleted = 0", &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, type);
	store_bind_text(stmt, 2, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			scopes = lc_realloc(scopes, cap * sizeof(*scopes));
		}
		scopes[n++] = store_column_dup(stmt, 0);
	}
	rc = rc == SQLITE_DONE ? 0 : store_db_fail(req->db, rc, "feed scopes");
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = srv_feed_emit(req, scopes[i], type, id, rev, true);
		free(scopes[i]);
	}
	free(scopes);
	return rc;
}

int
srv_feed_course_counts(struct srv_req *req, const char *course_id, const char *type, const char *id,
                       int64_t rev)
{
	char scope[64];
	sqlite3_stmt *stmt;
	int rc;

	snprintf(scope, sizeof(scope), "course:%s", course_id);
	/*
	 * The content seq and rev carry over from the live row this one replaces: its own
	 * when it was a full change, else what it carried. No live row (a tombstone, or none)
	 * leaves them NULL, so the change goes as a full doc.
	 */
	rc = store_db_stmt(req->db,
	                   "INSERT OR REPLACE INTO feed (scope, type, id, rev, deleted, at, "
	                   "content_seq, content_rev) SELECT ?1, ?2, ?3, ?4, 0, ?5, "
	                   "coalesce(p.content_seq, p.seq), coalesce(p.content_rev, p.rev) "
	                   "FROM (SELECT 1) LEFT JOIN feed p ON p.scope = ?1 AND p.type = ?2 "
	                   "AND p.id = ?3 AND p.deleted = 0",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, scope);
	store_bind_text(stmt, 2, type);
	store_bind_text(stmt, 3, id);
	sqlite3_bind_int64(stmt, 4, rev);
	sqlite3_bind_int64(stmt, 5, lc_now());
	rc = sqlite3_step(stmt);
	return rc == SQLITE_DONE ? 0 : store_db_fail(req->db, rc, "feed");
}

static int
meta_get_int(struct store_db *db, const char *key, int64_t *out)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT value FROM meta WHERE key = ?", &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, key);
	rc = store_db_next_row(db, stmt, key);
	*out = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	/* A failed read is not "never purged": that would skip a replica's reset. */
	return rc < 0 ? rc : 0;
}

static int
purge(struct store_db *db, int64_t *purged)
{
	sqlite3_stmt *stmt;
	int64_t cutoff = lc_now() - (int64_t)SRV_TOMBSTONE_DAYS * 86400, top = 0;
	int rc = store_db_stmt(db, "SELECT max(seq) FROM feed WHERE deleted = 1 AND at < ?", &stmt);

	if (rc != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, cutoff);
	rc = store_db_next_row(db, stmt, "purge cutoff");
	if (rc == 1)
		top = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc < 0)
		return rc;
	rc = 0;
	if (top > *purged) {
		rc = store_db_stmt(db, "DELETE FROM feed WHERE deleted = 1 AND seq <= ?", &stmt);
		if (rc == 0) {
			sqlite3_bind_int64(stmt, 1, top);
			rc = sqlite3_step(stmt) == SQLITE_DONE
			         ? 0
			         : store_db_fail(db, SQLITE_ERROR, "purge");
		}
		if (rc == 0)
			rc = store_db_stmt(db,
			                   "INSERT OR REPLACE INTO meta (key, value) "
			                   "VALUES ('feed_purged_seq', ?)",
			                   &stmt);
		if (rc == 0) {
			sqlite3_bind_int64(stmt, 1, top);
			rc = sqlite3_step(stmt) == SQLITE_DONE
			         ? 0
			         : store_db_fail(db, SQLITE_ERROR, "purge");
		}
		if (rc == 0)
			*purged = top;
	}
	/* Ended sessions: a token of theirs fails just the same without the row. */
	if (rc == 0) {
		rc = store_db_stmt(db, "DELETE FROM sessions WHERE revoked = 1 OR expires_at < ?",
		                   &stmt);
		if (rc == 0) {
			sqlite3_bind_int64(stmt, 1, lc_now());
			rc = sqlite3_step(stmt) == SQLITE_DONE
			         ? 0
			         : store_db_fail(db, SQLITE_ERROR, "purge sessions");
		}
	}
	if (rc == 0) {
		rc = store_db_stmt(db, "DELETE FROM idempotency WHERE created_at < ?", &stmt);
		if (rc == 0) {
			sqlite3_bind_int64(stmt, 1, lc_now() - SRV_IDEMPOTENCY_TTL);
			rc = sqlite3_step(stmt) == SQLITE_DONE
			         ? 0
			         : store_db_fail(db, SQLITE_ERROR, "purge");
		}
	}
	return rc;
}

/* One purge pass in its own transaction. */
static int
purge_pass(struct store_db *db, int64_t *purged)
{
	int rc = store_db_begin(db);

	if (rc == 0)
		rc = meta_get_int(db, "feed_purged_seq", purged);
	if (rc == 0)
		rc = purge(db, purged);
	if (rc == 0)
		rc = store_db_commit(db);
	if (rc != 0)
		store_db_rollback(db);
	return rc;
}

int
srv_feed_init(struct srv_ctx *ctx, struct store_db *db)
{
	int64_t purged = 0;
	int rc = purge_pass(db, &purged);

	if (rc != 0)
		return rc;
	if (purged > 0)
		lc_log(LC_LOG_INFO, "feed: tombstones up to seq %lld purged", (long long)purged);
	ctx->last_purge = lc_now();
	return 0;
}

void
srv_feed_maintain(struct srv_ctx *ctx, struct store_db *db)
{
	int64_t now = lc_now(), purged = 0;
	bool due;

	pthread_mutex_lock(&ctx->lock);
	due = now - ctx->last_purge >= SRV_PURGE_INTERVAL;
	if (due)
		ctx->last_purge = now;
	pthread_mutex_unlock(&ctx->lock);
	if (due && purge_pass(db, &purged) != 0)
		lc_log(LC_LOG_WARN, "feed: purge failed: %s", store_db_error(db)->message);
}

int
srv_feed_purged(struct store_db *db, int64_t *out)
{
	return meta_get_int(db, "feed_purged_seq", out);
}

struct tomb_row {
	char *id;
	int64_t rev;
};

int
srv_feed_tombstone_where(struct srv_req *req, const char *table, const char *type,
                         const char *column, const char *value)
{
	char sql[160];
	sqlite3_stmt *stmt;
	struct tomb_row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id, rev FROM %s WHERE %s = ?", table, column);
	/* Uncached: srv_feed_delete_everywhere() below uses the statement cache. */
	rc = store_db_prepare_new(req->db, sql, &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, value);
	/*
	 * Collected first, then tombstoned: no statement stays open while the feed is
	 * written. A failed walk is an error, never "no more rows" (code review 2026-11-29,
	 * F6): the caller's DELETE must not run with rows left untombstoned.
	 */
	while ((rc = store_db_next_row(req->db, stmt, table)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			rows = lc_realloc(rows, cap * sizeof(*rows));
		}
		rows[n].id = store_column_dup(stmt, 0);
		rows[n++].rev = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = srv_feed_delete_everywhere(req, type, rows[i].id, rows[i].rev + 1);
		free(rows[i].id);
	}
	free(rows);
	return rc;
}
