/* SPDX-License-Identifier: MIT */
/*
 * Partial changes in POST /api/v1/sync (docs/api.md "Sync", docs/sync.md "Partial changes";
 * perf review 2026-11-29, cause 6: a reply re-sent its whole topic, body included, to every
 * replica of the course). A client that sends "partial": true and whose cursor has passed
 * the topic's last content change gets the topic as {"base", "patch"} with the counters a
 * reply changes and no doc; a topic edited after the cursor, or a client at cursor 0, gets
 * the whole doc; a client that does not ask gets API.md's form exactly; "partial" takes
 * only a boolean, anything else refuses the whole request.
 *
 * The test keeps its own docs (type and id -> doc) and merges each patch as docs/api.md
 * says, then compares the result with GET of the topic: the merge must give what a GET
 * gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "harness.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)

/* What a partial client keeps: its cursors and, per "type\tid", the doc as merged. */
struct mini {
	char client_id[H_ID_LEN + 1];
	cJSON *cursors;
	cJSON *docs;
};

static void
mini_init(struct mini *m)
{
	lc_uuid_new(m->client_id);
	m->cursors = cJSON_CreateObject();
	m->docs = cJSON_CreateObject();
}

static void
mini_free(struct mini *m)
{
	cJSON_Delete(m->cursors);
	cJSON_Delete(m->docs);
}

/* One POST /sync with the client's cursors; partial is raw JSON text or NULL (left out). */
static void
pull(const struct mini *m, const char *token, const char *partial, struct h_resp *r)
{
	char *cursors = cJSON_PrintUnformatted(m->cursors);
	char *body =
	    lc_asprintf("{\"client_id\":\"%s\",\"cursors\":%s%s%s}", m->client_id, cursors,
	                partial != NULL ? ",\"partial\":" : "", partial != NULL ? partial : "");

	h_call(SRV, "POST", "/sync", token, body, NULL, r);
	H_EXPECT(*r, 200);
	free(body);
	free(cursors);
}

/* A change's id: its own, or (a lean change, docs/sync.md "Lean changes") its doc's. */
static const char *
change_id(const cJSON *ch)
{
	const char *id = h_json_str(ch, "id");

	if (id == NULL)
		id = h_json_str(ch, "doc.id");
	assert_non_null(id);
	return id;
}

static const cJSON *
change_of(const struct h_resp *r, const char *id)
{
	const cJSON *ch;

	cJSON_ArrayForEach(ch, cJSON_GetObjectItem(r->json, "changes"))
	{
		if (strcmp(change_id(ch), id) == 0)
			return ch;
	}
	fail_msg("no change for %s in %.800s", id, r->body);
	return NULL;
}

/* Fails unless obj's keys are exactly those of csv, in any order. */
static void
expect_keys(const cJSON *obj, const char *csv)
{
	char *copy = lc_strdup(csv), *save = NULL;
	int n = 0;

	for (char *k = strtok_r(copy, ",", &save); k != NULL; k = strtok_r(NULL, ",", &save)) {
		if (cJSON_GetObjectItemCaseSensitive(obj, k) == NULL)
			fail_msg("no %s in %s", k, cJSON_PrintUnformatted(obj));
		n++;
	}
	free(copy);
	if (cJSON_GetArraySize(obj) != n)
		fail_msg("want exactly %s, got %s", csv, cJSON_PrintUnformatted(obj));
}

