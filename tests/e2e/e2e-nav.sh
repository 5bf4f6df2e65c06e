#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of the sign-in form and of moving around (issue 15; ux review 2026-11-29,
# A6, A7, A17, E5, E7) at 80x24: the cursor sits in the focused field, focus starts where
# input is needed, ? is text there, q on Home asks when writes wait, H goes Home, Left and h
# go back, Ctrl-L repaints, and L (sign in again) returns to the screen it was pressed on.
# Usage: e2e-nav.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

# The pane's cursor: "visible row col".
cursor() {
	tmux -L "$E2E_SOCK" display-message -p -t "$E2E_SESSION" \
		'#{cursor_flag} #{cursor_y} #{cursor_x}'
}

# The row (0-based) on which the screen shows text first.
row_of() {
	e2e_screen | grep -nF -- "$1" | head -1 | cut -d: -f1 | awk '{print $1 - 1}'
}

# ux review A6: with no server known the focus (and the visible cursor) is on Server; ? is
# typed into a field rather than opening help; the hint says Esc quits at first start.
test_signin_focus_cursor() {
	unset LECTERN_SERVER
	e2e_tui_start 80 24 NO_COLOR=1
	e2e_wait "Sign in to your learning server"
	e2e_wait "Esc: quit"
	sleep 0.3
	set -- $(cursor)
	[ "$1" = 1 ] || e2e_fail "the cursor is hidden: $(cursor)"
	[ "$2" = "$(row_of Server)" ] || e2e_fail "the cursor is not on Server: $(cursor)"
	e2e_keys C-u
	e2e_type "http://127.0.0.1:1"
	e2e_keys Enter
	e2e_type "who?"
	e2e_wait "who?"
	e2e_refute "Help:"
	sleep 0.3
	set -- $(cursor)
	[ "$2" = "$(row_of Username)" ] || e2e_fail "the cursor is not on Username: $(cursor)"
	e2e_screen | grep -F Username | grep -qF "who?" || e2e_fail "? was not typed"
	e2e_keys Escape
	e2e_wait "Discard what you typed?"
	e2e_keys y
	e2e_wait_exit_ok
}

# ux review A7: q on Home with a write waiting asks, naming how many; n stays, y quits.
test_quit_home_waiting() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24
	e2e_wait "My courses"
	e2e_wait "Unix shell basics" 20
	e2e_stop_server
	e2e_open_course_details sql "SQL for everyone"
	e2e_keys e
	e2e_wait "enrollment queued, not yet sent"
	e2e_keys q q
	e2e_wait "My courses"
	e2e_wait "1 waiting"
	e2e_keys q
	e2e_wait "1 write not sent yet (1 enrollment in SQL101). Quit anyway?"
	e2e_keys n
	e2e_wait_gone "Quit anyway?"
	e2e_wait "My courses"
	e2e_keys q
	e2e_wait "Quit anyway?"
	e2e_keys y
	e2e_wait_exit_ok
}

# Nothing waiting: q on Home quits at once, as before.
test_quit_home_nothing_waiting() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24
	e2e_wait "Unix shell basics" 20
	e2e_wait "0 waiting" 20
	e2e_keys q
	e2e_wait_exit_ok
}

# ux review A7, E7, E5: H goes Home from two screens deep, Left and h go back, Ctrl-L
# repaints over junk written to the terminal.
test_home_back_redraw() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24 NO_COLOR=1
	e2e_wait "Unix shell basics" 20
	e2e_open_course_details sql "SQL for everyone"
	e2e_keys H
	e2e_wait "My courses"
	e2e_refute "Instructor:"
	e2e_keys c
	e2e_wait "published course"
	e2e_keys Left
	e2e_wait "My courses"
	e2e_refute "published course"
	e2e_keys c
	e2e_wait "published course"
	e2e_keys h
	e2e_wait "My courses"
	e2e_refute "published course"
	# The help lists the new keys.
	e2e_keys '?'
	e2e_wait "go to Home"
	e2e_wait "redraw the screen"
	e2e_keys q
	e2e_wait "My courses"
	printf 'JUNKJUNKJUNK' >"$(tmux -L "$E2E_SOCK" display-message -p -t "$E2E_SESSION" \
		'#{pane_tty}')"
	e2e_wait "JUNKJUNKJUNK"
	e2e_keys C-l
	e2e_wait_gone "JUNKJUNKJUNK"
	e2e_wait "My courses"
	e2e_quit
}

# ux review A17: L over course details asks for the password only, without the first-run
# text, and signing in returns to the course details.
test_sign_in_again_keeps_place() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24
	e2e_wait "Unix shell basics" 20
	e2e_open_course_details sql "SQL for everyone"
	e2e_keys L
	e2e_wait "Sign in again"
	e2e_refute "next time Lectern opens"
	e2e_wait "Esc: back"
	e2e_type lectern-demo
	e2e_keys Enter
	e2e_wait "Instructor:" 20
	e2e_wait "SQL for everyone"
	e2e_refute "Sign in"
	e2e_keys q
	e2e_wait "1 course matching"
	e2e_keys q
	e2e_wait "My courses"
	e2e_quit
}

