/* SPDX-License-Identifier: MIT */
/*
 * Issue 12, a course as plain files under git, against a real lecternd on loopback: the
 * demo instructor checks out "C pointers without fear" with `lectern course checkout`,
 * edits files and pushes; the demo admin edits the same course with the command line
 * (`lectern item edit`, `lectern edit`); both sync. A checkout pushed without an edit
 * queues nothing; an edited title is one PATCH of that field only; edits of different
 * lines merge silently, overlapping ones leave markers and nothing is lost; a push killed
 * at each point between its steps and run again sends each write once; `course new --from
 * DIR` then a checkout gives DIR back byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/fsutil.h"
#include "common/mem.h"
#include "store/db.h"
#include "store/replica.h"
#include "test-sync-lib.h"
#include "tui/coursefiles.h"

#define COURSE_TITLE "C pointers without fear"
#define LESSON "01-addresses-and-arrays/01-what-a-pointer-is.md"

struct fixture {
	char *dir;
	char *srv_dir;
	char *files; /* the teacher's checkout */
	struct st_server srv;
	struct st_client teacher; /* the demo "instructor", in files */
	struct st_client admin;   /* the demo "admin", with the command line */
	struct st_api api;        /* the server as the admin sees it */
	char course[ST_ID_LEN + 1];
};

#define RUN_OK(cl, input, ...)                                                                     \
	do {                                                                                       \
		int rc_ = st_lectern(cl, input, NULL, __VA_ARGS__, NULL);                          \
                                                                                                   \
		if (rc_ != 0)                                                                      \
			fail_msg("lectern exited %d: %s", rc_, st_last_stderr());                  \
	} while (0)

/* The id of the course titled title in `lectern ls` (tab-separated: id first). */
static void
find_course(const struct st_client *cl, const char *title, char id[ST_ID_LEN + 1])
{
	char *out = NULL, *at;

	assert_int_equal(st_lectern(cl, NULL, &out, "ls", NULL), 0);
	at = strstr(out, title);
	assert_non_null(at);
	while (at > out && at[-1] != '\n')
		at--;
	memcpy(id, at, ST_ID_LEN);
	id[ST_ID_LEN] = '\0';
	free(out);
}

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));

	f->dir = st_tmpdir("coursefiles");
	f->srv_dir = lc_asprintf("%s/server", f->dir);
	f->files = lc_asprintf("%s/C201", f->dir);
	assert_int_equal(lc_mkdir_p(f->srv_dir, 0700), 0);
	snprintf(f->teacher.data_dir, sizeof f->teacher.data_dir, "%s/teacher", f->dir);
	snprintf(f->admin.data_dir, sizeof f->admin.data_dir, "%s/admin", f->dir);
	assert_int_equal(st_server_start(&f->srv, f->srv_dir, 0, true), 0);
	snprintf(f->teacher.server_url, sizeof f->teacher.server_url, "%s", f->srv.url);
	snprintf(f->admin.server_url, sizeof f->admin.server_url, "%s", f->srv.url);
	assert_int_equal(st_login(&f->teacher, "instructor"), 0);
	assert_int_equal(st_login(&f->admin, "admin"), 0);
	RUN_OK(&f->teacher, NULL, "sync");
	RUN_OK(&f->admin, NULL, "sync");
	assert_int_equal(st_api_login(&f->api, f->srv.url, "admin", ST_PASSWORD), 0);
	find_course(&f->teacher, COURSE_TITLE, f->course);
	RUN_OK(&f->teacher, NULL, "course", "checkout", f->course, f->files);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	st_api_finish(&f->api);
	st_server_stop(&f->srv, false);
	st_rmtree(f->dir);
	free(f->files);
	free(f->srv_dir);
	free(f->dir);
	free(f);
	return 0;
}

/* ---- Helpers -------------------------------------------------------------------------- */

static char *
read_text(const char *dir, const char *rel)
{
	char *path = lc_asprintf("%s/%s", dir, rel), *text = NULL;
	size_t len = 0;

	if (lc_read_file(path, &text, &len) != 0)
		fail_msg("cannot read %s", path);
	free(path);
	return text;
}

static void
write_text(const char *dir, const char *rel, const char *text)
{
	char *path = lc_asprintf("%s/%s", dir, rel);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	free(path);
}

