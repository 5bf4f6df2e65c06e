/* SPDX-License-Identifier: MIT */
/*
 * Second processes on live databases (security review 2026-11-29, CR1): a live lecternd
 * whose workers all hold connections and a live client (sync thread plus a second
 * connection) while `lecternd --create-user`, sqlite3-API readers, `lectern post` writers
 * and HTTP writes open and close the same files, 200 rounds; then SIGKILL everything,
 * restart, sync once. Every acknowledged write must be present exactly once and both files
 * must pass PRAGMA integrity_check. Before the fix, probe_header()'s close() dropped the
 * locks of the process's other connections, so the outside processes' closes deleted the
 * live -wal/-shm: acknowledged writes vanished and the files were damaged.
 * The random schedule is seeded from SYNC_TEST_SEED (printed).
 *
 * Also pinned (the same review, CR1 row "restart on the corrupted DB"): lecternd refuses to
 * start on a damaged database, with a message, instead of serving from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/mem.h"
#include "dbrace.h"
#include "test-sync-lib.h"

#define ROUNDS 200

static void
test_db_second_process_loses_no_acknowledged_write(void **state)
{
	struct dbrace_opts opts = {.rounds = ROUNDS, .kill_pct = 0};
	struct dbrace_result res;

	(void)state;
	assert_int_equal(dbrace_run(&opts, &res), 0);
	fprintf(stderr, "rounds %d, acknowledged %d, lost %d, doubled %d, bad files %d\n",
	        res.rounds, res.acknowledged, res.lost, res.doubled, res.integrity_bad);
	assert_int_equal(res.rounds, ROUNDS);
	assert_true(res.acknowledged >= ROUNDS);
	assert_int_equal(res.final_sync_rc, 0);
	assert_int_equal(res.integrity_bad, 0);
	assert_int_equal(res.lost, 0);
	assert_int_equal(res.doubled, 0);
}

/* Runs `lecternd --db DB --listen 127.0.0.1:0`; returns its exit status, its stderr in *err. */
static int
lecternd_start_status(const char *dir, const char *db, char **err)
{
	char *err_path = lc_asprintf("%s/start.err", dir);
	pid_t pid = fork();
	int status = 0, waited = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_RDWR);

		if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execl(getenv("LECTERND"), "lecternd", "--db", db, "--listen", "127.0.0.1:0",
		      (char *)NULL);
		_exit(127);
	}
	/* Not a timing assertion: a guard so that a lecternd that serves does not hang us. */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (++waited > 600) {
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			fail_msg("lecternd kept running on a damaged database");
		}
		st_sleep_ms(50);
	}
	assert_int_equal(lc_read_file(err_path, err, NULL), 0);
	free(err_path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The root page number of a table, and the page size, read through SQLite. */
static int64_t
root_page(const char *db, const char *table, int64_t *page_size)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *stmt = NULL;
	int64_t page = 0;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA page_size", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	*page_size = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	assert_int_equal(sqlite3_prepare_v2(h,
	                                    "SELECT rootpage FROM sqlite_master WHERE type = "
	                                    "'table' AND name = ?",
	                                    -1, &stmt, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	page = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
	assert_true(page > 1);
	return page;
}

static void
test_db_damaged_server_db_refused_at_start(void **state)
{
	struct st_server srv = {0};
	char *dir = st_tmpdir("dbdamaged"), *err = NULL;
	static unsigned char junk[512];
	int64_t page, page_size;
	int fd;

	(void)state;
	assert_non_null(dir);
	snprintf(srv.dir, sizeof(srv.dir), "%s", dir);
	snprintf(srv.db, sizeof(srv.db), "%s/lecternd.db", dir);
	/* A clean exit checkpoints the -wal into the file: all the data is in lecternd.db. */
	assert_int_equal(st_server_create_user(&srv, "learner", "learner", ST_PASSWORD), 0);
	/* Damage the root page of a table lecternd does not read at start (replies), leaving
	 * the header and schema readable. No connection is open in this process now, so a
	 * plain descriptor is harmless here. */
	page = root_page(srv.db, "replies", &page_size);
	memset(junk, 0xff, sizeof(junk));
	fd = open(srv.db, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), (off_t)(page - 1) * page_size),
	                 (ssize_t)sizeof(junk));
	assert_int_equal(close(fd), 0);
	assert_int_equal(lecternd_start_status(dir, srv.db, &err), 1);
	if (strstr(err, "damaged") == NULL)
		fail_msg("no word about the damage: %s", err);
	free(err);
	st_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_db_second_process_loses_no_acknowledged_write),
	    cmocka_unit_test(test_db_damaged_server_db_refused_at_start),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
