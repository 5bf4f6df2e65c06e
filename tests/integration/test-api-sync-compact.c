/* SPDX-License-Identifier: MIT */
/*
 * The compact form of POST /api/v1/sync (docs/api.md "Sync", docs/sync.md "The compact form
 * of the cursors"): "since" and "scope_set" in place of "cursors". A hash of the caller's scope
 * set as it is now gets "since" and no cursors, scopes or reset; a hash of the set from before
 * the request's pushes (an enrollment pushed) gets the full form with the new scopes pulled
 * from 0; any other hash gets the full form with nothing pulled and more: true; a scope to
 * reset forces the full form; malformed compact fields are refused whole.
 *
 * The scope-set hash is computed here from its definition in docs/api.md (the first 16 bytes
 * of SHA-256 over the scope names sorted in byte order, each followed by "\n", in lowercase
 * hex), not with sync_scope_set_hash(), so that the test checks the definition itself.
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

#include "common/buf.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "harness-replica.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)
#define ADMIN (world.u[H_ADMIN].access)
#define HASH_HEX 32

/* ---- The scope-set hash, from its definition ------------------------------------------- */

/* The first 16 bytes of SHA-256 over text, in lowercase hex. */
static void
hash_text(const char *text, char hex[HASH_HEX + 1])
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(d, (const unsigned char *)text, strlen(text));
	sodium_bin2hex(hex, HASH_HEX + 1, d, HASH_HEX / 2);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The hash of the n names: sorted in byte order (strcmp), each followed by "\n". */
static void
hash_names(const char **names, size_t n, char hex[HASH_HEX + 1])
{
	qsort(names, n, sizeof(*names), cmp_name);
	struct lc_buf text = {0};
	for (size_t i = 0; i < n; i++) {
		lc_buf_puts(&text, names[i]);
		lc_buf_putc(&text, '\n');
	}
	char *s = lc_buf_steal(&text);
	hash_text(s, hex);
	free(s);
}

/* The hash of the set of the NULL-terminated names, given in any order. */
static void
set_hash(char hex[HASH_HEX + 1], const char *first, ...)
{
	const char *names[16];
	size_t n = 0;
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
		assert_true(n < sizeof(names) / sizeof(names[0]));
		names[n++] = s;
	}
	va_end(ap);
	hash_names(names, n, hex);
}

/* The hash of a JSON array of scope names (a "scopes" list). */
static void
list_hash(const cJSON *list, char hex[HASH_HEX + 1])
{
	int n = cJSON_GetArraySize(list);
	const char **names = lc_calloc((size_t)n + 1, sizeof(*names));
	int i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		assert_true(cJSON_IsString(it));
		names[i++] = it->valuestring;
	}
	hash_names(names, (size_t)n, hex);
	free(names);
}

/* ---- Requests and answers ---------------------------------------------------------------- */

static void
course_scope(char out[64], const char *course_id)
{
	snprintf(out, 64, "course:%s", course_id);
}

static struct h_user
new_learner(const char *prefix)
{
	struct h_user u;
	char name[40];
	h_unique_name(prefix, name, sizeof(name));
	assert_int_equal(h_register(SRV, name, NULL, &u), 0);
	return u;
}

/* One POST /sync in the compact form, with the replica's client_id and limit. */
static void
compact_once(const struct replica *rp, const char *token, const char *push, int64_t since,
             const char *hash, struct h_resp *r)
{
	char *body = lc_asprintf("{\"client_id\":\"%s\",\"push\":%s,\"since\":%lld,"
	                         "\"scope_set\":\"%s\",\"limit\":%d}",
	                         rp->client_id, push != NULL ? push : "[]", (long long)since, hash,
	                         rp->limit);
	h_call(rp->srv, "POST", "/sync", token, body, NULL, r);
	free(body);
}

/* Fails unless the answer's top-level keys are exactly those of csv, in any order. */
static void
expect_keys(const struct h_resp *r, const char *csv)
{
	char *copy = lc_strdup(csv), *save = NULL;
	int n = 0;
	if (!cJSON_IsObject(r->json))
		fail_msg("not a JSON object: %.600s", r->body);
	for (char *k = strtok_r(copy, ",", &save); k != NULL; k = strtok_r(NULL, ",", &save)) {
		if (!cJSON_HasObjectItem(r->json, k))
			fail_msg("no \"%s\" in the answer: %.600s", k, r->body);
		n++;
	}
	if (cJSON_GetArraySize(r->json) != n)
		fail_msg("the answer's keys are not exactly %s: %.600s", csv, r->body);
	free(copy);
}

static const cJSON *
member(const struct h_resp *r, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(r->json, key);
}

/* The since form: 200, exactly push, changes, since and more. Returns since. */
static int64_t
expect_since_form(const struct h_resp *r)
{
	H_EXPECT(*r, 200);
	expect_keys(r, "push,changes,since,more");
	const cJSON *since = member(r, "since");
	if (!cJSON_IsNumber(since) || since->valuedouble < 0 ||
	    since->valuedouble != (double)(int64_t)since->valuedouble)
		fail_msg("since is not a seq: %.600s", r->body);
	assert_true(cJSON_IsArray(member(r, "push")));
	assert_true(cJSON_IsArray(member(r, "changes")));
	assert_true(cJSON_IsBool(member(r, "more")));
	return (int64_t)since->valuedouble;
}

/* The full form: 200, exactly push, changes, cursors, scopes, reset and more. */
static void
expect_full_form(const struct h_resp *r)
{
	H_EXPECT(*r, 200);
	expect_keys(r, "push,changes,cursors,scopes,reset,more");
	assert_true(cJSON_IsArray(member(r, "push")));
	assert_true(cJSON_IsArray(member(r, "changes")));
	assert_true(cJSON_IsObject(member(r, "cursors")));
	assert_true(cJSON_IsArray(member(r, "scopes")));
	assert_true(cJSON_IsArray(member(r, "reset")));
	assert_true(cJSON_IsBool(member(r, "more")));
}

