/* SPDX-License-Identifier: MIT */
/*
 * Issue 12: the file <-> course mapping (tui/coursefiles.h). Round trips on every demo
 * course of lecternd's seed (read through the server's own outline, in process), on every
 * item and question kind with unicode and awkward texts; renames and renumbering keep ids;
 * bad files are refused with the file named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "server-stub/srv.h"
#include "tests/unit/srv-demo-fixture.h"
#include "tui/coursefiles.h"

/* The first module's folder: its title's slug keeps letters of any script (and the dash). */
#define M1 "01-zeiger-\u2014-erste-schritte"

/* ---- Helpers --------------------------------------------------------------------------- */

static const char *
str(const cJSON *doc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Two entities agree on every mapped field (and on the id when want_id). */
static void
assert_same(const char *type, const cJSON *a, const cJSON *b, bool want_id)
{
	cJSON *ma = tui_cf_mapped(type, a), *mb = tui_cf_mapped(type, b);
	char *ta = cJSON_PrintUnformatted(ma), *tb = cJSON_PrintUnformatted(mb);

	if (!cJSON_Compare(ma, mb, true))
		fail_msg("%s differs:\n  %s\n  %s", type, ta, tb);
	if (want_id)
		assert_string_equal(str(a, "id"), str(b, "id"));
	free(ta);
	free(tb);
	cJSON_Delete(ma);
	cJSON_Delete(mb);
}

/* The whole trees agree, entity by entity, in order. */
static void
assert_same_course(const cJSON *a, const cJSON *b)
{
	const cJSON *ma = cJSON_GetObjectItem(a, "modules"),
	            *mb = cJSON_GetObjectItem(b, "modules");

	assert_same("course", a, b, true);
	assert_int_equal(cJSON_GetArraySize(ma), cJSON_GetArraySize(mb));
	for (int m = 0; m < cJSON_GetArraySize(ma); m++) {
		const cJSON *x = cJSON_GetArrayItem(ma, m), *y = cJSON_GetArrayItem(mb, m);
		const cJSON *ia = cJSON_GetObjectItem(x, "items"),
		            *ib = cJSON_GetObjectItem(y, "items");

		assert_same("module", x, y, true);
		assert_int_equal(cJSON_GetArraySize(ia), cJSON_GetArraySize(ib));
		for (int i = 0; i < cJSON_GetArraySize(ia); i++) {
			const cJSON *p = cJSON_GetArrayItem(ia, i), *q = cJSON_GetArrayItem(ib, i);
			const cJSON *qa = cJSON_GetObjectItem(p, "questions");
			const cJSON *qb = cJSON_GetObjectItem(q, "questions");

			assert_same("item", p, q, true);
			if (str(p, "kind") == NULL || strcmp(str(p, "kind"), "quiz") != 0)
				continue;
			assert_int_equal(cJSON_GetArraySize(qa), cJSON_GetArraySize(qb));
			for (int k = 0; k < cJSON_GetArraySize(qa); k++)
				assert_same("question", cJSON_GetArrayItem(qa, k),
				            cJSON_GetArrayItem(qb, k), true);
		}
	}
}

static void
assert_same_files(const struct tui_cf_files *a, const struct tui_cf_files *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->v[i].path, b->v[i].path);
		assert_int_equal(a->v[i].len, b->v[i].len);
		assert_memory_equal(a->v[i].data, b->v[i].data, a->v[i].len);
	}
}

/* tree -> files -> tree -> files: the same bytes, the same fields and ids. */
static void
round_trip(const cJSON *course)
{
	struct tui_cf_files files = {0}, again = {0};
	cJSON *parsed = NULL;
	char *cause = NULL;

	if (tui_cf_emit(course, &files, &cause) != 0)
		fail_msg("emit: %s", cause);
	if (tui_cf_parse(&files, NULL, &parsed, &cause) != 0)
		fail_msg("parse: %s", cause);
	assert_same_course(course, parsed);
	assert_int_equal(tui_cf_emit(parsed, &again, &cause), 0);
	assert_same_files(&files, &again);
	cJSON_Delete(parsed);
	tui_cf_files_free(&files);
	tui_cf_files_free(&again);
}

