/* SPDX-License-Identifier: MIT */
/*
 * A kiosk's shared content store (issue 13, item 6): D/content.db, a file of the replica's
 * schema (0600) that holds only content scopes, "catalog" and "course:<id>", as plain
 * learners see them, each with its cursor, and the setting "server_url" of the server they
 * came from (copies of another server's feed are never seeded, and a feed from a profile of
 * another server starts the store over). Never a session, a "user" scope, an overlay, an
 * outbox entry or another setting, and no search index (search_docs stays empty: a
 * forgotten post must leave no token behind in an FTS segment).
 *
 * Only a "plain learner" (settings user_role = "learner" and user_departments holding no
 * department role, and, once synced, their own user doc saying the same) reads or feeds
 * it: a staff view of a course holds answers and others' attempts.
 *
 * - store_content_seed(): a profile starting a scope copies the shared copy and its cursor,
 *   so the server sends only what changed since;
 * - store_content_feed(): after a profile's finished sync, each content scope it holds at a
 *   newer cursor replaces the shared copy;
 * - store_content_forget_user(): the scopes holding a doc authored by a user leave the
 *   shared store, overwritten (secure_delete) and checkpointed out of the WAL.
 *
 * docs/sync.md "Kiosk: shared content" tells the whole story.
 */
#ifndef STORE_CONTENT_H
#define STORE_CONTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"

/* True for the scopes the shared store may hold: "catalog" and "course:<id>". */
bool store_content_scope(const char *scope);

/* Whether the replica is a plain learner's (see above). 0 or -LC_EDB. */
int store_content_plain_learner(struct store_db *replica, bool *out);

/*
 * For each of the n scopes (only content scopes are looked at; the caller passes only
 * scopes the server lists for this user, or "catalog", which anyone may read) whose
 * shared copy stands at a cursor newer than the replica's: the replica's rows of that
 * scope are replaced by the shared copy's (tombstones too) and its cursor set to the
 * shared one, its search index recomputed, all in one replica transaction. Overlays, the
 * outbox and other scopes are not touched. Nothing happens (0, *seeded = 0) when the file
 * content_path does not exist or the replica is not a plain learner's. *seeded (may be
 * NULL) gets the number of scopes copied. The replica must not be in a transaction (the
 * shared store is ATTACHed for the copy).
 */
int store_content_seed(struct store_db *replica, const char *content_path,
                       const char *const *scopes, size_t n, size_t *seeded, char **cause);

/*
 * Feeds the shared store at content_path (created 0600 when missing) from the replica
 * file replica_path: every content scope whose cursor in the replica is newer than the
 * shared copy's replaces it, in one transaction on the shared store (the replica is only
 * read, in one snapshot). Nothing happens when the replica is not a plain learner's or
 * its last answer left it in the middle of a paged pull. *fed (may be NULL) gets the
 * number of scopes replaced.
 */
int store_content_feed(const char *content_path, const char *replica_path, size_t *fed,
                       char **cause);

/*
 * Drops from the shared store every scope holding a live doc authored by user_id (their
 * forum topics and replies), with secure_delete on, then truncates the WAL, so that no byte
 * of that user's posts stays in content.db, its -wal or -shm. A missing store is fine.
 * The kiosk's profile wipe calls it. *dropped (may be NULL) gets the number of scopes.
 */
int store_content_forget_user(const char *content_path, const char *user_id, size_t *dropped,
                              char **cause);

#endif
