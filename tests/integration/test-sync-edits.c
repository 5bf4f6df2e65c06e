/* SPDX-License-Identifier: MIT */
/*
 * Two course staff, the instructor (replica A) and an admin (replica B), edit the body of
 * the same page while offline (through `lectern edit`), then sync one after the other.
 * Edits to different lines merge cleanly and both replicas end with the merged body; edits
 * to the same line end as a conflict that `lectern issues` names in words with both changes
 * shown as diffs, while the server keeps the first. The conflict is then resolved through
 * each of the three choices (issue 11, item 6: keep mine, keep theirs, a merge) and the
 * server ends with exactly the chosen text; nothing is sent before the choice, and
 * `issues retry` refuses to send mine blindly (ux review 2026-11-29, A2).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/replica.h"
#include "test-sync-lib.h"

#define BASE_BODY "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\n"

struct fixture {
	struct st_world w;
	struct st_client a, b;
	const char *item_id;
	char *mine_a, *mine_b; /* the overlapping edits of overlap() */
	char n[16];            /* B's issue number, as `lectern issues` takes it */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	cJSON *body = cJSON_CreateObject();
	char path[128], *json;
	long status;

	*state = f;
	if (st_world_setup(&f->w, "merge", 1, 2, 1) < 0)
		return -1;
	f->item_id = f->w.courses[0].items[0];
	cJSON_AddStringToObject(body, "body", BASE_BODY);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	snprintf(path, sizeof(path), "/items/%s", f->item_id);
	status = st_api_call(&f->w.instructor, "PATCH", path, json, NULL);
	free(json);
	if (status != 200)
		return -1;
	if (st_server_create_user(&f->w.srv, "ada", "admin", ST_PASSWORD) < 0 ||
	    st_world_client(&f->w, "a", "instructor", &f->a) < 0 ||
	    st_world_client(&f->w, "b", "ada", &f->b) < 0 ||
	    st_lectern(&f->a, NULL, NULL, "sync", "--verify", NULL) != 0 ||
	    st_lectern(&f->b, NULL, NULL, "sync", "--verify", NULL) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_world_teardown(&f->w);
	free(f->mine_a);
	free(f->mine_b);
	free(f);
	return 0;
}

/* BASE_BODY with line `line` replaced by `text`. Caller frees. */
static char *
with_line(const char *body, int line, const char *text)
{
	char *out = calloc(1, strlen(body) + strlen(text) + 2);
	const char *p = body;
	size_t used = 0;

	for (int n = 1; *p != '\0'; n++) {
		const char *eol = strchr(p, '\n');
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);

		if (n == line) {
			memcpy(out + used, text, strlen(text));
			used += strlen(text);
		} else {
			memcpy(out + used, p, len);
			used += len;
		}
		out[used++] = '\n';
		p += len + (eol != NULL ? 1 : 0);
	}
	return out;
}

static void
edit(struct st_client *cl, const char *item_id, const char *body)
{
	int rc = st_lectern(cl, body, NULL, "edit", item_id, NULL);

	if (rc != 0)
		print_error("lectern edit exited %d: %s\n", rc, st_last_stderr());
	assert_int_equal(rc, 0);
}

static void
sync_ok(struct st_client *cl)
{
	int rc = st_lectern(cl, NULL, NULL, "sync", NULL);

	if (rc != 0)
		print_error("lectern sync exited %d: %s\n", rc, st_last_stderr());
	assert_int_equal(rc, 0);
}

/*
 * A sync that meets a conflict exits 4 (issue 15, "Command line conventions": the sync
 * worked, but the server refused a write, now a sync issue).
 */
static void
sync_refused(struct st_client *cl)
{
	int rc = st_lectern(cl, NULL, NULL, "sync", NULL);

	if (rc != 4)
		print_error("lectern sync exited %d: %s\n", rc, st_last_stderr());
	assert_int_equal(rc, 4);
}

/* The item's body on the server. Caller frees. */
static char *
server_body(struct fixture *f)
{
	cJSON *item = st_api_get(&f->w.instructor, "/items/%s", f->item_id);
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(item, "body");
	char *out = cJSON_IsString(body) ? strdup(body->valuestring) : NULL;

	cJSON_Delete(item);
	assert_non_null(out);
	return out;
}

/* The item's body as the replica shows it. Caller frees. */
static char *
replica_body(struct st_client *cl, const char *item_id, bool *pending)
{
	struct store_db *db = NULL;
	struct store_resource res = {0};
	cJSON *doc;
	const cJSON *body;
	char *out = NULL;

	assert_int_equal(st_replica_open(cl, &db), 0);
	assert_int_equal(store_resource_get(db, "item", item_id, &res), 0);
	*pending = res.pending;
	doc = cJSON_Parse(res.doc);
	body = cJSON_GetObjectItemCaseSensitive(doc, "body");
	if (cJSON_IsString(body))
		out = strdup(body->valuestring);
	cJSON_Delete(doc);
	store_resource_finish(&res);
	store_db_close(db);
	assert_non_null(out);
	return out;
}

