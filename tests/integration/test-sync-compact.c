/* SPDX-License-Identifier: MIT */
/*
 * The compact form of the cursors (docs/sync.md "The compact form of the cursors"), seen
 * from the real `lectern sync` against the real lecternd through the fault proxy in
 * pass-through mode, which counts the requests (round trips) and the bytes each way:
 *
 * - a no-op sync is one /sync request naming `since` and `scope_set` instead of `cursors`,
 *   answered with `since`, under 600 bytes both ways, headers included;
 * - a scope set changed on the server (the learner enrolled elsewhere, a course unpublished
 *   and published again, an enrollment deleted by the course's staff) costs exactly one
 *   more round trip: the stale hash is answered in the full form with `more`, the next
 *   round names every cursor, and the sync after that is compact again;
 * - an enrollment pushed by the sync itself is answered in the same round trip;
 * - a replica whose cursors differ sends the full form, and is compact again afterwards.
 *
 * `LECTERN_DEBUG=1` makes lectern print every /sync request and answer body on stderr
 * (docs/sync.md "Debugging"); the tests read the bodies from there, since the proxy sees
 * larger request bodies gzip-compressed.
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
#include "common/fsutil.h"
#include "faultproxy.h"
#include "store/replica.h"
#include "test-sync-lib.h"

#define SYNC_PATH "/api/v1/sync"
#define NOOP_MAX_BYTES 600 /* the product's target for a whole no-op sync, headers included */
#define MAX_ROUNDS 16

struct fixture {
	struct st_world w;
	struct fp_proxy *proxy;
};

/* What one `lectern sync` did, as the proxy and lectern's debug log saw it. */
struct run {
	int rc;
	struct fp_stats st;
	struct fp_response *resp; /* the /sync exchanges, in order */
	size_t n_sync;
	cJSON *sent[MAX_ROUNDS]; /* request bodies from the debug log */
	cJSON *got[MAX_ROUNDS];  /* answer bodies */
	int n_sent;
	int n_got;
};

static void
run_finish(struct run *r)
{
	fp_responses_free(r->resp, r->n_sync);
	for (int i = 0; i < r->n_sent; i++)
		cJSON_Delete(r->sent[i]);
	for (int i = 0; i < r->n_got; i++)
		cJSON_Delete(r->got[i]);
	memset(r, 0, sizeof(*r));
}

/* ---- Reading the debug log ------------------------------------------------------------ */

/*
 * lectern's whole stderr: st_lectern() writes it next to the data dir as DIR.err, and
 * st_last_stderr() keeps only its first 4 KiB, which a first answer outgrows.
 */
static char *
lectern_stderr(const struct fixture *f)
{
	char path[600], *text = NULL;

	snprintf(path, sizeof(path), "%s.err", f->w.cl.data_dir);
	if (lc_read_file(path, &text, NULL) < 0)
		text = strdup(st_last_stderr());
	return text;
}

/* Parses every JSON value that follows marker in text into out (at most MAX_ROUNDS). */
static int
bodies_after(const char *text, const char *marker, cJSON *out[MAX_ROUNDS])
{
	int n = 0;

	for (const char *p = strstr(text, marker); p != NULL && n < MAX_ROUNDS;
	     p = strstr(p, marker)) {
		const char *end = NULL;
		cJSON *json;

		p += strlen(marker);
		json = cJSON_ParseWithOpts(p, &end, false);
		if (json == NULL) {
			print_error("cannot parse the body after \"%s\": %.80s\n", marker, p);
			break;
		}
		out[n++] = json;
		p = end;
	}
	return n;
}

/* ---- Running lectern through the proxy ------------------------------------------------ */

