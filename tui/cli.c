/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of `lectern`, one function each, collected in a table (tmux's idea).
 * Session commands (login, logout, sync, status) talk to the sync engine; the others read
 * the replica or queue a write with store_local_write() and never touch the network.
 */
#include "tui/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/text.h"
#include "common/uuid.h"
#include "store/replica.h"
#include "sync/engine.h"
#include "sync/merge.h"
#include "tui/tui-int.h"

#define BODY_MAX 20000 /* API.md: Markdown bodies are 1..20000 chars */

struct cli_cmd {
	const char *name;
	const char *args;
	int min_args; /* positional arguments after the name */
	int (*fn)(const struct cli_ctx *ctx, int argc, char **argv);
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "lectern: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	cli_usage(stderr);
	return CLI_EXIT_USAGE;
}

/*
 * Writes text that came from the server or the replica (NULL reads as "") with every
 * control character neutralised (lc_text_clean): a title holding escape sequences must not
 * retitle, clear or recolour the terminal (security review 2026-11-29, M3). Without
 * LC_TEXT_KEEP_LINES a field stays on its own line.
 */
static void
put_text(FILE *fp, const char *s, unsigned flags)
{
	char *clean = lc_text_cleaned(s, flags);

	fputs(clean, fp);
	free(clean);
}

/* A line "LABEL  value" of `lectern status`, the value from the replica. */
static void
put_row(const char *label, const char *value)
{
	printf("%-14s", label);
	put_text(stdout, value, 0);
	putchar('\n');
}

/* Maps an error to an exit status and prints its message (which may quote the server). */
static int
fail(int rc, const char *what, char *cause)
{
	fprintf(stderr, "lectern: %s: ", what);
	put_text(stderr, cause != NULL ? cause : lc_strerror(rc), LC_TEXT_KEEP_LINES);
	fputc('\n', stderr);
	free(cause);
	if (rc == -LC_ENET)
		return CLI_EXIT_UNREACHABLE;
	if (rc == -LC_ECONFLICT)
		return CLI_EXIT_VERIFY;
	return CLI_EXIT_USAGE;
}

static int
open_replica(const struct cli_ctx *ctx, struct store_db **db)
{
	char *cause = NULL;
	int rc = store_replica_open(ctx->db_path, db, &cause);

	if (rc < 0)
		return fail(rc, "replica", cause); /* cause names the file */
	return 0;
}

/* ---- Reading input -------------------------------------------------------------------- */

/* Reads all of stdin: the body, kept byte for byte (Markdown cares about whitespace). */
static int
read_body(char **out)
{
	struct lc_buf buf = {0};
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		lc_buf_append(&buf, chunk, n);
	if (ferror(stdin)) {
		lc_buf_finish(&buf);
		fprintf(stderr, "lectern: cannot read stdin: %s\n", strerror(errno));
		return CLI_EXIT_USAGE;
	}
	if (buf.len == 0 || buf.len > BODY_MAX || memchr(buf.data, '\0', buf.len) != NULL) {
		lc_buf_finish(&buf);
		fprintf(stderr, "lectern: the body on stdin must be 1 to %d characters of text\n",
		        BODY_MAX);
		return CLI_EXIT_USAGE;
	}
	*out = lc_buf_steal(&buf);
	return 0;
}

/* Reads the password: a line of stdin, or a prompt without echo on a terminal. */
static char *
read_password(void)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char line[1024];
	char *pw = NULL;

	if (tty) {
		fprintf(stderr, "Password: ");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		pw = lc_strdup(line);
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fprintf(stderr, "\n");
	}
	explicit_bzero(line, sizeof(line));
	return pw;
}

/* ---- Session commands ------------------------------------------------------------------- */

/* The server to use: --server, else the one the replica logged in to. Caller frees. */
static char *
server_url(const struct cli_ctx *ctx)
{
	struct store_db *db = NULL;
	char *url = NULL;

	if (ctx->server_url != NULL)
		return lc_strdup(ctx->server_url);
	if (store_replica_open(ctx->db_path, &db, NULL) == 0)
		store_setting_get(db, "server_url", &url);
	store_db_close(db);
	return url;
}

