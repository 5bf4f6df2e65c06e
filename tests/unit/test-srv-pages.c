/* SPDX-License-Identifier: MIT */
/*
 * GET /courses costs the page, not the catalog (perf review 2026-11-29, cause 2): in
 * process on a real database, the statements a first page runs do not grow when 1,000 more
 * visible and 1,000 more invisible courses exist (the list used to render, statement by
 * statement, every course before paging), and the count still excludes the invisible.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server-stub/srv.h"

struct fixture {
	char dir[64];
	char path[128];
	struct srv_ctx ctx;
	struct store_db *db;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/lectern-pages-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/lecternd.db", f->dir);
	assert_int_equal(srv_ctx_init(&f->ctx, f->path, &cause), 0);
	f->db = srv_ctx_db(&f->ctx);
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

/* Inserts n courses of status, created after every earlier one. */
static void
add_courses(struct fixture *f, int n, const char *status)
{
	static int serial;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_exec(store_db_handle(f->db), "BEGIN", NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(
	    store_db_prepare_new(f->db,
	                         "INSERT INTO courses (id, title, status, created_at, updated_at) "
	                         "VALUES (?1, 'Course', ?2, ?3, ?3)",
	                         &st),
	    0);
	for (int i = 0; i < n; i++) {
		char id[LC_UUID_LEN + 1], at[32];

		lc_uuid_new(id);
		serial++;
		snprintf(at, sizeof at, "2026-01-01T%02d:%02d:%02dZ", serial / 3600 % 24,
		         serial / 60 % 60, serial % 60);
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, status);
		store_bind_text(st, 3, at);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(store_db_handle(f->db), "COMMIT", NULL, NULL, NULL),
	                 SQLITE_OK);
}

static int
count_stmt(unsigned type, void *ctx, void *p, void *x)
{
	(void)type;
	(void)p;
	(void)x;
	(*(int *)ctx)++;
	return 0;
}

/* GET path anonymously; returns the statements it started, the total in *total. */
static int
statements_of(struct fixture *f, const char *path, int64_t *total)
{
	struct srv_call c = {.method = "GET", .path = path, .if_match = -1, .request_id = "test"};
	struct srv_resp resp;
	bool replayed;
	int n = 0;

	assert_int_equal(
	    sqlite3_trace_v2(store_db_handle(f->db), SQLITE_TRACE_STMT, count_stmt, &n), SQLITE_OK);
	srv_dispatch(&f->ctx, f->db, &c, &resp, &replayed);
	assert_int_equal(sqlite3_trace_v2(store_db_handle(f->db), 0, NULL, NULL), SQLITE_OK);
	assert_int_equal(resp.status, 200);
	*total =
	    (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(resp.body, "total"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(resp.body, "items")),
	                 2);
	srv_resp_finish(&resp);
	return n;
}

/* Perf review 2026-11-29, cause 2. */
static void
test_course_page_statements_do_not_follow_the_catalog(void **state)
{
	struct fixture *f = *state;
	int64_t total;
	int small, big;

	add_courses(f, 3, "published");
	add_courses(f, 2, "draft");
	small = statements_of(f, "/api/v1/courses?limit=2", &total);
	assert_int_equal(total, 3);
	add_courses(f, 1000, "published");
	add_courses(f, 1000, "draft");
	add_courses(f, 1000, "archived");
	big = statements_of(f, "/api/v1/courses?limit=2", &total);
	assert_int_equal(total, 1003);
	assert_int_equal(big, small);
	/* The last page too, and a filter. */
	assert_int_equal(statements_of(f, "/api/v1/courses?limit=2&page=501", &total), small);
	assert_int_equal(statements_of(f, "/api/v1/courses?limit=2&status=published", &total),
	                 small);
	assert_int_equal(total, 1003);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_course_page_statements_do_not_follow_the_catalog,
	                                    setup, teardown),
	};

	return cmocka_run_group_tests_name("srv-pages", tests, NULL, NULL);
}