/* The answer to a hash of neither set: full form, nothing pulled, cursors {}, more true. */
static void
expect_stale(const struct h_resp *r)
{
	expect_full_form(r);
	if (cJSON_GetArraySize(member(r, "changes")) != 0 ||
	    cJSON_GetArraySize(member(r, "cursors")) != 0 ||
	    cJSON_GetArraySize(member(r, "reset")) != 0 || !cJSON_IsTrue(member(r, "more")))
		fail_msg("not the answer to a stale scope set: %.600s", r->body);
}

/* Fails unless the JSON array of strings holds exactly the NULL-terminated names. */
static void
expect_set(const cJSON *list, const char *first, ...)
{
	int n = 0;
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
		if (!in_list(list, s))
			fail_msg("%s is not in %s", s, cJSON_PrintUnformatted(list));
		n++;
	}
	va_end(ap);
	if (cJSON_GetArraySize(list) != n)
		fail_msg("%s does not hold exactly %d scopes", cJSON_PrintUnformatted(list), n);
}

/* A change applied as shared/API.md says (the same rule as harness-replica.c's). */
static void
apply_one(struct replica *rp, const cJSON *ch)
{
	const char *scope = h_json_str(ch, "scope"), *type = h_json_str(ch, "type");
	const char *id = h_json_str(ch, "id");
	if (scope == NULL || type == NULL || id == NULL ||
	    !cJSON_IsNumber(cJSON_GetObjectItem(ch, "rev")))
		fail_msg("a change without scope, type, id or rev: %s", cJSON_PrintUnformatted(ch));
	bool deleted = cJSON_IsTrue(cJSON_GetObjectItem(ch, "deleted"));
	const cJSON *doc = cJSON_GetObjectItem(ch, "doc");
	if (deleted ? !cJSON_IsNull(doc) : !cJSON_IsObject(doc))
		fail_msg("a change with a bad doc: %s", cJSON_PrintUnformatted(ch));
	cJSON *rows = cJSON_GetObjectItemCaseSensitive(rp->rows, scope);
	if (rows == NULL)
		rows = cJSON_AddObjectToObject(rp->rows, scope);
	char key[128];
	snprintf(key, sizeof(key), "%s\t%s", type, id);
	cJSON_DeleteItemFromObjectCaseSensitive(rows, key);
	if (!deleted)
		cJSON_AddNumberToObject(rows, key, h_json_num(ch, "rev", 0));
}

/*
 * Applies an answer to a compact request as docs/sync.md says a client does: the changes;
 * then, with "since", every cursor moves to it and the scope set stays; in the full form the
 * reset scopes are dropped and the listed scopes become the set, each at its cursor in the
 * answer or, when the answer names none (a stale set), where it stood (0 when new).
 * rp->changes holds this answer's changes. Returns more.
 */
static bool
apply_answer(struct replica *rp, const struct h_resp *r)
{
	cJSON_Delete(rp->changes);
	rp->changes = cJSON_CreateArray();
	double last = -1;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, member(r, "changes"))
	{
		if (h_json_num(ch, "seq", -1) < last)
			fail_msg("changes out of seq order: %.600s", r->body);
		last = h_json_num(ch, "seq", -1);
		apply_one(rp, ch);
		cJSON_AddItemToArray(rp->changes, cJSON_Duplicate(ch, true));
	}
	const cJSON *since = member(r, "since");
	if (since != NULL) {
		for (cJSON *c = rp->cursors->child; c != NULL; c = c->next)
			cJSON_SetNumberValue(c, since->valuedouble);
		return cJSON_IsTrue(member(r, "more"));
	}
	const cJSON *reset;
	cJSON_ArrayForEach(reset, member(r, "reset"))
	{
		cJSON_AddItemToArray(rp->resets, cJSON_CreateString(reset->valuestring));
		cJSON_DeleteItemFromObjectCaseSensitive(rp->rows, reset->valuestring);
		cJSON_DeleteItemFromObjectCaseSensitive(rp->cursors, reset->valuestring);
	}
	cJSON *next = cJSON_CreateObject();
	const cJSON *s;
	cJSON_ArrayForEach(s, member(r, "scopes"))
	{
		const cJSON *c =
		    cJSON_GetObjectItemCaseSensitive(member(r, "cursors"), s->valuestring);
		if (c == NULL)
			c = cJSON_GetObjectItemCaseSensitive(rp->cursors, s->valuestring);
		cJSON_AddNumberToObject(next, s->valuestring, c != NULL ? c->valuedouble : 0);
	}
	cJSON_Delete(rp->cursors);
	rp->cursors = next;
	cJSON_Delete(rp->scopes);
	rp->scopes = cJSON_Duplicate(member(r, "scopes"), true);
	for (cJSON *sc = rp->rows->child; sc != NULL;) {
		cJSON *after = sc->next;
		if (!in_list(rp->scopes, sc->string))
			cJSON_Delete(cJSON_DetachItemViaPointer(rp->rows, sc));
		sc = after;
	}
	return cJSON_IsTrue(member(r, "more"));
}

/* The one seq every cursor of the replica stands at (a finished sync); fails otherwise. */
static int64_t
replica_since(const struct replica *rp)
{
	double v = -1;
	const cJSON *c;
	cJSON_ArrayForEach(c, rp->cursors)
	{
		if (v >= 0 && c->valuedouble != v)
			fail_msg("cursors differ: %s", cJSON_PrintUnformatted(rp->cursors));
		v = c->valuedouble;
	}
	if (v <= 0)
		fail_msg("no cursor above 0: %s", cJSON_PrintUnformatted(rp->cursors));
	return (int64_t)v;
}

