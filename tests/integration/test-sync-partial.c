/* SPDX-License-Identifier: MIT */
/*
 * Partial changes (docs/sync.md "Partial changes"; perf review 2026-11-29, cause 6), seen
 * from the real `lectern sync` against the real lecternd:
 *
 * - after replies (and a deleted one) the topics arrive as patches, and the replica that
 *   merged them holds the same topic docs, byte for byte, as a replica pulled from 0, with
 *   the reply_count and last_activity_at of GET; `sync --verify` agrees;
 * - a replica that cannot take a patch (its row is gone, or older than the patch's base)
 *   resets that scope and pulls it again from 0 in the same `lectern sync`, keeping its
 *   queued write (sent exactly once) and ending equal to the server;
 * - the replica setting sync_partial = off asks for whole docs only.
 *
 * `LECTERN_DEBUG=1` makes lectern print every /sync request and answer on stderr, which
 * st_lectern() keeps in DIR.err; the tests read what went over the wire from there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/fsutil.h"
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
	if (f == NULL || st_world_setup(&f->w, "partial", 1, 2, 2) < 0 ||
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

/* lectern's whole stderr of its last run (st_last_stderr() keeps only 4 KiB). */
static char *
stderr_of(const struct st_client *cl)
{
	char path[600], *text = NULL;

	snprintf(path, sizeof(path), "%s.err", cl->data_dir);
	if (lc_read_file(path, &text, NULL) < 0)
		text = strdup(st_last_stderr());
	return text;
}

/* `lectern sync --verify` on cl; returns its stderr (the debug log), caller frees. */
static char *
sync_verify(const struct st_client *cl)
{
	int rc = st_lectern(cl, NULL, NULL, "sync", "--verify", NULL);
	char *err = stderr_of(cl);

	if (rc != 0)
		print_error("sync --verify exited %d:\n%s\n", rc, err);
	assert_int_equal(rc, 0);
	return err;
}

static void
reply(struct fixture *f, const char *topic_id, char id[ST_ID_LEN + 1])
{
	char path[128];

	snprintf(path, sizeof(path), "/topics/%s/replies", topic_id);
	assert_int_equal(st_api_create(&f->w.instructor, path,
	                               "{\"body\":\"Seen from the instructor's desk.\"}", id),
	                 0);
}

/* The replica's topic doc and rev (caller frees *doc). */
static void
topic_in(const struct st_client *cl, const char *id, char **doc, int64_t *rev)
{
	struct store_db *db = NULL;
	struct store_resource res = {0};

	assert_int_equal(st_replica_open(cl, &db), 0);
	assert_int_equal(store_resource_get(db, "topic", id, &res), 0);
	*doc = strdup(res.doc);
	*rev = res.rev;
	store_resource_finish(&res);
	store_db_close(db);
}

