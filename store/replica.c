/* SPDX-License-Identifier: MIT */
/*
 * The replica's resources: reading them as the user sees them (overlay first, else the
 * best-ranked server row) and applying the server's changes, scopes and cursors.
 * The schema and the reasons for its shape are in replica-schema.c.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/replica-int.h"
#include "store/replica.h"

int
store_replica_step_done(struct store_db *db, sqlite3_stmt *stmt, const char *context)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = store_db_fail(db, sqlite3_extended_errcode(store_db_handle(db)), context);
		sqlite3_reset(stmt);
		return rc;
	}
	sqlite3_reset(stmt);
	return 0;
}

bool
store_replica_doc_valid(struct store_db *db, const char *doc)
{
	sqlite3_stmt *stmt;
	bool ok;

	if (doc == NULL ||
	    store_db_stmt(db, "SELECT json_valid(?1) AND json_type(?1) = 'object'", &stmt) != 0)
		return false;
	store_bind_text(stmt, 1, doc);
	ok = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 1;
	sqlite3_reset(stmt);
	return ok;
}

const char *
store_parent_field(const char *type)
{
	static const char *const map[][2] = {
	    {"module", "course_id"}, {"item", "module_id"},  {"question", "item_id"},
	    {"topic", "course_id"},  {"reply", "topic_id"},  {"enrollment", "course_id"},
	    {"progress", "item_id"}, {"attempt", "item_id"},
	};

	if (type == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], type) == 0)
			return map[i][1];
	return NULL;
}

void
store_resource_finish(struct store_resource *res)
{
	if (res == NULL)
		return;
	free(res->scope);
	free(res->type);
	free(res->id);
	free(res->parent_id);
	free(res->doc);
	memset(res, 0, sizeof(*res));
}

void
store_resource_list_free(struct store_resource_list *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->n; i++)
		store_resource_finish(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->n = 0;
}

/* Columns: scope, type, id, rev, parent_id, position, doc, pending. */
static void
read_resource(sqlite3_stmt *stmt, struct store_resource *out)
{
	out->scope = store_column_dup(stmt, 0);
	out->type = store_column_dup(stmt, 1);
	out->id = store_column_dup(stmt, 2);
	out->rev = sqlite3_column_int64(stmt, 3);
	out->parent_id = store_column_dup(stmt, 4);
	out->position = sqlite3_column_double(stmt, 5);
	out->doc = store_column_dup(stmt, 6);
	out->pending = sqlite3_column_int(stmt, 7) != 0;
}

/* The server's rev of an overlaid resource: the best live row's, else 0. */
#define OVERLAY_REV                                                                                \
	"coalesce((SELECT x.rev FROM resources x WHERE x.type = o.type AND x.id = o.id"            \
	" AND x.deleted = 0 ORDER BY x.scope_rank, x.scope LIMIT 1), 0)"

/*
 * `type = +?1`, not `type = ?1`, on resources: the partial index resources_due (WHERE type
 * = 'item') made SQLite mark every statement comparing type with a parameter to be prepared
 * again whenever that parameter is bound anew (to see whether the value makes the index
 * usable), so each call parsed and planned its statement again: 7% of Home's first frame
 * at 200,000 rows (issue 10). The unary plus keeps the (type, ...) indexes in use and
 * leaves the partial index to the statements that name 'item' themselves.
 */
int
store_resource_get(struct store_db *db, const char *type, const char *id,
                   struct store_resource *out)
{
	static const char sql[] =
	    "SELECT * FROM ("
	    " SELECT o.scope, o.type, o.id, " OVERLAY_REV ", o.parent_id, o.position, o.doc,"
	    "  1, o.deleted, -1 AS pri FROM overlays o WHERE o.type = ?1 AND o.id = ?2"
	    " UNION ALL"
	    " SELECT scope, type, id, rev, parent_id, position, doc, 0, 0, scope_rank"
	    "  FROM resources WHERE type = +?1 AND id = ?2 AND deleted = 0"
	    " ORDER BY pri, 1 LIMIT 1)";
	sqlite3_stmt *stmt;
	int rc;