/* Replaces the file at path by text (or removes it when text is NULL). */
static void
put_file(struct tui_cf_files *files, const char *path, const char *text)
{
	struct tui_cf_files out = {0};

	for (size_t i = 0; i < files->n; i++)
		if (strcmp(files->v[i].path, path) != 0)
			tui_cf_files_add(&out, files->v[i].path, files->v[i].data, files->v[i].len);
	if (text != NULL)
		tui_cf_files_add(&out, path, text, strlen(text));
	tui_cf_files_free(files);
	*files = out;
}

static void
rename_file(struct tui_cf_files *files, const char *from, const char *to)
{
	const struct tui_cf_file *f = tui_cf_files_find(files, from);
	char *text;

	assert_non_null(f);
	text = lc_strdup(f->data);
	put_file(files, from, NULL);
	put_file(files, to, text);
	free(text);
}

static cJSON *
with_id(cJSON *doc)
{
	char id[LC_UUID_LEN + 1];

	lc_uuid_new(id);
	cJSON_AddStringToObject(doc, "id", id);
	return doc;
}

static cJSON *
parse_json(const char *text)
{
	cJSON *v = cJSON_Parse(text);

	assert_non_null(v);
	return v;
}

/* A course with every item kind and question kind, unicode and awkward texts. */
static cJSON *
every_kind_course(void)
{
	cJSON *c = with_id(parse_json(
	    "{\"title\":\"Ελληνικά και 日本語: «pointers» 🚀\",\"code\":\"007\","
	    "\"keywords\":[\"true\",\"c\",\"a: b\"],\"certification\":true,\"pass_score\":0.75,"
	    "\"description\":\"# Welcome\\n\\nThe course.\\n\"}"));
	cJSON *mods = cJSON_AddArrayToObject(c, "modules");
	cJSON *m1 = with_id(parse_json("{\"title\":\"Zeiger — erste Schritte\"}"));
	cJSON *m2 = with_id(parse_json("{\"title\":\"null\"}"));
	cJSON *items = cJSON_AddArrayToObject(m1, "items"), *quiz, *qs;

	cJSON_AddItemToArray(mods, m1);
	cJSON_AddItemToArray(mods, m2);
	cJSON_AddArrayToObject(m2, "items");
	cJSON_AddItemToArray(
	    items, with_id(parse_json("{\"kind\":\"page\",\"title\":\"What is a pointer?\","
	                              "\"required\":true,\"body\":\"A *pointer*.\\n\\n---\\n\"}")));
	cJSON_AddItemToArray(
	    items, with_id(parse_json("{\"kind\":\"link\",\"title\":\"2024\",\"required\":false,"
	                              "\"url\":\"https://example.org/a?b=c#d\"}")));
	cJSON_AddItemToArray(
	    items, with_id(parse_json("{\"kind\":\"assignment\",\"title\":\"  'quoted' \\\"x\\\"\","
	                              "\"required\":true,\"points\":12.5,"
	                              "\"due_at\":\"2026-12-24T18:00:00Z\",\"max_attempts\":3,"
	                              "\"body\":\"Hand in a program.\"}")));
	quiz = with_id(parse_json("{\"kind\":\"quiz\",\"title\":\"Quiz: #1\",\"required\":true,"
	                          "\"points\":10,\"max_attempts\":2,\"body\":\"Good luck.\\n\"}"));
	cJSON_AddItemToArray(items, quiz);
	qs = cJSON_AddArrayToObject(quiz, "questions");
	cJSON_AddItemToArray(
	    qs, with_id(parse_json("{\"kind\":\"single\",\"prompt\":\"Which is a pointer?\","
	                           "\"choices\":[\"int *p\",\"yes\",\"- x\"],\"answer\":0,"
	                           "\"points\":1,\"explanation\":\"The star.\\nSee 1.2.\\n\"}")));
	cJSON_AddItemToArray(
	    qs, with_id(parse_json("{\"kind\":\"multiple\",\"prompt\":\"Pick two:\\n\\n- a\\n- b\","
	                           "\"choices\":[\"1\",\"2\",\"三\"],\"answer\":[0,2],"
	                           "\"points\":2}")));
	cJSON_AddItemToArray(qs, with_id(parse_json("{\"kind\":\"boolean\",\"prompt\":\"true?\","
	                                            "\"answer\":false,\"points\":1}")));
	cJSON_AddItemToArray(qs, with_id(parse_json("{\"kind\":\"short\",\"prompt\":\"Name it\","
	                                            "\"answer\":\"NULL\",\"points\":1}")));
	cJSON_AddItemToArray(
	    qs, with_id(parse_json("{\"kind\":\"numeric\",\"prompt\":\"π to two places?\","
	                           "\"answer\":3.14,\"tolerance\":0.005,\"points\":0.5}")));
	return c;
}

