/* SPDX-License-Identifier: MIT */
/*
 * /auth: register, log in, refresh (rotating the refresh token), log out. Every answer
 * that starts or renews a session has the same shape: {user, access_token,
 * refresh_token, token_type, expires_in}.
 *
 * Every route here ignores Idempotency-Key (SRV_ROUTE_NO_IDEM): their answers carry tokens,
 * which must never rest in the idempotency table. Register, log in and refresh are
 * SRV_ROUTE_SLOW: argon2id and the checks run before the write lock (dispatch.c).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/clock.h"
#include "common/log.h"
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

/* What the slow first call of register, log in and refresh hands the short second one. */
struct auth_prep {
	char hash[crypto_pwhash_STRBYTES]; /* register: the new password's argon2id hash */
	enum srv_role role;
	bool invited;
	struct srv_invite invite;
	char user_id[LC_UUID_LEN + 1];    /* log in, refresh */
	char session_id[LC_UUID_LEN + 1]; /* refresh */
	char refresh_hash[65];            /* refresh: the presented token's hash */
	bool grace; /* refresh: it is the token rotated out last, within the grace */
};

static void
auth_prep_free(void *p)
{
	if (p)
		sodium_memzero(p, sizeof(struct auth_prep));
	free(p);
}

static struct auth_prep *
auth_prep_new(struct srv_req *req)
{
	struct auth_prep *prep = lc_calloc(1, sizeof(*prep));

	req->prep = prep;
	req->prep_free = auth_prep_free;
	return prep;
}

/* The register body's fields (pointers into req->body). */
struct reg_body {
	char id[LC_UUID_LEN + 1];
	const char *username, *email, *password, *first, *last, *role, *invite_code;
};

/* Validates the register body; answers 400 and returns false when it is bad. */
static bool
reg_parse(struct srv_req *req, struct srv_resp *resp, struct reg_body *b)
{
	static const char *const roles[] = {"learner", "instructor", NULL};
	struct srv_check c;
	bool ok;

	memset(b, 0, sizeof(*b));
	srv_check_init(&c);
	if (!cJSON_IsObject(req->body))
		srv_check_bad(&c, "body");
	srv_get_new_id(&c, req->body, b->id);
	if (srv_get_str(&c, req->body, "username", SRV_REQUIRED, 3, SRV_USERNAME_MAX,
	                &b->username) == SRV_GOT &&
	    !srv_username_valid(b->username))
		srv_check_bad(&c, "username");
	if (srv_get_str(&c, req->body, "email", SRV_REQUIRED, 3, 254, &b->email) == SRV_GOT &&
	    !srv_email_valid(b->email))
		srv_check_bad(&c, "email");
	srv_get_str(&c, req->body, "password", SRV_REQUIRED, 8, 128, &b->password);
	srv_get_str(&c, req->body, "first_name", SRV_NULLABLE, 0, 100, &b->first);
	srv_get_str(&c, req->body, "last_name", SRV_NULLABLE, 0, 100, &b->last);
	srv_get_enum(&c, req->body, "role", SRV_NULLABLE, roles, &b->role);
	srv_get_str(&c, req->body, "invite_code", SRV_NULLABLE, 1, 128, &b->invite_code);
	ok = !srv_check_failed(&c, resp);
	srv_check_finish(&c);
	return ok;
}

/*
 * The registration policy: decides the role of the new user (from the body, or from its
 * invite) and answers 403 when the policy refuses. Returns false when it answered.
 */
static bool
reg_policy(struct srv_req *req, struct srv_resp *resp, const struct reg_body *b,
           struct auth_prep *prep)
{
	int policy = req->ctx->registration;
	int rc;

	prep->role =
	    b->role && strcmp(b->role, "instructor") == 0 ? SRV_ROLE_INSTRUCTOR : SRV_ROLE_LEARNER;
	if (policy == SRV_REG_CLOSED) {
		srv_error(resp, 403, "resource_error", "This server does not accept sign-ups");
		return false;
	}
	if (b->invite_code) {
		rc = srv_invite_find(req->db, b->invite_code, &prep->invite);
		if (rc == -LC_ENOTFOUND) {
			srv_error(resp, 403, "resource_error", "That invite code is not valid");
			return false;
		}
		if (rc != 0) {
			srv_internal(req, resp, rc, "invite");
			return false;
		}
		/* The invite decides the role; a body asking for another one is refused. */
		if (b->role && srv_role_parse(b->role) != (int)prep->invite.role) {
			srv_error(resp, 403, "resource_error", "That invite is for the role %s",
			          srv_role_name(prep->invite.role));
			return false;
		}
		prep->invited = true;
		prep->role = prep->invite.role;
		return true;
	}
	if (policy == SRV_REG_INVITE ||
	    (policy == SRV_REG_LEARNERS && prep->role == SRV_ROLE_INSTRUCTOR)) {
		srv_error(resp, 403, "resource_error", "Signing up %sneeds an invite_code",
		          policy == SRV_REG_INVITE ? "" : "as an instructor ");
		return false;
	}
	return true;
}

