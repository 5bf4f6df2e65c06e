/* SPDX-License-Identifier: MIT */
/*
 * The TUI's reads that issue 10 made cheap on a large replica (perf review 2026-11-29, "TUI
 * start on a large replica"; issue 10: first frame under 50 ms and every key within 16 ms
 * at 200,000 rows): a course's percent complete, the items due soon on Home, and whether
 * the user is enrolled in a course. Each is checked against the way the TUI read the same
 * thing before (every item of every course through store_resource_list(), kept here as the
 * reference), and the new statements' query plans against walking the replica. Runs on a
 * real replica, without a terminal or a server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/tui-int.h"
#include "tui-test-app.h"

#define ME "a0000000-0000-4000-8000-000000000001"
#define PEER "a0000000-0000-4000-8000-000000000002"
#define C1 "c0000000-0000-4000-8000-000000000001"
#define C2 "c0000000-0000-4000-8000-000000000002"
#define C3 "c0000000-0000-4000-8000-000000000003" /* not enrolled */
#define DAY (24 * 3600)
#define WINDOW (14 * DAY)

struct fixture {
	struct tui_test_app t; /* first: tui_test_app_teardown() frees the fixture */
	int64_t now;
};

static void
apply(struct store_db *db, const char *scope, const char *type, const char *id, const char *doc)
{
	struct store_change ch = {.scope = scope, .type = type, .id = id, .rev = 1, .doc = doc};

	assert_int_equal(store_apply_change(db, &ch), 0);
}

static void
delete_row(struct store_db *db, const char *scope, const char *type, const char *id)
{
	struct store_change ch = {
	    .scope = scope, .type = type, .id = id, .rev = 2, .deleted = true};

	assert_int_equal(store_apply_change(db, &ch), 0);
}

/* "course:<course>" */
static char *
scope_of(const char *course)
{
	return lc_asprintf("course:%s", course);
}

static void
add_module(struct fixture *f, const char *course, const char *id, int pos)
{
	char *scope = scope_of(course);
	char *doc =
	    lc_asprintf("{\"id\":\"%s\",\"course_id\":\"%s\",\"title\":\"M\",\"position\":%d}", id,
	                course, pos);

	apply(f->t.app.db, scope, "module", id, doc);
	free(doc);
	free(scope);
}

/*
 * An item of module in course; due_in is seconds from now (INT64_MIN: no due_at), required
 * is "true", "false" or NULL (missing), done adds a completed progress record by whom.
 */
static void
add_item(struct fixture *f, const char *course, const char *module, const char *id, int pos,
         int64_t due_in, const char *required, const char *done_by)
{
	char *scope = scope_of(course), due[64] = "", req[32] = "";
	char *doc;

	if (due_in != INT64_MIN) {
		char at[LC_RFC3339_LEN + 1];

		lc_rfc3339(f->now + due_in, at);
		snprintf(due, sizeof(due), ",\"due_at\":\"%s\"", at);
	}
	if (required != NULL)
		snprintf(req, sizeof(req), ",\"required\":%s", required);
	doc = lc_asprintf("{\"id\":\"%s\",\"module_id\":\"%s\",\"course_id\":\"%s\",\"title\":"
	                  "\"Item %d\",\"kind\":\"page\",\"position\":%d%s%s}",
	                  id, module, course, pos, pos, due, req);
	apply(f->t.app.db, scope, "item", id, doc);
	free(doc);
	if (done_by != NULL) {
		char pid[64];

		snprintf(pid, sizeof(pid), "p%s", id + 1);
		doc = lc_asprintf("{\"id\":\"%s\",\"item_id\":\"%s\",\"user_id\":\"%s\","
		                  "\"status\":\"completed\"}",
		                  pid, id, done_by);
		apply(f->t.app.db, "user", "progress", pid, doc);
		free(doc);
	}
	free(scope);
}

static void
enroll(struct fixture *f, const char *id, const char *course, const char *user)
{
	char *doc = lc_asprintf("{\"id\":\"%s\",\"course_id\":\"%s\",\"user_id\":\"%s\"}", id,
	                        course, user);

	apply(f->t.app.db, "user", "enrollment", id, doc);
	free(doc);
}