/* The cursor of scope in the replica, -1 when it has none. */
static int64_t
cursor_in(const struct replica *rp, const char *scope)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(rp->cursors, scope);
	return cJSON_IsNumber(c) ? (int64_t)c->valuedouble : -1;
}

/* The number of changes of the last answer in scope. */
static int
changes_in(const struct replica *rp, const char *scope)
{
	int n = 0;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, rp->changes)
	{
		n += strcmp(h_json_str(ch, "scope"), scope) == 0;
	}
	return n;
}

/* The highest seq among the last answer's changes, -1 when none. */
static int64_t
last_seq(const struct replica *rp)
{
	int64_t max = -1;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, rp->changes)
	{
		int64_t seq = (int64_t)h_json_num(ch, "seq", -1);
		if (seq > max)
			max = seq;
	}
	return max;
}

static void
post_reply(const char *token, const char *topic_id, const char *text, char rid[H_ID_LEN + 1])
{
	lc_uuid_new(rid);
	char *json = lc_asprintf("{\"id\":\"%s\",\"body\":\"%s\"}", rid, text);
	struct h_resp r;
	h_callf(SRV, "POST", token, json, &r, "/topics/%s/replies", topic_id);
	free(json);
	H_EXPECT(r, 201);
	h_resp_free(&r);
}

/* How many replies of the topic have id rid (GET /topics/{id} as token). */
static int
replies_with_id(const char *token, const char *topic_id, const char *rid)
{
	struct h_resp r;
	h_callf(SRV, "GET", token, NULL, &r, "/topics/%s", topic_id);
	H_EXPECT(r, 200);
	int n = 0;
	const cJSON *rep;
	cJSON_ArrayForEach(rep, cJSON_GetObjectItem(r.json, "replies"))
	{
		n += strcmp(h_json_str(rep, "id"), rid) == 0;
	}
	h_resp_free(&r);
	return n;
}

/* ---- The hash helper itself ---------------------------------------------------------------- */

/* Vectors from `printf 'catalog\nuser\n' | sha256sum | cut -c1-32` and the like. */
static void
test_hash_helper_matches_sha256sum(void **state)
{
	(void)state;
	char hex[HASH_HEX + 1];
	set_hash(hex, "user", "catalog", NULL);
	assert_string_equal(hex, "394fe027fb7dae702ff2e3be098ca296");
	set_hash(hex, "user", "course:00000000-0000-4000-8000-000000000000", "catalog", NULL);
	assert_string_equal(hex, "dfc76d0297aeb08e49c1c3606421fc07");
}

/* ---- The scope set as it is now: "since" ---------------------------------------------------- */

static void
test_noop_then_a_reply_in_the_since_form(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	assert_int_equal(h_course_forum(SRV, OWNER, &c), 0);
	struct h_user l = new_learner("compact"), other = new_learner("poster");
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	assert_int_equal(h_enroll(SRV, other.access, c.id, NULL), 0);
	char scope[64], hash[HASH_HEX + 1];
	course_scope(scope, c.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	expect_set(rp.scopes, "catalog", "user", scope, NULL);
	int64_t since = replica_since(&rp);
	set_hash(hash, scope, "user", "catalog", NULL);

	/* Nothing new: the same since, no changes, no more. */
	struct h_resp r;
	compact_once(&rp, l.access, NULL, since, hash, &r);
	assert_int_equal(expect_since_form(&r), since);
	assert_int_equal(cJSON_GetArraySize(member(&r, "changes")), 0);
	assert_int_equal(cJSON_GetArraySize(member(&r, "push")), 0);
	assert_false(cJSON_IsTrue(member(&r, "more")));
	h_resp_free(&r);

	/* Another learner replies: the reply and its topic's new activity, nothing else. */
	char rid[H_ID_LEN + 1];
	post_reply(other.access, c.topic_id, "Seen in the compact form", rid);
	compact_once(&rp, l.access, NULL, since, hash, &r);
	int64_t now = expect_since_form(&r);
	assert_true(now > since);
	assert_false(apply_answer(&rp, &r));
	h_resp_free(&r);
	if (cJSON_GetArraySize(rp.changes) != 2)
		fail_msg("want the reply and its topic, got %s",
		         cJSON_PrintUnformatted(rp.changes));
	assert_int_equal(changes_in(&rp, scope), 2);
	const cJSON *ch = find_change(&rp, scope, rid);
	assert_non_null(ch);
	assert_string_equal(h_json_str(ch, "type"), "reply");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(ch, "deleted")));
	assert_string_equal(h_json_str(ch, "doc.body"), "Seen in the compact form");
	ch = find_change(&rp, scope, c.topic_id);
	assert_non_null(ch);
	assert_string_equal(h_json_str(ch, "type"), "topic");
	/* more is false: since is the feed's newest seq, here the reply's topic bump. */
	assert_int_equal(now, last_seq(&rp));
	assert_int_equal(cursor_in(&rp, scope), now);
	assert_int_equal(cursor_in(&rp, "catalog"), now);
	expect_digests_match(&rp, l.access);

	/* And from the new since, nothing again. */
	compact_once(&rp, l.access, NULL, now, hash, &r);
	assert_int_equal(expect_since_form(&r), now);
	assert_int_equal(cJSON_GetArraySize(member(&r, "changes")), 0);
	h_resp_free(&r);
	replica_free(&rp);
}