/* Replaces the first `from` in the file by `to`. */
static void
edit_file(const char *dir, const char *rel, const char *from, const char *to)
{
	char *text = read_text(dir, rel), *at = strstr(text, from), *out;

	if (at == NULL)
		fail_msg("%s has no \"%s\"", rel, from);
	out = lc_asprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	write_text(dir, rel, out);
	free(out);
	free(text);
}

/* The id .lectern gives rel. */
static void
id_of(const char *dir, const char *rel, char id[ST_ID_LEN + 1])
{
	char *ids = read_text(dir, ".lectern"), *needle = lc_asprintf(" %s\n", rel);
	char *at = strstr(ids, needle);

	if (at == NULL || at - ids < ST_ID_LEN)
		fail_msg(".lectern has no %s", rel);
	memcpy(id, at - ST_ID_LEN, ST_ID_LEN);
	id[ST_ID_LEN] = '\0';
	free(needle);
	free(ids);
}

/* The writes waiting in a client's outbox. */
static int
pending(const struct st_client *cl)
{
	struct store_db *db = NULL;
	int64_t n = -1;

	assert_int_equal(st_replica_open(cl, &db), 0);
	assert_int_equal(store_outbox_count(db, &n), 0);
	store_db_close(db);
	return (int)n;
}

/* `lectern course push DIR`: the number of writes it says it queued. */
static int
push(const struct st_client *cl, const char *dir)
{
	char *out = NULL;
	int rc = st_lectern(cl, NULL, &out, "course", "push", dir, NULL), n = -1;

	if (rc != 0)
		fail_msg("course push exited %d: %s", rc, st_last_stderr());
	if (strncmp(out, "queued\t", 7) == 0)
		n = (int)strtol(out + 7, NULL, 10);
	free(out);
	return n;
}

static char *
server_field(struct fixture *f, const char *type, const char *id, const char *field)
{
	cJSON *doc = st_api_get(&f->api, "/%ss/%s", type, id);
	char *out;

	assert_non_null(doc);
	out = lc_strdup(cJSON_GetObjectItem(doc, field)->valuestring);
	cJSON_Delete(doc);
	return out;
}

/* ---- Tests ------------------------------------------------------------------------------ */

static void
test_course_checkout_then_push_without_edit_queues_nothing(void **state)
{
	struct fixture *f = *state;
	char *git = lc_asprintf("%s/.git/HEAD", f->files), *out = NULL, *head;
	struct stat st;

	/* A real repository on main, the server's version on lectern/server. */
	assert_int_equal(stat(git, &st), 0);
	head = read_text(f->files, ".git/HEAD");
	assert_string_equal(head, "ref: refs/heads/main\n");
	free(read_text(f->files, "course.md"));
	assert_int_equal(push(&f->teacher, f->files), 0);
	assert_int_equal(pending(&f->teacher), 0);
	assert_int_equal(push(&f->teacher, f->files), 0);
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "status", f->files, NULL),
	                 0);
	assert_non_null(strstr(out, "Nothing to push or pull."));
	free(out);
	/* A second checkout into a folder that is not empty is refused, and changes nothing. */
	assert_int_not_equal(
	    st_lectern(&f->teacher, NULL, NULL, "course", "checkout", f->course, f->files, NULL),
	    0);
	assert_non_null(strstr(st_last_stderr(), "not empty"));
	free(head);
	free(git);
}

