/* SPDX-License-Identifier: MIT */
/*
 * The happy path of shared/API.md's "Learning" and "Forums" tables with the doc shapes of
 * docs/api.md: enrollments, progress, quiz attempts and their grading rules, topics and
 * replies, a deleted user's posts, and writes that race each other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/uuid.h"
#include "harness.h"

static struct h_world world;

#define SRV (&world.srv)
#define OWNER (world.u[H_OWNER].access)
#define ADMIN (world.u[H_ADMIN].access)

static const char *const topic_keys[] = {"course_id",        "title",       "body",
                                         "author_id",        "author_name", "reply_count",
                                         "last_activity_at", NULL};
static const char *const reply_keys[] = {"topic_id",  "course_id",   "body",
                                         "author_id", "author_name", NULL};
static const char *const enrollment_keys[] = {"course_id", "user_id", "username", NULL};
static const char *const progress_keys[] = {"item_id",    "course_id", "user_id", "status",
                                            "time_spent", "score",     NULL};

static struct h_user
new_user(const char *prefix, const char *role)
{
	struct h_user u;
	char name[40];
	h_unique_name(prefix, name, sizeof(name));
	assert_int_equal(h_register(SRV, name, role, &u), 0);
	return u;
}

/* A row of /students names its user as "user_id" or, being a user, as "id". */
static bool
names_user(const cJSON *row, const char *user_id)
{
	const char *a = h_json_str(row, "user_id"), *b = h_json_str(row, "id");
	return (a != NULL && strcmp(a, user_id) == 0) || (b != NULL && strcmp(b, user_id) == 0);
}

struct poster {
	const char *token;
	char path[96];
	struct h_resp resp;
};

struct enroller {
	const char *token;
	const char *body;
	struct h_resp resp;
};

static void
test_enrollment_lifecycle(void **state)
{
	(void)state;
	struct h_user l = new_user("enr", NULL);
	struct h_resp r;
	char *json = lc_asprintf("{\"course_id\":\"%s\"}", world.course.id);
	h_call(SRV, "POST", "/enrollments", l.access, json, NULL, &r);
	H_EXPECT(r, 201);
	H_EXPECT_KEYS(r.json, "enrollment", enrollment_keys);
	assert_string_equal(h_json_str(r.json, "user_id"), l.id);
	assert_string_equal(h_json_str(r.json, "username"), l.username);
	char eid[H_ID_LEN + 1];
	h_copy_id(r.json, "id", eid);
	h_resp_free(&r);
	h_call(SRV, "POST", "/enrollments", l.access, json, NULL, &r);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	h_call(SRV, "GET", "/enrollments", l.access, NULL, NULL, &r);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	assert_true(h_list_has(&r, eid));
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/enrollments?course_id=%s", world.course.id);
	H_EXPECT(r, 200);
	assert_true(h_list_has(&r, eid));
	assert_true(h_list_has(&r, world.enrollment_id));
	h_resp_free(&r);
	h_callf(SRV, "GET", l.access, NULL, &r, "/enrollments/%s", eid);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_callf(SRV, "DELETE", l.access, NULL, &r, "/enrollments/%s", eid);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(SRV, "GET", l.access, NULL, &r, "/courses/%s/outline", world.course.id);
	H_EXPECT_ERROR(r, 403, "resource_error");
	h_resp_free(&r);
	/* Enrolling again after leaving works. */
	h_call(SRV, "POST", "/enrollments", l.access, json, NULL, &r);
	H_EXPECT(r, 201);
	h_resp_free(&r);
	free(json);
	/* Not in a draft course. */
	struct h_course d;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, false, &d), 0);
	json = lc_asprintf("{\"course_id\":\"%s\"}", d.id);
	h_call(SRV, "POST", "/enrollments", l.access, json, NULL, &r);
	free(json);
	assert_true(r.status == 404 || r.status == 403);
	h_resp_free(&r);
}

