/* SPDX-License-Identifier: MIT */
/*
 * What a no-op `lectern sync` costs when its access token has expired (issue 10, cause 7;
 * perf review 2026-11-29: 3 requests and 1,965 B instead of 1 request and 573 B). A real
 * lecternd with --access-ttl 2 holds a small course the learner follows; before each
 * measured sync the bench waits until the access token has expired, then counts the
 * requests and bytes on the client side of the fault proxy (pass-through, heads included)
 * and the wall time on loopback. Rows:
 *
 *   after     the lectern under test: the refresh token rides on the /sync (one request)
 *   fallback  the same lectern believing its token still valid (its stored expiry moved an
 *             hour ahead): the old way, 401, POST /auth/refresh, the retry
 *   before    (with --before PATH) another lectern binary, e.g. one built from before the
 *             change, on the same replica
 *
 * The modes alternate within each run, so they share the machine's load. Prints the
 * medians and the load average.
 *
 * Usage: sync-token [--runs N] [--before PATH-TO-LECTERN]
 * Needs LECTERND and LECTERN in the environment (meson sets them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "faultproxy.h"
#include "store/replica.h"
#include "test-sync-lib.h"

#define TTL "2"
#define MAX_RUNS 50

enum mode { AFTER, FALLBACK, BEFORE, MODES };

static const char *const mode_name[MODES] = {"after", "fallback", "before"};

struct sample {
	int64_t requests, up, down, us;
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t
median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_i64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Moves the replica's stored access-token expiry an hour ahead (the fallback row). */
static int
believe_valid(const struct st_client *cl)
{
	struct store_db *db = NULL;
	char later[24];
	int rc;

	if (st_replica_open(cl, &db) != 0)
		return -1;
	snprintf(later, sizeof(later), "%" PRId64, lc_now() + 3600);
	rc = store_setting_set(db, "access_expires", later);
	store_db_close(db);
	return rc;
}

static int
measure(struct fp_proxy *proxy, const struct st_client *cl, enum mode m, const char *after_bin,
        const char *before_bin, struct sample *out)
{
	struct fp_stats st;
	int64_t t0;
	int rc;

	/* The access token from the last sync (or login) must be expired: TTL 2 s, wait 3. */
	sleep(3);
	if (m == FALLBACK && believe_valid(cl) != 0)
		return -1;
	setenv("LECTERN", m == BEFORE ? before_bin : after_bin, 1);
	fp_reset_stats(proxy);
	t0 = lc_monotonic_us();
	rc = st_lectern(cl, NULL, NULL, "sync", NULL);
	out->us = lc_monotonic_us() - t0;
	fp_stats(proxy, &st);
	setenv("LECTERN", after_bin, 1);
	if (rc != 0) {
		fprintf(stderr, "sync-token: %s: lectern sync exited %d: %s\n", mode_name[m], rc,
		        st_last_stderr());
		return -1;
	}
	out->requests = st.requests;
	out->up = st.bytes_up;
	out->down = st.bytes_down;
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const args[] = {"--access-ttl", TTL, NULL};
	struct sample s[MODES][MAX_RUNS];
	const char *before = NULL, *after;
	struct st_world w;
	struct st_client cl;
	struct fp_proxy *proxy = NULL;
	char *cause = NULL, *load = NULL;
	double l1 = 0, l5 = 0, l15 = 0;
	int runs = 5, modes, rc = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = (int)strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--before") == 0 && i + 1 < argc) {
			before = argv[++i];
		} else {
			fprintf(stderr,
			        "usage: sync-token [--runs N] [--before PATH-TO-LECTERN]\n");
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "sync-token: --runs is 1..%d\n", MAX_RUNS);
		return 2;
	}
	modes = before ? MODES : BEFORE;
	after = getenv("LECTERN");
	if (after == NULL) {
		fprintf(stderr, "sync-token: LECTERN is not set (run through meson)\n");
		return 77;
	}
	memset(&w, 0, sizeof(w));
	if (st_world_setup(&w, "bench-token", 1, 10, 5) < 0)
		goto out;
	st_server_extra_args = args;
	if (st_world_restart(&w) < 0)
		goto out;
	if (fp_start(w.srv.port, &proxy, &cause) < 0) {
		fprintf(stderr, "sync-token: fault proxy: %s\n", cause);
		goto out;
	}
	memset(&cl, 0, sizeof(cl));
	snprintf(cl.data_dir, sizeof(cl.data_dir), "%s/behind-proxy", w.dir);
	snprintf(cl.server_url, sizeof(cl.server_url), "http://127.0.0.1:%d", fp_port(proxy));
	if (st_login(&cl, "learner") < 0 ||
	    st_lectern(&cl, NULL, NULL, "enroll", w.courses[0].id, NULL) != 0 ||
	    st_lectern(&cl, NULL, NULL, "sync", NULL) != 0) {
		fprintf(stderr, "sync-token: the first sync failed: %s\n", st_last_stderr());
		goto out;
	}
	for (int r = 0; r < runs; r++)
		for (int m = 0; m < modes; m++)
			if (measure(proxy, &cl, (enum mode)m, after, before, &s[m][r]) != 0)
				goto out;
	if (lc_read_file("/proc/loadavg", &load, NULL) == 0)
		sscanf(load, "%lf %lf %lf", &l1, &l5, &l15);
	printf("no-op lectern sync with an expired access token (--access-ttl %s), %d runs, "
	       "medians; load average %.2f %.2f %.2f\n\n",
	       TTL, runs, l1, l5, l15);
	printf("| client | requests | bytes up | bytes down | bytes total | loopback wall ms |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	for (int m = 0; m < modes; m++) {
		int64_t req[MAX_RUNS], up[MAX_RUNS], down[MAX_RUNS], tot[MAX_RUNS], us[MAX_RUNS];

		for (int r = 0; r < runs; r++) {
			req[r] = s[m][r].requests;
			up[r] = s[m][r].up;
			down[r] = s[m][r].down;
			tot[r] = s[m][r].up + s[m][r].down;
			us[r] = s[m][r].us;
		}
		printf("| %s | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %.1f |\n",
		       mode_name[m], median(req, runs), median(up, runs), median(down, runs),
		       median(tot, runs), (double)median(us, runs) / 1000.0);
	}
	rc = 0;
out:
	free(cause);
	free(load);
	fp_stop(proxy);
	st_world_teardown(&w);
	return rc;
}