static int
cmd_login(const struct cli_ctx *ctx, int argc, char **argv)
{
	char *url = server_url(ctx), *pw, *cause = NULL;
	int rc;

	if (url == NULL)
		return usage_error("%s", "no server: use --server URL or LECTERN_SERVER");
	pw = read_password();
	if (pw == NULL) {
		free(url);
		return usage_error("%s", "no password on stdin");
	}
	rc = sync_login(ctx->db_path, url, argv[1], pw, NULL, &cause);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	free(url);
	if (rc < 0)
		return fail(rc, "login", cause);
	printf("Logged in as %s.\n", argv[1]);
	return CLI_EXIT_OK;
}

static int
cmd_logout(const struct cli_ctx *ctx, int argc, char **argv)
{
	char *cause = NULL;
	int rc = sync_logout(ctx->db_path, NULL, &cause);

	if (rc < 0)
		return fail(rc, "logout", cause);
	printf("Logged out.\n");
	return CLI_EXIT_OK;
}

static int
cmd_sync(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct sync_options opts = {.db_path = ctx->db_path, .server_url = ctx->server_url};
	struct sync_engine *engine = NULL;
	struct sync_status st;
	bool verify = false;
	char *cause = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--verify") != 0)
			return usage_error("sync: unknown argument %s", argv[i]);
		verify = true;
	}
	rc = sync_engine_create(&opts, &engine, &cause);
	if (rc == 0)
		rc = sync_engine_run(engine, verify, &cause);
	sync_engine_status(engine, &st);
	sync_engine_destroy(engine);
	if (rc < 0)
		return fail(rc, verify && rc == -LC_ECONFLICT ? "verify failed" : "sync", cause);
	printf("Synced: %lld writes sent, %lld changes received, %lld waiting, %lld issues%s.\n",
	       (long long)st.entries_pushed, (long long)st.changes_applied,
	       (long long)st.entries_waiting, (long long)st.issues, verify ? ", verified" : "");
	return CLI_EXIT_OK;
}

static void
print_setting(struct store_db *db, const char *label, const char *key, const char *none)
{
	char *value = NULL;

	store_setting_get(db, key, &value);
	put_row(label, value != NULL ? value : none);
	free(value);
}

static int
cmd_status(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_db *db = NULL;
	struct store_cursor *cursors = NULL;
	size_t n = 0;
	int64_t waiting = 0, issues = 0;
	char *token = NULL;

	if (open_replica(ctx, &db) != 0)
		return CLI_EXIT_USAGE;
	if (ctx->server_url != NULL)
		put_row("server", ctx->server_url);
	else
		print_setting(db, "server", "server_url", "(none)");
	print_setting(db, "user", "username", "(not logged in)");
	store_setting_get(db, "refresh_token", &token);
	printf("%-14s%s\n", "session", token != NULL ? "logged in" : "needs login");
	free(token);
	store_outbox_count(db, &waiting);
	store_issue_count(db, &issues);
	printf("%-14s%lld\n", "pending", (long long)waiting);
	printf("%-14s%lld\n", "issues", (long long)issues);
	print_setting(db, "last sync", "last_sync", "never");
	if (store_cursor_list(db, &cursors, &n) == 0)
		for (size_t i = 0; i < n; i++) {
			printf("cursor        ");
			put_text(stdout, cursors[i].scope, 0);
			printf("\t%lld\n", (long long)cursors[i].cursor);
		}
	store_cursor_list_free(cursors, n);
	store_db_close(db);
	return CLI_EXIT_OK;
}

/* ---- Reading the replica ---------------------------------------------------------------- */

