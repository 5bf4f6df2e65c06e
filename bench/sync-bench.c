/* SPDX-License-Identifier: MIT */
/*
 * The sync benchmark (GitHub issue 4). It generates a campus into a real lecternd through
 * its REST API (courses of modules, Markdown pages, quizzes, forum threads, several users),
 * then measures the real `lectern sync` of one learner enrolled in five courses: the initial
 * sync, an incremental sync after 10 new replies and 2 edited pages, a no-op sync, and the
 * same three on a campus ten times larger.
 *
 * Then the campus delta of issue 10 (perf review 2026-11-29, cause 6): 10 new replies, 2
 * edited pages and 1 deleted reply, synced by the learner's replica (partial changes, as
 * lectern asks by default) and by a second replica of the same learner with the setting
 * sync_partial = off (whole docs: what the client got before partial changes), back to
 * back on the same delta. Its "delta floor" is the gzip -6 size of the 13 delta rows
 * themselves (the REST answer doc of each new reply and edited page with its "type", and
 * {"type","id","deleted":true} for the deleted reply, one per line), as the PouchDB
 * comparison's floor.json counts its delta.
 *
 * The client talks to the server through the fault proxy in pass-through mode, which counts
 * every request (round trips) and every byte each way, headers included. The "floor" of a
 * sync is the gzip size of the docs it transferred: the /sync responses are captured,
 * decoded (zstd or gzip), their change docs serialised and compressed together.
 *
 * Usage: sync-bench [--courses N] [--docs docs/benchmarks.md]
 * Needs LECTERND and LECTERN in the environment (meson sets them for `meson test
 * --benchmark`). Prints a table and, with --docs, rewrites the file's section between
 * <!-- sync-bench --> and <!-- /sync-bench -->.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "faultproxy.h"
#include "store/replica.h"
#include "campus-gen.h"
#include "test-sync-lib.h"

#define ENROLLED 5

struct campus {
	char *dir;
	struct st_server srv;
	struct st_api instructor, learner, peer;
	struct campus_course *courses;
	int n_courses;
	struct fp_proxy *proxy;
	struct st_client cl;
	struct st_client whole; /* the learner's second replica, sync_partial = off */
	int64_t gen_ms;         /* time taken to generate it */
};

struct result {
	const char *campus;
	const char *sync;
	int64_t round_trips;
	int64_t bytes_up;
	int64_t bytes_down;
	int64_t wall_ms;
	int64_t changes;
	int64_t floor;       /* gzip size of the docs (and patches) transferred */
	int64_t delta_floor; /* gzip size of the delta rows (campus delta only) */
	int exit_code;
	/* The last /sync exchange, for the no-op breakdown. */
	int64_t req_head, req_auth, req_body, resp_head, resp_body;
	char resp_coding[16];
};

#define REPEATS 3 /* incremental and no-op syncs: the median of this many */
#define RESULTS 5 /* per campus: initial, incremental, no-op, delta with patches, whole */

/* Registers a user through the API and logs api in as them. */
static int
register_user(struct campus *cp, struct st_api *api, const char *name, const char *role)
{
	char body[256];
	struct st_api anon = {0};

	snprintf(anon.base, sizeof(anon.base), "%s", cp->srv.url);
	snprintf(body, sizeof(body),
	         "{\"username\":\"%s\",\"email\":\"%s@example.org\",\"password\":\"%s\","
	         "\"role\":\"%s\"}",
	         name, name, ST_PASSWORD, role);
	if (st_api_call(&anon, "POST", "/auth/register", body, NULL) != 201) {
		fprintf(stderr, "bench: cannot register %s\n", name);
		return -1;
	}
	return st_api_login(api, cp->srv.url, name, ST_PASSWORD);
}

/* Makes a replica ask for whole docs only (docs/sync.md "Partial changes"). */
static int
whole_docs_only(const struct st_client *cl)
{
	struct store_db *db = NULL;
	int rc = st_replica_open(cl, &db);

	if (rc == 0)
		rc = store_setting_set(db, "sync_partial", "off");
	store_db_close(db);
	return rc == 0 ? 0 : -1;
}

