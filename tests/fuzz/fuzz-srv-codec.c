/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: request body decompression (srv_codec_decompress), which lecternd
 * runs on every body sent with a Content-Encoding, before anything else looks at it. The
 * first byte picks the encoding name (the ones lecternd knows, in odd cases, and unknown
 * ones) and the limit (small ones, so the "too large" path is taken, and the real 1 MiB);
 * the rest is the compressed body. Output must respect the limit and be NUL-terminated,
 * and what was decompressed must survive a round trip through srv_codec_compress.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "server-stub/srv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const encs[] = {"gzip", "zstd", "x-gzip", "GZIP",
	                                   "ZStd", "br",   "",       "deflate"};
	static const size_t limits[] = {SRV_BODY_MAX, 0,    1, 100, 4096, SRV_BODY_MAX,
	                                SRV_BODY_MAX, 65536};
	void *out = NULL, *again = NULL, *back = NULL;
	size_t out_len = 0, again_len = 0, back_len = 0;
	const char *enc;
	size_t max;
	int rc;

	if (size < 1)
		return 0;
	enc = encs[data[0] & 7];
	max = limits[(data[0] >> 3) & 7];
	rc = srv_codec_decompress(enc, data + 1, size - 1, max, &out, &out_len);
	if (rc != 0) {
		check(rc == -LC_EINVAL || rc == -LC_ENOMEM || rc == -LC_EPROTO, "unexpected error");
		check(out == NULL, "output left on error");
		return 0;
	}
	check(out_len <= max, "output above the limit");
	check(((const char *)out)[out_len] == '\0', "output not NUL-terminated");
	/* What came out goes back in and out again unchanged. */
	const char *canon = strcasecmp(enc, "zstd") == 0 ? "zstd" : "gzip";
	check(srv_codec_compress(canon, out, out_len, &again, &again_len) == 0, "compress failed");
	check(srv_codec_decompress(canon, again, again_len, SRV_BODY_MAX, &back, &back_len) == 0,
	      "own output does not decompress");
	check(back_len == out_len && memcmp(back, out, out_len) == 0, "round trip changed data");
	free(out);
	free(again);
	free(back);
	return 0;
}
