/* SPDX-License-Identifier: MIT */
/*
 * The permission matrix of shared/API.md ("Roles"): every endpoint called by each of the eight
 * kinds of caller (enum h_actor), each cell asserting the exact status and, for a failure, the
 * error type that goes with it. One cmocka test per endpoint row, named after the request.
 *
 * Where a call would change what later cells see (deleting, publishing, enrolling), each cell
 * gets its own fresh resource. The expectations come from API.md alone; where API.md leaves a
 * cell open the row says ANY and the cell only has to be a well-formed non-5xx answer.
 *
 * The world also has a sub-department {sub} below the department and another top-level
 * department {other}. The rows on them, and the named sequences after the matrix, pin seed
 * 004's model as docs/api.md "Permissions" states it: department roles cover the departments
 * below; re-parenting, deleting a department and global roles are an admin's; a course move
 * needs rights on both ends (security review 2026-11-29 M1, M2; mission review B6, B7).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "common/uuid.h"
#include "harness.h"

#define ANY (-1) /* API.md does not decide this cell */

enum fresh {
	F_NONE,
	F_COURSE,   /* published course in the department, owned by H_OWNER, H_ENROLLED enrolled */
	F_DRAFT,    /* draft course in the department, owned by H_OWNER */
	F_ARCHIVED, /* published then archived by H_OWNER, nobody enrolled */
	F_MODULE,   /* a module in the shared course */
	F_ITEM,     /* a page item in the shared module */
	F_QUESTION, /* a question in the shared quiz */
	F_TOPIC,    /* a topic by H_ENROLLED in the shared course */
	F_REPLY,    /* a reply by H_ENROLLED on the shared topic */
	F_DEPT,     /* another department */
	F_USER,     /* a newly registered learner ({fresh} id, {refresh} token) */
	F_SESSION,  /* a new login of the caller, whose token is used for the call */
	F_SUBDEPT,  /* a department below the department ({fresh}) and a top-level one ({fresh2}) */
	F_SUBDRAFT, /* a draft course in {sub}, owned by the admin */
	F_USER_SUB, /* a learner who is an instructor member of {sub} */
	F_USER_OTHER, /* a learner who is an instructor member of {other} */
};

struct row {
	const char *method;
	const char *path; /* under /api/v1, with {placeholders} */
	const char *body; /* NULL: no body */
	enum fresh fresh;
	/* anon, learner, enrolled, owner, other-instr, content-admin, dept-admin, admin */
	int want[H_NACTORS];
	const char *name; /* the test's name; NULL: "METHOD path" */
};

