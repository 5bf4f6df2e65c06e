/* SPDX-License-Identifier: MIT */
/*
 * Sync issues: writes the server refused and edits that collided, newest first, named in
 * words ("Lesson 'Pointers and arrays' in C201: changed on the server since you edited
 * it"), never in HTTP (ux review 2026-11-29, A3). Enter opens one: what each side changed
 * as line diffs against the common base, scrolled with j/k and PgUp/PgDn. A conflict is
 * resolved only by the user's choice (A2): keep mine, keep theirs, or a merge edited in the
 * editor from the three-way merge with conflict markers. A refusal can be retried, copied
 * or discarded. The logic of each choice is in store/issues.c and sync/merge.c, shared with
 * `lectern issues`.
 */
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "store/replica.h"
#include "sync/merge.h"
#include "tui/text.h"
#include "tui/tui-int.h"

/* One screen row of the detail. */
struct row {
	char *text;
	enum tui_role role;
};

struct issues {
	struct store_issue *items;
	size_t n;
	struct tui_list list;
	bool open;     /* the detail of the selected issue is shown */
	int scroll;    /* first detail row shown */
	int built_for; /* the issue and width the rows were made for */
	int built_width;
	struct row *rows;
	int n_rows, cap_rows;
};

static const struct tui_key_help issues_keys[] = {
    {"j, k, Down, Up", "select an issue; in an issue, scroll"},
    {"PgDn, PgUp, Space", "scroll an issue by a page"},
    {"Enter", "show what each side changed"},
    {"m", "conflict: keep mine (sent over the server's version, asks first)"},
    {"t", "conflict: keep theirs (your change is dropped, asks first)"},
    {"e", "conflict: edit a merge in the editor, with conflict markers"},
    {"r", "refused write: queue it again"},
    {"c", "copy your content and the diffs to a file by the replica"},
    {"d", "discard the issue (asks first)"},
    {"q, Esc", "back to the list, then back"},
    {NULL, NULL},
};

static void
rows_clear(struct issues *is)
{
	for (int i = 0; i < is->n_rows; i++)
		free(is->rows[i].text);
	is->n_rows = 0;
	is->built_for = -1;
}

static void
issues_reload(struct tui_app *app, void *state)
{
	struct issues *is = state;

	store_issues_free(is->items, is->n);
	is->items = NULL;
	is->n = 0;
	store_issues_list(app->db, &is->items, &is->n);
	is->list.n = (int)is->n;
	tui_list_clamp(&is->list, tui_body_rows() / 2);
	rows_clear(is);
	if (is->n == 0)
		is->open = false;
}

static int
issues_open(struct tui_app *app, const char *arg, void **state)
{
	struct issues *is = lc_calloc(1, sizeof(*is));

	is->built_for = -1;
	issues_reload(app, is);
	*state = is;
	return 0;
}

static void
issues_close(void *state)
{
	struct issues *is = state;

	store_issues_free(is->items, is->n);
	rows_clear(is);
	free(is->rows);
	free(is);
}

static bool
is_conflict(const struct store_issue *it)
{
	return strcmp(it->kind, "conflict") == 0;
}

static void
add_row(struct issues *is, const char *text, size_t len, enum tui_role role)
{
	if (is->n_rows == is->cap_rows) {
		is->cap_rows = is->cap_rows ? is->cap_rows * 2 : 64;
		is->rows = lc_realloc(is->rows, (size_t)is->cap_rows * sizeof(*is->rows));
	}
	is->rows[is->n_rows].text = lc_strndup(text, len);
	is->rows[is->n_rows].role = role;
	is->n_rows++;
}

/* Adds a logical line as rows of at most width cells, broken after a space when one fits. */
static void
add_wrapped(struct issues *is, const char *line, size_t len, enum tui_role role, int width)
{
	do {
		int used = 0;
		size_t fit = tui_text_fit(line, len, width, &used), cut = fit;

		if (fit < len) {
			while (cut > 0 && line[cut - 1] != ' ')
				cut--;
			if (cut == 0)
				cut = fit; /* one long word: cut it */
		}
		add_row(is, line, cut, role);
		line += cut;
		len -= cut;
	} while (len > 0);
}

