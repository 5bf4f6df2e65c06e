/* SPDX-License-Identifier: MIT */
/*
 * The conventions and error types of shared/API.md: the one error body shape and its
 * messages, 413, 415, malformed JSON, wrong field types, unknown ids, client ids on create,
 * stale If-Match, the login rate limit, X-Request-Id, ETag, pagination, and idempotent replay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <zlib.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "harness.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)
#define ADMIN (world.u[H_ADMIN].access)
#define LEARNER (world.u[H_ENROLLED].access)

/* ---- Body shape and media type ------------------------------------------------------------ */

static void
test_413_body_over_1mib(void **state)
{
	(void)state;
	/* A valid JSON document just over 1 MiB: the size alone must be the reason. */
	size_t n = 1024 * 1024 + 64;
	char *big = lc_malloc(n + 64);
	int len = snprintf(big, n + 64, "{\"title\":\"big\",\"description\":\"");
	memset(big + len, 'a', n - (size_t)len);
	snprintf(big + n, 64, "\"}");
	struct h_resp r;
	h_call(SRV, "POST", "/courses", OWNER, big, NULL, &r);
	free(big);
	H_EXPECT_ERROR(r, 413, "invalid_request_error");
	char rid[128];
	assert_non_null(h_resp_header(&r, "X-Request-Id", rid, sizeof(rid)));
	h_resp_free(&r);
}

static void
test_415_wrong_content_type(void **state)
{
	(void)state;
	const char *methods[] = {"POST", "PATCH"};
	for (int i = 0; i < 2; i++) {
		char auth[600];
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", OWNER);
		const char *hdrs[] = {auth, "Content-Type: text/plain", NULL};
		char *path = lc_asprintf(H_API "/courses%s%s", i == 0 ? "" : "/",
		                         i == 0 ? "" : world.course.id);
		const char *body = "{\"title\":\"Plain\"}";
		struct h_resp r;
		h_request(SRV, methods[i], path, hdrs, body, strlen(body), &r);
		free(path);
		H_EXPECT_ERROR(r, 415, "invalid_media_type");
		h_resp_free(&r);
	}
}

static void
test_json_with_charset_accepted(void **state)
{
	(void)state;
	char auth[600];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", OWNER);
	const char *hdrs[] = {auth, "Content-Type: application/json; charset=utf-8", NULL};
	const char *body = "{\"title\":\"Charset\"}";
	struct h_resp r;
	h_request(SRV, "POST", H_API "/courses", hdrs, body, strlen(body), &r);
	H_EXPECT(r, 201);
	h_resp_free(&r);
}

static void
test_malformed_json_400(void **state)
{
	(void)state;
	const char *bad[] = {"{\"title\":", "{title: 'x'}", "[1,2", "\"just a string"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct h_resp r;
		h_call(SRV, "POST", "/courses", OWNER, bad[i], NULL, &r);
		H_EXPECT_ERROR(r, 400, "invalid_request_error");
		assert_string_equal(h_error_message(&r), "The body is not valid JSON");
		h_resp_free(&r);
	}
}

static void
test_wrong_field_types_name_every_key(void **state)
{
	(void)state;
	struct h_resp r;
	h_call(
	    SRV, "POST", "/courses", OWNER,
	    "{\"title\":5,\"certification\":\"yes\",\"keywords\":\"a,b\",\"pass_score\":\"high\"}",
	    NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "title,certification,keywords,pass_score"))
		fail_msg("message: %s", h_error_message(&r));
	h_resp_free(&r);

	h_call(SRV, "POST", "/courses", OWNER, "{\"description\":\"no title\",\"pass_score\":1.5}",
	       NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "title,pass_score"))
		fail_msg("missing title and out-of-range pass_score: %s", h_error_message(&r));
	h_resp_free(&r);

	h_callf(SRV, "POST", OWNER, "{\"title\":\"x\",\"kind\":\"video\",\"points\":\"ten\"}", &r,
	        "/modules/%s/items", world.course.module_id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "kind,points"))
		fail_msg("item: %s", h_error_message(&r));
	h_resp_free(&r);

	char *json =
	    lc_asprintf("{\"item_id\":\"%s\",\"status\":\"finished\"}", world.course.page_id);
	h_call(SRV, "POST", "/progress", LEARNER, json, NULL, &r);
	free(json);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "status"))
		fail_msg("progress: %s", h_error_message(&r));
	h_resp_free(&r);
}

