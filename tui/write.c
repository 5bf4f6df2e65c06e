/* SPDX-License-Identifier: MIT */
/*
 * The one write module (write.h): every write of the TUI and of the command line is built
 * here, as the REST request of the wire contract with a client-made UUID, its optimistic
 * doc, the scope that doc lives in and the rev it was based on, and recorded with
 * store_local_write() (overlay and outbox entry in one transaction).
 *
 * The checks mirror the server (server-stub/res-*.c, validate.c, grade.c): a write the
 * server would refuse with 400 is refused here with a sentence, before anything is queued.
 */
#include "tui/write.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/replica.h"

#define TITLE_MAX 200      /* courses, modules, items, topics */
#define CODE_MAX 32        /* a course's code */
#define MARKDOWN_MAX 20000 /* bodies, descriptions, prompts */
/* An item's body: lecternd's SRV_ITEM_BODY_MAX (issue 15: long tutorials). */
#define ITEM_BODY_MAX (256 * 1024)
#define URL_MAX 2048    /* a link item's url */
#define KEYWORD_MAX 64  /* one keyword */
#define KEYWORDS_MAX 32 /* keywords of a course */
#define CHOICE_MAX 1000 /* one choice of a question */
#define CHOICES_MAX 20  /* choices of a question */
#define POSITION_MAX 2147483647.0

static int refuse(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets *cause (when cause is not NULL) and returns -LC_EINVAL. */
static int
refuse(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		free(*cause);
		*cause = lc_vasprintf(fmt, ap);
		va_end(ap);
	}
	return -LC_EINVAL;
}

bool
tui_kind_completes_by_attempt(const char *kind)
{
	return kind != NULL && strcmp(kind, "quiz") == 0;
}

/* ---- Docs of the replica ---------------------------------------------------------------- */

static const char *
jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : NULL;
}

/* The REST collection of a type ("item" -> "items"), or NULL for one that is not edited. */
static const char *
collection(const char *type)
{
	static const char *const map[][2] = {
	    {"course", "courses"},     {"module", "modules"}, {"item", "items"},
	    {"question", "questions"}, {"topic", "topics"},   {"reply", "replies"},
	};

	for (size_t i = 0; type != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], type) == 0)
			return map[i][1];
	return NULL;
}

/*
 * Reads type/id from the replica (overlay first) and parses its doc. Returns 0, or
 * -LC_ENOTFOUND / -LC_EPROTO with *cause; *res and *doc are the caller's to free.
 */
static int
load(const struct tui_writer *w, const char *type, const char *id, struct store_resource *res,
     cJSON **doc, char **cause)
{
	int rc;

	memset(res, 0, sizeof(*res));
	*doc = NULL;
	if (id == NULL || (rc = store_resource_get(w->db, type, id, res)) == -LC_ENOTFOUND) {
		if (cause != NULL)
			*cause = lc_asprintf("no %s %s on this replica (run `lectern sync`?)", type,
			                     id != NULL ? id : "(none)");
		return -LC_ENOTFOUND;
	}
	if (rc < 0) {
		if (cause != NULL)
			*cause = lc_strdup(store_db_error(w->db)->message);
		return rc;
	}
	*doc = cJSON_Parse(res->doc);
	if (!cJSON_IsObject(*doc)) {
		cJSON_Delete(*doc);
		*doc = NULL;
		store_resource_finish(res);
		if (cause != NULL)
			*cause = lc_asprintf("%s %s has an unreadable doc", type, id);
		return -LC_EPROTO;
	}
	return 0;
}

/* The doc of type/id alone (NULL when absent or unreadable). */
static cJSON *
doc_of(const struct tui_writer *w, const char *type, const char *id)
{
	struct store_resource res;
	cJSON *doc = NULL;

	if (load(w, type, id, &res, &doc, NULL) == 0)
		store_resource_finish(&res);
	return doc;
}

/*
 * The course a resource belongs to, written into out: its own id for a course, else the
 * doc's course_id, else its parent's course (a local create may lack course_id). Returns
 * false when the replica cannot tell.
 */
static bool
course_of(const struct tui_writer *w, const char *type, const cJSON *doc, char *out, size_t size)
{
	const char *s = jstr(doc, strcmp(type, "course") == 0 ? "id" : "course_id");
	const char *pfield = store_parent_field(type);
	static const char *const parent_type[][2] = {
	    {"item", "module"},   {"question", "item"}, {"reply", "topic"},
	    {"progress", "item"}, {"attempt", "item"},
	};

	if (s != NULL && s[0] != '\0') {
		snprintf(out, size, "%s", s);
		return true;
	}
	for (size_t i = 0; pfield != NULL && i < sizeof(parent_type) / sizeof(parent_type[0]); i++)
		if (strcmp(parent_type[i][0], type) == 0 && jstr(doc, pfield) != NULL) {
			cJSON *parent = doc_of(w, parent_type[i][1], jstr(doc, pfield));
			bool ok =
			    parent != NULL && course_of(w, parent_type[i][1], parent, out, size);

			cJSON_Delete(parent);
			return ok;
		}
	return false;
}

/* Adds id, rev 0, created_at and updated_at to a new optimistic doc. */
static void
stamp(cJSON *doc, const char *id)
{
	char now[LC_RFC3339_LEN + 1];

	lc_rfc3339(lc_now(), now);
	cJSON_AddStringToObject(doc, "id", id);
	cJSON_AddNumberToObject(doc, "rev", 0);
	cJSON_AddStringToObject(doc, "created_at", now);
	cJSON_AddStringToObject(doc, "updated_at", now);
}

/* Sets doc[name] to item (taken), replacing what was there. */
static void
set_item(cJSON *doc, const char *name, cJSON *item)
{
	cJSON_DeleteItemFromObjectCaseSensitive(doc, name);
	cJSON_AddItemToObject(doc, name, item);
}

static void
touch(cJSON *doc)
{
	char now[LC_RFC3339_LEN + 1];

	lc_rfc3339(lc_now(), now);
	set_item(doc, "updated_at", cJSON_CreateString(now));
}

/* Records the write; takes body and doc (either may be NULL). */
static int
record(const struct tui_writer *w, struct store_write *sw, cJSON *body, cJSON *doc, char **cause)
{
	char *body_text = body != NULL ? cJSON_PrintUnformatted(body) : NULL;
	char *doc_text = doc != NULL ? cJSON_PrintUnformatted(doc) : NULL;
	int rc;

