/* SPDX-License-Identifier: MIT */
/*
 * GETs of data that only the server computes (a course's students with their percent,
 * its analytics), for screens that show them with the time they were fetched. The answer
 * is kept in the replica's settings table (no schema of its own: it is a cache, replaced
 * whole by the next fetch). The TUI's fetches run on the engine's thread, after the sync
 * in flight, so that the refresh token is never rotated by two requests at once (the
 * server accepts each refresh token once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "sync/engine-int.h"

/* Keeps a 200 answer under key with who fetched it and when. */
static int
keep(struct store_db *db, const char *key, const char *user_id, int64_t at,
     const struct sync_http_response *res, char **cause)
{
	char when[LC_RFC3339_LEN + 1], *text;
	cJSON *root, *body;
	int rc;

	body = cJSON_ParseWithLength(res->body.data != NULL ? res->body.data : "", res->body.len);
	if (body == NULL)
		return lc_cause_set(cause, -LC_EPROTO, "the server's answer is not JSON");
	lc_rfc3339(at, when);
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "user_id", user_id != NULL ? user_id : "");
	cJSON_AddStringToObject(root, "fetched_at", when);
	cJSON_AddItemToObject(root, "body", body);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (text == NULL)
		return lc_cause_set(cause, -LC_ENOMEM, "out of memory keeping the answer");
	rc = store_setting_set(db, key, text);
	cJSON_free(text);
	if (rc < 0)
		return lc_cause_set(cause, rc, "cannot keep the answer: %s",
		                    store_db_error(db)->message);
	return 0;
}

/* What a status other than 200 means, as an lc_err with a sentence. */
static int
refused(const struct sync_http_response *res, const char *path, char **cause)
{
	char *msg = sync_error_message(res->body.data);
	int rc;

	switch (res->status) {
	case 401:
		rc = -LC_EAUTH;
		break;
	case 403:
		rc = -LC_EPERM;
		break;
	case 404:
		rc = -LC_ENOTFOUND;
		break;
	default:
		rc = res->status >= 500 ? -LC_ENET : -LC_EPROTO;
		break;
	}
	rc = lc_cause_set(cause, rc, "%s: %ld %s", path, res->status,
	                  msg != NULL ? msg : "from the server");
	free(msg);
	return rc;
}

int
sync_fetch(struct sync_engine *e, const char *path, const char *key, char **cause)
{
	struct sync_http_response res = {0};
	struct sync_session s = {0};
	char *user_id = NULL;
	int64_t at;
	int rc = 0;

	if (path == NULL || key == NULL || path[0] != '/')
		return lc_cause_set(cause, -LC_EINVAL, "fetch: no path or key");
	if (e->db == NULL)
		rc = store_replica_open(e->db_path, &e->db, cause);
	if (rc == 0)
		rc = sync_session_load(e->db, e->server_url, &s, cause);
	if (rc == 0)
		rc = store_setting_get(e->db, "user_id", &user_id);
	at = lc_now();
	if (rc == 0)
		rc = sync_session_request(e->http, e->db, &s, "GET", path, NULL, &res, cause);
	if (rc == 0)
		rc = res.status == 200 ? keep(e->db, key, user_id, at, &res, cause)
		                       : refused(&res, path, cause);
	if (rc < 0)
		lc_log(LC_LOG_WARN, "sync: fetch %s: %s", path,
		       cause != NULL && *cause != NULL ? *cause : lc_strerror(rc));
	sync_http_response_finish(&res);
	sync_session_finish(&s);
	free(user_id);
	return rc;
}

