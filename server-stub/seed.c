/* SPDX-License-Identifier: MIT */
/*
 * `lecternd --seed-demo`: loads seed-data.c into an empty database. Every write goes
 * through srv_dispatch() as the REST request a client would send, made by the user who
 * would make it (the instructor creates their course, the learner enrolls and takes the
 * quiz), so validation, permissions and the change feed are exercised exactly as in use.
 * Only the users themselves are created directly, since nobody may register an admin.
 * Lookups (a course's id by its code, an item's questions) read the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "seed-data.h"
#include "srv.h"

struct seed {
	struct srv_ctx *ctx;
	struct store_db *db;
	char **cause;
};

/* The id of the row of table whose column col equals value, into out. */
static int
seed_lookup(struct seed *s, const char *sql, const char *value, char out[LC_UUID_LEN + 1])
{
	sqlite3_stmt *st;
	int rc = store_db_stmt(s->db, sql, &st);

	if (rc != 0)
		return lc_cause_set(s->cause, rc, "seed: %s", store_db_error(s->db)->message);
	store_bind_text(st, 1, value);
	rc = store_db_next_row(s->db, st, "seed lookup");
	if (rc == 1)
		snprintf(out, LC_UUID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc < 0)
		return lc_cause_set(s->cause, rc, "seed: %s", store_db_error(s->db)->message);
	rc = rc == 1 ? 0 : -LC_ENOTFOUND;
	if (rc != 0)
		return lc_cause_set(s->cause, rc, "seed: nothing found for %s", value);
	return 0;
}

static int
seed_user(struct seed *s, const char *username, struct srv_user *out)
{
	char id[LC_UUID_LEN + 1];
	int rc = seed_lookup(s, "SELECT id FROM users WHERE username = ?", username, id);

	if (rc == 0)
		rc = srv_user_load(s->db, id, out);
	if (rc != 0)
		return lc_cause_set(s->cause, rc, "seed: no user %s", username);
	return 0;
}

/*
 * Sends one request as username. Takes ownership of body. On success (< 300) returns 0
 * and, when out is not NULL, the response body (caller frees).
 */
static int
seed_call(struct seed *s, const char *username, const char *method, const char *path, cJSON *body,
          cJSON **out)
{
	struct srv_user viewer;
	struct srv_resp resp = {0};
	struct srv_call call = {0};
	bool replayed = false;
	char full[512];
	int rc = seed_user(s, username, &viewer);

	if (rc != 0)
		goto out;
	snprintf(full, sizeof full, "/api/v1%s", path);
	call.method = method;
	call.path = full;
	call.body = body;
	call.viewer = &viewer;
	call.if_match = -1;
	call.request_id = "seed-demo";
	call.client_ip = "";
	srv_dispatch(s->ctx, s->db, &call, &resp, &replayed);
	if (resp.status >= 300) {
		char *text = resp.body != NULL ? cJSON_PrintUnformatted(resp.body) : NULL;

		rc = lc_cause_set(s->cause, -LC_EINVAL, "seed: %s %s as %s: %d %s", method, path,
		                  username, resp.status, text != NULL ? text : "");
		cJSON_free(text);
	} else if (out != NULL) {
		*out = resp.body;
		resp.body = NULL;
	}
	srv_resp_finish(&resp);
out:
	cJSON_Delete(body);
	return rc;
}

/* Refuses a database that already has users or courses. */
static int
seed_check_empty(struct seed *s)
{
	sqlite3_stmt *st;
	int n = 0,
	    rc = store_db_stmt(
	        s->db, "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM courses)", &st);

	if (rc != 0)
		return lc_cause_set(s->cause, rc, "seed: %s", store_db_error(s->db)->message);
	rc = store_db_next_row(s->db, st, "seed check");
	if (rc == 1)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc < 0)
		return lc_cause_set(s->cause, rc, "seed: %s", store_db_error(s->db)->message);
	if (n > 0)
		return lc_cause_set(
		    s->cause, -LC_ECONFLICT,
		    "the database already holds data; --seed-demo needs an empty one");
	return 0;
}

static int
seed_departments(struct seed *s)
{
	int rc = 0;

	for (const struct srv_seed_department *d = srv_seed_departments; rc == 0 && d->code; d++) {
		cJSON *body = cJSON_CreateObject();

		cJSON_AddStringToObject(body, "name", d->name);
		cJSON_AddStringToObject(body, "code", d->code);
		rc = seed_call(s, "admin", "POST", "/departments", body, NULL);
	}
	return rc;
}

