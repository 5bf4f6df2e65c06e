/* SPDX-License-Identifier: MIT */
/*
 * The happy path of every row of shared/API.md's "Courses", "Modules, items, questions",
 * "Learning" and "Forums" tables, with the doc shapes of docs/api.md, plus cascading deletes
 * and a deleted user's forum posts.
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

#include "common/clock.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "harness.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)
#define ADMIN (world.u[H_ADMIN].access)

static const char *const course_keys[] = {
    "title",          "description", "code",   "keywords", "department_id",
    "certification",  "pass_score",  "status", "owner_id", "owner_name",
    "enrolled_count", "rating",      NULL};
static const char *const module_keys[] = {"course_id", "title", "position", NULL};
static const char *const item_keys[] = {"module_id", "course_id",    "title",    "kind",
                                        "body",      "url",          "due_at",   "points",
                                        "required",  "max_attempts", "position", NULL};
static const char *const question_keys[] = {"item_id", "course_id", "prompt",   "kind", "choices",
                                            "points",  "tolerance", "position", NULL};

static struct h_user
new_user(const char *prefix, const char *role)
{
	struct h_user u;
	char name[40];
	h_unique_name(prefix, name, sizeof(name));
	assert_int_equal(h_register(SRV, name, role, &u), 0);
	return u;
}

/* ---- Courses ---------------------------------------------------------------------------- */

static void
test_course_create_defaults_and_get(void **state)
{
	(void)state;
	struct h_resp r;
	h_call(SRV, "POST", "/courses", OWNER,
	       "{\"title\":\"Defaults\",\"keywords\":[\"x\",\"y\"],\"code\":\"DEF101\"}", NULL, &r);
	H_EXPECT(r, 201);
	H_EXPECT_KEYS(r.json, "course", course_keys);
	assert_string_equal(h_json_str(r.json, "status"), "draft");
	assert_string_equal(h_json_str(r.json, "owner_id"), world.u[H_OWNER].id);
	assert_string_equal(h_json_str(r.json, "owner_name"), world.u[H_OWNER].username);
	assert_true(h_json_num(r.json, "pass_score", -1) == 0.6);
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "keywords")), 2);
	char id[H_ID_LEN + 1];
	h_copy_id(r.json, "id", id);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/courses/%s", id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "enrolled_count", -1), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r.json, "rating")));
	assert_string_equal(h_json_str(r.json, "code"), "DEF101");
	h_resp_free(&r);
	h_callf(SRV, "PATCH", OWNER,
	        "{\"title\":\"Changed\",\"pass_score\":0.8,\"certification\":true}", &r,
	        "/courses/%s", id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "title"), "Changed");
	assert_true(h_json_num(r.json, "pass_score", -1) == 0.8);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "certification")));
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 2);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/courses/%s", world.course.id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "enrolled_count", -1), 1);
	h_resp_free(&r);
}

static void
expect_status(const char *id, const char *action, const char *want)
{
	struct h_resp r;
	h_callf(SRV, "POST", OWNER, "{}", &r, "/courses/%s/%s", id, action);
	H_EXPECT(r, 200);
	if (strcmp(h_json_str(r.json, "status"), want) != 0)
		fail_msg("%s: status %s, want %s", action, h_json_str(r.json, "status"), want);
	h_resp_free(&r);
}

static void
test_course_status_transitions(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, false, &c), 0);
	expect_status(c.id, "publish", "published");
	expect_status(c.id, "unpublish", "draft");
	expect_status(c.id, "publish", "published");
	expect_status(c.id, "archive", "archived");
	expect_status(c.id, "unarchive", "published");
	struct h_resp r;
	/* Moves that go nowhere are conflicts (docs/api.md). */
	h_callf(SRV, "POST", OWNER, "{}", &r, "/courses/%s/publish", c.id);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	h_callf(SRV, "POST", OWNER, "{}", &r, "/courses/%s/unarchive", c.id);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	h_callf(SRV, "GET", NULL, NULL, &r, "/courses/%s", c.id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "status"), "published");
	h_resp_free(&r);
}

