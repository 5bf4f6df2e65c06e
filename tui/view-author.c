/* SPDX-License-Identifier: MIT */
/*
 * The course editor, for course staff, online or offline: the course's fields at the top
 * and its outline below (the course itself, then its modules with their items, in order).
 * Every change is a write queued through tui/write.h: it shows here at once, survives a
 * crash and goes out with the next sync. Rows still waiting for the server are marked.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/author.h"
#include "tui/form.h"

enum arow_kind { AROW_COURSE, AROW_MODULE, AROW_ITEM };

struct arow {
	enum arow_kind kind;
	char *id;
	char *module_id; /* an item's module; a module's own id */
	char *title;
	char *item_kind;
	char *due_at;
	double points; /* < 0: none */
	bool required;
	bool pending;
	int children; /* a module's items, a quiz's questions */
};

struct author {
	char *course_id;
	cJSON *course;
	bool course_pending;
	int enrolled;
	struct arow *rows;
	int n;
	struct tui_list list;
};

#define HEAD_ROWS 5

static const struct tui_key_help author_keys[] = {
    {"j, k, Down, Up, PgDn, PgUp, g, G", "move between the course, modules and items"},
    {"a", "add a module (course row) or an item"},
    {"A", "add a module"},
    {"e", "edit the selected row in a form"},
    {"Enter", "a quiz: the quiz editor; else as e"},
    {"r", "rename the selected course, module or item"},
    {"d", "delete (asks, saying what goes with it)"},
    {"J, K", "move down, up (an item crosses modules too)"},
    {"E", "write the body ($VISUAL, $EDITOR, built-in)"},
    {"D", "write the course description"},
    {"p", "preview the item as learners see it"},
    {"P", "publish, unpublish, archive, unarchive"},
    {"N", "create a new course"},
    {NULL, NULL},
};

static void
clear_rows(struct author *au)
{
	for (int i = 0; i < au->n; i++) {
		free(au->rows[i].id);
		free(au->rows[i].module_id);
		free(au->rows[i].title);
		free(au->rows[i].item_kind);
		free(au->rows[i].due_at);
	}
	free(au->rows);
	au->rows = NULL;
	au->n = 0;
}

