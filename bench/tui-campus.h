/* SPDX-License-Identifier: MIT */
/*
 * What the TUI benchmarks share (bench/tui-start.c, bench/tui-keys.c): the large campus
 * replica they run the real program on, the pty child that runs tui_run() on it, and the
 * docs/benchmarks.md section writer.
 */
#ifndef BENCH_TUI_CAMPUS_H
#define BENCH_TUI_CAMPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/buf.h"

/* The campus: catalog courses, and per enrolled course modules x items, topics x replies. */
#define TUI_CAMPUS_CATALOG 2000
#define TUI_CAMPUS_MODULES 8
#define TUI_CAMPUS_ITEMS 10
#define TUI_CAMPUS_TOPICS 40
#define TUI_CAMPUS_REPLIES 8

/*
 * Fills a new replica at path with the campus (enrolled courses of the learner, 1 ..
 * TUI_CAMPUS_CATALOG), the session of a logged-in learner and an unreachable server
 * (127.0.0.1:9); returns the number of rows. Exits on failure (a benchmark has no use
 * for a half-built replica).
 */
size_t tui_campus_build(const char *path, int enrolled);
/* The number of rows tui_campus_build() makes for enrolled courses. */
size_t tui_campus_rows(int enrolled);
/*
 * The replica a bench runs on, written into path: keep as it is when given and present,
 * else a campus built at keep, or in dir (a fresh mkdtemp() folder, removed when keep is
 * used). Prints its size and build time; returns its row count.
 */
size_t tui_campus_prepare(const char *keep, char *dir, int enrolled, char *path, size_t size);
/* Removes the replica at path with its -wal and -shm, then its folder. */
void tui_campus_remove(const char *dir, const char *path);

/* Starts tui_run() on the replica at db_path in a child on a new 80x24 pty. */
pid_t tui_campus_spawn(const char *db_path, int *master);
/* Asks the child to quit (Q), drains its output, and reaps it (SIGKILL after 5 s). */
void tui_campus_stop(pid_t pid, int master, bool clean);

int tui_campus_cmp64(const void *a, const void *b);
/*
 * CPU time (us) the main thread of pid has used, from /proc/PID/schedstat; -1 unknown. The
 * main thread reads and draws; the sync engine has a thread of its own.
 */
int64_t tui_campus_main_cpu_us(pid_t pid);
/* Appends "Load average ...: <loadavg> (<n> cores)." to out, with when ("while measuring"). */
void tui_campus_loadavg(struct lc_buf *out, const char *when);
/*
 * Replaces the text between <!-- name --> and <!-- /name --> of the file at path with
 * section (appends the markers when missing). Returns 0 or -1.
 */
int tui_campus_write_docs(const char *path, const char *name, const char *section);

#endif
