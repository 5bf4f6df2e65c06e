/* SPDX-License-Identifier: MIT */
/*
 * Sync issues: writes the server refused and edits that collided, kept with the user's
 * content until the user discards them or queues them again.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica-int.h"
#include "store/replica.h"

static void
issue_finish(struct store_issue *i)
{
	free(i->kind);
	free(i->method);
	free(i->path);
	free(i->message);
	free(i->type);
	free(i->res_id);
	free(i->mine);
	free(i->theirs);
	free(i->base);
	free(i->scope);
}

void
store_issues_free(struct store_issue *issues, size_t n)
{
	for (size_t i = 0; issues != NULL && i < n; i++)
		issue_finish(&issues[i]);
	free(issues);
}

static int issues_select(struct store_db *db, int64_t id, struct store_issue **out, size_t *n);

int
store_issues_list(struct store_db *db, struct store_issue **out, size_t *n)
{
	return issues_select(db, 0, out, n);
}

/* The issues, or only issue `id` when id > 0. */
static int
issues_select(struct store_db *db, int64_t id, struct store_issue **out, size_t *n)
{
	static const char sql[] = "SELECT id, kind, method, path, status, message, type, res_id,"
	                          " mine, theirs, base, created_at, theirs_rev, scope FROM issues"
	                          " WHERE ?1 = 0 OR id = ?1 ORDER BY created_at DESC, id DESC";
	sqlite3_stmt *stmt;
	struct store_issue *list = NULL;
	size_t len = 0, cap = 0;
	int rc = store_db_stmt(db, sql, &stmt);

	*out = NULL;
	*n = 0;
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_issue *i;

		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			list = lc_realloc(list, cap * sizeof(*list));
		}
		i = &list[len++];
		i->id = sqlite3_column_int64(stmt, 0);
		i->kind = store_column_dup(stmt, 1);
		i->method = store_column_dup(stmt, 2);
		i->path = store_column_dup(stmt, 3);
		i->status = sqlite3_column_int(stmt, 4);
		i->message = store_column_dup(stmt, 5);
		i->type = store_column_dup(stmt, 6);
		i->res_id = store_column_dup(stmt, 7);
		i->mine = store_column_dup(stmt, 8);
		i->theirs = store_column_dup(stmt, 9);
		i->base = store_column_dup(stmt, 10);
		i->created_at = sqlite3_column_int64(stmt, 11);
		i->theirs_rev = sqlite3_column_int64(stmt, 12);
		i->scope = store_column_dup(stmt, 13);
	}
	if (rc != SQLITE_DONE) {
		rc = store_db_fail(db, rc, "listing sync issues");
		sqlite3_reset(stmt);
		store_issues_free(list, len);
		return rc;
	}
	sqlite3_reset(stmt);
	*out = list;
	*n = len;
	return 0;
}

int
store_issue_count(struct store_db *db, int64_t *n)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT count(*) FROM issues", &stmt);

	*n = 0;
	if (rc != 0)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(stmt, 0);
	rc = rc == SQLITE_ROW ? 0 : store_db_fail(db, rc, "counting sync issues");
	sqlite3_reset(stmt);
	return rc;
}

static int
issue_delete(struct store_db *db, int64_t id)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "DELETE FROM issues WHERE id = ?1", &stmt);

	if (rc != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	rc = store_replica_step_done(db, stmt, "removing a sync issue");
	if (rc == 0 && store_db_changes(db) == 0)
		rc = -LC_ENOTFOUND;
	return rc;
}

int
store_issue_discard(struct store_db *db, int64_t id)
{
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	return replica_end(db, issue_delete(db, id));
}

/* Copies the issue into a new outbox entry with a fresh key and no local effect. */
static int
requeue(struct store_db *db, int64_t id)
{
	static const char sql[] =
	    "INSERT INTO outbox(key, method, path, body, if_match, type, res_id, scope,"
	    " has_effect, created_at)"
	    " SELECT ?2, method, path, mine,"
	    " CASE WHEN kind = 'conflict' THEN theirs_rev ELSE if_match END,"
	    " type, res_id, scope, 0, ?3 FROM issues WHERE id = ?1";
	char key[LC_UUID_LEN + 1];
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, sql, &stmt);

	if (rc != 0)
		return rc;
	lc_uuid_new(key);
	sqlite3_bind_int64(stmt, 1, id);
	store_bind_text(stmt, 2, key);
	sqlite3_bind_int64(stmt, 3, lc_now());
	rc = store_replica_step_done(db, stmt, "queueing a sync issue again");
	if (rc == 0 && store_db_changes(db) == 0)
		rc = -LC_ENOTFOUND;
	if (rc == 0)
		rc = issue_delete(db, id);
	return rc;
}

int
store_issue_get(struct store_db *db, int64_t id, struct store_issue **out)
{
	size_t n = 0;
	int rc = id > 0 ? issues_select(db, id, out, &n) : -LC_ENOTFOUND;

	if (rc == 0 && n == 0) {
		store_issues_free(*out, 0);
		*out = NULL;
		rc = -LC_ENOTFOUND;
	}
	return rc;
}

