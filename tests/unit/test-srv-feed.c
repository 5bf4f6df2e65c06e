/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher, the change feed and /sync, in process on a real database: idempotent
 * replay, rollback of failed requests, one feed row per resource, cursors, the digest,
 * and the reset of a course scope when the caller's staff rights change under it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/buf.h"
#include "common/mem.h"
#include "server-stub/srv.h"
#include "sync/protocol.h"

#define CLIENT "0c0c0c0c-1111-4222-8333-444444444444"

struct fixture {
	char dir[64];
	char path[128];
	struct srv_ctx ctx;
	struct store_db *db;
	struct srv_user admin;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL;
	sqlite3_stmt *stmt;
	char id[LC_UUID_LEN + 1];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/lectern-feed-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/lecternd.db", f->dir);
	assert_int_equal(srv_ctx_init(&f->ctx, f->path, &cause), 0);
	f->db = srv_ctx_db(&f->ctx);
	assert_int_equal(
	    srv_user_create_cli(&f->ctx, "root", "root-password", SRV_ROLE_ADMIN, &cause), 0);
	assert_int_equal(
	    store_db_stmt(f->db, "SELECT id FROM users WHERE username = 'root'", &stmt), 0);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	assert_int_equal(srv_user_load(f->db, id, &f->admin), 0);
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

/* Runs one request; returns the status, the body in *out (caller frees) when out. */
static int
call(struct fixture *f, const struct srv_user *who, const char *method, const char *path,
     const char *json, const char *key, cJSON **out, bool *replayed)
{
	struct srv_resp resp;
	cJSON *body = json ? cJSON_Parse(json) : NULL;
	struct srv_call c = {.method = method,
	                     .path = path,
	                     .body = body,
	                     .viewer = who,
	                     .idempotency_key = key,
	                     .if_match = -1,
	                     .request_id = "test"};
	bool dummy;
	int status;

	srv_dispatch(&f->ctx, f->db, &c, &resp, replayed ? replayed : &dummy);
	status = resp.status;
	if (out) {
		*out = resp.body;
		resp.body = NULL;
	}
	srv_resp_finish(&resp);
	cJSON_Delete(body);
	return status;
}

/* The first column of the first row of sql on db. */
static int64_t
db_int(struct store_db *db, const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t n;

	assert_int_equal(store_db_prepare_new(db, sql, &stmt), 0);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static int64_t
count_rows(struct fixture *f, const char *sql)
{
	return db_int(f->db, sql);
}

static void
test_idempotent_replay_changes_nothing(void **state)
{
	struct fixture *f = *state;
	cJSON *a, *b;
	bool replayed;

	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/departments",
	                      "{\"name\":\"Arts\",\"code\":\"ART\"}", "k-1", &a, &replayed),
	                 201);
	assert_false(replayed);
	/* Another body under the same key: the first answer comes back, nothing is made. */
	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/departments",
	                      "{\"name\":\"Music\",\"code\":\"MUS\"}", "k-1", &b, &replayed),
	                 201);
	assert_true(replayed);
	assert_string_equal(cJSON_GetObjectItem(a, "id")->valuestring,
	                    cJSON_GetObjectItem(b, "id")->valuestring);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM departments"), 1);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM feed WHERE type = 'department'"), 1);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void
test_failed_request_rolls_back(void **state)
{
	struct fixture *f = *state;
	int64_t before = count_rows(f, "SELECT count(*) FROM feed");

	/* A bad parent makes the whole request fail: no row, no feed entry. */
	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/departments",
	                      "{\"name\":\"X\",\"code\":\"X\",\"parent_id\":"
	                      "\"99999999-9999-4999-8999-999999999999\"}",
	                      NULL, NULL, NULL),
	                 400);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM feed"), before);
	assert_int_equal(call(f, NULL, "GET", "/api/v1/users/me", NULL, NULL, NULL, NULL), 401);
	assert_int_equal(call(f, &f->admin, "GET", "/api/v1/nowhere", NULL, NULL, NULL, NULL), 404);
	assert_int_equal(call(f, &f->admin, "PUT", "/api/v1/users/me", "{}", NULL, NULL, NULL),
	                 405);
}

