/* SPDX-License-Identifier: MIT */
/*
 * Reader: one item's Markdown rendered by markdown.c, scrolled by line and by page. ] and [
 * (and n, p without a search) go to the next and previous item in course order; / searches
 * the page and n, N go from match to match; u lists the page's links, which open with the
 * user's opener (never in kiosk mode) or are copied to a file next to the replica. Opening
 * an item records it as started, and a page is recorded as completed when the learner has
 * seen its end: its last line is on the screen after a key of the reader (a scroll, a
 * search...), so a short page is not complete the instant it opens (ux review 2026-11-29,
 * A14), but at the first such key; c marks it at once.
 * tui_view_preview is the same screen for course staff (the course editor's p): the page
 * exactly as learners see it, without recording any progress.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/markdown.h"
#include "tui/term.h"
#include "tui/tui-int.h"

struct reader {
	char *item_id;
	char *course_id;
	char *title;
	char *kind;
	char *markdown;
	struct tui_md_doc doc;
	int width;
	int top;
	int progress;
	bool preview; /* staff looking: no progress is recorded */
	bool acted;   /* a key of the reader was pressed: a page shown to its end is read */
	/* The search: its text, its matches in the rendered doc, the current one (-1: none). */
	char *query;
	struct tui_md_match *matches;
	size_t n_matches;
	long match;
	/* The link list (u) instead of the page, and its selection. */
	bool links_shown;
	struct tui_list links;
};

static const struct tui_key_help reader_keys[] = {
    {"j, k, Down, Up", "scroll a line"},
    {"Space, PgDn, b, PgUp", "scroll a page"},
    {"g, G", "top, end"},
    {"/", "search the page (Enter with nothing clears it)"},
    {"n, N", "next, previous match (without a search: n next item)"},
    {"], [ (p)", "next, previous item of the course"},
    {"u", "list the links: Enter/o opens, y copies"},
    {"c", "mark complete (a page: on seeing its end)"},
    {NULL, NULL},
};

static int
body_width(void)
{
	int w = COLS - 4;

	/* Long lines are hard to read: cap the measure on wide screens. */
	if (w > 100)
		w = 100;
	return w > 10 ? w : 10;
}

static void
compose(const cJSON *doc, struct lc_buf *md)
{
	const char *kind = tui_json_str(doc, "kind");
	const char *body = tui_json_str(doc, "body");

	/* Most lessons open with their own heading; give one only to those that do not. */
	if (strncmp(body, "# ", 2) != 0) {
		lc_buf_puts(md, "# ");
		tui_md_escape(md, tui_json_str(doc, "title"));
		lc_buf_puts(md, "\n\n");
	}
	if (*tui_json_str(doc, "due_at") != '\0')
		lc_buf_printf(md, "*Due %.10s*\n\n", tui_json_str(doc, "due_at"));
	if (*tui_json_str(doc, "url") != '\0')
		lc_buf_printf(md, "<%s>\n\n", tui_json_str(doc, "url"));
	if (strcmp(kind, "assignment") == 0)
		lc_buf_puts(md, "*Assignment: hand it in as your instructor explains.*\n\n");
	lc_buf_puts(md, body);
}

static void
render(struct reader *rd)
{
	tui_md_free(&rd->doc);
	rd->width = body_width();
	tui_md_render(rd->markdown ? rd->markdown : "", rd->width, &rd->doc);
	/* Lines moved: the matches are found again; the current one is kept by its number. */
	free(rd->matches);
	rd->matches = NULL;
	rd->n_matches = tui_md_find(&rd->doc, rd->query, &rd->matches);
	if (rd->match >= (long)rd->n_matches)
		rd->match = rd->n_matches > 0 ? 0 : -1;
}

static int
load(struct tui_app *app, struct reader *rd)
{
	struct store_resource res = {0};
	struct lc_buf md = {0};
	cJSON *doc;
	int rc = store_resource_get(app->db, "item", rd->item_id, &res);

	if (rc < 0)
		return rc;
	doc = cJSON_Parse(res.doc);
	free(rd->title);
	free(rd->kind);
	free(rd->course_id);
	free(rd->markdown);
	rd->title = lc_strdup(tui_json_str(doc, "title"));
	rd->kind = lc_strdup(tui_json_str(doc, "kind"));
	rd->course_id = lc_strdup(tui_json_str(doc, "course_id"));
	compose(doc, &md);
	rd->markdown = lc_buf_steal(&md);
	cJSON_Delete(doc);
	store_resource_finish(&res);
	rd->progress = tui_item_progress(app, rd->item_id);
	render(rd);
	return 0;
}

