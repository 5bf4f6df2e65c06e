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
 * - a pull paged over several rounds (more than the server's 1,000 changes per answer)
 *   does not ask for patches in its later rounds: its cursor has passed rows it never got
 *   (replaced by newer versions still to come), which a patch would take for held;
 * - the replica setting sync_partial = off asks for whole docs only;
 * - a server that refuses "partial" (a lecternd from before it, played by a stub that
 *   answers 400 `Invalid parameters: partial`) gets the request again without it.
 *
 * `LECTERN_DEBUG=1` makes lectern print every /sync request and answer on stderr, which
 * st_lectern() keeps in DIR.err; the tests read what went over the wire from there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
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

/*
 * A paged first pull: every topic's row moved past the first page (1,000 replies on one
 * topic, then one on the other), while their content is older than the first page's end.
 * Asking for patches with the first page's cursor would bring patches for rows this replica
 * never got, reset the scope, and start over for ever; the engine asks only with cursors of
 * an answer that said more: false.
 */
static void
test_a_paged_pull_asks_for_whole_docs_until_it_is_done(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c = &f->w.courses[0];
	char id[ST_ID_LEN + 1], *err;
	cJSON *sent[8] = {NULL};
	int n;

	for (int i = 0; i < 1000; i++)
		reply(f, c->topics[1], id);
	reply(f, c->topics[0], id);
	err = sync_verify(&f->w.cl);
	assert_null(strstr(err, "cannot take rev"));
	n = 0;
	for (const char *p = strstr(err, "sync: sent "); p != NULL && n < 8;
	     p = strstr(p, "sync: sent ")) {
		p += strlen("sync: sent ");
		sent[n++] = cJSON_ParseWithOpts(p, NULL, false);
	}
	free(err);
	/* The first round asks (from 0 it gets whole docs anyway); the paged ones do not. */
	assert_true(n >= 2);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(sent[0], "partial")));
	for (int i = 1; i < n; i++)
		assert_null(cJSON_GetObjectItem(sent[i], "partial"));
	for (int i = 0; i < n; i++)
		cJSON_Delete(sent[i]);
	expect_counters_as_get(f, &f->w.cl, c->topics[0]);
	expect_counters_as_get(f, &f->w.cl, c->topics[1]);

	/* Done paging: the next reply's topic is a patch again. */
	reply(f, c->topics[0], id);
	err = sync_verify(&f->w.cl);
	assert_int_equal(st_count(err, "\"patch\":{"), 1);
	free(err);
	expect_counters_as_get(f, &f->w.cl, c->topics[0]);
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

/*
 * A stub of a lecternd from before partial changes: /sync bodies naming "partial" get 400.
 * With lean_only, one from between partial and lean changes: bodies naming "lean" get 400.
 */
struct old_server {
	pthread_mutex_t lock;
	bool lean_only;
	int with_partial, without; /* /sync requests seen */
};

static enum MHD_Result
old_answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	static const char refused_partial[] = "{\"error\":{\"type\":\"invalid_request_error\","
	                                      "\"message\":\"Invalid parameters: partial\"}}";
	static const char refused_lean[] = "{\"error\":{\"type\":\"invalid_request_error\","
	                                   "\"message\":\"Invalid parameters: lean\"}}";
	static const char empty[] = "{\"push\":[],\"changes\":[],\"more\":false}";
	struct old_server *old = cls;
	struct lc_buf *body = *req_cls;
	struct MHD_Response *response;
	enum MHD_Result ret;
	const char *refused;
	bool partial;

	if (body == NULL) {
		*req_cls = lc_calloc(1, sizeof(*body));
		return MHD_YES;
	}
	if (*upload_size > 0) {
		lc_buf_append(body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	/* The compact request of a synced replica is short: never gzip-compressed. */
	partial = strstr(lc_buf_str(body), old->lean_only ? "\"lean\"" : "\"partial\"") != NULL;
	refused = old->lean_only ? refused_lean : refused_partial;
	pthread_mutex_lock(&old->lock);
	if (strcmp(url, "/api/v1/sync") == 0)
		*(partial ? &old->with_partial : &old->without) += 1;
	pthread_mutex_unlock(&old->lock);
	response = MHD_create_response_from_buffer(partial ? strlen(refused) : sizeof(empty) - 1,
	                                           (void *)(partial ? refused : empty),
	                                           MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(response, "Content-Type", "application/json");
	ret =
	    MHD_queue_response(connection, partial ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, response);
	MHD_destroy_response(response);
	return ret;
}

static void
old_done(void *cls, struct MHD_Connection *connection, void **req_cls,
         enum MHD_RequestTerminationCode toe)
{
	struct lc_buf *body = *req_cls;

	if (body != NULL)
		lc_buf_finish(body);
	free(body);
	*req_cls = NULL;
}

/* Runs lectern sync against the stub: one refused request, then one without both keys. */
static void
sync_against_old_server(struct fixture *f, bool lean_only)
{
	struct old_server old = {.lock = PTHREAD_MUTEX_INITIALIZER, .lean_only = lean_only};
	struct sockaddr_in addr = {.sin_family = AF_INET};
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	struct st_client cl = f->w.cl;
	int rc;

	free(sync_verify(&f->w.cl));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	                     old_answer, &old, MHD_OPTION_NOTIFY_COMPLETED, old_done, NULL,
	                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
	assert_non_null(d);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	snprintf(cl.server_url, sizeof(cl.server_url), "http://127.0.0.1:%u", (unsigned)info->port);
	rc = st_lectern(&cl, NULL, NULL, "sync", NULL);
	MHD_stop_daemon(d);
	if (rc != 0)
		print_error("lectern sync against the old server exited %d: %s\n", rc,
		            st_last_stderr());
	assert_int_equal(rc, 0);
	assert_int_equal(old.with_partial, 1);
	assert_int_equal(old.without, 1);
}

static void
test_a_server_that_refuses_partial_gets_whole_doc_requests(void **state)
{
	sync_against_old_server(*state, false);
}

/*
 * A lecternd with partial changes but from before lean ones (400 `Invalid parameters:
 * lean`; docs/sync.md "Lean changes") is treated as one without partial changes: the same
 * request again without "partial" and "lean", and the sync completes (issue 10).
 */
static void
test_a_server_that_refuses_lean_gets_requests_without_both(void **state)
{
	sync_against_old_server(*state, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_patched_topics_equal_a_fresh_pull, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_a_patch_that_does_not_fit_pulls_the_scope_again,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_paged_pull_asks_for_whole_docs_until_it_is_done,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial_off_gets_whole_docs, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_a_server_that_refuses_partial_gets_whole_doc_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_a_server_that_refuses_lean_gets_requests_without_both, setup, teardown),
	};

	setenv("LECTERN_DEBUG", "1", 1);
	return cmocka_run_group_tests_name("sync-partial", tests, NULL, NULL);
}