/* clang-format off */
#define READ_IN_COURSE {401, 403, 200, 200, 403, 200, 200, 200}
#define WRITE_IN_COURSE(ok) {401, 403, 403, ok, 403, ok, ok, ok}
#define AUTHED(ok) {401, ok, ok, ok, ok, ok, ok, ok}
static const struct row rows[] = {
	/* Auth and users */
	{"POST", "/auth/register", "{\"username\":\"{uniq}\",\"email\":\"{uniq}@example.org\","
	 "\"password\":\"" H_PASSWORD "\"}", F_NONE, {201, 201, 201, 201, 201, 201, 201, 201}, NULL},
	{"POST", "/auth/token", "{\"username\":\"{lname}\",\"password\":\"" H_PASSWORD "\"}", F_NONE,
	 {200, 200, 200, 200, 200, 200, 200, 200}, NULL},
	{"POST", "/auth/refresh", "{\"refresh_token\":\"{refresh}\"}", F_USER,
	 {200, 200, 200, 200, 200, 200, 200, 200}, NULL},
	{"POST", "/auth/logout", NULL, F_SESSION, AUTHED(204), NULL},
	{"GET", "/users/me", NULL, F_NONE, AUTHED(200), NULL},
	{"PATCH", "/users/me", "{\"bio\":\"Matrix bio\"}", F_NONE, AUTHED(200), NULL},
	{"GET", "/users/{learner}/profile", NULL, F_NONE, {200, 200, 200, 200, 200, 200, 200, 200},
	 NULL},
	{"GET", "/users", NULL, F_NONE, {401, 403, 403, 403, 403, 403, 200, 200}, NULL},
	{"PATCH", "/users/{fresh}/roles", "{\"departments\":[{\"department_id\":\"{dept}\","
	 "\"roles\":[\"instructor\"]}]}", F_USER, {401, 403, 403, 403, 403, 403, 200, 200},
	 "PATCH /users/{id}/roles (own department)"},
	{"PATCH", "/users/{fresh}/roles", "{\"role\":\"admin\"}", F_USER,
	 {401, 403, 403, 403, 403, 403, 403, 200}, "PATCH /users/{id}/roles (granting admin)"},
	{"DELETE", "/users/{fresh}", NULL, F_USER, {401, 403, 403, 403, 403, 403, 403, 204},
	 "DELETE /users/{id} (another user)"},
	/* Seed 004: a department-admin administers the members of their departments and of the
	 * departments below, memberships only (security review 2026-11-29, M1 and M2). */
	{"GET", "/users/{owner}", NULL, F_NONE, {401, 403, 403, 403, 403, 403, 200, 200},
	 "GET /users/{id} (member of the department)"},
	{"GET", "/users/{fresh}", NULL, F_USER_SUB, {401, 403, 403, 403, 403, 403, 200, 200},
	 "GET /users/{id} (member of a sub-department)"},
	{"GET", "/users/{fresh}", NULL, F_USER_OTHER, {401, 403, 403, 403, 403, 403, 404, 200},
	 "GET /users/{id} (member of another department)"},
	{"GET", "/users/{admin}", NULL, F_NONE, {401, 403, 403, 403, 403, 403, 404, 200},
	 "GET /users/{id} (an admin)"},
	{"PATCH", "/users/{fresh}/roles", "{\"role\":\"instructor\"}", F_USER,
	 {401, 403, 403, 403, 403, 403, 403, 200}, "PATCH /users/{id}/roles (global role)"},
	{"PATCH", "/users/{fresh}/roles", "{\"role\":\"learner\"}", F_USER_SUB,
	 {401, 403, 403, 403, 403, 403, 403, 200},
	 "PATCH /users/{id}/roles (global role of a member)"},
	{"PATCH", "/users/{fresh}/roles", "{\"departments\":[{\"department_id\":\"{sub}\","
	 "\"roles\":[\"department-admin\"]}]}", F_USER, {401, 403, 403, 403, 403, 403, 200, 200},
	 "PATCH /users/{id}/roles (sub-department)"},
	{"PATCH", "/users/{fresh}/roles", "{\"departments\":[{\"department_id\":\"{other}\","
	 "\"roles\":[\"instructor\"]}]}", F_USER, {401, 403, 403, 403, 403, 403, 403, 200},
	 "PATCH /users/{id}/roles (another department)"},
	{"PATCH", "/users/{fresh}/roles", "{\"departments\":[]}", F_USER_SUB,
	 {401, 403, 403, 403, 403, 403, 200, 200},
	 "PATCH /users/{id}/roles (removing a member of a sub-department)"},
	{"PATCH", "/users/{fresh}/roles", "{\"departments\":[]}", F_USER_OTHER,
	 {401, 403, 403, 403, 403, 403, 404, 200},
	 "PATCH /users/{id}/roles (member of another department)"},
	/* Issue 13: revoking another user's sessions (what takes a kiosk's offline sign-in
	 * away) is an admin's, or a department-admin's for the members they administer. */
	{"POST", "/users/{fresh}/sessions/revoke", NULL, F_USER,
	 {401, 403, 403, 403, 403, 403, 404, 204},
	 "POST /users/{id}/sessions/revoke (a user of no department)"},
	{"POST", "/users/{fresh}/sessions/revoke", NULL, F_USER_SUB,
	 {401, 403, 403, 403, 403, 403, 204, 204},
	 "POST /users/{id}/sessions/revoke (member of a sub-department)"},
	{"POST", "/users/{fresh}/sessions/revoke", NULL, F_USER_OTHER,
	 {401, 403, 403, 403, 403, 403, 404, 204},
	 "POST /users/{id}/sessions/revoke (member of another department)"},
	/* Departments */
	{"GET", "/departments", NULL, F_NONE, AUTHED(200), NULL},
	{"POST", "/departments", "{\"name\":\"Dept {uniq}\",\"code\":\"{uniq}\"}", F_NONE,
	 {401, 403, 403, 403, 403, 403, 403, 201}, NULL},
	{"POST", "/departments", "{\"name\":\"Sub {uniq}\",\"code\":\"{uniq}\","
	 "\"parent_id\":\"{dept}\"}", F_NONE, {401, 403, 403, 403, 403, 403, 201, 201},
	 "POST /departments (below the department)"},
	{"GET", "/departments/{dept}", NULL, F_NONE, AUTHED(200), NULL},
	{"PATCH", "/departments/{dept}", "{\"name\":\"Renamed {uniq}\"}", F_NONE,
	 {401, 403, 403, 403, 403, 403, 200, 200}, "PATCH /departments/{id} (own department)"},
	{"DELETE", "/departments/{fresh}", NULL, F_DEPT, {401, 403, 403, 403, 403, 403, 403, 204},
	 "DELETE /departments/{id} (another department)"},
	/* Rights follow the tree; moving and deleting are an admin's (mission review B6, B7). */
	{"POST", "/departments", "{\"name\":\"Sub {uniq}\",\"code\":\"{uniq}\","
	 "\"parent_id\":\"{sub}\"}", F_NONE, {401, 403, 403, 403, 403, 403, 201, 201},
	 "POST /departments (two levels below)"},
	{"PATCH", "/departments/{fresh}", "{\"name\":\"Renamed {uniq}\"}", F_SUBDEPT,
	 {401, 403, 403, 403, 403, 403, 200, 200}, "PATCH /departments/{id} (below the department)"},
	{"PATCH", "/departments/{fresh}", "{\"name\":\"Same {uniq}\",\"parent_id\":\"{dept}\"}",
	 F_SUBDEPT, {401, 403, 403, 403, 403, 403, 200, 200},
	 "PATCH /departments/{id} (parent named, unchanged)"},
	{"PATCH", "/departments/{fresh}", "{\"parent_id\":\"{fresh2}\"}", F_SUBDEPT,
	 {401, 403, 403, 403, 403, 403, 403, 200}, "PATCH /departments/{id} (re-parent)"},
	{"PATCH", "/departments/{fresh}", "{\"parent_id\":null}", F_SUBDEPT,
	 {401, 403, 403, 403, 403, 403, 403, 200}, "PATCH /departments/{id} (to the top level)"},
	{"DELETE", "/departments/{fresh}", NULL, F_SUBDEPT, {401, 403, 403, 403, 403, 403, 403, 204},
	 "DELETE /departments/{id} (below the department)"},
	/* Courses */
	{"GET", "/courses", NULL, F_NONE, {200, 200, 200, 200, 200, 200, 200, 200}, NULL},
	{"POST", "/courses", "{\"title\":\"Course {uniq}\"}", F_NONE,
	 {401, 403, 403, 201, 201, 403, 403, 201}, "POST /courses (no department)"},
	{"POST", "/courses", "{\"title\":\"Course {uniq}\",\"department_id\":\"{dept}\"}", F_NONE,
	 {401, 403, 403, 201, 201, 201, 201, 201}, "POST /courses (in the department)"},
	{"POST", "/courses", "{\"title\":\"Course {uniq}\",\"department_id\":\"{sub}\"}", F_NONE,
	 {401, 403, 403, 201, 201, 201, 201, 201}, "POST /courses (in a sub-department)"},
	{"GET", "/courses/{course}", NULL, F_NONE, {200, 200, 200, 200, 200, 200, 200, 200},
	 "GET /courses/{id} (published)"},
	{"GET", "/courses/{fresh}", NULL, F_DRAFT, {404, 404, 404, 200, 404, 200, 200, 200},
	 "GET /courses/{id} (draft)"},
	{"GET", "/courses/{fresh}", NULL, F_ARCHIVED, {404, 404, 404, 200, 404, 200, 200, 200},
	 "GET /courses/{id} (archived)"},
	{"PATCH", "/courses/{course}", "{\"description\":\"Edited {uniq}\"}", F_NONE,
	 WRITE_IN_COURSE(200), NULL},
	{"GET", "/courses/{fresh}", NULL, F_SUBDRAFT, {404, 404, 404, 404, 404, 200, 200, 200},
	 "GET /courses/{id} (draft in a sub-department)"},
	{"PATCH", "/courses/{fresh}", "{\"title\":\"Edited {uniq}\"}", F_SUBDRAFT,
	 {401, 404, 404, 404, 404, 200, 200, 200}, "PATCH /courses/{id} (draft in a sub-department)"},
	{"DELETE", "/courses/{fresh}", NULL, F_SUBDRAFT, {401, 404, 404, 404, 404, 403, 204, 204},
	 "DELETE /courses/{id} (draft in a sub-department)"},
	/* A move needs staff rights on both ends (mission review B6). */
	{"PATCH", "/courses/{fresh}", "{\"department_id\":\"{other}\"}", F_COURSE,
	 {401, 403, 403, 403, 403, 403, 403, 200}, "PATCH /courses/{id} (move to another department)"},
	{"PATCH", "/courses/{fresh}", "{\"department_id\":\"{sub}\"}", F_COURSE,
	 {401, 403, 403, 403, 403, 200, 200, 200}, "PATCH /courses/{id} (move to a sub-department)"},
	{"PATCH", "/courses/{fresh}", "{\"department_id\":null}", F_COURSE,
	 {401, 403, 403, 403, 403, 200, 200, 200}, "PATCH /courses/{id} (out of its department)"},
	{"PATCH", "/courses/{fresh}", "{\"department_id\":\"{dept}\",\"description\":\"{uniq}\"}",
	 F_COURSE, WRITE_IN_COURSE(200), "PATCH /courses/{id} (department named, unchanged)"},
	{"DELETE", "/courses/{fresh}", NULL, F_COURSE, {401, 403, 403, 204, 403, 403, 204, 204},
	 NULL},
	{"POST", "/courses/{fresh}/publish", "{}", F_DRAFT, {401, 404, 404, 200, 404, 200, 200, 200},
	 NULL},
	{"POST", "/courses/{fresh}/unpublish", "{}", F_COURSE, WRITE_IN_COURSE(200), NULL},
	{"POST", "/courses/{fresh}/archive", "{}", F_COURSE, WRITE_IN_COURSE(200), NULL},
	{"POST", "/courses/{fresh}/unarchive", "{}", F_ARCHIVED,
	 {401, 404, 404, 200, 404, 200, 200, 200}, NULL},
	{"GET", "/courses/{course}/outline", NULL, F_NONE, READ_IN_COURSE, NULL},
	{"GET", "/courses/{course}/students", NULL, F_NONE, WRITE_IN_COURSE(200), NULL},
	{"GET", "/courses/{course}/analytics", NULL, F_NONE, WRITE_IN_COURSE(200), NULL},
	/* Modules, items, questions */
	{"GET", "/courses/{course}/modules", NULL, F_NONE, READ_IN_COURSE, NULL},
	{"POST", "/courses/{course}/modules", "{\"title\":\"Module {uniq}\"}", F_NONE,
	 WRITE_IN_COURSE(201), NULL},
	{"GET", "/modules/{module}", NULL, F_NONE, READ_IN_COURSE, NULL},
	{"PATCH", "/modules/{module}", "{\"title\":\"Week {uniq}\"}", F_NONE, WRITE_IN_COURSE(200),
	 NULL},
	{"DELETE", "/modules/{fresh}", NULL, F_MODULE, WRITE_IN_COURSE(204), NULL},
	{"POST", "/courses/{fresh}/modules/reorder", "{\"module_ids\":[\"{freshmod}\"]}", F_COURSE,
	 WRITE_IN_COURSE(200), NULL},
	{"GET", "/modules/{module}/items", NULL, F_NONE, READ_IN_COURSE, NULL},
	{"POST", "/modules/{module}/items", "{\"title\":\"Page {uniq}\",\"kind\":\"page\"}", F_NONE,
	 WRITE_IN_COURSE(201), NULL},
	{"GET", "/items/{page}", NULL, F_NONE, READ_IN_COURSE, NULL},
	{"PATCH", "/items/{page}", "{\"title\":\"Reading {uniq}\"}", F_NONE, WRITE_IN_COURSE(200),
	 NULL},
	{"DELETE", "/items/{fresh}", NULL, F_ITEM, WRITE_IN_COURSE(204), NULL},
	{"GET", "/items/{quiz}/questions", NULL, F_NONE, READ_IN_COURSE, NULL},
	{"POST", "/items/{quiz}/questions", "{\"prompt\":\"True?\",\"kind\":\"boolean\","
	 "\"answer\":true}", F_NONE, WRITE_IN_COURSE(201), NULL},
	{"GET", "/questions/{q1}", NULL, F_NONE, READ_IN_COURSE, NULL},
	{"PATCH", "/questions/{q1}", "{\"prompt\":\"Pick B {uniq}\"}", F_NONE, WRITE_IN_COURSE(200),
	 NULL},
	{"DELETE", "/questions/{fresh}", NULL, F_QUESTION, WRITE_IN_COURSE(204), NULL},
	/* Learning */
	{"POST", "/enrollments", "{\"course_id\":\"{fresh}\"}", F_COURSE,
	 {401, 201, 409, 403, 201, 403, 403, 403}, NULL},
	{"GET", "/enrollments", NULL, F_NONE, AUTHED(200), NULL},
	{"GET", "/enrollments?course_id={course}", NULL, F_NONE,
	 {401, 200, 200, 200, 200, 200, 200, 200}, NULL},
	{"GET", "/enrollments/{enrollment}", NULL, F_NONE, {401, 404, 200, 200, 404, 200, 200, 200},
	 NULL},
	{"DELETE", "/enrollments/{fresh2}", NULL, F_COURSE, {401, 404, 204, 204, 404, 204, 204, 204},
	 NULL},
	{"POST", "/progress", "{\"item_id\":\"{page}\",\"status\":\"started\"}", F_NONE,
	 {401, 403, 200, 403, 403, 403, 403, 403}, NULL},
	/* Only a passing attempt completes a quiz (mission review B2). */
	{"POST", "/progress", "{\"item_id\":\"{quiz}\",\"status\":\"completed\"}", F_NONE,
	 {401, 403, 409, 403, 403, 403, 403, 403}, "POST /progress (completing a quiz)"},
	{"GET", "/progress/courses/{course}", NULL, F_NONE, {401, 403, 200, ANY, 403, ANY, ANY, ANY},
	 NULL},
	{"GET", "/progress/courses/{course}?user_id={learner}", NULL, F_NONE,
	 {401, 403, 200, 200, 403, 200, 200, 200}, NULL},
	{"POST", "/items/{quiz}/attempts", "{\"answers\":{\"{q1}\":1,\"{q2}\":42}}", F_NONE,
	 {401, 403, 201, 403, 403, 403, 403, 403}, NULL},
	{"GET", "/items/{quiz}/attempts", NULL, F_NONE, READ_IN_COURSE, NULL},
	/* Forums */
	{"GET", "/courses/{course}/topics", NULL, F_NONE, READ_IN_COURSE, NULL},
	{"POST", "/courses/{course}/topics", "{\"title\":\"Topic {uniq}\",\"body\":\"Hello\"}",
	 F_NONE, {401, 403, 201, 201, 403, 201, 201, 201}, NULL},
	{"GET", "/topics/{topic}", NULL, F_NONE, READ_IN_COURSE, NULL},
	{"PATCH", "/topics/{topic}", "{\"body\":\"Edited {uniq}\"}", F_NONE,
	 {401, 403, 200, 403, 403, 403, 403, 403}, "PATCH /topics/{id} (enrolled's topic)"},
	{"DELETE", "/topics/{fresh}", NULL, F_TOPIC, {401, 403, 204, 204, 403, 204, 204, 204},
	 "DELETE /topics/{id} (enrolled's topic)"},
	{"POST", "/topics/{topic}/replies", "{\"body\":\"Reply {uniq}\"}", F_NONE,
	 {401, 403, 201, 201, 403, 201, 201, 201}, NULL},
	{"PATCH", "/replies/{reply}", "{\"body\":\"Edited {uniq}\"}", F_NONE,
	 {401, 403, 200, 403, 403, 403, 403, 403}, "PATCH /replies/{id} (enrolled's reply)"},
	{"DELETE", "/replies/{fresh}", NULL, F_REPLY, {401, 403, 204, 204, 403, 204, 204, 204},
	 "DELETE /replies/{id} (enrolled's reply)"},
	/* Sync */
	{"POST", "/sync", "{\"client_id\":\"{uuid}\",\"push\":[],\"cursors\":{},\"limit\":1000}",
	 F_NONE, AUTHED(200), NULL},
	{"GET", "/sync/digest", NULL, F_NONE, AUTHED(200), NULL},
	/* Last: it revokes the callers' other sessions (the calling one stays). */
	{"POST", "/users/me/password", "{\"old_password\":\"" H_PASSWORD "\","
	 "\"new_password\":\"" H_PASSWORD "-2\"}", F_NONE, AUTHED(204), NULL},
};
/* clang-format on */

