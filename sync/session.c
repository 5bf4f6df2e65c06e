/* SPDX-License-Identifier: MIT */
/*
 * The session: server URL, tokens and client id kept in the replica's settings; login,
 * logout and the one refresh that a 401 earns. A failed refresh keeps every queued write:
 * the user logs in again and the outbox goes out as it was.
 *
 * /sync itself never earns that 401 for an expired access token (issue 10, cause 7): the
 * replica keeps when the token expires ("access_expires", this machine's clock: the time
 * the request that got it was sent plus its expires_in, so the two clocks never meet), and
 * a /sync sent after that, or within SYNC_TOKEN_MARGIN_S of it, carries the refresh token
 * in Lectern-Refresh; the server rotates and answers the new pair with the sync.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/profile.h"
#include "sync/engine-int.h"
#include "sync/offline.h"

static char *
trim_url(const char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		n--;
	return lc_strndup(url, n);
}

static int
ensure_client_id(struct store_db *db, struct sync_session *s)
{
	char id[LC_UUID_LEN + 1];
	int rc = store_setting_get(db, "client_id", &s->client_id);

	if (rc < 0 || s->client_id != NULL)
		return rc;
	lc_uuid_new(id);
	s->client_id = lc_strdup(id);
	return store_setting_set(db, "client_id", id);
}

/* access_expires from the settings; 0 (unknown) when absent or not a number. */
static int
load_expiry(struct store_db *db, struct sync_session *s)
{
	char *text = NULL, *end = NULL;
	long long v;
	int rc = store_setting_get(db, "access_expires", &text);

	s->access_expires = 0;
	if (rc < 0 || text == NULL)
		return rc;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno == 0 && end != text && *end == '\0' && v > 0)
		s->access_expires = v;
	free(text);
	return 0;
}

int
sync_session_load(struct store_db *db, const char *override_url, struct sync_session *s,
                  char **cause)
{
	char *url = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = store_setting_get(db, "server_url", &url);
	if (rc == 0)
		rc = store_setting_get(db, "access_token", &s->access_token);
	if (rc == 0)
		rc = store_setting_get(db, "refresh_token", &s->refresh_token);
	if (rc == 0)
		rc = load_expiry(db, s);
	if (rc == 0)
		rc = ensure_client_id(db, s);
	if (rc < 0) {
		free(url);
		sync_session_finish(s);
		return lc_cause_set(cause, rc, "cannot read the session: %s",
		                    store_db_error(db)->message);
	}
	if (override_url != NULL && override_url[0] != '\0')
		s->server_url = trim_url(override_url);
	else if (url != NULL)
		s->server_url = trim_url(url);
	free(url);
	if (s->server_url == NULL) {
		sync_session_finish(s);
		return lc_cause_set(cause, -LC_EINVAL, "no server: use --server URL or log in");
	}
	return 0;
}

void
sync_session_finish(struct sync_session *s)
{
	if (s == NULL)
		return;
	free(s->server_url);
	free(s->access_token);
	free(s->refresh_token);
	free(s->client_id);
	memset(s, 0, sizeof(*s));
}

char *
sync_error_message(const char *body)
{
	cJSON *root = body != NULL ? cJSON_Parse(body) : NULL;
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	char *out = cJSON_IsString(msg) ? lc_strdup(msg->valuestring) : NULL;

	cJSON_Delete(root);
	return out;
}

