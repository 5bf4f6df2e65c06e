/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the digest code of sync. The first byte picks what the rest is:
 *
 * - even: a /sync/digest answer from a server, decoded by sync_protocol_decode_digest()
 *   from a buffer of exactly its length (no NUL after it). Every scope decoded must
 *   carry a 64-character digest.
 * - odd: rows "type\tid\trev" separated by newlines, hashed with sync_digest_add(). The
 *   result must equal SHA-256 over the lines written out here, which is the definition
 *   of the digest both sides compute (docs/sync.md), whatever the lengths.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "sync/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
decode(const uint8_t *data, size_t size)
{
	struct sync_scope_digest *d = NULL;
	char *copy = lc_malloc(size ? size : 1), *cause = NULL;
	size_t n = 0;

	memcpy(copy, data, size);
	if (sync_protocol_decode_digest(copy, size, &d, &n, &cause) == 0) {
		for (size_t i = 0; i < n; i++)
			if (d[i].scope == NULL || strlen(d[i].hex) != SYNC_DIGEST_HEX_LEN)
				abort();
	} else if (d != NULL || n != 0) {
		abort();
	}
	free(cause);
	sync_scope_digests_free(d, n);
	free(copy);
}

/* Hashes rows with sync_digest_add() and checks the digest against the definition. */
static void
rows(const uint8_t *data, size_t size)
{
	char *text = lc_strndup((const char *)data, size), *save = NULL;
	char got[SYNC_DIGEST_HEX_LEN + 1], want[SYNC_DIGEST_HEX_LEN + 1];
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state ref;
	struct sync_digest d;
	struct lc_buf line;
	int64_t count = 0;

	lc_buf_init(&line);
	sync_digest_init(&d);
	crypto_hash_sha256_init(&ref);
	for (char *row = strtok_r(text, "\n", &save); row != NULL;
	     row = strtok_r(NULL, "\n", &save)) {
		char *tab1 = strchr(row, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		int64_t rev;

		if (tab2 == NULL)
			continue;
		*tab1 = *tab2 = '\0';
		rev = strtoll(tab2 + 1, NULL, 10);
		sync_digest_add(&d, row, tab1 + 1, rev);
		lc_buf_reset(&line);
		lc_buf_printf(&line, "%s\t%s\t%" PRId64 "\n", row, tab1 + 1, rev);
		crypto_hash_sha256_update(&ref, (const unsigned char *)line.data, line.len);
		count++;
	}
	sync_digest_final(&d, got);
	crypto_hash_sha256_final(&ref, hash);
	sodium_bin2hex(want, sizeof(want), hash, sizeof(hash));
	if (strcmp(got, want) != 0 || d.count != count) {
		fprintf(stderr, "fuzz: digest %s, want %s (%lld rows)\n", got, want,
		        (long long)count);
		abort();
	}
	lc_buf_finish(&line);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		rows(data + 1, size - 1);
	else
		decode(data + 1, size - 1);
	return 0;
}
