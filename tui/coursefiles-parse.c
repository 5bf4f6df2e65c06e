/* SPDX-License-Identifier: MIT */
/*
 * The files of a checkout read back into a course tree (coursefiles.h), and the replica's
 * course as the same tree. The YAML is read with libyaml into cJSON, every unquoted scalar
 * first kept as its text (a cJSON "raw") and typed only once its key is known: a title of
 * 2024 stays the text "2024", a points of 2024 is the number.
 */
#include "tui/coursefiles.h"

#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "common/text.h"
#include "store/replica.h"
#include "tui/coursefiles-int.h"

#define DEPTH_MAX 8

/* ---- YAML to cJSON ------------------------------------------------------------------------ */

struct reader {
	yaml_parser_t parser;
	const char *path; /* for messages */
	int line0;        /* the file's line of the YAML's first line, minus one */
	char **cause;
};

static int
yaml_fail(struct reader *r, size_t line, const char *what)
{
	return lc_cause_set(r->cause, -LC_EINVAL, "%s, line %zu: %s", r->path,
	                    line + (size_t)r->line0 + 1, what);
}

static int
next(struct reader *r, yaml_event_t *ev)
{
	if (yaml_parser_parse(&r->parser, ev))
		return 0;
	return yaml_fail(r, r->parser.problem_mark.line,
	                 r->parser.problem != NULL ? r->parser.problem : "not YAML");
}

static int node(struct reader *r, yaml_event_t *ev, int depth, cJSON **out);

/* The entries of a sequence or mapping, after its start event, up to its end event. */
static int
collection(struct reader *r, bool mapping, int depth, cJSON *into)
{
	yaml_event_t ev;
	cJSON *key = NULL, *value = NULL;
	int rc;

	for (;;) {
		if ((rc = next(r, &ev)) < 0)
			return rc;
		if (ev.type == (mapping ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT)) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (mapping) {
			size_t line = ev.start_mark.line;

			if (ev.type != YAML_SCALAR_EVENT) {
				yaml_event_delete(&ev);
				return yaml_fail(r, line, "a key must be a plain word");
			}
			key = cJSON_CreateString((const char *)ev.data.scalar.value);
			yaml_event_delete(&ev);
			if (cJSON_HasObjectItem(into, key->valuestring)) {
				rc = yaml_fail(r, line, "a key given twice");
				cJSON_Delete(key);
				return rc;
			}
			if ((rc = next(r, &ev)) < 0 || (rc = node(r, &ev, depth + 1, &value)) < 0) {
				cJSON_Delete(key);
				return rc;
			}
			cJSON_AddItemToObject(into, key->valuestring, value);
			cJSON_Delete(key);
		} else {
			if ((rc = node(r, &ev, depth + 1, &value)) < 0)
				return rc;
			cJSON_AddItemToArray(into, value);
		}
	}
}

/* One node starting with ev (consumed). Plain scalars become raws, quoted ones strings. */
static int
node(struct reader *r, yaml_event_t *ev, int depth, cJSON **out)
{
	size_t line = ev->start_mark.line;
	int rc = 0;

	*out = NULL;
	if (depth > DEPTH_MAX) {
		yaml_event_delete(ev);
		return yaml_fail(r, line, "nested too deep");
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (strlen((const char *)ev->data.scalar.value) != ev->data.scalar.length)
			rc = yaml_fail(r, line, "a NUL character");
		else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			*out = cJSON_CreateRaw((const char *)ev->data.scalar.value);
		else
			*out = cJSON_CreateString((const char *)ev->data.scalar.value);
		yaml_event_delete(ev);
		return rc;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool mapping = ev->type == YAML_MAPPING_START_EVENT;

		yaml_event_delete(ev);
		*out = mapping ? cJSON_CreateObject() : cJSON_CreateArray();
		if ((rc = collection(r, mapping, depth, *out)) < 0) {
			cJSON_Delete(*out);
			*out = NULL;
		}
		return rc;
	}
	default:
		yaml_event_delete(ev);
		return yaml_fail(r, line, "anchors, aliases and tags are not used here");
	}
}

