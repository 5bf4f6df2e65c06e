/* SPDX-License-Identifier: MIT */
/*
 * The writes the TUI makes: each is the REST request of the wire contract with a client-made
 * UUID in its body, queued in the outbox together with its optimistic doc, which the screens
 * show at once as pending. Runs on a real replica, without a terminal or a server.
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
#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica.h"
#include "tui/tui-int.h"
#include "tui-test-app.h"

#define COURSE "c0000000-0000-4000-8000-000000000001"
#define MODULE "d0000000-0000-4000-8000-000000000001"
#define ITEM "10000000-0000-4000-8000-000000000001" /* a quiz */
#define PAGE "10000000-0000-4000-8000-000000000002"
#define TOPIC "70000000-0000-4000-8000-000000000001"
#define REPLY "80000000-0000-4000-8000-000000000001"
#define ME "a0000000-0000-4000-8000-000000000001"

struct fixture {
	struct tui_test_app t; /* first: tui_test_app_teardown() frees the fixture */
};

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));

	tui_test_app_open(&f->t, "tui-writes", ME);
	tui_test_apply(&f->t, "course:" COURSE, "item", ITEM, 1,
	               "{\"id\":\"" ITEM "\",\"rev\":1,\"module_id\":\"" MODULE
	               "\",\"course_id\":\"" COURSE
	               "\",\"title\":\"Quiz\",\"kind\":\"quiz\",\"position\":1}");
	tui_test_apply(&f->t, "course:" COURSE, "item", PAGE, 1,
	               "{\"id\":\"" PAGE "\",\"rev\":1,\"module_id\":\"" MODULE
	               "\",\"course_id\":\"" COURSE
	               "\",\"title\":\"Page\",\"kind\":\"page\",\"position\":2}");
	tui_test_apply(&f->t, "course:" COURSE, "topic", TOPIC, 1,
	               "{\"id\":\"" TOPIC "\",\"rev\":1,\"course_id\":\"" COURSE
	               "\",\"title\":\"T\",\"body\":\"b\",\"author_id\":\"someone\"}");
	tui_test_apply(&f->t, "course:" COURSE, "reply", REPLY, 3,
	               "{\"id\":\"" REPLY "\",\"rev\":3,\"topic_id\":\"" TOPIC
	               "\",\"course_id\":\"" COURSE "\",\"body\":\"old\",\"author_id\":\"" ME
	               "\",\"author_name\":\"learner\"}");
	*state = f;
	return 0;
}

static void
test_reply_is_queued_with_a_client_id_and_shown_pending(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	struct store_resource_list list = {0};
	cJSON *body;
	bool found = false;

	assert_int_equal(tui_write_reply(&f->t.app, TOPIC, COURSE, "Thanks, *that* was it."), 0);
	e = tui_test_outbox(&f->t, 1);
	assert_string_equal(e[0].method, "POST");
	assert_string_equal(e[0].path, "/api/v1/topics/" TOPIC "/replies");
	body = cJSON_Parse(e[0].body);
	assert_true(lc_uuid_valid(tui_json_str(body, "id")));
	assert_string_equal(tui_json_str(body, "body"), "Thanks, *that* was it.");
	assert_string_equal(e[0].res_id, tui_json_str(body, "id"));
	assert_int_equal(
	    store_resource_list(f->t.app.db, "reply", TOPIC, NULL, STORE_ORDER_CREATED, &list), 0);
	for (size_t i = 0; i < list.n; i++)
		if (strcmp(list.items[i].id, tui_json_str(body, "id")) == 0) {
			cJSON *doc = cJSON_Parse(list.items[i].doc);

			assert_true(list.items[i].pending);
			assert_string_equal(tui_json_str(doc, "author_name"), "learner");
			assert_string_equal(tui_json_str(doc, "topic_id"), TOPIC);
			cJSON_Delete(doc);
			found = true;
		}
	assert_true(found);
	store_resource_list_free(&list);
	cJSON_Delete(body);
	store_outbox_free(e, 1);
}

