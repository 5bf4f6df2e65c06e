/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of `lectern`, one function each, collected in a table (tmux's idea).
 * Session commands (login, logout, sync, status) talk to the sync engine; the others read
 * the replica or queue a write with store_local_write() and never touch the network.
 */
#include "tui/cli.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/text.h"
#include "common/uuid.h"
#include "store/profile.h"
#include "store/replica.h"
#include "sync/engine.h"
#include "sync/http.h"
#include "sync/merge.h"
#include "sync/progress.h"
#include "tui/kiosk.h"
#include "tui/tui-int.h"
#include "tui/write.h"

#define BODY_MAX 20000               /* API.md: Markdown bodies are 1..20000 chars */
#define STDIN_BODY_MAX (1024 * 1024) /* lectern edit: lecternd's request limit */

struct cli_cmd {
	const char *name;
	const char *args;
	int min_args; /* positional arguments after the name */
	int (*fn)(const struct cli_ctx *ctx, int argc, char **argv);
	const char *what; /* what --help says after the usage (git's style), lines of text */
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int cmd_status(const struct cli_ctx *ctx, int argc, char **argv);
static void cmd_usage(FILE *fp, const struct cli_cmd *c);

/* The command being run, whose usage a bad command line gets; NULL before dispatch. */
static const struct cli_cmd *current;

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "lectern: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	if (current != NULL)
		cmd_usage(stderr, current);
	else
		cli_usage(stderr);
	return CLI_EXIT_USAGE;
}

/*
 * Writes text that came from the server or the replica (NULL reads as "") with every
 * control character neutralised (lc_text_clean): a title holding escape sequences must not
 * retitle, clear or recolour the terminal (security review 2026-11-29, M3). Without
 * LC_TEXT_KEEP_LINES a field stays on its own line.
 */
static void
put_text(FILE *fp, const char *s, unsigned flags)
{
	char *clean = lc_text_cleaned(s, flags);

	fputs(clean, fp);
	free(clean);
}

/* A line "LABEL  value" of `lectern status`, the value from the replica. */
static void
put_row(const char *label, const char *value)
{
	printf("%-14s", label);
	put_text(stdout, value, 0);
	putchar('\n');
}

/* Maps an error to an exit status and prints its message (which may quote the server). */
static int
fail(int rc, const char *what, char *cause)
{
	fprintf(stderr, "lectern: %s: ", what);
	put_text(stderr, cause != NULL ? cause : lc_strerror(rc), LC_TEXT_KEEP_LINES);
	fputc('\n', stderr);
	free(cause);
	if (rc == -LC_ENET)
		return CLI_EXIT_UNREACHABLE;
	if (rc == -LC_ECONFLICT)
		return CLI_EXIT_VERIFY;
	return CLI_EXIT_USAGE;
}

static int
open_replica(const struct cli_ctx *ctx, struct store_db **db)
{
	char *cause = NULL;
	int rc = store_replica_open(ctx->db_path, db, &cause);

	if (rc < 0)
		return fail(rc, "replica", cause); /* cause names the file */
	return 0;
}

/* ---- Reading input -------------------------------------------------------------------- */

/* Reads all of stdin: the body, kept byte for byte (Markdown cares about whitespace). */
static int
read_body(char **out)
{
	struct lc_buf buf = {0};
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		lc_buf_append(&buf, chunk, n);
	if (ferror(stdin)) {
		lc_buf_finish(&buf);
		fprintf(stderr, "lectern: cannot read stdin: %s\n", strerror(errno));
		return CLI_EXIT_USAGE;
	}
	/* Up to the request limit: each field's own limit (a lesson's body 256 Ki characters,
	 * issue 15) is tui/write.c's, whose refusal says how long the text is. */
	if (buf.len == 0 || buf.len > STDIN_BODY_MAX ||
	    (buf.len > 0 && memchr(buf.data, '\0', buf.len) != NULL)) {
		lc_buf_finish(&buf);
		fprintf(stderr, "lectern: the body on stdin must be 1 to %d bytes of text\n",
		        STDIN_BODY_MAX);
		return CLI_EXIT_USAGE;
	}
	*out = lc_buf_steal(&buf);
	return 0;
}

/* The terminal as it was before the password prompt turned echo off. */
static struct termios prompt_termios;

/*
 * Ctrl-C (or a kill) at the password prompt: give the terminal its echo back, then die
 * of the signal as before (issue 13: it used to leave the shell without echo).
 * tcsetattr(), sigaction() and raise() are async-signal-safe.
 */
static void
on_prompt_signal(int sig)
{
	struct sigaction dfl;

	tcsetattr(STDIN_FILENO, TCSAFLUSH, &prompt_termios);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

/* Reads a password: a line of stdin, or after prompt without echo on a terminal. */
static char *
read_password_prompt(const char *prompt)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa, old_sa[sizeof(sigs) / sizeof(sigs[0])];
	struct termios quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &prompt_termios) == 0;
	bool caught[sizeof(sigs) / sizeof(sigs[0])] = {false};
	char line[1024];
	char *pw = NULL;

	if (tty) {
		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = on_prompt_signal;
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			caught[i] = sigaction(sigs[i], &sa, &old_sa[i]) == 0;
		fprintf(stderr, "%s", prompt);
		quiet = prompt_termios;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		pw = lc_strdup(line);
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &prompt_termios);
		fprintf(stderr, "\n");
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			if (caught[i])
				sigaction(sigs[i], &old_sa[i], NULL);
	}
	explicit_bzero(line, sizeof(line));
	return pw;
}

static char *
read_password(void)
{
	return read_password_prompt("Password: ");
}

/* ---- Session commands ------------------------------------------------------------------- */

/* The server to use: --server, else the one the replica logged in to. Caller frees. */
static char *
server_url(const struct cli_ctx *ctx)
{
	struct store_db *db = NULL;
	char *url = NULL;

	if (ctx->server_url != NULL)
		return lc_strdup(ctx->server_url);
	if (ctx->kiosk != TUI_KIOSK_OFF)
		return NULL; /* a kiosk keeps no D/replica.db to ask */
	if (store_replica_open(ctx->db_path, &db, NULL) == 0)
		store_setting_get(db, "server_url", &url);
	store_db_close(db);
	return url;
}

/* The sign-in Ctrl-C abandons: a lock-free atomic store is safe in a signal handler. */
static struct sync_login_watch *login_watch;

static void
on_login_interrupt(int sig)
{
	(void)sig;
	atomic_store(&login_watch->cancel, true);
}

/* Reads one answer line from the terminal; its first letter, lowercased, or 0. */
static int
ask_letter(const char *question)
{
	char line[64];

	fprintf(stderr, "%s", question);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] >= 'A' && line[0] <= 'Z' ? line[0] - 'A' + 'a' : line[0];
}

/*
 * Before a sign-in as user on a replica holding another user's waiting writes (issue 13;
 * mission review 2026-11-29, B4): what to do with them, from --keep-waiting or
 * --discard-waiting, else asked on a terminal. Returns 0 with *mode, or an exit status.
 */
static int
choose_other_writes(const struct cli_ctx *ctx, const char *user, int flag,
                    enum sync_other_writes *mode)
{
	struct store_db *db = NULL;
	char *old = NULL, *words = NULL;
	int64_t waiting = 0;
	int answer, status = 0;

	*mode = (enum sync_other_writes)flag;
	if (flag != SYNC_OTHER_REFUSE || store_replica_open(ctx->db_path, &db, NULL) < 0)
		return 0;
	store_setting_get(db, "username", &old);
	if (old != NULL && strcasecmp(old, user) != 0)
		store_waiting_describe(db, &words, &waiting);
	store_db_close(db);
	if (waiting == 0)
		goto out;
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
		status = usage_error("this replica holds %lld waiting writes of %s (%s): add "
		                     "--keep-waiting to keep them for %s, or --discard-waiting",
		                     (long long)waiting, old, words, old);
		goto out;
	}
	fprintf(stderr, "This replica holds writes of %s not sent yet: %s.\n", old, words);
	answer = ask_letter("Keep them for them (k), discard them (d), or cancel (c)? ");
	if (answer == 'k') {
		*mode = SYNC_OTHER_PARK;
	} else if (answer == 'd' &&
	           ask_letter("They will be lost for good. Discard them? (y/N) ") == 'y') {
		*mode = SYNC_OTHER_DISCARD;
	} else {
		fprintf(stderr, "lectern: login: cancelled; nothing was changed\n");
		status = CLI_EXIT_USAGE;
	}
out:
	free(old);
	free(words);
	return status;
}

static int
cmd_login(const struct cli_ctx *ctx, int argc, char **argv)
{
	static struct sync_login_watch watch;
	struct sync_login_options opts = {.watch = &watch, .data_dir = ctx->data_dir};
	char *url, *pw, *cause = NULL, *user = NULL;
	struct sigaction sa, old_sa;
	int rc, flag = SYNC_OTHER_REFUSE;
	bool caught;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--keep-waiting") == 0 && flag == SYNC_OTHER_REFUSE)
			flag = SYNC_OTHER_PARK;
		else if (strcmp(argv[i], "--discard-waiting") == 0 && flag == SYNC_OTHER_REFUSE)
			flag = SYNC_OTHER_DISCARD;
		else if (argv[i][0] != '-' && user == NULL)
			user = argv[i];
		else
			return usage_error("login: unexpected argument %s", argv[i]);
	}
	if (user == NULL)
		return usage_error("%s", "login: no username");
	/* A kiosk signs in to the profile of whoever the server says this is. */
	opts.kiosk = ctx->kiosk != TUI_KIOSK_OFF;
	if (!opts.kiosk && (rc = choose_other_writes(ctx, user, flag, &opts.other_writes)) != 0)
		return rc;
	url = server_url(ctx);
	if (url == NULL)
		return usage_error("%s", "no server: use --server URL or LECTERN_SERVER");
	pw = read_password();
	if (pw == NULL) {
		free(url);
		return usage_error("%s", "no password on stdin");
	}
	/*
	 * Ctrl-C stops a sign-in at once, through a stalled link too (ux review 2026-11-29,
	 * F1): the request is abandoned within a second, and the command says so, status 1.
	 */
	login_watch = &watch;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_login_interrupt;
	/* Without the handler Ctrl-C ends lectern outright: say so, and sign in all the same. */
	caught = sigaction(SIGINT, &sa, &old_sa) == 0;
	if (!caught)
		fprintf(stderr, "lectern: login: cannot catch Ctrl-C (%s); it ends lectern\n",
		        strerror(errno));
	rc = sync_login_with(ctx->db_path, url, user, pw, &opts, NULL, &cause);
	if (caught && sigaction(SIGINT, &old_sa, NULL) != 0)
		lc_log(LC_LOG_WARN, "login: cannot restore the Ctrl-C handler: %s",
		       strerror(errno));
	explicit_bzero(pw, strlen(pw));
	free(pw);
	free(url);
	if (rc < 0 && atomic_load(&watch.cancel)) {
		free(cause);
		fprintf(stderr, "lectern: login: cancelled (Ctrl-C); nothing was saved\n");
		return 1;
	}
	if (rc == -LC_EPERM && cause != NULL && strstr(cause, "waiting writes") != NULL) {
		fprintf(stderr, "lectern: login: %s (--keep-waiting or --discard-waiting)\n",
		        cause);
		free(cause);
		return CLI_EXIT_USAGE;
	}
	if (rc < 0)
		return fail(rc, "login", cause);
	printf("Logged in as %s.\n", user);
	return CLI_EXIT_OK;
}

