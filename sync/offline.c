/* SPDX-License-Identifier: MIT */
/*
 * Offline sign-in; see offline.h. The four settings change together, each change in one
 * transaction of its own, and argon2id always runs outside it (nothing slow inside the
 * write lock). A try is recorded as a failure before the password is checked:
 *
 *   state            event                        next
 *   no verifier      online 200 with the field    verifier, failures 0
 *   verifier         online 200 without it        no verifier
 *   verifier         login 401 (same user),       no verifier
 *                    refresh 401/403, logout
 *   verifier         offline try, now < locked    verifier (refused, nothing checked)
 *   verifier         offline try                  failures + 1, locked = now + lock(f + 1),
 *                                                 then: right -> failures 0, unlocked
 *   verifier         offline try, expired         no verifier
 */
#include "sync/offline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/profile.h"
#include "store/replica.h"

#define K_VERIFIER "offline_verifier"
#define K_UNTIL "offline_until"
#define K_FAILURES "offline_failures"
#define K_LOCKED "offline_locked_until"

int64_t
sync_offline_lock_s(int64_t failures)
{
	int64_t lock = SYNC_OFFLINE_LOCK_FIRST_S;

	if (failures < SYNC_OFFLINE_FREE_TRIES)
		return 0;
	/* Doubling, stopped at the cap before it could overflow. */
	for (int64_t n = SYNC_OFFLINE_FREE_TRIES; n < failures && lock < SYNC_OFFLINE_LOCK_MAX_S;
	     n++)
		lock *= 2;
	return lock < SYNC_OFFLINE_LOCK_MAX_S ? lock : SYNC_OFFLINE_LOCK_MAX_S;
}

int64_t
sync_offline_wait_s(int64_t failures, int64_t locked_until, int64_t now)
{
	int64_t wait = locked_until - now, most = sync_offline_lock_s(failures);

	if (locked_until <= 0 || wait <= 0)
		return 0;
	return wait < most ? wait : most;
}

/* A setting as a number: 0 when absent or not a plain non-negative integer. */
static int
get_int(struct store_db *db, const char *key, int64_t *out)
{
	char *text = NULL, *end = NULL;
	long long v;
	int rc = store_setting_get(db, key, &text);

	*out = 0;
	if (rc < 0 || text == NULL)
		return rc;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno == 0 && end != text && *end == '\0' && v > 0)
		*out = v;
	free(text);
	return 0;
}

static int
set_int(struct store_db *db, const char *key, int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, v);
	return store_setting_set(db, key, text);
}

/* Runs the settings writes of one change in one transaction. */
static int
tx_end(struct store_db *db, int rc)
{
	if (rc == 0)
		return store_db_commit(db);
	store_db_rollback(db);
	return rc;
}

static int
forget(struct store_db *db)
{
	static const char *const keys[] = {K_VERIFIER, K_UNTIL, K_FAILURES, K_LOCKED};
	int rc = store_db_begin(db);

	for (size_t i = 0; rc == 0 && i < sizeof(keys) / sizeof(keys[0]); i++)
		rc = store_setting_delete(db, keys[i]);
	return rc < 0 && !store_db_in_transaction(db) ? rc : tx_end(db, rc);
}

int
sync_offline_forget(struct store_db *db)
{
	char *had = NULL;
	int rc = store_setting_get(db, K_VERIFIER, &had);

	if (rc == 0)
		rc = forget(db);
	if (rc == 0 && had != NULL)
		lc_log(LC_LOG_INFO, "sync: the offline sign-in verifier was forgotten");
	else if (rc < 0)
		lc_log(LC_LOG_ERROR, "sync: cannot forget the offline sign-in verifier: %s",
		       store_db_error(db)->message);
	free(had);
	return rc;
}

/* ASCII case-insensitive equality, as the server compares usernames. */
static bool
same_username(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

int
sync_offline_forget_user(struct store_db *db, const char *username)
{
	char *mine = NULL;
	int rc = store_setting_get(db, "username", &mine);

	if (rc == 0 && mine != NULL && username != NULL && same_username(mine, username))
		rc = sync_offline_forget(db);
	free(mine);
	return rc;
}

/* offline_expires_in of an answer in seconds, 0 when absent or not a sane number. */
static int64_t
answer_period(const cJSON *answer)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(answer, "offline_expires_in");

	if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 10 * 365 * 86400.0)
		return 0;
	return (int64_t)v->valuedouble;
}