static cJSON *
do_sync(struct fixture *f, const struct srv_user *who, const char *cursors)
{
	char json[1024];
	cJSON *out = NULL;

	snprintf(json, sizeof(json), "{\"client_id\":\"%s\",\"cursors\":%s}", CLIENT, cursors);
	assert_int_equal(call(f, who, "POST", "/api/v1/sync", json, NULL, &out, NULL), 200);
	return out;
}

static bool
array_has(const cJSON *arr, const char *s)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, arr)
	{
		if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
			return true;
	}
	return false;
}

static int64_t
cursor_of(const cJSON *res, const char *scope)
{
	return (int64_t)cJSON_GetObjectItem(cJSON_GetObjectItem(res, "cursors"), scope)
	    ->valuedouble;
}

static void
test_sync_pulls_then_resets_on_staff_change(void **state)
{
	struct fixture *f = *state;
	struct srv_user lena;
	cJSON *reg, *res, *course, *dept;
	char scope[64], cursors[256], path[128], json[256];
	const char *cid, *did;

	/* A learner who enrolls in a published course gets its scope. */
	assert_int_equal(call(f, NULL, "POST", "/api/v1/auth/register",
	                      "{\"username\":\"lena\",\"email\":\"l@x.org\",\"password\":"
	                      "\"lena-password\"}",
	                      NULL, &reg, NULL),
	                 201);
	assert_int_equal(
	    srv_user_load(f->db,
	                  cJSON_GetObjectItem(cJSON_GetObjectItem(reg, "user"), "id")->valuestring,
	                  &lena),
	    0);
	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/departments",
	                      "{\"name\":\"Sciences\",\"code\":\"SCI\"}", NULL, &dept, NULL),
	                 201);
	did = cJSON_GetObjectItem(dept, "id")->valuestring;
	snprintf(json, sizeof(json), "{\"title\":\"Optics\",\"department_id\":\"%s\"}", did);
	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/courses", json, NULL, &course, NULL),
	                 201);
	cid = cJSON_GetObjectItem(course, "id")->valuestring;
	snprintf(path, sizeof(path), "/api/v1/courses/%s/publish", cid);
	assert_int_equal(call(f, &f->admin, "POST", path, "{}", NULL, NULL, NULL), 200);
	snprintf(json, sizeof(json), "{\"course_id\":\"%s\"}", cid);
	assert_int_equal(call(f, &lena, "POST", "/api/v1/enrollments", json, NULL, NULL, NULL),
	                 201);
	snprintf(scope, sizeof(scope), "course:%s", cid);

	res = do_sync(f, &lena, "{}");
	assert_true(array_has(cJSON_GetObjectItem(res, "scopes"), scope));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(res, "reset")), 0);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(res, "more")));
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(res, "changes")) > 0);
	snprintf(cursors, sizeof(cursors), "{\"catalog\":%lld,\"user\":%lld,\"%s\":%lld}",
	         (long long)cursor_of(res, "catalog"), (long long)cursor_of(res, "user"), scope,
	         (long long)cursor_of(res, scope));
	cJSON_Delete(res);

	/* Nothing changed: nothing comes. */
	res = do_sync(f, &lena, cursors);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(res, "changes")), 0);
	cJSON_Delete(res);

	/* Lena becomes content-admin of the course's department: staff of a scope she has. */
	snprintf(path, sizeof(path), "/api/v1/users/%s/roles", lena.id);
	snprintf(json, sizeof(json),
	         "{\"departments\":[{\"department_id\":\"%s\",\"roles\":[\"content-admin\"]}]}",
	         did);
	assert_int_equal(call(f, &f->admin, "PATCH", path, json, NULL, NULL, NULL), 200);
	assert_int_equal(srv_user_load(f->db, lena.id, &lena), 0);
	res = do_sync(f, &lena, cursors);
	assert_true(array_has(cJSON_GetObjectItem(res, "reset"), scope));
	assert_int_equal(cursor_of(res, scope), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(res, "more")));
	cJSON_Delete(res);

	cJSON_Delete(reg);
	cJSON_Delete(course);
	cJSON_Delete(dept);
}

