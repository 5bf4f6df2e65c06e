/* SPDX-License-Identifier: MIT */
/*
 * A question's explanation (issue 11, item 3: the quiz editor edits "answers, points and
 * explanations"; lecternd's extension of API.md's question, docs/api.md "Question
 * explanations"): optional Markdown, accepted on POST /items/{id}/questions and PATCH
 * /questions/{id}, validated like the other texts (a bad one gets API.md's 400 body and
 * changes nothing), and seen exactly like the answer: by course staff only, in GET and in
 * /sync; a learner's GET, list and /sync never carry it, before or after an attempt, and
 * the attempt's results keep API.md's shape. A version 6 database (before the column)
 * upgrades when lecternd opens it and keeps its questions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "harness-replica.h"
#include "harness.h"
#include "server-stub/srv.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)
#define LEARNER (world.u[H_ENROLLED].access)
#define WHY "Six sevens are forty-two (why-3c1e)"

/* A new question on the world's quiz as the owner; its id into id. */
static void
new_question(const char *json, char id[H_ID_LEN + 1], struct h_resp *r)
{
	h_callf(SRV, "POST", OWNER, json, r, "/items/%s/questions", world.course.quiz_id);
	H_EXPECT(*r, 201);
	assert_int_equal(h_copy_id(r->json, "id", id), 0);
}

/* The explanation member of a response, asserting it is there (a string or null). */
static const cJSON *
explanation_of(const struct h_resp *r)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->json, "explanation");

	if (v == NULL)
		fail_msg("no explanation in %.600s", r->body);
	return v;
}

static void
test_explanation_created_patched_and_shown_to_staff(void **state)
{
	char id[H_ID_LEN + 1], plain[H_ID_LEN + 1];
	struct h_resp r;

	(void)state;
	new_question("{\"prompt\":\"Six times seven?\",\"kind\":\"numeric\",\"answer\":42,"
	             "\"explanation\":\"" WHY "\"}",
	             id, &r);
	assert_string_equal(cJSON_GetStringValue(explanation_of(&r)), WHY);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/questions/%s", id);
	H_EXPECT(r, 200);
	assert_string_equal(cJSON_GetStringValue(explanation_of(&r)), WHY);
	h_resp_free(&r);
	/* Without one, staff see null. */
	new_question("{\"prompt\":\"Sky blue?\",\"kind\":\"boolean\",\"answer\":true}", plain, &r);
	assert_true(cJSON_IsNull(explanation_of(&r)));
	h_resp_free(&r);

	/* A change is a new rev; the same text again is a no-op; null clears it. */
	h_callf(SRV, "PATCH", OWNER, "{\"explanation\":\"Rayleigh *scattering*\"}", &r,
	        "/questions/%s", plain);
	H_EXPECT(r, 200);
	assert_string_equal(cJSON_GetStringValue(explanation_of(&r)), "Rayleigh *scattering*");
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 2);
	h_resp_free(&r);
	h_callf(SRV, "PATCH", OWNER, "{\"explanation\":\"Rayleigh *scattering*\"}", &r,
	        "/questions/%s", plain);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 2);
	h_resp_free(&r);
	h_callf(SRV, "PATCH", OWNER, "{\"explanation\":null}", &r, "/questions/%s", plain);
	H_EXPECT(r, 200);
	assert_true(cJSON_IsNull(explanation_of(&r)));
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 3);
	h_resp_free(&r);
	h_callf(SRV, "PATCH", OWNER, "{\"explanation\":\"\"}", &r, "/questions/%s", plain);
	H_EXPECT(r, 200);
	assert_string_equal(cJSON_GetStringValue(explanation_of(&r)), "");
	h_resp_free(&r);
	/* Every kind of course staff sees it, like the answer. */
	for (enum h_actor a = H_CONTENT_ADMIN; a <= H_ADMIN; a++) {
		h_callf(SRV, "GET", h_token(&world, a), NULL, &r, "/questions/%s", id);
		H_EXPECT(r, 200);
		assert_string_equal(cJSON_GetStringValue(explanation_of(&r)), WHY);
		h_resp_free(&r);
	}
}

