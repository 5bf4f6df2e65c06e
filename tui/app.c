/* SPDX-License-Identifier: MIT */
/*
 * tui_run(): the key loop. It waits for a key at most a quarter of a second, so that the
 * sync engine's progress and interrupts are seen promptly, and draws only when something
 * changed: a key, a resize, a new sync generation (views reload) or a new status line.
 * curses itself sends only the cells that differ.
 */
#include <locale.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/profile.h"
#include "store/replica.h"
#include "tui/config.h"
#include "tui/kiosk.h"
#include "tui/term.h"
#include "tui/text.h"
#include "tui/tui-int.h"

#define TICK_MS 250
#define DEFAULT_SYNC_INTERVAL_S 300
#define DEFAULT_SERVER "http://127.0.0.1:7878"

const struct tui_view *const tui_views[] = {
    &tui_view_login,
    &tui_view_home,
    &tui_view_catalog,
    &tui_view_course_info,
    &tui_view_course,
    &tui_view_reader,
    &tui_view_quiz,
    &tui_view_forum,
    &tui_view_topic,
    &tui_view_issues,
    &tui_view_help,
    &tui_view_teach,
    &tui_view_author,
    &tui_view_quiz_edit,
    &tui_view_preview,
    &tui_view_waiting,
    NULL,
};

void
tui_flash(struct tui_app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->flash, sizeof(app->flash), fmt, ap);
	va_end(ap);
	app->flash_until_ms = lc_monotonic_ms() + 4000;
}

void
tui_push(struct tui_app *app, const struct tui_view *view, const char *arg)
{
	void *state = NULL;
	int rc;

	if (app->depth == TUI_STACK_MAX) {
		tui_flash(app, "Too many screens open; go back first");
		return;
	}
	rc = view->open(app, arg, &state);
	if (rc < 0) {
		tui_flash(app, "Cannot open %s: %s", view->name, lc_strerror(rc));
		return;
	}
	app->stack[app->depth].view = view;
	app->stack[app->depth].state = state;
	app->stack[app->depth].loaded_version = app->data_version;
	app->depth++;
	app->dirty = true;
}

void
tui_pop(struct tui_app *app)
{
	struct tui_screen *top;

	if (app->depth <= 1)
		return;
	top = &app->stack[--app->depth];
	top->view->close(top->state);
	top->state = NULL;
	/*
	 * The screen below re-reads the replica only if something changed since it did (see
	 * reload_top()): a write or a read mark made on the closed one bumped data_version.
	 */
	app->dirty = true;
}

void
tui_reset_to(struct tui_app *app, const struct tui_view *view, const char *arg)
{
	char *copy = lc_strdup(arg);

	while (app->depth > 0) {
		struct tui_screen *top = &app->stack[--app->depth];

		top->view->close(top->state);
	}
	tui_push(app, view, copy);
	free(copy);
	app->dirty = true;
}

void
tui_sync_start(struct tui_app *app)
{
	struct sync_options opts = {0};
	char *cause = NULL;
	int rc, interval = app->cfg->sync_interval_s > 0 ? app->cfg->sync_interval_s
	                                                 : DEFAULT_SYNC_INTERVAL_S;

	if (app->engine != NULL) {
		sync_engine_request(app->engine);
		return;
	}
	if (app->db_path == NULL)
		return; /* a kiosk's sign-in screen */
	tui_kiosk_sync_options(app->cfg->kiosk, app->cfg->data_dir, app->db_path,
	                       app->cfg->server_url, &opts);
	rc = sync_engine_create(&opts, &app->engine, &cause);
	tui_kiosk_sync_options_finish(&opts);
	if (rc < 0) {
		lc_log(LC_LOG_ERROR, "tui: sync engine: %s", cause ? cause : "failed");
		tui_flash(app, "Sync is unavailable: %s", cause ? cause : "error");
		free(cause);
		app->engine = NULL;
		return;
	}
	if (sync_engine_start(app->engine, interval) < 0) {
		lc_log(LC_LOG_ERROR, "tui: cannot start the sync thread");
		sync_engine_destroy(app->engine);
		app->engine = NULL;
	}
}

void
tui_after_write(struct tui_app *app)
{
	app->reloaded = true;
	app->dirty = true;
	if (app->engine != NULL)
		sync_engine_request(app->engine);
}

