/* SPDX-License-Identifier: MIT */
/*
 * Bad input gets a clear error and changes nothing (issue 9, section 5), against a real
 * lecternd:
 * - a PATCH that changes nothing keeps rev and updated_at and writes no feed row, on every
 *   PATCH route and through a /sync push (security review 2026-11-29 / API.md Conventions);
 * - unknown body fields and query parameters answer 400 "Invalid parameters: ..." naming
 *   each, on every resource family, and create nothing;
 * - "\u0000" inside a JSON string answers 400 naming the field (security review, I5);
 * - LIKE searches take '%' and '_' literally (code review 2026-11-29, F12);
 * - /sync cursors outside the integers 0..2^53 answer 400 (security review, L7).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/uuid.h"
#include "harness.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)
#define ADMIN (world.u[H_ADMIN].access)
#define ENROLLED (world.u[H_ENROLLED].access)
#define LEARNER (world.u[H_LEARNER].access)
#define CLIENT "5e5e5e5e-1111-4222-8333-444444444444"

/* ---- helpers ---------------------------------------------------------------------------- */

/* Expects 400 invalid_request_error naming exactly keys (any order). */
static void
expect_bad(const char *method, const char *token, const char *json, const char *keys,
           const char *path)
{
	struct h_resp r;

	h_call(SRV, method, path, token, json, NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, keys))
		fail_msg("%s %s: want Invalid parameters: %s, got %s", method, path, keys,
		         h_error_message(&r));
	h_resp_free(&r);
}

/*
 * Pulls /sync as token from cursors (a JSON object text) until "more" is false. Returns
 * the cursors reached (caller frees) and adds the number of changes seen to *changes.
 */
static char *
sync_all(const char *token, const char *cursors, int *changes)
{
	char *cur = lc_strdup(cursors);

	for (int round = 0; round < 100; round++) {
		char *json = lc_asprintf("{\"client_id\":\"%s\",\"cursors\":%s,\"limit\":1000}",
		                         CLIENT, cur);
		struct h_resp r;

		h_call(SRV, "POST", "/sync", token, json, NULL, &r);
		free(json);
		H_EXPECT(r, 200);
		*changes += cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "changes"));
		free(cur);
		cur = cJSON_PrintUnformatted(cJSON_GetObjectItem(r.json, "cursors"));
		bool more = cJSON_IsTrue(cJSON_GetObjectItem(r.json, "more"));
		h_resp_free(&r);
		if (!more)
			return cur;
	}
	fail_msg("sync never finished");
	return cur;
}

/*
 * The doc get_path answers; with a list key, its element whose id is id (a reply has no
 * GET of its own: its topic lists it). Caller frees.
 */
static cJSON *
get_doc(const char *token, const char *get_path, const char *list, const char *id)
{
	struct h_resp g;
	const cJSON *e, *doc = NULL;

	h_call(SRV, "GET", get_path, token, NULL, NULL, &g);
	H_EXPECT(g, 200);
	if (list == NULL)
		doc = g.json;
	const cJSON *arr = list != NULL ? cJSON_GetObjectItem(g.json, list) : NULL;
	cJSON_ArrayForEach(e, arr)
	{
		if (strcmp(h_json_str(e, "id"), id) == 0)
			doc = e;
	}
	assert_non_null(doc);
	cJSON *out = cJSON_Duplicate(doc, true);
	h_resp_free(&g);
	return out;
}

/*
 * GETs the row's doc as token, PATCHes patch_path with the doc's own values of fields,
 * and checks that the answer and a second GET keep rev, updated_at and the ETag.
 */