/* A page: started, completed, and never back to started; one record throughout. */
static void
page_progress(const struct h_course *c, const struct h_user *l)
{
	struct h_resp r;
	char *started = lc_asprintf("{\"item_id\":\"%s\",\"status\":\"started\",\"time_spent\":30}",
	                            c->page_id);
	char *done = lc_asprintf("{\"item_id\":\"%s\",\"status\":\"completed\",\"time_spent\":60}",
	                         c->page_id);
	h_call(SRV, "POST", "/progress", l->access, started, NULL, &r);
	H_EXPECT(r, 200);
	H_EXPECT_KEYS(r.json, "progress", progress_keys);
	assert_string_equal(h_json_str(r.json, "status"), "started");
	char pid[H_ID_LEN + 1];
	h_copy_id(r.json, "id", pid);
	h_resp_free(&r);
	h_call(SRV, "POST", "/progress", l->access, done, NULL, &r);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "status"), "completed");
	assert_string_equal(h_json_str(r.json, "id"), pid); /* one record per user and item */
	h_resp_free(&r);
	h_call(SRV, "POST", "/progress", l->access, started, NULL, &r);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "status"), "completed"); /* never goes back */
	h_resp_free(&r);
	free(started);
	free(done);
}

/* The quiz (max_attempts 2): wrong, right, then refused. */
static void
quiz_attempts(const struct h_course *c, const struct h_user *l)
{
	struct h_resp r;
	/* A quiz: one wrong, then all right. */
	char *wrong = lc_asprintf("{\"answers\":{\"%s\":0,\"%s\":41}}", c->q1_id, c->q2_id);
	char *right =
	    lc_asprintf("{\"answers\":{\"%s\":1,\"%s\":42},\"started_at\":"
	                "\"2026-11-23T06:00:00Z\",\"submitted_at\":\"2026-11-23T06:05:00Z\"}",
	                c->q1_id, c->q2_id);
	h_callf(SRV, "POST", l->access, wrong, &r, "/items/%s/attempts", c->quiz_id);
	H_EXPECT(r, 201);
	assert_true(h_json_num(r.json, "score", -1) == 0);
	assert_true(h_json_num(r.json, "max_score", -1) == 2);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "passed")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "results")), 2);
	h_resp_free(&r);
	h_callf(SRV, "POST", l->access, right, &r, "/items/%s/attempts", c->quiz_id);
	H_EXPECT(r, 201);
	assert_true(h_json_num(r.json, "score", -1) == 2);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "passed")));
	const cJSON *res;
	cJSON_ArrayForEach(res, cJSON_GetObjectItem(r.json, "results"))
	{
		assert_non_null(h_json_str(res, "question_id"));
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(res, "correct")));
		assert_true(h_json_num(res, "points", -1) == 1);
	}
	h_resp_free(&r);
	/* max_attempts 2: a third is refused. */
	h_callf(SRV, "POST", l->access, right, &r, "/items/%s/attempts", c->quiz_id);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	free(wrong);
	free(right);
	h_callf(SRV, "GET", l->access, NULL, &r, "/items/%s/attempts", c->quiz_id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 2);
	h_resp_free(&r);
}

static void
test_progress_and_attempts(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_user("prog", NULL);
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	struct h_resp r;
	page_progress(&c, &l);
	quiz_attempts(&c, &l);
	/* Both items completed: 100 percent; the quiz was marked completed by passing it. */
	h_callf(SRV, "GET", l.access, NULL, &r, "/progress/courses/%s", c.id);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "course_id"), c.id);
	assert_true(h_json_num(r.json, "percent", -1) == 100);
	const cJSON *it;
	int completed = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r.json, "items"))
	{
		const char *st = h_json_str(it, "status");
		completed += st != NULL && strcmp(st, "completed") == 0;
	}
	assert_int_equal(completed, 2);
	h_resp_free(&r);
	/* Every required item done: the public profile lists the course as completed. */
	h_callf(SRV, "GET", NULL, NULL, &r, "/users/%s/profile", l.id);
	H_EXPECT(r, 200);
	cJSON *cc = cJSON_GetObjectItem(r.json, "completed_courses");
	assert_int_equal(cJSON_GetArraySize(cc), 1);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(cc, 0), "id"), c.id);
	assert_non_null(h_json_str(cJSON_GetArrayItem(cc, 0), "title"));
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/progress/courses/%s?user_id=%s", c.id, l.id);
	H_EXPECT(r, 200);
	assert_true(h_json_num(r.json, "percent", -1) == 100);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/items/%s/attempts", c.quiz_id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 2);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/courses/%s/analytics", c.id);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "completed", -1), 1);
	assert_true(h_json_num(r.json, "completion_rate", -1) == 1);
	h_resp_free(&r);
}

