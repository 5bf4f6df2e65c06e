#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of sync conflicts a person resolves and of drafts that are never lost
# (issue 11, items 6 and 7; ux review 2026-11-29, A1, A2, A3, A15), at 80x24, with the
# server stopped while the user works. Usage: e2e-conflicts.sh TEST with LECTERN and
# LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

# 40 lines; both sides change line 3 (the overlap) and other lines each, so that "what
# each side changed" is longer than one 80x24 screen.
base_body() {
	local i
	for i in $(seq 1 40); do echo "line $i"; done
}

mine_body() {
	base_body | sed -e 's/^line \(3\|10\|17\|24\|31\)$/line \1 mine/'
}

# The id of C201's "Dynamic memory" page in the instructor's replica.
item_id() {
	sqlite3 "$LECTERN_DATA_DIR/replica.db" \
		"SELECT id FROM resources WHERE type = 'item' AND json_extract(doc, '$.title') = 'Dynamic memory' LIMIT 1"
}

# The page's body on the server, as the instructor reads it.
server_body() {
	e2e_api instructor GET "/items/$ITEM" | sed -e 's/.*"body":"\([^"]*\)".*/\1/'
}

# The instructor's offline edit of the page meets the admin's edit of the same lines: a
# conflict in the instructor's replica. Then the server stops, and lectern opens at 80x24
# on the sync issue (in words) with the extra env given.
conflict_setup() {
	local json
	e2e_start_server
	e2e_cli_login instructor
	ITEM="$(item_id)"
	[ -n "$ITEM" ] || e2e_fail "no 'Dynamic memory' page in the instructor's replica"
	json="$(base_body | sed -e ':a;N;$!ba;s/\n/\\n/g')"
	e2e_api instructor PATCH "/items/$ITEM" "{\"body\":\"$json\\n\"}" | grep -qF 'line 40' ||
		e2e_fail "cannot set the page's body"
	"$LECTERN" sync >/dev/null 2>&1 || e2e_fail "lectern sync failed"
	mine_body | "$LECTERN" edit "$ITEM" >/dev/null || e2e_fail "lectern edit failed"
	json="$(base_body | sed -e 's/^line 3$/line 3 theirs/;s/^line 38$/line 38 theirs/' |
		sed -e ':a;N;$!ba;s/\n/\\n/g')"
	e2e_api admin PATCH "/items/$ITEM" "{\"body\":\"$json\\n\"}" | grep -qF 'line 3 theirs' ||
		e2e_fail "the admin's edit failed"
	"$LECTERN" sync >/dev/null 2>&1
	"$LECTERN" issues | grep -qF "changed on the server since you edited it" ||
		e2e_fail "no conflict: $("$LECTERN" issues 2>&1)"
	e2e_stop_server
	e2e_tui_start 80 24 "$@"
	e2e_wait "1 sync issue" 20
	e2e_keys i
	e2e_wait "Lesson 'Dynamic memory' in C201"
	e2e_wait "changed on the server since you edited it"
	e2e_refute "/api/v1"
	e2e_refute "409"
}

# Starts the server again and syncs from the TUI until nothing waits.
sync_back() {
	e2e_start_server
	e2e_keys q
	e2e_keys s
	e2e_wait "0 waiting" 30
}

test_conflict_screen_scrolls() {
	conflict_setup
	e2e_keys Enter
	e2e_wait "Sync issue 1 of 1"
	e2e_wait "Your change:"
	e2e_wait "+line 3 mine"
	# The server's side is below the fold at 80x24: the detail scrolls to it.
	e2e_refute "+line 38 theirs"
	e2e_wait "-- more --"
	local i
	for i in 1 2 3 4; do
		e2e_screen | grep -qF "+line 38 theirs" && break
		e2e_keys PageDown
		sleep 0.2
	done
	e2e_wait "+line 38 theirs"
	e2e_wait "m keep mine   t keep theirs   e edit a merge"
	e2e_refute "+line 3 mine"
	e2e_keys k
	e2e_keys PageUp
	e2e_keys PageUp
	e2e_keys PageUp
	e2e_wait "+line 3 mine"
	e2e_keys j
	e2e_wait_gone "Lesson 'Dynamic memory' in C201"
	# Retry is not offered on a conflict: it would overwrite the admin's change.
	e2e_keys r
	e2e_wait "Not for a conflict: m, t or e"
	e2e_quit
}

