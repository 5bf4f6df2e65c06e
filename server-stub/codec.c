/* SPDX-License-Identifier: MIT */
/*
 * Content codings for HTTP bodies: zstd (preferred: faster and smaller for JSON) and gzip,
 * both ways. Decompression is bounded so a small bomb cannot grow past the body limit.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>
#include <zstd.h>

#include "common/mem.h"
#include "server-stub/srv.h"

/* True when the Accept-Encoding list names coding with a q above 0. */
static bool
accepts(const char *list, const char *coding)
{
	size_t n = strlen(coding);
	const char *p = list;

	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, coding, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ';' || p[n] == ' ')) {
			const char *q = p + n;

			while (*q == ' ')
				q++;
			if (*q == ';') {
				const char *qv = strstr(q, "q=");
				const char *comma = strchr(q, ',');

				if (qv && (comma == NULL || qv < comma) &&
				    strtod(qv + 2, NULL) <= 0.0)
					return false;
			}
			return true;
		}
		p = strchr(p, ',');
	}
	return false;
}

const char *
srv_codec_pick(const char *accept_encoding)
{
	if (accept_encoding == NULL)
		return NULL;
	if (accepts(accept_encoding, "zstd"))
		return "zstd";
	if (accepts(accept_encoding, "gzip"))
		return "gzip";
	return NULL;
}

static int
gzip_compress(const void *in, size_t len, void **out, size_t *out_len)
{
	z_stream zs = {0};
	uLong bound;
	unsigned char *buf;
	int rc;

	if (deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -LC_EINVAL;
	bound = deflateBound(&zs, (uLong)len);
	buf = lc_malloc(bound);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)bound;
	rc = deflate(&zs, Z_FINISH);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -LC_EINVAL;
	}
	*out = buf;
	return 0;
}

/*
 * zstd level 3 runs at hundreds of MB/s, which every answer needs by default: a GET list
 * page at level 16 costs 0.5 ms more and a list endpoint loses five sixths of its
 * throughput (docs/benchmarks.md "Compression level by size"). A /sync answer that carries
 * changes is where the bytes of a sync go on a slow link, and is much rarer than no-ops
 * (below the compression threshold) and list pages: up to 32 KiB, level 16 (btopt) takes
 * the 20 KB answer of the campus delta from 4,108 to 3,692 B for about 3 ms.
 */
#define ZSTD_DENSE_MAX (32 * 1024)
#define ZSTD_DENSE_LEVEL 16
#define ZSTD_LEVEL 3

int
srv_codec_zstd_level(size_t len, bool dense)
{
	return dense && len <= ZSTD_DENSE_MAX ? ZSTD_DENSE_LEVEL : ZSTD_LEVEL;
}

static int
codec_compress(const char *enc, bool dense, const void *in, size_t len, void **out, size_t *out_len)
{
	if (strcmp(enc, "gzip") == 0)
		return gzip_compress(in, len, out, out_len);
	if (strcmp(enc, "zstd") == 0) {
		size_t bound = ZSTD_compressBound(len);
		void *buf = lc_malloc(bound);
		size_t n = ZSTD_compress(buf, bound, in, len, srv_codec_zstd_level(len, dense));

		if (ZSTD_isError(n)) {
			free(buf);
			return -LC_EINVAL;
		}
		*out = buf;
		*out_len = n;
		return 0;
	}
	return -LC_EINVAL;
}

int
srv_codec_compress(const char *enc, const void *in, size_t len, void **out, size_t *out_len)
{
	return codec_compress(enc, false, in, len, out, out_len);
}

int
srv_codec_compress_dense(const char *enc, const void *in, size_t len, void **out, size_t *out_len)
{
	return codec_compress(enc, true, in, len, out, out_len);
}

static int
gzip_decompress(const void *in, size_t len, size_t max, struct lc_buf *buf)
{
	z_stream zs = {0};
	unsigned char chunk[16384];
	int rc;

	/* 47: gzip or zlib header, detected. */
	if (inflateInit2(&zs, 47) != Z_OK)
		return -LC_EPROTO;
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		lc_buf_append(buf, chunk, sizeof(chunk) - zs.avail_out);
		if (buf->len > max) {
			inflateEnd(&zs);
			return -LC_ENOMEM;
		}
	} while (rc != Z_STREAM_END && (zs.avail_in > 0 || zs.avail_out == 0));
	inflateEnd(&zs);
	return rc == Z_STREAM_END ? 0 : -LC_EPROTO;
}

static int
zstd_decompress(const void *in, size_t len, size_t max, struct lc_buf *buf)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer ib = {in, len, 0};
	unsigned char chunk[16384];
	size_t rc = 1;
	bool full;

	if (ds == NULL)
		return -LC_ENOMEM;
	ZSTD_initDStream(ds);
	/*
	 * Go on while input remains or the last output chunk came back full with the frame not
	 * done (more to flush). A frame that ended exactly at a full chunk (rc 0) is done: one more
	 * call would ask for the next frame's header and turn a good body into -LC_EPROTO.
	 */
	do {
		ZSTD_outBuffer ob = {chunk, sizeof(chunk), 0};

		rc = ZSTD_decompressStream(ds, &ob, &ib);
		if (ZSTD_isError(rc))
			break;
		lc_buf_append(buf, chunk, ob.pos);
		if (buf->len > max) {
			ZSTD_freeDStream(ds);
			return -LC_ENOMEM;
		}
		full = ob.pos == ob.size && rc != 0;
	} while (ib.pos < ib.size || full);
	ZSTD_freeDStream(ds);
	return (ZSTD_isError(rc) || rc != 0) ? -LC_EPROTO : 0;
}

int
srv_codec_decompress(const char *enc, const void *in, size_t len, size_t max, void **out,
                     size_t *out_len)
{
	struct lc_buf buf;
	int rc;

	lc_buf_init(&buf);
	if (strcasecmp(enc, "gzip") == 0 || strcasecmp(enc, "x-gzip") == 0)
		rc = gzip_decompress(in, len, max, &buf);
	else if (strcasecmp(enc, "zstd") == 0)
		rc = zstd_decompress(in, len, max, &buf);
	else
		rc = -LC_EINVAL;
	if (rc != 0) {
		lc_buf_finish(&buf);
		return rc;
	}
	*out_len = buf.len;
	*out = lc_buf_steal(&buf);
	return 0;
}
