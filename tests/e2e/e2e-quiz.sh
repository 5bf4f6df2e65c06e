#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end tests of taking a quiz (issue 15; ux review 2026-11-29, A13, capture A35) at
# 80x24 with NO_COLOR: a 200-character choice wraps and is read whole, True comes before
# False, Enter on "choose all" ticks nothing, keys typed into a text answer stay text, a
# number that does not parse is refused at once, leaving an attempt with answers asks,
# submitting warns about unanswered questions and the last attempt, and the results show
# the pass mark, the right answers and the explanation once they cannot help (the last
# attempt); under LANG=C cut text ends with "...". Usage: e2e-quiz.sh TEST with LECTERN and
# LECTERND set.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/lib.sh"

# The 200 characters of the new choice; its last words are checked on screen.
LONG_CHOICE="A wider aperture lets in more light, so the same exposure needs a faster shutter or a lower ISO, which is why a portrait taken at f/2 in deep shade can still come out sharp, bright and clean (quiz-e2e-tail)"
WHY="Three ints of four bytes each lie between them (why-e2e)"

# As the demo instructor: a sixth question on C201's quiz whose second choice is 200
# characters long, and an explanation on the numeric question. Meson needs python3, so
# it is there wherever these tests run; it reads the JSON that curl alone could not.
add_long_question() {
	[ "${#LONG_CHOICE}" -ge 200 ] || e2e_fail "the long choice is ${#LONG_CHOICE} characters"
	E2E_URL="$E2E_URL" LONG_CHOICE="$LONG_CHOICE" WHY="$WHY" python3 - <<'PY' ||
import json, os, urllib.request
url = os.environ["E2E_URL"] + "/api/v1"
def call(method, path, body=None, token=None):
    req = urllib.request.Request(url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
tok = call("POST", "/auth/token", {"username": "instructor", "password": "lectern-demo"})["access_token"]
course = [c for c in call("GET", "/courses?search=C201", token=tok)["items"] if c["code"] == "C201"][0]
outline = json.dumps(call("GET", "/courses/%s/outline" % course["id"], token=tok))
quiz = None
for m in call("GET", "/courses/%s/modules" % course["id"], token=tok)["items"]:
    for it in call("GET", "/modules/%s/items" % m["id"], token=tok)["items"]:
        if it["kind"] == "quiz":
            quiz = it["id"]
qs = call("GET", "/items/%s/questions" % quiz, token=tok)["items"]
numeric = [q for q in qs if q["kind"] == "numeric"][0]
call("PATCH", "/questions/%s" % numeric["id"], {"explanation": os.environ["WHY"]}, tok)
call("POST", "/items/%s/questions" % quiz,
     {"prompt": "Which sentence about aperture is right?", "kind": "single",
      "choices": ["A narrow aperture always blurs the background", os.environ["LONG_CHOICE"]],
      "answer": 1}, tok)
PY
		e2e_fail "could not add the long question"
}

open_quiz() {
	e2e_tui_start 80 24 NO_COLOR=1
	e2e_wait "My courses"
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys Enter
	e2e_wait "Addresses and arrays"
	e2e_select "Quiz: pointers"
	e2e_keys Enter
	e2e_wait "attempts remaining: 2 of 2"
}

# The line number of the first screen line holding text (0 when none).
line_of() {
	e2e_screen | grep -nF -- "$1" | head -1 | cut -d: -f1
}

# ux review A13, every part of it, in two attempts at 80x24.
test_quiz_a13() {
	e2e_start_server
	add_long_question
	e2e_cli_login
	open_quiz
	e2e_wait "pass mark: 70%"
	e2e_keys t
	e2e_wait "Question 1 of 6  (choose one)"
	e2e_keys Space n
	# Enter on "choose all that apply" goes on and ticks nothing.
	e2e_wait "Question 2 of 6  (choose all that apply)"
	e2e_keys Enter
	e2e_wait "Question 3 of 6  (true or false)"
	# True before False.
	e2e_wait "( ) True"
	[ "$(line_of "( ) True")" -lt "$(line_of "( ) False")" ] || e2e_fail "False is above True"
	e2e_keys j Space n
	# A text answer: r, S and q are text, the title offers no "r review".
	e2e_wait "Question 4 of 6  (type a short answer)"
	e2e_wait "Tab next"
	e2e_type "rSq"
	e2e_wait "rSq"
	e2e_refute "Review your answers"
	e2e_wait "Question 4 of 6"
	# Esc leaves the attempt, and asks first: there are answers.
	e2e_keys Escape
	e2e_wait "Leave this attempt and lose your 3 answers?"
	e2e_keys n
	e2e_wait "Question 4 of 6"
	e2e_keys BSpace BSpace BSpace
	e2e_type free
	e2e_keys Enter
	# A number that does not parse is refused at once.
	e2e_wait "Question 5 of 6  (type a number)"
	e2e_type "t"
	e2e_wait "A number: digits"
	e2e_type "1.2.3"
	e2e_keys Tab
	e2e_wait '"1.2.3" is not a number'
	e2e_wait "Question 5 of 6"
	e2e_keys BSpace BSpace BSpace BSpace BSpace
	e2e_type 12
	e2e_keys Enter
	# The 200-character choice wraps at 80 columns and is read whole.
	e2e_wait "Question 6 of 6  (choose one)"
	e2e_wait "A wider aperture lets in more light"
	e2e_wait "(quiz-e2e-tail)"
	e2e_screen | grep -F "(quiz-e2e-tail)" | grep -qF "…" && e2e_fail "the long choice is cut"
	e2e_keys n
	e2e_wait "Review your answers"
	e2e_wait "(not answered)"
	# A prompt too long for the review's column ends with the ellipsis.
	e2e_wait '1. Given `int x = 5; int *p = &x;`,…'
	# Submitting warns about the unanswered questions (2 and 6).
	e2e_keys Enter
	e2e_wait "2 of 6 unanswered. Submit anyway?"
	e2e_keys y
	e2e_wait "attempts remaining: 1 of 2"
	e2e_wait "score 4 / 7  not passed" 30
	e2e_wait "The right answers are shown once you pass"
	e2e_refute "Right answer:"
	# q mid-attempt with an answer asks; y drops the answer.
	e2e_keys t
	e2e_wait "Question 1 of 6  (choose one)"
	e2e_keys Space q
	e2e_wait "Leave this attempt and lose your 1 answer?"
	e2e_keys y
	e2e_wait "Press t to take the quiz."
	# The last attempt: the prompt says so. (Attempts are listed by the second they were
	# sent: one second apart, the last one is surely listed last.)
	sleep 1.1
	e2e_keys t
	e2e_wait "Question 1 of 6  (choose one)"
	e2e_keys r
	e2e_wait "Review your answers"
	e2e_keys S
	e2e_wait "6 of 6 unanswered; this is your last attempt. Submit anyway?"
	e2e_keys y
	e2e_wait "No attempts left."
	e2e_wait "score 0 / 7  not passed" 30
	# The last attempt reveals: the right answers and the explanation, scrolled to.
	e2e_wait "Right answer: 5"
	e2e_keys Space
	e2e_wait "Right answer: 12"
	e2e_wait "Why: Three ints of four bytes"
	e2e_quit
}

# Under a locale that is not UTF-8, cut text ends with "..." (ux review A13/E9, A5).
test_quiz_ascii() {
	e2e_start_server
	e2e_cli_login
	e2e_tui_start 80 24 NO_COLOR=1 LANG=C LC_ALL=C
	e2e_wait "My courses"
	e2e_open_course_details pointers "C pointers without fear"
	e2e_keys Enter
	e2e_wait "Addresses and arrays"
	e2e_select "Quiz: pointers"
	e2e_keys Enter
	e2e_wait "attempts remaining: 2 of 2"
	e2e_keys t
	e2e_wait "Question 1 of 5  (choose one)"
	e2e_keys r
	e2e_wait "Review your answers"
	e2e_wait '1. Given `int x = 5; int *p = &x;...'
	e2e_refute "…"
	e2e_keys Escape
	e2e_wait "Question 1 of 5"
	e2e_keys Escape
	e2e_wait "Press t to take the quiz."
	e2e_quit
}

case "${1:-}" in
quiz_ascii | quiz_a13)
	[ -n "${LECTERN:-}" ] && [ -n "${LECTERND:-}" ] || { echo "set LECTERN and LECTERND" >&2; exit 1; }
	command -v tmux >/dev/null || { echo "tmux is missing" >&2; exit 77; }
	command -v curl >/dev/null || { echo "curl is missing" >&2; exit 77; }
	command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 77; }
	"test_$1"
	echo "ok: $1"
	;;
*)
	echo "usage: $0 quiz_a13|quiz_ascii" >&2
	exit 2
	;;
esac
