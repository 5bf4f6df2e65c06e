/* SPDX-License-Identifier: MIT */
/*
 * The client replica: the local copy of everything the user may see, plus the writes
 * they made that the server has not acknowledged yet.
 *
 * One idea: server state and local state are kept apart. `resources` holds rows exactly as
 * the server sent them (scope, type, id, rev, doc, parent, position); a local write puts
 * an overlay row (the optimistic doc, or a pending delete, plus the base doc it was made
 * on) and appends an outbox entry, both in one transaction. Reads see the overlay when
 * there is one. Applying server changes never touches overlays, so a sync can never
 * clobber a write the user has not yet seen acknowledged; completing or rejecting the
 * outbox entry is what removes the overlay.
 *
 * The same (type, id) may live in several scopes (a published course is in "catalog" and
 * in "course:<id>"); reads by id prefer the fuller course scope over catalog.
 *
 * Every function here is atomic on its own (it runs in a savepoint) and composes inside a
 * transaction opened with store_db_begin(), which is how the sync engine applies one whole
 * /sync response at once. Returns are 0 or a negative enum lc_err; see store_db_error().
 */
#ifndef STORE_REPLICA_H
#define STORE_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* PRAGMA application_id of replica files: "LcRp". */
#define STORE_REPLICA_APP_ID 0x4c635270

/* The replica's schema (application id and migrations), for store_db_open(). */
extern const struct store_schema store_replica_schema;

/*
 * Opens or creates the replica at path (folder 0700, file 0600). A foreign or newer file
 * is refused with -LC_EFOREIGN and a message, and left untouched.
 */
int store_replica_open(const char *path, struct store_db **out, char **cause);

/* ---- Resources ------------------------------------------------------------------------ */

/* One resource as the reader sees it (the overlay when there is one). */
struct store_resource {
	char *scope;
	char *type; /* "course", "module", "item", "question", "topic", "reply", ... */
	char *id;
	int64_t rev;     /* last server rev; 0 when created locally and not yet acknowledged */
	char *parent_id; /* derived from the doc: see store_parent_field(); NULL for none */
	double position; /* the doc's "position", or 0 */
	char *doc;       /* JSON text */
	bool pending;    /* a local change is waiting in the outbox */
};

struct store_resource_list {
	struct store_resource *items;
	size_t n;
};

/* Frees the strings of one resource (not the struct). Accepts NULL. */
void store_resource_finish(struct store_resource *res);
/* Frees a list's items and resets it. Accepts NULL. */
void store_resource_list_free(struct store_resource_list *list);

/*
 * The doc field that names a resource's parent: module→course_id, item→module_id,
 * question→item_id, topic→course_id, reply→topic_id, enrollment→course_id,
 * progress→item_id, attempt→item_id. NULL for types without a parent.
 */
const char *store_parent_field(const char *type);

/*
 * Reads one live resource by type and id into *out (caller frees with
 * store_resource_finish()). Returns -LC_ENOTFOUND when absent or deleted.
 */
int store_resource_get(struct store_db *db, const char *type, const char *id,
                       struct store_resource *out);

enum store_order {
	STORE_ORDER_POSITION,      /* position, then created_at: modules, items, questions */
	STORE_ORDER_ACTIVITY_DESC, /* last_activity_at (else updated_at) newest first: topics */
	STORE_ORDER_CREATED,       /* created_at oldest first: replies, attempts */
	STORE_ORDER_TITLE,         /* title: catalog listings */
};

/*
 * Lists live resources of a type, optionally only the children of parent_id and only in
 * scope (either may be NULL for "any"), in the given order. Rows that exist in several
 * scopes appear once (course scope preferred). Caller frees with store_resource_list_free().
 */
int store_resource_list(struct store_db *db, const char *type, const char *parent_id,
                        const char *scope, enum store_order order, struct store_resource_list *out);

/* ---- Applying server changes ------------------------------------------------------------- */

/* One change from the server's feed. doc is NULL when deleted. */
struct store_change {
	const char *scope;
	const char *type;
	const char *id;
	int64_t rev;
	int64_t seq;
	bool deleted;
	const char *doc;
};