/*
 * C1: two modules; items required, not required and without the key; some completed by me,
 * one by a peer; one deleted; one also in a second scope. C2: one module. C3 (not
 * enrolled): one module with items due soon. Due times are distinct, some outside the
 * window, one unparsable.
 */
static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));
	char *doc;

	tui_test_app_open(&f->t, "tui-data", ME);
	f->now = lc_now();

	add_module(f, C1, "d1000000-0000-4000-8000-000000000001", 2);
	add_module(f, C1, "d1000000-0000-4000-8000-000000000002", 1);
	add_item(f, C1, "d1000000-0000-4000-8000-000000000001",
	         "e1000000-0000-4000-8000-000000000001", 1, 3 * DAY, "true", ME);
	add_item(f, C1, "d1000000-0000-4000-8000-000000000001",
	         "e1000000-0000-4000-8000-000000000002", 2, 2 * DAY, NULL, NULL);
	add_item(f, C1, "d1000000-0000-4000-8000-000000000001",
	         "e1000000-0000-4000-8000-000000000003", 3, -2 * DAY, "false", NULL);
	add_item(f, C1, "d1000000-0000-4000-8000-000000000001",
	         "e1000000-0000-4000-8000-000000000004", 4, 20 * DAY, "true", NULL);
	add_item(f, C1, "d1000000-0000-4000-8000-000000000002",
	         "e1000000-0000-4000-8000-000000000005", 1, DAY + 7, NULL, PEER);
	add_item(f, C1, "d1000000-0000-4000-8000-000000000002",
	         "e1000000-0000-4000-8000-000000000006", 2, INT64_MIN, "true", ME);
	add_item(f, C1, "d1000000-0000-4000-8000-000000000002",
	         "e1000000-0000-4000-8000-000000000007", 3, 5 * DAY, "true", NULL);
	delete_row(f->t.app.db, "course:" C1, "item", "e1000000-0000-4000-8000-000000000007");
	add_item(f, C1, "d1000000-0000-4000-8000-000000000002",
	         "e1000000-0000-4000-8000-000000000008", 4, 6 * 3600, NULL, NULL);
	/* The same item kept in a second scope (as a staff member's replica may). */
	doc = lc_asprintf("{\"id\":\"e1000000-0000-4000-8000-000000000008\",\"module_id\":"
	                  "\"d1000000-0000-4000-8000-000000000002\",\"title\":\"Item 4\","
	                  "\"position\":4,\"due_at\":\"%s\"}",
	                  "2000-01-01T00:00:00Z");
	apply(f->t.app.db, "catalog", "item", "e1000000-0000-4000-8000-000000000008", doc);
	free(doc);
	add_item(f, C1, "d1000000-0000-4000-8000-000000000002",
	         "e1000000-0000-4000-8000-000000000009", 5, 4 * DAY, "true", NULL);
	/* An unparsable due_at that still sorts inside the window's text range. */
	doc = lc_strdup("{\"id\":\"e1000000-0000-4000-8000-00000000000a\",\"module_id\":"
	                "\"d1000000-0000-4000-8000-000000000002\",\"title\":\"Bad\","
	                "\"position\":6,\"due_at\":\"2026-1\"}");
	apply(f->t.app.db, "course:" C1, "item", "e1000000-0000-4000-8000-00000000000a", doc);
	free(doc);

	/* A record without a user_id (it counts), only started. */
	apply(f->t.app.db, "user", "progress", "90000000-0000-4000-8000-000000000001",
	      "{\"id\":\"90000000-0000-4000-8000-000000000001\",\"item_id\":"
	      "\"e1000000-0000-4000-8000-000000000002\",\"status\":\"started\"}");

	add_module(f, C2, "d2000000-0000-4000-8000-000000000001", 1);
	for (int i = 0; i < 6; i++) {
		char id[64];

		snprintf(id, sizeof(id), "e2000000-0000-4000-8000-00000000000%d", i + 1);
		add_item(f, C2, "d2000000-0000-4000-8000-000000000001", id, i + 1,
		         (int64_t)(i * 2 + 1) * 3600 * 10 - 3 * DAY, i == 2 ? "false" : NULL,
		         i == 4 ? ME : NULL);
	}
	add_module(f, C3, "d3000000-0000-4000-8000-000000000001", 1);
	add_item(f, C3, "d3000000-0000-4000-8000-000000000001",
	         "e3000000-0000-4000-8000-000000000001", 1, 3600, NULL, NULL);

	enroll(f, "f0000000-0000-4000-8000-000000000001", C1, ME);
	enroll(f, "f0000000-0000-4000-8000-000000000002", C2, ME);
	enroll(f, "f0000000-0000-4000-8000-000000000003", C3, PEER);
	*state = f;
	return 0;
}

