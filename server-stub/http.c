/* SPDX-License-Identifier: MIT */
/*
 * The HTTP door: libmicrohttpd with a thread pool, the 1 MiB body limit, content-type and
 * content-encoding checks, bearer authentication, compression of answers, X-Request-Id,
 * and one access-log line per request. Everything else is srv_dispatch()'s.
 *
 * Slow clients (security review 2026-11-29, H1). MHD's connection timeout counts idle
 * seconds, so a client sending one byte every few seconds keeps a connection forever, and
 * 600 such connections from one address used to fill the whole connection limit. Three
 * bounds together stop that:
 *   - a per-address connection limit (MHD refuses the connection at accept), well below
 *   - the global connection limit, and
 *   - a deadline: a request's head and body must have arrived within request_deadline_s
 *     of the connection opening (or of the previous answer on a kept-alive connection).
 *     MHD has no such deadline, so a reaper thread watches every connection (registered
 *     through MHD_OPTION_NOTIFY_CONNECTION) and shutdown()s the socket of one still
 *     receiving past it; MHD then sees end-of-file and closes the connection itself.
 * Behind a reverse proxy (--trusted-proxy) every connection comes from the proxy, so the
 * per-address connection limit cannot apply to sockets; the client address is then the
 * last hop of X-Forwarded-For, and the per-address limit counts that client's requests in
 * flight instead (429 beyond it).
 *
 * Authentication happens in the header phase, before a byte of the body is read: a
 * request without a valid token on a route that needs one gets 401 before any content
 * type, size, encoding or JSON check (API.md), and a large body is never read for it.
 *
 * The slow pool (issue 9 section 2). A route flagged SRV_ROUTE_SLOW (log-in, sign-up,
 * refresh, password change) may spend tens of ms and 64 MiB in argon2id. MHD binds each
 * connection to one worker, so run there, that hash would hold up every other connection
 * of the worker, and the hashes at once would be bounded only by --threads. Instead, once
 * such a request's body is complete and its headers and body have passed the cheap checks
 * (read_request), the worker:
 *   - copies what srv_dispatch() needs into a slow_job (the parsed body, the method and the
 *     Idempotency-Key; the viewer, request id, client address and target stay in the
 *     struct conn, which nobody else touches while the job runs),
 *   - under slow_lock: appends it to a bounded queue and MHD_suspend_connection()s
 *     (a full queue, or a stopping server, answers 503 with Retry-After instead: srv_busy),
 *   - and returns to its other connections.
 * One of --slow-threads threads pops the job, runs srv_dispatch() on its own database
 * connection (srv_ctx_db), marks the job done and calls MHD_resume_connection(), after
 * which it never touches the job or the connection again. MHD then calls on_request()
 * again (upload size 0) on the worker, which sends the stored answer as usual (access
 * log, X-Request-Id, compression). So at most --slow-threads hashes run at once, and a
 * keep-alive connection sharing a worker with log-ins waits for none of them.
 * The deadline reaper leaves a suspended connection alone: it stopped receiving (its
 * whole request arrived) before the job was queued. MHD's idle timeout does not run for
 * suspended connections. in_flight counts the request until on_completed() as before.
 *
 * Stopping: quiesce (no new connections), wait until the requests in flight have been
 * answered (the slow pool keeps working meanwhile), then stop the slow pool (what is
 * still queued is answered 503; the threads resume every connection they hold and are
 * joined: MHD must not be stopped with a suspended connection), stop the daemon and the
 * reaper; the caller closes the database afterwards.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "server-stub/srv.h"

#define CONN_TIMEOUT 30 /* seconds of silence before a connection is dropped */
#define API_PREFIX "/api/v1"
#define CLIENT_BUCKETS 256 /* the table of requests in flight per client (proxy mode) */

/* One open connection, as the deadline reaper sees it. Guarded by srv_http.socks_lock. */
struct sock {
	struct sock *prev, *next;
	int fd;
	int64_t armed_ms; /* when the request being received could first have started */
	bool receiving;   /* its head or body is still arriving */
	bool cut;         /* shutdown() already done */
};

/* Requests in flight from one client address (proxy mode). Guarded by clients_lock. */
struct client {
	struct client *next;
	char ip[INET6_ADDRSTRLEN];
	int n;
};

struct srv_http {
	struct MHD_Daemon *daemon;
	struct srv_ctx *ctx;
	atomic_int in_flight;
	struct srv_http_limits lim;
	/* The trusted proxy's address, when lim.trusted_proxy is set. */
	int proxy_family;
	unsigned char proxy_addr[16];

	pthread_mutex_t socks_lock;
	pthread_cond_t reaper_wake;
	struct sock *socks;
	bool stopping;
	bool reaper_running;
	pthread_t reaper;

