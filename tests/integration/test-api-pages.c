/* SPDX-License-Identifier: MIT */
/*
 * GET /courses pages in SQL with perm.c's course-read rule as a predicate (perf review
 * 2026-11-29, cause 2). Pins that the SQL form of the rule and srv_perm_course_read agree:
 * for each kind of viewer, every page of every size walks exactly the list the viewer sees
 * unpaged, and a course is in that list exactly when GET /courses/{id} shows it; drafts and
 * archived courses included, in a department below the one a content-admin holds.
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

#include "common/mem.h"
#include "harness.h"

#define N_COURSES 8
#define LIST_MAX 100

static struct h_world world;
static char child_dept[H_ID_LEN + 1];
static char course_ids[N_COURSES][H_ID_LEN + 1];

#define SRV (&world.srv)

/* POSTs a course as token in department (NULL: none) and moves it to status. */
static int
make_course(const char *token, const char *department, const char *status, char id[H_ID_LEN + 1])
{
	struct h_resp r;
	char *json = department != NULL
	                 ? lc_asprintf("{\"title\":\"Paged %s\",\"department_id\":\"%s\"}", status,
	                               department)
	                 : lc_asprintf("{\"title\":\"Paged %s\"}", status);
	long st = h_callf(SRV, "POST", token, json, &r, "/courses");
	int rc = st == 201 ? h_copy_id(r.json, "id", id) : -1;

	free(json);
	h_resp_free(&r);
	if (rc != 0)
		return -1;
	if (strcmp(status, "draft") == 0)
		return 0;
	st = h_callf(SRV, "POST", token, NULL, &r, "/courses/%s/publish", id);
	h_resp_free(&r);
	if (st != 200)
		return -1;
	if (strcmp(status, "archived") != 0)
		return 0;
	st = h_callf(SRV, "POST", token, NULL, &r, "/courses/%s/archive", id);
	h_resp_free(&r);
	return st == 200 ? 0 : -1;
}

static int
group_setup(void **state)
{
	struct h_resp r;
	char *json;
	long st;
	const char *owner, *other;

	(void)state;
	if (h_world_up(&world) != 0)
		return -1;
	owner = world.u[H_OWNER].access;
	other = world.u[H_OTHER_INSTR].access;
	/* A department below the world's: its content-admin is staff there by the tree. */
	json = lc_asprintf("{\"name\":\"Paged child\",\"code\":\"PGC\",\"parent_id\":\"%s\"}",
	                   world.dept_id);
	st = h_callf(SRV, "POST", world.u[H_ADMIN].access, json, &r, "/departments");
	free(json);
	if (st != 201 || h_copy_id(r.json, "id", child_dept) != 0) {
		h_resp_free(&r);
		return -1;
	}
	h_resp_free(&r);
	{
		const struct {
			const char *token, *dept, *status;
		} spec[N_COURSES] = {
		    {owner, child_dept, "draft"},     {owner, child_dept, "archived"},
		    {owner, NULL, "draft"},           {other, child_dept, "draft"},
		    {other, NULL, "draft"},           {other, NULL, "archived"},
		    {other, child_dept, "published"}, {owner, world.dept_id, "draft"},
		};

		for (int i = 0; i < N_COURSES; i++)
			if (make_course(spec[i].token, spec[i].dept, spec[i].status,
			                course_ids[i]) != 0)
				return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return h_server_down(&world.srv) == 0 ? 0 : -1;
}

/* The ids of one GET /courses answer into ids[*n...]; returns its total. */
static int64_t
get_page(const char *token, const char *filter, int page, int limit, char ids[][H_ID_LEN + 1],
         int *n, int max)
{
	struct h_resp r;
	const cJSON *item;
	int64_t total;
	int got = 0;

	h_callf(SRV, "GET", token, NULL, &r, "/courses?page=%d&limit=%d%s", page, limit, filter);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "page", -1), page);
	assert_int_equal((int)h_json_num(r.json, "limit", -1), limit);
	total = (int64_t)h_json_num(r.json, "total", -1);
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(r.json, "items"))
	{
		assert_true(*n < max);
		assert_int_equal(h_copy_id(item, "id", ids[*n]), 0);
		(*n)++;
		got++;
	}
	assert_true(got <= limit);
	h_resp_free(&r);
	return total;
}