/* Applies an answer as docs/sync.md says: docs replace, tombstones remove, patches merge. */
static void
apply(struct mini *m, const struct h_resp *r)
{
	const cJSON *ch, *c;

	cJSON_ArrayForEach(ch, cJSON_GetObjectItem(r->json, "changes"))
	{
		char key[128];
		const cJSON *patch = cJSON_GetObjectItem(ch, "patch");
		cJSON *have;

		snprintf(key, sizeof(key), "%s\t%s", h_json_str(ch, "type"), change_id(ch));
		have = cJSON_GetObjectItem(m->docs, key);
		if (cJSON_IsTrue(cJSON_GetObjectItem(ch, "deleted"))) {
			cJSON_DeleteItemFromObject(m->docs, key);
		} else if (patch != NULL) {
			const cJSON *f;
			double rev = h_json_num(ch, "rev", -1), base = h_json_num(ch, "base", -1);

			if (have == NULL)
				fail_msg("a patch for a row never sent: %s",
				         cJSON_PrintUnformatted(ch));
			/* The patch applies to what we hold: rev base or newer, older than rev. */
			assert_true(h_json_num(have, "rev", -1) >= base);
			assert_true(h_json_num(have, "rev", -1) < rev);
			cJSON_ArrayForEach(f, patch)
			{
				assert_false(cJSON_IsNull(f));
				cJSON_DeleteItemFromObject(have, f->string);
				cJSON_AddItemToObject(have, f->string, cJSON_Duplicate(f, true));
			}
			cJSON_ReplaceItemInObject(have, "rev", cJSON_CreateNumber(rev));
		} else {
			cJSON_DeleteItemFromObject(m->docs, key);
			cJSON_AddItemToObject(
			    m->docs, key, cJSON_Duplicate(cJSON_GetObjectItem(ch, "doc"), true));
		}
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(r->json, "cursors"))
	{
		cJSON_DeleteItemFromObject(m->cursors, c->string);
		cJSON_AddNumberToObject(m->cursors, c->string, c->valuedouble);
	}
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "more")));
}

/* Syncs once with "partial": true and applies the answer; r keeps it for checks. */
static void
sync_partial(struct mini *m, const char *token, struct h_resp *r)
{
	pull(m, token, "true", r);
	apply(m, r);
}

/* Fails unless the client's topic doc equals GET /topics/{id} (without its replies). */
static void
expect_topic_as_get(const struct mini *m, const char *token, const char *topic_id)
{
	char key[128];
	struct h_resp r;
	const cJSON *have;

	snprintf(key, sizeof(key), "topic\t%s", topic_id);
	have = cJSON_GetObjectItem(m->docs, key);
	assert_non_null(have);
	assert_int_equal(h_callf(SRV, "GET", token, NULL, &r, "/topics/%s", topic_id), 200);
	cJSON_DeleteItemFromObject(r.json, "replies");
	if (!cJSON_Compare(have, r.json, true))
		fail_msg("merged %s\nGET    %s", cJSON_PrintUnformatted(have),
		         cJSON_PrintUnformatted(r.json));
	h_resp_free(&r);
}

/*
 * Whether a patch of topic_id must carry author_name: the author's row (GET /users/me with
 * the author's token) changed at or after the topic's creation (docs/sync.md "Partial
 * changes"). The stamps are RFC 3339 UTC of one format, so they compare as text.
 */
static bool
author_name_due(const struct mini *m, const char *author_token, const char *topic_id)
{
	char key[128];
	struct h_resp r;
	const cJSON *have;
	bool due;

	snprintf(key, sizeof(key), "topic\t%s", topic_id);
	have = cJSON_GetObjectItem(m->docs, key);
	assert_non_null(have);
	assert_int_equal(h_callf(SRV, "GET", author_token, NULL, &r, "/users/me"), 200);
	due = strcmp(h_json_str(r.json, "updated_at"), h_json_str(have, "created_at")) >= 0;
	h_resp_free(&r);
	return due;
}

static struct h_user
new_learner(const char *prefix, const char *course_id)
{
	struct h_user u;
	char name[40];

	h_unique_name(prefix, name, sizeof(name));
	assert_int_equal(h_register(SRV, name, NULL, &u), 0);
	assert_int_equal(h_enroll(SRV, u.access, course_id, NULL), 0);
	return u;
}