/* ---- The demo courses ------------------------------------------------------------------- */

static cJSON *
call(struct fixture *f, const char *path)
{
	struct srv_user user;
	struct srv_resp resp = {0};
	struct srv_call c = {0};
	struct store_db *db = srv_ctx_db(&f->ctx);
	sqlite3_stmt *st;
	bool replayed = false;
	cJSON *out;

	assert_int_equal(store_db_stmt(db, "SELECT id FROM users WHERE username = 'admin'", &st),
	                 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(srv_user_load(db, (const char *)sqlite3_column_text(st, 0), &user), 0);
	sqlite3_reset(st);
	c.viewer = &user;
	c.method = "GET";
	c.path = path;
	c.if_match = -1;
	c.request_id = "test";
	c.client_ip = "";
	srv_dispatch(&f->ctx, db, &c, &resp, &replayed);
	assert_int_equal(resp.status, 200);
	out = resp.body;
	resp.body = NULL;
	srv_resp_finish(&resp);
	return out;
}

/* The course as the outline gives it, with each quiz's questions (answers: staff). */
static cJSON *
demo_course(struct fixture *f, const char *id)
{
	char *path = lc_asprintf("/api/v1/courses/%s/outline", id);
	cJSON *course = call(f, path), *m, *it;

	free(path);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(course, "modules"))
	{
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(m, "items"))
		{
			cJSON *qs;

			if (strcmp(str(it, "kind"), "quiz") != 0)
				continue;
			path = lc_asprintf("/api/v1/items/%s/questions", str(it, "id"));
			qs = call(f, path);
			free(path);
			if (cJSON_IsObject(qs)) { /* a page: {"items": [...]} */
				cJSON *page = qs;

				qs = cJSON_DetachItemFromObject(page, "items");
				cJSON_Delete(page);
			}
			assert_true(cJSON_IsArray(qs));
			cJSON_AddItemToObject(it, "questions", qs);
		}
	}
	return course;
}