/*
 * One profile's sign-out in kiosk mode: in wipe mode its waiting writes are sent first,
 * and when they cannot be, a terminal is told what will be lost and asked; off a terminal
 * --discard-waiting must say so. Returns 0 or an exit status (the profile then kept).
 */
static int
kiosk_sign_out_one(const struct cli_ctx *ctx, const char *path, bool discard, bool *signed_out)
{
	char *lost = NULL, *cause = NULL;
	int64_t n_lost = 0;
	int rc = 0;

	*signed_out = false;
	if (ctx->kiosk == TUI_KIOSK_WIPE)
		rc = tui_kiosk_send_waiting(ctx->kiosk, ctx->data_dir, path, ctx->server_url, &lost,
		                            &n_lost, &cause);
	if (rc < 0 && n_lost > 0) {
		fprintf(stderr, "lectern: logout: %s: cannot send %s (%s)\n", path, lost,
		        cause != NULL ? cause : "error");
		if (!discard && !(isatty(STDIN_FILENO) && isatty(STDERR_FILENO) &&
		                  ask_letter("Wipe the profile and lose them? (y/N) ") == 'y')) {
			fprintf(stderr,
			        "lectern: logout: kept %s locked (--discard-waiting wipes it)\n",
			        path);
			free(lost);
			free(cause);
			cause = NULL;
			/* Signed out all the same: the writes wait, locked, for their owner. */
			if (sync_logout(path, NULL, &cause) < 0)
				fail(-LC_EIO, "logout", cause);
			else
				free(cause);
			return CLI_EXIT_USAGE;
		}
	}
	free(lost);
	free(cause);
	cause = NULL;
	rc = tui_kiosk_sign_out(ctx->kiosk, ctx->data_dir, path, &cause);
	if (rc < 0)
		return fail(rc, "logout", cause);
	*signed_out = true;
	return 0;
}

/*
 * `lectern --kiosk logout`: the lab's end-of-day reset. Every profile still holding a
 * session is signed out, locked or (wipe) wiped.
 */
static int
kiosk_logout(const struct cli_ctx *ctx, bool discard)
{
	char **ids = NULL, *cause = NULL;
	size_t n = 0;
	int status = CLI_EXIT_OK, count = 0;
	int rc = store_profile_list(ctx->data_dir, &ids, &n, &cause);

	if (rc < 0)
		return fail(rc, "logout", cause);
	for (size_t i = 0; i < n; i++) {
		struct store_db *db = NULL;
		char *path = NULL, *token = NULL;
		bool done = false;
		int st;

		if (store_profile_paths(ctx->data_dir, ids[i], NULL, &path, NULL) < 0 ||
		    !store_profile_exists(ctx->data_dir, ids[i]))
			goto next;
		if (store_replica_open(path, &db, &cause) < 0) {
			fprintf(stderr, "lectern: logout: skipped %s: %s\n", ids[i],
			        cause != NULL ? cause : "cannot open it");
			free(cause);
			cause = NULL;
			status = CLI_EXIT_USAGE;
			goto next;
		}
		store_setting_get(db, "refresh_token", &token);
		store_db_close(db);
		/* Keep mode locks the profiles holding a session; wipe mode leaves none. */
		if (token == NULL && ctx->kiosk != TUI_KIOSK_WIPE)
			goto next;
		st = kiosk_sign_out_one(ctx, path, discard, &done);
		if (st != 0)
			status = st;
		count += done ? 1 : 0;
	next:
		free(token);
		free(path);
	}
	store_profile_list_free(ids, n);
	printf("Signed out %d profile%s (%s).\n", count, count == 1 ? "" : "s",
	       ctx->kiosk == TUI_KIOSK_WIPE ? "wiped" : "kept locked");
	return status;
}

static int
cmd_logout(const struct cli_ctx *ctx, int argc, char **argv)
{
	char *cause = NULL;
	bool discard = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--discard-waiting") != 0)
			return usage_error("logout: unexpected argument %s", argv[i]);
		discard = true;
	}
	if (ctx->kiosk != TUI_KIOSK_OFF)
		return kiosk_logout(ctx, discard);
	rc = sync_logout(ctx->db_path, NULL, &cause);
	if (rc < 0)
		return fail(rc, "logout", cause);
	printf("Logged out. This replica is locked until the same user logs in again.\n");
	return CLI_EXIT_OK;
}

/*
 * `lectern kiosk-passwd` (issue 13, item 5): the kiosk admin's password, asked twice
 * without echo (or two lines of stdin), as the config's admin_hash line on stdout.
 */
static int
cmd_kiosk_passwd(const struct cli_ctx *ctx, int argc, char **argv)
{
	char *pw = read_password_prompt("Kiosk admin password: "), *again = NULL;
	char hash[128];
	int status = CLI_EXIT_USAGE;

	(void)ctx;
	(void)argc;
	(void)argv;
	if (pw != NULL)
		again = read_password_prompt("Again: ");
	if (pw == NULL || again == NULL)
		fprintf(stderr, "lectern: kiosk-passwd: no password on stdin\n");
	else if (strlen(pw) < 8)
		fprintf(stderr, "lectern: kiosk-passwd: at least 8 characters, please\n");
	else if (strcmp(pw, again) != 0)
		fprintf(stderr, "lectern: kiosk-passwd: the two passwords differ\n");
	else if (tui_admin_hash(pw, hash) != 0)
		fprintf(stderr, "lectern: kiosk-passwd: out of memory\n");
	else
		status = CLI_EXIT_OK;
	if (status == CLI_EXIT_OK)
		printf("admin_hash = %s\n", hash);
	if (pw != NULL)
		explicit_bzero(pw, strlen(pw));
	if (again != NULL)
		explicit_bzero(again, strlen(again));
	free(pw);
	free(again);
	return status;
}

/*
 * Before a command that reads or writes the user's data: refused in kiosk mode (only
 * logout runs there) and on a replica locked by a sign-out (issue 13; B4: the next person
 * used to read and post as the previous one). Returns 0 or an exit status.
 */
static int
check_may_run(const struct cli_ctx *ctx, const struct cli_cmd *c)
{
	struct store_db *db = NULL;
	bool locked;

	/* The admin's hash is made on the kiosk itself: it touches no user's data. */
	if (c->fn == cmd_logout || c->fn == cmd_kiosk_passwd)
		return 0;
	if (ctx->kiosk != TUI_KIOSK_OFF) {
		fprintf(stderr,
		        "lectern: kiosk mode: `lectern %s` is not available here; only "
		        "`lectern logout` (sign out every profile) runs from the command "
		        "line\n",
		        c->name);
		return CLI_EXIT_USAGE;
	}
	if (c->fn == cmd_login || c->fn == cmd_status)
		return 0;
	if (store_replica_open(ctx->db_path, &db, NULL) < 0)
		return 0; /* the command says why it cannot open it */
	locked = sync_signed_out(db);
	store_db_close(db);
	if (!locked)
		return 0;
	fprintf(stderr, "lectern: signed out: run lectern login\n");
	return CLI_EXIT_USAGE;
}

/*
 * `lectern sync` on a terminal: a line on stderr, rewritten in place four times a second,
 * with bytes, percent and time left (issue 13; ux review 2026-11-29, F2), erased before
 * the result is printed.
 */
struct sync_meter {
	struct sync_engine *engine;
	pthread_t thread;
	atomic_bool stop;
};

static void *
sync_meter_main(void *arg)
{
	struct sync_meter *m = arg;
	char line[160], last[160] = "";
	size_t shown = 0;

	while (!atomic_load(&m->stop)) {
		struct sync_status st;
		struct timespec tick = {0, 250 * 1000 * 1000};

		sync_engine_status(m->engine, &st);
		if (st.state == SYNC_SYNCING) {
			size_t len;

			sync_progress_text(&st, lc_monotonic_ms(), line, sizeof(line));
			len = strlen(line);
			/* Pad over a longer line before it: no terminal escape needed. */
			if (strcmp(line, last) != 0) {
				fprintf(stderr, "\r%s%*s", line,
				        shown > len ? (int)(shown - len) : 0, "");
				fflush(stderr);
				snprintf(last, sizeof(last), "%s", line);
				shown = len;
			}
		}
		nanosleep(&tick, NULL);
	}
	if (shown > 0) {
		fprintf(stderr, "\r%*s\r", (int)shown, "");
		fflush(stderr);
	}
	return NULL;
}

/*
 * The id of the newest sync issue of the replica (0: none), and in *newer (may be NULL) how
 * many issues have an id above after: the writes a sync just had refused (or in conflict).
 */
