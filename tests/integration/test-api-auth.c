/* SPDX-License-Identifier: MIT */
/*
 * Auth and users (shared/API.md "Auth and users", "Departments"): registration and its
 * validation, login, refresh rotation, logout, password change revoking other sessions, the
 * own user, public profiles, the users list, role changes, deleting a user, and departments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "harness.h"

static struct h_server srv;
static struct h_user root;

static bool
is_rfc3339_utc(const char *s)
{
	int64_t t;
	return s != NULL && strlen(s) == LC_RFC3339_LEN && s[LC_RFC3339_LEN - 1] == 'Z' &&
	       lc_rfc3339_parse(s, &t) == 0;
}

static long
post_json(const char *path, const char *token, const char *json, struct h_resp *r)
{
	h_call(&srv, "POST", path, token, json, NULL, r);
	return r->status;
}

static void
test_register_returns_user_and_tokens(void **state)
{
	(void)state;
	char name[40];
	h_unique_name("reg", name, sizeof(name));
	/* An instructor signs up with an invite (the default policy, learners). */
	char code[64];
	assert_int_equal(
	    h_invite(&srv, root.access, "{\"role\":\"instructor\"}", code, sizeof(code)), 0);
	char *json = lc_asprintf("{\"username\":\"%s\",\"email\":\"%s@example.org\","
	                         "\"password\":\"%s\",\"first_name\":\"Ada\",\"last_name\":"
	                         "\"Lovelace\",\"role\":\"instructor\",\"invite_code\":\"%s\"}",
	                         name, name, H_PASSWORD, code);
	struct h_resp r;
	post_json("/auth/register", NULL, json, &r);
	free(json);
	H_EXPECT(r, 201);
	assert_string_equal(h_json_str(r.json, "user.username"), name);
	assert_string_equal(h_json_str(r.json, "user.first_name"), "Ada");
	assert_string_equal(h_json_str(r.json, "user.last_name"), "Lovelace");
	assert_string_equal(h_json_str(r.json, "user.role"), "instructor");
	assert_true(lc_uuid_valid(h_json_str(r.json, "user.id")));
	assert_int_equal((int)h_json_num(r.json, "user.rev", 0), 1);
	assert_true(is_rfc3339_utc(h_json_str(r.json, "user.created_at")));
	assert_true(is_rfc3339_utc(h_json_str(r.json, "user.updated_at")));
	assert_null(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(r.json, "user"), "password"));
	assert_non_null(h_json_str(r.json, "access_token"));
	assert_non_null(h_json_str(r.json, "refresh_token"));
	assert_int_equal((int)h_json_num(r.json, "expires_in", 0), 15 * 60);
	assert_string_equal(h_json_str(r.json, "token_type"), "Bearer");
	h_resp_free(&r);
	/* Default role is learner. */
	struct h_user u;
	h_unique_name("plain", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	h_call(&srv, "GET", "/users/me", u.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "role"), "learner");
	h_resp_free(&r);
}

static void
test_register_validation(void **state)
{
	(void)state;
	struct h_resp r;
	post_json("/auth/register", NULL,
	          "{\"username\":\"a b\",\"email\":\"not-an-email\",\"password\":\"short\"}", &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "username,email,password"))
		fail_msg("%s", h_error_message(&r));
	h_resp_free(&r);
	post_json("/auth/register", NULL, "{}", &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "username,email,password"))
		fail_msg("%s", h_error_message(&r));
	h_resp_free(&r);
	char name[40];
	h_unique_name("r", name, sizeof(name));
	/* Nobody registers themselves as admin. */
	char *json = lc_asprintf("{\"username\":\"%s\",\"email\":\"%s@example.org\",\"password\":"
	                         "\"%s\",\"role\":\"admin\"}",
	                         name, name, H_PASSWORD);
	post_json("/auth/register", NULL, json, &r);
	free(json);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "role"));
	h_resp_free(&r);
	/* Lengths: username 3..32, password 8..128. */
	char longname[40] = "abcdefghijabcdefghijabcdefghijabc"; /* 33 */
	char pw[140];
	memset(pw, 'p', 129);
	pw[129] = '\0';
	json =
	    lc_asprintf("{\"username\":\"%s\",\"email\":\"x%s@example.org\",\"password\":\"%s\"}",
	                longname, name, pw);
	post_json("/auth/register", NULL, json, &r);
	free(json);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "username,password"))
		fail_msg("%s", h_error_message(&r));
	h_resp_free(&r);
}

