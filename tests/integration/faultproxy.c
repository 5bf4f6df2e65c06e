/* SPDX-License-Identifier: MIT */
/*
 * Fault-injecting reverse proxy; see faultproxy.h.
 *
 * The one idea: every exchange is handled whole and in order (read the whole request, open
 * a fresh upstream connection, send it, read the whole response, relay it), so a fault can
 * be placed exactly before or after the point where the server has acted. Messages are
 * framed by Content-Length or chunked encoding (or the close of the connection for a
 * response without either); client connections are kept alive like the client asks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "faultproxy.h"

#define HEAD_MAX (256 * 1024)
#define IO_TIMEOUT_S 30

struct conn {
	struct fp_proxy *proxy;
	pthread_t thread;
	int fd;    /* client socket, -1 once closed */
	int up_fd; /* upstream socket in use, -1 when none */
	bool done;
	struct conn *next;
};

struct fp_proxy {
	int listen_fd;
	int port;
	pthread_t accept_thread;
	pthread_mutex_t lock; /* guards everything below */
	bool stopping;
	int upstream_port;
	char *fault_path;
	enum fp_fault fault;
	int fault_count;
	int delay_ms;
	struct fp_stats stats;
	bool capture;
	struct fp_response *captured;
	size_t n_captured;
	size_t cap_captured;
	struct conn *conns;
};

enum framing { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };

/* One HTTP message as read: the raw bytes (head + framed body) and the body unframed. */
struct message {
	struct lc_buf raw;
	size_t head_len;
	struct lc_buf body;
	bool close_after; /* the peer asked to close, or the body ran to the close */
};

const char *
fp_fault_name(enum fp_fault fault)
{
	static const char *const names[FP_FAULT_COUNT] = {
	    "pass", "drop-response", "cut-response", "cut-request", "delay", "repeat", "refuse",
	};

	if ((int)fault < 0 || fault >= FP_FAULT_COUNT)
		return "?";
	return names[fault];
}

/* Reads more bytes into in. Returns the count, 0 at end of stream, -1 on error/timeout. */
static ssize_t
fill(int fd, struct lc_buf *in)
{
	char chunk[16384];
	ssize_t n;

	do
		n = recv(fd, chunk, sizeof(chunk), 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		lc_buf_append(in, chunk, (size_t)n);
	return n;
}

static int
send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Finds header `name` in the head and copies its value (trimmed) into out. Returns false
 * when absent.
 */
static bool
header_value(const char *head, size_t head_len, const char *name, char *out, size_t out_len)
{
	size_t name_len = strlen(name);
	const char *p = memchr(head, '\n', head_len);
	const char *end = head + head_len;

	while (p != NULL && p + 1 < end) {
		const char *line = p + 1;
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *v;
		size_t n;

		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - line) > name_len && line[name_len] == ':' &&
		    strncasecmp(line, name, name_len) == 0) {
			v = line + name_len + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			n = (size_t)(eol - v);
			while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == ' '))
				n--;
			if (n >= out_len)
				n = out_len - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		p = eol < end ? eol : NULL;
	}
	return false;
}

/* Makes sure in holds at least `need` bytes. Returns 0, or -1 when the stream ends first. */
static int
want(int fd, struct lc_buf *in, size_t need)
{
	while (in->len < need)
		if (fill(fd, in) <= 0)
			return -1;
	return 0;
}

/* Reads a chunked body starting at in[*pos]; appends the data to body. */
static int
read_chunked(int fd, struct lc_buf *in, size_t *pos, struct lc_buf *body)
{
	for (;;) {
		char *eol;
		unsigned long size;
		char *endp;

		while ((eol = memmem(in->data + *pos, in->len - *pos, "\r\n", 2)) == NULL)
			if (in->len - *pos > 4096 || fill(fd, in) <= 0)
				return -1;
		errno = 0;
		size = strtoul(in->data + *pos, &endp, 16);
		if (errno != 0 || endp == in->data + *pos || size > (1UL << 30))
			return -1;
		*pos = (size_t)(eol - in->data) + 2;
		if (size == 0)
			break;
		if (want(fd, in, *pos + size + 2) < 0)
			return -1;
		lc_buf_append(body, in->data + *pos, size);
		*pos += size + 2;
	}
	/* Trailers end with an empty line. */
	for (;;) {
		char *eol;

		while ((eol = memmem(in->data + *pos, in->len - *pos, "\r\n", 2)) == NULL)
			if (in->len - *pos > 4096 || fill(fd, in) <= 0)
				return -1;
		if (eol == in->data + *pos) {
			*pos += 2;
			return 0;
		}
		*pos = (size_t)(eol - in->data) + 2;
	}
}

