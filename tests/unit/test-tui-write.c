/* SPDX-License-Identifier: MIT */
/*
 * The write module (tui/write.c), issue 11: the field checks mirror the server's
 * validation rule by rule (server-stub/res-*.c, validate.c, grade.c), so that what lecternd
 * would answer 400 is refused before anything is queued; the authoring writes queue the
 * request of the wire contract with the right scope, If-Match and optimistic doc; staff are
 * told from the replica. Runs on a real replica file, without a terminal or a server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica.h"
#include "tui/tui-int.h"
#include "tui/write.h"
#include "tui-test-app.h"

#define ME "a0000000-0000-4000-8000-000000000001"
#define OTHER "a0000000-0000-4000-8000-000000000002"
#define DEPT "b0000000-0000-4000-8000-000000000001"
#define DEPT2 "b0000000-0000-4000-8000-000000000002"
#define MINE "c0000000-0000-4000-8000-000000000001"   /* a draft I own */
#define THEIRS "c0000000-0000-4000-8000-000000000002" /* published, in DEPT, not mine */
#define MODULE "d0000000-0000-4000-8000-000000000001"
#define MODULE2 "d0000000-0000-4000-8000-000000000002"
#define PAGE1 "10000000-0000-4000-8000-000000000001"
#define PAGE2 "10000000-0000-4000-8000-000000000002"
#define PAGE3 "10000000-0000-4000-8000-000000000003"
#define QUIZ "10000000-0000-4000-8000-000000000004"
#define QUESTION "20000000-0000-4000-8000-000000000001"

struct fixture {
	struct tui_test_app t; /* first: tui_test_app_teardown() frees the fixture */
	struct tui_writer w;
	int user_rev; /* each new version of the user's doc needs a higher rev */
};

/* The signed-in user's own doc, with a role and department memberships (JSON array). */
static void
set_me(struct fixture *f, const char *role, const char *departments)
{
	char *doc = lc_asprintf("{\"id\":\"" ME "\",\"rev\":%d,\"username\":\"me\",\"role\":\"%s\","
	                        "\"departments\":%s}",
	                        ++f->user_rev, role, departments);

	tui_test_apply(&f->t, "user", "user", ME, f->user_rev, doc);
	free(doc);
}

static void
item(struct fixture *f, const char *id, const char *module, const char *kind, int pos,
     const char *extra)
{
	/* A second call for the same item is a newer version (rev 3): the replica takes it. */
	int rev = extra[0] != '\0' ? 3 : 2;
	char *doc =
	    lc_asprintf("{\"id\":\"%s\",\"rev\":%d,\"module_id\":\"%s\",\"course_id\":\"" MINE
	                "\",\"title\":\"Item %d\",\"kind\":\"%s\",\"position\":%d%s}",
	                id, rev, module, pos, kind, pos, extra);

	tui_test_apply(&f->t, "course:" MINE, "item", id, rev, doc);
	free(doc);
}

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));

	tui_test_app_open(&f->t, "tui-write", ME);
	f->w = (struct tui_writer){.db = f->t.app.db, .user_id = ME, .username = "me"};
	set_me(f, "instructor", "[]");
	tui_test_apply(&f->t, "course:" MINE, "course", MINE, 3,
	               "{\"id\":\"" MINE "\",\"rev\":3,\"title\":\"Mine\",\"status\":\"draft\","
	               "\"owner_id\":\"" ME "\",\"department_id\":null,\"code\":\"M1\"}");
	tui_test_apply(&f->t, "catalog", "course", THEIRS, 1,
	               "{\"id\":\"" THEIRS
	               "\",\"rev\":1,\"title\":\"Theirs\",\"status\":\"published\","
	               "\"owner_id\":\"" OTHER "\",\"department_id\":\"" DEPT "\"}");
	tui_test_apply(&f->t, "course:" MINE, "module", MODULE, 1,
	               "{\"id\":\"" MODULE "\",\"rev\":1,\"course_id\":\"" MINE
	               "\",\"title\":\"One\",\"position\":1}");
	tui_test_apply(&f->t, "course:" MINE, "module", MODULE2, 1,
	               "{\"id\":\"" MODULE2 "\",\"rev\":1,\"course_id\":\"" MINE
	               "\",\"title\":\"Two\",\"position\":2}");
	item(f, PAGE1, MODULE, "page", 1, "");
	item(f, PAGE2, MODULE, "page", 2, "");
	item(f, PAGE3, MODULE, "page", 3, "");
	item(f, QUIZ, MODULE2, "quiz", 1, "");
	tui_test_apply(&f->t, "course:" MINE, "question", QUESTION, 4,
	               "{\"id\":\"" QUESTION "\",\"rev\":4,\"item_id\":\"" QUIZ
	               "\",\"course_id\":\"" MINE
	               "\",\"prompt\":\"Pick\",\"kind\":\"single\",\"choices\":[\"a\",\"b\",\"c\"],"
	               "\"answer\":1,\"position\":1}");
	*state = f;
	return 0;
}

/* Asserts fields_json is refused (create or patch) with a cause holding needle. */
static void
refused(const char *type, const char *fields_json, bool create, const char *needle)
{
	cJSON *fields = cJSON_Parse(fields_json);
	char *cause = NULL;

	assert_non_null(fields);
	assert_int_equal(tui_check_fields(type, fields, create, &cause), -LC_EINVAL);
	assert_non_null(cause);
	if (strstr(cause, needle) == NULL)
		fail_msg("%s %s: cause \"%s\" lacks \"%s\"", type, fields_json, cause, needle);
	free(cause);
	cJSON_Delete(fields);
}

static void
accepted(const char *type, const char *fields_json, bool create)
{
	cJSON *fields = cJSON_Parse(fields_json);
	char *cause = NULL;

	assert_non_null(fields);
	if (tui_check_fields(type, fields, create, &cause) != 0)
		fail_msg("%s %s refused: %s", type, fields_json, cause ? cause : "?");
	cJSON_Delete(fields);
}

/* ---- tui_check_fields: the server's rules -------------------------------------------- */