test_conflict_keep_mine() {
	conflict_setup
	e2e_keys m
	e2e_wait "Send yours over the server's version?"
	e2e_keys n
	e2e_wait "Lesson 'Dynamic memory' in C201"
	e2e_keys m
	e2e_wait "Send yours over the server's version?"
	e2e_keys y
	e2e_wait "No sync issues"
	sync_back
	server_body | grep -qF 'line 3 mine\nline 4' || e2e_fail "mine is not on the server: $(server_body)"
	server_body | grep -qF 'line 38 theirs' && e2e_fail "keep mine kept theirs' line 38"
	e2e_quit
}

test_conflict_keep_theirs() {
	conflict_setup
	e2e_keys t
	e2e_wait "Keep the server's version and drop your change?"
	e2e_keys y
	e2e_wait "No sync issues"
	sync_back
	server_body | grep -qF 'line 3 theirs' || e2e_fail "theirs is gone: $(server_body)"
	server_body | grep -qF 'mine' && e2e_fail "keep theirs sent mine"
	"$LECTERN" issues | grep -q . && e2e_fail "the issue is still listed"
	e2e_quit
}

test_conflict_merge() {
	# An editor that leaves the markers the first time, then removes the marker lines
	# (keeping both sides' line 3).
	cat >"$E2E_DIR/merge-editor" <<EOF
#!/bin/sh
if [ -e "$E2E_DIR/merge-editor.ran" ]; then
	grep -v -e '^<<<<<<< ' -e '^=======\$' -e '^>>>>>>> ' "\$1" >"\$1.tmp" && cat "\$1.tmp" >"\$1"
	rm -f "\$1.tmp"
fi
touch "$E2E_DIR/merge-editor.ran"
EOF
	chmod +x "$E2E_DIR/merge-editor"
	conflict_setup VISUAL="$E2E_DIR/merge-editor" EDITOR=false
	e2e_keys e
	e2e_wait "Conflict markers left; nothing queued"
	e2e_wait "Lesson 'Dynamic memory' in C201"
	# The merge with markers was kept: offered again, started afresh from the merge.
	e2e_keys e
	e2e_wait "A draft from"
	e2e_wait "r restore, d discard"
	e2e_keys d
	e2e_wait "Your merge is queued"
	e2e_wait "No sync issues"
	sync_back
	server_body | grep -qF 'line 3 mine\nline 3 theirs' || e2e_fail "the merge is not on the server: $(server_body)"
	server_body | grep -qF 'line 38 theirs' || e2e_fail "the merge lost theirs' line 38"
	server_body | grep -qF 'line 31 mine' || e2e_fail "the merge lost mine's line 31"
	e2e_quit
}

# Opens a topic of the shell course (the learner) and presses r (reply); waits for $1
# (default: the built-in editor).
open_reply_editor() { e2e_open_reply_editor "$@"; }

# $1: how lectern is stopped while a reply is being written: ctrl-c or kill-9.
draft_survives() {
	e2e_start_server
	e2e_cli_login
	e2e_stop_server
	e2e_tui_start 80 24
	e2e_wait "My courses"
	open_reply_editor
	e2e_type "A long answer I do not want to type twice"
	# A pause saves the draft.
	sleep 1.5
	if [ "$1" = ctrl-c ]; then
		e2e_keys C-c
	else
		kill -KILL "$(e2e_lectern_pid)"
	fi
	e2e_wait_dead
	sqlite3 "$LECTERN_DATA_DIR/replica.db" "SELECT text FROM drafts" |
		grep -qF "A long answer I do not want to type twice" || e2e_fail "no draft was kept"
	e2e_tui_start 80 24
	e2e_wait "My courses"
	open_reply_editor "A draft from"
	e2e_wait "r restore, d discard"
	e2e_keys r
	e2e_wait "A long answer I do not want to type twice"
	e2e_wait "Ctrl-D: send"
	# A restored draft is work too: Esc asks before it goes.
	e2e_keys Escape
	e2e_wait "Discard what you wrote?"
	e2e_keys n
	e2e_wait "Ctrl-D: send"
	e2e_type ", restored."
	e2e_keys C-d
	e2e_wait "1 waiting"
	[ -z "$(sqlite3 "$LECTERN_DATA_DIR/replica.db" "SELECT text FROM drafts")" ] ||
		e2e_fail "the draft stayed after the reply was queued"
	e2e_quit
}