static const char *
doc_str(const cJSON *doc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A line "id<TAB>title" of `lectern courses`, both from the replica. */
static void
put_course(const char *id, const char *title)
{
	put_text(stdout, id, 0);
	putchar('\t');
	put_text(stdout, title, 0);
	putchar('\n');
}

static int
cmd_courses(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_resource_list list = {0};
	struct store_hit *hits = NULL;
	struct store_db *db = NULL;
	size_t n = 0;
	int rc;

	if (argc != 1 && (argc != 3 || strcmp(argv[1], "--search") != 0))
		return usage_error("%s", "courses takes only --search TEXT");
	if (open_replica(ctx, &db) != 0)
		return CLI_EXIT_USAGE;
	if (argc == 3) {
		rc = store_search(db, argv[2], "course", 1000, &hits, &n);
		for (size_t i = 0; rc == 0 && i < n; i++)
			put_course(hits[i].id, hits[i].title);
		store_hits_free(hits, n);
	} else {
		rc = store_resource_list(db, "course", NULL, NULL, STORE_ORDER_TITLE, &list);
		for (size_t i = 0; rc == 0 && i < list.n; i++) {
			cJSON *doc = cJSON_Parse(list.items[i].doc);
			const char *title = doc_str(doc, "title");

			put_course(list.items[i].id, title);
			cJSON_Delete(doc);
		}
		store_resource_list_free(&list);
	}
	if (rc < 0)
		fprintf(stderr, "lectern: courses: %s\n", store_db_error(db)->message);
	store_db_close(db);
	return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* Prints a JSON text field by field, long texts as indented blocks. */
/* ---- lectern issues: sync issues in words, and the choices (issue 11, item 6) ----------- */

/* Text for one tab-separated field: no control character, no tab, no newline. */
static void
put_field(const char *s)
{
	put_text(stdout, s, 0);
}

/* One issue's row: "ID  what: what happened  (when)" on a terminal, else tab-separated. */
static void
issue_row(struct store_db *db, const struct store_issue *it, bool tty)
{
	char *what = store_issue_describe(db, it);
	char *happened = store_issue_what_happened(it);
	char when[LC_RFC3339_LEN + 1];

	lc_rfc3339(it->created_at, when);
	if (tty) {
		printf("%3lld  ", (long long)it->id);
		put_field(what);
		printf(": ");
		put_field(happened);
		printf("  (%s)\n", when);
	} else {
		printf("%lld\t", (long long)it->id);
		put_field(it->kind);
		putchar('\t');
		put_field(what);
		putchar('\t');
		put_field(happened);
		printf("\t%s\n", when);
	}
	free(what);
	free(happened);
}

static void
issue_choices(const struct store_issue *it)
{
	if (strcmp(it->kind, "conflict") == 0)
		printf("Choose: lectern issues keep-mine %lld | keep-theirs %lld | merge %lld < "
		       "merged.txt\n",
		       (long long)it->id, (long long)it->id, (long long)it->id);
	else
		printf("Choose: lectern issues retry %lld | discard %lld\n", (long long)it->id,
		       (long long)it->id);
}

static int
issues_list(struct store_db *db)
{
	struct store_issue *issues = NULL;
	size_t n = 0;
	bool tty = isatty(STDOUT_FILENO);
	int rc = store_issues_list(db, &issues, &n);

	for (size_t i = 0; rc == 0 && i < n; i++)
		issue_row(db, &issues[i], tty);
	if (rc == 0 && n == 0 && tty)
		printf("No sync issues.\n");
	else if (rc == 0 && tty)
		printf("`lectern issues show N` shows what each side changed.\n");
	store_issues_free(issues, n);
	return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* show N: the row, what each side changed (line diffs), and the choices. --marked: the
 * merge to edit, with conflict markers, for `merge N`. */
static int
issues_show(struct store_db *db, const struct store_issue *it, bool marked)
{
	char *text = NULL, *field = NULL, *cause = NULL;

	if (marked) {
		int rc =
		    sync_merge_marked_field(it->base, it->mine, it->theirs, &field, &text, &cause);

		if (rc < 0 || strcmp(it->kind, "conflict") != 0)
			return fail(rc < 0 ? rc : -LC_EINVAL, "no merge to edit",
			            cause != NULL ? cause
			                          : lc_strdup("the issue is not a conflict"));
		put_text(stdout, text, LC_TEXT_KEEP_LINES);
		free(text);
		free(field);
		return CLI_EXIT_OK;
	}
	issue_row(db, it, true);
	text = sync_merge_describe(it->base, it->mine, it->theirs);
	put_text(stdout, text, LC_TEXT_KEEP_LINES);
	free(text);
	if (it->theirs == NULL)
		printf("(your write was undone on this replica; its content is kept here)\n");
	issue_choices(it);
	return CLI_EXIT_OK;
}

/* merge N: stdin is the merged text of the field that collided; queued on theirs' rev. */
static int
issues_merge(struct store_db *db, const struct store_issue *it)
{
	char *field = NULL, *marked = NULL, *text = NULL, *body = NULL, *cause = NULL;
	int rc = sync_merge_marked_field(it->base, it->mine, it->theirs, &field, &marked, &cause);

	if (rc < 0)
		return fail(rc, "no merge to edit", cause);
	rc = read_body(&text);
	if (rc == 0) {
		rc = sync_merge_resolve(it->base, it->mine, it->theirs, field, text, &body, &cause);
		if (rc == 0)
			rc = store_issue_resolve(db, it->id, body);
		rc = rc < 0 ? fail(rc, "merge", cause) : CLI_EXIT_OK;
		if (rc == CLI_EXIT_OK)
			printf("Queued your merge of issue %lld; it is sent with the next sync.\n",
			       (long long)it->id);
	}
	free(field);
	free(marked);
	free(text);
	free(body);
	return rc;
}

static int
issues_act(struct store_db *db, const char *verb, const struct store_issue *it)
{
	static const struct {
		const char *verb;
		int (*fn)(struct store_db *db, int64_t id);
		const char *done;
	} acts[] = {
	    {"retry", store_issue_retry, "Queued again; it is sent with the next sync."},
	    {"discard", store_issue_discard, "Discarded."},
	    {"keep-mine", store_issue_keep_mine,
	     "Queued your version over the server's; it is sent with the next sync."},
	    {"keep-theirs", store_issue_keep_theirs, "Kept the server's version."},
	};

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		int rc;

		if (strcmp(verb, acts[i].verb) != 0)
			continue;
		rc = acts[i].fn(db, it->id);
		if (rc == -LC_ECONFLICT)
			return fail(rc, verb,
			            lc_strdup("a conflict is not sent again as it was: choose "
			                      "keep-mine, keep-theirs or merge"));
		if (rc == -LC_EINVAL)
			return fail(
			    rc, verb,
			    lc_strdup("the server refused this write: retry or discard it"));
		if (rc < 0)
			return fail(rc, verb, lc_strdup(store_db_error(db)->message));
		printf("%s\n", acts[i].done);
		return CLI_EXIT_OK;
	}
	return usage_error("unknown issues command %s", verb);
}

static int
cmd_issues(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_issue *it = NULL;
	struct store_db *db = NULL;
	char *end = NULL;
	long long id = 0;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		printf(
		    "usage: lectern issues [show N [--marked] | retry N | discard N | keep-mine N"
		    " | keep-theirs N | merge N < merged.txt]\n");
		return CLI_EXIT_OK;
	}
	if (argc != 1 && argc != 3 && !(argc == 4 && strcmp(argv[3], "--marked") == 0))
		return usage_error("wrong arguments for issues");
	if (argc > 1) {
		errno = 0;
		id = strtoll(argv[2], &end, 10);
		if (errno != 0 || end == argv[2] || *end != '\0' || id <= 0)
			return usage_error("issues %s: N must be an issue number", argv[1]);
	}
	if (open_replica(ctx, &db) != 0)
		return CLI_EXIT_USAGE;
	if (argc == 1) {
		rc = issues_list(db);
		store_db_close(db);
		return rc;
	}
	rc = store_issue_get(db, id, &it);
	if (rc == -LC_ENOTFOUND) {
		fprintf(stderr, "lectern: no sync issue %lld (see `lectern issues`)\n", id);
		rc = CLI_EXIT_USAGE;
	} else if (rc < 0) {
		rc = fail(rc, "issues", lc_strdup(store_db_error(db)->message));
	} else if (strcmp(argv[1], "show") == 0) {
		rc = issues_show(db, it, argc == 4);
	} else if (argc == 4) {
		rc = usage_error("--marked goes with issues show");
	} else if (strcmp(argv[1], "merge") == 0) {
		rc = issues_merge(db, it);
	} else {
		rc = issues_act(db, argv[1], it);
	}
	store_issues_free(it, it != NULL ? 1 : 0);
	store_db_close(db);
	return rc;
}

/* ---- Queued writes ---------------------------------------------------------------------- */

/* What a write needs: the replica, who writes, and the time of the optimistic doc. */
struct writer {
	struct store_db *db;
	char *user_id;
	char *username;
	char now[LC_RFC3339_LEN + 1];
	char id[LC_UUID_LEN + 1]; /* the new resource's id */
};

static int
writer_open(const struct cli_ctx *ctx, struct writer *w)
{
	memset(w, 0, sizeof(*w));
	if (open_replica(ctx, &w->db) != 0)
		return CLI_EXIT_USAGE;
	store_setting_get(w->db, "user_id", &w->user_id);
	store_setting_get(w->db, "username", &w->username);
	if (w->user_id == NULL || w->username == NULL) {
		fprintf(stderr, "lectern: not logged in: run `lectern login USER` once first\n");
		return CLI_EXIT_USAGE;
	}
	lc_rfc3339(lc_now(), w->now);
	lc_uuid_new(w->id);
	return 0;
}

static void
writer_close(struct writer *w)
{
	store_db_close(w->db);
	free(w->user_id);
	free(w->username);
}

/* Sets a string field, replacing it or adding it. */
static void
set_str(cJSON *doc, const char *name, const char *value)
{
	if (cJSON_HasObjectItem(doc, name))
		cJSON_ReplaceItemInObjectCaseSensitive(doc, name, cJSON_CreateString(value));
	else
		cJSON_AddStringToObject(doc, name, value);
}

/* A new doc as the server would show it, before the server has seen it. */
static cJSON *
new_doc(const struct writer *w)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddStringToObject(doc, "id", w->id);
	cJSON_AddNumberToObject(doc, "rev", 0);
	cJSON_AddStringToObject(doc, "created_at", w->now);
	cJSON_AddStringToObject(doc, "updated_at", w->now);
	return doc;
}

