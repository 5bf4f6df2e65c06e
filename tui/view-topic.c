/* SPDX-License-Identifier: MIT */
/*
 * A topic and its replies, oldest first, each rendered as Markdown under a header with its
 * author and time; posts not yet sent are marked "[unsent]". Tab moves between posts;
 * r replies, e edits the selected post when it is the user's own, d deletes it, or any
 * post for staff of the course (moderation, API.md "Roles").
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/markdown.h"
#include "tui/tui-int.h"

struct post {
	char *type; /* "topic" or "reply" */
	char *id;
	char *author_id;
	char *header;
	char *body;
	bool pending;
	struct tui_md_doc doc;
	int first_line; /* of its header in the whole page */
};

struct topic {
	char *topic_id;
	char *course_id;
	char *title;
	struct post *posts;
	int n;
	int sel;
	int top;
	int total_lines;
	int width;
	bool teaches; /* staff of the topic's course: may moderate others' posts */
};

static const struct tui_key_help topic_keys[] = {
    {"j, k, Down, Up, Space, PgDn, PgUp", "scroll"},
    {"Tab, Shift-Tab, ], [", "select the next, previous post"},
    {"r", "reply to the selected post ($VISUAL, $EDITOR, else Ctrl-D sends)"},
    {"e", "edit the selected post (your own)"},
    {"d", "delete the selected post (your own; any post when you teach the course)"},
    {NULL, NULL},
};

static void
clear_posts(struct topic *t)
{
	for (int i = 0; i < t->n; i++) {
		struct post *p = &t->posts[i];

		free(p->type);
		free(p->id);
		free(p->author_id);
		free(p->header);
		free(p->body);
		tui_md_free(&p->doc);
	}
	free(t->posts);
	t->posts = NULL;
	t->n = 0;
}

/*
 * True when the post was edited after it was written (UX review A15). A reply's updated_at
 * moves only on an edit; a topic's also moves when a reply comes (then last_activity_at
 * moves with it) or goes, so a topic counts as edited when updated_at is past both.
 */
static bool
edited(const cJSON *doc, const char *type)
{
	const char *created = tui_json_str(doc, "created_at");
	const char *updated = tui_json_str(doc, "updated_at");

	if (*created == '\0' || strcmp(updated, created) <= 0)
		return false;
	return strcmp(type, "reply") == 0 ||
	       strcmp(updated, tui_json_str(doc, "last_activity_at")) > 0;
}

