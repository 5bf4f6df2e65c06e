/* SPDX-License-Identifier: MIT */
/*
 * Passwords, tokens, sessions and the login rate limit.
 *
 * A session is one login on one device: a row holding the SHA-256 of its refresh token
 * (the token itself is never stored) and whether it was revoked. An access token is 48
 * characters of unpadded base64url over 36 bytes: the session id's 16 raw UUID bytes, the
 * expiry as a 4-byte big-endian count of seconds since the epoch (enough until 2106), and
 * the first 16 bytes of HMAC-SHA256, with the key kept in the database, over the prefix
 * "lectern-access-v1" then those 20 bytes. It is checked without a lookup for its
 * signature and expiry, then against its session, which names the user, so that logout
 * and a password change end it at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/clock.h"
#include "common/mem.h"
#include "server-stub/srv.h"

/*
 * Login throttle: at most LOGIN_MAX_FAILS failures per (username, client address) in
 * LOGIN_WINDOW. Kept in the database (a restart forgives nothing), indexed on the key, and
 * capped at LOGIN_TABLE_CAP rows: past the cap the oldest failures are forgotten, which costs
 * an attacker LOGIN_TABLE_CAP argon2 verifications (minutes of server CPU) per forgiven
 * failure window.
 */
#define LOGIN_WINDOW (15 * 60)
#define LOGIN_MAX_FAILS 10
#define LOGIN_TABLE_CAP 50000

static void to_hex(const unsigned char *in, size_t n, char *out);

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

/* A hash of a random password with the cost of every real one, made once per process. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_make(void)
{
	unsigned char raw[16];
	char password[33];

	lc_random_bytes(raw, sizeof(raw));
	to_hex(raw, sizeof(raw), password);
	if (srv_password_hash(password, dummy_hash, sizeof(dummy_hash)) != 0)
		dummy_hash[0] = '\0'; /* verify then fails fast; only under memory exhaustion */
	sodium_memzero(password, sizeof(password));
}

void
srv_password_verify_dummy(const char *password)
{
	pthread_once(&dummy_once, dummy_make);
	(void)srv_password_verify(dummy_hash[0] ? dummy_hash : NULL, password);
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

/* ---- access tokens ---- */

#define TOKEN_DOMAIN "lectern-access-v1"
#define TOKEN_SID_BYTES 16
#define TOKEN_EXP_BYTES 4
#define TOKEN_PAYLOAD_BYTES (TOKEN_SID_BYTES + TOKEN_EXP_BYTES)
#define TOKEN_MAC_BYTES 16
#define TOKEN_BYTES (TOKEN_PAYLOAD_BYTES + TOKEN_MAC_BYTES) /* 36 */
#define TOKEN_CHARS 48 /* base64url of 36 bytes: 36 / 3 * 4, no padding needed */

_Static_assert(TOKEN_BYTES % 3 == 0 && TOKEN_BYTES / 3 * 4 == TOKEN_CHARS,
               "the token encodes to whole base64 groups");
_Static_assert(TOKEN_CHARS < SRV_TOKEN_MAX, "SRV_TOKEN_MAX holds a token and its NUL");

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The 16 bytes of a lowercase 8-4-4-4-12 UUID string. Returns 0, or -1 when malformed. */
static int
uuid_to_bytes(const char *s, unsigned char out[TOKEN_SID_BYTES])
{
	size_t o = 0;

	if (!lc_uuid_valid(s))
		return -1;
	for (size_t i = 0; i < LC_UUID_LEN && o < TOKEN_SID_BYTES;) {
		int hi, lo;

		if (s[i] == '-') {
			i++;
			continue;
		}
		hi = hex_value(s[i]);
		lo = hex_value(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[o++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return o == TOKEN_SID_BYTES ? 0 : -1;
}

/* The lowercase 8-4-4-4-12 string of 16 UUID bytes. */
static void
uuid_from_bytes(const unsigned char in[TOKEN_SID_BYTES], char out[LC_UUID_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < TOKEN_SID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = digits[in[i] >> 4];
		out[o++] = digits[in[i] & 15];
	}
	out[o] = '\0';
}

/* The first TOKEN_MAC_BYTES of HMAC-SHA256(key, TOKEN_DOMAIN || payload). */
static void
token_mac(const unsigned char key[32], const unsigned char payload[TOKEN_PAYLOAD_BYTES],
          unsigned char out[TOKEN_MAC_BYTES])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, key, 32);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)TOKEN_DOMAIN,
	                              sizeof(TOKEN_DOMAIN) - 1);
	crypto_auth_hmacsha256_update(&st, payload, TOKEN_PAYLOAD_BYTES);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, mac, TOKEN_MAC_BYTES);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(mac, sizeof(mac));
}

