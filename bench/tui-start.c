/* SPDX-License-Identifier: MIT */
/*
 * The TUI start-up benchmark (issue 5: "starts in under 100 ms on a replica holding a large
 * campus"). It builds a replica the way sync would (store_apply_batch) holding a large
 * campus: a catalog of courses, and for the learner many enrolled courses of modules,
 * Markdown pages, quizzes and busy forums, plus their progress. Then it starts the real
 * tui_run() in a child on a pseudo-terminal, again and again, and measures the time from
 * fork to the first complete frame (the status line's "? help" reaching the terminal), the
 * server being unreachable as on a train.
 *
 * Usage: tui-start [--runs N] [--courses N] [--docs docs/benchmarks.md] [--replica PATH]
 * --replica keeps the campus at PATH (built there when missing, reused when present), as
 * bench/tui-keys does, so that both measure the same file.
 * Prints a table; with --docs rewrites the section between <!-- tui-bench --> and
 * <!-- /tui-bench --> of that file (appending the markers when missing).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/tui-campus.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica.h"
#include "tui/tui.h"

/* CPU time (user + system, ms) used so far by process pid, from /proc; -1 when unknown. */
static int64_t
cpu_ms(pid_t pid)
{
	char path[64], *text = NULL, *p;
	unsigned long long utime = 0, stime = 0;
	int64_t out = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (lc_read_file(path, &text, NULL) < 0)
		return -1;
	/* Fields after the command name, which may hold spaces: skip to its closing ")". */
	p = strrchr(text, ')');
	if (p != NULL && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	                        &utime, &stime) == 2)
		out = (int64_t)((utime + stime) * 1000 / (unsigned long long)sysconf(_SC_CLK_TCK));
	free(text);
	return out;
}

/*
 * Runs tui_run() on a pty; returns ms from fork to the first frame, or -1, the CPU time the
 * program had used by then in *cpu (ms, 10 ms ticks) and its main thread's in *main_us.
 */
static int64_t
one_start(const char *db_path, int64_t *cpu, int64_t *main_us)
{
	struct lc_buf seen = {0};
	int master;
	int64_t t0 = lc_monotonic_ms(), elapsed = -1;
	pid_t pid = tui_campus_spawn(db_path, &master);

	if (pid < 0)
		return -1;
	while (lc_monotonic_ms() - t0 < 10000) {
		struct pollfd pfd = {.fd = master, .events = POLLIN};
		char buf[4096];
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(master, buf, sizeof(buf));
		if (n <= 0)
			break;
		lc_buf_append(&seen, buf, (size_t)n);
		if (strstr(lc_buf_str(&seen), "help") != NULL) {
			elapsed = lc_monotonic_ms() - t0;
			*cpu = cpu_ms(pid);
			*main_us = tui_campus_main_cpu_us(pid);
			break;
		}
	}
	tui_campus_stop(pid, master, elapsed >= 0);
	lc_buf_finish(&seen);
	return elapsed;
}

/* The Markdown section for docs/benchmarks.md from sorted timings. */
static void
report(struct lc_buf *section, const int64_t *ms, const int64_t *cpu, const int64_t *main_us,
       int runs, int enrolled, size_t rows)
{
	int p90 = (runs * 9) / 10 < runs ? (runs * 9) / 10 : runs - 1;

	lc_buf_printf(
	    section,
	    "Start-up of the interactive `lectern` to its first full frame (80x24, "
	    "server unreachable), `bench/tui-start --runs %d --courses %d`:\n\n"
	    "| replica | runs | median | p90 | max | goal |\n|---|---|---|---|---|---|\n"
	    "| %zu rows: %d catalog courses, %d enrolled (%d modules x %d items, "
	    "%d topics x %d replies each) | %d | %lld ms | %lld ms | %lld ms | < 100 ms |\n",
	    runs, enrolled, rows, TUI_CAMPUS_CATALOG, enrolled, TUI_CAMPUS_MODULES,
	    TUI_CAMPUS_ITEMS, TUI_CAMPUS_TOPICS, TUI_CAMPUS_REPLIES, runs, (long long)ms[runs / 2],
	    (long long)ms[p90], (long long)ms[runs - 1]);
	lc_buf_printf(
	    section,
	    "\nCPU time the program had used when its first frame was out (user + system, "
	    "10 ms ticks): median %lld ms, max %lld ms; its main thread (which reads the "
	    "replica and draws, from /proc/PID/schedstat): median %.1f ms, max %.1f ms.\n",
	    (long long)cpu[runs / 2], (long long)cpu[runs - 1], main_us[runs / 2] / 1000.0,
	    main_us[runs - 1] / 1000.0);
	tui_campus_loadavg(section, "while measuring");
}

int
main(int argc, char **argv)
{
	const char *docs = NULL, *keep = NULL;
	int runs = 20, enrolled = 30;
	char dir[] = "/tmp/lectern-tui-bench-XXXXXX", path[256];
	int64_t *ms, *cpu, *main_us;
	size_t rows;
	struct lc_buf section = {0};

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--courses") == 0 && i + 1 < argc)
			enrolled = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--docs") == 0 && i + 1 < argc)
			docs = argv[++i];
		else if (strcmp(argv[i], "--replica") == 0 && i + 1 < argc)
			keep = argv[++i];
		else {
			fprintf(stderr, "usage: tui-start [--runs N] [--courses N] [--docs FILE] "
			                "[--replica PATH]\n");
			return 1;
		}
	}
	if (runs < 1 || enrolled < 1 || enrolled > TUI_CAMPUS_CATALOG || mkdtemp(dir) == NULL)
		return 1;
	rows = tui_campus_prepare(keep, dir, enrolled, path, sizeof(path));
	ms = lc_calloc((size_t)runs, sizeof(*ms));
	cpu = lc_calloc((size_t)runs, sizeof(*cpu));
	main_us = lc_calloc((size_t)runs, sizeof(*main_us));
	for (int i = 0; i < runs; i++) {
		ms[i] = one_start(path, &cpu[i], &main_us[i]);
		if (ms[i] < 0) {
			fprintf(stderr, "tui-start: run %d never drew a frame\n", i + 1);
			return 1;
		}
	}
	qsort(ms, (size_t)runs, sizeof(*ms), tui_campus_cmp64);
	qsort(cpu, (size_t)runs, sizeof(*cpu), tui_campus_cmp64);
	qsort(main_us, (size_t)runs, sizeof(*main_us), tui_campus_cmp64);
	report(&section, ms, cpu, main_us, runs, enrolled, rows);
	fputs(lc_buf_str(&section), stdout);
	if (docs != NULL && tui_campus_write_docs(docs, "tui-bench", lc_buf_str(&section)) < 0)
		fprintf(stderr, "tui-start: cannot write %s\n", docs);
	if (keep == NULL)
		tui_campus_remove(dir, path);
	lc_buf_finish(&section);
	int rc = ms[runs / 2] < 100 ? 0 : 2;

	free(ms);
	free(cpu);
	free(main_us);
	return rc;
}
