#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of the reader (issue 15; ux review 2026-11-29, A14, capture A100) at
# 80x24: a GFM table as aligned columns, inline code and cut code lines visible without
# colour, search with / n N that never runs what is typed, a 200,000-character lesson,
# links listed, opened with $BROWSER and copied, no opener at all in kiosk mode, and a
# short page marked complete only once the learner acts on it. Usage: e2e-reader.sh TEST
# with LECTERN and LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

# The id of the pointers course's item titled $1 (its staff's view of the API).
item_id() {
	local course module
	course="$(e2e_api instructor GET '/courses?search=pointers' |
		grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)"
	for module in $(e2e_api instructor GET "/courses/$course/modules" |
		grep -o '{"id":"[0-9a-f-]*"' | cut -d'"' -f4); do
		e2e_api instructor GET "/modules/$module/items" | tr '{' '\n' |
			grep -F "\"title\":\"$1\"" | grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4
	done | head -1
}

# Replaces the body of the item titled $1 with the contents of file $2, through the API.
set_body() {
	local id json="$E2E_DIR/body.json"
	id="$(item_id "$1")"
	[ -n "$id" ] || e2e_fail "no item titled $1"
	# The file is plain text without quotes or backslashes; newlines become \n.
	{ printf '{"body":"'; sed 's/$/\\n/' "$2" | tr -d '\n'; printf '"}'; } >"$json"
	e2e_api instructor PATCH "/items/$id" "@$json" | grep -qF "\"id\":\"$id\"" ||
		e2e_fail "the body of $1 was not accepted"
}

