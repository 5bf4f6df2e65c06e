/* SPDX-License-Identifier: MIT */
/*
 * The /sync wire format. Decoding keeps the parsed cJSON tree alive inside the response
 * so that ids, scopes and keys are borrowed rather than copied; only docs are printed to
 * text, since the store keeps them as JSON text.
 */
#include "sync/protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/err.h"
#include "common/mem.h"

static int
add_entry(cJSON *push, const struct store_outbox_entry *e, char **cause)
{
	cJSON *item = cJSON_CreateObject();
	cJSON *body = NULL;

	cJSON_AddItemToArray(push, item);
	cJSON_AddStringToObject(item, "key", e->key);
	cJSON_AddStringToObject(item, "method", e->method);
	cJSON_AddStringToObject(item, "path", e->path);
	if (e->if_match > 0)
		cJSON_AddNumberToObject(item, "if_match", (double)e->if_match);
	if (e->body != NULL) {
		body = cJSON_Parse(e->body);
		if (body == NULL)
			return lc_cause_set(cause, -LC_EPROTO,
			                    "outbox entry %lld: body is not JSON",
			                    (long long)e->seq);
		cJSON_AddItemToObject(item, "body", body);
	}
	return 0;
}

bool
sync_cursors_uniform(const struct store_cursor *cursors, size_t n)
{
	if (n == 0 || cursors[0].cursor <= 0)
		return false;
	for (size_t i = 1; i < n; i++)
		if (cursors[i].cursor != cursors[0].cursor)
			return false;
	return true;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
sync_scope_set_hash(const char *const *scopes, size_t n, char hex[SYNC_SCOPE_SET_HEX_LEN + 1])
{
	const char **sorted = lc_calloc(n + 1, sizeof(*sorted));
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	if (n > 0) /* scopes may be NULL for the empty set */
		memcpy(sorted, scopes, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), compare_strings);
	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < n; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)sorted[i], strlen(sorted[i]));
		crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	}
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(hex, SYNC_SCOPE_SET_HEX_LEN + 1, digest, SYNC_SCOPE_SET_HEX_LEN / 2);
	free(sorted);
}

/* Adds "since" and "scope_set" standing for every cursor (sync_cursors_uniform()). */
static void
add_compact_cursors(cJSON *root, const struct store_cursor *cursors, size_t n)
{
	const char **scopes = lc_calloc(n + 1, sizeof(*scopes));
	char hex[SYNC_SCOPE_SET_HEX_LEN + 1];

	for (size_t i = 0; i < n; i++)
		scopes[i] = cursors[i].scope;
	sync_scope_set_hash(scopes, n, hex);
	free(scopes);
	cJSON_AddNumberToObject(root, "since", (double)cursors[0].cursor);
	cJSON_AddStringToObject(root, "scope_set", hex);
}

int
sync_protocol_encode(const char *client_id, const struct store_outbox_entry *entries,
                     size_t n_entries, const struct store_cursor *cursors, size_t n_cursors,
                     unsigned flags, int limit, char **out, char **cause)
{
	cJSON *root = cJSON_CreateObject();
	int rc = 0;

	*out = NULL;
	cJSON_AddStringToObject(root, "client_id", client_id);
	if (n_entries > 0) {
		cJSON *push = cJSON_AddArrayToObject(root, "push");

		for (size_t i = 0; i < n_entries && rc == 0; i++)
			rc = add_entry(push, &entries[i], cause);
	}
	if ((flags & SYNC_ENCODE_COMPACT) != 0 && sync_cursors_uniform(cursors, n_cursors)) {
		add_compact_cursors(root, cursors, n_cursors);
	} else {
		cJSON *cur = cJSON_AddObjectToObject(root, "cursors");

		for (size_t i = 0; i < n_cursors; i++)
			cJSON_AddNumberToObject(cur, cursors[i].scope, (double)cursors[i].cursor);
	}
	if (limit > 0)
		cJSON_AddNumberToObject(root, "limit", limit);
	/* Both extensions of docs/sync.md ("Partial changes", "Lean changes") or neither. */
	if ((flags & SYNC_ENCODE_PARTIAL) != 0) {
		cJSON_AddTrueToObject(root, "partial");
		cJSON_AddTrueToObject(root, "lean");
	}
	/* docs/api.md "Sync progress": the answer then says how many changes are left. */
	if ((flags & SYNC_ENCODE_REMAINING) != 0)
		cJSON_AddTrueToObject(root, "remaining");
	if (rc == 0) {
		*out = cJSON_PrintUnformatted(root);
		if (*out == NULL)
			rc = lc_cause_set(cause, -LC_ENOMEM, "cannot encode the sync request");
	}
	cJSON_Delete(root);
	return rc;
}

