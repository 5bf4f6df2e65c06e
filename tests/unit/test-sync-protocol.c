/* SPDX-License-Identifier: MIT */
/*
 * The /sync wire format: request encoding, response decoding (and refusing what is not a
 * response), the digest, and a decoded response applied to a real replica.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "sync/protocol.h"

static void
test_encode_carries_entries_in_order_with_keys_and_cursors(void **state)
{
	struct store_outbox_entry e[2] = {
	    {.seq = 1,
	     .key = "k1",
	     .method = "POST",
	     .path = "/api/v1/enrollments",
	     .body = "{\"course_id\":\"c\"}"},
	    {.seq = 2,
	     .key = "k2",
	     .method = "PATCH",
	     .path = "/api/v1/items/i",
	     .if_match = 3,
	     .body = "{\"body\":\"x\"}"},
	};
	struct store_cursor cur[1] = {{.scope = "course:c", .cursor = 1234}};
	char *out = NULL;
	cJSON *root, *push;

	assert_int_equal(sync_protocol_encode("cid", e, 2, cur, 1, 0, 0, &out, NULL), 0);
	root = cJSON_Parse(out);
	push = cJSON_GetObjectItem(root, "push");
	assert_int_equal(cJSON_GetArraySize(push), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(push, 0), "key")->valuestring,
	                    "k1");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(push, 0), "if_match"));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(push, 1), "if_match")->valueint, 3);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(push, 1), "body"), "body")
	        ->valuestring,
	    "x");
	assert_int_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(root, "cursors"), "course:c")->valueint, 1234);
	assert_string_equal(cJSON_GetObjectItem(root, "client_id")->valuestring, "cid");
	cJSON_Delete(root);
	free(out);
	e[0].body = "not json";
	assert_int_equal(sync_protocol_encode("cid", e, 2, cur, 1, 0, 0, &out, NULL), -LC_EPROTO);
	assert_null(out);
}

/* A cursor list as the replica keeps it: sorted by scope. */
static const struct store_cursor uniform[3] = {
    {.scope = "catalog", .cursor = 290},
    {.scope = "course:a", .cursor = 290},
    {.scope = "user", .cursor = 290},
};

static void
test_scope_set_hash_is_sha256_of_the_sorted_names(void **state)
{
	const char *shuffled[3] = {"user", "catalog", "course:a"};
	char hex[SYNC_SCOPE_SET_HEX_LEN + 1], again[SYNC_SCOPE_SET_HEX_LEN + 1];

	(void)state;
	/* printf 'catalog\ncourse:a\nuser\n' | sha256sum | cut -c1-32 */
	sync_scope_set_hash(shuffled, 3, hex);
	assert_string_equal(hex, "6ed325019e0f7857bf0c8c145f6ffb3f");
	/* The empty set hashes the empty input. */
	sync_scope_set_hash(NULL, 0, again);
	assert_string_equal(again, "e3b0c44298fc1c149afbf4c8996fb924");
	/* One scope less is another set. */
	sync_scope_set_hash(shuffled, 2, again);
	assert_string_not_equal(again, hex);
}

static void
test_encode_compact_only_for_equal_cursors(void **state)
{
	struct store_cursor mixed[3] = {uniform[0], uniform[1], uniform[2]};
	struct store_cursor zero[1] = {{.scope = "catalog", .cursor = 0}};
	char *out = NULL;
	cJSON *root;

	(void)state;
	assert_true(sync_cursors_uniform(uniform, 3));
	assert_int_equal(
	    sync_protocol_encode("cid", NULL, 0, uniform, 3, SYNC_ENCODE_COMPACT, 0, &out, NULL),
	    0);
	root = cJSON_Parse(out);
	assert_int_equal(cJSON_GetObjectItem(root, "since")->valueint, 290);
	assert_string_equal(cJSON_GetObjectItem(root, "scope_set")->valuestring,
	                    "6ed325019e0f7857bf0c8c145f6ffb3f");
	assert_null(cJSON_GetObjectItem(root, "cursors"));
	assert_null(cJSON_GetObjectItem(root, "push")); /* nothing to push, nothing sent */
	cJSON_Delete(root);
	free(out);
	/* Asked not to, or cursors that differ, or all at 0: every cursor is named. */
	mixed[1].cursor = 12;
	assert_false(sync_cursors_uniform(mixed, 3));
	assert_false(sync_cursors_uniform(zero, 1));
	assert_false(sync_cursors_uniform(NULL, 0));
	const struct {
		const struct store_cursor *c;
		size_t n;
		unsigned compact;
	} full[] = {{uniform, 3, 0},
	            {mixed, 3, SYNC_ENCODE_COMPACT},
	            {zero, 1, SYNC_ENCODE_COMPACT},
	            {NULL, 0, SYNC_ENCODE_COMPACT}};
	for (size_t i = 0; i < sizeof(full) / sizeof(full[0]); i++) {
		assert_int_equal(sync_protocol_encode("cid", NULL, 0, full[i].c, full[i].n,
		                                      full[i].compact, 0, &out, NULL),
		                 0);
		root = cJSON_Parse(out);
		assert_true(cJSON_IsObject(cJSON_GetObjectItem(root, "cursors")));
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "cursors")),
		                 (int)full[i].n);
		assert_null(cJSON_GetObjectItem(root, "since"));
		assert_null(cJSON_GetObjectItem(root, "scope_set"));
		cJSON_Delete(root);
		free(out);
	}
}

