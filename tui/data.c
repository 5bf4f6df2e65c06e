/* SPDX-License-Identifier: MIT */
/*
 * What the views read from docs and every write the TUI makes. A write is the REST request
 * of the wire contract with a client-made UUID in its body, recorded with its optimistic doc
 * through store_local_write() (overlay and outbox entry in one transaction), after which the
 * sync engine is asked to run. The screen shows the write at once, marked as not yet sent.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica.h"
#include "tui/tui-int.h"

const char *
tui_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : "";
}

double
tui_json_num(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

bool
tui_json_bool(const cJSON *obj, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

void
tui_md_escape(struct lc_buf *buf, const char *text)
{
	for (const char *p = text ? text : ""; *p != '\0'; p++) {
		if (strchr("\\`*_{}[]()#+-.!<>|~", *p) != NULL)
			lc_buf_putc(buf, '\\');
		lc_buf_putc(buf, *p == '\n' ? ' ' : *p);
	}
}

/* True when the replica holds item_id as a quiz. */
static bool
item_is_quiz(struct tui_app *app, const char *item_id)
{
	struct store_resource res = {0};
	bool quiz = false;

	if (store_resource_get(app->db, "item", item_id, &res) == 0) {
		cJSON *doc = cJSON_Parse(res.doc);

		quiz = tui_kind_completes_by_attempt(tui_json_str(doc, "kind"));
		cJSON_Delete(doc);
		store_resource_finish(&res);
	}
	return quiz;
}

void
tui_open_item(struct tui_app *app, const char *item_id)
{
	tui_push(app, item_is_quiz(app, item_id) ? &tui_view_quiz : &tui_view_reader, item_id);
}

/*
 * The furthest status (2 completed, 1 started, 0 none) of the user's progress records for
 * the item named by the SQL expression `item`: the server's rows not hidden by an overlay,
 * and live overlays (a local "completed" not yet sent). Another user's record does not
 * count; one without a user_id (text) does, and every record does when nobody is logged
 * in (?9 NULL). Read through (type, parent_id) per item: Home used to load every progress
 * record of the replica (16,000 at 200,000 rows, 0.4 s) to show 20 courses.
 */
#define ITEM_STATUS(item)                                                                          \
	"(SELECT coalesce(max(CASE json_extract(p.doc, '$.status') WHEN 'completed' THEN 2"        \
	" WHEN 'started' THEN 1 ELSE 0 END), 0) FROM ("                                            \
	" SELECT r.doc FROM resources r WHERE r.type = 'progress' AND r.parent_id = " item         \
	" AND r.deleted = 0"                                                                       \
	" AND NOT EXISTS (SELECT 1 FROM overlays o WHERE o.type = 'progress' AND o.id = r.id)"     \
	" UNION ALL SELECT o.doc FROM overlays o WHERE o.type = 'progress' AND o.parent_id "       \
	"= " item " AND o.deleted = 0) p"                                                          \
	" WHERE ?9 IS NULL OR json_type(p.doc, '$.user_id') IS NOT 'text'"                         \
	" OR json_extract(p.doc, '$.user_id') IN ('', ?9))"

