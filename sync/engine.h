/* SPDX-License-Identifier: MIT */
/*
 * The client sync engine: pushes the outbox and pulls changes with POST /api/v1/sync,
 * one store transaction per response, until the outbox is empty and the server says no
 * more. It never loses a write: an entry leaves the outbox only with a definite answer.
 *
 * Two ways to drive it:
 *  - sync_engine_run() runs a whole sync on the calling thread (the CLI);
 *  - sync_engine_start() runs it on a thread of its own with its own database connection
 *    (the TUI): the key loop calls sync_engine_request() to ask for a sync and
 *    sync_engine_status() to read progress; neither blocks on the network.
 */
#ifndef SYNC_ENGINE_H
#define SYNC_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

enum sync_state {
	SYNC_IDLE,        /* never tried yet */
	SYNC_ONLINE,      /* the last round reached the server */
	SYNC_OFFLINE,     /* the server could not be reached; will retry with back-off */
	SYNC_SYNCING,     /* a round is in progress */
	SYNC_NEEDS_LOGIN, /* refresh failed: the outbox waits for `lectern login` */
};

enum sync_phase {
	SYNC_PHASE_NONE,
	SYNC_PHASE_PUSH,
	SYNC_PHASE_PULL,
	SYNC_PHASE_APPLY,
	SYNC_PHASE_VERIFY,
};

/* A snapshot of the engine's state, copied out under its lock. */
struct sync_status {
	enum sync_state state;
	enum sync_phase phase;
	int64_t bytes_up; /* this sync so far, headers included */
	int64_t bytes_down;
	int64_t round_trips;
	int64_t entries_pushed;  /* outbox entries answered this sync */
	int64_t entries_waiting; /* outbox entries still queued */
	int64_t changes_applied;
	int64_t issues;       /* sync issues listed for the user */
	int64_t last_success; /* wall-clock seconds of the last successful sync, 0 never */
	char message[256];    /* the last error, for the status line; "" when none */
	/*
	 * Progress of the sync in flight (issue 13; ux review 2026-11-29, F2), for
	 * sync_progress_compute(): when it began, the bytes down of the answers applied so far,
	 * and the changes the server said were still to come after them ("remaining",
	 * docs/api.md "Sync progress"; -1 unknown). initial: the replica's first sync, whose
	 * answers bring the user's courses (sync_replica_first_sync()).
	 */
	int64_t started_ms; /* lc_monotonic_ms() at the start; 0 before any sync */
	int64_t bytes_down_answered;
	int64_t changes_left;
	bool initial;
};

struct sync_options {
	const char *db_path;    /* replica file; the engine opens its own connection */
	const char *server_url; /* overrides the replica's "server_url" setting when not NULL */
	int batch_size;         /* outbox entries per round; 0 for the default (100) */
	int connect_timeout_s;  /* 0 for the default (10) */
	int low_speed_time_s;   /* abort when under 1 byte/s... for this long; 0 default (30) */
	const char *ca_file;    /* extra CA bundle for TLS, or NULL */
	/*
	 * Kiosk mode's shared content store (D/content.db), or NULL for none: a plain
	 * learner's sync starts new content scopes from it and feeds it when done
	 * (store/content.h, docs/sync.md "Kiosk: shared content").
	 */
	const char *content_path;
};

struct sync_engine;

/*
 * Creates an engine. Returns 0 and *out (free with sync_engine_destroy()), or a negative
 * lc_err with a message in *cause.
 */
int sync_engine_create(const struct sync_options *opts, struct sync_engine **out, char **cause);
/* Stops the thread if started (waiting for the round in flight) and frees. Accepts NULL. */
void sync_engine_destroy(struct sync_engine *engine);

/*
 * Runs a whole sync on this thread: rounds until the outbox is empty and `more` is false.
 * With verify, also compares /sync/digest with the replica. Returns 0, -LC_ENET (server
 * unreachable), -LC_EAUTH (login needed), -LC_ECONFLICT (verify mismatch) or another
 * negative lc_err, with a message in *cause.
 */
int sync_engine_run(struct sync_engine *engine, bool verify, char **cause);

/* Starts the background thread: it syncs now, on request, and every interval_s seconds. */
int sync_engine_start(struct sync_engine *engine, int interval_s);
/* Asks the background thread to sync as soon as it can. Never blocks. */
void sync_engine_request(struct sync_engine *engine);
/* Copies the current status. Never blocks on the network. */
void sync_engine_status(struct sync_engine *engine, struct sync_status *out);
/* Counter bumped after every applied response; the TUI redraws when it changes. */
uint64_t sync_engine_generation(struct sync_engine *engine);

/*
 * Logs in with username and password against server_url: stores server_url, user id,
 * username and both tokens in the replica. Returns 0, -LC_EAUTH (wrong credentials, message
 * in cause), -LC_ENET, or another negative lc_err.
 */
int sync_login(const char *db_path, const char *server_url, const char *username,
               const char *password, const char *ca_file, char **cause);
/*
 * A sign-in the caller watches and can abandon (issue 13; ux review 2026-11-29, F1: Ctrl-C
 * took 29 s through a stalled link). Set cancel (from any thread, or a signal handler) and
 * the request stops within a second, its connection closed, nothing saved; sync_login_watched()
 * then returns -LC_ENET with "sign-in cancelled". connected becomes true once the
 * connection to the server is up, so that a caller tells "the server is slow" (connected,
 * no answer yet) from "the server is unreachable" (connect failed), and so does the cause
 * of a failure.
 */
