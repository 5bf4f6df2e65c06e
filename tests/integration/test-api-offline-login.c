/* SPDX-License-Identifier: MIT */
/*
 * The server's side of offline sign-in (issue 13, item 3): every answer that carries a
 * token pair (register, log in, refresh, the /sync refresh extension) carries the Lectern
 * extension offline_expires_in (lecternd --offline-login-days, default 14; 0: absent), and
 * POST /users/{id}/sessions/revoke ends every session of a user, which is how an admin
 * takes a kiosk's offline sign-in away (the kiosk wipes its verifier at its next contact).
 * Before it, no call let an admin end another user's sessions: a role change keeps them,
 * a password change ends only the changer's other sessions, and DELETE /users/{id} deletes
 * the user.
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

#define DAYS_14 (14 * 86400)

static struct h_server srv;
static struct h_user root;

/* offline_expires_in of an answer, -1 when absent. */
static double
offline_ttl(const struct h_resp *r)
{
	return h_json_num(r->json, "offline_expires_in", -1);
}

static void
test_token_register_refresh_answers_carry_offline_expires_in(void **state)
{
	struct h_user u;
	struct h_resp r;
	char name[40], *body;

	(void)state;
	h_unique_name("off", name, sizeof(name));
	body = lc_asprintf("{\"username\":\"%s\",\"email\":\"%s@example.org\",\"password\":\"%s\"}",
	                   name, name, H_PASSWORD);
	h_call(&srv, "POST", "/auth/register", NULL, body, NULL, &r);
	free(body);
	H_EXPECT(r, 201);
	assert_true(offline_ttl(&r) == DAYS_14);
	h_resp_free(&r);
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &u), 0);
	body = lc_asprintf("{\"username\":\"%s\",\"password\":\"%s\"}", name, H_PASSWORD);
	h_call(&srv, "POST", "/auth/token", NULL, body, NULL, &r);
	free(body);
	H_EXPECT(r, 200);
	assert_true(offline_ttl(&r) == DAYS_14);
	h_resp_free(&r);
	body = lc_asprintf("{\"refresh_token\":\"%s\"}", u.refresh);
	h_call(&srv, "POST", "/auth/refresh", NULL, body, NULL, &r);
	free(body);
	H_EXPECT(r, 200);
	assert_true(offline_ttl(&r) == DAYS_14);
	h_resp_free(&r);
}

/* A server started with extra arguments and an admin "root". */
static void
other_server(struct h_server *s, const char *const *args, struct h_user *admin)
{
	assert_int_equal(h_server_init(s), 0);
	s->extra_args = args;
	assert_int_equal(h_server_create_user(s, "root", "admin", H_PASSWORD), 0);
	assert_int_equal(h_server_start(s), 0);
	assert_int_equal(h_login(s, "root", H_PASSWORD, admin), 0);
}

