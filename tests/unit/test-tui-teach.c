/* SPDX-License-Identifier: MIT */
/*
 * The TUI's reads for course staff (issue 11, items 1 and 5): which courses Home lists
 * under "Teaching" (owned, of a department where the user is content-admin or
 * department-admin or of one below it, every course for an admin; drafts and archived
 * ones included; never a course the user only learns), with their status, enrolled count
 * and sync issues; whether the user teaches a course (the staff check the course details,
 * reader, quiz and forum ask); a course's roster and a quiz's attempts from the replica;
 * and the cached server answers of the teaching view, which another user of the replica
 * never sees. On a real replica, without a terminal or a server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/tui-int.h"
#include "tui-test-app.h"

#define ME "a0000000-0000-4000-8000-000000000001"
#define PEER "a0000000-0000-4000-8000-000000000002"
#define LEARNER2 "a0000000-0000-4000-8000-000000000003"
#define D_TOP "d0000000-0000-4000-8000-000000000001"   /* I am content-admin here */
#define D_CHILD "d0000000-0000-4000-8000-000000000002" /* below D_TOP */
#define D_OTHER "d0000000-0000-4000-8000-000000000003"
#define C_OWN "c0000000-0000-4000-8000-000000000001"   /* mine, a draft */
#define C_DEPT "c0000000-0000-4000-8000-000000000002"  /* of D_TOP, published */
#define C_CHILD "c0000000-0000-4000-8000-000000000003" /* of D_CHILD, archived */
#define C_LEARN "c0000000-0000-4000-8000-000000000004" /* D_OTHER: I am enrolled */
#define C_CAT "c0000000-0000-4000-8000-000000000005"   /* catalog only, not my scope */
#define C_NEW "c0000000-0000-4000-8000-000000000006"   /* created here, not yet sent */
#define QUIZ "e0000000-0000-4000-8000-000000000001"

static void
apply(struct store_db *db, const char *scope, const char *type, const char *id, const char *doc)
{
	struct store_change ch = {.scope = scope, .type = type, .id = id, .rev = 1, .doc = doc};

	assert_int_equal(store_apply_change(db, &ch), 0);
}

/* A course in its own scope (with the scope's cursor, as sync leaves it). */
static void
add_course(struct store_db *db, const char *id, const char *title, const char *status,
           const char *owner, const char *dept, int enrolled)
{
	char *scope = lc_asprintf("course:%s", id);
	char *doc = lc_asprintf("{\"id\":\"%s\",\"title\":\"%s\",\"code\":\"K%.4s\",\"status\":"
	                        "\"%s\",\"owner_id\":\"%s\",\"department_id\":\"%s\","
	                        "\"enrolled_count\":%d}",
	                        id, title, title, status, owner, dept, enrolled);

	apply(db, scope, "course", id, doc);
	assert_int_equal(store_cursor_set(db, scope, 1), 0);
	free(doc);
	free(scope);
}

static void
set_me(struct store_db *db, const char *role, const char *departments)
{
	char *doc =
	    lc_asprintf("{\"id\":\"%s\",\"username\":\"me\",\"role\":\"%s\",\"departments\":%s}",
	                ME, role, departments);
	static int64_t rev;
	struct store_change ch = {
	    .scope = "user", .type = "user", .id = ME, .rev = ++rev, .doc = doc};

	assert_int_equal(store_apply_change(db, &ch), 0);
	free(doc);
}

