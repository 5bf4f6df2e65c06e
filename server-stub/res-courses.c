/* SPDX-License-Identifier: MIT */
/*
 * Courses: the catalog list with filters and full-text search, create, get, patch,
 * delete (cascading, with tombstones), the status transitions, the outline, the students
 * list and the analytics. The status moves between draft, published and archived only
 * along the transitions of `transitions[]`; any other move is a 409. Unarchiving undoes
 * an archive: the course goes back to the catalog.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "res-course.h"
#include "srv.h"

#define COURSE_TITLE_MAX 200
#define COURSE_CODE_MAX 32

static int
course_render(struct srv_req *req, const char *id, cJSON **out)
{
	struct srv_course_ref ref;
	int rc = srv_course_ref_load(req->db, id, &ref);

	if (rc != 0)
		return rc;
	if (srv_perm_course_read(req, &ref) != SRV_ALLOW)
		return -LC_ENOTFOUND;
	*out = rc_course_doc(req->db, id);
	return rc_doc_result(req->db, *out);
}

/* Renders id into a 200/201 response, or a 500 when the row vanished. */
static void
reply_doc(struct srv_req *req, struct srv_resp *resp, int status, cJSON *doc)
{
	if (doc == NULL) {
		srv_internal(req, resp, -LC_EDB, "render");
		return;
	}
	srv_reply(resp, status, doc);
}

/*
 * Turns free text into an FTS5 query: every word quoted as a prefix, all required, so
 * no character a user types can be FTS syntax.
 */
static char *
fts_query(const char *text)
{
	struct lc_buf q = {0};
	const char *p = text;

	while (*p != '\0') {
		const char *start;

		while (*p != '\0' && !isalnum((unsigned char)*p) && (unsigned char)*p < 0x80)
			p++;
		start = p;
		while (*p != '\0' && (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80))
			p++;
		if (p > start)
			lc_buf_printf(&q, "%s\"%.*s\"*", q.len > 0 ? " " : "", (int)(p - start),
			              start);
	}
	return q.len > 0 ? lc_buf_steal(&q) : NULL;
}

/*
 * The total of an unfiltered catalog page from course_counts (schema version 4), when
 * perm.c reduces the caller's view to statuses. Returns 1 with *total set, 0 when the
 * caller's view needs the full count, or -LC_EDB.
 */
static int
courses_total_by_status(struct srv_req *req, const char *status, int64_t *total)
{
	bool every_status;
	int64_t n;
	int rc = srv_perm_course_read_by_status(req, &every_status);

	if (rc != 1)
		return rc;
	if (!every_status && status != NULL && strcmp(status, "published") != 0) {
		*total = 0;
		return 1;
	}
	n = rc_count(
	    req->db,
	    "SELECT coalesce(sum(n), 0) FROM course_counts WHERE ?1 IS NULL OR status = ?1",
	    every_status ? status : "published");
	if (n < 0)
		return (int)n;
	*total = n;
	return 1;
}

