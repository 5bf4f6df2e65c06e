/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lecternd's pure logic: access tokens (sign, verify, expiry, tampering),
 * route matching, the bad-key collector and the JSON getters, the UTF-8 length check,
 * and the content codings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <zstd.h>

#include "server-stub/srv.h"

static const unsigned char key[32] = "0123456789abcdef0123456789abcde";
static const char sid[] = "66666666-7777-4888-8999-aaaaaaaaaaaa";

static bool
is_b64url(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

static void
test_token_roundtrip(void **state)
{
	char token[SRV_TOKEN_MAX], s[LC_UUID_LEN + 1];
	static const char upper[] = "ABCDEF01-2345-4678-89AB-CDEF01234567";

	(void)state;
	srv_token_sign(key, sid, 1000, token);
	assert_int_equal(strlen(token), 48);
	assert_true(is_b64url(token));
	assert_int_equal(srv_token_verify(key, token, 999, s), 0);
	assert_string_equal(s, sid);
	/* Every byte value survives the trip, the session id comes back lowercase. */
	srv_token_sign(key, "00000000-0000-0000-0000-000000000000", 1000, token);
	assert_int_equal(srv_token_verify(key, token, 0, s), 0);
	assert_string_equal(s, "00000000-0000-0000-0000-000000000000");
	srv_token_sign(key, "ffffffff-ffff-ffff-ffff-ffffffffffff", 1000, token);
	assert_int_equal(srv_token_verify(key, token, 0, s), 0);
	assert_string_equal(s, "ffffffff-ffff-ffff-ffff-ffffffffffff");
	/* The largest expiry four bytes hold (2106); later ones are clamped to it. */
	srv_token_sign(key, sid, (int64_t)UINT32_MAX, token);
	assert_int_equal(srv_token_verify(key, token, (int64_t)UINT32_MAX - 1, s), 0);
	assert_int_equal(srv_token_verify(key, token, (int64_t)UINT32_MAX, s), -LC_EAUTH);
	srv_token_sign(key, sid, (int64_t)UINT32_MAX + 1000, token);
	assert_int_equal(strlen(token), 48);
	assert_int_equal(srv_token_verify(key, token, (int64_t)UINT32_MAX - 1, s), 0);
	assert_int_equal(srv_token_verify(key, token, (int64_t)UINT32_MAX, s), -LC_EAUTH);
	/* A negative expiry is clamped to 0: already expired. */
	srv_token_sign(key, sid, -5, token);
	assert_int_equal(srv_token_verify(key, token, 0, s), -LC_EAUTH);
	assert_int_equal(srv_token_verify(key, token, -1, s), 0);
	/* A malformed session id signs nothing. */
	srv_token_sign(key, upper, 1000, token);
	assert_string_equal(token, "");
	srv_token_sign(key, "66666666-7777-4888-8999-aaaaaaaaaaa", 1000, token);
	assert_string_equal(token, "");
	srv_token_sign(key, "66666666x7777-4888-8999-aaaaaaaaaaaa", 1000, token);
	assert_string_equal(token, "");
	srv_token_sign(key, "6666666g-7777-4888-8999-aaaaaaaaaaaa", 1000, token);
	assert_string_equal(token, "");
	srv_token_sign(key, NULL, 1000, token);
	assert_string_equal(token, "");
}

static void
test_token_expires(void **state)
{
	char token[SRV_TOKEN_MAX], s[LC_UUID_LEN + 1];

	(void)state;
	srv_token_sign(key, sid, 1000, token);
	assert_int_equal(srv_token_verify(key, token, 999, s), 0);
	assert_int_equal(srv_token_verify(key, token, 1000, s), -LC_EAUTH);
	assert_string_equal(s, "");
	assert_int_equal(srv_token_verify(key, token, 1001, s), -LC_EAUTH);
	assert_int_equal(srv_token_verify(key, token, 5000, s), -LC_EAUTH);
	assert_int_equal(srv_token_verify(key, token, (int64_t)UINT32_MAX + 1, s), -LC_EAUTH);
}

static void
test_token_tampering_rejected(void **state)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char token[SRV_TOKEN_MAX], forged[SRV_TOKEN_MAX + 8], s[LC_UUID_LEN + 1];
	unsigned char other[32];
	size_t len;

	(void)state;
	srv_token_sign(key, sid, 1000, token);
	len = strlen(token);
	assert_int_equal(len, 48);
	assert_int_equal(srv_token_verify(key, token, 10, s), 0);
	/* Any single character changed, at every position, to two other valid characters. */
	for (size_t i = 0; i < len; i++) {
		const char *at = strchr(alphabet, token[i]);
		size_t k;

		assert_non_null(at);
		k = (size_t)(at - alphabet);
		for (size_t step = 1; step <= 32; step += 31) {
			snprintf(forged, sizeof(forged), "%s", token);
			forged[i] = alphabet[(k + step) % 64];
			assert_int_not_equal(forged[i], token[i]);
			assert_int_equal(srv_token_verify(key, forged, 10, s), -LC_EAUTH);
			assert_string_equal(s, "");
		}
		/* Outside the alphabet: padding, standard base64, a space. */
		snprintf(forged, sizeof(forged), "%s", token);
		forged[i] = "=+/ "[i % 4];
		assert_int_equal(srv_token_verify(key, forged, 10, s), -LC_EAUTH);
	}
	/* Signed with another key. */
	memcpy(other, key, 32);
	other[0] ^= 1;
	srv_token_sign(other, sid, 1000, forged);
	assert_int_equal(strlen(forged), 48);
	assert_string_not_equal(forged, token);
	assert_int_equal(srv_token_verify(other, forged, 10, s), 0);
	assert_int_equal(srv_token_verify(key, forged, 10, s), -LC_EAUTH);
	/* Truncated by one, by four (a whole base64 group), one character longer, padded. */
	snprintf(forged, sizeof(forged), "%.*s", (int)len - 1, token);
	assert_int_equal(srv_token_verify(key, forged, 10, s), -LC_EAUTH);
	snprintf(forged, sizeof(forged), "%.*s", (int)len - 4, token);
	assert_int_equal(srv_token_verify(key, forged, 10, s), -LC_EAUTH);
	snprintf(forged, sizeof(forged), "%sA", token);
	assert_int_equal(srv_token_verify(key, forged, 10, s), -LC_EAUTH);
	snprintf(forged, sizeof(forged), "%s=", token);
	assert_int_equal(srv_token_verify(key, forged, 10, s), -LC_EAUTH);
	snprintf(forged, sizeof(forged), "%s ", token);
	assert_int_equal(srv_token_verify(key, forged, 10, s), -LC_EAUTH);
	/* Empty, NULL, 48 characters of garbage (valid base64url and not), the old format. */
	assert_int_equal(srv_token_verify(key, "", 10, s), -LC_EAUTH);
	assert_int_equal(srv_token_verify(key, NULL, 10, s), -LC_EAUTH);
	assert_int_equal(
	    srv_token_verify(key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 10, s),
	    -LC_EAUTH);
	assert_int_equal(
	    srv_token_verify(key, "Zm9yZ2VkLXRva2VuLXZhbHVlLWZvcmdlZC10b2tlbi12YWx1", 10, s),
	    -LC_EAUTH);
	assert_int_equal(
	    srv_token_verify(key, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", 10, s),
	    -LC_EAUTH);
	assert_int_equal(
	    srv_token_verify(key,
	                     "11111111-2222-4333-8444-555555555555.1000."
	                     "66666666-7777-4888-8999-aaaaaaaaaaaa."
	                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	                     10, s),
	    -LC_EAUTH);
	assert_int_equal(srv_token_verify(key, "a.b.c.d", 10, s), -LC_EAUTH);
}

static void
test_password_hash_verifies(void **state)
{
	char hash[crypto_pwhash_STRBYTES];

	(void)state;
	assert_int_equal(srv_password_hash("correct horse", hash, sizeof(hash)), 0);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_true(srv_password_verify(hash, "correct horse"));
	assert_false(srv_password_verify(hash, "correct horsE"));
	assert_false(srv_password_verify(NULL, "x"));
}

static void
test_route_match_params(void **state)
{
	const char *params[SRV_MAX_PARAMS];
	char storage[256];
	int n = -1;

	(void)state;
	assert_true(srv_route_match("/courses/{id}/modules", "/courses/abc/modules", params, &n,
	                            storage, sizeof(storage)));
	assert_int_equal(n, 1);
	assert_string_equal(params[0], "abc");
	assert_true(
	    srv_route_match("/a/{x}/b/{y}", "/a/1/b/22", params, &n, storage, sizeof(storage)));
	assert_int_equal(n, 2);
	assert_string_equal(params[1], "22");
	assert_true(
	    srv_route_match("/users/me", "/users/me", params, &n, storage, sizeof(storage)));
	assert_int_equal(n, 0);
}

static void
test_route_match_rejects(void **state)
{
	const char *params[SRV_MAX_PARAMS];
	char storage[256];
	int n;

	(void)state;
	assert_false(
	    srv_route_match("/courses/{id}", "/courses/", params, &n, storage, sizeof(storage)));
	assert_false(
	    srv_route_match("/courses/{id}", "/courses/a/b", params, &n, storage, sizeof(storage)));
	assert_false(
	    srv_route_match("/courses", "/courses/", params, &n, storage, sizeof(storage)));
	assert_false(srv_route_match("/courses/{id}/modules", "/courses/a/module", params, &n,
	                             storage, sizeof(storage)));
	assert_false(
	    srv_route_match("/users/me", "/users/mee", params, &n, storage, sizeof(storage)));
}

static void
test_route_table_finds_handlers(void **state)
{
	struct srv_req req = {0};
	bool known;

	(void)state;
	assert_non_null(srv_route_find("GET", "/users/me", &req, &known));
	/* /users/me is matched before /users/{id}. */
	assert_int_equal(req.n_params, 0);
	assert_non_null(srv_route_find("DELETE", "/users/abc", &req, &known));
	assert_int_equal(req.n_params, 1);
	assert_string_equal(req.params[0], "abc");
	assert_null(srv_route_find("PUT", "/users/me", &req, &known));
	assert_true(known);
	assert_null(srv_route_find("GET", "/nothing/here", &req, &known));
	assert_false(known);
	assert_non_null(srv_route_find("POST", "/sync", &req, &known));
}

static void
test_check_names_every_key(void **state)
{
	struct srv_check c;
	struct srv_resp resp = {0};
	cJSON *body = cJSON_Parse("{\"title\":5,\"n\":1.5,\"b\":\"yes\",\"e\":\"x\",\"u\":\"ABC\","
	                          "\"t\":\"tomorrow\",\"ok\":\"fine\"}");
	static const char *const kinds[] = {"page", "quiz", NULL};
	const char *s;
	int64_t i;
	bool b;

	(void)state;
	srv_check_init(&c);
	assert_int_equal(srv_get_str(&c, body, "title", SRV_REQUIRED, 1, 10, &s), SRV_BAD);
	assert_int_equal(srv_get_int(&c, body, "n", SRV_OPTIONAL, 0, 10, &i), SRV_BAD);
	assert_int_equal(srv_get_bool(&c, body, "b", SRV_OPTIONAL, &b), SRV_BAD);
	assert_int_equal(srv_get_enum(&c, body, "e", SRV_OPTIONAL, kinds, &s), SRV_BAD);
	assert_int_equal(srv_get_uuid(&c, body, "u", SRV_OPTIONAL, &s), SRV_BAD);
	assert_int_equal(srv_get_time(&c, body, "t", SRV_OPTIONAL, &i, NULL), SRV_BAD);
	assert_int_equal(srv_get_str(&c, body, "missing", SRV_REQUIRED, 1, 10, &s), SRV_BAD);
	assert_int_equal(srv_get_str(&c, body, "absent", SRV_OPTIONAL, 1, 10, &s), SRV_ABSENT);
	assert_int_equal(srv_get_str(&c, body, "ok", SRV_REQUIRED, 1, 10, &s), SRV_GOT);
	assert_string_equal(s, "fine");
	/* A key marked twice is named once. */
	srv_check_bad(&c, "title");
	assert_true(srv_check_failed(&c, &resp));
	assert_int_equal(resp.status, 400);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(resp.body, "error"), "message")->valuestring,
	    "Invalid parameters: title,n,b,e,u,t,missing");
	srv_resp_finish(&resp);
	srv_check_finish(&c);
	cJSON_Delete(body);
}

