#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of the interactive lectern (issue 5). Usage: e2e.sh TEST
# with LECTERN and LECTERND set. Each test starts its own lecternd with the demo data and
# runs lectern in tmux, asserting on the text a person would see.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

test_login() {
	e2e_start_server
	e2e_tui_start 100 30
	e2e_wait "Sign in to your learning server"
	e2e_wait "$E2E_URL"
	e2e_type learner
	e2e_keys Enter
	e2e_type wrong-password
	e2e_keys Enter
	e2e_wait "Wrong username or password."
	e2e_type lectern-demo
	e2e_wait "************"
	e2e_refute "lectern-demo"
	e2e_keys Enter
	e2e_wait "My courses"
	e2e_wait "Unix shell basics" 20
	e2e_wait "online"
	e2e_quit
	# Logged in before on this replica: straight into the data, server or not.
	e2e_stop_server
	e2e_tui_start 100 30
	e2e_wait "Unix shell basics"
	e2e_refute "Sign in to your learning server"
	e2e_wait "offline" 20
	e2e_quit
}

test_catalog() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 100 30
	e2e_wait "My courses"
	e2e_keys c
	e2e_wait "published courses"
	e2e_wait "SQL for everyone"
	e2e_wait "Unix shell basics"
	e2e_keys /
	e2e_type pointers
	e2e_keys Enter
	e2e_wait "1 course matching \"pointers\""
	e2e_wait "C pointers without fear"
	e2e_refute "SQL for everyone"
	# The match is highlighted: an attribute change right before the matched word.
	e2e_screen -e | grep -F "C " | grep -qP '\x1b\[[0-9;]*m[Pp]ointers' ||
		e2e_fail "the match is not highlighted"
	e2e_keys Escape
	e2e_wait "published courses"
	e2e_keys /
	e2e_type "sql"
	e2e_keys Enter
	e2e_wait "SQL for everyone"
	e2e_keys Enter
	e2e_wait "Instructor:"
	e2e_wait "Rating:"
	e2e_wait "Query, filter, group and join"
	e2e_wait "not enrolled (press e to enroll)"
	e2e_quit
}

test_enroll() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 100 30
	e2e_wait "My courses"
	e2e_open_course_details sql "SQL for everyone"
	# Offline first: the enrollment is queued and the course is on Home at once.
	e2e_stop_server
	e2e_keys e
	e2e_wait "enrollment queued, not yet sent"
	e2e_wait "The modules arrive with the next sync."
	e2e_keys q q
	e2e_wait "My courses"
	e2e_screen | grep -F "SQL for everyone" | grep -qF "not yet sent" ||
		e2e_fail "the queued enrollment is not on Home"
	e2e_wait "1 waiting"
	e2e_start_server
	e2e_keys s
	e2e_wait "0 waiting" 20
	e2e_open_course_details sql "SQL for everyone"
	e2e_wait "enrolled (Enter opens the course)" 20
	# The modules arrive with the sync that the enrollment started.
	e2e_wait "Asking questions" 20
	e2e_keys Enter
	e2e_wait "Asking questions"
	e2e_wait "Complete:"
	e2e_keys q q q
	e2e_wait "My courses"
	e2e_wait "SQL for everyone"
	e2e_api learner GET "/enrollments" | grep -q "$(e2e_api learner GET '/courses?search=SQL' |
		grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)" ||
		e2e_fail "the enrollment is not on the server"
	e2e_quit
}

# From the pointers course's outline (Enter pressed), opens "Arrays and pointer arithmetic".
open_arrays_from_course() {
	e2e_wait "Addresses and arrays"
	e2e_select "Arrays and pointer arithmetic"
	e2e_keys Enter
	e2e_wait "In most expressions an array"
}

# Logs in, starts lectern at COLS ROWS and opens the page "Arrays and pointer arithmetic".
open_arrays_page() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start "$1" "$2"
	e2e_wait "My courses"
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys Enter
	open_arrays_from_course
}

# Pages down in the reader until the end of the page is on the screen. At least one Space:
# a page that fits the screen is read once the learner acts on it, not as it opens (issue
# 15; ux review 2026-11-29, A14).
page_to_end() {
	local i
	for i in $(seq 1 30); do
		e2e_keys Space
		sleep 0.15
		e2e_screen | grep -qF -- "-- end" && break
	done
	e2e_wait "-- end (100%)"
}

