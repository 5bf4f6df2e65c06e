/* SPDX-License-Identifier: MIT */
/*
 * The seeded lecternd world shared by the server fuzz targets (see fuzz-srv-world.h).
 * Seeding hashes every demo password once, so it costs a few seconds per fuzzing
 * process, not per input.
 */
#include "fuzz-srv-world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "common/buf.h"

static struct fuzz_srv_world world;
/* Placeholder names and their tables, in the order of world.ids. */
static const char *const id_tables[FUZZ_N_IDS][2] = {
    {"{course}", "courses"},
    {"{module}", "modules"},
    {"{item}", "items"},
    {"{question}", "questions"},
    {"{topic}", "topics"},
    {"{reply}", "replies"},
    {"{enrollment}", "enrollments"},
    {"{department}", "departments"},
    {"{attempt}", "attempts"},
    {"{user}", NULL},
};
static char dir[] = "/tmp/lectern-fuzz-XXXXXX";
static bool ready;

static void
remove_dir(void)
{
	static const char *const names[] = {"f.db", "f.db-wal", "f.db-shm", "f.db-journal"};
	char path[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

static void
load_user(const char *username, struct srv_user *out)
{
	sqlite3_stmt *stmt;

	if (store_db_stmt(world.db, "SELECT id FROM users WHERE username = ?", &stmt) != 0 ||
	    sqlite3_bind_text(stmt, 1, username, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_ROW ||
	    srv_user_load(world.db, (const char *)sqlite3_column_text(stmt, 0), out) != 0) {
		fprintf(stderr, "fuzz: demo user %s missing\n", username);
		abort();
	}
	sqlite3_reset(stmt);
}

/* The id of the first row of table into out ("" when the table is empty). */
static void
load_id(const char *table, char out[LC_UUID_LEN + 1])
{
	char sql[96];
	sqlite3_stmt *stmt;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id FROM %s ORDER BY rowid LIMIT 1", table);
	if (store_db_stmt(world.db, sql, &stmt) != 0)
		abort();
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		snprintf(out, LC_UUID_LEN + 1, "%s", (const char *)sqlite3_column_text(stmt, 0));
	else if (rc == SQLITE_DONE)
		out[0] = '\0';
	else
		abort();
	sqlite3_reset(stmt);
}

struct fuzz_srv_world *
fuzz_srv_world(void)
{
	char path[64], *cause = NULL;

	if (ready)
		return &world;
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		abort();
	atexit(remove_dir);
	snprintf(path, sizeof(path), "%s/f.db", dir);
	if (srv_ctx_init(&world.ctx, path, &cause) != 0 || srv_seed_demo(&world.ctx, &cause) != 0) {
		fprintf(stderr, "fuzz: cannot set up %s: %s\n", path, cause ? cause : "?");
		abort();
	}
	world.db = srv_ctx_db(&world.ctx);
	if (world.db == NULL)
		abort();
	load_user("admin", &world.users[FUZZ_ADMIN]);
	load_user("instructor", &world.users[FUZZ_INSTRUCTOR]);
	load_user("learner", &world.users[FUZZ_LEARNER]);
	for (int i = 0; i < FUZZ_N_IDS; i++) {
		if (id_tables[i][1] != NULL)
			load_id(id_tables[i][1], world.ids[i]);
		else
			snprintf(world.ids[i], sizeof(world.ids[i]), "%s",
			         world.users[FUZZ_LEARNER].id);
	}
	srv_db_quiesce(world.db);
	ready = true;
	return &world;
}

const struct srv_user *
fuzz_srv_viewer(struct fuzz_srv_world *w, enum fuzz_who who)
{
	return who == FUZZ_ANON ? NULL : &w->users[who];
}

char *
fuzz_srv_expand(struct fuzz_srv_world *w, const char *text, size_t len)
{
	struct lc_buf out;

	lc_buf_init(&out);
	for (size_t i = 0; i < len;) {
		int hit = -1;

		if (text[i] == '{') {
			for (int k = 0; k < FUZZ_N_IDS && hit < 0; k++) {
				size_t n = strlen(id_tables[k][0]);

				if (len - i >= n && memcmp(text + i, id_tables[k][0], n) == 0)
					hit = k;
			}
		}
		if (hit >= 0) {
			lc_buf_puts(&out, w->ids[hit]);
			i += strlen(id_tables[hit][0]);
		} else {
			lc_buf_putc(&out, text[i++]);
		}
	}
	return lc_buf_steal(&out);
}

void
fuzz_srv_call(struct fuzz_srv_world *w, const struct srv_call *call)
{
	struct srv_resp resp;
	bool replayed;

	srv_dispatch(&w->ctx, w->db, call, &resp, &replayed);
	/* Every request gets an answer; a handler that forgot to reply is a finding. */
	if (resp.status < 100 || resp.status > 599) {
		fprintf(stderr, "fuzz: %s %s got status %d\n", call->method, call->path,
		        resp.status);
		abort();
	}
	/* LECTERN_FUZZ_VERBOSE=1 shows what each input became, to check seeds by hand. */
	if (getenv("LECTERN_FUZZ_VERBOSE") != NULL) {
		char *text = resp.body ? cJSON_PrintUnformatted(resp.body) : NULL;

		fprintf(stderr, "fuzz: %s %s -> %d %.300s\n", call->method, call->path, resp.status,
		        text ? text : "");
		free(text);
	}
	srv_resp_finish(&resp);
	srv_db_quiesce(w->db);
}
