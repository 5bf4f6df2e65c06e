/* SPDX-License-Identifier: MIT */
/*
 * Sign-out, switching users and kiosk profiles through the real `lectern` against a real
 * lecternd (issue 13; mission review 2026-11-29, B4; ux review 2026-11-29, D1 and D2):
 * a logout locks the replica until the same user signs in again; another user's waiting
 * writes are parked for them or discarded, never block a sign-in; a parked replica comes
 * back at its user's next sign-in; `lectern --kiosk logout` signs every profile out, and in
 * wipe mode sends their waiting writes first and leaves no byte of them on the disk.
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

#include "common/fsutil.h"
#include "common/mem.h"
#include "store/db.h"
#include "store/profile.h"
#include "store/replica.h"
#include "sync/engine.h"
#include "tui/kiosk.h"
#include "test-sync-lib.h"

struct fixture {
	char *dir;
	struct st_server srv;
	struct st_api instructor;
	struct st_course course;
	struct st_client cl; /* D: the data directory every user of this machine shares */
};

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));
	char *srv_dir;

	f->dir = st_tmpdir("profiles");
	srv_dir = lc_asprintf("%s/server", f->dir);
	snprintf(f->cl.data_dir, sizeof f->cl.data_dir, "%s/client", f->dir);
	if (lc_mkdir_p(srv_dir, 0700) < 0 || st_server_start(&f->srv, srv_dir, 0, true) < 0)
		return -1;
	free(srv_dir);
	snprintf(f->cl.server_url, sizeof f->cl.server_url, "%s", f->srv.url);
	if (st_server_create_user(&f->srv, "ann", "learner", ST_PASSWORD) < 0 ||
	    st_server_create_user(&f->srv, "ben", "learner", ST_PASSWORD) < 0 ||
	    st_server_create_user(&f->srv, "cleo", "learner", ST_PASSWORD) < 0 ||
	    st_api_login(&f->instructor, f->srv.url, "instructor", ST_PASSWORD) < 0 ||
	    st_make_course(&f->instructor, "Kiosk course", 1, 1, &f->course) < 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_api_finish(&f->instructor);
	st_server_stop(&f->srv, false);
	st_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/*
 * `lectern login USER [flag]` with the demo password; its exit status. With kiosk, the
 * kiosk TUI's sign-in instead (the command line has no kiosk login): sync_login_with()
 * into D/profiles/<the user's id>/.
 */
static int
login(struct fixture *f, const char *kiosk, const char *user, const char *flag)
{
	struct sync_login_options opts = {.data_dir = f->cl.data_dir, .kiosk = true};
	char *used = NULL, *cause = NULL;
	int rc;

	if (kiosk == NULL)
		return st_lectern(&f->cl, ST_PASSWORD "\n", NULL, "login", user, flag, NULL);
	rc = sync_login_with(NULL, f->srv.url, user, ST_PASSWORD, &opts, &used, &cause);
	if (rc < 0)
		fprintf(stderr, "kiosk login: %s\n", cause ? cause : "");
	else if (strstr(used, "/profiles/") == NULL)
		rc = -1;
	free(used);
	free(cause);
	return rc < 0 ? 1 : 0;
}

/* Enrolls and syncs, then queues (without sending) a topic whose body is marker. */
static void
enroll_and_queue_post(struct fixture *f, const char *marker)
{
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "enroll", f->course.id, NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 0);
	assert_int_equal(
	    st_lectern(&f->cl, marker, NULL, "post", f->course.id, "--title", "waiting", NULL), 0);
}

/* A setting of the replica at path (caller frees), or NULL. */
static char *
setting_of(const char *path, const char *key)
{
	struct store_db *db = NULL;
	char *v = NULL;

	if (store_replica_open(path, &db, NULL) == 0)
		store_setting_get(db, key, &v);
	store_db_close(db);
	return v;
}

/* Writes text to a new file at path. */
static void
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

static int64_t
waiting_of(const char *path)
{
	struct store_db *db = NULL;
	int64_t n = -1;

	if (store_replica_open(path, &db, NULL) == 0)
		store_outbox_count(db, &n);
	store_db_close(db);
	return n;
}

static char *
main_replica(struct fixture *f)
{
	return lc_asprintf("%s/replica.db", f->cl.data_dir);
}