static void
post_reply(const char *token, const char *topic_id, char rid[H_ID_LEN + 1])
{
	struct h_resp r;

	assert_int_equal(h_callf(SRV, "POST", token, "{\"body\":\"Me too, step two.\"}", &r,
	                         "/topics/%s/replies", topic_id),
	                 201);
	assert_int_equal(h_copy_id(r.json, "id", rid), 0);
	h_resp_free(&r);
}

/* A course with a forum, a learner who syncs and another who replies. */
struct scene {
	struct h_course c;
	struct h_user l, other;
	struct mini m;
};

static void
scene_up(struct scene *s)
{
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &s->c), 0);
	assert_int_equal(h_course_forum(SRV, OWNER, &s->c), 0);
	s->l = new_learner("partial", s->c.id);
	s->other = new_learner("poster", s->c.id);
	mini_init(&s->m);
}

/*
 * The topic of a new reply comes as a patch of its counters: no doc, no title or body, a
 * base the client holds; merged, it equals GET. A deleted reply likewise. The reply itself
 * is a whole doc. Perf review 2026-11-29, cause 6.
 */
static void
test_a_reply_sends_its_topic_as_a_patch(void **state)
{
	struct scene s;
	struct h_resp r;
	const cJSON *ch;
	char rid[H_ID_LEN + 1];
	double held;

	(void)state;
	scene_up(&s);
	/* From 0 everything is whole, asked or not. */
	sync_partial(&s.m, s.l.access, &r);
	ch = change_of(&r, s.c.topic_id);
	assert_non_null(cJSON_GetObjectItem(ch, "doc"));
	assert_null(cJSON_GetObjectItem(ch, "patch"));
	held = h_json_num(ch, "rev", -1);
	h_resp_free(&r);

	post_reply(s.other.access, s.c.topic_id, rid);
	sync_partial(&s.m, s.l.access, &r);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "changes")), 2);
	ch = change_of(&r, rid);
	assert_string_equal(h_json_str(ch, "doc.body"), "Me too, step two.");
	ch = change_of(&r, s.c.topic_id);
	expect_keys(ch, "scope,type,id,rev,seq,deleted,base,patch");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(ch, "deleted")));
	/* The topic's content dates from its creation (rev 1); the client holds rev held. */
	assert_true(h_json_num(ch, "base", -1) == 1);
	assert_true(h_json_num(ch, "rev", -1) == held + 1);
	expect_keys(cJSON_GetObjectItem(ch, "patch"),
	            author_name_due(&s.m, OWNER, s.c.topic_id)
	                ? "reply_count,last_activity_at,updated_at,author_name"
	                : "reply_count,last_activity_at,updated_at");
	assert_true(h_json_num(ch, "patch.reply_count", -1) == 2);
	h_resp_free(&r);
	expect_topic_as_get(&s.m, s.l.access, s.c.topic_id);

	/* Two more replies, one of them deleted again: still one patch, from the same base. */
	post_reply(s.other.access, s.c.topic_id, rid);
	post_reply(s.other.access, s.c.topic_id, rid);
	assert_int_equal(h_callf(SRV, "DELETE", s.other.access, NULL, &r, "/replies/%s", rid), 204);
	h_resp_free(&r);
	sync_partial(&s.m, s.l.access, &r);
	ch = change_of(&r, s.c.topic_id);
	assert_non_null(cJSON_GetObjectItem(ch, "patch"));
	assert_null(cJSON_GetObjectItem(ch, "doc"));
	assert_true(h_json_num(ch, "base", -1) == 1);
	assert_true(h_json_num(ch, "patch.reply_count", -1) == 3);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(change_of(&r, rid), "deleted")));
	h_resp_free(&r);
	expect_topic_as_get(&s.m, s.l.access, s.c.topic_id);
	mini_free(&s.m);
}

/*
 * author_name is derived: a patch carries it only when the author's row changed at or
 * after the topic's creation (issue 10, the campus delta at most 1.2x its floor: the name
 * was 92 of its 5,545 bytes). A topic by an author whose row is older gets patches without
 * it; after the author renames themselves every patch carries the new name, and the merged
 * doc equals GET throughout.
 */