static void
courses_list(struct srv_req *req, struct srv_resp *resp)
{
	static const char *const statuses[] = {"draft", "published", "archived", NULL};
	const char *status = srv_query(req, "status");
	const char *search = srv_query(req, "search");
	char *match = search != NULL ? fts_query(search) : NULL;
	struct srv_check c;
	struct srv_page page;
	sqlite3_stmt *st = NULL;
	cJSON *items = cJSON_CreateArray();
	int64_t total = 0;
	int rc;

	srv_check_init(&c);
	srv_page_parse(req, &c, &page);
	if (status != NULL) {
		bool ok = false;

		for (int i = 0; statuses[i] != NULL; i++)
			ok = ok || strcmp(status, statuses[i]) == 0;
		if (!ok)
			srv_check_bad(&c, "status");
	}
	if (srv_query(req, "department_id") != NULL &&
	    !lc_uuid_valid(srv_query(req, "department_id")))
		srv_check_bad(&c, "department_id");
	if (srv_query(req, "owner_id") != NULL && !lc_uuid_valid(srv_query(req, "owner_id")))
		srv_check_bad(&c, "owner_id");
	if (srv_check_failed(&c, resp))
		goto out;
	/*
	 * Visibility is perm.c's predicate, so SQL counts and pages and only the page's rows
	 * are rendered: the cost of a page no longer follows the size of the catalog (perf
	 * review 2026-11-29, cause 2).
	 */
	rc = 0;
	if (search == NULL && srv_query(req, "department_id") == NULL &&
	    srv_query(req, "owner_id") == NULL)
		rc = courses_total_by_status(req, status, &total);
	for (int pass = rc == 1 ? 1 : 0; rc >= 0 && pass < 2; pass++) {
		struct lc_buf sql = {0};

		lc_buf_printf(
		    &sql,
		    "SELECT %s FROM courses WHERE (?1 IS NULL OR status = ?1) "
		    "AND (?2 IS NULL OR department_id = ?2) AND (?3 IS NULL OR owner_id = ?3) "
		    "AND (?4 IS NULL OR rowid IN (SELECT rowid FROM courses_fts WHERE "
		    "courses_fts MATCH ?4)) AND (?5 IS NULL OR ?4 IS NOT NULL) AND %s%s",
		    pass == 0 ? "count(*)" : "id", srv_perm_course_read_sql(),
		    pass == 0 ? "" : " ORDER BY created_at, rowid LIMIT :limit OFFSET :offset");
		rc = store_db_stmt(req->db, lc_buf_str(&sql), &st);
		lc_buf_finish(&sql);
		if (rc != 0)
			break;
		store_bind_text(st, 1, status);
		store_bind_text(st, 2, srv_query(req, "department_id"));
		store_bind_text(st, 3, srv_query(req, "owner_id"));
		store_bind_text(st, 4, match);
		/* A search made only of punctuation matches nothing rather than everything. */
		store_bind_text(st, 5, search != NULL && search[0] != '\0' ? search : NULL);
		if (pass == 1) {
			/* By name: the predicate's named parameters take the numbers after ?5. */
			sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":limit"),
			                   page.limit);
			sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":offset"),
			                   page.offset);
		}
		rc = srv_perm_course_read_bind(req, st);
		if (rc != 0)
			break;
		if (pass == 0) {
			rc = store_db_next_row(req->db, st, "count courses");
			if (rc == 1)
				total = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
			if (rc != 1)
				break;
			continue;
		}
		while ((rc = store_db_next_row(req->db, st, "list courses")) == 1) {
			cJSON *doc = NULL;

			/* Visible by the predicate, same transaction: a 404 here is an error. */
			rc = course_render(req, (const char *)sqlite3_column_text(st, 0), &doc);
			if (rc != 0)
				break;
			cJSON_AddItemToArray(items, doc);
		}
	}
	if (rc < 0) {
		/* Not a shorter list: an error (code review 2026-11-29, F6). */
		srv_internal(req, resp, rc, "list courses");
		goto out;
	}
	srv_reply(resp, 200, srv_page_body(&page, items, total));
	items = NULL;
out:
	if (st != NULL)
		sqlite3_reset(st);
	cJSON_Delete(items);
	srv_check_finish(&c);
	free(match);
}

/* The create/patch fields of a course, as validated. */
struct course_fields {
	const char *title, *description, *code, *department_id;
	const cJSON *keywords;
	bool certification;
	double pass_score;
	int has_title, has_description, has_code, has_department, has_keywords, has_cert, has_pass;
};

static void
course_fields_read(struct srv_req *req, struct srv_check *c, unsigned title_opt,
                   struct course_fields *f)
{
	const cJSON *b = req->body;

