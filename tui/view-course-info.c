/* SPDX-License-Identifier: MIT */
/*
 * Course details from the catalog: description, instructor, rating, enrolled count and the
 * modules when this replica holds them, or for a course not joined their titles fetched
 * from the server (UX review A12). `e` enrolls; offline the enrollment is queued and
 * shown as not yet sent, and the course appears on Home at once. Staff of the course are
 * never offered enroll (the server refuses it): they open the course and its forum
 * directly. The page is composed as Markdown and drawn with the reader's renderer.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/markdown.h"
#include "tui/tui-int.h"
#include "tui/write.h"

struct info {
	char *course_id;
	char *title;
	bool enrolled;
	bool pending;
	bool teaches; /* staff of the course: opens it without enrolling, never enrolls */
	bool asked;   /* the titles were asked for (once per opening) */
	struct tui_md_doc doc;
	int width;
	int top;
};

static const struct tui_key_help info_keys[] = {
    {"j, k, Down, Up, PgDn, PgUp", "scroll"},
    {"e", "enroll (queued when offline); not for a course you teach"},
    {"Enter, o", "open the course when enrolled or when you teach it"},
    {"f", "the course's forum when enrolled or when you teach it"},
    {"E", "edit the course (course staff)"},
    {NULL, NULL},
};

/*
 * The outline of a course not joined, titles only (UX review 2026-11-29, A12), from
 * lecternd's GET /courses/{id}/titles as the sync engine fetched it (docs/api.md "Course
 * titles"); until it has come, what is happening.
 */
static void
compose_titles(struct tui_app *app, struct info *in, struct lc_buf *md)
{
	char *key = tui_teach_key(in->course_id, "titles");
	enum sync_fetch_state st = sync_engine_fetch_state(app->engine, key, NULL, 0);
	cJSON *body = NULL;
	const cJSON *m, *it;
	int64_t at = 0;
	size_t n = 0;

	if (tui_teach_cache(app, key, &body, &at) < 0) {
		lc_buf_puts(md, st == SYNC_FETCH_WAITING
		                    ? "*Fetching the outline from the server...*\n"
		                    : "*The outline is fetched from the server when online; enroll "
		                      "to see the lessons.*\n");
		free(key);
		return;
	}
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(body, "modules"))
	{
		lc_buf_printf(md, "%zu. ", ++n);
		tui_md_escape(md, tui_json_str(m, "title"));
		lc_buf_putc(md, '\n');
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "items"))
		{
			lc_buf_puts(md, "    - ");
			tui_md_escape(md, tui_json_str(it, "title"));
			lc_buf_putc(md, '\n');
		}
	}
	if (n == 0)
		lc_buf_puts(md, "*No modules yet.*\n");
	lc_buf_puts(md, "\n*Titles only: enroll to read the lessons.*\n");
	cJSON_Delete(body);
	free(key);
}

/* Asks the engine for the titles of a course not joined (on its thread; never blocks). */
static void
ask_titles(struct tui_app *app, struct info *in)
{
	char *key, *path;

	if (app->engine == NULL || in->enrolled || in->teaches)
		return;
	key = tui_teach_key(in->course_id, "titles");
	path = lc_asprintf("/api/v1/courses/%s/titles", in->course_id);
	sync_engine_fetch(app->engine, path, key);
	free(path);
	free(key);
}

static void
compose_modules(struct tui_app *app, struct info *in, struct lc_buf *md)
{
	struct store_resource_list mods = {0};

	lc_buf_puts(md, "\n\n## Modules\n\n");
	if (store_resource_list(app->db, "module", in->course_id, NULL, STORE_ORDER_POSITION,
	                        &mods) < 0 ||
	    mods.n == 0) {
		if (in->enrolled || in->teaches)
			lc_buf_puts(md, "The modules arrive with the next sync.\n");
		else
			compose_titles(app, in, md);
		store_resource_list_free(&mods);
		return;
	}
	for (size_t i = 0; i < mods.n; i++) {
		cJSON *doc = cJSON_Parse(mods.items[i].doc);

		lc_buf_printf(md, "%zu. ", i + 1);
		tui_md_escape(md, tui_json_str(doc, "title"));
		lc_buf_putc(md, '\n');
		cJSON_Delete(doc);
	}
	store_resource_list_free(&mods);
}

static void
compose(struct tui_app *app, struct info *in, const cJSON *doc, struct lc_buf *md)
{
	const cJSON *rating = cJSON_GetObjectItemCaseSensitive(doc, "rating");
	const char *desc = tui_json_str(doc, "description");

	lc_buf_puts(md, "# ");
	tui_md_escape(md, tui_json_str(doc, "title"));
	lc_buf_puts(md, "\n\n");
	if (*tui_json_str(doc, "code") != '\0') {
		lc_buf_puts(md, "**Code:** ");
		tui_md_escape(md, tui_json_str(doc, "code"));
		lc_buf_puts(md, "  \n");
	}
	lc_buf_puts(md, "**Instructor:** ");
	tui_md_escape(md, *tui_json_str(doc, "owner_name") ? tui_json_str(doc, "owner_name")
	                                                   : "unknown");
	lc_buf_puts(md, "  \n**Rating:** ");
	if (cJSON_IsNumber(rating))
		lc_buf_printf(md, "%.1f / 5", rating->valuedouble);
	else
		lc_buf_puts(md, "no reviews yet");
	int enrolled = (int)tui_json_num(doc, "enrolled_count", 0);

	lc_buf_printf(md, "  \n**Enrolled:** %d learner%s  \n", enrolled, enrolled == 1 ? "" : "s");
	if (in->teaches)
		lc_buf_puts(md, "**You teach this course:** Enter opens it, f its forum; staff do "
		                "not enroll\n\n");
	else if (in->pending)
		lc_buf_puts(md, "**You:** enrollment queued, not yet sent\n\n");
	else if (in->enrolled)
		lc_buf_puts(md, "**You:** enrolled (Enter opens the course)\n\n");
	else
		lc_buf_puts(md, "**You:** not enrolled (press e to enroll)\n\n");
	lc_buf_puts(md, *desc ? desc : "*No description.*");
	compose_modules(app, in, md);
}