/* Starts a server, generates n_courses, enrolls the learner and a peer in the first five. */
static int
campus_create(struct campus *cp, int n_courses, const char *tag)
{
	uint64_t rng = 42;
	int64_t t0 = lc_monotonic_ms();
	char *cause = NULL;

	memset(cp, 0, sizeof(*cp));
	cp->dir = st_tmpdir(tag);
	cp->courses = lc_calloc((size_t)n_courses, sizeof(*cp->courses));
	/* No demo seed: the campus is all there is, so 1x and 10x differ only by its size. */
	if (cp->dir == NULL)
		return -1;
	/* Registration as an instructor needs an invite (lecternd --registration learners). */
	snprintf(cp->srv.dir, sizeof(cp->srv.dir), "%s", cp->dir);
	snprintf(cp->srv.db, sizeof(cp->srv.db), "%s/lecternd.db", cp->dir);
	if (st_server_create_user(&cp->srv, "bench_instructor", "instructor", ST_PASSWORD) < 0 ||
	    st_server_start(&cp->srv, cp->dir, 0, false) < 0 ||
	    st_api_login(&cp->instructor, cp->srv.url, "bench_instructor", ST_PASSWORD) < 0 ||
	    register_user(cp, &cp->learner, "bench_learner", "learner") < 0 ||
	    register_user(cp, &cp->peer, "bench_peer", "learner") < 0)
		return -1;
	for (int i = 0; i < n_courses; i++) {
		if (campus_make_course(&cp->instructor, &cp->courses[i], i, &rng) < 0)
			return -1;
		cp->n_courses = i + 1;
	}
	for (int i = 0; i < ENROLLED && i < n_courses; i++)
		if (st_api_enroll(&cp->learner, cp->courses[i].id) < 0 ||
		    st_api_enroll(&cp->peer, cp->courses[i].id) < 0)
			return -1;
	cp->gen_ms = lc_monotonic_ms() - t0;
	if (fp_start(cp->srv.port, &cp->proxy, &cause) < 0) {
		fprintf(stderr, "bench: proxy: %s\n", cause);
		free(cause);
		return -1;
	}
	fp_set_fault_path(cp->proxy, "/api/v1/sync");
	snprintf(cp->cl.data_dir, sizeof(cp->cl.data_dir), "%s/replica", cp->dir);
	snprintf(cp->cl.server_url, sizeof(cp->cl.server_url), "http://127.0.0.1:%d",
	         fp_port(cp->proxy));
	cp->whole = cp->cl;
	snprintf(cp->whole.data_dir, sizeof(cp->whole.data_dir), "%s/replica-whole", cp->dir);
	return st_login(&cp->cl, "bench_learner") < 0 || st_login(&cp->whole, "bench_learner") < 0
	           ? -1
	           : whole_docs_only(&cp->whole);
}

static void
campus_destroy(struct campus *cp)
{
	fp_stop(cp->proxy);
	st_server_stop(&cp->srv, false);
	st_api_finish(&cp->instructor);
	st_api_finish(&cp->learner);
	st_api_finish(&cp->peer);
	if (cp->dir != NULL && getenv("LECTERN_KEEP_TMP") == NULL)
		st_rmtree(cp->dir);
	free(cp->dir);
	free(cp->courses);
}

/* 10 replies by the peer and 2 edited pages by the instructor, in the learner's courses. */
static int
campus_change(struct campus *cp, int round)
{
	char path[128], id[ST_ID_LEN + 1], body[256];

	for (int i = 0; i < 10; i++) {
		struct campus_course *c = &cp->courses[i % ENROLLED];

		snprintf(path, sizeof(path), "/topics/%s/replies", c->topics[i % CAMPUS_TOPICS]);
		snprintf(body, sizeof(body),
		         "{\"body\":\"Reply %d of round %d: I tried the exercise and the second "
		         "step finally makes sense.\"}",
		         i, round);
		if (st_api_create(&cp->peer, path, body, id) < 0)
			return -1;
	}
	for (int i = 0; i < 2; i++) {
		uint64_t rng = (uint64_t)(round * 10 + i + 7);
		char *text = campus_page_body(&rng, i, 8);
		cJSON *obj = cJSON_CreateObject();
		char *json;
		long status;

		cJSON_AddStringToObject(obj, "body", text);
		free(text);
		json = cJSON_PrintUnformatted(obj);
		cJSON_Delete(obj);
		snprintf(path, sizeof(path), "/items/%s",
		         cp->courses[i].pages[round % CAMPUS_PAGES]);
		status = st_api_call(&cp->instructor, "PATCH", path, json, NULL);
		free(json);
		if (status != 200)
			return -1;
	}
	return 0;
}

