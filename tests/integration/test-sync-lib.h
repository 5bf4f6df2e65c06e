/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the sync robustness tests (test-sync-*.c) and the sync benchmark: run
 * the real `lecternd` and `lectern` programs (found through the LECTERND and LECTERN
 * environment variables that the meson registration sets), talk to lecternd's REST API
 * with libcurl as a given user, and build small courses to sync.
 *
 * The helpers return 0 or -1 and print a line on stderr saying what failed, so a test can
 * assert on the result and its log still tells the story.
 */
#ifndef TEST_SYNC_LIB_H
#define TEST_SYNC_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#define ST_ID_LEN 36
#define ST_PASSWORD "lectern-demo"

/* ---- Files -------------------------------------------------------------------------- */

/* Creates a private temporary folder. Caller frees the path (and removes it: st_rmtree). */
char *st_tmpdir(const char *tag);
/* Removes a folder and everything under it. Accepts NULL. */
void st_rmtree(const char *path);

/* ---- lecternd ----------------------------------------------------------------------- */

struct st_server {
	pid_t pid; /* 0 when not running */
	int port;
	char dir[512]; /* holds the database and the server's output */
	char db[600];
	char url[64]; /* http://127.0.0.1:PORT */
};

/*
 * Starts lecternd on 127.0.0.1:port (0 for any free port) with the database in dir
 * (created with the demo seed when seed is true), and waits for its "listening" line.
 */
int st_server_start(struct st_server *srv, const char *dir, int port, bool seed);
/* More lecternd arguments for every st_server_start() (NULL-terminated; NULL: none). */
extern const char *const *st_server_extra_args;
/* Stops with SIGTERM (or SIGKILL when kill_it) and reaps it. No-op when not running. */
void st_server_stop(struct st_server *srv, bool kill_it);
/* `lecternd --db DB --create-user NAME --role ROLE` with the password on stdin. */
int st_server_create_user(const struct st_server *srv, const char *name, const char *role,
                          const char *password);

/* ---- lectern ------------------------------------------------------------------------- */

struct st_client {
	char data_dir[512];
	char server_url[64];
};

/*
 * Runs `lectern --server URL --data-dir DIR ARGS...` (NULL-terminated) with input on its
 * stdin (may be NULL) and returns its exit status (128 + signal when killed, -1 when it
 * could not run). Its stdout goes to *out when out is not NULL (caller frees).
 */
int st_lectern(const struct st_client *cl, const char *input, char **out, ...);
/* Starts lectern like st_lectern() but does not wait; output is discarded. */
pid_t st_lectern_spawn(const struct st_client *cl, ...);
/* Waits for a child; returns its exit status, or 128 + signal. */
int st_wait(pid_t pid);
/* The stderr of the last st_lectern() run ("" when none). */
const char *st_last_stderr(void);
/* `lectern login USER` with the demo password. */
int st_login(const struct st_client *cl, const char *user);

/* ---- The replica's files ------------------------------------------------------------- */

struct store_db;

/* Finds the replica (the SQLite file in the client's data dir) and opens it with store/. */
int st_replica_open(const struct st_client *cl, struct store_db **db);
/*
 * Number of sync issues (rejected writes and conflicts) the replica lists, or -1 when it
 * cannot be read. Tests where nothing may be refused expect 0: a write that landed but is
 * listed as refused (a replay answered 409, say) is a bug as much as a lost one.
 */
int st_replica_issues(const struct st_client *cl);
/* Number of files under dir (any depth: the replica, its -wal and -shm) holding needle. */
int st_dir_contains(const char *dir, const char *needle);

/* ---- REST ---------------------------------------------------------------------------- */

struct st_api {
	char base[64];
	char *token; /* access token; owned */
	char user[64];
	char password[64]; /* to log in again when a restarted server refuses the token */
};

/* Logs in as user (POST /auth/token). Free with st_api_finish(). */
int st_api_login(struct st_api *api, const char *base_url, const char *user, const char *password);
void st_api_finish(struct st_api *api);
/*
 * Sends method path (under /api/v1) with an optional JSON body. Returns the HTTP status
 * (or -1 when the server could not be reached) and the parsed response in *out when out is
 * not NULL (NULL for an empty or non-JSON body; free with cJSON_Delete).
 */
long st_api_call(struct st_api *api, const char *method, const char *path, const char *body,
                 cJSON **out);
/* Like st_api_call() with a printf-formatted path and no body; returns the JSON or NULL
 * unless the status is 200. */