/* The role of a line of sync_merge_describe()'s text. */
static enum tui_role
line_role(const char *line)
{
	if (line[0] == '+')
		return TUI_ROLE_GOOD;
	if (line[0] == '-')
		return TUI_ROLE_BAD;
	if (strncmp(line, "@@", 2) == 0)
		return TUI_ROLE_DIM;
	if (line[0] == ' ')
		return TUI_ROLE_NORMAL;
	return TUI_ROLE_HEADING;
}

static void
build_rows(struct tui_app *app, struct issues *is, int i, int width)
{
	const struct store_issue *it = &is->items[i];
	char *what = store_issue_describe(app->db, it);
	char *happened = store_issue_what_happened(it);
	char *diff = sync_merge_describe(it->base, it->mine, it->theirs);
	char when[64];
	time_t t = (time_t)it->created_at;
	struct tm tm;
	const char *p;

	rows_clear(is);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	add_wrapped(is, what, strlen(what), TUI_ROLE_HEADING, width);
	add_wrapped(is, happened, strlen(happened), is_conflict(it) ? TUI_ROLE_WARN : TUI_ROLE_BAD,
	            width);
	free(what);
	free(happened);
	what = lc_asprintf("since %s; %s", when,
	                   is_conflict(it) ? "this computer shows the server's version until you "
	                                     "choose"
	                                   : "your change was undone here; its content is kept");
	add_wrapped(is, what, strlen(what), TUI_ROLE_DIM, width);
	free(what);
	add_row(is, "", 0, TUI_ROLE_NORMAL);
	for (p = diff; *p != '\0';) {
		size_t len = strcspn(p, "\n");
		char *line = lc_strndup(p, len);

		add_wrapped(is, line, len, line_role(line), width);
		free(line);
		p += len + (p[len] == '\n' ? 1 : 0);
	}
	free(diff);
	add_row(is, "", 0, TUI_ROLE_NORMAL);
	if (is_conflict(it))
		add_wrapped(is, "m keep mine   t keep theirs   e edit a merge   d discard", 55,
		            TUI_ROLE_HEADING, width);
	else
		add_wrapped(is, "r retry   c copy to a file   d discard", 38, TUI_ROLE_HEADING,
		            width);
	is->built_for = i;
	is->built_width = width;
}

static int
detail_rows(void)
{
	return tui_body_rows() > 1 ? tui_body_rows() : 1;
}

static void
draw_detail(struct tui_app *app, struct issues *is)
{
	int width = COLS - 4 > 10 ? COLS - 4 : 10, rows = detail_rows(), y = tui_body_top();
	char title[64];

	if (is->built_for != is->list.sel || is->built_width != width)
		build_rows(app, is, is->list.sel, width);
	if (is->scroll > is->n_rows - rows)
		is->scroll = is->n_rows - rows;
	if (is->scroll < 0)
		is->scroll = 0;
	snprintf(title, sizeof(title), "Sync issue %d of %zu", is->list.sel + 1, is->n);
	tui_draw_title(title, is->n_rows > rows ? "j k PgDn PgUp scroll  q back" : "q back");
	for (int r = 0; r < rows && is->scroll + r < is->n_rows; r++) {
		const struct row *row = &is->rows[is->scroll + r];

		tui_put(y + r, 2, row->text, COLS - 3, tui_attr(row->role));
	}
	if (is->scroll + rows < is->n_rows)
		tui_put(y + rows - 1, COLS - 10 > 0 ? COLS - 10 : 0, "-- more --", 10,
		        tui_attr(TUI_ROLE_DIM));
}

