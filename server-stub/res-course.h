/* SPDX-License-Identifier: MIT */
/*
 * What the course-side resource families (res-courses.c, res-modules.c, res-items.c,
 * res-questions.c, res-learning.c, res-forums.c) share: loading a course and the viewer's
 * standing in it, rendering each type's doc exactly as GET returns it (so /sync carries
 * the same bytes), emitting feed entries to the right scopes, and cascading deletes.
 *
 * Internal to server-stub/; never included from another folder.
 */
#ifndef SRV_RES_COURSE_H
#define SRV_RES_COURSE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/uuid.h"
#include "srv.h"
#include "store/db.h"

/* The facts about a course that permissions (ref) and rules need. */
struct rc_course {
	struct srv_course_ref ref;
	char status[16]; /* "draft", "published", "archived" */
	double pass_score;
	int64_t rev;
};

/* Loads a course. Returns 0, -LC_ENOTFOUND or -LC_EDB. */
int rc_course_load(struct store_db *db, const char *id, struct rc_course *out);
/*
 * Before a GET of a content row (module, item, question, topic): answers 404 when it
 * does not exist and 403/404 as perm.c says when the viewer may not read the course's
 * content. Returns true when the GET may go on.
 */
bool rc_content_check(struct srv_req *req, struct srv_resp *resp, const char *table, const char *id,
                      const char *kind);
/* Loads the course row id of table belongs to. Returns 0, -LC_ENOTFOUND, -LC_EDB. */
int rc_course_of(struct store_db *db, const char *table, const char *id, struct rc_course *course);
/*
 * Loads the course that row id of table (a fixed name; "courses" for the course itself)
 * belongs to. On failure answers resp (404 naming kind, or 500) and returns non-zero.
 */
int rc_load_for(struct srv_req *req, struct srv_resp *resp, const char *table, const char *id,
                const char *kind, struct rc_course *course);

/*
 * Renderers: the doc of one row as the viewer sees it, or NULL when the row does not
 * exist. staff says whether the viewer is course staff (answers, all attempts).
 * Caller frees with cJSON_Delete().
 */
cJSON *rc_course_doc(struct store_db *db, const char *id);
cJSON *rc_module_doc(struct store_db *db, const char *id);
cJSON *rc_item_doc(struct store_db *db, const char *id);
cJSON *rc_question_doc(struct store_db *db, const char *id, bool staff);
cJSON *rc_enrollment_doc(struct store_db *db, const char *id);
cJSON *rc_progress_doc(struct store_db *db, const char *id);
cJSON *rc_attempt_doc(struct store_db *db, const char *id);
cJSON *rc_topic_doc(struct store_db *db, const char *id);
cJSON *rc_reply_doc(struct store_db *db, const char *id);

/* Column helpers for renderers: SQL NULL becomes JSON null. */
void rc_put_text(cJSON *doc, const char *key, sqlite3_stmt *st, int col);
void rc_put_num(cJSON *doc, const char *key, sqlite3_stmt *st, int col);
void rc_put_bool(cJSON *doc, const char *key, sqlite3_stmt *st, int col);
void rc_put_json(cJSON *doc, const char *key, sqlite3_stmt *st, int col);
/* A new doc with id, rev, created_at, updated_at read from columns 0..3. */
cJSON *rc_doc_head(sqlite3_stmt *st);

/* The current time as RFC 3339, into out. */
void rc_now(char out[32]);

/*
 * Bumps rev and updated_at of the row id in table (a fixed table name, never input).
 * Returns 0 or a negative lc_err; *rev receives the new rev.
 */
int rc_touch(struct store_db *db, const char *table, const char *id, int64_t *rev);
/*
 * Like rc_touch(), for a PATCH whose row had rev *rev when it began: when the request
 * already bumped it (a move), only reads the new rev back, so one request adds one.
 */
int rc_touch_once(struct store_db *db, const char *table, const char *id, int64_t *rev);
/* Reads the rev of row id in table into *rev. Returns 0 or -LC_ENOTFOUND / -LC_EDB. */
int rc_rev(struct store_db *db, const char *table, const char *id, int64_t *rev);

