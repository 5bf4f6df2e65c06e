/* SPDX-License-Identifier: MIT */
/*
 * /invites (shared/API.md "Auth and users", registration policy; docs/api.md "Invites"):
 * who may make, list and revoke invites (the permission matrix over the eight callers of
 * harness-world), bad input naming every bad key, and what an invite gives its user.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/mem.h"
#include "harness.h"

static struct h_world world;
#define SRV (&world.srv)
#define ADMIN (world.u[H_ADMIN].access)
#define DADMIN (world.u[H_DEPT_ADMIN].access)

/* POST /invites as actor a with json; returns the status, the invite id in id when 201. */
static long
make_invite(enum h_actor a, const char *json, char id[H_ID_LEN + 1])
{
	struct h_resp r;
	h_call(SRV, "POST", "/invites", h_token(&world, a), json, NULL, &r);
	long status = r.status;
	if (status == 201 && id != NULL)
		assert_int_equal(h_copy_id(r.json, "id", id), 0);
	h_resp_free(&r);
	return status;
}

/*
 * Who may make an instructor invite into the course's department: admins and that
 * department's department-admin; everyone else 403 (anonymous 401). A department-admin
 * never makes an admin invite, nor one without a department or for another department.
 */
static void
test_invite_create_matrix(void **state)
{
	(void)state;
	static const long want[H_NACTORS] = {401, 403, 403, 403, 403, 403, 201, 201};
	char *json =
	    lc_asprintf("{\"role\":\"instructor\",\"department_id\":\"%s\"}", world.dept_id);
	for (int a = 0; a < H_NACTORS; a++) {
		long got = make_invite((enum h_actor)a, json, NULL);
		if (got != want[a])
			fail_msg("POST /invites as %s: want %ld, got %ld",
			         h_actor_name((enum h_actor)a), want[a], got);
	}
	free(json);
	json = lc_asprintf("{\"role\":\"admin\",\"department_id\":\"%s\"}", world.dept_id);
	assert_int_equal(make_invite(H_DEPT_ADMIN, json, NULL), 403);
	assert_int_equal(make_invite(H_ADMIN, json, NULL), 201);
	free(json);
	assert_int_equal(make_invite(H_DEPT_ADMIN, "{\"role\":\"learner\"}", NULL), 403);
	char other[H_ID_LEN + 1], code[40];
	h_unique_name("O", code, sizeof(code));
	assert_int_equal(h_make_department(SRV, ADMIN, code, other), 0);
	json = lc_asprintf("{\"role\":\"learner\",\"department_id\":\"%s\"}", other);
	assert_int_equal(make_invite(H_DEPT_ADMIN, json, NULL), 403);
	free(json);
}

/* Bad bodies: every bad or unknown key named at once; nothing is made. */
static void
test_invite_bad_input(void **state)
{
	(void)state;
	struct h_resp r;
	h_call(SRV, "GET", "/invites", ADMIN, NULL, NULL, &r);
	H_EXPECT(r, 200);
	double before = h_json_num(r.json, "total", -1);
	h_resp_free(&r);
	static const struct {
		const char *json, *keys;
	} cases[] = {
	    {"{}", "role"},
	    {"{\"role\":\"owner\"}", "role"},
	    {"{\"role\":\"learner\",\"uses\":0}", "uses"},
	    {"{\"role\":\"learner\",\"uses\":1001}", "uses"},
	    {"{\"role\":\"learner\",\"uses\":1.5}", "uses"},
	    {"{\"role\":\"learner\",\"expires_at\":\"2001-01-01T00:00:00Z\"}", "expires_at"},
	    {"{\"role\":\"learner\",\"expires_at\":\"2999-01-01T00:00:00Z\"}", "expires_at"},
	    {"{\"role\":\"learner\",\"expires_at\":\"tomorrow\"}", "expires_at"},
	    {"{\"role\":\"learner\",\"department_id\":\"nope\"}", "department_id"},
	    {"{\"role\":\"learner\",\"department_id\":\"00000000-0000-4000-8000-000000000000\"}",
	     "department_id"},
	    {"{\"role\":\"learner\",\"code\":\"mine\",\"colour\":1}", "code,colour"},
	    {"{\"uses\":\"2\",\"bogus\":true}", "bogus"},
	    {"[]", "body,role"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		h_call(SRV, "POST", "/invites", ADMIN, cases[i].json, NULL, &r);
		H_EXPECT_ERROR(r, 400, "invalid_request_error");
		if (!h_invalid_params_are(&r, cases[i].keys))
			fail_msg("%s: want %s, got %s", cases[i].json, cases[i].keys,
			         h_error_message(&r));
		h_resp_free(&r);
	}
	h_call(SRV, "GET", "/invites?colour=red", ADMIN, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "colour"));
	h_resp_free(&r);
	h_call(SRV, "GET", "/invites", ADMIN, NULL, NULL, &r);
	assert_true(h_json_num(r.json, "total", -1) == before);
	h_resp_free(&r);
}

