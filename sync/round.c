/* SPDX-License-Identifier: MIT */
/*
 * One /sync round trip: the first outbox entries and every cursor go up; the answers to
 * the entries, the changes, cursors, scope set and resets come back and are applied in ONE
 * store transaction, so a client killed at any instant either applied the whole answer or
 * none of it (and then sends the same entries with the same keys again).
 *
 * Cursors that all stand at one seq go in the compact form (a seq and a hash of the scope
 * set), whose answer carries one "since" for every scope sent. When the server cannot take
 * it (the scope set changed, a scope was reset) it answers in the full form, and the next
 * round names every cursor, so a disagreement costs one round and never loops.
 *
 * The engine asks for partial changes ("partial": true): a topic that only got a reply
 * comes as a patch of its counters, merged into the stored doc. It asks only when its
 * cursors come from an answer with more: false (setting "sync_paged" says otherwise): a
 * cursor in the middle of a paged pull has passed rows it never got, whose newer versions
 * are still to come, and the server would take them for held. A patch the replica cannot
 * take anyway (the row is missing or older than the patch's base) resets that scope, which
 * the next round pulls again from 0 in whole docs: slower, never wrong.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "sync/backoff.h"
#include "sync/engine-int.h"
#include "sync/merge.h"
#include "sync/protocol.h"

/* What applying one answer did, to decide whether another round is worth it. */
struct round_tally {
	int64_t answered; /* definite answers: completed, rejected, merged, conflicted */
	int64_t retry;    /* kept for a later try */
	char *last_error;
};

static bool
temporary(long status)
{
	return status == 408 || status == 429 || status >= 500;
}

/* A 409 on an edit: merge base, mine and theirs, re-queue when clean, else a conflict. */
static int
apply_conflict(struct store_db *db, const struct store_outbox_entry *e,
               const struct sync_push_result *p)
{
	char *base = NULL, *body = NULL, *doc = NULL, *why = NULL;
	int rc = store_overlay_base(db, e->type, e->res_id, &base);

	if (rc < 0)
		return rc;
	rc = sync_merge_edit(base, e->body != NULL ? e->body : "{}", p->current, &body, &doc, &why);
	if (rc == 0) {
		lc_log(LC_LOG_INFO, "sync: %s %s merged onto rev %lld", e->type, e->res_id,
		       (long long)p->current_rev);
		rc = store_outbox_rebase(db, e->seq, p->current_rev, body, doc, p->current);
	} else if (rc == -LC_ECONFLICT || rc == -LC_EPROTO) {
		rc = store_outbox_conflict(db, e->seq, NULL, p->current, p->current_rev,
		                           why != NULL ? why : "edited on both sides");
	}
	free(base);
	free(body);
	free(doc);
	free(why);
	return rc;
}

/* Whether doc b differs from doc a only in what a reorder of siblings changes. */
static bool
only_reordered(const char *a, const char *b)
{
	static const char *const moved[] = {"rev", "updated_at", "position"};
	cJSON *x = a != NULL ? cJSON_Parse(a) : NULL, *y = b != NULL ? cJSON_Parse(b) : NULL;
	bool same;

	for (size_t i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
		cJSON_DeleteItemFromObjectCaseSensitive(x, moved[i]);
		cJSON_DeleteItemFromObjectCaseSensitive(y, moved[i]);
	}
	same = cJSON_IsObject(x) && cJSON_IsObject(y) && cJSON_Compare(x, y, true);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return same;
}

/*
 * A 409 on a delete: the resource changed since the user deleted it. When the server only
 * renumbered it (a sibling moved), the delete goes again on the new rev; any other change
 * is refused as a sync issue, and the resource shows again with that change, so nobody's
 * work is deleted unseen.
 */
static int
apply_delete_conflict(struct store_db *db, const struct store_outbox_entry *e,
                      const struct sync_push_result *p)
{
	char *base = NULL;
	int rc = store_overlay_base(db, e->type, e->res_id, &base);

	if (rc == 0 && only_reordered(base, p->current)) {
		lc_log(LC_LOG_INFO, "sync: %s %s only moved; deleting it at rev %lld", e->type,
		       e->res_id, (long long)p->current_rev);
		rc = store_outbox_rebase(db, e->seq, p->current_rev, NULL, NULL, p->current);
	} else if (rc == 0) {
		rc = store_outbox_reject(db, e->seq, 409,
		                         "changed on the server since you deleted it; it is back "
		                         "with that change, delete it again if you still mean it");
	}
	free(base);
	return rc;
}