static void
test_disjoint_offline_edits_merge_on_both_replicas(void **state)
{
	struct fixture *f = *state;
	char *mine_a = with_line(BASE_BODY, 2, "line 2 edited on replica A");
	char *mine_b = with_line(BASE_BODY, 8, "line 8 edited on replica B");
	char *merged = with_line(mine_a, 8, "line 8 edited on replica B");
	char *got, *issues = NULL;
	bool pending;

	edit(&f->a, f->item_id, mine_a);
	edit(&f->b, f->item_id, mine_b);
	sync_ok(&f->a);
	sync_ok(&f->b); /* meets a 409 and merges */
	sync_ok(&f->a); /* pulls the merge */

	got = server_body(f);
	assert_string_equal(got, merged);
	free(got);
	got = replica_body(&f->a, f->item_id, &pending);
	assert_string_equal(got, merged);
	assert_false(pending);
	free(got);
	got = replica_body(&f->b, f->item_id, &pending);
	assert_string_equal(got, merged);
	assert_false(pending);
	free(got);
	assert_int_equal(st_lectern(&f->a, NULL, NULL, "sync", "--verify", NULL), 0);
	assert_int_equal(st_lectern(&f->b, NULL, NULL, "sync", "--verify", NULL), 0);
	assert_int_equal(st_lectern(&f->b, NULL, &issues, "issues", NULL), 0);
	assert_null(strstr(issues, "edited on replica"));
	free(issues);
	free(mine_a);
	free(mine_b);
	free(merged);
}

/* Both replicas change line 5 offline; A syncs first, B meets a 409 that does not merge.
 * Sets f->mine_a, f->mine_b and f->n (B's issue number) and checks that nothing of B's
 * went to the server. */
static void
overlap(struct fixture *f)
{
	char *got, *issues = NULL;
	long id;

	f->mine_a = with_line(BASE_BODY, 5, "line 5 as replica A wants it");
	f->mine_b = with_line(BASE_BODY, 5, "line 5 as replica B wants it");
	edit(&f->a, f->item_id, f->mine_a);
	edit(&f->b, f->item_id, f->mine_b);
	sync_ok(&f->a);
	sync_refused(&f->b); /* meets a 409 that does not merge */
	got = server_body(f);
	assert_string_equal(got, f->mine_a); /* the first to sync wins on the server */
	free(got);
	/* Not a terminal: one issue a line, tab-separated, in words. */
	assert_int_equal(st_lectern(&f->b, NULL, &issues, "issues", NULL), 0);
	if (strstr(issues, "\tconflict\tLesson '") == NULL ||
	    strstr(issues, "\tchanged on the server since you edited it\t") == NULL)
		print_error("lectern issues printed:\n%s\n", issues);
	assert_non_null(strstr(issues, "\tconflict\tLesson '"));
	assert_non_null(strstr(issues, "\tchanged on the server since you edited it\t"));
	assert_null(strstr(issues, "/api/v1"));
	id = strtol(issues, NULL, 10);
	assert_true(id > 0);
	snprintf(f->n, sizeof(f->n), "%ld", id);
	free(issues);
}

static void
test_overlapping_offline_edits_end_as_a_conflict_keeping_both(void **state)
{
	struct fixture *f = *state;
	char *got, *show = NULL;
	bool pending;

	overlap(f);
	assert_int_equal(st_lectern(&f->b, NULL, &show, "issues", "show", f->n, NULL), 0);
	/* Each side's change as a line diff against the common base. */
	if (strstr(show, "Your change:\n") == NULL ||
	    strstr(show, "-line 5\n+line 5 as replica B wants it\n") == NULL ||
	    strstr(show, "-line 5\n+line 5 as replica A wants it\n") == NULL)
		print_error("lectern issues show printed:\n%s\n", show);
	assert_non_null(strstr(show, "-line 5\n+line 5 as replica B wants it\n"));
	assert_non_null(strstr(show, "The server's change:\n"));
	assert_non_null(strstr(show, "-line 5\n+line 5 as replica A wants it\n"));
	free(show);
	/* B's replica shows the server's version and has nothing left to push. */
	got = replica_body(&f->b, f->item_id, &pending);
	assert_string_equal(got, f->mine_a);
	assert_false(pending);
	free(got);
	/* Retry would overwrite A's line unasked: refused, nothing queued or sent. */
	assert_int_not_equal(st_lectern(&f->b, NULL, NULL, "issues", "retry", f->n, NULL), 0);
	sync_ok(&f->b);
	got = server_body(f);
	assert_string_equal(got, f->mine_a);
	free(got);
	assert_int_equal(st_lectern(&f->b, NULL, NULL, "sync", "--verify", NULL), 0);
}

static void
test_conflict_keep_mine_puts_mine_on_the_server(void **state)
{
	struct fixture *f = *state;
	char *got;
	bool pending;

	overlap(f);
	assert_int_equal(st_lectern(&f->b, NULL, NULL, "issues", "keep-mine", f->n, NULL), 0);
	sync_ok(&f->b);
	got = server_body(f);
	assert_string_equal(got, f->mine_b);
	free(got);
	sync_ok(&f->a);
	got = replica_body(&f->a, f->item_id, &pending);
	assert_string_equal(got, f->mine_b);
	assert_false(pending);
	free(got);
	assert_int_equal(st_lectern(&f->b, NULL, NULL, "sync", "--verify", NULL), 0);
}

