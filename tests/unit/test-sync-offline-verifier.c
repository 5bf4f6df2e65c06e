/* SPDX-License-Identifier: MIT */
/*
 * Offline sign-in on a replica (issue 13, item 3), without a server: the throttle's
 * arithmetic (5 free tries, then 30 s doubling to 15 min, never longer than the failures'
 * own lock when the clock is set back), the verifier an online sign-in's answer leaves,
 * what the refresh answers and the forget calls do to it, and sync_offline_find() over a
 * data directory of profiles. The integration test test-sync-offline-login.c does the same
 * against a real lecternd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "store/replica.h"
#include "sync/offline.h"

#define NOW 1800000000LL
#define PW "right-password-1"

static void
test_lock_is_free_for_five_tries_then_doubles_to_fifteen_minutes(void **state)
{
	static const int64_t want[] = {0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900};

	(void)state;
	for (size_t n = 0; n < sizeof(want) / sizeof(want[0]); n++)
		assert_int_equal(sync_offline_lock_s((int64_t)n), want[n]);
	assert_int_equal(sync_offline_lock_s(1000000), SYNC_OFFLINE_LOCK_MAX_S);
	assert_int_equal(sync_offline_lock_s(INT64_MAX), SYNC_OFFLINE_LOCK_MAX_S);
	assert_int_equal(sync_offline_lock_s(-3), 0);
}

static void
test_wait_counts_down_and_never_exceeds_the_lock(void **state)
{
	(void)state;
	assert_int_equal(sync_offline_wait_s(5, NOW + 30, NOW), 30);
	assert_int_equal(sync_offline_wait_s(5, NOW + 30, NOW + 29), 1);
	assert_int_equal(sync_offline_wait_s(5, NOW + 30, NOW + 30), 0);
	assert_int_equal(sync_offline_wait_s(5, NOW + 30, NOW + 400), 0);
	assert_int_equal(sync_offline_wait_s(0, 0, NOW), 0);
	/* The clock set back a day: still only the 60 s that 6 failures earned. */
	assert_int_equal(sync_offline_wait_s(6, NOW + 60, NOW - 86400), 60);
	/* A lock written by hand for a free try is no lock. */
	assert_int_equal(sync_offline_wait_s(2, NOW + 500, NOW), 0);
}

struct fixture {
	char dir[64];
	char *path;
};

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/lectern-offline-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->path = lc_asprintf("%s/replica.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = lc_asprintf("rm -rf '%s'", f->dir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	free(cmd);
	free(f->path);
	free(f);
	return 0;
}

/* A replica of user "Kiosk1" after an online sign-in whose answer had period seconds. */
static void
signed_in(const char *path, const char *username, int64_t period)
{
	struct store_db *db = NULL;
	cJSON *answer = cJSON_CreateObject();

	if (period > 0)
		cJSON_AddNumberToObject(answer, "offline_expires_in", (double)period);
	assert_int_equal(store_replica_open(path, &db, NULL), 0);
	assert_int_equal(store_setting_set(db, "username", username), 0);
	assert_int_equal(sync_offline_after_login(db, answer, PW, NOW), 0);
	store_db_close(db);
	cJSON_Delete(answer);
}

static char *
setting(const char *path, const char *key)
{
	struct store_db *db = NULL;
	char *v = NULL;

	assert_int_equal(store_replica_open(path, &db, NULL), 0);
	assert_int_equal(store_setting_get(db, key, &v), 0);
	store_db_close(db);
	return v;
}

static int
try_pw(const char *path, const char *user, const char *pw, int64_t now, int64_t *wait)
{
	char *cause = NULL;
	int rc = sync_offline_sign_in(path, user, pw, now, wait, &cause);

	if (rc != 0)
		assert_non_null(cause);
	free(cause);
	return rc;
}

static void
test_verifier_is_argon2id_and_holds_no_password(void **state)
{
	struct fixture *f = *state;
	char *v, *until;

	signed_in(f->path, "Kiosk1", 3600);
	v = setting(f->path, "offline_verifier");
	until = setting(f->path, "offline_until");
	assert_non_null(v);
	assert_true(strncmp(v, "$argon2id$", 10) == 0);
	assert_null(strstr(v, PW));
	assert_int_equal(strtoll(until, NULL, 10), NOW + 3600);
	free(v);
	free(until);
	assert_int_equal(try_pw(f->path, "kiosk1", PW, NOW + 10, NULL), 0);
	assert_int_equal(try_pw(f->path, "KIOSK1", PW, NOW + 10, NULL), 0);
	assert_int_equal(try_pw(f->path, "kiosk2", PW, NOW + 10, NULL), -LC_ENOTFOUND);
	assert_int_equal(try_pw(f->path, "kiosk1", PW, NOW + 3600, NULL), -LC_EPERM);
	/* Expired: forgotten, so the next try finds nothing. */
	assert_null(setting(f->path, "offline_verifier"));
	assert_int_equal(try_pw(f->path, "kiosk1", PW, NOW + 10, NULL), -LC_ENOTFOUND);
}