/* A compact request from 0 builds the same replica as the standard form. */
static void
test_since_zero_equals_the_standard_form(void **state)
{
	(void)state;
	struct h_user l = new_learner("fromzero");
	assert_int_equal(h_enroll(SRV, l.access, world.course.id, NULL), 0);
	char scope[64], hash[HASH_HEX + 1];
	course_scope(scope, world.course.id);
	struct replica full, compact;
	replica_init(&full, SRV);
	replica_init(&compact, SRV);
	replica_sync(&full, l.access);
	int64_t since = replica_since(&full);
	/* The compact replica knows its set and stands at 0 everywhere. */
	cJSON_AddItemToArray(compact.scopes, cJSON_CreateString("catalog"));
	cJSON_AddItemToArray(compact.scopes, cJSON_CreateString("user"));
	cJSON_AddItemToArray(compact.scopes, cJSON_CreateString(scope));
	cJSON_AddNumberToObject(compact.cursors, "catalog", 0);
	cJSON_AddNumberToObject(compact.cursors, "user", 0);
	cJSON_AddNumberToObject(compact.cursors, scope, 0);
	list_hash(full.scopes, hash);
	struct h_resp r;
	compact_once(&compact, l.access, NULL, 0, hash, &r);
	assert_int_equal(expect_since_form(&r), since);
	assert_false(apply_answer(&compact, &r));
	h_resp_free(&r);
	assert_non_null(find_change(&compact, scope, world.course.q1_id));
	assert_non_null(find_change(&compact, "user", l.id));
	if (!cJSON_Compare(full.rows, compact.rows, true))
		fail_msg("standard %s; compact %s", cJSON_PrintUnformatted(full.rows),
		         cJSON_PrintUnformatted(compact.rows));
	assert_true(cJSON_Compare(full.cursors, compact.cursors, true));
	expect_digests_match(&compact, l.access);
	replica_free(&full);
	replica_free(&compact);
}

/* With a small limit the since form pages: since is the last seq sent while more is true. */
static void
test_since_form_pages_with_limit(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_learner("pager");
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	char scope[64], hash[HASH_HEX + 1];
	course_scope(scope, c.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	int64_t since = replica_since(&rp);
	set_hash(hash, "catalog", "user", scope, NULL);
	const char *ids[] = {c.page_id, c.quiz_id, c.module_id};
	const char *kinds[] = {"items", "items", "modules"};
	for (int i = 0; i < 3; i++) {
		struct h_resp r;
		h_callf(SRV, "PATCH", OWNER, "{\"title\":\"Paged in the compact form\"}", &r,
		        "/%s/%s", kinds[i], ids[i]);
		H_EXPECT(r, 200);
		h_resp_free(&r);
	}
	rp.limit = 1;
	cJSON *seen = cJSON_CreateArray();
	int rounds = 0;
	for (bool more = true; more; rounds++) {
		if (rounds > 20)
			fail_msg("the since form never said more: false");
		struct h_resp r;
		compact_once(&rp, l.access, NULL, since, hash, &r);
		int64_t next = expect_since_form(&r);
		more = apply_answer(&rp, &r);
		if (cJSON_GetArraySize(rp.changes) != 1)
			fail_msg("limit 1 but: %.600s", r.body);
		assert_true(next > since);
		if (more)
			assert_int_equal(next, last_seq(&rp));
		cJSON_AddItemToArray(
		    seen, cJSON_CreateString(h_json_str(cJSON_GetArrayItem(rp.changes, 0), "id")));
		h_resp_free(&r);
		since = next;
	}
	assert_true(rounds >= 3);
	for (int i = 0; i < 3; i++)
		assert_true(in_list(seen, ids[i]));
	cJSON_Delete(seen);
	expect_digests_match(&rp, l.access);
	replica_free(&rp);
}

/* ---- A hash of another set: nothing pulled, the full form -------------------------------- */

static void
test_other_set_pulls_nothing(void **state)
{
	(void)state;
	struct h_user l = new_learner("stale");
	assert_int_equal(h_enroll(SRV, l.access, world.course.id, NULL), 0);
	char scope[64], bogus[64], good[HASH_HEX + 1], uuid[H_ID_LEN + 1];
	course_scope(scope, world.course.id);
	lc_uuid_new(uuid);
	course_scope(bogus, uuid);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	int64_t since = replica_since(&rp);
	set_hash(good, "catalog", "user", scope, NULL);
	char wrong[6][HASH_HEX + 1];
	set_hash(wrong[0], "catalog", "user", NULL);
	set_hash(wrong[1], "catalog", "user", scope, bogus, NULL);
	set_hash(wrong[2], "catalog", "user", scope, scope, NULL);
	/* Not sorted; no "\n" after the last name; "\n" before each name: not the definition. */
	char *text = lc_asprintf("user\ncatalog\n%s\n", scope);
	hash_text(text, wrong[3]);
	free(text);
	text = lc_asprintf("catalog\n%s\nuser", scope);
	hash_text(text, wrong[4]);
	free(text);
	text = lc_asprintf("\ncatalog\n%s\nuser", scope);
	hash_text(text, wrong[5]);
	free(text);
	for (int i = 0; i < 6; i++) {
		struct h_resp r;
		assert_string_not_equal(wrong[i], good);
		compact_once(&rp, l.access, NULL, since, wrong[i], &r);
		expect_stale(&r);
		expect_set(member(&r, "scopes"), "catalog", "user", scope, NULL);
		h_resp_free(&r);
	}
	/* The stale answers moved nothing: the right hash still stands at since. */
	struct h_resp r;
	compact_once(&rp, l.access, NULL, since, good, &r);
	assert_int_equal(expect_since_form(&r), since);
	assert_int_equal(cJSON_GetArraySize(member(&r, "changes")), 0);
	h_resp_free(&r);
	replica_free(&rp);
}

/* Enrolled elsewhere over REST: the old compact state is stale; the cursors then pull. */
static void
test_enrolled_elsewhere_then_cursors_pull_the_new_scope(void **state)
{
	(void)state;
	struct h_course c1, c2;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c1), 0);
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c2), 0);
	struct h_user l = new_learner("elsewhere");
	assert_int_equal(h_enroll(SRV, l.access, c1.id, NULL), 0);
	char s1[64], s2[64], old_hash[HASH_HEX + 1], new_hash[HASH_HEX + 1];
	course_scope(s1, c1.id);
	course_scope(s2, c2.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	int64_t since = replica_since(&rp);
	set_hash(old_hash, "catalog", "user", s1, NULL);
	char eid[H_ID_LEN + 1];
	assert_int_equal(h_enroll(SRV, l.access, c2.id, eid), 0);

	struct h_resp r;
	compact_once(&rp, l.access, NULL, since, old_hash, &r);
	expect_stale(&r);
	expect_set(member(&r, "scopes"), "catalog", "user", s1, s2, NULL);
	assert_true(apply_answer(&rp, &r));
	h_resp_free(&r);
	/* The old scopes stay at since, the new one starts at 0. */
	assert_int_equal(cursor_in(&rp, "catalog"), since);
	assert_int_equal(cursor_in(&rp, "user"), since);
	assert_int_equal(cursor_in(&rp, s1), since);
	assert_int_equal(cursor_in(&rp, s2), 0);
	replica_sync(&rp, l.access);
	assert_non_null(find_change(&rp, s2, c2.module_id));
	assert_non_null(find_change(&rp, s2, c2.q1_id));
	assert_non_null(find_change(&rp, s2, c2.page_id));
	assert_non_null(find_change(&rp, "user", eid));
	assert_int_equal(changes_in(&rp, s1), 0); /* c1 was not pulled again from 0 */
	expect_set(rp.scopes, "catalog", "user", s1, s2, NULL);
	expect_digests_match(&rp, l.access);

	/* The new state in the compact form: since again. */
	int64_t now = replica_since(&rp);
	set_hash(new_hash, s2, s1, "user", "catalog", NULL);
	compact_once(&rp, l.access, NULL, now, new_hash, &r);
	assert_int_equal(expect_since_form(&r), now);
	assert_int_equal(cJSON_GetArraySize(member(&r, "changes")), 0);
	h_resp_free(&r);
	replica_free(&rp);
}

