/* SPDX-License-Identifier: MIT */
/*
 * The internal framework of lecternd: requests, responses, the route table, error and
 * validation helpers, permissions, the change feed and the per-type render table.
 *
 * One idea to read it by: every REST request, whether it came over HTTP, from a push item
 * of POST /sync or from the demo seeder, goes through srv_dispatch(). The dispatcher finds
 * the route, opens BEGIN IMMEDIATE for POST/PUT/PATCH/DELETE, replays an Idempotency-Key,
 * runs the handler, and commits when the handler answered < 400 (rolls back otherwise).
 * Handlers therefore never begin, commit or roll back (except in the first, outside call
 * of an SRV_ROUTE_SLOW route, through srv_write_begin); they read and write through
 * req->db, call a perm function of perm.c before touching anything, and emit one feed row
 * (srv_feed_emit) per resource they create, change or delete, cascades included.
 *
 * A resource family lives in one file (res-courses.c, ...) and exports a route array and a
 * type array, both ended by a zeroed entry, collected in routes.c:
 *
 *   const struct srv_route srv_routes_courses[] = {
 *           {"GET", "/courses/{id}", course_get, SRV_ROUTE_PUBLIC},
 *           {"PATCH", "/courses/{id}", course_patch, 0},
 *           {NULL, NULL, NULL, 0},
 *   };
 *   const struct srv_type srv_types_courses[] = {{"course", course_render}, {NULL, NULL}};
 *
 * A handler fills the response with srv_reply() (it takes the body) or an error helper.
 * The dispatcher adds ETag: "<rev>" to any 2xx object body holding an integer "rev".
 */
#ifndef SRV_H
#define SRV_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/uuid.h"
#include "store/db.h"

#define SRV_MAX_PARAMS 4
#define SRV_MAX_QUERY 16
#define SRV_MAX_HEADERS 4
#define SRV_MAX_DEPTS 16
#define SRV_USERNAME_MAX 32
/* Levels of the department tree, the top included; deeper trees are refused (400). */
#define SRV_DEPT_DEPTH_MAX 8
#define SRV_STR_(x) #x
#define SRV_STR(x) SRV_STR_(x)
#define SRV_ACCESS_TTL (15 * 60)            /* seconds */
#define SRV_REFRESH_TTL (30 * 24 * 60 * 60) /* seconds */
#define SRV_OFFLINE_DAYS 14                 /* --offline-login-days by default */
#define SRV_IDEMPOTENCY_TTL (7 * 24 * 60 * 60)
#define SRV_BODY_MAX (1024 * 1024)
#define SRV_MARKDOWN_MAX 20000
/* An item's (lesson's) body, in characters: long tutorials run past SRV_MARKDOWN_MAX (issue
 * 15, ux review 2026-11-29); 256 Ki ASCII characters still fit SRV_BODY_MAX's request. */
#define SRV_ITEM_BODY_MAX (256 * 1024)

/* ---- process context ---- */

/*
 * Process-wide state shared by every thread. Each thread opens its own store_db on first
 * use (srv_ctx_db); srv_ctx_finish() closes them all once the HTTP threads have stopped.
 */
struct srv_ctx {
	char *db_path;
	unsigned char sign_key[32]; /* HMAC-SHA256 key for access tokens, kept in the db */
	pthread_mutex_t lock;       /* guards the lists and last_purge below */
	struct srv_thread_db *dbs;  /* every connection opened, for closing */
	int64_t last_purge;         /* when tombstones were last purged (feed.c) */
	int registration;           /* enum srv_registration: who may sign up */
	int busy_timeout_ms;        /* SQLite busy timeout of every connection (0: default) */
	/* lecternd --access-ttl and --refresh-grace; read through srv_access_ttl() and
	 * srv_refresh_grace(): 0 is the default, a negative value stands for 0 seconds. */
	int access_ttl;
	int refresh_grace;
	/* lecternd --offline-login-days (issue 13): read through srv_offline_ttl(); 0 is the
	 * default (14 days), a negative value stands for 0 (off: no offline_expires_in). */
	int offline_login_days;
};

/* The registration policy (lecternd --registration); 0 is the default. */
enum srv_registration {
	SRV_REG_LEARNERS = 0, /* anyone as a learner; an instructor needs an invite */
	SRV_REG_OPEN = 1,     /* anyone, as learner or instructor */
	SRV_REG_INVITE = 2,   /* every sign-up needs an invite */
	SRV_REG_CLOSED = 3,   /* nobody: users are made by --create-user or admins */
};
/* "open", "learners", "invite", "closed" → the policy; -1 for another name. */
int srv_registration_parse(const char *name);

/*
 * Opens path (creating and migrating it), loads or makes the signing key. Returns 0, or a
 * negative lc_err with *cause (caller frees): -LC_EFOREIGN for a file that is not ours.
 */
int srv_ctx_init(struct srv_ctx *ctx, const char *path, char **cause);
/* Closes every connection. Call after the HTTP daemon has stopped. */
void srv_ctx_finish(struct srv_ctx *ctx);
/* The calling thread's connection (opened on first use), or NULL with the error logged. */
struct store_db *srv_ctx_db(struct srv_ctx *ctx);
/* Sets the SQLite busy timeout (ms) of every connection, open and to come (--busy-timeout). */
void srv_ctx_busy_timeout(struct srv_ctx *ctx, int ms);

/* The schema of lecternd's database (schema.c). */
extern const struct store_schema srv_schema;

/* ---- users as seen by the framework ---- */

