/* SPDX-License-Identifier: MIT */
/*
 * POST /api/v1/sync and GET /api/v1/sync/digest (shared/API.md "Sync", docs/api.md "Scopes"):
 * scopes follow enrollment, cascading deletes leave tombstones, a learner's feed carries no
 * answers and no other learner's attempts, docs equal what GET returns, push runs like REST,
 * compression, and the digest equals one computed here from the feed and from GET responses.
 *
 * The test keeps its own tiny replica: per scope, a JSON object "type\tid" -> rev.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <zlib.h>
#include <zstd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "harness-replica.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)
#define ADMIN (world.u[H_ADMIN].access)

/* ---- Scopes -------------------------------------------------------------------------------------
 */

static struct h_user
new_learner(const char *prefix)
{
	struct h_user u;
	char name[40];
	h_unique_name(prefix, name, sizeof(name));
	assert_int_equal(h_register(SRV, name, NULL, &u), 0);
	return u;
}

static void
test_enrolling_adds_scope_unenrolling_removes_it(void **state)
{
	(void)state;
	struct h_user l = new_learner("scoper");
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	assert_int_equal(cJSON_GetArraySize(rp.scopes), 2);
	assert_true(in_list(rp.scopes, "catalog"));
	assert_true(in_list(rp.scopes, "user"));
	/* The user scope carries the user's own doc; the catalog the published course. */
	const cJSON *me = find_change(&rp, "user", l.id);
	assert_non_null(me);
	assert_string_equal(h_json_str(me, "type"), "user");
	assert_non_null(find_change(&rp, "catalog", world.course.id));
	assert_non_null(find_change(&rp, "catalog", world.dept_id));
	char eid[H_ID_LEN + 1], scope[64];
	assert_int_equal(h_enroll(SRV, l.access, world.course.id, eid), 0);
	snprintf(scope, sizeof(scope), "course:%s", world.course.id);
	replica_sync(&rp, l.access);
	assert_true(in_list(rp.scopes, scope));
	assert_non_null(find_change(&rp, scope, world.course.module_id));
	assert_non_null(find_change(&rp, scope, world.course.q1_id));
	assert_non_null(find_change(&rp, scope, world.course.topic_id));
	const cJSON *e = find_change(&rp, "user", eid);
	assert_non_null(e);
	assert_string_equal(h_json_str(e, "type"), "enrollment");
	expect_digests_match(&rp, l.access);
	struct h_resp r;
	h_callf(SRV, "DELETE", l.access, NULL, &r, "/enrollments/%s", eid);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	replica_sync(&rp, l.access);
	assert_false(in_list(rp.scopes, scope));
	assert_null(cJSON_GetObjectItemCaseSensitive(rp.rows, scope));
	e = find_change(&rp, "user", eid);
	assert_non_null(e);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "deleted")));
	expect_digests_match(&rp, l.access);
	replica_free(&rp);
}

/* ---- Confidentiality ----------------------------------------------------------------------------
 */

