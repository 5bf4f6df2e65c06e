#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of kiosk mode and sign-out (issue 13; ux review 2026-11-29, D1-D3;
# mission review 2026-11-29, B4) at 80x24: learners take turns on one kiosk, each in their
# own profile, the sign-in screen never names the last one, X signs out in both modes, and
# outside kiosk mode a sign-out locks the replica. Usage: e2e-kiosk.sh TEST with LECTERN
# and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

kiosk_config() { e2e_kiosk_config "$@"; }
kiosk_sign_in() { e2e_kiosk_sign_in "$@"; }

kiosk_start() {
	e2e_tui_start 80 24 XDG_CONFIG_HOME="$E2E_DIR/config"
	e2e_wait "Lectern - sign in"
}

# X, then y: back on the sign-in screen.
sign_out() {
	e2e_keys X
	e2e_wait "Sign out $1?"
	e2e_keys y
	e2e_wait "Lectern - sign in"
}

# Esc on an empty sign-in screen outside kiosk mode quits.
quit_from_sign_in() {
	e2e_keys Escape
	e2e_wait_exit_ok
}

profiles() {
	ls "$LECTERN_DATA_DIR/profiles" 2>/dev/null | wc -l
}

# ux review D1/D3: three learners take turns on one kiosk (keep mode, set in the config
# file); each sees only their own Home, nobody's name is offered, and the first finds their
# profile again.
test_kiosk_three_learners() {
	e2e_start_server
	kiosk_config keep
	kiosk_start
	kiosk_sign_in learner
	e2e_wait "Unix shell basics" 20
	sign_out learner
	e2e_refute "learner"
	kiosk_sign_in amira
	e2e_wait "Photography: beyond auto mode" 20
	e2e_refute "Unix shell basics"
	sign_out amira
	kiosk_sign_in chen
	e2e_wait "SQL" 20
	e2e_refute "Photography"
	e2e_refute "Unix shell basics"
	sign_out chen
	[ "$(profiles)" = 3 ] || e2e_fail "wanted 3 profiles, found $(profiles)"
	[ ! -e "$LECTERN_DATA_DIR/replica.db" ] || e2e_fail "a kiosk made D/replica.db"
	kiosk_sign_in learner
	e2e_wait "Unix shell basics" 20
	e2e_refute "Photography"
	[ "$(profiles)" = 3 ] || e2e_fail "learner got a second profile"
	# The command line of a kiosk runs only logout.
	XDG_CONFIG_HOME="$E2E_DIR/config" "$LECTERN" courses >/dev/null 2>"$E2E_DIR/cli.err" &&
		e2e_fail "lectern courses ran in kiosk mode"
	grep -qF "kiosk mode" "$E2E_DIR/cli.err" || e2e_fail "no kiosk message: $(cat "$E2E_DIR/cli.err")"
	# Quitting a kiosk ends the session, not the program.
	e2e_keys Q
	e2e_wait "Sign out learner?"
	e2e_keys y
	e2e_wait "Lectern - sign in"
	e2e_kiosk_leave
}

# Kiosk wipe: after X nothing of the learner is left under the data directory: not their
# profile, and no byte of the reply they posted, which the shared content store held too
# (course content itself stays shared there).
test_kiosk_wipe_sign_out() {
	local marker="Kiosk wipe marker 7f3a9"
	e2e_start_server
	kiosk_config wipe
	kiosk_start
	kiosk_sign_in learner
	e2e_wait "Unix shell basics" 20
	e2e_wait "synced" 20
	[ "$(profiles)" = 1 ] || e2e_fail "no profile for learner"
	e2e_open_reply_editor
	e2e_type "$marker"
	e2e_keys C-d
	e2e_wait "$marker" 10
	e2e_wait "0 waiting" 20
	e2e_keys s
	e2e_until "the reply never reached the shared content store" 20 \
		grep -rqF "$marker" "$LECTERN_DATA_DIR/content.db" "$LECTERN_DATA_DIR/content.db-wal"
	sign_out learner
	[ "$(profiles)" = 0 ] || e2e_fail "the profile outlived a wipe sign-out"
	if grep -rqF "$marker" "$LECTERN_DATA_DIR"; then
		e2e_fail "the learner's reply is still on the disk: $(grep -rlF "$marker" "$LECTERN_DATA_DIR")"
	fi
	e2e_kiosk_leave
}

