/* SPDX-License-Identifier: MIT */
/*
 * What the views read from docs and every write the TUI makes. A write is the REST request
 * of the wire contract with a client-made UUID in its body, recorded with its optimistic doc
 * through store_local_write() (overlay and outbox entry in one transaction), after which the
 * sync engine is asked to run. The screen shows the write at once, marked as not yet sent.
 */
#include <stdlib.h>
#include <string.h>

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

bool
tui_kind_completes_by_attempt(const char *kind)
{
	return kind != NULL && strcmp(kind, "quiz") == 0;
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

/* The user's progress doc for item_id, or NULL (caller frees with store_resource_finish). */
static bool
find_progress(struct tui_app *app, const char *item_id, struct store_resource *out)
{
	struct store_resource_list list = {0};
	bool found = false;

	if (store_resource_list(app->db, "progress", item_id, NULL, STORE_ORDER_CREATED, &list) < 0)
		return false;
	for (size_t i = 0; i < list.n && !found; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);

		if (app->user_id == NULL ||
		    strcmp(tui_json_str(doc, "user_id"), app->user_id) == 0 ||
		    tui_json_str(doc, "user_id")[0] == '\0') {
			*out = list.items[i];
			memset(&list.items[i], 0, sizeof(list.items[i]));
			found = true;
		}
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	return found;
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
 * them, so the server rows are what the reader sees. CROSS JOIN keeps the modules outside:
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
	                          " ORDER BY i.id"

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

/* Adds id, created_at and updated_at to an optimistic doc. */
static void
stamp(cJSON *doc, const char *id)
{
	char now[LC_RFC3339_LEN + 1];

	lc_rfc3339(lc_now(), now);
	cJSON_AddStringToObject(doc, "id", id);
	cJSON_AddNumberToObject(doc, "rev", 0);
	cJSON_AddStringToObject(doc, "created_at", now);
	cJSON_AddStringToObject(doc, "updated_at", now);
}

/* Records the write; takes ownership of body and doc (either may be NULL). */
static int
record(struct tui_app *app, struct store_write *w, cJSON *body, cJSON *doc)
{
	char *body_text = body ? cJSON_PrintUnformatted(body) : NULL;
	char *doc_text = doc ? cJSON_PrintUnformatted(doc) : NULL;
	int rc;

	w->body = body_text;
	w->doc = doc_text;
	rc = store_local_write(app->db, w, NULL);
	tui_enrolled_invalidate(app);
	if (rc < 0)
		lc_log(LC_LOG_ERROR, "tui: %s %s: %s", w->method, w->path,
		       store_db_error(app->db)->message);
	else
		lc_log(LC_LOG_INFO, "tui: queued %s %s", w->method, w->path);
	cJSON_free(body_text);
	cJSON_free(doc_text);
	cJSON_Delete(body);
	cJSON_Delete(doc);
	if (rc == 0)
		tui_after_write(app);
	return rc;
}

int
tui_write_enroll(struct tui_app *app, const char *course_id)
{
	char id[LC_UUID_LEN + 1];
	cJSON *body = cJSON_CreateObject(), *doc = cJSON_CreateObject();
	struct store_write w = {
	    .method = "POST", .path = "/api/v1/enrollments", .type = "enrollment", .scope = "user"};

	lc_uuid_new(id);
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddStringToObject(body, "course_id", course_id);
	stamp(doc, id);
	cJSON_AddStringToObject(doc, "course_id", course_id);
	cJSON_AddStringToObject(doc, "user_id", app->user_id ? app->user_id : "");
	cJSON_AddStringToObject(doc, "username", app->username ? app->username : "");
	w.id = id;
	return record(app, &w, body, doc);
}

int
tui_write_progress(struct tui_app *app, const char *item_id, const char *course_id,
                   const char *status)
{
	struct store_resource old = {0};
	char id[LC_UUID_LEN + 1];
	cJSON *body, *doc;
	struct store_write w = {
	    .method = "POST", .path = "/api/v1/progress", .type = "progress", .scope = "user"};
	int have = tui_item_progress(app, item_id);
	int want = strcmp(status, "completed") == 0 ? 2 : 1;

	if (have >= want)
		return 0;
	/* The server answers 409 to this for a quiz: only a passing attempt completes one. */
	if (want == 2 && item_is_quiz(app, item_id))
		return -LC_EINVAL;
	/* One progress record per user and item: an update keeps the record's id. */
	if (find_progress(app, item_id, &old)) {
		snprintf(id, sizeof(id), "%s", old.id);
		doc = cJSON_Parse(old.doc);
		store_resource_finish(&old);
	} else {
		lc_uuid_new(id);
		doc = NULL;
	}
	if (doc == NULL) {
		doc = cJSON_CreateObject();
		stamp(doc, id);
		cJSON_AddStringToObject(doc, "item_id", item_id);
		cJSON_AddStringToObject(doc, "course_id", course_id ? course_id : "");
		cJSON_AddStringToObject(doc, "user_id", app->user_id ? app->user_id : "");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "status");
	cJSON_AddStringToObject(doc, "status", status);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddStringToObject(body, "item_id", item_id);
	cJSON_AddStringToObject(body, "status", status);
	w.id = id;
	return record(app, &w, body, doc);
}

int
tui_write_attempt(struct tui_app *app, const char *item_id, const char *course_id, cJSON *answers)
{
	char id[LC_UUID_LEN + 1], now[LC_RFC3339_LEN + 1], path[128];
	cJSON *body = cJSON_CreateObject(), *doc = cJSON_CreateObject();
	struct store_write w = {.method = "POST", .path = path, .type = "attempt", .scope = "user"};

	lc_uuid_new(id);
	lc_rfc3339(lc_now(), now);
	snprintf(path, sizeof(path), "/api/v1/items/%s/attempts", item_id);
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddItemToObject(body, "answers", cJSON_Duplicate(answers, 1));
	cJSON_AddStringToObject(body, "submitted_at", now);
	stamp(doc, id);
	cJSON_AddStringToObject(doc, "item_id", item_id);
	cJSON_AddStringToObject(doc, "course_id", course_id ? course_id : "");
	cJSON_AddStringToObject(doc, "user_id", app->user_id ? app->user_id : "");
	cJSON_AddItemToObject(doc, "answers", answers);
	cJSON_AddNullToObject(doc, "score");
	cJSON_AddNullToObject(doc, "max_score");
	cJSON_AddStringToObject(doc, "submitted_at", now);
	w.id = id;
	return record(app, &w, body, doc);
}

int
tui_write_topic(struct tui_app *app, const char *course_id, const char *title,
                const char *body_text)
{
	char id[LC_UUID_LEN + 1], path[128], scope[128];
	cJSON *body = cJSON_CreateObject(), *doc = cJSON_CreateObject();
	struct store_write w = {.method = "POST", .path = path, .type = "topic", .scope = scope};

	lc_uuid_new(id);
	snprintf(path, sizeof(path), "/api/v1/courses/%s/topics", course_id);
	snprintf(scope, sizeof(scope), "course:%s", course_id);
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddStringToObject(body, "title", title);
	cJSON_AddStringToObject(body, "body", body_text);
	stamp(doc, id);
	cJSON_AddStringToObject(doc, "course_id", course_id);
	cJSON_AddStringToObject(doc, "title", title);
	cJSON_AddStringToObject(doc, "body", body_text);
	cJSON_AddStringToObject(doc, "author_id", app->user_id ? app->user_id : "");
	cJSON_AddStringToObject(doc, "author_name", app->username ? app->username : "");
	cJSON_AddNumberToObject(doc, "reply_count", 0);
	cJSON_AddStringToObject(doc, "last_activity_at", tui_json_str(doc, "created_at"));
	w.id = id;
	return record(app, &w, body, doc);
}

int
tui_write_reply(struct tui_app *app, const char *topic_id, const char *course_id,
                const char *body_text)
{
	char id[LC_UUID_LEN + 1], path[128], scope[128];
	cJSON *body = cJSON_CreateObject(), *doc = cJSON_CreateObject();
	struct store_write w = {.method = "POST", .path = path, .type = "reply", .scope = scope};

	lc_uuid_new(id);
	snprintf(path, sizeof(path), "/api/v1/topics/%s/replies", topic_id);
	snprintf(scope, sizeof(scope), "course:%s", course_id);
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddStringToObject(body, "body", body_text);
	stamp(doc, id);
	cJSON_AddStringToObject(doc, "topic_id", topic_id);
	cJSON_AddStringToObject(doc, "course_id", course_id);
	cJSON_AddStringToObject(doc, "body", body_text);
	cJSON_AddStringToObject(doc, "author_id", app->user_id ? app->user_id : "");
	cJSON_AddStringToObject(doc, "author_name", app->username ? app->username : "");
	w.id = id;
	return record(app, &w, body, doc);
}

static const char *
collection(const char *type)
{
	return strcmp(type, "topic") == 0 ? "topics" : "replies";
}

int
tui_write_edit(struct tui_app *app, const char *type, const char *id, const char *body_text)
{
	struct store_resource res = {0};
	char path[128], now[LC_RFC3339_LEN + 1];
	struct store_write w = {.method = "PATCH", .path = path, .type = type, .id = id};
	cJSON *body, *doc;
	int rc;

	rc = store_resource_get(app->db, type, id, &res);
	if (rc < 0)
		return rc;
	doc = cJSON_Parse(res.doc);
	if (doc == NULL) {
		store_resource_finish(&res);
		return -LC_EPROTO;
	}
	lc_rfc3339(lc_now(), now);
	/* Delete then add: a replace of a missing key would drop (and leak) the new value. */
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "body");
	cJSON_AddStringToObject(doc, "body", body_text);
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "updated_at");
	cJSON_AddStringToObject(doc, "updated_at", now);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "body", body_text);
	snprintf(path, sizeof(path), "/api/v1/%s/%s", collection(type), id);
	w.if_match = res.rev;
	w.scope = res.scope;
	rc = record(app, &w, body, doc);
	store_resource_finish(&res);
	return rc;
}

int
tui_write_delete(struct tui_app *app, const char *type, const char *id)
{
	struct store_resource res = {0};
	char path[128];
	struct store_write w = {
	    .method = "DELETE", .path = path, .type = type, .id = id, .is_delete = true};
	int rc;

	rc = store_resource_get(app->db, type, id, &res);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/api/v1/%s/%s", collection(type), id);
	w.if_match = res.rev;
	w.scope = res.scope;
	rc = record(app, &w, NULL, NULL);
	store_resource_finish(&res);
	return rc;
}