static struct arow *
add_row(struct author *au, enum arow_kind kind, const struct store_resource *res,
        const char *module_id)
{
	cJSON *doc = cJSON_Parse(res->doc);
	const cJSON *points = cJSON_GetObjectItemCaseSensitive(doc, "points");
	struct arow *r;

	au->rows = lc_realloc(au->rows, (size_t)(au->n + 1) * sizeof(*au->rows));
	r = &au->rows[au->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->id = lc_strdup(res->id);
	r->module_id = lc_strdup(module_id);
	r->title = lc_strdup(tui_json_str(doc, "title"));
	r->item_kind = lc_strdup(tui_json_str(doc, "kind"));
	r->due_at = lc_strdup(tui_json_str(doc, "due_at"));
	r->points = cJSON_IsNumber(points) ? points->valuedouble : -1;
	r->required = cJSON_GetObjectItemCaseSensitive(doc, "required") == NULL ||
	              tui_json_bool(doc, "required");
	r->pending = res->pending;
	cJSON_Delete(doc);
	return r;
}

static int
count_children(struct tui_app *app, const char *type, const char *parent_id)
{
	struct store_resource_list list = {0};
	int n = 0;

	if (store_resource_list(app->db, type, parent_id, NULL, STORE_ORDER_POSITION, &list) == 0)
		n = (int)list.n;
	store_resource_list_free(&list);
	return n;
}

static void
load_outline(struct tui_app *app, struct author *au)
{
	struct store_resource_list mods = {0};
	struct store_resource course = {.id = au->course_id, .doc = "{}"};

	add_row(au, AROW_COURSE, &course, NULL);
	if (store_resource_list(app->db, "module", au->course_id, NULL, STORE_ORDER_POSITION,
	                        &mods) < 0)
		return;
	for (size_t m = 0; m < mods.n; m++) {
		struct store_resource_list items = {0};
		int mi = au->n; /* the module's row; rows may move as items are added */

		add_row(au, AROW_MODULE, &mods.items[m], mods.items[m].id);
		if (store_resource_list(app->db, "item", mods.items[m].id, NULL,
		                        STORE_ORDER_POSITION, &items) == 0) {
			au->rows[mi].children = (int)items.n;
			for (size_t i = 0; i < items.n; i++) {
				struct arow *r =
				    add_row(au, AROW_ITEM, &items.items[i], mods.items[m].id);

				if (strcmp(r->item_kind, "quiz") == 0)
					r->children = count_children(app, "question", r->id);
			}
		}
		store_resource_list_free(&items);
	}
	store_resource_list_free(&mods);
}

static void
author_reload(struct tui_app *app, void *state)
{
	struct author *au = state;
	struct store_resource res = {0};
	char *sel_id = au->list.sel < au->n ? lc_strdup(au->rows[au->list.sel].id) : NULL;

	clear_rows(au);
	cJSON_Delete(au->course);
	au->course = NULL;
	if (store_resource_get(app->db, "course", au->course_id, &res) == 0) {
		au->course = cJSON_Parse(res.doc);
		au->course_pending = res.pending;
		store_resource_finish(&res);
	}
	au->enrolled = count_children(app, "enrollment", au->course_id);
	if (au->enrolled == 0)
		au->enrolled = (int)tui_json_num(au->course, "enrolled_count", 0);
	load_outline(app, au);
	au->list.n = au->n;
	/* The same row stays selected across a move, an edit or a sync. */
	for (int i = 0; sel_id != NULL && i < au->n; i++)
		if (strcmp(au->rows[i].id, sel_id) == 0)
			au->list.sel = i;
	free(sel_id);
	tui_list_clamp(&au->list, tui_body_rows() - HEAD_ROWS);
}

static int
author_open_id(struct tui_app *app, const char *course_id, void **state)
{
	struct tui_writer w;
	struct author *au;

	/* Every write here would be a 403 for anybody else: say so now, not in sync issues. */
	tui_author_writer(app, &w);
	if (!tui_is_staff(&w, course_id))
		return -LC_EPERM; /* tui_push() says "Cannot open course editor: not allowed" */
	au = lc_calloc(1, sizeof(*au));

	au->course_id = lc_strdup(course_id);
	author_reload(app, au);
	if (au->course == NULL) {
		clear_rows(au);
		free(au->course_id);
		free(au);
		return -LC_ENOTFOUND;
	}
	*state = au;
	return 0;
}

static int
author_open(struct tui_app *app, const char *arg, void **state)
{
	tui_new_id id;

	/* No course: the new-course form first, then the editor on what it created. */
	if (arg == NULL) {
		if (!tui_author_course_form(app, NULL, id))
			return -LC_EINVAL;
		arg = id;
	}
	return author_open_id(app, arg, state);
}

void
tui_author_new_course(struct tui_app *app)
{
	struct tui_writer w = {app->db, app->user_id, app->username};
	tui_new_id id;

	if (!tui_may_create_course(&w)) {
		tui_flash(app,
		          "Only instructors, admins and department content-admins create courses");
		return;
	}
	if (tui_author_course_form(app, NULL, id)) {
		tui_push(app, &tui_view_author, id);
		tui_flash(app, "Course created as a draft; publish it with P when it is ready");
	}
}

static void
author_close(void *state)
{
	struct author *au = state;

	clear_rows(au);
	cJSON_Delete(au->course);
	free(au->course_id);
	free(au);
}

/* ---- Drawing ------------------------------------------------------------------------- */

static void
draw_head(struct tui_app *app, struct author *au)
{
	const cJSON *doc = au->course;
	const char *status = tui_json_str(doc, "status");
	char line[512];
	char *kw = NULL;
	struct lc_buf buf = {0};
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "keywords"), *e;
	int y = tui_body_top();
	struct store_resource dept = {0};
	const char *dept_name = "none";
	cJSON *ddoc = NULL;

	cJSON_ArrayForEach(e, arr) if (cJSON_IsString(e))
	{
		lc_buf_puts(&buf, buf.len ? ", " : "");
		lc_buf_puts(&buf, e->valuestring);
	}
	kw = lc_buf_steal(&buf);
	if (*tui_json_str(doc, "department_id") &&
	    store_resource_get(app->db, "department", tui_json_str(doc, "department_id"), &dept) ==
	        0) {
		ddoc = cJSON_Parse(dept.doc);
		dept_name = tui_json_str(ddoc, "name");
		store_resource_finish(&dept);
	}
	snprintf(line, sizeof(line), "Code: %s   Status: %s%s   Enrolled: %d",
	         *tui_json_str(doc, "code") ? tui_json_str(doc, "code") : "-", status,
	         au->course_pending ? " (changes not yet sent)" : "", au->enrolled);
	tui_put(y, 1, line, COLS - 2, A_BOLD);
	snprintf(line, sizeof(line), "Department: %s   Certification: %s   Pass score: %g%%",
	         dept_name, tui_json_bool(doc, "certification") ? "yes" : "no",
	         tui_json_num(doc, "pass_score", 0.6) * 100);
	tui_put(y + 1, 1, line, COLS - 2, A_NORMAL);
	snprintf(line, sizeof(line), "Keywords: %s", *kw ? kw : "-");
	tui_put(y + 2, 1, line, COLS - 2, A_NORMAL);
	snprintf(line, sizeof(line), "%.200s",
	         *tui_json_str(doc, "description") ? tui_json_str(doc, "description")
	                                           : "No description (D writes one)");
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	tui_put(y + 3, 1, line, COLS - 2, tui_attr(TUI_ROLE_DIM));
	cJSON_Delete(ddoc);
	free(kw);
}

