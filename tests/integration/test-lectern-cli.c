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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