/* Queues the write; takes the two JSON trees. Prints the new id when print_id. */
static int
queue(struct writer *w, struct store_write *sw, cJSON *body, cJSON *doc, bool print_id)
{
	char *body_text = body != NULL ? cJSON_PrintUnformatted(body) : NULL;
	char *doc_text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;
	int rc;

	sw->body = body_text;
	sw->doc = doc_text;
	rc = store_local_write(w->db, sw, NULL);
	if (rc < 0)
		fprintf(stderr, "lectern: cannot queue the write: %s\n",
		        store_db_error(w->db)->message);
	else if (print_id)
		printf("%s\n", sw->id);
	free(body_text);
	free(doc_text);
	cJSON_Delete(body);
	cJSON_Delete(doc);
	return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* Reads a resource of the replica and parses its doc; NULL (message printed) when absent. */
static cJSON *
find_doc(struct writer *w, const char *type, const char *id, struct store_resource *res)
{
	cJSON *doc;

	if (store_resource_get(w->db, type, id, res) < 0) {
		fprintf(stderr, "lectern: no %s %s in the replica (run `lectern sync`?)\n", type,
		        id);
		return NULL;
	}
	doc = cJSON_Parse(res->doc);
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		store_resource_finish(res);
		fprintf(stderr, "lectern: %s %s: unreadable doc\n", type, id);
		return NULL;
	}
	return doc;
}

