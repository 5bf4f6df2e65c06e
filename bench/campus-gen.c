/* SPDX-License-Identifier: MIT */
/*
 * The generated campus of the sync benchmarks (bench/sync-bench.c, bench/kiosk.c): courses
 * made through lecternd's REST API as an instructor, each of CAMPUS_MODULES modules of
 * CAMPUS_PAGES Markdown pages (headings, lists, code; 6 to 11 paragraphs) and a quiz of
 * CAMPUS_QUESTIONS questions, published, with a forum of CAMPUS_TOPICS topics of
 * CAMPUS_REPLIES replies each. The text comes from a seeded generator, so a campus is the
 * same on every run.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "campus-gen.h"
#include "common/buf.h"

static const char *const words[] = {
    "learning", "module",  "practice", "feedback", "example",  "terminal", "offline",
    "replica",  "network", "student",  "lecture",  "exercise", "reading",  "summary",
    "concept",  "theorem", "proof",    "variable", "function", "history",  "culture",
    "energy",   "matter",  "signal",   "pattern",  "question", "answer",   "method",
    "result",   "data",    "model",    "system",   "language", "writing",  "chapter",
};

/* A Markdown page of about `paragraphs` paragraphs with headings, lists and code. */
char *
campus_page_body(uint64_t *rng, int n, int paragraphs)
{
	struct lc_buf b = {0};
	size_t n_words = sizeof(words) / sizeof(words[0]);

	lc_buf_printf(&b, "# Page %d\n\n", n);
	for (int p = 0; p < paragraphs; p++) {
		int len = 30 + (int)(st_rand(rng) % 40);

		if (p % 3 == 1)
			lc_buf_printf(&b, "## Section %d.%d\n\n", n, p);
		for (int w = 0; w < len; w++)
			lc_buf_printf(&b, "%s%s", w ? " " : "", words[st_rand(rng) % n_words]);
		lc_buf_puts(&b, ".\n\n");
		if (p % 4 == 2)
			lc_buf_printf(&b, "- %s\n- %s\n- *%s*\n\n", words[st_rand(rng) % n_words],
			              words[st_rand(rng) % n_words], words[st_rand(rng) % n_words]);
		if (p % 5 == 4)
			lc_buf_printf(&b, "```\nx = %d * %d\nprint(x)\n```\n\n",
			              (int)(st_rand(rng) % 100), (int)(st_rand(rng) % 100));
	}
	return lc_buf_steal(&b);
}

/* POSTs a JSON object built by the caller; frees it. Returns 0 and the id, or -1. */
static int
create(struct st_api *api, const char *path, cJSON *obj, char *id)
{
	char *body = cJSON_PrintUnformatted(obj);
	int rc = st_api_create(api, path, body, id);

	free(body);
	cJSON_Delete(obj);
	return rc;
}

/* One module: CAMPUS_PAGES pages in one array request, then a quiz of CAMPUS_QUESTIONS questions.
 */
static int
make_module(struct st_api *instructor, struct campus_course *c, int m, uint64_t *rng)
{
	char path[128], module_id[ST_ID_LEN + 1], quiz_id[ST_ID_LEN + 1], qid[ST_ID_LEN + 1];
	cJSON *obj = cJSON_CreateObject(), *arr, *resp = NULL;
	char *body;
	long status;
	int i = 0;
	const cJSON *it;

	cJSON_AddStringToObject(obj, "title", "A module");
	snprintf(path, sizeof(path), "/courses/%s/modules", c->id);
	if (create(instructor, path, obj, module_id) < 0)
		return -1;
	arr = cJSON_CreateArray();
	for (int p = 0; p < CAMPUS_PAGES; p++) {
		char *text =
		    campus_page_body(rng, m * CAMPUS_PAGES + p + 1, 6 + (int)(st_rand(rng) % 6));

		obj = cJSON_CreateObject();
		cJSON_AddStringToObject(obj, "title", "A page");
		cJSON_AddStringToObject(obj, "kind", "page");
		cJSON_AddStringToObject(obj, "body", text);
		cJSON_AddItemToArray(arr, obj);
		free(text);
	}
	body = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	snprintf(path, sizeof(path), "/modules/%s/items", module_id);
	status = st_api_call(instructor, "POST", path, body, &resp);
	free(body);
	if (status != 201 || !cJSON_IsArray(resp)) {
		fprintf(stderr, "bench: creating pages: status %ld\n", status);
		cJSON_Delete(resp);
		return -1;
	}
	cJSON_ArrayForEach(it, resp)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");

		if (cJSON_IsString(id) && i < CAMPUS_PAGES)
			snprintf(c->pages[m * CAMPUS_PAGES + i++], ST_ID_LEN + 1, "%s",
			         id->valuestring);
	}
	cJSON_Delete(resp);
	if (st_api_create(instructor, path, "{\"title\":\"Quiz\",\"kind\":\"quiz\"}", quiz_id) < 0)
		return -1;
	snprintf(path, sizeof(path), "/items/%s/questions", quiz_id);
	for (int q = 0; q < CAMPUS_QUESTIONS; q++)
		if (st_api_create(
		        instructor, path,
		        "{\"prompt\":\"Which one holds?\",\"kind\":\"single\",\"choices\":"
		        "[\"this\",\"that\",\"neither\"],\"answer\":1}",
		        qid) < 0)
			return -1;
	return 0;
}

static int
make_forum(struct st_api *instructor, struct campus_course *c, uint64_t *rng)
{
	char path[128];

	for (int t = 0; t < CAMPUS_TOPICS; t++) {
		char *text = campus_page_body(rng, t, 1);
		cJSON *obj = cJSON_CreateObject();

		cJSON_AddStringToObject(obj, "title", "A question about the week");
		cJSON_AddStringToObject(obj, "body", text);
		free(text);
		snprintf(path, sizeof(path), "/courses/%s/topics", c->id);
		if (create(instructor, path, obj, c->topics[t]) < 0)
			return -1;
		snprintf(path, sizeof(path), "/topics/%s/replies", c->topics[t]);
		for (int r = 0; r < CAMPUS_REPLIES; r++) {
			text = campus_page_body(rng, r, 1);
			obj = cJSON_CreateObject();
			cJSON_AddStringToObject(obj, "body", text);
			free(text);
			if (create(instructor, path, obj, c->replies[t][r]) < 0)
				return -1;
		}
	}
	return 0;
}

int
campus_make_course(struct st_api *instructor, struct campus_course *c, int n, uint64_t *rng)
{
	cJSON *obj = cJSON_CreateObject();
	char path[128], title[64];

	snprintf(title, sizeof(title), "Course %d of the campus", n + 1);
	cJSON_AddStringToObject(obj, "title", title);
	cJSON_AddStringToObject(obj, "description",
	                        "A generated course: modules of pages, quizzes and a forum.");
	if (create(instructor, "/courses", obj, c->id) < 0)
		return -1;
	for (int m = 0; m < CAMPUS_MODULES; m++)
		if (make_module(instructor, c, m, rng) < 0)
			return -1;
	snprintf(path, sizeof(path), "/courses/%s/publish", c->id);
	if (st_api_call(instructor, "POST", path, "{}", NULL) != 200)
		return -1;
	return make_forum(instructor, c, rng);
}