/* Turns "instructor,content-admin" into a JSON array of role names. */
static cJSON *
seed_roles(const char *list)
{
	cJSON *roles = cJSON_CreateArray();
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		char *role = lc_strndup(p, n);

		cJSON_AddItemToArray(roles, cJSON_CreateString(role));
		free(role);
		p += n;
		if (*p == ',')
			p++;
	}
	return roles;
}

static int
seed_users(struct seed *s)
{
	int rc = 0;

	for (const struct srv_seed_user *u = srv_seed_users; rc == 0 && u->username; u++) {
		cJSON *body;

		rc = srv_user_create_cli(s->ctx, u->username, SRV_SEED_PASSWORD,
		                         (enum srv_role)srv_role_parse(u->role), s->cause);
		if (rc != 0)
			break;
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "first_name", u->first_name);
		cJSON_AddStringToObject(body, "last_name", u->last_name);
		cJSON_AddStringToObject(body, "bio", u->bio);
		rc = seed_call(s, u->username, "PATCH", "/users/me", body, NULL);
	}
	return rc;
}

/* Department memberships, granted by the admin once the departments exist. */
static int
seed_memberships(struct seed *s)
{
	int rc = 0;

	for (const struct srv_seed_user *u = srv_seed_users; rc == 0 && u->username; u++) {
		cJSON *body, *deps, *m;
		char dept[LC_UUID_LEN + 1], path[128];
		struct srv_user user;

		if (u->department_code == NULL)
			continue;
		rc = seed_user(s, u->username, &user);
		if (rc == 0)
			rc = seed_lookup(s, "SELECT id FROM departments WHERE code = ?",
			                 u->department_code, dept);
		if (rc != 0)
			break;
		body = cJSON_CreateObject();
		deps = cJSON_AddArrayToObject(body, "departments");
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "department_id", dept);
		cJSON_AddItemToObject(m, "roles", seed_roles(u->department_roles));
		cJSON_AddItemToArray(deps, m);
		snprintf(path, sizeof path, "/users/%s/roles", user.id);
		rc = seed_call(s, "admin", "PATCH", path, body, NULL);
	}
	return rc;
}

/* The JSON body of one item. */
static cJSON *
seed_item_body(const struct srv_seed_item *it)
{
	cJSON *body = cJSON_CreateObject();

	cJSON_AddStringToObject(body, "title", it->title);
	cJSON_AddStringToObject(body, "kind", it->kind);
	if (it->body != NULL)
		cJSON_AddStringToObject(body, "body", it->body);
	if (it->url != NULL)
		cJSON_AddStringToObject(body, "url", it->url);
	if (it->points > 0)
		cJSON_AddNumberToObject(body, "points", it->points);
	if (it->max_attempts > 0)
		cJSON_AddNumberToObject(body, "max_attempts", it->max_attempts);
	if (it->optional)
		cJSON_AddFalseToObject(body, "required");
	return body;
}

static int
seed_questions(struct seed *s, const char *owner, const char *item_id,
               const struct srv_seed_question *q)
{
	char path[128];
	int rc = 0;

	snprintf(path, sizeof path, "/items/%s/questions", item_id);
	for (; rc == 0 && q != NULL && q->kind != NULL; q++) {
		cJSON *body = cJSON_CreateObject();
		cJSON *answer = cJSON_Parse(q->answer);

		cJSON_AddStringToObject(body, "prompt", q->prompt);
		cJSON_AddStringToObject(body, "kind", q->kind);
		if (q->choices != NULL) {
			cJSON *choices = cJSON_AddArrayToObject(body, "choices");

			for (int i = 0; q->choices[i] != NULL; i++)
				cJSON_AddItemToArray(choices, cJSON_CreateString(q->choices[i]));
		}
		cJSON_AddItemToObject(body, "answer", answer != NULL ? answer : cJSON_CreateNull());
		if (q->tolerance > 0)
			cJSON_AddNumberToObject(body, "tolerance", q->tolerance);
		if (q->points > 0)
			cJSON_AddNumberToObject(body, "points", q->points);
		rc = seed_call(s, owner, "POST", path, body, NULL);
	}
	return rc;
}