static int64_t
newest_issue(const char *db_path, int64_t after, int64_t *newer)
{
	struct store_issue *issues = NULL;
	struct store_db *db = NULL;
	int64_t newest = 0;
	size_t n = 0;

	if (newer != NULL)
		*newer = 0;
	if (store_replica_open(db_path, &db, NULL) < 0)
		return 0;
	if (store_issues_list(db, &issues, &n) == 0)
		for (size_t i = 0; i < n; i++) {
			newest = issues[i].id > newest ? issues[i].id : newest;
			if (newer != NULL && issues[i].id > after)
				(*newer)++;
		}
	store_issues_free(issues, n);
	store_db_close(db);
	return newest;
}

static int
cmd_sync(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct sync_options opts = {.db_path = ctx->db_path, .server_url = ctx->server_url};
	int64_t issue_before, refused = 0;
	struct sync_engine *engine = NULL;
	struct sync_status st;
	bool verify = false;
	char *cause = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--verify") != 0)
			return usage_error("sync: unknown argument %s", argv[i]);
		verify = true;
	}
	issue_before = newest_issue(ctx->db_path, 0, NULL);
	rc = sync_engine_create(&opts, &engine, &cause);
	if (rc == 0) {
		struct sync_meter meter = {.engine = engine};
		/* Progress only for a person at a terminal; scripts get the result alone. */
		bool shown = isatty(STDERR_FILENO) != 0 &&
		             pthread_create(&meter.thread, NULL, sync_meter_main, &meter) == 0;

		rc = sync_engine_run(engine, verify, &cause);
		if (shown) {
			atomic_store(&meter.stop, true);
			pthread_join(meter.thread, NULL);
		}
	}
	sync_engine_status(engine, &st);
	sync_engine_destroy(engine);
	if (rc < 0)
		return fail(rc, verify && rc == -LC_ECONFLICT ? "verify failed" : "sync", cause);
	printf("Synced: %lld writes sent, %lld changes received, %lld waiting, %lld issues%s.\n",
	       (long long)st.entries_pushed, (long long)st.changes_applied,
	       (long long)st.entries_waiting, (long long)st.issues, verify ? ", verified" : "");
	newest_issue(ctx->db_path, issue_before, &refused);
	if (refused > 0) {
		fprintf(stderr,
		        "lectern: the server refused %lld of the writes sent: lectern issues "
		        "lists them\n",
		        (long long)refused);
		return CLI_EXIT_REFUSED;
	}
	return CLI_EXIT_OK;
}

static void
print_setting(struct store_db *db, const char *label, const char *key, const char *none)
{
	char *value = NULL;

	store_setting_get(db, key, &value);
	put_row(label, value != NULL ? value : none);
	free(value);
}

/*
 * The "reachable" row of `lectern status` (ux review 2026-11-29, A10: with the server down
 * it said only "session logged in"): one tokenless GET /api/v1/users/me, which lecternd
 * answers with a 401 before anything else, with 3 s to connect and 3 s of silence at most.
 * Any HTTP answer is "yes"; none is "no" with the reason. The exit status stays 0.
 */
static void
print_reachable(const char *server)
{
	struct sync_http_options opts = {.connect_timeout_s = 3, .low_speed_time_s = 3};
	struct sync_http *http = NULL;
	struct sync_http_response res = {0};
	char *cause = NULL, *url = NULL, *row = NULL;
	int64_t t0 = lc_monotonic_ms();
	int rc;

	if (server == NULL || server[0] == '\0')
		return;
	rc = sync_http_create(&opts, &http, &cause);
	if (rc == 0) {
		size_t len = strlen(server);

		while (len > 0 && server[len - 1] == '/') /* "http://host/" as stored or typed */
			len--;
		url = lc_asprintf("%.*s/api/v1/users/me", (int)len, server);
		rc = sync_http_request(http, "GET", url, NULL, NULL, &res, &cause);
	}
	if (rc == 0)
		row = lc_asprintf("yes (answered in %lld ms)", (long long)(lc_monotonic_ms() - t0));
	else
		row = lc_asprintf("no: %s", cause != NULL ? cause : lc_strerror(rc));
	put_row("reachable", row);
	sync_http_response_finish(&res);
	sync_http_destroy(http);
	free(row);
	free(url);
	free(cause);
}

static int
cmd_status(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_db *db = NULL;
	struct store_cursor *cursors = NULL;
	size_t n = 0;
	int64_t waiting = 0, issues = 0;
	char *token = NULL;

	if (open_replica(ctx, &db) != 0)
		return CLI_EXIT_USAGE;
	if (ctx->server_url != NULL)
		put_row("server", ctx->server_url);
	else
		print_setting(db, "server", "server_url", "(none)");
	{
		char *server = NULL;

		if (ctx->server_url == NULL)
			store_setting_get(db, "server_url", &server);
		print_reachable(ctx->server_url != NULL ? ctx->server_url : server);
		free(server);
	}
	print_setting(db, "user", "username", "(not logged in)");
	store_setting_get(db, "refresh_token", &token);
	printf("%-14s%s\n", "session",
	       token != NULL         ? "logged in"
	       : sync_signed_out(db) ? "signed out (locked until the same user logs in)"
	                             : "needs login");
	free(token);
	store_outbox_count(db, &waiting);
	store_issue_count(db, &issues);
	printf("%-14s%lld\n", "pending", (long long)waiting);
	if (waiting > 0) {
		char *words = NULL;

		if (store_waiting_describe(db, &words, NULL) == 0)
			put_row("waiting", words);
		free(words);
	}
	printf("%-14s%lld\n", "issues", (long long)issues);
	print_setting(db, "last sync", "last_sync", "never");
	if (store_cursor_list(db, &cursors, &n) == 0)
		for (size_t i = 0; i < n; i++) {
			printf("cursor        ");
			put_text(stdout, cursors[i].scope, 0);
			printf("\t%lld\n", (long long)cursors[i].cursor);
		}
	store_cursor_list_free(cursors, n);
	store_db_close(db);
	return CLI_EXIT_OK;
}

/* ---- Reading the replica ---------------------------------------------------------------- */

