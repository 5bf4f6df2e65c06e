/* SPDX-License-Identifier: MIT */
/*
 * Users: /users/me, profiles, the admin list, role changes and deletion, plus the user
 * doc shared by GET, /auth answers and /sync. A user row lives in the feed scope
 * "user:<id>" only: other people see profiles through GET, never through sync.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/clock.h"
#include "common/mem.h"
#include "server-stub/srv.h"

static const char *const dept_role_names[] = {"instructor", "content-admin", "department-admin"};

static cJSON *
dept_roles_json(unsigned roles)
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; i < 3; i++)
		if (roles & (1u << i))
			cJSON_AddItemToArray(arr, cJSON_CreateString(dept_role_names[i]));
	return arr;
}

static int
user_departments(struct store_db *db, const char *id, cJSON *doc)
{
	cJSON *arr = cJSON_AddArrayToObject(doc, "departments");
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db,
	                       "SELECT department_id, roles FROM memberships WHERE user_id = ? "
	                       "ORDER BY department_id",
	                       &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		cJSON *m = cJSON_CreateObject();

		srv_json_add_col(m, "department_id", stmt, 0);
		cJSON_AddItemToObject(m, "roles",
		                      dept_roles_json((unsigned)sqlite3_column_int(stmt, 1)));
		cJSON_AddItemToArray(arr, m);
	}
	return rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, "memberships");
}

int
srv_user_doc(struct store_db *db, const char *id, bool full, cJSON **out)
{
	sqlite3_stmt *stmt;
	cJSON *doc;
	int rc;

	*out = NULL;
	rc = store_db_stmt(db,
	                   "SELECT id, username, email, first_name, last_name, bio, role, rev, "
	                   "created_at, updated_at FROM users WHERE id = ?",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? -LC_ENOTFOUND : store_db_fail(db, rc, "user");
	doc = cJSON_CreateObject();
	srv_json_add_col(doc, "id", stmt, 0);
	srv_json_add_col(doc, "username", stmt, 1);
	if (full)
		srv_json_add_col(doc, "email", stmt, 2);
	srv_json_add_col(doc, "first_name", stmt, 3);
	srv_json_add_col(doc, "last_name", stmt, 4);
	srv_json_add_col(doc, "bio", stmt, 5);
	srv_json_add_col(doc, "role", stmt, 6);
	cJSON_AddNumberToObject(doc, "rev", (double)sqlite3_column_int64(stmt, 7));
	srv_json_add_col(doc, "created_at", stmt, 8);
	srv_json_add_col(doc, "updated_at", stmt, 9);
	rc = user_departments(db, id, doc);
	if (rc != 0) {
		cJSON_Delete(doc);
		return rc;
	}
	*out = doc;
	return 0;
}

/* Full doc for the user themself and for those who administer them. */
static bool
sees_full(struct srv_req *req, const char *id)
{
	if (req->viewer == NULL)
		return false;
	return strcmp(req->viewer->id, id) == 0 || srv_perm_user_read(req, id) == SRV_ALLOW;
}

/* Also the `current` of a 409: nothing for whom GET /users/{id} would not show (M2). */
static int
user_render(struct srv_req *req, const char *id, cJSON **out)
{
	*out = NULL;
	if (!sees_full(req, id))
		return -LC_ENOTFOUND;
	return srv_user_doc(req->db, id, true, out);
}

/* Answers 200 with the user doc, or 404/500. */
static void
reply_user(struct srv_req *req, struct srv_resp *resp, const char *id, int status)
{
	cJSON *doc;
	int rc = srv_user_doc(req->db, id, sees_full(req, id), &doc);

	if (rc == -LC_ENOTFOUND)
		srv_not_found(resp, "user");
	else if (rc != 0)
		srv_internal(req, resp, rc, "user doc");
	else
		srv_reply(resp, status, doc);
}

