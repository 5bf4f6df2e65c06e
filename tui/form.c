/* SPDX-License-Identifier: MIT */
/*
 * The authoring form (form.h): draws its fields over the whole body, runs its own key loop
 * like tui_prompt() does, and hands the values to the caller's submit function. Its draft
 * is kept the way the editor keeps one (editor.c): at every pause, every few changes and
 * on Ctrl-C, so that kill -9 loses at most a second's typing (issue 11, item 7).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/form.h"
#include "tui/term.h"
#include "tui/text.h"

#define LABEL_CELLS 16
#define DRAFT_PAUSE_MS 1000 /* a pause this long keeps the draft */
#define DRAFT_KEYS 20       /* and so does every this many keys taken while typing on */

static const char *const yes_no[] = {"no", "yes", NULL};

static struct tui_form_field *
field_init(struct tui_form *form, int i, const char *label, enum tui_form_kind kind)
{
	struct tui_form_field *f;

	assert(i >= 0 && i < form->n);
	f = &form->fields[i];
	memset(f, 0, sizeof(*f));
	f->label = label;
	f->kind = kind;
	f->when_field = -1;
	return f;
}

struct tui_form_field *
tui_form_text(struct tui_form *form, int i, const char *label, const char *value, const char *hint)
{
	struct tui_form_field *f = field_init(form, i, label, TUI_FORM_TEXT);

	tui_field_set(&f->text, value ? value : "");
	f->hint = hint;
	return f;
}

struct tui_form_field *
tui_form_choice(struct tui_form *form, int i, const char *label, const char *const *choices,
                const char *value)
{
	struct tui_form_field *f = field_init(form, i, label, TUI_FORM_CHOICE);

	f->choices = choices;
	for (int c = 0; value != NULL && choices[c] != NULL; c++)
		if (strcmp(choices[c], value) == 0)
			f->choice = c;
	return f;
}

struct tui_form_field *
tui_form_bool(struct tui_form *form, int i, const char *label, bool value)
{
	struct tui_form_field *f = field_init(form, i, label, TUI_FORM_BOOL);

	f->choices = yes_no;
	f->choice = value ? 1 : 0;
	return f;
}

char *
tui_form_get(const struct tui_form *form, int i)
{
	char *s;
	size_t len, start = 0;

	assert(i >= 0 && i < form->n);
	s = tui_field_get(&form->fields[i].text);
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		s[--len] = '\0';
	while (s[start] == ' ')
		start++;
	memmove(s, s + start, len - start + 1);
	return s;
}

const char *
tui_form_word(const struct tui_form *form, int i)
{
	const struct tui_form_field *f;

	assert(i >= 0 && i < form->n);
	f = &form->fields[i];
	assert(f->kind != TUI_FORM_TEXT);
	return f->choices[f->choice];
}

bool
tui_form_shown(const struct tui_form *form, int i)
{
	const struct tui_form_field *f = &form->fields[i];

	if (f->when_field < 0)
		return true;
	return (f->when_mask >> form->fields[f->when_field].choice) & 1u;
}

static int
n_choices(const struct tui_form_field *f)
{
	int n = 0;

	while (f->choices[n] != NULL)
		n++;
	return n;
}

/* Draws the choice row: every word, the chosen one in brackets. */
static void
draw_choices(const struct tui_form_field *f, int y, int x, bool focused)
{
	int cx = x;

	for (int c = 0; f->choices[c] != NULL && cx < COLS - 2; c++) {
		bool chosen = c == f->choice;
		attr_t a = chosen ? (focused ? tui_attr(TUI_ROLE_SELECTED) : A_BOLD)
		                  : tui_attr(TUI_ROLE_DIM);

		cx += tui_put(y, cx, chosen ? "[" : " ", 1, a);
		cx += tui_put(y, cx, f->choices[c], COLS - 2 - cx, a);
		cx += tui_put(y, cx, chosen ? "]" : " ", 1, a);
		cx += tui_put(y, cx, " ", 1, A_NORMAL);
	}
}