static int
count_items(const char *module_id)
{
	struct h_resp r;
	h_callf(SRV, "GET", OWNER, NULL, &r, "/modules/%s/items?limit=100", module_id);
	int n = (int)h_json_num(r.json, "total", -1);
	h_resp_free(&r);
	return n;
}

static void
test_array_body_errors_all_or_nothing(void **state)
{
	(void)state;
	int before = count_items(world.course.module_id);
	assert_true(before >= 0);
	/* Indexes counted from 0, as JSON arrays are. */
	struct h_resp r;
	h_callf(SRV, "POST", OWNER,
	        "[{\"title\":\"ok\",\"kind\":\"page\"},"
	        "{\"kind\":\"page\",\"due_at\":\"tomorrow\"},"
	        "{\"title\":\"ok too\",\"kind\":\"link\",\"url\":\"https://example.org\"},"
	        "{\"title\":\"bad kind\",\"kind\":\"movie\"}]",
	        &r, "/modules/%s/items", world.course.module_id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "1: title.due_at,3: kind"))
		fail_msg("array message: %s", h_error_message(&r));
	h_resp_free(&r);
	assert_int_equal(count_items(world.course.module_id), before);
}

/* ---- Unknown ids and client ids ------------------------------------------------------------ */

static void
test_unknown_ids_name_the_kind(void **state)
{
	(void)state;
	static const struct {
		const char *prefix, *suffix, *kind;
	} kinds[] = {
	    {"/courses/", "", "course"},
	    {"/modules/", "", "module"},
	    {"/items/", "", "item"},
	    {"/questions/", "", "question"},
	    {"/topics/", "", "topic"},
	    {"/replies/", "", "reply"},
	    {"/enrollments/", "", "enrollment"},
	    {"/departments/", "", "department"},
	    {"/users/", "/profile", "user"},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char id[H_ID_LEN + 1];
		lc_uuid_new(id);
		char path[128];
		snprintf(path, sizeof(path), "%s%s%s", kinds[i].prefix, id, kinds[i].suffix);
		const char *method = strcmp(kinds[i].kind, "reply") == 0 ? "DELETE" : "GET";
		struct h_resp r;
		h_call(SRV, method, path, ADMIN, NULL, NULL, &r);
		H_EXPECT_ERROR(r, 404, "resource_dne_error");
		char want[64];
		snprintf(want, sizeof(want), "That %s does not exist", kinds[i].kind);
		if (strcmp(h_error_message(&r), want) != 0)
			fail_msg("%s %s: message \"%s\", want \"%s\"", method, path,
			         h_error_message(&r), want);
		h_resp_free(&r);
	}
	/* An unknown parent in a body is a 404 of that kind too. */
	char id[H_ID_LEN + 1], json[96];
	lc_uuid_new(id);
	snprintf(json, sizeof(json), "{\"course_id\":\"%s\"}", id);
	struct h_resp r;
	h_call(SRV, "POST", "/enrollments", world.u[H_LEARNER].access, json, NULL, &r);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_string_equal(h_error_message(&r), "That course does not exist");
	h_resp_free(&r);
}

