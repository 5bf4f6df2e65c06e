/* SPDX-License-Identifier: MIT */
/*
 * wal-growth: the -wal of a real lecternd under a sustained write load (perf review
 * 2026-11-29, bottleneck 4; issue 10 target "the WAL stays bounded under 10,000 replies,
 * per-write latency does not grow"). Starts lecternd ($LECTERND) through the integration
 * harness with a small campus, then --writers threads post --replies replies to one topic
 * (each request on a fresh connection, as h_call does) while --readers threads keep asking
 * GET /courses, so there is always a reader beside the writers. Every --block replies it
 * prints the size of the -wal and the p50/p99/max latency of that block's replies.
 *
 *   wal-growth [--replies N] [--writers N] [--readers N] [--block N]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <curl/curl.h>

#include "common/clock.h"
#include "harness.h"

static struct h_world world;
static int n_replies = 10000, n_writers = 3, n_readers = 1, block = 1000;
static atomic_int next_reply, done_replies, failures;
static atomic_bool stop_readers;
static int64_t *lat_us;    /* per reply, in the order they were started */
static long long *wal_len; /* per block: -wal size when its last reply was answered */
static char wal_path[400];

static long long
wal_size(void)
{
	struct stat st;

	return stat(wal_path, &st) == 0 ? (long long)st.st_size : 0;
}

static void *
writer(void *arg)
{
	char path[128], body[64];

	(void)arg;
	snprintf(path, sizeof(path), "/topics/%s/replies", world.course.topic_id);
	for (;;) {
		int i = atomic_fetch_add(&next_reply, 1), done;
		struct h_resp r;
		int64_t t0;

		if (i >= n_replies)
			break;
		snprintf(body, sizeof(body), "{\"body\":\"reply %d\"}", i);
		t0 = lc_monotonic_us();
		if (h_call(&world.srv, "POST", path, h_token(&world, H_ENROLLED), body, NULL, &r) !=
		        0 ||
		    r.status != 201)
			atomic_fetch_add(&failures, 1);
		lat_us[i] = lc_monotonic_us() - t0;
		h_resp_free(&r);
		done = atomic_fetch_add(&done_replies, 1) + 1;
		if (done % block == 0)
			wal_len[done / block - 1] = wal_size();
	}
	return NULL;
}

static void *
reader(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_readers)) {
		struct h_resp r;

		if (h_call(&world.srv, "GET", "/courses", h_token(&world, H_ENROLLED), NULL, NULL,
		           &r) == 0)
			h_resp_free(&r);
	}
	return NULL;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
parse_args(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		int v = (int)strtol(argv[i + 1], NULL, 10);

		if (v < 0 || (v == 0 && strcmp(argv[i], "--readers") != 0))
			return -1;
		if (strcmp(argv[i], "--replies") == 0)
			n_replies = v;
		else if (strcmp(argv[i], "--writers") == 0)
			n_writers = v;
		else if (strcmp(argv[i], "--readers") == 0)
			n_readers = v;
		else if (strcmp(argv[i], "--block") == 0)
			block = v;
		else
			return -1;
	}
	return argc % 2 == 1 && n_writers <= 64 && n_readers <= 64 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	pthread_t w[64], rd[64];
	int64_t t0, *sorted;
	int blocks;

	if (parse_args(argc, argv) != 0) {
		fprintf(stderr, "usage: wal-growth [--replies N] [--writers N] [--readers N] "
		                "[--block N]\n");
		return 2;
	}
	blocks = n_replies / block;
	lat_us = calloc((size_t)n_replies, sizeof(*lat_us));
	wal_len = calloc((size_t)blocks + 1, sizeof(*wal_len));
	sorted = calloc((size_t)block, sizeof(*sorted));
	if (lat_us == NULL || wal_len == NULL || sorted == NULL)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (h_world_up(&world) != 0) {
		fprintf(stderr, "wal-growth: cannot start lecternd\n");
		return 1;
	}
	snprintf(wal_path, sizeof(wal_path), "%s-wal", world.srv.db);
	printf("wal-growth: %d replies, %d writer and %d reader threads; -wal at start %.1f MB\n",
	       n_replies, n_writers, n_readers, (double)wal_size() / 1e6);
	t0 = lc_monotonic_us();
	for (int i = 0; i < n_readers; i++)
		pthread_create(&rd[i], NULL, reader, NULL);
	for (int i = 0; i < n_writers; i++)
		pthread_create(&w[i], NULL, writer, NULL);
	for (int i = 0; i < n_writers; i++)
		pthread_join(w[i], NULL);
	atomic_store(&stop_readers, true);
	for (int i = 0; i < n_readers; i++)
		pthread_join(rd[i], NULL);
	printf("| replies | -wal MB | p50 ms | p99 ms | max ms |\n|---:|---:|---:|---:|---:|\n");
	for (int b = 0; b < blocks; b++) {
		memcpy(sorted, lat_us + (size_t)b * (size_t)block, (size_t)block * sizeof(*sorted));
		qsort(sorted, (size_t)block, sizeof(*sorted), cmp_i64);
		printf("| %d | %.1f | %.2f | %.2f | %.2f |\n", (b + 1) * block,
		       (double)wal_len[b] / 1e6, (double)sorted[block / 2] / 1000.0,
		       (double)sorted[block * 99 / 100] / 1000.0,
		       (double)sorted[block - 1] / 1000.0);
	}
	printf("%d replies in %.1f s, %d failed\n", n_replies,
	       (double)(lc_monotonic_us() - t0) / 1e6, atomic_load(&failures));
	if (h_server_down(&world.srv) != 0)
		fprintf(stderr, "wal-growth: lecternd did not stop cleanly\n");
	curl_global_cleanup();
	free(lat_us);
	free(wal_len);
	free(sorted);
	return atomic_load(&failures) == 0 ? 0 : 1;
}
