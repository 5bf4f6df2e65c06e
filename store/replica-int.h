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

static inline int
replica_begin(struct store_db *db)
{
	return store_db_savepoint(db, REPLICA_SAVEPOINT);
}

/* Releases on rc == 0, else rolls back to the savepoint; returns rc (or release's error). */
static inline int
replica_end(struct store_db *db, int rc)
{
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
