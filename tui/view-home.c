/* SPDX-License-Identifier: MIT */
/*
 * Home: the learner's courses with a progress bar each and their unread forum activity,
 * the items due soon, and (as everywhere) the sync line. Rows are one list; courses and
 * due items can be opened.
 */
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/text.h"
#include "tui/tui-int.h"

#define DUE_SOON_S (14 * 24 * 3600)
#define DUE_MAX 8

enum row_kind { ROW_HEADING, ROW_TEXT, ROW_COURSE, ROW_DUE };

struct row {
	enum row_kind kind;
	char *id; /* course or item */
	char *course_id;
	char *text;
	char *extra;
	int percent;
	bool pending;
};

struct home {
	struct row *rows;
	int n;
	struct tui_list list;
};

static const struct tui_key_help home_keys[] = {
    {"j, k, Down, Up", "move"},
    {"Enter, l, Right", "open the course or the item"},
    {"c", "catalog: find and enroll in courses"},
    {"f", "forum of the selected course"},
    {"q", "quit"},
    {NULL, NULL},
};

static void
add_row(struct home *h, enum row_kind kind, const char *id, const char *course_id, const char *text,
        const char *extra)
{
	struct row *r;

	h->rows = lc_realloc(h->rows, (size_t)(h->n + 1) * sizeof(*h->rows));
	r = &h->rows[h->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->id = lc_strdup(id);
	r->course_id = lc_strdup(course_id);
	r->text = lc_strdup(text);
	r->extra = lc_strdup(extra);
}

static void
clear_rows(struct home *h)
{
	for (int i = 0; i < h->n; i++) {
		free(h->rows[i].id);
		free(h->rows[i].course_id);
		free(h->rows[i].text);
		free(h->rows[i].extra);
	}
	free(h->rows);
	h->rows = NULL;
	h->n = 0;
}

struct due {
	int64_t at;
	char *item_id, *course_id, *title, *label;
};

static int
due_cmp(const void *a, const void *b)
{
	const struct due *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * One pass over a course's items: its percent complete (as tui_course_percent() counts it)
 * and the not yet completed items due within two weeks.
 */
static int
scan_course(struct tui_app *app, const char *course_id, const char *course_title, struct due **due,
            size_t *n)
{
	struct store_resource_list items = {0};
	int64_t now = lc_now();
	int total = 0, done = 0, req_total = 0, req_done = 0;

	if (tui_course_items(app, course_id, &items) < 0)
		return 0;
	for (size_t i = 0; i < items.n; i++) {
		cJSON *doc = cJSON_Parse(items.items[i].doc);
		int64_t at = 0;
		bool completed = tui_item_progress(app, items.items[i].id) == 2;

		total++;
		done += completed;
		if (!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "required"))) {
			req_total++;
			req_done += completed;
		}
		if (!completed && lc_rfc3339_parse(tui_json_str(doc, "due_at"), &at) == 0 &&
		    at - now < DUE_SOON_S && at - now > -DUE_SOON_S) {
			char label[LC_RFC3339_LEN + 1];

			lc_rfc3339(at, label);
			label[10] = '\0';
			*due = lc_realloc(*due, (*n + 1) * sizeof(**due));
			(*due)[*n].at = at;
			(*due)[*n].item_id = lc_strdup(items.items[i].id);
			(*due)[*n].course_id = lc_strdup(course_id);
			(*due)[*n].title =
			    lc_asprintf("%s (%s)", tui_json_str(doc, "title"), course_title);
			(*due)[*n].label = lc_asprintf("%s%s", label, at < now ? " overdue" : "");
			(*n)++;
		}
		cJSON_Delete(doc);
	}
	store_resource_list_free(&items);
	if (req_total > 0)
		return req_done * 100 / req_total;
	return total > 0 ? done * 100 / total : 0;
}

static void
add_course_row(struct tui_app *app, struct home *h, const char *course_id, bool pending,
               struct due **due, size_t *n_due)
{
	struct store_resource course = {0};
	cJSON *doc = NULL;
	int64_t unread = 0;
	char extra[64] = "";

	if (store_resource_get(app->db, "course", course_id, &course) == 0)
		doc = cJSON_Parse(course.doc);
	store_unread_count(app->db, course_id, &unread);
	if (pending)
		snprintf(extra, sizeof(extra), "not yet sent");
	else if (unread > 0)
		snprintf(extra, sizeof(extra), "%lld unread", (long long)unread);
	add_row(h, ROW_COURSE, course_id, course_id,
	        doc && tui_json_str(doc, "title")[0] ? tui_json_str(doc, "title") : course_id,
	        extra);
	h->rows[h->n - 1].pending = pending;
	h->rows[h->n - 1].percent = scan_course(app, course_id, h->rows[h->n - 1].text, due, n_due);
	cJSON_Delete(doc);
	store_resource_finish(&course);
}

