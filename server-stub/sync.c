/* SPDX-License-Identifier: MIT */
/*
 * POST /sync and GET /sync/digest.
 *
 * A sync runs the pushed writes one by one through srv_dispatch() (each its own
 * transaction, exactly like the REST request it stands for), then reads the feed in one
 * snapshot: the viewer's scopes are worked out from their enrollments and staff rights as
 * they are now, each scope's rows after its cursor are read through feed_scope_seq and
 * merged by seq, and every live row is rendered by its type exactly as a GET by this
 * viewer would. A sync that pushes nothing reads only and changes no schema: its cost
 * follows the rows it returns, not the size of the feed.
 *
 * Compact form: a client whose cursors all stand at one seq may send "since" and
 * "scope_set" (a hash of its scope names, sync_scope_set_hash()) instead of "cursors".
 * When the hash matches the viewer's scopes now, every scope starts at since and the
 * answer carries one "since" instead of "cursors" and "scopes". When it matches the set
 * from before this request's pushes (they enrolled the viewer), old scopes start at since
 * and new ones at 0, answered in the full form. When it matches neither, the answer pulls
 * nothing and lists the scopes in the full form with more: true, and the client calls
 * again naming every cursor. A no-op sync so costs a few hundred bytes however many
 * courses the user follows.
 *
 * Partial changes (an extension, asked for with "partial": true): a feed row written by a
 * change that touched only counters (a reply's topic: reply_count, last_activity_at) keeps
 * the seq and rev of the last change to anything else (srv_feed_course_counts()). When the
 * scope's cursor has passed that seq, the client holds the row's content, so the change
 * carries "patch" (the fields such a change can touch) and "base" (the lowest rev the patch
 * applies to) instead of "doc". Clients that do not ask get API.md's form exactly.
 *
 * Lean changes (an extension, asked for with "lean": true; change_json()): a change leaves
 * out "seq", "deleted" unless true, a tombstone's null "doc", and "id" and "rev" when its
 * doc carries the same.
 *
 * Reset: a cursor below the purge point, or a course scope where the viewer's staff
 * rights differ from those it was last pulled from 0 with (so staff-only rows or answers
 * were missed or must go), is listed in `reset` with cursor 0 and no rows; the client
 * drops the scope and pulls it again from 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"
#include "sync/protocol.h"

#define SYNC_LIMIT_DEFAULT 1000
#define SYNC_LIMIT_MAX 5000
#define SYNC_PUSH_MAX 500

/* One scope of the viewer: its name on the wire and the internal scopes it reads. */
struct scope {
	char wire[64];     /* "catalog", "user", "course:<id>" */
	char internal[64]; /* "catalog", "user:<uid>", "course:<id>" */
	char staff[64];    /* "staff:<id>" for staff, else "" */
	bool is_course;
	int64_t cursor;
	bool reset;
};

struct scopes {
	struct scope *v;
	int n, cap;
};

/* Where the client stands: "cursors", or "since" with "scope_set" (the compact form). */
struct pull_from {
	const cJSON *cursors;
	int64_t since;
	const char *scope_set;       /* non-NULL for the compact form */
	const struct scopes *before; /* the set the hash matched before the pushes, or NULL */
	int64_t limit;
	bool partial;   /* the client takes patches (docs/sync.md "Partial changes") */
	bool lean;      /* the client takes lean changes (docs/sync.md "Lean changes") */
	bool remaining; /* the client wants "remaining" (docs/api.md "Sync progress") */
};

static struct scope *
scope_add(struct scopes *s, const char *wire, const char *internal)
{
	struct scope *sc;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = lc_realloc(s->v, (size_t)s->cap * sizeof(*s->v));
	}
	sc = &s->v[s->n++];
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->wire, sizeof(sc->wire), "%s", wire);
	snprintf(sc->internal, sizeof(sc->internal), "%s", internal);
	return sc;
}