/*
 * An item's progress as the TUI's cache had it before: every progress record of the
 * replica through store_resource_list() (overlays first), this user's or nobody's, the
 * furthest status.
 */
static int
progress_by_scanning(struct tui_app *app, const char *item_id)
{
	struct store_resource_list list = {0};
	int best = 0;

	assert_int_equal(
	    store_resource_list(app->db, "progress", NULL, NULL, STORE_ORDER_CREATED, &list), 0);
	for (size_t i = 0; i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);
		const char *st = tui_json_str(doc, "status"), *uid = tui_json_str(doc, "user_id");
		int status = strcmp(st, "completed") == 0 ? 2 : strcmp(st, "started") == 0;

		if ((app->user_id == NULL || *uid == '\0' || strcmp(uid, app->user_id) == 0) &&
		    strcmp(tui_json_str(doc, "item_id"), item_id) == 0 && status > best)
			best = status;
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	return best;
}

/* The percent as the TUI counted it before: every item through tui_course_items(). */
static int
percent_by_scanning(struct tui_app *app, const char *course_id)
{
	struct store_resource_list items = {0};
	int total = 0, done = 0, req_total = 0, req_done = 0;

	assert_int_equal(tui_course_items(app, course_id, &items), 0);
	for (size_t i = 0; i < items.n; i++) {
		cJSON *doc = cJSON_Parse(items.items[i].doc);
		bool required = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "required"));
		bool completed = progress_by_scanning(app, items.items[i].id) == 2;

		assert_int_equal(tui_item_progress(app, items.items[i].id),
		                 progress_by_scanning(app, items.items[i].id));

		total++;
		done += completed;
		if (required) {
			req_total++;
			req_done += completed;
		}
		cJSON_Delete(doc);
	}
	store_resource_list_free(&items);
	if (req_total > 0)
		return req_done * 100 / req_total;
	return total > 0 ? done * 100 / total : 0;
}

static void
test_course_percent_counts_what_scanning_every_item_counted(void **state)
{
	struct fixture *f = *state;

	/* C1: 9 live items, required all but e..3; completed by me: e..1 and e..6 (of 8). */
	assert_int_equal(tui_course_percent(&f->t.app, C1), 2 * 100 / 8);
	assert_int_equal(tui_course_percent(&f->t.app, C1), percent_by_scanning(&f->t.app, C1));
	assert_int_equal(tui_course_percent(&f->t.app, C2), percent_by_scanning(&f->t.app, C2));
	assert_int_equal(tui_course_percent(&f->t.app, C3), percent_by_scanning(&f->t.app, C3));
	assert_int_equal(tui_course_percent(&f->t.app, "no-such-course"), 0);
	/* A local "completed" not yet sent (an overlay) counts at once. */
	assert_int_equal(
	    tui_write_progress(&f->t.app, "e1000000-0000-4000-8000-000000000009", C1, "completed"),
	    0);
	assert_int_equal(tui_course_percent(&f->t.app, C1), 3 * 100 / 8);
	assert_int_equal(tui_course_percent(&f->t.app, C1), percent_by_scanning(&f->t.app, C1));
	/* Nobody logged in: every record counts, the peer's too. */
	free(f->t.app.user_id);
	f->t.app.user_id = NULL;
	assert_int_equal(tui_course_percent(&f->t.app, C1), percent_by_scanning(&f->t.app, C1));
	assert_int_equal(tui_course_percent(&f->t.app, C2), percent_by_scanning(&f->t.app, C2));
}

