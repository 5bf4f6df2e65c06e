/* SPDX-License-Identifier: MIT */
/*
 * Offline sign-in (issue 13, item 3): a user who signed in online on this machine may sign
 * in again while the server is unreachable, for as long as the server allowed
 * (offline_expires_in of the login answer, a Lectern extension). The proof is an argon2id
 * verifier of the password (crypto_pwhash_str, libsodium's interactive limits) kept in the
 * profile's replica settings, never the password:
 *
 *   "offline_verifier"      the crypto_pwhash_str() string
 *   "offline_until"         unix seconds (this clock: the login request's send time plus
 *                           offline_expires_in), after which the verifier is refused
 *   "offline_failures"      wrong passwords in a row since the last success
 *   "offline_locked_until"  unix seconds before which no password is even checked
 *
 * Written at every online sign-in whose answer has offline_expires_in (absent: forgotten);
 * forgotten at the first online contact that shows the session or the password no longer
 * good (a login answered 401 for the replica's user, a refresh answered 401 or 403), at
 * logout, and when a refresh answer no longer carries the field. A refresh answer with a
 * shorter period shortens offline_until, never lengthens it: only a password the server
 * checked starts a period.
 *
 * Wrong passwords are throttled here and persistently: SYNC_OFFLINE_FREE_TRIES tries, then a
 * wait of SYNC_OFFLINE_LOCK_FIRST_S doubling at every further failure up to
 * SYNC_OFFLINE_LOCK_MAX_S. A try is counted as a failure before the password is checked
 * and taken back on success, so killing the program mid-check gains nothing.
 *
 * Nothing here logs or keeps the password; the caller wipes its copy.
 */
#ifndef SYNC_OFFLINE_H
#define SYNC_OFFLINE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "store/db.h"

#define SYNC_OFFLINE_FREE_TRIES 5
#define SYNC_OFFLINE_LOCK_FIRST_S 30
#define SYNC_OFFLINE_LOCK_MAX_S (15 * 60)

/* The wait that the failures-th wrong password in a row starts (0 for the free tries). */
int64_t sync_offline_lock_s(int64_t failures);
/*
 * Seconds still to wait at now, given the stored failures and locked_until: 0 when none.
 * Never more than the failures' own lock, so a clock set back does not lock anyone out
 * for longer.
 */
int64_t sync_offline_wait_s(int64_t failures, int64_t locked_until, int64_t now);

/*
 * Signs username in offline on the replica at db_path (not created when missing) with
 * password, at now (unix seconds, lc_now() but for tests). Returns 0 when the replica
 * holds a verifier of username's (case-insensitive), not expired at now, that password
 * matches; the session's tokens stay as they are, so the engine syncs with them once the
 * server answers. Otherwise, with a message in *cause:
 *   -LC_ENOTFOUND  no verifier for username here (never signed in online with offline
 *                  sign-in on, forgotten, or another user's replica);
 *   -LC_EPERM      expired (the verifier is then forgotten), or locked: *wait_s (when not
 *                  NULL) says how many seconds are left; no password was checked;
 *   -LC_EAUTH      wrong password (counted; *wait_s is the wait it started, 0 if none);
 *   another negative lc_err when the replica cannot be read or written.
 */
int sync_offline_sign_in(const char *db_path, const char *username, const char *password,
                         int64_t now, int64_t *wait_s, char **cause);

/*
 * The kiosk's sign-in when the server is unreachable: finds the profile of username under
 * data_dir (data_dir/profiles/<user-id>/replica.db whose "username" setting matches,
 * case-insensitive; directories not named by a UUID are skipped; of several, the one with
 * a verifier valid longest) and runs sync_offline_sign_in() on it. On 0, *replica_path is
 * that replica's path (caller frees). Errors as sync_offline_sign_in(); -LC_ENOTFOUND also
 * when no profile has that username.
 */
int sync_offline_find(const char *data_dir, const char *username, const char *password, int64_t now,
                      char **replica_path, int64_t *wait_s, char **cause);

/* ---- For sync/session.c (the online contacts) -------------------------------------- */

/*
 * After an online sign-in that was answered 200 and saved: keeps a verifier of password
 * valid until sent + the answer's offline_expires_in, and clears the throttle; forgets any
 * verifier when the answer has no such field. Hashes before its short transaction.
 */
int sync_offline_after_login(struct store_db *db, const cJSON *answer, const char *password,
                             int64_t sent);
/* After a refresh answered 200 (or a /sync answer's pair): see the top of this file. */
int sync_offline_after_refresh(struct store_db *db, const cJSON *answer, int64_t sent);
/* Forgets the verifier and the throttle (logout, a refresh answered 401 or 403). */
int sync_offline_forget(struct store_db *db);
/* A login answered 401 for username: forgets the verifier when it is this replica's user. */
int sync_offline_forget_user(struct store_db *db, const char *username);

#endif
