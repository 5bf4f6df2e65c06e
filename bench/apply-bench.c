/* SPDX-License-Identifier: MIT */
/*
 * The initial `lectern sync` into an empty data dir, and what it writes to disk (issue 10,
 * perf review 2026-11-29, bottleneck 1: the client's apply path).
 *
 * A real lecternd on loopback holds a campus built through its REST API, shaped like the
 * perf review's (../shared/peers/dataset/gen_campus.py): at scale S, 200*S published
 * courses with a 400-character description; the learner is enrolled in 5 of them, each
 * with 10*S modules of 8 items (5 pages of about 2,000 characters, a link, a quiz of 10
 * questions, an assignment) and 20*S forum topics (600 characters) of 10 replies (300);
 * the learner has 40*S progress rows. About 2,300 docs at scale 1, 23,000 at scale 10.
 * Courses, questions, topics and replies go in through several REST clients at once, so
 * scale 10 builds in about a minute.
 *
 * Then, RUNS times, the real `lectern sync` runs into a fresh, logged-in data dir; the
 * bench waits for it with waitid(WNOWAIT) and reads the child's /proc/PID/io before reaping
 * it: wchar (every byte handed to write/pwrite, temp files included: what strace counted in
 * the review) and write_bytes - cancelled_write_bytes (bytes that reached the block layer's
 * page cache accounting and were not cancelled by a delete). The replica size is the
 * *.db plus *.db-wal in the data dir after the process exits. Prints the median run (by
 * wall time) per scale with its CPU time (user + system) and peak RSS (wait4), the ratio
 * of written bytes to the replica size, and search spot checks on the last replica: every
 * course, item body, topic and reply is found by its type's marker word, and sampled
 * unique words find exactly their one doc.
 *
 * Usage: apply-bench [--runs N] [--scale1-only | --scale10-only] [--threads N]
 * Needs LECTERND and LECTERN in the environment (meson sets them for `meson test
 * --benchmark`).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "store/replica.h"
#include "test-sync-lib.h"

#define ENROLLED 5
#define MAX_RUNS 9
#define SPOT_WORDS 8

/* ---- Text ------------------------------------------------------------------------------- */

static const char *const syllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "te", "vo",
                                        "bi", "da", "fu", "go", "he", "ji", "pa", "to"};

/* Appends about len characters of words from a fixed syllable set (never "zz" or a digit). */
static void
put_text(struct lc_buf *b, uint64_t *rng, size_t len)
{
	size_t start = b->len;

	while (b->len - start < len) {
		int n = 1 + (int)(st_rand(rng) % 3);

		for (int i = 0; i < n; i++)
			lc_buf_puts(b, syllables[st_rand(rng) % 16]);
		lc_buf_putc(b, (st_rand(rng) % 12) == 0 ? '.' : ' ');
		if (b->data[b->len - 1] == '.')
			lc_buf_putc(b, ' ');
	}
}

/*
 * A JSON object text: {"<k1>":"<marker> tok<serial> <words>", ...}. Words are JSON-safe, so
 * no escaping is needed. The serial word is unique across the campus.
 */
static char *
doc_json(uint64_t *rng, const char *title, const char *marker, long serial, const char *text_key,
         size_t text_len, const char *extra)
{
	struct lc_buf b = {0};

	lc_buf_puts(&b, "{");
	if (title != NULL) {
		lc_buf_puts(&b, "\"title\":\"");
		lc_buf_puts(&b, title);
		lc_buf_puts(&b, "\",");
	}
	lc_buf_printf(&b, "\"%s\":\"%s tok%ldq ", text_key, marker, serial);
	put_text(&b, rng, text_len);
	lc_buf_puts(&b, "\"");
	if (extra != NULL)
		lc_buf_puts(&b, extra);
	lc_buf_puts(&b, "}");
	return lc_buf_steal(&b);
}

/* ---- Parallel REST jobs -------------------------------------------------------------------- */

struct job {
	const char *method;
	char path[128];
	char *body;   /* owned */
	bool publish; /* then POST /courses/{the new id}/publish */
	cJSON *resp;  /* the first answer */
	long status;
};

