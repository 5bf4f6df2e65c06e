/* SPDX-License-Identifier: MIT */
/* The sync tests' replica; see harness-replica.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "harness-replica.h"

/* ---- A replica kept by the test ------------------------------------------------------------- */

void
replica_init(struct replica *rp, const struct h_server *srv)
{
	memset(rp, 0, sizeof(*rp));
	rp->srv = srv;
	lc_uuid_new(rp->client_id);
	rp->cursors = cJSON_CreateObject();
	rp->rows = cJSON_CreateObject();
	rp->scopes = cJSON_CreateArray();
	rp->changes = cJSON_CreateArray();
	rp->resets = cJSON_CreateArray();
	rp->limit = 1000;
}

void
replica_free(struct replica *rp)
{
	cJSON_Delete(rp->cursors);
	cJSON_Delete(rp->rows);
	cJSON_Delete(rp->scopes);
	cJSON_Delete(rp->changes);
	cJSON_Delete(rp->resets);
	free(rp->raw);
}

bool
in_list(const cJSON *list, const char *s)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return true;
	}
	return false;
}

static void
apply_change(struct replica *rp, const cJSON *ch)
{
	const char *scope = h_json_str(ch, "scope"), *type = h_json_str(ch, "type");
	const char *id = h_json_str(ch, "id");
	if (scope == NULL || type == NULL || id == NULL ||
	    !cJSON_IsNumber(cJSON_GetObjectItem(ch, "rev")))
		fail_msg("a change without scope, type, id or rev: %s", cJSON_PrintUnformatted(ch));
	bool deleted = cJSON_IsTrue(cJSON_GetObjectItem(ch, "deleted"));
	const cJSON *doc = cJSON_GetObjectItem(ch, "doc");
	if (deleted && !cJSON_IsNull(doc))
		fail_msg("a tombstone with a doc: %s", cJSON_PrintUnformatted(ch));
	if (!deleted && !cJSON_IsObject(doc))
		fail_msg("a live change without a doc: %s", cJSON_PrintUnformatted(ch));
	cJSON *rows = cJSON_GetObjectItem(rp->rows, scope);
	if (rows == NULL)
		rows = cJSON_AddObjectToObject(rp->rows, scope);
	char key[128];
	snprintf(key, sizeof(key), "%s\t%s", type, id);
	cJSON_DeleteItemFromObjectCaseSensitive(rows, key);
	if (!deleted)
		cJSON_AddNumberToObject(rows, key, h_json_num(ch, "rev", 0));
}

/* One POST /sync with the replica's cursors and the given push array (JSON text or NULL). */
void
sync_once(struct replica *rp, const char *token, const char *push, struct h_resp *r)
{
	char *cur = cJSON_PrintUnformatted(rp->cursors);
	char *body = lc_asprintf("{\"client_id\":\"%s\",\"push\":%s,\"cursors\":%s,\"limit\":%d}",
	                         rp->client_id, push != NULL ? push : "[]", cur, rp->limit);
	h_call(rp->srv, "POST", "/sync", token, body, NULL, r);
	free(cur);
	free(body);
}

/* Applies one response; returns true when the server said more. */
static bool
absorb(struct replica *rp, const struct h_resp *r, struct lc_buf *raw)
{
	lc_buf_puts(raw, r->body);
	double last = -1;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, cJSON_GetObjectItem(r->json, "changes"))
	{
		double seq = h_json_num(ch, "seq", -1);
		if (seq < last)
			fail_msg("changes out of seq order: %s", r->body);
		last = seq;
		apply_change(rp, ch);
		cJSON_AddItemToArray(rp->changes, cJSON_Duplicate(ch, true));
	}
	const cJSON *reset;
	cJSON_ArrayForEach(reset, cJSON_GetObjectItem(r->json, "reset"))
	{
		cJSON_AddItemToArray(rp->resets, cJSON_CreateString(reset->valuestring));
		cJSON_DeleteItemFromObjectCaseSensitive(rp->rows, reset->valuestring);
		cJSON_DeleteItemFromObjectCaseSensitive(rp->cursors, reset->valuestring);
	}
	cJSON_Delete(rp->cursors);
	rp->cursors = cJSON_Duplicate(cJSON_GetObjectItem(r->json, "cursors"), true);
	cJSON_Delete(rp->scopes);
	rp->scopes = cJSON_Duplicate(cJSON_GetObjectItem(r->json, "scopes"), true);
	if (rp->cursors == NULL || rp->scopes == NULL)
		fail_msg("a sync response without cursors or scopes: %s", r->body);
	/* Drop the rows of scopes no longer listed. */
	for (cJSON *s = rp->rows->child; s != NULL;) {
		cJSON *next = s->next;
		if (!in_list(rp->scopes, s->string))
			cJSON_Delete(cJSON_DetachItemViaPointer(rp->rows, s));
		s = next;
	}
	return cJSON_IsTrue(cJSON_GetObjectItem(r->json, "more"));
}