int
tui_item_progress(struct tui_app *app, const char *item_id)
{
	sqlite3_stmt *stmt;
	int status = 0, rc;

	if (item_id == NULL || store_db_stmt(app->db, "SELECT " ITEM_STATUS("?1"), &stmt) != 0)
		return 0;
	store_bind_text(stmt, 1, item_id);
	store_bind_text(stmt, 9, app->user_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		status = sqlite3_column_int(stmt, 0);
	else
		lc_log(LC_LOG_ERROR, "tui: item progress: %s",
		       sqlite3_errmsg(store_db_handle(app->db)));
	sqlite3_reset(stmt);
	return status;
}

int
tui_course_items(struct tui_app *app, const char *course_id, struct store_resource_list *out)
{
	struct store_resource_list mods = {0};
	size_t cap = 0;
	int rc;

	out->items = NULL;
	out->n = 0;
	rc = store_resource_list(app->db, "module", course_id, NULL, STORE_ORDER_POSITION, &mods);
	for (size_t m = 0; rc == 0 && m < mods.n; m++) {
		struct store_resource_list items = {0};

		rc = store_resource_list(app->db, "item", mods.items[m].id, NULL,
		                         STORE_ORDER_POSITION, &items);
		if (rc < 0)
			break;
		if (out->n + items.n > cap) {
			cap = (out->n + items.n) * 2;
			out->items = lc_realloc(out->items, cap * sizeof(*out->items));
		}
		/* The strings move over; the emptied list only frees its array. */
		if (items.n > 0)
			memcpy(out->items + out->n, items.items, items.n * sizeof(*items.items));
		out->n += items.n;
		free(items.items);
	}
	store_resource_list_free(&mods);
	if (rc < 0)
		store_resource_list_free(out);
	return rc;
}

/* Whether a progress doc d counts for the user ?9 (as in ITEM_STATUS). */
#define PROGRESS_COUNTS(d)                                                                         \
	"(?9 IS NULL OR json_type(" d ", '$.user_id') IS NOT 'text'"                               \
	" OR json_extract(" d ", '$.user_id') IN ('', ?9))"

/*
 * The course's live items, each once (a row may sit in several scopes), with whether it is
 * required (unless "required" is false) and whether it is completed (ITEM_STATUS is 2).
 * Modules and items are the server's content: a learner's replica holds no overlays of
 * them, so the server rows are what the reader sees; staff's pending deletes (an overlay
 * marked deleted, of the item or of its module) hide them at once. CROSS JOIN keeps the
 * modules outside:
 * left to itself the planner walked every item of the replica (resources_by_id on type
 * alone) for each course.
 *
 * Home draws about 20 of these at start (1,600 items at 200,000 rows), so every item's
 * cost counts (issue 10, first frame under 50 ms). The percent needs only "completed", so
 * each item asks whether one counting record says so (EXISTS stops at the first) instead
 * of taking the furthest status through a compound subquery; the overlay's index
 * (overlays_children) finds the local records of an item rather than every local progress
 * record per item. And a doc whose text holds no "false" cannot have "required": false,
 * so only those docs are parsed as JSON (docs are valid JSON: store_replica_doc_valid()).
 */
#define COURSE_ITEMS_SQL                                                                           \
	"SELECT i.id, CASE WHEN instr(i.doc, 'false') = 0 THEN 1"                                  \
	" ELSE coalesce(json_type(i.doc, '$.required'), '') <> 'false' END,"                       \
	" EXISTS (SELECT 1 FROM resources r WHERE r.type = 'progress' AND r.parent_id = i.id"      \
	" AND r.deleted = 0 AND json_extract(r.doc, '$.status') = 'completed'"                     \
	" AND " PROGRESS_COUNTS(                                                                   \
	    "r.doc") " AND NOT EXISTS (SELECT 1 FROM overlays o"                                   \
	             " WHERE o.type = 'progress' AND o.id = r.id))"                                \
	             " OR EXISTS (SELECT 1 FROM overlays o INDEXED BY overlays_children"           \
	             " WHERE o.type = 'progress' AND o.parent_id = i.id AND o.deleted = 0"         \
	             " AND json_extract(o.doc, '$.status') = 'completed' AND " PROGRESS_COUNTS(    \
	                 "o.doc") ")"                                                              \
	                          " FROM resources m CROSS JOIN resources i ON i.type = 'item' "   \
	                          "AND i.parent_id = m.id"                                         \
	                          " AND i.deleted = 0 WHERE m.type = 'module' AND m.parent_id = "  \
	                          "?1 AND m.deleted = 0"                                           \
	                          " AND NOT EXISTS (SELECT 1 FROM overlays o WHERE o.type = "      \
	                          "'module'"                                                       \
	                          " AND o.id = m.id AND o.deleted = 1)"                            \
	                          " AND NOT EXISTS (SELECT 1 FROM overlays o WHERE o.type = "      \
	                          "'item'"                                                         \
	                          " AND o.id = i.id AND o.deleted = 1) ORDER BY i.id"

int
tui_course_percent(struct tui_app *app, const char *course_id)
{
	sqlite3_stmt *stmt;
	int total = 0, done = 0, req_total = 0, req_done = 0, rc;
	char *last = NULL;

	if (store_db_stmt(app->db, COURSE_ITEMS_SQL, &stmt) != 0)
		return 0;
	store_bind_text(stmt, 1, course_id);
	store_bind_text(stmt, 9, app->user_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		bool required = sqlite3_column_int(stmt, 1) != 0, completed;

		if (id == NULL || (last != NULL && strcmp(last, id) == 0))
			continue;
		free(last);
		last = lc_strdup(id);
		completed = sqlite3_column_int(stmt, 2) != 0;
		total++;
		done += completed;
		if (required) {
			req_total++;
			req_done += completed;
		}
	}
	if (rc != SQLITE_DONE)
		lc_log(LC_LOG_ERROR, "tui: course progress: %s",
		       sqlite3_errmsg(store_db_handle(app->db)));
	sqlite3_reset(stmt);
	free(last);
	if (req_total > 0)
		return req_done * 100 / req_total;
	return total > 0 ? done * 100 / total : 0;
}

/*
 * The catalog: courses of the "catalog" scope by title (NOCASE, then id), overlays first,
 * as store_resource_list(db, "course", NULL, "catalog", STORE_ORDER_TITLE) lists them, but
 * along the primary key's (scope, type) range: the generic statement walked an index of
 * every course and looked each row up (8 ms of the catalog's 11 at 2,000 courses). Within
 * one scope a row has no better-ranked copy of itself, so that check goes.
 */
#define CATALOG_SQL                                                                                \
	"SELECT r.id, r.doc, r.title, 0 FROM resources r"                                          \
	" WHERE r.scope = 'catalog' AND r.type = 'course' AND r.deleted = 0"                       \
	" AND NOT EXISTS (SELECT 1 FROM overlays o WHERE o.type = r.type AND o.id = r.id)"         \
	" UNION ALL SELECT o.id, o.doc, o.title, 1 FROM overlays o"                                \
	" WHERE o.type = 'course' AND o.deleted = 0 AND (o.scope = 'catalog' OR EXISTS ("          \
	"  SELECT 1 FROM resources s WHERE s.scope = 'catalog' AND s.type = o.type"                \
	"  AND s.id = o.id AND s.deleted = 0))"                                                    \
	" ORDER BY 3 COLLATE NOCASE, 1"

int
tui_catalog_courses(struct tui_app *app, struct store_resource_list *out)
{
	sqlite3_stmt *stmt;
	size_t cap = 0;
	int rc;

	out->items = NULL;
	out->n = 0;
	if ((rc = store_db_stmt(app->db, CATALOG_SQL, &stmt)) != 0)
		return rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_resource *res;

		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->items = lc_realloc(out->items, cap * sizeof(*out->items));
		}
		res = &out->items[out->n++];
		memset(res, 0, sizeof(*res));
		res->type = lc_strdup("course");
		res->id = store_column_dup(stmt, 0);
		res->doc = store_column_dup(stmt, 1);
		res->pending = sqlite3_column_int(stmt, 3) != 0;
	}
	if (rc != SQLITE_DONE) {
		rc = store_db_fail(app->db, rc, "listing the catalog");
		store_resource_list_free(out);
	} else {
		rc = 0;
	}
	sqlite3_reset(stmt);
	return rc;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