/* One module: created, then its items in one array request, then the quiz questions. */
static int
seed_module(struct seed *s, const struct srv_seed_course *c, const char *course_id,
            const struct srv_seed_module *m)
{
	char module_id[LC_UUID_LEN + 1], path[128];
	cJSON *body = cJSON_CreateObject(), *items = cJSON_CreateArray(), *created = NULL;
	int rc, i = 0;

	lc_uuid_new(module_id);
	cJSON_AddStringToObject(body, "id", module_id);
	cJSON_AddStringToObject(body, "title", m->title);
	snprintf(path, sizeof path, "/courses/%s/modules", course_id);
	rc = seed_call(s, c->owner, "POST", path, body, NULL);
	for (const struct srv_seed_item *it = m->items; it->title != NULL; it++)
		cJSON_AddItemToArray(items, seed_item_body(it));
	snprintf(path, sizeof path, "/modules/%s/items", module_id);
	if (rc == 0)
		rc = seed_call(s, c->owner, "POST", path, items, &created);
	else
		cJSON_Delete(items);
	for (const struct srv_seed_item *it = m->items; rc == 0 && it->title != NULL; it++, i++) {
		const cJSON *doc = cJSON_GetArrayItem(created, i);
		const char *item_id = cJSON_GetStringValue(cJSON_GetObjectItem(doc, "id"));

		if (it->questions != NULL && item_id != NULL)
			rc = seed_questions(s, c->owner, item_id, it->questions);
	}
	cJSON_Delete(created);
	return rc;
}

static int
seed_course(struct seed *s, const struct srv_seed_course *c)
{
	char id[LC_UUID_LEN + 1], dept[LC_UUID_LEN + 1], path[128];
	cJSON *body = cJSON_CreateObject(), *keywords = cJSON_AddArrayToObject(body, "keywords");
	int rc =
	    seed_lookup(s, "SELECT id FROM departments WHERE code = ?", c->department_code, dept);

	lc_uuid_new(id);
	cJSON_AddStringToObject(body, "id", id);
	cJSON_AddStringToObject(body, "title", c->title);
	cJSON_AddStringToObject(body, "description", c->description);
	cJSON_AddStringToObject(body, "code", c->code);
	for (int i = 0; c->keywords != NULL && c->keywords[i] != NULL; i++)
		cJSON_AddItemToArray(keywords, cJSON_CreateString(c->keywords[i]));
	cJSON_AddStringToObject(body, "department_id", dept);
	cJSON_AddBoolToObject(body, "certification", c->certification);
	if (c->pass_score > 0)
		cJSON_AddNumberToObject(body, "pass_score", c->pass_score);
	if (rc == 0)
		rc = seed_call(s, c->owner, "POST", "/courses", body, NULL);
	else
		cJSON_Delete(body);
	for (const struct srv_seed_module *m = c->modules; rc == 0 && m->title != NULL; m++)
		rc = seed_module(s, c, id, m);
	if (rc == 0 && strcmp(c->status, "draft") != 0) {
		snprintf(path, sizeof path, "/courses/%s/%s", id,
		         strcmp(c->status, "published") == 0 ? "publish" : "archive");
		rc = seed_call(s, c->owner, "POST", path, NULL, NULL);
	}
	return rc;
}

/*
 * Enrolls, then completes the first `completed` non-quiz items of the course in outline
 * order and starts the next one.
 */
static int
seed_enrollment(struct seed *s, const struct srv_seed_enrollment *e)
{
	char course_id[LC_UUID_LEN + 1];
	cJSON *body, *items = cJSON_CreateArray();
	sqlite3_stmt *st = NULL;
	int rc = seed_lookup(s, "SELECT id FROM courses WHERE code = ?", e->course_code, course_id);

	if (rc == 0) {
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "course_id", course_id);
		rc = seed_call(s, e->username, "POST", "/enrollments", body, NULL);
	}
	if (rc == 0)
		rc = store_db_prepare_new(
		    s->db,
		    "SELECT i.id FROM items i JOIN modules m ON m.id = i.module_id "
		    "WHERE i.course_id = ? AND i.kind != 'quiz' "
		    "ORDER BY m.position, i.position",
		    &st);
	/* Read the ids before writing: a statement must not stay open across requests. */
	if (rc == 0) {
		store_bind_text(st, 1, course_id);
		while (cJSON_GetArraySize(items) <= e->completed &&
		       (rc = store_db_next_row(s->db, st, "seed items")) == 1)
			cJSON_AddItemToArray(
			    items, cJSON_CreateString((const char *)sqlite3_column_text(st, 0)));
		sqlite3_finalize(st);
		rc = rc < 0 ? rc : 0;
	}
	for (int i = 0; rc == 0 && i < cJSON_GetArraySize(items); i++) {
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "item_id", cJSON_GetArrayItem(items, i)->valuestring);
		cJSON_AddStringToObject(body, "status", i < e->completed ? "completed" : "started");
		cJSON_AddNumberToObject(body, "time_spent", 240 + 60 * i);
		rc = seed_call(s, e->username, "POST", "/progress", body, NULL);
	}
	cJSON_Delete(items);
	return rc;
}

