/* SPDX-License-Identifier: MIT */
/*
 * The TUI unit tests' app: a struct tui_app on a fresh replica in its own temporary folder,
 * logged in as user_id "learner", without a terminal or a server (test-tui-writes.c,
 * test-tui-data.c). Static functions: each test program includes it once.
 */
#ifndef TESTS_UNIT_TUI_TEST_APP_H
#define TESTS_UNIT_TUI_TEST_APP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/mem.h"
#include "store/replica.h"
#include "tui/tui-int.h"

struct tui_test_app {
	char dir[64];
	char *path;
	struct tui_config cfg;
	struct tui_app app;
};

/* Opens the replica in /tmp/lectern-<name>-XXXXXX; aborts the test on failure. */
static void
tui_test_app_open(struct tui_test_app *t, const char *name, const char *user_id)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/lectern-%s-XXXXXX", name);
	assert_non_null(mkdtemp(t->dir));
	t->path = lc_asprintf("%s/replica.db", t->dir);
	t->cfg.db_path = t->path;
	assert_int_equal(store_replica_open(t->path, &t->app.db, NULL), 0);
	t->app.cfg = &t->cfg;
	t->app.user_id = lc_strdup(user_id);
	t->app.username = lc_strdup("learner");
}

/* Closes the replica and removes it with its folder. */
static void
tui_test_app_close(struct tui_test_app *t)
{
	const char *suffix[] = {"", "-wal", "-shm"};

	tui_enrolled_finish(&t->app);
	store_db_close(t->app.db);
	free(t->app.user_id);
	free(t->app.username);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		char *p = lc_asprintf("%s%s", t->path, suffix[i]);

		unlink(p);
		free(p);
	}
	rmdir(t->dir);
	free(t->path);
}

/*
 * cmocka teardown for a fixture (allocated with lc_calloc) whose first member is its struct
 * tui_test_app.
 */
static int
tui_test_app_teardown(void **state)
{
	struct tui_test_app *t = *state;

	tui_test_app_close(t);
	free(t);
	return 0;
}

/* Applies a server change (rev is also its seq) to the app's replica, as a sync would. */
static inline void
tui_test_apply(struct tui_test_app *t, const char *scope, const char *type, const char *id,
               int64_t rev, const char *doc)
{
	struct store_change ch = {
	    .scope = scope, .type = type, .id = id, .rev = rev, .seq = rev, .doc = doc};

	assert_int_equal(store_apply_change(t->app.db, &ch), 0);
}

/* The outbox as it is, asserting its length (caller frees with store_outbox_free). */
static inline struct store_outbox_entry *
tui_test_outbox(struct tui_test_app *t, size_t want_n)
{
	struct store_outbox_entry *e = NULL;
	size_t n = 0;

	assert_int_equal(store_outbox_list(t->app.db, 100, &e, &n), 0);
	assert_int_equal(n, want_n);
	return e;
}

#endif
