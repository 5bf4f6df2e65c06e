/* SPDX-License-Identifier: MIT */
/*
 * The engine's life: creation, a whole sync (rounds until nothing is left), the
 * background thread the TUI uses, and the status it reads. The lock guards only the
 * status and the thread's flags; it is never held across network or disk work, so
 * sync_engine_status() never waits on the network.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "sync/backoff.h"
#include "sync/engine-int.h"

/* A sync that keeps finding work after this many rounds is stuck in a loop. */
#define MAX_ROUNDS 100000

/*
 * The liveness check (ux review 2026-11-29, A9: a TUI said "online" for 30+ s after the
 * server was gone, until the next write). While the background thread is idle and the
 * state is online, a server not heard from for this long gets one tiny tokenless request;
 * no answer at all makes the state offline at once. Only the TUI starts the thread, so a
 * closed TUI adds no load. Cost: docs/benchmarks.md ("Liveness check").
 */
#define LIVENESS_MS 5000

static void
on_progress(void *ctx, int64_t up, int64_t down)
{
	struct sync_engine *e = ctx;

	pthread_mutex_lock(&e->lock);
	e->status.bytes_up = e->base_up + up;
	e->status.bytes_down = e->base_down + down;
	pthread_mutex_unlock(&e->lock);
}

int
sync_engine_create(const struct sync_options *opts, struct sync_engine **out, char **cause)
{
	struct sync_http_options hopts = {0};
	pthread_condattr_t cattr;
	struct sync_engine *e;
	int rc;

	*out = NULL;
	if (opts == NULL || opts->db_path == NULL)
		return lc_cause_set(cause, -LC_EINVAL, "no replica path");
	e = lc_calloc(1, sizeof(*e));
	e->db_path = lc_strdup(opts->db_path);
	e->server_url = lc_strdup(opts->server_url);
	e->ca_file = lc_strdup(opts->ca_file);
	e->batch_size = opts->batch_size;
	e->content.path = lc_strdup(opts->content_path);
	atomic_init(&e->cancel, false);
	pthread_mutex_init(&e->lock, NULL);
	/*
	 * The background wait measures its deadline on the monotonic clock: on the realtime
	 * one a clock stepped back stretches the wait by the step (code review F12).
	 */
	rc = pthread_condattr_init(&cattr);
	if (rc == 0) {
		rc = pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
		if (rc == 0)
			rc = pthread_cond_init(&e->cond, &cattr);
		pthread_condattr_destroy(&cattr);
	}
	if (rc != 0) {
		pthread_mutex_destroy(&e->lock);
		free(e->db_path);
		free(e->server_url);
		free(e->ca_file);
		free(e->content.path);
		free(e);
		return lc_cause_set(cause, -LC_EIO, "cannot make the sync engine's condition: %s",
		                    strerror(rc));
	}
	hopts.ca_file = opts->ca_file;
	hopts.connect_timeout_s = opts->connect_timeout_s;
	hopts.low_speed_time_s = opts->low_speed_time_s;
	hopts.cancel = &e->cancel;
	hopts.progress = on_progress;
	hopts.progress_ctx = e;
	rc = sync_http_create(&hopts, &e->http, cause);
	if (rc < 0) {
		sync_engine_destroy(e);
		return rc;
	}
	*out = e;
	return 0;
}

void
sync_engine_destroy(struct sync_engine *e)
{
	if (e == NULL)
		return;
	if (e->started) {
		pthread_mutex_lock(&e->lock);
		e->stopping = true;
		pthread_cond_broadcast(&e->cond);
		pthread_mutex_unlock(&e->lock);
		/* A transfer in flight stops at its next progress call. */
		atomic_store(&e->cancel, true);
		pthread_join(e->thread, NULL);
	}
	sync_http_destroy(e->http);
	sync_fetch_slots_finish(e);
	store_db_close(e->db);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->lock);
	free(e->db_path);
	free(e->server_url);
	free(e->ca_file);
	free(e->content.path);
	free(e);
}

void
sync_engine_set_phase(struct sync_engine *e, enum sync_phase phase)
{
	pthread_mutex_lock(&e->lock);
	e->status.phase = phase;
	pthread_mutex_unlock(&e->lock);
}

void
sync_engine_account(struct sync_engine *e, const struct sync_http_response *res)
{
	pthread_mutex_lock(&e->lock);
	e->base_up += res->bytes_up;
	e->base_down += res->bytes_down;
	e->status.bytes_up = e->base_up;
	e->status.bytes_down = e->base_down;
	e->status.round_trips++;
	e->last_contact_ms = lc_monotonic_ms();
	pthread_mutex_unlock(&e->lock);
}

void
sync_engine_count(struct sync_engine *e, int64_t pushed, int64_t applied)
{
	int64_t waiting = 0, issues = 0;

	/* Counting reads the engine's own connection; never under the lock. */
	store_outbox_count(e->db, &waiting);
	store_issue_count(e->db, &issues);
	pthread_mutex_lock(&e->lock);
	e->status.entries_pushed += pushed;
	e->status.changes_applied += applied;
	e->status.entries_waiting = waiting;
	e->status.issues = issues;
	e->generation++;
	pthread_mutex_unlock(&e->lock);
}

