/* SPDX-License-Identifier: MIT */
/*
 * Internals of the sync engine shared by engine.c (threads, status), round.c (one /sync
 * round trip and its application) and session.c (tokens, login, refresh). Not included
 * from outside sync/.
 */
#ifndef SYNC_ENGINE_INT_H
#define SYNC_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/replica.h"
#include "sync/engine.h"
#include "sync/http.h"
#include "sync/protocol.h"

#define SYNC_DEFAULT_BATCH 100
/* Request bodies stay under this; the server refuses bodies over 1 MiB with 413. */
#define SYNC_MAX_REQUEST (768 * 1024)

struct sync_engine {
	char *db_path;
	char *server_url; /* override, or NULL */
	char *ca_file;
	int batch_size;
	int round_limit;   /* entries per round after a 413 in this sync; 0 for batch_size */
	bool full_cursors; /* the next round names every cursor: the compact form failed */
	bool whole_docs;   /* the server refused "partial": ask for whole docs only */
	bool no_remaining; /* the server refused "remaining": do not ask again */
	int pull_limit;    /* changes per answer in this sync (sync_pull_limit_next); 0: default */
	struct store_db *db; /* the engine's own connection, opened on first use */
	struct sync_http *http;
	atomic_bool cancel;

	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t cond;
	pthread_t thread;
	bool started;
	bool requested;
	bool stopping;
	int interval_s;
	struct sync_status status;
	uint64_t generation;
	int64_t last_contact_ms; /* monotonic ms of the server's last answer; 0: none yet */
	/* sync_engine_fetch(): asked by the TUI, run by the thread after a sync (fetch.c). */
	struct sync_fetch_slot {
		char *key; /* NULL: free */
		char *path;
		enum sync_fetch_state state;
		bool running;
		char message[128];
	} fetches[SYNC_FETCH_SLOTS];
	bool fetch_wanted; /* a slot waits: wakes the thread */
	int64_t base_up;   /* bytes of earlier requests of this sync */
	int64_t base_down;
	/* Kiosk mode's shared content store (sync/content.c); touched by the syncing thread only.
	 */
	struct sync_content {
		char *path;   /* NULL: off */
		bool on;      /* this sync reads and feeds it (a plain learner's) */
		bool probe;   /* the next round asks for one change: it is for the scope list */
		char **tried; /* scopes seeded (or reset) in this sync: never seeded again in it */
		size_t n_tried;
	} content;
};

/* What the replica knows of the session. */
struct sync_session {
	char *server_url; /* without a trailing slash */
	char *access_token;
	char *refresh_token;
	char *client_id;
	int64_t access_expires; /* when the access token expires (this clock); 0: unknown */
};

/*
 * Loads the session from the replica (override_url wins over the stored server URL) and
 * makes a client id when the replica has none. -LC_EINVAL when no server is known.
 */
int sync_session_load(struct store_db *db, const char *override_url, struct sync_session *s,
                      char **cause);
void sync_session_finish(struct sync_session *s);

/*
 * Sends an authenticated request to path under the server URL. On 401 it refreshes the
 * tokens once (saving the new pair) and retries; when that fails returns -LC_EAUTH. Other
 * statuses come back in res. -LC_ENET when the server cannot be reached.
 */
int sync_session_request(struct sync_http *http, struct store_db *db, struct sync_session *s,
                         const char *method, const char *path, const char *body,
                         struct sync_http_response *res, char **cause);

/*
 * POST /api/v1/sync with body, as sync_session_request() does, without the extra round trip
 * of an access token that expired: when it has expired or will within
 * SYNC_TOKEN_MARGIN_S (or its expiry is unknown), the refresh token rides along in
 * Lectern-Refresh, and the new pair the answer carries in "auth" is stored (durably, as
 * after /auth/refresh) before this returns, so before anything of the answer is applied.
 * A 401 all the same (a server without the extension, a clock far off) falls back to
 * /auth/refresh and one retry.
 */
#define SYNC_TOKEN_MARGIN_S 60
int sync_session_post_sync(struct sync_http *http, struct store_db *db, struct sync_session *s,
                           const char *body, struct sync_http_response *res, char **cause);

/* Runs one /sync round trip and applies it; *again when another round is due. */
int sync_round(struct sync_engine *e, struct sync_session *s, bool *again, char **cause);

/* Compares /sync/digest with the replica: 0, -LC_ECONFLICT on a mismatch, or an error. */
int sync_verify(struct sync_engine *e, struct sync_session *s, char **cause);

/*
 * The shared content store (sync/content.c). sync_content_begin() runs after the session
 * is loaded: it decides whether this sync uses the store, and seeds "catalog" into a
 * replica that has never synced. sync_content_after_round() seeds, after an applied answer
 * that listed the scopes, the listed content scopes the store holds at a newer cursor, and
 * sets *again when it did. sync_content_end() feeds the store after a sync that finished
 * (rc == 0). Failures are logged and never fail the sync: the store only saves bytes.
 */
void sync_content_begin(struct sync_engine *e);
/* Whether the round sending these entries asks for one change only (the scope list first). */
bool sync_content_probe(const struct sync_engine *e, const struct store_outbox_entry *entries,
                        size_t n);
void sync_content_after_round(struct sync_engine *e, const struct sync_response *res, bool *again);
void sync_content_end(struct sync_engine *e, int rc);

/* Status updates, taken under the engine's lock. */
void sync_engine_set_phase(struct sync_engine *e, enum sync_phase phase);
void sync_engine_account(struct sync_engine *e, const struct sync_http_response *res);
void sync_engine_count(struct sync_engine *e, int64_t pushed, int64_t applied);

/* Runs the fetches waiting in the engine's slots (engine thread, lock not held). */
void sync_fetch_run_waiting(struct sync_engine *e);
/* Frees the slots (destroy). */
void sync_fetch_slots_finish(struct sync_engine *e);

/* The message of an error body ({"error":{"message":...}}), or NULL. Caller frees. */
char *sync_error_message(const char *body);

/*
 * After an applied answer: the changes the server says are left (-1 when it did not say;
 * 0 when it said more: false), and the bytes down so far, for the status's progress.
 */
void sync_engine_remaining(struct sync_engine *e, int64_t left, bool more);

#endif