	memset(f, 0, sizeof *f);
	f->has_title = srv_get_str(c, b, "title", title_opt, 1, COURSE_TITLE_MAX, &f->title);
	f->has_description =
	    srv_get_str(c, b, "description", SRV_NULLABLE, 0, SRV_MARKDOWN_MAX, &f->description);
	f->has_code = srv_get_str(c, b, "code", SRV_NULLABLE, 0, COURSE_CODE_MAX, &f->code);
	f->has_keywords = srv_get_str_array(c, b, "keywords", SRV_NULLABLE, 64, 32, &f->keywords);
	f->has_department = srv_get_uuid(c, b, "department_id", SRV_NULLABLE, &f->department_id);
	f->has_cert = srv_get_bool(c, b, "certification", 0, &f->certification);
	f->has_pass = srv_get_num(c, b, "pass_score", 0, 0.0, 1.0, &f->pass_score);
	if (f->has_department == SRV_GOT && f->department_id != NULL)
		srv_check_lookup(c, srv_row_find(req->db, "departments", f->department_id),
		                 "department_id");
}

/* Runs "UPDATE courses SET <col> = ? WHERE id = ?" with one bound value. */
static int
course_set(struct srv_req *req, const char *sql, const char *text, const double *num,
           const char *id)
{
	sqlite3_stmt *st;
	int rc = store_db_stmt(req->db, sql, &st);

	if (rc != 0)
		return rc;
	if (num != NULL)
		sqlite3_bind_double(st, 1, *num);
	else
		store_bind_text(st, 1, text);
	store_bind_text(st, 2, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : store_db_fail(req->db, rc, "update course");
}

/* Writes every field that was sent; description NULL is stored as "". */
static int
course_fields_write(struct srv_req *req, const struct course_fields *f, const char *id)
{
	char *keywords = NULL;
	double cert = f->certification ? 1 : 0;
	int rc = 0;

	if (f->has_title == SRV_GOT)
		rc = course_set(req, "UPDATE courses SET title = ? WHERE id = ?", f->title, NULL,
		                id);
	if (rc == 0 && f->has_description == SRV_GOT)
		rc = course_set(req, "UPDATE courses SET description = ? WHERE id = ?",
		                f->description != NULL ? f->description : "", NULL, id);
	if (rc == 0 && f->has_code == SRV_GOT)
		rc = course_set(req, "UPDATE courses SET code = ? WHERE id = ?", f->code, NULL, id);
	if (rc == 0 && f->has_department == SRV_GOT)
		rc = course_set(req, "UPDATE courses SET department_id = ? WHERE id = ?",
		                f->department_id, NULL, id);
	if (rc == 0 && f->has_cert == SRV_GOT)
		rc = course_set(
		    req, "UPDATE courses SET certification = CAST(? AS INTEGER) WHERE id = ?", NULL,
		    &cert, id);
	if (rc == 0 && f->has_pass == SRV_GOT)
		rc = course_set(req, "UPDATE courses SET pass_score = ? WHERE id = ?", NULL,
		                &f->pass_score, id);
	if (rc == 0 && f->has_keywords == SRV_GOT) {
		keywords = f->keywords != NULL ? cJSON_PrintUnformatted(f->keywords) : NULL;
		rc = course_set(req, "UPDATE courses SET keywords = ? WHERE id = ?",
		                keywords != NULL ? keywords : "[]", NULL, id);
		cJSON_free(keywords);
	}
	return rc;
}

static void
course_create(struct srv_req *req, struct srv_resp *resp)
{
	struct course_fields f;
	struct srv_check c;
	char id[LC_UUID_LEN + 1], now[32];
	sqlite3_stmt *st;
	int rc;

	srv_check_init(&c);
	srv_get_new_id(&c, req->body, id);
	course_fields_read(req, &c, SRV_REQUIRED, &f);
	/* Who may create decides first: a learner hears 403 whatever the body holds. */
	if (!srv_perm_check(
	        srv_perm_course_create(req, f.has_department == SRV_GOT ? f.department_id : NULL),
	        resp, "department") ||
	    srv_check_failed(&c, resp))
		goto out;
	if (!srv_id_free(req, resp, "courses", id, "course"))
		goto out;
	srv_now(now);
	rc = store_db_stmt(
	    req->db,
	    "INSERT INTO courses (id, title, owner_id, status, created_at, updated_at) "
	    "VALUES (?, ?, ?, 'draft', ?, ?)",
	    &st);
	if (rc == 0) {
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, f.title);
		store_bind_text(st, 3, req->viewer->id);
		store_bind_text(st, 4, now);
		store_bind_text(st, 5, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0
		                                     : store_db_fail(req->db, -1, "insert course");
		sqlite3_reset(st);
	}
	if (rc == 0)
		rc = course_fields_write(req, &f, id);
	if (rc == 0)
		rc = rc_emit_course(req, id, false);
	if (rc != 0)
		srv_internal(req, resp, rc, "create course");
	else
		reply_doc(req, resp, 201, rc_course_doc(req->db, id));
out:
	srv_check_finish(&c);
}

static void
course_get(struct srv_req *req, struct srv_resp *resp)
{
	cJSON *doc = NULL;
	int rc = course_render(req, req->params[0], &doc);

	if (rc == -LC_ENOTFOUND)
		srv_not_found(resp, "course");
	else if (rc != 0)
		srv_internal(req, resp, rc, "get course");
	else
		srv_reply(resp, 200, doc);
}

static void
course_patch(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct course_fields f;
	struct rc_course course;
	struct srv_check c;
	int64_t rev;
	int rc;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "courses", id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "course"))
		goto out;
	course_fields_read(req, &c, SRV_OPTIONAL, &f);
	if (srv_check_failed(&c, resp) || !srv_if_match(req, resp, "course", id, course.rev))
		goto out;
	/* A move needs rights on both ends (mission review 2026-11-29, B6). */
	if (f.has_department == SRV_GOT &&
	    !srv_perm_check(srv_perm_course_move(req, &course.ref, f.department_id), resp,
	                    "department"))
		goto out;
	rc = course_fields_write(req, &f, id);
	if (rc == 0)
		rc = rc_touch(req->db, "courses", id, &rev);
	if (rc == 0)
		rc = rc_emit_course(req, id, course.ref.status == SRV_COURSE_PUBLISHED);
	if (rc != 0)
		srv_internal(req, resp, rc, "patch course");
	else
		reply_doc(req, resp, 200, rc_course_doc(req->db, id));
