#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of drafts that are never lost and of Esc that never discards by surprise
# (issue 11, item 7; ux review 2026-11-29, A1 and A15), at 80x24 with the server stopped
# while the user writes. Usage: e2e-drafts.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

TOPIC_A="cd into a folder with a space"
TOPIC_B="What do the columns of ls -l mean?"

# The learner logged in and synced, then the server stopped and lectern started at 80x24
# with the extra env given.
offline_start() {
	e2e_start_server
	e2e_cli_login
	e2e_stop_server
	e2e_tui_start 80 24 "$@"
	e2e_wait "My courses"
}

# Opens the shell course's forum (from Home).
open_forum() {
	e2e_open_course_details shell "Unix shell basics"
	e2e_keys f
	e2e_wait "Forum: Unix shell basics"
}

# In the forum: opens topic $1 (its first line of text is $2) and presses r.
reply_on() {
	e2e_select "$1"
	e2e_keys Enter
	e2e_wait "$2"
	e2e_keys r
}

drafts() {
	sqlite3 "$LECTERN_DATA_DIR/replica.db" "SELECT key || ' ' || text FROM drafts"
}

topic_id() {
	sqlite3 "$LECTERN_DATA_DIR/replica.db" \
		"SELECT id FROM resources WHERE type = 'topic' AND json_extract(doc, '$.title') = '$1'"
}

# A reply's draft belongs to its topic (the editor used to key it by its title, "Reply", so a
# draft written on one topic was offered on every other): not offered on topic B, offered
# again on topic A after kill -9.
test_reply_draft_per_topic() {
	local a
	offline_start
	open_forum
	reply_on "$TOPIC_A" "Quote the name"
	e2e_wait "Ctrl-D: send"
	e2e_type "Quote it, or use Tab completion"
	sleep 1.5 # a pause keeps the draft
	kill -KILL "$(e2e_lectern_pid)"
	e2e_wait_dead
	a="$(topic_id "$TOPIC_A")"
	[ -n "$a" ] || e2e_fail "no topic '$TOPIC_A' in the replica"
	drafts | grep -qxF "reply:$a Quote it, or use Tab completion" ||
		e2e_fail "the draft is not kept under reply:$a: $(drafts)"
	e2e_tui_start 80 24
	e2e_wait "My courses"
	open_forum
	reply_on "$TOPIC_B" "Good question!"
	e2e_wait "Ctrl-D: send"
	e2e_refute "A draft from"
	e2e_refute "Tab completion"
	# Nothing written here: Esc closes at once, and topic A's draft stays.
	e2e_keys Escape
	e2e_wait "Good question!"
	e2e_refute "Discard what you wrote?"
	drafts | grep -qF "reply:$a " || e2e_fail "Esc on another topic removed topic A's draft"
	e2e_keys q
	e2e_wait "Forum: Unix shell basics"
	reply_on "$TOPIC_A" "Quote the name"
	e2e_wait "A draft from"
	e2e_wait "r restore, d discard"
	e2e_keys r
	e2e_wait "Quote it, or use Tab completion"
	e2e_type "."
	e2e_keys C-d
	e2e_wait "1 waiting"
	[ -z "$(drafts)" ] || e2e_fail "the draft stayed after the reply was queued: $(drafts)"
	e2e_quit
}

long_draft_kept() {
	[ "$(sqlite3 "$LECTERN_DATA_DIR/replica.db" \
		"SELECT length(text) FROM drafts WHERE key = 'reply:$1'")" = 20001 ]
}

# A write refused after the editor returned keeps the text as a draft (it used to go when
# the editor closed): here a reply longer than the 20000 characters a body may have.
test_refused_write_keeps_draft() {
	local a
	cat >"$E2E_DIR/long-editor" <<'EOF'
#!/bin/sh
head -c 20001 /dev/zero | tr '\0' 'x' >"$1"
EOF
	chmod +x "$E2E_DIR/long-editor"
	offline_start VISUAL="$E2E_DIR/long-editor"
	open_forum
	reply_on "$TOPIC_A" "Quote the name"
	a="$(topic_id "$TOPIC_A")"
	e2e_until "the refused reply's text is not kept: $(drafts | cut -c1-80)" 10 long_draft_kept "$a"
	e2e_wait "Kept as a draft"
	e2e_refute "1 waiting"
	# Offered again the next time.
	e2e_keys r
	e2e_wait "A draft from"
	e2e_keys Escape
	e2e_wait_gone "A draft from"
	e2e_quit
}