/* The viewer's scopes now: catalog, user, and each course they follow or staff. */
static int
scopes_list(struct srv_req *req, struct scopes *out)
{
	const struct srv_user *v = req->viewer;
	sqlite3_stmt *stmt;
	char buf[64];
	int rc;

	scope_add(out, "catalog", "catalog");
	snprintf(buf, sizeof(buf), "user:%s", v->id);
	scope_add(out, "user", buf);
	rc = store_db_stmt(
	    req->db,
	    /*
	     * One indexed look-up per way of having a course, not one OR over the catalog: a
	     * scan of every course would make each /sync cost the size of the catalog (perf
	     * review 2026-11-29, cause 1). The first arm is skipped whole unless ?1.
	     */
	    "SELECT id FROM courses WHERE ?1 "
	    "UNION SELECT id FROM courses WHERE owner_id = ?2 "
	    "UNION SELECT c.id FROM enrollments e JOIN courses c ON c.id = e.course_id "
	    "WHERE e.user_id = ?2 AND c.status = 'published' "
	    /* content-admin (2) or department-admin (4) here or above: the tree, as perm.c */
	    "UNION SELECT id FROM courses WHERE department_id IN " SRV_SQL_DEPTS_WITH_ROLES(
	        "?2", "6") " ORDER BY id",
	    &stmt);
	if (rc != 0)
		return rc;
	sqlite3_bind_int(stmt, 1, v->role == SRV_ROLE_ADMIN);
	store_bind_text(stmt, 2, v->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		struct scope *sc;
		struct srv_course_ref ref;
		int got;

		snprintf(buf, sizeof(buf), "course:%s", id);
		sc = scope_add(out, buf, buf);
		sc->is_course = true;
		/* Staffing is decided by perm.c alone, the query only narrows the candidates. */
		got = srv_course_ref_load(req->db, id, &ref);
		/* A failed read is not "not staff", which would reset the staff scope (F6). */
		if (got != 0 && got != -LC_ENOTFOUND)
			return got;
		if (got == 0 && srv_is_staff(v, &ref))
			snprintf(sc->staff, sizeof(sc->staff), "staff:%s", id);
	}
	return rc == SQLITE_DONE ? 0 : store_db_fail(req->db, rc, "scopes");
}

/*
 * The staff flag this client last pulled scope from 0 with into *seen: 1, 0, or -1 when
 * unknown. Returns 0 or -LC_EDB: a failed read is not "unknown", which would keep a
 * former staff member's answers on their client (code review 2026-11-29, F6).
 */
static int
staff_seen(struct srv_req *req, const char *client_id, const char *scope, int *seen)
{
	sqlite3_stmt *stmt;
	int rc;

	*seen = -1;
	if (client_id == NULL)
		return 0;
	rc = store_db_stmt(req->db,
	                   "SELECT staff FROM sync_clients WHERE client_id = ? AND user_id = ? "
	                   "AND scope = ?",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, client_id);
	store_bind_text(stmt, 2, req->viewer->id);
	store_bind_text(stmt, 3, scope);
	rc = store_db_next_row(req->db, stmt, "sync client");
	if (rc == 1)
		*seen = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return rc < 0 ? rc : 0;
}

/* True when the compact form's hash names the viewer's scope set as it is now. */
static bool
scope_set_matches(const struct scopes *s, const char *hash)
{
	const char **names = lc_calloc((size_t)s->n + 1, sizeof(*names));
	char hex[SYNC_SCOPE_SET_HEX_LEN + 1];

	for (int i = 0; i < s->n; i++)
		names[i] = s->v[i].wire;
	sync_scope_set_hash(names, (size_t)s->n, hex);
	free(names);
	return sodium_memcmp(hex, hash, SYNC_SCOPE_SET_HEX_LEN) == 0;
}

static bool
scopes_have(const struct scopes *s, const char *wire)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->v[i].wire, wire) == 0)
			return true;
	return false;
}

static int64_t
cursor_of(const struct pull_from *from, const char *scope)
{
	const cJSON *c;
	int64_t cursor;

	/* A scope the pushes just added (an enrollment) is new to the client. */
	if (from->scope_set != NULL)
		return from->before == NULL || scopes_have(from->before, scope) ? from->since : 0;
	c = cJSON_GetObjectItemCaseSensitive(from->cursors, scope);
	/* check_cursors() let only wire integers through; anything else starts over. */
	return cJSON_IsNumber(c) && sync_wire_int(c->valuedouble, &cursor) ? cursor : 0;
}

static int
scopes_cursors(struct srv_req *req, struct scopes *s, const struct pull_from *from,
               const char *client_id)
{
	int64_t purged = 0;
	/*
	 * Cannot tell: resetting every scope would be safe, but would make each client fetch
	 * its whole replica again after a passing error; a 5xx makes it retry (F6).
	 */
	int rc = srv_feed_purged(req->db, &purged);

	if (rc != 0)
		return rc;
	for (int i = 0; i < s->n; i++) {
		struct scope *sc = &s->v[i];
		int seen;

		sc->cursor = cursor_of(from, sc->wire);
		if (sc->cursor == 0)
			continue;
		if (sc->cursor < purged)
			sc->reset = true;
		if (sc->is_course && client_id) {
			rc = staff_seen(req, client_id, sc->wire, &seen);
			if (rc != 0)
				return rc;
			if ((seen < 0 && sc->staff[0]) ||
			    (seen >= 0 && seen != (sc->staff[0] != 0)))
				sc->reset = true;
		}
		if (sc->reset)
			sc->cursor = 0;
	}
	return 0;
}

