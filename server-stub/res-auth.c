/* SPDX-License-Identifier: MIT */
/*
 * /auth: register, log in, refresh (rotating the refresh token), log out. Every answer
 * that starts or renews a session has the same shape: {user, access_token,
 * refresh_token, token_type, expires_in}.
 */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/mem.h"
#include "server-stub/srv.h"

/* {user, tokens...} for a new session of user_id. */
static void
reply_session(struct srv_req *req, struct srv_resp *resp, const char *user_id, int status)
{
	cJSON *out = cJSON_CreateObject(), *user;
	int rc = srv_user_doc(req->db, user_id, true, &user);

	if (rc == 0) {
		cJSON_AddItemToObject(out, "user", user);
		rc = srv_session_issue(req, user_id, out);
	}
	if (rc != 0) {
		cJSON_Delete(out);
		srv_internal(req, resp, rc, "session");
		return;
	}
	srv_reply(resp, status, out);
}

static void
auth_register(struct srv_req *req, struct srv_resp *resp)
{
	static const char *const roles[] = {"learner", "instructor", NULL};
	const char *username = NULL, *email = NULL, *password = NULL, *first = NULL, *last = NULL,
	           *role = NULL, *field = NULL;
	char id[LC_UUID_LEN + 1];
	struct srv_check c;
	int rc;

	srv_check_init(&c);
	if (!cJSON_IsObject(req->body))
		srv_check_bad(&c, "body");
	srv_get_new_id(&c, req->body, id);
	if (srv_get_str(&c, req->body, "username", SRV_REQUIRED, 3, SRV_USERNAME_MAX, &username) ==
	        SRV_GOT &&
	    !srv_username_valid(username))
		srv_check_bad(&c, "username");
	if (srv_get_str(&c, req->body, "email", SRV_REQUIRED, 3, 254, &email) == SRV_GOT &&
	    !srv_email_valid(email))
		srv_check_bad(&c, "email");
	srv_get_str(&c, req->body, "password", SRV_REQUIRED, 8, 128, &password);
	srv_get_str(&c, req->body, "first_name", SRV_NULLABLE, 0, 100, &first);
	srv_get_str(&c, req->body, "last_name", SRV_NULLABLE, 0, 100, &last);
	srv_get_enum(&c, req->body, "role", SRV_NULLABLE, roles, &role);
	if (srv_check_failed(&c, resp)) {
		srv_check_finish(&c);
		return;
	}
	srv_check_finish(&c);
	rc = srv_user_insert(req, id, username, email, password, first, last,
	                     role && strcmp(role, "instructor") == 0 ? SRV_ROLE_INSTRUCTOR
	                                                             : SRV_ROLE_LEARNER,
	                     &field);
	if (rc == -LC_ECONFLICT)
		srv_conflict(resp, "A user with that %s already exists", field);
	else if (rc != 0)
		srv_internal(req, resp, rc, "register");
	else
		reply_session(req, resp, id, 201);
}

static void
auth_token(struct srv_req *req, struct srv_resp *resp)
{
	const char *username = NULL, *password = NULL;
	struct srv_check c;
	sqlite3_stmt *stmt;
	char *hash = NULL, *id = NULL;
	int64_t retry;
	int rc;

	srv_check_init(&c);
	srv_get_str(&c, req->body, "username", SRV_REQUIRED, 1, 254, &username);
	srv_get_str(&c, req->body, "password", SRV_REQUIRED, 1, 1024, &password);
	if (srv_check_failed(&c, resp))
		goto out;
	if (srv_login_limited(req->ctx, username, &retry)) {
		char value[24];

		snprintf(value, sizeof(value), "%lld", (long long)retry);
		srv_error(resp, 429, "rate_limit_error",
		          "Too many failed logins; try again in %lld seconds", (long long)retry);
		srv_resp_header(resp, "Retry-After", value);
		goto out;
	}
	rc =
	    store_db_stmt(req->db, "SELECT id, password_hash FROM users WHERE username = ?", &stmt);
	if (rc != 0) {
		srv_internal(req, resp, rc, "login");
		goto out;
	}
	store_bind_text(stmt, 1, username);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		id = store_column_dup(stmt, 0);
		hash = store_column_dup(stmt, 1);
	}
	if (id == NULL || !srv_password_verify(hash, password)) {
		srv_login_failed(req->ctx, username);
		srv_error(resp, 401, "login_error", "Wrong username or password");
		goto out;
	}
	srv_login_succeeded(req->ctx, username);
	reply_session(req, resp, id, 200);