/* The user's rev, -LC_ENOTFOUND, or -LC_EDB. */
static int64_t
user_rev(struct store_db *db, const char *id)
{
	sqlite3_stmt *stmt;
	int64_t rev = -LC_ENOTFOUND;
	int rc = store_db_stmt(db, "SELECT rev FROM users WHERE id = ?", &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	rc = store_db_next_row(db, stmt, "user rev");
	if (rc == 1)
		rev = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return rc < 0 ? rc : rev;
}

/* rev+1, updated_at now, and the feed row. Returns 0 or a negative lc_err. */
int
srv_user_touch(struct srv_req *req, const char *id)
{
	sqlite3_stmt *stmt;
	char now[32];
	int64_t rev;
	int rc;

	srv_now(now);
	rc = store_db_stmt(req->db, "UPDATE users SET rev = rev + 1, updated_at = ? WHERE id = ?",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, now);
	store_bind_text(stmt, 2, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_db_fail(req->db, rc, "user touch");
	rev = user_rev(req->db, id);
	/* The row was just updated: no rev is a failed read, never a feed row at -1. */
	if (rev == -LC_ENOTFOUND)
		return store_db_fail(req->db, SQLITE_ERROR, "user rev");
	if (rev < 0)
		return (int)rev;
	return srv_feed_user(req, id, "user", id, rev, false);
}

void
srv_users_me_get(struct srv_req *req, struct srv_resp *resp)
{
	reply_user(req, resp, req->viewer->id, 200);
}

/* Runs one "UPDATE users SET <column> = ? WHERE id = ?" (column is a fixed name). */
static int
set_column(struct store_db *db, const char *column, const char *value, const char *id)
{
	char sql[96];
	sqlite3_stmt *stmt;
	int rc;

	snprintf(sql, sizeof(sql), "UPDATE users SET %s = ? WHERE id = ?", column);
	rc = store_db_stmt(db, sql, &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, value);
	store_bind_text(stmt, 2, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_CONSTRAINT)
		return -LC_ECONFLICT;
	return rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, column);
}

void
srv_users_me_patch(struct srv_req *req, struct srv_resp *resp)
{
	static const char *const fields[] = {"first_name", "last_name", "bio", "email"};
	const size_t max[] = {100, 100, 2000, 254};
	const char *values[4] = {NULL};
	int got[4];
	struct srv_check c;
	const char *id = req->viewer->id;
	int64_t rev;
	int rc = 0;

	srv_check_init(&c);
	if (!cJSON_IsObject(req->body))
		srv_check_bad(&c, "body");
	for (int i = 0; i < 4; i++)
		got[i] = srv_get_str(&c, req->body, fields[i], SRV_OPTIONAL, i == 3 ? 3 : 0, max[i],
		                     &values[i]);
	if (values[3] && !srv_email_valid(values[3]))
		srv_check_bad(&c, "email");
	if (srv_check_failed(&c, resp))
		goto out;
	rev = user_rev(req->db, id);
	if (rev < 0) {
		srv_internal(req, resp, (int)rev, "user rev");
		goto out;
	}
	if (!srv_if_match(req, resp, "user", id, rev))
		goto out;
	for (int i = 0; rc == 0 && i < 4; i++)
		if (got[i] == SRV_GOT)
			rc = set_column(req->db, fields[i], values[i], id);
	if (rc == 0)
		rc = srv_user_touch(req, id);
	if (rc == -LC_ECONFLICT)
		srv_conflict(resp, "That email is already in use");
	else if (rc != 0)
		srv_internal(req, resp, rc, "patch me");
	else
		reply_user(req, resp, id, 200);
out:
	srv_check_finish(&c);
}

/* What the slow first call of a password change hands the short second one. */
struct pw_prep {
	char *stored;                      /* the hash the old password was verified against */
	char hash[crypto_pwhash_STRBYTES]; /* the new password's */
};

static void
pw_prep_free(void *p)
{
	struct pw_prep *prep = p;

	if (prep == NULL)
		return;
	free(prep->stored);
	sodium_memzero(prep, sizeof(*prep));
	free(prep);
}

/*
 * SRV_ROUTE_SLOW: the first call verifies the old password and hashes the new one outside
 * any transaction; the second swaps the hash only if it is still the one verified against
 * (compare-and-swap), so a change that raced in between is not overwritten unseen.
 */
void
srv_users_me_password(struct srv_req *req, struct srv_resp *resp)
{
	struct srv_check c;
	const char *old_pw = NULL, *new_pw = NULL;
	struct pw_prep *prep = req->prep;
	sqlite3_stmt *stmt;
	int rc;

	srv_check_init(&c);
	srv_get_str(&c, req->body, "old_password", SRV_REQUIRED, 1, 128, &old_pw);
	srv_get_str(&c, req->body, "new_password", SRV_REQUIRED, 8, 128, &new_pw);
	if (req->outside_tx) {
		prep = lc_calloc(1, sizeof(*prep));
		req->prep = prep;
		req->prep_free = pw_prep_free;
		rc = store_db_stmt(req->db, "SELECT password_hash FROM users WHERE id = ?", &stmt);
		if (rc == 0) {
			store_bind_text(stmt, 1, req->viewer->id);
			rc = store_db_next_row(req->db, stmt, "password");
			if (rc == 1)
				prep->stored = store_column_dup(stmt, 0);
			sqlite3_reset(stmt);
		}
		/* A failed read is not a wrong old password (F6). */
		if (rc < 0) {
			srv_internal(req, resp, rc, "password");
			goto out;
		}
		if (old_pw && !srv_password_verify(prep->stored, old_pw))
			srv_check_bad(&c, "old_password");
		if (old_pw && new_pw && strcmp(old_pw, new_pw) == 0)
			srv_check_bad(&c, "new_password");
		if (!srv_check_failed(&c, resp)) {
			rc = srv_password_hash(new_pw, prep->hash, sizeof(prep->hash));
			if (rc != 0)
				srv_internal(req, resp, rc, "password");
		}
		goto out;
	}
	assert(prep != NULL && prep->stored != NULL);
	rc = store_db_stmt(req->db,
	                   "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
	                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, prep->hash);
		store_bind_text(stmt, 2, req->viewer->id);
		store_bind_text(stmt, 3, prep->stored);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "password");
	}
	if (rc == 0 && store_db_changes(req->db) != 1) {
		srv_conflict(resp, "The password changed meanwhile; try again");
		goto out;
	}
	/* Every other session ends; the one that changed the password goes on. */
	if (rc == 0)
		rc = store_db_stmt(req->db,
		                   "UPDATE sessions SET revoked = 1 WHERE user_id = ? AND id != ?",
		                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, req->viewer->id);
		store_bind_text(stmt, 2, req->viewer->session_id);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "revoke");
	}
	if (rc != 0)
		srv_internal(req, resp, rc, "password");
	else
		srv_reply(resp, 204, NULL);
