/* SPDX-License-Identifier: MIT */
/*
 * Security review 2026-11-29, L2: a hostile server (or a man in the middle on http://)
 * answered /sync with 1 MiB of gzip that inflates to 1 GiB, and lectern grew its buffer
 * until malloc failed and it aborted (SIGABRT), the TUI too. The client now refuses an
 * answer once it reaches SYNC_HTTP_BODY_MAX (64 MiB) after decompression.
 *
 * The hostile server is a thread of this test on a loopback port: it reads each request
 * and answers 200 with Content-Encoding: gzip and the bomb. The bomb is built without
 * compressing a gigabyte: a 1 MiB block of spaces compressed after a full flush depends on
 * nothing before it, so the same bytes repeated 1024 times, and a trailer whose CRC comes
 * from crc32_combine(), make a valid gzip stream of 1 GiB.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "sync/http.h"
#include "test-sync-lib.h"

#define CHUNK (1024 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* ---- The bomb ------------------------------------------------------------------------- */

/* Output of one deflate() call into buf. */
static void
deflate_into(z_stream *zs, const void *in, size_t len, int flush, struct lc_buf *out)
{
	unsigned char tmp[65536];
	int rc;

	zs->next_in = (Bytef *)(uintptr_t)in;
	zs->avail_in = (uInt)len;
	do {
		zs->next_out = tmp;
		zs->avail_out = sizeof(tmp);
		rc = deflate(zs, flush);
		assert_true(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
		lc_buf_append(out, tmp, sizeof(tmp) - zs->avail_out);
	} while (zs->avail_out == 0);
	assert_int_equal(zs->avail_in, 0);
}

static void
put_le32(struct lc_buf *out, uLong v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
	                      (unsigned char)(v >> 24)};

	lc_buf_append(out, b, 4);
}

/* A gzip stream of n_chunks MiB of spaces. */
static void
make_bomb(int n_chunks, struct lc_buf *out)
{
	char *spaces = lc_malloc(CHUNK);
	struct lc_buf first = {0}, block = {0}, tail = {0};
	uLong crc_chunk, crc;
	z_stream zs;

	memset(spaces, ' ', CHUNK);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
	deflate_into(&zs, spaces, CHUNK, Z_FULL_FLUSH, &first); /* gzip header + chunk */
	deflate_into(&zs, spaces, CHUNK, Z_FULL_FLUSH, &block); /* a chunk on its own */
	deflate_into(&zs, NULL, 0, Z_FINISH, &tail);            /* last block + trailer */
	deflateEnd(&zs);
	assert_true(tail.len > 8);
	crc_chunk = crc32(0L, (const Bytef *)spaces, CHUNK);
	crc = crc_chunk;
	lc_buf_append(out, first.data, first.len);
	for (int i = 1; i < n_chunks; i++) {
		lc_buf_append(out, block.data, block.len);
		crc = crc32_combine(crc, crc_chunk, CHUNK);
	}
	lc_buf_append(out, tail.data, tail.len - 8);
	put_le32(out, crc);
	put_le32(out, (uLong)((uint64_t)n_chunks * CHUNK & 0xffffffffu));
	lc_buf_finish(&first);
	lc_buf_finish(&block);
	lc_buf_finish(&tail);
	free(spaces);
}

/* ---- The hostile server ----------------------------------------------------------------- */

struct hostile {
	int fd;
	int port;
	pthread_t thread;
	atomic_bool stop;
	atomic_int answered;
	struct lc_buf bomb;
};

/* Reads a request head and its Content-Length body; false when the client went away. */
static bool
read_request(int fd)
{
	struct lc_buf in = {0};
	char buf[8192];
	size_t body_len = 0;
	const char *end = NULL;
	bool ok = false;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		lc_buf_append(&in, buf, (size_t)n);
		if (end == NULL && (end = strstr(in.data, "\r\n\r\n")) != NULL) {
			for (const char *p = in.data; p < end; p++) {
				if (strncasecmp(p, "\r\nContent-Length:", 17) == 0) {
					body_len = strtoul(p + 17, NULL, 10);
					break;
				}
			}
		}
		if (end != NULL && in.len >= (size_t)(end + 4 - in.data) + body_len) {
			ok = true;
			break;
		}
	}
	lc_buf_finish(&in);
	return ok;
}