static void
noop_patch_in(const char *token, const char *get_path, const char *list, const char *id,
              const char *patch_path, const char *const *fields)
{
	struct h_resp p;
	char etag[32], want_etag[32];
	cJSON *g = get_doc(token, get_path, list, id);
	cJSON *body = cJSON_CreateObject();

	for (int i = 0; fields[i] != NULL; i++) {
		const cJSON *v = cJSON_GetObjectItem(g, fields[i]);
		if (v == NULL)
			fail_msg("%s has no %s", get_path, fields[i]);
		cJSON_AddItemToObject(body, fields[i], cJSON_Duplicate(v, true));
	}
	char *json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	h_call(SRV, "PATCH", patch_path, token, json, NULL, &p);
	cJSON_free(json);
	H_EXPECT(p, 200);
	assert_int_equal((int64_t)h_json_num(p.json, "rev", -1), (int64_t)h_json_num(g, "rev", -2));
	assert_string_equal(h_json_str(p.json, "updated_at"), h_json_str(g, "updated_at"));
	snprintf(want_etag, sizeof(want_etag), "\"%lld\"", (long long)h_json_num(g, "rev", -2));
	assert_non_null(h_resp_header(&p, "ETag", etag, sizeof(etag)));
	assert_string_equal(etag, want_etag);
	h_resp_free(&p);
	cJSON *again = get_doc(token, get_path, list, id);
	assert_int_equal((int64_t)h_json_num(again, "rev", -1), (int64_t)h_json_num(g, "rev", -2));
	assert_string_equal(h_json_str(again, "updated_at"), h_json_str(g, "updated_at"));
	cJSON_Delete(again);
	cJSON_Delete(g);
}

static void
noop_patch(const char *token, const char *get_path, const char *patch_path,
           const char *const *fields)
{
	noop_patch_in(token, get_path, NULL, NULL, patch_path, fields);
}

/* ---- no-op PATCH ------------------------------------------------------------------------- */

/* Every PATCH route, sent its own values: same rev, same updated_at, nothing in /sync. */
static void
test_noop_patch_keeps_rev_and_writes_no_feed_row(void **state)
{
	(void)state;
	const struct h_course *c = &world.course;
	const char *actors[] = {OWNER, ENROLLED, ADMIN, LEARNER};
	char *cursors[4];
	struct h_resp r;
	int changes = 0;

	/* A real change first, so /users/me has a bio to send back. */
	h_call(SRV, "PATCH", "/users/me", ENROLLED, "{\"bio\":\"quiet\"}", NULL, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	for (int i = 0; i < 4; i++)
		cursors[i] = sync_all(actors[i], "{}", &changes);

	char *course = lc_asprintf("/courses/%s", c->id);
	char *module = lc_asprintf("/modules/%s", c->module_id);
	char *item = lc_asprintf("/items/%s", c->page_id);
	char *question = lc_asprintf("/questions/%s", c->q1_id);
	char *topic = lc_asprintf("/topics/%s", c->topic_id);
	char *reply = lc_asprintf("/replies/%s", c->reply_id);
	char *dept = lc_asprintf("/departments/%s", world.dept_id);
	char *user = lc_asprintf("/users/%s", world.u[H_LEARNER].id);
	char *roles = lc_asprintf("/users/%s/roles", world.u[H_LEARNER].id);

	noop_patch(OWNER, course, course,
	           (const char *[]){"title", "description", "department_id", "pass_score",
	                            "certification", NULL});
	noop_patch(OWNER, module, module, (const char *[]){"title", "position", NULL});
	noop_patch(OWNER, item, item, (const char *[]){"title", "kind", "body", "required", NULL});
	noop_patch(OWNER, question, question,
	           (const char *[]){"prompt", "kind", "choices", "answer", "points", NULL});
	noop_patch(ENROLLED, topic, topic, (const char *[]){"title", "body", NULL});
	noop_patch_in(ENROLLED, topic, "replies", c->reply_id, reply,
	              (const char *[]){"body", NULL});
	noop_patch(ADMIN, dept, dept, (const char *[]){"name", "code", NULL});
	noop_patch(ENROLLED, "/users/me", "/users/me", (const char *[]){"bio", NULL});
	noop_patch(ADMIN, user, roles, (const char *[]){"role", NULL});
	/* An empty PATCH changes nothing either. */
	noop_patch(OWNER, course, course, (const char *[]){NULL});

	/* Nobody's replica has anything new to download. */
	for (int i = 0; i < 4; i++) {
		int n = 0;
		char *after = sync_all(actors[i], cursors[i], &n);
		if (n != 0)
			fail_msg("actor %d pulled %d changes after no-op PATCHes", i, n);
		free(after);
		free(cursors[i]);
	}
	free(course);
	free(module);
	free(item);
	free(question);
	free(topic);
	free(reply);
	free(dept);
	free(user);
	free(roles);
}

/* The same PATCH through a /sync push: same rev in the push result, no change pulled. */
static void
test_noop_patch_through_sync_push(void **state)
{
	(void)state;
	struct h_resp g, r;
	int changes = 0;
	char *cursors = sync_all(ENROLLED, "{}", &changes);

	h_callf(SRV, "GET", ENROLLED, NULL, &g, "/topics/%s", world.course.topic_id);
	H_EXPECT(g, 200);
	char *json = lc_asprintf(
	    "{\"client_id\":\"%s\",\"cursors\":%s,\"push\":[{\"key\":\"noop-push-1\","
	    "\"method\":\"PATCH\",\"path\":\"/api/v1/topics/%s\",\"body\":{\"body\":\"%s\"}}]}",
	    CLIENT, cursors, world.course.topic_id, h_json_str(g.json, "body"));
	h_call(SRV, "POST", "/sync", ENROLLED, json, NULL, &r);
	free(json);
	H_EXPECT(r, 200);
	const cJSON *push = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "push"), 0);
	assert_int_equal((int)h_json_num(push, "status", 0), 200);
	assert_int_equal((int64_t)h_json_num(cJSON_GetObjectItem(push, "body"), "rev", -1),
	                 (int64_t)h_json_num(g.json, "rev", -2));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "changes")), 0);
	h_resp_free(&r);
	h_resp_free(&g);
	free(cursors);
}