static void
test_course_edited_title_pushes_one_patch_of_that_field(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e = NULL;
	struct store_db *db = NULL;
	struct store_resource res = {0};
	char id[ST_ID_LEN + 1], *out = NULL, *title, *body_before, *body_after;
	size_t n = 0;

	id_of(f->files, LESSON, id);
	body_before = server_field(f, "item", id, "body");
	edit_file(f->files, LESSON, "title: What a pointer is\n", "title: Pointers, gently\n");
	/* A file of the person's own: kept in the repository, never listed, diffed or sent. */
	write_text(f->files, "README.md", "Notes for myself.\n");
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "status", f->files, NULL),
	                 0);
	assert_null(strstr(out, "README"));
	free(out);
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "diff", f->files, NULL), 0);
	assert_null(strstr(out, "README"));
	assert_non_null(strstr(out, "+title: Pointers, gently\n"));
	assert_non_null(strstr(out, "-title: What a pointer is\n"));
	free(out);
	assert_int_equal(push(&f->teacher, f->files), 1);
	/* One PATCH, only the field that changed, If-Match the rev the checkout had. */
	assert_int_equal(st_replica_open(&f->teacher, &db), 0);
	assert_int_equal(store_outbox_list(db, 10, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].method, "PATCH");
	assert_string_equal(e[0].body, "{\"title\":\"Pointers, gently\"}");
	assert_int_equal(store_resource_get(db, "item", id, &res), 0);
	assert_true(e[0].if_match > 0);
	store_resource_finish(&res);
	store_outbox_free(e, n);
	store_db_close(db);
	/* Pushed again: nothing more. Synced: the server has it, the body untouched. */
	assert_int_equal(push(&f->teacher, f->files), 0);
	RUN_OK(&f->teacher, NULL, "sync");
	assert_int_equal(pending(&f->teacher), 0);
	title = server_field(f, "item", id, "title");
	assert_string_equal(title, "Pointers, gently");
	body_after = server_field(f, "item", id, "body");
	assert_string_equal(body_after, body_before);
	/* The file keeps its name (a title is not a file name); the next pull merges nothing. */
	free(read_text(f->files, LESSON));
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "pull", f->files, NULL), 0);
	free(out);
	assert_int_equal(push(&f->teacher, f->files), 0);
	assert_int_equal(st_replica_issues(&f->teacher), 0);
	out = read_text(f->files, "README.md");
	assert_string_equal(out, "Notes for myself.\n");
	free(out);
	free(title);
	free(body_before);
	free(body_after);
}

/* The admin replaces from by to in the body of item id with `lectern edit`, and syncs. */
static void
admin_edits_body(struct fixture *f, const char *id, const char *from, const char *to)
{
	char *body = server_field(f, "item", id, "body"), *at = strstr(body, from), *text;

	assert_non_null(at);
	text = lc_asprintf("%.*s%s%s", (int)(at - body), body, to, at + strlen(from));
	RUN_OK(&f->admin, NULL, "sync");
	RUN_OK(&f->admin, text, "edit", id);
	RUN_OK(&f->admin, NULL, "sync");
	free(text);
	free(body);
}

static void
test_course_two_instructors_merge_and_nothing_is_lost(void **state)
{
	struct fixture *f = *state;
	char id[ST_ID_LEN + 1], *out = NULL, *text, *body;

	id_of(f->files, LESSON, id);
	/* Different lines: the admin retitles with the CLI, the teacher edits the body. */
	RUN_OK(&f->admin, NULL, "item", "edit", id, "--title", "What a pointer is, by admin");
	RUN_OK(&f->admin, NULL, "sync");
	edit_file(f->files, LESSON, "# What a pointer is\n", "# What a pointer is (files)\n");
	RUN_OK(&f->teacher, NULL, "sync");
	/* The replica moved on: push asks for a pull first, and queues nothing. */
	assert_int_equal(st_lectern(&f->teacher, NULL, NULL, "course", "push", f->files, NULL), 3);
	assert_non_null(strstr(st_last_stderr(), "course pull"));
	assert_int_equal(pending(&f->teacher), 0);
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "pull", f->files, NULL), 0);
	assert_non_null(strstr(out, "Merged"));
	free(out);
	text = read_text(f->files, LESSON);
	assert_non_null(strstr(text, "title: What a pointer is, by admin\n"));
	assert_non_null(strstr(text, "# What a pointer is (files)\n"));
	assert_null(strstr(text, "<<<<<<<"));
	free(text);
	assert_int_equal(push(&f->teacher, f->files), 1);
	RUN_OK(&f->teacher, NULL, "sync");
	body = server_field(f, "item", id, "body");
	assert_non_null(strstr(body, "# What a pointer is (files)\n"));
	free(body);
	text = server_field(f, "item", id, "title");
	assert_string_equal(text, "What a pointer is, by admin");
	free(text);

	/* The same line: both versions end up between markers, push refuses until resolved. */
	admin_edits_body(f, id, "# What a pointer is (files)\n", "# Pointers (admin)\n");
	edit_file(f->files, LESSON, "# What a pointer is (files)\n", "# Pointers (teacher)\n");
	RUN_OK(&f->teacher, NULL, "sync");
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "pull", f->files, NULL), 3);
	free(out);
	text = read_text(f->files, LESSON);
	assert_non_null(strstr(text, "<<<<<<< "));
	assert_non_null(strstr(text, "# Pointers (teacher)\n"));
	assert_non_null(strstr(text, "# Pointers (admin)\n"));
	assert_non_null(strstr(text, ">>>>>>> "));
	free(text);
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "status", f->files, NULL),
	                 0);
	assert_non_null(strstr(out, "Conflicts"));
	assert_non_null(strstr(out, LESSON));
	free(out);
	assert_int_equal(st_lectern(&f->teacher, NULL, NULL, "course", "push", f->files, NULL), 3);
	assert_non_null(strstr(st_last_stderr(), "conflict markers"));
	assert_int_equal(pending(&f->teacher), 0);
	/* The teacher keeps both lines. */
	text = read_text(f->files, LESSON);
	{
		char *a = strstr(text, "<<<<<<< "), *b = strstr(text, ">>>>>>> ");
		char *end = strchr(b, '\n') + 1, *fixed;

		fixed = lc_asprintf("%.*s# Pointers (teacher)\n# Pointers (admin)\n%s",
		                    (int)(a - text), text, end);
		write_text(f->files, LESSON, fixed);
		free(fixed);
	}
	free(text);
	assert_int_equal(push(&f->teacher, f->files), 1);
	RUN_OK(&f->teacher, NULL, "sync");
	body = server_field(f, "item", id, "body");
	assert_non_null(strstr(body, "# Pointers (teacher)\n# Pointers (admin)\n"));
	free(body);
	assert_int_equal(st_replica_issues(&f->teacher), 0);
	assert_int_equal(st_replica_issues(&f->admin), 0);
}

