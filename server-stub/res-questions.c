/* SPDX-License-Identifier: MIT */
/*
 * Questions of a quiz item. The stored answer is checked against the question's kind and
 * choices (grade.c) on create and on every patch that touches kind, choices or answer,
 * so an attempt can always be graded. Answers and explanations (a Lectern extension: why
 * the answer is right, Markdown) leave the server only in docs rendered for course staff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "grade.h"
#include "res-course.h"
#include "srv.h"

#define QUESTION_CHOICE_MAX 1000
#define QUESTION_CHOICES_MAX 20

static const char *const question_kinds[] = {"single", "multiple", "boolean",
                                             "short",  "numeric",  NULL};
static const char *const question_fields[] = {"prompt", "kind",      "choices",     "answer",
                                              "points", "tolerance", "explanation", NULL};

static int
question_render(struct srv_req *req, const char *id, cJSON **out)
{
	struct rc_course course;
	int rc = rc_render_course(req, "questions", id, &course);

	if (rc != 0)
		return rc;
	*out = rc_question_doc(req->db, id, srv_perm_course_staff(req, &course.ref) == SRV_ALLOW);
	return rc_doc_result(req->db, *out);
}

/*
 * Validates the fields of a question body. kind/choices/answer are checked together
 * against what the question will be once the body is applied (cur_* for a patch; NULL
 * on create).
 */
static void
question_check(struct srv_check *c, const cJSON *obj, bool create, const char *cur_kind,
               const cJSON *cur_choices, const cJSON *cur_answer, int64_t *position)
{
	const char *s, *kind = cur_kind;
	const cJSON *choices = cur_choices, *answer = cur_answer, *v;
	double d;
	int n;

	if (!cJSON_IsObject(obj)) {
		srv_check_bad(c, "question");
		return;
	}
	srv_get_str(c, obj, "prompt", create ? SRV_REQUIRED : 0, 1, SRV_MARKDOWN_MAX, &s);
	if (srv_get_enum(c, obj, "kind", create ? SRV_REQUIRED : 0, question_kinds, &s) == SRV_GOT)
		kind = s;
	if (srv_get_str_array(c, obj, "choices", SRV_NULLABLE, QUESTION_CHOICE_MAX,
	                      QUESTION_CHOICES_MAX, &v) == SRV_GOT)
		choices = v;
	srv_get_num(c, obj, "points", 0, 0, 1e6, &d);
	srv_get_num(c, obj, "tolerance", SRV_NULLABLE, 0, 1e12, &d);
	/* A Lectern extension (docs/api.md): Markdown shown to staff, like the answer. */
	srv_get_str(c, obj, "explanation", SRV_NULLABLE, 0, SRV_MARKDOWN_MAX, &s);
	*position = 0;
	srv_get_int(c, obj, "position", 0, 1, INT32_MAX, position);
	v = cJSON_GetObjectItemCaseSensitive(obj, "answer");
	if (v != NULL)
		answer = v;
	if (kind == NULL || answer == NULL) {
		if (create || v != NULL)
			srv_check_bad(c, "answer");
		return;
	}
	n = cJSON_IsArray(choices) ? cJSON_GetArraySize(choices) : 0;
	if ((strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0) && n < 2)
		srv_check_bad(c, "choices");
	if (!srv_grade_answer_valid(kind, answer, n))
		srv_check_bad(c, "answer");
}

static int
question_write_fields(struct store_db *db, const cJSON *obj, const char *id)
{
	int rc = 0;

	for (int i = 0; rc == 0 && question_fields[i] != NULL; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, question_fields[i]);

		if (v == NULL)
			continue;
		/* answer is JSON of any type; keep it as JSON text, never as a bare column. */
		if (strcmp(question_fields[i], "answer") == 0) {
			char *text = cJSON_PrintUnformatted(v);
			cJSON wrapped = {0};

			wrapped.type = cJSON_String;
			wrapped.valuestring = text;
			rc = rc_set(db, "questions", "answer", id, &wrapped);
			cJSON_free(text);
		} else {
			rc = rc_set(db, "questions", question_fields[i], id, v);
		}
	}
	return rc;
}

