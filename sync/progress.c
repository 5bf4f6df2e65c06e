/* SPDX-License-Identifier: MIT */
/* The arithmetic of sync progress (progress.h). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sync/progress.h"

/* Under this much time or data the rate says nothing yet (a handshake, a first packet). */
#define RATE_MIN_MS 1000
#define RATE_MIN_BYTES 1024

void
sync_progress_compute(const struct sync_status *st, int64_t now_ms, struct sync_progress *out)
{
	int64_t elapsed = now_ms - st->started_ms;

	out->done = st->bytes_down > 0 ? st->bytes_down : 0;
	out->total = -1;
	out->percent = -1;
	out->eta_s = -1;
	if (st->changes_left == 0 && st->bytes_down_answered > 0) {
		/* The server said nothing is left: only this answer's bytes (if any) to come. */
		out->total = out->done;
	} else if (st->changes_left > 0 && st->changes_applied > 0 && st->bytes_down_answered > 0) {
		/* In double: bytes times changes can pass int64 on a large campus. */
		double per_change = (double)st->bytes_down_answered / (double)st->changes_applied;
		double total =
		    (double)st->bytes_down_answered + per_change * (double)st->changes_left;

		out->total = total > 9.0e18 ? INT64_MAX / 2 : (int64_t)total;
	}
	if (out->total < 0)
		return;
	if (out->total < out->done)
		out->total = out->done; /* an answer larger than its estimate */
	if (out->total == 0 || out->total == out->done) {
		out->percent = st->changes_left == 0 ? 100 : 99;
		out->eta_s = st->changes_left == 0 ? 0 : -1;
		return;
	}
	out->percent = (int)((double)out->done * 100.0 / (double)out->total);
	if (out->percent > 99)
		out->percent = 99; /* 100 only once the server says nothing is left */
	assert(out->percent >= 0 && out->percent <= 99);
	if (elapsed >= RATE_MIN_MS && out->done >= RATE_MIN_BYTES) {
		double rate = (double)out->done * 1000.0 / (double)elapsed; /* bytes per second */
		double left = (double)(out->total - out->done) / rate;

		out->eta_s = left > 1.0e9 ? 1000000000 : (int64_t)left + 1;
	}
}

void
sync_progress_bytes(int64_t n, char *out, size_t size)
{
	static const char *const units[] = {"kB", "MB", "GB", "TB"};
	double v = (double)n;
	int u = -1;

	if (n < 1000) {
		snprintf(out, size, "%lld B", (long long)(n > 0 ? n : 0));
		return;
	}
	/* Step up while the rounded figure would read 1000 or more in this unit. */
	while (u < 3 && v >= 999.95) {
		v /= 1000.0;
		u++;
	}
	if (v < 99.95)
		snprintf(out, size, "%.1f %s", v, units[u]);
	else
		snprintf(out, size, "%.0f %s", v, units[u]);
}

void
sync_progress_duration(int64_t s, char *out, size_t size)
{
	if (s < 0)
		s = 0;
	if (s < 90) {
		snprintf(out, size, "%lld s", (long long)s);
	} else if (s < 90 * 60) {
		snprintf(out, size, "%lld min", (long long)((s + 59) / 60));
	} else {
		int64_t m = (s + 59) / 60;

		snprintf(out, size, "%lld h %lld min", (long long)(m / 60), (long long)(m % 60));
	}
}

void
sync_progress_text(const struct sync_status *st, int64_t now_ms, char *out, size_t size)
{
	const char *what = st->initial ? "Downloading your courses" : "Syncing";
	struct sync_progress p;
	char done[32], total[32], eta[48] = "";

	sync_progress_compute(st, now_ms, &p);
	sync_progress_bytes(p.done, done, sizeof(done));
	if (p.total >= 0 && p.percent >= 0) {
		if (p.eta_s > 0) {
			char d[32];

			sync_progress_duration(p.eta_s, d, sizeof(d));
			snprintf(eta, sizeof(eta), ", about %s left", d);
		}
		sync_progress_bytes(p.total, total, sizeof(total));
		/* "1.2 of 3.4 MB": the unit once when both figures have it. */
		if (strcmp(strchr(done, ' '), strchr(total, ' ')) == 0)
			*strchr(done, ' ') = '\0';
		snprintf(out, size, "%s: %s of %s (%d%%)%s", what, done, total, p.percent, eta);
	} else if (p.done > 0) {
		snprintf(out, size, "%s: %s received", what, done);
	} else if (st->bytes_up > 0) {
		snprintf(out, size, "%s: waiting for the server", what);
	} else {
		snprintf(out, size, "%s: connecting", what);
	}
}

void
sync_progress_short(const struct sync_status *st, int64_t now_ms, char *out, size_t size)
{
	struct sync_progress p;
	char total[32], eta[48] = "";

	sync_progress_compute(st, now_ms, &p);
	if (p.total < 0 || p.percent < 0) {
		sync_progress_text(st, now_ms, out, size);
		return;
	}
	if (p.eta_s > 0) {
		char d[32];

		sync_progress_duration(p.eta_s, d, sizeof(d));
		snprintf(eta, sizeof(eta), ", %s left", d);
	}
	sync_progress_bytes(p.total, total, sizeof(total));
	snprintf(out, size, "%s %d%% of %s%s", st->initial ? "Downloading" : "Syncing", p.percent,
	         total, eta);
}
