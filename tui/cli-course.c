/* SPDX-License-Identifier: MIT */
/*
 * `lectern course checkout|status|diff|push|pull|new --from` (issue 12): a course as plain
 * files in a git repository. Every one works offline against the replica: push queues
 * writes for the next `lectern sync`, pull merges what the last sync brought.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/text.h"
#include "common/uuid.h"
#include "store/replica.h"
#include "tui/cli.h"
#include "tui/coursefiles.h"
#include "tui/coursegit.h"
#include "tui/coursepush.h"
#include "tui/write.h"

/* The replica and who writes, for the commands that need both. */
static void
say(FILE *fp, const char *s)
{
	char *clean = lc_text_cleaned(s, LC_TEXT_KEEP_LINES);

	fputs(clean, fp);
	free(clean);
}

static int
failed(const char *what, int rc, char *cause)
{
	fprintf(stderr, "lectern: course %s: ", what);
	say(stderr, cause != NULL ? cause : lc_strerror(rc));
	fputc('\n', stderr);
	free(cause);
	return rc == -LC_ECONFLICT ? CLI_EXIT_VERIFY : CLI_EXIT_USAGE;
}

/*
 * Fault injection for the kill -9 tests (tests/integration/test-course-files.c): with
 * LECTERN_TEST_CRASH=name the process dies at that point as under kill -9, so that a test
 * can show that a push run again sends each write once. Unset, it does nothing.
 */
static void
crash_point(const char *name)
{
	const char *at = getenv("LECTERN_TEST_CRASH");

	if (at != NULL && strcmp(at, name) == 0)
		raise(SIGKILL);
}

/* The course files of files (the mapping's, .lectern included), the rest left out. */
static void
course_only(const struct tui_cf_files *files, struct tui_cf_files *out)
{
	struct tui_cf_files extras = {0};

	tui_cg_extras(files, &extras);
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < files->n; i++)
		if (tui_cf_files_find(&extras, files->v[i].path) == NULL)
			tui_cf_files_add(out, files->v[i].path, files->v[i].data, files->v[i].len);
	tui_cf_files_free(&extras);
}

/*
 * The replica's version of the course as files named as in like (may be NULL), with the
 * extras of the working tree at dir (may be NULL).
 */
static int
replica_files(struct cli_writer *c, const char *course_id, const char *dir,
              const struct tui_cf_files *like, struct tui_cf_files *out, char **cause)
{
	struct tui_cf_files work = {0};
	cJSON *course = NULL;
	int rc = tui_cf_from_replica(c->db, course_id, &course, cause);

	if (rc == 0)
		rc = tui_cf_emit_like(course, like, out, cause);
	cJSON_Delete(course);
	if (rc == 0 && dir != NULL && tui_cf_read_dir(dir, &work, NULL) == 0)
		tui_cg_extras(&work, out);
	tui_cf_files_free(&work);
	return rc;
}

/* The paths whose course files differ between a and b. */
static cJSON *
differing(const struct tui_cf_files *a, const struct tui_cf_files *b)
{
	struct tui_cf_files ca, cb;
	cJSON *out = cJSON_CreateArray();

	course_only(a, &ca);
	course_only(b, &cb);
	for (size_t i = 0; i < ca.n; i++) {
		const struct tui_cf_file *f = tui_cf_files_find(&cb, ca.v[i].path);

		if (f == NULL || f->len != ca.v[i].len ||
		    memcmp(f->data, ca.v[i].data, f->len) != 0)
			cJSON_AddItemToArray(out, cJSON_CreateString(ca.v[i].path));
	}
	for (size_t i = 0; i < cb.n; i++)
		if (tui_cf_files_find(&ca, cb.v[i].path) == NULL)
			cJSON_AddItemToArray(out, cJSON_CreateString(cb.v[i].path));
	tui_cf_files_free(&ca);
	tui_cf_files_free(&cb);
	return out;
}

static void
list(const char *heading, const cJSON *paths)
{
	const cJSON *p;

	if (cJSON_GetArraySize(paths) == 0)
		return;
	printf("%s\n", heading);
	cJSON_ArrayForEach(p, paths)
	{
		printf("  ");
		say(stdout, p->valuestring);
		putchar('\n');
	}
}

/* ---- checkout ------------------------------------------------------------------------ */