	pthread_mutex_t clients_lock;
	struct client *clients[CLIENT_BUCKETS];

	/* The slow pool: jobs waiting in a FIFO, at most lim.slow_queue of them. */
	pthread_mutex_t slow_lock;
	pthread_cond_t slow_wake;
	struct slow_job *slow_head, **slow_tail;
	int slow_waiting;
	bool slow_stopping;
	int slow_started;
	pthread_t *slow_threads;
};

/* One slow request for the slow pool (see the top comment). */
struct slow_job {
	struct slow_job *next;
	struct MHD_Connection *conn; /* suspended from queueing until done */
	struct srv_call call;        /* borrows from the job and its struct conn */
	char *method;
	char *idempotency_key;
	cJSON *body;
	struct srv_resp resp;
	bool replayed;
	bool done; /* guarded by slow_lock; resp is the answer */
};

/* Per-request state, from the first callback to the completion notice. */
struct conn {
	char *uri; /* the raw request target, query included */
	bool started;
	int64_t start_ms;
	char request_id[130];
	char client_ip[INET6_ADDRSTRLEN]; /* for limits, logs and the login throttle */
	bool client_counted;              /* holds a slot in srv_http.clients */
	struct srv_user viewer;
	bool has_viewer;
	struct lc_buf body;
	bool too_large;
	bool counted;
	struct slow_job *job; /* handed to the slow pool */
	cJSON *auth; /* the pair a /sync refresh made (srv_sync_refresh()), for the answer */
};

static const char *
header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/*
 * The client's X-Request-Id when it is sane, else a new one: 16 characters of 96 random
 * bits (base64url), unique per request as API.md asks and 20 bytes shorter than a UUID on
 * every answer's head (issue 10: the campus delta at most 1.2x its floor).
 */
static void
request_id(struct MHD_Connection *c, char out[130])
{
	const char *given = header(c, "X-Request-Id");
	unsigned char raw[12];
	size_t n = given ? strlen(given) : 0;
	bool ok = n >= 1 && n <= 128;

	for (size_t i = 0; ok && i < n; i++)
		ok = given[i] > ' ' && given[i] < 0x7f;
	if (ok) {
		memcpy(out, given, n + 1);
		return;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, 130, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/*
 * Appends s (n bytes) to out with every byte that is not visible ASCII, and the backslash,
 * written as \xNN: the request target and method come from the client, and an operator
 * who runs `tail -f` on the log must not have escape sequences played on their terminal
 * (security review 2026-11-29, L9), nor a field split by a space.
 */
static void
log_escape(struct lc_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];

		if (b > ' ' && b < 0x7f && b != '\\') {
			lc_buf_putc(out, (char)b);
		} else {
			char esc[4] = {'\\', 'x', hex[b >> 4], hex[b & 15]};

			lc_buf_append(out, esc, sizeof(esc));
		}
	}
}

static void
access_log(const struct conn *st, const char *method, const char *url, int status, size_t bytes)
{
	char when[LC_RFC3339_LEN + 1];
	const char *q = strchr(url, '?');
	struct lc_buf line;

	lc_buf_init(&line);
	/* The query is left out: search terms are the user's business, not the log's. */
	log_escape(&line, method, strlen(method));
	lc_buf_putc(&line, ' ');
	log_escape(&line, url, q ? (size_t)(q - url) : strlen(url));
	lc_rfc3339(lc_now(), when);
	/* request_id is visible ASCII (request_id()) and client_ip came from inet_ntop(). */
	lc_log_line("%s %s %s %s %d %zu %lldms", when, st->request_id,
	            st->client_ip[0] ? st->client_ip : "-", lc_buf_str(&line), status, bytes,
	            (long long)(lc_monotonic_ms() - st->start_ms));
	lc_buf_finish(&line);
}

/* ---- the deadline reaper ---- */

static struct sock *
conn_sock(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* Marks c's connection as receiving a request (armed now) or not (answering one). */
static void
sock_receiving(struct srv_http *h, struct MHD_Connection *c, bool receiving)
{
	struct sock *s = conn_sock(c);

	if (s == NULL)
		return;
	pthread_mutex_lock(&h->socks_lock);
	s->receiving = receiving;
	if (receiving)
		s->armed_ms = lc_monotonic_ms();
	pthread_mutex_unlock(&h->socks_lock);
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
              enum MHD_ConnectionNotificationCode toe)
{
	struct srv_http *h = cls;
	struct sock *s;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

		if (ci == NULL)
			return;
		s = lc_calloc(1, sizeof(*s));
		s->fd = ci->connect_fd;
		s->armed_ms = lc_monotonic_ms();
		s->receiving = true;
		pthread_mutex_lock(&h->socks_lock);
		s->next = h->socks;
		if (h->socks)
			h->socks->prev = s;
		h->socks = s;
		pthread_mutex_unlock(&h->socks_lock);
		*socket_context = s;
		return;
	}
	/*
	 * MHD closes the descriptor only after this notice, and the reaper calls shutdown()
	 * only under socks_lock on a listed socket: it never touches a reused descriptor.
	 */
	s = *socket_context;
	if (s == NULL)
		return;
	pthread_mutex_lock(&h->socks_lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		h->socks = s->next;
	if (s->next)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&h->socks_lock);
	free(s);
	*socket_context = NULL;
}

