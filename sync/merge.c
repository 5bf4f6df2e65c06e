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

/*
 * The three-way merge of texts; *out gets the result, with conflict markers when the
 * changes overlap (then -LC_ECONFLICT). marked = false leaves *out NULL on a conflict.
 */
static int
merge_text(const char *base, const char *mine, const char *theirs, bool marked, char **out,
           char **cause)
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
	opts.ancestor_label = "before";
	opts.our_label = "yours";
	opts.their_label = "server's";
	memset(&result, 0, sizeof(result));
	if (git_merge_file(&result, &in_base, &in_mine, &in_theirs, &opts) < 0) {
		const git_error *e = git_error_last();

		return lc_cause_set(cause, -LC_ENOMEM, "git_merge_file: %s",
		                    e != NULL ? e->message : "failed");
	}
	if (memchr(result.ptr, '\0', result.len) != NULL) {
		rc = -LC_ECONFLICT; /* not text: nothing a person could edit either */
	} else {
		rc = result.automergeable ? 0 : -LC_ECONFLICT;
		if (rc == 0 || marked)
			*out = lc_strndup(result.ptr, result.len);
	}
	git_merge_file_result_free(&result);
	return rc;
}

int
sync_merge_text(const char *base, const char *mine, const char *theirs, char **out, char **cause)
{
	return merge_text(base, mine, theirs, false, out, cause);
}

int
sync_merge_text_marked(const char *base, const char *mine, const char *theirs, char **out,
                       char **cause)
{
	int rc = merge_text(base, mine, theirs, true, out, cause);

	if (rc == -LC_ECONFLICT && *out == NULL)
		*out = lc_strdup(mine);
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

/* True when field f of the three versions is text on every side and the changes overlap. */
static bool
text_clash(const cJSON *b, const cJSON *m, const cJSON *t)
{
	char *out = NULL;
	int rc;

	if (!cJSON_IsString(b) || !cJSON_IsString(m) || !cJSON_IsString(t))
		return false;
	rc = sync_merge_text(b->valuestring, m->valuestring, t->valuestring, &out, NULL);
	free(out);
	return rc == -LC_ECONFLICT;
}

int
sync_merge_marked_field(const char *base_doc, const char *mine_body, const char *theirs_doc,
                        char **field, char **marked, char **cause)
{
	cJSON *base = base_doc != NULL ? cJSON_Parse(base_doc) : NULL;
	cJSON *mine = mine_body != NULL ? cJSON_Parse(mine_body) : NULL;
	cJSON *doc = theirs_doc != NULL ? cJSON_Parse(theirs_doc) : NULL;
	const cJSON *m;
	int rc = lc_cause_set(cause, -LC_ENOTFOUND, "no text changed on both sides to merge");

	*field = NULL;
	*marked = NULL;
	cJSON_ArrayForEach(m, mine)
	{
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(base, m->string);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, m->string);

		if (m->string == NULL || !text_clash(b, m, t))
			continue;
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		rc = sync_merge_text_marked(b->valuestring, m->valuestring, t->valuestring, marked,
		                            cause);
		if (rc == -LC_ECONFLICT || rc == 0) {
			*field = lc_strdup(m->string);
			rc = 0;
		}
		break;
	}
	cJSON_Delete(base);
	cJSON_Delete(mine);
	cJSON_Delete(doc);
	return rc;
}

/* True when text holds a line that starts with a conflict marker. */
static bool
has_markers(const char *text)
{
	static const char *const marks[] = {"<<<<<<< ", "=======", ">>>>>>> ", "||||||| "};

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *eol = strchr(line, '\n');

		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			size_t n = strlen(marks[i]);

			if (strncmp(line, marks[i], n) == 0 &&
			    (i != 1 || line[n] == '\n' || line[n] == '\0' || line[n] == '\r'))
				return true;
		}
		line = eol != NULL ? eol + 1 : NULL;
	}
	return false;
}

int
sync_merge_resolve(const char *base_doc, const char *mine_body, const char *theirs_doc,
                   const char *field, const char *text, char **body, char **cause)
{
	cJSON *base = base_doc != NULL ? cJSON_Parse(base_doc) : cJSON_CreateObject();
	cJSON *mine = cJSON_Parse(mine_body != NULL ? mine_body : "");
	cJSON *doc = cJSON_Parse(theirs_doc != NULL ? theirs_doc : "");
	char *b = NULL, *m = NULL, *merged_doc = NULL;
	int rc = 0;

	*body = NULL;
	if (has_markers(text))
		rc = lc_cause_set(cause, -LC_EINVAL, "the text still holds conflict markers");
	else if (!cJSON_IsObject(base) || !cJSON_IsObject(mine) || !cJSON_IsObject(doc))
		rc = lc_cause_set(cause, -LC_EPROTO, "a version to merge is not a JSON object");
	if (rc == 0) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, field);

		/* The person's text is "mine" over a base equal to theirs: it wins as it is. */
		cJSON_DeleteItemFromObjectCaseSensitive(base, field);
		if (t != NULL)
			cJSON_AddItemToObject(base, field, cJSON_Duplicate(t, true));
		cJSON_DeleteItemFromObjectCaseSensitive(mine, field);
		cJSON_AddItemToObject(mine, field, cJSON_CreateString(text));
		b = cJSON_PrintUnformatted(base);
		m = cJSON_PrintUnformatted(mine);
		rc = sync_merge_edit(b, m, theirs_doc, body, &merged_doc, cause);
	}
	free(b);
	free(m);
	free(merged_doc);
	cJSON_Delete(base);
	cJSON_Delete(mine);
	cJSON_Delete(doc);
	return rc;
}