static void
test_client_ids_on_create(void **state)
{
	(void)state;
	char id[H_ID_LEN + 1];
	lc_uuid_new(id);
	char *json = lc_asprintf("{\"id\":\"%s\",\"title\":\"Offline made\"}", id);
	struct h_resp r;
	h_call(SRV, "POST", "/courses", OWNER, json, NULL, &r);
	H_EXPECT(r, 201);
	assert_string_equal(h_json_str(r.json, "id"), id);
	h_resp_free(&r);
	/* The same id again: 409. */
	h_call(SRV, "POST", "/courses", OWNER, json, NULL, &r);
	free(json);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	/* Malformed ids: 400 naming id. */
	const char *bad[] = {"not-a-uuid", "3F2504E0-4F89-11D3-9A0C-0305E82C3301", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json = lc_asprintf("{\"id\":\"%s\",\"title\":\"Bad id\"}", bad[i]);
		h_call(SRV, "POST", "/courses", OWNER, json, NULL, &r);
		free(json);
		H_EXPECT_ERROR(r, 400, "invalid_request_error");
		if (!h_invalid_params_are(&r, "id"))
			fail_msg("id \"%s\": %s", bad[i], h_error_message(&r));
		h_resp_free(&r);
	}
}

/* ---- Optimistic concurrency ---------------------------------------------------------------- */

static void
test_stale_if_match_409_with_current(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, false, &c), 0);
	const char *m1[] = {"If-Match: \"1\"", NULL};
	struct h_resp r;
	char *path = lc_asprintf("/courses/%s", c.id);
	h_call(SRV, "PATCH", path, OWNER, "{\"title\":\"Second\"}", m1, &r);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 2);
	h_resp_free(&r);
	/* The same If-Match again is now stale. */
	h_call(SRV, "PATCH", path, OWNER, "{\"title\":\"Lost update\"}", m1, &r);
	H_EXPECT(r, 409);
	assert_string_equal(h_json_str(r.json, "error.type"), "conflict_error");
	assert_non_null(h_json_str(r.json, "error.message"));
	assert_int_equal(cJSON_GetArraySize(r.json), 2); /* error and current, nothing else */
	assert_int_equal((int)h_json_num(r.json, "current.rev", 0), 2);
	assert_string_equal(h_json_str(r.json, "current.title"), "Second");
	assert_string_equal(h_json_str(r.json, "current.id"), c.id);
	h_resp_free(&r);
	/* DELETE with a stale rev is refused too and deletes nothing. */
	h_call(SRV, "DELETE", path, OWNER, NULL, m1, &r);
	H_EXPECT(r, 409);
	assert_int_equal((int)h_json_num(r.json, "current.rev", 0), 2);
	h_resp_free(&r);
	const char *m2[] = {"If-Match: \"2\"", NULL};
	h_call(SRV, "DELETE", path, OWNER, NULL, m2, &r);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	free(path);
}

/* ---- Authentication errors and the login rate limit ----------------------------------------- */

static void
test_401_missing_malformed_bad_token(void **state)
{
	(void)state;
	const char *variants[][2] = {
	    {NULL, NULL},
	    {"Authorization: Basic cm9vdDpwdw==", NULL},
	    {"Authorization: Bearer", NULL},
	    {"Authorization: Bearer not-a-real-token", NULL},
	};
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct h_resp r;
		h_request(SRV, "GET", H_API "/users/me", variants[i], NULL, 0, &r);
		H_EXPECT_ERROR(r, 401, "authentication_error");
		h_resp_free(&r);
	}
}

static void
test_login_error_and_429_after_10_failures(void **state)
{
	(void)state;
	struct h_user u, other;
	char name[40], name2[40];
	h_unique_name("victim", name, sizeof(name));
	h_unique_name("bystander", name2, sizeof(name2));
	assert_int_equal(h_register(SRV, name, NULL, &u), 0);
	assert_int_equal(h_register(SRV, name2, NULL, &other), 0);
	char *wrong = lc_asprintf("{\"username\":\"%s\",\"password\":\"wrong-password\"}", name);
	struct h_resp r;
	for (int i = 0; i < 10; i++) {
		h_call(SRV, "POST", "/auth/token", NULL, wrong, NULL, &r);
		H_EXPECT_ERROR(r, 401, "login_error");
		h_resp_free(&r);
	}
	h_call(SRV, "POST", "/auth/token", NULL, wrong, NULL, &r);
	free(wrong);
	H_EXPECT_ERROR(r, 429, "rate_limit_error");
	char ra[32];
	assert_non_null(h_resp_header(&r, "Retry-After", ra, sizeof(ra)));
	char rid[128];
	assert_non_null(h_resp_header(&r, "X-Request-Id", rid, sizeof(rid)));
	long secs = strtol(ra, NULL, 10);
	assert_true(secs > 0 && secs <= 15 * 60);
	h_resp_free(&r);
	/* Locked out even with the right password, for this username only. */
	struct h_user again;
	char *right = lc_asprintf("{\"username\":\"%s\",\"password\":\"%s\"}", name, H_PASSWORD);
	h_call(SRV, "POST", "/auth/token", NULL, right, NULL, &r);
	free(right);
	H_EXPECT_ERROR(r, 429, "rate_limit_error");
	h_resp_free(&r);
	assert_int_equal(h_login(SRV, name2, H_PASSWORD, &again), 0);
	/* An unknown username is a login_error, not a hint that it does not exist. */
	h_call(SRV, "POST", "/auth/token", NULL,
	       "{\"username\":\"nobody-here-xyz\",\"password\":\"whatever-123\"}", NULL, &r);
	H_EXPECT_ERROR(r, 401, "login_error");
	h_resp_free(&r);
}

