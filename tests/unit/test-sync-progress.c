/* SPDX-License-Identifier: MIT */
/*
 * The arithmetic of sync progress (sync/progress.c): percent, total and time left from a
 * status, and the way bytes and durations read. Issue 13, "Slow and broken links"; ux
 * review 2026-11-29, F2 (the status line read "0 sent, 0 received" for a whole 11 s sync).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "store/replica.h"
#include "sync/progress.h"

static struct sync_status
syncing(int64_t down, int64_t answered, int64_t applied, int64_t left)
{
	struct sync_status st = {.state = SYNC_SYNCING, .phase = SYNC_PHASE_PULL};

	st.started_ms = 1000;
	st.bytes_up = 400;
	st.bytes_down = down;
	st.bytes_down_answered = answered;
	st.changes_applied = applied;
	st.changes_left = left;
	return st;
}

static void
test_progress_total_scales_answered_bytes_by_changes_left(void **state)
{
	/* 1,000 changes in 40 kB; 3,000 more to come: about 160 kB in all. */
	struct sync_status st = syncing(40000, 40000, 1000, 3000);
	struct sync_progress p;

	sync_progress_compute(&st, 11000, &p);
	assert_int_equal(p.done, 40000);
	assert_int_equal(p.total, 160000);
	assert_int_equal(p.percent, 25);
	/* 40 kB in 10 s is 4 kB/s; 120 kB left is 30 s, rounded up to 31. */
	assert_int_equal(p.eta_s, 31);
}

static void
test_progress_counts_the_answer_in_flight(void **state)
{
	/* Half of the second answer is in: the bytes move although no change is applied. */
	struct sync_status st = syncing(60000, 40000, 1000, 1000);
	struct sync_progress p;

	sync_progress_compute(&st, 21000, &p);
	assert_int_equal(p.total, 80000);
	assert_int_equal(p.percent, 75);
	assert_int_equal(p.eta_s, 7); /* 20 kB at 3 kB/s: 6.7 s, rounded up */
}

static void
test_progress_unknown_without_a_count(void **state)
{
	struct sync_progress p;
	struct sync_status st = syncing(5000, 5000, 100, -1);

	/* A server without "remaining": bytes only, no percent, no estimate. */
	sync_progress_compute(&st, 5000, &p);
	assert_int_equal(p.total, -1);
	assert_int_equal(p.percent, -1);
	assert_int_equal(p.eta_s, -1);
	/* Before the first answer: nothing to scale. */
	st = syncing(3000, 0, 0, -1);
	sync_progress_compute(&st, 5000, &p);
	assert_int_equal(p.percent, -1);
}

static void
test_progress_is_100_only_when_nothing_is_left(void **state)
{
	struct sync_progress p;
	/* An answer far larger than the estimate: 99 until the server says it is over. */
	struct sync_status st = syncing(500000, 40000, 1000, 10);

	sync_progress_compute(&st, 3000, &p);
	assert_int_equal(p.percent, 99);
	assert_int_equal(p.total, 500000);
	st = syncing(80000, 80000, 2000, 0);
	sync_progress_compute(&st, 3000, &p);
	assert_int_equal(p.percent, 100);
	assert_int_equal(p.total, 80000);
	assert_int_equal(p.eta_s, 0);
}

static void
test_progress_no_estimate_from_too_little_measured(void **state)
{
	struct sync_progress p;
	struct sync_status st = syncing(2000, 2000, 10, 1000);

	/* 0.5 s of a sync is mostly the handshake: no rate yet. */
	sync_progress_compute(&st, 1500, &p);
	assert_true(p.percent >= 0);
	assert_int_equal(p.eta_s, -1);
}

static void
test_progress_large_campus_does_not_overflow(void **state)
{
	struct sync_progress p;
	/* 4 GB answered over 10^7 changes, 10^9 left: the product passes int64. */
	struct sync_status st =
	    syncing(INT64_C(4000000000), INT64_C(4000000000), 10000000, INT64_C(1000000000));

	sync_progress_compute(&st, 100000, &p);
	assert_true(p.total > st.bytes_down);
	assert_int_equal(p.percent, 0);
	assert_true(p.eta_s > 0);
}