/*
 * Reads the head of the next message from fd (in keeps unread bytes between messages).
 * Returns 0, 1 when the stream ended cleanly before any byte, -1 on error.
 */
static int
read_head(int fd, struct lc_buf *in, struct message *msg)
{
	char *end;

	while (in->len == 0 || (end = memmem(in->data, in->len, "\r\n\r\n", 4)) == NULL) {
		ssize_t n;

		if (in->len > HEAD_MAX)
			return -1;
		n = fill(fd, in);
		if (n == 0 && in->len == 0)
			return 1;
		if (n <= 0)
			return -1;
	}
	msg->head_len = (size_t)(end - in->data) + 4;
	return 0;
}

static enum framing
framing_of(const char *head, size_t head_len, bool is_response, int status, bool head_request,
           size_t *length)
{
	char value[64];

	if (is_response && (head_request || status == 204 || status == 304 || status / 100 == 1))
		return BODY_NONE;
	if (header_value(head, head_len, "Transfer-Encoding", value, sizeof(value)) &&
	    strcasestr(value, "chunked") != NULL)
		return BODY_CHUNKED;
	if (header_value(head, head_len, "Content-Length", value, sizeof(value))) {
		char *endp;
		unsigned long long n;

		errno = 0;
		n = strtoull(value, &endp, 10);
		if (errno != 0 || endp == value)
			return BODY_CLOSE;
		*length = (size_t)n;
		return BODY_LENGTH;
	}
	return is_response ? BODY_CLOSE : BODY_NONE;
}

/*
 * Completes a message whose head is in `in`: reads its body per framing, moves the raw
 * bytes into msg->raw and leaves any following bytes in `in`. Returns 0 or -1.
 */
static int
read_body(int fd, struct lc_buf *in, struct message *msg, enum framing framing, size_t length)
{
	size_t pos = msg->head_len;
	size_t rest;

	switch (framing) {
	case BODY_NONE:
		break;
	case BODY_LENGTH:
		if (want(fd, in, pos + length) < 0)
			return -1;
		lc_buf_append(&msg->body, in->data + pos, length);
		pos += length;
		break;
	case BODY_CHUNKED:
		if (read_chunked(fd, in, &pos, &msg->body) < 0)
			return -1;
		break;
	case BODY_CLOSE:
		while (fill(fd, in) > 0)
			;
		lc_buf_append(&msg->body, in->data + pos, in->len - pos);
		pos = in->len;
		msg->close_after = true;
		break;
	}
	lc_buf_append(&msg->raw, in->data, pos);
	rest = in->len - pos;
	memmove(in->data, in->data + pos, rest);
	in->len = rest;
	in->data[rest] = '\0';
	return 0;
}

static void
message_finish(struct message *msg)
{
	lc_buf_finish(&msg->raw);
	lc_buf_finish(&msg->body);
	memset(msg, 0, sizeof(*msg));
}

static bool
wants_close(const char *head, size_t head_len)
{
	char value[64];

	if (strncmp(head, "HTTP/1.0", 8) == 0 || memmem(head, head_len, " HTTP/1.0\r", 10) != NULL)
		return true;
	return header_value(head, head_len, "Connection", value, sizeof(value)) &&
	       strcasecmp(value, "close") == 0;
}

static void
set_timeouts(int fd)
{
	struct timeval tv = {.tv_sec = IO_TIMEOUT_S, .tv_usec = 0};
	int one = 1;

	/* Failures only cost the timeout or Nagle's delay, never correctness. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Opens a connection to the upstream and records it in c so fp_stop() can interrupt it. */
static int
upstream_connect(struct conn *c)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	pthread_mutex_lock(&c->proxy->lock);
	addr.sin_port = htons((uint16_t)c->proxy->upstream_port);
	pthread_mutex_unlock(&c->proxy->lock);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	set_timeouts(fd);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		return -1;
	}
	pthread_mutex_lock(&c->proxy->lock);
	c->up_fd = fd;
	pthread_mutex_unlock(&c->proxy->lock);
	return fd;
}

