#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of what a long sync shows (issue 13, "Slow and broken links"; ux review
# 2026-11-29, F2, A16/F3): a first sync through a slow link (bench/slowlink's delayproxy
# shaping the rate on loopback, no root needed) says "Downloading your courses" with bytes
# and a percent, in the TUI and on `lectern sync` at a terminal, and nothing but the result
# off a terminal; and two small things of the same issue: the built-in editor under LANG=C,
# and Ctrl-C at `lectern login`'s password prompt. Usage: e2e-progress.sh TEST with
# LECTERN, LECTERND and DELAYPROXY set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

PROXY_PID=""
PROXY_URL=""

# UNIX101 (the demo learner's course) gets $1 more pages, in modules of 500, so that a
# first sync takes two /sync answers and several seconds at 64 kbit/s.
grow_campus() {
	local course mid m n
	course="$(e2e_api instructor GET '/courses?search=UNIX101' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	[ -n "$course" ] || e2e_fail "no UNIX101 course"
	for m in $(seq 1 $((($1 + 499) / 500))); do
		mid="$(e2e_api instructor POST "/courses/$course/modules" "{\"title\":\"Progress module $m\"}" |
			grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)"
		[ -n "$mid" ] || e2e_fail "could not add a module"
		n=$(($1 - (m - 1) * 500))
		[ "$n" -gt 500 ] && n=500
		awk -v n="$n" -v m="$m" 'BEGIN { printf "["; for (i = 0; i < n; i++)
			printf "%s{\"title\":\"Page %d.%d\",\"kind\":\"page\",\"body\":\"Page %d of module %d, %d words.\"}",
				i ? "," : "", m, i, i, m, i * 7919 % 10007; printf "]" }' >"$E2E_DIR/items.json"
		e2e_api instructor POST "/modules/$mid/items" "$(cat "$E2E_DIR/items.json")" |
			grep -q '"id"' || e2e_fail "could not add pages"
	done
}

# A line of $1 bit/s with $2 ms each way in front of lecternd; LECTERN_SERVER points at it.
start_slow_link() {
	local i
	"$DELAYPROXY" --listen 127.0.0.1:0 --upstream "127.0.0.1:$E2E_PORT" --rate "$1" \
		--delay-ms "$2" >"$E2E_DIR/proxy.out" 2>"$E2E_DIR/proxy.err" &
	PROXY_PID=$!
	trap 'kill "$PROXY_PID" 2>/dev/null; e2e_cleanup' EXIT
	for i in $(seq 1 100); do
		PROXY_URL="$(sed -n 's/^delayproxy listening on /http:\/\//p' "$E2E_DIR/proxy.out")"
		[ -n "$PROXY_URL" ] && break
		sleep 0.05
	done
	[ -n "$PROXY_URL" ] || e2e_fail "delayproxy did not start: $(cat "$E2E_DIR/proxy.err")"
	export LECTERN_SERVER="$PROXY_URL"
}

# Logs the demo learner in through the slow link, without a sync.
login_only() {
	printf 'lectern-demo\n' | "$LECTERN" login learner >"$E2E_DIR/login.out" 2>&1 ||
		{ cat "$E2E_DIR/login.out" >&2; e2e_fail "lectern login failed"; }
}

# Waits (up to $2 s) until the last row matches the extended regex $1.
wait_status() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		e2e_screen | tail -1 | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	e2e_fail "the status line never matched: $1"
}

# The TUI's first sync: Home says "Downloading your courses..." instead of "not enrolled",
# the catalog does not say "No courses yet", and the status line shows bytes and a percent
# (kept beside the writes-waiting count, in fewer words at 80 columns); then the courses
# arrive.
test_first_sync_progress() {
	e2e_start_server
	grow_campus 1500
	start_slow_link 64000 150
	login_only
	e2e_tui_start 80 24
	e2e_wait "Downloading your courses..." 15
	e2e_refute "not enrolled"
	# At 80 columns the short form, so that the counts beside it stay whole.
	wait_status 'Downloading [0-9]+% of [0-9.]+ (B|kB|MB)(, [0-9]+ (s|min) left)? \| 0 waiting \| ' 40
	e2e_log "home: $(e2e_screen | grep -F 'Downloading your courses...')"
	e2e_log "status line: $(e2e_screen | tail -1)"
	e2e_keys c
	e2e_wait "published course"
	if e2e_screen | grep -qF "No courses yet"; then
		e2e_fail "the catalog says there are no courses during the first sync"
	fi
	e2e_keys q
	e2e_wait "Unix" 60
	wait_status '^ ?online' 60
	e2e_refute "Downloading your courses"
	e2e_quit
}

