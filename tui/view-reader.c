/* SPDX-License-Identifier: MIT */
/*
 * Reader: one item's Markdown rendered by markdown.c, scrolled by line and by page. n and p
 * go to the next and previous item in course order; opening an item records it as started,
 * and a page is recorded as completed when the learner reaches its end (or presses c).
 * tui_view_preview is the same screen for course staff (the course editor's p): the page
 * exactly as learners see it, without recording any progress.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/markdown.h"
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
};

static const struct tui_key_help reader_keys[] = {
    {"j, k, Down, Up", "scroll a line"},
    {"Space, PgDn, b, PgUp", "scroll a page"},
    {"g, G", "top, end"},
    {"n, p", "next, previous item of the course"},
    {"c", "mark complete (a page: on reaching its end)"},
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
	snprintf(right, sizeof(right), "%s%s", rd->kind,
	         rd->preview         ? "  preview"
	         : rd->progress == 2 ? "  done"
	         : rd->progress == 1 ? "  started"
	                             : "");
	tui_draw_title(rd->title, right);
	for (int r = 0; r < rows && rd->top + r < n; r++)
		tui_draw_md_line(tui_body_top() + r, 2, &rd->doc.lines[rd->top + r], COLS - 3);
	snprintf(right, sizeof(right), "-- %s (%d%%) --  n next  p previous",
	         at_end(rd) ? "end" : "more",
	         n == 0 ? 100 : (rd->top + rows >= n ? 100 : (rd->top + rows) * 100 / n));
	tui_put(LINES - 2, 1, right, COLS - 2, tui_attr(TUI_ROLE_DIM));
	if (at_end(rd) && strcmp(rd->kind, "page") == 0)
		complete(app, rd, false);
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
	else if (!fn_key && (key == 'n' || key == 'p')) {
		go_to(app, rd, key == 'n' ? 1 : -1); /* rd may be gone now */
		return TUI_KEY_HANDLED;
	} else
		return TUI_KEY_UNHANDLED;
	if (rd->top < 0)
		rd->top = 0;
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
