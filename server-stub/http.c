/* SPDX-License-Identifier: MIT */
/*
 * The HTTP door: libmicrohttpd with a thread pool, a connection limit and a connection
 * timeout (so slow or idle clients cannot hold the workers), the 1 MiB body limit,
 * content-type and content-encoding checks, bearer authentication, compression of
 * answers, X-Request-Id, and one access-log line per request. Everything else is
 * srv_dispatch()'s.
 *
 * Stopping: quiesce (no new connections), wait until the requests in flight have been
 * answered, then stop the daemon; the caller closes the database afterwards.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"

#define CONN_LIMIT 512
#define CONN_TIMEOUT 30 /* seconds of silence before a connection is dropped */

struct srv_http {
	struct MHD_Daemon *daemon;
	struct srv_ctx *ctx;
	atomic_int in_flight;
};

/* Per-request state, from the first callback to the completion notice. */
struct conn {
	char *uri; /* the raw request target, query included */
	bool started;
	int64_t start_ms;
	char request_id[130];
	struct lc_buf body;
	bool too_large;
	bool counted;
};

static const char *
header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The client's X-Request-Id when it is sane, else a new UUID. */
static void
request_id(struct MHD_Connection *c, char out[130])
{
	const char *given = header(c, "X-Request-Id");
	size_t n = given ? strlen(given) : 0;
	bool ok = n >= 1 && n <= 128;

	for (size_t i = 0; ok && i < n; i++)
		ok = given[i] > ' ' && given[i] < 0x7f;
	if (ok) {
		memcpy(out, given, n + 1);
		return;
	}
	lc_uuid_new(out);
}

static void
access_log(struct MHD_Connection *c, const struct conn *st, const char *method, const char *url,
           int status, size_t bytes)
{
	char when[LC_RFC3339_LEN + 1];
	const char *q = strchr(url, '?');
	int path_len = q ? (int)(q - url) : (int)strlen(url);

	(void)c;
	lc_rfc3339(lc_now(), when);
	/* The query is left out: search terms are the user's business, not the log's. */
	lc_log_line("%s %s %s %.*s %d %zu %lldms", when, st->request_id, method, path_len, url,
	            status, bytes, (long long)(lc_monotonic_ms() - st->start_ms));
}

static enum MHD_Result
send_resp(struct MHD_Connection *c, struct conn *st, const char *method, const char *url,
          struct srv_resp *resp, bool replayed)
{
	struct MHD_Response *r;
	char *json = resp->body ? cJSON_PrintUnformatted(resp->body) : NULL;
	size_t len = json ? strlen(json) : 0;
	const char *enc = NULL;
	enum MHD_Result ret;
	void *packed = NULL;
	size_t packed_len = 0;

	if (json && len > 256)
		enc = srv_codec_pick(header(c, "Accept-Encoding"));
	if (enc && srv_codec_compress(enc, json, len, &packed, &packed_len) == 0) {
		cJSON_free(json);
		json = NULL;
		r = MHD_create_response_from_buffer(packed_len, packed, MHD_RESPMEM_MUST_FREE);
		len = packed_len;
	} else {
		enc = NULL;
		r = MHD_create_response_from_buffer(len, json ? json : (void *)"",
		                                    json ? MHD_RESPMEM_MUST_COPY
		                                         : MHD_RESPMEM_PERSISTENT);
	}
	cJSON_free(json);
	if (r == NULL)
		return MHD_NO;
	if (resp->body)
		MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	if (enc)
		MHD_add_response_header(r, "Content-Encoding", enc);
	/* Only answers a cache may keep need Vary; POST, PUT, PATCH and DELETE ones are not. */
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		MHD_add_response_header(r, "Vary", "Accept-Encoding");
	MHD_add_response_header(r, "X-Request-Id", st->request_id);
	if (replayed)
		MHD_add_response_header(r, "Idempotent-Replayed", "true");
	for (int i = 0; i < resp->n_headers; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
	ret = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	access_log(c, st, method, url, resp->status, len);
	return ret;
}

static bool
is_json_type(const char *type)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	if (type == NULL || strncasecmp(type, json, n) != 0)
		return false;
	return type[n] == '\0' || type[n] == ';' || type[n] == ' ';
}