/* ---- Headers ------------------------------------------------------------------------------ */

static void
test_request_id_on_every_response(void **state)
{
	(void)state;
	char bad_course[64], id[H_ID_LEN + 1];
	lc_uuid_new(id);
	snprintf(bad_course, sizeof(bad_course), "/courses/%s", id);
	struct {
		const char *method, *path, *token, *body;
		long status;
	} calls[] = {
	    {"GET", "/courses", NULL, NULL, 200},
	    {"GET", "/users/me", NULL, NULL, 401},
	    {"GET", bad_course, OWNER, NULL, 404},
	    {"POST", "/courses", OWNER, "{nope", 400},
	    {"POST", "/courses", LEARNER, "{\"title\":\"x\"}", 403},
	    {"POST", "/auth/token", NULL, "{\"username\":\"root\",\"password\":\"nope-nope\"}",
	     401},
	    {"GET", "/nowhere/at/all", OWNER, NULL, 404},
	};
	char prev[128] = "";
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct h_resp r;
		h_call(SRV, calls[i].method, calls[i].path, calls[i].token, calls[i].body, NULL,
		       &r);
		H_EXPECT(r, calls[i].status);
		char rid[128];
		if (h_resp_header(&r, "X-Request-Id", rid, sizeof(rid)) == NULL || rid[0] == '\0')
			fail_msg("%s %s: no X-Request-Id", calls[i].method, calls[i].path);
		assert_string_not_equal(rid, prev); /* unique per request */
		snprintf(prev, sizeof(prev), "%s", rid);
		h_resp_free(&r);
	}
	/* Echoed when the client sends one, on success and on failure. */
	const char *mine[] = {"X-Request-Id: test-req-4242-abc", NULL};
	for (int i = 0; i < 2; i++) {
		struct h_resp r;
		h_call(SRV, "GET", i == 0 ? "/courses" : "/users/me", NULL, NULL, mine, &r);
		char rid[128];
		assert_non_null(h_resp_header(&r, "X-Request-Id", rid, sizeof(rid)));
		assert_string_equal(rid, "test-req-4242-abc");
		h_resp_free(&r);
	}
}

static void
test_etag_on_get(void **state)
{
	(void)state;
	const char *paths[] = {"/courses/", "/modules/", "/items/", "/questions/", "/topics/"};
	const char *ids[] = {world.course.id, world.course.module_id, world.course.page_id,
	                     world.course.q1_id, world.course.topic_id};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct h_resp r;
		h_callf(SRV, "GET", OWNER, NULL, &r, "%s%s", paths[i], ids[i]);
		H_EXPECT(r, 200);
		char etag[64], want[64];
		snprintf(want, sizeof(want), "\"%d\"", (int)h_json_num(r.json, "rev", -1));
		if (h_resp_header(&r, "ETag", etag, sizeof(etag)) == NULL)
			fail_msg("no ETag on GET %s", paths[i]);
		assert_string_equal(etag, want);
		h_resp_free(&r);
	}
	struct h_resp r;
	h_call(SRV, "GET", "/users/me", OWNER, NULL, NULL, &r);
	char etag[64], want[64];
	snprintf(want, sizeof(want), "\"%d\"", (int)h_json_num(r.json, "rev", -1));
	assert_non_null(h_resp_header(&r, "ETag", etag, sizeof(etag)));
	assert_string_equal(etag, want);
	h_resp_free(&r);
}