/*
 * Mission review 2026-11-29, B4 (ux review D2): after `lectern logout` the next person
 * read the courses and posted as the learner who left. Now every command that reads or
 * writes their data is refused until the same user signs in again.
 */
static void
test_logout_locks_the_replica_until_the_same_user_signs_in(void **state)
{
	struct fixture *f = *state;
	char *out = NULL, *path = main_replica(f), *role;

	assert_int_equal(login(f, NULL, "ann", NULL), 0);
	/* The login answer's user is kept: the shared content store reads it (issue 13). */
	role = setting_of(path, "user_role");
	assert_string_equal(role, "learner");
	free(role);
	role = setting_of(path, "user_departments");
	assert_string_equal(role, "[]");
	free(role);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "enroll", f->course.id, NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "logout", NULL), 0);

	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "courses", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "signed out: run lectern login"));
	assert_int_equal(st_lectern(&f->cl, "after logout", NULL, "post", f->course.id, "--title",
	                            "after logout", NULL),
	                 1);
	assert_non_null(strstr(st_last_stderr(), "signed out: run lectern login"));
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "ls", NULL), 1);
	assert_int_equal(waiting_of(path), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "status", NULL), 0);
	assert_non_null(strstr(out, "signed out"));
	free(out);

	/* A wrong password opens nothing. */
	assert_int_equal(st_lectern(&f->cl, "wrong\n", NULL, "login", "ann", NULL), 1);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "courses", NULL), 1);
	assert_int_equal(login(f, NULL, "ann", NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "courses", NULL), 0);
	assert_non_null(strstr(out, f->course.id));
	free(out);
	free(path);
}

/*
 * Mission review 2026-11-29, B4 (ux review D2): one learner's waiting writes refused every
 * other user's sign-in ("holds N unsent writes of another user") and nothing short of
 * deleting the data directory cleared them. Off a terminal the next user now chooses with
 * --keep-waiting (parked for their owner) and gets in; the owner gets them back.
 */
static void
test_other_users_waiting_writes_never_block_a_sign_in(void **state)
{
	struct fixture *f = *state;
	char *path = main_replica(f), *ann_id, *ben_id, *parked = NULL, *name;

	assert_int_equal(login(f, NULL, "ann", NULL), 0);
	ann_id = setting_of(path, "user_id");
	enroll_and_queue_post(f, "ann-waiting-7Qx");
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "logout", NULL), 0);

	/* No choice given off a terminal: a usage error that names both, and nothing changes. */
	assert_int_equal(login(f, NULL, "ben", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "--keep-waiting"));
	assert_non_null(strstr(st_last_stderr(), "1 forum topic in"));
	assert_int_equal(waiting_of(path), 1);

	assert_int_equal(login(f, NULL, "ben", "--keep-waiting"), 0);
	name = setting_of(path, "username");
	assert_string_equal(name, "ben");
	free(name);
	assert_int_equal(waiting_of(path), 0);
	assert_int_equal(st_dir_contains(f->cl.data_dir, "ann-waiting-7Qx"), 1); /* parked */
	assert_int_equal(store_profile_paths(f->cl.data_dir, ann_id, NULL, &parked, NULL), 0);
	assert_int_equal(waiting_of(parked), 1);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 0);
	assert_int_equal(st_count_in_forum(&f->instructor, f->course.id, "ann-waiting-7Qx"), 0);

	/*
	 * Ben leaves a waiting post too. Ann comes back: Ben's replica is parked first, hers
	 * returns, and her post goes out as hers; then Ben's, likewise.
	 */
	ben_id = setting_of(path, "user_id");
	enroll_and_queue_post(f, "ben-waiting-4Lm");
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "logout", NULL), 0);
	assert_int_equal(login(f, NULL, "ann", "--keep-waiting"), 0);
	assert_false(store_profile_exists(f->cl.data_dir, ann_id));
	assert_true(store_profile_exists(f->cl.data_dir, ben_id));
	assert_int_equal(waiting_of(path), 1);
	if (st_lectern(&f->cl, NULL, NULL, "sync", NULL) != 0)
		fail_msg("sync: %s", st_last_stderr());
	assert_int_equal(st_count_in_forum(&f->instructor, f->course.id, "ann-waiting-7Qx"), 1);
	assert_int_equal(st_count_in_forum(&f->instructor, f->course.id, "ben-waiting-4Lm"), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "logout", NULL), 0);
	assert_int_equal(login(f, NULL, "ben", NULL), 0); /* nothing of Ann's waits */
	assert_false(store_profile_exists(f->cl.data_dir, ben_id));
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 0);
	assert_int_equal(st_count_in_forum(&f->instructor, f->course.id, "ben-waiting-4Lm"), 1);
	free(parked);
	free(ann_id);
	free(ben_id);
	free(path);
}