/*
 * Feed. rc_emit() writes a change of a course's content row (module, item, question,
 * topic, reply) to course:<course_id>. rc_emit_course() writes a course change to its own
 * scope and to the catalog while published, or a catalog tombstone when it stops being
 * published (was_published). rc_emit_user_row() writes an enrollment or attempt to the
 * user's scope and the course's staff scope, a progress record to the user's only.
 */
int rc_emit(struct srv_req *req, const char *type, const char *id, int64_t rev,
            const char *course_id);
int rc_emit_course(struct srv_req *req, const char *id, bool was_published);
int rc_emit_user_row(struct srv_req *req, const char *type, const char *id, int64_t rev,
                     const char *course_id, const char *user_id);

/*
 * Deletes rows and writes their tombstones everywhere they were published.
 * rc_delete_item() takes its questions, progress and attempts; rc_delete_module() its
 * items; rc_delete_topic() its replies; rc_delete_course() everything of the course.
 */
int rc_delete_question(struct srv_req *req, const char *id);
int rc_delete_item(struct srv_req *req, const char *id);
int rc_delete_module(struct srv_req *req, const char *id);
int rc_delete_reply(struct srv_req *req, const char *id);
int rc_delete_topic(struct srv_req *req, const char *id);
int rc_delete_course(struct srv_req *req, const char *id);

/*
 * The percentage (0..100, rounded) of a course's required items user_id has completed;
 * all items count when none is required. -LC_EDB when it cannot be read.
 */
int rc_percent(struct store_db *db, const char *course_id, const char *user_id);

/*
 * Positions. rc_apply_order() gives ids (rows of table) the positions 1..n in that order,
 * bumping rev and emitting only the rows that moved. rc_place() renumbers the rows of
 * table under parent (parent_col = parent) so that moved_id (already inserted, or NULL
 * to just close gaps) sits at position (out of range: last).
 */
int rc_apply_order(struct srv_req *req, const char *table, const char *type, const char *course_id,
                   const char *const *ids, int n);
int rc_place(struct srv_req *req, const char *table, const char *type, const char *parent_col,
             const char *parent, const char *course_id, const char *moved_id, int64_t position);

/*
 * Sets column col of row id in table (both fixed identifiers) from a JSON value: string,
 * bool (0/1), number, array/object (as JSON text) or null. Returns 0 or -LC_EDB.
 */
int rc_set(struct store_db *db, const char *table, const char *col, const char *id,
           const cJSON *value);

/*
 * Runs a "SELECT count(*) ... ?" with one text parameter: the count, or -LC_EDB when it
 * cannot be read (a count is never guessed as 0: code review 2026-11-29, F6).
 */
int64_t rc_count(struct store_db *db, const char *sql, const char *param);

/* Renders one row's doc for rc_reply_children(); ctx is the caller's. */
typedef cJSON *(*rc_doc_fn)(struct store_db *db, const char *id, void *ctx);

/*
 * Replies 200 with one page of table's rows whose parent_col is parent_id, in position
 * order, each rendered by doc, and the total; 500 when the query cannot be prepared.
 * table and parent_col are fixed identifiers of the schema, never input.
 */
void rc_reply_children(struct srv_req *req, struct srv_resp *resp, const struct srv_page *page,
                       const char *table, const char *parent_col, const char *parent_id,
                       rc_doc_fn doc, void *ctx);

/*
 * For a renderer of a content row: loads the course of row id of table and answers 0 when
 * the viewer may read its content, -LC_ENOTFOUND when the row is gone or hidden, -LC_EDB
 * when it could not be read (an error, not a hidden row).
 */
int rc_render_course(struct srv_req *req, const char *table, const char *id,
                     struct rc_course *course);
/*
 * What a renderer returns for doc, just made by an rc_*_doc(): 0 when there is one, else
 * -LC_EDB when the read behind it failed (SQLite still holds the error) or -LC_ENOTFOUND
 * when the row is not there. Call it before any other statement runs on db.
 */
int rc_doc_result(struct store_db *db, const cJSON *doc);
/*
 * Appends doc (a row just listed, so it must render) to arr. Returns 0, or -LC_EDB when
 * doc is NULL: the row could not be read, and a list must not come back shorter for it.
 */
int rc_add_doc(struct store_db *db, cJSON *arr, cJSON *doc);

/* Text length in Unicode code points (bodies are limited in characters, not bytes). */
size_t rc_utf8_len(const char *s);

#endif