static int
cmd_enroll(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_write sw = {
	    .method = "POST", .path = "/api/v1/enrollments", .type = "enrollment", .scope = "user"};
	struct writer w;
	cJSON *body, *doc;
	int status = writer_open(ctx, &w);

	if (status != 0 || !lc_uuid_valid(argv[1])) {
		writer_close(&w);
		return status != 0 ? status : usage_error("enroll: %s is not a course id", argv[1]);
	}
	sw.id = w.id;
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "id", w.id);
	cJSON_AddStringToObject(body, "course_id", argv[1]);
	doc = new_doc(&w);
	cJSON_AddStringToObject(doc, "course_id", argv[1]);
	cJSON_AddStringToObject(doc, "user_id", w.user_id);
	cJSON_AddStringToObject(doc, "username", w.username);
	status = queue(&w, &sw, body, doc, false);
	writer_close(&w);
	return status;
}

/* The user's progress record on an item, if the replica has one: its id, else NULL. */
static char *
progress_of(struct writer *w, const char *item_id, bool *completed)
{
	struct store_resource_list list = {0};
	char *id = NULL;

	*completed = false;
	if (store_resource_list(w->db, "progress", item_id, "user", STORE_ORDER_CREATED, &list) < 0)
		return NULL;
	for (size_t i = 0; i < list.n && id == NULL; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);
		const char *uid = doc_str(doc, "user_id"), *st = doc_str(doc, "status");

		if (uid != NULL && strcmp(uid, w->user_id) == 0) {
			id = lc_strdup(list.items[i].id);
			*completed = st != NULL && strcmp(st, "completed") == 0;
		}
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	return id;
}