static void
test_conflict_keep_theirs_leaves_the_server_as_it_is(void **state)
{
	struct fixture *f = *state;
	char *got, *issues = NULL;
	bool pending;
	int64_t rev_before, rev_after;
	cJSON *item;

	overlap(f);
	item = st_api_get(&f->w.instructor, "/items/%s", f->item_id);
	rev_before = (int64_t)cJSON_GetObjectItem(item, "rev")->valuedouble;
	cJSON_Delete(item);
	assert_int_equal(st_lectern(&f->b, NULL, NULL, "issues", "keep-theirs", f->n, NULL), 0);
	sync_ok(&f->b);
	item = st_api_get(&f->w.instructor, "/items/%s", f->item_id);
	rev_after = (int64_t)cJSON_GetObjectItem(item, "rev")->valuedouble;
	cJSON_Delete(item);
	assert_int_equal(rev_after, rev_before); /* nothing was sent */
	got = server_body(f);
	assert_string_equal(got, f->mine_a);
	free(got);
	got = replica_body(&f->b, f->item_id, &pending);
	assert_string_equal(got, f->mine_a);
	assert_false(pending);
	free(got);
	assert_int_equal(st_lectern(&f->b, NULL, &issues, "issues", NULL), 0);
	assert_string_equal(issues, "");
	free(issues);
}

static void
test_conflict_merge_puts_the_edited_merge_on_the_server(void **state)
{
	struct fixture *f = *state;
	char *merged = with_line(BASE_BODY, 5, "line 5 as both want it");
	char *got, *marked = NULL;

	overlap(f);
	assert_int_equal(st_lectern(&f->b, NULL, &marked, "issues", "show", f->n, "--marked", NULL),
	                 0);
	if (strstr(marked, "<<<<<<< yours\nline 5 as replica B wants it\n=======\n"
	                   "line 5 as replica A wants it\n>>>>>>> server's\n") == NULL)
		print_error("issues show --marked printed:\n%s\n", marked);
	assert_non_null(strstr(marked, "<<<<<<< yours\nline 5 as replica B wants it\n=======\n"
	                               "line 5 as replica A wants it\n>>>>>>> server's\n"));
	/* The merge as printed still holds markers: refused, the issue stays. */
	assert_int_not_equal(st_lectern(&f->b, marked, NULL, "issues", "merge", f->n, NULL), 0);
	free(marked);
	assert_int_equal(st_lectern(&f->b, merged, NULL, "issues", "merge", f->n, NULL), 0);
	sync_ok(&f->b);
	got = server_body(f);
	assert_string_equal(got, merged);
	free(got);
	assert_int_equal(st_lectern(&f->b, NULL, NULL, "sync", "--verify", NULL), 0);
	free(merged);
}

/* True when text holds a control character but newline and tab, or ESC / C1 (UTF-8 C2 80-9F). */
static bool
has_controls(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return true;
	return false;
}

/* Issue 11 (the command line): what came from the server is printed without control
 * characters (security review 2026-11-29, M3), here a title holding escape sequences. */
static void
test_issues_print_server_text_without_control_characters(void **state)
{
	struct fixture *f = *state;
	char *mine_b = with_line(BASE_BODY, 5, "line 5 as replica B wants it");
	char *theirs = with_line(BASE_BODY, 5, "line 5 as the server has it");
	cJSON *body = cJSON_CreateObject();
	char path[128], *json, *list = NULL, *show = NULL, n[16];

	edit(&f->b, f->item_id, mine_b);
	cJSON_AddStringToObject(body, "title",
	                        "Evil \x1b]0;pwned\x07 title \xc2\x9b"
	                        "31m");
	cJSON_AddStringToObject(body, "body", theirs);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	snprintf(path, sizeof(path), "/items/%s", f->item_id);
	assert_int_equal(st_api_call(&f->w.instructor, "PATCH", path, json, NULL), 200);
	free(json);
	sync_refused(&f->b);
	assert_int_equal(st_lectern(&f->b, NULL, &list, "issues", NULL), 0);
	assert_non_null(strstr(list, "Lesson 'Evil ?]0;pwned? title ?31m'"));
	assert_false(has_controls(list));
	snprintf(n, sizeof(n), "%ld", strtol(list, NULL, 10));
	assert_int_equal(st_lectern(&f->b, NULL, &show, "issues", "show", n, NULL), 0);
	assert_non_null(strstr(show, "+line 5 as the server has it"));
	assert_false(has_controls(show));
	free(list);
	free(show);
	free(mine_b);
	free(theirs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_disjoint_offline_edits_merge_on_both_replicas,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_overlapping_offline_edits_end_as_a_conflict_keeping_both, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_conflict_keep_mine_puts_mine_on_the_server, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_conflict_keep_theirs_leaves_the_server_as_it_is,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_conflict_merge_puts_the_edited_merge_on_the_server,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_issues_print_server_text_without_control_characters, setup, teardown),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("sync-edits", tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