# Mission review B4 (ux review D1/D2): outside kiosk mode X signs out and locks the
# replica: the next start opens on the sign-in screen, and the command line refuses.
test_sign_out_locks_outside_kiosk() {
	e2e_start_server
	e2e_cli_login learner
	e2e_tui_start 80 24
	e2e_wait "My courses"
	e2e_keys '?'
	e2e_wait "sign out"
	e2e_keys q
	sign_out learner
	quit_from_sign_in
	"$LECTERN" courses >/dev/null 2>"$E2E_DIR/cli.err" && e2e_fail "lectern courses ran after sign-out"
	grep -qF "signed out: run lectern login" "$E2E_DIR/cli.err" ||
		e2e_fail "no lock message: $(cat "$E2E_DIR/cli.err")"
	e2e_tui_start 80 24
	e2e_wait "Lectern - sign in"
	e2e_refute "My courses"
	quit_from_sign_in
}

# Mission review B4 (ux review D2): the last user's unsent write blocked every other
# sign-in. In the TUI the next user is asked; "keep" parks it for its owner, who gets it
# back at their next sign-in and sends it as theirs.
test_switch_user_keeps_waiting_writes() {
	local course
	e2e_start_server
	e2e_cli_login learner
	course="$(e2e_api learner GET '/courses?search=PHOTO101' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	[ -n "$course" ] || e2e_fail "no PHOTO101 course"
	"$LECTERN" enroll "$course" >/dev/null 2>&1 || e2e_fail "could not queue an enrollment"
	"$LECTERN" logout >/dev/null 2>&1 || e2e_fail "logout failed"
	e2e_tui_start 80 24
	e2e_wait "Lectern - sign in"
	e2e_keys Up C-u
	e2e_type amira
	e2e_keys Enter
	e2e_type "lectern-demo"
	e2e_keys Enter
	e2e_wait "learner has unsent work here (1 enrollment"
	e2e_keys y
	e2e_wait "Photography: beyond auto mode" 20
	e2e_refute "Unix shell basics"
	[ "$(profiles)" = 1 ] || e2e_fail "learner's replica was not parked"
	sign_out amira
	e2e_keys Up C-u
	e2e_type learner
	e2e_keys Enter
	e2e_type "lectern-demo"
	e2e_keys Enter
	e2e_wait "Unix shell basics" 20
	e2e_wait "Photography: beyond auto mode" 20 # the parked enrollment, back and sent
	[ "$(profiles)" = 0 ] || e2e_fail "the parked replica was not restored"
	e2e_quit
	e2e_api learner GET /enrollments | grep -qF "$course" ||
		e2e_fail "the parked enrollment never reached the server"
}

# Kiosk wipe with the server gone: X says exactly what cannot be sent and wipes only after
# a yes; a no keeps the learner signed in with their work.
test_kiosk_wipe_names_the_loss() {
	e2e_start_server
	kiosk_config wipe
	kiosk_start
	kiosk_sign_in learner
	e2e_wait "synced" 20
	e2e_stop_server
	e2e_open_course_details photography "Photography: beyond auto mode"
	e2e_keys e
	e2e_wait "1 waiting"
	e2e_keys X
	e2e_wait "Sign out learner?"
	e2e_keys y
	e2e_wait "Cannot send 1 enrollment in PHOTO101" 30
	e2e_keys n
	e2e_wait "Still signed in"
	[ "$(profiles)" = 1 ] || e2e_fail "the profile went after a no"
	e2e_keys X
	e2e_wait "Sign out learner?"
	e2e_keys y
	e2e_wait "Cannot send 1 enrollment in PHOTO101" 30
	e2e_keys y
	e2e_wait "Lectern - sign in"
	[ "$(profiles)" = 0 ] || e2e_fail "the profile outlived the wipe"
	e2e_kiosk_leave
}

