/* SPDX-License-Identifier: MIT */
/*
 * Responses, error bodies and the validation of JSON bodies and query parameters.
 *
 * Validation never stops at the first bad key: every getter marks what is wrong in a
 * struct srv_check, and the handler turns the whole list into one 400 with
 * srv_check_failed(), so a client learns every mistake in one round trip.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"

void
srv_reply(struct srv_resp *resp, int status, cJSON *body)
{
	cJSON_Delete(resp->body);
	resp->status = status;
	resp->body = body;
}

void
srv_resp_header(struct srv_resp *resp, const char *name, const char *value)
{
	struct srv_header *h;

	if (resp->n_headers >= SRV_MAX_HEADERS)
		return;
	h = &resp->headers[resp->n_headers++];
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->value, sizeof(h->value), "%s", value);
}

void
srv_resp_finish(struct srv_resp *resp)
{
	if (resp == NULL)
		return;
	cJSON_Delete(resp->body);
	resp->body = NULL;
}

static void error_vset(struct srv_resp *resp, int status, const char *type, const char *fmt,
                       va_list ap) __attribute__((format(printf, 4, 0)));

static void
error_vset(struct srv_resp *resp, int status, const char *type, const char *fmt, va_list ap)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(root, "error");
	char *msg = lc_vasprintf(fmt, ap);

	cJSON_AddStringToObject(err, "type", type);
	cJSON_AddStringToObject(err, "message", msg);
	free(msg);
	srv_reply(resp, status, root);
}

void
srv_error(struct srv_resp *resp, int status, const char *type, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(resp, status, type, fmt, ap);
	va_end(ap);
}

void
srv_not_found(struct srv_resp *resp, const char *kind)
{
	srv_error(resp, 404, "resource_dne_error", "That %s does not exist", kind);
}

void
srv_forbidden(struct srv_resp *resp)
{
	srv_error(resp, 403, "resource_error", "You are not allowed to do that");
}

void
srv_bad_params(struct srv_resp *resp, const char *keys)
{
	srv_error(resp, 400, "invalid_request_error", "Invalid parameters: %s", keys);
}

void
srv_conflict(struct srv_resp *resp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(resp, 409, "conflict_error", fmt, ap);
	va_end(ap);
}

void
srv_internal(struct srv_req *req, struct srv_resp *resp, int err, const char *context)
{
	const struct store_error *dberr = req->db ? store_db_error(req->db) : NULL;

	lc_log(LC_LOG_ERROR, "request %s: %s: %s (%s)", req->request_id ? req->request_id : "-",
	       context, lc_strerror(err), dberr ? dberr->message : "");
	srv_error(resp, 500, "api_error", "Internal error");
}

const char *
srv_query(const struct srv_req *req, const char *name)
{
	for (int i = 0; i < req->n_query; i++)
		if (strcmp(req->query[i].name, name) == 0)
			return req->query[i].value;
	return NULL;
}

/* ---- the bad-key collector ---- */

void
srv_check_init(struct srv_check *c)
{
	memset(c, 0, sizeof(*c));
	lc_buf_init(&c->keys);
	c->element = -1;
}

void
srv_check_finish(struct srv_check *c)
{
	lc_buf_finish(&c->keys);
}

void
srv_check_element(struct srv_check *c, int index)
{
	c->element = index;
	c->element_bad = 0;
}

/* True when the current list (whole or the current element's part) names key. */
static bool
check_has(const struct srv_check *c, const char *key)
{
	const char *s = lc_buf_str(&c->keys);
	size_t klen = strlen(key);

	if (c->element >= 0) {
		if (c->element_bad == 0)
			return false;
		s = strrchr(s, ':');
		if (s == NULL)
			return false;
		s += 2;
		for (const char *p = s; (p = strstr(p, key)) != NULL; p++) {
			if ((p == s || p[-1] == '.') && (p[klen] == '\0' || p[klen] == '.'))
				return true;
			if (*p == '\0') /* an empty key matches at the end too: stop there */
				break;
		}
		return false;
	}
	for (const char *p = s; (p = strstr(p, key)) != NULL; p++) {
		if ((p == s || p[-1] == ',') && (p[klen] == '\0' || p[klen] == ','))
			return true;
		if (*p == '\0')
			break;
	}
	return false;
}