	assert(type != NULL && id != NULL && out != NULL);
	memset(out, 0, sizeof(*out));
	if ((rc = store_db_stmt(db, sql, &stmt)) != 0)
		return rc;
	store_bind_text(stmt, 1, type);
	store_bind_text(stmt, 2, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_int(stmt, 8) == 0) {
		read_resource(stmt, out);
		rc = 0;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rc = -LC_ENOTFOUND; /* absent, or deleted locally */
	} else {
		rc = store_db_fail(db, rc, "reading a resource");
	}
	sqlite3_reset(stmt);
	return rc;
}

/*
 * Live server rows not hidden by an overlay nor by a better-ranked copy of themselves,
 * plus live overlays. ?1 type, ?2 parent (when R_PARENT/O_PARENT use it), ?3 scope or NULL.
 * `+?1`: see store_resource_get().
 */
#define LIST_SQL(R_PARENT, O_PARENT)                                                               \
	"SELECT r.scope, r.type, r.id, r.rev, r.parent_id, r.position, r.doc, 0 AS pending,"       \
	" r.created_at AS c, r.sort_at AS a, r.title AS t FROM resources r"                        \
	" WHERE r.type = +?1 AND r.deleted = 0" R_PARENT " AND (?3 IS NULL OR r.scope = ?3)"       \
	" AND NOT EXISTS (SELECT 1 FROM overlays o WHERE o.type = r.type AND o.id = r.id)"         \
	" AND NOT EXISTS (SELECT 1 FROM resources b WHERE b.type = r.type AND b.id = r.id"         \
	"  AND b.deleted = 0 AND (?3 IS NULL OR b.scope = ?3)"                                     \
	"  AND (b.scope_rank, b.scope) < (r.scope_rank, r.scope))"                                 \
	" UNION ALL"                                                                               \
	" SELECT o.scope, o.type, o.id, " OVERLAY_REV ", o.parent_id, o.position, o.doc, 1,"       \
	" o.created_at, o.sort_at, o.title FROM overlays o"                                        \
	" WHERE o.type = ?1 AND o.deleted = 0" O_PARENT                                            \
	" AND (?3 IS NULL OR o.scope = ?3 OR EXISTS (SELECT 1 FROM resources s"                    \
	"  WHERE s.scope = ?3 AND s.type = o.type AND s.id = o.id AND s.deleted = 0))"

int
store_resource_list(struct store_db *db, const char *type, const char *parent_id, const char *scope,
                    enum store_order order, struct store_resource_list *out)
{
	/* Separate texts with and without a parent, so the planner can use the indexes. */
#define ANY_PARENT LIST_SQL("", "")
#define ONE_PARENT LIST_SQL(" AND r.parent_id = ?2", " AND o.parent_id = ?2")
	static const char *const sql[2][4] = {
	    {
	        [STORE_ORDER_POSITION] = ANY_PARENT " ORDER BY 6, c, 3",
	        [STORE_ORDER_ACTIVITY_DESC] = ANY_PARENT " ORDER BY a DESC, 3",
	        [STORE_ORDER_CREATED] = ANY_PARENT " ORDER BY c, 3",
	        [STORE_ORDER_TITLE] = ANY_PARENT " ORDER BY t COLLATE NOCASE, 3",
	    },
	    {
	        [STORE_ORDER_POSITION] = ONE_PARENT " ORDER BY 6, c, 3",
	        [STORE_ORDER_ACTIVITY_DESC] = ONE_PARENT " ORDER BY a DESC, 3",
	        [STORE_ORDER_CREATED] = ONE_PARENT " ORDER BY c, 3",
	        [STORE_ORDER_TITLE] = ONE_PARENT " ORDER BY t COLLATE NOCASE, 3",
	    },
	};
#undef ANY_PARENT
#undef ONE_PARENT
	sqlite3_stmt *stmt;
	size_t cap = 0;
	int rc;

	assert(type != NULL && out != NULL);
	out->items = NULL;
	out->n = 0;
	if ((unsigned)order >= sizeof(sql[0]) / sizeof(sql[0][0]))
		return -LC_EINVAL;
	if ((rc = store_db_stmt(db, sql[parent_id != NULL][order], &stmt)) != 0)
		return rc;
	store_bind_text(stmt, 1, type);
	store_bind_text(stmt, 2, parent_id);
	store_bind_text(stmt, 3, scope);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->items = lc_realloc(out->items, cap * sizeof(*out->items));
		}
		read_resource(stmt, &out->items[out->n++]);
	}
	if (rc != SQLITE_DONE) {
		rc = store_db_fail(db, rc, "listing resources");
		sqlite3_reset(stmt);
		store_resource_list_free(out);
		return rc;
	}
	sqlite3_reset(stmt);
	return 0;
}