/* Items of the course titled title on the server. */
static int
count_titled(struct fixture *f, const char *title)
{
	cJSON *o = st_api_get(&f->api, "/courses/%s/outline", f->course), *m, *it;
	int n = 0;

	assert_non_null(o);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(o, "modules"))
	{
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(m, "items")) n +=
		    strcmp(cJSON_GetObjectItem(it, "title")->valuestring, title) == 0;
	}
	cJSON_Delete(o);
	return n;
}

/* One edit, one new page, killed at point: pushed again, each write is queued once. */
static void
killed_push(struct fixture *f, const char *point, const char *title)
{
	char *page = lc_asprintf("---\nkind: page\ntitle: %s\n---\nNew.\n", title);
	char *rel = lc_asprintf("02-the-heap/09-%s.md", point);
	int before = pending(&f->teacher), rc;

	write_text(f->files, rel, page);
	edit_file(f->files, "02-the-heap/module.md", "title: ", "title: X");
	setenv("LECTERN_TEST_CRASH", point, 1);
	rc = st_lectern(&f->teacher, NULL, NULL, "course", "push", f->files, NULL);
	unsetenv("LECTERN_TEST_CRASH");
	assert_int_equal(rc, 128 + 9);
	assert_int_equal(pending(&f->teacher), before + 2);
	/* Run again (and again): the writes of that commit are queued already. */
	assert_int_equal(push(&f->teacher, f->files), 0);
	assert_int_equal(push(&f->teacher, f->files), 0);
	assert_int_equal(pending(&f->teacher), before + 2);
	free(page);
	free(rel);
}

static void
test_course_push_killed_and_run_again_sends_each_write_once(void **state)
{
	struct fixture *f = *state;
	char *out = NULL;

	killed_push(f, "push-queued", "Killed after queueing");
	killed_push(f, "push-committed", "Killed after committing");
	RUN_OK(&f->teacher, NULL, "sync");
	assert_int_equal(pending(&f->teacher), 0);
	assert_int_equal(count_titled(f, "Killed after queueing"), 1);
	assert_int_equal(count_titled(f, "Killed after committing"), 1);
	assert_int_equal(st_replica_issues(&f->teacher), 0);
	/* The files and the server agree: nothing to pull, nothing to push. */
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "pull", f->files, NULL), 0);
	free(out);
	assert_int_equal(push(&f->teacher, f->files), 0);
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "status", f->files, NULL),
	                 0);
	assert_non_null(strstr(out, "Nothing to push or pull."));
	free(out);
}

/* The server's outline as "Module: item, item | Module: item". */
static char *
outline(struct fixture *f)
{
	cJSON *o = st_api_get(&f->api, "/courses/%s/outline", f->course), *m, *it;
	char text[2048] = "";
	size_t len = 0;

	assert_non_null(o);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(o, "modules"))
	{
		len +=
		    (size_t)snprintf(text + len, sizeof(text) - len, "%s%s:", len > 0 ? " | " : "",
		                     cJSON_GetObjectItem(m, "title")->valuestring);
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(m, "items"))
		{
			len += (size_t)snprintf(text + len, sizeof(text) - len, " %s;",
			                        cJSON_GetObjectItem(it, "title")->valuestring);
		}
	}
	cJSON_Delete(o);
	return lc_strdup(text);
}