static void
upstream_close(struct conn *c)
{
	int fd;

	pthread_mutex_lock(&c->proxy->lock);
	fd = c->up_fd;
	c->up_fd = -1;
	pthread_mutex_unlock(&c->proxy->lock);
	if (fd >= 0)
		close(fd);
}

/* Sends the request to a fresh upstream connection and reads the final response. */
static int
exchange(struct conn *c, const struct message *req, bool head_request, struct message *resp)
{
	struct lc_buf in = {0};
	int fd = upstream_connect(c);
	int rc = -1;

	if (fd < 0)
		return -1;
	pthread_mutex_lock(&c->proxy->lock);
	c->proxy->stats.upstream_sends++;
	pthread_mutex_unlock(&c->proxy->lock);
	if (send_all(fd, req->raw.data, req->raw.len) < 0)
		goto out;
	for (;;) {
		int status = 0;
		size_t length = 0;
		enum framing framing;

		message_finish(resp);
		if (read_head(fd, &in, resp) != 0)
			goto out;
		if (sscanf(in.data, "HTTP/1.%*d %d", &status) != 1)
			goto out;
		framing = framing_of(in.data, resp->head_len, true, status, head_request, &length);
		if (read_body(fd, &in, resp, framing, length) < 0)
			goto out;
		/* Interim answers (100 Continue) are not relayed: the whole body was sent. */
		if (status / 100 != 1)
			break;
	}
	rc = 0;
out:
	lc_buf_finish(&in);
	upstream_close(c);
	return rc;
}

/* Takes the fault for a request to path, counting it down. */
static enum fp_fault
take_fault(struct fp_proxy *p, const char *path, int *delay_ms)
{
	enum fp_fault fault = FP_PASS;

	pthread_mutex_lock(&p->lock);
	if ((p->fault_path == NULL || strcmp(p->fault_path, path) == 0) && p->fault != FP_PASS &&
	    p->fault_count != 0) {
		fault = p->fault;
		*delay_ms = p->delay_ms;
		if (p->fault_count > 0 && --p->fault_count == 0)
			p->fault = FP_PASS;
		p->stats.faults_applied++;
	}
	pthread_mutex_unlock(&p->lock);
	return fault;
}

static void
capture(struct fp_proxy *p, const char *path, const struct message *req, const struct message *resp)
{
	struct fp_response *r;

	pthread_mutex_lock(&p->lock);
	if (p->capture && (p->fault_path == NULL || strcmp(p->fault_path, path) == 0)) {
		if (p->n_captured == p->cap_captured) {
			p->cap_captured = p->cap_captured ? 2 * p->cap_captured : 8;
			p->captured =
			    lc_realloc(p->captured, p->cap_captured * sizeof(*p->captured));
		}
		r = &p->captured[p->n_captured++];
		r->head = lc_strndup(resp->raw.data, resp->head_len);
		r->body_len = resp->body.len;
		r->body = lc_malloc(resp->body.len + 1);
		if (resp->body.len > 0)
			memcpy(r->body, resp->body.data, resp->body.len);
		r->body[resp->body.len] = '\0';
		r->request_len = req->raw.len;
		r->request = lc_malloc(req->raw.len + 1);
		memcpy(r->request, req->raw.data, req->raw.len);
		r->request[req->raw.len] = '\0';
	}
	pthread_mutex_unlock(&p->lock);
}

static void
count_down(struct fp_proxy *p, size_t n)
{
	pthread_mutex_lock(&p->lock);
	p->stats.bytes_down += (int64_t)n;
	pthread_mutex_unlock(&p->lock);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Relays the response to the client as the fault says. Returns 0 when the connection may
 * carry another request, -1 when it must close.
 */
static int
deliver(struct conn *c, enum fp_fault fault, int delay_ms, const struct message *resp)
{
	const char *data = resp->raw.data;
	size_t len = resp->raw.len;
	size_t half = resp->body.len > 0 ? resp->head_len + (len - resp->head_len) / 2 : len / 2;

	/* Counted before sending: a client may read the stats as soon as it has the answer. */
	switch (fault) {
	case FP_DROP_RESPONSE:
		return -1;
	case FP_CUT_RESPONSE:
		count_down(c->proxy, half);
		(void)send_all(c->fd, data, half);
		return -1;
	case FP_DELAY:
		count_down(c->proxy, len);
		if (send_all(c->fd, data, half) < 0)
			return -1;
		sleep_ms(delay_ms);
		if (send_all(c->fd, data + half, len - half) < 0)
			return -1;
		break;
	default:
		count_down(c->proxy, len);
		if (send_all(c->fd, data, len) < 0)
			return -1;
		break;
	}
	return resp->close_after || wants_close(data, resp->head_len) ? -1 : 0;
}

/*
 * A client that sent "Expect: 100-continue" waits (libcurl: one second) before sending the
 * body; the proxy reads whole requests, so it answers the interim itself at once. The
 * upstream's own 100 is then skipped in exchange().
 */
static void
expect_continue(struct conn *c, const char *head, size_t head_len)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	char value[32];

	if (!header_value(head, head_len, "Expect", value, sizeof(value)) ||
	    strcasecmp(value, "100-continue") != 0)
		return;
	count_down(c->proxy, sizeof(cont) - 1);
	(void)send_all(c->fd, cont, sizeof(cont) - 1);
}

