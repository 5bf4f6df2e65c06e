/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: one HTTP request as lecternd dispatches it. The input is
 *
 *   <flags byte><METHOD> <target>\n<body>
 *
 * where target is the full request target (/api/v1/...?query) and the body, when not
 * empty, is decoded and parsed the way the HTTP layer does it (Content-Encoding, then
 * JSON that must end at the NUL). The flags pick the viewer (bits 0-1: none, admin,
 * instructor, learner), the Content-Encoding (bits 2-3: identity, gzip, zstd, an unknown
 * one), an Idempotency-Key (bit 4) and an If-Match (bit 5, bits 6-7 the revision). So
 * route matching, percent-decoding, query strings, permissions, the JSON getters and the
 * handlers all see hostile input, on the seeded demo database. "{course}" and the like in
 * the target or body stand for real ids (fuzz_srv_expand). Crashes, sanitizer reports,
 * leaks and unanswered requests are findings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "fuzz-srv-world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The body as read_request() in http.c turns it into JSON; false when it answers 4xx. */
static bool
parse_body(struct fuzz_srv_world *w, const char *enc, const uint8_t *raw, size_t len, cJSON **body)
{
	void *plain = NULL;
	size_t plain_len = 0;
	const char *end = NULL;
	char *text;

	*body = NULL;
	if (len == 0)
		return true;
	if (enc != NULL) {
		if (srv_codec_decompress(enc, raw, len, SRV_BODY_MAX, &plain, &plain_len) != 0)
			return false;
		text = fuzz_srv_expand(w, plain, plain_len);
		free(plain);
	} else {
		text = fuzz_srv_expand(w, (const char *)raw, len);
	}
	*body = cJSON_ParseWithOpts(text, &end, 1);
	free(text);
	return *body != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const encs[] = {NULL, "gzip", "zstd", "br"};
	struct fuzz_srv_world *w = fuzz_srv_world();
	const uint8_t *line, *nl, *sp;
	char *method, *target;
	cJSON *body;

	if (size < 2 || size > 64 * 1024)
		return 0;
	line = data + 1;
	nl = memchr(line, '\n', size - 1);
	if (nl == NULL)
		nl = data + size;
	sp = memchr(line, ' ', (size_t)(nl - line));
	if (sp == NULL || sp == line)
		return 0;
	/* MHD hands over NUL-terminated strings, so a NUL cannot reach the dispatcher. */
	if (memchr(line, '\0', (size_t)(nl - line)) != NULL)
		return 0;
	if (!parse_body(w, encs[(data[0] >> 2) & 3], nl < data + size ? nl + 1 : nl,
	                nl < data + size ? (size_t)(data + size - nl - 1) : 0, &body))
		return 0;
	method = lc_strndup((const char *)line, (size_t)(sp - line));
	target = fuzz_srv_expand(w, (const char *)sp + 1, (size_t)(nl - sp - 1));
	struct srv_call call = {
	    .method = method,
	    .path = target,
	    .body = body,
	    .viewer = fuzz_srv_viewer(w, (enum fuzz_who)(data[0] & 3)),
	    .idempotency_key = (data[0] & 0x10) ? "fuzz-idempotency-key" : NULL,
	    .if_match = (data[0] & 0x20) ? (int64_t)(data[0] >> 6) : -1,
	    .request_id = "fuzz",
	    .client_ip = "",
	};
	fuzz_srv_call(w, &call);
	cJSON_Delete(body);
	free(method);
	free(target);
	return 0;
}