# Esc in a one-line prompt with typed text asks first; an empty prompt closes at once;
# Home and End move in it, and an unknown escape sequence neither closes it nor types.
test_prompt_esc_asks() {
	offline_start
	e2e_keys c
	e2e_wait "published course"
	e2e_keys /
	e2e_wait "Search:"
	e2e_type "q"
	e2e_keys Escape
	e2e_wait "Discard what you typed?"
	e2e_keys n
	e2e_wait_gone "Discard what you typed?"
	e2e_keys Home
	e2e_type "s"
	e2e_keys -l $'\e[99~'
	e2e_keys End
	e2e_type "l"
	e2e_wait "Search: sql"
	e2e_refute "[99~"
	e2e_keys Enter
	e2e_wait "1 course matching \"sql\""
	# Empty: Esc closes without asking.
	e2e_keys /
	e2e_wait "Search:"
	e2e_keys C-u
	e2e_keys Escape
	e2e_wait_gone "Search:"
	e2e_refute "Discard what you typed?"
	e2e_keys /
	e2e_type "pointers"
	e2e_keys Escape
	e2e_wait "Discard what you typed?"
	e2e_keys y
	e2e_wait_gone "Search:"
	e2e_wait "1 course matching \"sql\""
	e2e_quit
}

# An escape sequence the main loop does not know (here ESC [99~) is ignored: it used to read
# as Esc (back a screen) followed by the keys "[", "9", "9", "~".
test_unknown_sequence_main_loop() {
	offline_start
	e2e_keys c
	e2e_wait "published course"
	e2e_keys -l $'\e[99~'
	sleep 0.5
	e2e_keys -l $'\e[1;9Z'
	sleep 0.5
	e2e_wait "published course"
	e2e_refute "My courses"
	# Esc itself still goes back.
	e2e_keys Escape
	e2e_wait "My courses"
	e2e_quit
}

# A new topic keeps its title with its body: after Ctrl-C in the body's editor, n offers
# the title again (typed before) and then the body's draft.
test_new_topic_draft() {
	offline_start
	open_forum
	e2e_keys n
	e2e_wait "Topic title:"
	e2e_type "Written on the train"
	e2e_keys Enter
	e2e_wait "Ctrl-D: send"
	e2e_type "No signal here"
	sleep 1.5 # a pause keeps the draft
	e2e_keys C-c
	e2e_wait_dead
	drafts | grep -qF "Written on the train" || e2e_fail "the title was not kept: $(drafts)"
	e2e_tui_start 80 24
	e2e_wait "My courses"
	open_forum
	e2e_keys n
	e2e_wait "Topic title: Written on the train"
	e2e_keys Enter
	e2e_wait "A draft from"
	e2e_keys r
	e2e_wait "No signal here"
	e2e_type ", but the post is kept."
	e2e_keys C-d
	e2e_wait "[unsent] Written on the train"
	e2e_wait "1 waiting"
	[ -z "$(drafts)" ] || e2e_fail "drafts stayed after the topic was queued: $(drafts)"
	# A topic written to the end leaves no title behind for the next one.
	e2e_keys n
	e2e_wait "Topic title:"
	e2e_refute "Topic title: Written"
	e2e_keys Escape
	e2e_wait_gone "Topic title:"
	e2e_quit
}

# A form asks on Esc only when a value changed (moving the cursor is no change), and an
# unknown escape sequence does not close it.
test_form_esc() {
	e2e_start_server
	e2e_cli_login instructor
	e2e_stop_server
	e2e_tui_start 80 24
	e2e_wait "My courses"
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys E
	e2e_wait "Edit: C pointers without fear"
	e2e_keys N
	e2e_wait "New course"
	e2e_keys Left Home End
	e2e_keys -l $'\e[99~'
	sleep 0.3
	e2e_wait "New course"
	e2e_keys Escape
	e2e_wait_gone "New course"
	e2e_refute "Discard what you typed in this form?"
	e2e_wait "Edit: C pointers without fear"
	e2e_keys N
	e2e_wait "New course"
	e2e_type "Sockets"
	e2e_keys Escape
	e2e_wait "Discard what you typed in this form?"
	e2e_keys n
	e2e_wait_gone "Discard what you typed in this form?"
	e2e_wait "Sockets"
	e2e_keys Escape
	e2e_wait "Discard what you typed in this form?"
	e2e_keys y
	e2e_wait "Edit: C pointers without fear"
	e2e_quit
}

