/* SPDX-License-Identifier: MIT */
/*
 * Writing posts: $VISUAL, else $EDITOR, on a private temporary file when the user has one,
 * with the terminal handed over and taken back; otherwise a small editor on the screen
 * (typing, Enter for a new line, arrows, Home/End, Backspace/Delete; Ctrl-D saves, Esc
 * asks before it discards). Drafts are never lost (issue 11, item 7; ux review
 * 2026-11-29, A1 and A15): the text is kept in the replica's drafts table as it is typed
 * (at every pause and every few keys), on Ctrl-C, and when an external editor fails or
 * leaves an empty file, and is offered again when the same editor opens.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/markdown.h"
#include "tui/term.h"
#include "tui/text.h"
#include "tui/tui-int.h"

/* A lesson's whole body, lecternd's SRV_ITEM_BODY_MAX (issue 15): never cut when opened. */
#define EDIT_MAX (256 * 1024)
#define DRAFT_PAUSE_MS 1000 /* a pause this long saves the draft */
#define DRAFT_KEYS 20       /* and so does every this many changes while typing on */

struct editor {
	wchar_t *text;
	int len;
	int cursor;
	int top;      /* first screen row shown */
	bool changed; /* since the draft was last saved */
	int unsaved;  /* changes since then */
	bool kept;    /* this editor saved the draft at least once */
};