/* One feed row read for the pull, before it is rendered. */
struct pull_row {
	int64_t seq, rev;
	const char *wire; /* the scope's wire name; points into struct scopes */
	char *type, *id;
	bool deleted;
	int64_t cursor;      /* the scope's cursor in this pull */
	int64_t content_seq; /* > 0: only counters changed since this seq (feed.content_seq) */
	int64_t content_rev; /* the rev of that change */
};

struct pull_rows {
	struct pull_row *v;
	size_t n, cap;
};

static void
pull_rows_free(struct pull_rows *r, size_t from)
{
	for (size_t i = from; i < r->n; i++) {
		free(r->v[i].type);
		free(r->v[i].id);
	}
	if (from == 0) {
		free(r->v);
		memset(r, 0, sizeof(*r));
	} else {
		r->n = from;
	}
}

static int
pull_row_cmp(const void *a, const void *b)
{
	const struct pull_row *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Reads one internal scope's rows after cursor (and at most bound) into rows, through
 * feed_scope_seq: the cost is the rows read, whatever the size of the feed (perf review
 * 2026-11-29, cause 1: the join against a temp table scanned every feed row).
 */
static int
pull_scope(struct srv_req *req, const char *internal, const char *wire, int64_t cursor,
           int64_t bound, int64_t want, struct pull_rows *rows)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(req->db,
	                       "SELECT seq, type, id, rev, deleted, coalesce(content_seq, 0), "
	                       "coalesce(content_rev, 0) FROM feed "
	                       "WHERE scope = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq LIMIT ?4",
	                       &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, internal);
	sqlite3_bind_int64(stmt, 2, cursor);
	sqlite3_bind_int64(stmt, 3, bound);
	sqlite3_bind_int64(stmt, 4, want);
	while ((rc = store_db_next_row(req->db, stmt, "pull")) == 1) {
		struct pull_row *r;

		if (rows->n == rows->cap) {
			rows->cap = rows->cap ? rows->cap * 2 : 64;
			rows->v = lc_realloc(rows->v, rows->cap * sizeof(*rows->v));
		}
		r = &rows->v[rows->n++];
		r->seq = sqlite3_column_int64(stmt, 0);
		r->wire = wire;
		r->type = lc_strdup((const char *)sqlite3_column_text(stmt, 1));
		r->id = lc_strdup((const char *)sqlite3_column_text(stmt, 2));
		r->rev = sqlite3_column_int64(stmt, 3);
		r->deleted = sqlite3_column_int(stmt, 4) != 0;
		r->cursor = cursor;
		r->content_seq = sqlite3_column_int64(stmt, 5);
		r->content_rev = sqlite3_column_int64(stmt, 6);
	}
	sqlite3_reset(stmt);
	return rc < 0 ? rc : 0;
}

/*
 * Reads the first want rows by seq across every scope not being reset into rows, sorted:
 * each scope in turn reads at most want rows, and once want are held the later scopes
 * read only below the last of them, so memory stays within 2 * want rows.
 */
static int
pull_rows(struct srv_req *req, const struct scopes *s, int64_t want, struct pull_rows *rows)
{
	int64_t bound = INT64_MAX;
	int rc = 0;

	for (int i = 0; rc == 0 && i < s->n; i++) {
		const struct scope *sc = &s->v[i];

		if (sc->reset)
			continue;
		for (int k = 0; rc == 0 && k < 2; k++) {
			const char *internal = k == 0 ? sc->internal : sc->staff;

			if (*internal == '\0')
				continue;
			rc = pull_scope(req, internal, sc->wire, sc->cursor, bound, want, rows);
			if (rc == 0 && rows->n >= (size_t)want) {
				qsort(rows->v, rows->n, sizeof(*rows->v), pull_row_cmp);
				pull_rows_free(rows, (size_t)want);
				bound = rows->v[want - 1].seq;
			}
		}
	}
	if (rc == 0 && rows->n > 1)
		qsort(rows->v, rows->n, sizeof(*rows->v), pull_row_cmp);
	return rc;
}

/*
 * The doc fields a counters-only change cannot touch, per type: what the author wrote and
 * what is fixed at creation (rev travels in the change). Every other field goes in a patch,
 * so a field added to the doc later is patched too, and fields derived from other tables
 * (author_name) stay as fresh as a full doc would make them. A type not listed is never
 * patched.
 */
static const char *const *
patch_kept(const char *type)
{
	static const char *const topic[] = {"id",        "rev",   "created_at", "course_id",
	                                    "author_id", "title", "body",       NULL};

	return strcmp(type, "topic") == 0 ? topic : NULL;
}

/*
 * Whether the author's display name can have changed since the doc was created: the
 * user's row was updated (srv_user_touch(), which every change of a name goes through) at
 * or after the doc's created_at, or is gone. RFC 3339 UTC stamps of one format compare as
 * text; the same second counts as "after". *out is false when the name stood still.
 */