static int
course_checkout(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_resource res = {0};
	struct cli_writer c;
	char *cause = NULL, *dir = NULL;
	int status, rc;

	if (argc < 3 || argc > 4 || !lc_uuid_valid(argv[2]))
		return failed("checkout", -LC_EINVAL,
		              lc_strdup("usage: lectern course checkout COURSE_ID [DIR]"));
	if ((status = cli_writer_open(ctx, &c)) != 0) {
		cli_writer_close(&c);
		return status;
	}
	if (argc == 4) {
		dir = lc_strdup(argv[3]);
	} else if (store_resource_get(c.db, "course", argv[2], &res) == 0) {
		cJSON *doc = cJSON_Parse(res.doc);
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "code");
		char slug[64];

		/* The code as a folder name: no '/', no leading dot. */
		snprintf(slug, sizeof(slug), "%s",
		         cJSON_IsString(code) && code->valuestring[0] != '\0' ? code->valuestring
		                                                              : argv[2]);
		for (char *p = slug; *p != '\0'; p++)
			if (*p == '/' || (unsigned char)*p < 0x20 || (p == slug && *p == '.'))
				*p = '-';
		dir = lc_strdup(slug);
		cJSON_Delete(doc);
		store_resource_finish(&res);
	} else {
		dir = lc_strdup(argv[2]);
	}
	rc = tui_cg_checkout(c.db, argv[2], dir, c.username, &cause);
	if (rc < 0) {
		status = failed("checkout", rc, cause);
	} else {
		printf("Checked out into ");
		say(stdout, dir);
		printf(" (branch main; the server's version is on lectern/server).\n");
	}
	free(dir);
	cli_writer_close(&c);
	return status;
}

/* ---- status, diff --------------------------------------------------------------------- */

static int
course_status(const struct cli_ctx *ctx, const char *dir)
{
	struct tui_cf_files server = {0}, replica = {0};
	cJSON *changed = NULL, *conflicts = NULL, *pulled = NULL;
	struct cli_writer c;
	char id[37], *cause = NULL;
	int status = cli_writer_open(ctx, &c), rc;

	if (status != 0) {
		cli_writer_close(&c);
		return status;
	}
	rc = tui_cg_course_id(dir, id, &cause);
	if (rc == 0)
		rc = tui_cg_changes(dir, &changed, &conflicts, &cause);
	if (rc == 0)
		rc = tui_cg_server_files(dir, &server, NULL, &cause);
	if (rc == 0)
		rc = replica_files(&c, id, NULL, &server, &replica, &cause);
	if (rc < 0) {
		status = failed("status", rc, cause);
	} else {
		pulled = differing(&server, &replica);
		printf("Course %s in ", id);
		say(stdout, dir);
		putchar('\n');
		list("Changed here (course push sends them):", changed);
		list("Conflicts (edit the markers away, then course push):", conflicts);
		list("Changed on the replica since the last checkout or pull (course pull brings "
		     "them):",
		     pulled);
		if (cJSON_GetArraySize(changed) + cJSON_GetArraySize(pulled) == 0)
			printf("Nothing to push or pull.\n");
	}
	cJSON_Delete(changed);
	cJSON_Delete(conflicts);
	cJSON_Delete(pulled);
	tui_cf_files_free(&server);
	tui_cf_files_free(&replica);
	cli_writer_close(&c);
	return status;
}

static void
diff_line(char origin, const char *line, size_t len, void *ctx)
{
	char *text = lc_strndup(line, len);

	if (origin == '+' || origin == '-' || origin == ' ')
		putchar(origin);
	say(stdout, text);
	free(text);
}

static int
course_diff(const char *dir)
{
	char *cause = NULL;
	int rc = tui_cg_diff(dir, diff_line, NULL, &cause);

	return rc < 0 ? failed("diff", rc, cause) : CLI_EXIT_OK;
}

/* ---- push ------------------------------------------------------------------------------ */

/*
 * The working tree's files, with the ids lectern/server's .lectern knows for paths the
 * working tree's .lectern does not name: after a push that died while checking out its
 * result, the files are there and their ids come from the commit that made them.
 */