test_reader() {
	open_arrays_page 80 24
	page_to_end
	e2e_wait "done"
	e2e_keys p
	e2e_wait "What a pointer is"
	e2e_keys n
	e2e_wait "Arrays and pointer arithmetic"
	e2e_keys n
	e2e_wait "Quiz: pointers"
	e2e_keys q
	e2e_wait "Complete:"
	e2e_screen | grep -F "Arrays and pointer arithmetic" | grep -qF "[x]" ||
		e2e_fail "the page is not marked done"
	e2e_quit
}

test_quiz() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 100 30
	e2e_wait "My courses"
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys Enter
	e2e_wait "Addresses and arrays"
	e2e_select "Quiz: pointers"
	e2e_keys Enter
	e2e_wait "attempts remaining: 2 of 2"
	# Taken offline: the attempt waits to be graded until the server has it.
	e2e_stop_server
	e2e_keys t
	e2e_wait "Question 1 of 5  (choose one)"
	e2e_keys j Space n
	e2e_wait "Question 2 of 5  (choose all that apply)"
	e2e_keys Space j j Space n
	e2e_wait "Question 3 of 5  (true or false)"
	# True comes first (ux review A13): False is the second choice.
	e2e_keys j Space n
	e2e_wait "Question 4 of 5  (type a short answer)"
	e2e_type free
	e2e_keys Enter
	e2e_wait "Question 5 of 5  (type a number)"
	e2e_type 12
	e2e_keys Enter
	e2e_wait "Review your answers"
	e2e_wait "*(a + 2), 2[a]"
	e2e_wait "False"
	e2e_keys Enter
	e2e_wait "Submit this attempt?"
	e2e_keys y
	e2e_wait "attempts remaining: 1 of 2"
	e2e_wait "waiting to be graded (not yet sent)"
	e2e_start_server
	e2e_keys s
	e2e_wait "score 6 / 6  passed" 30
	e2e_refute "waiting to be graded"
	e2e_wait "[+]  5."
	e2e_quit
}

test_offline_forum() {
	e2e_start_server
	e2e_cli_login
	e2e_stop_server
	e2e_tui_start 100 30
	e2e_wait "My courses"
	e2e_wait "offline" 20
	e2e_open_course_details shell "Unix shell basics"
	e2e_keys f
	e2e_wait "What do the columns of ls -l mean?"
	e2e_keys n
	e2e_wait "Topic title:"
	e2e_type "Written on the train"
	e2e_keys Enter
	e2e_wait "Ctrl-D: send"
	e2e_type "No signal here, but the **post** is kept."
	e2e_keys C-d
	e2e_wait "[unsent] Written on the train"
	e2e_wait "1 waiting"
	e2e_select "Written on the train"
	e2e_keys Enter
	e2e_wait "No signal here, but the post is kept."
	e2e_keys r
	e2e_wait "Ctrl-D: send"
	e2e_type "And a reply, also offline. 学习愉快"
	e2e_keys C-d
	e2e_wait "And a reply, also offline. 学习愉快"
	e2e_wait "2 waiting"
	[ "$(e2e_screen | grep -cF '[unsent]')" -eq 2 ] || e2e_fail "both posts must be unsent"
	e2e_start_server
	e2e_keys s
	e2e_wait "0 waiting" 30
	e2e_wait_gone "[unsent]" 10
	local course topics topic
	course="$(e2e_api learner GET '/courses?search=shell' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	topics="$(e2e_api learner GET "/courses/$course/topics")"
	echo "$topics" | grep -qF "Written on the train" || e2e_fail "the topic is not on the server"
	topic="$(echo "$topics" | grep -o '{[^{}]*Written on the train[^{}]*}' |
		grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)"
	e2e_api learner GET "/topics/$topic" | grep -qF "And a reply, also offline. 学习愉快" ||
		e2e_fail "the reply is not on the server"
	# Edit the reply (the selected post, our own), then delete the topic.
	e2e_keys e
	e2e_wait "Ctrl-D: send"
	e2e_type " Edited."
	e2e_keys C-d
	e2e_wait "also offline. 学习愉快 Edited."
	e2e_wait "0 waiting" 20
	e2e_api learner GET "/topics/$topic" | grep -qF "Edited." || e2e_fail "the edit is not on the server"
	e2e_keys '['
	e2e_keys d
	e2e_wait "Delete this topic and all its replies?"
	e2e_keys y
	e2e_wait "What do the columns of ls -l mean?"
	e2e_refute "Written on the train"
	e2e_wait "0 waiting" 20
	e2e_api learner GET "/courses/$course/topics" | grep -qF "Written on the train" &&
		e2e_fail "the deleted topic is still on the server"
	e2e_quit
}