static const char *
doc_str(const cJSON *doc, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A line "id<TAB>title" of `lectern courses`, both from the replica. */
static void
put_course(const char *id, const char *title)
{
	put_text(stdout, id, 0);
	putchar('\t');
	put_text(stdout, title, 0);
	putchar('\n');
}

/*
 * An empty list while the first sync has not finished: the courses are on their way, not
 * missing (ux review 2026-11-29, A16/F3). On stderr, so a script's output stays a list.
 * Returns true when it said so.
 */
static bool
note_first_sync(struct store_db *db)
{
	char *user = NULL;
	bool first = false;

	if (store_setting_get(db, "username", &user) < 0 || user == NULL ||
	    sync_replica_first_sync(db, &first) < 0 || !first) {
		free(user);
		return false;
	}
	free(user);
	fprintf(stderr, "lectern: your courses are not downloaded yet: the first sync has not "
	                "finished; `lectern sync` downloads them\n");
	return true;
}

static int
cmd_courses(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_resource_list list = {0};
	struct store_hit *hits = NULL;
	struct store_db *db = NULL;
	size_t n = 0, listed = 0;
	int rc;

	if (argc != 1 && (argc != 3 || strcmp(argv[1], "--search") != 0))
		return usage_error("%s", "courses takes only --search TEXT");
	if (open_replica(ctx, &db) != 0)
		return CLI_EXIT_USAGE;
	if (argc == 3) {
		rc = store_search(db, argv[2], "course", 1000, &hits, &n);
		for (size_t i = 0; rc == 0 && i < n; i++)
			put_course(hits[i].id, hits[i].title);
		listed = n;
		store_hits_free(hits, n);
	} else {
		rc = store_resource_list(db, "course", NULL, NULL, STORE_ORDER_TITLE, &list);
		for (size_t i = 0; rc == 0 && i < list.n; i++) {
			cJSON *doc = cJSON_Parse(list.items[i].doc);
			const char *title = doc_str(doc, "title");

			put_course(list.items[i].id, title);
			cJSON_Delete(doc);
		}
		listed = list.n;
		store_resource_list_free(&list);
	}
	if (rc < 0)
		fprintf(stderr, "lectern: courses: %s\n", store_db_error(db)->message);
	else if (listed == 0)
		note_first_sync(db);
	store_db_close(db);
	return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* Prints a JSON text field by field, long texts as indented blocks. */
/* ---- lectern issues: sync issues in words, and the choices (issue 11, item 6) ----------- */

/* Text for one tab-separated field: no control character, no tab, no newline. */
static void
put_field(const char *s)
{
	put_text(stdout, s, 0);
}

/* One issue's row: "ID  what: what happened  (when)" on a terminal, else tab-separated. */
static void
issue_row(struct store_db *db, const struct store_issue *it, bool tty)
{
	char *what = store_issue_describe(db, it);
	char *happened = store_issue_what_happened(it);
	char when[LC_RFC3339_LEN + 1];

	lc_rfc3339(it->created_at, when);
	if (tty) {
		printf("%3lld  ", (long long)it->id);
		put_field(what);
		printf(": ");
		put_field(happened);
		printf("  (%s)\n", when);
	} else {
		printf("%lld\t", (long long)it->id);
		put_field(it->kind);
		putchar('\t');
		put_field(what);
		putchar('\t');
		put_field(happened);
		printf("\t%s\n", when);
	}
	free(what);
	free(happened);
}

static void
issue_choices(const struct store_issue *it)
{
	if (strcmp(it->kind, "conflict") == 0)
		printf("Choose: lectern issues keep-mine %lld | keep-theirs %lld | merge %lld < "
		       "merged.txt\n",
		       (long long)it->id, (long long)it->id, (long long)it->id);
	else
		printf("Choose: lectern issues retry %lld | discard %lld\n", (long long)it->id,
		       (long long)it->id);
}

static int
issues_list(struct store_db *db)
{
	struct store_issue *issues = NULL;
	size_t n = 0;
	bool tty = isatty(STDOUT_FILENO);
	int rc = store_issues_list(db, &issues, &n);

	for (size_t i = 0; rc == 0 && i < n; i++)
		issue_row(db, &issues[i], tty);
	if (rc == 0 && n == 0 && tty)
		printf("No sync issues.\n");
	else if (rc == 0 && tty)
		printf("`lectern issues show N` shows what each side changed.\n");
	store_issues_free(issues, n);
	return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* show N: the row, what each side changed (line diffs), and the choices. --marked: the
 * merge to edit, with conflict markers, for `merge N`. */
static int
issues_show(struct store_db *db, const struct store_issue *it, bool marked)
{
	char *text = NULL, *field = NULL, *cause = NULL;

	if (marked) {
		int rc =
		    sync_merge_marked_field(it->base, it->mine, it->theirs, &field, &text, &cause);

		if (rc < 0 || strcmp(it->kind, "conflict") != 0)
			return fail(rc < 0 ? rc : -LC_EINVAL, "no merge to edit",
			            cause != NULL ? cause
			                          : lc_strdup("the issue is not a conflict"));
		put_text(stdout, text, LC_TEXT_KEEP_LINES);
		free(text);
		free(field);
		return CLI_EXIT_OK;
	}
	issue_row(db, it, true);
	text = sync_merge_describe(it->base, it->mine, it->theirs);
	put_text(stdout, text, LC_TEXT_KEEP_LINES);
	free(text);
	if (it->theirs == NULL)
		printf("(your write was undone on this replica; its content is kept here)\n");
	issue_choices(it);
	return CLI_EXIT_OK;
}

/* merge N: stdin is the merged text of the field that collided; queued on theirs' rev. */
static int
issues_merge(struct store_db *db, const struct store_issue *it)
{
	char *field = NULL, *marked = NULL, *text = NULL, *body = NULL, *cause = NULL;
	int rc = sync_merge_marked_field(it->base, it->mine, it->theirs, &field, &marked, &cause);

	if (rc < 0)
		return fail(rc, "no merge to edit", cause);
	rc = read_body(&text);
	if (rc == 0) {
		rc = sync_merge_resolve(it->base, it->mine, it->theirs, field, text, &body, &cause);
		if (rc == 0)
			rc = store_issue_resolve(db, it->id, body);
		rc = rc < 0 ? fail(rc, "merge", cause) : CLI_EXIT_OK;
		if (rc == CLI_EXIT_OK)
			printf("Queued your merge of issue %lld; it is sent with the next sync.\n",
			       (long long)it->id);
	}
	free(field);
	free(marked);
	free(text);
	free(body);
	return rc;
}

static int
issues_act(struct store_db *db, const char *verb, const struct store_issue *it)
{
	static const struct {
		const char *verb;
		int (*fn)(struct store_db *db, int64_t id);
		const char *done;
	} acts[] = {
	    {"retry", store_issue_retry, "Queued again; it is sent with the next sync."},
	    {"discard", store_issue_discard, "Discarded."},
	    {"keep-mine", store_issue_keep_mine,
	     "Queued your version over the server's; it is sent with the next sync."},
	    {"keep-theirs", store_issue_keep_theirs, "Kept the server's version."},
	};

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		int rc;

		if (strcmp(verb, acts[i].verb) != 0)
			continue;
		rc = acts[i].fn(db, it->id);
		if (rc == -LC_ECONFLICT)
			return fail(rc, verb,
			            lc_strdup("a conflict is not sent again as it was: choose "
			                      "keep-mine, keep-theirs or merge"));
		if (rc == -LC_EINVAL)
			return fail(
			    rc, verb,
			    lc_strdup("the server refused this write: retry or discard it"));
		if (rc < 0)
			return fail(rc, verb, lc_strdup(store_db_error(db)->message));
		printf("%s\n", acts[i].done);
		return CLI_EXIT_OK;
	}
	return usage_error("unknown issues command %s", verb);
}

static int
cmd_issues(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_issue *it = NULL;
	struct store_db *db = NULL;
	char *end = NULL;
	long long id = 0;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		printf(
		    "usage: lectern issues [show N [--marked] | retry N | discard N | keep-mine N"
		    " | keep-theirs N | merge N < merged.txt]\n");
		return CLI_EXIT_OK;
	}
	if (argc != 1 && argc != 3 && !(argc == 4 && strcmp(argv[3], "--marked") == 0))
		return usage_error("wrong arguments for issues");
	if (argc > 1) {
		errno = 0;
		id = strtoll(argv[2], &end, 10);
		if (errno != 0 || end == argv[2] || *end != '\0' || id <= 0)
			return usage_error("issues %s: N must be an issue number", argv[1]);
	}
	if (open_replica(ctx, &db) != 0)
		return CLI_EXIT_USAGE;
	if (argc == 1) {
		rc = issues_list(db);
		store_db_close(db);
		return rc;
	}
	rc = store_issue_get(db, id, &it);
	if (rc == -LC_ENOTFOUND) {
		fprintf(stderr, "lectern: no sync issue %lld (see `lectern issues`)\n", id);
		rc = CLI_EXIT_USAGE;
	} else if (rc < 0) {
		rc = fail(rc, "issues", lc_strdup(store_db_error(db)->message));
	} else if (strcmp(argv[1], "show") == 0) {
		rc = issues_show(db, it, argc == 4);
	} else if (argc == 4) {
		rc = usage_error("--marked goes with issues show");
	} else if (strcmp(argv[1], "merge") == 0) {
		rc = issues_merge(db, it);
	} else {
		rc = issues_act(db, argv[1], it);
	}
	store_issues_free(it, it != NULL ? 1 : 0);
	store_db_close(db);
	return rc;
}

/* ---- Queued writes ---------------------------------------------------------------------- */

int
cli_writer_open(const struct cli_ctx *ctx, struct cli_writer *w)
{
	memset(w, 0, sizeof(*w));
	if (open_replica(ctx, &w->db) != 0)
		return CLI_EXIT_USAGE;
	store_setting_get(w->db, "user_id", &w->user_id);
	store_setting_get(w->db, "username", &w->username);
	if (w->user_id == NULL || w->username == NULL) {
		fprintf(stderr, "lectern: not logged in: run `lectern login USER` once first\n");
		return CLI_EXIT_USAGE;
	}
	w->w = (struct tui_writer){.db = w->db, .user_id = w->user_id, .username = w->username};
	return 0;
}

void
cli_writer_close(struct cli_writer *w)
{
	store_db_close(w->db);
	free(w->user_id);
	free(w->username);
}

/* Whether stdout is a person's terminal (else output is tab-separated, for scripts). */
static bool
tty_out(void)
{
	return isatty(STDOUT_FILENO) != 0;
}

/*
 * Says what was queued: on a terminal a sentence; else "queued<TAB>WHAT<TAB>ID", or the
 * new id alone for a create (id_is_new), so that scripts read it with $(...).
 */
static int
queued(int rc, char *cause, const char *what, const char *id, bool id_is_new)
{
	if (rc < 0)
		return fail(rc, what, cause);
	free(cause);
	if (tty_out()) {
		printf("Queued: %s ", what);
		put_text(stdout, id, 0);
		printf("; it goes out with the next `lectern sync`.\n");
	} else if (id_is_new) {
		put_text(stdout, id, 0);
		putchar('\n');
	} else {
		printf("queued\t%s\t", what);
		put_text(stdout, id, 0);
		putchar('\n');
	}
	return CLI_EXIT_OK;
}

/* Reads a resource of the replica and parses its doc; NULL (message printed) when absent. */
static cJSON *
find_doc(struct cli_writer *w, const char *type, const char *id, struct store_resource *res)
{
	cJSON *doc;

	if (store_resource_get(w->db, type, id, res) < 0) {
		fprintf(stderr, "lectern: no %s ", type);
		put_text(stderr, id, 0);
		fprintf(stderr, " in the replica (run `lectern sync`?)\n");
		return NULL;
	}
	doc = cJSON_Parse(res->doc);
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		store_resource_finish(res);
		fprintf(stderr, "lectern: %s %s: unreadable doc\n", type, id);
		return NULL;
	}
	return doc;
}

static int
cmd_enroll(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_writer w;
	char *cause = NULL;
	int status, rc;

	if (!lc_uuid_valid(argv[1]))
		return usage_error("enroll: %s is not a course id", argv[1]);
	if ((status = cli_writer_open(ctx, &w)) != 0) {
		cli_writer_close(&w);
		return status;
	}
	rc = tui_queue_enroll(&w.w, argv[1], NULL, &cause);
	status = queued(rc, cause, "enroll in course", argv[1], false);
	cli_writer_close(&w);
	return status;
}

static int
cmd_complete(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct store_resource item = {0};
	struct cli_writer w;
	cJSON *item_doc;
	char *cause = NULL;
	int status = cli_writer_open(ctx, &w), rc;

	if (status != 0 || (item_doc = find_doc(&w, "item", argv[1], &item)) == NULL) {
		cli_writer_close(&w);
		return status != 0 ? status : CLI_EXIT_USAGE;
	}
	cJSON_Delete(item_doc);
	store_resource_finish(&item);
	if (tui_progress_status(&w.w, argv[1]) == 2) {
		printf("Already completed.\n");
	} else {
		/* A quiz is refused here: the server would answer 409. */
		rc = tui_queue_progress(&w.w, argv[1], "completed", &cause);
		status = queued(rc, cause, "complete item", argv[1], false);
	}
	cli_writer_close(&w);
	return status;
}

static int
cmd_post(const struct cli_ctx *ctx, int argc, char **argv)
{
	tui_new_id id;
	char *text = NULL, *cause = NULL;
	struct cli_writer w;
	int status, rc;

	if (argc != 4 || strcmp(argv[2], "--title") != 0 || argv[3][0] == '\0')
		return usage_error("%s", "post COURSE_ID --title TITLE (body on stdin)");
	if (!lc_uuid_valid(argv[1]))
		return usage_error("post: %s is not a course id", argv[1]);
	status = cli_writer_open(ctx, &w);
	if (status == 0)
		status = read_body(&text);
	if (status == 0) {
		rc = tui_queue_topic(&w.w, argv[1], argv[3], text, id, &cause);
		status = queued(rc, cause, "new topic", id, true);
	}
	free(text);
	cli_writer_close(&w);
	return status;
}

