/* SPDX-License-Identifier: MIT */
/*
 * Learning: enrollments, progress records and quiz attempts. These are appends that never
 * conflict (DESIGN.md): an enrollment is unique per user and course, a progress record
 * per user and item, and a completed item never goes back to started. Attempts are
 * graded here (grade.c) and a passing one completes its item.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "grade.h"
#include "res-course.h"
#include "srv.h"

#define TIME_SPENT_MAX (10LL * 365 * 24 * 3600)

/*
 * Reads user_id of row id of table (enrollments, progress, attempts) into out. Returns 1,
 * 0 when there is no such row, -LC_EDB.
 */
static int
row_user(struct store_db *db, const char *table, const char *id, char out[LC_UUID_LEN + 1])
{
	char sql[96];
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	snprintf(sql, sizeof sql, "SELECT user_id FROM %s WHERE id = ?", table);
	rc = store_db_stmt(db, sql, &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, id);
	rc = store_db_next_row(db, st, table);
	if (rc == 1)
		snprintf(out, LC_UUID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc;
}

/* Renders a per-user row for its owner or the course's staff. */
static int
user_row_render(struct srv_req *req, const char *table, const char *id, cJSON **out,
                cJSON *(*doc_fn)(struct store_db *, const char *))
{
	char user_id[LC_UUID_LEN + 1];
	struct rc_course course;
	int rc;

	rc = row_user(req->db, table, id, user_id);
	if (rc != 1)
		return rc < 0 ? rc : -LC_ENOTFOUND;
	rc = rc_course_of(req->db, table, id, &course);
	if (rc != 0)
		return rc;
	if (srv_perm_enrollment(req, &course.ref, user_id) != SRV_ALLOW)
		return -LC_ENOTFOUND;
	*out = doc_fn(req->db, id);
	return rc_doc_result(req->db, *out);
}

static int
enrollment_render(struct srv_req *req, const char *id, cJSON **out)
{
	return user_row_render(req, "enrollments", id, out, rc_enrollment_doc);
}

static int
progress_render(struct srv_req *req, const char *id, cJSON **out)
{
	return user_row_render(req, "progress", id, out, rc_progress_doc);
}

static int
attempt_render(struct srv_req *req, const char *id, cJSON **out)
{
	return user_row_render(req, "attempts", id, out, rc_attempt_doc);
}

/* Answers a GET of one per-user row. */
static void
user_row_get(struct srv_req *req, struct srv_resp *resp, const char *kind, srv_render_fn render)
{
	cJSON *doc = NULL;
	int rc = render(req, req->params[0], &doc);

	if (rc == -LC_ENOTFOUND)
		srv_not_found(resp, kind);
	else if (rc != 0)
		srv_internal(req, resp, rc, kind);
	else
		srv_reply(resp, 200, doc);
}

static void
enrollment_create(struct srv_req *req, struct srv_resp *resp)
{
	struct rc_course course;
	struct srv_check c;
	char id[LC_UUID_LEN + 1], now[32];
	const char *course_id = NULL;
	sqlite3_stmt *st;
	int rc;

	srv_check_init(&c);
	srv_get_new_id(&c, req->body, id);
	srv_get_uuid(&c, req->body, "course_id", SRV_REQUIRED, &course_id);
	if (srv_check_failed(&c, resp) ||
	    rc_load_for(req, resp, "courses", course_id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_enroll(req, &course.ref), resp, "course"))
		goto out;
	rc = srv_is_enrolled(req->db, req->viewer->id, course_id);
	if (rc < 0) {
		srv_internal(req, resp, rc, "enrolled");
		goto out;
	}
	if (rc == 1) {
		srv_conflict(resp, "Already enrolled in this course");
		goto out;
	}
	if (!srv_id_free(req, resp, "enrollments", id, "enrollment"))
		goto out;
	srv_now(now);
	rc = store_db_stmt(
	    req->db,
	    "INSERT INTO enrollments (id, course_id, user_id, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?)",
	    &st);
	if (rc == 0) {
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, course_id);
		store_bind_text(st, 3, req->viewer->id);
		store_bind_text(st, 4, now);
		store_bind_text(st, 5, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "enroll");
		sqlite3_reset(st);
	}
	if (rc == 0)
		rc = rc_emit_user_row(req, "enrollment", id, 1, course_id, req->viewer->id);
	if (rc != 0)
		srv_internal(req, resp, rc, "enroll");
	else
		srv_reply(resp, 201, rc_enrollment_doc(req->db, id));
out:
	srv_check_finish(&c);
}