static void
run_sync(struct fixture *f, bool verify, struct run *r)
{
	struct fp_response *stale;
	size_t n_stale;
	char *err;

	memset(r, 0, sizeof(*r));
	fp_take_responses(f->proxy, &stale, &n_stale);
	fp_responses_free(stale, n_stale);
	fp_reset_stats(f->proxy);
	fp_capture(f->proxy, true);
	r->rc = st_lectern(&f->w.cl, NULL, NULL, "sync", verify ? "--verify" : NULL, NULL);
	fp_capture(f->proxy, false);
	fp_stats(f->proxy, &r->st);
	fp_take_responses(f->proxy, &r->resp, &r->n_sync);
	err = lectern_stderr(f);
	r->n_sent = bodies_after(err, "sync: sent ", r->sent);
	r->n_got = bodies_after(err, "sync: got ", r->got);
	print_message("lectern sync%s: exit %d, %lld requests (%zu to /sync), %lld bytes up, "
	              "%lld down\n",
	              verify ? " --verify" : "", r->rc, (long long)r->st.requests, r->n_sync,
	              (long long)r->st.bytes_up, (long long)r->st.bytes_down);
	if (r->rc != 0)
		print_error("lectern sync exited %d:\n%s\n", r->rc, err);
	free(err);
	assert_int_equal(r->rc, 0);
	/* Every /sync exchange the proxy saw is in the log: the log is the whole story. */
	assert_int_equal(r->n_sent, (int)r->n_sync);
	assert_int_equal(r->n_got, (int)r->n_sync);
}

static void
print_body(const char *what, const cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);

	print_error("%s: %.2000s\n", what, text != NULL ? text : "(none)");
	free(text);
}

static bool
has_key(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

/* The request names since and scope_set and no cursors; returns since. */
static int64_t
assert_compact_request(const cJSON *req)
{
	const cJSON *since = cJSON_GetObjectItemCaseSensitive(req, "since");
	const cJSON *set = cJSON_GetObjectItemCaseSensitive(req, "scope_set");
	bool ok = cJSON_IsNumber(since) && since->valuedouble > 0 && cJSON_IsString(set) &&
	          strlen(set->valuestring) == 32 &&
	          strspn(set->valuestring, "0123456789abcdef") == 32 && !has_key(req, "cursors") &&
	          !has_key(req, "scopes");

	if (!ok)
		print_body("expected a compact request, sent", req);
	assert_true(ok);
	return (int64_t)since->valuedouble;
}

/* The request names every cursor (n of them, when n >= 0) and no since or scope_set. */
static void
assert_full_request(const cJSON *req, int n)
{
	const cJSON *cursors = cJSON_GetObjectItemCaseSensitive(req, "cursors");
	bool ok = cJSON_IsObject(cursors) && cJSON_GetArraySize(cursors) > 0 &&
	          (n < 0 || cJSON_GetArraySize(cursors) == n) && !has_key(req, "since") &&
	          !has_key(req, "scope_set");

	if (!ok)
		print_body("expected a request naming every cursor, sent", req);
	assert_true(ok);
}

/* The answer stands for every scope at one seq: since, and no cursors, scopes or reset. */
static int64_t
assert_compact_answer(const cJSON *ans)
{
	const cJSON *since = cJSON_GetObjectItemCaseSensitive(ans, "since");
	bool ok = cJSON_IsNumber(since) && since->valuedouble > 0 && !has_key(ans, "cursors") &&
	          !has_key(ans, "scopes") && !has_key(ans, "reset");

	if (!ok)
		print_body("expected a compact answer, got", ans);
	assert_true(ok);
	return (int64_t)since->valuedouble;
}

/* The answer has the full form: cursors and scopes, no since. */
static void
assert_full_answer(const cJSON *ans)
{
	bool ok = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(ans, "cursors")) &&
	          cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(ans, "scopes")) &&
	          !has_key(ans, "since");

	if (!ok)
		print_body("expected an answer in the full form, got", ans);
	assert_true(ok);
}