static void
test_check_array_form(void **state)
{
	struct srv_check c;
	struct srv_resp resp = {0};

	(void)state;
	srv_check_init(&c);
	srv_check_element(&c, 0);
	srv_check_element(&c, 1);
	srv_check_bad(&c, "title");
	srv_check_bad(&c, "due_at");
	srv_check_bad(&c, "title");
	srv_check_element(&c, 2);
	srv_check_element(&c, 3);
	srv_check_bad(&c, "kind");
	assert_true(srv_check_failed(&c, &resp));
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(resp.body, "error"), "message")->valuestring,
	    "Invalid parameters: 1: title.due_at,3: kind");
	srv_resp_finish(&resp);
	srv_check_finish(&c);
}

/*
 * An empty key ("?=x" in a query, {"":1} in a body) is named once and never read past the
 * end of the list (fuzz-srv-request and fuzz-srv-sync, issue 9: check_has looped over
 * strstr(p, "") until it ran off the buffer).
 */
static void
test_check_empty_key_stays_in_bounds(void **state)
{
	struct srv_check c;

	(void)state;
	srv_check_init(&c);
	srv_check_bad(&c, "page");
	srv_check_bad(&c, "");
	srv_check_bad(&c, "");
	srv_check_bad(&c, "limit");
	assert_string_equal(lc_buf_str(&c.keys), "page,,limit");
	srv_check_finish(&c);
	srv_check_init(&c);
	srv_check_element(&c, 2);
	srv_check_bad(&c, "");
	srv_check_bad(&c, "");
	assert_string_equal(lc_buf_str(&c.keys), "2: ");
	srv_check_finish(&c);
}