int
sync_engine_fetch(struct sync_engine *e, const char *path, const char *key)
{
	struct sync_fetch_slot *slot = NULL;

	if (e == NULL || path == NULL || key == NULL)
		return -LC_EINVAL;
	pthread_mutex_lock(&e->lock);
	for (int i = 0; i < SYNC_FETCH_SLOTS && slot == NULL; i++)
		if (e->fetches[i].key != NULL && strcmp(e->fetches[i].key, key) == 0)
			slot = &e->fetches[i];
	if (slot != NULL && slot->state == SYNC_FETCH_WAITING) {
		pthread_mutex_unlock(&e->lock);
		return 0;
	}
	for (int i = 0; i < SYNC_FETCH_SLOTS && slot == NULL; i++)
		if (e->fetches[i].key == NULL)
			slot = &e->fetches[i];
	for (int i = 0; i < SYNC_FETCH_SLOTS && slot == NULL; i++)
		if (e->fetches[i].state != SYNC_FETCH_WAITING)
			slot = &e->fetches[i];
	if (slot == NULL) {
		pthread_mutex_unlock(&e->lock);
		return -LC_EINVAL;
	}
	if (slot->key == NULL || strcmp(slot->key, key) != 0) {
		free(slot->key);
		slot->key = lc_strdup(key);
	}
	free(slot->path);
	slot->path = lc_strdup(path);
	slot->state = SYNC_FETCH_WAITING;
	slot->message[0] = '\0';
	e->fetch_wanted = true;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

enum sync_fetch_state
sync_engine_fetch_state(struct sync_engine *e, const char *key, char *msg, size_t size)
{
	enum sync_fetch_state state = SYNC_FETCH_NONE;

	if (msg != NULL && size > 0)
		msg[0] = '\0';
	if (e == NULL || key == NULL)
		return state;
	pthread_mutex_lock(&e->lock);
	for (int i = 0; i < SYNC_FETCH_SLOTS; i++) {
		if (e->fetches[i].key == NULL || strcmp(e->fetches[i].key, key) != 0)
			continue;
		state = e->fetches[i].state;
		if (msg != NULL && size > 0)
			snprintf(msg, size, "%s", e->fetches[i].message);
		break;
	}
	pthread_mutex_unlock(&e->lock);
	return state;
}

void
sync_fetch_run_waiting(struct sync_engine *e)
{
	for (;;) {
		char *path = NULL, *key = NULL, *cause = NULL;
		int slot = -1, rc;

		pthread_mutex_lock(&e->lock);
		for (int i = 0; i < SYNC_FETCH_SLOTS && slot < 0; i++)
			if (e->fetches[i].state == SYNC_FETCH_WAITING && !e->fetches[i].running)
				slot = i;
		if (slot < 0 || e->stopping) {
			e->fetch_wanted = false;
			pthread_mutex_unlock(&e->lock);
			return;
		}
		e->fetches[slot].running = true;
		path = lc_strdup(e->fetches[slot].path);
		key = lc_strdup(e->fetches[slot].key);
		pthread_mutex_unlock(&e->lock);

		rc = sync_fetch(e, path, key, &cause);

		pthread_mutex_lock(&e->lock);
		e->fetches[slot].running = false;
		/* Asked again meanwhile (another path under the same key): that one runs next. */
		if (e->fetches[slot].key != NULL && strcmp(e->fetches[slot].key, key) == 0 &&
		    strcmp(e->fetches[slot].path, path) == 0) {
			e->fetches[slot].state = rc == 0 ? SYNC_FETCH_DONE : SYNC_FETCH_FAILED;
			snprintf(e->fetches[slot].message, sizeof(e->fetches[slot].message), "%s",
			         rc == 0 ? "" : (cause != NULL ? cause : lc_strerror(rc)));
		}
		e->generation++;
		pthread_mutex_unlock(&e->lock);
		free(cause);
		free(path);
		free(key);
	}
}

void
sync_fetch_slots_finish(struct sync_engine *e)
{
	for (int i = 0; i < SYNC_FETCH_SLOTS; i++) {
		free(e->fetches[i].key);
		free(e->fetches[i].path);
		e->fetches[i].key = e->fetches[i].path = NULL;
	}
}