static struct h_world world;
static char sub_id[H_ID_LEN + 1];   /* a department below world.dept_id */
static char other_id[H_ID_LEN + 1]; /* another top-level department */

struct cell {
	char fresh[H_ID_LEN + 1];
	char fresh2[H_ID_LEN + 1];
	char freshmod[H_ID_LEN + 1];
	char token[512];
	char refresh[512];
};

/* POST /departments below parent_id as token; fills id. Returns 0 or -1. */
static int
make_subdepartment(const char *token, const char *parent_id, const char *code,
                   char id[H_ID_LEN + 1])
{
	struct h_resp r;
	char *json = lc_asprintf("{\"name\":\"Department %s\",\"code\":\"%s\","
	                         "\"parent_id\":\"%s\"}",
	                         code, code, parent_id);
	long st =
	    h_call(&world.srv, "POST", "/departments", token, json, NULL, &r) == 0 ? r.status : 0;
	int rc = st == 201 ? h_copy_id(r.json, "id", id) : -1;
	if (rc != 0)
		fprintf(stderr, "sub-department: %ld %s\n", st, r.body != NULL ? r.body : "");
	h_resp_free(&r);
	free(json);
	return rc;
}

static int
make_fresh(enum fresh kind, enum h_actor a, struct cell *c)
{
	struct h_server *s = &world.srv;
	const char *owner = world.u[H_OWNER].access;
	const char *learner = world.u[H_ENROLLED].access;
	struct h_course course;
	struct h_resp r;
	char name[40];
	struct h_user u;
	memset(c, 0, sizeof(*c));
	switch (kind) {
	case F_NONE:
		return 0;
	case F_COURSE:
		if (h_make_course(s, owner, world.dept_id, true, &course) != 0 ||
		    h_enroll(s, learner, course.id, c->fresh2) != 0)
			return -1;
		memcpy(c->fresh, course.id, sizeof(c->fresh));
		memcpy(c->freshmod, course.module_id, sizeof(c->freshmod));
		return 0;
	case F_DRAFT:
	case F_ARCHIVED:
		if (h_make_course(s, owner, world.dept_id, kind == F_ARCHIVED, &course) != 0)
			return -1;
		memcpy(c->fresh, course.id, sizeof(c->fresh));
		if (kind == F_ARCHIVED &&
		    h_callf(s, "POST", owner, "{}", &r, "/courses/%s/archive", course.id) != 200) {
			h_resp_free(&r);
			return -1;
		}
		if (kind == F_ARCHIVED)
			h_resp_free(&r);
		return 0;
	case F_MODULE:
		h_callf(s, "POST", owner, "{\"title\":\"Doomed\"}", &r, "/courses/%s/modules",
		        world.course.id);
		break;
	case F_ITEM:
		h_callf(s, "POST", owner, "{\"title\":\"Doomed\",\"kind\":\"page\"}", &r,
		        "/modules/%s/items", world.course.module_id);
		break;
	case F_QUESTION:
		h_callf(s, "POST", owner,
		        "{\"prompt\":\"Doomed?\",\"kind\":\"boolean\",\"answer\":false}", &r,
		        "/items/%s/questions", world.course.quiz_id);
		break;
	case F_TOPIC:
		h_callf(s, "POST", learner, "{\"title\":\"Doomed\",\"body\":\"Soon gone\"}", &r,
		        "/courses/%s/topics", world.course.id);
		break;
	case F_REPLY:
		h_callf(s, "POST", learner, "{\"body\":\"Soon gone\"}", &r, "/topics/%s/replies",
		        world.course.topic_id);
		break;
	case F_DEPT:
		h_unique_name("X", name, sizeof(name));
		return h_make_department(s, world.u[H_ADMIN].access, name, c->fresh);
	case F_USER:
		h_unique_name("target", name, sizeof(name));
		if (h_register(s, name, "learner", &u) != 0)
			return -1;
		memcpy(c->fresh, u.id, sizeof(c->fresh));
		snprintf(c->refresh, sizeof(c->refresh), "%s", u.refresh);
		return 0;
	case F_SUBDEPT:
		h_unique_name("S", name, sizeof(name));
		if (make_subdepartment(world.u[H_ADMIN].access, world.dept_id, name, c->fresh) != 0)
			return -1;
		h_unique_name("T", name, sizeof(name));
		return h_make_department(s, world.u[H_ADMIN].access, name, c->fresh2);
	case F_SUBDRAFT:
		if (h_make_course(s, world.u[H_ADMIN].access, sub_id, false, &course) != 0)
			return -1;
		memcpy(c->fresh, course.id, sizeof(c->fresh));
		return 0;
	case F_USER_SUB:
	case F_USER_OTHER:
		h_unique_name("member", name, sizeof(name));
		if (h_register(s, name, "learner", &u) != 0 ||
		    h_grant_department(s, world.u[H_ADMIN].access, u.id,
		                       kind == F_USER_SUB ? sub_id : other_id,
		                       "[\"instructor\"]") != 0)
			return -1;
		memcpy(c->fresh, u.id, sizeof(c->fresh));
		return 0;
	case F_SESSION:
		if (a == H_ANON)
			return 0;
		if (h_login(s, world.u[a].username, H_PASSWORD, &u) != 0)
			return -1;
		snprintf(c->token, sizeof(c->token), "%s", u.access);
		return 0;
	}
	int rc = r.status == 201 ? h_copy_id(r.json, "id", c->fresh) : -1;
	if (rc != 0)
		fprintf(stderr, "fresh resource: %ld %s\n", r.status, r.body);
	h_resp_free(&r);
	return rc;
}