static int
setup(void **state)
{
	struct tui_test_app *t = lc_calloc(1, sizeof(*t));
	struct store_db *db;
	struct store_write w = {.method = "POST",
	                        .path = "/api/v1/courses",
	                        .type = "course",
	                        .id = C_NEW,
	                        .scope = "course:" C_NEW,
	                        .body = "{}",
	                        .doc = "{\"id\":\"" C_NEW "\",\"title\":\"Brand new\",\"status\":"
	                               "\"draft\",\"owner_id\":\"" ME "\"}"};

	tui_test_app_open(t, "teach", ME);
	db = t->app.db;
	set_me(db, "instructor",
	       "[{\"department_id\":\"" D_TOP "\",\"roles\":[\"content-admin\"]},"
	       "{\"department_id\":\"" D_OTHER "\",\"roles\":[\"instructor\"]}]");
	apply(db, "catalog", "department", D_TOP, "{\"id\":\"" D_TOP "\",\"name\":\"Top\"}");
	apply(db, "catalog", "department", D_CHILD,
	      "{\"id\":\"" D_CHILD "\",\"name\":\"Child\",\"parent_id\":\"" D_TOP "\"}");
	apply(db, "catalog", "department", D_OTHER, "{\"id\":\"" D_OTHER "\",\"name\":\"Other\"}");
	add_course(db, C_OWN, "Own draft", "draft", ME, D_OTHER, 0);
	add_course(db, C_DEPT, "Department course", "published", PEER, D_TOP, 2);
	add_course(db, C_CHILD, "child course", "archived", PEER, D_CHILD, 1);
	add_course(db, C_LEARN, "Learning course", "published", PEER, D_OTHER, 30);
	apply(db, "catalog", "course", C_CAT,
	      "{\"id\":\"" C_CAT "\",\"title\":\"Catalog\",\"status\":\"published\","
	      "\"owner_id\":\"" ME "\"}");
	apply(db, "user", "enrollment", "f0000000-0000-4000-8000-000000000001",
	      "{\"id\":\"f0000000-0000-4000-8000-000000000001\",\"course_id\":\"" C_LEARN
	      "\",\"user_id\":\"" ME "\"}");
	assert_int_equal(store_local_write(db, &w, NULL), 0);
	*state = t;
	return 0;
}