enum srv_role {
	SRV_ROLE_LEARNER = 0,
	SRV_ROLE_INSTRUCTOR = 1,
	SRV_ROLE_ADMIN = 2,
};

/* Department roles, a bit set. */
enum srv_dept_role {
	SRV_DEPT_INSTRUCTOR = 1,
	SRV_DEPT_CONTENT_ADMIN = 2,
	SRV_DEPT_ADMIN = 4,
};

struct srv_membership {
	char department_id[LC_UUID_LEN + 1];
	unsigned roles; /* enum srv_dept_role bits */
};

/* The caller of a request (loaded per request; plain data, no ownership). */
struct srv_user {
	char id[LC_UUID_LEN + 1];
	char username[SRV_USERNAME_MAX + 1];
	char session_id[LC_UUID_LEN + 1]; /* the session of the token; "" when internal */
	enum srv_role role;
	int n_depts;
	struct srv_membership depts[SRV_MAX_DEPTS];
};

/* Loads user id into *out. Returns 0, -LC_ENOTFOUND or -LC_EDB. */
int srv_user_load(struct store_db *db, const char *id, struct srv_user *out);
/* The roles bits user holds in department_id (0 when none or department_id is NULL). */
unsigned srv_user_dept_roles(const struct srv_user *user, const char *department_id);
/* "learner", "instructor", "admin"; and back (returns -1 for an unknown name). */
const char *srv_role_name(enum srv_role role);
int srv_role_parse(const char *name);

/* ---- requests and responses ---- */

struct srv_kv {
	char *name;
	char *value;
};

struct srv_req {
	struct srv_ctx *ctx;
	struct store_db *db; /* this thread's connection; inside the transaction */
	const char *method;  /* "GET", "POST", ... */
	const char *path;    /* without /api/v1 and without the query: "/courses/x" */
	const char *params[SRV_MAX_PARAMS]; /* the {..} segments of the pattern, in order */
	int n_params;
	struct srv_kv query[SRV_MAX_QUERY]; /* decoded query parameters */
	int n_query;
	cJSON *body;                   /* parsed JSON body or NULL; borrowed */
	const struct srv_user *viewer; /* NULL when anonymous */
	int64_t if_match;              /* If-Match rev, or -1 when absent */
	const char *request_id;
	const char *client_ip;   /* "" for internal requests */
	char param_storage[512]; /* where params point */
	/*
	 * SRV_ROUTE_SLOW routes: outside_tx is true for the first call (outside any
	 * transaction), false for the second (inside the write transaction). prep is what the
	 * first call hands the second; the dispatcher frees it with prep_free.
	 */
	bool outside_tx;
	void *prep;
	void (*prep_free)(void *prep);
	/*
	 * The first failed lookup behind a permission (-LC_EDB), which answered "no": the
	 * dispatcher then answers 5xx and commits nothing, whatever the handler made of the
	 * denial (code review 2026-11-29, F6).
	 */
	int perm_error;
};

struct srv_header {
	char name[32];
	char value[96];
};

struct srv_resp {
	int status;  /* 0 until a handler answers */
	cJSON *body; /* owned; NULL means no body (204) */
	int n_headers;
	struct srv_header headers[SRV_MAX_HEADERS];
	/* Compress harder when small (srv_codec_compress_dense): a /sync answer. */
	bool dense;
};

typedef void (*srv_handler_fn)(struct srv_req *req, struct srv_resp *resp);

enum srv_route_flags {
	SRV_ROUTE_PUBLIC = 1, /* no token needed (a token, if sent, must still be valid) */
	SRV_ROUTE_NO_TX = 2,  /* the handler manages transactions itself (POST /sync) */
	/*
	 * The handler does slow work (argon2id): the dispatcher calls it first with
	 * req->outside_tx set and no transaction open, where it checks, reads and hashes and
	 * may answer; when it did not answer, it is called again inside BEGIN IMMEDIATE for the
	 * short write. See "What may run inside BEGIN IMMEDIATE" in dispatch.c.
	 */
	SRV_ROUTE_SLOW = 4,
	/* Idempotency-Key is ignored: nothing stored, nothing replayed (answers hold tokens). */
	SRV_ROUTE_NO_IDEM = 8,
};

struct srv_route {
	const char *method;  /* NULL ends a table */
	const char *pattern; /* "/courses/{id}/modules": {x} matches one path segment */
	srv_handler_fn handler;
	unsigned flags;
	/*
	 * What a request may carry, checked by the dispatcher before the handler runs (after
	 * authentication): the top-level body keys ("title,description"; for an array body,
	 * the keys of every element) and the query parameters, comma-separated; "" allows
	 * none. NULL skips the check; every route of the tables sets both (a unit test
	 * walks the tables).
	 */
	const char *body_keys;
	const char *query_keys;
	/*
	 * For a PATCH: the type (srv_type name) of the row it edits, {id} or the viewer for
	 * /users/me. The dispatcher renders it before and after the handler and, when only
	 * rev and updated_at differ, undoes the writes (no rev bump, no feed row).
	 */
	const char *patch_type;
};

/*
 * Renders resource id of this type as req->viewer would GET it. Returns 0 and *out
 * (caller frees with cJSON_Delete), -LC_ENOTFOUND when it is gone or hidden from the
 * viewer, or another negative lc_err.
 */
typedef int (*srv_render_fn)(struct srv_req *req, const char *id, cJSON **out);

struct srv_type {
	const char *name; /* "course"; NULL ends a table */
	srv_render_fn render;
};