static void
test_check_refuses_unknown_fields_and_types(void **state)
{
	(void)state;
	refused("course", "{\"title\":\"T\",\"colour\":\"red\"}", true, "no field \"colour\"");
	refused("module", "{\"title\":\"T\",\"kind\":\"page\"}", true, "no field \"kind\"");
	refused("item", "{\"prompt\":\"x\"}", false, "no field \"prompt\"");
	refused("reply", "{\"title\":\"x\"}", false, "no field \"title\"");
	/* id is for creates only: a PATCH cannot change it. */
	refused("item", "{\"id\":\"" PAGE1 "\"}", false, "no field \"id\"");
	refused("enrollment", "{}", true, "not something that can be written");
	refused("course", "[1]", true, "JSON object");
}

static void
test_check_requires_the_create_fields(void **state)
{
	(void)state;
	refused("course", "{\"code\":\"X\"}", true, "needs a title");
	refused("module", "{}", true, "needs a title");
	refused("item", "{\"title\":\"T\"}", true, "needs a kind");
	refused("item", "{\"kind\":\"page\"}", true, "needs a title");
	refused("question", "{\"kind\":\"boolean\",\"answer\":true}", true, "needs a prompt");
	refused("question", "{\"prompt\":\"p\",\"answer\":true}", true, "needs a kind");
	refused("question", "{\"prompt\":\"p\",\"kind\":\"boolean\"}", true, "needs a answer");
	refused("topic", "{\"title\":\"T\"}", true, "needs a body");
	refused("reply", "{}", true, "needs a body");
	/* A patch may carry any subset. */
	accepted("item", "{\"points\":3}", false);
	accepted("course", "{}", false);
}

static void
test_check_title_lengths(void **state)
{
	char title[260], json[300];

	(void)state;
	memset(title, 'x', 200);
	title[200] = '\0';
	snprintf(json, sizeof(json), "{\"title\":\"%s\"}", title);
	accepted("course", json, true);
	accepted("module", json, true);
	title[200] = 'x';
	title[201] = '\0';
	snprintf(json, sizeof(json), "{\"title\":\"%s\"}", title);
	refused("course", json, true, "at most 200 characters");
	refused("module", json, false, "at most 200 characters");
	refused("item", json, false, "at most 200 characters");
	refused("course", "{\"title\":\"\"}", true, "non-empty");
	refused("module", "{\"title\":3}", true, "title");
	/* Characters, not bytes: 200 two-byte letters are a valid title. */
	{
		char wide[420] = "{\"title\":\"";
		size_t n = strlen(wide);

		for (int i = 0; i < 200; i++, n += 2)
			memcpy(wide + n, "\xc3\xa9", 2);
		memcpy(wide + n, "\"}", 3);
		accepted("item", wide, false);
	}
	refused("course", "{\"title\":\"T\",\"code\":\"123456789012345678901234567890123\"}", true,
	        "code");
}

static void
test_check_course_fields(void **state)
{
	(void)state;
	accepted("course",
	         "{\"title\":\"T\",\"code\":\"C1\",\"keywords\":[\"a\",\"b\"],\"department_id\":"
	         "\"" DEPT "\",\"certification\":true,\"pass_score\":0.75,\"description\":\"d\"}",
	         true);
	accepted("course", "{\"pass_score\":0}", false);
	accepted("course", "{\"pass_score\":1}", false);
	refused("course", "{\"pass_score\":1.01}", false, "pass_score is a number from 0 to 1");
	refused("course", "{\"pass_score\":-0.1}", false, "pass_score");
	refused("course", "{\"pass_score\":\"0.5\"}", false, "pass_score");
	refused("course", "{\"certification\":\"yes\"}", false, "true or false");
	refused("course", "{\"department_id\":\"sales\"}", false, "UUID");
	accepted("course", "{\"department_id\":null,\"description\":null,\"code\":null}", false);
	refused("course", "{\"keywords\":\"a,b\"}", false, "keywords");
	refused("course", "{\"keywords\":[\"\"]}", false, "keywords");
	refused("course", "{\"title\":null}", false, "cannot be null");
	{
		cJSON *f = cJSON_CreateObject(), *kw = cJSON_AddArrayToObject(f, "keywords");
		char *cause = NULL;

		for (int i = 0; i < 33; i++)
			cJSON_AddItemToArray(kw, cJSON_CreateString("k"));
		assert_int_equal(tui_check_fields("course", f, false, &cause), -LC_EINVAL);
		free(cause);
		cJSON_Delete(f);
	}
}

static void
test_check_item_fields(void **state)
{
	(void)state;
	accepted("item",
	         "{\"title\":\"T\",\"kind\":\"assignment\",\"due_at\":\"2026-12-01T09:00:00Z\","
	         "\"points\":10,\"required\":false,\"max_attempts\":3,\"body\":\"# Hi\"}",
	         true);
	accepted("item", "{\"title\":\"L\",\"kind\":\"link\",\"url\":\"https://example.org/\"}",
	         true);
	refused("item", "{\"title\":\"T\",\"kind\":\"video\"}", true,
	        "one of: page, link, quiz, assignment");
	refused("item", "{\"due_at\":\"next tuesday\"}", false, "RFC 3339");
	refused("item", "{\"due_at\":\"2026-13-01T09:00:00Z\"}", false, "RFC 3339");
	accepted("item", "{\"due_at\":null,\"points\":null,\"max_attempts\":null}", false);
	refused("item", "{\"points\":-1}", false, "points");
	refused("item", "{\"max_attempts\":0}", false, "max_attempts");
	refused("item", "{\"max_attempts\":1.5}", false, "whole number");
	refused("item", "{\"required\":1}", false, "true or false");
	refused("item", "{\"url\":\"\"}", false, "url");
	refused("item", "{\"position\":0}", false, "position");
	refused("item", "{\"position\":2.5}", false, "position");
	accepted("item", "{\"position\":2}", false);
}

static void
test_check_question_single_needs_choices_and_one_valid_index(void **state)
{
	(void)state;
	accepted("question",
	         "{\"prompt\":\"p\",\"kind\":\"single\",\"choices\":[\"a\",\"b\"],\"answer\":1}",
	         true);
	refused("question", "{\"prompt\":\"p\",\"kind\":\"single\",\"answer\":0}", true,
	        "at least two choices");
	refused("question",
	        "{\"prompt\":\"p\",\"kind\":\"single\",\"choices\":[\"a\"],\"answer\":0}", true,
	        "at least two choices");
	refused("question",
	        "{\"prompt\":\"p\",\"kind\":\"single\",\"choices\":[\"a\",\"b\"],\"answer\":2}",
	        true, "exactly one answer");
	refused("question",
	        "{\"prompt\":\"p\",\"kind\":\"single\",\"choices\":[\"a\",\"b\"],\"answer\":[0]}",
	        true, "exactly one answer");
	refused("question",
	        "{\"prompt\":\"p\",\"kind\":\"single\",\"choices\":[\"a\",\"b\"],\"answer\":0.5}",
	        true, "exactly one answer");
	refused("question",
	        "{\"prompt\":\"p\",\"kind\":\"single\",\"choices\":[\"a\",\"\"],\"answer\":0}",
	        true, "choices");
}