static void
form_draw(const struct tui_form *form, const char *error)
{
	int y = tui_body_top() + 1, x = LABEL_CELLS + 3;
	int cx = -1, cy = -1;

	erase();
	tui_draw_title(form->title, "Enter save  Esc cancel");
	for (int i = 0; i < form->n && y < LINES - 3; i++) {
		const struct tui_form_field *f = &form->fields[i];
		bool focused = i == form->focus;

		if (!tui_form_shown(form, i))
			continue;
		tui_put(y, 1, focused ? ">" : " ", 1, A_BOLD);
		tui_put(y, 3, f->label, LABEL_CELLS, focused ? A_BOLD : A_NORMAL);
		if (f->kind == TUI_FORM_TEXT) {
			int cells = COLS - x - 2;
			int hint_w = f->hint ? tui_text_width(f->hint) + 1 : 0;

			/* A hint shares the row while the field has room for 30 cells. */
			if (hint_w > 0 && cells - hint_w >= 30) {
				tui_put(y, x + cells - hint_w + 1, f->hint, hint_w - 1,
				        tui_attr(TUI_ROLE_DIM));
				cells -= hint_w;
			}
			/* Drawn last for the focused one, so that the cursor stays on it. */
			if (!focused)
				tui_field_draw(&f->text, y, x, cells, false);
			else {
				cy = y;
				cx = cells;
			}
		} else {
			draw_choices(f, y, x, focused);
		}
		y++;
	}
	if (error != NULL) {
		const char *starts[4];
		size_t lens[4];
		int n = tui_text_wrap(error, COLS - 4, starts, lens, 4);

		for (int r = 0; r < n; r++)
			tui_putn(y + 1 + r, 3, starts[r], lens[r], COLS - 4,
			         tui_attr(TUI_ROLE_BAD));
	}
	tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
	tui_put(LINES - 1, 1, "Tab/Down next  Shift-Tab/Up previous  Space/Left/Right choose",
	        COLS - 2, tui_attr(TUI_ROLE_STATUS));
	if (cy >= 0)
		tui_field_draw(&form->fields[form->focus].text, cy, x, cx, true);
	else
		curs_set(0);
	refresh();
}

/* Moves the focus by dir to the next shown field (wrapping). */
static void
form_step(struct tui_form *form, int dir)
{
	for (int k = 0; k < form->n; k++) {
		form->focus = (form->focus + dir + form->n) % form->n;
		if (tui_form_shown(form, form->focus))
			return;
	}
}

/* One key on the focused field. Returns true when it took the key. */
static bool
form_field_key(struct tui_form *form, wint_t key, bool fn)
{
	struct tui_form_field *f = &form->fields[form->focus];

	if (f->kind == TUI_FORM_TEXT)
		return tui_field_key(&f->text, key, fn);
	if ((fn && key == KEY_RIGHT) || (!fn && key == ' ')) {
		f->choice = (f->choice + 1) % n_choices(f);
		return true;
	}
	if (fn && key == KEY_LEFT) {
		f->choice = (f->choice + n_choices(f) - 1) % n_choices(f);
		return true;
	}
	return false;
}

/* True when a value differs from what the form opened with (there is typing to lose). */
static bool
form_changed(const struct tui_form *form, const struct tui_form_field *opened)
{
	for (int i = 0; i < form->n; i++) {
		const struct tui_form_field *f = &form->fields[i], *o = &opened[i];

		if (f->kind != TUI_FORM_TEXT
		        ? f->choice != o->choice
		        : f->text.len != o->text.len ||
		              wmemcmp(f->text.text, o->text.text, (size_t)f->text.len) != 0)
			return true;
	}
	return false;
}

char *
tui_form_values(const struct tui_form *form)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "fields");
	char *out;

	for (int i = 0; i < form->n; i++) {
		const struct tui_form_field *f = &form->fields[i];
		cJSON *v = cJSON_CreateObject();

		cJSON_AddStringToObject(v, "label", f->label);
		if (f->kind == TUI_FORM_TEXT) {
			char *text = tui_field_get(&f->text);

			cJSON_AddStringToObject(v, "text", text);
			free(text);
		} else {
			cJSON_AddStringToObject(v, "choice", f->choices[f->choice]);
		}
		cJSON_AddItemToArray(arr, v);
	}
	out = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	/* Out of memory: no values (a draft of them restores nothing and is dropped). */
	return out != NULL ? out : lc_strdup("{}");
}