static void
answer(struct hostile *h, int fd)
{
	char head[256];
	int len = snprintf(head, sizeof(head),
	                   "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	                   "Content-Encoding: gzip\r\nContent-Length: %zu\r\n"
	                   "Connection: close\r\n\r\n",
	                   h->bomb.len);
	size_t off = 0;

	if (send(fd, head, (size_t)len, MSG_NOSIGNAL) != len)
		return;
	while (off < h->bomb.len) {
		ssize_t n = send(fd, h->bomb.data + off, h->bomb.len - off, MSG_NOSIGNAL);

		if (n <= 0)
			return; /* the client hung up: what a refusing client does */
		off += (size_t)n;
	}
}

static void *
hostile_main(void *arg)
{
	struct hostile *h = arg;

	while (!atomic_load(&h->stop)) {
		struct pollfd pfd = {.fd = h->fd, .events = POLLIN};
		int c;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		c = accept(h->fd, NULL, NULL);
		if (c < 0)
			continue;
		if (read_request(c)) {
			answer(h, c);
			atomic_fetch_add(&h->answered, 1);
		}
		close(c);
	}
	return NULL;
}

static void
hostile_start(struct hostile *h, int n_chunks)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);

	memset(h, 0, sizeof(*h));
	make_bomb(n_chunks, &h->bomb);
	h->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(h->fd >= 0);
	assert_int_equal(bind(h->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(h->fd, 8), 0);
	assert_int_equal(getsockname(h->fd, (struct sockaddr *)&sa, &sl), 0);
	h->port = ntohs(sa.sin_port);
	atomic_init(&h->stop, false);
	atomic_init(&h->answered, 0);
	assert_int_equal(pthread_create(&h->thread, NULL, hostile_main, h), 0);
}

static void
hostile_stop(struct hostile *h)
{
	atomic_store(&h->stop, true);
	pthread_join(h->thread, NULL);
	close(h->fd);
	lc_buf_finish(&h->bomb);
}

/* ---- Tests --------------------------------------------------------------------------- */

/* The bomb is what it claims: n MiB of spaces, a valid stream with a good trailer. */
static void
test_bomb_builder_makes_a_valid_gzip_stream(void **state)
{
	struct lc_buf bomb = {0};
	unsigned char *out = lc_malloc(4 * CHUNK + 1);
	z_stream zs;

	(void)state;
	make_bomb(4, &bomb);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *)bomb.data;
	zs.avail_in = (uInt)bomb.len;
	zs.next_out = out;
	zs.avail_out = 4 * CHUNK + 1;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.total_out, 4 * CHUNK);
	assert_true(out[0] == ' ' && out[4 * CHUNK - 1] == ' ');
	inflateEnd(&zs);
	/* 1 GiB needs about 1 MiB: the ratio deflate allows. */
	assert_true(bomb.len < 4 * CHUNK / 500);
	lc_buf_finish(&bomb);
	free(out);
}

/* sync_http_request() refuses the 1 GiB answer with -LC_EPROTO and a clear message. */
static void
test_http_refuses_an_answer_inflating_past_the_bound(void **state)
{
	struct sync_http_options opts = {0};
	struct sync_http_response res;
	struct sync_http *http = NULL;
	struct hostile h;
	char url[96], *cause = NULL;
	int rc;

	(void)state;
	hostile_start(&h, 1024);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/sync", h.port);
	assert_int_equal(sync_http_create(&opts, &http, NULL), 0);
	rc = sync_http_request(http, "POST", url, "token", "{\"client_id\":\"x\"}", &res, &cause);
	assert_int_equal(rc, -LC_EPROTO);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "the server's answer is larger than 64 MiB"));
	assert_null(res.body.data); /* nothing kept */
	assert_int_equal(res.body.len, 0);
	assert_true(atomic_load(&h.answered) >= 1);
	free(cause);
	sync_http_destroy(http);
	hostile_stop(&h);
}

