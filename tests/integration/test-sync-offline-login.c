/* SPDX-License-Identifier: MIT */
/*
 * Offline sign-in against a real lecternd (issue 13, item 3): `lectern login` leaves a
 * verifier valid for the server's period; with the server stopped the right password signs
 * in and wrong ones are throttled after 5, the count kept across openings; an expired
 * verifier is refused; after an offline sign-in the old tokens sync once the server is
 * back; an admin revoking the user's sessions makes the next sync end in "needs login" and
 * wipe the verifier; a login answered 401 wipes it, `lectern logout` keeps it; a server run with
 * --offline-login-days 0 leaves none; sync_offline_find() finds a kiosk profile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "sync/engine.h"
#include "sync/offline.h"
#include "test-sync-lib.h"

static struct st_world w;
static struct st_api admin;
static char replica[600];

static char *
setting(const char *key)
{
	struct store_db *db = NULL;
	char *v = NULL;

	assert_int_equal(st_replica_open(&w.cl, &db), 0);
	assert_int_equal(store_setting_get(db, key, &v), 0);
	store_db_close(db);
	return v;
}

static int64_t
setting_int(const char *key)
{
	char *v = setting(key);
	int64_t n = v != NULL ? strtoll(v, NULL, 10) : 0;

	free(v);
	return n;
}

static int
offline(const char *user, const char *pw, int64_t now, int64_t *wait)
{
	char *cause = NULL;
	int rc = sync_offline_sign_in(replica, user, pw, now, wait, &cause);

	if (rc != 0) {
		assert_non_null(cause);
		/* The message never repeats the password. */
		assert_null(strstr(cause, pw));
		printf("offline sign-in refused: %s\n", cause);
	}
	free(cause);
	return rc;
}

/* One sync with the library: its result and the state it leaves. */
static int
engine_sync(enum sync_state *state)
{
	struct sync_options opts = {.db_path = replica};
	struct sync_engine *e = NULL;
	struct sync_status st;
	char *cause = NULL;
	int rc = sync_engine_create(&opts, &e, &cause);

	if (rc == 0)
		rc = sync_engine_run(e, false, &cause);
	sync_engine_status(e, &st);
	*state = st.state;
	if (rc != 0)
		printf("sync: %s\n", cause != NULL ? cause : "?");
	free(cause);
	sync_engine_destroy(e);
	return rc;
}

static void
test_online_sign_in_keeps_a_verifier_for_the_servers_period(void **state)
{
	int64_t before = lc_now(), after;
	char *v;

	(void)state;
	assert_int_equal(st_login(&w.cl, "learner"), 0);
	after = lc_now();
	v = setting("offline_verifier");
	assert_non_null(v);
	assert_true(strncmp(v, "$argon2id$", 10) == 0);
	assert_null(strstr(v, ST_PASSWORD));
	free(v);
	assert_in_range(setting_int("offline_until"), before + 14 * 86400, after + 14 * 86400);
}

static void
test_server_down_right_password_signs_in_wrong_ones_are_throttled(void **state)
{
	int64_t now = lc_now(), wait = 0;
	enum sync_state st;
	char *refresh_before;

	(void)state;
	assert_int_equal(st_login(&w.cl, "learner"), 0);
	refresh_before = setting("refresh_token");
	st_server_stop(&w.srv, false);
	assert_int_equal(engine_sync(&st), -LC_ENET);
	assert_int_equal(st, SYNC_OFFLINE);
	assert_int_equal(offline("learner", ST_PASSWORD, now, &wait), 0);
	for (int i = 1; i <= 5; i++)
		assert_int_equal(offline("learner", "not-the-password", now + i, &wait), -LC_EAUTH);
	assert_int_equal(wait, 30);
	/* The sixth waits, the right password too; the count outlives the connection. */
	assert_int_equal(offline("learner", ST_PASSWORD, now + 6, &wait), -LC_EPERM);
	assert_int_equal(wait, 29);
	assert_int_equal(setting_int("offline_failures"), 5);
	assert_int_equal(setting_int("offline_locked_until"), now + 5 + 30);
	assert_int_equal(offline("learner", ST_PASSWORD, now + 36, &wait), 0);
	assert_int_equal(setting_int("offline_failures"), 0);
	/* The server is back: the tokens kept through the offline sign-in sync as they were. */
	assert_int_equal(st_world_restart(&w), 0);
	assert_int_equal(engine_sync(&st), 0);
	assert_int_equal(st, SYNC_ONLINE);
	{
		char *v = setting("offline_verifier");

		assert_non_null(v);
		free(v);
	}
	free(refresh_before);
}

static void
test_expired_verifier_is_refused(void **state)
{
	int64_t until;

	(void)state;
	assert_int_equal(st_login(&w.cl, "learner"), 0);
	until = setting_int("offline_until");
	assert_int_equal(offline("learner", ST_PASSWORD, until - 1, NULL), 0);
	assert_int_equal(offline("learner", ST_PASSWORD, until, NULL), -LC_EPERM);
	assert_int_equal(offline("learner", ST_PASSWORD, until - 1, NULL), -LC_ENOTFOUND);
}