test_rejected() {
	local old_port course topic
	e2e_start_server
	e2e_cli_login
	course="$(e2e_api learner GET '/courses?search=shell' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	topic="$(e2e_api learner GET "/courses/$course/topics" |
		grep -o '"id":"[0-9a-f-]*","rev":[0-9]*,"created_at":"[^"]*","updated_at":"[^"]*","course_id":"[0-9a-f-]*","title":"cd into a folder with a space"' |
		head -1 | cut -d'"' -f4)"
	[ -n "$topic" ] || e2e_fail "no topic id for 'cd into a folder with a space'"
	printf '#!/bin/sh\nprintf "A reply to a topic that is about to go.\\n" > "$1"\n' \
		>"$E2E_DIR/reply-editor"
	chmod +x "$E2E_DIR/reply-editor"
	e2e_tui_start 100 30 EDITOR="$E2E_DIR/reply-editor"
	e2e_wait "My courses"
	e2e_open_course_details shell "Unix shell basics"
	e2e_keys f
	e2e_wait "cd into a folder with a space"
	e2e_select "cd into a folder with a space"
	e2e_keys Enter
	e2e_wait "too many arguments"
	# Offline, the learner replies; meanwhile an admin deletes the topic on the server (a
	# second lecternd on another port, so this lectern cannot see it before its next sync).
	old_port="$E2E_PORT"
	e2e_stop_server
	e2e_keys r
	e2e_wait "1 waiting"
	E2E_PORT=0
	e2e_start_server
	e2e_api admin DELETE "/topics/$topic" >/dev/null
	e2e_stop_server
	E2E_PORT="$old_port"
	e2e_start_server
	e2e_keys s
	e2e_wait "1 sync issue (i)" 30
	e2e_keys i
	# In words, not HTTP (ux review 2026-11-29, A3); the topic is gone from the replica too.
	e2e_wait "Reply"
	e2e_wait "refused by the server: That topic does not exist"
	e2e_refute "/api/v1"
	e2e_keys Enter
	e2e_wait "Your change:"
	e2e_wait "+A reply to a topic that is about to go."
	e2e_keys c
	e2e_wait "Copied to"
	ls "$LECTERN_DATA_DIR"/lectern-issue-*.txt >/dev/null 2>&1 || e2e_fail "no copy was written"
	grep -q '^A reply to a topic that is about to go' "$LECTERN_DATA_DIR"/lectern-issue-*.txt ||
		e2e_fail "the copy lacks the content"
	e2e_keys d
	e2e_wait "Discard this issue"
	e2e_keys y
	e2e_wait "No sync issues"
	e2e_quit
}

test_resize() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 120 40
	e2e_wait "Unix shell basics"
	tmux -L "$E2E_SOCK" resize-window -t "$E2E_SESSION" -x 80 -y 24
	e2e_until "no status line on row 24 of a 24-row pane" 10 status_on_row 24
	e2e_screen | sed -n 1p | grep -qF "Lectern - learner" || e2e_fail "no title on row 1"
	e2e_wait "Unix shell basics"
	tmux -L "$E2E_SOCK" resize-window -t "$E2E_SESSION" -x 200 -y 60
	e2e_until "no status line on row 60" 10 status_on_row 60
	e2e_until "the status line does not span 200 columns" 10 status_spans 60 190
	e2e_keys '?'
	e2e_wait "Keys on this screen"
	e2e_wait "Keys on every screen"
	e2e_quit
}

# The status line ("? help") is on the last of `rows` rows.
status_on_row() {
	[ "$(e2e_screen | wc -l)" -eq "$1" ] && e2e_screen | sed -n "$1p" | grep -qF "? help"
}

# Row $1 is at least $2 characters long.
status_spans() {
	[ "$(e2e_screen | sed -n "$1p" | awk '{ print length($0) }')" -ge "$2" ]
}

