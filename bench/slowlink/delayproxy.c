/* SPDX-License-Identifier: MIT */
/*
 * delayproxy: a TCP relay that adds a fixed one-way delay in each direction, for the
 * slow-link test bed (bench/slowlink/run, issue 13). This kernel has no netem, so the
 * latency of a long link lives here while `tc ... tbf` on a veth pair shapes the rate.
 *
 * Every chunk read from one side is written to the other side no earlier than
 * `--delay-ms` after it was read; a connection's first bytes from the client are held one
 * more round trip (2 x delay), which is what the TCP handshake would have cost on the real
 * link (the proxy's own accept completes at once). With `--rate BITS` (the fallback when
 * tc cannot be used) each direction also behaves like a serial line of that rate: a chunk
 * leaves when the line is free plus len * 8 / rate seconds, then travels the delay.
 *
 * One thread, poll(); it stops on SIGTERM or SIGINT. It counts bytes each way as they are
 * written to the receiving socket, client connections, and HTTP request heads seen (a
 * client chunk that starts with a method), and rewrites `--stats FILE` with the totals
 * whenever a connection closes. The client socket's send buffer is kept small (8 KiB, which
 * the kernel doubles), so what a killed client never received but was counted is at most
 * that buffer and the tbf queue, as on a real line.
 *
 * Usage: delayproxy --listen ADDR:PORT --upstream ADDR:PORT [--delay-ms N] [--rate BITS]
 *                   [--stats FILE]
 * Prints "delayproxy listening on ADDR:PORT" on stdout once it accepts.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64
#define CHUNK 4096
#define QUEUE_MAX (256 * 1024) /* bytes held per direction before reading stops */

struct chunk {
	struct chunk *next;
	int64_t due_us;
	size_t len, off;
	char data[];
};

/* One direction of a connection: bytes read from `from`, held, written to `to`. */
struct dir {
	int from, to;
	struct chunk *head, *tail;
	size_t queued;
	int64_t line_free_us; /* --rate: when the emulated serial line is idle again */
	bool eof, shut;
	bool first; /* client side: the handshake round trip not yet paid */
};

struct conn {
	bool used;
	int client, upstream;
	struct dir up, down; /* up: client -> upstream */
};

static volatile sig_atomic_t stop_flag;
static int64_t delay_us, rate_bits;
static int64_t total_up, total_down, total_conns, total_requests;
static const char *stats_path;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		abort();
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Parses "A.B.C.D:PORT" into *sa. Returns 0 or -1. */
static int
parse_addr(const char *text, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	char *end = NULL;
	long port;

	if (colon == NULL || (size_t)(colon - text) >= sizeof(host))
		return -1;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port < 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static int
parse_num(const char *text, int64_t *out)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

static void
write_stats(void)
{
	char tmp[4096];
	FILE *f;

	if (stats_path == NULL)
		return;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", stats_path) >= (int)sizeof(tmp))
		return;
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f,
	        "bytes_up %" PRId64 "\nbytes_down %" PRId64 "\nconnections %" PRId64
	        "\nrequests %" PRId64 "\n",
	        total_up, total_down, total_conns, total_requests);
	if (fclose(f) == 0 && rename(tmp, stats_path) != 0)
		perror("delayproxy: rename stats");
}

static void
dir_init(struct dir *d, int from, int to, bool first)
{
	memset(d, 0, sizeof(*d));
	d->from = from;
	d->to = to;
	d->first = first;
}

static void
dir_free(struct dir *d)
{
	while (d->head != NULL) {
		struct chunk *c = d->head;

		d->head = c->next;
		free(c);
	}
	d->tail = NULL;
}

static void
conn_close(struct conn *c)
{
	dir_free(&c->up);
	dir_free(&c->down);
	if (close(c->client) != 0)
		perror("delayproxy: close");
	if (close(c->upstream) != 0)
		perror("delayproxy: close");
	c->used = false;
	write_stats();
}

