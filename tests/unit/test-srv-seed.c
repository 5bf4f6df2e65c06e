/* SPDX-License-Identifier: MIT */
/*
 * The demo seed and the course-side resources, in process: a real database in a
 * temporary folder, every request through srv_dispatch() exactly as HTTP and /sync use it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/err.h"
#include "server-stub/srv.h"
#include "tests/unit/srv-demo-fixture.h"

/* Reads one text value from the database (the first column of the first row). */
static void
lookup(struct fixture *f, const char *sql, const char *param, char out[LC_UUID_LEN + 1])
{
	struct store_db *db = srv_ctx_db(&f->ctx);
	sqlite3_stmt *st;

	assert_int_equal(store_db_stmt(db, sql, &st), 0);
	store_bind_text(st, 1, param);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, LC_UUID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
}

/* Sends a request as username (NULL: anonymous); returns the body, *status the status. */
static cJSON *
call(struct fixture *f, const char *username, const char *method, const char *path,
     const char *body, int *status)
{
	struct srv_user user;
	struct srv_resp resp = {0};
	struct srv_call c = {0};
	cJSON *json = body != NULL ? cJSON_Parse(body) : NULL;
	bool replayed = false;
	cJSON *out;

	if (username != NULL) {
		char id[LC_UUID_LEN + 1];

		lookup(f, "SELECT id FROM users WHERE username = ?", username, id);
		assert_int_equal(srv_user_load(srv_ctx_db(&f->ctx), id, &user), 0);
		c.viewer = &user;
	}
	c.method = method;
	c.path = path;
	c.body = json;
	c.if_match = -1;
	c.request_id = "test";
	c.client_ip = "";
	srv_dispatch(&f->ctx, srv_ctx_db(&f->ctx), &c, &resp, &replayed);
	*status = resp.status;
	out = resp.body;
	resp.body = NULL;
	srv_resp_finish(&resp);
	cJSON_Delete(json);
	return out;
}

static void
test_seed_refuses_a_database_with_data(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;

	assert_int_equal(srv_seed_demo(&f->ctx, &cause), -LC_ECONFLICT);
	assert_non_null(cause);
	free(cause);
}

static void
test_seed_records_every_progress_step(void **state)
{
	struct fixture *f = *state;
	char n[LC_UUID_LEN + 1];

	/* UNIX101 3 done + 1 started + its passed quiz, C201 1 + 1, FR101 0 + 1, STAT101 2 + 1. */
	lookup(f,
	       "SELECT count(*) FROM progress p JOIN users u ON u.id = p.user_id "
	       "WHERE u.username = ?",
	       "learner", n);
	assert_string_equal(n, "11");
}

static void
test_catalog_shows_published_courses_only(void **state)
{
	struct fixture *f = *state;
	char draft[LC_UUID_LEN + 1], path[128];
	int status;
	cJSON *body = call(f, NULL, "GET", "/api/v1/courses?limit=100", NULL, &status);

	assert_int_equal(status, 200);
	assert_int_equal(cJSON_GetObjectItem(body, "total")->valueint, 9);
	cJSON_Delete(body);
	lookup(f, "SELECT id FROM courses WHERE code = ?", "NET201", draft);
	snprintf(path, sizeof path, "/api/v1/courses/%s", draft);
	cJSON_Delete(call(f, "learner", "GET", path, NULL, &status));
	assert_int_equal(status, 404);
	cJSON_Delete(call(f, "instructor", "GET", path, NULL, &status));
	assert_int_equal(status, 200);
	body = call(f, NULL, "GET", "/api/v1/courses?search=pipelin", NULL, &status);
	assert_int_equal(cJSON_GetObjectItem(body, "total")->valueint, 1);
	cJSON_Delete(body);
}

static void
test_answers_are_for_staff_only(void **state)
{
	struct fixture *f = *state;
	char item[LC_UUID_LEN + 1], path[128];
	int status;
	cJSON *body;

	lookup(f, "SELECT id FROM items WHERE title = ?", "Quiz: finding your way", item);
	snprintf(path, sizeof path, "/api/v1/items/%s/questions", item);
	body = call(f, "learner", "GET", path, NULL, &status);
	assert_int_equal(status, 200);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(body, "items"), 0),
	                                "answer"));
	cJSON_Delete(body);
	body = call(f, "instructor", "GET", path, NULL, &status);
	assert_non_null(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(body, "items"), 0), "answer"));
	cJSON_Delete(body);
}

