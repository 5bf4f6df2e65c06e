/* SPDX-License-Identifier: MIT */
/*
 * The kiosk's shared content store (store/content.h). Copies go set-based through ATTACH:
 * seeding attaches the shared store to the profile's connection and writes the profile in
 * one replica transaction (the same work an apply of those rows from the network does);
 * feeding attaches the profile to the shared store's connection and writes only the shared
 * store, so no profile's write lock is held while a shared copy is rewritten. Statements
 * naming an attached schema are prepared uncached (store_db_prepare_new()): the cache
 * outlives the DETACH.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/content.h"
#include "store/replica-int.h"
#include "store/replica.h"

#define COURSE_PREFIX "course:"

bool
store_content_scope(const char *scope)
{
	return scope != NULL && (strcmp(scope, "catalog") == 0 ||
	                         (strncmp(scope, COURSE_PREFIX, strlen(COURSE_PREFIX)) == 0 &&
	                          scope[strlen(COURSE_PREFIX)] != '\0'));
}

/*
 * A department membership that is not an object with an empty "roles" array counts as a
 * role (fail closed). X is the JSON text, P the path of the array of memberships.
 */
#define HAS_DEPT_ROLE(X, P)                                                                        \
	"EXISTS (SELECT 1 FROM json_each(" X ", " P ") d WHERE json_type(" X ", d.fullkey || "     \
	"'.roles') IS NOT 'array' OR json_array_length(" X ", d.fullkey || '.roles') > 0)"

/*
 * Plain learner: the settings saved at sign-in say role "learner" with no department role,
 * and the user's own doc, once a sync brought it (it is fresher than the last sign-in),
 * says the same. S is the schema prefix ("" or "profile."). CASE keeps json_each() away
 * from text that is not a JSON array.
 */
#define PLAIN_SQL(S)                                                                               \
	"WITH s AS (SELECT (SELECT value FROM " S "settings WHERE key = 'user_role') AS role,"     \
	" (SELECT value FROM " S "settings WHERE key = 'user_departments') AS depts,"              \
	" (SELECT value FROM " S "settings WHERE key = 'user_id') AS uid)"                         \
	" SELECT CASE WHEN s.role IS 'learner' AND json_valid(s.depts)"                            \
	" AND json_type(s.depts) = 'array' THEN NOT " HAS_DEPT_ROLE(                               \
	    "s.depts",                                                                             \
	    "'$'") " AND NOT EXISTS (SELECT 1 FROM " S "resources u WHERE u.scope = 'user'"        \
	           " AND u.type = 'user' AND u.id = s.uid AND u.deleted = 0"                       \
	           " AND (json_extract(u.doc, '$.role') IS NOT 'learner'"                          \
	           " OR json_type(u.doc, '$.departments') IS NOT 'array'"                          \
	           " OR " HAS_DEPT_ROLE("u.doc", "'$.departments'") "))"                           \
	                                                            " ELSE 0 END FROM s"

/* The truth of an uncached one-row query (false when it has no row). */
static int
query_bool(struct store_db *db, const char *sql, const char *context, bool *out)
{
	sqlite3_stmt *stmt;
	int rc = store_db_prepare_new(db, sql, &stmt);

	*out = false;
	if (rc != 0)
		return rc;
	rc = store_db_next_row(db, stmt, context);
	if (rc == 1)
		*out = sqlite3_column_int(stmt, 0) == 1;
	sqlite3_finalize(stmt);
	return rc < 0 ? rc : 0;
}

int
store_content_plain_learner(struct store_db *replica, bool *out)
{
	assert(replica != NULL && out != NULL);
	return query_bool(replica, PLAIN_SQL(""), "reading the user's role", out);
}

/* Runs one uncached statement taking text (a scope, a path) as ?1. */
static int
run_text(struct store_db *db, const char *sql, const char *text, const char *context)
{
	sqlite3_stmt *stmt;
	int rc = store_db_prepare_new(db, sql, &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, text);
	rc = sqlite3_step(stmt);
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_db_fail(db, rc, context);
	sqlite3_finalize(stmt);
	return rc;
}

static int
attach(struct store_db *db, const char *path, const char *sql, char **cause)
{
	int rc = run_text(db, sql, path, "attaching a database");

	if (rc != 0)
		lc_cause_set(cause, rc, "%s: %s", path, store_db_error(db)->message);
	return rc;
}

