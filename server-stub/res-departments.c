/* SPDX-License-Identifier: MIT */
/*
 * Departments: {name, code, parent_id}. Any signed-in user may read them (they are part
 * of the catalog scope); admins manage all. A department-admin renames their department and
 * those below it and creates departments below them, which they then manage too (rights
 * follow the tree, perm.c); moving a department to another parent and deleting one are an
 * admin's (seed 004). The tree is at most SRV_DEPT_DEPTH_MAX levels deep.
 */
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "server-stub/srv.h"

static int
dept_doc(struct store_db *db, const char *id, cJSON **out)
{
	sqlite3_stmt *stmt;
	cJSON *doc;
	int rc = store_db_stmt(db,
	                       "SELECT id, name, code, parent_id, rev, created_at, updated_at "
	                       "FROM departments WHERE id = ?",
	                       &stmt);

	*out = NULL;
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? -LC_ENOTFOUND : store_db_fail(db, rc, "department");
	doc = cJSON_CreateObject();
	srv_json_add_col(doc, "id", stmt, 0);
	srv_json_add_col(doc, "name", stmt, 1);
	srv_json_add_col(doc, "code", stmt, 2);
	srv_json_add_col(doc, "parent_id", stmt, 3);
	cJSON_AddNumberToObject(doc, "rev", (double)sqlite3_column_int64(stmt, 4));
	srv_json_add_col(doc, "created_at", stmt, 5);
	srv_json_add_col(doc, "updated_at", stmt, 6);
	*out = doc;
	return 0;
}

static int
dept_render(struct srv_req *req, const char *id, cJSON **out)
{
	return dept_doc(req->db, id, out);
}

static void
reply_dept(struct srv_req *req, struct srv_resp *resp, const char *id, int status)
{
	cJSON *doc;
	int rc = dept_doc(req->db, id, &doc);

	if (rc == -LC_ENOTFOUND)
		srv_not_found(resp, "department");
	else if (rc != 0)
		srv_internal(req, resp, rc, "department");
	else
		srv_reply(resp, status, doc);
}

/* dept_rev() when the lookup failed: an error, not an absent department. */
#define DEPT_REV_ERROR (-2)

/* The rev of department id: -1 when there is none, DEPT_REV_ERROR when SQLite failed. */
static int64_t
dept_rev(struct store_db *db, const char *id)
{
	sqlite3_stmt *stmt;
	int64_t rev = -1;
	int rc;

	if (!lc_uuid_valid(id))
		return -1;
	if (store_db_stmt(db, "SELECT rev FROM departments WHERE id = ?", &stmt) != 0)
		return DEPT_REV_ERROR;
	store_bind_text(stmt, 1, id);
	rc = store_db_next_row(db, stmt, "department rev");
	if (rc == 1)
		rev = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc < 0 ? DEPT_REV_ERROR : rev;
}

static void
dept_list(struct srv_req *req, struct srv_resp *resp)
{
	const char *parent = srv_query(req, "parent_id"), *search = srv_query(req, "search");
	struct srv_check c;
	struct srv_page page;
	sqlite3_stmt *stmt;
	cJSON *items = NULL;
	char *like = NULL;
	int64_t total = 0;
	int rc;

	srv_check_init(&c);
	srv_page_parse(req, &c, &page);
	if (parent && !lc_uuid_valid(parent))
		srv_check_bad(&c, "parent_id");
	if (srv_check_failed(&c, resp))
		goto out;
	like = search ? srv_like_contains(search) : NULL;
	rc = store_db_stmt(
	    req->db,
	    "SELECT count(*) FROM departments WHERE (?1 IS NULL OR parent_id = ?1) "
	    "AND (?2 IS NULL OR name LIKE ?2 ESCAPE '\\' OR code LIKE ?2 ESCAPE '\\')",
	    &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, parent);
		store_bind_text(stmt, 2, like);
		rc = store_db_next_row(req->db, stmt, "count departments");
		if (rc == 1)
			total = sqlite3_column_int64(stmt, 0);
		if (rc >= 0)
			rc = store_db_prepare_new(
			    req->db,
			    "SELECT id FROM departments WHERE (?1 IS NULL OR parent_id = ?1) "
			    "AND (?2 IS NULL OR name LIKE ?2 ESCAPE '\\' OR code LIKE ?2 ESCAPE "
			    "'\\') "
			    "ORDER BY name, id LIMIT ?3 OFFSET ?4",
			    &stmt);
	}
	items = cJSON_CreateArray();
	if (rc == 0) {
		store_bind_text(stmt, 1, parent);
		store_bind_text(stmt, 2, like);
		sqlite3_bind_int64(stmt, 3, page.limit);
		sqlite3_bind_int64(stmt, 4, page.offset);
		while ((rc = store_db_next_row(req->db, stmt, "departments")) == 1) {
			cJSON *doc;

			rc = dept_doc(req->db, (const char *)sqlite3_column_text(stmt, 0), &doc);
			if (rc != 0)
				break;
			cJSON_AddItemToArray(items, doc);
		}
		sqlite3_finalize(stmt);
		rc = rc < 0 ? rc : 0;
	}
	if (rc != 0) {
		cJSON_Delete(items);
		srv_internal(req, resp, rc, "departments");
		goto out;
	}
	srv_reply(resp, 200, srv_page_body(&page, items, total));