static int
author_renamed_since(struct srv_req *req, const cJSON *doc, bool *out)
{
	const cJSON *author = cJSON_GetObjectItemCaseSensitive(doc, "author_id");
	const cJSON *created = cJSON_GetObjectItemCaseSensitive(doc, "created_at");
	sqlite3_stmt *stmt;
	int rc;

	*out = true;
	if (!cJSON_IsString(author) || !cJSON_IsString(created))
		return 0;
	rc = store_db_stmt(req->db, "SELECT updated_at < ?2 FROM users WHERE id = ?1", &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, author->valuestring);
	store_bind_text(stmt, 2, created->valuestring);
	rc = store_db_next_row(req->db, stmt, "author's last change");
	if (rc == 1)
		*out = sqlite3_column_int(stmt, 0) == 0;
	sqlite3_reset(stmt);
	return rc < 0 ? rc : 0;
}

/*
 * The patch of doc for a client whose cursor has passed the row's content_seq: doc without
 * the kept fields. NULL when the row may not be patched, or when a field is null (a JSON
 * merge patch would delete it, so such a change goes whole).
 *
 * author_name is derived (the author's name as it is now), so it is patched, except when
 * the author's row has not changed since the doc was created: then the name the client
 * holds from any earlier doc is the name now. It was 92 of the 5,545 bytes of the perf
 * campus's delta (issue 10: at most 1.2x its floor): a name is random text to zstd.
 */
static int
patch_of(struct srv_req *req, const struct pull_row *row, const cJSON *doc, cJSON **out)
{
	const char *const *kept = patch_kept(row->type);
	const cJSON *f;
	cJSON *patch;
	bool renamed;
	int rc;

	*out = NULL;
	if (kept == NULL || row->content_seq <= 0 || row->content_seq > row->cursor)
		return 0;
	patch = cJSON_CreateObject();
	cJSON_ArrayForEach(f, doc)
	{
		bool keep = false;

		for (size_t i = 0; kept[i] != NULL && !keep; i++)
			keep = strcmp(kept[i], f->string) == 0;
		if (keep)
			continue;
		if (cJSON_IsNull(f)) {
			cJSON_Delete(patch);
			return 0;
		}
		cJSON_AddItemToObject(patch, f->string, cJSON_Duplicate(f, true));
	}
	if (cJSON_GetObjectItemCaseSensitive(patch, "author_name") != NULL) {
		rc = author_renamed_since(req, doc, &renamed);
		if (rc != 0) {
			cJSON_Delete(patch);
			return rc;
		}
		if (!renamed)
			cJSON_DeleteItemFromObject(patch, "author_name");
	}
	*out = patch;
	return 0;
}

/*
 * Whether doc names the change's resource itself: a lean change (below) leaves out its
 * own "id" and "rev" only when the doc's say the same.
 */
static bool
doc_names_row(const cJSON *doc, const struct pull_row *row)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "id");
	const cJSON *rev = cJSON_GetObjectItemCaseSensitive(doc, "rev");

	return cJSON_IsString(id) && strcmp(id->valuestring, row->id) == 0 && cJSON_IsNumber(rev) &&
	       rev->valuedouble == (double)row->rev;
}

/*
 * One change of the answer. Lean (an extension, asked for with "lean": true; docs/sync.md
 * "Lean changes") leaves out what the client has from elsewhere: "seq" (the answer's
 * cursors say where each scope stands), "deleted" unless true, a tombstone's null "doc",
 * and "id" and "rev" when the doc carries the same. The campus delta of issue 10 (at most
 * 1.2x its floor) so loses about 110 of its 5,450 compressed bytes.
 */
static int
change_json(struct srv_req *req, const struct pull_row *row, bool partial, bool lean, cJSON **out)
{
	cJSON *ch;
	bool deleted = row->deleted;
	srv_render_fn render = srv_type_render(row->type);
	cJSON *doc = NULL, *patch = NULL;
	int rc = 0;

	*out = NULL;
	if (!deleted && render != NULL)
		rc = render(req, row->id, &doc);
	/* A failed read is not a deletion the client would act on (F6). */
	if (rc != 0 && rc != -LC_ENOTFOUND)
		return rc;
	if (!deleted && (render == NULL || rc != 0)) {
		/* Gone or hidden since the row was written: the client must not keep it. */
		deleted = true;
		doc = NULL;
	}
	if (doc && partial && (rc = patch_of(req, row, doc, &patch)) != 0) {
		cJSON_Delete(doc);
		return rc;
	}
	ch = cJSON_CreateObject();
	cJSON_AddStringToObject(ch, "scope", row->wire);
	cJSON_AddStringToObject(ch, "type", row->type);
	if (!lean || patch || !doc || !doc_names_row(doc, row)) {
		cJSON_AddStringToObject(ch, "id", row->id);
		cJSON_AddNumberToObject(ch, "rev", (double)row->rev);
	}
	if (!lean)
		cJSON_AddNumberToObject(ch, "seq", (double)row->seq);
	if (!lean || deleted)
		cJSON_AddBoolToObject(ch, "deleted", deleted);
	if (patch) {
		cJSON_AddNumberToObject(ch, "base", (double)row->content_rev);
		cJSON_AddItemToObject(ch, "patch", patch);
		cJSON_Delete(doc);
	} else if (doc)
		cJSON_AddItemToObject(ch, "doc", doc);
	else if (!lean)
		cJSON_AddNullToObject(ch, "doc");
	*out = ch;
	return 0;
}

