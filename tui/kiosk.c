/* SPDX-License-Identifier: MIT */
/*
 * Sign-in and sign-out with profiles, for app.c and cli.c alike (see kiosk.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/content.h"
#include "store/profile.h"
#include "store/replica.h"
#include "tui/kiosk.h"

void
tui_kiosk_sync_options(enum tui_kiosk kiosk, const char *data_dir, const char *db_path,
                       const char *server_url, struct sync_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->db_path = db_path;
	opts->server_url = server_url;
	/* Course content is downloaded once for every profile of a kiosk (issue 13, item 6). */
	if (kiosk != TUI_KIOSK_OFF && data_dir != NULL)
		opts->content_path = lc_asprintf("%s/content.db", data_dir);
}

void
tui_kiosk_sync_options_finish(struct sync_options *opts)
{
	free((char *)opts->content_path);
	opts->content_path = NULL;
}

int
tui_kiosk_send_waiting(enum tui_kiosk kiosk, const char *data_dir, const char *db_path,
                       const char *server_url, char **lost, int64_t *n_lost, char **cause)
{
	struct sync_options opts;
	struct sync_engine *engine = NULL;
	struct store_db *db = NULL;
	int64_t waiting = 0;
	int rc;

	*lost = NULL;
	*n_lost = 0;
	rc = store_replica_open(db_path, &db, cause);
	if (rc == 0)
		rc = store_outbox_count(db, &waiting);
	store_db_close(db);
	db = NULL;
	if (rc < 0 || waiting == 0)
		return rc;
	tui_kiosk_sync_options(kiosk, data_dir, db_path, server_url, &opts);
	rc = sync_engine_create(&opts, &engine, cause);
	tui_kiosk_sync_options_finish(&opts);
	if (rc == 0)
		rc = sync_engine_run(engine, false, cause);
	sync_engine_destroy(engine);
	if (rc < 0)
		lc_log(LC_LOG_WARN, "kiosk: cannot send the waiting writes before signing out: %s",
		       cause != NULL && *cause != NULL ? *cause : "");
	/* What is left, whatever the sync said: rejected writes are issues, not waiting. */
	if (store_replica_open(db_path, &db, NULL) == 0) {
		if (store_waiting_describe(db, lost, n_lost) < 0)
			*lost = NULL;
		store_db_close(db);
	}
	if (*n_lost == 0) {
		free(*lost);
		*lost = NULL;
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		return 0;
	}
	return rc < 0 ? rc : lc_cause_set(cause, -LC_ENET, "some writes are still waiting");
}

char *
tui_kiosk_profile_id(const char *data_dir, const char *db_path)
{
	size_t n = strlen(data_dir);
	const char *rest;
	char *id;

	if (strncmp(db_path, data_dir, n) != 0 || strncmp(db_path + n, "/profiles/", 10) != 0)
		return NULL;
	rest = db_path + n + 10;
	id = lc_strndup(rest, strcspn(rest, "/"));
	if (!store_profile_id_valid(id) || strcmp(rest + strlen(id), "/replica.db") != 0) {
		free(id);
		return NULL;
	}
	return id;
}

int
tui_kiosk_sign_out(enum tui_kiosk kiosk, const char *data_dir, const char *db_path, char **cause)
{
	char *id;
	int rc = sync_logout(db_path, NULL, cause);

	if (rc < 0 || kiosk != TUI_KIOSK_WIPE)
		return rc;
	id = tui_kiosk_profile_id(data_dir, db_path);
	if (id == NULL)
		return lc_cause_set(cause, -LC_EINVAL, "%s is not a kiosk profile", db_path);
	rc = store_profile_wipe(data_dir, id, cause);
	if (rc == 0)
		lc_log(LC_LOG_INFO, "kiosk: wiped the profile %s", id);
	/* Their forum posts live in the shared content store's courses too: those go. */
	if (rc == 0) {
		char *content = lc_asprintf("%s/content.db", data_dir);
		size_t dropped = 0;

		rc = store_content_forget_user(content, id, &dropped, cause);
		if (rc == 0 && dropped > 0)
			lc_log(LC_LOG_INFO, "kiosk: %zu shared courses held their posts; dropped",
			       dropped);
		free(content);
	}
	free(id);
	return rc;
}

int
tui_kiosk_sign_out_background(const char *data_dir, const char *db_path, const char *server_url,
                              char **cause)
{
	char *lost = NULL, *why = NULL;
	int64_t n_lost = 0;
	int rc = tui_kiosk_send_waiting(TUI_KIOSK_KEEP, data_dir, db_path, server_url, &lost,
	                                &n_lost, &why);

	free(why);
	if (rc < 0 && n_lost > 0) {
		lc_log(LC_LOG_INFO, "kiosk: %s wait for the background sync", lost);
		free(lost);
		return sync_logout_deferred(db_path, cause);
	}
	free(lost);
	return tui_kiosk_sign_out(TUI_KIOSK_KEEP, data_dir, db_path, cause);
}

/* True when the profile at path waits for a background round. */
static bool
revoke_pending(const char *path)
{
	struct store_db *db = NULL;
	char *v = NULL;
	bool pending;

	if (store_replica_open(path, &db, NULL) < 0)
		return false;
	pending = store_setting_get(db, "revoke_pending", &v) == 0 && v != NULL;
	free(v);
	store_db_close(db);
	return pending;
}

int
tui_kiosk_background_round(const char *data_dir, const char *server_url, int *done, char **cause)
{
	char **ids = NULL;
	size_t n = 0;
	int rc = store_profile_list(data_dir, &ids, &n, cause), first = 0;

	if (done != NULL)
		*done = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *path = NULL, *lost = NULL, *why = NULL;
		int64_t n_lost = 0;
		int r;

		if (!store_profile_exists(data_dir, ids[i]) ||
		    store_profile_paths(data_dir, ids[i], NULL, &path, NULL) < 0 ||
		    !revoke_pending(path)) {
			free(path);
			continue;
		}
		r = tui_kiosk_send_waiting(TUI_KIOSK_KEEP, data_dir, path, server_url, &lost,
		                           &n_lost, &why);
		if (r == 0 && n_lost == 0 && revoke_pending(path))
			r = sync_logout(path, NULL, &why);
		if (r == 0 && done != NULL)
			(*done)++;
		if (r < 0 && first == 0) {
			first = r;
			lc_cause_set(cause, r, "%s: %s", ids[i], why != NULL ? why : "error");
		}
		free(why);
		free(lost);
		free(path);
	}
	store_profile_list_free(ids, n);
	return rc < 0 ? rc : first;
}
