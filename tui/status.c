/* SPDX-License-Identifier: MIT */
/*
 * The status line, the last row of every screen: sync state (online, offline, syncing with
 * progress, needs login), writes waiting, sync issues, the time of the last successful sync,
 * or a flash message. It is rebuilt every tick but drawn only when its text changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "store/replica.h"
#include "sync/progress.h"
#include "tui/status-fit.h"
#include "tui/text.h"
#include "tui/tui-int.h"

static void
state_text(struct tui_app *app, const struct sync_status *st, bool brief, char *out, size_t size)
{
	if (app->user_id == NULL) {
		snprintf(out, size, "not logged in");
		return;
	}
	switch (st->state) {
	case SYNC_ONLINE:
		snprintf(out, size, "online");
		break;
	case SYNC_OFFLINE:
		snprintf(out, size, "offline");
		break;
	case SYNC_SYNCING: {
		/*
		 * Bytes, percent and time left (issue 13; ux review 2026-11-29, F2: "0 sent, 0
		 * received" for a whole sync); the writes sent so far stay counted.
		 */
		size_t len;

		if (brief)
			sync_progress_short(st, lc_monotonic_ms(), out, size);
		else
			sync_progress_text(st, lc_monotonic_ms(), out, size);
		len = strlen(out);
		if (st->entries_pushed > 0 && len < size)
			snprintf(out + len, size - len, ", %lld sent",
			         (long long)st->entries_pushed);
		break;
	}
	case SYNC_NEEDS_LOGIN:
		snprintf(out, size, "needs login (L)");
		break;
	default:
		snprintf(out, size, app->engine != NULL ? "connecting" : "offline");
		break;
	}
}

static void
last_sync_text(struct tui_app *app, const struct sync_status *st, char *out, size_t size)
{
	int64_t t = st->last_success;
	char *setting = NULL;

	if (t == 0 && store_setting_get(app->db, "last_sync", &setting) == 0 && setting != NULL)
		lc_rfc3339_parse(setting, &t);
	free(setting);
	if (t == 0) {
		snprintf(out, size, "never synced");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	if (lc_now() - t < 20 * 3600)
		strftime(out, size, "synced %H:%M", &tm);
	else
		strftime(out, size, "synced %Y-%m-%d %H:%M", &tm);
}

/*
 * The counts (state, writes waiting, sync issues) into counts and the last sync time into
 * last. The counts are never cut; the time gives way to a message (ux review 2026-11-29, A8).
 */
static void
build(struct tui_app *app, int width, char *counts, size_t csize, char *last, size_t lsize)
{
	struct sync_status st = {0};
	char state[100], issues[40] = "";
	int64_t waiting = 0, n_issues = 0;

	last[0] = '\0';
	if (app->engine != NULL)
		sync_engine_status(app->engine, &st);
	state_text(app, &st, false, state, sizeof(state));
	if (app->db == NULL) { /* a kiosk's sign-in screen: no replica open (issue 13) */
		snprintf(counts, csize, "%s", state);
		return;
	}
	last_sync_text(app, &st, last, lsize);
	store_outbox_count(app->db, &waiting);
	store_issue_count(app->db, &n_issues);
	if (n_issues > 0)
		snprintf(issues, sizeof(issues), " | %lld sync issue%s (i)", (long long)n_issues,
		         n_issues == 1 ? "" : "s");
	snprintf(counts, csize, "%s | %lld waiting%s%s", state, (long long)waiting,
	         waiting > 0 ? " (w)" : "", issues);
	/*
	 * Progress in fewer words rather than counts cut off or the last sync time dropped
	 * (ux review 2026-11-29, A8); width is the room for the counts and the time.
	 */
	if (st.state == SYNC_SYNCING && tui_text_width(counts) + 3 + tui_text_width(last) > width) {
		state_text(app, &st, true, state, sizeof(state));
		snprintf(counts, csize, "%s | %lld waiting%s%s", state, (long long)waiting,
		         waiting > 0 ? " (w)" : "", issues);
	}
}

const char *
tui_status_first_sync(struct tui_app *app)
{
	struct sync_status st = {0};
	bool first = false;

	if (app->user_id == NULL || app->db == NULL ||
	    sync_replica_first_sync(app->db, &first) < 0 || !first)
		return NULL;
	if (app->engine != NULL)
		sync_engine_status(app->engine, &st);
	switch (st.state) {
	case SYNC_OFFLINE:
		return "Your courses are not downloaded yet: the server cannot be reached. "
		       "They come with the first sync (s: try now).";
	case SYNC_NEEDS_LOGIN:
		return "Your courses are not downloaded yet: sign in again (L) to download them.";
	default:
		return "Downloading your courses... The status line shows how far it is.";
	}
}

/*
 * "offline", "needs login" and "N sync issues" each in their own role, over the line
 * drawn in the status role (ux review 2026-11-29, A9: every state was white on blue). Under
 * NO_COLOR the roles are bold reverse and the words alone tell the states apart.
 */
static void
mark_states(struct tui_app *app, const char *left, int lw)
{
	static const struct {
		const char *word;
		enum tui_role role;
	} states[] = {{"offline", TUI_ROLE_OFFLINE}, {"needs login", TUI_ROLE_LOGIN}};
	const char *issues = strstr(left, " sync issue");

	(void)app;
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strncmp(left, states[i].word, strlen(states[i].word)) == 0)
			tui_put(LINES - 1, 1, states[i].word, lw, tui_attr(states[i].role));
	if (issues != NULL) { /* "N sync issues (i)", its count included */
		const char *start = issues, *end = strstr(issues, " | ");
		int x;

		while (start > left && start[-1] >= '0' && start[-1] <= '9')
			start--;
		x = tui_text_width_n(left, (size_t)(start - left));
		if (x < lw)
			tui_putn(LINES - 1, 1 + x, start,
			         end != NULL ? (size_t)(end - start) : strlen(start), lw - x,
			         tui_attr(TUI_ROLE_ISSUES));
	}
}

bool
tui_status_draw(struct tui_app *app, bool force)
{
	char counts[176], last[48], left[228], right[sizeof(app->flash) + 4], text[512];
	bool flash = app->flash[0] != '\0' && lc_monotonic_ms() < app->flash_until_ms;
	const char *msg;
	int lw;

	if (!flash)
		app->flash[0] = '\0';
	/*
	 * The counts stay whole on the left; a message takes the right part in place of the
	 * help hint, shortened at a word when it does not fit (ux review 2026-11-29, A8).
	 */
	msg = flash ? app->flash : "? help";
	build(app, COLS - 4 - tui_text_width(msg), counts, sizeof(counts), last, sizeof(last));
	tui_status_fit(counts, last, msg, COLS, left, sizeof(left), right, sizeof(right));
	snprintf(text, sizeof(text), "%s\x01%s", left, right);
	if (!force && strcmp(text, app->status_text) == 0)
		return false;
	snprintf(app->status_text, sizeof(app->status_text), "%s", text);
	tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
	lw = tui_put(LINES - 1, 1, left, COLS - 2, tui_attr(TUI_ROLE_STATUS));
	mark_states(app, left, lw);
	if (right[0] != '\0') {
		int rw = tui_text_width(right);

		if (COLS - rw - 1 >= lw + 3)
			tui_put(LINES - 1, COLS - rw - 1, right, rw,
			        tui_attr(TUI_ROLE_STATUS) | (flash ? A_BOLD : A_NORMAL));
	}
	wnoutrefresh(stdscr);
	return true;
}
