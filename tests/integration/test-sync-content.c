/* SPDX-License-Identifier: MIT */
/*
 * Kiosk mode's shared content store against a real lecternd (issue 13, item 6): learners
 * of the same course, each in their own profile under one data folder, sync through one
 * D/content.db. The first downloads the course; the second and third start from the
 * shared copy and the server sends them only what changed since (fewer changes than the
 * course has rows, fewer bytes), and /sync/digest still agrees (every sync here runs with
 * verify); a learner who then enrolls on the kiosk gets the new course from the store too.
 * A course a learner is not enrolled in never reaches their replica. Staff neither
 * feed the store nor read it. store_content_forget_user() drops the scopes holding a
 * poster's topic and no byte of it stays in the store's files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/mem.h"
#include "store/content.h"
#include "store/replica.h"
#include "sync/engine.h"
#include "test-sync-lib.h"

#define N_ITEMS 24
#define N_TOPICS 6
#define POST_MARKER "kioskpostmarker"

struct fixture {
	struct st_world w; /* courses[0] for everyone, courses[1] for k1 only */
	struct st_api k1;
	char *kiosk; /* D */
	char content[1024];
};

struct profile_sync {
	int64_t bytes_down, bytes_up, applied;
	int64_t course_rows; /* live rows of courses[0]'s scope in the replica after the sync */
	char db[1024];
};

static int
group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	static const char *const users[] = {"kiosk2", "kiosk3"};
	char body[256], id[ST_ID_LEN + 1];

	*state = f;
	if (st_world_setup(&f->w, "content", 2, N_ITEMS, N_TOPICS) < 0 ||
	    st_server_create_user(&f->w.srv, "kiosk1", "learner", ST_PASSWORD) < 0 ||
	    st_api_login(&f->k1, f->w.srv.url, "kiosk1", ST_PASSWORD) < 0 ||
	    st_api_enroll(&f->k1, f->w.courses[0].id) < 0 ||
	    st_api_enroll(&f->k1, f->w.courses[1].id) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		struct st_api api = {0};
		int rc = st_server_create_user(&f->w.srv, users[i], "learner", ST_PASSWORD);

		if (rc == 0)
			rc = st_api_login(&api, f->w.srv.url, users[i], ST_PASSWORD);
		if (rc == 0)
			rc = st_api_enroll(&api, f->w.courses[0].id);
		st_api_finish(&api);
		if (rc < 0)
			return -1;
	}
	/* k1's own topic in the shared course: what a wipe of k1's profile must forget. */
	snprintf(body, sizeof(body), "{\"title\":\"From k1\",\"body\":\"%s\"}", POST_MARKER);
	snprintf(id, sizeof(id), "%s", "");
	{
		char path[128];

		snprintf(path, sizeof(path), "/courses/%s/topics", f->w.courses[0].id);
		if (st_api_create(&f->k1, path, body, id) < 0)
			return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	struct fixture *f = *state;

	st_api_finish(&f->k1);
	st_world_teardown(&f->w);
	free(f);
	return 0;
}