tui_enrolled_finish(struct tui_app *app)
{
	for (size_t i = 0; i < app->n_enrolled; i++)
		free(app->enrolled[i]);
	free(app->enrolled);
	app->enrolled = NULL;
	app->n_enrolled = 0;
	app->enrolled_valid = false;
}

void
tui_enrolled_invalidate(struct tui_app *app)
{
	app->enrolled_valid = false;
}

/*
 * The catalog asks for every course whether the user is enrolled: one query for all of the
 * user's enrollments, then a binary search per course (as progress_load() does).
 */
static void
enrolled_load(struct tui_app *app)
{
	struct store_resource_list list = {0};

	tui_enrolled_finish(app);
	app->enrolled_valid = true;
	if (app->user_id == NULL ||
	    store_resource_list(app->db, "enrollment", NULL, NULL, STORE_ORDER_CREATED, &list) < 0)
		return;
	app->enrolled = lc_calloc(list.n + 1, sizeof(*app->enrolled));
	for (size_t i = 0; i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);

		if (list.items[i].parent_id != NULL &&
		    strcmp(tui_json_str(doc, "user_id"), app->user_id) == 0)
			app->enrolled[app->n_enrolled++] = lc_strdup(list.items[i].parent_id);
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	if (app->n_enrolled > 1)
		qsort(app->enrolled, app->n_enrolled, sizeof(*app->enrolled), str_cmp);
}

bool
tui_is_enrolled(struct tui_app *app, const char *course_id)
{
	if (!app->enrolled_valid)
		enrolled_load(app);
	return course_id != NULL && app->n_enrolled > 0 &&
	       bsearch(&course_id, app->enrolled, app->n_enrolled, sizeof(*app->enrolled),
	               str_cmp) != NULL;
}

/*
 * Items with a due_at between ?1 and ?2 (RFC 3339 text, which sorts as time for the UTC
 * times the server sends), soonest first, through resources_due, with their course (the
 * module's parent). INDEXED BY: without statistics the planner preferred walking every
 * item (resources_created on type) and sorting them.
 */