static void
enrollments_list(struct srv_req *req, struct srv_resp *resp)
{
	const char *course_id = srv_query(req, "course_id");
	struct rc_course course;
	struct srv_check c;
	struct srv_page page;
	sqlite3_stmt *st = NULL;
	cJSON *items = NULL;
	bool all = false;
	int64_t total = 0;
	int rc;

	srv_check_init(&c);
	srv_page_parse(req, &c, &page);
	if (course_id != NULL && !lc_uuid_valid(course_id))
		srv_check_bad(&c, "course_id");
	if (srv_check_failed(&c, resp))
		goto out;
	/* Staff asking about their course see everyone's; anyone else sees their own. */
	if (course_id != NULL && rc_course_load(req->db, course_id, &course) == 0)
		all = srv_perm_course_staff(req, &course.ref) == SRV_ALLOW;
	if (store_db_prepare_new(req->db,
	                         "SELECT id, count(*) OVER () FROM enrollments WHERE "
	                         "(?1 IS NULL OR course_id = ?1) AND (?2 = 1 OR user_id = ?3) "
	                         "ORDER BY created_at, id LIMIT ?4 OFFSET ?5",
	                         &st) != 0) {
		srv_internal(req, resp, -LC_EDB, "list enrollments");
		goto out;
	}
	store_bind_text(st, 1, course_id);
	sqlite3_bind_int(st, 2, all ? 1 : 0);
	store_bind_text(st, 3, req->viewer->id);
	sqlite3_bind_int64(st, 4, page.limit);
	sqlite3_bind_int64(st, 5, page.offset);
	items = cJSON_CreateArray();
	while ((rc = store_db_next_row(req->db, st, "list enrollments")) == 1) {
		total = sqlite3_column_int64(st, 1);
		rc = rc_add_doc(
		    req->db, items,
		    rc_enrollment_doc(req->db, (const char *)sqlite3_column_text(st, 0)));
		if (rc != 0)
			break;
	}
	if (rc < 0) {
		srv_internal(req, resp, rc, "list enrollments");
		goto out;
	}
	if (cJSON_GetArraySize(items) == 0)
		total = rc_count(req->db,
		                 all ? "SELECT count(*) FROM enrollments WHERE course_id = ?"
		                     : "SELECT count(*) FROM enrollments WHERE user_id = ?",
		                 all ? course_id : req->viewer->id);
	if (total < 0) {
		srv_internal(req, resp, (int)total, "list enrollments");
		goto out;
	}
	srv_reply(resp, 200, srv_page_body(&page, items, total));
	items = NULL;
out:
	cJSON_Delete(items);
	sqlite3_finalize(st);
	srv_check_finish(&c);
}

static void
enrollment_get(struct srv_req *req, struct srv_resp *resp)
{
	user_row_get(req, resp, "enrollment", enrollment_render);
}

static void
enrollment_delete(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	char user_id[LC_UUID_LEN + 1];
	struct rc_course course;
	int64_t rev = 0;
	sqlite3_stmt *st;
	int rc;

	rc = row_user(req->db, "enrollments", id, user_id);
	if (rc == 1)
		rc = rc_course_of(req->db, "enrollments", id, &course);
	if (rc < 0 && rc != -LC_ENOTFOUND) {
		srv_internal(req, resp, rc, "enrollment");
		return;
	}
	if (rc != 0) {
		srv_not_found(resp, "enrollment");
		return;
	}
	if (!srv_perm_check(srv_perm_enrollment(req, &course.ref, user_id), resp, "enrollment") ||
	    rc_rev(req->db, "enrollments", id, &rev) != 0 ||
	    !srv_if_match(req, resp, "enrollment", id, rev))
		return;
	/* Progress and attempts stay: enrolling again picks up where the learner left. */
	rc = srv_feed_delete_everywhere(req, "enrollment", id, rev + 1);
	if (rc == 0)
		rc = store_db_stmt(req->db, "DELETE FROM enrollments WHERE id = ?", &st);
	if (rc == 0) {
		store_bind_text(st, 1, id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "unenroll");
		sqlite3_reset(st);
	}
	if (rc != 0)
		srv_internal(req, resp, rc, "unenroll");
	else
		srv_reply(resp, 204, NULL);
}

