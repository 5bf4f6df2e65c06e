/* SPDX-License-Identifier: MIT */
/*
 * A smoke test of the sync engine and the `lectern` command line against a real lecternd:
 * every write command queues offline and reaches the server with one `lectern sync`, a
 * write the server refuses is listed with its content, and a server that is gone makes
 * sync exit 2 while the writes wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "sync/engine.h"
#include "test-sync-lib.h"

struct fixture {
	struct st_world w;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	return st_world_setup(&f->w, "smoke", 1, 2, 1) < 0 ? -1 : 0;
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
run_ok(struct fixture *f, const char *input, char **out, const char *a0, const char *a1,
       const char *a2, const char *a3)
{
	int rc = st_lectern(&f->w.cl, input, out, a0, a1, a2, a3, NULL);

	if (rc != 0)
		print_error("lectern %s exited %d: %s\n", a0, rc, st_last_stderr());
	assert_int_equal(rc, 0);
}

/* Copies the id a write command printed. */
static void
printed_id(char *out, char id[ST_ID_LEN + 1])
{
	assert_non_null(out);
	assert_true(strcspn(out, "\n") == ST_ID_LEN);
	memcpy(id, out, ST_ID_LEN);
	id[ST_ID_LEN] = '\0';
	free(out);
}

static void
test_every_write_command_reaches_the_server_with_one_sync(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c = &f->w.courses[0];
	char *out = NULL, reply_id[ST_ID_LEN + 1], topic_id[ST_ID_LEN + 1];
	cJSON *progress, *reply;

	run_ok(f, NULL, NULL, "sync", "--verify", NULL, NULL);
	run_ok(f, NULL, &out, "courses", NULL, NULL, NULL);
	assert_non_null(strstr(out, c->id)); /* the catalog came with the first sync */
	free(out);
	run_ok(f, NULL, NULL, "enroll", c->id, NULL, NULL);
	run_ok(f, NULL, NULL, "sync", "--verify", NULL, NULL);

	/* Offline from here on: the commands only touch the replica. */
	run_ok(f, "smoke reply marker-r1\n", &out, "reply", c->topics[0], NULL, NULL);
	printed_id(out, reply_id);
	run_ok(f, "smoke topic body\n", &out, "post", c->id, "--title", "smoke marker-t1");
	printed_id(out, topic_id);
	run_ok(f, NULL, NULL, "complete", c->items[0], NULL, NULL);
	run_ok(f, "smoke reply edited marker-e1\n", NULL, "edit", reply_id, NULL, NULL);
	assert_int_equal(st_count_in_forum(&f->w.learner, c->id, "marker-"), 0);

	run_ok(f, NULL, NULL, "sync", "--verify", NULL, NULL);
	assert_int_equal(st_count_in_forum(&f->w.learner, c->id, "marker-r1"), 0);
	assert_int_equal(st_count_in_forum(&f->w.learner, c->id, "marker-e1"), 1);
	assert_int_equal(st_count_in_forum(&f->w.learner, c->id, "marker-t1"), 1);
	reply = st_api_get(&f->w.learner, "/topics/%s", topic_id);
	assert_non_null(reply);
	cJSON_Delete(reply);
	progress = st_api_get(&f->w.learner, "/progress/courses/%s", c->id);
	assert_non_null(progress);
	out = cJSON_PrintUnformatted(progress);
	assert_non_null(strstr(out, c->items[0]));
	assert_non_null(strstr(out, "completed"));
	free(out);
	cJSON_Delete(progress);
	/* Nothing is left to push, and a second sync sends nothing twice. */
	run_ok(f, NULL, NULL, "sync", "--verify", NULL, NULL);
	assert_int_equal(st_count_in_forum(&f->w.learner, c->id, "marker-t1"), 1);
}

static void
test_a_refused_write_is_listed_with_its_content(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c = &f->w.courses[0];
	char *out = NULL, n[16];

	run_ok(f, NULL, NULL, "enroll", c->id, NULL, NULL);
	run_ok(f, NULL, NULL, "sync", NULL, NULL, NULL);
	/* A learner may not edit a course's page: the server answers 403. */
	run_ok(f, "a learner's edit marker-x1\n", NULL, "edit", c->items[0], NULL, NULL);
	/* The sync worked but the write was refused: exit 4 (issue 15). */
	assert_int_equal(st_lectern(&f->w.cl, NULL, NULL, "sync", "--verify", NULL), 4);
	/* The list names the issue in words; `issues show N` has the content (issue 11). */
	run_ok(f, NULL, &out, "issues", NULL, NULL, NULL);
	assert_non_null(strstr(out, "\trejected\t"));
	assert_non_null(strstr(out, "\trefused by the server: "));
	snprintf(n, sizeof(n), "%ld", strtol(out, NULL, 10));
	free(out);
	run_ok(f, NULL, &out, "issues", "show", n, NULL);
	assert_non_null(strstr(out, "+a learner's edit marker-x1"));
	free(out);
}