#define DUE_SQL                                                                                    \
	"SELECT i.id, m.parent_id, json_extract(i.doc, '$.due_at'), i.title"                       \
	" FROM resources i INDEXED BY resources_due CROSS JOIN resources m ON m.type = 'module' "  \
	"AND m.id = i.parent_id AND m.deleted = 0"                                                 \
	" WHERE i.type = 'item' AND i.deleted = 0"                                                 \
	" AND NOT EXISTS (SELECT 1 FROM overlays o WHERE o.type = 'item' AND o.id = i.id"          \
	" AND o.deleted = 1)"                                                                      \
	" AND NOT EXISTS (SELECT 1 FROM overlays o WHERE o.type = 'module' AND o.id = m.id"        \
	" AND o.deleted = 1)"                                                                      \
	" AND json_extract(i.doc, '$.due_at') BETWEEN ?1 AND ?2"                                   \
	" ORDER BY json_extract(i.doc, '$.due_at'), i.id"

void
tui_due_free(struct tui_due *due, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(due[i].item_id);
		free(due[i].course_id);
		free(due[i].title);
		free(due[i].due_at);
	}
	free(due);
}

int
tui_due_soon(struct tui_app *app, char *const *courses, size_t n_courses, int64_t now,
             int64_t window_s, size_t max, struct tui_due **out, size_t *n)
{
	char lo[LC_RFC3339_LEN + 1], hi[LC_RFC3339_LEN + 1];
	sqlite3_stmt *stmt;
	char *last = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_db_stmt(app->db, DUE_SQL, &stmt)) != 0)
		return rc;
	/* A day wider on each side than the window: the exact test is on the parsed time. */
	lc_rfc3339(now - window_s - 86400, lo);
	lc_rfc3339(now + window_s + 86400, hi);
	store_bind_text(stmt, 1, lo);
	store_bind_text(stmt, 2, hi);
	while (*n < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		const char *course = (const char *)sqlite3_column_text(stmt, 1);
		const char *due_at = (const char *)sqlite3_column_text(stmt, 2);
		int64_t at = 0;

		/* The same item in several scopes (or under a module in several) comes once. */
		if (id == NULL || course == NULL || due_at == NULL ||
		    (last != NULL && strcmp(last, id) == 0))
			continue;
		free(last);
		last = lc_strdup(id);
		if (bsearch(&course, courses, n_courses, sizeof(*courses), str_cmp) == NULL ||
		    lc_rfc3339_parse(due_at, &at) < 0 || at - now >= window_s ||
		    at - now <= -window_s || tui_item_progress(app, id) == 2)
			continue;
		*out = lc_realloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n] = (struct tui_due){
		    .at = at,
		    .item_id = lc_strdup(id),
		    .course_id = lc_strdup(course),
		    .title = store_column_dup(stmt, 3),
		    .due_at = lc_strdup(due_at),
		};
		(*n)++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = store_db_fail(app->db, rc, "listing items due soon");
		tui_due_free(*out, *n);
		*out = NULL;
		*n = 0;
	} else {
		rc = 0;
	}
	sqlite3_reset(stmt);
	free(last);
	return rc;
}

/* ---- Teaching: the courses the user is staff of, and what staff read of them ---------- */

/*
 * What makes the signed-in user staff of a course (docs/api.md "Permissions"): admin, the
 * course's owner, or content-admin or department-admin of its department or of one above.
 * Read once from the user's own doc ("departments": [{department_id, roles}]).
 */
struct staff_set {
	bool admin;
	char **depts; /* departments where the user holds a staff role, unsorted */
	size_t n;
};

static void
staff_set_finish(struct staff_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->depts[i]);
	free(set->depts);
	memset(set, 0, sizeof(*set));
}

static void
staff_set_load(struct tui_app *app, struct staff_set *set)
{
	struct store_resource me = {0};
	const cJSON *depts, *d;
	cJSON *doc;

	memset(set, 0, sizeof(*set));
	if (app->user_id == NULL || store_resource_get(app->db, "user", app->user_id, &me) < 0)
		return;
	doc = cJSON_Parse(me.doc);
	set->admin = strcmp(tui_json_str(doc, "role"), "admin") == 0;
	depts = cJSON_GetObjectItemCaseSensitive(doc, "departments");
	cJSON_ArrayForEach(d, depts)
	{
		const cJSON *role;
		bool staff = false;

		cJSON_ArrayForEach(role, cJSON_GetObjectItemCaseSensitive(d, "roles"))
		{
			staff |= cJSON_IsString(role) &&
			         (strcmp(role->valuestring, "content-admin") == 0 ||
			          strcmp(role->valuestring, "department-admin") == 0);
		}
		if (!staff || tui_json_str(d, "department_id")[0] == '\0')
			continue;
		set->depts = lc_realloc(set->depts, (set->n + 1) * sizeof(*set->depts));
		set->depts[set->n++] = lc_strdup(tui_json_str(d, "department_id"));
	}
	cJSON_Delete(doc);
	store_resource_finish(&me);
}

