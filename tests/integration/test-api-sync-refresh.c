/* SPDX-License-Identifier: MIT */
/*
 * The /sync refresh extension (issue 10, cause 7; docs/api.md "Auth" and "Sync"): POST
 * /api/v1/sync with a stale access token and the refresh token in `Lectern-Refresh` rotates
 * the session exactly as POST /auth/refresh does and answers the sync with the new pair in
 * "auth", so an expired access token costs no extra round trip. A refresh token that is not
 * valid answers the 401 of a stale access token, before anything in the body runs. The
 * header counts on that one route only, and is ignored beside a valid access token. The
 * refresh grace: the token rotated out last, presented again soon (its answer was lost),
 * rotates once more instead of revoking the session, on /sync and on /auth/refresh alike;
 * the token the lost answer carried is then spent, so reuse detection still ends a session
 * whose tokens two parties hold (security review 2026-11-29, L5).
 *
 * Three servers: `quick` (--access-ttl 0: every access token is born expired), `plain`
 * (the defaults) and `strict` (--access-ttl 0 --refresh-grace 0).
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

static struct h_server quick, plain, strict;

#define STALE_401                                                                                  \
	"{\"error\":{\"type\":\"authentication_error\",\"message\":\"Missing, invalid or expired " \
	"token\"}}"

static int
start_with(struct h_server *s, const char *const *args)
{
	if (h_server_init(s) != 0)
		return -1;
	s->extra_args = args;
	if (h_server_create_user(s, "root", "admin", H_PASSWORD) != 0)
		return -1;
	return h_server_start(s);
}

static int
group_setup(void **state)
{
	static const char *const quick_args[] = {"--access-ttl", "0", NULL};
	static const char *const strict_args[] = {"--access-ttl", "0", "--refresh-grace", "0",
	                                          NULL};
	(void)state;
	if (start_with(&quick, quick_args) != 0 || start_with(&plain, NULL) != 0 ||
	    start_with(&strict, strict_args) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	h_server_down(&quick);
	h_server_down(&plain);
	h_server_down(&strict);
	return 0;
}

/* POST /sync as bearer (may be NULL) with refresh in Lectern-Refresh (may be NULL). */
static void
sync_with(const struct h_server *s, const char *bearer, const char *refresh, const char *body,
          struct h_resp *r)
{
	char *line = refresh ? lc_asprintf("Lectern-Refresh: %s", refresh) : NULL;
	const char *hdrs[] = {line, NULL};
	h_call(s, "POST", "/sync", bearer, body, line ? hdrs : NULL, r);
	free(line);
}

/* A no-op sync body (one row at most, to keep answers small). */
static char *
noop_body(void)
{
	char id[LC_UUID_LEN + 1];
	lc_uuid_new(id);
	return lc_asprintf("{\"client_id\":\"%s\",\"push\":[],\"cursors\":{},\"limit\":1}", id);
}

/* POST /auth/refresh with token; returns the status, the new refresh token into out. */
static long
refresh_with(const struct h_server *s, const char *token, char *out, size_t out_len)
{
	char *json = lc_asprintf("{\"refresh_token\":\"%s\"}", token);
	struct h_resp r;
	h_call(s, "POST", "/auth/refresh", NULL, json, NULL, &r);
	free(json);
	long status = r.status;
	if (out && status == 200)
		snprintf(out, out_len, "%s", h_json_str(r.json, "refresh_token"));
	h_resp_free(&r);
	return status;
}

static void
new_user(const struct h_server *s, const char *tag, struct h_user *u)
{
	char name[40];
	h_unique_name(tag, name, sizeof(name));
	assert_int_equal(h_register(s, name, NULL, u), 0);
}

/*
 * An expired access token and a valid refresh token: 200, the sync answered as that user,
 * and the new pair in "auth" (the shape of /auth/refresh's answer without "user"). The new
 * refresh token works; the presented one is then spent.
 */