out:
	srv_check_finish(&c);
}

void
srv_users_profile(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	cJSON *doc, *done;
	sqlite3_stmt *stmt;
	int rc;

	rc = lc_uuid_valid(id) ? srv_user_doc(req->db, id, false, &doc) : -LC_ENOTFOUND;
	if (rc == -LC_ENOTFOUND) {
		srv_not_found(resp, "user");
		return;
	}
	if (rc != 0) {
		srv_internal(req, resp, rc, "user");
		return;
	}
	cJSON_DeleteItemFromObject(doc, "role");
	cJSON_DeleteItemFromObject(doc, "departments");
	done = cJSON_AddArrayToObject(doc, "completed_courses");
	/*
	 * Completed: every required item of a course the user is enrolled in is completed.
	 * Published courses only: this page is public, and a draft or archived course is not
	 * (security review 2026-11-29, I1).
	 */
	rc = store_db_stmt(
	    req->db,
	    "SELECT c.id, c.title FROM courses c JOIN enrollments e ON e.course_id = c.id "
	    "WHERE e.user_id = ?1 AND c.status = 'published' "
	    "AND EXISTS (SELECT 1 FROM items i WHERE i.course_id = c.id AND i.required = 1) "
	    "AND NOT EXISTS (SELECT 1 FROM items i WHERE i.course_id = c.id AND i.required = 1 "
	    "AND NOT EXISTS (SELECT 1 FROM progress p WHERE p.item_id = i.id AND p.user_id = ?1 "
	    "AND p.status = 'completed')) ORDER BY c.title",
	    &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, id);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			cJSON *c = cJSON_CreateObject();

			srv_json_add_col(c, "id", stmt, 0);
			srv_json_add_col(c, "title", stmt, 1);
			cJSON_AddItemToArray(done, c);
		}
		rc = rc == SQLITE_DONE ? 0 : store_db_fail(req->db, rc, "profile");
	}
	if (rc != 0) {
		cJSON_Delete(doc);
		srv_internal(req, resp, rc, "profile");
		return;
	}
	srv_reply(resp, 200, doc);
}

const struct srv_type srv_types_users[] = {
    {"user", user_render},
    {NULL, NULL},
};