static bool
is_edit(const struct store_outbox_entry *e)
{
	return strcmp(e->method, "PATCH") == 0 || strcmp(e->method, "PUT") == 0;
}

static int
apply_result(struct store_db *db, const struct store_outbox_entry *e,
             const struct sync_push_result *p, struct round_tally *t)
{
	char *msg;
	int rc;

	if (p->status >= 200 && p->status < 300) {
		t->answered++;
		/* A server that kept its own id (one progress record per item) answers with a
		 * doc of another resource: the feed in this same answer brings that row. */
		if (p->body_id != NULL && e->res_id != NULL && strcmp(p->body_id, e->res_id) != 0)
			return store_outbox_complete(db, e->seq, NULL);
		return store_outbox_complete(db, e->seq, p->body);
	}
	if (temporary(p->status)) {
		t->retry++;
		free(t->last_error);
		t->last_error = lc_asprintf("%s %s: %ld %s", e->method, e->path, p->status,
		                            p->error_message != NULL ? p->error_message : "");
		return store_outbox_fail(db, e->seq, t->last_error);
	}
	t->answered++;
	if (p->status == 409 && is_edit(e) && p->current != NULL)
		return apply_conflict(db, e, p);
	if (p->status == 409 && strcmp(e->method, "DELETE") == 0 && p->current != NULL &&
	    e->res_id != NULL)
		return apply_delete_conflict(db, e, p);
	msg = lc_strdup(p->error_message != NULL ? p->error_message : "refused");
	lc_log(LC_LOG_INFO, "sync: %s %s refused with %ld: %s", e->method, e->path, p->status, msg);
	rc = store_outbox_reject(db, e->seq, (int)p->status, msg);
	free(msg);
	return rc;
}

static const struct sync_push_result *
find_result(const struct sync_response *res, const char *key)
{
	for (size_t i = 0; i < res->n_push; i++)
		if (strcmp(res->push[i].key, key) == 0)
			return &res->push[i];
	return NULL;
}

/* The entries and cursors a round sends. */
struct round_request {
	struct store_outbox_entry *entries;
	size_t n, n_send;
	struct store_cursor *cursors;
	size_t n_cursors;
	bool compact; /* the cursors went as "since" and "scope_set" */
	unsigned flags;
	char *body;
};

/*
 * Merges the answer's partial changes. A scope holding a row that cannot take its patch is
 * reset (rows dropped, cursor 0) after the batch set the cursors, so that the next round
 * pulls it again from 0; *refetch then says another round is due.
 */
static int
apply_patches(struct store_db *db, const struct sync_response *res, bool *refetch)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < res->n_patches; i++) {
		const struct sync_patch *p = &res->patches[i];

		rc = store_replica_patch_row(db, p->scope, p->type, p->id, p->rev, p->base,
		                             p->patch);
		if (rc == -LC_ENOTFOUND) {
			lc_log(LC_LOG_INFO, "sync: %s %s cannot take rev %lld as a patch: %s again",
			       p->type, p->id, (long long)p->rev, p->scope);
			*refetch = true;
			rc = store_scope_reset(db, p->scope);
		}
	}
	return rc;
}