/*
 * SRV_ROUTE_SLOW: first call (outside any transaction) validates, applies the policy and
 * hashes the password; second call (inside BEGIN IMMEDIATE) inserts the user, spends the
 * invite and starts the session.
 */
static void
auth_register(struct srv_req *req, struct srv_resp *resp)
{
	struct auth_prep *prep = req->prep;
	struct reg_body b;
	const char *field = NULL;
	int rc;

	if (!reg_parse(req, resp, &b))
		return;
	if (req->outside_tx) {
		prep = auth_prep_new(req);
		if (!reg_policy(req, resp, &b, prep))
			return;
		/* A clash found now costs no argon2; it is checked again under the lock. */
		rc = srv_user_clash(req->db, b.id, b.username, b.email, &field);
		if (rc != 0) {
			srv_internal(req, resp, rc, "register");
			return;
		}
		if (field) {
			srv_conflict(resp, "A user with that %s already exists", field);
			return;
		}
		memcpy(prep->user_id, b.id, sizeof(prep->user_id));
		rc = srv_password_hash(b.password, prep->hash, sizeof(prep->hash));
		if (rc != 0)
			srv_internal(req, resp, rc, "register");
		return;
	}
	assert(prep != NULL);
	/* The id the first call checked (a body without "id" got a fresh one each call). */
	memcpy(b.id, prep->user_id, sizeof(b.id));
	rc = srv_user_insert(req, b.id, b.username, b.email, prep->hash, b.first, b.last,
	                     prep->role, &field);
	if (rc == 0 && prep->invited)
		rc = srv_invite_redeem(req, &prep->invite, b.id);
	if (rc == -LC_ECONFLICT)
		srv_conflict(resp, "A user with that %s already exists", field);
	else if (rc == -LC_ENOTFOUND)
		srv_error(resp, 403, "resource_error", "That invite code is not valid");
	else if (rc != 0)
		srv_internal(req, resp, rc, "register");
	else
		reply_session(req, resp, b.id, 201);
}

/*
 * SRV_ROUTE_SLOW: first call checks the throttle and the password (argon2id, also for an
 * unknown username, against a dummy hash: the same time either way) and records a failure
 * in a short transaction of its own; second call starts the session.
 */
static void
auth_token(struct srv_req *req, struct srv_resp *resp)
{
	const char *username = NULL, *password = NULL;
	struct auth_prep *prep;
	struct srv_check c;
	sqlite3_stmt *stmt;
	char *hash = NULL, *id = NULL;
	int64_t retry = 0;
	bool ok;
	int rc;

	srv_check_init(&c);
	srv_get_str(&c, req->body, "username", SRV_REQUIRED, 1, 254, &username);
	srv_get_str(&c, req->body, "password", SRV_REQUIRED, 1, 1024, &password);
	if (srv_check_failed(&c, resp))
		goto out;
	if (!req->outside_tx) {
		prep = req->prep;
		assert(prep != NULL);
		rc = srv_login_succeeded(req, username);
		if (rc == 0)
			rc = srv_row_find(req->db, "users", prep->user_id);
		if (rc < 0)
			srv_tx_failed(req, resp, rc, "login");
		else if (rc == 0)
			srv_error(resp, 401, "login_error", "Wrong username or password");
		else
			reply_session(req, resp, prep->user_id, 200);
		goto out;
	}
	rc = srv_login_limited(req, username, &retry);
	if (rc != 0) {
		srv_internal(req, resp, rc, "login");
		goto out;
	}
	if (retry > 0) {
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
	rc = store_db_next_row(req->db, stmt, "login");
	if (rc == 1) {
		id = store_column_dup(stmt, 0);
		hash = store_column_dup(stmt, 1);
	}
	sqlite3_reset(stmt);
	/* A failed read is no wrong password: no 401, no failure counted (F6). */
	if (rc < 0) {
		srv_tx_failed(req, resp, rc, "login");
		goto out;
	}
	if (id == NULL) {
		srv_password_verify_dummy(password);
		ok = false;
	} else {
		ok = srv_password_verify(hash, password);
	}
	if (!ok) {
		if (srv_login_failed(req, resp, username) == 0)
			srv_error(resp, 401, "login_error", "Wrong username or password");
		goto out;
	}
	prep = auth_prep_new(req);
	snprintf(prep->user_id, sizeof(prep->user_id), "%s", id);
out:
	free(id);
	free(hash);
	srv_check_finish(&c);
}

/*
 * Reuse of a rotated refresh token: its session is revoked, so whoever holds the token it
 * was rotated into (the thief or the owner) is logged out too (RFC 6819 5.2.2.3, OAuth 2.0
 * Security BCP 4.14). Runs its own short write transaction; answers 401 either way.
 */
static void
refresh_reused(struct srv_req *req, struct srv_resp *resp, const char *session_id)
{
	sqlite3_stmt *stmt;
	int rc;

	if (srv_write_begin(req, resp) != 0)
		return;
	rc = store_db_stmt(req->db, "UPDATE sessions SET revoked = 1 WHERE id = ?", &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, session_id);
		rc = sqlite3_step(stmt) == SQLITE_DONE
		         ? 0
		         : store_db_fail(req->db, SQLITE_ERROR, "reuse");
	}
	if (rc == 0)
		rc = store_db_commit(req->db);
	if (rc != 0) {
		store_db_rollback(req->db);
		srv_tx_failed(req, resp, rc, "refresh reuse");
		return;
	}
	lc_log(LC_LOG_WARN, "request %s: a spent refresh token came back; session %s revoked",
	       req->request_id, session_id);
	srv_error(resp, 401, "authentication_error", "That refresh token is not valid");
}