	sw->body = body_text;
	sw->doc = doc_text;
	rc = store_local_write(w->db, sw, NULL);
	if (rc < 0) {
		lc_log(LC_LOG_ERROR, "write: %s %s: %s", sw->method, sw->path,
		       store_db_error(w->db)->message);
		if (cause != NULL)
			*cause = lc_asprintf("cannot queue the write: %s",
			                     store_db_error(w->db)->message);
	} else {
		lc_log(LC_LOG_INFO, "write: queued %s %s", sw->method, sw->path);
	}
	cJSON_free(body_text);
	cJSON_free(doc_text);
	cJSON_Delete(body);
	cJSON_Delete(doc);
	return rc;
}

/*
 * Records the creation of id in course content: path (taken) and the scope
 * "course:<course>"; copies id into id_out when not NULL. Takes body and doc.
 */
static int
record_new(const struct tui_writer *w, struct store_write *sw, char *path, const char *course,
           const char *id, cJSON *body, cJSON *doc, tui_new_id id_out, char **cause)
{
	char scope[64];
	int rc;

	snprintf(scope, sizeof(scope), "course:%s", course);
	sw->path = path;
	sw->scope = scope;
	sw->id = id;
	if (id_out != NULL)
		memcpy(id_out, id, LC_UUID_LEN + 1);
	rc = record(w, sw, body, doc, cause);
	free(path);
	return rc;
}

static const char *
user_id(const struct tui_writer *w)
{
	return w->user_id != NULL ? w->user_id : "";
}

/* ---- Checks ------------------------------------------------------------------------------ */

/* Whether the user's own doc gives them content-admin or department-admin in dept. */
static bool
staff_role_in(const cJSON *user, const char *dept)
{
	const cJSON *m, *r;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(user, "departments"))
	{
		if (jstr(m, "department_id") == NULL || strcmp(jstr(m, "department_id"), dept) != 0)
			continue;
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(m, "roles"))
		{
			if (cJSON_IsString(r) && (strcmp(r->valuestring, "content-admin") == 0 ||
			                          strcmp(r->valuestring, "department-admin") == 0))
				return true;
		}
	}
	return false;
}

/* Departments are at most 8 deep (docs/api.md); a longer chain is a loop in bad data. */
#define DEPT_DEPTH_MAX 8

/* Staff rights follow the department tree: the course's department or one above it. */
static bool
staff_in_dept_tree(const struct tui_writer *w, const cJSON *user, const char *dept)
{
	char *cur = dept != NULL ? lc_strdup(dept) : NULL;
	bool found = false;

	for (int depth = 0; cur != NULL && cur[0] != '\0' && !found && depth <= DEPT_DEPTH_MAX;
	     depth++) {
		cJSON *doc;

		found = staff_role_in(user, cur);
		doc = found ? NULL : doc_of(w, "department", cur);
		free(cur);
		cur = jstr(doc, "parent_id") != NULL ? lc_strdup(jstr(doc, "parent_id")) : NULL;
		cJSON_Delete(doc);
	}
	free(cur);
	return found;
}

bool
tui_is_staff(const struct tui_writer *w, const char *course_id)
{
	cJSON *user, *course;
	bool staff = false;

	if (w->user_id == NULL || course_id == NULL)
		return false;
	user = doc_of(w, "user", w->user_id);
	course = doc_of(w, "course", course_id);
	if (jstr(user, "role") != NULL && strcmp(jstr(user, "role"), "admin") == 0)
		staff = true;
	if (jstr(course, "owner_id") != NULL && strcmp(jstr(course, "owner_id"), w->user_id) == 0)
		staff = true;
	if (!staff && user != NULL)
		staff = staff_in_dept_tree(w, user, jstr(course, "department_id"));
	cJSON_Delete(user);
	cJSON_Delete(course);
	return staff;
}

bool
tui_may_create_course(const struct tui_writer *w)
{
	cJSON *user = w->user_id != NULL ? doc_of(w, "user", w->user_id) : NULL;
	const char *role = jstr(user, "role");
	const cJSON *m, *r;
	/* No user doc yet (never synced): the server decides. */
	bool may = user == NULL || role == NULL || strcmp(role, "learner") != 0;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(user, "departments"))
	{
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(m, "roles"))
		{
			if (cJSON_IsString(r) && (strcmp(r->valuestring, "content-admin") == 0 ||
			                          strcmp(r->valuestring, "department-admin") == 0))
				may = true;
		}
	}
	cJSON_Delete(user);
	return may;
}

enum field_kind {
	F_STR,
	F_NUM,
	F_INT,
	F_BOOL,
	F_UUID,
	F_TIME,
	F_KEYWORDS,
	F_CHOICES,
	F_ENUM,
	F_ANY
};

#define F_REQ 1u  /* required on create */
#define F_NULL 2u /* null allowed */

struct field_rule {
	const char *name;
	enum field_kind kind;
	unsigned flags;
	double min, max; /* lengths for strings, values for numbers */
	const char *const *values;
};

static const char *const item_kinds[] = {"page", "link", "quiz", "assignment", NULL};
static const char *const question_kinds[] = {"single", "multiple", "boolean",
                                             "short",  "numeric",  NULL};

static const struct field_rule course_rules[] = {
    {"id", F_UUID, 0, 0, 0, NULL},
    {"title", F_STR, F_REQ, 1, TITLE_MAX, NULL},
    {"description", F_STR, F_NULL, 0, MARKDOWN_MAX, NULL},
    {"code", F_STR, F_NULL, 0, CODE_MAX, NULL},
    {"keywords", F_KEYWORDS, F_NULL, 0, 0, NULL},
    {"department_id", F_UUID, F_NULL, 0, 0, NULL},
    {"certification", F_BOOL, 0, 0, 0, NULL},
    {"pass_score", F_NUM, 0, 0, 1, NULL},
    {NULL, F_ANY, 0, 0, 0, NULL},
};
static const struct field_rule module_rules[] = {
    {"id", F_UUID, 0, 0, 0, NULL},
    {"title", F_STR, F_REQ, 1, TITLE_MAX, NULL},
    {"position", F_INT, 0, 1, POSITION_MAX, NULL},
    {NULL, F_ANY, 0, 0, 0, NULL},
};
static const struct field_rule item_rules[] = {
    {"id", F_UUID, 0, 0, 0, NULL},
    {"title", F_STR, F_REQ, 1, TITLE_MAX, NULL},
    {"kind", F_ENUM, F_REQ, 0, 0, item_kinds},
    {"body", F_STR, F_NULL, 0, ITEM_BODY_MAX, NULL},
    {"url", F_STR, F_NULL, 1, URL_MAX, NULL},
    {"due_at", F_TIME, F_NULL, 0, 0, NULL},
    {"points", F_NUM, F_NULL, 0, 1e9, NULL},
    {"required", F_BOOL, 0, 0, 0, NULL},
    {"max_attempts", F_INT, F_NULL, 1, 100000, NULL},
    {"position", F_INT, 0, 1, POSITION_MAX, NULL},
    {NULL, F_ANY, 0, 0, 0, NULL},
};
static const struct field_rule question_rules[] = {
    {"id", F_UUID, 0, 0, 0, NULL},
    {"prompt", F_STR, F_REQ, 1, MARKDOWN_MAX, NULL},
    {"kind", F_ENUM, F_REQ, 0, 0, question_kinds},
    {"choices", F_CHOICES, F_NULL, 0, 0, NULL},
    {"answer", F_ANY, F_REQ, 0, 0, NULL},
    {"points", F_NUM, 0, 0, 1e6, NULL},
    {"tolerance", F_NUM, F_NULL, 0, 1e12, NULL},
    {"position", F_INT, 0, 1, POSITION_MAX, NULL},
    /* lecternd's extension (docs/api.md): why the answer is right, shown to staff. */
    {"explanation", F_STR, F_NULL, 0, MARKDOWN_MAX, NULL},
    {NULL, F_ANY, 0, 0, 0, NULL},
};
static const struct field_rule topic_rules[] = {
    {"id", F_UUID, 0, 0, 0, NULL},
    {"title", F_STR, F_REQ, 1, TITLE_MAX, NULL},
    {"body", F_STR, F_REQ, 1, MARKDOWN_MAX, NULL},
    {NULL, F_ANY, 0, 0, 0, NULL},
};
static const struct field_rule reply_rules[] = {
    {"id", F_UUID, 0, 0, 0, NULL},
    {"body", F_STR, F_REQ, 1, MARKDOWN_MAX, NULL},
    {NULL, F_ANY, 0, 0, 0, NULL},
};