static void
test_register_duplicates_409(void **state)
{
	(void)state;
	char name[40], other[40];
	struct h_user u;
	h_unique_name("dup", name, sizeof(name));
	h_unique_name("dup2", other, sizeof(other));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	struct h_resp r;
	char *json = lc_asprintf("{\"username\":\"%s\",\"email\":\"%s@example.org\",\"password\":"
	                         "\"%s\"}",
	                         name, other, H_PASSWORD);
	post_json("/auth/register", NULL, json, &r);
	free(json);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	json = lc_asprintf("{\"username\":\"%s\",\"email\":\"%s@example.org\",\"password\":\"%s\"}",
	                   other, name, H_PASSWORD);
	post_json("/auth/register", NULL, json, &r);
	free(json);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	/* Usernames are unique ignoring case (docs/api.md); login ignores case too. */
	char upper[40];
	snprintf(upper, sizeof(upper), "%s", name);
	for (char *p = upper; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	json =
	    lc_asprintf("{\"username\":\"%s\",\"email\":\"z%s@example.org\",\"password\":\"%s\"}",
	                upper, other, H_PASSWORD);
	post_json("/auth/register", NULL, json, &r);
	free(json);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	struct h_user again;
	assert_int_equal(h_login(&srv, upper, H_PASSWORD, &again), 0);
	assert_string_equal(again.id, u.id);
}

static void
test_token_login(void **state)
{
	(void)state;
	struct h_user u, again;
	char name[40];
	h_unique_name("login", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &again), 0);
	assert_string_equal(again.id, u.id);
	assert_string_not_equal(again.access, u.access);
	struct h_resp r;
	char *json = lc_asprintf("{\"username\":\"%s\",\"password\":\"not-it-at-all\"}", name);
	post_json("/auth/token", NULL, json, &r);
	free(json);
	H_EXPECT_ERROR(r, 401, "login_error");
	h_resp_free(&r);
}

static void
test_refresh_rotation(void **state)
{
	(void)state;
	struct h_user u;
	char name[40];
	h_unique_name("rot", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	char *json = lc_asprintf("{\"refresh_token\":\"%s\"}", u.refresh);
	struct h_resp r;
	post_json("/auth/refresh", NULL, json, &r);
	H_EXPECT(r, 200);
	const char *access = h_json_str(r.json, "access_token");
	const char *refresh = h_json_str(r.json, "refresh_token");
	assert_non_null(access);
	assert_non_null(refresh);
	assert_string_not_equal(refresh, u.refresh);
	assert_int_equal((int)h_json_num(r.json, "expires_in", 0), 15 * 60);
	char *access2 = lc_strdup(access), *refresh2 = lc_strdup(refresh);
	h_resp_free(&r);
	/* The new access token works. */
	h_call(&srv, "GET", "/users/me", access2, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "id"), u.id);
	h_resp_free(&r);
	/* A garbage refresh token is refused; the rotated one works. */
	post_json("/auth/refresh", NULL, "{\"refresh_token\":\"garbage\"}", &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	char *json2 = lc_asprintf("{\"refresh_token\":\"%s\"}", refresh2);
	post_json("/auth/refresh", NULL, json2, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	/* The old refresh token stops working (and, reused, ends the session: see below). */
	post_json("/auth/refresh", NULL, json, &r);
	free(json);
	free(json2);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	post_json("/auth/refresh", NULL, "{}", &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "refresh_token"));
	h_resp_free(&r);
	free(access2);
	free(refresh2);
}

static void
test_logout_revokes_refresh(void **state)
{
	(void)state;
	struct h_user u;
	char name[40];
	h_unique_name("out", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	struct h_resp r;
	h_call(&srv, "POST", "/auth/logout", u.access, NULL, NULL, &r);
	H_EXPECT(r, 204);
	assert_int_equal(r.body_len, 0);
	h_resp_free(&r);
	/* The session ends at once: its access token too (docs/api.md). */
	h_call(&srv, "GET", "/users/me", u.access, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	char *json = lc_asprintf("{\"refresh_token\":\"%s\"}", u.refresh);
	post_json("/auth/refresh", NULL, json, &r);
	free(json);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
}

static void
test_password_change_revokes_other_sessions(void **state)
{
	(void)state;
	struct h_user s1, s2;
	char name[40];
	h_unique_name("pw", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &s1), 0);
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &s2), 0);
	struct h_resp r;
	/* New must differ from old. */
	post_json("/users/me/password", s1.access,
	          "{\"old_password\":\"" H_PASSWORD "\",\"new_password\":\"" H_PASSWORD "\"}", &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "new_password"));
	h_resp_free(&r);
	/* A wrong old password changes nothing. */
	post_json("/users/me/password", s1.access,
	          "{\"old_password\":\"wrong-old-pw\",\"new_password\":\"brand-new-pw-1\"}", &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "old_password"));
	h_resp_free(&r);
	post_json("/users/me/password", s1.access,
	          "{\"old_password\":\"" H_PASSWORD "\",\"new_password\":\"brand-new-pw-2\"}", &r);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	/* This session goes on; the other one is revoked, access and refresh alike. */
	h_call(&srv, "GET", "/users/me", s1.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_call(&srv, "GET", "/users/me", s2.access, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	char *json = lc_asprintf("{\"refresh_token\":\"%s\"}", s2.refresh);
	post_json("/auth/refresh", NULL, json, &r);
	free(json);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	/* The old password is gone, the new one works. */
	struct h_user s3;
	char *old = lc_asprintf("{\"username\":\"%s\",\"password\":\"%s\"}", name, H_PASSWORD);
	post_json("/auth/token", NULL, old, &r);
	free(old);
	H_EXPECT_ERROR(r, 401, "login_error");
	h_resp_free(&r);
	assert_int_equal(h_login(&srv, name, "brand-new-pw-2", &s3), 0);
}

static void
test_users_me_get_and_patch(void **state)
{
	(void)state;
	struct h_user u;
	char name[40];
	h_unique_name("me", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	struct h_resp r;
	h_call(&srv, "GET", "/users/me", u.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	const char *keys[] = {"id",   "username",    "email", "first_name", "last_name", "bio",
	                      "role", "departments", "rev",   "created_at", "updated_at"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!cJSON_HasObjectItem(r.json, keys[i]))
			fail_msg("GET /users/me lacks %s: %s", keys[i], r.body);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(r.json, "departments")));
	assert_string_equal(h_json_str(r.json, "username"), name);
	h_resp_free(&r);
	char email[80];
	h_unique_name("new", email, sizeof(email));
	char *json = lc_asprintf("{\"first_name\":\"Grace\",\"last_name\":\"Hopper\",\"bio\":"
	                         "\"Compilers.\",\"email\":\"%s@example.net\"}",
	                         email);
	h_call(&srv, "PATCH", "/users/me", u.access, json, NULL, &r);
	free(json);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "first_name"), "Grace");
	assert_string_equal(h_json_str(r.json, "bio"), "Compilers.");
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 2);
	h_resp_free(&r);
	h_call(&srv, "PATCH", "/users/me", u.access, "{\"email\":\"nope\",\"bio\":7}", NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "email,bio"))
		fail_msg("%s", h_error_message(&r));
	h_resp_free(&r);
	/* Not allowed to promote oneself through /users/me: role is not a field of it. */
	h_call(&srv, "PATCH", "/users/me", u.access, "{\"role\":\"admin\"}", NULL, &r);
	h_resp_free(&r);
	h_call(&srv, "GET", "/users/me", u.access, NULL, NULL, &r);
	assert_string_equal(h_json_str(r.json, "role"), "learner");
	h_resp_free(&r);
}

