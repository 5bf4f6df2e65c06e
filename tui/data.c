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

struct tui_progress_entry {
	char *item_id;
	int status;
};

static int
progress_cmp(const void *a, const void *b)
{
	const struct tui_progress_entry *x = a, *y = b;

	return strcmp(x->item_id, y->item_id);
}

void
tui_progress_finish(struct tui_app *app)
{
	for (size_t i = 0; i < app->n_progress; i++)
		free(app->progress[i].item_id);
	free(app->progress);
	app->progress = NULL;
	app->n_progress = 0;
	app->progress_valid = false;
}

void
tui_progress_invalidate(struct tui_app *app)
{
	app->progress_valid = false;
}

/*
 * Home asks for the progress of every item of every course: one query for all of the user's
 * progress, then a binary search per item, keeps start-up fast on a large replica.
 */
static void
progress_load(struct tui_app *app)
{
	struct store_resource_list list = {0};

	tui_progress_finish(app);
	app->progress_valid = true;
	if (store_resource_list(app->db, "progress", NULL, NULL, STORE_ORDER_CREATED, &list) < 0)
		return;
	app->progress = lc_calloc(list.n + 1, sizeof(*app->progress));
	for (size_t i = 0; i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);
		const char *st = tui_json_str(doc, "status");
		const char *uid = tui_json_str(doc, "user_id");

		if (app->user_id == NULL || *uid == '\0' || strcmp(uid, app->user_id) == 0) {
			struct tui_progress_entry *e = &app->progress[app->n_progress++];

			e->item_id = lc_strdup(tui_json_str(doc, "item_id"));
			e->status = strcmp(st, "completed") == 0 ? 2 : strcmp(st, "started") == 0;
		}
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	if (app->n_progress > 1)
		qsort(app->progress, app->n_progress, sizeof(*app->progress), progress_cmp);
	/* Two records for one item (a local one and the server's): keep the furthest. */
	for (size_t i = 1; i < app->n_progress; i++)
		if (strcmp(app->progress[i].item_id, app->progress[i - 1].item_id) == 0 &&
		    app->progress[i - 1].status > app->progress[i].status)
			app->progress[i].status = app->progress[i - 1].status;
}

int
tui_item_progress(struct tui_app *app, const char *item_id)
{
	struct tui_progress_entry key = {.item_id = (char *)item_id}, *e;
	size_t lo = 0, hi;

	if (!app->progress_valid)
		progress_load(app);
	if (app->n_progress == 0)
		return 0;
	e = bsearch(&key, app->progress, app->n_progress, sizeof(*app->progress), progress_cmp);
	if (e == NULL)
		return 0;
	/* The last of equal keys holds the furthest status. */
	hi = (size_t)(e - app->progress);
	for (lo = hi;
	     lo + 1 < app->n_progress && strcmp(app->progress[lo + 1].item_id, item_id) == 0; lo++)
		;
	return app->progress[lo].status;
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

int
tui_course_percent(struct tui_app *app, const char *course_id)
{
	struct store_resource_list items = {0};
	int total = 0, done = 0, req_total = 0, req_done = 0;

	if (tui_course_items(app, course_id, &items) < 0)
		return 0;
	for (size_t i = 0; i < items.n; i++) {
		cJSON *doc = cJSON_Parse(items.items[i].doc);
		bool required = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "required"));
		bool completed = tui_item_progress(app, items.items[i].id) == 2;

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

bool
tui_is_enrolled(struct tui_app *app, const char *course_id)
{
	struct store_resource_list list = {0};
	bool found = false;

	if (store_resource_list(app->db, "enrollment", course_id, NULL, STORE_ORDER_CREATED,
	                        &list) < 0)
		return false;
	for (size_t i = 0; i < list.n && !found; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);

		found =
		    app->user_id != NULL && strcmp(tui_json_str(doc, "user_id"), app->user_id) == 0;
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	return found;
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
	tui_progress_invalidate(app);
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