out:
	srv_check_finish(&c);
}

static void
course_delete(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct rc_course course;
	int rc;

	if (rc_load_for(req, resp, "courses", id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_delete(req, &course.ref), resp, "course") ||
	    !srv_if_match(req, resp, "course", id, course.rev))
		return;
	rc = rc_delete_course(req, id);
	if (rc != 0)
		srv_internal(req, resp, rc, "delete course");
	else
		srv_reply(resp, 204, NULL);
}

/* Which status each action accepts and where it leads. */
static const struct {
	const char *action;
	const char *from[2];
	const char *to;
} transitions[] = {
    {"publish", {"draft", NULL}, "published"},
    {"unpublish", {"published", NULL}, "draft"},
    {"archive", {"draft", "published"}, "archived"},
    {"unarchive", {"archived", NULL}, "published"},
};

static void
course_transition(struct srv_req *req, struct srv_resp *resp, const char *action)
{
	const char *id = req->params[0];
	struct rc_course course;
	int64_t rev;
	size_t t = 0;
	int rc;

	while (strcmp(transitions[t].action, action) != 0)
		t++;
	if (rc_load_for(req, resp, "courses", id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_edit(req, &course.ref), resp, "course") ||
	    !srv_if_match(req, resp, "course", id, course.rev))
		return;
	if ((transitions[t].from[0] == NULL ||
	     strcmp(course.status, transitions[t].from[0]) != 0) &&
	    (transitions[t].from[1] == NULL ||
	     strcmp(course.status, transitions[t].from[1]) != 0)) {
		srv_conflict(resp, "A %s course cannot be %sed", course.status,
		             strcmp(action, "publish") == 0 ? "publish" : action);
		return;
	}
	rc = course_set(req, "UPDATE courses SET status = ? WHERE id = ?", transitions[t].to, NULL,
	                id);
	if (rc == 0)
		rc = rc_touch(req->db, "courses", id, &rev);
	if (rc == 0)
		rc = rc_emit_course(req, id, course.ref.status == SRV_COURSE_PUBLISHED);
	if (rc != 0)
		srv_internal(req, resp, rc, "course status");
	else
		reply_doc(req, resp, 200, rc_course_doc(req->db, id));
}