# "Arrays and pointer arithmetic" (not yet read by the demo learner): a short page with a table, inline code, a long code line, links.
table_page() {
	cat >"$E2E_DIR/table.md" <<'MD'
# Arrays, in a table

Write `p` for the address, see [the docs](https://example.org/docs).

| expression | type | meaning |
|---|---|---|
| p | int * | the address |
| *p | int | the object |

```
printf(buffer_with_a_long_name, first_argument, second_argument, third_argument_here);
```

Mail [the teacher](mailto:teacher@example.org) or read [local](file:///etc/passwd).
MD
	set_body "Arrays and pointer arithmetic" "$E2E_DIR/table.md"
}

# "Dynamic memory": 200,000 characters and more, "needle" three times.
long_page() {
	local f="$E2E_DIR/long.md" i
	{
		printf '# A long tutorial\n\nThe first needle is here.\n\n'
		for i in $(seq 1 1700); do
			printf 'Paragraph %d of a long tutorial with enough words to fill a line or two of text on the screen, again and again and again.\n\n' "$i"
			[ "$i" = 850 ] && printf 'The middle needle is here.\n\n'
		done
		printf 'The last needle is here. THE END\n'
	} >"$f"
	[ "$(wc -c <"$f")" -gt 200000 ] || e2e_fail "the long page is too short: $(wc -c <"$f")"
	set_body "Dynamic memory" "$f"
}

# Logs in, starts lectern at 80x24 (extra words: env settings) and opens item $1.
open_item() {
	local title="$1"
	shift
	e2e_cli_login
	e2e_tui_start 80 24 "$@"
	e2e_wait "My courses"
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys Enter
	e2e_wait "Addresses and arrays"
	e2e_select "$title"
	e2e_keys Enter
}

# A100: the table as columns, inline code in backquotes and a continuation mark under
# NO_COLOR; a page that fits is not complete when it opens, only after a key of the reader.
test_reader_table() {
	e2e_start_server
	table_page
	open_item "Arrays and pointer arithmetic" NO_COLOR=1
	e2e_wait "expression │ type  │ meaning"
	e2e_wait "───────────┼───────┼────────────"
	e2e_wait "p          │ int * │ the address"
	e2e_wait 'Write `p` for the address'
	e2e_screen | grep -qF '↩' || e2e_fail "no continuation mark on the cut code line"
	e2e_screen | grep -qF 'gument_here);' || e2e_fail "the code line's end is lost"
	e2e_wait "-- end"
	e2e_screen | head -1 | grep -qF "done" && e2e_fail "a short page was complete on opening"
	e2e_keys j
	e2e_wait "Marked complete"
	e2e_screen | head -1 | grep -qF "done" || e2e_fail "the page is not marked done"
	e2e_quit
}

# A14: / searches (typing "pointer" runs no command), n N go between matches, the current
# one in reverse video under NO_COLOR; a 200,000-character body arrives and reads to its end.
test_reader_search_long() {
	e2e_start_server
	long_page
	open_item "Dynamic memory" NO_COLOR=1
	e2e_wait "A long tutorial"
	e2e_keys /
	e2e_wait "Search:"
	e2e_type "needle"
	e2e_keys Enter
	e2e_wait "Match 1 of 3"
	e2e_wait "The first needle is here."
	e2e_screen -e | grep -F "first" | grep -qP '\x1b\[[0-9;]*7m' ||
		e2e_fail "the current match is not in reverse video"
	e2e_keys n
	e2e_wait "Match 2 of 3"
	e2e_wait "The middle needle is here."
	e2e_keys n
	# The third is on the last screen: the page is read to its end (that message wins).
	e2e_wait "The last needle is here. THE END"
	e2e_wait "Marked complete"
	e2e_keys n
	e2e_wait "Match 1 of 3 (from the top)"
	e2e_keys N
	e2e_wait "Match 3 of 3 (from the end)"
	e2e_keys N
	e2e_wait "Match 2 of 3"
	# What is typed at the prompt is text, never commands (it used to land on Sync issues).
	e2e_keys /
	e2e_type "pointer qis"
	e2e_keys Enter
	e2e_wait "Not found: pointer qis"
	e2e_refute "Sync issues"
	e2e_screen | head -1 | grep -qF "Dynamic memory" || e2e_fail "the typed text left the reader"
	e2e_keys G
	e2e_wait "THE END"
	e2e_screen | head -1 | grep -qF "done" || e2e_fail "the long page is not marked done"
	e2e_quit
}

# Links listed with u; Enter opens one with $BROWSER (the URL its argument, the terminal
# handed over); only http(s) and mailto go to the opener; y copies to link.txt.
test_reader_links() {
	local marker="$E2E_DIR/opened"
	printf '#!/bin/sh\nprintf "%%s\\n" "$1" >>"%s"\n' "$marker" >"$E2E_DIR/browser"
	chmod +x "$E2E_DIR/browser"
	e2e_start_server
	table_page
	open_item "Arrays and pointer arithmetic" BROWSER="$E2E_DIR/browser"
	e2e_wait "the docs[1]"
	e2e_keys u
	e2e_wait "Links: Enter/o opens"
	e2e_wait "[1] https://example.org/docs"
	e2e_wait "[2] mailto:teacher@example.org"
	e2e_wait "[3] file:///etc/passwd"
	e2e_keys Enter
	e2e_wait "Opened [1]"
	e2e_until "the opener did not get the URL" 10 grep -qx "https://example.org/docs" "$marker"
	e2e_keys 3 Enter
	e2e_wait "Opens only http(s)/mailto; y copies"
	[ "$(wc -l <"$marker")" = 1 ] || e2e_fail "a file: link went to the opener"
	e2e_keys 2 y
	e2e_wait "Copied [2] to link.txt"
	e2e_wait "y copies to $LECTERN_DATA_DIR/link.txt"
	grep -qx "mailto:teacher@example.org" "$LECTERN_DATA_DIR/link.txt" ||
		e2e_fail "the link was not copied next to the replica"
	e2e_keys Escape
	e2e_wait "expression │ type"
	# The list keeps the keys of every screen: Q quits from it.
	e2e_keys u
	e2e_wait "Links: Enter/o opens"
	e2e_quit
}

# Kiosk mode starts no program: Enter on a link is refused, y still copies.
test_reader_kiosk_no_opener() {
	local marker="$E2E_DIR/opened"
	printf '#!/bin/sh\nprintf "%%s\\n" "$1" >>"%s"\n' "$marker" >"$E2E_DIR/browser"
	chmod +x "$E2E_DIR/browser"
	e2e_start_server
	table_page
	e2e_kiosk_config keep
	e2e_tui_start 80 24 XDG_CONFIG_HOME="$E2E_DIR/config" BROWSER="$E2E_DIR/browser"
	e2e_wait "Lectern - sign in"
	e2e_kiosk_sign_in learner
	e2e_wait "Unix shell basics" 20
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys Enter
	e2e_wait "Addresses and arrays"
	e2e_select "Arrays and pointer arithmetic"
	e2e_keys Enter
	e2e_wait "the docs[1]" 20
	e2e_keys u
	e2e_wait "[1] https://example.org/docs"
	e2e_keys Enter
	e2e_wait "Kiosk mode opens no links; y copies"
	e2e_keys o
	sleep 0.5
	[ ! -e "$marker" ] || e2e_fail "kiosk mode started the opener"
	e2e_keys y
	e2e_wait "Copied [1] to link.txt"
}

# The built-in editor takes a whole 200,000-character lesson (it kept only the first
# 20,000 characters, and saving would have cut the lesson): a word typed at its end
# reaches the server with everything before it.
test_reader_edit_long_body() {
	local id len i
	e2e_start_server
	long_page
	id="$(item_id "Dynamic memory")"
	len="$(e2e_api instructor GET "/items/$id" | grep -o '"body":"[^"]*"' | wc -c)"
	e2e_cli_login instructor
	e2e_tui_start 80 24
	e2e_wait "Teaching" 20
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys E
	e2e_wait "Edit: C pointers without fear"
	e2e_keys g
	for i in $(seq 1 40); do
		e2e_screen | grep -E '^>' | grep -qF "Dynamic memory" && break
		e2e_keys j
		sleep 0.1
	done
	e2e_keys E
	e2e_wait "Ctrl-D: send"
	e2e_wait "THE END"
	e2e_type " Appended."
	e2e_keys C-d
	e2e_wait "Saved (queued)"
	e2e_keys s
	e2e_until "the body on the server lost text" 20 check_long_body "$id" "$len"
	e2e_quit
}

# The body of item $1 on the server is $2 bytes (as grep counted them) plus " Appended.".
check_long_body() {
	local now
	now="$(e2e_api instructor GET "/items/$1" | grep -o '"body":"[^"]*"' | wc -c)"
	[ "$now" = $(($2 + 10)) ]
}

TESTS="reader_table reader_search_long reader_links reader_kiosk_no_opener reader_edit_long_body"
case " $TESTS " in
*" ${1:-none} "*)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v curl >/dev/null || { echo "curl is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-reader.sh $(echo $TESTS | tr ' ' '|')" >&2
	exit 1
	;;
esac