static int
apply_response(struct store_db *db, const struct round_request *req,
               const struct sync_response *res, struct round_tally *t, bool *refetch)
{
	const struct store_outbox_entry *entries = req->entries;
	size_t n = req->n_send;
	struct store_cursor *since = NULL;

	/* Never more sent than the outbox held (the answer is checked, not asserted). */
	assert(n <= req->n);
	struct store_batch batch = {
	    .changes = res->changes,
	    .n_changes = res->n_changes,
	    .cursors = res->cursors,
	    .n_cursors = res->n_cursors,
	    /* A logged-in user always has "catalog" and "user": an empty set is a server
	     * in trouble, not a user who lost every scope, so it drops nothing. */
	    .scopes = res->n_scopes > 0 ? res->scopes : NULL,
	    .n_scopes = res->n_scopes,
	    .resets = res->resets,
	    .n_resets = res->n_resets,
	};
	char now[LC_RFC3339_LEN + 1];
	int rc;

	if (req->compact && res->since > 0) {
		/* Every scope the request stood for moves to since; the set stays as it is. */
		since = lc_calloc(req->n_cursors + 1, sizeof(*since));
		for (size_t i = 0; i < req->n_cursors; i++)
			since[i] = (struct store_cursor){req->cursors[i].scope, res->since};
		batch.cursors = since;
		batch.n_cursors = req->n_cursors;
	}
	rc = store_db_begin(db);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct sync_push_result *p = find_result(res, entries[i].key);

		if (p != NULL)
			rc = apply_result(db, &entries[i], p, t);
		else
			t->retry++; /* unanswered: it goes again with the same key */
		/* Another process on this replica (the TUI beside `lectern sync`) may have had
		 * the same answer, replayed by its key, and settled the entry first. */
		if (rc == -LC_ENOTFOUND)
			rc = 0;
	}
	if (rc == 0)
		rc = store_apply_batch(db, &batch);
	if (rc == 0)
		rc = apply_patches(db, res, refetch);
	/* With the cursors it goes with: whether they stand in the middle of a paged pull. */
	if (rc == 0)
		rc = store_setting_set(db, "sync_paged", res->more ? "1" : "0");
	lc_rfc3339(lc_now(), now);
	if (rc == 0)
		rc = store_setting_set(db, "last_sync", now);
	if (rc == 0)
		rc = store_db_commit(db);
	if (rc < 0)
		store_db_rollback(db);
	free(since);
	return rc;
}

/* Sends the request; a whole-request failure is temporary for every entry in it. */
static int
send_round(struct sync_engine *e, struct sync_session *s, const char *body,
           struct sync_http_response *hres, char **cause)
{
	int rc = sync_session_post_sync(e->http, e->db, s, body, hres, cause);
	long status;
	char *msg;

	if (rc < 0)
		return rc;
	sync_engine_account(e, hres);
	if (hres->status == 200)
		return 0;
	msg = sync_error_message(hres->body.data);
	rc = lc_cause_set(cause, temporary(hres->status) ? -LC_ENET : -LC_EPROTO,
	                  "the server answered %ld to /sync: %s", hres->status,
	                  msg != NULL ? msg : "no message");
	free(msg);
	status = hres->status;
	sync_http_response_finish(hres);
	hres->status = status; /* the caller tells a 413 from other refusals */
	return rc;
}

/*
 * The count of changes left costs bytes both ways on every request that carries it, so it
 * is asked for only where a long sync is likely: a first sync, and the pages after an
 * answer that said "more" (a no-op or a short sync stays as small as before; issue 10).
 */
static bool
want_remaining(const struct sync_engine *e, const char *paged)
{
	if (e->no_remaining)
		return false;
	return e->status.initial || (paged != NULL && strcmp(paged, "1") == 0);
}

/*
 * Reads the round's entries and cursors and encodes the request. n_send (<= n) entries
 * go: halved until the body fits SYNC_MAX_REQUEST, since the server refuses a larger body
 * whole.
 */
static int
load_round(struct sync_engine *e, struct sync_session *s, struct round_request *r, char **cause)
{
	int batch = e->round_limit > 0  ? e->round_limit
	            : e->batch_size > 0 ? e->batch_size
	                                : SYNC_DEFAULT_BATCH;
	char *partial = NULL, *paged = NULL;
	int limit;
	/*
	 * One read snapshot: the cursors and "sync_paged" are written together by an apply,
	 * maybe by another process on this replica (the TUI beside `lectern sync`).
	 */
	int rc = store_db_exec(e->db, "BEGIN");

	if (rc == 0)
		rc = store_outbox_list(e->db, batch, &r->entries, &r->n);
	if (rc == 0)
		rc = store_cursor_list(e->db, &r->cursors, &r->n_cursors);
	/* "sync_partial" = "off" asks for whole docs only (docs/sync.md, the benchmark). */
	if (rc == 0)
		rc = store_setting_get(e->db, "sync_partial", &partial);
	if (rc == 0)
		rc = store_setting_get(e->db, "sync_paged", &paged);
	if (rc == 0)
		rc = store_db_commit(e->db);
	if (rc < 0) {
		store_db_rollback(e->db);
		free(partial);
		free(paged);
		return lc_cause_set(cause, rc, "cannot read the replica: %s",
		                    store_db_error(e->db)->message);
	}
	r->n_send = r->n;
	r->compact = !e->full_cursors && sync_cursors_uniform(r->cursors, r->n_cursors);
	r->flags = (r->compact ? SYNC_ENCODE_COMPACT : 0) |
	           (e->whole_docs || (partial != NULL && strcmp(partial, "off") == 0) ||
	                    (paged != NULL && strcmp(paged, "1") == 0)
	                ? 0
	                : SYNC_ENCODE_PARTIAL) |
	           (want_remaining(e, paged) ? SYNC_ENCODE_REMAINING : 0);
	free(partial);
	free(paged);
	/* The shared store's probe asks for one change: the answer is for its scope list. */
	limit = sync_content_probe(e, r->entries, r->n) ? 1 : e->pull_limit;
	rc = sync_protocol_encode(s->client_id, r->entries, r->n_send, r->cursors, r->n_cursors,
	                          r->flags, limit, &r->body, cause);
	while (rc == 0 && r->n_send > 1 && strlen(r->body) > SYNC_MAX_REQUEST) {
		free(r->body);
		r->n_send /= 2;
		rc = sync_protocol_encode(s->client_id, r->entries, r->n_send, r->cursors,
		                          r->n_cursors, r->flags, limit, &r->body, cause);
	}
	assert(r->n_send <= r->n);
	return rc;
}

