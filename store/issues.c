/* SPDX-License-Identifier: MIT */
/*
 * Sync issues: writes the server refused and edits that collided, kept with the user's
 * content until the user discards them or queues them again.
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica-int.h"
#include "store/replica.h"

static void
issue_finish(struct store_issue *i)
{
	free(i->kind);
	free(i->method);
	free(i->path);
	free(i->message);
	free(i->type);
	free(i->res_id);
	free(i->mine);
	free(i->theirs);
	free(i->base);
}

void
store_issues_free(struct store_issue *issues, size_t n)
{
	for (size_t i = 0; issues != NULL && i < n; i++)
		issue_finish(&issues[i]);
	free(issues);
}

int
store_issues_list(struct store_db *db, struct store_issue **out, size_t *n)
{
	static const char sql[] = "SELECT id, kind, method, path, status, message, type, res_id,"
	                          " mine, theirs, base, created_at FROM issues"
	                          " ORDER BY created_at DESC, id DESC";
	sqlite3_stmt *stmt;
	struct store_issue *list = NULL;
	size_t len = 0, cap = 0;
	int rc = store_db_stmt(db, sql, &stmt);

	*out = NULL;
	*n = 0;
	if (rc != 0)
		return rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_issue *i;

		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			list = lc_realloc(list, cap * sizeof(*list));
		}
		i = &list[len++];
		i->id = sqlite3_column_int64(stmt, 0);
		i->kind = store_column_dup(stmt, 1);
		i->method = store_column_dup(stmt, 2);
		i->path = store_column_dup(stmt, 3);
		i->status = sqlite3_column_int(stmt, 4);
		i->message = store_column_dup(stmt, 5);
		i->type = store_column_dup(stmt, 6);
		i->res_id = store_column_dup(stmt, 7);
		i->mine = store_column_dup(stmt, 8);
		i->theirs = store_column_dup(stmt, 9);
		i->base = store_column_dup(stmt, 10);
		i->created_at = sqlite3_column_int64(stmt, 11);
	}
	if (rc != SQLITE_DONE) {
		rc = store_db_fail(db, rc, "listing sync issues");
		sqlite3_reset(stmt);
		store_issues_free(list, len);
		return rc;
	}
	sqlite3_reset(stmt);
	*out = list;
	*n = len;
	return 0;
}

int
store_issue_count(struct store_db *db, int64_t *n)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT count(*) FROM issues", &stmt);

	*n = 0;
	if (rc != 0)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(stmt, 0);
	rc = rc == SQLITE_ROW ? 0 : store_db_fail(db, rc, "counting sync issues");
	sqlite3_reset(stmt);
	return rc;
}

static int
issue_delete(struct store_db *db, int64_t id)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "DELETE FROM issues WHERE id = ?1", &stmt);

	if (rc != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	rc = store_replica_step_done(db, stmt, "removing a sync issue");
	if (rc == 0 && store_db_changes(db) == 0)
		rc = -LC_ENOTFOUND;
	return rc;
}

int
store_issue_discard(struct store_db *db, int64_t id)
{
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	return replica_end(db, issue_delete(db, id));
}

/* Copies the issue into a new outbox entry with a fresh key and no local effect. */
static int
requeue(struct store_db *db, int64_t id)
{
	static const char sql[] =
	    "INSERT INTO outbox(key, method, path, body, if_match, type, res_id, scope,"
	    " has_effect, created_at)"
	    " SELECT ?2, method, path, mine,"
	    " CASE WHEN kind = 'conflict' THEN theirs_rev ELSE if_match END,"
	    " type, res_id, scope, 0, ?3 FROM issues WHERE id = ?1";
	char key[LC_UUID_LEN + 1];
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, sql, &stmt);

	if (rc != 0)
		return rc;
	lc_uuid_new(key);
	sqlite3_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, key);
	sqlite3_bind_int64(stmt, 3, lc_now());
	rc = store_replica_step_done(db, stmt, "queueing a sync issue again");
	if (rc == 0 && store_db_changes(db) == 0)
		rc = -LC_ENOTFOUND;
	if (rc == 0)
		rc = issue_delete(db, id);
	return rc;
}

int
store_issue_retry(struct store_db *db, int64_t id)
{
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	return replica_end(db, requeue(db, id));
}