/* A row of /students names its user as "user_id" or, being a user, as "id". */
static bool
names_user(const cJSON *row, const char *user_id)
{
	const char *a = h_json_str(row, "user_id"), *b = h_json_str(row, "id");
	return (a != NULL && strcmp(a, user_id) == 0) || (b != NULL && strcmp(b, user_id) == 0);
}

static void
test_course_list_filters(void **state)
{
	(void)state;
	struct h_user t = new_user("lister", "instructor");
	struct h_course pub, draft;
	assert_int_equal(h_make_course(SRV, t.access, NULL, true, &pub), 0);
	assert_int_equal(h_make_course(SRV, t.access, NULL, false, &draft), 0);
	struct h_resp r;
	h_callf(SRV, "PATCH", t.access, "{\"title\":\"Quaternion zymurgy\"}", &r, "/courses/%s",
	        pub.id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	/* Anonymous: published only. */
	h_callf(SRV, "GET", NULL, NULL, &r, "/courses?owner_id=%s", t.id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	assert_true(h_list_has(&r, pub.id));
	h_resp_free(&r);
	h_callf(SRV, "GET", world.u[H_LEARNER].access, NULL, &r,
	        "/courses?owner_id=%s&status=draft", t.id);
	H_EXPECT(r, 200);
	assert_false(h_list_has(&r, draft.id));
	h_resp_free(&r);
	h_callf(SRV, "GET", t.access, NULL, &r, "/courses?owner_id=%s&status=draft", t.id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	assert_true(h_list_has(&r, draft.id));
	h_resp_free(&r);
	h_callf(SRV, "GET", NULL, NULL, &r, "/courses?department_id=%s", world.dept_id);
	H_EXPECT(r, 200);
	assert_true(h_list_has(&r, world.course.id));
	assert_false(h_list_has(&r, pub.id));
	assert_false(h_list_has(&r, draft.id));
	h_resp_free(&r);
	h_call(SRV, "GET", "/courses?search=zymurgy", NULL, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	assert_true(h_list_has(&r, pub.id));
	h_resp_free(&r);
}

static void
test_outline_students_analytics(void **state)
{
	(void)state;
	struct h_resp r;
	h_callf(SRV, "GET", world.u[H_ENROLLED].access, NULL, &r, "/courses/%s/outline",
	        world.course.id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "id"), world.course.id);
	cJSON *mods = cJSON_GetObjectItem(r.json, "modules");
	assert_true(cJSON_GetArraySize(mods) >= 1);
	cJSON *m0 = cJSON_GetArrayItem(mods, 0);
	assert_string_equal(h_json_str(m0, "id"), world.course.module_id);
	cJSON *items = cJSON_GetObjectItem(m0, "items");
	assert_true(cJSON_GetArraySize(items) >= 2);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(items, 0), "id"), world.course.page_id);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(items, 1), "id"), world.course.quiz_id);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/courses/%s/students", world.course.id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	cJSON *s0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "items"), 0);
	assert_true(names_user(s0, world.u[H_ENROLLED].id));
	if (!cJSON_IsNumber(cJSON_GetObjectItem(s0, "percent")))
		fail_msg("a student without a progress percent: %s", r.body);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/courses/%s/analytics", world.course.id);
	H_EXPECT(r, 200);
	const char *keys[] = {"enrolled", "completed", "completion_rate", "average_quiz_score",
	                      "items"};
	for (size_t i = 0; i < 5; i++)
		if (!cJSON_HasObjectItem(r.json, keys[i]))
			fail_msg("analytics lacks %s: %s", keys[i], r.body);
	assert_int_equal((int)h_json_num(r.json, "enrolled", -1), 1);
	cJSON *it0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "items"), 0);
	assert_non_null(h_json_str(it0, "item_id"));
	assert_non_null(h_json_str(it0, "title"));
	assert_true(cJSON_HasObjectItem(it0, "completion_rate"));
	h_resp_free(&r);
}

/* ---- Modules, items, questions --------------------------------------------------------------- */