struct pool {
	struct job *jobs;
	size_t n, next;
	pthread_mutex_t lock;
	const char *url;
	const char *user;
	int failures;
};

static void *
pool_worker(void *arg)
{
	struct pool *p = arg;
	struct st_api api = {0};

	if (st_api_login(&api, p->url, p->user, ST_PASSWORD) < 0) {
		pthread_mutex_lock(&p->lock);
		p->failures++;
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	for (;;) {
		struct job *j;
		char then[192];
		const cJSON *id;

		pthread_mutex_lock(&p->lock);
		j = p->next < p->n ? &p->jobs[p->next++] : NULL;
		pthread_mutex_unlock(&p->lock);
		if (j == NULL)
			break;
		j->status = st_api_call(&api, j->method, j->path, j->body, &j->resp);
		id = cJSON_GetObjectItemCaseSensitive(j->resp, "id");
		if (j->status == 201 && j->publish && cJSON_IsString(id)) {
			snprintf(then, sizeof(then), "/courses/%s/publish", id->valuestring);
			if (st_api_call(&api, "POST", then, NULL, NULL) != 200)
				j->status = -2;
		}
		if (j->status != 201 && j->status != 200) {
			fprintf(stderr, "apply-bench: %s %s: %ld\n", j->method, j->path, j->status);
			pthread_mutex_lock(&p->lock);
			p->failures++;
			pthread_mutex_unlock(&p->lock);
		}
	}
	st_api_finish(&api);
	return NULL;
}

/* Runs the jobs on `threads` REST clients logged in as user; 0 when every one succeeded. */
static int
pool_run(struct job *jobs, size_t n, const char *url, const char *user, int threads)
{
	struct pool p = {.jobs = jobs, .n = n, .url = url, .user = user};
	pthread_t tid[16];
	int started = 0;

	pthread_mutex_init(&p.lock, NULL);
	for (int i = 0; i < threads && i < 16; i++)
		if (pthread_create(&tid[i], NULL, pool_worker, &p) == 0)
			started++;
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.lock);
	return p.failures == 0 && started > 0 ? 0 : -1;
}

static void
jobs_free(struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].body);
		cJSON_Delete(jobs[i].resp);
	}
	free(jobs);
}

static const char *
resp_id(const cJSON *resp)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(resp, "id");

	return cJSON_IsString(id) ? id->valuestring : NULL;
}

/* ---- The campus ---------------------------------------------------------------------------- */

struct campus {
	int scale;
	long serial;   /* unique word counter */
	long n_course; /* docs carrying each marker */
	long n_item_body;
	long n_topic;
	long n_reply;
	long spot[SPOT_WORDS]; /* serials of sampled docs */
	const char *spot_type[SPOT_WORDS];
};

/* Remembers one serial of each kind for the spot checks. */
static void
spot(struct campus *c, int slot, const char *type)
{
	if (slot < SPOT_WORDS && c->spot_type[slot] == NULL) {
		c->spot[slot] = c->serial;
		c->spot_type[slot] = type;
	}
}