static int
diff_line(const git_diff_delta *delta, const git_diff_hunk *hunk, const git_diff_line *line,
          void *payload)
{
	struct lc_buf *out = payload;

	(void)delta;
	(void)hunk;
	switch (line->origin) {
	case GIT_DIFF_LINE_CONTEXT:
	case GIT_DIFF_LINE_ADDITION:
	case GIT_DIFF_LINE_DELETION:
		lc_buf_printf(out, "%c", line->origin);
		lc_buf_append(out, line->content, line->content_len);
		if (line->content_len == 0 || line->content[line->content_len - 1] != '\n')
			lc_buf_puts(out, "\n");
		break;
	default: /* "no newline at end of file" marks: not a change a reader cares about */
		break;
	}
	return 0;
}

static int
diff_hunk(const git_diff_delta *delta, const git_diff_hunk *hunk, void *payload)
{
	struct lc_buf *out = payload;

	(void)delta;
	lc_buf_printf(out, "@@ line %d\n", hunk->new_start);
	return 0;
}

char *
sync_merge_diff(const char *old_text, const char *new_text)
{
	git_diff_options opts;
	struct lc_buf out = {0};

	pthread_once(&git_once, git_init);
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = 2;
	opts.flags |= GIT_DIFF_FORCE_TEXT;
	if (git_diff_buffers(old_text, strlen(old_text), "before", new_text, strlen(new_text),
	                     "after", &opts, NULL, NULL, diff_hunk, diff_line, &out) < 0) {
		lc_buf_finish(&out);
		return lc_strdup("(no diff: libgit2 failed)\n");
	}
	return lc_buf_steal(&out);
}

/* One side's change of a field: a line diff for text, "- old" / "+ new" otherwise. */
static void
describe_change(struct lc_buf *out, const char *who, const cJSON *b, const cJSON *v)
{
	char *old_text, *new_text;

	lc_buf_printf(out, "%s", who);
	if (v == NULL || (b != NULL && cJSON_Compare(b, v, true))) {
		lc_buf_puts(out, " (unchanged)\n");
		return;
	}
	lc_buf_puts(out, "\n");
	if (cJSON_IsString(v) && (b == NULL || cJSON_IsString(b))) {
		char *d = sync_merge_diff(b != NULL ? b->valuestring : "", v->valuestring);

		lc_buf_puts(out, d);
		free(d);
		return;
	}
	old_text = b != NULL ? cJSON_PrintUnformatted(b) : NULL;
	new_text = cJSON_PrintUnformatted(v);
	if (old_text != NULL)
		lc_buf_printf(out, "-%s\n", old_text);
	lc_buf_printf(out, "+%s\n", new_text);
	cJSON_free(old_text);
	cJSON_free(new_text);
}

/* A field's name for a person: "Text" for body, "Due date" for due_at; else the name. */
static const char *
field_label(const char *name)
{
	static const char *const map[][2] = {
	    {"body", "Text"},       {"title", "Title"},       {"description", "Description"},
	    {"due_at", "Due date"}, {"points", "Points"},     {"url", "Link"},
	    {"kind", "Kind"},       {"required", "Required"}, {"code", "Code"},
	    {"status", "Status"},   {"keywords", "Keywords"}, {"pass_score", "Pass score"},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i][0]) == 0)
			return map[i][1];
	return name;
}

char *
sync_merge_describe(const char *base_doc, const char *mine_body, const char *theirs_doc)
{
	cJSON *base = base_doc != NULL ? cJSON_Parse(base_doc) : NULL;
	cJSON *mine = mine_body != NULL ? cJSON_Parse(mine_body) : NULL;
	cJSON *doc = theirs_doc != NULL ? cJSON_Parse(theirs_doc) : NULL;
	struct lc_buf out = {0};
	const cJSON *m;

	if (!cJSON_IsObject(mine)) {
		lc_buf_printf(&out, "Your content:\n%s\n", mine_body != NULL ? mine_body : "");
		goto done;
	}
	cJSON_ArrayForEach(m, mine)
	{
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(base, m->string);

		if (m->string == NULL || strcmp(m->string, "id") == 0 ||
		    strcmp(m->string, "rev") == 0)
			continue;
		lc_buf_printf(&out, "%s%s\n", out.len > 0 ? "\n" : "", field_label(m->string));
		describe_change(&out, "Your change:", b, m);
		if (doc != NULL)
			describe_change(&out, "The server's change:", b,
			                cJSON_GetObjectItemCaseSensitive(doc, m->string));
	}
	if (out.len == 0)
		lc_buf_puts(&out, "(no fields)\n");
done:
	cJSON_Delete(base);
	cJSON_Delete(mine);
	cJSON_Delete(doc);
	return lc_buf_steal(&out);
}