static void
draw_row(const struct arow *r, int y, bool sel)
{
	attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;
	char right[64] = "";
	int rw;

	if (sel)
		tui_clear_to_eol(y, 0, a);
	tui_put(y, 0, sel ? ">" : " ", 1, a);
	if (r->kind == AROW_COURSE) {
		tui_put(y, 2, "Course fields, status and description (e, P, D)", COLS - 4,
		        a | (sel ? 0 : tui_attr(TUI_ROLE_DIM)));
		return;
	}
	if (r->kind == AROW_MODULE) {
		snprintf(right, sizeof(right), "%d item%s%s", r->children,
		         r->children == 1 ? "" : "s", r->pending ? "  queued" : "");
		rw = (int)strlen(right);
		tui_put(y, 2, r->title, COLS - 5 - rw, a | tui_attr(TUI_ROLE_HEADING));
		tui_put(y, COLS - 1 - rw, right, rw, a | tui_attr(TUI_ROLE_DIM));
		return;
	}
	tui_put(y, 4, r->item_kind, 10, a | tui_attr(TUI_ROLE_DIM));
	if (strcmp(r->item_kind, "quiz") == 0)
		snprintf(right, sizeof(right), "%dq ", r->children);
	if (*r->due_at)
		snprintf(right + strlen(right), sizeof(right) - strlen(right), "due %.10s ",
		         r->due_at);
	if (r->points >= 0)
		snprintf(right + strlen(right), sizeof(right) - strlen(right), "%gpt ", r->points);
	if (!r->required)
		snprintf(right + strlen(right), sizeof(right) - strlen(right), "optional ");
	if (r->pending)
		snprintf(right + strlen(right), sizeof(right) - strlen(right), "queued");
	rw = (int)strlen(right);
	tui_put(y, 15, r->title, COLS - 17 - rw, a);
	tui_put(y, COLS - 1 - rw, right, rw, a | tui_attr(TUI_ROLE_DIM));
}

static void
author_draw(struct tui_app *app, void *state)
{
	struct author *au = state;
	int rows = tui_body_rows() - HEAD_ROWS, top = tui_body_top() + HEAD_ROWS;
	char title[300];

	if (au->course == NULL) {
		/* Deleted here or by a sync meanwhile. */
		tui_draw_title("Course editor", "q back");
		tui_put(top, 3, "This course is no longer on this replica.", COLS - 4,
		        tui_attr(TUI_ROLE_DIM));
		return;
	}
	snprintf(title, sizeof(title), "Edit: %s", tui_json_str(au->course, "title"));
	tui_draw_title(title, "? keys  P publish");
	draw_head(app, au);
	tui_put(top - 1, 1, "Outline", 8, tui_attr(TUI_ROLE_HEADING));
	tui_put(top - 1, 10, "a add  e edit  d delete  J/K move  E body  p preview", COLS - 11,
	        tui_attr(TUI_ROLE_DIM));
	tui_list_clamp(&au->list, rows);
	for (int r = 0; r < rows && au->list.top + r < au->n; r++)
		draw_row(&au->rows[au->list.top + r], top + r, au->list.top + r == au->list.sel);
	if (au->n == 1)
		tui_put(top + 1, 4, "No modules yet: press a to add the first one.", COLS - 5,
		        tui_attr(TUI_ROLE_DIM));
}

/* ---- Actions ------------------------------------------------------------------------- */

static struct arow *
selected(struct author *au)
{
	return au->list.sel >= 0 && au->list.sel < au->n ? &au->rows[au->list.sel] : NULL;
}

