/* SPDX-License-Identifier: MIT */
/*
 * The lectern command line meets bad input: unknown commands and flags get the usage and
 * exit 1; a replica file that is not ours is refused with a message and left untouched;
 * a write before any login is refused; a sync while the server is down exits 2 and keeps
 * the queued write. The server URL points at a closed port unless a test starts lecternd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/fsutil.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/db.h"
#include "store/replica.h"
#include "test-sync-lib.h"

struct fixture {
	char *dir;
	struct st_client cl;
};

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));

	f->dir = st_tmpdir("cli");
	snprintf(f->cl.data_dir, sizeof f->cl.data_dir, "%s/client", f->dir);
	/* Port 9 (discard) on loopback: nothing listens there in the test sandbox. */
	snprintf(f->cl.server_url, sizeof f->cl.server_url, "http://127.0.0.1:9");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void
test_unknown_command_and_flag_print_usage_and_exit_1(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "frobnicate", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "usage: lectern"));
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "courses", "--bogus", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "usage: lectern"));
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "enroll", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "usage: lectern"));
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "post", "x", NULL), 1);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "enroll", "not-a-uuid", NULL), 1);
}

static void
test_foreign_replica_is_refused_and_left_untouched(void **state)
{
	struct fixture *f = *state;
	static const char junk[] = "this is somebody's notes file, not a replica\n";
	char *path = lc_asprintf("%s/replica.db", f->cl.data_dir), *after = NULL;
	size_t len = 0;
	FILE *fp;

	assert_int_equal(lc_mkdir_p(f->cl.data_dir, 0700), 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(junk, fp);
	fclose(fp);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "courses", NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "not an SQLite database"));
	assert_int_equal(lc_read_file(path, &after, &len), 0);
	assert_string_equal(after, junk);
	free(after);
	free(path);
}

static void
test_writes_need_a_login_and_change_nothing(void **state)
{
	struct fixture *f = *state;
	char id[LC_UUID_LEN + 1], *out = NULL;

	lc_uuid_new(id);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "enroll", id, NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "not logged in"));
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 1);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "status", NULL), 0);
	assert_non_null(strstr(out, "pending       0"));
	free(out);
}

static void
test_sync_without_server_exits_2_and_keeps_the_write(void **state)
{
	struct fixture *f = *state;
	struct st_server srv = {0};
	char *srv_dir = lc_asprintf("%s/server", f->dir), *out = NULL;
	char id[LC_UUID_LEN + 1];

	assert_int_equal(lc_mkdir_p(srv_dir, 0700), 0);
	assert_int_equal(st_server_start(&srv, srv_dir, 0, true), 0);
	snprintf(f->cl.server_url, sizeof f->cl.server_url, "%s", srv.url);
	assert_int_equal(st_login(&f->cl, "learner"), 0);
	st_server_stop(&srv, false);

	lc_uuid_new(id);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "enroll", id, NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 2);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "status", NULL), 0);
	assert_non_null(strstr(out, "pending       1"));
	free(out);
	free(srv_dir);
}

/* Starts a demo lecternd for the fixture's client and logs the instructor in over REST. */
static void
demo_server_up(struct fixture *f, struct st_server *srv, struct st_api *instructor)
{
	char *srv_dir = lc_asprintf("%s/server", f->dir);

	assert_int_equal(lc_mkdir_p(srv_dir, 0700), 0);
	assert_int_equal(st_server_start(srv, srv_dir, 0, true), 0);
	snprintf(f->cl.server_url, sizeof f->cl.server_url, "%s", srv->url);
	assert_int_equal(st_api_login(instructor, srv->url, "instructor", ST_PASSWORD), 0);
	free(srv_dir);
}

/* The first byte of text that a terminal would act on: C0 but newline and tab, DEL, C1. */
static const char *
first_control(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	for (; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return (const char *)p;
		/* U+0080..U+009F in UTF-8, and the same as bare bytes (8-bit terminals). */
		if ((*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) || (*p >= 0x80 && *p <= 0x9f))
			return (const char *)p;
	}
	return NULL;
}

/*
 * Security review 2026-11-29, M3: a course title holding ESC ]0;pwned BEL (retitle),
 * ESC [2J (clear), ESC [31m (red) and U+009B (C1 CSI), published on a real lecternd by an
 * instructor, reached the learner's terminal raw through `lectern courses`. The title is
 * still listed, with the controls neutralised, and so is every line the search prints.
 */