static void
test_passing_attempt_completes_the_quiz(void **state)
{
	struct fixture *f = *state;
	char course[LC_UUID_LEN + 1], item[LC_UUID_LEN + 1], path[128], req[512];
	char q[5][LC_UUID_LEN + 1];
	const char *kinds[] = {"single", "multiple", "boolean", "short", "numeric"};
	int status;
	cJSON *body;

	lookup(f, "SELECT id FROM courses WHERE code = ?", "SQL101", course);
	lookup(f, "SELECT id FROM items WHERE title = ?", "Quiz: querying", item);
	snprintf(req, sizeof req, "{\"course_id\":\"%s\"}", course);
	cJSON_Delete(call(f, "learner", "POST", "/api/v1/enrollments", req, &status));
	assert_int_equal(status, 201);
	cJSON_Delete(call(f, "learner", "POST", "/api/v1/enrollments", req, &status));
	assert_int_equal(status, 409);
	for (int i = 0; i < 5; i++) {
		char sql[128];

		snprintf(sql, sizeof sql,
		         "SELECT id FROM questions WHERE item_id = ? AND kind = '%s'", kinds[i]);
		lookup(f, sql, item, q[i]);
	}
	snprintf(
	    req, sizeof req,
	    "{\"answers\":{\"%s\":2,\"%s\":[3,1,0],\"%s\":false,\"%s\":\" COUNT \",\"%s\":4.005}}",
	    q[0], q[1], q[2], q[3], q[4]);
	snprintf(path, sizeof path, "/api/v1/items/%s/attempts", item);
	body = call(f, "learner", "POST", path, req, &status);
	assert_int_equal(status, 201);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(body, "passed")));
	assert_int_equal(cJSON_GetObjectItem(body, "score")->valueint, 5);
	cJSON_Delete(body);
	snprintf(path, sizeof path, "/api/v1/progress/courses/%s", course);
	body = call(f, "learner", "GET", path, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(body, "items"), 0), "status")
	        ->valuestring,
	    "completed");
	cJSON_Delete(body);
}

/* The message of an error body. */
static const char *
error_message(const cJSON *body)
{
	return cJSON_GetStringValue(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(body, "error"), "message"));
}

static void
test_items_array_is_all_or_nothing(void **state)
{
	struct fixture *f = *state;
	char module[LC_UUID_LEN + 1], path[128], n[LC_UUID_LEN + 1];
	int status;
	cJSON *body;

	lookup(f, "SELECT id FROM modules WHERE title = ?", "Several tables", module);
	snprintf(path, sizeof path, "/api/v1/modules/%s/items", module);
	body = call(f, "instructor", "POST", path,
	            "[{\"title\":\"ok\",\"kind\":\"page\"},{\"title\":\"x\",\"kind\":\"page\","
	            "\"due_at\":\"soon\"},{\"title\":\"y\"}]",
	            &status);
	assert_int_equal(status, 400);
	assert_string_equal(error_message(body), "Invalid parameters: 1: due_at,2: kind");
	cJSON_Delete(body);
	lookup(f, "SELECT count(*) FROM items WHERE module_id = ?", module, n);
	assert_string_equal(n, "2");
	body = call(f, "instructor", "POST", path,
	            "[{\"title\":\"Views\",\"kind\":\"page\",\"position\":1},"
	            "{\"title\":\"Indexes\",\"kind\":\"page\"}]",
	            &status);
	assert_int_equal(status, 201);
	assert_int_equal(cJSON_GetArraySize(body), 2);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(body, 0), "position")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(body, 1), "position")->valueint, 4);
	cJSON_Delete(body);
}

