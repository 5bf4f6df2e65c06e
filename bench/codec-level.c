/* SPDX-License-Identifier: MIT */
/*
 * codec-level: what lecternd's zstd level by size (server-stub/codec.c,
 * srv_codec_zstd_level(), for /sync answers) costs and saves per answer, against level 3 for every
 * size (what it did before; issue 10, the campus delta at most 1.2x its gzip floor).
 *
 * For each size, the first that many bytes of the input are compressed --rounds times at
 * level 3 (ZSTD_compress) and by srv_codec_compress_dense("zstd", ...) (a /sync answer); prints the
 * compressed bytes and the median microseconds per answer of each. The input is --input FILE (e.g.
 * a captured answer or the perf review's initial.jsonl), or by default a generated sync answer:
 * changes of replies and pages whose bodies are words drawn from a small vocabulary (as
 * compressible as prose, not as the repeated text of a toy input).
 *
 * Usage: codec-level [--input FILE] [--rounds N]   (asserts nothing)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "server-stub/srv.h"

#define MAX_ROUNDS 1000

static const char *const words[] = {
    "the",      "a",        "of",      "to",       "and",      "in",      "is",     "that",
    "for",      "it",       "as",      "with",     "on",       "this",    "be",     "are",
    "by",       "at",       "from",    "or",       "an",       "which",   "we",     "can",
    "function", "pointer",  "memory",  "array",    "compiler", "lecture", "module", "quiz",
    "answer",   "question", "example", "students", "course",   "reading", "notes",  "proof",
    "theorem",  "graph",    "vertex",  "edge",     "matrix",   "vector",  "value",  "type",
    "string",   "loop",     "return",  "error",    "system",   "process", "thread", "lock",
    "network",  "packet",   "layer",   "protocol", "cache",    "disk",    "index",  "query"};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A sync answer of at least len bytes: {"changes":[...]} of replies and pages. */
static void
make_answer(struct lc_buf *b, size_t len)
{
	int64_t seq = 1000;

	lc_buf_puts(b, "{\"changes\":[");
	while (b->len < len) {
		bool page = next() % 5 == 0;
		int n = 30 + (int)(next() % (page ? 300 : 80));

		lc_buf_printf(b,
		              "{\"scope\":\"course:%08llx\",\"type\":\"%s\",\"id\":\"%016llx\","
		              "\"rev\":%d,\"seq\":%lld,\"deleted\":false,\"doc\":{\"id\":"
		              "\"%016llx\",\"author_name\":\"User %d\",\"updated_at\":"
		              "\"2026-11-29T23:%02d:%02dZ\",\"body\":\"",
		              (unsigned long long)(next() % 5), page ? "item" : "reply",
		              (unsigned long long)next(), 1 + (int)(next() % 4), (long long)seq++,
		              (unsigned long long)next(), (int)(next() % 40), (int)(next() % 60),
		              (int)(next() % 60));
		for (int w = 0; w < n; w++)
			lc_buf_printf(b, "%s%s", w ? " " : "",
			              words[next() % (sizeof(words) / sizeof(words[0]))]);
		lc_buf_puts(b, ".\"}},");
	}
	lc_buf_puts(b, "{}]}");
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Median microseconds of rounds compressions of len bytes; *bytes gets the output size. */
static double
time_it(const char *in, size_t len, int level, int rounds, size_t *bytes)
{
	int64_t us[MAX_ROUNDS];

	for (int i = 0; i < rounds; i++) {
		int64_t t0 = lc_monotonic_us();
		void *out = NULL;
		size_t n = 0;

		if (level > 0) {
			size_t bound = ZSTD_compressBound(len);

			out = lc_malloc(bound);
			n = ZSTD_compress(out, bound, in, len, level);
			if (ZSTD_isError(n))
				n = 0;
		} else if (srv_codec_compress_dense("zstd", in, len, &out, &n) != 0) {
			n = 0;
		}
		us[i] = lc_monotonic_us() - t0;
		free(out);
		*bytes = n;
	}
	qsort(us, (size_t)rounds, sizeof(us[0]), cmp_i64);
	return (double)us[rounds / 2];
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = {1024, 4096, 20563, 32768, 32769, 65536, 262144};
	const char *input = NULL;
	int rounds = 51;
	struct lc_buf text;
	char *load = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--input") == 0 && i + 1 < argc) {
			input = argv[++i];
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			char *end;
			long x = strtol(argv[++i], &end, 10);

			if (*end != '\0' || x < 1 || x > MAX_ROUNDS) {
				fprintf(stderr, "codec-level: bad --rounds\n");
				return 2;
			}
			rounds = (int)x;
		} else {
			fprintf(stderr, "usage: codec-level [--input FILE] [--rounds N]\n");
			return 2;
		}
	}
	lc_buf_init(&text);
	if (input != NULL) {
		char *data = NULL;
		size_t len = 0;

		if (lc_read_file(input, &data, &len) != 0) {
			fprintf(stderr, "codec-level: cannot read %s\n", input);
			return 1;
		}
		lc_buf_append(&text, data, len);
		free(data);
	} else {
		make_answer(&text, sizes[sizeof(sizes) / sizeof(sizes[0]) - 1]);
	}
	printf("zstd per answer, median of %d, input %s\n\n", rounds,
	       input != NULL ? input : "generated sync answer");
	printf("| answer bytes | level 3 bytes | level 3 us | by size: level | bytes | us | "
	       "bytes saved | extra us |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i], b3 = 0, bl = 0;
		double t3, tl;

		if (len > text.len)
			break;
		t3 = time_it(text.data, len, 3, rounds, &b3);
		tl = time_it(text.data, len, 0, rounds, &bl);
		printf("| %zu | %zu | %.0f | %d | %zu | %.0f | %lld | %.0f |\n", len, b3, t3,
		       srv_codec_zstd_level(len, true), bl, tl, (long long)b3 - (long long)bl,
		       tl - t3);
	}
	if (lc_read_file("/proc/loadavg", &load, NULL) == 0)
		printf("\nload average after: %s", load);
	free(load);
	lc_buf_finish(&text);
	return 0;
}