int
store_replica_put_row(struct store_db *db, const char *scope, const char *type, const char *id,
                      int64_t rev, bool deleted, const char *doc)
{
	/*
	 * A newer rev replaces; a delete also wins at an equal rev (a server may keep the
	 * rev on delete) or with no rev at all (0), and keeps the higher rev, so a replayed
	 * older insert stays out.
	 */
	static const char sql[] =
	    "INSERT INTO resources(scope, type, id, rev, deleted, doc) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "?6)"
	    " ON CONFLICT(scope, type, id) DO UPDATE SET rev = max(rev, excluded.rev),"
	    " deleted = excluded.deleted, doc = excluded.doc"
	    " WHERE excluded.rev > rev OR (excluded.deleted = 1 AND deleted = 0"
	    " AND (excluded.rev = rev OR excluded.rev = 0))";
	sqlite3_stmt *stmt;
	int rc;

	if (scope == NULL || type == NULL || id == NULL || (!deleted && doc == NULL))
		return -LC_EINVAL;
	if (!deleted && !store_replica_doc_valid(db, doc))
		return -LC_EPROTO;
	if ((rc = store_db_stmt(db, sql, &stmt)) != 0)
		return rc;
	store_bind_text(stmt, 1, scope);
	store_bind_text(stmt, 2, type);
	store_bind_text(stmt, 3, id);
	sqlite3_bind_int64(stmt, 4, rev);
	sqlite3_bind_int(stmt, 5, deleted ? 1 : 0);
	store_bind_text(stmt, 6, deleted ? NULL : doc);
	if ((rc = store_replica_step_done(db, stmt, "storing a server row")) != 0)
		return rc;
	/* An older rev changed nothing, so the index has nothing to recompute either. */
	if (store_db_changes(db) == 0)
		return 0;
	return store_search_mark(db, type, id);
}

int
store_apply_change(struct store_db *db, const struct store_change *change)
{
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	rc = store_replica_put_row(db, change->scope, change->type, change->id, change->rev,
	                           change->deleted, change->doc);
	return replica_end(db, rc);
}

static int
scope_drop(struct store_db *db, const char *scope)
{
	sqlite3_stmt *stmt;
	int rc = store_search_mark_scope(db, scope);

	if (rc == 0)
		rc = store_db_stmt(db, "DELETE FROM resources WHERE scope = ?1", &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, scope);
		rc = store_replica_step_done(db, stmt, "dropping a scope");
	}
	if (rc == 0)
		rc = store_db_stmt(db, "DELETE FROM cursors WHERE scope = ?1", &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, scope);
		rc = store_replica_step_done(db, stmt, "dropping a cursor");
	}
	return rc;
}

int
store_scope_drop(struct store_db *db, const char *scope)
{
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	return replica_end(db, scope_drop(db, scope));
}

static int
cursor_set(struct store_db *db, const char *scope, int64_t cursor)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db,
	                       "INSERT INTO cursors(scope, cursor) VALUES (?1, ?2)"
	                       " ON CONFLICT(scope) DO UPDATE SET cursor = excluded.cursor",
	                       &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, scope);
	sqlite3_bind_int64(stmt, 2, cursor);
	return store_replica_step_done(db, stmt, "setting a cursor");
}

int
store_cursor_set(struct store_db *db, const char *scope, int64_t cursor)
{
	int rc;

	if (scope == NULL)
		return -LC_EINVAL;
	if ((rc = replica_begin(db)) != 0)
		return rc;
	return replica_end(db, cursor_set(db, scope, cursor));
}

int
store_cursor_get(struct store_db *db, const char *scope, int64_t *out)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT cursor FROM cursors WHERE scope = ?1", &stmt);

	*out = 0;
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, scope);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, "reading a cursor");
	sqlite3_reset(stmt);
	return rc;
}