static void
test_check_question_multiple_needs_distinct_valid_indexes(void **state)
{
	(void)state;
	accepted("question",
	         "{\"prompt\":\"p\",\"kind\":\"multiple\",\"choices\":[\"a\",\"b\",\"c\"],"
	         "\"answer\":[2,0]}",
	         true);
	refused("question",
	        "{\"prompt\":\"p\",\"kind\":\"multiple\",\"choices\":[\"a\",\"b\"],\"answer\":1}",
	        true, "list of choice indexes");
	refused("question",
	        "{\"prompt\":\"p\",\"kind\":\"multiple\",\"choices\":[\"a\",\"b\"],\"answer\":[]}",
	        true, "at least one");
	refused(
	    "question",
	    "{\"prompt\":\"p\",\"kind\":\"multiple\",\"choices\":[\"a\",\"b\"],\"answer\":[1,1]}",
	    true, "twice");
	refused(
	    "question",
	    "{\"prompt\":\"p\",\"kind\":\"multiple\",\"choices\":[\"a\",\"b\"],\"answer\":[0,2]}",
	    true, "indexes 0 to 1");
}

static void
test_check_question_boolean_short_numeric(void **state)
{
	(void)state;
	accepted("question", "{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":false}", true);
	refused("question", "{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":\"true\"}", true,
	        "true or false");
	accepted("question", "{\"prompt\":\"p\",\"kind\":\"short\",\"answer\":\"Paris\"}", true);
	refused("question", "{\"prompt\":\"p\",\"kind\":\"short\",\"answer\":\"  \"}", true,
	        "non-empty text");
	refused("question", "{\"prompt\":\"p\",\"kind\":\"short\",\"answer\":3}", true,
	        "non-empty text");
	accepted("question",
	         "{\"prompt\":\"p\",\"kind\":\"numeric\",\"answer\":3.14,\"tolerance\":0.01}",
	         true);
	refused("question", "{\"prompt\":\"p\",\"kind\":\"numeric\",\"answer\":\"3\"}", true,
	        "is a number");
	refused("question",
	        "{\"prompt\":\"p\",\"kind\":\"numeric\",\"answer\":3,\"tolerance\":-0.1}", true,
	        "tolerance");
	refused("question", "{\"prompt\":\"p\",\"kind\":\"numeric\",\"answer\":3,\"points\":-1}",
	        true, "points");
	refused("question", "{\"prompt\":\"p\",\"kind\":\"essay\",\"answer\":3}", true,
	        "one of: single, multiple, boolean, short, numeric");
}

/*
 * A question's explanation (issue 11, item 3; lecternd's extension in docs/api.md): an
 * optional Markdown text of at most 20000 characters, or null, on create and on patch,
 * exactly as server-stub/res-questions.c question_check() takes it.
 */
static void
test_check_question_explanation_as_the_server_takes_it(void **state)
{
	char *text = lc_malloc(20002), *json;

	(void)state;
	accepted("question",
	         "{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":true,"
	         "\"explanation\":\"Because *so*.\"}",
	         true);
	accepted("question",
	         "{\"prompt\":\"p\",\"kind\":\"boolean\",\"answer\":true,"
	         "\"explanation\":null}",
	         true);
	accepted("question", "{\"explanation\":\"\"}", false);
	accepted("question", "{\"explanation\":null}", false);
	refused("question", "{\"explanation\":3}", false, "explanation is a text");
	refused("question", "{\"explanation\":[\"a\"]}", false, "explanation is a text");
	refused("question", "{\"explanation\":\"\xff\"}", false, "explanation");
	memset(text, 'w', 20000);
	text[20000] = '\0';
	json = lc_asprintf("{\"explanation\":\"%s\"}", text);
	accepted("question", json, false);
	free(json);
	text[20000] = 'w';
	text[20001] = '\0';
	json = lc_asprintf("{\"explanation\":\"%s\"}", text);
	refused("question", json, false, "at most 20000 characters");
	free(json);
	free(text);
}

/*
 * A lesson's body (issue 15; ux review 2026-11-29: bodies were capped at 20,000
 * characters): up to lecternd's SRV_ITEM_BODY_MAX, 256 Ki characters, is queued; one more
 * is refused before queueing, saying how long the body is and what the limit is.
 */
static void
test_check_item_body_long_tutorial_up_to_256k(void **state)
{
	size_t max = 256 * 1024;
	char *text = lc_malloc(max + 2), *json;

	(void)state;
	memset(text, 'w', max);
	text[max] = '\0';
	json = lc_asprintf("{\"body\":\"%s\"}", text);
	accepted("item", json, false);
	free(json);
	memset(text, 'w', 200000);
	text[200000] = '\0';
	json = lc_asprintf("{\"title\":\"Long\",\"kind\":\"page\",\"body\":\"%s\"}", text);
	accepted("item", json, true);
	free(json);
	memset(text, 'w', max + 1);
	text[max + 1] = '\0';
	json = lc_asprintf("{\"body\":\"%s\"}", text);
	refused("item", json, false, "body is too long, 262145 characters: at most 262144");
	free(json);
	free(text);
}

/* ---- Staff ------------------------------------------------------------------------------ */

static void
test_staff_is_owner_admin_or_department_admin(void **state)
{
	struct fixture *f = *state;

	assert_true(tui_is_staff(&f->w, MINE)); /* owner */
	assert_false(tui_is_staff(&f->w, THEIRS));
	set_me(f, "instructor", "[{\"department_id\":\"" DEPT "\",\"roles\":[\"instructor\"]}]");
	assert_false(tui_is_staff(&f->w, THEIRS)); /* a department instructor is not staff */
	set_me(f, "instructor",
	       "[{\"department_id\":\"" DEPT2 "\",\"roles\":[\"content-admin\"]}]");
	assert_false(tui_is_staff(&f->w, THEIRS)); /* another department */
	set_me(f, "instructor", "[{\"department_id\":\"" DEPT "\",\"roles\":[\"content-admin\"]}]");
	assert_true(tui_is_staff(&f->w, THEIRS));
	set_me(f, "learner", "[{\"department_id\":\"" DEPT "\",\"roles\":[\"department-admin\"]}]");
	assert_true(tui_is_staff(&f->w, THEIRS));
	assert_false(tui_is_staff(&f->w, "c0000000-0000-4000-8000-0000000000ff")); /* unknown */
	set_me(f, "admin", "[]");
	assert_true(tui_is_staff(&f->w, THEIRS));
}