#define C4 "c0000000-0000-4000-8000-000000000004"
#define M4 "d4000000-0000-4000-8000-000000000001"
#define I4(n) "e4000000-0000-4000-8000-00000000000" #n

/* An item of C4 with the JSON members extra (after "position"). */
static void
add_item4(struct fixture *f, const char *id, int pos, const char *extra)
{
	char *doc = lc_asprintf("{\"id\":\"%s\",\"module_id\":\"" M4 "\",\"course_id\":\"" C4
	                        "\",\"title\":\"Item %d\",\"kind\":\"page\",\"position\":%d%s}",
	                        id, pos, pos, extra);

	apply(f->t.app.db, "course:" C4, "item", id, doc);
	free(doc);
}

/* A progress record of item (NULL user: no user_id member), server row or overlay. */
static void
add_progress4(struct fixture *f, const char *pid, const char *item, const char *user,
              const char *status, bool local)
{
	char *user_member = user != NULL ? lc_asprintf(",\"user_id\":\"%s\"", user) : lc_strdup("");
	char *doc = lc_asprintf("{\"id\":\"%s\",\"item_id\":\"%s\",\"course_id\":\"" C4
	                        "\"%s,\"status\":\"%s\"}",
	                        pid, item, user_member, status);
	struct store_write w = {.method = "POST",
	                        .path = "/api/v1/progress",
	                        .body = doc,
	                        .type = "progress",
	                        .id = pid,
	                        .scope = "user",
	                        .doc = doc};

	if (local)
		assert_int_equal(store_local_write(f->t.app.db, &w, NULL), 0);
	else
		apply(f->t.app.db, "user", "progress", pid, doc);
	free(doc);
	free(user_member);
}

/*
 * tui_course_percent() reads "required" as JSON only from an item doc whose text holds
 * "false", and asks whether one counting record says "completed" instead of taking the
 * furthest status (issue 10, Home's first frame at 200,000 rows). Pinned against the
 * reference on what those shortcuts could get wrong: "false" elsewhere in a doc (another
 * member, a nested "required", the words in a body), a local record hiding the server's
 * (a started one, a pending delete), local and server records of another user, and a
 * record without a user_id.
 */
static void
test_course_percent_same_with_false_elsewhere_and_local_records(void **state)
{
	struct fixture *f = *state;
	struct store_write del = {.method = "DELETE",
	                          .path = "/api/v1/progress/p4000000-0000-4000-8000-000000000005",
	                          .type = "progress",
	                          .id = "p4000000-0000-4000-8000-000000000005",
	                          .scope = "user",
	                          .is_delete = true};

	add_module(f, C4, M4, 1);
	/* Required: false elsewhere only. */
	add_item4(f, I4(1), 1, ",\"shuffle\":false,\"body\":\"true or false\"");
	add_item4(f, I4(2), 2, ",\"meta\":{\"required\":false},\"required\":true");
	add_item4(f, I4(3), 3, ",\"body\":\"say \\\"required\\\":false\"");
	add_item4(f, I4(4), 4, "");
	add_item4(f, I4(5), 5, ",\"required\":true");
	/* Not required. */
	add_item4(f, I4(6), 6, ",\"required\":false");
	add_item4(f, I4(7), 7, ",\"required\" : false ");

	/* I4(1): completed on the server, but my local record says started: not completed. */
	add_progress4(f, "p4000000-0000-4000-8000-000000000001", I4(1), ME, "completed", false);
	add_progress4(f, "p4000000-0000-4000-8000-000000000001", I4(1), ME, "started", true);
	/* I4(2): a peer's completed, on the server and local: not mine. */
	add_progress4(f, "p4000000-0000-4000-8000-000000000002", I4(2), PEER, "completed", false);
	add_progress4(f, "p4000000-0000-4000-8000-000000000003", I4(2), PEER, "completed", true);
	/* I4(3): mine started, and one without a user_id completed: completed. */
	add_progress4(f, "p4000000-0000-4000-8000-000000000004", I4(3), ME, "started", false);
	add_progress4(f, "p4000000-0000-4000-8000-00000000000a", I4(3), NULL, "completed", false);
	/* I4(4): completed on the server, deleted locally (not yet sent): not completed. */
	add_progress4(f, "p4000000-0000-4000-8000-000000000005", I4(4), ME, "completed", false);
	assert_int_equal(store_local_write(f->t.app.db, &del, NULL), 0);
	/* I4(5): completed locally only. I4(6): completed on the server (not required). */
	add_progress4(f, "p4000000-0000-4000-8000-000000000006", I4(5), ME, "completed", true);
	add_progress4(f, "p4000000-0000-4000-8000-000000000007", I4(6), ME, "completed", false);

	/* 5 required, of which I4(3) and I4(5) completed. */
	assert_int_equal(tui_course_percent(&f->t.app, C4), 2 * 100 / 5);
	assert_int_equal(tui_course_percent(&f->t.app, C4), percent_by_scanning(&f->t.app, C4));
	/* Nobody logged in: the peer's records count too (I4(2)). */
	free(f->t.app.user_id);
	f->t.app.user_id = NULL;
	assert_int_equal(tui_course_percent(&f->t.app, C4), 3 * 100 / 5);
	assert_int_equal(tui_course_percent(&f->t.app, C4), percent_by_scanning(&f->t.app, C4));
}

