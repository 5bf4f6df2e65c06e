/* SPDX-License-Identifier: MIT */
/*
 * sync_fetch() and sync_engine_fetch() against a real lecternd (issue 11, item 5): the
 * teaching view's students and analytics, which only the server computes, are fetched
 * with the replica's session and kept in its settings with who fetched them and when. A
 * refusal (a learner asking for a course's analytics) or a server that is gone leaves the
 * cached copy as it was; an access token the server no longer takes is refreshed once,
 * as a sync does; on the engine's thread the fetch never blocks the caller and says how
 * it went.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "sync/engine.h"
#include "test-sync-lib.h"

struct fixture {
	struct st_world w;
	struct st_client inst; /* the instructor's replica, logged in and synced */
	char inst_db[1024];
	char learner_db[1024];
	char path_analytics[128];
	char path_students[128];
};

/* The replica file in a client's data folder. */
static void
replica_path(const struct st_client *cl, char *out, size_t size)
{
	DIR *dir = opendir(cl->data_dir);
	struct dirent *de;

	assert_non_null(dir);
	out[0] = '\0';
	while ((de = readdir(dir)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n > 3 && strcmp(de->d_name + n - 3, ".db") == 0)
			snprintf(out, size, "%s/%s", cl->data_dir, de->d_name);
	}
	closedir(dir);
	assert_true(out[0] != '\0');
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const struct st_course *c;
	char body[256];

	*state = f;
	if (st_world_setup(&f->w, "fetch", 1, 2, 0) < 0 ||
	    st_world_client(&f->w, "inst", "instructor", &f->inst) < 0)
		return -1;
	c = &f->w.courses[0];
	/* The learner enrolls and completes one of the two pages: 50 %. */
	snprintf(body, sizeof(body), "{\"course_id\":\"%s\"}", c->id);
	if (st_api_call(&f->w.learner, "POST", "/enrollments", body, NULL) != 201)
		return -1;
	snprintf(body, sizeof(body), "{\"item_id\":\"%s\",\"status\":\"completed\"}", c->items[0]);
	if (st_api_call(&f->w.learner, "POST", "/progress", body, NULL) != 200)
		return -1;
	replica_path(&f->inst, f->inst_db, sizeof(f->inst_db));
	replica_path(&f->w.cl, f->learner_db, sizeof(f->learner_db));
	snprintf(f->path_analytics, sizeof(f->path_analytics), "/api/v1/courses/%s/analytics",
	         c->id);
	snprintf(f->path_students, sizeof(f->path_students),
	         "/api/v1/courses/%s/students?limit=100", c->id);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_world_teardown(&f->w);
	free(f);
	return 0;
}

static struct sync_engine *
engine_on(const char *db_path)
{
	struct sync_options opts = {.db_path = db_path, .connect_timeout_s = 2};
	struct sync_engine *e = NULL;
	char *cause = NULL;

	if (sync_engine_create(&opts, &e, &cause) < 0)
		print_error("engine: %s\n", cause);
	free(cause);
	assert_non_null(e);
	return e;
}

static char *
setting_text(const char *db_path, const char *key)
{
	struct store_db *db = NULL;
	char *text = NULL;

	assert_int_equal(store_replica_open(db_path, &db, NULL), 0);
	assert_int_equal(store_setting_get(db, key, &text), 0);
	store_db_close(db);
	return text;
}

/* The setting under key parsed (NULL when unset). */
static cJSON *
setting_json(const char *db_path, const char *key)
{
	char *text = setting_text(db_path, key);
	cJSON *json = text != NULL ? cJSON_Parse(text) : NULL;

	assert_true(text == NULL || json != NULL);
	free(text);
	return json;
}

static void
set_setting(const char *db_path, const char *key, const char *value)
{
	struct store_db *db = NULL;

	assert_int_equal(store_replica_open(db_path, &db, NULL), 0);
	assert_int_equal(store_setting_set(db, key, value), 0);
	store_db_close(db);
}

static double
num_at(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);

	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

/* Staff get the analytics and the students with their percent, kept with their time. */
static void
test_fetch_keeps_the_answer_with_who_and_when(void **state)
{
	struct fixture *f = *state;
	struct sync_engine *e = engine_on(f->inst_db);
	char *cause = NULL, *uid = setting_text(f->inst_db, "user_id");
	int64_t before = lc_now(), at = 0;
	const cJSON *items, *student;
	cJSON *kept;

	assert_int_equal(sync_fetch(e, f->path_analytics, "teach:a", &cause), 0);
	assert_null(cause);
	kept = setting_json(f->inst_db, "teach:a");
	assert_non_null(kept);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(kept, "user_id")->valuestring, uid);
	assert_int_equal(
	    lc_rfc3339_parse(cJSON_GetObjectItemCaseSensitive(kept, "fetched_at")->valuestring,
	                     &at),
	    0);
	assert_true(at >= before - 1 && at <= lc_now() + 1);
	assert_int_equal((int)num_at(kept, "body", "enrolled"), 1);
	assert_int_equal((int)num_at(kept, "body", "completed"), 0);
	items = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(kept, "body"),
	                                         "items");
	assert_int_equal(cJSON_GetArraySize(items), 3); /* two pages and the quiz */
	cJSON_Delete(kept);

	assert_int_equal(sync_fetch(e, f->path_students, "teach:s", &cause), 0);
	kept = setting_json(f->inst_db, "teach:s");
	student = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
	                                 cJSON_GetObjectItemCaseSensitive(kept, "body"), "items"),
	                             0);
	assert_non_null(student);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(student, "username")->valuestring,
	                    "learner");
	/* One of two required pages and the required quiz: a third. */
	assert_int_equal((int)num_at(student, "percent", NULL), 33);
	cJSON_Delete(kept);
	free(uid);
	sync_engine_destroy(e);
}

