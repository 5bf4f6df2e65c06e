/* SPDX-License-Identifier: MIT */
/*
 * The integration-test harness, second half: users, courses and the eight-caller world, all
 * made through the public REST API. See harness.h.
 */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/mem.h"
#include "common/uuid.h"

/* ---- Users ------------------------------------------------------------------------------ */

void
h_unique_name(const char *prefix, char *out, size_t out_len)
{
	unsigned char r[4];
	lc_random_bytes(r, sizeof(r));
	snprintf(out, out_len, "%.20s-%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3]);
}

static int
fill_user(const struct h_resp *r, const char *username, struct h_user *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->username, sizeof(out->username), "%s", username);
	const char *a = h_json_str(r->json, "access_token");
	const char *f = h_json_str(r->json, "refresh_token");
	if (h_copy_id(r->json, "user.id", out->id) != 0 || a == NULL || f == NULL) {
		fprintf(stderr, "harness: no user/tokens in: %s\n", r->body);
		return -1;
	}
	snprintf(out->access, sizeof(out->access), "%s", a);
	snprintf(out->refresh, sizeof(out->refresh), "%s", f);
	return 0;
}

int
h_register(const struct h_server *srv, const char *username, const char *role, struct h_user *out)
{
	cJSON *b = cJSON_CreateObject();
	char email[96];
	snprintf(email, sizeof(email), "%s@example.org", username);
	cJSON_AddStringToObject(b, "username", username);
	cJSON_AddStringToObject(b, "email", email);
	cJSON_AddStringToObject(b, "password", H_PASSWORD);
	if (role != NULL)
		cJSON_AddStringToObject(b, "role", role);
	struct h_user admin;
	char code[64];
	if (role != NULL && strcmp(role, "instructor") == 0 &&
	    h_login(srv, "root", H_PASSWORD, &admin) == 0 &&
	    h_invite(srv, admin.access, "{\"role\":\"instructor\"}", code, sizeof(code)) == 0)
		cJSON_AddStringToObject(b, "invite_code", code);
	char *json = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	struct h_resp r;
	h_call(srv, "POST", "/auth/register", NULL, json, NULL, &r);
	free(json);
	int rc = -1;
	if (r.status == 201)
		rc = fill_user(&r, username, out);
	else
		fprintf(stderr, "harness: register %s: %ld %s\n", username, r.status, r.body);
	h_resp_free(&r);
	return rc;
}

int
h_invite(const struct h_server *srv, const char *admin_token, const char *json, char *code,
         size_t code_len)
{
	struct h_resp r;
	h_call(srv, "POST", "/invites", admin_token, json, NULL, &r);
	const char *c = r.status == 201 ? h_json_str(r.json, "code") : NULL;
	int rc = c != NULL && strlen(c) < code_len ? 0 : -1;
	if (rc == 0)
		snprintf(code, code_len, "%s", c);
	else
		fprintf(stderr, "harness: POST /invites %s: %ld %s\n", json, r.status, r.body);
	h_resp_free(&r);
	return rc;
}

int
h_login(const struct h_server *srv, const char *username, const char *password, struct h_user *out)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "username", username);
	cJSON_AddStringToObject(b, "password", password);
	char *json = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	struct h_resp r;
	h_call(srv, "POST", "/auth/token", NULL, json, NULL, &r);
	free(json);
	int rc = -1;
	/* username may be out->username itself, which fill_user() clears first. */
	char name[sizeof(out->username)];
	snprintf(name, sizeof(name), "%s", username);
	if (r.status == 200)
		rc = fill_user(&r, name, out);
	else
		fprintf(stderr, "harness: login %s: %ld %s\n", username, r.status, r.body);
	h_resp_free(&r);
	return rc;
}

/* ---- Content ----------------------------------------------------------------------------- */

/* POSTs json to path as token, expects want, copies the response's "id" into id (may be NULL). */
static int
post_id(const struct h_server *srv, const char *token, const char *path, const char *json,
        long want, char id[H_ID_LEN + 1])
{
	struct h_resp r;
	h_call(srv, "POST", path, token, json, NULL, &r);
	int rc = 0;
	if (r.status != want) {
		fprintf(stderr, "harness: POST %s %s: %ld %s\n", path, json, r.status, r.body);
		rc = -1;
	} else if (id != NULL && h_copy_id(r.json, "id", id) != 0) {
		fprintf(stderr, "harness: POST %s: no id in %s\n", path, r.body);
		rc = -1;
	}
	h_resp_free(&r);
	return rc;
}

