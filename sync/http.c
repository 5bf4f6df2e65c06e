/* SPDX-License-Identifier: MIT */
/*
 * libcurl for the sync engine. The handle is reused across requests (keep-alive) and
 * reset only of what changes per request.
 */
#include "sync/http.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <zlib.h>

#include "common/err.h"
#include "common/mem.h"

/*
 * Bodies at least this long go gzip-compressed (only when that is smaller): posts shrink
 * to a third, and even a no-op round's cursors lose a third on a slow link.
 */
#define GZIP_MIN 256

struct sync_http {
	CURL *curl;
	struct sync_http_options opts;
	char *ca_file;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void
global_init(void)
{
	/* curl_global_init is not thread-safe before 7.84; do it once for the process. */
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

const char *
sync_http_accept_encoding(void)
{
	const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);

	if (info != NULL && (info->features & CURL_VERSION_ZSTD) != 0)
		return "zstd, gzip";
	return "gzip";
}

int
sync_http_create(const struct sync_http_options *opts, struct sync_http **out, char **cause)
{
	struct sync_http *http;

	*out = NULL;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return lc_cause_set(cause, -LC_ENET, "libcurl: %s", curl_easy_strerror(global_rc));
	http = lc_calloc(1, sizeof(*http));
	http->opts = *opts;
	http->ca_file = lc_strdup(opts->ca_file);
	http->curl = curl_easy_init();
	if (http->curl == NULL) {
		sync_http_destroy(http);
		return lc_cause_set(cause, -LC_ENOMEM, "libcurl: cannot create a handle");
	}
	*out = http;
	return 0;
}

void
sync_http_destroy(struct sync_http *http)
{
	if (http == NULL)
		return;
	if (http->curl != NULL)
		curl_easy_cleanup(http->curl);
	free(http->ca_file);
	free(http);
}

/* Where on_data() puts the answer's body. */
struct sink {
	struct lc_buf *body;
	bool too_big; /* set when the body reached SYNC_HTTP_BODY_MAX */
};

/*
 * curl decompresses the answer before it gets here, so a megabyte on the wire can arrive
 * as a gigabyte (security review 2026-11-29, L2). The body stays below
 * SYNC_HTTP_BODY_MAX: returning less than was given makes curl abort with
 * CURLE_WRITE_ERROR, and the buffer, which doubles, never grows past the bound.
 */
static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct sink *sink = ctx;
	size_t n = size * nmemb;

	assert(sink->body->len < SYNC_HTTP_BODY_MAX);
	if (n >= SYNC_HTTP_BODY_MAX - sink->body->len) {
		sink->too_big = true;
		return 0;
	}
	lc_buf_append(sink->body, ptr, n);
	return n;
}

static int
on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct sync_http *http = ctx;

	if (http->opts.cancel != NULL && atomic_load(http->opts.cancel))
		return 1; /* aborts with CURLE_ABORTED_BY_CALLBACK */
	if (http->opts.connected != NULL && !atomic_load(http->opts.connected)) {
		curl_off_t at = 0;

		/* Zero until the TCP (and TLS) connection is up. */
		if (curl_easy_getinfo(http->curl, CURLINFO_APPCONNECT_TIME_T, &at) == CURLE_OK &&
		    at == 0)
			(void)curl_easy_getinfo(http->curl, CURLINFO_CONNECT_TIME_T, &at);
		if (at > 0)
			atomic_store(http->opts.connected, true);
	}
	if (http->opts.progress != NULL)
		http->opts.progress(http->opts.progress_ctx, (int64_t)ulnow, (int64_t)dlnow);
	return 0;
}

/*
 * Sets the handle up for one request. Returns CURLE_OK or the first option that failed:
 * an option this libcurl lacks (CURLOPT_PROTOCOLS_STR before 7.85) must stop the request,
 * not silently leave every protocol allowed.
 */
static CURLcode
set_options(struct sync_http *http, const char *method, const char *url, const char *body,
            size_t body_len, struct curl_slist *headers, struct sink *sink)
{
	CURL *c = http->curl;
	long connect = http->opts.connect_timeout_s > 0 ? http->opts.connect_timeout_s : 10;
	long slow = http->opts.low_speed_time_s > 0 ? http->opts.low_speed_time_s : 30;
	CURLcode cc = CURLE_OK;

/* Sets one option unless an earlier one failed (SQLite's chained rc). */
#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (cc == CURLE_OK)                                                                \
			cc = curl_easy_setopt(c, opt, val);                                        \
	} while (0)

	curl_easy_reset(c);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_NOSIGNAL, 1L); /* the engine runs on its own thread */
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_CONNECTTIMEOUT, connect);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, slow);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_ACCEPT_ENCODING, sync_http_accept_encoding());
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (http->ca_file != NULL)
		SET(CURLOPT_CAINFO, http->ca_file);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		SET(CURLOPT_POSTFIELDS, body);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else if (strcmp(method, "GET") != 0) {
		SET(CURLOPT_POSTFIELDS, "");
	}
	SET(CURLOPT_WRITEFUNCTION, on_data);
	SET(CURLOPT_WRITEDATA, sink);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, http);
	/*
	 * No User-Agent (27 bytes of every request head, issue 10: the campus delta at most
	 * 1.2x its floor): lecternd never reads it, and curl sends none unless told to.
	 */
#undef SET
	return cc;
}

