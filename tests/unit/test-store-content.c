/* SPDX-License-Identifier: MIT */
/*
 * store/content.c: kiosk mode's shared content store (issue 13, item 6). Feeding copies a
 * plain learner's content scopes (catalog, course:<id>) with their cursors and nothing
 * else (no user scope, overlay, outbox entry, setting or search row); seeding copies a
 * newer shared copy into another plain learner's replica with its search rows; staff
 * never feed nor read it; forgetting a user drops the scopes holding their posts and
 * leaves no byte of them in content.db, its -wal or -shm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/content.h"
#include "store/replica.h"

#define POSTER "44444444-4444-4444-8444-444444444444"
#define OTHER "55555555-5555-4555-8555-555555555555"
#define COURSE_X "course:11111111-1111-4111-8111-111111111111"
#define COURSE_Y "course:22222222-2222-4222-8222-222222222222"
#define TOPIC "33333333-3333-4333-8333-333333333333"
#define REPLY "66666666-6666-4666-8666-666666666666"
#define PAGE "77777777-7777-4777-8777-777777777777"
#define MARKER "zanzibarquokka"

struct fixture {
	char dir[64];
	char content[128];
};

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/lc-store-content-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->content, sizeof(f->content), "%s/content.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = lc_asprintf("rm -rf '%s'", f->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

static char *
path_in(const struct fixture *f, const char *name)
{
	return lc_asprintf("%s/%s", f->dir, name);
}

/* A profile's replica with the settings a sign-in saves. */
static struct store_db *
profile(const struct fixture *f, const char *name, const char *user_id, const char *role,
        const char *departments)
{
	struct store_db *db;
	char *path = path_in(f, name), *cause = NULL;

	assert_int_equal(store_replica_open(path, &db, &cause), 0);
	free(path);
	assert_int_equal(store_setting_set(db, "user_id", user_id), 0);
	if (role != NULL)
		assert_int_equal(store_setting_set(db, "user_role", role), 0);
	if (departments != NULL)
		assert_int_equal(store_setting_set(db, "user_departments", departments), 0);
	return db;
}

static void
put(struct store_db *db, const char *scope, const char *type, const char *id, int64_t rev,
    const char *doc)
{
	struct store_change c = {scope, type, id, rev, 0, doc == NULL, doc};

	assert_int_equal(store_apply_change(db, &c), 0);
}

/* A course scope holding a page, a topic and a reply by POSTER (MARKER in its body). */
static void
fill_course(struct store_db *db, const char *scope, bool with_post, int64_t cursor)
{
	put(db, scope, "item", PAGE, 2,
	    "{\"id\":\"" PAGE "\",\"rev\":2,\"title\":\"Photosynthesis\",\"body\":\"light\"}");
	if (with_post) {
		put(db, scope, "topic", TOPIC, 1,
		    "{\"id\":\"" TOPIC "\",\"rev\":1,\"title\":\"Help\",\"body\":\"hello\","
		    "\"author_id\":\"" OTHER "\"}");
		put(db, scope, "reply", REPLY, 1,
		    "{\"id\":\"" REPLY "\",\"rev\":1,\"topic_id\":\"" TOPIC "\",\"body\":\"" MARKER
		    "\",\"author_id\":\"" POSTER "\"}");
	}
	put(db, scope, "item", "88888888-8888-4888-8888-888888888888", 3, NULL); /* tombstone */
	assert_int_equal(store_cursor_set(db, scope, cursor), 0);
}

