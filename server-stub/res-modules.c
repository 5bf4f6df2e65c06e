/* SPDX-License-Identifier: MIT */
/*
 * Modules of a course: list, create (position defaults to last), get, patch (a new
 * position moves the module and renumbers the others), delete (takes its items) and
 * reorder. Positions are always 1..n without gaps; every module whose position changes
 * gets a new rev and a feed entry, so replicas see the same order.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "res-course.h"
#include "srv.h"

#define MODULE_TITLE_MAX 200

static int
module_render(struct srv_req *req, const char *id, cJSON **out)
{
	struct rc_course course;
	int rc = rc_render_course(req, "modules", id, &course);

	if (rc != 0)
		return rc;
	*out = rc_module_doc(req->db, id);
	return rc_doc_result(req->db, *out);
}

static cJSON *
module_doc(struct store_db *db, const char *id, void *ctx)
{
	return rc_module_doc(db, id);
}

static void
modules_list(struct srv_req *req, struct srv_resp *resp)
{
	const char *course_id = req->params[0];
	struct rc_course course;
	struct srv_check c;
	struct srv_page page;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "courses", course_id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_content(req, &course.ref), resp, "course"))
		goto out;
	srv_page_parse(req, &c, &page);
	if (srv_check_failed(&c, resp))
		goto out;
	rc_reply_children(req, resp, &page, "modules", "course_id", course_id, module_doc, NULL);
out:
	srv_check_finish(&c);
}

static void
module_create(struct srv_req *req, struct srv_resp *resp)
{
	const char *course_id = req->params[0];
	struct rc_course course;
	struct srv_check c;
	char id[LC_UUID_LEN + 1], now[32];
	const char *title = NULL;
	int64_t position = 0, n;
	sqlite3_stmt *st;
	int rc;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "courses", course_id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "course"))
		goto out;
	srv_get_new_id(&c, req->body, id);
	srv_get_str(&c, req->body, "title", SRV_REQUIRED, 1, MODULE_TITLE_MAX, &title);
	srv_get_int(&c, req->body, "position", 0, 1, INT32_MAX, &position);
	if (srv_check_failed(&c, resp))
		goto out;
	if (!srv_id_free(req, resp, "modules", id, "module"))
		goto out;
	n = rc_count(req->db, "SELECT count(*) FROM modules WHERE course_id = ?", course_id);
	if (n < 0) {
		srv_internal(req, resp, (int)n, "modules");
		goto out;
	}
	if (position < 1 || position > n + 1)
		position = n + 1;
	srv_now(now);
	rc = store_db_stmt(req->db,
	                   "INSERT INTO modules (id, course_id, title, position, created_at, "
	                   "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
	                   &st);
	if (rc == 0) {
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, course_id);
		store_bind_text(st, 3, title);
		sqlite3_bind_int64(st, 4, position);
		store_bind_text(st, 5, now);
		store_bind_text(st, 6, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0
		                                     : store_db_fail(req->db, -1, "insert module");
		sqlite3_reset(st);
	}
	if (rc == 0)
		rc = rc_place(req, "modules", "module", "course_id", course_id, course_id, id,
		              position);
	if (rc == 0)
		rc = rc_emit(req, "module", id, 1, course_id);
	if (rc != 0)
		srv_internal(req, resp, rc, "create module");
	else
		srv_reply(resp, 201, rc_module_doc(req->db, id));
out:
	srv_check_finish(&c);
}

static void
module_get(struct srv_req *req, struct srv_resp *resp)
{
	cJSON *doc = NULL;
	int rc;

	if (!rc_content_check(req, resp, "modules", req->params[0], "module"))
		return;
	rc = module_render(req, req->params[0], &doc);
	if (rc == -LC_ENOTFOUND)
		srv_not_found(resp, "module");
	else if (rc != 0)
		srv_internal(req, resp, rc, "get module");
	else
		srv_reply(resp, 200, doc);
}

static void
module_patch(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct rc_course course;
	struct srv_check c;
	const char *title = NULL;
	int64_t position = 0, rev = 0;
	int has_title, has_pos, rc = 0;
	sqlite3_stmt *st;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "modules", id, "module", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "module"))
		goto out;
	has_title = srv_get_str(&c, req->body, "title", 0, 1, MODULE_TITLE_MAX, &title);
	has_pos = srv_get_int(&c, req->body, "position", 0, 1, INT32_MAX, &position);
	if (srv_check_failed(&c, resp) || rc_rev(req->db, "modules", id, &rev) != 0 ||
	    !srv_if_match(req, resp, "module", id, rev))
		goto out;
	if (has_title == SRV_GOT) {
		rc = store_db_stmt(req->db, "UPDATE modules SET title = ? WHERE id = ?", &st);
		if (rc == 0) {
			store_bind_text(st, 1, title);
			store_bind_text(st, 2, id);
			rc = sqlite3_step(st) == SQLITE_DONE ? 0
			                                     : store_db_fail(req->db, -1, "title");
			sqlite3_reset(st);
		}
	}
	/* Move first (it may bump this module's rev), then one bump for the patch itself. */
	if (rc == 0 && has_pos == SRV_GOT)
		rc = rc_place(req, "modules", "module", "course_id", course.ref.id, course.ref.id,
		              id, position);
	if (rc == 0)
		rc = rc_touch_once(req->db, "modules", id, &rev);
	if (rc == 0)
		rc = rc_emit(req, "module", id, rev, course.ref.id);
	if (rc != 0)
		srv_internal(req, resp, rc, "patch module");
	else
		srv_reply(resp, 200, rc_module_doc(req->db, id));
