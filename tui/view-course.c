/* SPDX-License-Identifier: MIT */
/*
 * Course: its modules and items in order, each item marked done [x], started [~] or not
 * started [ ], and the course's percent complete. Enter opens an item in the reader or the
 * quiz screen.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/tui-int.h"

struct crow {
	bool is_module;
	char *id;
	char *title;
	char *kind;
	char *due; /* "due 2026-12-02, tomorrow", or NULL (UX review A18) */
	int progress;
	bool pending;
};

struct course {
	char *course_id;
	char *title;
	int percent;
	struct crow *rows;
	int n;
	struct tui_list list;
};

static const struct tui_key_help course_keys[] = {
    {"j, k, Down, Up, PgDn, PgUp, g, G", "move between items"},
    {"Enter, l, Right", "open the item (reader or quiz)"},
    {"f", "the course's forum"},
    {"d", "course details"},
    {NULL, NULL},
};

static void
clear_rows(struct course *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->rows[i].id);
		free(c->rows[i].title);
		free(c->rows[i].kind);
		free(c->rows[i].due);
	}
	free(c->rows);
	c->rows = NULL;
	c->n = 0;
}

static struct crow *
add_row(struct course *c, bool is_module, const char *id, const cJSON *doc)
{
	struct crow *r;

	c->rows = lc_realloc(c->rows, (size_t)(c->n + 1) * sizeof(*c->rows));
	r = &c->rows[c->n++];
	memset(r, 0, sizeof(*r));
	r->is_module = is_module;
	r->id = lc_strdup(id);
	r->title = lc_strdup(tui_json_str(doc, "title"));
	r->kind = lc_strdup(tui_json_str(doc, "kind"));
	return r;
}

/* "due 2026-12-02, in 2 days" in local time; the date alone once done. NULL: no date. */
static char *
due_label(const char *due_at, bool done)
{
	char date[16], words[32];
	int64_t at;
	time_t t;
	struct tm tm;

	if (*due_at == '\0' || lc_rfc3339_parse(due_at, &at) < 0)
		return NULL;
	t = (time_t)at;
	if (localtime_r(&t, &tm) == NULL || strftime(date, sizeof(date), "%Y-%m-%d", &tm) == 0)
		return NULL;
	if (done)
		return lc_asprintf("due %s", date);
	tui_due_words(at, lc_now(), words, sizeof(words));
	return lc_asprintf("due %s, %s", date, words);
}

static void
load_items(struct tui_app *app, struct course *c, const char *module_id)
{
	struct store_resource_list items = {0};

	if (store_resource_list(app->db, "item", module_id, NULL, STORE_ORDER_POSITION, &items) < 0)
		return;
	for (size_t i = 0; i < items.n; i++) {
		cJSON *doc = cJSON_Parse(items.items[i].doc);
		struct crow *r = add_row(c, false, items.items[i].id, doc);

		r->progress = tui_item_progress(app, items.items[i].id);
		r->due = due_label(tui_json_str(doc, "due_at"), r->progress == 2);
		cJSON_Delete(doc);
	}
	store_resource_list_free(&items);
}

static void
course_reload(struct tui_app *app, void *state)
{
	struct course *c = state;
	struct store_resource res = {0};
	struct store_resource_list mods = {0};

	clear_rows(c);
	if (store_resource_get(app->db, "course", c->course_id, &res) == 0) {
		cJSON *doc = cJSON_Parse(res.doc);

		free(c->title);
		c->title = lc_strdup(tui_json_str(doc, "title"));
		cJSON_Delete(doc);
		store_resource_finish(&res);
	}
	if (store_resource_list(app->db, "module", c->course_id, NULL, STORE_ORDER_POSITION,
	                        &mods) == 0) {
		for (size_t i = 0; i < mods.n; i++) {
			cJSON *doc = cJSON_Parse(mods.items[i].doc);

			add_row(c, true, mods.items[i].id, doc);
			cJSON_Delete(doc);
			load_items(app, c, mods.items[i].id);
		}
	}
	store_resource_list_free(&mods);
	c->percent = tui_course_percent(app, c->course_id);
	c->list.n = c->n;
	if (c->list.sel < c->n && c->rows[c->list.sel].is_module && c->list.sel + 1 < c->n)
		c->list.sel++;
	tui_list_clamp(&c->list, tui_body_rows() - 2);
}