bool
srv_username_valid(const char *username)
{
	size_t n = username ? strlen(username) : 0;

	if (n < 3 || n > SRV_USERNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = username[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

bool
srv_email_valid(const char *email)
{
	const char *at = email ? strchr(email, '@') : NULL;
	size_t n = email ? strlen(email) : 0;

	if (at == NULL || at == email || strchr(at + 1, '@') || n > 254 || n < 3)
		return false;
	for (const char *p = email; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return at[1] != '\0' && at[1] != '.' && email[n - 1] != '.';
}

int
srv_user_clash(struct store_db *db, const char *id, const char *username, const char *email,
               const char **field)
{
	static const char *const sql[] = {"SELECT 1 FROM users WHERE username = ?",
	                                  "SELECT 1 FROM users WHERE email = ?"};
	static const char *const names[] = {"username", "email"};
	const char *values[] = {username, email};
	sqlite3_stmt *stmt;
	int rc;

	*field = NULL;
	rc = srv_row_find(db, "users", id);
	if (rc != 0) {
		*field = rc == 1 ? "id" : NULL;
		return rc < 0 ? rc : 0;
	}
	for (int i = 0; i < 2; i++) {
		rc = store_db_stmt(db, sql[i], &stmt);
		if (rc != 0)
			return rc;
		store_bind_text(stmt, 1, values[i]);
		rc = store_db_next_row(db, stmt, names[i]);
		sqlite3_reset(stmt);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			*field = names[i];
			return 0;
		}
	}
	return 0;
}

int
srv_user_insert(struct srv_req *req, const char *id, const char *username, const char *email,
                const char *password_hash, const char *first_name, const char *last_name,
                enum srv_role role, const char **field)
{
	char now[32];
	sqlite3_stmt *stmt;
	int rc;

	rc = srv_user_clash(req->db, id, username, email, field);
	if (rc != 0)
		return rc;
	if (*field)
		return -LC_ECONFLICT;
	srv_now(now);
	rc = store_db_stmt(
	    req->db,
	    "INSERT INTO users (id, username, email, password_hash, first_name, "
	    "last_name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	store_bind_text(stmt, 2, username);
	store_bind_text(stmt, 3, email);
	store_bind_text(stmt, 4, password_hash);
	store_bind_text(stmt, 5, first_name ? first_name : "");
	store_bind_text(stmt, 6, last_name ? last_name : "");
	store_bind_text(stmt, 7, srv_role_name(role));
	store_bind_text(stmt, 8, now);
	store_bind_text(stmt, 9, now);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_db_fail(req->db, rc, "user insert");
	return srv_feed_user(req, id, "user", id, 1, false);
}

int
srv_user_create_cli(struct srv_ctx *ctx, const char *username, const char *password,
                    enum srv_role role, char **cause)
{
	struct srv_req req = {0};
	char id[LC_UUID_LEN + 1], hash[crypto_pwhash_STRBYTES];
	char *email;
	const char *field = NULL;
	int rc;

	if (!srv_username_valid(username))
		return lc_cause_set(cause, -LC_EINVAL, "invalid username '%s'", username);
	if (strlen(password) < 8 || strlen(password) > 128)
		return lc_cause_set(cause, -LC_EINVAL,
		                    "the password must have 8 to 128 characters");
	req.ctx = ctx;
	req.db = srv_ctx_db(ctx);
	req.method = "POST";
	req.request_id = "cli";
	if (req.db == NULL)
		return lc_cause_set(cause, -LC_EDB, "cannot open the database");
	lc_uuid_new(id);
	/* Hashed before the write lock, which a serving lecternd on the same file needs too. */
	rc = srv_password_hash(password, hash, sizeof(hash));
	if (rc != 0)
		return lc_cause_set(cause, rc, "cannot hash the password");
	email = lc_asprintf("%s@localhost", username);
	rc = store_db_begin(req.db);
	if (rc == 0)
		rc = srv_user_insert(&req, id, username, email, hash, NULL, NULL, role, &field);
	sodium_memzero(hash, sizeof(hash));
	if (rc == 0)
		rc = store_db_commit(req.db);
	if (rc != 0)
		store_db_rollback(req.db);
	free(email);
	if (rc == -LC_ECONFLICT)
		return lc_cause_set(cause, rc, "a user with that %s already exists", field);
	if (rc != 0)
		return lc_cause_set(cause, rc, "cannot create the user: %s",
		                    store_db_error(req.db)->message);
	return 0;
}
