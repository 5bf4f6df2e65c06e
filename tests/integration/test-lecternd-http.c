/* SPDX-License-Identifier: MIT */
/*
 * lecternd's HTTP door against the clients the security review of 2026-11-29 sent at it:
 *   - H1 (slowloris): connections from one address beyond --max-conns-per-ip are refused
 *     while another address is served; a request whose head or body dribbles in past
 *     --request-deadline is closed although it is never idle; behind --trusted-proxy the
 *     X-Forwarded-For client is the one limited and logged.
 *   - issue 9 section 5 (order of checks): no or a bad token on a route that needs one gets
 *     401 before the 415, 413 and 400 checks of the body, without the body being read.
 *   - L9: control bytes in the request path are escaped in the access log.
 *   - I3: the Bearer scheme is case-insensitive.
 * Runs the real lecternd ($LECTERND) on loopback; slow clients are raw sockets bound to
 * 127.0.0.2, the others come from 127.0.0.1. No timing is asserted beyond "answered or
 * closed within a generous bound".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "harness.h"

#define GENEROUS_MS 15000 /* an answer or a close, even under ASan on a loaded machine */

/*
 * Servers started here and not yet stopped: a failed assertion leaves its test at once,
 * and the harness does not know these, so they are killed at exit.
 */
static pid_t started[8];

static void
kill_started(void)
{
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i] > 0) {
			kill(started[i], SIGKILL);
			waitpid(started[i], NULL, 0);
		}
}

static void
track(pid_t old, pid_t pid)
{
	for (size_t i = 0; i < sizeof(started) / sizeof(started[0]); i++)
		if (started[i] == old) {
			started[i] = pid;
			return;
		}
}

