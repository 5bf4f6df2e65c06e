/* SPDX-License-Identifier: MIT */
/*
 * Items of a module: pages, links, quizzes and assignments. POST takes one item object
 * or an array of them; an array is all-or-nothing, and its 400 names the bad keys per
 * element ("Invalid parameters: 1: title.due_at,3: kind"). Items are numbered 1..n
 * within their module like modules are within a course; a PATCH with module_id moves an
 * item to another module of its course (lecternd's extension, docs/api.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "res-course.h"
#include "srv.h"

#define ITEM_TITLE_MAX 200
#define ITEM_URL_MAX 2048

static const char *const item_kinds[] = {"page", "link", "quiz", "assignment", NULL};

/* The columns a body may set (besides id and position), in the order they are validated. */
static const char *const item_fields[] = {"title",  "kind",     "body",         "url", "due_at",
                                          "points", "required", "max_attempts", NULL};

static int
item_render(struct srv_req *req, const char *id, cJSON **out)
{
	struct rc_course course;
	int rc = rc_render_course(req, "items", id, &course);

	if (rc != 0)
		return rc;
	*out = rc_item_doc(req->db, id);
	return rc_doc_result(req->db, *out);
}

/* Validates one item body; on create title and kind are required. */
static void
item_check(struct srv_check *c, const cJSON *obj, bool create, int64_t *position)
{
	const char *s;
	int64_t n;
	double d;
	bool b;

	if (!cJSON_IsObject(obj)) {
		srv_check_bad(c, "item");
		return;
	}
	srv_get_str(c, obj, "title", create ? SRV_REQUIRED : 0, 1, ITEM_TITLE_MAX, &s);
	srv_get_enum(c, obj, "kind", create ? SRV_REQUIRED : 0, item_kinds, &s);
	srv_get_str(c, obj, "body", SRV_NULLABLE, 0, SRV_ITEM_BODY_MAX, &s);
	srv_get_str(c, obj, "url", SRV_NULLABLE, 1, ITEM_URL_MAX, &s);
	srv_get_time(c, obj, "due_at", SRV_NULLABLE, &n, &s);
	srv_get_num(c, obj, "points", SRV_NULLABLE, 0, 1e9, &d);
	srv_get_bool(c, obj, "required", 0, &b);
	srv_get_int(c, obj, "max_attempts", SRV_NULLABLE, 1, 100000, &n);
	*position = 0;
	srv_get_int(c, obj, "position", 0, 1, INT32_MAX, position);
}

/* Writes every field obj carries into item id. */
static int
item_write_fields(struct store_db *db, const cJSON *obj, const char *id)
{
	int rc = 0;

	for (int i = 0; rc == 0 && item_fields[i] != NULL; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, item_fields[i]);

		if (v != NULL)
			rc = rc_set(db, "items", item_fields[i], id, v);
	}
	return rc;
}