static void
test_coursefiles_round_trip_demo_courses(void **state)
{
	struct fixture *f = *state;
	struct store_db *db = srv_ctx_db(&f->ctx);
	sqlite3_stmt *st;
	int courses = 0, questions = 0;

	char *ids[64];
	int n = 0;

	/* The ids first: a request resets the statements the server caches. */
	assert_int_equal(store_db_stmt(db, "SELECT id FROM courses ORDER BY id", &st), 0);
	while (n < 64 && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = lc_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	for (int k = 0; k < n; k++) {
		cJSON *course = demo_course(f, ids[k]), *m, *it;

		cJSON_ArrayForEach(m, cJSON_GetObjectItem(course, "modules"))
		{
			cJSON_ArrayForEach(it, cJSON_GetObjectItem(m, "items")) questions +=
			    cJSON_GetArraySize(cJSON_GetObjectItem(it, "questions"));
		}
		round_trip(course);
		cJSON_Delete(course);
		free(ids[k]);
		courses++;
	}
	assert_true(courses >= 3);
	assert_true(questions > 0);
}

/* ---- Every kind, renames, bad files --------------------------------------------------- */

static void
test_coursefiles_round_trip_every_kind_unicode(void **state)
{
	cJSON *c = every_kind_course();

	if (getenv("CF_DUMP") != NULL) {
		struct tui_cf_files files = {0};

		assert_int_equal(tui_cf_emit(c, &files, NULL), 0);
		for (size_t i = 0; i < files.n; i++)
			printf("==> %s <==\n%s", files.v[i].path, files.v[i].data);
		tui_cf_files_free(&files);
	}

	round_trip(c);
	cJSON_Delete(c);
}

/* The course as the files show it and the ids of its first module's items, in order. */
static void
item_ids(const cJSON *course, int module, const char **out, int n)
{
	const cJSON *items = cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(course, "modules"), module), "items");

	assert_int_equal(cJSON_GetArraySize(items), n);
	for (int i = 0; i < n; i++)
		out[i] = str(cJSON_GetArrayItem(items, i), "id");
}

static void
test_coursefiles_renumbering_is_a_reorder(void **state)
{
	cJSON *c = every_kind_course(), *parsed = NULL;
	struct tui_cf_files files = {0};
	const char *was[4], *now[4];
	char *cause = NULL;

	assert_int_equal(tui_cf_emit(c, &files, &cause), 0);
	item_ids(c, 0, was, 4);
	/* The quiz goes first: renumbered 04 -> 00; the page 01 -> 05 (a gap is fine). */
	rename_file(&files, M1 "/04-quiz-1.md", M1 "/00-quiz-1.md");
	rename_file(&files, M1 "/01-what-is-a-pointer.md", M1 "/05-what-is-a-pointer.md");
	assert_int_equal(tui_cf_parse(&files, NULL, &parsed, &cause), 0);
	item_ids(parsed, 0, now, 4);
	assert_string_equal(now[0], was[3]);
	assert_string_equal(now[1], was[1]);
	assert_string_equal(now[2], was[2]);
	assert_string_equal(now[3], was[0]);
	/* The quiz's questions followed it. */
	assert_same(
	    "question",
	    cJSON_GetArrayItem(
	        cJSON_GetObjectItem(
	            cJSON_GetArrayItem(
	                cJSON_GetObjectItem(
	                    cJSON_GetArrayItem(cJSON_GetObjectItem(c, "modules"), 0), "items"),
	                3),
	            "questions"),
	        4),
	    cJSON_GetArrayItem(
	        cJSON_GetObjectItem(
	            cJSON_GetArrayItem(
	                cJSON_GetObjectItem(
	                    cJSON_GetArrayItem(cJSON_GetObjectItem(parsed, "modules"), 0), "items"),
	                0),
	            "questions"),
	        4),
	    true);
	cJSON_Delete(parsed);
	tui_cf_files_free(&files);
	cJSON_Delete(c);
}

static void
test_coursefiles_module_folder_renamed_keeps_ids(void **state)
{
	cJSON *c = every_kind_course(), *parsed = NULL;
	struct tui_cf_files files = {0}, moved = {0};
	char *cause = NULL;

	assert_int_equal(tui_cf_emit(c, &files, &cause), 0);
	/* Module 1 becomes module 3: its folder and every file under it renamed. */
	for (size_t i = 0; i < files.n; i++) {
		const char *p = files.v[i].path;
		char *to = strncmp(p, "01-", 3) == 0 ? lc_asprintf("03-%s", p + 3) : lc_strdup(p);

		tui_cf_files_add(&moved, to, files.v[i].data, files.v[i].len);
		free(to);
	}
	assert_int_equal(tui_cf_parse(&moved, NULL, &parsed, &cause), 0);
	/* Now the other module comes first, and everything kept its id. */
	assert_string_equal(
	    str(cJSON_GetArrayItem(cJSON_GetObjectItem(parsed, "modules"), 0), "id"),
	    str(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "modules"), 1), "id"));
	cJSON_DeleteItemFromArray(cJSON_GetObjectItem(parsed, "modules"), 0);
	{
		cJSON *other = cJSON_DetachItemFromArray(cJSON_GetObjectItem(c, "modules"), 1);

		cJSON_Delete(other);
	}
	assert_same_course(c, parsed);
	tui_cf_files_free(&moved);
	tui_cf_files_free(&files);
	cJSON_Delete(parsed);
	cJSON_Delete(c);
}

