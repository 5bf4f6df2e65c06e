/* SPDX-License-Identifier: MIT */
/*
 * The course and item forms of the course editor. A form's values become the fields of a
 * create or a PATCH, checked with tui_check_fields() before anything is queued (the same
 * check the command line runs), so a refusal shows in the form in words and the text typed
 * stays there to be fixed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/author.h"
#include "tui/form.h"

#define DEPT_MAX 32
/* A description longer than a form field holds is edited in the editor (D), never cut. */
#define DESC_FORM_MAX 500

void
tui_author_writer(struct tui_app *app, struct tui_writer *w)
{
	w->db = app->db;
	w->user_id = app->user_id;
	w->username = app->username;
}

int
tui_author_save(struct tui_app *app, const char *type, const char *parent_id, const char *id,
                const cJSON *fields, tui_new_id id_out, char **cause)
{
	struct tui_writer w;
	int rc = tui_check_fields(type, fields, id == NULL, cause);

	tui_author_writer(app, &w);
	if (rc == 0 && id == NULL)
		rc = tui_queue_create(&w, type, parent_id, fields, id_out, cause);
	else if (rc == 0)
		rc = tui_queue_patch(&w, type, id, fields, cause);
	return rc;
}

void
tui_author_written(struct tui_app *app, int rc, char *cause, const char *done)
{
	if (rc < 0)
		tui_flash(app, "Not saved: %s", cause ? cause : lc_strerror(rc));
	else {
		tui_after_write(app);
		tui_flash(app, "%s", done);
	}
	free(cause);
}

int
tui_author_parse_due(const char *text, char out[LC_RFC3339_LEN + 1], char **cause)
{
	char buf[64];
	int y, mo, d, h = 23, mi = 59, n = 0;
	int64_t t;

	if (strlen(text) < sizeof(buf) &&
	    (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && text[n] == '\0')) {
		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:00Z", y, mo, d, h, mi);
		text = buf;
	} else if (strlen(text) < sizeof(buf) &&
	           sscanf(text, "%4d-%2d-%2d %2d:%2d%n", &y, &mo, &d, &h, &mi, &n) == 5 &&
	           text[n] == '\0') {
		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:00Z", y, mo, d, h, mi);
		text = buf;
	}
	if (lc_rfc3339_parse(text, &t) != 0)
		return lc_cause_set(cause, -LC_EINVAL,
		                    "Due date: write it as 2026-12-24 or 2026-12-24 17:00 (UTC), "
		                    "or ISO 8601 with a zone");
	lc_rfc3339(t, out);
	return 0;
}

int
tui_author_parse_num(const char *text, const char *what, double min, double max, double *out,
                     char **cause)
{
	char *end = NULL;
	double v = strtod(text, &end);

	if (end == text || *end != '\0' || !isfinite(v) || v < min || v > max)
		return lc_cause_set(cause, -LC_EINVAL, "%s: a number from %g to %g", what, min,
		                    max);
	*out = v;
	return 0;
}

/* ---- The course form ----------------------------------------------------------------- */

enum { CF_TITLE, CF_CODE, CF_DEPT, CF_KEYWORDS, CF_CERT, CF_PASS, CF_DESC, CF_N };

struct course_form {
	struct tui_app *app;
	const char *course_id; /* NULL: a new course */
	cJSON *doc;            /* the course as the replica has it; NULL for a new one */
	bool desc_in_form;
	const char *dept_words[DEPT_MAX + 2]; /* "none", codes..., NULL */
	char *dept_ids[DEPT_MAX + 1];         /* parallel to dept_words; [0] NULL */
	char *dept_owned[DEPT_MAX + 1];       /* the strings of dept_words */
	char *new_id;                         /* where a created course's id goes */
};

/* The departments the replica knows (the catalog scope carries them) as the choices. */
static void
load_departments(struct course_form *cf)
{
	struct store_resource_list list = {0};
	int n = 1;

	cf->dept_words[0] = "none";
	if (store_resource_list(cf->app->db, "department", NULL, NULL, STORE_ORDER_TITLE, &list) ==
	    0) {
		for (size_t i = 0; i < list.n && n <= DEPT_MAX; i++) {
			cJSON *doc = cJSON_Parse(list.items[i].doc);
			const char *code = tui_json_str(doc, "code");

			cf->dept_owned[n] = lc_strdup(*code ? code : tui_json_str(doc, "name"));
			cf->dept_words[n] = cf->dept_owned[n];
			cf->dept_ids[n] = lc_strdup(list.items[i].id);
			n++;
			cJSON_Delete(doc);
		}
	}
	store_resource_list_free(&list);
	cf->dept_words[n] = NULL;
}

