/* SPDX-License-Identifier: MIT */
/*
 * Local writes and the outbox. A local write is one overlay change plus one outbox entry
 * in one savepoint; the server's answer to the entry (complete, fail, reject, rebase,
 * conflict) is what removes or reshapes the overlay. An overlay stays as long as an entry
 * that changed it (has_effect) is still queued.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica-int.h"
#include "store/replica.h"

#define ENTRY_COLUMNS                                                                              \
	"seq, key, method, path, body, if_match, type, res_id, scope, attempts, last_error,"       \
	" created_at, has_effect"

static void
read_entry(sqlite3_stmt *stmt, struct store_outbox_entry *e, bool *has_effect)
{
	e->seq = sqlite3_column_int64(stmt, 0);
	e->key = store_column_dup(stmt, 1);
	e->method = store_column_dup(stmt, 2);
	e->path = store_column_dup(stmt, 3);
	e->body = store_column_dup(stmt, 4);
	e->if_match = sqlite3_column_int64(stmt, 5);
	e->type = store_column_dup(stmt, 6);
	e->res_id = store_column_dup(stmt, 7);
	e->scope = store_column_dup(stmt, 8);
	e->attempts = sqlite3_column_int(stmt, 9);
	e->last_error = store_column_dup(stmt, 10);
	e->created_at = sqlite3_column_int64(stmt, 11);
	if (has_effect != NULL)
		*has_effect = sqlite3_column_int(stmt, 12) != 0;
}

static void
entry_finish(struct store_outbox_entry *e)
{
	free(e->key);
	free(e->method);
	free(e->path);
	free(e->body);
	free(e->type);
	free(e->res_id);
	free(e->scope);
	free(e->last_error);
}

void
store_outbox_free(struct store_outbox_entry *entries, size_t n)
{
	for (size_t i = 0; entries != NULL && i < n; i++)
		entry_finish(&entries[i]);
	free(entries);
}

/* Loads entry seq into *e (finish with entry_finish()), or -LC_ENOTFOUND. */
static int
load_entry(struct store_db *db, int64_t seq, struct store_outbox_entry *e, bool *has_effect)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT " ENTRY_COLUMNS " FROM outbox WHERE seq = ?1", &stmt);

	memset(e, 0, sizeof(*e));
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, seq);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		read_entry(stmt, e, has_effect);
		rc = 0;
	} else {
		rc =
		    rc == SQLITE_DONE ? -LC_ENOTFOUND : store_db_fail(db, rc, "reading the outbox");
	}
	sqlite3_reset(stmt);
	return rc;
}

static int
delete_entry(struct store_db *db, int64_t seq)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "DELETE FROM outbox WHERE seq = ?1", &stmt);

	if (rc != 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, seq);
	return store_replica_step_done(db, stmt, "removing an outbox entry");
}

/* Removes the overlay of type/id unless a queued entry still relies on it (or always). */
static int
drop_overlay(struct store_db *db, const char *type, const char *id, bool always)
{
	sqlite3_stmt *stmt;
	int rc;

	if (type == NULL || id == NULL)
		return 0;
	rc = store_db_stmt(db,
	                   "DELETE FROM overlays WHERE type = ?1 AND id = ?2 AND (?3 OR NOT EXISTS"
	                   " (SELECT 1 FROM outbox WHERE type = ?1 AND res_id = ?2"
	                   " AND has_effect = 1))",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, type);
	store_bind_text(stmt, 2, id);
	sqlite3_bind_int(stmt, 3, always ? 1 : 0);
	return store_replica_step_done(db, stmt, "removing an overlay");
}

/* Puts the optimistic doc (or pending delete), keeping the first base the user edited. */
static int
put_overlay(struct store_db *db, const struct store_write *w)
{
	static const char sql[] =
	    "INSERT INTO overlays(type, id, scope, deleted, doc, base, base_rev) VALUES"
	    " (?1, ?2, ?3, ?4, ?5,"
	    " (SELECT doc FROM resources WHERE type = ?1 AND id = ?2 AND deleted = 0"
	    "  ORDER BY scope_rank, scope LIMIT 1),"
	    " coalesce((SELECT rev FROM resources WHERE type = ?1 AND id = ?2 AND deleted = 0"
	    "  ORDER BY scope_rank, scope LIMIT 1), 0))"
	    " ON CONFLICT(type, id) DO UPDATE SET scope = excluded.scope,"
	    " deleted = excluded.deleted, doc = excluded.doc";
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, sql, &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, w->type);
	store_bind_text(stmt, 2, w->id);
	store_bind_text(stmt, 3, w->scope);
	sqlite3_bind_int(stmt, 4, w->is_delete ? 1 : 0);
	store_bind_text(stmt, 5, w->is_delete ? NULL : w->doc);
	return store_replica_step_done(db, stmt, "writing an overlay");
}

