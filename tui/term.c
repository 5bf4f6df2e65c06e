/* SPDX-License-Identifier: MIT */
/*
 * Terminal ownership; see term.h. The restore sequence for crash signals is captured from
 * terminfo at start, because nothing from curses may be called inside a signal handler.
 */
#include <assert.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>
#include <ncursesw/term.h> /* <term.h> would find tui/term.h first */

#include "common/clock.h"
#include "common/err.h"
#include "common/log.h"
#include "tui/idle.h"
#include "tui/term.h"
#include "tui/text.h"

static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t got_sigint, got_other; /* which: only Ctrl-C can be taken back */
/*
 * Idle sign-out (issue 13, item 4), kept here because every key of every screen, modal
 * ones included (prompts, forms, the editor), comes through tui_term_get_key(): a key
 * anywhere counts, and an expiry anywhere unwinds the screen open as Ctrl-C does.
 */
static struct tui_idle idle;
static bool idle_fired, idle_warned;
/*
 * Kiosk mode reads Ctrl-C as a key (the terminal's intr character is off, so that no
 * signal reaches a shell or wrapper around the program) and turns it into the same
 * interrupt SIGINT would raise: every screen's Ctrl-C behaviour stays as it is.
 */
static bool ctrl_c_as_key;
static bool started;
static struct termios saved_termios;
static bool have_termios;
static char restore_seq[256];
static size_t restore_len;

static void
on_interrupt(int sig)
{
	if (sig == SIGINT)
		got_sigint = 1;
	else
		got_other = 1;
	interrupted = 1;
}