/* Sends only part of the request upstream, then hangs up on both sides. */
static void
cut_request(struct conn *c, const struct message *req)
{
	size_t body = req->raw.len - req->head_len;
	size_t part = body > 0 ? req->head_len + body / 2 : req->head_len / 2;
	int fd = upstream_connect(c);

	if (fd < 0)
		return;
	pthread_mutex_lock(&c->proxy->lock);
	c->proxy->stats.upstream_sends++;
	pthread_mutex_unlock(&c->proxy->lock);
	(void)send_all(fd, req->raw.data, part);
	upstream_close(c);
}

/*
 * Handles one request on the client connection. Returns 0 to keep the connection, 1 when it
 * ended cleanly, -1 to close it.
 */
static int
handle_one(struct conn *c, struct lc_buf *in)
{
	struct message req = {0}, resp = {0};
	char method[16] = "", target[2048] = "";
	size_t length = 0;
	enum framing framing;
	enum fp_fault fault;
	int delay_ms = 0, rc = -1;
	char *q;

	rc = read_head(c->fd, in, &req);
	if (rc != 0)
		goto out;
	rc = -1;
	if (sscanf(in->data, "%15s %2047s", method, target) != 2)
		goto out;
	if ((q = strchr(target, '?')) != NULL)
		*q = '\0';
	framing = framing_of(in->data, req.head_len, false, 0, false, &length);
	expect_continue(c, in->data, req.head_len);
	if (read_body(c->fd, in, &req, framing, length) < 0)
		goto out;
	pthread_mutex_lock(&c->proxy->lock);
	c->proxy->stats.requests++;
	c->proxy->stats.bytes_up += (int64_t)req.raw.len;
	pthread_mutex_unlock(&c->proxy->lock);

	fault = take_fault(c->proxy, target, &delay_ms);
	if (fault == FP_REFUSE)
		goto out;
	if (fault == FP_CUT_REQUEST) {
		cut_request(c, &req);
		goto out;
	}
	if (exchange(c, &req, strcmp(method, "HEAD") == 0, &resp) < 0)
		goto out;
	if (fault == FP_REPEAT && exchange(c, &req, strcmp(method, "HEAD") == 0, &resp) < 0)
		goto out;
	capture(c->proxy, target, &req, &resp);
	rc = deliver(c, fault, delay_ms, &resp);
	if (rc == 0 && wants_close(req.raw.data, req.head_len))
		rc = -1;
out:
	message_finish(&req);
	message_finish(&resp);
	return rc;
}

static void *
conn_main(void *arg)
{
	struct conn *c = arg;
	struct lc_buf in = {0};
	int fd;

	while (handle_one(c, &in) == 0)
		;
	lc_buf_finish(&in);
	pthread_mutex_lock(&c->proxy->lock);
	fd = c->fd;
	c->fd = -1;
	c->done = true;
	pthread_mutex_unlock(&c->proxy->lock);
	close(fd);
	return NULL;
}