static int post_idf(const struct h_server *srv, const char *token, long want, char id[H_ID_LEN + 1],
                    const char *json, const char *path_fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
post_idf(const struct h_server *srv, const char *token, long want, char id[H_ID_LEN + 1],
         const char *json, const char *path_fmt, ...)
{
	va_list ap;
	va_start(ap, path_fmt);
	char *path = lc_vasprintf(path_fmt, ap);
	va_end(ap);
	int rc = post_id(srv, token, path, json, want, id);
	free(path);
	return rc;
}

int
h_make_course(const struct h_server *srv, const char *token, const char *department_id,
              bool publish, struct h_course *out)
{
	memset(out, 0, sizeof(*out));
	char name[48];
	h_unique_name("Course", name, sizeof(name));
	char *json;
	if (department_id != NULL)
		json = lc_asprintf("{\"title\":\"%s\",\"description\":\"A test course\","
		                   "\"department_id\":\"%s\"}",
		                   name, department_id);
	else
		json = lc_asprintf("{\"title\":\"%s\",\"description\":\"A test course\"}", name);
	int rc = post_id(srv, token, "/courses", json, 201, out->id);
	free(json);
	if (rc != 0)
		return -1;
	if (post_idf(srv, token, 201, out->module_id, "{\"title\":\"Week 1\"}",
	             "/courses/%s/modules", out->id) != 0 ||
	    post_idf(srv, token, 201, out->page_id,
	             "{\"title\":\"Reading\",\"kind\":\"page\",\"body\":\"# Hello\\n\\nText.\"}",
	             "/modules/%s/items", out->module_id) != 0 ||
	    post_idf(srv, token, 201, out->quiz_id,
	             "{\"title\":\"Quiz 1\",\"kind\":\"quiz\",\"max_attempts\":2}",
	             "/modules/%s/items", out->module_id) != 0 ||
	    post_idf(srv, token, 201, out->q1_id,
	             "{\"prompt\":\"Pick B\",\"kind\":\"single\",\"choices\":[\"A\",\"B\",\"C\"],"
	             "\"answer\":1}",
	             "/items/%s/questions", out->quiz_id) != 0 ||
	    post_idf(srv, token, 201, out->q2_id,
	             "{\"prompt\":\"6 times 7?\",\"kind\":\"numeric\",\"answer\":42}",
	             "/items/%s/questions", out->quiz_id) != 0)
		return -1;
	if (publish && post_idf(srv, token, 200, NULL, "{}", "/courses/%s/publish", out->id) != 0)
		return -1;
	return 0;
}

int
h_course_forum(const struct h_server *srv, const char *token, struct h_course *c)
{
	if (post_idf(srv, token, 201, c->topic_id, "{\"title\":\"Hello\",\"body\":\"First post\"}",
	             "/courses/%s/topics", c->id) != 0)
		return -1;
	return post_idf(srv, token, 201, c->reply_id, "{\"body\":\"A reply\"}",
	                "/topics/%s/replies", c->topic_id);
}

int
h_enroll(const struct h_server *srv, const char *token, const char *course_id,
         char enrollment_id[H_ID_LEN + 1])
{
	char *json = lc_asprintf("{\"course_id\":\"%s\"}", course_id);
	char tmp[H_ID_LEN + 1];
	int rc = post_id(srv, token, "/enrollments", json, 201,
	                 enrollment_id != NULL ? enrollment_id : tmp);
	free(json);
	return rc;
}

int
h_make_department(const struct h_server *srv, const char *admin_token, const char *code,
                  char id[H_ID_LEN + 1])
{
	char *json = lc_asprintf("{\"name\":\"Department %s\",\"code\":\"%s\"}", code, code);
	int rc = post_id(srv, admin_token, "/departments", json, 201, id);
	free(json);
	return rc;
}

int
h_grant_department(const struct h_server *srv, const char *admin_token, const char *user_id,
                   const char *department_id, const char *roles_json)
{
	char *json = lc_asprintf("{\"departments\":[{\"department_id\":\"%s\",\"roles\":%s}]}",
	                         department_id, roles_json);
	struct h_resp r;
	long st = h_callf(srv, "PATCH", admin_token, json, &r, "/users/%s/roles", user_id);
	if (st != 200)
		fprintf(stderr, "harness: PATCH /users/%s/roles %s: %ld %s\n", user_id, json, st,
		        r.body);
	free(json);
	h_resp_free(&r);
	return st == 200 ? 0 : -1;
}

/* ---- A campus with one of each kind of caller -------------------------------------------- */

const char *
h_actor_name(enum h_actor a)
{
	static const char *const names[H_NACTORS] = {
	    "anonymous",   "learner",       "enrolled",   "owner",
	    "other-instr", "content-admin", "dept-admin", "admin",
	};
	return a < H_NACTORS ? names[a] : "?";
}

const char *
h_token(const struct h_world *w, enum h_actor a)
{
	return a == H_ANON ? NULL : w->u[a].access;
}

/* Registers a learner, gives them a department role, and logs in again so the tokens are fresh. */
static int
dept_member(struct h_world *w, enum h_actor a, const char *prefix, const char *roles)
{
	char name[40];
	h_unique_name(prefix, name, sizeof(name));
	if (h_register(&w->srv, name, "learner", &w->u[a]) != 0 ||
	    h_grant_department(&w->srv, w->u[H_ADMIN].access, w->u[a].id, w->dept_id, roles) != 0)
		return -1;
	return h_login(&w->srv, name, H_PASSWORD, &w->u[a]);
}

int
h_world_up(struct h_world *w)
{
	memset(w, 0, sizeof(*w));
	if (h_server_up(&w->srv) != 0 || h_login(&w->srv, "root", H_PASSWORD, &w->u[H_ADMIN]) != 0)
		return -1;
	char code[40];
	h_unique_name("D", code, sizeof(code));
	if (h_make_department(&w->srv, w->u[H_ADMIN].access, code, w->dept_id) != 0)
		return -1;
	char name[40];
	static const struct {
		enum h_actor a;
		const char *prefix, *role;
	} plain[] = {
	    {H_LEARNER, "learner", "learner"},
	    {H_ENROLLED, "enrolled", "learner"},
	    {H_OWNER, "owner", "instructor"},
	    {H_OTHER_INSTR, "instr", "instructor"},
	};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		h_unique_name(plain[i].prefix, name, sizeof(name));
		if (h_register(&w->srv, name, plain[i].role, &w->u[plain[i].a]) != 0)
			return -1;
	}
	/* The owner teaches in the department, so creating the course there is beyond doubt. */
	if (h_grant_department(&w->srv, w->u[H_ADMIN].access, w->u[H_OWNER].id, w->dept_id,
	                       "[\"instructor\"]") != 0 ||
	    h_login(&w->srv, w->u[H_OWNER].username, H_PASSWORD, &w->u[H_OWNER]) != 0)
		return -1;
	if (dept_member(w, H_CONTENT_ADMIN, "cadmin", "[\"content-admin\"]") != 0 ||
	    dept_member(w, H_DEPT_ADMIN, "dadmin", "[\"department-admin\"]") != 0)
		return -1;
	if (h_make_course(&w->srv, w->u[H_OWNER].access, w->dept_id, true, &w->course) != 0 ||
	    h_enroll(&w->srv, w->u[H_ENROLLED].access, w->course.id, w->enrollment_id) != 0 ||
	    h_course_forum(&w->srv, w->u[H_ENROLLED].access, &w->course) != 0)
		return -1;
	return 0;
}

const char *
h_missing_key(const cJSON *doc, const char *const *keys)
{
	static const char *const common[] = {"id", "rev", "created_at", "updated_at", NULL};
	for (size_t i = 0; common[i] != NULL; i++)
		if (!cJSON_HasObjectItem(doc, common[i]))
			return common[i];
	for (size_t i = 0; keys[i] != NULL; i++)
		if (!cJSON_HasObjectItem(doc, keys[i]))
			return keys[i];
	/* Timestamps are RFC 3339 UTC as the contract writes them: 2026-11-23T06:11:12Z. */
	const char *ts[] = {"created_at", "updated_at"};
	for (size_t i = 0; i < 2; i++) {
		const char *v = h_json_str(doc, ts[i]);
		int64_t t;
		if (v == NULL || strlen(v) != LC_RFC3339_LEN || v[LC_RFC3339_LEN - 1] != 'Z' ||
		    lc_rfc3339_parse(v, &t) != 0)
			return ts[i];
	}
	return NULL;
}

bool
h_list_has(const struct h_resp *r, const char *id)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
	{
		const char *s = h_json_str(it, "id");
		if (s != NULL && strcmp(s, id) == 0)
			return true;
	}
	return false;
}