static void
test_getters_ranges_and_null(void **state)
{
	struct srv_check c;
	cJSON *body = cJSON_Parse("{\"score\":0.6,\"big\":1.5,\"n\":null,\"i\":7,\"when\":"
	                          "\"2026-11-23T06:11:12Z\",\"word\":\"h\\u00e9llo\"}");
	double d = 0;
	int64_t i = 0;
	const char *s = "x";

	(void)state;
	srv_check_init(&c);
	assert_int_equal(srv_get_num(&c, body, "score", 0, 0, 1, &d), SRV_GOT);
	assert_true(d == 0.6);
	assert_int_equal(srv_get_num(&c, body, "big", 0, 0, 1, &d), SRV_BAD);
	assert_int_equal(srv_get_str(&c, body, "n", SRV_NULLABLE, 0, 5, &s), SRV_GOT);
	assert_null(s);
	assert_int_equal(srv_get_int(&c, body, "i", 0, 7, 7, &i), SRV_GOT);
	assert_int_equal(i, 7);
	assert_int_equal(srv_get_time(&c, body, "when", 0, &i, &s), SRV_GOT);
	assert_int_equal(i, 1795414272);
	/* Five characters, six bytes: lengths count characters. */
	assert_int_equal(srv_get_str(&c, body, "word", 0, 5, 5, &s), SRV_GOT);
	assert_int_equal(c.n_bad, 1);
	srv_check_finish(&c);
	cJSON_Delete(body);
}