void
sync_engine_remaining(struct sync_engine *e, int64_t left, bool more)
{
	pthread_mutex_lock(&e->lock);
	e->status.bytes_down_answered = e->base_down;
	if (left >= 0 || !more)
		e->status.changes_left = more ? left : 0;
	pthread_mutex_unlock(&e->lock);
}

int
sync_replica_first_sync(struct store_db *db, bool *out)
{
	char *once = NULL, *paged = NULL;
	int rc = store_setting_get(db, "synced_once", &once);

	if (rc == 0)
		rc = store_setting_get(db, "sync_paged", &paged);
	*out = rc == 0 && !(once != NULL && strcmp(once, "1") == 0) &&
	       !(paged != NULL && strcmp(paged, "0") == 0);
	free(once);
	free(paged);
	return rc;
}

static void
begin_status(struct sync_engine *e)
{
	pthread_mutex_lock(&e->lock);
	e->status.started_ms = lc_monotonic_ms();
	e->status.bytes_down_answered = 0;
	e->status.changes_left = -1;
	e->status.state = SYNC_SYNCING;
	e->status.phase = SYNC_PHASE_NONE;
	e->status.bytes_up = e->status.bytes_down = 0;
	e->status.round_trips = e->status.entries_pushed = e->status.changes_applied = 0;
	e->base_up = e->base_down = 0;
	pthread_mutex_unlock(&e->lock);
}

static void
end_status(struct sync_engine *e, int rc, const char *cause)
{
	pthread_mutex_lock(&e->lock);
	e->status.phase = SYNC_PHASE_NONE;
	if (rc == 0 || rc == -LC_ECONFLICT) {
		e->status.state = SYNC_ONLINE;
		if (rc == 0)
			e->status.last_success = lc_now();
	} else if (rc == -LC_ENET) {
		e->status.state = SYNC_OFFLINE;
	} else if (rc == -LC_EAUTH) {
		e->status.state = SYNC_NEEDS_LOGIN;
	} else {
		e->status.state = SYNC_ONLINE;
	}
	snprintf(e->status.message, sizeof(e->status.message), "%s",
	         rc < 0 && cause != NULL ? cause : "");
	e->generation++;
	pthread_mutex_unlock(&e->lock);
}

static int
run_rounds(struct sync_engine *e, struct sync_session *s, char **cause)
{
	bool again = true;
	int rc = 0;

	for (int i = 0; rc == 0 && again; i++) {
		if (i >= MAX_ROUNDS)
			return lc_cause_set(cause, -LC_EPROTO, "sync did not settle in %d rounds",
			                    i);
		if (atomic_load(&e->cancel))
			return lc_cause_set(cause, -LC_ENET, "sync stopped");
		rc = sync_round(e, s, &again, cause);
	}
	return rc;
}

int
sync_engine_run(struct sync_engine *e, bool verify, char **cause)
{
	struct sync_session s = {0};
	bool initial = false;
	int rc = 0;

	begin_status(e);
	e->round_limit = 0;
	e->pull_limit = 0;
	if (e->db == NULL)
		rc = store_replica_open(e->db_path, &e->db, cause);
	if (rc == 0) {
		sync_replica_first_sync(e->db, &initial);
		pthread_mutex_lock(&e->lock);
		e->status.initial = initial;
		pthread_mutex_unlock(&e->lock);
	}
	if (rc == 0)
		rc = sync_session_load(e->db, e->server_url, &s, cause);
	if (rc == 0)
		sync_content_begin(e);
	if (rc == 0)
		rc = run_rounds(e, &s, cause);
	/* The first sync is over: screens stop saying "Downloading your courses". */
	if (rc == 0 && initial && store_setting_set(e->db, "synced_once", "1") < 0)
		lc_log(LC_LOG_WARN, "sync: cannot note the first sync: %s",
		       store_db_error(e->db)->message);
	if (e->db != NULL)
		sync_content_end(e, rc);
	if (rc == 0 && verify)
		rc = sync_verify(e, &s, cause);
	if (rc < 0)
		lc_log(LC_LOG_WARN, "sync: %s",
		       cause != NULL && *cause != NULL ? *cause : "failed");
	if (e->db != NULL)
		sync_engine_count(e, 0, 0);
	end_status(e, rc, cause != NULL ? *cause : NULL);
	sync_session_finish(&s);
	return rc;
}

/* Waits until a request, a fetch, a stop, or the deadline (monotonic ms; < 0 for none). */
static void
wait_for_work(struct sync_engine *e, int64_t deadline_ms)
{
	while (!e->requested && !e->stopping && !e->fetch_wanted) {
		int64_t left = deadline_ms - lc_monotonic_ms();
		struct timespec ts;

		if (deadline_ms >= 0 && left <= 0)
			return;
		if (deadline_ms < 0) {
			pthread_cond_wait(&e->cond, &e->lock);
			continue;
		}
		/* The condition uses the monotonic clock (see sync_engine_create). */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += left / 1000;
		ts.tv_nsec += (left % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&e->cond, &e->lock, &ts);
	}
}