/*
 * Reads the session of a refresh token hash (first call of auth_refresh, and the /sync
 * refresh extension): the session whose current token it is, or whose token it was until
 * a rotation less than the grace ago (prep->grace). A token rotated out earlier, or one
 * that a grace rotation made stale, is reuse (refresh_reused()).
 *
 * The grace is for an answer lost on the way: the server rotated, the client never heard
 * of the new token and presents the old one again. Without the grace that is reuse and
 * logs the user out, which a flaky link would do every few days. With it, the token just
 * rotated out (and only that one: sessions.prev_hash) rotates the session once more
 * within the grace, and the token the lost answer carried is recorded as spent in the same
 * transaction: if it was not lost but stolen, or the old one was, whichever of the two
 * holders refreshes second presents a spent token and the session is revoked, as without
 * the grace. What the grace gives a thief of the previous token is only what rotation
 * gives one who uses a stolen token before its owner does: a session until the next
 * collision.
 */
static void
refresh_lookup(struct srv_req *req, struct srv_resp *resp, const char *hash)
{
	struct auth_prep *prep;
	sqlite3_stmt *stmt;
	char session[LC_UUID_LEN + 1] = "", user[LC_UUID_LEN + 1] = "";
	bool grace = false;
	int rc;

	rc = store_db_stmt(req->db,
	                   "SELECT id, user_id, refresh_hash <> ?1 FROM sessions "
	                   "WHERE (refresh_hash = ?1 OR (prev_hash = ?1 AND grace_until > ?2)) "
	                   "AND revoked = 0 AND expires_at > ?2",
	                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, hash);
		sqlite3_bind_int64(stmt, 2, lc_now());
		rc = store_db_next_row(req->db, stmt, "refresh");
		if (rc == 1) {
			snprintf(session, sizeof(session), "%s",
			         (const char *)sqlite3_column_text(stmt, 0));
			snprintf(user, sizeof(user), "%s",
			         (const char *)sqlite3_column_text(stmt, 1));
			grace = sqlite3_column_int(stmt, 2) != 0;
		}
		sqlite3_reset(stmt);
	}
	/* A failed read must not tell the client its session is gone (401) (F6). */
	if (rc < 0) {
		srv_tx_failed(req, resp, rc, "refresh");
		return;
	}
	if (session[0] != '\0') {
		prep = auth_prep_new(req);
		memcpy(prep->session_id, session, sizeof(session));
		memcpy(prep->user_id, user, sizeof(user));
		memcpy(prep->refresh_hash, hash, 65);
		prep->grace = grace;
		return;
	}
	rc = store_db_stmt(req->db,
	                   "SELECT session_id FROM refresh_spent WHERE hash = ? AND expires_at > ?",
	                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, hash);
		sqlite3_bind_int64(stmt, 2, lc_now());
		rc = store_db_next_row(req->db, stmt, "refresh spent");
		if (rc == 1)
			snprintf(session, sizeof(session), "%s",
			         (const char *)sqlite3_column_text(stmt, 0));
		sqlite3_reset(stmt);
	}
	if (rc < 0)
		srv_tx_failed(req, resp, rc, "refresh spent");
	else if (session[0] != '\0')
		refresh_reused(req, resp, session);
	else
		srv_error(resp, 401, "authentication_error", "That refresh token is not valid");
}