/* Starts lecternd on srv (after h_server_init) with extra arguments (NULL-terminated). */
static void
start_with(struct h_server *srv, const char *const *extra)
{
	const char *argv[24] = {getenv("LECTERND"), "--listen", "127.0.0.1:0", "--db", srv->db};
	int n = 5, out[2];
	char line[256] = "";
	size_t got = 0;
	pid_t pid;

	for (int i = 0; extra && extra[i] && n < 22; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	assert_non_null(argv[0]);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(srv->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(out[1], 1);
		if (fd >= 0)
			dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	track(0, pid);
	while (got < sizeof(line) - 1 && !strchr(line, '\n')) {
		struct pollfd p = {.fd = out[0], .events = POLLIN};
		ssize_t r;

		assert_int_equal(poll(&p, 1, 30000), 1);
		r = read(out[0], line + got, sizeof(line) - 1 - got);
		assert_true(r > 0);
		got += (size_t)r;
		line[got] = '\0';
	}
	close(out[0]);
	assert_non_null(strstr(line, "http://127.0.0.1:"));
	srv->pid = pid;
	srv->port = (int)strtol(strrchr(line, ':') + 1, NULL, 10);
	assert_true(srv->port > 0);
	snprintf(srv->url, sizeof(srv->url), "http://127.0.0.1:%d", srv->port);
}

static void
stop(struct h_server *srv)
{
	int status;

	kill(srv->pid, SIGTERM);
	assert_int_equal(waitpid(srv->pid, &status, 0), srv->pid);
	track(srv->pid, 0);
	srv->pid = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A TCP connection to the server from the loopback address `from` ("127.0.0.2"). */
static int
connect_from(const struct h_server *srv, const char *from)
{
	struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, from, &src.sin_addr), 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
	dst.sin_port = htons((uint16_t)srv->port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&dst, sizeof(dst)), 0);
	return fd;
}

/* Writes s; false when the peer has already closed (EPIPE, ECONNRESET). */
static bool
send_str(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

/* "HTTP/1.1 401 ..." → 401; 0 when head is not an answer. */
static int
parse_status(const char *head)
{
	long code;

	if (strncmp(head, "HTTP/1.1 ", 9) != 0)
		return 0;
	code = strtol(head + 9, NULL, 10);
	return code >= 100 && code <= 599 ? (int)code : 0;
}

/*
 * Reads one answer head (up to the blank line) within GENEROUS_MS. Returns its status
 * code, 0 when the peer closed without answering, -1 when nothing came in time.
 */
static int
read_status(int fd)
{
	int64_t end = lc_monotonic_ms() + GENEROUS_MS;
	char head[4096];
	size_t got = 0;

	head[0] = '\0';
	while (!strstr(head, "\r\n\r\n") && got < sizeof(head) - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int64_t left = end - lc_monotonic_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			return -1;
		r = recv(fd, head + got, sizeof(head) - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		head[got] = '\0';
	}
	return parse_status(head);
}

/* Sends a whole request on a fresh connection from `from`; returns the answer's status. */
static int
raw_request(const struct h_server *srv, const char *from, const char *req, size_t len)
{
	int fd = connect_from(srv, from);
	int status;

	assert_true(send_str(fd, req, len));
	status = read_status(fd);
	close(fd);
	return status;
}

/* The server's log file as one string. Caller frees. */
static char *
server_log(const struct h_server *srv)
{
	char *text = NULL;

	assert_int_equal(lc_read_file(srv->log, &text, NULL), 0);
	return text;
}

/* h_request's answer status (0 when none came); the answer itself is dropped. */
static long
status_of(const struct h_server *srv, const char *method, const char *path, const char *const *hdrs,
          const char *body, size_t len)
{
	struct h_resp r;
	long status;

	assert_int_equal(h_request(srv, method, path, hdrs, body, len, &r), 0);
	status = r.status;
	h_resp_free(&r);
	return status;
}

static const char slow_head[] = "GET /api/v1/courses HTTP/1.1\r\nHost: x\r\n";
static const char rest_of_head[] =
    "Connection: close\r\n\r\n"; /* * security review 2026-11-29, H1: one address holding more
                                    connections than * --max-conns-per-ip gets the extra ones
                                    refused, while a client from another address * is still
                                    answered; the connections within the limit still work. */
static void
test_per_address_limit_refuses_extra_connections_serves_others(void **state)
{
	const char *const args[] = {"--max-conns-per-ip", "4", "--request-deadline", "600", NULL};
	struct h_server srv;
	int slow[5], answered = 0, closed = 0;
	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	start_with(&srv,
	           args); /* Five slow clients from 127.0.0.2, each with half a request head. */
	for (int i = 0; i < 5; i++) {
		slow[i] = connect_from(&srv, "127.0.0.2");
		send_str(slow[i], slow_head, strlen(slow_head));
	} /* Another address is served while they hold their connections. */
	for (int i = 0; i < 3; i++) {
		static const char get[] = "GET /api/v1/courses HTTP/1.1\r\nHost: x\r\n"
		                          "Connection: close\r\n\r\n";
		assert_int_equal(raw_request(&srv, "127.0.0.1", get, strlen(get)), 200);
	} /* Exactly four of the five were let in: those answer once their head is complete. */
	for (int i = 0; i < 5; i++) {
		int status = send_str(slow[i], rest_of_head, strlen(rest_of_head))
		                 ? read_status(slow[i])
		                 : 0;
		assert_true(status == 200 || status == 0);
		answered += status == 200;
		closed += status == 0;
		close(slow[i]);
	}
	assert_int_equal(answered, 4);
	assert_int_equal(closed, 1);
	stop(&srv);
	h_server_down(&srv);
} /* True when the peer has closed fd (end-of-file or reset); never waits. */
static bool
peer_closed(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[512];
	if (poll(&p, 1, 0) != 1)
		return false;
	return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0;
} /* * security review 2026-11-29, H1: a head dribbled one line at a time is never idle long *
     enough for an idle timeout, so a deadline for the whole head closes it; the same for a * body.
     The server answers complete requests afterwards. */
static void
test_request_dribbled_past_deadline_is_closed(void **state)
{
	const char *const args[] = {"--request-deadline", "1", NULL};
	static const char post_head[] = "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\n"
	                                "Content-Type: application/json\r\n"
	                                "Content-Length: 100\r\n\r\n{";
	static const char get[] = "GET /api/v1/courses HTTP/1.1\r\nHost: x\r\n"
	                          "Connection: close\r\n\r\n";
	struct h_server srv;
	bool head_open = true, body_open = true;
	int head_fd, body_fd;
	int64_t end;
	char *log;
	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	start_with(&srv, args);
	head_fd = connect_from(&srv, "127.0.0.1");
	body_fd = connect_from(&srv, "127.0.0.1");
	assert_true(send_str(head_fd, slow_head, strlen(slow_head)));
	assert_true(send_str(body_fd, post_head,
	                     strlen(post_head))); /* One more header line, or one more body byte,
	                                             every 100 ms: never idle. */
	end = lc_monotonic_ms() + GENEROUS_MS;
	while ((head_open || body_open) && lc_monotonic_ms() < end) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		if (head_open)
			head_open = !peer_closed(head_fd) && send_str(head_fd, "X-a: b\r\n", 8);
		if (body_open)
			body_open = !peer_closed(body_fd) && send_str(body_fd, " ", 1);
	}
	assert_false(head_open);
	assert_false(body_open);
	close(head_fd);
	close(body_fd); /* The server is fine, and a request sent at once is not cut. */
	assert_int_equal(raw_request(&srv, "127.0.0.1", get, strlen(get)), 200);
	log = server_log(&srv);
	assert_non_null(strstr(log, "was not complete within 1 s"));
	free(log);
	stop(&srv);
	h_server_down(&srv);
} /* Sends head and then part of a big body (never all of it); returns the answer's status. */
static int
partial_body_request(const struct h_server *srv, const char *head)
{
	char *chunk = lc_malloc(64 * 1024);
	int fd = connect_from(srv, "127.0.0.1");
	int status;
	memset(chunk, 'a', 64 * 1024);
	assert_true(send_str(fd, head, strlen(head))); /* The server may close as soon as it has
	                                                  answered; a failed send is fine then. */
	send_str(fd, chunk, 64 * 1024);
	status = read_status(fd);
	close(fd);
	free(chunk);
	return status;
} /* * issue 9 section 5 (API.md "401 before any other check"): on a route that needs a token, * a
     request with none or a bad one gets 401, not the 415, 413 or 400 its body would * otherwise
     earn; with a big body it gets it without the server reading the body. */
static void
test_missing_token_401_before_body_checks(void **state)
{
	struct h_server srv;
	struct h_user u;
	struct h_resp r;
	char bad[600], good[600], big_head[1400];
	const char *const plain[] = {"Content-Type: text/plain", NULL};
	const char *const gzip[] = {"Content-Type: application/json", "Content-Encoding: gzip",
	                            NULL};
	const char *const bogus[] = {"Content-Type: application/json", "Content-Encoding: br",
	                             NULL};
	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	start_with(&srv, NULL);
	assert_int_equal(h_register(&srv, "ordering", NULL, &u), 0);
	snprintf(bad, sizeof(bad), "Authorization: Bearer %s", "AAAAnot-a-token");
	snprintf(good, sizeof(good), "Authorization: Bearer %s", u.access);
	for (int with = 0; with < 2; with++) {
		const char *const plain_t[] = {plain[0], bad, NULL};
		const char *const gzip_t[] = {gzip[0], gzip[1], bad, NULL};
		const char *const bogus_t[] = {bogus[0], bogus[1], bad, NULL};
		const char *const json_t[] = {"Content-Type: application/json", bad, NULL};
		const char *const json[] = {"Content-Type: application/json", NULL};

		/* 415 (content type) */
		assert_int_equal(
		    h_request(&srv, "POST", H_API "/courses", with ? plain_t : plain, "{}", 2, &r),
		    0);
		assert_int_equal(r.status, 401);
		assert_true(h_is_error(&r, "authentication_error"));
		h_resp_free(&r);
		/* 415 (unknown encoding) */
		assert_int_equal(
		    status_of(&srv, "POST", H_API "/courses", with ? bogus_t : bogus, "xx", 2),
		    401);
		/* 400 (undecodable gzip) */
		assert_int_equal(
		    status_of(&srv, "POST", H_API "/courses", with ? gzip_t : gzip, "not gzip", 8),
		    401);
		/* 400 (not JSON) */
		assert_int_equal(
		    status_of(&srv, "POST", H_API "/courses", with ? json_t : json, "{nope", 5),
		    401);
		/* 413, announced by Content-Length: the body is never sent in full. */
		snprintf(big_head, sizeof(big_head),
		         "POST /api/v1/courses HTTP/1.1\r\nHost: x\r\n%s%s"
		         "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n",
		         with ? bad : "", with ? "\r\n" : "");
		assert_int_equal(partial_body_request(&srv, big_head), 401);
		/* 413 found while reading a chunked body: no Content-Length to judge by. */
		snprintf(big_head, sizeof(big_head),
		         "POST /api/v1/courses HTTP/1.1\r\nHost: x\r\n%s%s"
		         "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
		         "10000\r\n",
		         with ? bad : "", with ? "\r\n" : "");
		assert_int_equal(partial_body_request(&srv, big_head), 401);
	}
	/* With a good token the body checks answer as before. */
	{
		const char *const plain_g[] = {plain[0], good, NULL};
		const char *const json_g[] = {"Content-Type: application/json", good, NULL};

		assert_int_equal(status_of(&srv, "POST", H_API "/courses", plain_g, "{}", 2), 415);
		assert_int_equal(status_of(&srv, "POST", H_API "/courses", json_g, "{nope", 5),
		                 400);
		snprintf(big_head, sizeof(big_head),
		         "POST /api/v1/courses HTTP/1.1\r\nHost: x\r\n%s\r\n"
		         "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n",
		         good);
		assert_int_equal(partial_body_request(&srv, big_head), 413);
	}
	/* A public route keeps its body checks for anonymous callers. */
	assert_int_equal(status_of(&srv, "POST", H_API "/auth/token", plain, "{}", 2), 415);
	/* Unknown paths stay 404 without a token. */
	assert_int_equal(status_of(&srv, "GET", H_API "/nowhere", NULL, NULL, 0), 404);
	stop(&srv);
	h_server_down(&srv);
}

/* security review 2026-11-29, L9: control bytes of the request path are escaped in the log. */
static void
test_access_log_escapes_control_bytes(void **state)
{
	static const char req[] = "GET /api/v1/courses/\x1b]0;logpwn\x07\\ HTTP/1.1\r\nHost: x\r\n"
	                          "Connection: close\r\n\r\n";
	struct h_server srv;
	char *log;

	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	start_with(&srv, NULL);
	assert_int_equal(raw_request(&srv, "127.0.0.1", req, strlen(req)), 404);
	stop(&srv);
	log = server_log(&srv);
	assert_null(strchr(log, '\x1b'));
	assert_null(strchr(log, '\x07'));
	assert_non_null(strstr(log, "127.0.0.1 GET /api/v1/courses/\\x1b]0;logpwn\\x07\\x5c 404"));
	free(log);
	h_server_down(&srv);
}

/* security review 2026-11-29, I3: "bearer", "BEARER" and extra spaces are accepted. */
static void
test_bearer_scheme_case_insensitive(void **state)
{
	static const char *const schemes[] = {"bearer ", "BEARER ", "bEaReR   "};
	struct h_server srv;
	struct h_user u;
	char value[600];

	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	start_with(&srv, NULL);
	assert_int_equal(h_register(&srv, "scheme", NULL, &u), 0);
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		const char *const hdrs[] = {value, NULL};

		snprintf(value, sizeof(value), "Authorization: %s%s", schemes[i], u.access);
		assert_int_equal(status_of(&srv, "GET", H_API "/users/me", hdrs, NULL, 0), 200);
	}
	{
		const char *const hdrs[] = {value, NULL};

		snprintf(value, sizeof(value), "Authorization: Bearerx %s", u.access);
		assert_int_equal(status_of(&srv, "GET", H_API "/users/me", hdrs, NULL, 0), 401);
	}
	stop(&srv);
	h_server_down(&srv);
}

/*
 * security review 2026-11-29, H1 (reverse proxy): with --trusted-proxy 127.0.0.1 the
 * client is the last X-Forwarded-For hop of the proxy's requests: the per-address limit
 * counts that client's requests in flight, and the log names it. X-Forwarded-For from
 * anyone else is ignored.
 */
static void
test_trusted_proxy_limits_and_logs_forwarded_client(void **state)
{
	const char *const args[] = {"--trusted-proxy", "127.0.0.1", "--max-conns-per-ip", "2",
	                            NULL};
	static const char held[] = "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\n"
	                           "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n"
	                           "Content-Type: application/json\r\n"
	                           "Content-Length: 100\r\n\r\n{";
	static const char same[] = "GET /api/v1/courses HTTP/1.1\r\nHost: x\r\n"
	                           "X-Forwarded-For: 203.0.113.7\r\nConnection: close\r\n\r\n";
	static const char other[] = "GET /api/v1/courses HTTP/1.1\r\nHost: x\r\n"
	                            "X-Forwarded-For: 203.0.113.8\r\nConnection: close\r\n\r\n";
	static const char spoof[] = "GET /api/v1/courses HTTP/1.1\r\nHost: x\r\n"
	                            "X-Forwarded-For: 192.0.2.99\r\nConnection: close\r\n\r\n";
	struct h_server srv;
	int fds[3], refused = -1;
	char *log;

	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	start_with(&srv, args);
	/*
	 * Three requests from 203.0.113.7 whose bodies never finish: whichever reaches the
	 * server third finds the two others in flight and is refused at once.
	 */
	for (int i = 0; i < 3; i++) {
		fds[i] = connect_from(&srv, "127.0.0.1");
		assert_true(send_str(fds[i], held, strlen(held)));
	}
	for (int64_t end = lc_monotonic_ms() + GENEROUS_MS; refused < 0;) {
		struct pollfd p[3];

		for (int i = 0; i < 3; i++)
			p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		assert_true(lc_monotonic_ms() < end);
		if (poll(p, 3, 100) <= 0)
			continue;
		for (int i = 0; i < 3 && refused < 0; i++)
			if (p[i].revents) {
				assert_int_equal(read_status(fds[i]), 429);
				refused = i;
			}
	}
	/* The two others are still in flight: a fourth is refused, another client served. */
	for (int i = 0; i < 3; i++) {
		struct pollfd p = {.fd = fds[i], .events = POLLIN};

		if (i != refused)
			assert_int_equal(poll(&p, 1, 0), 0); /* no answer, not closed */
	}
	assert_int_equal(raw_request(&srv, "127.0.0.1", same, strlen(same)), 429);
	assert_int_equal(raw_request(&srv, "127.0.0.1", other, strlen(other)), 200);
	assert_int_equal(raw_request(&srv, "127.0.0.2", spoof, strlen(spoof)), 200);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	stop(&srv);
	log = server_log(&srv);
	assert_non_null(strstr(log, " 203.0.113.7 GET /api/v1/courses 429 "));
	assert_non_null(strstr(log, " 203.0.113.8 GET /api/v1/courses 200 "));
	assert_non_null(strstr(log, " 127.0.0.2 GET /api/v1/courses 200 "));
	assert_null(strstr(log, "192.0.2.99"));
	free(log);
	h_server_down(&srv);
}

/* Runs lecternd with args (NULL-terminated) and nothing on stdin; returns its exit status. */
static int
run_status(const char *const *args)
{
	const char *argv[16] = {getenv("LECTERND")};
	int n = 1, status;
	pid_t pid;

	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The new limit options refuse values they cannot honour, with the usage error status. */
static void
test_limit_options_reject_bad_values(void **state)
{
	static const char *const bad[][3] = {
	    {"--max-conns", "0", NULL},           {"--max-conns", "12x", NULL},
	    {"--max-conns-per-ip", "-1", NULL},   {"--max-conns-per-ip", "", NULL},
	    {"--request-deadline", "0", NULL},    {"--request-deadline", "3601", NULL},
	    {"--trusted-proxy", "proxy", NULL},   {"--trusted-proxy", "10.0.0.1/8", NULL},
	    {"--max-conns", "99999999999", NULL}, {"--slow-threads", "0", NULL},
	    {"--slow-threads", "65", NULL},       {"--slow-queue", "0", NULL},
	    {"--slow-queue", "x", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(run_status(bad[i]), 1);
}

/* ---- the slow pool (issue 9 section 2) ---- */

#define N_LOGINS 12 /* a dozen argon2id runs on one slow thread: most are still pending */

/* Sends a log-in as username (Connection: close) on fd. */
static void
send_login_on(int fd, const char *username)
{
	char body[256], req[512];
	int n = snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username,
	                 H_PASSWORD);
	int m = snprintf(req, sizeof(req),
	                 "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: "
	                 "application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
	                 n, body);

	assert_true(m > 0 && (size_t)m < sizeof(req));
	assert_true(send_str(fd, req, (size_t)m));
}

/* Sends a log-in as username on a new connection; returns the socket. */
static int
send_login(const struct h_server *srv, const char *username)
{
	int fd = connect_from(srv, "127.0.0.1");

	send_login_on(fd, username);
	return fd;
}

/*
 * A kept-alive connection the server has accepted and answered once (a 404), so that it
 * sits in the worker's list, idle, ready for the next request.
 */
static int
warm_connection(const struct h_server *srv)
{
	static const char req[] = "GET /api/v1/warm-up HTTP/1.1\r\nHost: x\r\n\r\n";
	int fd = connect_from(srv, "127.0.0.1");
	char head[4096];
	size_t got = 0, want = 0;
	const char *cl, *end = NULL;

	assert_true(send_str(fd, req, sizeof(req) - 1));
	while (end == NULL || got < want) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		assert_true(got < sizeof(head) - 1);
		assert_int_equal(poll(&p, 1, GENEROUS_MS), 1);
		r = recv(fd, head + got, sizeof(head) - 1 - got, 0);
		assert_true(r > 0);
		got += (size_t)r;
		head[got] = '\0';
		if (end == NULL && (end = strstr(head, "\r\n\r\n")) != NULL) {
			cl = strstr(head, "Content-Length: ");
			assert_non_null(cl);
			want = (size_t)(end + 4 - head) + strtoul(cl + 16, NULL, 10);
		}
	}
	assert_int_equal(parse_status(head), 404);
	assert_int_equal(got, want);
	return fd;
}

/* Reads the whole answer of a Connection: close request into out (NUL-terminated). */
static void
read_all(int fd, char *out, size_t len)
{
	int64_t end = lc_monotonic_ms() + GENEROUS_MS;
	size_t got = 0;

	out[0] = '\0';
	while (got < len - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int64_t left = end - lc_monotonic_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			break;
		r = recv(fd, out + got, len - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
		out[got] = '\0';
	}
}

/* True when fd has nothing to read yet (its answer has not started). */
static bool
unanswered(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) == 0;
}

/*
 * issue 9 section 2: a log-in's argon2id runs on the slow pool, not on the HTTP worker.
 * With one worker and one slow thread, a dozen log-ins are sent at once on kept-alive
 * connections of that worker; a request sent after them on another such connection is
 * answered while at least half of them are still unanswered (before the pool, it waited
 * behind every one of them: none was left), and every log-in is answered 200 afterwards.
 * Ordering, not time, is asserted.
 */
static void
test_login_storm_leaves_other_connections_served(void **state)
{
	static const char *const args[] = {"--threads", "1", "--slow-threads", "1", NULL};
	struct h_server srv;
	struct h_user u;
	int keep, logins[N_LOGINS], pending = 0;
	char value[600], req[800];

	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	start_with(&srv, args);
	assert_int_equal(h_register(&srv, "storm", NULL, &u), 0);
	/* Every connection accepted and idle on the one worker before the storm starts. */
	keep = warm_connection(&srv);
	for (int i = 0; i < N_LOGINS; i++)
		logins[i] = warm_connection(&srv);
	for (int i = 0; i < N_LOGINS; i++)
		send_login_on(logins[i], u.username);
	snprintf(value, sizeof(value), "Bearer %s", u.access);
	snprintf(req, sizeof(req),
	         "GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n\r\n", value);
	assert_true(send_str(keep, req, strlen(req)));
	assert_int_equal(read_status(keep), 200);
	for (int i = 0; i < N_LOGINS; i++)
		pending += unanswered(logins[i]);
	/* Before the pool, the GET waited behind all of them (none pending); now behind none. */
	assert_true(pending >= N_LOGINS / 2);
	for (int i = 0; i < N_LOGINS; i++) {
		assert_int_equal(read_status(logins[i]), 200);
		close(logins[i]);
	}
	close(keep);
	stop(&srv);
	h_server_down(&srv);
}

/*
 * issue 9 section 2: the slow queue is bounded. With one slow thread and room for one
 * waiting request, a burst of log-ins gets some 503 api_error answers with Retry-After
 * (and no hash run for them) while the others are answered 200.
 */
static void
test_full_slow_queue_answers_503_retry_after(void **state)
{
	static const char *const args[] = {"--threads", "1", "--slow-threads", "1", "--slow-queue",
	                                   "1",         NULL};
	struct h_server srv;
	struct h_user u;
	int logins[N_LOGINS], ok = 0, busy = 0;
	char answer[4096];

	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	start_with(&srv, args);
	assert_int_equal(h_register(&srv, "queue", NULL, &u), 0);
	for (int i = 0; i < N_LOGINS; i++)
		logins[i] = send_login(&srv, u.username);
	for (int i = 0; i < N_LOGINS; i++) {
		read_all(logins[i], answer, sizeof(answer));
		close(logins[i]);
		if (parse_status(answer) == 200) {
			ok++;
			continue;
		}
		assert_int_equal(parse_status(answer), 503);
		assert_non_null(strstr(answer, "\r\nRetry-After: 1\r\n"));
		assert_non_null(strstr(answer, "\"type\":\"api_error\""));
		busy++;
	}
	assert_true(ok >= 1);
	assert_true(busy >= 1);
	/* The queue drained: a log-in on its own is served again. */
	assert_int_equal(h_login(&srv, u.username, H_PASSWORD, &u), 0);
	stop(&srv);
	h_server_down(&srv);
}

/*
 * issue 9 section 2: SIGTERM with log-ins queued on the slow pool answers every one of
 * them (200, or 503 once the pool stops) and exits 0: no suspended connection is left
 * behind when the HTTP daemon stops.
 */
static void
test_sigterm_with_queued_logins_answers_them_and_exits_0(void **state)
{
	static const char *const args[] = {"--threads", "1", "--slow-threads", "1", NULL};
	struct h_server srv;
	struct h_user u;
	int logins[N_LOGINS];

	(void)state;
	assert_int_equal(h_server_init(&srv), 0);
	start_with(&srv, args);
	assert_int_equal(h_register(&srv, "sigterm", NULL, &u), 0);
	for (int i = 0; i < N_LOGINS; i++)
		logins[i] = send_login(&srv, u.username);
	/* Once one log-in is answered, the others are in the pool (or its queue). */
	assert_int_equal(read_status(logins[0]), 200);
	stop(&srv);
	for (int i = 1; i < N_LOGINS; i++) {
		int status = read_status(logins[i]);

		assert_true(status == 200 || status == 503);
		close(logins[i]);
	}
	close(logins[0]);
	h_server_down(&srv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_per_address_limit_refuses_extra_connections_serves_others),
	    cmocka_unit_test(test_request_dribbled_past_deadline_is_closed),
	    cmocka_unit_test(test_missing_token_401_before_body_checks),
	    cmocka_unit_test(test_access_log_escapes_control_bytes),
	    cmocka_unit_test(test_bearer_scheme_case_insensitive),
	    cmocka_unit_test(test_trusted_proxy_limits_and_logs_forwarded_client),
	    cmocka_unit_test(test_limit_options_reject_bad_values),
	    cmocka_unit_test(test_login_storm_leaves_other_connections_served),
	    cmocka_unit_test(test_full_slow_queue_answers_503_retry_after),
	    cmocka_unit_test(test_sigterm_with_queued_logins_answers_them_and_exits_0),
	};

	signal(SIGPIPE, SIG_IGN);
	atexit(kill_started);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