/* Bodies are 1..20000 characters. */
static void
reply_body_limits(const char *token, const char *topic_id)
{
	struct h_resp r;
	char *big = lc_malloc(20001 + 32);
	int n = snprintf(big, 32, "{\"body\":\"");
	memset(big + n, 'x', 20001);
	snprintf(big + n + 20001, 8, "\"}");
	h_callf(SRV, "POST", token, big, &r, "/topics/%s/replies", topic_id);
	free(big);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	assert_true(h_invalid_params_are(&r, "body"));
	h_resp_free(&r);
	h_callf(SRV, "POST", token, "{\"body\":\"\"}", &r, "/topics/%s/replies", topic_id);
	H_EXPECT_ERROR(r, 400, "invalid_request_error");
	h_resp_free(&r);
}

static void
test_forum_topics_and_replies(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_user("poster", NULL);
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	struct h_resp r;
	char t1[H_ID_LEN + 1], t2[H_ID_LEN + 1], r1[H_ID_LEN + 1];
	h_callf(SRV, "POST", l.access, "{\"title\":\"First\",\"body\":\"One\"}", &r,
	        "/courses/%s/topics", c.id);
	H_EXPECT(r, 201);
	H_EXPECT_KEYS(r.json, "topic", topic_keys);
	assert_string_equal(h_json_str(r.json, "author_id"), l.id);
	assert_string_equal(h_json_str(r.json, "author_name"), l.username);
	h_copy_id(r.json, "id", t1);
	h_resp_free(&r);
	sleep(1); /* distinct activity times */
	h_callf(SRV, "POST", OWNER, "{\"title\":\"Second\",\"body\":\"Two\"}", &r,
	        "/courses/%s/topics", c.id);
	H_EXPECT(r, 201);
	h_copy_id(r.json, "id", t2);
	h_resp_free(&r);
	sleep(1);
	h_callf(SRV, "POST", OWNER, "{\"body\":\"Answer to first\"}", &r, "/topics/%s/replies", t1);
	H_EXPECT(r, 201);
	H_EXPECT_KEYS(r.json, "reply", reply_keys);
	assert_string_equal(h_json_str(r.json, "topic_id"), t1);
	h_copy_id(r.json, "id", r1);
	h_resp_free(&r);
	h_callf(SRV, "POST", l.access, "{\"body\":\"Thanks\"}", &r, "/topics/%s/replies", t1);
	H_EXPECT(r, 201);
	h_resp_free(&r);
	/* Newest activity first: the reply moved "First" to the top. */
	h_callf(SRV, "GET", l.access, NULL, &r, "/courses/%s/topics", c.id);
	H_EXPECT(r, 200);
	cJSON *items = cJSON_GetObjectItem(r.json, "items");
	assert_int_equal(cJSON_GetArraySize(items), 2);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(items, 0), "id"), t1);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(items, 1), "id"), t2);
	h_resp_free(&r);
	h_callf(SRV, "GET", l.access, NULL, &r, "/topics/%s", t1);
	H_EXPECT(r, 200);
	assert_int_equal((int)h_json_num(r.json, "reply_count", -1), 2);
	cJSON *reps = cJSON_GetObjectItem(r.json, "replies");
	assert_int_equal(cJSON_GetArraySize(reps), 2);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(reps, 0), "id"), r1); /* oldest first */
	h_resp_free(&r);
	h_callf(SRV, "PATCH", l.access, "{\"title\":\"First, edited\"}", &r, "/topics/%s", t1);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "title"), "First, edited");
	h_resp_free(&r);
	h_callf(SRV, "PATCH", OWNER, "{\"body\":\"Answer, edited\"}", &r, "/replies/%s", r1);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "body"), "Answer, edited");
	h_resp_free(&r);
	reply_body_limits(l.access, t1);
	h_callf(SRV, "DELETE", OWNER, NULL, &r, "/replies/%s", r1);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(SRV, "DELETE", l.access, NULL, &r, "/topics/%s", t1);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(SRV, "GET", l.access, NULL, &r, "/topics/%s", t1);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	assert_string_equal(h_error_message(&r), "That topic does not exist");
	h_resp_free(&r);
}