static void
detach(struct store_db *db, const char *sql)
{
	/* Outside any transaction, so it cannot fail for a lock; a failure leaves it attached
	 * until the connection closes, which is harmless. */
	store_db_exec(db, sql);
}

/*
 * Opens the shared store through store/ (created 0600 in a 0700 folder when missing; a
 * symlink, a loose mode or a foreign file is refused) with secure_delete on, so that every
 * row it ever drops, and every older version of a doc, is overwritten on disk.
 */
static int
open_content(const char *path, struct store_db **out, char **cause)
{
	int rc = store_replica_open(path, out, cause);

	if (rc == 0 && (rc = store_db_exec(*out, "PRAGMA secure_delete=ON")) != 0) {
		lc_cause_set(cause, rc, "%s: %s", path, store_db_error(*out)->message);
		store_db_close(*out);
		*out = NULL;
	}
	return rc;
}

/* 1 when path exists, 0 when it does not, or -LC_EIO (message in cause). */
static int
exists(const char *path, char **cause)
{
	if (access(path, F_OK) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	return lc_cause_set(cause, -LC_EIO, "%s: %s", path, strerror(errno));
}

/*
 * Whether the shared store (main, or "content" attached to a replica) came from the server
 * the profile syncs with: its setting "server_url", the one thing it keeps besides content.
 */
#define SAME_SERVER_SQL(STORE, PROFILE)                                                            \
	"SELECT (SELECT value FROM " STORE "settings WHERE key = 'server_url') IS"                 \
	" (SELECT value FROM " PROFILE "settings WHERE key = 'server_url')"

static int
same_server(struct store_db *db, bool *out)
{
	return query_bool(db, SAME_SERVER_SQL("main.", "profile."), "reading the server", out);
}

/*
 * Replacing main's copy of a scope (?1) by the attached database FROM's: its rows,
 * tombstones too, and its cursor. Seeding copies from "content", feeding from "profile".
 */
#define COPY_SQL(FROM)                                                                             \
	{                                                                                          \
		"DELETE FROM main.resources WHERE scope = ?1",                                     \
		    "INSERT INTO main.resources(scope, type, id, rev, deleted, doc)"               \
		    " SELECT scope, type, id, rev, deleted, doc FROM " FROM ".resources"           \
		    " WHERE scope = ?1",                                                           \
		    "INSERT INTO main.cursors(scope, cursor) SELECT scope, cursor FROM " FROM      \
		    ".cursors WHERE scope = ?1"                                                    \
		    " ON CONFLICT(scope) DO UPDATE SET cursor = excluded.cursor"                   \
	}

static const char *const copy_from_content[] = COPY_SQL("content");
static const char *const copy_from_profile[] = COPY_SQL("profile");

static int
copy_scope(struct store_db *db, const char *const sql[3], const char *scope)
{
	int rc = 0;

	for (int i = 0; rc == 0 && i < 3; i++)
		rc = run_text(db, sql[i], scope, "copying a scope");
	return rc;
}

/* Two cursors of scope: the attached shared store's (?1) and the replica's. */
static int
seed_cursors(struct store_db *db, const char *scope, int64_t *shared, int64_t *mine)
{
	sqlite3_stmt *stmt;
	int rc = store_db_prepare_new(db,
	                              "SELECT coalesce((SELECT cursor FROM content.cursors"
	                              " WHERE scope = ?1), 0), coalesce((SELECT cursor FROM"
	                              " main.cursors WHERE scope = ?1), 0)",
	                              &stmt);

	*shared = *mine = 0;
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, scope);
	rc = store_db_next_row(db, stmt, "reading the shared cursor");
	if (rc == 1) {
		*shared = sqlite3_column_int64(stmt, 0);
		*mine = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	return rc < 0 ? rc : 0;
}

static int
seed_scope(struct store_db *db, const char *scope, size_t *done)
{
	int64_t shared, mine;
	int rc;

	if (!store_content_scope(scope))
		return 0;
	rc = seed_cursors(db, scope, &shared, &mine);
	if (rc != 0 || shared <= mine)
		return rc;
	/* The search rows of what goes and of what comes are recomputed by replica_end(). */
	rc = store_search_mark_scope(db, scope);
	if (rc == 0)
		rc = copy_scope(db, copy_from_content, scope);
	if (rc == 0)
		rc = store_search_mark_scope(db, scope);
	if (rc == 0)
		(*done)++;
	return rc;
}

int
store_content_seed(struct store_db *replica, const char *content_path, const char *const *scopes,
                   size_t n, size_t *seeded, char **cause)
{
	struct store_db *check = NULL;
	size_t done = 0;
	bool plain = false, any = false;
	int rc;

	if (seeded != NULL)
		*seeded = 0;
	if (replica == NULL || content_path == NULL || (n > 0 && scopes == NULL))
		return lc_cause_set(cause, -LC_EINVAL, "no replica or shared store");
	assert(!store_db_in_transaction(replica));
	for (size_t i = 0; i < n && !any; i++)
		any = store_content_scope(scopes[i]);
	if (!any || (rc = exists(content_path, cause)) == 0)
		return 0;
	if (rc < 0)
		return rc;
	if ((rc = store_content_plain_learner(replica, &plain)) != 0)
		return lc_cause_set(cause, rc, "%s", store_db_error(replica)->message);
	if (!plain)
		return 0;
	/* Opened once through store/ for its checks (private, ours, the replica's schema). */
	if ((rc = open_content(content_path, &check, cause)) != 0)
		return rc;
	store_db_close(check);
	if ((rc = attach(replica, content_path, "ATTACH DATABASE ?1 AS content", cause)) != 0)
		return rc;
	rc = replica_begin(replica);
	if (rc == 0) {
		bool same = false;

		/* Another server's copies (the kiosk was pointed elsewhere) are not seeded. */
		rc = query_bool(replica, SAME_SERVER_SQL("content.", "main."), "reading the server",
		                &same);
		for (size_t i = 0; rc == 0 && same && i < n; i++)
			rc = seed_scope(replica, scopes[i], &done);
		rc = replica_end(replica, rc);
		/* The savepoint opened the transaction: replica_end() released it. */
		if (rc != 0)
			lc_cause_set(cause, rc, "seeding from %s: %s", content_path,
			             store_db_error(replica)->message);
	}
	detach(replica, "DETACH DATABASE content");
	if (rc == 0 && seeded != NULL)
		*seeded = done;
	return rc;
}

/* Steps an uncached statement to its end, keeping column 0 of each row; finalizes it. */
static int
collect(struct store_db *db, sqlite3_stmt *stmt, const char *context, char ***out, size_t *n)
{
	size_t cap = 0;
	int rc;

	while ((rc = store_db_next_row(db, stmt, context)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = lc_realloc(*out, cap * sizeof(**out));
		}
		(*out)[(*n)++] = store_column_dup(stmt, 0);
	}
	sqlite3_finalize(stmt);
	return rc < 0 ? rc : 0;
}

/* The profile's content scopes newer than the shared copies, read before writing. */
static int
feed_list(struct store_db *db, char ***out, size_t *n)
{
	sqlite3_stmt *stmt;
	int rc = store_db_prepare_new(
	    db,
	    "SELECT p.scope FROM profile.cursors p WHERE (p.scope = 'catalog'"
	    " OR (substr(p.scope, 1, 7) = '" COURSE_PREFIX "' AND length(p.scope) > 7))"
	    " AND p.cursor > coalesce((SELECT m.cursor FROM main.cursors m"
	    " WHERE m.scope = p.scope), 0) ORDER BY p.scope",
	    &stmt);

	*out = NULL;
	*n = 0;
	return rc != 0 ? rc : collect(db, stmt, "listing scopes to feed", out, n);
}

static void
free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* Whether the profile's cursors stand in the middle of a paged pull (setting sync_paged). */
static int
profile_paged(struct store_db *db, bool *out)
{
	return query_bool(db, "SELECT value = '1' FROM profile.settings WHERE key = 'sync_paged'",
	                  "reading sync_paged", out);
}

static int
feed(struct store_db *db, size_t *fed)
{
	char **list = NULL;
	size_t n = 0;
	bool plain = false, paged = true, same = false;
	int rc = query_bool(db, PLAIN_SQL("profile."), "reading the user's role", &plain);

	if (rc == 0)
		rc = profile_paged(db, &paged);
	if (rc != 0 || !plain || paged)
		return rc;
	/* One snapshot of the profile, one write transaction on the shared store. */
	if ((rc = store_db_begin(db)) != 0)
		return rc;
	rc = same_server(db, &same);
	/* Cursors of another server's feed mean nothing here: start the store over. */
	if (rc == 0 && !same)
		rc = store_db_exec(db, "DELETE FROM main.resources; DELETE FROM main.cursors;"
		                       " DELETE FROM main.settings WHERE key = 'server_url';"
		                       " INSERT INTO main.settings(key, value) SELECT key, value"
		                       " FROM profile.settings WHERE key = 'server_url';");
	if (rc == 0)
		rc = feed_list(db, &list, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = copy_scope(db, copy_from_profile, list[i]);
	free_list(list, n);
	if (rc == 0)
		rc = store_db_commit(db);
	else
		store_db_rollback(db);
	if (rc == 0)
		*fed = n;
	return rc;
}

int
store_content_feed(const char *content_path, const char *replica_path, size_t *fed, char **cause)
{
	struct store_db *db = NULL;
	size_t done = 0;
	int rc;

	if (fed != NULL)
		*fed = 0;
	if (content_path == NULL || replica_path == NULL)
		return lc_cause_set(cause, -LC_EINVAL, "no replica or shared store");
	/* ATTACH would make an empty file of a missing one. */
	if ((rc = exists(replica_path, cause)) <= 0)
		return rc < 0 ? rc
		              : lc_cause_set(cause, -LC_ENOTFOUND, "%s: no such replica",
		                             replica_path);
	if ((rc = open_content(content_path, &db, cause)) != 0)
		return rc;
	rc = attach(db, replica_path, "ATTACH DATABASE ?1 AS profile", cause);
	if (rc == 0) {
		rc = feed(db, &done);
		if (rc != 0)
			lc_cause_set(cause, rc, "feeding %s: %s", content_path,
			             store_db_error(db)->message);
		detach(db, "DETACH DATABASE profile");
	}
	store_db_close(db);
	if (rc == 0 && fed != NULL)
		*fed = done;
	return rc;
}

static int
forget(struct store_db *db, const char *user_id, size_t *dropped)
{
	char **list = NULL;
	size_t n = 0;
	sqlite3_stmt *stmt;
	int rc = store_db_begin(db);

	/* Every doc is read once: a wipe is rare, and the store holds only content. */
	if (rc == 0)
		rc = store_db_prepare_new(db,
		                          "SELECT DISTINCT scope FROM resources WHERE deleted = 0"
		                          " AND json_extract(doc, '$.author_id') = ?1",
		                          &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, user_id);
		rc = collect(db, stmt, "finding a user's posts", &list, &n);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = run_text(db, "DELETE FROM resources WHERE scope = ?1", list[i],
		              "forgetting a scope");
		if (rc == 0)
			rc = run_text(db, "DELETE FROM cursors WHERE scope = ?1", list[i],
			              "forgetting a cursor");
	}
	free_list(list, n);
	if (rc == 0)
		rc = store_db_commit(db);
	else if (store_db_in_transaction(db))
		store_db_rollback(db);
	if (rc == 0)
		*dropped = n;
	return rc;
}

int
store_content_forget_user(const char *content_path, const char *user_id, size_t *dropped,
                          char **cause)
{
	struct store_db *db = NULL;
	size_t done = 0;
	int rc;

	if (dropped != NULL)
		*dropped = 0;
	if (content_path == NULL || user_id == NULL || *user_id == '\0')
		return lc_cause_set(cause, -LC_EINVAL, "no shared store or user");
	if ((rc = exists(content_path, cause)) <= 0)
		return rc;
	if ((rc = open_content(content_path, &db, cause)) != 0)
		return rc;
	rc = forget(db, user_id, &done);
	/*
	 * The dropped rows were zeroed in the pages (secure_delete), which sit in the WAL until
	 * a checkpoint; the WAL also keeps older frames holding the posts. TRUNCATE copies the
	 * pages home and cuts the WAL to nothing (waiting, within the busy timeout, for other
	 * profiles' readers to finish).
	 */
	if (rc == 0) {
		int log = 0, done_frames = 0;
		int src = sqlite3_wal_checkpoint_v2(store_db_handle(db), "main",
		                                    SQLITE_CHECKPOINT_TRUNCATE, &log, &done_frames);

		if (src != SQLITE_OK)
			rc = store_db_fail(db, src, "checkpointing the shared store");
	}
	if (rc != 0 && (cause == NULL || *cause == NULL))
		lc_cause_set(cause, rc, "forgetting a user in %s: %s", content_path,
		             store_db_error(db)->message);
	store_db_close(db);
	if (rc == 0 && dropped != NULL)
		*dropped = done;
	return rc;
}