static int
course_open(struct tui_app *app, const char *arg, void **state)
{
	struct course *c;

	if (arg == NULL)
		return -LC_EINVAL;
	c = lc_calloc(1, sizeof(*c));
	c->course_id = lc_strdup(arg);
	course_reload(app, c);
	*state = c;
	return 0;
}

static void
course_close(void *state)
{
	struct course *c = state;

	clear_rows(c);
	free(c->course_id);
	free(c->title);
	free(c);
}

static void
course_draw(struct tui_app *app, void *state)
{
	static const char *const marks[] = {"[ ]", "[~]", "[x]"};
	struct course *c = state;
	int rows = tui_body_rows() - 2, top = tui_body_top() + 2;

	tui_draw_title(c->title ? c->title : "Course", "f forum  d details");
	tui_put(tui_body_top(), 1, "Complete:", 10, A_BOLD);
	tui_draw_progress(tui_body_top(), 11, COLS - 13 > 40 ? 40 : COLS - 13, c->percent);
	if (c->n == 0) {
		const char *first = tui_status_first_sync(app);

		tui_put(top, 3, first ? first : "No modules on this replica yet. Press s to sync.",
		        COLS - 4, tui_attr(TUI_ROLE_DIM));
	}
	tui_list_clamp(&c->list, rows);
	/* Keep an item's module heading in view above it. */
	if (c->list.top > 0 && c->list.top == c->list.sel && c->rows[c->list.top - 1].is_module)
		c->list.top--;
	for (int r = 0; r < rows && c->list.top + r < c->n; r++) {
		const struct crow *row = &c->rows[c->list.top + r];
		bool sel = c->list.top + r == c->list.sel;
		attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;
		int y = top + r;

		if (row->is_module) {
			tui_put(y, 1, row->title, COLS - 2, tui_attr(TUI_ROLE_HEADING));
			continue;
		}
		if (sel)
			tui_clear_to_eol(y, 1, a);
		tui_put(y, 1, sel ? ">" : " ", 1, a);
		tui_put(y, 3, marks[row->progress], 3,
		        a | (row->progress == 2 ? tui_attr(TUI_ROLE_GOOD) : A_NORMAL));
		tui_put(y, 7, row->title, COLS - 20 - (row->due ? 29 : 0), a);
		if (row->due != NULL)
			tui_put(y, COLS - 41, row->due, 28,
			        a | (row->progress == 2 ? tui_attr(TUI_ROLE_DIM)
			                                : tui_attr(TUI_ROLE_WARN)));
		tui_put(y, COLS - 12, row->kind, 11, a | tui_attr(TUI_ROLE_DIM));
	}
}

static enum tui_key_result
course_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct course *c = state;
	int old = c->list.sel;

	if (tui_list_key(&c->list, key, fn_key, tui_body_rows() - 2)) {
		int dir = c->list.sel >= old ? 1 : -1;

		/* Module headings are not items: step over them. */
		while (c->list.sel >= 0 && c->list.sel < c->n && c->rows[c->list.sel].is_module)
			c->list.sel += dir;
		/* Past the end (g on a first heading): look the other way from there. */
		if (c->list.sel < 0 || c->list.sel >= c->n) {
			c->list.sel = c->list.sel < 0 ? 0 : c->n - 1;
			while (c->list.sel >= 0 && c->list.sel < c->n &&
			       c->rows[c->list.sel].is_module)
				c->list.sel -= dir;
		}
		if (c->list.sel < 0 || c->list.sel >= c->n)
			c->list.sel = old;
		tui_list_clamp(&c->list, tui_body_rows() - 2);
		return TUI_KEY_HANDLED;
	}
	if ((!fn_key && (key == '\r' || key == '\n' || key == 'l')) ||
	    (fn_key && key == KEY_RIGHT)) {
		if (c->list.sel < c->n && !c->rows[c->list.sel].is_module)
			tui_open_item(app, c->rows[c->list.sel].id);
	} else if (!fn_key && key == 'f') {
		tui_push(app, &tui_view_forum, c->course_id);
	} else if (!fn_key && key == 'd') {
		tui_push(app, &tui_view_course_info, c->course_id);
	} else {
		return TUI_KEY_UNHANDLED;
	}
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_course = {
    .name = "course",
    .keys = course_keys,
    .open = course_open,
    .close = course_close,
    .reload = course_reload,
    .draw = course_draw,
    .key = course_key,
};
