/* SPDX-License-Identifier: MIT */
/*
 * Login: server URL (prefilled), username, password (shown as stars). Signing in is the one
 * action that must wait on the network, so the screen says so while sync_login() runs. Once
 * a user has logged in on this replica the program opens on Home instead, server or not.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "tui/tui-int.h"

enum { F_SERVER, F_USER, F_PASSWORD, F_COUNT };

struct login {
	struct tui_field fields[F_COUNT];
	struct tui_field opened[F_COUNT]; /* as the screen opened: Esc asks when they differ */
	int focus;
	char message[256];
};

static const struct tui_key_help login_keys[] = {
    {"Tab, Down, Up", "move between fields"},
    {"Enter", "next field; on the password, sign in"},
    {"Left, Right, Home, End", "move in the field"},
    {"Backspace, Ctrl-U", "delete a character, clear the field"},
    {"Esc", "go back, asking first when you typed (quits when nobody is logged in)"},
    {NULL, NULL},
};

static int
login_open(struct tui_app *app, const char *arg, void **state)
{
	struct login *l = lc_calloc(1, sizeof(*l));

	tui_field_set(&l->fields[F_SERVER], app->server_url);
	tui_field_set(&l->fields[F_USER], app->username);
	l->fields[F_PASSWORD].secret = true;
	l->focus = app->username != NULL ? F_PASSWORD : F_USER;
	memcpy(l->opened, l->fields, sizeof(l->opened));
	*state = l;
	return 0;
}

static void
login_close(void *state)
{
	free(state);
}

static void
login_draw(struct tui_app *app, void *state)
{
	static const char *const labels[F_COUNT] = {"Server", "Username", "Password"};
	struct login *l = state;
	int y = tui_body_top() + 1, x = 2, fw = COLS - 16 > 60 ? 60 : COLS - 16;

	tui_draw_title("Lectern - sign in", NULL);
	tui_put(y, x, "Sign in to your learning server. Your courses stay on this computer,",
	        COLS - 4, A_NORMAL);
	tui_put(y + 1, x, "so next time Lectern opens straight into them, online or not.", COLS - 4,
	        A_NORMAL);
	for (int i = 0; i < F_COUNT; i++) {
		tui_put(y + 3 + 2 * i, x, labels[i], 10, i == l->focus ? A_BOLD : A_NORMAL);
		tui_field_draw(&l->fields[i], y + 3 + 2 * i, x + 11, fw, false);
	}
	tui_put(y + 10, x, "Enter: next / sign in   Tab: next field   Esc: back", COLS - 4,
	        tui_attr(TUI_ROLE_DIM));
	if (l->message[0] != '\0')
		tui_put(y + 12, x, l->message, COLS - 4, tui_attr(TUI_ROLE_BAD));
	/* The focused field last, so that the cursor is left in it. */
	tui_field_draw(&l->fields[l->focus], y + 3 + 2 * l->focus, x + 11, fw, true);
}

static void
login_submit(struct tui_app *app, struct login *l)
{
	char *url = tui_field_get(&l->fields[F_SERVER]);
	char *user = tui_field_get(&l->fields[F_USER]);
	char *pass = tui_field_get(&l->fields[F_PASSWORD]);
	char *cause = NULL;
	int rc;

	if (user[0] == '\0' || pass[0] == '\0') {
		snprintf(l->message, sizeof(l->message), "Enter a username and a password.");
		goto out;
	}
	tui_put(LINES - 1, 0, "Signing in...", COLS, tui_attr(TUI_ROLE_STATUS) | A_BOLD);
	tui_clear_to_eol(LINES - 1, 13, tui_attr(TUI_ROLE_STATUS));
	refresh();
	rc = sync_login(app->cfg->db_path, url, user, pass, NULL, &cause);
	if (rc < 0) {
		snprintf(l->message, sizeof(l->message), "%s",
		         rc == -LC_EAUTH  ? "Wrong username or password."
		         : rc == -LC_ENET ? "The server cannot be reached. Check the address."
		                          : (cause ? cause : lc_strerror(rc)));
		lc_log(LC_LOG_WARN, "tui: login as %s failed: %s", user, cause ? cause : "");
		tui_field_set(&l->fields[F_PASSWORD], "");
		l->focus = F_PASSWORD;
		goto out;
	}
	lc_log(LC_LOG_INFO, "tui: logged in as %s", user);
	memset(pass, 0, strlen(pass));
	free(url);
	free(user);
	free(pass);
	free(cause);
	curs_set(0);
	tui_logged_in(app); /* frees this view */
	return;
out:
	memset(pass, 0, strlen(pass));
	free(url);
	free(user);
	free(pass);
	free(cause);
}

/* True when a field holds text typed since the screen opened (not an emptied field). */
static bool
login_typed(const struct login *l)
{
	for (int i = 0; i < F_COUNT; i++) {
		const struct tui_field *f = &l->fields[i], *o = &l->opened[i];

		if (f->len > 0 &&
		    (f->len != o->len || wmemcmp(f->text, o->text, (size_t)f->len) != 0))
			return true;
	}
	return false;
}

static enum tui_key_result
login_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct login *l = state;

	if ((!fn_key && key == '\t') || (fn_key && key == KEY_DOWN)) {
		l->focus = (l->focus + 1) % F_COUNT;
	} else if ((fn_key && (key == KEY_UP || key == KEY_BTAB))) {
		l->focus = (l->focus + F_COUNT - 1) % F_COUNT;
	} else if (!fn_key && (key == '\r' || key == '\n')) {
		if (l->focus < F_PASSWORD)
			l->focus++;
		else
			login_submit(app, l);
	} else if (!fn_key && key == 27) {
		if (login_typed(l) && !tui_confirm(app, "Discard what you typed?"))
			return TUI_KEY_HANDLED;
		curs_set(0);
		if (app->depth > 1)
			tui_pop(app);
		else
			app->quit = true;
	} else {
		tui_field_key(&l->fields[l->focus], key, fn_key);
	}
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_login = {
    .name = "login",
    .keys = login_keys,
    .open = login_open,
    .close = login_close,
    .draw = login_draw,
    .key = login_key,
};