/* Inserts one validated item at position (0: last) and emits it. */
static int
item_insert(struct srv_req *req, const struct rc_course *course, const char *module_id,
            const cJSON *obj, const char *id, int64_t position)
{
	const cJSON *title = cJSON_GetObjectItemCaseSensitive(obj, "title");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	int64_t n = rc_count(req->db, "SELECT count(*) FROM items WHERE module_id = ?", module_id);
	char now[32];
	sqlite3_stmt *st;
	int rc;

	if (n < 0)
		return (int)n;
	if (position < 1 || position > n + 1)
		position = n + 1;
	srv_now(now);
	rc = store_db_stmt(req->db,
	                   "INSERT INTO items (id, module_id, course_id, title, kind, position, "
	                   "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                   &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, module_id);
	store_bind_text(st, 3, course->ref.id);
	store_bind_text(st, 4, title->valuestring);
	store_bind_text(st, 5, kind->valuestring);
	sqlite3_bind_int64(st, 6, position);
	store_bind_text(st, 7, now);
	store_bind_text(st, 8, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "insert item");
	sqlite3_reset(st);
	if (rc == 0)
		rc = item_write_fields(req->db, obj, id);
	if (rc == 0)
		rc = rc_place(req, "items", "item", "module_id", module_id, course->ref.id, id,
		              position);
	if (rc == 0)
		rc = rc_emit(req, "item", id, 1, course->ref.id);
	return rc;
}

/*
 * Validates every element (array or single object) and collects ids. Returns false
 * when resp was answered (400 or 409).
 */
static bool
items_validate(struct srv_req *req, struct srv_resp *resp, const cJSON *list, int n,
               char (*ids)[LC_UUID_LEN + 1], int64_t *positions)
{
	struct srv_check c;
	bool ok = true;

	srv_check_init(&c);
	for (int i = 0; i < n; i++) {
		const cJSON *obj =
		    cJSON_IsArray(req->body) ? cJSON_GetArrayItem(list, i) : req->body;

		if (cJSON_IsArray(req->body))
			srv_check_element(&c, i);
		if (cJSON_IsObject(obj))
			srv_get_new_id(&c, obj, ids[i]);
		item_check(&c, obj, true, &positions[i]);
	}
	if (srv_check_failed(&c, resp))
		ok = false;
	for (int i = 0; ok && i < n; i++) {
		int found = srv_row_find(req->db, "items", ids[i]);
		bool dup = found == 1;

		if (found < 0) {
			srv_internal(req, resp, found, "item ids");
			ok = false;
			break;
		}
		for (int j = 0; j < i; j++)
			dup = dup || strcmp(ids[i], ids[j]) == 0;
		if (dup) {
			srv_conflict(resp, "An item with id %s already exists", ids[i]);
			ok = false;
		}
	}
	srv_check_finish(&c);
	return ok;
}

static void
items_create(struct srv_req *req, struct srv_resp *resp)
{
	const char *module_id = req->params[0];
	bool array = cJSON_IsArray(req->body);
	int n = array ? cJSON_GetArraySize(req->body) : 1, rc = 0;
	struct rc_course course;
	char(*ids)[LC_UUID_LEN + 1];
	int64_t *positions;
	cJSON *out;

	if (rc_load_for(req, resp, "modules", module_id, "module", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "module"))
		return;
	if (array && n == 0) {
		srv_bad_params(resp, "items");
		return;
	}
	ids = calloc((size_t)n, sizeof *ids);
	positions = calloc((size_t)n, sizeof *positions);
	if (ids == NULL || positions == NULL) {
		srv_internal(req, resp, -LC_ENOMEM, "items");
		goto out;
	}
	if (!items_validate(req, resp, req->body, n, ids, positions))
		goto out;
	for (int i = 0; rc == 0 && i < n; i++)
		rc = item_insert(req, &course, module_id,
		                 array ? cJSON_GetArrayItem(req->body, i) : req->body, ids[i],
		                 positions[i]);
	if (rc != 0) {
		srv_internal(req, resp, rc, "create items");
		goto out;
	}
	/* Rendered after all inserts, so positions shifted by later elements are current. */
	out = array ? cJSON_CreateArray() : rc_item_doc(req->db, ids[0]);
	for (int i = 0; array && i < n; i++)
		cJSON_AddItemToArray(out, rc_item_doc(req->db, ids[i]));
	srv_reply(resp, 201, out);
out:
	free(ids);
	free(positions);
}

static cJSON *
item_doc(struct store_db *db, const char *id, void *ctx)
{
	return rc_item_doc(db, id);
}

static void
items_list(struct srv_req *req, struct srv_resp *resp)
{
	const char *module_id = req->params[0];
	struct rc_course course;
	struct srv_check c;
	struct srv_page page;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "modules", module_id, "module", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_content(req, &course.ref), resp, "module"))
		goto out;
	srv_page_parse(req, &c, &page);
	if (srv_check_failed(&c, resp))
		goto out;
	rc_reply_children(req, resp, &page, "items", "module_id", module_id, item_doc, NULL);
out:
	srv_check_finish(&c);
}

static void
item_get(struct srv_req *req, struct srv_resp *resp)
{
	cJSON *doc = NULL;
	int rc;

	if (!rc_content_check(req, resp, "items", req->params[0], "item"))
		return;
	rc = item_render(req, req->params[0], &doc);
	if (rc == -LC_ENOTFOUND)
		srv_not_found(resp, "item");
	else if (rc != 0)
		srv_internal(req, resp, rc, "get item");
	else
		srv_reply(resp, 200, doc);
}

/* The module an item sits in, into out. Returns 0, -LC_ENOTFOUND or -LC_EDB. */
static int
item_module(struct store_db *db, const char *id, char out[LC_UUID_LEN + 1])
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	rc = store_db_stmt(db, "SELECT module_id FROM items WHERE id = ?", &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, id);
	rc = store_db_next_row(db, st, "item module");
	if (rc == 1)
		snprintf(out, LC_UUID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == 1 ? 0 : rc == 0 ? -LC_ENOTFOUND : rc;
}

