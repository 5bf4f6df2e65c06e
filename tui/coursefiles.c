/* SPDX-License-Identifier: MIT */
/*
 * A course tree written as files (coursefiles.h): the front matter is emitted with libyaml,
 * never by hand, so that any title, prompt or choice (quotes, colons, "true", unicode,
 * several lines) comes back from tui_cf_parse() as the same string.
 */
#include "tui/coursefiles.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "tui/coursefiles-int.h"

/* ---- The file list ------------------------------------------------------------------- */

void
tui_cf_files_free(struct tui_cf_files *files)
{
	if (files == NULL)
		return;
	for (size_t i = 0; i < files->n; i++) {
		free(files->v[i].path);
		free(files->v[i].data);
	}
	free(files->v);
	files->v = NULL;
	files->n = 0;
}

void
tui_cf_files_add(struct tui_cf_files *files, const char *path, const char *data, size_t len)
{
	size_t at = files->n;

	while (at > 0 && strcmp(files->v[at - 1].path, path) > 0)
		at--;
	files->v = lc_realloc(files->v, (files->n + 1) * sizeof(files->v[0]));
	memmove(&files->v[at + 1], &files->v[at], (files->n - at) * sizeof(files->v[0]));
	files->v[at].path = lc_strdup(path);
	files->v[at].data = lc_malloc(len + 1);
	memcpy(files->v[at].data, data, len);
	files->v[at].data[len] = '\0';
	files->v[at].len = len;
	files->n++;
}

const struct tui_cf_file *
tui_cf_files_find(const struct tui_cf_files *files, const char *path)
{
	size_t lo = 0, hi = files->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(files->v[mid].path, path);

		if (c == 0)
			return &files->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- Emitting YAML ---------------------------------------------------------------------- */

static int
emit_out(void *data, unsigned char *buffer, size_t size)
{
	lc_buf_append(data, buffer, size);
	return 1;
}

static void
emit(yaml_emitter_t *e, yaml_event_t *ev, bool made)
{
	/* An event libyaml refused to make, or to write, is a bug of ours: only valid UTF-8
	 * from cJSON goes in, and the output is memory. */
	assert(made);
	(void)made;
	if (!yaml_emitter_emit(e, ev))
		assert(!"yaml_emitter_emit");
}

static void
emit_scalar(yaml_emitter_t *e, const char *text, bool plain_ok, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	emit(e, &ev,
	     yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text),
	                                  plain_ok, 1, style));
}

