/* SPDX-License-Identifier: MIT */
/*
 * Session settings and forum read marks.
 *
 * A read mark stores the topic's last activity as the replica knew it when the user read
 * it (the server's own timestamps), never the local clock, so a skewed clock cannot hide
 * or invent unread topics.
 */
#include <stdlib.h>

#include "common/err.h"
#include "store/replica-int.h"
#include "store/replica.h"

int
store_setting_get(struct store_db *db, const char *key, char **value)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT value FROM settings WHERE key = ?1", &stmt);

	*value = NULL;
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, key);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*value = store_column_dup(stmt, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, "reading a setting");
	sqlite3_reset(stmt);
	return rc;
}

static int
run_key_value(struct store_db *db, const char *sql, const char *key, const char *value,
              const char *context)
{
	sqlite3_stmt *stmt;
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	rc = store_db_stmt(db, sql, &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, key);
		if (value != NULL)
			store_bind_text(stmt, 2, value);
		rc = store_replica_step_done(db, stmt, context);
	}
	return replica_end(db, rc);
}

int
store_setting_set(struct store_db *db, const char *key, const char *value)
{
	if (key == NULL || value == NULL)
		return -LC_EINVAL;
	return run_key_value(db,
	                     "INSERT INTO settings(key, value) VALUES (?1, ?2)"
	                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	                     key, value, "writing a setting");
}

int
store_setting_delete(struct store_db *db, const char *key)
{
	if (key == NULL)
		return -LC_EINVAL;
	return run_key_value(db, "DELETE FROM settings WHERE key = ?1", key, NULL,
	                     "deleting a setting");
}

/* A topic's last activity: its own stamp or its newest reply's, whichever is later. */
#define TOPIC_ACTIVITY(t)                                                                          \
	"max(coalesce(" t ".sort_at, ''), coalesce((SELECT max(r.created_at) FROM resources r"     \
	" WHERE r.type = 'reply' AND r.parent_id = " t ".id AND r.deleted = 0), ''))"

int
store_topic_mark_read(struct store_db *db, const char *topic_id)
{
	if (topic_id == NULL)
		return -LC_EINVAL;
	return run_key_value(
	    db,
	    "INSERT INTO read_marks(topic_id, read_up_to) VALUES (?1,"
	    " coalesce((SELECT max(" TOPIC_ACTIVITY(
	        "t") ") FROM resources t"
	             " WHERE t.type = 'topic' AND t.id = ?1 AND t.deleted = 0), ''))"
	             " ON CONFLICT(topic_id) DO UPDATE SET read_up_to ="
	             " max(read_up_to, excluded.read_up_to)",
	    topic_id, NULL, "marking a topic read");
}

int
store_unread_count(struct store_db *db, const char *course_id, int64_t *n)
{
	/*
	 * GROUP BY +t.id, not t.id: grouping on the bare column made SQLite walk the whole
	 * resources_by_id range of every topic in the replica for each course (TUI start-up
	 * quadratic in courses, perf review cause 5); the unary + keeps the course's own
	 * (type, parent_id) range of resources_created.
	 *
	 * A topic is unread when it has no read mark, or when its own stamp or its newest
	 * reply's is past the mark (TOPIC_ACTIVITY's max, taken apart: the max of two is past
	 * the mark when one of them is, and a topic kept in two scopes counts once when either
	 * row says so). OR runs left to right and stops at the first true term, so the newest
	 * reply, a search in another part of the index per topic, is only looked up for a
	 * topic that has a mark its stamp is not past (issue 10, Home's first frame at
	 * 200,000 rows: it was a fifth of the frame's work, 40 searches per course drawn).
	 */
	static const char sql[] =
	    "SELECT count(*) FROM (SELECT t.id FROM resources t"
	    " LEFT JOIN read_marks m ON m.topic_id = t.id"
	    " WHERE t.type = 'topic' AND t.parent_id = ?1 AND t.deleted = 0"
	    " AND (m.read_up_to IS NULL OR coalesce(t.sort_at, '') > m.read_up_to"
	    " OR coalesce((SELECT max(r.created_at) FROM resources r WHERE r.type = 'reply'"
	    " AND r.parent_id = t.id AND r.deleted = 0), '') > m.read_up_to)"
	    " GROUP BY +t.id)";
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, sql, &stmt);

	*n = 0;
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, course_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(stmt, 0);
	rc = rc == SQLITE_ROW ? 0 : store_db_fail(db, rc, "counting unread topics");
	sqlite3_reset(stmt);
	return rc;
}
