/* SPDX-License-Identifier: MIT */
/*
 * Passwords, tokens, sessions and the login rate limit.
 *
 * A session is one login on one device: a row holding the SHA-256 of its refresh token
 * (the token itself is never stored) and whether it was revoked. An access token is
 * "<user_id>.<expires>.<session_id>.<HMAC-SHA256 hex>" signed with the key kept in the
 * database: it is checked without a lookup for its signature and expiry, then against its
 * session so that logout and a password change end it at once.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/clock.h"
#include "common/mem.h"
#include "server-stub/srv.h"

#define LOGIN_WINDOW (15 * 60)
#define LOGIN_MAX_FAILS 10

struct srv_login_fail {
	char username[SRV_USERNAME_MAX + 1]; /* lowercase */
	int64_t at[LOGIN_MAX_FAILS];         /* ring of failure times */
	int next;
	struct srv_login_fail *next_user;
};

int
srv_password_hash(const char *password, char *out, size_t out_len)
{
	if (out_len < crypto_pwhash_STRBYTES)
		return -LC_EINVAL;
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -LC_ENOMEM;
	return 0;
}

bool
srv_password_verify(const char *hash, const char *password)
{
	return hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static void
to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
token_mac(const unsigned char key[32], const char *payload, size_t len, char hex[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(mac, (const unsigned char *)payload, len, key);
	to_hex(mac, sizeof(mac), hex);
}

void
srv_token_sign(const unsigned char key[32], const char *user_id, const char *session_id,
               int64_t expires, char out[SRV_TOKEN_MAX])
{
	char hex[65];
	int n = snprintf(out, SRV_TOKEN_MAX, "%s.%lld.%s", user_id, (long long)expires, session_id);

	token_mac(key, out, (size_t)n, hex);
	snprintf(out + n, (size_t)(SRV_TOKEN_MAX - n), ".%s", hex);
}

int
srv_token_verify(const unsigned char key[32], const char *token, int64_t now,
                 char user_id[LC_UUID_LEN + 1], char session_id[LC_UUID_LEN + 1])
{
	const char *dot1, *dot2, *dot3;
	char hex[65];
	int64_t expires = 0;

	if (token == NULL || strlen(token) >= SRV_TOKEN_MAX)
		return -LC_EAUTH;
	dot1 = strchr(token, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	dot3 = dot2 ? strchr(dot2 + 1, '.') : NULL;
	if (dot3 == NULL || dot1 - token != LC_UUID_LEN || dot3 - dot2 - 1 != LC_UUID_LEN ||
	    strlen(dot3 + 1) != 64 || dot2 - dot1 - 1 < 1 || dot2 - dot1 - 1 > 18)
		return -LC_EAUTH;
	token_mac(key, token, (size_t)(dot3 - token), hex);
	if (sodium_memcmp(hex, dot3 + 1, 64) != 0)
		return -LC_EAUTH;
	for (const char *p = dot1 + 1; p < dot2; p++) {
		if (*p < '0' || *p > '9')
			return -LC_EAUTH;
		expires = expires * 10 + (*p - '0');
	}
	if (expires <= now)
		return -LC_EAUTH;
	memcpy(user_id, token, LC_UUID_LEN);
	user_id[LC_UUID_LEN] = '\0';
	memcpy(session_id, dot2 + 1, LC_UUID_LEN);
	session_id[LC_UUID_LEN] = '\0';
	if (!lc_uuid_valid(user_id) || !lc_uuid_valid(session_id))
		return -LC_EAUTH;
	return 0;
}

int
srv_auth_bearer(struct srv_ctx *ctx, struct store_db *db, const char *header, struct srv_user *out)
{
	char user_id[LC_UUID_LEN + 1], session_id[LC_UUID_LEN + 1];
	sqlite3_stmt *stmt;

	if (header == NULL || strncmp(header, "Bearer ", 7) != 0)
		return -LC_EAUTH;
	if (srv_token_verify(ctx->sign_key, header + 7, lc_now(), user_id, session_id) != 0)
		return -LC_EAUTH;
	if (store_db_stmt(db, "SELECT revoked FROM sessions WHERE id = ? AND user_id = ?", &stmt) !=
	    0)
		return -LC_EAUTH;
	store_bind_text(stmt, 1, session_id);
	store_bind_text(stmt, 2, user_id);
	if (sqlite3_step(stmt) != SQLITE_ROW || sqlite3_column_int(stmt, 0) != 0)
		return -LC_EAUTH;
	if (srv_user_load(db, user_id, out) != 0)
		return -LC_EAUTH;
	memcpy(out->session_id, session_id, sizeof(out->session_id));
	return 0;
}

/* SHA-256 hex of a refresh token, the only form stored. */
void
srv_refresh_hash(const char *token, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
	to_hex(digest, sizeof(digest), out);
}

/* Adds a fresh token pair for session_id to obj, with a new refresh token in *hash_out. */
void
srv_session_tokens(struct srv_ctx *ctx, const char *user_id, const char *session_id, cJSON *obj,
                   char refresh_hash[65])
{
	unsigned char raw[32];
	char refresh[65], access[SRV_TOKEN_MAX];

	lc_random_bytes(raw, sizeof(raw));
	to_hex(raw, sizeof(raw), refresh);
	srv_refresh_hash(refresh, refresh_hash);
	srv_token_sign(ctx->sign_key, user_id, session_id, lc_now() + SRV_ACCESS_TTL, access);
	cJSON_AddStringToObject(obj, "access_token", access);
	cJSON_AddStringToObject(obj, "refresh_token", refresh);
	cJSON_AddStringToObject(obj, "token_type", "Bearer");
	cJSON_AddNumberToObject(obj, "expires_in", SRV_ACCESS_TTL);
	sodium_memzero(refresh, sizeof(refresh));
}

int
srv_session_issue(struct srv_req *req, const char *user_id, cJSON *obj)
{
	char session_id[LC_UUID_LEN + 1], hash[65];
	sqlite3_stmt *stmt;
	int rc;

	lc_uuid_new(session_id);
	srv_session_tokens(req->ctx, user_id, session_id, obj, hash);
	rc = store_db_stmt(
	    req->db,
	    "INSERT INTO sessions (id, user_id, refresh_hash, expires_at, created_at) "
	    "VALUES (?, ?, ?, ?, ?)",
	    &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, session_id);
	store_bind_text(stmt, 2, user_id);
	store_bind_text(stmt, 3, hash);
	sqlite3_bind_int64(stmt, 4, lc_now() + SRV_REFRESH_TTL);
	sqlite3_bind_int64(stmt, 5, lc_now());
	rc = sqlite3_step(stmt);
	return rc == SQLITE_DONE ? 0 : store_db_fail(req->db, rc, "session");
}

/* ---- login rate limit (memory only: a restart forgives, which is acceptable) ---- */

static struct srv_login_fail *
fail_find(struct srv_ctx *ctx, const char *username, bool create)
{
	char lower[SRV_USERNAME_MAX + 1];
	struct srv_login_fail *f;
	size_t i;

	for (i = 0; username[i] && i < SRV_USERNAME_MAX; i++)
		lower[i] = (char)((username[i] >= 'A' && username[i] <= 'Z') ? username[i] + 32
		                                                             : username[i]);
	lower[i] = '\0';
	for (f = ctx->fails; f; f = f->next_user)
		if (strcmp(f->username, lower) == 0)
			return f;
	if (!create)
		return NULL;
	f = lc_calloc(1, sizeof(*f));
	memcpy(f->username, lower, i + 1);
	f->next_user = ctx->fails;
	ctx->fails = f;
	return f;
}

bool
srv_login_limited(struct srv_ctx *ctx, const char *username, int64_t *retry_after)
{
	struct srv_login_fail *f;
	int64_t now = lc_now(), oldest = 0;
	int count = 0;

	pthread_mutex_lock(&ctx->lock);
	f = fail_find(ctx, username, false);
	for (int i = 0; f && i < LOGIN_MAX_FAILS; i++) {
		if (f->at[i] > now - LOGIN_WINDOW) {
			if (count == 0 || f->at[i] < oldest)
				oldest = f->at[i];
			count++;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
	if (count < LOGIN_MAX_FAILS)
		return false;
	*retry_after = oldest + LOGIN_WINDOW - now;
	if (*retry_after < 1)
		*retry_after = 1;
	return true;
}

/* Forgets usernames whose failures are all past the window, so the table stays small. */
static void
fail_prune(struct srv_ctx *ctx, int64_t now)
{
	struct srv_login_fail **link = &ctx->fails;

	while (*link) {
		struct srv_login_fail *f = *link;
		bool live = false;

		for (int i = 0; i < LOGIN_MAX_FAILS; i++)
			live |= f->at[i] > now - LOGIN_WINDOW;
		if (live) {
			link = &f->next_user;
		} else {
			*link = f->next_user;
			free(f);
		}
	}
}

void
srv_login_failed(struct srv_ctx *ctx, const char *username)
{
	struct srv_login_fail *f;

	pthread_mutex_lock(&ctx->lock);
	fail_prune(ctx, lc_now());
	f = fail_find(ctx, username, true);
	f->at[f->next] = lc_now();
	f->next = (f->next + 1) % LOGIN_MAX_FAILS;
	pthread_mutex_unlock(&ctx->lock);
}

void
srv_login_succeeded(struct srv_ctx *ctx, const char *username)
{
	struct srv_login_fail *f;

	pthread_mutex_lock(&ctx->lock);
	f = fail_find(ctx, username, false);
	if (f)
		memset(f->at, 0, sizeof(f->at));
	pthread_mutex_unlock(&ctx->lock);
}

void
srv_login_reset(struct srv_ctx *ctx)
{
	struct srv_login_fail *f, *next;

	for (f = ctx->fails; f; f = next) {
		next = f->next_user;
		free(f);
	}
	ctx->fails = NULL;
}