static void *
reaper_main(void *arg)
{
	struct srv_http *h = arg;
	int64_t deadline_ms = (int64_t)h->lim.request_deadline_s * 1000;
	/* A quarter of the deadline, at most 250 ms: a cut comes at most that late. */
	int64_t tick_ms = deadline_ms / 4 < 250 ? deadline_ms / 4 : 250;

	pthread_mutex_lock(&h->socks_lock);
	while (!h->stopping) {
		struct timespec until;
		int64_t now = lc_monotonic_ms();
		int cut = 0;

		for (struct sock *s = h->socks; s; s = s->next) {
			if (!s->receiving || s->cut || now - s->armed_ms < deadline_ms)
				continue;
			s->cut = true;
			cut++;
			/* MHD reads end-of-file and closes the connection in its own thread. */
			if (shutdown(s->fd, SHUT_RDWR) != 0)
				lc_log(LC_LOG_WARN, "deadline: shutdown: %s", strerror(errno));
		}
		if (cut > 0)
			lc_log(LC_LOG_INFO,
			       "closed %d connection(s) whose request was not complete "
			       "within %d s",
			       cut, h->lim.request_deadline_s);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(tick_ms % 1000) * 1000000L;
		until.tv_sec += (time_t)(tick_ms / 1000) + until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&h->reaper_wake, &h->socks_lock, &until);
	}
	pthread_mutex_unlock(&h->socks_lock);
	return NULL;
}

/* ---- client addresses ---- */

/* addr as text, IPv4-mapped IPv6 addresses as IPv4; "" when unknown. */
static void
addr_text(const struct sockaddr *addr, char out[INET6_ADDRSTRLEN])
{
	out[0] = '\0';
	if (addr == NULL)
		return;
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;

		if (inet_ntop(AF_INET, &in->sin_addr, out, INET6_ADDRSTRLEN) == NULL)
			out[0] = '\0';
	} else if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)
		        ? inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], out, INET6_ADDRSTRLEN) ==
		              NULL
		        : inet_ntop(AF_INET6, &in6->sin6_addr, out, INET6_ADDRSTRLEN) == NULL)
			out[0] = '\0';
	}
}

/* Parses an IPv4 or IPv6 literal. Returns the family, or 0 when text is not one. */
static int
addr_parse(const char *text, unsigned char out[16])
{
	if (inet_pton(AF_INET, text, out) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, text, out) == 1)
		return AF_INET6;
	return 0;
}

bool
srv_http_addr_valid(const char *text)
{
	unsigned char bin[16];

	return text != NULL && addr_parse(text, bin) != 0;
}

/*
 * The client address of c's request: the peer's, or, when the peer is the trusted proxy,
 * the last entry of X-Forwarded-For (the one the proxy itself appended; earlier entries
 * are whatever the client claimed). A missing or malformed header leaves the proxy's.
 */
static void
client_address(struct srv_http *h, struct MHD_Connection *c, char out[INET6_ADDRSTRLEN])
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *xff, *last;
	unsigned char peer[16], fwd[16];
	char hop[INET6_ADDRSTRLEN];
	size_t n;
	int family;

	addr_text(ci ? ci->client_addr : NULL, out);
	if (h->proxy_family == 0 || out[0] == '\0')
		return;
	family = addr_parse(out, peer);
	if (family != h->proxy_family ||
	    memcmp(peer, h->proxy_addr, family == AF_INET ? 4 : 16) != 0)
		return;
	xff = header(c, "X-Forwarded-For");
	if (xff == NULL)
		return;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	last += strspn(last, " \t");
	n = strcspn(last, " \t");
	if (n == 0 || n >= sizeof(hop) || last[n + strspn(last + n, " \t")] != '\0')
		return;
	memcpy(hop, last, n);
	hop[n] = '\0';
	family = addr_parse(hop, fwd);
	/* Re-rendered, so the log and the throttle see one spelling per address. */
	if (family != 0 && inet_ntop(family, fwd, hop, sizeof(hop)) != NULL)
		memcpy(out, hop, sizeof(hop));
}