static void
round_request_finish(struct round_request *r)
{
	store_outbox_free(r->entries, r->n);
	store_cursor_list_free(r->cursors, r->n_cursors);
	free(r->body);
}

/*
 * A 413 to the whole request: fewer entries next round, and an entry too large to send
 * on its own becomes a sync issue instead of blocking the outbox for ever.
 */
static int
too_large(struct sync_engine *e, const struct store_outbox_entry *entries, size_t n_send,
          bool *again)
{
	*again = true;
	if (n_send > 1) {
		e->round_limit = (int)(n_send / 2);
		return 0;
	}
	if (n_send == 0)
		return -LC_EPROTO; /* even a bare pull was refused */
	return store_outbox_reject(e->db, entries[0].seq, 413, "too large to send");
}

int
sync_round(struct sync_engine *e, struct sync_session *s, bool *again, char **cause)
{
	struct round_request r = {0};
	struct sync_http_response hres = {0};
	struct sync_response res = {0};
	struct round_tally t = {0};
	int64_t waiting = 0, sent_ms = 0;
	bool refetch = false;
	int rc = load_round(e, s, &r, cause);

	*again = false;
	if (rc == 0) {
		sync_engine_set_phase(e, r.n_send > 0 ? SYNC_PHASE_PUSH : SYNC_PHASE_PULL);
		sent_ms = lc_monotonic_ms();
		rc = send_round(e, s, r.body, &hres, cause);
		sent_ms = lc_monotonic_ms() - sent_ms;
	}
	/*
	 * A lecternd from before partial (or lean) changes refuses the unknown key: ask again
	 * without both (and for the rest of this engine's life) rather than never syncing.
	 */
	if (rc == -LC_EPROTO && hres.status == 400 && (r.flags & SYNC_ENCODE_PARTIAL) != 0 &&
	    cause != NULL && *cause != NULL &&
	    (strstr(*cause, "Invalid parameters: partial") != NULL ||
	     strstr(*cause, "Invalid parameters: lean") != NULL)) {
		lc_log(LC_LOG_INFO, "sync: the server does not take partial changes");
		free(*cause);
		*cause = NULL;
		e->whole_docs = true;
		*again = true;
		rc = 0;
		goto out;
	}
	/* The same for "remaining" (docs/api.md "Sync progress"): progress without a percent. */
	if (rc == -LC_EPROTO && hres.status == 400 && (r.flags & SYNC_ENCODE_REMAINING) != 0 &&
	    cause != NULL && *cause != NULL &&
	    strstr(*cause, "Invalid parameters: remaining") != NULL) {
		lc_log(LC_LOG_INFO, "sync: the server does not count the changes left");
		free(*cause);
		*cause = NULL;
		e->no_remaining = true;
		*again = true;
		rc = 0;
		goto out;
	}
	if (rc == -LC_EPROTO && hres.status == 413) {
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
		rc = too_large(e, r.entries, r.n_send, again);
		if (rc < 0)
			lc_cause_set(cause, rc, "the server refuses even a small /sync request");
		goto out;
	}
	if (rc == 0)
		lc_log(LC_LOG_DEBUG, "sync: sent %s\nsync: got %s", r.body, lc_buf_str(&hres.body));
	if (rc == 0)
		rc = sync_protocol_decode(hres.body.data != NULL ? hres.body.data : "",
		                          hres.body.len, &res, cause);
	if (rc == 0) {
		sync_engine_set_phase(e, SYNC_PHASE_APPLY);
		rc = apply_response(e->db, &r, &res, &t, &refetch);
		if (rc < 0)
			lc_cause_set(cause, rc, "cannot apply the answer: %s",
			             store_db_error(e->db)->message);
	}
	if (rc == 0) {
		/* A compact request answered in the full form: name every cursor next time. */
		e->full_cursors = r.compact && res.since <= 0;
		if (res.more)
			e->pull_limit = sync_pull_limit_next(
			    e->pull_limit, res.n_changes + res.n_patches, sent_ms);
		sync_engine_count(e, t.answered, (int64_t)(res.n_changes + res.n_patches));
		sync_engine_remaining(e, res.remaining, res.more);
		rc = store_outbox_count(e->db, &waiting);
	}
	if (rc == 0 && t.retry > 0 && t.answered == 0 && !res.more)
		rc = lc_cause_set(cause, -LC_ENET, "%lld writes wait for the server: %s",
		                  (long long)waiting,
		                  t.last_error != NULL ? t.last_error : "no answer");
	else if (rc == 0)
		*again = res.more || refetch || (waiting > 0 && t.answered > 0) ||
		         (waiting > (int64_t)r.n_send);
	if (rc == 0) {
		e->content.probe = false;
		sync_content_after_round(e, &res, again);
	}
out:
	free(t.last_error);
	sync_response_finish(&res);
	sync_http_response_finish(&hres);
	round_request_finish(&r);
	return rc;
}

