/* SPDX-License-Identifier: MIT */
/*
 * No-op /sync throughput (issue 10, perf review 2026-11-29 cause 1). A real lecternd on
 * loopback holds a campus made through its REST API: scale 1 is 25 courses, scale 10 is
 * 250, each of 60 pages, a quiz and 20 forum topics; the learner is enrolled in 5. The
 * learner pulls everything once, then THREADS client threads (libcurl, keep-alive) send
 * compact no-op /sync requests ("since" and "scope_set") for SECONDS seconds; every answer
 * must be a 200 with no change. Prints requests per second and the p50 and p99 latency
 * per scale. A no-op should cost the same at both scales.
 *
 * Usage: sync-noop [--threads N] [--seconds S] [--scale1 COURSES] [--scales 1,10,100]
 * (scale N is N times --scale1 courses; default scales 1 and 10).
 * Needs LECTERND in the environment (meson sets it for `meson test --benchmark`).
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "sync/protocol.h"
#include "test-sync-lib.h"

#define ITEMS 60
#define TOPICS 20
#define ENROLLED 5
#define CLIENT_ID "5e5e5e5e-1111-4222-8333-444444444444"

struct worker {
	pthread_t thread;
	const char *url, *token, *body;
	int64_t until_ms;
	int64_t *lat_us; /* one per request */
	size_t n, cap;
	int failures;
};

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	lc_buf_append(arg, p, size * n);
	return size * n;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = NULL;
	char auth[1024];
	struct lc_buf resp;

	if (curl == NULL) {
		w->failures++;
		return NULL;
	}
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->token);
	headers = curl_slist_append(headers, auth);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	lc_buf_init(&resp);
	curl_easy_setopt(curl, CURLOPT_URL, w->url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, w->body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	while (lc_monotonic_ms() < w->until_ms) {
		int64_t t0 = lc_monotonic_us();
		long status = 0;

		lc_buf_finish(&resp);
		lc_buf_init(&resp);
		if (curl_easy_perform(curl) != CURLE_OK ||
		    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
		    status != 200 || resp.data == NULL ||
		    strstr(resp.data, "\"changes\":[]") == NULL) {
			w->failures++;
			continue;
		}
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 4096;
			w->lat_us = lc_realloc(w->lat_us, w->cap * sizeof(*w->lat_us));
		}
		w->lat_us[w->n++] = lc_monotonic_us() - t0;
	}
	lc_buf_finish(&resp);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct result {
	int courses;
	int64_t feed_rows;
	double per_sec;
	double p50_ms, p99_ms;
	int failures;
};

/* Pulls everything as the learner; builds the compact no-op body from the answer. */
static int
noop_body(struct st_api *learner, char *body, size_t size, int64_t *feed_seq)
{
	char req[256];
	int64_t high = 0;
	cJSON *res = NULL;
	const char *names[ST_MAX * 8];
	char hex[SYNC_SCOPE_SET_HEX_LEN + 1];
	size_t n = 0;
	const cJSON *e, *cursors;

	snprintf(req, sizeof(req), "{\"client_id\":\"%s\",\"cursors\":{},\"limit\":5000}",
	         CLIENT_ID);
	for (;;) {
		cJSON_Delete(res);
		res = NULL;
		if (st_api_call(learner, "POST", "/sync", req, &res) != 200 || res == NULL)
			return -1;
		if (!cJSON_IsTrue(cJSON_GetObjectItem(res, "more")))
			break;
		/* Only the first few pages carry data at these sizes: go on from the cursors. */
		cursors = cJSON_GetObjectItem(res, "cursors");
		{
			char *c = cJSON_PrintUnformatted(cursors);
			snprintf(req, sizeof(req),
			         "{\"client_id\":\"%s\",\"cursors\":%s,\"limit\":5000}", CLIENT_ID,
			         c);
			free(c);
		}
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(res, "scopes"))
	{
		const cJSON *c =
		    cJSON_GetObjectItem(cJSON_GetObjectItem(res, "cursors"), e->valuestring);

		if (n == sizeof(names) / sizeof(names[0]))
			break;
		names[n++] = e->valuestring;
		if (cJSON_IsNumber(c) && (int64_t)c->valuedouble > high)
			high = (int64_t)c->valuedouble;
	}
	sync_scope_set_hash(names, n, hex);
	*feed_seq = high; /* the feed's last seq: every cursor reaches it when nothing is left */
	snprintf(body, size, "{\"client_id\":\"%s\",\"since\":%lld,\"scope_set\":\"%s\"}",
	         CLIENT_ID, (long long)high, hex);
	cJSON_Delete(res);
	return 0;
}

