/* SPDX-License-Identifier: MIT */
/*
 * Owning the terminal: curses start and stop, and the guarantee that the terminal is given
 * back as it was on every way out. Normal exits call tui_term_stop(); Ctrl-C, SIGTERM and
 * SIGHUP only set a flag that the key loop sees within a tick; a crash signal restores the
 * saved termios and leaves the alternate screen with async-signal-safe calls, then dies by
 * the same signal.
 */
#ifndef TUI_TERM_H
#define TUI_TERM_H

#include <stdbool.h>
#include <wchar.h>

/*
 * Whether the interactive screens can run on $TERM: 0, or -LC_EIO for TERM unset, "dumb",
 * unknown to terminfo, or without cursor addressing (ux review 2026-11-29, E4: TERM=dumb
 * showed a blank screen). *term receives what to name it in the message. Touches nothing
 * on the terminal; call it before anything else is opened.
 */
int tui_term_check(const char **term);
/* Starts curses on the controlling terminal. Returns 0 or -LC_EIO with a message. */
int tui_term_start(char **cause);
/* Gives the terminal back. Safe to call twice. */
void tui_term_stop(void);
/*
 * Kiosk mode (issue 13, item 5), after tui_term_start(): Ctrl-Z and Ctrl-\ do nothing, so
 * nobody suspends or kills the program back to the shell: SIGTSTP and SIGQUIT are ignored
 * and the terminal's susp and quit characters disabled. Ctrl-C comes as a key, not a
 * signal (no shell around the program dies of it), read as the interrupt it was. tui_term_stop()
 * gives the shell its modes back. Returns 0, or -LC_EIO when the terminal refused (logged).
 */
int tui_term_kiosk(void);
/* True once SIGINT, SIGTERM or SIGHUP arrived. */
bool tui_term_interrupted(void);
/*
 * True when Ctrl-C (SIGINT alone, not SIGTERM or SIGHUP) arrived, which it then forgets:
 * a screen that gives Ctrl-C a meaning of its own (cancelling a sign-in) takes it back so
 * that the program does not quit.
 */
bool tui_term_take_ctrl_c(void);
/* Hands the terminal to a child program ($EDITOR) and takes it back. */
void tui_term_suspend(void);
void tui_term_resume(void);

/*
 * Reads one key like get_wch() (OK, KEY_CODE_YES or ERR after delay_ms; -1 waits), but
 * an escape sequence never reads as Esc followed by its letters (ux review 2026-11-29, A1:
 * Home as tmux sends it, ESC [1~, discarded a reply and ran "[1~" as commands): Home and
 * End in their common spellings come as KEY_HOME and KEY_END, Delete as KEY_DC, and any
 * other sequence (or Alt+key) as KEY_CODE_YES with *key 0, which every screen ignores.
 * A lone Esc comes as OK with *key 27.
 */
int tui_term_get_key(wint_t *key, int delay_ms);

/*
 * Idle sign-out (issue 13, item 4): after limit_s seconds without a key (0: never) the
 * bottom row warns for the last TUI_IDLE_WARN_S seconds ("Press any key to stay"; that key
 * only wakes the screen, as KEY_RESIZE), then tui_term_get_key() reads as an interrupt
 * (ERR, tui_term_interrupted() true) so that every open screen unwinds as for Ctrl-C,
 * keeping its draft. The key loop then takes it with tui_term_take_idle() and signs out.
 * Calling tui_term_idle_start() again restarts the count (after a sign-in).
 */
void tui_term_idle_start(int limit_s);
/* True while the idle warning is on the bottom row (the status line waits). */
bool tui_term_idle_warning(void);
/* True once when the idle time ran out; the interrupt it raised is forgotten. */
bool tui_term_take_idle(void);

#endif
