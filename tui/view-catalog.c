/* SPDX-License-Identifier: MIT */
/*
 * Catalog: the published courses on this replica, by title, and `/` full-text search over
 * them (store_search) with the matched words highlighted. Enter opens the course details,
 * where the learner enrolls.
 */
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/text.h"
#include "tui/tui-int.h"

#define SEARCH_LIMIT 100

/*
 * A course of the list. Only the rows on the screen are made ready (entry_ready()): the
 * catalog of a large campus has thousands of courses, and a search a hundred hits.
 */
struct entry {
	char *id;
	char *title;   /* NULL until ready (browsing: from doc) */
	char *detail;  /* instructor and rating, or the search snippet; NULL until ready */
	char *doc;     /* browsing: the course doc, until ready */
	char *snippet; /* searching: the hit's snippet, until ready */
	char *info;    /* searching: code, instructor and rating; NULL until ready */
	bool enrolled;
};

struct catalog {
	struct entry *entries;
	int n;
	struct tui_list list;
	char *query; /* NULL when showing every course */
};

static const struct tui_key_help catalog_keys[] = {
    {"j, k, Down, Up, PgDn, PgUp, g, G", "move"},
    {"Enter, l, Right", "course details (enroll there)"},
    {"/", "search titles and descriptions (each / a new search)"},
    {"Esc", "leave the search results (or go back)"},
    {NULL, NULL},
};

static void
clear_entries(struct catalog *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->entries[i].id);
		free(c->entries[i].title);
		free(c->entries[i].detail);
		free(c->entries[i].doc);
		free(c->entries[i].snippet);
		free(c->entries[i].info);
	}
	free(c->entries);
	c->entries = NULL;
	c->n = 0;
}

/* Appends an entry; takes over doc and snippet (either may be NULL). */
static void
add_entry(struct catalog *c, int cap, const char *id, const char *title, char *doc, char *snippet,
          bool enrolled)
{
	if (c->entries == NULL)
		c->entries = lc_calloc((size_t)cap + 1, sizeof(*c->entries));
	assert(c->n < cap);
	c->entries[c->n] = (struct entry){
	    .id = lc_strdup(id),
	    .title = title != NULL ? lc_strdup(title) : NULL,
	    .doc = doc,
	    .snippet = snippet,
	    .enrolled = enrolled,
	};
	c->n++;
}

static char *
course_detail(const cJSON *doc)
{
	const cJSON *rating = cJSON_GetObjectItemCaseSensitive(doc, "rating");
	const char *owner = tui_json_str(doc, "owner_name");
	const char *code = tui_json_str(doc, "code");

	if (cJSON_IsNumber(rating))
		return lc_asprintf("%s%s%s  rating %.1f", code, *code ? "  " : "",
		                   *owner ? owner : "", rating->valuedouble);
	return lc_asprintf("%s%s%s", code, *code ? "  " : "", *owner ? owner : "");
}

static void
load_all(struct tui_app *app, struct catalog *c)
{
	struct store_resource_list list = {0};

	if (tui_catalog_courses(app, &list) < 0)
		return;
	for (size_t i = 0; i < list.n; i++) {
		/* The doc moves over: the emptied resource frees nothing of it. */
		add_entry(c, (int)list.n, list.items[i].id, NULL, list.items[i].doc, NULL,
		          tui_is_enrolled(app, list.items[i].id));
		list.items[i].doc = NULL;
	}
	store_resource_list_free(&list);
}

/* Marks the words of query found in title with \x02..\x03 (case-insensitive, ASCII). */
static char *
mark_title(const char *title, const char *query)
{
	size_t len = strlen(title);
	char *marks = lc_calloc(len + 1, 1);
	struct lc_buf out = {0};
	const char *q = query;

	while (*q != '\0') {
		size_t wl;

		while (*q == ' ')
			q++;
		wl = strcspn(q, " ");
		for (size_t i = 0; wl > 0 && i + wl <= len; i++)
			if (strncasecmp(title + i, q, wl) == 0)
				memset(marks + i, 1, wl);
		q += wl;
	}
	for (size_t i = 0; i < len; i++) {
		if (marks[i] && (i == 0 || !marks[i - 1]))
			lc_buf_putc(&out, '\x02');
		lc_buf_putc(&out, title[i]);
		if (marks[i] && (i + 1 == len || !marks[i + 1]))
			lc_buf_putc(&out, '\x03');
	}
	free(marks);
	return lc_buf_steal(&out);
}

/*
 * The second row of a hit: the matched text; when the match was only in the title, the
 * description with the query's words marked instead, so the row says something new.
 */
static char *
hit_detail(struct tui_app *app, struct entry *hit, const char *query)
{
	struct store_resource res = {0};
	struct lc_buf plain = {0};
	char *out = NULL;

	for (const char *p = hit->snippet ? hit->snippet : ""; *p != '\0'; p++)
		if (*p != '\x02' && *p != '\x03')
			lc_buf_putc(&plain, *p);
	/* A hit keeps what the list shows: code, instructor and rating (UX review A11). */
	if (store_resource_get(app->db, "course", hit->id, &res) == 0) {
		cJSON *doc = cJSON_Parse(res.doc);

		free(hit->info);
		hit->info = course_detail(doc);
		if (strcmp(lc_buf_str(&plain), hit->title ? hit->title : "") == 0 &&
		    *tui_json_str(doc, "description") != '\0')
			out = mark_title(tui_json_str(doc, "description"), query);
		cJSON_Delete(doc);
		store_resource_finish(&res);
	}
	lc_buf_finish(&plain);
	return out != NULL ? out : lc_strdup(hit->snippet ? hit->snippet : "");
}