static void
test_utf8_validation(void **state)
{
	size_t n;

	(void)state;
	assert_true(srv_utf8_len("abc", &n));
	assert_int_equal(n, 3);
	assert_true(srv_utf8_len("\xe2\x82\xac\xf0\x9f\x98\x80", &n));
	assert_int_equal(n, 2);
	assert_false(srv_utf8_len("\xc0\xaf", &n));         /* overlong '/' */
	assert_false(srv_utf8_len("\xed\xa0\x80", &n));     /* surrogate */
	assert_false(srv_utf8_len("\xe2\x82", &n));         /* truncated */
	assert_false(srv_utf8_len("\xf4\x90\x80\x80", &n)); /* past U+10FFFF */
}

static void
test_codec_roundtrip(void **state)
{
	static const char *const encs[] = {"gzip", "zstd"};
	char text[5000];
	void *packed, *plain;
	size_t packed_len, plain_len;

	(void)state;
	for (size_t i = 0; i < sizeof(text) - 1; i++)
		text[i] = (char)('a' + i % 7);
	text[sizeof(text) - 1] = '\0';
	for (int e = 0; e < 2; e++) {
		assert_int_equal(
		    srv_codec_compress(encs[e], text, strlen(text), &packed, &packed_len), 0);
		assert_true(packed_len < strlen(text));
		assert_int_equal(srv_codec_decompress(encs[e], packed, packed_len, SRV_BODY_MAX,
		                                      &plain, &plain_len),
		                 0);
		assert_int_equal(plain_len, strlen(text));
		assert_memory_equal(plain, text, plain_len);
		free(plain);
		/* A bomb larger than the limit is refused. */
		assert_int_equal(
		    srv_codec_decompress(encs[e], packed, packed_len, 100, &plain, &plain_len),
		    -LC_ENOMEM);
		/* Corrupt data is refused. */
		((unsigned char *)packed)[packed_len / 2] ^= 0xff;
		((unsigned char *)packed)[packed_len - 1] ^= 0xff;
		assert_int_not_equal(srv_codec_decompress(encs[e], packed, packed_len, SRV_BODY_MAX,
		                                          &plain, &plain_len),
		                     0);
		free(packed);
	}
	assert_int_equal(srv_codec_decompress("br", "x", 1, 10, &plain, &plain_len), -LC_EINVAL);
}

