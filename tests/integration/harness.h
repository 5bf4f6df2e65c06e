/* SPDX-License-Identifier: MIT */
/*
 * The integration-test harness: runs a real lecternd (path in $LECTERND) on an ephemeral
 * loopback port with its database in a private temporary folder, talks to it over HTTP with
 * libcurl, and builds users and courses through the public REST API (shared/API.md).
 *
 * Every server started here is killed and every temporary folder removed when the test
 * program ends, also when it ends through a fatal signal (atexit + signal handlers).
 * The server's stderr goes to a log file in its folder, printed when it does not stop cleanly;
 * with LECTERN_TEST_SERVER_STDERR=1 in the environment it goes live to the test's stderr.
 * Helpers return 0 or -1 and print what failed on stderr, so a test asserts on the result
 * and its log still tells the story.
 */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#define H_ID_LEN 36
#define H_PASSWORD "correct-horse-9" /* every user the harness makes has this password */
#define H_API "/api/v1"

/* ---- lecternd ------------------------------------------------------------------------ */

struct h_server {
	pid_t pid; /* 0 when not running */
	int port;
	int out_fd; /* the read end of the server's stdout pipe, -1 when closed */
	char dir[256];
	char db[320];
	char log[320]; /* the server's stderr */
	char url[64];  /* http://127.0.0.1:PORT */
	/* More lecternd arguments for h_server_start (NULL-terminated; set after h_server_init). */
	const char *const *extra_args;
};

/* Makes the temporary folder (removed at exit) and fills dir/db; does not start anything. */
int h_server_init(struct h_server *srv);
/* `lecternd --db DB --create-user NAME --role ROLE`, password on stdin. Server may be down. */
int h_server_create_user(const struct h_server *srv, const char *name, const char *role,
                         const char *password);
/* Starts lecternd on 127.0.0.1:0 with srv->db and waits for its "listening" line. */
int h_server_start(struct h_server *srv);
/* SIGTERM and reap; returns the exit status (128 + signal when killed), 0 when not running. */
int h_server_stop(struct h_server *srv);
/* SIGKILL and reap. */
void h_server_kill(struct h_server *srv);
/* Stops (SIGTERM) and starts again on the same database; the port may change. */
int h_server_restart(struct h_server *srv);
/* h_server_init + an admin named "root" (password H_PASSWORD) + h_server_start. */
int h_server_up(struct h_server *srv);
/*
 * Stops the server and removes its folder now rather than at exit. Returns the server's exit
 * status: lecternd stops cleanly on SIGTERM, so anything but 0 (a crash, a sanitizer report)
 * is a failure the caller should report.
 */
int h_server_down(struct h_server *srv);

/* ---- HTTP ------------------------------------------------------------------------------ */

struct h_resp {
	long status;   /* 0 when the request could not be made */
	char *headers; /* raw header lines of the final response */
	char *body;    /* NUL-terminated (binary bodies may hold NULs) */
	size_t body_len;
	cJSON *json; /* the parsed body, NULL when empty or not JSON */
};

/*
 * Sends METHOD url+path with the given extra header lines ("Name: value", NULL-terminated
 * array, may be NULL) and body (may be NULL; body_len bytes). Fills *out (free it with
 * h_resp_free). Returns 0 when a response came back, -1 otherwise.
 */
int h_request(const struct h_server *srv, const char *method, const char *path,
              const char *const *headers, const char *body, size_t body_len, struct h_resp *out);
/*
 * The local address requests are sent from (NULL: the kernel's choice, 127.0.0.1); any
 * 127.x.y.z works on Linux, so a test can be a second client address.
 */
extern const char *h_source_address;
/*
 * The usual call: path is under /api/v1 (pass "/courses"), token may be NULL (anonymous),
 * json may be NULL (no body); a body is sent as application/json. Extra headers optional.
 */
int h_call(const struct h_server *srv, const char *method, const char *path, const char *token,
           const char *json, const char *const *extra, struct h_resp *out);
/* printf-style path; returns the status (0 when no response). Frees nothing of out. */
long h_callf(const struct h_server *srv, const char *method, const char *token, const char *json,
             struct h_resp *out, const char *path_fmt, ...) __attribute__((format(printf, 6, 7)));
void h_resp_free(struct h_resp *r);
/* The value of a response header (case-insensitive name) copied into out, or NULL. */
const char *h_resp_header(const struct h_resp *r, const char *name, char *out, size_t out_len);
/* A string member of the JSON body (dotted path "user.id"), or NULL. */
const char *h_json_str(const cJSON *json, const char *dotted);
/* A number member (dotted path), or def. */
double h_json_num(const cJSON *json, const char *dotted, double def);
/* True when the body is exactly {"error":{"type":TYPE,"message":<string>}}. */
bool h_is_error(const struct h_resp *r, const char *type);
/* The error message of an error body, or "". */
const char *h_error_message(const struct h_resp *r);
/*
 * True when the error message is "Invalid parameters: " naming exactly the keys of `keys`,
 * in any order: "title,due_at", or for array bodies "1: title.due_at,3: kind" (an index and
 * its keys joined by '.'; compared as the pairs 1:title, 1:due_at, 3:kind).
 */
bool h_invalid_params_are(const struct h_resp *r, const char *keys);

/* ---- Users ------------------------------------------------------------------------------ */

struct h_user {
	char id[H_ID_LEN + 1];
	char username[40];
	char access[512];
	char refresh[512];
};

/*
 * POST /auth/register with H_PASSWORD; role "learner" or "instructor" (NULL: omitted). An
 * instructor signs up with an invite that the admin "root" (when the server has one) makes
 * first, as lecternd's default registration policy (learners) wants.
 */
int h_register(const struct h_server *srv, const char *username, const char *role,
               struct h_user *out);
