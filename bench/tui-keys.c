/* SPDX-License-Identifier: MIT */
/*
 * The TUI key latency benchmark (issue 10: "TUI first frame under 50 ms on a 200,000-row
 * replica, and every key on every screen redrawn within 16 ms there"). On the campus of
 * bench/tui-start (tui-campus.c; --courses 400 is 197,600 rows) it starts the real
 * tui_run() on a pseudo-terminal, server unreachable, and walks every screen a learner can
 * reach with the keys a learner presses: home, catalog (browse, search), course info,
 * course outline, reader, quiz, forum, topic, sync issues, help, and back. Each round is a
 * fresh start, so it also gives the first frame (fork to the status line's "? help").
 *
 * A key's time runs from writing it to the pty to the last byte of the redraw it caused:
 * the output is read until it has been quiet for QUIET_MS, and the time of its last byte
 * counts (curses sends one burst per doupdate()). Before each key the output must have
 * been quiet for QUIET_MS too, so a late status line is not blamed on the next key.
 *
 * Five benchmarks may share two cores, so the time also waits for a core. The table adds
 * the CPU time the program's main thread (the one that reads and draws; the sync engine
 * has its own) spent on the key, from /proc/PID/schedstat (nanoseconds): what the key
 * costs on an idle machine, give or take the terminal.
 *
 * Usage: tui-keys [--rounds N] [--courses N] [--docs FILE] [--trace] [--replica PATH]
 * --replica keeps the campus at PATH (built there when missing, reused when present:
 * building 200,000 rows takes about a minute).
 * Prints a table (median / p90 / max per screen and key); with --docs rewrites the
 * section between <!-- tui-keys --> and <!-- /tui-keys --> of FILE.
 */
#include <ctype.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/tui-campus.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/mem.h"

#define QUIET_MS 60
#define FIRST_BYTE_MS 5000
#define FRAME_LIMIT_MS 20000

/* One key press of the walk: the screen it is pressed on, what it does, its bytes. */
struct step {
	const char *screen;
	const char *key;
	const char *bytes;
};

#define PGDN "\033[6~"

/*
 * The walk, from Home with the first course selected, back to Home. The replica's first
 * course (by enrollment) has 8 modules of 10 items, the last of each a quiz (with no
 * questions on this campus: its start key only says so), and a forum of 40 topics of 8
 * replies. The search "course" matches all 2,000 catalog courses (100 shown).
 */
static const struct step walk[] = {
    {"home", "down (j)", "j"},
    {"home", "up (k)", "k"},
    {"home", "page down (PgDn)", PGDN},
    {"home", "top (g)", "g"},
    {"home -> catalog", "open (c)", "c"},
    {"catalog", "down (j)", "j"},
    {"catalog", "page down (PgDn)", PGDN},
    {"catalog", "end (G)", "G"},
    {"catalog", "top (g)", "g"},
    {"catalog", "search prompt (/)", "/"},
    {"search prompt", "type a letter", "c"},
    {"search prompt", "type a letter", "o"},
    {"search prompt", "type a letter", "u"},
    {"search prompt", "type a letter", "r"},
    {"search prompt", "type a letter", "s"},
    {"search prompt", "type a letter", "e"},
    {"search prompt -> search results", "run (Enter)", "\r"},
    {"search results", "down (j)", "j"},
    {"search results", "page down (PgDn)", PGDN},
    {"search results -> course info", "open (Enter)", "\r"},
    {"course info -> search results", "back (q)", "q"},
    {"search results -> home", "back (q)", "q"},
    {"home -> course outline", "open (Enter)", "\r"},
    {"course outline", "down (j)", "j"},
    {"course outline", "up (k)", "k"},
    {"course outline -> reader", "open (Enter)", "\r"},
    {"reader", "scroll (j)", "j"},
    {"reader", "page down (Space)", " "},
    {"reader", "end (G)", "G"},
    {"reader -> course outline", "back (q)", "q"},
    {"course outline", "page down (PgDn)", PGDN},
    {"course outline", "end (G)", "G"},
    {"course outline -> quiz", "open (Enter)", "\r"},
    {"quiz", "start (t)", "t"},
    {"quiz -> course outline", "back (q)", "q"},
    {"course outline -> home", "back (q)", "q"},
    {"home -> forum topic list", "open (f)", "f"},
    {"forum topic list", "down (j)", "j"},
    {"forum topic list", "page down (PgDn)", PGDN},
    {"forum topic list", "top (g)", "g"},
    {"forum topic list -> topic", "open (Enter)", "\r"},
    {"topic", "next post (j)", "j"},
    {"topic", "page down (Space)", " "},
    {"topic -> forum topic list", "back (q)", "q"},
    {"forum topic list -> home", "back (q)", "q"},
    {"home -> sync issues", "open (i)", "i"},
    {"sync issues -> home", "back (q)", "q"},
    {"home -> help", "open (?)", "?"},
    {"help -> home", "back (q)", "q"},
};