/* ---- A hash of the set before the pushes: an enrollment pushed ----------------------------- */

static char *
enroll_push(const char *key, const char *eid, const char *course_id)
{
	return lc_asprintf("[{\"key\":\"%s\",\"method\":\"POST\",\"path\":\"/api/v1/enrollments\","
	                   "\"body\":{\"id\":\"%s\",\"course_id\":\"%s\"}}]",
	                   key, eid, course_id);
}

static void
test_pushed_enrollment_pulls_the_new_scope_from_zero(void **state)
{
	(void)state;
	struct h_course c1, c3;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c1), 0);
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c3), 0);
	struct h_user l = new_learner("pushenroll");
	assert_int_equal(h_enroll(SRV, l.access, c1.id, NULL), 0);
	char s1[64], s3[64], old_hash[HASH_HEX + 1], new_hash[HASH_HEX + 1];
	course_scope(s1, c1.id);
	course_scope(s3, c3.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	int64_t since = replica_since(&rp);
	set_hash(old_hash, "catalog", "user", s1, NULL);
	char eid[H_ID_LEN + 1], key[64];
	lc_uuid_new(eid);
	h_unique_name("enr", key, sizeof(key));
	char *push = enroll_push(key, eid, c3.id);
	struct h_resp r;
	compact_once(&rp, l.access, push, since, old_hash, &r);
	free(push);
	expect_full_form(&r);
	const cJSON *p0 = cJSON_GetArrayItem(member(&r, "push"), 0);
	assert_int_equal(cJSON_GetArraySize(member(&r, "push")), 1);
	assert_int_equal((int)h_json_num(p0, "status", 0), 201);
	assert_string_equal(h_json_str(p0, "body.id"), eid);
	expect_set(member(&r, "scopes"), "catalog", "user", s1, s3, NULL);
	assert_int_equal(cJSON_GetArraySize(member(&r, "reset")), 0);
	assert_false(cJSON_IsTrue(member(&r, "more")));
	/* Every cursor, the new scope's too, stands at the same seq, past since. */
	const cJSON *cursors = member(&r, "cursors");
	assert_int_equal(cJSON_GetArraySize(cursors), 4);
	double at = h_json_num(cursors, "catalog", -1);
	assert_true(at > (double)since);
	const char *names[] = {"catalog", "user", s1, s3};
	for (int i = 0; i < 4; i++) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(cursors, names[i]);
		if (!cJSON_IsNumber(c) || c->valuedouble != at)
			fail_msg("cursor of %s is not %g: %.600s", names[i], at, r.body);
	}
	assert_false(apply_answer(&rp, &r));
	h_resp_free(&r);
	/* The feed's newest seq: the enrollment's row for the course's staff may come last. */
	assert_true(last_seq(&rp) > since && last_seq(&rp) <= (int64_t)at);
	/* The new course from 0 in this same answer, the old scopes only from since. */
	assert_non_null(find_change(&rp, s3, c3.module_id));
	assert_non_null(find_change(&rp, s3, c3.page_id));
	assert_non_null(find_change(&rp, s3, c3.quiz_id));
	assert_non_null(find_change(&rp, s3, c3.q1_id));
	assert_non_null(find_change(&rp, s3, c3.q2_id));
	const cJSON *e = find_change(&rp, "user", eid);
	assert_non_null(e);
	assert_string_equal(h_json_str(e, "type"), "enrollment");
	assert_int_equal(changes_in(&rp, s1), 0);
	assert_int_equal(changes_in(&rp, "catalog"), 0);
	expect_digests_match(&rp, l.access);

	/* The new set in the compact form: since, nothing new. */
	int64_t now = replica_since(&rp);
	set_hash(new_hash, "catalog", "user", s1, s3, NULL);
	compact_once(&rp, l.access, NULL, now, new_hash, &r);
	assert_int_equal(expect_since_form(&r), now);
	assert_int_equal(cJSON_GetArraySize(member(&r, "changes")), 0);
	h_resp_free(&r);

	/* An enrollment pushed with a hash of neither set: the push runs, nothing is pulled. */
	struct h_course c4;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c4), 0);
	char s4[64], wrong[HASH_HEX + 1], eid4[H_ID_LEN + 1];
	course_scope(s4, c4.id);
	set_hash(wrong, "catalog", "user", NULL);
	lc_uuid_new(eid4);
	h_unique_name("enr", key, sizeof(key));
	push = enroll_push(key, eid4, c4.id);
	compact_once(&rp, l.access, push, now, wrong, &r);
	free(push);
	expect_stale(&r);
	p0 = cJSON_GetArrayItem(member(&r, "push"), 0);
	assert_int_equal((int)h_json_num(p0, "status", 0), 201);
	expect_set(member(&r, "scopes"), "catalog", "user", s1, s3, s4, NULL);
	h_resp_free(&r);
	replica_free(&rp);
}