static void
test_a_patch_carries_author_name_only_after_a_rename(void **state)
{
	struct scene s;
	struct h_resp r;
	const cJSON *ch;
	char tid[H_ID_LEN + 1], rid[H_ID_LEN + 1];
	int64_t registered;

	(void)state;
	scene_up(&s);
	/* The poster's row dates from their sign-up: wait for the clock's next second. */
	registered = lc_now();
	while (lc_now() == registered)
		usleep(20 * 1000);
	assert_int_equal(h_callf(SRV, "POST", s.other.access,
	                         "{\"title\":\"Mine\",\"body\":\"Q?\"}", &r, "/courses/%s/topics",
	                         s.c.id),
	                 201);
	assert_int_equal(h_copy_id(r.json, "id", tid), 0);
	h_resp_free(&r);
	sync_partial(&s.m, s.l.access, &r);
	h_resp_free(&r);
	assert_false(author_name_due(&s.m, s.other.access, tid));

	post_reply(s.l.access, tid, rid);
	sync_partial(&s.m, s.l.access, &r);
	ch = change_of(&r, tid);
	expect_keys(cJSON_GetObjectItem(ch, "patch"), "reply_count,last_activity_at,updated_at");
	h_resp_free(&r);
	expect_topic_as_get(&s.m, s.l.access, tid);

	assert_int_equal(
	    h_callf(SRV, "PATCH", s.other.access, "{\"first_name\":\"Renamed\"}", &r, "/users/me"),
	    200);
	h_resp_free(&r);
	assert_true(author_name_due(&s.m, s.other.access, tid));
	for (int i = 0; i < 2; i++) {
		post_reply(s.l.access, tid, rid);
		sync_partial(&s.m, s.l.access, &r);
		ch = change_of(&r, tid);
		expect_keys(cJSON_GetObjectItem(ch, "patch"),
		            "reply_count,last_activity_at,updated_at,author_name");
		assert_string_equal(h_json_str(ch, "patch.author_name"), "Renamed");
		h_resp_free(&r);
		expect_topic_as_get(&s.m, s.l.access, tid);
	}
	mini_free(&s.m);
}

/* An edit of the topic after the client's cursor makes the next change whole again. */
static void
test_a_topic_edit_after_the_cursor_is_a_whole_doc(void **state)
{
	struct scene s;
	struct h_resp r;
	const cJSON *ch;
	char rid[H_ID_LEN + 1];
	double edited;

	(void)state;
	scene_up(&s);
	sync_partial(&s.m, s.l.access, &r);
	h_resp_free(&r);
	assert_int_equal(h_callf(SRV, "PATCH", OWNER, "{\"title\":\"Renamed after the cursor\"}",
	                         &r, "/topics/%s", s.c.topic_id),
	                 200);
	edited = h_json_num(r.json, "rev", -1);
	h_resp_free(&r);
	post_reply(s.other.access, s.c.topic_id, rid);
	sync_partial(&s.m, s.l.access, &r);
	ch = change_of(&r, s.c.topic_id);
	expect_keys(ch, "scope,type,id,rev,seq,deleted,doc");
	assert_string_equal(h_json_str(ch, "doc.title"), "Renamed after the cursor");
	h_resp_free(&r);
	expect_topic_as_get(&s.m, s.l.access, s.c.topic_id);

	/* The cursor has passed the edit: the next reply is a patch on the edited rev. */
	post_reply(s.other.access, s.c.topic_id, rid);
	sync_partial(&s.m, s.l.access, &r);
	ch = change_of(&r, s.c.topic_id);
	assert_non_null(cJSON_GetObjectItem(ch, "patch"));
	assert_true(h_json_num(ch, "base", -1) == edited);
	h_resp_free(&r);
	expect_topic_as_get(&s.m, s.l.access, s.c.topic_id);
	mini_free(&s.m);
}

