/* SPDX-License-Identifier: MIT */
/*
 * Moving an item to another module of its course (issue 11, item 2: "create, edit, delete
 * and move items of every kind"; lecternd's extension of API.md, docs/api.md "Moving an
 * item to another module"): PATCH /items/{id} with module_id, optionally with a position
 * in the new module (default last). Both modules keep positions 1..n without gaps, the
 * moved item gets one new rev, every item whose position or module changed reaches /sync,
 * a bad module_id (malformed, unknown, another course's) gets API.md's 400 and changes
 * nothing, and only course staff may move.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "harness-replica.h"
#include "harness.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)
#define NITEMS 4

/* Three new modules of the world's course: A with a1..a4, B with b1..b3, C empty. */
struct fixture {
	char mod[3][H_ID_LEN + 1];
	char a[NITEMS][H_ID_LEN + 1];
	char b[NITEMS][H_ID_LEN + 1];
};

static void
new_module(const char *title, char id[H_ID_LEN + 1])
{
	struct h_resp r;
	char *json = lc_asprintf("{\"title\":\"%s\"}", title);

	h_callf(SRV, "POST", OWNER, json, &r, "/courses/%s/modules", world.course.id);
	free(json);
	H_EXPECT(r, 201);
	assert_int_equal(h_copy_id(r.json, "id", id), 0);
	h_resp_free(&r);
}

/* Items named prefix1..prefixN, one array POST; their ids into ids. */
static void
new_items(const char *module_id, char prefix, int n, char ids[][H_ID_LEN + 1])
{
	struct lc_buf json;
	struct h_resp r;

	lc_buf_init(&json);
	lc_buf_puts(&json, "[");
	for (int i = 0; i < n; i++)
		lc_buf_printf(&json, "%s{\"title\":\"%c%d\",\"kind\":\"%s\"}", i > 0 ? "," : "",
		              prefix, i + 1, i % 2 ? "quiz" : "page");
	lc_buf_puts(&json, "]");
	h_callf(SRV, "POST", OWNER, lc_buf_str(&json), &r, "/modules/%s/items", module_id);
	lc_buf_finish(&json);
	H_EXPECT(r, 201);
	for (int i = 0; i < n; i++)
		assert_int_equal(h_copy_id(cJSON_GetArrayItem(r.json, i), "id", ids[i]), 0);
	h_resp_free(&r);
}

static void
fixture_make(struct fixture *f)
{
	new_module("Move A", f->mod[0]);
	new_module("Move B", f->mod[1]);
	new_module("Move C", f->mod[2]);
	new_items(f->mod[0], 'a', NITEMS, f->a);
	new_items(f->mod[1], 'b', NITEMS - 1, f->b);
}

/*
 * The titles of a module's items in order, comma-separated (caller frees), after checking
 * that each names the module and that positions are 1..n without gaps.
 */
static char *
order_of(const char *module_id)
{
	struct lc_buf out;
	const cJSON *it;
	struct h_resp r;
	int n = 0;

	lc_buf_init(&out);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/modules/%s/items?limit=100", module_id);
	H_EXPECT(r, 200);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.json, "items"))
	{
		n++;
		if ((int)h_json_num(it, "position", 0) != n)
			fail_msg("position %d at place %d: %.800s",
			         (int)h_json_num(it, "position", 0), n, r.body);
		assert_string_equal(h_json_str(it, "module_id"), module_id);
		lc_buf_printf(&out, "%s%s", n > 1 ? "," : "", h_json_str(it, "title"));
	}
	assert_int_equal((int)h_json_num(r.json, "total", -1), n);
	h_resp_free(&r);
	return lc_buf_steal(&out);
}

#define EXPECT_ORDER(module_id, want)                                                              \
	do {                                                                                       \
		char *got_ = order_of(module_id);                                                  \
		if (strcmp(got_, (want)) != 0)                                                     \
			fail_msg("%s:%d: module order %s, want %s", __FILE__, __LINE__, got_,      \
			         (want));                                                          \
		free(got_);                                                                        \
	} while (0)