/* Sets one text field of a resource (id) or creates one under parent_id (id NULL). */
static int
save_text(struct tui_app *app, const char *type, const char *parent_id, const char *id,
          const char *key, const char *text, tui_new_id id_out, const char *done)
{
	cJSON *f = cJSON_CreateObject();
	char *cause = NULL;
	int rc;

	cJSON_AddStringToObject(f, key, text);
	rc = tui_author_save(app, type, parent_id, id, f, id_out, &cause);
	cJSON_Delete(f);
	tui_author_written(app, rc, cause, done);
	return rc;
}

static void
add_module(struct tui_app *app, struct author *au)
{
	char *title = NULL;
	tui_new_id id;
	int rc;

	if (!tui_prompt(app, "New module title:", "", &title))
		return;
	rc = save_text(app, "module", au->course_id, NULL, "title", title, id,
	               "Module added; a adds its first item");
	free(title);
	if (rc == 0) {
		author_reload(app, au);
		for (int i = 0; i < au->n; i++)
			if (strcmp(au->rows[i].id, id) == 0)
				au->list.sel = i;
	}
}

static void
add(struct tui_app *app, struct author *au, bool module)
{
	struct arow *r = selected(au);
	tui_new_id id;

	if (module || r == NULL || r->kind == AROW_COURSE) {
		add_module(app, au);
		return;
	}
	if (tui_author_item_form(app, r->module_id, NULL, id)) {
		tui_flash(app, "Item added (queued)");
		author_reload(app, au);
		for (int i = 0; i < au->n; i++)
			if (strcmp(au->rows[i].id, id) == 0)
				au->list.sel = i;
	}
}

static void
rename_row(struct tui_app *app, struct author *au)
{
	struct arow *r = selected(au);
	const char *type = r->kind == AROW_COURSE   ? "course"
	                   : r->kind == AROW_MODULE ? "module"
	                                            : "item";
	const char *old = r->kind == AROW_COURSE ? tui_json_str(au->course, "title") : r->title;
	char *title = NULL;

	if (!tui_prompt(app, "New title:", old, &title))
		return;
	save_text(app, type, NULL, r->id, "title", title, NULL, "Renamed (queued)");
	free(title);
}

static void
edit_row(struct tui_app *app, struct author *au)
{
	struct arow *r = selected(au);

	if (r->kind == AROW_COURSE)
		tui_author_course_form(app, au->course_id, NULL);
	else if (r->kind == AROW_MODULE)
		rename_row(app, au);
	else
		tui_author_item_form(app, r->module_id, r->id, NULL);
}

/* The question a delete asks: what goes, and what goes with it. Caller frees. */
static char *
delete_question(const struct author *au, const struct arow *r)
{
	if (r->kind == AROW_COURSE) {
		int mods = 0, items = 0;

		for (int i = 0; i < au->n; i++) {
			mods += au->rows[i].kind == AROW_MODULE;
			items += au->rows[i].kind == AROW_ITEM;
		}
		return lc_asprintf(
		    "Delete course '%s' with its %d modules, %d items, its forum and "
		    "the work of its %d enrolled learners?",
		    tui_json_str(au->course, "title"), mods, items, au->enrolled);
	}
	if (r->kind == AROW_MODULE)
		return lc_asprintf("Delete module '%s' and its %d item%s?", r->title, r->children,
		                   r->children == 1 ? "" : "s");
	if (strcmp(r->item_kind, "quiz") == 0)
		return lc_asprintf("Delete quiz '%s' with its %d question%s and its attempts?",
		                   r->title, r->children, r->children == 1 ? "" : "s");
	return lc_asprintf("Delete %s '%s' and the progress learners made on it?", r->item_kind,
	                   r->title);
}

static void
delete_row(struct tui_app *app, struct author *au)
{
	struct arow *r = selected(au);
	const char *type = r->kind == AROW_COURSE   ? "course"
	                   : r->kind == AROW_MODULE ? "module"
	                                            : "item";
	char *question = delete_question(au, r), *cause = NULL;
	struct tui_writer w;
	bool yes = tui_form_confirm(app, question);
	bool course = r->kind == AROW_COURSE;
	int rc;

	free(question);
	if (!yes) {
		tui_flash(app, "Nothing deleted");
		return;
	}
	tui_author_writer(app, &w);
	rc = tui_queue_delete(&w, type, r->id, &cause);
	tui_author_written(app, rc, cause, "Deleted (queued)");
	if (rc == 0 && course)
		tui_pop(app); /* au is gone now */
}