/* The answer to a stale hash: nothing pulled, no cursors, the scopes as they are, more. */
static void
assert_stale_answer(const cJSON *ans)
{
	const cJSON *changes = cJSON_GetObjectItemCaseSensitive(ans, "changes");
	const cJSON *cursors = cJSON_GetObjectItemCaseSensitive(ans, "cursors");
	bool ok = cJSON_IsArray(changes) && cJSON_GetArraySize(changes) == 0 &&
	          cJSON_IsObject(cursors) && cJSON_GetArraySize(cursors) == 0 &&
	          cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(ans, "scopes")) &&
	          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ans, "more")) &&
	          !has_key(ans, "since");

	if (!ok)
		print_body("expected the answer to a stale scope_set, got", ans);
	assert_true(ok);
}

/* Whether the answer's scopes list names scope. */
static bool
answer_lists_scope(const cJSON *ans, const char *scope)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(ans, "scopes"))
	{
		if (cJSON_IsString(s) && strcmp(s->valuestring, scope) == 0)
			return true;
	}
	return false;
}

/* ---- The replica ------------------------------------------------------------------------- */

/* The replica's cursors: how many, and the lowest and highest. */
static void
replica_cursors(struct fixture *f, int *n, int64_t *lo, int64_t *hi)
{
	struct store_db *db = NULL;
	struct store_cursor *c = NULL;
	size_t count = 0;

	assert_int_equal(st_replica_open(&f->w.cl, &db), 0);
	assert_int_equal(store_cursor_list(db, &c, &count), 0);
	*n = (int)count;
	*lo = count > 0 ? c[0].cursor : 0;
	*hi = *lo;
	for (size_t i = 0; i < count; i++) {
		*lo = c[i].cursor < *lo ? c[i].cursor : *lo;
		*hi = c[i].cursor > *hi ? c[i].cursor : *hi;
	}
	store_cursor_list_free(c, count);
	store_db_close(db);
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
	int n = 0, total = 2 + c->n_items + c->n_topics;

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

/* ---- Fixture ----------------------------------------------------------------------------- */

/*
 * Two courses; the learner's replica talks through the proxy, is enrolled in the first
 * and has synced once.
 */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL;

	*state = f;
	if (f == NULL || st_world_setup(&f->w, "compact", 2, 3, 2) < 0)
		return -1;
	if (fp_start(f->w.srv.port, &f->proxy, &cause) < 0) {
		print_error("proxy: %s\n", cause);
		free(cause);
		return -1;
	}
	fp_set_fault_path(f->proxy, SYNC_PATH);
	snprintf(f->w.cl.server_url, sizeof(f->w.cl.server_url), "http://127.0.0.1:%d",
	         fp_port(f->proxy));
	if (st_lectern(&f->w.cl, NULL, NULL, "enroll", f->w.courses[0].id, NULL) != 0 ||
	    st_lectern(&f->w.cl, NULL, NULL, "sync", "--verify", NULL) != 0) {
		print_error("first sync: %s\n", st_last_stderr());
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f == NULL)
		return 0;
	fp_stop(f->proxy);
	st_world_teardown(&f->w);
	free(f);
	return 0;
}

/*
 * A sync with nothing new: one /sync request in the compact form (since = the replica's
 * cursors, which all stand at one seq), answered with since, under NOOP_MAX_BYTES in all.
 */
static void
assert_noop_is_compact(struct fixture *f)
{
	struct run r;
	int n_cursors;
	int64_t lo, hi, since;

	replica_cursors(f, &n_cursors, &lo, &hi);
	assert_true(n_cursors > 0);
	assert_int_equal(lo, hi); /* a finished sync leaves every cursor at one seq */
	run_sync(f, false, &r);
	assert_int_equal(r.st.requests, 1);
	assert_int_equal(r.n_sync, 1);
	since = assert_compact_request(r.sent[0]);
	assert_int_equal(since, lo);
	assert_true(assert_compact_answer(r.got[0]) >= since);
	/* The wire agrees with the log: a body this small goes uncompressed. */
	assert_non_null(strstr(r.resp[0].request, "POST " SYNC_PATH " "));
	assert_non_null(strstr(r.resp[0].request, "\"scope_set\""));
	assert_null(strstr(r.resp[0].request, "\"cursors\""));
	if (r.st.bytes_up + r.st.bytes_down >= NOOP_MAX_BYTES)
		print_error("a no-op sync moved %lld bytes up and %lld down\n",
		            (long long)r.st.bytes_up, (long long)r.st.bytes_down);
	assert_true(r.st.bytes_up + r.st.bytes_down < NOOP_MAX_BYTES);
	run_finish(&r);
}