/* Reads who is logged in on this replica and which server it talks to. */
static void
load_session(struct tui_app *app)
{
	char *url = NULL;

	free(app->user_id);
	free(app->username);
	app->user_id = NULL;
	app->username = NULL;
	if (app->db != NULL) {
		store_setting_get(app->db, "user_id", &app->user_id);
		store_setting_get(app->db, "username", &app->username);
	}
	/* Signed out (issue 13, B4): nobody is in until that user signs in again. */
	if (app->db != NULL && app->user_id != NULL && sync_signed_out(app->db)) {
		free(app->user_id);
		app->user_id = NULL;
	}
	/* A kiosk never shows who used it last (ux review 2026-11-29, D3). */
	if (app->cfg->kiosk != TUI_KIOSK_OFF && app->user_id == NULL) {
		free(app->username);
		app->username = NULL;
	}
	if (app->cfg->server_url != NULL)
		url = lc_strdup(app->cfg->server_url);
	else if (app->db != NULL)
		store_setting_get(app->db, "server_url", &url);
	free(app->server_url);
	app->server_url = url != NULL ? url : lc_strdup(DEFAULT_SERVER);
}

static bool sign_out(struct tui_app *app, bool ask, bool unattended);

/*
 * q on Home: outside kiosk mode, writes waiting to be sent make it ask first, naming how
 * many (ux review 2026-11-29, A7: q means "back" everywhere else, and people pressed it on
 * Home to get home). Nothing is lost by quitting: they go at the next sync.
 */
static void
quit_from_home(struct tui_app *app)
{
	char question[700], *words = NULL;
	int64_t waiting = 0;

	if (app->cfg->kiosk == TUI_KIOSK_OFF && app->db != NULL && app->user_id != NULL &&
	    store_waiting_describe(app->db, &words, &waiting) == 0 && waiting > 0) {
		snprintf(question, sizeof(question), "%lld %s not sent yet (%s). Quit anyway?",
		         (long long)waiting, waiting == 1 ? "write" : "writes", words);
		/* The question and its (y/n) on one row: the what goes first when too long. */
		if (tui_text_width(question) > COLS - 8)
			snprintf(question, sizeof(question), "%lld %s not sent yet. Quit anyway?",
			         (long long)waiting, waiting == 1 ? "write" : "writes");
		free(words);
		if (!tui_confirm(app, question))
			return;
	} else {
		free(words);
	}
	tui_request_quit(app);
}

/*
 * One step back as q does it: the top screen sees a q first, so a screen that asks before
 * it is left (a quiz with answers, a form with typed text) asks here too. False when the
 * screen kept itself (it asked and was told to stay, or q only left a mode of it).
 */
static bool
back_as_q(struct tui_app *app)
{
	struct tui_screen *top = &app->stack[app->depth - 1];
	int depth = app->depth;

	if (depth <= 1)
		return false;
	if (top->view->key(app, top->state, 'q', false) == TUI_KEY_UNHANDLED)
		tui_pop(app);
	return app->depth < depth;
}

/* Home from anywhere (H): the screens above it close one by one, as q on each would. */
static void
go_home(struct tui_app *app)
{
	if (app->user_id == NULL || app->stack[0].view != &tui_view_home) {
		tui_flash(app, "Sign in first");
		return;
	}
	while (app->depth > 1 && back_as_q(app))
		;
}

/* Keys every screen shares. */
static void
global_key(struct tui_app *app, wint_t key, bool fn_key)
{
	if (!fn_key && (key == 'q' || key == 27 || key == 127 || key == 8)) {
		if (app->depth > 1)
			tui_pop(app);
		else if (key == 'q')
			quit_from_home(app);
	} else if (fn_key && key == KEY_BACKSPACE) {
		tui_pop(app);
	} else if ((fn_key && key == KEY_LEFT) || (!fn_key && key == 'h')) {
		back_as_q(app); /* ux review 2026-11-29, E7: Right opens, Left goes back */
	} else if (!fn_key && key == 'H') {
		go_home(app);
	} else if (!fn_key && key == 'Q') {
		tui_request_quit(app);
	} else if (!fn_key && key == '?') {
		tui_push(app, &tui_view_help, app->stack[app->depth - 1].view->name);
	} else if (!fn_key && key == 's') {
		if (app->engine != NULL) {
			sync_engine_request(app->engine);
			tui_flash(app, "Sync requested");
		} else {
			tui_flash(app, "Log in first to sync");
		}
	} else if (!fn_key && key == 'i' && app->user_id != NULL) {
		tui_push(app, &tui_view_issues, NULL);
	} else if (!fn_key && key == 'w' && app->user_id != NULL && app->db != NULL) {
		tui_push(app, &tui_view_waiting, NULL); /* ux review 2026-11-29, A10 */
	} else if (!fn_key && key == 'L') {
		tui_push(app, &tui_view_login, NULL);
	} else if (!fn_key && key == 'X') {
		if (app->user_id != NULL)
			tui_sign_out(app, true);
		else
			tui_flash(app, "Nobody is signed in");
	}
}

