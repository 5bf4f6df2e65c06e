/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the client's decoder of a /sync response (sync_protocol_decode), the
 * first thing the client does with bytes a server sent. The input is the body as is, in
 * a buffer of exactly its length with no NUL after it, so any read past len is an ASan
 * report. On success the decoded response must hold what the decoder promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "sync/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sync_response res;
	char *copy = lc_malloc(size ? size : 1), *cause = NULL;

	memcpy(copy, data, size);
	memset(&res, 0, sizeof(res));
	if (sync_protocol_decode(copy, size, &res, &cause) == 0) {
		/* Read back every decoded string so ASan sees one that does not hold. */
		volatile size_t sum = 0;

		for (size_t i = 0; i < res.n_push; i++)
			sum += strlen(res.push[i].key) +
			       (res.push[i].body ? strlen(res.push[i].body) : 0);
		for (size_t i = 0; i < res.n_changes; i++)
			sum += strlen(res.changes[i].scope) + strlen(res.changes[i].type) +
			       strlen(res.changes[i].id) +
			       (res.changes[i].doc ? strlen(res.changes[i].doc) : 0);
		for (size_t i = 0; i < res.n_cursors; i++)
			sum += strlen(res.cursors[i].scope);
		for (size_t i = 0; i < res.n_scopes; i++)
			sum += strlen(res.scopes[i]);
		for (size_t i = 0; i < res.n_resets; i++)
			sum += strlen(res.resets[i]);
		(void)sum;
	}
	free(cause);
	sync_response_finish(&res);
	free(copy);
	return 0;
}