/* A sync --verify after a scope set changed on the server: stale hash, then full form. */
static void
assert_stale_then_full(struct fixture *f, struct run *r)
{
	run_sync(f, true, r);
	assert_int_equal(r->n_sync, 2);
	assert_int_equal(r->st.requests, 3); /* two /sync and the digest GET */
	assert_compact_request(r->sent[0]);
	assert_stale_answer(r->got[0]);
	assert_full_request(r->sent[1], -1);
	assert_full_answer(r->got[1]);
}

/* As the course's staff, through REST: deletes the learner's enrollment in course_id. */
static void
staff_unenroll(struct fixture *f, const char *course_id)
{
	char path[160];
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

/* ---- Tests ------------------------------------------------------------------------------- */

static void
test_noop_sync_is_one_small_compact_round_trip(void **state)
{
	struct fixture *f = *state;

	assert_true(has_content(f, &f->w.courses[0]));
	assert_noop_is_compact(f);
	/* And again: the compact answer leaves the cursors where the next one starts. */
	assert_noop_is_compact(f);
}

/*
 * The heads of a sync hold what lecternd and HTTP need and no more (issue 10, the campus
 * delta at most 1.2x its floor): lectern sends no User-Agent, and lecternd's X-Request-Id
 * is 16 characters (96 random bits, base64url) instead of a 36-character UUID.
 */
static void
test_sync_heads_carry_no_user_agent_and_a_short_request_id(void **state)
{
	struct fixture *f = *state;
	struct run r;
	const char *rid;
	size_t n;

	run_sync(f, false, &r);
	assert_true(r.n_sync >= 1);
	for (size_t i = 0; i < r.n_sync; i++) {
		assert_null(strcasestr(r.resp[i].request, "User-Agent:"));
		rid = strstr(r.resp[i].head, "X-Request-Id: ");
		assert_non_null(rid);
		rid += strlen("X-Request-Id: ");
		n = strcspn(rid, "\r\n");
		assert_int_equal(n, 16);
		assert_int_equal(strspn(rid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                             "0123456789-_"),
		                 16);
	}
	run_finish(&r);
}

static void
test_enrollment_made_elsewhere_costs_one_more_round_trip(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c1 = &f->w.courses[1];
	char body[128], scope[64];
	struct run r;

	assert_false(has_content(f, c1));
	/* The learner enrolls on another device: the replica's scope set is now stale. */
	snprintf(body, sizeof(body), "{\"course_id\":\"%.36s\"}", c1->id);
	assert_int_equal(st_api_call(&f->w.learner, "POST", "/enrollments", body, NULL), 201);
	assert_stale_then_full(f, &r);
	snprintf(scope, sizeof(scope), "course:%.36s", c1->id);
	assert_true(answer_lists_scope(r.got[0], scope));
	run_finish(&r);
	assert_true(has_content(f, c1));
	assert_true(has_content(f, &f->w.courses[0]));
	assert_noop_is_compact(f);
}

static void
test_unpublish_and_publish_by_staff_cost_one_more_round_trip(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c0 = &f->w.courses[0];
	char path[128], scope[64];
	struct run r;

	snprintf(scope, sizeof(scope), "course:%.36s", c0->id);
	snprintf(path, sizeof(path), "/courses/%s/unpublish", c0->id);
	assert_int_equal(st_api_call(&f->w.instructor, "POST", path, "{}", NULL), 200);
	assert_stale_then_full(f, &r);
	assert_false(answer_lists_scope(r.got[0], scope));
	run_finish(&r);
	assert_false(has_content(f, c0));
	assert_noop_is_compact(f);

	snprintf(path, sizeof(path), "/courses/%s/publish", c0->id);
	assert_int_equal(st_api_call(&f->w.instructor, "POST", path, "{}", NULL), 200);
	assert_stale_then_full(f, &r);
	assert_true(answer_lists_scope(r.got[0], scope));
	run_finish(&r);
	assert_true(has_content(f, c0));
	assert_noop_is_compact(f);
}

static void
test_pushed_enrollment_is_one_round_trip(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c1 = &f->w.courses[1];
	char scope[64];
	struct run r;

	assert_int_equal(st_lectern(&f->w.cl, NULL, NULL, "enroll", c1->id, NULL), 0);
	run_sync(f, true, &r);
	assert_int_equal(r.n_sync, 1);
	assert_int_equal(r.st.requests, 2); /* the /sync and the digest GET */
	assert_compact_request(r.sent[0]);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.sent[0], "push")) == 1);
	assert_full_answer(r.got[0]);
	snprintf(scope, sizeof(scope), "course:%.36s", c1->id);
	assert_true(answer_lists_scope(r.got[0], scope));
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.got[0], "more")));
	run_finish(&r);
	assert_true(has_content(f, c1));
	assert_true(has_content(f, &f->w.courses[0]));
	assert_noop_is_compact(f);
}

