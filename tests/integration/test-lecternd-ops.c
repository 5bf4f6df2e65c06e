/* SPDX-License-Identifier: MIT */
/*
 * lecternd as an operator meets it: --help, --version, usage errors, --create-user, a
 * database file that is not ours (refused and left byte for byte), idle connections that
 * must not starve other clients, and SIGTERM letting a request in flight finish.
 * Runs the real binary named by $LECTERND; talks raw HTTP over loopback sockets.
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

#include "common/fsutil.h"
#include "common/mem.h"

static char dir[64];

/* Runs lecternd with args, stdin from in_text; returns the exit status, output in *out. */
static int
run(const char *in_text, char **out, char **err, const char *const *args)
{
	char out_path[128], err_path[128], in_path[128];
	const char *argv[16] = {getenv("LECTERND")};
	int n = 1, status;
	pid_t pid;

	snprintf(out_path, sizeof(out_path), "%s/out", dir);
	snprintf(err_path, sizeof(err_path), "%s/err", dir);
	snprintf(in_path, sizeof(in_path), "%s/in", dir);
	FILE *fp = fopen(in_path, "w");
	assert_non_null(fp);
	fputs(in_text ? in_text : "", fp);
	fclose(fp);
	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen(in_path, "r", stdin) || !freopen(out_path, "w", stdout) ||
		    !freopen(err_path, "w", stderr))
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (out)
		assert_int_equal(lc_read_file(out_path, out, NULL), 0);
	if (err)
		assert_int_equal(lc_read_file(err_path, err, NULL), 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
test_help_version_and_usage_errors(void **state)
{
	char *out, *err;

	(void)state;
	assert_int_equal(run(NULL, &out, NULL, (const char *const[]){"--version", NULL}), 0);
	assert_true(strncmp(out, "lecternd ", 9) == 0);
	free(out);
	assert_int_equal(run(NULL, &out, NULL, (const char *const[]){"--help", NULL}), 0);
	assert_non_null(strstr(out, "--listen"));
	free(out);
	assert_int_equal(run(NULL, &out, &err, (const char *const[]){"--bogus", NULL}), 1);
	assert_non_null(strstr(err, "usage:"));
	assert_string_equal(out, "");
	free(out);
	free(err);
	assert_int_equal(run(NULL, NULL, &err, (const char *const[]){"stray", NULL}), 1);
	assert_non_null(strstr(err, "usage:"));
	free(err);
	assert_int_equal(run(NULL, NULL, NULL,
	                     (const char *const[]){"--create-user", "x", "--role", "king", NULL}),
	                 1);
	assert_int_equal(run(NULL, NULL, NULL, (const char *const[]){"--threads", "0", NULL}), 1);
}

static void
test_create_user_once(void **state)
{
	char db[128];
	char *err;

	(void)state;
	snprintf(db, sizeof(db), "%s/users.db", dir);
	assert_int_equal(run("a-long-password\n", NULL, NULL,
	                     (const char *const[]){"--db", db, "--create-user", "boss", "--role",
	                                           "admin", NULL}),
	                 0);
	assert_int_equal(run("a-long-password\n", NULL, &err,
	                     (const char *const[]){"--db", db, "--create-user", "boss", "--role",
	                                           "learner", NULL}),
	                 1);
	assert_non_null(strstr(err, "exists"));
	free(err);
	assert_int_equal(run("short\n", NULL, NULL,
	                     (const char *const[]){"--db", db, "--create-user", "shorty", "--role",
	                                           "learner", NULL}),
	                 1);
}

static void
test_foreign_database_untouched(void **state)
{
	static const char text[] = "not a database, just words\n";
	char path[128], *before, *after, *err;
	size_t len_before, len_after;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/notes.db", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(lc_read_file(path, &before, &len_before), 0);
	assert_int_equal(run(NULL, NULL, &err,
	                     (const char *const[]){"--db", path, "--listen", "127.0.0.1:0", NULL}),
	                 1);
	assert_non_null(strstr(err, "not an SQLite database"));
	assert_int_equal(lc_read_file(path, &after, &len_after), 0);
	assert_int_equal(len_before, len_after);
	assert_memory_equal(before, after, len_after);
	free(before);
	free(after);
	free(err);
}

/* ---- a running server ---- */

struct server {
	pid_t pid;
	int port;
};

static void
start(struct server *s, const char *threads)
{
	char db[128];
	int pipefd[2];
	char line[256] = "";
	size_t got = 0;

	snprintf(db, sizeof(db), "%s/live.db", dir);
	assert_int_equal(pipe(pipefd), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(pipefd[1], 1);
		dup2(devnull, 2);
		close(pipefd[0]);
		execl(getenv("LECTERND"), "lecternd", "--db", db, "--listen", "127.0.0.1:0",
		      "--threads", threads, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < sizeof(line) - 1 && strchr(line, '\n') == NULL) {
		ssize_t n = read(pipefd[0], line + got, sizeof(line) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		line[got] = '\0';
	}
	close(pipefd[0]);
	assert_non_null(strstr(line, "lecternd listening on http://127.0.0.1:"));
	s->port = (int)strtol(strrchr(line, ':') + 1, NULL, 10);
	assert_true(s->port > 0);
}

static int
stop(struct server *s)
{
	int status;

	kill(s->pid, SIGTERM);
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
connect_to(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
send_all(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Reads until the peer closes or timeout_ms passes; returns what came. Caller frees. */
static char *
read_reply(int fd, int timeout_ms)
{
	char *buf = lc_calloc(1, 65536);
	size_t got = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (got < 65535 && poll(&p, 1, timeout_ms) == 1) {
		ssize_t n = read(fd, buf + got, 65535 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		/* One answer with a body length is enough. */
		if (strstr(buf, "\r\n\r\n") && strstr(buf, "}"))
			break;
	}
	return buf;
}

static void
test_idle_connections_do_not_starve_others(void **state)
{
	struct server s;
	int idle[40];
	char *reply;
	int fd;

	(void)state;
	start(&s, "2");
	/* Many more silent or half-sent clients than worker threads. */
	for (int i = 0; i < 40; i++) {
		idle[i] = connect_to(s.port);
		if (i % 2)
			send_all(idle[i], "GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\n");
	}
	fd = connect_to(s.port);
	send_all(fd, "GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	reply = read_reply(fd, 3000);
	assert_non_null(strstr(reply, "HTTP/1.1 401"));
	assert_non_null(strstr(reply, "authentication_error"));
	assert_non_null(strcasestr(reply, "X-Request-Id:"));
	free(reply);
	close(fd);
	for (int i = 0; i < 40; i++)
		close(idle[i]);
	assert_int_equal(stop(&s), 0);
}

static void
test_sigterm_finishes_request_in_flight(void **state)
{
	struct server s;
	char *reply;
	int fd;

	(void)state;
	start(&s, "2");
	fd = connect_to(s.port);
	/* Half a body is in; the stop signal comes; the rest follows; the answer must too. */
	send_all(fd, "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
	             "Content-Type: application/json\r\nContent-Length: 44\r\n\r\n"
	             "{\"username\":\"nobody\",");
	usleep(200 * 1000);
	kill(s.pid, SIGTERM);
	usleep(300 * 1000);
	send_all(fd, "\"password\":\"wrongpass\"}");
	reply = read_reply(fd, 5000);
	assert_non_null(strstr(reply, "HTTP/1.1 401"));
	assert_non_null(strstr(reply, "login_error"));
	free(reply);
	close(fd);
	{
		int status;

		assert_int_equal(waitpid(s.pid, &status, 0), s.pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lecternd-ops-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_help_version_and_usage_errors),
	    cmocka_unit_test(test_create_user_once),
	    cmocka_unit_test(test_foreign_database_untouched),
	    cmocka_unit_test(test_idle_connections_do_not_starve_others),
	    cmocka_unit_test(test_sigterm_finishes_request_in_flight),
	};

	if (getenv("LECTERND") == NULL) {
		fprintf(stderr, "LECTERND is not set\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
