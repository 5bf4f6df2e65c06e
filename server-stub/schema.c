/* SPDX-License-Identifier: MIT */
/*
 * The schema of lecternd's database, as store_db migrations. Version 1 holds every
 * resource of API.md plus the server's own bookkeeping (sessions, idempotency, the change
 * feed). Timestamps are RFC 3339 text, so the wire format is stored as is; JSON-valued
 * fields (keywords, choices, answers, results) are JSON text. Foreign keys cascade as
 * API.md's deletes do; handlers emit the tombstones of cascaded rows before deleting.
 */
#include "server-stub/srv.h"

/* "LCTD" */
#define SRV_APPLICATION_ID 0x4c435444

/* One statement list per version; C99's 4095-character minimum does not bind gcc/clang. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
static const char schema_v1[] =
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY) STRICT;\n"
    "CREATE TABLE departments (\n"
    "  id TEXT PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL UNIQUE,\n"
    "  parent_id TEXT REFERENCES departments(id) ON DELETE SET NULL,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE TABLE users (\n"
    "  id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
    "  email TEXT NOT NULL UNIQUE COLLATE NOCASE, password_hash TEXT NOT NULL,\n"
    "  first_name TEXT NOT NULL DEFAULT '', last_name TEXT NOT NULL DEFAULT '',\n"
    "  bio TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT 'learner',\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"
    ") STRICT;\n"
    /* roles: bits of enum srv_dept_role */
    "CREATE TABLE memberships (\n"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
    "  department_id TEXT NOT NULL REFERENCES departments(id) ON DELETE CASCADE,\n"
    "  roles INTEGER NOT NULL, PRIMARY KEY (user_id, department_id)\n"
    ") STRICT;\n"
    "CREATE INDEX memberships_dept ON memberships(department_id);\n"
    "CREATE TABLE sessions (\n"
    "  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
    "  refresh_hash TEXT NOT NULL UNIQUE, expires_at INTEGER NOT NULL,\n"
    "  revoked INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX sessions_user ON sessions(user_id);\n"
    "CREATE TABLE idempotency (\n"
    "  user_id TEXT NOT NULL, key TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,\n"
    "  status INTEGER NOT NULL, body TEXT, created_at INTEGER NOT NULL,\n"
    "  PRIMARY KEY (user_id, key)\n"
    ") STRICT;\n"
    "CREATE INDEX idempotency_age ON idempotency(created_at);\n"
    "CREATE TABLE feed (\n"
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, type TEXT NOT NULL,\n"
    "  id TEXT NOT NULL, rev INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,\n"
    "  at INTEGER NOT NULL, UNIQUE (scope, type, id)\n"
    ") STRICT;\n"
    "CREATE INDEX feed_scope_seq ON feed(scope, seq);\n"
    "CREATE INDEX feed_type_id ON feed(type, id);\n"
    "CREATE INDEX feed_tombstones ON feed(deleted, at);\n"
    /* What each replica last synced as, so gaining or losing staff rights resets a scope. */
    "CREATE TABLE sync_clients (\n"
    "  client_id TEXT NOT NULL, user_id TEXT NOT NULL, scope TEXT NOT NULL,\n"
    "  staff INTEGER NOT NULL, PRIMARY KEY (client_id, user_id, scope)\n"
    ") STRICT;\n"
    "CREATE TABLE courses (\n"
    "  id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',\n"
    "  code TEXT, keywords TEXT NOT NULL DEFAULT '[]',\n"
    "  department_id TEXT REFERENCES departments(id) ON DELETE SET NULL,\n"
    "  certification INTEGER NOT NULL DEFAULT 0, pass_score REAL NOT NULL DEFAULT 0.6,\n"
    "  status TEXT NOT NULL DEFAULT 'draft',\n"
    "  owner_id TEXT REFERENCES users(id) ON DELETE SET NULL,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX courses_status ON courses(status);\n"
    "CREATE INDEX courses_owner ON courses(owner_id);\n"
    "CREATE INDEX courses_dept ON courses(department_id);\n"
    "CREATE VIRTUAL TABLE courses_fts USING fts5(title, description, keywords, code,\n"
    "  content='courses', content_rowid='rowid');\n"
    "CREATE TRIGGER courses_fts_ai AFTER INSERT ON courses BEGIN\n"
    "  INSERT INTO courses_fts(rowid, title, description, keywords, code)\n"
    "  VALUES (new.rowid, new.title, new.description, new.keywords, new.code);\n"
    "END;\n"
    "CREATE TRIGGER courses_fts_ad AFTER DELETE ON courses BEGIN\n"
    "  INSERT INTO courses_fts(courses_fts, rowid, title, description, keywords, code)\n"
    "  VALUES ('delete', old.rowid, old.title, old.description, old.keywords, old.code);\n"
    "END;\n"
    "CREATE TRIGGER courses_fts_au AFTER UPDATE ON courses BEGIN\n"
    "  INSERT INTO courses_fts(courses_fts, rowid, title, description, keywords, code)\n"
    "  VALUES ('delete', old.rowid, old.title, old.description, old.keywords, old.code);\n"
    "  INSERT INTO courses_fts(rowid, title, description, keywords, code)\n"
    "  VALUES (new.rowid, new.title, new.description, new.keywords, new.code);\n"
    "END;\n"
    "CREATE TABLE reviews (\n"
    "  course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,\n"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
    "  rating INTEGER NOT NULL, PRIMARY KEY (course_id, user_id)\n"
    ") STRICT;\n"
    "CREATE TABLE modules (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,\n"
    "  title TEXT NOT NULL, position INTEGER NOT NULL,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX modules_course ON modules(course_id, position);\n"
    "CREATE TABLE items (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  module_id TEXT NOT NULL REFERENCES modules(id) ON DELETE CASCADE,\n"
    "  course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,\n"
    "  title TEXT NOT NULL, kind TEXT NOT NULL, body TEXT, url TEXT, due_at TEXT,\n"
    "  points REAL, required INTEGER NOT NULL DEFAULT 1, max_attempts INTEGER,\n"
    "  position INTEGER NOT NULL,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX items_module ON items(module_id, position);\n"
    "CREATE INDEX items_course ON items(course_id);\n"
    "CREATE TABLE questions (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,\n"
    "  course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,\n"
    "  prompt TEXT NOT NULL, kind TEXT NOT NULL, choices TEXT, answer TEXT NOT NULL,\n"
    "  points REAL NOT NULL DEFAULT 1, tolerance REAL, position INTEGER NOT NULL,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX questions_item ON questions(item_id, position);\n"
    "CREATE INDEX questions_course ON questions(course_id);\n"
    "CREATE TABLE enrollments (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,\n"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,\n"
    "  UNIQUE (user_id, course_id)\n"
    ") STRICT;\n"
    "CREATE INDEX enrollments_course ON enrollments(course_id);\n"
    "CREATE TABLE progress (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,\n"
    "  course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,\n"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
    "  status TEXT NOT NULL, time_spent INTEGER NOT NULL DEFAULT 0, score REAL,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,\n"
    "  UNIQUE (user_id, item_id)\n"
    ") STRICT;\n"
    "CREATE INDEX progress_course ON progress(course_id, user_id);\n"
    "CREATE INDEX progress_item ON progress(item_id);\n"
    "CREATE TABLE attempts (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,\n"
    "  course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,\n"
    "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
    "  answers TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,\n"
    "  passed INTEGER NOT NULL, results TEXT NOT NULL, started_at TEXT, submitted_at TEXT,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX attempts_item_user ON attempts(item_id, user_id);\n"
    "CREATE INDEX attempts_course ON attempts(course_id);\n"
    "CREATE INDEX attempts_user ON attempts(user_id);\n"
    "CREATE TABLE topics (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,\n"
    "  title TEXT NOT NULL, body TEXT NOT NULL,\n"
    "  author_id TEXT REFERENCES users(id) ON DELETE SET NULL,\n"
    "  last_activity_at TEXT NOT NULL,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX topics_course ON topics(course_id, last_activity_at);\n"
    "CREATE TABLE replies (\n"
    "  id TEXT PRIMARY KEY,\n"
    "  topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,\n"
    "  course_id TEXT NOT NULL REFERENCES courses(id) ON DELETE CASCADE,\n"
    "  body TEXT NOT NULL, author_id TEXT REFERENCES users(id) ON DELETE SET NULL,\n"
    "  rev INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX replies_topic ON replies(topic_id, created_at);\n"
    "CREATE INDEX replies_course ON replies(course_id);\n";