/* Inserts a new progress record (rev 1) and emits it. */
static int
progress_insert(struct srv_req *req, const char *course_id, const char *item_id,
                const char *user_id, const char *status, int64_t time_spent, const double *score,
                const char *id)
{
	char now[32];
	sqlite3_stmt *st;
	int rc = store_db_stmt(req->db,
	                       "INSERT INTO progress (id, item_id, course_id, user_id, status, "
	                       "time_spent, score, created_at, updated_at) "
	                       "VALUES (?, ?, ?, ?, ?, max(?, 0), ?, ?, ?)",
	                       &st);

	if (rc != 0)
		return rc;
	srv_now(now);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, item_id);
	store_bind_text(st, 3, course_id);
	store_bind_text(st, 4, user_id);
	store_bind_text(st, 5, status);
	sqlite3_bind_int64(st, 6, time_spent);
	if (score != NULL)
		sqlite3_bind_double(st, 7, *score);
	store_bind_text(st, 8, now);
	store_bind_text(st, 9, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "progress");
	sqlite3_reset(st);
	return rc != 0 ? rc : rc_emit_user_row(req, "progress", id, 1, course_id, user_id);
}

/*
 * Records progress of user_id on item_id: creates the record or updates it, never moving
 * completed back to started; time_spent keeps the largest total reported (< 0: keep);
 * score keeps the best (NULL: keep). Bumps rev and emits only when something changed.
 * *id receives the record's id.
 */
static int
progress_record(struct srv_req *req, const char *course_id, const char *item_id,
                const char *user_id, const char *status, int64_t time_spent, const double *score,
                char id[LC_UUID_LEN + 1])
{
	char now[32];
	int64_t rev = 0;
	sqlite3_stmt *st;
	int rc, changed;

	id[0] = '\0';
	rc = store_db_stmt(req->db, "SELECT id FROM progress WHERE user_id = ? AND item_id = ?",
	                   &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, user_id);
	store_bind_text(st, 2, item_id);
	rc = store_db_next_row(req->db, st, "progress row");
	if (rc == 1)
		snprintf(id, LC_UUID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (id[0] == '\0') {
		lc_uuid_new(id);
		return progress_insert(req, course_id, item_id, user_id, status, time_spent, score,
		                       id);
	}
	rc = store_db_stmt(
	    req->db,
	    "UPDATE progress SET status = CASE WHEN status = 'completed' THEN status ELSE ?2 END, "
	    "time_spent = max(time_spent, ?3), score = CASE WHEN ?4 IS NULL THEN score "
	    "WHEN score IS NULL OR ?4 > score THEN ?4 ELSE score END, rev = rev + 1, "
	    "updated_at = ?5 WHERE id = ?1 AND (status != 'completed' AND status != ?2 OR "
	    "time_spent < ?3 OR (?4 IS NOT NULL AND (score IS NULL OR ?4 > score)))",
	    &st);
	if (rc != 0)
		return rc;
	srv_now(now);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, status);
	sqlite3_bind_int64(st, 3, time_spent);
	if (score != NULL)
		sqlite3_bind_double(st, 4, *score);
	store_bind_text(st, 5, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "progress");
	sqlite3_reset(st);
	changed = rc == 0 ? store_db_changes(req->db) : 0;
	if (rc == 0 && changed > 0)
		rc = rc_rev(req->db, "progress", id, &rev);
	if (rc == 0 && changed > 0)
		rc = rc_emit_user_row(req, "progress", id, rev, course_id, user_id);
	return rc;
}

static int item_quiz_limits(struct store_db *db, const char *item_id, bool *quiz,
                            int64_t *max_attempts);

