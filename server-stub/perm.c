/* SPDX-License-Identifier: MIT */
/*
 * The roles table of API.md, in one place. Each action is a function answering
 * SRV_ALLOW, SRV_DENY (403) or SRV_HIDDEN (404): a caller who may not even know that a
 * resource exists (a learner asking for a draft course) is told it does not exist, and
 * only a caller who can see it but not do the action gets 403.
 *
 * "Course staff" of a course: its owner, any member of its department holding
 * content-admin or department-admin, and admins.
 *
 * Department roles follow the tree (seed 004): a role held in a department holds in every
 * department below it, so the checks OR the caller's roles over the department and its
 * ancestors (srv_dept_rights). Moving a department, deleting one and changing a global role
 * are an admin's alone; a department-admin changes memberships inside their subtree only.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "server-stub/srv.h"

int
srv_dept_chain_load(struct store_db *db, const char *department_id, struct srv_dept_chain *out)
{
	sqlite3_stmt *stmt;
	int rc;

	out->n = 0;
	if (department_id == NULL || *department_id == '\0')
		return 0;
	/* Bounded by depth, not by UNION, so a cycle (refused on write) cannot loop either. */
	rc = store_db_stmt(db,
	                   "WITH RECURSIVE up(id, depth) AS (SELECT ?1, 1 UNION ALL "
	                   "SELECT d.parent_id, up.depth + 1 FROM departments d JOIN up "
	                   "ON d.id = up.id WHERE d.parent_id IS NOT NULL AND up.depth < ?2) "
	                   "SELECT id FROM up ORDER BY depth",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, department_id);
	sqlite3_bind_int(stmt, 2, SRV_DEPT_DEPTH_MAX);
	while (out->n < SRV_DEPT_DEPTH_MAX && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		snprintf(out->id[out->n++], LC_UUID_LEN + 1, "%s",
		         (const char *)sqlite3_column_text(stmt, 0));
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, "departments");
	sqlite3_reset(stmt);
	if (rc != 0)
		out->n = 0;
	return rc;
}

/* The roles user holds over the departments of chain, OR'ed. */
static unsigned
chain_rights(const struct srv_user *user, const struct srv_dept_chain *chain)
{
	unsigned roles = 0;

	for (int i = 0; i < chain->n; i++)
		roles |= srv_user_dept_roles(user, chain->id[i]);
	return roles;
}

static bool perm_lookup(struct srv_req *req, int found);

unsigned
srv_dept_rights(struct srv_req *req, const struct srv_user *user, const char *department_id)
{
	struct srv_dept_chain chain;
	int rc;

	if (user == NULL)
		return 0;
	/* A failed read grants nothing, and fails the request (perm_lookup()). */
	rc = srv_dept_chain_load(req->db, department_id, &chain);
	if (rc != 0) {
		perm_lookup(req, rc);
		return 0;
	}
	return chain_rights(user, &chain);
}