int
store_cursor_list(struct store_db *db, struct store_cursor **out, size_t *n)
{
	sqlite3_stmt *stmt;
	struct store_cursor *list = NULL;
	size_t len = 0, cap = 0;
	int rc = store_db_stmt(db, "SELECT scope, cursor FROM cursors ORDER BY scope", &stmt);

	*out = NULL;
	*n = 0;
	if (rc != 0)
		return rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			list = lc_realloc(list, cap * sizeof(*list));
		}
		list[len].scope = store_column_dup(stmt, 0);
		list[len].cursor = sqlite3_column_int64(stmt, 1);
		len++;
	}
	if (rc != SQLITE_DONE) {
		rc = store_db_fail(db, rc, "listing cursors");
		sqlite3_reset(stmt);
		store_cursor_list_free(list, len);
		return rc;
	}
	sqlite3_reset(stmt);
	*out = list;
	*n = len;
	return 0;
}

void
store_cursor_list_free(struct store_cursor *cursors, size_t n)
{
	for (size_t i = 0; cursors != NULL && i < n; i++)
		free((char *)cursors[i].scope); /* allocated by store_cursor_list() */
	free(cursors);
}

static bool
scope_listed(const struct store_batch *batch, const char *scope)
{
	for (size_t i = 0; i < batch->n_scopes; i++)
		if (batch->scopes[i] != NULL && strcmp(batch->scopes[i], scope) == 0)
			return true;
	return false;
}

/* Drops every known scope the server no longer lists. */
static int
drop_unlisted(struct store_db *db, const struct store_batch *batch)
{
	/*
	 * The scopes of resources by one primary-key seek per scope, not a scan of every row:
	 * this runs once per sync round, and a scan made each round cost the replica's size.
	 */
	static const char sql[] =
	    "WITH RECURSIVE s(scope) AS (SELECT min(scope) FROM resources"
	    " UNION ALL SELECT (SELECT min(r.scope) FROM resources r WHERE r.scope > s.scope)"
	    " FROM s WHERE s.scope IS NOT NULL)"
	    " SELECT scope FROM cursors UNION SELECT scope FROM s WHERE scope IS NOT NULL";
	sqlite3_stmt *stmt;
	char **gone = NULL;
	size_t n = 0, cap = 0;
	int rc = store_db_prepare_new(db, sql, &stmt);

	if (rc != 0)
		return rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *scope = (const char *)sqlite3_column_text(stmt, 0);

		if (scope == NULL || scope_listed(batch, scope))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			gone = lc_realloc(gone, cap * sizeof(*gone));
		}
		gone[n++] = lc_strdup(scope);
	}
	rc = rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, "listing scopes");
	sqlite3_finalize(stmt);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = scope_drop(db, gone[i]);
		free(gone[i]);
	}
	free(gone);
	return rc;
}

static int
apply_batch(struct store_db *db, const struct store_batch *batch)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < batch->n_resets; i++) {
		rc = scope_drop(db, batch->resets[i]);
		if (rc == 0)
			rc = cursor_set(db, batch->resets[i], 0);
	}
	for (size_t i = 0; rc == 0 && i < batch->n_changes; i++) {
		const struct store_change *c = &batch->changes[i];

		rc =
		    store_replica_put_row(db, c->scope, c->type, c->id, c->rev, c->deleted, c->doc);
	}
	for (size_t i = 0; rc == 0 && i < batch->n_cursors; i++)
		rc = cursor_set(db, batch->cursors[i].scope, batch->cursors[i].cursor);
	if (rc == 0 && batch->scopes != NULL) {
		/* A scope new to us starts at cursor 0. */
		for (size_t i = 0; rc == 0 && i < batch->n_scopes; i++) {
			sqlite3_stmt *stmt;

			rc = store_db_stmt(db, "INSERT OR IGNORE INTO cursors(scope) VALUES (?1)",
			                   &stmt);
			if (rc == 0) {
				store_bind_text(stmt, 1, batch->scopes[i]);
				rc = store_replica_step_done(db, stmt, "adding a scope");
			}
		}
		if (rc == 0)
			rc = drop_unlisted(db, batch);
	}
	return rc;
}

int
store_apply_batch(struct store_db *db, const struct store_batch *batch)
{
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	return replica_end(db, apply_batch(db, batch));
}

