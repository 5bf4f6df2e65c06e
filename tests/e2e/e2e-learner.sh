#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of the learner's catalog, forum and Home (issue 15; UX review 2026-11-29,
# A11, A15, A18) at 80x24 and, where the layout is the point, 200x50. Usage:
# e2e-learner.sh TEST with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

# The id of the demo course whose search finds $1 (as the learner).
course_id() {
	e2e_api learner GET "/courses?search=$1" | grep -o '"id":"[0-9a-f-]*"' | head -1 |
		cut -d'"' -f4
}

# A11: a second / starts a new query ("pointers" then "sql" searched "pointerssql"), and the
# hits keep the code and the instructor, and [enrolled].
test_catalog_second_search() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24
	e2e_wait "My courses"
	e2e_keys c
	e2e_wait "published course"
	e2e_keys /
	e2e_type pointers
	e2e_keys Enter
	e2e_wait "1 course matching \"pointers\""
	e2e_wait "C201"
	e2e_screen | grep -F "C pointers without fear" | grep -qF "[enrolled]" ||
		e2e_fail "the hit of an enrolled course lost [enrolled]"
	e2e_keys /
	e2e_wait "Search:"
	e2e_refute "Search: pointers"
	e2e_type sql
	e2e_keys Enter
	e2e_wait "1 course matching \"sql\""
	e2e_refute "pointerssql"
	e2e_wait "SQL for everyone"
	e2e_screen | grep -F "SQL for everyone" | grep -qF "Instructor" ||
		e2e_screen | grep -A1 -F "SQL for everyone" | grep -q "SQL" ||
		e2e_fail "the hit lost its code and instructor"
	e2e_quit
}

# True when Home's row of course $1 shows $2.
row_has() {
	e2e_screen | grep -F "$1" | head -1 | grep -qF "$2"
}

# A15: the forum list marks the unread topic Home counts; an own reply (unsent, then
# synced) never makes a topic unread; an unsent own post is signed with the display name;
# a post edited on the server says "(edited)".
test_forum_unread() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24 TZ=UTC
	e2e_wait "My courses"
	e2e_until "Home does not count the topic with the instructor's answer" 10 \
		row_has "C pointers without fear" "1 unread"
	e2e_select "C pointers without fear"
	e2e_keys f
	e2e_wait "Forum: C pointers without fear"
	e2e_wait "1 unread (N)"
	e2e_screen | grep -F "Why is q not a pointer?" | grep -qE '^ ?>? +N ' ||
		e2e_fail "the unread topic is not marked N"
	e2e_select "Why is q not a pointer?"
	e2e_keys Enter
	e2e_wait "the compiler complains"
	e2e_keys r
	e2e_wait "Ctrl-D: send"
	e2e_type "Thanks, one declaration per line it is."
	e2e_keys C-d
	e2e_wait "[unsent]"
	e2e_screen | grep -F "[unsent]" | grep -qF "Lena Park" ||
		e2e_fail "the unsent reply is not signed with the display name"
	e2e_refute "learner  "
	e2e_keys s
	e2e_wait "0 waiting" 30
	e2e_wait_gone "[unsent]" 10
	e2e_keys q
	e2e_wait "latest activity first"
	e2e_refute "unread (N)"
	e2e_keys q
	e2e_wait "My courses"
	row_has "C pointers without fear" "unread" &&
		e2e_fail "Home counts a topic whose only new post is the user's own"
	# Edited on the server: "(edited)" after the next sync.
	local course topic reply
	course="$(course_id shell)"
	topic="$(e2e_api learner GET "/courses/$course/topics" |
		grep -o '{[^{}]*cd into a folder with a space[^{}]*}' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	reply="$(e2e_api learner GET "/topics/$topic" | grep -o '{[^{}]*Quote the name[^{}]*}' |
		grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)"
	[ -n "$reply" ] || e2e_fail "cannot find the learner's reply on the server"
	sleep 1.1 # updated_at has seconds: past created_at
	e2e_api learner PATCH "/replies/$reply" '{"body":"Quote the name, as in cd \"My Documents\"."}' |
		grep -qF "as in cd" || e2e_fail "the server-side edit failed"
	e2e_keys s
	e2e_wait "0 waiting" 30
	e2e_select "Unix shell basics"
	e2e_keys f
	e2e_wait "Forum: Unix shell basics"
	e2e_select "cd into a folder with a space"
	e2e_keys Enter
	e2e_wait "as in cd"
	e2e_wait "(edited)"
	[ "$(e2e_screen | grep -cF '(edited)')" -eq 1 ] || e2e_fail "only the edited reply says so"
	e2e_quit
}

# A18: "Due soon" names the course and says "in 2 days"; the course outline shows the due
# date; at 200 columns the bar stays near the titles and the highlight is one piece.
due_setup() {
	local course item due
	course="$(course_id pointers)"
	# The assignment: the seed completes the course's first page for the learner.
	item="$(e2e_api instructor GET "/courses/$course/outline" |
		grep -o '{[^{}]*Exercise: a growable array[^{}]*}' | grep -o '"id":"[0-9a-f-]*"' |
		head -1 | cut -d'"' -f4)"
	[ -n "$item" ] || e2e_fail "no item in the outline"
	due="$(date -u -d '+2 days' +%Y-%m-%dT12:00:00Z)"
	e2e_api instructor PATCH "/items/$item" "{\"due_at\":\"$due\"}" | grep -qF "$due" ||
		e2e_fail "setting the due date failed"
	DUE_DATE="${due%%T*}"
}