/* The YAML text (len bytes) as one mapping into *out; empty text is an empty mapping. */
static int
yaml_mapping(const char *path, int line0, const char *text, size_t len, cJSON **out, char **cause)
{
	struct reader r = {.path = path, .line0 = line0, .cause = cause};
	yaml_event_t ev;
	int rc;

	*out = NULL;
	if (!yaml_parser_initialize(&r.parser))
		return lc_cause_set(cause, -LC_ENOMEM, "libyaml: out of memory");
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
	rc = next(&r, &ev); /* stream start */
	if (rc == 0) {
		yaml_event_delete(&ev);
		rc = next(&r, &ev);
	}
	if (rc == 0 && ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		*out = cJSON_CreateObject();
	} else if (rc == 0) {
		yaml_event_delete(&ev); /* document start */
		if ((rc = next(&r, &ev)) == 0)
			rc = node(&r, &ev, 0, out);
		if (rc == 0 && cJSON_IsRaw(*out) && (*out)->valuestring[0] == '\0') {
			cJSON_Delete(*out);
			*out = cJSON_CreateObject();
		}
		if (rc == 0 && !cJSON_IsObject(*out))
			rc = yaml_fail(&r, 0, "the front matter must be key: value lines");
		if (rc == 0 && (rc = next(&r, &ev)) == 0) {
			if (ev.type != YAML_DOCUMENT_END_EVENT)
				rc = yaml_fail(&r, ev.start_mark.line, "one document only");
			yaml_event_delete(&ev);
		}
	}
	yaml_parser_delete(&r.parser);
	if (rc < 0) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- Typing the values -------------------------------------------------------------------- */

static bool
is_null_text(const char *s)
{
	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* A plain scalar as YAML reads it: null, a bool, a number, else the text. */
static cJSON *
typed(const char *s)
{
	char *end = NULL;
	double d;

	if (is_null_text(s))
		return cJSON_CreateNull();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		return cJSON_CreateTrue();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return cJSON_CreateFalse();
	if (strspn(s, "0123456789+-.eE") == strlen(s) && strpbrk(s, "0123456789") != NULL) {
		errno = 0;
		d = strtod(s, &end);
		if (errno == 0 && end != NULL && *end == '\0')
			return cJSON_CreateNumber(d);
	}
	return cJSON_CreateString(s);
}

/* v (taken) as want asks; NULL when it cannot be. */
static cJSON *
resolve(cJSON *v, enum tui_cf_want want)
{
	cJSON *out = NULL, *x;

	if (cJSON_IsRaw(v)) {
		if (want == TUI_CF_ANY || is_null_text(v->valuestring))
			out = typed(v->valuestring);
		else if (want == TUI_CF_STR)
			out = cJSON_CreateString(v->valuestring);
	} else if (cJSON_IsString(v)) {
		out = want != TUI_CF_STRS ? cJSON_CreateString(v->valuestring) : NULL;
	} else if (cJSON_IsArray(v) && want != TUI_CF_STR) {
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(x, v)
		{
			cJSON *one = resolve(cJSON_Duplicate(x, 1),
			                     want == TUI_CF_STRS ? TUI_CF_STR : TUI_CF_ANY);

			if (one == NULL) {
				cJSON_Delete(out);
				out = NULL;
				break;
			}
			cJSON_AddItemToArray(out, one);
		}
	}
	cJSON_Delete(v);
	return out;
}

/*
 * The mapping's keys under their API names into doc, each typed by keys; extra (may be
 * NULL) is one more key left as it is (an item's questions). An unknown key is an error.
 */
static int
take_keys(const char *path, cJSON *mapping, const struct tui_cf_key *keys, const char *extra,
          cJSON *doc, char **cause)
{
	cJSON *v;

	while ((v = mapping->child) != NULL) {
		size_t i = 0;
		cJSON *value;

		cJSON_DetachItemViaPointer(mapping, v);
		if (extra != NULL && strcmp(v->string, extra) == 0) {
			cJSON_AddItemToObject(doc, extra, v);
			continue;
		}
		while (keys[i].file != NULL && strcmp(keys[i].file, v->string) != 0)
			i++;
		if (keys[i].file == NULL) {
			int rc = lc_cause_set(cause, -LC_EINVAL, "%s: unknown key \"%s\"", path,
			                      v->string);

			cJSON_Delete(v);
			return rc;
		}
		value = resolve(v, keys[i].want);
		if (value == NULL)
			return lc_cause_set(
			    cause, -LC_EINVAL, "%s: %s must be %s", path, keys[i].file,
			    keys[i].want == TUI_CF_STRS ? "a list of texts" : "a text");
		cJSON_AddItemToObject(doc, keys[i].api, value);
	}
	return 0;
}

/*
 * Splits "---\n" YAML "---\n" body. *yaml and *body point into f; *body_len 0 when the file
 * ends with the front matter.
 */
static int
split(const struct tui_cf_file *f, const char **yaml, size_t *yaml_len, const char **body,
      char **cause)
{
	const char *p, *end = f->data + f->len;

	if (f->len < 4 || memcmp(f->data, "---\n", 4) != 0)
		return lc_cause_set(cause, -LC_EINVAL,
		                    "%s: does not start with a \"---\" line (the front matter)",
		                    f->path);
	*yaml = f->data + 4;
	for (p = *yaml; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (line == 3 && memcmp(p, "---", 3) == 0) {
			*yaml_len = (size_t)(p - *yaml);
			*body = nl != NULL ? nl + 1 : end;
			return 0;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return lc_cause_set(cause, -LC_EINVAL, "%s: the front matter has no closing \"---\" line",
	                    f->path);
}

/* Whether len bytes at s are UTF-8 text without NUL (what the API takes as text). */
static bool
is_text(const char *s, size_t len)
{
	while (len > 0) {
		uint32_t cp;
		size_t k = lc_utf8_decode(s, len, &cp);

		if (cp == 0 || (cp == 0xFFFD && (k != 3 || memcmp(s, "\xEF\xBF\xBD", 3) != 0)))
			return false;
		s += k;
		len -= k;
	}
	return true;
}

/* A file's front matter and body as a doc of keys; body_field (may be NULL) gets the body. */
static int
read_file_doc(const struct tui_cf_file *f, const struct tui_cf_key *keys, const char *extra,
              const char *body_field, cJSON **out, char **cause)
{
	const char *yaml = NULL, *body = NULL;
	size_t yaml_len = 0;
	cJSON *mapping = NULL, *doc;
	int rc = is_text(f->data, f->len)
	             ? split(f, &yaml, &yaml_len, &body, cause)
	             : lc_cause_set(cause, -LC_EINVAL, "%s: not UTF-8 text", f->path);

	*out = NULL;
	if (rc == 0)
		rc = yaml_mapping(f->path, 1, yaml, yaml_len, &mapping, cause);
	if (rc < 0)
		return rc;
	doc = cJSON_CreateObject();
	rc = take_keys(f->path, mapping, keys, extra, doc, cause);
	cJSON_Delete(mapping);
	if (rc == 0 && body < f->data + f->len) {
		if (body_field == NULL)
			rc = lc_cause_set(cause, -LC_EINVAL,
			                  "%s: a module has only a title: nothing may follow the "
			                  "front matter",
			                  f->path);
		else
			cJSON_AddStringToObject(doc, body_field, body);
	}
	cJSON_AddStringToObject(doc, "_file", f->path);
	if (rc < 0)
		cJSON_Delete(doc);
	else
		*out = doc;
	return rc;
}

/* An item's questions (the front matter's list) as question docs, in order. */
static int
take_questions(cJSON *item, char **cause)
{
	cJSON *list = cJSON_DetachItemFromObjectCaseSensitive(item, "questions"), *q;
	const char *path = cJSON_GetObjectItemCaseSensitive(item, "_file")->valuestring;
	cJSON *out = cJSON_CreateArray();
	size_t n = 0;
	int rc = 0;

	cJSON_AddItemToObject(item, "questions", out);
	if (list == NULL || (cJSON_IsRaw(list) && is_null_text(list->valuestring))) {
		cJSON_Delete(list);
		return 0;
	}
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(list);
		return lc_cause_set(cause, -LC_EINVAL, "%s: questions must be a list", path);
	}
	while (rc == 0 && (q = list->child) != NULL) {
		char *where = lc_asprintf("%s, question %zu", path, ++n);
		cJSON *doc = cJSON_CreateObject();

		cJSON_DetachItemViaPointer(list, q);
		if (!cJSON_IsObject(q))
			rc = lc_cause_set(cause, -LC_EINVAL, "%s: must be key: value lines", where);
		else
			rc = take_keys(where, q, tui_cf_question_keys, NULL, doc, cause);
		cJSON_AddItemToArray(out, doc);
		cJSON_Delete(q);
		free(where);
	}
	cJSON_Delete(list);
	return rc;
}

/* ---- The layout ---------------------------------------------------------------------------- */

/* The number of "12-name", or -1 when name has no numeric prefix. */
static long
prefix_of(const char *name)
{
	size_t digits = strspn(name, "0123456789");
	long n = 0;

	if (digits == 0 || digits > 6 || name[digits] != '-')
		return -1;
	for (size_t i = 0; i < digits; i++)
		n = n * 10 + (name[i] - '0');
	return n;
}

/* Orders cJSON string names by their numeric prefix, then by name. */
static int
by_prefix(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	long px = prefix_of(x), py = prefix_of(y);

	if (px != py)
		return px < py ? -1 : 1;
	return strcmp(x, y);
}

/* The path of a file under a module folder ("01-a/02-b.md"), or NULL: dir's length. */
static size_t
module_dir_len(const char *path)
{
	const char *slash = strchr(path, '/');

	if (slash == NULL || prefix_of(path) < 0)
		return 0;
	return (size_t)(slash - path);
}

struct names {
	char **v;
	size_t n;
};

static void
names_add_once(struct names *names, const char *s, size_t len)
{
	for (size_t i = 0; i < names->n; i++)
		if (strlen(names->v[i]) == len && memcmp(names->v[i], s, len) == 0)
			return;
	names->v = lc_realloc(names->v, (names->n + 1) * sizeof(names->v[0]));
	names->v[names->n++] = lc_strndup(s, len);
}

static void
names_free(struct names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
}

/* The items of module folder dir, in prefix order. */
static int
read_items(const struct tui_cf_files *files, const char *dir, cJSON *items, char **cause)
{
	struct names names = {0};
	size_t dlen = strlen(dir);
	int rc = 0;

	for (size_t i = 0; i < files->n; i++) {
		const char *p = files->v[i].path, *name;
		size_t nlen;

		if (strncmp(p, dir, dlen) != 0 || p[dlen] != '/')
			continue;
		name = p + dlen + 1;
		nlen = strlen(name);
		if (strcmp(name, TUI_CF_MODULE_FILE) == 0 || strchr(name, '/') != NULL)
			continue;
		if (nlen < 3 || strcmp(name + nlen - 3, ".md") != 0)
			continue; /* a picture, notes: not the course's */
		if (prefix_of(name) < 0) {
			rc = lc_cause_set(cause, -LC_EINVAL,
			                  "%s: an item's file name starts with its number (01-%s)",
			                  p, name);
			break;
		}
		names_add_once(&names, name, nlen);
	}
	if (names.n > 1) /* qsort takes no NULL array, even of none */
		qsort(names.v, names.n, sizeof(names.v[0]), by_prefix);
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		char *path = lc_asprintf("%s/%s", dir, names.v[i]);
		const struct tui_cf_file *f = tui_cf_files_find(files, path);
		cJSON *item = NULL;

		rc = read_file_doc(f, tui_cf_item_keys, "questions", "body", &item, cause);
		if (rc == 0) {
			cJSON_AddItemToArray(items, item);
			rc = take_questions(item, cause);
		}
		free(path);
	}
	names_free(&names);
	return rc;
}

static int
read_modules(const struct tui_cf_files *files, cJSON *mods, char **cause)
{
	struct names dirs = {0};
	int rc = 0;

	for (size_t i = 0; i < files->n; i++) {
		size_t len = module_dir_len(files->v[i].path);

		if (len > 0)
			names_add_once(&dirs, files->v[i].path, len);
	}
	if (dirs.n > 1)
		qsort(dirs.v, dirs.n, sizeof(dirs.v[0]), by_prefix);
	for (size_t i = 0; rc == 0 && i < dirs.n; i++) {
		char *path = lc_asprintf("%s/%s", dirs.v[i], TUI_CF_MODULE_FILE);
		const struct tui_cf_file *f = tui_cf_files_find(files, path);
		cJSON *module = NULL;

		if (f == NULL)
			rc = lc_cause_set(cause, -LC_EINVAL,
			                  "%s/: a module folder needs a module.md with its title",
			                  dirs.v[i]);
		else
			rc = read_file_doc(f, tui_cf_module_keys, NULL, NULL, &module, cause);
		if (rc == 0) {
			cJSON *items = cJSON_AddArrayToObject(module, "items");

			cJSON_ReplaceItemInObject(module, "_file",
			                          cJSON_CreateString(dirs.v[i])); /* "01-a" */
			cJSON_AddItemToArray(mods, module);
			rc = read_items(files, dirs.v[i], items, cause);
		}
		free(path);
	}
	names_free(&dirs);
	return rc;
}

int
tui_cf_parse(const struct tui_cf_files *files, const cJSON *base, cJSON **out, char **cause)
{
	const struct tui_cf_file *f = tui_cf_files_find(files, TUI_CF_COURSE_FILE);
	cJSON *course = NULL;
	int rc;

	*out = NULL;
	if (f == NULL)
		return lc_cause_set(cause, -LC_EINVAL,
		                    "no course.md: not a course folder (lectern course checkout "
		                    "makes one)");
	rc = read_file_doc(f, tui_cf_course_keys, NULL, "description", &course, cause);
	if (rc == 0)
		rc = read_modules(files, cJSON_AddArrayToObject(course, "modules"), cause);
	if (rc == 0)
		rc = tui_cf_assign_ids(files, base, course, cause);
	if (rc < 0)
		cJSON_Delete(course);
	else
		*out = course;
	return rc;
}

/* ---- The replica's course ------------------------------------------------------------------ */

/* The live children of parent of type, in position order, each doc parsed into arr. */
static int
children(struct store_db *db, const char *type, const char *parent_id, cJSON *arr)
{
	struct store_resource_list list = {0};
	int rc = store_resource_list(db, type, parent_id, NULL, STORE_ORDER_POSITION, &list);

	for (size_t i = 0; rc == 0 && i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);

		if (!cJSON_IsObject(doc)) {
			cJSON_Delete(doc);
			rc = -LC_EPROTO;
		} else {
			cJSON_AddItemToArray(arr, doc);
		}
	}
	store_resource_list_free(&list);
	return rc;
}

int
tui_cf_from_replica(struct store_db *db, const char *course_id, cJSON **out, char **cause)
{
	struct store_resource res = {0};
	cJSON *course, *mods, *m, *it;
	int rc;

	*out = NULL;
	if (store_resource_get(db, "course", course_id, &res) < 0)
		return lc_cause_set(cause, -LC_ENOTFOUND,
		                    "no course %s in the replica (run `lectern sync`?)", course_id);
	course = cJSON_Parse(res.doc);
	store_resource_finish(&res);
	if (!cJSON_IsObject(course)) {
		cJSON_Delete(course);
		return lc_cause_set(cause, -LC_EPROTO, "course %s: unreadable doc", course_id);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(course, "modules");
	mods = cJSON_AddArrayToObject(course, "modules");
	rc = children(db, "module", course_id, mods);
	cJSON_ArrayForEach(m, (rc == 0 ? mods : NULL))
	{
		cJSON *items = cJSON_AddArrayToObject(m, "items");

		if (rc == 0)
			rc = children(db, "item", cJSON_GetObjectItem(m, "id")->valuestring, items);
		cJSON_ArrayForEach(it, (rc == 0 ? items : NULL))
		{
			cJSON *qs = cJSON_AddArrayToObject(it, "questions");

			if (rc == 0)
				rc = children(db, "question",
				              cJSON_GetObjectItem(it, "id")->valuestring, qs);
		}
	}
	if (rc < 0) {
		cJSON_Delete(course);
		return lc_cause_set(cause, rc, "course %s: cannot read the replica: %s", course_id,
		                    store_db_error(db)->message);
	}
	*out = course;
	return 0;
}

/* ---- A folder ------------------------------------------------------------------------------ */

static int
read_tree(const char *top, const char *rel, struct tui_cf_files *out, int depth, char **cause)
{
	char *dir = rel[0] != '\0' ? lc_asprintf("%s/%s", top, rel) : lc_strdup(top);
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (d == NULL) {
		rc = lc_cause_set(cause, -LC_EIO, "%s: %s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *r, *full;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    (depth == 0 && strcmp(de->d_name, ".git") == 0))
			continue;
		r = rel[0] != '\0' ? lc_asprintf("%s/%s", rel, de->d_name) : lc_strdup(de->d_name);
		full = lc_asprintf("%s/%s", top, r);
		if (lstat(full, &st) != 0) {
			rc = lc_cause_set(cause, -LC_EIO, "%s: %s", full, strerror(errno));
		} else if (S_ISDIR(st.st_mode) && depth < 4) {
			rc = read_tree(top, r, out, depth + 1, cause);
		} else if (S_ISREG(st.st_mode)) {
			char *data = NULL;
			size_t len = 0;

			if (lc_read_file(full, &data, &len) != 0)
				rc = lc_cause_set(cause, -LC_EIO, "cannot read %s", full);
			else
				tui_cf_files_add(out, r, data, len);
			free(data);
		}
		free(full);
		free(r);
	}
	closedir(d);
	free(dir);
	return rc;
}

int
tui_cf_read_dir(const char *dir, struct tui_cf_files *out, char **cause)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_tree(dir, "", out, 0, cause);
	if (rc < 0)
		tui_cf_files_free(out);
	return rc;
}