/*
 * POST /invites as admin_token with body json ({"role":...}); copies the code into code
 * (code_len bytes). Returns 0, or -1 (not 201).
 */
int h_invite(const struct h_server *srv, const char *admin_token, const char *json, char *code,
             size_t code_len);
/* POST /auth/token. */
int h_login(const struct h_server *srv, const char *username, const char *password,
            struct h_user *out);
/* A unique username with the given prefix ("ln-3f2a9c"), 3..32 characters. */
void h_unique_name(const char *prefix, char *out, size_t out_len);

/* ---- Content ----------------------------------------------------------------------------- */

struct h_course {
	char id[H_ID_LEN + 1];
	char module_id[H_ID_LEN + 1];
	char page_id[H_ID_LEN + 1]; /* a page item */
	char quiz_id[H_ID_LEN + 1]; /* a quiz item, max_attempts 2 */
	char q1_id[H_ID_LEN + 1];   /* single choice, answer 1 */
	char q2_id[H_ID_LEN + 1];   /* numeric, answer 42 */
	char topic_id[H_ID_LEN + 1];
	char reply_id[H_ID_LEN + 1];
};

/*
 * As the user `token`: POST a course (department_id may be NULL), one module, a page item,
 * a quiz item with two questions, and publishes it when publish is true. The forum topic
 * and reply are made only with h_course_forum (they need a poster allowed to post).
 */
int h_make_course(const struct h_server *srv, const char *token, const char *department_id,
                  bool publish, struct h_course *out);
/* Posts a topic and a reply in the course as `token`. */
int h_course_forum(const struct h_server *srv, const char *token, struct h_course *c);
/* POST /enrollments; fills enrollment_id when not NULL. */
int h_enroll(const struct h_server *srv, const char *token, const char *course_id,
             char enrollment_id[H_ID_LEN + 1]);
/* POST /departments as an admin; fills id. */
int h_make_department(const struct h_server *srv, const char *admin_token, const char *code,
                      char id[H_ID_LEN + 1]);
/* PATCH /users/{id}/roles with a department membership (roles as a JSON array text). */
int h_grant_department(const struct h_server *srv, const char *admin_token, const char *user_id,
                       const char *department_id, const char *roles_json);

/*
 * The first key (id, rev, created_at, updated_at, then the NULL-terminated keys) that doc
 * lacks, or a timestamp that is not RFC 3339 UTC; NULL when all is well.
 */
const char *h_missing_key(const cJSON *doc, const char *const *keys);
/* True when the "items" of a list response hold an element whose "id" is id. */
bool h_list_has(const struct h_resp *r, const char *id);

/* Copies a string member of json into out (H_ID_LEN + 1); -1 when missing. */
int h_copy_id(const cJSON *json, const char *dotted, char out[H_ID_LEN + 1]);

/* ---- A campus with one of each kind of caller -------------------------------------------- */

/* The eight callers of the permission matrix, in its column order. */
enum h_actor {
	H_ANON,          /* no token */
	H_LEARNER,       /* a learner not enrolled in the course */
	H_ENROLLED,      /* a learner enrolled in the course */
	H_OWNER,         /* the instructor who created the course (department role instructor) */
	H_OTHER_INSTR,   /* another instructor */
	H_CONTENT_ADMIN, /* content-admin of the course's department (global role learner) */
	H_DEPT_ADMIN,    /* department-admin of the course's department (global role learner) */
	H_ADMIN,         /* global admin ("root", made with --create-user) */
	H_NACTORS
};

struct h_world {
	struct h_server srv;
	struct h_user u[H_NACTORS]; /* u[H_ANON] is empty */
	char dept_id[H_ID_LEN + 1];
	/* Published, in dept_id, owned by H_OWNER, H_ENROLLED enrolled; topic + reply by
	 * H_ENROLLED. */
	struct h_course course;
	char enrollment_id[H_ID_LEN + 1]; /* H_ENROLLED's enrollment in course */
};

/* Starts a server and makes the department, the eight callers and the course. */
int h_world_up(struct h_world *w);
/* The access token of a caller, NULL for H_ANON. */
const char *h_token(const struct h_world *w, enum h_actor a);
/* A short name of a caller for messages ("anonymous", "enrolled", ...). */
const char *h_actor_name(enum h_actor a);

/* ---- Assertions (expand inside cmocka tests) --------------------------------------------- */

/* Fails the test unless the response has status want, showing what came back. */
#define H_EXPECT(resp, want)                                                                       \
	do {                                                                                       \
		const struct h_resp *h_r_ = &(resp);                                               \
		if (h_r_->status != (long)(want))                                                  \
			fail_msg("%s:%d: want %d, got %ld: %.600s", __FILE__, __LINE__,            \
			         (int)(want), h_r_->status, h_r_->body != NULL ? h_r_->body : ""); \
	} while (0)

/* Fails the test unless doc has every key of the NULL-terminated keys (see h_missing_key). */
#define H_EXPECT_KEYS(doc, what, keys)                                                             \
	do {                                                                                       \
		const char *h_k_ = h_missing_key((doc), (keys));                                   \
		if (h_k_ != NULL)                                                                  \
			fail_msg("%s:%d: %s lacks a good %s", __FILE__, __LINE__, (what), h_k_);   \
	} while (0)

/* Fails the test unless the response is status want with exactly the error body of type. */
#define H_EXPECT_ERROR(resp, want, type)                                                           \
	do {                                                                                       \
		H_EXPECT(resp, want);                                                              \
		if (!h_is_error(&(resp), (type)))                                                  \
			fail_msg("%s:%d: not a %s error body: %.600s", __FILE__, __LINE__, (type), \
			         (resp).body);                                                     \
	} while (0)

#endif
