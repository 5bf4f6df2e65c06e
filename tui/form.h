/* SPDX-License-Identifier: MIT */
/*
 * A small modal form for the authoring screens: a column of labelled fields (one-line
 * text, a choice among a few words, yes/no), moved through with Tab and the arrows, saved
 * with Enter and left with Esc (which asks first when something was typed). The caller's
 * submit function checks the values; a refusal keeps the form open with its cause shown in
 * words under the fields, so nothing typed is lost to a typo.
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
 * Runs the form until submit accepts it (true) or the user leaves it (false). The screen
 * is drawn by the form meanwhile; the caller's view is drawn again afterwards.
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