static void
test_attempt_carries_answers_and_waits_for_grading(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	cJSON *answers = cJSON_CreateObject(), *body;
	struct store_resource res = {0};

	cJSON_AddNumberToObject(answers, "q1", 1);
	cJSON_AddStringToObject(answers, "q2", "free");
	assert_int_equal(tui_write_attempt(&f->t.app, ITEM, COURSE, answers), 0);
	e = tui_test_outbox(&f->t, 1);
	assert_string_equal(e[0].path, "/api/v1/items/" ITEM "/attempts");
	body = cJSON_Parse(e[0].body);
	assert_true(lc_uuid_valid(tui_json_str(body, "id")));
	assert_int_equal((int)tui_json_num(cJSON_GetObjectItem(body, "answers"), "q1", -1), 1);
	assert_string_equal(tui_json_str(cJSON_GetObjectItem(body, "answers"), "q2"), "free");
	assert_true(*tui_json_str(body, "submitted_at") != '\0');
	/* Until the server's graded attempt comes back, the score is unknown (null). */
	assert_int_equal(store_resource_get(f->t.app.db, "attempt", e[0].res_id, &res), 0);
	{
		cJSON *doc = cJSON_Parse(res.doc);

		assert_true(cJSON_IsNull(cJSON_GetObjectItem(doc, "score")));
		cJSON_Delete(doc);
	}
	assert_true(res.pending);
	store_resource_finish(&res);
	cJSON_Delete(body);
	store_outbox_free(e, 1);
}

static void
test_enroll_makes_the_course_mine_at_once(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	cJSON *body;

	assert_false(tui_is_enrolled(&f->t.app, COURSE));
	assert_int_equal(tui_write_enroll(&f->t.app, COURSE), 0);
	assert_true(tui_is_enrolled(&f->t.app, COURSE));
	e = tui_test_outbox(&f->t, 1);
	assert_string_equal(e[0].path, "/api/v1/enrollments");
	body = cJSON_Parse(e[0].body);
	assert_string_equal(tui_json_str(body, "course_id"), COURSE);
	assert_true(lc_uuid_valid(tui_json_str(body, "id")));
	cJSON_Delete(body);
	store_outbox_free(e, 1);
}

/*
 * Issue 9, section 4: only a passing attempt completes a quiz, and the server answers 409
 * to POST /progress {status: completed} on one. The TUI never queues that write: it is
 * refused with -LC_EINVAL, nothing is queued, and the quiz stays "started".
 */
static void
test_quiz_is_never_completed_by_progress(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	cJSON *b0;

	assert_true(tui_kind_completes_by_attempt("quiz"));
	assert_false(tui_kind_completes_by_attempt("page"));
	assert_false(tui_kind_completes_by_attempt(NULL));
	assert_int_equal(tui_write_progress(&f->t.app, ITEM, COURSE, "completed"), -LC_EINVAL);
	e = tui_test_outbox(&f->t, 0);
	store_outbox_free(e, 0);
	assert_int_equal(tui_item_progress(&f->t.app, ITEM), 0);
	/* Opening it is still recorded. */
	assert_int_equal(tui_write_progress(&f->t.app, ITEM, COURSE, "started"), 0);
	assert_int_equal(tui_write_progress(&f->t.app, ITEM, COURSE, "completed"), -LC_EINVAL);
	assert_int_equal(tui_item_progress(&f->t.app, ITEM), 1);
	e = tui_test_outbox(&f->t, 1);
	b0 = cJSON_Parse(e[0].body);
	assert_string_equal(tui_json_str(b0, "status"), "started");
	cJSON_Delete(b0);
	store_outbox_free(e, 1);
}