/* Route and type tables of every family (routes.c collects them). */
extern const struct srv_route srv_routes_auth[];
extern const struct srv_route srv_routes_users[];
extern const struct srv_route srv_routes_departments[];
extern const struct srv_route srv_routes_courses[];
extern const struct srv_route srv_routes_modules[];
extern const struct srv_route srv_routes_items[];
extern const struct srv_route srv_routes_questions[];
extern const struct srv_route srv_routes_learning[];
extern const struct srv_route srv_routes_forums[];
extern const struct srv_route srv_routes_sync[];
extern const struct srv_type srv_types_users[];
extern const struct srv_type srv_types_departments[];
extern const struct srv_type srv_types_courses[];
extern const struct srv_type srv_types_modules[];
extern const struct srv_type srv_types_items[];
extern const struct srv_type srv_types_questions[];
extern const struct srv_type srv_types_learning[];
extern const struct srv_type srv_types_forums[];

/*
 * Finds the route for method and path (no /api/v1, no query) and fills req->params.
 * Returns the route, or NULL; *path_known tells a 405 (path exists, not the method) from a
 * 404.
 */
const struct srv_route *srv_route_find(const char *method, const char *path, struct srv_req *req,
                                       bool *path_known);
/* Matches one pattern against path, filling params. Exposed for the unit tests. */
bool srv_route_match(const char *pattern, const char *path, const char **params, int *n_params,
                     char *storage, size_t storage_len);
/* The render function of a type name, or NULL. */
srv_render_fn srv_type_render(const char *type);

/*
 * What srv_dispatch() needs besides the route: who asks, with which key and If-Match.
 * body is borrowed. path is the full path with the /api/v1 prefix and maybe a query.
 */
struct srv_call {
	const char *method;
	const char *path;
	cJSON *body;
	const struct srv_user *viewer;
	const char *idempotency_key; /* NULL when none */
	int64_t if_match;            /* -1 when none */
	const char *request_id;
	const char *client_ip;
};

/*
 * Runs one REST request through the route table, permissions, transaction, idempotency
 * and feed, on db (the caller thread's connection, not inside a transaction). Always
 * fills *resp (release with srv_resp_finish()); sets *replayed when the answer came from
 * the idempotency store. Used by the HTTP layer, by POST /sync for every push item and by
 * the seeder.
 */
void srv_dispatch(struct srv_ctx *ctx, struct store_db *db, const struct srv_call *call,
                  struct srv_resp *resp, bool *replayed);
void srv_resp_finish(struct srv_resp *resp);
/*
 * Resets every statement of db still stepping. A cached statement left on a row holds a
 * read snapshot open, and the connection would go on seeing the past; the dispatcher
 * calls this after every request.
 */
void srv_db_quiesce(struct store_db *db);
/* True when db holds no transaction and no statement mid-step (no snapshot, no WAL pin). */
bool srv_db_idle(struct store_db *db);

/*
 * Answers 400 "Invalid parameters: ..." naming every body key and query parameter that
 * route does not list (see struct srv_route), and returns false; true when all are known.
 */
bool srv_params_known(const struct srv_req *req, const struct srv_route *route,
                      struct srv_resp *resp);
/*
 * The no-op PATCH rule. srv_patch_begin() renders the row a PATCH route edits and opens a
 * savepoint (*before stays NULL when there is nothing to compare: not a PATCH route, row
 * hidden or gone); srv_patch_end() after the handler undoes its writes when the row
 * renders the same apart from rev and updated_at, and answers with the old rev and
 * updated_at, else keeps them. Both return 0 or a negative lc_err.
 */
int srv_patch_begin(struct srv_req *req, const struct srv_route *route, cJSON **before);
int srv_patch_end(struct srv_req *req, const struct srv_route *route, struct srv_resp *resp,
                  cJSON *before);

/*
 * A "\u0000" escape in a JSON string: cJSON keeps the text up to it and drops the rest,
 * so "before\u0000after" would be stored as "before" (security review 2026-11-29, I5).
 * text (len bytes) is a body that parsed; answers 400 naming the member that holds one and
 * returns false, or returns true.
 */
bool srv_json_nul_free(const char *text, size_t len, struct srv_resp *resp);

/*
 * The LIKE pattern "%text%" that matches text literally: '%', '_' and '\\' in text are
 * escaped for `LIKE ? ESCAPE '\\'` (code review 2026-11-29, F12). Caller frees.
 */
char *srv_like_contains(const char *text);

/* A query parameter's decoded value, or NULL. */
const char *srv_query(const struct srv_req *req, const char *name);

/* Sets status and body (takes ownership of body; NULL for none). */
void srv_reply(struct srv_resp *resp, int status, cJSON *body);
/* Adds a response header (silently drops beyond SRV_MAX_HEADERS). */
void srv_resp_header(struct srv_resp *resp, const char *name, const char *value);

/* ---- errors ---- */

