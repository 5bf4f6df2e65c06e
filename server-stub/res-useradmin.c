/* SPDX-License-Identifier: MIT */
/*
 * Administering users: the list, role and department-membership changes, deletion.
 * Deleting a user takes their enrollments, progress and attempts (each a tombstone in
 * every scope that carried it); their forum posts stay, shown as "deleted user", so those
 * posts and the courses they owned get a new rev.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"

/* Who a users list may show: everyone for an admin, else members of departments the
 * caller administers (theirs and those below them); filtered by role and a substring of names or
 * email. */
#define USERS_WHERE                                                                                \
	" FROM users u WHERE (?1 IS NULL OR role = ?1) AND (?2 IS NULL OR username LIKE ?2 "       \
	"ESCAPE '\\' OR first_name LIKE ?2 ESCAPE '\\' OR last_name LIKE ?2 ESCAPE '\\' OR "       \
	"email LIKE ?2 ESCAPE '\\') AND (?3 OR id IN (SELECT m.user_id FROM memberships m WHERE "  \
	"m.department_id IN " SRV_SQL_ADMINISTERED("?4") "))"

static int
users_prepare(struct srv_req *req, const char *sql, const char *role, const char *like,
              sqlite3_stmt **stmt)
{
	int rc = store_db_prepare_new(req->db, sql, stmt);

	if (rc != 0)
		return rc;
	store_bind_text(*stmt, 1, role);
	store_bind_text(*stmt, 2, like);
	sqlite3_bind_int(*stmt, 3, req->viewer->role == SRV_ROLE_ADMIN);
	store_bind_text(*stmt, 4, req->viewer->id);
	return 0;
}

/* The page of user docs and the total. */
static int
users_page(struct srv_req *req, const char *role, const char *like, const struct srv_page *page,
           cJSON *items, int64_t *total)
{
	sqlite3_stmt *stmt;
	int rc = users_prepare(req, "SELECT count(*)" USERS_WHERE, role, like, &stmt);

	if (rc != 0)
		return rc;
	rc = store_db_next_row(req->db, stmt, "count users");
	*total = rc == 1 ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_finalize(stmt);
	if (rc < 0)
		return rc;
	rc = users_prepare(req, "SELECT id" USERS_WHERE " ORDER BY username LIMIT ?5 OFFSET ?6",
	                   role, like, &stmt);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(stmt, 5, page->limit);
	sqlite3_bind_int64(stmt, 6, page->offset);
	while ((rc = store_db_next_row(req->db, stmt, "users")) == 1) {
		cJSON *doc;

		rc = srv_user_doc(req->db, (const char *)sqlite3_column_text(stmt, 0), true, &doc);
		if (rc != 0)
			break;
		cJSON_AddItemToArray(items, doc);
	}
	sqlite3_finalize(stmt);
	return rc < 0 ? rc : 0;
}

static void
users_list(struct srv_req *req, struct srv_resp *resp)
{
	const char *role = srv_query(req, "role"), *search = srv_query(req, "search");
	struct srv_check c;
	struct srv_page page;
	cJSON *items;
	int64_t total = 0;
	char *like;
	int rc;

	if (!srv_perm_check(srv_perm_users_list(req), resp, "user"))
		return;
	srv_check_init(&c);
	srv_page_parse(req, &c, &page);
	if (role && srv_role_parse(role) < 0)
		srv_check_bad(&c, "role");
	if (srv_check_failed(&c, resp)) {
		srv_check_finish(&c);
		return;
	}
	srv_check_finish(&c);
	like = search ? srv_like_contains(search) : NULL;
	items = cJSON_CreateArray();
	rc = users_page(req, role, like, &page, items, &total);
	free(like);
	if (rc != 0) {
		cJSON_Delete(items);
		srv_internal(req, resp, rc, "users list");
		return;
	}
	srv_reply(resp, 200, srv_page_body(&page, items, total));
}