static void
issues_draw(struct tui_app *app, void *state)
{
	struct issues *is = state;
	int per = 2, shown = (tui_body_rows() - 2) / per, y = tui_body_top();
	char line[160];

	if (is->open && is->n > 0) {
		draw_detail(app, is);
		return;
	}
	tui_draw_title("Sync issues", "Enter open  m mine  t theirs  e merge");
	if (is->n == 0) {
		tui_put(y + 1, 3, "No sync issues: every write was accepted.", COLS - 4,
		        tui_attr(TUI_ROLE_GOOD));
		return;
	}
	snprintf(line, sizeof(line), "%zu write%s could not be applied on the server:", is->n,
	         is->n == 1 ? "" : "s");
	tui_put(y, 1, line, COLS - 2, tui_attr(TUI_ROLE_HEADING));
	y++;
	if (shown < 1)
		shown = 1;
	tui_list_clamp(&is->list, shown);
	for (int r = 0; r < shown && is->list.top + r < (int)is->n; r++) {
		const struct store_issue *it = &is->items[is->list.top + r];
		bool sel = is->list.top + r == is->list.sel;
		attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;
		char *what = store_issue_describe(app->db, it);
		char *happened = store_issue_what_happened(it);

		if (sel)
			tui_clear_to_eol(y, 1, a);
		tui_put(y, 1, sel ? ">" : " ", 1, a);
		tui_put(y, 3, what, COLS - 4, a);
		tui_put(y + 1, 5, happened, COLS - 6,
		        tui_attr(is_conflict(it) ? TUI_ROLE_WARN : TUI_ROLE_BAD));
		free(what);
		free(happened);
		y += per;
	}
	tui_put(LINES - 2, 1, "Enter: what each side changed and the choices", COLS - 2,
	        tui_attr(TUI_ROLE_DIM));
}

/* Your content as text (a JSON body's title and body, else the JSON), then the diffs. */
static char *
copy_text(const struct store_issue *it)
{
	cJSON *doc = cJSON_Parse(it->mine != NULL ? it->mine : "");
	char *diff = sync_merge_describe(it->base, it->mine, it->theirs);
	struct lc_buf buf = {0};

	if (*tui_json_str(doc, "title") != '\0')
		lc_buf_printf(&buf, "%s\n\n", tui_json_str(doc, "title"));
	if (*tui_json_str(doc, "body") != '\0')
		lc_buf_printf(&buf, "%s\n", tui_json_str(doc, "body"));
	if (buf.len == 0 && it->mine != NULL)
		lc_buf_printf(&buf, "%s\n", it->mine);
	lc_buf_printf(&buf, "\n---- what each side changed ----\n%s", diff);
	cJSON_Delete(doc);
	free(diff);
	return lc_buf_steal(&buf);
}

static void
copy_out(struct tui_app *app, const struct store_issue *it)
{
	char *dir_copy = lc_strdup(app->db_path);
	char *path = lc_asprintf("%s/lectern-issue-%lld.txt", dirname(dir_copy), (long long)it->id);
	char *text = copy_text(it);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t len = strlen(text);

	if (fd >= 0 && write(fd, text, len) == (ssize_t)len)
		tui_flash(app, "Copied to %s", path);
	else
		tui_flash(app, "Could not write %s", path);
	if (fd >= 0)
		close(fd);
	free(text);
	free(path);
	free(dir_copy);
}

/* After a choice: the list again, re-read, and the engine woken for what was queued. */
static void
chosen(struct tui_app *app, struct issues *is, const char *msg)
{
	is->open = false;
	is->scroll = 0;
	tui_flash(app, "%s", msg);
	tui_after_write(app);
}

/* e: the three-way merge with markers in the editor; queued when no marker is left. */
static void
edit_merge(struct tui_app *app, struct issues *is, const struct store_issue *it)
{
	char *field = NULL, *marked = NULL, *text = NULL, *body = NULL, *cause = NULL;
	char *key = lc_asprintf("merge:%lld", (long long)it->id);
	char *what = store_issue_describe(app->db, it);
	char *title = lc_asprintf("Merge: %s", what);
	int rc = sync_merge_marked_field(it->base, it->mine, it->theirs, &field, &marked, &cause);

	if (rc < 0) {
		tui_flash(app, "No text to merge here: m or t");
	} else if (!tui_edit_draft(app, key, title, marked, &text)) {
		/* The editor has said why (discarded, empty, failed: its text kept as a draft). */
	} else {
		rc = sync_merge_resolve(it->base, it->mine, it->theirs, field, text, &body, &cause);
		if (rc == 0)
			rc = store_issue_resolve(app->db, it->id, body);
		if (rc == 0) {
			tui_draft_done(app, key);
			chosen(app, is, "Your merge is queued; sent as soon as online");
		} else {
			/* The editor kept it as the draft for the next `e`: a merge is work. */
			/* Short: the status line has ~40 cells for it at 80 columns. */
			tui_flash(app, "%s",
			          rc == -LC_EINVAL ? "Conflict markers left; nothing queued"
			                           : "The merge could not be queued");
		}
	}
	free(field);
	free(marked);
	free(text);
	free(body);
	free(cause);
	free(key);
	free(what);
	free(title);
}