int
store_scope_foreach(struct store_db *db, const char *scope, store_row_fn fn, void *ctx)
{
	sqlite3_stmt *stmt;
	/* Uncached: fn may read the replica, even run this same query. */
	int rc = store_db_prepare_new(db,
	                              "SELECT type, id, rev FROM resources WHERE scope = ?1"
	                              " AND deleted = 0 ORDER BY type, id",
	                              &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, scope);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int stop = fn((const char *)sqlite3_column_text(stmt, 0),
		              (const char *)sqlite3_column_text(stmt, 1),
		              sqlite3_column_int64(stmt, 2), ctx);

		if (stop != 0) {
			sqlite3_finalize(stmt);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, "walking a scope");
	sqlite3_finalize(stmt);
	return rc;
}

/* Whether (scope, type, id) can take a patch to rev: 1 yes, 0 holds rev or newer, -LC_E*. */
static int
patch_fits(struct store_db *db, const char *scope, const char *type, const char *id, int64_t rev,
           int64_t base)
{
	sqlite3_stmt *stmt;
	int64_t have;
	bool deleted;
	int rc = store_db_stmt(db,
	                       "SELECT rev, deleted FROM resources WHERE scope = ?1 AND type = ?2"
	                       " AND id = ?3",
	                       &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, scope);
	store_bind_text(stmt, 2, type);
	store_bind_text(stmt, 3, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return rc == SQLITE_DONE ? -LC_ENOTFOUND : store_db_fail(db, rc, "reading a row");
	}
	have = sqlite3_column_int64(stmt, 0);
	deleted = sqlite3_column_int(stmt, 1) != 0;
	sqlite3_reset(stmt);
	/* Newer or the same already here (a tombstone too): nothing to do, as for a doc. */
	if (have >= rev)
		return 0;
	/* Content older than the patch's base, or none: the patch alone would be wrong. */
	if (deleted || have < base)
		return -LC_ENOTFOUND;
	return 1;
}

int
store_replica_patch_row(struct store_db *db, const char *scope, const char *type, const char *id,
                        int64_t rev, int64_t base, const char *patch)
{
	/* json_set() after json_patch(): the doc's own "rev" follows the row's. */
	static const char sql[] =
	    "UPDATE resources SET rev = ?4, doc = json_set(json_patch(doc, ?5), '$.rev', ?4)"
	    " WHERE scope = ?1 AND type = ?2 AND id = ?3 AND deleted = 0 AND rev >= ?6 AND rev < "
	    "?4";
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (scope == NULL || type == NULL || id == NULL || patch == NULL)
		return -LC_EINVAL;
	if (!store_replica_doc_valid(db, patch))
		return -LC_EPROTO;
	if ((rc = replica_begin(db)) != 0)
		return rc;
	rc = patch_fits(db, scope, type, id, rev, base);
	if (rc == 1)
		rc = store_db_stmt(db, sql, &stmt);
	if (rc == 0 && stmt != NULL) {
		store_bind_text(stmt, 1, scope);
		store_bind_text(stmt, 2, type);
		store_bind_text(stmt, 3, id);
		sqlite3_bind_int64(stmt, 4, rev);
		store_bind_text(stmt, 5, patch);
		sqlite3_bind_int64(stmt, 6, base);
		rc = store_replica_step_done(db, stmt, "merging a patch");
		/* patch_fits() just read the row in this same transaction. */
		assert(rc != 0 || sqlite3_changes(store_db_handle(db)) == 1);
		/* resources has no search trigger: replica_end() refreshes what is marked. */
		if (rc == 0)
			rc = store_search_mark(db, type, id);
	}
	return replica_end(db, rc);
}

int
store_scope_reset(struct store_db *db, const char *scope)
{
	sqlite3_stmt *stmt;
	int rc;

	if (scope == NULL)
		return -LC_EINVAL;
	if ((rc = replica_begin(db)) != 0)
		return rc;
	rc = store_db_stmt(db, "SELECT 1 FROM cursors WHERE scope = ?1", &stmt);
	if (rc == 0) {
		store_bind_text(stmt, 1, scope);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
		if (rc == SQLITE_ROW)
			rc = scope_drop(db, scope);
		else
			rc = rc == SQLITE_DONE ? 1 : store_db_fail(db, rc, "reading a cursor");
	}
	if (rc == 0)
		rc = cursor_set(db, scope, 0);
	return replica_end(db, rc == 1 ? 0 : rc);
}