/* Replaces every {key} of tmpl; returns a new string. */
static char *
expand(const char *tmpl, const struct cell *c)
{
	char uniq[40], uuid[H_ID_LEN + 1];
	h_unique_name("m", uniq, sizeof(uniq));
	lc_uuid_new(uuid);
	const struct {
		const char *key, *val;
	} vars[] = {
	    {"{uniq}", uniq},
	    {"{uuid}", uuid},
	    {"{lname}", world.u[H_LEARNER].username},
	    {"{learner}", world.u[H_ENROLLED].id},
	    {"{dept}", world.dept_id},
	    {"{sub}", sub_id},
	    {"{other}", other_id},
	    {"{admin}", world.u[H_ADMIN].id},
	    {"{owner}", world.u[H_OWNER].id},
	    {"{course}", world.course.id},
	    {"{module}", world.course.module_id},
	    {"{page}", world.course.page_id},
	    {"{quiz}", world.course.quiz_id},
	    {"{q1}", world.course.q1_id},
	    {"{q2}", world.course.q2_id},
	    {"{topic}", world.course.topic_id},
	    {"{reply}", world.course.reply_id},
	    {"{enrollment}", world.enrollment_id},
	    {"{fresh}", c->fresh},
	    {"{fresh2}", c->fresh2},
	    {"{freshmod}", c->freshmod},
	    {"{refresh}", c->refresh},
	};
	struct lc_buf b = {0};
	for (const char *p = tmpl; *p != '\0';) {
		size_t i, n = sizeof(vars) / sizeof(vars[0]);
		for (i = 0; i < n; i++) {
			size_t kl = strlen(vars[i].key);
			if (strncmp(p, vars[i].key, kl) == 0) {
				lc_buf_puts(&b, vars[i].val);
				p += kl;
				break;
			}
		}
		if (i == n)
			lc_buf_putc(&b, *p++);
	}
	return lc_buf_steal(&b);
}