/* ---- Pagination ---------------------------------------------------------------------------- */

static void
test_pagination_total(void **state)
{
	(void)state;
	struct h_user t;
	char name[40];
	h_unique_name("pager", name, sizeof(name));
	assert_int_equal(h_register(SRV, name, "instructor", &t), 0);
	for (int i = 0; i < 5; i++) {
		struct h_resp r;
		char *json = lc_asprintf("{\"title\":\"Paged %d\"}", i);
		h_call(SRV, "POST", "/courses", t.access, json, NULL, &r);
		free(json);
		H_EXPECT(r, 201);
		h_resp_free(&r);
	}
	int seen = 0;
	for (int page = 1; page <= 3; page++) {
		struct h_resp r;
		h_callf(SRV, "GET", t.access, NULL, &r, "/courses?owner_id=%s&limit=2&page=%d",
		        t.id, page);
		H_EXPECT(r, 200);
		assert_int_equal(cJSON_GetArraySize(r.json), 4); /* items, page, limit, total */
		assert_int_equal((int)h_json_num(r.json, "page", -1), page);
		assert_int_equal((int)h_json_num(r.json, "limit", -1), 2);
		assert_int_equal((int)h_json_num(r.json, "total", -1), 5);
		cJSON *items = cJSON_GetObjectItemCaseSensitive(r.json, "items");
		assert_true(cJSON_IsArray(items));
		assert_int_equal(cJSON_GetArraySize(items), page < 3 ? 2 : 1);
		seen += cJSON_GetArraySize(items);
		h_resp_free(&r);
	}
	assert_int_equal(seen, 5);
	struct h_resp r;
	h_callf(SRV, "GET", t.access, NULL, &r, "/courses?owner_id=%s", t.id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "page", -1), 1);
	assert_int_equal((int)h_json_num(r.json, "limit", -1), 20);
	h_resp_free(&r);
	const char *bad[] = {"limit=0", "limit=101", "limit=ten", "page=0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h_callf(SRV, "GET", t.access, NULL, &r, "/courses?%s", bad[i]);
		H_EXPECT_ERROR(r, 400, "invalid_request_error");
		char key[8];
		snprintf(key, sizeof(key), "%.*s", (int)strcspn(bad[i], "="), bad[i]);
		if (!h_invalid_params_are(&r, key))
			fail_msg("%s: %s", bad[i], h_error_message(&r));
		h_resp_free(&r);
	}
}

/* ---- Idempotency ----------------------------------------------------------------------------- */

static int
owned_courses(const struct h_user *u)
{
	struct h_resp r;
	h_callf(SRV, "GET", u->access, NULL, &r, "/courses?owner_id=%s", u->id);
	int n = (int)h_json_num(r.json, "total", -1);
	h_resp_free(&r);
	return n;
}

static void
expect_replay(const struct h_resp *first, const struct h_resp *again)
{
	assert_int_equal(again->status, first->status);
	assert_int_equal(again->body_len, first->body_len);
	assert_memory_equal(again->body, first->body, first->body_len);
	char v[16];
	assert_non_null(h_resp_header(again, "Idempotent-Replayed", v, sizeof(v)));
	assert_string_equal(v, "true");
}