/* Loads the quiz item id's course; answers 404 / 400 and returns false when unusable. */
static bool
quiz_item(struct srv_req *req, struct srv_resp *resp, const char *item_id, struct rc_course *course,
          bool edit)
{
	sqlite3_stmt *st;
	bool quiz = false;
	int rc;

	if (rc_load_for(req, resp, "items", item_id, "item", course) != 0)
		return false;
	if (!srv_perm_check(edit ? srv_perm_course_edit(req, &course->ref)
	                         : srv_perm_course_content(req, &course->ref),
	                    resp, "item"))
		return false;
	rc = store_db_stmt(req->db, "SELECT kind = 'quiz' FROM items WHERE id = ?", &st);
	if (rc == 0) {
		store_bind_text(st, 1, item_id);
		rc = store_db_next_row(req->db, st, "item kind");
		quiz = rc == 1 && sqlite3_column_int(st, 0) != 0;
		sqlite3_reset(st);
	}
	if (rc < 0) {
		srv_internal(req, resp, rc, "item kind");
		return false;
	}
	if (!quiz && edit) {
		srv_error(resp, 400, "invalid_request_error",
		          "Invalid parameters: item_id (questions belong to quiz items)");
		return false;
	}
	return true;
}

static void
question_create(struct srv_req *req, struct srv_resp *resp)
{
	const char *item_id = req->params[0];
	struct rc_course course;
	struct srv_check c;
	char id[LC_UUID_LEN + 1], now[32];
	int64_t position, n;
	sqlite3_stmt *st;
	int rc;

	srv_check_init(&c);
	if (!quiz_item(req, resp, item_id, &course, true))
		goto out;
	srv_get_new_id(&c, req->body, id);
	question_check(&c, req->body, true, NULL, NULL, NULL, &position);
	if (srv_check_failed(&c, resp))
		goto out;
	if (!srv_id_free(req, resp, "questions", id, "question"))
		goto out;
	n = rc_count(req->db, "SELECT count(*) FROM questions WHERE item_id = ?", item_id);
	if (n < 0) {
		srv_internal(req, resp, (int)n, "questions");
		goto out;
	}
	if (position < 1 || position > n + 1)
		position = n + 1;
	srv_now(now);
	rc = store_db_stmt(req->db,
	                   "INSERT INTO questions (id, item_id, course_id, prompt, kind, answer, "
	                   "position, created_at, updated_at) VALUES (?, ?, ?, '', '', 'null', ?, "
	                   "?, ?)",
	                   &st);
	if (rc == 0) {
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, item_id);
		store_bind_text(st, 3, course.ref.id);
		sqlite3_bind_int64(st, 4, position);
		store_bind_text(st, 5, now);
		store_bind_text(st, 6, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "question");
		sqlite3_reset(st);
	}
	if (rc == 0)
		rc = question_write_fields(req->db, req->body, id);
	if (rc == 0)
		rc = rc_place(req, "questions", "question", "item_id", item_id, course.ref.id, id,
		              position);
	if (rc == 0)
		rc = rc_emit(req, "question", id, 1, course.ref.id);
	if (rc != 0)
		srv_internal(req, resp, rc, "create question");
	else
		srv_reply(resp, 201, rc_question_doc(req->db, id, true));
out:
	srv_check_finish(&c);
}

/* ctx points to the viewer's bool "is course staff" (answers are for staff only). */
static cJSON *
question_doc(struct store_db *db, const char *id, void *ctx)
{
	return rc_question_doc(db, id, *(const bool *)ctx);
}