static void
home_reload(struct tui_app *app, void *state)
{
	struct home *h = state;
	struct store_resource_list enr = {0};
	struct due *due = NULL;
	size_t n_due = 0;

	clear_rows(h);
	add_row(h, ROW_HEADING, NULL, NULL, "My courses", NULL);
	if (store_resource_list(app->db, "enrollment", NULL, "user", STORE_ORDER_CREATED, &enr) ==
	    0) {
		for (size_t i = 0; i < enr.n; i++) {
			cJSON *doc = cJSON_Parse(enr.items[i].doc);

			if (app->user_id == NULL ||
			    strcmp(tui_json_str(doc, "user_id"), app->user_id) == 0)
				add_course_row(app, h, tui_json_str(doc, "course_id"),
				               enr.items[i].pending, &due, &n_due);
			cJSON_Delete(doc);
		}
	}
	if (h->n == 1)
		add_row(h, ROW_TEXT, NULL, NULL,
		        "You are not enrolled in any course yet. Press c to open the catalog.",
		        NULL);
	store_resource_list_free(&enr);
	add_row(h, ROW_TEXT, NULL, NULL, "", NULL);
	add_row(h, ROW_HEADING, NULL, NULL, "Due soon", NULL);
	if (n_due > 1)
		qsort(due, n_due, sizeof(*due), due_cmp);
	for (size_t i = 0; i < n_due; i++) {
		if (i < DUE_MAX)
			add_row(h, ROW_DUE, due[i].item_id, due[i].course_id, due[i].title,
			        due[i].label);
		free(due[i].item_id);
		free(due[i].course_id);
		free(due[i].title);
		free(due[i].label);
	}
	if (n_due == 0)
		add_row(h, ROW_TEXT, NULL, NULL, "Nothing due in the next two weeks.", NULL);
	free(due);
	h->list.n = h->n;
	/* Start on the first course rather than on a heading. */
	if (h->list.sel == 0 && h->n > 1 && h->rows[1].kind == ROW_COURSE)
		h->list.sel = 1;
	tui_list_clamp(&h->list, tui_body_rows());
}

static int
home_open(struct tui_app *app, const char *arg, void **state)
{
	struct home *h = lc_calloc(1, sizeof(*h));

	home_reload(app, h);
	*state = h;
	return 0;
}

static void
home_close(void *state)
{
	struct home *h = state;

	clear_rows(h);
	free(h);
}

static void
home_draw(struct tui_app *app, void *state)
{
	struct home *h = state;
	int rows = tui_body_rows();
	char title[160];

	snprintf(title, sizeof(title), "Lectern - %s", app->username ? app->username : "home");
	tui_draw_title(title, "c catalog  f forum");
	tui_list_clamp(&h->list, rows);
	for (int r = 0; r < rows && h->list.top + r < h->n; r++) {
		const struct row *row = &h->rows[h->list.top + r];
		int y = tui_body_top() + r, bar = 24, tw = COLS - bar - 24;
		bool sel = h->list.top + r == h->list.sel && row->kind >= ROW_COURSE;
		attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;

		switch (row->kind) {
		case ROW_HEADING:
			tui_put(y, 1, row->text, COLS - 2, tui_attr(TUI_ROLE_HEADING));
			break;
		case ROW_TEXT:
			tui_put(y, 3, row->text, COLS - 4, tui_attr(TUI_ROLE_DIM));
			break;
		case ROW_COURSE:
			if (sel)
				tui_clear_to_eol(y, 1, a);
			tui_put(y, 1, sel ? ">" : " ", 1, a);
			tui_put(y, 3, row->text, tw, a);
			tui_draw_progress(y, COLS - bar - 20, bar, row->percent);
			tui_put(y, COLS - 19, row->extra, 18,
			        row->pending ? tui_attr(TUI_ROLE_WARN) : tui_attr(TUI_ROLE_GOOD));
			break;
		case ROW_DUE:
			if (sel)
				tui_clear_to_eol(y, 1, a);
			tui_put(y, 1, sel ? ">" : " ", 1, a);
			tui_put(y, 3, row->extra, 20, a | tui_attr(TUI_ROLE_WARN));
			tui_put(y, 24, row->text, COLS - 25, a);
			break;
		}
	}
}

/* Moves the selection to the next openable row in direction dir. */
static void
skip_to_openable(struct home *h, int dir)
{
	int i = h->list.sel;

	while (i >= 0 && i < h->n && h->rows[i].kind < ROW_COURSE)
		i += dir;
	if (i >= 0 && i < h->n)
		h->list.sel = i;
}

static enum tui_key_result
home_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct home *h = state;
	int old = h->list.sel;
	const struct row *row;

	if (tui_list_key(&h->list, key, fn_key, tui_body_rows())) {
		skip_to_openable(h, h->list.sel >= old ? 1 : -1);
		if (h->rows[h->list.sel].kind < ROW_COURSE)
			skip_to_openable(h, h->list.sel >= old ? -1 : 1);
		return TUI_KEY_HANDLED;
	}
	row = h->list.sel < h->n ? &h->rows[h->list.sel] : NULL;
	if (!fn_key && key == 'c') {
		tui_push(app, &tui_view_catalog, NULL);
	} else if (!fn_key && key == 'f' && row && row->kind >= ROW_COURSE) {
		tui_push(app, &tui_view_forum, row->course_id);
	} else if ((!fn_key && (key == '\r' || key == '\n' || key == 'l')) ||
	           (fn_key && key == KEY_RIGHT)) {
		if (row && row->kind == ROW_COURSE)
			tui_push(app, &tui_view_course, row->id);
		else if (row && row->kind == ROW_DUE)
			tui_open_item(app, row->id);
	} else {
		return TUI_KEY_UNHANDLED;
	}
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_home = {
    .name = "home",
    .keys = home_keys,
    .open = home_open,
    .close = home_close,
    .reload = home_reload,
    .draw = home_draw,
    .key = home_key,
};