static const char *
error_type_for(long status)
{
	switch (status) {
	case 401:
		return "authentication_error";
	case 403:
		return "resource_error";
	case 404:
		return "resource_dne_error";
	case 409:
		return "conflict_error";
	default:
		return NULL;
	}
}

/* Runs one cell; returns true when it matches, printing what came back when it does not. */
static bool
run_cell(const struct row *row, enum h_actor a)
{
	struct cell c;
	if (make_fresh(row->fresh, a, &c) != 0) {
		fprintf(stderr, "  %-13s could not prepare the fresh resource\n", h_actor_name(a));
		return false;
	}
	char *path = expand(row->path, &c);
	char *body = row->body != NULL ? expand(row->body, &c) : NULL;
	const char *token = row->fresh == F_SESSION && a != H_ANON ? c.token : h_token(&world, a);
	struct h_resp r;
	h_call(&world.srv, row->method, path, token, body, NULL, &r);
	int want = row->want[a];
	bool ok;
	if (want == ANY)
		ok = r.status >= 200 && r.status < 500 && (a == H_ANON || r.status != 401);
	else
		ok = r.status == want;
	const char *etype = error_type_for(r.status);
	if (ok && etype != NULL && !h_is_error(&r, etype)) {
		fprintf(stderr, "  %-13s %ld but the body is not a %s: %s\n", h_actor_name(a),
		        r.status, etype, r.body);
		ok = false;
	} else if (!ok) {
		fprintf(stderr, "  %-13s want %d got %ld: %s %s%s%s -> %.300s\n", h_actor_name(a),
		        want, r.status, row->method, path, body != NULL ? " " : "",
		        body != NULL ? body : "", r.body);
	}
	h_resp_free(&r);
	free(path);
	free(body);
	return ok;
}

static void
test_matrix_row_gets_its_expected_status(void **state)
{
	const struct row *row = *state;
	int bad = 0;
	for (int a = 0; a < H_NACTORS; a++)
		bad += !run_cell(row, (enum h_actor)a);
	if (bad > 0)
		fail_msg("%d of %d cells disagree with API.md", bad, H_NACTORS);
}

/* ---- Sequences: what one call unlocks for the next ---------------------------------------- */

#define ADMIN_TOKEN (world.u[H_ADMIN].access)
#define DA_TOKEN (world.u[H_DEPT_ADMIN].access)

/* A newly registered learner; with global role `role` and a membership when given. */
static struct h_user
member(const char *prefix, const char *role, const char *department_id, const char *roles_json)
{
	struct h_user u;
	struct h_resp r;
	char name[40];
	h_unique_name(prefix, name, sizeof(name));
	assert_int_equal(h_register(&world.srv, name, "learner", &u), 0);
	if (role != NULL) {
		char *json = lc_asprintf("{\"role\":\"%s\"}", role);
		h_callf(&world.srv, "PATCH", ADMIN_TOKEN, json, &r, "/users/%s/roles", u.id);
		H_EXPECT(r, 200);
		h_resp_free(&r);
		free(json);
	}
	if (department_id != NULL)
		assert_int_equal(
		    h_grant_department(&world.srv, ADMIN_TOKEN, u.id, department_id, roles_json),
		    0);
	return u;
}

/* PATCH /users/{id}/roles as token; returns the status. */
static long
patch_roles(const char *token, const char *user_id, const char *json, const char *if_match,
            struct h_resp *r)
{
	char header[64];
	const char *extra[] = {header, NULL};
	char path[96];
	snprintf(header, sizeof(header), "If-Match: \"%s\"", if_match != NULL ? if_match : "");
	snprintf(path, sizeof(path), "/users/%s/roles", user_id);
	h_call(&world.srv, "PATCH", path, token, json, if_match != NULL ? extra : NULL, r);
	return r->status;
}

