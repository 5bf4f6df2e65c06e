/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the replica's modules (replica.c, outbox.c, issues.c, search.c,
 * settings.c). Never included from outside store/.
 *
 * Every public replica function brackets its work with replica_begin()/replica_end(): a
 * savepoint that is atomic alone (it opens an IMMEDIATE transaction when none is open) and
 * nests inside the sync engine's outer transaction.
 */
#ifndef STORE_REPLICA_INT_H
#define STORE_REPLICA_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

#define REPLICA_SAVEPOINT "store_op"

/* The searchable text of a doc aliased `s`: title and body columns per type. */
#define SEARCH_TITLE(d)                                                                            \
	"CASE WHEN s.type = 'reply' THEN NULL ELSE json_extract(" d ", '$.title') END"
#define SEARCH_BODY(d)                                                                             \
	"CASE WHEN s.type = 'course' THEN json_extract(" d ", '$.description')"                    \
	" ELSE json_extract(" d ", '$.body') END"

#define SEARCH_TYPES "('course', 'item', 'topic', 'reply')"

/*
 * Notes that the server rows of type/id changed, so the search index must recompute it
 * (no-op for a type that is not searched). Every writer of `resources` calls it (or
 * store_search_mark_scope()) in the same savepoint; the table has no search trigger.
 */
int store_search_mark(struct store_db *db, const char *type, const char *id);
/* Notes every searchable (type, id) with a live server row in scope (before dropping it). */
int store_search_mark_scope(struct store_db *db, const char *scope);
/*
 * Recomputes search_docs and search_fts for every noted (type, id) in one set-based pass
 * and forgets them. replica_end() runs it before a successful release, so the index is
 * current when the savepoint's work commits, and rolled back with it otherwise.
 */
int store_search_flush(struct store_db *db);

static inline int
replica_begin(struct store_db *db)
{
	return store_db_savepoint(db, REPLICA_SAVEPOINT);
}

/*
 * Refreshes the search rows the operation touched and releases on rc == 0, else rolls
 * back to the savepoint; returns rc (or the refresh's or release's error).
 */
static inline int
replica_end(struct store_db *db, int rc)
{
	if (rc == 0)
		rc = store_search_flush(db);
	if (rc == 0)
		return store_db_release(db, REPLICA_SAVEPOINT);
	store_db_rollback_to(db, REPLICA_SAVEPOINT);
	return rc;
}

/* Steps a statement that returns no rows, then resets it. Returns 0 or -LC_EDB. */
int store_replica_step_done(struct store_db *db, sqlite3_stmt *stmt, const char *context);

/*
 * Upserts one server row (doc NULL with deleted for a tombstone) in scope, replacing the
 * stored row only when rev is newer (a delete also wins at an equal rev). Shared by the
 * change feed and the outbox, which stores the server's answer docs.
 */
int store_replica_put_row(struct store_db *db, const char *scope, const char *type, const char *id,
                          int64_t rev, bool deleted, const char *doc);

/* True when doc is well-formed JSON (an object); false also on SQLite failure. */
bool store_replica_doc_valid(struct store_db *db, const char *doc);

#endif