static const struct field_rule *
rules_of(const char *type)
{
	static const struct {
		const char *type;
		const struct field_rule *rules;
	} map[] = {
	    {"course", course_rules},     {"module", module_rules}, {"item", item_rules},
	    {"question", question_rules}, {"topic", topic_rules},   {"reply", reply_rules},
	};

	for (size_t i = 0; type != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].type, type) == 0)
			return map[i].rules;
	return NULL;
}

/* The length of s in characters (code points), or SIZE_MAX when it is not UTF-8. */
static size_t
utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p != '\0') {
		int extra = *p < 0x80             ? 0
		            : (*p & 0xe0) == 0xc0 ? 1
		            : (*p & 0xf0) == 0xe0 ? 2
		            : (*p & 0xf8) == 0xf0 ? 3
		                                  : -1;

		if (extra < 0)
			return SIZE_MAX;
		p++;
		for (int i = 0; i < extra; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return SIZE_MAX;
		n++;
	}
	return n;
}

/* A string of min..max characters. */
static bool
str_ok(const cJSON *v, double min, double max)
{
	size_t n;

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return false;
	n = utf8_chars(v->valuestring);
	return n != SIZE_MAX && (double)n >= min && (double)n <= max;
}

/* An array of at most max_count strings of 1..max characters. */
static bool
str_array_ok(const cJSON *v, double max, int max_count)
{
	const cJSON *e;
	int n = 0;

	if (!cJSON_IsArray(v))
		return false;
	cJSON_ArrayForEach(e, v)
	{
		if (!str_ok(e, 1, max) || ++n > max_count)
			return false;
	}
	return true;
}

/* Whether v is a valid value of rule r; *what names what it should be. */
static bool
value_ok(const struct field_rule *r, const cJSON *v, const char **what)
{
	int64_t t;

	switch (r->kind) {
	case F_STR:
		*what = r->min > 0 ? "a non-empty text" : "a text";
		return str_ok(v, r->min, r->max);
	case F_NUM:
		*what = "a number";
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= r->min &&
		       v->valuedouble <= r->max;
	case F_INT:
		*what = "a whole number";
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		       v->valuedouble == floor(v->valuedouble) && v->valuedouble >= r->min &&
		       v->valuedouble <= r->max;
	case F_BOOL:
		*what = "true or false";
		return cJSON_IsBool(v);
	case F_UUID:
		*what = "an id (a UUID)";
		return cJSON_IsString(v) && lc_uuid_valid(v->valuestring);
	case F_TIME:
		*what = "a time in RFC 3339 (2026-12-01T09:00:00Z)";
		return cJSON_IsString(v) && lc_rfc3339_parse(v->valuestring, &t) == 0;
	case F_KEYWORDS:
		*what = "a list of at most 32 keywords of 1 to 64 characters";
		return str_array_ok(v, KEYWORD_MAX, KEYWORDS_MAX);
	case F_CHOICES:
		*what = "a list of at most 20 choices of 1 to 1000 characters";
		return str_array_ok(v, CHOICE_MAX, CHOICES_MAX);
	case F_ENUM:
		*what = "one of the kinds";
		for (int i = 0; cJSON_IsString(v) && r->values[i] != NULL; i++)
			if (strcmp(r->values[i], v->valuestring) == 0)
				return true;
		return false;
	case F_ANY:
		*what = "a value";
		return true;
	}
	return false;
}

/* Names the allowed values of an enum rule into a static-free caller buffer. */
static void
values_text(const struct field_rule *r, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; r->values[i] != NULL && len < size; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%s", i > 0 ? ", " : "",
		                        r->values[i]);
}

/* A choice index: a whole number 0..n-1, or -1. */
static int
index_of(const cJSON *v, int n)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!isfinite(d) || d < 0 || d >= n || d != floor(d))
		return -1;
	return (int)d;
}

static bool
not_blank(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v')
			return true;
	return false;
}

/*
 * A question's answer against its kind and choices, as the server's grader would accept
 * it (server-stub/grade.c, srv_grade_answer_valid()).
 */
static int
check_answer(const char *kind, const cJSON *choices, const cJSON *answer, char **cause)
{
	int n = cJSON_IsArray(choices) ? cJSON_GetArraySize(choices) : 0;

	if (kind == NULL)
		return refuse(cause, "a question needs a kind: single, multiple, boolean, short "
		                     "or numeric");
	if (answer == NULL)
		return refuse(cause, "a question needs an answer");
	if ((strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0) && n < 2)
		return refuse(cause, "a %s-choice question needs at least two choices", kind);
	if (strcmp(kind, "single") == 0) {
		if (index_of(answer, n) < 0)
			return refuse(cause,
			              "a single-choice question needs exactly one answer: the "
			              "index of a choice, 0 to %d",
			              n - 1);
	} else if (strcmp(kind, "multiple") == 0) {
		bool seen[CHOICES_MAX] = {false};
		const cJSON *e;
		int count = 0;

		if (!cJSON_IsArray(answer))
			return refuse(cause,
			              "a multiple-choice answer is a list of choice indexes, "
			              "e.g. [0, 2]");
		cJSON_ArrayForEach(e, answer)
		{
			int idx = index_of(e, n < CHOICES_MAX ? n : CHOICES_MAX);

			if (idx < 0)
				return refuse(
				    cause, "a multiple-choice answer holds choice indexes 0 to %d",
				    n - 1);
			if (seen[idx])
				return refuse(
				    cause, "a multiple-choice answer names choice %d twice", idx);
			seen[idx] = true;
			count++;
		}
		if (count == 0)
			return refuse(cause, "a multiple-choice answer needs at least one choice");
	} else if (strcmp(kind, "boolean") == 0) {
		if (!cJSON_IsBool(answer))
			return refuse(cause, "a true/false question's answer is true or false");
	} else if (strcmp(kind, "short") == 0) {
		if (!cJSON_IsString(answer) || !not_blank(answer->valuestring))
			return refuse(cause,
			              "a short-answer question's answer is a non-empty text");
	} else if (strcmp(kind, "numeric") == 0) {
		if (!cJSON_IsNumber(answer) || !isfinite(answer->valuedouble))
			return refuse(cause, "a numeric question's answer is a number");
	}
	return 0;
}