static void
test_idempotent_replay(void **state)
{
	(void)state;
	struct h_user t;
	char name[40], key[80];
	h_unique_name("idem", name, sizeof(name));
	assert_int_equal(h_register(SRV, name, "instructor", &t), 0);
	snprintf(key, sizeof(key), "Idempotency-Key: create-%s", name);
	const char *hk[] = {key, NULL};
	struct h_resp first, again;
	h_call(SRV, "POST", "/courses", t.access, "{\"title\":\"Once\"}", hk, &first);
	H_EXPECT(first, 201);
	char v[16];
	assert_null(h_resp_header(&first, "Idempotent-Replayed", v, sizeof(v)));
	h_call(SRV, "POST", "/courses", t.access, "{\"title\":\"Once\"}", hk, &again);
	expect_replay(&first, &again);
	h_resp_free(&again);
	assert_int_equal(owned_courses(&t), 1);
	/* A different body with the same key is not applied a second time. */
	h_call(SRV, "POST", "/courses", t.access, "{\"title\":\"Twice?\"}", hk, &again);
	assert_int_not_equal(again.status, 0);
	if (again.status < 400)
		expect_replay(&first, &again);
	h_resp_free(&again);
	assert_int_equal(owned_courses(&t), 1);
	char id[H_ID_LEN + 1];
	assert_int_equal(h_copy_id(first.json, "id", id), 0);
	h_resp_free(&first);

	/* PATCH: the replay does not bump rev again. */
	snprintf(key, sizeof(key), "Idempotency-Key: patch-%s", name);
	char *path = lc_asprintf("/courses/%s", id);
	h_call(SRV, "PATCH", path, t.access, "{\"description\":\"once\"}", hk, &first);
	H_EXPECT(first, 200);
	int rev = (int)h_json_num(first.json, "rev", -1);
	h_call(SRV, "PATCH", path, t.access, "{\"description\":\"once\"}", hk, &again);
	expect_replay(&first, &again);
	h_resp_free(&again);
	h_resp_free(&first);
	h_call(SRV, "GET", path, t.access, NULL, NULL, &again);
	assert_int_equal((int)h_json_num(again.json, "rev", -1), rev);
	h_resp_free(&again);

	/* DELETE: the replay answers 204 again instead of 404. */
	snprintf(key, sizeof(key), "Idempotency-Key: delete-%s", name);
	h_call(SRV, "DELETE", path, t.access, NULL, hk, &first);
	H_EXPECT(first, 204);
	h_call(SRV, "DELETE", path, t.access, NULL, hk, &again);
	expect_replay(&first, &again);
	h_resp_free(&again);
	h_resp_free(&first);
	free(path);

	/* Keys belong to a user: the same key from someone else is a new request. */
	snprintf(key, sizeof(key), "Idempotency-Key: create-%s", name);
	h_call(SRV, "POST", "/courses", OWNER, "{\"title\":\"Not a replay\"}", hk, &again);
	H_EXPECT(again, 201);
	assert_null(h_resp_header(&again, "Idempotent-Replayed", v, sizeof(v)));
	assert_string_equal(h_json_str(again.json, "title"), "Not a replay");
	h_resp_free(&again);
}

static void
test_idempotency_key_length(void **state)
{
	(void)state;
	char key[200];
	int n = snprintf(key, sizeof(key), "Idempotency-Key: ");
	memset(key + n, 'k', 129);
	key[n + 129] = '\0';
	const char *hk[] = {key, NULL};
	struct h_resp r;
	h_call(SRV, "POST", "/courses", OWNER, "{\"title\":\"Long key\"}", hk, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	h_resp_free(&r);
}

/* docs/api.md: unknown paths, wrong methods, If-Match forms, a bad token on a public route. */
static void
test_routes_and_if_match_forms(void **state)
{
	(void)state;
	struct h_resp r;
	h_call(SRV, "GET", "/no/such/endpoint", OWNER, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_string_equal(h_error_message(&r), "That endpoint does not exist");
	h_resp_free(&r);
	h_call(SRV, "PUT", "/courses", OWNER, "{}", NULL, &r);
	H_EXPECT_ERROR(r, 405, "invalid_request_error");
	h_resp_free(&r);
	const char *bad_token[] = {"Authorization: Bearer forged", NULL};
	h_request(SRV, "GET", H_API "/courses", bad_token, NULL, 0, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, false, &c), 0);
	char *path = lc_asprintf("/courses/%s", c.id);
	const char *forms[] = {"If-Match: \"1\"", "If-Match: 2", "If-Match: W/\"3\""};
	for (int i = 0; i < 3; i++) {
		const char *hdr[] = {forms[i], NULL};
		/* Each PATCH changes something: one that changes nothing keeps the rev. */
		char *patch = lc_asprintf("{\"description\":\"step %d\"}", i);
		h_call(SRV, "PATCH", path, OWNER, patch, hdr, &r);
		free(patch);
		H_EXPECT(r, 200);
		assert_int_equal((int)h_json_num(r.json, "rev", 0), i + 2);
		h_resp_free(&r);
	}
	const char *junk[] = {"If-Match: banana", NULL};
	h_call(SRV, "PATCH", path, OWNER, "{\"description\":\"x\"}", junk, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "If-Match"));
	h_resp_free(&r);
	free(path);
}