/*
 * Compresses len bytes of body as gzip (the server takes Content-Encoding: gzip). Returns
 * the bytes (caller frees) and their count in *len, or NULL to send the body as it is.
 */
static char *
gzip(const char *body, size_t *len)
{
	z_stream zs;
	char *out;
	uLong bound;

	memset(&zs, 0, sizeof(zs));
	/* 15 + 16: the largest window, with a gzip header and trailer instead of zlib's. */
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return NULL;
	bound = deflateBound(&zs, (uLong)*len);
	out = lc_malloc(bound);
	zs.next_in = (Bytef *)(uintptr_t)body;
	zs.avail_in = (uInt)*len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END || zs.total_out >= *len) {
		deflateEnd(&zs);
		free(out);
		return NULL;
	}
	*len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* Appends one header line; false (the list unchanged) when curl is out of memory. */
static bool
add_header(struct curl_slist **list, const char *line)
{
	struct curl_slist *next = curl_slist_append(*list, line);

	if (next == NULL)
		return false;
	*list = next;
	return true;
}

/* Builds the request's headers into *out. Returns 0, or -LC_ENOMEM (nothing to free). */
static int
make_headers(const char *token, const char *refresh, bool has_body, bool gzipped,
             struct curl_slist **out)
{
	struct curl_slist *h = NULL;
	char *auth = NULL;
	bool ok = true;

	if (has_body)
		ok = add_header(&h, "Content-Type: application/json");
	if (ok && gzipped)
		ok = add_header(&h, "Content-Encoding: gzip");
	/* No 100-continue round trip on slow links. */
	ok = ok && add_header(&h, "Expect:");
	/* Every byte of a no-op round counts on a slow link; every answer is JSON anyway. */
	ok = ok && add_header(&h, "Accept:");
	if (ok && token != NULL) {
		auth = lc_asprintf("Authorization: Bearer %s", token);
		ok = add_header(&h, auth);
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	if (ok && refresh != NULL) {
		auth = lc_asprintf("Lectern-Refresh: %s", refresh);
		ok = add_header(&h, auth);
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	if (!ok) {
		curl_slist_free_all(h);
		return -LC_ENOMEM;
	}
	*out = h;
	return 0;
}

/* Reads what was moved into res; the counts stay 0 when libcurl cannot say. */
static void
count_bytes(CURL *c, struct sync_http_response *res)
{
	curl_off_t up = 0, down = 0;
	long hdr_size = 0, req_size = 0;

	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status) != CURLE_OK)
		res->status = 0;
	if (curl_easy_getinfo(c, CURLINFO_HEADER_SIZE, &hdr_size) != CURLE_OK ||
	    curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &req_size) != CURLE_OK ||
	    curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &down) != CURLE_OK ||
	    curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &up) != CURLE_OK)
		return;
	/* REQUEST_SIZE counts the body when curl sent it inline; count it once. */
	res->bytes_up = req_size >= up ? (int64_t)req_size : (int64_t)req_size + (int64_t)up;
	res->bytes_down = (int64_t)hdr_size + (int64_t)down;
}

int
sync_http_request(struct sync_http *http, const char *method, const char *url, const char *token,
                  const char *body, struct sync_http_response *res, char **cause)
{
	return sync_http_request_refresh(http, method, url, token, NULL, body, res, cause);
}

int
sync_http_request_refresh(struct sync_http *http, const char *method, const char *url,
                          const char *token, const char *refresh, const char *body,
                          struct sync_http_response *res, char **cause)
{
	size_t body_len = body != NULL ? strlen(body) : 0;
	char *packed = body_len >= GZIP_MIN ? gzip(body, &body_len) : NULL;
	struct curl_slist *headers = NULL;
	struct sink sink = {.body = &res->body};
	CURLcode cc;
	int rc;

	memset(res, 0, sizeof(*res));
	lc_buf_init(&res->body);
	rc = make_headers(token, refresh, body != NULL, packed != NULL, &headers);
	if (rc < 0) {
		free(packed);
		return lc_cause_set(cause, rc, "libcurl: out of memory for the request headers");
	}
	cc = set_options(http, method, url, packed != NULL ? packed : body, body_len, headers,
	                 &sink);
	if (cc != CURLE_OK) {
		curl_easy_reset(http->curl); /* it must not keep the headers freed below */
		curl_slist_free_all(headers);
		free(packed);
		return lc_cause_set(cause, cc == CURLE_OUT_OF_MEMORY ? -LC_ENOMEM : -LC_EINVAL,
		                    "libcurl: cannot set up the request: %s",
		                    curl_easy_strerror(cc));
	}
	cc = curl_easy_perform(http->curl);
	count_bytes(http->curl, res);
	/* Unsetting an option cannot fail; the next request's curl_easy_reset() also clears it. */
	(void)curl_easy_setopt(http->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	free(packed);
	if (sink.too_big) {
		sync_http_response_finish(res);
		return lc_cause_set(
		    cause, -LC_EPROTO,
		    "%s: the server's answer is larger than %d MiB once decompressed; "
		    "refused",
		    url, SYNC_HTTP_BODY_MAX_MIB);
	}
	if (cc != CURLE_OK) {
		sync_http_response_finish(res);
		return lc_cause_set(cause, -LC_ENET, "%s: %s", url, curl_easy_strerror(cc));
	}
	return 0;
}

void
sync_http_response_finish(struct sync_http_response *res)
{
	if (res == NULL)
		return;
	lc_buf_finish(&res->body);
	res->status = 0;
}