int
tui_check_fields(const char *type, const cJSON *fields, bool create, char **cause)
{
	const struct field_rule *rules = rules_of(type);
	const cJSON *f;

	if (rules == NULL)
		return refuse(cause, "%s is not something that can be written",
		              type != NULL ? type : "(null)");
	if (!cJSON_IsObject(fields))
		return refuse(cause, "a %s is a JSON object of fields", type);
	cJSON_ArrayForEach(f, fields)
	{
		const struct field_rule *r = rules;
		const char *what = "";

		while (r->name != NULL && strcmp(r->name, f->string) != 0)
			r++;
		if (r->name == NULL || (!create && strcmp(r->name, "id") == 0))
			return refuse(cause, "a %s has no field \"%s\"", type, f->string);
		if (cJSON_IsNull(f)) {
			if (!(r->flags & F_NULL))
				return refuse(cause, "the %s's %s cannot be null", type, r->name);
			continue;
		}
		if (!value_ok(r, f, &what)) {
			char kinds[128];

			if (r->kind == F_ENUM) {
				values_text(r, kinds, sizeof(kinds));
				return refuse(cause, "the %s's %s is one of: %s", type, r->name,
				              kinds);
			}
			if (r->kind == F_STR && cJSON_IsString(f) &&
			    utf8_chars(f->valuestring) != SIZE_MAX &&
			    (double)utf8_chars(f->valuestring) > r->max)
				/* Too long says by how much: the author has to know what to cut. */
				return refuse(cause,
				              "the %s's %s is too long, %zu characters: at most "
				              "%.0f characters",
				              type, r->name, utf8_chars(f->valuestring), r->max);
			if (r->kind == F_STR)
				return refuse(cause, "the %s's %s is %s of at most %.0f characters",
				              type, r->name, what, r->max);
			if (r->kind == F_NUM || (r->kind == F_INT && r->max < POSITION_MAX))
				return refuse(cause, "the %s's %s is %s from %g to %g", type,
				              r->name, what, r->min, r->max);
			return refuse(cause, "the %s's %s is %s", type, r->name, what);
		}
	}
	for (const struct field_rule *r = rules; create && r->name != NULL; r++)
		if ((r->flags & F_REQ) && cJSON_GetObjectItemCaseSensitive(fields, r->name) == NULL)
			return refuse(cause, "a new %s needs a %s", type, r->name);
	if (strcmp(type, "question") == 0 && create)
		return check_answer(jstr(fields, "kind"),
		                    cJSON_GetObjectItemCaseSensitive(fields, "choices"),
		                    cJSON_GetObjectItemCaseSensitive(fields, "answer"), cause);
	return 0;
}

/* ---- A learner's writes ----------------------------------------------------------------- */

/* Whether the user has an enrollment in course_id on this replica (pending ones too). */
static bool
enrolled(const struct tui_writer *w, const char *course_id)
{
	struct store_resource_list list = {0};
	bool found = false;

	if (w->user_id == NULL || store_resource_list(w->db, "enrollment", course_id, NULL,
	                                              STORE_ORDER_CREATED, &list) < 0)
		return false;
	for (size_t i = 0; i < list.n && !found; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);

		found =
		    jstr(doc, "user_id") != NULL && strcmp(jstr(doc, "user_id"), w->user_id) == 0;
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	return found;
}

int
tui_queue_enroll(const struct tui_writer *w, const char *course_id, tui_new_id id_out, char **cause)
{
	char id[LC_UUID_LEN + 1];
	struct store_write sw = {
	    .method = "POST", .path = "/api/v1/enrollments", .type = "enrollment", .scope = "user"};
	cJSON *body, *doc, *course;
	int rc;

	if (course_id == NULL || !lc_uuid_valid(course_id))
		return refuse(cause, "%s is not a course id", course_id != NULL ? course_id : "");
	if (tui_is_staff(w, course_id))
		return refuse(cause, "you teach this course: staff cannot enroll");
	if (enrolled(w, course_id))
		return refuse(cause, "you are already enrolled in this course");
	/* The server lets nobody enroll in a draft or an archived course. */
	if ((course = doc_of(w, "course", course_id)) != NULL && jstr(course, "status") != NULL &&
	    strcmp(jstr(course, "status"), "published") != 0) {
		rc = refuse(cause, "this course is %s: only a published course takes enrollments",
		            jstr(course, "status"));
		cJSON_Delete(course);
		return rc;
	}
	cJSON_Delete(course);
	lc_uuid_new(id);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddStringToObject(body, "course_id", course_id);
	doc = cJSON_CreateObject();
	stamp(doc, id);
	cJSON_AddStringToObject(doc, "course_id", course_id);
	cJSON_AddStringToObject(doc, "user_id", user_id(w));
	cJSON_AddStringToObject(doc, "username", w->username != NULL ? w->username : "");
	sw.id = id;
	if (id_out != NULL)
		memcpy(id_out, id, sizeof(id));
	return record(w, &sw, body, doc, cause);
}

/*
 * The user's progress record on item_id (overlay first), in *out when found: one per user
 * and item. A record without a user_id counts as the user's, and every record does when
 * nobody is signed in.
 */
static bool
find_progress(const struct tui_writer *w, const char *item_id, struct store_resource *out)
{
	struct store_resource_list list = {0};
	bool found = false;

	if (store_resource_list(w->db, "progress", item_id, NULL, STORE_ORDER_CREATED, &list) < 0)
		return false;
	for (size_t i = 0; i < list.n && !found; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);
		const char *uid = jstr(doc, "user_id");

		if (w->user_id == NULL || uid == NULL || uid[0] == '\0' ||
		    strcmp(uid, w->user_id) == 0) {
			*out = list.items[i];
			memset(&list.items[i], 0, sizeof(list.items[i]));
			found = true;
		}
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	return found;
}