struct due_ref {
	int64_t at;
	const char *id, *course;
};

static int
due_ref_cmp(const void *a, const void *b)
{
	const struct due_ref *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Home's due list as it was made before: every item of every enrolled course, sorted. */
static size_t
due_by_scanning(struct fixture *f, const char *const *courses, size_t n_courses,
                struct due_ref *out, size_t max, struct store_resource_list *keep)
{
	size_t n = 0;

	for (size_t c = 0; c < n_courses; c++) {
		assert_int_equal(tui_course_items(&f->t.app, courses[c], &keep[c]), 0);
		for (size_t i = 0; i < keep[c].n; i++) {
			cJSON *doc = cJSON_Parse(keep[c].items[i].doc);
			int64_t at = 0;

			if (progress_by_scanning(&f->t.app, keep[c].items[i].id) != 2 &&
			    lc_rfc3339_parse(tui_json_str(doc, "due_at"), &at) == 0 &&
			    at - f->now < WINDOW && at - f->now > -WINDOW)
				out[n++] = (struct due_ref){at, keep[c].items[i].id, courses[c]};
			cJSON_Delete(doc);
		}
	}
	qsort(out, n, sizeof(*out), due_ref_cmp);
	return n < max ? n : max;
}

static void
check_due(struct fixture *f, size_t max, size_t want_n)
{
	char *courses[] = {C1, C2}; /* sorted */
	const char *const ref_courses[] = {C1, C2};
	struct store_resource_list keep[2] = {0};
	struct due_ref ref[64];
	struct tui_due *due = NULL;
	size_t n = 0, n_ref = due_by_scanning(f, ref_courses, 2, ref, max, keep);

	assert_int_equal(tui_due_soon(&f->t.app, courses, 2, f->now, WINDOW, max, &due, &n), 0);
	assert_int_equal(n, want_n);
	assert_int_equal(n, n_ref);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(due[i].item_id, ref[i].id);
		assert_string_equal(due[i].course_id, ref[i].course);
		assert_int_equal(due[i].at, ref[i].at);
		assert_non_null(due[i].title);
	}
	tui_due_free(due, n);
	store_resource_list_free(&keep[0]);
	store_resource_list_free(&keep[1]);
}

static void
test_due_soon_lists_what_scanning_every_course_listed(void **state)
{
	struct fixture *f = *state;

	/*
	 * Within two weeks, not completed by me, of C1 and C2: C1 has e..2, e..3, e..5 (the
	 * peer's progress does not count), e..8 (once) and e..9; C2 five of six. Not C3's.
	 */
	check_due(f, 100, 10);
	check_due(f, 8, 8);
	check_due(f, 3, 3);
}