static int
rev_of(const char *item_id)
{
	struct h_resp r;
	int rev;

	h_callf(SRV, "GET", OWNER, NULL, &r, "/items/%s", item_id);
	H_EXPECT(r, 200);
	rev = (int)h_json_num(r.json, "rev", 0);
	h_resp_free(&r);
	return rev;
}

/* PATCH /items/{id} as token with json; the status, and the response in *r. */
static long
patch(const char *token, const char *item_id, const char *json, struct h_resp *r)
{
	return h_callf(SRV, "PATCH", token, json, r, "/items/%s", item_id);
}

/* Moves item_id to module_id (position 0: none sent) as the owner, expecting 200. */
static void
move_ok(const char *item_id, const char *module_id, int position)
{
	char *json = position > 0 ? lc_asprintf("{\"module_id\":\"%s\",\"position\":%d}", module_id,
	                                        position)
	                          : lc_asprintf("{\"module_id\":\"%s\"}", module_id);
	struct h_resp r;

	patch(OWNER, item_id, json, &r);
	free(json);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "module_id"), module_id);
	assert_string_equal(h_json_str(r.json, "course_id"), world.course.id);
	h_resp_free(&r);
}

static void
test_item_move_first_middle_last_and_into_empty(void **state)
{
	struct fixture f;
	struct h_resp r;
	int rev;

	(void)state;
	fixture_make(&f);
	EXPECT_ORDER(f.mod[0], "a1,a2,a3,a4");
	EXPECT_ORDER(f.mod[1], "b1,b2,b3");

	/* The first of A, no position: the end of B; one new rev. */
	rev = rev_of(f.a[0]);
	move_ok(f.a[0], f.mod[1], 0);
	assert_int_equal(rev_of(f.a[0]), rev + 1);
	EXPECT_ORDER(f.mod[0], "a2,a3,a4");
	EXPECT_ORDER(f.mod[1], "b1,b2,b3,a1");

	/* A middle one of B to the start of A. */
	move_ok(f.b[1], f.mod[0], 1);
	EXPECT_ORDER(f.mod[0], "b2,a2,a3,a4");
	EXPECT_ORDER(f.mod[1], "b1,b3,a1");

	/* The last of A into the middle of B. */
	move_ok(f.a[3], f.mod[1], 2);
	EXPECT_ORDER(f.mod[0], "b2,a2,a3");
	EXPECT_ORDER(f.mod[1], "b1,a4,b3,a1");

	/* Into the empty C, with a position past the end: last (there: first). */
	move_ok(f.b[0], f.mod[2], 7);
	EXPECT_ORDER(f.mod[1], "a4,b3,a1");
	EXPECT_ORDER(f.mod[2], "b1");

	/* The only item of C back to A at the same position it has: still a move, one rev. */
	rev = rev_of(f.b[0]);
	move_ok(f.b[0], f.mod[0], 1);
	assert_int_equal(rev_of(f.b[0]), rev + 1);
	EXPECT_ORDER(f.mod[0], "b1,b2,a2,a3");
	EXPECT_ORDER(f.mod[2], "");

	/* Its own module with a position: an ordinary reorder. */
	move_ok(f.b[0], f.mod[0], 4);
	EXPECT_ORDER(f.mod[0], "b2,a2,a3,b1");

	/* Its own module with no position is a no-op PATCH: same rev, same place. */
	rev = rev_of(f.a[1]);
	move_ok(f.a[1], f.mod[0], 0);
	assert_int_equal(rev_of(f.a[1]), rev);
	EXPECT_ORDER(f.mod[0], "b2,a2,a3,b1");

	/* With other fields at once: the fields change and it moves, one new rev. */
	rev = rev_of(f.a[2]);
	{
		char *json = lc_asprintf("{\"title\":\"a3 moved\",\"module_id\":\"%s\"}", f.mod[2]);

		patch(OWNER, f.a[2], json, &r);
		free(json);
	}
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "title"), "a3 moved");
	assert_int_equal((int)h_json_num(r.json, "rev", 0), rev + 1);
	h_resp_free(&r);
	EXPECT_ORDER(f.mod[0], "b2,a2,b1");
	EXPECT_ORDER(f.mod[2], "a3 moved");

	/* A fresh If-Match is honoured like on any PATCH. */
	{
		char *json = lc_asprintf("{\"module_id\":\"%s\"}", f.mod[1]);
		char *match = lc_asprintf("If-Match: \"%d\"", rev + 1);
		const char *headers[] = {match, NULL};
		char path[80];

		snprintf(path, sizeof(path), "/items/%s", f.a[2]);
		h_call(SRV, "PATCH", path, OWNER, json, headers, &r);
		free(json);
		free(match);
	}
	H_EXPECT(r, 200);
	h_resp_free(&r);
	EXPECT_ORDER(f.mod[1], "a4,b3,a1,a3 moved");
	EXPECT_ORDER(f.mod[2], "");
}