static void
test_deleted_user_posts_stay(void **state)
{
	(void)state;
	struct h_user l = new_user("leaver", NULL);
	assert_int_equal(h_enroll(SRV, l.access, world.course.id, NULL), 0);
	struct h_resp r;
	h_callf(SRV, "POST", l.access, "{\"title\":\"Bye\",\"body\":\"Leaving\"}", &r,
	        "/courses/%s/topics", world.course.id);
	H_EXPECT(r, 201);
	char tid[H_ID_LEN + 1];
	h_copy_id(r.json, "id", tid);
	h_resp_free(&r);
	h_callf(SRV, "DELETE", l.access, NULL, &r, "/users/%s", l.id);
	H_EXPECT(r, 204);
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/topics/%s", tid);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "author_name"), "deleted user");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r.json, "author_id")));
	h_resp_free(&r);
	h_callf(SRV, "GET", OWNER, NULL, &r, "/courses/%s/students?limit=100", world.course.id);
	H_EXPECT(r, 200);
	const cJSON *row;
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(r.json, "items"))
	{
		if (names_user(row, l.id))
			fail_msg("a deleted user is still a student: %s", r.body);
	}
	h_resp_free(&r);
}

static void *
enroll_thread(void *arg)
{
	struct enroller *e = arg;
	h_call(SRV, "POST", "/enrollments", e->token, e->body, NULL, &e->resp);
	return NULL;
}

/* Six enrollments of one user at once: exactly one 201, the rest 409 "already enrolled". */
static void
test_concurrent_enrollment_once(void **state)
{
	(void)state;
	struct h_user l = new_user("eager", NULL);
	char *body = lc_asprintf("{\"course_id\":\"%s\"}", world.course.id);
	struct enroller es[6];
	pthread_t t[6];
	for (int i = 0; i < 6; i++) {
		es[i] = (struct enroller){l.access, body, {0}};
		assert_int_equal(pthread_create(&t[i], NULL, enroll_thread, &es[i]), 0);
	}
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL); /* all of them before any assertion may jump out */
	int created = 0;
	for (int i = 0; i < 6; i++) {
		if (es[i].resp.status == 201)
			created++;
		else
			H_EXPECT_ERROR(es[i].resp, 409, "conflict_error");
		h_resp_free(&es[i].resp);
	}
	free(body);
	assert_int_equal(created, 1);
	struct h_resp r;
	h_call(SRV, "GET", "/enrollments", l.access, NULL, NULL, &r);
	assert_int_equal((int)h_json_num(r.json, "total", -1), 1);
	h_resp_free(&r);
}

static void *
post_thread(void *arg)
{
	struct poster *p = arg;
	h_call(SRV, "POST", p->path, p->token, "{\"title\":\"Busy\",\"body\":\"At once\"}", NULL,
	       &p->resp);
	return NULL;
}