static void
test_reorder_must_name_every_module_once(void **state)
{
	struct fixture *f = *state;
	char course[LC_UUID_LEN + 1], m1[LC_UUID_LEN + 1], m2[LC_UUID_LEN + 1];
	char path[128], req[256];
	int status;
	cJSON *body;

	lookup(f, "SELECT id FROM courses WHERE code = ?", "STAT101", course);
	lookup(f, "SELECT id FROM modules WHERE title = ?", "Describing data", m1);
	lookup(f, "SELECT id FROM modules WHERE title = ?", "Chance", m2);
	snprintf(path, sizeof path, "/api/v1/courses/%s/modules/reorder", course);
	snprintf(req, sizeof req, "{\"module_ids\":[\"%s\",\"%s\"]}", m1, m1);
	body = call(f, "hugo", "POST", path, req, &status);
	assert_int_equal(status, 400);
	assert_string_equal(error_message(body), "Invalid parameters: module_ids");
	cJSON_Delete(body);
	snprintf(req, sizeof req, "{\"module_ids\":[\"%s\",\"%s\"]}", m2, m1);
	body = call(f, "hugo", "POST", path, req, &status);
	assert_int_equal(status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
	                        cJSON_GetArrayItem(cJSON_GetObjectItem(body, "items"), 0), "id")),
	                    m2);
	cJSON_Delete(body);
	cJSON_Delete(call(f, "learner", "POST", path, req, &status));
	assert_int_equal(status, 403);
}

static void
test_status_transitions_and_conflicts(void **state)
{
	struct fixture *f = *state;
	char course[LC_UUID_LEN + 1], path[128];
	int status;
	cJSON *body;

	lookup(f, "SELECT id FROM courses WHERE code = ?", "ART110", course);
	snprintf(path, sizeof path, "/api/v1/courses/%s/unpublish", course);
	cJSON_Delete(call(f, "sophie", "POST", path, NULL, &status));
	assert_int_equal(status, 409);
	snprintf(path, sizeof path, "/api/v1/courses/%s/archive", course);
	cJSON_Delete(call(f, "sophie", "POST", path, NULL, &status));
	assert_int_equal(status, 200);
	snprintf(path, sizeof path, "/api/v1/courses/%s/unarchive", course);
	body = call(f, "sophie", "POST", path, NULL, &status);
	assert_int_equal(status, 200);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(body, "status")), "published");
	cJSON_Delete(body);
}

static void
test_max_attempts_is_enforced(void **state)
{
	struct fixture *f = *state;
	char item[LC_UUID_LEN + 1], path[128];
	int status;

	/* "Quiz: pointers" allows 2; learner is enrolled in C201 and has made none. */
	lookup(f, "SELECT id FROM items WHERE title = ?", "Quiz: pointers", item);
	snprintf(path, sizeof path, "/api/v1/items/%s/attempts", item);
	for (int i = 0; i < 2; i++) {
		cJSON_Delete(call(f, "learner", "POST", path, "{\"answers\":{}}", &status));
		assert_int_equal(status, 201);
	}
	cJSON_Delete(call(f, "learner", "POST", path, "{\"answers\":{}}", &status));
	assert_int_equal(status, 409);
}

static void
test_course_delete_leaves_tombstones(void **state)
{
	struct fixture *f = *state;
	char course[LC_UUID_LEN + 1], path[128], n[LC_UUID_LEN + 1];
	int status;

	lookup(f, "SELECT id FROM courses WHERE code = ?", "C201", course);
	snprintf(path, sizeof path, "/api/v1/courses/%s", course);
	cJSON_Delete(call(f, "learner", "DELETE", path, NULL, &status));
	assert_int_equal(status, 403);
	cJSON_Delete(call(f, "instructor", "DELETE", path, NULL, &status));
	assert_int_equal(status, 204);
	lookup(f, "SELECT count(*) FROM items WHERE course_id = ?", course, n);
	assert_string_equal(n, "0");
	/* 2 modules, 5 items, 5 questions, 1 topic, 1 reply, 1 enrollment, the course. */
	lookup(f,
	       "SELECT count(DISTINCT id) >= 16 FROM feed WHERE deleted = 1 AND (scope = 'course:' "
	       "|| ?1 OR scope LIKE 'user:%')",
	       course, n);
	assert_string_equal(n, "1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed_refuses_a_database_with_data),
	    cmocka_unit_test(test_seed_records_every_progress_step),
	    cmocka_unit_test(test_catalog_shows_published_courses_only),
	    cmocka_unit_test(test_answers_are_for_staff_only),
	    cmocka_unit_test(test_passing_attempt_completes_the_quiz),
	    cmocka_unit_test(test_items_array_is_all_or_nothing),
	    cmocka_unit_test(test_reorder_must_name_every_module_once),
	    cmocka_unit_test(test_status_transitions_and_conflicts),
	    cmocka_unit_test(test_max_attempts_is_enforced),
	    cmocka_unit_test(test_course_delete_leaves_tombstones),
	};

	return cmocka_run_group_tests(tests, srv_demo_setup, srv_demo_teardown);
}
