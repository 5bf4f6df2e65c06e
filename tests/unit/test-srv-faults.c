/* SPDX-License-Identifier: MIT */
/*
 * Fault injection into lecternd's database, in process (code review 2026-11-29, F6;
 * issue 9 section 5): a cascade delete that meets a SQLite error part-way answers 5xx,
 * leaves the database as it was (transaction rolled back, no feed row written), and never
 * removes a row without its tombstone.
 *
 * The fault is a one-shot SQLITE_INTERRUPT from a progress handler on the server's own
 * connection, armed to fire after k virtual-machine steps, for k swept over the whole
 * request (as SQLite's do_faultsim_test sweeps its fault points). Every statement the
 * request runs, reads included, can so fail at every point; before the fix a read loop
 * that failed ended as "no more rows" and the DELETE committed without tombstones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "server-stub/srv.h"

/* VM instructions between two progress callbacks: the granularity of the sweep. */
#define OPS_PER_TICK 10

struct fixture {
	char dir[64];
	char path[128];
	struct srv_ctx ctx;
	struct store_db *db;
	struct srv_user admin, learner;
	char course_id[LC_UUID_LEN + 1];
};

/* The one-shot fault: interrupts the statement running when countdown reaches 0. */
struct fault {
	int64_t countdown;
	bool fired;
	char sql[256]; /* the statement running when it fired, for the failure message */
	char last[256];
};

/* Remembers the statement each step starts, so a failure can name where it hit. */
static int
on_trace(unsigned type, void *arg, void *p, void *x)
{
	struct fault *fault = arg;

	(void)type;
	(void)x;
	snprintf(fault->last, sizeof(fault->last), "%s", sqlite3_sql((sqlite3_stmt *)p));
	return 0;
}

static int
on_progress(void *arg)
{
	struct fault *fault = arg;

	/*
	 * SQLite's own statements (FTS5 keeping its index: "PRAGMA 'main'.data_version",
	 * "... FROM 'main'.'courses_fts_data'") absorb an interrupt themselves; the sweep is
	 * about the server's statements, so the fault waits for one of those.
	 */
	if (fault->countdown == 1 && strstr(fault->last, "'main'.") != NULL)
		return 0;
	if (fault->countdown > 0 && --fault->countdown == 0) {
		fault->fired = true;
		snprintf(fault->sql, sizeof(fault->sql), "%s", fault->last);
		return 1;
	}
	return 0;
}

/* What a sweep sends besides method and path: key is an Idempotency-Key or NULL. */
struct req_opts {
	const char *key;
	bool has_if_match;
	int64_t if_match;
	/* The status that counts (a /sync push item's), from the answer's; NULL: that one. */
	int (*pick)(const cJSON *body, int status);
	/*
	 * POST /sync commits each push before it pulls: a fault in the pull answers 5xx with
	 * the push kept (the client's retry replays it by its key), so the feed may move.
	 */
	bool push_commits;
};

/* Runs one request; returns the status, the body in *out (caller frees) when out. */
static int
call_opts(struct fixture *f, const struct srv_user *who, const char *method, const char *path,
          const char *json, const struct req_opts *o, cJSON **out)
{
	struct srv_resp resp;
	cJSON *body = json ? cJSON_Parse(json) : NULL;
	struct srv_call c = {.method = method,
	                     .path = path,
	                     .body = body,
	                     .viewer = who,
	                     .idempotency_key = o->key,
	                     .if_match = o->has_if_match ? o->if_match : -1,
	                     .request_id = "faults"};
	bool replayed;
	int status;

	srv_dispatch(&f->ctx, f->db, &c, &resp, &replayed);
	status = resp.status;
	if (out) {
		*out = resp.body;
		resp.body = NULL;
	}
	srv_resp_finish(&resp);
	cJSON_Delete(body);
	return status;
}

static int
call(struct fixture *f, const struct srv_user *who, const char *method, const char *path,
     const char *json, cJSON **out)
{
	const struct req_opts plain = {0};

	return call_opts(f, who, method, path, json, &plain, out);
}

/* POSTs json to path as who, expects 201, copies the new id into id (may be NULL). */
static void
create(struct fixture *f, const struct srv_user *who, const char *path, const char *json,
       char id[LC_UUID_LEN + 1])
{
	cJSON *out = NULL;

	assert_int_equal(call(f, who, "POST", path, json, &out), 201);
	if (id != NULL)
		snprintf(id, LC_UUID_LEN + 1, "%s", cJSON_GetObjectItem(out, "id")->valuestring);
	cJSON_Delete(out);
}