/* A bad config file stops lectern with its file and line, before anything is made. */
static void
test_bad_config_file_names_file_and_line(void **state)
{
	struct fixture *f = *state;
	char *conf = lc_asprintf("%s/lab.conf", f->dir);

	write_text(conf, "# lab\nkiosk = keep\nidle_minutes = ten\n");
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "--config", conf, "status", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "lab.conf:3: idle_minutes must be"));
	assert_int_equal(access(f->cl.data_dir, F_OK), -1);
	/* A file --config names must exist. */
	assert_int_equal(
	    st_lectern(&f->cl, NULL, NULL, "--config", "/nonexistent/x", "status", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "/nonexistent/x"));
	/* The file's kiosk mode holds for the command line too; --kiosk=wipe is no answer. */
	write_text(conf, "kiosk = wipe\n");
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "--config", conf, "status", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "kiosk mode"));
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "--kiosk=sometimes", "status", NULL), 1);
	free(conf);
}

/* --discard-waiting drops them: nothing of them is left in any file under D. */
static void
test_discard_waiting_leaves_nothing_of_them(void **state)
{
	struct fixture *f = *state;
	char *path = main_replica(f), *ann_id;

	assert_int_equal(login(f, NULL, "ann", NULL), 0);
	ann_id = setting_of(path, "user_id");
	enroll_and_queue_post(f, "ann-discard-3Zw");
	assert_int_equal(login(f, NULL, "ben", "--discard-waiting"), 0);
	assert_int_equal(waiting_of(path), 0);
	assert_false(store_profile_exists(f->cl.data_dir, ann_id));
	assert_int_equal(st_dir_contains(f->cl.data_dir, "ann-discard-3Zw"), 0);
	assert_int_equal(st_count_in_forum(&f->instructor, f->course.id, "ann-discard-3Zw"), 0);
	/* Both flags at once is a usage error. */
	assert_int_equal(st_lectern(&f->cl, ST_PASSWORD "\n", NULL, "login", "ann",
	                            "--keep-waiting", "--discard-waiting", NULL),
	                 1);
	free(ann_id);
	free(path);
}

/* The path of user's kiosk profile, found by username. Caller frees. */
static char *
profile_of(struct fixture *f, const char *user)
{
	char *id = NULL, *path = NULL;

	if (store_profile_find_user(f->cl.data_dir, user, &id, NULL) == 0)
		store_profile_paths(f->cl.data_dir, id, NULL, &path, NULL);
	free(id);
	return path;
}

/* Queues a topic with body marker in the profile at path, as the kiosk TUI would. */
static void
queue_in_profile(struct fixture *f, const char *path, const char *marker)
{
	struct st_client one = f->cl;
	char *dir = lc_strdup(path);

	/* The profile's folder as a data dir of its own: the plain command line writes there. */
	*strrchr(dir, '/') = '\0';
	snprintf(one.data_dir, sizeof one.data_dir, "%s", dir);
	assert_int_equal(st_lectern(&one, NULL, NULL, "enroll", f->course.id, NULL), 0);
	assert_int_equal(st_lectern(&one, NULL, NULL, "sync", NULL), 0);
	assert_int_equal(
	    st_lectern(&one, marker, NULL, "post", f->course.id, "--title", "waiting", NULL), 0);
	/* st_lectern() keeps stdin and output beside the data dir: not the user's files. */
	for (int i = 0; i < 3; i++) {
		char *side = lc_asprintf("%s.%s", dir, i == 0 ? "in" : i == 1 ? "out" : "err");

		unlink(side);
		free(side);
	}
	free(dir);
}