int
sync_offline_after_login(struct store_db *db, const cJSON *answer, const char *password,
                         int64_t sent)
{
	char hash[crypto_pwhash_STRBYTES];
	int64_t period = answer_period(answer);
	int rc;

	if (period == 0 || password == NULL || sodium_init() < 0)
		return sync_offline_forget(db);
	/* Outside the transaction: ~64 MiB and a good part of a second on lab hardware. */
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		lc_log(LC_LOG_ERROR, "sync: cannot hash for offline sign-in (out of memory)");
		return sync_offline_forget(db);
	}
	rc = store_db_begin(db);
	if (rc == 0)
		rc = store_setting_set(db, K_VERIFIER, hash);
	if (rc == 0)
		rc = set_int(db, K_UNTIL, sent + period);
	if (rc == 0)
		rc = store_setting_delete(db, K_FAILURES);
	if (rc == 0)
		rc = store_setting_delete(db, K_LOCKED);
	rc = rc < 0 && !store_db_in_transaction(db) ? rc : tx_end(db, rc);
	sodium_memzero(hash, sizeof(hash));
	if (rc < 0) {
		lc_log(LC_LOG_ERROR, "sync: cannot keep the offline sign-in verifier: %s",
		       store_db_error(db)->message);
		return rc;
	}
	lc_log(LC_LOG_INFO, "sync: offline sign-in allowed for %" PRId64 " s", period);
	return 0;
}

int
sync_offline_after_refresh(struct store_db *db, const cJSON *answer, int64_t sent)
{
	int64_t period = answer_period(answer), until = 0;
	int rc;

	if (period == 0)
		return sync_offline_forget(db);
	rc = get_int(db, K_UNTIL, &until);
	if (rc == 0 && until > sent + period)
		rc = set_int(db, K_UNTIL, sent + period);
	return rc;
}

/* The throttle's state, read before a try. */
struct throttle {
	int64_t failures;
	int64_t locked_until;
	int64_t until; /* the verifier's end */
	char *verifier;
	char *username;
};

static int
throttle_load(struct store_db *db, struct throttle *t)
{
	int rc = store_setting_get(db, K_VERIFIER, &t->verifier);

	if (rc == 0)
		rc = store_setting_get(db, "username", &t->username);
	if (rc == 0)
		rc = get_int(db, K_UNTIL, &t->until);
	if (rc == 0)
		rc = get_int(db, K_FAILURES, &t->failures);
	if (rc == 0)
		rc = get_int(db, K_LOCKED, &t->locked_until);
	return rc;
}

static void
throttle_finish(struct throttle *t)
{
	free(t->verifier);
	free(t->username);
}

/* Counts the try as a failure (and its lock) before the password is checked. */
static int
count_try(struct store_db *db, int64_t failures, int64_t now)
{
	int64_t lock = sync_offline_lock_s(failures);
	int rc = store_db_begin(db);

	if (rc == 0)
		rc = set_int(db, K_FAILURES, failures);
	if (rc == 0 && lock > 0)
		rc = set_int(db, K_LOCKED, now + lock);
	return rc < 0 && !store_db_in_transaction(db) ? rc : tx_end(db, rc);
}

static int
clear_failures(struct store_db *db)
{
	int rc = store_db_begin(db);

	if (rc == 0)
		rc = store_setting_delete(db, K_FAILURES);
	if (rc == 0)
		rc = store_setting_delete(db, K_LOCKED);
	return rc < 0 && !store_db_in_transaction(db) ? rc : tx_end(db, rc);
}