/*
 * A page, link or assignment is completed by its learner saying so here; a quiz only by an
 * attempt reaching the course's pass score (attempt_create), so "completed" on a quiz is a
 * 409 (mission review 2026-11-29, B2). "started" on a quiz is fine.
 */
static void
progress_post(struct srv_req *req, struct srv_resp *resp)
{
	static const char *const statuses[] = {"started", "completed", NULL};
	const char *item_id = NULL, *status = NULL;
	int64_t time_spent = -1;
	char id[LC_UUID_LEN + 1];
	struct rc_course course;
	struct srv_check c;
	int64_t max_attempts;
	bool quiz = false;
	int rc;

	srv_check_init(&c);
	srv_get_uuid(&c, req->body, "item_id", SRV_REQUIRED, &item_id);
	srv_get_enum(&c, req->body, "status", SRV_REQUIRED, statuses, &status);
	srv_get_int(&c, req->body, "time_spent", 0, 0, TIME_SPENT_MAX, &time_spent);
	if (srv_check_failed(&c, resp) ||
	    rc_load_for(req, resp, "items", item_id, "item", &course) != 0 ||
	    !srv_perm_check(srv_perm_learn(req, &course.ref), resp, "item"))
		goto out;
	rc = item_quiz_limits(req->db, item_id, &quiz, &max_attempts);
	if (rc != 1) {
		srv_internal(req, resp, rc < 0 ? rc : -LC_ENOTFOUND, "progress item");
		goto out;
	}
	if (quiz && strcmp(status, "completed") == 0) {
		srv_conflict(resp, "A quiz is completed by a passing attempt, not by progress");
		goto out;
	}
	rc = progress_record(req, course.ref.id, item_id, req->viewer->id, status, time_spent, NULL,
	                     id);
	if (rc != 0)
		srv_internal(req, resp, rc, "progress");
	else
		srv_reply(resp, 200, rc_progress_doc(req->db, id));
out:
	srv_check_finish(&c);
}

static void
progress_course(struct srv_req *req, struct srv_resp *resp)
{
	const char *course_id = req->params[0];
	const char *user_id = srv_query(req, "user_id");
	struct rc_course course;
	sqlite3_stmt *st = NULL;
	int rc;
	cJSON *body, *items;

	if (rc_load_for(req, resp, "courses", course_id, "course", &course) != 0)
		return;
	if (user_id != NULL && strcmp(user_id, req->viewer->id) != 0) {
		if (!srv_perm_check(srv_perm_course_staff(req, &course.ref), resp, "course"))
			return;
	} else {
		user_id = req->viewer->id;
		if (!srv_perm_check(srv_perm_course_content(req, &course.ref), resp, "course"))
			return;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "course_id", course_id);
	cJSON_AddStringToObject(body, "user_id", user_id);
	rc = rc_percent(req->db, course_id, user_id);
	if (rc < 0) {
		cJSON_Delete(body);
		srv_internal(req, resp, rc, "percent");
		return;
	}
	cJSON_AddNumberToObject(body, "percent", rc);
	items = cJSON_AddArrayToObject(body, "items");
	rc = store_db_prepare_new(req->db,
	                          "SELECT p.item_id, p.status, p.score FROM progress p "
	                          "JOIN items i ON i.id = p.item_id JOIN modules m ON "
	                          "m.id = i.module_id WHERE p.course_id = ? AND p.user_id = ? "
	                          "ORDER BY m.position, i.position",
	                          &st);
	if (rc == 0) {
		store_bind_text(st, 1, course_id);
		store_bind_text(st, 2, user_id);
		while ((rc = store_db_next_row(req->db, st, "progress items")) == 1) {
			cJSON *it = cJSON_CreateObject();

			srv_json_add_col(it, "item_id", st, 0);
			srv_json_add_col(it, "status", st, 1);
			rc_put_num(it, "score", st, 2);
			cJSON_AddItemToArray(items, it);
		}
		sqlite3_finalize(st);
	}
	if (rc < 0) {
		cJSON_Delete(body);
		srv_internal(req, resp, rc, "progress");
		return;
	}
	srv_reply(resp, 200, body);
}