static void
test_learner_feed_has_no_answers_or_others_attempts(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user a = new_learner("alice"), b = new_learner("bob");
	assert_int_equal(h_enroll(SRV, a.access, c.id, NULL), 0);
	assert_int_equal(h_enroll(SRV, b.access, c.id, NULL), 0);
	char *answers = lc_asprintf("{\"answers\":{\"%s\":1,\"%s\":42}}", c.q1_id, c.q2_id);
	char aid[H_ID_LEN + 1], bid[H_ID_LEN + 1];
	struct h_resp r;
	h_callf(SRV, "POST", a.access, answers, &r, "/items/%s/attempts", c.quiz_id);
	H_EXPECT(r, 201);
	h_copy_id(r.json, "id", aid);
	h_resp_free(&r);
	h_callf(SRV, "POST", b.access, answers, &r, "/items/%s/attempts", c.quiz_id);
	H_EXPECT(r, 201);
	h_copy_id(r.json, "id", bid);
	h_resp_free(&r);
	free(answers);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, a.access);
	const cJSON *ch;
	int questions = 0;
	cJSON_ArrayForEach(ch, rp.changes)
	{
		const char *type = h_json_str(ch, "type");
		const cJSON *doc = cJSON_GetObjectItem(ch, "doc");
		if (strcmp(type, "question") == 0) {
			questions++;
			if (cJSON_HasObjectItem(doc, "answer"))
				fail_msg("a learner's feed carries an answer: %s",
				         cJSON_PrintUnformatted(ch));
		}
		if (strcmp(type, "attempt") == 0 && doc != NULL &&
		    strcmp(h_json_str(doc, "user_id"), a.id) != 0)
			fail_msg("a learner's feed carries another's attempt: %s",
			         cJSON_PrintUnformatted(ch));
	}
	assert_int_equal(questions, 2);
	assert_non_null(find_change(&rp, "user", aid));
	assert_null(strstr(rp.raw, bid));
	assert_null(strstr(rp.raw, "\"answer\""));
	expect_digests_match(&rp, a.access);
	replica_free(&rp);
	/* Staff see both attempts and the answers. */
	replica_init(&rp, SRV);
	replica_sync(&rp, OWNER);
	char scope[64];
	snprintf(scope, sizeof(scope), "course:%s", c.id);
	assert_non_null(find_change(&rp, scope, aid));
	assert_non_null(find_change(&rp, scope, bid));
	const cJSON *q = find_change(&rp, scope, c.q1_id);
	assert_non_null(q);
	assert_true(cJSON_HasObjectItem(cJSON_GetObjectItem(q, "doc"), "answer"));
	expect_digests_match(&rp, OWNER);
	replica_free(&rp);
}

/* Each live change's doc equals what GET returns to the same user. */
static void
test_docs_equal_get(void **state)
{
	(void)state;
	const char *tok = world.u[H_ENROLLED].access;
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, tok);
	static const struct {
		const char *type, *prefix;
	} kinds[] = {{"course", "/courses/"},
	             {"module", "/modules/"},
	             {"item", "/items/"},
	             {"question", "/questions/"},
	             {"enrollment", "/enrollments/"},
	             {"department", "/departments/"}};
	int checked = 0;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, rp.changes)
	{
		const char *type = h_json_str(ch, "type");
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			if (strcmp(type, kinds[k].type) != 0)
				continue;
			struct h_resp r;
			h_callf(SRV, "GET", tok, NULL, &r, "%s%s", kinds[k].prefix,
			        h_json_str(ch, "id"));
			H_EXPECT(r, 200);
			if (!cJSON_Compare(r.json, cJSON_GetObjectItem(ch, "doc"), true))
				fail_msg("%s %s: GET %s; /sync doc %s", type, h_json_str(ch, "id"),
				         r.body,
				         cJSON_PrintUnformatted(cJSON_GetObjectItem(ch, "doc")));
			h_resp_free(&r);
			checked++;
		}
	}
	assert_true(checked >= 6);
	replica_free(&rp);
}

/* ---- Tombstones ---------------------------------------------------------------------------------
 */