static bool
has(char ids[][H_ID_LEN + 1], int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

/* Walks every page of sizes 1..3 for a, comparing with the unpaged list; returns its size. */
static int
check_viewer(enum h_actor a, const char *filter)
{
	static char all[LIST_MAX][H_ID_LEN + 1];
	static char paged[LIST_MAX][H_ID_LEN + 1];
	const char *token = h_token(&world, a);
	int n_all = 0;
	int64_t total = get_page(token, filter, 1, LIST_MAX, all, &n_all, LIST_MAX);

	if (total != n_all)
		fail_msg("%s%s: total %lld for %d items", h_actor_name(a), filter, (long long)total,
		         n_all);
	for (int limit = 1; limit <= 3; limit++) {
		int n = 0;

		for (int page = 1; page <= n_all / limit + 2; page++) {
			int before = n;

			assert_int_equal(get_page(token, filter, page, limit, paged, &n, LIST_MAX),
			                 total);
			/* Full pages until the last; nothing after it. */
			if (n - before != limit && n != n_all)
				fail_msg("%s%s: page %d of %d short", h_actor_name(a), filter, page,
				         limit);
		}
		assert_int_equal(n, n_all);
		for (int i = 0; i < n; i++)
			if (strcmp(paged[i], all[i]) != 0)
				fail_msg("%s%s: limit %d, row %d differs", h_actor_name(a), filter,
				         limit, i);
	}
	/* The list holds a course exactly when the viewer may read it on its own. */
	for (int i = 0; i < N_COURSES; i++) {
		struct h_resp r;
		long st = h_callf(SRV, "GET", token, NULL, &r, "/courses/%s", course_ids[i]);
		const char *status = st == 200 ? h_json_str(r.json, "status") : NULL;
		/* Every course made here is titled "Paged ...": the search keeps them all. */
		bool want = st == 200 &&
		            (strstr(filter, "status=") == NULL || strstr(filter, status) != NULL);

		assert_true(st == 200 || st == 404);
		h_resp_free(&r);
		if (has(all, n_all, course_ids[i]) != want)
			fail_msg("%s%s: course %d listed %d, readable %d", h_actor_name(a), filter,
			         i, !want, want);
	}
	return n_all;
}

/* Perf review 2026-11-29, cause 2: the SQL predicate is srv_perm_course_read. */
static void
test_course_pages_walk_the_visible_list_for_every_viewer(void **state)
{
	static const enum h_actor viewers[] = {H_ANON,          H_LEARNER,    H_OWNER,
	                                       H_CONTENT_ADMIN, H_DEPT_ADMIN, H_ADMIN};
	static const char *const filters[] = {"",
	                                      "&status=draft",
	                                      "&status=archived",
	                                      "&status=published",
	                                      "&search=paged",
	                                      "&search=paged&status=draft"};
	int seen[sizeof(viewers) / sizeof(viewers[0])];

	(void)state;
	for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++)
		for (size_t v = 0; v < sizeof(viewers) / sizeof(viewers[0]); v++) {
			int n = check_viewer(viewers[v], filters[f]);

			if (f == 0)
				seen[v] = n;
		}
	/*
	 * Not vacuous: anonymous sees the 2 published courses; the owner adds their 4 drafts
	 * and archived ones; the parent's content-admin the 4 in the child and the world's
	 * draft, the other instructor's included; the admin all 9.
	 */
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 2);
	assert_int_equal(seen[2], 6);
	assert_int_equal(seen[3], 6);
	assert_int_equal(seen[4], 6);
	assert_int_equal(seen[5], 9);
	/* The search (FTS) finds the 8 courses made here, not the world's. */
	assert_int_equal(check_viewer(H_ADMIN, "&search=paged"), N_COURSES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_course_pages_walk_the_visible_list_for_every_viewer),
	};

	return cmocka_run_group_tests_name("api-pages", tests, group_setup, group_teardown);
}