static int
append_entry(struct store_db *db, const struct store_write *w, bool has_effect, int64_t *seq)
{
	static const char sql[] =
	    "INSERT INTO outbox(key, method, path, body, if_match, type, res_id, scope,"
	    " has_effect, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	char key[LC_UUID_LEN + 1];
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, sql, &stmt);

	if (rc != 0)
		return rc;
	lc_uuid_new(key);
	store_bind_text(stmt, 1, key);
	store_bind_text(stmt, 2, w->method);
	store_bind_text(stmt, 3, w->path);
	store_bind_text(stmt, 4, w->body);
	sqlite3_bind_int64(stmt, 5, w->if_match);
	store_bind_text(stmt, 6, w->type);
	store_bind_text(stmt, 7, w->id);
	store_bind_text(stmt, 8, w->scope);
	sqlite3_bind_int(stmt, 9, has_effect ? 1 : 0);
	sqlite3_bind_int64(stmt, 10, lc_now());
	rc = store_replica_step_done(db, stmt, "queueing a write");
	if (rc == 0 && seq != NULL)
		*seq = store_db_last_rowid(db);
	return rc;
}

int
store_local_write(struct store_db *db, const struct store_write *write, int64_t *seq_out)
{
	bool has_effect = write->doc != NULL || write->is_delete;
	int rc;

	if (write->method == NULL || write->path == NULL)
		return -LC_EINVAL;
	if (has_effect && (write->type == NULL || write->id == NULL || write->scope == NULL))
		return -LC_EINVAL;
	if (write->doc != NULL && !write->is_delete && !store_replica_doc_valid(db, write->doc))
		return -LC_EINVAL;
	if ((rc = replica_begin(db)) != 0)
		return rc;
	if (has_effect)
		rc = put_overlay(db, write);
	if (rc == 0)
		rc = append_entry(db, write, has_effect, seq_out);
	return replica_end(db, rc);
}

int
store_outbox_list(struct store_db *db, int limit, struct store_outbox_entry **out, size_t *n)
{
	sqlite3_stmt *stmt;
	size_t len = 0, cap = 0;
	struct store_outbox_entry *list = NULL;
	int rc =
	    store_db_stmt(db, "SELECT " ENTRY_COLUMNS " FROM outbox ORDER BY seq LIMIT ?1", &stmt);

	*out = NULL;
	*n = 0;
	if (rc != 0)
		return rc;
	sqlite3_bind_int(stmt, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			list = lc_realloc(list, cap * sizeof(*list));
		}
		read_entry(stmt, &list[len++], NULL);
	}
	if (rc != SQLITE_DONE) {
		rc = store_db_fail(db, rc, "listing the outbox");
		sqlite3_reset(stmt);
		store_outbox_free(list, len);
		return rc;
	}
	sqlite3_reset(stmt);
	*out = list;
	*n = len;
	return 0;
}

int
store_outbox_count(struct store_db *db, int64_t *n)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT count(*) FROM outbox", &stmt);

	*n = 0;
	if (rc != 0)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(stmt, 0);
	rc = rc == SQLITE_ROW ? 0 : store_db_fail(db, rc, "counting the outbox");
	sqlite3_reset(stmt);
	return rc;
}

/* Reads an integer field of a JSON doc; 0 when missing. */
static int64_t
doc_int(struct store_db *db, const char *doc, const char *field_path)
{
	sqlite3_stmt *stmt;
	int64_t v = 0;

	if (doc == NULL || store_db_stmt(db, "SELECT json_extract(?1, ?2)", &stmt) != 0)
		return 0;
	store_bind_text(stmt, 1, doc);
	store_bind_text(stmt, 2, field_path);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return v;
}