static void
test_cascading_deletes_leave_tombstones(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_learner("tomb");
	char eid[H_ID_LEN + 1], scope[64];
	assert_int_equal(h_enroll(SRV, l.access, c.id, eid), 0);
	assert_int_equal(h_course_forum(SRV, l.access, &c), 0);
	snprintf(scope, sizeof(scope), "course:%s", c.id);
	struct replica staff, learner;
	replica_init(&staff, SRV);
	replica_init(&learner, SRV);
	replica_sync(&staff, OWNER);
	replica_sync(&learner, l.access);
	/* A module takes its items and their questions with it. */
	struct h_resp r;
	h_callf(SRV, "DELETE", OWNER, NULL, &r, "/modules/%s", c.module_id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	replica_sync(&staff, OWNER);
	replica_sync(&learner, l.access);
	for (int i = 0; i < 2; i++) {
		struct replica *rp = i == 0 ? &staff : &learner;
		expect_tombstone(rp, scope, c.module_id, "module");
		expect_tombstone(rp, scope, c.page_id, "item");
		expect_tombstone(rp, scope, c.quiz_id, "item");
		expect_tombstone(rp, scope, c.q1_id, "question");
		expect_tombstone(rp, scope, c.q2_id, "question");
	}
	expect_digests_match(&staff, OWNER);
	expect_digests_match(&learner, l.access);
	/* A topic takes its replies. */
	h_callf(SRV, "DELETE", OWNER, NULL, &r, "/topics/%s", c.topic_id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	replica_sync(&learner, l.access);
	expect_tombstone(&learner, scope, c.topic_id, "topic");
	expect_tombstone(&learner, scope, c.reply_id, "reply");
	expect_digests_match(&learner, l.access);
	/* The course takes the enrollment; the catalog forgets the course; the scope goes. */
	assert_int_equal(h_course_forum(SRV, l.access, &c), 0);
	replica_sync(&learner, l.access);
	h_callf(SRV, "DELETE", OWNER, NULL, &r, "/courses/%s", c.id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	replica_sync(&learner, l.access);
	replica_sync(&staff, OWNER);
	expect_tombstone(&learner, "user", eid, "enrollment");
	expect_tombstone(&learner, "catalog", c.id, "course");
	expect_tombstone(&staff, "catalog", c.id, "course");
	assert_false(in_list(learner.scopes, scope));
	assert_false(in_list(staff.scopes, scope));
	expect_digests_match(&learner, l.access);
	expect_digests_match(&staff, OWNER);
	replica_free(&staff);
	replica_free(&learner);
}

static void
test_user_delete_tombstones_for_staff(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_learner("quitter");
	char eid[H_ID_LEN + 1], aid[H_ID_LEN + 1], scope[64];
	assert_int_equal(h_enroll(SRV, l.access, c.id, eid), 0);
	struct h_resp r;
	char *answers = lc_asprintf("{\"answers\":{\"%s\":2}}", c.q1_id);
	h_callf(SRV, "POST", l.access, answers, &r, "/items/%s/attempts", c.quiz_id);
	free(answers);
	H_EXPECT(r, 201);
	h_copy_id(r.json, "id", aid);
	h_resp_free(&r);
	snprintf(scope, sizeof(scope), "course:%s", c.id);
	struct replica staff;
	replica_init(&staff, SRV);
	replica_sync(&staff, OWNER);
	assert_non_null(find_change(&staff, scope, aid));
	h_callf(SRV, "DELETE", ADMIN, NULL, &r, "/users/%s", l.id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	replica_sync(&staff, OWNER);
	expect_tombstone(&staff, scope, eid, "enrollment");
	expect_tombstone(&staff, scope, aid, "attempt");
	expect_digests_match(&staff, OWNER);
	replica_free(&staff);
}

/* ---- Digest from GET responses ------------------------------------------------------------------
 */

static void
add_row(cJSON *rows, const char *type, const cJSON *doc)
{
	char key[128];
	snprintf(key, sizeof(key), "%s\t%s", type, h_json_str(doc, "id"));
	cJSON_AddNumberToObject(rows, key, h_json_num(doc, "rev", -1));
}

static void
add_list(cJSON *rows, const char *type, const char *token, const char *path)
{
	struct h_resp r;
	h_callf(SRV, "GET", token, NULL, &r, "%s%slimit=100", path, strchr(path, '?') ? "&" : "?");
	H_EXPECT(r, 200);
	assert_true(h_json_num(r.json, "total", -1) <= 100);
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r.json, "items"))
	{
		add_row(rows, type, it);
	}
	h_resp_free(&r);
}

/* A learner's course:<id> rows from GET alone: course, modules, items, questions, topics, replies.
 */
static cJSON *
course_rows_from_get(const char *tok, const struct h_course *c)
{
	cJSON *rows = cJSON_CreateObject();
	struct h_resp r;
	h_callf(SRV, "GET", tok, NULL, &r, "/courses/%s", c->id);
	H_EXPECT(r, 200);
	add_row(rows, "course", r.json);
	h_resp_free(&r);
	char path[128];
	snprintf(path, sizeof(path), "/courses/%s/modules", c->id);
	cJSON *mods = cJSON_CreateObject();
	add_list(mods, "module", tok, path);
	const cJSON *m;
	cJSON_ArrayForEach(m, mods)
	{
		const char *mid = strchr(m->string, '\t') + 1;
		snprintf(path, sizeof(path), "/modules/%s/items", mid);
		add_list(rows, "item", tok, path);
	}
	const cJSON *it;
	cJSON *items = cJSON_Duplicate(rows, true);
	cJSON_ArrayForEach(it, items)
	{
		if (strncmp(it->string, "item\t", 5) != 0)
			continue;
		struct h_resp ir;
		h_callf(SRV, "GET", tok, NULL, &ir, "/items/%s", it->string + 5);
		const char *kind = h_json_str(ir.json, "kind");
		if (kind != NULL && strcmp(kind, "quiz") == 0) {
			snprintf(path, sizeof(path), "/items/%s/questions", it->string + 5);
			add_list(rows, "question", tok, path);
		}
		h_resp_free(&ir);
	}
	cJSON_Delete(items);
	cJSON_ArrayForEach(it, mods)
	{
		cJSON_AddNumberToObject(rows, it->string, it->valuedouble);
	}
	cJSON_Delete(mods);
	snprintf(path, sizeof(path), "/courses/%s/topics", c->id);
	cJSON *topics = cJSON_CreateObject();
	add_list(topics, "topic", tok, path);
	cJSON_ArrayForEach(it, topics)
	{
		cJSON_AddNumberToObject(rows, it->string, it->valuedouble);
		h_callf(SRV, "GET", tok, NULL, &r, "/topics/%s", strchr(it->string, '\t') + 1);
		H_EXPECT(r, 200);
		const cJSON *rep;
		cJSON_ArrayForEach(rep, cJSON_GetObjectItem(r.json, "replies"))
		{
			add_row(rows, "reply", rep);
		}
		h_resp_free(&r);
	}
	cJSON_Delete(topics);
	return rows;
}

static void
test_digest_equals_one_from_get(void **state)
{
	(void)state;
	const char *tok = world.u[H_ENROLLED].access;
	const struct h_course *c = &world.course;
	cJSON *rows = course_rows_from_get(tok, c);
	struct h_resp r;
	int count;
	char hex[65];
	digest_of(rows, &count, hex);
	h_call(SRV, "GET", "/sync/digest", tok, NULL, NULL, &r);
	H_EXPECT(r, 200);
	char scope[64];
	snprintf(scope, sizeof(scope), "course:%s", c->id);
	const cJSON *d =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(r.json, "scopes"), scope);
	assert_non_null(d);
	if ((int)h_json_num(d, "count", -1) != count || strcmp(h_json_str(d, "sha256"), hex) != 0)
		fail_msg("%s from GET: count %d sha256 %s; server %s", scope, count, hex, r.body);
	h_resp_free(&r);
	cJSON_Delete(rows);
}

static void
test_digest_after_incremental_changes(void **state)
{
	(void)state;
	const char *tok = world.u[H_ENROLLED].access;
	struct replica rp, staff;
	replica_init(&rp, SRV);
	replica_init(&staff, SRV);
	replica_sync(&rp, tok);
	replica_sync(&staff, OWNER);
	expect_digests_match(&rp, tok);
	expect_digests_match(&staff, OWNER);
	struct h_resp r;
	h_callf(SRV, "PATCH", OWNER, "{\"title\":\"Renamed for digest\"}", &r, "/items/%s",
	        world.course.page_id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_callf(SRV, "POST", OWNER, "{\"title\":\"Digest module\"}", &r, "/courses/%s/modules",
	        world.course.id);
	H_EXPECT(r, 201);
	h_resp_free(&r);
	char *prog =
	    lc_asprintf("{\"item_id\":\"%s\",\"status\":\"completed\"}", world.course.page_id);
	h_call(SRV, "POST", "/progress", tok, prog, NULL, &r);
	free(prog);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	replica_sync(&rp, tok);
	replica_sync(&staff, OWNER);
	const cJSON *ch = find_change(&rp, NULL, world.course.page_id);
	assert_non_null(ch);
	assert_string_equal(h_json_str(cJSON_GetObjectItem(ch, "doc"), "title"),
	                    "Renamed for digest");
	expect_digests_match(&rp, tok);
	expect_digests_match(&staff, OWNER);
	/* A no-op sync changes nothing. */
	replica_sync(&rp, tok);
	assert_int_equal(cJSON_GetArraySize(rp.changes), 0);
	replica_free(&rp);
	replica_free(&staff);
}

/* ---- Push
 * ------------------------------------------------------------------------------------------ */

static void
test_push_runs_like_rest_and_replays(void **state)
{
	(void)state;
	const char *tok = world.u[H_ENROLLED].access;
	char rid[H_ID_LEN + 1], key[64];
	lc_uuid_new(rid);
	h_unique_name("push", key, sizeof(key));
	char *push = lc_asprintf(
	    "[{\"key\":\"%s\",\"method\":\"POST\",\"path\":\"/api/v1/topics/%s/replies\","
	    "\"body\":{\"id\":\"%s\",\"body\":\"Pushed offline\"}},"
	    "{\"key\":\"%s-2\",\"method\":\"PATCH\",\"path\":\"/api/v1/courses/%s\","
	    "\"body\":{\"title\":\"Hijack\"}},"
	    "{\"key\":\"%s-3\",\"method\":\"PATCH\",\"path\":\"/api/v1/topics/"
	    "%s\",\"if_match\":999,"
	    "\"body\":{\"title\":\"Stale\"}}]",
	    key, world.course.topic_id, rid, key, world.course.id, key, world.course.topic_id);
	struct replica rp;
	replica_init(&rp, SRV);
	struct h_resp first, again;
	sync_once(&rp, tok, push, &first);
	H_EXPECT(first, 200);
	cJSON *res = cJSON_GetObjectItem(first.json, "push");
	assert_int_equal(cJSON_GetArraySize(res), 3);
	cJSON *p0 = cJSON_GetArrayItem(res, 0), *p1 = cJSON_GetArrayItem(res, 1);
	cJSON *p2 = cJSON_GetArrayItem(res, 2);
	assert_string_equal(h_json_str(p0, "key"), key);
	assert_int_equal((int)h_json_num(p0, "status", 0), 201);
	assert_string_equal(h_json_str(p0, "body.id"), rid);
	assert_int_equal((int)h_json_num(p1, "status", 0), 403);
	assert_string_equal(h_json_str(p1, "body.error.type"), "resource_error");
	assert_int_equal((int)h_json_num(p2, "status", 0), 409);
	assert_string_equal(h_json_str(p2, "body.error.type"), "conflict_error");
	assert_true(cJSON_HasObjectItem(cJSON_GetObjectItem(p2, "body"), "current"));
	/* The same push again: replayed, nothing applied twice. */
	sync_once(&rp, tok, push, &again);
	H_EXPECT(again, 200);
	cJSON *a0 = cJSON_GetArrayItem(cJSON_GetObjectItem(again.json, "push"), 0);
	assert_int_equal((int)h_json_num(a0, "status", 0), 201);
	assert_true(
	    cJSON_Compare(cJSON_GetObjectItem(a0, "body"), cJSON_GetObjectItem(p0, "body"), true));
	h_resp_free(&first);
	h_resp_free(&again);
	free(push);
	/* The REST replay with the same key answers the same too. */
	char hk[128];
	snprintf(hk, sizeof(hk), "Idempotency-Key: %s", key);
	const char *hdrs[] = {hk, NULL};
	char *path = lc_asprintf("/topics/%s/replies", world.course.topic_id);
	char *body = lc_asprintf("{\"id\":\"%s\",\"body\":\"Pushed offline\"}", rid);
	h_call(SRV, "POST", path, tok, body, hdrs, &again);
	free(path);
	free(body);
	H_EXPECT(again, 201);
	char v[16];
	assert_non_null(h_resp_header(&again, "Idempotent-Replayed", v, sizeof(v)));
	h_resp_free(&again);
	h_callf(SRV, "GET", tok, NULL, &again, "/topics/%s", world.course.topic_id);
	int found = 0;
	const cJSON *rep;
	cJSON_ArrayForEach(rep, cJSON_GetObjectItem(again.json, "replies"))
	{
		found += strcmp(h_json_str(rep, "id"), rid) == 0;
	}
	assert_int_equal(found, 1);
	h_resp_free(&again);
	replica_free(&rp);
}

/* ---- Compression
 * ------------------------------------------------------------------------------------ */

static void
test_compression(void **state)
{
	(void)state;
	const char *tok = world.u[H_ENROLLED].access;
	char body[128];
	char id[H_ID_LEN + 1];
	lc_uuid_new(id);
	snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"push\":[],\"cursors\":{}}", id);
	const char *encs[][2] = {{"Accept-Encoding: gzip", "gzip"},
	                         {"Accept-Encoding: gzip, zstd", "zstd"},
	                         {"Accept-Encoding: zstd", "zstd"}};
	for (int i = 0; i < 3; i++) {
		const char *hdrs[] = {encs[i][0], NULL};
		struct h_resp r;
		h_call(SRV, "POST", "/sync", tok, body, hdrs, &r);
		H_EXPECT(r, 200);
		char ce[32];
		if (h_resp_header(&r, "Content-Encoding", ce, sizeof(ce)) == NULL ||
		    strcmp(ce, encs[i][1]) != 0)
			fail_msg("%s: Content-Encoding %s, want %s", encs[i][0],
			         h_resp_header(&r, "Content-Encoding", ce, sizeof(ce)) ? ce
			                                                               : "(none)",
			         encs[i][1]);
		h_resp_free(&r);
	}
	/* A gzip request body. */
	unsigned char gz[512];
	z_stream zs = {0};
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)body;
	zs.avail_in = (unsigned)strlen(body);
	zs.next_out = gz;
	zs.avail_out = sizeof(gz);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	size_t gz_len = sizeof(gz) - zs.avail_out;
	deflateEnd(&zs);
	char auth[600];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	const char *hdrs[] = {auth, "Content-Type: application/json", "Content-Encoding: gzip",
	                      NULL};
	struct h_resp r;
	h_request(SRV, "POST", H_API "/sync", hdrs, (const char *)gz, gz_len, &r);
	H_EXPECT(r, 200);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(r.json, "changes")));
	h_resp_free(&r);
}