# The instructor logged in and synced, then the server stopped and lectern started at 80x24.
instructor_offline_start() {
	e2e_start_server
	e2e_cli_login instructor
	e2e_stop_server
	e2e_tui_start 80 24
	e2e_wait "My courses"
}

# The text of the form draft under key $1 ("" when none).
form_draft() {
	sqlite3 "$LECTERN_DATA_DIR/replica.db" "SELECT text FROM drafts WHERE key = '$1'"
}

form_draft_has() {
	form_draft "$1" | grep -qF -- "$2"
}

# The course editor of C201 ("The heap" selected), from Home.
open_heap_module() {
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys E
	e2e_wait "Edit: C pointers without fear"
	select_row "The heap"
}

# The new-course form keeps what was typed (text, a yes/no) through kill -9: N on Home
# offers it again, r restores it, and the course created from it leaves no draft behind.
test_form_draft_kill() {
	instructor_offline_start
	e2e_keys N
	e2e_wait "New course"
	e2e_type "Sockets in C"
	e2e_keys Tab
	e2e_type "C305"
	e2e_keys Tab Tab Tab Space
	e2e_wait "[yes]"
	# A pause keeps the draft.
	e2e_until "the new course's draft is not kept: $(drafts)" 10 \
		form_draft_has form:course:new '"choice":"yes"'
	form_draft_has form:course:new '"text":"Sockets in C"' ||
		e2e_fail "the title is not in the draft: $(drafts)"
	kill -KILL "$(e2e_lectern_pid)"
	e2e_wait_dead
	e2e_tui_start 80 24
	e2e_wait "My courses"
	e2e_keys N
	e2e_wait "A draft from"
	e2e_wait "r restore, d discard"
	e2e_refute "Sockets in C"
	e2e_keys r
	e2e_wait_gone "A draft from"
	e2e_wait "Sockets in C"
	e2e_wait "C305"
	e2e_wait "[yes]"
	e2e_keys Enter
	e2e_wait "Edit: Sockets in C"
	e2e_wait "Certification: yes"
	[ -z "$(drafts)" ] || e2e_fail "the draft stayed after the course was queued: $(drafts)"
	# The next new course starts empty, with nothing offered.
	e2e_keys N
	e2e_wait "New course"
	e2e_refute "A draft from"
	e2e_refute "Sockets in C"
	e2e_keys Escape
	e2e_wait_gone "New course"
	e2e_quit
}

form_item_draft() {
	sqlite3 "$LECTERN_DATA_DIR/replica.db" "SELECT key FROM drafts WHERE key LIKE 'form:item:new:%'"
}

# Ctrl-C in a new item's form right after typing keeps the values (under the module:
# offered on a new item there); d discards the draft, and the form opens empty.
test_form_draft_ctrl_c() {
	instructor_offline_start
	open_heap_module
	e2e_keys a
	e2e_wait "New item"
	e2e_type "Heap quiz"
	e2e_keys Tab Right Right
	e2e_wait "Max attempts"
	e2e_keys Tab
	e2e_type "2026-12-24"
	# Drawn, so read: a ^C before that would flush the typed keys from the terminal's queue.
	e2e_wait "2026-12-24"
	e2e_keys C-c
	e2e_wait_dead
	[ -n "$(form_item_draft)" ] || e2e_fail "Ctrl-C kept no draft: $(drafts)"
	form_draft_has "$(form_item_draft)" '"text":"2026-12-24"' ||
		e2e_fail "the due date typed last is not kept: $(drafts)"
	form_draft_has "$(form_item_draft)" '"choice":"quiz"' ||
		e2e_fail "the kind is not kept: $(drafts)"
	e2e_tui_start 80 24
	e2e_wait "My courses"
	open_heap_module
	e2e_keys a
	e2e_wait "New item"
	e2e_wait "A draft from"
	e2e_keys r
	e2e_wait "Heap quiz"
	e2e_wait "2026-12-24"
	e2e_wait "Max attempts"
	# Discarding asks, and takes the draft with it.
	e2e_keys Escape
	e2e_wait "Discard what you typed in this form?"
	e2e_keys y
	e2e_wait_gone "New item"
	[ -z "$(drafts)" ] || e2e_fail "the discarded form left its draft: $(drafts)"
	e2e_keys a
	e2e_wait "New item"
	e2e_refute "A draft from"
	e2e_refute "Heap quiz"
	e2e_keys Escape
	e2e_wait_gone "New item"
	e2e_quit
}