/* Prints a doc to text owned by the response. */
static char *
keep_doc(struct sync_response *res, const cJSON *doc)
{
	char *text = cJSON_PrintUnformatted(doc);

	if (text == NULL)
		return NULL;
	res->docs[res->n_docs++] = text;
	return text;
}

bool
sync_wire_int(double value, int64_t *out)
{
	int64_t n;

	/* Compared as doubles first (NaN fails too): the cast is only defined once it fits. */
	if (!(value >= 0.0 && value <= (double)SYNC_WIRE_INT_MAX))
		return false;
	n = (int64_t)value;
	if ((double)n != value)
		return false; /* a fraction */
	*out = n;
	return true;
}

/*
 * A wire integer field of obj into *out: 0 when absent or not a number (the callers check
 * what they need), -LC_EPROTO when a number is out of range or has a fraction.
 */
static int
num_field(const cJSON *obj, const char *name, int64_t *out, char **cause)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	*out = 0;
	if (!cJSON_IsNumber(v))
		return 0;
	if (!sync_wire_int(v->valuedouble, out))
		return lc_cause_set(cause, -LC_EPROTO, "%s is not an integer in 0..2^53", name);
	return 0;
}

static const char *
str_field(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
decode_push(struct sync_response *res, const cJSON *push, char **cause)
{
	const cJSON *it;
	size_t i = 0;

	res->n_push = (size_t)cJSON_GetArraySize(push);
	res->push = lc_calloc(res->n_push + 1, sizeof(*res->push));
	cJSON_ArrayForEach(it, push)
	{
		struct sync_push_result *p = &res->push[i++];
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(it, "body");
		const cJSON *err, *current;

		int64_t status;

		p->key = str_field(it, "key");
		if (num_field(it, "status", &status, cause) != 0)
			return -LC_EPROTO;
		p->status = status > 999 ? 0 : (long)status;
		if (p->key == NULL || p->status < 100)
			return lc_cause_set(cause, -LC_EPROTO,
			                    "push result %zu without key or status", i - 1);
		if (body == NULL || cJSON_IsNull(body))
			continue;
		p->body = keep_doc(res, body);
		p->body_id = str_field(body, "id");
		err = cJSON_GetObjectItemCaseSensitive(body, "error");
		if (cJSON_IsObject(err) && str_field(err, "message") != NULL)
			p->error_message = lc_strdup(str_field(err, "message"));
		current = cJSON_GetObjectItemCaseSensitive(body, "current");
		if (cJSON_IsObject(current)) {
			p->current = keep_doc(res, current);
			if (num_field(current, "rev", &p->current_rev, cause) != 0)
				return -LC_EPROTO;
		}
	}
	return 0;
}

/*
 * Decodes the partial change it (i-th of the answer) into the next patch. A patch must be
 * an object without nulls (a JSON merge patch would delete those fields), for a live row,
 * with a base rev below its rev, and come without a doc.
 */
static int
decode_patch(struct sync_response *res, const cJSON *it, const cJSON *patch, size_t i, char **cause)
{
	struct sync_patch *p = &res->patches[res->n_patches];
	const cJSON *f;

	p->scope = str_field(it, "scope");
	p->type = str_field(it, "type");
	p->id = str_field(it, "id");
	if (num_field(it, "rev", &p->rev, cause) != 0 ||
	    num_field(it, "seq", &p->seq, cause) != 0 ||
	    num_field(it, "base", &p->base, cause) != 0)
		return -LC_EPROTO;
	if (p->scope == NULL || p->type == NULL || p->id == NULL || !cJSON_IsObject(patch) ||
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "deleted")) ||
	    cJSON_GetObjectItemCaseSensitive(it, "doc") != NULL || p->base < 1 || p->base >= p->rev)
		return lc_cause_set(cause, -LC_EPROTO, "change %zu: a malformed partial change", i);
	cJSON_ArrayForEach(f, patch)
	{
		if (cJSON_IsNull(f))
			return lc_cause_set(cause, -LC_EPROTO, "change %zu: a null in a patch", i);
	}
	p->patch = keep_doc(res, patch);
	if (p->patch == NULL)
		return lc_cause_set(cause, -LC_ENOMEM, "cannot keep a patch");
	res->n_patches++;
	return 0;
}