static int
run_scale(int courses, int threads, int seconds, struct result *r)
{
	struct st_server srv = {0};
	struct st_api instructor = {0}, learner = {0};
	struct st_course *c = lc_calloc(1, sizeof(*c));
	char *dir = st_tmpdir("sync-noop");
	char url[128], body[512];
	struct worker *w = lc_calloc((size_t)threads, sizeof(*w));
	int64_t *all = NULL, t0;
	size_t total = 0;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->courses = courses;
	if (dir == NULL)
		goto out;
	snprintf(srv.dir, sizeof(srv.dir), "%s", dir);
	snprintf(srv.db, sizeof(srv.db), "%s/lecternd.db", dir);
	if (st_server_create_user(&srv, "instructor", "instructor", ST_PASSWORD) < 0 ||
	    st_server_create_user(&srv, "learner", "learner", ST_PASSWORD) < 0 ||
	    st_server_start(&srv, dir, 0, false) < 0 ||
	    st_api_login(&instructor, srv.url, "instructor", ST_PASSWORD) < 0 ||
	    st_api_login(&learner, srv.url, "learner", ST_PASSWORD) < 0)
		goto out;
	fprintf(stderr, "sync-noop: making %d courses...\n", courses);
	for (int i = 0; i < courses; i++) {
		char title[64], json[128];

		snprintf(title, sizeof(title), "Course %d of the campus", i + 1);
		if (st_make_course(&instructor, title, ITEMS, TOPICS, c) < 0)
			goto out;
		snprintf(json, sizeof(json), "{\"course_id\":\"%s\"}", c->id);
		if (i < ENROLLED &&
		    st_api_call(&learner, "POST", "/enrollments", json, NULL) != 201)
			goto out;
	}
	if (noop_body(&learner, body, sizeof(body), &r->feed_rows) < 0)
		goto out;
	snprintf(url, sizeof(url), "%s/api/v1/sync", srv.url);
	t0 = lc_monotonic_us();
	for (int i = 0; i < threads; i++) {
		w[i].url = url;
		w[i].token = learner.token;
		w[i].body = body;
		w[i].until_ms = lc_monotonic_ms() + (int64_t)seconds * 1000;
		if (pthread_create(&w[i].thread, NULL, worker_run, &w[i]) != 0)
			goto out;
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].thread, NULL);
		r->failures += w[i].failures;
		all = lc_realloc(all, (total + w[i].n + 1) * sizeof(*all));
		memcpy(all + total, w[i].lat_us, w[i].n * sizeof(*all));
		total += w[i].n;
	}
	r->per_sec = (double)total * 1e6 / (double)(lc_monotonic_us() - t0);
	if (total > 0) {
		qsort(all, total, sizeof(*all), cmp_i64);
		r->p50_ms = (double)all[total / 2] / 1000.0;
		r->p99_ms = (double)all[total * 99 / 100] / 1000.0;
	}
	rc = r->failures == 0 && total > 0 ? 0 : -1;
out:
	for (int i = 0; i < threads; i++)
		free(w[i].lat_us);
	free(w);
	free(all);
	free(c);
	st_server_stop(&srv, false);
	st_api_finish(&instructor);
	st_api_finish(&learner);
	if (dir != NULL)
		st_rmtree(dir);
	free(dir);
	return rc;
}

#define MAX_SCALES 4

/* "1,10,100" into scales[]; returns how many, or -1 when malformed. */
static int
parse_scales(const char *arg, int scales[MAX_SCALES])
{
	int n = 0;
	const char *p = arg;

	while (n < MAX_SCALES) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p || v < 1 || v > 1000)
			return -1;
		scales[n++] = (int)v;
		if (*end == '\0')
			return n;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
	return -1;
}

static int
usage(void)
{
	fprintf(stderr, "usage: sync-noop [--threads 1-64] [--seconds 1-60] [--scale1 COURSES]"
	                " [--scales 1,10,100]\n");
	return 1;
}

int
main(int argc, char **argv)
{
	int threads = 4, seconds = 5, scale1 = 25, rc = 0, n_scales = 2;
	int scales[MAX_SCALES] = {1, 10};
	struct result r[MAX_SCALES];
	double l1 = 0, l5 = 0, l15 = 0;
	char *load = NULL;

	if (argc % 2 == 0)
		return usage();
	for (int i = 1; i + 1 < argc; i += 2) {
		char *end;
		long v = strtol(argv[i + 1], &end, 10);

		if (strcmp(argv[i], "--scales") == 0) {
			n_scales = parse_scales(argv[i + 1], scales);
			if (n_scales < 0)
				return usage();
			continue;
		}
		if (*end != '\0')
			return usage();
		if (strcmp(argv[i], "--threads") == 0 && v >= 1 && v <= 64)
			threads = (int)v;
		else if (strcmp(argv[i], "--seconds") == 0 && v >= 1 && v <= 60)
			seconds = (int)v;
		else if (strcmp(argv[i], "--scale1") == 0 && v >= 1 && v <= 1000)
			scale1 = (int)v;
		else
			return usage();
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (int s = 0; s < n_scales; s++)
		if (run_scale(scale1 * scales[s], threads, seconds, &r[s]) < 0) {
			fprintf(stderr, "sync-noop: scale %d failed (%d failed requests)\n",
			        scales[s], r[s].failures);
			rc = 1;
		}
	curl_global_cleanup();
	if (lc_read_file("/proc/loadavg", &load, NULL) == 0)
		sscanf(load, "%lf %lf %lf", &l1, &l5, &l15);
	free(load);
	printf("| scale | courses | feed seq | threads | no-op /sync per s | p50 ms | p99 ms |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	for (int s = 0; s < n_scales; s++)
		printf("| %d | %d | %lld | %d | %.0f | %.2f | %.2f |\n", scales[s], r[s].courses,
		       (long long)r[s].feed_rows, threads, r[s].per_sec, r[s].p50_ms, r[s].p99_ms);
	printf("\nLoad average after measuring: %.2f %.2f %.2f (%ld cores).\n", l1, l5, l15,
	       sysconf(_SC_NPROCESSORS_ONLN));
	return rc;
}