static int
dept_index(const struct course_form *cf, const char *id)
{
	for (int i = 1; id != NULL && cf->dept_words[i] != NULL; i++)
		if (strcmp(cf->dept_ids[i], id) == 0)
			return i;
	return 0;
}

/* "c, pointers,memory" into ["c","pointers","memory"]. */
cJSON *
tui_author_split(const char *text, char sep, bool keep_empty)
{
	cJSON *arr = cJSON_CreateArray();
	char *copy = lc_strdup(text), *save = NULL;
	const char seps[2] = {sep, '\0'};

	for (char *w = strtok_r(copy, seps, &save); w != NULL; w = strtok_r(NULL, seps, &save)) {
		size_t len;

		while (*w == ' ')
			w++;
		len = strlen(w);
		while (len > 0 && w[len - 1] == ' ')
			w[--len] = '\0';
		if (len > 0 || keep_empty)
			cJSON_AddItemToArray(arr, cJSON_CreateString(w));
	}
	free(copy);
	return arr;
}

static char *
keywords_text(const cJSON *doc)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "keywords"), *e;
	struct lc_buf buf = {0};

	cJSON_ArrayForEach(e, arr)
	{
		if (!cJSON_IsString(e))
			continue;
		if (buf.len > 0)
			lc_buf_puts(&buf, ", ");
		lc_buf_puts(&buf, e->valuestring);
	}
	return lc_buf_steal(&buf);
}

/* The form's values as the fields of a course. Returns 0 or -LC_EINVAL with *cause. */
static int
course_fields(const struct course_form *cf, const struct tui_form *form, cJSON *f, char **cause)
{
	char *text;
	double pass;
	int rc = 0, dept = form->fields[CF_DEPT].choice;
	size_t len;

	text = tui_form_get(form, CF_TITLE);
	cJSON_AddStringToObject(f, "title", text);
	free(text);
	/* An empty field that was empty is left out: no edit that only turns null into "". */
	text = tui_form_get(form, CF_CODE);
	if (*text != '\0')
		cJSON_AddStringToObject(f, "code", text);
	else if (*tui_json_str(cf->doc, "code") != '\0')
		cJSON_AddNullToObject(f, "code");
	free(text);
	if (dept > 0)
		cJSON_AddStringToObject(f, "department_id", cf->dept_ids[dept]);
	else if (cf->doc != NULL)
		cJSON_AddNullToObject(f, "department_id");
	text = tui_form_get(form, CF_KEYWORDS);
	if (*text != '\0' ||
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cf->doc, "keywords")) > 0)
		cJSON_AddItemToObject(f, "keywords", tui_author_split(text, ',', false));
	free(text);
	cJSON_AddBoolToObject(f, "certification", form->fields[CF_CERT].choice == 1);
	text = tui_form_get(form, CF_PASS);
	len = strlen(text);
	if (len > 0 && text[len - 1] == '%')
		text[--len] = '\0';
	rc = tui_author_parse_num(text, "Pass score (percent)", 0, 100, &pass, cause);
	free(text);
	if (rc == 0)
		cJSON_AddNumberToObject(f, "pass_score", round(pass * 100) / 10000);
	if (rc == 0 && cf->desc_in_form) {
		text = tui_form_get(form, CF_DESC);
		cJSON_AddStringToObject(f, "description", text);
		free(text);
	}
	return rc;
}

static int
course_submit(void *ctx, const struct tui_form *form, char **cause)
{
	struct course_form *cf = ctx;
	cJSON *f = cJSON_CreateObject();
	int rc = course_fields(cf, form, f, cause);

	if (rc == 0)
		rc = tui_author_save(cf->app, "course", NULL, cf->doc ? cf->course_id : NULL, f,
		                     cf->new_id, cause);
	cJSON_Delete(f);
	return rc;
}

