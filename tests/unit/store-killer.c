/* SPDX-License-Identifier: MIT */
/*
 * Helper for test-store-sigkill: opens the replica named on the command line and writes
 * to it forever, until the test kills it with SIGKILL. In turn it makes single local
 * writes, three writes in one outer transaction (sharing a "batch" tag, so the test can
 * check all-or-nothing), and completions of the oldest outbox entry. After each commit it
 * reports on stdout, unbuffered, "<seq> <reply id>" for every write it made, so the test
 * knows which writes were reported committed before the kill.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica.h"

#define TOPIC "33333333-3333-4333-8333-333333333333"

static void
report(int64_t seq, const char *id)
{
	char line[96];
	int len = snprintf(line, sizeof(line), "%lld %s\n", (long long)seq, id);

	if (len > 0 && write(STDOUT_FILENO, line, (size_t)len) != len)
		exit(3);
}

static int
reply_write(struct store_db *db, const char *batch, long n, int64_t *seq, char *id)
{
	char *doc, *body;
	int rc;

	lc_uuid_new(id);
	doc = lc_asprintf("{\"id\":\"%s\",\"topic_id\":\"" TOPIC "\",\"batch\":\"%s\","
	                  "\"body\":\"reply number %ld\"}",
	                  id, batch, n);
	body = lc_asprintf("{\"id\":\"%s\",\"body\":\"reply number %ld\"}", id, n);
	struct store_write w = {
	    "POST", "/api/v1/topics/" TOPIC "/replies", body, 0, "reply", id, "course:c", doc,
	    false};
	rc = store_local_write(db, &w, seq);
	free(doc);
	free(body);
	return rc;
}

/* Three writes in one transaction: all reported after the commit. */
static int
batch_write(struct store_db *db, long n)
{
	char batch[LC_UUID_LEN + 1], ids[3][LC_UUID_LEN + 1];
	int64_t seqs[3];
	int rc;

	lc_uuid_new(batch);
	rc = store_db_begin(db);
	for (int i = 0; rc == 0 && i < 3; i++)
		rc = reply_write(db, batch, n, &seqs[i], ids[i]);
	if (rc == 0)
		rc = store_db_commit(db);
	else
		store_db_rollback(db);
	for (int i = 0; rc == 0 && i < 3; i++)
		report(seqs[i], ids[i]);
	return rc;
}

/* Acknowledges the oldest entry as the server would, with its doc at rev 1. */
static int
complete_oldest(struct store_db *db)
{
	struct store_outbox_entry *entries;
	struct store_resource res;
	size_t n;
	int rc = store_outbox_list(db, 1, &entries, &n);

	if (rc != 0 || n == 0)
		return rc;
	rc = store_resource_get(db, entries[0].type, entries[0].res_id, &res);
	if (rc == 0) {
		/* The optimistic doc plus a rev: still carries the batch tag. */
		size_t len = strlen(res.doc);
		char *doc = lc_asprintf("%.*s,\"rev\":1}", (int)(len - 1), res.doc);

		rc = store_outbox_complete(db, entries[0].seq, doc);
		free(doc);
		store_resource_finish(&res);
	}
	store_outbox_free(entries, n);
	return rc;
}

int
main(int argc, char **argv)
{
	struct store_db *db = NULL;
	char *cause = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: store-killer REPLICA\n");
		return 1;
	}
	if (store_replica_open(argv[1], &db, &cause) != 0) {
		fprintf(stderr, "store-killer: %s\n", cause != NULL ? cause : "cannot open");
		free(cause);
		return 2;
	}
	for (long n = 0;; n++) {
		char id[LC_UUID_LEN + 1];
		int64_t seq = 0;
		int rc;

		if (n % 5 == 3) {
			rc = batch_write(db, n);
		} else if (n % 5 == 4) {
			rc = complete_oldest(db);
		} else {
			rc = reply_write(db, "single", n, &seq, id);
			if (rc == 0)
				report(seq, id);
		}
		if (rc != 0) {
			fprintf(stderr, "store-killer: %s: %s\n", lc_strerror(rc),
			        store_db_error(db)->message);
			store_db_close(db);
			return 4;
		}
	}
}
