#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of terminals that are not what the screens expect and of a sign-in that
# never blocks (issue 13, "Slow and broken links"; ux review 2026-11-29, A5/E2, E4, F1), at
# 80x24. Usage: e2e-signin.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

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
	for i in $(seq 1 50); do
		[ -f "$E2E_DIR/lectern.err.status" ] && break
		sleep 0.1
	done
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
	for i in $(seq 1 50); do
		[ -f "$E2E_DIR/lectern.err.status" ] && break
		sleep 0.1
	done
	[ "$(cat "$E2E_DIR/lectern.err.status" 2>/dev/null)" = 1 ] ||
		e2e_fail "an unknown TERM was not refused"
	grep -qF "TERM=no-such-terminal-xyz" "$E2E_DIR/lectern.err" ||
		e2e_fail "no message for an unknown TERM"
}

TESTS="lang_c_ascii lang_c_typed_text_utf8 term_dumb_refused"
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
