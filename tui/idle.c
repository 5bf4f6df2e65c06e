/* SPDX-License-Identifier: MIT */
#include "tui/idle.h"

#include <assert.h>
#include <stddef.h>

void
tui_idle_start(struct tui_idle *idle, int limit_s, int64_t now_ms)
{
	assert(idle != NULL);
	idle->limit_s = limit_s > 0 ? limit_s : 0;
	idle->last_key_ms = now_ms;
}

int
tui_idle_warn_s(int limit_s)
{
	/* A 20 s limit warns for its last 10 s, not from the first key on. */
	if (limit_s < 2 * TUI_IDLE_WARN_S)
		return limit_s / 2;
	return TUI_IDLE_WARN_S;
}

enum tui_idle_state
tui_idle_check(const struct tui_idle *idle, int64_t now_ms, int *left)
{
	int64_t end_ms, left_ms;

	*left = 0;
	if (idle->limit_s == 0)
		return TUI_IDLE_ACTIVE;
	end_ms = idle->last_key_ms + (int64_t)idle->limit_s * 1000;
	left_ms = end_ms - now_ms;
	if (left_ms <= 0)
		return TUI_IDLE_EXPIRED;
	*left = (int)((left_ms + 999) / 1000);
	if (left_ms <= (int64_t)tui_idle_warn_s(idle->limit_s) * 1000)
		return TUI_IDLE_WARNING;
	return TUI_IDLE_ACTIVE;
}

bool
tui_idle_key(struct tui_idle *idle, int64_t now_ms)
{
	int left;
	bool warned = tui_idle_check(idle, now_ms, &left) == TUI_IDLE_WARNING;

	idle->last_key_ms = now_ms;
	return warned;
}
