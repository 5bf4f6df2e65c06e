/* SPDX-License-Identifier: MIT */
/*
 * Login: server URL (prefilled), username, password (shown as stars). Signing in is the one
 * action that must wait on the network: it runs on a thread of its own while the screen
 * keeps drawing the elapsed seconds and reading keys, so Esc or Ctrl-C abandons it at once
 * (ux review 2026-11-29, F1: Ctrl-C took 29 s through a stalled link). Once a user has
 * logged in on this replica the program opens on Home instead, server or not.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/profile.h"
#include "store/replica.h"
#include "sync/offline.h"
#include "tui/term.h"
#include "tui/tui-int.h"

/* Connected with no answer for this long, the screen says the server is slow. */
#define LOGIN_SLOW_S 3

enum { F_SERVER, F_USER, F_PASSWORD, F_COUNT };

struct login {
	struct tui_field fields[F_COUNT];
	struct tui_field opened[F_COUNT]; /* as the screen opened: Esc asks when they differ */
	int focus;
	bool again; /* opened over other screens (L): not the first-run text */
	char message[256];
};

static const struct tui_key_help login_keys[] = {
    {"Tab, Down, Up", "move between fields"},
    {"Enter", "next field; on the password, sign in"},
    {"Left, Right, Home, End", "move in the field"},
    {"Backspace, Ctrl-U", "delete a character, clear the field"},
    {"Esc", "go back, asking first when you typed (quits when nobody is logged in; a kiosk asks "
            "for the administrator's password)"},
    {NULL, NULL},
};

/* True when a server was configured or used before (not the built-in default). */
static bool
server_known(struct tui_app *app)
{
	char *url = NULL;
	bool known;

	if (app->cfg->server_url != NULL)
		return true;
	if (app->db == NULL || store_setting_get(app->db, "server_url", &url) != 0)
		return false;
	known = url != NULL && url[0] != '\0';
	free(url);
	return known;
}

static int
login_open(struct tui_app *app, const char *arg, void **state)
{
	struct login *l = lc_calloc(1, sizeof(*l));

	/* A kiosk never names who was here before (ux review 2026-11-29, D3). */
	const char *user = app->cfg->kiosk == TUI_KIOSK_OFF ? app->username : NULL;

	tui_field_set(&l->fields[F_SERVER], app->server_url);
	tui_field_set(&l->fields[F_USER], user);
	l->fields[F_PASSWORD].secret = true;
	/* Focus where input is needed first (ux review 2026-11-29, A6). */
	l->focus = !server_known(app) ? F_SERVER : user != NULL ? F_PASSWORD : F_USER;
	l->again = app->depth > 0;
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
	if (app->cfg->kiosk != TUI_KIOSK_OFF) {
		tui_put(y, x, "Sign in to your learning server. This computer is shared: your work",
		        COLS - 4, A_NORMAL);
		tui_put(y + 1, x,
		        app->cfg->kiosk == TUI_KIOSK_WIPE
		            ? "stays until you sign out (X), then nothing of it is left here."
		            : "is kept locked for your next visit; sign out with X when you leave.",
		        COLS - 4, A_NORMAL);
	} else if (l->again) {
		tui_put(y, x, "Sign in again to renew your session with the server.", COLS - 4,
		        A_NORMAL);
		tui_put(y + 1, x, "Afterwards you are back where you were; Esc goes back now.",
		        COLS - 4, A_NORMAL);
	} else {
		tui_put(y, x,
		        "Sign in to your learning server. Your courses stay on this computer,",
		        COLS - 4, A_NORMAL);
		tui_put(y + 1, x, "so next time Lectern opens straight into them, online or not.",
		        COLS - 4, A_NORMAL);
	}
	for (int i = 0; i < F_COUNT; i++) {
		tui_put(y + 3 + 2 * i, x, labels[i], 10, i == l->focus ? A_BOLD : A_NORMAL);
		tui_field_draw(&l->fields[i], y + 3 + 2 * i, x + 11, fw, false);
	}
	tui_put(y + 10, x,
	        app->depth > 1 ? "Enter: next / sign in   Tab: next field   Esc: back"
	        : app->cfg->kiosk != TUI_KIOSK_OFF ? "Enter: next / sign in   Tab: next field"
	                                           : "Enter: next / sign in   Tab: next field   "
	                                             "Esc: quit",
	        COLS - 4, tui_attr(TUI_ROLE_DIM));
	if (l->message[0] != '\0')
		tui_put(y + 12, x, l->message, COLS - 4, tui_attr(TUI_ROLE_BAD));
	/* The focused field last, so that the cursor is left in it. */
	tui_field_draw(&l->fields[l->focus], y + 3 + 2 * l->focus, x + 11, fw, true);
}

/*
 * One sign-in on its thread. Two owners, the screen and the thread: the last to let go
 * frees it, so a sign-in the screen abandoned finishes (within a second: the watch's
 * cancel) and cleans up on its own.
 */