/* {"error":{"type":type,"message":...}} with status; replaces any earlier body. */
void srv_error(struct srv_resp *resp, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 404 resource_dne_error "That <kind> does not exist". */
void srv_not_found(struct srv_resp *resp, const char *kind);
/* 403 resource_error. */
void srv_forbidden(struct srv_resp *resp);
/* 400 invalid_request_error "Invalid parameters: keys". */
void srv_bad_params(struct srv_resp *resp, const char *keys);
/* 409 conflict_error with message. */
void srv_conflict(struct srv_resp *resp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * 500 api_error "Internal error" (never internals); logs err, the context and the db's
 * last error with the request id.
 */
void srv_internal(struct srv_req *req, struct srv_resp *resp, int err, const char *context);
/*
 * 503 api_error with Retry-After: the database stayed locked by another writer past the
 * busy timeout. Nothing was written; the client may retry.
 */
void srv_busy(struct srv_resp *resp);
/* After a failed begin/step/commit: 503 (srv_busy) when SQLite said BUSY, else 500. */
void srv_tx_failed(struct srv_req *req, struct srv_resp *resp, int err, const char *context);
/*
 * BEGIN IMMEDIATE for handlers that open their own short write transaction (SRV_ROUTE_SLOW
 * first calls, SRV_ROUTE_NO_TX). Returns 0, or answers resp (503/500) and returns -LC_EDB.
 */
int srv_write_begin(struct srv_req *req, struct srv_resp *resp);

/* ---- JSON body validation ---- */

/*
 * Collects the names of bad keys so one 400 names them all. For array bodies, call
 * srv_check_element(c, i) before checking element i: keys then gather as
 * "i: key1.key2", elements joined by ",", indexes counted from 0.
 */
struct srv_check {
	struct lc_buf keys; /* "a,b" or "0: a.b,2: c" */
	int n_bad;
	int element;     /* -1 outside arrays */
	int element_bad; /* bad keys noted for the current element */
	int db_error;    /* a lookup behind a check failed: srv_check_failed() answers 500 */
};

void srv_check_init(struct srv_check *c);
void srv_check_finish(struct srv_check *c);
void srv_check_element(struct srv_check *c, int index);
/* Marks key bad (once per key per element). */
void srv_check_bad(struct srv_check *c, const char *key);
/* When keys were marked: writes the 400 into resp and returns true. */
bool srv_check_failed(struct srv_check *c, struct srv_resp *resp);

enum srv_opt {
	SRV_OPTIONAL = 0,
	SRV_REQUIRED = 1,
	SRV_NULLABLE = 2, /* JSON null is accepted and yields NULL / the field cleared */
};

/* What the getters answer. */
enum srv_got {
	SRV_BAD = -1,   /* present but invalid (marked in the check), or missing and required */
	SRV_ABSENT = 0, /* not in the object */
	SRV_GOT = 1,    /* present and valid (*out set; NULL for an accepted null) */
};

/* A string of min..max characters (UTF-8 code points); *out points into obj. */
int srv_get_str(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, size_t min,
                size_t max, const char **out);
/* An integer (JSON number with no fraction) in min..max. */
int srv_get_int(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, int64_t min,
                int64_t max, int64_t *out);
/* A finite number in min..max. */
int srv_get_num(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, double min,
                double max, double *out);
int srv_get_bool(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, bool *out);
/* A string equal to one of values (NULL-terminated). */
int srv_get_enum(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt,
                 const char *const *values, const char **out);
/* A lowercase UUID string. */
int srv_get_uuid(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt,
                 const char **out);
/* An RFC 3339 timestamp; *out gets epoch seconds, *text (may be NULL) the string. */
int srv_get_time(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt, int64_t *out,
                 const char **text);
/* An array of strings, each 1..max characters, at most max_count of them. */
int srv_get_str_array(struct srv_check *c, const cJSON *obj, const char *key, unsigned opt,
                      size_t max, int max_count, const cJSON **out);
/* True when s is valid UTF-8; *len gets the number of code points. */
bool srv_utf8_len(const char *s, size_t *len);

/*
 * The id of a create: the body's "id" when sent (bad format → marked bad), else a new
 * UUID. Returns SRV_BAD or SRV_GOT. A duplicate id is the handler's to turn into 409.
 */
int srv_get_new_id(struct srv_check *c, const cJSON *obj, char out[LC_UUID_LEN + 1]);

/* ---- lists ---- */

struct srv_page {
	int64_t page;  /* from 1 */
	int64_t limit; /* 1..100, default 20 */
	int64_t offset;
};

/* Reads ?page= and ?limit=; bad values are marked in c. */
void srv_page_parse(const struct srv_req *req, struct srv_check *c, struct srv_page *out);
/* {"items":items,"page":..,"limit":..,"total":total}; takes ownership of items. */
cJSON *srv_page_body(const struct srv_page *page, cJSON *items, int64_t total);

/* ---- optimistic concurrency ---- */

/*
 * When the request carries If-Match and rev differs: answers 409 conflict_error with
 * "current" (the resource rendered by its type as the viewer sees it) and returns false.
 * Returns true when the request may go on.
 */
bool srv_if_match(struct srv_req *req, struct srv_resp *resp, const char *type, const char *id,
                  int64_t rev);

/* ---- time and helpers for handlers ---- */

/* Now as RFC 3339 UTC (shared so every row of one request gets the same format). */
void srv_now(char out[32]);
/* Adds "created_at"/"updated_at"-style fields: a NULL text becomes JSON null. */
void srv_json_add_str(cJSON *obj, const char *key, const char *value);
/* Adds the text of a column (NULL → JSON null). */
void srv_json_add_col(cJSON *obj, const char *key, sqlite3_stmt *stmt, int col);
/*
 * Whether row id exists in table (a fixed name): 1, 0, or -LC_EDB when the lookup failed
 * (never "absent": code review 2026-11-29, F6). The boolean srv_row_exists() is gone: it
 * read a failed lookup as "absent".
 */
int srv_row_find(struct store_db *db, const char *table, const char *id);
/*
 * For a check that needs a lookup (found: what srv_row_find() or alike returned): marks
 * key bad unless found is 1, and a negative found makes srv_check_failed() answer 500
 * instead of 400.
 */
void srv_check_lookup(struct srv_check *c, int found, const char *key);
/*
 * Before a create with a client's id: true when id is free in table; else answers 409 "A
 * <kind> with this id already exists" or 500 and returns false.
 */
bool srv_id_free(struct srv_req *req, struct srv_resp *resp, const char *table, const char *id,
                 const char *kind);

/* ---- permissions (perm.c): the roles table of API.md in one place ---- */

enum srv_perm {
	SRV_ALLOW = 0,
	SRV_DENY = 1,   /* 403 resource_error */
	SRV_HIDDEN = 2, /* 404 resource_dne_error: the caller may not know it exists */
};

enum srv_course_status {
	SRV_COURSE_DRAFT = 0,
	SRV_COURSE_PUBLISHED = 1,
	SRV_COURSE_ARCHIVED = 2,
};

/* A department and its ancestors, nearest first (n 0 for no department). */
struct srv_dept_chain {
	char id[SRV_DEPT_DEPTH_MAX][LC_UUID_LEN + 1];
	int n;
};

/* What permissions need to know about a course. */
struct srv_course_ref {
	char id[LC_UUID_LEN + 1];
	char owner_id[LC_UUID_LEN + 1];      /* "" when the owner was deleted */
	char department_id[LC_UUID_LEN + 1]; /* "" when none */
	enum srv_course_status status;
	struct srv_dept_chain chain; /* staff rights held on any of these cover the course */
};

/* Loads the course; returns 0, -LC_ENOTFOUND, -LC_EDB. */
int srv_course_ref_load(struct store_db *db, const char *course_id, struct srv_course_ref *out);
bool srv_is_staff(const struct srv_user *viewer, const struct srv_course_ref *course);
/* 1 enrolled, 0 not, -LC_EDB when the lookup failed. */
int srv_is_enrolled(struct store_db *db, const char *user_id, const char *course_id);

enum srv_perm srv_perm_course_read(struct srv_req *req, const struct srv_course_ref *c);
/*
 * The same rule as SQL text, a predicate over a row of `courses` (name the table courses,
 * no alias) with the named parameters :viewer_id and :viewer_admin, which
 * srv_perm_course_read_bind() binds for req's viewer (0, or -LC_EDB).
 */
const char *srv_perm_course_read_sql(void);
int srv_perm_course_read_bind(const struct srv_req *req, sqlite3_stmt *st);
/*
 * The same rule reduced, when it can be, to statuses: returns 1 when req's viewer reads
 * exactly the courses of some statuses, every course (*every_status true: an admin) or the
 * published ones (*every_status false: anonymous, and a caller with no department rights
 * and no unpublished course of their own); 0 when their view depends on more; or -LC_EDB.
 * Lets a list take its total from course_counts.
 */
int srv_perm_course_read_by_status(struct srv_req *req, bool *every_status);
/* department_id: the department the new course goes into, or NULL. */
enum srv_perm srv_perm_course_create(struct srv_req *req, const char *department_id);
/* Edit the course, its modules, items, questions; publish, archive. */
enum srv_perm srv_perm_course_edit(struct srv_req *req, const struct srv_course_ref *c);
enum srv_perm srv_perm_course_delete(struct srv_req *req, const struct srv_course_ref *c);
/* Read modules, items, questions (no answers), outline, topics. */
enum srv_perm srv_perm_course_content(struct srv_req *req, const struct srv_course_ref *c);
/* Read answers, all attempts, students, analytics, the course's enrollments. */
enum srv_perm srv_perm_course_staff(struct srv_req *req, const struct srv_course_ref *c);
enum srv_perm srv_perm_enroll(struct srv_req *req, const struct srv_course_ref *c);
/* Take quizzes, record progress. */
enum srv_perm srv_perm_learn(struct srv_req *req, const struct srv_course_ref *c);
/* Post a topic or reply. */
enum srv_perm srv_perm_forum_post(struct srv_req *req, const struct srv_course_ref *c);
/* Edit one's own topic/reply (author_id may be NULL for a deleted author). */
enum srv_perm srv_perm_post_edit(struct srv_req *req, const struct srv_course_ref *c,
                                 const char *author_id);
enum srv_perm srv_perm_post_delete(struct srv_req *req, const struct srv_course_ref *c,
                                   const char *author_id);
/* Read/delete one enrollment of user_id in course c. */
enum srv_perm srv_perm_enrollment(struct srv_req *req, const struct srv_course_ref *c,
                                  const char *user_id);
/*
 * Rights follow the department tree: a role held in a department holds in all its
 * descendants. The roles bits user holds over department_id (its own membership OR'ed
 * with those of every ancestor); 0 for NULL/"", and when the tree cannot be read (then
 * req->perm_error is set).
 */
unsigned srv_dept_rights(struct srv_req *req, const struct srv_user *user,
                         const char *department_id);
/*
 * Fills *out with department_id and its ancestors, nearest first, at most
 * SRV_DEPT_DEPTH_MAX (none for NULL/""). Returns 0 or -LC_EDB.
 */
int srv_dept_chain_load(struct store_db *db, const char *department_id, struct srv_dept_chain *out);
/*
 * SQL subquery text: the ids of every department where the user bound at parameter UID
 * ("?4") holds a role of MASK (a literal, "6": content-admin or department-admin), and every
 * department below those (to the depth srv_dept_chain_load sees, so both agree).
 */
#define SRV_SQL_DEPTS_WITH_ROLES(uid, mask)                                                        \
	"(WITH RECURSIVE sub(id, depth) AS (SELECT department_id, 1 FROM memberships WHERE "       \
	"user_id = " uid " AND (roles & " mask ") != 0 UNION ALL SELECT d.id, sub.depth + 1 FROM " \
	"departments d JOIN sub ON d.parent_id = sub.id WHERE sub.depth < " SRV_STR(               \
	    SRV_DEPT_DEPTH_MAX) ") SELECT id FROM sub)"
/* The departments uid administers (department-admin, bit 4): theirs and those below. */
#define SRV_SQL_ADMINISTERED(uid) SRV_SQL_DEPTS_WITH_ROLES(uid, "4")
/*
 * Departments: create below department_id (NULL → admin only), rename, manage members:
 * admin, or department-admin of it or an ancestor.
 */
enum srv_perm srv_perm_department_manage(struct srv_req *req, const char *department_id);
/* Change a department's parent, delete a department: admin only (seed 004). */
enum srv_perm srv_perm_department_move(struct srv_req *req, const char *department_id);
enum srv_perm srv_perm_department_delete(struct srv_req *req, const char *department_id);
/* Move course c to target_department_id (NULL: no department): rights on both ends. */
enum srv_perm srv_perm_course_move(struct srv_req *req, const struct srv_course_ref *c,
                                   const char *target_department_id);
enum srv_perm srv_perm_users_list(struct srv_req *req);
/*
 * Read user target_id in full (GET /users/{id}, the user doc of a 409): admin; a
 * department-admin for members of a department they administer (404 for others); 403
 * for everyone else.
 */
enum srv_perm srv_perm_user_read(struct srv_req *req, const char *target_id);
/*
 * Change target's roles: role (or -1 when absent) and the memberships named in the request
 * (department_ids[i] with role bits roles[i], 0 meaning "remove"). Admin: anything. A
 * department-admin: only memberships of departments they administer, never the global
 * role (even unchanged), never an admin's; of a user they cannot read, only a request
 * adding a membership (404 otherwise).
 */
enum srv_perm srv_perm_user_roles(struct srv_req *req, const char *target_id, int role,
                                  const char *const *department_ids, const unsigned *roles,
                                  int n_departments);
enum srv_perm srv_perm_user_delete(struct srv_req *req, const char *target_id);
/* POST /users/{id}/sessions/revoke: an admin, or a department-admin of a member (never of an
 * admin); others 403, a user the caller does not administer 404 (issue 13). */
enum srv_perm srv_perm_user_sessions_revoke(struct srv_req *req, const char *target_id);
/*
 * Applies a perm answer: SRV_DENY → 403, SRV_HIDDEN → 404 naming kind. Returns true when
 * allowed (nothing written).
 */
bool srv_perm_check(enum srv_perm perm, struct srv_resp *resp, const char *kind);

/* ---- change feed (feed.c) ---- */

/*
 * Internal scope names: "catalog", "user:<uid>", "course:<cid>", and "staff:<cid>"
 * (rows only course staff sync: every enrollment and attempt of the course; merged into
 * "course:<cid>" for staff). Writes the feed row for (scope, type, id) inside the
 * request's transaction, replacing the older row of the same key, with the next seq.
 * deleted → a tombstone. Returns 0 or -LC_EDB.
 */
int srv_feed_emit(struct srv_req *req, const char *scope, const char *type, const char *id,
                  int64_t rev, bool deleted);
/* Shorthands building the scope name. */
int srv_feed_catalog(struct srv_req *req, const char *type, const char *id, int64_t rev,
                     bool deleted);
int srv_feed_user(struct srv_req *req, const char *user_id, const char *type, const char *id,
                  int64_t rev, bool deleted);
int srv_feed_course(struct srv_req *req, const char *course_id, const char *type, const char *id,
                    int64_t rev, bool deleted);
int srv_feed_staff(struct srv_req *req, const char *course_id, const char *type, const char *id,
                   int64_t rev, bool deleted);
/*
 * Tombstones every live feed row of (type, id) in every scope (for deletes: the caller
 * need not know where the row was published). Returns 0 or -LC_EDB.
 */
int srv_feed_delete_everywhere(struct srv_req *req, const char *type, const char *id, int64_t rev);
/*
 * Tombstones (srv_feed_delete_everywhere, at rev + 1) every row of table whose column
 * equals value, as type; the caller then deletes them. table and column are fixed
 * identifiers, never input. Returns 0 or a negative lc_err (a failed read included).
 */
int srv_feed_tombstone_where(struct srv_req *req, const char *table, const char *type,
                             const char *column, const char *value);

/*
 * The feed row of a change to (type, id) in course_id's scope that touched only counters
 * derived from other rows (a topic's reply_count and last_activity_at): like
 * srv_feed_course(), but the row keeps the seq and rev of the last other change (feed
 * columns content_seq, content_rev), so /sync may send clients that hold that content a
 * patch of the counters instead of the doc. Any other emit of the row resets them, so only
 * a write that calls this on purpose is ever sent as a patch. Returns 0 or -LC_EDB.
 */
int srv_feed_course_counts(struct srv_req *req, const char *course_id, const char *type,
                           const char *id, int64_t rev);

/* Purges old tombstones (at start). Returns 0 or -LC_EDB. */
int srv_feed_init(struct srv_ctx *ctx, struct store_db *db);
/* Purges again when the last purge is an hour old (db not inside a transaction). */
void srv_feed_maintain(struct srv_ctx *ctx, struct store_db *db);
/* The highest seq purged so far (0: none): cursors below it need a reset. */
int srv_feed_purged(struct store_db *db, int64_t *out);

/* ---- auth (auth.c) ---- */

/* argon2id hash of password into out (crypto_pwhash_STRBYTES). Returns 0 or -LC_ENOMEM. */
int srv_password_hash(const char *password, char *out, size_t out_len);
bool srv_password_verify(const char *hash, const char *password);
/*
 * Verifies password against a fixed hash of the same cost (made once per process), for a
 * username that does not exist, so a login takes as long whether or not it does.
 */
void srv_password_verify_dummy(const char *password);
/*
 * Access tokens: 48 characters of unpadded base64url over the session id's 16 bytes, the
 * expiry (4 bytes big-endian, seconds since the epoch: until 2106) and the first 16 bytes
 * of HMAC-SHA256 with key over "lectern-access-v1" and those 20 bytes. The user is not in
 * the token: its session row names it. srv_token_sign writes into out (SRV_TOKEN_MAX),
 * clamping expires to 0..UINT32_MAX; a malformed session_id gives "", which never
 * verifies. srv_token_verify checks the MAC, then expiry at now, and fills session_id
 * (lowercase UUID; "" on failure). Returns 0, -LC_EAUTH.
 */
#define SRV_TOKEN_MAX 64
void srv_token_sign(const unsigned char key[32], const char *session_id, int64_t expires,
                    char out[SRV_TOKEN_MAX]);
int srv_token_verify(const unsigned char key[32], const char *token, int64_t now,
                     char session_id[LC_UUID_LEN + 1]);
/*
 * Authenticates "Bearer <token>" (header value; NULL when absent): checks the token and
 * that its session is not revoked, then loads the user. Returns 0 and *out, -LC_EAUTH, or
 * -LC_EDB when the session or the user cannot be read (a 5xx, not a 401).
 */
int srv_auth_bearer(struct srv_ctx *ctx, struct store_db *db, const char *header,
                    struct srv_user *out);
/*
 * Creates a session for user_id and adds "access_token", "refresh_token",
 * "expires_in" to obj. Returns 0 or -LC_EDB.
 */
int srv_session_issue(struct srv_req *req, const char *user_id, cJSON *obj);
/* SHA-256 hex of a refresh token (the only form stored). */
void srv_refresh_hash(const char *token, char out[65]);
/*
 * Adds a fresh access token and refresh token for session_id to obj; the new refresh
 * token's hash goes to refresh_hash (the caller stores it).
 */
void srv_session_tokens(struct srv_ctx *ctx, const char *session_id, cJSON *obj,
                        char refresh_hash[65]);
/*
 * Seconds an access token lives (lecternd --access-ttl; SRV_ACCESS_TTL by default), and
 * the grace after a rotation in which the refresh token just rotated out still rotates
 * (lecternd --refresh-grace; SRV_REFRESH_GRACE by default; see res-auth.c).
 */
#define SRV_REFRESH_GRACE 300 /* seconds */
int64_t srv_access_ttl(const struct srv_ctx *ctx);
int64_t srv_refresh_grace(const struct srv_ctx *ctx);
/*
 * Seconds a client may sign in offline after an online sign-in (the Lectern extension
 * offline_expires_in of every answer that carries a token pair; lecternd
 * --offline-login-days, SRV_OFFLINE_DAYS by default); 0 when off, then the field is absent.
 */
int64_t srv_offline_ttl(const struct srv_ctx *ctx);
/*
 * The /sync refresh extension (docs/api.md, "Auth"): the request header that carries a
 * refresh token on POST /api/v1/sync when the access token is stale. srv_sync_refresh()
 * does exactly what POST /auth/refresh does with that token (reuse detection, grace,
 * rotation in a short write transaction of its own) and on success returns 0, fills
 * *viewer (the session's user) and *auth ({access_token, refresh_token, token_type,
 * expires_in}, caller owns); else it fills resp with the answer (401 "Missing, invalid or
 * expired token", or 503/500 when the database failed) and returns non-zero.
 */
#define SRV_REFRESH_HEADER "Lectern-Refresh"
int srv_sync_refresh(struct srv_ctx *ctx, struct store_db *db, const char *request_id,
                     const char *client_ip, const char *token, struct srv_user *viewer,
                     cJSON **auth, struct srv_resp *resp);
/*
 * Login throttle, keyed by (lowercased username, req->client_ip), in the database.
 * srv_login_limited: *retry_after > 0 (seconds) when that pair is locked out; returns 0 or
 * -LC_EDB. srv_login_failed: records a failure in its own short write transaction (call
 * outside any); returns 0, or answers resp (503/500) and returns -LC_EDB.
 * srv_login_succeeded: forgets the pair's failures, inside the caller's transaction.
 */
int srv_login_limited(struct srv_req *req, const char *username, int64_t *retry_after);
int srv_login_failed(struct srv_req *req, struct srv_resp *resp, const char *username);
int srv_login_succeeded(struct srv_req *req, const char *username);

/*
 * Creates a user directly (the --create-user bootstrap). Returns 0, -LC_ECONFLICT when
 * the username exists, -LC_EINVAL for a bad name/password, -LC_EDB; *cause explains.
 */
int srv_user_create_cli(struct srv_ctx *ctx, const char *username, const char *password,
                        enum srv_role role, char **cause);

/*
 * The user doc: full (as GET /users/me) when full, else the public part. Returns 0 and
 * *out, -LC_ENOTFOUND, -LC_EDB.
 */
int srv_user_doc(struct store_db *db, const char *id, bool full, cJSON **out);

/* rev+1 and updated_at now on user id, with its feed row. Returns 0 or a negative lc_err. */
int srv_user_touch(struct srv_req *req, const char *id);
/* ^[A-Za-z0-9_-]{3,32}$ */
bool srv_username_valid(const char *username);
/* A plausible address: one @, something before, a dot in the domain, no spaces. */
bool srv_email_valid(const char *email);
/*
 * Inserts a user (id, username, email, password_hash from srv_password_hash, made before
 * the transaction; names may be NULL) and its feed row. Returns 0, -LC_ECONFLICT naming
 * the clashing field in *field ("id", "username", "email"), or another negative lc_err.
 */
int srv_user_insert(struct srv_req *req, const char *id, const char *username, const char *email,
                    const char *password_hash, const char *first_name, const char *last_name,
                    enum srv_role role, const char **field);
/*
 * Sets *field to the field ("id", "username", "email") an existing user already holds, or
 * NULL. Returns 0, or -LC_EDB when that cannot be read.
 */
int srv_user_clash(struct store_db *db, const char *id, const char *username, const char *email,
                   const char **field);

/* ---- invites (res-invites.c) ---- */

extern const struct srv_route srv_routes_invites[];

/* What an invite code grants, looked up by srv_invite_find. */
struct srv_invite {
	char id[LC_UUID_LEN + 1];
	enum srv_role role;
	char department_id[LC_UUID_LEN + 1]; /* "" when none */
};
/*
 * Finds the live invite (not expired, uses left) whose code is code. Returns 0 and *out,
 * -LC_ENOTFOUND, -LC_EDB. Outside or inside a transaction.
 */
int srv_invite_find(struct store_db *db, const char *code, struct srv_invite *out);
/*
 * Inside the write transaction: spends one use of invite id (compare-and-swap on its use
 * count and expiry) and gives user_id its department membership. Returns 0, -LC_ENOTFOUND
 * when the invite was spent or revoked meanwhile, -LC_EDB.
 */
int srv_invite_redeem(struct srv_req *req, const struct srv_invite *inv, const char *user_id);

/* Handlers of res-users.c routed from res-useradmin.c's table. */
void srv_users_me_get(struct srv_req *req, struct srv_resp *resp);
void srv_users_me_patch(struct srv_req *req, struct srv_resp *resp);
void srv_users_me_password(struct srv_req *req, struct srv_resp *resp);
void srv_users_profile(struct srv_req *req, struct srv_resp *resp);

/* ---- seeding (seed.c, server-resources) ---- */

/*
 * Fills an empty database with the demo content, every piece through srv_dispatch().
 * Refuses (-LC_ECONFLICT, *cause) when users or courses already exist.
 */
int srv_seed_demo(struct srv_ctx *ctx, char **cause);

/* ---- compression (codec.c) ---- */

/* "zstd", "gzip" or NULL: what to answer in, given an Accept-Encoding value (zstd first). */
const char *srv_codec_pick(const char *accept_encoding);
/* Compresses with enc ("zstd" or "gzip"); *out is malloc'd. Returns 0 or -LC_EINVAL. */
int srv_codec_compress(const char *enc, const void *in, size_t len, void **out, size_t *out_len);
/*
 * The same for an answer worth more CPU per byte saved (a /sync answer with changes): a
 * higher zstd level when it is small. gzip is unchanged (level 9 saves nothing on JSON).
 */
int srv_codec_compress_dense(const char *enc, const void *in, size_t len, void **out,
                             size_t *out_len);
/* The zstd level for len bytes: 3, or higher for a small dense answer. */
int srv_codec_zstd_level(size_t len, bool dense);
/*
 * Decompresses a body sent with Content-Encoding enc. Returns 0 and *out (malloc'd,
 * NUL-terminated), -LC_EINVAL for an unknown encoding, -LC_ENOMEM when the result would
 * exceed max, -LC_EPROTO for corrupt data.
 */
int srv_codec_decompress(const char *enc, const void *in, size_t len, size_t max, void **out,
                         size_t *out_len);

/* ---- HTTP (http.c) ---- */

struct srv_http;

#define SRV_HTTP_MAX_CONNS 1024      /* connections at once, all clients together */
#define SRV_HTTP_MAX_CONNS_PER_IP 64 /* connections (or, behind a proxy, requests) per address */
#define SRV_HTTP_REQUEST_DEADLINE 30 /* seconds for a request's head and body to arrive */
#define SRV_HTTP_SLOW_THREADS 2      /* threads running SRV_ROUTE_SLOW requests (argon2id) */
#define SRV_HTTP_SLOW_QUEUE 32       /* slow requests waiting for one; beyond: 503 */

/* Bounds on slow and greedy clients (security review 2026-11-29, H1); 0/NULL: defaults. */
struct srv_http_limits {
	int max_conns;
	int max_conns_per_ip;
	int request_deadline_s;
	/* An IP literal: requests from it take their client address from X-Forwarded-For. */
	const char *trusted_proxy;
	/* The slow pool (http.c): its threads and how many requests may wait for them. */
	int slow_threads;
	int slow_queue;
};

/*
 * Starts the HTTP daemon on host:port (port 0: ephemeral) with threads workers and limits
 * (NULL: the defaults). Returns 0 and *out with the bound port in *bound_port, or
 * -LC_EIO / -LC_EINVAL with *cause.
 */
int srv_http_start(struct srv_ctx *ctx, const char *host, int port, int threads,
                   const struct srv_http_limits *limits, struct srv_http **out, int *bound_port,
                   char **cause);
/* True when text is an IPv4 or IPv6 literal (what --trusted-proxy accepts). */
bool srv_http_addr_valid(const char *text);
/* Stops accepting, finishes requests in flight, frees. Accepts NULL. */
void srv_http_stop(struct srv_http *http);

#endif
