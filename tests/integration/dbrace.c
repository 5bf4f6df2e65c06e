/* SPDX-License-Identifier: MIT */
/* The second-process race on live databases; see dbrace.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/mem.h"
#include "dbrace.h"
#include "store/db.h"
#include "store/replica.h"
#include "sync/engine.h"
#include "test-sync-lib.h"

#define WARM_CONNECTIONS 8 /* parallel requests: more than lecternd's 4 workers */

/* One write, user or topic: want 1 when acknowledged, -1 when its fate is unknown. */
struct entry {
	char marker[40];
	int want;
	bool user; /* a --create-user name rather than a topic title marker */
};

struct race {
	struct st_world w;
	char replica[700];
	char body[700]; /* a file holding a topic body, for spawn_post() */
	char *course_id;
	pid_t client;
	struct entry *e;
	int n, cap;
	uint64_t rnd;
	struct dbrace_result *res;
};

/* A new ledger entry; its marker is numbered by entry, so unique within the run. */
static struct entry *
add_entry(struct race *r, const char *kind)
{
	int i = r->n;

	struct entry *e;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->e = lc_realloc(r->e, (size_t)r->cap * sizeof(*r->e));
	}
	e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->marker, sizeof(e->marker), "%s%05d%s", kind, i, kind[0] == '[' ? "]" : "");
	e->want = -1;
	return e;
}

/* ---- The live client: the sync engine's thread and a second connection, as in the TUI ---- */

static void
client_main(const char *db_path, const char *url)
{
	struct sync_options opts = {.db_path = db_path, .server_url = url};
	struct sync_engine *engine = NULL;
	struct store_db *db = NULL;
	struct sync_status st;
	char *cause = NULL;

	if (sync_engine_create(&opts, &engine, &cause) < 0 || sync_engine_start(engine, 1) < 0) {
		fprintf(stderr, "dbrace client: %s\n", cause != NULL ? cause : "engine");
		_exit(3);
	}
	/* The engine opens its connection first; the second one (the TUI's) comes after. */
	do {
		st_sleep_ms(5);
		sync_engine_status(engine, &st);
	} while (st.state == SYNC_IDLE);
	if (store_replica_open(db_path, &db, &cause) < 0) {
		fprintf(stderr, "dbrace client: %s\n", cause != NULL ? cause : "open");
		_exit(4);
	}
	for (;;) {
		sqlite3_stmt *stmt = NULL;

		sync_engine_request(engine);
		if (store_db_stmt(db, "SELECT count(*) FROM outbox", &stmt) == 0)
			(void)sqlite3_step(stmt);
		sqlite3_reset(stmt);
		st_sleep_ms(20);
	}
}

static pid_t
client_start(struct race *r)
{
	pid_t pid = fork();

	if (pid == 0)
		client_main(r->replica, r->w.srv.url);
	return pid;
}

/* ---- Outside readers: open read-write, read, close (the close may checkpoint) ------------ */

static void
read_once(const char *path)
{
	sqlite3 *h = NULL;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(h, 2000);
		(void)sqlite3_exec(h, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
	}
	sqlite3_close(h);
}

static pid_t
reader_start(struct race *r)
{
	pid_t pid = fork();

	if (pid == 0) {
		read_once(r->w.srv.db);
		read_once(r->replica);
		_exit(0);
	}
	return pid;
}

/* ---- The server ------------------------------------------------------------------------ */