static void
test_progress_is_written_once_per_step_and_keeps_its_id(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	cJSON *b0, *b1;

	assert_int_equal(tui_item_progress(&f->t.app, PAGE), 0);
	assert_int_equal(tui_write_progress(&f->t.app, PAGE, COURSE, "started"), 0);
	assert_int_equal(tui_write_progress(&f->t.app, PAGE, COURSE, "started"), 0);
	assert_int_equal(tui_item_progress(&f->t.app, PAGE), 1);
	assert_int_equal(tui_write_progress(&f->t.app, PAGE, COURSE, "completed"), 0);
	/* Completed never goes back: asking for "started" again writes nothing. */
	assert_int_equal(tui_write_progress(&f->t.app, PAGE, COURSE, "started"), 0);
	assert_int_equal(tui_item_progress(&f->t.app, PAGE), 2);
	e = tui_test_outbox(&f->t, 2);
	b0 = cJSON_Parse(e[0].body);
	b1 = cJSON_Parse(e[1].body);
	assert_string_equal(tui_json_str(b0, "status"), "started");
	assert_string_equal(tui_json_str(b1, "status"), "completed");
	assert_string_equal(tui_json_str(b0, "item_id"), PAGE);
	assert_string_equal(tui_json_str(b0, "id"), tui_json_str(b1, "id"));
	cJSON_Delete(b0);
	cJSON_Delete(b1);
	store_outbox_free(e, 2);
}

static void
test_edit_and_delete_carry_the_rev_they_were_based_on(void **state)
{
	struct fixture *f = *state;
	struct store_outbox_entry *e;
	struct store_resource res = {0};
	cJSON *body;

	assert_int_equal(tui_write_edit(&f->t.app, "reply", REPLY, "new text"), 0);
	assert_int_equal(store_resource_get(f->t.app.db, "reply", REPLY, &res), 0);
	assert_non_null(strstr(res.doc, "new text"));
	assert_true(res.pending);
	store_resource_finish(&res);
	assert_int_equal(tui_write_delete(&f->t.app, "reply", REPLY), 0);
	assert_int_equal(store_resource_get(f->t.app.db, "reply", REPLY, &res), -LC_ENOTFOUND);
	e = tui_test_outbox(&f->t, 2);
	assert_string_equal(e[0].method, "PATCH");
	assert_string_equal(e[0].path, "/api/v1/replies/" REPLY);
	assert_int_equal(e[0].if_match, 3);
	body = cJSON_Parse(e[0].body);
	assert_string_equal(tui_json_str(body, "body"), "new text");
	assert_string_equal(e[1].method, "DELETE");
	assert_int_equal(e[1].if_match, 3);
	cJSON_Delete(body);
	store_outbox_free(e, 2);
}

static void
test_markdown_escape_keeps_titles_literal(void **state)
{
	struct lc_buf buf = {0};

	(void)state;
	tui_md_escape(&buf, "C*: [draft] #1");
	assert_string_equal(lc_buf_str(&buf), "C\\*: \\[draft\\] \\#1");
	lc_buf_finish(&buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reply_is_queued_with_a_client_id_and_shown_pending,
	                                    setup, tui_test_app_teardown),
	    cmocka_unit_test_setup_teardown(test_attempt_carries_answers_and_waits_for_grading,
	                                    setup, tui_test_app_teardown),
	    cmocka_unit_test_setup_teardown(test_enroll_makes_the_course_mine_at_once, setup,
	                                    tui_test_app_teardown),
	    cmocka_unit_test_setup_teardown(test_quiz_is_never_completed_by_progress, setup,
	                                    tui_test_app_teardown),
	    cmocka_unit_test_setup_teardown(test_progress_is_written_once_per_step_and_keeps_its_id,
	                                    setup, tui_test_app_teardown),
	    cmocka_unit_test_setup_teardown(test_edit_and_delete_carry_the_rev_they_were_based_on,
	                                    setup, tui_test_app_teardown),
	    cmocka_unit_test(test_markdown_escape_keeps_titles_literal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
