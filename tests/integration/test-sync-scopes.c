/* SPDX-License-Identifier: MIT */
/*
 * Scopes: a course's content (modules, items, questions, topics) reaches the replica on the
 * first sync after enrolling and leaves it on the first sync after unenrolling, while the
 * course stays listed in the catalog and the other course's content stays put.
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

#include "common/err.h"
#include "store/replica.h"
#include "test-sync-lib.h"

struct fixture {
	struct st_world w;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (st_world_setup(&f->w, "scopes", 2, 3, 2) < 0 ||
	    st_lectern(&f->w.cl, NULL, NULL, "enroll", f->w.courses[0].id, NULL) != 0)
		return -1;
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

static void
sync_verify(struct fixture *f)
{
	int rc = st_lectern(&f->w.cl, NULL, NULL, "sync", "--verify", NULL);

	if (rc != 0)
		print_error("sync --verify exited %d: %s\n", rc, st_last_stderr());
	assert_int_equal(rc, 0);
}

/* Whether the replica holds a live resource. */
static bool
has(struct fixture *f, const char *type, const char *id)
{
	struct store_db *db = NULL;
	struct store_resource res = {0};
	int rc;

	assert_int_equal(st_replica_open(&f->w.cl, &db), 0);
	rc = store_resource_get(db, type, id, &res);
	store_resource_finish(&res);
	store_db_close(db);
	assert_true(rc == 0 || rc == -LC_ENOTFOUND);
	return rc == 0;
}

/* Whether the course's whole content is in the replica (all or nothing is checked). */
static bool
has_content(struct fixture *f, const struct st_course *c)
{
	int n = 0, total = 0;

	total += 2 + c->n_items + c->n_topics;
	n += has(f, "module", c->module_id);
	n += has(f, "item", c->quiz_id);
	for (int i = 0; i < c->n_items; i++)
		n += has(f, "item", c->items[i]);
	for (int i = 0; i < c->n_topics; i++)
		n += has(f, "topic", c->topics[i]);
	if (n != 0 && n != total)
		print_error("course %s: %d of %d rows in the replica\n", c->id, n, total);
	assert_true(n == 0 || n == total);
	return n == total;
}

/* As the learner, through REST: deletes their enrollment in course_id. */
static void
unenroll(struct fixture *f, const char *course_id)
{
	cJSON *list = st_api_list(&f->w.learner, "/enrollments");
	const cJSON *e;
	char path[128];
	int removed = 0;

	assert_non_null(list);
	cJSON_ArrayForEach(e, list)
	{
		const cJSON *cid = cJSON_GetObjectItemCaseSensitive(e, "course_id");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");

		if (cJSON_IsString(cid) && strcmp(cid->valuestring, course_id) == 0 &&
		    cJSON_IsString(id)) {
			snprintf(path, sizeof(path), "/enrollments/%s", id->valuestring);
			assert_int_equal(st_api_call(&f->w.learner, "DELETE", path, NULL, NULL),
			                 204);
			removed++;
		}
	}
	cJSON_Delete(list);
	assert_int_equal(removed, 1);
}

static void
test_enrolling_brings_a_course_and_unenrolling_removes_it(void **state)
{
	struct fixture *f = *state;
	struct st_course *c1 = &f->w.courses[0], *c2 = &f->w.courses[1];

	sync_verify(f);
	assert_true(has_content(f, c1));
	assert_false(has_content(f, c2));
	assert_true(has(f, "course", c2->id)); /* listed in the catalog all along */

	assert_int_equal(st_lectern(&f->w.cl, NULL, NULL, "enroll", c2->id, NULL), 0);
	sync_verify(f);
	assert_true(has_content(f, c2));
	assert_true(has_content(f, c1));

	unenroll(f, c2->id);
	sync_verify(f);
	assert_false(has_content(f, c2));
	assert_true(has_content(f, c1));
	assert_true(has(f, "course", c2->id));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_enrolling_brings_a_course_and_unenrolling_removes_it, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-scopes", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