static void
course_publish(struct srv_req *req, struct srv_resp *resp)
{
	course_transition(req, resp, "publish");
}

static void
course_unpublish(struct srv_req *req, struct srv_resp *resp)
{
	course_transition(req, resp, "unpublish");
}

static void
course_archive(struct srv_req *req, struct srv_resp *resp)
{
	course_transition(req, resp, "archive");
}

static void
course_unarchive(struct srv_req *req, struct srv_resp *resp)
{
	course_transition(req, resp, "unarchive");
}

/* {"title": column 1 of the row}: all GET /courses/{id}/titles says of a module or item. */
static cJSON *
title_only(sqlite3_stmt *st)
{
	cJSON *doc = cJSON_CreateObject();

	cJSON_AddStringToObject(doc, "title", (const char *)sqlite3_column_text(st, 1));
	return doc;
}

/*
 * Adds the modules of a course in order, each with its items in order, to doc's "modules":
 * their docs, or with titles_only {title} objects and nothing else (GET .../titles).
 */
static int
outline_modules(struct store_db *db, const char *course_id, cJSON *doc, bool titles_only)
{
	cJSON *modules = cJSON_AddArrayToObject(doc, "modules");
	sqlite3_stmt *ms = NULL, *is = NULL;
	int rc;

	rc = store_db_prepare_new(db,
	                          "SELECT id, title FROM modules WHERE course_id = ? ORDER BY "
	                          "position, created_at",
	                          &ms);
	if (rc == 0)
		rc = store_db_prepare_new(
		    db, "SELECT id, title FROM items WHERE module_id = ? ORDER BY position", &is);
	if (rc != 0)
		goto out;
	store_bind_text(ms, 1, course_id);
	while ((rc = store_db_next_row(db, ms, "outline modules")) == 1) {
		const char *mid = (const char *)sqlite3_column_text(ms, 0);
		cJSON *module = titles_only ? title_only(ms) : rc_module_doc(db, mid);
		cJSON *items = cJSON_AddArrayToObject(module, "items");

		rc = rc_add_doc(db, modules, module);
		if (rc != 0)
			break;
		sqlite3_reset(is);
		store_bind_text(is, 1, mid);
		while ((rc = store_db_next_row(db, is, "outline items")) == 1) {
			rc = rc_add_doc(
			    db, items,
			    titles_only
			        ? title_only(is)
			        : rc_item_doc(db, (const char *)sqlite3_column_text(is, 0)));
			if (rc != 0)
				break;
		}
		if (rc < 0)
			break;
	}
out:
	sqlite3_finalize(ms);
	sqlite3_finalize(is);
	return rc;
}

static void
course_outline(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct rc_course course;
	cJSON *doc;
	int rc;

	if (rc_load_for(req, resp, "courses", id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_content(req, &course.ref), resp, "course"))
		return;
	doc = rc_course_doc(req->db, id);
	if (doc != NULL && (rc = outline_modules(req->db, id, doc, false)) < 0) {
		cJSON_Delete(doc);
		srv_internal(req, resp, rc, "outline");
		return;
	}
	reply_doc(req, resp, 200, doc);
}

/*
 * GET /courses/{id}/titles (a Lectern extension, docs/api.md "Course titles"): the titles of
 * the modules and items of a course, in outline order, for whoever may read the course
 * itself (anyone for a published one), so that a learner can judge a course before
 * enrolling (UX review 2026-11-29, A12). Titles only (outline_modules' titles_only): no
 * ids, bodies, links, questions or dates.
 */
