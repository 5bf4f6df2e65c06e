/* SPDX-License-Identifier: MIT */
/*
 * Which server resource each file of a checkout is (coursefiles.h). .lectern names the id of
 * each path as lectern last wrote it; a person renames and renumbers files without telling
 * it. So a file .lectern does not know takes the id of a path .lectern knows but that is
 * gone, when the two are plainly the same thing: the same name after the number ("03-x.md"
 * was "01-x.md", perhaps in another module), else the same title, else the same body. A
 * rename is then a move, never a delete and a create (calcurse's lesson, STYLE.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "tui/coursefiles-int.h"
#include "tui/coursefiles.h"

/* .lectern's lines as {path: id}, and which of them a file took. */
struct ids {
	cJSON *by_path;
	cJSON *taken; /* {path: true} */
};

static int
ids_read(const struct tui_cf_files *files, struct ids *ids, char **cause)
{
	const struct tui_cf_file *f = tui_cf_files_find(files, TUI_CF_IDS);
	size_t line = 0;

	ids->by_path = cJSON_CreateObject();
	ids->taken = cJSON_CreateObject();
	for (const char *p = f != NULL ? f->data : ""; *p != '\0';) {
		size_t len = strcspn(p, "\n");
		char *text = lc_strndup(p, len);

		line++;
		p += len + (p[len] == '\n');
		if (text[0] != '#' && text[0] != '\0') {
			char *sp = strchr(text, ' ');

			if (sp == NULL || sp - text != LC_UUID_LEN || sp[1] == '\0') {
				free(text);
				return lc_cause_set(
				    cause, -LC_EINVAL,
				    "%s, line %zu: not \"ID PATH\" (this file is kept "
				    "by lectern)",
				    TUI_CF_IDS, line);
			}
			*sp = '\0';
			if (!lc_uuid_valid(text)) {
				free(text);
				return lc_cause_set(cause, -LC_EINVAL, "%s, line %zu: not an id",
				                    TUI_CF_IDS, line);
			}
			cJSON_DeleteItemFromObjectCaseSensitive(ids->by_path, sp + 1);
			cJSON_AddStringToObject(ids->by_path, sp + 1, text);
		}
		free(text);
	}
	return 0;
}

/* The id .lectern gives path, marking it taken; NULL when none. */
static const char *
take(struct ids *ids, const char *path)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ids->by_path, path);

	if (!cJSON_IsString(v) || cJSON_HasObjectItem(ids->taken, path))
		return NULL;
	cJSON_AddTrueToObject(ids->taken, path);
	return v->valuestring;
}

static const char *
text_of(const cJSON *doc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The base's module or item with id, or NULL. */
static const cJSON *
base_find(const cJSON *base, bool module, const char *id)
{
	const cJSON *m, *it;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(base, "modules"))
	{
		if (module && text_of(m, "id") != NULL && strcmp(text_of(m, "id"), id) == 0)
			return m;
		cJSON_ArrayForEach(it,
		                   (module ? NULL : cJSON_GetObjectItemCaseSensitive(m, "items")))
		{
			if (text_of(it, "id") != NULL && strcmp(text_of(it, "id"), id) == 0)
				return it;
		}
	}
	return NULL;
}

/* A path's last part without its number: "x.md" of "01-a/03-x.md", "a" of "01-a/". */
static void
bare_name(const char *path, char *out, size_t size)
{
	size_t len = strlen(path);
	const char *start;

	if (len > 0 && path[len - 1] == '/')
		len--;
	start = path + len;
	while (start > path && start[-1] != '/')
		start--;
	start += strspn(start, "0123456789");
	if (*start == '-')
		start++;
	snprintf(out, size, "%.*s", (int)(path + len - start), start);
}

/* Whether orphan path (of a module when module) is the thing doc is, by rule 0, 1 or 2. */
static bool
same_thing(const cJSON *base, bool module, const char *orphan_path, const char *orphan_id,
           const cJSON *doc, int rule)
{
	char a[256], b[256];
	const cJSON *was;

	if (rule == 0) {
		bare_name(orphan_path, a, sizeof(a));
		bare_name(text_of(doc, "_file"), b, sizeof(b));
		return strcmp(a, b) == 0;
	}
	was = base_find(base, module, orphan_id);
	if (was == NULL)
		return false;
	if (rule == 1)
		return text_of(was, "title") != NULL && text_of(doc, "title") != NULL &&
		       strcmp(text_of(was, "title"), text_of(doc, "title")) == 0;
	return !module && text_of(was, "body") != NULL && text_of(doc, "body") != NULL &&
	       text_of(was, "body")[0] != '\0' &&
	       strcmp(text_of(was, "body"), text_of(doc, "body")) == 0;
}

/* Whether a .lectern path is a module's ("01-a/") or an item's ("01-a/02-b.md"). */
static bool
is_module_path(const char *p)
{
	return p[0] != '\0' && p[strlen(p) - 1] == '/';
}