/* Both modules' lists and the other course's module, as one comparable text (frees *). */
static char *
snapshot(const struct fixture *f, const char *other_module)
{
	const char *mods[] = {f->mod[0], f->mod[1], f->mod[2], other_module};
	struct lc_buf out;
	struct h_resp r;

	lc_buf_init(&out);
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		/* The admin reads the other course's module too. */
		h_callf(SRV, "GET", h_token(&world, H_ADMIN), NULL, &r,
		        "/modules/%s/items?limit=100", mods[i]);
		H_EXPECT(r, 200);
		lc_buf_printf(&out, "%s\n", r.body);
		h_resp_free(&r);
	}
	return lc_buf_steal(&out);
}

/* Fails unless r is API.md's 400 naming exactly keys. */
static void
expect_invalid(const struct h_resp *r, const char *keys, const char *json)
{
	H_EXPECT_ERROR(*r, 400, "invalid_request_error");
	if (!h_invalid_params_are(r, keys))
		fail_msg("%s: want Invalid parameters: %s, got %.300s", json, keys, r->body);
}

/* template with each '@' replaced by id (caller frees). */
static char *
fill(const char *template, const char *id)
{
	struct lc_buf out;

	lc_buf_init(&out);
	for (const char *p = template; *p != '\0'; p++) {
		if (*p == '@' && id != NULL)
			lc_buf_puts(&out, id);
		else
			lc_buf_putc(&out, *p);
	}
	return lc_buf_steal(&out);
}

