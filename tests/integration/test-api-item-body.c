/* SPDX-License-Identifier: MIT */
/*
 * A lesson's body against a real lecternd (issue 15; ux review 2026-11-29: 9 of 45 real
 * Markdown documents were refused at 20,000 characters): POST and PATCH accept a body of
 * up to SRV_ITEM_BODY_MAX (256 Ki) characters, a 200,000-character tutorial among them,
 * and one character more gets API.md's 400 invalid_request_error naming "body", changing
 * nothing. Characters are code points: 256 Ki two-byte characters fit too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "harness.h"
#include "server-stub/srv.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)

/* {"body":"<n copies of ch>"} (ch one or two bytes of UTF-8). */
static char *
body_json(size_t n, const char *ch)
{
	struct lc_buf b;

	lc_buf_init(&b);
	lc_buf_puts(&b, "{\"body\":\"");
	for (size_t i = 0; i < n; i++)
		lc_buf_puts(&b, ch);
	lc_buf_puts(&b, "\"}");
	return lc_buf_steal(&b);
}

/* The body of item id as the server has it, its length in bytes. */
static size_t
body_len(const char *id)
{
	struct h_resp r;
	size_t n;

	h_callf(SRV, "GET", OWNER, NULL, &r, "/items/%s", id);
	H_EXPECT(r, 200);
	n = strlen(h_json_str(r.json, "body"));
	h_resp_free(&r);
	return n;
}

static void
test_item_body_200000_characters_accepted(void **state)
{
	struct h_resp r;
	char *json = body_json(200000, "x");
	char *create;

	(void)state;
	assert_true(SRV_ITEM_BODY_MAX >= 256 * 1024);
	h_callf(SRV, "PATCH", OWNER, json, &r, "/items/%s", world.course.page_id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	assert_int_equal((int)body_len(world.course.page_id), 200000);
	/* On create too. */
	create = lc_asprintf("{\"title\":\"Long\",\"kind\":\"page\",%s", json + 1);
	h_callf(SRV, "POST", OWNER, create, &r, "/modules/%s/items", world.course.module_id);
	H_EXPECT(r, 201);
	h_resp_free(&r);
	free(create);
	free(json);
	/* Exactly the cap, in two-byte characters (512 KiB of UTF-8, inside the 1 MiB limit). */
	json = body_json(SRV_ITEM_BODY_MAX, "\xc3\xa9");
	h_callf(SRV, "PATCH", OWNER, json, &r, "/items/%s", world.course.page_id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	free(json);
	assert_int_equal((int)body_len(world.course.page_id), 2 * SRV_ITEM_BODY_MAX);
}

static void
test_item_body_over_the_cap_refused_changes_nothing(void **state)
{
	struct h_resp r;
	char *json = body_json(1000, "x");
	char *create;

	(void)state;
	h_callf(SRV, "PATCH", OWNER, json, &r, "/items/%s", world.course.page_id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	free(json);
	json = body_json(SRV_ITEM_BODY_MAX + 1, "x");
	h_callf(SRV, "PATCH", OWNER, json, &r, "/items/%s", world.course.page_id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "body"));
	h_resp_free(&r);
	assert_int_equal((int)body_len(world.course.page_id), 1000);
	create = lc_asprintf("{\"title\":\"Too long\",\"kind\":\"page\",%s", json + 1);
	h_callf(SRV, "POST", OWNER, create, &r, "/modules/%s/items", world.course.module_id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "body"));
	h_resp_free(&r);
	free(create);
	free(json);
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
	    cmocka_unit_test(test_item_body_200000_characters_accepted),
	    cmocka_unit_test(test_item_body_over_the_cap_refused_changes_nothing),
	};
	return cmocka_run_group_tests_name("api-item-body", tests, group_setup, group_teardown);
}