static void
test_digest_counts_live_rows(void **state)
{
	struct fixture *f = *state;
	cJSON *res, *dept, *catalog;
	char path[128];
	int64_t before;

	res = NULL;
	assert_int_equal(call(f, &f->admin, "GET", "/api/v1/sync/digest", NULL, NULL, &res, NULL),
	                 200);
	catalog = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "scopes"), "catalog");
	before = (int64_t)cJSON_GetObjectItem(catalog, "count")->valuedouble;
	assert_int_equal(strlen(cJSON_GetObjectItem(catalog, "sha256")->valuestring), 64);
	cJSON_Delete(res);

	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/departments",
	                      "{\"name\":\"Gone\",\"code\":\"GONE\"}", NULL, &dept, NULL),
	                 201);
	snprintf(path, sizeof(path), "/api/v1/departments/%s",
	         cJSON_GetObjectItem(dept, "id")->valuestring);
	assert_int_equal(call(f, &f->admin, "GET", "/api/v1/sync/digest", NULL, NULL, &res, NULL),
	                 200);
	catalog = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "scopes"), "catalog");
	assert_int_equal((int64_t)cJSON_GetObjectItem(catalog, "count")->valuedouble, before + 1);
	cJSON_Delete(res);

	/* A delete leaves a tombstone, which the digest does not count. */
	assert_int_equal(call(f, &f->admin, "DELETE", path, NULL, NULL, NULL, NULL), 204);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM feed WHERE deleted = 1"), 1);
	assert_int_equal(call(f, &f->admin, "GET", "/api/v1/sync/digest", NULL, NULL, &res, NULL),
	                 200);
	catalog = cJSON_GetObjectItem(cJSON_GetObjectItem(res, "scopes"), "catalog");
	assert_int_equal((int64_t)cJSON_GetObjectItem(catalog, "count")->valuedouble, before);
	cJSON_Delete(res);
	cJSON_Delete(dept);
}

static void
test_purged_tombstones_reset_old_cursors(void **state)
{
	struct fixture *f = *state;
	cJSON *dept, *res;
	char path[128], cursors[128];
	int64_t top;

	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/departments",
	                      "{\"name\":\"Old\",\"code\":\"OLD\"}", NULL, &dept, NULL),
	                 201);
	snprintf(path, sizeof(path), "/api/v1/departments/%s",
	         cJSON_GetObjectItem(dept, "id")->valuestring);
	assert_int_equal(call(f, &f->admin, "DELETE", path, NULL, NULL, NULL, NULL), 204);
	cJSON_Delete(dept);
	top = count_rows(f, "SELECT max(seq) FROM feed");
	/* Age the tombstone past the retention window, then purge as a restart would. */
	assert_int_equal(
	    store_db_exec(f->db, "UPDATE feed SET at = at - 40 * 86400 WHERE deleted = 1"), 0);
	assert_int_equal(srv_feed_init(&f->ctx, f->db), 0);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM feed WHERE deleted = 1"), 0);

	/* A replica that stopped before the tombstone was written missed the delete. */
	snprintf(cursors, sizeof(cursors), "{\"catalog\":1,\"user\":%lld}", (long long)top);
	res = do_sync(f, &f->admin, cursors);
	assert_true(array_has(cJSON_GetObjectItem(res, "reset"), "catalog"));
	assert_false(array_has(cJSON_GetObjectItem(res, "reset"), "user"));
	assert_int_equal(cursor_of(res, "catalog"), 0);
	cJSON_Delete(res);
	/* One that had seen it is fine. */
	snprintf(cursors, sizeof(cursors), "{\"catalog\":%lld}", (long long)top);
	res = do_sync(f, &f->admin, cursors);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(res, "reset")), 0);
	cJSON_Delete(res);
}

/* Regression: a statement left on a row pinned an old snapshot and BEGIN IMMEDIATE failed. */
static void
test_write_after_stale_read_waits_its_turn(void **state)
{
	struct fixture *f = *state;
	struct store_db *other;
	sqlite3_stmt *stmt;
	char *cause = NULL;

	assert_int_equal(store_db_stmt(f->db, "SELECT id FROM users", &stmt), 0);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW); /* left stepping, as auth does */
	assert_int_equal(store_db_open(f->path, &srv_schema, &other, &cause), 0);
	assert_int_equal(store_db_exec(other, "UPDATE users SET bio = 'moved on'"), 0);
	store_db_close(other);
	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/departments",
	                      "{\"name\":\"After\",\"code\":\"AFT\"}", NULL, NULL, NULL),
	                 201);
}