static void
questions_list(struct srv_req *req, struct srv_resp *resp)
{
	const char *item_id = req->params[0];
	struct rc_course course;
	struct srv_check c;
	struct srv_page page;
	bool staff;

	srv_check_init(&c);
	if (!quiz_item(req, resp, item_id, &course, false))
		goto out;
	staff = srv_perm_course_staff(req, &course.ref) == SRV_ALLOW;
	srv_page_parse(req, &c, &page);
	if (srv_check_failed(&c, resp))
		goto out;
	rc_reply_children(req, resp, &page, "questions", "item_id", item_id, question_doc, &staff);
out:
	srv_check_finish(&c);
}

static void
question_get(struct srv_req *req, struct srv_resp *resp)
{
	cJSON *doc = NULL;
	int rc;

	if (!rc_content_check(req, resp, "questions", req->params[0], "question"))
		return;
	rc = question_render(req, req->params[0], &doc);
	if (rc == -LC_ENOTFOUND)
		srv_not_found(resp, "question");
	else if (rc != 0)
		srv_internal(req, resp, rc, "get question");
	else
		srv_reply(resp, 200, doc);
}

static void
question_patch(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct rc_course course;
	struct srv_check c;
	int64_t position = 0, rev = 0;
	cJSON *cur = NULL;
	char item_id[LC_UUID_LEN + 1] = "";
	int rc;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "questions", id, "question", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "question"))
		goto out;
	cur = rc_question_doc(req->db, id, true);
	if (cur == NULL) {
		srv_not_found(resp, "question");
		goto out;
	}
	snprintf(item_id, sizeof item_id, "%s",
	         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cur, "item_id")));
	question_check(&c, req->body, false,
	               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cur, "kind")),
	               cJSON_GetObjectItemCaseSensitive(cur, "choices"),
	               cJSON_GetObjectItemCaseSensitive(cur, "answer"), &position);
	if (srv_check_failed(&c, resp) || rc_rev(req->db, "questions", id, &rev) != 0 ||
	    !srv_if_match(req, resp, "question", id, rev))
		goto out;
	rc = question_write_fields(req->db, req->body, id);
	if (rc == 0 && position > 0)
		rc = rc_place(req, "questions", "question", "item_id", item_id, course.ref.id, id,
		              position);
	if (rc == 0)
		rc = rc_touch_once(req->db, "questions", id, &rev);
	if (rc == 0)
		rc = rc_emit(req, "question", id, rev, course.ref.id);
	if (rc != 0)
		srv_internal(req, resp, rc, "patch question");
	else
		srv_reply(resp, 200, rc_question_doc(req->db, id, true));
out:
	cJSON_Delete(cur);
	srv_check_finish(&c);
}

static void
question_delete(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct rc_course course;
	int64_t rev = 0;
	cJSON *cur;
	char item_id[LC_UUID_LEN + 1] = "";
	int rc;

	if (rc_load_for(req, resp, "questions", id, "question", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "question") ||
	    rc_rev(req->db, "questions", id, &rev) != 0 ||
	    !srv_if_match(req, resp, "question", id, rev))
		return;
	cur = rc_question_doc(req->db, id, true);
	snprintf(item_id, sizeof item_id, "%s",
	         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cur, "item_id")));
	cJSON_Delete(cur);
	rc = rc_delete_question(req, id);
	if (rc == 0)
		rc = rc_place(req, "questions", "question", "item_id", item_id, course.ref.id, NULL,
		              0);
	if (rc != 0)
		srv_internal(req, resp, rc, "delete question");
	else
		srv_reply(resp, 204, NULL);
}

const struct srv_route srv_routes_questions[] = {
    {"GET", "/items/{id}/questions", questions_list, 0, "", "page,limit", NULL},
    {"POST", "/items/{id}/questions", question_create, 0,
     "id,prompt,kind,choices,answer,points,tolerance,position,explanation", "", NULL},
    {"GET", "/questions/{id}", question_get, 0, "", "", NULL},
    {"PATCH", "/questions/{id}", question_patch, 0,
     "prompt,kind,choices,answer,points,tolerance,position,explanation", "", "question"},
    {"DELETE", "/questions/{id}", question_delete, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

const struct srv_type srv_types_questions[] = {
    {"question", question_render},
    {NULL, NULL},
};