static void
reader_reload(struct tui_app *app, void *state)
{
	load(app, state);
}

/* Staff of the course who are not enrolled in it: they read, they record no progress. */
static bool
reads_as_staff(struct tui_app *app, const struct reader *rd)
{
	return !tui_is_enrolled(app, rd->course_id) && tui_teaches(app, rd->course_id);
}

static int
reader_open(struct tui_app *app, const char *arg, void **state)
{
	struct reader *rd;
	int rc;

	if (arg == NULL)
		return -LC_EINVAL;
	rd = lc_calloc(1, sizeof(*rd));
	rd->item_id = lc_strdup(arg);
	rd->match = -1;
	rc = load(app, rd);
	if (rc < 0) {
		free(rd->item_id);
		free(rd);
		return rc;
	}
	/* Staff read their course without being enrolled: the server would refuse progress. */
	if (rd->progress == 0 && !reads_as_staff(app, rd))
		tui_write_progress(app, rd->item_id, rd->course_id, "started");
	*state = rd;
	return 0;
}

/* As reader_open() without the progress (kept apart so that reader_open() stays as it was). */
static int
preview_open(struct tui_app *app, const char *arg, void **state)
{
	struct reader *rd;
	int rc;

	if (arg == NULL)
		return -LC_EINVAL;
	rd = lc_calloc(1, sizeof(*rd));
	rd->item_id = lc_strdup(arg);
	rd->match = -1;
	rd->preview = true;
	rc = load(app, rd);
	if (rc < 0) {
		free(rd->item_id);
		free(rd);
		return rc;
	}
	*state = rd;
	return 0;
}

static void
reader_close(void *state)
{
	struct reader *rd = state;

	tui_md_free(&rd->doc);
	free(rd->item_id);
	free(rd->course_id);
	free(rd->title);
	free(rd->kind);
	free(rd->markdown);
	free(rd->query);
	free(rd->matches);
	free(rd);
}

static bool
at_end(const struct reader *rd)
{
	return rd->top + tui_body_rows() - 1 >= (int)rd->doc.n;
}

static void
complete(struct tui_app *app, struct reader *rd, bool explicit)
{
	if (rd->preview)
		return;
	if (rd->progress == 2) {
		if (explicit)
			tui_flash(app, "Already complete");
		return;
	}
	if (tui_kind_completes_by_attempt(rd->kind)) {
		if (explicit)
			tui_flash(app, "Not marked: " TUI_QUIZ_COMPLETE_MSG);
		return;
	}
	if (reads_as_staff(app, rd)) {
		if (explicit)
			tui_flash(app, "Not marked: you teach this course");
		return;
	}
	if (tui_write_progress(app, rd->item_id, rd->course_id, "completed") == 0) {
		rd->progress = 2;
		tui_flash(app, "Marked complete");
	}
}

/* Draws a line with the search's matches on it: the current one in reverse video. */
static void
draw_line(const struct reader *rd, int y, int x, size_t index, int cells)
{
	const struct tui_md_line *line = &rd->doc.lines[index];
	size_t first = 0, off = 0;
	int used = 0;

	/* Matches are in reading order: skip to the first on this line. */
	while (first < rd->n_matches && rd->matches[first].line < index)
		first++;
	if (first == rd->n_matches || rd->matches[first].line != index) {
		tui_draw_md_line(y, x, line, cells);
		return;
	}
	for (size_t i = 0; i < line->n && used < cells; i++) {
		const char *t = line->spans[i].text;
		size_t len = strlen(t), pos = 0;
		attr_t base = A_NORMAL;

		/* The span's own look, as tui_draw_md_line() maps it. */
		if (line->spans[i].style & TUI_MD_HEADING)
			base |= tui_attr(TUI_ROLE_HEADING);
		if (line->spans[i].style & TUI_MD_BOLD)
			base |= A_BOLD;
		if (line->spans[i].style & TUI_MD_ITALIC)
			base |= A_ITALIC;
		if (line->spans[i].style & TUI_MD_CODE)
			base |= tui_attr(TUI_ROLE_CODE);
		if (line->spans[i].style & TUI_MD_LINK)
			base |= tui_attr(TUI_ROLE_LINK);
		if (line->spans[i].style & (TUI_MD_QUOTE | TUI_MD_MARK))
			base |= tui_attr(TUI_ROLE_QUOTE);
		while (pos < len && used < cells) {
			size_t at = off + pos, end = len;
			attr_t a = base;
			size_t m = first;

			while (m < rd->n_matches && rd->matches[m].line == index &&
			       rd->matches[m].start + rd->matches[m].len <= at)
				m++;
			if (m < rd->n_matches && rd->matches[m].line == index) {
				size_t ms = rd->matches[m].start, me = ms + rd->matches[m].len;

				if (at >= ms) {
					/* Inside a match: visible without colour too (NO_COLOR). */
					a = tui_attr(TUI_ROLE_MATCH) |
					    ((long)m == rd->match ? A_REVERSE : A_UNDERLINE);
					end = me - off < len ? me - off : len;
				} else {
					end = ms - off < len ? ms - off : len;
				}
			}
			used += tui_putn(y, x + used, t + pos, end - pos, cells - used, a);
			pos = end;
		}
		off += len;
	}
}