/* Fails unless the question doc holds neither the answer nor the explanation. */
static void
expect_learner_doc(const cJSON *q, const char *body)
{
	if (cJSON_HasObjectItem(q, "explanation") || cJSON_HasObjectItem(q, "answer"))
		fail_msg("a learner sees an answer or an explanation: %.600s", body);
}

/* GET, the list and /sync of the enrolled learner; none may carry the explanation. */
static void
expect_learner_never_sees(const char *id)
{
	struct replica rp;
	struct h_resp r;
	const cJSON *q;

	h_callf(SRV, "GET", LEARNER, NULL, &r, "/questions/%s", id);
	H_EXPECT(r, 200);
	expect_learner_doc(r.json, r.body);
	h_resp_free(&r);
	h_callf(SRV, "GET", LEARNER, NULL, &r, "/items/%s/questions?limit=100",
	        world.course.quiz_id);
	H_EXPECT(r, 200);
	assert_true(h_list_has(&r, id));
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(r.json, "items"))
	    expect_learner_doc(q, r.body);
	assert_null(strstr(r.body, "why-3c1e"));
	h_resp_free(&r);
	replica_init(&rp, SRV);
	replica_sync(&rp, LEARNER);
	q = find_change(&rp, NULL, id);
	assert_non_null(q); /* positive control: the question itself came */
	expect_learner_doc(cJSON_GetObjectItemCaseSensitive(q, "doc"), rp.raw);
	assert_null(strstr(rp.raw, "why-3c1e"));
	replica_free(&rp);
}

static void
test_explanation_never_reaches_a_learner(void **state)
{
	char id[H_ID_LEN + 1], path[128], *body;
	const cJSON *res, *e;
	struct replica staff;
	struct h_resp r;

	(void)state;
	new_question("{\"prompt\":\"Seven times six?\",\"kind\":\"numeric\",\"answer\":42,"
	             "\"explanation\":\"" WHY "\"}",
	             id, &r);
	h_resp_free(&r);
	expect_learner_never_sees(id);
	/* Positive control: the owner's /sync carries it. */
	replica_init(&staff, SRV);
	replica_sync(&staff, OWNER);
	assert_non_null(strstr(staff.raw, "why-3c1e"));
	replica_free(&staff);

	/* After answering: the results keep API.md's {question_id, correct, points}. */
	body = lc_asprintf("{\"answers\":{\"%s\":42}}", id);
	snprintf(path, sizeof(path), "/items/%s/attempts", world.course.quiz_id);
	h_call(SRV, "POST", path, LEARNER, body, NULL, &r);
	free(body);
	H_EXPECT(r, 201);
	res = cJSON_GetObjectItemCaseSensitive(r.json, "results");
	assert_true(cJSON_GetArraySize(res) > 0);
	cJSON_ArrayForEach(e, res)
	{
		assert_int_equal(cJSON_GetArraySize(e), 3);
		assert_true(cJSON_HasObjectItem(e, "question_id"));
		assert_true(cJSON_HasObjectItem(e, "correct"));
		assert_true(cJSON_HasObjectItem(e, "points"));
	}
	assert_null(strstr(r.body, "why-3c1e"));
	h_resp_free(&r);
	expect_learner_never_sees(id);
}

/* Fails unless r is API.md's 400 naming exactly keys. */
static void
expect_invalid(const struct h_resp *r, const char *keys)
{
	H_EXPECT_ERROR(*r, 400, "invalid_request_error");
	if (!h_invalid_params_are(r, keys))
		fail_msg("want Invalid parameters: %s, got %.300s", keys, r->body);
}

