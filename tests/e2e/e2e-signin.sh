#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of terminals that are not what the screens expect and of a sign-in that
# never blocks (issue 13, "Slow and broken links"; ux review 2026-11-29, A5/E2, E4, F1), at
# 80x24. Usage: e2e-signin.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

# Fails when the stderr file $1 holds a sanitizer report (an ASan build of lectern).
no_sanitizer_report() {
	if grep -qE 'Sanitizer|runtime error' "$1" 2>/dev/null; then
		cat "$1" >&2
		e2e_fail "lectern reported a sanitizer error"
	fi
}

# Waits (up to 10 s) for the file $1: the exit status the wrapper shell writes.
wait_file() {
	local i
	for i in $(seq 1 100); do
		[ -f "$1" ] && return 0
		sleep 0.1
	done
}

# Rename the demo course UNIX101 to a title holding CJK and an em dash (as the instructor).
rename_unix101() {
	local course
	course="$(e2e_api instructor GET '/courses?search=UNIX101' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	[ -n "$course" ] || e2e_fail "no UNIX101 course"
	e2e_api instructor PATCH "/courses/$course" '{"title":"Unix 学习 shell—basics"}' |
		grep -qF 'shell' || e2e_fail "could not rename the course"
}

# ux review 2026-11-29, A5 / E2: under LANG=C (not UTF-8) the raw bytes of accents, CJK and
# rule characters were written as they are and broke the lines. Now every character outside
# ASCII is one '?' cell and the layout holds: the title bar, the status line and the
# progress column stay where they are at 80x24.
test_lang_c_ascii() {
	local screen
	e2e_start_server
	rename_unix101
	e2e_cli_login
	e2e_tui_start 80 24 LANG=C LC_ALL=C
	e2e_wait "My courses"
	e2e_wait "Unix ?? shell-basics"
	screen="$(e2e_screen)"
	# Only ASCII reaches the terminal, and no row is longer than the screen.
	if printf '%s\n' "$screen" | LC_ALL=C grep -q '[^ -~]'; then
		e2e_fail "bytes outside ASCII on the screen under LANG=C"
	fi
	printf '%s\n' "$screen" | awk 'length($0) > 80 { bad = 1 } END { exit bad }' ||
		e2e_fail "a row is longer than 80 columns"
	# The title bar is the first row and the status line the last, as at UTF-8.
	printf '%s\n' "$screen" | head -1 | grep -qF "Lectern" || e2e_fail "the title bar moved"
	[ "$(printf '%s\n' "$screen" | wc -l)" -eq 24 ] || e2e_fail "the screen is not 24 rows"
	printf '%s\n' "$screen" | tail -1 | grep -qE 'online|offline|sync' ||
		e2e_fail "the status line is not on the last row"
	# The progress bars of two course rows start in the same column.
	printf '%s\n' "$screen" | grep -F '[' | grep -E '%' | awk '{ print index($0, "[") }' |
		sort -u | wc -l | grep -qx 1 || e2e_fail "the progress column is broken"
	e2e_quit
}

# Text typed under LANG=C is still stored as UTF-8 (the terminal sends UTF-8): a catalog
# search for 学习, drawn as "??" in the prompt, finds the course whose title holds it.
test_lang_c_typed_text_utf8() {
	e2e_start_server
	rename_unix101
	e2e_cli_login
	e2e_tui_start 80 24 LANG=C LC_ALL=C
	e2e_wait "My courses"
	e2e_keys c
	e2e_wait "published course"
	e2e_keys /
	tmux -L "$E2E_SOCK" send-keys -t "$E2E_SESSION" -l "学习"
	e2e_wait "??"
	e2e_keys Enter
	e2e_wait "matching"
	e2e_wait "Unix ?? shell-basics"
	e2e_refute "Statistics you can use"
	e2e_quit
}

# ux review 2026-11-29, E4: TERM=dumb gave a blank screen and left a status-line fragment.
# It is refused at once, with a pointer to the commands, exit status 1, and nothing made.
test_term_dumb_refused() {
	local status out
	e2e_tui_start 80 24 TERM=dumb
	wait_file "$E2E_DIR/lectern.err.status"
	status="$(cat "$E2E_DIR/lectern.err.status" 2>/dev/null)"
	[ "$status" = 1 ] || e2e_fail "TERM=dumb: exit status '$status', wanted 1"
	out="$(cat "$E2E_DIR/lectern.err")"
	printf '%s' "$out" | grep -qF "this terminal (TERM=dumb) cannot show the interactive screens" ||
		e2e_fail "no message for TERM=dumb: $out"
	printf '%s' "$out" | grep -qF "lectern --help" || e2e_fail "the message does not point to --help"
	[ ! -e "$LECTERN_DATA_DIR" ] || e2e_fail "a refused terminal made the data directory"
	# A terminal terminfo does not know is refused the same way.
	rm -f "$E2E_DIR/lectern.err" "$E2E_DIR/lectern.err.status"
	e2e_tui_start 80 24 TERM=no-such-terminal-xyz
	wait_file "$E2E_DIR/lectern.err.status"
	[ "$(cat "$E2E_DIR/lectern.err.status" 2>/dev/null)" = 1 ] ||
		e2e_fail "an unknown TERM was not refused"
	grep -qF "TERM=no-such-terminal-xyz" "$E2E_DIR/lectern.err" ||
		e2e_fail "no message for an unknown TERM"
}