/* The checks and the try on an open replica. */
static int
sign_in(struct store_db *db, const char *username, const char *password, int64_t now,
        int64_t *wait_s, char **cause)
{
	struct throttle t = {0};
	int64_t wait;
	int rc = throttle_load(db, &t);

	if (rc < 0) {
		rc = lc_cause_set(cause, rc, "cannot read the profile: %s",
		                  store_db_error(db)->message);
		goto out;
	}
	if (t.verifier == NULL || t.username == NULL || !same_username(t.username, username)) {
		rc = lc_cause_set(cause, -LC_ENOTFOUND,
		                  "no offline sign-in for this user here: sign in online first");
		goto out;
	}
	if (t.until <= now) {
		sync_offline_forget(db);
		rc = lc_cause_set(cause, -LC_EPERM,
		                  "the offline sign-in has expired: sign in online again");
		goto out;
	}
	wait = sync_offline_wait_s(t.failures, t.locked_until, now);
	if (wait > 0) {
		*wait_s = wait;
		rc = lc_cause_set(cause, -LC_EPERM,
		                  "too many wrong passwords: try again in %" PRId64 " s", wait);
		goto out;
	}
	rc = count_try(db, t.failures + 1, now);
	if (rc < 0) {
		rc = lc_cause_set(cause, rc, "cannot keep the count of tries: %s",
		                  store_db_error(db)->message);
		goto out;
	}
	if (crypto_pwhash_str_verify(t.verifier, password, strlen(password)) != 0) {
		*wait_s = sync_offline_lock_s(t.failures + 1);
		lc_log(LC_LOG_WARN, "sync: offline sign-in refused (%" PRId64 " wrong in a row)",
		       t.failures + 1);
		if (*wait_s > 0)
			rc = lc_cause_set(cause, -LC_EAUTH,
			                  "wrong password; too many tries: wait %" PRId64 " s",
			                  *wait_s);
		else
			rc = lc_cause_set(cause, -LC_EAUTH, "wrong password");
		goto out;
	}
	rc = clear_failures(db);
	/* Its own user proved the password: a replica locked by their sign-out opens again. */
	if (rc == 0)
		rc = store_setting_delete(db, "signed_out");
	if (rc < 0)
		rc = lc_cause_set(cause, rc, "cannot reset the count of tries: %s",
		                  store_db_error(db)->message);
	else
		lc_log(LC_LOG_INFO, "sync: offline sign-in accepted");
out:
	throttle_finish(&t);
	return rc;
}

/* True when path is a regular file (looked at, never opened: SQLite's locks). */
static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int
sync_offline_sign_in(const char *db_path, const char *username, const char *password, int64_t now,
                     int64_t *wait_s, char **cause)
{
	struct store_db *db = NULL;
	int64_t ignored;
	int rc;

	if (wait_s == NULL)
		wait_s = &ignored;
	*wait_s = 0;
	if (username == NULL || password == NULL || username[0] == '\0')
		return lc_cause_set(cause, -LC_EINVAL, "a username and a password are needed");
	if (sodium_init() < 0)
		return lc_cause_set(cause, -LC_ENOMEM, "libsodium cannot start");
	if (!is_file(db_path))
		return lc_cause_set(cause, -LC_ENOTFOUND,
		                    "no offline sign-in for this user here: sign in online first");
	rc = store_replica_open(db_path, &db, cause);
	if (rc == 0)
		rc = sign_in(db, username, password, now, wait_s, cause);
	store_db_close(db);
	return rc;
}

/* offline_until of the replica at path when its username matches and it has a verifier. */
static int64_t
candidate(const char *path, const char *username)
{
	struct store_db *db = NULL;
	struct throttle t = {0};
	int64_t until = 0;

	if (!is_file(path) || store_replica_open(path, &db, NULL) != 0)
		return 0;
	if (throttle_load(db, &t) == 0 && t.verifier != NULL && t.username != NULL &&
	    same_username(t.username, username))
		until = t.until > 0 ? t.until : 1;
	throttle_finish(&t);
	store_db_close(db);
	return until;
}

int
sync_offline_find(const char *data_dir, const char *username, const char *password, int64_t now,
                  char **replica_path, int64_t *wait_s, char **cause)
{
	char **ids = NULL, *best = NULL;
	size_t n = 0;
	int64_t best_until = 0;
	int rc;

	*replica_path = NULL;
	if (wait_s != NULL)
		*wait_s = 0;
	/* Of several profiles of one name (an account deleted and made again), the freshest. */
	if (username != NULL && store_profile_list(data_dir, &ids, &n, NULL) == 0) {
		for (size_t i = 0; i < n; i++) {
			char *path = NULL;
			int64_t until = 0;

			if (store_profile_paths(data_dir, ids[i], NULL, &path, NULL) == 0)
				until = candidate(path, username);
			if (until > best_until) {
				free(best);
				best = path;
				best_until = until;
			} else {
				free(path);
			}
		}
		store_profile_list_free(ids, n);
	}
	if (best == NULL)
		return lc_cause_set(cause, -LC_ENOTFOUND,
		                    "no offline sign-in for this user here: sign in online first");
	rc = sync_offline_sign_in(best, username, password, now, wait_s, cause);
	if (rc == 0)
		*replica_path = best;
	else
		free(best);
	return rc;
}