/* The admin's view of user_id: its global role and whether it is a member of department_id. */
static void
admin_sees(const char *user_id, const char *want_role, const char *department_id, bool want_member)
{
	struct h_resp r;
	const cJSON *m;
	bool member_of = false;
	h_callf(&world.srv, "GET", ADMIN_TOKEN, NULL, &r, "/users/%s", user_id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "role"), want_role);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(r.json, "departments"))
	{
		const char *d = h_json_str(m, "department_id");
		member_of = member_of || (d != NULL && strcmp(d, department_id) == 0);
	}
	h_resp_free(&r);
	if (member_of != want_member)
		fail_msg("user %s: member of %s is %d, want %d", user_id, department_id, member_of,
		         want_member);
}

/*
 * Security review 2026-11-29, M1: a department-admin added a user of another department to
 * their own, then changed that user's global role (and dropped the membership again) in a
 * second call; the same two calls made a learner a global instructor. Now the membership
 * may be added, the global role never changes, whichever way.
 */
static void
test_dept_admin_cannot_change_global_role_after_adding_membership(void **state)
{
	(void)state;
	struct h_resp r;
	/* Demotion: an instructor of another department (sophie in the review). */
	struct h_user t = member("sophie", "instructor", other_id, "[\"instructor\"]");
	assert_int_equal(patch_roles(DA_TOKEN, t.id, "{\"role\":\"learner\"}", NULL, &r), 403);
	assert_true(h_is_error(&r, "resource_error"));
	h_resp_free(&r);
	char *join =
	    lc_asprintf("{\"departments\":[{\"department_id\":\"%s\",\"roles\":[\"instructor\"]}]}",
	                world.dept_id);
	assert_int_equal(patch_roles(DA_TOKEN, t.id, join, NULL, &r), 200);
	h_resp_free(&r);
	assert_int_equal(
	    patch_roles(DA_TOKEN, t.id, "{\"role\":\"learner\",\"departments\":[]}", NULL, &r),
	    403);
	assert_true(h_is_error(&r, "resource_error"));
	h_resp_free(&r);
	assert_int_equal(patch_roles(DA_TOKEN, t.id, "{\"role\":\"learner\"}", NULL, &r), 403);
	h_resp_free(&r);
	admin_sees(t.id, "instructor", other_id, true);
	admin_sees(t.id, "instructor", world.dept_id, true);
	/* Promotion: a learner of no department. */
	struct h_user l = member("promo", NULL, NULL, NULL);
	assert_int_equal(patch_roles(DA_TOKEN, l.id, join, NULL, &r), 200);
	h_resp_free(&r);
	assert_int_equal(
	    patch_roles(DA_TOKEN, l.id, "{\"role\":\"instructor\",\"departments\":[]}", NULL, &r),
	    403);
	h_resp_free(&r);
	assert_int_equal(patch_roles(DA_TOKEN, l.id, "{\"role\":\"instructor\"}", NULL, &r), 403);
	h_resp_free(&r);
	admin_sees(l.id, "learner", world.dept_id, true);
	/* Still a learner: no course of their own, in another department or none. */
	char *course = lc_asprintf("{\"title\":\"Promoted\",\"department_id\":\"%s\"}", other_id);
	h_call(&world.srv, "POST", "/courses", l.access, course, NULL, &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	h_call(&world.srv, "POST", "/courses", l.access, "{\"title\":\"Promoted\"}", NULL, &r);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	free(course);
	free(join);
}

/* True when the body of r holds the text needle anywhere. */
static bool
body_has(const struct h_resp *r, const char *needle)
{
	return r->body != NULL && strstr(r->body, needle) != NULL;
}

/*
 * Security review 2026-11-29, M2: a department-admin read every user, admins included,
 * with their email, through GET /users/{id}, and the 409 `current` of a stale If-Match on
 * PATCH /users/{id}/roles showed the same document. Now only members of the departments
 * they administer (theirs and those below): 404 for everyone else, and a 409 carries no
 * user they could not GET.
 */
static void
test_dept_admin_reads_only_users_they_administer(void **state)
{
	(void)state;
	struct h_resp r;
	struct h_user t = member("outsider", "instructor", other_id, "[\"instructor\"]");
	struct h_user in = member("insider", NULL, sub_id, "[\"instructor\"]");
	char email[64];
	snprintf(email, sizeof(email), "%s@", t.username);
	h_callf(&world.srv, "GET", DA_TOKEN, NULL, &r, "/users/%s", world.u[H_ADMIN].id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_false(body_has(&r, "@"));
	h_resp_free(&r);
	h_callf(&world.srv, "GET", DA_TOKEN, NULL, &r, "/users/%s", t.id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_false(body_has(&r, email));
	h_resp_free(&r);
	h_callf(&world.srv, "GET", DA_TOKEN, NULL, &r, "/users/%s", in.id);
	H_EXPECT(r, 200);
	assert_non_null(h_json_str(r.json, "email"));
	h_resp_free(&r);
	/* The list agrees: the member below, not the outsider nor the admin. */
	h_callf(&world.srv, "GET", DA_TOKEN, NULL, &r, "/users?limit=100");
	H_EXPECT(r, 200);
	assert_true(h_list_has(&r, in.id));
	assert_false(h_list_has(&r, t.id));
	assert_false(h_list_has(&r, world.u[H_ADMIN].id));
	h_resp_free(&r);
	/* A stale If-Match: the review's exact call is now a 404, not a 409 with the user. */
	assert_int_equal(patch_roles(DA_TOKEN, t.id, "{\"departments\":[]}", "0", &r), 404);
	assert_true(h_is_error(&r, "resource_dne_error"));
	assert_false(body_has(&r, email));
	h_resp_free(&r);
	/* Adding the outsider with a stale If-Match: 409, but no `current` to read. */
	char *join = lc_asprintf(
	    "{\"departments\":[{\"department_id\":\"%s\",\"roles\":[\"instructor\"]}]}", sub_id);
	assert_int_equal(patch_roles(DA_TOKEN, t.id, join, "0", &r), 409);
	assert_null(cJSON_GetObjectItem(r.json, "current"));
	assert_false(body_has(&r, email));
	h_resp_free(&r);
	/* A member's 409 still shows the current document, as for any stale write. */
	assert_int_equal(patch_roles(DA_TOKEN, in.id, join, "0", &r), 409);
	assert_string_equal(h_json_str(r.json, "error.type"), "conflict_error");
	assert_string_equal(h_json_str(r.json, "current.id"), in.id);
	h_resp_free(&r);
	/* Learners and instructors may not read users at all. */
	h_callf(&world.srv, "GET", world.u[H_OWNER].access, NULL, &r, "/users/%s", in.id);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	free(join);
}

/*
 * Mission review 2026-11-29, B6: a department-admin re-parented their own department under
 * one they have no role in, and deleted it. Both are an admin's now; renaming stays theirs.
 */
/*
 * Staff of a department are staff of the courses below it in their replica too, not only
 * over REST: /sync lists a draft course of a sub-department among their scopes (issue 9,
 * section 4: rights on a department cover its descendants; the scope query once looked at
 * direct memberships only).
 */
static void
test_sync_scopes_follow_the_department_tree(void **state)
{
	(void)state;
	struct h_resp r;
	char code[40], top[H_ID_LEN + 1], sub[H_ID_LEN + 1], course_id[H_ID_LEN + 1];
	char scope[H_ID_LEN + 16];
	h_unique_name("STOP", code, sizeof(code));
	assert_int_equal(h_make_department(&world.srv, ADMIN_TOKEN, code, top), 0);
	h_unique_name("SSUB", code, sizeof(code));
	assert_int_equal(make_subdepartment(ADMIN_TOKEN, top, code, sub), 0);
	char *course = lc_asprintf("{\"title\":\"Below\",\"department_id\":\"%s\"}", sub);
	h_call(&world.srv, "POST", "/courses", ADMIN_TOKEN, course, NULL, &r);
	H_EXPECT(r, 201);
	assert_int_equal(h_copy_id(r.json, "id", course_id), 0);
	h_resp_free(&r);
	snprintf(scope, sizeof(scope), "course:%s", course_id);
	static const char *const roles[] = {"[\"department-admin\"]", "[\"content-admin\"]"};
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		struct h_user staff = member("scoped", NULL, top, roles[i]);
		char uuid[LC_UUID_LEN + 1];
		lc_uuid_new(uuid);
		char *body = lc_asprintf("{\"client_id\":\"%s\",\"cursors\":{}}", uuid);
		h_call(&world.srv, "POST", "/sync", staff.access, body, NULL, &r);
		H_EXPECT(r, 200);
		const cJSON *scopes = cJSON_GetObjectItemCaseSensitive(r.json, "scopes");
		bool found = false;
		const cJSON *e;
		cJSON_ArrayForEach(e, scopes) found =
		    found || (cJSON_IsString(e) && strcmp(e->valuestring, scope) == 0);
		if (!found)
			fprintf(stderr, "%s of the parent department: no %s in /sync scopes\n",
			        roles[i], scope);
		assert_true(found);
		h_resp_free(&r);
		free(body);
	}
	free(course);
}

static void
test_dept_admin_cannot_move_or_delete_own_department(void **state)
{
	(void)state;
	struct h_resp r;
	char code[40], dept[H_ID_LEN + 1];
	h_unique_name("OWN", code, sizeof(code));
	assert_int_equal(h_make_department(&world.srv, ADMIN_TOKEN, code, dept), 0);
	struct h_user da =
	    member("hugo", "instructor", dept, "[\"instructor\",\"department-admin\"]");
	char *reparent = lc_asprintf("{\"parent_id\":\"%s\"}", other_id);
	h_callf(&world.srv, "PATCH", da.access, reparent, &r, "/departments/%s", dept);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	h_callf(&world.srv, "DELETE", da.access, NULL, &r, "/departments/%s", dept);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	h_callf(&world.srv, "PATCH", da.access, "{\"name\":\"Still mine\"}", &r, "/departments/%s",
	        dept);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "name"), "Still mine");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r.json, "parent_id")));
	h_resp_free(&r);
	/* The admin may do both. */
	h_callf(&world.srv, "PATCH", ADMIN_TOKEN, reparent, &r, "/departments/%s", dept);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "parent_id"), other_id);
	h_resp_free(&r);
	h_callf(&world.srv, "DELETE", ADMIN_TOKEN, NULL, &r, "/departments/%s", dept);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	free(reparent);
}