void
srv_check_bad(struct srv_check *c, const char *key)
{
	if (check_has(c, key))
		return;
	if (c->element >= 0) {
		if (c->element_bad == 0) {
			if (c->keys.len > 0)
				lc_buf_putc(&c->keys, ',');
			lc_buf_printf(&c->keys, "%d: %s", c->element, key);
		} else {
			lc_buf_printf(&c->keys, ".%s", key);
		}
		c->element_bad++;
	} else {
		if (c->keys.len > 0)
			lc_buf_putc(&c->keys, ',');
		lc_buf_puts(&c->keys, key);
	}
	c->n_bad++;
}

bool
srv_check_failed(struct srv_check *c, struct srv_resp *resp)
{
	if (c->db_error != 0) {
		/* The request may be fine: the server could not tell. */
		lc_log(LC_LOG_ERROR, "check of %s: %s", lc_buf_str(&c->keys),
		       lc_strerror(c->db_error));
		srv_error(resp, 500, "api_error", "Internal error");
		return true;
	}
	if (c->n_bad == 0)
		return false;
	srv_bad_params(resp, lc_buf_str(&c->keys));
	return true;
}

/* ---- getters ---- */

/* Common start of every getter: absent, null, or a value to look at. */
static int
get_start(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, const cJSON **out)
{
	const cJSON *v = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;

	*out = NULL;
	if (v == NULL) {
		if (opt & SRV_REQUIRED) {
			srv_check_bad(c, key);
			return SRV_BAD;
		}
		return SRV_ABSENT;
	}
	if (cJSON_IsNull(v)) {
		if (opt & SRV_NULLABLE)
			return SRV_GOT;
		srv_check_bad(c, key);
		return SRV_BAD;
	}
	*out = v;
	return SRV_GOT;
}

static int
bad(struct srv_check *c, const char *key)
{
	srv_check_bad(c, key);
	return SRV_BAD;
}

bool
srv_utf8_len(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		int extra;
		unsigned cp;

		if (*p < 0x80) {
			extra = 0;
			cp = *p;
		} else if ((*p & 0xe0) == 0xc0) {
			extra = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			extra = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			extra = 3;
			cp = *p & 0x07;
		} else {
			return false;
		}
		p++;
		for (int i = 0; i < extra; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (*p & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		n++;
	}
	if (len)
		*len = n;
	return true;
}

int
srv_get_str(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, size_t min,
            size_t max, const char **out)
{
	const cJSON *v;
	int rc = get_start(c, obj, key, opt, &v);
	size_t n;

	*out = NULL;
	if (rc != SRV_GOT || v == NULL)
		return rc;
	if (!cJSON_IsString(v) || !srv_utf8_len(v->valuestring, &n) || n < min || n > max)
		return bad(c, key);
	*out = v->valuestring;
	return SRV_GOT;
}

int
srv_get_num(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, double min,
            double max, double *out)
{
	const cJSON *v;
	int rc = get_start(c, obj, key, opt, &v);

	if (rc != SRV_GOT || v == NULL)
		return rc;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < min ||
	    v->valuedouble > max)
		return bad(c, key);
	*out = v->valuedouble;
	return SRV_GOT;
}

int
srv_get_int(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, int64_t min,
            int64_t max, int64_t *out)
{
	const cJSON *v;
	int64_t value;
	int rc = get_start(c, obj, key, opt, &v);

	if (rc != SRV_GOT || v == NULL)
		return rc;
	/*
	 * (double)INT64_MAX rounds up to 2^63, which does not fit: the half-open bounds keep
	 * the cast defined. min and max are compared after it, as integers: as doubles they
	 * round too (INT64_MAX / 2 becomes 2^62, which would let 2^62 through; found by
	 * fuzz-srv-validate).
	 */
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble != floor(v->valuedouble) || v->valuedouble < -9223372036854775808.0 ||
	    v->valuedouble >= 9223372036854775808.0)
		return bad(c, key);
	value = (int64_t)v->valuedouble;
	if (value < min || value > max)
		return bad(c, key);
	*out = value;
	return SRV_GOT;
}

int
srv_get_bool(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, bool *out)
{
	const cJSON *v;
	int rc = get_start(c, obj, key, opt, &v);

	if (rc != SRV_GOT || v == NULL)
		return rc;
	if (!cJSON_IsBool(v))
		return bad(c, key);
	*out = cJSON_IsTrue(v);
	return SRV_GOT;
}