static void
course_titles(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct srv_course_ref ref;
	cJSON *doc;
	int rc = srv_course_ref_load(req->db, id, &ref);

	/* Exactly who may GET /courses/{id}; anyone else learns nothing, not even that it is. */
	if (rc == -LC_ENOTFOUND || (rc == 0 && srv_perm_course_read(req, &ref) != SRV_ALLOW)) {
		srv_not_found(resp, "course");
		return;
	}
	if (rc != 0) {
		srv_internal(req, resp, rc, "course titles");
		return;
	}
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "course_id", id);
	rc = outline_modules(req->db, id, doc, true);
	if (rc < 0) {
		cJSON_Delete(doc);
		srv_internal(req, resp, rc, "course titles");
		return;
	}
	srv_reply(resp, 200, doc);
}

static void
course_students(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct rc_course course;
	struct srv_check c;
	struct srv_page page;
	sqlite3_stmt *st = NULL;
	cJSON *items = cJSON_CreateArray();
	int64_t total = 0;
	int rc, percent;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "courses", id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_staff(req, &course.ref), resp, "course"))
		goto out;
	srv_page_parse(req, &c, &page);
	if (srv_check_failed(&c, resp))
		goto out;
	if (store_db_prepare_new(req->db,
	                         "SELECT e.user_id, u.username, u.first_name, u.last_name, "
	                         "e.created_at FROM enrollments e "
	                         "JOIN users u ON u.id = e.user_id WHERE e.course_id = ? "
	                         "ORDER BY u.username LIMIT ? OFFSET ?",
	                         &st) != 0) {
		srv_internal(req, resp, -LC_EDB, "students");
		goto out;
	}
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, page.limit);
	sqlite3_bind_int64(st, 3, page.offset);
	while ((rc = store_db_next_row(req->db, st, "students")) == 1) {
		cJSON *s = cJSON_CreateObject();
		const char *uid = (const char *)sqlite3_column_text(st, 0);

		srv_json_add_col(s, "user_id", st, 0);
		srv_json_add_col(s, "username", st, 1);
		srv_json_add_col(s, "first_name", st, 2);
		srv_json_add_col(s, "last_name", st, 3);
		srv_json_add_col(s, "enrolled_at", st, 4);
		percent = rc_percent(req->db, id, uid);
		cJSON_AddNumberToObject(s, "percent", percent);
		cJSON_AddItemToArray(items, s);
		if (percent < 0) {
			rc = percent;
			break;
		}
	}
	if (rc < 0) {
		srv_internal(req, resp, rc, "students");
		goto out;
	}
	total = rc_count(req->db, "SELECT count(*) FROM enrollments WHERE course_id = ?", id);
	if (total < 0) {
		srv_internal(req, resp, (int)total, "students");
		goto out;
	}
	srv_reply(resp, 200, srv_page_body(&page, items, total));
	items = NULL;
out:
	sqlite3_finalize(st);
	cJSON_Delete(items);
	srv_check_finish(&c);
}

