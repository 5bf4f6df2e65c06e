/* SPDX-License-Identifier: MIT */
/*
 * The permission matrix of shared/API.md ("Roles"): every endpoint called by each of the eight
 * kinds of caller (enum h_actor), each cell asserting the exact status and, for a failure, the
 * error type that goes with it. One cmocka test per endpoint row, named after the request.
 *
 * Where a call would change what later cells see (deleting, publishing, enrolling), each cell
 * gets its own fresh resource. The expectations come from API.md alone; where API.md leaves a
 * cell open the row says ANY and the cell only has to be a well-formed non-5xx answer.
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
	/* Courses */
	{"GET", "/courses", NULL, F_NONE, {200, 200, 200, 200, 200, 200, 200, 200}, NULL},
	{"POST", "/courses", "{\"title\":\"Course {uniq}\"}", F_NONE,
	 {401, 403, 403, 201, 201, 403, 403, 201}, "POST /courses (no department)"},
	{"POST", "/courses", "{\"title\":\"Course {uniq}\",\"department_id\":\"{dept}\"}", F_NONE,
	 {401, 403, 403, 201, 201, 201, 201, 201}, "POST /courses (in the department)"},
	{"GET", "/courses/{course}", NULL, F_NONE, {200, 200, 200, 200, 200, 200, 200, 200},
	 "GET /courses/{id} (published)"},
	{"GET", "/courses/{fresh}", NULL, F_DRAFT, {404, 404, 404, 200, 404, 200, 200, 200},
	 "GET /courses/{id} (draft)"},
	{"GET", "/courses/{fresh}", NULL, F_ARCHIVED, {404, 404, 404, 200, 404, 200, 200, 200},
	 "GET /courses/{id} (archived)"},
	{"PATCH", "/courses/{course}", "{\"description\":\"Edited {uniq}\"}", F_NONE,
	 WRITE_IN_COURSE(200), NULL},
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

struct cell {
	char fresh[H_ID_LEN + 1];
	char fresh2[H_ID_LEN + 1];
	char freshmod[H_ID_LEN + 1];
	char token[512];
	char refresh[512];
};

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
test_row(void **state)
{
	const struct row *row = *state;
	int bad = 0;
	for (int a = 0; a < H_NACTORS; a++)
		bad += !run_cell(row, (enum h_actor)a);
	if (bad > 0)
		fail_msg("%d of %d cells disagree with API.md", bad, H_NACTORS);
}

static int
group_setup(void **state)
{
	(void)state;
	return h_world_up(&world);
}

static int
group_teardown(void **state)
{
	(void)state;
	return h_server_down(&world.srv) == 0 ? 0 : -1;
}

int
main(void)
{
	size_t n = sizeof(rows) / sizeof(rows[0]);
	struct CMUnitTest *tests = lc_calloc(n, sizeof(*tests));
	char **names = lc_calloc(n, sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		names[i] = rows[i].name != NULL
		               ? lc_strdup(rows[i].name)
		               : lc_asprintf("%s %s", rows[i].method, rows[i].path);
		tests[i].name = names[i];
		tests[i].test_func = test_row;
		tests[i].initial_state = (void *)&rows[i];
	}
	int rc = _cmocka_run_group_tests("permissions", tests, n, group_setup, group_teardown);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return rc;
}