/* Appends one delta row: the doc with its "type" in front, compact, and a newline. */
static void
delta_row(struct lc_buf *rows, const char *type, const cJSON *doc)
{
	cJSON *row = cJSON_CreateObject();
	const cJSON *f;
	char *text;

	cJSON_AddStringToObject(row, "type", type);
	cJSON_ArrayForEach(f, doc)
	{
		cJSON_AddItemToObject(row, f->string, cJSON_Duplicate(f, true));
	}
	text = cJSON_PrintUnformatted(row);
	lc_buf_puts(rows, text);
	lc_buf_putc(rows, '\n');
	free(text);
	cJSON_Delete(row);
}

/*
 * The campus delta of issue 10: 10 replies by the peer (a paragraph each), 2 edited pages
 * and 1 deleted reply of the instructor's, in the learner's courses; each delta row goes
 * to rows. round picks other pages and another reply each time.
 */
/* Sends {"body": text} (freed) and, answered want, appends the answer doc as a delta row. */
static int
delta_write(struct st_api *api, const char *method, const char *path, char *text, long want,
            const char *type, struct lc_buf *rows)
{
	cJSON *obj = cJSON_CreateObject(), *resp = NULL;
	char *json;
	long status;

	cJSON_AddStringToObject(obj, "body", text);
	free(text);
	json = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	status = st_api_call(api, method, path, json, &resp);
	free(json);
	if (status == want)
		delta_row(rows, type, resp);
	cJSON_Delete(resp);
	return status == want ? 0 : -1;
}

static int
campus_delta(struct campus *cp, int round, struct lc_buf *rows)
{
	char path[160];
	uint64_t rng = (uint64_t)round * 7919u;
	const struct campus_course *c = &cp->courses[round % ENROLLED];
	const char *gone = c->replies[round % CAMPUS_TOPICS]
	                             [(round / (ENROLLED * CAMPUS_TOPICS)) % CAMPUS_REPLIES];

	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "/topics/%s/replies",
		         cp->courses[i % ENROLLED].topics[(i + round) % CAMPUS_TOPICS]);
		if (delta_write(&cp->peer, "POST", path, campus_page_body(&rng, i, 1), 201, "reply",
		                rows) < 0)
			return -1;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/items/%s",
		         cp->courses[i].pages[(round + 3) % (CAMPUS_MODULES * CAMPUS_PAGES)]);
		if (delta_write(&cp->instructor, "PATCH", path, campus_page_body(&rng, i, 8), 200,
		                "item", rows) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "/replies/%s", gone);
	if (st_api_call(&cp->instructor, "DELETE", path, NULL, NULL) != 204)
		return -1;
	lc_buf_printf(rows, "{\"type\":\"reply\",\"id\":\"%s\",\"deleted\":true}\n", gone);
	return 0;
}

/* Decodes a captured body per its Content-Encoding into out. Returns 0 or -1. */
static int
decode(const struct fp_response *r, struct lc_buf *out)
{
	char chunk[65536];

	if (strcasestr(r->head, "content-encoding: zstd") != NULL) {
		ZSTD_DStream *ds = ZSTD_createDStream();
		ZSTD_inBuffer in = {r->body, r->body_len, 0};
		size_t ret = 1;

		ZSTD_initDStream(ds);
		while (in.pos < in.size && ret != 0) {
			ZSTD_outBuffer o = {chunk, sizeof(chunk), 0};

			ret = ZSTD_decompressStream(ds, &o, &in);
			if (ZSTD_isError(ret)) {
				ZSTD_freeDStream(ds);
				return -1;
			}
			lc_buf_append(out, chunk, o.pos);
		}
		ZSTD_freeDStream(ds);
		return 0;
	}
	if (strcasestr(r->head, "content-encoding: gzip") != NULL ||
	    strcasestr(r->head, "content-encoding: deflate") != NULL) {
		z_stream zs = {0};
		int ret = Z_OK;

		if (inflateInit2(&zs, 32 + 15) != Z_OK)
			return -1;
		zs.next_in = (Bytef *)r->body;
		zs.avail_in = (uInt)r->body_len;
		while (ret == Z_OK) {
			zs.next_out = (Bytef *)chunk;
			zs.avail_out = sizeof(chunk);
			ret = inflate(&zs, Z_NO_FLUSH);
			lc_buf_append(out, chunk, sizeof(chunk) - zs.avail_out);
		}
		inflateEnd(&zs);
		return ret == Z_STREAM_END ? 0 : -1;
	}
	lc_buf_append(out, r->body, r->body_len);
	return 0;
}

