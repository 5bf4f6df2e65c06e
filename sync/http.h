/* SPDX-License-Identifier: MIT */
/*
 * The engine's HTTP client over libcurl: one easy handle kept per engine so that the
 * connection stays alive between rounds, compressed answers (zstd when this libcurl has
 * it, else gzip), TLS verification always on, a connect timeout and a low-speed limit in
 * place of a flat timeout so that a slow link still finishes and a dead one is noticed.
 */
#ifndef SYNC_HTTP_H
#define SYNC_HTTP_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/buf.h"

struct sync_http_options {
	const char *ca_file;    /* extra CA bundle, or NULL */
	int connect_timeout_s;  /* 0 for 10 */
	int low_speed_time_s;   /* abort when under 1 byte/s for this long; 0 for 30 */
	atomic_bool *cancel;    /* aborts a transfer in flight when set; may be NULL */
	atomic_bool *connected; /* set once the connection is up (login's "slow"); may be NULL */
	/* Called during transfers with the bytes moved so far in this request; may be NULL. */
	void (*progress)(void *ctx, int64_t up, int64_t down);
	void *progress_ctx;
};

/*
 * The largest answer body taken, counted after decompression: a body that would reach it
 * aborts the transfer and the request fails with -LC_EPROTO ("the server's answer is larger
 * than 64 MiB once decompressed"), so that a compression bomb from a hostile server or a
 * man in the middle cannot exhaust memory (security review 2026-11-29, L2). Real answers
 * are far smaller: the server bounds a /sync page by its batch size.
 */
#define SYNC_HTTP_BODY_MAX_MIB 64
#define SYNC_HTTP_BODY_MAX ((size_t)SYNC_HTTP_BODY_MAX_MIB * 1024 * 1024)

struct sync_http_response {
	long status;
	struct lc_buf body; /* decoded (decompressed) body */
	int64_t bytes_up;   /* request headers and body as sent */
	int64_t bytes_down; /* response headers and body as received (compressed) */
};

struct sync_http;

/* Returns 0 and *out (free with sync_http_destroy()), or a negative lc_err. */
int sync_http_create(const struct sync_http_options *opts, struct sync_http **out, char **cause);
/* Accepts NULL. */
void sync_http_destroy(struct sync_http *http);

/*
 * Sends method url with an optional bearer token and JSON body. Returns 0 with any HTTP
 * status in res (free its body with sync_http_response_finish()), -LC_ENET with a
 * message when no answer came (unreachable, timeout, cut, TLS failure), -LC_EPROTO when
 * the answer reached SYNC_HTTP_BODY_MAX, or -LC_EINVAL / -LC_ENOMEM when libcurl could not
 * be set up for the request (an option this libcurl lacks). res is empty on failure.
 */
int sync_http_request(struct sync_http *http, const char *method, const char *url,
                      const char *token, const char *body, struct sync_http_response *res,
                      char **cause);
/*
 * sync_http_request() with a refresh token in the Lectern-Refresh header (NULL: none),
 * which lecternd reads on POST /api/v1/sync when the access token is stale (docs/api.md).
 */
int sync_http_request_refresh(struct sync_http *http, const char *method, const char *url,
                              const char *token, const char *refresh, const char *body,
                              struct sync_http_response *res, char **cause);
void sync_http_response_finish(struct sync_http_response *res);

/* The Accept-Encoding value this libcurl supports: "zstd, gzip" or "gzip". */
const char *sync_http_accept_encoding(void);

#endif