/*
 * Version 2 (issue 9, auth): login failures kept per (username, client address) in the
 * database, so a restart does not forgive them and the table is bounded and indexed
 * (auth.c); spent refresh tokens, so reusing one revokes its login session (RFC 6819
 * 5.2.2.3); invite codes of the registration policy (res-invites.c), stored as SHA-256.
 */
static const char schema_v2[] =
    "CREATE TABLE login_failures (\n"
    "  id INTEGER PRIMARY KEY, username TEXT NOT NULL, addr TEXT NOT NULL,\n"
    "  at INTEGER NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX login_failures_key ON login_failures(username, addr, at);\n"
    "CREATE INDEX login_failures_at ON login_failures(at);\n"
    "CREATE TABLE refresh_spent (\n"
    "  hash TEXT PRIMARY KEY,\n"
    "  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,\n"
    "  expires_at INTEGER NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX refresh_spent_session ON refresh_spent(session_id);\n"
    "CREATE INDEX refresh_spent_age ON refresh_spent(expires_at);\n"
    "CREATE TABLE invites (\n"
    "  id TEXT PRIMARY KEY, code_hash TEXT NOT NULL UNIQUE, role TEXT NOT NULL,\n"
    "  department_id TEXT REFERENCES departments(id) ON DELETE CASCADE,\n"
    "  uses INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0, expires_at INTEGER NOT NULL,\n"
    "  created_by TEXT REFERENCES users(id) ON DELETE SET NULL,\n"
    "  created_at TEXT NOT NULL\n"
    ") STRICT;\n"
    "CREATE INDEX invites_dept ON invites(department_id);\n"
    "CREATE INDEX invites_creator ON invites(created_by);\n";