out:
	srv_check_finish(&c);
}

static void
module_delete(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct rc_course course;
	int64_t rev = 0;
	int rc;

	if (rc_load_for(req, resp, "modules", id, "module", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "module") ||
	    rc_rev(req->db, "modules", id, &rev) != 0 ||
	    !srv_if_match(req, resp, "module", id, rev))
		return;
	rc = rc_delete_module(req, id);
	if (rc == 0)
		rc = rc_place(req, "modules", "module", "course_id", course.ref.id, course.ref.id,
		              NULL, 0);
	if (rc != 0)
		srv_internal(req, resp, rc, "delete module");
	else
		srv_reply(resp, 204, NULL);
}

/*
 * 1 when ids (strings) name every module of the course exactly once, 0 when they do not,
 * -LC_EDB when the modules could not be read (a 500, not a bad module_ids).
 */
static int
reorder_valid(struct store_db *db, const char *course_id, const cJSON *ids, int n)
{
	const cJSON *el, *other;
	sqlite3_stmt *st;
	int64_t count;
	int rc;

	if (!cJSON_IsArray(ids))
		return 0;
	count = rc_count(db, "SELECT count(*) FROM modules WHERE course_id = ?", course_id);
	if (count < 0)
		return (int)count;
	if (n != count)
		return 0;
	cJSON_ArrayForEach(el, ids)
	{
		if (!cJSON_IsString(el))
			return 0;
		for (other = el->next; other != NULL; other = other->next)
			if (cJSON_IsString(other) &&
			    strcmp(other->valuestring, el->valuestring) == 0)
				return 0;
		rc = store_db_stmt(db, "SELECT 1 FROM modules WHERE id = ? AND course_id = ?", &st);
		if (rc != 0)
			return rc;
		store_bind_text(st, 1, el->valuestring);
		store_bind_text(st, 2, course_id);
		rc = store_db_next_row(db, st, "reorder");
		sqlite3_reset(st);
		if (rc != 1)
			return rc;
	}
	return 1;
}

static void
modules_reorder(struct srv_req *req, struct srv_resp *resp)
{
	const char *course_id = req->params[0];
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(req->body, "module_ids");
	struct rc_course course;
	const char **order;
	struct srv_page page = {1, 100, 0};
	cJSON *items, *el;
	int n = cJSON_GetArraySize(ids), k = 0, rc;

	if (rc_load_for(req, resp, "courses", course_id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "course"))
		return;
	rc = reorder_valid(req->db, course_id, ids, n);
	if (rc < 0) {
		srv_internal(req, resp, rc, "reorder modules");
		return;
	}
	if (rc == 0) {
		srv_bad_params(resp, "module_ids");
		return;
	}
	order = lc_calloc((size_t)n + 1, sizeof *order);
	cJSON_ArrayForEach(el, ids) order[k++] = el->valuestring;
	rc = rc_apply_order(req, "modules", "module", course_id, order, n);
	free(order);
	if (rc != 0) {
		srv_internal(req, resp, rc, "reorder modules");
		return;
	}
	items = cJSON_CreateArray();
	cJSON_ArrayForEach(el, ids)
	{
		rc = rc_add_doc(req->db, items, rc_module_doc(req->db, el->valuestring));
		if (rc != 0) {
			cJSON_Delete(items);
			srv_internal(req, resp, rc, "reorder modules");
			return;
		}
	}
	page.limit = n > 0 ? n : 1;
	srv_reply(resp, 200, srv_page_body(&page, items, n));
}

const struct srv_route srv_routes_modules[] = {
    {"GET", "/courses/{id}/modules", modules_list, 0, "", "page,limit", NULL},
    {"POST", "/courses/{id}/modules", module_create, 0, "id,title,position", "", NULL},
    {"POST", "/courses/{id}/modules/reorder", modules_reorder, 0, "module_ids", "", NULL},
    {"GET", "/modules/{id}", module_get, 0, "", "", NULL},
    {"PATCH", "/modules/{id}", module_patch, 0, "title,position", "", "module"},
    {"DELETE", "/modules/{id}", module_delete, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

const struct srv_type srv_types_modules[] = {
    {"module", module_render},
    {NULL, NULL},
};