/* Marks every server copy of a resource deleted, keeping its rev. */
static int
tombstone_everywhere(struct store_db *db, const char *type, const char *id)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db,
	                       "UPDATE resources SET deleted = 1, doc = NULL"
	                       " WHERE type = ?1 AND id = ?2 AND deleted = 0",
	                       &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, type);
	store_bind_text(stmt, 2, id);
	rc = store_replica_step_done(db, stmt, "tombstoning a resource");
	return rc != 0 ? rc : store_search_mark(db, type, id);
}

static int
set_overlay_base(struct store_db *db, const char *type, const char *id, const char *base)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db,
	                       "UPDATE overlays SET base = ?3, base_rev = coalesce(json_extract(?3,"
	                       " '$.rev'), 0) WHERE type = ?1 AND id = ?2",
	                       &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, type);
	store_bind_text(stmt, 2, id);
	store_bind_text(stmt, 3, base);
	return store_replica_step_done(db, stmt, "updating an overlay's base");
}

static int
outbox_complete(struct store_db *db, int64_t seq, const char *doc)
{
	struct store_outbox_entry e;
	bool has_effect = false;
	bool stored = false;
	int rc = load_entry(db, seq, &e, &has_effect);

	if (rc == 0)
		rc = delete_entry(db, seq);
	/* An answer that is not one object (e.g. a batch of items) is left to the feed. */
	if (rc == 0 && doc != NULL && e.type != NULL && e.res_id != NULL && e.scope != NULL &&
	    store_replica_doc_valid(db, doc)) {
		rc = store_replica_put_row(db, e.scope, e.type, e.res_id, doc_int(db, doc, "$.rev"),
		                           false, doc);
		stored = true;
	} else if (rc == 0 && doc == NULL && e.type != NULL && e.res_id != NULL &&
	           strcmp(e.method, "DELETE") == 0) {
		rc = tombstone_everywhere(db, e.type, e.res_id);
	}
	if (rc == 0)
		rc = drop_overlay(db, e.type, e.res_id, false);
	if (rc == 0 && stored)
		rc = set_overlay_base(db, e.type, e.res_id, doc);
	entry_finish(&e);
	return rc;
}

int
store_outbox_complete(struct store_db *db, int64_t seq, const char *doc)
{
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	return replica_end(db, outbox_complete(db, seq, doc));
}

int
store_outbox_fail(struct store_db *db, int64_t seq, const char *error)
{
	sqlite3_stmt *stmt;
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	rc = store_db_stmt(
	    db, "UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1", &stmt);
	if (rc == 0) {
		sqlite3_bind_int64(stmt, 1, seq);
		store_bind_text(stmt, 2, error);
		rc = store_replica_step_done(db, stmt, "recording a failure");
	}
	if (rc == 0 && store_db_changes(db) == 0)
		rc = -LC_ENOTFOUND;
	return replica_end(db, rc);
}

/* What an issue records; fields may be NULL. */
struct issue_fields {
	const char *kind;
	const struct store_outbox_entry *entry;
	int status;
	const char *message;
	const char *mine;
	const char *theirs;
	int64_t theirs_rev;
	const char *base;
};

static int
add_issue(struct store_db *db, const struct issue_fields *f)
{
	static const char sql[] =
	    "INSERT INTO issues(kind, method, path, if_match, status, message, type, res_id,"
	    " scope, mine, theirs, theirs_rev, base, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, sql, &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, f->kind);
	store_bind_text(stmt, 2, f->entry->method);
	store_bind_text(stmt, 3, f->entry->path);
	sqlite3_bind_int64(stmt, 4, f->entry->if_match);
	sqlite3_bind_int(stmt, 5, f->status);
	store_bind_text(stmt, 6, f->message);
	store_bind_text(stmt, 7, f->entry->type);
	store_bind_text(stmt, 8, f->entry->res_id);
	store_bind_text(stmt, 9, f->entry->scope);
	store_bind_text(stmt, 10, f->mine);
	store_bind_text(stmt, 11, f->theirs);
	sqlite3_bind_int64(stmt, 12, f->theirs_rev);
	store_bind_text(stmt, 13, f->base);
	sqlite3_bind_int64(stmt, 14, lc_now());
	return store_replica_step_done(db, stmt, "recording a sync issue");
}