/* Fills the course-wide numbers of the analytics body. Returns 0 or -LC_EDB. */
static int
analytics_totals(struct store_db *db, const char *id, cJSON *body)
{
	sqlite3_stmt *st;
	int enrolled = 0, completed = 0;
	int rc =
	    store_db_prepare_new(db, "SELECT user_id FROM enrollments WHERE course_id = ?", &st);

	if (rc != 0)
		return rc;
	store_bind_text(st, 1, id);
	while ((rc = store_db_next_row(db, st, "analytics enrollments")) == 1) {
		int percent = rc_percent(db, id, (const char *)sqlite3_column_text(st, 0));

		if (percent < 0) {
			rc = percent;
			break;
		}
		enrolled++;
		if (percent == 100)
			completed++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	cJSON_AddNumberToObject(body, "enrolled", enrolled);
	cJSON_AddNumberToObject(body, "completed", completed);
	cJSON_AddNumberToObject(body, "completion_rate",
	                        enrolled > 0 ? (double)completed / enrolled : 0);
	rc = store_db_stmt(db,
	                   "SELECT avg(score / max_score) FROM attempts WHERE course_id = ? "
	                   "AND max_score > 0",
	                   &st);
	if (rc == 0) {
		store_bind_text(st, 1, id);
		rc = store_db_next_row(db, st, "analytics score");
		if (rc == 1)
			rc_put_num(body, "average_quiz_score", st, 0);
		sqlite3_reset(st);
	}
	return rc < 0 ? rc : 0;
}

static void
course_analytics(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	struct rc_course course;
	sqlite3_stmt *st;
	cJSON *body, *items;
	int rc;

	if (rc_load_for(req, resp, "courses", id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_staff(req, &course.ref), resp, "course"))
		return;
	body = cJSON_CreateObject();
	rc = analytics_totals(req->db, id, body);
	items = cJSON_AddArrayToObject(body, "items");
	if (rc == 0 &&
	    store_db_prepare_new(
	        req->db,
	        "SELECT i.id, i.title, (SELECT count(*) FROM progress p JOIN enrollments e ON "
	        "e.user_id = p.user_id AND e.course_id = i.course_id WHERE p.item_id = i.id AND "
	        "p.status = 'completed'), (SELECT count(*) FROM enrollments e WHERE "
	        "e.course_id = i.course_id) FROM items i JOIN modules m ON m.id = i.module_id "
	        "WHERE i.course_id = ? ORDER BY m.position, i.position",
	        &st) == 0) {
		store_bind_text(st, 1, id);
		while ((rc = store_db_next_row(req->db, st, "analytics items")) == 1) {
			cJSON *it = cJSON_CreateObject();
			int done = sqlite3_column_int(st, 2), all = sqlite3_column_int(st, 3);

			srv_json_add_col(it, "item_id", st, 0);
			srv_json_add_col(it, "title", st, 1);
			cJSON_AddNumberToObject(it, "completion_rate",
			                        all > 0 ? (double)done / all : 0);
			cJSON_AddItemToArray(items, it);
		}
		sqlite3_finalize(st);
	}
	if (rc < 0) {
		cJSON_Delete(body);
		srv_internal(req, resp, rc, "analytics");
		return;
	}
	srv_reply(resp, 200, body);
}

const struct srv_route srv_routes_courses[] = {
    {"GET", "/courses", courses_list, SRV_ROUTE_PUBLIC, "",
     "status,department_id,owner_id,search,page,limit", NULL},
    {"POST", "/courses", course_create, 0,
     "id,title,description,code,keywords,department_id,certification,pass_score", "", NULL},
    {"GET", "/courses/{id}", course_get, SRV_ROUTE_PUBLIC, "", "", NULL},
    {"PATCH", "/courses/{id}", course_patch, 0,
     "title,description,code,keywords,department_id,certification,pass_score", "", "course"},
    {"DELETE", "/courses/{id}", course_delete, 0, "", "", NULL},
    {"POST", "/courses/{id}/publish", course_publish, 0, "", "", NULL},
    {"POST", "/courses/{id}/unpublish", course_unpublish, 0, "", "", NULL},
    {"POST", "/courses/{id}/archive", course_archive, 0, "", "", NULL},
    {"POST", "/courses/{id}/unarchive", course_unarchive, 0, "", "", NULL},
    {"GET", "/courses/{id}/outline", course_outline, 0, "", "", NULL},
    {"GET", "/courses/{id}/titles", course_titles, SRV_ROUTE_PUBLIC, "", "", NULL},
    {"GET", "/courses/{id}/students", course_students, 0, "", "page,limit", NULL},
    {"GET", "/courses/{id}/analytics", course_analytics, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

const struct srv_type srv_types_courses[] = {
    {"course", course_render},
    {NULL, NULL},
};