int
srv_get_enum(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt,
             const char *const *values, const char **out)
{
	const cJSON *v;
	int rc = get_start(c, obj, key, opt, &v);

	*out = NULL;
	if (rc != SRV_GOT || v == NULL)
		return rc;
	if (cJSON_IsString(v))
		for (int i = 0; values[i]; i++)
			if (strcmp(values[i], v->valuestring) == 0) {
				*out = values[i];
				return SRV_GOT;
			}
	return bad(c, key);
}

int
srv_get_uuid(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, const char **out)
{
	const cJSON *v;
	int rc = get_start(c, obj, key, opt, &v);

	*out = NULL;
	if (rc != SRV_GOT || v == NULL)
		return rc;
	if (!cJSON_IsString(v) || !lc_uuid_valid(v->valuestring))
		return bad(c, key);
	*out = v->valuestring;
	return SRV_GOT;
}

int
srv_get_time(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, int64_t *out,
             const char **text)
{
	const cJSON *v;
	int rc = get_start(c, obj, key, opt, &v);

	if (text)
		*text = NULL;
	if (rc != SRV_GOT || v == NULL)
		return rc;
	if (!cJSON_IsString(v) || lc_rfc3339_parse(v->valuestring, out) != 0)
		return bad(c, key);
	if (text)
		*text = v->valuestring;
	return SRV_GOT;
}

int
srv_get_str_array(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, size_t max,
                  int max_count, const cJSON **out)
{
	const cJSON *v, *e;
	int rc = get_start(c, obj, key, opt, &v);
	int count = 0;

	*out = NULL;
	if (rc != SRV_GOT || v == NULL)
		return rc;
	if (!cJSON_IsArray(v))
		return bad(c, key);
	cJSON_ArrayForEach(e, v)
	{
		size_t n;

		if (!cJSON_IsString(e) || !srv_utf8_len(e->valuestring, &n) || n < 1 || n > max ||
		    ++count > max_count)
			return bad(c, key);
	}
	*out = v;
	return SRV_GOT;
}

int
srv_get_new_id(struct srv_check *c, const cJSON *obj, char out[LC_UUID_LEN + 1])
{
	const char *id = NULL;
	int rc = srv_get_uuid(c, obj, "id", SRV_OPTIONAL, &id);

	if (rc == SRV_BAD)
		return SRV_BAD;
	if (id)
		snprintf(out, LC_UUID_LEN + 1, "%s", id);
	else
		lc_uuid_new(out);
	return SRV_GOT;
}

/* ---- lists ---- */

/* A decimal integer with nothing else, in min..max. */
static bool
parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 18)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

void
srv_page_parse(const struct srv_req *req, struct srv_check *c, struct srv_page *out)
{
	const char *page = srv_query(req, "page");
	const char *limit = srv_query(req, "limit");

	out->page = 1;
	out->limit = 20;
	if (page && !parse_int(page, 1, INT32_MAX, &out->page))
		srv_check_bad(c, "page");
	if (limit && !parse_int(limit, 1, 100, &out->limit))
		srv_check_bad(c, "limit");
	out->offset = (out->page - 1) * out->limit;
}

cJSON *
srv_page_body(const struct srv_page *page, cJSON *items, int64_t total)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddItemToObject(root, "items", items);
	cJSON_AddNumberToObject(root, "page", (double)page->page);
	cJSON_AddNumberToObject(root, "limit", (double)page->limit);
	cJSON_AddNumberToObject(root, "total", (double)total);
	return root;
}

/* ---- concurrency and helpers ---- */

bool
srv_if_match(struct srv_req *req, struct srv_resp *resp, const char *type, const char *id,
             int64_t rev)
{
	srv_render_fn render;
	cJSON *current = NULL;

	if (req->if_match < 0 || req->if_match == rev)
		return true;
	srv_conflict(resp, "The %s changed since revision %lld (now %lld)", type,
	             (long long)req->if_match, (long long)rev);
	render = srv_type_render(type);
	if (render && render(req, id, &current) == 0)
		cJSON_AddItemToObject(resp->body, "current", current);
	return false;
}

void
srv_now(char out[32])
{
	char buf[LC_RFC3339_LEN + 1];

	lc_rfc3339(lc_now(), buf);
	snprintf(out, 32, "%s", buf);
}

void
srv_json_add_str(cJSON *obj, const char *key, const char *value)
{
	if (value)
		cJSON_AddStringToObject(obj, key, value);
	else
		cJSON_AddNullToObject(obj, key);
}

void
srv_json_add_col(cJSON *obj, const char *key, sqlite3_stmt *stmt, int col)
{
	srv_json_add_str(obj, key, (const char *)sqlite3_column_text(stmt, col));
}