int
tui_progress_status(const struct tui_writer *w, const char *item_id)
{
	struct store_resource res;
	int status = 0;

	if (item_id != NULL && find_progress(w, item_id, &res)) {
		cJSON *doc = cJSON_Parse(res.doc);
		const char *st = jstr(doc, "status");

		status = st == NULL                     ? 0
		         : strcmp(st, "completed") == 0 ? 2
		                                        : strcmp(st, "started") == 0;
		cJSON_Delete(doc);
		store_resource_finish(&res);
	}
	return status;
}

int
tui_queue_progress(const struct tui_writer *w, const char *item_id, const char *status,
                   char **cause)
{
	struct store_resource old = {0};
	char id[LC_UUID_LEN + 1], course[LC_UUID_LEN + 1] = "";
	struct store_write sw = {
	    .method = "POST", .path = "/api/v1/progress", .type = "progress", .scope = "user"};
	cJSON *item, *body, *doc = NULL;
	int want;

	if (status == NULL || (strcmp(status, "started") != 0 && strcmp(status, "completed") != 0))
		return refuse(cause, "progress is \"started\" or \"completed\"");
	want = strcmp(status, "completed") == 0 ? 2 : 1;
	if (tui_progress_status(w, item_id) >= want)
		return 0;
	item = doc_of(w, "item", item_id);
	/* The server answers 409 to this for a quiz: only a passing attempt completes one. */
	if (want == 2 && tui_kind_completes_by_attempt(jstr(item, "kind"))) {
		cJSON_Delete(item);
		return refuse(cause, "%s", TUI_QUIZ_COMPLETE_MSG);
	}
	if (item != NULL)
		course_of(w, "item", item, course, sizeof(course));
	cJSON_Delete(item);
	/* One progress record per user and item: an update keeps the record's id. */
	if (find_progress(w, item_id, &old)) {
		snprintf(id, sizeof(id), "%s", old.id);
		doc = cJSON_Parse(old.doc);
		store_resource_finish(&old);
	} else {
		lc_uuid_new(id);
	}
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		doc = cJSON_CreateObject();
		stamp(doc, id);
		cJSON_AddStringToObject(doc, "item_id", item_id);
		cJSON_AddStringToObject(doc, "course_id", course);
		cJSON_AddStringToObject(doc, "user_id", user_id(w));
	}
	set_item(doc, "status", cJSON_CreateString(status));
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddStringToObject(body, "item_id", item_id);
	cJSON_AddStringToObject(body, "status", status);
	sw.id = id;
	return record(w, &sw, body, doc, cause);
}

int
tui_queue_attempt(const struct tui_writer *w, const char *item_id, const cJSON *answers,
                  tui_new_id id_out, char **cause)
{
	char id[LC_UUID_LEN + 1], now[LC_RFC3339_LEN + 1], course[LC_UUID_LEN + 1] = "";
	char *path;
	struct store_write sw = {.method = "POST", .type = "attempt", .scope = "user"};
	cJSON *body, *doc, *item = doc_of(w, "item", item_id);
	int rc;

	if (!cJSON_IsObject(answers)) {
		cJSON_Delete(item);
		return refuse(cause, "the answers are a JSON object {question_id: answer}");
	}
	if (item != NULL)
		course_of(w, "item", item, course, sizeof(course));
	cJSON_Delete(item);
	lc_uuid_new(id);
	lc_rfc3339(lc_now(), now);
	path = lc_asprintf("/api/v1/items/%s/attempts", item_id);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddItemToObject(body, "answers", cJSON_Duplicate(answers, 1));
	cJSON_AddStringToObject(body, "submitted_at", now);
	/* Lectern extension: the right answers back when they can no longer help (api.md). */
	cJSON_AddTrueToObject(body, "reveal");
	doc = cJSON_CreateObject();
	stamp(doc, id);
	cJSON_AddStringToObject(doc, "item_id", item_id);
	cJSON_AddStringToObject(doc, "course_id", course);
	cJSON_AddStringToObject(doc, "user_id", user_id(w));
	cJSON_AddItemToObject(doc, "answers", cJSON_Duplicate(answers, 1));
	cJSON_AddNullToObject(doc, "score");
	cJSON_AddNullToObject(doc, "max_score");
	cJSON_AddStringToObject(doc, "submitted_at", now);
	sw.path = path;
	sw.id = id;
	if (id_out != NULL)
		memcpy(id_out, id, sizeof(id));
	rc = record(w, &sw, body, doc, cause);
	free(path);
	return rc;
}

/* Adds the author fields of a new forum post. */
static void
add_author(cJSON *doc, const struct tui_writer *w)
{
	cJSON_AddStringToObject(doc, "author_id", user_id(w));
	cJSON_AddStringToObject(doc, "author_name", w->username != NULL ? w->username : "");
}

/*
 * Starts a new forum post of type from body (its fields): checks them as the server would,
 * gives the post an id (into id and the body) and returns its optimistic doc, stamped, with
 * course_id, the body's fields and the author; NULL with *rc and *cause, body freed, when
 * refused.
 */
static cJSON *
post_doc(const struct tui_writer *w, const char *type, cJSON *body, const char *course_id,
         char id[LC_UUID_LEN + 1], int *rc, char **cause)
{
	cJSON *doc;
	const cJSON *f;

	if ((*rc = tui_check_fields(type, body, true, cause)) < 0) {
		cJSON_Delete(body);
		return NULL;
	}
	lc_uuid_new(id);
	doc = cJSON_CreateObject();
	stamp(doc, id);
	cJSON_AddStringToObject(doc, "course_id", course_id);
	cJSON_ArrayForEach(f, body)
	{
		cJSON_AddItemToObject(doc, f->string, cJSON_Duplicate(f, 1));
	}
	add_author(doc, w);
	cJSON_AddStringToObject(body, "id", id);
	return doc;
}

int
tui_queue_topic(const struct tui_writer *w, const char *course_id, const char *title,
                const char *body_text, tui_new_id id_out, char **cause)
{
	char id[LC_UUID_LEN + 1];
	struct store_write sw = {.method = "POST", .type = "topic"};
	cJSON *body = cJSON_CreateObject(), *doc;
	int rc;

	cJSON_AddStringToObject(body, "title", title != NULL ? title : "");
	cJSON_AddStringToObject(body, "body", body_text != NULL ? body_text : "");
	if (course_id == NULL || !lc_uuid_valid(course_id)) {
		cJSON_Delete(body);
		return refuse(cause, "%s is not a course id", course_id != NULL ? course_id : "");
	}
	if ((doc = post_doc(w, "topic", body, course_id, id, &rc, cause)) == NULL)
		return rc;
	cJSON_AddNumberToObject(doc, "reply_count", 0);
	cJSON_AddStringToObject(doc, "last_activity_at", jstr(doc, "created_at"));
	return record_new(w, &sw, lc_asprintf("/api/v1/courses/%s/topics", course_id), course_id,
	                  id, body, doc, id_out, cause);
}