# The reader survives narrowing and widening the window: it rendered the text again for
# the new width but drew the old line count, reading past the new lines (segfault, issue 9).
test_reader_resize() {
	open_arrays_page 120 40
	tmux -L "$E2E_SOCK" resize-window -t "$E2E_SESSION" -x 60 -y 20
	e2e_until "no status line on row 20 after narrowing" 10 status_on_row 20
	e2e_wait "In most expressions"
	tmux -L "$E2E_SOCK" resize-window -t "$E2E_SESSION" -x 120 -y 40
	e2e_until "no status line on row 40 after widening" 10 status_on_row 40
	# Still drawn after widening, and the lines are whole again at the wider measure.
	e2e_wait "In most expressions an array's name decays to a pointer to its first element."
	e2e_wait "Arrays and pointer arithmetic"
	e2e_keys G
	e2e_wait "-- end (100%)"
	e2e_quit
}

test_no_color() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 100 30
	e2e_wait "Unix shell basics"
	# With colour the title bar is blue: the check below can tell the two apart.
	e2e_screen -e | grep -qP '\x1b\[[0-9;]*(3[0-7]|4[0-7])[;m]' ||
		e2e_fail "no colour when colour is allowed"
	e2e_quit
	e2e_tui_start 100 30 NO_COLOR=1
	e2e_wait "Unix shell basics"
	if e2e_screen -e | grep -qP '\x1b\[[0-9;]*(3[0-7]|4[0-7]|38;|48;)[0-9;]*m'; then
		e2e_fail "colours used although NO_COLOR=1"
	fi
	# Still readable: the title bar and the selection are in reverse video.
	e2e_screen -e | grep -qP '\x1b\[[0-9;]*7[;m]' || e2e_fail "no reverse video without colour"
	e2e_quit
}

test_conflict() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 100 30
	e2e_wait "My courses"
	e2e_open_course_details shell "Unix shell basics"
	e2e_keys f
	# Keys sent before the forum is drawn would move the course screen's selection.
	e2e_wait "Forum: Unix shell basics"
	e2e_select "cd into a folder with a space"
	e2e_keys Enter
	e2e_wait "Quote the name"
	# Meanwhile the same reply is rewritten on the server (this replica has not synced).
	local course topic reply
	course="$(e2e_api learner GET '/courses?search=shell' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	topic="$(e2e_api learner GET "/courses/$course/topics" |
		grep -o '{[^{}]*cd into a folder with a space[^{}]*}' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	reply="$(e2e_api learner GET "/topics/$topic" | grep -o '{[^{}]*Quote the name[^{}]*}' |
		grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)"
	[ -n "$reply" ] || e2e_fail "cannot find the learner's reply on the server"
	e2e_api learner PATCH "/replies/$reply" '{"body":"Rewritten on the server: THEIRS"}' |
		grep -qF THEIRS || e2e_fail "the server-side edit failed"
	e2e_keys Tab
	e2e_keys e
	e2e_wait "Ctrl-D: send"
	e2e_type " MINE"
	e2e_keys C-d
	e2e_wait "1 sync issue (i)" 30
	e2e_keys i
	e2e_wait "Reply in 'cd into a folder with a space'"
	e2e_wait "changed on the server since you edited it"
	e2e_refute "/api/v1"
	e2e_keys Enter
	e2e_wait "Your change:"
	e2e_wait "MINE"
	e2e_wait "The server's change:"
	e2e_wait "+Rewritten on the server: THEIRS"
	e2e_quit
}

# Starts lectern under a shell that records the terminal modes once lectern is gone. The
# record is written whole to a temporary file and renamed into place, so that
# assert_restored never reads half of it (code review 2026-11-29, F9).
# The Home row of a course, as on the screen now.
home_row() {
	e2e_screen | grep -F -- "$1" | head -1
}

# Waits until the Home row of course $1 holds (or, with $3 = gone, no longer holds) $2.
wait_home_row() {
	local i
	for i in $(seq 1 50); do
		if home_row "$1" | grep -qF -- "$2"; then
			[ "${3:-}" != gone ] && return 0
		elif [ "${3:-}" = gone ]; then
			return 0
		fi
		sleep 0.1
	done
	e2e_fail "the Home row of $1 is: $(home_row "$1") (waited for ${3:-} $2)"
}