static void
rename_path(const char *dir, const char *from, const char *to)
{
	char *a = lc_asprintf("%s/%s", dir, from), *b = lc_asprintf("%s/%s", dir, to);

	assert_int_equal(rename(a, b), 0);
	free(a);
	free(b);
}

/*
 * Renumbering is a move (never a delete and a create), a removed file a delete, a new
 * folder a module with its items, a question added and one edited: one push, and the
 * server has exactly that after a sync.
 */
static void
test_course_renumber_create_delete_pushed_as_moves_creates_deletes(void **state)
{
	struct fixture *f = *state;
	char quiz[ST_ID_LEN + 1], arrays[ST_ID_LEN + 1], *text, *was;
	cJSON *qs;

	id_of(f->files, "01-addresses-and-arrays/03-quiz-pointers.md", quiz);
	id_of(f->files, "01-addresses-and-arrays/02-arrays-and-pointer-arithmetic.md", arrays);
	/* The quiz goes first, the arrays lesson moves to the heap module, last. */
	rename_path(f->files, "01-addresses-and-arrays/03-quiz-pointers.md",
	            "01-addresses-and-arrays/00-quiz-pointers.md");
	rename_path(f->files, "01-addresses-and-arrays/02-arrays-and-pointer-arithmetic.md",
	            "02-the-heap/07-arrays-and-pointer-arithmetic.md");
	/* The exercise goes away; a third module comes with a page. */
	rename_path(f->files, "02-the-heap/02-exercise-a-growable-array.md", "exercise.txt");
	text = lc_asprintf("%s/03-strings", f->files);
	assert_int_equal(lc_mkdir_p(text, 0700), 0);
	free(text);
	write_text(f->files, "03-strings/module.md", "---\ntitle: Strings\n---\n");
	write_text(
	    f->files, "03-strings/01-nul.md",
	    "---\nkind: page\ntitle: The NUL at the end\n---\nEvery C string ends with 0.\n");
	/* The short question's prompt changes; a numeric one is added at the end. */
	edit_file(f->files, "01-addresses-and-arrays/00-quiz-pointers.md",
	          "prompt: Which function releases memory obtained from `malloc`?",
	          "prompt: Which function gives memory back?");
	text = read_text(f->files, "01-addresses-and-arrays/00-quiz-pointers.md");
	was = strstr(text, "\n---\n");
	assert_non_null(was);
	{
		char *more = lc_asprintf("%.*s\n- kind: numeric\n  prompt: sizeof(char)?\n"
		                         "  answer: 1\n%s",
		                         (int)(was - text), text, was);

		write_text(f->files, "01-addresses-and-arrays/00-quiz-pointers.md", more);
		free(more);
	}
	free(text);
	/* 2 moves, 1 delete, 2 creates (module, page), 1 question edit, 1 question create. */
	assert_int_equal(push(&f->teacher, f->files), 7);
	RUN_OK(&f->teacher, NULL, "sync");
	assert_int_equal(st_replica_issues(&f->teacher), 0);
	text = outline(f);
	assert_string_equal(text, "Addresses and arrays: Quiz: pointers; What a pointer is; | "
	                          "The heap: Dynamic memory; Arrays and pointer arithmetic; | "
	                          "Strings: The NUL at the end;");
	free(text);
	/* The moved lesson is the same resource (a move, not a create). */
	text = server_field(f, "item", arrays, "title");
	assert_string_equal(text, "Arrays and pointer arithmetic");
	free(text);
	text = lc_asprintf("/items/%s/questions", quiz);
	qs = st_api_list(&f->api, text);
	free(text);
	assert_non_null(qs);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(qs, cJSON_GetArraySize(qs) - 1), "prompt")
	        ->valuestring,
	    "sizeof(char)?");
	text = cJSON_PrintUnformatted(qs);
	assert_non_null(strstr(text, "Which function gives memory back?"));
	free(text);
	cJSON_Delete(qs);
	/* Nothing left to push; a pull brings nothing new. */
	assert_int_equal(push(&f->teacher, f->files), 0);
}