static void
test_enroll_refuses_staff_and_the_enrolled(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	char *cause = NULL;
	tui_new_id id;

	assert_int_equal(tui_queue_enroll(&f->w, MINE, id, &cause), -LC_EINVAL);
	assert_string_equal(cause, "you teach this course: staff cannot enroll");
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_enroll(&f->w, THEIRS, id, &cause), 0);
	assert_true(lc_uuid_valid(id));
	assert_int_equal(tui_queue_enroll(&f->w, THEIRS, NULL, &cause), -LC_EINVAL);
	assert_non_null(strstr(cause, "already enrolled"));
	free(cause);
	cause = NULL;
	/* A draft takes no enrollments (the server says so too): refused before queueing. */
	set_me(f, "learner", "[]");
	tui_test_apply(&f->t, "course:" MINE, "course", MINE, 4,
	               "{\"id\":\"" MINE "\",\"rev\":4,\"title\":\"Mine\",\"status\":\"draft\","
	               "\"owner_id\":\"" OTHER "\"}");
	assert_int_equal(tui_queue_enroll(&f->w, MINE, NULL, &cause), -LC_EINVAL);
	assert_string_equal(cause,
	                    "this course is draft: only a published course takes enrollments");
	free(cause);
	e = tui_test_outbox(&f->t, 1);
	assert_string_equal(e[0].path, "/api/v1/enrollments");
	assert_string_equal(e[0].scope, "user");
	store_outbox_free(e, 1);
}

/* ---- Creates ------------------------------------------------------------------------------ */

static void
test_create_course_lives_in_its_own_scope(void **state)
{
	struct fixture *f = *state;
	cJSON *fields = cJSON_Parse("{\"title\":\"New\",\"code\":\"N1\",\"pass_score\":0.8}");
	struct store_outbox_entry *e;
	struct store_resource res = {0};
	char *cause = NULL, *scope;
	tui_new_id id;
	cJSON *doc, *body;

	assert_int_equal(tui_queue_create(&f->w, "course", NULL, fields, id, &cause), 0);
	e = tui_test_outbox(&f->t, 1);
	assert_string_equal(e[0].method, "POST");
	assert_string_equal(e[0].path, "/api/v1/courses");
	scope = lc_asprintf("course:%s", id);
	assert_string_equal(e[0].scope, scope);
	body = cJSON_Parse(e[0].body);
	assert_string_equal(tui_json_str(body, "id"), id);
	assert_string_equal(tui_json_str(body, "title"), "New");
	assert_int_equal(store_resource_get(f->t.app.db, "course", id, &res), 0);
	doc = cJSON_Parse(res.doc);
	assert_string_equal(tui_json_str(doc, "status"), "draft");
	assert_string_equal(tui_json_str(doc, "owner_id"), ME);
	assert_true(tui_json_num(doc, "pass_score", 0) == 0.8);
	assert_true(tui_is_staff(&f->w, id));
	cJSON_Delete(doc);
	cJSON_Delete(body);
	store_resource_finish(&res);
	free(scope);
	store_outbox_free(e, 1);
	cJSON_Delete(fields);
}

static void
test_create_module_item_question_under_their_course(void **state)
{
	struct fixture *f = *state;
	cJSON *mod = cJSON_Parse("{\"title\":\"Three\"}");
	cJSON *it = cJSON_Parse("{\"title\":\"Read\",\"kind\":\"page\",\"body\":\"# B\"}");
	cJSON *q = cJSON_Parse("{\"prompt\":\"2+2\",\"kind\":\"numeric\",\"answer\":4}");
	struct store_resource_list list = {0};
	struct store_outbox_entry *e;
	char *cause = NULL;
	tui_new_id mid, iid, qid;

	assert_int_equal(tui_queue_create(&f->w, "module", MINE, mod, mid, &cause), 0);
	/* The new module's item knows its course through the module's local doc. */
	assert_int_equal(tui_queue_create(&f->w, "item", mid, it, iid, &cause), 0);
	assert_int_equal(tui_queue_create(&f->w, "question", QUIZ, q, qid, &cause), 0);
	/* Questions belong to quiz items. */
	assert_int_equal(tui_queue_create(&f->w, "question", PAGE1, q, NULL, &cause), -LC_EINVAL);
	assert_non_null(strstr(cause, "quiz"));
	free(cause);
	cause = NULL;
	/* An unknown parent is refused, nothing queued. */
	assert_int_equal(tui_queue_create(&f->w, "item", "d0000000-0000-4000-8000-0000000000ff", it,
	                                  NULL, &cause),
	                 -LC_ENOTFOUND);
	free(cause);
	e = tui_test_outbox(&f->t, 3);
	assert_string_equal(e[0].path, "/api/v1/courses/" MINE "/modules");
	assert_string_equal(e[0].scope, "course:" MINE);
	assert_non_null(strstr(e[1].path, "/api/v1/modules/"));
	assert_string_equal(e[1].scope, "course:" MINE);
	assert_string_equal(e[2].path, "/api/v1/items/" QUIZ "/questions");
	assert_string_equal(e[2].scope, "course:" MINE);
	store_outbox_free(e, 3);
	/* Placed last among its siblings. */
	assert_int_equal(
	    store_resource_list(f->t.app.db, "module", MINE, NULL, STORE_ORDER_POSITION, &list), 0);
	assert_int_equal(list.n, 3);
	assert_string_equal(list.items[2].id, mid);
	store_resource_list_free(&list);
	assert_int_equal(
	    store_resource_list(f->t.app.db, "question", QUIZ, NULL, STORE_ORDER_POSITION, &list),
	    0);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.items[1].id, qid);
	store_resource_list_free(&list);
	cJSON_Delete(mod);
	cJSON_Delete(it);
	cJSON_Delete(q);
}

