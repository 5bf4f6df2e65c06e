/* SPDX-License-Identifier: MIT */
/*
 * Writing posts: $EDITOR on a private temporary file when the user has one, with the
 * terminal handed over and taken back; otherwise a small editor on the screen (typing,
 * Enter for a new line, arrows, Backspace; Ctrl-D saves, Esc cancels).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/mem.h"
#include "tui/term.h"
#include "tui/text.h"
#include "tui/tui-int.h"

#define EDIT_MAX 20000

struct editor {
	wchar_t *text;
	int len;
	int cursor;
	int top; /* first screen row shown */
};

static bool
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
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool
edit_external(const char *editor, const char *initial, char **out)
{
	const char *tmp = getenv("TMPDIR");
	char path[512];
	int fd;
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
	if (run_editor(editor, path) && lc_read_file(path, &text, &len) == 0) {
		while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
			text[--len] = '\0';
		ok = len > 0;
	}
	unlink(path);
	if (ok)
		*out = text;
	else
		free(text);
	return ok;
}

/* Screen position of text index i when wrapped at width cells. */
static void
position(const struct editor *e, int i, int width, int *row, int *col)
{
	int r = 0, c = 0;

	for (int k = 0; k < i; k++) {
		int w = tui_wc_width(e->text[k]);

		if (e->text[k] == L'\n') {
			r++;
			c = 0;
			continue;
		}
		if (c + w > width) {
			r++;
			c = 0;
		}
		c += w;
	}
	*row = r;
	*col = c;
}

static void
editor_draw(struct editor *e, const char *title, int y0, int rows)
{
	int width = COLS - 2, row = 0, col = 0, cr, cc;

	erase();
	tui_draw_title(title, "Ctrl-D send  Esc cancel");
	position(e, e->cursor, width, &cr, &cc);
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
		if (col + w > width) {
			row++;
			col = 0;
		}
		if (row >= e->top && row < e->top + rows) {
			setcchar(&cc2, s, A_NORMAL, 0, NULL);
			mvadd_wch(y0 + row - e->top, 1 + col, &cc2);
		}
		col += w;
	}
	tui_clear_to_eol(LINES - 1, 0, tui_attr(TUI_ROLE_STATUS));
	tui_put(LINES - 1, 1, "Write in Markdown.  Ctrl-D: send   Esc: cancel", COLS - 2,
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

/* Returns 1 to save, -1 to cancel, 0 to go on. */
static int
editor_key(struct editor *e, wint_t key, bool fn)
{
	if (!fn && key == 4)
		return 1;
	if (!fn && key == 27)
		return -1;
	if (fn && key == KEY_LEFT && e->cursor > 0)
		e->cursor--;
	else if (fn && key == KEY_RIGHT && e->cursor < e->len)
		e->cursor++;
	else if (fn && key == KEY_UP)
		editor_vertical(e, -1);
	else if (fn && key == KEY_DOWN)
		editor_vertical(e, 1);
	else if (((fn && key == KEY_BACKSPACE) || (!fn && (key == 127 || key == 8))) &&
	         e->cursor > 0) {
		memmove(&e->text[e->cursor - 1], &e->text[e->cursor],
		        (size_t)(e->len - e->cursor) * sizeof(wchar_t));
		e->cursor--;
		e->len--;
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

static bool
edit_internal(struct tui_app *app, const char *title, const char *initial, char **out)
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
	timeout(-1);
	while (done == 0) {
		wint_t key;
		int rc;

		editor_draw(&e, title, tui_body_top(), tui_body_rows());
		rc = get_wch(&key);
		if (rc == ERR && tui_term_interrupted()) {
			done = -1; /* Ctrl-C: cancel, then the key loop quits */
			break;
		}
		if (rc == ERR)
			continue;
		if (rc == KEY_CODE_YES && key == KEY_RESIZE)
			continue;
		done = editor_key(&e, key, rc == KEY_CODE_YES);
	}
	curs_set(0);
	app->dirty = true;
	if (done > 0) {
		char *text = editor_text(&e);
		size_t len = strlen(text);

		while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
			text[--len] = '\0';
		if (len > 0)
			*out = text;
		else
			free(text);
		free(e.text);
		return len > 0;
	}
	free(e.text);
	return false;
}

bool
tui_edit_text(struct tui_app *app, const char *title, const char *initial, char **out)
{
	const char *editor = getenv("EDITOR");

	app->dirty = true;
	if (editor != NULL && editor[0] != '\0') {
		lc_log(LC_LOG_INFO, "tui: editing with %s", editor);
		return edit_external(editor, initial, out);
	}
	return edit_internal(app, title, initial, out);
}
