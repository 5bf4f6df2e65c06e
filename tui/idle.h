/* SPDX-License-Identifier: MIT */
/*
 * Idle sign-out (issue 13, kiosk item 4): after a configured time with no key press the
 * session ends, with a warning on screen for the last seconds so that a learner still at
 * the keyboard can stay. Pure arithmetic on a monotonic clock, without curses, so that the
 * rules are tested without a terminal.
 */
#ifndef TUI_IDLE_H
#define TUI_IDLE_H

#include <stdbool.h>
#include <stdint.h>

/* Seconds of warning before an idle sign-out (shorter when the limit itself is short). */
#define TUI_IDLE_WARN_S 30

enum tui_idle_state {
	TUI_IDLE_ACTIVE,  /* someone pressed a key recently enough */
	TUI_IDLE_WARNING, /* the warning is on screen: *left seconds remain */
	TUI_IDLE_EXPIRED, /* sign out now */
};

struct tui_idle {
	int limit_s;         /* 0: never sign out */
	int64_t last_key_ms; /* monotonic time of the last key press */
};

/* Starts counting at now_ms; limit_s 0 (or less) turns idle sign-out off. */
void tui_idle_start(struct tui_idle *idle, int limit_s, int64_t now_ms);
/* A key was pressed at now_ms. Returns true when it ended a warning (the key only wakes). */
bool tui_idle_key(struct tui_idle *idle, int64_t now_ms);
/* Where the session stands at now_ms; *left is the whole seconds left (rounded up). */
enum tui_idle_state tui_idle_check(const struct tui_idle *idle, int64_t now_ms, int *left);
/* Seconds of warning for this limit: TUI_IDLE_WARN_S, or half a limit shorter than 60 s. */
int tui_idle_warn_s(int limit_s);

#endif
