/* SPDX-License-Identifier: MIT */
/*
 * Drafts (issue 11, item 7): the text a user is writing, kept in the replica as they type
 * so that Ctrl-C, a crash or kill -9 loses at most the last pause's worth of keys. One row
 * per thing being written (the key); see store/replica.h.
 */
#include <stdlib.h>

#include "common/clock.h"
#include "common/err.h"
#include "store/replica-int.h"
#include "store/replica.h"

int
store_draft_put(struct store_db *db, const char *key, const char *text)
{
	sqlite3_stmt *stmt;
	int rc;

	if (key == NULL || text == NULL)
		return -LC_EINVAL;
	rc = store_db_stmt(db,
	                   "INSERT INTO drafts(key, text, updated_at) VALUES (?1, ?2, ?3)"
	                   " ON CONFLICT(key) DO UPDATE SET text = excluded.text,"
	                   " updated_at = excluded.updated_at",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, key);
	store_bind_text(stmt, 2, text);
	sqlite3_bind_int64(stmt, 3, lc_now());
	return store_replica_step_done(db, stmt, "saving a draft");
}

int
store_draft_get(struct store_db *db, const char *key, char **text, int64_t *updated_at)
{
	sqlite3_stmt *stmt;
	int rc;

	*text = NULL;
	if (updated_at != NULL)
		*updated_at = 0;
	if (key == NULL)
		return -LC_EINVAL;
	rc = store_db_stmt(db, "SELECT text, updated_at FROM drafts WHERE key = ?1", &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, key);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*text = store_column_dup(stmt, 0);
		if (updated_at != NULL)
			*updated_at = sqlite3_column_int64(stmt, 1);
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, "reading a draft");
	sqlite3_reset(stmt);
	return rc;
}

int
store_draft_delete(struct store_db *db, const char *key)
{
	sqlite3_stmt *stmt;
	int rc;

	if (key == NULL)
		return -LC_EINVAL;
	rc = store_db_stmt(db, "DELETE FROM drafts WHERE key = ?1", &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, key);
	return store_replica_step_done(db, stmt, "removing a draft");
}