static int
cmd_reply(const struct cli_ctx *ctx, int argc, char **argv)
{
	tui_new_id id;
	char *text = NULL, *cause = NULL;
	struct cli_writer w;
	int status = cli_writer_open(ctx, &w), rc;

	if (status == 0)
		status = read_body(&text);
	if (status == 0) {
		rc = tui_queue_reply(&w.w, argv[1], text, id, &cause);
		status = queued(rc, cause, "new reply", id, true);
	}
	free(text);
	cli_writer_close(&w);
	return status;
}

/* The type of id on the replica among types (NULL-terminated), or NULL. */
static const char *
type_of(struct cli_writer *w, const char *id, const char *const *types)
{
	for (size_t i = 0; types[i] != NULL; i++) {
		struct store_resource res = {0};

		if (store_resource_get(w->db, types[i], id, &res) == 0) {
			store_resource_finish(&res);
			return types[i];
		}
	}
	return NULL;
}

/* Queues a PATCH of fields (taken) and says what happened. */
static int
patch(struct cli_writer *w, const char *type, const char *id, cJSON *fields)
{
	int64_t before = 0, after = 0;
	char *cause = NULL, what[32];
	int rc;

	store_outbox_count(w->db, &before);
	rc = tui_queue_patch(&w->w, type, id, fields, &cause);
	cJSON_Delete(fields);
	store_outbox_count(w->db, &after);
	if (rc == 0 && after == before) {
		printf("Nothing to change.\n");
		return CLI_EXIT_OK;
	}
	snprintf(what, sizeof(what), "edit %s", type);
	return queued(rc, cause, what, id, false);
}

static int
cmd_edit(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const types[] = {"item", "reply", "topic", NULL};
	const char *type;
	char *text = NULL;
	struct cli_writer w;
	cJSON *fields;
	int status = cli_writer_open(ctx, &w);

	if (status == 0 && (type = type_of(&w, argv[1], types)) == NULL) {
		fprintf(stderr, "lectern: no item, reply or topic %s in the replica\n", argv[1]);
		status = CLI_EXIT_USAGE;
	}
	if (status == 0)
		status = read_body(&text);
	if (status == 0) {
		fields = cJSON_CreateObject();
		cJSON_AddStringToObject(fields, "body", text);
		status = patch(&w, type, argv[1], fields);
	}
	free(text);
	cli_writer_close(&w);
	return status;
}

/* ---- Authoring ------------------------------------------------------------------------- */

/* The options of the authoring commands; NULL when not given. */
struct opts {
	const char *title, *code, *department, *description_file, *keywords, *pass_score;
	const char *kind, *due, *points, *url, *max_attempts, *before, *after, *to;
	int certification; /* -1 not given, 0 --no-certification, 1 --certification */
	int required;      /* -1 not given, 0 --optional, 1 --required */
	bool yes;
	const char *pos[3]; /* positional arguments after the subcommand */
	int n_pos;
};

/*
 * Parses argv[first..] into o, accepting the options named in allowed (a space-separated
 * list such as "--title --code"). Returns 0 or a usage error (printed).
 */
static int
parse_opts(int argc, char **argv, int first, const char *allowed, struct opts *o)
{
	static const struct {
		const char *name;
		size_t off; /* of a const char * in struct opts, or 0 for a flag */
	} with_arg[] = {
	    {"--title", offsetof(struct opts, title)},
	    {"--code", offsetof(struct opts, code)},
	    {"--department", offsetof(struct opts, department)},
	    {"--description-file", offsetof(struct opts, description_file)},
	    {"--keywords", offsetof(struct opts, keywords)},
	    {"--pass-score", offsetof(struct opts, pass_score)},
	    {"--kind", offsetof(struct opts, kind)},
	    {"--due", offsetof(struct opts, due)},
	    {"--points", offsetof(struct opts, points)},
	    {"--url", offsetof(struct opts, url)},
	    {"--max-attempts", offsetof(struct opts, max_attempts)},
	    {"--before", offsetof(struct opts, before)},
	    {"--after", offsetof(struct opts, after)},
	    {"--to", offsetof(struct opts, to)},
	};

	memset(o, 0, sizeof(*o));
	o->certification = -1;
	o->required = -1;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		size_t len = strlen(a);
		const char *hit = strstr(allowed, a);
		bool known = a[0] == '-' && a[1] == '-' && hit != NULL &&
		             (hit[len] == ' ' || hit[len] == '\0') &&
		             (hit == allowed || hit[-1] == ' ');
		size_t k = 0;

		if (a[0] != '-' || strcmp(a, "-") == 0) {
			if (o->n_pos == 3)
				return usage_error("too many arguments (%s)", a);
			o->pos[o->n_pos++] = a;
			continue;
		}
		if (!known)
			return usage_error("unknown option %s", a);
		if (strcmp(a, "--certification") == 0 || strcmp(a, "--no-certification") == 0) {
			o->certification = a[2] != 'n';
			continue;
		}
		if (strcmp(a, "--optional") == 0 || strcmp(a, "--required") == 0) {
			o->required = a[2] == 'r';
			continue;
		}
		if (strcmp(a, "--yes") == 0) {
			o->yes = true;
			continue;
		}
		while (k < sizeof(with_arg) / sizeof(with_arg[0]) &&
		       strcmp(with_arg[k].name, a) != 0)
			k++;
		assert(k < sizeof(with_arg) / sizeof(with_arg[0]));
		if (i + 1 >= argc)
			return usage_error("%s needs a value", a);
		*(const char **)((char *)o + with_arg[k].off) = argv[++i];
	}
	return 0;
}

/* Adds a number parsed from text to fields; false (message printed) when not a number. */
static bool
add_number(cJSON *fields, const char *name, const char *option, const char *text)
{
	char *end = NULL;
	double d;

	errno = 0;
	d = strtod(text, &end);
	if (text[0] == '\0' || end == NULL || *end != '\0' || errno != 0) {
		fprintf(stderr, "lectern: %s takes a number, not \"%s\"\n", option, text);
		return false;
	}
	cJSON_AddNumberToObject(fields, name, d);
	return true;
}

/* The fields of a course from its options; NULL (message printed) when one is unusable. */
static cJSON *
course_fields(const struct opts *o, const char *title)
{
	cJSON *f = cJSON_CreateObject();

	if (title != NULL)
		cJSON_AddStringToObject(f, "title", title);
	if (o->code != NULL)
		cJSON_AddStringToObject(f, "code", o->code);
	if (o->department != NULL)
		cJSON_AddStringToObject(f, "department_id", o->department);
	if (o->certification >= 0)
		cJSON_AddBoolToObject(f, "certification", o->certification == 1);
	if (o->keywords != NULL) {
		cJSON *arr = cJSON_AddArrayToObject(f, "keywords");

		for (const char *p = o->keywords; *p != '\0';) {
			size_t n = strcspn(p, ",");
			char *word = lc_asprintf("%.*s", (int)n, p);

			if (word[0] != '\0')
				cJSON_AddItemToArray(arr, cJSON_CreateString(word));
			free(word);
			p += n + (p[n] == ',');
		}
	}
	if (o->pass_score != NULL && !add_number(f, "pass_score", "--pass-score", o->pass_score)) {
		cJSON_Delete(f);
		return NULL;
	}
	if (o->description_file != NULL) {
		char *text = NULL;
		size_t len = 0;

		if (lc_read_file(o->description_file, &text, &len) != 0 ||
		    memchr(text, '\0', len) != NULL) {
			fprintf(stderr, "lectern: cannot read %s as text\n", o->description_file);
			free(text);
			cJSON_Delete(f);
			return NULL;
		}
		cJSON_AddStringToObject(f, "description", text);
		free(text);
	}
	return f;
}

/* Reads stdin as a body when it is not a terminal: *out NULL when there is none. */
static int
read_optional_body(char **out)
{
	struct lc_buf buf = {0};
	char chunk[4096];
	size_t n;

	*out = NULL;
	if (isatty(STDIN_FILENO))
		return 0;
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		lc_buf_append(&buf, chunk, n);
	if (ferror(stdin) || buf.len > BODY_MAX ||
	    (buf.len > 0 && memchr(buf.data, '\0', buf.len) != NULL)) {
		lc_buf_finish(&buf);
		fprintf(stderr,
		        "lectern: the body on stdin must be at most %d characters of text\n",
		        BODY_MAX);
		return CLI_EXIT_USAGE;
	}
	if (buf.len > 0)
		*out = lc_buf_steal(&buf);
	lc_buf_finish(&buf);
	return 0;
}

/* The fields of an item from its options and stdin; NULL (message printed) when unusable. */
static cJSON *
item_fields(const struct opts *o, const char *title)
{
	cJSON *f = cJSON_CreateObject();
	char *body = NULL;

	if (title != NULL)
		cJSON_AddStringToObject(f, "title", title);
	if (o->kind != NULL)
		cJSON_AddStringToObject(f, "kind", o->kind);
	if (o->url != NULL)
		cJSON_AddStringToObject(f, "url", o->url);
	if (o->due != NULL && strcmp(o->due, "none") == 0)
		cJSON_AddNullToObject(f, "due_at");
	else if (o->due != NULL)
		cJSON_AddStringToObject(f, "due_at", o->due);
	if (o->required >= 0)
		cJSON_AddBoolToObject(f, "required", o->required == 1);
	if ((o->points != NULL && !add_number(f, "points", "--points", o->points)) ||
	    (o->max_attempts != NULL &&
	     !add_number(f, "max_attempts", "--max-attempts", o->max_attempts)) ||
	    read_optional_body(&body) != 0) {
		cJSON_Delete(f);
		return NULL;
	}
	if (body != NULL)
		cJSON_AddStringToObject(f, "body", body);
	free(body);
	return f;
}

#define COURSE_OPTS                                                                                \
	"--code --department --description-file --keywords --certification --no-certification "    \
	"--pass-score"