static void
test_sync_exits_2_while_the_server_is_down_and_the_write_waits(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c = &f->w.courses[0];
	char *out = NULL;

	run_ok(f, NULL, NULL, "enroll", c->id, NULL, NULL);
	run_ok(f, NULL, NULL, "sync", NULL, NULL, NULL);
	run_ok(f, "written while the server is away marker-w1\n", NULL, "reply", c->topics[0], NULL,
	       NULL);
	st_server_stop(&f->w.srv, false);
	assert_int_equal(st_lectern(&f->w.cl, NULL, NULL, "sync", NULL), 2);
	run_ok(f, NULL, &out, "status", NULL, NULL, NULL);
	assert_non_null(strstr(out, "pending       1"));
	free(out);
	assert_int_equal(st_world_restart(&f->w), 0);
	run_ok(f, NULL, NULL, "sync", "--verify", NULL, NULL);
	assert_int_equal(st_count_in_forum(&f->w.learner, c->id, "marker-w1"), 1);
}

static void
test_an_outbox_larger_than_one_request_goes_in_several_rounds(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c = &f->w.courses[0];
	char *text = malloc(19100);

	assert_non_null(text);
	run_ok(f, NULL, NULL, "enroll", c->id, NULL, NULL);
	run_ok(f, NULL, NULL, "sync", NULL, NULL, NULL);
	/* 60 replies of 19 000 characters: over the server's 1 MiB limit for one body. */
	for (int i = 0; i < 60; i++) {
		memset(text, 'x', 19000);
		snprintf(text + 19000, 100, " marker-big%02d\n", i);
		run_ok(f, text, NULL, "reply", c->topics[0], NULL, NULL);
	}
	run_ok(f, NULL, NULL, "sync", "--verify", NULL, NULL);
	assert_int_equal(st_count_in_forum(&f->w.learner, c->id, "marker-big"), 60);
	free(text);
}

/* Polls the engine's status until pred holds or 20 s pass. */
static bool
wait_status(struct sync_engine *engine, bool (*pred)(const struct sync_status *),
            struct sync_status *st)
{
	int64_t until = lc_monotonic_ms() + 20000;

	do {
		sync_engine_status(engine, st);
		if (pred(st))
			return true;
		st_sleep_ms(20);
	} while (lc_monotonic_ms() < until);
	return false;
}

static bool
synced(const struct sync_status *st)
{
	return st->state == SYNC_ONLINE && st->entries_waiting == 0 && st->last_success > 0;
}

static bool
needs_login(const struct sync_status *st)
{
	return st->state == SYNC_NEEDS_LOGIN;
}

static void
test_background_engine_pushes_and_reports_progress(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c = &f->w.courses[0];
	struct sync_engine *engine = NULL;
	struct sync_options opts = {0};
	struct sync_status st;
	char *db_path = NULL;
	uint64_t gen;

	run_ok(f, NULL, NULL, "enroll", c->id, NULL, NULL);
	run_ok(f, NULL, NULL, "sync", NULL, NULL, NULL);
	run_ok(f, "sent by the background engine marker-b1\n", NULL, "reply", c->topics[0], NULL,
	       NULL);
	assert_true(asprintf(&db_path, "%s/replica.db", f->w.cl.data_dir) > 0);
	opts.db_path = db_path;
	assert_int_equal(sync_engine_create(&opts, &engine, NULL), 0);
	gen = sync_engine_generation(engine);
	assert_int_equal(sync_engine_start(engine, 3600), 0);
	assert_true(wait_status(engine, synced, &st));
	assert_true(sync_engine_generation(engine) > gen);
	assert_true(st.bytes_up > 0 && st.bytes_down > 0);
	assert_true(st.round_trips >= 1);
	assert_int_equal(st_count_in_forum(&f->w.learner, c->id, "marker-b1"), 1);
	sync_engine_destroy(engine);

	/*
	 * Without a session the engine says so and keeps the write (queued before the logout:
	 * a signed-out replica takes no new writes, issue 13, B4).
	 */
	run_ok(f, "waits for a login marker-b2\n", NULL, "reply", c->topics[0], NULL, NULL);
	run_ok(f, NULL, NULL, "logout", NULL, NULL, NULL);
	assert_int_equal(sync_engine_create(&opts, &engine, NULL), 0);
	assert_int_equal(sync_engine_start(engine, 3600), 0);
	assert_true(wait_status(engine, needs_login, &st));
	assert_int_equal(st.entries_waiting, 1);
	sync_engine_destroy(engine);
	assert_int_equal(st_login(&f->w.cl, "learner"), 0);
	run_ok(f, NULL, NULL, "sync", "--verify", NULL, NULL);
	assert_int_equal(st_count_in_forum(&f->w.learner, c->id, "marker-b2"), 1);
	free(db_path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_every_write_command_reaches_the_server_with_one_sync, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_refused_write_is_listed_with_its_content, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_sync_exits_2_while_the_server_is_down_and_the_write_waits, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_an_outbox_larger_than_one_request_goes_in_several_rounds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_background_engine_pushes_and_reports_progress,
	                                    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