/* Three courses in one department, made by the admin: feed rows in several scopes. */
static void
make_courses(struct fixture *f)
{
	cJSON *dept, *course;
	char json[256];

	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/departments",
	                      "{\"name\":\"Plans\",\"code\":\"PLN\"}", NULL, &dept, NULL),
	                 201);
	for (int i = 0; i < 3; i++) {
		snprintf(json, sizeof(json), "{\"title\":\"Course %d\",\"department_id\":\"%s\"}",
		         i, cJSON_GetObjectItem(dept, "id")->valuestring);
		assert_int_equal(
		    call(f, &f->admin, "POST", "/api/v1/courses", json, NULL, &course, NULL), 201);
		cJSON_Delete(course);
	}
	cJSON_Delete(dept);
}

/* The plan of one statement, its lines joined by '\n'. Caller frees. */
static char *
query_plan(struct fixture *f, const char *sql)
{
	char *explain = lc_asprintf("EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *stmt;
	struct lc_buf b;
	int rc;

	lc_buf_init(&b);
	assert_int_equal(store_db_prepare_new(f->db, explain, &stmt), 0);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		lc_buf_puts(&b, (const char *)sqlite3_column_text(stmt, 3));
		lc_buf_puts(&b, "\n");
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(stmt);
	free(explain);
	return lc_buf_steal(&b);
}

/*
 * Perf review 2026-11-29, cause 1: the pull joined the feed against temp.sync_scope, ran
 * `SCAN f` over every feed row, and created that temp table in every /sync. Every
 * statement a /sync leaves on the connection that reads feed rows after a cursor must
 * search feed_scope_seq, and no temp table may exist.
 */
static void
test_sync_pull_searches_feed_scope_seq(void **state)
{
	struct fixture *f = *state;
	sqlite3 *h = store_db_handle(f->db);
	int found = 0;
	cJSON *res;

	make_courses(f);
	res = do_sync(f, &f->admin, "{}");
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(res, "changes")) > 3);
	cJSON_Delete(res);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM temp.sqlite_schema"), 0);
	for (sqlite3_stmt *s = sqlite3_next_stmt(h, NULL); s; s = sqlite3_next_stmt(h, s)) {
		const char *sql = sqlite3_sql(s);
		char *plan;

		if (sql == NULL || strstr(sql, "feed") == NULL || strstr(sql, "seq >") == NULL)
			continue;
		plan = query_plan(f, sql);
		assert_non_null(strstr(plan, "USING INDEX feed_scope_seq (scope=? AND seq>?"));
		assert_null(strstr(plan, "SCAN"));
		free(plan);
		found++;
	}
	assert_true(found > 0);
}

/* Sum of the re-prepares of every statement on the connection, and their number. */
static int
statements(struct fixture *f, int *reprepares)
{
	sqlite3 *h = store_db_handle(f->db);
	int n = 0;

	*reprepares = 0;
	for (sqlite3_stmt *s = sqlite3_next_stmt(h, NULL); s; s = sqlite3_next_stmt(h, s)) {
		*reprepares += sqlite3_stmt_status(s, SQLITE_STMTSTATUS_REPREPARE, 0);
		n++;
	}
	return n;
}

/*
 * Perf review 2026-11-29, cause 1: a /sync that pushes nothing writes nothing (no write
 * lock, no schema change) and prepares no statement: the database's data_version seen from
 * another connection, the connection's total changes, its statements and their re-prepares
 * stay as they were, in the full form and in the compact form.
 */