static bool
is_request_head(const char *p, size_t n)
{
	static const char *const methods[] = {"GET ",    "POST ", "PUT ", "PATCH ",
	                                      "DELETE ", "HEAD ", NULL};

	for (int i = 0; methods[i] != NULL; i++) {
		size_t len = strlen(methods[i]);

		if (n >= len && memcmp(p, methods[i], len) == 0)
			return true;
	}
	return false;
}

/* Reads one chunk from d->from into the queue. Returns -1 on a reset (close the pair). */
static int
dir_read(struct dir *d, bool upward)
{
	struct chunk *c = malloc(sizeof(*c) + CHUNK);
	int64_t now = now_us(), leave;
	ssize_t n;

	if (c == NULL)
		return -1;
	n = read(d->from, c->data, CHUNK);
	if (n < 0) {
		free(c);
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	}
	if (n == 0) {
		free(c);
		d->eof = true;
		return 0;
	}
	c->len = (size_t)n;
	c->off = 0;
	c->next = NULL;
	leave = now;
	if (rate_bits > 0) {
		if (d->line_free_us > leave)
			leave = d->line_free_us;
		leave += (int64_t)n * 8 * 1000000 / rate_bits;
		d->line_free_us = leave;
	}
	c->due_us = leave + delay_us + (d->first ? 2 * delay_us : 0);
	d->first = false;
	if (upward && is_request_head(c->data, (size_t)n))
		total_requests++;
	if (d->tail != NULL)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
	d->queued += c->len;
	return 0;
}

/* Writes what is due, counting bytes as they are handed to the receiving side (a killed
 * client never got what was still held). Returns -1 on an error (close the pair). */
static int
dir_flush(struct dir *d, bool upward, int64_t now)
{
	while (d->head != NULL && d->head->due_us <= now) {
		struct chunk *c = d->head;
		ssize_t n = write(d->to, c->data + c->off, c->len - c->off);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->off += (size_t)n;
		d->queued -= (size_t)n;
		*(upward ? &total_up : &total_down) += n;
		if (c->off < c->len)
			return 0;
		d->head = c->next;
		if (d->head == NULL)
			d->tail = NULL;
		free(c);
	}
	if (d->head == NULL && d->eof && !d->shut) {
		d->shut = true;
		if (shutdown(d->to, SHUT_WR) != 0 && errno != ENOTCONN)
			return -1;
	}
	return 0;
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
		return -1;
	return 0;
}

