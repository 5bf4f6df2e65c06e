/* SPDX-License-Identifier: MIT */
/*
 * /invites: the codes of the registration policy (lecternd --registration, res-auth.c).
 *
 * An invite carries the role the new user gets, maybe a department (an instructor invite
 * makes its user an instructor member of it), a number of uses and an expiry. Admins make
 * any invite; a department-admin makes learner and instructor invites for a department
 * they may manage (srv_perm_department_manage), never an admin invite. The code is shown
 * once, in the 201 answer: the table holds only its SHA-256, and a presented code is
 * hashed, looked up and compared again in constant time. GET lists what the caller may
 * manage (never codes); DELETE revokes.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/clock.h"
#include "common/mem.h"
#include "server-stub/srv.h"

#define INVITE_CODE_BYTES 18 /* 144 bits, 24 base64url characters */
#define INVITE_TTL_DEFAULT (7 * 24 * 60 * 60)
#define INVITE_TTL_MAX (90 * 24 * 60 * 60)
#define INVITE_USES_MAX 1000

static void
code_hash(const char *code, char out[65])
{
	srv_refresh_hash(code, out); /* the same SHA-256 hex the refresh tokens use */
}

int
srv_invite_find(struct store_db *db, const char *code, struct srv_invite *out)
{
	char want[65];
	const char *got;
	sqlite3_stmt *stmt;
	bool match;
	int rc, role;

	memset(out, 0, sizeof(*out));
	code_hash(code, want);
	rc = store_db_stmt(db,
	                   "SELECT id, role, department_id, code_hash FROM invites "
	                   "WHERE code_hash = ? AND used < uses AND expires_at > ?",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, want);
	sqlite3_bind_int64(stmt, 2, lc_now());
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return rc == SQLITE_DONE ? -LC_ENOTFOUND : store_db_fail(db, rc, "invite");
	}
	got = (const char *)sqlite3_column_text(stmt, 3);
	match = got && strlen(got) == 64 && sodium_memcmp(got, want, 64) == 0;
	snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(stmt, 0));
	role = srv_role_parse((const char *)sqlite3_column_text(stmt, 1));
	out->role = role < 0 ? SRV_ROLE_LEARNER : (enum srv_role)role;
	if (sqlite3_column_type(stmt, 2) != SQLITE_NULL)
		snprintf(out->department_id, sizeof(out->department_id), "%s",
		         (const char *)sqlite3_column_text(stmt, 2));
	sqlite3_reset(stmt);
	return match ? 0 : -LC_ENOTFOUND;
}

int
srv_invite_redeem(struct srv_req *req, const struct srv_invite *inv, const char *user_id)
{
	sqlite3_stmt *stmt;
	int rc;

	rc = store_db_stmt(req->db,
	                   "UPDATE invites SET used = used + 1 WHERE id = ? AND used < uses "
	                   "AND expires_at > ?",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, inv->id);
	sqlite3_bind_int64(stmt, 2, lc_now());
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return store_db_fail(req->db, SQLITE_ERROR, "invite");
	if (store_db_changes(req->db) != 1)
		return -LC_ENOTFOUND; /* spent, expired or revoked since it was looked up */
	if (inv->role != SRV_ROLE_INSTRUCTOR || inv->department_id[0] == '\0')
		return 0;
	rc = store_db_stmt(
	    req->db, "INSERT INTO memberships (user_id, department_id, roles) VALUES (?, ?, ?)",
	    &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, user_id);
	store_bind_text(stmt, 2, inv->department_id);
	sqlite3_bind_int(stmt, 3, SRV_DEPT_INSTRUCTOR);
	return sqlite3_step(stmt) == SQLITE_DONE ? 0
	                                         : store_db_fail(req->db, SQLITE_ERROR, "invite");
}

/* True when the viewer may make or manage invites at all (admin or some department-admin). */
static bool
may_invite(const struct srv_user *v)
{
	if (v->role == SRV_ROLE_ADMIN)
		return true;
	for (int i = 0; i < v->n_depts; i++)
		if (v->depts[i].roles & SRV_DEPT_ADMIN)
			return true;
	return false;
}

