/* SPDX-License-Identifier: MIT */
/*
 * The /sync wire format, shared by the client engine and lecternd: encoding the request
 * body from outbox entries and cursors, decoding the response into what
 * store_apply_batch() takes, and the per-scope digest (SHA-256 over the lines
 * "type\tid\trev\n" of a scope's live rows sorted by type then id).
 *
 * Decoded strings point into memory owned by the decoded struct; free it once with
 * sync_response_finish().
 */
#ifndef SYNC_PROTOCOL_H
#define SYNC_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "store/replica.h"

#define SYNC_DIGEST_HEX_LEN 64
#define SYNC_SCOPE_SET_HEX_LEN 32

/* The answer to one pushed outbox entry. */
struct sync_push_result {
	const char *key;
	long status;
	char *body;          /* the answer's JSON text, NULL when none */
	const char *body_id; /* the "id" of an object body, or NULL */
	char *error_message; /* error.message of a failure body, or NULL */
	char *current;       /* "current" of a 409 (JSON text), or NULL */
	int64_t current_rev; /* its rev, 0 when none */
};

/*
 * The compact form of a request (docs/sync.md): a replica whose every scope stands at the
 * same cursor sends {"since": cursor, "scope_set": hash} instead of naming each scope.
 * The hash is the first 16 bytes of SHA-256 over the scope names in byte order, each
 * followed by "\n", in lowercase hex; lecternd computes it the same way. scopes need
 * not be sorted.
 */
void sync_scope_set_hash(const char *const *scopes, size_t n, char hex[SYNC_SCOPE_SET_HEX_LEN + 1]);

/*
 * A partial change (docs/sync.md "Partial changes"): the fields to merge into the stored
 * doc of (scope, type, id), which the server sends only to a client that asked for them
 * and whose cursor says it holds the row's content. The stored row must be live at rev
 * base or newer; the merged row takes rev. patch is a JSON object without nulls.
 */
struct sync_patch {
	const char *scope;
	const char *type;
	const char *id;
	int64_t rev;
	int64_t seq;
	int64_t base;
	const char *patch;
};

/* One decoded /sync response. */
struct sync_response {
	struct sync_push_result *push;
	size_t n_push;
	struct store_change *changes; /* whole docs and tombstones */
	size_t n_changes;
	struct sync_patch *patches; /* partial changes, in seq order */
	size_t n_patches;
	struct store_cursor *cursors;
	size_t n_cursors;
	const char **scopes; /* NULL when the response carried no "scopes" */
	size_t n_scopes;
	const char **resets;
	size_t n_resets;
	int64_t since; /* > 0: an answer to a compact request, every scope sent is now here */
	bool more;
	int64_t remaining; /* changes still to pull after this answer; -1 when not said */
	void *json;        /* the parsed body that the strings point into */
	char **docs;
	size_t n_docs;
};

/* Flags of sync_protocol_encode(). */
#define SYNC_ENCODE_COMPACT 1u /* cursors in the compact form when they allow it */
/* "partial": true and "lean": true: the client takes partial and lean changes */
#define SYNC_ENCODE_PARTIAL 2u
/* "remaining": true: the answer counts the changes left (docs/api.md "Sync progress") */
#define SYNC_ENCODE_REMAINING 4u

/*
 * Encodes a /sync request body. entries and cursors may be empty. The cursors go in the
 * compact form when flags has SYNC_ENCODE_COMPACT and they all hold the same non-zero
 * value. Returns 0 and *out (JSON text, caller frees), or -LC_EPROTO when an entry's body
 * is not JSON.
 */
int sync_protocol_encode(const char *client_id, const struct store_outbox_entry *entries,
                         size_t n_entries, const struct store_cursor *cursors, size_t n_cursors,
                         unsigned flags, int limit, char **out, char **cause);
/* True when cursors can go in the compact form: at least one, all equal and above 0. */
bool sync_cursors_uniform(const struct store_cursor *cursors, size_t n);

/*
 * Decodes a /sync response body of len bytes into *out (free with sync_response_finish()).
 * Returns 0, or -LC_EPROTO with a message when the body is not a valid response.
 */
int sync_protocol_decode(const char *json, size_t len, struct sync_response *out, char **cause);
/* Frees what sync_protocol_decode() allocated and zeroes *res. Accepts NULL. */
void sync_response_finish(struct sync_response *res);

/* A running scope digest. */
struct sync_digest {
	crypto_hash_sha256_state state;
	int64_t count;
};

void sync_digest_init(struct sync_digest *d);
/* Adds one live row; rows must come sorted by type then id. */
void sync_digest_add(struct sync_digest *d, const char *type, const char *id, int64_t rev);
/* Writes the lowercase hex hash and a NUL into hex. */
void sync_digest_final(struct sync_digest *d, char hex[SYNC_DIGEST_HEX_LEN + 1]);

/* One scope of a /sync/digest answer. */
struct sync_scope_digest {
	char *scope;
	int64_t count;
	char hex[SYNC_DIGEST_HEX_LEN + 1];
};

/*
 * Decodes a /sync/digest body into *out (free with sync_scope_digests_free()). Returns 0
 * or -LC_EPROTO.
 */
int sync_protocol_decode_digest(const char *json, size_t len, struct sync_scope_digest **out,
                                size_t *n, char **cause);
void sync_scope_digests_free(struct sync_scope_digest *d, size_t n);

/* The replica's digest of one scope. Returns 0 or a negative lc_err. */
int sync_digest_scope(struct store_db *db, const char *scope, int64_t *count,
                      char hex[SYNC_DIGEST_HEX_LEN + 1]);

/*
 * Wire integers (cursors, seqs, revs, counts) are JSON numbers, so doubles: they are
 * integers in [0, SYNC_WIRE_INT_MAX], the range a double holds exactly. Casting a double
 * outside int64_t is undefined behaviour, so every decoder range-checks with
 * sync_wire_int() first. It returns true and *out for such a value; false for a fraction,
 * a negative, NaN, an infinity or anything past 2^53.
 */
#define SYNC_WIRE_INT_MAX 9007199254740992LL /* 2^53 */
bool sync_wire_int(double value, int64_t *out);

#endif