static void
test_public_profile(void **state)
{
	(void)state;
	struct h_user u;
	char name[40];
	h_unique_name("prof", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	struct h_resp r;
	h_callf(&srv, "GET", NULL, NULL, &r, "/users/%s/profile", u.id);
	H_EXPECT(r, 200);
	const char *keys[] = {"id",        "username", "first_name",
	                      "last_name", "bio",      "completed_courses"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!cJSON_HasObjectItem(r.json, keys[i]))
			fail_msg("profile lacks %s: %s", keys[i], r.body);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(r.json, "completed_courses")));
	/* Public: no email, no role details that are private. */
	assert_false(cJSON_HasObjectItem(r.json, "email"));
	h_resp_free(&r);
	/* Public means no token needed; a bad token is still refused (docs/api.md). */
	const char *bad[] = {"Authorization: Bearer forged.token.value", NULL};
	char *path = lc_asprintf(H_API "/users/%s/profile", u.id);
	h_request(&srv, "GET", path, bad, NULL, 0, &r);
	free(path);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
}

static void
test_users_list_and_roles(void **state)
{
	(void)state;
	struct h_user u;
	char name[40];
	h_unique_name("listed", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	struct h_resp r;
	h_callf(&srv, "GET", root.access, NULL, &r, "/users?search=%s", name);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	cJSON *items = cJSON_GetObjectItem(r.json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 1);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(items, 0), "id"), u.id);
	h_resp_free(&r);
	/* Promote to instructor. */
	h_callf(&srv, "PATCH", root.access, "{\"role\":\"instructor\"}", &r, "/users/%s/roles",
	        u.id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "role"), "instructor");
	h_resp_free(&r);
	h_callf(&srv, "GET", root.access, NULL, &r, "/users?role=instructor&search=%s", name);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	h_resp_free(&r);
	h_callf(&srv, "GET", root.access, NULL, &r, "/users?role=learner&search=%s", name);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 0);
	h_resp_free(&r);
	/* A department membership appears on the user. */
	char dept[H_ID_LEN + 1], code[40];
	h_unique_name("R", code, sizeof(code));
	assert_int_equal(h_make_department(&srv, root.access, code, dept), 0);
	assert_int_equal(h_grant_department(&srv, root.access, u.id, dept, "[\"content-admin\"]"),
	                 0);
	h_call(&srv, "GET", "/users/me", u.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	cJSON *deps = cJSON_GetObjectItem(r.json, "departments");
	assert_int_equal(cJSON_GetArraySize(deps), 1);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(deps, 0), "department_id"), dept);
	cJSON *roles = cJSON_GetObjectItem(cJSON_GetArrayItem(deps, 0), "roles");
	assert_int_equal(cJSON_GetArraySize(roles), 1);
	assert_string_equal(cJSON_GetArrayItem(roles, 0)->valuestring, "content-admin");
	h_resp_free(&r);
	/* Bad role values. */
	h_callf(&srv, "PATCH", root.access, "{\"role\":\"emperor\"}", &r, "/users/%s/roles", u.id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "role"));
	h_resp_free(&r);
}