/* The plan of the connection's prepared statement whose text holds marker, as one string. */
static char *
plan_of(struct fixture *f, const char *marker)
{
	sqlite3 *h = store_db_handle(f->t.app.db);
	sqlite3_stmt *s, *plan;
	const char *sql = NULL;
	struct lc_buf out = {0};
	int rc;

	for (s = sqlite3_next_stmt(h, NULL); s != NULL; s = sqlite3_next_stmt(h, s))
		if (strstr(sqlite3_sql(s), marker) != NULL)
			sql = sqlite3_sql(s);
	assert_non_null(sql);
	char *explain = lc_asprintf("EXPLAIN QUERY PLAN %s", sql);

	assert_int_equal(sqlite3_prepare_v2(h, explain, -1, &plan, NULL), SQLITE_OK);
	while ((rc = sqlite3_step(plan)) == SQLITE_ROW)
		lc_buf_printf(&out, "%s\n", (const char *)sqlite3_column_text(plan, 3));
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(plan);
	free(explain);
	return lc_buf_steal(&out);
}

/*
 * The percent reads the course's modules, then each module's items, then each item's
 * progress, by (type, parent_id): left to itself the planner walked every item of the
 * replica for each course.
 */
static void
test_course_percent_reads_one_course_by_index(void **state)
{
	struct fixture *f = *state;
	char *plan;

	tui_course_percent(&f->t.app, C1);
	plan = plan_of(f, "json_type(i.doc, '$.required')");
	assert_non_null(strstr(plan, "SEARCH m USING INDEX"));
	assert_non_null(strstr(plan, "SEARCH i USING INDEX"));
	assert_true(strstr(plan, "SEARCH m USING INDEX") < strstr(plan, "SEARCH i USING INDEX"));
	assert_non_null(strstr(strstr(plan, "SEARCH i USING INDEX"), "(type=? AND parent_id=?)"));
	/* Each item's progress records by (type, parent_id) too. */
	assert_non_null(strstr(plan, "SEARCH r USING INDEX"));
	assert_non_null(strstr(strstr(plan, "SEARCH r USING INDEX"), "(type=? AND parent_id=?)"));
	/* The local records of one item, not every local progress record for each item. */
	assert_non_null(
	    strstr(plan, "SEARCH o USING INDEX overlays_children (type=? AND parent_id=?)"));
	assert_null(strstr(plan, "SEARCH o USING PRIMARY KEY (type=?)"));
	assert_null(strstr(plan, "SCAN"));
	assert_null(strstr(plan, "resources_by_id"));
	free(plan);
}

/*
 * The due list walks resources_due in due_at order, so it stops after the first few
 * items: no sort, no walk over every item.
 */
static void
test_due_soon_reads_items_in_due_order_by_index(void **state)
{
	struct fixture *f = *state;
	char *courses[] = {C1, C2}, *plan;
	struct tui_due *due = NULL;
	size_t n = 0;

	assert_int_equal(tui_due_soon(&f->t.app, courses, 2, f->now, WINDOW, 8, &due, &n), 0);
	tui_due_free(due, n);
	plan = plan_of(f, "BETWEEN ?1 AND ?2");
	assert_non_null(strstr(plan, "SEARCH i USING INDEX resources_due"));
	assert_null(strstr(plan, "TEMP B-TREE"));
	assert_null(strstr(plan, "SCAN"));
	free(plan);
}

/* Catalog courses: titles that sort apart only without case, a deleted one, overlays. */
static void
add_catalog(struct fixture *f)
{
	static const char *const titles[] = {"beta", "Alpha", "alpha", "Gamma", "delta"};
	char id[64], *doc;
	struct store_write w = {
	    .method = "PATCH", .path = "/x", .type = "course", .scope = "catalog"};

	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "c9000000-0000-4000-8000-00000000000%d", i + 1);
		doc = lc_asprintf("{\"id\":\"%s\",\"title\":\"%s\"}", id, titles[i]);
		apply(f->t.app.db, "catalog", "course", id, doc);
		free(doc);
	}
	delete_row(f->t.app.db, "catalog", "course", "c9000000-0000-4000-8000-000000000004");
	/* In a course scope only: not in the catalog. */
	apply(f->t.app.db, "course:" C1, "course", C1,
	      "{\"id\":\"" C1 "\",\"title\":\"Aardvark\"}");
	/* A local change of a catalog course, and a local course of its own. */
	w.id = "c9000000-0000-4000-8000-000000000005";
	w.doc = "{\"id\":\"c9000000-0000-4000-8000-000000000005\",\"title\":\"Epsilon\"}";
	assert_int_equal(store_local_write(f->t.app.db, &w, NULL), 0);
	w.id = "c9000000-0000-4000-8000-000000000006";
	w.doc = "{\"id\":\"c9000000-0000-4000-8000-000000000006\",\"title\":\"ALPHA\"}";
	assert_int_equal(store_local_write(f->t.app.db, &w, NULL), 0);
}