/*
 * A zstd body that decompresses to a whole number of 16 KiB chunks was refused with
 * -LC_EPROTO: the loop asked for one more frame after the last one ended exactly at a full
 * chunk (found while testing the level by size, issue 10). Both levels, 1 to 3 chunks.
 */
static void
test_codec_zstd_body_of_whole_chunks_decompresses(void **state)
{
	const int levels[] = {3, 16};
	char *text = malloc(3 * 16384);

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < 3 * 16384; i++)
		text[i] = (char)('a' + (i * 7 + i / 13) % 26);
	for (size_t l = 0; l < 2; l++) {
		for (size_t chunks = 1; chunks <= 3; chunks++) {
			size_t len = chunks * 16384, bound = ZSTD_compressBound(len);
			void *packed = malloc(bound), *plain;
			size_t packed_len = ZSTD_compress(packed, bound, text, len, levels[l]);
			size_t plain_len;

			assert_non_null(packed);
			assert_false(ZSTD_isError(packed_len));
			assert_int_equal(srv_codec_decompress("zstd", packed, packed_len,
			                                      SRV_BODY_MAX, &plain, &plain_len),
			                 0);
			assert_int_equal(plain_len, len);
			assert_memory_equal(plain, text, len);
			free(plain);
			free(packed);
		}
	}
	free(text);
}

/*
 * Issue 10 (the campus delta at most 1.2x its gzip floor): a small dense answer (/sync) is
 * compressed at a higher zstd level and comes out no larger than level 3 would make it; any
 * other answer stays at level 3, byte for byte (list pages keep their throughput); both
 * sides of the size threshold decompress to the same bytes.
 */