/* Every test gets a kiosk data folder of its own (0700), with an empty shared store. */
static int
setup(void **state)
{
	struct fixture *f = *state;
	static int n;
	char *dir = lc_asprintf("%s/kiosk%d", f->w.dir, n++);

	if (mkdir(dir, 0700) != 0)
		return -1;
	free(f->kiosk);
	f->kiosk = dir;
	snprintf(f->content, sizeof(f->content), "%s/content.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	free(f->kiosk);
	f->kiosk = NULL;
	return 0;
}

static int64_t
count(struct store_db *db, const char *sql, const char *arg)
{
	sqlite3_stmt *stmt;
	int64_t n;

	assert_int_equal(store_db_prepare_new(db, sql, &stmt), 0);
	store_bind_text(stmt, 1, arg);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static int64_t
count_file(const char *path, const char *sql, const char *arg)
{
	struct store_db *db;
	char *cause = NULL;
	int64_t n;

	if (access(path, F_OK) != 0)
		return 0;
	assert_int_equal(store_replica_open(path, &db, &cause), 0);
	n = count(db, sql, arg);
	store_db_close(db);
	return n;
}

/*
 * Signs user in on their own profile D/profiles/<name>/replica.db and runs one whole sync
 * with verify (the digests must agree) through the kiosk's shared store.
 */
static void
sync_profile(struct fixture *f, const char *name, const char *user, struct profile_sync *out)
{
	char *dir = lc_asprintf("%s/profiles", f->kiosk), *cause = NULL, scope[64];
	struct sync_options opts = {0};
	struct sync_engine *e = NULL;
	struct sync_status st;
	struct store_db *db;
	int rc;

	(void)mkdir(dir, 0700);
	free(dir);
	dir = lc_asprintf("%s/profiles/%s", f->kiosk, name);
	(void)mkdir(dir, 0700);
	snprintf(out->db, sizeof(out->db), "%s/replica.db", dir);
	free(dir);
	rc = sync_login(out->db, f->w.srv.url, user, ST_PASSWORD, NULL, &cause);
	if (rc != 0)
		fail_msg("login %s: %s", user, cause != NULL ? cause : "?");
	opts.db_path = out->db;
	opts.content_path = f->content;
	assert_int_equal(sync_engine_create(&opts, &e, &cause), 0);
	rc = sync_engine_run(e, true, &cause);
	if (rc != 0)
		fail_msg("sync %s: %d %s", user, rc, cause != NULL ? cause : "?");
	sync_engine_status(e, &st);
	out->bytes_down = st.bytes_down;
	out->bytes_up = st.bytes_up;
	out->applied = st.changes_applied;
	sync_engine_destroy(e);
	snprintf(scope, sizeof(scope), "course:%s", f->w.courses[0].id);
	assert_int_equal(store_replica_open(out->db, &db, &cause), 0);
	out->course_rows =
	    count(db, "SELECT count(*) FROM resources WHERE scope = ?1 AND deleted = 0", scope);
	store_db_close(db);
	print_message("%s: %lld changes applied, %lld bytes down, %lld up, %lld course rows\n",
	              user, (long long)out->applied, (long long)out->bytes_down,
	              (long long)out->bytes_up, (long long)out->course_rows);
}

/* Two and three learners of one course: the 2nd and 3rd download a fraction. */
static void
test_kiosk_learners_share_course_content(void **state)
{
	struct fixture *f = *state;
	struct profile_sync p1, p2, p3;
	char scope_b[64];
	struct stat st;

	snprintf(scope_b, sizeof(scope_b), "course:%s", f->w.courses[1].id);
	sync_profile(f, "one", "kiosk1", &p1);
	/* k1 fed both courses and the catalog; the file is private. */
	assert_int_equal(stat(f->content, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(
	    count_file(f->content, "SELECT count(*) FROM cursors WHERE scope = ?1", scope_b), 1);
	assert_int_equal(
	    count_file(f->content, "SELECT count(*) FROM resources WHERE scope = 'user'", NULL), 0);
	assert_true(p1.applied >= p1.course_rows);

	/* A change after the shared copy was made: the seeded profile pulls it (verify agrees). */
	{
		char path[128], id[ST_ID_LEN + 1];

		snprintf(path, sizeof(path), "/courses/%s/topics", f->w.courses[0].id);
		assert_int_equal(st_api_create(&f->w.instructor, path,
		                               "{\"title\":\"Later\",\"body\":\"news\"}", id),
		                 0);
	}
	sync_profile(f, "two", "kiosk2", &p2);
	assert_int_equal(p2.course_rows, p1.course_rows + 1);
	p1.course_rows++;
	/* The course came from the shared store: the server sent only k2's own rows. */
	assert_true(p2.applied * 2 < p2.course_rows);
	assert_true(p2.bytes_down * 2 < p1.bytes_down);
	/* k2 is not enrolled in courses[1]: none of it reached k2's replica. */
	assert_int_equal(
	    count_file(p2.db, "SELECT count(*) FROM resources WHERE scope = ?1", scope_b), 0);
	assert_int_equal(
	    count_file(p2.db, "SELECT count(*) FROM cursors WHERE scope = ?1", scope_b), 0);
	assert_int_equal(count_file(p2.db,
	                            "SELECT count(*) FROM resources WHERE json_extract(doc, "
	                            "'$.course_id') = substr(?1, 8) AND scope <> 'catalog'",
	                            scope_b),
	                 0);

	sync_profile(f, "three", "kiosk3", &p3);
	assert_int_equal(p3.course_rows, p1.course_rows);
	assert_true(p3.applied * 2 < p3.course_rows);
	assert_true(p3.bytes_down * 2 < p1.bytes_down);

	/* kiosk3 enrolls in courses[1] on the kiosk: the course comes from the store too. */
	{
		struct store_write enroll = {.method = "POST",
		                             .path = "/api/v1/enrollments",
		                             .type = "enrollment",
		                             .scope = "user"};
		char body[128], *cause = NULL;
		struct store_db *db;
		struct profile_sync again;
		int64_t rows_b;

		snprintf(body, sizeof(body), "{\"course_id\":\"%s\"}", f->w.courses[1].id);
		enroll.body = body;
		assert_int_equal(store_replica_open(p3.db, &db, &cause), 0);
		assert_int_equal(store_local_write(db, &enroll, NULL), 0);
		store_db_close(db);
		sync_profile(f, "three", "kiosk3", &again);
		rows_b = count_file(
		    again.db, "SELECT count(*) FROM resources WHERE scope = ?1 AND deleted = 0",
		    scope_b);
		print_message("kiosk3 enrolled: %lld changes, %lld rows of the new course\n",
		              (long long)again.applied, (long long)rows_b);
		assert_true(rows_b > 0);
		assert_true(again.applied * 2 < rows_b);
	}
}

/* The instructor (staff of both courses: answers) neither feeds nor reads the store. */
static void
test_kiosk_staff_neither_feeds_nor_reads(void **state)
{
	struct fixture *f = *state;
	struct profile_sync staff, learner, staff2;

	sync_profile(f, "staff", "instructor", &staff);
	assert_int_equal(count_file(f->content, "SELECT count(*) FROM resources", NULL), 0);
	assert_int_equal(count_file(f->content, "SELECT count(*) FROM cursors", NULL), 0);

	sync_profile(f, "learner", "kiosk2", &learner);
	assert_true(count_file(f->content, "SELECT count(*) FROM resources", NULL) > 0);
	/* What the learner fed holds no answer. */
	assert_int_equal(count_file(f->content,
	                            "SELECT count(*) FROM resources WHERE type = 'question'"
	                            " AND json_type(doc, '$.answer') IS NOT NULL",
	                            NULL),
	                 0);
	/* A new staff profile pulls everything from the server, answers included. */
	sync_profile(f, "staff2", "instructor", &staff2);
	assert_true(staff2.applied >= staff2.course_rows);
	assert_true(count_file(staff2.db,
	                       "SELECT count(*) FROM resources WHERE type = 'question'"
	                       " AND json_type(doc, '$.answer') IS NOT NULL",
	                       NULL) > 0);
}

/*
 * A kiosk in wipe mode: both profiles are wiped at sign-out (the profiles helper's work,
 * done here by removing them), and kiosk1's wipe calls store_content_forget_user(): then no
 * file under the data folder holds a byte of kiosk1's post.
 */
static void
test_kiosk_forget_user_removes_posters_scopes(void **state)
{
	struct fixture *f = *state;
	struct profile_sync p1, p2;
	struct store_db *db;
	char *cause = NULL, *k1_id = NULL, *profiles, scope_a[64], scope_b[64];
	size_t dropped = 0;

	snprintf(scope_a, sizeof(scope_a), "course:%s", f->w.courses[0].id);
	snprintf(scope_b, sizeof(scope_b), "course:%s", f->w.courses[1].id);
	sync_profile(f, "one", "kiosk1", &p1);
	sync_profile(f, "two", "kiosk2", &p2);
	assert_int_equal(store_replica_open(p1.db, &db, &cause), 0);
	assert_int_equal(store_setting_get(db, "user_id", &k1_id), 0);
	store_db_close(db);
	assert_non_null(k1_id);
	profiles = lc_asprintf("%s/profiles", f->kiosk);
	st_rmtree(profiles);
	free(profiles);
	assert_true(st_dir_contains(f->kiosk, POST_MARKER) > 0);

	assert_int_equal(store_content_forget_user(f->content, k1_id, &dropped, &cause), 0);
	assert_null(cause);
	assert_int_equal(dropped, 1);
	assert_int_equal(st_dir_contains(f->kiosk, POST_MARKER), 0);
	assert_int_equal(
	    count_file(f->content, "SELECT count(*) FROM cursors WHERE scope = ?1", scope_a), 0);
	/* The course without kiosk1's posts and the catalog stay. */
	assert_int_equal(
	    count_file(f->content, "SELECT count(*) FROM cursors WHERE scope = ?1", scope_b), 1);
	assert_int_equal(
	    count_file(f->content, "SELECT count(*) FROM cursors WHERE scope = 'catalog'", NULL),
	    1);
	free(k1_id);
}

/* Sets lecternd's purge point (meta feed_purged_seq) with the server stopped. */
static void
set_purged(struct fixture *f, int64_t seq)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	st_server_stop(&f->w.srv, false);
	assert_int_equal(sqlite3_open_v2(f->w.srv.db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "INSERT OR REPLACE INTO meta (key, value)"
	                                    " VALUES ('feed_purged_seq', ?1)",
	                                    -1, &stmt, NULL),
	                 SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, seq);
	assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	assert_int_equal(st_world_restart(&f->w), 0);
}

/*
 * A shared copy older than the server's purged tombstones: the seeded scope is reset by the
 * server, dropped and pulled again from 0 as always (digests agree), never seeded again in
 * that sync, and the fresh copy then feeds the store, so the next learner is small again.
 */
static void
test_kiosk_reset_of_seeded_scope_pulls_it_again(void **state)
{
	struct fixture *f = *state;
	struct profile_sync p1, p2, p3;
	char scope_a[64], path[128], id[ST_ID_LEN + 1];
	struct store_db *db;
	char *cause = NULL;
	int64_t shared = 0;

	snprintf(scope_a, sizeof(scope_a), "course:%s", f->w.courses[0].id);
	sync_profile(f, "one", "kiosk1", &p1);
	assert_int_equal(store_replica_open(f->content, &db, &cause), 0);
	assert_int_equal(store_cursor_get(db, scope_a, &shared), 0);
	store_db_close(db);
	assert_true(shared > 0);
	set_purged(f, shared + 1);
	/* New rows past the purge point, so that a fresh pull's cursor is not older. */
	snprintf(path, sizeof(path), "/courses/%s/topics", f->w.courses[0].id);
	assert_int_equal(st_api_create(&f->w.instructor, path,
	                               "{\"title\":\"After the purge\",\"body\":\"x\"}", id),
	                 0);

	/* kiosk1 again, on a new profile (a kiosk in wipe mode): both its courses are reset. */
	sync_profile(f, "two", "kiosk1", &p2);
	assert_true(p2.applied >= p2.course_rows);
	/* The fresh pull fed the store. */
	assert_true(count_file(f->content, "SELECT cursor FROM cursors WHERE scope = ?1", scope_a) >
	            shared);
	sync_profile(f, "three", "kiosk3", &p3);
	assert_int_equal(p3.course_rows, p2.course_rows);
	assert_true(p3.applied * 2 < p3.course_rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_kiosk_learners_share_course_content, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_kiosk_staff_neither_feeds_nor_reads, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_kiosk_forget_user_removes_posters_scopes, setup,
	                                    teardown),
	    /* Last: it moves the server's purge point. */
	    cmocka_unit_test_setup_teardown(test_kiosk_reset_of_seeded_scope_pulls_it_again, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
