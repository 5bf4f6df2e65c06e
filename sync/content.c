/* SPDX-License-Identifier: MIT */
/*
 * The engine's side of kiosk mode's shared content store (store/content.h; docs/sync.md
 * "Kiosk: shared content"): a plain learner's profile starts a course scope from the copy
 * another profile of this kiosk already pulled, and the server sends only what changed
 * since; after its sync it gives back what it holds newer.
 *
 * Only scopes the server listed for this user in the answer just applied are seeded, so
 * nothing the user may not read reaches their replica: the server ignores the cursor of a
 * scope it does not list, and the client would drop the scope only at the next answer.
 * The one exception is "catalog", which anyone may read (API.md, Roles): a profile that
 * never synced seeds it first, so that its first request stands at one cursor, goes in the
 * compact form, and is answered (the hash names only "catalog") with the scope list and no
 * changes. Without a catalog to seed, the first request asks for one change instead
 * (e->content.probe). Either way the course content waits for the scope list. So does a
 * round that pushes an enrollment: lecternd would answer it with the new course from 0 in
 * the same answer, so that round asks for one change, and the new scope is seeded.
 *
 * A scope the answer resets (a purged cursor) is never seeded in the same sync, nor is one
 * seeded twice, so a shared copy the server refuses costs one extra download, never a loop.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/content.h"
#include "sync/engine-int.h"

static bool
tried(const struct sync_engine *e, const char *scope)
{
	for (size_t i = 0; i < e->content.n_tried; i++)
		if (strcmp(e->content.tried[i], scope) == 0)
			return true;
	return false;
}

static void
mark_tried(struct sync_engine *e, const char *scope)
{
	if (tried(e, scope))
		return;
	e->content.tried =
	    lc_realloc(e->content.tried, (e->content.n_tried + 1) * sizeof(*e->content.tried));
	e->content.tried[e->content.n_tried++] = lc_strdup(scope);
}

static void
forget_tried(struct sync_engine *e)
{
	for (size_t i = 0; i < e->content.n_tried; i++)
		free(e->content.tried[i]);
	free(e->content.tried);
	e->content.tried = NULL;
	e->content.n_tried = 0;
}

/* Seeds the scopes; false (and the store off for this sync) when that failed. */
static bool
seed(struct sync_engine *e, const char *const *scopes, size_t n, size_t *seeded)
{
	char *cause = NULL;
	int rc = store_content_seed(e->db, e->content.path, scopes, n, seeded, &cause);

	if (rc != 0) {
		lc_log(LC_LOG_WARN, "sync: not using the shared content store: %s",
		       cause != NULL ? cause : "failed");
		e->content.on = false;
	}
	free(cause);
	return rc == 0;
}

void
sync_content_begin(struct sync_engine *e)
{
	static const char *const catalog[] = {"catalog"};
	struct store_cursor *cursors = NULL;
	size_t n = 0, seeded = 0;
	bool plain = false;

	forget_tried(e);
	e->content.on = false;
	e->content.probe = false;
	if (e->content.path == NULL || store_content_plain_learner(e->db, &plain) != 0 || !plain)
		return;
	e->content.on = true;
	if (store_cursor_list(e->db, &cursors, &n) != 0) {
		e->content.on = false;
		return;
	}
	store_cursor_list_free(cursors, n);
	/* A replica that synced before learns new scopes from the answers. */
	if (n > 0 || access(e->content.path, F_OK) != 0)
		return;
	mark_tried(e, "catalog");
	if (!seed(e, catalog, 1, &seeded))
		return;
	e->content.probe = seeded == 0;
	lc_log(LC_LOG_INFO, "sync: first sync from the shared content store (%s)",
	       seeded > 0 ? "catalog seeded" : "asking for the scopes first");
}

bool
sync_content_probe(const struct sync_engine *e, const struct store_outbox_entry *entries, size_t n)
{
	if (e->content.probe)
		return true;
	for (size_t i = 0; e->content.on && i < n; i++)
		if (strcmp(entries[i].method, "POST") == 0 &&
		    strcmp(entries[i].path, "/api/v1/enrollments") == 0)
			return true;
	return false;
}

void
sync_content_after_round(struct sync_engine *e, const struct sync_response *res, bool *again)
{
	const char **want;
	size_t n = 0, seeded = 0;

	if (!e->content.on || res->scopes == NULL || res->n_scopes == 0)
		return;
	for (size_t i = 0; i < res->n_resets; i++)
		mark_tried(e, res->resets[i]);
	want = lc_calloc(res->n_scopes + 1, sizeof(*want));
	for (size_t i = 0; i < res->n_scopes; i++)
		if (store_content_scope(res->scopes[i]) && !tried(e, res->scopes[i]))
			want[n++] = res->scopes[i];
	if (n > 0 && seed(e, want, n, &seeded)) {
		for (size_t i = 0; i < n; i++)
			mark_tried(e, want[i]);
		if (seeded > 0) {
			lc_log(LC_LOG_INFO, "sync: %zu scopes from the shared content store",
			       seeded);
			*again = true; /* what changed since the shared copies */
		}
	}
	free(want);
}

void
sync_content_end(struct sync_engine *e, int rc)
{
	char *cause = NULL;
	size_t fed = 0;

	if (rc == 0 && e->content.on &&
	    store_content_feed(e->content.path, e->db_path, &fed, &cause) != 0)
		lc_log(LC_LOG_WARN, "sync: cannot feed the shared content store: %s",
		       cause != NULL ? cause : "failed");
	else if (fed > 0)
		lc_log(LC_LOG_INFO, "sync: %zu scopes given to the shared content store", fed);
	free(cause);
	forget_tried(e);
	e->content.on = false;
	e->content.probe = false;
}