/* A small gzip body that inflates past 1 MiB is too large too. */
static void
test_413_after_decoding(void **state)
{
	(void)state;
	size_t n = 2 * 1024 * 1024;
	char *plain = lc_malloc(n + 64);
	int len = snprintf(plain, n + 64, "{\"title\":\"bomb\",\"description\":\"");
	memset(plain + len, 'a', n - (size_t)len);
	snprintf(plain + n, 64, "\"}");
	uLongf cap = compressBound((uLong)(n + 2)) + 64;
	unsigned char *gz = lc_malloc(cap);
	z_stream zs = {0};
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)plain;
	zs.avail_in = (uInt)(n + 2);
	zs.next_out = gz;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	size_t gz_len = cap - zs.avail_out;
	deflateEnd(&zs);
	free(plain);
	assert_true(gz_len < 64 * 1024);
	char auth[600];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", OWNER);
	const char *hdrs[] = {auth, "Content-Type: application/json", "Content-Encoding: gzip",
	                      NULL};
	struct h_resp r;
	h_request(SRV, "POST", H_API "/courses", hdrs, (const char *)gz, gz_len, &r);
	free(gz);
	H_EXPECT_ERROR(r, 413, "invalid_request_error");
	h_resp_free(&r);
}

struct racer {
	const char *token, *path, *body, *key;
	struct h_resp resp;
};

static void *
race(void *arg)
{
	struct racer *rc = arg;
	const char *hk[] = {rc->key, NULL};
	h_call(SRV, "POST", rc->path, rc->token, rc->body, rc->key != NULL ? hk : NULL, &rc->resp);
	return NULL;
}

/* Runs n copies of one request at once; returns how many answered want_ok. */
static int
run_race(struct racer *rs, int n, long want_ok)
{
	pthread_t t[8];
	for (int i = 0; i < n; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race, &rs[i]), 0);
	int ok = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		ok += rs[i].resp.status == want_ok;
	}
	return ok;
}

/* Concurrent copies of one keyed create make one course, and every answer is that one. */
static void
test_idempotency_under_concurrency(void **state)
{
	(void)state;
	struct h_user t;
	char name[40], key[80];
	h_unique_name("racer", name, sizeof(name));
	assert_int_equal(h_register(SRV, name, "instructor", &t), 0);
	snprintf(key, sizeof(key), "Idempotency-Key: race-%s", name);
	struct racer rs[6];
	for (int i = 0; i < 6; i++)
		rs[i] = (struct racer){t.access, "/courses", "{\"title\":\"Raced\"}", key, {0}};
	int created = run_race(rs, 6, 201);
	char first[H_ID_LEN + 1] = "";
	for (int i = 0; i < 6; i++) {
		/* A copy may be told the first is still running (409); never a second course. */
		if (rs[i].resp.status == 201) {
			const char *id = h_json_str(rs[i].resp.json, "id");
			assert_non_null(id);
			if (first[0] == '\0')
				snprintf(first, sizeof(first), "%s", id);
			assert_string_equal(id, first);
		} else {
			H_EXPECT_ERROR(rs[i].resp, 409, "conflict_error");
		}
		h_resp_free(&rs[i].resp);
	}
	assert_true(created >= 1);
	assert_int_equal(owned_courses(&t), 1);
}