static bool
is_item_path(const char *p)
{
	return strchr(p, '/') != NULL && !is_module_path(p) && strchr(p, '#') == NULL;
}

/*
 * The untaken .lectern path that is doc by rule, when exactly one is; NULL otherwise (two
 * candidates are a guess, and a guess could move a colleague's lesson).
 */
static const char *
orphan_for(struct ids *ids, const cJSON *base, bool module, const cJSON *doc, int rule)
{
	const char *hit = NULL;
	const cJSON *v;

	cJSON_ArrayForEach(v, ids->by_path)
	{
		if (cJSON_HasObjectItem(ids->taken, v->string) ||
		    !(module ? is_module_path(v->string) : is_item_path(v->string)) ||
		    !same_thing(base, module, v->string, v->valuestring, doc, rule))
			continue;
		if (hit != NULL)
			return NULL;
		hit = v->string;
	}
	return hit;
}

static void
set_id(cJSON *doc, const char *id)
{
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "id");
	cJSON_AddStringToObject(doc, "id", id);
}

/* The untaken key "from#N" .lectern gives id, or NULL. */
static const char *
key_of_id(struct ids *ids, const char *from, const char *id)
{
	size_t flen = strlen(from);
	const cJSON *v;

	cJSON_ArrayForEach(v, ids->by_path)
	{
		if (strncmp(v->string, from, flen) == 0 && v->string[flen] == '#' &&
		    strcmp(v->valuestring, id) == 0 && !cJSON_HasObjectItem(ids->taken, v->string))
			return v->string;
	}
	return NULL;
}

/*
 * The questions of item, whose ids .lectern keeps under from ("01-a/02-quiz.md#1"...).
 * With base, a question whose prompt is the prompt of exactly one of the base's questions
 * of that quiz takes its id: reordering the list is a move of the questions. The others
 * take the id of their place in the list.
 */
static void
question_ids(struct ids *ids, const cJSON *base, cJSON *item, const char *from)
{
	const cJSON *was = base != NULL && text_of(item, "id") != NULL
	                       ? base_find(base, false, text_of(item, "id"))
	                       : NULL;
	cJSON *q;
	size_t n = 0;

	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(item, "questions"))
	{
		const cJSON *b, *hit = NULL;
		int hits = 0;

		cJSON_ArrayForEach(
		    b, (was != NULL ? cJSON_GetObjectItemCaseSensitive(was, "questions") : NULL))
		{
			if (text_of(b, "prompt") != NULL && text_of(q, "prompt") != NULL &&
			    strcmp(text_of(b, "prompt"), text_of(q, "prompt")) == 0) {
				hit = b;
				hits++;
			}
		}
		if (hits == 1 && text_of(hit, "id") != NULL) {
			const char *key = key_of_id(ids, from, text_of(hit, "id"));

			if (key != NULL)
				set_id(q, take(ids, key));
		}
	}
	cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(item, "questions"))
	{
		char *key = lc_asprintf("%s#%zu", from, ++n);
		const char *id;

		if (text_of(q, "id") == NULL && (id = take(ids, key)) != NULL)
			set_id(q, id);
		free(key);
	}
}

/* Pass one: by path. Items whose path .lectern knows get their questions too. */
static void
by_path(struct ids *ids, const cJSON *base, cJSON *course)
{
	cJSON *m, *it;
	const char *id;

	if ((id = take(ids, TUI_CF_COURSE_FILE)) != NULL)
		set_id(course, id);
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(course, "modules"))
	{
		char *key = lc_asprintf("%s/", text_of(m, "_file"));

		if ((id = take(ids, key)) != NULL)
			set_id(m, id);
		free(key);
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "items"))
		{
			if ((id = take(ids, text_of(it, "_file"))) != NULL) {
				set_id(it, id);
				question_ids(ids, base, it, text_of(it, "_file"));
			}
		}
	}
}

int
tui_cf_assign_ids(const struct tui_cf_files *files, const cJSON *base, cJSON *course, char **cause)
{
	struct ids ids = {0};
	cJSON *m, *it;
	int rc = ids_read(files, &ids, cause);

	if (rc == 0)
		by_path(&ids, base, course);
	/* Pass two, rule by rule so that a name match wins over a title match elsewhere. */
	for (int rule = 0; rc == 0 && rule < (base != NULL ? 3 : 1); rule++) {
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(course, "modules"))
		{
			const char *p;

			if (text_of(m, "id") == NULL && rule < 2 &&
			    (p = orphan_for(&ids, base, true, m, rule)) != NULL)
				set_id(m, take(&ids, p));
			cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "items"))
			{
				if (text_of(it, "id") != NULL ||
				    (p = orphan_for(&ids, base, false, it, rule)) == NULL)
					continue;
				set_id(it, take(&ids, p));
				question_ids(&ids, base, it, p);
			}
		}
	}
	cJSON_Delete(ids.by_path);
	cJSON_Delete(ids.taken);
	return rc;
}
