/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for what lecternd parses from the network: the first byte picks a
 * route (and whether the body arrives gzip- or zstd-encoded), the rest is the body.
 * Each input runs through the real decoder and srv_dispatch() on a real database, as an
 * authenticated admin, so the JSON getters, the /sync push and cursor parsing and the
 * handlers all see hostile input. Crashes, sanitizer reports and leaks are findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "server-stub/srv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct srv_ctx ctx;
static struct store_db *db;
static struct srv_user admin;

static const struct {
	const char *method, *path;
} routes[] = {
    {"POST", "/api/v1/sync"},
    {"POST", "/api/v1/auth/register"},
    {"POST", "/api/v1/auth/token"},
    {"POST", "/api/v1/departments"},
    {"PATCH", "/api/v1/users/me"},
    {"POST", "/api/v1/courses"},
    {"GET", "/api/v1/users?role=admin&search=%25a&page=2&limit=3"},
    {"POST", "/api/v1/enrollments"},
};

static void
init(void)
{
	char dir[] = "/tmp/lectern-fuzz-XXXXXX", path[64], *cause = NULL;
	sqlite3_stmt *stmt;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/f.db", dir);
	if (srv_ctx_init(&ctx, path, &cause) != 0)
		abort();
	db = srv_ctx_db(&ctx);
	if (srv_user_create_cli(&ctx, "fuzzadmin", "fuzz-password", SRV_ROLE_ADMIN, &cause) != 0 ||
	    store_db_stmt(db, "SELECT id FROM users", &stmt) != 0 ||
	    sqlite3_step(stmt) != SQLITE_ROW)
		abort();
	if (srv_user_load(db, (const char *)sqlite3_column_text(stmt, 0), &admin) != 0)
		abort();
	srv_db_quiesce(db);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const encs[] = {NULL, "gzip", "zstd"};
	struct srv_resp resp;
	void *plain = NULL;
	size_t plain_len = 0, n_routes = sizeof(routes) / sizeof(routes[0]);
	cJSON *body;
	bool replayed;

	if (db == NULL)
		init();
	if (size < 1)
		return 0;
	const char *enc = encs[(data[0] >> 4) % 3];
	if (enc) {
		if (srv_codec_decompress(enc, data + 1, size - 1, SRV_BODY_MAX, &plain,
		                         &plain_len) != 0)
			return 0;
	} else {
		plain = malloc(size);
		memcpy(plain, data + 1, size - 1);
		((char *)plain)[size - 1] = '\0';
	}
	body = cJSON_Parse(plain);
	free(plain);
	struct srv_call call = {
	    .method = routes[data[0] % n_routes].method,
	    .path = routes[data[0] % n_routes].path,
	    .body = body,
	    .viewer = (data[0] & 8) ? &admin : NULL,
	    .idempotency_key = NULL,
	    .if_match = -1,
	    .request_id = "fuzz",
	};
	srv_dispatch(&ctx, db, &call, &resp, &replayed);
	srv_resp_finish(&resp);
	cJSON_Delete(body);
	return 0;
}