/* Manage (see, revoke) one invite: admin, its maker, or who may manage its department. */
static bool
may_manage(struct srv_req *req, const char *created_by, const char *department_id)
{
	const struct srv_user *v = req->viewer;

	if (v->role == SRV_ROLE_ADMIN)
		return true;
	if (created_by && strcmp(created_by, v->id) == 0)
		return true;
	return department_id && srv_perm_department_manage(req, department_id) == SRV_ALLOW;
}

/* The invite row of stmt (id, role, department_id, uses, used, expires_at, created_by,
 * created_at) as JSON. */
static cJSON *
invite_json(sqlite3_stmt *stmt)
{
	cJSON *o = cJSON_CreateObject();
	char when[LC_RFC3339_LEN + 1];

	srv_json_add_col(o, "id", stmt, 0);
	srv_json_add_col(o, "role", stmt, 1);
	srv_json_add_col(o, "department_id", stmt, 2);
	cJSON_AddNumberToObject(o, "uses", (double)sqlite3_column_int64(stmt, 3));
	cJSON_AddNumberToObject(o, "used", (double)sqlite3_column_int64(stmt, 4));
	lc_rfc3339(sqlite3_column_int64(stmt, 5), when);
	cJSON_AddStringToObject(o, "expires_at", when);
	srv_json_add_col(o, "created_by", stmt, 6);
	srv_json_add_col(o, "created_at", stmt, 7);
	return o;
}

#define INVITE_COLUMNS "id, role, department_id, uses, used, expires_at, created_by, created_at"

static void
invite_create(struct srv_req *req, struct srv_resp *resp)
{
	static const char *const roles[] = {"learner", "instructor", "admin", NULL};
	const char *role = NULL, *dept = NULL;
	int64_t uses = 1, expires = lc_now() + INVITE_TTL_DEFAULT;
	unsigned char raw[INVITE_CODE_BYTES];
	char id[LC_UUID_LEN + 1], code[INVITE_CODE_BYTES / 3 * 4 + 1], hash[65], now[32];
	struct srv_check c;
	sqlite3_stmt *stmt;
	cJSON *out;
	int rc;

	if (!may_invite(req->viewer)) {
		srv_forbidden(resp);
		return;
	}
	srv_check_init(&c);
	if (!cJSON_IsObject(req->body))
		srv_check_bad(&c, "body");
	srv_get_enum(&c, req->body, "role", SRV_REQUIRED, roles, &role);
	if (srv_get_uuid(&c, req->body, "department_id", SRV_NULLABLE, &dept) == SRV_GOT && dept)
		srv_check_lookup(&c, srv_row_find(req->db, "departments", dept), "department_id");
	srv_get_int(&c, req->body, "uses", SRV_OPTIONAL, 1, INVITE_USES_MAX, &uses);
	if (srv_get_time(&c, req->body, "expires_at", SRV_OPTIONAL, &expires, NULL) == SRV_GOT &&
	    (expires <= lc_now() || expires > lc_now() + INVITE_TTL_MAX))
		srv_check_bad(&c, "expires_at");
	if (srv_check_failed(&c, resp)) {
		srv_check_finish(&c);
		return;
	}
	srv_check_finish(&c);
	/* A department-admin invites only into a department they manage, never an admin. */
	if (req->viewer->role != SRV_ROLE_ADMIN &&
	    (strcmp(role, "admin") == 0 || dept == NULL ||
	     srv_perm_department_manage(req, dept) != SRV_ALLOW)) {
		srv_forbidden(resp);
		return;
	}
	lc_random_bytes(raw, sizeof(raw));
	sodium_bin2base64(code, sizeof(code), raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	code_hash(code, hash);
	lc_uuid_new(id);
	srv_now(now);
	rc = store_db_stmt(req->db,
	                   "INSERT INTO invites (id, code_hash, role, department_id, uses, "
	                   "expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, id);
		store_bind_text(stmt, 2, hash);
		store_bind_text(stmt, 3, role);
		store_bind_text(stmt, 4, dept);
		sqlite3_bind_int64(stmt, 5, uses);
		sqlite3_bind_int64(stmt, 6, expires);
		store_bind_text(stmt, 7, req->viewer->id);
		store_bind_text(stmt, 8, now);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "invite");
	}
	if (rc == 0)
		rc = store_db_stmt(req->db, "SELECT " INVITE_COLUMNS " FROM invites WHERE id = ?",
		                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, id);
		if (sqlite3_step(stmt) != SQLITE_ROW)
			rc = store_db_fail(req->db, SQLITE_ERROR, "invite");
	}
	if (rc != 0) {
		sodium_memzero(code, sizeof(code));
		srv_internal(req, resp, rc, "invite");
		return;
	}
	out = invite_json(stmt);
	sqlite3_reset(stmt);
	cJSON_AddStringToObject(out, "code", code);
	sodium_memzero(code, sizeof(code));
	srv_reply(resp, 201, out);
}