int
tui_queue_reply(const struct tui_writer *w, const char *topic_id, const char *body_text,
                tui_new_id id_out, char **cause)
{
	char id[LC_UUID_LEN + 1], course[LC_UUID_LEN + 1] = "";
	struct store_write sw = {.method = "POST", .type = "reply"};
	struct store_resource topic;
	cJSON *body, *doc, *topic_doc;
	int rc = load(w, "topic", topic_id, &topic, &topic_doc, cause);

	if (rc < 0)
		return rc;
	course_of(w, "topic", topic_doc, course, sizeof(course));
	cJSON_Delete(topic_doc);
	store_resource_finish(&topic);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "body", body_text != NULL ? body_text : "");
	if ((doc = post_doc(w, "reply", body, course, id, &rc, cause)) == NULL)
		return rc;
	cJSON_AddStringToObject(doc, "topic_id", topic_id);
	return record_new(w, &sw, lc_asprintf("/api/v1/topics/%s/replies", topic_id), course, id,
	                  body, doc, id_out, cause);
}

static const char *parent_type(const char *type);

/* ---- Edits and deletes ------------------------------------------------------------------- */

/* "course:<course of type/doc>" into out; false (with *cause) when the replica cannot tell. */
static bool
scope_of(const struct tui_writer *w, const char *type, const cJSON *doc, char *out, size_t size,
         char **cause)
{
	char course[LC_UUID_LEN + 1];

	if (!course_of(w, type, doc, course, sizeof(course))) {
		refuse(cause,
		       "this replica does not know which course the %s is in (run `lectern "
		       "sync`?)",
		       type);
		return false;
	}
	snprintf(out, size, "course:%s", course);
	return true;
}

/*
 * Queues PATCH of type/id with body (taken) and the optimistic doc (taken), based on res,
 * with If-Match of res's rev unless if_match is false.
 */
static int
queue_patch(const struct tui_writer *w, const struct store_resource *res, const cJSON *old,
            cJSON *body, cJSON *doc, bool if_match, char **cause)
{
	char path[160], scope[64];
	struct store_write sw = {.method = "PATCH", .path = path, .type = res->type, .id = res->id};

	if (!scope_of(w, res->type, old, scope, sizeof(scope), cause)) {
		cJSON_Delete(body);
		cJSON_Delete(doc);
		return -LC_EINVAL;
	}
	snprintf(path, sizeof(path), "/api/v1/%s/%s", collection(res->type), res->id);
	sw.scope = scope;
	/* The rev it was based on; 0 while still unacknowledged. */
	sw.if_match = if_match ? res->rev : 0;
	touch(doc);
	return record(w, &sw, body, doc, cause);
}

int
tui_queue_patch(const struct tui_writer *w, const char *type, const char *id, const cJSON *fields,
                char **cause)
{
	struct store_resource res;
	cJSON *old, *doc, *body;
	const cJSON *f;
	int rc;

	if (collection(type) == NULL)
		return refuse(cause, "a %s cannot be edited", type != NULL ? type : "(null)");
	if ((rc = tui_check_fields(type, fields, false, cause)) < 0)
		return rc;
	if ((rc = load(w, type, id, &res, &old, cause)) < 0)
		return rc;
	body = cJSON_CreateObject();
	doc = cJSON_Duplicate(old, 1);
	cJSON_ArrayForEach(f, fields)
	{
		if (cJSON_Compare(f, cJSON_GetObjectItemCaseSensitive(old, f->string), 1))
			continue;
		cJSON_AddItemToObject(body, f->string, cJSON_Duplicate(f, 1));
		set_item(doc, f->string, cJSON_Duplicate(f, 1));
	}
	/* kind, choices and answer are checked together, as the question will be. */
	if (strcmp(type, "question") == 0 &&
	    (cJSON_HasObjectItem(body, "kind") || cJSON_HasObjectItem(body, "choices") ||
	     cJSON_HasObjectItem(body, "answer")))
		rc = check_answer(jstr(doc, "kind"),
		                  cJSON_GetObjectItemCaseSensitive(doc, "choices"),
		                  cJSON_GetObjectItemCaseSensitive(doc, "answer"), cause);
	if (rc == 0 && cJSON_GetArraySize(body) > 0) {
		rc = queue_patch(w, &res, old, body, doc, true, cause);
	} else {
		cJSON_Delete(body);
		cJSON_Delete(doc);
	}
	cJSON_Delete(old);
	store_resource_finish(&res);
	return rc;
}

int
tui_queue_delete(const struct tui_writer *w, const char *type, const char *id, char **cause)
{
	struct store_resource res;
	char path[160], scope[64];
	struct store_write sw = {
	    .method = "DELETE", .path = path, .type = type, .id = id, .is_delete = true};
	cJSON *old;
	int rc;

	if (collection(type) == NULL)
		return refuse(cause, "a %s cannot be deleted", type != NULL ? type : "(null)");
	if ((rc = load(w, type, id, &res, &old, cause)) < 0)
		return rc;
	if (scope_of(w, type, old, scope, sizeof(scope), cause)) {
		snprintf(path, sizeof(path), "/api/v1/%s/%s", collection(type), id);
		sw.scope = scope;
		/*
		 * With If-Match, so a change someone made since is never deleted unseen. A move
		 * renumbers (and re-revs) the siblings on the server; the sync engine sends a
		 * delete again on the new rev when the server changed nothing but the position
		 * (sync/round.c, apply_delete_conflict()).
		 */
		sw.if_match = res.rev;
		rc = record(w, &sw, NULL, NULL, cause);
	} else {
		rc = -LC_EINVAL;
	}
	cJSON_Delete(old);
	store_resource_finish(&res);
	return rc;
}

/* ---- Authoring ---------------------------------------------------------------------------- */

/* The parent type of a created type, or NULL for a course. */
static const char *
parent_type(const char *type)
{
	if (strcmp(type, "module") == 0)
		return "course";
	if (strcmp(type, "item") == 0)
		return "module";
	if (strcmp(type, "question") == 0)
		return "item";
	return NULL;
}

/* The position after the last of parent_id's children of type on the replica. */
static double
last_position(const struct tui_writer *w, const char *type, const char *parent_id)
{
	struct store_resource_list list = {0};
	double last = 0;

	if (store_resource_list(w->db, type, parent_id, NULL, STORE_ORDER_POSITION, &list) == 0)
		for (size_t i = 0; i < list.n; i++)
			if (list.items[i].position > last)
				last = list.items[i].position;
	store_resource_list_free(&list);
	return floor(last) + 1;
}

