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

static void
build(struct tui_app *app, int width, char *out, size_t size)
{
	struct sync_status st = {0};
	char state[160], last[64], issues[48] = "";
	int64_t waiting = 0, n_issues = 0;

	if (app->engine != NULL)
		sync_engine_status(app->engine, &st);
	state_text(app, &st, false, state, sizeof(state));
	if (app->db == NULL) { /* a kiosk's sign-in screen: no replica open (issue 13) */
		snprintf(out, size, "%s", state);
		return;
	}
	last_sync_text(app, &st, last, sizeof(last));
	store_outbox_count(app->db, &waiting);
	store_issue_count(app->db, &n_issues);
	if (n_issues > 0)
		snprintf(issues, sizeof(issues), " | %lld sync issue%s (i)", (long long)n_issues,
		         n_issues == 1 ? "" : "s");
	snprintf(out, size, "%s | %lld waiting%s | %s", state, (long long)waiting, issues, last);
	/* Progress in fewer words rather than counts cut off (ux review 2026-11-29, A8). */
	if (st.state == SYNC_SYNCING && tui_text_width(out) > width) {
		state_text(app, &st, true, state, sizeof(state));
		snprintf(out, size, "%s | %lld waiting%s | %s", state, (long long)waiting, issues,
		         last);
	}
	if (st.message[0] != '\0' && st.state == SYNC_OFFLINE) {
		size_t len = strlen(out);

		snprintf(out + len, size - len, " | %s", st.message);
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

bool
tui_status_draw(struct tui_app *app, bool force)
{
	char text[512];
	const char *help = "? help";
	bool flash = app->flash[0] != '\0' && lc_monotonic_ms() < app->flash_until_ms;
	const char *right = flash ? app->flash : help;
	int rw, lw;

	if (!flash)
		app->flash[0] = '\0';
	/* The state stays visible; a message takes the place of the help hint on the right. */
	rw = tui_text_width(right);
	if (rw > COLS / 2)
		rw = COLS / 2;
	lw = COLS - rw - 4;
	build(app, lw, text, sizeof(text));
	{
		size_t len = strlen(text);

		snprintf(text + len, sizeof(text) - len, "\x01%s", right);
	}
	if (!force && strcmp(text, app->status_text) == 0)
		return false;
	snprintf(app->status_text, sizeof(app->status_text), "%s", text);
	tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
	*strchr(text, '\x01') = '\0';
	tui_put(LINES - 1, 1, text, lw, tui_attr(TUI_ROLE_STATUS));
	if (COLS > rw + 2)
		tui_put(LINES - 1, COLS - rw - 1, right, rw,
		        tui_attr(TUI_ROLE_STATUS) | (flash ? A_BOLD : A_NORMAL));
	wnoutrefresh(stdscr);
	return true;
}