/* An unenrollment pushed: the hash names the set before, the full form drops the scope. */
static void
test_pushed_unenrollment_drops_the_scope(void **state)
{
	(void)state;
	struct h_course c1, c2;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c1), 0);
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c2), 0);
	struct h_user l = new_learner("leaving");
	char eid[H_ID_LEN + 1], s1[64], s2[64], hash[HASH_HEX + 1], key[64];
	assert_int_equal(h_enroll(SRV, l.access, c1.id, eid), 0);
	assert_int_equal(h_enroll(SRV, l.access, c2.id, NULL), 0);
	course_scope(s1, c1.id);
	course_scope(s2, c2.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	int64_t since = replica_since(&rp);
	set_hash(hash, "catalog", "user", s1, s2, NULL);
	h_unique_name("unenr", key, sizeof(key));
	char *push = lc_asprintf(
	    "[{\"key\":\"%s\",\"method\":\"DELETE\",\"path\":\"/api/v1/enrollments/%s\"}]", key,
	    eid);
	struct h_resp r;
	compact_once(&rp, l.access, push, since, hash, &r);
	free(push);
	expect_full_form(&r);
	assert_int_equal((int)h_json_num(cJSON_GetArrayItem(member(&r, "push"), 0), "status", 0),
	                 204);
	expect_set(member(&r, "scopes"), "catalog", "user", s2, NULL);
	assert_int_equal(cJSON_GetArraySize(member(&r, "reset")), 0);
	assert_false(cJSON_IsTrue(member(&r, "more")));
	const cJSON *cursors = member(&r, "cursors");
	assert_int_equal(cJSON_GetArraySize(cursors), 3);
	double at = h_json_num(cursors, "catalog", -1);
	assert_true(at > (double)since);
	assert_true(h_json_num(cursors, "user", -1) == at && h_json_num(cursors, s2, -1) == at);
	assert_false(apply_answer(&rp, &r));
	h_resp_free(&r);
	/* Pulled from since: the enrollment's tombstone, nothing of c2 again. */
	expect_tombstone(&rp, "user", eid, "enrollment");
	assert_int_equal(changes_in(&rp, s2), 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(rp.rows, s1));
	expect_digests_match(&rp, l.access);
	replica_free(&rp);
}

/* ---- A scope to reset forces the full form ------------------------------------------------ */