static void
test_decode_reads_since(void **state)
{
	static const char compact[] = "{\"push\":[],\"changes\":[],\"since\":312,\"more\":false}";
	struct sync_response res;

	(void)state;
	assert_int_equal(sync_protocol_decode(compact, strlen(compact), &res, NULL), 0);
	assert_int_equal(res.since, 312);
	assert_int_equal(res.n_cursors, 0);
	assert_null(res.scopes);
	assert_false(res.more);
	sync_response_finish(&res);
}

static const char response[] =
    "{\"push\":[{\"key\":\"k1\",\"status\":201,\"body\":{\"id\":\"e1\",\"rev\":1}},"
    "{\"key\":\"k2\",\"status\":409,\"body\":{\"error\":{\"type\":\"conflict_error\","
    "\"message\":\"stale\"},\"current\":{\"id\":\"i\",\"rev\":7,\"body\":\"b\"}}}],"
    "\"changes\":[{\"scope\":\"course:c\",\"type\":\"item\",\"id\":\"i1\",\"rev\":1,\"seq\":5,"
    "\"deleted\":false,\"doc\":{\"id\":\"i1\",\"rev\":1,\"module_id\":\"m\",\"title\":\"T\"}},"
    "{\"scope\":\"course:c\",\"type\":\"course\",\"id\":\"c1\",\"rev\":2,\"seq\":6,"
    "\"deleted\":false,\"doc\":{\"id\":\"c1\",\"rev\":2,\"title\":\"C\"}},"
    "{\"scope\":\"course:c\",\"type\":\"item\",\"id\":\"gone\",\"rev\":3,\"seq\":7,"
    "\"deleted\":true,\"doc\":null}],"
    "\"cursors\":{\"course:c\":7,\"user\":2},\"scopes\":[\"user\",\"course:c\"],"
    "\"reset\":[],\"more\":true}";

static void
test_decode_reads_results_changes_cursors_and_scopes(void **state)
{
	struct sync_response res;

	assert_int_equal(sync_protocol_decode(response, strlen(response), &res, NULL), 0);
	assert_int_equal(res.since, 0); /* the full form */
	assert_int_equal(res.n_push, 2);
	assert_int_equal(res.push[0].status, 201);
	assert_null(res.push[0].error_message);
	assert_int_equal(res.push[1].status, 409);
	assert_string_equal(res.push[1].error_message, "stale");
	assert_int_equal(res.push[1].current_rev, 7);
	assert_non_null(strstr(res.push[1].current, "\"rev\":7"));
	assert_int_equal(res.n_changes, 3);
	assert_string_equal(res.changes[0].type, "item");
	assert_int_equal(res.changes[1].seq, 6);
	assert_true(res.changes[2].deleted);
	assert_null(res.changes[2].doc);
	assert_int_equal(res.n_cursors, 2);
	assert_int_equal(res.cursors[0].cursor, 7);
	assert_int_equal(res.n_scopes, 2);
	assert_int_equal(res.n_resets, 0);
	assert_true(res.more);
	sync_response_finish(&res);
}

