#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of the course editor, the quiz editor and publishing (issue 11, items
# 2-4), at 80x24 as the demo instructor, with lecternd stopped while the course is written:
# everything is queued on the replica, then the server is started, one sync sends it, and
# the API shows it all, in order. Usage: e2e-author.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

# From Home to the course editor of the instructor's C201 (catalog, details, E).
open_editor() {
	e2e_wait "My courses"
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys E
	e2e_wait "Edit: C pointers without fear"
	e2e_wait "Outline"
}

# Types into the focused form field after clearing it.
form_set() {
	e2e_keys C-u
	e2e_type "$1"
}

# Selects the outline or question row holding text (the row starts with ">").
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

# The course editor offline: a new course, modules, pages written in the built-in editor
# and in $EDITOR, a link, a refused due date, reordering (a page moved into another module
# with K included), a delete with its question, and publishing with its; then one sync
# and the server has all of it in order.
test_author_course() {
	e2e_start_server
	e2e_cli_login instructor
	e2e_stop_server
	e2e_tui_start 80 24
	open_editor
	e2e_keys N
	e2e_wait "New course"
	e2e_type "Sockets in C"
	e2e_keys Tab
	e2e_type "C305"
	e2e_keys Tab Tab
	e2e_type "sockets, tcp"
	e2e_keys Tab Space Tab
	form_set "75"
	e2e_keys Tab
	e2e_type "Write a small TCP server and its client."
	e2e_keys Enter
	e2e_wait "Edit: Sockets in C"
	e2e_wait "Status: draft"
	e2e_wait "Certification: yes   Pass score: 75%"
	e2e_wait "Keywords: sockets, tcp"
	e2e_wait "No modules yet"
	# Two modules; the first gets a page written in the built-in editor.
	e2e_keys a
	e2e_wait "New module title:"
	e2e_type "Advanced"
	e2e_keys Enter
	e2e_wait "0 items  queued"
	e2e_keys A
	e2e_wait "New module title:"
	e2e_type "Basics"
	e2e_keys Enter
	select_row "Basics"
	e2e_keys a
	e2e_wait "New item"
	e2e_type "Hello sockets"
	e2e_keys Tab Tab
	e2e_type "tomorrow"
	e2e_keys Tab
	e2e_type "5"
	e2e_keys Enter
	# A due date that is not one is refused in the form, in words, and nothing is lost.
	e2e_wait "Due date: write it as 2026-12-24"
	e2e_keys BTab
	form_set "2026-12-24"
	e2e_keys Enter
	e2e_wait "Item added"
	e2e_wait "due 2026-12-24 5pt"
	e2e_keys E
	e2e_wait "Ctrl-D"
	e2e_type "# Hello sockets"
	e2e_keys Enter Enter
	e2e_type "A socket is a **file descriptor** you read and write."
	e2e_keys C-d
	e2e_wait "Saved (queued)"
	# The preview is the reader's rendering, and records nothing.
	e2e_keys p
	e2e_wait "page  preview"
	e2e_wait "A socket is a file descriptor you read and write."
	e2e_refute "**file"
	e2e_keys q
	e2e_wait "Edit: Sockets in C"
	# A page in Advanced, moved into Basics below with K; then a link in the module that
	# will be deleted, so that the question names it.
	select_row "Advanced"
	e2e_keys a
	e2e_wait "New item"
	e2e_type "Servers"
	e2e_keys Enter
	e2e_wait "Item added"
	select_row "Advanced"
	e2e_keys a
	e2e_wait "New item"
	e2e_type "Beej's guide"
	e2e_keys Tab Right
	e2e_wait "URL"
	e2e_keys Enter
	e2e_wait "A link needs its URL"
	e2e_keys Tab Tab Tab Tab
	e2e_type "https://beej.us/guide/bgnet/"
	e2e_keys Enter
	e2e_wait "Item added"
	# Reorder: Basics above Advanced.
	select_row "Basics"
	e2e_keys K
	e2e_wait "Moved up"
	e2e_screen | grep -n -E 'Basics|Advanced' | head -2 | tail -1 | grep -qF Advanced ||
		e2e_fail "Basics is not above Advanced"
	# K on the first item of the second module moves it to the end of the first (its body
	# comes from $EDITOR below): Basics holds Hello sockets, Servers; Advanced the link.
	select_row "Servers"
	e2e_keys K
	e2e_wait "Moved to the previous module (queued)"
	e2e_screen | grep -n -E 'Servers|Advanced' | head -1 | grep -qF Servers ||
		e2e_fail "Servers did not move into Basics"
	e2e_screen | grep -n -E 'Hello sockets|Servers' | head -1 | grep -qF Hello ||
		e2e_fail "Servers is not at the end of Basics"
	# J on the last item of a module: the start of the next one (before the link); K back.
	e2e_keys J
	e2e_wait "Moved to the next module (queued)"
	e2e_screen | grep -n -E 'Servers|Advanced|Beej' | head -2 | tail -1 | grep -qF Servers ||
		e2e_fail "Servers is not the first item of Advanced"
	e2e_keys K
	e2e_wait "Moved to the previous module (queued)"
	e2e_screen | grep -n -E 'Servers|Advanced' | head -1 | grep -qF Servers ||
		e2e_fail "Servers did not come back into Basics"
	# Delete asks first and says what goes with the module.
	select_row "Advanced"
	e2e_keys d
	e2e_wait "Delete module 'Advanced' and its 1 item? (y/n)"
	e2e_keys n
	e2e_wait "Nothing deleted"
	e2e_keys d
	e2e_wait "Delete module 'Advanced' and its 1 item?"
	e2e_keys y
	e2e_wait "Deleted (queued)"
	e2e_wait_gone "Beej"
	# Publishing says who will see it.
	e2e_keys P
	e2e_wait "Course is draft:  p publish  a archive"
	e2e_keys p
	e2e_wait "Publish C305? Every learner will see it in the catalog and can enroll. (y/n)"
	e2e_keys y
	e2e_wait "Status: published"
	# Unpublishing and archiving say who loses access; both are declined here.
	e2e_keys P
	e2e_wait "Course is published:  u unpublish  a archive"
	e2e_keys u
	e2e_wait "Unpublish C305? It leaves the catalog; only its staff see it until you publish"
	e2e_keys n
	e2e_wait "Status not changed"
	e2e_keys P
	e2e_wait "Course is published:"
	e2e_keys a
	e2e_wait "Archive C305? It leaves the catalog and its 0 enrolled learners lose access"
	e2e_keys n
	e2e_wait "Status: published"
	e2e_quit

	# $EDITOR: a script that writes the body, run on the page's text.
	cat >"$E2E_DIR/editor.sh" <<'SH'
#!/bin/sh
printf '# Servers\n\nCall `listen()` after `bind()`.\n' >"$1"
SH
	chmod +x "$E2E_DIR/editor.sh"
	e2e_tui_start 80 24 EDITOR="$E2E_DIR/editor.sh"
	e2e_wait "My courses"
	e2e_open_course_details sockets "Sockets in C"
	e2e_keys E
	e2e_wait "Edit: Sockets in C"
	select_row "Servers"
	e2e_keys E
	e2e_wait "Saved (queued)"
	e2e_keys p
	# Inline code keeps its backquotes in the reader (issue 15, A14: visible without colour).
	e2e_wait 'Call `listen()` after `bind()`.'
	e2e_keys q
	e2e_quit

	# Online again: one sync sends it all, and the server has it in order.
	e2e_start_server
	"$LECTERN" sync >"$E2E_DIR/sync.out" 2>&1 || { cat "$E2E_DIR/sync.out" >&2; e2e_fail "sync failed"; }
	local course outline
	course="$(e2e_api instructor GET '/courses?search=Sockets' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	[ -n "$course" ] || e2e_fail "the new course is not on the server"
	e2e_api instructor GET "/courses/$course" | grep -qF '"status":"published"' ||
		e2e_fail "the course is not published on the server"
	e2e_api instructor GET "/courses/$course" | grep -qF '"pass_score":0.75' ||
		e2e_fail "the pass score is not on the server"
	outline="$(e2e_api instructor GET "/courses/$course/outline")"
	[ "$(echo "$outline" | grep -o '"title":"[^"]*"' | tr '\n' ' ')" = \
		'"title":"Sockets in C" "title":"Basics" "title":"Hello sockets" "title":"Servers" ' ] ||
		e2e_fail "the outline on the server is not the one written: $outline"
	[ "$(echo "$outline" | grep -o '"module_id":"[0-9a-f-]*"' | sort -u | wc -l)" = 1 ] ||
		e2e_fail "an item is not in Basics on the server: $outline"
	echo "$outline" | grep -qF 'A socket is a **file descriptor** you read and write.' ||
		e2e_fail "the built-in editor's body is not on the server"
	echo "$outline" | grep -qF 'Call `listen()` after `bind()`.' ||
		e2e_fail "the \$EDITOR body is not on the server"
	echo "$outline" | grep -qF '"due_at":"2026-12-24T23:59:00Z"' ||
		e2e_fail "the due date is not on the server"
	e2e_log "course, modules, pages and status are on the server"

	# A learner finds the published course in the catalog, and cannot open its editor.
	e2e_cli_login learner
	e2e_tui_start 80 24
	e2e_wait "My courses"
	e2e_open_course_details sockets "Sockets in C"
	e2e_wait "Write a small TCP server and its client."
	e2e_keys E
	e2e_wait "Only the course's staff can edit it"
	e2e_refute "Edit: Sockets in C"
	e2e_quit
}


# Adds a question in the quiz editor: prompt, kind (Right presses from single), then the
# fields after the kind as Tab-separated words typed in turn.
add_question() {
	local prompt="$1" rights="$2" k
	shift 2
	e2e_keys a
	e2e_wait "New question"
	e2e_type "$prompt"
	e2e_keys Tab
	for k in $(seq 1 "$rights"); do
		e2e_keys Right
	done
	for k in "$@"; do
		e2e_keys Tab
		if [ "$k" != "-" ]; then
			form_set "$k"
		fi
	done
	e2e_keys Enter
}

# The quiz editor offline in the instructor's C201: a quiz item, questions of the five
# kinds, one refused locally with its reason on the screen, the right choice changed with
# Space, explanations (one in the form, one in the built-in editor with x), a reorder and a
# delete; then one sync and the server has the questions in order.
test_author_quiz() {
	e2e_start_server
	e2e_cli_login instructor
	e2e_stop_server
	e2e_tui_start 80 24
	open_editor
	select_row "The heap"
	e2e_keys a
	e2e_wait "New item"
	e2e_type "Sockets quiz"
	e2e_keys Tab Right Right
	e2e_wait "Max attempts"
	e2e_keys Tab Tab Tab Tab
	e2e_type "3"
	e2e_keys Enter
	e2e_wait "Item added"
	e2e_wait "0q"
	e2e_keys Enter
	e2e_wait "Quiz editor: Sockets quiz"
	e2e_wait "No questions yet"
	# Two right answers for a single-choice question: refused before anything is queued.
	add_question "What does malloc return?" 0 "a pointer | an int | nothing" "1, 2"
	e2e_wait "A single-choice question needs exactly one right choice"
	e2e_keys C-u
	e2e_type "3"
	e2e_keys Enter
	e2e_wait "Question added"
	e2e_wait "1. [single] What does malloc return?"
	e2e_wait "[*] nothing"
	# The right choice is changed in the list with Space.
	select_row "a pointer"
	e2e_keys Space
	e2e_wait "[*] a pointer"
	e2e_wait "[ ] nothing"
	add_question "Which free memory?" 1 "free | realloc(p, 0) | strlen" "1,2"
	e2e_wait "2. [multiple] Which free memory?"
	# An explanation of two lines in the built-in editor (x); the list shows its first line.
	select_row "Which free memory?"
	e2e_keys x
	e2e_wait "Ctrl-D"
	e2e_type "free releases it"
	e2e_keys Enter
	e2e_type "realloc(p, 0) may too"
	e2e_keys C-d
	e2e_wait "Explanation saved"
	e2e_wait "why free releases it ..."
	# boolean: the answer is a true/false choice.
	add_question "NULL is 0 in a pointer context" 2 "-"
	e2e_wait "answer: true"
	add_question "Which header declares malloc?" 3 "stdlib.h"
	e2e_wait 'answer: "stdlib.h"'
	# The last field of the form: the explanation.
	add_question "sizeof(char)?" 4 "1" "0.5" "2" "char is one byte by definition"
	e2e_wait "answer: 1 +/- 0.5"
	e2e_wait "why char is one byte by definition"
	# Reorder: the numeric question up twice; delete the short one after asking.
	select_row "sizeof(char)?"
	e2e_keys K
	e2e_wait "Moved up"
	e2e_wait "4. [numeric] sizeof(char)?"
	e2e_keys K
	e2e_wait "3. [numeric] sizeof(char)?"
	select_row "Which header"
	e2e_keys d
	e2e_wait "Delete question 5. [short] Which header declares malloc?"
	e2e_keys y
	e2e_wait "Question deleted"
	e2e_wait_gone "Which header"
	e2e_keys q
	e2e_wait "4q"
	e2e_quit

	e2e_start_server
	"$LECTERN" sync >"$E2E_DIR/sync.out" 2>&1 || { cat "$E2E_DIR/sync.out" >&2; e2e_fail "sync failed"; }
	local course item questions
	course="$(e2e_api instructor GET '/courses?search=pointers' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	item="$(e2e_api instructor GET "/courses/$course/outline" |
		grep -o '{[^{}]*"title":"Sockets quiz"[^{}]*}' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	[ -n "$item" ] || e2e_fail "the quiz is not on the server"
	e2e_api instructor GET "/items/$item" | grep -qF '"max_attempts":3' ||
		e2e_fail "max_attempts is not on the server"
	questions="$(e2e_api instructor GET "/items/$item/questions")"
	[ "$(echo "$questions" | grep -o '"kind":"[a-z]*"' | tr '\n' ' ')" = \
		'"kind":"single" "kind":"multiple" "kind":"numeric" "kind":"boolean" ' ] ||
		e2e_fail "the questions on the server are not the ones written: $questions"
	echo "$questions" | grep -qF '"answer":0' || e2e_fail "the single answer is not choice 0"
	echo "$questions" | grep -qF '"answer":[0,1]' || e2e_fail "the multiple answer is wrong"
	echo "$questions" | grep -qF '"tolerance":0.5' || e2e_fail "the tolerance is wrong"
	echo "$questions" | grep -qF '"answer":true' || e2e_fail "the boolean answer is wrong"
	echo "$questions" | grep -qF '"explanation":"char is one byte by definition"' ||
		e2e_fail "the form's explanation is not on the server"
	echo "$questions" | grep -qF '"explanation":"free releases it\nrealloc(p, 0) may too"' ||
		e2e_fail "the editor's explanation is not on the server"
	echo "$questions" | grep -qF '"explanation":null' ||
		e2e_fail "a question without an explanation does not read null"

	# A prompt longer than a form field holds (511 characters: the form used to cut it on
	# any edit) and an explanation of two lines are not put in the form: an edit of the
	# points keeps both whole.
	local long
	long="$(printf 'y%.0s' $(seq 1 600))"
	printf '{"prompt":"Long prompt %s\\n\\nwith a second paragraph","kind":"boolean",
		"answer":false,"explanation":"Line one\\nline two"}' "$long" |
		"$LECTERN" question add "$item" >"$E2E_DIR/q.out" || e2e_fail "question add failed"
	e2e_tui_start 80 24
	open_editor
	select_row "Sockets quiz"
	e2e_keys Enter
	e2e_wait "why Line one ..."
	select_row "Long prompt"
	e2e_keys e
	e2e_wait "kept as it is (E writes it)"
	e2e_wait "kept as it is (x writes it)"
	e2e_keys Tab Tab Tab
	form_set "3"
	e2e_keys Enter
	e2e_wait "Question saved"
	e2e_wait "| 0 waiting"
	e2e_api instructor GET "/questions/$(cat "$E2E_DIR/q.out")" >"$E2E_DIR/q.json"
	grep -qF "\"prompt\":\"Long prompt $long\\n\\nwith a second paragraph\",\"kind\":\"boolean\",\"choices\":null,\"points\":3" "$E2E_DIR/q.json" ||
		e2e_fail "the long prompt or the points changed: $(cat "$E2E_DIR/q.json")"
	grep -qF '"explanation":"Line one\nline two"' "$E2E_DIR/q.json" ||
		e2e_fail "the long explanation changed"
	# The form's other choice for a long explanation removes it.
	e2e_keys e
	e2e_wait "kept as it is (x writes it)"
	e2e_keys Tab Tab Tab Tab Right
	e2e_wait "[removed]"
	e2e_keys Enter
	e2e_wait "Question saved"
	e2e_wait_gone "why Line one"
	e2e_quit
	"$LECTERN" sync >"$E2E_DIR/sync.out" 2>&1 || { cat "$E2E_DIR/sync.out" >&2; e2e_fail "sync failed"; }
	e2e_api instructor GET "/questions/$(cat "$E2E_DIR/q.out")" |
		grep -qF '"points":3,"tolerance":null,"position":5,"answer":false,"explanation":null' ||
		e2e_fail "the explanation was not removed"
	e2e_log "the quiz and its questions are on the server"
}

case "${1:-}" in
author_course | author_quiz)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-author.sh author_course|author_quiz" >&2
	exit 1
	;;
esac