/* Departments are at most 8 deep (docs/api.md); a longer chain is a loop in bad data. */
#define DEPT_DEPTH_MAX 8

/* True when dept or a department above it (the catalog's department docs) is in set. */
static bool
staff_set_has_dept(struct tui_app *app, const struct staff_set *set, const char *dept)
{
	char *cur = lc_strdup(dept);
	bool found = false;

	for (int depth = 0; cur != NULL && cur[0] != '\0' && !found && depth <= DEPT_DEPTH_MAX;
	     depth++) {
		struct store_resource res = {0};
		char *up = NULL;

		for (size_t i = 0; i < set->n && !found; i++)
			found = strcmp(set->depts[i], cur) == 0;
		if (!found && store_resource_get(app->db, "department", cur, &res) == 0) {
			cJSON *doc = cJSON_Parse(res.doc);

			up = lc_strdup(tui_json_str(doc, "parent_id"));
			cJSON_Delete(doc);
			store_resource_finish(&res);
		}
		free(cur);
		cur = up;
	}
	free(cur);
	return found;
}

static bool
staff_set_allows(struct tui_app *app, const struct staff_set *set, const char *owner_id,
                 const char *department_id)
{
	if (set->admin)
		return true;
	if (app->user_id != NULL && owner_id != NULL && strcmp(owner_id, app->user_id) == 0)
		return true;
	return set->n > 0 && department_id != NULL && department_id[0] != '\0' &&
	       staff_set_has_dept(app, set, department_id);
}

bool
tui_teaches(struct tui_app *app, const char *course_id)
{
	struct tui_writer w = {.db = app->db, .user_id = app->user_id, .username = app->username};

	return course_id != NULL && app->user_id != NULL && tui_is_staff(&w, course_id);
}

/*
 * The course doc of each course scope the replica syncs (the scope set is the cursors
 * table), with the user's unsent change of it when there is one, and courses created here
 * and not yet sent. Along primary keys: the scopes' range of cursors, then one resources
 * row per scope (scope, 'course', id) and one overlay per course. A learner's replica
 * holds a course scope per enrolled course and no course overlays, so this costs them one
 * lookup per enrollment, and when they hold no staff role (?2 false) only courses they own
 * come out of it: their rows end at the owner_id test.
 */
#define TEACH_SQL                                                                                  \
	"SELECT c.id, json_extract(c.doc, '$.title'), json_extract(c.doc, '$.code'),"              \
	" json_extract(c.doc, '$.status'), json_extract(c.doc, '$.enrolled_count'),"               \
	" json_extract(c.doc, '$.owner_id'), json_extract(c.doc, '$.department_id'), c.pending"    \
	" FROM (SELECT r.id AS id, coalesce(o.doc, r.doc) AS doc, o.id IS NOT NULL AS pending,"    \
	"  coalesce(o.deleted, 0) AS gone FROM cursors s"                                          \
	"  CROSS JOIN resources r ON r.scope = s.scope AND r.type = 'course'"                      \
	"  AND r.id = substr(s.scope, 8) AND r.deleted = 0"                                        \
	"  LEFT JOIN overlays o ON o.type = 'course' AND o.id = r.id"                              \
	"  WHERE s.scope >= 'course:' AND s.scope < 'course;'"                                     \
	" UNION ALL SELECT o.id, o.doc, 1, o.deleted FROM overlays o"                              \
	"  WHERE o.type = 'course' AND o.scope >= 'course:' AND o.scope < 'course;'"               \
	"  AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.scope = o.scope"                      \
	"  AND r.type = 'course' AND r.id = o.id AND r.deleted = 0)) c"                            \
	" WHERE c.gone = 0 AND (?2 OR json_extract(c.doc, '$.owner_id') = ?1)"                     \
	" ORDER BY 2 COLLATE NOCASE, 1"

/* Sync issues about a course: writes in its scope, of it, or naming it (an enrollment). */
#define COURSE_ISSUES_SQL                                                                          \
	"SELECT count(*) FROM issues WHERE scope = 'course:' || ?1 OR res_id = ?1"                 \
	" OR instr(path, ?1) > 0 OR (type = 'enrollment' AND instr(coalesce(mine, ''), ?1) > 0)"