static void
test_create_refuses_what_the_server_would(void **state)
{
	struct fixture *f = *state;
	cJSON *q = cJSON_Parse(
	    "{\"prompt\":\"p\",\"kind\":\"single\",\"choices\":[\"a\",\"b\"],\"answer\":[0,1]}");
	struct store_outbox_entry *e;
	char *cause = NULL;

	assert_int_equal(tui_queue_create(&f->w, "question", QUIZ, q, NULL, &cause), -LC_EINVAL);
	assert_non_null(strstr(cause, "exactly one answer"));
	free(cause);
	e = tui_test_outbox(&f->t, 0);
	store_outbox_free(e, 0);
	cJSON_Delete(q);
}

/* ---- Patches -------------------------------------------------------------------------------- */

static void
test_patch_sends_only_what_differs_with_the_rev_it_read(void **state)
{
	struct fixture *f = *state;
	cJSON *same = cJSON_Parse("{\"title\":\"Mine\",\"code\":\"M1\"}");
	cJSON *some = cJSON_Parse("{\"title\":\"Mine\",\"code\":\"M2\"}");
	struct store_outbox_entry *e;
	struct store_resource res = {0};
	char *cause = NULL;
	cJSON *body;

	assert_int_equal(tui_queue_patch(&f->w, "course", MINE, same, &cause), 0);
	e = tui_test_outbox(&f->t, 0);
	store_outbox_free(e, 0);
	assert_int_equal(tui_queue_patch(&f->w, "course", MINE, some, &cause), 0);
	e = tui_test_outbox(&f->t, 1);
	assert_string_equal(e[0].method, "PATCH");
	assert_string_equal(e[0].path, "/api/v1/courses/" MINE);
	assert_string_equal(e[0].scope, "course:" MINE);
	assert_int_equal(e[0].if_match, 3);
	body = cJSON_Parse(e[0].body);
	assert_int_equal(cJSON_GetArraySize(body), 1);
	assert_string_equal(tui_json_str(body, "code"), "M2");
	assert_int_equal(store_resource_get(f->t.app.db, "course", MINE, &res), 0);
	assert_true(res.pending);
	assert_non_null(strstr(res.doc, "\"M2\""));
	store_resource_finish(&res);
	cJSON_Delete(body);
	store_outbox_free(e, 1);
	cJSON_Delete(same);
	cJSON_Delete(some);
}

static void
test_patch_of_an_unsent_create_has_no_if_match(void **state)
{
	struct fixture *f = *state;
	cJSON *mod = cJSON_Parse("{\"title\":\"Draft\"}");
	cJSON *ren = cJSON_Parse("{\"title\":\"Renamed\"}");
	struct store_outbox_entry *e;
	char *cause = NULL;
	tui_new_id mid;

	assert_int_equal(tui_queue_create(&f->w, "module", MINE, mod, mid, &cause), 0);
	assert_int_equal(tui_queue_patch(&f->w, "module", mid, ren, &cause), 0);
	e = tui_test_outbox(&f->t, 2);
	assert_int_equal(e[1].if_match, 0);
	assert_string_equal(e[1].scope, "course:" MINE);
	store_outbox_free(e, 2);
	cJSON_Delete(mod);
	cJSON_Delete(ren);
}

static void
test_patch_of_a_question_checks_the_answer_against_its_kind(void **state)
{
	struct fixture *f = *state;
	cJSON *bad = cJSON_Parse("{\"answer\":5}");
	cJSON *fewer = cJSON_Parse("{\"choices\":[\"a\"]}");
	cJSON *good = cJSON_Parse("{\"answer\":2}");
	char *cause = NULL;

	assert_int_equal(tui_queue_patch(&f->w, "question", QUESTION, bad, &cause), -LC_EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_patch(&f->w, "question", QUESTION, fewer, &cause), -LC_EINVAL);
	free(cause);
	assert_int_equal(tui_queue_patch(&f->w, "question", QUESTION, good, NULL), 0);
	store_outbox_free(tui_test_outbox(&f->t, 1), 1);
	cJSON_Delete(bad);
	cJSON_Delete(fewer);
	cJSON_Delete(good);
}

/* An explanation goes out in the PATCH and shows on the replica at once. */
static void
test_patch_of_a_question_explanation_is_queued_and_shown(void **state)
{
	struct fixture *f = *state;
	cJSON *why = cJSON_Parse("{\"explanation\":\"b is the second letter\"}");
	struct store_outbox_entry *e;
	struct store_resource res = {0};
	char *cause = NULL;
	cJSON *body, *doc;

	assert_int_equal(tui_queue_patch(&f->w, "question", QUESTION, why, &cause), 0);
	e = tui_test_outbox(&f->t, 1);
	assert_string_equal(e[0].path, "/api/v1/questions/" QUESTION);
	body = cJSON_Parse(e[0].body);
	assert_int_equal(cJSON_GetArraySize(body), 1);
	assert_string_equal(tui_json_str(body, "explanation"), "b is the second letter");
	assert_int_equal(store_resource_get(f->t.app.db, "question", QUESTION, &res), 0);
	doc = cJSON_Parse(res.doc);
	assert_string_equal(tui_json_str(doc, "explanation"), "b is the second letter");
	store_resource_finish(&res);
	cJSON_Delete(doc);
	cJSON_Delete(body);
	store_outbox_free(e, 1);
	cJSON_Delete(why);
}

/* ---- Moves ---------------------------------------------------------------------------------- */

/* The ids of MODULE's items in the replica's order, joined by spaces. */
static char *
order(struct fixture *f, const char *module)
{
	struct store_resource_list list = {0};
	struct lc_buf buf = {0};

	assert_int_equal(
	    store_resource_list(f->t.app.db, "item", module, NULL, STORE_ORDER_POSITION, &list), 0);
	for (size_t i = 0; i < list.n; i++)
		lc_buf_printf(&buf, "%s%c", list.items[i].id, i + 1 < list.n ? ' ' : '\0');
	store_resource_list_free(&list);
	return lc_buf_steal(&buf);
}