/* How many attempts user_id made at item_id, or -LC_EDB. */
static int64_t
attempts_of(struct store_db *db, const char *item_id, const char *user_id)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	int rc = store_db_stmt(
	    db, "SELECT count(*) FROM attempts WHERE item_id = ? AND user_id = ?", &st);

	if (rc != 0)
		return rc;
	store_bind_text(st, 1, item_id);
	store_bind_text(st, 2, user_id);
	rc = store_db_next_row(db, st, "count attempts");
	if (rc == 1)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc < 0 ? rc : n;
}

/*
 * Grades answers (an object question_id → value) against every question of item_id.
 * Returns the results array and fills *score and *max_score; NULL when the questions
 * cannot be read (a grade over some of them would be wrong).
 */
static cJSON *
attempt_grade(struct store_db *db, const char *item_id, const cJSON *answers, double *score,
              double *max_score)
{
	cJSON *results = cJSON_CreateArray();
	sqlite3_stmt *st;

	int rc;

	*score = 0;
	*max_score = 0;
	rc = store_db_prepare_new(db,
	                          "SELECT id, kind, answer, tolerance, points FROM questions "
	                          "WHERE item_id = ? ORDER BY position",
	                          &st);
	if (rc != 0) {
		cJSON_Delete(results);
		return NULL;
	}
	store_bind_text(st, 1, item_id);
	while ((rc = store_db_next_row(db, st, "grade")) == 1) {
		const char *qid = (const char *)sqlite3_column_text(st, 0);
		cJSON *answer = cJSON_Parse((const char *)sqlite3_column_text(st, 2));
		double points = sqlite3_column_double(st, 4);
		bool correct = srv_grade_correct((const char *)sqlite3_column_text(st, 1), answer,
		                                 sqlite3_column_double(st, 3),
		                                 cJSON_GetObjectItemCaseSensitive(answers, qid));
		cJSON *r = cJSON_CreateObject();

		cJSON_AddStringToObject(r, "question_id", qid);
		cJSON_AddBoolToObject(r, "correct", correct);
		cJSON_AddNumberToObject(r, "points", correct ? points : 0);
		cJSON_AddItemToArray(results, r);
		*max_score += points;
		if (correct)
			*score += points;
		cJSON_Delete(answer);
	}
	sqlite3_finalize(st);
	if (rc < 0) {
		cJSON_Delete(results);
		return NULL;
	}
	return results;
}

/*
 * The reveal opt-in (a Lectern extension, docs/api.md "Right answers after an attempt"):
 * adds each question's `answer` and `explanation` (null when none) to its result. The
 * caller decides when it may: only when knowing them cannot help a later attempt.
 * Returns 0 or -LC_EDB.
 */
static int
attempt_reveal(struct store_db *db, const char *item_id, cJSON *results)
{
	sqlite3_stmt *st;
	int rc = store_db_prepare_new(
	    db, "SELECT id, answer, explanation FROM questions WHERE item_id = ?", &st);

	if (rc != 0)
		return rc;
	store_bind_text(st, 1, item_id);
	while ((rc = store_db_next_row(db, st, "reveal")) == 1) {
		const char *qid = (const char *)sqlite3_column_text(st, 0);
		const char *why = (const char *)sqlite3_column_text(st, 2);
		cJSON *r, *answer;

		cJSON_ArrayForEach(r, results)
		{
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "question_id");

			if (!cJSON_IsString(id) || strcmp(id->valuestring, qid) != 0)
				continue;
			answer = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
			cJSON_AddItemToObject(r, "answer",
			                      answer != NULL ? answer : cJSON_CreateNull());
			if (why != NULL)
				cJSON_AddStringToObject(r, "explanation", why);
			else
				cJSON_AddNullToObject(r, "explanation");
			break;
		}
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : 0;
}