/* Binds the text and numbers of one rotation statement; returns its step as 0 or error. */
static int
rotate_step(struct srv_req *req, const char *sql, const char *const text[], int n_text,
            const int64_t num[], int n_num)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(req->db, sql, &stmt);

	if (rc != 0)
		return rc;
	for (int i = 0; i < n_text; i++)
		store_bind_text(stmt, i + 1, text[i]);
	for (int i = 0; i < n_num; i++)
		sqlite3_bind_int64(stmt, n_text + i + 1, num[i]);
	return sqlite3_step(stmt) == SQLITE_DONE ? 0
	                                         : store_db_fail(req->db, SQLITE_ERROR, "rotate");
}

/*
 * Inside the write transaction: rotates prep's session (compare-and-swap on the hash that
 * refresh_lookup() found). A normal rotation remembers the presented token as spent and
 * as the one the grace applies to; a grace rotation (prep->grace) records the token the
 * session held until now as spent instead, and leaves the grace where it was, so it runs
 * from the first rotation however often the answer is lost.
 */
static int
refresh_rotate(struct srv_req *req, const struct auth_prep *prep, const char *new_hash)
{
	int64_t now = lc_now(), spent_until = now + SRV_REFRESH_TTL;
	int rc;

	if (prep->grace) {
		const char *const t[] = {prep->session_id, prep->refresh_hash};
		const int64_t n[] = {now};
		const char *const u[] = {new_hash, prep->session_id, prep->refresh_hash};
		const int64_t un[] = {spent_until, now};

		rc = rotate_step(
		    req,
		    "INSERT OR REPLACE INTO refresh_spent (hash, session_id, expires_at) "
		    "SELECT refresh_hash, id, expires_at FROM sessions "
		    "WHERE id = ?1 AND prev_hash = ?2 AND grace_until > ?3 "
		    "AND revoked = 0",
		    t, 2, n, 1);
		if (rc == 0)
			rc = rotate_step(req,
			                 "UPDATE sessions SET refresh_hash = ?1, expires_at = ?4 "
			                 "WHERE id = ?2 AND prev_hash = ?3 AND grace_until > ?5 "
			                 "AND revoked = 0",
			                 u, 3, un, 2);
		if (rc == 0 && store_db_changes(req->db) != 1)
			return -LC_EAUTH; /* rotated or revoked in between, or the grace ran out */
		if (rc == 0)
			lc_log(LC_LOG_INFO,
			       "request %s: the refresh token rotated out last came back within "
			       "the grace; session %s rotated again",
			       req->request_id, prep->session_id);
	} else {
		const char *const t[] = {new_hash, prep->refresh_hash, prep->session_id};
		const int64_t n[] = {spent_until, now + srv_refresh_grace(req->ctx)};

		rc = rotate_step(req,
		                 "UPDATE sessions SET refresh_hash = ?1, prev_hash = ?2, "
		                 "expires_at = ?4, grace_until = ?5 "
		                 "WHERE id = ?3 AND refresh_hash = ?2 AND revoked = 0",
		                 t, 3, n, 2);
		if (rc == 0 && store_db_changes(req->db) != 1)
			return -LC_EAUTH; /* rotated or revoked in between */
		/* The spent hash is remembered until it would have expired anyway. */
		if (rc == 0) {
			const char *const st[] = {prep->refresh_hash, prep->session_id};
			const int64_t sn[] = {spent_until};

			rc = rotate_step(req,
			                 "INSERT OR REPLACE INTO refresh_spent "
			                 "(hash, session_id, expires_at) VALUES (?, ?, ?)",
			                 st, 2, sn, 1);
		}
	}
	if (rc == 0) {
		const int64_t n[] = {now};

		rc = rotate_step(req, "DELETE FROM refresh_spent WHERE expires_at <= ?", NULL, 0, n,
		                 1);
	}
	return rc;
}