struct store_cursor {
	const char *scope;
	int64_t cursor;
};

/* What one /sync response asks the replica to do, applied in one transaction. */
struct store_batch {
	const struct store_change *changes;
	size_t n_changes;
	const struct store_cursor *cursors; /* new cursor values */
	size_t n_cursors;
	const char *const *scopes; /* the scope set as it is now; NULL to leave scopes alone */
	size_t n_scopes;
	const char *const *resets; /* scopes to drop and pull again from 0 */
	size_t n_resets;
};

/*
 * Applies one change: inserts; replaces when rev is higher than the stored rev; ignores
 * an equal or older rev; deleted removes the row (a later older insert cannot bring it
 * back: the tombstone's rev is remembered). Overlays are left alone.
 */
int store_apply_change(struct store_db *db, const struct store_change *change);
/*
 * Applies a whole batch atomically: resets (drop + cursor 0), changes, cursors, then drops
 * every scope that is not in scopes (when scopes is not NULL).
 */
int store_apply_batch(struct store_db *db, const struct store_batch *batch);
/* Removes every row and the cursor of a scope (overlays and outbox stay). */
int store_scope_drop(struct store_db *db, const char *scope);
/*
 * Merges a partial change (a JSON object of doc fields, without nulls) into the stored
 * server row of (scope, type, id), which takes rev (doc "rev" too), in one UPDATE with
 * SQLite's json_patch(). The row must be live at rev base or newer: the server sends a
 * patch only when the client's cursor says it holds the content of rev base. Returns 0
 * when merged or when the row already holds rev or newer (as store_apply_change() ignores
 * an older change); -LC_ENOTFOUND when it cannot be merged (no row, a tombstone, a rev
 * older than base: the scope must be pulled again, store_scope_reset()); -LC_EPROTO for a
 * patch that is not an object; -LC_EDB.
 */
int store_replica_patch_row(struct store_db *db, const char *scope, const char *type,
                            const char *id, int64_t rev, int64_t base, const char *patch);
/*
 * Drops a scope's rows and sets its cursor to 0, as a server "reset" does, so that the next
 * sync pulls it again from 0. A scope with no cursor (not known, or dropped) is left alone.
 * Overlays and the outbox stay.
 */
int store_scope_reset(struct store_db *db, const char *scope);

/* ---- Cursors ----------------------------------------------------------------------------- */

/* *out = the scope's cursor, 0 when unknown. */
int store_cursor_get(struct store_db *db, const char *scope, int64_t *out);
int store_cursor_set(struct store_db *db, const char *scope, int64_t cursor);
/* All known scopes and cursors; caller frees with store_cursor_list_free(). */
int store_cursor_list(struct store_db *db, struct store_cursor **out, size_t *n);
void store_cursor_list_free(struct store_cursor *cursors, size_t n);

/*
 * Calls fn for every live server row of a scope (overlays ignored) sorted by type then
 * id, the order of the /sync/digest hash. Stops and returns fn's value when non-zero.
 */
typedef int (*store_row_fn)(const char *type, const char *id, int64_t rev, void *ctx);
int store_scope_foreach(struct store_db *db, const char *scope, store_row_fn fn, void *ctx);

/* ---- Local writes and the outbox ------------------------------------------------------ */

/* A write made on this replica: the REST request to send and its optimistic effect. */
struct store_write {
	const char *method; /* "POST", "PUT", "PATCH", "DELETE" */
	const char *path;   /* "/api/v1/topics/<id>/replies" */
	const char *body;   /* JSON request body, or NULL */
	int64_t if_match;   /* rev the edit was based on; 0 for none */
	const char *type;   /* resource the write creates, changes or deletes */
	const char *id;
	const char *scope; /* scope the optimistic row lives in */
	const char *doc;   /* optimistic doc (JSON), NULL for a delete or no local effect */
	bool is_delete;
};