static bool
is_conflict(const struct store_issue *it)
{
	return it->kind != NULL && strcmp(it->kind, "conflict") == 0;
}

int
store_issue_retry(struct store_db *db, int64_t id)
{
	struct store_issue *it = NULL;
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	rc = store_issue_get(db, id, &it);
	/* Sending mine again over a conflict would silently drop the server's change (ux
	 * review 2026-11-29, A2): the user chooses keep mine, keep theirs or a merge. */
	if (rc == 0 && is_conflict(it))
		rc = -LC_ECONFLICT;
	if (rc == 0)
		rc = requeue(db, id);
	store_issues_free(it, it != NULL ? 1 : 0);
	return replica_end(db, rc);
}

/* theirs with body's fields applied (a JSON merge patch): the doc to show until the
 * answer comes. NULL when either is not a JSON object. Caller frees. */
static char *
patched_doc(struct store_db *db, const char *theirs, const char *body)
{
	sqlite3_stmt *stmt;
	char *out = NULL;

	if (theirs == NULL || body == NULL ||
	    store_db_stmt(db,
	                  "SELECT CASE WHEN json_valid(?1) AND json_valid(?2)"
	                  " AND json_type(?1) = 'object' AND json_type(?2) = 'object'"
	                  " THEN json_patch(?1, ?2) END",
	                  &stmt) != 0)
		return NULL;
	store_bind_text(stmt, 1, theirs);
	store_bind_text(stmt, 2, body);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		out = store_column_dup(stmt, 0);
	sqlite3_reset(stmt);
	return out;
}

/* Queues body as the edit of the conflict's resource, If-Match theirs' rev, and drops it. */
static int
queue_choice(struct store_db *db, int64_t id, const char *body)
{
	struct store_issue *it = NULL;
	char *doc = NULL;
	int rc = store_issue_get(db, id, &it);

	if (rc == 0 && !is_conflict(it))
		rc = -LC_EINVAL;
	if (rc == 0) {
		struct store_write w = {
		    .method = it->method,
		    .path = it->path,
		    .body = body,
		    .if_match = it->theirs_rev,
		    .type = it->type,
		    .id = it->res_id,
		    .scope = it->scope,
		};

		doc = patched_doc(db, it->theirs, body);
		/* The optimistic doc only where the replica can show it; else the entry goes
		 * without one, as store_issue_retry()'s does. */
		if (doc != NULL && it->type != NULL && it->res_id != NULL && it->scope != NULL &&
		    store_replica_doc_valid(db, doc))
			w.doc = doc;
		rc = store_local_write(db, &w, NULL);
	}
	if (rc == 0)
		rc = issue_delete(db, id);
	free(doc);
	store_issues_free(it, it != NULL ? 1 : 0);
	return rc;
}

int
store_issue_keep_mine(struct store_db *db, int64_t id)
{
	struct store_issue *it = NULL;
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	rc = store_issue_get(db, id, &it);
	if (rc == 0)
		rc = queue_choice(db, id, it->mine != NULL ? it->mine : "{}");
	store_issues_free(it, it != NULL ? 1 : 0);
	return replica_end(db, rc);
}

int
store_issue_resolve(struct store_db *db, int64_t id, const char *body)
{
	int rc;

	if (body == NULL)
		return -LC_EINVAL;
	rc = replica_begin(db);
	if (rc != 0)
		return rc;
	return replica_end(db, queue_choice(db, id, body));
}

int
store_issue_keep_theirs(struct store_db *db, int64_t id)
{
	struct store_issue *it = NULL;
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	rc = store_issue_get(db, id, &it);
	if (rc == 0 && !is_conflict(it))
		rc = -LC_EINVAL;
	/* The conflict already put theirs in the replica and dropped the overlay. */
	if (rc == 0)
		rc = issue_delete(db, id);
	store_issues_free(it, it != NULL ? 1 : 0);
	return replica_end(db, rc);
}

/* ---- In words ----------------------------------------------------------------------------- */

/* Field name of a resource of the replica (overlay first); NULL when absent. */
static char *
res_field(struct store_db *db, const char *type, const char *id, const char *name)
{
	struct store_resource res = {0};
	char *out = NULL;
	cJSON *doc;
	const cJSON *v;

	if (type == NULL || id == NULL || store_resource_get(db, type, id, &res) != 0)
		return NULL;
	doc = cJSON_Parse(res.doc);
	v = cJSON_GetObjectItemCaseSensitive(doc, name);
	if (cJSON_IsString(v) && v->valuestring[0] != '\0')
		out = lc_strdup(v->valuestring);
	cJSON_Delete(doc);
	store_resource_finish(&res);
	return out;
}