/*
 * A learner is refused (403) and a server that is gone does not answer: nothing is kept,
 * and what was kept before stays as it was.
 */
static void
test_a_refusal_or_no_server_keeps_the_cached_copy(void **state)
{
	struct fixture *f = *state;
	struct sync_engine *le = engine_on(f->learner_db), *ie = engine_on(f->inst_db);
	char *cause = NULL, *before, *after;
	cJSON *none;

	assert_int_equal(sync_fetch(le, f->path_analytics, "teach:a", &cause), -LC_EPERM);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "403"));
	free(cause);
	cause = NULL;
	none = setting_json(f->learner_db, "teach:a");
	assert_null(none);

	assert_int_equal(sync_fetch(ie, f->path_analytics, "teach:a", &cause), 0);
	before = setting_text(f->inst_db, "teach:a");
	assert_non_null(before);
	st_server_stop(&f->w.srv, false);
	assert_int_equal(sync_fetch(ie, f->path_analytics, "teach:a", &cause), -LC_ENET);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	after = setting_text(f->inst_db, "teach:a");
	assert_string_equal(before, after);
	/* A path that is not the server's: refused before anything is sent. */
	assert_int_equal(sync_fetch(ie, "courses", "teach:a", &cause), -LC_EINVAL);
	free(cause);
	free(before);
	free(after);
	sync_engine_destroy(le);
	sync_engine_destroy(ie);
}

/* An access token the server does not take is refreshed once, and the new pair kept. */
static void
test_fetch_refreshes_a_refused_access_token(void **state)
{
	struct fixture *f = *state;
	struct sync_engine *e = engine_on(f->inst_db);
	char *cause = NULL, *refresh_before = setting_text(f->inst_db, "refresh_token");
	char *access, *refresh_after;

	set_setting(f->inst_db, "access_token", "not-a-token");
	assert_int_equal(sync_fetch(e, f->path_analytics, "teach:a", &cause), 0);
	assert_null(cause);
	access = setting_text(f->inst_db, "access_token");
	refresh_after = setting_text(f->inst_db, "refresh_token");
	assert_string_not_equal(access, "not-a-token");
	assert_string_not_equal(refresh_before, refresh_after); /* rotated */
	free(access);
	free(refresh_before);
	free(refresh_after);
	sync_engine_destroy(e);
}

/* Waits (at most 20 s) for the fetch of key to end; returns its state. */
static enum sync_fetch_state
wait_fetch(struct sync_engine *e, const char *key, char *msg, size_t size)
{
	enum sync_fetch_state st = SYNC_FETCH_WAITING;

	for (int i = 0; i < 400 && st == SYNC_FETCH_WAITING; i++) {
		st = sync_engine_fetch_state(e, key, msg, size);
		if (st == SYNC_FETCH_WAITING)
			usleep(50 * 1000);
	}
	return st;
}

/*
 * On the engine's thread: asked without waiting, the generation moves when it ends, and
 * a failure says why while the cached copy stays.
 */
static void
test_engine_fetch_runs_on_the_engine_thread(void **state)
{
	struct fixture *f = *state;
	struct sync_engine *e = engine_on(f->inst_db);
	char msg[256], *before, *after;
	uint64_t gen;

	assert_int_equal(sync_engine_start(e, 3600), 0);
	assert_int_equal(sync_engine_fetch_state(e, "teach:s", msg, sizeof(msg)), SYNC_FETCH_NONE);
	assert_int_equal(sync_engine_fetch(e, f->path_students, "teach:s"), 0);
	/* The same key twice is one fetch. */
	assert_int_equal(sync_engine_fetch(e, f->path_students, "teach:s"), 0);
	assert_int_equal(wait_fetch(e, "teach:s", msg, sizeof(msg)), SYNC_FETCH_DONE);
	assert_string_equal(msg, "");
	before = setting_text(f->inst_db, "teach:s");
	assert_non_null(before);
	assert_non_null(strstr(before, "\"username\":\"learner\""));

	gen = sync_engine_generation(e);
	st_server_stop(&f->w.srv, false);
	assert_int_equal(sync_engine_fetch(e, f->path_students, "teach:s"), 0);
	assert_int_equal(wait_fetch(e, "teach:s", msg, sizeof(msg)), SYNC_FETCH_FAILED);
	assert_true(msg[0] != '\0');
	assert_true(sync_engine_generation(e) > gen);
	after = setting_text(f->inst_db, "teach:s");
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* Every slot waiting: the next one is refused rather than dropped silently. */
	sync_engine_destroy(e);
	e = engine_on(f->inst_db);
	for (int i = 0; i < SYNC_FETCH_SLOTS; i++) {
		char key[32];

		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(sync_engine_fetch(e, f->path_students, key), 0);
	}
	assert_int_equal(sync_engine_fetch(e, f->path_students, "one-more"), -LC_EINVAL);
	sync_engine_destroy(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fetch_keeps_the_answer_with_who_and_when, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_a_refusal_or_no_server_keeps_the_cached_copy,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fetch_refreshes_a_refused_access_token, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_engine_fetch_runs_on_the_engine_thread, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