static void
test_revoked_sessions_wipe_the_verifier_at_the_next_sync(void **state)
{
	enum sync_state st;
	char *user_id, path[128];
	char *v;

	(void)state;
	assert_int_equal(st_login(&w.cl, "learner"), 0);
	user_id = setting("user_id");
	assert_non_null(user_id);
	snprintf(path, sizeof(path), "/users/%s/sessions/revoke", user_id);
	assert_int_equal(st_api_call(&admin, "POST", path, NULL, NULL), 204);
	free(user_id);
	/* Offline, nothing is known yet: the kiosk still lets the user in. */
	assert_int_equal(offline("learner", ST_PASSWORD, lc_now(), NULL), 0);
	assert_int_equal(engine_sync(&st), -LC_EAUTH);
	assert_int_equal(st, SYNC_NEEDS_LOGIN);
	v = setting("offline_verifier");
	assert_null(v);
	assert_null(setting("offline_until"));
	assert_int_equal(offline("learner", ST_PASSWORD, lc_now(), NULL), -LC_ENOTFOUND);
	/* The refresh token itself stays until a login replaces it: the outbox waits. */
	v = setting("refresh_token");
	assert_non_null(v);
	free(v);
}

static void
test_login_refused_wipes_the_verifier_and_logout_keeps_it(void **state)
{
	char *v;

	(void)state;
	assert_int_equal(st_login(&w.cl, "learner"), 0);
	assert_int_not_equal(
	    st_lectern(&w.cl, "a-wrong-password\n", NULL, "login", "LEARNER", NULL), 0);
	assert_null(setting("offline_verifier"));
	assert_int_equal(st_login(&w.cl, "learner"), 0);
	v = setting("offline_verifier");
	assert_non_null(v);
	free(v);
	/* A sign-out locks the replica; the same person may come back while offline. */
	assert_int_equal(st_lectern(&w.cl, NULL, NULL, "logout", NULL), 0);
	v = setting("signed_out");
	assert_non_null(v);
	free(v);
	v = setting("offline_verifier");
	assert_non_null(v);
	free(v);
	assert_int_equal(offline("learner", ST_PASSWORD, lc_now(), NULL), 0);
	assert_null(setting("signed_out"));
}

static void
test_offline_login_days_zero_gives_no_verifier(void **state)
{
	static const char *const args[] = {"--offline-login-days", "0", NULL};
	char *v;

	(void)state;
	assert_int_equal(st_login(&w.cl, "learner"), 0);
	v = setting("offline_verifier");
	assert_non_null(v);
	free(v);
	st_server_extra_args = args;
	assert_int_equal(st_world_restart(&w), 0);
	assert_int_equal(st_login(&w.cl, "learner"), 0);
	assert_null(setting("offline_verifier"));
	assert_int_equal(offline("learner", ST_PASSWORD, lc_now(), NULL), -LC_ENOTFOUND);
	st_server_extra_args = NULL;
	assert_int_equal(st_world_restart(&w), 0);
}

/* The kiosk's look-up: D/profiles/<user-id>/replica.db, found by username. */
static void
test_find_signs_in_to_the_kiosk_profile(void **state)
{
	char *cause = NULL, *found = NULL, *user_id, *dir, *profile;
	int rc;

	(void)state;
	assert_int_equal(st_login(&w.cl, "learner"), 0);
	user_id = setting("user_id");
	dir = lc_asprintf("%s/kiosk", w.dir);
	profile = lc_asprintf("%s/profiles/%s/replica.db", dir, user_id);
	rc = sync_login(profile, w.srv.url, "learner", ST_PASSWORD, NULL, &cause);
	if (rc != 0)
		fail_msg("login: %s", cause);
	st_server_stop(&w.srv, false);
	assert_int_equal(
	    sync_offline_find(dir, "Learner", ST_PASSWORD, lc_now(), &found, NULL, &cause), 0);
	assert_string_equal(found, profile);
	free(found);
	found = NULL;
	assert_int_equal(
	    sync_offline_find(dir, "learner", "wrong-one", lc_now(), &found, NULL, &cause),
	    -LC_EAUTH);
	assert_null(found);
	assert_int_equal(
	    sync_offline_find(dir, "instructor", ST_PASSWORD, lc_now(), &found, NULL, &cause),
	    -LC_ENOTFOUND);
	free(cause);
	assert_int_equal(st_world_restart(&w), 0);
	free(user_id);
	free(dir);
	free(profile);
}

static int
group_setup(void **state)
{
	(void)state;
	if (st_world_setup(&w, "offline-login", 1, 1, 1) < 0 ||
	    st_server_create_user(&w.srv, "admin", "admin", ST_PASSWORD) < 0 ||
	    st_api_login(&admin, w.srv.url, "admin", ST_PASSWORD) < 0)
		return -1;
	snprintf(replica, sizeof(replica), "%s/replica.db", w.cl.data_dir);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	st_api_finish(&admin);
	st_world_teardown(&w);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_online_sign_in_keeps_a_verifier_for_the_servers_period),
	    cmocka_unit_test(test_server_down_right_password_signs_in_wrong_ones_are_throttled),
	    cmocka_unit_test(test_expired_verifier_is_refused),
	    cmocka_unit_test(test_revoked_sessions_wipe_the_verifier_at_the_next_sync),
	    cmocka_unit_test(test_login_refused_wipes_the_verifier_and_logout_keeps_it),
	    cmocka_unit_test(test_offline_login_days_zero_gives_no_verifier),
	    cmocka_unit_test(test_find_signs_in_to_the_kiosk_profile),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