static void
test_course_new_from_dir_checks_out_byte_for_byte(void **state)
{
	struct fixture *f = *state;
	static const char *const files[][2] = {
	    {"course.md", "---\ntitle: Ελληνικά για αρχάριους — 入門\ncode: GR1\n"
	                  "keywords:\n- greek\n- 'yes'\ncertification: true\npass_score: 0.8\n"
	                  "---\n# Καλώς ήρθατε\n\nA course written in files.\n"},
	    {"01-basics/module.md", "---\ntitle: Basics\n---\n"},
	    {"01-basics/01-alphabet.md", "---\nkind: page\ntitle: Alphabet\nrequired: true\n---\n"
	                                 "Α α, Β β, Γ γ.\n"},
	    {"01-basics/02-reference.md", "---\nkind: link\ntitle: Reference\nrequired: false\n"
	                                  "url: https://example.org/greek\n---\n"},
	    {"01-basics/03-essay.md", "---\nkind: assignment\ntitle: Essay\nrequired: true\n"
	                              "points: 10\ndue: 2027-02-01T12:00:00Z\n---\nWrite.\n"},
	    {"01-basics/04-check.md",
	     "---\nkind: quiz\ntitle: Check\nrequired: true\nmax_attempts: 3\nquestions:\n"
	     "- kind: single\n  prompt: First letter?\n  choices:\n  - Α\n  - Ω\n  answer: 0\n"
	     "  points: 1\n"
	     "- kind: multiple\n  prompt: Vowels?\n  choices:\n  - Α\n  - Β\n  - Ε\n"
	     "  answer: [0, 2]\n  points: 2\n"
	     "- kind: boolean\n  prompt: Greek has 24 letters.\n  answer: true\n  points: 1\n"
	     "- kind: short\n  prompt: The letter after alpha?\n  answer: beta\n  points: 1\n"
	     "- kind: numeric\n  prompt: How many letters?\n  answer: 24\n  points: 1\n"
	     "  tolerance: 0\n"
	     "  explanation: |\n    Twenty-four.\n    Count them.\n"
	     "---\nGood luck.\n"},
	    {"02-more/module.md", "---\ntitle: More\n---\n"},
	};
	char *src = lc_asprintf("%s/greek", f->dir), *again = lc_asprintf("%s/greek2", f->dir);
	char *out = NULL, id[ST_ID_LEN + 1];
	struct tui_cf_files a = {0}, b = {0};
	size_t n = sizeof(files) / sizeof(files[0]);

	for (size_t i = 0; i < n; i++) {
		char *path = lc_asprintf("%s/%s", src, files[i][0]);

		assert_int_equal(lc_mkdir_parents(path, 0700), 0);
		write_text(src, files[i][0], files[i][1]);
		free(path);
	}
	assert_int_equal(st_lectern(&f->teacher, NULL, &out, "course", "new", "--from", src, NULL),
	                 0);
	assert_int_equal(strcspn(out, "\n"), ST_ID_LEN);
	memcpy(id, out, ST_ID_LEN);
	id[ST_ID_LEN] = '\0';
	free(out);
	RUN_OK(&f->teacher, NULL, "sync");
	assert_int_equal(pending(&f->teacher), 0);
	assert_int_equal(st_replica_issues(&f->teacher), 0);
	RUN_OK(&f->teacher, NULL, "course", "checkout", id, again);
	assert_int_equal(tui_cf_read_dir(src, &a, NULL), 0);
	assert_int_equal(tui_cf_read_dir(again, &b, NULL), 0);
	assert_int_equal(b.n, a.n + 1); /* and .lectern */
	for (size_t i = 0; i < a.n; i++) {
		const struct tui_cf_file *x = tui_cf_files_find(&b, a.v[i].path);

		if (x == NULL || x->len != a.v[i].len || memcmp(x->data, a.v[i].data, x->len) != 0)
			fail_msg("%s differs:\n%s\n---- checked out:\n%s", a.v[i].path, a.v[i].data,
			         x != NULL ? x->data : "(none)");
	}
	assert_int_equal(push(&f->teacher, again), 0);
	/* A folder that is a checkout already is refused: push is the way to change it. */
	assert_int_not_equal(
	    st_lectern(&f->teacher, NULL, NULL, "course", "new", "--from", again, NULL), 0);
	tui_cf_files_free(&a);
	tui_cf_files_free(&b);
	free(src);
	free(again);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_course_checkout_then_push_without_edit_queues_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_course_edited_title_pushes_one_patch_of_that_field,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_course_two_instructors_merge_and_nothing_is_lost,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_course_push_killed_and_run_again_sends_each_write_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_course_renumber_create_delete_pushed_as_moves_creates_deletes, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(test_course_new_from_dir_checks_out_byte_for_byte,
	                                    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