static unsigned
client_bucket(const char *ip)
{
	uint32_t hash = 2166136261u; /* FNV-1a */

	for (; *ip; ip++)
		hash = (hash ^ (unsigned char)*ip) * 16777619u;
	return hash % CLIENT_BUCKETS;
}

/* Takes one of ip's request slots (proxy mode). False when it holds them all. */
static bool
client_acquire(struct srv_http *h, const char *ip)
{
	struct client **head = &h->clients[client_bucket(ip)], *cl;
	bool ok = true;

	pthread_mutex_lock(&h->clients_lock);
	for (cl = *head; cl && strcmp(cl->ip, ip) != 0; cl = cl->next)
		;
	if (cl == NULL) {
		cl = lc_calloc(1, sizeof(*cl));
		snprintf(cl->ip, sizeof(cl->ip), "%s", ip);
		cl->next = *head;
		*head = cl;
	}
	if (cl->n >= h->lim.max_conns_per_ip)
		ok = false;
	else
		cl->n++;
	pthread_mutex_unlock(&h->clients_lock);
	return ok;
}

static void
client_release(struct srv_http *h, const char *ip)
{
	struct client **link = &h->clients[client_bucket(ip)], *cl;

	pthread_mutex_lock(&h->clients_lock);
	while ((cl = *link) != NULL && strcmp(cl->ip, ip) != 0)
		link = &cl->next;
	assert(cl != NULL && cl->n > 0);
	if (cl != NULL && --cl->n == 0) {
		*link = cl->next;
		free(cl);
	}
	pthread_mutex_unlock(&h->clients_lock);
}

