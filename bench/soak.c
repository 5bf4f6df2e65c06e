/* SPDX-License-Identifier: MIT */
/*
 * soak: second processes and SIGKILL on live databases (security review 2026-11-29, CR1).
 * Runs the race of tests/integration/dbrace.c many times with random SIGKILLs of the
 * server, the live client (sync thread + second connection), `lectern post` writers and
 * outside sqlite3 readers, and prints one table row per run and a total:
 *
 *     rounds, acknowledged, lost, doubled
 *
 * A write is acknowledged when the server answered 2xx, when `lectern post` exited 0 (the
 * write must then reach the server after the final sync), or when `lecternd --create-user`
 * exited 0. Not run in CI (it takes minutes): `meson test -C build --benchmark soak` or
 * `LECTERND=... LECTERN=... build/bench/soak --rounds 1000`.
 *
 * Options: --rounds N (1000), --per-run N (100 rounds per world, each ending in a SIGKILL
 * of everything, a restart and a sync), --kill-pct P (20: chance per round of a mid-run
 * SIGKILL), --seed S (SYNC_TEST_SEED also works; printed).
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbrace.h"
#include "test-sync-lib.h"

static int
int_arg(const char *s, int lo, int hi, const char *name)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "soak: %s must be %d..%d\n", name, lo, hi);
		exit(2);
	}
	return (int)v;
}

int
main(int argc, char **argv)
{
	int rounds = 1000, per_run = 100, kill_pct = 20, failed = 0;
	uint64_t seed = 0, rnd;
	struct dbrace_result total = {0};
	struct timespec t0, t1;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--rounds") == 0)
			rounds = int_arg(argv[i + 1], 1, 1000000, "--rounds");
		else if (strcmp(argv[i], "--per-run") == 0)
			per_run = int_arg(argv[i + 1], 1, 100000, "--per-run");
		else if (strcmp(argv[i], "--kill-pct") == 0)
			kill_pct = int_arg(argv[i + 1], 0, 100, "--kill-pct");
		else if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[i + 1], NULL, 10);
		else {
			fprintf(stderr, "usage: soak [--rounds N] [--per-run N] [--kill-pct P] "
			                "[--seed S]\n");
			return 2;
		}
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rnd = seed != 0 ? seed : st_seed();
	printf("soak: seed %" PRIu64 ", %d rounds, %d per run, kill %d%%\n", rnd, rounds, per_run,
	       kill_pct);
	printf(
	    "| run | rounds | acknowledged | lost | doubled | kills | bad files | final sync |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int run = 1; total.rounds < rounds; run++) {
		struct dbrace_opts o = {.kill_pct = kill_pct, .seed = st_rand(&rnd) | 1};
		struct dbrace_result r;

		o.rounds = rounds - total.rounds < per_run ? rounds - total.rounds : per_run;
		if (dbrace_run(&o, &r) < 0) {
			printf("| %d | the world could not be set up | | | | | | |\n", run);
			failed++;
			if (failed > 3)
				break;
			continue;
		}
		printf("| %d | %d | %d | %d | %d | %d | %d | %d |\n", run, r.rounds, r.acknowledged,
		       r.lost, r.doubled, r.kills, r.integrity_bad, r.final_sync_rc);
		fflush(stdout);
		total.rounds += r.rounds;
		total.acknowledged += r.acknowledged;
		total.lost += r.lost;
		total.doubled += r.doubled;
		total.kills += r.kills;
		total.integrity_bad += r.integrity_bad;
		total.final_sync_rc += r.final_sync_rc != 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("\n| rounds | acknowledged | lost | doubled |\n|---|---|---|---|\n");
	printf("| %d | %d | %d | %d |\n", total.rounds, total.acknowledged, total.lost,
	       total.doubled);
	printf("\nmid-run SIGKILLs %d, damaged files %d, failed final syncs %d, %.0f s\n",
	       total.kills, total.integrity_bad, total.final_sync_rc,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	curl_global_cleanup();
	return total.lost == 0 && total.doubled == 0 && total.integrity_bad == 0 &&
	               total.final_sync_rc == 0 && failed == 0
	           ? 0
	           : 1;
}