static void
test_courses_output_holds_no_terminal_controls(void **state)
{
	struct fixture *f = *state;
	struct st_server srv = {0};
	struct st_api instructor = {0};
	struct st_course course;
	char *out = NULL;

	demo_server_up(f, &srv, &instructor);
	/* JSON escapes: the server stores the raw control characters. */
	assert_int_equal(st_make_course(&instructor,
	                                "Free certificate \\u001b]0;pwned\\u0007\\u001b[2J"
	                                "\\u001b[31mNOW \\u009b1m end",
	                                1, 0, &course),
	                 0);
	assert_int_equal(st_login(&f->cl, "learner"), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 0);

	assert_int_equal(st_lectern(&f->cl, NULL, &out, "courses", NULL), 0);
	assert_non_null(strstr(out, course.id));
	assert_non_null(strstr(out, "Free certificate"));
	assert_non_null(strstr(out, "NOW"));
	if (first_control(out) != NULL)
		fail_msg("`lectern courses` printed a control byte 0x%02x: %s",
		         (unsigned char)*first_control(out), out);
	free(out);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "courses", "--search", "certificate", NULL),
	                 0);
	assert_non_null(strstr(out, course.id));
	assert_null(first_control(out));
	free(out);

	st_api_finish(&instructor);
	st_server_stop(&srv, false);
}

/*
 * M3 from a hostile or compromised server, which need not be lecternd: whatever the replica
 * holds (C0, DEL, C1 as UTF-8 and as bare bytes, invalid UTF-8, newlines inside a field) is
 * printed neutralised, by `courses` and by `status` (a scope name), one line per course.
 */
static void
test_replica_text_is_printed_without_controls(void **state)
{
	struct fixture *f = *state;
	static const char doc[] =
	    "{\"id\":\"c0000000-0000-4000-8000-0000000000aa\",\"rev\":1,"
	    "\"title\":\"A\\u001b[2Jb\\u0007c\\u007fd\\u009be\\nf\\tg \xe5\xad\xa6\"}";
	struct store_change ch = {.scope = "catalog",
	                          .type = "course",
	                          .id = "c0000000-0000-4000-8000-0000000000aa",
	                          .rev = 1,
	                          .seq = 1,
	                          .doc = doc};
	struct store_change raw = ch;
	struct store_db *db = NULL;
	char *out = NULL;

	/* A second course whose title has a bare C1 byte and an invalid sequence in it. */
	raw.id = "c0000000-0000-4000-8000-0000000000ab";
	raw.doc = "{\"id\":\"c0000000-0000-4000-8000-0000000000ab\",\"rev\":1,"
	          "\"title\":\"Z bare \x9b"
	          "31m and \xc2 broken\"}";
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "status", NULL), 0); /* makes the replica */
	assert_int_equal(st_replica_open(&f->cl, &db), 0);
	assert_int_equal(store_apply_change(db, &ch), 0);
	assert_int_equal(store_apply_change(db, &raw), 0);
	assert_int_equal(store_cursor_set(db, "course:\x1b]0;pwned\x07", 5), 0);
	store_db_close(db);

	assert_int_equal(st_lectern(&f->cl, NULL, &out, "courses", NULL), 0);
	if (first_control(out) != NULL)
		fail_msg("control byte 0x%02x in: %s", (unsigned char)*first_control(out), out);
	/* Neutralised one for one, the UTF-8 kept; newline and tab too inside a one-line field. */
	assert_non_null(strstr(out, "A?[2Jb?c?d?e?f?g \xe5\xad\xa6\n"));
	assert_non_null(strstr(out, "Z bare ?31m and ? broken\n"));
	assert_int_equal(st_count(out, "\n"), 2);
	free(out);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "status", NULL), 0);
	assert_null(first_control(out));
	assert_non_null(strstr(out, "course:?]0;pwned?"));
	free(out);
}

/*
 * Issue 9, section 4: a quiz is completed only by a passing attempt (the server answers
 * 409 to POST /progress {status: completed} on a quiz). `lectern complete QUIZ` says so,
 * exits 1 and queues nothing; a page still completes.
 */
