/* SPDX-License-Identifier: MIT */
/*
 * slowloris: what one slow client costs everyone else (security review 2026-11-29, H1;
 * issue 9 section 3). Starts lecternd ($LECTERND, or --lecternd PATH) with the demo seed
 * on a loopback port; an attacker thread holds up to 600 connections from 127.0.0.2, each
 * with half a request head and one more header line every 5 s, and reopens every one the
 * server closes; meanwhile a client from 127.0.0.1 times GET /api/v1/courses on a fresh
 * connection every 100 ms. Prints p50/p99/max of that client's latency, its failures (no
 * 200 within 5 s) and how many attacker connections were open. Target: p99 < 1 s.
 *
 *   slowloris [--lecternd PATH] [--seconds N] [--conns N] [-- extra lecternd arguments]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"

#define REQ_TIMEOUT_MS 5000
#define MAX_SAMPLES 100000

static int port;
static int n_conns = 600;
static atomic_bool stop_attack;
static atomic_int attack_held;     /* attacker connections still open a tick after opening */
static atomic_long attack_reopens; /* connections the server closed and the attacker remade */

static int
connect_from(const char *from, bool nonblock)
{
	struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		return -1;
	inet_pton(AF_INET, from, &src.sin_addr);
	dst.sin_port = htons((uint16_t)port);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* True while fd is connected and the server has not closed it. */
static bool
alive(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[256];

	if (poll(&p, 1, 0) != 1)
		return true;
	return recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0;
}

static void *
attacker(void *arg)
{
	static const char head[] = "GET /api/v1/courses HTTP/1.1\r\nHost: x\r\n";
	int *fds = calloc((size_t)n_conns, sizeof(int));
	long *born = calloc((size_t)n_conns, sizeof(long));
	int64_t next_line = lc_monotonic_us() + 5000000;

	(void)arg;
	for (int i = 0; i < n_conns; i++)
		fds[i] = -1;
	for (long tick_no = 0; !atomic_load(&stop_attack); tick_no++) {
		bool dribble = lc_monotonic_us() >= next_line;
		int held = 0;
		struct timespec tick = {0, 200 * 1000 * 1000};

		for (int i = 0; i < n_conns; i++) {
			if (fds[i] >= 0 && !alive(fds[i])) {
				close(fds[i]);
				fds[i] = -1;
				atomic_fetch_add(&attack_reopens, 1);
			}
			held += fds[i] >= 0 && born[i] < tick_no;
			if (fds[i] < 0) {
				born[i] = tick_no;
				fds[i] = connect_from("127.0.0.2", true);
				if (fds[i] >= 0 &&
				    send(fds[i], head, sizeof(head) - 1, MSG_NOSIGNAL) < 0 &&
				    errno != EAGAIN && errno != ENOTCONN) {
					close(fds[i]);
					fds[i] = -1;
				}
			} else if (dribble) {
				send(fds[i], "X-a: b\r\n", 8, MSG_NOSIGNAL);
			}
		}
		if (dribble)
			next_line += 5000000;
		atomic_store(&attack_held, held);
		nanosleep(&tick, NULL);
	}
	for (int i = 0; i < n_conns; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(born);
	return NULL;
}

/* One GET /api/v1/courses from 127.0.0.1; returns its latency in µs, or -1 on failure. */
static int64_t
one_get(void)
{
	static const char req[] =
	    "GET /api/v1/courses HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int64_t t0 = lc_monotonic_us(), end = t0 + REQ_TIMEOUT_MS * 1000;
	char buf[8192];
	size_t got = 0;
	int fd = connect_from("127.0.0.1", true);
	bool sent = false, ok = false;

	if (fd < 0)
		return -1;
	while (lc_monotonic_us() < end) {
		struct pollfd p = {.fd = fd, .events = sent ? POLLIN : POLLOUT};
		ssize_t r;

		if (poll(&p, 1, (int)((end - lc_monotonic_us()) / 1000) + 1) != 1)
			continue;
		if (!sent) {
			sent = send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) ==
			       (ssize_t)(sizeof(req) - 1);
			if (!sent)
				break;
			continue;
		}
		r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (r < 0 && errno == EAGAIN)
			continue;
		if (r <= 0 || got + (size_t)r >= sizeof(buf) - 1) {
			ok = got >= 12 && strncmp(buf, "HTTP/1.1 200", 12) == 0;
			break;
		}
		got += (size_t)r;
		buf[got] = '\0';
	}
	close(fd);
	return ok ? lc_monotonic_us() - t0 : -1;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static pid_t
start_server(const char *exe, const char *dir, char **extra, int n_extra)
{
	char db[512];
	const char *argv[32] = {exe, "--listen", "127.0.0.1:0", "--db", db, "--seed-demo"};
	int n = 6, out[2];
	char line[256] = "";
	size_t got = 0;
	pid_t pid;

	snprintf(db, sizeof(db), "%s/bench.db", dir);
	for (int i = 0; i < n_extra && n < 30; i++)
		argv[n++] = extra[i];
	if (pipe(out) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(out[1], 1);
		dup2(null, 2);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	while (got < sizeof(line) - 1 && !strchr(line, '\n')) {
		ssize_t r = read(out[0], line + got, sizeof(line) - 1 - got);

		if (r <= 0)
			break;
		got += (size_t)r;
		line[got] = '\0';
	}
	close(out[0]);
	if (strrchr(line, ':') == NULL || strstr(line, "listening") == NULL)
		return -1;
	port = (int)strtol(strrchr(line, ':') + 1, NULL, 10);
	return port > 0 ? pid : -1;
}

int
main(int argc, char **argv)
{
	const char *exe = getenv("LECTERND");
	char dir[] = "/tmp/lectern-slowloris-XXXXXX";
	char **extra = NULL;
	int seconds = 40, n_extra = 0, failures = 0, max_held = 0, status = 0;
	int64_t *samples = calloc(MAX_SAMPLES, sizeof(int64_t));
	size_t n = 0;
	pthread_t t;
	pid_t pid;
	struct rlimit rl;
	char cmd[600];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--lecternd") == 0 && i + 1 < argc) {
			exe = argv[++i];
		} else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			seconds = (int)strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--conns") == 0 && i + 1 < argc) {
			n_conns = (int)strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--") == 0) {
			extra = argv + i + 1;
			n_extra = argc - i - 1;
			break;
		} else {
			fprintf(stderr,
			        "usage: slowloris [--lecternd PATH] [--seconds N] [--conns N] "
			        "[-- lecternd arguments]\n");
			return 1;
		}
	}
	if (exe == NULL || samples == NULL || seconds < 1 || n_conns < 1) {
		fprintf(stderr, "slowloris: set LECTERND or pass --lecternd\n");
		return 1;
	}
	/* The attacker's sockets are ours too. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		return 1;
	pid = start_server(exe, dir, extra, n_extra);
	if (pid <= 0) {
		fprintf(stderr, "slowloris: lecternd did not start\n");
		return 1;
	}
	printf("baseline GET /courses (no attack): %.1f ms\n", (double)one_get() / 1000.0);
	pthread_create(&t, NULL, attacker, NULL);
	sleep(2); /* let the attacker take what it can */
	for (int64_t end = lc_monotonic_us() + (int64_t)seconds * 1000000;
	     lc_monotonic_us() < end && n < MAX_SAMPLES;) {
		struct timespec gap = {0, 100 * 1000 * 1000};
		int64_t us = one_get();
		int held = atomic_load(&attack_held);

		if (held > max_held)
			max_held = held;
		if (us < 0) {
			failures++;
			us = REQ_TIMEOUT_MS * 1000;
		}
		samples[n++] = us;
		nanosleep(&gap, NULL);
	}
	atomic_store(&stop_attack, true);
	pthread_join(t, NULL);
	kill(pid, SIGTERM);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "slowloris: lecternd did not stop cleanly (status %d)\n", status);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "slowloris: could not remove %s\n", dir);
	qsort(samples, n, sizeof(int64_t), cmp_i64);
	printf("| attacker conns (127.0.0.2) | requests | failures (no 200 in %d s) | p50 | p99 | "
	       "max |\n|---|---|---|---|---|---|\n",
	       REQ_TIMEOUT_MS / 1000);
	printf("| %d wanted, %d held at most, %ld closed by the server | %zu | %d | %.1f ms | "
	       "%.1f ms | %.1f ms |\n",
	       n_conns, max_held, atomic_load(&attack_reopens), n, failures,
	       (double)samples[n / 2] / 1000.0, (double)samples[(n * 99) / 100] / 1000.0,
	       (double)samples[n - 1] / 1000.0);
	printf("target p99 < 1000 ms: %s\n",
	       samples[(n * 99) / 100] < 1000000 && failures == 0 ? "met" : "MISSED");
	free(samples);
	return 0;
}
