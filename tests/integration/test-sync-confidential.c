/* SPDX-License-Identifier: MIT */
/*
 * Confidentiality of the replica: after a learner syncs, the bytes of every file in the
 * replica's folder (the database, its -wal and -shm) hold no quiz answer nor a question's
 * explanation (issue 11: staff only, like the answer), nothing of another learner's
 * attempt, and nothing of a course outside the learner's scopes (a draft
 * course, the pages of a course they are not enrolled in). Positive controls prove that the
 * scan does see what the learner may have.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "test-sync-lib.h"

#define OTHER_ANSWER "other-learner-attempt-9d1f"
#define DRAFT_TITLE "Draft course nobody enrolled may see 5e0a"
#define HIDDEN_PAGE "Unenrolled page body 3b7c"
#define EXPLANATION "secret-explanation-8f4d"

struct fixture {
	struct st_world w;
	struct st_api other;
	char attempt_id[ST_ID_LEN + 1];
	char other_user_id[ST_ID_LEN + 1];
};

/* A second learner registers, enrolls and answers the quiz with a recognisable text. */
static int
other_learner_attempt(struct fixture *f)
{
	struct st_course *c = &f->w.courses[0];
	cJSON *questions = NULL, *me, *answers, *req;
	const cJSON *q, *id;
	char path[128], *body;
	int rc;

	if (st_api_call(&f->w.learner, "POST", "/auth/register",
	                "{\"username\":\"other_learner\",\"email\":\"other@example.org\","
	                "\"password\":\"" ST_PASSWORD "\"}",
	                NULL) != 201 ||
	    st_api_login(&f->other, f->w.srv.url, "other_learner", ST_PASSWORD) < 0)
		return -1;
	me = st_api_get(&f->other, "/users/me");
	id = cJSON_GetObjectItemCaseSensitive(me, "id");
	if (!cJSON_IsString(id)) {
		cJSON_Delete(me);
		return -1;
	}
	snprintf(f->other_user_id, sizeof(f->other_user_id), "%s", id->valuestring);
	cJSON_Delete(me);
	body = lc_asprintf("{\"course_id\":\"%s\"}", c->id);
	rc = st_api_call(&f->other, "POST", "/enrollments", body, NULL) == 201 ? 0 : -1;
	free(body);
	snprintf(path, sizeof(path), "/items/%s/questions", c->quiz_id);
	if (rc == 0)
		questions = st_api_list(&f->other, path);
	if (questions == NULL)
		return -1;
	answers = cJSON_CreateObject();
	cJSON_ArrayForEach(q, questions)
	{
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(q, "kind");
		const cJSON *qid = cJSON_GetObjectItemCaseSensitive(q, "id");

		if (!cJSON_IsString(qid) || !cJSON_IsString(kind))
			continue;
		if (strcmp(kind->valuestring, "short") == 0)
			cJSON_AddStringToObject(answers, qid->valuestring, OTHER_ANSWER);
		else
			cJSON_AddFalseToObject(answers, qid->valuestring);
	}
	cJSON_Delete(questions);
	req = cJSON_CreateObject();
	cJSON_AddItemToObject(req, "answers", answers);
	body = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	snprintf(path, sizeof(path), "/items/%s/attempts", c->quiz_id);
	rc = st_api_create(&f->other, path, body, f->attempt_id);
	free(body);
	return rc;
}

/* A draft course and a published course the learner never enrolls in. */
static int
out_of_scope_courses(struct fixture *f)
{
	char id[ST_ID_LEN + 1], module_id[ST_ID_LEN + 1], path[128];

	if (st_api_create(&f->w.instructor, "/courses", "{\"title\":\"" DRAFT_TITLE "\"}", id) < 0)
		return -1;
	/* w.courses[1] is published; the learner stays out of it. */
	snprintf(path, sizeof(path), "/courses/%s/modules", f->w.courses[1].id);
	if (st_api_create(&f->w.instructor, path, "{\"title\":\"Hidden\"}", module_id) < 0)
		return -1;
	snprintf(path, sizeof(path), "/modules/%s/items", module_id);
	return st_api_create(
	    &f->w.instructor, path,
	    "{\"title\":\"Hidden\",\"kind\":\"page\",\"body\":\"" HIDDEN_PAGE "\"}", id);
}

/* A question whose explanation (staff only, like its answer; issue 11) is recognisable. */
static int
explained_question(struct fixture *f)
{
	char id[ST_ID_LEN + 1], path[128];

	snprintf(path, sizeof(path), "/items/%s/questions", f->w.courses[0].quiz_id);
	return st_api_create(&f->w.instructor, path,
	                     "{\"prompt\":\"Explained?\",\"kind\":\"boolean\",\"answer\":true,"
	                     "\"explanation\":\"" EXPLANATION "\"}",
	                     id);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (st_world_setup(&f->w, "confidential", 2, 2, 1) < 0 || other_learner_attempt(f) < 0 ||
	    out_of_scope_courses(f) < 0 || explained_question(f) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_api_finish(&f->other);
	st_world_teardown(&f->w);
	free(f);
	return 0;
}

static void
test_learner_replica_holds_no_answers_nor_others_attempts(void **state)
{
	struct fixture *f = *state;
	const char *dir = f->w.cl.data_dir;
	int rc;

	assert_int_equal(st_lectern(&f->w.cl, NULL, NULL, "enroll", f->w.courses[0].id, NULL), 0);
	rc = st_lectern(&f->w.cl, NULL, NULL, "sync", "--verify", NULL);
	if (rc != 0)
		print_error("sync --verify exited %d: %s\n", rc, st_last_stderr());
	assert_int_equal(rc, 0);

	/* Positive controls: the quiz's questions and the course's pages did arrive. */
	assert_true(st_dir_contains(dir, "Six times seven?") > 0);
	assert_true(st_dir_contains(dir, "First paragraph of page 1.") > 0);
	assert_true(st_dir_contains(dir, f->w.courses[1].id) > 0); /* in the catalog */

	assert_int_equal(st_dir_contains(dir, "secret-answer-42"), 0);
	assert_true(st_dir_contains(dir, "Explained?") > 0);
	assert_int_equal(st_dir_contains(dir, EXPLANATION), 0);
	assert_int_equal(st_dir_contains(dir, OTHER_ANSWER), 0);
	assert_int_equal(st_dir_contains(dir, f->attempt_id), 0);
	assert_int_equal(st_dir_contains(dir, f->other_user_id), 0);
	assert_int_equal(st_dir_contains(dir, "other_learner"), 0);
	assert_int_equal(st_dir_contains(dir, DRAFT_TITLE), 0);
	assert_int_equal(st_dir_contains(dir, HIDDEN_PAGE), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_learner_replica_holds_no_answers_nor_others_attempts, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-confidential", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