static void
test_coursefiles_renamed_and_retitled_matches_by_body(void **state)
{
	cJSON *c = every_kind_course(), *parsed = NULL, *base = NULL;
	struct tui_cf_files files = {0};
	const char *was[4], *now[4];
	char *cause = NULL;
	const char *page =
	    "---\nkind: page\ntitle: Pointers, gently\nrequired: true\n---\nA *pointer*.\n\n---\n";

	assert_int_equal(tui_cf_emit(c, &files, &cause), 0);
	assert_int_equal(tui_cf_parse(&files, NULL, &base, &cause), 0);
	item_ids(c, 0, was, 4);
	put_file(&files, M1 "/01-what-is-a-pointer.md", NULL);
	put_file(&files, M1 "/01-pointers-gently.md", page);
	/* Without the checkout's tree nothing says it is the same page: a new one. */
	assert_int_equal(tui_cf_parse(&files, NULL, &parsed, &cause), 0);
	item_ids(parsed, 0, now, 4);
	assert_null(now[0]);
	cJSON_Delete(parsed);
	/* With it, the body says so. */
	assert_int_equal(tui_cf_parse(&files, base, &parsed, &cause), 0);
	item_ids(parsed, 0, now, 4);
	assert_string_equal(now[0], was[0]);
	assert_string_equal(
	    str(cJSON_GetArrayItem(
	            cJSON_GetObjectItem(
	                cJSON_GetArrayItem(cJSON_GetObjectItem(parsed, "modules"), 0), "items"),
	            0),
	        "title"),
	    "Pointers, gently");
	cJSON_Delete(parsed);
	cJSON_Delete(base);
	tui_cf_files_free(&files);
	cJSON_Delete(c);
}

/* The quiz of every_kind_course() (module 1, item 4). */
static cJSON *
quiz_of(cJSON *course)
{
	return cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(course, "modules"), 0),
	                        "items"),
	    3);
}

static void
test_coursefiles_reordered_questions_keep_their_ids(void **state)
{
	cJSON *c = every_kind_course(), *moved = cJSON_Duplicate(c, 1), *base = NULL,
	      *parsed = NULL;
	cJSON *qs = cJSON_GetObjectItem(quiz_of(moved), "questions");
	struct tui_cf_files files = {0}, other = {0};
	const char *quiz = M1 "/04-quiz-1.md";
	const cJSON *was = cJSON_GetObjectItem(quiz_of(c), "questions"), *now;
	char *cause = NULL;

	/* The boolean question goes first: the file as a person would leave it. */
	cJSON_InsertItemInArray(qs, 0, cJSON_DetachItemFromArray(qs, 2));
	assert_int_equal(tui_cf_emit(c, &files, &cause), 0);
	assert_int_equal(tui_cf_emit(moved, &other, &cause), 0);
	assert_int_equal(tui_cf_parse(&files, NULL, &base, &cause), 0);
	put_file(&files, quiz, tui_cf_files_find(&other, quiz)->data);
	assert_int_equal(tui_cf_parse(&files, base, &parsed, &cause), 0);
	now = cJSON_GetObjectItem(quiz_of(parsed), "questions");
	assert_int_equal(cJSON_GetArraySize(now), 5);
	assert_string_equal(str(cJSON_GetArrayItem(now, 0), "id"),
	                    str(cJSON_GetArrayItem(was, 2), "id"));
	assert_string_equal(str(cJSON_GetArrayItem(now, 1), "id"),
	                    str(cJSON_GetArrayItem(was, 0), "id"));
	assert_string_equal(str(cJSON_GetArrayItem(now, 2), "id"),
	                    str(cJSON_GetArrayItem(was, 1), "id"));
	assert_string_equal(str(cJSON_GetArrayItem(now, 3), "id"),
	                    str(cJSON_GetArrayItem(was, 3), "id"));
	assert_same("question", cJSON_GetArrayItem(now, 0), cJSON_GetArrayItem(was, 2), true);
	cJSON_Delete(parsed);
	cJSON_Delete(base);
	cJSON_Delete(moved);
	tui_cf_files_free(&files);
	tui_cf_files_free(&other);
	cJSON_Delete(c);
}