/*
 * One liveness request: GET /api/v1/users/me without a token, which any lecternd answers
 * with a small 401 before looking at anything else (API.md, Conventions). Any HTTP answer
 * means the server is reachable; none makes the state offline. Returns -LC_ENET then.
 */
static int
probe_server(struct sync_engine *e)
{
	struct sync_session s = {0};
	struct sync_http_response res = {0};
	char *cause = NULL, *url = NULL;
	int rc = 0;

	if (e->db == NULL)
		rc = store_replica_open(e->db_path, &e->db, &cause);
	if (rc == 0)
		rc = sync_session_load(e->db, e->server_url, &s, &cause);
	if (rc == 0) {
		url = lc_asprintf("%s/api/v1/users/me", s.server_url);
		rc = sync_http_request(e->http, "GET", url, NULL, NULL, &res, &cause);
	}
	/*
	 * The next check is LIVENESS_MS away whatever happened: a check that could not even be
	 * made (no server known, a replica error) must not be retried in a busy loop.
	 */
	pthread_mutex_lock(&e->lock);
	e->last_contact_ms = lc_monotonic_ms();
	pthread_mutex_unlock(&e->lock);
	if (rc == 0) {
		lc_log(LC_LOG_DEBUG, "sync: liveness check: HTTP %ld, %lld bytes up, %lld down",
		       res.status, (long long)res.bytes_up, (long long)res.bytes_down);
	} else if (rc == -LC_ENET) {
		lc_log(LC_LOG_WARN, "sync: the server does not answer: %s",
		       cause != NULL ? cause : "no answer");
		pthread_mutex_lock(&e->lock);
		if (e->status.state == SYNC_ONLINE) {
			e->status.state = SYNC_OFFLINE;
			snprintf(e->status.message, sizeof(e->status.message), "%s",
			         cause != NULL ? cause : "");
			e->generation++;
		}
		pthread_mutex_unlock(&e->lock);
	}
	sync_http_response_finish(&res);
	sync_session_finish(&s);
	free(url);
	free(cause);
	return rc;
}

/* When the thread wakes next: the sync's deadline, or earlier for a liveness check. */
static int64_t
next_wake(struct sync_engine *e, int64_t deadline)
{
	int64_t probe;

	if (e->status.state != SYNC_ONLINE || e->last_contact_ms == 0)
		return deadline;
	probe = e->last_contact_ms + LIVENESS_MS;
	return deadline < 0 || probe < deadline ? probe : deadline;
}

static void *
thread_main(void *arg)
{
	struct sync_engine *e = arg;
	struct sync_backoff backoff;
	int64_t deadline = 0; /* sync at once */

	sync_backoff_init(&backoff, 2000, 300000);
	pthread_mutex_lock(&e->lock);
	while (!e->stopping) {
		char *cause = NULL;
		bool due, probe;
		int rc;

		wait_for_work(e, next_wake(e, deadline));
		if (e->stopping)
			break;
		/* Woken only for a fetch: the sync keeps its own schedule (and back-off). */
		due = e->requested || (deadline >= 0 && lc_monotonic_ms() >= deadline);
		probe = !due && !e->fetch_wanted && e->status.state == SYNC_ONLINE &&
		        e->last_contact_ms != 0 &&
		        lc_monotonic_ms() - e->last_contact_ms >= LIVENESS_MS;
		e->requested = false;
		pthread_mutex_unlock(&e->lock);
		/* Gone: retry on the back-off's schedule, as after a failed sync. */
		if (probe && probe_server(e) == -LC_ENET)
			deadline = lc_monotonic_ms() + sync_backoff_next(&backoff);
		if (due) {
			rc = sync_engine_run(e, false, &cause);
			free(cause);
			if (rc == 0) {
				sync_backoff_reset(&backoff);
				deadline = lc_monotonic_ms() + (int64_t)e->interval_s * 1000;
			} else if (rc == -LC_EAUTH) {
				deadline = -1; /* waits for a request after `login` */
			} else {
				deadline = lc_monotonic_ms() + sync_backoff_next(&backoff);
			}
		}
		sync_fetch_run_waiting(e);
		pthread_mutex_lock(&e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

int
sync_engine_start(struct sync_engine *e, int interval_s)
{
	int err;

	if (e->started)
		return 0;
	e->interval_s = interval_s > 0 ? interval_s : 60;
	err = pthread_create(&e->thread, NULL, thread_main, e);
	if (err != 0) {
		errno = err;
		return -LC_EIO;
	}
	e->started = true;
	return 0;
}

void
sync_engine_request(struct sync_engine *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	e->requested = true;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

void
sync_engine_status(struct sync_engine *e, struct sync_status *out)
{
	memset(out, 0, sizeof(*out));
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	*out = e->status;
	pthread_mutex_unlock(&e->lock);
}

uint64_t
sync_engine_generation(struct sync_engine *e)
{
	uint64_t g;

	if (e == NULL)
		return 0;
	pthread_mutex_lock(&e->lock);
	g = e->generation;
	pthread_mutex_unlock(&e->lock);
	return g;
}