/* The question's rev and explanation as the owner reads them, as one comparable text. */
static char *
snapshot(const char *id)
{
	struct h_resp r;
	char *text;

	h_callf(SRV, "GET", OWNER, NULL, &r, "/questions/%s", id);
	H_EXPECT(r, 200);
	text = cJSON_PrintUnformatted(r.json);
	h_resp_free(&r);
	return text;
}

static void
test_explanation_bad_values_are_refused_and_change_nothing(void **state)
{
	char id[H_ID_LEN + 1], *before, *after, *long_text, *json;
	double total;
	struct h_resp r;

	(void)state;
	new_question("{\"prompt\":\"Pick b\",\"kind\":\"single\",\"choices\":[\"a\",\"b\"],"
	             "\"answer\":1,\"explanation\":\"b is b\"}",
	             id, &r);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/items/%s/questions", world.course.quiz_id);
	total = h_json_num(r.json, "total", -1);
	h_resp_free(&r);
	before = snapshot(id);

	static const char *const creates[] = {
	    "{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":true,\"explanation\":3}",
	    "{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":true,\"explanation\":true}",
	    "{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":true,\"explanation\":[\"x\"]}",
	    "{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":true,\"explanation\":{}}",
	};
	for (size_t i = 0; i < sizeof(creates) / sizeof(creates[0]); i++) {
		h_callf(SRV, "POST", OWNER, creates[i], &r, "/items/%s/questions",
		        world.course.quiz_id);
		expect_invalid(&r, "explanation");
		h_resp_free(&r);
		h_callf(SRV, "PATCH", OWNER, creates[i], &r, "/questions/%s", id);
		expect_invalid(&r, "explanation");
		h_resp_free(&r);
	}
	h_callf(SRV, "PATCH", OWNER, "{\"explanation\":7}", &r, "/questions/%s", id);
	expect_invalid(&r, "explanation");
	h_resp_free(&r);
	/* One character past the limit of a prompt; the limit itself is fine. */
	long_text = lc_malloc(SRV_MARKDOWN_MAX + 2);
	memset(long_text, 'y', SRV_MARKDOWN_MAX + 1);
	long_text[SRV_MARKDOWN_MAX + 1] = '\0';
	json = lc_asprintf("{\"explanation\":\"%s\"}", long_text);
	h_callf(SRV, "PATCH", OWNER, json, &r, "/questions/%s", id);
	expect_invalid(&r, "explanation");
	h_resp_free(&r);
	free(json);
	json = lc_asprintf("{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":true,"
	                   "\"explanation\":\"%s\"}",
	                   long_text);
	h_callf(SRV, "POST", OWNER, json, &r, "/items/%s/questions", world.course.quiz_id);
	expect_invalid(&r, "explanation");
	h_resp_free(&r);
	free(json);
	/* A typo is an unknown field, named as such. */
	h_callf(SRV, "PATCH", OWNER, "{\"explanations\":\"x\"}", &r, "/questions/%s", id);
	expect_invalid(&r, "explanations");
	h_resp_free(&r);
	/* Only course staff may write it. */
	h_callf(SRV, "PATCH", LEARNER, "{\"explanation\":\"mine\"}", &r, "/questions/%s", id);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	h_callf(SRV, "PATCH", world.u[H_OTHER_INSTR].access, "{\"explanation\":\"mine\"}", &r,
	        "/questions/%s", id);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);

	after = snapshot(id);
	assert_string_equal(after, before);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/items/%s/questions", world.course.quiz_id);
	assert_true(h_json_num(r.json, "total", -2) == total);
	h_resp_free(&r);
	free(after);

	long_text[SRV_MARKDOWN_MAX] = '\0';
	json = lc_asprintf("{\"explanation\":\"%s\"}", long_text);
	h_callf(SRV, "PATCH", OWNER, json, &r, "/questions/%s", id);
	H_EXPECT(r, 200);
	assert_int_equal((int)strlen(cJSON_GetStringValue(explanation_of(&r))), SRV_MARKDOWN_MAX);
	h_resp_free(&r);
	free(json);
	free(long_text);
	free(before);
}