/* A client at cursor 0 (a new replica, a reset scope) gets whole docs only. */
static void
test_a_client_at_cursor_zero_gets_whole_docs(void **state)
{
	struct scene s;
	struct h_resp r;
	const cJSON *ch;
	char rid[H_ID_LEN + 1];

	(void)state;
	scene_up(&s);
	post_reply(s.other.access, s.c.topic_id, rid);
	post_reply(s.other.access, s.c.topic_id, rid);
	sync_partial(&s.m, s.l.access, &r);
	cJSON_ArrayForEach(ch, cJSON_GetObjectItem(r.json, "changes"))
	{
		assert_null(cJSON_GetObjectItem(ch, "patch"));
		assert_null(cJSON_GetObjectItem(ch, "base"));
	}
	assert_string_equal(h_json_str(change_of(&r, s.c.topic_id), "doc.body"), "First post");
	h_resp_free(&r);
	expect_topic_as_get(&s.m, s.l.access, s.c.topic_id);
	mini_free(&s.m);
}

/*
 * Without "partial", or with "partial": false, the answer is API.md's: the topic of a reply
 * comes whole, and both answers are the same.
 */
static void
test_without_the_opt_in_the_answer_is_api_md(void **state)
{
	struct scene s;
	struct h_resp r, off;
	const cJSON *ch;
	char rid[H_ID_LEN + 1];

	(void)state;
	scene_up(&s);
	sync_partial(&s.m, s.l.access, &r);
	h_resp_free(&r);
	post_reply(s.other.access, s.c.topic_id, rid);
	pull(&s.m, s.l.access, NULL, &r);
	ch = change_of(&r, s.c.topic_id);
	expect_keys(ch, "scope,type,id,rev,seq,deleted,doc");
	expect_keys(cJSON_GetObjectItem(ch, "doc"),
	            "id,rev,created_at,updated_at,course_id,title,body,author_id,"
	            "last_activity_at,reply_count,author_name");
	pull(&s.m, s.l.access, "false", &off);
	if (!cJSON_Compare(r.json, off.json, true))
		fail_msg("left out: %s\nfalse: %s", r.body, off.body);
	h_resp_free(&off);
	apply(&s.m, &r);
	h_resp_free(&r);
	expect_topic_as_get(&s.m, s.l.access, s.c.topic_id);
	mini_free(&s.m);
}

/*
 * Lean changes (docs/sync.md "Lean changes"; issue 10, the campus delta at most 1.2x its
 * floor): with "lean": true a live change leaves out "id" and "rev" (its doc has them),
 * "seq" and "deleted"; a tombstone keeps id, rev and "deleted": true without a doc; a patch
 * keeps id, rev and base. Applied, a lean client holds exactly what a client that did not
 * ask holds, and its topic equals GET. "lean" takes a boolean only.
 */