int64_t
tui_course_issue_count(struct tui_app *app, const char *course_id)
{
	sqlite3_stmt *stmt;
	int64_t n = 0;

	if (course_id == NULL || store_db_stmt(app->db, COURSE_ISSUES_SQL, &stmt) != 0)
		return 0;
	store_bind_text(stmt, 1, course_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	else
		lc_log(LC_LOG_ERROR, "tui: course issues: %s",
		       sqlite3_errmsg(store_db_handle(app->db)));
	sqlite3_reset(stmt);
	return n;
}

void
tui_teaching_free(struct tui_teach_course *courses, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(courses[i].id);
		free(courses[i].title);
		free(courses[i].code);
		free(courses[i].status);
	}
	free(courses);
}

int
tui_teaching_courses(struct tui_app *app, struct tui_teach_course **out, size_t *n)
{
	struct staff_set set;
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if (app->user_id == NULL)
		return 0;
	if ((rc = store_db_stmt(app->db, TEACH_SQL, &stmt)) != 0)
		return rc;
	staff_set_load(app, &set);
	store_bind_text(stmt, 1, app->user_id);
	sqlite3_bind_int(stmt, 2, set.admin || set.n > 0);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		struct tui_teach_course *c;

		if (id == NULL ||
		    !staff_set_allows(app, &set, (const char *)sqlite3_column_text(stmt, 5),
		                      (const char *)sqlite3_column_text(stmt, 6)))
			continue;
		*out = lc_realloc(*out, (*n + 1) * sizeof(**out));
		c = &(*out)[(*n)++];
		memset(c, 0, sizeof(*c));
		c->id = lc_strdup(id);
		c->title = store_column_dup(stmt, 1);
		c->code = store_column_dup(stmt, 2);
		c->status = store_column_dup(stmt, 3);
		c->enrolled = sqlite3_column_int(stmt, 4);
		c->pending = sqlite3_column_int(stmt, 7) != 0;
	}
	staff_set_finish(&set);
	if (rc != SQLITE_DONE) {
		rc = store_db_fail(app->db, rc, "listing the courses taught");
		tui_teaching_free(*out, *n);
		*out = NULL;
		*n = 0;
	} else {
		rc = 0;
	}
	sqlite3_reset(stmt);
	for (size_t i = 0; rc == 0 && i < *n; i++)
		(*out)[i].issues = tui_course_issue_count(app, (*out)[i].id);
	return rc;
}

static int
student_cmp(const void *a, const void *b)
{
	const struct tui_student *x = a, *y = b;
	int c = strcmp(x->username, y->username);

	return c != 0 ? c : strcmp(x->user_id, y->user_id);
}

void
tui_roster_free(struct tui_student *students, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(students[i].user_id);
		free(students[i].username);
		free(students[i].enrolled_at);
	}
	free(students);
}

int
tui_course_roster(struct tui_app *app, const char *course_id, struct tui_student **out, size_t *n)
{
	struct store_resource_list list = {0};
	int rc;

	*out = NULL;
	*n = 0;
	rc =
	    store_resource_list(app->db, "enrollment", course_id, NULL, STORE_ORDER_CREATED, &list);
	if (rc < 0)
		return rc;
	*out = lc_calloc(list.n + 1, sizeof(**out));
	for (size_t i = 0; i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);
		struct tui_student *s = &(*out)[(*n)++];

		s->user_id = lc_strdup(tui_json_str(doc, "user_id"));
		s->username = lc_strdup(
		    *tui_json_str(doc, "username") ? tui_json_str(doc, "username") : s->user_id);
		s->enrolled_at = lc_strdup(tui_json_str(doc, "created_at"));
		s->pending = list.items[i].pending;
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), student_cmp);
	return 0;
}

const char *
tui_roster_name(const struct tui_student *students, size_t n, const char *user_id)
{
	for (size_t i = 0; user_id != NULL && i < n; i++)
		if (strcmp(students[i].user_id, user_id) == 0)
			return students[i].username;
	return NULL;
}

void
tui_attempts_free(struct tui_attempt *attempts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(attempts[i].user_id);
		free(attempts[i].submitted_at);
	}
	free(attempts);
}

int
tui_quiz_attempts(struct tui_app *app, const char *item_id, struct tui_attempt **out, size_t *n)
{
	struct store_resource_list list = {0};
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_resource_list(app->db, "attempt", item_id, NULL, STORE_ORDER_CREATED, &list);
	if (rc < 0)
		return rc;
	*out = lc_calloc(list.n + 1, sizeof(**out));
	for (size_t i = 0; i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);
		struct tui_attempt *a = &(*out)[(*n)++];

		a->user_id = lc_strdup(tui_json_str(doc, "user_id"));
		a->submitted_at =
		    lc_strdup(*tui_json_str(doc, "submitted_at") ? tui_json_str(doc, "submitted_at")
		                                                 : tui_json_str(doc, "created_at"));
		a->score = tui_json_num(doc, "score", 0);
		a->max_score = tui_json_num(doc, "max_score", 0);
		a->passed = tui_json_bool(doc, "passed");
		a->pending = list.items[i].pending;
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	return 0;
}

