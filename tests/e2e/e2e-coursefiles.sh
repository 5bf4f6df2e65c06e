#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end test of a course as plain files (issue 12) beside the TUI, at 80x24: the demo
# instructor checks C201 out as files and edits a lesson's body there, while an admin
# (course staff too) renames the same lesson in the TUI's course editor; both sync, the
# instructor pulls, and the files and the server hold both changes: nothing is lost.
# Usage: e2e-coursefiles.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

LESSON="What a pointer is"

# Runs lectern as the instructor (the default data folder).
teacher() { "$LECTERN" "$@"; }
# Runs lectern as the admin, in a data folder of its own.
admin() { LECTERN_DATA_DIR="$E2E_DIR/admin" "$LECTERN" "$@"; }

# Selects the outline row holding text (the row starts with ">").
select_row() {
	local text="$1" i
	e2e_keys g
	for i in $(seq 1 40); do
		if e2e_screen | grep -E '^>' | grep -qF -- "$text"; then
			return 0
		fi
		e2e_keys j
		sleep 0.1
	done
	e2e_fail "could not select: $text"
}

test_files_and_tui_merge() {
	local course file item
	e2e_start_server
	e2e_cli_login instructor
	teacher sync >/dev/null 2>&1 || e2e_fail "the instructor's first sync failed"
	course="$(e2e_api instructor GET '/courses?search=C201' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	[ -n "$course" ] || e2e_fail "no C201"
	teacher course checkout "$course" "$E2E_DIR/C201" >"$E2E_DIR/co.out" 2>&1 ||
		e2e_fail "checkout failed: $(cat "$E2E_DIR/co.out")"
	file="$(grep -rlF "title: $LESSON" "$E2E_DIR/C201" | head -1)"
	[ -n "$file" ] || e2e_fail "no file for the lesson: $(ls -R "$E2E_DIR/C201")"

	# The admin renames the lesson in the TUI's course editor; it syncs at once.
	printf 'lectern-demo\n' | admin login admin >/dev/null 2>&1 || e2e_fail "admin login failed"
	e2e_tui_start 80 24 LECTERN_DATA_DIR="$E2E_DIR/admin"
	e2e_wait "My courses"
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys E
	e2e_wait "Edit: C pointers without fear"
	select_row "$LESSON"
	e2e_keys e
	e2e_wait "Title"
	e2e_keys C-u
	e2e_type "Pointers, renamed in the TUI"
	e2e_keys Enter
	e2e_wait "Pointers, renamed in the TUI"
	e2e_wait "| 0 waiting" 20
	e2e_quit

	# Meanwhile the instructor wrote a line at the end of the body, in the file.
	printf '\nWritten in the files, offline.\n' >>"$file"
	teacher course push "$E2E_DIR/C201" >"$E2E_DIR/push.out" 2>&1 ||
		e2e_fail "push failed: $(cat "$E2E_DIR/push.out")"
	teacher sync >"$E2E_DIR/sync.out" 2>&1 ||
		e2e_fail "sync failed: $(cat "$E2E_DIR/sync.out")"
	teacher course pull "$E2E_DIR/C201" >"$E2E_DIR/pull.out" 2>&1 ||
		e2e_fail "pull failed: $(cat "$E2E_DIR/pull.out")"

	# Both changes, in the files and on the server.
	grep -qF "title: Pointers, renamed in the TUI" "$file" ||
		e2e_fail "the TUI's title did not reach the files: $(head -8 "$file")"
	grep -qF "Written in the files, offline." "$file" || e2e_fail "the pull lost the file edit"
	grep -qE '^(<<<<<<<|>>>>>>>)' "$file" && e2e_fail "markers where nothing overlapped"
	# The managed .lectern file names each file's id ("ID PATH" lines).
	item="$(grep -F " ${file#"$E2E_DIR/C201/"}" "$E2E_DIR/C201/.lectern" | cut -d' ' -f1)"
	[ -n "$item" ] || e2e_fail "no id for the lesson in .lectern"
	e2e_api instructor GET "/items/$item" >"$E2E_DIR/item.json"
	grep -qF '"title":"Pointers, renamed in the TUI"' "$E2E_DIR/item.json" ||
		e2e_fail "the server lost the TUI's title: $(cat "$E2E_DIR/item.json")"
	grep -qF "Written in the files, offline." "$E2E_DIR/item.json" ||
		e2e_fail "the server lost the file edit"
	teacher course status "$E2E_DIR/C201" >"$E2E_DIR/status.out" 2>&1 ||
		e2e_fail "status failed: $(cat "$E2E_DIR/status.out")"
}

TESTS="files_and_tui_merge"
case " $TESTS " in
*" ${1:-none} "*)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v curl >/dev/null || { echo "curl is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-coursefiles.sh $(echo $TESTS | tr ' ' '|')" >&2
	exit 1
	;;
esac