/* The item's kind and max_attempts (0: unlimited). Returns 1, 0 (no such item), -LC_EDB. */
static int
item_quiz_limits(struct store_db *db, const char *item_id, bool *quiz, int64_t *max_attempts)
{
	sqlite3_stmt *st;
	int rc = store_db_stmt(db,
	                       "SELECT kind = 'quiz', coalesce(max_attempts, 0) FROM items "
	                       "WHERE id = ?",
	                       &st);

	if (rc != 0)
		return rc;
	store_bind_text(st, 1, item_id);
	rc = store_db_next_row(db, st, "item kind");
	if (rc == 1) {
		*quiz = sqlite3_column_int(st, 0) != 0;
		*max_attempts = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc;
}

/* Inserts the graded attempt. */
static int
attempt_insert(struct srv_req *req, const char *id, const char *item_id, const char *course_id,
               const cJSON *answers, const cJSON *results, double score, double max_score,
               bool passed, const char *started_at, const char *submitted_at)
{
	char now[32], *answers_text = cJSON_PrintUnformatted(answers);
	char *results_text = cJSON_PrintUnformatted(results);
	sqlite3_stmt *st;
	int rc = store_db_stmt(req->db,
	                       "INSERT INTO attempts (id, item_id, course_id, user_id, answers, "
	                       "score, max_score, passed, results, started_at, submitted_at, "
	                       "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	                       "?, ?)",
	                       &st);

	srv_now(now);
	if (rc == 0) {
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, item_id);
		store_bind_text(st, 3, course_id);
		store_bind_text(st, 4, req->viewer->id);
		store_bind_text(st, 5, answers_text);
		sqlite3_bind_double(st, 6, score);
		sqlite3_bind_double(st, 7, max_score);
		sqlite3_bind_int(st, 8, passed ? 1 : 0);
		store_bind_text(st, 9, results_text);
		store_bind_text(st, 10, started_at);
		store_bind_text(st, 11, submitted_at != NULL ? submitted_at : now);
		store_bind_text(st, 12, now);
		store_bind_text(st, 13, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "attempt");
		sqlite3_reset(st);
	}
	cJSON_free(answers_text);
	cJSON_free(results_text);
	return rc;
}

static void
attempt_create(struct srv_req *req, struct srv_resp *resp)
{
	const char *item_id = req->params[0], *started = NULL, *submitted = NULL;
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(req->body, "answers");
	char id[LC_UUID_LEN + 1], progress_id[LC_UUID_LEN + 1];
	struct rc_course course;
	struct srv_check c;
	double score, max_score;
	int64_t max_attempts = 0, t;
	cJSON *results = NULL;
	bool quiz = false, passed, reveal = false;
	int64_t made = 0;
	int rc;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "items", item_id, "item", &course) != 0 ||
	    !srv_perm_check(srv_perm_learn(req, &course.ref), resp, "item"))
		goto out;
	srv_get_new_id(&c, req->body, id);
	if (!cJSON_IsObject(answers))
		srv_check_bad(&c, "answers");
	srv_get_time(&c, req->body, "started_at", SRV_NULLABLE, &t, &started);
	srv_get_time(&c, req->body, "submitted_at", SRV_NULLABLE, &t, &submitted);
	srv_get_bool(&c, req->body, "reveal", SRV_OPTIONAL, &reveal);
	rc = item_quiz_limits(req->db, item_id, &quiz, &max_attempts);
	srv_check_lookup(&c, rc < 0 ? rc : quiz, "item_id");
	if (srv_check_failed(&c, resp))
		goto out;
	if (!srv_id_free(req, resp, "attempts", id, "attempt"))
		goto out;
	if (max_attempts > 0) {
		made = attempts_of(req->db, item_id, req->viewer->id);
		if (made < 0) {
			srv_internal(req, resp, (int)made, "count attempts");
			goto out;
		}
		if (made >= max_attempts) {
			srv_conflict(resp, "No attempts left (%lld allowed)",
			             (long long)max_attempts);
			goto out;
		}
	}
	results = attempt_grade(req->db, item_id, answers, &score, &max_score);
	if (results == NULL) {
		srv_internal(req, resp, -LC_EDB, "grade");
		goto out;
	}
	passed = max_score > 0 && score / max_score >= course.pass_score - 1e-9;
	/*
	 * The right answers only when they cannot help a later attempt: this one passed, or
	 * it was the last one allowed. They are kept in the attempt's results, so its doc
	 * (201, GET, /sync) carries them from then on.
	 */
	rc = 0;
	if (reveal && (passed || (max_attempts > 0 && made + 1 >= max_attempts)))
		rc = attempt_reveal(req->db, item_id, results);
	if (rc != 0) {
		srv_internal(req, resp, rc, "reveal");
		goto out;
	}
	rc = attempt_insert(req, id, item_id, course.ref.id, answers, results, score, max_score,
	                    passed, started, submitted);
	if (rc == 0)
		rc = rc_emit_user_row(req, "attempt", id, 1, course.ref.id, req->viewer->id);
	if (rc == 0) {
		double fraction = max_score > 0 ? score / max_score : 0;

		rc = progress_record(req, course.ref.id, item_id, req->viewer->id,
		                     passed ? "completed" : "started", -1, &fraction, progress_id);
	}
	if (rc != 0)
		srv_internal(req, resp, rc, "attempt");
	else
		srv_reply(resp, 201, rc_attempt_doc(req->db, id));