/*
 * Records a local write atomically: the overlay (keeping the first base doc when the
 * resource already has one) and an outbox entry with a fresh idempotency key. *seq_out
 * (may be NULL) receives the entry's sequence number.
 */
int store_local_write(struct store_db *db, const struct store_write *write, int64_t *seq_out);

/* A queued REST request. */
struct store_outbox_entry {
	int64_t seq;
	char *key; /* idempotency key, the same on every retry */
	char *method;
	char *path;
	char *body; /* NULL when none */
	int64_t if_match;
	char *type;
	char *res_id;
	char *scope;
	int attempts;
	char *last_error; /* NULL when none */
	int64_t created_at;
};

/* The first `limit` entries in order. Caller frees with store_outbox_free(). */
int store_outbox_list(struct store_db *db, int limit, struct store_outbox_entry **out, size_t *n);
void store_outbox_free(struct store_outbox_entry *entries, size_t n);
int store_outbox_count(struct store_db *db, int64_t *n);

/*
 * A 2xx answer: removes the entry; when doc (the server's resource, JSON) is given it is
 * stored as the server row of type/id in the entry's scope at its rev; the overlay goes
 * when no other entry for the resource is left. A DELETE answered without a doc marks
 * type/id deleted in every scope at once (the feed's tombstone follows). A doc that is not
 * one JSON object (an array of created items) is not stored; the feed brings the rows.
 */
int store_outbox_complete(struct store_db *db, int64_t seq, const char *doc);
/* A temporary failure (timeout, 5xx): attempts+1 and last_error; the entry and key stay. */
int store_outbox_fail(struct store_db *db, int64_t seq, const char *error);
/*
 * A definite refusal (4xx): removes the entry, undoes its optimistic change (the overlay
 * goes when no other entry for the resource is left) and records a "rejected" sync issue
 * keeping the request body, the status and the server's message.
 */
int store_outbox_reject(struct store_db *db, int64_t seq, int status, const char *message);
/*
 * After a clean merge of a 409: the entry gets the new body and If-Match, the overlay shows
 * the merged doc, its base becomes `theirs` (the server's current doc) and theirs is stored
 * as the server row. The entry gets a NEW idempotency key: a 409 means the server did not
 * apply it, and a server that remembered the 409 under the old key would replay it.
 */
int store_outbox_rebase(struct store_db *db, int64_t seq, int64_t if_match, const char *body,
                        const char *merged_doc, const char *theirs);
/*
 * An unresolvable 409: removes the entry and the overlay, stores theirs as the server row,
 * and records a "conflict" sync issue with base, mine and theirs kept. mine should be the
 * request body the user wants sent (store_issue_retry() sends it as is); NULL keeps the
 * entry's body. theirs may be NULL (nothing stored).
 */
int store_outbox_conflict(struct store_db *db, int64_t seq, const char *mine, const char *theirs,
                          int64_t theirs_rev, const char *message);
/* The base doc an overlay was made on (caller frees), or NULL into *out when none. */
int store_overlay_base(struct store_db *db, const char *type, const char *id, char **out);

/* ---- Sync issues ---------------------------------------------------------------------- */

struct store_issue {
	int64_t id;
	char *kind; /* "rejected" or "conflict" */
	char *method;
	char *path;
	int status;
	char *message;
	char *type;
	char *res_id;
	char *mine;   /* the user's content: request body or their doc */
	char *theirs; /* the server's version (conflicts), else NULL */
	char *base;   /* the common ancestor (conflicts), else NULL */
	int64_t created_at;
	int64_t theirs_rev; /* the server's rev when the conflict came (If-Match of a choice) */
	char *scope;
};

/* Newest first. Caller frees with store_issues_free(). */
int store_issues_list(struct store_db *db, struct store_issue **out, size_t *n);
void store_issues_free(struct store_issue *issues, size_t n);
int store_issue_count(struct store_db *db, int64_t *n);
int store_issue_discard(struct store_db *db, int64_t id);
/*
 * Queues the issue's content again as a new outbox entry (new key; for a conflict, an
 * edit of theirs carrying mine with If-Match of theirs' rev) and removes the issue. The
 * new entry has no optimistic effect (no overlay): the screen shows the server's row until
 * the answer comes. -LC_ENOTFOUND for an unknown id.
 */
