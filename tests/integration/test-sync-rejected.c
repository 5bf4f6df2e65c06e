/* SPDX-License-Identifier: MIT */
/*
 * Writes the server refuses: a learner queues replies offline; meanwhile the instructor
 * removes the learner from one course and deletes a topic of another. After the sync both
 * replies are listed by `lectern issues` with their text, neither is on the server, the
 * optimistic rows are gone from the replica and the outbox is empty.
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
	if (st_world_setup(&f->w, "rejected", 2, 1, 2) < 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (st_lectern(&f->w.cl, NULL, NULL, "enroll", f->w.courses[i].id, NULL) != 0)
			return -1;
	return st_lectern(&f->w.cl, NULL, NULL, "sync", "--verify", NULL) == 0 ? 0 : -1;
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
reply(struct fixture *f, const char *topic_id, const char *text, char *id)
{
	char *out = NULL;
	int rc = st_lectern(&f->w.cl, text, &out, "reply", topic_id, NULL);

	if (rc != 0)
		print_error("lectern reply exited %d: %s\n", rc, st_last_stderr());
	assert_int_equal(rc, 0);
	assert_int_equal(strcspn(out, "\r\n"), ST_ID_LEN);
	memcpy(id, out, ST_ID_LEN);
	id[ST_ID_LEN] = '\0';
	free(out);
}

/* As the instructor: deletes the learner's enrollment in course_id. */
static void
remove_learner(struct fixture *f, const char *course_id)
{
	char path[128];
	cJSON *list;
	const cJSON *e;
	int removed = 0;

	snprintf(path, sizeof(path), "/enrollments?course_id=%s", course_id);
	list = st_api_list(&f->w.instructor, path);
	assert_non_null(list);
	cJSON_ArrayForEach(e, list)
	{
		const cJSON *user = cJSON_GetObjectItemCaseSensitive(e, "username");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");

		if (cJSON_IsString(user) && strcmp(user->valuestring, "learner") == 0 &&
		    cJSON_IsString(id)) {
			snprintf(path, sizeof(path), "/enrollments/%s", id->valuestring);
			assert_int_equal(st_api_call(&f->w.instructor, "DELETE", path, NULL, NULL),
			                 204);
			removed++;
		}
	}
	cJSON_Delete(list);
	assert_int_equal(removed, 1);
}

/* `lectern issues` then `issues show N` of each: the issues with their content. */
static char *
all_issues(const struct st_client *cl)
{
	char *list = NULL, *out = strdup(""), *show, n[32];

	assert_int_equal(st_lectern(cl, NULL, &list, "issues", NULL), 0);
	for (const char *line = list; *line != '\0'; line += strcspn(line, "\n") + 1) {
		size_t len = strlen(out);

		snprintf(n, sizeof(n), "%ld", strtol(line, NULL, 10));
		show = NULL;
		assert_int_equal(st_lectern(cl, NULL, &show, "issues", "show", n, NULL), 0);
		out = realloc(out, len + strlen(show) + 1);
		memcpy(out + len, show, strlen(show) + 1);
		free(show);
		if (line[strcspn(line, "\n")] == '\0')
			break;
	}
	free(list);
	return out;
}

static void
test_rejected_replies_are_listed_with_their_text_and_undone(void **state)
{
	struct fixture *f = *state;
	const char *text_removed = "Reply after removal [rejected-removed-7c1]\n";
	const char *text_deleted = "Reply to a deleted topic [rejected-deleted-7c2]\n";
	char id_removed[ST_ID_LEN + 1], id_deleted[ST_ID_LEN + 1], path[128];
	struct store_db *db = NULL;
	struct store_resource res = {0};
	char *issues = NULL;
	int64_t waiting = -1;
	int rc;

	/* Offline (no sync): the replies are accepted locally. */
	reply(f, f->w.courses[0].topics[0], text_removed, id_removed);
	reply(f, f->w.courses[1].topics[0], text_deleted, id_deleted);
	assert_int_equal(st_replica_open(&f->w.cl, &db), 0);
	assert_int_equal(store_resource_get(db, "reply", id_removed, &res), 0);
	assert_true(res.pending);
	store_resource_finish(&res);
	store_db_close(db);

	/* Meanwhile on the server. */
	remove_learner(f, f->w.courses[0].id);
	snprintf(path, sizeof(path), "/topics/%s", f->w.courses[1].topics[0]);
	assert_int_equal(st_api_call(&f->w.instructor, "DELETE", path, NULL, NULL), 204);

	/* The sync worked, the server refused two writes: exit 4 (issue 15). */
	rc = st_lectern(&f->w.cl, NULL, NULL, "sync", "--verify", NULL);
	if (rc != 4)
		print_error("sync --verify exited %d: %s\n", rc, st_last_stderr());
	assert_int_equal(rc, 4);

	issues = all_issues(&f->w.cl);
	if (strstr(issues, "[rejected-removed-7c1]") == NULL ||
	    strstr(issues, "[rejected-deleted-7c2]") == NULL)
		print_error("lectern issues printed:\n%s\n", issues);
	assert_non_null(strstr(issues, "[rejected-removed-7c1]"));
	assert_non_null(strstr(issues, "[rejected-deleted-7c2]"));
	free(issues);

	assert_int_equal(st_replica_open(&f->w.cl, &db), 0);
	assert_int_equal(store_resource_get(db, "reply", id_removed, &res), -LC_ENOTFOUND);
	assert_int_equal(store_resource_get(db, "reply", id_deleted, &res), -LC_ENOTFOUND);
	assert_int_equal(store_outbox_count(db, &waiting), 0);
	assert_int_equal(waiting, 0);
	store_db_close(db);

	/* Nothing reached the server (course 1's forum is read as the instructor). */
	assert_int_equal(
	    st_count_in_forum(&f->w.instructor, f->w.courses[0].id, "[rejected-removed-7c1]"), 0);
	assert_int_equal(
	    st_count_in_forum(&f->w.instructor, f->w.courses[1].id, "[rejected-deleted-7c2]"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_rejected_replies_are_listed_with_their_text_and_undone, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-rejected", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