static void
test_catalog_lists_what_the_generic_list_listed(void **state)
{
	struct fixture *f = *state;
	struct store_resource_list got = {0}, want = {0};

	add_catalog(f);
	assert_int_equal(tui_catalog_courses(&f->t.app, &got), 0);
	assert_int_equal(
	    store_resource_list(f->t.app.db, "course", NULL, "catalog", STORE_ORDER_TITLE, &want),
	    0);
	/* Alpha, alpha, ALPHA (local), beta, Epsilon (local): no Gamma, no Aardvark. */
	assert_int_equal(got.n, 5);
	assert_int_equal(got.n, want.n);
	for (size_t i = 0; i < got.n; i++) {
		assert_string_equal(got.items[i].id, want.items[i].id);
		assert_string_equal(got.items[i].doc, want.items[i].doc);
		assert_int_equal(got.items[i].pending, want.items[i].pending);
	}
	assert_string_equal(got.items[4].id, "c9000000-0000-4000-8000-000000000005");
	assert_true(got.items[4].pending);
	store_resource_list_free(&got);
	store_resource_list_free(&want);
}

/*
 * The catalog reads its courses along the primary key's (scope, type) range, not through
 * an index of every course with a look-up per row.
 */
static void
test_catalog_reads_the_catalog_scope_by_primary_key(void **state)
{
	struct fixture *f = *state;
	struct store_resource_list got = {0};
	char *plan;

	add_catalog(f);
	assert_int_equal(tui_catalog_courses(&f->t.app, &got), 0);
	store_resource_list_free(&got);
	plan = plan_of(f, "r.scope = 'catalog'");
	assert_non_null(strstr(plan, "SEARCH r USING PRIMARY KEY (scope=? AND type=?)"));
	assert_null(strstr(plan, "SCAN r"));
	assert_null(strstr(plan, "resources_created"));
	free(plan);
}

/* Whether I am enrolled, as the TUI asked it before: the course's enrollments, one query. */
static bool
enrolled_by_query(struct fixture *f, const char *course)
{
	struct store_resource_list list = {0};
	bool found = false;

	assert_int_equal(store_resource_list(f->t.app.db, "enrollment", course, NULL,
	                                     STORE_ORDER_CREATED, &list),
	                 0);
	for (size_t i = 0; i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);

		found = found || strcmp(tui_json_str(doc, "user_id"), ME) == 0;
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	return found;
}

static void
test_enrolled_answers_as_the_per_course_query_did(void **state)
{
	struct fixture *f = *state;
	const char *courses[] = {C1, C2, C3, "no-such-course"};
	const bool want[] = {true, true, false, false};

	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(tui_is_enrolled(&f->t.app, courses[i]), want[i]);
		assert_int_equal(tui_is_enrolled(&f->t.app, courses[i]),
		                 enrolled_by_query(f, courses[i]));
	}
	/* A queued enrollment counts at once: the write forgets the cached answer. */
	assert_int_equal(tui_write_enroll(&f->t.app, C3), 0);
	assert_true(tui_is_enrolled(&f->t.app, C3));
	assert_true(enrolled_by_query(f, C3));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tui_test_app_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_course_percent_counts_what_scanning_every_item_counted),
	    T(test_course_percent_same_with_false_elsewhere_and_local_records),
	    T(test_due_soon_lists_what_scanning_every_course_listed),
	    T(test_course_percent_reads_one_course_by_index),
	    T(test_due_soon_reads_items_in_due_order_by_index),
	    T(test_enrolled_answers_as_the_per_course_query_did),
	    T(test_catalog_lists_what_the_generic_list_listed),
	    T(test_catalog_reads_the_catalog_scope_by_primary_key),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