/*
 * Where the top view left the cursor (a focused text field puts it there and shows it):
 * the status line is drawn after the view and would otherwise leave it on the bottom row
 * (ux review 2026-11-29, A6).
 */
static int cursor_y, cursor_x;

/* The curses key of a binding's named key. */
static wint_t
fkey_code(enum tui_fkey k)
{
	static const int codes[] = {0,         KEY_UP,    KEY_DOWN, KEY_LEFT, KEY_RIGHT,
	                            KEY_PPAGE, KEY_NPAGE, KEY_HOME, KEY_END,  KEY_DC};

	if (k >= TUI_FKEY_F1)
		return (wint_t)KEY_F(k - TUI_FKEY_F1 + 1);
	return (wint_t)codes[k];
}

/*
 * The config file's bindings (issue 15): a bound key becomes the default key of its
 * action before the screen sees it, the screen's own binding before a global one. Returns
 * false when the key is to do nothing (action none). Never on the sign-in screen, where
 * keys type text.
 */
static bool
translate_key(struct tui_app *app, wint_t *key, bool *fn_key)
{
	static const struct {
		wint_t key;
		bool fn;
	} defaults[TUI_ACT_COUNT] = {
	    [TUI_ACT_BACK] = {27, false},          [TUI_ACT_QUIT] = {'Q', false},
	    [TUI_ACT_HOME] = {'H', false},         [TUI_ACT_HELP] = {'?', false},
	    [TUI_ACT_SYNC] = {'s', false},         [TUI_ACT_ISSUES] = {'i', false},
	    [TUI_ACT_SIGN_IN] = {'L', false},      [TUI_ACT_SIGN_OUT] = {'X', false},
	    [TUI_ACT_REDRAW] = {12, false},        [TUI_ACT_DOWN] = {KEY_DOWN, true},
	    [TUI_ACT_UP] = {KEY_UP, true},         [TUI_ACT_PAGE_DOWN] = {KEY_NPAGE, true},
	    [TUI_ACT_PAGE_UP] = {KEY_PPAGE, true}, [TUI_ACT_TOP] = {KEY_HOME, true},
	    [TUI_ACT_BOTTOM] = {KEY_END, true},
	};
	const struct tui_config_file *cf = app->cfg->file;
	const struct tui_view *top = app->stack[app->depth - 1].view;
	char screen[TUI_CONFIG_SCREEN_MAX];
	int found = -1;

	if (cf == NULL || cf->n_binds == 0 || top == &tui_view_login)
		return true;
	snprintf(screen, sizeof(screen), "%s", top->name);
	for (char *p = screen; *p != '\0'; p++)
		if (*p == ' ')
			*p = '-';
	for (int i = 0; i < cf->n_binds; i++) {
		const struct tui_binding *b = &cf->binds[i];
		bool same = b->fkey != TUI_FKEY_NONE ? *fn_key && *key == fkey_code(b->fkey)
		                                     : !*fn_key && *key == (wint_t)b->ch;

		if (!same)
			continue;
		if (strcmp(b->screen, screen) == 0) {
			found = i;
			break;
		}
		if (strcmp(b->screen, "global") == 0)
			found = i;
	}
	if (found < 0)
		return true;
	if (cf->binds[found].action == TUI_ACT_NONE)
		return false;
	*key = defaults[cf->binds[found].action].key;
	*fn_key = defaults[cf->binds[found].action].fn;
	return true;
}

static void
draw_all(struct tui_app *app)
{
	struct tui_screen *top = &app->stack[app->depth - 1];

	/* Cleared first: a view that writes while drawing (a page read to its end) asks again. */
	app->dirty = false;
	erase();
	curs_set(0); /* shown again by a focused field (tui_field_draw()) */
	top->view->draw(app, top->state);
	getyx(stdscr, cursor_y, cursor_x);
	tui_status_draw(app, true);
	move(cursor_y, cursor_x);
}

