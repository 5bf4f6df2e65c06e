/* SPDX-License-Identifier: MIT */
/*
 * GET /courses/{id}/titles (lecternd's extension, docs/api.md "Course titles"; UX review
 * 2026-11-29, A12: the details of a course you have not joined hid its modules, so you
 * could not judge it before enrolling): the module and item titles of a course in outline
 * order, for exactly who may GET /courses/{id} (anyone for a published course, staff for
 * a draft), with nothing else in (no ids, bodies, questions, dates), while
 * GET /courses/{id}/outline stays for the enrolled and staff.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "harness.h"

static struct h_world world;

#define SRV (&world.srv)

/* Fails unless doc is {course_id, modules:[{title, items:[{title}]}]} and nothing more. */
static void
expect_titles_only(const cJSON *doc, const char *course_id, const char *body)
{
	const cJSON *modules = cJSON_GetObjectItemCaseSensitive(doc, "modules"), *m, *i;

	assert_int_equal(cJSON_GetArraySize(doc), 2);
	assert_string_equal(h_json_str(doc, "course_id"), course_id);
	assert_true(cJSON_IsArray(modules));
	assert_true(cJSON_GetArraySize(modules) > 0);
	cJSON_ArrayForEach(m, modules)
	{
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(m, "items");

		if (cJSON_GetArraySize(m) != 2 ||
		    !cJSON_IsString(cJSON_GetObjectItem(m, "title")) || !cJSON_IsArray(items))
			fail_msg("a module is more than its title and items: %.600s", body);
		cJSON_ArrayForEach(i, items)
		{
			if (cJSON_GetArraySize(i) != 1 ||
			    !cJSON_IsString(cJSON_GetObjectItem(i, "title")))
				fail_msg("an item is more than its title: %.600s", body);
		}
	}
}

/* The titles in outline order as one text: "Module: item, item, Module: ...". */
static char *
outline_text(const cJSON *doc)
{
	const cJSON *m, *i;
	char *out = lc_strdup(""), *next;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(doc, "modules"))
	{
		next = lc_asprintf("%s%s:", out, h_json_str(m, "title"));
		free(out);
		out = next;
		cJSON_ArrayForEach(i, cJSON_GetObjectItemCaseSensitive(m, "items"))
		{
			next = lc_asprintf("%s %s,", out, h_json_str(i, "title"));
			free(out);
			out = next;
		}
	}
	return out;
}

static void
test_titles_of_a_published_course_for_anyone(void **state)
{
	struct h_resp r, o;
	char *want, *got;

	(void)state;
	h_callf(SRV, "GET", h_token(&world, H_OWNER), NULL, &o, "/courses/%s/outline",
	        world.course.id);
	H_EXPECT(o, 200);
	want = outline_text(o.json);
	for (enum h_actor a = H_ANON; a < H_NACTORS; a++) {
		h_callf(SRV, "GET", h_token(&world, a), NULL, &r, "/courses/%s/titles",
		        world.course.id);
		if (r.status != 200)
			fail_msg("%s: want 200, got %ld: %.300s", h_actor_name(a), r.status,
			         r.body);
		expect_titles_only(r.json, world.course.id, r.body);
		got = outline_text(r.json);
		assert_string_equal(got, want);
		free(got);
		/* Nothing of the content: no id of a module or an item, no body, no question. */
		assert_null(strstr(r.body, world.course.module_id));
		assert_null(strstr(r.body, world.course.page_id));
		assert_null(strstr(r.body, "\"body\""));
		assert_null(strstr(r.body, "prompt"));
		h_resp_free(&r);
	}
	free(want);
	h_resp_free(&o);
	/* Positive control: the outline stays closed to a learner who has not enrolled. */
	h_callf(SRV, "GET", h_token(&world, H_LEARNER), NULL, &r, "/courses/%s/outline",
	        world.course.id);
	assert_true(r.status == 403 || r.status == 404);
	h_resp_free(&r);
}

static void
test_titles_of_a_draft_only_for_who_may_read_it(void **state)
{
	struct h_course draft;
	struct h_resp r;

	(void)state;
	assert_int_equal(h_make_course(SRV, h_token(&world, H_OWNER), world.dept_id, false, &draft),
	                 0);
	for (enum h_actor a = H_ANON; a < H_NACTORS; a++) {
		long want;

		h_callf(SRV, "GET", h_token(&world, a), NULL, &r, "/courses/%s", draft.id);
		want = r.status;
		h_resp_free(&r);
		h_callf(SRV, "GET", h_token(&world, a), NULL, &r, "/courses/%s/titles", draft.id);
		if (r.status != want)
			fail_msg("%s: GET /courses/{id} gave %ld, titles %ld: %.300s",
			         h_actor_name(a), want, r.status, r.body);
		if (want == 404)
			H_EXPECT_ERROR(r, 404, "resource_dne_error");
		h_resp_free(&r);
	}
	/* Learners and anonymous callers learn nothing of a draft. */
	h_callf(SRV, "GET", NULL, NULL, &r, "/courses/%s/titles", draft.id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_null(strstr(r.body, "Module"));
	h_resp_free(&r);
	h_callf(SRV, "GET", h_token(&world, H_LEARNER), NULL, &r,
	        "/courses/00000000-0000-4000-8000-00000000dead/titles");
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
}

static int
group_setup(void **state)
{
	(void)state;
	return h_world_up(&world);
}

static int
group_teardown(void **state)
{
	(void)state;
	return h_server_down(&world.srv) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_titles_of_a_published_course_for_anyone),
	    cmocka_unit_test(test_titles_of_a_draft_only_for_who_may_read_it),
	};
	return cmocka_run_group_tests_name("api-titles", tests, group_setup, group_teardown);
}
