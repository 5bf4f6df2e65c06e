/* SPDX-License-Identifier: MIT */
/*
 * The real `lectern sync` with an expired access token (issue 10, cause 7; perf review
 * 2026-11-29: 3 requests, 1,965 B for a no-op): one request, counted by the fault proxy,
 * since the refresh token rides along in Lectern-Refresh and the answer brings the new pair.
 * The server runs with --access-ttl 0, so every access token it issues is expired when the
 * next sync goes out. Also: a lost answer to the rotating /sync (the proxy drops it) does
 * not log the user out (the refresh grace); a replica that does not know its token's
 * expiry offers the refresh token; one that wrongly believes its token valid falls back to
 * the old way (401, /auth/refresh, retry) and still syncs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "faultproxy.h"
#include "store/replica.h"
#include "test-sync-lib.h"

struct fixture {
	struct st_world w;
	struct fp_proxy *proxy;
	struct st_client cl; /* the learner's replica, behind the proxy */
};

static int
setup(void **state)
{
	static const char *const args[] = {"--access-ttl", "0", NULL};
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL;

	*state = f;
	/* The world's courses are made with working tokens; then access tokens die at birth. */
	if (st_world_setup(&f->w, "token", 1, 2, 2) < 0)
		return -1;
	st_server_extra_args = args;
	if (st_world_restart(&f->w) < 0)
		return -1;
	if (fp_start(f->w.srv.port, &f->proxy, &cause) < 0) {
		fprintf(stderr, "fault proxy: %s\n", cause);
		free(cause);
		return -1;
	}
	fp_set_fault_path(f->proxy, "/api/v1/sync");
	snprintf(f->cl.data_dir, sizeof(f->cl.data_dir), "%s/behind-proxy", f->w.dir);
	snprintf(f->cl.server_url, sizeof(f->cl.server_url), "http://127.0.0.1:%d",
	         fp_port(f->proxy));
	if (st_login(&f->cl, "learner") < 0 ||
	    st_lectern(&f->cl, NULL, NULL, "enroll", f->w.courses[0].id, NULL) != 0 ||
	    st_lectern(&f->cl, NULL, NULL, "sync", NULL) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	fp_stop(f->proxy);
	st_world_teardown(&f->w);
	st_server_extra_args = NULL;
	free(f);
	return 0;
}

/* A setting of the replica (caller frees; NULL when absent). */
static char *
setting(struct fixture *f, const char *key)
{
	struct store_db *db = NULL;
	char *value = NULL;

	assert_int_equal(st_replica_open(&f->cl, &db), 0);
	assert_int_equal(store_setting_get(db, key, &value), 0);
	store_db_close(db);
	return value;
}

static void
set_setting(struct fixture *f, const char *key, const char *value)
{
	struct store_db *db = NULL;

	assert_int_equal(st_replica_open(&f->cl, &db), 0);
	if (value != NULL)
		assert_int_equal(store_setting_set(db, key, value), 0);
	else
		assert_int_equal(store_setting_delete(db, key), 0);
	store_db_close(db);
}

/* Runs `lectern sync` and returns the proxy's counters for it. */
static int
counted_sync(struct fixture *f, struct fp_stats *st)
{
	int rc;

	fp_reset_stats(f->proxy);
	rc = st_lectern(&f->cl, NULL, NULL, "sync", NULL);
	fp_stats(f->proxy, st);
	return rc;
}

/* The token pair changed and the expiry is known: the answer's "auth" was stored. */
static void
expect_rotated(struct fixture *f, const char *old_refresh)
{
	char *now = setting(f, "refresh_token"), *expires = setting(f, "access_expires");

	assert_non_null(now);
	assert_string_not_equal(now, old_refresh);
	assert_non_null(expires);
	assert_true(strtoll(expires, NULL, 10) > 0);
	free(now);
	free(expires);
}

/* Issue 10, cause 7: a no-op sync with an expired access token is one request. */
static void
test_sync_with_expired_access_token_is_one_request(void **state)
{
	struct fixture *f = *state;
	struct fp_stats st;

	for (int i = 0; i < 3; i++) {
		char *before = setting(f, "refresh_token");

		assert_int_equal(counted_sync(f, &st), 0);
		assert_int_equal(st.requests, 1);
		expect_rotated(f, before);
		printf("no-op sync, expired access token: %" PRId64 " request, %" PRId64
		       " B up, %" PRId64 " B down\n",
		       st.requests, st.bytes_up, st.bytes_down);
		free(before);
	}
}

/*
 * The answer to the rotating /sync is lost (the server rotated; the client never heard):
 * the next sync presents the same refresh token, which the grace rotates again, so the
 * user goes on without a new login, in one request.
 */
static void
test_lost_rotating_answer_then_next_sync_needs_no_login(void **state)
{
	struct fixture *f = *state;
	struct fp_stats st;
	char *before = setting(f, "refresh_token");

	fp_set_fault(f->proxy, FP_DROP_RESPONSE, 1, 0);
	(void)counted_sync(f, &st);
	assert_true(st.faults_applied >= 1);
	fp_set_fault(f->proxy, FP_PASS, 0, 0);
	assert_int_equal(counted_sync(f, &st), 0);
	assert_int_equal(st.requests, 1);
	expect_rotated(f, before);
	free(before);
	/* And the chain goes on. */
	assert_int_equal(counted_sync(f, &st), 0);
	assert_int_equal(st.requests, 1);
}

/* A replica from before the extension knows no expiry: it offers the refresh token. */
static void
test_unknown_expiry_offers_the_refresh_token(void **state)
{
	struct fixture *f = *state;
	struct fp_stats st;
	char *before = setting(f, "refresh_token");

	set_setting(f, "access_expires", NULL);
	assert_int_equal(counted_sync(f, &st), 0);
	assert_int_equal(st.requests, 1);
	expect_rotated(f, before);
	free(before);
}

/*
 * A replica that believes its expired token valid (a clock far off) does not offer the
 * refresh token; the 401 then costs the old round trips, and the sync still succeeds.
 */
static void
test_token_believed_valid_falls_back_to_refresh_on_401(void **state)
{
	struct fixture *f = *state;
	struct fp_stats st;
	char later[24];
	char *before = setting(f, "refresh_token");

	snprintf(later, sizeof(later), "%" PRId64, lc_now() + 3600);
	set_setting(f, "access_expires", later);
	assert_int_equal(counted_sync(f, &st), 0);
	assert_int_equal(st.requests, 3); /* 401, /auth/refresh, the retry */
	expect_rotated(f, before);
	free(before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sync_with_expired_access_token_is_one_request,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lost_rotating_answer_then_next_sync_needs_no_login,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_expiry_offers_the_refresh_token, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_token_believed_valid_falls_back_to_refresh_on_401,
	                                    setup, teardown),
	};
	return cmocka_run_group_tests_name("sync-token", tests, NULL, NULL);
}