/* Reads up to limit changes after the cursors; *high gets the seq every cursor reaches. */
static int
pull(struct srv_req *req, const struct scopes *s, const struct pull_from *from, cJSON *changes,
     int64_t *high, bool *more)
{
	struct pull_rows rows = {0};
	sqlite3_stmt *stmt;
	int64_t last = 0;
	int rc;

	*more = false;
	rc = pull_rows(req, s, from->limit + 1, &rows);
	for (size_t i = 0; rc == 0 && i < rows.n; i++) {
		cJSON *ch;

		if (i == (size_t)from->limit) {
			*more = true;
			break;
		}
		rc = change_json(req, &rows.v[i], from->partial, from->lean, &ch);
		if (rc != 0)
			break;
		cJSON_AddItemToArray(changes, ch);
		last = rows.v[i].seq;
	}
	pull_rows_free(&rows, 0);
	if (rc != 0)
		return rc;
	if (*more) {
		*high = last;
		return 0;
	}
	rc = store_db_stmt(req->db, "SELECT coalesce(max(seq), 0) FROM feed", &stmt);
	if (rc != 0)
		return rc;
	rc = store_db_next_row(req->db, stmt, "pull high");
	*high = rc == 1 ? sqlite3_column_int64(stmt, 0) : last;
	sqlite3_reset(stmt);
	return rc < 0 ? rc : 0;
}

/*
 * "remaining" (a Lectern extension, docs/api.md "Sync progress"): how many feed rows the
 * client's next rounds will still pull, so that it can show a percent of the first sync.
 * A scope reset now is pulled again from 0; any other scope from after this answer (past
 * is the seq every cursor reaches, INT64_MAX when this answer brought everything). One
 * range count per internal scope on feed_scope_seq, in the pull's snapshot.
 */
static int
count_remaining(struct srv_req *req, const struct scopes *s, int64_t past, int64_t *out)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(req->db, "SELECT count(*) FROM feed WHERE scope = ?1 AND seq > ?2",
	                       &stmt);

	*out = 0;
	for (int i = 0; rc == 0 && i < s->n; i++) {
		const struct scope *sc = &s->v[i];
		int64_t from = sc->reset ? 0 : (sc->cursor > past ? sc->cursor : past);

		if (!sc->reset && past == INT64_MAX)
			continue;
		for (int k = 0; rc == 0 && k < 2; k++) {
			const char *internal = k == 0 ? sc->internal : sc->staff;

			if (*internal == '\0')
				continue;
			store_bind_text(stmt, 1, internal);
			sqlite3_bind_int64(stmt, 2, from);
			rc = store_db_next_row(req->db, stmt, "remaining");
			if (rc == 1) {
				*out += sqlite3_column_int64(stmt, 0);
				rc = 0;
			}
			sqlite3_reset(stmt);
		}
	}
	return rc < 0 ? rc : 0;
}

/* Remembers the staff flag of scopes the client pulls from 0 now. */
static void
remember_staff(struct srv_req *req, const struct scopes *s, const char *client_id)
{
	sqlite3_stmt *stmt;

	bool any = false;

	for (int i = 0; i < s->n; i++)
		any = any || (s->v[i].is_course && s->v[i].cursor == 0 && !s->v[i].reset);
	/*
	 * Best effort, after the answer is made: a flag not remembered only costs the staff
	 * scope a reset at the next pull. Nothing to remember takes no write lock.
	 */
	srv_db_quiesce(req->db);
	if (client_id == NULL || !any || store_db_begin(req->db) != 0)
		return;
	for (int i = 0; i < s->n; i++) {
		const struct scope *sc = &s->v[i];

		if (!sc->is_course || sc->cursor != 0 || sc->reset)
			continue;
		if (store_db_stmt(
		        req->db,
		        "INSERT OR REPLACE INTO sync_clients (client_id, user_id, scope, staff)"
		        " VALUES (?, ?, ?, ?)",
		        &stmt) != 0)
			break;
		store_bind_text(stmt, 1, client_id);
		store_bind_text(stmt, 2, req->viewer->id);
		store_bind_text(stmt, 3, sc->wire);
		sqlite3_bind_int(stmt, 4, sc->staff[0] != 0);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			break;
	}
	if (store_db_commit(req->db) != 0)
		store_db_rollback(req->db);
}