#define N_STEPS (sizeof(walk) / sizeof(walk[0]))

/* Samples (microseconds: wall, main-thread CPU) of one (screen, key) row of the table. */
struct row {
	const char *screen, *key;
	int64_t *us, *cpu;
	int n, cap, silent;
};

static struct row rows[N_STEPS + 1];
static int n_rows;
static bool trace;

static struct row *
row_for(const char *screen, const char *key)
{
	for (int i = 0; i < n_rows; i++)
		if (strcmp(rows[i].screen, screen) == 0 && strcmp(rows[i].key, key) == 0)
			return &rows[i];
	rows[n_rows].screen = screen;
	rows[n_rows].key = key;
	return &rows[n_rows++];
}

static void
sample(struct row *r, int64_t us, int64_t cpu)
{
	if (us < 0) {
		r->silent++;
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->us = lc_realloc(r->us, (size_t)r->cap * sizeof(*r->us));
		r->cpu = lc_realloc(r->cpu, (size_t)r->cap * sizeof(*r->cpu));
	}
	r->us[r->n] = us;
	r->cpu[r->n++] = cpu;
}

/* Reads what is there for up to ms; returns the bytes read, 0 on quiet, -1 at the end. */
static ssize_t
read_for(int master, int ms, struct lc_buf *seen)
{
	struct pollfd pfd = {.fd = master, .events = POLLIN};
	char buf[8192];
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = read(master, buf, sizeof(buf));
	if (n <= 0)
		return -1;
	if (seen != NULL)
		lc_buf_append(seen, buf, (size_t)n);
	return n;
}

/* Waits until the output has been quiet for QUIET_MS. Returns -1 when the child is gone. */
static int
settle(int master)
{
	ssize_t n;

	while ((n = read_for(master, QUIET_MS, NULL)) > 0)
		;
	return n < 0 ? -1 : 0;
}

/* The text of terminal output without its escape sequences, for --trace. */
static void
print_text(const char *label, const char *s)
{
	printf("  [%s] ", label);
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\033') {
			p++;
			if (*p == '[')
				while (p[1] != '\0' && !isalpha((unsigned char)p[1]))
					p++;
			if (*p == '\0')
				break;
			continue;
		}
		if (isprint((unsigned char)*p))
			putchar(*p);
	}
	putchar('\n');
}

/*
 * Presses a key: microseconds from writing it to the last byte of the burst it caused, or
 * -1 when nothing was redrawn within FIRST_BYTE_MS (or the child is gone).
 */
static int64_t
press(pid_t pid, int master, const struct step *st, int64_t *cpu)
{
	struct lc_buf seen = {0};
	int64_t t0, last = -1, cpu0;
	ssize_t n;

	if (settle(master) < 0)
		return -1;
	cpu0 = tui_campus_main_cpu_us(pid);
	t0 = lc_monotonic_us();
	if (write(master, st->bytes, strlen(st->bytes)) != (ssize_t)strlen(st->bytes))
		return -1;
	n = read_for(master, FIRST_BYTE_MS, &seen);
	while (n > 0) {
		last = lc_monotonic_us();
		n = read_for(master, QUIET_MS, &seen);
	}
	*cpu = tui_campus_main_cpu_us(pid) - cpu0;
	if (trace)
		print_text(st->key, lc_buf_str(&seen));
	lc_buf_finish(&seen);
	return last < 0 ? -1 : last - t0;
}

/*
 * One round: start, first frame, the walk, quit. Returns the first frame in us, or -1, and
 * the main thread's CPU time by then in *cpu.
 */
static int64_t
one_round(const char *db_path, int64_t *cpu)
{
	struct lc_buf seen = {0};
	int master;
	int64_t t0 = lc_monotonic_us(), frame = -1;
	pid_t pid = tui_campus_spawn(db_path, &master);

	if (pid < 0)
		return -1;
	while (lc_monotonic_us() - t0 < FRAME_LIMIT_MS * 1000LL) {
		if (read_for(master, 100, &seen) < 0)
			break;
		if (strstr(lc_buf_str(&seen), "help") != NULL) {
			frame = lc_monotonic_us() - t0;
			*cpu = tui_campus_main_cpu_us(pid);
			break;
		}
	}
	lc_buf_finish(&seen);
	if (frame >= 0) {
		/* Let the sync engine find the server unreachable and say so first. */
		usleep(500 * 1000);
		for (size_t i = 0; i < N_STEPS; i++) {
			int64_t key_cpu = 0, us = press(pid, master, &walk[i], &key_cpu);

			sample(row_for(walk[i].screen, walk[i].key), us, key_cpu);
		}
	}
	tui_campus_stop(pid, master, frame >= 0);
	return frame;
}