/* Writes by several users at the same moment all succeed: a busy database is not a 500. */
static void
test_concurrent_writes_all_succeed(void **state)
{
	(void)state;
	enum h_actor who[] = {H_ENROLLED, H_OWNER, H_CONTENT_ADMIN, H_DEPT_ADMIN, H_ADMIN};
	struct poster ps[10];
	pthread_t t[10];
	for (int i = 0; i < 10; i++) {
		ps[i] = (struct poster){world.u[who[i % 5]].access, "", {0}};
		snprintf(ps[i].path, sizeof(ps[i].path), "/courses/%s/topics", world.course.id);
		assert_int_equal(pthread_create(&t[i], NULL, post_thread, &ps[i]), 0);
	}
	int bad = 0;
	for (int i = 0; i < 10; i++) {
		pthread_join(t[i], NULL);
		if (ps[i].resp.status != 201) {
			fprintf(stderr, "writer %d: %ld %s\n", i, ps[i].resp.status,
			        ps[i].resp.body);
			bad++;
		}
		h_resp_free(&ps[i].resp);
	}
	assert_int_equal(bad, 0);
}

/* API.md's grading rules: multiple in any order, short ignoring case and spaces, tolerance. */
static void
test_grading_rules(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, false, &c), 0);
	struct h_resp r;
	h_callf(SRV, "POST", OWNER, "{\"title\":\"Graded\",\"kind\":\"quiz\"}", &r,
	        "/modules/%s/items", c.module_id);
	H_EXPECT(r, 201);
	char quiz[H_ID_LEN + 1], q[4][H_ID_LEN + 1];
	h_copy_id(r.json, "id", quiz);
	h_resp_free(&r);
	const char *qs[] = {
	    ("{\"prompt\":\"m\",\"kind\":\"multiple\",\"choices\":[\"a\",\"b\",\"c\"],"
	     "\"answer\":[2,0]}"),
	    "{\"prompt\":\"s\",\"kind\":\"short\",\"answer\":\"New York\"}",
	    "{\"prompt\":\"n\",\"kind\":\"numeric\",\"answer\":3.14,\"tolerance\":0.01}",
	    "{\"prompt\":\"b\",\"kind\":\"boolean\",\"answer\":false}",
	};
	for (int i = 0; i < 4; i++) {
		h_callf(SRV, "POST", OWNER, qs[i], &r, "/items/%s/questions", quiz);
		H_EXPECT(r, 201);
		h_copy_id(r.json, "id", q[i]);
		h_resp_free(&r);
	}
	h_callf(SRV, "POST", OWNER, "{}", &r, "/courses/%s/publish", c.id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	struct h_user l = new_user("grader", NULL);
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	/* All right, written differently from the key. */
	char *right = lc_asprintf("{\"answers\":{\"%s\":[0,2],\"%s\":\"  new york \",\"%s\":3.149,"
	                          "\"%s\":false}}",
	                          q[0], q[1], q[2], q[3]);
	h_callf(SRV, "POST", l.access, right, &r, "/items/%s/attempts", quiz);
	free(right);
	H_EXPECT(r, 201);
	if (h_json_num(r.json, "score", -1) != 4 || h_json_num(r.json, "max_score", -1) != 4)
		fail_msg("all four are right: %s", r.body);
	h_resp_free(&r);
	/* All wrong: a subset, another string, outside the tolerance, the other boolean. */
	char *wrong = lc_asprintf("{\"answers\":{\"%s\":[0],\"%s\":\"York\",\"%s\":3.2,"
	                          "\"%s\":true}}",
	                          q[0], q[1], q[2], q[3]);
	h_callf(SRV, "POST", l.access, wrong, &r, "/items/%s/attempts", quiz);
	free(wrong);
	H_EXPECT(r, 201);
	if (h_json_num(r.json, "score", -1) != 0)
		fail_msg("all four are wrong: %s", r.body);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "passed")));
	h_resp_free(&r);
}

static int
group_setup(void **state)
{
	(void)state;
	return h_world_up(&world);
}

/* The status of item_id in the caller's GET /progress/courses/{course_id}, or "" when none. */
static const char *
item_status(const char *token, const char *course_id, const char *item_id, char out[16])
{
	struct h_resp r;
	const cJSON *it;
	out[0] = '\0';
	h_callf(SRV, "GET", token, NULL, &r, "/progress/courses/%s", course_id);
	H_EXPECT(r, 200);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r.json, "items"))
	{
		const char *id = h_json_str(it, "item_id"), *st = h_json_str(it, "status");
		if (id != NULL && strcmp(id, item_id) == 0 && st != NULL)
			snprintf(out, 16, "%s", st);
	}
	h_resp_free(&r);
	return out;
}