static void
test_coursefiles_new_file_has_no_id(void **state)
{
	cJSON *c = every_kind_course(), *parsed = NULL;
	struct tui_cf_files files = {0};
	const char *now[5];
	char *cause = NULL;

	assert_int_equal(tui_cf_emit(c, &files, &cause), 0);
	put_file(&files, M1 "/03-b-new.md", "---\nkind: page\ntitle: Brand new\n---\nHello.\n");
	assert_int_equal(tui_cf_parse(&files, NULL, &parsed, &cause), 0);
	item_ids(parsed, 0, now, 5);
	assert_null(now[2]); /* 03-b-new sorts before 03-quoted-x */
	assert_non_null(now[3]);
	assert_string_equal(
	    str(cJSON_GetArrayItem(
	            cJSON_GetObjectItem(
	                cJSON_GetArrayItem(cJSON_GetObjectItem(parsed, "modules"), 0), "items"),
	            2),
	        "body"),
	    "Hello.\n");
	cJSON_Delete(parsed);
	tui_cf_files_free(&files);
	cJSON_Delete(c);
}

/* parse refuses files with text (a file name and a reason in the cause). */
static void
assert_refused(struct tui_cf_files *files, const char *path, const char *text, const char *want)
{
	cJSON *parsed = NULL;
	char *cause = NULL;

	put_file(files, path, text);
	assert_int_equal(tui_cf_parse(files, NULL, &parsed, &cause), -LC_EINVAL);
	assert_null(parsed);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	free(cause);
}

static void
test_coursefiles_bad_files_are_refused_with_their_name(void **state)
{
	cJSON *c = every_kind_course();
	struct tui_cf_files files = {0};
	char *cause = NULL;
	const char *item = M1 "/02-2024.md";

	assert_int_equal(tui_cf_emit(c, &files, &cause), 0);
	assert_non_null(tui_cf_files_find(&files, item));
	assert_refused(&files, item, "---\nkind: link\ntitel: x\n---\n", "unknown key \"titel\"");
	assert_refused(&files, item, "kind: link\n", "does not start with");
	assert_refused(&files, item, "---\nkind: link\n", "no closing");
	assert_refused(&files, item, "---\nkind: [link\n---\n", "02-2024.md, line");
	assert_refused(&files, item, "---\na: &x 1\nb: *x\n---\n", "aliases");
	assert_refused(&files, item, "---\n- a\n---\n", "key: value");
	assert_refused(&files, item, "---\ntitle: [a, b]\n---\n", "title must be a text");
	/* Found by fuzz-coursefiles: a body that is not UTF-8 text would go to the server. */
	assert_refused(&files, item, "---\nkind: link\n---\ncn\xd0", "not UTF-8 text");
	put_file(&files, item, "---\nkind: link\ntitle: ok\n---\n");
	assert_refused(&files, M1 "/module.md", "---\ntitle: M\n---\nA body\n", "only a title");
	put_file(&files, M1 "/module.md", "---\ntitle: M\n---\n");
	assert_refused(&files, M1 "/notes.md", "hi", "starts with its number");
	put_file(&files, M1 "/notes.md", NULL);
	assert_refused(&files, ".lectern", "not-an-id course.md\n", ".lectern, line 1");
	put_file(&files, ".lectern", NULL);
	assert_refused(&files, "09-x/01-y.md", "---\ntitle: y\n---\n", "needs a module.md");
	put_file(&files, "09-x/01-y.md", NULL);
	assert_refused(&files, "course.md", NULL, "no course.md");
	tui_cf_files_free(&files);
	cJSON_Delete(c);
}

