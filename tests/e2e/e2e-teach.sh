#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of what course staff see (issue 11, items 1 and 5), as the demo
# `instructor` at 80x24: Home's "Teaching" section, the course details that never offer
# enroll on an own course, the course, a lesson and the forum opened without enrolling,
# the teaching view online and (server stopped) from its cache, and staff deleting a
# learner's post. Usage: e2e-teach.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

# The row of Home (or any list) holding text.
row_of() {
	e2e_screen | grep -F -- "$1" | head -1
}

# Home lists the courses the instructor teaches, drafts and archived ones with their
# status; a learner's Home has no such section.
test_home() {
	e2e_start_server
	e2e_cli_login instructor
	e2e_tui_start 80 24
	e2e_wait "Teaching"
	e2e_wait "C pointers without fear"
	row_of "C pointers without fear" | grep -qF "published" || e2e_fail "no status on C201"
	row_of "C pointers without fear" | grep -qE "[0-9]+ enrolled" ||
		e2e_fail "no enrolled count on C201"
	row_of "Networking from the ground up" | grep -qF "draft" || e2e_fail "the draft is not listed"
	row_of "Web pages with Perl CGI" | grep -qF "archived" ||
		e2e_fail "the archived course is not listed"
	e2e_wait "My courses"
	e2e_refute "You are not enrolled in any course yet"
	# On a Teaching row: Enter the course editor, o the course as learners see it, t the
	# teaching view, f the course's forum.
	e2e_select "Networking from the ground up"
	e2e_keys Enter
	e2e_wait "Edit: Networking from the ground up"
	e2e_wait "Status: draft"
	e2e_keys q
	e2e_wait "Teaching"
	e2e_keys o
	e2e_wait "Complete:"
	e2e_keys q
	e2e_wait "Teaching"
	e2e_select "C pointers without fear"
	e2e_keys f
	e2e_wait "Forum: C pointers without fear"
	e2e_keys q
	e2e_wait "Teaching"
	e2e_quit
	# The learner's Home is as it was.
	rm -rf "$LECTERN_DATA_DIR"
	e2e_cli_login learner
	e2e_tui_start 80 24
	e2e_wait "My courses"
	e2e_wait "C pointers without fear"
	e2e_refute "Teaching"
	e2e_quit
}

# The details of an own course: no enroll; Enter, a lesson and the forum open; `e` says why
# not and queues nothing.
test_details() {
	e2e_start_server
	e2e_cli_login instructor
	e2e_tui_start 80 24
	e2e_wait "Teaching"
	e2e_open_course_details pointers "C pointers without fear"
	e2e_wait "You teach this course"
	e2e_refute "press e to enroll"
	e2e_refute "e enroll"
	e2e_keys e
	e2e_wait "You teach it; staff cannot enroll"
	e2e_wait "0 waiting"
	e2e_refute "sync issue"
	e2e_keys Enter
	e2e_wait "Addresses and arrays"
	e2e_select "Arrays and pointer arithmetic"
	e2e_keys Enter
	e2e_wait "In most expressions an array"
	# Reading records no progress for staff (the server would refuse it).
	e2e_keys G
	e2e_wait "0 waiting"
	e2e_keys q
	e2e_wait "Addresses and arrays"
	e2e_keys f
	e2e_wait "Forum: C pointers without fear"
	e2e_keys q q
	e2e_wait "You teach this course"
	e2e_keys f
	e2e_wait "Forum: C pointers without fear"
	e2e_wait "0 waiting"
	e2e_refute "sync issue"
	e2e_quit
}

# The teaching view: students and analytics fetched from the server with their time;
# with the server stopped, the cached copy with that time, also after a restart of lectern.
test_teach_view() {
	e2e_start_server
	e2e_cli_login instructor
	e2e_tui_start 80 24
	e2e_wait "Teaching"
	e2e_select "C pointers without fear"
	e2e_keys t
	e2e_wait "Teaching: C pointers without fear"
	e2e_wait "Students ("
	e2e_wait "learner"
	e2e_wait "Analytics"
	e2e_wait "Completion per item:" 20
	e2e_wait "What a pointer is"
	e2e_wait "as of "
	e2e_screen | grep -F "Students (" | grep -qE "as of [0-9]{2}:[0-9]{2}" ||
		e2e_fail "the students have no time"
	e2e_screen | grep -F "learner" | grep -qE "[0-9]+%" || e2e_fail "no percent for learner"
	local when
	when="$(e2e_screen | grep -F "Analytics" | grep -oE "as of [0-9]{2}:[0-9]{2}")"
	e2e_wait "Quiz attempts"
	e2e_wait "Quiz: pointers"
	# The server goes away: r asks again, fails, and the cached copy stays with its time.
	e2e_stop_server
	e2e_keys r
	e2e_wait "$when (offline)" 20
	e2e_wait "Completion per item:"
	e2e_quit
	# A fresh start offline: straight from the cache.
	e2e_tui_start 80 24
	e2e_wait "Teaching"
	e2e_select "C pointers without fear"
	e2e_keys t
	e2e_wait "Completion per item:"
	e2e_wait "$when" 20
	e2e_wait "learner"
	# A course never fetched says it needs a connection.
	e2e_keys q
	e2e_wait "Teaching"
	e2e_select "SQL for everyone"
	e2e_keys t
	e2e_wait "Teaching: SQL for everyone"
	e2e_wait "needs a connection" 20
	e2e_quit
}

# Staff delete a learner's topic in their course's forum; the server has it gone.
test_moderate() {
	e2e_start_server
	local course topic
	course="$(e2e_api learner GET '/courses?search=pointers' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	topic="$(e2e_api learner POST "/courses/$course/topics" \
		'{"title":"Spam from a learner","body":"Buy cheap pointers"}' |
		grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)"
	[ -n "$topic" ] || e2e_fail "the learner could not post"
	e2e_cli_login instructor
	e2e_tui_start 80 24
	e2e_wait "Teaching"
	e2e_select "C pointers without fear"
	e2e_keys f
	e2e_wait "Spam from a learner"
	e2e_wait "e edit  d delete"
	e2e_select "Spam from a learner"
	e2e_keys Enter
	e2e_wait "Buy cheap pointers"
	e2e_keys e
	e2e_wait "Only its author can edit a post"
	e2e_keys d
	e2e_wait "Delete this learner's topic and all its replies?"
	e2e_keys y
	e2e_wait "Forum: C pointers without fear"
	e2e_refute "Spam from a learner"
	e2e_wait "0 waiting" 20
	e2e_refute "sync issue"
	e2e_api learner GET "/courses/$course/topics" | grep -qF "Spam from a learner" &&
		e2e_fail "the deleted topic is still on the server"
	e2e_quit
}

case "${1:-}" in
home | details | teach_view | moderate)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-teach.sh home|details|teach_view|moderate" >&2
	exit 1
	;;
esac