static int
cmd_complete(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_write sw = {
	    .method = "POST", .path = "/api/v1/progress", .type = "progress", .scope = "user"};
	struct store_resource item = {0};
	struct writer w;
	cJSON *item_doc, *body, *doc;
	char *existing;
	bool completed;
	int status = writer_open(ctx, &w);

	if (status != 0 || (item_doc = find_doc(&w, "item", argv[1], &item)) == NULL) {
		writer_close(&w);
		return status != 0 ? status : CLI_EXIT_USAGE;
	}
	if (tui_kind_completes_by_attempt(doc_str(item_doc, "kind"))) {
		/* The server would answer 409; nothing is queued that could only be refused. */
		fprintf(stderr, "lectern: complete: %s is a quiz: " TUI_QUIZ_COMPLETE_MSG "\n",
		        argv[1]);
		cJSON_Delete(item_doc);
		store_resource_finish(&item);
		writer_close(&w);
		return CLI_EXIT_USAGE;
	}
	existing = progress_of(&w, argv[1], &completed);
	body = cJSON_CreateObject();
	doc = new_doc(&w);
	/* One record per user and item, whose id the server chooses: the optimistic row uses
	 * the known id or a local one, and the feed brings the server's. */
	if (existing != NULL)
		set_str(doc, "id", existing);
	sw.id = existing != NULL ? existing : w.id;
	cJSON_AddStringToObject(body, "item_id", argv[1]);
	cJSON_AddStringToObject(body, "status", "completed");
	cJSON_AddStringToObject(doc, "item_id", argv[1]);
	cJSON_AddStringToObject(doc, "course_id", doc_str(item_doc, "course_id"));
	cJSON_AddStringToObject(doc, "user_id", w.user_id);
	cJSON_AddStringToObject(doc, "status", "completed");
	if (completed) {
		cJSON_Delete(body);
		cJSON_Delete(doc);
		printf("Already completed.\n");
	} else {
		status = queue(&w, &sw, body, doc, false);
	}
	free(existing);
	cJSON_Delete(item_doc);
	store_resource_finish(&item);
	writer_close(&w);
	return status;
}

/* Adds the author fields of a new forum post. */
static void
add_author(cJSON *doc, const struct writer *w)
{
	cJSON_AddStringToObject(doc, "author_id", w->user_id);
	cJSON_AddStringToObject(doc, "author_name", w->username);
}

static int
cmd_post(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_write sw = {.method = "POST", .type = "topic"};
	char *text = NULL, *path = NULL, *scope = NULL;
	struct writer w;
	cJSON *body, *doc;
	int status;

	if (argc != 4 || strcmp(argv[2], "--title") != 0 || argv[3][0] == '\0')
		return usage_error("%s", "post COURSE_ID --title TITLE (body on stdin)");
	if (!lc_uuid_valid(argv[1]))
		return usage_error("post: %s is not a course id", argv[1]);
	status = writer_open(ctx, &w);
	if (status == 0)
		status = read_body(&text);
	if (status == 0) {
		path = lc_asprintf("/api/v1/courses/%s/topics", argv[1]);
		scope = lc_asprintf("course:%s", argv[1]);
		sw.path = path;
		sw.scope = scope;
		sw.id = w.id;
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "id", w.id);
		cJSON_AddStringToObject(body, "title", argv[3]);
		cJSON_AddStringToObject(body, "body", text);
		doc = new_doc(&w);
		cJSON_AddStringToObject(doc, "course_id", argv[1]);
		cJSON_AddStringToObject(doc, "title", argv[3]);
		cJSON_AddStringToObject(doc, "body", text);
		add_author(doc, &w);
		cJSON_AddNumberToObject(doc, "reply_count", 0);
		cJSON_AddStringToObject(doc, "last_activity_at", w.now);
		status = queue(&w, &sw, body, doc, true);
	}
	free(text);
	free(path);
	free(scope);
	writer_close(&w);
	return status;
}

static int
cmd_reply(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_write sw = {.method = "POST", .type = "reply"};
	struct store_resource topic = {0};
	char *text = NULL, *path = NULL;
	cJSON *topic_doc = NULL, *body, *doc;
	struct writer w;
	int status = writer_open(ctx, &w);

	if (status == 0 && (topic_doc = find_doc(&w, "topic", argv[1], &topic)) == NULL)
		status = CLI_EXIT_USAGE;
	if (status == 0)
		status = read_body(&text);
	if (status == 0) {
		path = lc_asprintf("/api/v1/topics/%s/replies", argv[1]);
		sw.path = path;
		sw.scope = topic.scope;
		sw.id = w.id;
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "id", w.id);
		cJSON_AddStringToObject(body, "body", text);
		doc = new_doc(&w);
		cJSON_AddStringToObject(doc, "topic_id", argv[1]);
		cJSON_AddStringToObject(doc, "course_id", doc_str(topic_doc, "course_id"));
		cJSON_AddStringToObject(doc, "body", text);
		add_author(doc, &w);
		status = queue(&w, &sw, body, doc, true);
	}
	free(text);
	free(path);
	cJSON_Delete(topic_doc);
	store_resource_finish(&topic);
	writer_close(&w);
	return status;
}