static void
test_progress_bytes_read_as_people_read_them(void **state)
{
	static const struct {
		int64_t n;
		const char *want;
	} cases[] = {
	    {0, "0 B"},
	    {-5, "0 B"},
	    {999, "999 B"},
	    {1000, "1.0 kB"},
	    {1234, "1.2 kB"},
	    {12345, "12.3 kB"},
	    {99949, "99.9 kB"},
	    {99950, "100 kB"},
	    {999499, "999 kB"},
	    {999950, "1.0 MB"},
	    {1200000, "1.2 MB"},
	    {3400000, "3.4 MB"},
	    {123456789, "123 MB"},
	    {INT64_C(5000000000), "5.0 GB"},
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sync_progress_bytes(cases[i].n, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void
test_progress_duration_rounds_up(void **state)
{
	char buf[32];

	sync_progress_duration(40, buf, sizeof(buf));
	assert_string_equal(buf, "40 s");
	sync_progress_duration(89, buf, sizeof(buf));
	assert_string_equal(buf, "89 s");
	sync_progress_duration(90, buf, sizeof(buf));
	assert_string_equal(buf, "2 min");
	sync_progress_duration(181, buf, sizeof(buf));
	assert_string_equal(buf, "4 min");
	sync_progress_duration(2 * 3600 + 5 * 60, buf, sizeof(buf));
	assert_string_equal(buf, "2 h 5 min");
	sync_progress_duration(-3, buf, sizeof(buf));
	assert_string_equal(buf, "0 s");
}

static void
test_progress_text_says_bytes_percent_and_time_left(void **state)
{
	char buf[128];
	struct sync_status st = syncing(1200000, 1000000, 1000, 2400);

	/* Total 1.0 MB + 2.4 MB; 1.2 MB in 29 s is about 41 kB/s; 2.2 MB left: 53 s. */
	sync_progress_text(&st, 30000, buf, sizeof(buf));
	assert_string_equal(buf, "Syncing: 1.2 of 3.4 MB (35%), about 54 s left");
	st.initial = true;
	sync_progress_text(&st, 30000, buf, sizeof(buf));
	assert_string_equal(buf, "Downloading your courses: 1.2 of 3.4 MB (35%), about 54 s left");
	/* Units differ: both said. */
	st = syncing(900000, 500000, 1000, 3000);
	sync_progress_text(&st, 1200, buf, sizeof(buf));
	assert_string_equal(buf, "Syncing: 900 kB of 2.0 MB (45%)");
}

static void
test_progress_text_before_the_first_answer(void **state)
{
	char buf[128];
	struct sync_status st = syncing(0, 0, 0, -1);

	st.bytes_up = 0;
	sync_progress_text(&st, 2000, buf, sizeof(buf));
	assert_string_equal(buf, "Syncing: connecting");
	st.bytes_up = 350;
	st.initial = true;
	sync_progress_text(&st, 2000, buf, sizeof(buf));
	assert_string_equal(buf, "Downloading your courses: waiting for the server");
	st.bytes_down = 12345;
	sync_progress_text(&st, 2000, buf, sizeof(buf));
	assert_string_equal(buf, "Downloading your courses: 12.3 kB received");
}

static void
test_progress_short_keeps_the_figures_in_fewer_cells(void **state)
{
	char buf[128];
	struct sync_status st = syncing(1200000, 1000000, 1000, 2400);

	sync_progress_short(&st, 30000, buf, sizeof(buf));
	assert_string_equal(buf, "Syncing 35% of 3.4 MB, 54 s left");
	st.initial = true;
	sync_progress_short(&st, 30000, buf, sizeof(buf));
	assert_string_equal(buf, "Downloading 35% of 3.4 MB, 54 s left");
	/* No rate yet: no time left. */
	sync_progress_short(&st, 1500, buf, sizeof(buf));
	assert_string_equal(buf, "Downloading 35% of 3.4 MB");
	/* No total: the long form's words, which are short already. */
	st = syncing(12345, 0, 0, -1);
	sync_progress_short(&st, 30000, buf, sizeof(buf));
	assert_string_equal(buf, "Syncing: 12.3 kB received");
}

/*
 * "The first sync" is the replica's, not a process's (ux review 2026-11-29, A16/F3): true on
 * a new replica and through a paged pull killed halfway, false once a sync ended well, and
 * false on a replica from before "synced_once" whose cursors come from a finished pull.
 */
static void
test_first_sync_until_one_ends_well(void **state)
{
	char dir[] = "/tmp/lectern-progress-XXXXXX";
	struct store_db *db = NULL;
	char *path;
	bool first = false;

	assert_non_null(mkdtemp(dir));
	path = lc_asprintf("%s/replica.db", dir);
	assert_int_equal(store_replica_open(path, &db, NULL), 0);
	assert_int_equal(sync_replica_first_sync(db, &first), 0);
	assert_true(first);
	assert_int_equal(store_setting_set(db, "sync_paged", "1"), 0); /* a batch of many */
	assert_int_equal(sync_replica_first_sync(db, &first), 0);
	assert_true(first);
	assert_int_equal(store_setting_set(db, "synced_once", "1"), 0);
	assert_int_equal(sync_replica_first_sync(db, &first), 0);
	assert_false(first); /* a later catch-up killed halfway is not a first sync */
	assert_int_equal(store_setting_delete(db, "synced_once"), 0);
	assert_int_equal(store_setting_set(db, "sync_paged", "0"), 0);
	assert_int_equal(sync_replica_first_sync(db, &first), 0);
	assert_false(first); /* an older replica that had finished a pull */
	store_db_close(db);
	for (int i = 0; i < 3; i++) {
		char *file = lc_asprintf("%s%s", path, (const char *[]){"", "-wal", "-shm"}[i]);

		unlink(file);
		free(file);
	}
	free(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_progress_total_scales_answered_bytes_by_changes_left),
	    cmocka_unit_test(test_progress_counts_the_answer_in_flight),
	    cmocka_unit_test(test_progress_unknown_without_a_count),
	    cmocka_unit_test(test_progress_is_100_only_when_nothing_is_left),
	    cmocka_unit_test(test_progress_no_estimate_from_too_little_measured),
	    cmocka_unit_test(test_progress_large_campus_does_not_overflow),
	    cmocka_unit_test(test_progress_bytes_read_as_people_read_them),
	    cmocka_unit_test(test_progress_duration_rounds_up),
	    cmocka_unit_test(test_progress_text_says_bytes_percent_and_time_left),
	    cmocka_unit_test(test_progress_text_before_the_first_answer),
	    cmocka_unit_test(test_progress_short_keeps_the_figures_in_fewer_cells),
	    cmocka_unit_test(test_first_sync_until_one_ends_well),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