char *
tui_teach_key(const char *course_id, const char *what)
{
	return lc_asprintf("teach:%s:%s", course_id, what);
}

int
tui_teach_cache(struct tui_app *app, const char *key, cJSON **body, int64_t *fetched_at)
{
	char *text = NULL;
	cJSON *root, *b;
	int rc;

	*body = NULL;
	*fetched_at = 0;
	rc = store_setting_get(app->db, key, &text);
	if (rc < 0)
		return rc;
	if (text == NULL)
		return -LC_ENOTFOUND;
	root = cJSON_Parse(text);
	free(text);
	/* A replica that changed hands keeps the settings: another user's answer is not shown. */
	if (app->user_id == NULL || strcmp(tui_json_str(root, "user_id"), app->user_id) != 0 ||
	    lc_rfc3339_parse(tui_json_str(root, "fetched_at"), fetched_at) < 0 ||
	    (b = cJSON_DetachItemFromObjectCaseSensitive(root, "body")) == NULL) {
		cJSON_Delete(root);
		*fetched_at = 0;
		return -LC_ENOTFOUND;
	}
	cJSON_Delete(root);
	*body = b;
	return 0;
}

/* The writer of the signed-in user on the app's replica (write.h). */
static struct tui_writer
writer(const struct tui_app *app)
{
	return (struct tui_writer){
	    .db = app->db, .user_id = app->user_id, .username = app->username};
}

/*
 * After a write: the enrollments are read again, a refusal is shown (as the write module
 * worded it) and a queued write wakes the sync engine.
 */
static int
wrote(struct tui_app *app, int rc, char *cause)
{
	tui_enrolled_invalidate(app);
	if (rc < 0 && cause != NULL)
		tui_flash(app, "%s", cause);
	free(cause);
	if (rc == 0)
		tui_after_write(app);
	return rc;
}

int
tui_write_enroll(struct tui_app *app, const char *course_id)
{
	struct tui_writer w = writer(app);
	char *cause = NULL;
	int rc = tui_queue_enroll(&w, course_id, NULL, &cause);

	return wrote(app, rc, cause);
}

int
tui_write_progress(struct tui_app *app, const char *item_id, const char *course_id,
                   const char *status)
{
	struct tui_writer w = writer(app);
	char *cause = NULL;
	int rc;

	(void)course_id; /* the write module reads it from the item */
	rc = tui_queue_progress(&w, item_id, status, &cause);
	/* The reader says why a quiz is not marked; no second message here. */
	if (rc == -LC_EINVAL) {
		free(cause);
		cause = NULL;
	}
	return wrote(app, rc, cause);
}

int
tui_write_attempt(struct tui_app *app, const char *item_id, const char *course_id, cJSON *answers)
{
	struct tui_writer w = writer(app);
	char *cause = NULL;
	int rc;

	(void)course_id;
	rc = tui_queue_attempt(&w, item_id, answers, NULL, &cause);
	cJSON_Delete(answers);
	return wrote(app, rc, cause);
}

int
tui_write_topic(struct tui_app *app, const char *course_id, const char *title,
                const char *body_text)
{
	struct tui_writer w = writer(app);
	char *cause = NULL;
	int rc = tui_queue_topic(&w, course_id, title, body_text, NULL, &cause);

	return wrote(app, rc, cause);
}

int
tui_write_reply(struct tui_app *app, const char *topic_id, const char *course_id,
                const char *body_text)
{
	struct tui_writer w = writer(app);
	char *cause = NULL;
	int rc;

	(void)course_id;
	rc = tui_queue_reply(&w, topic_id, body_text, NULL, &cause);
	return wrote(app, rc, cause);
}

int
tui_write_edit(struct tui_app *app, const char *type, const char *id, const char *body_text)
{
	struct tui_writer w = writer(app);
	cJSON *fields = cJSON_CreateObject();
	char *cause = NULL;
	int rc;

	cJSON_AddStringToObject(fields, "body", body_text);
	rc = tui_queue_patch(&w, type, id, fields, &cause);
	cJSON_Delete(fields);
	return wrote(app, rc, cause);
}

