/* SPDX-License-Identifier: MIT */
/*
 * Offline then online: with lecternd stopped, a learner queues 50 writes of every kind
 * through the real `lectern` command line (enroll, complete, post, reply, edit); the server
 * comes back and one `lectern sync --verify` must put every write on the server exactly
 * once (checked through the REST API as that learner) with equal digests. A second sync
 * then proves that replaying changes nothing.
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

#include "test-sync-lib.h"

#define N_ITEMS 10
#define N_POSTS 8
#define N_REPLIES 20
#define N_EDITED 5 /* replies made online, then edited twice offline: 10 edits */

struct offline {
	struct st_world w;
	char premade[N_EDITED][ST_ID_LEN + 1];
	char posts[N_POSTS][ST_ID_LEN + 1];
};

/* Runs a lectern write command and returns the id it printed (first line). */
static void
write_cmd(struct st_client *cl, const char *input, char *id_out, const char *cmd, const char *arg1,
          const char *arg2, const char *arg3)
{
	char *out = NULL;
	int rc = st_lectern(cl, input, &out, cmd, arg1, arg2, arg3, NULL);

	if (rc != 0)
		print_error("lectern %s %s exited %d: %s\n", cmd, arg1, rc, st_last_stderr());
	assert_int_equal(rc, 0);
	if (id_out != NULL) {
		size_t n = strcspn(out, "\r\n \t");

		assert_int_equal(n, ST_ID_LEN);
		memcpy(id_out, out, ST_ID_LEN);
		id_out[ST_ID_LEN] = '\0';
	}
	free(out);
}

static int
setup(void **state)
{
	struct offline *o = calloc(1, sizeof(*o));

	*state = o;
	return st_world_setup(&o->w, "offline", 3, N_ITEMS, 3);
}

static int
teardown(void **state)
{
	struct offline *o = *state;

	st_world_teardown(&o->w);
	free(o);
	return 0;
}

/* Online part: enrolled in course 1 with five replies of its own, all synced. */
static void
prepare_online(struct offline *o)
{
	struct st_course *c1 = &o->w.courses[0];
	char text[64];

	write_cmd(&o->w.cl, NULL, NULL, "enroll", c1->id, NULL, NULL);
	assert_int_equal(st_lectern(&o->w.cl, NULL, NULL, "sync", NULL), 0);
	for (int i = 0; i < N_EDITED; i++) {
		snprintf(text, sizeof(text), "Premade reply [p:%02d]\n", i);
		write_cmd(&o->w.cl, text, o->premade[i], "reply", c1->topics[i % c1->n_topics],
		          NULL, NULL);
	}
	assert_int_equal(st_lectern(&o->w.cl, NULL, NULL, "sync", "--verify", NULL), 0);
}

/* The 50 writes, queued while the server is down; returns how many were made. */
static int
queue_offline(struct offline *o)
{
	struct st_course *c1 = &o->w.courses[0];
	char text[128], title[64], id[ST_ID_LEN + 1];
	int n = 0;

	write_cmd(&o->w.cl, NULL, NULL, "enroll", o->w.courses[1].id, NULL, NULL);
	write_cmd(&o->w.cl, NULL, NULL, "enroll", o->w.courses[2].id, NULL, NULL);
	n += 2;
	for (int i = 0; i < N_ITEMS; i++, n++)
		write_cmd(&o->w.cl, NULL, NULL, "complete", c1->items[i], NULL, NULL);
	for (int i = 0; i < N_POSTS; i++, n++) {
		snprintf(title, sizeof(title), "Offline topic [t:%02d]", i);
		snprintf(text, sizeof(text), "Written on a train, topic %d.\n", i);
		write_cmd(&o->w.cl, text, o->posts[i], "post", c1->id, "--title", title);
	}
	for (int i = 0; i < N_REPLIES; i++, n++) {
		/* Half answer the instructor's topics, half the topics posted offline above. */
		const char *topic =
		    i % 2 == 0 ? c1->topics[i % c1->n_topics] : o->posts[i % N_POSTS];

		snprintf(text, sizeof(text), "Offline reply [r:%02d]\n", i);
		write_cmd(&o->w.cl, text, id, "reply", topic, NULL, NULL);
	}
	for (int round = 1; round <= 2; round++) {
		for (int i = 0; i < N_EDITED; i++, n++) {
			snprintf(text, sizeof(text), "Edited reply [e:%02d-%d]\n", i, round);
			write_cmd(&o->w.cl, text, NULL, "edit", o->premade[i], NULL, NULL);
		}
	}
	return n;
}