cJSON *st_api_get(struct st_api *api, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Every item of a paged list (path may already hold a query). Caller deletes. */
cJSON *st_api_list(struct st_api *api, const char *path);
/* POSTs body and copies the created resource's id into id (ST_ID_LEN + 1). */
int st_api_create(struct st_api *api, const char *path, const char *body, char *id);
/* POST /enrollments {course_id} as the user behind api: 0 on 201, else -1. */
int st_api_enroll(struct st_api *api, const char *course_id);

/* ---- Content ------------------------------------------------------------------------- */

#define ST_MAX 64

struct st_course {
	char id[ST_ID_LEN + 1];
	char module_id[ST_ID_LEN + 1];
	char items[ST_MAX][ST_ID_LEN + 1]; /* pages */
	int n_items;
	char quiz_id[ST_ID_LEN + 1];
	char topics[ST_MAX][ST_ID_LEN + 1];
	int n_topics;
};

/*
 * Creates and publishes a course (as an instructor) with one module of n_items pages,
 * one quiz of two questions (answers "42" and true) and n_topics forum topics.
 */
int st_make_course(struct st_api *instructor, const char *title, int n_items, int n_topics,
                   struct st_course *out);

/*
 * Counts the forum texts of a course that contain marker: every topic's title and body and
 * every reply's body, as the user behind api sees them.
 */
int st_count_in_forum(struct st_api *api, const char *course_id, const char *marker);
/* Collects every topic title and body and reply body of a course into one text. Caller frees. */
char *st_forum_text(struct st_api *api, const char *course_id);
/* Number of non-overlapping occurrences of needle in text. */
int st_count(const char *text, const char *needle);

/* ---- A world: one server, an instructor's courses, one learner's replica ------------------ */

struct st_world {
	char *dir;
	struct st_server srv;
	struct st_api instructor; /* REST as "instructor" */
	struct st_api learner;    /* REST as "learner" */
	struct st_course courses[4];
	int n_courses;
	struct st_client cl; /* "learner"'s replica, logged in */
};

/*
 * Starts a seeded lecternd in a new temporary folder, makes n_courses courses of n_items
 * pages and n_topics topics as the instructor, and logs the learner's replica in.
 */
int st_world_setup(struct st_world *w, const char *tag, int n_courses, int n_items, int n_topics);
/* Stops the server and removes the folder. */
void st_world_teardown(struct st_world *w);
/* A second replica in the world's folder, logged in as user. */
int st_world_client(struct st_world *w, const char *name, const char *user, struct st_client *out);
/* Restarts the world's server on the same port and database. */
int st_world_restart(struct st_world *w);

/* ---- A ledger of forum writes and what the server must show ---------------------------- */

/*
 * Every write a test makes through lectern is recorded with a unique marker and the number
 * of times the marker must appear in the course's forum on the server: 1 for a reply or a
 * topic, 0 for the text an edit replaced. st_ledger_check() compares.
 */
struct st_mark {
	char marker[32];
	int want;
	char kind;              /* 'r' reply, 't' topic, 'e' edited reply */
	char id[ST_ID_LEN + 1]; /* the reply or topic carrying it */
};

struct st_ledger {
	struct st_mark *marks;
	int n;
	int cap;
	int next; /* counter for new markers */
};

void st_ledger_finish(struct st_ledger *ledger);
/* `lectern reply TOPIC` with a new marker; returns 0 or -1 (message printed). */
int st_ledger_reply(struct st_ledger *ledger, const struct st_client *cl, const char *topic_id);
/* `lectern post COURSE --title` with a new marker in the title. */
int st_ledger_post(struct st_ledger *ledger, const struct st_client *cl, const char *course_id);
/* `lectern edit ID` of the reply carrying marks[index]: its marker must then vanish. */
int st_ledger_edit(struct st_ledger *ledger, const struct st_client *cl, int index);
/*
 * Checks marks[from..n) against the course's forum on the server. Returns the number of
 * marks found a wrong number of times (each printed), or -1 when the forum could not be read.
 */
int st_ledger_check(const struct st_ledger *ledger, struct st_api *api, const char *course_id,
                    int from);

/* st_ledger_check() without printing: for probing the server's state mid-test. */
int st_ledger_check_quiet(const struct st_ledger *ledger, struct st_api *api, const char *course_id,
                          int from);

/* A small reproducible random generator (xorshift), seeded from SYNC_TEST_SEED or the
 * kernel; the seed is printed so a failing run can be repeated. */
uint64_t st_seed(void);
uint64_t st_rand(uint64_t *state);

/* Sleeps ms milliseconds. */
void st_sleep_ms(int ms);

#endif