static void
test_move_shows_the_order_at_once_and_sends_the_index(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	char *cause = NULL, *o;
	cJSON *b0, *b1, *b2;

	/* 1 2 3 -> 3 1 2 (first) -> 3 2 1 (between) -> 2 1 3 (last), siblings untouched. */
	assert_int_equal(tui_queue_move(&f->w, "item", PAGE3, PAGE1, NULL, &cause), 0);
	o = order(f, MODULE);
	assert_string_equal(o, PAGE3 " " PAGE1 " " PAGE2);
	free(o);
	assert_int_equal(tui_queue_move(&f->w, "item", PAGE2, PAGE1, NULL, &cause), 0);
	o = order(f, MODULE);
	assert_string_equal(o, PAGE3 " " PAGE2 " " PAGE1);
	free(o);
	assert_int_equal(tui_queue_move(&f->w, "item", PAGE3, NULL, PAGE1, &cause), 0);
	o = order(f, MODULE);
	assert_string_equal(o, PAGE2 " " PAGE1 " " PAGE3);
	free(o);
	e = tui_test_outbox(&f->t, 3);
	b0 = cJSON_Parse(e[0].body);
	b1 = cJSON_Parse(e[1].body);
	b2 = cJSON_Parse(e[2].body);
	assert_string_equal(e[0].method, "PATCH");
	assert_string_equal(e[0].path, "/api/v1/items/" PAGE3);
	assert_int_equal((int)tui_json_num(b0, "position", 0), 1);
	assert_int_equal((int)tui_json_num(b1, "position", 0), 2);
	assert_int_equal((int)tui_json_num(b2, "position", 0), 3);
	assert_int_equal(cJSON_GetArraySize(b0), 1);
	/* No If-Match: each move renumbers the siblings on the server (their revs go up), and
	 * the next move of one of them must not come back as a conflict over "position". */
	assert_int_equal(e[0].if_match, 0);
	assert_int_equal(e[1].if_match, 0);
	cJSON_Delete(b0);
	cJSON_Delete(b1);
	cJSON_Delete(b2);
	store_outbox_free(e, 3);
}

static void
test_move_refuses_a_stranger_or_both_sides(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;

	/* A question stays in its quiz; an unknown item is nobody's neighbour. */
	assert_int_equal(tui_queue_move(&f->w, "question", QUESTION, PAGE1, NULL, &cause),
	                 -LC_EINVAL);
	assert_non_null(strstr(cause, "same item"));
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_move(&f->w, "item", PAGE1, QUESTION, NULL, &cause), -LC_EINVAL);
	assert_non_null(strstr(cause, "not an item of this course"));
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_move(&f->w, "item", PAGE1, PAGE2, PAGE3, &cause), -LC_EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_move(&f->w, "item", PAGE1, PAGE1, NULL, &cause), -LC_EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_move(&f->w, "course", MINE, MINE, NULL, &cause), -LC_EINVAL);
	free(cause);
	store_outbox_free(tui_test_outbox(&f->t, 0), 0);
}

/* The body of outbox entry e as JSON (caller frees), asserting it is a PATCH of item id. */
static cJSON *
move_body(const struct store_outbox_entry *e, const char *id)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/items/%s", id);
	assert_string_equal(e->method, "PATCH");
	assert_string_equal(e->path, path);
	assert_string_equal(e->scope, "course:" MINE);
	assert_int_equal(e->if_match, 0);
	return cJSON_Parse(e->body);
}

/* The ids of every item of MINE in outline order (tui_course_items: what the outline reads). */
static char *
outline(struct fixture *f)
{
	struct store_resource_list list = {0};
	struct lc_buf buf = {0};

	assert_int_equal(tui_course_items(&f->t.app, MINE, &list), 0);
	for (size_t i = 0; i < list.n; i++)
		lc_buf_printf(&buf, "%s%c", list.items[i].id, i + 1 < list.n ? ' ' : '\0');
	store_resource_list_free(&list);
	return lc_buf_steal(&buf);
}

#define EXPECT_STR(expr, want)                                                                     \
	do {                                                                                       \
		char *got_ = (expr);                                                               \
		assert_string_equal(got_, (want));                                                 \
		free(got_);                                                                        \
	} while (0)

/*
 * Issue 11, item 2 (move items of every kind): an item goes next to an item of another
 * module of its course; the overlay's module_id puts it in its new module at once (the
 * replica lists children by the doc's parent column), in the course editor's per-module
 * lists and in the course outline alike, and the PATCH names the new module.
 */
static void
test_move_across_modules_shows_the_new_place_at_once(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	struct store_resource res = {0};
	char *cause = NULL;
	cJSON *b0, *b1, *b2, *doc;

	/* PAGE2 before QUIZ: the first item of MODULE2. */
	assert_int_equal(tui_queue_move(&f->w, "item", PAGE2, QUIZ, NULL, &cause), 0);
	EXPECT_STR(order(f, MODULE), PAGE1 " " PAGE3);
	EXPECT_STR(order(f, MODULE2), PAGE2 " " QUIZ);
	EXPECT_STR(outline(f), PAGE1 " " PAGE3 " " PAGE2 " " QUIZ);
	assert_int_equal(store_resource_get(f->t.app.db, "item", PAGE2, &res), 0);
	assert_true(res.pending);
	assert_string_equal(res.parent_id, MODULE2);
	doc = cJSON_Parse(res.doc);
	assert_string_equal(tui_json_str(doc, "module_id"), MODULE2);
	assert_string_equal(tui_json_str(doc, "course_id"), MINE);
	cJSON_Delete(doc);
	store_resource_finish(&res);
	/* PAGE1 after QUIZ: the last of MODULE2; MODULE keeps PAGE3 alone. */
	assert_int_equal(tui_queue_move(&f->w, "item", PAGE1, NULL, QUIZ, &cause), 0);
	EXPECT_STR(order(f, MODULE), PAGE3);
	EXPECT_STR(order(f, MODULE2), PAGE2 " " QUIZ " " PAGE1);
	/* Within its new module: a plain reorder, no module_id. */
	assert_int_equal(tui_queue_move(&f->w, "item", PAGE1, PAGE2, NULL, &cause), 0);
	EXPECT_STR(order(f, MODULE2), PAGE1 " " PAGE2 " " QUIZ);
	EXPECT_STR(outline(f), PAGE3 " " PAGE1 " " PAGE2 " " QUIZ);
	e = tui_test_outbox(&f->t, 3);
	b0 = move_body(&e[0], PAGE2);
	b1 = move_body(&e[1], PAGE1);
	b2 = move_body(&e[2], PAGE1);
	assert_string_equal(tui_json_str(b0, "module_id"), MODULE2);
	assert_int_equal((int)tui_json_num(b0, "position", 0), 1);
	assert_int_equal(cJSON_GetArraySize(b0), 2);
	assert_string_equal(tui_json_str(b1, "module_id"), MODULE2);
	assert_int_equal((int)tui_json_num(b1, "position", 0), 3);
	assert_null(cJSON_GetObjectItem(b2, "module_id"));
	assert_int_equal((int)tui_json_num(b2, "position", 0), 1);
	cJSON_Delete(b0);
	cJSON_Delete(b1);
	cJSON_Delete(b2);
	store_outbox_free(e, 3);
}