int store_issue_retry(struct store_db *db, int64_t id);

/*
 * Resolving a conflict (docs/sync.md, "Resolving a conflict"). store_issue_retry() refuses
 * a conflict with -LC_ECONFLICT: sending mine again would overwrite the server's change,
 * so the user must choose one of these. Each returns -LC_ENOTFOUND for an unknown id and
 * -LC_EINVAL when the issue is not a conflict.
 *
 * keep mine: mine goes again with If-Match of theirs' rev (so a third change still meets a
 * 409) and the replica shows theirs with mine applied until the answer comes.
 */
int store_issue_keep_mine(struct store_db *db, int64_t id);
/* keep theirs: the issue goes; the replica already shows the server's version. */
int store_issue_keep_theirs(struct store_db *db, int64_t id);
/* A merge the user made: body (a request body of the edit) goes like keep mine's. */
int store_issue_resolve(struct store_db *db, int64_t id, const char *body);
/* One issue by id; -LC_ENOTFOUND when absent. Free with store_issues_free(out, 1). */
int store_issue_get(struct store_db *db, int64_t id, struct store_issue **out);
/*
 * The thing an issue is about, in words, from the replica's docs and the issue's type and
 * resource: "Lesson 'Pointers and arrays' in C201", "Reply in 'Topic title'", "Course
 * C201". Caller frees. Text from the server is returned as is: clean it before printing.
 */
char *store_issue_describe(struct store_db *db, const struct store_issue *issue);
/* What happened, in words: "changed on the server since you edited it", "refused: ...". */
char *store_issue_what_happened(const struct store_issue *issue);

/* ---- Drafts ----------------------------------------------------------------------------- */

/*
 * Text being written, kept as the user types so that Ctrl-C, a crash or kill -9 loses at
 * most the last few keys. key names what is being written: "reply:<topic_id>",
 * "edit:<type>:<id>", "topic:<course_id>". Removed when the write is queued or discarded.
 */
int store_draft_put(struct store_db *db, const char *key, const char *text);
/* The draft of key into *text (caller frees) and its time; *text NULL when none. */
int store_draft_get(struct store_db *db, const char *key, char **text, int64_t *updated_at);
int store_draft_delete(struct store_db *db, const char *key);

/* ---- Search ---------------------------------------------------------------------------- */

struct store_hit {
	char *type; /* "course", "item", "topic", "reply" */
	char *id;
	char *title;   /* the resource's title (a reply: its topic's) */
	char *snippet; /* matched text with "\x02" before and "\x03" after each match */
	double rank;   /* lower is better */
};

/*
 * Full-text search (FTS5) over course titles and descriptions, item titles and bodies,
 * topic titles and bodies and reply bodies. Title matches rank first. The query is user
 * text: it is tokenised and quoted, never passed as FTS syntax. `type` may be NULL (all) or
 * restrict the hits. Caller frees with store_hits_free().
 */
int store_search(struct store_db *db, const char *query, const char *type, int limit,
                 struct store_hit **out, size_t *n);
void store_hits_free(struct store_hit *hits, size_t n);

/* ---- Settings and read marks ------------------------------------------------------------- */

/*
 * Session settings: "server_url", "client_id", "user_id", "username", "access_token",
 * "refresh_token", "last_sync" (RFC 3339). get returns NULL in *value when unset.
 */
int store_setting_get(struct store_db *db, const char *key, char **value);
int store_setting_set(struct store_db *db, const char *key, const char *value);
int store_setting_delete(struct store_db *db, const char *key);

/* Remembers that the user has read topic_id up to now (its replies so far). */
int store_topic_mark_read(struct store_db *db, const char *topic_id);
/* Topics of course_id with replies or posts newer than the user's read mark. */
int store_unread_count(struct store_db *db, const char *course_id, int64_t *n);

#endif