int
tui_write_delete(struct tui_app *app, const char *type, const char *id)
{
	struct tui_writer w = writer(app);
	char *cause = NULL;
	int rc = tui_queue_delete(&w, type, id, &cause);

	return wrote(app, rc, cause);
}

/*
 * The unread topics of a course for this user (UX review 2026-11-29, A15): a topic is
 * unread when someone else started it and it has no read mark, or when someone else
 * replied after the mark. Own posts never make a topic unread, and neither does the
 * topic's last activity (sort_at), which an own reply moves too. Home's count and the
 * forum list's marks both come from here, so they agree.
 */
#define UNREAD_SQL                                                                                 \
	"SELECT t.id FROM resources t LEFT JOIN read_marks m ON m.topic_id = t.id"                 \
	" WHERE t.type = 'topic' AND t.parent_id = ?1 AND t.deleted = 0"                           \
	" AND ((m.read_up_to IS NULL AND json_extract(t.doc, '$.author_id') IS NOT ?2)"            \
	" OR EXISTS (SELECT 1 FROM resources r WHERE r.type = 'reply' AND r.parent_id = t.id"      \
	" AND r.deleted = 0 AND r.created_at > coalesce(m.read_up_to, '')"                         \
	" AND json_extract(r.doc, '$.author_id') IS NOT ?2))"                                      \
	" GROUP BY +t.id ORDER BY +t.id"

int
tui_unread_topics(struct tui_app *app, const char *course_id, char ***ids, size_t *n)
{
	sqlite3_stmt *stmt;
	int rc;

	*n = 0;
	if (ids != NULL)
		*ids = NULL;
	if ((rc = store_db_stmt(app->db, UNREAD_SQL, &stmt)) != 0)
		return rc;
	store_bind_text(stmt, 1, course_id);
	store_bind_text(stmt, 2, app->user_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (ids != NULL) {
			*ids = lc_realloc(*ids, (*n + 1) * sizeof(**ids));
			(*ids)[*n] = store_column_dup(stmt, 0);
		}
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		rc = store_db_fail(app->db, rc, "listing unread topics");
		if (ids != NULL)
			tui_unread_free(*ids, *n);
		if (ids != NULL)
			*ids = NULL;
		*n = 0;
	} else {
		rc = 0;
	}
	sqlite3_reset(stmt);
	return rc;
}

void
tui_unread_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* Days from the local calendar day of now to that of at (negative when at is earlier). */
static int
local_day_diff(int64_t at, int64_t now)
{
	time_t ta = (time_t)at, tn = (time_t)now;
	struct tm a, b;

	if (localtime_r(&ta, &a) == NULL || localtime_r(&tn, &b) == NULL)
		return (int)((at - now) / 86400);
	/* Noon of each day, as UTC arithmetic: DST shifts cannot move a day over. */
	a.tm_hour = b.tm_hour = 12;
	a.tm_min = b.tm_min = a.tm_sec = b.tm_sec = 0;
	a.tm_isdst = b.tm_isdst = -1;
	double d = difftime(mktime(&a), mktime(&b)) / 86400.0;

	return (int)(d < 0 ? d - 0.5 : d + 0.5);
}

void
tui_due_words(int64_t at, int64_t now, char *buf, size_t size)
{
	int days = local_day_diff(at, now);

	assert(size > 0);
	if (at < now)
		snprintf(buf, size, "overdue");
	else if (days <= 0)
		snprintf(buf, size, "today");
	else if (days == 1)
		snprintf(buf, size, "tomorrow");
	else
		snprintf(buf, size, "in %d days", days);
}

/*
 * Newest first: a name the user changed since shows as now. Through resources_created
 * on each type's rows; the author test reads the doc, so a replica of many posts by
 * others reads until the first own one.
 */
#define OWN_NAME_SQL                                                                               \
	"SELECT json_extract(doc, '$.author_name') FROM resources"                                 \
	" WHERE type IN ('reply', 'topic') AND deleted = 0"                                        \
	" AND json_extract(doc, '$.author_id') = ?1 AND json_extract(doc, '$.author_name') != ''"  \
	" ORDER BY created_at DESC LIMIT 1"

char *
tui_display_name(struct tui_app *app)
{
	sqlite3_stmt *stmt;
	char *name = NULL;

	if (app->user_id != NULL && store_db_stmt(app->db, OWN_NAME_SQL, &stmt) == 0) {
		store_bind_text(stmt, 1, app->user_id);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			name = store_column_dup(stmt, 0);
		sqlite3_reset(stmt);
	}
	return name != NULL ? name : lc_strdup(app->username != NULL ? app->username : "");
}