static void
test_decode_refuses_what_is_not_a_response(void **state)
{
	static const char *const bad[] = {
	    "",
	    "[]",
	    "{\"push\":{}}",
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"item\",\"rev\":1}]}",
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"item\",\"id\":\"i\",\"deleted\":false}]}",
	    "{\"push\":[{\"status\":201}]}",
	    "{\"cursors\":{\"a\":\"x\"}}",
	    "{\"scopes\":[1]}",
	    "{\"since\":\"7\"}",
	    "{\"since\":-1}",
	    "{\"push\":[",
	};
	struct sync_response res;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *cause = NULL;

		assert_int_equal(sync_protocol_decode(bad[i], strlen(bad[i]), &res, &cause),
		                 -LC_EPROTO);
		assert_non_null(cause);
		free(cause);
	}
}

/* Fails unless every answer of bad is refused with -LC_EPROTO and a cause. */
static void
expect_refused(const char *const *bad, size_t n)
{
	struct sync_response res;

	for (size_t i = 0; i < n; i++) {
		char *cause = NULL;

		if (sync_protocol_decode(bad[i], strlen(bad[i]), &res, &cause) != -LC_EPROTO)
			fail_msg("decoded %s", bad[i]);
		assert_non_null(cause);
		free(cause);
	}
}

/*
 * Partial changes (perf review 2026-11-29, cause 6): a patch is decoded apart from the whole
 * docs, and one that could not be merged safely is refused whole: a null (a JSON merge
 * patch deletes the field), a doc beside it, deleted, a base outside 1..rev-1.
 */
static void
test_decode_reads_patches_and_refuses_unsafe_ones(void **state)
{
#define CH(extra)                                                                                  \
	"{\"changes\":[{\"scope\":\"s\",\"type\":\"topic\",\"id\":\"t\",\"rev\":5,"                \
	"\"seq\":9" extra "}]}"
	static const char ok[] =
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"reply\",\"id\":\"r\",\"rev\":1,\"seq\":8,"
	    "\"deleted\":false,\"doc\":{\"id\":\"r\"}},{\"scope\":\"s\",\"type\":\"topic\",\"id\":"
	    "\"t\",\"rev\":5,\"seq\":9,\"deleted\":false,\"base\":2,\"patch\":{\"reply_count\":3}}]"
	    "}";
	static const char *const bad[] = {
	    CH(",\"base\":2,\"patch\":{\"reply_count\":null}"),
	    CH(",\"base\":2,\"patch\":{\"a\":1},\"doc\":{}"),
	    CH(",\"deleted\":true,\"base\":2,\"patch\":{\"a\":1}"),
	    CH(",\"base\":5,\"patch\":{\"a\":1}"),
	    CH(",\"base\":0,\"patch\":{\"a\":1}"),
	    CH(",\"patch\":{\"a\":1}"),
	    CH(",\"base\":2,\"patch\":[1]"),
	    CH(",\"base\":2.5,\"patch\":{\"a\":1}"),
	};
#undef CH
	struct sync_response res;

	(void)state;
	assert_int_equal(sync_protocol_decode(ok, strlen(ok), &res, NULL), 0);
	assert_int_equal(res.n_changes, 1);
	assert_string_equal(res.changes[0].id, "r");
	assert_int_equal(res.n_patches, 1);
	assert_string_equal(res.patches[0].id, "t");
	assert_int_equal(res.patches[0].rev, 5);
	assert_int_equal(res.patches[0].seq, 9);
	assert_int_equal(res.patches[0].base, 2);
	assert_string_equal(res.patches[0].patch, "{\"reply_count\":3}");
	sync_response_finish(&res);
	expect_refused(bad, sizeof(bad) / sizeof(bad[0]));
}

/*
 * Lean changes (docs/sync.md "Lean changes"; issue 10, the campus delta at most 1.2x its
 * floor): the client that asks for partial changes asks for lean ones too, and reads a
 * change without "seq", without "deleted" (false), a tombstone without "doc", and "id" and
 * "rev" from the doc; a lean change whose doc names no id or rev is refused.
 */