static void
test_lean_changes_leave_out_what_the_doc_says(void **state)
{
	struct scene s;
	struct mini plain;
	struct h_resp r, p;
	const cJSON *ch;
	char r1[H_ID_LEN + 1], r2[H_ID_LEN + 1];

	(void)state;
	scene_up(&s);
	mini_init(&plain);
	post_reply(s.other.access, s.c.topic_id, r1);
	for (int round = 0; round < 2; round++) {
		pull(&s.m, s.l.access, "true,\"lean\":true", &r);
		pull(&plain, s.l.access, "true", &p);
		cJSON_ArrayForEach(ch, cJSON_GetObjectItem(r.json, "changes"))
		{
			if (cJSON_GetObjectItem(ch, "patch") != NULL)
				expect_keys(ch, "scope,type,id,rev,base,patch");
			else if (cJSON_IsTrue(cJSON_GetObjectItem(ch, "deleted")))
				expect_keys(ch, "scope,type,id,rev,deleted");
			else
				expect_keys(ch, "scope,type,doc");
		}
		if (round == 0) {
			expect_keys(change_of(&r, s.c.topic_id), "scope,type,doc");
		} else {
			expect_keys(change_of(&r, s.c.topic_id), "scope,type,id,rev,base,patch");
			expect_keys(change_of(&r, r2), "scope,type,doc");
			assert_true(
			    cJSON_IsTrue(cJSON_GetObjectItem(change_of(&r, r1), "deleted")));
		}
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "changes")),
		                 cJSON_GetArraySize(cJSON_GetObjectItem(p.json, "changes")));
		apply(&s.m, &r);
		apply(&plain, &p);
		if (!cJSON_Compare(s.m.docs, plain.docs, true))
			fail_msg("lean %s\nplain %s", cJSON_PrintUnformatted(s.m.docs),
			         cJSON_PrintUnformatted(plain.docs));
		h_resp_free(&r);
		h_resp_free(&p);
		expect_topic_as_get(&s.m, s.l.access, s.c.topic_id);
		if (round == 0) {
			post_reply(s.other.access, s.c.topic_id, r2);
			assert_int_equal(
			    h_callf(SRV, "DELETE", s.other.access, NULL, &r, "/replies/%s", r1),
			    204);
			h_resp_free(&r);
		}
	}
	/* A boolean only, as "partial". */
	{
		char *body =
		    lc_asprintf("{\"client_id\":\"%s\",\"cursors\":{},\"lean\":1}", s.m.client_id);

		h_call(SRV, "POST", "/sync", s.l.access, body, NULL, &r);
		H_EXPECT_ERROR(r, 400, "invalid_request_error");
		assert_string_equal(h_json_str(r.json, "error.message"),
		                    "Invalid parameters: lean");
		h_resp_free(&r);
		free(body);
	}
	mini_free(&plain);
	mini_free(&s.m);
}

/* "partial" takes a boolean only; anything else refuses the request whole, pushes too. */
static void
test_bad_partial_values_are_refused_whole(void **state)
{
	static const char *const bad[] = {"1", "\"true\"", "null", "{}", "[]", "0"};
	struct scene s;
	struct h_resp r;

	(void)state;
	scene_up(&s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char rid[H_ID_LEN + 1], *body;

		lc_uuid_new(rid);
		body = lc_asprintf(
		    "{\"client_id\":\"%s\",\"push\":[{\"key\":\"k-%s\",\"method\":"
		    "\"POST\",\"path\":\"/api/v1/topics/%s/replies\",\"body\":{\"id\":"
		    "\"%s\",\"body\":\"must not land\"}}],\"cursors\":{},\"partial\":%s}",
		    s.m.client_id, rid, s.c.topic_id, rid, bad[i]);
		h_call(SRV, "POST", "/sync", s.l.access, body, NULL, &r);
		free(body);
		H_EXPECT_ERROR(r, 400, "invalid_request_error");
		if (!h_invalid_params_are(&r, "partial"))
			fail_msg("partial %s: %s", bad[i], r.body);
		h_resp_free(&r);
		assert_int_equal(
		    h_callf(SRV, "GET", s.l.access, NULL, &r, "/topics/%s", s.c.topic_id), 200);
		assert_true(h_json_num(r.json, "reply_count", -1) == 1);
		h_resp_free(&r);
	}
	mini_free(&s.m);
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
	    cmocka_unit_test(test_a_reply_sends_its_topic_as_a_patch),
	    cmocka_unit_test(test_a_patch_carries_author_name_only_after_a_rename),
	    cmocka_unit_test(test_a_topic_edit_after_the_cursor_is_a_whole_doc),
	    cmocka_unit_test(test_a_client_at_cursor_zero_gets_whole_docs),
	    cmocka_unit_test(test_without_the_opt_in_the_answer_is_api_md),
	    cmocka_unit_test(test_lean_changes_leave_out_what_the_doc_says),
	    cmocka_unit_test(test_bad_partial_values_are_refused_whole),
	};
	return cmocka_run_group_tests_name("api-sync-partial", tests, group_setup, group_teardown);
}
