/* SPDX-License-Identifier: MIT */
/*
 * Killed client: over many runs, writes are queued and `lectern sync` is killed with
 * SIGKILL at a random moment while it pushes. After each kill, a fresh `lectern sync
 * --verify` must succeed (digests equal) and leave every write on the server exactly once.
 * The random schedule is printed (SYNC_TEST_SEED) so a failure can be replayed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "test-sync-lib.h"

#define RUNS 100

struct fixture {
	struct st_world w;
	struct st_ledger ledger;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (st_world_setup(&f->w, "killclient", 1, 2, 3) < 0)
		return -1;
	if (st_lectern(&f->w.cl, NULL, NULL, "enroll", f->w.courses[0].id, NULL) != 0 ||
	    st_lectern(&f->w.cl, NULL, NULL, "sync", NULL) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_ledger_finish(&f->ledger);
	st_world_teardown(&f->w);
	free(f);
	return 0;
}

/* Queues this run's writes: two replies, sometimes a topic, sometimes an edit. */
static void
queue_writes(struct fixture *f, int run, uint64_t *rng)
{
	struct st_course *c = &f->w.courses[0];

	for (int i = 0; i < 2; i++)
		assert_int_equal(
		    st_ledger_reply(&f->ledger, &f->w.cl, c->topics[st_rand(rng) % c->n_topics]),
		    0);
	if (run % 4 == 1)
		assert_int_equal(st_ledger_post(&f->ledger, &f->w.cl, c->id), 0);
	/* Edit a reply that reached the server in an earlier run (first mark of a run). */
	if (run % 5 == 4 && f->ledger.n > 8 && f->ledger.marks[f->ledger.n - 8].kind == 'r' &&
	    f->ledger.marks[f->ledger.n - 8].want == 1)
		assert_int_equal(st_ledger_edit(&f->ledger, &f->w.cl, f->ledger.n - 8), 0);
}

static void
test_sync_killed_at_random_moments_loses_and_doubles_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t rng = st_seed();
	int64_t typical_ms = 50; /* refined from the runs below */
	int killed = 0, killed_after_server_acted = 0;

	for (int run = 0; run < RUNS; run++) {
		int from = f->ledger.n, delay_ms, rc;
		int64_t t0;
		pid_t pid;

		queue_writes(f, run, &rng);
		delay_ms = (int)(st_rand(&rng) % (uint64_t)(typical_ms + 1));
		pid = st_lectern_spawn(&f->w.cl, "sync", NULL);
		assert_true(pid > 0);
		st_sleep_ms(delay_ms);
		kill(pid, SIGKILL);
		if (st_wait(pid) == 128 + SIGKILL) {
			killed++;
			/* The window that matters most: the server ran the push, the killed client
			 * may never have recorded the answers. */
			if (st_ledger_check_quiet(&f->ledger, &f->w.learner, f->w.courses[0].id,
			                          from) == 0)
				killed_after_server_acted++;
		}

		t0 = lc_monotonic_ms();
		rc = st_lectern(&f->w.cl, NULL, NULL, "sync", "--verify", NULL);
		if (rc != 0)
			print_error("run %d (kill after %d ms): sync --verify exited %d: %s\n", run,
			            delay_ms, rc, st_last_stderr());
		assert_int_equal(rc, 0);
		/* The next kill lands somewhere inside a whole sync of about this length. */
		typical_ms = (typical_ms + (lc_monotonic_ms() - t0)) / 2;
		rc = st_ledger_check(&f->ledger, &f->w.learner, f->w.courses[0].id, from);
		if (rc != 0)
			print_error("run %d (kill after %d ms): %d writes wrong\n", run, delay_ms,
			            rc);
		assert_int_equal(rc, 0);
	}
	/* Every write of every run, once more at the end (edits may have hidden older ones). */
	assert_int_equal(st_ledger_check(&f->ledger, &f->w.learner, f->w.courses[0].id, 0), 0);
	/* Nothing here is refused by the server: no write may end up listed as rejected. */
	assert_int_equal(st_replica_issues(&f->w.cl), 0);
	print_message("%d of %d syncs were killed before they finished, %d of them after the "
	              "server had run their push (typical sync %lld ms)\n",
	              killed, RUNS, killed_after_server_acted, (long long)typical_ms);
	/* Guards the test itself: most kills land while lectern runs, some after the push. */
	assert_true(killed >= RUNS / 4);
	assert_true(killed_after_server_acted >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_sync_killed_at_random_moments_loses_and_doubles_nothing, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-kill-client", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