static void
test_coursefiles_plain_numbers_stay_texts_in_text_fields(void **state)
{
	struct tui_cf_files files = {0};
	cJSON *parsed = NULL, *item;
	char *cause = NULL;

	tui_cf_files_add(&files, "course.md", "---\ntitle: 2024\ncode: 1.50\n---\n", 31);
	tui_cf_files_add(&files, "01-a/module.md", "---\ntitle: true\n---\n", 20);
	tui_cf_files_add(&files, "01-a/01-b.md",
	                 "---\nkind: page\ntitle: 1e3\npoints: 1e3\nrequired: false\n---\n", 58);
	assert_int_equal(tui_cf_parse(&files, NULL, &parsed, &cause), 0);
	assert_string_equal(str(parsed, "title"), "2024");
	assert_string_equal(str(parsed, "code"), "1.50");
	assert_null(str(parsed, "id")); /* no .lectern: a course to create */
	item = cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(parsed, "modules"), 0),
	                        "items"),
	    0);
	assert_string_equal(str(item, "title"), "1e3");
	assert_true(cJSON_GetObjectItem(item, "points")->valuedouble == 1000);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(item, "required")));
	cJSON_Delete(parsed);
	tui_cf_files_free(&files);
}

/* Texts are quoted only where a YAML 1.1 reader would take them for something else. */
static void
test_coursefiles_quotes_only_what_yaml_would_misread(void **state)
{
	cJSON *c = with_id(
	    parse_json("{\"title\":\"1e3\",\"code\":\"C201\","
	               "\"department_id\":\"3a26cb96-85bf-4153-b1c1-34a40630516c\","
	               "\"keywords\":[\"0x1F\",\"12:30\",\"no\",\"2026-12-24T18:00:00Z\"]}"));
	struct tui_cf_files files = {0};
	const struct tui_cf_file *f;
	char *cause = NULL;

	cJSON_AddArrayToObject(c, "modules");
	assert_int_equal(tui_cf_emit(c, &files, &cause), 0);
	f = tui_cf_files_find(&files, "course.md");
	assert_non_null(f);
	assert_string_equal(f->data, "---\ntitle: '1e3'\ncode: C201\n"
	                             "department: 3a26cb96-85bf-4153-b1c1-34a40630516c\n"
	                             "keywords:\n- '0x1F'\n- '12:30'\n- 'no'\n"
	                             "- 2026-12-24T18:00:00Z\n---\n");
	tui_cf_files_free(&files);
	round_trip(c);
	cJSON_Delete(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_coursefiles_round_trip_demo_courses,
	                                    srv_demo_setup, srv_demo_teardown),
	    cmocka_unit_test(test_coursefiles_round_trip_every_kind_unicode),
	    cmocka_unit_test(test_coursefiles_renumbering_is_a_reorder),
	    cmocka_unit_test(test_coursefiles_module_folder_renamed_keeps_ids),
	    cmocka_unit_test(test_coursefiles_renamed_and_retitled_matches_by_body),
	    cmocka_unit_test(test_coursefiles_new_file_has_no_id),
	    cmocka_unit_test(test_coursefiles_reordered_questions_keep_their_ids),
	    cmocka_unit_test(test_coursefiles_bad_files_are_refused_with_their_name),
	    cmocka_unit_test(test_coursefiles_plain_numbers_stay_texts_in_text_fields),
	    cmocka_unit_test(test_coursefiles_quotes_only_what_yaml_would_misread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