/* Submits an attempt: answers[i] answers the quiz's i-th question. */
static int
seed_attempt(struct seed *s, const struct srv_seed_attempt *a)
{
	char course_id[LC_UUID_LEN + 1], item_id[LC_UUID_LEN + 1] = "", path[128];
	cJSON *values = cJSON_Parse(a->answers), *body, *answers;
	sqlite3_stmt *st = NULL;
	int rc = seed_lookup(s, "SELECT id FROM courses WHERE code = ?", a->course_code, course_id);
	int i = 0;

	if (rc == 0)
		rc = store_db_stmt(s->db, "SELECT id FROM items WHERE course_id = ? AND title = ?",
		                   &st);
	if (rc == 0) {
		store_bind_text(st, 1, course_id);
		store_bind_text(st, 2, a->item_title);
		rc = store_db_next_row(s->db, st, "seed item");
		if (rc == 1)
			snprintf(item_id, sizeof item_id, "%s",
			         (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		if (rc >= 0)
			rc = store_db_prepare_new(
			    s->db, "SELECT id FROM questions WHERE item_id = ? ORDER BY position",
			    &st);
	}
	if (rc != 0 || item_id[0] == '\0' || values == NULL) {
		cJSON_Delete(values);
		return lc_cause_set(s->cause, rc != 0 ? rc : -LC_EINVAL, "seed: bad attempt %s",
		                    a->item_title);
	}
	body = cJSON_CreateObject();
	answers = cJSON_AddObjectToObject(body, "answers");
	store_bind_text(st, 1, item_id);
	while (i < cJSON_GetArraySize(values) &&
	       (rc = store_db_next_row(s->db, st, "seed questions")) == 1)
		cJSON_AddItemToObject(answers, (const char *)sqlite3_column_text(st, 0),
		                      cJSON_Duplicate(cJSON_GetArrayItem(values, i++), true));
	sqlite3_finalize(st);
	cJSON_Delete(values);
	if (rc < 0) {
		cJSON_Delete(body);
		return lc_cause_set(s->cause, rc, "seed: cannot read the questions of %s",
		                    a->item_title);
	}
	snprintf(path, sizeof path, "/items/%s/attempts", item_id);
	return seed_call(s, a->username, "POST", path, body, NULL);
}

static int
seed_topics(struct seed *s, const struct srv_seed_course *c)
{
	char course_id[LC_UUID_LEN + 1], path[128];
	int rc = 0;

	if (c->topics == NULL)
		return 0;
	rc = seed_lookup(s, "SELECT id FROM courses WHERE code = ?", c->code, course_id);
	for (const struct srv_seed_topic *t = c->topics; rc == 0 && t->author != NULL; t++) {
		char topic_id[LC_UUID_LEN + 1];
		cJSON *body = cJSON_CreateObject();

		lc_uuid_new(topic_id);
		cJSON_AddStringToObject(body, "id", topic_id);
		cJSON_AddStringToObject(body, "title", t->title);
		cJSON_AddStringToObject(body, "body", t->body);
		snprintf(path, sizeof path, "/courses/%s/topics", course_id);
		rc = seed_call(s, t->author, "POST", path, body, NULL);
		snprintf(path, sizeof path, "/topics/%s/replies", topic_id);
		for (const struct srv_seed_reply *r = t->replies; rc == 0 && r != NULL && r->author;
		     r++) {
			body = cJSON_CreateObject();
			cJSON_AddStringToObject(body, "body", r->body);
			rc = seed_call(s, r->author, "POST", path, body, NULL);
		}
	}
	return rc;
}

int
srv_seed_demo(struct srv_ctx *ctx, char **cause)
{
	struct seed s = {ctx, srv_ctx_db(ctx), cause};
	int rc;

	if (s.db == NULL)
		return lc_cause_set(cause, -LC_EDB, "seed: cannot open the database");
	rc = seed_check_empty(&s);
	if (rc == 0)
		rc = seed_users(&s);
	if (rc == 0)
		rc = seed_departments(&s);
	if (rc == 0)
		rc = seed_memberships(&s);
	for (int i = 0; rc == 0 && srv_seed_courses[i] != NULL; i++)
		rc = seed_course(&s, srv_seed_courses[i]);
	for (const struct srv_seed_enrollment *e = srv_seed_enrollments; rc == 0 && e->username;
	     e++)
		rc = seed_enrollment(&s, e);
	for (const struct srv_seed_attempt *a = srv_seed_attempts; rc == 0 && a->username; a++)
		rc = seed_attempt(&s, a);
	for (int i = 0; rc == 0 && srv_seed_courses[i] != NULL; i++)
		rc = seed_topics(&s, srv_seed_courses[i]);
	return rc;
}
