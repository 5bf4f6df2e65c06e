/* SPDX-License-Identifier: MIT */
/*
 * Home: the courses the user teaches (only when there are any: status, enrolled count and
 * sync issues each), the learner's courses with a progress bar each and their unread forum
 * activity, the items due soon, and (as everywhere) the sync line. Rows are one list;
 * courses and due items can be opened.
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
/* The columns Home's course rows are laid out in, at most. */
#define HOME_WIDTH_MAX 120

/* Rows from ROW_COURSE on can be selected. */
enum row_kind { ROW_HEADING, ROW_TEXT, ROW_COURSE, ROW_DUE, ROW_TEACH };

struct row {
	enum row_kind kind;
	char *id; /* course or item */
	char *course_id;
	char *text;
	char *extra;
	int percent;
	int enrolled;   /* ROW_TEACH */
	int64_t issues; /* ROW_TEACH */
	bool pending;
	/* What fill_course_row() has read of a course row: text and percent; extra. */
	bool has_content, has_unread;
};

struct home {
	struct row *rows;
	int n;
	uint64_t content_version; /* app->content_version the rows were made at */
	struct tui_list list;
	bool teaching; /* the Teaching section is shown */
};

static const struct tui_key_help home_keys[] = {
    {"j, k, Down, Up", "move"},
    {"Enter, l, Right", "open the course or the item"},
    {"c", "catalog: find and enroll in courses"},
    {"f", "forum of the selected course"},
    {"t", "teaching: students, analytics and attempts of a course you teach"},
    {"Enter (Teaching)", "the course editor of a course you teach"},
    {"o (Teaching)", "the course as learners see it"},
    {"N", "a new course (instructors, admins, content-admins)"},
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

/* The title of course_id, or the id. Caller frees. */
static char *
course_title(struct tui_app *app, const char *course_id)
{
	struct store_resource course = {0};
	char *title = NULL;

	if (store_resource_get(app->db, "course", course_id, &course) == 0) {
		cJSON *doc = cJSON_Parse(course.doc);

		if (tui_json_str(doc, "title")[0] != '\0')
			title = lc_strdup(tui_json_str(doc, "title"));
		cJSON_Delete(doc);
		store_resource_finish(&course);
	}
	return title != NULL ? title : lc_strdup(course_id);
}

/*
 * A course row's title, percent and unread count, read when the row is first drawn: a
 * learner in 400 courses sees about 20 of them, and Home must not wait for the others.
 * A reload that only read marks caused reads the unread count again (see home_reload()).
 */
static void
fill_course_row(struct tui_app *app, struct row *r)
{
	size_t unread = 0;
	char extra[64] = "";

	if (!r->has_content) {
		free(r->text);
		r->text = course_title(app, r->course_id);
		r->percent = tui_course_percent(app, r->course_id);
		r->has_content = true;
	}
	/* The forum list marks the same topics (own posts never count). */
	if (tui_unread_topics(app, r->course_id, NULL, &unread) < 0)
		unread = 0;
	if (r->pending)
		snprintf(extra, sizeof(extra), "not yet sent");
	else if (unread > 0)
		snprintf(extra, sizeof(extra), "%zu unread", unread);
	free(r->extra);
	r->extra = lc_strdup(extra);
	r->has_unread = true;
}

/* The items due within two weeks of the enrolled courses (sorted ids in courses). */
static void
add_due_rows(struct tui_app *app, struct home *h, char **courses, size_t n_courses)
{
	struct tui_due *due = NULL;
	size_t n_due = 0;

	if (tui_due_soon(app, courses, n_courses, lc_now(), DUE_SOON_S, DUE_MAX, &due, &n_due) < 0)
		n_due = 0;
	for (size_t i = 0; i < n_due; i++) {
		char words[32], *title = course_title(app, due[i].course_id);
		char *text = lc_asprintf("%s - %s", title, due[i].title ? due[i].title : "");

		/* "in 2 days" says more at a glance than a date (UX review A18). */
		tui_due_words(due[i].at, lc_now(), words, sizeof(words));
		add_row(h, ROW_DUE, due[i].item_id, due[i].course_id, text, words);
		free(title);
		free(text);
	}
	if (n_due == 0)
		add_row(h, ROW_TEXT, NULL, NULL, "Nothing due in the next two weeks.", NULL);
	tui_due_free(due, n_due);
}

/*
 * The courses the user teaches, under their own heading; nothing at all for a learner
 * (tui_teaching_courses() reads them by primary key, a lookup per enrolled course).
 */
static void
add_teach_rows(struct tui_app *app, struct home *h)
{
	struct tui_teach_course *tc = NULL;
	size_t n = 0;

	h->teaching = false;
	if (tui_teaching_courses(app, &tc, &n) < 0 || n == 0) {
		tui_teaching_free(tc, n);
		return;
	}
	h->teaching = true;
	add_row(h, ROW_HEADING, NULL, NULL, "Teaching", NULL);
	for (size_t i = 0; i < n; i++) {
		char *text =
		    tc[i].code != NULL && tc[i].code[0] != '\0'
		        ? lc_asprintf("%s (%s)", tc[i].title ? tc[i].title : tc[i].id, tc[i].code)
		        : lc_strdup(tc[i].title ? tc[i].title : tc[i].id);
		struct row *r;

		add_row(h, ROW_TEACH, tc[i].id, tc[i].id, text, tc[i].status ? tc[i].status : "");
		r = &h->rows[h->n - 1];
		r->enrolled = tc[i].enrolled;
		r->issues = tc[i].issues;
		r->pending = tc[i].pending;
		free(text);
	}
	add_row(h, ROW_TEXT, NULL, NULL, "", NULL);
	tui_teaching_free(tc, n);
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
home_reload(struct tui_app *app, void *state)
{
	struct home *h = state;
	struct store_resource_list enr = {0};
	char **courses = NULL;
	size_t n_courses = 0;
	int first_course;

	/*
	 * Only read marks changed (the learner read a topic): the courses, percents and due
	 * items stand; the unread counts are read again as the rows are drawn.
	 */
	if (h->n > 0 && h->content_version == app->content_version) {
		for (int i = 0; i < h->n; i++)
			h->rows[i].has_unread = false;
		return;
	}
	clear_rows(h);
	add_teach_rows(app, h);
	add_row(h, ROW_HEADING, NULL, NULL, "My courses", NULL);
	first_course = h->n;
	if (store_resource_list(app->db, "enrollment", NULL, "user", STORE_ORDER_CREATED, &enr) ==
	    0) {
		courses = lc_calloc(enr.n + 1, sizeof(*courses));
		for (size_t i = 0; i < enr.n; i++) {
			cJSON *doc = cJSON_Parse(enr.items[i].doc);

			if (app->user_id == NULL ||
			    strcmp(tui_json_str(doc, "user_id"), app->user_id) == 0) {
				add_row(h, ROW_COURSE, tui_json_str(doc, "course_id"),
				        tui_json_str(doc, "course_id"), NULL, NULL);
				h->rows[h->n - 1].pending = enr.items[i].pending;
				/* The row owns the string; add_row() moves rows, not strings. */
				courses[n_courses++] = h->rows[h->n - 1].course_id;
			}
			cJSON_Delete(doc);
		}
	}
	/* During the first sync the courses are on their way, not missing (A16/F3). */
	if (h->n == first_course && tui_status_first_sync(app) != NULL)
		add_row(h, ROW_TEXT, NULL, NULL, tui_status_first_sync(app), NULL);
	else if (h->n == first_course)
		add_row(
		    h, ROW_TEXT, NULL, NULL,
		    first_course > 1
		        ? "You are not enrolled in any course. Press c to open the catalog."
		        : "You are not enrolled in any course yet. Press c to open the catalog.",
		    NULL);
	store_resource_list_free(&enr);
	add_row(h, ROW_TEXT, NULL, NULL, "", NULL);
	add_row(h, ROW_HEADING, NULL, NULL, "Due soon", NULL);
	if (n_courses > 1)
		qsort(courses, n_courses, sizeof(*courses), id_cmp);
	add_due_rows(app, h, courses, n_courses);
	free(courses);
	h->content_version = app->content_version;
	h->list.n = h->n;
	/* Start on the first course rather than on a heading. */
	if (h->list.sel == 0 && h->n > 1 && h->rows[1].kind >= ROW_COURSE)
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

/* "> Title (CODE)          draft      12 enrolled  1 sync issue" */
static void
draw_teach_row(int y, const struct row *row, bool sel, attr_t a)
{
	char enrolled[32], issues[32] = "";
	int right = 40, w = COLS < HOME_WIDTH_MAX ? COLS : HOME_WIDTH_MAX;
	attr_t status = strcmp(row->extra, "published") == 0 ? tui_attr(TUI_ROLE_GOOD)
	                : strcmp(row->extra, "draft") == 0   ? tui_attr(TUI_ROLE_WARN)
	                                                     : tui_attr(TUI_ROLE_DIM);

	if (sel)
		tui_clear_to_eol(y, 1, a);
	tui_put(y, 1, sel ? ">" : " ", 1, a);
	tui_put(y, 3, row->text, w - right - 5, a);
	tui_put(y, w - right, row->pending ? "not yet sent" : row->extra, 12,
	        a | (row->pending ? tui_attr(TUI_ROLE_WARN) : status));
	snprintf(enrolled, sizeof(enrolled), "%d enrolled", row->enrolled);
	tui_put(y, w - right + 13, enrolled, 12, a);
	if (row->issues > 0)
		snprintf(issues, sizeof(issues), "%lld sync issue%s", (long long)row->issues,
		         row->issues == 1 ? "" : "s");
	tui_put(y, w - right + 26, issues, 14, a | tui_attr(TUI_ROLE_BAD));
}

static void
home_draw(struct tui_app *app, void *state)
{
	struct home *h = state;
	int rows = tui_body_rows();
	char title[160];

	snprintf(title, sizeof(title), "Lectern - %s", app->username ? app->username : "home");
	tui_draw_title(title, h->teaching ? "t teach  c catalog  f forum" : "c catalog  f forum");
	tui_list_clamp(&h->list, rows);
	for (int r = 0; r < rows && h->list.top + r < h->n; r++) {
		struct row *row = &h->rows[h->list.top + r];
		/*
		 * The bar and the counts follow the titles on a wide terminal instead of
		 * sitting at its right edge (UX review A18: 150 columns away at 200).
		 */
		int w = COLS < HOME_WIDTH_MAX ? COLS : HOME_WIDTH_MAX;
		int y = tui_body_top() + r, bar = 24, tw = w - bar - 24;
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
			if (!row->has_content || !row->has_unread)
				fill_course_row(app, row);
			if (sel)
				tui_clear_to_eol(y, 1, a);
			tui_put(y, 1, sel ? ">" : " ", 1, a);
			tui_put(y, 3, row->text, tw, a);
			/* In the highlight's attribute: one piece from end to end (A18). */
			tui_draw_progress_attr(y, w - bar - 20, bar, row->percent, a);
			tui_put(
			    y, w - 19, row->extra, 18,
			    a | (row->pending ? tui_attr(TUI_ROLE_WARN) : tui_attr(TUI_ROLE_GOOD)));
			break;
		case ROW_TEACH:
			draw_teach_row(y, row, sel, a);
			break;
		case ROW_DUE:
			if (sel)
				tui_clear_to_eol(y, 1, a);
			tui_put(y, 1, sel ? ">" : " ", 1, a);
			tui_put(y, 3, row->extra, 10,
			        a | tui_attr(strcmp(row->extra, "overdue") == 0 ? TUI_ROLE_BAD
			                                                        : TUI_ROLE_WARN));
			tui_put(y, 14, row->text, COLS - 15, a);
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
	} else if (!fn_key && key == 'o' && row && row->kind == ROW_TEACH) {
		tui_push(app, &tui_view_course, row->course_id);
	} else if (!fn_key && key == 'N') {
		tui_author_new_course(app);
	} else if (!fn_key && key == 't') {
		if (row && row->kind == ROW_TEACH)
			tui_push(app, &tui_view_teach, row->course_id);
		else
			tui_flash(app, "t: select a course under Teaching first");
	} else if ((!fn_key && (key == '\r' || key == '\n' || key == 'l')) ||
	           (fn_key && key == KEY_RIGHT)) {
		/* A course taught opens in the course editor; o shows it as learners see it. */
		if (row && row->kind == ROW_TEACH)
			tui_push(app, &tui_view_author, row->course_id);
		else if (row && row->kind == ROW_COURSE)
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