/* Runs one push item; returns its {key, status, body}. */
static cJSON *
push_one(struct srv_req *req, const cJSON *item)
{
	struct srv_check c;
	struct srv_resp resp = {0};
	static const char *const methods[] = {"POST", "PUT", "PATCH", "DELETE", NULL};
	const char *key = NULL, *method = NULL, *path = NULL;
	int64_t if_match = -1;
	cJSON *out = cJSON_CreateObject(), *body;
	const cJSON *jbody = cJSON_GetObjectItemCaseSensitive(item, "body");
	bool replayed;

	srv_check_init(&c);
	srv_get_str(&c, item, "key", SRV_REQUIRED, 1, 128, &key);
	srv_get_enum(&c, item, "method", SRV_REQUIRED, methods, &method);
	srv_get_str(&c, item, "path", SRV_REQUIRED, 1, 2048, &path);
	srv_get_int(&c, item, "if_match", SRV_NULLABLE, 0, INT64_MAX / 2, &if_match);
	/*
	 * Not pushable: /sync itself; everything under /auth (logins and sign-ups would run
	 * argon2id by the hundred per request and aim the login throttle at other people's
	 * accounts, and their answers hold tokens); the password change (argon2id twice). The
	 * lectern client calls these directly, never through its outbox.
	 */
	if (path && (strncmp(path, "/api/v1/", 8) != 0 || strncmp(path, "/api/v1/sync", 12) == 0 ||
	             strncmp(path, "/api/v1/auth/", 13) == 0 ||
	             strncmp(path, "/api/v1/users/me/password", 25) == 0))
		srv_check_bad(&c, "path");
	if (jbody && !cJSON_IsObject(jbody) && !cJSON_IsArray(jbody) && !cJSON_IsNull(jbody))
		srv_check_bad(&c, "body");
	srv_json_add_str(out, "key", key);
	if (!srv_check_failed(&c, &resp)) {
		struct srv_call call = {
		    .method = method,
		    .path = path,
		    .body = cJSON_IsNull(jbody) ? NULL : (cJSON *)jbody,
		    .viewer = req->viewer,
		    .idempotency_key = key,
		    .if_match = if_match,
		    .request_id = req->request_id,
		    .client_ip = req->client_ip,
		};

		srv_dispatch(req->ctx, req->db, &call, &resp, &replayed);
	}
	srv_check_finish(&c);
	cJSON_AddNumberToObject(out, "status", resp.status);
	body = resp.body;
	resp.body = NULL;
	if (body)
		cJSON_AddItemToObject(out, "body", body);
	else
		cJSON_AddNullToObject(out, "body");
	return out;
}

static void
scopes_free(struct scopes *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/*
 * Checks "cursors": an object of integers in 0..2^53 (security review 2026-11-29, L7: a
 * cursor of 1e300 reached a float-to-int64 cast).
 */
static void
check_cursors(struct srv_check *c, const cJSON *v)
{
	const cJSON *e;
	int64_t n;

	if (v == NULL || cJSON_IsNull(v))
		return;
	if (!cJSON_IsObject(v))
		srv_check_bad(c, "cursors");
	cJSON_ArrayForEach(e, v)
	{
		if (!cJSON_IsNumber(e) || !sync_wire_int(e->valuedouble, &n))
			srv_check_bad(c, "cursors");
	}
}

/* Checks the compact form: "since" and a hex "scope_set" together, and no "cursors". */
static void
check_compact(struct srv_check *c, const cJSON *body, struct pull_from *from)
{
	const cJSON *since = cJSON_GetObjectItemCaseSensitive(body, "since");
	const cJSON *set = cJSON_GetObjectItemCaseSensitive(body, "scope_set");
	const char *hash = NULL;

	if (since == NULL && set == NULL)
		return;
	srv_get_int(c, body, "since", SRV_REQUIRED, 0, INT64_MAX / 2, &from->since);
	srv_get_str(c, body, "scope_set", SRV_REQUIRED, SYNC_SCOPE_SET_HEX_LEN,
	            SYNC_SCOPE_SET_HEX_LEN, &hash);
	for (const char *p = hash; p != NULL && *p != '\0'; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
			srv_check_bad(c, "scope_set");
			hash = NULL;
			break;
		}
	}
	if (cJSON_GetArraySize(from->cursors) > 0)
		srv_check_bad(c, "cursors");
	from->scope_set = hash;
}

/* Reads the pull part of the request; false (and a 400 in resp) when malformed. */
static bool
sync_parse(const cJSON *body, struct srv_resp *resp, const char **client_id, const cJSON **push,
           struct pull_from *from)
{
	struct srv_check c;
	const cJSON *v;
	bool failed;