static int
build_campus(struct campus *c, const char *url, struct st_api *learner, int threads)
{
	int s = c->scale;
	uint64_t rng = 20261129;
	size_t n_courses = (size_t)(200 * s), n_mod = (size_t)(ENROLLED * 10 * s), n = n_courses;
	struct job *jobs = lc_calloc(n_courses, sizeof(*jobs));
	struct job *more = NULL; /* n_mod jobs when not NULL */
	char enrolled[ENROLLED][ST_ID_LEN + 1];
	char(*quiz)[ST_ID_LEN + 1] = lc_calloc(n_mod, sizeof(*quiz));
	char(*pages)[ST_ID_LEN + 1] = lc_calloc(n_mod * 5, sizeof(*pages));
	char(*topics)[ST_ID_LEN + 1] = lc_calloc((size_t)(ENROLLED * 20 * s), sizeof(*topics));
	size_t n_pages = 0, n_topics = 0;
	int rc = -1;

	/* Courses, created and published. */
	for (size_t i = 0; i < n_courses; i++) {
		char title[64];

		snprintf(title, sizeof(title), "Course %zu of the campus", i + 1);
		c->serial++;
		spot(c, 0, "course");
		jobs[i].method = "POST";
		snprintf(jobs[i].path, sizeof(jobs[i].path), "/courses");
		jobs[i].body =
		    doc_json(&rng, title, "zzcourse", c->serial, "description", 400, NULL);
		jobs[i].publish = true;
	}
	c->n_course = (long)n_courses;
	if (pool_run(jobs, n_courses, url, "instructor", threads) < 0)
		goto out;
	for (int e = 0; e < ENROLLED; e++) {
		char body[256];

		snprintf(enrolled[e], sizeof(enrolled[e]), "%s", resp_id(jobs[e].resp));
		snprintf(body, sizeof(body), "{\"course_id\":\"%s\"}", enrolled[e]);
		if (st_api_call(learner, "POST", "/enrollments", body, NULL) != 201)
			goto out;
	}
	jobs_free(jobs, n_courses);
	jobs = NULL;

	/* Modules, then their 8 items in one array each. */
	more = lc_calloc(n_mod, sizeof(*more));
	for (size_t m = 0; m < n_mod; m++) {
		char title[64];

		snprintf(title, sizeof(title), "{\"title\":\"Module %zu\"}",
		         m % (size_t)(10 * s) + 1);
		more[m].method = "POST";
		snprintf(more[m].path, sizeof(more[m].path), "/courses/%s/modules",
		         enrolled[m / (size_t)(10 * s)]);
		more[m].body = lc_strdup(title);
	}
	if (pool_run(more, n_mod, url, "instructor", threads) < 0)
		goto out;
	n = n_mod;
	jobs = lc_calloc(n, sizeof(*jobs));
	for (size_t m = 0; m < n_mod; m++) {
		static const char *const kinds[] = {"page", "page", "page",       "page",
		                                    "link", "quiz", "assignment", "page"};
		struct lc_buf b = {0};

		lc_buf_putc(&b, '[');
		for (int k = 0; k < 8; k++) {
			char title[64], extra[96] = "";
			char *one;

			snprintf(title, sizeof(title), "Item %d of module %zu", k + 1, m + 1);
			if (strcmp(kinds[k], "link") == 0)
				snprintf(extra, sizeof(extra),
				         ",\"url\":\"https://example.org/%zu\"", m);
			c->serial++;
			spot(c, 1, "item");
			one = doc_json(&rng, title, "zzitem", c->serial, "body",
			               strcmp(kinds[k], "page") == 0 ? 2000 : 300, extra);
			/* Add the kind inside the object. */
			lc_buf_printf(&b, "%s{\"kind\":\"%s\",%s", k > 0 ? "," : "", kinds[k],
			              one + 1);
			free(one);
			c->n_item_body++;
		}
		lc_buf_putc(&b, ']');
		jobs[m].method = "POST";
		snprintf(jobs[m].path, sizeof(jobs[m].path), "/modules/%s/items",
		         resp_id(more[m].resp));
		jobs[m].body = lc_buf_steal(&b);
	}
	if (pool_run(jobs, n_mod, url, "instructor", threads) < 0)
		goto out;
	for (size_t m = 0; m < n_mod; m++) {
		const cJSON *it;
		int k = 0;

		cJSON_ArrayForEach(it, jobs[m].resp)
		{
			const char *id = resp_id(it);

			if (id == NULL)
				goto out;
			if (k == 5)
				snprintf(quiz[m], ST_ID_LEN + 1, "%s", id);
			else if (k < 4 || k == 7)
				snprintf(pages[n_pages++], ST_ID_LEN + 1, "%s", id);
			k++;
		}
	}
	jobs_free(jobs, n_mod);
	jobs_free(more, n_mod);
	jobs = more = NULL;

	/* Questions (not searched), topics, then replies. */
	n = n_mod * 10;
	jobs = lc_calloc(n, sizeof(*jobs));
	for (size_t q = 0; q < n; q++) {
		struct lc_buf b = {0};

		lc_buf_puts(&b, "{\"kind\":\"single\",\"answer\":0,\"choices\":[\"one\",\"two\","
		                "\"three\",\"four\"],\"prompt\":\"");
		put_text(&b, &rng, 150);
		lc_buf_puts(&b, "?\"}");
		jobs[q].method = "POST";
		snprintf(jobs[q].path, sizeof(jobs[q].path), "/items/%s/questions", quiz[q / 10]);
		jobs[q].body = lc_buf_steal(&b);
	}
	if (pool_run(jobs, n, url, "instructor", threads) < 0)
		goto out;
	jobs_free(jobs, n);
	n = (size_t)(ENROLLED * 20 * s);
	jobs = lc_calloc(n, sizeof(*jobs));
	for (size_t t = 0; t < n; t++) {
		char title[64];

		snprintf(title, sizeof(title), "Topic %zu of the forum", t + 1);
		c->serial++;
		spot(c, 2, "topic");
		jobs[t].method = "POST";
		snprintf(jobs[t].path, sizeof(jobs[t].path), "/courses/%s/topics",
		         enrolled[t / (size_t)(20 * s)]);
		jobs[t].body = doc_json(&rng, title, "zztopic", c->serial, "body", 600, NULL);
	}
	c->n_topic = (long)n;
	if (pool_run(jobs, n, url, "instructor", threads) < 0)
		goto out;
	for (size_t t = 0; t < n; t++)
		snprintf(topics[n_topics++], ST_ID_LEN + 1, "%s", resp_id(jobs[t].resp));
	jobs_free(jobs, n);
	n = n_topics * 10;
	jobs = lc_calloc(n, sizeof(*jobs));
	for (size_t r = 0; r < n; r++) {
		c->serial++;
		spot(c, 3 + (int)(r * 5 / n), "reply"); /* five replies across the forum */
		jobs[r].method = "POST";
		snprintf(jobs[r].path, sizeof(jobs[r].path), "/topics/%s/replies", topics[r / 10]);
		jobs[r].body = doc_json(&rng, NULL, "zzreply", c->serial, "body", 300, NULL);
	}
	c->n_reply = (long)n;
	if (pool_run(jobs, n, url, "instructor", threads) < 0)
		goto out;
	jobs_free(jobs, n);

	/* The learner's progress. */
	n = (size_t)(40 * s);
	jobs = lc_calloc(n, sizeof(*jobs));
	for (size_t i = 0; i < n; i++) {
		jobs[i].method = "POST";
		snprintf(jobs[i].path, sizeof(jobs[i].path), "/progress");
		jobs[i].body =
		    lc_asprintf("{\"item_id\":\"%s\",\"status\":\"%s\"}", pages[(i * 7) % n_pages],
		                i % 5 == 4 ? "started" : "completed");
	}
	if (pool_run(jobs, n, url, "learner", 1) < 0)
		goto out;
	rc = 0;
out:
	jobs_free(jobs, jobs == NULL ? 0 : n);
	jobs_free(more, more == NULL ? 0 : n_mod);
	free(quiz);
	free(pages);
	free(topics);
	return rc;
}

