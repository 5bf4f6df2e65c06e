# SPDX-License-Identifier: MIT
# Helpers for the end-to-end tests: a real lecternd with the demo data on a loopback port,
# and the real lectern inside tmux on a private socket (tmux -L), driven with send-keys and
# checked with capture-pane, i.e. on what a person would see. Sourced by e2e.sh.
# Needs LECTERN and LECTERND (meson passes them). Everything lives in one temporary folder
# removed on exit, with the server and the tmux server stopped even when a check fails.

set -u

E2E_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lectern-e2e.XXXXXX")"
# Every start of lectern gets a tmux server of its own (e2e_tmux_fresh): a new session on a
# socket whose server is still exiting can fail with "server exited unexpectedly" (code
# review 2026-11-29, F9). The sockets live in this run's folder and carry its pid, so two
# runs never share one.
E2E_SOCK_N=0
E2E_SOCK="lectern-e2e-$$-0"
export TMUX_TMPDIR="$E2E_DIR/tmux"
unset TMUX TMUX_PANE
E2E_SESSION="lectern"
E2E_SRV_PID=""
E2E_PORT=""
E2E_URL=""
export HOME="$E2E_DIR/home"
export XDG_STATE_HOME="$E2E_DIR/state"
export XDG_DATA_HOME="$E2E_DIR/data"
export LECTERN_DATA_DIR="$E2E_DIR/data/lectern"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset EDITOR VISUAL NO_COLOR
mkdir -p "$HOME" "$TMUX_TMPDIR"

e2e_cleanup() {
	local n
	for n in $(seq 0 "$E2E_SOCK_N"); do
		tmux -L "lectern-e2e-$$-$n" kill-server >/dev/null 2>&1 || true
	done
	e2e_stop_server
	rm -rf "$E2E_DIR"
}
trap e2e_cleanup EXIT

e2e_screen() {
	tmux -L "$E2E_SOCK" capture-pane -p -t "$E2E_SESSION" "$@" 2>/dev/null
}

e2e_fail() {
	echo "FAIL: $*" >&2
	echo "---- screen ----" >&2
	e2e_screen >&2 || true
	echo "---- lectern stderr ----" >&2
	head -40 "$E2E_DIR/lectern.err" >&2 2>/dev/null || true
	echo "---- lectern.log (tail) ----" >&2
	tail -20 "$XDG_STATE_HOME/lectern/lectern.log" >&2 2>/dev/null || true
	exit 1
}

e2e_log() {
	echo "e2e: $*"
}

# Starts lecternd (the same database and, on a restart, the same port).
e2e_start_server() {
	local listen="127.0.0.1:${E2E_PORT:-0}" i seed="--seed-demo"
	# A restart keeps the data: the demo seed only fills an empty database.
	[ -f "$E2E_DIR/server.db" ] && seed=""
	: >"$E2E_DIR/lecternd.out"
	"$LECTERND" --listen "$listen" --db "$E2E_DIR/server.db" $seed \
		>"$E2E_DIR/lecternd.out" 2>&1 &
	E2E_SRV_PID=$!
	for i in $(seq 1 200); do
		if grep -q "listening on http://127.0.0.1:" "$E2E_DIR/lecternd.out"; then
			E2E_URL="$(grep -o 'http://127.0.0.1:[0-9]*' "$E2E_DIR/lecternd.out" | head -1)"
			E2E_PORT="${E2E_URL##*:}"
			export LECTERN_SERVER="$E2E_URL"
			return 0
		fi
		kill -0 "$E2E_SRV_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$E2E_DIR/lecternd.out" >&2
	e2e_fail "lecternd did not start"
}

e2e_stop_server() {
	if [ -n "$E2E_SRV_PID" ]; then
		kill -TERM "$E2E_SRV_PID" 2>/dev/null || true
		wait "$E2E_SRV_PID" 2>/dev/null || true
		E2E_SRV_PID=""
	fi
}

# Logs the demo learner in and syncs with the command line (fast set-up for most tests).
e2e_cli_login() {
	local user="${1:-learner}"
	printf 'lectern-demo\n' | "$LECTERN" login "$user" >"$E2E_DIR/login.out" 2>&1 ||
		{ cat "$E2E_DIR/login.out" >&2; e2e_fail "lectern login $user failed"; }
	"$LECTERN" sync >"$E2E_DIR/sync.out" 2>&1 ||
		{ cat "$E2E_DIR/sync.out" >&2; e2e_fail "lectern sync failed"; }
}