/*
 * Issue 10 (the campus delta at most 1.2x its gzip floor): a /sync answer of at most 32 KiB
 * goes out at a higher zstd level than 3, and decodes to the very answer identity gives;
 * gzip and identity answers are what they always were.
 */
static void
test_sync_small_answer_compressed_harder_same_json(void **state)
{
	(void)state;
	char body[128], id[H_ID_LEN + 1], auth[600], ce[32];
	lc_uuid_new(id);
	snprintf(body, sizeof(body), "{\"client_id\":\"%s\",\"push\":[],\"cursors\":{}}", id);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", world.u[H_ENROLLED].access);
	const char *plain_h[] = {auth, "Content-Type: application/json", NULL};
	const char *zstd_h[] = {auth, "Content-Type: application/json", "Accept-Encoding: zstd",
	                        NULL};
	const char *gzip_h[] = {auth, "Content-Type: application/json", "Accept-Encoding: gzip",
	                        NULL};
	struct h_resp plain, z, gz;

	h_request(SRV, "POST", H_API "/sync", plain_h, body, strlen(body), &plain);
	H_EXPECT(plain, 200);
	assert_null(h_resp_header(&plain, "Content-Encoding", ce, sizeof(ce)));
	assert_non_null(plain.json);
	/* The world's pull from 0 is a small answer: the case the level is for. */
	assert_true(plain.body_len > 256 && plain.body_len <= 32 * 1024);

	h_request(SRV, "POST", H_API "/sync", zstd_h, body, strlen(body), &z);
	H_EXPECT(z, 200);
	assert_non_null(h_resp_header(&z, "Content-Encoding", ce, sizeof(ce)));
	assert_string_equal(ce, "zstd");
	unsigned long long size = ZSTD_getFrameContentSize(z.body, z.body_len);
	assert_int_equal(size, plain.body_len);
	char *decoded = lc_malloc(plain.body_len + 1);
	size_t n = ZSTD_decompress(decoded, plain.body_len, z.body, z.body_len);
	assert_false(ZSTD_isError(n));
	decoded[n] = '\0';
	cJSON *json = cJSON_Parse(decoded);
	assert_true(cJSON_Compare(json, plain.json, true));
	/* Smaller than level 3 makes the same bytes. */
	size_t bound = ZSTD_compressBound(plain.body_len);
	void *l3 = lc_malloc(bound);
	size_t l3_len = ZSTD_compress(l3, bound, plain.body, plain.body_len, 3);
	assert_false(ZSTD_isError(l3_len));
	assert_true(z.body_len < l3_len);

	/* gzip: as before, and the same JSON. */
	h_request(SRV, "POST", H_API "/sync", gzip_h, body, strlen(body), &gz);
	H_EXPECT(gz, 200);
	assert_non_null(h_resp_header(&gz, "Content-Encoding", ce, sizeof(ce)));
	assert_string_equal(ce, "gzip");
	assert_true(gz.body_len < plain.body_len);
	free(l3);
	cJSON_Delete(json);
	free(decoded);
	h_resp_free(&gz);
	h_resp_free(&z);
	h_resp_free(&plain);
}