static void
test_item_move_refusals_change_nothing(void **state)
{
	struct fixture f;
	struct h_course other;
	char unknown[H_ID_LEN + 1] = "0b6f2a4e-8c1d-4b7e-9a3f-5d2c1e0f9a8b", *before, *after;
	struct h_resp r;
	struct {
		const char *json; /* each @ stands for module */
		const char *module;
		const char *keys;
	} cases[] = {
	    {"{\"module_id\":\"not-a-uuid\"}", NULL, "module_id"},
	    {"{\"module_id\":null}", NULL, "module_id"},
	    {"{\"module_id\":42}", NULL, "module_id"},
	    {"{\"module_id\":[\"@\"]}", f.mod[1], "module_id"},
	    {"{\"module_id\":\"@\"}", unknown, "module_id"},
	    {"{\"module_id\":\"@\"}", other.module_id, "module_id"},
	    {"{\"module_id\":\"@\",\"position\":2}", other.module_id, "module_id"},
	    {"{\"module_id\":\"@\"}", world.course.page_id, "module_id"}, /* an item's id */
	    {"{\"module_id\":\"@\",\"title\":\"\"}", unknown, "title,module_id"},
	    {"{\"module_id\":\"@\",\"position\":0}", f.mod[1], "position"},
	    {"{\"module_id\":\"@\",\"title\":\"\"}", f.mod[1], "title"},
	    {"{\"module_id\":\"@\",\"course_id\":\"@\"}", f.mod[1], "course_id"},
	};

	(void)state;
	fixture_make(&f);
	assert_int_equal(h_make_course(SRV, world.u[H_OTHER_INSTR].access, NULL, false, &other), 0);
	before = snapshot(&f, other.module_id);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *json = fill(cases[i].json, cases[i].module);

		patch(OWNER, f.a[1], json, &r);
		expect_invalid(&r, cases[i].keys, json);
		h_resp_free(&r);
		free(json);
	}
	/* An uppercase form of a real module is malformed (ids are lowercase). */
	{
		char upper[H_ID_LEN + 1], *json;

		for (size_t i = 0; i <= H_ID_LEN; i++)
			upper[i] = (char)(f.mod[1][i] >= 'a' && f.mod[1][i] <= 'f'
			                      ? f.mod[1][i] - 'a' + 'A'
			                      : f.mod[1][i]);
		json = lc_asprintf("{\"module_id\":\"%s\"}", upper);
		patch(OWNER, f.a[1], json, &r);
		expect_invalid(&r, "module_id", json);
		h_resp_free(&r);
		free(json);
	}
	/* A stale If-Match: 409 with the item as it is now. */
	{
		char *json = lc_asprintf("{\"module_id\":\"%s\"}", f.mod[1]);
		const char *headers[] = {"If-Match: \"99\"", NULL};
		char path[80];

		snprintf(path, sizeof(path), "/items/%s", f.a[1]);
		h_call(SRV, "PATCH", path, OWNER, json, headers, &r);
		H_EXPECT(r, 409);
		assert_string_equal(h_json_str(r.json, "current.module_id"), f.mod[0]);
		h_resp_free(&r);
		/* An item that does not exist: 404 naming the kind. */
		h_callf(SRV, "PATCH", OWNER, json, &r, "/items/%s", unknown);
		H_EXPECT_ERROR(r, 404, "resource_dne_error");
		assert_string_equal(h_error_message(&r), "That item does not exist");
		h_resp_free(&r);
		free(json);
	}
	after = snapshot(&f, other.module_id);
	assert_string_equal(after, before);
	free(before);
	free(after);
}