static void
test_sixth_try_waits_even_with_the_right_password(void **state)
{
	struct fixture *f = *state;
	int64_t wait = -1;
	char *failures;

	signed_in(f->path, "kiosk1", 86400);
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(try_pw(f->path, "kiosk1", "wrong", NOW + i, &wait), -LC_EAUTH);
		assert_int_equal(wait, 0);
	}
	assert_int_equal(try_pw(f->path, "kiosk1", "wrong", NOW + 5, &wait), -LC_EAUTH);
	assert_int_equal(wait, 30);
	/* Locked: refused without a look at the password, and it stays locked (persisted). */
	assert_int_equal(try_pw(f->path, "kiosk1", PW, NOW + 6, &wait), -LC_EPERM);
	assert_int_equal(wait, 29);
	failures = setting(f->path, "offline_failures");
	assert_string_equal(failures, "5");
	free(failures);
	/* After the wait a wrong one doubles the lock; the right one then resets it all. */
	assert_int_equal(try_pw(f->path, "kiosk1", "wrong", NOW + 35, &wait), -LC_EAUTH);
	assert_int_equal(wait, 60);
	assert_int_equal(try_pw(f->path, "kiosk1", PW, NOW + 95, &wait), 0);
	assert_null(setting(f->path, "offline_failures"));
	assert_null(setting(f->path, "offline_locked_until"));
	assert_int_equal(try_pw(f->path, "kiosk1", "wrong", NOW + 96, &wait), -LC_EAUTH);
	assert_int_equal(wait, 0);
}

static void
test_refresh_answers_shorten_or_end_the_period(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	cJSON *longer = cJSON_Parse("{\"offline_expires_in\":999999}");
	cJSON *shorter = cJSON_Parse("{\"offline_expires_in\":100}");
	cJSON *none = cJSON_Parse("{\"expires_in\":900}");
	char *until;

	signed_in(f->path, "kiosk1", 3600);
	assert_int_equal(store_replica_open(f->path, &db, NULL), 0);
	assert_int_equal(sync_offline_after_refresh(db, longer, NOW + 10), 0);
	until = setting(f->path, "offline_until");
	assert_int_equal(strtoll(until, NULL, 10), NOW + 3600);
	free(until);
	assert_int_equal(sync_offline_after_refresh(db, shorter, NOW + 10), 0);
	until = setting(f->path, "offline_until");
	assert_int_equal(strtoll(until, NULL, 10), NOW + 110);
	free(until);
	assert_int_equal(sync_offline_after_refresh(db, none, NOW + 20), 0);
	assert_null(setting(f->path, "offline_verifier"));
	assert_null(setting(f->path, "offline_until"));
	store_db_close(db);
	cJSON_Delete(longer);
	cJSON_Delete(shorter);
	cJSON_Delete(none);
}

static void
test_login_refused_forgets_only_the_replicas_own_user(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = NULL;
	char *v;

	signed_in(f->path, "kiosk1", 3600);
	assert_int_equal(store_replica_open(f->path, &db, NULL), 0);
	assert_int_equal(sync_offline_forget_user(db, "someone-else"), 0);
	v = setting(f->path, "offline_verifier");
	assert_non_null(v);
	free(v);
	assert_int_equal(sync_offline_forget_user(db, "KIOSK1"), 0);
	assert_null(setting(f->path, "offline_verifier"));
	store_db_close(db);
	/* An answer without the field forgets at sign-in too (--offline-login-days 0). */
	signed_in(f->path, "kiosk1", 3600);
	signed_in(f->path, "kiosk1", 0);
	assert_null(setting(f->path, "offline_verifier"));
	assert_int_equal(try_pw(f->path, "kiosk1", PW, NOW + 1, NULL), -LC_ENOTFOUND);
}

static void
test_find_picks_the_profile_by_username(void **state)
{
	static const char a[] = "0b7a6f0e-5d1c-4a51-9a4e-2f8e1c3d4b5a";
	static const char b[] = "1c8b7f1f-6e2d-4b62-8b5f-3a9f2d4e5c6b";
	struct fixture *f = *state;
	char *pa = lc_asprintf("%s/profiles/%s/replica.db", f->dir, a);
	char *pb = lc_asprintf("%s/profiles/%s/replica.db", f->dir, b);
	char *junk = lc_asprintf("%s/profiles/not-a-uuid/replica.db", f->dir);
	char *found = NULL, *cause = NULL;
	int64_t wait = 0;

	signed_in(pa, "ana", 3600);
	signed_in(pb, "Ben", 3600);
	signed_in(junk, "carl", 3600);
	assert_int_equal(sync_offline_find(f->dir, "BEN", PW, NOW + 1, &found, &wait, &cause), 0);
	assert_string_equal(found, pb);
	free(found);
	assert_int_equal(sync_offline_find(f->dir, "ana", PW, NOW + 1, &found, &wait, &cause), 0);
	assert_string_equal(found, pa);
	free(found);
	found = NULL;
	/* A directory not named by a user id is no profile. */
	assert_int_equal(sync_offline_find(f->dir, "carl", PW, NOW + 1, &found, &wait, &cause),
	                 -LC_ENOTFOUND);
	assert_null(found);
	free(cause);
	cause = NULL;
	assert_int_equal(sync_offline_find(f->dir, "ana", "wrong", NOW + 2, &found, &wait, &cause),
	                 -LC_EAUTH);
	assert_null(found);
	free(cause);
	cause = NULL;
	assert_int_equal(sync_offline_find(f->dir, "dora", PW, NOW + 1, &found, &wait, &cause),
	                 -LC_ENOTFOUND);
	free(cause);
	cause = NULL;
	/* No profiles folder at all. */
	assert_int_equal(
	    sync_offline_find("/nonexistent-lectern", "ana", PW, NOW, &found, &wait, &cause),
	    -LC_ENOTFOUND);
	free(cause);
	free(pa);
	free(pb);
	free(junk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lock_is_free_for_five_tries_then_doubles_to_fifteen_minutes),
	    cmocka_unit_test(test_wait_counts_down_and_never_exceeds_the_lock),
	    cmocka_unit_test_setup_teardown(test_verifier_is_argon2id_and_holds_no_password, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_sixth_try_waits_even_with_the_right_password,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refresh_answers_shorten_or_end_the_period, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_login_refused_forgets_only_the_replicas_own_user,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_find_picks_the_profile_by_username, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