static void
poll_engine(struct tui_app *app)
{
	uint64_t gen;

	if (app->engine == NULL)
		return;
	gen = sync_engine_generation(app->engine);
	if (gen != app->generation) {
		app->generation = gen;
		app->reloaded = true;
		app->dirty = true;
	}
}

/*
 * The replica changed: the caches go and every screen is out of date. Only the top one
 * re-reads now (reload_top()); a screen below does when it is on top again, so a sync or a
 * write does not make the learner wait for screens they cannot see.
 */
static void
data_changed(struct tui_app *app)
{
	app->reloaded = false;
	app->data_version++;
	app->content_version++;
	tui_enrolled_invalidate(app);
}

static void
reload_top(struct tui_app *app)
{
	struct tui_screen *top = &app->stack[app->depth - 1];

	if (top->loaded_version == app->data_version)
		return;
	if (top->view->reload != NULL)
		top->view->reload(app, top->state);
	top->loaded_version = app->data_version;
	app->dirty = true;
}

#define BACKGROUND_EVERY_MS 60000

/*
 * A background round on its own thread (issue 13, kiosk background_sync = yes). Two
 * owners, the app and the thread: the last to let go frees it, so quitting never waits on
 * a slow network.
 */
struct tui_background {
	atomic_bool busy;
	atomic_int refs;
	char *data_dir, *url;
};

static void
background_unref(struct tui_background *bg)
{
	if (bg == NULL || atomic_fetch_sub(&bg->refs, 1) != 1)
		return;
	free(bg->data_dir);
	free(bg->url);
	free(bg);
}

static void *
background_run(void *arg)
{
	struct tui_background *bg = arg;
	char *cause = NULL;
	int done = 0;

	if (tui_kiosk_background_round(bg->data_dir, bg->url, &done, &cause) < 0)
		lc_log(LC_LOG_INFO, "kiosk: background sync: %s", cause ? cause : "failed");
	if (done > 0)
		lc_log(LC_LOG_INFO, "kiosk: background sync signed out %d profiles", done);
	free(cause);
	atomic_store(&bg->busy, false);
	background_unref(bg);
	return NULL;
}

/* While a kiosk that allows it sits on the sign-in screen: a round every minute. */
static void
background_tick(struct tui_app *app)
{
	int64_t now = lc_monotonic_ms();
	pthread_t thread;

	if (app->cfg->kiosk == TUI_KIOSK_OFF || !app->cfg->kiosk_background_sync ||
	    app->db != NULL || app->cfg->data_dir == NULL ||
	    (app->background != NULL && atomic_load(&app->background->busy)) ||
	    (app->background_at_ms != 0 && now - app->background_at_ms < BACKGROUND_EVERY_MS))
		return;
	background_unref(app->background);
	app->background = lc_calloc(1, sizeof(*app->background));
	app->background->data_dir = lc_strdup(app->cfg->data_dir);
	app->background->url = app->cfg->server_url ? lc_strdup(app->cfg->server_url) : NULL;
	atomic_store(&app->background->busy, true);
	atomic_store(&app->background->refs, 2);
	app->background_at_ms = now;
	if (pthread_create(&thread, NULL, background_run, app->background) != 0) {
		atomic_store(&app->background->busy, false);
		atomic_store(&app->background->refs, 1);
		return;
	}
	pthread_detach(thread);
}

void
tui_background_wait(struct tui_app *app)
{
	while (app->background != NULL && atomic_load(&app->background->busy) &&
	       !tui_term_interrupted()) {
		tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
		tui_put(LINES - 1, 1, "Finishing a background sync...", COLS - 2,
		        tui_attr(TUI_ROLE_STATUS));
		refresh();
		napms(100);
	}
}

/* Signs out whoever left the keyboard alone for the configured time (issue 13, item 4). */
static void
idle_sign_out(struct tui_app *app)
{
	if (app->user_id == NULL || app->db_path == NULL)
		return;
	lc_log(LC_LOG_INFO, "tui: idle sign-out after %d s without a key", app->cfg->idle_s);
	if (sign_out(app, false, true))
		tui_flash(app, "Signed out after %d min without a key",
		          (app->cfg->idle_s + 59) / 60);
}