	srv_check_init(&c);
	memset(from, 0, sizeof(*from));
	from->limit = SYNC_LIMIT_DEFAULT;
	if (!cJSON_IsObject(body))
		srv_check_bad(&c, "body");
	srv_get_uuid(&c, body, "client_id", SRV_NULLABLE, client_id);
	srv_get_int(&c, body, "limit", SRV_OPTIONAL, 1, SYNC_LIMIT_MAX, &from->limit);
	/* Only a boolean: a client that misspells its wish learns it, rather than guessing. */
	srv_get_bool(&c, body, "partial", SRV_OPTIONAL, &from->partial);
	srv_get_bool(&c, body, "lean", SRV_OPTIONAL, &from->lean);
	srv_get_bool(&c, body, "remaining", SRV_OPTIONAL, &from->remaining);
	*push = v = cJSON_GetObjectItemCaseSensitive(body, "push");
	if (v && !cJSON_IsNull(v) && (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > SYNC_PUSH_MAX))
		srv_check_bad(&c, "push");
	from->cursors = cJSON_GetObjectItemCaseSensitive(body, "cursors");
	check_cursors(&c, from->cursors);
	if (cJSON_IsObject(body))
		check_compact(&c, body, from);
	failed = srv_check_failed(&c, resp);
	srv_check_finish(&c);
	return !failed;
}

/* Full form: every scope of the set with its cursor, and the scopes to reset. */
static void
add_cursors(cJSON *out, const struct scopes *s, int64_t high, bool *more)
{
	cJSON *jcursors = cJSON_AddObjectToObject(out, "cursors");
	cJSON *jscopes = cJSON_AddArrayToObject(out, "scopes");
	cJSON *jreset = cJSON_AddArrayToObject(out, "reset");

	for (int i = 0; i < s->n; i++) {
		const struct scope *sc = &s->v[i];

		cJSON_AddItemToArray(jscopes, cJSON_CreateString(sc->wire));
		if (sc->reset) {
			cJSON_AddItemToArray(jreset, cJSON_CreateString(sc->wire));
			*more = true;
		}
		if (high >= 0)
			cJSON_AddNumberToObject(
			    jcursors, sc->wire,
			    (double)(sc->reset ? 0 : (sc->cursor > high ? sc->cursor : high)));
	}
}

static bool
any_reset(const struct scopes *s)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i].reset)
			return true;
	return false;
}

/*
 * Compact form: every scope stood at since and now stands at the one seq returned. It has
 * no "reset": a scope to reset makes the answer take the full form.
 */
static void
add_since(cJSON *out, int64_t since, int64_t high)
{
	cJSON_AddNumberToObject(out, "since", (double)(since > high ? since : high));
}

/*
 * The pull half: changes, then cursors, scopes and reset (or since) added to out. *pulled
 * is false when a stale compact form meant nothing could be pulled.
 */
static int
sync_pull(struct srv_req *req, const struct pull_from *from, const char *client_id, cJSON *out,
          struct scopes *s, bool *pulled)
{
	cJSON *changes = cJSON_AddArrayToObject(out, "changes");
	int64_t high = 0, remaining = -1;
	bool more = false, stale_set = false, same_set = false;
	int rc;

	/* One fresh snapshot for the whole pull. */
	srv_db_quiesce(req->db);
	rc = store_db_exec(req->db, "BEGIN");

	if (rc == 0)
		rc = scopes_list(req, s);
	if (rc == 0 && from->scope_set != NULL) {
		same_set = scope_set_matches(s, from->scope_set);
		stale_set = !same_set && from->before == NULL;
	}
	if (rc == 0 && stale_set) {
		/* The client's scopes are not these: it must say where each stands. */
		more = true;
		high = -1;
	} else if (rc == 0) {
		rc = scopes_cursors(req, s, from, client_id);
		if (rc == 0)
			rc = pull(req, s, from, changes, &high, &more);
		if (rc == 0 && from->remaining)
			rc = count_remaining(req, s, more ? high : INT64_MAX, &remaining);
	}
	srv_db_quiesce(req->db);
	store_db_rollback(req->db);
	if (rc != 0)
		return rc;
	*pulled = !stale_set;
	if (same_set && !any_reset(s))
		add_since(out, from->since, high);
	else
		add_cursors(out, s, high, &more);
	cJSON_AddBoolToObject(out, "more", more);
	/* Only when asked: without the opt-in the answer is what API.md says, byte for byte. */
	if (remaining >= 0)
		cJSON_AddNumberToObject(out, "remaining", (double)remaining);
	return 0;
}