static void
test_delete_user(void **state)
{
	(void)state;
	struct h_user u, v;
	char name[40], name2[40];
	h_unique_name("gone", name, sizeof(name));
	h_unique_name("gone2", name2, sizeof(name2));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	assert_int_equal(h_register(&srv, name2, NULL, &v), 0);
	struct h_resp r;
	/* Self. */
	h_callf(&srv, "DELETE", u.access, NULL, &r, "/users/%s", u.id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(&srv, "GET", NULL, NULL, &r, "/users/%s/profile", u.id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_string_equal(h_error_message(&r), "That user does not exist");
	h_resp_free(&r);
	char *json = lc_asprintf("{\"username\":\"%s\",\"password\":\"%s\"}", name, H_PASSWORD);
	post_json("/auth/token", NULL, json, &r);
	free(json);
	H_EXPECT_ERROR(r, 401, "login_error");
	h_resp_free(&r);
	h_call(&srv, "GET", "/users/me", u.access, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	/* Admin. */
	h_callf(&srv, "DELETE", root.access, NULL, &r, "/users/%s", v.id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(&srv, "DELETE", root.access, NULL, &r, "/users/%s", v.id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
}

static void
test_departments_crud(void **state)
{
	(void)state;
	char code[40], parent[H_ID_LEN + 1];
	h_unique_name("P", code, sizeof(code));
	assert_int_equal(h_make_department(&srv, root.access, code, parent), 0);
	struct h_resp r;
	char *json =
	    lc_asprintf("{\"name\":\"Child\",\"code\":\"C%s\",\"parent_id\":\"%s\"}", code, parent);
	h_call(&srv, "POST", "/departments", root.access, json, NULL, &r);
	free(json);
	H_EXPECT(r, 201);
	char child[H_ID_LEN + 1];
	assert_int_equal(h_copy_id(r.json, "id", child), 0);
	assert_string_equal(h_json_str(r.json, "parent_id"), parent);
	assert_string_equal(h_json_str(r.json, "name"), "Child");
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 1);
	h_resp_free(&r);
	h_call(&srv, "GET", "/departments", root.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_true(h_json_num(r.json, "total", 0) >= 2);
	h_resp_free(&r);
	h_callf(&srv, "GET", root.access, NULL, &r, "/departments/%s", child);
	H_EXPECT(r, 200);
	char child_code[48];
	snprintf(child_code, sizeof(child_code), "C%s", code);
	assert_string_equal(h_json_str(r.json, "code"), child_code);
	h_resp_free(&r);
	h_callf(&srv, "PATCH", root.access, "{\"name\":\"Renamed child\"}", &r, "/departments/%s",
	        child);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "name"), "Renamed child");
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 2);
	h_resp_free(&r);
	/* Duplicate code is a unique value. */
	json = lc_asprintf("{\"name\":\"Again\",\"code\":\"%s\"}", code);
	h_call(&srv, "POST", "/departments", root.access, json, NULL, &r);
	free(json);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	h_call(&srv, "POST", "/departments", root.access, "{\"code\":5}", NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	if (!h_invalid_params_are(&r, "name,code"))
		fail_msg("%s", h_error_message(&r));
	h_resp_free(&r);
	h_callf(&srv, "DELETE", root.access, NULL, &r, "/departments/%s", child);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(&srv, "GET", root.access, NULL, &r, "/departments/%s", child);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_string_equal(h_error_message(&r), "That department does not exist");
	h_resp_free(&r);
}

static void
test_restart_keeps_users_and_sessions(void **state)
{
	(void)state;
	struct h_user u;
	char name[40];
	h_unique_name("keep", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	assert_int_equal(h_server_stop(&srv), 0); /* SIGTERM stops it cleanly */
	assert_int_equal(h_server_start(&srv), 0);
	struct h_resp r;
	h_call(&srv, "GET", "/users/me", u.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	/* A killed server comes back with everything committed before the kill. */
	h_server_kill(&srv);
	assert_int_equal(h_server_start(&srv), 0);
	struct h_user again;
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &again), 0);
	assert_string_equal(again.id, u.id);
}

/* docs/api.md: a successful login clears the failure count. */
static void
test_success_clears_failures(void **state)
{
	(void)state;
	struct h_user u, ok;
	char name[40];
	h_unique_name("forgetful", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	char *wrong = lc_asprintf("{\"username\":\"%s\",\"password\":\"wrong-password\"}", name);
	struct h_resp r;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 9; i++) {
			post_json("/auth/token", NULL, wrong, &r);
			H_EXPECT_ERROR(r, 401, "login_error");
			assert_string_equal(h_error_message(&r), "Wrong username or password");
			h_resp_free(&r);
		}
		assert_int_equal(h_login(&srv, name, H_PASSWORD, &ok), 0);
	}
	free(wrong);
}

/* docs/api.md: deleting a department unlinks its courses and its children. */
static void
test_department_delete_unlinks(void **state)
{
	(void)state;
	char code[40], dept[H_ID_LEN + 1];
	h_unique_name("U", code, sizeof(code));
	assert_int_equal(h_make_department(&srv, root.access, code, dept), 0);
	struct h_resp r;
	char *json =
	    lc_asprintf("{\"name\":\"Kid\",\"code\":\"K%s\",\"parent_id\":\"%s\"}", code, dept);
	post_json("/departments", root.access, json, &r);
	free(json);
	H_EXPECT(r, 201);
	char child[H_ID_LEN + 1];
	h_copy_id(r.json, "id", child);
	h_resp_free(&r);
	struct h_course c;
	assert_int_equal(h_make_course(&srv, root.access, dept, false, &c), 0);
	h_callf(&srv, "DELETE", root.access, NULL, &r, "/departments/%s", dept);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(&srv, "GET", root.access, NULL, &r, "/courses/%s", c.id);
	H_EXPECT(r, 200);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r.json, "department_id")));
	assert_int_equal((int)h_json_num(r.json, "rev", 0), 2);
	h_resp_free(&r);
	h_callf(&srv, "GET", root.access, NULL, &r, "/departments/%s", child);
	H_EXPECT(r, 200);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r.json, "parent_id")));
	h_resp_free(&r);
}