/* The sibling before (dir -1) or after (+1) row i of the same kind and parent, or -1. */
static int
sibling(const struct author *au, int i, int dir)
{
	const struct arow *r = &au->rows[i];

	for (int k = i + dir; k >= 0 && k < au->n; k += dir) {
		const struct arow *o = &au->rows[k];

		if (r->kind == AROW_ITEM && o->kind == AROW_MODULE)
			return -1; /* past its module: move_across() takes it on */
		if (o->kind == r->kind)
			return k;
	}
	return -1;
}

/*
 * J on the last item of a module, K on the first: the item crosses into the next module (its
 * start) or the previous one (its end), so J and K alone carry a lesson anywhere in the
 * course. The server takes the module_id (lecternd's extension, docs/api.md).
 */
static void
move_across(struct tui_app *app, struct author *au, int dir)
{
	const struct arow *r = selected(au);
	struct tui_writer w;
	char *cause = NULL;
	int k = au->list.sel, rc;

	/* The next module row down, or the previous one up (past the item's own module). */
	for (int seen = 0; k >= 0 && k < au->n; k += dir)
		if (au->rows[k].kind == AROW_MODULE && (dir > 0 || ++seen == 2))
			break;
	if (k < 0 || k >= au->n || au->rows[k].kind != AROW_MODULE) {
		tui_flash(app, "Already the %s item of the course", dir > 0 ? "last" : "first");
		return;
	}
	tui_author_writer(app, &w);
	if (dir > 0 && k + 1 < au->n && au->rows[k + 1].kind == AROW_ITEM)
		rc = tui_queue_move(&w, "item", r->id, au->rows[k + 1].id, NULL, &cause);
	else
		rc = tui_queue_move_to_module(&w, r->id, au->rows[k].id, &cause);
	tui_author_written(app, rc, cause,
	                   dir > 0 ? "Moved to the next module (queued)"
	                           : "Moved to the previous module (queued)");
}

static void
move_row(struct tui_app *app, struct author *au, int dir)
{
	struct arow *r = selected(au);
	struct tui_writer w;
	char *cause = NULL;
	int k, rc;

	if (r->kind == AROW_COURSE)
		return;
	k = sibling(au, au->list.sel, dir);
	if (k < 0 && r->kind == AROW_ITEM) {
		move_across(app, au, dir);
		return;
	}
	if (k < 0) {
		tui_flash(app, "Already the %s module", dir > 0 ? "last" : "first");
		return;
	}
	tui_author_writer(app, &w);
	rc = tui_queue_move(&w, r->kind == AROW_MODULE ? "module" : "item", r->id,
	                    dir < 0 ? au->rows[k].id : NULL, dir > 0 ? au->rows[k].id : NULL,
	                    &cause);
	tui_author_written(app, rc, cause, dir > 0 ? "Moved down (queued)" : "Moved up (queued)");
}

static void
edit_text_field(struct tui_app *app, const char *type, const char *id, const char *key,
                const char *title)
{
	struct store_resource res = {0};
	char *text = NULL, *draft_key;
	cJSON *doc;

	if (store_resource_get(app->db, type, id, &res) < 0)
		return;
	doc = cJSON_Parse(res.doc);
	store_resource_finish(&res);
	draft_key = lc_asprintf("edit:%s:%s:%s", type, id, key);
	/* A false return has said why (discarded, empty, the editor failed: draft kept). */
	if (tui_edit_draft(app, draft_key, title, tui_json_str(doc, key), &text)) {
		if (save_text(app, type, NULL, id, key, text, NULL, "Saved (queued)") == 0)
			tui_draft_done(app, draft_key);
		else
			tui_draft_kept(app);
	}
	cJSON_Delete(doc);
	free(text);
	free(draft_key);
}

static void
edit_body(struct tui_app *app, struct author *au)
{
	struct arow *r = selected(au);
	char title[300];

	if (r->kind != AROW_ITEM) {
		tui_flash(app, "Select a page, link or assignment to edit its body");
		return;
	}
	if (strcmp(r->item_kind, "quiz") == 0) {
		tui_push(app, &tui_view_quiz_edit, r->id);
		return;
	}
	snprintf(title, sizeof(title), "Body of '%s' (Markdown)", r->title);
	edit_text_field(app, "item", r->id, "body", title);
}

/* ---- Publishing ---------------------------------------------------------------------- */

struct transition {
	int key;
	const char *action, *from, *done;
};

static const struct transition transitions[] = {
    {'p', "publish", "draft", "Published (queued)"},
    {'u', "unpublish", "published", "Unpublished (queued)"},
    {'a', "archive", "draft published", "Archived (queued)"},
    {'r', "unarchive", "archived", "Unarchived (queued)"},
};