static void
on_crash(int sig)
{
	ssize_t rc;

	if (have_termios)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
	if (restore_len > 0)
		rc = write(STDOUT_FILENO, restore_seq, restore_len);
	(void)rc;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
add_cap(const char *name)
{
	char *s = tigetstr(name);
	size_t len;

	if (s == NULL || s == (char *)-1)
		return;
	len = strlen(s);
	/* Padding marks ("$<5>") would be written literally; they only matter on real ttys. */
	if (restore_len + len >= sizeof(restore_seq) || strstr(s, "$<") != NULL)
		return;
	memcpy(restore_seq + restore_len, s, len);
	restore_len += len;
}

static void
install_handlers(void)
{
	static const int crash[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		sigaction(crash[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Home/End/Delete as terminals send them whatever TERM says (tmux, PuTTY, xterm). */
static const struct {
	const char *seq;
	int key;
} known_keys[] = {
    {"\033[1~", KEY_HOME}, {"\033[7~", KEY_HOME}, {"\033[H", KEY_HOME},
    {"\033OH", KEY_HOME},  {"\033[4~", KEY_END},  {"\033[8~", KEY_END},
    {"\033[F", KEY_END},   {"\033OF", KEY_END},   {"\033[3~", KEY_DC},
};

static void
define_keys(void)
{
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
		if (key_defined(known_keys[i].seq) <= 0)
			define_key(known_keys[i].seq, known_keys[i].key);
}

int
tui_term_check(const char **term_out)
{
	const char *term = getenv("TERM");
	char *cup;
	int err = 0;

	*term_out = term != NULL && term[0] != '\0' ? term : "unset";
	if (term == NULL || term[0] == '\0' || strcmp(term, "dumb") == 0)
		return -LC_EIO;
	/* A terminal terminfo does not know, or one that cannot place the cursor or clear. */
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return -LC_EIO;
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1 || tigetstr("clear") == NULL ||
	    tigetstr("clear") == (char *)-1) {
		del_curterm(cur_term);
		return -LC_EIO;
	}
	del_curterm(cur_term);
	return 0;
}

int
tui_term_start(char **cause)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return lc_cause_set(cause, -LC_EIO, "the interactive lectern needs a terminal");
	have_termios = tcgetattr(STDIN_FILENO, &saved_termios) == 0;
	tui_text_detect_locale(); /* after setlocale(): ASCII-only drawing unless UTF-8 */
	/*
	 * Keys are still read as UTF-8 then (ux review 2026-11-29, A5): in the C locale curses
	 * drops every byte outside ASCII, while the terminals that run under LANG=C (ssh from
	 * a UTF-8 desktop, tmux) mostly send UTF-8. A key that is not valid UTF-8 is dropped by
	 * curses, so what is typed is stored as UTF-8 or not at all. Only ASCII is drawn.
	 */
	if (tui_text_ascii() && setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		lc_log(LC_LOG_WARN, "tui: no C.UTF-8 locale: keys outside ASCII are dropped");
	if (initscr() == NULL)
		return lc_cause_set(cause, -LC_EIO, "cannot start curses on this terminal");
	started = true;
	restore_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmcup");
	install_handlers();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* Esc must act at once on a slow link rather than after a second of waiting. */
	set_escdelay(25);
	define_keys();
	curs_set(0);
	return 0;
}

void
tui_term_stop(void)
{
	if (!started)
		return;
	started = false;
	curs_set(1);
	endwin();
}

int
tui_term_kiosk(void)
{
	struct termios t;
	struct sigaction sa;
	int rc = 0;

	assert(started);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	/* After initscr(): it installs its own SIGTSTP handler, which this one replaces. */
	if (sigaction(SIGTSTP, &sa, NULL) != 0 || sigaction(SIGQUIT, &sa, NULL) != 0)
		rc = -LC_EIO;
	/*
	 * The keys themselves then reach the program as bytes (26, 28) that no screen acts on,
	 * and Ctrl-C as 3, which read_key() turns into the interrupt SIGINT would have raised.
	 * curses learns the new modes (def_prog_mode) so that it never sets the old ones back;
	 * endwin() still gives the shell the modes it had.
	 */
	if (tcgetattr(STDIN_FILENO, &t) != 0) {
		rc = -LC_EIO;
	} else {
		t.c_cc[VSUSP] = _POSIX_VDISABLE;
		t.c_cc[VQUIT] = _POSIX_VDISABLE;
		t.c_cc[VINTR] = _POSIX_VDISABLE;
		ctrl_c_as_key = true;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t) != 0)
			rc = -LC_EIO;
	}
	def_prog_mode();
	if (rc != 0)
		lc_log(LC_LOG_ERROR, "tui: kiosk: cannot turn Ctrl-Z and Ctrl-\\ off");
	return rc;
}

bool
tui_term_interrupted(void)
{
	return interrupted != 0;
}

bool
tui_term_take_ctrl_c(void)
{
	if (got_sigint == 0 || got_other != 0)
		return false;
	got_sigint = 0;
	interrupted = 0;
	return true;
}

void
tui_term_suspend(void)
{
	def_prog_mode();
	endwin();
}

void
tui_term_resume(void)
{
	reset_prog_mode();
	clearok(stdscr, TRUE);
	refresh();
}

/*
 * After an Esc, reads what follows it within a short wait: nothing is a lone Esc; "[" or
 * "O" starts a sequence read up to its final byte (0x40-0x7e) and looked up in known_keys;
 * anything else is Alt+key. The bytes of a sequence always arrive together, so 50 ms is
 * plenty even over ssh, and a person does not type a letter that fast after Esc.
 */
static int
read_sequence(wint_t *key)
{
	char seq[16] = "\033";
	size_t len = 1;
	wint_t c;
	int rc;

	timeout(50);
	rc = get_wch(&c);
	if (rc == ERR) {
		*key = 27;
		return OK;
	}
	*key = 0;
	if (rc != OK || (c != '[' && c != 'O'))
		return KEY_CODE_YES; /* Alt+key or a key code: nothing a screen acts on */
	seq[len++] = (char)c;
	while (len < sizeof(seq) - 1) {
		rc = get_wch(&c);
		if (rc != OK || c > 0x7e)
			break;
		seq[len++] = (char)c;
		if (c >= 0x40 && c <= 0x7e)
			break;
	}
	seq[len] = '\0';
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
		if (strcmp(seq, known_keys[i].seq) == 0)
			*key = (wint_t)known_keys[i].key;
	return KEY_CODE_YES;
}

static int
read_key(wint_t *key, int delay_ms)
{
	int rc;

	timeout(delay_ms);
	rc = get_wch(key);
	if (rc == OK && *key == 27)
		rc = read_sequence(key);
	timeout(delay_ms);
	if (rc == OK && *key == 3 && ctrl_c_as_key) {
		got_sigint = 1;
		interrupted = 1;
		return ERR;
	}
	return rc;
}

void
tui_term_idle_start(int limit_s)
{
	tui_idle_start(&idle, limit_s, lc_monotonic_ms());
	idle_fired = idle_warned = false;
}

bool
tui_term_idle_warning(void)
{
	return idle_warned;
}

bool
tui_term_take_idle(void)
{
	if (!idle_fired)
		return false;
	idle_fired = false;
	interrupted = got_sigint != 0 || got_other != 0;
	tui_term_idle_start(idle.limit_s);
	return true;
}

/* The warning on the bottom row, over whatever screen is open (modal ones included). */
static void
draw_idle_warning(int left)
{
	char line[160];
	int n = snprintf(line, sizeof(line),
	                 " Nobody has pressed a key for a while: signing out in %d s. "
	                 "Press any key to stay. ",
	                 left);

	if (n < 0)
		return;
	move(LINES - 1, 0);
	clrtoeol();
	attron(A_REVERSE | A_BOLD);
	mvaddnstr(LINES - 1, 0, line, COLS);
	attroff(A_REVERSE | A_BOLD);
	refresh();
	idle_warned = true;
}

/*
 * One read for the idle clock: a key restarts it (a key that ends a warning only wakes the
 * screen: it comes back as KEY_RESIZE, so the screen draws itself again and acts on
 * nothing); no key may draw the warning or fire the sign-out, which then reads as an
 * interrupt (ERR with tui_term_interrupted()) until tui_term_take_idle().
 */
static int
idle_read(wint_t *key, int delay_ms)
{
	int rc, left;
	int64_t now = lc_monotonic_ms();

	/* Drawn before each wait: a modal screen (the editor) redraws its rows between reads. */
	if (tui_idle_check(&idle, now, &left) == TUI_IDLE_WARNING)
		draw_idle_warning(left);
	rc = read_key(key, delay_ms);
	now = lc_monotonic_ms();

	if (rc != ERR) {
		if (tui_idle_key(&idle, now) || idle_warned) {
			idle_warned = false;
			*key = KEY_RESIZE;
			return KEY_CODE_YES;
		}
		return rc;
	}
	if (tui_idle_check(&idle, now, &left) == TUI_IDLE_EXPIRED) {
		idle_fired = true;
		idle_warned = false;
		interrupted = 1;
	}
	return ERR;
}

int
tui_term_get_key(wint_t *key, int delay_ms)
{
	int rc;

	if (idle.limit_s == 0)
		return read_key(key, delay_ms);
	if (idle_fired)
		return ERR;
	if (delay_ms >= 0)
		return idle_read(key, delay_ms);
	/* "Wait for a key" still wakes each second to keep the clock. */
	do
		rc = idle_read(key, 1000);
	while (rc == ERR && !interrupted);
	return rc;
}