/* Joins and frees finished connections (all of them when `all`). */
static void
reap(struct fp_proxy *p, bool all)
{
	struct conn **link = &p->conns;

	pthread_mutex_lock(&p->lock);
	while (*link != NULL) {
		struct conn *c = *link;

		if (!c->done && !all) {
			link = &c->next;
			continue;
		}
		*link = c->next;
		pthread_mutex_unlock(&p->lock);
		pthread_join(c->thread, NULL);
		free(c);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
}

static void *
accept_main(void *arg)
{
	struct fp_proxy *p = arg;

	for (;;) {
		int fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		struct conn *c;
		bool stopping;

		pthread_mutex_lock(&p->lock);
		stopping = p->stopping;
		pthread_mutex_unlock(&p->lock);
		if (stopping) {
			if (fd >= 0)
				close(fd);
			break;
		}
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
				continue;
			break;
		}
		reap(p, false);
		set_timeouts(fd);
		c = lc_calloc(1, sizeof(*c));
		c->proxy = p;
		c->fd = fd;
		c->up_fd = -1;
		pthread_mutex_lock(&p->lock);
		p->stats.connections++;
		c->next = p->conns;
		p->conns = c;
		if (pthread_create(&c->thread, NULL, conn_main, c) != 0) {
			p->conns = c->next;
			pthread_mutex_unlock(&p->lock);
			close(fd);
			free(c);
			continue;
		}
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

static int
listen_loopback(int *fd_out, int *port_out, char **cause)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return lc_cause_set(cause, -LC_EIO, "socket: %s", strerror(errno));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&addr, &len) < 0) {
		int err = errno;

		close(fd);
		return lc_cause_set(cause, -LC_EIO, "listen: %s", strerror(err));
	}
	*fd_out = fd;
	*port_out = ntohs(addr.sin_port);
	return 0;
}

int
fp_start(int upstream_port, struct fp_proxy **out, char **cause)
{
	struct fp_proxy *p = lc_calloc(1, sizeof(*p));
	int rc;

	p->upstream_port = upstream_port;
	p->fault = FP_PASS;
	rc = listen_loopback(&p->listen_fd, &p->port, cause);
	if (rc < 0) {
		free(p);
		return rc;
	}
	pthread_mutex_init(&p->lock, NULL);
	if (pthread_create(&p->accept_thread, NULL, accept_main, p) != 0) {
		close(p->listen_fd);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return lc_cause_set(cause, -LC_EIO, "cannot start the proxy thread");
	}
	*out = p;
	return 0;
}

void
fp_stop(struct fp_proxy *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	/* Wakes accept() and every blocked recv(); the threads then close their own sockets. */
	shutdown(p->listen_fd, SHUT_RDWR);
	for (struct conn *c = p->conns; c != NULL; c = c->next) {
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR);
		if (c->up_fd >= 0)
			shutdown(c->up_fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->accept_thread, NULL);
	reap(p, true);
	close(p->listen_fd);
	fp_responses_free(p->captured, p->n_captured);
	free(p->fault_path);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int
fp_port(const struct fp_proxy *p)
{
	return p->port;
}

void
fp_set_upstream(struct fp_proxy *p, int upstream_port)
{
	pthread_mutex_lock(&p->lock);
	p->upstream_port = upstream_port;
	pthread_mutex_unlock(&p->lock);
}

void
fp_set_fault_path(struct fp_proxy *p, const char *path)
{
	pthread_mutex_lock(&p->lock);
	free(p->fault_path);
	p->fault_path = lc_strdup(path);
	pthread_mutex_unlock(&p->lock);
}

void
fp_set_fault(struct fp_proxy *p, enum fp_fault fault, int count, int delay_ms)
{
	pthread_mutex_lock(&p->lock);
	p->fault = count == 0 ? FP_PASS : fault;
	p->fault_count = count;
	p->delay_ms = delay_ms;
	pthread_mutex_unlock(&p->lock);
}

void
fp_stats(struct fp_proxy *p, struct fp_stats *out)
{
	pthread_mutex_lock(&p->lock);
	*out = p->stats;
	pthread_mutex_unlock(&p->lock);
}

void
fp_reset_stats(struct fp_proxy *p)
{
	pthread_mutex_lock(&p->lock);
	memset(&p->stats, 0, sizeof(p->stats));
	pthread_mutex_unlock(&p->lock);
}

void
fp_capture(struct fp_proxy *p, bool on)
{
	pthread_mutex_lock(&p->lock);
	p->capture = on;
	pthread_mutex_unlock(&p->lock);
}

void
fp_take_responses(struct fp_proxy *p, struct fp_response **out, size_t *n)
{
	pthread_mutex_lock(&p->lock);
	*out = p->captured;
	*n = p->n_captured;
	p->captured = NULL;
	p->n_captured = 0;
	p->cap_captured = 0;
	pthread_mutex_unlock(&p->lock);
}

void
fp_responses_free(struct fp_response *responses, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(responses[i].head);
		free(responses[i].body);
		free(responses[i].request);
	}
	free(responses);
}