static void
test_codec_zstd_level_by_size(void **state)
{
	const size_t sizes[] = {300, 20000, 32 * 1024, 32 * 1024 + 1, 200000};
	struct lc_buf text;
	uint64_t x = 88172645463325252ULL;

	(void)state;
	assert_int_equal(srv_codec_zstd_level(0, true), srv_codec_zstd_level(32 * 1024, true));
	assert_true(srv_codec_zstd_level(32 * 1024, true) > 3);
	assert_int_equal(srv_codec_zstd_level(32 * 1024 + 1, true), 3);
	assert_int_equal(srv_codec_zstd_level(SRV_BODY_MAX, true), 3);
	assert_int_equal(srv_codec_zstd_level(300, false), 3);
	assert_int_equal(srv_codec_zstd_level(SRV_BODY_MAX, false), 3);
	/* JSON-like text with some entropy (xorshift words), like a sync answer's changes. */
	lc_buf_init(&text);
	while (text.len < 200000) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		lc_buf_printf(&text, "{\"type\":\"reply\",\"id\":\"r%llx\",\"body\":\"w%llu\"},",
		              (unsigned long long)(x & 0xfffff), (unsigned long long)(x % 977));
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i];
		size_t bound = ZSTD_compressBound(len);
		void *l3 = malloc(bound), *packed, *plain;
		size_t l3_len = ZSTD_compress(l3, bound, text.data, len, 3);
		size_t packed_len, plain_len;

		assert_non_null(l3);
		assert_false(ZSTD_isError(l3_len));
		/* Not dense: exactly level 3. */
		assert_int_equal(srv_codec_compress("zstd", text.data, len, &packed, &packed_len),
		                 0);
		assert_int_equal(packed_len, l3_len);
		assert_memory_equal(packed, l3, l3_len);
		free(packed);
		/* Dense: no larger, smaller when small, and the same bytes back. */
		assert_int_equal(
		    srv_codec_compress_dense("zstd", text.data, len, &packed, &packed_len), 0);
		assert_true(packed_len <= l3_len);
		if (len <= 32 * 1024)
			assert_true(packed_len < l3_len);
		assert_int_equal(srv_codec_decompress("zstd", packed, packed_len, SRV_BODY_MAX,
		                                      &plain, &plain_len),
		                 0);
		assert_int_equal(plain_len, len);
		assert_memory_equal(plain, text.data, len);
		free(plain);
		free(packed);
		free(l3);
	}
	lc_buf_finish(&text);
}

static void
test_codec_pick_prefers_zstd(void **state)
{
	(void)state;
	assert_string_equal(srv_codec_pick("gzip, deflate, zstd"), "zstd");
	assert_string_equal(srv_codec_pick("gzip"), "gzip");
	assert_string_equal(srv_codec_pick("zstd;q=0, gzip"), "gzip");
	assert_null(srv_codec_pick("deflate, br"));
	assert_null(srv_codec_pick(NULL));
	assert_null(srv_codec_pick("gzipx"));
}

static void
test_username_and_email_rules(void **state)
{
	(void)state;
	assert_true(srv_username_valid("ab_c-9"));
	assert_false(srv_username_valid("ab"));
	assert_false(srv_username_valid("has space"));
	assert_false(srv_username_valid("abcdefghijabcdefghijabcdefghijabc")); /* 33 */
	assert_true(srv_email_valid("a@b.org"));
	assert_false(srv_email_valid("a@@b.org"));
	assert_false(srv_email_valid("@b.org"));
	assert_false(srv_email_valid("a b@c.org"));
	assert_false(srv_email_valid("a@"));
}

/*
 * srv_get_int() range-checks before its cast (code review 2026-11-29, F3): with the widest
 * bounds, (double)INT64_MAX rounds up to 2^63, which does not fit an int64_t.
 */
static void
test_get_int_range_checked_before_cast(void **state)
{
	struct srv_check c;
	cJSON *body = cJSON_Parse("{\"a\":1e300,\"b\":-1e300,\"c\":9223372036854775807,"
	                          "\"d\":-9223372036854775808,\"e\":1.5,\"f\":4503599627370496}");
	int64_t i = 0;

	(void)state;
	srv_check_init(&c);
	assert_int_equal(srv_get_int(&c, body, "a", 0, INT64_MIN, INT64_MAX, &i), SRV_BAD);
	assert_int_equal(srv_get_int(&c, body, "b", 0, INT64_MIN, INT64_MAX, &i), SRV_BAD);
	assert_int_equal(srv_get_int(&c, body, "c", 0, INT64_MIN, INT64_MAX, &i), SRV_BAD);
	assert_int_equal(srv_get_int(&c, body, "d", 0, INT64_MIN, INT64_MAX, &i), SRV_GOT);
	assert_true(i == INT64_MIN);
	assert_int_equal(srv_get_int(&c, body, "e", 0, INT64_MIN, INT64_MAX, &i), SRV_BAD);
	assert_int_equal(srv_get_int(&c, body, "f", 0, 0, INT64_MAX, &i), SRV_GOT);
	assert_true(i == 4503599627370496);
	assert_string_equal(lc_buf_str(&c.keys), "a,b,c,e");
	srv_check_finish(&c);
	cJSON_Delete(body);
	/*
	 * Bounds are compared as integers: INT64_MAX / 2 is 2^62 - 1, and 2^62 (the double
	 * the JSON number 4611686018427387903 becomes) must not pass (fuzz-srv-validate).
	 */
	body = cJSON_Parse("{\"g\":4611686018427387903,\"h\":4611686018427387904}");
	srv_check_init(&c);
	assert_int_equal(srv_get_int(&c, body, "g", 0, 0, INT64_MAX / 2, &i), SRV_BAD);
	assert_int_equal(srv_get_int(&c, body, "h", 0, 0, INT64_MAX / 2, &i), SRV_BAD);
	assert_string_equal(lc_buf_str(&c.keys), "g,h");
	srv_check_finish(&c);
	cJSON_Delete(body);
}