/* Every list endpoint answers {"items":[...],"page":1,"limit":20,"total":N} and nothing else. */
static void
test_every_list_has_the_list_shape(void **state)
{
	(void)state;
	const struct h_course *c = &world.course;
	char paths[16][128];
	int n = 0;
	snprintf(paths[n++], 128, "/courses");
	snprintf(paths[n++], 128, "/departments");
	snprintf(paths[n++], 128, "/users");
	snprintf(paths[n++], 128, "/enrollments");
	snprintf(paths[n++], 128, "/courses/%s/students", c->id);
	snprintf(paths[n++], 128, "/courses/%s/modules", c->id);
	snprintf(paths[n++], 128, "/modules/%s/items", c->module_id);
	snprintf(paths[n++], 128, "/items/%s/questions", c->quiz_id);
	snprintf(paths[n++], 128, "/items/%s/attempts", c->quiz_id);
	snprintf(paths[n++], 128, "/courses/%s/topics", c->id);
	for (int i = 0; i < n; i++) {
		struct h_resp r;
		h_call(SRV, "GET", paths[i], ADMIN, NULL, NULL, &r);
		H_EXPECT(r, 200);
		if (cJSON_GetArraySize(r.json) != 4 ||
		    !cJSON_IsArray(cJSON_GetObjectItem(r.json, "items")) ||
		    h_json_num(r.json, "page", -1) != 1 || h_json_num(r.json, "limit", -1) != 20 ||
		    h_json_num(r.json, "total", -1) <
		        cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")))
			fail_msg("GET %s is not a list: %.400s", paths[i], r.body);
		h_resp_free(&r);
	}
}

/* A body with no Content-Type at all is not JSON either; errors carry X-Request-Id too. */
static void
test_415_without_content_type_and_request_ids(void **state)
{
	(void)state;
	char auth[600];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", OWNER);
	const char *hdrs[] = {auth, "Content-Type:", NULL}; /* curl: send no Content-Type */
	const char *body = "{\"title\":\"Untyped\"}";
	struct h_resp r;
	h_request(SRV, "POST", H_API "/courses", hdrs, body, strlen(body), &r);
	H_EXPECT_ERROR(r, 415, "invalid_media_type");
	char rid[128];
	assert_non_null(h_resp_header(&r, "X-Request-Id", rid, sizeof(rid)));
	h_resp_free(&r);
	h_call(SRV, "DELETE", "/courses", OWNER, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 405, "invalid_request_error");
	assert_non_null(h_resp_header(&r, "X-Request-Id", rid, sizeof(rid)));
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
	    cmocka_unit_test(test_413_body_over_1mib),
	    cmocka_unit_test(test_415_wrong_content_type),
	    cmocka_unit_test(test_json_with_charset_accepted),
	    cmocka_unit_test(test_malformed_json_400),
	    cmocka_unit_test(test_wrong_field_types_name_every_key),
	    cmocka_unit_test(test_array_body_errors_all_or_nothing),
	    cmocka_unit_test(test_unknown_ids_name_the_kind),
	    cmocka_unit_test(test_client_ids_on_create),
	    cmocka_unit_test(test_stale_if_match_409_with_current),
	    cmocka_unit_test(test_401_missing_malformed_bad_token),
	    cmocka_unit_test(test_login_error_and_429_after_10_failures),
	    cmocka_unit_test(test_request_id_on_every_response),
	    cmocka_unit_test(test_etag_on_get),
	    cmocka_unit_test(test_pagination_total),
	    cmocka_unit_test(test_idempotent_replay),
	    cmocka_unit_test(test_idempotency_key_length),
	    cmocka_unit_test(test_routes_and_if_match_forms),
	    cmocka_unit_test(test_413_after_decoding),
	    cmocka_unit_test(test_idempotency_under_concurrency),
	    cmocka_unit_test(test_every_list_has_the_list_shape),
	    cmocka_unit_test(test_415_without_content_type_and_request_ids),
	};
	return cmocka_run_group_tests_name("api-errors", tests, group_setup, group_teardown);
}
