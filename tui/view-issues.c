/* SPDX-License-Identifier: MIT */
/*
 * Sync issues: writes the server refused and edits that collided, newest first, with the
 * content the user wrote kept (and, for a conflict, the server's version). The user can
 * copy the content to a file, retry (queue it again) or discard it. The status line counts
 * them, so nothing is lost silently.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/markdown.h"
#include "tui/tui-int.h"

struct issues {
	struct store_issue *items;
	size_t n;
	struct tui_list list;
	struct tui_md_doc detail;
	int detail_for;
	int detail_width;
};

static const struct tui_key_help issues_keys[] = {
    {"j, k, Down, Up", "select an issue"},
    {"c", "copy the content to a file by the replica"},
    {"r", "retry: queue the write again"},
    {"d", "discard the issue (asks first)"},
    {NULL, NULL},
};

static void
issues_reload(struct tui_app *app, void *state)
{
	struct issues *is = state;

	store_issues_free(is->items, is->n);
	is->items = NULL;
	is->n = 0;
	store_issues_list(app->db, &is->items, &is->n);
	is->list.n = (int)is->n;
	tui_list_clamp(&is->list, 6);
	is->detail_for = -1;
}

static int
issues_open(struct tui_app *app, const char *arg, void **state)
{
	struct issues *is = lc_calloc(1, sizeof(*is));

	issues_reload(app, is);
	*state = is;
	return 0;
}

static void
issues_close(void *state)
{
	struct issues *is = state;

	store_issues_free(is->items, is->n);
	tui_md_free(&is->detail);
	free(is);
}

/* The kept content as text: a JSON body's "body" or "title", else the JSON itself. */
static char *
content_text(const char *json)
{
	cJSON *doc = cJSON_Parse(json ? json : "");
	struct lc_buf buf = {0};

	if (doc == NULL)
		return lc_strdup(json ? json : "");
	if (*tui_json_str(doc, "title") != '\0')
		lc_buf_printf(&buf, "%s\n\n", tui_json_str(doc, "title"));
	if (*tui_json_str(doc, "body") != '\0')
		lc_buf_puts(&buf, tui_json_str(doc, "body"));
	if (buf.len == 0) {
		char *pretty = cJSON_Print(doc);

		lc_buf_puts(&buf, pretty);
		cJSON_free(pretty);
	}
	cJSON_Delete(doc);
	return lc_buf_steal(&buf);
}

static void
build_detail(struct issues *is, int i)
{
	const struct store_issue *it = &is->items[i];
	struct lc_buf md = {0};
	char *mine = content_text(it->mine);

	is->detail_width = COLS - 4 > 10 ? COLS - 4 : 10;
	lc_buf_printf(&md, "**%s** `%s %s` status %d\n\n", it->kind, it->method, it->path,
	              it->status);
	lc_buf_puts(&md, "**Server said:** ");
	tui_md_escape(&md, it->message ? it->message : "");
	lc_buf_puts(&md, "\n\n**Your content:**\n\n```\n");
	lc_buf_puts(&md, mine);
	lc_buf_puts(&md, "\n```\n");
	if (it->theirs != NULL) {
		char *theirs = content_text(it->theirs);

		lc_buf_puts(&md, "\n**The server's version:**\n\n```\n");
		lc_buf_puts(&md, theirs);
		lc_buf_puts(&md, "\n```\n");
		free(theirs);
	}
	tui_md_free(&is->detail);
	tui_md_render(lc_buf_str(&md), is->detail_width, &is->detail);
	is->detail_for = i;
	free(mine);
	lc_buf_finish(&md);
}

static void
issues_draw(struct tui_app *app, void *state)
{
	struct issues *is = state;
	int list_rows = 6, y = tui_body_top() + 1;
	char line[512];

	tui_draw_title("Sync issues", "c copy  r retry  d discard");
	if (is->n == 0) {
		tui_put(y, 3, "No sync issues: every write was accepted.", COLS - 4,
		        tui_attr(TUI_ROLE_GOOD));
		return;
	}
	snprintf(line, sizeof(line), "%zu write%s could not be applied on the server:", is->n,
	         is->n == 1 ? "" : "s");
	tui_put(tui_body_top(), 1, line, COLS - 2, tui_attr(TUI_ROLE_HEADING));
	tui_list_clamp(&is->list, list_rows);
	for (int r = 0; r < list_rows && is->list.top + r < (int)is->n; r++) {
		const struct store_issue *it = &is->items[is->list.top + r];
		bool sel = is->list.top + r == is->list.sel;
		attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;

		snprintf(line, sizeof(line), "%s %-8s %s %s: %s", sel ? ">" : " ", it->kind,
		         it->method, it->path, it->message ? it->message : "");
		if (sel)
			tui_clear_to_eol(y + r, 1, a);
		tui_put(y + r, 1, line, COLS - 2, a);
	}
	if (is->detail_for != is->list.sel || is->detail_width != (COLS - 4 > 10 ? COLS - 4 : 10))
		build_detail(is, is->list.sel);
	y += list_rows + 1;
	for (size_t l = 0; l < is->detail.n && y < LINES - 1; l++)
		tui_draw_md_line(y++, 2, &is->detail.lines[l], COLS - 3);
}

static void
copy_out(struct tui_app *app, const struct store_issue *it)
{
	char *dir_copy = lc_strdup(app->cfg->db_path);
	char *path = lc_asprintf("%s/lectern-issue-%lld.txt", dirname(dir_copy), (long long)it->id);
	char *text = content_text(it->mine);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t len = strlen(text);

	if (fd >= 0 && write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1)
		tui_flash(app, "Copied to %s", path);
	else
		tui_flash(app, "Could not write %s", path);
	if (fd >= 0)
		close(fd);
	free(text);
	free(path);
	free(dir_copy);
}

static enum tui_key_result
issues_key(struct tui_app *app, void *state, wint_t key, bool fn)
{
	struct issues *is = state;
	const struct store_issue *it;

	if (tui_list_key(&is->list, key, fn, 6))
		return TUI_KEY_HANDLED;
	if (is->n == 0 || fn)
		return TUI_KEY_UNHANDLED;
	it = &is->items[is->list.sel];
	if (key == 'c') {
		copy_out(app, it);
	} else if (key == 'r') {
		if (store_issue_retry(app->db, it->id) == 0) {
			tui_flash(app, "Queued again; it is sent with the next sync");
			tui_after_write(app);
		} else {
			tui_flash(app, "Could not queue it again (see the log)");
		}
	} else if (key == 'd') {
		if (tui_confirm(app, "Discard this issue and its content?") &&
		    store_issue_discard(app->db, it->id) == 0) {
			lc_log(LC_LOG_INFO, "tui: discarded sync issue %lld", (long long)it->id);
			tui_flash(app, "Discarded");
			app->reloaded = true;
		}
	} else {
		return TUI_KEY_UNHANDLED;
	}
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_issues = {
    .name = "sync issues",
    .keys = issues_keys,
    .open = issues_open,
    .close = issues_close,
    .reload = issues_reload,
    .draw = issues_draw,
    .key = issues_key,
};