/*
 * Mission review 2026-11-29, B7: a department-admin created a sub-department and could then
 * neither edit it nor give anyone a role in it. Rights now cover the departments below:
 * rename it, staff it, create below it and publish in it; moving and deleting it stay an
 * admin's.
 */
static void
test_dept_admin_manages_the_sub_department_they_create(void **state)
{
	(void)state;
	struct h_resp r;
	char code[40], top[H_ID_LEN + 1], sub[H_ID_LEN + 1], subsub[H_ID_LEN + 1];
	h_unique_name("TOP", code, sizeof(code));
	assert_int_equal(h_make_department(&world.srv, ADMIN_TOKEN, code, top), 0);
	struct h_user da = member("tree", NULL, top, "[\"department-admin\"]");
	h_unique_name("SUB", code, sizeof(code));
	assert_int_equal(make_subdepartment(da.access, top, code, sub), 0);
	h_callf(&world.srv, "PATCH", da.access, "{\"name\":\"Physics\"}", &r, "/departments/%s",
	        sub);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_unique_name("SUB2", code, sizeof(code));
	assert_int_equal(make_subdepartment(da.access, sub, code, subsub), 0);
	/* Staff it: a content-admin two levels down, who then creates a course there. */
	struct h_user ca = member("staffed", NULL, NULL, NULL);
	char *grant = lc_asprintf(
	    "{\"departments\":[{\"department_id\":\"%s\",\"roles\":[\"content-admin\"]}]}", sub);
	assert_int_equal(patch_roles(da.access, ca.id, grant, NULL, &r), 200);
	h_resp_free(&r);
	char *course = lc_asprintf("{\"title\":\"Optics\",\"department_id\":\"%s\"}", subsub);
	h_call(&world.srv, "POST", "/courses", ca.access, course, NULL, &r);
	H_EXPECT(r, 201);
	char course_id[H_ID_LEN + 1];
	assert_int_equal(h_copy_id(r.json, "id", course_id), 0);
	h_resp_free(&r);
	/* The department-admin above is staff of that draft. */
	h_callf(&world.srv, "GET", da.access, NULL, &r, "/courses/%s", course_id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_callf(&world.srv, "POST", da.access, "{}", &r, "/courses/%s/publish", course_id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	/* The users list shows the member below. */
	h_callf(&world.srv, "GET", da.access, NULL, &r, "/users?limit=100");
	H_EXPECT(r, 200);
	assert_true(h_list_has(&r, ca.id));
	h_resp_free(&r);
	/* Moving it out or deleting it: admin only. */
	char *out = lc_asprintf("{\"parent_id\":\"%s\"}", other_id);
	h_callf(&world.srv, "PATCH", da.access, out, &r, "/departments/%s", sub);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	h_callf(&world.srv, "DELETE", da.access, NULL, &r, "/departments/%s", subsub);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	/* Once the admin moves it away, the rights go with the tree. */
	h_callf(&world.srv, "PATCH", ADMIN_TOKEN, out, &r, "/departments/%s", sub);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_callf(&world.srv, "PATCH", da.access, "{\"name\":\"Gone\"}", &r, "/departments/%s", sub);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	h_callf(&world.srv, "GET", da.access, NULL, &r, "/users/%s", ca.id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
	free(grant);
	free(course);
	free(out);
}

/*
 * Mission review 2026-11-29, B6: the COMP content-admin (a global instructor) moved their
 * course to SCI. A move needs staff rights in the department it leaves and in the one it
 * enters; below their own department it is fine.
 */
static void
test_content_admin_move_needs_rights_on_both_ends(void **state)
{
	(void)state;
	struct h_resp r;
	struct h_user ca =
	    member("ines", "instructor", world.dept_id, "[\"instructor\",\"content-admin\"]");
	struct h_course c;
	assert_int_equal(h_make_course(&world.srv, ca.access, world.dept_id, false, &c), 0);
	char *to_other = lc_asprintf("{\"department_id\":\"%s\"}", other_id);
	char *to_sub = lc_asprintf("{\"department_id\":\"%s\"}", sub_id);
	h_callf(&world.srv, "PATCH", ca.access, to_other, &r, "/courses/%s", c.id);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	h_callf(&world.srv, "GET", ca.access, NULL, &r, "/courses/%s", c.id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "department_id"), world.dept_id);
	h_resp_free(&r);
	h_callf(&world.srv, "PATCH", ca.access, to_sub, &r, "/courses/%s", c.id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "department_id"), sub_id);
	h_resp_free(&r);
	/* With a staff role in the other department too, the move goes through. */
	char *both = lc_asprintf("{\"departments\":[{\"department_id\":\"%s\",\"roles\":"
	                         "[\"content-admin\"]},{\"department_id\":\"%s\",\"roles\":"
	                         "[\"content-admin\"]}]}",
	                         world.dept_id, other_id);
	assert_int_equal(patch_roles(ADMIN_TOKEN, ca.id, both, NULL, &r), 200);
	h_resp_free(&r);
	h_callf(&world.srv, "PATCH", ca.access, to_other, &r, "/courses/%s", c.id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "department_id"), other_id);
	h_resp_free(&r);
	free(to_other);
	free(to_sub);
	free(both);
}