int
srv_course_ref_load(struct store_db *db, const char *course_id, struct srv_course_ref *out)
{
	sqlite3_stmt *stmt;
	const char *status;
	int rc;

	memset(out, 0, sizeof(*out));
	if (course_id == NULL || !lc_uuid_valid(course_id))
		return -LC_ENOTFOUND;
	rc = store_db_stmt(db, "SELECT owner_id, department_id, status FROM courses WHERE id = ?",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, course_id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? -LC_ENOTFOUND : store_db_fail(db, rc, "course");
	snprintf(out->id, sizeof(out->id), "%s", course_id);
	if (sqlite3_column_text(stmt, 0))
		snprintf(out->owner_id, sizeof(out->owner_id), "%s",
		         (const char *)sqlite3_column_text(stmt, 0));
	if (sqlite3_column_text(stmt, 1))
		snprintf(out->department_id, sizeof(out->department_id), "%s",
		         (const char *)sqlite3_column_text(stmt, 1));
	status = (const char *)sqlite3_column_text(stmt, 2);
	if (status && strcmp(status, "published") == 0)
		out->status = SRV_COURSE_PUBLISHED;
	else if (status && strcmp(status, "archived") == 0)
		out->status = SRV_COURSE_ARCHIVED;
	else
		out->status = SRV_COURSE_DRAFT;
	return srv_dept_chain_load(db, out->department_id, &out->chain);
}

bool
srv_is_staff(const struct srv_user *viewer, const struct srv_course_ref *course)
{
	if (viewer == NULL)
		return false;
	if (viewer->role == SRV_ROLE_ADMIN)
		return true;
	if (course->owner_id[0] && strcmp(course->owner_id, viewer->id) == 0)
		return true;
	return (chain_rights(viewer, &course->chain) & (SRV_DEPT_CONTENT_ADMIN | SRV_DEPT_ADMIN)) !=
	       0;
}

int
srv_is_enrolled(struct store_db *db, const char *user_id, const char *course_id)
{
	sqlite3_stmt *stmt;
	int rc;

	if (user_id == NULL)
		return 0;
	rc = store_db_stmt(db, "SELECT 1 FROM enrollments WHERE user_id = ? AND course_id = ?",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, user_id);
	store_bind_text(stmt, 2, course_id);
	rc = store_db_next_row(db, stmt, "enrollment");
	sqlite3_reset(stmt);
	return rc;
}

/*
 * A permission answers allow/deny only; a lookup behind one that failed must not read as
 * "no" (a 403/404 for a database error), so it is noted on req and the dispatcher answers
 * 5xx whatever the handler made of the denial (code review 2026-11-29, F6).
 */
static bool
perm_lookup(struct srv_req *req, int found)
{
	if (found < 0 && req->perm_error == 0)
		req->perm_error = found;
	return found == 1;
}

static bool
is_published(const struct srv_course_ref *c)
{
	return c->status == SRV_COURSE_PUBLISHED;
}

/* Enrolled in a published course: what gives a learner the course's content. */
static bool
enrolled_reader(struct srv_req *req, const struct srv_course_ref *c)
{
	return req->viewer && is_published(c) &&
	       perm_lookup(req, srv_is_enrolled(req->db, req->viewer->id, c->id));
}

/* 403 for what the caller can see, 404 for what they cannot. */
static enum srv_perm
deny(struct srv_req *req, const struct srv_course_ref *c)
{
	return srv_perm_course_read(req, c) == SRV_ALLOW ? SRV_DENY : SRV_HIDDEN;
}

enum srv_perm
srv_perm_course_read(struct srv_req *req, const struct srv_course_ref *c)
{
	if (is_published(c) || srv_is_staff(req->viewer, c))
		return SRV_ALLOW;
	return SRV_HIDDEN;
}

/*
 * srv_perm_course_read as an SQL predicate over a row of courses, so a list can count and
 * page in SQL instead of rendering every course to decide (perf review 2026-11-29, cause
 * 2). The same rule term by term: published; the viewer is an admin; owns it; holds
 * content-admin or department-admin in its department or an ancestor (the subquery walks
 * down from the memberships to the depth srv_dept_chain_load walks up).
 */
const char *
srv_perm_course_read_sql(void)
{
	return "(courses.status = 'published' OR :viewer_admin = 1 OR courses.owner_id = "
	       ":viewer_id OR courses.department_id IN " SRV_SQL_DEPTS_WITH_ROLES(":viewer_id",
	                                                                          "6") ")";
}

int
srv_perm_course_read_bind(const struct srv_req *req, sqlite3_stmt *st)
{
	const struct srv_user *v = req->viewer;
	int admin = sqlite3_bind_parameter_index(st, ":viewer_admin");
	int id = sqlite3_bind_parameter_index(st, ":viewer_id");

	assert(admin > 0 && id > 0);
	if (sqlite3_bind_int(st, admin, v != NULL && v->role == SRV_ROLE_ADMIN) != SQLITE_OK)
		return -LC_EDB;
	return store_bind_text(st, id, v != NULL ? v->id : NULL) == 0 ? 0 : -LC_EDB;
}

int
srv_perm_course_read_by_status(struct srv_req *req, bool *every_status)
{
	const struct srv_user *v = req->viewer;
	const unsigned rights = SRV_DEPT_CONTENT_ADMIN | SRV_DEPT_ADMIN;
	sqlite3_stmt *st;
	int rc;

	*every_status = v != NULL && v->role == SRV_ROLE_ADMIN;
	if (v == NULL || *every_status)
		return 1;
	/* srv_user_load() keeps at most SRV_MAX_DEPTS memberships: a full list may hide one. */
	if (v->n_depts >= SRV_MAX_DEPTS)
		return 0;
	for (int i = 0; i < v->n_depts; i++)
		if (v->depts[i].roles & rights)
			return 0;
	rc = store_db_stmt(req->db,
	                   "SELECT 1 FROM courses WHERE owner_id = ? AND status <> 'published'"
	                   " LIMIT 1",
	                   &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, v->id);
	rc = store_db_next_row(req->db, st, "own courses");
	sqlite3_reset(st);
	return rc < 0 ? rc : !rc;
}

enum srv_perm
srv_perm_course_create(struct srv_req *req, const char *department_id)
{
	const struct srv_user *v = req->viewer;

	if (v == NULL)
		return SRV_DENY;
	if (v->role == SRV_ROLE_ADMIN || v->role == SRV_ROLE_INSTRUCTOR)
		return SRV_ALLOW;
	if (srv_dept_rights(req, v, department_id) & (SRV_DEPT_CONTENT_ADMIN | SRV_DEPT_ADMIN))
		return SRV_ALLOW;
	return SRV_DENY;
}

enum srv_perm
srv_perm_course_move(struct srv_req *req, const struct srv_course_ref *c,
                     const char *target_department_id)
{
	const unsigned staff = SRV_DEPT_CONTENT_ADMIN | SRV_DEPT_ADMIN;
	const struct srv_user *v = req->viewer;
	const char *target = target_department_id != NULL ? target_department_id : "";

	if (v != NULL && v->role == SRV_ROLE_ADMIN)
		return SRV_ALLOW;
	if (srv_perm_course_edit(req, c) != SRV_ALLOW)
		return deny(req, c);
	/* Naming the department it is already in moves nothing. */
	if (strcmp(c->department_id, target) == 0)
		return SRV_ALLOW;
	/*
	 * The source department's staff must let it go (the owner alone may not take a course
	 * out of a department), and the target's must take it in: a global instructor may
	 * create in any department, but not move an existing course and its learners there.
	 */
	if (c->department_id[0] != '\0' && !(chain_rights(v, &c->chain) & staff))
		return SRV_DENY;
	if (target[0] != '\0' && !(srv_dept_rights(req, v, target) & staff))
		return SRV_DENY;
	return SRV_ALLOW;
}

enum srv_perm
srv_perm_course_edit(struct srv_req *req, const struct srv_course_ref *c)
{
	return srv_is_staff(req->viewer, c) ? SRV_ALLOW : deny(req, c);
}

enum srv_perm
srv_perm_course_delete(struct srv_req *req, const struct srv_course_ref *c)
{
	const struct srv_user *v = req->viewer;

	if (v &&
	    (v->role == SRV_ROLE_ADMIN || (c->owner_id[0] && strcmp(c->owner_id, v->id) == 0) ||
	     (chain_rights(v, &c->chain) & SRV_DEPT_ADMIN)))
		return SRV_ALLOW;
	return deny(req, c);
}

enum srv_perm
srv_perm_course_content(struct srv_req *req, const struct srv_course_ref *c)
{
	if (srv_is_staff(req->viewer, c) || enrolled_reader(req, c))
		return SRV_ALLOW;
	return deny(req, c);
}

enum srv_perm
srv_perm_course_staff(struct srv_req *req, const struct srv_course_ref *c)
{
	return srv_is_staff(req->viewer, c) ? SRV_ALLOW : deny(req, c);
}

enum srv_perm
srv_perm_enroll(struct srv_req *req, const struct srv_course_ref *c)
{
	if (req->viewer == NULL)
		return deny(req, c);
	if (srv_is_staff(req->viewer, c))
		return SRV_DENY;
	return is_published(c) ? SRV_ALLOW : SRV_HIDDEN;
}

enum srv_perm
srv_perm_learn(struct srv_req *req, const struct srv_course_ref *c)
{
	return enrolled_reader(req, c) ? SRV_ALLOW : deny(req, c);
}

enum srv_perm
srv_perm_forum_post(struct srv_req *req, const struct srv_course_ref *c)
{
	return srv_perm_course_content(req, c);
}

enum srv_perm
srv_perm_post_edit(struct srv_req *req, const struct srv_course_ref *c, const char *author_id)
{
	enum srv_perm read = srv_perm_course_content(req, c);

	if (read != SRV_ALLOW)
		return read;
	if (author_id && req->viewer && strcmp(author_id, req->viewer->id) == 0)
		return SRV_ALLOW;
	return SRV_DENY;
}

enum srv_perm
srv_perm_post_delete(struct srv_req *req, const struct srv_course_ref *c, const char *author_id)
{
	if (srv_is_staff(req->viewer, c))
		return SRV_ALLOW;
	return srv_perm_post_edit(req, c, author_id);
}

enum srv_perm
srv_perm_enrollment(struct srv_req *req, const struct srv_course_ref *c, const char *user_id)
{
	if (req->viewer && strcmp(req->viewer->id, user_id) == 0)
		return SRV_ALLOW;
	if (srv_is_staff(req->viewer, c))
		return SRV_ALLOW;
	/* Someone else's enrollment is not the caller's to know about. */
	return SRV_HIDDEN;
}

enum srv_perm
srv_perm_department_manage(struct srv_req *req, const char *department_id)
{
	const struct srv_user *v = req->viewer;

	if (v && v->role == SRV_ROLE_ADMIN)
		return SRV_ALLOW;
	if (srv_dept_rights(req, v, department_id) & SRV_DEPT_ADMIN)
		return SRV_ALLOW;
	return SRV_DENY;
}

/* Reshaping the tree is an admin's: a department-admin would move their subtree out of
 * reach of the departments above it, or into a place where others' rights cover it. */
enum srv_perm
srv_perm_department_move(struct srv_req *req, const char *department_id)
{
	(void)department_id;
	return req->viewer && req->viewer->role == SRV_ROLE_ADMIN ? SRV_ALLOW : SRV_DENY;
}

enum srv_perm
srv_perm_department_delete(struct srv_req *req, const char *department_id)
{
	(void)department_id;
	return req->viewer && req->viewer->role == SRV_ROLE_ADMIN ? SRV_ALLOW : SRV_DENY;
}

enum srv_perm
srv_perm_users_list(struct srv_req *req)
{
	const struct srv_user *v = req->viewer;

	if (v && v->role == SRV_ROLE_ADMIN)
		return SRV_ALLOW;
	for (int i = 0; v && i < v->n_depts; i++)
		if (v->depts[i].roles & SRV_DEPT_ADMIN)
			return SRV_ALLOW;
	return SRV_DENY;
}

/* True when target_id is a member of a department the viewer administers (an error: no,
 * noted by perm_lookup()). */
static bool
administers_user(struct srv_req *req, const char *target_id)
{
	sqlite3_stmt *stmt;
	int rc;

	if (req->viewer == NULL)
		return false;
	rc = store_db_stmt(req->db,
	                   "SELECT 1 FROM memberships WHERE user_id = ?1 AND "
	                   "department_id IN " SRV_SQL_ADMINISTERED("?2"),
	                   &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, target_id);
		store_bind_text(stmt, 2, req->viewer->id);
		rc = store_db_next_row(req->db, stmt, "administered member");
		sqlite3_reset(stmt);
	}
	return perm_lookup(req, rc);
}