static int
profile_lists(const char *user_id, const char *course_id)
{
	struct h_resp r;
	const cJSON *c;
	int found = 0;
	h_callf(SRV, "GET", NULL, NULL, &r, "/users/%s/profile", user_id);
	H_EXPECT(r, 200);
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(r.json, "completed_courses"))
	{
		const char *id = h_json_str(c, "id");
		found += id != NULL && strcmp(id, course_id) == 0;
	}
	h_resp_free(&r);
	return found;
}

/*
 * Mission review 2026-11-29, B2 (issue 9 section 4, "Completion must be earned"):
 * POST /progress {"status":"completed"} marked a quiz done without a passing attempt, before
 * any attempt and after a failed one. Now 409 conflict_error and the quiz stays started;
 * "started" on a quiz still works, and only a passing attempt completes it.
 */
static void
test_progress_cannot_complete_a_quiz(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_user("quizdone", NULL);
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	struct h_resp r;
	char st[16];
	char *done = lc_asprintf("{\"item_id\":\"%s\",\"status\":\"completed\"}", c.quiz_id);
	char *started =
	    lc_asprintf("{\"item_id\":\"%s\",\"status\":\"started\",\"time_spent\":5}", c.quiz_id);
	h_call(SRV, "POST", "/progress", l.access, done, NULL, &r);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	assert_string_equal(item_status(l.access, c.id, c.quiz_id, st), "");
	h_call(SRV, "POST", "/progress", l.access, started, NULL, &r);
	H_EXPECT(r, 200);
	assert_string_equal(h_json_str(r.json, "status"), "started");
	h_resp_free(&r);
	/* A failed attempt (0 of 2, pass score 0.6) does not open the door either. */
	char *wrong = lc_asprintf("{\"answers\":{\"%s\":0,\"%s\":41}}", c.q1_id, c.q2_id);
	h_callf(SRV, "POST", l.access, wrong, &r, "/items/%s/attempts", c.quiz_id);
	H_EXPECT(r, 201);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "passed")));
	h_resp_free(&r);
	h_call(SRV, "POST", "/progress", l.access, done, NULL, &r);
	H_EXPECT_ERROR(r, 409, "conflict_error");
	h_resp_free(&r);
	assert_string_equal(item_status(l.access, c.id, c.quiz_id, st), "started");
	/* The page alone is not the course: the profile does not list it. */
	char *page = lc_asprintf("{\"item_id\":\"%s\",\"status\":\"completed\"}", c.page_id);
	h_call(SRV, "POST", "/progress", l.access, page, NULL, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	assert_int_equal(profile_lists(l.id, c.id), 0);
	/* A passing attempt completes the quiz, and with it the course. */
	char *right = lc_asprintf("{\"answers\":{\"%s\":1,\"%s\":42}}", c.q1_id, c.q2_id);
	h_callf(SRV, "POST", l.access, right, &r, "/items/%s/attempts", c.quiz_id);
	H_EXPECT(r, 201);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "passed")));
	h_resp_free(&r);
	assert_string_equal(item_status(l.access, c.id, c.quiz_id, st), "completed");
	assert_int_equal(profile_lists(l.id, c.id), 1);
	free(done);
	free(started);
	free(wrong);
	free(page);
	free(right);
}

/*
 * Mission review 2026-11-29, B2, through /sync: a pushed POST /progress completing a quiz
 * runs through the same dispatcher and gets the same 409; the item is not completed.
 */
