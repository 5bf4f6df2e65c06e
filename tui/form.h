/* SPDX-License-Identifier: MIT */
/*
 * A small modal form for the authoring screens: a column of labelled fields (one-line
 * text, a choice among a few words, yes/no), moved through with Tab and the arrows, saved
 * with Enter and left with Esc (which asks first when something was typed). The caller's
 * submit function checks the values; a refusal keeps the form open with its cause shown in
 * words under the fields, so nothing typed is lost to a typo. With a draft key the values
 * are also kept in the replica's drafts table as they are typed, so that Ctrl-C, a crash or
 * kill -9 loses nothing either (issue 11, item 7).
 */
#ifndef TUI_FORM_H
#define TUI_FORM_H

#include <stdbool.h>

#include "tui/tui-int.h"

enum tui_form_kind {
	TUI_FORM_TEXT,
	TUI_FORM_CHOICE, /* Left/Right or Space cycle through choices */
	TUI_FORM_BOOL,   /* Space toggles; drawn as yes/no */
};

struct tui_form_field {
	const char *label;
	enum tui_form_kind kind;
	const char *const *choices; /* TUI_FORM_CHOICE: NULL-terminated, borrowed */
	int choice;                 /* the choice's index; TUI_FORM_BOOL: 0 no, 1 yes */
	struct tui_field text;      /* TUI_FORM_TEXT */
	const char *hint;           /* shown dim after the value, may be NULL */
	/* Shown only while field when_field holds a choice in when_mask (bit per index). */
	int when_field; /* -1: always shown */
	unsigned when_mask;
};

struct tui_form {
	const char *title;
	struct tui_form_field *fields;
	int n;
	int focus;
	/*
	 * What the form writes, for its draft: "form:course:new", "form:course:<id>",
	 * "form:item:new:<module_id>", "form:item:<id>", "form:question:new:<item_id>",
	 * "form:question:<id>". NULL: no draft is kept.
	 */
	const char *draft_key;
};

/* Checks and queues the values; 0 closes the form, a negative lc_err with *cause keeps it. */
typedef int (*tui_form_submit_fn)(void *ctx, const struct tui_form *form, char **cause);

/* Sets field i up (when_field -1). Returns the field for further settings. */
struct tui_form_field *tui_form_text(struct tui_form *form, int i, const char *label,
                                     const char *value, const char *hint);
struct tui_form_field *tui_form_choice(struct tui_form *form, int i, const char *label,
                                       const char *const *choices, const char *value);
struct tui_form_field *tui_form_bool(struct tui_form *form, int i, const char *label, bool value);
/* Field i's text as UTF-8 with surrounding spaces trimmed (caller frees). */
char *tui_form_get(const struct tui_form *form, int i);
/* Field i's choice word (borrowed) or, for a yes/no field, "yes"/"no". */
const char *tui_form_word(const struct tui_form *form, int i);
bool tui_form_shown(const struct tui_form *form, int i);

/*
 * The values of the form as the text of its draft (caller frees): a JSON object
 * {"fields":[{"label":L,"text":T} or {"label":L,"choice":WORD}, ...]}, one per field in order
 * (the text untrimmed, a choice or yes/no as its word).
 */
char *tui_form_values(const struct tui_form *form);
/*
 * Sets the fields to values (from tui_form_values()): each field whose entry at the same
 * index has the same label and kind, and for a choice a word the field still offers; others
 * keep theirs. Returns how many fields were set, or -LC_EINVAL (nothing set) when values is
 * not such an object.
 */
int tui_form_restore(struct tui_form *form, const char *values);

/*
 * Runs the form until submit accepts it (true) or the user leaves it (false). The screen
 * is drawn by the form meanwhile; the caller's view is drawn again afterwards.
 * With a draft_key: a kept draft that differs from the values the form opened with is
 * offered first ("r restore, d discard"); the values are kept as the draft at every pause,
 * every few changes, on Ctrl-C and on a refused submit; the draft goes when submit accepts
 * the values (they are queued) or the user discards them (Esc).
 */
bool tui_form_run(struct tui_app *app, struct tui_form *form, tui_form_submit_fn submit, void *ctx);

/*
 * Asks a question that may take more than a line (what a delete takes with it, who will
 * see a publication), wrapped over the bottom rows. True on y, false on anything else.
 */
bool tui_form_confirm(struct tui_app *app, const char *question);
/*
 * Shows a one-line menu on the bottom row and returns the key pressed when it is one of
 * keys, else 0 (Esc or another key).
 */
wint_t tui_form_menu(struct tui_app *app, const char *menu, const char *keys);

#endif