/* docs/api.md "Permissions": the tree is at most 8 levels deep (rights are looked up that far). */
static void
test_department_tree_depth_is_bounded(void **state)
{
	(void)state;
	struct h_resp r;
	char code[40], ids[9][H_ID_LEN + 1];
	h_unique_name("L", code, sizeof(code));
	assert_int_equal(h_make_department(&world.srv, ADMIN_TOKEN, code, ids[0]), 0);
	for (int i = 1; i < 8; i++) {
		h_unique_name("L", code, sizeof(code));
		assert_int_equal(make_subdepartment(ADMIN_TOKEN, ids[i - 1], code, ids[i]), 0);
	}
	h_unique_name("D", code, sizeof(code));
	char *json = lc_asprintf("{\"name\":\"Too deep\",\"code\":\"%s\",\"parent_id\":\"%s\"}",
	                         code, ids[7]);
	h_call(&world.srv, "POST", "/departments", ADMIN_TOKEN, json, NULL, &r);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "parent_id"));
	h_resp_free(&r);
	free(json);
	/* Nor by moving a subtree: ids[1] and its 6 levels below, put under a department of
	 * level 2, would make 9. Naming the current parent again is no move. */
	json = lc_asprintf("{\"parent_id\":\"%s\"}", ids[2]);
	h_callf(&world.srv, "PATCH", ADMIN_TOKEN, json, &r, "/departments/%s", ids[3]);
	H_EXPECT(r, 200); /* same parent: unchanged, fine */
	h_resp_free(&r);
	free(json);
	char top[H_ID_LEN + 1];
	h_unique_name("L", code, sizeof(code));
	assert_int_equal(make_subdepartment(ADMIN_TOKEN, ids[0], code, top), 0);
	json = lc_asprintf("{\"parent_id\":\"%s\"}", top);
	h_callf(&world.srv, "PATCH", ADMIN_TOKEN, json, &r, "/departments/%s", ids[1]);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	h_resp_free(&r);
	free(json);
}

static int
group_setup(void **state)
{
	(void)state;
	char name[40];
	if (h_world_up(&world) != 0)
		return -1;
	h_unique_name("SUB", name, sizeof(name));
	if (make_subdepartment(world.u[H_ADMIN].access, world.dept_id, name, sub_id) != 0)
		return -1;
	h_unique_name("OTH", name, sizeof(name));
	return h_make_department(&world.srv, world.u[H_ADMIN].access, name, other_id);
}

static int
group_teardown(void **state)
{
	(void)state;
	return h_server_down(&world.srv) == 0 ? 0 : -1;
}

static const struct CMUnitTest sequences[] = {
    cmocka_unit_test(test_dept_admin_cannot_change_global_role_after_adding_membership),
    cmocka_unit_test(test_dept_admin_reads_only_users_they_administer),
    cmocka_unit_test(test_dept_admin_cannot_move_or_delete_own_department),
    cmocka_unit_test(test_dept_admin_manages_the_sub_department_they_create),
    cmocka_unit_test(test_content_admin_move_needs_rights_on_both_ends),
    cmocka_unit_test(test_department_tree_depth_is_bounded),
    cmocka_unit_test(test_sync_scopes_follow_the_department_tree),
};

int
main(void)
{
	size_t n = sizeof(rows) / sizeof(rows[0]);
	size_t n_seq = sizeof(sequences) / sizeof(sequences[0]);
	struct CMUnitTest *tests = lc_calloc(n + n_seq, sizeof(*tests));
	char **names = lc_calloc(n, sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		names[i] = rows[i].name != NULL
		               ? lc_strdup(rows[i].name)
		               : lc_asprintf("%s %s", rows[i].method, rows[i].path);
		tests[i].name = names[i];
		tests[i].test_func = test_matrix_row_gets_its_expected_status;
		tests[i].initial_state = (void *)&rows[i];
	}
	memcpy(tests + n, sequences, sizeof(sequences));
	int rc =
	    _cmocka_run_group_tests("permissions", tests, n + n_seq, group_setup, group_teardown);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return rc;
}
