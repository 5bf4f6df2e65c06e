/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the course files of a checkout (tui_cf_parse, libyaml underneath), which
 * come from a person's editor or a colleague's merge. The first byte picks which file the
 * rest is (course.md, a module.md, an item, .lectern) in an otherwise valid course. A file
 * that parses must round-trip: emitted and parsed again, every mapped field is the same
 * (coursefiles.h's promise that the front matter's texts come back as they were).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "tui/coursefiles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = {"course.md", "01-a/module.md", "01-a/01-b.md", ".lectern"};

/* Gives every entity without one an id, so that the tree can be emitted. */
static void
give_ids(cJSON *doc, unsigned *n)
{
	cJSON *x;

	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "id"))) {
		char id[40];

		cJSON_DeleteItemFromObjectCaseSensitive(doc, "id");
		snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012u", (*n)++);
		cJSON_AddStringToObject(doc, "id", id);
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, "modules")) give_ids(x, n);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, "items")) give_ids(x, n);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(doc, "questions")) give_ids(x, n);
}

/* The mapped fields of a whole tree, in order, as one JSON text (caller frees). */
static char *
mapped_text(const cJSON *course)
{
	cJSON *all = cJSON_CreateArray(), *m, *it, *q;
	char *text;

	cJSON_AddItemToArray(all, tui_cf_mapped("course", course));
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(course, "modules"))
	{
		cJSON_AddItemToArray(all, tui_cf_mapped("module", m));
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "items"))
		{
			const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");

			cJSON_AddItemToArray(all, tui_cf_mapped("item", it));
			if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "quiz") != 0)
				continue;
			cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(it, "questions"))
			    cJSON_AddItemToArray(all, tui_cf_mapped("question", q));
		}
	}
	text = cJSON_PrintUnformatted(all);
	cJSON_Delete(all);
	return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tui_cf_files files = {0}, again = {0};
	cJSON *course = NULL, *back = NULL;
	unsigned n = 1;
	char *cause = NULL;
	const char *which;

	if (size < 1 || size > 64 * 1024)
		return 0;
	which = paths[data[0] % 4];
	tui_cf_files_add(&files, "course.md", "---\ntitle: C\n---\n", 17);
	tui_cf_files_add(&files, "01-a/module.md", "---\ntitle: A\n---\n", 17);
	tui_cf_files_add(&files, "01-a/01-b.md", "---\nkind: page\ntitle: B\n---\n", 28);
	{
		struct tui_cf_files with = {0};

		for (size_t i = 0; i < files.n; i++)
			if (strcmp(files.v[i].path, which) != 0)
				tui_cf_files_add(&with, files.v[i].path, files.v[i].data,
				                 files.v[i].len);
		tui_cf_files_add(&with, which, (const char *)data + 1, size - 1);
		tui_cf_files_free(&files);
		files = with;
	}
	if (tui_cf_parse(&files, NULL, &course, &cause) == 0) {
		char *before, *after;

		give_ids(course, &n);
		if (tui_cf_emit(course, &again, NULL) != 0 ||
		    tui_cf_parse(&again, NULL, &back, NULL) != 0)
			abort();
		before = mapped_text(course);
		after = mapped_text(back);
		if (strcmp(before, after) != 0) {
			fprintf(stderr, "round trip differs:\n%s\n%s\n", before, after);
			abort();
		}
		free(before);
		free(after);
	} else if (cause == NULL) {
		abort(); /* a refusal always says why */
	}
	free(cause);
	cJSON_Delete(course);
	cJSON_Delete(back);
	tui_cf_files_free(&files);
	tui_cf_files_free(&again);
	return 0;
}