# Issue 13, item 5: quitting a kiosk never reaches the shell. Without an admin_hash, Esc on
# the sign-in screen and Ctrl-C only say so; with one, Esc asks for the password, and
# only the right one ends the program. Signed in, Q and Ctrl-C ask to sign out instead.
test_kiosk_quit_needs_admin() {
	e2e_start_server
	kiosk_config keep no-admin
	kiosk_start
	e2e_keys Escape
	e2e_wait "Only the administrator can close this"
	e2e_keys C-c
	sleep 0.5
	[ -n "$(e2e_lectern_pid)" ] || e2e_fail "Ctrl-C ended a kiosk"
	[ -f "$E2E_DIR/lectern.err.status" ] && e2e_fail "the kiosk exited"
	kill -TERM "$(e2e_lectern_pid)"
	e2e_wait_dead
	rm -f "$E2E_DIR/lectern.err.status"
	kiosk_config keep
	kiosk_start
	kiosk_sign_in learner
	e2e_keys Q
	e2e_wait "Sign out learner?"
	e2e_keys n
	e2e_wait "My courses"
	e2e_keys C-c
	e2e_wait "Sign out learner?"
	e2e_keys y
	e2e_wait "Lectern - sign in"
	e2e_keys Escape
	e2e_wait "Administrator password"
	e2e_type "not-the-password"
	e2e_refute "not-the-password" # typed as stars
	e2e_keys Enter
	e2e_wait "Wrong administrator password"
	[ -n "$(e2e_lectern_pid)" ] || e2e_fail "a wrong password ended the kiosk"
	e2e_kiosk_leave
}

# Issue 13, item 4: after the configured time without a key, a warning counts down; a key
# keeps the session (and does nothing else); then the session ends even with the editor
# open, whose text is kept as a draft for the same learner's next visit (keep mode).
test_kiosk_idle_sign_out() {
	e2e_start_server
	kiosk_config keep admin "idle_seconds = 12"
	kiosk_start
	kiosk_sign_in learner
	e2e_wait "signing out in" 15
	e2e_keys j
	e2e_wait_gone "signing out in"
	e2e_wait "My courses"
	e2e_open_reply_editor
	e2e_type "Half a reply when the bell rang"
	e2e_wait "signing out in" 15
	e2e_wait "Lectern - sign in" 15
	e2e_wait "without a key"
	e2e_refute "Half a reply"
	kiosk_sign_in learner
	e2e_open_reply_editor "was kept"
	e2e_keys r
	e2e_wait "Half a reply when the bell rang"
	e2e_keys Escape
	e2e_wait "Discard"
	e2e_keys y
	e2e_wait "Quote the name"
	e2e_keys X
	e2e_wait "Sign out learner?"
	e2e_keys y
	e2e_wait "Lectern - sign in"
	e2e_kiosk_leave
}

# Issue 13, item 3: with the server gone, a learner who signed in on this kiosk before
# signs in with their password; a wrong one is refused and named as such; someone the
# kiosk never saw is told the server is unreachable.
test_kiosk_offline_sign_in() {
	e2e_start_server
	kiosk_config keep
	kiosk_start
	kiosk_sign_in learner
	e2e_wait "Unix shell basics" 20
	sign_out learner
	e2e_stop_server
	kiosk_sign_in amira lectern-demo "The server is unreachable"
	e2e_keys Up C-u
	kiosk_sign_in learner wrong-password "Offline sign-in: wrong password"
	e2e_keys Up C-u
	kiosk_sign_in learner lectern-demo "Unix shell basics"
	e2e_wait "Signed in without the server"
	sign_out learner
	e2e_kiosk_leave
}

TESTS="kiosk_three_learners kiosk_wipe_sign_out sign_out_locks_outside_kiosk switch_user_keeps_waiting_writes kiosk_wipe_names_the_loss kiosk_quit_needs_admin kiosk_idle_sign_out kiosk_offline_sign_in"
case " $TESTS " in
*" ${1:-none} "*)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v curl >/dev/null || { echo "curl is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-kiosk.sh $(echo $TESTS | tr ' ' '|')" >&2
	exit 1
	;;
esac