static int
work_files(const char *dir, const struct tui_cf_files *server, struct tui_cf_files *out,
           char **cause)
{
	const struct tui_cf_file *mine, *theirs = tui_cf_files_find(server, TUI_CF_IDS);
	char *ids;
	int rc = tui_cf_read_dir(dir, out, cause);

	if (rc < 0 || theirs == NULL)
		return rc;
	mine = tui_cf_files_find(out, TUI_CF_IDS);
	ids = lc_strdup(mine != NULL ? mine->data : "");
	for (const char *p = theirs->data; *p != '\0';) {
		size_t len = strcspn(p, "\n");
		char *line = lc_strndup(p, len);
		const char *sp = strchr(line, ' ');

		p += len + (p[len] == '\n');
		if (sp != NULL && line[0] != '#') {
			char *as_path = lc_asprintf(" %s\n", sp + 1);
			char *as_id = lc_strndup(line, (size_t)(sp - line));

			if (strstr(ids, as_path) == NULL && strstr(ids, as_id) == NULL) {
				char *more = lc_asprintf("%s%s\n", ids, line);

				free(ids);
				ids = more;
			}
			free(as_path);
			free(as_id);
		}
		free(line);
	}
	/* Replace .lectern in the list (not on disk). */
	{
		struct tui_cf_files copy = {0};

		for (size_t i = 0; i < out->n; i++)
			if (strcmp(out->v[i].path, TUI_CF_IDS) != 0)
				tui_cf_files_add(&copy, out->v[i].path, out->v[i].data,
				                 out->v[i].len);
		tui_cf_files_add(&copy, TUI_CF_IDS, ids, strlen(ids));
		tui_cf_files_free(out);
		*out = copy;
	}
	free(ids);
	return 0;
}

/* Queues the writes of one commit, atomically with the record that it was pushed. */
static int
push_queue(struct cli_writer *c, const char *id, const char *dir, const char *head,
           const struct tui_cf_files *server, int *writes, char **cause)
{
	struct tui_cf_files work = {0}, replica = {0};
	cJSON *base = NULL, *mine = NULL, *stale = NULL;
	char *key = lc_asprintf("course_push:%s", id);
	int rc = replica_files(c, id, NULL, server, &replica, cause);

	if (rc == 0) {
		stale = differing(server, &replica);
		if (cJSON_GetArraySize(stale) > 0)
			rc =
			    lc_cause_set(cause, -LC_ECONFLICT,
			                 "the replica has changes to this course that are not in "
			                 "these files yet (%s...): run `lectern course pull` first",
			                 cJSON_GetArrayItem(stale, 0)->valuestring);
	}
	if (rc == 0)
		rc = tui_cf_parse(server, NULL, &base, cause);
	if (rc == 0)
		rc = work_files(dir, server, &work, cause);
	if (rc == 0)
		rc = tui_cf_parse(&work, base, &mine, cause);
	if (rc == 0 && (rc = store_db_begin(c->db)) < 0)
		lc_cause_set(cause, rc, "replica: %s", store_db_error(c->db)->message);
	if (rc == 0) {
		rc = tui_cp_queue(&c->w, base, mine, head, writes, cause);
		if (rc == 0 && store_setting_set(c->db, key, head) < 0)
			rc = lc_cause_set(cause, -LC_EDB, "replica: %s",
			                  store_db_error(c->db)->message);
		if (rc == 0 && store_db_commit(c->db) < 0)
			rc = lc_cause_set(cause, -LC_EDB, "replica: %s",
			                  store_db_error(c->db)->message);
		if (rc < 0) {
			store_db_rollback(c->db);
			*writes = 0;
		}
	}
	cJSON_Delete(stale);
	cJSON_Delete(base);
	cJSON_Delete(mine);
	tui_cf_files_free(&work);
	tui_cf_files_free(&replica);
	free(key);
	return rc;
}

/*
 * A .lectern text naming the paths of the working tree as parsed (renames included), so
 * that the pushed version keeps the names the person gave their files.
 */
static void
names_of_work(const char *dir, const struct tui_cf_files *server, struct tui_cf_files *out)
{
	struct tui_cf_files work = {0};
	cJSON *base = NULL, *mine = NULL, *m, *it;
	struct lc_buf ids = {0};

	memset(out, 0, sizeof(*out));
	if (tui_cf_parse(server, NULL, &base, NULL) == 0 &&
	    work_files(dir, server, &work, NULL) == 0 &&
	    tui_cf_parse(&work, base, &mine, NULL) == 0) {
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(mine, "modules"))
		{
			const cJSON *mid = cJSON_GetObjectItemCaseSensitive(m, "id");

			if (cJSON_IsString(mid))
				lc_buf_printf(
				    &ids, "%s %s/\n", mid->valuestring,
				    cJSON_GetObjectItemCaseSensitive(m, "_file")->valuestring);
			cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "items"))
			{
				const cJSON *iid = cJSON_GetObjectItemCaseSensitive(it, "id");

				if (cJSON_IsString(iid))
					lc_buf_printf(&ids, "%s %s\n", iid->valuestring,
					              cJSON_GetObjectItemCaseSensitive(it, "_file")
					                  ->valuestring);
			}
		}
	}
	if (ids.len > 0)
		tui_cf_files_add(out, TUI_CF_IDS, ids.data, ids.len);
	lc_buf_finish(&ids);
	cJSON_Delete(base);
	cJSON_Delete(mine);
	tui_cf_files_free(&work);
}