enum srv_perm
srv_perm_user_read(struct srv_req *req, const char *target_id)
{
	const struct srv_user *v = req->viewer;

	if (v && v->role == SRV_ROLE_ADMIN)
		return SRV_ALLOW;
	if (srv_perm_users_list(req) != SRV_ALLOW)
		return SRV_DENY;
	return administers_user(req, target_id) ? SRV_ALLOW : SRV_HIDDEN;
}

/* A department-admin never touches an admin: SRV_DENY for one (or a failed read, noted). */
static enum srv_perm
unless_admin(struct srv_req *req, const char *target_id)
{
	struct srv_user target;
	int rc = srv_user_load(req->db, target_id, &target);

	if (rc != 0 || target.role == SRV_ROLE_ADMIN) {
		perm_lookup(req, rc == -LC_ENOTFOUND ? 0 : rc);
		return SRV_DENY;
	}
	return SRV_ALLOW;
}

enum srv_perm
srv_perm_user_roles(struct srv_req *req, const char *target_id, int role,
                    const char *const *department_ids, const unsigned *roles, int n_departments)
{
	const struct srv_user *v = req->viewer;
	bool adds = false;

	if (v && v->role == SRV_ROLE_ADMIN)
		return SRV_ALLOW;
	if (srv_perm_users_list(req) != SRV_ALLOW)
		return SRV_DENY;
	/*
	 * No global role at all (security review 2026-11-29, M1): judged on memberships, a
	 * role change could be unlocked by first adding the membership it checks.
	 */
	if (role >= 0)
		return SRV_DENY;
	for (int i = 0; i < n_departments; i++) {
		if (!(srv_dept_rights(req, v, department_ids[i]) & SRV_DEPT_ADMIN))
			return SRV_DENY;
		adds = adds || roles[i] != 0;
	}
	/* Someone outside the caller's departments may be added, not looked at (M2). */
	if (!adds && !administers_user(req, target_id))
		return SRV_HIDDEN;
	return unless_admin(req, target_id); /* a department-admin never touches an admin */
}

enum srv_perm
srv_perm_user_sessions_revoke(struct srv_req *req, const char *target_id)
{
	const struct srv_user *v = req->viewer;

	if (v && v->role == SRV_ROLE_ADMIN)
		return SRV_ALLOW;
	if (srv_perm_users_list(req) != SRV_ALLOW)
		return SRV_DENY;
	/* Someone outside the caller's departments is not even looked at (M2). */
	if (!administers_user(req, target_id))
		return SRV_HIDDEN;
	return unless_admin(req, target_id);
}

enum srv_perm
srv_perm_user_delete(struct srv_req *req, const char *target_id)
{
	const struct srv_user *v = req->viewer;

	if (v && (v->role == SRV_ROLE_ADMIN || strcmp(v->id, target_id) == 0))
		return SRV_ALLOW;
	return SRV_DENY;
}

bool
srv_perm_check(enum srv_perm perm, struct srv_resp *resp, const char *kind)
{
	if (perm == SRV_ALLOW)
		return true;
	if (perm == SRV_DENY)
		srv_forbidden(resp);
	else
		srv_not_found(resp, kind);
	return false;
}