/*
 * A database of schema version 6 (before the explanation column) with a course, a quiz and
 * a question: lecternd upgrades it on open, the question keeps its fields and rev, reads
 * with explanation null, and takes one.
 */
static void
test_explanation_migration_upgrades_a_version_6_database(void **state)
{
	static const char *const rows =
	    "INSERT INTO courses (id, title, status, created_at, updated_at) VALUES "
	    "('c0000000-0000-4000-8000-00000000000c', 'Old', 'draft', '2026-01-01T00:00:00Z', "
	    "'2026-01-01T00:00:00Z');"
	    "INSERT INTO modules (id, course_id, title, position, created_at, updated_at) VALUES "
	    "('d0000000-0000-4000-8000-00000000000d', 'c0000000-0000-4000-8000-00000000000c', "
	    "'M', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
	    "INSERT INTO items (id, module_id, course_id, title, kind, position, created_at, "
	    "updated_at) VALUES ('10000000-0000-4000-8000-000000000010', "
	    "'d0000000-0000-4000-8000-00000000000d', 'c0000000-0000-4000-8000-00000000000c', "
	    "'Quiz', 'quiz', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
	    "INSERT INTO questions (id, item_id, course_id, prompt, kind, choices, answer, "
	    "position, created_at, updated_at) VALUES ('20000000-0000-4000-8000-000000000020', "
	    "'10000000-0000-4000-8000-000000000010', 'c0000000-0000-4000-8000-00000000000c', "
	    "'Old prompt', 'single', '[\"x\",\"y\"]', '1', 1, '2026-01-01T00:00:00Z', "
	    "'2026-01-01T00:00:00Z');";
	struct store_schema v6 = srv_schema;
	struct h_server srv;
	struct store_db *db;
	struct h_user root;
	char *cause = NULL;
	struct h_resp r;

	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	v6.migration_count = 6;
	if (store_db_open(srv.db, &v6, &db, &cause) != 0)
		fail_msg("version 6 database: %s", cause);
	assert_int_equal(store_db_exec(db, rows), 0);
	store_db_close(db);

	/* lecternd --create-user opens (and so upgrades) the file, then the server serves it. */
	assert_int_equal(h_server_create_user(&srv, "root", "admin", H_PASSWORD), 0);
	assert_int_equal(h_server_start(&srv), 0);
	assert_int_equal(h_login(&srv, "root", H_PASSWORD, &root), 0);
	h_callf(&srv, "GET", root.access, NULL, &r,
	        "/questions/20000000-0000-4000-8000-000000000020");
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "prompt"), "Old prompt");
	assert_int_equal((int)h_json_num(r.json, "answer", -1), 1);
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 1);
	assert_true(cJSON_IsNull(explanation_of(&r)));
	h_resp_free(&r);
	h_callf(&srv, "PATCH", root.access, "{\"explanation\":\"y is the second\"}", &r,
	        "/questions/20000000-0000-4000-8000-000000000020");
	H_EXPECT(r, 200);
	assert_string_equal(cJSON_GetStringValue(explanation_of(&r)), "y is the second");
	h_resp_free(&r);
	assert_int_equal(h_server_stop(&srv), 0);
	/* The file is at the current version now. */
	if (store_db_open(srv.db, &srv_schema, &db, &cause) != 0)
		fail_msg("reopen: %s", cause);
	assert_int_equal(store_db_version(db), srv_schema.migration_count);
	store_db_close(db);
	assert_int_equal(h_server_down(&srv), 0);
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
	    cmocka_unit_test(test_explanation_created_patched_and_shown_to_staff),
	    cmocka_unit_test(test_explanation_never_reaches_a_learner),
	    cmocka_unit_test(test_explanation_bad_values_are_refused_and_change_nothing),
	    cmocka_unit_test(test_explanation_migration_upgrades_a_version_6_database),
	};
	return cmocka_run_group_tests_name("api-explanation", tests, group_setup, group_teardown);
}