/* What push does after queueing: lectern/server takes the pushed version, main follows. */
static int
push_finish(struct cli_writer *c, const char *id, const char *dir, const char *head,
            const struct tui_cf_files *server, char **cause)
{
	struct tui_cf_files now = {0}, names;
	bool made, conflicts = false;
	int rc;

	names_of_work(dir, server, &names);
	rc = replica_files(c, id, dir, &names, &now, cause);
	crash_point("push-queued");
	if (rc == 0)
		rc = tui_cg_commit_server(dir, &now, "lectern/server: after lectern course push",
		                          head, &made, NULL, cause);
	crash_point("push-committed");
	if (rc == 0)
		rc = tui_cg_merge_server(dir, c->username, &conflicts, cause);
	tui_cf_files_free(&now);
	tui_cf_files_free(&names);
	return rc;
}

static int
course_push(const struct cli_ctx *ctx, const char *dir)
{
	struct tui_cf_files server = {0};
	struct cli_writer c;
	tui_cg_sha head, base_sha;
	char id[37], *cause = NULL, *key = NULL, *done = NULL;
	int status = cli_writer_open(ctx, &c), rc, writes = 0;
	bool made = false;

	if (status != 0) {
		cli_writer_close(&c);
		return status;
	}
	rc = tui_cg_course_id(dir, id, &cause);
	if (rc == 0)
		rc = tui_cg_commit_work(dir, c.username, "Edits saved by lectern course push",
		                        &made, head, &cause);
	if (rc == 0) {
		key = lc_asprintf("course_push:%s", id);
		store_setting_get(c.db, key, &done);
		rc = tui_cg_server_files(dir, &server, base_sha, &cause);
	}
	/* Queued already (a push that stopped after its transaction): finish it only. */
	if (rc == 0 && (done == NULL || strcmp(done, head) != 0) && strcmp(head, base_sha) != 0)
		rc = push_queue(&c, id, dir, head, &server, &writes, &cause);
	if (rc == 0 && strcmp(head, base_sha) != 0)
		rc = push_finish(&c, id, dir, head, &server, &cause);
	if (rc < 0) {
		status = failed("push", rc, cause);
	} else if (isatty(STDOUT_FILENO)) {
		printf("Queued %d write%s; %s out with the next `lectern sync`.\n", writes,
		       writes == 1 ? "" : "s", writes == 1 ? "it goes" : "they go");
	} else {
		printf("queued\t%d\n", writes);
	}
	tui_cf_files_free(&server);
	free(key);
	free(done);
	cli_writer_close(&c);
	return status;
}

/* ---- pull ------------------------------------------------------------------------------ */

static int
course_pull(const struct cli_ctx *ctx, const char *dir)
{
	struct tui_cf_files replica = {0}, server = {0};
	struct cli_writer c;
	cJSON *changed = NULL, *conflicts = NULL;
	char id[37], *cause = NULL;
	int status = cli_writer_open(ctx, &c), rc;
	bool made = false, conflicted = false;

	if (status != 0) {
		cli_writer_close(&c);
		return status;
	}
	rc = tui_cg_course_id(dir, id, &cause);
	if (rc == 0)
		rc = tui_cg_commit_work(dir, c.username, "Edits saved by lectern course pull",
		                        &made, NULL, &cause);
	if (rc == 0)
		rc = tui_cg_server_files(dir, &server, NULL, &cause);
	if (rc == 0)
		rc = replica_files(&c, id, dir, &server, &replica, &cause);
	if (rc == 0)
		rc = tui_cg_commit_server(dir, &replica, "lectern/server: the replica's version",
		                          NULL, &made, NULL, &cause);
	if (rc == 0)
		rc = tui_cg_merge_server(dir, c.username, &conflicted, &cause);
	if (rc == 0 && conflicted)
		rc = tui_cg_changes(dir, &changed, &conflicts, &cause);
	if (rc < 0) {
		status = failed("pull", rc, cause);
	} else if (conflicted) {
		list("Merged, with conflicts in (edit the markers away, then course push):",
		     conflicts);
		status = CLI_EXIT_VERIFY;
	} else {
		printf("%s\n", made ? "Merged the replica's changes." : "Already up to date.");
	}
	cJSON_Delete(changed);
	cJSON_Delete(conflicts);
	tui_cf_files_free(&replica);
	tui_cf_files_free(&server);
	cli_writer_close(&c);
	return status;
}