/*
 * GET lists what the caller may manage, never a code; DELETE revokes. A department-admin
 * sees the invites of their department, not the admin's department-less ones; others are
 * refused (403 to list, 404 to revoke: they may not know it exists).
 */
static void
test_invite_list_and_revoke(void **state)
{
	(void)state;
	char mine[H_ID_LEN + 1], admins[H_ID_LEN + 1];
	char *json = lc_asprintf("{\"role\":\"learner\",\"department_id\":\"%s\",\"uses\":3}",
	                         world.dept_id);
	assert_int_equal(make_invite(H_DEPT_ADMIN, json, mine), 201);
	free(json);
	assert_int_equal(make_invite(H_ADMIN, "{\"role\":\"instructor\"}", admins), 201);
	struct h_resp r;
	h_call(SRV, "GET", "/invites?limit=100", DADMIN, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_true(h_list_has(&r, mine));
	assert_false(h_list_has(&r, admins));
	const cJSON *item;
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(r.json, "items"))
	{
		assert_null(cJSON_GetObjectItem(item, "code"));
		assert_non_null(h_json_str(item, "expires_at"));
	}
	h_resp_free(&r);
	h_call(SRV, "GET", "/invites?limit=100", ADMIN, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_true(h_list_has(&r, mine) && h_list_has(&r, admins));
	h_resp_free(&r);
	for (int a = H_ANON; a <= H_CONTENT_ADMIN; a++) {
		h_call(SRV, "GET", "/invites", h_token(&world, (enum h_actor)a), NULL, NULL, &r);
		assert_int_equal(r.status, a == H_ANON ? 401 : 403);
		h_resp_free(&r);
		h_callf(SRV, "DELETE", h_token(&world, (enum h_actor)a), NULL, &r, "/invites/%s",
		        mine);
		assert_int_equal(r.status, a == H_ANON ? 401 : 404);
		h_resp_free(&r);
	}
	h_callf(SRV, "DELETE", DADMIN, NULL, &r, "/invites/%s", admins);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
	h_callf(SRV, "DELETE", DADMIN, NULL, &r, "/invites/%s", mine);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(SRV, "DELETE", ADMIN, NULL, &r, "/invites/%s", mine);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
	h_callf(SRV, "DELETE", ADMIN, NULL, &r, "/invites/%s", admins);
	H_EXPECT(r, 204);
	h_resp_free(&r);
}

/* The code is shown once, in the 201, with the invite's fields. */
static void
test_invite_answer_shape(void **state)
{
	(void)state;
	struct h_resp r;
	char when[LC_RFC3339_LEN + 1];
	lc_rfc3339(lc_now() + 3 * 24 * 3600, when);
	char *json = lc_asprintf("{\"role\":\"learner\",\"uses\":2,\"expires_at\":\"%s\"}", when);
	h_call(SRV, "POST", "/invites", ADMIN, json, NULL, &r);
	free(json);
	H_EXPECT(r, 201);
	const char *code = h_json_str(r.json, "code");
	assert_non_null(code);
	assert_true(strlen(code) >= 20);
	assert_string_equal(h_json_str(r.json, "role"), "learner");
	assert_int_equal((int)h_json_num(r.json, "uses", 0), 2);
	assert_int_equal((int)h_json_num(r.json, "used", -1), 0);
	assert_string_equal(h_json_str(r.json, "expires_at"), when);
	assert_string_equal(h_json_str(r.json, "created_by"), world.u[H_ADMIN].id);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r.json, "department_id")));
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
	    cmocka_unit_test(test_invite_create_matrix),
	    cmocka_unit_test(test_invite_bad_input),
	    cmocka_unit_test(test_invite_list_and_revoke),
	    cmocka_unit_test(test_invite_answer_shape),
	};
	return cmocka_run_group_tests_name("api-invites", tests, group_setup, group_teardown);
}