static void
test_gaining_staff_rights_resets_in_the_full_form(void **state)
{
	(void)state;
	/* A department with this one course, so the new rights add no scope. */
	char dept[H_ID_LEN + 1], code[40];
	h_unique_name("R", code, sizeof(code));
	assert_int_equal(h_make_department(SRV, ADMIN, code, dept), 0);
	struct h_course c;
	assert_int_equal(h_make_course(SRV, ADMIN, dept, true, &c), 0);
	struct h_user l = new_learner("promoted");
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	char scope[64], hash[HASH_HEX + 1];
	course_scope(scope, c.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	const cJSON *q = find_change(&rp, scope, c.q1_id);
	assert_non_null(q);
	assert_false(cJSON_HasObjectItem(cJSON_GetObjectItem(q, "doc"), "answer"));
	int64_t since = replica_since(&rp);
	set_hash(hash, "catalog", "user", scope, NULL);
	assert_int_equal(h_grant_department(SRV, ADMIN, l.id, dept, "[\"content-admin\"]"), 0);

	struct h_resp r;
	compact_once(&rp, l.access, NULL, since, hash, &r);
	expect_full_form(&r);
	expect_set(member(&r, "scopes"), "catalog", "user", scope, NULL);
	expect_set(member(&r, "reset"), scope, NULL);
	assert_true(cJSON_IsTrue(member(&r, "more")));
	const cJSON *cursors = member(&r, "cursors");
	assert_int_equal(cJSON_GetArraySize(cursors), 3);
	assert_int_equal((int64_t)h_json_num(cursors, scope, -1), 0);
	assert_true(h_json_num(cursors, "catalog", -1) >= (double)since);
	assert_true(h_json_num(cursors, "user", -1) >= (double)since);
	assert_true(apply_answer(&rp, &r));
	h_resp_free(&r);
	assert_int_equal(changes_in(&rp, scope), 0);
	assert_true(in_list(rp.resets, scope));
	assert_null(cJSON_GetObjectItemCaseSensitive(rp.rows, scope));

	/* The next rounds name the cursors and pull the scope again, answers included. */
	replica_sync(&rp, l.access);
	q = find_change(&rp, scope, c.q1_id);
	assert_non_null(q);
	assert_true(cJSON_HasObjectItem(cJSON_GetObjectItem(q, "doc"), "answer"));
	expect_digests_match(&rp, l.access);

	/* The reset is not asked for again: the compact form answers since. */
	int64_t now = replica_since(&rp);
	compact_once(&rp, l.access, NULL, now, hash, &r);
	assert_int_equal(expect_since_form(&r), now);
	assert_int_equal(cJSON_GetArraySize(member(&r, "changes")), 0);
	h_resp_free(&r);
	replica_free(&rp);
}

/* ---- Malformed compact fields: 400 for the whole request --------------------------------- */

static void
expect_invalid(const struct h_resp *r, const char *keys, const char *what)
{
	if (r->status != 400)
		fail_msg("%s: want 400, got %ld: %.600s", what, r->status, r->body);
	char *want = lc_asprintf("{\"error\":{\"type\":\"invalid_request_error\","
	                         "\"message\":\"Invalid parameters: %s\"}}",
	                         keys);
	cJSON *w = cJSON_Parse(want);
	assert_non_null(w);
	if (!cJSON_Compare(r->json, w, true))
		fail_msg("%s: want %s, got %.600s", what, want, r->body);
	cJSON_Delete(w);
	free(want);
}

static void
test_malformed_compact_fields_are_refused_whole(void **state)
{
	(void)state;
	const char *tok = world.u[H_ENROLLED].access;
	char scope[64], hash[HASH_HEX + 1], rid[H_ID_LEN + 1], key[64];
	course_scope(scope, world.course.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, tok);
	expect_set(rp.scopes, "catalog", "user", scope, NULL);
	int64_t since = replica_since(&rp);
	set_hash(hash, "catalog", "user", scope, NULL);
	/* A push item good on its own, in every refused request. */
	lc_uuid_new(rid);
	h_unique_name("refused", key, sizeof(key));
	char *push = lc_asprintf(
	    "[{\"key\":\"%s\",\"method\":\"POST\",\"path\":\"/api/v1/topics/%s/replies\","
	    "\"body\":{\"id\":\"%s\",\"body\":\"Never posted\"}}]",
	    key, world.course.topic_id, rid);
	char upper[HASH_HEX + 1], not_hex[HASH_HEX + 1], full[2 * crypto_hash_sha256_BYTES + 1];
	for (int i = 0; i <= HASH_HEX; i++)
		upper[i] = (char)(hash[i] >= 'a' && hash[i] <= 'f' ? hash[i] - 'a' + 'A' : hash[i]);
	assert_string_not_equal(upper, hash);
	memcpy(not_hex, hash, sizeof(not_hex));
	not_hex[HASH_HEX - 1] = 'g';
	{
		char *text = lc_asprintf("catalog\n%s\nuser\n", scope);
		unsigned char d[crypto_hash_sha256_BYTES];
		crypto_hash_sha256(d, (const unsigned char *)text, strlen(text));
		sodium_bin2hex(full, sizeof(full), d, sizeof(d));
		free(text);
		assert_memory_equal(full, hash, HASH_HEX);
	}
	long long s = (long long)since;
	struct {
		const char *what, *keys;
		char *fields;
	} cases[] = {
	    {"since without scope_set", "scope_set", lc_asprintf("\"since\":%lld", s)},
	    {"scope_set without since", "since", lc_asprintf("\"scope_set\":\"%s\"", hash)},
	    {"uppercase scope_set", "scope_set",
	     lc_asprintf("\"since\":%lld,\"scope_set\":\"%s\"", s, upper)},
	    {"31 characters", "scope_set",
	     lc_asprintf("\"since\":%lld,\"scope_set\":\"%.31s\"", s, hash)},
	    {"33 characters", "scope_set",
	     lc_asprintf("\"since\":%lld,\"scope_set\":\"%s0\"", s, hash)},
	    {"the whole SHA-256", "scope_set",
	     lc_asprintf("\"since\":%lld,\"scope_set\":\"%s\"", s, full)},
	    {"a g in scope_set", "scope_set",
	     lc_asprintf("\"since\":%lld,\"scope_set\":\"%s\"", s, not_hex)},
	    {"scope_set a number", "scope_set",
	     lc_asprintf("\"since\":%lld,\"scope_set\":12345678901234567890123456789012", s)},
	    {"scope_set null", "scope_set", lc_asprintf("\"since\":%lld,\"scope_set\":null", s)},
	    {"since with cursors", "cursors",
	     lc_asprintf("\"since\":%lld,\"scope_set\":\"%s\",\"cursors\":{\"catalog\":%lld}", s,
	                 hash, s)},
	    {"since negative", "since", lc_asprintf("\"since\":-1,\"scope_set\":\"%s\"", hash)},
	    {"since a string", "since",
	     lc_asprintf("\"since\":\"%lld\",\"scope_set\":\"%s\"", s, hash)},
	    {"since a fraction", "since",
	     lc_asprintf("\"since\":%lld.5,\"scope_set\":\"%s\"", s, hash)},
	    {"since null", "since", lc_asprintf("\"since\":null,\"scope_set\":\"%s\"", hash)},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *body = lc_asprintf("{\"client_id\":\"%s\",\"push\":%s,%s}", rp.client_id,
		                         push, cases[i].fields);
		struct h_resp r;
		h_call(SRV, "POST", "/sync", tok, body, NULL, &r);
		expect_invalid(&r, cases[i].keys, cases[i].what);
		h_resp_free(&r);
		free(body);
		free(cases[i].fields);
		if (replies_with_id(tok, world.course.topic_id, rid) != 0)
			fail_msg("%s: the push of a refused request ran", cases[i].what);
	}
	/* since without scope_set and with cursors: both named. */
	{
		char *body = lc_asprintf("{\"push\":%s,\"since\":%lld,\"cursors\":{\"user\":%lld}}",
		                         push, s, s);
		struct h_resp r;
		h_call(SRV, "POST", "/sync", tok, body, NULL, &r);
		H_EXPECT_ERROR(r, 400, "invalid_request_error");
		if (!h_invalid_params_are(&r, "scope_set,cursors"))
			fail_msg("want scope_set and cursors named: %s", r.body);
		h_resp_free(&r);
		free(body);
	}
	assert_int_equal(replies_with_id(tok, world.course.topic_id, rid), 0);

	/* Nothing reached the feed: the compact form still stands at since. */
	struct h_resp r;
	compact_once(&rp, tok, NULL, since, hash, &r);
	assert_int_equal(expect_since_form(&r), since);
	assert_int_equal(cJSON_GetArraySize(member(&r, "changes")), 0);
	h_resp_free(&r);
	/* The same push in a well-formed compact request runs, once. */
	compact_once(&rp, tok, push, since, hash, &r);
	int64_t now = expect_since_form(&r);
	assert_true(now > since);
	assert_int_equal((int)h_json_num(cJSON_GetArrayItem(member(&r, "push"), 0), "status", 0),
	                 201);
	assert_false(apply_answer(&rp, &r));
	h_resp_free(&r);
	assert_non_null(find_change(&rp, scope, rid));
	assert_int_equal(replies_with_id(tok, world.course.topic_id, rid), 1);
	expect_digests_match(&rp, tok);
	free(push);
	replica_free(&rp);
}

/* ---- The standard form is unchanged ------------------------------------------------------- */

static void
test_standard_form_is_unchanged(void **state)
{
	(void)state;
	const char *tok = world.u[H_ENROLLED].access;
	char scope[64], hash[HASH_HEX + 1];
	course_scope(scope, world.course.id);
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, tok);
	int64_t since = replica_since(&rp);
	struct h_resp r;
	/* Named cursors. */
	sync_once(&rp, tok, NULL, &r);
	expect_full_form(&r);
	expect_set(member(&r, "scopes"), "catalog", "user", scope, NULL);
	assert_int_equal(cJSON_GetArraySize(member(&r, "cursors")), 3);
	assert_int_equal((int64_t)h_json_num(member(&r, "cursors"), scope, -1), since);
	assert_int_equal(cJSON_GetArraySize(member(&r, "changes")), 0);
	assert_int_equal(cJSON_GetArraySize(member(&r, "reset")), 0);
	assert_false(cJSON_IsTrue(member(&r, "more")));
	h_resp_free(&r);
	/* Empty cursors, and no cursors at all: the full form from 0. */
	const char *bodies[] = {"{\"push\":[],\"cursors\":{}}", "{}"};
	for (int i = 0; i < 2; i++) {
		h_call(SRV, "POST", "/sync", tok, bodies[i], NULL, &r);
		expect_full_form(&r);
		expect_set(member(&r, "scopes"), "catalog", "user", scope, NULL);
		assert_int_equal(cJSON_GetArraySize(member(&r, "cursors")), 3);
		assert_true(cJSON_GetArraySize(member(&r, "changes")) > 0);
		h_resp_free(&r);
	}
	/* The compact form takes an empty cursors object beside it. */
	set_hash(hash, "catalog", "user", scope, NULL);
	char *body = lc_asprintf("{\"client_id\":\"%s\",\"cursors\":{},\"since\":%lld,"
	                         "\"scope_set\":\"%s\"}",
	                         rp.client_id, (long long)since, hash);
	h_call(SRV, "POST", "/sync", tok, body, NULL, &r);
	free(body);
	assert_int_equal(expect_since_form(&r), since);
	h_resp_free(&r);
	replica_free(&rp);
}