/* ---- new --from ------------------------------------------------------------------------- */

static int
course_new_from(const struct cli_ctx *ctx, const char *dir)
{
	struct tui_cf_files files = {0};
	struct cli_writer c;
	cJSON *work = NULL, *base = NULL, *fields;
	char *cause = NULL, seed[LC_UUID_LEN + 1];
	tui_new_id id;
	int status = cli_writer_open(ctx, &c), rc, writes = 0;

	if (status != 0) {
		cli_writer_close(&c);
		return status;
	}
	rc = tui_cf_read_dir(dir, &files, &cause);
	if (rc == 0)
		rc = tui_cf_parse(&files, NULL, &work, &cause);
	if (rc == 0 && cJSON_GetObjectItemCaseSensitive(work, "id") != NULL)
		rc = lc_cause_set(&cause, -LC_EINVAL,
		                  "%s is a checkout of a course already (its .lectern names it): "
		                  "use lectern course push",
		                  dir);
	if (rc == 0 && (rc = store_db_begin(c.db)) < 0)
		lc_cause_set(&cause, rc, "replica: %s", store_db_error(c.db)->message);
	if (rc == 0) {
		/* The course with its fields, then everything under it as a push from nothing. */
		fields = tui_cf_mapped("course", work);
		rc = tui_queue_create(&c.w, "course", NULL, fields, id, &cause);
		cJSON_Delete(fields);
		if (rc == 0) {
			cJSON_AddStringToObject(work, "id", id);
			base = tui_cf_mapped("course", work);
			cJSON_AddStringToObject(base, "id", id);
			cJSON_AddArrayToObject(base, "modules");
			lc_uuid_new(seed);
			rc = tui_cp_queue(&c.w, base, work, seed, &writes, &cause);
		}
		if (rc == 0 && store_db_commit(c.db) < 0)
			rc = lc_cause_set(&cause, -LC_EDB, "replica: %s",
			                  store_db_error(c.db)->message);
		if (rc < 0)
			store_db_rollback(c.db);
	}
	if (rc < 0)
		status = failed("new --from", rc, cause);
	else
		printf("%s\n", id);
	cJSON_Delete(work);
	cJSON_Delete(base);
	tui_cf_files_free(&files);
	cli_writer_close(&c);
	return status;
}

/* ---- Dispatch --------------------------------------------------------------------------- */

bool
cli_course_files_handles(int argc, char **argv)
{
	static const char *const subs[] = {"checkout", "status", "diff", "push", "pull", NULL};

	if (argc < 2)
		return false;
	for (size_t i = 0; subs[i] != NULL; i++)
		if (strcmp(argv[1], subs[i]) == 0)
			return true;
	return strcmp(argv[1], "new") == 0 && argc >= 3 && strcmp(argv[2], "--from") == 0;
}

int
cli_course_files(const struct cli_ctx *ctx, int argc, char **argv)
{
	const char *sub = argv[1];
	const char *dir = argc >= 3 ? argv[2] : ".";

	if (strcmp(sub, "checkout") == 0)
		return course_checkout(ctx, argc, argv);
	if (strcmp(sub, "new") == 0) {
		if (argc != 4)
			return failed("new", -LC_EINVAL,
			              lc_strdup("usage: lectern course new --from DIR"));
		return course_new_from(ctx, argv[3]);
	}
	if (argc > 3) {
		char *msg = lc_asprintf("usage: lectern course %s [DIR]", sub);

		return failed(sub, -LC_EINVAL, msg);
	}
	if (strcmp(sub, "status") == 0)
		return course_status(ctx, dir);
	if (strcmp(sub, "diff") == 0)
		return course_diff(dir);
	if (strcmp(sub, "push") == 0)
		return course_push(ctx, dir);
	return course_pull(ctx, dir);
}
