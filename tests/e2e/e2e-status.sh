#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of the status line and offline (issue 15; ux review 2026-11-29, A8, A9,
# A10) at 80x24: a long message never hides the counts and is cut at a word, "offline"
# shows within seconds of the server going away without a key, in its own colour and as a
# word (no URL), the waiting writes are listed in words, and `lectern status` says when the
# server cannot be reached. Usage: e2e-status.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

status_line() {
	e2e_screen | sed -n 24p
}

# Waits until the status line (row 24) holds text, up to $2 seconds.
wait_status() {
	local text="$1" limit="${2:-10}" i
	for i in $(seq 1 $((limit * 10))); do
		status_line | grep -qF -- "$text" && return 0
		sleep 0.1
	done
	e2e_fail "the status line never showed: $text"
}

# A8: a message longer than the room beside the counts (the reader's "Not found: QUERY")
# keeps the counts whole and is shortened after a whole word, with the ellipsis.
test_status_long_message() {
	local q="alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima" line
	local shown
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24 NO_COLOR=1
	e2e_wait "My courses"
	wait_status "online | 0 waiting" 20
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys Enter
	e2e_wait "Addresses and arrays"
	e2e_select "Arrays and pointer arithmetic"
	e2e_keys Enter
	e2e_wait_gone "Addresses and arrays"
	# A key of the reader marks the page complete first (its own message).
	e2e_keys G
	wait_status "Marked complete"
	e2e_keys /
	e2e_wait "Search:"
	e2e_type "$q"
	e2e_keys Enter
	wait_status "Not found: alpha"
	line="$(status_line)"
	case "$line" in
	" online | 0 waiting  "*) ;;
	*) e2e_fail "the counts are not whole at the left: [$line]" ;;
	esac
	case "$line" in
	*"…") ;;
	*) e2e_fail "the message is not shortened with an ellipsis: [$line]" ;;
	esac
	# Cut after a whole word of the query: what is shown before the mark is a prefix
	# of the message followed, in the message, by a space.
	shown="${line#*Not found: }"
	shown="${shown%…}"
	case "Not found: $q" in
	"Not found: $shown "*) ;;
	*) e2e_fail "the message was cut mid-word: [$shown]" ;;
	esac
	e2e_quit
}

# A9: the server stops; "offline" appears within seconds, with no key pressed, as a word
# in its own colour (black on yellow), never a URL or curl's message.
test_status_offline_seconds() {
	local line
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24
	e2e_wait "My courses"
	wait_status "online | 0 waiting" 20
	sleep 1
	e2e_stop_server
	wait_status "offline" 12
	line="$(status_line)"
	case "$line" in
	*http*|*onnect*|*api/v1*) e2e_fail "the status line shows the cause: [$line]" ;;
	esac
	# The colour: capture-pane -e gives the escape sequences; offline is black on yellow.
	e2e_screen -e | sed -n 24p | grep -qF $'\e[30m\e[43moffline' ||
		e2e_fail "offline is not in its own colour: $(e2e_screen -e | sed -n 24p | cat -v)"
	grep -qF "the server does not answer" "$XDG_STATE_HOME/lectern/lectern.log" ||
		e2e_fail "the cause is not in the log"
	e2e_quit
}

# A10: a reply queued while the server is down is listed on the waiting-writes screen (w,
# named on the status line) in words: what, where, since when; `lectern status` says the
# server cannot be reached (exit status 0 as before) and names the waiting write.
test_status_waiting_screen() {
	local out
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24 NO_COLOR=1
	e2e_wait "My courses"
	wait_status "online | 0 waiting" 20
	e2e_stop_server
	wait_status "offline" 12
	e2e_open_reply_editor
	e2e_type "A reply written offline."
	e2e_keys C-d
	e2e_wait "Reply saved"
	wait_status "1 waiting (w)"
	e2e_keys w
	e2e_wait "Waiting writes (1)"
	e2e_wait "new forum reply in UNIX101, topic \"cd into a folder with a space\""
	e2e_wait "since $(date +%H:)"
	e2e_wait "not sent yet"
	e2e_refute "/api/v1"
	e2e_keys q
	e2e_wait_gone "Waiting writes"
	out="$("$LECTERN" status 2>&1)" || e2e_fail "lectern status failed with the server down: $out"
	echo "$out" | grep -qE '^reachable +no: ' || e2e_fail "lectern status does not say unreachable: $out"
	echo "$out" | grep -qF "1 forum reply in UNIX101" || e2e_fail "lectern status does not name the waiting write: $out"
	e2e_start_server
	out="$("$LECTERN" status 2>&1)" || e2e_fail "lectern status failed: $out"
	echo "$out" | grep -qE '^reachable +yes' || e2e_fail "lectern status does not say reachable: $out"
	wait_status "0 waiting" 30
	e2e_quit
}

TESTS="status_long_message status_offline_seconds status_waiting_screen"
case " $TESTS " in
*" ${1:-none} "*)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v curl >/dev/null || { echo "curl is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-status.sh $(echo $TESTS | tr ' ' '|')" >&2
	exit 1
	;;
esac
