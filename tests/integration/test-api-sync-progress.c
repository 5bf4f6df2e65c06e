/* SPDX-License-Identifier: MIT */
/*
 * "remaining" in POST /api/v1/sync (docs/api.md "Sync progress", a Lectern extension;
 * issue 13, "Slow and broken links": a long first sync shows a percent, and a percent
 * needs a total). A client that sends "remaining": true gets, in every answer, the number
 * of changes its next rounds will pull; the sum of the later answers' changes must be
 * exactly that. A client that does not ask gets API.md's answer byte for byte; the field
 * takes only a boolean, anything else refuses the whole request.
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
#include "common/uuid.h"
#include "harness.h"

static struct h_world world;

#define SRV (&world.srv)
#define PAGE 2 /* changes per answer: the world's few rows take several rounds */

/* One POST /sync from cursors (JSON text) with extra raw members ("" for none). */
static void
pull(const char *client_id, const char *cursors, const char *extra, struct h_resp *r)
{
	char *body = lc_asprintf("{\"client_id\":\"%s\",\"cursors\":%s,\"limit\":%d%s}", client_id,
	                         cursors, PAGE, extra);

	h_call(SRV, "POST", "/sync", h_token(&world, H_ENROLLED), body, NULL, r);
	free(body);
}

/*
 * A first sync paged PAGE at a time: each answer's "remaining" is what the later answers
 * bring, and the last one (more: false) says 0.
 */
static void
test_remaining_counts_what_the_next_rounds_pull(void **state)
{
	char client_id[H_ID_LEN + 1];
	char *cursors = lc_strdup("{}");
	int64_t said[256], got[256];
	int n = 0;
	bool more = true;

	(void)state;
	lc_uuid_new(client_id);
	while (more) {
		struct h_resp r;
		const cJSON *rem;

		assert_true(n < 256);
		pull(client_id, cursors, ",\"remaining\":true", &r);
		H_EXPECT(r, 200);
		rem = cJSON_GetObjectItemCaseSensitive(r.json, "remaining");
		if (!cJSON_IsNumber(rem))
			fail_msg("no remaining in %s", r.body);
		said[n] = (int64_t)rem->valuedouble;
		got[n] = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r.json, "changes"));
		more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json, "more"));
		free(cursors);
		cursors =
		    cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r.json, "cursors"));
		h_resp_free(&r);
		n++;
	}
	free(cursors);
	assert_true(n >= 3); /* the paging was exercised */
	for (int i = 0; i < n; i++) {
		int64_t later = 0;

		for (int j = i + 1; j < n; j++)
			later += got[j];
		if (said[i] != later)
			fail_msg("answer %d said %lld remaining; the later answers brought %lld", i,
			         (long long)said[i], (long long)later);
	}
	assert_int_equal(said[n - 1], 0);
}

/* Without the opt-in (left out, or false) the answer is API.md's, byte for byte. */
static void
test_without_remaining_the_answer_is_api_md(void **state)
{
	char client_id[H_ID_LEN + 1];
	struct h_resp left_out, off, on;

	(void)state;
	lc_uuid_new(client_id);
	pull(client_id, "{}", "", &left_out);
	pull(client_id, "{}", ",\"remaining\":false", &off);
	pull(client_id, "{}", ",\"remaining\":true", &on);
	H_EXPECT(left_out, 200);
	H_EXPECT(off, 200);
	H_EXPECT(on, 200);
	assert_null(cJSON_GetObjectItemCaseSensitive(left_out.json, "remaining"));
	assert_string_equal(left_out.body, off.body);
	/* The opt-in adds the one member and changes nothing else. */
	assert_non_null(cJSON_GetObjectItemCaseSensitive(on.json, "remaining"));
	cJSON_DeleteItemFromObjectCaseSensitive(on.json, "remaining");
	if (!cJSON_Compare(left_out.json, on.json, true))
		fail_msg("left out: %s\nremaining: %s", left_out.body, on.body);
	h_resp_free(&left_out);
	h_resp_free(&off);
	h_resp_free(&on);
}

/* "remaining" takes a boolean only: anything else refuses the whole request. */
static void
test_bad_remaining_values_are_refused_whole(void **state)
{
	static const char *const bad[] = {"1", "\"yes\"", "null", "{}"};
	char client_id[H_ID_LEN + 1];

	(void)state;
	lc_uuid_new(client_id);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *extra = lc_asprintf(",\"remaining\":%s", bad[i]);
		struct h_resp r;

		pull(client_id, "{}", extra, &r);
		free(extra);
		H_EXPECT_ERROR(r, 400, "invalid_request_error");
		if (!h_invalid_params_are(&r, "remaining"))
			fail_msg("remaining %s: %s", bad[i], r.body);
		h_resp_free(&r);
	}
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
	    cmocka_unit_test(test_remaining_counts_what_the_next_rounds_pull),
	    cmocka_unit_test(test_without_remaining_the_answer_is_api_md),
	    cmocka_unit_test(test_bad_remaining_values_are_refused_whole),
	};
	return cmocka_run_group_tests_name("api-sync-progress", tests, group_setup, group_teardown);
}