#define ITEM_OPTS "--due --points --url --optional --required --max-attempts"

static int
course_new(struct cli_writer *w, const struct opts *o)
{
	cJSON *fields = course_fields(o, o->pos[1]);
	char *cause = NULL;
	tui_new_id id;
	int rc;

	if (fields == NULL)
		return CLI_EXIT_USAGE;
	rc = tui_queue_create(&w->w, "course", NULL, fields, id, &cause);
	cJSON_Delete(fields);
	return queued(rc, cause, "new course", id, true);
}

static int
cmd_course(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const actions[] = {"publish", "unpublish", "archive", "unarchive"};
	const char *sub = argv[1];
	struct cli_writer w;
	struct opts o;
	char *cause = NULL;
	int status;

	if (cli_course_files_handles(argc, argv)) /* a course as plain files (issue 12) */
		return cli_course_files(ctx, argc, argv);
	if (strcmp(sub, "new") == 0)
		status = parse_opts(argc, argv, 1, COURSE_OPTS, &o);
	else if (strcmp(sub, "edit") == 0)
		status = parse_opts(argc, argv, 1, COURSE_OPTS " --title", &o);
	else
		status = parse_opts(argc, argv, 1, "", &o);
	if (status != 0)
		return status;
	if (o.n_pos != 2)
		return usage_error("course %s takes %s", sub,
		                   strcmp(sub, "new") == 0 ? "a TITLE" : "a COURSE_ID");
	if (strcmp(sub, "new") != 0 && !lc_uuid_valid(o.pos[1]))
		return usage_error("course %s: %s is not a course id", sub, o.pos[1]);
	if ((status = cli_writer_open(ctx, &w)) != 0) {
		cli_writer_close(&w);
		return status;
	}
	if (strcmp(sub, "new") == 0) {
		status = course_new(&w, &o);
	} else if (strcmp(sub, "edit") == 0) {
		cJSON *fields = course_fields(&o, o.title);

		status = fields != NULL ? patch(&w, "course", o.pos[1], fields) : CLI_EXIT_USAGE;
	} else {
		size_t i = 0;

		while (i < sizeof(actions) / sizeof(actions[0]) && strcmp(actions[i], sub) != 0)
			i++;
		if (i == sizeof(actions) / sizeof(actions[0])) {
			cli_writer_close(&w);
			return usage_error("course: unknown subcommand %s", sub);
		}
		int rc = tui_queue_course_status(&w.w, o.pos[1], sub, &cause);

		status = queued(rc, cause, sub, o.pos[1], false);
	}
	cli_writer_close(&w);
	return status;
}

static int
cmd_module(const struct cli_ctx *ctx, int argc, char **argv)
{
	const char *sub = argv[1];
	struct cli_writer w;
	cJSON *fields;
	char *cause = NULL;
	tui_new_id id;
	int status, rc;

	if (strcmp(sub, "add") != 0 && strcmp(sub, "rename") != 0)
		return usage_error("module: unknown subcommand %s", sub);
	if (argc != 4)
		return usage_error("module %s takes %s and a TITLE", sub,
		                   sub[0] == 'a' ? "COURSE_ID" : "MODULE_ID");
	if (!lc_uuid_valid(argv[2]))
		return usage_error("module %s: %s is not an id", sub, argv[2]);
	if ((status = cli_writer_open(ctx, &w)) != 0) {
		cli_writer_close(&w);
		return status;
	}
	fields = cJSON_CreateObject();
	cJSON_AddStringToObject(fields, "title", argv[3]);
	if (sub[0] == 'a') {
		rc = tui_queue_create(&w.w, "module", argv[2], fields, id, &cause);
		cJSON_Delete(fields);
		status = queued(rc, cause, "new module", id, true);
	} else {
		status = patch(&w, "module", argv[2], fields);
	}
	cli_writer_close(&w);
	return status;
}

static int
cmd_item(const struct cli_ctx *ctx, int argc, char **argv)
{
	const char *sub = argv[1];
	struct cli_writer w;
	struct opts o;
	cJSON *fields;
	char *cause = NULL;
	tui_new_id id;
	int status, rc;

	if (strcmp(sub, "add") == 0)
		status = parse_opts(argc, argv, 1, "--kind " ITEM_OPTS, &o);
	else if (strcmp(sub, "edit") == 0)
		status = parse_opts(argc, argv, 1, "--kind --title " ITEM_OPTS, &o);
	else
		return usage_error("item: unknown subcommand %s", sub);
	if (status != 0)
		return status;
	if (sub[0] == 'a' && (o.n_pos != 3 || o.kind == NULL))
		return usage_error("%s", "item add takes MODULE_ID, --kind KIND and a TITLE");
	if (sub[0] == 'e' && o.n_pos != 2)
		return usage_error("%s", "item edit takes an ITEM_ID");
	if (!lc_uuid_valid(o.pos[1]))
		return usage_error("item %s: %s is not an id", sub, o.pos[1]);
	if ((status = cli_writer_open(ctx, &w)) != 0) {
		cli_writer_close(&w);
		return status;
	}
	fields = item_fields(&o, sub[0] == 'a' ? o.pos[2] : o.title);
	if (fields == NULL) {
		status = CLI_EXIT_USAGE;
	} else if (sub[0] == 'a') {
		rc = tui_queue_create(&w.w, "item", o.pos[1], fields, id, &cause);
		cJSON_Delete(fields);
		status = queued(rc, cause, "new item", id, true);
	} else {
		status = patch(&w, "item", o.pos[1], fields);
	}
	cli_writer_close(&w);
	return status;
}

static int
cmd_question(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_writer w;
	cJSON *fields;
	char *text = NULL, *cause = NULL;
	tui_new_id id;
	int status, rc;

	if (strcmp(argv[1], "add") != 0)
		return usage_error("question: unknown subcommand %s", argv[1]);
	if (argc != 3 || !lc_uuid_valid(argv[2]))
		return usage_error("%s", "question add takes an ITEM_ID (the question on stdin)");
	if ((status = read_body(&text)) != 0)
		return status;
	fields = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(fields)) {
		cJSON_Delete(fields);
		fprintf(stderr, "lectern: question add: stdin is not a JSON object\n");
		return CLI_EXIT_USAGE;
	}
	if ((status = cli_writer_open(ctx, &w)) == 0) {
		rc = tui_queue_create(&w.w, "question", argv[2], fields, id, &cause);
		status = queued(rc, cause, "new question", id, true);
	}
	cJSON_Delete(fields);
	cli_writer_close(&w);
	return status;
}

static const char *const movable[] = {"module", "item", "question", NULL};

static int
cmd_move(const struct cli_ctx *ctx, int argc, char **argv)
{
	const char *type;
	struct cli_writer w;
	struct opts o;
	char *cause = NULL, what[32];
	int status = parse_opts(argc, argv, 1, "--before --after --to", &o);

	if (status != 0)
		return status;
	if (o.n_pos != 1 || (o.before != NULL) + (o.after != NULL) + (o.to != NULL) != 1)
		return usage_error("%s", "move takes an ID and one of --before ID, --after ID or "
		                         "--to MODULE_ID");
	if ((status = cli_writer_open(ctx, &w)) != 0) {
		cli_writer_close(&w);
		return status;
	}
	type = type_of(&w, o.pos[0], movable);
	if (type == NULL) {
		fprintf(stderr, "lectern: move: no module, item or question ");
		put_text(stderr, o.pos[0], 0);
		fprintf(stderr, " in the replica\n");
		status = CLI_EXIT_USAGE;
	} else if (o.to != NULL && strcmp(type, "item") != 0) {
		fprintf(stderr,
		        "lectern: move --to takes an item (a %s moves with --before or "
		        "--after)\n",
		        type);
		status = CLI_EXIT_USAGE;
	} else if (o.to != NULL) {
		int64_t before = 0, after = 0;
		int rc;

		/* Already the last item there: nothing is queued, and it says so. */
		store_outbox_count(w.db, &before);
		rc = tui_queue_move_to_module(&w.w, o.pos[0], o.to, &cause);
		store_outbox_count(w.db, &after);
		if (rc == 0 && after == before)
			printf("Nothing to change: already the last item of that module.\n");
		else
			status = queued(rc, cause, "move item", o.pos[0], false);
	} else {
		int rc = tui_queue_move(&w.w, type, o.pos[0], o.before, o.after, &cause);

		snprintf(what, sizeof(what), "move %s", type);
		status = queued(rc, cause, what, o.pos[0], false);
	}
	cli_writer_close(&w);
	return status;
}

/* The live children of parent_id of type on the replica. */
static size_t
count_children(struct cli_writer *w, const char *type, const char *parent_id)
{
	struct store_resource_list list = {0};
	size_t n = 0;

	if (store_resource_list(w->db, type, parent_id, NULL, STORE_ORDER_CREATED, &list) == 0)
		n = list.n;
	store_resource_list_free(&list);
	return n;
}

/* What a delete of type/id takes with it, as a sentence ("module 'X' and its 4 items"). */
static char *
describe_delete(struct cli_writer *w, const char *type, const char *id)
{
	struct store_resource res = {0};
	cJSON *doc = NULL;
	struct lc_buf buf = {0};
	const char *name;
	char *clean;

	if (store_resource_get(w->db, type, id, &res) == 0)
		doc = cJSON_Parse(res.doc);
	name = doc_str(doc, "title") != NULL    ? doc_str(doc, "title")
	       : doc_str(doc, "prompt") != NULL ? doc_str(doc, "prompt")
	                                        : "";
	clean = lc_text_cleaned(name, 0);
	lc_buf_printf(&buf, "%s '%.60s'", type, clean);
	free(clean);
	if (strcmp(type, "course") == 0) {
		struct store_resource_list mods = {0};
		size_t items = 0;

		if (store_resource_list(w->db, "module", id, NULL, STORE_ORDER_POSITION, &mods) ==
		    0)
			for (size_t i = 0; i < mods.n; i++)
				items += count_children(w, "item", mods.items[i].id);
		lc_buf_printf(&buf, " with its %zu modules, %zu items and %zu forum topics", mods.n,
		              items, count_children(w, "topic", id));
		store_resource_list_free(&mods);
	} else if (strcmp(type, "module") == 0) {
		lc_buf_printf(&buf, " and its %zu items", count_children(w, "item", id));
	} else if (strcmp(type, "item") == 0 &&
	           tui_kind_completes_by_attempt(doc_str(doc, "kind"))) {
		lc_buf_printf(&buf, " and its %zu questions", count_children(w, "question", id));
	} else if (strcmp(type, "topic") == 0) {
		lc_buf_printf(&buf, " and its %zu replies", count_children(w, "reply", id));
	}
	cJSON_Delete(doc);
	store_resource_finish(&res);
	return lc_buf_steal(&buf);
}