static int
decode_changes(struct sync_response *res, const cJSON *changes, char **cause)
{
	const cJSON *it;
	size_t i = 0, total = (size_t)cJSON_GetArraySize(changes);

	res->changes = lc_calloc(total + 1, sizeof(*res->changes));
	res->patches = lc_calloc(total + 1, sizeof(*res->patches));
	cJSON_ArrayForEach(it, changes)
	{
		struct store_change *c = &res->changes[res->n_changes];
		const cJSON *doc = cJSON_GetObjectItemCaseSensitive(it, "doc");
		const cJSON *patch = cJSON_GetObjectItemCaseSensitive(it, "patch");

		i++;
		if (patch != NULL) {
			int rc = decode_patch(res, it, patch, i - 1, cause);

			if (rc != 0)
				return rc;
			continue;
		}
		res->n_changes++;

		c->scope = str_field(it, "scope");
		c->type = str_field(it, "type");
		c->id = str_field(it, "id");
		if (num_field(it, "rev", &c->rev, cause) != 0 ||
		    num_field(it, "seq", &c->seq, cause) != 0)
			return -LC_EPROTO;
		/* A lean change (docs/sync.md "Lean changes") has its id and rev in its doc. */
		if (c->id == NULL && cJSON_IsObject(doc))
			c->id = str_field(doc, "id");
		if (cJSON_GetObjectItemCaseSensitive(it, "rev") == NULL && cJSON_IsObject(doc) &&
		    (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "rev")) ||
		     num_field(doc, "rev", &c->rev, cause) != 0))
			return lc_cause_set(cause, -LC_EPROTO, "change %zu without a rev", i - 1);
		c->deleted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "deleted"));
		if (c->scope == NULL || c->type == NULL || c->id == NULL)
			return lc_cause_set(cause, -LC_EPROTO,
			                    "change %zu without scope, type or id", i - 1);
		if (!c->deleted) {
			if (!cJSON_IsObject(doc))
				return lc_cause_set(cause, -LC_EPROTO, "change %zu without a doc",
				                    i - 1);
			c->doc = keep_doc(res, doc);
		}
	}
	return 0;
}

/* Collects an array of strings; *present tells whether the key was there at all. */
static int
decode_strings(const cJSON *arr, const char ***out, size_t *n, char **cause)
{
	const cJSON *it;

	*n = 0;
	*out = lc_calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(**out));
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it))
			return lc_cause_set(cause, -LC_EPROTO, "a scope that is not a string");
		(*out)[(*n)++] = it->valuestring;
	}
	return 0;
}

static int
decode_cursors(struct sync_response *res, const cJSON *cursors, char **cause)
{
	const cJSON *it;

	res->cursors = lc_calloc((size_t)cJSON_GetArraySize(cursors) + 1, sizeof(*res->cursors));
	cJSON_ArrayForEach(it, cursors)
	{
		int64_t cursor;

		if (!cJSON_IsNumber(it) || it->string == NULL ||
		    !sync_wire_int(it->valuedouble, &cursor))
			return lc_cause_set(cause, -LC_EPROTO,
			                    "a cursor that is not an integer in 0..2^53");
		res->cursors[res->n_cursors].scope = it->string;
		res->cursors[res->n_cursors++].cursor = cursor;
	}
	return 0;
}

/* Counts the docs a response holds, so that their texts fit one array. */
static size_t
count_docs(const cJSON *push, const cJSON *changes)
{
	return 2 * (size_t)cJSON_GetArraySize(push) + (size_t)cJSON_GetArraySize(changes) + 1;
}

int
sync_protocol_decode(const char *json, size_t len, struct sync_response *out, char **cause)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *push, *changes, *cursors, *scopes, *resets, *since, *remaining;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->remaining = -1;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return lc_cause_set(cause, -LC_EPROTO, "the sync response is not a JSON object");
	}
	out->json = root;
	push = cJSON_GetObjectItemCaseSensitive(root, "push");
	changes = cJSON_GetObjectItemCaseSensitive(root, "changes");
	cursors = cJSON_GetObjectItemCaseSensitive(root, "cursors");
	scopes = cJSON_GetObjectItemCaseSensitive(root, "scopes");
	resets = cJSON_GetObjectItemCaseSensitive(root, "reset");
	since = cJSON_GetObjectItemCaseSensitive(root, "since");
	remaining = cJSON_GetObjectItemCaseSensitive(root, "remaining");
	if ((remaining != NULL &&
	     (!cJSON_IsNumber(remaining) ||
	      !sync_wire_int(remaining->valuedouble, &out->remaining) || out->remaining < 0)) ||
	    (since != NULL &&
	     (!cJSON_IsNumber(since) || !sync_wire_int(since->valuedouble, &out->since))) ||
	    (push != NULL && !cJSON_IsArray(push)) ||
	    (changes != NULL && !cJSON_IsArray(changes)) ||
	    (cursors != NULL && !cJSON_IsObject(cursors)) ||
	    (scopes != NULL && !cJSON_IsArray(scopes)) ||
	    (resets != NULL && !cJSON_IsArray(resets)))
		rc = lc_cause_set(cause, -LC_EPROTO,
		                  "the sync response has a field of the wrong type");
	out->docs = lc_calloc(count_docs(push, changes), sizeof(*out->docs));
	if (rc == 0)
		rc = decode_push(out, push, cause);
	if (rc == 0)
		rc = decode_changes(out, changes, cause);
	if (rc == 0)
		rc = decode_cursors(out, cursors, cause);
	if (rc == 0 && scopes != NULL)
		rc = decode_strings(scopes, &out->scopes, &out->n_scopes, cause);
	if (rc == 0)
		rc = decode_strings(resets, &out->resets, &out->n_resets, cause);
	out->more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "more"));
	if (rc < 0)
		sync_response_finish(out);
	return rc;
}