int
store_outbox_reject(struct store_db *db, int64_t seq, int status, const char *message)
{
	struct store_outbox_entry e;
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	rc = load_entry(db, seq, &e, NULL);
	if (rc == 0)
		rc = delete_entry(db, seq);
	if (rc == 0)
		rc = drop_overlay(db, e.type, e.res_id, false);
	if (rc == 0) {
		struct issue_fields f = {.kind = "rejected",
		                         .entry = &e,
		                         .status = status,
		                         .message = message,
		                         .mine = e.body};
		rc = add_issue(db, &f);
	}
	entry_finish(&e);
	return replica_end(db, rc);
}

static int
outbox_rebase(struct store_db *db, int64_t seq, int64_t if_match, const char *body,
              const char *merged_doc, const char *theirs)
{
	struct store_outbox_entry e;
	char key[LC_UUID_LEN + 1];
	sqlite3_stmt *stmt;
	int rc = load_entry(db, seq, &e, NULL);

	if (rc == 0)
		rc = store_db_stmt(db,
		                   "UPDATE outbox SET if_match = ?2, body = ?3, key = ?4,"
		                   " last_error = NULL WHERE seq = ?1",
		                   &stmt);
	if (rc == 0) {
		/* A fresh key: a server that kept the 409 under the old one would replay it. */
		lc_uuid_new(key);
		sqlite3_bind_int64(stmt, 1, seq);
		sqlite3_bind_int64(stmt, 2, if_match);
		store_bind_text(stmt, 3, body);
		store_bind_text(stmt, 4, key);
		rc = store_replica_step_done(db, stmt, "rebasing an outbox entry");
	}
	if (rc == 0 && theirs != NULL && e.type != NULL && e.res_id != NULL && e.scope != NULL)
		rc = store_replica_put_row(db, e.scope, e.type, e.res_id,
		                           doc_int(db, theirs, "$.rev"), false, theirs);
	if (rc == 0 && merged_doc != NULL && e.type != NULL && e.res_id != NULL) {
		struct store_write w = {
		    .type = e.type, .id = e.res_id, .scope = e.scope, .doc = merged_doc};

		if (!store_replica_doc_valid(db, merged_doc))
			rc = -LC_EINVAL;
		if (rc == 0)
			rc = put_overlay(db, &w);
		if (rc == 0)
			rc = set_overlay_base(db, e.type, e.res_id, theirs);
	}
	entry_finish(&e);
	return rc;
}

int
store_outbox_rebase(struct store_db *db, int64_t seq, int64_t if_match, const char *body,
                    const char *merged_doc, const char *theirs)
{
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	return replica_end(db, outbox_rebase(db, seq, if_match, body, merged_doc, theirs));
}

int
store_overlay_base(struct store_db *db, const char *type, const char *id, char **out)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT base FROM overlays WHERE type = ?1 AND id = ?2", &stmt);

	*out = NULL;
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, type);
	store_bind_text(stmt, 2, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*out = store_column_dup(stmt, 0);
	rc =
	    rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_fail(db, rc, "reading an overlay");
	sqlite3_reset(stmt);
	return rc;
}

static int
outbox_conflict(struct store_db *db, int64_t seq, const char *mine, const char *theirs,
                int64_t theirs_rev, const char *message)
{
	struct store_outbox_entry e;
	char *base = NULL;
	int rc = load_entry(db, seq, &e, NULL);

	if (rc == 0 && e.type != NULL && e.res_id != NULL)
		rc = store_overlay_base(db, e.type, e.res_id, &base);
	if (rc == 0)
		rc = delete_entry(db, seq);
	if (rc == 0)
		rc = drop_overlay(db, e.type, e.res_id, true);
	if (rc == 0 && theirs != NULL && e.type != NULL && e.res_id != NULL && e.scope != NULL)
		rc =
		    store_replica_put_row(db, e.scope, e.type, e.res_id, theirs_rev, false, theirs);
	if (rc == 0) {
		struct issue_fields f = {.kind = "conflict",
		                         .entry = &e,
		                         .status = 409,
		                         .message = message,
		                         .mine = mine != NULL ? mine : e.body,
		                         .theirs = theirs,
		                         .theirs_rev = theirs_rev,
		                         .base = base};
		rc = add_issue(db, &f);
	}
	free(base);
	entry_finish(&e);
	return rc;
}

int
store_outbox_conflict(struct store_db *db, int64_t seq, const char *mine, const char *theirs,
                      int64_t theirs_rev, const char *message)
{
	int rc = replica_begin(db);

	if (rc != 0)
		return rc;
	return replica_end(db, outbox_conflict(db, seq, mine, theirs, theirs_rev, message));
}