static void
test_unenrollment_by_staff_drops_the_course(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c0 = &f->w.courses[0];
	char scope[64];
	struct run r;

	assert_true(has_content(f, c0));
	staff_unenroll(f, c0->id);
	assert_stale_then_full(f, &r);
	snprintf(scope, sizeof(scope), "course:%.36s", c0->id);
	assert_false(answer_lists_scope(r.got[0], scope));
	run_finish(&r);
	assert_false(has_content(f, c0));
	assert_true(has(f, "course", c0->id)); /* still in the catalog */
	assert_noop_is_compact(f);
}

static void
test_cursors_that_differ_are_sent_in_full(void **state)
{
	struct fixture *f = *state;
	const struct st_course *c0 = &f->w.courses[0];
	struct store_db *db = NULL;
	char scope[64];
	int64_t cursor = 0, lo, hi;
	int n_cursors;
	const cJSON *lagging;
	struct run r;

	/* As if a sync had stopped between two scopes: one cursor lags behind. */
	snprintf(scope, sizeof(scope), "course:%.36s", c0->id);
	assert_int_equal(st_replica_open(&f->w.cl, &db), 0);
	assert_int_equal(store_cursor_get(db, scope, &cursor), 0);
	assert_true(cursor > 1);
	assert_int_equal(store_cursor_set(db, scope, cursor - 1), 0);
	store_db_close(db);
	replica_cursors(f, &n_cursors, &lo, &hi);
	assert_true(n_cursors > 1);
	assert_true(lo < hi);

	run_sync(f, true, &r);
	assert_int_equal(r.n_sync, 1);
	assert_int_equal(r.st.requests, 2);
	assert_full_request(r.sent[0], n_cursors);
	lagging = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(r.sent[0], "cursors"), scope);
	assert_true(cJSON_IsNumber(lagging) && lagging->valuedouble == (double)(cursor - 1));
	assert_full_answer(r.got[0]);
	run_finish(&r);
	assert_true(has_content(f, c0));
	assert_noop_is_compact(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_noop_sync_is_one_small_compact_round_trip, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_sync_heads_carry_no_user_agent_and_a_short_request_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_enrollment_made_elsewhere_costs_one_more_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_unpublish_and_publish_by_staff_cost_one_more_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pushed_enrollment_is_one_round_trip, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_unenrollment_by_staff_drops_the_course, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_cursors_that_differ_are_sent_in_full, setup,
	                                    teardown),
	};
	int rc;

	/* lectern prints every /sync request and answer body on stderr. */
	setenv("LECTERN_DEBUG", "1", 1);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-compact", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
