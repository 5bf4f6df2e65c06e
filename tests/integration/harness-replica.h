/* SPDX-License-Identifier: MIT */
/*
 * A tiny replica kept by the sync tests: per scope, a JSON object "type\tid" -> rev, fed by
 * POST /api/v1/sync exactly as shared/API.md says a client applies it (changes in seq order,
 * tombstones remove, reset and unlisted scopes drop), and the digest computed from it
 * independently of the server (SHA-256 over "type\tid\trev\n" sorted by type then id).
 * The functions assert with cmocka, so they run inside cmocka tests only.
 */
#ifndef TEST_HARNESS_REPLICA_H
#define TEST_HARNESS_REPLICA_H

#include "harness.h"

struct replica {
	const struct h_server *srv;
	char client_id[H_ID_LEN + 1];
	cJSON *cursors; /* scope -> seq */
	cJSON *rows;    /* scope -> {"type\tid": rev} */
	cJSON *scopes;  /* the last "scopes" list */
	cJSON *changes; /* every change received by the last replica_sync() */
	char *raw;      /* every body received by the last replica_sync(), concatenated */
	cJSON *resets;  /* every scope the server listed in "reset" */
	int limit;      /* "limit" of each request */
	int rounds;     /* requests made by the last replica_sync() */
};

void replica_init(struct replica *rp, const struct h_server *srv);
void replica_free(struct replica *rp);
/* True when the JSON array of strings list holds s. */
bool in_list(const cJSON *list, const char *s);
/* One POST /sync with the replica's cursors and push (JSON array text or NULL); not applied. */
void sync_once(struct replica *rp, const char *token, const char *push, struct h_resp *r);
/* Syncs until more is false; rp->changes and rp->raw hold what this call received. */
void replica_sync(struct replica *rp, const char *token);
/* The change of the last replica_sync() for id (in scope, or any scope when NULL), or NULL. */
const cJSON *find_change(const struct replica *rp, const char *scope, const char *id);
/* count and hex SHA-256 of a scope's rows ({"type\tid": rev}). */
void digest_of(const cJSON *rows, int *count, char hex[65]);
/* Fails unless GET /sync/digest equals the replica's digest for every listed scope. */
void expect_digests_match(const struct replica *rp, const char *token);
/* Fails unless the last replica_sync() brought a tombstone of type for id in scope. */
void expect_tombstone(const struct replica *rp, const char *scope, const char *id,
                      const char *type);

#endif