static void
table_row(struct lc_buf *out, const char *screen, const char *key, int64_t *us, int64_t *cpu, int n,
          int silent)
{
	int p90 = (n * 9) / 10 < n ? (n * 9) / 10 : n - 1;

	if (n == 0) {
		lc_buf_printf(out, "| %s | %s | - | - | - | - | 0 of %d |\n", screen, key, silent);
		return;
	}
	qsort(us, (size_t)n, sizeof(*us), tui_campus_cmp64);
	qsort(cpu, (size_t)n, sizeof(*cpu), tui_campus_cmp64);
	lc_buf_printf(out, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %d", screen, key,
	              us[n / 2] / 1000.0, us[p90] / 1000.0, us[n - 1] / 1000.0, cpu[n / 2] / 1000.0,
	              n);
	if (silent > 0)
		lc_buf_printf(out, " (+%d no redraw)", silent);
	lc_buf_printf(out, " |\n");
}

int
main(int argc, char **argv)
{
	const char *docs = NULL, *keep = NULL;
	int rounds = 10, enrolled = 400, failed = 0, over = 0;
	char dir[] = "/tmp/lectern-tui-keys-XXXXXX", path[256];
	int64_t *frames, *frames_cpu;
	size_t rows_built;
	struct lc_buf out = {0};

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--courses") == 0 && i + 1 < argc)
			enrolled = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--docs") == 0 && i + 1 < argc)
			docs = argv[++i];
		else if (strcmp(argv[i], "--replica") == 0 && i + 1 < argc)
			keep = argv[++i];
		else if (strcmp(argv[i], "--trace") == 0)
			trace = true;
		else {
			fprintf(stderr, "usage: tui-keys [--rounds N] [--courses N] [--docs FILE] "
			                "[--trace] [--replica PATH]\n");
			return 1;
		}
	}
	if (rounds < 1 || enrolled < 1 || enrolled > TUI_CAMPUS_CATALOG || mkdtemp(dir) == NULL)
		return 1;
	rows_built = tui_campus_prepare(keep, dir, enrolled, path, sizeof(path));
	frames = lc_calloc((size_t)rounds, sizeof(*frames));
	frames_cpu = lc_calloc((size_t)rounds, sizeof(*frames_cpu));
	for (int i = 0; i < rounds; i++) {
		int64_t f_cpu = 0, f = one_round(path, &f_cpu);

		if (f < 0) {
			fprintf(stderr, "tui-keys: round %d never drew a frame\n", i + 1);
			failed++;
			continue;
		}
		frames[i - failed] = f;
		frames_cpu[i - failed] = f_cpu;
		printf("round %d: first frame %.1f ms\n", i + 1, f / 1000.0);
		fflush(stdout);
	}
	lc_buf_printf(&out,
	              "The real `lectern` TUI on a %zu-row replica (%d catalog courses, %d "
	              "enrolled), 80x24 pty, server unreachable: `bench/tui-keys --rounds %d "
	              "--courses %d`. Milliseconds from the key to the last byte of its redraw "
	              "(the first frame: from fork); each round a fresh start. CPU: the median "
	              "CPU time of the program's main thread for the key (the first frame: "
	              "since its start), which waiting for a core does not inflate.\n\n"
	              "| screen | key | median ms | p90 ms | max ms | CPU median ms | samples |\n"
	              "|---|---|---:|---:|---:|---:|---:|\n",
	              rows_built, TUI_CAMPUS_CATALOG, enrolled, rounds, enrolled);
	table_row(&out, "start", "first frame", frames, frames_cpu, rounds - failed, failed);
	for (int i = 0; i < n_rows; i++) {
		table_row(&out, rows[i].screen, rows[i].key, rows[i].us, rows[i].cpu, rows[i].n,
		          rows[i].silent);
		if (rows[i].n > 0 && rows[i].us[rows[i].n / 2] > 16000)
			over++;
	}
	tui_campus_loadavg(&out, "after measuring");
	fputs(lc_buf_str(&out), stdout);
	if (docs != NULL && tui_campus_write_docs(docs, "tui-keys", lc_buf_str(&out)) < 0)
		fprintf(stderr, "tui-keys: cannot write %s\n", docs);
	if (keep == NULL)
		tui_campus_remove(dir, path);
	printf("keys with a median over 16 ms: %d\n", over);
	for (int i = 0; i < n_rows; i++) {
		free(rows[i].us);
		free(rows[i].cpu);
	}
	lc_buf_finish(&out);
	int rc = failed == 0 && rounds > 0 && frames[(rounds - failed) / 2] < 50000 && over == 0;

	free(frames);
	free(frames_cpu);
	return rc ? 0 : 2;
}