static void
test_sync_push_cannot_complete_a_quiz(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_user("quizpush", NULL);
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	char client[H_ID_LEN + 1], key[64], st[16];
	lc_uuid_new(client);
	h_unique_name("qp", key, sizeof(key));
	char *body =
	    lc_asprintf("{\"client_id\":\"%s\",\"cursors\":{},\"limit\":1000,\"push\":["
	                "{\"key\":\"%s\",\"method\":\"POST\",\"path\":\"/api/v1/progress\","
	                "\"body\":{\"item_id\":\"%s\",\"status\":\"completed\"}},"
	                "{\"key\":\"%s-2\",\"method\":\"POST\",\"path\":\"/api/v1/progress\","
	                "\"body\":{\"item_id\":\"%s\",\"status\":\"completed\"}}]}",
	                client, key, c.quiz_id, key, c.page_id);
	struct h_resp r;
	h_call(SRV, "POST", "/sync", l.access, body, NULL, &r);
	H_EXPECT(r, 200);
	cJSON *push = cJSON_GetObjectItem(r.json, "push");
	assert_int_equal(cJSON_GetArraySize(push), 2);
	assert_int_equal((int)h_json_num(cJSON_GetArrayItem(push, 0), "status", 0), 409);
	assert_string_equal(h_json_str(cJSON_GetArrayItem(push, 0), "body.error.type"),
	                    "conflict_error");
	assert_int_equal((int)h_json_num(cJSON_GetArrayItem(push, 1), "status", 0), 200);
	h_resp_free(&r);
	free(body);
	assert_string_equal(item_status(l.access, c.id, c.quiz_id, st), "");
	assert_string_equal(item_status(l.access, c.id, c.page_id, st), "completed");
}

/*
 * Security review 2026-11-29, I1: the public profile listed a completed course after it was
 * archived, although GET /courses/{id} answers 404 to the same caller. Archived courses are
 * hidden like drafts, and shown again once the course is back.
 */
static void
test_profile_hides_archived_completed_courses(void **state)
{
	(void)state;
	struct h_course c;
	assert_int_equal(h_make_course(SRV, OWNER, NULL, true, &c), 0);
	struct h_user l = new_user("archdone", NULL);
	assert_int_equal(h_enroll(SRV, l.access, c.id, NULL), 0);
	struct h_resp r;
	char *page = lc_asprintf("{\"item_id\":\"%s\",\"status\":\"completed\"}", c.page_id);
	char *right = lc_asprintf("{\"answers\":{\"%s\":1,\"%s\":42}}", c.q1_id, c.q2_id);
	h_call(SRV, "POST", "/progress", l.access, page, NULL, &r);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_callf(SRV, "POST", l.access, right, &r, "/items/%s/attempts", c.quiz_id);
	H_EXPECT(r, 201);
	h_resp_free(&r);
	assert_int_equal(profile_lists(l.id, c.id), 1);
	h_callf(SRV, "POST", OWNER, "{}", &r, "/courses/%s/archive", c.id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	h_callf(SRV, "GET", NULL, NULL, &r, "/courses/%s", c.id);
	H_EXPECT_ERROR(r, 404, "resource_dne_error");
	h_resp_free(&r);
	assert_int_equal(profile_lists(l.id, c.id), 0);
	h_callf(SRV, "POST", OWNER, "{}", &r, "/courses/%s/unarchive", c.id);
	H_EXPECT(r, 200);
	h_resp_free(&r);
	assert_int_equal(profile_lists(l.id, c.id), 1);
	free(page);
	free(right);
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
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_enrollment_lifecycle),
	    cmocka_unit_test(test_progress_and_attempts),
	    cmocka_unit_test(test_grading_rules),
	    cmocka_unit_test(test_forum_topics_and_replies),
	    cmocka_unit_test(test_deleted_user_posts_stay),
	    cmocka_unit_test(test_concurrent_enrollment_once),
	    cmocka_unit_test(test_concurrent_writes_all_succeed),
	    cmocka_unit_test(test_progress_cannot_complete_a_quiz),
	    cmocka_unit_test(test_sync_push_cannot_complete_a_quiz),
	    cmocka_unit_test(test_profile_hides_archived_completed_courses),
	};
	return cmocka_run_group_tests_name("api-learning", tests, group_setup, group_teardown);
}