static enum MHD_Result
send_resp(struct srv_http *h, struct MHD_Connection *c, struct conn *st, const char *method,
          const char *url, struct srv_resp *resp, bool replayed)
{
	struct MHD_Response *r;
	char *json;
	size_t len;
	const char *enc = NULL;
	enum MHD_Result ret;
	void *packed = NULL;
	size_t packed_len = 0;

	/*
	 * The session was rotated for this request: whatever the answer (a 400 for a bad body,
	 * a 5xx), it carries the new pair, since the presented refresh token no longer works.
	 */
	if (st->auth && resp->body == NULL)
		resp->body = cJSON_CreateObject();
	if (st->auth && cJSON_IsObject(resp->body)) {
		cJSON_AddItemToObject(resp->body, "auth", st->auth);
		st->auth = NULL;
	}
	json = resp->body ? cJSON_PrintUnformatted(resp->body) : NULL;
	len = json ? strlen(json) : 0;
	if (json && len > 256)
		enc = srv_codec_pick(header(c, "Accept-Encoding"));
	if (enc &&
	    (resp->dense ? srv_codec_compress_dense : srv_codec_compress)(enc, json, len, &packed,
	                                                                  &packed_len) == 0 &&
	    packed_len >= len) {
		/* Incompressible: the coding would only add its frame and a header line. */
		free(packed);
		packed = NULL;
	}
	if (packed != NULL) {
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
	/* Answering is not receiving: the deadline rests until the next request. */
	sock_receiving(h, c, false);
	ret = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	access_log(st, method, url, resp->status, len);
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

/*
 * "Bearer <token>" with the scheme in any case and any number of spaces after it (RFC 7235
 * section 2.1; security review 2026-11-29, I3), rewritten into the one spelling
 * srv_auth_bearer() reads. Anything else is passed on for it to refuse.
 */
static const char *
bearer_normalize(const char *auth, char *buf, size_t len)
{
	const char *token;

	if (strncasecmp(auth, "Bearer ", 7) != 0)
		return auth;
	token = auth + 7 + strspn(auth + 7, " ");
	if ((size_t)snprintf(buf, len, "Bearer %s", token) >= len)
		return ""; /* longer than any token we issue */
	return buf;
}

/* True for POST /api/v1/sync (any query), the one route SRV_REFRESH_HEADER counts on. */
static bool
is_sync_post(const char *method, const char *uri)
{
	static const char path[] = API_PREFIX "/sync";
	size_t n = strcspn(uri, "?");

	return strcmp(method, "POST") == 0 && n == sizeof(path) - 1 && strncmp(uri, path, n) == 0;
}

/*
 * The header phase: everything that can be decided before the body is read. A bad token
 * is a 401 on every route; no token on a route that needs one is a 401 too, before the
 * content type, size, encoding or JSON of the body is looked at (API.md), so a client
 * without credentials never gets to make the server read or decode a body. On POST
 * /api/v1/sync only, a bearer token that is absent or not valid is not the end when a
 * refresh token comes in SRV_REFRESH_HEADER: the session rotates here, still before the
 * body (srv_sync_refresh()), and the sync runs as its user (issue 10, cause 7).
 * Returns true and fills resp when the request is answered here.
 */
static bool
check_head(struct srv_http *h, struct MHD_Connection *c, struct conn *st, const char *method,
           struct srv_resp *resp)
{
	struct store_db *db = srv_ctx_db(h->ctx);
	const char *auth = header(c, "Authorization");
	const char *cl = header(c, "Content-Length");
	const char *refresh = header(c, SRV_REFRESH_HEADER);
	char norm[1024];

	/* SRV_REFRESH_HEADER counts on POST /api/v1/sync only; elsewhere it is ignored. */
	if (refresh && !is_sync_post(method, st->uri))
		refresh = NULL;

	if (db == NULL) {
		srv_error(resp, 500, "api_error", "Internal error");
		return true;
	}
	if (auth || refresh) {
		int rc =
		    auth ? srv_auth_bearer(h->ctx, db, bearer_normalize(auth, norm, sizeof(norm)),
		                           &st->viewer)
		         : -LC_EAUTH;

		srv_db_quiesce(db);
		/* The /sync refresh extension: a stale bearer with a refresh token beside it. */
		if (rc == -LC_EAUTH && refresh) {
			if (srv_sync_refresh(h->ctx, db, st->request_id, st->client_ip, refresh,
			                     &st->viewer, &st->auth, resp) != 0)
				return true;
			rc = 0;
		}
		if (rc == -LC_EDB) {
			/* The server could not read the session: not the client's fault, so no 401
			 * (which would sign them out); 503 when the database was only busy. */
			const struct store_error *e = store_db_error(db);

			if ((e->sqlite_code & 0xff) == SQLITE_BUSY ||
			    (e->sqlite_code & 0xff) == SQLITE_LOCKED) {
				srv_busy(resp);
			} else {
				lc_log(LC_LOG_ERROR, "bearer check: %s", e->message);
				srv_error(resp, 500, "api_error", "Internal error");
			}
			return true;
		}
		if (rc != 0) {
			srv_error(resp, 401, "authentication_error",
			          "Missing, invalid or expired token");
			return true;
		}
		st->has_viewer = true;
	} else if (strncmp(st->uri, API_PREFIX, strlen(API_PREFIX)) == 0) {
		struct srv_req req = {0};
		const char *q = strchr(st->uri, '?');
		char *path = q ? lc_strndup(st->uri, (size_t)(q - st->uri)) : lc_strdup(st->uri);
		const struct srv_route *route;
		bool known;

		/* Unknown paths and methods are left to srv_dispatch() for their 404 and 405. */
		route = srv_route_find(method, path + strlen(API_PREFIX), &req, &known);
		free(path);
		if (route && !(route->flags & SRV_ROUTE_PUBLIC)) {
			srv_error(resp, 401, "authentication_error", "Authentication required");
			return true;
		}
	}
	if (h->proxy_family != 0) {
		if (!client_acquire(h, st->client_ip)) {
			srv_error(resp, 429, "rate_limit_error",
			          "Too many requests in flight from this address");
			srv_resp_header(resp, "Retry-After", "1");
			return true;
		}
		st->client_counted = true;
	}
	/* Refuse an announced oversized body before reading a byte of it. */
	if (cl && strtoull(cl, NULL, 10) > SRV_BODY_MAX) {
		srv_error(resp, 413, "invalid_request_error", "The body is larger than 1 MiB");
		return true;
	}
	return false;
}

static void
handle(struct srv_http *h, struct MHD_Connection *c, struct conn *st, const char *method,
       const char *url, struct srv_resp *resp, bool *replayed)
{
	struct store_db *db = srv_ctx_db(h->ctx);
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
	} else {
		struct srv_call call = {
		    .method = method,
		    .path = url,
		    .body = body,
		    .viewer = st->has_viewer ? &st->viewer : NULL,
		    .idempotency_key = header(c, "Idempotency-Key"),
		    .if_match = if_match,
		    .request_id = st->request_id,
		    .client_ip = st->client_ip,
		};

		srv_dispatch(h->ctx, db, &call, resp, replayed);
	}
	srv_db_quiesce(db);
	cJSON_Delete(body);
}

/* ---- the slow pool ---- */

static void
slow_job_free(struct slow_job *job)
{
	cJSON_Delete(job->body);
	srv_resp_finish(&job->resp);
	free(job->method);
	free(job->idempotency_key);
	free(job);
}

/* True when uri (with its query) names an SRV_ROUTE_SLOW route. */
static bool
is_slow(const char *method, const char *uri)
{
	struct srv_req req = {0};
	size_t n = strcspn(uri, "?");
	char *path;
	const struct srv_route *route;
	bool known;

	if (strncmp(uri, API_PREFIX, strlen(API_PREFIX)) != 0)
		return false;
	path = lc_strndup(uri, n);
	route = srv_route_find(method, path + strlen(API_PREFIX), &req, &known);
	free(path);
	return route != NULL && (route->flags & SRV_ROUTE_SLOW);
}

static void *
slow_main(void *arg)
{
	struct srv_http *h = arg;

	pthread_mutex_lock(&h->slow_lock);
	for (;;) {
		struct slow_job *job;
		struct MHD_Connection *c;
		bool stopping;

		while (h->slow_head == NULL && !h->slow_stopping)
			pthread_cond_wait(&h->slow_wake, &h->slow_lock);
		job = h->slow_head;
		if (job == NULL)
			break;
		h->slow_head = job->next;
		if (h->slow_head == NULL)
			h->slow_tail = &h->slow_head;
		h->slow_waiting--;
		stopping = h->slow_stopping;
		pthread_mutex_unlock(&h->slow_lock);
		if (stopping) {
			srv_busy(&job->resp);
		} else {
			struct store_db *db = srv_ctx_db(h->ctx);

			if (db == NULL) {
				srv_error(&job->resp, 500, "api_error", "Internal error");
			} else {
				srv_dispatch(h->ctx, db, &job->call, &job->resp, &job->replayed);
				srv_db_quiesce(db);
			}
		}
		c = job->conn;
		pthread_mutex_lock(&h->slow_lock);
		job->done = true;
		pthread_mutex_unlock(&h->slow_lock);
		/* From here on the job and the connection are the worker's again. */
		MHD_resume_connection(c);
		pthread_mutex_lock(&h->slow_lock);
	}
	pthread_mutex_unlock(&h->slow_lock);
	return NULL;
}

/* Starts n slow threads. Returns 0, or -LC_EIO: slow_stop() joins those started. */
static int
slow_start(struct srv_http *h, int n)
{
	pthread_mutex_init(&h->slow_lock, NULL);
	pthread_cond_init(&h->slow_wake, NULL);
	h->slow_tail = &h->slow_head;
	h->slow_threads = lc_calloc((size_t)n, sizeof(*h->slow_threads));
	for (; h->slow_started < n; h->slow_started++)
		if (pthread_create(&h->slow_threads[h->slow_started], NULL, slow_main, h) != 0)
			return -LC_EIO;
	return 0;
}

/*
 * Answers what is still queued with 503, resumes its connections and joins the threads,
 * after which no connection is suspended and a new slow request gets 503 at once.
 */
static void
slow_stop(struct srv_http *h)
{
	pthread_mutex_lock(&h->slow_lock);
	h->slow_stopping = true;
	pthread_cond_broadcast(&h->slow_wake);
	pthread_mutex_unlock(&h->slow_lock);
	for (int i = 0; i < h->slow_started; i++)
		pthread_join(h->slow_threads[i], NULL);
	h->slow_started = 0;
	assert(h->slow_head == NULL);
}

/* Frees the stopped pool, once MHD (which locks slow_lock in on_completed) has stopped. */
static void
slow_free(struct srv_http *h)
{
	free(h->slow_threads);
	pthread_mutex_destroy(&h->slow_lock);
	pthread_cond_destroy(&h->slow_wake);
}

/*
 * The final call of a slow request: the cheap checks here, the dispatch on the slow pool.
 * Returns true when the request went to the pool (c is suspended); false with resp filled
 * when it is answered at once (a bad body, a full queue).
 */
static bool
slow_queue(struct srv_http *h, struct MHD_Connection *c, struct conn *st, const char *method,
           struct srv_resp *resp)
{
	int64_t if_match = parse_if_match(header(c, "If-Match"));
	const char *key = header(c, "Idempotency-Key");
	struct slow_job *job;
	cJSON *body = NULL;
	bool queued = false;

	if (!read_request(c, st, method, &body, resp))
		return false;
	if (if_match == -2) {
		srv_bad_params(resp, "If-Match");
		cJSON_Delete(body);
		return false;
	}
	job = lc_calloc(1, sizeof(*job));
	job->conn = c;
	job->body = body;
	job->method = lc_strdup(method);
	job->idempotency_key = key ? lc_strdup(key) : NULL;
	job->call = (struct srv_call){
	    .method = job->method,
	    .path = st->uri,
	    .body = body,
	    .viewer = st->has_viewer ? &st->viewer : NULL,
	    .idempotency_key = job->idempotency_key,
	    .if_match = if_match,
	    .request_id = st->request_id,
	    .client_ip = st->client_ip,
	};
	pthread_mutex_lock(&h->slow_lock);
	if (!h->slow_stopping && h->slow_waiting < h->lim.slow_queue) {
		/* Suspended before any pool thread can see the job, so resumed after. */
		MHD_suspend_connection(c);
		st->job = job;
		*h->slow_tail = job;
		h->slow_tail = &job->next;
		h->slow_waiting++;
		pthread_cond_signal(&h->slow_wake);
		queued = true;
	}
	pthread_mutex_unlock(&h->slow_lock);
	if (!queued) {
		lc_log(LC_LOG_WARN, "request %s: slow queue full, answered 503", st->request_id);
		slow_job_free(job);
		srv_busy(resp);
	}
	return queued;
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
		st->started = true;
		request_id(c, st->request_id);
		client_address(h, c, st->client_ip);
		st->counted = true;
		atomic_fetch_add(&h->in_flight, 1);
		if (check_head(h, c, st, method, &resp)) {
			ret = send_resp(h, c, st, method, st->uri, &resp, false);
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
	if (st->job) {
		bool done;

		/* Called again after the slow pool resumed the connection: its answer is ready. */
		pthread_mutex_lock(&h->slow_lock);
		done = st->job->done;
		pthread_mutex_unlock(&h->slow_lock);
		assert(done);
		if (!done)
			return MHD_YES;
		ret = send_resp(h, c, st, method, st->uri, &st->job->resp, st->job->replayed);
		slow_job_free(st->job);
		st->job = NULL;
		return ret;
	}
	/* MHD hands the path without the query; the dispatcher wants both (raw, from on_uri). */
	sock_receiving(h, c, false);
	if (is_slow(method, st->uri)) {
		if (slow_queue(h, c, st, method, &resp))
			return MHD_YES;
		ret = send_resp(h, c, st, method, st->uri, &resp, false);
		srv_resp_finish(&resp);
		return ret;
	}
	handle(h, c, st, method, st->uri, &resp, &replayed);
	ret = send_resp(h, c, st, method, st->uri, &resp, replayed);
	srv_resp_finish(&resp);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct srv_http *h = cls;
	struct conn *st = *con_cls;

	(void)toe;
	/* A kept-alive connection now waits for its next request: the deadline starts again. */
	sock_receiving(h, c, true);
	if (st == NULL)
		return;
	if (st->client_counted)
		client_release(h, st->client_ip);
	if (st->counted)
		atomic_fetch_sub(&h->in_flight, 1);
	if (st->job) {
		/* MHD never closes a suspended connection: the pool is done with the job. */
		pthread_mutex_lock(&h->slow_lock);
		assert(st->job->done);
		pthread_mutex_unlock(&h->slow_lock);
		slow_job_free(st->job);
	}
	lc_buf_finish(&st->body);
	cJSON_Delete(st->auth);
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

/*
 * Every connection costs a descriptor; so do the database and the listening socket. Raises
 * the soft descriptor limit when the connection limit needs it, or lowers the connection
 * limit to what the hard limit allows, so that accept() never fails for want of one.
 */
static unsigned
fit_fd_limit(unsigned want)
{
	const rlim_t spare = 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= want + spare)
		return want;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want + spare)
		rl.rlim_cur = want + spare;
	else
		rl.rlim_cur = rl.rlim_max;
	/* When raising fails, read back what is in force: that is what must do. */
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 && getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want;
	if (rl.rlim_cur >= want + spare)
		return want;
	want = rl.rlim_cur > 2 * spare ? (unsigned)(rl.rlim_cur - spare) : (unsigned)spare;
	lc_log(LC_LOG_WARN, "descriptor limit %llu: serving at most %u connections",
	       (unsigned long long)rl.rlim_cur, want);
	return want;
}

/* The defaults of struct srv_http_limits, overridden by what limits sets (NULL: none). */
static void
limits_apply(struct srv_http *h, const struct srv_http_limits *limits)
{
	h->lim = (struct srv_http_limits){
	    .max_conns = SRV_HTTP_MAX_CONNS,
	    .max_conns_per_ip = SRV_HTTP_MAX_CONNS_PER_IP,
	    .request_deadline_s = SRV_HTTP_REQUEST_DEADLINE,
	    .slow_threads = SRV_HTTP_SLOW_THREADS,
	    .slow_queue = SRV_HTTP_SLOW_QUEUE,
	};
	if (limits == NULL)
		return;
	if (limits->max_conns > 0)
		h->lim.max_conns = limits->max_conns;
	if (limits->max_conns_per_ip > 0)
		h->lim.max_conns_per_ip = limits->max_conns_per_ip;
	if (limits->request_deadline_s > 0)
		h->lim.request_deadline_s = limits->request_deadline_s;
	h->lim.trusted_proxy = limits->trusted_proxy;
	if (limits->slow_threads > 0)
		h->lim.slow_threads = limits->slow_threads;
	if (limits->slow_queue > 0)
		h->lim.slow_queue = limits->slow_queue;
}

int
srv_http_start(struct srv_ctx *ctx, const char *host, int port, int threads,
               const struct srv_http_limits *limits, struct srv_http **out, int *bound_port,
               char **cause)
{
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct srv_http *h;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                 MHD_ALLOW_SUSPEND_RESUME;
	unsigned conn_limit;
	struct MHD_OptionItem per_ip[] = {
	    {MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0, NULL},
	    {MHD_OPTION_END, 0, NULL},
	};
	int rc = resolve(host, port, &addr, &addr_len, cause);

	if (rc != 0)
		return rc;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = lc_calloc(1, sizeof(*h));
	h->ctx = ctx;
	limits_apply(h, limits);
	if (h->lim.trusted_proxy) {
		h->proxy_family = addr_parse(h->lim.trusted_proxy, h->proxy_addr);
		if (h->proxy_family == 0) {
			free(h);
			return lc_cause_set(cause, -LC_EINVAL,
			                    "--trusted-proxy: not an address: %s",
			                    limits->trusted_proxy);
		}
	}
	/* Behind a proxy every socket is the proxy's: the per-address limit counts requests. */
	if (h->proxy_family == 0)
		per_ip[0].value = (intptr_t)h->lim.max_conns_per_ip;
	else
		per_ip[0].option = MHD_OPTION_END;
	conn_limit = fit_fd_limit((unsigned)h->lim.max_conns);
	pthread_mutex_init(&h->socks_lock, NULL);
	pthread_mutex_init(&h->clients_lock, NULL);
	pthread_cond_init(&h->reaper_wake, NULL);
	/* Before the daemon, which may hand it a job at once; stopped after it. */
	if (slow_start(h, h->lim.slow_threads) != 0) {
		rc = lc_cause_set(cause, -LC_EIO, "cannot start the slow-request threads");
		goto fail_slow;
	}
	h->daemon = MHD_start_daemon(
	    flags | MHD_USE_AUTO, (uint16_t)port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)(threads > 0 ? threads : 4), MHD_OPTION_CONNECTION_LIMIT, conn_limit,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, h, MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)(64 * 1024), MHD_OPTION_ARRAY, per_ip, MHD_OPTION_END);
	if (h->daemon == NULL) {
		rc = lc_cause_set(cause, -LC_EIO, "cannot listen on %s:%d", host, port);
		goto fail_slow;
	}
	if (pthread_create(&h->reaper, NULL, reaper_main, h) != 0) {
		rc = lc_cause_set(cause, -LC_EIO, "cannot start the deadline thread");
		goto fail_daemon;
	}
	h->reaper_running = true;
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	*bound_port = info ? info->port : port;
	*out = h;
	return 0;
	/* Unwound in reverse; the pool stops before the daemon, as in srv_http_stop(). */