/* Runs the pushed writes in order; returns the answer object holding their results. */
static cJSON *
run_pushes(struct srv_req *req, const cJSON *push)
{
	cJSON *out = cJSON_CreateObject();
	cJSON *jpush = cJSON_AddArrayToObject(out, "push");
	const cJSON *list = cJSON_IsArray(push) ? push : NULL, *item;

	cJSON_ArrayForEach(item, list)
	{
		cJSON_AddItemToArray(jpush, push_one(req, item));
	}
	srv_feed_maintain(req->ctx, req->db);
	return out;
}

/* A caller who deleted themselves in push gets its results and nothing to pull. */
static void
reply_gone(struct srv_resp *resp, cJSON *out)
{
	cJSON_AddArrayToObject(out, "changes");
	cJSON_AddObjectToObject(out, "cursors");
	cJSON_AddArrayToObject(out, "scopes");
	cJSON_AddArrayToObject(out, "reset");
	cJSON_AddBoolToObject(out, "more", false);
	srv_reply(resp, 200, out);
}

static void
sync_post(struct srv_req *req, struct srv_resp *resp)
{
	const char *client_id = NULL;
	const cJSON *push;
	struct pull_from from;
	const struct srv_user *caller = req->viewer;
	struct srv_user fresh;
	struct scopes s = {0}, before = {0};
	cJSON *out;
	int rc;
	bool pulled = false;

	if (!sync_parse(req->body, resp, &client_id, &push, &from))
		return;
	/* Pushes may change the scope set (an enrollment): keep the set the hash stood for. */
	if (from.scope_set != NULL && cJSON_GetArraySize(push) > 0 &&
	    scopes_list(req, &before) == 0 && scope_set_matches(&before, from.scope_set))
		from.before = &before;
	out = run_pushes(req, push);
	/* The pushes may have changed who the viewer is (an enrollment, a role): reload. */
	rc = srv_user_load(req->db, req->viewer->id, &fresh);
	if (rc == -LC_ENOTFOUND) {
		reply_gone(resp, out);
		scopes_free(&before);
		return;
	}
	req->viewer = &fresh;
	if (rc == 0)
		rc = sync_pull(req, &from, client_id, out, &s, &pulled);
	if (rc != 0) {
		cJSON_Delete(out);
		srv_internal(req, resp, rc, "sync pull");
	} else {
		/* Only scopes that were pulled from 0 just now tell which staff flag they hold. */
		if (pulled)
			remember_staff(req, &s, client_id);
		resp->dense = true; /* the bytes of a sync on a slow link (codec.c) */
		srv_reply(resp, 200, out);
	}
	scopes_free(&s);
	scopes_free(&before);
	/* fresh dies with this frame: the dispatcher's request must not keep pointing at it. */
	req->viewer = caller;
}

/* SHA-256 over "type\tid\trev\n" of the scope's live rows, sorted by type then id. */
static int
digest_scope(struct srv_req *req, const struct scope *sc, cJSON *obj)
{
	struct sync_digest d;
	char hex[SYNC_DIGEST_HEX_LEN + 1];
	sqlite3_stmt *stmt;
	int rc;

	rc = store_db_stmt(req->db,
	                   "SELECT type, id, rev FROM feed WHERE scope IN (?, ?) AND deleted = 0 "
	                   "ORDER BY type, id",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, sc->internal);
	store_bind_text(stmt, 2, sc->staff);
	/* The client's own digest code, so that both ends hash the same lines. */
	sync_digest_init(&d);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		sync_digest_add(&d, (const char *)sqlite3_column_text(stmt, 0),
		                (const char *)sqlite3_column_text(stmt, 1),
		                sqlite3_column_int64(stmt, 2));
	if (rc != SQLITE_DONE)
		return store_db_fail(req->db, rc, "digest");
	sync_digest_final(&d, hex);
	cJSON_AddNumberToObject(obj, "count", (double)d.count);
	cJSON_AddStringToObject(obj, "sha256", hex);
	return 0;
}

static void
sync_digest(struct srv_req *req, struct srv_resp *resp)
{
	struct scopes s = {0};
	cJSON *out = cJSON_CreateObject();
	cJSON *jscopes = cJSON_AddObjectToObject(out, "scopes");
	int rc = scopes_list(req, &s);

	for (int i = 0; rc == 0 && i < s.n; i++)
		rc = digest_scope(req, &s.v[i], cJSON_AddObjectToObject(jscopes, s.v[i].wire));
	scopes_free(&s);
	if (rc != 0) {
		cJSON_Delete(out);
		srv_internal(req, resp, rc, "digest");
		return;
	}
	srv_reply(resp, 200, out);
}

const struct srv_route srv_routes_sync[] = {
    {"POST", "/sync", sync_post, SRV_ROUTE_NO_TX,
     "client_id,push,cursors,limit,since,scope_set,partial,lean,remaining", "", NULL},
    {"GET", "/sync/digest", sync_digest, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};