/* gzip size (level 6, as a server would send) of len bytes. */
static int64_t
gzip_size(const char *data, size_t len)
{
	z_stream zs = {0};
	unsigned char chunk[65536];
	int64_t total = 0;
	int ret;

	if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		ret = deflate(&zs, Z_FINISH);
		total += (int64_t)(sizeof(chunk) - zs.avail_out);
	} while (ret == Z_OK);
	deflateEnd(&zs);
	return ret == Z_STREAM_END ? total : -1;
}

/* The docs of every change in the captured /sync responses, and their gzip size. */
static void
floor_of(struct fp_response *resp, size_t n, struct result *r)
{
	struct lc_buf docs = {0};

	for (size_t i = 0; i < n; i++) {
		struct lc_buf plain = {0};
		cJSON *json;
		const cJSON *ch;

		if (decode(&resp[i], &plain) < 0) {
			fprintf(stderr, "bench: cannot decode a /sync response\n");
			lc_buf_finish(&plain);
			continue;
		}
		json = cJSON_Parse(lc_buf_str(&plain));
		cJSON_ArrayForEach(ch, cJSON_GetObjectItemCaseSensitive(json, "changes"))
		{
			const cJSON *doc = cJSON_GetObjectItemCaseSensitive(ch, "doc");
			char *text;

			/* A partial change carries its patch: that is what it transferred. */
			if (doc == NULL)
				doc = cJSON_GetObjectItemCaseSensitive(ch, "patch");
			text =
			    doc != NULL && !cJSON_IsNull(doc) ? cJSON_PrintUnformatted(doc) : NULL;

			r->changes++;
			if (text != NULL) {
				lc_buf_puts(&docs, text);
				lc_buf_putc(&docs, '\n');
			}
			free(text);
		}
		cJSON_Delete(json);
		lc_buf_finish(&plain);
	}
	r->floor = docs.len > 0 ? gzip_size(docs.data, docs.len) : 0;
	lc_buf_finish(&docs);
}

static void measure(struct campus *cp, const struct st_client *cl, const char *campus_name,
                    const char *sync_name, struct result *r);

/* Sizes of the parts of one exchange: heads, the bearer token's header, bodies. */
static void
breakdown(const struct fp_response *x, struct result *r)
{
	const char *end = strstr(x->request, "\r\n\r\n");
	const char *auth = strcasestr(x->request, "\r\nAuthorization:");
	const char *coding = strcasestr(x->head, "\r\nContent-Encoding:");

	r->req_head = end != NULL ? (int64_t)(end - x->request) + 4 : (int64_t)x->request_len;
	r->req_body = (int64_t)x->request_len - r->req_head;
	r->req_auth = auth != NULL ? (int64_t)strcspn(auth + 2, "\r") + 2 : 0;
	r->resp_head = (int64_t)strlen(x->head);
	r->resp_body = (int64_t)x->body_len;
	snprintf(r->resp_coding, sizeof(r->resp_coding), "identity");
	if (coding != NULL) {
		coding += strlen("\r\nContent-Encoding:");
		coding += strspn(coding, " ");
		snprintf(r->resp_coding, sizeof(r->resp_coding), "%.*s", (int)strcspn(coding, "\r"),
		         coding);
	}
}

static int
cmp_wall(const void *a, const void *b)
{
	const struct result *x = a, *y = b;

	return (x->wall_ms > y->wall_ms) - (x->wall_ms < y->wall_ms);
}