fail_daemon:
	slow_stop(h);
	MHD_stop_daemon(h->daemon);
	goto fail_free;
fail_slow:
	slow_stop(h);
fail_free:
	slow_free(h);
	pthread_mutex_destroy(&h->socks_lock);
	pthread_mutex_destroy(&h->clients_lock);
	pthread_cond_destroy(&h->reaper_wake);
	free(h);
	return rc;
}

void
srv_http_stop(struct srv_http *h)
{
	MHD_socket listen_fd;
	int64_t deadline;

	if (h == NULL)
		return;
	/*
	 * Quiescing hands the listening socket back to us (MHD no longer closes it): close it
	 * so new connections are refused at once instead of queueing until exit (code review
	 * F12).
	 */
	listen_fd = MHD_quiesce_daemon(h->daemon);
	if (listen_fd != MHD_INVALID_SOCKET)
		close(listen_fd);
	/* Requests already being answered get up to 10 s to finish. */
	deadline = lc_monotonic_ms() + 10000;
	while (atomic_load(&h->in_flight) > 0 && lc_monotonic_ms() < deadline) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	/* No connection may be suspended when MHD stops: the pool resumes them all. */
	slow_stop(h);
	MHD_stop_daemon(h->daemon);
	pthread_mutex_lock(&h->socks_lock);
	h->stopping = true;
	pthread_cond_signal(&h->reaper_wake);
	pthread_mutex_unlock(&h->socks_lock);
	if (h->reaper_running)
		pthread_join(h->reaper, NULL);
	assert(h->socks == NULL);
	slow_free(h);
	pthread_mutex_destroy(&h->socks_lock);
	pthread_mutex_destroy(&h->clients_lock);
	pthread_cond_destroy(&h->reaper_wake);
	free(h);
}