/* Answers what srv_params_known() says of body and query for a route allowing keys. */
static const char *
params_message(const char *body_keys, const char *query_keys, const char *json,
               const char *query_name, struct srv_resp *resp)
{
	struct srv_route route = {"POST", "/x", NULL, 0, body_keys, query_keys, NULL};
	struct srv_req req = {0};
	char name[32];

	snprintf(name, sizeof(name), "%s", query_name ? query_name : "");
	req.body = json ? cJSON_Parse(json) : NULL;
	if (query_name) {
		req.query[0].name = name;
		req.query[0].value = name;
		req.n_query = 1;
	}
	memset(resp, 0, sizeof(*resp));
	bool ok = srv_params_known(&req, &route, resp);
	cJSON_Delete(req.body);
	if (ok)
		return NULL;
	assert_int_equal(resp->status, 400);
	return cJSON_GetObjectItem(cJSON_GetObjectItem(resp->body, "error"), "message")
	    ->valuestring;
}

/* Unknown body keys and query parameters, every one named (API.md Conventions). */
static void
test_params_known_names_every_unknown_key(void **state)
{
	struct srv_resp resp;

	(void)state;
	assert_null(
	    params_message("title,kind", "page", "{\"title\":1,\"kind\":2}", "page", &resp));
	srv_resp_finish(&resp);
	assert_string_equal(params_message("title,kind", "page",
	                                   "{\"title\":1,\"x\":1,\"kind\":2,\"y\":2}", "zz", &resp),
	                    "Invalid parameters: zz,x,y");
	srv_resp_finish(&resp);
	/* A name that is a prefix or an extension of an allowed one is still unknown. */
	assert_string_equal(
	    params_message("title", "", "{\"titl\":1,\"titles\":2,\"title\":3}", NULL, &resp),
	    "Invalid parameters: titl,titles");
	srv_resp_finish(&resp);
	assert_string_equal(params_message("title,kind", "",
	                                   "[{\"title\":1},{\"x\":1,\"kind\":1,\"y\":2},{\"z\":0}]",
	                                   NULL, &resp),
	                    "Invalid parameters: 1: x.y,2: z");
	srv_resp_finish(&resp);
	/* "" allows nothing; NULL checks nothing. */
	assert_string_equal(params_message("", "", "{\"a\":1}", "b", &resp),
	                    "Invalid parameters: b,a");
	srv_resp_finish(&resp);
	assert_null(params_message(NULL, NULL, "{\"a\":1}", "b", &resp));
	srv_resp_finish(&resp);
}

static void
check_route_table(const struct srv_route *table)
{
	for (const struct srv_route *r = table; r->method != NULL; r++) {
		if (r->body_keys == NULL || r->query_keys == NULL)
			fail_msg("%s %s declares no body or query keys", r->method, r->pattern);
		if (strcmp(r->method, "PATCH") == 0 &&
		    (r->patch_type == NULL || srv_type_render(r->patch_type) == NULL))
			fail_msg("PATCH %s names no type with a renderer", r->pattern);
	}
}

/*
 * Every route says which body keys and query parameters it takes, and every PATCH which
 * type it edits: a route added without them would silently accept anything.
 */