/* A PATCH that does change something still bumps rev once and reaches the feed. */
static void
test_changing_patch_still_bumps_rev(void **state)
{
	(void)state;
	struct h_resp g, p;
	int changes = 0;
	char *cursors = sync_all(OWNER, "{}", &changes);

	h_callf(SRV, "GET", OWNER, NULL, &g, "/questions/%s", world.course.q1_id);
	H_EXPECT(g, 200);
	/* The answer is seen by staff only; changing it alone is still a change. */
	int answer = (int)h_json_num(g.json, "answer", 0) == 0 ? 1 : 0;
	char *json = lc_asprintf("{\"answer\":%d}", answer);
	h_callf(SRV, "PATCH", OWNER, json, &p, "/questions/%s", world.course.q1_id);
	free(json);
	H_EXPECT(p, 200);
	assert_int_equal((int64_t)h_json_num(p.json, "rev", -1),
	                 (int64_t)h_json_num(g.json, "rev", -2) + 1);
	h_resp_free(&p);
	/* Back to the old answer: another change. */
	json = lc_asprintf("{\"answer\":%d}", answer == 0 ? 1 : 0);
	h_callf(SRV, "PATCH", OWNER, json, &p, "/questions/%s", world.course.q1_id);
	free(json);
	H_EXPECT(p, 200);
	assert_int_equal((int64_t)h_json_num(p.json, "rev", -1),
	                 (int64_t)h_json_num(g.json, "rev", -2) + 2);
	h_resp_free(&p);
	h_resp_free(&g);
	changes = 0;
	char *after = sync_all(OWNER, cursors, &changes);
	assert_true(changes >= 1);
	free(after);
	free(cursors);
}

/* ---- unknown fields and parameters -------------------------------------------------------- */