/* "2026-11-23 10:41" in local time, as the status line's "synced 10:41" is. */
static void
local_time(const char *rfc3339, char *out, size_t size)
{
	int64_t at;
	time_t t;
	struct tm tm;

	if (lc_rfc3339_parse(rfc3339, &at) < 0 || (t = (time_t)at, localtime_r(&t, &tm)) == NULL ||
	    strftime(out, size, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, size, "%.16s", rfc3339);
}

static void
add_post(struct tui_app *app, struct topic *t, const char *type, const struct store_resource *res)
{
	cJSON *doc = cJSON_Parse(res->doc);
	struct post *p;
	const char *at = tui_json_str(doc, "created_at");
	char *name = NULL, when[32];

	t->posts = lc_realloc(t->posts, (size_t)(t->n + 1) * sizeof(*t->posts));
	p = &t->posts[t->n++];
	memset(p, 0, sizeof(*p));
	p->type = lc_strdup(type);
	p->id = lc_strdup(res->id);
	p->author_id = lc_strdup(tui_json_str(doc, "author_id"));
	p->body = lc_strdup(tui_json_str(doc, "body"));
	p->pending = res->pending;
	/*
	 * An unsent post of one's own is signed as the server will sign it, not with the
	 * username the optimistic doc carries (A15: "learner", then "Lena Park" at sync).
	 */
	if (res->pending && app->user_id != NULL && strcmp(p->author_id, app->user_id) == 0)
		name = tui_display_name(app);
	local_time(at, when, sizeof(when));
	p->header =
	    lc_asprintf("%s  %s%s%s", name ? name : tui_json_str(doc, "author_name"), when,
	                edited(doc, type) ? "  (edited)" : "", res->pending ? "  [unsent]" : "");
	free(name);
	cJSON_Delete(doc);
}

static void
layout(struct topic *t)
{
	int line = 0;

	t->width = COLS - 6 > 10 ? COLS - 6 : 10;
	if (t->width > 100)
		t->width = 100;
	for (int i = 0; i < t->n; i++) {
		struct post *p = &t->posts[i];

		tui_md_free(&p->doc);
		tui_md_render(p->body, t->width, &p->doc);
		p->first_line = line;
		line += 1 + (int)p->doc.n + 1;
	}
	t->total_lines = line;
}

static int
topic_load(struct tui_app *app, struct topic *t)
{
	struct store_resource res = {0};
	struct store_resource_list replies = {0};
	cJSON *doc;
	int rc = store_resource_get(app->db, "topic", t->topic_id, &res);

	clear_posts(t);
	if (rc < 0)
		return rc;
	doc = cJSON_Parse(res.doc);
	free(t->title);
	free(t->course_id);
	t->title = lc_strdup(tui_json_str(doc, "title"));
	t->course_id = lc_strdup(tui_json_str(doc, "course_id"));
	t->teaches = tui_teaches(app, t->course_id);
	cJSON_Delete(doc);
	add_post(app, t, "topic", &res);
	store_resource_finish(&res);
	if (store_resource_list(app->db, "reply", t->topic_id, NULL, STORE_ORDER_CREATED,
	                        &replies) == 0)
		for (size_t i = 0; i < replies.n; i++)
			add_post(app, t, "reply", &replies.items[i]);
	store_resource_list_free(&replies);
	if (t->sel >= t->n)
		t->sel = t->n - 1;
	layout(t);
	return 0;
}

static void
topic_reload(struct tui_app *app, void *state)
{
	struct topic *t = state;

	if (topic_load(app, t) < 0 && app->depth > 0)
		tui_flash(app, "This topic was deleted");
}

static int
topic_open(struct tui_app *app, const char *arg, void **state)
{
	struct topic *t;
	int rc;

	if (arg == NULL)
		return -LC_EINVAL;
	t = lc_calloc(1, sizeof(*t));
	t->topic_id = lc_strdup(arg);
	rc = topic_load(app, t);
	if (rc < 0) {
		free(t->topic_id);
		free(t);
		return rc;
	}
	/* The screens below count unread topics: they read again when back on top. */
	if (store_topic_mark_read(app->db, t->topic_id) == 0)
		app->data_version++;
	*state = t;
	return 0;
}

static void
topic_close(void *state)
{
	struct topic *t = state;

	clear_posts(t);
	free(t->topic_id);
	free(t->course_id);
	free(t->title);
	free(t);
}

static void
topic_draw(struct tui_app *app, void *state)
{
	struct topic *t = state;
	int rows = tui_body_rows();

	if (t->width != (COLS - 6 > 100 ? 100 : (COLS - 6 > 10 ? COLS - 6 : 10)))
		layout(t);
	if (t->top > t->total_lines - rows)
		t->top = t->total_lines - rows;
	if (t->top < 0)
		t->top = 0;
	tui_draw_title(t->title ? t->title : "Topic", "r reply  e edit  d delete");
	for (int i = 0; i < t->n; i++) {
		struct post *p = &t->posts[i];
		int y = p->first_line - t->top + tui_body_top();
		attr_t ha = i == t->sel ? tui_attr(TUI_ROLE_SELECTED) : tui_attr(TUI_ROLE_HEADING);

		if (y >= tui_body_top() && y < tui_body_top() + rows) {
			tui_clear_to_eol(y, 1, ha);
			tui_put(y, 1, i == t->sel ? ">" : " ", 1, ha);
			tui_put(y, 3, p->header, COLS - 4, ha | A_BOLD);
		}
		for (size_t l = 0; l < p->doc.n; l++) {
			int ly = y + 1 + (int)l;

			if (ly >= tui_body_top() && ly < tui_body_top() + rows)
				tui_draw_md_line(ly, 4, &p->doc.lines[l], COLS - 5);
		}
	}
}

static bool
own(struct tui_app *app, const struct post *p)
{
	return app->user_id != NULL && strcmp(p->author_id, app->user_id) == 0;
}

/*
 * May the user delete this post: their own, or any post of a course they teach
 * (moderation, issue 11; API.md "Roles"). Editing stays the author's alone.
 */
static bool
may_change(struct tui_app *app, const struct topic *t, const struct post *p)
{
	return own(app, p) || t->teaches;
}

static void
select_post(struct topic *t, int sel)
{
	int rows = tui_body_rows();

	if (sel < 0 || sel >= t->n)
		return;
	t->sel = sel;
	if (t->posts[sel].first_line < t->top || t->posts[sel].first_line >= t->top + rows - 2)
		t->top = t->posts[sel].first_line;
}

static void
reply(struct tui_app *app, struct topic *t)
{
	char *body = NULL, *key = lc_asprintf("reply:%s", t->topic_id);
	/* The selected post is the one being answered: the editor shows it (A15). */
	const struct post *p = t->sel >= 0 && t->sel < t->n ? &t->posts[t->sel] : NULL;
	char *head = p != NULL ? lc_asprintf("In reply to %s", p->header) : NULL;
	bool ok = tui_edit_reply(app, key, "Reply", head, p != NULL ? p->body : NULL, &body);

	free(head);
	/* A false return has said why (discarded, empty, the editor failed: draft kept). */
	if (ok) {
		if (tui_write_reply(app, t->topic_id, t->course_id, body) == 0) {
			tui_draft_done(app, key);
			tui_flash(app, "Reply saved; sent as soon as online");
			topic_load(app, t);
			select_post(t, t->n - 1);
		} else {
			tui_draft_kept(app);
		}
	}
	free(body);
	free(key);
}

static void
edit(struct tui_app *app, struct topic *t, struct post *p)
{
	char *body = NULL, *key = lc_asprintf("edit:%s:%s:body", p->type, p->id);

	if (tui_edit_draft(app, key, "Edit", p->body, &body)) {
		if (tui_write_edit(app, p->type, p->id, body) == 0) {
			tui_draft_done(app, key);
			tui_flash(app, "Edit saved; sent as soon as online");
		} else {
			tui_draft_kept(app);
		}
	}
	free(body);
	free(key);
}

static enum tui_key_result
topic_key(struct tui_app *app, void *state, wint_t key, bool fn)
{
	struct topic *t = state;
	struct post *p = t->sel >= 0 && t->sel < t->n ? &t->posts[t->sel] : NULL;
	int page = tui_body_rows() - 1;

	if ((fn && key == KEY_DOWN) || (!fn && key == 'j'))
		t->top++;
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		t->top--;
	else if ((fn && key == KEY_NPAGE) || (!fn && key == ' '))
		t->top += page;
	else if (fn && key == KEY_PPAGE)
		t->top -= page;
	else if (!fn && key == 'g')
		t->top = 0;
	else if (!fn && key == 'G')
		t->top = t->total_lines;
	else if ((!fn && (key == '\t' || key == ']')))
		select_post(t, t->sel + 1);
	else if ((fn && key == KEY_BTAB) || (!fn && key == '['))
		select_post(t, t->sel - 1);
	else if (!fn && key == 'r')
		reply(app, t);
	else if (!fn && key == 'e' && p != NULL) {
		/* API.md "Roles": only the author edits a post; staff may delete any. */
		if (own(app, p))
			edit(app, t, p);
		else
			tui_flash(app, t->teaches
			                   ? "Only its author can edit a post; as staff you can "
			                     "delete it (d)"
			                   : "You can only edit your own posts");
	} else if (!fn && key == 'd' && p != NULL) {
		if (!may_change(app, t, p))
			tui_flash(app, "You can only delete your own posts");
		else if (tui_confirm(app,
		                     strcmp(p->type, "topic") == 0
		                         ? (own(app, p) ? "Delete this topic and all its replies?"
		                                        : "Delete this learner's topic and all "
		                                          "its replies?")
		                         : (own(app, p) ? "Delete this reply?"
		                                        : "Delete this learner's reply?"))) {
			bool was_topic = strcmp(p->type, "topic") == 0;

			if (tui_write_delete(app, p->type, p->id) == 0) {
				tui_flash(app, "Deleted; the server is told as soon as online");
				if (was_topic) {
					tui_pop(app);
					return TUI_KEY_HANDLED;
				}
			}
		}
	} else
		return TUI_KEY_UNHANDLED;
	if (t->top < 0)
		t->top = 0;
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_topic = {
    .name = "topic",
    .keys = topic_keys,
    .open = topic_open,
    .close = topic_close,
    .reload = topic_reload,
    .draw = topic_draw,
    .key = topic_key,
};