static void
test_decode_reads_lean_changes(void **state)
{
	static const char ok[] =
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"reply\",\"doc\":{\"id\":\"r\",\"rev\":3,"
	    "\"body\":\"x\"}},{\"scope\":\"s\",\"type\":\"reply\",\"id\":\"g\",\"rev\":4,"
	    "\"deleted\":true},{\"scope\":\"s\",\"type\":\"topic\",\"id\":\"t\",\"rev\":5,"
	    "\"base\":2,\"patch\":{\"reply_count\":3}}],\"since\":9,\"more\":false}";
	static const char *const bad[] = {
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"reply\",\"doc\":{\"rev\":3}}]}",
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"reply\",\"doc\":{\"id\":\"r\"}}]}",
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"reply\",\"doc\":{\"id\":\"r\",\"rev\":\"3\"}"
	    "}]}",
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"reply\",\"id\":\"r\",\"rev\":1}]}",
	};
	const struct store_cursor cursors[] = {{"user", 3}};
	struct sync_response res;
	char *out = NULL;

	(void)state;
	assert_int_equal(sync_protocol_decode(ok, strlen(ok), &res, NULL), 0);
	assert_int_equal(res.n_changes, 2);
	assert_string_equal(res.changes[0].id, "r");
	assert_int_equal(res.changes[0].rev, 3);
	assert_false(res.changes[0].deleted);
	assert_non_null(strstr(res.changes[0].doc, "\"body\":\"x\""));
	assert_string_equal(res.changes[1].id, "g");
	assert_int_equal(res.changes[1].rev, 4);
	assert_true(res.changes[1].deleted);
	assert_null(res.changes[1].doc);
	assert_int_equal(res.n_patches, 1);
	assert_int_equal(res.patches[0].rev, 5);
	sync_response_finish(&res);
	expect_refused(bad, sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(
	    sync_protocol_encode("cid", NULL, 0, cursors, 1, SYNC_ENCODE_PARTIAL, 0, &out, NULL),
	    0);
	assert_non_null(strstr(out, "\"partial\":true,\"lean\":true"));
	free(out);
	assert_int_equal(sync_protocol_encode("cid", NULL, 0, cursors, 1, 0, 0, &out, NULL), 0);
	assert_null(strstr(out, "lean"));
	free(out);
}

static void
test_digest_matches_sha256_of_the_sorted_lines(void **state)
{
	struct sync_digest d;
	char hex[SYNC_DIGEST_HEX_LEN + 1];

	sync_digest_init(&d);
	sync_digest_add(&d, "course", "c1", 2);
	sync_digest_add(&d, "item", "i1", 1);
	sync_digest_final(&d, hex);
	assert_int_equal(d.count, 2);
	assert_string_equal(hex,
	                    "8933ce653acb7a494fdca05abfaf1676132e1cfa40e27109544fa3d9dd3ed462");
	sync_digest_init(&d);
	sync_digest_final(&d, hex);
	assert_string_equal(hex,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
test_decoded_response_applies_to_a_replica_and_digests_like_the_server(void **state)
{
	char dir[] = "/tmp/test-sync-protocol-XXXXXX";
	struct store_batch batch = {0};
	struct sync_response res;
	struct store_db *db = NULL;
	char hex[SYNC_DIGEST_HEX_LEN + 1], *path;
	int64_t count = 0, cursor = 0;

	assert_non_null(mkdtemp(dir));
	path = lc_asprintf("%s/replica.db", dir);
	assert_int_equal(store_replica_open(path, &db, NULL), 0);
	assert_int_equal(sync_protocol_decode(response, strlen(response), &res, NULL), 0);
	batch.changes = res.changes;
	batch.n_changes = res.n_changes;
	batch.cursors = res.cursors;
	batch.n_cursors = res.n_cursors;
	batch.scopes = res.scopes;
	batch.n_scopes = res.n_scopes;
	assert_int_equal(store_apply_batch(db, &batch), 0);
	assert_int_equal(store_cursor_get(db, "course:c", &cursor), 0);
	assert_int_equal(cursor, 7);
	assert_int_equal(sync_digest_scope(db, "course:c", &count, hex), 0);
	assert_int_equal(count, 2); /* the tombstone is not a live row */
	assert_string_equal(hex,
	                    "8933ce653acb7a494fdca05abfaf1676132e1cfa40e27109544fa3d9dd3ed462");
	sync_response_finish(&res);
	store_db_close(db);
	unlink(path);
	free(path);
	path = lc_asprintf("%s/replica.db-wal", dir);
	unlink(path);
	free(path);
	path = lc_asprintf("%s/replica.db-shm", dir);
	unlink(path);
	free(path);
	rmdir(dir);
}

/*
 * Wire integers outside 0..2^53 are refused before any cast (code review 2026-11-29, F3:
 * num_field and the cursors cast doubles straight to int64_t, undefined for 1e300).
 */
static void
test_decode_refuses_out_of_range_integers(void **state)
{
	static const char *const bad[] = {
	    "{\"cursors\":{\"catalog\":1e300}}",
	    "{\"cursors\":{\"catalog\":-1}}",
	    "{\"cursors\":{\"catalog\":1.5}}",
	    "{\"cursors\":{\"catalog\":-1e300}}",
	    "{\"cursors\":{\"catalog\":1e16}}",
	    "{\"since\":1e300}",
	    "{\"since\":2.5}",
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"item\",\"id\":\"i\",\"rev\":1e300,"
	    "\"seq\":1,\"deleted\":true}]}",
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"item\",\"id\":\"i\",\"rev\":1,"
	    "\"seq\":-1e300,\"deleted\":true}]}",
	    "{\"changes\":[{\"scope\":\"s\",\"type\":\"item\",\"id\":\"i\",\"rev\":-1,"
	    "\"seq\":1,\"deleted\":true}]}",
	    "{\"push\":[{\"key\":\"k\",\"status\":1e300}]}",
	    "{\"push\":[{\"key\":\"k\",\"status\":200.5}]}",
	    "{\"push\":[{\"key\":\"k\",\"status\":1e4}]}",
	    "{\"push\":[{\"key\":\"k\",\"status\":409,\"body\":{\"current\":{\"rev\":1e300}}}]}",
	};
	static const char ok[] = "{\"cursors\":{\"catalog\":9007199254740992},\"since\":0}";
	struct sync_response res;
	struct sync_scope_digest *d = NULL;
	size_t n = 0;
	int64_t v = -1;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *cause = NULL;

		if (sync_protocol_decode(bad[i], strlen(bad[i]), &res, &cause) != -LC_EPROTO)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(cause);
		free(cause);
	}
	assert_int_equal(sync_protocol_decode(ok, strlen(ok), &res, NULL), 0);
	assert_int_equal(res.cursors[0].cursor, SYNC_WIRE_INT_MAX);
	sync_response_finish(&res);
	static const char big_count[] =
	    "{\"scopes\":{\"user\":{\"count\":1e300,\"sha256\":"
	    "\"8933ce653acb7a494fdca05abfaf1676132e1cfa40e27109544fa3d9dd3ed462\"}}}";
	assert_int_equal(sync_protocol_decode_digest(big_count, strlen(big_count), &d, &n, NULL),
	                 -LC_EPROTO);
	assert_null(d);
	/* The check itself, NaN and infinities included. */
	assert_false(sync_wire_int(NAN, &v));
	assert_false(sync_wire_int(INFINITY, &v));
	assert_false(sync_wire_int(-INFINITY, &v));
	assert_false(sync_wire_int(-0.5, &v));
	assert_false(sync_wire_int(9007199254740994.0, &v));
	assert_int_equal(v, -1);
	assert_true(sync_wire_int(-0.0, &v));
	assert_int_equal(v, 0);
	assert_true(sync_wire_int(42.0, &v));
	assert_int_equal(v, 42);
}

static void
test_decode_digest_answer(void **state)
{
	static const char ok[] =
	    "{\"scopes\":{\"user\":{\"count\":2,\"sha256\":"
	    "\"8933ce653acb7a494fdca05abfaf1676132e1cfa40e27109544fa3d9dd3ed462\"}}}";
	struct sync_scope_digest *d = NULL;
	size_t n = 0;

	assert_int_equal(sync_protocol_decode_digest(ok, strlen(ok), &d, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(d[0].scope, "user");
	assert_int_equal(d[0].count, 2);
	sync_scope_digests_free(d, n);
	assert_int_equal(
	    sync_protocol_decode_digest("{\"scopes\":{\"u\":{\"count\":1}}}", 29, &d, &n, NULL),
	    -LC_EPROTO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_carries_entries_in_order_with_keys_and_cursors),
	    cmocka_unit_test(test_scope_set_hash_is_sha256_of_the_sorted_names),
	    cmocka_unit_test(test_encode_compact_only_for_equal_cursors),
	    cmocka_unit_test(test_decode_reads_since),
	    cmocka_unit_test(test_decode_reads_results_changes_cursors_and_scopes),
	    cmocka_unit_test(test_decode_refuses_what_is_not_a_response),
	    cmocka_unit_test(test_decode_reads_patches_and_refuses_unsafe_ones),
	    cmocka_unit_test(test_decode_reads_lean_changes),
	    cmocka_unit_test(test_digest_matches_sha256_of_the_sorted_lines),
	    cmocka_unit_test(
	        test_decoded_response_applies_to_a_replica_and_digests_like_the_server),
	    cmocka_unit_test(test_decode_digest_answer),
	    cmocka_unit_test(test_decode_refuses_out_of_range_integers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
