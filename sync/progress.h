/* SPDX-License-Identifier: MIT */
/*
 * What a long sync shows (issue 13; ux review 2026-11-29, F2): bytes so far, the total
 * they are heading for, a percent and the time left at the measured rate, as the TUI's
 * status line and `lectern sync` on a terminal print them ("Syncing: 1.2 of 3.4 MB (35%),
 * about 40 s left"). Pure arithmetic on a struct sync_status, without curses, so that the
 * unit tests pin it.
 *
 * The total is an estimate: the bytes down of the answers applied so far, scaled by the
 * changes they brought against those the server says are left (its "remaining", an
 * opt-in of /sync, docs/api.md "Sync progress"). Answers of one sync are alike (zstd over
 * JSON of one kind of row), so the scale is honest to within the spread of row sizes; the
 * percent stops at 99 until the last answer is in.
 */
#ifndef SYNC_PROGRESS_H
#define SYNC_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "sync/engine.h"

struct sync_progress {
	int64_t done;  /* bytes down so far this sync */
	int64_t total; /* estimated bytes down of the whole sync; -1 unknown */
	int percent;   /* 0..100; -1 unknown */
	int64_t eta_s; /* seconds left at the rate so far; -1 unknown */
};

/* The progress of st at now_ms (lc_monotonic_ms()). */
void sync_progress_compute(const struct sync_status *st, int64_t now_ms, struct sync_progress *out);
/* n bytes as people read them: "512 B", "12.3 kB", "1.2 MB", "3.4 GB" (powers of 1000). */
void sync_progress_bytes(int64_t n, char *out, size_t size);
/* "40 s", "3 min", "2 h 5 min" (rounded up: never promises less than it will take). */
void sync_progress_duration(int64_t s, char *out, size_t size);
/*
 * The line for st: "Syncing: 1.2 of 3.4 MB (35%), about 40 s left", "Syncing: 12.3 kB
 * received", "Syncing: connecting", "Syncing: waiting for the server"; the first sync says
 * "Downloading your courses" in place of "Syncing".
 */
void sync_progress_text(const struct sync_status *st, int64_t now_ms, char *out, size_t size);
/*
 * The same in fewer cells, for a status line that must keep its counts at 80 columns:
 * "Syncing 35% of 3.4 MB, 40 s left", "Downloading 35% of 3.4 MB, 40 s left"; without a
 * total, the words of sync_progress_text().
 */
void sync_progress_short(const struct sync_status *st, int64_t now_ms, char *out, size_t size);

#endif
