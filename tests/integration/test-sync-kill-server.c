/* SPDX-License-Identifier: MIT */
/*
 * Killed server: over many runs, writes are queued, `lectern sync` starts, and lecternd is
 * killed with SIGKILL at a random moment while the client pushes, then restarted on the
 * same port and database. A fresh `lectern sync --verify` must then succeed (digests equal)
 * and leave every write on the server exactly once. The random schedule is printed
 * (SYNC_TEST_SEED) so a failure can be replayed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "test-sync-lib.h"

#define RUNS 60

struct fixture {
	struct st_world w;
	struct st_ledger ledger;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (st_world_setup(&f->w, "killserver", 1, 2, 3) < 0)
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
	/* Every third run pushes a bigger batch: the server works longer on it, which widens
	 * the window between its commit and its answer where the kill matters most. */
	int replies = run % 3 == 2 ? 10 : 2;

	for (int i = 0; i < replies; i++)
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
test_server_killed_mid_push_loses_and_doubles_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t rng = st_seed();
	int64_t typical_ms = 50; /* refined from the runs below */
	int interrupted = 0, committed_unanswered = 0;

	for (int run = 0; run < RUNS; run++) {
		int from = f->ledger.n, delay_ms, rc, client_rc;
		int64_t t0;
		pid_t pid;

		queue_writes(f, run, &rng);
		delay_ms = (int)(st_rand(&rng) % (uint64_t)(typical_ms + 1));
		pid = st_lectern_spawn(&f->w.cl, "sync", NULL);
		assert_true(pid > 0);
		st_sleep_ms(delay_ms);
		st_server_stop(&f->w.srv, true);
		client_rc = st_wait(pid);
		/* The client must end on its own, never crash, whatever it saw. */
		assert_true(client_rc >= 0 && client_rc < 128);
		if (client_rc != 0)
			interrupted++;
		assert_int_equal(st_world_restart(&f->w), 0);
		/* The window that matters most: the push was committed, the answer was lost. */
		if (client_rc != 0 &&
		    st_ledger_check_quiet(&f->ledger, &f->w.learner, f->w.courses[0].id, from) == 0)
			committed_unanswered++;

		t0 = lc_monotonic_ms();
		rc = st_lectern(&f->w.cl, NULL, NULL, "sync", "--verify", NULL);
		if (rc != 0)
			print_error(
			    "run %d (server killed after %d ms): sync --verify exited %d: %s\n",
			    run, delay_ms, rc, st_last_stderr());
		assert_int_equal(rc, 0);
		typical_ms = (typical_ms + (lc_monotonic_ms() - t0)) / 2;
		rc = st_ledger_check(&f->ledger, &f->w.learner, f->w.courses[0].id, from);
		if (rc != 0)
			print_error("run %d (server killed after %d ms): %d writes wrong\n", run,
			            delay_ms, rc);
		assert_int_equal(rc, 0);
	}
	assert_int_equal(st_ledger_check(&f->ledger, &f->w.learner, f->w.courses[0].id, 0), 0);
	/* Nothing here is refused by the server: no write may end up listed as rejected. */
	assert_int_equal(st_replica_issues(&f->w.cl), 0);
	print_message("%d of %d syncs saw the server die, %d of them after it had committed "
	              "their push (typical sync %lld ms)\n",
	              interrupted, RUNS, committed_unanswered, (long long)typical_ms);
	/* Guards the test itself: the kills must land while the client talks to the server. */
	assert_true(interrupted >= RUNS / 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_server_killed_mid_push_loses_and_doubles_nothing,
	                                    setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-kill-server", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