static bool
has_body_method(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	       strcmp(method, "PATCH") == 0;
}

/* "\"3\"", "3" or "W/\"3\"" → 3; -1 when absent; -2 when malformed. */
static int64_t
parse_if_match(const char *v)
{
	int64_t rev = 0;
	int digits = 0;

	if (v == NULL)
		return -1;
	if (strncmp(v, "W/", 2) == 0)
		v += 2;
	if (*v == '"')
		v++;
	for (; *v >= '0' && *v <= '9' && digits < 18; v++, digits++)
		rev = rev * 10 + (*v - '0');
	if (*v == '"')
		v++;
	return (digits == 0 || *v != '\0') ? -2 : rev;
}

/* Checks the body and headers; answers the request's error into resp when one applies. */
static bool
read_request(struct MHD_Connection *c, struct conn *st, const char *method, cJSON **body,
             struct srv_resp *resp)
{
	const char *type = header(c, "Content-Type");
	const char *enc = header(c, "Content-Encoding");
	void *plain = NULL;
	size_t plain_len = 0;
	const char *end = NULL;

	if (st->too_large) {
		srv_error(resp, 413, "invalid_request_error", "The body is larger than 1 MiB");
		return false;
	}
	if (has_body_method(method) && (st->body.len > 0 || type) && !is_json_type(type)) {
		srv_error(resp, 415, "invalid_media_type", "Send application/json");
		return false;
	}
	if (st->body.len == 0)
		return true;
	if (enc && strcasecmp(enc, "identity") != 0) {
		int rc = srv_codec_decompress(enc, st->body.data, st->body.len, SRV_BODY_MAX,
		                              &plain, &plain_len);

		if (rc == -LC_EINVAL) {
			srv_error(resp, 415, "invalid_media_type", "Unsupported Content-Encoding");
			return false;
		}
		if (rc != 0) {
			srv_error(resp, rc == -LC_ENOMEM ? 413 : 400, "invalid_request_error",
			          rc == -LC_ENOMEM ? "The body is larger than 1 MiB"
			                           : "Cannot decode the body");
			return false;
		}
		lc_buf_reset(&st->body);
		lc_buf_append(&st->body, plain, plain_len);
		free(plain);
	}
	*body = cJSON_ParseWithOpts(lc_buf_str(&st->body), &end, 1);
	if (*body == NULL) {
		srv_error(resp, 400, "invalid_request_error", "The body is not valid JSON");
		return false;
	}
	if (!srv_json_nul_free(lc_buf_str(&st->body), st->body.len, resp)) {
		cJSON_Delete(*body);
		*body = NULL;
		return false;
	}
	return true;
}

static void
handle(struct srv_http *h, struct MHD_Connection *c, struct conn *st, const char *method,
       const char *url, struct srv_resp *resp, bool *replayed)
{
	struct store_db *db = srv_ctx_db(h->ctx);
	const char *auth = header(c, "Authorization");
	struct srv_user viewer;
	cJSON *body = NULL;
	int64_t if_match = parse_if_match(header(c, "If-Match"));

	*replayed = false;
	if (db == NULL) {
		srv_error(resp, 500, "api_error", "Internal error");
		return;
	}
	if (!read_request(c, st, method, &body, resp))
		return;
	if (if_match == -2) {
		srv_bad_params(resp, "If-Match");
	} else if (auth && srv_auth_bearer(h->ctx, db, auth, &viewer) != 0) {
		srv_error(resp, 401, "authentication_error", "Missing, invalid or expired token");
	} else {
		struct srv_call call = {
		    .method = method,
		    .path = url,
		    .body = body,
		    .viewer = auth ? &viewer : NULL,
		    .idempotency_key = header(c, "Idempotency-Key"),
		    .if_match = if_match,
		    .request_id = st->request_id,
		    .client_ip = "",
		};

		srv_dispatch(h->ctx, db, &call, resp, replayed);
	}
	srv_db_quiesce(db);
	cJSON_Delete(body);
}