/* ---- Paging, course status, staff changes ------------------------------------------------------
 */

static void
test_small_limit_pages_to_the_same_replica(void **state)
{
	(void)state;
	struct replica big, small;
	replica_init(&big, SRV);
	replica_init(&small, SRV);
	small.limit = 3;
	replica_sync(&big, OWNER);
	replica_sync(&small, OWNER);
	assert_true(small.rounds > 1);
	assert_true(cJSON_Compare(big.rows, small.rows, true));
	assert_true(cJSON_Compare(big.cursors, small.cursors, true));
	int total = 0;
	for (const cJSON *s = big.rows->child; s != NULL; s = s->next)
		total += cJSON_GetArraySize(s);
	assert_true(total > 3);
	expect_digests_match(&small, OWNER);
	replica_free(&big);
	replica_free(&small);
	/* A limit out of range is refused. */
	struct h_resp r;
	h_call(SRV, "POST", "/sync", OWNER, "{\"push\":[],\"cursors\":{},\"limit\":0}", NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "limit"));
	h_resp_free(&r);
	h_call(SRV, "POST", "/sync", OWNER, "{\"push\":{},\"cursors\":[]}", NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "push,cursors"));
	h_resp_free(&r);
}

static void
test_unpublished_course_leaves_learner_scopes(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_learner("draftee");
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	char scope[64];
	snprintf(scope, sizeof(scope), "course:%s", c.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	assert_true(in_list(rp.scopes, scope));
	struct h_resp r;
	h_callf(SRV, "POST", OWNER, "{}", &r, "/courses/%s/unpublish", c.id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	replica_sync(&rp, l.access);
	assert_false(in_list(rp.scopes, scope));
	expect_tombstone(&rp, "catalog", c.id, "course");
	expect_digests_match(&rp, l.access);
	h_callf(SRV, "POST", OWNER, "{}", &r, "/courses/%s/publish", c.id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	replica_sync(&rp, l.access);
	assert_true(in_list(rp.scopes, scope));
	assert_non_null(find_change(&rp, scope, c.q1_id));
	expect_digests_match(&rp, l.access);
	replica_free(&rp);
}

static void
test_gaining_staff_rights_resets_the_scope(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, world.dept_id, true, &c), 0);
	struct h_user l = new_learner("promoted");
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	char scope[64];
	snprintf(scope, sizeof(scope), "course:%s", c.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	const cJSON *q = find_change(&rp, scope, c.q1_id);
	assert_non_null(q);
	assert_false(cJSON_HasObjectItem(cJSON_GetObjectItem(q, "doc"), "answer"));
	/* Now content-admin of the course's department: answers were never sent, so reset. */
	assert_int_equal(h_grant_department(SRV, ADMIN, l.id, world.dept_id, "[\"content-admin\"]"),
	                 0);
	replica_sync(&rp, l.access);
	assert_true(in_list(rp.resets, scope));
	q = find_change(&rp, scope, c.q1_id);
	assert_non_null(q);
	assert_true(cJSON_HasObjectItem(cJSON_GetObjectItem(q, "doc"), "answer"));
	expect_digests_match(&rp, l.access);
	replica_free(&rp);
}

static void
test_push_cannot_target_sync(void **state)
{
	(void)state;
	struct replica rp;
	replica_init(&rp, SRV);
	struct h_resp r;
	sync_once(&rp, world.u[H_ENROLLED].access,
	          "[{\"key\":\"nested-1\",\"method\":\"POST\",\"path\":\"/api/v1/sync\","
	          "\"body\":{\"push\":[],\"cursors\":{}}}]",
	          &r);
	H_EXPECT(r, 200);
	cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "push"), 0);
	assert_int_equal((int)h_json_num(p0, "status", 0), 400);
	assert_string_equal(h_json_str(p0, "body.error.type"), "invalid_request_error");
	h_resp_free(&r);
	replica_free(&rp);
}

static int
group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
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
	    cmocka_unit_test(test_enrolling_adds_scope_unenrolling_removes_it),
	    cmocka_unit_test(test_learner_feed_has_no_answers_or_others_attempts),
	    cmocka_unit_test(test_docs_equal_get),
	    cmocka_unit_test(test_cascading_deletes_leave_tombstones),
	    cmocka_unit_test(test_user_delete_tombstones_for_staff),
	    cmocka_unit_test(test_digest_equals_one_from_get),
	    cmocka_unit_test(test_digest_after_incremental_changes),
	    cmocka_unit_test(test_push_runs_like_rest_and_replays),
	    cmocka_unit_test(test_compression),
	    cmocka_unit_test(test_sync_small_answer_compressed_harder_same_json),
	    cmocka_unit_test(test_small_limit_pages_to_the_same_replica),
	    cmocka_unit_test(test_unpublished_course_leaves_learner_scopes),
	    cmocka_unit_test(test_gaining_staff_rights_resets_the_scope),
	    cmocka_unit_test(test_push_cannot_target_sync),
	};
	return cmocka_run_group_tests_name("api-sync", tests, group_setup, group_teardown);
}
