/* SPDX-License-Identifier: MIT */
/*
 * Forum: a course's topics by last activity, newest first, with their reply counts; topics
 * not yet sent are marked. `n` starts a new topic (title, then the body in the editor);
 * `e` edits the user's own topic; `d` deletes it, or any topic of a course they teach
 * (moderation, API.md "Roles").
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/tui-int.h"

struct topic_row {
	char *id;
	char *title;
	char *meta;
	char *author_id;
	char *body;
	bool pending;
	bool unread; /* tui_unread_topics(): someone else posted since the user last read it */
};

struct forum {
	char *course_id;
	char *course_title;
	struct topic_row *rows;
	int n;
	struct tui_list list;
	bool teaches; /* staff of the course: may moderate others' topics */
};

static const struct tui_key_help forum_keys[] = {
    {"j, k, Down, Up, PgDn, PgUp, g, G", "move"},
    {"Enter, l, Right", "read the topic and its replies"},
    {"n", "new topic: a title, then the text"},
    {"e", "edit the selected topic (your own)"},
    {"d", "delete the selected topic and its replies (your own; any when you teach)"},
    {NULL, NULL},
};

static void
clear_rows(struct forum *f)
{
	for (int i = 0; i < f->n; i++) {
		free(f->rows[i].id);
		free(f->rows[i].title);
		free(f->rows[i].meta);
		free(f->rows[i].author_id);
		free(f->rows[i].body);
	}
	free(f->rows);
	f->rows = NULL;
	f->n = 0;
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
forum_reload(struct tui_app *app, void *state)
{
	struct forum *f = state;
	struct store_resource_list list = {0};
	struct store_resource course = {0};
	char **unread = NULL;
	size_t n_unread = 0;

	clear_rows(f);
	f->teaches = tui_teaches(app, f->course_id);
	if (store_resource_get(app->db, "course", f->course_id, &course) == 0) {
		cJSON *doc = cJSON_Parse(course.doc);

		free(f->course_title);
		f->course_title = lc_strdup(tui_json_str(doc, "title"));
		cJSON_Delete(doc);
		store_resource_finish(&course);
	}
	if (store_resource_list(app->db, "topic", f->course_id, NULL, STORE_ORDER_ACTIVITY_DESC,
	                        &list) < 0)
		return;
	if (tui_unread_topics(app, f->course_id, &unread, &n_unread) < 0)
		n_unread = 0;
	f->rows = lc_calloc(list.n + 1, sizeof(*f->rows));
	for (size_t i = 0; i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);
		struct topic_row *r = &f->rows[f->n++];
		const char *at = tui_json_str(doc, "last_activity_at");
		int replies = (int)tui_json_num(doc, "reply_count", 0);
		bool mine = app->user_id != NULL &&
		            strcmp(tui_json_str(doc, "author_id"), app->user_id) == 0;
		/* An own unsent topic is signed as the server will sign it (A15). */
		char *name = list.items[i].pending && mine
		                 ? tui_display_name(app)
		                 : lc_strdup(tui_json_str(doc, "author_name"));

		r->id = lc_strdup(list.items[i].id);
		r->title = lc_strdup(tui_json_str(doc, "title"));
		r->meta =
		    lc_asprintf("%s, %d repl%s, %.10s", name, replies, replies == 1 ? "y" : "ies",
		                *at ? at : tui_json_str(doc, "updated_at"));
		free(name);
		r->pending = list.items[i].pending;
		/* The same list Home counts: the two never disagree (UX review A15). */
		r->unread = n_unread > 0 &&
		            bsearch(&r->id, unread, n_unread, sizeof(*unread), id_cmp) != NULL;
		r->author_id = lc_strdup(tui_json_str(doc, "author_id"));
		r->body = lc_strdup(tui_json_str(doc, "body"));
		cJSON_Delete(doc);
	}
	store_resource_list_free(&list);
	tui_unread_free(unread, n_unread);
	f->list.n = f->n;
	tui_list_clamp(&f->list, tui_body_rows() - 2);
}

static int
forum_open(struct tui_app *app, const char *arg, void **state)
{
	struct forum *f;

	if (arg == NULL)
		return -LC_EINVAL;
	f = lc_calloc(1, sizeof(*f));
	f->course_id = lc_strdup(arg);
	forum_reload(app, f);
	*state = f;
	return 0;
}

static void
forum_close(void *state)
{
	struct forum *f = state;

	clear_rows(f);
	free(f->course_id);
	free(f->course_title);
	free(f);
}

static void
forum_draw(struct tui_app *app, void *state)
{
	struct forum *f = state;
	int rows = tui_body_rows() - 2, top = tui_body_top() + 2, unread = 0;
	char title[256];

	snprintf(title, sizeof(title), "Forum: %s", f->course_title ? f->course_title : "");
	tui_draw_title(title, f->teaches ? "n new  e edit  d delete" : "n new topic");
	for (int i = 0; i < f->n; i++)
		unread += f->rows[i].unread;
	if (unread > 0)
		snprintf(title, sizeof(title), "%d topic%s, %d unread (N), latest activity first",
		         f->n, f->n == 1 ? "" : "s", unread);
	else
		snprintf(title, sizeof(title), "%d topic%s, latest activity first", f->n,
		         f->n == 1 ? "" : "s");
	tui_put(tui_body_top(), 1, title, COLS - 2, tui_attr(TUI_ROLE_HEADING));
	if (f->n == 0)
		tui_put(top, 3, "No topics yet. Press n to start one.", COLS - 4,
		        tui_attr(TUI_ROLE_DIM));
	tui_list_clamp(&f->list, rows);
	for (int r = 0; r < rows && f->list.top + r < f->n; r++) {
		const struct topic_row *row = &f->rows[f->list.top + r];
		bool sel = f->list.top + r == f->list.sel;
		attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;
		int y = top + r, used, mw = COLS * 2 / 5;

		if (sel)
			tui_clear_to_eol(y, 1, a);
		tui_put(y, 1, sel ? ">" : " ", 1, a);
		/* "N" as neomutt marks new mail: seen without colour too; unread in bold. */
		if (row->unread)
			tui_put(y, 3, "N", 1, a | tui_attr(TUI_ROLE_GOOD));
		used = 0;
		if (row->pending)
			used = tui_put(y, 5, "[unsent] ", 9, a | tui_attr(TUI_ROLE_WARN));
		tui_put(y, 5 + used, row->title, COLS - mw - 8 - used,
		        a | (row->unread ? A_BOLD : A_NORMAL));
		tui_put(y, COLS - mw - 1, row->meta, mw, a | tui_attr(TUI_ROLE_DIM));
	}
}

