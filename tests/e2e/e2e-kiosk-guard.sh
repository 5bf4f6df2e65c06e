#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of kiosk mode's "no way out of the program" (issue 13, item 5) at 80x24:
# no $EDITOR or $VISUAL runs (the built-in editor only), Ctrl-Z (and kill -TSTP) does not
# suspend lectern back to the shell, and `lectern kiosk-passwd` prints an admin_hash line.
# Kiosk mode comes from the config file (XDG_CONFIG_HOME, e2e_kiosk_config). Each test
# first shows that the same step without kiosk mode does what kiosk mode must prevent, so
# that a check that could never fail fails.
# Usage: e2e-kiosk-guard.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

MARKER="$E2E_DIR/editor-ran"

no_sanitizer_report() {
	if grep -qE 'Sanitizer|runtime error' "$E2E_DIR/lectern.err" 2>/dev/null; then
		cat "$E2E_DIR/lectern.err" >&2
		e2e_fail "lectern reported a sanitizer error"
	fi
}

# Ends lectern without a key (kiosk mode may give Q another meaning): SIGTERM, as a
# shutdown would, then SIGKILL if it still runs.
stop_lectern() {
	local pid
	pid="$(e2e_lectern_pid)"
	if [ -n "$pid" ]; then
		kill -CONT "$pid" 2>/dev/null || true
		kill -TERM "$pid" 2>/dev/null || true
	fi
	e2e_wait_dead
	no_sanitizer_report
}

# The process state letter of lectern (R, S, T for stopped, ...).
lectern_state() {
	local pid
	pid="$(e2e_lectern_pid)"
	[ -n "$pid" ] || { echo "?"; return; }
	sed -e 's/^[^)]*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null
}

is_stopped() { [ "$(lectern_state)" = T ]; }

open_reply() { e2e_open_reply_editor "Write in Markdown."; }

editor_script() {
	printf '#!/bin/sh\n: >"%s"\necho "written by the outside editor" >"$1"\n' "$MARKER" \
		>"$E2E_DIR/marker-editor"
	chmod +x "$E2E_DIR/marker-editor"
}

# Kiosk mode never runs $EDITOR or $VISUAL: the built-in editor opens instead.
test_kiosk_no_editor() {
	editor_script
	e2e_start_server
	e2e_cli_login
	# Without kiosk mode the script runs (the check below can fail).
	e2e_tui_start 80 24 VISUAL="$E2E_DIR/marker-editor" EDITOR="$E2E_DIR/marker-editor"
	e2e_wait "My courses"
	e2e_open_reply_editor "Quote the name"
	e2e_until "the outside editor did not run outside kiosk mode" 10 test -f "$MARKER"
	stop_lectern
	rm -f "$MARKER"
	e2e_kiosk_config keep
	e2e_tui_start 80 24 XDG_CONFIG_HOME="$E2E_DIR/config" VISUAL="$E2E_DIR/marker-editor" \
		EDITOR="$E2E_DIR/marker-editor"
	e2e_kiosk_sign_in learner
	open_reply
	e2e_wait "Write in Markdown."
	e2e_type "Written in the kiosk"
	e2e_wait "Written in the kiosk"
	sleep 0.5
	[ ! -e "$MARKER" ] || e2e_fail "kiosk mode ran \$VISUAL/\$EDITOR"
	e2e_keys C-d
	e2e_wait_gone "Write in Markdown."
	[ ! -e "$MARKER" ] || e2e_fail "kiosk mode ran \$VISUAL/\$EDITOR"
	stop_lectern
}

# Starts lectern from an interactive bash with job control (a shell that Ctrl-Z would
# return to; without one the kernel drops a terminal's SIGTSTP to the pane's orphaned
# process group, and nothing could be shown). Extra words are env settings.
start_from_shell() {
	e2e_tmux_fresh
	tmux -L "$E2E_SOCK" -f /dev/null new-session -d -s "$E2E_SESSION" -x 80 -y 24 \
		env PS1='shell$ ' bash --norc --noprofile -i || e2e_fail "tmux did not start"
	e2e_wait 'shell$'
	e2e_type "env $* '$LECTERN' 2>>'$E2E_DIR/lectern.err'; echo lectern-exited"
	e2e_keys Enter
}