/* Every resource family names every unknown body key. */
static void
test_unknown_body_fields_400_every_family(void **state)
{
	(void)state;
	const struct h_course *c = &world.course;
	char path[160], json[512];
	struct h_resp r;

	expect_bad("POST", NULL, "{\"username\":\"x\",\"password\":\"y\",\"remember\":true}",
	           "remember", "/auth/token");
	expect_bad("POST", NULL,
	           "{\"username\":\"nobody-x1\",\"email\":\"n@x.org\",\"password\":"
	           "\"long-enough\",\"nickname\":\"n\"}",
	           "nickname", "/auth/register");
	expect_bad("POST", NULL, "{\"refresh_token\":\"x\",\"scope\":\"all\"}", "scope",
	           "/auth/refresh");
	expect_bad("PATCH", ENROLLED, "{\"bio\":\"b\",\"nickname\":\"n\",\"age\":3}",
	           "nickname,age", "/users/me");
	expect_bad("POST", ENROLLED,
	           "{\"old_password\":\"a\",\"new_password\":\"bbbbbbbbb\",\"hint\":\"c\"}", "hint",
	           "/users/me/password");
	snprintf(path, sizeof(path), "/users/%s/roles", world.u[H_LEARNER].id);
	expect_bad("PATCH", ADMIN, "{\"role\":\"learner\",\"level\":2}", "level", path);
	expect_bad("POST", ADMIN, "{\"name\":\"N\",\"code\":\"NC1\",\"colour\":\"red\"}", "colour",
	           "/departments");
	snprintf(path, sizeof(path), "/departments/%s", world.dept_id);
	expect_bad("PATCH", ADMIN, "{\"head\":\"x\"}", "head", path);
	/* The exact message, in the order of the body. */
	h_call(SRV, "POST", "/courses", OWNER, "{\"title\":\"T\",\"colour\":\"red\",\"size\":1}",
	       NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_string_equal(h_error_message(&r), "Invalid parameters: colour,size");
	h_resp_free(&r);
	/* Nothing was made: the client's own id does not exist afterwards. */
	char id[LC_UUID_LEN + 1];
	lc_uuid_new(id);
	snprintf(json, sizeof(json), "{\"id\":\"%s\",\"title\":\"T\",\"colour\":\"red\"}", id);
	expect_bad("POST", OWNER, json, "colour", "/courses");
	h_callf(SRV, "GET", OWNER, NULL, &r, "/courses/%s", id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
	/* id is the server's on a PATCH: echoing it is not an edit. */
	snprintf(path, sizeof(path), "/courses/%s", c->id);
	snprintf(json, sizeof(json), "{\"id\":\"%s\",\"title\":\"x\"}", c->id);
	expect_bad("PATCH", OWNER, json, "id", path);
	snprintf(path, sizeof(path), "/courses/%s/publish", c->id);
	expect_bad("POST", OWNER, "{\"when\":\"now\"}", "when", path);
	snprintf(path, sizeof(path), "/courses/%s/modules", c->id);
	expect_bad("POST", OWNER, "{\"title\":\"M\",\"colour\":1}", "colour", path);
	snprintf(path, sizeof(path), "/courses/%s/modules/reorder", c->id);
	expect_bad("POST", OWNER, "{\"module_ids\":[],\"order\":1}", "order", path);
	snprintf(path, sizeof(path), "/modules/%s", c->module_id);
	expect_bad("PATCH", OWNER, "{\"colour\":1}", "colour", path);
	/* Array bodies name the element. */
	snprintf(path, sizeof(path), "/modules/%s/items", c->module_id);
	expect_bad("POST", OWNER,
	           "[{\"title\":\"a\",\"kind\":\"page\"},{\"title\":\"b\",\"kind\":\"page\","
	           "\"colour\":1,\"size\":2},{\"title\":\"c\",\"kind\":\"page\",\"x\":0}]",
	           "1: colour.size,2: x", path);
	h_call(SRV, "GET", path, OWNER, NULL, NULL, &r);
	H_EXPECT(r, 200);
	int items_before = (int)h_json_num(r.json, "total", -1);
	h_resp_free(&r);
	expect_bad("POST", OWNER, "[{\"title\":\"a\",\"kind\":\"page\"},{\"title\":\"b\",\"y\":1}]",
	           "1: y", path);
	h_call(SRV, "GET", path, OWNER, NULL, NULL, &r);
	assert_int_equal((int)h_json_num(r.json, "total", -1), items_before);
	h_resp_free(&r);
	snprintf(path, sizeof(path), "/items/%s", c->page_id);
	expect_bad("PATCH", OWNER, "{\"weight\":1}", "weight", path);
	snprintf(path, sizeof(path), "/items/%s/questions", c->quiz_id);
	expect_bad("POST", OWNER,
	           "{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":true,\"hint\":\"h\"}", "hint",
	           path);
	snprintf(path, sizeof(path), "/questions/%s", c->q1_id);
	expect_bad("PATCH", OWNER, "{\"hint\":\"h\"}", "hint", path);
	snprintf(json, sizeof(json), "{\"course_id\":\"%s\",\"note\":\"x\"}", c->id);
	expect_bad("POST", LEARNER, json, "note", "/enrollments");
	snprintf(json, sizeof(json), "{\"item_id\":\"%s\",\"status\":\"started\",\"mood\":\"ok\"}",
	         c->page_id);
	expect_bad("POST", ENROLLED, json, "mood", "/progress");
	snprintf(path, sizeof(path), "/items/%s/attempts", c->quiz_id);
	expect_bad("POST", ENROLLED, "{\"answers\":{},\"cheat\":true}", "cheat", path);
	snprintf(path, sizeof(path), "/courses/%s/topics", c->id);
	expect_bad("POST", ENROLLED, "{\"title\":\"t\",\"body\":\"b\",\"pinned\":true}", "pinned",
	           path);
	snprintf(path, sizeof(path), "/topics/%s/replies", c->topic_id);
	expect_bad("POST", ENROLLED, "{\"body\":\"b\",\"quote\":\"q\"}", "quote", path);
	snprintf(path, sizeof(path), "/replies/%s", c->reply_id);
	expect_bad("PATCH", ENROLLED, "{\"body\":\"b\",\"score\":1}", "score", path);
	snprintf(json, sizeof(json), "{\"client_id\":\"%s\",\"cursors\":{},\"extra\":1}", CLIENT);
	expect_bad("POST", ENROLLED, json, "extra", "/sync");
}

/* A /sync push runs the same check: its own 400, the other pushes go on. */
static void
test_unknown_field_in_sync_push(void **state)
{
	(void)state;
	struct h_resp r;
	char *json = lc_asprintf(
	    "{\"client_id\":\"%s\",\"cursors\":{},\"push\":[{\"key\":\"unknown-push-1\","
	    "\"method\":\"POST\",\"path\":\"/api/v1/topics/%s/replies\",\"body\":{\"body\":\"hi\","
	    "\"mood\":\"ok\"}},{\"key\":\"unknown-push-2\",\"method\":\"POST\",\"path\":"
	    "\"/api/v1/topics/%s/replies\",\"body\":{\"body\":\"hi\"}}]}",
	    CLIENT, world.course.topic_id, world.course.topic_id);

	h_call(SRV, "POST", "/sync", ENROLLED, json, NULL, &r);
	free(json);
	H_EXPECT(r, 200);
	const cJSON *push = cJSON_GetObjectItem(r.json, "push");
	const cJSON *first = cJSON_GetArrayItem(push, 0);
	assert_int_equal((int)h_json_num(first, "status", 0), 400);
	assert_string_equal(h_json_str(first, "body.error.message"), "Invalid parameters: mood");
	assert_int_equal((int)h_json_num(cJSON_GetArrayItem(push, 1), "status", 0), 201);
	h_resp_free(&r);
}

/* Unknown query parameters on every list, and on a GET that takes none. */
static void
test_unknown_query_params_400(void **state)
{
	(void)state;
	const struct h_course *c = &world.course;
	char path[200];
	struct h_resp r;

	h_call(SRV, "GET", "/courses?sort=title&page=1&order=asc", NULL, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_string_equal(h_error_message(&r), "Invalid parameters: sort,order");
	h_resp_free(&r);
	expect_bad("GET", ADMIN, NULL, "colour", "/users?colour=red&page=1");
	expect_bad("GET", ADMIN, NULL, "sort", "/departments?sort=name");
	snprintf(path, sizeof(path), "/courses/%s?expand=all", c->id);
	expect_bad("GET", OWNER, NULL, "expand", path);
	snprintf(path, sizeof(path), "/courses/%s/modules?sort=x", c->id);
	expect_bad("GET", OWNER, NULL, "sort", path);
	snprintf(path, sizeof(path), "/modules/%s/items?kind=page", c->module_id);
	expect_bad("GET", OWNER, NULL, "kind", path);
	snprintf(path, sizeof(path), "/items/%s/questions?answers=1", c->quiz_id);
	expect_bad("GET", OWNER, NULL, "answers", path);
	snprintf(path, sizeof(path), "/courses/%s/topics?sort=new&limit=5", c->id);
	expect_bad("GET", ENROLLED, NULL, "sort", path);
	expect_bad("GET", ENROLLED, NULL, "status", "/enrollments?status=active");
	snprintf(path, sizeof(path), "/progress/courses/%s?detail=1", c->id);
	expect_bad("GET", ENROLLED, NULL, "detail", path);
	snprintf(path, sizeof(path), "/items/%s/attempts?best=1", c->quiz_id);
	expect_bad("GET", ENROLLED, NULL, "best", path);
	expect_bad("GET", ENROLLED, NULL, "scope", "/sync/digest?scope=catalog");
	/* The known ones still work. */
	snprintf(path, sizeof(path), "/courses/%s/topics?search=x&page=1&limit=5", c->id);
	h_call(SRV, "GET", path, ENROLLED, NULL, NULL, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	/* No token: 401 comes before any look at the parameters. */
	h_call(SRV, "GET", "/enrollments?bogus=1", NULL, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
}

/* ---- NUL escapes ------------------------------------------------------------------------- */

/* security review 2026-11-29, I5: "\u0000" truncated a string silently. */
static void
test_nul_escape_in_string_400(void **state)
{
	(void)state;
	struct h_resp r;
	char path[160];

	h_call(SRV, "PATCH", "/users/me", ENROLLED, "{\"bio\":\"kept\"}", NULL, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	expect_bad("PATCH", ENROLLED, "{\"bio\":\"before\\u0000after\"}", "bio", "/users/me");
	h_call(SRV, "GET", "/users/me", ENROLLED, NULL, NULL, &r);
	assert_string_equal(h_json_str(r.json, "bio"), "kept");
	h_resp_free(&r);
	snprintf(path, sizeof(path), "/courses/%s/topics", world.course.id);
	expect_bad("POST", ENROLLED, "{\"title\":\"ok\",\"body\":\"a\\u0000b\"}", "body", path);
	snprintf(path, sizeof(path), "/modules/%s/items", world.course.module_id);
	expect_bad("POST", OWNER,
	           "[{\"title\":\"ok\",\"kind\":\"page\"},{\"title\":\"x\\u0000\",\"kind\":"
	           "\"page\"}]",
	           "1: title", path);
	/* Nested: the top-level field is named. */
	snprintf(path, sizeof(path), "/courses/%s", world.course.id);
	expect_bad("PATCH", OWNER, "{\"keywords\":[\"a\",\"b\\u0000\"]}", "keywords", path);
	/* An escaped backslash followed by u0000 is six plain characters. */
	h_call(SRV, "PATCH", "/users/me", ENROLLED, "{\"bio\":\"C:\\\\u0000 ok\"}", NULL, &r);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "bio"), "C:\\u0000 ok");
	h_resp_free(&r);
}

/* ---- LIKE wildcards ---------------------------------------------------------------------- */

/* code review 2026-11-29, F12: '%' and '_' in search text matched everything. */
static void
test_like_search_takes_wildcards_literally(void **state)
{
	(void)state;
	struct h_resp r;

	h_call(SRV, "POST", "/departments", ADMIN, "{\"name\":\"Half 50% off\",\"code\":\"PCT_1\"}",
	       NULL, &r);
	H_EXPECT(r, 201);
	h_resp_free(&r);
	h_call(SRV, "GET", "/departments?search=%25", ADMIN, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	assert_string_equal(
	    h_json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "items"), 0), "name"),
	    "Half 50% off");
	h_resp_free(&r);
	h_call(SRV, "GET", "/departments?search=_", ADMIN, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	h_resp_free(&r);
	h_call(SRV, "GET", "/users?search=%25", ADMIN, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 0);
	h_resp_free(&r);
	h_call(SRV, "GET", "/users?search=%5C", ADMIN, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 0);
	h_resp_free(&r);
}

/* ---- /sync cursors ----------------------------------------------------------------------- */

/* security review 2026-11-29, L7: a cursor of 1e300 reached a float-to-int64 cast. */
static void
test_sync_cursor_out_of_range_400(void **state)
{
	(void)state;
	static const char *const bad[] = {"1e300", "-1",  "1.5", "1e16", "9007199254740994",
	                                  "\"3\"", "true"};
	char json[256];
	struct h_resp r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json), "{\"client_id\":\"%s\",\"cursors\":{\"catalog\":%s}}",
		         CLIENT, bad[i]);
		expect_bad("POST", ENROLLED, json, "cursors", "/sync");
	}
	snprintf(json, sizeof(json),
	         "{\"client_id\":\"%s\",\"cursors\":{\"catalog\":9007199254740992}}", CLIENT);
	h_call(SRV, "POST", "/sync", ENROLLED, json, NULL, &r);
	H_EXPECT(r, 200);
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
	    cmocka_unit_test(test_noop_patch_keeps_rev_and_writes_no_feed_row),
	    cmocka_unit_test(test_noop_patch_through_sync_push),
	    cmocka_unit_test(test_changing_patch_still_bumps_rev),
	    cmocka_unit_test(test_unknown_body_fields_400_every_family),
	    cmocka_unit_test(test_unknown_field_in_sync_push),
	    cmocka_unit_test(test_unknown_query_params_400),
	    cmocka_unit_test(test_nul_escape_in_string_400),
	    cmocka_unit_test(test_like_search_takes_wildcards_literally),
	    cmocka_unit_test(test_sync_cursor_out_of_range_400),
	};
	return cmocka_run_group_tests_name("api-input", tests, group_setup, group_teardown);
}