out:
	free(like);
	srv_check_finish(&c);
}

static void
dept_get(struct srv_req *req, struct srv_resp *resp)
{
	if (!lc_uuid_valid(req->params[0])) {
		srv_not_found(resp, "department");
		return;
	}
	reply_dept(req, resp, req->params[0], 200);
}

/* 1 when making parent the parent of id would close a loop, 0 if not, or -LC_EDB. */
static int
makes_cycle(struct store_db *db, const char *id, const char *parent)
{
	sqlite3_stmt *stmt;
	int rc;

	if (strcmp(id, parent) == 0)
		return 1;
	rc = store_db_stmt(db,
	                   "WITH RECURSIVE up(id) AS (SELECT ?1 UNION SELECT d.parent_id FROM "
	                   "departments d JOIN up ON d.id = up.id WHERE d.parent_id IS NOT NULL) "
	                   "SELECT 1 FROM up WHERE id = ?2",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, parent);
	store_bind_text(stmt, 2, id);
	rc = store_db_next_row(db, stmt, "department cycle");
	sqlite3_reset(stmt);
	return rc;
}

/* Levels from the top down to id (0 when id is NULL), or -LC_EDB when it cannot tell. */
static int
dept_level(struct store_db *db, const char *id)
{
	struct srv_dept_chain chain;
	int rc = srv_dept_chain_load(db, id, &chain);

	return rc != 0 ? rc : chain.n;
}

/* Levels of the subtree rooted at id, id itself counting 1 (capped past the limit), or
 * -LC_EDB. */
static int
dept_height(struct store_db *db, const char *id)
{
	sqlite3_stmt *stmt;
	int rc, height;

	rc = store_db_stmt(db,
	                   "WITH RECURSIVE down(id, depth) AS (SELECT ?1, 1 UNION ALL "
	                   "SELECT d.id, down.depth + 1 FROM departments d JOIN down "
	                   "ON d.parent_id = down.id WHERE down.depth <= ?2) "
	                   "SELECT max(depth) FROM down",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, SRV_DEPT_DEPTH_MAX);
	rc = store_db_next_row(db, stmt, "department height");
	height = rc == 1 ? sqlite3_column_int(stmt, 0) : rc;
	sqlite3_reset(stmt);
	return height;
}

/*
 * 1 when department id (NULL: a new one) placed below parent stays within the depth limit,
 * 0 when it would not, -LC_EDB when it cannot tell.
 */
static int
depth_ok(struct store_db *db, const char *id, const char *parent)
{
	int level = dept_level(db, parent);
	int height = id ? dept_height(db, id) : 1;

	if (level < 0 || height < 0)
		return level < 0 ? level : height;
	return level + height <= SRV_DEPT_DEPTH_MAX;
}

/*
 * 1 when parent (NULL: none) is not the department's parent today, 0 when it is (or the
 * department is gone: its own lookup answers that), -LC_EDB when it cannot tell.
 */
static int
parent_changes(struct store_db *db, const char *id, const char *parent)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = store_db_stmt(db, "SELECT parent_id IS ?2 FROM departments WHERE id = ?1", &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, parent);
	rc = store_db_next_row(db, stmt, "department parent");
	if (rc == 1)
		rc = sqlite3_column_int(stmt, 0) == 0;
	sqlite3_reset(stmt);
	return rc;
}

/* 1 when another department has code, 0 if none, -LC_EDB when it cannot tell. */
static int
code_taken(struct store_db *db, const char *code, const char *except_id)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT 1 FROM departments WHERE code = ? AND id != ?", &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, code);
	store_bind_text(stmt, 2, except_id);
	rc = store_db_next_row(db, stmt, "department code");
	sqlite3_reset(stmt);
	return rc;
}

/* Answers 409 or 500 and returns false unless code is free for department id. */
static bool
code_free(struct srv_req *req, struct srv_resp *resp, const char *code, const char *id)
{
	int rc = code_taken(req->db, code, id);

	if (rc < 0)
		srv_internal(req, resp, rc, "department code");
	else if (rc > 0)
		srv_conflict(resp, "A department with that code already exists");
	return rc == 0;
}

