/* SPDX-License-Identifier: MIT */
/*
 * The shared half of the course-side resources (see res-course.h): row renderers, rev
 * bumps, feed scopes and cascading deletes. Every doc is built here and nowhere else, so
 * a GET and a /sync change of the same row can never disagree.
 */
#include "res-course.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "srv.h"

void
rc_put_text(cJSON *doc, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(doc, key);
	else
		cJSON_AddStringToObject(doc, key, (const char *)sqlite3_column_text(st, col));
}

void
rc_put_num(cJSON *doc, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(doc, key);
	else
		cJSON_AddNumberToObject(doc, key, sqlite3_column_double(st, col));
}

void
rc_put_bool(cJSON *doc, const char *key, sqlite3_stmt *st, int col)
{
	cJSON_AddBoolToObject(doc, key, sqlite3_column_int(st, col) != 0);
}

void
rc_put_json(cJSON *doc, const char *key, sqlite3_stmt *st, int col)
{
	const char *text = (const char *)sqlite3_column_text(st, col);
	cJSON *v = text != NULL ? cJSON_Parse(text) : NULL;

	cJSON_AddItemToObject(doc, key, v != NULL ? v : cJSON_CreateNull());
}

cJSON *
rc_doc_head(sqlite3_stmt *st)
{
	cJSON *doc = cJSON_CreateObject();

	rc_put_text(doc, "id", st, 0);
	cJSON_AddNumberToObject(doc, "rev", (double)sqlite3_column_int64(st, 1));
	rc_put_text(doc, "created_at", st, 2);
	rc_put_text(doc, "updated_at", st, 3);
	return doc;
}

void
rc_now(char out[32])
{
	lc_rfc3339(lc_now(), out);
}

size_t
rc_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int ordered_ids(struct store_db *db, const char *table, const char *parent_col,
                       const char *parent, char ***ids, int *n);
static void free_ids(char **ids, int n);

/* Runs a prepared statement to its end, translating failure. */
static int
step_done(struct store_db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_db_fail(db, rc, what);
	return 0;
}