static int
dept_roles_parse(const cJSON *arr, unsigned *out)
{
	static const char *const names[] = {"instructor", "content-admin", "department-admin"};
	const cJSON *e;

	*out = 0;
	if (!cJSON_IsArray(arr))
		return -1;
	cJSON_ArrayForEach(e, arr)
	{
		int found = -1;

		for (int i = 0; i < 3 && cJSON_IsString(e); i++)
			if (strcmp(e->valuestring, names[i]) == 0)
				found = i;
		if (found < 0)
			return -1;
		*out |= 1u << found;
	}
	return 0;
}

#define MAX_SET 16

struct roles_change {
	int role; /* -1: unchanged */
	int n;
	const char *dept[MAX_SET];
	unsigned roles[MAX_SET];
	bool has_departments;
};

static bool
roles_parse(struct srv_req *req, struct srv_resp *resp, struct roles_change *ch)
{
	static const char *const roles[] = {"learner", "instructor", "admin", NULL};
	const char *role = NULL;
	const cJSON *deps = cJSON_GetObjectItemCaseSensitive(req->body, "departments"), *e;
	struct srv_check c;
	bool failed;

	memset(ch, 0, sizeof(*ch));
	srv_check_init(&c);
	if (!cJSON_IsObject(req->body))
		srv_check_bad(&c, "body");
	srv_get_enum(&c, req->body, "role", SRV_OPTIONAL, roles, &role);
	ch->role = role ? srv_role_parse(role) : -1;
	if (deps) {
		ch->has_departments = true;
		if (!cJSON_IsArray(deps) || cJSON_GetArraySize(deps) > MAX_SET)
			srv_check_bad(&c, "departments");
		const cJSON *list = cJSON_IsArray(deps) ? deps : NULL;

		cJSON_ArrayForEach(e, list)
		{
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "department_id");
			int found =
			    ch->n < MAX_SET && cJSON_IsString(id) && lc_uuid_valid(id->valuestring)
			        ? srv_row_find(req->db, "departments", id->valuestring)
			        : 0;

			if (found != 1 ||
			    dept_roles_parse(cJSON_GetObjectItemCaseSensitive(e, "roles"),
			                     &ch->roles[ch->n]) != 0) {
				srv_check_lookup(&c, found == 1 ? 0 : found, "departments");
				break;
			}
			ch->dept[ch->n++] = id->valuestring;
		}
	}
	failed = srv_check_failed(&c, resp);
	srv_check_finish(&c);
	return !failed;
}

static int
roles_apply(struct srv_req *req, const char *id, const struct roles_change *ch)
{
	bool admin = req->viewer->role == SRV_ROLE_ADMIN;
	sqlite3_stmt *stmt;
	int rc = 0;

	if (ch->role >= 0) {
		rc = store_db_stmt(req->db, "UPDATE users SET role = ? WHERE id = ?", &stmt);
		if (rc == 0) {
			store_bind_text(stmt, 1, srv_role_name((enum srv_role)ch->role));
			store_bind_text(stmt, 2, id);
			rc = sqlite3_step(stmt) == SQLITE_DONE
			         ? 0
			         : store_db_fail(req->db, SQLITE_ERROR, "role");
		}
	}
	if (rc == 0 && ch->has_departments) {
		/* The list replaces the memberships the caller administers (all, for an admin). */
		rc = store_db_stmt(
		    req->db,
		    "DELETE FROM memberships WHERE user_id = ?1 AND (?2 OR department_id "
		    "IN " SRV_SQL_ADMINISTERED("?3") ")",
		    &stmt);
		if (rc == 0) {
			store_bind_text(stmt, 1, id);
			sqlite3_bind_int(stmt, 2, admin);
			store_bind_text(stmt, 3, req->viewer->id);
			rc = sqlite3_step(stmt) == SQLITE_DONE
			         ? 0
			         : store_db_fail(req->db, SQLITE_ERROR, "members");
		}
	}
	for (int i = 0; rc == 0 && ch->has_departments && i < ch->n; i++) {
		if (ch->roles[i] == 0)
			continue;
		rc = store_db_stmt(
		    req->db,
		    "INSERT OR REPLACE INTO memberships (user_id, department_id, roles) "
		    "VALUES (?, ?, ?)",
		    &stmt);
		if (rc == 0) {
			store_bind_text(stmt, 1, id);
			store_bind_text(stmt, 2, ch->dept[i]);
			sqlite3_bind_int(stmt, 3, (int)ch->roles[i]);
			rc = sqlite3_step(stmt) == SQLITE_DONE
			         ? 0
			         : store_db_fail(req->db, SQLITE_ERROR, "member");
		}
	}
	return rc == 0 ? srv_user_touch(req, id) : rc;
}

