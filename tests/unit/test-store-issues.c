/* SPDX-License-Identifier: MIT */
/*
 * Resolving sync issues (issue 11, item 6; ux review 2026-11-29, A2 and A3): a conflict is
 * never sent again without the user's choice (keep mine, keep theirs, a merge), each choice
 * queues exactly what it says on theirs' rev, and an issue is named in words. Drafts
 * (item 7): saved, read back, replaced and removed.
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
#define MODULE "22222222-2222-4222-8222-22222222222a"
#define ITEM "44444444-4444-4444-8444-444444444444"
#define SCOPE "course:" COURSE

#define COURSE_DOC "{\"id\":\"" COURSE "\",\"code\":\"C201\",\"title\":\"C pointers\",\"rev\":1}"
#define MODULE_DOC "{\"id\":\"" MODULE "\",\"course_id\":\"" COURSE "\",\"title\":\"M\",\"rev\":1}"
#define ITEM_V1                                                                                    \
	"{\"id\":\"" ITEM "\",\"module_id\":\"" MODULE                                             \
	"\",\"kind\":\"page\",\"title\":\"Pointers "                                               \
	"and arrays\",\"body\":\"a\\nb\\nc\\n\",\"rev\":1}"
#define ITEM_V2                                                                                    \
	"{\"id\":\"" ITEM "\",\"module_id\":\"" MODULE                                             \
	"\",\"kind\":\"page\",\"title\":\"Pointers "                                               \
	"and arrays\",\"body\":\"a\\nB theirs\\nc\\n\",\"rev\":2}"
#define MINE "{\"body\":\"a\\nB mine\\nc\\n\"}"

struct fixture {
	char dir[64];
	struct store_db *db;
	int64_t issue;
};

static void
put(struct store_db *db, const char *type, const char *id, int64_t rev, const char *doc)
{
	struct store_change c = {SCOPE, type, id, rev, 0, false, doc};

	assert_int_equal(store_apply_change(db, &c), 0);
}

/* A replica holding C201 > module > lesson, whose offline edit met a change on the server. */
static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));
	struct store_write w = {"PATCH",
	                        "/api/v1/items/" ITEM,
	                        MINE,
	                        1,
	                        "item",
	                        ITEM,
	                        SCOPE,
	                        "{\"id\":\"" ITEM "\",\"module_id\":\"" MODULE "\",\"kind\":"
	                        "\"page\",\"title\":\"Pointers and arrays\",\"body\":\"a\\nB "
	                        "mine\\nc\\n\",\"rev\":1}",
	                        false};
	struct store_issue *issues = NULL;
	char *path, *cause = NULL;
	int64_t seq;
	size_t n;

	snprintf(f->dir, sizeof(f->dir), "/tmp/lc-store-iss-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	path = lc_asprintf("%s/replica.db", f->dir);
	assert_int_equal(store_replica_open(path, &f->db, &cause), 0);
	free(path);
	put(f->db, "course", COURSE, 1, COURSE_DOC);
	put(f->db, "module", MODULE, 1, MODULE_DOC);
	put(f->db, "item", ITEM, 1, ITEM_V1);
	assert_int_equal(store_local_write(f->db, &w, &seq), 0);
	assert_int_equal(store_outbox_conflict(f->db, seq, NULL, ITEM_V2, 2, "changed: body"), 0);
	assert_int_equal(store_issues_list(f->db, &issues, &n), 0);
	assert_int_equal(n, 1);
	f->issue = issues[0].id;
	store_issues_free(issues, n);
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

static int64_t
count_outbox(struct store_db *db)
{
	int64_t n;

	assert_int_equal(store_outbox_count(db, &n), 0);
	return n;
}

static int64_t
count_issues(struct store_db *db)
{
	int64_t n;

	assert_int_equal(store_issue_count(db, &n), 0);
	return n;
}

static char *
shown_body(struct store_db *db)
{
	struct store_resource res;
	char *out, *p;

	assert_int_equal(store_resource_get(db, "item", ITEM, &res), 0);
	p = strstr(res.doc, "\"body\":\"");
	assert_non_null(p);
	out = lc_strndup(p + 8, strcspn(p + 8, "\""));
	store_resource_finish(&res);
	return out;
}

/* ux review 2026-11-29, A2: "retry" on a conflict overwrote the server's line unasked. */
static void
test_issue_retry_refuses_a_conflict_and_queues_nothing(void **state)
{
	struct fixture *f = *state;
	char *body;

	assert_int_equal(store_issue_retry(f->db, f->issue), -LC_ECONFLICT);
	assert_int_equal(count_outbox(f->db), 0);
	assert_int_equal(count_issues(f->db), 1);
	body = shown_body(f->db);
	assert_string_equal(body, "a\\nB theirs\\nc\\n"); /* the server's, until a choice */
	free(body);
}

static void
test_issue_keep_mine_queues_mine_on_theirs_rev(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	size_t n;
	char *body;

	assert_int_equal(store_issue_keep_mine(f->db, f->issue), 0);
	assert_int_equal(count_issues(f->db), 0);
	assert_int_equal(store_outbox_list(f->db, 0, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].body, MINE);
	assert_int_equal(e[0].if_match, 2);
	assert_string_equal(e[0].method, "PATCH");
	assert_string_equal(e[0].path, "/api/v1/items/" ITEM);
	store_outbox_free(e, n);
	body = shown_body(f->db);
	assert_string_equal(body, "a\\nB mine\\nc\\n");
	free(body);
	assert_int_equal(store_issue_keep_mine(f->db, f->issue), -LC_ENOTFOUND);
}

static void
test_issue_keep_theirs_drops_the_issue_and_queues_nothing(void **state)
{
	struct fixture *f = *state;
	char *body;

	assert_int_equal(store_issue_keep_theirs(f->db, f->issue), 0);
	assert_int_equal(count_issues(f->db), 0);
	assert_int_equal(count_outbox(f->db), 0);
	body = shown_body(f->db);
	assert_string_equal(body, "a\\nB theirs\\nc\\n");
	free(body);
}

static void
test_issue_resolve_queues_the_merged_body(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	size_t n;

	assert_int_equal(store_issue_resolve(f->db, f->issue, "{\"body\":\"merged\\n\"}"), 0);
	assert_int_equal(store_outbox_list(f->db, 0, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].body, "{\"body\":\"merged\\n\"}");
	assert_int_equal(e[0].if_match, 2);
	store_outbox_free(e, n);
	assert_int_equal(count_issues(f->db), 0);
}

/* Keep mine, keep theirs and merge are for conflicts; a refusal is retried or discarded. */
static void
test_issue_choices_refuse_a_rejected_write(void **state)
{
	struct fixture *f = *state;
	struct store_write w = {"POST",
	                        "/api/v1/enrollments",
	                        "{\"course_id\":\"" COURSE "\"}",
	                        0,
	                        NULL,
	                        NULL,
	                        NULL,
	                        NULL,
	                        false};
	struct store_issue *issues = NULL;
	int64_t seq, id;
	size_t n;
	char *what;

	assert_int_equal(store_local_write(f->db, &w, &seq), 0);
	assert_int_equal(store_outbox_reject(f->db, seq, 403, "Staff cannot enroll"), 0);
	assert_int_equal(store_issues_list(f->db, &issues, &n), 0);
	assert_int_equal(n, 2);
	id = strcmp(issues[0].kind, "rejected") == 0 ? issues[0].id : issues[1].id;
	what = store_issue_what_happened(strcmp(issues[0].kind, "rejected") == 0 ? &issues[0]
	                                                                         : &issues[1]);
	assert_string_equal(what, "refused by the server: Staff cannot enroll");
	free(what);
	store_issues_free(issues, n);
	assert_int_equal(store_issue_keep_mine(f->db, id), -LC_EINVAL);
	assert_int_equal(store_issue_keep_theirs(f->db, id), -LC_EINVAL);
	assert_int_equal(store_issue_resolve(f->db, id, "{}"), -LC_EINVAL);
	assert_int_equal(count_outbox(f->db), 0);
	assert_int_equal(store_issue_retry(f->db, id), 0);
	assert_int_equal(count_outbox(f->db), 1);
}

/* ux review 2026-11-29, A3: rows read "conflict PATCH /api/v1/...". */
static void
test_issue_describe_names_the_lesson_and_course(void **state)
{
	struct fixture *f = *state;
	struct store_issue *it = NULL;
	char *s;

	assert_int_equal(store_issue_get(f->db, f->issue, &it), 0);
	s = store_issue_describe(f->db, it);
	assert_string_equal(s, "Lesson 'Pointers and arrays' in C201");
	free(s);
	s = store_issue_what_happened(it);
	assert_string_equal(s, "changed on the server since you edited it");
	free(s);
	free(it->type);
	it->type = lc_strdup("course");
	free(it->res_id);
	it->res_id = lc_strdup(COURSE);
	s = store_issue_describe(f->db, it);
	assert_string_equal(s, "Course C201");
	free(s);
	store_issues_free(it, 1);
	assert_int_equal(store_issue_get(f->db, 999, &it), -LC_ENOTFOUND);
}

static void
test_draft_is_kept_replaced_and_removed(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;
	int64_t at = 0;

	assert_int_equal(store_draft_get(f->db, "reply:t1", &text, &at), 0);
	assert_null(text);
	assert_int_equal(store_draft_put(f->db, "reply:t1", "first"), 0);
	assert_int_equal(store_draft_put(f->db, "reply:t1", "second"), 0);
	assert_int_equal(store_draft_put(f->db, "reply:t2", "other"), 0);
	assert_int_equal(store_draft_get(f->db, "reply:t1", &text, &at), 0);
	assert_string_equal(text, "second");
	assert_true(at > 0);
	free(text);
	assert_int_equal(store_draft_delete(f->db, "reply:t1"), 0);
	assert_int_equal(store_draft_get(f->db, "reply:t1", &text, &at), 0);
	assert_null(text);
	assert_int_equal(store_draft_get(f->db, "reply:t2", &text, &at), 0);
	assert_string_equal(text, "other");
	free(text);
	assert_int_equal(store_draft_put(f->db, NULL, "x"), -LC_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_issue_retry_refuses_a_conflict_and_queues_nothing,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_issue_keep_mine_queues_mine_on_theirs_rev, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_issue_keep_theirs_drops_the_issue_and_queues_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_issue_resolve_queues_the_merged_body, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_issue_choices_refuse_a_rejected_write, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_issue_describe_names_the_lesson_and_course, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_draft_is_kept_replaced_and_removed, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests_name("store-issues", tests, NULL, NULL);
}