static void
test_complete_refuses_a_quiz_and_queues_nothing(void **state)
{
	struct fixture *f = *state;
	struct st_server srv = {0};
	struct st_api instructor = {0};
	struct st_course course;
	char *out = NULL;

	demo_server_up(f, &srv, &instructor);
	assert_int_equal(st_make_course(&instructor, "Quiz completion", 1, 0, &course), 0);
	assert_int_equal(st_login(&f->cl, "learner"), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "enroll", course.id, NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 0);

	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "complete", course.quiz_id, NULL), 1);
	assert_non_null(strstr(st_last_stderr(), "a quiz is completed by passing an attempt"));
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "status", NULL), 0);
	assert_non_null(strstr(out, "pending       0"));
	free(out);

	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "complete", course.items[0], NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "status", NULL), 0);
	assert_non_null(strstr(out, "pending       1"));
	free(out);

	st_api_finish(&instructor);
	st_server_stop(&srv, false);
}

/*
 * ux review 2026-11-29, conventions table (issue 15, "Command line conventions"): `lectern
 * sync` exits 4 when the sync itself worked but the server refused a write (here an
 * enrollment in a course that does not exist), names it on stderr, and the next sync, with
 * nothing new refused, exits 0 again. Against a real lecternd with the demo data.
 */
static void
test_sync_exits_4_when_the_server_refuses_a_write(void **state)
{
	struct fixture *f = *state;
	struct st_server srv = {0};
	char *srv_dir = lc_asprintf("%s/server", f->dir), id[LC_UUID_LEN + 1], *out = NULL;

	assert_int_equal(lc_mkdir_p(srv_dir, 0700), 0);
	assert_int_equal(st_server_start(&srv, srv_dir, 0, true), 0);
	snprintf(f->cl.server_url, sizeof f->cl.server_url, "%s", srv.url);
	assert_int_equal(st_login(&f->cl, "learner"), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 0);
	lc_uuid_new(id);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "enroll", id, NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "sync", NULL), 4);
	assert_non_null(strstr(out, "Synced:"));
	assert_non_null(strstr(st_last_stderr(), "refused 1 of the writes"));
	free(out);
	out = NULL;
	assert_int_equal(st_replica_issues(&f->cl), 1);
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "sync", NULL), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "sync", "--help", NULL), 0);
	assert_non_null(strstr(out, "4 when the sync worked"));
	free(out);
	st_server_stop(&srv, false);
	free(srv_dir);
}

/*
 * ux review 2026-11-29, E6: `--help` after any command and `lectern help COMMAND` print
 * that command's usage and exit 0 without making the data folder; `lectern __complete`
 * lists the commands and, with nobody signed in, no ids and no error.
 */
static void
test_help_per_command_makes_no_folder(void **state)
{
	struct fixture *f = *state;
	static const char *const cmds[] = {
	    "login", "logout",   "sync", "status", "courses",     "enroll", "complete",
	    "post",  "reply",    "edit", "issues", "ls",          "course", "module",
	    "item",  "question", "move", "rm",     "kiosk-passwd"};
	struct stat st;
	char *out = NULL;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "usage: lectern %s", cmds[i]);
		assert_int_equal(st_lectern(&f->cl, NULL, &out, cmds[i], "--help", NULL), 0);
		assert_non_null(strstr(out, want));
		free(out);
		out = NULL;
		assert_int_equal(st_lectern(&f->cl, NULL, &out, "help", cmds[i], NULL), 0);
		assert_non_null(strstr(out, want));
		free(out);
		out = NULL;
	}
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "help", NULL), 0);
	assert_non_null(strstr(out, "Exit status"));
	free(out);
	out = NULL;
	assert_int_equal(st_lectern(&f->cl, NULL, NULL, "help", "frobnicate", NULL), 1);
	assert_int_not_equal(stat(f->cl.data_dir, &st), 0);
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "__complete", "commands", NULL), 0);
	assert_non_null(strstr(out, "enroll\n"));
	free(out);
	out = NULL;
	assert_int_equal(st_lectern(&f->cl, NULL, &out, "__complete", "ids", "course", NULL), 0);
	assert_string_equal(out, "");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_unknown_command_and_flag_print_usage_and_exit_1,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_replica_is_refused_and_left_untouched,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writes_need_a_login_and_change_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_sync_without_server_exits_2_and_keeps_the_write,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_courses_output_holds_no_terminal_controls, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_replica_text_is_printed_without_controls, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_sync_exits_4_when_the_server_refuses_a_write,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_help_per_command_makes_no_folder, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_complete_refuses_a_quiz_and_queues_nothing, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