/*
 * An interrupt the key loop survives: the idle sign-out, and in kiosk mode Ctrl-C, which
 * asks to sign out instead of ending the program. False for one that ends it (SIGTERM,
 * SIGHUP, Ctrl-C outside kiosk mode).
 */
static bool
take_interrupt(struct tui_app *app)
{
	if (tui_term_take_idle()) {
		idle_sign_out(app);
		return true;
	}
	if (app->cfg->kiosk != TUI_KIOSK_OFF && tui_term_take_ctrl_c()) {
		tui_request_quit(app);
		return true;
	}
	return false;
}

static void
key_loop(struct tui_app *app)
{
	while (!app->quit) {
		if (tui_term_interrupted() && !take_interrupt(app))
			break;
		wint_t key;
		int rc;

		/* Prompts wait without a timeout; the loop always polls. */
		timeout(TICK_MS);

		poll_engine(app);
		background_tick(app);
		if (app->reloaded)
			data_changed(app);
		reload_top(app);
		if (app->dirty)
			draw_all(app);
		else if (!tui_term_idle_warning()) { /* the warning holds the bottom row */
			tui_status_draw(app, false);
			move(cursor_y, cursor_x);
		}
		doupdate();
		if (app->sync_pending) {
			/*
			 * Loading TLS and HTTP libraries takes longer than drawing the first frame:
			 * the learner sees their data first, and the sync starts right after.
			 */
			app->sync_pending = false;
			tui_sync_start(app);
		}
		/* Never get_wch(): Home or an unknown sequence must not read as Esc (go back). */
		rc = tui_term_get_key(&key, TICK_MS);
		if (rc == ERR || (rc == KEY_CODE_YES && key == 0))
			continue;
		if (rc == KEY_CODE_YES && key == KEY_RESIZE) {
			app->dirty = true;
			continue;
		}
		bool fn_key = rc == KEY_CODE_YES;

		if (!translate_key(app, &key, &fn_key))
			continue;
		if (!fn_key && key == 12) { /* Ctrl-L: repaint every cell (ux review, E5) */
			clearok(curscr, TRUE);
			app->dirty = true;
			continue;
		}
		struct tui_screen *top = &app->stack[app->depth - 1];

		if (top->view->key(app, top->state, key, fn_key) == TUI_KEY_UNHANDLED)
			global_key(app, key, fn_key);
		app->dirty = true;
	}
}

static void
app_finish(struct tui_app *app)
{
	while (app->depth > 0) {
		struct tui_screen *top = &app->stack[--app->depth];

		top->view->close(top->state);
	}
	sync_engine_destroy(app->engine);
	tui_enrolled_finish(app);
	store_db_close(app->db);
	free(app->db_path);
	free(app->server_url);
	free(app->user_id);
	free(app->username);
	background_unref(app->background);
}

/*
 * Opens the replica at path as the one the screens read (closing the engine and the
 * replica open before). NULL closes only: a kiosk's sign-in screen has none.
 */
static int
open_replica(struct tui_app *app, const char *path, char **cause)
{
	int rc;

	sync_engine_destroy(app->engine);
	app->engine = NULL;
	store_db_close(app->db);
	app->db = NULL;
	free(app->db_path);
	app->db_path = NULL;
	app->reloaded = true;
	if (path == NULL)
		return 0;
	rc = store_replica_open(path, &app->db, cause);
	if (rc < 0)
		return rc;
	app->db_path = lc_strdup(path);
	/*
	 * The screen's reads map the replica rather than copy it (issue 10, first frame under
	 * 50 ms at 200,000 rows): a fresh process starts with an empty page cache, and Home's
	 * first frame reads about 3,400 pages there, each a pread() into a newly allocated,
	 * so page-faulted and zeroed, 4 KiB buffer (half the page faults of a start). Mapped,
	 * a page already in the kernel's cache costs a share of one fault. Writes still go
	 * through SQLite's own pages; the sync engine's connection is not mapped. Without it
	 * the TUI only reads more slowly.
	 */
	if (store_db_exec(app->db, "PRAGMA mmap_size=1073741824") != 0)
		lc_log(LC_LOG_WARN, "tui: cannot map the replica: %s",
		       store_db_error(app->db)->message);
	return 0;
}