/* Adds a sync issue as the engine records one (a refused write). */
static void
add_issue(struct tui_test_app *t, const char *type, const char *res_id, const char *scope,
          const char *path, const char *mine)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(store_db_handle(t->app.db),
	                                    "INSERT INTO issues (kind, method, path, status, type,"
	                                    " res_id, scope, mine, created_at) VALUES"
	                                    " ('rejected', 'POST', ?1, 403, ?2, ?3, ?4, ?5, 1)",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, res_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, mine, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/*
 * Owned (draft), of my department (published) and of a department below it (archived),
 * and the course created here: by title, with status and enrolled count. Not the course I
 * learn, nor one that is only in the catalog.
 */
static void
test_teaching_lists_owned_and_department_courses_with_status(void **state)
{
	struct tui_test_app *t = *state;
	struct tui_teach_course *c = NULL;
	size_t n = 0;

	add_issue(t, "module", "m1", "course:" C_DEPT, "/api/v1/courses/" C_DEPT "/modules", "{}");
	add_issue(t, "topic", "t1", "course:" C_DEPT, "/api/v1/topics/t1", "{}");
	add_issue(t, "enrollment", "x1", "user", "/api/v1/enrollments",
	          "{\"course_id\":\"" C_OWN "\"}");
	add_issue(t, "topic", "t2", "course:" C_LEARN, "/api/v1/topics/t2", "{}");
	assert_int_equal(tui_teaching_courses(&t->app, &c, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(c[0].title, "Brand new");
	assert_string_equal(c[0].id, C_NEW);
	assert_true(c[0].pending);
	assert_string_equal(c[1].title, "child course");
	assert_string_equal(c[1].status, "archived");
	assert_int_equal(c[1].enrolled, 1);
	assert_int_equal(c[1].issues, 0);
	assert_string_equal(c[2].title, "Department course");
	assert_string_equal(c[2].status, "published");
	assert_string_equal(c[2].code, "KDepa");
	assert_int_equal(c[2].enrolled, 2);
	assert_int_equal(c[2].issues, 2);
	assert_false(c[2].pending);
	assert_string_equal(c[3].title, "Own draft");
	assert_string_equal(c[3].status, "draft");
	assert_int_equal(c[3].issues, 1); /* the refused enrollment names it */
	tui_teaching_free(c, n);
}

/* A learner (no staff role, owns nothing) gets an empty list; an admin every course scope. */
static void
test_teaching_is_empty_for_a_learner_and_everything_for_an_admin(void **state)
{
	struct tui_test_app *t = *state;
	struct tui_teach_course *c = NULL;
	size_t n = 0;

	set_me(t->app.db, "learner", "[]");
	/* The local create is mine: without it a learner's list is empty. */
	assert_int_equal(tui_teaching_courses(&t->app, &c, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].id, C_NEW);
	assert_string_equal(c[1].id, C_OWN);
	tui_teaching_free(c, n);
	set_me(t->app.db, "admin", "[]");
	assert_int_equal(tui_teaching_courses(&t->app, &c, &n), 0);
	assert_int_equal(n, 5); /* every course scope, the one I learn included */
	tui_teaching_free(c, n);
	free(t->app.user_id);
	t->app.user_id = NULL;
	assert_int_equal(tui_teaching_courses(&t->app, &c, &n), 0);
	assert_int_equal(n, 0);
	assert_null(c);
}

/*
 * Home's first frame must not pay for the section: the list reads the scope set and each
 * scope's course row by primary key, never a walk of the replica's courses (the catalog's
 * 2,000 rows included).
 */
static void
test_teaching_reads_the_scopes_by_primary_key(void **state)
{
	struct tui_test_app *t = *state;
	struct tui_teach_course *c = NULL;
	sqlite3 *h = store_db_handle(t->app.db);
	sqlite3_stmt *s, *plan;
	const char *sql = NULL;
	struct lc_buf out = {0};
	char *explain;
	size_t n = 0;
	int rc;

	assert_int_equal(tui_teaching_courses(&t->app, &c, &n), 0);
	tui_teaching_free(c, n);
	for (s = sqlite3_next_stmt(h, NULL); s != NULL; s = sqlite3_next_stmt(h, s))
		if (strstr(sqlite3_sql(s), "substr(s.scope, 8)") != NULL)
			sql = sqlite3_sql(s);
	assert_non_null(sql);
	explain = lc_asprintf("EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(h, explain, -1, &plan, NULL), SQLITE_OK);
	while ((rc = sqlite3_step(plan)) == SQLITE_ROW)
		lc_buf_printf(&out, "%s\n", (const char *)sqlite3_column_text(plan, 3));
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(plan);
	free(explain);
	assert_non_null(
	    strstr(lc_buf_str(&out), "SEARCH s USING PRIMARY KEY (scope>? AND scope<?)"));
	assert_non_null(
	    strstr(lc_buf_str(&out), "SEARCH r USING PRIMARY KEY (scope=? AND type=? AND id=?)"));
	assert_non_null(strstr(lc_buf_str(&out), "SEARCH o USING PRIMARY KEY (type=? AND id=?)"));
	assert_null(strstr(lc_buf_str(&out), "SCAN r"));
	assert_null(strstr(lc_buf_str(&out), "SCAN s"));
	assert_null(strstr(lc_buf_str(&out), "resources_by_id"));
	lc_buf_finish(&out);
}

/* The staff check of the details, reader, quiz and forum: the same rules, per course. */
static void
test_teaches_owner_department_tree_and_admin(void **state)
{
	struct tui_test_app *t = *state;

	assert_true(tui_teaches(&t->app, C_OWN));
	assert_true(tui_teaches(&t->app, C_DEPT));
	assert_true(tui_teaches(&t->app, C_CHILD));  /* rights follow the tree */
	assert_false(tui_teaches(&t->app, C_LEARN)); /* "instructor" there is no staff role */
	assert_true(tui_teaches(&t->app, C_CAT));    /* owned, whatever the scope */
	assert_false(tui_teaches(&t->app, "no-such-course"));
	assert_false(tui_teaches(&t->app, NULL));
	set_me(t->app.db, "admin", "[]");
	assert_true(tui_teaches(&t->app, C_LEARN));
	set_me(t->app.db, "learner", "[]");
	assert_false(tui_teaches(&t->app, C_DEPT));
	assert_true(tui_teaches(&t->app, C_OWN));
}

/* A department loop in bad data ends the walk up the tree instead of hanging. */
static void
test_teaches_stops_on_a_department_loop(void **state)
{
	struct tui_test_app *t = *state;
	struct store_change loop = {.scope = "catalog",
	                            .type = "department",
	                            .id = D_TOP,
	                            .rev = 2,
	                            .doc = "{\"id\":\"" D_TOP "\",\"parent_id\":\"" D_CHILD "\"}"};

	set_me(t->app.db, "instructor",
	       "[{\"department_id\":\"" D_OTHER "\",\"roles\":[\"department-admin\"]}]");
	assert_int_equal(store_apply_change(t->app.db, &loop), 0);
	assert_false(tui_teaches(&t->app, C_CHILD));
	assert_true(tui_teaches(&t->app, C_LEARN));
}

/* Staff see the course's enrollments by username and every attempt at a quiz. */
static void
test_roster_and_attempts_come_from_the_replica(void **state)
{
	struct tui_test_app *t = *state;
	struct tui_student *st = NULL;
	struct tui_attempt *at = NULL;
	size_t n = 0;

	apply(t->app.db, "course:" C_DEPT, "enrollment", "f0000000-0000-4000-8000-000000000002",
	      "{\"id\":\"f0000000-0000-4000-8000-000000000002\",\"course_id\":\"" C_DEPT
	      "\",\"user_id\":\"" PEER
	      "\",\"username\":\"zoe\",\"created_at\":\"2026-11-01T00:00:00Z\"}");
	apply(t->app.db, "course:" C_DEPT, "enrollment", "f0000000-0000-4000-8000-000000000003",
	      "{\"id\":\"f0000000-0000-4000-8000-000000000003\",\"course_id\":\"" C_DEPT
	      "\",\"user_id\":\"" LEARNER2 "\",\"username\":\"adam\","
	      "\"created_at\":\"2026-11-02T00:00:00Z\"}");
	assert_int_equal(tui_course_roster(&t->app, C_DEPT, &st, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(st[0].username, "adam");
	assert_string_equal(st[1].username, "zoe");
	assert_string_equal(tui_roster_name(st, n, PEER), "zoe");
	assert_null(tui_roster_name(st, n, ME));
	tui_roster_free(st, n);
	assert_int_equal(tui_course_roster(&t->app, C_CHILD, &st, &n), 0);
	assert_int_equal(n, 0);
	tui_roster_free(st, n);

	apply(t->app.db, "course:" C_DEPT, "attempt", "b0000000-0000-4000-8000-000000000001",
	      "{\"id\":\"b0000000-0000-4000-8000-000000000001\",\"item_id\":\"" QUIZ
	      "\",\"user_id\":\"" PEER "\",\"score\":3,\"max_score\":4,\"passed\":true,"
	      "\"created_at\":\"2026-11-03T00:00:00Z\",\"submitted_at\":\"2026-11-03T00:00:00Z\"}");
	apply(t->app.db, "course:" C_DEPT, "attempt", "b0000000-0000-4000-8000-000000000002",
	      "{\"id\":\"b0000000-0000-4000-8000-000000000002\",\"item_id\":\"" QUIZ
	      "\",\"user_id\":\"" LEARNER2 "\",\"score\":null,\"max_score\":null,"
	      "\"created_at\":\"2026-11-04T00:00:00Z\"}");
	assert_int_equal(tui_quiz_attempts(&t->app, QUIZ, &at, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(at[0].user_id, PEER);
	assert_true(at[0].passed);
	assert_true(at[0].score == 3 && at[0].max_score == 4);
	assert_string_equal(at[0].submitted_at, "2026-11-03T00:00:00Z");
	assert_string_equal(at[1].user_id, LEARNER2);
	assert_true(at[1].max_score == 0); /* not graded yet */
	assert_string_equal(at[1].submitted_at, "2026-11-04T00:00:00Z");
	tui_attempts_free(at, n);
}

/* The teaching view's cached answers: this user's only, with the time they were fetched. */
static void
test_teach_cache_shows_only_this_users_answer(void **state)
{
	struct tui_test_app *t = *state;
	char *key = tui_teach_key(C_DEPT, "analytics");
	int64_t at = 0;
	cJSON *body = NULL;

	assert_string_equal(key, "teach:" C_DEPT ":analytics");
	assert_int_equal(tui_teach_cache(&t->app, key, &body, &at), -LC_ENOTFOUND);
	assert_int_equal(store_setting_set(t->app.db, key,
	                                   "{\"user_id\":\"" PEER "\",\"fetched_at\":"
	                                   "\"2026-11-30T14:02:00Z\",\"body\":{\"enrolled\":2}}"),
	                 0);
	assert_int_equal(tui_teach_cache(&t->app, key, &body, &at), -LC_ENOTFOUND);
	assert_null(body);
	assert_int_equal(store_setting_set(t->app.db, key, "not json"), 0);
	assert_int_equal(tui_teach_cache(&t->app, key, &body, &at), -LC_ENOTFOUND);
	assert_int_equal(store_setting_set(t->app.db, key,
	                                   "{\"user_id\":\"" ME "\",\"fetched_at\":"
	                                   "\"2026-11-30T14:02:00Z\",\"body\":{\"enrolled\":2}}"),
	                 0);
	assert_int_equal(tui_teach_cache(&t->app, key, &body, &at), 0);
	assert_int_equal((int)tui_json_num(body, "enrolled", 0), 2);
	assert_int_equal(at, 1796047320);
	cJSON_Delete(body);
	free(key);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tui_test_app_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_teaching_lists_owned_and_department_courses_with_status),
	    T(test_teaching_is_empty_for_a_learner_and_everything_for_an_admin),
	    T(test_teaching_reads_the_scopes_by_primary_key),
	    T(test_teaches_owner_department_tree_and_admin),
	    T(test_teaches_stops_on_a_department_loop),
	    T(test_roster_and_attempts_come_from_the_replica),
	    T(test_teach_cache_shows_only_this_users_answer),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