static void
test_noop_sync_writes_and_prepares_nothing(void **state)
{
	struct fixture *f = *state;
	sqlite3 *h = store_db_handle(f->db);
	struct store_db *other;
	char *cause = NULL;
	char cursors[1024], compact[256], hex[SYNC_SCOPE_SET_HEX_LEN + 1];
	const char *names[16];
	const cJSON *e;
	cJSON *res, *out;
	size_t n = 0;
	int64_t high = 0;
	int reprepares, reprepares2, stmts;
	int total;
	struct lc_buf b;

	make_courses(f);
	res = do_sync(f, &f->admin, "{}");
	lc_buf_init(&b);
	lc_buf_puts(&b, "{");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(res, "scopes"))
	{
		int64_t c = cursor_of(res, e->valuestring);

		lc_buf_printf(&b, "%s\"%s\":%lld", n ? "," : "", e->valuestring, (long long)c);
		assert_true(n < 16);
		names[n++] = e->valuestring;
		high = c > high ? c : high;
	}
	lc_buf_puts(&b, "}");
	snprintf(cursors, sizeof(cursors), "%s", b.data);
	lc_buf_finish(&b);
	sync_scope_set_hash(names, n, hex);
	snprintf(compact, sizeof(compact),
	         "{\"client_id\":\"%s\",\"since\":%lld,\"scope_set\":\"%s\"}", CLIENT,
	         (long long)high, hex);
	cJSON_Delete(res);
	/* Warm: the no-op's statements are prepared once, by the first no-op. */
	cJSON_Delete(do_sync(f, &f->admin, cursors));
	assert_int_equal(call(f, &f->admin, "POST", "/api/v1/sync", compact, NULL, &out, NULL),
	                 200);
	cJSON_Delete(out);

	assert_int_equal(store_db_open(f->path, &srv_schema, &other, &cause), 0);
	int64_t version = db_int(other, "PRAGMA data_version");
	stmts = statements(f, &reprepares);
	total = sqlite3_total_changes(h);
	for (int i = 0; i < 3; i++) {
		res = do_sync(f, &f->admin, cursors);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(res, "changes")), 0);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(res, "reset")), 0);
		cJSON_Delete(res);
		assert_int_equal(
		    call(f, &f->admin, "POST", "/api/v1/sync", compact, NULL, &out, NULL), 200);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(out, "changes")), 0);
		assert_int_equal((int64_t)cJSON_GetObjectItem(out, "since")->valuedouble, high);
		cJSON_Delete(out);
	}
	assert_int_equal(db_int(other, "PRAGMA data_version"), version);
	assert_int_equal(sqlite3_total_changes(h), total);
	assert_int_equal(statements(f, &reprepares2), stmts);
	assert_int_equal(reprepares2, reprepares);
	store_db_close(other);
}

/*
 * Perf review 2026-11-29, cause 1: the pull now reads each scope on its own and merges in
 * C. Pages of 2 must come in seq order across scopes, each after the last, with more set
 * until the end, and together hold exactly what one large pull holds.
 */
static void
test_sync_pages_merge_scopes_by_seq(void **state)
{
	struct fixture *f = *state;
	char json[2048];
	cJSON *all, *page, *cursors = NULL;
	const cJSON *e;
	int64_t last = 0;
	int n_all, n = 0, pages = 0;
	bool more = true;

	make_courses(f);
	all = do_sync(f, &f->admin, "{}");
	n_all = cJSON_GetArraySize(cJSON_GetObjectItem(all, "changes"));
	assert_true(n_all > 3);
	while (more) {
		char *c = cursors ? cJSON_PrintUnformatted(cursors) : lc_strdup("{}");

		snprintf(json, sizeof(json), "{\"client_id\":\"%s\",\"cursors\":%s,\"limit\":2}",
		         CLIENT, c);
		free(c);
		assert_int_equal(
		    call(f, &f->admin, "POST", "/api/v1/sync", json, NULL, &page, NULL), 200);
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(page, "changes"))
		{
			int64_t seq = (int64_t)cJSON_GetObjectItem(e, "seq")->valuedouble;
			const cJSON *same =
			    cJSON_GetArrayItem(cJSON_GetObjectItem(all, "changes"), n);

			assert_true(seq > last);
			assert_int_equal(seq,
			                 (int64_t)cJSON_GetObjectItem(same, "seq")->valuedouble);
			assert_string_equal(cJSON_GetObjectItem(e, "scope")->valuestring,
			                    cJSON_GetObjectItem(same, "scope")->valuestring);
			last = seq;
			n++;
		}
		assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(page, "changes")) <= 2);
		more = cJSON_IsTrue(cJSON_GetObjectItem(page, "more"));
		cJSON_Delete(cursors);
		cursors = cJSON_DetachItemFromObject(page, "cursors");
		cJSON_Delete(page);
		assert_true(++pages <= n_all);
	}
	assert_int_equal(n, n_all);
	cJSON_Delete(cursors);
	cJSON_Delete(all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_idempotent_replay_changes_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_failed_request_rolls_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sync_pulls_then_resets_on_staff_change, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_digest_counts_live_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_purged_tombstones_reset_old_cursors, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_write_after_stale_read_waits_its_turn, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_sync_pull_searches_feed_scope_seq, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_noop_sync_writes_and_prepares_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_sync_pages_merge_scopes_by_seq, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