/* Kiosk keep: a profile per user, each locked at the end of the day, none wiped. */
static void
test_kiosk_profiles_per_user_and_logout_keeps_them_locked(void **state)
{
	struct fixture *f = *state;
	char *ann, *ben, *token, *out = NULL, *main_path = main_replica(f);

	assert_int_equal(login(f, "--kiosk", "ann", NULL), 0);
	assert_int_equal(login(f, "--kiosk", "Ben", NULL), 0);
	ann = profile_of(f, "ANN");
	ben = profile_of(f, "ben");
	assert_non_null(ann);
	assert_non_null(ben);
	assert_string_not_equal(ann, ben);
	assert_int_equal(access(main_path, F_OK), -1); /* never D/replica.db */
	/* Other commands are refused in kiosk mode, login too (the sign-in screen does it). */
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "--kiosk", "courses", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "kiosk mode"));
	assert_int_equal(
	    st_lectern(&f->cl, ST_PASSWORD "\n", NULL, "--kiosk", "login", "ann", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "kiosk mode"));
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "--kiosk", "logout", NULL), 0);
	assert_non_null(strstr(out, "Signed out 2 profiles (kept locked)"));
	free(out);
	token = setting_of(ann, "refresh_token");
	assert_null(token);
	token = setting_of(ann, "signed_out");
	assert_non_null(token);
	free(token);
	out = profile_of(f, "ann");
	assert_non_null(out);
	free(out);
	free(main_path);
	free(ann);
	free(ben);
}

/*
 * Kiosk wipe, the lab's end-of-day reset: the waiting writes go out first, then nothing
 * of the learners is left in any file under D.
 */
static void
test_kiosk_wipe_logout_sends_then_leaves_no_byte(void **state)
{
	struct fixture *f = *state;
	char *ann, *out = NULL;

	assert_int_equal(login(f, "--kiosk=wipe", "ann", NULL), 0);
	assert_int_equal(login(f, "--kiosk=wipe", "ben", NULL), 0);
	ann = profile_of(f, "ann");
	queue_in_profile(f, ann, "ann-kiosk-wipe-9Kp");
	assert_int_equal(waiting_of(ann), 1);
	assert_true(st_dir_contains(f->cl.data_dir, "ann-kiosk-wipe-9Kp") > 0);

	assert_int_equal(st_lectern(&f->cl, NULL, &out, "--kiosk=wipe", "logout", NULL), 0);
	assert_non_null(strstr(out, "Signed out 2 profiles (wiped)"));
	free(out);
	assert_int_equal(st_count_in_forum(&f->instructor, f->course.id, "ann-kiosk-wipe-9Kp"), 1);
	assert_int_equal(st_dir_contains(f->cl.data_dir, "ann-kiosk-wipe-9Kp"), 0);
	assert_int_equal(st_dir_contains(f->cl.data_dir, "ann"), 0);
	assert_null(profile_of(f, "ann"));
	free(ann);
}

/* Kiosk wipe with the server gone: the loss is named and must be agreed to. */
static void
test_kiosk_wipe_offline_names_the_loss_and_needs_consent(void **state)
{
	struct fixture *f = *state;
	char *ann;

	assert_int_equal(login(f, "--kiosk=wipe", "ann", NULL), 0);
	ann = profile_of(f, "ann");
	queue_in_profile(f, ann, "ann-offline-5Rt");
	st_server_stop(&f->srv, false);

	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "--kiosk=wipe", "logout", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "cannot send 1 forum topic in "));
	assert_non_null(strstr(st_last_stderr(), "--discard-waiting"));
	assert_int_equal(waiting_of(ann), 1); /* kept, locked */
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "--kiosk=wipe", "courses", NULL), 1);

	/* Wipe mode takes every profile, with or without a session, once agreed to. */
	if (st_lectern(&f->cl, NULL, NULL, "--kiosk=wipe", "logout", "--discard-waiting", NULL) !=
	    0)
		fail_msg("logout --discard-waiting: %s", st_last_stderr());
	assert_null(profile_of(f, "ann"));
	assert_int_equal(st_dir_contains(f->cl.data_dir, "ann-offline-5Rt"), 0);
	free(ann);
}