/* Syncs until more is false; the changes and raw bodies of this call are kept in rp. */
void
replica_sync(struct replica *rp, const char *token)
{
	cJSON_Delete(rp->changes);
	rp->changes = cJSON_CreateArray();
	free(rp->raw);
	struct lc_buf raw = {0};
	for (int round = 0;; round++) {
		if (round > 100)
			fail_msg("sync never said more:false");
		struct h_resp r;
		sync_once(rp, token, NULL, &r);
		H_EXPECT(r, 200);
		bool more = absorb(rp, &r, &raw);
		h_resp_free(&r);
		rp->rounds = round + 1;
		if (!more)
			break;
	}
	rp->raw = lc_buf_steal(&raw);
}

const cJSON *
find_change(const struct replica *rp, const char *scope, const char *id)
{
	const cJSON *ch;
	cJSON_ArrayForEach(ch, rp->changes)
	{
		if ((scope == NULL || strcmp(h_json_str(ch, "scope"), scope) == 0) &&
		    strcmp(h_json_str(ch, "id"), id) == 0)
			return ch;
	}
	return NULL;
}

/* ---- Digests ----------------------------------------------------------------------------------
 */

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * SHA-256 over "type\tid\trev\n" sorted by type then id. Sorting the "type\tid" keys as bytes
 * gives that order: a tab sorts before every character of a type name.
 */
void
digest_of(const cJSON *rows, int *count, char hex[65])
{
	int n = cJSON_GetArraySize(rows);
	const char **keys = lc_calloc((size_t)n + 1, sizeof(*keys));
	int i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, rows)
	{
		keys[i++] = it->string;
	}
	qsort(keys, (size_t)n, sizeof(*keys), cmp_key);
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	for (i = 0; i < n; i++) {
		char line[160];
		int len =
		    snprintf(line, sizeof(line), "%s\t%d\n", keys[i],
		             (int)cJSON_GetObjectItemCaseSensitive(rows, keys[i])->valuedouble);
		crypto_hash_sha256_update(&st, (const unsigned char *)line, (size_t)len);
	}
	unsigned char out[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&st, out);
	sodium_bin2hex(hex, 65, out, sizeof(out));
	*count = n;
	free(keys);
}

/* Compares the server's digest of every scope with the replica's. */
void
expect_digests_match(const struct replica *rp, const char *token)
{
	struct h_resp r;
	h_call(rp->srv, "GET", "/sync/digest", token, NULL, NULL, &r);
	H_EXPECT(r, 200);
	const cJSON *scopes = cJSON_GetObjectItem(r.json, "scopes");
	assert_true(cJSON_IsObject(scopes));
	const cJSON *s;
	cJSON_ArrayForEach(s, rp->scopes)
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(scopes, s->valuestring);
		if (d == NULL)
			fail_msg("no digest for scope %s: %s", s->valuestring, r.body);
		const cJSON *rows = cJSON_GetObjectItemCaseSensitive(rp->rows, s->valuestring);
		cJSON *empty = cJSON_CreateObject();
		int count;
		char hex[65];
		digest_of(rows != NULL ? rows : empty, &count, hex);
		cJSON_Delete(empty);
		int scount = (int)h_json_num(d, "count", -1);
		const char *shex = h_json_str(d, "sha256");
		if (scount != count || shex == NULL || strcmp(shex, hex) != 0) {
			char *mine = cJSON_PrintUnformatted(rows);
			fail_msg("scope %s: server count %d sha256 %s; replica count %d sha256 %s; "
			         "replica rows %s",
			         s->valuestring, scount, shex != NULL ? shex : "(none)", count, hex,
			         mine);
		}
	}
	assert_int_equal(cJSON_GetArraySize(scopes), cJSON_GetArraySize(rp->scopes));
	h_resp_free(&r);
}

void
expect_tombstone(const struct replica *rp, const char *scope, const char *id, const char *type)
{
	const cJSON *ch = find_change(rp, scope, id);
	if (ch == NULL)
		fail_msg("no tombstone for %s %s in %s", type, id,
		         scope != NULL ? scope : "any scope");
	assert_string_equal(h_json_str(ch, "type"), type);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ch, "deleted")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(ch, "doc")));
}