/* The index of word among f's choices, or -1. */
static int
choice_index(const struct tui_form_field *f, const char *word)
{
	for (int c = 0; f->choices[c] != NULL; c++)
		if (strcmp(f->choices[c], word) == 0)
			return c;
	return -1;
}

int
tui_form_restore(struct tui_form *form, const char *values)
{
	cJSON *doc = cJSON_Parse(values);
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "fields");
	int set = 0;

	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(doc);
		return -LC_EINVAL;
	}
	for (int i = 0; i < form->n && i < cJSON_GetArraySize(arr); i++) {
		struct tui_form_field *f = &form->fields[i];
		const cJSON *v = cJSON_GetArrayItem(arr, i);
		const char *label =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "label"));
		const char *text =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "text"));
		const char *word =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "choice"));
		int c;

		/* The form changed shape since (a field added, a long text now in the editor). */
		if (label == NULL || strcmp(label, f->label) != 0)
			continue;
		if (f->kind == TUI_FORM_TEXT && text != NULL) {
			tui_field_set(&f->text, text);
			set++;
		} else if (f->kind != TUI_FORM_TEXT && word != NULL &&
		           (c = choice_index(f, word)) >= 0) {
			f->choice = c;
			set++;
		}
	}
	cJSON_Delete(doc);
	return set;
}

/* A form's draft while it runs. */
struct form_draft {
	struct tui_app *app;
	const char *key;
	char *last;  /* the values last kept (or found kept), to write only what changed */
	int unsaved; /* keys taken since */
	bool kept;   /* the draft is this form's: it wrote or restored it */
};

/* Keeps the values as the draft when they changed since the last time. */
static void
draft_keep(struct form_draft *d, const struct tui_form *form, const struct tui_form_field *opened)
{
	char *values;

	d->unsaved = 0;
	if (d->key == NULL || d->app->db == NULL)
		return;
	values = tui_form_values(form);
	if (d->last != NULL && strcmp(values, d->last) == 0) {
		free(values);
		return;
	}
	if (form_changed(form, opened)) {
		if (store_draft_put(d->app->db, d->key, values) != 0)
			lc_log(LC_LOG_ERROR, "tui: cannot keep the draft %s", d->key);
		d->kept = true;
	} else if (d->kept) {
		/* Back to what the form opened with: nothing to keep. */
		store_draft_delete(d->app->db, d->key);
	}
	free(d->last);
	d->last = values;
}

static void
draft_drop(struct form_draft *d)
{
	if (d->key != NULL && d->app->db != NULL)
		store_draft_delete(d->app->db, d->key);
}

/*
 * A draft kept under the form's key that differs from what the form opened with: asks
 * "r restore, d discard" (another key: neither, the draft stays) and restores it on r. A
 * draft with nothing in it the form does not already show goes without a question.
 */
static void
draft_offer(struct form_draft *d, struct tui_form *form, const struct tui_form_field *opened)
{
	struct tui_form scratch = *form;
	char *text = NULL, question[128];
	int64_t at = 0;
	wint_t key;

	if (d->key == NULL || d->app->db == NULL ||
	    store_draft_get(d->app->db, d->key, &text, &at) != 0 || text == NULL)
		return;
	scratch.fields = lc_calloc((size_t)form->n, sizeof(*scratch.fields));
	memcpy(scratch.fields, form->fields, (size_t)form->n * sizeof(*scratch.fields));
	if (tui_form_restore(&scratch, text) <= 0 || !form_changed(&scratch, opened)) {
		draft_drop(d);
		goto out;
	}
	tui_draft_question(at, question, sizeof(question));
	form_draw(form, NULL);
	key = tui_form_menu(d->app, question, "rRdD");
	if (key == 'r' || key == 'R') {
		memcpy(form->fields, scratch.fields, (size_t)form->n * sizeof(*scratch.fields));
		/* The form's own now: undoing every value, or Esc, takes it away. */
		d->kept = true;
		d->last = text;
		text = NULL;
	} else if (key == 'd' || key == 'D') {
		draft_drop(d);
	}
out:
	free(scratch.fields);
	free(text);
}