bool
tui_cf_plain_is_string(const char *s)
{
	static const char *const words[] = {
	    "null", "Null", "NULL", "~",  "true", "True", "TRUE", "false", "False", "FALSE",
	    "yes",  "Yes",  "YES",  "no", "No",   "NO",   "on",   "On",    "ON",    "off",
	    "Off",  "OFF",  "y",    "n",  "Y",    "N",    ".inf", ".nan",  "-.inf", NULL};
	const char *digits = s + (s[0] == '-' || s[0] == '+');

	if (s[0] == '\0')
		return false;
	for (size_t i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return false;
	/* Anything a YAML 1.1 reader could take for a number: 1.5, 1e3, 0x1F, 1_000, 12:30. */
	if ((digits[0] >= '0' && digits[0] <= '9') || digits[0] == '.') {
		if (digits[0] == '0' && strchr("xXoObB", digits[1]) != NULL && digits[1] != '\0')
			return false;
		if (strspn(digits, "0123456789_.eE+-:") == strlen(digits) &&
		    strpbrk(digits, "0123456789") != NULL)
			return false;
	}
	return true;
}

static void
emit_string(yaml_emitter_t *e, const char *s)
{
	bool lines = strchr(s, '\n') != NULL;

	emit_scalar(e, s, tui_cf_plain_is_string(s),
	            lines ? YAML_LITERAL_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

void
tui_cf_number_text(double d, char out[32])
{
	if (d == floor(d) && fabs(d) < 1e15) {
		snprintf(out, 32, "%.0f", d);
		return;
	}
	/* The shortest text that reads back as the same double. */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, 32, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			return;
	}
}

static void
emit_json(yaml_emitter_t *e, const cJSON *v)
{
	yaml_event_t ev;
	char num[32];

	if (cJSON_IsString(v)) {
		emit_string(e, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		tui_cf_number_text(v->valuedouble, num);
		emit_scalar(e, num, true, YAML_PLAIN_SCALAR_STYLE);
	} else if (cJSON_IsBool(v)) {
		emit_scalar(e, cJSON_IsTrue(v) ? "true" : "false", true, YAML_PLAIN_SCALAR_STYLE);
	} else if (cJSON_IsArray(v)) {
		const cJSON *x;
		bool flat = true;

		/* [0, 2] and [a, b] on one line; a list of texts (choices) one per line. */
		cJSON_ArrayForEach(x, v) flat = flat && !cJSON_IsString(x);
		emit(e, &ev,
		     yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		                                          flat ? YAML_FLOW_SEQUENCE_STYLE
		                                               : YAML_BLOCK_SEQUENCE_STYLE));
		cJSON_ArrayForEach(x, v) emit_json(e, x);
		emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
	} else {
		emit_scalar(e, "null", true, YAML_PLAIN_SCALAR_STYLE);
	}
}

/* The front matter keys of each type: the file's name, the API's name, in file order. */
const struct tui_cf_key tui_cf_course_keys[] = {
    {"title", "title", TUI_CF_STR},
    {"code", "code", TUI_CF_STR},
    {"department", "department_id", TUI_CF_STR},
    {"keywords", "keywords", TUI_CF_STRS},
    {"certification", "certification", TUI_CF_ANY},
    {"pass_score", "pass_score", TUI_CF_ANY},
    {NULL, NULL, TUI_CF_ANY},
};
const struct tui_cf_key tui_cf_module_keys[] = {
    {"title", "title", TUI_CF_STR},
    {NULL, NULL, TUI_CF_ANY},
};
const struct tui_cf_key tui_cf_item_keys[] = {
    {"kind", "kind", TUI_CF_STR},
    {"title", "title", TUI_CF_STR},
    {"required", "required", TUI_CF_ANY},
    {"points", "points", TUI_CF_ANY},
    {"due", "due_at", TUI_CF_STR},
    {"url", "url", TUI_CF_STR},
    {"max_attempts", "max_attempts", TUI_CF_ANY},
    {NULL, NULL, TUI_CF_ANY},
};
const struct tui_cf_key tui_cf_question_keys[] = {
    {"kind", "kind", TUI_CF_STR},
    {"prompt", "prompt", TUI_CF_STR},
    {"choices", "choices", TUI_CF_STRS},
    {"answer", "answer", TUI_CF_ANY},
    {"points", "points", TUI_CF_ANY},
    {"tolerance", "tolerance", TUI_CF_ANY},
    {"explanation", "explanation", TUI_CF_STR},
    {NULL, NULL, TUI_CF_ANY},
};

/* The mapped fields of doc as key: value pairs of the open mapping (nulls left out). */
static void
emit_fields(yaml_emitter_t *e, const struct tui_cf_key *keys, const cJSON *doc)
{
	for (size_t i = 0; keys[i].file != NULL; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, keys[i].api);

		if (v == NULL || cJSON_IsNull(v))
			continue;
		emit_scalar(e, keys[i].file, true, YAML_PLAIN_SCALAR_STYLE);
		emit_json(e, v);
	}
}

static void
emit_questions(yaml_emitter_t *e, const cJSON *questions)
{
	const cJSON *q;
	yaml_event_t ev;

	emit_scalar(e, "questions", true, YAML_PLAIN_SCALAR_STYLE);
	emit(e, &ev,
	     yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
	cJSON_ArrayForEach(q, questions)
	{
		emit(e, &ev,
		     yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		                                         YAML_BLOCK_MAPPING_STYLE));
		emit_fields(e, tui_cf_question_keys, q);
		emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
	}
	emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

/*
 * "---\n" front matter "---\n" body: the front matter of doc's mapped fields (and the
 * questions, when given), then body (NULL: none).
 */
static char *
front_matter_file(const struct tui_cf_key *keys, const cJSON *doc, const cJSON *questions,
                  const char *body, size_t *len)
{
	struct lc_buf buf = {0};
	yaml_emitter_t e;
	yaml_event_t ev;

	lc_buf_puts(&buf, "---\n");
	if (!yaml_emitter_initialize(&e))
		assert(!"yaml_emitter_initialize");
	yaml_emitter_set_output(&e, emit_out, &buf);
	yaml_emitter_set_unicode(&e, 1); /* titles in any script stay readable */
	yaml_emitter_set_width(&e, -1);  /* no folding: one line stays one line */
	yaml_emitter_set_indent(&e, 2);
	emit(&e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(&e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	emit(&e, &ev,
	     yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
	emit_fields(&e, keys, doc);
	if (questions != NULL)
		emit_questions(&e, questions);
	emit(&e, &ev, yaml_mapping_end_event_initialize(&ev));
	emit(&e, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(&e, &ev, yaml_stream_end_event_initialize(&ev));
	yaml_emitter_delete(&e);
	lc_buf_puts(&buf, "---\n");
	if (body != NULL)
		lc_buf_puts(&buf, body);
	*len = buf.len;
	return lc_buf_steal(&buf);
}

/* ---- Names ------------------------------------------------------------------------------ */

void
tui_cf_slug(const char *title, const char *fallback, char out[TUI_CF_SLUG_MAX + 1])
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)(title != NULL ? title : "");
	     *p != '\0' && n < TUI_CF_SLUG_MAX; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p >= 0x80)
			out[n++] = (char)*p;
		else if (*p >= 'A' && *p <= 'Z')
			out[n++] = (char)(*p - 'A' + 'a');
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	/* Never half a UTF-8 character: back up to the start of the one cut. */
	if (n == TUI_CF_SLUG_MAX && ((unsigned char)out[n - 1] & 0x80) != 0) {
		while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0xC0)
			n--;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, TUI_CF_SLUG_MAX + 1, "%s", fallback);
}

/* "07" of 7 among n: at least two digits, as many as the largest number needs. */
static int
prefix_width(size_t n)
{
	int w = 1;

	for (size_t x = n; x >= 10; x /= 10)
		w++;
	return w < 2 ? 2 : w;
}

static const char *
doc_id(const cJSON *doc)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "id");

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *
doc_text(const cJSON *doc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * The name an entity had in like (a .lectern text; NULL: none), without its number and
 * ".md": a title edited on the server keeps its file's name, so that a merge of the
 * person's edits of that file is a merge, not a rename against an edit.
 */
static bool
old_name(const char *like, const char *id, char *out, size_t size)
{
	size_t idlen = strlen(id);

	for (const char *p = like; p != NULL && *p != '\0';) {
		size_t len = strcspn(p, "\n");

		if (len > idlen + 1 && strncmp(p, id, idlen) == 0 && p[idlen] == ' ') {
			const char *path = p + idlen + 1, *end = p + len, *start;

			if (end > path && end[-1] == '/')
				end--;
			if (end - path > 3 && strncmp(end - 3, ".md", 3) == 0)
				end -= 3;
			start = end;
			while (start > path && start[-1] != '/')
				start--;
			start += strspn(start, "0123456789");
			if (*start != '-' || end - start - 1 <= 0 ||
			    (size_t)(end - start - 1) >= size ||
			    memchr(start, '#', (size_t)(end - start)) != NULL)
				return false;
			snprintf(out, size, "%.*s", (int)(end - start - 1), start + 1);
			return true;
		}
		p += len + (p[len] == '\n');
	}
	return false;
}

/* ---- The whole course --------------------------------------------------------------------- */

static int
emit_item(const cJSON *item, const char *like, const char *dir, size_t k, int width,
          struct tui_cf_files *out, struct lc_buf *ids, char **cause)
{
	const cJSON *qs = cJSON_GetObjectItemCaseSensitive(item, "questions");
	const char *kind = doc_text(item, "kind");
	bool quiz = kind != NULL && strcmp(kind, "quiz") == 0;
	char slug[256], *path, *data;
	size_t len, q = 0;
	const char *id = doc_id(item);
	const cJSON *x;

	if (id == NULL)
		return lc_cause_set(cause, -LC_EINVAL, "an item of %s has no id", dir);
	if (!old_name(like, id, slug, sizeof(slug)))
		tui_cf_slug(doc_text(item, "title"), "item", slug);
	path = lc_asprintf("%s/%0*zu-%s.md", dir, width, k + 1, slug);
	data = front_matter_file(tui_cf_item_keys, item, quiz && cJSON_IsArray(qs) ? qs : NULL,
	                         doc_text(item, "body"), &len);
	tui_cf_files_add(out, path, data, len);
	lc_buf_printf(ids, "%s %s\n", id, path);
	cJSON_ArrayForEach(x, (quiz ? qs : NULL))
	{
		q++;
		if (doc_id(x) == NULL) {
			int rc =
			    lc_cause_set(cause, -LC_EINVAL, "a question of %s has no id", path);

			free(data);
			free(path);
			return rc;
		}
		lc_buf_printf(ids, "%s %s#%zu\n", doc_id(x), path, q);
	}
	free(data);
	free(path);
	return 0;
}

static int
emit_module(const cJSON *module, const char *like, size_t m, int width, struct tui_cf_files *out,
            struct lc_buf *ids, char **cause)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(module, "items"), *item;
	char slug[256], *dir, *path, *data;
	int iwidth = prefix_width((size_t)cJSON_GetArraySize(items));
	size_t len, k = 0;
	int rc = 0;

	if (doc_id(module) == NULL)
		return lc_cause_set(cause, -LC_EINVAL, "module %zu has no id", m + 1);
	if (!old_name(like, doc_id(module), slug, sizeof(slug)))
		tui_cf_slug(doc_text(module, "title"), "module", slug);
	dir = lc_asprintf("%0*zu-%s", width, m + 1, slug);
	path = lc_asprintf("%s/%s", dir, TUI_CF_MODULE_FILE);
	data = front_matter_file(tui_cf_module_keys, module, NULL, NULL, &len);
	tui_cf_files_add(out, path, data, len);
	lc_buf_printf(ids, "%s %s/\n", doc_id(module), dir);
	free(data);
	free(path);
	cJSON_ArrayForEach(item, items)
	{
		if (rc == 0)
			rc = emit_item(item, like, dir, k++, iwidth, out, ids, cause);
	}
	free(dir);
	return rc;
}

int
tui_cf_emit(const cJSON *course, struct tui_cf_files *out, char **cause)
{
	return tui_cf_emit_like(course, NULL, out, cause);
}

int
tui_cf_emit_like(const cJSON *course, const struct tui_cf_files *like, struct tui_cf_files *out,
                 char **cause)
{
	const struct tui_cf_file *like_ids =
	    like != NULL ? tui_cf_files_find(like, TUI_CF_IDS) : NULL;
	const char *names = like_ids != NULL ? like_ids->data : NULL;
	const cJSON *mods = cJSON_GetObjectItemCaseSensitive(course, "modules"), *module;
	int width = prefix_width((size_t)cJSON_GetArraySize(mods));
	struct lc_buf ids = {0};
	size_t len, m = 0;
	char *data;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (doc_id(course) == NULL)
		return lc_cause_set(cause, -LC_EINVAL, "the course has no id");
	data = front_matter_file(tui_cf_course_keys, course, NULL, doc_text(course, "description"),
	                         &len);
	tui_cf_files_add(out, TUI_CF_COURSE_FILE, data, len);
	free(data);
	lc_buf_puts(&ids, TUI_CF_IDS_HEADER);
	lc_buf_printf(&ids, "%s %s\n", doc_id(course), TUI_CF_COURSE_FILE);
	cJSON_ArrayForEach(module, mods)
	{
		if (rc == 0)
			rc = emit_module(module, names, m++, width, out, &ids, cause);
	}
	if (rc == 0)
		tui_cf_files_add(out, TUI_CF_IDS, ids.data, ids.len);
	lc_buf_finish(&ids);
	if (rc < 0)
		tui_cf_files_free(out);
	return rc;
}

cJSON *
tui_cf_mapped(const char *type, const cJSON *doc)
{
	const struct tui_cf_key *keys = strcmp(type, "course") == 0   ? tui_cf_course_keys
	                                : strcmp(type, "module") == 0 ? tui_cf_module_keys
	                                : strcmp(type, "item") == 0   ? tui_cf_item_keys
	                                                              : tui_cf_question_keys;
	const char *body = strcmp(type, "course") == 0 ? "description"
	                   : strcmp(type, "item") == 0 ? "body"
	                                               : NULL;
	cJSON *out = cJSON_CreateObject();

	for (size_t i = 0; keys[i].file != NULL; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, keys[i].api);

		if (v != NULL && !cJSON_IsNull(v))
			cJSON_AddItemToObject(out, keys[i].api, cJSON_Duplicate(v, 1));
	}
	/* A body of "" and none are one file: nothing after the front matter. */
	if (body != NULL && doc_text(doc, body) != NULL && doc_text(doc, body)[0] != '\0')
		cJSON_AddStringToObject(out, body, doc_text(doc, body));
	return out;
}