/* A caller deleting themselves in a compact request gets the empty full form. */
static void
test_deleted_caller_gets_the_empty_full_form(void **state)
{
	(void)state;
	struct h_user l = new_learner("leaver");
	struct replica rp;
	replica_init(&rp, SRV);
	replica_sync(&rp, l.access);
	int64_t since = replica_since(&rp);
	char hash[HASH_HEX + 1];
	set_hash(hash, "catalog", "user", NULL);
	char *push = lc_asprintf(
	    "[{\"key\":\"leave-%s\",\"method\":\"DELETE\",\"path\":\"/api/v1/users/%s\"}]", l.id,
	    l.id);
	struct h_resp r;
	compact_once(&rp, l.access, push, since, hash, &r);
	free(push);
	expect_full_form(&r);
	assert_int_equal((int)h_json_num(cJSON_GetArrayItem(member(&r, "push"), 0), "status", 0),
	                 204);
	assert_int_equal(cJSON_GetArraySize(member(&r, "changes")), 0);
	assert_int_equal(cJSON_GetArraySize(member(&r, "cursors")), 0);
	assert_int_equal(cJSON_GetArraySize(member(&r, "scopes")), 0);
	assert_int_equal(cJSON_GetArraySize(member(&r, "reset")), 0);
	assert_false(cJSON_IsTrue(member(&r, "more")));
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
	    cmocka_unit_test(test_hash_helper_matches_sha256sum),
	    cmocka_unit_test(test_noop_then_a_reply_in_the_since_form),
	    cmocka_unit_test(test_since_zero_equals_the_standard_form),
	    cmocka_unit_test(test_since_form_pages_with_limit),
	    cmocka_unit_test(test_other_set_pulls_nothing),
	    cmocka_unit_test(test_enrolled_elsewhere_then_cursors_pull_the_new_scope),
	    cmocka_unit_test(test_pushed_enrollment_pulls_the_new_scope_from_zero),
	    cmocka_unit_test(test_pushed_unenrollment_drops_the_scope),
	    cmocka_unit_test(test_gaining_staff_rights_resets_in_the_full_form),
	    cmocka_unit_test(test_malformed_compact_fields_are_refused_whole),
	    cmocka_unit_test(test_standard_form_is_unchanged),
	    cmocka_unit_test(test_deleted_caller_gets_the_empty_full_form),
	};
	return cmocka_run_group_tests_name("api-sync-compact", tests, group_setup, group_teardown);
}