int
srv_row_find(struct store_db *db, const char *table, const char *id)
{
	char sql[128];
	sqlite3_stmt *stmt;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ?", table);
	rc = store_db_stmt(db, sql, &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, id);
	rc = store_db_next_row(db, stmt, table);
	sqlite3_reset(stmt);
	return rc;
}

void
srv_check_lookup(struct srv_check *c, int found, const char *key)
{
	if (found == 1)
		return;
	if (found < 0 && c->db_error == 0)
		c->db_error = found;
	srv_check_bad(c, key);
}

bool
srv_id_free(struct srv_req *req, struct srv_resp *resp, const char *table, const char *id,
            const char *kind)
{
	int rc = srv_row_find(req->db, table, id);

	if (rc < 0)
		srv_internal(req, resp, rc, table);
	else if (rc > 0)
		srv_conflict(resp, "%s %s with this id already exists",
		             strchr("aeiou", kind[0]) != NULL ? "An" : "A", kind);
	return rc == 0;
}

/* ---- unknown parameters ---- */

/* True when key is one of the comma-separated names of list. */
static bool
key_listed(const char *list, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = list; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && memcmp(p, key, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static void
check_object_keys(struct srv_check *c, const cJSON *obj, const char *allowed)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, obj)
	{
		if (m->string != NULL && !key_listed(allowed, m->string))
			srv_check_bad(c, m->string);
	}
}

bool
srv_params_known(const struct srv_req *req, const struct srv_route *route, struct srv_resp *resp)
{
	struct srv_check c;
	bool failed;

	srv_check_init(&c);
	if (route->query_keys != NULL)
		for (int i = 0; i < req->n_query; i++)
			if (!key_listed(route->query_keys, req->query[i].name))
				srv_check_bad(&c, req->query[i].name);
	if (route->body_keys != NULL && cJSON_IsObject(req->body)) {
		check_object_keys(&c, req->body, route->body_keys);
	} else if (route->body_keys != NULL && cJSON_IsArray(req->body)) {
		const cJSON *e;
		int i = 0;

		/* Array bodies name the element: "1: title.due_at" (API.md, Errors). */
		cJSON_ArrayForEach(e, req->body)
		{
			if (cJSON_IsObject(e)) {
				srv_check_element(&c, i);
				check_object_keys(&c, e, route->body_keys);
			}
			i++;
		}
	}
	failed = srv_check_failed(&c, resp);
	srv_check_finish(&c);
	return !failed;
}

/* ---- the no-op PATCH ---- */

#define PATCH_SAVEPOINT "patch_noop"

/* The id of the row a PATCH route edits: its {id}, or the viewer for /users/me. */
static const char *
patch_id(const struct srv_req *req)
{
	if (req->n_params > 0)
		return req->params[0];
	return req->viewer ? req->viewer->id : NULL;
}

/* Equal apart from rev and updated_at, which the handler bumps whatever it changed. */
static bool
docs_same(const cJSON *a, const cJSON *b)
{
	cJSON *x = cJSON_Duplicate(a, true), *y = cJSON_Duplicate(b, true);
	bool same;

	cJSON_DeleteItemFromObjectCaseSensitive(x, "rev");
	cJSON_DeleteItemFromObjectCaseSensitive(x, "updated_at");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "rev");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "updated_at");
	same = cJSON_Compare(x, y, true);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return same;
}

int
srv_patch_begin(struct srv_req *req, const struct srv_route *route, cJSON **before)
{
	srv_render_fn render;
	const char *id = patch_id(req);
	int rc;

	*before = NULL;
	if (route->patch_type == NULL || strcmp(req->method, "PATCH") != 0 || id == NULL)
		return 0;
	render = srv_type_render(route->patch_type);
	assert(render != NULL);
	rc = render != NULL ? render(req, id, before) : -LC_ENOTFOUND;
	if (rc != 0) {
		cJSON_Delete(*before);
		*before = NULL;
		/* A row the viewer cannot see or that is gone: the handler gives the answer. */
		return rc == -LC_ENOTFOUND ? 0 : rc;
	}
	rc = store_db_savepoint(req->db, PATCH_SAVEPOINT);
	if (rc != 0) {
		cJSON_Delete(*before);
		*before = NULL;
	}
	return rc;
}