# A server that takes connections and never answers: lecternd stopped with SIGSTOP (the
# kernel still completes the handshake on its listening socket). Resumed on exit.
stall_server() {
	kill -STOP "$E2E_SRV_PID"
	trap 'kill -CONT "$E2E_SRV_PID" 2>/dev/null; e2e_cleanup' EXIT
}

# e2e_tui_start, but the shell around lectern survives Ctrl-C: sh would otherwise die of
# the SIGINT the terminal sends the whole group once lectern exits, and lose its status.
tui_start_keeping_ctrl_c() {
	e2e_tmux_fresh
	tmux -L "$E2E_SOCK" -f /dev/null new-session -d -s "$E2E_SESSION" -x 80 -y 24 \
		sh -c 'trap : INT; "$0" 2>>"$1"; echo $? >"$1.status"' "$LECTERN" "$E2E_DIR/lectern.err" ||
		e2e_fail "tmux did not start"
	tmux -L "$E2E_SOCK" set-option -g remain-on-exit on >/dev/null
}

# Leaves the sign-in screen with Esc (dropping what was typed) and checks lectern ended
# with status 0.
quit_from_sign_in() {
	e2e_keys Escape
	e2e_wait "Discard what you typed?"
	e2e_keys y
	wait_file "$E2E_DIR/lectern.err.status"
	[ "$(cat "$E2E_DIR/lectern.err.status" 2>/dev/null)" = 0 ] || e2e_fail "lectern did not quit"
	no_sanitizer_report "$E2E_DIR/lectern.err"
}

# Types the demo learner's name and password on the sign-in screen and presses Enter.
sign_in_as_learner() {
	e2e_wait "Sign in to your learning server"
	e2e_type learner
	e2e_keys Enter
	e2e_type lectern-demo
	e2e_keys Enter
}

# True while lectern runs in the pane.
pane_alive() {
	[ "$(tmux -L "$E2E_SOCK" display-message -p -t "$E2E_SESSION" '#{pane_dead}')" != 1 ]
}

# ux review 2026-11-29, F1: sign-in blocked the whole program and Ctrl-C took 29 s through
# a stalled link, then said "cannot be reached" of a server that was only slow. Now the
# screen counts the seconds, says the server is slow once connected with no answer, and Esc
# or Ctrl-C cancels while lectern keeps running; signing in works once the server answers.
test_signin_cancel_stalled() {
	e2e_start_server
	stall_server
	tui_start_keeping_ctrl_c
	sign_in_as_learner
	e2e_wait "Signing in..."
	e2e_wait "The server is slow: connected, no answer for" 15
	e2e_keys Escape
	e2e_wait "Sign-in cancelled"
	pane_alive || e2e_fail "Esc during sign-in ended lectern"
	e2e_refute "Signing in..."
	# Ctrl-C cancels too, and does not quit.
	e2e_keys Enter
	e2e_wait "Signing in..."
	e2e_wait_gone "Sign-in cancelled"
	e2e_keys C-c
	e2e_wait "Sign-in cancelled"
	sleep 0.5
	pane_alive || e2e_fail "Ctrl-C during sign-in ended lectern"
	# Still usable: the same form signs in once the server answers.
	kill -CONT "$E2E_SRV_PID"
	e2e_keys Enter
	e2e_wait "My courses" 20
	e2e_quit
}

# A server nobody listens for is "unreachable", not "slow".
test_signin_unreachable() {
	e2e_start_server
	e2e_stop_server
	e2e_tui_start 80 24
	sign_in_as_learner
	e2e_wait "The server is unreachable. Check the address." 20
	e2e_refute "slow"
	quit_from_sign_in
}

# `lectern login` in a terminal: Ctrl-C through a stalled link stops it with status 1 and
# a message, and nothing is saved.
test_cli_login_ctrl_c() {
	local status
	e2e_start_server
	stall_server
	printf 'lectern-demo\n' >"$E2E_DIR/pw"
	e2e_tmux_fresh
	tmux -L "$E2E_SOCK" -f /dev/null new-session -d -s "$E2E_SESSION" -x 80 -y 24 \
		sh -c 'trap "" INT; "$0" login learner <"$1/pw" 2>"$1/cli.err"; echo $? >"$1/cli.status"; sleep 30' \
		"$LECTERN" "$E2E_DIR" || e2e_fail "tmux did not start"
	sleep 1.5 # connected and waiting
	[ ! -f "$E2E_DIR/cli.status" ] || e2e_fail "login ended before Ctrl-C: $(cat "$E2E_DIR/cli.err")"
	e2e_keys C-c
	wait_file "$E2E_DIR/cli.status"
	status="$(cat "$E2E_DIR/cli.status" 2>/dev/null)"
	[ "$status" = 1 ] || e2e_fail "lectern login after Ctrl-C: status '$status', wanted 1"
	grep -qF "login: cancelled (Ctrl-C)" "$E2E_DIR/cli.err" ||
		e2e_fail "no cancel message: $(cat "$E2E_DIR/cli.err")"
	no_sanitizer_report "$E2E_DIR/cli.err"
	kill -CONT "$E2E_SRV_PID"
	"$LECTERN" status 2>&1 | grep -qF "needs login" || e2e_fail "a cancelled login saved a session"
}

TESTS="lang_c_ascii lang_c_typed_text_utf8 term_dumb_refused signin_cancel_stalled signin_unreachable cli_login_ctrl_c"
case " $TESTS " in
*" ${1:-none} "*)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v curl >/dev/null || { echo "curl is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-signin.sh $(echo $TESTS | tr ' ' '|')" >&2
	exit 1
	;;
esac