static void
test_every_route_declares_its_parameters(void **state)
{
	const struct srv_route *const tables[] = {
	    srv_routes_auth,    srv_routes_users, srv_routes_departments, srv_routes_courses,
	    srv_routes_modules, srv_routes_items, srv_routes_questions,   srv_routes_learning,
	    srv_routes_forums,  srv_routes_sync,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		check_route_table(tables[i]);
}

/* The message srv_json_nul_free() gives text, or NULL when it lets it through. */
static const char *
nul_message(const char *text, struct srv_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	if (srv_json_nul_free(text, strlen(text), resp))
		return NULL;
	assert_int_equal(resp->status, 400);
	return cJSON_GetObjectItem(cJSON_GetObjectItem(resp->body, "error"), "message")
	    ->valuestring;
}

/* security review 2026-11-29, I5: "\u0000" would cut a string short without a word. */
static void
test_nul_escape_names_the_field(void **state)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
	    {"{\"bio\":\"before\\u0000after\"}", "Invalid parameters: bio"},
	    {"{\"a\":\"ok\",\"b\":{\"c\":[\"x\\u0000\"]},\"d\":\"\\u0000\"}",
	     "Invalid parameters: b,d"},
	    {"[{\"title\":\"ok\"},{\"kind\":\"page\",\"title\":\"\\u0000\"}]",
	     "Invalid parameters: 1: title"},
	    {"{\"k\\u0000ey\":1}", "Invalid parameters: k\\u0000ey"},
	    {"\"\\u0000\"", "Invalid parameters: body"},
	    /* An escaped backslash before u0000 is text, and so are other escapes. */
	    {"{\"bio\":\"C:\\\\u0000\"}", NULL},
	    {"{\"bio\":\"\\u0001\\\"\\\\\\u00e9\"}", NULL},
	    {"{\"bio\":\"plain\"}", NULL},
	};
	struct srv_resp resp;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = nul_message(cases[i].text, &resp);

		if (cases[i].message == NULL && got != NULL)
			fail_msg("%s: refused with %s", cases[i].text, got);
		if (cases[i].message != NULL && (got == NULL || strcmp(got, cases[i].message) != 0))
			fail_msg("%s: want %s, got %s", cases[i].text, cases[i].message,
			         got ? got : "(accepted)");
		srv_resp_finish(&resp);
	}
}

/* code review 2026-11-29, F12: LIKE's wildcards in search text match literally. */
static void
test_like_pattern_escapes_wildcards(void **state)
{
	char *p;

	(void)state;
	p = srv_like_contains("50%_off\\x");
	assert_string_equal(p, "%50\\%\\_off\\\\x%");
	free(p);
	p = srv_like_contains("");
	assert_string_equal(p, "%%");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_token_roundtrip),
	    cmocka_unit_test(test_token_expires),
	    cmocka_unit_test(test_token_tampering_rejected),
	    cmocka_unit_test(test_password_hash_verifies),
	    cmocka_unit_test(test_route_match_params),
	    cmocka_unit_test(test_route_match_rejects),
	    cmocka_unit_test(test_route_table_finds_handlers),
	    cmocka_unit_test(test_check_names_every_key),
	    cmocka_unit_test(test_check_array_form),
	    cmocka_unit_test(test_check_empty_key_stays_in_bounds),
	    cmocka_unit_test(test_getters_ranges_and_null),
	    cmocka_unit_test(test_utf8_validation),
	    cmocka_unit_test(test_codec_roundtrip),
	    cmocka_unit_test(test_codec_pick_prefers_zstd),
	    cmocka_unit_test(test_codec_zstd_level_by_size),
	    cmocka_unit_test(test_codec_zstd_body_of_whole_chunks_decompresses),
	    cmocka_unit_test(test_username_and_email_rules),
	    cmocka_unit_test(test_get_int_range_checked_before_cast),
	    cmocka_unit_test(test_params_known_names_every_unknown_key),
	    cmocka_unit_test(test_every_route_declares_its_parameters),
	    cmocka_unit_test(test_nul_escape_names_the_field),
	    cmocka_unit_test(test_like_pattern_escapes_wildcards),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