void
srv_token_sign(const unsigned char key[32], const char *session_id, int64_t expires,
               char out[SRV_TOKEN_MAX])
{
	unsigned char raw[TOKEN_BYTES];
	uint32_t exp32;

	out[0] = '\0';
	if (uuid_to_bytes(session_id, raw) != 0)
		return; /* "" never verifies */
	/* Four bytes reach 2106-02-07; outside them clamp, which only shortens a token's life. */
	if (expires < 0)
		expires = 0;
	if (expires > (int64_t)UINT32_MAX)
		expires = (int64_t)UINT32_MAX;
	exp32 = (uint32_t)expires;
	raw[TOKEN_SID_BYTES] = (unsigned char)(exp32 >> 24);
	raw[TOKEN_SID_BYTES + 1] = (unsigned char)(exp32 >> 16);
	raw[TOKEN_SID_BYTES + 2] = (unsigned char)(exp32 >> 8);
	raw[TOKEN_SID_BYTES + 3] = (unsigned char)exp32;
	token_mac(key, raw, raw + TOKEN_PAYLOAD_BYTES);
	sodium_bin2base64(out, SRV_TOKEN_MAX, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
srv_token_verify(const unsigned char key[32], const char *token, int64_t now,
                 char session_id[LC_UUID_LEN + 1])
{
	unsigned char raw[TOKEN_BYTES], mac[TOKEN_MAC_BYTES];
	const char *end = NULL;
	size_t len = 0;
	int64_t expires;

	session_id[0] = '\0';
	if (token == NULL || strnlen(token, TOKEN_CHARS + 1) != TOKEN_CHARS)
		return -LC_EAUTH;
	if (sodium_base642bin(raw, sizeof(raw), token, TOKEN_CHARS, NULL, &len, &end,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != TOKEN_BYTES || end != token + TOKEN_CHARS)
		return -LC_EAUTH;
	/* Nothing in the payload is looked at before its MAC is checked. */
	token_mac(key, raw, mac);
	if (sodium_memcmp(mac, raw + TOKEN_PAYLOAD_BYTES, TOKEN_MAC_BYTES) != 0)
		return -LC_EAUTH;
	expires =
	    (int64_t)((uint32_t)raw[TOKEN_SID_BYTES] << 24 |
	              (uint32_t)raw[TOKEN_SID_BYTES + 1] << 16 |
	              (uint32_t)raw[TOKEN_SID_BYTES + 2] << 8 | (uint32_t)raw[TOKEN_SID_BYTES + 3]);
	if (expires <= now)
		return -LC_EAUTH;
	uuid_from_bytes(raw, session_id);
	return 0;
}

int
srv_auth_bearer(struct srv_ctx *ctx, struct store_db *db, const char *header, struct srv_user *out)
{
	char user_id[LC_UUID_LEN + 1], session_id[LC_UUID_LEN + 1];
	const char *uid = NULL;
	sqlite3_stmt *stmt;
	bool ok;
	int rc;

	if (header == NULL || strncmp(header, "Bearer ", 7) != 0)
		return -LC_EAUTH;
	if (srv_token_verify(ctx->sign_key, header + 7, lc_now(), session_id) != 0)
		return -LC_EAUTH;
	/* The token names only its session; the session names the user. */
	rc = store_db_stmt(db, "SELECT user_id, revoked FROM sessions WHERE id = ?", &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, session_id);
	rc = store_db_next_row(db, stmt, "session");
	ok = rc == 1 && sqlite3_column_int(stmt, 1) == 0 &&
	     (uid = (const char *)sqlite3_column_text(stmt, 0)) != NULL && lc_uuid_valid(uid);
	if (ok)
		memcpy(user_id, uid, sizeof(user_id));
	sqlite3_reset(stmt);
	/* A failed read is not a bad token (F6): the caller answers 5xx, not 401. */
	if (rc < 0)
		return rc;
	if (!ok)
		return -LC_EAUTH;
	rc = srv_user_load(db, user_id, out);
	if (rc != 0)
		return rc == -LC_ENOTFOUND ? -LC_EAUTH : rc;
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

int64_t
srv_access_ttl(const struct srv_ctx *ctx)
{
	return ctx->access_ttl > 0 ? ctx->access_ttl : ctx->access_ttl < 0 ? 0 : SRV_ACCESS_TTL;
}

int64_t
srv_refresh_grace(const struct srv_ctx *ctx)
{
	return ctx->refresh_grace > 0   ? ctx->refresh_grace
	       : ctx->refresh_grace < 0 ? 0
	                                : SRV_REFRESH_GRACE;
}

int64_t
srv_offline_ttl(const struct srv_ctx *ctx)
{
	return ctx->offline_login_days > 0   ? (int64_t)ctx->offline_login_days * 86400
	       : ctx->offline_login_days < 0 ? 0
	                                     : (int64_t)SRV_OFFLINE_DAYS * 86400;
}

/* Adds a fresh token pair for session_id to obj, with a new refresh token in *hash_out. */
void
srv_session_tokens(struct srv_ctx *ctx, const char *session_id, cJSON *obj, char refresh_hash[65])
{
	unsigned char raw[32];
	char refresh[65], access[SRV_TOKEN_MAX];
	int64_t ttl = srv_access_ttl(ctx);

	lc_random_bytes(raw, sizeof(raw));
	to_hex(raw, sizeof(raw), refresh);
	srv_refresh_hash(refresh, refresh_hash);
	srv_token_sign(ctx->sign_key, session_id, lc_now() + ttl, access);
	cJSON_AddStringToObject(obj, "access_token", access);
	cJSON_AddStringToObject(obj, "refresh_token", refresh);
	cJSON_AddStringToObject(obj, "token_type", "Bearer");
	cJSON_AddNumberToObject(obj, "expires_in", (double)ttl);
	/* The Lectern extension: how long the client may keep an offline sign-in verifier. */
	if (srv_offline_ttl(ctx) > 0)
		cJSON_AddNumberToObject(obj, "offline_expires_in", (double)srv_offline_ttl(ctx));
	sodium_memzero(refresh, sizeof(refresh));
}

int
srv_session_issue(struct srv_req *req, const char *user_id, cJSON *obj)
{
	char session_id[LC_UUID_LEN + 1], hash[65];
	sqlite3_stmt *stmt;
	int rc;

	lc_uuid_new(session_id);
	srv_session_tokens(req->ctx, session_id, obj, hash);
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

/* ---- login throttle (see LOGIN_WINDOW) ---- */

/* ASCII-lowercases username into out (SRV_USERNAME_MAX + 1), as the users table compares. */
static void
login_key(const char *username, char out[SRV_USERNAME_MAX + 1])
{
	size_t i;

	for (i = 0; username[i] && i < SRV_USERNAME_MAX; i++)
		out[i] = (char)((username[i] >= 'A' && username[i] <= 'Z') ? username[i] + 32
		                                                           : username[i]);
	out[i] = '\0';
}

int
srv_login_limited(struct srv_req *req, const char *username, int64_t *retry_after)
{
	char key[SRV_USERNAME_MAX + 1];
	int64_t now = lc_now(), oldest;
	sqlite3_stmt *stmt;
	int count, rc;

	*retry_after = 0;
	login_key(username, key);
	rc = store_db_stmt(req->db,
	                   "SELECT count(*), min(at) FROM login_failures "
	                   "WHERE username = ? AND addr = ? AND at > ?",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, key);
	store_bind_text(stmt, 2, req->client_ip);
	sqlite3_bind_int64(stmt, 3, now - LOGIN_WINDOW);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_db_fail(req->db, rc, "login throttle");
	count = sqlite3_column_int(stmt, 0);
	oldest = sqlite3_column_int64(stmt, 1);
	sqlite3_reset(stmt);
	if (count < LOGIN_MAX_FAILS)
		return 0;
	*retry_after = oldest + LOGIN_WINDOW - now;
	if (*retry_after < 1)
		*retry_after = 1;
	return 0;
}

static int
login_step(struct store_db *db, const char *sql, const char *a, const char *b, int64_t n)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, sql, &stmt);

	if (rc != 0)
		return rc;
	if (a)
		store_bind_text(stmt, 1, a);
	if (b)
		store_bind_text(stmt, 2, b);
	sqlite3_bind_int64(stmt, a ? 3 : 1, n);
	rc = sqlite3_step(stmt);
	return rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, "login throttle");
}

int
srv_login_failed(struct srv_req *req, struct srv_resp *resp, const char *username)
{
	char key[SRV_USERNAME_MAX + 1];
	int64_t now = lc_now();
	int rc;

	login_key(username, key);
	if (srv_write_begin(req, resp) != 0)
		return -LC_EDB;
	rc = login_step(req->db, "INSERT INTO login_failures (username, addr, at) VALUES (?, ?, ?)",
	                key, req->client_ip, now);
	/* Expired rows go; then the cap drops the oldest (ids grow with time). Both indexed. */
	if (rc == 0)
		rc = login_step(req->db, "DELETE FROM login_failures WHERE at <= ?", NULL, NULL,
		                now - LOGIN_WINDOW);
	if (rc == 0)
		rc = login_step(req->db,
		                "DELETE FROM login_failures WHERE id <= "
		                "(SELECT max(id) FROM login_failures) - ?",
		                NULL, NULL, LOGIN_TABLE_CAP);
	if (rc == 0)
		rc = store_db_commit(req->db);
	if (rc != 0) {
		store_db_rollback(req->db);
		srv_tx_failed(req, resp, rc, "login throttle");
	}
	return rc;
}

int
srv_login_succeeded(struct srv_req *req, const char *username)
{
	char key[SRV_USERNAME_MAX + 1];
	sqlite3_stmt *stmt;
	int rc;

	login_key(username, key);
	rc = store_db_stmt(req->db, "DELETE FROM login_failures WHERE username = ? AND addr = ?",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, key);
	store_bind_text(stmt, 2, req->client_ip);
	rc = sqlite3_step(stmt);
	return rc == SQLITE_DONE ? 0 : store_db_fail(req->db, rc, "login throttle");
}