# A submit the form refuses keeps the draft (here a due date that is not one, killed at
# once with no pause); d at the offer discards it and the form opens as it was.
test_form_draft_refused() {
	instructor_offline_start
	open_heap_module
	e2e_keys a
	e2e_wait "New item"
	e2e_type "Malloc"
	e2e_keys Tab Tab
	e2e_type "tomorrow"
	e2e_keys Enter
	e2e_wait "Due date: write it as 2026-12-24"
	kill -KILL "$(e2e_lectern_pid)"
	e2e_wait_dead
	form_draft_has "$(form_item_draft)" '"text":"tomorrow"' ||
		e2e_fail "the refused form kept no draft: $(drafts)"
	e2e_tui_start 80 24
	e2e_wait "My courses"
	open_heap_module
	e2e_keys a
	e2e_wait "A draft from"
	e2e_keys d
	e2e_wait_gone "A draft from"
	e2e_wait "New item"
	e2e_refute "Malloc"
	[ -z "$(drafts)" ] || e2e_fail "d left the draft: $(drafts)"
	e2e_keys Escape
	e2e_wait_gone "New item"
	e2e_refute "Discard what you typed in this form?"
	e2e_quit
}

# Selects the row starting with ">" that holds $1 in a list (g, then j until it is there).
select_row() {
	local _
	e2e_keys g
	for _ in $(seq 1 40); do
		e2e_screen | grep -E '^>' | grep -qF -- "$1" && return 0
		e2e_keys j
		sleep 0.1
	done
	e2e_fail "could not select: $1"
}

# C201's quiz in the quiz editor, from Home, with its true/false question selected.
open_quiz_question() {
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys E
	e2e_wait "Edit: C pointers without fear"
	select_row "Quiz: pointers"
	e2e_keys Enter
	e2e_wait "Quiz editor: Quiz: pointers"
	select_row "Dereferencing a NULL pointer"
}

# The draft of an existing question's form (its key names the question's id) has $1.
question_draft_has() {
	drafts | grep -E '^form:question:[0-9a-f-]{36} ' | grep -qF -- "$1"
}

# An existing question's form keeps its draft under the question (a choice changed, a
# number retyped) through kill -9; r restores it, and saving it leaves no draft.
test_form_draft_question() {
	instructor_offline_start
	open_quiz_question
	e2e_keys e
	e2e_wait "Edit question"
	e2e_wait "[false]"
	e2e_keys Tab Tab Space
	e2e_wait "[true]"
	e2e_keys Tab C-u
	e2e_type "7"
	e2e_until "the question's draft is not kept: $(drafts)" 10 question_draft_has '"text":"7"'
	question_draft_has '"choice":"true"' || e2e_fail "the answer is not kept: $(drafts)"
	kill -KILL "$(e2e_lectern_pid)"
	e2e_wait_dead
	e2e_tui_start 80 24
	e2e_wait "My courses"
	open_quiz_question
	e2e_keys e
	e2e_wait "A draft from"
	e2e_wait "[false]"
	e2e_keys r
	e2e_wait "[true]"
	e2e_keys Enter
	e2e_wait "Question saved (queued)"
	[ -z "$(drafts)" ] || e2e_fail "the draft stayed after the question was queued: $(drafts)"
	e2e_quit
}

case "${1:-}" in
reply_draft_per_topic | refused_write_keeps_draft | prompt_esc_asks | unknown_sequence_main_loop | new_topic_draft | form_esc | form_draft_kill | form_draft_ctrl_c | form_draft_refused | form_draft_question)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v sqlite3 >/dev/null || { echo "sqlite3 is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-drafts.sh reply_draft_per_topic|refused_write_keeps_draft|prompt_esc_asks|unknown_sequence_main_loop|new_topic_draft|form_esc|form_draft_kill|form_draft_ctrl_c|form_draft_refused|form_draft_question" >&2
	exit 1
	;;
esac