/*
 * Runs REPEATS syncs (each after campus_change() when change is true) and keeps the one of
 * median wall time; a failed run is kept instead so that it shows.
 */
static int
measure_median(struct campus *cp, const char *campus_name, const char *sync_name, bool change,
               int *round, struct result *out)
{
	struct result runs[REPEATS];

	for (int i = 0; i < REPEATS; i++) {
		if (change && campus_change(cp, (*round)++) < 0)
			return -1;
		measure(cp, &cp->cl, campus_name, sync_name, &runs[i]);
		if (runs[i].exit_code != 0) {
			*out = runs[i];
			return 0;
		}
	}
	qsort(runs, REPEATS, sizeof(runs[0]), cmp_wall);
	*out = runs[REPEATS / 2];
	return 0;
}

static void
measure(struct campus *cp, const struct st_client *cl, const char *campus_name,
        const char *sync_name, struct result *r)
{
	struct fp_response *resp;
	struct fp_stats st;
	size_t n;
	int64_t t0;

	memset(r, 0, sizeof(*r));
	r->campus = campus_name;
	r->sync = sync_name;
	fp_take_responses(cp->proxy, &resp, &n);
	fp_responses_free(resp, n);
	fp_reset_stats(cp->proxy);
	fp_capture(cp->proxy, true);
	t0 = lc_monotonic_ms();
	r->exit_code = st_lectern(cl, NULL, NULL, "sync", NULL);
	r->wall_ms = lc_monotonic_ms() - t0;
	fp_capture(cp->proxy, false);
	fp_stats(cp->proxy, &st);
	r->round_trips = st.requests;
	r->bytes_up = st.bytes_up;
	r->bytes_down = st.bytes_down;
	fp_take_responses(cp->proxy, &resp, &n);
	floor_of(resp, n, r);
	if (n > 0)
		breakdown(&resp[n - 1], r);
	fp_responses_free(resp, n);
	if (r->exit_code != 0)
		fprintf(stderr, "bench: lectern sync exited %d: %s\n", r->exit_code,
		        st_last_stderr());
}

/*
 * REPEATS times: the campus delta, synced by the learner's replica (patches) and then by
 * its whole-docs replica. out[0] and out[1] are the pair of the round whose patched sync
 * took the median wall time: both synced the same delta, so their bytes compare.
 */
static int
measure_delta(struct campus *cp, const char *campus_name, int *round, struct result out[2])
{
	struct result runs[2][REPEATS], sorted[REPEATS];

	for (int i = 0; i < REPEATS; i++) {
		struct lc_buf rows = {0};
		int64_t floor;

		if (campus_delta(cp, (*round)++, &rows) < 0) {
			lc_buf_finish(&rows);
			return -1;
		}
		floor = gzip_size(rows.data, rows.len);
		lc_buf_finish(&rows);
		measure(cp, &cp->cl, campus_name, "delta, patches", &runs[0][i]);
		measure(cp, &cp->whole, campus_name, "delta, whole docs", &runs[1][i]);
		runs[0][i].delta_floor = runs[1][i].delta_floor = floor;
		/* sorted[i].changes holds the round's index through the sort below. */
		sorted[i] = runs[0][i];
		sorted[i].changes = i;
		if (runs[0][i].exit_code != 0 || runs[1][i].exit_code != 0) {
			out[0] = runs[0][i];
			out[1] = runs[1][i];
			return 0;
		}
	}
	qsort(sorted, REPEATS, sizeof(sorted[0]), cmp_wall);
	out[0] = runs[0][sorted[REPEATS / 2].changes];
	out[1] = runs[1][sorted[REPEATS / 2].changes];
	return 0;
}