static void
test_stale_access_with_refresh_header_syncs_and_rotates(void **state)
{
	(void)state;
	struct h_user u;
	struct h_resp r;
	char r2[128], r3[128];
	new_user(&quick, "stale", &u);
	char *body = noop_body();
	sync_with(&quick, u.access, u.refresh, body, &r);
	H_EXPECT(r, 200);
	const cJSON *auth = cJSON_GetObjectItemCaseSensitive(r.json, "auth");
	assert_true(cJSON_IsObject(auth));
	/* The four of the refresh answer, and offline_expires_in (issue 13; default 14 days). */
	assert_int_equal(cJSON_GetArraySize(auth), 5);
	assert_int_equal((int)h_json_num(r.json, "auth.offline_expires_in", -1), 14 * 86400);
	assert_non_null(h_json_str(r.json, "auth.access_token"));
	assert_string_equal(h_json_str(r.json, "auth.token_type"), "Bearer");
	assert_int_equal((int)h_json_num(r.json, "auth.expires_in", -1), 0); /* --access-ttl 0 */
	assert_non_null(cJSON_GetObjectItemCaseSensitive(r.json, "changes"));
	snprintf(r2, sizeof(r2), "%s", h_json_str(r.json, "auth.refresh_token"));
	assert_string_not_equal(r2, u.refresh);
	h_resp_free(&r);
	/* The same without Authorization at all: the refresh token alone is enough. */
	sync_with(&quick, NULL, r2, body, &r);
	H_EXPECT(r, 200);
	snprintf(r3, sizeof(r3), "%s", h_json_str(r.json, "auth.refresh_token"));
	h_resp_free(&r);
	/* The newest works with /auth/refresh; the first, two rotations old, is refused. */
	assert_int_equal(refresh_with(&quick, r3, NULL, 0), 200);
	assert_int_equal(refresh_with(&quick, u.refresh, NULL, 0), 401);
	free(body);
}

/* The answer to the plain server's access token (valid): the header changes nothing. */
static void
test_valid_access_ignores_the_refresh_header(void **state)
{
	(void)state;
	struct h_user u;
	struct h_resp r;
	new_user(&plain, "valid", &u);
	char *body = noop_body();
	sync_with(&plain, u.access, u.refresh, body, &r);
	H_EXPECT(r, 200);
	assert_null(cJSON_GetObjectItemCaseSensitive(r.json, "auth"));
	h_resp_free(&r);
	/* Even a garbage refresh token beside a valid access token is not looked at. */
	sync_with(&plain, u.access, "garbage", body, &r);
	H_EXPECT(r, 200);
	assert_null(cJSON_GetObjectItemCaseSensitive(r.json, "auth"));
	h_resp_free(&r);
	/* No rotation happened: the refresh token is still the session's current one. */
	assert_int_equal(refresh_with(&plain, u.refresh, NULL, 0), 200);
	free(body);
}

/* A PATCH /users/me of bio as a push item. */
static char *
push_bio_body(const char *bio)
{
	char id[LC_UUID_LEN + 1], key[LC_UUID_LEN + 1];
	lc_uuid_new(id);
	lc_uuid_new(key);
	return lc_asprintf("{\"client_id\":\"%s\",\"push\":[{\"key\":\"%s\",\"method\":\"PATCH\","
	                   "\"path\":\"/api/v1/users/me\",\"body\":{\"bio\":\"%s\"}}],"
	                   "\"cursors\":{},\"limit\":1}",
	                   id, key, bio);
}

/* The user's bio, read with a fresh login (plain server: its access tokens work). */
static void
bio_of(const struct h_server *s, const struct h_user *u, char *out, size_t out_len)
{
	struct h_user again;
	struct h_resp r;
	assert_int_equal(h_login(s, u->username, H_PASSWORD, &again), 0);
	h_call(s, "GET", "/users/me", again.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	snprintf(out, out_len, "%s", h_json_str(r.json, "bio"));
	h_resp_free(&r);
}

/*
 * A refresh token that is not valid (garbage, too long, of a logged-out session, spent):
 * the exact 401 of a stale access token, answered before the body: the push in it never ran.
 */
static void
test_invalid_refresh_header_is_401_and_runs_no_push(void **state)
{
	(void)state;
	struct h_user u, gone;
	struct h_resp r;
	char bio[64], r2[128];
	new_user(&plain, "inval", &u);
	char *body = push_bio_body("must-not-land");
	char *long_token = lc_calloc(1, 300);
	memset(long_token, 'a', 299);
	const char *bad[] = {"garbage", long_token};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* A bearer that is not valid (a garbage one) with a bad refresh token. */
		sync_with(&plain, "AAAA", bad[i], body, &r);
		assert_int_equal(r.status, 401);
		assert_string_equal(r.body, STALE_401);
		h_resp_free(&r);
		sync_with(&plain, NULL, bad[i], body, &r);
		assert_int_equal(r.status, 401);
		assert_string_equal(r.body, STALE_401);
		h_resp_free(&r);
	}
	/* A logged-out session's refresh token. */
	new_user(&plain, "gone", &gone);
	h_call(&plain, "POST", "/auth/logout", gone.access, NULL, NULL, &r);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	sync_with(&plain, NULL, gone.refresh, body, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.body, STALE_401);
	h_resp_free(&r);
	/* A spent one (rotated twice since): reuse, and the session is revoked. */
	char r3[128];
	assert_int_equal(refresh_with(&plain, u.refresh, r2, sizeof(r2)), 200);
	assert_int_equal(refresh_with(&plain, r2, r3, sizeof(r3)), 200);
	sync_with(&plain, NULL, u.refresh, body, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.body, STALE_401);
	h_resp_free(&r);
	assert_int_equal(refresh_with(&plain, r3, NULL, 0), 401); /* revoked with it */
	/* The push never ran. */
	bio_of(&plain, &u, bio, sizeof(bio));
	assert_string_not_equal(bio, "must-not-land");
	free(long_token);
	free(body);
}