static void
accept_one(int lfd, const struct sockaddr_in *up, struct conn *conns)
{
	int one = 1, sndbuf = 8192, cfd, ufd;
	struct conn *c = NULL;

	cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		return;
	for (int i = 0; i < MAX_CONNS; i++)
		if (!conns[i].used) {
			c = &conns[i];
			break;
		}
	ufd = socket(AF_INET, SOCK_STREAM, 0);
	if (c == NULL || ufd < 0 || connect(ufd, (const struct sockaddr *)up, sizeof(*up)) != 0 ||
	    set_nonblock(cfd) != 0 || set_nonblock(ufd) != 0) {
		perror("delayproxy: upstream");
		if (ufd >= 0)
			close(ufd);
		close(cfd);
		return;
	}
	if (setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) != 0 ||
	    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
	    setsockopt(ufd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
		perror("delayproxy: TCP_NODELAY");
	c->used = true;
	c->client = cfd;
	c->upstream = ufd;
	dir_init(&c->up, cfd, ufd, true);
	dir_init(&c->down, ufd, cfd, false);
	total_conns++;
}

/* The poll events one direction wants on its two sockets. */
static void
dir_events(const struct dir *d, short *from_ev, short *to_ev)
{
	if (!d->eof && d->queued < QUEUE_MAX)
		*from_ev |= POLLIN;
	if (d->head != NULL && d->head->due_us <= now_us())
		*to_ev |= POLLOUT;
}

/* The poll timeout: until the earliest held chunk is due (ms, rounded up), or -1. */
static int
next_timeout(const struct conn *conns)
{
	int64_t earliest = -1, now = now_us();

	for (int i = 0; i < MAX_CONNS; i++) {
		const struct dir *ds[2] = {&conns[i].up, &conns[i].down};

		if (!conns[i].used)
			continue;
		for (int k = 0; k < 2; k++)
			if (ds[k]->head != NULL && ds[k]->head->due_us > now &&
			    (earliest < 0 || ds[k]->head->due_us < earliest))
				earliest = ds[k]->head->due_us;
	}
	if (earliest < 0)
		return 1000;
	return (int)((earliest - now + 999) / 1000);
}

static void
serve(int lfd, const struct sockaddr_in *up)
{
	static struct conn conns[MAX_CONNS];
	struct pollfd pfd[1 + 2 * MAX_CONNS];

	while (!stop_flag) {
		int n = 1;

		pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (int i = 0; i < MAX_CONNS; i++) {
			short cev = 0, uev = 0;

			if (!conns[i].used)
				continue;
			dir_events(&conns[i].up, &cev, &uev);
			dir_events(&conns[i].down, &uev, &cev);
			/* A socket with nothing wanted stays out of poll (-1), so a hung-up
			 * peer whose answer is still held does not wake the loop at once. */
			pfd[n++] = (struct pollfd){.fd = cev ? conns[i].client : -1, .events = cev};
			pfd[n++] =
			    (struct pollfd){.fd = uev ? conns[i].upstream : -1, .events = uev};
		}
		if (poll(pfd, (nfds_t)n, next_timeout(conns)) < 0) {
			if (errno == EINTR)
				continue;
			perror("delayproxy: poll");
			return;
		}
		n = 1;
		for (int i = 0; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];
			short cre, ure;
			int rc = 0;

			if (!c->used)
				continue;
			cre = pfd[n++].revents;
			ure = pfd[n++].revents;
			if (!c->up.eof && (cre & (POLLIN | POLLHUP | POLLERR)))
				rc |= dir_read(&c->up, true);
			if (!c->down.eof && (ure & (POLLIN | POLLHUP | POLLERR)))
				rc |= dir_read(&c->down, false);
			rc |= dir_flush(&c->up, true, now_us());
			rc |= dir_flush(&c->down, false, now_us());
			if (rc != 0 || (c->up.shut && c->down.shut))
				conn_close(c);
		}
		if (pfd[0].revents & POLLIN)
			accept_one(lfd, up, conns);
	}
	for (int i = 0; i < MAX_CONNS; i++)
		if (conns[i].used)
			conn_close(&conns[i]);
}

static int
usage(void)
{
	fprintf(stderr, "usage: delayproxy --listen ADDR:PORT --upstream ADDR:PORT "
	                "[--delay-ms N] [--rate BITS] [--stats FILE]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in listen_sa, up_sa, bound;
	socklen_t blen = sizeof(bound);
	struct sigaction sa;
	bool have_listen = false, have_up = false;
	int64_t ms = 0;
	int lfd, one = 1;
	char host[INET_ADDRSTRLEN];

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return usage();
		if (strcmp(argv[i], "--listen") == 0)
			have_listen = parse_addr(v, &listen_sa) == 0;
		else if (strcmp(argv[i], "--upstream") == 0)
			have_up = parse_addr(v, &up_sa) == 0;
		else if (strcmp(argv[i], "--delay-ms") == 0 && parse_num(v, &ms) == 0)
			delay_us = ms * 1000;
		else if (strcmp(argv[i], "--rate") == 0 && parse_num(v, &rate_bits) == 0)
			;
		else if (strcmp(argv[i], "--stats") == 0)
			stats_path = v;
		else
			return usage();
		i++;
	}
	if (!have_listen || !have_up)
		return usage();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return 1;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(lfd, (const struct sockaddr *)&listen_sa, sizeof(listen_sa)) != 0 ||
	    listen(lfd, 16) != 0 || getsockname(lfd, (struct sockaddr *)&bound, &blen) != 0) {
		perror("delayproxy: listen");
		return 1;
	}
	if (inet_ntop(AF_INET, &bound.sin_addr, host, sizeof(host)) == NULL)
		return 1;
	write_stats();
	printf("delayproxy listening on %s:%d\n", host, ntohs(bound.sin_port));
	if (fflush(stdout) != 0)
		return 1;
	serve(lfd, &up_sa);
	write_stats();
	close(lfd);
	return 0;
}