# Going back re-reads a screen only when the replica changed meanwhile (issue 10: no screen
# below the top one reads on every change any more): reading a topic takes its course's
# unread count off Home, and finishing a page raises the course's percent there.
test_back_rereads() {
	local course="C pointers without fear" before after
	e2e_start_server
	e2e_cli_login
	e2e_stop_server
	e2e_tui_start 100 30
	e2e_wait "My courses"
	wait_home_row "$course" "1 unread"
	before="$(home_row "$course" | grep -o '[0-9]*%' | head -1)"
	e2e_select "$course"
	e2e_keys f
	e2e_wait "Why is q not a pointer?"
	e2e_select "Why is q not a pointer?"
	e2e_keys Enter
	e2e_wait "the compiler complains"
	e2e_keys q
	e2e_wait "latest activity first"
	e2e_keys q
	e2e_wait "My courses"
	# At once: a later sync attempt (the server is down) would make Home read again anyway.
	home_row "$course" | grep -qF "unread" &&
		e2e_fail "Home still counts the topic just read: $(home_row "$course")"
	e2e_select "$course"
	e2e_keys Enter
	open_arrays_from_course
	page_to_end
	e2e_wait "done"
	e2e_keys q
	e2e_wait "Complete:"
	e2e_keys q
	e2e_wait "My courses"
	local i
	for i in $(seq 1 50); do
		after="$(home_row "$course" | grep -o '[0-9]*%' | head -1)"
		[ "${after%\%}" -gt "${before%\%}" ] && break
		sleep 0.1
	done
	[ "${after%\%}" -gt "${before%\%}" ] ||
		e2e_fail "Home still shows $after for $course (before: $before)"
	e2e_quit
}

start_recording() {
	e2e_tmux_fresh
	tmux -L "$E2E_SOCK" -f /dev/null new-session -d -s "$E2E_SESSION" -x 100 -y 30 \
		sh -c 'trap "" INT; "$0" 2>>"$1"; st=$?; { echo "exit $st"; stty -a; } >"$1.part"; mv "$1.part" "$1.after"; sleep 60' \
		"$LECTERN" "$E2E_DIR/lectern.err" || e2e_fail "tmux did not start"
}

# The terminal is back in cooked mode, echoing, out of the alternate screen.
assert_restored() {
	local i
	for i in $(seq 1 100); do
		[ -s "$E2E_DIR/lectern.err.after" ] && break
		sleep 0.1
	done
	[ -s "$E2E_DIR/lectern.err.after" ] || e2e_fail "lectern did not stop"
	grep -qE '(^| )icanon( |$)' "$E2E_DIR/lectern.err.after" ||
		e2e_fail "terminal left in raw mode: $(cat "$E2E_DIR/lectern.err.after")"
	grep -qE '(^| )echo( |$)' "$E2E_DIR/lectern.err.after" || e2e_fail "terminal left without echo"
	[ "$(tmux -L "$E2E_SOCK" display-message -p -t "$E2E_SESSION" '#{alternate_on}')" = 0 ] ||
		e2e_fail "still on the alternate screen"
	rm -f "$E2E_DIR/lectern.err.after"
}

test_signals() {
	e2e_start_server
	e2e_cli_login
	start_recording
	e2e_wait "Unix shell basics"
	e2e_keys C-c
	assert_restored
	start_recording
	e2e_wait "Unix shell basics"
	local sh_pid pid="" p
	sh_pid="$(tmux -L "$E2E_SOCK" display-message -p -t "$E2E_SESSION" '#{pane_pid}')"
	# The shell's child, found through /proc (pgrep is not always installed).
	for p in /proc/[0-9]*; do
		if [ "$(cut -d' ' -f4 "$p/stat" 2>/dev/null)" = "$sh_pid" ]; then
			pid="${p#/proc/}"
			break
		fi
	done
	[ -n "$pid" ] || e2e_fail "cannot find lectern's process"
	# A crash: the handler restores the terminal, then dies by the same signal.
	kill -SEGV "$pid"
	assert_restored
}

case "${1:-}" in
login | catalog | enroll | reader | reader_resize | quiz | offline_forum | rejected | conflict | resize | no_color | signals | back_rereads)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e.sh login|catalog|enroll|reader|reader_resize|quiz|offline_forum|rejected|conflict|resize|no_color|signals|back_rereads" >&2
	exit 1
	;;
esac