# Stops the current tmux server, waits until its socket is gone, and moves on to a new
# socket name, so that the next new-session starts a server of its own.
e2e_tmux_fresh() {
	local sock i
	sock="$(tmux -L "$E2E_SOCK" display-message -p '#{socket_path}' 2>/dev/null)"
	tmux -L "$E2E_SOCK" kill-server >/dev/null 2>&1 || true
	for i in $(seq 1 100); do
		[ -z "$sock" ] || [ ! -S "$sock" ] && break
		sleep 0.05
	done
	E2E_SOCK_N=$((E2E_SOCK_N + 1))
	E2E_SOCK="lectern-e2e-$$-$E2E_SOCK_N"
}

# Waits until a shell condition holds (up to $2 seconds), else fails with $1.
e2e_until() {
	local what="$1" limit="$2" i
	shift 2
	for i in $(seq 1 $((limit * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	e2e_fail "$what"
}

# Starts lectern in a detached tmux session of the given size; extra words are env settings.
e2e_tui_start() {
	local cols="$1" rows="$2"
	shift 2
	e2e_tmux_fresh
	# stderr goes to a file: a sanitizer report there fails the test (see e2e_quit).
	tmux -L "$E2E_SOCK" -f /dev/null new-session -d -s "$E2E_SESSION" -x "$cols" -y "$rows" \
		env "$@" sh -c '"$0" 2>>"$1"; echo $? >"$1.status"' "$LECTERN" "$E2E_DIR/lectern.err" ||
		e2e_fail "tmux did not start"
	tmux -L "$E2E_SOCK" set-option -g remain-on-exit on >/dev/null
}

e2e_keys() {
	tmux -L "$E2E_SOCK" send-keys -t "$E2E_SESSION" "$@"
}

# Types text literally.
e2e_type() {
	tmux -L "$E2E_SOCK" send-keys -t "$E2E_SESSION" -l "$1"
}

# Waits until the screen shows text (fixed string), up to $2 seconds (default 10).
e2e_wait() {
	local text="$1" limit="${2:-10}" i
	for i in $(seq 1 $((limit * 10))); do
		if e2e_screen | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.1
	done
	e2e_fail "the screen never showed: $text"
}

# Waits until text is gone from the screen.
e2e_wait_gone() {
	local text="$1" limit="${2:-10}" i
	for i in $(seq 1 $((limit * 10))); do
		if ! e2e_screen | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.1
	done
	e2e_fail "the screen still shows: $text"
}

e2e_refute() {
	if e2e_screen | grep -qF -- "$1"; then
		e2e_fail "the screen shows what it must not: $1"
	fi
}

# Moves the selection (the row starting with ">") down with j until it holds text. Every 20
# steps it starts again from the top (Home): a list that a sync reorders, or a j that landed
# before the list was drawn, can leave the row above the selection.
e2e_select() {
	local text="$1" i
	for i in $(seq 1 60); do
		if e2e_screen | grep -E '^ ?>' | grep -qF -- "$text"; then
			return 0
		fi
		if [ $((i % 20)) -eq 0 ]; then
			e2e_keys Home
		else
			e2e_keys j
		fi
		sleep 0.1
	done
	e2e_fail "could not select: $text"
}

# Searches the catalog for a course and opens it (course details).
e2e_open_course_details() {
	e2e_keys c
	e2e_wait "published course"
	e2e_keys /
	e2e_type "$1"
	e2e_keys Enter
	e2e_wait "matching"
	e2e_wait "$2"
	e2e_keys Enter
	e2e_wait "Instructor:"
}

# An API call as a demo user; prints the body. Usage: e2e_api USER METHOD PATH [BODY]
e2e_api() {
	local user="$1" method="$2" path="$3" body="${4:-}" token
	token="$(curl -s -H 'Content-Type: application/json' \
		-d "{\"username\":\"$user\",\"password\":\"lectern-demo\"}" \
		"$E2E_URL/api/v1/auth/token" | grep -o '"access_token":"[^"]*"' | cut -d'"' -f4)"
	[ -n "$token" ] || e2e_fail "could not log $user in with the API"
	if [ -n "$body" ]; then
		curl -s -X "$method" -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/json' -d "$body" "$E2E_URL/api/v1$path"
	else
		curl -s -X "$method" -H "Authorization: Bearer $token" "$E2E_URL/api/v1$path"
	fi
}

# Quits lectern with Q and checks that it exited (and gave the terminal back).
e2e_quit() {
	e2e_keys Q
	local i
	for i in $(seq 1 50); do
		if [ "$(tmux -L "$E2E_SOCK" display-message -p -t "$E2E_SESSION" '#{pane_dead}')" = 1 ]; then
			local status
			status="$(cat "$E2E_DIR/lectern.err.status" 2>/dev/null)"
			rm -f "$E2E_DIR/lectern.err.status"
			if grep -qE 'Sanitizer|runtime error' "$E2E_DIR/lectern.err" 2>/dev/null; then
				cat "$E2E_DIR/lectern.err" >&2
				e2e_fail "lectern reported a sanitizer error"
			fi
			[ "$status" = 0 ] || e2e_fail "lectern exited with status $status"
			return 0
		fi
		sleep 0.1
	done
	e2e_fail "lectern did not quit"
}

# The pid of lectern in the pane (the shell's child).
e2e_lectern_pid() {
	local sh_pid p
	sh_pid="$(tmux -L "$E2E_SOCK" display-message -p -t "$E2E_SESSION" '#{pane_pid}')"
	for p in /proc/[0-9]*; do
		if [ "$(cut -d' ' -f4 "$p/stat" 2>/dev/null)" = "$sh_pid" ]; then
			echo "${p#/proc/}"
			return 0
		fi
	done
}

# Waits until lectern has stopped (Ctrl-C, kill -9), else fails.
e2e_wait_dead() {
	local i
	for i in $(seq 1 50); do
		[ "$(tmux -L "$E2E_SOCK" display-message -p -t "$E2E_SESSION" '#{pane_dead}')" = 1 ] &&
			return 0
		sleep 0.1
	done
	e2e_fail "lectern did not stop"
}

# Opens the reply editor of the demo forum's first topic (course "Unix shell basics") and
# waits for $1 (default the editor's "Ctrl-D: send").
e2e_open_reply_editor() {
	e2e_open_course_details shell "Unix shell basics"
	e2e_keys f
	e2e_wait "Forum: Unix shell basics"
	e2e_select "cd into a folder with a space"
	e2e_keys Enter
	e2e_wait "Quote the name"
	e2e_keys r
	[ -n "${1:-}" ] || set -- "Ctrl-D: send"
	e2e_wait "$1"
}

# The kiosk administrator's password of the tests' config files.
E2E_ADMIN_PASS="lab-admin-pass"

# Writes the config file the TUI reads through XDG_CONFIG_HOME=$E2E_DIR/config: kiosk = $1,
# the administrator's hash unless $2 is "no-admin", then any further lines given.
e2e_kiosk_config() {
	local mode="$1" admin="${2:-admin}" line
	shift
	[ $# -gt 0 ] && shift
	mkdir -p "$E2E_DIR/config/lectern"
	printf '# a lab kiosk\nkiosk = %s\n' "$mode" >"$E2E_DIR/config/lectern/config"
	if [ "$admin" != no-admin ]; then
		[ -s "$E2E_DIR/admin_hash" ] ||
			printf '%s\n%s\n' "$E2E_ADMIN_PASS" "$E2E_ADMIN_PASS" |
			"$LECTERN" kiosk-passwd >"$E2E_DIR/admin_hash" || e2e_fail "kiosk-passwd failed"
		cat "$E2E_DIR/admin_hash" >>"$E2E_DIR/config/lectern/config"
	fi
	for line in "$@"; do
		printf '%s\n' "$line" >>"$E2E_DIR/config/lectern/config"
	done
}

# Signs $1 in on a kiosk's sign-in screen, whose username field must be empty.
e2e_kiosk_sign_in() {
	e2e_wait "This computer is shared"
	e2e_screen | grep -E '^ *Username' | grep -qE 'Username *$' ||
		e2e_fail "the username field is not empty: $(e2e_screen | grep Username)"
	e2e_type "$1"
	e2e_keys Enter
	e2e_type "${2:-lectern-demo}"
	e2e_keys Enter
	e2e_wait "${3:-My courses}" 20
}

# Waits for lectern to exit with status 0 (after a key that quits), without sanitizer noise.
e2e_wait_exit_ok() {
	local i
	for i in $(seq 1 100); do
		if [ -f "$E2E_DIR/lectern.err.status" ]; then
			[ "$(cat "$E2E_DIR/lectern.err.status")" = 0 ] ||
				e2e_fail "lectern exited with status $(cat "$E2E_DIR/lectern.err.status")"
			rm -f "$E2E_DIR/lectern.err.status"
			if grep -qE 'Sanitizer|runtime error' "$E2E_DIR/lectern.err" 2>/dev/null; then
				cat "$E2E_DIR/lectern.err" >&2
				e2e_fail "lectern reported a sanitizer error"
			fi
			return 0
		fi
		sleep 0.1
	done
	e2e_fail "lectern did not quit"
}

# Leaves a kiosk from its sign-in screen: Esc, then the administrator's password.
e2e_kiosk_leave() {
	e2e_keys Escape
	e2e_wait "Administrator password"
	e2e_type "$E2E_ADMIN_PASS"
	e2e_keys Enter
	e2e_wait_exit_ok
}