test_home_due_80() {
	e2e_start_server
	due_setup
	e2e_cli_login
	e2e_tui_start 80 24 TZ=UTC
	e2e_wait "Due soon"
	e2e_wait "in 2 days"
	e2e_screen | grep -F "in 2 days" | grep -qF "C pointers without fear -" ||
		e2e_fail "the due row does not name the course"
	e2e_select "C pointers without fear"
	e2e_keys Enter
	e2e_wait "Complete:"
	e2e_wait "due $DUE_DATE, in 2 days"
	e2e_quit
}

test_home_wide_200() {
	e2e_start_server
	due_setup
	e2e_cli_login
	e2e_tui_start 200 50 TZ=UTC
	e2e_wait "My courses"
	e2e_wait "in 2 days"
	local row col
	row="$(e2e_screen | grep -F "Unix shell basics" | head -1)"
	col="$(printf '%s\n' "$row" | awk '{ print index($0, "[") }')"
	[ "$col" -gt 0 ] && [ "$col" -lt 100 ] ||
		e2e_fail "the progress bar is at column $col of 200: $row"
	# One piece: the selected row is reverse video from the ">" through the counts, with no
	# reset in between (the bar used to be drawn in A_NORMAL).
	e2e_select "Unix shell basics"
	e2e_screen -e | grep -F "Unix shell basics" | head -1 >"$E2E_DIR/sel.txt"
	python3 - "$E2E_DIR/sel.txt" <<'PY' || e2e_fail "the highlight breaks inside the row: $(cat -v "$E2E_DIR/sel.txt")"
import re, sys
row = open(sys.argv[1], encoding="utf-8").read().rstrip("\n")
rev, seen, text = False, False, ""
for part in re.split(r"(\x1b\[[0-9;]*m)", row):
    if part.startswith("\x1b["):
        for p in (part[2:-1] or "0").split(";"):
            rev = False if p in ("0", "", "27") else (True if p == "7" else rev)
        continue
    text += part
    if ">" in text:
        seen = True
    # From ">" to the percent label, every character is in reverse video.
    if seen and part and not rev and "%" not in text[:-len(part)]:
        sys.exit(1)
sys.exit(0 if seen else 1)
PY
	e2e_quit
}

# A12: the details of a course not joined show its outline, titles only, fetched from the
# server (lecternd's GET /courses/{id}/titles), and nothing of the lessons.
test_details_outline() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24
	e2e_wait "My courses"
	e2e_open_course_details sql "SQL for everyone"
	e2e_wait "not enrolled (press e to enroll)"
	e2e_refute "Enroll to see the modules"
	for _ in 1 2 3 4 5 6; do e2e_keys Space; done
	e2e_wait "Asking questions"
	e2e_wait "Tables and SELECT"
	e2e_wait "Several tables"
	e2e_wait "Titles only: enroll to read the lessons."
	e2e_refute "relational database"
	e2e_quit
}

# True when the screen holds the 14 whole words test_reply_quote_wrap types.
all_words_shown() {
	[ "$(e2e_screen | grep -o 'abcdefghij' | wc -l)" -ge 14 ]
}

# A15: the built-in editor shows the post being answered above the reply, and wraps
# between words, never inside one.
test_reply_quote_wrap() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24
	e2e_wait "My courses"
	e2e_open_reply_editor
	e2e_wait "In reply to"
	e2e_screen | grep -F "In reply to" | grep -qF "Bjorn Eriksen" ||
		e2e_fail "the editor does not name the post being answered"
	e2e_wait "says too many arguments"
	local words="" i
	for i in $(seq 1 14); do words="${words}abcdefghij "; done
	e2e_type "$words"
	# All typed (tmux delivers the keys one by one): the 14 words are on the screen.
	e2e_until "the words typed never all showed" 10 all_words_shown
	local lines
	lines="$(e2e_screen | grep -F abcdefghij | grep -cvE '^ *(abcdefghij ?)+ *$')"
	[ "$lines" -eq 0 ] || e2e_fail "a word is cut at the end of a line"
	[ "$(e2e_screen | grep -cF abcdefghij)" -ge 2 ] || e2e_fail "the text did not wrap"
	e2e_keys C-d
	e2e_wait "Reply saved"
	e2e_refute "In reply to"
	# The topic view wraps the sent reply between words too.
	e2e_wait "abcdefghij abcdefghij"
	lines="$(e2e_screen | grep -F abcdefghij | grep -cvE '^ *(abcdefghij ?)+ *$')"
	[ "$lines" -eq 0 ] || e2e_fail "the topic view cuts a word at the end of a line"
	e2e_quit
}

TESTS="catalog_second_search forum_unread home_due_80 home_wide_200 details_outline reply_quote_wrap"
case " $TESTS " in
*" ${1:-none} "*)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v curl >/dev/null || { echo "curl is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-learner.sh $(echo $TESTS | tr ' ' '|')" >&2
	exit 1
	;;
esac