static bool
enrollment_pending(struct tui_app *app, const char *course_id)
{
	struct store_resource_list list = {0};
	bool pending = false;

	if (store_resource_list(app->db, "enrollment", course_id, "user", STORE_ORDER_CREATED,
	                        &list) == 0)
		for (size_t i = 0; i < list.n; i++)
			pending |= list.items[i].pending;
	store_resource_list_free(&list);
	return pending;
}

static void
info_reload(struct tui_app *app, void *state)
{
	struct info *in = state;
	struct store_resource res = {0};
	struct lc_buf md = {0};
	cJSON *doc;

	tui_md_free(&in->doc);
	if (store_resource_get(app->db, "course", in->course_id, &res) < 0) {
		tui_md_render("This course is no longer in the catalog.",
		              COLS - 4 > 10 ? COLS - 4 : 10, &in->doc);
		return;
	}
	doc = cJSON_Parse(res.doc);
	free(in->title);
	in->title = lc_strdup(tui_json_str(doc, "title"));
	in->enrolled = tui_is_enrolled(app, in->course_id);
	in->teaches = tui_teaches(app, in->course_id);
	in->pending = in->enrolled && enrollment_pending(app, in->course_id);
	if (!in->asked) {
		ask_titles(app, in);
		in->asked = true;
	}
	compose(app, in, doc, &md);
	in->width = COLS - 4 > 10 ? COLS - 4 : 10;
	tui_md_render(lc_buf_str(&md), in->width, &in->doc);
	lc_buf_finish(&md);
	cJSON_Delete(doc);
	store_resource_finish(&res);
}

static int
info_open(struct tui_app *app, const char *arg, void **state)
{
	struct info *in;

	if (arg == NULL)
		return -LC_EINVAL;
	in = lc_calloc(1, sizeof(*in));
	in->course_id = lc_strdup(arg);
	info_reload(app, in);
	*state = in;
	return 0;
}

static void
info_close(void *state)
{
	struct info *in = state;

	tui_md_free(&in->doc);
	free(in->course_id);
	free(in->title);
	free(in);
}

static void
info_draw(struct tui_app *app, void *state)
{
	struct info *in = state;
	int rows = tui_body_rows();

	if (in->width != (COLS - 4 > 10 ? COLS - 4 : 10))
		info_reload(app, in);
	tui_draw_title(in->title ? in->title : "Course", in->teaches ? "Enter open  E edit  f forum"
	                                                 : in->enrolled ? "Enter open"
	                                                                : "e enroll");
	if (in->top > (int)in->doc.n - rows)
		in->top = (int)in->doc.n - rows;
	if (in->top < 0)
		in->top = 0;
	for (int r = 0; r < rows && in->top + r < (int)in->doc.n; r++)
		tui_draw_md_line(tui_body_top() + r, 2, &in->doc.lines[in->top + r], COLS - 3);
}

static enum tui_key_result
info_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct info *in = state;
	int rows = tui_body_rows();

	if ((fn_key && key == KEY_DOWN) || (!fn_key && key == 'j'))
		in->top++;
	else if ((fn_key && key == KEY_UP) || (!fn_key && key == 'k'))
		in->top--;
	else if ((fn_key && key == KEY_NPAGE) || (!fn_key && key == ' '))
		in->top += rows - 1;
	else if (fn_key && key == KEY_PPAGE)
		in->top -= rows - 1;
	else if (!fn_key && key == 'e') {
		if (in->teaches)
			tui_flash(app, "You teach it; staff cannot enroll");
		else if (in->enrolled)
			tui_flash(app, "You are already enrolled in this course");
		else if (tui_write_enroll(app, in->course_id) == 0)
			tui_flash(app, "Enrollment queued; sent as soon as online");
		/* else tui_write_enroll() showed why (staff cannot enroll, ...). */
	} else if (!fn_key && (key == '\r' || key == '\n' || key == 'o')) {
		if (in->enrolled || in->teaches)
			tui_push(app, &tui_view_course, in->course_id);
		else
			tui_flash(app, "Enroll first (press e)");
	} else if (!fn_key && key == 'E') {
		if (in->teaches)
			tui_push(app, &tui_view_author, in->course_id);
		else
			tui_flash(app, "Only the course's staff can edit it");
	} else if (!fn_key && key == 'f' && (in->enrolled || in->teaches)) {
		tui_push(app, &tui_view_forum, in->course_id);
	} else {
		return TUI_KEY_UNHANDLED;
	}
	if (in->top < 0)
		in->top = 0;
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_course_info = {
    .name = "course details",
    .keys = info_keys,
    .open = info_open,
    .close = info_close,
    .reload = info_reload,
    .draw = info_draw,
    .key = info_key,
};