/* A folder under profiles/ that is not a user id is skipped, never opened or removed. */
static void
test_kiosk_logout_skips_a_stray_profile_folder(void **state)
{
	struct fixture *f = *state;
	char *stray = lc_asprintf("%s/profiles/not-a-user", f->cl.data_dir), *keep;

	assert_int_equal(login(f, "--kiosk=wipe", "ann", NULL), 0);
	assert_int_equal(lc_mkdir_p(stray, 0700), 0);
	keep = lc_asprintf("%s/replica.db", stray);
	write_text(keep, "stray");
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "--kiosk=wipe", "logout", NULL), 0);
	assert_int_equal(access(keep, F_OK), 0);
	assert_null(profile_of(f, "ann"));
	free(keep);
	free(stray);
}

/* A damaged profile is refused at its owner's sign-in, and left byte for byte as it was. */
static void
test_kiosk_sign_in_refuses_a_damaged_profile(void **state)
{
	struct fixture *f = *state;
	static const char junk[] = "not a replica: a disk error, or someone's file\n";
	char *ann, *side, *back = NULL;

	assert_int_equal(login(f, "--kiosk", "ann", NULL), 0);
	ann = profile_of(f, "ann");
	assert_non_null(ann);
	for (int i = 0; i < 2; i++) {
		side = lc_asprintf("%s%s", ann, i == 0 ? "-wal" : "-shm");
		unlink(side);
		free(side);
	}
	write_text(ann, junk);
	assert_int_equal(login(f, "--kiosk", "ann", NULL), 1);
	assert_int_equal(lc_read_file(ann, &back, NULL), 0);
	assert_string_equal(back, junk);
	free(back);
	free(ann);
}

/*
 * Kiosk background sync (background_sync = yes): a sign-out with the server gone keeps the
 * refresh token for the waiting post; a round on the sign-in screen sends it once the
 * server is back, then forgets the session for good.
 */
static void
test_kiosk_background_sync_sends_then_signs_out(void **state)
{
	struct fixture *f = *state;
	char *ann, *v, *cause = NULL, *srv_dir = lc_asprintf("%s/server", f->dir);
	int done = -1;

	assert_int_equal(login(f, "--kiosk", "ann", NULL), 0);
	ann = profile_of(f, "ann");
	queue_in_profile(f, ann, "ann-background-2Hv");
	st_server_stop(&f->srv, false);
	assert_int_equal(tui_kiosk_sign_out_background(f->cl.data_dir, ann, f->srv.url, NULL), 0);
	v = setting_of(ann, "revoke_pending");
	assert_non_null(v);
	free(v);
	v = setting_of(ann, "refresh_token");
	assert_non_null(v);
	free(v);
	v = setting_of(ann, "access_token");
	assert_null(v);
	v = setting_of(ann, "signed_out");
	assert_non_null(v);
	free(v);

	/* Still down: nothing sent, nothing forgotten. */
	assert_true(tui_kiosk_background_round(f->cl.data_dir, f->srv.url, &done, &cause) < 0);
	free(cause);
	cause = NULL;
	assert_int_equal(done, 0);
	assert_int_equal(waiting_of(ann), 1);

	assert_int_equal(st_server_start(&f->srv, srv_dir, f->srv.port, false), 0);
	if (tui_kiosk_background_round(f->cl.data_dir, f->srv.url, &done, &cause) != 0)
		fail_msg("background round: %s", cause ? cause : "");
	assert_int_equal(done, 1);
	assert_int_equal(waiting_of(ann), 0);
	assert_int_equal(st_count_in_forum(&f->instructor, f->course.id, "ann-background-2Hv"), 1);
	v = setting_of(ann, "refresh_token");
	assert_null(v);
	v = setting_of(ann, "revoke_pending");
	assert_null(v);
	/* Nothing is left to do. */
	assert_int_equal(tui_kiosk_background_round(f->cl.data_dir, f->srv.url, &done, NULL), 0);
	assert_int_equal(done, 0);
	free(ann);
	free(srv_dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_logout_locks_the_replica_until_the_same_user_signs_in, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_users_waiting_writes_never_block_a_sign_in,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_discard_waiting_leaves_nothing_of_them, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_kiosk_profiles_per_user_and_logout_keeps_them_locked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kiosk_wipe_logout_sends_then_leaves_no_byte, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_kiosk_wipe_offline_names_the_loss_and_needs_consent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kiosk_logout_skips_a_stray_profile_folder, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_kiosk_sign_in_refuses_a_damaged_profile, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_config_file_names_file_and_line, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_kiosk_background_sync_sends_then_signs_out, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