static void
test_modules_crud_and_reorder(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, false, &c), 0);
	struct h_resp r;
	h_callf(SRV, "POST", OWNER, "{\"title\":\"Week 2\"}", &r, "/courses/%s/modules", c.id);
	H_EXPECT(r, 201);
	H_EXPECT_KEYS(r.json, "module", module_keys);
	assert_int_equal((int)h_json_num(r.json, "position", 0), 2);
	assert_string_equal(h_json_str(r.json, "course_id"), c.id);
	char m2[H_ID_LEN + 1];
	h_copy_id(r.json, "id", m2);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/courses/%s/modules", c.id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 2);
	h_resp_free(&r);
	char *json = lc_asprintf("{\"module_ids\":[\"%s\",\"%s\"]}", m2, c.module_id);
	h_callf(SRV, "POST", OWNER, json, &r, "/courses/%s/modules/reorder", c.id);
	free(json);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/modules/%s", m2);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "position", 0), 1);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/modules/%s", c.module_id);
	assert_int_equal((int)h_json_num(r.json, "position", 0), 2);
	h_resp_free(&r);
	/* Every module exactly once. */
	json = lc_asprintf("{\"module_ids\":[\"%s\"]}", m2);
	h_callf(SRV, "POST", OWNER, json, &r, "/courses/%s/modules/reorder", c.id);
	free(json);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "module_ids"));
	h_resp_free(&r);
	json = lc_asprintf("{\"module_ids\":[\"%s\",\"%s\"]}", m2, m2);
	h_callf(SRV, "POST", OWNER, json, &r, "/courses/%s/modules/reorder", c.id);
	free(json);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	h_resp_free(&r);
	h_callf(SRV, "PATCH", OWNER, "{\"title\":\"Week two\"}", &r, "/modules/%s", m2);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "title"), "Week two");
	h_resp_free(&r);
	h_callf(SRV, "DELETE", OWNER, NULL, &r, "/modules/%s", m2);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/modules/%s", m2);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_string_equal(h_error_message(&r), "That module does not exist");
	h_resp_free(&r);
}

static void
test_items_single_and_array(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, false, &c), 0);
	struct h_resp r;
	h_callf(
	    SRV, "POST", OWNER,
	    "{\"title\":\"Homework\",\"kind\":\"assignment\",\"due_at\":\"2027-01-15T12:00:00Z\","
	    "\"points\":10,\"required\":false}",
	    &r, "/modules/%s/items", c.module_id);
	H_EXPECT(r, 201);
	H_EXPECT_KEYS(r.json, "item", item_keys);
	assert_string_equal(h_json_str(r.json, "due_at"), "2027-01-15T12:00:00Z");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "required")));
	assert_string_equal(h_json_str(r.json, "course_id"), c.id);
	assert_int_equal((int)h_json_num(r.json, "position", 0), 3);
	h_resp_free(&r);
	h_callf(SRV, "POST", OWNER,
	        "[{\"title\":\"A\",\"kind\":\"page\",\"body\":\"*a*\"},"
	        "{\"title\":\"B\",\"kind\":\"link\",\"url\":\"https://example.org/b\"},"
	        "{\"title\":\"C\",\"kind\":\"quiz\",\"max_attempts\":3}]",
	        &r, "/modules/%s/items", c.module_id);
	H_EXPECT(r, 201);
	assert_true(cJSON_IsArray(r.json));
	assert_int_equal(cJSON_GetArraySize(r.json), 3);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(r.json, 0), "title"), "A");
	assert_string_equal(h_json_str(cJSON_GetArrayItem(r.json, 1), "url"),
	                    "https://example.org/b");
	assert_string_equal(h_json_str(cJSON_GetArrayItem(r.json, 2), "kind"), "quiz");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(r.json, 0), "required")));
	char a_id[H_ID_LEN + 1];
	h_copy_id(cJSON_GetArrayItem(r.json, 0), "id", a_id);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/modules/%s/items", c.module_id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 6);
	h_resp_free(&r);
	h_callf(SRV, "PATCH", OWNER, "{\"body\":\"# New\"}", &r, "/items/%s", a_id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "body"), "# New");
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 2);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/items/%s", a_id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_callf(SRV, "DELETE", OWNER, NULL, &r, "/items/%s", a_id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/items/%s", a_id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_string_equal(h_error_message(&r), "That item does not exist");
	h_resp_free(&r);
	/* Questions belong to quiz items only. */
	h_callf(SRV, "POST", OWNER, "{\"prompt\":\"?\",\"kind\":\"boolean\",\"answer\":true}", &r,
	        "/items/%s/questions", c.page_id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(strncmp(h_error_message(&r), "Invalid parameters: item_id", 27) == 0);
	h_resp_free(&r);
	h_callf(SRV, "POST", OWNER, "[]", &r, "/modules/%s/items", c.module_id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "items"));
	h_resp_free(&r);
}