/* The rev of row id of table into *rev: 0, -LC_ENOTFOUND, or -LC_EDB (not "absent"). */
static int
rev_of(struct store_db *db, const char *table, const char *id, int64_t *rev)
{
	char sql[96];
	sqlite3_stmt *stmt;
	int rc;

	*rev = -1;
	snprintf(sql, sizeof(sql), "SELECT rev FROM %s WHERE id = ?", table);
	rc = store_db_stmt(db, sql, &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	rc = store_db_next_row(db, stmt, table);
	if (rc == 1)
		*rev = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc == 1 ? 0 : rc == 0 ? -LC_ENOTFOUND : rc;
}

static void
user_roles(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct roles_change ch;
	cJSON *doc;
	int rc;

	int64_t rev;

	rc = lc_uuid_valid(id) ? rev_of(req->db, "users", id, &rev) : -LC_ENOTFOUND;
	if (rc == -LC_ENOTFOUND) {
		srv_not_found(resp, "user");
		return;
	}
	if (rc != 0) {
		srv_internal(req, resp, rc, "roles");
		return;
	}
	if (!srv_perm_check(srv_perm_users_list(req), resp, "user") || !roles_parse(req, resp, &ch))
		return;
	if (!srv_perm_check(srv_perm_user_roles(req, id, ch.role, ch.dept, ch.roles, ch.n), resp,
	                    "user"))
		return;
	if (!srv_if_match(req, resp, "user", id, rev))
		return;
	rc = roles_apply(req, id, &ch);
	if (rc == 0)
		rc = srv_user_doc(req->db, id, true, &doc);
	if (rc != 0)
		srv_internal(req, resp, rc, "roles");
	else
		srv_reply(resp, 200, doc);
}

/* Tombstones every row of table (a fixed name) belonging to user_id, as type. */
static int
tombstone_rows(struct srv_req *req, const char *table, const char *type, const char *user_id)
{
	return srv_feed_tombstone_where(req, table, type, "user_id", user_id);
}

/* Posts and courses outlive their author: bump them so replicas show "deleted user". */
static int
bump_authored(struct srv_req *req, const char *table, const char *type, const char *column,
              const char *user_id)
{
	char sql[160], now[32];
	sqlite3_stmt *stmt;
	int rc;

	srv_now(now);
	snprintf(sql, sizeof(sql),
	         "UPDATE %s SET rev = rev + 1, updated_at = ?1 WHERE %s = ?2 "
	         "RETURNING id, rev, course_id",
	         table, column);
	if (strcmp(table, "courses") == 0)
		snprintf(sql, sizeof(sql),
		         "UPDATE courses SET rev = rev + 1, updated_at = ?1 WHERE owner_id = ?2 "
		         "RETURNING id, rev, id, status");
	rc = store_db_prepare_new(req->db, sql, &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, now);
	store_bind_text(stmt, 2, user_id);
	/* RETURNING rows are all computed at the first step, before any feed write. */
	while (rc == 0 && (rc = store_db_next_row(req->db, stmt, table)) == 1) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		int64_t rev = sqlite3_column_int64(stmt, 1);
		const char *course = (const char *)sqlite3_column_text(stmt, 2);

		rc = srv_feed_course(req, course, type, id, rev, false);
		if (rc == 0 && strcmp(table, "courses") == 0 &&
		    strcmp((const char *)sqlite3_column_text(stmt, 3), "published") == 0)
			rc = srv_feed_catalog(req, type, id, rev, false);
	}
	sqlite3_finalize(stmt);
	return rc;
}