/*
 * Security review 2026-11-29, L5: reusing a rotated refresh token revokes the whole login
 * session, so the token it was rotated into (held by the thief or by the owner) and the
 * session's access tokens stop working too. Other sessions of the user go on.
 */
static void
test_refresh_reuse_revokes_session(void **state)
{
	(void)state;
	struct h_user u, other;
	char name[40];
	h_unique_name("reuse", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &other), 0);
	char *r1 = lc_asprintf("{\"refresh_token\":\"%s\"}", u.refresh);
	struct h_resp r;
	post_json("/auth/refresh", NULL, r1, &r);
	H_EXPECT(r, 200);
	char *r2 = lc_asprintf("{\"refresh_token\":\"%s\"}", h_json_str(r.json, "refresh_token"));
	char *access2 = lc_strdup(h_json_str(r.json, "access_token"));
	h_resp_free(&r);
	/* R2 rotates once more: R1 is now two generations old and still recognised. */
	post_json("/auth/refresh", NULL, r2, &r);
	H_EXPECT(r, 200);
	char *r3 = lc_asprintf("{\"refresh_token\":\"%s\"}", h_json_str(r.json, "refresh_token"));
	h_resp_free(&r);
	post_json("/auth/refresh", NULL, r1, &r); /* the replay */
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	post_json("/auth/refresh", NULL, r3, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	h_call(&srv, "GET", "/users/me", access2, NULL, NULL, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	h_call(&srv, "GET", "/users/me", other.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	free(r1);
	free(r2);
	free(r3);
	free(access2);
}

/*
 * Security review 2026-11-29, L6: /auth answers hold tokens, so they never go into the
 * idempotency table: the same Idempotency-Key on a login (sent with a valid bearer, which
 * made the key count before) gives a fresh session each time, never a replay.
 */
static void
test_auth_routes_never_replay(void **state)
{
	(void)state;
	struct h_user u;
	char name[40], key[64], hk[96];
	h_unique_name("idem", name, sizeof(name));
	h_unique_name("k", key, sizeof(key));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	snprintf(hk, sizeof(hk), "Idempotency-Key: %s", key);
	const char *hdrs[] = {hk, NULL};
	char *login = lc_asprintf("{\"username\":\"%s\",\"password\":\"%s\"}", name, H_PASSWORD);
	char *refresh = lc_asprintf("{\"refresh_token\":\"%s\"}", u.refresh);
	struct h_resp a, b, c, d;
	char hv[16];
	h_call(&srv, "POST", "/auth/token", u.access, login, hdrs, &a);
	h_call(&srv, "POST", "/auth/token", u.access, login, hdrs, &b);
	H_EXPECT(a, 200);
	H_EXPECT(b, 200);
	assert_null(h_resp_header(&b, "Idempotent-Replayed", hv, sizeof(hv)));
	assert_string_not_equal(h_json_str(a.json, "refresh_token"),
	                        h_json_str(b.json, "refresh_token"));
	h_call(&srv, "POST", "/auth/refresh", u.access, refresh, hdrs, &c);
	h_call(&srv, "POST", "/auth/refresh", u.access, refresh, hdrs, &d);
	H_EXPECT(c, 200);
	/* Spent, not replayed: within the refresh grace it rotates again (a new pair, the
	 * answer not marked replayed); past it, or with --refresh-grace 0, it is reuse. */
	H_EXPECT(d, 200);
	assert_null(h_resp_header(&d, "Idempotent-Replayed", hv, sizeof(hv)));
	assert_string_not_equal(h_json_str(c.json, "refresh_token"),
	                        h_json_str(d.json, "refresh_token"));
	h_resp_free(&a);
	h_resp_free(&b);
	h_resp_free(&c);
	h_resp_free(&d);
	free(login);
	free(refresh);
}

/* Ten wrong passwords for name from the current h_source_address. */
static void
fail_ten(const char *name)
{
	char *wrong = lc_asprintf("{\"username\":\"%s\",\"password\":\"wrong-password\"}", name);
	struct h_resp r;
	for (int i = 0; i < 10; i++) {
		post_json("/auth/token", NULL, wrong, &r);
		H_EXPECT_ERROR(r, 401, "login_error");
		h_resp_free(&r);
	}
	free(wrong);
}

/*
 * Security review 2026-11-29, L4 (and API.md's 429 rule): ten failures lock the (username,
 * address) pair out, 429 with Retry-After even with the right password and for the
 * username in another case; the failures are kept in the database, so a restart does not
 * forgive them.
 */
static void
test_login_throttle_survives_restart(void **state)
{
	(void)state;
	struct h_user u;
	char name[40], upper[40];
	h_unique_name("locked", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	fail_ten(name);
	snprintf(upper, sizeof(upper), "%s", name);
	upper[0] = (char)(upper[0] - 'a' + 'A');
	char *right = lc_asprintf("{\"username\":\"%s\",\"password\":\"%s\"}", upper, H_PASSWORD);
	struct h_resp r;
	char retry[16];
	post_json("/auth/token", NULL, right, &r);
	H_EXPECT_ERROR(r, 429, "rate_limit_error");
	assert_non_null(h_resp_header(&r, "Retry-After", retry, sizeof(retry)));
	assert_true(strtol(retry, NULL, 10) >= 1 && strtol(retry, NULL, 10) <= 900);
	h_resp_free(&r);
	assert_int_equal(h_server_restart(&srv), 0);
	post_json("/auth/token", NULL, right, &r);
	H_EXPECT_ERROR(r, 429, "rate_limit_error");
	h_resp_free(&r);
	free(right);
}

/*
 * Security review 2026-11-29, M4: the throttle counts per (username, client address), so
 * ten failures from an attacker's address (127.0.0.2) do not lock the owner out when they
 * log in from their own (127.0.0.1). Needs lecternd to fill req->client_ip from the
 * connection (http.c).
 */
static void
test_login_throttle_spares_other_addresses(void **state)
{
	(void)state;
	struct h_user u, ok;
	char name[40];
	h_unique_name("victim", name, sizeof(name));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	h_source_address = "127.0.0.2";
	fail_ten(name);
	char *right = lc_asprintf("{\"username\":\"%s\",\"password\":\"%s\"}", name, H_PASSWORD);
	struct h_resp r;
	post_json("/auth/token", NULL, right, &r);
	H_EXPECT_ERROR(r, 429, "rate_limit_error");
	h_resp_free(&r);
	free(right);
	h_source_address = NULL;
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &ok), 0);
}

/*
 * Security review 2026-11-29, M4 and H2: /auth and the password change cannot be pushed
 * through /sync (one request could run argon2 hundreds of times and aim the throttle at
 * anyone): each such item answers 400 naming "path", and nothing is counted against the
 * named account.
 */
static void
test_sync_push_refuses_auth(void **state)
{
	(void)state;
	struct h_user u, victim, ok;
	char name[40], vname[40];
	h_unique_name("pusher", name, sizeof(name));
	h_unique_name("target", vname, sizeof(vname));
	assert_int_equal(h_register(&srv, name, NULL, &u), 0);
	assert_int_equal(h_register(&srv, vname, NULL, &victim), 0);
	struct lc_buf b = {0};
	lc_buf_printf(&b, "{\"client_id\":\"%s\",\"cursors\":{},\"push\":[", u.id);
	for (int i = 0; i < 12; i++)
		lc_buf_printf(
		    &b,
		    "{\"key\":\"t%d\",\"method\":\"POST\",\"path\":\"/api/v1/auth/token\","
		    "\"body\":{\"username\":\"%s\",\"password\":\"nope-nope\"}},",
		    i, vname);
	lc_buf_printf(&b,
	              "{\"key\":\"reg\",\"method\":\"POST\",\"path\":\"/api/v1/auth/register\","
	              "\"body\":{\"username\":\"x%s\",\"email\":\"x%s@example.org\","
	              "\"password\":\"%s\"}},",
	              name, name, H_PASSWORD);
	lc_buf_printf(&b,
	              "{\"key\":\"pw\",\"method\":\"POST\",\"path\":\"/api/v1/users/me/password\","
	              "\"body\":{\"old_password\":\"%s\",\"new_password\":\"another-pass-1\"}}]}",
	              H_PASSWORD);
	struct h_resp r;
	post_json("/sync", u.access, lc_buf_str(&b), &r);
	lc_buf_finish(&b);
	H_EXPECT(r, 200);
	const cJSON *push = cJSON_GetObjectItem(r.json, "push"), *item;
	assert_int_equal(cJSON_GetArraySize(push), 14);
	cJSON_ArrayForEach(item, push)
	{
		assert_int_equal((int)h_json_num(item, "status", 0), 400);
		assert_string_equal(h_json_str(item, "body.error.message"),
		                    "Invalid parameters: path");
	}
	h_resp_free(&r);
	assert_int_equal(h_login(&srv, vname, H_PASSWORD, &ok), 0);
	assert_int_equal(h_login(&srv, name, H_PASSWORD, &ok), 0); /* password unchanged */
}

/* Registers name on s with the given extra body text; returns the status. */
static long
register_on(struct h_server *s, const char *name, const char *extra, struct h_resp *r)
{
	char *json = lc_asprintf("{\"username\":\"%s\",\"email\":\"%s@example.org\",\"password\":"
	                         "\"%s\"%s}",
	                         name, name, H_PASSWORD, extra);
	h_call(s, "POST", "/auth/register", NULL, json, NULL, r);
	free(json);
	return r->status;
}

/*
 * API.md "Auth and users", registration policy (default learners): a learner signs up
 * freely; an instructor needs a valid invite_code; an invite is spent after its uses, and
 * a revoked one no longer works. Bad codes and role mismatches change nothing.
 */
static void
test_registration_learners_policy(void **state)
{
	(void)state;
	char name[40], code[64], extra[128];
	struct h_resp r;
	h_unique_name("selfi", name, sizeof(name));
	register_on(&srv, name, ",\"role\":\"instructor\"", &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	register_on(&srv, name, ",\"role\":\"instructor\",\"invite_code\":\"not-a-code\"", &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	/* Nothing was made: the name is still free, and a learner takes it. */
	struct h_user learner;
	assert_int_equal(h_register(&srv, name, "learner", &learner), 0);
	/* A one-use instructor invite: a learner role in the body does not match it. */
	assert_int_equal(
	    h_invite(&srv, root.access, "{\"role\":\"instructor\"}", code, sizeof(code)), 0);
	h_unique_name("inv", name, sizeof(name));
	snprintf(extra, sizeof(extra), ",\"role\":\"learner\",\"invite_code\":\"%s\"", code);
	register_on(&srv, name, extra, &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	snprintf(extra, sizeof(extra), ",\"invite_code\":\"%s\"", code);
	register_on(&srv, name, extra, &r);
	H_EXPECT(r, 201);
	assert_string_equal(h_json_str(r.json, "user.role"), "instructor");
	h_resp_free(&r);
	h_unique_name("inv", name, sizeof(name));
	register_on(&srv, name, extra, &r); /* spent */
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	/* Revoked before use. */
	assert_int_equal(
	    h_invite(&srv, root.access, "{\"role\":\"instructor\",\"uses\":5}", code, sizeof(code)),
	    0);
	h_call(&srv, "GET", "/invites", root.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "items"), 0);
	assert_null(cJSON_GetObjectItem(first, "code"));
	assert_int_equal((int)h_json_num(first, "uses", 0), 5);
	char id[H_ID_LEN + 1];
	assert_int_equal(h_copy_id(first, "id", id), 0);
	h_resp_free(&r);
	h_callf(&srv, "DELETE", root.access, NULL, &r, "/invites/%s", id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	snprintf(extra, sizeof(extra), ",\"invite_code\":\"%s\"", code);
	register_on(&srv, name, extra, &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
}

/* Starts a second server with extra lecternd arguments and an admin "root". */
static void
other_server(struct h_server *s, const char *const *args, struct h_user *admin)
{
	assert_int_equal(h_server_init(s), 0);
	s->extra_args = args;
	assert_int_equal(h_server_create_user(s, "root", "admin", H_PASSWORD), 0);
	assert_int_equal(h_server_start(s), 0);
	assert_int_equal(h_login(s, "root", H_PASSWORD, admin), 0);
}

/*
 * API.md registration policy, the other three values: open (anyone, instructors too),
 * invite (every sign-up needs a code; the invite's role and department are what the user
 * gets) and closed (403 even with a code).
 */
static void
test_registration_open_invite_closed(void **state)
{
	(void)state;
	struct h_server s;
	struct h_user admin;
	struct h_resp r;
	char code[64], dept[H_ID_LEN + 1];
	static const char *const open_args[] = {"--registration", "open", NULL};
	static const char *const invite_args[] = {"--registration", "invite", NULL};
	static const char *const closed_args[] = {"--registration", "closed", NULL};

	other_server(&s, open_args, &admin);
	register_on(&s, "open_instr", ",\"role\":\"instructor\"", &r);
	H_EXPECT(r, 201);
	assert_string_equal(h_json_str(r.json, "user.role"), "instructor");
	h_resp_free(&r);
	assert_int_equal(h_server_down(&s), 0);

	other_server(&s, invite_args, &admin);
	register_on(&s, "no_code", "", &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	assert_int_equal(h_make_department(&s, admin.access, "INVD", dept), 0);
	char *body = lc_asprintf("{\"role\":\"instructor\",\"department_id\":\"%s\"}", dept);
	assert_int_equal(h_invite(&s, admin.access, body, code, sizeof(code)), 0);
	free(body);
	char *extra = lc_asprintf(",\"invite_code\":\"%s\"", code);
	register_on(&s, "with_code", extra, &r);
	free(extra);
	H_EXPECT(r, 201);
	assert_string_equal(h_json_str(r.json, "user.role"), "instructor");
	const cJSON *m = cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "user"), "departments"), 0);
	assert_non_null(m);
	assert_string_equal(h_json_str(m, "department_id"), dept);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "roles"), 0)->valuestring,
	                    "instructor");
	h_resp_free(&r);
	assert_int_equal(h_server_down(&s), 0);

	other_server(&s, closed_args, &admin);
	assert_int_equal(h_invite(&s, admin.access, "{\"role\":\"learner\"}", code, sizeof(code)),
	                 0);
	extra = lc_asprintf(",\"invite_code\":\"%s\"", code);
	register_on(&s, "closed_out", extra, &r);
	free(extra);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	assert_int_equal(h_server_down(&s), 0);
}