static bool
has_course(const cJSON *list, const char *course_id, int *count)
{
	const cJSON *e;

	*count = 0;
	cJSON_ArrayForEach(e, list)
	{
		const cJSON *cid = cJSON_GetObjectItemCaseSensitive(e, "course_id");

		if (cJSON_IsString(cid) && strcmp(cid->valuestring, course_id) == 0)
			(*count)++;
	}
	return *count > 0;
}

/* Every write is on the server exactly once, as the learner sees it through REST. */
static void
check_server(struct offline *o)
{
	struct st_course *c1 = &o->w.courses[0];
	char marker[32], path[128];
	cJSON *list, *progress;
	const cJSON *item;
	char *text;
	int count, completed = 0;

	list = st_api_list(&o->w.learner, "/enrollments");
	assert_non_null(list);
	for (int i = 0; i < 3; i++) {
		assert_true(has_course(list, o->w.courses[i].id, &count));
		assert_int_equal(count, 1);
	}
	cJSON_Delete(list);

	snprintf(path, sizeof(path), "/progress/courses/%s", c1->id);
	progress = st_api_get(&o->w.learner, "%s", path);
	assert_non_null(progress);
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(progress, "items"))
	{
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(item, "status");

		if (cJSON_IsString(st) && strcmp(st->valuestring, "completed") == 0)
			completed++;
	}
	cJSON_Delete(progress);
	assert_int_equal(completed, N_ITEMS);

	text = st_forum_text(&o->w.learner, c1->id);
	assert_non_null(text);
	for (int i = 0; i < N_POSTS; i++) {
		snprintf(marker, sizeof(marker), "[t:%02d]", i);
		assert_int_equal(st_count(text, marker), 1);
	}
	for (int i = 0; i < N_REPLIES; i++) {
		snprintf(marker, sizeof(marker), "[r:%02d]", i);
		assert_int_equal(st_count(text, marker), 1);
	}
	for (int i = 0; i < N_EDITED; i++) {
		snprintf(marker, sizeof(marker), "[p:%02d]", i);
		assert_int_equal(st_count(text, marker), 0);
		snprintf(marker, sizeof(marker), "[e:%02d-1]", i);
		assert_int_equal(st_count(text, marker), 0);
		snprintf(marker, sizeof(marker), "[e:%02d-2]", i);
		assert_int_equal(st_count(text, marker), 1);
	}
	free(text);
}

static void
test_fifty_offline_writes_land_exactly_once_after_one_sync(void **state)
{
	struct offline *o = *state;
	int rc;

	prepare_online(o);
	st_server_stop(&o->w.srv, false);
	assert_int_equal(queue_offline(o), 50);
	/* Still offline: the sync reports the server unreachable and keeps everything. */
	assert_int_equal(st_lectern(&o->w.cl, NULL, NULL, "sync", NULL), 2);

	assert_int_equal(st_world_restart(&o->w), 0);
	rc = st_lectern(&o->w.cl, NULL, NULL, "sync", "--verify", NULL);
	if (rc != 0)
		print_error("sync --verify exited %d: %s\n", rc, st_last_stderr());
	assert_int_equal(rc, 0);
	check_server(o);
	assert_int_equal(st_replica_issues(&o->w.cl), 0);

	/* Replaying: another sync changes nothing on the server. */
	assert_int_equal(st_lectern(&o->w.cl, NULL, NULL, "sync", "--verify", NULL), 0);
	check_server(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_fifty_offline_writes_land_exactly_once_after_one_sync, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-offline", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