/* SRV_ROUTE_SLOW only so that the first call can commit a revocation and still answer 401. */
static void
auth_refresh(struct srv_req *req, struct srv_resp *resp)
{
	const char *token = NULL;
	struct auth_prep *prep = req->prep;
	struct srv_check c;
	char hash[65], new_hash[65];
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
	if (req->outside_tx) {
		refresh_lookup(req, resp, hash);
		return;
	}
	assert(prep != NULL);
	out = cJSON_CreateObject();
	rc = srv_user_doc(req->db, prep->user_id, true, &doc);
	if (rc == 0) {
		cJSON_AddItemToObject(out, "user", doc);
		srv_session_tokens(req->ctx, prep->session_id, out, new_hash);
		/* Rotation: the presented token stops working as this commits. */
		rc = refresh_rotate(req, prep, new_hash);
	}
	if (rc == -LC_EAUTH || rc == -LC_ENOTFOUND) {
		cJSON_Delete(out);
		srv_error(resp, 401, "authentication_error", "That refresh token is not valid");
		return;
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

/*
 * The /sync refresh extension (http.c calls it in the header phase of POST /api/v1/sync
 * when the bearer token is absent or not valid and SRV_REFRESH_HEADER is there): the same
 * look-up, reuse detection, grace and rotation as POST /auth/refresh, in the same order
 * and transactions (the look-up and any revocation outside the rotation's short write
 * transaction), then the session's user as the viewer of the sync. Every refusal answers
 * the 401 that /sync gives a stale access token, so a client tells nothing new from it.
 */
int
srv_sync_refresh(struct srv_ctx *ctx, struct store_db *db, const char *request_id,
                 const char *client_ip, const char *token, struct srv_user *viewer, cJSON **auth,
                 struct srv_resp *resp)
{
	struct srv_req req = {0};
	struct auth_prep *prep;
	char hash[65], new_hash[65];
	cJSON *out = NULL;
	int rc = -LC_EAUTH;

	*auth = NULL;
	req.ctx = ctx;
	req.db = db;
	req.method = "POST";
	req.path = "/sync";
	req.request_id = request_id;
	req.client_ip = client_ip;
	req.outside_tx = true;
	/* The length /auth/refresh accepts (1..256); a longer value was never issued. */
	if (token[0] == '\0' || strnlen(token, 257) > 256)
		goto refused;
	srv_refresh_hash(token, hash);
	refresh_lookup(&req, resp, hash);
	srv_db_quiesce(db);
	if (resp->status == 401) {
		srv_resp_finish(resp);
		memset(resp, 0, sizeof(*resp));
		goto refused;
	}
	if (resp->status != 0)
		goto done; /* 503 or 500: the database, not the token */
	prep = req.prep;
	assert(prep != NULL);
	if (srv_write_begin(&req, resp) != 0)
		goto done;
	out = cJSON_CreateObject();
	srv_session_tokens(ctx, prep->session_id, out, new_hash);
	/* Rotation: the presented token stops working as this commits. */
	rc = refresh_rotate(&req, prep, new_hash);
	if (rc == 0)
		rc = srv_user_load(db, prep->user_id, viewer);
	srv_db_quiesce(db);
	if (rc == 0)
		rc = store_db_commit(db);
	if (rc != 0) {
		store_db_rollback(db);
		cJSON_Delete(out);
		out = NULL;
		if (rc == -LC_EAUTH || rc == -LC_ENOTFOUND)
			goto refused;
		srv_tx_failed(&req, resp, rc, "refresh");
		goto done;
	}
	memcpy(viewer->session_id, prep->session_id, sizeof(viewer->session_id));
	*auth = out;
	goto done;
refused:
	rc = -LC_EAUTH;
	srv_error(resp, 401, "authentication_error", "Missing, invalid or expired token");
done:
	if (req.prep_free)
		req.prep_free(req.prep);
	srv_db_quiesce(db);
	return *auth != NULL ? 0 : rc != 0 ? rc : -LC_EDB;
}

const struct srv_route srv_routes_auth[] = {
    {"POST", "/auth/register", auth_register, SRV_ROUTE_PUBLIC | SRV_ROUTE_SLOW | SRV_ROUTE_NO_IDEM,
     "id,username,email,password,first_name,last_name,role,invite_code", "", NULL},
    {"POST", "/auth/token", auth_token, SRV_ROUTE_PUBLIC | SRV_ROUTE_SLOW | SRV_ROUTE_NO_IDEM,
     "username,password", "", NULL},
    {"POST", "/auth/refresh", auth_refresh, SRV_ROUTE_PUBLIC | SRV_ROUTE_SLOW | SRV_ROUTE_NO_IDEM,
     "refresh_token", "", NULL},
    {"POST", "/auth/logout", auth_logout, SRV_ROUTE_NO_IDEM, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};
