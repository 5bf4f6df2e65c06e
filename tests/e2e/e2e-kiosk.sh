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

# Writes the config file (kiosk = $1) the TUI reads through XDG_CONFIG_HOME.
kiosk_config() {
	mkdir -p "$E2E_DIR/config/lectern"
	printf '# a lab kiosk\nkiosk = %s\n' "$1" >"$E2E_DIR/config/lectern/config"
}

kiosk_start() {
	e2e_tui_start 80 24 XDG_CONFIG_HOME="$E2E_DIR/config"
	e2e_wait "Lectern - sign in"
}

# Signs $1 in on the sign-in screen, whose username field must be empty.
kiosk_sign_in() {
	e2e_wait "This computer is shared"
	e2e_screen | grep -E '^ *Username' | grep -qE 'Username *$' ||
		e2e_fail "the username field is not empty: $(e2e_screen | grep Username)"
	e2e_type "$1"
	e2e_keys Enter
	e2e_type "lectern-demo"
	e2e_keys Enter
	e2e_wait "My courses" 20
}

# X, then y: back on the sign-in screen.
sign_out() {
	e2e_keys X
	e2e_wait "Sign out $1?"
	e2e_keys y
	e2e_wait "Lectern - sign in"
}

# Esc on an empty sign-in screen quits (until the kiosk's "quit returns to sign-in").
quit_from_sign_in() {
	local i
	e2e_keys Escape
	for i in $(seq 1 50); do
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
	e2e_fail "lectern did not quit from the sign-in screen"
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
	e2e_quit
}

# Kiosk wipe: after X nothing of the learner is left under the data directory.
test_kiosk_wipe_sign_out() {
	e2e_start_server
	kiosk_config wipe
	kiosk_start
	kiosk_sign_in learner
	e2e_wait "Unix shell basics" 20
	e2e_wait "synced" 20
	[ "$(profiles)" = 1 ] || e2e_fail "no profile for learner"
	sign_out learner
	[ "$(profiles)" = 0 ] || e2e_fail "the profile outlived a wipe sign-out"
	if grep -rqF "Unix shell basics" "$LECTERN_DATA_DIR"; then
		e2e_fail "the learner's course is still on the disk: $(grep -rlF 'Unix shell basics' "$LECTERN_DATA_DIR")"
	fi
	quit_from_sign_in
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
	quit_from_sign_in
}

TESTS="kiosk_three_learners kiosk_wipe_sign_out sign_out_locks_outside_kiosk switch_user_keeps_waiting_writes kiosk_wipe_names_the_loss"
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