static void
test_offline_login_days_sets_or_drops_the_field(void **state)
{
	static const char *const off[] = {"--offline-login-days", "0", NULL};
	static const char *const three[] = {"--offline-login-days", "3", NULL};
	struct h_server s;
	struct h_user admin;
	struct h_resp r;
	char *body;

	(void)state;
	other_server(&s, off, &admin);
	body = lc_asprintf("{\"refresh_token\":\"%s\"}", admin.refresh);
	h_call(&s, "POST", "/auth/refresh", NULL, body, NULL, &r);
	free(body);
	H_EXPECT(r, 200);
	assert_null(cJSON_GetObjectItemCaseSensitive(r.json, "offline_expires_in"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(r.json, "expires_in"));
	h_resp_free(&r);
	assert_int_equal(h_server_down(&s), 0);

	other_server(&s, three, &admin);
	h_call(&s, "POST", "/auth/token", NULL,
	       "{\"username\":\"root\",\"password\":\"" H_PASSWORD "\"}", NULL, &r);
	H_EXPECT(r, 200);
	assert_true(offline_ttl(&r) == 3 * 86400);
	h_resp_free(&r);
	assert_int_equal(h_server_down(&s), 0);
}

static long
refresh_status(const char *refresh_token)
{
	struct h_resp r;
	char *body = lc_asprintf("{\"refresh_token\":\"%s\"}", refresh_token);
	long st;

	h_call(&srv, "POST", "/auth/refresh", NULL, body, NULL, &r);
	free(body);
	st = r.status;
	if (st == 401 && !h_is_error(&r, "authentication_error"))
		st = -1;
	h_resp_free(&r);
	return st;
}

static long
revoke(const char *token, const char *user_id, struct h_resp *r)
{
	return h_callf(&srv, "POST", token, NULL, r, "/users/%s/sessions/revoke", user_id);
}

/* Every session of the user ends: refresh tokens, access tokens, the /sync extension. */
static void
test_revoke_ends_every_session_of_the_user(void **state)
{
	struct h_user a, b;
	struct h_resp r;
	char name[40], header[600];
	const char *extra[] = {header, NULL};

	(void)state;
	h_unique_name("rv", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, "learner", &a), 0);
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &b), 0);
	revoke(root.access, a.id, &r);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	assert_int_equal(refresh_status(a.refresh), 401);
	assert_int_equal(refresh_status(b.refresh), 401);
	h_call(&srv, "GET", "/users/me", b.access, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	/* The /sync refresh extension refuses the revoked token just the same. */
	snprintf(header, sizeof(header), "Lectern-Refresh: %s", a.refresh);
	h_call(&srv, "POST", "/sync", NULL, "{\"cursors\":{}}", extra, &r);
	H_EXPECT(r, 401);
	h_resp_free(&r);
	/* Signing in again works: only the sessions ended, not the account. */
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &b), 0);
	assert_int_equal(refresh_status(b.refresh), 200);
	/* Again: nothing to revoke is still 204. */
	revoke(root.access, a.id, &r);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	revoke(root.access, a.id, &r);
	H_EXPECT(r, 204);
	h_resp_free(&r);
}

/* A department-admin revokes the members they administer, never an admin among them. */
static void
test_dept_admin_revokes_members_but_never_an_admin(void **state)
{
	struct h_user da, member, boss, learner;
	struct h_resp r;
	char dept[H_ID_LEN + 1], name[40], uuid[LC_UUID_LEN + 1];

	(void)state;
	h_unique_name("RVD", name, sizeof(name));
	assert_int_equal(h_make_department(&srv, root.access, name, dept), 0);
	h_unique_name("rvda", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, "learner", &da), 0);
	assert_int_equal(
	    h_grant_department(&srv, root.access, da.id, dept, "[\"department-admin\"]"), 0);
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &da), 0);
	h_unique_name("rvm", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, "learner", &member), 0);
	assert_int_equal(h_grant_department(&srv, root.access, member.id, dept, "[\"instructor\"]"),
	                 0);
	h_unique_name("rvb", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, "learner", &boss), 0);
	assert_int_equal(h_grant_department(&srv, root.access, boss.id, dept, "[\"instructor\"]"),
	                 0);
	h_callf(&srv, "PATCH", root.access, "{\"role\":\"admin\"}", &r, "/users/%s/roles", boss.id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_unique_name("rvl", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, "learner", &learner), 0);

	revoke(da.access, member.id, &r);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	assert_int_equal(refresh_status(member.refresh), 401);
	revoke(da.access, boss.id, &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	assert_int_equal(refresh_status(boss.refresh), 200);
	revoke(learner.access, member.id, &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	lc_uuid_new(uuid);
	revoke(root.access, uuid, &r);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
	revoke(root.access, "not-a-uuid", &r);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
	/* A body is no part of the call: refused whole, nothing revoked. */
	h_callf(&srv, "POST", root.access, "{\"all\":true}", &r, "/users/%s/sessions/revoke",
	        learner.id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	h_resp_free(&r);
	assert_int_equal(refresh_status(learner.refresh), 200);
}

static int
group_setup(void **state)
{
	(void)state;
	if (h_server_up(&srv) != 0)
		return -1;
	return h_login(&srv, "root", H_PASSWORD, &root);
}

static int
group_teardown(void **state)
{
	(void)state;
	return h_server_down(&srv) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_register_refresh_answers_carry_offline_expires_in),
	    cmocka_unit_test(test_offline_login_days_sets_or_drops_the_field),
	    cmocka_unit_test(test_revoke_ends_every_session_of_the_user),
	    cmocka_unit_test(test_dept_admin_revokes_members_but_never_an_admin),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
