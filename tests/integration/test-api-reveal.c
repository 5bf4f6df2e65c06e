/* SPDX-License-Identifier: MIT */
/*
 * The right answers after an attempt (ux review 2026-11-29, A13: "Results show only
 * [+]/[-]: no right answer"; lecternd's extension, docs/api.md "Right answers after an
 * attempt"): `"reveal": true` in the attempt body asks for each question's answer and
 * explanation in its result, and lecternd gives them only when they cannot help a later
 * attempt (the attempt passed, or it was the last one allowed). Without the opt-in, or
 * while attempts remain, the results keep API.md's exact shape {question_id, correct,
 * points}. A bad opt-in gets API.md's 400 body and records nothing. Against a real lecternd.
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
#include "harness.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)
#define WHY "Six sevens are forty-two (why-reveal)"

static const char *const api_result_keys[] = {"question_id", "correct", "points", NULL};

/* A published course of the owner's (quiz: q1 single answer 1, q2 numeric 42, 2 attempts),
 * q2 explained, and a new learner enrolled in it. */
static void
course_and_learner(const char *prefix, struct h_course *c, struct h_user *l)
{
	char name[40];
	struct h_resp r;

	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, c), 0);
	h_callf(SRV, "PATCH", OWNER, "{\"explanation\":\"" WHY "\"}", &r, "/questions/%s",
	        c->q2_id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_unique_name(prefix, name, sizeof(name));
	assert_int_equal(h_register(SRV, name, NULL, l), 0);
	assert_int_equal(h_enroll(SRV, l->access, c->id, NULL), 0);
}

/* POSTs an attempt answering q1 with a1 and q2 with a2, plus extra ("" or ",..."). */
static void
attempt(const struct h_course *c, const struct h_user *l, int a1, int a2, const char *extra,
        struct h_resp *r)
{
	char *json =
	    lc_asprintf("{\"answers\":{\"%s\":%d,\"%s\":%d}%s}", c->q1_id, a1, c->q2_id, a2, extra);

	h_callf(SRV, "POST", l->access, json, r, "/items/%s/attempts", c->quiz_id);
	free(json);
}

/* Every result has exactly API.md's keys. */
static void
assert_api_results(const cJSON *attempt_doc)
{
	const cJSON *res;
	int n = 0;

	cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(attempt_doc, "results"))
	{
		for (size_t k = 0; api_result_keys[k] != NULL; k++)
			assert_true(cJSON_HasObjectItem(res, api_result_keys[k]));
		assert_int_equal(cJSON_GetArraySize(res), 3);
		n++;
	}
	assert_int_equal(n, 2);
}

/* The results carry q1's answer 1, q2's answer 42 and its explanation; q1 has none (null). */
static void
assert_revealed(const cJSON *attempt_doc, const struct h_course *c)
{
	const cJSON *res;
	int n = 0;

	cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(attempt_doc, "results"))
	{
		const char *qid = h_json_str(res, "question_id");
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(res, "explanation");

		assert_non_null(qid);
		assert_non_null(why);
		if (strcmp(qid, c->q1_id) == 0) {
			assert_true(h_json_num(res, "answer", -1) == 1);
			assert_true(cJSON_IsNull(why));
		} else {
			assert_string_equal(qid, c->q2_id);
			assert_true(h_json_num(res, "answer", -1) == 42);
			assert_string_equal(cJSON_GetStringValue(why), WHY);
		}
		n++;
	}
	assert_int_equal(n, 2);
}

/* While an attempt remains, a failed attempt reveals nothing; the last one does, for good. */
static void
test_reveal_only_on_the_last_attempt_when_failing(void **state)
{
	struct h_course c;
	struct h_user l;
	struct h_resp r;

	(void)state;
	course_and_learner("rvl", &c, &l);
	attempt(&c, &l, 0, 41, ",\"reveal\":true", &r);
	H_EXPECT(r, 201);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "passed")));
	assert_api_results(r.json);
	h_resp_free(&r);
	attempt(&c, &l, 0, 41, ",\"reveal\":true", &r);
	H_EXPECT(r, 201);
	assert_revealed(r.json, &c);
	h_resp_free(&r);
	/* Kept with the attempt: the list (and so /sync) carries them too, the first not. */
	h_callf(SRV, "GET", l.access, NULL, &r, "/items/%s/attempts", c.quiz_id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 2);
	{
		const cJSON *data = cJSON_GetObjectItem(r.json, "items"), *a;
		int revealed = 0;

		cJSON_ArrayForEach(a, data)
		{
			const cJSON *first =
			    cJSON_GetArrayItem(cJSON_GetObjectItem(a, "results"), 0);

			revealed += cJSON_GetObjectItem(first, "answer") != NULL;
		}
		assert_int_equal(revealed, 1);
	}
	h_resp_free(&r);
}

/* A passing attempt may see the answers even with attempts left. */
static void
test_reveal_when_the_attempt_passes(void **state)
{
	struct h_course c;
	struct h_user l;
	struct h_resp r;

	(void)state;
	course_and_learner("rvp", &c, &l);
	attempt(&c, &l, 1, 42, ",\"reveal\":true", &r);
	H_EXPECT(r, 201);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "passed")));
	assert_revealed(r.json, &c);
	h_resp_free(&r);
}

/* No opt-in (or false): API.md's shape, byte for byte, even on the last attempt. */
static void
test_no_reveal_without_the_opt_in(void **state)
{
	struct h_course c;
	struct h_user l;
	struct h_resp r;

	(void)state;
	course_and_learner("rvn", &c, &l);
	attempt(&c, &l, 1, 42, "", &r);
	H_EXPECT(r, 201);
	assert_api_results(r.json);
	h_resp_free(&r);
	attempt(&c, &l, 0, 41, ",\"reveal\":false", &r);
	H_EXPECT(r, 201);
	assert_api_results(r.json);
	h_resp_free(&r);
}

/* A reveal that is not a boolean: 400 naming it, and no attempt is used up. */
static void
test_reveal_bad_value_is_refused_and_changes_nothing(void **state)
{
	static const char *const bad[] = {",\"reveal\":\"yes\"", ",\"reveal\":1",
	                                  ",\"reveal\":null", ",\"reveal\":[true]"};
	struct h_course c;
	struct h_user l;
	struct h_resp r;

	(void)state;
	course_and_learner("rvb", &c, &l);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		attempt(&c, &l, 1, 42, bad[i], &r);
		H_EXPECT_ERROR(r, 400, "invalid_request_error");
		assert_true(h_invalid_params_are(&r, "reveal"));
		h_resp_free(&r);
	}
	h_callf(SRV, "GET", l.access, NULL, &r, "/items/%s/attempts", c.quiz_id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 0);
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
	    cmocka_unit_test(test_reveal_only_on_the_last_attempt_when_failing),
	    cmocka_unit_test(test_reveal_when_the_attempt_passes),
	    cmocka_unit_test(test_no_reveal_without_the_opt_in),
	    cmocka_unit_test(test_reveal_bad_value_is_refused_and_changes_nothing),
	};
	return cmocka_run_group_tests_name("api-reveal", tests, group_setup, group_teardown);
}