static int
cmd_rm(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const types[] = {"course", "module", "item", "question",
	                                    "topic",  "reply",  NULL};
	const char *type;
	struct cli_writer w;
	struct opts o;
	char *cause = NULL, *what, what_type[32];
	int status = parse_opts(argc, argv, 1, "--yes", &o), rc;

	if (status != 0)
		return status;
	if (o.n_pos != 1)
		return usage_error("%s", "rm takes one ID");
	if ((status = cli_writer_open(ctx, &w)) != 0) {
		cli_writer_close(&w);
		return status;
	}
	if ((type = type_of(&w, o.pos[0], types)) == NULL) {
		fprintf(stderr, "lectern: rm: nothing with id ");
		put_text(stderr, o.pos[0], 0);
		fprintf(stderr, " in the replica\n");
		cli_writer_close(&w);
		return CLI_EXIT_USAGE;
	}
	what = describe_delete(&w, type, o.pos[0]);
	if (!o.yes && isatty(STDIN_FILENO)) {
		char line[16];

		fprintf(stderr, "Delete %s? [y/N] ", what);
		if (fgets(line, sizeof(line), stdin) == NULL ||
		    (line[0] != 'y' && line[0] != 'Y')) {
			fprintf(stderr, "Nothing deleted.\n");
			free(what);
			cli_writer_close(&w);
			return CLI_EXIT_USAGE;
		}
	}
	if (tty_out())
		printf("Deleting %s.\n", what);
	free(what);
	snprintf(what_type, sizeof(what_type), "delete %s", type);
	rc = tui_queue_delete(&w.w, type, o.pos[0], &cause);
	status = queued(rc, cause, what_type, o.pos[0], false);
	cli_writer_close(&w);
	return status;
}

/* ---- Listing what one teaches and learns ---------------------------------------------- */

/* One row: tab-separated for scripts, columns on a terminal (widths; 0 for the last). */
static void
put_row_cols(const char *const *cols, const int *widths, int n)
{
	for (int i = 0; i < n; i++) {
		char *clean = lc_text_cleaned(cols[i] != NULL ? cols[i] : "", 0);

		if (!tty_out())
			printf("%s%s", i > 0 ? "\t" : "", clean);
		else if (widths[i] > 0 && i + 1 < n)
			printf("%-*s ", widths[i], clean);
		else if (i + 1 < n && cols[i + 1] != NULL && cols[i + 1][0] != '\0')
			printf("%s  ", clean);
		else
			printf("%s", clean);
		free(clean);
	}
	putchar('\n');
}

static void
ls_courses(struct cli_writer *w)
{
	static const int widths[] = {36, 9, 8, 0};
	struct store_resource_list list = {0};
	int shown = 0;

	if (store_resource_list(w->db, "course", NULL, NULL, STORE_ORDER_TITLE, &list) < 0)
		return;
	for (size_t i = 0; i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);
		const char *role = NULL;
		struct store_resource_list enr = {0};

		if (tui_is_staff(&w->w, list.items[i].id)) {
			role = "teaching";
		} else if (store_resource_list(w->db, "enrollment", list.items[i].id, NULL,
		                               STORE_ORDER_CREATED, &enr) == 0) {
			for (size_t e = 0; e < enr.n && role == NULL; e++) {
				cJSON *ed = cJSON_Parse(enr.items[e].doc);

				if (doc_str(ed, "user_id") != NULL &&
				    strcmp(doc_str(ed, "user_id"), w->user_id) == 0)
					role = "learning";
				cJSON_Delete(ed);
			}
		}
		store_resource_list_free(&enr);
		if (role != NULL) {
			const char *cols[] = {list.items[i].id,
			                      doc_str(doc, "status") ? doc_str(doc, "status") : "?",
			                      role, doc_str(doc, "title")};

			put_row_cols(cols, widths, 4);
			shown++;
		}
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	if (shown == 0 && !note_first_sync(w->db) && tty_out())
		printf("No courses: `lectern courses` lists the catalog, `lectern enroll ID` joins "
		       "one, `lectern course new TITLE` starts one.\n");
}

/* The first line of a question's prompt, for a listing. */
static char *
first_line(const char *s)
{
	return lc_asprintf("%.*s", (int)strcspn(s != NULL ? s : "", "\n"), s != NULL ? s : "");
}

static int
ls_course(struct cli_writer *w, const char *course_id)
{
	static const int widths[] = {12, 36, 10, 0, 0};
	struct store_resource_list mods = {0};
	struct store_resource course = {0};
	cJSON *cdoc = find_doc(w, "course", course_id, &course);

	if (cdoc == NULL)
		return CLI_EXIT_USAGE;
	{
		const char *cols[] = {"course", course_id,
		                      doc_str(cdoc, "status") ? doc_str(cdoc, "status") : "?",
		                      doc_str(cdoc, "title"), ""};

		put_row_cols(cols, widths, 4);
	}
	store_resource_list(w->db, "module", course_id, NULL, STORE_ORDER_POSITION, &mods);
	for (size_t m = 0; m < mods.n; m++) {
		struct store_resource_list items = {0};
		cJSON *md = cJSON_Parse(mods.items[m].doc);
		const char *mcols[] = {"module", mods.items[m].id, "", doc_str(md, "title"), ""};

		put_row_cols(mcols, widths, 4);
		cJSON_Delete(md);
		store_resource_list(w->db, "item", mods.items[m].id, NULL, STORE_ORDER_POSITION,
		                    &items);
		for (size_t i = 0; i < items.n; i++) {
			cJSON *id = cJSON_Parse(items.items[i].doc);
			const char *due = doc_str(id, "due_at");
			char *due_text = due != NULL ? lc_asprintf("due %s", due) : lc_strdup("");
			const char *icols[] = {"  item", items.items[i].id, doc_str(id, "kind"),
			                       doc_str(id, "title"), due_text};

			put_row_cols(icols, widths, 5);
			free(due_text);
			if (tui_kind_completes_by_attempt(doc_str(id, "kind"))) {
				struct store_resource_list qs = {0};

				store_resource_list(w->db, "question", items.items[i].id, NULL,
				                    STORE_ORDER_POSITION, &qs);
				for (size_t q = 0; q < qs.n; q++) {
					cJSON *qd = cJSON_Parse(qs.items[q].doc);
					char *prompt = first_line(doc_str(qd, "prompt"));
					const char *qcols[] = {"    question", qs.items[q].id,
					                       doc_str(qd, "kind"), prompt, ""};

					put_row_cols(qcols, widths, 4);
					free(prompt);
					cJSON_Delete(qd);
				}
				store_resource_list_free(&qs);
			}
			cJSON_Delete(id);
		}
		store_resource_list_free(&items);
	}
	store_resource_list_free(&mods);
	cJSON_Delete(cdoc);
	store_resource_finish(&course);
	return CLI_EXIT_OK;
}

static int
cmd_ls(const struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_writer w;
	int status;

	if (argc > 2)
		return usage_error("%s", "ls takes at most one COURSE_ID");
	if ((status = cli_writer_open(ctx, &w)) == 0) {
		if (argc == 1)
			ls_courses(&w);
		else
			status = ls_course(&w, argv[1]);
	}
	cli_writer_close(&w);
	return status;
}

/* ---- Shell completion -------------------------------------------------------------------- */

/*
 * `lectern __complete commands` and `lectern __complete ids KIND` (course, module, item,
 * topic, reply, question): what the bash and zsh completion scripts (completion/) offer, one
 * "word<TAB>title" a line, the ids read from the replica only (no network, so a Tab never
 * waits). Nothing is printed when there is no replica or nobody signed in: a completion
 * stays silent rather than writing errors into the command line being typed.
 */
static int cli_complete(const struct cli_ctx *ctx, int argc, char **argv);

/* ---- Dispatch --------------------------------------------------------------------------- */

static const struct cli_cmd commands[] = {
    {"login", "USER [--keep-waiting|--discard-waiting]", 1, cmd_login,
     "Signs USER in on the server (--server URL, LECTERN_SERVER or the last one used),\n"
     "reading the password from stdin or the terminal. --keep-waiting parks the last\n"
     "user's unsent writes in their profile; --discard-waiting drops them."},
    {"logout", "[--discard-waiting]   (with --kiosk: every profile)", 0, cmd_logout,
     "Signs out: the replica stays, locked, until the same user signs in again. With\n"
     "--kiosk it signs every profile out; --discard-waiting then drops the writes that\n"
     "cannot be sent."},
    {"sync", "[--verify]", 0, cmd_sync,
     "Sends the waiting writes and fetches what changed. --verify then checks the whole\n"
     "replica against the server. Exits 2 when the server cannot be reached, 3 when\n"
     "--verify finds a difference, 4 when the sync worked but the server refused some\n"
     "writes (see lectern issues)."},
    {"status", "", 0, cmd_status,
     "Shows who is signed in, the server, the waiting writes and the last sync."},
    {"courses", "[--search TEXT]", 0, cmd_courses,
     "Lists the published courses of the catalog; --search TEXT keeps the matching ones."},
    {"enroll", "COURSE_ID", 1, cmd_enroll,
     "Joins a course (queued offline; sent by the next sync)."},
    {"complete", "ITEM_ID", 1, cmd_complete, "Marks a page or link item complete."},
    {"post", "COURSE_ID --title TITLE   (body on stdin)", 3, cmd_post,
     "Starts a forum topic in a course, its body read from stdin."},
    {"reply", "TOPIC_ID                 (body on stdin)", 1, cmd_reply,
     "Replies to a forum topic, the body read from stdin."},
    {"edit", "ITEM_ID|REPLY_ID|TOPIC_ID (new body on stdin)", 1, cmd_edit,
     "Replaces the body of an item, topic or reply of yours with stdin."},
    {"issues", "[show N|retry N|discard N|keep-mine N|keep-theirs N|merge N]", 0, cmd_issues,
     "Lists the sync issues (writes the server refused, conflicts); show N, retry N,\n"
     "discard N, or settle a conflict with keep-mine N, keep-theirs N or merge N."},
    {"kiosk-passwd", "(asks twice; prints the admin_hash line of a kiosk's config)", 0,
     cmd_kiosk_passwd,
     "Asks for a password twice and prints the admin_hash line for a kiosk's config."},
};

