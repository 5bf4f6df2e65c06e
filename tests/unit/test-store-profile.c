/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for store/profile.c (issue 13): paths refuse what is not a user id, profiles
 * are created 0700/0600 and found by username, parking and restoring copy a replica whole,
 * and a wipe leaves no byte of the user's post text in any file under the data directory.
 */
#include <dirent.h>
#include <fcntl.h>
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
#include "common/fsutil.h"
#include "common/mem.h"
#include "store/profile.h"
#include "store/replica.h"

#define ANN "0f6c2a5e-1111-4a4a-8b8b-000000000001"
#define BEN "0f6c2a5e-2222-4a4a-8b8b-000000000002"
#define SECRET "Ann's private reply: zebra-quartz-412"

struct fx {
	char dir[64];
};

static int
setup(void **state)
{
	struct fx *f = lc_calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/lc-profile-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static bool file_holds(const char *path, const char *needle);
static int tree(const char *path, const char *needle);

/* Removes path and everything under it. */
static void
remove_tree(const char *path)
{
	tree(path, NULL);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	remove_tree(f->dir);
	free(f);
	return 0;
}

/* A profile for user_id named username, with SECRET in a synced row and a waiting write. */
static void
make_profile(const char *dir, const char *user_id, const char *username, bool waiting)
{
	struct store_db *db = NULL;
	char *doc = lc_asprintf("{\"id\":\"r1\",\"body\":\"%s\"}", SECRET);
	struct store_change ch = {
	    .scope = "course:c1", .type = "reply", .id = "r1", .rev = 1, .seq = 1, .doc = doc};
	struct store_write w = {.method = "POST",
	                        .path = "/api/v1/topics/t1/replies",
	                        .body = doc,
	                        .type = "reply",
	                        .id = "r2",
	                        .scope = "course:c1",
	                        .doc = doc};

	assert_int_equal(store_profile_open(dir, user_id, &db, NULL), 0);
	assert_int_equal(store_setting_set(db, "user_id", user_id), 0);
	assert_int_equal(store_setting_set(db, "username", username), 0);
	assert_int_equal(store_apply_change(db, &ch), 0);
	if (waiting)
		assert_int_equal(store_local_write(db, &w, NULL), 0);
	store_db_close(db);
	free(doc);
}

static void
test_profile_paths_refuse_non_uuid(void **state)
{
	struct fx *f = *state;
	char *dir = NULL, *path = NULL, *cause = NULL;
	struct store_db *db = NULL;

	assert_int_equal(store_profile_paths(f->dir, ANN, &dir, &path, NULL), 0);
	assert_non_null(strstr(dir, "/profiles/" ANN));
	assert_non_null(strstr(path, "/profiles/" ANN "/replica.db"));
	free(dir);
	free(path);
	static const char *const bad[] = {
	    "../etc", "a/b", "", "0F6C2A5E-1111-4A4A-8B8B-000000000001", ANN "/x", "lost+found"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(store_profile_paths(f->dir, bad[i], &dir, &path, &cause),
		                 -LC_EINVAL);
		assert_null(dir);
		assert_non_null(strstr(cause, "not a user id"));
		free(cause);
		cause = NULL;
		assert_int_equal(store_profile_open(f->dir, bad[i], &db, NULL), -LC_EINVAL);
		assert_null(db);
	}
}

static void
test_profile_created_private(void **state)
{
	struct fx *f = *state;
	char *dir = NULL, *path = NULL;
	struct stat st;

	umask(022);
	make_profile(f->dir, ANN, "ann", false);
	assert_int_equal(store_profile_paths(f->dir, ANN, &dir, &path, NULL), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(store_profile_exists(f->dir, ANN));
	assert_false(store_profile_exists(f->dir, BEN));
	/* Loosened by someone: refused, not used. */
	assert_int_equal(chmod(path, 0644), 0);
	struct store_db *db = NULL;
	assert_int_equal(store_profile_open(f->dir, ANN, &db, NULL), -LC_EPERM);
	assert_null(db);
	free(dir);
	free(path);
}

static void
test_profile_list_and_find_by_username(void **state)
{
	struct fx *f = *state;
	char **ids = NULL, *id = NULL, *stray;
	size_t n = 0;

	assert_int_equal(store_profile_list(f->dir, &ids, &n, NULL), 0);
	assert_int_equal(n, 0); /* no D/profiles yet */
	make_profile(f->dir, BEN, "Ben", false);
	make_profile(f->dir, ANN, "ann", false);
	stray = lc_asprintf("%s/profiles/not-a-user", f->dir);
	assert_int_equal(mkdir(stray, 0700), 0);
	free(stray);
	assert_int_equal(store_profile_list(f->dir, &ids, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], ANN);
	assert_string_equal(ids[1], BEN);
	store_profile_list_free(ids, n);
	assert_int_equal(store_profile_find_user(f->dir, "BEN", &id, NULL), 0);
	assert_string_equal(id, BEN);
	free(id);
	assert_int_equal(store_profile_find_user(f->dir, "Ann", &id, NULL), 0);
	assert_string_equal(id, ANN);
	free(id);
	assert_int_equal(store_profile_find_user(f->dir, "carl", &id, NULL), -LC_ENOTFOUND);
	assert_null(id);
}

static void
test_profile_corrupt_replica_refused_untouched(void **state)
{
	struct fx *f = *state;
	char *dir = NULL, *path = NULL, *back = NULL, *id = NULL;
	struct store_db *db = NULL;
	size_t len = 0;
	FILE *fp;

	assert_int_equal(store_profile_paths(f->dir, ANN, &dir, &path, NULL), 0);
	assert_int_equal(lc_mkdir_p(dir, 0700), 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("this is not a database at all, but nobody may overwrite it\n", fp);
	fclose(fp);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(store_profile_open(f->dir, ANN, &db, NULL), -LC_EFOREIGN);
	assert_null(db);
	assert_int_equal(lc_read_file(path, &back, &len), 0);
	assert_string_equal(back, "this is not a database at all, but nobody may overwrite it\n");
	/* Looking for a username skips it, and leaves it as it is. */
	assert_int_equal(store_profile_find_user(f->dir, "ann", &id, NULL), -LC_ENOTFOUND);
	free(back);
	free(dir);
	free(path);
}

static void
test_profile_park_and_restore(void **state)
{
	struct fx *f = *state;
	char *main_path = lc_asprintf("%s/replica.db", f->dir), *name = NULL, *cause = NULL;
	struct store_db *db = NULL;
	int64_t waiting = 0;

	make_profile(f->dir, ANN, "ann", true);
	/* Park: Ann's replica, waiting write and all, into the main replica's place. */
	assert_int_equal(store_replica_open(main_path, &db, NULL), 0);
	assert_int_equal(store_profile_restore(db, f->dir, ANN, NULL), 0);
	assert_false(store_profile_exists(f->dir, ANN)); /* restored: the parked copy is gone */
	assert_int_equal(store_setting_get(db, "username", &name), 0);
	assert_string_equal(name, "ann");
	free(name);
	assert_int_equal(store_outbox_count(db, &waiting), 0);
	assert_int_equal(waiting, 1);
	/* And back again. */
	assert_int_equal(store_profile_park(db, f->dir, ANN, NULL), 0);
	assert_true(store_profile_exists(f->dir, ANN));
	/* A profile with waiting writes is never overwritten by another park. */
	assert_int_equal(store_profile_park(db, f->dir, ANN, &cause), -LC_ECONFLICT);
	assert_non_null(strstr(cause, "1 waiting writes"));
	free(cause);
	store_db_close(db);
	assert_int_equal(store_profile_open(f->dir, ANN, &db, NULL), 0);
	assert_int_equal(store_outbox_count(db, &waiting), 0);
	assert_int_equal(waiting, 1);
	store_db_close(db);
	free(main_path);
}

/* True when needle occurs in the file at path. */
static bool
file_holds(const char *path, const char *needle)
{
	char *data = NULL;
	size_t len = 0;
	bool found;

	if (lc_read_file(path, &data, &len) < 0)
		return false;
	found = memmem(data, len, needle, strlen(needle)) != NULL;
	free(data);
	return found;
}

/*
 * Every regular file under path that holds needle, counted; with needle NULL, removes
 * path and everything under it instead.
 */
static int
tree(const char *path, const char *needle)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		if (needle == NULL)
			unlink(path);
		return needle != NULL && S_ISREG(st.st_mode) && file_holds(path, needle) ? 1 : 0;
	}
	if (needle == NULL)
		chmod(path, 0700);
	d = opendir(path);
	while (d != NULL && (e = readdir(d)) != NULL) {
		char *sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		sub = lc_asprintf("%s/%s", path, e->d_name);
		n += tree(sub, needle);
		free(sub);
	}
	if (d != NULL)
		closedir(d);
	if (needle == NULL)
		rmdir(path);
	return n;
}

static int
tree_holds(const char *path, const char *needle)
{
	return tree(path, needle);
}

static void
test_profile_wipe_leaves_no_byte(void **state)
{
	struct fx *f = *state;
	char *dir = NULL, *path = NULL, *wal;
	struct store_db *db = NULL;

	make_profile(f->dir, ANN, "ann", true);
	make_profile(f->dir, BEN, "ben", false);
	assert_int_equal(store_profile_paths(f->dir, ANN, &dir, &path, NULL), 0);
	assert_true(tree_holds(f->dir, "zebra-quartz-412") > 0);
	/* Scrubbed in place first: the file and its -wal are still there, the text is not. */
	assert_int_equal(store_profile_open(f->dir, ANN, &db, NULL), 0);
	if (store_replica_scrub(db) != 0)
		fail_msg("scrub: %s", store_db_error(db)->message);
	wal = lc_asprintf("%s-wal", path);
	assert_false(file_holds(path, "zebra-quartz-412"));
	assert_false(file_holds(wal, "zebra-quartz-412"));
	assert_false(file_holds(path, "ann"));
	store_db_close(db);
	/* Then gone, with its folder; Ben's profile is untouched. */
	assert_int_equal(store_profile_wipe(f->dir, ANN, NULL), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(wal, F_OK), -1);
	assert_int_equal(access(dir, F_OK), -1);
	assert_true(store_profile_exists(f->dir, BEN));
	/* Ben's replica holds the same seeded post (make_profile); without it: nothing left. */
	assert_int_equal(store_profile_wipe(f->dir, BEN, NULL), 0);
	assert_int_equal(tree_holds(f->dir, "zebra-quartz-412"), 0);
	free(wal);
	free(dir);
	free(path);
}

/*
 * ux review 2026-11-29, A10: the waiting-writes screen names each write in words, what
 * (new forum reply), where (the course's code and the reply's topic title, the topic from
 * the request's path) and nothing of the REST path.
 */
static void
test_waiting_entry_words_name_course_and_topic(void **state)
{
	struct fx *f = *state;
	struct store_db *db = NULL;
	struct store_outbox_entry *e = NULL;
	size_t n = 0;
	char *what = NULL, *where = NULL;
	const char *topic = "0f6c2a5e-3333-4a4a-8b8b-000000000003";
	char *path = lc_asprintf("/api/v1/topics/%s/replies", topic);
	char *tdoc = lc_asprintf("{\"id\":\"%s\",\"title\":\"Quoting names\"}", topic);
	struct store_change course = {.scope = "course:c1",
	                              .type = "course",
	                              .id = "c1",
	                              .rev = 1,
	                              .seq = 1,
	                              .doc = "{\"id\":\"c1\",\"code\":\"UNIX101\"}"};
	struct store_change tch = {
	    .scope = "course:c1", .type = "topic", .id = topic, .rev = 1, .seq = 2, .doc = tdoc};
	struct store_write w = {.method = "POST",
	                        .path = path,
	                        .body = "{\"body\":\"hi\"}",
	                        .type = "reply",
	                        .id = "r9",
	                        .scope = "course:c1",
	                        .doc = "{\"id\":\"r9\"}"};

	assert_int_equal(store_profile_open(f->dir, ANN, &db, NULL), 0);
	assert_int_equal(store_apply_change(db, &course), 0);
	assert_int_equal(store_apply_change(db, &tch), 0);
	assert_int_equal(store_local_write(db, &w, NULL), 0);
	assert_int_equal(store_outbox_list(db, 10, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_waiting_entry_words(db, &e[0], &what, &where), 0);
	assert_string_equal(what, "new forum reply");
	assert_string_equal(where, "UNIX101, topic \"Quoting names\"");
	free(what);
	free(where);
	store_outbox_free(e, n);
	store_db_close(db);
	free(path);
	free(tdoc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_profile_paths_refuse_non_uuid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_waiting_entry_words_name_course_and_topic, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_profile_created_private, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_profile_list_and_find_by_username, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_profile_corrupt_replica_refused_untouched, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_profile_park_and_restore, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_profile_wipe_leaves_no_byte, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