/*
 * The same with an access token that has expired (quick server): the refused request's
 * push never ran, while the same push with a valid refresh token does (the control).
 */
static void
test_expired_access_and_invalid_refresh_is_401_and_runs_no_push(void **state)
{
	(void)state;
	struct h_user u;
	struct h_resp r;
	new_user(&quick, "expinv", &u);
	char *refused = push_bio_body("must-not-land");
	sync_with(&quick, u.access, "garbage", refused, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.body, STALE_401);
	h_resp_free(&r);
	/* Nothing of it ran: pull everything the user sees; the bio is not there. */
	char id[LC_UUID_LEN + 1];
	lc_uuid_new(id);
	char *pull = lc_asprintf("{\"client_id\":\"%s\",\"push\":[],\"cursors\":{}}", id);
	sync_with(&quick, u.access, u.refresh, pull, &r);
	H_EXPECT(r, 200);
	assert_null(strstr(r.body, "must-not-land"));
	char r2[128];
	snprintf(r2, sizeof(r2), "%s", h_json_str(r.json, "auth.refresh_token"));
	h_resp_free(&r);
	/* The control: with a valid refresh token the same kind of push runs. */
	char *landed = push_bio_body("did-land");
	sync_with(&quick, u.access, r2, landed, &r);
	H_EXPECT(r, 200);
	const cJSON *push = cJSON_GetObjectItemCaseSensitive(r.json, "push");
	assert_int_equal(cJSON_GetArraySize(push), 1);
	assert_int_equal((int)h_json_num(cJSON_GetArrayItem(push, 0), "status", 0), 200);
	assert_non_null(strstr(r.body, "did-land"));
	h_resp_free(&r);
	free(refused);
	free(pull);
	free(landed);
}

/* The header authenticates POST /api/v1/sync only. */
static void
test_refresh_header_on_other_routes_does_not_authenticate(void **state)
{
	(void)state;
	struct h_user u;
	struct h_resp r;
	new_user(&quick, "other", &u);
	char line[600];
	snprintf(line, sizeof(line), "Lectern-Refresh: %s", u.refresh);
	const char *hdrs[] = {line, NULL};
	h_call(&quick, "GET", "/users/me", NULL, NULL, hdrs, &r);
	H_EXPECT_ERROR(r, 401, "authentication_error");
	h_resp_free(&r);
	h_call(&quick, "GET", "/users/me", u.access, NULL, hdrs, &r); /* stale bearer */
	assert_int_equal(r.status, 401);
	assert_string_equal(r.body, STALE_401);
	h_resp_free(&r);
	h_call(&quick, "GET", "/sync/digest", u.access, NULL, hdrs, &r);
	assert_int_equal(r.status, 401);
	h_resp_free(&r);
	h_call(&quick, "PATCH", "/users/me", u.access, "{\"bio\":\"x\"}", hdrs, &r);
	assert_int_equal(r.status, 401);
	h_resp_free(&r);
	h_call(&quick, "POST", "/auth/logout", NULL, "{}", hdrs, &r);
	assert_int_equal(r.status, 401);
	h_resp_free(&r);
	/* Nothing rotated: the refresh token is still the current one. */
	assert_int_equal(refresh_with(&quick, u.refresh, NULL, 0), 200);
}

/* The session rotated for the request: even a refused body carries the new pair. */
static void
test_rotated_answer_to_a_bad_body_still_carries_the_pair(void **state)
{
	(void)state;
	struct h_user u;
	struct h_resp r;
	new_user(&quick, "badbody", &u);
	sync_with(&quick, u.access, u.refresh, "{\"push\":7}", &r);
	assert_int_equal(r.status, 400);
	const char *r2 = h_json_str(r.json, "auth.refresh_token");
	assert_non_null(r2);
	assert_int_equal(refresh_with(&quick, r2, NULL, 0), 200);
	h_resp_free(&r);
}