static void
user_delete(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	sqlite3_stmt *stmt;
	int64_t rev;
	int rc;

	rc = lc_uuid_valid(id) ? rev_of(req->db, "users", id, &rev) : -LC_ENOTFOUND;
	if (rc == -LC_ENOTFOUND) {
		srv_not_found(resp, "user");
		return;
	}
	if (rc != 0) {
		srv_internal(req, resp, rc, "user delete");
		return;
	}
	if (!srv_perm_check(srv_perm_user_delete(req, id), resp, "user") ||
	    !srv_if_match(req, resp, "user", id, rev))
		return;
	rc = tombstone_rows(req, "enrollments", "enrollment", id);
	if (rc == 0)
		rc = tombstone_rows(req, "progress", "progress", id);
	if (rc == 0)
		rc = tombstone_rows(req, "attempts", "attempt", id);
	if (rc == 0)
		rc = bump_authored(req, "topics", "topic", "author_id", id);
	if (rc == 0)
		rc = bump_authored(req, "replies", "reply", "author_id", id);
	if (rc == 0)
		rc = bump_authored(req, "courses", "course", "owner_id", id);
	if (rc == 0)
		rc = srv_feed_delete_everywhere(req, "user", id, rev + 1);
	if (rc == 0)
		rc = store_db_stmt(req->db, "DELETE FROM users WHERE id = ?", &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, id);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "delete user");
	}
	if (rc != 0)
		srv_internal(req, resp, rc, "user delete");
	else
		srv_reply(resp, 204, NULL);
}

static void
user_get(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	cJSON *doc;
	int rc;

	if (!srv_perm_check(srv_perm_users_list(req), resp, "user"))
		return;
	/* Only users the caller administers (security review 2026-11-29, M2). */
	if (!lc_uuid_valid(id)) {
		srv_not_found(resp, "user");
		return;
	}
	if (!srv_perm_check(srv_perm_user_read(req, id), resp, "user"))
		return;
	rc = srv_user_doc(req->db, id, true, &doc);
	if (rc == -LC_ENOTFOUND) {
		srv_not_found(resp, "user");
		return;
	}
	if (rc != 0) {
		srv_internal(req, resp, rc, "user");
		return;
	}
	srv_reply(resp, 200, doc);
}

/*
 * POST /users/{id}/sessions/revoke (issue 13, a Lectern extension): ends every session of
 * the user, so that each of their refresh tokens (and access tokens) stops working; a
 * kiosk that kept an offline sign-in verifier for them wipes it at its next online contact,
 * which is how an admin takes offline sign-in away. 204, also when there was none.
 */
static void
user_sessions_revoke(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	sqlite3_stmt *stmt;
	int rc;

	if (!srv_perm_check(srv_perm_users_list(req), resp, "user"))
		return;
	rc = lc_uuid_valid(id) ? srv_row_find(req->db, "users", id) : 0;
	if (rc < 0) {
		srv_internal(req, resp, rc, "sessions revoke");
		return;
	}
	if (rc == 0) {
		srv_not_found(resp, "user");
		return;
	}
	if (!srv_perm_check(srv_perm_user_sessions_revoke(req, id), resp, "user"))
		return;
	rc = store_db_stmt(req->db, "UPDATE sessions SET revoked = 1 WHERE user_id = ?", &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, id);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "revoke sessions");
	}
	if (rc != 0) {
		srv_internal(req, resp, rc, "sessions revoke");
		return;
	}
	lc_log(LC_LOG_INFO, "request %s: every session of user %s revoked", req->request_id, id);
	srv_reply(resp, 204, NULL);
}

const struct srv_route srv_routes_users[] = {
    {"GET", "/users/me", srv_users_me_get, 0, "", "", NULL},
    {"PATCH", "/users/me", srv_users_me_patch, 0, "first_name,last_name,bio,email", "", "user"},
    {"POST", "/users/me/password", srv_users_me_password, SRV_ROUTE_SLOW,
     "old_password,new_password", "", NULL},
    {"GET", "/users", users_list, 0, "", "role,search,page,limit", NULL},
    {"GET", "/users/{id}/profile", srv_users_profile, SRV_ROUTE_PUBLIC, "", "", NULL},
    {"PATCH", "/users/{id}/roles", user_roles, 0, "role,departments", "", "user"},
    {"GET", "/users/{id}", user_get, 0, "", "", NULL},
    {"DELETE", "/users/{id}", user_delete, 0, "", "", NULL},
    {"POST", "/users/{id}/sessions/revoke", user_sessions_revoke, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};