/* Runs the editor on path; returns its exit status, or -1 when it did not exit normally. */
static int
run_editor(const char *editor, const char *path)
{
	pid_t pid;
	int status = 0;

	tui_term_suspend();
	pid = fork();
	if (pid == 0) {
		/* Through the shell, so that EDITOR="vim -u NONE" works as it does elsewhere. */
		execl("/bin/sh", "sh", "-c", "$LECTERN_EDIT_CMD \"$1\"", "sh", path, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	tui_term_resume();
	(void)editor;
	return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Drops trailing blanks; returns the new length. */
static size_t
trim_end(char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	return len;
}

static void
draft_save(struct tui_app *app, const char *key, const char *text)
{
	if (key != NULL && app->db != NULL && text != NULL && text[0] != '\0' &&
	    store_draft_put(app->db, key, text) != 0)
		lc_log(LC_LOG_ERROR, "tui: cannot keep the draft %s", key);
}

static void
draft_drop(struct tui_app *app, const char *key)
{
	if (key != NULL && app->db != NULL)
		store_draft_delete(app->db, key);
}

static bool
edit_external(struct tui_app *app, const char *key, const char *editor, const char *initial,
              char **out)
{
	const char *tmp = getenv("TMPDIR");
	char path[512];
	int fd, status;
	char *text = NULL;
	bool ok = false;
	size_t len = initial ? strlen(initial) : 0;

	snprintf(path, sizeof(path), "%s/lectern-post-XXXXXX.md", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemps(path, 3);
	if (fd < 0)
		return false;
	if (len > 0 && write(fd, initial, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return false;
	}
	close(fd);
	setenv("LECTERN_EDIT_CMD", editor, 1);
	status = run_editor(editor, path);
	if (lc_read_file(path, &text, &len) == 0)
		len = trim_end(text, len);
	else
		len = 0;
	if (status != 0) {
		/* What the editor left may be work: kept as the draft, offered next time. */
		if (len > 0 && (initial == NULL || strcmp(text, initial) != 0))
			draft_save(app, key, text);
		/* Short: the status line has ~40 cells for it at 80 columns. */
		tui_flash(app, "Editor exit %d: %s", status,
		          len > 0 ? "text kept as a draft" : "nothing changed");
	} else if (len == 0) {
		tui_flash(app, "Empty file: %s",
		          initial != NULL && initial[0] != '\0' ? "the old text is kept"
		                                                : "nothing to send");
	} else {
		/* Kept until the caller queued it (tui_draft_done): a refused write loses nothing.
		 */
		ok = true;
		draft_save(app, key, text);
	}
	unlink(path);
	if (ok)
		*out = text;
	else
		free(text);
	return ok;
}

/* True for the characters a line may break after (ASCII blanks). */
static bool
is_blank(wchar_t wc)
{
	return wc == L' ' || wc == L'\t' || wc == L'\n';
}

/*
 * Whether a new screen row starts before text index k, at column c of width cells: before
 * a word that does not fit on the row but fits on one of its own (no mid-word wrapping, UX
 * review A15), else before a character past the edge.
 */
static bool
wraps_before(const struct editor *e, int k, int c, int width)
{
	int ww = 0;

	if (c > 0 && !is_blank(e->text[k]) && (k == 0 || is_blank(e->text[k - 1]))) {
		for (int j = k; j < e->len && !is_blank(e->text[j]) && ww <= width; j++)
			ww += tui_wc_width(e->text[j]);
		if (c + ww > width && ww <= width)
			return true;
	}
	/* The first blank after a word hangs in the last column rather than start a row. */
	if (e->text[k] == L' ' && k > 0 && !is_blank(e->text[k - 1]) && c <= width)
		return false;
	return c + tui_wc_width(e->text[k]) > width;
}

/* Screen position of text index i when wrapped at width cells. */
static void
position(const struct editor *e, int i, int width, int *row, int *col)
{
	int r = 0, c = 0;

	for (int k = 0; k < i; k++) {
		if (e->text[k] == L'\n') {
			r++;
			c = 0;
			continue;
		}
		if (wraps_before(e, k, c, width)) {
			r++;
			c = 0;
		}
		c += tui_wc_width(e->text[k]);
	}
	*row = r;
	*col = c;
}

/* The post a reply answers, shown above the built-in editor (A15); NULL otherwise. */
static const char *quote_head, *quote_body;

/* Draws the post being answered from row y0; returns the rows it took (none without). */
static int
draw_quote(int y0, int rows)
{
	struct tui_md_doc doc = {0};
	int max = rows / 3, n;

	if (quote_head == NULL || max < 3)
		return 0;
	tui_put(y0, 1, quote_head, COLS - 2, tui_attr(TUI_ROLE_HEADING));
	tui_md_render(quote_body != NULL ? quote_body : "", COLS - 6 > 10 ? COLS - 6 : 10, &doc);
	n = (int)doc.n < max - 2 ? (int)doc.n : max - 2;
	for (int i = 0; i < n; i++) {
		tui_put(y0 + 1 + i, 1, "|", 1, tui_attr(TUI_ROLE_DIM));
		tui_draw_md_line(y0 + 1 + i, 3, &doc.lines[i], COLS - 4);
	}
	if ((int)doc.n > n)
		tui_put(y0 + n, COLS - 12, " (more...) ", 11, tui_attr(TUI_ROLE_DIM));
	tui_md_free(&doc);
	/* Under a non-UTF-8 locale lines are '-' like everywhere else (issue 13, LANG=C). */
	for (int x = 1; x < COLS - 1; x++)
		mvaddch(y0 + 1 + n, x, tui_text_ascii() ? '-' : ACS_HLINE);
	return n + 2;
}

bool
tui_edit_reply(struct tui_app *app, const char *draft_key, const char *title, const char *head,
               const char *body, char **out)
{
	bool ok;

	quote_head = head;
	quote_body = body;
	ok = tui_edit_draft(app, draft_key, title, NULL, out);
	quote_head = quote_body = NULL;
	return ok;
}

static void
editor_draw(struct editor *e, const char *title, int y0, int rows)
{
	int width = COLS - 2, row = 0, col = 0, cr, cc, q;

	erase();
	tui_draw_title(title, "Ctrl-D send  Esc discard");
	q = draw_quote(y0, rows);
	y0 += q;
	rows -= q;
	position(e, e->cursor, width, &cr, &cc);
	/* Just past a blank hanging at the edge: the next word starts the next row. */
	if (cc > width) {
		cr++;
		cc = 0;
	}
	if (cr < e->top)
		e->top = cr;
	if (cr >= e->top + rows)
		e->top = cr - rows + 1;
	for (int k = 0; k < e->len; k++) {
		int w = tui_wc_width(e->text[k]);
		wchar_t s[2] = {e->text[k], 0};
		cchar_t cc2;

		if (e->text[k] == L'\n') {
			row++;
			col = 0;
			continue;
		}
		if (wraps_before(e, k, col, width)) {
			row++;
			col = 0;
		}
		if (row >= e->top && row < e->top + rows) {
			/*
			 * Under LANG=C only ASCII reaches the terminal, as everywhere else in the
			 * TUI (issue 13; ux review 2026-11-29, A5): what the width above measured.
			 * A control character (a pasted tab) is a blank of its one cell.
			 */
			if (tui_text_ascii() && e->text[k] >= 0x80) {
				mvaddstr(y0 + row - e->top, 1 + col, tui_ascii_subst(e->text[k]));
				col += w;
				continue;
			}
			if (e->text[k] < 0x20)
				s[0] = L' ';
			setcchar(&cc2, s, A_NORMAL, 0, NULL);
			mvadd_wch(y0 + row - e->top, 1 + col, &cc2);
		}
		col += w;
	}
	tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
	tui_put(LINES - 1, 1, "Write in Markdown.  Ctrl-D: send   Esc: discard (asks)", COLS - 2,
	        tui_attr(TUI_ROLE_STATUS));
	move(y0 + cr - e->top, 1 + cc);
	curs_set(1);
	refresh();
}

static void
editor_insert(struct editor *e, wchar_t wc)
{
	if (e->len >= EDIT_MAX)
		return;
	e->changed = true;
	e->unsaved++;
	memmove(&e->text[e->cursor + 1], &e->text[e->cursor],
	        (size_t)(e->len - e->cursor) * sizeof(wchar_t));
	e->text[e->cursor++] = wc;
	e->len++;
}

static void
editor_vertical(struct editor *e, int dir)
{
	int width = COLS - 2, r, c, best = e->cursor;

	position(e, e->cursor, width, &r, &c);
	/* The index on the row above or below whose column is closest to the cursor's. */
	for (int k = 0; k <= e->len; k++) {
		int kr, kc;

		position(e, k, width, &kr, &kc);
		if (kr == r + dir && kc <= c)
			best = k;
		if (kr > r + dir)
			break;
	}
	e->cursor = best;
}

static void
editor_delete(struct editor *e, int at)
{
	memmove(&e->text[at], &e->text[at + 1], (size_t)(e->len - at - 1) * sizeof(wchar_t));
	e->len--;
	e->changed = true;
	e->unsaved++;
}

/* Returns 1 to save, -1 for Esc (the caller asks), 0 to go on. */
static int
editor_key(struct editor *e, wint_t key, bool fn)
{
	if (!fn && key == 4)
		return 1;
	if (!fn && key == 27)
		return -1;
	if (fn && key == KEY_HOME) {
		while (e->cursor > 0 && e->text[e->cursor - 1] != L'\n')
			e->cursor--;
	} else if (fn && key == KEY_END) {
		while (e->cursor < e->len && e->text[e->cursor] != L'\n')
			e->cursor++;
	} else if (fn && key == KEY_DC) {
		if (e->cursor < e->len)
			editor_delete(e, e->cursor);
	} else if (fn && key == KEY_LEFT && e->cursor > 0)
		e->cursor--;
	else if (fn && key == KEY_RIGHT && e->cursor < e->len)
		e->cursor++;
	else if (fn && key == KEY_UP)
		editor_vertical(e, -1);
	else if (fn && key == KEY_DOWN)
		editor_vertical(e, 1);
	else if (((fn && key == KEY_BACKSPACE) || (!fn && (key == 127 || key == 8))) &&
	         e->cursor > 0) {
		editor_delete(e, --e->cursor);
	} else if (!fn && (key == '\r' || key == '\n'))
		editor_insert(e, L'\n');
	else if (!fn && key >= 0x20)
		editor_insert(e, (wchar_t)key);
	return 0;
}

static char *
editor_text(const struct editor *e)
{
	struct tui_field chunk;
	struct lc_buf buf = {0};
	char *part;

	/* Encode through the field helper in slices that fit it. */
	for (int i = 0; i < e->len;) {
		int n = e->len - i > 500 ? 500 : e->len - i;

		memcpy(chunk.text, &e->text[i], (size_t)n * sizeof(wchar_t));
		chunk.len = n;
		part = tui_field_get(&chunk);
		lc_buf_puts(&buf, part);
		free(part);
		i += n;
	}
	return lc_buf_steal(&buf);
}

/* Saves the draft when the text changed since the last save. */
static void
editor_keep(struct tui_app *app, const char *key, struct editor *e)
{
	char *text;

	if (!e->changed)
		return;
	text = editor_text(e);
	if (text[0] != '\0')
		draft_save(app, key, text);
	else
		draft_drop(app, key);
	free(text);
	e->kept = true;
	e->changed = false;
	e->unsaved = 0;
}

/* True when the text differs from what the editor opened with (there is work to lose). */
static bool
editor_has_work(const struct editor *e, const char *initial)
{
	char *text = editor_text(e);
	bool work =
	    trim_end(text, strlen(text)) > 0 && (initial == NULL || strcmp(text, initial) != 0);

	free(text);
	return work;
}

/* orig: the text of the thing before any draft, what Esc compares with before it asks. */
static bool
edit_internal(struct tui_app *app, const char *key_name, const char *title, const char *initial,
              const char *orig, char **out)
{
	struct editor e = {0};
	int done = 0;
	size_t ilen = initial ? strlen(initial) : 0;

	e.text = lc_calloc(EDIT_MAX + 1, sizeof(wchar_t));
	for (size_t i = 0; i < ilen && e.len < EDIT_MAX;) {
		wchar_t wc;

		i += tui_utf8_decode(initial + i, ilen - i, &wc);
		e.text[e.len++] = wc;
	}
	e.cursor = e.len;
	while (done == 0) {
		wint_t key;
		int rc;

		editor_draw(&e, title, tui_body_top(), tui_body_rows());
		rc = tui_term_get_key(&key, DRAFT_PAUSE_MS);
		if (rc == ERR && tui_term_interrupted()) {
			/* Ctrl-C: the key loop quits; what was typed stays as the draft. */
			editor_keep(app, key_name, &e);
			done = -1;
			break;
		}
		if (rc == ERR) {
			editor_keep(app, key_name, &e); /* a pause */
			continue;
		}
		if (rc == KEY_CODE_YES && key == KEY_RESIZE)
			continue;
		done = editor_key(&e, key, rc == KEY_CODE_YES);
		if (done < 0) {
			bool work = editor_has_work(&e, orig);

			if (work && !tui_confirm(app, "Discard what you wrote?")) {
				done = 0;
				continue;
			}
			/*
			 * A draft left for later at the offer stays when this editor wrote none of
			 * its own and had nothing to lose.
			 */
			if (work || e.kept)
				draft_drop(app, key_name);
			tui_flash(app, work ? "Discarded; nothing was sent"
			                    : "Closed; nothing was sent");
		} else if (e.unsaved >= DRAFT_KEYS) {
			editor_keep(app, key_name, &e);
		}
	}
	timeout(-1);
	curs_set(0);
	app->dirty = true;
	if (done > 0) {
		char *text = editor_text(&e);
		size_t len = trim_end(text, strlen(text));

		if (len > 0) {
			/* Kept until the caller queued it (tui_draft_done). */
			draft_save(app, key_name, text);
			*out = text;
		} else {
			free(text);
			tui_flash(app, "Empty text: %s",
			          orig != NULL && orig[0] != '\0' ? "the old text is kept"
			                                          : "nothing was sent");
		}
		free(e.text);
		return len > 0;
	}
	free(e.text);
	return false;
}

/*
 * A draft kept under key: asks "r restore, d discard" (Esc: neither, the draft stays) and
 * returns the draft to restore (caller frees), or NULL.
 */
void
tui_draft_question(int64_t at, char *buf, size_t size)
{
	char when[16] = "earlier";
	time_t t = (time_t)at;
	struct tm tm;

	if (localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%H:%M", &tm);
	snprintf(buf, size, "A draft from %s was kept: r restore, d discard", when);
}

static char *
offer_draft(struct tui_app *app, const char *key)
{
	char *text = NULL, question[128];
	int64_t at = 0;
	wint_t k = 0;
	int rc;

	if (key == NULL || app->db == NULL || store_draft_get(app->db, key, &text, &at) != 0 ||
	    text == NULL)
		return NULL;
	tui_draft_question(at, question, sizeof(question));
	for (;;) {
		tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
		tui_put(LINES - 1, 1, question, COLS - 2, tui_attr(TUI_ROLE_STATUS) | A_BOLD);
		refresh();
		rc = tui_term_get_key(&k, -1);
		if (rc == ERR && tui_term_interrupted())
			break;
		if (rc == OK && (k == 'r' || k == 'R'))
			return text;
		if (rc == OK && (k == 'd' || k == 'D')) {
			draft_drop(app, key);
			break;
		}
		if (rc == OK && k == 27)
			break;
	}
	app->dirty = true;
	free(text);
	return NULL;
}

bool
tui_edit_draft(struct tui_app *app, const char *draft_key, const char *title, const char *initial,
               char **out)
{
	const char *editor = getenv("VISUAL");
	char *restored = offer_draft(app, draft_key);
	bool ok;

	if (editor == NULL || editor[0] == '\0')
		editor = getenv("EDITOR");
	/* A kiosk runs no other program (issue 13, item 5): an editor is a way to a shell. */
	if (app->cfg != NULL && app->cfg->kiosk != TUI_KIOSK_OFF)
		editor = NULL;
	app->dirty = true;
	if (editor != NULL && editor[0] != '\0') {
		lc_log(LC_LOG_INFO, "tui: editing with %s", editor);
		ok = edit_external(app, draft_key, editor, restored ? restored : initial, out);
	} else {
		ok = edit_internal(app, draft_key, title, restored ? restored : initial, initial,
		                   out);
	}
	/*
	 * Restoring does not remove the draft: only discarding the text, or the caller once it
	 * queued the text (tui_draft_done), does. A false return has said why on the status
	 * line; a true one clears it, so that what the caller says next is about its write.
	 */
	free(restored);
	if (ok)
		app->flash[0] = '\0';
	return ok;
}

void
tui_draft_done(struct tui_app *app, const char *draft_key)
{
	draft_drop(app, draft_key);
}

void
tui_draft_kept(struct tui_app *app)
{
	static const char not_saved[] = "Not saved: ";
	char cause[sizeof(app->flash)];
	const char *why = app->flash[0] != '\0' ? app->flash : "not queued";

	/* The write's refusal (flashed by the caller) stays in view: it says what to fix. */
	if (strncmp(why, not_saved, sizeof(not_saved) - 1) == 0)
		why += sizeof(not_saved) - 1;
	snprintf(cause, sizeof(cause), "%s", why);
	tui_flash(app, "Kept as a draft: %s", cause);
}