/* Parallel requests, so that every worker thread opens its connection. */
static void
warm_up(struct race *r)
{
	pid_t pids[WARM_CONNECTIONS];

	for (int i = 0; i < WARM_CONNECTIONS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			for (int k = 0; k < 4; k++) {
				cJSON *j =
				    st_api_get(&r->w.instructor, "/courses/%s", r->course_id);

				cJSON_Delete(j);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < WARM_CONNECTIONS; i++)
		if (pids[i] > 0)
			(void)st_wait(pids[i]);
}

static int
server_restart(struct race *r)
{
	int port = r->w.srv.port;

	st_server_stop(&r->w.srv, true);
	for (int i = 0; i < 100; i++) {
		if (st_server_start(&r->w.srv, r->w.dir, port, false) == 0) {
			warm_up(r);
			return 0;
		}
		st_sleep_ms(100);
	}
	return -1;
}

static void
http_write(struct race *r)
{
	struct entry *e = add_entry(r, "[h:");
	char path[128], *body;
	long status;

	snprintf(path, sizeof(path), "/courses/%s/topics", r->course_id);
	body = lc_asprintf("{\"title\":\"HTTP %s\",\"body\":\"x\"}", e->marker);
	status = st_api_call(&r->w.instructor, "POST", path, body, NULL);
	free(body);
	if (status >= 200 && status < 300)
		e->want = 1;
}

/* `lectern post` with a body on stdin, not waited for (st_lectern_spawn gives no stdin). */
static pid_t
spawn_post(struct race *r, const char *title)
{
	pid_t pid = fork();

	if (pid == 0) {
		int in = open(r->body, O_RDONLY | O_CLOEXEC);
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (in < 0 || null < 0 || dup2(in, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(126);
		execl(getenv("LECTERN"), "lectern", "--server", r->w.cl.server_url, "--data-dir",
		      r->w.cl.data_dir, "post", r->course_id, "--title", title, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void
cli_write(struct race *r, bool kill_it)
{
	struct entry *e = add_entry(r, "[c:");
	char title[64];

	snprintf(title, sizeof(title), "CLI %s", e->marker);
	if (kill_it) {
		pid_t pid = spawn_post(r, title);

		st_sleep_ms((int)(st_rand(&r->rnd) % 40));
		kill(pid, SIGKILL);
		if (st_wait(pid) == 0)
			e->want = 1;
		return;
	}
	if (st_lectern(&r->w.cl, "A body.\n", NULL, "post", r->course_id, "--title", title, NULL) ==
	    0)
		e->want = 1;
}

static void
create_user(struct race *r)
{
	struct entry *e = add_entry(r, "race-u");

	e->user = true;
	if (st_server_create_user(&r->w.srv, e->marker, "learner", ST_PASSWORD) == 0)
		e->want = 1;
}

/* One random SIGKILL: the server, the client, a writer in flight or a reader in flight. */
static void
random_kill(struct race *r)
{
	pid_t pid;

	r->res->kills++;
	switch (st_rand(&r->rnd) % 4) {
	case 0:
		if (server_restart(r) < 0)
			fprintf(stderr, "dbrace: the server did not come back\n");
		break;
	case 1:
		kill(r->client, SIGKILL);
		(void)st_wait(r->client);
		r->client = client_start(r);
		break;
	case 2:
		cli_write(r, true);
		break;
	default:
		pid = reader_start(r);
		st_sleep_ms((int)(st_rand(&r->rnd) % 10));
		kill(pid, SIGKILL);
		(void)st_wait(pid);
		break;
	}
}

/* ---- The verdict --------------------------------------------------------------------------- */

static int
integrity(const char *path)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *stmt = NULL;
	int bad = 1;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(stmt, 0);

		bad = v == NULL || strcmp(v, "ok") != 0;
		if (bad)
			fprintf(stderr, "dbrace: %s: integrity_check: %s\n", path, v ? v : "?");
	} else {
		fprintf(stderr, "dbrace: %s: %s\n", path, h ? sqlite3_errmsg(h) : "cannot open");
	}
	sqlite3_finalize(stmt);
	sqlite3_close(h);
	return bad;
}

static int
users_named(const char *db, const char *name)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *stmt = NULL;
	int n = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_busy_timeout(h, 5000) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "SELECT count(*) FROM users WHERE username = ?", -1, &stmt,
	                       NULL) == SQLITE_OK &&
	    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(h);
	return n;
}

static char *
topic_titles(struct race *r)
{
	char path[128];
	cJSON *all, *t;
	char *text = lc_strdup("");

	snprintf(path, sizeof(path), "/courses/%s/topics", r->course_id);
	all = st_api_list(&r->w.instructor, path);
	if (all == NULL) {
		free(text);
		return NULL;
	}
	cJSON_ArrayForEach(t, all)
	{
		const cJSON *title = cJSON_GetObjectItemCaseSensitive(t, "title");

		if (cJSON_IsString(title)) {
			char *more = lc_asprintf("%s%s\n", text, title->valuestring);

			free(text);
			text = more;
		}
	}
	cJSON_Delete(all);
	return text;
}

static void
verdict(struct race *r)
{
	char *titles;

	r->res->integrity_bad = integrity(r->w.srv.db) + integrity(r->replica);
	titles = topic_titles(r);
	for (int i = 0; i < r->n; i++) {
		struct entry *e = &r->e[i];
		int got = e->user          ? users_named(r->w.srv.db, e->marker)
		          : titles != NULL ? st_count(titles, e->marker)
		                           : -1;

		if (e->want == 1)
			r->res->acknowledged++;
		if (e->want == 1 && got < 1) {
			fprintf(stderr, "dbrace: acknowledged %s found %d times\n", e->marker, got);
			r->res->lost++;
		}
		if (got > 1) {
			fprintf(stderr, "dbrace: %s found %d times\n", e->marker, got);
			r->res->doubled++;
		}
	}
	free(titles);
}

int
dbrace_run(const struct dbrace_opts *o, struct dbrace_result *res)
{
	struct race r = {.res = res};
	FILE *fp;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	r.rnd = o->seed != 0 ? o->seed : st_seed();
	if (st_world_setup(&r.w, "dbrace", 1, 1, 1) < 0 ||
	    st_lectern(&r.w.cl, NULL, NULL, "enroll", r.w.courses[0].id, NULL) != 0 ||
	    st_lectern(&r.w.cl, NULL, NULL, "sync", NULL) != 0) {
		st_world_teardown(&r.w);
		return -1;
	}
	r.course_id = r.w.courses[0].id;
	snprintf(r.replica, sizeof(r.replica), "%s/replica.db", r.w.cl.data_dir);
	snprintf(r.body, sizeof(r.body), "%s/body.txt", r.w.dir);
	fp = fopen(r.body, "w");
	if (fp == NULL || fputs("A body.\n", fp) == EOF || fclose(fp) != 0) {
		st_world_teardown(&r.w);
		return -1;
	}
	warm_up(&r);
	r.client = client_start(&r);
	for (int round = 0; round < o->rounds; round++) {
		pid_t reader = reader_start(&r);

		if (round % 2 == 0)
			cli_write(&r, false);
		else
			http_write(&r);
		if (round % 10 == 5)
			create_user(&r);
		if (o->kill_pct > 0 && (int)(st_rand(&r.rnd) % 100) < o->kill_pct)
			random_kill(&r);
		(void)st_wait(reader);
		res->rounds = round + 1;
	}
	/* The end: SIGKILL everything, restart, one sync, then count. */
	kill(r.client, SIGKILL);
	(void)st_wait(r.client);
	if (server_restart(&r) < 0) {
		fprintf(stderr, "dbrace: the server did not restart\n");
		rc = -1;
	}
	for (int i = 0; i < 5; i++) {
		res->final_sync_rc = st_lectern(&r.w.cl, NULL, NULL, "sync", NULL);
		if (res->final_sync_rc == 0)
			break;
		fprintf(stderr, "dbrace: final sync exited %d: %s\n", res->final_sync_rc,
		        st_last_stderr());
		st_sleep_ms(200);
	}
	verdict(&r);
	free(r.e);
	st_world_teardown(&r.w);
	return rc;
}