# Issue 15, "Config file": bind lines reach the global keys (back, home, none) and the
# list movement keys; a color line changes a role's attributes even under NO_COLOR; a bad
# line stops lectern naming the file and line.
test_config_bindings_colours() {
	e2e_start_server
	e2e_cli_login
	mkdir -p "$E2E_DIR/config/lectern"
	printf 'bind = global z back\nbind = global ^G home\nbind = home J down\n' \
		>"$E2E_DIR/config/lectern/config"
	printf 'bind = global s none\ncolor = title default default underline\n' \
		>>"$E2E_DIR/config/lectern/config"
	e2e_tui_start 80 24 NO_COLOR=1 XDG_CONFIG_HOME="$E2E_DIR/config"
	e2e_wait "Unix shell basics" 20
	e2e_wait "0 waiting" 20
	local first
	first="$(e2e_screen | grep -E '^ ?>' | head -1)"
	e2e_keys J
	sleep 0.3
	[ "$(e2e_screen | grep -E '^ ?>' | head -1)" != "$first" ] ||
		e2e_fail "J (bound to down) did not move the selection"
	e2e_keys c
	e2e_wait "published course"
	e2e_keys z
	e2e_wait "My courses"
	e2e_refute "published course"
	e2e_open_course_details sql "SQL for everyone"
	e2e_keys C-g
	e2e_wait "My courses"
	e2e_refute "Instructor:"
	e2e_keys s
	sleep 0.3
	e2e_refute "Sync requested"
	# The help lists the bindings that apply here, the screen's own first.
	e2e_keys '?'
	e2e_wait "Keys on every screen"
	e2e_keys NPage
	e2e_wait "Your bindings (config file)"
	e2e_wait "down (home)"
	e2e_wait "Ctrl-G"
	e2e_keys q
	e2e_wait "My courses"
	# The title row is underlined (SGR 4), which it never is by default.
	e2e_screen -e | head -1 | grep -qP '\x1b\[([0-9;]*;)?4(;[0-9;]*)?m' ||
		e2e_fail "the title is not underlined: $(e2e_screen -e | head -1 | od -c | head -3)"
	e2e_quit
	printf 'kiosk = off\nbind = global g go-home\n' >"$E2E_DIR/bad.conf"
	"$LECTERN" --config "$E2E_DIR/bad.conf" status >/dev/null 2>"$E2E_DIR/bad.err" &&
		e2e_fail "a bad config file was accepted"
	grep -qF "bad.conf:2: bind must be SCREEN KEY ACTION" "$E2E_DIR/bad.err" ||
		e2e_fail "the error does not name the line: $(cat "$E2E_DIR/bad.err")"
}

# Issue 15, "Command line conventions": the bash completion offers the commands, a
# command's options, and ids from the replica (here the enrolled courses `lectern ls` lists).
test_completion_bash() {
	local script="$here/../../completion/lectern.bash" got id
	e2e_start_server
	e2e_cli_login
	complete_words() {
		PATH="$(dirname "$LECTERN"):$PATH" bash -c '
			source "$1"; shift
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			_lectern; printf "%s\n" "${COMPREPLY[@]}"' sh "$script" "$@"
	}
	got="$(complete_words lectern en)"
	[ "$got" = enroll ] || e2e_fail "lectern en<Tab> gave: $got"
	got="$(complete_words lectern sync --v)"
	[ "$got" = --verify ] || e2e_fail "lectern sync --v<Tab> gave: $got"
	id="$("$LECTERN" ls | grep -oE '[0-9a-f]{8}-[0-9a-f-]{27}' | head -1)"
	[ -n "$id" ] || e2e_fail "lectern ls shows no course id"
	got="$(complete_words lectern ls "${id:0:6}")"
	[ "$got" = "$id" ] || e2e_fail "lectern ls ${id:0:6}<Tab> gave: $got"
	got="$(complete_words lectern --data-dir "$LECTERN_DATA_DIR" rm "${id:0:6}")"
	[ "$got" = "$id" ] || e2e_fail "lectern --data-dir D rm ${id:0:6}<Tab> gave: $got"
	# Nobody signed in there: no ids and no error in the command line.
	got="$(complete_words lectern --data-dir "$E2E_DIR/nobody" enroll "" 2>&1)"
	[ -z "$got" ] || e2e_fail "completion without a replica printed: $got"
}

TESTS="signin_focus_cursor quit_home_waiting quit_home_nothing_waiting home_back_redraw sign_in_again_keeps_place config_bindings_colours completion_bash"
case " $TESTS " in
*" ${1:-none} "*)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v curl >/dev/null || { echo "curl is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-nav.sh $(echo $TESTS | tr ' ' '|')" >&2
	exit 1
	;;
esac