static void
dept_create(struct srv_req *req, struct srv_resp *resp)
{
	const char *name = NULL, *code = NULL, *parent = NULL;
	char id[LC_UUID_LEN + 1], now[32];
	struct srv_check c;
	sqlite3_stmt *stmt;
	int rc;

	srv_check_init(&c);
	if (!cJSON_IsObject(req->body))
		srv_check_bad(&c, "body");
	srv_get_new_id(&c, req->body, id);
	srv_get_str(&c, req->body, "name", SRV_REQUIRED, 1, 200, &name);
	srv_get_str(&c, req->body, "code", SRV_REQUIRED, 1, 32, &code);
	if (srv_get_uuid(&c, req->body, "parent_id", SRV_NULLABLE, &parent) == SRV_GOT && parent) {
		int found = srv_row_find(req->db, "departments", parent);

		srv_check_lookup(&c, found == 1 ? depth_ok(req->db, NULL, parent) : found,
		                 "parent_id");
	}
	if (srv_check_failed(&c, resp))
		goto out;
	if (!srv_perm_check(srv_perm_department_manage(req, parent), resp, "department"))
		goto out;
	if (!srv_id_free(req, resp, "departments", id, "department"))
		goto out;
	if (!code_free(req, resp, code, id))
		goto out;
	srv_now(now);
	rc = store_db_stmt(req->db,
	                   "INSERT INTO departments (id, name, code, parent_id, created_at, "
	                   "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
	                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, id);
		store_bind_text(stmt, 2, name);
		store_bind_text(stmt, 3, code);
		store_bind_text(stmt, 4, parent);
		store_bind_text(stmt, 5, now);
		store_bind_text(stmt, 6, now);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "department");
	}
	if (rc == 0)
		rc = srv_feed_catalog(req, "department", id, 1, false);
	if (rc != 0)
		srv_internal(req, resp, rc, "department create");
	else
		reply_dept(req, resp, id, 201);
out:
	srv_check_finish(&c);
}

static int
dept_update(struct srv_req *req, const char *id, const char *name, const char *code, int got_parent,
            const char *parent)
{
	sqlite3_stmt *stmt;
	char now[32];
	int rc;

	srv_now(now);
	rc = store_db_stmt(req->db,
	                   "UPDATE departments SET name = coalesce(?1, name), code = coalesce(?2, "
	                   "code), parent_id = CASE WHEN ?3 THEN ?4 ELSE parent_id END, "
	                   "rev = rev + 1, updated_at = ?5 WHERE id = ?6 RETURNING rev",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, name);
	store_bind_text(stmt, 2, code);
	sqlite3_bind_int(stmt, 3, got_parent == SRV_GOT);
	store_bind_text(stmt, 4, parent);
	store_bind_text(stmt, 5, now);
	store_bind_text(stmt, 6, id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return store_db_fail(req->db, SQLITE_ERROR, "department update");
	return srv_feed_catalog(req, "department", id, sqlite3_column_int64(stmt, 0), false);
}

static void
dept_patch(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0], *name = NULL, *code = NULL, *parent = NULL;
	int64_t rev = dept_rev(req->db, id);
	struct srv_check c;
	int got_parent, moves, rc;

	if (rev == DEPT_REV_ERROR) {
		srv_internal(req, resp, -LC_EDB, "department");
		return;
	}
	if (rev < 0) {
		srv_not_found(resp, "department");
		return;
	}
	srv_check_init(&c);
	if (!cJSON_IsObject(req->body))
		srv_check_bad(&c, "body");
	srv_get_str(&c, req->body, "name", SRV_OPTIONAL, 1, 200, &name);
	srv_get_str(&c, req->body, "code", SRV_OPTIONAL, 1, 32, &code);
	got_parent = srv_get_uuid(&c, req->body, "parent_id", SRV_NULLABLE, &parent);
	if (parent) {
		int found = srv_row_find(req->db, "departments", parent);
		int cycle = found == 1 ? makes_cycle(req->db, id, parent) : 0;
		int fits = found == 1 && cycle == 0 ? depth_ok(req->db, id, parent) : 1;

		/* A loop or too deep a tree is a bad parent_id; a failed look is a 500, not a 400.
		 */
		srv_check_lookup(&c,
		                 cycle < 0    ? cycle
		                 : cycle == 1 ? 0
		                 : fits != 1  ? fits
		                              : found,
		                 "parent_id");
	}
	if (srv_check_failed(&c, resp) ||
	    !srv_perm_check(srv_perm_department_manage(req, id), resp, "department"))
		goto out;
	/* Re-parenting is an admin's; naming the current parent again moves nothing (B6). */
	moves = got_parent == SRV_GOT ? parent_changes(req->db, id, parent) : 0;
	if (moves < 0) {
		srv_internal(req, resp, moves, "department parent");
		goto out;
	}
	if (moves && !srv_perm_check(srv_perm_department_move(req, id), resp, "department"))
		goto out;
	if (!srv_if_match(req, resp, "department", id, rev))
		goto out;
	if (code && !code_free(req, resp, code, id))
		goto out;
	rc = dept_update(req, id, name, code, got_parent, parent);
	if (rc != 0)
		srv_internal(req, resp, rc, "department patch");
	else
		reply_dept(req, resp, id, 200);
out:
	srv_check_finish(&c);
}

