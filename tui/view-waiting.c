/* SPDX-License-Identifier: MIT */
/*
 * Waiting writes (w): every write not yet sent, in words: what, where and since when, with
 * how many times it was tried (ux review 2026-11-29, A10: only a count was shown). Opened
 * from every screen with w; the status line says "N waiting (w)".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/mem.h"
#include "store/profile.h"
#include "store/replica.h"
#include "tui/tui-int.h"

struct waiting_row {
	char *what, *where;
	char since[32];
	int attempts;
};

struct waiting {
	struct waiting_row *rows;
	size_t n;
	struct tui_list list;
};

static const struct tui_key_help waiting_keys[] = {
    {"j, k, Down, Up, PgDn, PgUp", "move"},
    {"s", "send them now (sync)"},
    {NULL, NULL},
};

static void
free_rows(struct waiting *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->rows[i].what);
		free(w->rows[i].where);
	}
	free(w->rows);
	w->rows = NULL;
	w->n = 0;
}

/* "since 06:45" today, "since 2026-11-28 06:45" before. */
static void
since_text(int64_t t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL) {
		snprintf(out, size, "since ?");
		return;
	}
	strftime(out, size, lc_now() - t < 20 * 3600 ? "since %H:%M" : "since %Y-%m-%d %H:%M", &tm);
}

static void
waiting_reload(struct tui_app *app, void *state)
{
	struct waiting *w = state;
	struct store_outbox_entry *entries = NULL;
	size_t n = 0;

	free_rows(w);
	if (app->db == NULL || store_outbox_list(app->db, 1000, &entries, &n) < 0)
		return;
	w->rows = lc_calloc(n > 0 ? n : 1, sizeof(*w->rows));
	for (size_t i = 0; i < n; i++) {
		store_waiting_entry_words(app->db, &entries[i], &w->rows[i].what,
		                          &w->rows[i].where);
		since_text(entries[i].created_at, w->rows[i].since, sizeof(w->rows[i].since));
		w->rows[i].attempts = entries[i].attempts;
	}
	w->n = n;
	w->list.n = (int)n;
	store_outbox_free(entries, n);
}

static int
waiting_open(struct tui_app *app, const char *arg, void **state)
{
	struct waiting *w = lc_calloc(1, sizeof(*w));

	(void)arg;
	waiting_reload(app, w);
	*state = w;
	return 0;
}

static void
waiting_close(void *state)
{
	struct waiting *w = state;

	free_rows(w);
	free(w);
}

static void
waiting_draw(struct tui_app *app, void *state)
{
	struct waiting *w = state;
	int rows = tui_body_rows(), top = tui_body_top();
	char title[64];

	(void)app;
	snprintf(title, sizeof(title), "Waiting writes (%zu)", w->n);
	tui_draw_title(title, "s send now  q back");
	if (w->n == 0) {
		tui_put(top, 1, "Nothing is waiting: every write has reached the server.", COLS - 2,
		        A_NORMAL);
		return;
	}
	/* Two rows a write: what and where, then since when and the tries. */
	tui_list_clamp(&w->list, rows / 2);
	for (int r = 0; r < rows / 2 && w->list.top + r < w->list.n; r++) {
		const struct waiting_row *row = &w->rows[w->list.top + r];
		bool sel = w->list.top + r == w->list.sel;
		attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;
		char line[512], tries[64] = "not sent yet";
		int y = top + 2 * r;

		snprintf(line, sizeof(line), "%s %s%s%s", sel ? ">" : " ", row->what,
		         row->where[0] != '\0' ? " in " : "", row->where);
		tui_clear_to_eol(y, 0, a);
		tui_put(y, 1, line, COLS - 2, a);
		if (row->attempts > 0)
			snprintf(tries, sizeof(tries), "tried %d time%s, not accepted yet",
			         row->attempts, row->attempts == 1 ? "" : "s");
		snprintf(line, sizeof(line), "    %s, %s", row->since, tries);
		tui_put(y + 1, 1, line, COLS - 2, tui_attr(TUI_ROLE_DIM));
	}
}

static enum tui_key_result
waiting_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct waiting *w = state;

	(void)app;
	if (tui_list_key(&w->list, key, fn_key, tui_body_rows() / 2))
		return TUI_KEY_HANDLED;
	return TUI_KEY_UNHANDLED;
}

const struct tui_view tui_view_waiting = {
    .name = "waiting writes",
    .keys = waiting_keys,
    .open = waiting_open,
    .close = waiting_close,
    .reload = waiting_reload,
    .draw = waiting_draw,
    .key = waiting_key,
};