/* The keys that act on the selected issue, in the list and in an issue. */
static bool
act(struct tui_app *app, struct issues *is, const struct store_issue *it, wint_t key)
{
	bool conflict = is_conflict(it);

	if (key == 'c') {
		copy_out(app, it);
	} else if (key == 'm' && conflict) {
		if (tui_confirm(app,
		                "Send yours over the server's version? Their change is lost.") &&
		    store_issue_keep_mine(app->db, it->id) == 0)
			chosen(app, is, "Yours is queued over the server's");
	} else if (key == 't' && conflict) {
		if (tui_confirm(app, "Keep the server's version and drop your change?") &&
		    store_issue_keep_theirs(app->db, it->id) == 0)
			chosen(app, is, "Kept the server's version");
	} else if (key == 'e' && conflict) {
		edit_merge(app, is, it);
	} else if (key == 'r' && conflict) {
		tui_flash(app, "Not for a conflict: m, t or e");
	} else if (key == 'r') {
		if (store_issue_retry(app->db, it->id) == 0)
			chosen(app, is, "Queued again; sent as soon as online");
		else
			tui_flash(app, "Could not queue it again (see the log)");
	} else if (key == 'd') {
		if (tui_confirm(app, "Discard this issue and its content?") &&
		    store_issue_discard(app->db, it->id) == 0) {
			lc_log(LC_LOG_INFO, "tui: discarded sync issue %lld", (long long)it->id);
			chosen(app, is, "Discarded");
		}
	} else {
		return false;
	}
	return true;
}

static enum tui_key_result
detail_key(struct issues *is, wint_t key, bool fn)
{
	int page = detail_rows() - 1;

	if ((fn && key == KEY_DOWN) || (!fn && key == 'j'))
		is->scroll++;
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		is->scroll--;
	else if ((fn && key == KEY_NPAGE) || (!fn && key == ' '))
		is->scroll += page > 0 ? page : 1;
	else if ((fn && key == KEY_PPAGE) || (!fn && key == 'b'))
		is->scroll -= page > 0 ? page : 1;
	else if ((fn && key == KEY_HOME) || (!fn && key == 'g'))
		is->scroll = 0;
	else if ((fn && key == KEY_END) || (!fn && key == 'G'))
		is->scroll = is->n_rows;
	else if ((fn && key == KEY_LEFT) || (!fn && (key == 'q' || key == 27)))
		is->open = false;
	else
		return TUI_KEY_UNHANDLED;
	if (is->scroll < 0)
		is->scroll = 0;
	return TUI_KEY_HANDLED; /* draw_detail keeps scroll inside the rows */
}

static enum tui_key_result
issues_key(struct tui_app *app, void *state, wint_t key, bool fn)
{
	struct issues *is = state;

	if (is->n == 0)
		return TUI_KEY_UNHANDLED;
	if (is->open && detail_key(is, key, fn) == TUI_KEY_HANDLED)
		return TUI_KEY_HANDLED;
	if (!is->open && tui_list_key(&is->list, key, fn, (tui_body_rows() - 2) / 2))
		return TUI_KEY_HANDLED;
	if (!is->open && ((fn && (key == KEY_ENTER || key == KEY_RIGHT)) ||
	                  (!fn && (key == '\r' || key == '\n')))) {
		is->open = true;
		is->scroll = 0;
		return TUI_KEY_HANDLED;
	}
	if (fn)
		return TUI_KEY_UNHANDLED;
	return act(app, is, &is->items[is->list.sel], key) ? TUI_KEY_HANDLED : TUI_KEY_UNHANDLED;
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