int
tui_run(const struct tui_config *cfg)
{
	struct tui_app app = {.cfg = cfg};
	char *cause = NULL;
	int rc;

	setlocale(LC_ALL, "");
	if (cfg->log_path != NULL && lc_log_open(cfg->log_path, LC_LOG_INFO) < 0)
		lc_log_to(NULL, LC_LOG_ERROR);
	/* A kiosk opens no replica before someone signs in: nobody lands in an account. */
	rc = cfg->kiosk != TUI_KIOSK_OFF ? 0 : open_replica(&app, cfg->db_path, &cause);
	if (rc < 0) {
		fprintf(stderr, "lectern: %s\n", cause ? cause : lc_strerror(rc));
		free(cause);
		return 1;
	}
	load_session(&app);
	rc = tui_term_start(&cause);
	if (rc < 0) {
		fprintf(stderr, "lectern: %s\n", cause ? cause : lc_strerror(rc));
		free(cause);
		app_finish(&app);
		return 1;
	}
	if (cfg->kiosk != TUI_KIOSK_OFF)
		tui_term_kiosk(); /* no Ctrl-Z, no Ctrl-\ (issue 13, item 5) */
	tui_colors_init(&app);
	tui_colors_apply(&app, cfg->file);
	lc_log(LC_LOG_INFO, "tui: started on %s%s", cfg->db_path,
	       cfg->kiosk != TUI_KIOSK_OFF ? " (kiosk)" : "");
	if (app.user_id != NULL) {
		/* A known user opens straight into their data, reachable server or not. */
		tui_push(&app, &tui_view_home, NULL);
		app.sync_pending = true;
	} else {
		tui_push(&app, &tui_view_login, NULL);
	}
	if (app.depth > 0)
		key_loop(&app);
	tui_term_stop();
	app_finish(&app);
	lc_log(LC_LOG_INFO, "tui: stopped");
	lc_log_close();
	return 0;
}

void
tui_logged_in(struct tui_app *app)
{
	load_session(app);
	tui_reset_to(app, &tui_view_home, NULL);
	tui_sync_start(app);
}

/* Closes every screen (their state may point into the replica about to go). */
static void
close_screens(struct tui_app *app)
{
	while (app->depth > 0) {
		struct tui_screen *top = &app->stack[--app->depth];

		top->view->close(top->state);
		top->state = NULL;
	}
}

void
tui_signed_in(struct tui_app *app, const char *db_path)
{
	char *cause = NULL, *before = app->user_id != NULL ? lc_strdup(app->user_id) : NULL;
	bool same = app->db_path != NULL && strcmp(app->db_path, db_path) == 0;

	/*
	 * The same user signing in again (L) goes back to where they were, the screens below
	 * the sign-in kept (ux review 2026-11-29, A17); anyone else starts on Home.
	 */
	if (same && before != NULL && app->depth > 1 &&
	    app->stack[app->depth - 1].view == &tui_view_login) {
		app->reloaded = true;
		load_session(app);
		if (app->user_id != NULL && strcmp(app->user_id, before) == 0) {
			free(before);
			tui_pop(app); /* frees the sign-in screen */
			tui_sync_start(app);
			tui_term_idle_start(app->cfg->idle_s);
			return;
		}
	}
	free(before);
	if (!same) {
		close_screens(app);
		if (open_replica(app, db_path, &cause) < 0) {
			lc_log(LC_LOG_ERROR, "tui: cannot open %s: %s", db_path,
			       cause ? cause : "");
			load_session(app);
			tui_reset_to(app, &tui_view_login, NULL);
			tui_flash(app, "Cannot open your profile: %s", cause ? cause : "error");
			free(cause);
			return;
		}
	}
	/* Another user's rows may have gone from under the caches (switch_user()). */
	app->reloaded = true;
	tui_logged_in(app);
	tui_term_idle_start(app->cfg->idle_s);
}

/*
 * tui_sign_out(); unattended (the idle sign-out) asks nothing: in wipe mode, work that
 * cannot be sent keeps the profile locked for its owner instead of being lost unasked.
 */
