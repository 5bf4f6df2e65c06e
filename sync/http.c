/* SPDX-License-Identifier: MIT */
/*
 * libcurl for the sync engine. The handle is reused across requests (keep-alive) and
 * reset only of what changes per request.
 */
#include "sync/http.h"

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

static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	lc_buf_append(ctx, ptr, size * nmemb);
	return size * nmemb;
}

static int
on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct sync_http *http = ctx;

	if (http->opts.cancel != NULL && atomic_load(http->opts.cancel))
		return 1; /* aborts with CURLE_ABORTED_BY_CALLBACK */
	if (http->opts.progress != NULL)
		http->opts.progress(http->opts.progress_ctx, (int64_t)ulnow, (int64_t)dlnow);
	return 0;
}

static void
set_options(struct sync_http *http, const char *method, const char *url, const char *body,
            size_t body_len, struct curl_slist *headers, struct sync_http_response *res)
{
	CURL *c = http->curl;
	long connect = http->opts.connect_timeout_s > 0 ? http->opts.connect_timeout_s : 10;
	long slow = http->opts.low_speed_time_s > 0 ? http->opts.low_speed_time_s : 30;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* the engine runs on its own thread */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, slow);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, sync_http_accept_encoding());
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (http->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, http->ca_file);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &res->body);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, http);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "lectern/" LECTERN_VERSION);
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

static struct curl_slist *
make_headers(const char *token, bool has_body, bool gzipped)
{
	struct curl_slist *h = NULL;
	char *auth;

	if (has_body)
		h = curl_slist_append(h, "Content-Type: application/json");
	if (gzipped)
		h = curl_slist_append(h, "Content-Encoding: gzip");
	h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip on slow links */
	/* Every byte of a no-op round counts on a slow link; every answer is JSON anyway. */
	h = curl_slist_append(h, "Accept:");
	if (token != NULL) {
		auth = lc_asprintf("Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
		free(auth);
	}
	return h;
}

int
sync_http_request(struct sync_http *http, const char *method, const char *url, const char *token,
                  const char *body, struct sync_http_response *res, char **cause)
{
	size_t body_len = body != NULL ? strlen(body) : 0;
	char *packed = body_len >= GZIP_MIN ? gzip(body, &body_len) : NULL;
	struct curl_slist *headers = make_headers(token, body != NULL, packed != NULL);
	curl_off_t up = 0, down = 0;
	long hdr_size = 0, req_size = 0;
	CURLcode cc;

	memset(res, 0, sizeof(*res));
	lc_buf_init(&res->body);
	set_options(http, method, url, packed != NULL ? packed : body, body_len, headers, res);
	cc = curl_easy_perform(http->curl);
	curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(http->curl, CURLINFO_HEADER_SIZE, &hdr_size);
	curl_easy_getinfo(http->curl, CURLINFO_REQUEST_SIZE, &req_size);
	curl_easy_getinfo(http->curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
	curl_easy_getinfo(http->curl, CURLINFO_SIZE_UPLOAD_T, &up);
	/* REQUEST_SIZE counts the body when curl sent it inline; count it once. */
	res->bytes_up = req_size >= up ? (int64_t)req_size : (int64_t)req_size + (int64_t)up;
	res->bytes_down = (int64_t)hdr_size + (int64_t)down;
	curl_easy_setopt(http->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	free(packed);
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