/* The REST collection of an editable type. */
static const char *
collection(const char *type)
{
	if (strcmp(type, "item") == 0)
		return "items";
	return strcmp(type, "topic") == 0 ? "topics" : "replies";
}

static int
cmd_edit(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const types[] = {"item", "reply", "topic"};
	struct store_write sw = {.method = "PATCH"};
	struct store_resource res = {0};
	char *text = NULL, *path = NULL;
	cJSON *doc = NULL, *body;
	struct writer w;
	int status = writer_open(ctx, &w);

	for (size_t i = 0; status == 0 && i < 3 && sw.type == NULL; i++)
		if (store_resource_get(w.db, types[i], argv[1], &res) == 0)
			sw.type = types[i];
	if (status == 0 && sw.type == NULL) {
		fprintf(stderr, "lectern: no item, reply or topic %s in the replica\n", argv[1]);
		status = CLI_EXIT_USAGE;
	}
	if (status == 0 && !cJSON_IsObject(doc = cJSON_Parse(res.doc)))
		status = usage_error("edit: %s has an unreadable doc", argv[1]);
	if (status == 0)
		status = read_body(&text);
	if (status == 0) {
		path = lc_asprintf("/api/v1/%s/%s", collection(sw.type), argv[1]);
		sw.path = path;
		sw.id = argv[1];
		sw.scope = res.scope;
		sw.if_match = res.rev; /* the rev it was based on; 0 while still unacknowledged */
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "body", text);
		set_str(doc, "body", text);
		set_str(doc, "updated_at", w.now);
		status = queue(&w, &sw, body, doc, false);
		doc = NULL;
	}
	free(text);
	free(path);
	cJSON_Delete(doc);
	store_resource_finish(&res);
	writer_close(&w);
	return status;
}

/* ---- Dispatch --------------------------------------------------------------------------- */

static const struct cli_cmd commands[] = {
    {"login", "USER", 1, cmd_login},
    {"logout", "", 0, cmd_logout},
    {"sync", "[--verify]", 0, cmd_sync},
    {"status", "", 0, cmd_status},
    {"courses", "[--search TEXT]", 0, cmd_courses},
    {"enroll", "COURSE_ID", 1, cmd_enroll},
    {"complete", "ITEM_ID", 1, cmd_complete},
    {"post", "COURSE_ID --title TITLE   (body on stdin)", 3, cmd_post},
    {"reply", "TOPIC_ID                 (body on stdin)", 1, cmd_reply},
    {"edit", "ITEM_ID|REPLY_ID|TOPIC_ID (new body on stdin)", 1, cmd_edit},
    {"issues", "[show N|retry N|discard N|keep-mine N|keep-theirs N|merge N]", 0, cmd_issues},
};

void
cli_usage(FILE *fp)
{
	fprintf(fp, "usage: lectern [--server URL] [--data-dir DIR] [COMMAND [ARGS]]\n"
	            "       lectern --help | --version\n"
	            "With no command, opens the interactive lectern. Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].args);
	fprintf(fp, "Exit status: 0 success, 1 usage or other error, 2 server unreachable, "
	            "3 failed verify.\n");
}

int
cli_run(const struct cli_ctx *ctx, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct cli_cmd *c = &commands[i];
		bool fixed = c->fn != cmd_sync && c->fn != cmd_courses && c->fn != cmd_post &&
		             c->fn != cmd_issues;

		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (argc - 1 < c->min_args || (fixed && argc - 1 != c->min_args))
			return usage_error("wrong arguments for %s", c->name);
		/* LECTERN_DEBUG=1 shows every /sync body on stderr, for tests that fail. */
		lc_log_to(stderr, getenv("LECTERN_DEBUG") != NULL ? LC_LOG_DEBUG : LC_LOG_ERROR);
		return c->fn(ctx, argc, argv);
	}
	return usage_error("unknown command %s", argv[0]);
}