int
srv_patch_end(struct srv_req *req, const struct srv_route *route, struct srv_resp *resp,
              cJSON *before)
{
	cJSON *after = NULL;
	bool same = false;
	int rc = 0;

	if (before == NULL)
		return 0;
	if (resp->status == 200 && cJSON_IsObject(resp->body)) {
		rc = srv_type_render(route->patch_type)(req, patch_id(req), &after);
		if (rc != 0 && rc != -LC_ENOTFOUND) {
			/* Cannot tell: the caller answers 500 and rolls everything back. */
			store_db_rollback_to(req->db, PATCH_SAVEPOINT);
			cJSON_Delete(before);
			return rc;
		}
		rc = 0;
		same = after != NULL && docs_same(before, after);
	}
	if (same) {
		/* Nothing changed: no rev bump, no feed row; answer with the row as it was. */
		static const char *const kept[] = {"rev", "updated_at"};

		store_db_rollback_to(req->db, PATCH_SAVEPOINT);
		for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
			const cJSON *old = cJSON_GetObjectItemCaseSensitive(before, kept[i]);

			if (old != NULL && cJSON_HasObjectItem(resp->body, kept[i]))
				cJSON_ReplaceItemInObjectCaseSensitive(resp->body, kept[i],
				                                       cJSON_Duplicate(old, true));
		}
	} else if (store_db_release(req->db, PATCH_SAVEPOINT) != 0 && resp->status < 400) {
		rc = -LC_EDB;
	}
	cJSON_Delete(after);
	cJSON_Delete(before);
	return rc;
}

/* ---- NUL escapes ---- */

/* Nesting deeper than cJSON's limit never reaches here (the parse failed). */
#define NUL_SCAN_DEPTH (CJSON_NESTING_LIMIT + 2)

/* Names the member a NUL escape sits in: the top-level key, or "i: key" in an array body. */
static void
nul_bad(struct srv_check *c, bool top_array, int index, const char *key, size_t key_len)
{
	char *name = key ? lc_strndup(key, key_len) : lc_strdup("body");

	if (top_array)
		srv_check_element(c, index);
	srv_check_bad(c, name);
	free(name);
}

bool
srv_json_nul_free(const char *text, size_t len, struct srv_resp *resp)
{
	static const char esc[] = "\\u0000";
	bool object[NUL_SCAN_DEPTH];
	const char *key = NULL; /* the member being read: depth 1, or depth 2 of an array body */
	size_t key_len = 0;
	bool expect_key = false, failed;
	int depth = 0, index = 0;
	struct srv_check c;

	/* Almost every body: no such escape at all (an escaped backslash may still match). */
	if (len < sizeof(esc) - 1 || memmem(text, len, esc, sizeof(esc) - 1) == NULL)
		return true;
	srv_check_init(&c);
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];

		if (ch == '"') {
			size_t start = ++i;
			bool nul = false;

			for (; i < len && text[i] != '"'; i++) {
				if (text[i] != '\\')
					continue;
				if (i + 6 <= len && memcmp(text + i, esc, 6) == 0)
					nul = true;
				i++; /* the escaped character; \uXXXX's digits are plain */
			}
			if (expect_key) {
				expect_key = false;
				if (depth == 1 || (depth == 2 && !object[0])) {
					key = text + start;
					key_len = i - start;
				}
			}
			if (nul)
				nul_bad(&c, depth > 0 && !object[0], index, depth > 0 ? key : NULL,
				        key_len);
		} else if (ch == '{' || ch == '[') {
			if (depth >= NUL_SCAN_DEPTH)
				break;
			object[depth++] = ch == '{';
			expect_key = ch == '{';
			if (depth <= 2 && !(depth == 2 && object[0]))
				key = NULL;
		} else if (ch == '}' || ch == ']') {
			depth--;
			expect_key = false;
		} else if (ch == ',' && depth > 0) {
			expect_key = object[depth - 1];
			if (depth == 1 && !object[0])
				index++;
		}
	}
	failed = srv_check_failed(&c, resp);
	srv_check_finish(&c);
	return !failed;
}

char *
srv_like_contains(const char *text)
{
	struct lc_buf b;
	char *out;

	lc_buf_init(&b);
	lc_buf_putc(&b, '%');
	for (const char *p = text; *p != '\0'; p++) {
		/* LIKE's wildcards and the escape itself match literally (ESCAPE '\'). */
		if (*p == '%' || *p == '_' || *p == '\\')
			lc_buf_putc(&b, '\\');
		lc_buf_putc(&b, *p);
	}
	lc_buf_putc(&b, '%');
	out = lc_strdup(lc_buf_str(&b));
	lc_buf_finish(&b);
	return out;
}