struct login_job {
	struct sync_login_watch watch;
	atomic_bool done;
	atomic_int refs;
	char *db_path, *data_dir, *url, *user, *pass;
	bool kiosk;
	enum sync_other_writes other_writes;
	int rc;
	char *cause;
	char *used;   /* the replica the session landed in */
	bool offline; /* signed in against the profile's verifier, the server away */
};

static void
job_unref(struct login_job *job)
{
	if (atomic_fetch_sub(&job->refs, 1) != 1)
		return;
	explicit_bzero(job->pass, strlen(job->pass));
	free(job->db_path);
	free(job->data_dir);
	free(job->used);
	free(job->url);
	free(job->user);
	free(job->pass);
	free(job->cause);
	free(job);
}

/*
 * The server could not be reached: a returning user may sign in against the argon2id
 * verifier their profile kept (issue 13, item 3), on this thread since a check costs
 * about a second. A user this machine has no verifier for keeps the network's message;
 * a wrong password or a throttle says so instead.
 */
static void
job_offline(struct login_job *job)
{
	char *cause = NULL, *path = NULL;
	int rc;

	if (job->kiosk)
		rc = sync_offline_find(job->data_dir, job->user, job->pass, lc_now(), &path, NULL,
		                       &cause);
	else
		rc = sync_offline_sign_in(job->db_path, job->user, job->pass, lc_now(), NULL,
		                          &cause);
	if (rc == 0) {
		job->rc = 0;
		job->offline = true;
		free(job->used);
		job->used = path != NULL ? path : lc_strdup(job->db_path);
		path = NULL;
	} else if (rc != -LC_ENOTFOUND) {
		free(job->cause);
		job->cause = lc_asprintf("Server unreachable. Offline sign-in: %s.",
		                         cause != NULL ? cause : lc_strerror(rc));
		job->rc = rc == -LC_EAUTH ? -LC_EPERM : rc;
	}
	free(cause);
	free(path);
}

static void *
job_run(void *arg)
{
	struct login_job *job = arg;

	struct sync_login_options opts = {.watch = &job->watch,
	                                  .other_writes = job->other_writes,
	                                  .data_dir = job->data_dir,
	                                  .kiosk = job->kiosk};

	job->rc = sync_login_with(job->db_path, job->url, job->user, job->pass, &opts, &job->used,
	                          &job->cause);
	if (job->rc == -LC_ENET && !atomic_load(&job->watch.cancel))
		job_offline(job);
	atomic_store(&job->done, true);
	job_unref(job);
	return NULL;
}

/* The bottom row while signing in: elapsed seconds, and "slow" once connected and waiting. */
static void
draw_waiting(struct login_job *job, int64_t started_ms)
{
	char line[200];
	int s = (int)((lc_monotonic_ms() - started_ms) / 1000);

	if (atomic_load(&job->watch.connected) && s >= LOGIN_SLOW_S)
		snprintf(line, sizeof(line),
		         "The server is slow: connected, no answer for %d s. Esc or Ctrl-C "
		         "cancels.",
		         s);
	else
		snprintf(line, sizeof(line), "Signing in... %d s  (Esc or Ctrl-C cancels)", s);
	tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
	tui_put(LINES - 1, 1, line, COLS - 2, tui_attr(TUI_ROLE_STATUS) | A_BOLD);
}

/*
 * Runs the sign-in on a thread and waits for it drawing the screen. Returns true when it
 * finished (*rc, *cause taken), false when the person cancelled (or the program was told
 * to stop) and the request was abandoned.
 */
static bool
login_wait(struct tui_app *app, struct login *l, struct login_job *job, int *rc, char **cause,
           char **used, bool *offline)
{
	int64_t started = lc_monotonic_ms();
	pthread_t thread;
	bool redraw = true;

	atomic_store(&job->refs, 2);
	if (pthread_create(&thread, NULL, job_run, job) != 0) {
		atomic_store(&job->refs, 1);
		*rc = lc_cause_set(cause, -LC_EIO, "cannot start the sign-in");
		job_unref(job);
		return true;
	}
	pthread_detach(thread);
	while (!atomic_load(&job->done)) {
		wint_t key;
		int k;

		if (redraw) {
			erase();
			login_draw(app, l);
			redraw = false;
		}
		curs_set(0);
		draw_waiting(job, started);
		refresh();
		k = tui_term_get_key(&key, 250);
		if (tui_term_take_ctrl_c() || (k == OK && key == 27) || tui_term_interrupted()) {
			atomic_store(&job->watch.cancel, true);
			lc_log(LC_LOG_INFO, "tui: sign-in cancelled after %lld ms",
			       (long long)(lc_monotonic_ms() - started));
			job_unref(job);
			return false;
		}
		if (k == KEY_CODE_YES && key == KEY_RESIZE)
			redraw = true;
	}
	*rc = job->rc;
	*cause = job->cause;
	job->cause = NULL;
	*used = job->used;
	job->used = NULL;
	*offline = job->offline;
	job_unref(job);
	return true;
}