/* Runs the three syncs and the delta pair on a campus of n_courses. Returns 0 or -1. */
static int
run_campus(int n_courses, const char *name, struct result *out, int64_t *gen_ms)
{
	struct result whole_initial;

	struct campus cp;
	int rc = -1, round = 1;

	fprintf(stderr, "bench: generating a campus of %d courses...\n", n_courses);
	if (campus_create(&cp, n_courses, "bench") < 0)
		goto out;
	*gen_ms = cp.gen_ms;
	measure(&cp, &cp.cl, name, "initial", &out[0]);
	if (measure_median(&cp, name, "incremental", true, &round, &out[1]) < 0 ||
	    measure_median(&cp, name, "no-op", false, &round, &out[2]) < 0)
		goto out;
	/* The whole-docs replica catches up first, unmeasured. */
	measure(&cp, &cp.whole, name, "initial, whole docs", &whole_initial);
	if (whole_initial.exit_code != 0 || measure_delta(&cp, name, &round, &out[3]) < 0)
		goto out;
	rc = 0;
out:
	campus_destroy(&cp);
	return rc;
}

/* The rows of r to show: the first three syncs of each campus (1x, then 10x). */
static const int table_rows[] = {0, 1, 2, RESULTS, RESULTS + 1, RESULTS + 2};

static void
table(struct lc_buf *b, const struct result *all)
{
	lc_buf_puts(b,
	            "| campus | sync | round trips | bytes up | bytes down | total bytes | wall ms "
	            "| changes | floor (gzip of docs) | total / floor |\n");
	lc_buf_puts(b, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t k = 0; k < sizeof(table_rows) / sizeof(table_rows[0]); k++) {
		const struct result *r = &all[table_rows[k]];
		int64_t total = r->bytes_up + r->bytes_down;

		lc_buf_printf(b, "| %s | %s%s | %lld | %lld | %lld | %lld | %lld | %lld | %lld | ",
		              r->campus, r->sync, r->exit_code != 0 ? " (FAILED)" : "",
		              (long long)r->round_trips, (long long)r->bytes_up,
		              (long long)r->bytes_down, (long long)total, (long long)r->wall_ms,
		              (long long)r->changes, (long long)r->floor);
		if (r->floor > 0)
			lc_buf_printf(b, "%.2f |\n", (double)total / (double)r->floor);
		else
			lc_buf_puts(b, "- |\n");
	}
}

static const char *
verdict(bool ok)
{
	return ok ? "met" : "**missed**";
}

static double
per_delta_floor(const struct result *r)
{
	return r->delta_floor > 0 ? (double)(r->bytes_up + r->bytes_down) / (double)r->delta_floor
	                          : 0;
}

