/* SPDX-License-Identifier: MIT */
/*
 * store_replica_patch_row() and store_scope_reset(): merging a partial change of the server
 * into the stored doc, and what happens when the row cannot take it (perf review
 * 2026-11-29, cause 6; docs/sync.md "Partial changes").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"

#define COURSE "11111111-1111-4111-8111-111111111111"
#define TOPIC "33333333-3333-4333-8333-333333333333"
#define OTHER "33333333-3333-4333-8333-33333333333f"
#define SCOPE "course:" COURSE
#define DOC                                                                                        \
	"{\"id\":\"" TOPIC "\",\"rev\":3,\"created_at\":\"2026-11-01T10:00:00Z\",\"updated_at\":"  \
	"\"2026-11-02T10:00:00Z\",\"course_id\":\"" COURSE "\",\"title\":\"Exam dates\",\"body\":" \
	"\"When is it? \\u00e9t\\u00e9\\nLine two\",\"author_id\":null,\"last_activity_at\":"      \
	"\"2026-11-02T10:00:00Z\",\"reply_count\":1,\"author_name\":\"Ada\"}"
#define PATCH                                                                                      \
	"{\"updated_at\":\"2026-11-03T09:00:00Z\",\"last_activity_at\":\"2026-11-03T09:00:00Z\","  \
	"\"reply_count\":2,\"author_name\":\"Ada L.\"}"

struct fixture {
	char dir[64];
	struct store_db *db;
};

static void
put(struct store_db *db, const char *id, int64_t rev, const char *doc)
{
	struct store_change c = {SCOPE, "topic", id, rev, 0, doc == NULL, doc};

	assert_int_equal(store_apply_change(db, &c), 0);
}

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));
	char *path;

	snprintf(f->dir, sizeof(f->dir), "/tmp/lc-store-patch-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	path = lc_asprintf("%s/replica.db", f->dir);
	assert_int_equal(store_replica_open(path, &f->db, NULL), 0);
	free(path);
	assert_int_equal(store_cursor_set(f->db, SCOPE, 40), 0);
	put(f->db, TOPIC, 3, DOC);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = lc_asprintf("rm -rf '%s'", f->dir);

	store_db_close(f->db);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

static struct store_resource
get(struct store_db *db, const char *id)
{
	struct store_resource r;

	assert_int_equal(store_resource_get(db, "topic", id, &r), 0);
	return r;
}

/* A patch merges into the doc: the fields it names change, the rest stays byte for byte. */
static void
test_patch_merges_into_the_stored_doc(void **state)
{
	struct fixture *f = *state;
	struct store_resource r;
	struct store_hit *hits = NULL;
	size_t n = 0;

	assert_int_equal(store_replica_patch_row(f->db, SCOPE, "topic", TOPIC, 5, 2, PATCH), 0);
	r = get(f->db, TOPIC);
	assert_int_equal(r.rev, 5);
	assert_string_equal(
	    r.doc,
	    "{\"id\":\"" TOPIC
	    "\",\"rev\":5,\"created_at\":\"2026-11-01T10:00:00Z\",\"updated_at\":"
	    "\"2026-11-03T09:00:00Z\",\"course_id\":\"" COURSE
	    "\",\"title\":\"Exam dates\",\"body\":"
	    "\"When is it? \\u00e9t\\u00e9\\nLine two\",\"author_id\":null,\"last_activity_at\":"
	    "\"2026-11-03T09:00:00Z\",\"reply_count\":2,\"author_name\":\"Ada L.\"}");
	store_resource_finish(&r);
	/* The search index follows the row as after any other update. */
	assert_int_equal(store_search(f->db, "exam", "topic", 10, &hits, &n), 0);
	assert_int_equal(n, 1);
	store_hits_free(hits, n);
	/* The same rev again, or an older one, changes nothing (as for a whole doc). */
	assert_int_equal(
	    store_replica_patch_row(f->db, SCOPE, "topic", TOPIC, 5, 2, "{\"reply_count\":9}"), 0);
	assert_int_equal(
	    store_replica_patch_row(f->db, SCOPE, "topic", TOPIC, 4, 2, "{\"reply_count\":9}"), 0);
	r = get(f->db, TOPIC);
	assert_int_equal(r.rev, 5);
	assert_non_null(strstr(r.doc, "\"reply_count\":2"));
	store_resource_finish(&r);
}

/* A row that cannot take the patch is left as it was and says so: no row, a tombstone, or
 * a rev older than the base the patch was made on. Not a patch at all is refused. */
static void
test_patch_that_does_not_fit_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct store_resource r;

	assert_int_equal(store_replica_patch_row(f->db, SCOPE, "topic", OTHER, 5, 2, PATCH),
	                 -LC_ENOTFOUND);
	assert_int_equal(
	    store_replica_patch_row(f->db, "course:other", "topic", TOPIC, 5, 2, PATCH),
	    -LC_ENOTFOUND);
	assert_int_equal(store_replica_patch_row(f->db, SCOPE, "topic", TOPIC, 6, 4, PATCH),
	                 -LC_ENOTFOUND);
	assert_int_equal(store_replica_patch_row(f->db, SCOPE, "topic", TOPIC, 6, 2, "[1]"),
	                 -LC_EPROTO);
	assert_int_equal(store_replica_patch_row(f->db, SCOPE, "topic", TOPIC, 6, 2, "{"),
	                 -LC_EPROTO);
	r = get(f->db, TOPIC);
	assert_int_equal(r.rev, 3);
	assert_string_equal(r.doc, DOC);
	store_resource_finish(&r);
	put(f->db, TOPIC, 4, NULL);
	assert_int_equal(store_replica_patch_row(f->db, SCOPE, "topic", TOPIC, 6, 2, PATCH),
	                 -LC_ENOTFOUND);
	assert_int_equal(store_resource_get(f->db, "topic", TOPIC, &r), -LC_ENOTFOUND);
}

/* Resetting a scope drops its rows and sets its cursor to 0; an unknown scope stays unknown. */
static void
test_scope_reset_pulls_from_zero(void **state)
{
	struct fixture *f = *state;
	struct store_cursor *cursors = NULL;
	size_t n = 0;
	int64_t cursor = -1;

	assert_int_equal(store_scope_reset(f->db, SCOPE), 0);
	assert_int_equal(store_cursor_get(f->db, SCOPE, &cursor), 0);
	assert_int_equal(cursor, 0);
	assert_int_equal(store_cursor_list(f->db, &cursors, &n), 0);
	assert_int_equal(n, 1);
	store_cursor_list_free(cursors, n);
	assert_int_equal(store_resource_get(f->db, "topic", TOPIC, &(struct store_resource){0}),
	                 -LC_ENOTFOUND);
	assert_int_equal(store_scope_reset(f->db, "course:gone"), 0);
	assert_int_equal(store_cursor_list(f->db, &cursors, &n), 0);
	assert_int_equal(n, 1);
	store_cursor_list_free(cursors, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_patch_merges_into_the_stored_doc, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_patch_that_does_not_fit_changes_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_scope_reset_pulls_from_zero, setup, teardown),
	};

	return cmocka_run_group_tests_name("store-patch", tests, NULL, NULL);
}