static const char *
json_str(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * Stores the token pair of a login or refresh answer (or of a /sync answer's "auth"), and
 * when the access token expires: sent (when the request left, this clock) plus
 * expires_in, which is never later than the server's expiry. Unknown without expires_in.
 */
static int
save_tokens(struct store_db *db, const cJSON *root, struct sync_session *s, int64_t sent)
{
	const char *access = json_str(root, "access_token");
	const char *refresh = json_str(root, "refresh_token");
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
	int64_t expires = 0;
	char text[24];
	int rc;

	if (access == NULL || refresh == NULL)
		return -LC_EPROTO;
	if (cJSON_IsNumber(ttl) && ttl->valuedouble >= 0 && ttl->valuedouble < 1e9)
		expires = sent + (int64_t)ttl->valuedouble;
	rc = store_setting_set(db, "access_token", access);
	if (rc == 0)
		rc = store_setting_set(db, "refresh_token", refresh);
	if (rc == 0 && expires > 0) {
		snprintf(text, sizeof(text), "%" PRId64, expires);
		rc = store_setting_set(db, "access_expires", text);
	} else if (rc == 0) {
		rc = store_setting_delete(db, "access_expires");
	}
	if (rc == 0 && s != NULL) {
		free(s->access_token);
		free(s->refresh_token);
		s->access_token = lc_strdup(access);
		s->refresh_token = lc_strdup(refresh);
		s->access_expires = expires;
	}
	return rc;
}

/* save_tokens() in a transaction of its own: the pair lands whole or not at all. */
static int
save_tokens_tx(struct store_db *db, const cJSON *root, struct sync_session *s, int64_t sent)
{
	int rc = store_db_begin(db);

	if (rc < 0)
		return rc;
	rc = save_tokens(db, root, s, sent);
	if (rc == 0)
		rc = store_db_commit(db);
	if (rc < 0)
		store_db_rollback(db);
	if (rc == 0) /* a shorter or no offline period (issue 13) */
		sync_offline_after_refresh(db, root, sent);
	return rc;
}

static int
refresh(struct sync_http *http, struct store_db *db, struct sync_session *s, char **cause)
{
	struct sync_http_response res;
	cJSON *body, *root;
	char *text, *url;
	int64_t sent;
	int rc;

	if (s->refresh_token == NULL)
		return lc_cause_set(cause, -LC_EAUTH, "not logged in: run `lectern login USER`");
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "refresh_token", s->refresh_token);
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	url = lc_asprintf("%s/api/v1/auth/refresh", s->server_url);
	sent = lc_now();
	rc = sync_http_request(http, "POST", url, NULL, text, &res, cause);
	free(url);
	free(text);
	if (rc < 0)
		return rc;
	if (res.status != 200) {
		lc_log(LC_LOG_WARN, "sync: refresh refused with %ld", res.status);
		/* The session is gone (revoked, expired): so is offline sign-in (issue 13). */
		if (res.status == 401 || res.status == 403)
			sync_offline_forget(db);
		rc = lc_cause_set(cause, res.status >= 500 ? -LC_ENET : -LC_EAUTH,
		                  res.status >= 500
		                      ? "server error %ld while refreshing the session"
		                      : "session expired (%ld): run `lectern login USER`",
		                  res.status);
	} else {
		root =
		    cJSON_ParseWithLength(res.body.data != NULL ? res.body.data : "", res.body.len);
		rc = save_tokens_tx(db, root, s, sent);
		cJSON_Delete(root);
		if (rc < 0)
			rc = lc_cause_set(cause, rc, "cannot keep the refreshed session");
	}
	sync_http_response_finish(&res);
	return rc;
}

/* After a 401 in res: refreshes the tokens once (saving the new pair) and sends again. */
static int
refresh_and_retry(struct sync_http *http, struct store_db *db, struct sync_session *s,
                  const char *method, const char *url, const char *body,
                  struct sync_http_response *res, char **cause)
{
	int rc;

	sync_http_response_finish(res);
	rc = refresh(http, db, s, cause);
	if (rc == 0)
		rc = sync_http_request(http, method, url, s->access_token, body, res, cause);
	if (rc == 0 && res->status == 401) {
		sync_http_response_finish(res);
		rc = lc_cause_set(cause, -LC_EAUTH, "the server refused the session: log in again");
	}
	return rc;
}

int
sync_session_request(struct sync_http *http, struct store_db *db, struct sync_session *s,
                     const char *method, const char *path, const char *body,
                     struct sync_http_response *res, char **cause)
{
	char *url = lc_asprintf("%s%s", s->server_url, path);
	int rc;

	if (s->access_token == NULL && s->refresh_token == NULL) {
		free(url);
		return lc_cause_set(cause, -LC_EAUTH, "not logged in: run `lectern login USER`");
	}
	rc = sync_http_request(http, method, url, s->access_token, body, res, cause);
	if (rc == 0 && res->status == 401)
		rc = refresh_and_retry(http, db, s, method, url, body, res, cause);
	free(url);
	return rc;
}

/* True when the access token has expired or will within the margin, or nobody knows. */
static bool
access_stale(const struct sync_session *s)
{
	return s->access_token == NULL || s->access_expires <= 0 ||
	       lc_now() + SYNC_TOKEN_MARGIN_S >= s->access_expires;
}

/*
 * Stores the pair of a /sync answer's "auth", when it has one. Looked for only in answers
 * to a request that offered the refresh token (once per access token's life), so the
 * answer is parsed twice only then.
 */
static int
take_sync_pair(struct store_db *db, struct sync_session *s, const struct sync_http_response *res,
               int64_t sent, char **cause)
{
	static const char key[] = "\"auth\"";
	const cJSON *auth;
	cJSON *root;
	int rc;

	if (res->body.data == NULL ||
	    memmem(res->body.data, res->body.len, key, sizeof(key) - 1) == NULL)
		return 0;
	root = cJSON_ParseWithLength(res->body.data, res->body.len);
	auth = cJSON_GetObjectItemCaseSensitive(root, "auth");
	if (!cJSON_IsObject(auth)) {
		cJSON_Delete(root);
		return 0; /* "auth" inside some doc of the answer, not at its top */
	}
	rc = save_tokens_tx(db, auth, s, sent);
	cJSON_Delete(root);
	if (rc < 0)
		return lc_cause_set(cause, rc, "cannot keep the refreshed session: %s",
		                    rc == -LC_EPROTO ? "the server's \"auth\" has no token pair"
		                                     : store_db_error(db)->message);
	lc_log(LC_LOG_INFO, "sync: the session was refreshed with the sync");
	return 0;
}

/* One POST /sync, offering the refresh token when the access token is stale. */
static int
post_sync_once(struct sync_http *http, struct store_db *db, struct sync_session *s, const char *url,
               const char *body, struct sync_http_response *res, char **cause)
{
	const char *offer = access_stale(s) ? s->refresh_token : NULL;
	int64_t sent = lc_now();
	int rc =
	    sync_http_request_refresh(http, "POST", url, s->access_token, offer, body, res, cause);

	/* Any answer may carry the pair (a rotation that met a bad body, a 5xx): keep it. */
	if (rc == 0 && offer != NULL) {
		rc = take_sync_pair(db, s, res, sent, cause);
		if (rc < 0)
			sync_http_response_finish(res);
	}
	return rc;
}

int
sync_session_post_sync(struct sync_http *http, struct store_db *db, struct sync_session *s,
                       const char *body, struct sync_http_response *res, char **cause)
{
	char *url;
	int rc;

	if (s->access_token == NULL && s->refresh_token == NULL)
		return lc_cause_set(cause, -LC_EAUTH, "not logged in: run `lectern login USER`");
	url = lc_asprintf("%s/api/v1/sync", s->server_url);
	rc = post_sync_once(http, db, s, url, body, res, cause);
	/* A server without the extension, or a clock far off: the old way, once. */
	if (rc == 0 && res->status == 401) {
		sync_http_response_finish(res);
		rc = refresh(http, db, s, cause);
		if (rc == 0)
			rc = post_sync_once(http, db, s, url, body, res, cause);
		if (rc == 0 && res->status == 401) {
			sync_http_response_finish(res);
			rc = lc_cause_set(cause, -LC_EAUTH,
			                  "the server refused the session: log in again");
		}
	}
	free(url);
	return rc;
}

/*
 * Who the server says signed in, with their global role and department roles as received
 * (issue 13: only a plain learner feeds the kiosk's shared content store).
 */
static int
save_user(struct store_db *db, const cJSON *user)
{
	const char *role = json_str(user, "role");
	const cJSON *depts = cJSON_GetObjectItemCaseSensitive(user, "departments");
	char *text = cJSON_IsArray(depts) ? cJSON_PrintUnformatted(depts) : NULL;
	int rc = store_setting_set(db, "user_id", json_str(user, "id"));

	if (rc == 0)
		rc = store_setting_set(db, "username", json_str(user, "username"));
	if (rc == 0)
		rc = role != NULL ? store_setting_set(db, "user_role", role)
		                  : store_setting_delete(db, "user_role");
	if (rc == 0)
		/* No list in the answer: "" reads as staff, never as a plain learner. */
		rc = store_setting_set(db, "user_departments", text != NULL ? text : "");
	free(text);
	return rc;
}

static int
save_login(struct store_db *db, const char *url, const cJSON *root, int64_t sent, char **cause)
{
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(root, "user");
	const char *user_id = json_str(user, "id");
	char *old = NULL;
	int rc;

	if (user_id == NULL || json_str(user, "username") == NULL)
		return lc_cause_set(cause, -LC_EPROTO, "the login answer has no user");
	rc = store_db_begin(db);
	if (rc < 0)
		return lc_cause_set(cause, rc, "%s", store_db_error(db)->message);
	/* switch_user() emptied a replica of someone else: never save over their rows. */
	rc = store_setting_get(db, "user_id", &old);
	if (rc == 0 && old != NULL && strcmp(old, user_id) != 0)
		rc =
		    lc_cause_set(cause, -LC_EPERM, "this replica changed hands during the sign-in");
	free(old);
	if (rc == 0)
		rc = store_setting_set(db, "server_url", url);
	if (rc == 0)
		rc = save_user(db, user);
	if (rc == 0)
		rc = store_setting_delete(db, "signed_out");
	if (rc == 0) /* a new session: never revoked by a background round */
		rc = store_setting_delete(db, "revoke_pending");
	if (rc == 0)
		rc = save_tokens(db, root, NULL, sent);
	if (rc == 0)
		rc = store_db_commit(db);
	if (rc < 0) {
		store_db_rollback(db);
		if (cause != NULL && *cause == NULL)
			lc_cause_set(cause, rc, "cannot keep the session: %s",
			             store_db_error(db)->message);
	}
	return rc;
}

/*
 * A replica changing hands (issue 13; mission review 2026-11-29, B4): the last user's rows
 * must not be shown to the next one, and their waiting writes must neither be sent as the
 * next one nor block them. Those writes go with the whole replica to the last user's profile
 * (park) or are discarded, as the caller decided; then the replica is scrubbed. A user whose
 * replica was parked here before gets it back.
 */
static int
switch_user(struct store_db *db, const char *data_dir, const char *user_id,
            enum sync_other_writes other, char **cause)
{
	char *old = NULL, *old_name = NULL;
	int64_t waiting = 0;
	int rc = store_setting_get(db, "user_id", &old);

	if (rc == 0)
		rc = store_setting_get(db, "username", &old_name);
	if (rc < 0)
		goto db_error;
	if (old != NULL && strcmp(old, user_id) != 0) {
		rc = store_outbox_count(db, &waiting);
		if (rc < 0)
			goto db_error;
		if (waiting > 0 && other == SYNC_OTHER_REFUSE) {
			rc = lc_cause_set(cause, -LC_EPERM,
			                  "this replica holds %lld waiting writes of %s: keep them "
			                  "for %s or discard them",
			                  (long long)waiting, old_name ? old_name : old,
			                  old_name ? old_name : old);
			goto out;
		}
		if (waiting > 0 && other == SYNC_OTHER_PARK) {
			rc = store_profile_park(db, data_dir, old, cause);
			if (rc < 0)
				goto out;
			lc_log(LC_LOG_INFO, "sync: parked %lld waiting writes of %s",
			       (long long)waiting, old);
		} else if (waiting > 0) {
			lc_log(LC_LOG_INFO, "sync: discarding %lld waiting writes of %s",
			       (long long)waiting, old);
		}
		rc = store_replica_scrub(db);
		if (rc < 0)
			goto db_error;
		free(old);
		old = NULL;
	}
	if (old == NULL && store_profile_exists(data_dir, user_id)) {
		rc = store_profile_restore(db, data_dir, user_id, cause);
		if (rc == 0)
			lc_log(LC_LOG_INFO, "sync: restored the parked replica of %s", user_id);
	}
	goto out;
db_error:
	rc = lc_cause_set(cause, rc, "%s", store_db_error(db)->message);
out:
	free(old);
	free(old_name);
	return rc;
}

static int
post_login(struct sync_http *http, const char *url, const char *username, const char *password,
           struct sync_http_response *res, char **cause)
{
	cJSON *body = cJSON_CreateObject();
	char *text, *full = lc_asprintf("%s/api/v1/auth/token", url);
	int rc;

	cJSON_AddStringToObject(body, "username", username);
	cJSON_AddStringToObject(body, "password", password);
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	rc = sync_http_request(http, "POST", full, NULL, text, res, cause);
	/* The password must not linger in freed memory longer than needed. */
	explicit_bzero(text, strlen(text));
	free(text);
	free(full);
	return rc;
}

int
sync_login(const char *db_path, const char *server_url, const char *username, const char *password,
           const char *ca_file, char **cause)
{
	return sync_login_watched(db_path, server_url, username, password, ca_file, NULL, cause);
}

/* True once the watcher abandoned the sign-in. */
static bool
login_cancelled(struct sync_login_watch *watch)
{
	return watch != NULL && atomic_load(&watch->cancel);
}

int
sync_login_watched(const char *db_path, const char *server_url, const char *username,
                   const char *password, const char *ca_file, struct sync_login_watch *watch,
                   char **cause)
{
	struct sync_login_options opts = {.ca_file = ca_file, .watch = watch};

	return sync_login_with(db_path, server_url, username, password, &opts, NULL, cause);
}

/*
 * A sign-in refused with 401 (the password changed, or the account went): the offline
 * verifier of that username must not outlive it, in the replica and in their profile.
 * Best effort: a replica that cannot be opened keeps a verifier that expires by itself.
 */
static void
forget_refused_verifier(const char *db_path, const char *data_dir, bool kiosk, const char *username)
{
	struct store_db *db = NULL;
	char *user_id = NULL;

	if (!kiosk && store_replica_open(db_path, &db, NULL) == 0)
		sync_offline_forget_user(db, username);
	store_db_close(db);
	db = NULL;
	if (store_profile_find_user(data_dir, username, &user_id, NULL) == 0 &&
	    store_profile_open(data_dir, user_id, &db, NULL) == 0)
		sync_offline_forget_user(db, username);
	store_db_close(db);
	free(user_id);
}

/* dirname(db_path), for the profiles beside a replica. Caller frees. */
static char *
folder_of(const char *db_path)
{
	const char *slash = strrchr(db_path, '/');

	if (slash == NULL)
		return lc_strdup(".");
	if (slash == db_path)
		return lc_strdup("/");
	return lc_strndup(db_path, (size_t)(slash - db_path));
}

/*
 * Opens the replica the answer's user signs in to and readies it: in kiosk mode their own
 * profile (created on their first sign-in); else db_path, after switch_user().
 */
static int
open_for_user(const char *db_path, const char *data_dir, const struct sync_login_options *opts,
              const cJSON *root, struct store_db **db, char **used, char **cause)
{
	const char *user_id = json_str(cJSON_GetObjectItemCaseSensitive(root, "user"), "id");
	int rc;

	if (user_id == NULL)
		return lc_cause_set(cause, -LC_EPROTO, "the login answer has no user");
	if (opts->kiosk) {
		rc = store_profile_open(data_dir, user_id, db, cause);
		if (rc == 0)
			rc = store_profile_paths(data_dir, user_id, NULL, used, cause);
		return rc;
	}
	rc = store_replica_open(db_path, db, cause);
	if (rc == 0)
		rc = switch_user(*db, data_dir, user_id, opts->other_writes, cause);
	if (rc == 0)
		*used = lc_strdup(db_path);
	return rc;
}

int
sync_login_with(const char *db_path, const char *server_url, const char *username,
                const char *password, const struct sync_login_options *opts, char **db_path_used,
                char **cause)
{
	struct sync_login_watch *watch = opts->watch;
	atomic_bool connected = false;
	struct sync_http_options hopts = {
	    .ca_file = opts->ca_file,
	    .cancel = watch != NULL ? &watch->cancel : NULL,
	    .connected = watch != NULL ? &watch->connected : &connected,
	};
	struct sync_http_response res = {0};
	struct sync_http *http = NULL;
	struct store_db *db = NULL;
	char *url = NULL, *msg, *data_dir, *used = NULL;
	cJSON *root = NULL;
	int64_t sent;
	int rc = 0;

	if (db_path_used != NULL)
		*db_path_used = NULL;
	if (server_url == NULL || server_url[0] == '\0')
		return lc_cause_set(cause, -LC_EINVAL, "no server: use --server URL");
	if (opts->data_dir == NULL && (opts->kiosk || db_path == NULL))
		return lc_cause_set(cause, -LC_EINVAL, "a kiosk sign-in needs the data directory");
	url = trim_url(server_url);
	data_dir = opts->data_dir != NULL ? lc_strdup(opts->data_dir) : folder_of(db_path);
	/* A replica that cannot be opened is said before the password travels. */
	if (!opts->kiosk) {
		rc = store_replica_open(db_path, &db, cause);
		store_db_close(db);
		db = NULL;
	}
	if (rc == 0)
		rc = sync_http_create(&hopts, &http, cause);
	sent = lc_now();
	if (rc == 0) {
		char *net = NULL;

		rc = post_login(http, url, username, password, &res, &net);
		/* Who failed says what to do: a cancel, an address, or a server to wait for. */
		if (rc == -LC_ENET && login_cancelled(watch))
			lc_cause_set(cause, rc, "sign-in cancelled");
		else if (rc == -LC_ENET && atomic_load(hopts.connected))
			lc_cause_set(cause, rc,
			             "the server is slow: it took the connection but did not "
			             "answer (%s)",
			             net != NULL ? net : "no answer");
		else if (rc == -LC_ENET)
			lc_cause_set(cause, rc, "the server is unreachable (%s)",
			             net != NULL ? net : "no connection");
		else if (rc < 0 && cause != NULL)
			*cause = lc_strdup(net);
		free(net);
	}
	if (rc == 0 && login_cancelled(watch))
		rc = lc_cause_set(cause, -LC_ENET, "sign-in cancelled");
	if (rc < 0)
		goto out;
	if (res.status != 200) {
		/* The password may have changed: the offline verifier must not outlive it. */
		if (res.status == 401)
			forget_refused_verifier(db_path, data_dir, opts->kiosk, username);
		msg = sync_error_message(res.body.data);
		rc = lc_cause_set(cause, res.status >= 500 ? -LC_ENET : -LC_EAUTH,
		                  "login refused (%ld): %s", res.status,
		                  msg != NULL ? msg : "no message");
		free(msg);
		goto out;
	}
	root = cJSON_ParseWithLength(res.body.data != NULL ? res.body.data : "", res.body.len);
	rc = open_for_user(db_path, data_dir, opts, root, &db, &used, cause);
	if (rc == 0)
		rc = save_login(db, url, root, sent, cause);
	if (rc == 0) /* issue 13; a failure only costs offline sign-in, and is logged */
		sync_offline_after_login(db, root, password, sent);
	if (rc == 0 && db_path_used != NULL) {
		*db_path_used = used;
		used = NULL;
	}
out:
	cJSON_Delete(root);
	sync_http_response_finish(&res);
	sync_http_destroy(http);
	store_db_close(db);
	free(used);
	free(data_dir);
	free(url);
	return rc;
}

bool
sync_signed_out(struct store_db *db)
{
	char *v = NULL;
	bool out = store_setting_get(db, "signed_out", &v) < 0 || v != NULL;

	free(v);
	return out;
}

int
sync_logout(const char *db_path, const char *ca_file, char **cause)
{
	struct sync_http_options hopts = {.ca_file = ca_file, .connect_timeout_s = 5};
	struct sync_http_response res = {0};
	struct sync_session s = {0};
	struct sync_http *http = NULL;
	struct store_db *db = NULL;
	char *user = NULL;
	int rc = store_replica_open(db_path, &db, cause);

	if (rc < 0)
		return rc;
	/*
	 * Revoking is a courtesy to the server: offline, the tokens are forgotten anyway. An
	 * expired access token is refreshed first, so the refresh token is the one revoked.
	 */
	if (sync_session_load(db, NULL, &s, NULL) == 0 &&
	    (s.access_token != NULL || s.refresh_token != NULL) &&
	    sync_http_create(&hopts, &http, NULL) == 0) {
		if (sync_session_request(http, db, &s, "POST", "/api/v1/auth/logout", "{}", &res,
		                         NULL) == 0)
			lc_log(LC_LOG_INFO, "sync: logout answered %ld", res.status);
		sync_http_response_finish(&res);
	}
	/*
	 * The offline verifier stays (issue 13): the same person may sign in again while the
	 * server is away; a wipe removes it with the profile, a revoked session or a refused
	 * password forgets it at the next contact.
	 */
	rc = store_db_begin(db);
	if (rc == 0)
		rc = store_setting_delete(db, "access_token");
	if (rc == 0)
		rc = store_setting_delete(db, "refresh_token");
	if (rc == 0)
		rc = store_setting_delete(db, "access_expires");
	if (rc == 0)
		rc = store_setting_delete(db, "revoke_pending");
	/* Locked until the same user signs in again (B4): nobody writes as them meanwhile. */
	if (rc == 0 && store_setting_get(db, "user_id", &user) == 0 && user != NULL)
		rc = store_setting_set(db, "signed_out", "1");
	if (rc == 0)
		rc = store_db_commit(db);
	if (rc < 0) {
		store_db_rollback(db);
		lc_cause_set(cause, rc, "cannot forget the session: %s",
		             store_db_error(db)->message);
	}
	free(user);
	sync_http_destroy(http);
	sync_session_finish(&s);
	store_db_close(db);
	return rc;
}

int
sync_logout_deferred(const char *db_path, char **cause)
{
	struct store_db *db = NULL;
	int rc = store_replica_open(db_path, &db, cause);

	if (rc < 0)
		return rc;
	rc = store_db_begin(db);
	if (rc == 0)
		rc = store_setting_delete(db, "access_token");
	if (rc == 0)
		rc = store_setting_delete(db, "access_expires");
	if (rc == 0)
		rc = store_setting_set(db, "revoke_pending", "1");
	if (rc == 0)
		rc = store_setting_set(db, "signed_out", "1");
	if (rc == 0)
		rc = store_db_commit(db);
	if (rc < 0) {
		store_db_rollback(db);
		lc_cause_set(cause, rc, "cannot sign out: %s", store_db_error(db)->message);
	}
	store_db_close(db);
	return rc;
}
