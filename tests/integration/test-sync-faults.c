/* SPDX-License-Identifier: MIT */
/*
 * A faulty network between `lectern` and `lecternd`: the fault proxy (faultproxy.c) sits on
 * loopback and, round after round, drops /sync responses after the server has acted, cuts
 * them mid-body, cuts requests, delays them, repeats them, or refuses them. After each
 * round's faulty sync a clean `lectern sync --verify` must succeed and every write must be on
 * the server exactly once: nothing lost, nothing doubled, the replica converged.
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

#include "faultproxy.h"
#include "test-sync-lib.h"

#define ROUNDS 200

struct fixture {
	struct st_world w;
	struct st_ledger ledger;
	struct fp_proxy *proxy;
	struct st_client cl; /* the learner's replica, behind the proxy */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL;

	*state = f;
	if (st_world_setup(&f->w, "faults", 1, 2, 3) < 0)
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
	st_ledger_finish(&f->ledger);
	st_world_teardown(&f->w);
	free(f);
	return 0;
}

static void
queue_writes(struct fixture *f, int round, uint64_t *rng)
{
	struct st_course *c = &f->w.courses[0];
	int n = 1 + (int)(st_rand(rng) % 2);

	for (int i = 0; i < n; i++)
		assert_int_equal(
		    st_ledger_reply(&f->ledger, &f->cl, c->topics[st_rand(rng) % c->n_topics]), 0);
	if (round % 10 == 3)
		assert_int_equal(st_ledger_post(&f->ledger, &f->cl, c->id), 0);
	if (round % 7 == 6 && f->ledger.n > 6 && f->ledger.marks[f->ledger.n - 6].kind == 'r' &&
	    f->ledger.marks[f->ledger.n - 6].want == 1)
		assert_int_equal(st_ledger_edit(&f->ledger, &f->cl, f->ledger.n - 6), 0);
}

static void
test_dropped_cut_delayed_repeated_syncs_lose_and_double_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t rng = st_seed();
	int seen[FP_FAULT_COUNT] = {0};
	int exits[4] = {0}; /* 0, 2, other, crash */

	for (int round = 0; round < ROUNDS; round++) {
		enum fp_fault fault = (enum fp_fault)(1 + st_rand(&rng) % (FP_FAULT_COUNT - 1));
		int count = 1 + (int)(st_rand(&rng) % 3);
		int delay = 10 + (int)(st_rand(&rng) % 150);
		int from = f->ledger.n, rc;

		queue_writes(f, round, &rng);
		fp_set_fault(f->proxy, fault, count, delay);
		rc = st_lectern(&f->cl, NULL, NULL, "sync", NULL);
		seen[fault]++;
		exits[rc == 0 ? 0 : rc == 2 ? 1 : rc < 128 ? 2 : 3]++;
		if (rc >= 128 || rc < 0)
			print_error("round %d (%s x%d): lectern sync died with %d: %s\n", round,
			            fp_fault_name(fault), count, rc, st_last_stderr());
		assert_true(rc >= 0 && rc < 128);

		fp_set_fault(f->proxy, FP_PASS, 0, 0);
		rc = st_lectern(&f->cl, NULL, NULL, "sync", "--verify", NULL);
		if (rc != 0)
			print_error("round %d (%s x%d): clean sync --verify exited %d: %s\n", round,
			            fp_fault_name(fault), count, rc, st_last_stderr());
		assert_int_equal(rc, 0);
		rc = st_ledger_check(&f->ledger, &f->w.learner, f->w.courses[0].id, from);
		if (rc != 0)
			print_error("round %d (%s x%d): %d writes wrong\n", round,
			            fp_fault_name(fault), count, rc);
		assert_int_equal(rc, 0);
		rc = st_replica_issues(&f->cl);
		if (rc != 0)
			print_error("round %d (%s x%d): %d sync issues listed\n", round,
			            fp_fault_name(fault), count, rc);
		assert_int_equal(rc, 0);
	}
	assert_int_equal(st_ledger_check(&f->ledger, &f->w.learner, f->w.courses[0].id, 0), 0);
	/* Nothing here is refused by the server: no write may end up listed as rejected. */
	assert_int_equal(st_replica_issues(&f->cl), 0);
	for (int i = 1; i < FP_FAULT_COUNT; i++) {
		print_message("%-14s %d rounds\n", fp_fault_name((enum fp_fault)i), seen[i]);
		assert_true(seen[i] > 0);
	}
	print_message("faulty syncs exited 0: %d, 2: %d, other: %d\n", exits[0], exits[1],
	              exits[2]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_dropped_cut_delayed_repeated_syncs_lose_and_double_nothing, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-faults", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