out:
	free(id);
	free(hash);
	srv_check_finish(&c);
}

static void
auth_refresh(struct srv_req *req, struct srv_resp *resp)
{
	const char *token = NULL;
	struct srv_check c;
	sqlite3_stmt *stmt;
	char hash[65], new_hash[65], session[LC_UUID_LEN + 1] = "", user[LC_UUID_LEN + 1] = "";
	cJSON *out, *doc;
	int rc;

	srv_check_init(&c);
	srv_get_str(&c, req->body, "refresh_token", SRV_REQUIRED, 1, 256, &token);
	if (srv_check_failed(&c, resp)) {
		srv_check_finish(&c);
		return;
	}
	srv_refresh_hash(token, hash);
	srv_check_finish(&c);
	rc =
	    store_db_stmt(req->db,
	                  "SELECT id, user_id FROM sessions WHERE refresh_hash = ? AND revoked = 0 "
	                  "AND expires_at > ?",
	                  &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, hash);
		sqlite3_bind_int64(stmt, 2, lc_now());
		if (sqlite3_step(stmt) == SQLITE_ROW) {
			snprintf(session, sizeof(session), "%s",
			         (const char *)sqlite3_column_text(stmt, 0));
			snprintf(user, sizeof(user), "%s",
			         (const char *)sqlite3_column_text(stmt, 1));
		}
	}
	if (session[0] == '\0') {
		srv_error(resp, 401, "authentication_error", "That refresh token is not valid");
		return;
	}
	out = cJSON_CreateObject();
	rc = srv_user_doc(req->db, user, true, &doc);
	if (rc == 0) {
		cJSON_AddItemToObject(out, "user", doc);
		srv_session_tokens(req->ctx, session, out, new_hash);
		/* Rotation: the presented token stops working as this commits. */
		rc = store_db_stmt(
		    req->db, "UPDATE sessions SET refresh_hash = ?, expires_at = ? WHERE id = ?",
		    &stmt);
	}
	if (rc == 0) {
		store_bind_text(stmt, 1, new_hash);
		sqlite3_bind_int64(stmt, 2, lc_now() + SRV_REFRESH_TTL);
		store_bind_text(stmt, 3, session);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "rotate");
	}
	if (rc != 0) {
		cJSON_Delete(out);
		srv_internal(req, resp, rc, "refresh");
		return;
	}
	srv_reply(resp, 200, out);
}

static void
auth_logout(struct srv_req *req, struct srv_resp *resp)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(req->db, "UPDATE sessions SET revoked = 1 WHERE id = ?", &stmt);

	if (rc == 0) {
		store_bind_text(stmt, 1, req->viewer->session_id);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "logout");
	}
	if (rc != 0)
		srv_internal(req, resp, rc, "logout");
	else
		srv_reply(resp, 204, NULL);
}

const struct srv_route srv_routes_auth[] = {
    {"POST", "/auth/register", auth_register, SRV_ROUTE_PUBLIC,
     "id,username,email,password,first_name,last_name,role,invite_code", "", NULL},
    {"POST", "/auth/token", auth_token, SRV_ROUTE_PUBLIC, "username,password", "", NULL},
    {"POST", "/auth/refresh", auth_refresh, SRV_ROUTE_PUBLIC, "refresh_token", "", NULL},
    {"POST", "/auth/logout", auth_logout, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};