int
tui_queue_create(const struct tui_writer *w, const char *type, const char *parent_id,
                 const cJSON *fields, tui_new_id id_out, char **cause)
{
	char id[LC_UUID_LEN + 1], course[LC_UUID_LEN + 1], *path;
	const char *ptype = type != NULL ? parent_type(type) : NULL;
	struct store_write sw = {.method = "POST", .type = type};
	cJSON *body, *doc, *parent = NULL;
	const cJSON *f;
	int rc;

	if (type == NULL || (strcmp(type, "course") != 0 && ptype == NULL))
		return refuse(cause, "a %s cannot be created here", type != NULL ? type : "(null)");
	if ((rc = tui_check_fields(type, fields, true, cause)) < 0)
		return rc;
	if (ptype != NULL) {
		struct store_resource res;

		if ((rc = load(w, ptype, parent_id, &res, &parent, cause)) < 0)
			return rc;
		store_resource_finish(&res);
		if (strcmp(type, "question") == 0 &&
		    !tui_kind_completes_by_attempt(jstr(parent, "kind"))) {
			rc = refuse(cause, "questions belong to quiz items, and %s is a %s",
			            parent_id, jstr(parent, "kind") ? jstr(parent, "kind") : "?");
			cJSON_Delete(parent);
			return rc;
		}
		if (!course_of(w, ptype, parent, course, sizeof(course))) {
			cJSON_Delete(parent);
			return refuse(cause, "this replica does not know which course %s is in",
			              parent_id);
		}
		cJSON_Delete(parent);
	}
	if (jstr(fields, "id") != NULL)
		snprintf(id, sizeof(id), "%s", jstr(fields, "id"));
	else
		lc_uuid_new(id);
	if (ptype == NULL)
		snprintf(course, sizeof(course), "%s", id);
	body = cJSON_Duplicate(fields, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(body, "id");
	cJSON_AddStringToObject(body, "id", id);
	doc = cJSON_CreateObject();
	stamp(doc, id);
	/* Defaults the server fills in (API.md), so that the replica shows what it will. */
	if (strcmp(type, "course") == 0) {
		cJSON_AddStringToObject(doc, "status", "draft");
		cJSON_AddStringToObject(doc, "owner_id", user_id(w));
		cJSON_AddStringToObject(doc, "description", "");
		cJSON_AddBoolToObject(doc, "certification", false);
		cJSON_AddNumberToObject(doc, "pass_score", 0.6);
		cJSON_AddItemToObject(doc, "keywords", cJSON_CreateArray());
		cJSON_AddNumberToObject(doc, "enrolled_count", 0);
		path = lc_strdup("/api/v1/courses");
	} else {
		cJSON_AddStringToObject(doc, store_parent_field(type), parent_id);
		if (strcmp(type, "module") != 0)
			cJSON_AddStringToObject(doc, "course_id", course);
		if (strcmp(type, "item") == 0)
			cJSON_AddBoolToObject(doc, "required", true);
		if (strcmp(type, "question") == 0)
			cJSON_AddNumberToObject(doc, "points", 1);
		cJSON_AddNumberToObject(doc, "position",
		                        cJSON_IsNumber(cJSON_GetObjectItem(fields, "position"))
		                            ? cJSON_GetObjectItem(fields, "position")->valuedouble -
		                                  0.5
		                            : last_position(w, type, parent_id));
		path =
		    lc_asprintf("/api/v1/%s/%s/%s", collection(ptype), parent_id, collection(type));
	}
	if (strcmp(type, "module") == 0)
		cJSON_AddStringToObject(doc, "course_id", course);
	cJSON_ArrayForEach(f, fields)
	{
		if (strcmp(f->string, "id") != 0 && strcmp(f->string, "position") != 0)
			set_item(doc, f->string, cJSON_Duplicate(f, 1));
	}
	return record_new(w, &sw, path, course, id, body, doc, id_out, cause);
}

/*
 * The children of parent_id of type on the replica in order, without id: (*order)[0..*n)
 * point into list (the caller frees both). Returns 0 or -LC_EDB with *cause.
 */
static int
siblings_without(const struct tui_writer *w, const char *type, const char *parent_id,
                 const char *id, struct store_resource_list *list,
                 const struct store_resource ***order, size_t *n, char **cause)
{
	int rc = store_resource_list(w->db, type, parent_id, NULL, STORE_ORDER_POSITION, list);

	*order = NULL;
	*n = 0;
	if (rc < 0) {
		refuse(cause, "%s", store_db_error(w->db)->message);
		return rc;
	}
	*order = lc_calloc(list->n + 1, sizeof(**order));
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->items[i].id, id) != 0)
			(*order)[(*n)++] = &list->items[i];
	return 0;
}

/*
 * Queues the move of res/old to index at (0..n) among order[0..n), the children of its new
 * parent to_parent without itself. The body carries the new parent only when it changes
 * (an item's module_id: lecternd's extension, docs/api.md "Moving an item to another
 * module"), and the position at + 1, which lecternd reads in the new parent.
 */
static int
queue_move_at(const struct tui_writer *w, const struct store_resource *res, const cJSON *old,
              const struct store_resource *const *order, size_t n, size_t at, const char *to_parent,
              char **cause)
{
	const char *pfield = store_parent_field(res->type);
	double pos;
	cJSON *body, *doc;

	assert(at <= n);
	/*
	 * The optimistic doc takes a position between its new neighbours, so the replica shows
	 * the order at once without touching the siblings; the server renumbers them and the
	 * next sync brings their new positions.
	 */
	if (at > 0 && at < n)
		pos = (order[at - 1]->position + order[at]->position) / 2;
	else if (at > 0)
		pos = order[at - 1]->position + 1;
	else if (n > 0)
		pos = order[0]->position - 0.5;
	else
		pos = 1; /* the only one there */
	body = cJSON_CreateObject();
	doc = cJSON_Duplicate(old, 1);
	if (strcmp(to_parent, jstr(old, pfield) != NULL ? jstr(old, pfield) : "") != 0) {
		/* The replica lists children by this field: it shows in its new parent now. */
		cJSON_AddStringToObject(body, pfield, to_parent);
		set_item(doc, pfield, cJSON_CreateString(to_parent));
	}
	cJSON_AddNumberToObject(body, "position", (double)(at + 1));
	set_item(doc, "position", cJSON_CreateNumber(pos));
	/*
	 * Without If-Match: the server renumbers the siblings on every move, which bumps their
	 * revs, so a second move in the same module would be a 409 and a conflict over
	 * "position" although nobody else touched it. An order has no content to lose; the
	 * last move wins, as it does on the server.
	 */
	return queue_patch(w, res, old, body, doc, false, cause);
}