static void
load_user(struct fixture *f, const char *name, struct srv_user *out)
{
	sqlite3_stmt *stmt;
	char id[LC_UUID_LEN + 1];

	assert_int_equal(
	    store_db_prepare_new(f->db, "SELECT id FROM users WHERE username = ?", &stmt), 0);
	store_bind_text(stmt, 1, name);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	assert_int_equal(srv_user_load(f->db, id, out), 0);
}

/*
 * A published course with two modules of items, a quiz with questions, a forum thread,
 * and a learner enrolled with progress and an attempt: every table a cascade touches.
 */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL, path[160], json[512], module[LC_UUID_LEN + 1], quiz[LC_UUID_LEN + 1],
	     page[LC_UUID_LEN + 1], topic[LC_UUID_LEN + 1], q1[LC_UUID_LEN + 1];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/lectern-faults-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/lecternd.db", f->dir);
	assert_int_equal(srv_ctx_init(&f->ctx, f->path, &cause), 0);
	f->db = srv_ctx_db(&f->ctx);
	assert_int_equal(
	    srv_user_create_cli(&f->ctx, "root", "root-password", SRV_ROLE_ADMIN, &cause), 0);
	assert_int_equal(
	    srv_user_create_cli(&f->ctx, "lena", "lena-password", SRV_ROLE_LEARNER, &cause), 0);
	load_user(f, "root", &f->admin);
	load_user(f, "lena", &f->learner);
	create(f, &f->admin, "/api/v1/courses", "{\"title\":\"Faults\"}", f->course_id);
	for (int m = 0; m < 2; m++) {
		snprintf(path, sizeof(path), "/api/v1/courses/%s/modules", f->course_id);
		snprintf(json, sizeof(json), "{\"title\":\"Module %d\"}", m);
		create(f, &f->admin, path, json, module);
		snprintf(path, sizeof(path), "/api/v1/modules/%s/items", module);
		create(f, &f->admin, path,
		       "[{\"title\":\"Read\",\"kind\":\"page\",\"body\":\"text\"},"
		       "{\"title\":\"Link\",\"kind\":\"link\",\"url\":\"https://example.org\"}]",
		       NULL);
		create(f, &f->admin, path, "{\"title\":\"Page\",\"kind\":\"page\"}", page);
		create(f, &f->admin, path, "{\"title\":\"Quiz\",\"kind\":\"quiz\"}", quiz);
		snprintf(path, sizeof(path), "/api/v1/items/%s/questions", quiz);
		create(f, &f->admin, path, "{\"prompt\":\"2+2\",\"kind\":\"numeric\",\"answer\":4}",
		       q1);
		create(f, &f->admin, path,
		       "{\"prompt\":\"Sky blue\",\"kind\":\"boolean\",\"answer\":true}", NULL);
	}
	snprintf(path, sizeof(path), "/api/v1/courses/%s/publish", f->course_id);
	assert_int_equal(call(f, &f->admin, "POST", path, NULL, NULL), 200);
	snprintf(json, sizeof(json), "{\"course_id\":\"%s\"}", f->course_id);
	create(f, &f->learner, "/api/v1/enrollments", json, NULL);
	snprintf(json, sizeof(json), "{\"item_id\":\"%s\",\"status\":\"completed\"}", page);
	assert_int_equal(call(f, &f->learner, "POST", "/api/v1/progress", json, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/items/%s/attempts", quiz);
	snprintf(json, sizeof(json), "{\"answers\":{\"%s\":4}}", q1);
	create(f, &f->learner, path, json, NULL);
	snprintf(path, sizeof(path), "/api/v1/courses/%s/topics", f->course_id);
	create(f, &f->learner, path, "{\"title\":\"Hello\",\"body\":\"First\"}", topic);
	snprintf(path, sizeof(path), "/api/v1/topics/%s/replies", topic);
	create(f, &f->admin, path, "{\"body\":\"Welcome\"}", NULL);
	create(f, &f->learner, path, "{\"body\":\"Thanks\"}", NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	srv_ctx_finish(&f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* The rows a delete should take: "type id" pairs read by sql (one text parameter). */
struct rows {
	int n;
	char type[256][16];
	char id[256][LC_UUID_LEN + 1];
	const char *table[256];
};

static void
rows_add(struct fixture *f, struct rows *r, const char *table, const char *type, const char *column,
         const char *value)
{
	char sql[160];
	sqlite3_stmt *stmt;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = ?", table, column);
	assert_int_equal(store_db_prepare_new(f->db, sql, &stmt), 0);
	store_bind_text(stmt, 1, value);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		assert_true(r->n < 256);
		snprintf(r->type[r->n], sizeof(r->type[0]), "%s", type);
		snprintf(r->id[r->n], sizeof(r->id[0]), "%s",
		         (const char *)sqlite3_column_text(stmt, 0));
		r->table[r->n++] = table;
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(stmt);
}

static int64_t
count(struct fixture *f, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *stmt;
	int64_t n;

	assert_int_equal(store_db_prepare_new(f->db, sql, &stmt), 0);
	if (a != NULL)
		store_bind_text(stmt, 1, a);
	if (b != NULL)
		store_bind_text(stmt, 2, b);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static bool
row_exists(struct fixture *f, const struct rows *r, int i)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE id = ?", r->table[i]);
	return count(f, sql, r->id[i], NULL) > 0;
}

/* The feed as a whole: its last seq and size; any write changes one of them. */
static void
feed_state(struct fixture *f, int64_t out[2])
{
	out[0] = count(f, "SELECT coalesce(max(seq), 0) FROM feed", NULL, NULL);
	out[1] = count(f, "SELECT count(*) FROM feed", NULL, NULL);
}

/*
 * Sends method path as who again and again, with the fault armed after k ticks for
 * k = 1, 2, ... until the request runs to its end without meeting it. Every faulted run
 * must answer 5xx and leave every row of r and the feed as they were; the final run must
 * answer 204 with every row of r gone and tombstoned. Returns the number of faulted runs.
 */
static int
sweep_opts(struct fixture *f, const struct srv_user *who, const char *method, const char *path,
           const char *json, const struct rows *r, int want, const struct req_opts *o)
{
	sqlite3 *h = store_db_handle(f->db);
	struct fault fault;
	int faulted = 0, status, outer;
	cJSON *body = NULL;

	for (int64_t k = 1;; k += 1 + k / 64) {
		int64_t feed_before[2], feed_after[2];

		feed_state(f, feed_before);
		fault.countdown = k;
		fault.fired = false;
		sqlite3_progress_handler(h, OPS_PER_TICK, on_progress, &fault);
		sqlite3_trace_v2(h, SQLITE_TRACE_STMT, on_trace, &fault);
		status = call_opts(f, who, method, path, json, o, &body);
		sqlite3_trace_v2(h, 0, NULL, NULL);
		sqlite3_progress_handler(h, 0, NULL, NULL);
		outer = status;
		if (o->pick != NULL)
			status = o->pick(body, status);
		cJSON_Delete(body);
		body = NULL;
		assert_false(store_db_in_transaction(f->db));
		if (!fault.fired)
			break;
		faulted++;
		if (status < 500) {
			fprintf(stderr, "fault after %lld ticks in \"%s\": %s %s answered %d\n",
			        (long long)k, fault.sql, method, path, status);
			fail();
		}
		feed_state(f, feed_after);
		if (o->push_commits && outer >= 500)
			continue;
		assert_int_equal(feed_after[0], feed_before[0]);
		assert_int_equal(feed_after[1], feed_before[1]);
		for (int i = 0; r != NULL && i < r->n; i++) {
			if (!row_exists(f, r, i)) {
				fprintf(stderr, "fault after %lld ticks: %s %s gone, answered %d\n",
				        (long long)k, r->type[i], r->id[i], status);
				fail();
			}
		}
	}
	if (status != want)
		fail_msg("%s %s answered %d, want %d", method, path, status, want);
	for (int i = 0; r != NULL && i < r->n; i++) {
		assert_false(row_exists(f, r, i));
		/* Tombstoned everywhere it was published, and published somewhere. */
		assert_int_equal(count(f,
		                       "SELECT count(*) FROM feed WHERE type = ? AND id = ? AND "
		                       "deleted = 0",
		                       r->type[i], r->id[i]),
		                 0);
		assert_true(count(f,
		                  "SELECT count(*) FROM feed WHERE type = ? AND id = ? AND "
		                  "deleted = 1",
		                  r->type[i], r->id[i]) > 0);
	}
	return faulted;
}

static int
sweep_request(struct fixture *f, const struct srv_user *who, const char *method, const char *path,
              const char *json, const struct rows *r, int want)
{
	const struct req_opts plain = {0};

	return sweep_opts(f, who, method, path, json, r, want, &plain);
}

static int
sweep(struct fixture *f, const struct srv_user *who, const char *method, const char *path,
      const struct rows *r)
{
	return sweep_request(f, who, method, path, NULL, r, 204);
}

/* A course delete that fails anywhere changes nothing; one that succeeds tombstones all. */
static void
test_failed_course_delete_leaves_no_row_without_tombstone(void **state)
{
	struct fixture *f = *state;
	static const char *const tables[][2] = {
	    {"questions", "question"}, {"progress", "progress"},      {"attempts", "attempt"},
	    {"items", "item"},         {"modules", "module"},         {"replies", "reply"},
	    {"topics", "topic"},       {"enrollments", "enrollment"},
	};
	struct rows *r = calloc(1, sizeof(*r));
	char path[128];
	int faulted;

	assert_non_null(r);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		rows_add(f, r, tables[i][0], tables[i][1], "course_id", f->course_id);
	rows_add(f, r, "courses", "course", "id", f->course_id);
	assert_true(r->n >= 20);
	snprintf(path, sizeof(path), "/api/v1/courses/%s", f->course_id);
	faulted = sweep(f, &f->admin, "DELETE", path, r);
	/* The sweep really went through the request, reads and writes. */
	assert_true(faulted > 50);
	free(r);
}

/* The same for a user delete: enrollments, progress and attempts go with the user. */
static void
test_failed_user_delete_leaves_no_row_without_tombstone(void **state)
{
	struct fixture *f = *state;
	struct rows *r = calloc(1, sizeof(*r));
	char path[128];

	assert_non_null(r);
	rows_add(f, r, "enrollments", "enrollment", "user_id", f->learner.id);
	rows_add(f, r, "progress", "progress", "user_id", f->learner.id);
	rows_add(f, r, "attempts", "attempt", "user_id", f->learner.id);
	rows_add(f, r, "users", "user", "id", f->learner.id);
	assert_true(r->n >= 4);
	snprintf(path, sizeof(path), "/api/v1/users/%s", f->learner.id);
	assert_true(sweep(f, &f->admin, "DELETE", path, r) > 20);
	free(r);
}

/* The first id sql (one text parameter) gives. */
static void
first_id(struct fixture *f, const char *sql, const char *param, char out[LC_UUID_LEN + 1])
{
	sqlite3_stmt *stmt;

	assert_int_equal(store_db_prepare_new(f->db, sql, &stmt), 0);
	store_bind_text(stmt, 1, param);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(out, LC_UUID_LEN + 1, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
}

/*
 * Lookups behind checks and reads behind lists: a fault anywhere is a 5xx, never a 404, a
 * 400, a 409 or a shorter 200 (code review 2026-11-29, F6), and a faulted write changes
 * nothing.
 */
static void
test_faulted_lookups_and_lists_answer_5xx(void **state)
{
	struct fixture *f = *state;
	char path[160], json[256], dept[LC_UUID_LEN + 1], other[LC_UUID_LEN + 1];

	create(f, &f->admin, "/api/v1/departments", "{\"name\":\"Arts\",\"code\":\"ART\"}", dept);
	snprintf(json, sizeof(json), "{\"name\":\"Music\",\"code\":\"MUS\",\"parent_id\":\"%s\"}",
	         dept);
	sweep_request(f, &f->admin, "POST", "/api/v1/departments", json, NULL, 201);
	create(f, &f->admin, "/api/v1/departments", "{\"name\":\"Film\",\"code\":\"FLM\"}", other);
	snprintf(path, sizeof(path), "/api/v1/departments/%s", other);
	snprintf(json, sizeof(json), "{\"parent_id\":\"%s\"}", dept);
	sweep_request(f, &f->admin, "PATCH", path, json, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/users/%s/roles", f->learner.id);
	snprintf(json, sizeof(json),
	         "{\"departments\":[{\"department_id\":\"%s\",\"roles\":[\"instructor\"]}]}", dept);
	sweep_request(f, &f->admin, "PATCH", path, json, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/courses/%s/modules", f->course_id);
	sweep_request(f, &f->admin, "POST", path, "{\"title\":\"Late\"}", NULL, 201);
	snprintf(path, sizeof(path), "/api/v1/courses/%s", f->course_id);
	sweep_request(f, &f->admin, "PATCH", path, "{\"title\":\"Renamed\"}", NULL, 200);
	{
		char first[LC_UUID_LEN + 1], second[LC_UUID_LEN + 1], body[160];

		first_id(f, "SELECT id FROM modules WHERE course_id = ? AND title = 'Module 0'",
		         f->course_id, first);
		first_id(f, "SELECT id FROM modules WHERE course_id = ? AND title = 'Module 1'",
		         f->course_id, second);
		snprintf(path, sizeof(path), "/api/v1/courses/%s/modules/reorder", f->course_id);
		/* The late module makes three: name them all, in a new order. */
		char late[LC_UUID_LEN + 1];
		first_id(f, "SELECT id FROM modules WHERE course_id = ? AND title = 'Late'",
		         f->course_id, late);
		snprintf(body, sizeof(body), "{\"module_ids\":[\"%s\",\"%s\",\"%s\"]}", second,
		         late, first);
		sweep_request(f, &f->admin, "POST", path, body, NULL, 200);
	}
	/* Reads: a fault is a 500, not a shorter list. */
	sweep_request(f, &f->admin, "GET", "/api/v1/courses", NULL, NULL, 200);
	sweep_request(f, &f->admin, "GET", "/api/v1/departments?search=%25", NULL, NULL, 200);
	sweep_request(f, &f->admin, "GET", "/api/v1/users", NULL, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/courses/%s/outline", f->course_id);
	sweep_request(f, &f->admin, "GET", path, NULL, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/courses/%s/topics", f->course_id);
	sweep_request(f, &f->admin, "GET", path, NULL, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/courses/%s/modules", f->course_id);
	sweep_request(f, &f->admin, "GET", path, NULL, NULL, 200);
}

/* Content edits and deletes: the lookups before them fail as 5xx too. */
static void
test_faulted_content_edits_answer_5xx(void **state)
{
	struct fixture *f = *state;
	char path[160], item[LC_UUID_LEN + 1], quiz[LC_UUID_LEN + 1], topic[LC_UUID_LEN + 1],
	    reply[LC_UUID_LEN + 1];
	struct rows *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	first_id(f, "SELECT id FROM items WHERE course_id = ? AND kind = 'page' ORDER BY title",
	         f->course_id, item);
	first_id(f, "SELECT id FROM items WHERE course_id = ? AND kind = 'quiz'", f->course_id,
	         quiz);
	first_id(f, "SELECT id FROM topics WHERE course_id = ?", f->course_id, topic);
	first_id(f, "SELECT id FROM replies WHERE topic_id = ? ORDER BY created_at DESC", topic,
	         reply);
	snprintf(path, sizeof(path), "/api/v1/items/%s", item);
	sweep_request(f, &f->admin, "PATCH", path, "{\"title\":\"Read again\",\"position\":1}",
	              NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/items/%s/questions", quiz);
	sweep_request(f, &f->admin, "POST", path,
	              "{\"prompt\":\"3+3\",\"kind\":\"numeric\",\"answer\":6}", NULL, 201);
	snprintf(path, sizeof(path), "/api/v1/topics/%s", topic);
	sweep_request(f, &f->learner, "PATCH", path, "{\"title\":\"Hello again\"}", NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/replies/%s", reply);
	sweep_request(f, &f->learner, "PATCH", path, "{\"body\":\"Thanks!\"}", NULL, 200);
	rows_add(f, r, "replies", "reply", "id", reply);
	sweep(f, &f->learner, "DELETE", path, r);
	r->n = 0;
	rows_add(f, r, "questions", "question", "item_id", quiz);
	rows_add(f, r, "progress", "progress", "item_id", quiz);
	rows_add(f, r, "attempts", "attempt", "item_id", quiz);
	rows_add(f, r, "items", "item", "id", quiz);
	snprintf(path, sizeof(path), "/api/v1/items/%s", quiz);
	sweep(f, &f->admin, "DELETE", path, r);
	free(r);
}

/* The status of the first push item of a /sync answer, or the answer's own when not 200. */
static int
push_status(const cJSON *body, int status)
{
	const cJSON *item = cJSON_GetArrayItem(cJSON_GetObjectItem(body, "push"), 0);

	if (status != 200 || item == NULL)
		return status;
	return (int)cJSON_GetObjectItem(item, "status")->valuedouble;
}

/* The string member key of the object body answered, copied into out. */
static void
body_str(const cJSON *body, const char *key, char *out, size_t len)
{
	const cJSON *v = cJSON_GetObjectItem(body, key);

	assert_true(cJSON_IsString(v));
	snprintf(out, len, "%s", v->valuestring);
}

/*
 * Single-row lookups behind enrolling, learning, the forum, the user's own pages, roles,
 * invites, sign-in and /sync: a fault in any of them is a 5xx that changes nothing, never
 * "not enrolled", "no attempts yet", "no such user", a wrong password, a 401, a tombstone
 * in a pull or a second run of an idempotent write (code review 2026-11-29, F6).
 */
static void
test_faulted_single_row_lookups_answer_5xx(void **state)
{
	struct fixture *f = *state;
	const struct req_opts keyed = {.key = "faults-key-1"};
	const struct req_opts push = {.pick = push_status, .push_commits = true};
	struct srv_user mia, dora;
	char path[200], json[600], page[LC_UUID_LEN + 1], quiz[LC_UUID_LEN + 1],
	    topic[LC_UUID_LEN + 1], dept[LC_UUID_LEN + 1], q1[LC_UUID_LEN + 1],
	    enrollment[LC_UUID_LEN + 1], refresh[512], access[512], *cause = NULL;
	const char *client = "0b6f4bde-57c1-4a1e-9f3e-2a4c8d9e1f00";
	char *cursors;
	cJSON *out = NULL;

	assert_int_equal(
	    srv_user_create_cli(&f->ctx, "mia", "mia-password", SRV_ROLE_LEARNER, &cause), 0);
	assert_int_equal(
	    srv_user_create_cli(&f->ctx, "dora", "dora-password", SRV_ROLE_LEARNER, &cause), 0);
	load_user(f, "mia", &mia);
	load_user(f, "dora", &dora);
	first_id(f, "SELECT id FROM items WHERE course_id = ? AND kind = 'page' ORDER BY title",
	         f->course_id, page);
	first_id(f, "SELECT id FROM items WHERE course_id = ? AND kind = 'quiz'", f->course_id,
	         quiz);
	first_id(f, "SELECT id FROM questions WHERE item_id = ? AND kind = 'numeric'", quiz, q1);
	first_id(f, "SELECT id FROM topics WHERE course_id = ?", f->course_id, topic);
	snprintf(path, sizeof(path), "/api/v1/items/%s", quiz);
	assert_int_equal(call(f, &f->admin, "PATCH", path, "{\"max_attempts\":50}", NULL), 200);

	/* Enrolling: srv_is_enrolled() behind "Already enrolled". */
	snprintf(json, sizeof(json), "{\"course_id\":\"%s\"}", f->course_id);
	sweep_request(f, &mia, "POST", "/api/v1/enrollments", json, NULL, 201);
	first_id(f, "SELECT id FROM enrollments WHERE user_id = ?", mia.id, enrollment);
	snprintf(path, sizeof(path), "/api/v1/enrollments/%s", enrollment);
	sweep_request(f, &mia, "GET", path, NULL, NULL, 200);
	/* Progress: the enrolled check, the item's kind, the existing row's lookup. */
	snprintf(json, sizeof(json), "{\"item_id\":\"%s\",\"status\":\"started\"}", page);
	sweep_request(f, &mia, "POST", "/api/v1/progress", json, NULL, 200);
	snprintf(json, sizeof(json), "{\"item_id\":\"%s\",\"status\":\"completed\"}", page);
	sweep_request(f, &mia, "POST", "/api/v1/progress", json, NULL, 200);
	/* The same with an Idempotency-Key: a failed lookup of it never runs the write twice. */
	sweep_opts(f, &mia, "POST", "/api/v1/progress", json, NULL, 200, &keyed);
	assert_int_equal(call_opts(f, &mia, "POST", "/api/v1/progress", json, &keyed, NULL), 200);
	/* Attempts: the quiz's limits and the count of attempts made. */
	snprintf(path, sizeof(path), "/api/v1/items/%s/attempts", quiz);
	snprintf(json, sizeof(json), "{\"answers\":{\"%s\":4}}", q1);
	sweep_request(f, &mia, "POST", path, json, NULL, 201);
	sweep_request(f, &mia, "GET", path, NULL, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/progress/courses/%s", f->course_id);
	sweep_request(f, &mia, "GET", path, NULL, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/courses/%s/students", f->course_id);
	sweep_request(f, &f->admin, "GET", path, NULL, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/courses/%s/analytics", f->course_id);
	sweep_request(f, &f->admin, "GET", path, NULL, NULL, 200);
	/* The forum, as an enrolled learner. */
	snprintf(path, sizeof(path), "/api/v1/courses/%s/topics", f->course_id);
	sweep_request(f, &mia, "POST", path, "{\"title\":\"Q\",\"body\":\"Why?\"}", NULL, 201);
	snprintf(path, sizeof(path), "/api/v1/topics/%s", topic);
	sweep_request(f, &mia, "GET", path, NULL, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/topics/%s/replies", topic);
	sweep_request(f, &mia, "POST", path, "{\"body\":\"Me too\"}", NULL, 201);
	/* The user's own pages. */
	sweep_request(f, &mia, "GET", "/api/v1/users/me", NULL, NULL, 200);
	sweep_request(f, &mia, "PATCH", "/api/v1/users/me", "{\"bio\":\"Here\"}", NULL, 200);
	{
		/* With If-Match: a failed read of the rev is no 409. */
		const struct req_opts match = {
		    .has_if_match = true,
		    .if_match = count(f, "SELECT rev FROM users WHERE id = ?", mia.id, NULL)};

		sweep_opts(f, &mia, "PATCH", "/api/v1/users/me", "{\"bio\":\"There\"}", NULL, 200,
		           &match);
	}
	snprintf(path, sizeof(path), "/api/v1/users/%s/profile", mia.id);
	sweep_request(f, NULL, "GET", path, NULL, NULL, 200);
	/* A department-admin's rights and whom they administer. */
	create(f, &f->admin, "/api/v1/departments", "{\"name\":\"Labs\",\"code\":\"LAB\"}", dept);
	snprintf(path, sizeof(path), "/api/v1/users/%s/roles", dora.id);
	snprintf(json, sizeof(json),
	         "{\"departments\":[{\"department_id\":\"%s\",\"roles\":[\"department-admin\"]}]}",
	         dept);
	assert_int_equal(call(f, &f->admin, "PATCH", path, json, NULL), 200);
	load_user(f, "dora", &dora);
	snprintf(path, sizeof(path), "/api/v1/users/%s/roles", mia.id);
	snprintf(json, sizeof(json),
	         "{\"departments\":[{\"department_id\":\"%s\",\"roles\":[\"instructor\"]}]}", dept);
	sweep_request(f, &dora, "PATCH", path, json, NULL, 200);
	snprintf(path, sizeof(path), "/api/v1/users/%s", mia.id);
	sweep_request(f, &dora, "GET", path, NULL, NULL, 200);
	snprintf(json, sizeof(json), "{\"role\":\"learner\",\"department_id\":\"%s\"}", dept);
	sweep_request(f, &f->admin, "POST", "/api/v1/invites", json, NULL, 201);
	/* /sync: a pull that meets a fault is a 5xx, never a shorter or tombstoned one. */
	snprintf(json, sizeof(json), "{\"client_id\":\"%s\",\"push\":[]}", client);
	assert_int_equal(call(f, &f->learner, "POST", "/api/v1/sync", json, &out), 200);
	cursors = cJSON_PrintUnformatted(cJSON_GetObjectItem(out, "cursors"));
	cJSON_Delete(out);
	/* With cursors: the staff flags remembered, the pull goes through staff_seen(). */
	snprintf(json, sizeof(json), "{\"client_id\":\"%s\",\"push\":[],\"cursors\":%s}", client,
	         cursors);
	sweep_request(f, &f->learner, "POST", "/api/v1/sync", json, NULL, 200);
	snprintf(json, sizeof(json),
	         "{\"client_id\":\"%s\",\"cursors\":%s,\"push\":[{\"key\":\"faults-push-1\","
	         "\"method\":\"POST\",\"path\":\"/api/v1/progress\",\"body\":{\"item_id\":\"%s\","
	         "\"status\":\"started\",\"time_spent\":5}}]}",
	         client, cursors, page);
	free(cursors);
	sweep_opts(f, &f->learner, "POST", "/api/v1/sync", json, NULL, 200, &push);
	/* Signing in, refreshing, and the bearer token: an error is no 401. */
	sweep_request(f, NULL, "POST", "/api/v1/auth/token",
	              "{\"username\":\"mia\",\"password\":\"mia-password\"}", NULL, 200);
	assert_int_equal(call(f, NULL, "POST", "/api/v1/auth/token",
	                      "{\"username\":\"mia\",\"password\":\"mia-password\"}", &out),
	                 200);
	body_str(out, "refresh_token", refresh, sizeof(refresh));
	body_str(out, "access_token", access, sizeof(access));
	cJSON_Delete(out);
	snprintf(json, sizeof(json), "{\"refresh_token\":\"%s\"}", refresh);
	/* The token is re-presented below as reuse: no refresh grace (--refresh-grace 0). */
	f->ctx.refresh_grace = -1;
	sweep_request(f, NULL, "POST", "/api/v1/auth/refresh", json, NULL, 200);
	f->ctx.refresh_grace = 0;
	{
		sqlite3 *h = store_db_handle(f->db);
		struct fault fault;
		struct srv_user who;
		char header[600];
		int rc;

		snprintf(header, sizeof(header), "Bearer %s", access);
		for (int64_t k = 1;; k++) {
			fault = (struct fault){.countdown = k};
			sqlite3_progress_handler(h, 1, on_progress, &fault);
			sqlite3_trace_v2(h, SQLITE_TRACE_STMT, on_trace, &fault);
			rc = srv_auth_bearer(&f->ctx, f->db, header, &who);
			sqlite3_trace_v2(h, 0, NULL, NULL);
			sqlite3_progress_handler(h, 0, NULL, NULL);
			srv_db_quiesce(f->db);
			if (!fault.fired)
				break;
			if (rc != -LC_EDB)
				fail_msg("fault after %lld steps in \"%s\": bearer gave %d",
				         (long long)k, fault.sql, rc);
		}
		assert_int_equal(rc, 0);
		assert_string_equal(who.id, mia.id);
	}
	/* The refresh token spent above, back again: reuse is told from a failed read. */
	sweep_request(f, NULL, "POST", "/api/v1/auth/refresh", json, NULL, 401);
	/* Signing up: the clash checks on id, username and email. */
	sweep_request(f, NULL, "POST", "/api/v1/auth/register",
	              "{\"username\":\"nora\",\"email\":\"nora@example.org\","
	              "\"password\":\"nora-password\"}",
	              NULL, 201);
	/* A failed read of the stored hash is no wrong old password. */
	sweep_request(f, &mia, "POST", "/api/v1/users/me/password",
	              "{\"old_password\":\"mia-password\",\"new_password\":\"mia-password-2\"}",
	              NULL, 204);
	/* Leaving the course: the enrollment's owner is looked up first. */
	snprintf(path, sizeof(path), "/api/v1/enrollments/%s", enrollment);
	sweep_request(f, &mia, "DELETE", path, NULL, NULL, 204);
}

/* store_db_next_row() itself: a row, the end, and an error that is recorded. */
static void
test_next_row_reports_errors(void **state)
{
	struct fixture *f = *state;
	sqlite3 *h = store_db_handle(f->db);
	struct fault fault = {.countdown = 1};
	sqlite3_stmt *stmt;

	assert_int_equal(store_db_prepare_new(f->db, "SELECT 1 UNION ALL SELECT 2", &stmt), 0);
	assert_int_equal(store_db_next_row(f->db, stmt, "t"), 1);
	assert_int_equal(store_db_next_row(f->db, stmt, "t"), 1);
	assert_int_equal(store_db_next_row(f->db, stmt, "t"), 0);
	sqlite3_reset(stmt);
	sqlite3_progress_handler(h, 1, on_progress, &fault);
	assert_int_equal(store_db_next_row(f->db, stmt, "walk"), -LC_EDB);
	sqlite3_progress_handler(h, 0, NULL, NULL);
	assert_true(fault.fired);
	assert_non_null(strstr(store_db_error(f->db)->message, "walk"));
	sqlite3_finalize(stmt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_failed_course_delete_leaves_no_row_without_tombstone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_user_delete_leaves_no_row_without_tombstone,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_faulted_lookups_and_lists_answer_5xx, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_faulted_content_edits_answer_5xx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_faulted_single_row_lookups_answer_5xx, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_next_row_reports_errors, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("srv-faults", tests, NULL, NULL);
}