#define MODULE3 "d0000000-0000-4000-8000-000000000003"

static void
test_move_to_module_goes_last_and_shows_at_once(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	char *cause = NULL;
	cJSON *b[3];

	tui_test_apply(&f->t, "course:" MINE, "module", MODULE3, 1,
	               "{\"id\":\"" MODULE3 "\",\"rev\":1,\"course_id\":\"" MINE
	               "\",\"title\":\"Empty\",\"position\":3}");
	/* The end of a module with items, then an empty one. */
	assert_int_equal(tui_queue_move_to_module(&f->w, PAGE1, MODULE2, &cause), 0);
	EXPECT_STR(order(f, MODULE), PAGE2 " " PAGE3);
	EXPECT_STR(order(f, MODULE2), QUIZ " " PAGE1);
	assert_int_equal(tui_queue_move_to_module(&f->w, PAGE2, MODULE3, &cause), 0);
	EXPECT_STR(order(f, MODULE3), PAGE2);
	EXPECT_STR(outline(f), PAGE3 " " QUIZ " " PAGE1 " " PAGE2);
	/* Already last of its own module: nothing to queue. */
	assert_int_equal(tui_queue_move_to_module(&f->w, PAGE3, MODULE, &cause), 0);
	/* Not last of its own module: to its end, without module_id. */
	assert_int_equal(tui_queue_move_to_module(&f->w, QUIZ, MODULE2, &cause), 0);
	EXPECT_STR(order(f, MODULE2), PAGE1 " " QUIZ);
	e = tui_test_outbox(&f->t, 3);
	for (int i = 0; i < 3; i++)
		b[i] = move_body(&e[i], i == 0 ? PAGE1 : i == 1 ? PAGE2 : QUIZ);
	assert_string_equal(tui_json_str(b[0], "module_id"), MODULE2);
	assert_int_equal((int)tui_json_num(b[0], "position", 0), 2);
	assert_string_equal(tui_json_str(b[1], "module_id"), MODULE3);
	assert_int_equal((int)tui_json_num(b[1], "position", 0), 1);
	assert_null(cJSON_GetObjectItem(b[2], "module_id"));
	assert_int_equal((int)tui_json_num(b[2], "position", 0), 2);
	for (int i = 0; i < 3; i++)
		cJSON_Delete(b[i]);
	store_outbox_free(e, 3);
}

#define TMOD "d0000000-0000-4000-8000-0000000000f1"
#define TITEM "10000000-0000-4000-8000-0000000000f1"

/* Fails unless a move returned want with a cause holding needle; frees the cause. */
#define moved_refused(call, cause, want, needle)                                                   \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
                                                                                                   \
		assert_int_equal(rc_, (want));                                                     \
		if ((cause) == NULL || strstr((cause), (needle)) == NULL)                          \
			fail_msg("cause \"%s\" lacks \"%s\"", (cause) ? (cause) : "(none)",        \
			         (needle));                                                        \
		free(cause);                                                                       \
		(cause) = NULL;                                                                    \
	} while (0)

/* What the server refuses with 400 (another course's module) is refused before queueing. */
static void
test_move_refuses_another_course_or_an_unknown_module(void **state)
{
	struct fixture *f = *state;
	char *cause = NULL;

	tui_test_apply(&f->t, "course:" THEIRS, "module", TMOD, 1,
	               "{\"id\":\"" TMOD "\",\"rev\":1,\"course_id\":\"" THEIRS
	               "\",\"title\":\"Theirs\",\"position\":1}");
	tui_test_apply(&f->t, "course:" THEIRS, "item", TITEM, 1,
	               "{\"id\":\"" TITEM "\",\"rev\":1,\"course_id\":\"" THEIRS
	               "\",\"module_id\":\"" TMOD "\",\"title\":\"T\",\"kind\":\"page\","
	               "\"position\":1}");
	moved_refused(tui_queue_move(&f->w, "item", PAGE1, TITEM, NULL, &cause), cause, -LC_EINVAL,
	              "another course");
	moved_refused(tui_queue_move_to_module(&f->w, PAGE1, TMOD, &cause), cause, -LC_EINVAL,
	              "another course");
	/* A module stays in its course. */
	moved_refused(tui_queue_move(&f->w, "module", MODULE, TMOD, NULL, &cause), cause,
	              -LC_EINVAL, "same course");
	/* An item id is no module; nor is an id the replica does not hold; nor a question. */
	moved_refused(tui_queue_move_to_module(&f->w, PAGE1, PAGE2, &cause), cause, -LC_ENOTFOUND,
	              "no module");
	moved_refused(tui_queue_move_to_module(&f->w, PAGE1, MODULE "x", &cause), cause,
	              -LC_ENOTFOUND, "no module");
	moved_refused(tui_queue_move_to_module(&f->w, QUESTION, MODULE2, &cause), cause,
	              -LC_ENOTFOUND, "no item");
	store_outbox_free(tui_test_outbox(&f->t, 0), 0);
	EXPECT_STR(order(f, MODULE), PAGE1 " " PAGE2 " " PAGE3);
}

/* ---- Deletes and status ---------------------------------------------------------------------- */