/* An answer just under the bound still arrives whole: the bound refuses only bombs. */
static void
test_http_takes_a_large_answer_under_the_bound(void **state)
{
	struct sync_http_options opts = {0};
	struct sync_http_response res;
	struct sync_http *http = NULL;
	struct hostile h;
	char url[96];

	(void)state;
	hostile_start(&h, SYNC_HTTP_BODY_MAX_MIB - 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/sync", h.port);
	assert_int_equal(sync_http_create(&opts, &http, NULL), 0);
	assert_int_equal(sync_http_request(http, "POST", url, NULL, "{}", &res, NULL), 0);
	assert_int_equal(res.status, 200);
	assert_int_equal(res.body.len, (size_t)(SYNC_HTTP_BODY_MAX_MIB - 1) * CHUNK);
	sync_http_response_finish(&res);
	sync_http_destroy(http);
	hostile_stop(&h);
}

/*
 * Runs `lectern --server URL --data-dir DIR sync` with its address space capped at 512 MiB,
 * as the review did with ulimit -v; returns the exit status (128 + signal when killed).
 */
static int
run_capped(const char *lectern, const char *url, const char *data_dir, const char *err_path)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = {.rlim_cur = 512ul << 20, .rlim_max = 512ul << 20};
		FILE *err = freopen(err_path, "w", stderr);

		if (err == NULL || setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(125);
		execl(lectern, lectern, "--server", url, "--data-dir", data_dir, "sync",
		      (char *)NULL);
		_exit(126);
	}
	return st_wait(pid);
}

/*
 * The review's reproduction: a replica logged in to a real lecternd syncs with --server
 * pointing at the hostile one, under a 512 MiB address-space cap. It used to abort with
 * SIGABRT ("out of memory allocating 1073741824 bytes"); it now exits 1 with the message.
 */
static void
sync_under_cap(void)
{
	char *dir = st_tmpdir("bomb"), *srv_dir = lc_asprintf("%s/server", dir);
	char *err_path = lc_asprintf("%s/lectern.err", dir), *err = NULL;
	const char *lectern = getenv("LECTERN");
	struct st_server srv = {0};
	struct st_client cl = {0};
	struct hostile h;
	char url[96];
	int rc;

	assert_non_null(lectern);
	snprintf(cl.data_dir, sizeof(cl.data_dir), "%s/client", dir);
	assert_int_equal(lc_mkdir_p(srv_dir, 0700), 0);
	assert_int_equal(st_server_start(&srv, srv_dir, 0, true), 0);
	snprintf(cl.server_url, sizeof(cl.server_url), "%s", srv.url);
	assert_int_equal(st_login(&cl, "learner"), 0);
	st_server_stop(&srv, false);

	hostile_start(&h, 1024);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", h.port);
	rc = run_capped(lectern, url, cl.data_dir, err_path);
	assert_int_equal(lc_read_file(err_path, &err, NULL), 0);
	if (rc != 1)
		fail_msg("lectern sync exited %d (want 1): %s", rc, err);
	assert_non_null(strstr(err, "the server's answer is larger than 64 MiB"));
	assert_true(atomic_load(&h.answered) >= 1);
	hostile_stop(&h);
	free(err);
	st_rmtree(dir);
	free(dir);
	free(srv_dir);
	free(err_path);
}

static void
test_lectern_sync_against_a_bomb_exits_1_in_bounded_memory(void **state)
{
	(void)state;
	/* ASan reserves terabytes of shadow memory: an address-space cap cannot apply. */
	if (UNDER_ASAN)
		skip();
	else
		sync_under_cap();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bomb_builder_makes_a_valid_gzip_stream),
	    cmocka_unit_test(test_http_refuses_an_answer_inflating_past_the_bound),
	    cmocka_unit_test(test_http_takes_a_large_answer_under_the_bound),
	    cmocka_unit_test(test_lectern_sync_against_a_bomb_exits_1_in_bounded_memory),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