static void
test_item_move_permissions(void **state)
{
	struct fixture f;
	struct h_course other;
	char *before, *after, *json, *home;
	struct h_resp r;

	(void)state;
	fixture_make(&f);
	assert_int_equal(h_make_course(SRV, world.u[H_OTHER_INSTR].access, NULL, true, &other), 0);
	before = snapshot(&f, other.module_id);
	json = lc_asprintf("{\"module_id\":\"%s\"}", f.mod[1]);
	/* Not staff of the course: 403, whoever they are. */
	for (enum h_actor a = H_LEARNER; a <= H_OTHER_INSTR; a++) {
		if (a == H_OWNER)
			continue;
		patch(h_token(&world, a), f.a[0], json, &r);
		if (r.status != 403 || !h_is_error(&r, "resource_error"))
			fail_msg("%s moved an item: %ld %.300s", h_actor_name(a), r.status, r.body);
		h_resp_free(&r);
	}
	patch(NULL, f.a[0], json, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	/* Another course's instructor cannot take their item into this course either. */
	patch(world.u[H_OTHER_INSTR].access, other.page_id, json, &r);
	expect_invalid(&r, "module_id", json);
	h_resp_free(&r);
	/* Nor can this course's owner pull it in. */
	patch(OWNER, other.page_id, json, &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	after = snapshot(&f, other.module_id);
	assert_string_equal(after, before);
	free(before);
	free(after);
	free(json);

	/* Every kind of course staff may (positive control). */
	home = lc_strdup(f.mod[0]);
	for (enum h_actor a = H_CONTENT_ADMIN; a <= H_ADMIN; a++) {
		const char *to = a % 2 ? f.mod[1] : home;

		json = lc_asprintf("{\"module_id\":\"%s\",\"position\":1}", to);
		patch(h_token(&world, a), f.a[0], json, &r);
		H_EXPECT(r, 200);
		assert_string_equal(h_json_str(r.json, "module_id"), to);
		h_resp_free(&r);
		free(json);
	}
	free(home);
	EXPECT_ORDER(f.mod[1], "a1,b1,b2,b3");
	EXPECT_ORDER(f.mod[0], "a2,a3,a4");
}

/* The doc of id's change in the last sync, or fails. */
static const cJSON *
changed_doc(const struct replica *rp, const char *id, const char *what)
{
	const cJSON *c = find_change(rp, NULL, id);

	if (c == NULL)
		fail_msg("%s did not come with the sync after the move", what);
	return cJSON_GetObjectItemCaseSensitive(c, "doc");
}

static void
expect_synced_place(const struct replica *rp, const char *id, const char *what,
                    const char *module_id, int position)
{
	const cJSON *doc = changed_doc(rp, id, what);

	assert_string_equal(h_json_str(doc, "module_id"), module_id);
	if ((int)h_json_num(doc, "position", 0) != position)
		fail_msg("%s came at position %d, want %d", what,
		         (int)h_json_num(doc, "position", 0), position);
}

static void
test_item_move_sync_brings_every_changed_sibling(void **state)
{
	const char *learner = world.u[H_ENROLLED].access;
	struct replica staff, enrolled;
	struct replica *rps[] = {&staff, &enrolled};
	const char *tokens[] = {OWNER, learner};
	struct fixture f;

	(void)state;
	fixture_make(&f);
	replica_init(&staff, SRV);
	replica_init(&enrolled, SRV);
	replica_sync(&staff, OWNER);
	replica_sync(&enrolled, learner);
	assert_non_null(find_change(&enrolled, NULL, f.a[1])); /* positive control */

	/* a2 from the middle of A to the second place of B. */
	move_ok(f.a[1], f.mod[1], 2);
	EXPECT_ORDER(f.mod[0], "a1,a3,a4");
	EXPECT_ORDER(f.mod[1], "b1,a2,b2,b3");
	for (size_t i = 0; i < 2; i++) {
		replica_sync(rps[i], tokens[i]);
		expect_synced_place(rps[i], f.a[1], "the moved a2", f.mod[1], 2);
		expect_synced_place(rps[i], f.a[2], "a3 (closing the gap)", f.mod[0], 2);
		expect_synced_place(rps[i], f.a[3], "a4 (closing the gap)", f.mod[0], 3);
		expect_synced_place(rps[i], f.b[1], "b2 (making room)", f.mod[1], 3);
		expect_synced_place(rps[i], f.b[2], "b3 (making room)", f.mod[1], 4);
		/* What did not move does not travel again. */
		assert_null(find_change(rps[i], NULL, f.a[0]));
		assert_null(find_change(rps[i], NULL, f.b[0]));
		expect_digests_match(rps[i], tokens[i]);
	}

	/* A no-op (its own module, no position) writes nothing to the feed. */
	move_ok(f.a[1], f.mod[1], 0);
	replica_sync(&staff, OWNER);
	assert_null(find_change(&staff, NULL, f.a[1]));
	replica_free(&staff);
	replica_free(&enrolled);
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
	    cmocka_unit_test(test_item_move_first_middle_last_and_into_empty),
	    cmocka_unit_test(test_item_move_refusals_change_nothing),
	    cmocka_unit_test(test_item_move_permissions),
	    cmocka_unit_test(test_item_move_sync_brings_every_changed_sibling),
	};
	return cmocka_run_group_tests_name("api-item-move", tests, group_setup, group_teardown);
}