/* The sign-in could not reach the server (unreachable, slow, or a 5xx), in words. */
static void
unreachable_message(struct login *l, const char *cause)
{
	snprintf(l->message, sizeof(l->message), "%s",
	         cause != NULL && strstr(cause, "server is slow") != NULL
	             ? "The server is slow: it took the connection but did not answer. Try "
	               "again later."
	         : cause != NULL && strstr(cause, "server is unreachable") != NULL
	             ? "The server is unreachable. Check the address."
	             : (cause != NULL ? cause : "The server cannot be reached."));
}

/*
 * Outside kiosk mode, signing in as someone else on a replica holding the last user's
 * waiting writes (issue 13, B4): keep them for that user (parked in their profile) or
 * discard them after a second question. False when the person cancelled.
 */
static bool
ask_other_writes(struct tui_app *app, const char *user, enum sync_other_writes *mode)
{
	char *old = NULL, *words = NULL, question[700];
	int64_t waiting = 0;
	bool go = true;

	*mode = SYNC_OTHER_REFUSE;
	if (app->cfg->kiosk != TUI_KIOSK_OFF || app->db == NULL)
		return true;
	store_setting_get(app->db, "username", &old);
	if (old != NULL && strcasecmp(old, user) != 0)
		store_waiting_describe(app->db, &words, &waiting);
	if (waiting > 0) {
		snprintf(question, sizeof(question),
		         "%s has unsent work here (%s). Keep it for %s? (n: discard it)", old,
		         words, old);
		if (tui_confirm(app, question)) {
			*mode = SYNC_OTHER_PARK;
		} else {
			snprintf(question, sizeof(question),
			         "Discard %s's %lld unsent writes for good?", old,
			         (long long)waiting);
			go = tui_confirm(app, question);
			*mode = SYNC_OTHER_DISCARD;
		}
	}
	free(old);
	free(words);
	return go;
}

static void
login_submit(struct tui_app *app, struct login *l)
{
	char *url = tui_field_get(&l->fields[F_SERVER]);
	char *user = tui_field_get(&l->fields[F_USER]);
	char *pass = tui_field_get(&l->fields[F_PASSWORD]);
	char *cause = NULL, *used = NULL;
	enum sync_other_writes other;
	bool offline = false;
	struct login_job *job;
	int rc;

	if (user[0] == '\0' || pass[0] == '\0') {
		snprintf(l->message, sizeof(l->message), "Enter a username and a password.");
		goto out;
	}
	/* A kiosk session is handed over only through a sign-out (issue 13, item 1). */
	if (app->cfg->kiosk != TUI_KIOSK_OFF && app->username != NULL &&
	    strcasecmp(app->username, user) != 0) {
		snprintf(l->message, sizeof(l->message),
		         "%s is signed in here: sign out first (X) to let someone else in.",
		         app->username);
		goto out;
	}
	if (!ask_other_writes(app, user, &other)) {
		snprintf(l->message, sizeof(l->message), "Nothing was changed.");
		goto out;
	}
	/* Nothing may write to the replica while a sign-in may empty or replace it. */
	sync_engine_destroy(app->engine);
	app->engine = NULL;
	tui_background_wait(app);
	job = lc_calloc(1, sizeof(*job));
	job->db_path = lc_strdup(app->cfg->db_path);
	job->data_dir = app->cfg->data_dir != NULL ? lc_strdup(app->cfg->data_dir) : NULL;
	job->kiosk = app->cfg->kiosk != TUI_KIOSK_OFF;
	job->other_writes = other;
	job->url = lc_strdup(url);
	job->user = lc_strdup(user);
	job->pass = lc_strdup(pass);
	l->message[0] = '\0';
	if (!login_wait(app, l, job, &rc, &cause, &used, &offline)) {
		snprintf(l->message, sizeof(l->message),
		         "Sign-in cancelled. Change the server or press Enter to try again.");
		goto failed;
	}
	/* Unreachable, slow or failing, and no offline sign-in for this user here. */
	if (rc == -LC_ENET)
		unreachable_message(l, cause);
	else if (rc == -LC_EAUTH)
		snprintf(l->message, sizeof(l->message), "Wrong username or password.");
	else if (rc < 0 && rc != -LC_ENET)
		snprintf(l->message, sizeof(l->message), "%s", cause ? cause : lc_strerror(rc));
	if (rc < 0) {
		lc_log(LC_LOG_WARN, "tui: login as %s failed: %s", user, cause ? cause : "");
		tui_field_set(&l->fields[F_PASSWORD], "");
		l->focus = F_PASSWORD;
		goto failed;
	}
	lc_log(LC_LOG_INFO, "tui: logged in as %s", user);
	memset(pass, 0, strlen(pass));
	free(url);
	free(user);
	free(pass);
	free(cause);
	curs_set(0);
	tui_signed_in(app, used != NULL ? used : app->cfg->db_path); /* frees this view */
	free(used);
	if (offline)
		tui_flash(app,
		          "Signed in without the server: your work waits here until it is back");
	return;
failed:
	/* The one who was signed in before (a session to renew) syncs on. */
	if (app->user_id != NULL)
		tui_sync_start(app);
out:
	memset(pass, 0, strlen(pass));
	free(url);
	free(user);
	free(pass);
	free(cause);
	free(used);
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
			tui_request_quit(app); /* a kiosk's sign-in screen is never left */
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