bool
tui_author_course_form(struct tui_app *app, const char *course_id, tui_new_id id_out)
{
	struct course_form cf = {.app = app, .course_id = course_id, .new_id = id_out};
	struct tui_form_field fields[CF_N];
	struct tui_form form = {.fields = fields, .n = CF_N};
	struct store_resource res = {0};
	const char *desc;
	char *kw, *key, pass[32];
	bool saved;

	if (course_id != NULL) {
		if (store_resource_get(app->db, "course", course_id, &res) < 0) {
			tui_flash(app, "This course is no longer on this replica");
			return false;
		}
		cf.doc = cJSON_Parse(res.doc);
		store_resource_finish(&res);
	}
	load_departments(&cf);
	form.title = cf.doc ? "Course fields" : "New course";
	tui_form_text(&form, CF_TITLE, "Title", tui_json_str(cf.doc, "title"), NULL);
	tui_form_text(&form, CF_CODE, "Code", tui_json_str(cf.doc, "code"), "e.g. C201");
	tui_form_choice(&form, CF_DEPT, "Department", cf.dept_words, NULL)->choice =
	    dept_index(&cf, cf.doc ? tui_json_str(cf.doc, "department_id") : NULL);
	kw = keywords_text(cf.doc);
	tui_form_text(&form, CF_KEYWORDS, "Keywords", kw, "comma-separated");
	free(kw);
	tui_form_bool(&form, CF_CERT, "Certification", tui_json_bool(cf.doc, "certification"));
	snprintf(pass, sizeof(pass), "%g",
	         round(tui_json_num(cf.doc, "pass_score", 0.6) * 1000) / 10);
	tui_form_text(&form, CF_PASS, "Pass score %", pass, "0-100");
	desc = tui_json_str(cf.doc, "description");
	cf.desc_in_form = strlen(desc) <= DESC_FORM_MAX && strchr(desc, '\n') == NULL;
	if (cf.desc_in_form)
		tui_form_text(&form, CF_DESC, "Description", desc, NULL);
	else
		form.n = CF_N - 1; /* longer: D in the editor edits it whole */
	key = lc_asprintf("form:course:%s", course_id != NULL ? course_id : "new");
	form.draft_key = key;
	saved = tui_form_run(app, &form, course_submit, &cf);
	free(key);
	for (int i = 1; i <= DEPT_MAX; i++) {
		free(cf.dept_ids[i]);
		free(cf.dept_owned[i]);
	}
	cJSON_Delete(cf.doc);
	if (saved)
		tui_after_write(app);
	return saved;
}

/* ---- The item form ------------------------------------------------------------------- */

enum { IF_TITLE, IF_KIND, IF_DUE, IF_POINTS, IF_REQUIRED, IF_URL, IF_ATTEMPTS, IF_N };

static const char *const item_kinds[] = {"page", "link", "quiz", "assignment", NULL};

struct item_form {
	struct tui_app *app;
	const char *module_id;
	const char *item_id; /* NULL: a new item */
	cJSON *doc;
	char *new_id;
};

/* Text field i as a number, or null when empty (clears it on an edit). */
static int
optional_num(const struct tui_form *form, int i, const char *what, double min, double max, cJSON *f,
             const char *key, bool create, char **cause)
{
	char *text = tui_form_get(form, i);
	double v;
	int rc = 0;

	if (*text == '\0') {
		if (!create)
			cJSON_AddNullToObject(f, key);
	} else if ((rc = tui_author_parse_num(text, what, min, max, &v, cause)) == 0) {
		cJSON_AddNumberToObject(f, key, v);
	}
	free(text);
	return rc;
}