/*
 * Version 3 (issue 10): the catalog's page order (created_at, rowid) comes from an index
 * instead of a sort of every visible course (GET /courses), and the department tree walks
 * (SRV_SQL_DEPTS_WITH_ROLES, in /sync's scope list and the visibility rule) find children
 * by index instead of building an automatic one on every run.
 */
static const char schema_v3[] = "CREATE INDEX courses_created ON courses(created_at);\n"
                                "CREATE INDEX departments_parent ON departments(parent_id);\n";

/*
 * Version 4 (issue 10): the number of courses per status, kept by triggers in the
 * transaction of every course write, so the `total` of a catalog page that shows exactly
 * the published courses (anonymous callers, learners, and everyone without drafts of
 * their own or department rights, unfiltered) is one look-up instead of a count that
 * visits every visible course (res-courses.c, courses_total_by_status()).
 */
static const char schema_v4[] =
    "CREATE TABLE course_counts (\n"
    "  status TEXT PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0)\n"
    ") STRICT, WITHOUT ROWID;\n"
    "INSERT INTO course_counts (status, n) SELECT status, count(*) FROM courses\n"
    "  GROUP BY status;\n"
    "CREATE TRIGGER course_counts_ai AFTER INSERT ON courses BEGIN\n"
    "  INSERT INTO course_counts (status, n) VALUES (new.status, 1)\n"
    "    ON CONFLICT (status) DO UPDATE SET n = n + 1;\n"
    "END;\n"
    "CREATE TRIGGER course_counts_ad AFTER DELETE ON courses BEGIN\n"
    "  UPDATE course_counts SET n = n - 1 WHERE status = old.status;\n"
    "END;\n"
    "CREATE TRIGGER course_counts_au AFTER UPDATE OF status ON courses\n"
    "  WHEN new.status IS NOT old.status BEGIN\n"
    "  UPDATE course_counts SET n = n - 1 WHERE status = old.status;\n"
    "  INSERT INTO course_counts (status, n) VALUES (new.status, 1)\n"
    "    ON CONFLICT (status) DO UPDATE SET n = n + 1;\n"
    "END;\n";

/*
 * Version 5 (issue 10, cause 7; the refresh grace, res-auth.c refresh_lookup()): the hash
 * of the refresh token a session rotated out last, and until when presenting it again
 * rotates the session once more instead of revoking it (an answer lost on the way).
 */
static const char schema_v5[] =
    "ALTER TABLE sessions ADD COLUMN prev_hash TEXT;\n"
    "ALTER TABLE sessions ADD COLUMN grace_until INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE INDEX sessions_prev_hash ON sessions(prev_hash);\n";

/*
 * Version 6 (issue 10, cause 6): a feed row written by a change that touched only the
 * counters other rows derive (a topic's reply_count and last_activity_at, when a reply comes
 * or goes) keeps the seq and rev of the last change that touched anything else. A client
 * whose cursor has passed content_seq holds the row's content (at rev content_rev or newer)
 * and may be sent a patch instead of the whole doc (server-stub/sync.c). NULL: the row's
 * own seq and rev, i.e. a full doc for everyone behind it.
 */
static const char schema_v6[] = "ALTER TABLE feed ADD COLUMN content_seq INTEGER;\n"
                                "ALTER TABLE feed ADD COLUMN content_rev INTEGER;\n";

/*
 * Version 7 (issue 11, the quiz editor): a question's optional explanation (Markdown, a
 * Lectern extension of API.md's question), shown to course staff exactly like its answer
 * (res-course.c, rc_question_doc()). NULL: none; every existing question starts so.
 */
static const char schema_v7[] = "ALTER TABLE questions ADD COLUMN explanation TEXT;\n";

#pragma GCC diagnostic pop

static const char *const migrations[] = {schema_v1, schema_v2, schema_v3, schema_v4,
                                         schema_v5, schema_v6, schema_v7};

const struct store_schema srv_schema = {
    .name = "lecternd database",
    .application_id = SRV_APPLICATION_ID,
    .migrations = migrations,
    .migration_count = (int)(sizeof(migrations) / sizeof(migrations[0])),
};