/*
 * Security review 2026-11-29, H2 (code review F1): a write that meets the database locked
 * past the busy timeout (here another connection holds BEGIN IMMEDIATE; the server runs
 * with --busy-timeout 50) answers 503 api_error with Retry-After, never 500, and writes
 * nothing: a PATCH, a login (its session insert) and a failed login (its throttle row; a
 * guess that cannot be counted is not answered).
 */
static void
test_busy_write_answers_503(void **state)
{
	(void)state;
	struct h_server s;
	struct h_user admin, u;
	struct h_resp r;
	char retry[16];
	/* One worker, whose connection is open before the lock is taken (opening one takes the
	 * write lock briefly to check the schema). */
	static const char *const args[] = {"--busy-timeout", "50", "--threads", "1", NULL};
	other_server(&s, args, &admin);
	assert_int_equal(h_register(&s, "busy_user", NULL, &u), 0);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(s.db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	h_call(&s, "PATCH", "/users/me", u.access, "{\"bio\":\"while locked\"}", NULL, &r);
	H_EXPECT_ERROR(r, 503, "api_error");
	assert_non_null(h_resp_header(&r, "Retry-After", retry, sizeof(retry)));
	assert_true(strtol(retry, NULL, 10) >= 1);
	h_resp_free(&r);
	char *login = lc_asprintf("{\"username\":\"busy_user\",\"password\":\"%s\"}", H_PASSWORD);
	h_call(&s, "POST", "/auth/token", NULL, login, NULL, &r);
	H_EXPECT_ERROR(r, 503, "api_error");
	assert_non_null(h_resp_header(&r, "Retry-After", retry, sizeof(retry)));
	h_resp_free(&r);
	h_call(&s, "POST", "/auth/token", NULL,
	       "{\"username\":\"busy_user\",\"password\":\"wrong-password\"}", NULL, &r);
	H_EXPECT_ERROR(r, 503, "api_error");
	h_resp_free(&r);
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	h_call(&s, "GET", "/users/me", u.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "bio"), "");
	h_resp_free(&r);
	h_call(&s, "POST", "/auth/token", NULL, login, NULL, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	free(login);
	assert_int_equal(h_server_down(&s), 0);
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
	    cmocka_unit_test(test_register_returns_user_and_tokens),
	    cmocka_unit_test(test_register_validation),
	    cmocka_unit_test(test_register_duplicates_409),
	    cmocka_unit_test(test_token_login),
	    cmocka_unit_test(test_refresh_rotation),
	    cmocka_unit_test(test_logout_revokes_refresh),
	    cmocka_unit_test(test_password_change_revokes_other_sessions),
	    cmocka_unit_test(test_users_me_get_and_patch),
	    cmocka_unit_test(test_public_profile),
	    cmocka_unit_test(test_users_list_and_roles),
	    cmocka_unit_test(test_delete_user),
	    cmocka_unit_test(test_departments_crud),
	    cmocka_unit_test(test_success_clears_failures),
	    cmocka_unit_test(test_department_delete_unlinks),
	    cmocka_unit_test(test_restart_keeps_users_and_sessions),
	    cmocka_unit_test(test_refresh_reuse_revokes_session),
	    cmocka_unit_test(test_auth_routes_never_replay),
	    cmocka_unit_test(test_login_throttle_survives_restart),
	    cmocka_unit_test(test_login_throttle_spares_other_addresses),
	    cmocka_unit_test(test_sync_push_refuses_auth),
	    cmocka_unit_test(test_registration_learners_policy),
	    cmocka_unit_test(test_registration_open_invite_closed),
	    cmocka_unit_test(test_busy_write_answers_503),
	};
	return cmocka_run_group_tests_name("api-auth", tests, group_setup, group_teardown);
}
