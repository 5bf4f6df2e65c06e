/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher: one REST request, from whichever door it came in (HTTP, a /sync push
 * item, the seeder), through the route table, the transaction and Idempotency-Key replay.
 *
 * Mutating requests run inside BEGIN IMMEDIATE, so the handler's writes and its feed rows
 * commit together or not at all; the idempotency lookup happens inside that same
 * transaction, so two copies of one request racing each other run once. Reads run in a
 * deferred transaction so a handler sees one snapshot.
 *
 * THREAD SAFETY NOTES: what may run inside BEGIN IMMEDIATE.
 *
 * The write lock is one per database: while any worker holds it, every other writer of
 * every other user waits (up to the busy timeout, then 503). So inside BEGIN IMMEDIATE run
 * only SQL and in-memory work bounded by the request's own size: no argon2id (tens of ms
 * and 64 MiB each), no network, no sleeping, no waiting on another lock. Work that is slow
 * by design runs before the transaction: a route flagged SRV_ROUTE_SLOW is called first
 * with req->outside_tx set and no transaction open (it validates, reads, verifies and
 * hashes there, and may answer), then again inside the short write transaction, where it
 * must re-check what it read (compare-and-swap: the password hash, the invite's uses) since
 * another writer may have changed it in between. Handlers of SRV_ROUTE_NO_TX routes (/sync)
 * open their own transactions and follow the same rule. A begin, step or commit that still
 * meets SQLITE_BUSY answers 503 with Retry-After (srv_tx_failed), never 500.
 */
#include <assert.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"

#define API_PREFIX "/api/v1"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes n bytes of s ('+' is a space in a query). Caller frees. */
static char *
url_decode(const char *s, size_t n)
{
	char *out = lc_malloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else if (s[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static void
query_parse(struct srv_req *req, const char *q)
{
	while (q && *q && req->n_query < SRV_MAX_QUERY) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', len);

		if (len > 0) {
			struct srv_kv *kv = &req->query[req->n_query++];
			size_t nlen = eq ? (size_t)(eq - q) : len;

			kv->name = url_decode(q, nlen);
			kv->value = eq ? url_decode(eq + 1, len - nlen - 1) : lc_strdup("");
		}
		q = amp ? amp + 1 : NULL;
	}
}

static void
query_free(struct srv_req *req)
{
	for (int i = 0; i < req->n_query; i++) {
		free(req->query[i].name);
		free(req->query[i].value);
	}
	req->n_query = 0;
}

static bool
is_mutating(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/*
 * Looks up a stored response for (user, key). Returns true and fills resp when found, or
 * when the lookup failed: then resp is the 5xx (srv_tx_failed), as a failed lookup must
 * not run the write a second time (code review 2026-11-29, F6). *replayed tells which.
 */
static bool
idem_lookup(struct srv_req *req, const char *user_id, const char *key, struct srv_resp *resp,
            bool *replayed)
{
	sqlite3_stmt *stmt;
	const char *body;
	int rc;

	rc = store_db_stmt(req->db,
	                   "SELECT status, body FROM idempotency WHERE user_id = ? AND key = ? "
	                   "AND created_at > ?",
	                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, user_id);
		store_bind_text(stmt, 2, key);
		sqlite3_bind_int64(stmt, 3, lc_now() - SRV_IDEMPOTENCY_TTL);
		rc = store_db_next_row(req->db, stmt, "idempotency");
	}
	if (rc < 0) {
		srv_tx_failed(req, resp, rc, "idempotency lookup");
		return true;
	}
	if (rc == 0)
		return false;
	body = (const char *)sqlite3_column_text(stmt, 1);
	srv_reply(resp, sqlite3_column_int(stmt, 0), body ? cJSON_Parse(body) : NULL);
	*replayed = true;
	return true;
}

/* A permission's lookup failed and read as "no" (srv_req.perm_error): 5xx instead. */
static void
perm_failed(struct srv_req *req, struct srv_resp *resp)
{
	if (req->perm_error == 0 || resp->status >= 500)
		return;
	resp->n_headers = 0;
	srv_tx_failed(req, resp, req->perm_error, "permission lookup");
}

static int
idem_store(struct store_db *db, const struct srv_call *call, const char *user_id,
           const struct srv_resp *resp)
{
	sqlite3_stmt *stmt;
	char *body = resp->body ? cJSON_PrintUnformatted(resp->body) : NULL;
	int rc;

	rc =
	    store_db_stmt(db,
	                  "INSERT OR REPLACE INTO idempotency (user_id, key, method, path, status, "
	                  "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                  &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, user_id);
		store_bind_text(stmt, 2, call->idempotency_key);
		store_bind_text(stmt, 3, call->method);
		store_bind_text(stmt, 4, call->path);
		sqlite3_bind_int(stmt, 5, resp->status);
		store_bind_text(stmt, 6, body);
		sqlite3_bind_int64(stmt, 7, lc_now());
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = store_db_fail(db, sqlite3_errcode(store_db_handle(db)), "idempotency");
	}
	cJSON_free(body);
	return rc;
}

/* Failures worth replaying: a client's mistake stays a mistake; auth and limits do not. */
static bool
idem_storable(int status)
{
	return status < 500 && status != 401 && status != 429;
}

static void
add_etag(struct srv_resp *resp)
{
	const cJSON *rev;
	char etag[32];

	if (resp->status < 200 || resp->status >= 300 || !cJSON_IsObject(resp->body))
		return;
	rev = cJSON_GetObjectItemCaseSensitive(resp->body, "rev");
	if (!cJSON_IsNumber(rev))
		return;
	snprintf(etag, sizeof(etag), "\"%lld\"", (long long)rev->valuedouble);
	srv_resp_header(resp, "ETag", etag);
}

/* Stores a failure worth replaying in a transaction of its own (the request's rolled back). */
static void
idem_store_failure(struct srv_req *req, const struct srv_call *call, const char *user_id,
                   const struct srv_resp *resp)
{
	if (!idem_storable(resp->status) || store_db_begin(req->db) != 0)
		return;
	if (idem_store(req->db, call, user_id, resp) == 0 && store_db_commit(req->db) == 0)
		return;
	store_db_rollback(req->db);
}

/* Runs the handler inside the transaction the request needs. */
static void
run_handler(struct srv_req *req, const struct srv_route *route, const struct srv_call *call,
            struct srv_resp *resp, bool *replayed)
{
	const char *user_id = req->viewer ? req->viewer->id : "";
	bool write = is_mutating(req->method);
	bool idem = write && call->idempotency_key && !(route->flags & SRV_ROUTE_NO_IDEM);
	cJSON *before = NULL;
	int rc;

	/*
	 * A statement left stepping (authentication, a caller's lookup) pins an old snapshot,
	 * and BEGIN IMMEDIATE on a stale snapshot fails at once instead of waiting its turn.
	 */
	srv_db_quiesce(req->db);
	if (route->flags & SRV_ROUTE_NO_TX) {
		route->handler(req, resp);
		perm_failed(req, resp);
		return;
	}
	if (route->flags & SRV_ROUTE_SLOW) {
		/* A replay must not pay for (or fail on) the slow part; checked again below. */
		if (idem && idem_lookup(req, user_id, call->idempotency_key, resp, replayed))
			return;
		srv_db_quiesce(req->db);
		req->outside_tx = true;
		route->handler(req, resp);
		req->outside_tx = false;
		srv_db_quiesce(req->db);
		assert(!store_db_in_transaction(req->db));
		perm_failed(req, resp);
		if (resp->status != 0) {
			if (idem)
				idem_store_failure(req, call, user_id, resp);
			return;
		}
	}
	rc = write ? store_db_begin(req->db) : store_db_exec(req->db, "BEGIN");
	if (rc != 0) {
		srv_tx_failed(req, resp, rc, "begin");
		return;
	}
	if (idem && idem_lookup(req, user_id, call->idempotency_key, resp, replayed)) {
		store_db_rollback(req->db);
		return;
	}
	/* A PATCH that changes nothing keeps its rev and writes no feed row (API.md). */
	rc = srv_patch_begin(req, route, &before);
	if (rc == 0) {
		route->handler(req, resp);
		srv_db_quiesce(req->db);
		rc = srv_patch_end(req, route, resp, before);
	}
	if (rc != 0)
		srv_internal(req, resp, rc, "patch");
	perm_failed(req, resp);
	if (resp->status == 0)
		srv_internal(req, resp, -LC_EINVAL, "handler gave no answer");
	/*
	 * Only a 204 goes without a body: a 200 or 201 without one is a row that could not be
	 * rendered back (a failed read), and must not commit as a success.
	 */
	if (resp->status >= 200 && resp->status < 300 && resp->status != 204 && resp->body == NULL)
		srv_internal(req, resp, -LC_EDB, "handler answered without a body");
	if (resp->status < 400) {
		if (idem)
			rc = idem_store(req->db, call, user_id, resp);
		if (rc == 0)
			rc = store_db_commit(req->db);
		if (rc != 0) {
			store_db_rollback(req->db);
			resp->n_headers = 0;
			srv_tx_failed(req, resp, rc, "commit");
		}
		return;
	}
	store_db_rollback(req->db);
	if (idem)
		idem_store_failure(req, call, user_id, resp);
}

void
srv_busy(struct srv_resp *resp)
{
	srv_error(resp, 503, "api_error", "The server is busy; try again shortly");
	srv_resp_header(resp, "Retry-After", "1");
}

void
srv_tx_failed(struct srv_req *req, struct srv_resp *resp, int err, const char *context)
{
	const struct store_error *e = store_db_error(req->db);

	if ((e->sqlite_code & 0xff) == SQLITE_BUSY || (e->sqlite_code & 0xff) == SQLITE_LOCKED) {
		lc_log(LC_LOG_WARN, "request %s: %s: database busy, answered 503", req->request_id,
		       context);
		srv_busy(resp);
		return;
	}
	srv_internal(req, resp, err, context);
}

int
srv_write_begin(struct srv_req *req, struct srv_resp *resp)
{
	int rc;

	srv_db_quiesce(req->db);
	rc = store_db_begin(req->db);
	if (rc != 0)
		srv_tx_failed(req, resp, rc, "begin");
	return rc;
}

void
srv_db_quiesce(struct store_db *db)
{
	sqlite3 *h = store_db_handle(db);

	for (sqlite3_stmt *s = sqlite3_next_stmt(h, NULL); s; s = sqlite3_next_stmt(h, s))
		if (sqlite3_stmt_busy(s))
			sqlite3_reset(s);
}

bool
srv_db_idle(struct store_db *db)
{
	sqlite3 *h = store_db_handle(db);

	if (!sqlite3_get_autocommit(h))
		return false;
	for (sqlite3_stmt *s = sqlite3_next_stmt(h, NULL); s; s = sqlite3_next_stmt(h, s))
		if (sqlite3_stmt_busy(s))
			return false;
	return true;
}

static bool
key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n < 1 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return false;
	return true;
}

void
srv_dispatch(struct srv_ctx *ctx, struct store_db *db, const struct srv_call *call,
             struct srv_resp *resp, bool *replayed)
{
	struct srv_req req = {0};
	struct srv_call scoped = *call;
	const struct srv_route *route;
	const char *q;
	char *path;
	bool known;

	memset(resp, 0, sizeof(*resp));
	*replayed = false;
	req.ctx = ctx;
	req.db = db;
	req.method = call->method;
	req.body = call->body;
	req.viewer = call->viewer;
	req.if_match = call->if_match;
	req.request_id = call->request_id ? call->request_id : "-";
	req.client_ip = call->client_ip ? call->client_ip : "";
	/*
	 * Keys are per user: an anonymous key could replay one stranger's register or login
	 * answer (tokens included) to another, so anonymous requests never replay.
	 */
	if (call->viewer == NULL)
		scoped.idempotency_key = NULL;
	if (strncmp(call->path, API_PREFIX, strlen(API_PREFIX)) != 0) {
		srv_error(resp, 404, "resource_dne_error", "That endpoint does not exist");
		return;
	}
	q = strchr(call->path, '?');
	path = q ? lc_strndup(call->path, (size_t)(q - call->path)) : lc_strdup(call->path);
	req.path = path + strlen(API_PREFIX);
	if (q)
		query_parse(&req, q + 1);
	route = srv_route_find(req.method, req.path, &req, &known);
	if (route == NULL && known)
		srv_error(resp, 405, "invalid_request_error", "Method %s not allowed here",
		          req.method);
	else if (route == NULL)
		srv_error(resp, 404, "resource_dne_error", "That endpoint does not exist");
	else if (!(route->flags & SRV_ROUTE_PUBLIC) && req.viewer == NULL)
		srv_error(resp, 401, "authentication_error", "Authentication required");
	else if (call->idempotency_key && !key_valid(call->idempotency_key))
		srv_bad_params(resp, "Idempotency-Key");
	else if (!srv_params_known(&req, route, resp))
		; /* 400 naming the unknown body keys and query parameters */
	else
		run_handler(&req, route, &scoped, resp, replayed);
	/* A handler may lend req.viewer a fresher copy, never leave it pointing at its frame. */
	assert(req.viewer == call->viewer);
	add_etag(resp);
	srv_db_quiesce(db);
	/* No transaction or snapshot outlives a request: it would pin the WAL (perf review
	 * 2026-11-29, bottleneck 4). */
	assert(srv_db_idle(db));
	if (req.prep_free)
		req.prep_free(req.prep);
	query_free(&req);
	free(path);
}