static void
test_questions_answers_for_staff_only(void **state)
{
	(void)state;
	struct h_resp r;
	const char *qs[] = {
	    ("{\"prompt\":\"Pick two\",\"kind\":\"multiple\",\"choices\":[\"a\",\"b\",\"c\"],"
	     "\"answer\":[2,0],\"points\":2}"),
	    "{\"prompt\":\"Sky blue?\",\"kind\":\"boolean\",\"answer\":true}",
	    "{\"prompt\":\"Capital of France\",\"kind\":\"short\",\"answer\":\"Paris\"}",
	    "{\"prompt\":\"Pi\",\"kind\":\"numeric\",\"answer\":3.14,\"tolerance\":0.01}",
	};
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	for (size_t i = 0; i < 4; i++) {
		h_callf(SRV, "POST", OWNER, qs[i], &r, "/items/%s/questions", c.quiz_id);
		H_EXPECT(r, 201);
		H_EXPECT_KEYS(r.json, "question", question_keys);
		assert_true(cJSON_HasObjectItem(r.json, "answer"));
		h_resp_free(&r);
	}
	struct h_user l = new_user("qlearner", NULL);
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	h_callf(SRV, "GET", l.access, NULL, &r, "/items/%s/questions?limit=100", c.quiz_id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 6);
	const cJSON *q;
	cJSON_ArrayForEach(q, cJSON_GetObjectItem(r.json, "items"))
	{
		if (cJSON_HasObjectItem(q, "answer"))
			fail_msg("a learner sees an answer: %s", r.body);
	}
	h_resp_free(&r);
	h_callf(SRV, "GET", l.access, NULL, &r, "/questions/%s", c.q1_id);
	H_EXPECT(r, 200);
	assert_false(cJSON_HasObjectItem(r.json, "answer"));
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/questions/%s", c.q1_id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "answer", -1), 1);
	h_resp_free(&r);
	h_callf(SRV, "PATCH", OWNER, "{\"points\":3}", &r, "/questions/%s", c.q2_id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "points", 0), 3);
	h_resp_free(&r);
	h_callf(SRV, "POST", OWNER, "{\"prompt\":\"Bad\",\"kind\":\"single\",\"choices\":[\"a\"]}",
	        &r, "/items/%s/questions", c.quiz_id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "answer"));
	h_resp_free(&r);
	h_callf(SRV, "DELETE", OWNER, NULL, &r, "/questions/%s", c.q2_id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/questions/%s", c.q2_id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_string_equal(h_error_message(&r), "That question does not exist");
	h_resp_free(&r);
}

/* ---- Learning ------------------------------------------------------------------------------- */

/* ---- Forums ---------------------------------------------------------------------------------- */

/* ---- Cascades -------------------------------------------------------------------------------- */