static void
invite_list(struct srv_req *req, struct srv_resp *resp)
{
	struct srv_check c;
	struct srv_page page;
	sqlite3_stmt *stmt;
	cJSON *items;
	int64_t total = 0;
	int rc;

	if (!may_invite(req->viewer)) {
		srv_forbidden(resp);
		return;
	}
	srv_check_init(&c);
	srv_page_parse(req, &c, &page);
	if (srv_check_failed(&c, resp)) {
		srv_check_finish(&c);
		return;
	}
	srv_check_finish(&c);
	/* Filtered here: "may manage this department" is perm.c's, not SQL's. Invites are few. */
	rc = store_db_stmt(
	    req->db, "SELECT " INVITE_COLUMNS " FROM invites ORDER BY created_at DESC, rowid DESC",
	    &stmt);
	if (rc != 0) {
		srv_internal(req, resp, rc, "invites");
		return;
	}
	items = cJSON_CreateArray();
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *dept = (const char *)sqlite3_column_text(stmt, 2);
		const char *by = (const char *)sqlite3_column_text(stmt, 6);

		if (!may_manage(req, by, dept))
			continue;
		if (total >= page.offset && total < page.offset + page.limit)
			cJSON_AddItemToArray(items, invite_json(stmt));
		total++;
	}
	if (rc != SQLITE_DONE) {
		cJSON_Delete(items);
		srv_internal(req, resp, store_db_fail(req->db, rc, "invites"), "invites");
		return;
	}
	srv_reply(resp, 200, srv_page_body(&page, items, total));
}

static void
invite_delete(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	char *by = NULL, *dept = NULL;
	sqlite3_stmt *stmt;
	bool found = false;
	int rc;

	if (!lc_uuid_valid(id)) {
		srv_not_found(resp, "invite");
		return;
	}
	rc = store_db_stmt(req->db, "SELECT created_by, department_id FROM invites WHERE id = ?",
	                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, id);
		rc = sqlite3_step(stmt);
		found = rc == SQLITE_ROW;
		if (found) {
			by = store_column_dup(stmt, 0);
			dept = store_column_dup(stmt, 1);
		}
		sqlite3_reset(stmt);
		rc = found || rc == SQLITE_DONE ? 0 : store_db_fail(req->db, rc, "invite");
	}
	if (rc == 0 && (!found || !may_manage(req, by, dept))) {
		srv_not_found(resp, "invite");
		goto out;
	}
	if (rc == 0)
		rc = store_db_stmt(req->db, "DELETE FROM invites WHERE id = ?", &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, id);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "invite");
	}
	if (rc != 0)
		srv_internal(req, resp, rc, "invite");
	else
		srv_reply(resp, 204, NULL);
out:
	free(by);
	free(dept);
}

const struct srv_route srv_routes_invites[] = {
    {"POST", "/invites", invite_create, 0, "role,department_id,uses,expires_at", "", NULL},
    {"GET", "/invites", invite_list, 0, "", "page,limit", NULL},
    {"DELETE", "/invites/{id}", invite_delete, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};