static int
compare_digests(struct store_db *db, const struct sync_scope_digest *d, size_t n, char **cause)
{
	struct store_cursor *cursors = NULL;
	size_t n_cursors = 0;
	char hex[SYNC_DIGEST_HEX_LEN + 1];
	int64_t count;
	int rc = store_cursor_list(db, &cursors, &n_cursors);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = sync_digest_scope(db, d[i].scope, &count, hex);
		if (rc == 0 && (count != d[i].count || strcmp(hex, d[i].hex) != 0))
			rc = lc_cause_set(cause, -LC_ECONFLICT,
			                  "scope %s differs: %lld rows here, %lld on the server",
			                  d[i].scope, (long long)count, (long long)d[i].count);
	}
	/* A scope the replica still holds but the server no longer lists is a mismatch too. */
	for (size_t i = 0; rc == 0 && i < n_cursors; i++) {
		bool listed = false;

		for (size_t j = 0; j < n && !listed; j++)
			listed = strcmp(cursors[i].scope, d[j].scope) == 0;
		rc = sync_digest_scope(db, cursors[i].scope, &count, hex);
		if (rc == 0 && !listed && count > 0)
			rc = lc_cause_set(cause, -LC_ECONFLICT, "scope %s is not on the server",
			                  cursors[i].scope);
	}
	store_cursor_list_free(cursors, n_cursors);
	return rc;
}

int
sync_verify(struct sync_engine *e, struct sync_session *s, char **cause)
{
	struct sync_http_response hres = {0};
	struct sync_scope_digest *d = NULL;
	size_t n = 0;
	int rc;

	sync_engine_set_phase(e, SYNC_PHASE_VERIFY);
	rc = sync_session_request(e->http, e->db, s, "GET", "/api/v1/sync/digest", NULL, &hres,
	                          cause);
	if (rc < 0)
		return rc;
	sync_engine_account(e, &hres);
	if (hres.status != 200)
		rc = lc_cause_set(cause, temporary(hres.status) ? -LC_ENET : -LC_EPROTO,
		                  "the server answered %ld to /sync/digest", hres.status);
	if (rc == 0)
		rc = sync_protocol_decode_digest(hres.body.data != NULL ? hres.body.data : "",
		                                 hres.body.len, &d, &n, cause);
	if (rc == 0)
		rc = compare_digests(e->db, d, n, cause);
	sync_scope_digests_free(d, n);
	sync_http_response_finish(&hres);
	return rc;
}
