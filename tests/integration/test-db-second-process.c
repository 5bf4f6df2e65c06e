/* SPDX-License-Identifier: MIT */
/*
 * Second processes on live databases (security review 2026-11-29, CR1): a live lecternd
 * whose workers all hold connections and a live client (sync thread plus a second
 * connection) while `lecternd --create-user`, sqlite3-API readers, `lectern post` writers
 * and HTTP writes open and close the same files, 200 rounds; then SIGKILL everything,
 * restart, sync once. Every acknowledged write must be present exactly once and both files
 * must pass PRAGMA integrity_check. Before the fix, probe_header()'s close() dropped the
 * locks of the process's other connections, so the outside processes' closes deleted the
 * live -wal/-shm: acknowledged writes vanished and the files were damaged.
 * The random schedule is seeded from SYNC_TEST_SEED (printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>

#include "dbrace.h"

#define ROUNDS 200

static void
test_db_second_process_loses_no_acknowledged_write(void **state)
{
	struct dbrace_opts opts = {.rounds = ROUNDS, .kill_pct = 0};
	struct dbrace_result res;

	(void)state;
	assert_int_equal(dbrace_run(&opts, &res), 0);
	fprintf(stderr, "rounds %d, acknowledged %d, lost %d, doubled %d, bad files %d\n",
	        res.rounds, res.acknowledged, res.lost, res.doubled, res.integrity_bad);
	assert_int_equal(res.rounds, ROUNDS);
	assert_true(res.acknowledged >= ROUNDS);
	assert_int_equal(res.final_sync_rc, 0);
	assert_int_equal(res.integrity_bad, 0);
	assert_int_equal(res.lost, 0);
	assert_int_equal(res.doubled, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_db_second_process_loses_no_acknowledged_write),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