void
sync_response_finish(struct sync_response *res)
{
	if (res == NULL)
		return;
	for (size_t i = 0; i < res->n_push && res->push != NULL; i++)
		free(res->push[i].error_message);
	for (size_t i = 0; i < res->n_docs; i++)
		cJSON_free(res->docs[i]);
	free(res->docs);
	free(res->push);
	free(res->changes);
	free(res->patches);
	free(res->cursors);
	free(res->scopes);
	free(res->resets);
	cJSON_Delete(res->json);
	memset(res, 0, sizeof(*res));
}

void
sync_digest_init(struct sync_digest *d)
{
	crypto_hash_sha256_init(&d->state);
	d->count = 0;
}

void
sync_digest_add(struct sync_digest *d, const char *type, const char *id, int64_t rev)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%s\t%s\t%lld\n", type, id, (long long)rev);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		/* Ids are UUIDs, but an odd row must still hash like the server does. */
		char *big = lc_asprintf("%s\t%s\t%lld\n", type, id, (long long)rev);

		crypto_hash_sha256_update(&d->state, (const unsigned char *)big, strlen(big));
		free(big);
	} else {
		crypto_hash_sha256_update(&d->state, (const unsigned char *)line, (size_t)n);
	}
	d->count++;
}

void
sync_digest_final(struct sync_digest *d, char hex[SYNC_DIGEST_HEX_LEN + 1])
{
	unsigned char hash[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final(&d->state, hash);
	sodium_bin2hex(hex, SYNC_DIGEST_HEX_LEN + 1, hash, sizeof(hash));
}

static int
digest_row(const char *type, const char *id, int64_t rev, void *ctx)
{
	sync_digest_add(ctx, type, id, rev);
	return 0;
}

int
sync_digest_scope(struct store_db *db, const char *scope, int64_t *count,
                  char hex[SYNC_DIGEST_HEX_LEN + 1])
{
	struct sync_digest d;
	int rc;

	sync_digest_init(&d);
	rc = store_scope_foreach(db, scope, digest_row, &d);
	sync_digest_final(&d, hex);
	*count = d.count;
	return rc;
}

int
sync_protocol_decode_digest(const char *json, size_t len, struct sync_scope_digest **out, size_t *n,
                            char **cause)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *scopes = cJSON_GetObjectItemCaseSensitive(root, "scopes");
	const cJSON *it;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!cJSON_IsObject(scopes)) {
		cJSON_Delete(root);
		return lc_cause_set(cause, -LC_EPROTO, "the digest answer has no scopes");
	}
	*out = lc_calloc((size_t)cJSON_GetArraySize(scopes) + 1, sizeof(**out));
	cJSON_ArrayForEach(it, scopes)
	{
		struct sync_scope_digest *d = &(*out)[*n];
		const char *sha = str_field(it, "sha256");

		if (sha == NULL || strlen(sha) != SYNC_DIGEST_HEX_LEN) {
			rc = lc_cause_set(cause, -LC_EPROTO, "scope %s: no sha256", it->string);
			break;
		}
		if (num_field(it, "count", &d->count, cause) != 0) {
			rc = -LC_EPROTO;
			break;
		}
		d->scope = lc_strdup(it->string);
		snprintf(d->hex, sizeof(d->hex), "%s", sha);
		(*n)++;
	}
	cJSON_Delete(root);
	if (rc < 0) {
		sync_scope_digests_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void
sync_scope_digests_free(struct sync_scope_digest *d, size_t n)
{
	for (size_t i = 0; i < n && d != NULL; i++)
		free(d[i].scope);
	free(d);
}
