/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the body of POST /sync as lecternd decodes it. The input is a flags
 * byte (its low bits pick the viewer: learner, instructor, admin or nobody) and the JSON
 * body. The body goes through the server's /sync request decoder (client_id, limit, the
 * full "cursors" form and the compact "since"/"scope_set" form, "push") and on into the
 * pushes and the pull, on the seeded demo database, so cursors, scope-set hashes and
 * pushed writes all see hostile values. "{course}" and the like stand for real ids.
 * Bodies that are not JSON are dropped, as the HTTP layer answers them 400 before
 * dispatching.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-srv-world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum fuzz_who who[] = {FUZZ_LEARNER, FUZZ_INSTRUCTOR, FUZZ_ADMIN, FUZZ_ANON};
	struct fuzz_srv_world *w = fuzz_srv_world();
	const char *end = NULL;
	char *text;
	cJSON *body;

	if (size < 1 || size > 64 * 1024)
		return 0;
	text = fuzz_srv_expand(w, (const char *)data + 1, size - 1);
	body = cJSON_ParseWithOpts(text, &end, 1);
	free(text);
	if (body == NULL)
		return 0;
	struct srv_call call = {
	    .method = "POST",
	    .path = "/api/v1/sync",
	    .body = body,
	    .viewer = fuzz_srv_viewer(w, who[data[0] & 3]),
	    .idempotency_key = NULL,
	    .if_match = -1,
	    .request_id = "fuzz",
	    .client_ip = "",
	};
	fuzz_srv_call(w, &call);
	cJSON_Delete(body);
	return 0;
}