/* Scrolls so that match m is on the screen, a third down when it has to move. */
static void
show_match(struct reader *rd, long m)
{
	int rows = tui_body_rows() - 1;
	int line = (int)rd->matches[m].line;

	rd->match = m;
	if (line < rd->top || line >= rd->top + rows)
		rd->top = line - rows / 3;
}

static void
search(struct tui_app *app, struct reader *rd)
{
	char *q = NULL;

	/* The prompt takes every key typed until Enter or Esc: none runs as a command. */
	/* A new search starts empty, as in less and the catalog (A11). */
	if (!tui_prompt(app, "Search: ", "", &q))
		return;
	free(rd->query);
	rd->query = q[0] != '\0' ? q : NULL;
	if (rd->query == NULL)
		free(q);
	free(rd->matches);
	rd->matches = NULL;
	rd->match = -1;
	rd->n_matches = tui_md_find(&rd->doc, rd->query, &rd->matches);
	if (rd->query == NULL) {
		tui_flash(app, "Search cleared");
		return;
	}
	if (rd->n_matches == 0) {
		tui_flash(app, "Not found: %s", rd->query);
		return;
	}
	/* The first match from the top of the screen down, as less does. */
	for (size_t i = 0; i < rd->n_matches; i++) {
		if ((int)rd->matches[i].line >= rd->top) {
			show_match(rd, (long)i);
			tui_flash(app, "Match %ld of %zu", rd->match + 1, rd->n_matches);
			return;
		}
	}
	show_match(rd, 0);
	tui_flash(app, "Match 1 of %zu (from the top)", rd->n_matches);
}

static void
search_next(struct tui_app *app, struct reader *rd, int dir)
{
	long n = (long)rd->n_matches, m = rd->match;
	bool wrapped;

	if (n == 0) {
		tui_flash(app, rd->query ? "Not found: %s" : "No search: / searches the page%s",
		          rd->query ? rd->query : "");
		return;
	}
	m = m < 0 ? (dir > 0 ? 0 : n - 1) : m + dir;
	wrapped = m < 0 || m >= n;
	m = (m + n) % n;
	show_match(rd, m);
	tui_flash(app, "Match %ld of %ld%s", m + 1, n,
	          wrapped ? (dir > 0 ? " (from the top)" : " (from the end)") : "");
}

/* ---- Links ---- */

/* Only web and mail links go to the opener: a file: or other scheme from a page could run
 * something on this computer through xdg-open's handlers. */
static bool
openable(const char *url)
{
	return strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0 ||
	       strncmp(url, "mailto:", 7) == 0;
}

/*
 * Runs the user's opener ($BROWSER, else xdg-open) on url with the terminal handed over
 * and taken back, as tui/editor.c runs $EDITOR; url is the shell's "$1", never parsed as
 * shell text. Returns the exit status, or -1.
 */