lectern_gone() { [ -z "$(e2e_lectern_pid)" ]; }

# Ends the lectern started by start_from_shell (SIGKILL when stopped).
stop_from_shell() {
	local pid
	pid="$(e2e_lectern_pid)"
	[ -n "$pid" ] || e2e_fail "lectern is not running"
	# A stopped job resumed in the background would stop again at its first terminal write.
	if is_stopped; then
		kill -KILL "$pid" 2>/dev/null || true
	else
		kill -TERM "$pid" 2>/dev/null || true
	fi
	e2e_until "lectern did not end" 10 lectern_gone
	no_sanitizer_report
}

# Ctrl-Z does not suspend lectern in kiosk mode; it still answers keys afterwards.
test_kiosk_ctrl_z() {
	e2e_start_server
	e2e_cli_login
	# Without kiosk mode, Ctrl-Z stops it and the shell takes over (the check can fail).
	start_from_shell
	e2e_wait "My courses"
	e2e_keys C-z
	e2e_until "Ctrl-Z did not stop lectern outside kiosk mode" 10 is_stopped
	e2e_wait "Stopped"
	stop_from_shell
	e2e_keys C-l
	e2e_kiosk_config keep
	start_from_shell "XDG_CONFIG_HOME='$E2E_DIR/config'"
	e2e_kiosk_sign_in learner
	e2e_keys C-z
	sleep 1
	is_stopped && e2e_fail "Ctrl-Z suspended lectern in kiosk mode"
	e2e_refute "Stopped"
	# kill -TSTP (what job control sends) is ignored too; so is Ctrl-\ (SIGQUIT).
	kill -TSTP "$(e2e_lectern_pid)"
	e2e_keys 'C-\'
	sleep 1
	is_stopped && e2e_fail "SIGTSTP suspended lectern in kiosk mode"
	lectern_gone && e2e_fail "Ctrl-\\ ended lectern in kiosk mode"
	e2e_refute "lectern-exited"
	# Still alive and answering: the catalog opens.
	e2e_keys c
	e2e_wait "published course"
	stop_from_shell
}

# lectern kiosk-passwd: asked twice, printed as the config line; differing entries refused.
test_kiosk_passwd() {
	local out
	out="$(printf 'lab-admin-pass\nlab-admin-pass\n' | "$LECTERN" kiosk-passwd)" ||
		e2e_fail "kiosk-passwd failed"
	echo "$out" | grep -qE '^admin_hash = \$argon2id\$v=19\$m=65536,t=2,p=1\$' ||
		e2e_fail "not an admin_hash line: $out"
	echo "$out" | grep -qF 'lab-admin-pass' && e2e_fail "the password is in the output"
	printf 'lab-admin-pass\nlab-admin-typo\n' | "$LECTERN" kiosk-passwd >"$E2E_DIR/kp.out" \
		2>"$E2E_DIR/kp.err" && e2e_fail "differing passwords were accepted"
	grep -qF "differ" "$E2E_DIR/kp.err" || e2e_fail "no reason given: $(cat "$E2E_DIR/kp.err")"
	[ -s "$E2E_DIR/kp.out" ] && e2e_fail "a hash was printed for differing passwords"
	# On a terminal the password is not echoed.
	e2e_tmux_fresh
	tmux -L "$E2E_SOCK" -f /dev/null new-session -d -s "$E2E_SESSION" -x 80 -y 24 \
		sh -c '"$0" kiosk-passwd; sleep 30' "$LECTERN" || e2e_fail "tmux did not start"
	e2e_wait "Kiosk admin password:"
	e2e_type "hidden-pass-1"
	e2e_keys Enter
	e2e_wait "Again:"
	e2e_type "hidden-pass-1"
	e2e_keys Enter
	e2e_wait "admin_hash = \$argon2id\$"
	e2e_refute "hidden-pass-1"
}

case "${1:-}" in
kiosk_no_editor | kiosk_ctrl_z | kiosk_passwd)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-kiosk-guard.sh kiosk_no_editor|kiosk_ctrl_z|kiosk_passwd" >&2
	exit 1
	;;
esac
