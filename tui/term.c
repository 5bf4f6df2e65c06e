/* SPDX-License-Identifier: MIT */
/*
 * Terminal ownership; see term.h. The restore sequence for crash signals is captured from
 * terminfo at start, because nothing from curses may be called inside a signal handler.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "common/err.h"
#include "tui/term.h"

static volatile sig_atomic_t interrupted;
static bool started;
static struct termios saved_termios;
static bool have_termios;
static char restore_seq[256];
static size_t restore_len;

static void
on_interrupt(int sig)
{
	(void)sig;
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

int
tui_term_start(char **cause)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return lc_cause_set(cause, -LC_EIO, "the interactive lectern needs a terminal");
	have_termios = tcgetattr(STDIN_FILENO, &saved_termios) == 0;
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

bool
tui_term_interrupted(void)
{
	return interrupted != 0;
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