static void
load_search(struct tui_app *app, struct catalog *c)
{
	struct store_hit *hits = NULL;
	size_t n = 0;

	if (store_search(app->db, c->query, "course", SEARCH_LIMIT, &hits, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		add_entry(c, (int)n, hits[i].id, hits[i].title ? hits[i].title : "", NULL,
		          hits[i].snippet, tui_is_enrolled(app, hits[i].id));
		hits[i].snippet = NULL;
	}
	store_hits_free(hits, n);
}

/* Makes an entry ready to draw: its title and detail line. */
static void
entry_ready(struct tui_app *app, struct catalog *c, struct entry *e)
{
	if (e->detail != NULL)
		return;
	if (e->doc != NULL) {
		cJSON *doc = cJSON_Parse(e->doc);

		free(e->title);
		e->title = lc_strdup(tui_json_str(doc, "title"));
		e->detail = course_detail(doc);
		cJSON_Delete(doc);
		free(e->doc);
		e->doc = NULL;
	} else {
		e->detail = hit_detail(app, e, c->query ? c->query : "");
		free(e->snippet);
		e->snippet = NULL;
	}
	if (e->title == NULL)
		e->title = lc_strdup("");
}

static void
catalog_reload(struct tui_app *app, void *state)
{
	struct catalog *c = state;

	clear_entries(c);
	if (c->query != NULL)
		load_search(app, c);
	else
		load_all(app, c);
	c->list.n = c->n;
	tui_list_clamp(&c->list, tui_body_rows() - 2);
}

static int
catalog_open(struct tui_app *app, const char *arg, void **state)
{
	struct catalog *c = lc_calloc(1, sizeof(*c));

	catalog_reload(app, c);
	*state = c;
	return 0;
}

static void
catalog_close(void *state)
{
	struct catalog *c = state;

	clear_entries(c);
	free(c->query);
	free(c);
}

static void
draw_entry(struct tui_app *app, struct catalog *c, int i, int y, bool two_rows)
{
	struct entry *e = &c->entries[i];
	bool sel = i == c->list.sel;
	attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;
	int tw = COLS - 16;

	entry_ready(app, c, e);
	if (sel)
		tui_clear_to_eol(y, 0, a);
	tui_put(y, 1, sel ? ">" : " ", 1, a);
	if (c->query != NULL) {
		char *marked = mark_title(e->title, c->query);
		int used = tui_put_marked(y, 3, marked, tw / 2 + 10, a | A_BOLD);

		free(marked);
		if (e->info != NULL)
			tui_put(y, 3 + used + 2, e->info, tw - used - 2, a);
	} else {
		int used = tui_put(y, 3, e->title, tw / 2 + 10, a | A_BOLD);

		tui_put(y, 3 + used + 2, e->detail, COLS - used - 20, a);
	}
	if (e->enrolled)
		tui_put(y, COLS - 11, "[enrolled]", 10, a | tui_attr(TUI_ROLE_GOOD));
	if (two_rows)
		tui_put_marked(y + 1, 5, e->detail, COLS - 6, tui_attr(TUI_ROLE_DIM));
}

static void
catalog_draw(struct tui_app *app, void *state)
{
	struct catalog *c = state;
	int per = c->query ? 2 : 1, top = tui_body_top() + 2;
	int rows = (tui_body_rows() - 2) / per;
	char head[256];

	tui_draw_title("Catalog", "/ search  Enter details");
	if (c->query != NULL)
		snprintf(head, sizeof(head), "%d course%s matching \"%s\"  (Esc: all courses)",
		         c->n, c->n == 1 ? "" : "s", c->query);
	else
		snprintf(head, sizeof(head), "%d published course%s", c->n, c->n == 1 ? "" : "s");
	tui_put(tui_body_top(), 1, head, COLS - 2, tui_attr(TUI_ROLE_HEADING));
	if (c->n == 0) {
		const char *first = c->query ? NULL : tui_status_first_sync(app);

		tui_put(top, 3,
		        c->query ? "No course matches. Try other words."
		        : first  ? first
		                 : "No courses yet. Press s to sync with the server.",
		        COLS - 4, tui_attr(TUI_ROLE_DIM));
	}
	tui_list_clamp(&c->list, rows);
	for (int r = 0; r < rows && c->list.top + r < c->n; r++)
		draw_entry(app, c, c->list.top + r, top + r * per, per == 2);
}

static enum tui_key_result
catalog_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct catalog *c = state;
	int rows = (tui_body_rows() - 2) / (c->query ? 2 : 1);
	char *query = NULL;

	if (tui_list_key(&c->list, key, fn_key, rows))
		return TUI_KEY_HANDLED;
	if (!fn_key && key == '/') {
		/* A new query each time: the old one pre-filled was appended to (A11). */
		if (tui_prompt(app, "Search:", NULL, &query)) {
			free(c->query);
			c->query = query[0] != '\0' ? query : NULL;
			if (c->query == NULL)
				free(query);
			c->list.sel = c->list.top = 0;
			catalog_reload(app, c);
		}
	} else if (!fn_key && key == 27 && c->query != NULL) {
		free(c->query);
		c->query = NULL;
		c->list.sel = c->list.top = 0;
		catalog_reload(app, c);
	} else if ((!fn_key && (key == '\r' || key == '\n' || key == 'l')) ||
	           (fn_key && key == KEY_RIGHT)) {
		if (c->list.sel < c->n)
			tui_push(app, &tui_view_course_info, c->entries[c->list.sel].id);
	} else {
		return TUI_KEY_UNHANDLED;
	}
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_catalog = {
    .name = "catalog",
    .keys = catalog_keys,
    .open = catalog_open,
    .close = catalog_close,
    .reload = catalog_reload,
    .draw = catalog_draw,
    .key = catalog_key,
};