/*
 * The lost answer: the server rotated for a /sync whose answer never arrived, and the
 * client presents the same refresh token again. Within the grace it gets a fresh pair for
 * the same session (not a revocation); the pair the lost answer carried is spent, so
 * whoever presents it later ends the session (reuse detection holds).
 */
static void
test_lost_answer_within_grace_rotates_again(void **state)
{
	(void)state;
	struct h_user u;
	struct h_resp r;
	char lost[128], r3[128], r4[128];
	new_user(&quick, "lost", &u);
	char *body = noop_body();
	sync_with(&quick, u.access, u.refresh, body, &r);
	H_EXPECT(r, 200);
	snprintf(lost, sizeof(lost), "%s", h_json_str(r.json, "auth.refresh_token"));
	h_resp_free(&r);
	/* Again with the first token, twice (the second answer lost too). */
	sync_with(&quick, u.access, u.refresh, body, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	sync_with(&quick, u.access, u.refresh, body, &r);
	H_EXPECT(r, 200);
	snprintf(r3, sizeof(r3), "%s", h_json_str(r.json, "auth.refresh_token"));
	assert_string_not_equal(r3, lost);
	h_resp_free(&r);
	/* /auth/refresh has the same grace: the first token once more. */
	assert_int_equal(refresh_with(&quick, u.refresh, r4, sizeof(r4)), 200);
	assert_int_equal(refresh_with(&quick, r4, r4, sizeof(r4)), 200);
	/* Now the first token is two rotations back: reuse, and the session ends. */
	assert_int_equal(refresh_with(&quick, u.refresh, NULL, 0), 401);
	assert_int_equal(refresh_with(&quick, r4, NULL, 0), 401);
	free(body);
}

/* The token a lost answer carried, presented after a grace rotation: the session ends. */
static void
test_token_of_the_lost_answer_is_spent_after_a_grace_rotation(void **state)
{
	(void)state;
	struct h_user u;
	struct h_resp r;
	char lost[128], r3[128];
	new_user(&quick, "thief", &u);
	char *body = noop_body();
	sync_with(&quick, NULL, u.refresh, body, &r);
	H_EXPECT(r, 200);
	snprintf(lost, sizeof(lost), "%s", h_json_str(r.json, "auth.refresh_token"));
	h_resp_free(&r);
	sync_with(&quick, NULL, u.refresh, body, &r); /* the grace rotation */
	H_EXPECT(r, 200);
	snprintf(r3, sizeof(r3), "%s", h_json_str(r.json, "auth.refresh_token"));
	h_resp_free(&r);
	sync_with(&quick, NULL, lost, body, &r);
	assert_int_equal(r.status, 401);
	h_resp_free(&r);
	assert_int_equal(refresh_with(&quick, r3, NULL, 0), 401);
	free(body);
}

/* --refresh-grace 0: re-presenting the token just rotated out is reuse at once. */
static void
test_no_grace_means_reuse_revokes_at_once(void **state)
{
	(void)state;
	struct h_user u;
	struct h_resp r;
	char r2[128];
	new_user(&strict, "strict", &u);
	char *body = noop_body();
	sync_with(&strict, u.access, u.refresh, body, &r);
	H_EXPECT(r, 200);
	snprintf(r2, sizeof(r2), "%s", h_json_str(r.json, "auth.refresh_token"));
	h_resp_free(&r);
	sync_with(&strict, u.access, u.refresh, body, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.body, STALE_401);
	h_resp_free(&r);
	assert_int_equal(refresh_with(&strict, r2, NULL, 0), 401);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stale_access_with_refresh_header_syncs_and_rotates),
	    cmocka_unit_test(test_valid_access_ignores_the_refresh_header),
	    cmocka_unit_test(test_invalid_refresh_header_is_401_and_runs_no_push),
	    cmocka_unit_test(test_expired_access_and_invalid_refresh_is_401_and_runs_no_push),
	    cmocka_unit_test(test_refresh_header_on_other_routes_does_not_authenticate),
	    cmocka_unit_test(test_rotated_answer_to_a_bad_body_still_carries_the_pair),
	    cmocka_unit_test(test_lost_answer_within_grace_rotates_again),
	    cmocka_unit_test(test_token_of_the_lost_answer_is_spent_after_a_grace_rotation),
	    cmocka_unit_test(test_no_grace_means_reuse_revokes_at_once),
	};
	return cmocka_run_group_tests_name("api-sync-refresh", tests, group_setup, group_teardown);
}