test_draft_ctrl_c() {
	draft_survives ctrl-c
}

test_draft_kill() {
	draft_survives kill-9
}

# Esc asks before it discards; Home and End as tmux sends them (ESC [1~, ESC [4~) move,
# even under TERM=xterm whose terminfo spells them ESC O H / ESC O F (ux review
# 2026-11-29, A1: Home discarded a reply and "[1~" ran as commands); a sequence nobody
# knows does nothing.
test_editor_esc_home() {
	e2e_start_server
	e2e_cli_login
	e2e_stop_server
	e2e_tui_start 80 24 TERM=xterm
	e2e_wait "My courses"
	open_reply_editor
	e2e_type "point one"
	e2e_keys Home
	e2e_type "* "
	e2e_keys End
	e2e_type " (end)"
	e2e_wait "* point one (end)"
	e2e_keys -l $'\e[99~'
	e2e_type "!"
	e2e_wait "* point one (end)!"
	e2e_refute "[99~"
	e2e_refute "Discard what you wrote?"
	e2e_refute "Sync issues"
	e2e_keys Escape
	e2e_wait "Discard what you wrote?"
	e2e_keys n
	e2e_wait "Ctrl-D: send"
	e2e_wait "* point one (end)!"
	e2e_keys Escape
	e2e_wait "Discard what you wrote?"
	e2e_keys y
	e2e_wait "Quote the name"
	[ -z "$(sqlite3 "$LECTERN_DATA_DIR/replica.db" "SELECT text FROM drafts")" ] ||
		e2e_fail "a discarded draft was kept"
	# An empty editor closes on Esc without asking.
	e2e_keys r
	e2e_wait "Ctrl-D: send"
	e2e_keys Escape
	e2e_wait "Quote the name"
	e2e_refute "Discard what you wrote?"
	e2e_quit
}

has_draft() {
	[ -n "$(sqlite3 "$LECTERN_DATA_DIR/replica.db" "SELECT text FROM drafts")" ]
}

# An external editor that fails keeps the text as a draft and says so; $VISUAL wins.
test_editor_fails() {
	printf '#!/bin/sh\necho "written in the failing editor" >"$1"\nexit 3\n' >"$E2E_DIR/bad-editor"
	chmod +x "$E2E_DIR/bad-editor"
	e2e_start_server
	e2e_cli_login
	e2e_stop_server
	e2e_tui_start 80 24 VISUAL="$E2E_DIR/bad-editor" EDITOR=true
	e2e_wait "My courses"
	open_reply_editor "Quote the name"
	# The editor's own message stays (the reply screen used to hide it under "Reply
	# discarded: no text").
	e2e_wait "Editor exit 3: text kept as a draft"
	e2e_refute "Reply discarded"
	e2e_until "the failing editor's text was not kept" 10 has_draft
	sqlite3 "$LECTERN_DATA_DIR/replica.db" "SELECT text FROM drafts" |
		grep -qF "written in the failing editor" || e2e_fail "the failing editor's text was lost"
	# Offered again the next time.
	e2e_keys r
	e2e_wait "A draft from"
	e2e_keys Escape
	e2e_wait_gone "A draft from"
	e2e_quit
}

case "${1:-}" in
conflict_screen_scrolls | conflict_keep_mine | conflict_keep_theirs | conflict_merge | draft_ctrl_c | draft_kill | editor_esc_home | editor_fails)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v sqlite3 >/dev/null || { echo "sqlite3 is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: e2e-conflicts.sh conflict_screen_scrolls|conflict_keep_mine|conflict_keep_theirs|conflict_merge|draft_ctrl_c|draft_kill|editor_esc_home|editor_fails" >&2
	exit 1
	;;
esac