/* True when a draft is kept under key. */
static bool
draft_kept(struct tui_app *app, const char *key)
{
	char *text = NULL;
	bool kept = store_draft_get(app->db, key, &text, NULL) == 0 && text != NULL;

	free(text);
	return kept;
}

/*
 * The title is kept as a draft of its own next to the body's, so that a body kept after
 * Ctrl-C, a crash or a failed editor comes back with its title.
 */
static void
new_topic(struct tui_app *app, struct forum *f)
{
	char *title = NULL, *body = NULL, *kept = NULL;
	char *title_key = lc_asprintf("topic-title:%s", f->course_id);
	char *key = lc_asprintf("topic:%s", f->course_id);

	if (store_draft_get(app->db, title_key, &kept, NULL) != 0)
		kept = NULL;
	if (!tui_prompt(app, "Topic title:", kept, &title))
		goto out;
	if (title[0] == '\0') {
		tui_draft_done(app, title_key);
		goto out;
	}
	if (store_draft_put(app->db, title_key, title) != 0)
		lc_log(LC_LOG_ERROR, "tui: cannot keep the draft %s", title_key);
	/* A false return has said why (discarded, empty, the editor failed: draft kept). */
	if (tui_edit_draft(app, key, title, NULL, &body)) {
		if (tui_write_topic(app, f->course_id, title, body) == 0) {
			tui_draft_done(app, key);
			tui_draft_done(app, title_key);
			tui_flash(app, "Topic saved; sent as soon as online");
			f->list.sel = 0;
		} else {
			tui_draft_kept(app);
		}
	} else if (!draft_kept(app, key)) {
		tui_draft_done(app, title_key); /* the body was discarded: its title goes too */
	}
out:
	free(kept);
	free(title);
	free(body);
	free(key);
	free(title_key);
}

/* The user's own topic, or any topic of a course they teach (see view-topic.c). */
static bool
may_change(struct tui_app *app, const struct forum *f, const struct topic_row *r)
{
	return f->teaches || (app->user_id != NULL && strcmp(r->author_id, app->user_id) == 0);
}

static void
edit_topic(struct tui_app *app, struct forum *f, const struct topic_row *r)
{
	char *body = NULL, *key;

	/* API.md "Roles": only the author edits a post; staff may delete any. */
	if (app->user_id == NULL || strcmp(r->author_id, app->user_id) != 0) {
		tui_flash(app, f->teaches
		                   ? "Only its author can edit a topic; as staff you can delete "
		                     "it (d)"
		                   : "You can only edit your own topics");
		return;
	}
	key = lc_asprintf("edit:topic:%s:body", r->id);
	if (tui_edit_draft(app, key, r->title, r->body, &body)) {
		if (tui_write_edit(app, "topic", r->id, body) == 0) {
			tui_draft_done(app, key);
			tui_flash(app, "Edit saved; sent as soon as online");
		} else {
			tui_draft_kept(app);
		}
	}
	free(body);
	free(key);
}

static void
delete_topic(struct tui_app *app, struct forum *f, const struct topic_row *r)
{
	bool mine = app->user_id != NULL && strcmp(r->author_id, app->user_id) == 0;

	if (!may_change(app, f, r)) {
		tui_flash(app, "You can only delete your own topics");
		return;
	}
	if (!tui_confirm(app, mine ? "Delete this topic and all its replies?"
	                           : "Delete this learner's topic and all its replies?"))
		return;
	if (tui_write_delete(app, "topic", r->id) == 0)
		tui_flash(app, "Deleted; the server is told as soon as online");
	else
		tui_flash(app, "Could not delete the topic (see the log)");
}

static enum tui_key_result
forum_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct forum *f = state;

	if (tui_list_key(&f->list, key, fn_key, tui_body_rows() - 2))
		return TUI_KEY_HANDLED;
	if ((!fn_key && (key == '\r' || key == '\n' || key == 'l')) ||
	    (fn_key && key == KEY_RIGHT)) {
		if (f->list.sel < f->n)
			tui_push(app, &tui_view_topic, f->rows[f->list.sel].id);
	} else if (!fn_key && key == 'n') {
		new_topic(app, f);
	} else if (!fn_key && key == 'e' && f->list.sel < f->n) {
		edit_topic(app, f, &f->rows[f->list.sel]);
	} else if (!fn_key && key == 'd' && f->list.sel < f->n) {
		delete_topic(app, f, &f->rows[f->list.sel]);
	} else {
		return TUI_KEY_UNHANDLED;
	}
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_forum = {
    .name = "forum",
    .keys = forum_keys,
    .open = forum_open,
    .close = forum_close,
    .reload = forum_reload,
    .draw = forum_draw,
    .key = forum_key,
};