/* Field name of the issue's own versions (theirs, then mine), else of the replica's row. */
static char *
issue_field(struct store_db *db, const struct store_issue *it, const char *name)
{
	const char *docs[] = {it->theirs, it->mine, it->base};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cJSON *doc = docs[i] != NULL ? cJSON_Parse(docs[i]) : NULL;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);
		char *out = cJSON_IsString(v) && v->valuestring[0] != '\0'
		                ? lc_strdup(v->valuestring)
		                : NULL;

		cJSON_Delete(doc);
		if (out != NULL)
			return out;
	}
	return res_field(db, it->type, it->res_id, name);
}

/* "C201" (the course's code, else its title) of a course id; NULL when unknown. */
static char *
course_name(struct store_db *db, const char *course_id)
{
	char *code = res_field(db, "course", course_id, "code");

	return code != NULL ? code : res_field(db, "course", course_id, "title");
}

/* " in C201" for the course of a module; "" when unknown. Caller frees. */
static char *
in_course_of_module(struct store_db *db, const char *module_id)
{
	char *course_id = res_field(db, "module", module_id, "course_id");
	char *name = course_name(db, course_id);
	char *out = name != NULL ? lc_asprintf(" in %s", name) : lc_strdup("");

	free(course_id);
	free(name);
	return out;
}

/* The id after marker in a request path ("/api/v1/topics/<id>/replies"); NULL when none. */
static char *
path_id(const char *path, const char *marker)
{
	const char *p = path != NULL ? strstr(path, marker) : NULL;

	if (p == NULL)
		return NULL;
	p += strlen(marker);
	return strcspn(p, "/?") > 0 ? lc_strndup(p, strcspn(p, "/?")) : NULL;
}

static const char *
item_kind_word(const char *kind)
{
	static const char *const map[][2] = {
	    {"page", "Lesson"}, {"link", "Link"}, {"quiz", "Quiz"}, {"assignment", "Assignment"}};

	for (size_t i = 0; kind != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(kind, map[i][0]) == 0)
			return map[i][1];
	return "Item";
}

char *
store_issue_describe(struct store_db *db, const struct store_issue *it)
{
	const char *type = it->type != NULL ? it->type : "";
	char *title = issue_field(db, it, "title");
	char *parent = NULL, *in = NULL, *name = NULL, *out;

	if (strcmp(type, "item") == 0) {
		char *kind = issue_field(db, it, "kind");

		parent = issue_field(db, it, "module_id");
		in = in_course_of_module(db, parent);
		out = lc_asprintf("%s '%s'%s", item_kind_word(kind), title ? title : "(untitled)",
		                  in);
		free(kind);
	} else if (strcmp(type, "reply") == 0) {
		parent = issue_field(db, it, "topic_id");
		if (parent == NULL)
			parent = path_id(it->path, "/topics/");
		name = res_field(db, "topic", parent, "title");
		out = name != NULL ? lc_asprintf("Reply in '%s'", name) : lc_strdup("Reply");
	} else if (strcmp(type, "topic") == 0 || strcmp(type, "module") == 0) {
		parent = issue_field(db, it, "course_id");
		name = course_name(db, parent);
		out =
		    lc_asprintf("%s '%s'%s%s", type[0] == 't' ? "Topic" : "Module",
		                title ? title : "(untitled)", name ? " in " : "", name ? name : "");
	} else if (strcmp(type, "course") == 0) {
		name = course_name(db, it->res_id);
		if (name == NULL)
			name = issue_field(db, it, "code");
		out = lc_asprintf("Course %s", name ? name : title ? title : "(untitled)");
	} else if (strcmp(type, "enrollment") == 0) {
		parent = issue_field(db, it, "course_id");
		name = course_name(db, parent);
		out = lc_asprintf("Enrollment in %s", name ? name : "a course");
	} else if (strcmp(type, "progress") == 0 || strcmp(type, "attempt") == 0 ||
	           strcmp(type, "question") == 0) {
		parent = issue_field(db, it, "item_id");
		name = res_field(db, "item", parent, "title");
		out = lc_asprintf("%s %s '%s'",
		                  type[0] == 'p'   ? "Progress on"
		                  : type[0] == 'a' ? "Attempt at"
		                                   : "Question in",
		                  type[0] == 'q' ? "quiz" : "item", name ? name : "(unknown)");
	} else if (title != NULL) {
		out = lc_asprintf("%s '%s'", it->type != NULL ? it->type : "Write", title);
	} else {
		out = lc_strdup(it->type != NULL ? it->type : "Write");
	}
	free(title);
	free(parent);
	free(in);
	free(name);
	return out;
}

char *
store_issue_what_happened(const struct store_issue *it)
{
	if (is_conflict(it))
		return lc_strdup("changed on the server since you edited it");
	if (it->status == 413)
		return lc_strdup("too large for the server to take");
	return lc_asprintf("refused by the server: %s",
	                   it->message != NULL && it->message[0] != '\0' ? it->message
	                                                                 : "no reason given");
}