struct sync_login_watch {
	atomic_bool cancel;
	atomic_bool connected;
};
/* sync_login() that watch (may be NULL) can follow and cancel. */
int sync_login_watched(const char *db_path, const char *server_url, const char *username,
                       const char *password, const char *ca_file, struct sync_login_watch *watch,
                       char **cause);
/*
 * Whether the replica's first sync has yet to finish: no sync ever ended well on it
 * (setting "synced_once") and its cursors are not those of a finished pull (a replica
 * from before "synced_once" with "sync_paged" = "0" has finished one). Screens then say
 * "Downloading your courses" rather than "not enrolled" (ux review 2026-11-29, A16/F3).
 * Returns 0 and *out, or a negative lc_err.
 */
int sync_replica_first_sync(struct store_db *db, bool *out);

/*
 * Revokes the refresh token on the server when reachable, forgets the tokens and locks the
 * replica (issue 13; mission review 2026-11-29, B4): the setting "signed_out" stays until
 * the same user signs in again, and until then the TUI opens on the sign-in screen and the
 * command line refuses to read or write the user's data (sync_signed_out()).
 */
int sync_logout(const char *db_path, const char *ca_file, char **cause);
/*
 * A kiosk's sign-out that could not send the user's waiting writes, when the lab allows
 * background sync (issue 13): the access token goes and the replica is locked as by
 * sync_logout(), but the refresh token stays, marked "revoke_pending", so that the kiosk
 * sends the writes later and then revokes it (tui_kiosk_background_round()). A sign-in of
 * the user clears the mark.
 */
int sync_logout_deferred(const char *db_path, char **cause);
/* True when db is locked by a sign-out (or a read fails: locked is the safe answer). */
bool sync_signed_out(struct store_db *db);

/*
 * Signing in as a different user on a replica that holds the previous user's waiting
 * writes (issue 13; B4: they used to block every other sign-in for good).
 */
enum sync_other_writes {
	SYNC_OTHER_REFUSE,  /* -LC_EPERM, saying how many and whose: the caller asks */
	SYNC_OTHER_PARK,    /* the replica goes to D/profiles/<their id>/ for their next sign-in */
	SYNC_OTHER_DISCARD, /* the writes are dropped with the rest of their rows */
};

struct sync_login_options {
	const char *ca_file;
	struct sync_login_watch *watch; /* may be NULL */
	enum sync_other_writes other_writes;
	/* D: profiles live in D/profiles/; NULL for the folder that holds db_path. */
	const char *data_dir;
	/* Kiosk mode: sign in to D/profiles/<the answer's user id>/replica.db (db_path unused). */
	bool kiosk;
};

/*
 * The sign-in of sync_login_watched() with the options above. On D/replica.db (not kiosk):
 * a different user's rows are wiped (store_replica_scrub()), their waiting writes first
 * parked or discarded as opts says; a user whose replica was parked gets it back. *db_path_used
 * (may be NULL; caller frees) says which replica now holds the session.
 */
int sync_login_with(const char *db_path, const char *server_url, const char *username,
                    const char *password, const struct sync_login_options *opts,
                    char **db_path_used, char **cause);

/*
 * Data only the server computes (a course's students with their percent, its analytics),
 * fetched with GET path (under /api/v1, e.g. "/api/v1/courses/ID/analytics") with the
 * stored session, refreshing the tokens on a 401 as a sync does. A 200 answer is kept in
 * the replica's settings under key as {"user_id": ..., "fetched_at": RFC 3339,
 * "body": the answer}; anything else leaves the cached copy as it was.
 *
 * sync_engine_fetch() asks the engine's thread to do it (after the sync in flight, if
 * any, so that the two never refresh the tokens at once) and never blocks; the
 * generation is bumped when the fetch ends, and sync_engine_fetch_state() says how it
 * went. A key already queued is not queued twice; a slot of a finished fetch is reused.
 * -LC_EINVAL when SYNC_FETCH_SLOTS fetches are all still waiting.
 *
 * sync_fetch() does the same on the calling thread (the command line, tests): 0, or
 * -LC_ENET, -LC_EAUTH, -LC_EPERM (403), -LC_ENOTFOUND (404) or another negative lc_err,
 * with a message in *cause.
 */
#define SYNC_FETCH_SLOTS 8

enum sync_fetch_state {
	SYNC_FETCH_NONE,    /* never asked on this engine */
	SYNC_FETCH_WAITING, /* queued or in flight */
	SYNC_FETCH_DONE,    /* the answer is in the settings */
	SYNC_FETCH_FAILED,  /* message says why; the cached copy, if any, stays */
};

int sync_engine_fetch(struct sync_engine *engine, const char *path, const char *key);
/* The state of the last fetch of key, with its failure message in msg ("" otherwise). */
enum sync_fetch_state sync_engine_fetch_state(struct sync_engine *engine, const char *key,
                                              char *msg, size_t size);
int sync_fetch(struct sync_engine *engine, const char *path, const char *key, char **cause);

#endif