/* MHD's URI log callback: the first look at a request, with its raw target. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct conn *st = lc_calloc(1, sizeof(*st));

	(void)cls;
	(void)c;
	st->uri = lc_strdup(uri);
	st->start_ms = lc_monotonic_ms();
	lc_buf_init(&st->body);
	return st;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct srv_http *h = cls;
	struct conn *st = *con_cls;
	struct srv_resp resp = {0};
	enum MHD_Result ret;
	bool replayed = false;

	(void)version;
	if (st == NULL) {
		st = on_uri(h, url, c);
		*con_cls = st;
	}
	if (!st->started) {
		const char *cl = header(c, "Content-Length");

		st->started = true;
		request_id(c, st->request_id);
		st->counted = true;
		atomic_fetch_add(&h->in_flight, 1);
		/* Refuse an announced oversized body before reading a byte of it. */
		if (cl && strtoull(cl, NULL, 10) > SRV_BODY_MAX) {
			srv_error(&resp, 413, "invalid_request_error",
			          "The body is larger than 1 MiB");
			ret = send_resp(c, st, method, url, &resp, false);
			srv_resp_finish(&resp);
			return ret;
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (st->body.len + *upload_data_size > SRV_BODY_MAX)
			st->too_large = true;
		else
			lc_buf_append(&st->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* MHD hands the path without the query; the dispatcher wants both (raw, from on_uri). */
	handle(h, c, st, method, st->uri, &resp, &replayed);
	ret = send_resp(c, st, method, st->uri, &resp, replayed);
	srv_resp_finish(&resp);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct srv_http *h = cls;
	struct conn *st = *con_cls;

	(void)c;
	(void)toe;
	if (st == NULL)
		return;
	if (st->counted)
		atomic_fetch_sub(&h->in_flight, 1);
	lc_buf_finish(&st->body);
	free(st->uri);
	free(st);
	*con_cls = NULL;
}

static int
resolve(const char *host, int port, struct sockaddr_storage *out, socklen_t *len, char **cause)
{
	struct addrinfo hints = {0}, *res = NULL;
	char service[16];
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0 || res == NULL)
		return lc_cause_set(cause, -LC_EINVAL, "cannot resolve %s: %s", host,
		                    gai_strerror(rc));
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
srv_http_start(struct srv_ctx *ctx, const char *host, int port, int threads, struct srv_http **out,
               int *bound_port, char **cause)
{
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct srv_http *h;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	int rc = resolve(host, port, &addr, &addr_len, cause);

	if (rc != 0)
		return rc;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = lc_calloc(1, sizeof(*h));
	h->ctx = ctx;
	h->daemon = MHD_start_daemon(
	    flags | MHD_USE_AUTO, (uint16_t)port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)(threads > 0 ? threads : 4), MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)CONN_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
	if (h->daemon == NULL) {
		free(h);
		return lc_cause_set(cause, -LC_EIO, "cannot listen on %s:%d", host, port);
	}
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	*bound_port = info ? info->port : port;
	*out = h;
	return 0;
}

void
srv_http_stop(struct srv_http *h)
{
	int64_t deadline;

	if (h == NULL)
		return;
	MHD_quiesce_daemon(h->daemon);
	/* Requests already being answered get up to 10 s to finish. */
	deadline = lc_monotonic_ms() + 10000;
	while (atomic_load(&h->in_flight) > 0 && lc_monotonic_ms() < deadline) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(h->daemon);
	free(h);
}