static int
run_opener(const char *opener, const char *url)
{
	pid_t pid;
	int status = 0;

	if (setenv("LECTERN_OPEN_CMD", opener, 1) != 0)
		return -1;
	tui_term_suspend();
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "$LECTERN_OPEN_CMD \"$1\"", "sh", url, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	tui_term_resume();
	return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
open_link(struct tui_app *app, const char *url, int number)
{
	const char *browser = getenv("BROWSER");
	const char *opener = browser != NULL && browser[0] != '\0' ? browser : "xdg-open";
	int status;

	/* Kiosk mode starts no other program, ever (issue 13). */
	if (app->cfg->kiosk != TUI_KIOSK_OFF) {
		tui_flash(app, "Kiosk mode opens no links; y copies");
		return;
	}
	if (!openable(url)) {
		tui_flash(app, "Opens only http(s)/mailto; y copies");
		return;
	}
	status = run_opener(opener, url);
	if (status == 0)
		tui_flash(app, "Opened [%d]", number);
	else if (status == 127)
		tui_flash(app, "No opener: set $BROWSER");
	else
		tui_flash(app, "The opener failed (exit %d)", status);
}

/* The file a copied link goes to: link.txt next to the replica (caller frees), or NULL. */
static char *
copy_path(const struct tui_app *app)
{
	const char *slash = app->db_path != NULL ? strrchr(app->db_path, '/') : NULL;

	if (app->db_path == NULL)
		return NULL;
	if (slash == NULL)
		return lc_strdup("link.txt");
	return lc_asprintf("%.*s/link.txt", (int)(slash - app->db_path), app->db_path);
}

/*
 * Copies url to link.txt next to the replica (private, replaced each time), where a
 * terminal's user can paste it from; no clipboard program is started, so this works in
 * kiosk mode and over ssh.
 */
static void
copy_link(struct tui_app *app, const char *url, int number)
{
	char *path = copy_path(app);
	size_t len = strlen(url);
	int fd = path != NULL ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	bool ok = fd >= 0 && write(fd, url, len) == (ssize_t)len && write(fd, "\n", 1) == 1;

	if (fd >= 0 && close(fd) != 0)
		ok = false;
	if (ok)
		tui_flash(app, "Copied [%d] to link.txt", number);
	else
		tui_flash(app, "Cannot write link.txt: %s", path ? strerror(errno) : "no replica");
	free(path);
}

static void
draw_links(struct reader *rd, int rows)
{
	int top = tui_body_top();

	tui_put(top, 2, "Links: Enter/o opens, y copies, 1-9 picks, Esc back", COLS - 3,
	        tui_attr(TUI_ROLE_HEADING));
	if (rd->doc.n_links == 0) {
		tui_put(top + 2, 2, "This page has no links.", COLS - 3, A_NORMAL);
		return;
	}
	rd->links.n = (int)rd->doc.n_links;
	tui_list_clamp(&rd->links, rows - 2);
	for (int r = 0; r < rows - 2 && rd->links.top + r < rd->links.n; r++) {
		int i = rd->links.top + r;
		char *text = lc_asprintf("[%d] %s", i + 1, rd->doc.links[i]);
		attr_t a = i == rd->links.sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;

		if (i == rd->links.sel)
			tui_clear_to_eol(top + 2 + r, 1, a);
		tui_put(top + 2 + r, 2, text, COLS - 3, a);
		free(text);
	}
}

static enum tui_key_result
links_key(struct tui_app *app, struct reader *rd, wint_t key, bool fn_key)
{
	int rows = tui_body_rows() - 3;

	if (!fn_key && (key == 27 || key == 'q' || key == 'u')) {
		rd->links_shown = false;
		return TUI_KEY_HANDLED;
	}
	if (rd->doc.n_links == 0)
		return TUI_KEY_UNHANDLED; /* Q, ?, s... as on any screen */
	rd->links.n = (int)rd->doc.n_links;
	if (!fn_key && key >= '1' && key <= '9' && (int)(key - '0') <= rd->links.n)
		rd->links.sel = (int)(key - '1');
	else if ((fn_key && key == KEY_ENTER) ||
	         (!fn_key && (key == '\n' || key == '\r' || key == 'o')))
		open_link(app, rd->doc.links[rd->links.sel], rd->links.sel + 1);
	else if (!fn_key && key == 'y')
		copy_link(app, rd->doc.links[rd->links.sel], rd->links.sel + 1);
	else if (!tui_list_key(&rd->links, key, fn_key, rows))
		return TUI_KEY_UNHANDLED; /* Q, ?, s... as on any screen; never the page's keys */
	tui_list_clamp(&rd->links, rows);
	return TUI_KEY_HANDLED;
}

static void
reader_draw(struct tui_app *app, void *state)
{
	struct reader *rd = state;
	int rows = tui_body_rows() - 1, n;
	char right[64];

	/* A resize renders the text again: count its lines only after that (the count from
	 * before would index past the new lines when the window widens). */
	if (rd->width != body_width())
		render(rd);
	n = (int)rd->doc.n;
	if (rd->top > n - rows)
		rd->top = n - rows;
	if (rd->top < 0)
		rd->top = 0;
	/* Seen to its end: the last line is on the screen after a key of the reader. Before
	 * the title, which then says "done" at once. */
	if (rd->acted && !rd->links_shown && at_end(rd) && strcmp(rd->kind, "page") == 0)
		complete(app, rd, false);
	snprintf(right, sizeof(right), "%s%s", rd->kind,
	         rd->preview         ? "  preview"
	         : rd->progress == 2 ? "  done"
	         : rd->progress == 1 ? "  started"
	                             : "");
	tui_draw_title(rd->title, right);
	if (rd->links_shown) {
		draw_links(rd, rows);
		char *path = copy_path(app);
		char *foot = lc_asprintf("-- links --  u back  y copies to %s", path ? path : "?");

		/* The whole path here: the status line has room for a short message only. */
		tui_put(LINES - 2, 1, foot, COLS - 2, tui_attr(TUI_ROLE_DIM));
		free(foot);
		free(path);
		return;
	}
	for (int r = 0; r < rows && rd->top + r < n; r++)
		draw_line(rd, tui_body_top() + r, 2, (size_t)(rd->top + r), COLS - 3);
	snprintf(right, sizeof(right), "-- %s (%d%%) --  / search  u links  ] next  [ previous",
	         at_end(rd) ? "end" : "more",
	         n == 0 ? 100 : (rd->top + rows >= n ? 100 : (rd->top + rows) * 100 / n));
	tui_put(LINES - 2, 1, right, COLS - 2, tui_attr(TUI_ROLE_DIM));
}

/* The item next to this one (dir +1 or -1) in course order, or NULL. Caller frees. */
static char *
neighbour(struct tui_app *app, struct reader *rd, int dir)
{
	struct store_resource_list items = {0};
	char *found = NULL;

	if (tui_course_items(app, rd->course_id, &items) < 0)
		return NULL;
	for (size_t i = 0; i < items.n; i++) {
		if (strcmp(items.items[i].id, rd->item_id) != 0)
			continue;
		if (dir > 0 && i + 1 < items.n)
			found = lc_strdup(items.items[i + 1].id);
		else if (dir < 0 && i > 0)
			found = lc_strdup(items.items[i - 1].id);
		break;
	}
	store_resource_list_free(&items);
	return found;
}

static void
go_to(struct tui_app *app, struct reader *rd, int dir)
{
	char *id = neighbour(app, rd, dir);
	bool rd_preview = rd->preview; /* rd goes with the pop */

	if (id == NULL) {
		tui_flash(app, dir > 0 ? "This is the last item" : "This is the first item");
		return;
	}
	/* Replace this screen, so that back still returns to the course. */
	tui_pop(app);
	if (rd_preview)
		tui_push(app, &tui_view_preview, id);
	else
		tui_open_item(app, id);
	free(id);
}

static enum tui_key_result
reader_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct reader *rd = state;
	int page = tui_body_rows() - 2;

	if (rd->links_shown)
		return links_key(app, rd, key, fn_key);
	if ((fn_key && key == KEY_DOWN) || (!fn_key && key == 'j'))
		rd->top++;
	else if ((fn_key && key == KEY_UP) || (!fn_key && key == 'k'))
		rd->top--;
	else if ((fn_key && key == KEY_NPAGE) || (!fn_key && key == ' '))
		rd->top += page;
	else if ((fn_key && key == KEY_PPAGE) || (!fn_key && key == 'b'))
		rd->top -= page;
	else if ((fn_key && key == KEY_HOME) || (!fn_key && key == 'g'))
		rd->top = 0;
	else if ((fn_key && key == KEY_END) || (!fn_key && key == 'G'))
		rd->top = (int)rd->doc.n;
	else if (!fn_key && key == 'c')
		complete(app, rd, true);
	else if (!fn_key && key == '/')
		search(app, rd);
	else if (!fn_key && (key == 'N' || (key == 'n' && rd->query != NULL)))
		search_next(app, rd, key == 'n' ? 1 : -1);
	else if (!fn_key && key == 'u') {
		rd->links_shown = true;
		return TUI_KEY_HANDLED;
	} else if (!fn_key && (key == 'n' || key == 'p' || key == ']' || key == '[')) {
		go_to(app, rd, key == 'n' || key == ']' ? 1 : -1); /* rd may be gone now */
		return TUI_KEY_HANDLED;
	} else
		return TUI_KEY_UNHANDLED;
	if (rd->top < 0)
		rd->top = 0;
	rd->acted = true;
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_reader = {
    .name = "reader",
    .keys = reader_keys,
    .open = reader_open,
    .close = reader_close,
    .reload = reader_reload,
    .draw = reader_draw,
    .key = reader_key,
};

const struct tui_view tui_view_preview = {
    .name = "preview",
    .keys = reader_keys,
    .open = preview_open,
    .close = reader_close,
    .reload = reader_reload,
    .draw = reader_draw,
    .key = reader_key,
};