/* ---- One measured sync ----------------------------------------------------------------------- */

struct run {
	double wall_ms;
	long long wchar, write_bytes; /* write_bytes net of cancelled_write_bytes */
	long long replica;            /* db + wal */
	long max_rss_kb;
	double cpu_ms; /* user + system */
	int exit_status;
};

static long long
io_field(const char *io, const char *name)
{
	const char *p = strstr(io, name);

	return p != NULL ? strtoll(p + strlen(name), NULL, 10) : -1;
}

static long long
replica_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long long total = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char path[1024];
		struct stat st;

		if (!((n > 3 && strcmp(de->d_name + n - 3, ".db") == 0) ||
		      (n > 7 && strcmp(de->d_name + n - 7, ".db-wal") == 0)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0)
			total += (long long)st.st_size;
	}
	closedir(d);
	return total;
}

static int
measure_sync(const struct st_client *cl, struct run *r)
{
	char path[64], *io = NULL;
	siginfo_t info;
	struct rusage ru;
	int status;
	pid_t got;
	int64_t t0 = lc_monotonic_us();
	pid_t pid = st_lectern_spawn(cl, "sync", NULL);

	memset(r, 0, sizeof(*r));
	if (pid < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return -1;
	r->wall_ms = (double)(lc_monotonic_us() - t0) / 1000.0;
	/* The zombie still holds its I/O accounting until it is reaped. */
	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	if (lc_read_file(path, &io, NULL) == 0) {
		r->wchar = io_field(io, "wchar: ");
		r->write_bytes =
		    io_field(io, "\nwrite_bytes: ") - io_field(io, "cancelled_write_bytes: ");
	}
	free(io);
	while ((got = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	if (got != pid)
		return -1;
	r->max_rss_kb = ru.ru_maxrss;
	r->cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
	            (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
	r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->replica = replica_bytes(cl->data_dir);
	return r->exit_status == 0 ? 0 : -1;
}

/* ---- Search spot checks -----------------------------------------------------------------------
 */

struct checks {
	int passed, total;
	long long docs;
};

static void
check_count(struct store_db *db, const char *word, const char *type, long want, struct checks *k)
{
	struct store_hit *hits = NULL;
	size_t n = 0;
	int rc = store_search(db, word, type, 1000000, &hits, &n);

	k->total++;
	if (rc == 0 && (long)n == want)
		k->passed++;
	else
		fprintf(stderr, "apply-bench: search %s (%s): %zu hits, want %ld\n", word,
		        type != NULL ? type : "any", n, want);
	store_hits_free(hits, n);
}

static int
spot_checks(const struct st_client *cl, const struct campus *c, struct checks *k)
{
	struct store_db *db = NULL;
	sqlite3_stmt *stmt;

	memset(k, 0, sizeof(*k));
	if (st_replica_open(cl, &db) < 0)
		return -1;
	check_count(db, "zzcourse", "course", c->n_course, k);
	check_count(db, "zzitem", "item", c->n_item_body, k);
	check_count(db, "zztopic", "topic", c->n_topic, k);
	check_count(db, "zzreply", "reply", c->n_reply, k);
	check_count(db, "zzreply", NULL, c->n_reply, k);
	for (int i = 0; i < SPOT_WORDS; i++) {
		char word[32];

		if (c->spot_type[i] == NULL)
			continue;
		snprintf(word, sizeof(word), "tok%ldq", c->spot[i]);
		check_count(db, word, c->spot_type[i], 1, k);
		check_count(db, word, NULL, 1, k);
	}
	check_count(db, "nosuchword", NULL, 0, k);
	if (store_db_prepare_new(db, "SELECT count(*) FROM resources WHERE deleted = 0", &stmt) ==
	    0) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			k->docs = sqlite3_column_int64(stmt, 0);
		sqlite3_finalize(stmt);
	}
	store_db_close(db);
	return 0;
}

/* ---- Main ---------------------------------------------------------------------------------- */

struct result {
	int scale;
	int runs;
	double build_s;
	struct run median;
	double min_ms, max_ms;
	struct checks checks;
};

static int
cmp_run(const void *a, const void *b)
{
	double x = ((const struct run *)a)->wall_ms, y = ((const struct run *)b)->wall_ms;

	return x < y ? -1 : x > y;
}

static int
run_scale(int scale, int runs, int threads, struct result *res)
{
	struct st_server srv = {0};
	struct st_api learner = {0};
	struct campus c = {.scale = scale};
	struct run r[MAX_RUNS];
	char *dir = st_tmpdir("apply-bench");
	int64_t t0 = lc_monotonic_us();
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->scale = scale;
	if (dir == NULL)
		return -1;
	snprintf(srv.dir, sizeof(srv.dir), "%s", dir);
	snprintf(srv.db, sizeof(srv.db), "%s/lecternd.db", dir);
	if (st_server_create_user(&srv, "instructor", "instructor", ST_PASSWORD) < 0 ||
	    st_server_create_user(&srv, "learner", "learner", ST_PASSWORD) < 0 ||
	    st_server_start(&srv, dir, 0, false) < 0 ||
	    st_api_login(&learner, srv.url, "learner", ST_PASSWORD) < 0)
		goto out;
	fprintf(stderr, "apply-bench: building the scale-%d campus...\n", scale);
	if (build_campus(&c, srv.url, &learner, threads) < 0)
		goto out;
	res->build_s = (double)(lc_monotonic_us() - t0) / 1e6;
	fprintf(stderr, "apply-bench: built in %.1f s; syncing %d times...\n", res->build_s, runs);
	for (int i = 0; i < runs; i++) {
		struct st_client cl = {0};

		snprintf(cl.data_dir, sizeof(cl.data_dir), "%s/client%d", dir, i);
		snprintf(cl.server_url, sizeof(cl.server_url), "%s", srv.url);
		if (st_login(&cl, "learner") < 0 || measure_sync(&cl, &r[i]) < 0) {
			fprintf(stderr, "apply-bench: lectern sync failed (%d)\n",
			        r[i].exit_status);
			goto out;
		}
		fprintf(stderr, "apply-bench: run %d: %.0f ms, wchar %lld, replica %lld\n", i + 1,
		        r[i].wall_ms, r[i].wchar, r[i].replica);
		if (i == runs - 1 && spot_checks(&cl, &c, &res->checks) < 0)
			goto out;
	}
	qsort(r, (size_t)runs, sizeof(r[0]), cmp_run);
	res->runs = runs;
	res->median = r[runs / 2];
	res->min_ms = r[0].wall_ms;
	res->max_ms = r[runs - 1].wall_ms;
	rc = res->checks.passed == res->checks.total ? 0 : -1;
out:
	st_server_stop(&srv, false);
	st_api_finish(&learner);
	st_rmtree(dir);
	free(dir);
	return rc;
}

int
main(int argc, char **argv)
{
	int runs = 3, threads = 4, first = 0, scales = 2, rc = 0;
	struct result res[2] = {0};
	double l1 = 0, l5 = 0, l15 = 0;
	char *load = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			threads = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--scale1-only") == 0)
			scales = 1;
		else if (strcmp(argv[i], "--scale10-only") == 0)
			first = 1;
		else
			runs = 0;
	}
	if (runs < 1 || runs > MAX_RUNS || threads < 1 || threads > 16) {
		fprintf(stderr, "usage: apply-bench [--runs 1-9] [--threads 1-16] [--scale1-only | "
		                "--scale10-only]\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (int s = first; s < scales; s++)
		if (run_scale(s == 0 ? 1 : 10, runs, threads, &res[s]) < 0) {
			fprintf(stderr, "apply-bench: scale %d failed\n", s == 0 ? 1 : 10);
			rc = 1;
		}
	curl_global_cleanup();
	if (lc_read_file("/proc/loadavg", &load, NULL) == 0)
		sscanf(load, "%lf %lf %lf", &l1, &l5, &l15);
	free(load);
	printf("| scale | docs | initial `lectern sync` ms, median of %d (min-max) | CPU ms | "
	       "bytes written (wchar) | write_bytes | replica (db + wal) | wchar / replica | "
	       "max RSS | search checks |\n",
	       runs);
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
	for (int s = first; s < scales; s++) {
		const struct result *r = &res[s];
		const struct run *m = &r->median;

		printf(
		    "| %d | %lld | %.0f (%.0f-%.0f) | %.0f | %lld | %lld | %lld | %.2f | %.1f MB | "
		    "%d/%d |\n",
		    r->scale, r->checks.docs, m->wall_ms, r->min_ms, r->max_ms, m->cpu_ms, m->wchar,
		    m->write_bytes, m->replica,
		    m->replica > 0 ? (double)m->wchar / (double)m->replica : 0.0,
		    (double)m->max_rss_kb / 1024.0, r->checks.passed, r->checks.total);
	}
	printf("\nLoad average after measuring: %.2f %.2f %.2f (%ld cores).\n", l1, l5, l15,
	       sysconf(_SC_NPROCESSORS_ONLN));
	return rc;
}