static void
test_course_delete_cascades(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_user("casc", NULL);
	char eid[H_ID_LEN + 1];
	assert_int_equal(h_enroll(SRV, l.access, c.id, eid), 0);
	assert_int_equal(h_course_forum(SRV, l.access, &c), 0);
	struct h_resp r;
	h_callf(SRV, "DELETE", OWNER, NULL, &r, "/courses/%s", c.id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	const struct {
		const char *prefix, *id, *kind;
	} gone[] = {
	    {"/courses/", c.id, "course"},        {"/modules/", c.module_id, "module"},
	    {"/items/", c.page_id, "item"},       {"/items/", c.quiz_id, "item"},
	    {"/questions/", c.q1_id, "question"}, {"/topics/", c.topic_id, "topic"},
	    {"/enrollments/", eid, "enrollment"},
	};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		h_callf(SRV, "GET", ADMIN, NULL, &r, "%s%s", gone[i].prefix, gone[i].id);
		H_EXPECT_ERROR(r, 404, "resource_dne_error");
		char want[64];
		snprintf(want, sizeof(want), "That %s does not exist", gone[i].kind);
		assert_string_equal(h_error_message(&r), want);
		h_resp_free(&r);
	}
	h_callf(SRV, "PATCH", ADMIN, "{\"body\":\"x\"}", &r, "/replies/%s", c.reply_id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
	h_call(SRV, "GET", "/enrollments", l.access, NULL, NULL, &r);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 0);
	h_resp_free(&r);
}

/* docs/api.md: a create with a position inserts there and renumbers the siblings 1..n. */
static void
test_module_position_insert(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, false, &c), 0);
	struct h_resp r;
	h_callf(SRV, "POST", OWNER, "{\"title\":\"Intro\",\"position\":1}", &r,
	        "/courses/%s/modules", c.id);
	H_EXPECT(r, 201);
	assert_int_equal((int)h_json_num(r.json, "position", 0), 1);
	char intro[H_ID_LEN + 1];
	h_copy_id(r.json, "id", intro);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/modules/%s", c.module_id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "position", 0), 2);
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 2); /* moved: a new rev */
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/courses/%s/outline", c.id);
	H_EXPECT(r, 200);
	cJSON *mods = cJSON_GetObjectItem(r.json, "modules");
	assert_int_equal(cJSON_GetArraySize(mods), 2);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(mods, 0), "id"), intro);
	h_resp_free(&r);
}

/* A department-admin's view of users stops at their department, and never touches an admin. */
static void
test_department_admin_scope_of_users(void **state)
{
	(void)state;
	const char *da = world.u[H_DEPT_ADMIN].access;
	struct h_resp r;
	h_call(SRV, "GET", "/users?limit=100", da, NULL, NULL, &r);
	H_EXPECT(r, 200);
	int seen_owner = 0;
	const cJSON *u;
	cJSON_ArrayForEach(u, cJSON_GetObjectItem(r.json, "items"))
	{
		const char *id = h_json_str(u, "id");
		if (strcmp(id, world.u[H_LEARNER].id) == 0 || strcmp(id, world.u[H_ADMIN].id) == 0)
			fail_msg("a department-admin lists a user outside the department: %s",
			         cJSON_PrintUnformatted(u));
		seen_owner += strcmp(id, world.u[H_OWNER].id) == 0;
	}
	assert_int_equal(seen_owner, 1);
	h_resp_free(&r);
	h_callf(SRV, "PATCH", da, "{\"role\":\"learner\"}", &r, "/users/%s/roles",
	        world.u[H_ADMIN].id);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
}

static int
group_setup(void **state)
{
	(void)state;
	return h_world_up(&world);
}

static int
group_teardown(void **state)
{
	(void)state;
	return h_server_down(&world.srv) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_course_create_defaults_and_get),
	    cmocka_unit_test(test_course_status_transitions),
	    cmocka_unit_test(test_course_list_filters),
	    cmocka_unit_test(test_outline_students_analytics),
	    cmocka_unit_test(test_modules_crud_and_reorder),
	    cmocka_unit_test(test_items_single_and_array),
	    cmocka_unit_test(test_questions_answers_for_staff_only),
	    cmocka_unit_test(test_course_delete_cascades),
	    cmocka_unit_test(test_module_position_insert),
	    cmocka_unit_test(test_department_admin_scope_of_users),
	};
	return cmocka_run_group_tests_name("api-content", tests, group_setup, group_teardown);
}