# `lectern sync` at a terminal: a progress line on stderr while it runs, gone before the
# result; off a terminal, the result alone; and `lectern courses` before the first sync
# says the courses are on their way.
test_cli_sync_progress() {
	local out seen i
	e2e_start_server
	grow_campus 1500
	start_slow_link 64000 150
	login_only
	"$LECTERN" courses >"$E2E_DIR/courses.out" 2>"$E2E_DIR/courses.err"
	grep -qF "your courses are not downloaded yet" "$E2E_DIR/courses.err" ||
		e2e_fail "lectern courses before the first sync: $(cat "$E2E_DIR/courses.err")"
	e2e_tmux_fresh
	tmux -L "$E2E_SOCK" -f /dev/null new-session -d -s "$E2E_SESSION" -x 100 -y 10 \
		sh -c '"$0" sync; echo "status $?"; sleep 60' "$LECTERN" || e2e_fail "tmux did not start"
	e2e_wait "Downloading your courses:" 15
	seen=0
	for i in $(seq 1 400); do
		if e2e_screen | grep -qE 'Downloading your courses: [0-9.]+ (B|kB|MB)? ?of [0-9.]+ (B|kB|MB) \([0-9]+%\)'; then
			seen=1
			e2e_log "lectern sync: $(e2e_screen | grep -F 'Downloading your courses:')"
			break
		fi
		e2e_screen | grep -qF "status " && break
		sleep 0.1
	done
	[ "$seen" = 1 ] || e2e_fail "lectern sync never showed a percent"
	e2e_wait "status 0" 60
	e2e_screen | grep -qF "Synced:" || e2e_fail "no result line"
	if e2e_screen | grep -qF "Downloading your courses"; then
		e2e_fail "the progress line was left on the screen"
	fi
	# Off a terminal: a second replica's first sync prints the result and nothing else.
	LECTERN_DATA_DIR="$E2E_DIR/data2" login_only
	LECTERN_DATA_DIR="$E2E_DIR/data2" "$LECTERN" sync >"$E2E_DIR/sync.out" 2>"$E2E_DIR/sync.err" ||
		e2e_fail "lectern sync off a terminal failed: $(cat "$E2E_DIR/sync.err")"
	[ ! -s "$E2E_DIR/sync.err" ] || e2e_fail "progress noise off a terminal: $(cat -v "$E2E_DIR/sync.err")"
	out="$(cat "$E2E_DIR/sync.out")"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && printf '%s' "$out" | grep -q '^Synced: ' ||
		e2e_fail "off a terminal, lectern sync printed: $out"
	LECTERN_DATA_DIR="$E2E_DIR/data2" "$LECTERN" courses >"$E2E_DIR/courses.out" 2>"$E2E_DIR/courses.err"
	grep -qF "Unix" "$E2E_DIR/courses.out" || e2e_fail "no courses after the first sync"
	[ ! -s "$E2E_DIR/courses.err" ] || e2e_fail "after the first sync: $(cat "$E2E_DIR/courses.err")"
}

# The built-in editor under LANG=C draws ASCII only, like every other screen (issue 13; ux
# review 2026-11-29, A5): typed "Café 学习" is "Caf? ??" on the screen, and no row is
# longer than the terminal.
test_editor_lang_c_ascii() {
	local screen
	e2e_start_server
	e2e_cli_login
	e2e_stop_server
	e2e_tui_start 80 24 LANG=C LC_ALL=C
	e2e_wait "My courses"
	e2e_open_course_details shell "Unix shell basics"
	e2e_keys f
	e2e_wait "Forum: Unix shell basics"
	e2e_select "cd into a folder with a space"
	e2e_keys Enter
	e2e_wait "Quote the name"
	e2e_keys r
	e2e_wait "Ctrl-D: send"
	tmux -L "$E2E_SOCK" send-keys -t "$E2E_SESSION" -l "Café 学习 ok"
	e2e_wait "Caf? ?? ok"
	screen="$(e2e_screen)"
	if printf '%s\n' "$screen" | LC_ALL=C grep -q '[^ -~]'; then
		e2e_fail "bytes outside ASCII in the editor under LANG=C"
	fi
	printf '%s\n' "$screen" | awk 'length($0) > 80 { bad = 1 } END { exit bad }' ||
		e2e_fail "a row is longer than 80 columns"
	kill -KILL "$(e2e_lectern_pid)"
	e2e_wait_dead
}

# Ctrl-C at `lectern login`'s password prompt: lectern ends (of the signal, as before) and
# the terminal has its echo back; it used to stay off, the shell typing blind.
test_login_prompt_ctrl_c_echo() {
	e2e_start_server
	e2e_tmux_fresh
	# The shell catches INT (a caught signal is reset at exec: lectern gets the default)
	# and goes on to record the terminal's modes.
	tmux -L "$E2E_SOCK" -f /dev/null new-session -d -s "$E2E_SESSION" -x 80 -y 24 \
		sh -c 'trap "echo interrupted" INT; "$0" login learner; echo "status $?";
			stty -a >"$1/stty.txt"; sleep 30' "$LECTERN" "$E2E_DIR" ||
		e2e_fail "tmux did not start"
	e2e_wait "Password:"
	sleep 0.3
	e2e_keys C-c
	wait_file "$E2E_DIR/stty.txt"
	e2e_wait "status 130"
	grep -qE '(^| )echo( |$)' "$E2E_DIR/stty.txt" ||
		e2e_fail "echo is off after Ctrl-C at the password prompt: $(cat "$E2E_DIR/stty.txt")"
	"$LECTERN" status 2>&1 | grep -qF "needs login" || e2e_fail "an interrupted login saved a session"
}

wait_file() {
	local i
	for i in $(seq 1 100); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	e2e_fail "no $1"
}

TESTS="first_sync_progress cli_sync_progress editor_lang_c_ascii login_prompt_ctrl_c_echo"
case " $TESTS " in
*" ${1:-none} "*)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] && [ -n "${DELAYPROXY:-}" ] ||
		{ echo "set LECTERN, LECTERND and DELAYPROXY" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v curl >/dev/null || { echo "curl is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-progress.sh $(echo $TESTS | tr ' ' '|')" >&2
	exit 1
	;;
esac