out:
	cJSON_Delete(results);
	srv_check_finish(&c);
}

static void
attempts_list(struct srv_req *req, struct srv_resp *resp)
{
	const char *item_id = req->params[0];
	struct rc_course course;
	struct srv_check c;
	struct srv_page page;
	sqlite3_stmt *st = NULL;
	cJSON *items;
	int64_t total;
	bool all;
	int rc;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "items", item_id, "item", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_content(req, &course.ref), resp, "item"))
		goto out;
	all = srv_perm_course_staff(req, &course.ref) == SRV_ALLOW;
	srv_page_parse(req, &c, &page);
	if (srv_check_failed(&c, resp))
		goto out;
	if (store_db_prepare_new(req->db,
	                         "SELECT id FROM attempts WHERE item_id = ?1 AND (?2 = 1 OR "
	                         "user_id = ?3) ORDER BY created_at, id LIMIT ?4 OFFSET ?5",
	                         &st) != 0) {
		srv_internal(req, resp, -LC_EDB, "list attempts");
		goto out;
	}
	store_bind_text(st, 1, item_id);
	sqlite3_bind_int(st, 2, all ? 1 : 0);
	store_bind_text(st, 3, req->viewer->id);
	sqlite3_bind_int64(st, 4, page.limit);
	sqlite3_bind_int64(st, 5, page.offset);
	items = cJSON_CreateArray();
	while ((rc = store_db_next_row(req->db, st, "list attempts")) == 1) {
		rc = rc_add_doc(req->db, items,
		                rc_attempt_doc(req->db, (const char *)sqlite3_column_text(st, 0)));
		if (rc != 0)
			break;
	}
	if (rc < 0) {
		cJSON_Delete(items);
		srv_internal(req, resp, rc, "list attempts");
		goto out;
	}
	total = all ? rc_count(req->db, "SELECT count(*) FROM attempts WHERE item_id = ?", item_id)
	            : attempts_of(req->db, item_id, req->viewer->id);
	if (total < 0) {
		cJSON_Delete(items);
		srv_internal(req, resp, (int)total, "count attempts");
		goto out;
	}
	srv_reply(resp, 200, srv_page_body(&page, items, total));
out:
	sqlite3_finalize(st);
	srv_check_finish(&c);
}

const struct srv_route srv_routes_learning[] = {
    {"POST", "/enrollments", enrollment_create, 0, "id,course_id", "", NULL},
    {"GET", "/enrollments", enrollments_list, 0, "", "course_id,page,limit", NULL},
    {"GET", "/enrollments/{id}", enrollment_get, 0, "", "", NULL},
    {"DELETE", "/enrollments/{id}", enrollment_delete, 0, "", "", NULL},
    {"POST", "/progress", progress_post, 0, "id,item_id,status,time_spent", "", NULL},
    {"GET", "/progress/courses/{id}", progress_course, 0, "", "user_id", NULL},
    {"POST", "/items/{id}/attempts", attempt_create, 0, "id,answers,started_at,submitted_at,reveal",
     "", NULL},
    {"GET", "/items/{id}/attempts", attempts_list, 0, "", "page,limit", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

const struct srv_type srv_types_learning[] = {
    {"enrollment", enrollment_render},
    {"progress", progress_render},
    {"attempt", attempt_render},
    {NULL, NULL},
};