/* Who will see the change, in a sentence. Caller frees. */
static char *
publish_question(struct author *au, const char *action)
{
	const char *name = *tui_json_str(au->course, "code") ? tui_json_str(au->course, "code")
	                                                     : tui_json_str(au->course, "title");
	int n = au->enrolled;

	if (strcmp(action, "publish") == 0)
		return lc_asprintf("Publish %s? Every learner will see it in the catalog and can "
		                   "enroll.",
		                   name);
	if (strcmp(action, "unpublish") == 0)
		return n > 0 ? lc_asprintf("Unpublish %s? Its %d enrolled learner%s access until "
		                           "you publish it again.",
		                           name, n, n == 1 ? " loses" : "s lose")
		             : lc_asprintf(
		                   "Unpublish %s? It leaves the catalog; only its staff see it "
		                   "until you publish it again.",
		                   name);
	if (strcmp(action, "archive") == 0)
		return lc_asprintf(
		    "Archive %s? It leaves the catalog and its %d enrolled learner%s "
		    "access; only its staff keep it.",
		    name, n, n == 1 ? " loses" : "s lose");
	return lc_asprintf("Unarchive %s? It is published again: every learner sees it in the "
	                   "catalog, and its %d enrolled learner%s it back.",
	                   name, n, n == 1 ? " gets" : "s get");
}

static void
publish_menu(struct tui_app *app, struct author *au)
{
	const char *status = tui_json_str(au->course, "status");
	struct lc_buf menu = {0}, keys = {0};
	const struct transition *t = NULL;
	struct tui_writer w;
	char *question, *cause = NULL;
	wint_t key;
	int rc;

	lc_buf_printf(&menu, "Course is %s:", status);
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (strstr(transitions[i].from, status) != NULL) {
			lc_buf_printf(&menu, "  %c %s", transitions[i].key, transitions[i].action);
			lc_buf_putc(&keys, (char)transitions[i].key);
		}
	lc_buf_puts(&menu, "  Esc cancel");
	key = tui_form_menu(app, lc_buf_str(&menu), keys.len ? lc_buf_str(&keys) : "");
	lc_buf_finish(&menu);
	lc_buf_finish(&keys);
	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
		if (key != 0 && transitions[i].key == (int)key)
			t = &transitions[i];
	if (t == NULL)
		return;
	question = publish_question(au, t->action);
	if (!tui_form_confirm(app, question)) {
		free(question);
		tui_flash(app, "Status not changed");
		return;
	}
	free(question);
	tui_author_writer(app, &w);
	rc = tui_queue_course_status(&w, au->course_id, t->action, &cause);
	tui_author_written(app, rc, cause, t->done);
}

static enum tui_key_result
author_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct author *au = state;
	struct arow *r = selected(au);

	if (tui_list_key(&au->list, key, fn_key, tui_body_rows() - HEAD_ROWS))
		return TUI_KEY_HANDLED;
	if (fn_key || r == NULL || au->course == NULL)
		return TUI_KEY_UNHANDLED;
	switch (key) {
	case 'a':
	case 'A':
		add(app, au, key == 'A');
		break;
	case 'e':
		edit_row(app, au);
		break;
	case '\r':
	case '\n':
		if (r->kind == AROW_ITEM && strcmp(r->item_kind, "quiz") == 0)
			tui_push(app, &tui_view_quiz_edit, r->id);
		else
			edit_row(app, au);
		break;
	case 'r':
		rename_row(app, au);
		break;
	case 'd':
		delete_row(app, au); /* au may be gone */
		break;
	case 'J':
	case 'K':
		move_row(app, au, key == 'J' ? 1 : -1);
		break;
	case 'E':
		edit_body(app, au);
		break;
	case 'D':
		edit_text_field(app, "course", au->course_id, "description",
		                "Course description (Markdown)");
		break;
	case 'p':
		if (r->kind == AROW_ITEM)
			tui_push(app, &tui_view_preview, r->id);
		else
			tui_flash(app, "Select an item to preview it");
		break;
	case 'P':
		publish_menu(app, au);
		break;
	case 'N':
		tui_author_new_course(app);
		break;
	default:
		return TUI_KEY_UNHANDLED;
	}
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_author = {
    .name = "course editor",
    .keys = author_keys,
    .open = author_open,
    .close = author_close,
    .reload = author_reload,
    .draw = author_draw,
    .key = author_key,
};