/* The campus delta of issue 10: partial changes against whole docs, 1x and 10x. */
static void
delta_table(struct lc_buf *b, const struct result *r)
{
	lc_buf_puts(b,
	            "| campus | replica | round trips | total bytes | wall ms | changes | "
	            "floor of what it carried | delta floor (13 rows) | total / delta floor |\n");
	lc_buf_puts(b, "|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int c = 0; c < 2; c++)
		for (int k = 3; k < 5; k++) {
			const struct result *x = &r[c * RESULTS + k];

			lc_buf_printf(
			    b, "| %s | %s%s | %lld | %lld | %lld | %lld | %lld | %lld | %.2f |\n",
			    x->campus, x->sync, x->exit_code != 0 ? " (FAILED)" : "",
			    (long long)x->round_trips, (long long)(x->bytes_up + x->bytes_down),
			    (long long)x->wall_ms, (long long)x->changes, (long long)x->floor,
			    (long long)x->delta_floor, per_delta_floor(x));
		}
}

/* The targets of issue 4, each with the measured value. r: 1x then 10x, 3 syncs each. */
static void
targets(struct lc_buf *b, const struct result *r)
{
	const struct result *inc1 = &r[1], *noop1 = &r[2], *init1 = &r[0];
	const struct result *inc10 = &r[RESULTS + 1], *noop10 = &r[RESULTS + 2];
	int64_t noop_bytes = noop1->bytes_up + noop1->bytes_down;
	int64_t init_bytes = init1->bytes_up + init1->bytes_down;
	int64_t inc1_bytes = inc1->bytes_up + inc1->bytes_down;
	int64_t inc10_bytes = inc10->bytes_up + inc10->bytes_down;
	double init_ratio = init1->floor > 0 ? (double)init_bytes / (double)init1->floor : 0;
	double time_ratio = inc1->wall_ms > 0 ? (double)inc10->wall_ms / (double)inc1->wall_ms : 0;
	double bytes_ratio = inc1_bytes > 0 ? (double)inc10_bytes / (double)inc1_bytes : 0;
	bool one_rt = inc1->round_trips == 1 && noop1->round_trips == 1 &&
	              inc10->round_trips == 1 && noop10->round_trips == 1;

	lc_buf_printf(b,
	              "- Incremental and no-op syncs take one round trip: %s (1x: %lld and %lld; "
	              "10x: %lld and %lld).\n",
	              verdict(one_rt), (long long)inc1->round_trips, (long long)noop1->round_trips,
	              (long long)inc10->round_trips, (long long)noop10->round_trips);
	lc_buf_printf(b,
	              "- A no-op sync moves under 600 bytes in all: %s (%lld bytes: request "
	              "headers %lld, of which the Authorization line %lld, request body %lld; "
	              "response headers %lld, response body %lld, %s).\n",
	              verdict(noop_bytes < 600), (long long)noop_bytes, (long long)noop1->req_head,
	              (long long)noop1->req_auth, (long long)noop1->req_body,
	              (long long)noop1->resp_head, (long long)noop1->resp_body, noop1->resp_coding);
	lc_buf_printf(b, "- The initial sync moves at most 1.3x the floor: %s (%.2fx).\n",
	              verdict(init1->floor > 0 && init_ratio <= 1.3), init_ratio);
	lc_buf_printf(b,
	              "- The 10x campus costs the incremental sync at most 1.5x the time and bytes "
	              "of 1x: time %s (%.2fx), bytes %s (%.2fx).\n",
	              verdict(time_ratio <= 1.5), time_ratio, verdict(bytes_ratio <= 1.5),
	              bytes_ratio);
}

/* Replaces the text between the markers in path (or appends the section). */
static int
write_docs(const char *path, const char *section)
{
	static const char *const open_mark = "<!-- sync-bench -->";
	static const char *const close_mark = "<!-- /sync-bench -->";
	char *old = NULL;
	struct lc_buf b = {0};
	const char *start, *end;
	FILE *fp;
	int rc = 0;

	if (lc_read_file(path, &old, NULL) < 0)
		old = lc_strdup("# Benchmarks\n\n");
	start = strstr(old, open_mark);
	end = start != NULL ? strstr(start, close_mark) : NULL;
	if (start != NULL && end != NULL) {
		lc_buf_append(&b, old, (size_t)(start - old));
		lc_buf_printf(&b, "%s\n%s%s", open_mark, section, end);
	} else {
		lc_buf_puts(&b, old);
		if (b.len > 0 && b.data[b.len - 1] != '\n')
			lc_buf_putc(&b, '\n');
		lc_buf_printf(&b, "\n%s\n%s%s\n", open_mark, section, close_mark);
	}
	fp = fopen(path, "w");
	if (fp == NULL || fwrite(b.data, 1, b.len, fp) != b.len)
		rc = -1;
	if (fp != NULL && fclose(fp) != 0)
		rc = -1;
	free(old);
	lc_buf_finish(&b);
	return rc;
}

/* The 1, 5 and 15 minute load averages: other work on the machine skews wall times. */
static void
load_line(struct lc_buf *b)
{
	char *load = NULL;
	double l1, l5, l15;

	if (lc_read_file("/proc/loadavg", &load, NULL) == 0 &&
	    sscanf(load, "%lf %lf %lf", &l1, &l5, &l15) == 3)
		lc_buf_printf(b, "\nLoad average after measuring: %.2f %.2f %.2f (%ld cores).\n",
		              l1, l5, l15, sysconf(_SC_NPROCESSORS_ONLN));
	free(load);
}

static void
section(struct lc_buf *b, int n_courses, const struct result *r, const int64_t gen_ms[2])
{
	char date[LC_RFC3339_LEN + 1];

	lc_rfc3339(lc_now(), date);
	lc_buf_printf(
	    b,
	    "## Sync (bench/sync-bench.c)\n\n"
	    "Measured %s by `meson test -C build --benchmark sync` (or `build/bench/sync-bench "
	    "--docs docs/benchmarks.md`). A real lecternd on loopback holds a generated campus: "
	    "%d courses (1x) or %d (10x), each of %d modules with %d Markdown pages and a quiz of "
	    "%d questions, and a forum of %d topics with %d replies each; users: an instructor, "
	    "the learner and a peer learner (no demo seed). The learner is enrolled in %d courses "
	    "and runs the real "
	    "`lectern sync` through the fault proxy in pass-through mode, which counts requests "
	    "(round trips) and bytes each way, HTTP headers included. The incremental sync "
	    "follows 10 new replies by the peer and 2 edited pages. Wall time is the whole "
	    "`lectern sync` process; incremental and no-op rows are the median of %d runs. The "
	    "floor is the gzip size of the change docs the sync "
	    "transferred. Generating the campuses took %lld ms and %lld ms.\n\n",
	    date, n_courses, n_courses * 10, CAMPUS_MODULES, CAMPUS_PAGES, CAMPUS_QUESTIONS,
	    CAMPUS_TOPICS, CAMPUS_REPLIES, ENROLLED, REPEATS, (long long)gen_ms[0],
	    (long long)gen_ms[1]);
	table(b, r);
	lc_buf_puts(
	    b, "\nThe campus delta of issue 10 (perf review 2026-11-29, cause 6): 10 new "
	       "replies by the peer (a paragraph each), 2 edited pages and 1 deleted reply, "
	       "synced back to back by the learner's replica, which asks for partial changes "
	       "(docs/sync.md \"Partial changes\"), and by a second replica of the same "
	       "learner with `sync_partial = off` (whole docs: what every client got before). "
	       "The delta floor is the gzip -6 size of the 13 delta rows themselves (the REST "
	       "answer doc of each reply and page with its type, and `{type, id, deleted}` "
	       "for the deletion, one per line), as the PouchDB comparison's floor.json counts "
	       "its delta; the floor of what it carried also counts the patches. Median of 3 "
	       "runs each.\n\n");
	delta_table(b, r);
	load_line(b);
	lc_buf_puts(b, "\nTargets (GitHub issue 4):\n\n");
	targets(b, r);
	lc_buf_printf(
	    b,
	    "\nTarget (GitHub issue 10): the incremental sync of the campus delta moves at "
	    "most 1.2x the gzip -6 floor of the delta: %s (1x: %.2fx, 10x: %.2fx; with "
	    "whole docs %.2fx and %.2fx).\n",
	    verdict(per_delta_floor(&r[3]) <= 1.2 && per_delta_floor(&r[RESULTS + 3]) <= 1.2 &&
	            r[3].exit_code == 0 && r[RESULTS + 3].exit_code == 0),
	    per_delta_floor(&r[3]), per_delta_floor(&r[RESULTS + 3]), per_delta_floor(&r[4]),
	    per_delta_floor(&r[RESULTS + 4]));
}

int
main(int argc, char **argv)
{
	const char *docs = NULL;
	int n_courses = 10, rc = 0;
	struct result r[2 * RESULTS];
	int64_t gen_ms[2] = {0, 0};
	struct lc_buf out = {0};

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--docs") == 0 && i + 1 < argc) {
			docs = argv[++i];
		} else if (strcmp(argv[i], "--courses") == 0 && i + 1 < argc) {
			n_courses = (int)strtol(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: sync-bench [--courses N] [--docs FILE]\n");
			return 1;
		}
	}
	if (n_courses < ENROLLED)
		n_courses = ENROLLED;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	memset(r, 0, sizeof(r));
	if (run_campus(n_courses, "1x", &r[0], &gen_ms[0]) < 0 ||
	    run_campus(n_courses * 10, "10x", &r[RESULTS], &gen_ms[1]) < 0) {
		fprintf(stderr, "bench: could not build or sync a campus\n");
		rc = 1;
	}
	if (rc == 0) {
		section(&out, n_courses, r, gen_ms);
		fputs(lc_buf_str(&out), stdout);
		if (docs != NULL && write_docs(docs, lc_buf_str(&out)) < 0) {
			fprintf(stderr, "bench: cannot write %s\n", docs);
			rc = 1;
		}
		for (int i = 0; i < 2 * RESULTS; i++)
			if (r[i].exit_code != 0)
				rc = 1;
	}
	lc_buf_finish(&out);
	curl_global_cleanup();
	return rc;
}
