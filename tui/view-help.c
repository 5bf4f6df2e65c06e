/* SPDX-License-Identifier: MIT */
/*
 * Help (?): every key of the screen it was opened from, then the keys every screen shares.
 * The text comes from the views' own key tables, so it cannot drift from what they do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/mem.h"
#include "tui/config.h"
#include "tui/tui-int.h"

struct help {
	const struct tui_view *of;
	struct tui_list list;
	/* The config file's bindings (issue 15), as key lines: "g" / "home (global)". */
	struct tui_key_help binds[TUI_CONFIG_BINDS_MAX + 1];
	char bind_text[TUI_CONFIG_BINDS_MAX][2][48];
};

static const struct tui_key_help help_keys[] = {
    {"j, k, Down, Up, PgDn, PgUp", "scroll"},
    {NULL, NULL},
};

static const struct tui_key_help global_keys[] = {
    {"q, Esc, Backspace", "go back (q on Home quits, asking first when writes wait)"},
    {"Left, h", "go back (where the screen has no use of its own for them)"},
    {"H", "go to Home"},
    {"Ctrl-L", "redraw the screen"},
    {"Q", "quit Lectern"},
    {"s", "sync now"},
    {"i", "sync issues: rejected writes and conflicts"},
    {"w", "waiting writes: what is not sent yet, where and since when"},
    {"L", "sign in again (status says needs login)"},
    {"X", "sign out (asks first; kiosk: back to the sign-in screen for the next person)"},
    {"?", "this help"},
    {"Ctrl-C", "quit; the terminal is always restored"},
    {NULL, NULL},
};

/* A binding's key as the config file spells it. */
static void
bind_key_name(const struct tui_binding *b, char *out, size_t size)
{
	static const char *const names[] = {"",     "Up",   "Down", "Left", "Right",
	                                    "PgUp", "PgDn", "Home", "End",  "Delete"};

	if (b->fkey >= TUI_FKEY_F1)
		snprintf(out, size, "F%d", (int)(b->fkey - TUI_FKEY_F1 + 1));
	else if (b->fkey != TUI_FKEY_NONE)
		snprintf(out, size, "%s", names[b->fkey]);
	else if (b->ch == '\r' || b->ch == '\t' || b->ch == ' ' || b->ch == 27 || b->ch == 127)
		snprintf(out, size, "%s",
		         b->ch == '\r'   ? "Enter"
		         : b->ch == '\t' ? "Tab"
		         : b->ch == ' '  ? "Space"
		         : b->ch == 27   ? "Esc"
		                         : "Backspace");
	else if (b->ch < 32)
		snprintf(out, size, "Ctrl-%c", (char)('@' + b->ch));
	else
		snprintf(out, size, "%lc", (wint_t)b->ch);
}

/* The bindings that apply on the screen help was opened from, its own first. */
static void
help_bindings(struct tui_app *app, struct help *h)
{
	const struct tui_config_file *cf = app->cfg->file;
	char screen[TUI_CONFIG_SCREEN_MAX] = "";
	int n = 0;

	if (cf == NULL)
		return;
	if (h->of != NULL)
		snprintf(screen, sizeof(screen), "%s", h->of->name);
	for (char *p = screen; *p != '\0'; p++)
		if (*p == ' ')
			*p = '-';
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < cf->n_binds && n < TUI_CONFIG_BINDS_MAX; i++) {
			const struct tui_binding *b = &cf->binds[i];

			if (strcmp(b->screen, pass == 0 ? screen : "global") != 0)
				continue;
			bind_key_name(b, h->bind_text[n][0], sizeof(h->bind_text[n][0]));
			snprintf(h->bind_text[n][1], sizeof(h->bind_text[n][1]), "%s (%s)",
			         tui_config_action_name(b->action), b->screen);
			h->binds[n].keys = h->bind_text[n][0];
			h->binds[n].what = h->bind_text[n][1];
			n++;
		}
}

static int
help_open(struct tui_app *app, const char *arg, void **state)
{
	struct help *h = lc_calloc(1, sizeof(*h));

	for (int i = 0; tui_views[i] != NULL; i++)
		if (arg != NULL && strcmp(tui_views[i]->name, arg) == 0)
			h->of = tui_views[i];
	help_bindings(app, h);
	*state = h;
	return 0;
}

static void
help_close(void *state)
{
	free(state);
}

/* Row i of the help text: a heading (keys NULL) or a key line. */
static int
help_rows(const struct help *h, int i, const char **keys, const char **what)
{
	int n = 0;
	const struct tui_key_help *tables[3] = {h->of ? h->of->keys : NULL, global_keys,
	                                        h->binds[0].keys != NULL ? h->binds : NULL};
	const char *heads[3] = {"Keys on this screen", "Keys on every screen",
	                        "Your bindings (config file)"};

	for (int t = 0; t < 3; t++) {
		if (tables[t] == NULL)
			continue;
		if (n++ == i) {
			*keys = NULL;
			*what = heads[t];
		}
		for (int k = 0; tables[t][k].keys != NULL; k++)
			if (n++ == i) {
				*keys = tables[t][k].keys;
				*what = tables[t][k].what;
			}
		if (n++ == i) {
			*keys = NULL;
			*what = "";
		}
	}
	return n;
}

static void
help_draw(struct tui_app *app, void *state)
{
	struct help *h = state;
	char title[128];
	int rows = tui_body_rows();

	snprintf(title, sizeof(title), "Help: %s", h->of ? h->of->name : "Lectern");
	tui_draw_title(title, "q back");
	h->list.n = help_rows(h, -1, &(const char *){NULL}, &(const char *){NULL});
	if (h->list.top > h->list.n - rows)
		h->list.top = h->list.n - rows > 0 ? h->list.n - rows : 0;
	for (int r = 0; r < rows && h->list.top + r < h->list.n; r++) {
		const char *keys = NULL, *what = NULL;
		int y = tui_body_top() + r;

		help_rows(h, h->list.top + r, &keys, &what);
		if (keys == NULL) {
			tui_put(y, 1, what, COLS - 2, tui_attr(TUI_ROLE_HEADING));
			continue;
		}
		tui_put(y, 3, keys, 26, A_BOLD);
		tui_put(y, 31, what, COLS - 32, A_NORMAL);
	}
}

static enum tui_key_result
help_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct help *h = state;
	int rows = tui_body_rows();

	if ((fn_key && key == KEY_DOWN) || (!fn_key && key == 'j'))
		h->list.top++;
	else if ((fn_key && key == KEY_UP) || (!fn_key && key == 'k'))
		h->list.top--;
	else if ((fn_key && key == KEY_NPAGE) || (!fn_key && key == ' '))
		h->list.top += rows;
	else if (fn_key && key == KEY_PPAGE)
		h->list.top -= rows;
	else if (!fn_key && key == '?')
		return TUI_KEY_HANDLED;
	else
		return TUI_KEY_UNHANDLED;
	if (h->list.top < 0)
		h->list.top = 0;
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_help = {
    .name = "help",
    .keys = help_keys,
    .open = help_open,
    .close = help_close,
    .draw = help_draw,
    .key = help_key,
};