static int64_t
count(struct store_db *db, const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t n;

	assert_int_equal(store_db_prepare_new(db, sql, &stmt), 0);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static struct store_db *
open_content(const struct fixture *f)
{
	struct store_db *db;
	char *cause = NULL;

	assert_int_equal(store_replica_open(f->content, &db, &cause), 0);
	return db;
}

static void
test_content_scope_names_catalog_and_courses_only(void **state)
{
	(void)state;
	assert_true(store_content_scope("catalog"));
	assert_true(store_content_scope(COURSE_X));
	assert_false(store_content_scope("user"));
	assert_false(store_content_scope("course:"));
	assert_false(store_content_scope("catalogue"));
	assert_false(store_content_scope(NULL));
}

/* Who is a plain learner: settings and, once synced, the user's own doc (fail closed). */
static void
test_content_plain_learner_only(void **state)
{
	static const struct {
		const char *role, *depts, *user_doc;
		bool plain;
	} cases[] = {
	    {"learner", "[]", NULL, true},
	    {"learner", "[{\"department_id\":\"d\",\"roles\":[]}]", NULL, true},
	    {"learner", "[{\"department_id\":\"d\",\"roles\":[\"content-admin\"]}]", NULL, false},
	    {"learner", "[{\"department_id\":\"d\"}]", NULL, false},
	    {"learner", "[\"x\"]", NULL, false},
	    {"instructor", "[]", NULL, false},
	    {"admin", "[]", NULL, false},
	    {NULL, "[]", NULL, false},
	    {"learner", NULL, NULL, false},
	    {"learner", "", NULL, false},
	    {"learner", "{}", NULL, false},
	    {"learner", "[]", "{\"role\":\"learner\",\"departments\":[]}", true},
	    {"learner", "[]", "{\"role\":\"instructor\",\"departments\":[]}", false},
	    {"learner", "[]",
	     "{\"role\":\"learner\",\"departments\":[{\"department_id\":\"d\",\"roles\":"
	     "[\"department-admin\"]}]}",
	     false},
	    {"learner", "[]", "{\"role\":\"learner\"}", false},
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[32];
		struct store_db *db;
		bool plain = !cases[i].plain;

		snprintf(name, sizeof(name), "p%zu.db", i);
		db = profile(f, name, POSTER, cases[i].role, cases[i].depts);
		if (cases[i].user_doc != NULL)
			put(db, "user", "user", POSTER, 1, cases[i].user_doc);
		assert_int_equal(store_content_plain_learner(db, &plain), 0);
		if (plain != cases[i].plain)
			fail_msg("case %zu: plain %d, want %d", i, plain, cases[i].plain);
		store_db_close(db);
	}
}

/* Feeding copies content scopes and their cursors, and nothing private. */
static void
test_content_feed_copies_content_scopes_only(void **state)
{
	struct fixture *f = *state;
	static const struct store_write draft = {
	    .method = "POST",
	    .path = "/api/v1/topics/" TOPIC "/replies",
	    .body = "{\"body\":\"private draft\"}",
	    .type = "reply",
	    .id = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
	    .scope = COURSE_X,
	    .doc = "{\"id\":\"bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb\",\"topic_id\":\"" TOPIC
	           "\",\"body\":\"private draft\"}",
	};
	struct store_db *a = profile(f, "a.db", POSTER, "learner", "[]"), *c;
	char *a_path = path_in(f, "a.db"), *cause = NULL;
	struct stat st;
	size_t fed = 99;
	int64_t cur = 0;

	fill_course(a, COURSE_X, true, 100);
	put(a, "catalog", "course", "99999999-9999-4999-8999-999999999999", 1,
	    "{\"id\":\"99999999-9999-4999-8999-999999999999\",\"rev\":1,\"title\":\"X\"}");
	assert_int_equal(store_cursor_set(a, "catalog", 100), 0);
	put(a, "user", "progress", "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", 1,
	    "{\"id\":\"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa\",\"rev\":1,\"item_id\":\"" PAGE "\"}");
	assert_int_equal(store_cursor_set(a, "user", 100), 0);
	assert_int_equal(store_local_write(a, &draft, NULL), 0);
	assert_int_equal(store_setting_set(a, "sync_paged", "0"), 0);
	store_db_close(a);

	assert_int_equal(store_content_feed(f->content, a_path, &fed, &cause), 0);
	assert_null(cause);
	assert_int_equal(fed, 2);
	assert_int_equal(stat(f->content, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	c = open_content(f);
	assert_int_equal(count(c, "SELECT count(*) FROM resources WHERE scope = '" COURSE_X "'"),
	                 4);
	assert_int_equal(count(c, "SELECT count(*) FROM resources WHERE deleted = 1"), 1);
	assert_int_equal(count(c, "SELECT count(*) FROM resources WHERE scope = 'user'"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM cursors WHERE scope = 'user'"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM overlays"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM settings"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM search_docs"), 0);
	assert_int_equal(store_cursor_get(c, COURSE_X, &cur), 0);
	assert_int_equal(cur, 100);
	assert_int_equal(store_cursor_get(c, "catalog", &cur), 0);
	assert_int_equal(cur, 100);
	store_db_close(c);
	/* Nothing newer: a second feed changes nothing. */
	assert_int_equal(store_content_feed(f->content, a_path, &fed, &cause), 0);
	assert_int_equal(fed, 0);
	free(a_path);
}

/* Seeding copies a newer shared copy with its cursor and makes it searchable. */
static void
test_content_seed_copies_newer_scope_with_search(void **state)
{
	struct fixture *f = *state;
	struct store_db *a = profile(f, "a.db", OTHER, "learner", "[]");
	struct store_db *b = profile(f, "b.db", POSTER, "learner", "[]");
	const char *scopes[] = {COURSE_X, COURSE_Y, "user"};
	char *a_path = path_in(f, "a.db"), *cause = NULL;
	struct store_hit *hits = NULL;
	size_t n = 99, n_hits = 0;
	int64_t cur = 0;

	fill_course(a, COURSE_X, true, 100);
	store_db_close(a);
	/* No shared store yet: nothing to seed, and nothing created. */
	assert_int_equal(store_content_seed(b, f->content, scopes, 3, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(access(f->content, F_OK), -1);
	assert_int_equal(store_content_feed(f->content, a_path, &n, &cause), 0);
	assert_int_equal(n, 1);

	assert_int_equal(store_content_seed(b, f->content, scopes, 3, &n, &cause), 0);
	assert_null(cause);
	assert_int_equal(n, 1);
	assert_int_equal(store_cursor_get(b, COURSE_X, &cur), 0);
	assert_int_equal(cur, 100);
	assert_int_equal(count(b, "SELECT count(*) FROM resources WHERE scope = '" COURSE_X "'"),
	                 4);
	assert_int_equal(count(b, "SELECT count(*) FROM cursors WHERE scope = '" COURSE_Y "'"), 0);
	assert_int_equal(store_search(b, MARKER, NULL, 10, &hits, &n_hits), 0);
	assert_int_equal(n_hits, 1);
	store_hits_free(hits, n_hits);
	/* Not newer than the replica's own: nothing happens (a second seed, or a later cursor). */
	assert_int_equal(store_content_seed(b, f->content, scopes, 1, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_cursor_set(b, COURSE_X, 150), 0);
	assert_int_equal(store_content_seed(b, f->content, scopes, 1, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_cursor_get(b, COURSE_X, &cur), 0);
	assert_int_equal(cur, 150);
	store_db_close(b);
	free(a_path);
}

/* A newer profile replaces the shared copy (a row gone there is gone here); an older not. */
static void
test_content_feed_replaces_only_from_newer(void **state)
{
	struct fixture *f = *state;
	struct store_db *a = profile(f, "a.db", OTHER, "learner", "[]");
	struct store_db *b = profile(f, "b.db", POSTER, "learner", "[]"), *c;
	char *a_path = path_in(f, "a.db"), *b_path = path_in(f, "b.db"), *cause = NULL;
	size_t n;

	fill_course(a, COURSE_X, true, 100);
	fill_course(b, COURSE_X, false, 90);
	store_db_close(a);
	assert_int_equal(store_content_feed(f->content, a_path, &n, &cause), 0);
	assert_int_equal(store_content_feed(f->content, b_path, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_cursor_set(b, COURSE_X, 120), 0);
	assert_int_equal(store_content_feed(f->content, b_path, &n, &cause), 0);
	assert_int_equal(n, 1);
	c = open_content(f);
	assert_int_equal(count(c, "SELECT count(*) FROM resources WHERE type = 'reply'"), 0);
	assert_int_equal(count(c, "SELECT max(cursor) FROM cursors"), 120);
	store_db_close(c);
	/* A profile in the middle of a paged pull does not feed. */
	assert_int_equal(store_cursor_set(b, COURSE_X, 130), 0);
	assert_int_equal(store_setting_set(b, "sync_paged", "1"), 0);
	assert_int_equal(store_content_feed(f->content, b_path, &n, &cause), 0);
	assert_int_equal(n, 0);
	store_db_close(b);
	free(a_path);
	free(b_path);
}

/* Staff views hold answers and others' attempts: staff neither feed nor read the store. */
static void
test_content_staff_neither_feeds_nor_reads(void **state)
{
	struct fixture *f = *state;
	struct store_db *s = profile(f, "s.db", OTHER, "instructor", "[]");
	struct store_db *a = profile(f, "a.db", POSTER, "learner", "[]");
	struct store_db *d = profile(f, "d.db", POSTER, "learner",
	                             "[{\"department_id\":\"d\",\"roles\":[\"content-admin\"]}]");
	const char *scopes[] = {COURSE_X};
	char *s_path = path_in(f, "s.db"), *a_path = path_in(f, "a.db"), *cause = NULL;
	struct store_db *c;
	size_t n = 99;

	fill_course(s, COURSE_X, true, 200);
	assert_int_equal(store_content_feed(f->content, s_path, &n, &cause), 0);
	assert_int_equal(n, 0);
	c = open_content(f);
	assert_int_equal(count(c, "SELECT count(*) FROM resources"), 0);
	store_db_close(c);
	fill_course(a, COURSE_X, true, 100);
	assert_int_equal(store_content_feed(f->content, a_path, &n, &cause), 0);
	assert_int_equal(n, 1);
	/* The staff replica and the department content-admin stay as they were. */
	assert_int_equal(store_cursor_set(s, COURSE_X, 0), 0);
	assert_int_equal(store_content_seed(s, f->content, scopes, 1, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_content_seed(d, f->content, scopes, 1, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(count(d, "SELECT count(*) FROM resources"), 0);
	store_db_close(s);
	store_db_close(a);
	store_db_close(d);
	free(s_path);
	free(a_path);
}

/* Copies from another server (the kiosk was pointed elsewhere) are never seeded. */
static void
test_content_other_servers_copies_are_not_used(void **state)
{
	struct fixture *f = *state;
	struct store_db *a = profile(f, "a.db", OTHER, "learner", "[]");
	struct store_db *b = profile(f, "b.db", POSTER, "learner", "[]"), *c;
	const char *scopes[] = {COURSE_X};
	char *a_path = path_in(f, "a.db"), *b_path = path_in(f, "b.db"), *cause = NULL;
	size_t n = 99;

	assert_int_equal(store_setting_set(a, "server_url", "https://one.example"), 0);
	assert_int_equal(store_setting_set(b, "server_url", "https://two.example"), 0);
	fill_course(a, COURSE_X, true, 100);
	store_db_close(a);
	assert_int_equal(store_content_feed(f->content, a_path, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_content_seed(b, f->content, scopes, 1, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(count(b, "SELECT count(*) FROM resources"), 0);
	/* b feeds: the store starts over with b's server, even at an older cursor. */
	fill_course(b, COURSE_X, false, 50);
	assert_int_equal(store_content_feed(f->content, b_path, &n, &cause), 0);
	assert_int_equal(n, 1);
	c = open_content(f);
	assert_int_equal(count(c, "SELECT max(cursor) FROM cursors"), 50);
	assert_int_equal(count(c, "SELECT count(*) FROM resources WHERE type = 'reply'"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM settings WHERE key = 'server_url'"
	                          " AND value = 'https://two.example'"),
	                 1);
	store_db_close(c);
	store_db_close(b);
	free(a_path);
	free(b_path);
}

/* A shared store others may read is refused, and the replica is left alone. */
static void
test_content_seed_refuses_a_loose_store(void **state)
{
	struct fixture *f = *state;
	struct store_db *a = profile(f, "a.db", OTHER, "learner", "[]");
	struct store_db *b = profile(f, "b.db", POSTER, "learner", "[]");
	const char *scopes[] = {COURSE_X};
	char *a_path = path_in(f, "a.db"), *cause = NULL;
	size_t n = 99;

	fill_course(a, COURSE_X, true, 100);
	store_db_close(a);
	assert_int_equal(store_content_feed(f->content, a_path, &n, &cause), 0);
	assert_int_equal(chmod(f->content, 0644), 0);
	assert_true(store_content_seed(b, f->content, scopes, 1, &n, &cause) < 0);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(count(b, "SELECT count(*) FROM resources"), 0);
	store_db_close(b);
	free(a_path);
}

/* 1 when a file under dir (content.db, -wal, -shm) holds needle. */
static bool
files_hold(const struct fixture *f, const char *needle)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		char *path = lc_asprintf("%s%s", f->content, suffix[i]);
		FILE *fp = fopen(path, "rb");
		char *data;
		long len;
		bool found = false;

		free(path);
		if (fp == NULL)
			continue;
		assert_int_equal(fseek(fp, 0, SEEK_END), 0);
		len = ftell(fp);
		rewind(fp);
		data = lc_malloc((size_t)len + 1);
		assert_int_equal(fread(data, 1, (size_t)len, fp), (size_t)len);
		fclose(fp);
		found = len > 0 && memmem(data, (size_t)len, needle, strlen(needle)) != NULL;
		free(data);
		if (found)
			return true;
	}
	return false;
}

/* A kiosk wipe of a profile: the scopes holding their posts go, and every byte of them. */
static void
test_content_forget_user_drops_posters_scopes_and_bytes(void **state)
{
	struct fixture *f = *state;
	struct store_db *a = profile(f, "a.db", OTHER, "learner", "[]"), *c;
	char *a_path = path_in(f, "a.db"), *cause = NULL;
	size_t n = 99;

	/* No store: nothing to do. */
	assert_int_equal(store_content_forget_user(f->content, POSTER, &n, &cause), 0);
	assert_int_equal(n, 0);
	fill_course(a, COURSE_X, true, 100);
	fill_course(a, COURSE_Y, false, 100);
	store_db_close(a);
	assert_int_equal(store_content_feed(f->content, a_path, &n, &cause), 0);
	assert_int_equal(n, 2);
	/* Another profile's engine reads the store meanwhile: the WAL stays in use. */
	c = open_content(f);
	assert_int_equal(count(c, "SELECT count(*) FROM resources"), 6);
	assert_true(files_hold(f, MARKER));

	assert_int_equal(store_content_forget_user(f->content, POSTER, &n, &cause), 0);
	assert_null(cause);
	assert_int_equal(n, 1);
	assert_false(files_hold(f, MARKER));
	assert_int_equal(count(c, "SELECT count(*) FROM resources WHERE scope = '" COURSE_X "'"),
	                 0);
	assert_int_equal(count(c, "SELECT count(*) FROM cursors WHERE scope = '" COURSE_X "'"), 0);
	assert_int_equal(count(c, "SELECT count(*) FROM resources WHERE scope = '" COURSE_Y "'"),
	                 2);
	store_db_close(c);
	assert_false(files_hold(f, MARKER));
	/* Bad input changes nothing. */
	assert_int_equal(store_content_forget_user(f->content, "", &n, &cause), -LC_EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(store_content_forget_user(f->content, NULL, &n, &cause), -LC_EINVAL);
	free(cause);
	free(a_path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_content_scope_names_catalog_and_courses_only),
	    cmocka_unit_test_setup_teardown(test_content_plain_learner_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_content_feed_copies_content_scopes_only, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_content_seed_copies_newer_scope_with_search, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_content_feed_replaces_only_from_newer, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_content_staff_neither_feeds_nor_reads, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_content_other_servers_copies_are_not_used, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_content_seed_refuses_a_loose_store, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_content_forget_user_drops_posters_scopes_and_bytes,
	                                    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