int
rc_course_load(struct store_db *db, const char *id, struct rc_course *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	rc = srv_course_ref_load(db, id, &out->ref);
	if (rc != 0)
		return rc;
	rc = store_db_stmt(db, "SELECT pass_score, rev, status FROM courses WHERE id = ?", &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? -LC_ENOTFOUND : store_db_fail(db, rc, "load course");
	}
	out->pass_score = sqlite3_column_double(st, 0);
	out->rev = sqlite3_column_int64(st, 1);
	snprintf(out->status, sizeof out->status, "%s", (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);
	return 0;
}

int
rc_course_of(struct store_db *db, const char *table, const char *id, struct rc_course *course)
{
	char sql[128], course_id[LC_UUID_LEN + 1] = "";
	sqlite3_stmt *st;
	int rc;

	if (strcmp(table, "courses") == 0)
		return rc_course_load(db, id, course);
	snprintf(sql, sizeof sql, "SELECT course_id FROM %s WHERE id = ?", table);
	rc = store_db_stmt(db, sql, &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, id);
	rc = store_db_next_row(db, st, table);
	if (rc == 1)
		snprintf(course_id, sizeof course_id, "%s",
		         (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	return course_id[0] != '\0' ? rc_course_load(db, course_id, course) : -LC_ENOTFOUND;
}

int
rc_load_for(struct srv_req *req, struct srv_resp *resp, const char *table, const char *id,
            const char *kind, struct rc_course *course)
{
	int rc = rc_course_of(req->db, table, id, course);

	if (rc == -LC_ENOTFOUND)
		srv_not_found(resp, kind);
	else if (rc != 0)
		srv_internal(req, resp, rc, "load course");
	return rc;
}

int
rc_rev(struct store_db *db, const char *table, const char *id, int64_t *rev)
{
	char sql[128];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "SELECT rev FROM %s WHERE id = ?", table);
	rc = store_db_stmt(db, sql, &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return -LC_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return store_db_fail(db, rc, "read rev");
	*rev = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int
rc_touch(struct store_db *db, const char *table, const char *id, int64_t *rev)
{
	char sql[128], now[32];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "UPDATE %s SET rev = rev + 1, updated_at = ? WHERE id = ?",
	         table);
	rc = store_db_stmt(db, sql, &st);
	if (rc != 0)
		return rc;
	rc_now(now);
	store_bind_text(st, 1, now);
	store_bind_text(st, 2, id);
	rc = step_done(db, st, "touch");
	return rc != 0 ? rc : rc_rev(db, table, id, rev);
}

/*
 * The display name of a user: "First Last", else the username, else "deleted user" (no
 * such user). Returns 0, or -LC_EDB when the user could not be read: a failed read is not
 * a deleted author. On failure SQLite's error code is left for rc_doc_result().
 */
static int
put_user_name(cJSON *doc, const char *key, struct store_db *db, const char *user_id)
{
	sqlite3_stmt *st;
	char name[256] = "deleted user";
	int rc = 0;

	if (user_id != NULL) {
		rc = store_db_stmt(
		    db,
		    "SELECT trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')),"
		    " username FROM users WHERE id = ?",
		    &st);
		if (rc != 0)
			return rc;
		store_bind_text(st, 1, user_id);
		rc = store_db_next_row(db, st, "user name");
		if (rc == 1) {
			const char *full = (const char *)sqlite3_column_text(st, 0);

			snprintf(name, sizeof name, "%s",
			         full != NULL && full[0] != '\0'
			             ? full
			             : (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
	}
	cJSON_AddStringToObject(doc, key, name);
	return 0;
}

/* Steps a renderer's SELECT; returns the head doc or NULL when there is no such row. */
static cJSON *
render_start(struct store_db *db, const char *sql, const char *id, sqlite3_stmt **st)
{
	if (store_db_stmt(db, sql, st) != 0)
		return NULL;
	store_bind_text(*st, 1, id);
	if (sqlite3_step(*st) != SQLITE_ROW) {
		sqlite3_reset(*st);
		return NULL;
	}
	return rc_doc_head(*st);
}

cJSON *
rc_course_doc(struct store_db *db, const char *id)
{
	sqlite3_stmt *st;
	char *owner;
	cJSON *doc = render_start(
	    db,
	    "SELECT id, rev, created_at, updated_at, title, description, code, keywords, "
	    "department_id, certification, pass_score, status, owner_id, "
	    "(SELECT count(*) FROM enrollments e WHERE e.course_id = courses.id), "
	    "(SELECT avg(rating) FROM reviews r WHERE r.course_id = courses.id) "
	    "FROM courses WHERE id = ?",
	    id, &st);

	if (doc == NULL)
		return NULL;
	rc_put_text(doc, "title", st, 4);
	rc_put_text(doc, "description", st, 5);
	rc_put_text(doc, "code", st, 6);
	rc_put_json(doc, "keywords", st, 7);
	rc_put_text(doc, "department_id", st, 8);
	rc_put_bool(doc, "certification", st, 9);
	rc_put_num(doc, "pass_score", st, 10);
	rc_put_text(doc, "status", st, 11);
	rc_put_text(doc, "owner_id", st, 12);
	cJSON_AddNumberToObject(doc, "enrolled_count", sqlite3_column_int(st, 13));
	rc_put_num(doc, "rating", st, 14);
	owner = store_column_dup(st, 12);
	/* Reset first: SQLite must still hold put_user_name()'s error when it returns. */
	sqlite3_reset(st);
	if (put_user_name(doc, "owner_name", db, owner) != 0) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	free(owner);
	return doc;
}

cJSON *
rc_module_doc(struct store_db *db, const char *id)
{
	sqlite3_stmt *st;
	cJSON *doc =
	    render_start(db,
	                 "SELECT id, rev, created_at, updated_at, course_id, title, position "
	                 "FROM modules WHERE id = ?",
	                 id, &st);

	if (doc == NULL)
		return NULL;
	rc_put_text(doc, "course_id", st, 4);
	rc_put_text(doc, "title", st, 5);
	rc_put_num(doc, "position", st, 6);
	sqlite3_reset(st);
	return doc;
}

cJSON *
rc_item_doc(struct store_db *db, const char *id)
{
	static const char *const keys[] = {"module_id", "course_id", "title", "kind",
	                                   "body",      "url",       "due_at"};
	sqlite3_stmt *st;
	cJSON *doc = render_start(
	    db,
	    "SELECT id, rev, created_at, updated_at, module_id, course_id, title, kind, body, "
	    "url, due_at, points, required, max_attempts, position FROM items WHERE id = ?",
	    id, &st);

	if (doc == NULL)
		return NULL;
	for (int i = 0; i < 7; i++)
		rc_put_text(doc, keys[i], st, 4 + i);
	rc_put_num(doc, "points", st, 11);
	rc_put_bool(doc, "required", st, 12);
	rc_put_num(doc, "max_attempts", st, 13);
	rc_put_num(doc, "position", st, 14);
	sqlite3_reset(st);
	return doc;
}

cJSON *
rc_question_doc(struct store_db *db, const char *id, bool staff)
{
	sqlite3_stmt *st;
	cJSON *doc =
	    render_start(db,
	                 "SELECT id, rev, created_at, updated_at, item_id, course_id, prompt, "
	                 "kind, choices, points, tolerance, position, answer, explanation "
	                 "FROM questions WHERE id = ?",
	                 id, &st);

	if (doc == NULL)
		return NULL;
	rc_put_text(doc, "item_id", st, 4);
	rc_put_text(doc, "course_id", st, 5);
	rc_put_text(doc, "prompt", st, 6);
	rc_put_text(doc, "kind", st, 7);
	rc_put_json(doc, "choices", st, 8);
	rc_put_num(doc, "points", st, 9);
	rc_put_num(doc, "tolerance", st, 10);
	rc_put_num(doc, "position", st, 11);
	/* The explanation gives the answer away: for staff only, like the answer itself. */
	if (staff) {
		rc_put_json(doc, "answer", st, 12);
		rc_put_text(doc, "explanation", st, 13);
	}
	sqlite3_reset(st);
	return doc;
}

cJSON *
rc_enrollment_doc(struct store_db *db, const char *id)
{
	sqlite3_stmt *st;
	cJSON *doc = render_start(db,
	                          "SELECT e.id, e.rev, e.created_at, e.updated_at, e.course_id, "
	                          "e.user_id, u.username FROM enrollments e "
	                          "LEFT JOIN users u ON u.id = e.user_id WHERE e.id = ?",
	                          id, &st);

	if (doc == NULL)
		return NULL;
	rc_put_text(doc, "course_id", st, 4);
	rc_put_text(doc, "user_id", st, 5);
	rc_put_text(doc, "username", st, 6);
	sqlite3_reset(st);
	return doc;
}

cJSON *
rc_progress_doc(struct store_db *db, const char *id)
{
	sqlite3_stmt *st;
	cJSON *doc = render_start(db,
	                          "SELECT id, rev, created_at, updated_at, item_id, course_id, "
	                          "user_id, status, time_spent, score FROM progress WHERE id = ?",
	                          id, &st);

	if (doc == NULL)
		return NULL;
	rc_put_text(doc, "item_id", st, 4);
	rc_put_text(doc, "course_id", st, 5);
	rc_put_text(doc, "user_id", st, 6);
	rc_put_text(doc, "status", st, 7);
	rc_put_num(doc, "time_spent", st, 8);
	rc_put_num(doc, "score", st, 9);
	sqlite3_reset(st);
	return doc;
}

cJSON *
rc_attempt_doc(struct store_db *db, const char *id)
{
	sqlite3_stmt *st;
	cJSON *doc = render_start(db,
	                          "SELECT id, rev, created_at, updated_at, item_id, course_id, "
	                          "user_id, answers, score, max_score, passed, results, "
	                          "submitted_at, started_at FROM attempts WHERE id = ?",
	                          id, &st);

	if (doc == NULL)
		return NULL;
	rc_put_text(doc, "item_id", st, 4);
	rc_put_text(doc, "course_id", st, 5);
	rc_put_text(doc, "user_id", st, 6);
	rc_put_json(doc, "answers", st, 7);
	rc_put_num(doc, "score", st, 8);
	rc_put_num(doc, "max_score", st, 9);
	rc_put_bool(doc, "passed", st, 10);
	rc_put_json(doc, "results", st, 11);
	rc_put_text(doc, "submitted_at", st, 12);
	rc_put_text(doc, "started_at", st, 13);
	sqlite3_reset(st);
	return doc;
}

cJSON *
rc_topic_doc(struct store_db *db, const char *id)
{
	sqlite3_stmt *st;
	char *author;
	cJSON *doc = render_start(
	    db,
	    "SELECT id, rev, created_at, updated_at, course_id, title, body, author_id, "
	    "last_activity_at, (SELECT count(*) FROM replies r WHERE r.topic_id = topics.id) "
	    "FROM topics WHERE id = ?",
	    id, &st);

	if (doc == NULL)
		return NULL;
	rc_put_text(doc, "course_id", st, 4);
	rc_put_text(doc, "title", st, 5);
	rc_put_text(doc, "body", st, 6);
	rc_put_text(doc, "author_id", st, 7);
	rc_put_text(doc, "last_activity_at", st, 8);
	cJSON_AddNumberToObject(doc, "reply_count", sqlite3_column_int(st, 9));
	author = store_column_dup(st, 7);
	sqlite3_reset(st);
	if (put_user_name(doc, "author_name", db, author) != 0) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	free(author);
	return doc;
}

cJSON *
rc_reply_doc(struct store_db *db, const char *id)
{
	sqlite3_stmt *st;
	char *author;
	cJSON *doc =
	    render_start(db,
	                 "SELECT id, rev, created_at, updated_at, topic_id, course_id, body, "
	                 "author_id FROM replies WHERE id = ?",
	                 id, &st);

	if (doc == NULL)
		return NULL;
	rc_put_text(doc, "topic_id", st, 4);
	rc_put_text(doc, "course_id", st, 5);
	rc_put_text(doc, "body", st, 6);
	rc_put_text(doc, "author_id", st, 7);
	author = store_column_dup(st, 7);
	sqlite3_reset(st);
	if (put_user_name(doc, "author_name", db, author) != 0) {
		cJSON_Delete(doc);
		doc = NULL;
	}
	free(author);
	return doc;
}

int
rc_emit(struct srv_req *req, const char *type, const char *id, int64_t rev, const char *course_id)
{
	return srv_feed_course(req, course_id, type, id, rev, false);
}

int
rc_emit_user_row(struct srv_req *req, const char *type, const char *id, int64_t rev,
                 const char *course_id, const char *user_id)
{
	int rc = srv_feed_user(req, user_id, type, id, rev, false);

	if (rc == 0 && strcmp(type, "progress") != 0)
		rc = srv_feed_staff(req, course_id, type, id, rev, false);
	return rc;
}

int
rc_emit_course(struct srv_req *req, const char *id, bool was_published)
{
	struct rc_course c;
	int rc = rc_course_load(req->db, id, &c);
	bool published;

	if (rc != 0)
		return rc;
	published = c.ref.status == SRV_COURSE_PUBLISHED;
	rc = srv_feed_course(req, id, "course", id, c.rev, false);
	/* Leaving the catalog is a tombstone there; the course itself lives on. */
	if (rc == 0 && (published || was_published))
		rc = srv_feed_catalog(req, "course", id, c.rev, !published);
	return rc;
}

/* Deletes the rows of table whose column where equals value, tombstoning each. */
static int
delete_where(struct srv_req *req, const char *table, const char *type, const char *where,
             const char *value)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc = srv_feed_tombstone_where(req, table, type, where, value);

	if (rc != 0)
		return rc;
	snprintf(sql, sizeof sql, "DELETE FROM %s WHERE %s = ?", table, where);
	rc = store_db_stmt(req->db, sql, &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, value);
	return step_done(req->db, st, "cascade delete");
}

int
rc_delete_question(struct srv_req *req, const char *id)
{
	return delete_where(req, "questions", "question", "id", id);
}

int
rc_delete_item(struct srv_req *req, const char *id)
{
	int rc = delete_where(req, "questions", "question", "item_id", id);

	if (rc == 0)
		rc = delete_where(req, "progress", "progress", "item_id", id);
	if (rc == 0)
		rc = delete_where(req, "attempts", "attempt", "item_id", id);
	if (rc == 0)
		rc = delete_where(req, "items", "item", "id", id);
	return rc;
}

int
rc_delete_module(struct srv_req *req, const char *id)
{
	int n = 0;
	char **items;
	int rc = ordered_ids(req->db, "items", "module_id", id, &items, &n);

	/* Ids first: the loop deletes from the table it would otherwise be reading. */
	for (int i = 0; rc == 0 && i < n; i++)
		rc = rc_delete_item(req, items[i]);
	free_ids(items, n);
	if (rc == 0)
		rc = delete_where(req, "modules", "module", "id", id);
	return rc;
}

int
rc_delete_reply(struct srv_req *req, const char *id)
{
	return delete_where(req, "replies", "reply", "id", id);
}

int
rc_delete_topic(struct srv_req *req, const char *id)
{
	int rc = delete_where(req, "replies", "reply", "topic_id", id);

	if (rc == 0)
		rc = delete_where(req, "topics", "topic", "id", id);
	return rc;
}

int
rc_delete_course(struct srv_req *req, const char *id)
{
	static const char *const tables[][2] = {
	    {"questions", "question"}, {"progress", "progress"},      {"attempts", "attempt"},
	    {"items", "item"},         {"modules", "module"},         {"replies", "reply"},
	    {"topics", "topic"},       {"enrollments", "enrollment"},
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof tables / sizeof tables[0]; i++)
		rc = delete_where(req, tables[i][0], tables[i][1], "course_id", id);
	if (rc == 0)
		rc = delete_where(req, "courses", "course", "id", id);
	return rc;
}

int
rc_percent(struct store_db *db, const char *course_id, const char *user_id)
{
	sqlite3_stmt *st;
	int total = 0, done = 0, rc;

	/* Optional items count only when a course has nothing but optional items. */
	rc = store_db_stmt(db,
	                   "SELECT count(*), count(p.id) FROM items i LEFT JOIN progress p "
	                   "ON p.item_id = i.id AND p.user_id = ?2 AND p.status = 'completed' "
	                   "WHERE i.course_id = ?1 AND (i.required = 1 OR NOT EXISTS "
	                   "(SELECT 1 FROM items r WHERE r.course_id = ?1 AND r.required = 1))",
	                   &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, course_id);
	store_bind_text(st, 2, user_id);
	rc = store_db_next_row(db, st, "percent");
	if (rc == 1) {
		total = sqlite3_column_int(st, 0);
		done = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	return total > 0 ? (int)((100 * done + total / 2) / total) : 0;
}

int64_t
rc_count(struct store_db *db, const char *sql, const char *param)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	int rc = store_db_stmt(db, sql, &st);

	if (rc != 0)
		return rc;
	store_bind_text(st, 1, param);
	rc = store_db_next_row(db, st, "count");
	if (rc == 1)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : n;
}

void
rc_reply_children(struct srv_req *req, struct srv_resp *resp, const struct srv_page *page,
                  const char *table, const char *parent_col, const char *parent_id, rc_doc_fn doc,
                  void *ctx)
{
	char sql[160];
	sqlite3_stmt *st;
	cJSON *items;
	int64_t total;
	int rc;

	snprintf(sql, sizeof sql,
	         "SELECT id FROM %s WHERE %s = ? ORDER BY position LIMIT ? OFFSET ?", table,
	         parent_col);
	if (store_db_prepare_new(req->db, sql, &st) != 0) {
		srv_internal(req, resp, -LC_EDB, table);
		return;
	}
	store_bind_text(st, 1, parent_id);
	sqlite3_bind_int64(st, 2, page->limit);
	sqlite3_bind_int64(st, 3, page->offset);
	items = cJSON_CreateArray();
	while ((rc = store_db_next_row(req->db, st, table)) == 1) {
		rc = rc_add_doc(req->db, items,
		                doc(req->db, (const char *)sqlite3_column_text(st, 0), ctx));
		if (rc != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc < 0) {
		/* A failed walk is a 500, not a short page (code review 2026-11-29, F6). */
		cJSON_Delete(items);
		srv_internal(req, resp, rc, table);
		return;
	}
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE %s = ?", table, parent_col);
	total = rc_count(req->db, sql, parent_id);
	if (total < 0) {
		cJSON_Delete(items);
		srv_internal(req, resp, (int)total, table);
		return;
	}
	srv_reply(resp, 200, srv_page_body(page, items, total));
}

/*
 * Reads the ids of table's rows under parent (ordered by position) into a new array *ids
 * of *n (free with free_ids() whatever the result). Returns 0 or -LC_EDB.
 */
static int
ordered_ids(struct store_db *db, const char *table, const char *parent_col, const char *parent,
            char ***ids, int *n)
{
	char sql[160];
	sqlite3_stmt *st;
	int cap = 0, rc;

	*ids = NULL;
	*n = 0;
	snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE %s = ? ORDER BY position, created_at",
	         table, parent_col);
	rc = store_db_prepare_new(db, sql, &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, parent);
	while ((rc = store_db_next_row(db, st, table)) == 1) {
		if (*n == cap) {
			cap = cap > 0 ? cap * 2 : 16;
			*ids = lc_realloc(*ids, (size_t)cap * sizeof **ids);
		}
		(*ids)[(*n)++] = lc_strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return rc;
}

static void
free_ids(char **ids, int n)
{
	for (int i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int
rc_apply_order(struct srv_req *req, const char *table, const char *type, const char *course_id,
               const char *const *ids, int n)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc = 0;

	snprintf(sql, sizeof sql,
	         "UPDATE %s SET position = ?, rev = rev + 1, updated_at = ? "
	         "WHERE id = ? AND position != ?",
	         table);
	for (int i = 0; rc == 0 && i < n; i++) {
		char now[32];
		int64_t rev;

		rc = store_db_stmt(req->db, sql, &st);
		if (rc != 0)
			break;
		srv_now(now);
		sqlite3_bind_int(st, 1, i + 1);
		store_bind_text(st, 2, now);
		store_bind_text(st, 3, ids[i]);
		sqlite3_bind_int(st, 4, i + 1);
		rc = step_done(req->db, st, "reorder");
		/* Only rows whose position really moved change rev and reach the feed. */
		if (rc == 0 && store_db_changes(req->db) > 0) {
			rc = rc_rev(req->db, table, ids[i], &rev);
			if (rc == 0)
				rc = rc_emit(req, type, ids[i], rev, course_id);
		}
	}
	return rc;
}

int
rc_place(struct srv_req *req, const char *table, const char *type, const char *parent_col,
         const char *parent, const char *course_id, const char *moved_id, int64_t position)
{
	int n = 0, k = 0;
	char **ids;
	int rc = ordered_ids(req->db, table, parent_col, parent, &ids, &n);
	const char **order;

	if (rc != 0) {
		free_ids(ids, n);
		return rc;
	}
	order = lc_calloc((size_t)n + 1, sizeof *order);
	if (position < 1 || position > n)
		position = n;
	for (int i = 0; i < n; i++) {
		if (moved_id != NULL && strcmp(ids[i], moved_id) == 0)
			continue;
		if (moved_id != NULL && k == position - 1)
			order[k++] = moved_id;
		order[k++] = ids[i];
	}
	if (moved_id != NULL && k < n)
		order[k++] = moved_id;
	rc = rc_apply_order(req, table, type, course_id, order, k);
	free(order);
	free_ids(ids, n);
	return rc;
}

int
rc_set(struct store_db *db, const char *table, const char *col, const char *id, const cJSON *value)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof sql, "UPDATE %s SET %s = ? WHERE id = ?", table, col);
	rc = store_db_stmt(db, sql, &st);
	if (rc != 0)
		return rc;
	if (cJSON_IsString(value))
		store_bind_text(st, 1, value->valuestring);
	else if (cJSON_IsBool(value))
		sqlite3_bind_int(st, 1, cJSON_IsTrue(value) ? 1 : 0);
	else if (cJSON_IsNumber(value) && fabs(value->valuedouble) <= 9007199254740992.0 &&
	         value->valuedouble == floor(value->valuedouble))
		/* Range first: casting a double outside int64_t is undefined (code review F3). */
		sqlite3_bind_int64(st, 1, (int64_t)value->valuedouble);
	else if (cJSON_IsNumber(value))
		sqlite3_bind_double(st, 1, value->valuedouble);
	else if (cJSON_IsArray(value) || cJSON_IsObject(value)) {
		char *text = cJSON_PrintUnformatted(value);

		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
		cJSON_free(text);
	} else
		sqlite3_bind_null(st, 1);
	store_bind_text(st, 2, id);
	return step_done(db, st, "update field");
}

int
rc_touch_once(struct store_db *db, const char *table, const char *id, int64_t *rev)
{
	int64_t now_rev;
	int rc = rc_rev(db, table, id, &now_rev);

	if (rc != 0)
		return rc;
	/* A move already counted as this request's change: one request, one new rev. */
	if (now_rev > *rev) {
		*rev = now_rev;
		return 0;
	}
	return rc_touch(db, table, id, rev);
}

bool
rc_content_check(struct srv_req *req, struct srv_resp *resp, const char *table, const char *id,
                 const char *kind)
{
	struct rc_course course;

	return rc_load_for(req, resp, table, id, kind, &course) == 0 &&
	       srv_perm_check(srv_perm_course_content(req, &course.ref), resp, kind);
}

int
rc_add_doc(struct store_db *db, cJSON *arr, cJSON *doc)
{
	if (doc == NULL)
		return store_db_fail(db, sqlite3_errcode(store_db_handle(db)), "render listed row");
	cJSON_AddItemToArray(arr, doc);
	return 0;
}

int
rc_doc_result(struct store_db *db, const cJSON *doc)
{
	int code;

	if (doc != NULL)
		return 0;
	/* render_start() reset its statement, which leaves a failed step's code here. */
	code = sqlite3_errcode(store_db_handle(db));
	if (code != SQLITE_OK && code != SQLITE_ROW && code != SQLITE_DONE)
		return store_db_fail(db, code, "render");
	return -LC_ENOTFOUND;
}

int
rc_render_course(struct srv_req *req, const char *table, const char *id, struct rc_course *course)
{
	int rc = rc_course_of(req->db, table, id, course);

	if (rc != 0)
		return rc;
	return srv_perm_course_content(req, &course->ref) == SRV_ALLOW ? 0 : -LC_ENOTFOUND;
}