/*
 * The module_id of a PATCH (a Lectern extension of the contract, docs/api.md "Moving an
 * item to another module"): *to gets it, or NULL when the body has none. A malformed id,
 * an unknown module and another course's module are all marked bad (400, nothing
 * changed), as a reorder naming another course's module is: the same answer for both, so
 * it never tells whether some other course's module exists.
 */
static void
item_check_module(struct srv_req *req, struct srv_check *c, const struct rc_course *course,
                  const char **to)
{
	struct rc_course there;
	int rc;

	if (srv_get_uuid(c, req->body, "module_id", 0, to) != SRV_GOT)
		return;
	rc = rc_course_of(req->db, "modules", *to, &there);
	if (rc == 0)
		rc = strcmp(there.ref.id, course->ref.id) == 0;
	else if (rc == -LC_ENOTFOUND)
		rc = 0;
	srv_check_lookup(c, rc, "module_id");
}

/*
 * Puts item id (now in module_id from) into module to at position (0: last): both modules
 * keep 1..n without gaps, and every item whose position changed gets a rev and a feed row.
 */
static int
item_move(struct srv_req *req, const struct rc_course *course, const char *id, const char *from,
          const char *to, int64_t position)
{
	sqlite3_stmt *st;
	int rc = store_db_stmt(req->db, "UPDATE items SET module_id = ? WHERE id = ?", &st);

	if (rc != 0)
		return rc;
	store_bind_text(st, 1, to);
	store_bind_text(st, 2, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "move item");
	sqlite3_reset(st);
	if (rc == 0)
		rc = rc_place(req, "items", "item", "module_id", to, course->ref.id, id, position);
	if (rc == 0)
		rc = rc_place(req, "items", "item", "module_id", from, course->ref.id, NULL, 0);
	return rc;
}

static void
item_patch(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0], *to = NULL;
	char module_id[LC_UUID_LEN + 1];
	struct rc_course course;
	struct srv_check c;
	int64_t position = 0, rev = 0;
	int rc;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "items", id, "item", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "item"))
		goto out;
	item_check(&c, req->body, false, &position);
	item_check_module(req, &c, &course, &to);
	if (srv_check_failed(&c, resp) || rc_rev(req->db, "items", id, &rev) != 0 ||
	    !srv_if_match(req, resp, "item", id, rev))
		goto out;
	rc = item_module(req->db, id, module_id);
	if (rc == 0)
		rc = item_write_fields(req->db, req->body, id);
	/* Its own module is no move: a position reorders it there, none changes nothing. */
	if (rc == 0 && to != NULL && strcmp(to, module_id) != 0)
		rc = item_move(req, &course, id, module_id, to, position);
	else if (rc == 0 && position > 0)
		rc = rc_place(req, "items", "item", "module_id", module_id, course.ref.id, id,
		              position);
	if (rc == 0)
		rc = rc_touch_once(req->db, "items", id, &rev);
	if (rc == 0)
		rc = rc_emit(req, "item", id, rev, course.ref.id);
	if (rc != 0)
		srv_internal(req, resp, rc, "patch item");
	else
		srv_reply(resp, 200, rc_item_doc(req->db, id));
out:
	srv_check_finish(&c);
}

static void
item_delete(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	char module_id[LC_UUID_LEN + 1];
	struct rc_course course;
	int64_t rev = 0;
	int rc;

	if (rc_load_for(req, resp, "items", id, "item", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "item") ||
	    rc_rev(req->db, "items", id, &rev) != 0 || !srv_if_match(req, resp, "item", id, rev))
		return;
	rc = item_module(req->db, id, module_id);
	if (rc == 0)
		rc = rc_delete_item(req, id);
	if (rc == 0)
		rc = rc_place(req, "items", "item", "module_id", module_id, course.ref.id, NULL, 0);
	if (rc != 0)
		srv_internal(req, resp, rc, "delete item");
	else
		srv_reply(resp, 204, NULL);
}

const struct srv_route srv_routes_items[] = {
    {"GET", "/modules/{id}/items", items_list, 0, "", "page,limit", NULL},
    {"POST", "/modules/{id}/items", items_create, 0,
     "id,title,kind,body,url,due_at,points,required,max_attempts,position", "", NULL},
    {"GET", "/items/{id}", item_get, 0, "", "", NULL},
    {"PATCH", "/items/{id}", item_patch, 0,
     "title,kind,body,url,due_at,points,required,max_attempts,position,module_id", "", "item"},
    {"DELETE", "/items/{id}", item_delete, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

const struct srv_type srv_types_items[] = {
    {"item", item_render},
    {NULL, NULL},
};
