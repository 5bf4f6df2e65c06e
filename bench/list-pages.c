/* SPDX-License-Identifier: MIT */
/*
 * list-pages: what the first page of GET /courses costs as the catalog grows (perf review
 * 2026-11-29, cause 2; issue 10's target "any page of any list endpoint costs the same
 * whatever the size of the catalog").
 *
 * For each scale (1x and 10x of --courses, default 200, the perf review's campus), a real
 * lecternd ($LECTERND) on loopback holds a catalog of that many courses (4 in 5 published,
 * the rest drafts and archived, so the visibility rule has rows to drop), written straight
 * into its database while it is stopped. Then --threads keep-alive clients (default 4) send
 * GET /api/v1/courses?page=1 as a signed-in learner for --seconds (default 5). Prints
 * requests per second and p50/p99 latency per scale, and the load average.
 *
 * --encoding zstd (or gzip) has the clients ask for that coding, as lectern does: the page
 * is then compressed by lecternd, at the level it picks by size (issue 10, docs/benchmarks.md
 * "Compression level by size"). Without it the answers are identity.
 *
 * Usage: list-pages [--courses N] [--threads T] [--seconds S] [--encoding E]
 * (asserts nothing)
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "test-sync-lib.h"

#define MAX_THREADS 16
#define MAX_SAMPLES 2000000

struct load {
	char url[160];
	char auth[600];
	int64_t deadline_us;
	double *lat_ms; /* MAX_SAMPLES, shared */
	atomic_long n;
	atomic_long errors;
	const char *encoding; /* Accept-Encoding, or NULL for identity */
};

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void *
client_thread(void *arg)
{
	struct load *l = arg;
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;

	if (c == NULL) {
		atomic_fetch_add(&l->errors, 1);
		return NULL;
	}
	h = curl_slist_append(h, l->auth);
	curl_easy_setopt(c, CURLOPT_URL, l->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (l->encoding != NULL)
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, l->encoding);
	while (lc_monotonic_us() < l->deadline_us) {
		int64_t t0 = lc_monotonic_us();
		long status = 0;

		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status != 200) {
			atomic_fetch_add(&l->errors, 1);
			continue;
		}
		long i = atomic_fetch_add(&l->n, 1);
		if (i < MAX_SAMPLES)
			l->lat_ms[i] = (double)(lc_monotonic_us() - t0) / 1000.0;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

/* Writes n courses into the stopped server's database. */
static int
fill_catalog(const char *db_path, int n)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    db,
		    "INSERT INTO courses (id, title, description, keywords, status, "
		    "created_at, updated_at) VALUES (?1, ?2, ?3, "
		    "'[\"bench\",\"catalog\"]', ?4, ?5, ?5)",
		    -1, &st, NULL);
	for (int i = 0; rc == SQLITE_OK && i < n; i++) {
		static const char *const statuses[] = {
		    "published", "published", "published", "draft",    "published",
		    "published", "published", "published", "archived", "published"};
		char id[LC_UUID_LEN + 1], title[64], at[32];

		lc_uuid_new(id);
		snprintf(title, sizeof title, "Catalog course %d", i);
		snprintf(at, sizeof at, "2026-01-%02dT%02d:%02d:%02dZ", 1 + i / 86400,
		         i / 3600 % 24, i / 60 % 60, i % 60);
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3,
		                  "A course of the generated catalog, with a description of a "
		                  "realistic length so the page has something to render.",
		                  -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, statuses[i % 10], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, at, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		fprintf(stderr, "list-pages: fill %s: %s\n", db_path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One scale: a fresh server with n courses, the load, one table row. */
static int
run_scale(int n, int threads, int seconds, const char *encoding, double *lat)
{
	char *dir = st_tmpdir("list-pages");
	struct st_server srv = {0};
	struct st_api api = {0};
	struct load l = {.lat_ms = lat, .encoding = encoding};
	pthread_t tid[MAX_THREADS];
	long count;
	int rc = -1;

	if (dir == NULL || st_server_start(&srv, dir, 0, false) != 0)
		goto out;
	st_server_stop(&srv, false);
	if (st_server_create_user(&srv, "reader", "learner", ST_PASSWORD) != 0 ||
	    fill_catalog(srv.db, n) != 0 || st_server_start(&srv, dir, 0, false) != 0 ||
	    st_api_login(&api, srv.url, "reader", ST_PASSWORD) != 0)
		goto out;
	snprintf(l.url, sizeof l.url, "%s/api/v1/courses?page=1", srv.url);
	snprintf(l.auth, sizeof l.auth, "Authorization: Bearer %s", api.token);
	l.deadline_us = lc_monotonic_us() + (int64_t)seconds * 1000000;
	for (int i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, client_thread, &l) != 0)
			threads = i;
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	count = atomic_load(&l.n) < MAX_SAMPLES ? atomic_load(&l.n) : MAX_SAMPLES;
	if (count == 0)
		goto out;
	qsort(lat, (size_t)count, sizeof(*lat), cmp_double);
	printf("| %6d | %7d | %9.0f | %7.2f | %7.2f | %6ld |\n", n, threads,
	       (double)atomic_load(&l.n) / seconds, lat[count / 2], lat[count * 99 / 100],
	       atomic_load(&l.errors));
	fflush(stdout);
	rc = 0;
out:
	st_api_finish(&api);
	st_server_stop(&srv, false);
	st_rmtree(dir);
	free(dir);
	return rc;
}

int
main(int argc, char **argv)
{
	int courses = 200, threads = 4, seconds = 5;
	const char *encoding = NULL;
	double *lat;
	char *load = NULL;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		long x;
		char *end;

		if (v == NULL) {
			fprintf(stderr,
			        "usage: list-pages [--courses N] [--threads T] [--seconds S] "
			        "[--encoding zstd|gzip]\n");
			return 2;
		}
		if (strcmp(argv[i], "--encoding") == 0 &&
		    (strcmp(v, "zstd") == 0 || strcmp(v, "gzip") == 0)) {
			encoding = v;
			i++;
			continue;
		}
		x = strtol(v, &end, 10);
		if (*end != '\0' || x < 1 || x > 1000000) {
			fprintf(stderr, "list-pages: bad value %s\n", v);
			return 2;
		}
		if (strcmp(argv[i], "--courses") == 0)
			courses = (int)x;
		else if (strcmp(argv[i], "--threads") == 0 && x <= MAX_THREADS)
			threads = (int)x;
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = (int)x;
		else {
			fprintf(stderr, "list-pages: unknown or bad option %s\n", argv[i]);
			return 2;
		}
		i++;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	lat = lc_calloc(MAX_SAMPLES, sizeof(*lat));
	printf("GET /api/v1/courses?page=1 (20 per page) as a learner, %d keep-alive clients, %d "
	       "s per scale, %s\n\n",
	       threads, seconds, encoding != NULL ? encoding : "identity");
	printf("| courses | clients | req/s | p50 ms | p99 ms | errors |\n");
	printf("|---:|---:|---:|---:|---:|---:|\n");
	for (int scale = 1; scale <= 10 && rc == 0; scale *= 10)
		rc = run_scale(courses * scale, threads, seconds, encoding, lat);
	if (lc_read_file("/proc/loadavg", &load, NULL) == 0)
		printf("\nload average after: %s", load);
	free(load);
	free(lat);
	curl_global_cleanup();
	return rc == 0 ? 0 : 1;
}