static int
item_fields(const struct item_form *itf, const struct tui_form *form, cJSON *f, char **cause)
{
	const char *kind = tui_form_word(form, IF_KIND);
	bool create = itf->doc == NULL;
	char *text, due[LC_RFC3339_LEN + 1];
	int rc = 0;

	text = tui_form_get(form, IF_TITLE);
	cJSON_AddStringToObject(f, "title", text);
	free(text);
	cJSON_AddStringToObject(f, "kind", kind);
	text = tui_form_get(form, IF_DUE);
	if (*text == '\0') {
		if (!create)
			cJSON_AddNullToObject(f, "due_at");
	} else if ((rc = tui_author_parse_due(text, due, cause)) == 0) {
		cJSON_AddStringToObject(f, "due_at", due);
	}
	free(text);
	if (rc == 0)
		rc = optional_num(form, IF_POINTS, "Points", 0, 1e9, f, "points", create, cause);
	cJSON_AddBoolToObject(f, "required", form->fields[IF_REQUIRED].choice == 1);
	if (rc == 0 && strcmp(kind, "link") == 0) {
		text = tui_form_get(form, IF_URL);
		if (*text == '\0')
			rc = lc_cause_set(cause, -LC_EINVAL, "A link needs its URL");
		else
			cJSON_AddStringToObject(f, "url", text);
		free(text);
	}
	if (rc == 0 && strcmp(kind, "quiz") == 0)
		rc = optional_num(form, IF_ATTEMPTS, "Max attempts (empty: unlimited)", 1, 100000,
		                  f, "max_attempts", create, cause);
	if (rc == 0) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(f, "max_attempts");

		if (cJSON_IsNumber(m) && m->valuedouble != floor(m->valuedouble))
			rc = lc_cause_set(cause, -LC_EINVAL, "Max attempts: a whole number");
	}
	return rc;
}

static int
item_submit(void *ctx, const struct tui_form *form, char **cause)
{
	struct item_form *itf = ctx;
	cJSON *f = cJSON_CreateObject();
	int rc = item_fields(itf, form, f, cause);

	if (rc == 0)
		rc = tui_author_save(itf->app, "item", itf->module_id,
		                     itf->doc ? itf->item_id : NULL, f, itf->new_id, cause);
	cJSON_Delete(f);
	return rc;
}

static void
num_text(const cJSON *doc, const char *key, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);

	if (cJSON_IsNumber(v))
		snprintf(out, size, "%g", v->valuedouble);
	else
		out[0] = '\0';
}

bool
tui_author_item_form(struct tui_app *app, const char *module_id, const char *item_id,
                     tui_new_id id_out)
{
	struct item_form itf = {.app = app, .module_id = module_id, .item_id = item_id};
	struct tui_form_field fields[IF_N];
	struct tui_form form = {.fields = fields, .n = IF_N};
	struct store_resource res = {0};
	tui_new_id scratch;
	char points[32], attempts[32], *key;
	bool saved;

	itf.new_id = id_out != NULL ? id_out : scratch;
	if (item_id != NULL) {
		if (store_resource_get(app->db, "item", item_id, &res) < 0) {
			tui_flash(app, "This item is no longer on this replica");
			return false;
		}
		itf.doc = cJSON_Parse(res.doc);
		store_resource_finish(&res);
	}
	form.title = itf.doc ? "Item fields" : "New item";
	tui_form_text(&form, IF_TITLE, "Title", tui_json_str(itf.doc, "title"), NULL);
	tui_form_choice(&form, IF_KIND, "Kind", item_kinds,
	                itf.doc ? tui_json_str(itf.doc, "kind") : "page");
	tui_form_text(&form, IF_DUE, "Due (UTC)", tui_json_str(itf.doc, "due_at"),
	              "2026-12-24 [17:00]");
	num_text(itf.doc, "points", points, sizeof(points));
	tui_form_text(&form, IF_POINTS, "Points", points, "empty: none");
	tui_form_bool(&form, IF_REQUIRED, "Required",
	              itf.doc == NULL ||
	                  cJSON_GetObjectItemCaseSensitive(itf.doc, "required") == NULL ||
	                  tui_json_bool(itf.doc, "required"));
	tui_form_text(&form, IF_URL, "URL", tui_json_str(itf.doc, "url"), NULL);
	fields[IF_URL].when_field = IF_KIND;
	fields[IF_URL].when_mask = 1u << 1;
	num_text(itf.doc, "max_attempts", attempts, sizeof(attempts));
	tui_form_text(&form, IF_ATTEMPTS, "Max attempts", attempts, "empty: unlimited");
	fields[IF_ATTEMPTS].when_field = IF_KIND;
	fields[IF_ATTEMPTS].when_mask = 1u << 2;
	key = item_id != NULL ? lc_asprintf("form:item:%s", item_id)
	                      : lc_asprintf("form:item:new:%s", module_id);
	form.draft_key = key;
	saved = tui_form_run(app, &form, item_submit, &itf);
	free(key);
	cJSON_Delete(itf.doc);
	if (saved)
		tui_after_write(app);
	return saved;
}