/*
 * The authoring commands (issue 11): each checks its own arguments; `--help` anywhere prints
 * the command's usage. args holds one usage line per form, "\n"-separated.
 */
static const struct cli_cmd authoring[] = {
    {"ls", "[COURSE_ID]              (no id: my courses; an id: its outline with ids)", 0, cmd_ls,
     "Lists my courses, or one course's outline with the ids of its parts."},
    {"course",
     "new TITLE [--code C] [--department DEPT_ID] [--description-file F]\n"
     "          [--keywords a,b] [--certification] [--pass-score 0..1]   (prints the id)\n"
     "course    edit COURSE_ID [--title T] [the options of new] [--no-certification]\n"
     "course    publish|unpublish|archive|unarchive COURSE_ID\n"
     "course    checkout COURSE_ID [DIR]   (the course as files in a git repository)\n"
     "course    status|diff|push|pull [DIR]\n"
     "course    new --from DIR   (a whole course from files; prints the id)",
     1, cmd_course,
     "Creates, edits and publishes courses; checkout, status, diff, push and pull\n"
     "keep a course as plain files under git."},
    {"module", "add COURSE_ID TITLE       (prints the id)\nmodule    rename MODULE_ID TITLE", 2,
     cmd_module, "Adds or renames a module of a course."},
    {"item",
     "add MODULE_ID --kind page|link|quiz|assignment TITLE [--due RFC3339|none]\n"
     "          [--points N] [--url URL] [--optional] [--max-attempts N] [< body.md]\n"
     "item      edit ITEM_ID [--title T] [--kind K] [--required] [the options of add]",
     2, cmd_item, "Adds or edits an item (page, link, quiz, assignment) of a module."},
    {"question", "add ITEM_ID < question.json   (the API's question body; prints the id)", 2,
     cmd_question, "Adds a question (the API's JSON) to a quiz item."},
    {"move",
     "ID (--before ID | --after ID)   (a module, item or question)\n"
     "move      ITEM_ID --to MODULE_ID   (to the end of a module of its course)",
     2, cmd_move,
     "Moves a module, item or question among its siblings, or an item to another module."},
    {"rm", "ID [--yes]   (a course, module, item, question, topic or reply)", 1, cmd_rm,
     "Removes a course, module, item, question, topic or reply (asks unless --yes)."},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The usage of one command, its forms one per line. */
static void
cmd_usage(FILE *fp, const struct cli_cmd *c)
{
	size_t name_len = strlen(c->name);

	fprintf(fp, "usage: lectern %s ", c->name);
	for (const char *line = c->args; line != NULL;) {
		const char *end = strchr(line, '\n');
		int len = end != NULL ? (int)(end - line) : (int)strlen(line);

		if (line != c->args && strncmp(line, c->name, name_len) == 0 &&
		    line[name_len] == ' ') {
			const char *rest = line + name_len;

			while (*rest == ' ')
				rest++;
			fprintf(fp, "       lectern %s ", c->name);
			len -= (int)(rest - line);
			line = rest;
		} else if (line != c->args) {
			fputs("       ", fp);
		}
		fprintf(fp, "%.*s\n", len, line);
		line = end != NULL ? end + 1 : NULL;
	}
	/* git's style: the usage, a blank line, then what the command does. */
	if (c->what != NULL && fp == stdout)
		fprintf(fp, "\n%s\n", c->what);
}

/* The command named name, or NULL. */
static const struct cli_cmd *
find_cmd(const char *name)
{
	for (size_t i = 0; i < N_OF(commands) + N_OF(authoring); i++) {
		const struct cli_cmd *c =
		    i < N_OF(commands) ? &commands[i] : &authoring[i - N_OF(commands)];

		if (strcmp(name, c->name) == 0)
			return c;
	}
	return NULL;
}

bool
cli_wants_help(int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "help") == 0)
		return true;
	for (int a = 1; a < argc; a++)
		if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0)
			return find_cmd(argv[0]) != NULL;
	return false;
}

int
cli_help(int argc, char **argv)
{
	const struct cli_cmd *c;
	const char *name = argv[0];

	if (strcmp(name, "help") == 0) {
		if (argc < 2) {
			cli_usage(stdout);
			return CLI_EXIT_OK;
		}
		name = argv[1];
	}
	c = find_cmd(name);
	if (c == NULL) {
		fprintf(stderr, "lectern: unknown command %s (lectern help lists them)\n", name);
		return CLI_EXIT_USAGE;
	}
	cmd_usage(stdout, c);
	return CLI_EXIT_OK;
}

void
cli_usage(FILE *fp)
{
	fprintf(fp, "usage: lectern [--server URL] [--data-dir DIR] [--kiosk[=keep|wipe]] "
	            "[--config FILE]\n"
	            "               [COMMAND [ARGS]]\n"
	            "       lectern COMMAND --help | lectern help [COMMAND]\n"
	            "       lectern --help | --version\n"
	            "With no command, opens the interactive lectern. Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].args);
	for (size_t i = 0; i < N_OF(authoring); i++) {
		const char *a = authoring[i].args;

		fprintf(fp, "  %-9s ", authoring[i].name);
		for (; *a != '\0'; a++) {
			if (*a == '\n')
				fputs("\n ", fp); /* the next form, aligned under the name */
			fputc(*a == '\n' ? ' ' : *a, fp);
		}
		fputc('\n', fp);
	}
	fprintf(fp, "Exit status: 0 success, 1 usage or other error, 2 server unreachable, "
	            "3 failed verify,\n4 synced but the server refused some writes.\n");
}

int
cli_run(const struct cli_ctx *ctx, int argc, char **argv)
{
	int status;

	if (strcmp(argv[0], "__complete") == 0)
		return cli_complete(ctx, argc, argv);

	for (size_t i = 0; i < N_OF(commands) + N_OF(authoring); i++) {
		const struct cli_cmd *c =
		    i < N_OF(commands) ? &commands[i] : &authoring[i - N_OF(commands)];

		if (strcmp(argv[0], c->name) != 0)
			continue;
		current = c;
		for (int a = 1; a < argc; a++)
			if (strcmp(argv[a], "--help") == 0) {
				cmd_usage(stdout, c);
				return CLI_EXIT_OK;
			}
		if (i < N_OF(commands))
			break;
		if (argc - 1 < c->min_args)
			return usage_error("wrong arguments for %s", c->name);
		if ((status = check_may_run(ctx, c)) != 0)
			return status;
		lc_log_to(stderr, getenv("LECTERN_DEBUG") != NULL ? LC_LOG_DEBUG : LC_LOG_ERROR);
		return c->fn(ctx, argc, argv);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct cli_cmd *c = &commands[i];
		bool fixed = c->fn != cmd_sync && c->fn != cmd_courses && c->fn != cmd_post &&
		             c->fn != cmd_issues && c->fn != cmd_login && c->fn != cmd_logout;

		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (argc - 1 < c->min_args || (fixed && argc - 1 != c->min_args))
			return usage_error("wrong arguments for %s", c->name);
		if ((status = check_may_run(ctx, c)) != 0)
			return status;
		/* LECTERN_DEBUG=1 shows every /sync body on stderr, for tests that fail. */
		lc_log_to(stderr, getenv("LECTERN_DEBUG") != NULL ? LC_LOG_DEBUG : LC_LOG_ERROR);
		return c->fn(ctx, argc, argv);
	}
	return usage_error("unknown command %s", argv[0]);
}

static int
cli_complete(const struct cli_ctx *ctx, int argc, char **argv)
{
	static const char *const kinds[] = {"course", "module", "item",
	                                    "topic",  "reply",  "question"};
	struct store_resource_list list = {0};
	struct store_db *db = NULL;
	bool known = false;

	if (argc == 2 && strcmp(argv[1], "commands") == 0) {
		for (size_t i = 0; i < N_OF(commands) + N_OF(authoring); i++)
			printf("%s\n", i < N_OF(commands) ? commands[i].name
			                                  : authoring[i - N_OF(commands)].name);
		printf("help\n");
		return CLI_EXIT_OK;
	}
	for (size_t k = 0; argc == 3 && k < N_OF(kinds); k++)
		known = known || strcmp(argv[2], kinds[k]) == 0;
	if (argc != 3 || strcmp(argv[1], "ids") != 0 || !known)
		return CLI_EXIT_USAGE;
	if (ctx->kiosk != TUI_KIOSK_OFF || store_replica_open(ctx->db_path, &db, NULL) < 0)
		return CLI_EXIT_OK;
	if (!sync_signed_out(db) &&
	    store_resource_list(db, argv[2], NULL, NULL, STORE_ORDER_POSITION, &list) == 0) {
		for (size_t i = 0; i < list.n; i++) {
			cJSON *doc = cJSON_Parse(list.items[i].doc);
			const char *title = doc_str(doc, "title");

			/* Ids are UUIDs; a title is cleaned to one line for the shell. */
			printf("%s\t", list.items[i].id);
			put_text(stdout, title != NULL ? title : "", 0);
			putchar('\n');
			cJSON_Delete(doc);
		}
	}
	store_resource_list_free(&list);
	store_db_close(db);
	return CLI_EXIT_OK;
}