/* Rows that pointed at the department lose the link: bump them and tell the feed. */
static int
unlink_children(struct srv_req *req, const char *id)
{
	sqlite3_stmt *stmt;
	char now[32];
	int rc;

	srv_now(now);
	rc = store_db_prepare_new(req->db,
	                          "UPDATE departments SET parent_id = NULL, rev = rev + 1, "
	                          "updated_at = ?1 WHERE parent_id = ?2 RETURNING id, rev",
	                          &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, now);
	store_bind_text(stmt, 2, id);
	while (rc == 0 && (rc = store_db_next_row(req->db, stmt, "unlink departments")) == 1)
		rc = srv_feed_catalog(req, "department", (const char *)sqlite3_column_text(stmt, 0),
		                      sqlite3_column_int64(stmt, 1), false);
	sqlite3_finalize(stmt);
	if (rc != 0)
		return rc;
	rc = store_db_prepare_new(
	    req->db,
	    "UPDATE courses SET department_id = NULL, rev = rev + 1, "
	    "updated_at = ?1 WHERE department_id = ?2 RETURNING id, rev, status",
	    &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, now);
	store_bind_text(stmt, 2, id);
	while (rc == 0 && (rc = store_db_next_row(req->db, stmt, "unlink courses")) == 1) {
		const char *cid = (const char *)sqlite3_column_text(stmt, 0);
		int64_t rev = sqlite3_column_int64(stmt, 1);

		rc = srv_feed_course(req, cid, "course", cid, rev, false);
		if (rc == 0 && strcmp((const char *)sqlite3_column_text(stmt, 2), "published") == 0)
			rc = srv_feed_catalog(req, "course", cid, rev, false);
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* Members lose the membership with the department: their user doc changes. */
static int
touch_members(struct srv_req *req, const char *id)
{
	sqlite3_stmt *stmt;
	int rc = store_db_prepare_new(
	    req->db, "DELETE FROM memberships WHERE department_id = ? RETURNING user_id", &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	/* RETURNING rows are computed at the first step, before any touch runs. */
	while (rc == 0 && (rc = store_db_next_row(req->db, stmt, "members")) == 1)
		rc = srv_user_touch(req, (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return rc;
}

static void
dept_delete(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	int64_t rev = dept_rev(req->db, id);
	sqlite3_stmt *stmt;
	int rc;

	if (rev == DEPT_REV_ERROR) {
		srv_internal(req, resp, -LC_EDB, "department");
		return;
	}
	if (rev < 0) {
		srv_not_found(resp, "department");
		return;
	}
	if (!srv_perm_check(srv_perm_department_delete(req, id), resp, "department") ||
	    !srv_if_match(req, resp, "department", id, rev))
		return;
	rc = unlink_children(req, id);
	if (rc == 0)
		rc = srv_feed_delete_everywhere(req, "department", id, rev + 1);
	if (rc == 0)
		rc = touch_members(req, id);
	if (rc == 0)
		rc = store_db_stmt(req->db, "DELETE FROM departments WHERE id = ?", &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, id);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "department");
	}
	if (rc != 0)
		srv_internal(req, resp, rc, "department delete");
	else
		srv_reply(resp, 204, NULL);
}

const struct srv_route srv_routes_departments[] = {
    {"GET", "/departments", dept_list, 0, "", "parent_id,search,page,limit", NULL},
    {"POST", "/departments", dept_create, 0, "id,name,code,parent_id", "", NULL},
    {"GET", "/departments/{id}", dept_get, 0, "", "", NULL},
    {"PATCH", "/departments/{id}", dept_patch, 0, "name,code,parent_id", "", "department"},
    {"DELETE", "/departments/{id}", dept_delete, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

const struct srv_type srv_types_departments[] = {
    {"department", dept_render},
    {NULL, NULL},
};