static void
test_delete_of_a_module_hides_its_items_in_every_read(void **state)
{
	struct fixture *f = *state;
	struct store_resource_list items = {0};
	struct tui_due *due = NULL;
	char *courses[] = {MINE};
	struct store_outbox_entry *e;
	char *cause = NULL, *soon, lc[LC_RFC3339_LEN + 1];
	size_t n = 0;

	/* A page of MODULE due tomorrow shows in "due soon" until its module is deleted. */
	lc_rfc3339(lc_now() + 86400, lc);
	soon = lc_asprintf(",\"due_at\":\"%s\"", lc);
	item(f, PAGE1, MODULE, "page", 1, soon);
	free(soon);
	assert_int_equal(tui_due_soon(&f->t.app, courses, 1, lc_now(), 7 * 86400, 10, &due, &n), 0);
	assert_int_equal(n, 1);
	tui_due_free(due, n);
	assert_int_equal(tui_queue_delete(&f->w, "module", MODULE, &cause), 0);
	assert_int_equal(tui_due_soon(&f->t.app, courses, 1, lc_now(), 7 * 86400, 10, &due, &n), 0);
	assert_int_equal(n, 0);
	tui_due_free(due, n);
	assert_int_equal(tui_course_items(&f->t.app, MINE, &items), 0);
	assert_int_equal(items.n, 1); /* the quiz of MODULE2 */
	assert_string_equal(items.items[0].id, QUIZ);
	store_resource_list_free(&items);
	e = tui_test_outbox(&f->t, 1);
	assert_string_equal(e[0].method, "DELETE");
	assert_string_equal(e[0].path, "/api/v1/modules/" MODULE);
	assert_string_equal(e[0].scope, "course:" MINE);
	/* With If-Match, so a colleague's change is never deleted unseen; a 409 that only
	 * renumbered it is sent again by the engine (test-instructor-cli.c). */
	assert_int_equal(e[0].if_match, 1);
	store_outbox_free(e, 1);
}

static void
test_course_status_moves_as_the_server_allows(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	struct store_resource res = {0};
	char *cause = NULL;

	/* MINE is a draft: it cannot be unpublished or unarchived. */
	assert_int_equal(tui_queue_course_status(&f->w, MINE, "unpublish", &cause), -LC_EINVAL);
	assert_non_null(strstr(cause, "the course is draft"));
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_course_status(&f->w, MINE, "unarchive", &cause), -LC_EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_course_status(&f->w, MINE, "delete", &cause), -LC_EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_course_status(&f->w, MINE, "publish", &cause), 0);
	assert_int_equal(tui_queue_course_status(&f->w, MINE, "publish", &cause), -LC_EINVAL);
	free(cause);
	cause = NULL;
	assert_int_equal(tui_queue_course_status(&f->w, MINE, "archive", &cause), 0);
	assert_int_equal(tui_queue_course_status(&f->w, MINE, "unarchive", &cause), 0);
	assert_int_equal(store_resource_get(f->t.app.db, "course", MINE, &res), 0);
	assert_non_null(strstr(res.doc, "\"status\":\"published\""));
	store_resource_finish(&res);
	e = tui_test_outbox(&f->t, 3);
	assert_string_equal(e[0].method, "POST");
	assert_string_equal(e[0].path, "/api/v1/courses/" MINE "/publish");
	assert_string_equal(e[1].path, "/api/v1/courses/" MINE "/archive");
	assert_string_equal(e[2].path, "/api/v1/courses/" MINE "/unarchive");
	store_outbox_free(e, 3);
}

/* ---- A learner's writes through the module ----------------------------------------------------
 */

static void
test_progress_and_reply_find_their_course(void **state)
{
	struct fixture *f = *state;
	struct store_resource res = {0};
	struct store_outbox_entry *e;
	char *cause = NULL;

	tui_test_apply(
	    &f->t, "course:" MINE, "topic", "70000000-0000-4000-8000-000000000001", 1,
	    "{\"id\":\"70000000-0000-4000-8000-000000000001\",\"rev\":1,\"course_id\":\"" MINE
	    "\",\"title\":\"T\",\"body\":\"b\"}");
	assert_int_equal(tui_queue_progress(&f->w, PAGE1, "started", &cause), 0);
	assert_int_equal(tui_progress_status(&f->w, PAGE1), 1);
	assert_int_equal(tui_queue_progress(&f->w, QUIZ, "completed", &cause), -LC_EINVAL);
	assert_string_equal(cause, TUI_QUIZ_COMPLETE_MSG);
	free(cause);
	cause = NULL;
	assert_int_equal(
	    tui_queue_reply(&f->w, "70000000-0000-4000-8000-000000000001", "", NULL, &cause),
	    -LC_EINVAL);
	free(cause);
	assert_int_equal(
	    tui_queue_reply(&f->w, "70000000-0000-4000-8000-000000000001", "ok", NULL, NULL), 0);
	e = tui_test_outbox(&f->t, 2);
	assert_string_equal(e[0].scope, "user");
	assert_int_equal(store_resource_get(f->t.app.db, "progress", e[0].res_id, &res), 0);
	assert_non_null(strstr(res.doc, "\"course_id\":\"" MINE "\""));
	store_resource_finish(&res);
	assert_string_equal(e[1].scope, "course:" MINE);
	store_outbox_free(e, 2);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tui_test_app_teardown)
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_refuses_unknown_fields_and_types),
	    cmocka_unit_test(test_check_requires_the_create_fields),
	    cmocka_unit_test(test_check_title_lengths),
	    cmocka_unit_test(test_check_course_fields),
	    cmocka_unit_test(test_check_item_fields),
	    cmocka_unit_test(test_check_question_single_needs_choices_and_one_valid_index),
	    cmocka_unit_test(test_check_question_multiple_needs_distinct_valid_indexes),
	    cmocka_unit_test(test_check_question_boolean_short_numeric),
	    cmocka_unit_test(test_check_question_explanation_as_the_server_takes_it),
	    cmocka_unit_test(test_check_item_body_long_tutorial_up_to_256k),
	    T(test_staff_is_owner_admin_or_department_admin),
	    T(test_enroll_refuses_staff_and_the_enrolled),
	    T(test_create_course_lives_in_its_own_scope),
	    T(test_create_module_item_question_under_their_course),
	    T(test_create_refuses_what_the_server_would),
	    T(test_patch_sends_only_what_differs_with_the_rev_it_read),
	    T(test_patch_of_an_unsent_create_has_no_if_match),
	    T(test_patch_of_a_question_checks_the_answer_against_its_kind),
	    T(test_patch_of_a_question_explanation_is_queued_and_shown),
	    T(test_move_shows_the_order_at_once_and_sends_the_index),
	    T(test_move_refuses_a_stranger_or_both_sides),
	    T(test_move_across_modules_shows_the_new_place_at_once),
	    T(test_move_to_module_goes_last_and_shows_at_once),
	    T(test_move_refuses_another_course_or_an_unknown_module),
	    T(test_delete_of_a_module_hides_its_items_in_every_read),
	    T(test_course_status_moves_as_the_server_allows),
	    T(test_progress_and_reply_find_their_course),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
