/* SPDX-License-Identifier: MIT */
/*
 * Field-level and text merges of a conflicting edit. libgit2 is used only for its
 * in-memory three-way file merge; no repository is opened.
 */
#include "sync/merge.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <git2.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"

static pthread_once_t git_once = PTHREAD_ONCE_INIT;

static void
git_init(void)
{
	/* Reference-counted by libgit2; kept for the process's life on purpose. */
	git_libgit2_init();
}

static void
fill_input(git_merge_file_input *in, const char *text)
{
	git_merge_file_input_init(in, GIT_MERGE_FILE_INPUT_VERSION);
	in->ptr = text;
	in->size = strlen(text);
	in->path = "body.md";
	in->mode = 0100644;
}

int
sync_merge_text(const char *base, const char *mine, const char *theirs, char **out, char **cause)
{
	git_merge_file_input in_base, in_mine, in_theirs;
	git_merge_file_options opts;
	git_merge_file_result result;
	int rc;

	*out = NULL;
	if (strcmp(mine, theirs) == 0 || strcmp(base, theirs) == 0) {
		*out = lc_strdup(mine);
		return 0;
	}
	if (strcmp(base, mine) == 0) {
		*out = lc_strdup(theirs);
		return 0;
	}
	pthread_once(&git_once, git_init);
	fill_input(&in_base, base);
	fill_input(&in_mine, mine);
	fill_input(&in_theirs, theirs);
	git_merge_file_options_init(&opts, GIT_MERGE_FILE_OPTIONS_VERSION);
	memset(&result, 0, sizeof(result));
	if (git_merge_file(&result, &in_base, &in_mine, &in_theirs, &opts) < 0) {
		const git_error *e = git_error_last();

		return lc_cause_set(cause, -LC_ENOMEM, "git_merge_file: %s",
		                    e != NULL ? e->message : "failed");
	}
	if (result.automergeable && memchr(result.ptr, '\0', result.len) == NULL) {
		*out = lc_strndup(result.ptr, result.len);
		rc = 0;
	} else {
		rc = -LC_ECONFLICT;
	}
	git_merge_file_result_free(&result);
	return rc;
}

/* Merges one field of mine into theirs; *value receives the merged value (caller owns). */
static int
merge_field(const cJSON *b, const cJSON *m, const cJSON *t, cJSON **value, char **cause)
{
	char *text = NULL;
	int rc;

	*value = NULL;
	if (t == NULL || cJSON_Compare(m, t, true) || (b != NULL && cJSON_Compare(b, t, true))) {
		*value = cJSON_Duplicate(m, true); /* theirs did not change it, or agrees */
		return 0;
	}
	if (b != NULL && cJSON_Compare(b, m, true)) {
		*value = cJSON_Duplicate(t, true); /* only theirs changed it */
		return 0;
	}
	if (b == NULL || !cJSON_IsString(b) || !cJSON_IsString(m) || !cJSON_IsString(t))
		return -LC_ECONFLICT;
	rc = sync_merge_text(b->valuestring, m->valuestring, t->valuestring, &text, cause);
	if (rc == 0) {
		*value = cJSON_CreateString(text);
		free(text);
	}
	return rc;
}

static int
merge_fields(const cJSON *base, const cJSON *mine, cJSON *body, cJSON *doc, char **cause)
{
	struct lc_buf clash = {0};
	const cJSON *m;
	int rc = 0;

	cJSON_ArrayForEach(m, mine)
	{
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(base, m->string);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, m->string);
		cJSON *value = NULL;
		int frc = merge_field(b, m, t, &value, cause);

		if (frc == -LC_ECONFLICT) {
			lc_buf_printf(&clash, "%s%s", clash.len > 0 ? ", " : "", m->string);
			continue;
		}
		if (frc < 0) {
			rc = frc;
			break;
		}
		cJSON_AddItemToObject(body, m->string, cJSON_Duplicate(value, true));
		if (strcmp(m->string, "id") != 0) {
			if (cJSON_HasObjectItem(doc, m->string))
				cJSON_ReplaceItemInObjectCaseSensitive(doc, m->string, value);
			else
				cJSON_AddItemToObject(doc, m->string, value);
		} else {
			cJSON_Delete(value);
		}
	}
	if (rc == 0 && clash.len > 0)
		rc = lc_cause_set(cause, -LC_ECONFLICT, "changed on both sides: %s",
		                  lc_buf_str(&clash));
	lc_buf_finish(&clash);
	return rc;
}

int
sync_merge_edit(const char *base_doc, const char *mine_body, const char *theirs_doc,
                char **merged_body, char **merged_doc, char **cause)
{
	cJSON *base = base_doc != NULL ? cJSON_Parse(base_doc) : NULL;
	cJSON *mine = cJSON_Parse(mine_body);
	cJSON *doc = cJSON_Parse(theirs_doc);
	cJSON *body = cJSON_CreateObject();
	int rc;

	*merged_body = NULL;
	*merged_doc = NULL;
	if (!cJSON_IsObject(mine) || !cJSON_IsObject(doc) ||
	    (base_doc != NULL && !cJSON_IsObject(base)))
		rc = lc_cause_set(cause, -LC_EPROTO, "a version to merge is not a JSON object");
	else
		rc = merge_fields(base, mine, body, doc, cause);
	if (rc == 0) {
		*merged_body = cJSON_PrintUnformatted(body);
		*merged_doc = cJSON_PrintUnformatted(doc);
	}
	cJSON_Delete(base);
	cJSON_Delete(mine);
	cJSON_Delete(doc);
	cJSON_Delete(body);
	return rc;
}