bool
tui_form_run(struct tui_app *app, struct tui_form *form, tui_form_submit_fn submit, void *ctx)
{
	char *error = NULL;
	bool saved = false;
	struct tui_form_field *opened = lc_calloc((size_t)form->n, sizeof(*opened));
	struct form_draft draft = {.app = app, .key = form->draft_key};

	memcpy(opened, form->fields, (size_t)form->n * sizeof(*opened));
	if (!tui_form_shown(form, form->focus))
		form_step(form, 1);
	draft_offer(&draft, form, opened);
	for (;;) {
		wint_t key;
		int rc;
		bool fn;

		form_draw(form, error);
		/* Home/End move in a field; an unknown escape sequence is not Esc (issue 11, 7). */
		rc = tui_term_get_key(&key, draft.key != NULL ? DRAFT_PAUSE_MS : -1);
		if (rc == ERR && tui_term_interrupted()) {
			/* Ctrl-C: the key loop quits; what was typed stays as the draft. */
			draft_keep(&draft, form, opened);
			break;
		}
		if (rc == ERR) {
			draft_keep(&draft, form, opened); /* a pause */
			continue;
		}
		if (rc == KEY_CODE_YES && (key == KEY_RESIZE || key == 0))
			continue;
		fn = rc == KEY_CODE_YES;
		if (!fn && (key == '\r' || key == '\n')) {
			char *cause = NULL;

			free(error);
			error = NULL;
			if (submit(ctx, form, &cause) == 0) {
				/* Queued: the draft has done its work. */
				free(cause);
				draft_drop(&draft);
				saved = true;
				break;
			}
			error = cause != NULL ? cause : lc_strdup("Not saved: check the fields");
			draft_keep(&draft, form, opened); /* refused: the values wait to be fixed */
		} else if (!fn && key == 27) {
			bool work = form_changed(form, opened);

			if (work && !tui_confirm(app, "Discard what you typed in this form?"))
				continue;
			/*
			 * A draft left for later at the offer stays when this form wrote none of
			 * its own and had nothing to lose.
			 */
			if (work || draft.kept)
				draft_drop(&draft);
			break;
		} else if ((!fn && key == '\t') || (fn && key == KEY_DOWN)) {
			form_step(form, 1);
		} else if ((fn && key == KEY_BTAB) || (fn && key == KEY_UP)) {
			form_step(form, -1);
		} else if (form_field_key(form, key, fn) && ++draft.unsaved >= DRAFT_KEYS) {
			draft_keep(&draft, form, opened);
		}
	}
	timeout(-1);
	free(draft.last);
	free(opened);
	free(error);
	curs_set(0);
	app->dirty = true;
	return saved;
}

/* Waits for one key (not a resize) with the status redrawn later; false on Ctrl-C. */
static bool
wait_key(struct tui_app *app, wint_t *key)
{
	int rc;

	refresh();
	do
		rc = tui_term_get_key(key, -1);
	while ((rc == ERR && !tui_term_interrupted()) ||
	       (rc == KEY_CODE_YES && (*key == KEY_RESIZE || *key == 0)));
	app->dirty = true;
	return rc == OK;
}

bool
tui_form_confirm(struct tui_app *app, const char *question)
{
	const char *starts[3];
	size_t lens[3];
	char *text = lc_asprintf("%s (y/n)", question);
	int n = tui_text_wrap(text, COLS - 2, starts, lens, 3);
	wint_t key = 0;

	for (int r = 0; r < n; r++) {
		int y = LINES - n + r;

		tui_clear_to_eol(y, 0, tui_attr(TUI_ROLE_STATUS));
		tui_putn(y, 1, starts[r], lens[r], COLS - 2, tui_attr(TUI_ROLE_STATUS) | A_BOLD);
	}
	free(text);
	return wait_key(app, &key) && (key == 'y' || key == 'Y');
}

wint_t
tui_form_menu(struct tui_app *app, const char *menu, const char *keys)
{
	wint_t key = 0;

	tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
	tui_put(LINES - 1, 1, menu, COLS - 2, tui_attr(TUI_ROLE_STATUS) | A_BOLD);
	if (!wait_key(app, &key) || key == 0 || key > 127 || strchr(keys, (int)key) == NULL)
		return 0;
	return key;
}