static bool
sign_out(struct tui_app *app, bool ask, bool unattended)
{
	char question[600], *lost = NULL, *cause = NULL, *path;
	enum tui_kiosk kiosk = app->cfg->kiosk;
	int64_t n_lost = 0;
	int rc;

	if (app->db_path == NULL)
		return false;
	snprintf(question, sizeof(question), "Sign out %s?", app->username ? app->username : "");
	if (ask && !tui_confirm(app, question))
		return false;
	/* The engine stops first: nothing may write while the replica is locked or wiped. */
	sync_engine_destroy(app->engine);
	app->engine = NULL;
	if (kiosk == TUI_KIOSK_WIPE ||
	    (kiosk == TUI_KIOSK_KEEP && app->cfg->kiosk_background_sync)) {
		tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
		tui_put(LINES - 1, 1, "Sending your waiting work...", COLS - 2,
		        tui_attr(TUI_ROLE_STATUS) | A_BOLD);
		refresh();
	}
	if (kiosk == TUI_KIOSK_WIPE) {
		rc = tui_kiosk_send_waiting(kiosk, app->cfg->data_dir, app->db_path,
		                            app->cfg->server_url, &lost, &n_lost, &cause);
		free(cause);
		cause = NULL;
		if (rc < 0 && n_lost > 0 && unattended) {
			lc_log(LC_LOG_INFO, "tui: kept the profile locked: %s could not be sent",
			       lost != NULL ? lost : "waiting work");
			free(lost);
			kiosk = TUI_KIOSK_KEEP;
		} else if (rc < 0 && n_lost > 0) {
			snprintf(question, sizeof(question),
			         "Cannot send %s: signing out wipes them. Sign out and lose them?",
			         lost != NULL ? lost : "your waiting work");
			free(lost);
			if (!tui_confirm(app, question)) {
				tui_sync_start(app);
				tui_flash(app, "Still signed in; your work is waiting to be sent");
				return false;
			}
		} else {
			free(lost);
		}
	}
	path = lc_strdup(app->db_path);
	close_screens(app);
	open_replica(app, NULL, NULL); /* closed before a wipe unlinks it */
	if (kiosk == TUI_KIOSK_KEEP && app->cfg->kiosk_background_sync)
		rc = tui_kiosk_sign_out_background(app->cfg->data_dir, path, app->cfg->server_url,
		                                   &cause);
	else
		rc = tui_kiosk_sign_out(kiosk, app->cfg->data_dir, path, &cause);
	if (rc < 0)
		lc_log(LC_LOG_ERROR, "tui: sign-out of %s: %s", path, cause ? cause : "");
	else
		lc_log(LC_LOG_INFO, "tui: signed out (%s)",
		       kiosk == TUI_KIOSK_WIPE   ? "wiped"
		       : kiosk == TUI_KIOSK_KEEP ? "profile kept"
		                                 : "replica locked");
	/* Outside kiosk mode the replica stays open, locked, for the sign-in screen. */
	if (kiosk == TUI_KIOSK_OFF && open_replica(app, path, NULL) < 0)
		lc_log(LC_LOG_ERROR, "tui: cannot reopen %s", path);
	free(path);
	load_session(app);
	tui_reset_to(app, &tui_view_login, NULL);
	if (rc < 0)
		tui_flash(app, "Signed out, but: %s", cause ? cause : "an error");
	else
		tui_flash(app, "Signed out");
	free(cause);
	tui_term_idle_start(0); /* the sign-in screen has nobody to sign out */
	return true;
}

bool
tui_sign_out(struct tui_app *app, bool ask)
{
	return sign_out(app, ask, false);
}

/*
 * Kiosk mode: the admin's password, when the config has one, lets the program end; else
 * nothing does from the keyboard (the system's SIGTERM still does).
 */
static void
kiosk_leave(struct tui_app *app)
{
	char *pw = NULL;

	if (app->cfg->admin_hash == NULL) {
		tui_flash(app, "Only the administrator can close this");
		return;
	}
	if (!tui_prompt_secret(app, "Administrator password (Esc cancels):", &pw))
		return;
	if (tui_admin_check(app->cfg, pw)) {
		lc_log(LC_LOG_INFO, "tui: the kiosk administrator closed Lectern");
		app->quit = true;
	} else {
		lc_log(LC_LOG_WARN, "tui: a wrong kiosk administrator password");
		tui_flash(app, "Wrong administrator password");
	}
	explicit_bzero(pw, strlen(pw));
	free(pw);
}

void
tui_request_quit(struct tui_app *app)
{
	if (app->cfg->kiosk == TUI_KIOSK_OFF)
		app->quit = true;
	else if (app->user_id != NULL && app->db_path != NULL)
		tui_sign_out(app, true); /* quitting a kiosk ends the session, not the program */
	else
		kiosk_leave(app);
}