/*
 * Whether item doc may go to module_id: a module of the same course on this replica (the
 * server refuses any other with 400). Returns 0 or -LC_EINVAL / -LC_ENOTFOUND with *cause.
 */
static int
check_same_course(const struct tui_writer *w, const cJSON *item, const char *module_id,
                  char **cause)
{
	char mine[LC_UUID_LEN + 1], theirs[LC_UUID_LEN + 1];
	cJSON *module = doc_of(w, "module", module_id);
	bool same;

	if (module == NULL) {
		refuse(cause, "no module %s on this replica (run `lectern sync`?)", module_id);
		return -LC_ENOTFOUND;
	}
	same = course_of(w, "item", item, mine, sizeof(mine)) &&
	       course_of(w, "module", module, theirs, sizeof(theirs)) && strcmp(mine, theirs) == 0;
	cJSON_Delete(module);
	if (!same)
		return refuse(cause,
		              "module %s is in another course: an item moves between the "
		              "modules of its own course",
		              module_id);
	return 0;
}

int
tui_queue_move(const struct tui_writer *w, const char *type, const char *id, const char *before_id,
               const char *after_id, char **cause)
{
	struct store_resource_list list = {0};
	struct store_resource res;
	const char *target = before_id != NULL ? before_id : after_id;
	const char *pfield = type != NULL ? store_parent_field(type) : NULL;
	const struct store_resource **order = NULL;
	char to[LC_UUID_LEN + 1] = "";
	size_t n = 0, t = SIZE_MAX;
	cJSON *old, *near = NULL;
	int rc;

	if (type == NULL || parent_type(type) == NULL)
		return refuse(cause, "only modules, items and questions can be moved");
	if ((before_id == NULL) == (after_id == NULL))
		return refuse(cause, "a move names one sibling to go before or after");
	if (strcmp(id, target) == 0)
		return refuse(cause, "a %s cannot move next to itself", type);
	if ((rc = load(w, type, id, &res, &old, cause)) < 0)
		return rc;
	snprintf(to, sizeof(to), "%s", jstr(old, pfield) != NULL ? jstr(old, pfield) : "");
	/*
	 * An item may go next to an item of another module of its course (lecternd's
	 * extension); modules stay in their course and questions in their quiz.
	 */
	if (strcmp(type, "item") == 0 && (near = doc_of(w, "item", target)) != NULL &&
	    jstr(near, pfield) != NULL && strcmp(jstr(near, pfield), to) != 0) {
		snprintf(to, sizeof(to), "%s", jstr(near, pfield));
		if ((rc = check_same_course(w, old, to, cause)) < 0)
			goto out;
	}
	if ((rc = siblings_without(w, type, to, id, &list, &order, &n, cause)) < 0)
		goto out;
	for (size_t i = 0; i < n && t == SIZE_MAX; i++)
		if (strcmp(order[i]->id, target) == 0)
			t = i;
	if (t == SIZE_MAX)
		rc = strcmp(type, "item") == 0
		         ? refuse(cause, "%s is not an item of this course on this replica", target)
		         : refuse(cause, "%s is not a %s next to this one (same %s)", target, type,
		                  parent_type(type));
	else
		rc =
		    queue_move_at(w, &res, old, order, n, before_id != NULL ? t : t + 1, to, cause);
out:
	free(order);
	store_resource_list_free(&list);
	cJSON_Delete(near);
	cJSON_Delete(old);
	store_resource_finish(&res);
	return rc;
}

int
tui_queue_move_to_module(const struct tui_writer *w, const char *item_id, const char *module_id,
                         char **cause)
{
	struct store_resource_list list = {0};
	struct store_resource res;
	const struct store_resource **order = NULL;
	size_t n = 0;
	cJSON *old;
	int rc;

	if (item_id == NULL || module_id == NULL)
		return refuse(cause, "a move to a module names an item and a module");
	if ((rc = load(w, "item", item_id, &res, &old, cause)) < 0)
		return rc;
	if ((rc = check_same_course(w, old, module_id, cause)) == 0 &&
	    (rc = siblings_without(w, "item", module_id, item_id, &list, &order, &n, cause)) == 0) {
		/* Already the last of that module: nothing to queue (a PATCH that changes nothing).
		 */
		if (list.n > 0 && strcmp(list.items[list.n - 1].id, item_id) == 0)
			rc = 0;
		else
			rc = queue_move_at(w, &res, old, order, n, n, module_id, cause);
	}
	free(order);
	store_resource_list_free(&list);
	cJSON_Delete(old);
	store_resource_finish(&res);
	return rc;
}

int
tui_queue_course_status(const struct tui_writer *w, const char *course_id, const char *action,
                        char **cause)
{
	/* server-stub/res-courses.c, transitions[]: any other move is a 409. */
	static const struct {
		const char *action, *from[2], *to;
	} moves[] = {
	    {"publish", {"draft", NULL}, "published"},
	    {"unpublish", {"published", NULL}, "draft"},
	    {"archive", {"draft", "published"}, "archived"},
	    {"unarchive", {"archived", NULL}, "published"},
	};
	struct store_resource res;
	char path[160], scope[64];
	struct store_write sw = {.method = "POST", .path = path, .type = "course", .id = course_id};
	const char *status;
	size_t m = 0;
	cJSON *old, *doc;
	int rc;

	while (m < sizeof(moves) / sizeof(moves[0]) &&
	       (action == NULL || strcmp(moves[m].action, action) != 0))
		m++;
	if (m == sizeof(moves) / sizeof(moves[0]))
		return refuse(cause, "a course is published, unpublished, archived or unarchived");
	if ((rc = load(w, "course", course_id, &res, &old, cause)) < 0)
		return rc;
	status = jstr(old, "status") != NULL ? jstr(old, "status") : "draft";
	if ((moves[m].from[0] == NULL || strcmp(status, moves[m].from[0]) != 0) &&
	    (moves[m].from[1] == NULL || strcmp(status, moves[m].from[1]) != 0)) {
		rc = refuse(cause, "the course is %s: only a %s%s%s course can be %sed", status,
		            moves[m].from[0], moves[m].from[1] != NULL ? " or " : "",
		            moves[m].from[1] != NULL ? moves[m].from[1] : "",
		            strcmp(action, "publish") == 0 ? "publish" : action);
	} else {
		snprintf(path, sizeof(path), "/api/v1/courses/%s/%s", course_id, action);
		snprintf(scope, sizeof(scope), "course:%s", course_id);
		sw.scope = scope;
		doc = cJSON_Duplicate(old, 1);
		set_item(doc, "status", cJSON_CreateString(moves[m].to));
		touch(doc);
		rc = record(w, &sw, cJSON_CreateObject(), doc, cause);
	}
	cJSON_Delete(old);
	store_resource_finish(&res);
	return rc;
}