/* Runs one statement on the replica (a test's way to make it hold something else). */
static void
replica_exec(const struct st_client *cl, const char *sql, const char *id)
{
	struct store_db *db = NULL;
	sqlite3_stmt *stmt = NULL;

	assert_int_equal(st_replica_open(cl, &db), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db_handle(db), sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	assert_int_equal(sqlite3_changes(store_db_handle(db)), 1);
	sqlite3_finalize(stmt);
	store_db_close(db);
}

/* Fails unless the replica's topic has GET's reply_count and last_activity_at. */
static void
expect_counters_as_get(struct fixture *f, const struct st_client *cl, const char *id)
{
	cJSON *get = st_api_get(&f->w.learner, "/topics/%s", id), *mine;
	char *doc;
	int64_t rev;

	assert_non_null(get);
	topic_in(cl, id, &doc, &rev);
	mine = cJSON_Parse(doc);
	assert_non_null(mine);
	assert_int_equal(rev, (int64_t)cJSON_GetObjectItem(get, "rev")->valuedouble);
	assert_int_equal(cJSON_GetObjectItem(mine, "reply_count")->valueint,
	                 cJSON_GetObjectItem(get, "reply_count")->valueint);
	assert_string_equal(cJSON_GetObjectItem(mine, "last_activity_at")->valuestring,
	                    cJSON_GetObjectItem(get, "last_activity_at")->valuestring);
	cJSON_Delete(mine);
	cJSON_Delete(get);
	free(doc);
}

/*
 * Replies and a deleted reply reach the replica as patches of their topics; merged, each
 * topic is byte for byte what a replica pulled from 0 holds, and the digests match.
 */
static void
test_patched_topics_equal_a_fresh_pull(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c = &f->w.courses[0];
	struct st_client fresh;
	char id[ST_ID_LEN + 1], path[128], *err;

	free(sync_verify(&f->w.cl));
	reply(f, c->topics[0], id);
	reply(f, c->topics[0], id);
	reply(f, c->topics[1], id);
	snprintf(path, sizeof(path), "/replies/%s", id);
	assert_int_equal(st_api_call(&f->w.instructor, "DELETE", path, NULL, NULL), 204);
	err = sync_verify(&f->w.cl);
	/* Both topics came as patches: no whole topic doc, no reset. */
	assert_true(strstr(err, "\"partial\":true") != NULL);
	assert_int_equal(st_count(err, "\"patch\":{"), 2);
	assert_true(strstr(err, "cannot take rev") == NULL);
	free(err);

	assert_int_equal(st_world_client(&f->w, "fresh", "learner", &fresh), 0);
	free(sync_verify(&fresh));
	for (int t = 0; t < c->n_topics; t++) {
		char *patched, *whole;
		int64_t prev, wrev;

		topic_in(&f->w.cl, c->topics[t], &patched, &prev);
		topic_in(&fresh, c->topics[t], &whole, &wrev);
		assert_int_equal(prev, wrev);
		assert_string_equal(patched, whole);
		free(patched);
		free(whole);
		expect_counters_as_get(f, &f->w.cl, c->topics[t]);
	}
}

/*
 * A patch the replica cannot take resets the scope: the same `lectern sync` pulls it again
 * from 0, sends the queued reply once, and ends equal to the server. Twice: the topic row
 * gone, and a topic row older than the patch's base.
 */
static void
test_a_patch_that_does_not_fit_pulls_the_scope_again(void **state)
{
	static const char *const breaks[] = {
	    "DELETE FROM resources WHERE type = 'topic' AND id = ?1",
	    "UPDATE resources SET rev = rev - 1 WHERE type = 'topic' AND id = ?1",
	};
	struct fixture *f = *state;
	const struct st_course *c = &f->w.courses[0];
	char id[ST_ID_LEN + 1], path[128], body[96], *err;

	free(sync_verify(&f->w.cl));
	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		char marker[64];

		/* An edit after the cursor, synced: the next patch's base is the edit's rev. */
		snprintf(path, sizeof(path), "/topics/%s", c->topics[0]);
		snprintf(body, sizeof(body), "{\"title\":\"Edited %zu\"}", i);
		assert_int_equal(st_api_call(&f->w.instructor, "PATCH", path, body, NULL), 200);
		free(sync_verify(&f->w.cl));
		replica_exec(&f->w.cl, breaks[i], c->topics[0]);
		/* A reply queued offline on the other topic, then a reply on the broken one. */
		snprintf(marker, sizeof(marker), "queued before the reset %zu", i);
		assert_int_equal(st_lectern(&f->w.cl, marker, NULL, "reply", c->topics[1], NULL),
		                 0);
		reply(f, c->topics[0], id);
		err = sync_verify(&f->w.cl);
		if (strstr(err, "cannot take rev") == NULL)
			fail_msg("no reset after a patch that does not fit:\n%s", err);
		free(err);
		assert_int_equal(st_count_in_forum(&f->w.instructor, c->id, marker), 1);
		assert_int_equal(st_replica_issues(&f->w.cl), 0);
		expect_counters_as_get(f, &f->w.cl, c->topics[0]);
		expect_counters_as_get(f, &f->w.cl, c->topics[1]);
	}
}

/* sync_partial = off: the request does not ask, and the topic of a reply comes whole. */
static void
test_partial_off_gets_whole_docs(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c = &f->w.courses[0];
	struct store_db *db = NULL;
	char id[ST_ID_LEN + 1], *err;

	free(sync_verify(&f->w.cl));
	assert_int_equal(st_replica_open(&f->w.cl, &db), 0);
	assert_int_equal(store_setting_set(db, "sync_partial", "off"), 0);
	store_db_close(db);
	reply(f, c->topics[0], id);
	err = sync_verify(&f->w.cl);
	assert_null(strstr(err, "\"partial\""));
	assert_null(strstr(err, "\"patch\""));
	assert_true(strstr(err, "\"reply_count\":") != NULL);
	free(err);
	expect_counters_as_get(f, &f->w.cl, c->topics[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_patched_topics_equal_a_fresh_pull, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_a_patch_that_does_not_fit_pulls_the_scope_again,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial_off_gets_whole_docs, setup, teardown),
	};

	setenv("LECTERN_DEBUG", "1", 1);
	return cmocka_run_group_tests_name("sync-partial", tests, NULL, NULL);
}
