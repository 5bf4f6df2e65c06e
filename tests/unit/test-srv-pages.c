/* SPDX-License-Identifier: MIT */
/*
 * GET /courses costs the page, not the catalog (perf review 2026-11-29, cause 2): in
 * process on a real database, the statements a first page runs do not grow when 1,000 more
 * visible and 1,000 more invisible courses exist (the list used to render, statement by
 * statement, every course before paging), and the count still excludes the invisible.
 * The total of an unfiltered page comes from course_counts (schema version 4) for callers
 * who see exactly the published courses, or every course: the work of such a page does not
 * grow with the catalog at all, and every caller's total still follows perm.c's rule.
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

static void
exec_ok(struct fixture *f, const char *sql)
{
	assert_int_equal(sqlite3_exec(store_db_handle(f->db), sql, NULL, NULL, NULL), SQLITE_OK);
}

/* Inserts n courses of status owned by owner_id (may be NULL) in department_id (may be NULL). */
static void
add_owned_courses(struct fixture *f, int n, const char *status, const char *owner_id,
                  const char *department_id)
{
	static int serial;
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_exec(store_db_handle(f->db), "BEGIN", NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_int_equal(store_db_prepare_new(f->db,
	                                      "INSERT INTO courses (id, title, status, owner_id, "
	                                      "department_id, created_at, updated_at) "
	                                      "VALUES (?1, 'Course', ?2, ?4, ?5, ?3, ?3)",
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
		store_bind_text(st, 4, owner_id);
		store_bind_text(st, 5, department_id);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(store_db_handle(f->db), "COMMIT", NULL, NULL, NULL),
	                 SQLITE_OK);
}

/* Inserts n courses of status, created after every earlier one, with no owner. */
static void
add_courses(struct fixture *f, int n, const char *status)
{
	add_owned_courses(f, n, status, NULL, NULL);
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

/*
 * Adds up the virtual machine steps of every statement that ends (SQLITE_TRACE_PROFILE),
 * resetting each statement's counter: cached statements count from their last run.
 */
static int
count_steps(unsigned type, void *ctx, void *p, void *x)
{
	(void)type;
	(void)x;
	*(int64_t *)ctx += sqlite3_stmt_status(p, SQLITE_STMTSTATUS_VM_STEP, 1);
	return 0;
}

/* GET path as viewer (NULL: anonymous); returns the answer's total, *steps the VM steps. */
static int64_t
total_as(struct fixture *f, const struct srv_user *viewer, const char *path, int64_t *steps)
{
	struct srv_call c = {
	    .method = "GET", .path = path, .viewer = viewer, .if_match = -1, .request_id = "test"};
	struct srv_resp resp;
	bool replayed;
	int64_t n = 0, total;

	assert_int_equal(
	    sqlite3_trace_v2(store_db_handle(f->db), SQLITE_TRACE_PROFILE, count_steps, &n),
	    SQLITE_OK);
	srv_dispatch(&f->ctx, f->db, &c, &resp, &replayed);
	assert_int_equal(sqlite3_trace_v2(store_db_handle(f->db), 0, NULL, NULL), SQLITE_OK);
	assert_int_equal(resp.status, 200);
	total = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(resp.body, "total"));
	srv_resp_finish(&resp);
	if (steps != NULL)
		*steps = n;
	return total;
}

/* A user of role with a department membership of roles bits in dept (NULL: none). */
static void
add_user(struct fixture *f, const char *id, const char *role, const char *dept, unsigned roles,
         struct srv_user *out)
{
	char sql[512];

	snprintf(sql, sizeof sql,
	         "INSERT INTO users (id, username, email, password_hash, role, created_at, "
	         "updated_at) VALUES ('%s', 'u%s', '%s@example.org', 'x', '%s', "
	         "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
	         id, id + 24, id + 24, role);
	exec_ok(f, sql);
	if (dept != NULL) {
		snprintf(sql, sizeof sql,
		         "INSERT INTO memberships (user_id, department_id, roles) "
		         "VALUES ('%s', '%s', %u)",
		         id, dept, roles);
		exec_ok(f, sql);
	}
	assert_int_equal(srv_user_load(f->db, id, out), 0);
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

/*
 * Issue 10 ("any page of any list endpoint costs the same whatever the size of the
 * catalog"): an unfiltered first page does the same SQLite work with 3,000 more courses,
 * for an anonymous caller, a learner and an admin; the total comes from course_counts.
 */
static void
test_course_page_work_does_not_follow_the_catalog(void **state)
{
	struct fixture *f = *state;
	const char *page = "/api/v1/courses?limit=2";
	struct srv_user learner, admin;
	int64_t small[3], big[3];

	add_user(f, "00000000-0000-4000-8000-000000000001", "learner", NULL, 0, &learner);
	add_user(f, "00000000-0000-4000-8000-000000000002", "admin", NULL, 0, &admin);
	add_courses(f, 3, "published");
	add_courses(f, 2, "draft");
	add_courses(f, 1, "archived");
	assert_int_equal(total_as(f, NULL, page, &small[0]), 3);
	assert_int_equal(total_as(f, &learner, page, &small[1]), 3);
	assert_int_equal(total_as(f, &admin, page, &small[2]), 6);
	add_courses(f, 1000, "published");
	add_courses(f, 1000, "draft");
	add_courses(f, 1000, "archived");
	assert_int_equal(total_as(f, NULL, page, &big[0]), 1003);
	assert_int_equal(total_as(f, &learner, page, &big[1]), 1003);
	assert_int_equal(total_as(f, &admin, page, &big[2]), 3006);
	for (int i = 0; i < 3; i++)
		assert_int_equal(big[i], small[i]);
}

/*
 * The totals of every kind of caller and filter still follow perm.c's visibility rule, and
 * course_counts follows inserts, status changes and deletes (its triggers).
 */
static void
test_course_totals_follow_the_visibility_rule(void **state)
{
	struct fixture *f = *state;
	const char *dept = "00000000-0000-4000-8000-0000000000d1";
	const char *owner_id = "00000000-0000-4000-8000-000000000003";
	struct srv_user learner, owner, staff, admin;

	exec_ok(f, "INSERT INTO departments (id, name, code, created_at, updated_at) VALUES "
	           "('00000000-0000-4000-8000-0000000000d1', 'D', 'D', '2026-01-01T00:00:00Z', "
	           "'2026-01-01T00:00:00Z')");
	add_user(f, "00000000-0000-4000-8000-000000000001", "learner", dept, 0, &learner);
	add_user(f, "00000000-0000-4000-8000-000000000002", "admin", NULL, 0, &admin);
	add_user(f, owner_id, "instructor", NULL, 0, &owner);
	add_user(f, "00000000-0000-4000-8000-000000000004", "learner", dept, SRV_DEPT_CONTENT_ADMIN,
	         &staff);
	add_courses(f, 4, "published");
	add_courses(f, 3, "archived");
	add_owned_courses(f, 2, "draft", owner_id, NULL);
	add_owned_courses(f, 5, "draft", NULL, dept);

	assert_int_equal(total_as(f, NULL, "/api/v1/courses", NULL), 4);
	assert_int_equal(total_as(f, &learner, "/api/v1/courses", NULL), 4);
	assert_int_equal(total_as(f, &learner, "/api/v1/courses?status=draft", NULL), 0);
	assert_int_equal(total_as(f, &learner, "/api/v1/courses?status=published", NULL), 4);
	assert_int_equal(total_as(f, &owner, "/api/v1/courses", NULL), 6);
	assert_int_equal(total_as(f, &owner, "/api/v1/courses?status=draft", NULL), 2);
	assert_int_equal(total_as(f, &staff, "/api/v1/courses", NULL), 9);
	assert_int_equal(total_as(f, &staff, "/api/v1/courses?status=draft", NULL), 5);
	assert_int_equal(total_as(f, &admin, "/api/v1/courses", NULL), 14);
	assert_int_equal(total_as(f, &admin, "/api/v1/courses?status=archived", NULL), 3);

	/* Status changes and deletes move the counts. */
	exec_ok(f, "UPDATE courses SET status = 'published' WHERE status = 'archived'");
	exec_ok(f, "DELETE FROM courses WHERE rowid IN (SELECT rowid FROM courses WHERE status = "
	           "'published' LIMIT 2)");
	assert_int_equal(total_as(f, &learner, "/api/v1/courses", NULL), 5);
	assert_int_equal(total_as(f, &admin, "/api/v1/courses?status=archived", NULL), 0);
	assert_int_equal(total_as(f, &admin, "/api/v1/courses", NULL), 12);
	/* The owner's drafts published: the owner now sees what a learner sees. */
	exec_ok(f, "UPDATE courses SET status = 'published' WHERE owner_id IS NOT NULL");
	assert_int_equal(total_as(f, &owner, "/api/v1/courses", NULL), 7);
	assert_int_equal(total_as(f, &owner, "/api/v1/courses?status=draft", NULL), 0);
}

/* Schema version 4 counts the courses a version 3 database already holds. */
static void
test_course_counts_migration_counts_existing_courses(void **state)
{
	char dir[] = "/tmp/lectern-counts-XXXXXX", path[64], cmd[96];
	struct store_schema v3 = srv_schema;
	struct store_db *db;
	char *cause = NULL;
	sqlite3_stmt *st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/old.db", dir);
	v3.migration_count = 3;
	assert_int_equal(store_db_open(path, &v3, &db, &cause), 0);
	assert_int_equal(store_db_exec(db, "INSERT INTO courses (id, title, status, created_at, "
	                                   "updated_at) VALUES ('a', 'A', 'published', 't', 't'), "
	                                   "('b', 'B', 'published', 't', 't'), "
	                                   "('c', 'C', 'draft', 't', 't')"),
	                 0);
	store_db_close(db);
	assert_int_equal(store_db_open(path, &srv_schema, &db, &cause), 0);
	assert_int_equal(
	    store_db_prepare_new(db,
	                         "SELECT group_concat(status || '=' || n, ',') FROM "
	                         "(SELECT status, n FROM course_counts ORDER BY status)",
	                         &st),
	    0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "draft=1,published=2");
	sqlite3_finalize(st);
	store_db_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_course_page_statements_do_not_follow_the_catalog,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_course_page_work_does_not_follow_the_catalog,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_course_totals_follow_the_visibility_rule, setup,
	                                    teardown),
	    cmocka_unit_test(test_course_counts_migration_counts_existing_courses),
	};

	return cmocka_run_group_tests_name("srv-pages", tests, NULL, NULL);
}
