/* SPDX-License-Identifier: MIT */
/*
 * Profiles (issue 13): one replica per user under the data directory D,
 *
 *     D/profiles/<user-id>/replica.db      folder 0700, file 0600 (store_db_open())
 *
 * used by every user of a kiosk, and outside kiosk mode to park a previous user's replica
 * with their waiting writes. A profile is named by its user id, a UUID as the server gives
 * it: anything else (a stray folder, "../x") is refused, never opened. There is no index
 * file; finding a user by username opens each profile's settings (a kiosk has tens).
 *
 * Replicas are copied only with SQLite's backup API, never byte by byte, so a copy is a
 * consistent database even with a -wal beside it. Wiping overwrites before unlinking:
 * secure_delete, every row deleted, the WAL checkpointed and truncated, VACUUM; then the
 * file, its -wal and -shm and the folder go.
 *
 * No curses, no network: the sync engine (sync/session.c) and the TUI both use it.
 */
#ifndef STORE_PROFILE_H
#define STORE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* True when id can name a profile: a lowercase UUID. */
bool store_profile_id_valid(const char *id);

/*
 * D/profiles/<id> and D/profiles/<id>/replica.db (either out may be NULL; caller frees).
 * -LC_EINVAL with *cause for an id that is not a UUID.
 */
int store_profile_paths(const char *data_dir, const char *user_id, char **dir, char **db_path,
                        char **cause);

/* True when D/profiles/<id>/replica.db exists. */
bool store_profile_exists(const char *data_dir, const char *user_id);

/*
 * Opens the profile's replica, creating the folder (0700) and the file (0600) when missing.
 * A file that is not a replica (damaged, foreign) is refused with -LC_EFOREIGN and left as
 * it is; a folder or file others can read is refused with -LC_EPERM.
 */
int store_profile_open(const char *data_dir, const char *user_id, struct store_db **out,
                       char **cause);

/*
 * The user ids of D/profiles/ (sorted); folders whose name is not a UUID are skipped.
 * A missing D/profiles is an empty list. Caller frees with store_profile_list_free().
 */
int store_profile_list(const char *data_dir, char ***ids, size_t *n, char **cause);
void store_profile_list_free(char **ids, size_t n);

/*
 * The profile whose replica's "username" setting equals username, ignoring ASCII case:
 * 0 with *user_id (caller frees), or -LC_ENOTFOUND. Profiles that cannot be opened are
 * skipped (logged), not repaired.
 */
int store_profile_find_user(const char *data_dir, const char *username, char **user_id,
                            char **cause);

/*
 * Copies the whole of src into D/profiles/<user_id>/replica.db with the backup API. A
 * profile that already exists and holds waiting writes is refused (-LC_ECONFLICT): two
 * outboxes are never merged by a copy. src must not be in a transaction.
 */
int store_profile_park(struct store_db *src, const char *data_dir, const char *user_id,
                       char **cause);

/*
 * Copies the profile of user_id over dst (the whole database, with the backup API), then
 * wipes the profile. dst must not be in a transaction.
 */
int store_profile_restore(struct store_db *dst, const char *data_dir, const char *user_id,
                          char **cause);

/*
 * Overwrites everything db holds: secure_delete on, every row of every table deleted
 * (the full-text index emptied), the WAL checkpointed with TRUNCATE, VACUUM. The file stays
 * a valid, empty replica. For store_replica_wipe() and for tests that look at the bytes.
 */
int store_replica_scrub(struct store_db *db);

/* Scrubs the replica at path, closes it and unlinks it and its -wal and -shm. */
int store_replica_wipe(const char *db_path, char **cause);

/* store_replica_wipe() of the profile's replica, then removes its folder. */
int store_profile_wipe(const char *data_dir, const char *user_id, char **cause);

/*
 * The waiting writes of db in words, for a person about to lose them: "2 forum replies in
 * C201, 1 quiz attempt in C201, 1 enrollment". *count gets how many (may be NULL). Caller
 * frees *text ("" when none).
 */
int store_waiting_describe(struct store_db *db, char **text, int64_t *count);
/*
 * One waiting write in words for the waiting-writes screen (issue 15, ux review A10):
 * *what is "new forum reply", "edited forum topic", "deleted progress mark"...; *where the
 * course ("C201") and for a reply its topic ("C201, topic \"Hello\""), or "". Caller frees
 * both.
 */
struct store_outbox_entry;
int store_waiting_entry_words(struct store_db *db, const struct store_outbox_entry *e, char **what,
                              char **where);

#endif
