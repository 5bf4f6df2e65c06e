/* SPDX-License-Identifier: MIT */
/*
 * Teaching: one course as its staff see it. Students with their progress, the course's
 * analytics (completion, average quiz score, per-item completion), the attempts at each
 * quiz with their scores, and the way to the forum, where staff moderate.
 *
 * What the replica of staff holds is read from it: the course's enrollments and attempts
 * (merged into `course:<id>` for staff). What only the server computes (each student's
 * percent, the analytics) is fetched by the sync engine's thread with
 * sync_engine_fetch(), kept in the settings table with its time, and shown "as of" that
 * time; offline the cached copy is shown, or a line saying it needs a connection.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/tui-int.h"

/* A fetch is asked again at most this often while the screen is open (and online). */
#define REFETCH_MS (60 * 1000)
#define STUDENTS_LIMIT 100 /* the API's largest page */

struct line {
	char *text;
	char *right; /* drawn right-aligned, or NULL */
	enum tui_role role;
	int indent;
	int percent; /* >= 0: a progress bar before right */
};

/* One server-computed part of the screen. */
struct part {
	char *key;  /* settings key (tui_teach_key) */
	char *path; /* GET path */
	enum sync_fetch_state state;
	char message[128];
};

struct teach {
	char *course_id;
	char *title;
	struct line *lines;
	int n;
	int top;
	struct part students, analytics;
	int64_t asked_ms; /* when the fetches were last asked (monotonic), 0 never */
};

static const struct tui_key_help teach_keys[] = {
    {"j, k, Down, Up, Space, PgDn, PgUp, g, G", "scroll"},
    {"r", "fetch students' progress and analytics from the server again"},
    {"f", "the course's forum (e edits, d deletes any post there)"},
    {"o, Enter", "open the course"},
    {NULL, NULL},
};

static void
clear_lines(struct teach *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->lines[i].text);
		free(t->lines[i].right);
	}
	free(t->lines);
	t->lines = NULL;
	t->n = 0;
}

static struct line *
add(struct teach *t, enum tui_role role, int indent, const char *text, const char *right)
{
	struct line *l;

	t->lines = lc_realloc(t->lines, (size_t)(t->n + 1) * sizeof(*t->lines));
	l = &t->lines[t->n++];
	l->text = lc_strdup(text);
	l->right = lc_strdup(right);
	l->role = role;
	l->indent = indent;
	l->percent = -1;
	return l;
}

/* "as of 14:02", or with the date when older than a day. */
static void
as_of(int64_t at, char *out, size_t size)
{
	time_t tt = (time_t)at;
	struct tm tm;

	localtime_r(&tt, &tm);
	if (lc_now() - at < 20 * 3600)
		strftime(out, size, "as of %H:%M", &tm);
	else
		strftime(out, size, "as of %Y-%m-%d %H:%M", &tm);
}

/* What the heading of a server-computed part says on its right. */
static void
part_label(const struct tui_app *app, const struct part *p, int64_t at, char *out, size_t size)
{
	char when[48] = "";

	if (at > 0)
		as_of(at, when, sizeof(when));
	if (p->state == SYNC_FETCH_WAITING)
		snprintf(out, size, "fetching...%s%s", at > 0 ? " " : "", when);
	else if (at > 0)
		snprintf(out, size, "%s%s", when,
		         p->state == SYNC_FETCH_FAILED ? " (offline)" : "");
	else if (app->engine == NULL || p->state == SYNC_FETCH_FAILED)
		snprintf(out, size, "needs a connection");
	else
		snprintf(out, size, "not fetched yet");
}

static int
rate_percent(double rate)
{
	return rate <= 0 ? 0 : rate >= 1 ? 100 : (int)(rate * 100 + 0.5);
}

/* The cached student of user_id, or NULL. */
static const cJSON *
cached_student(const cJSON *body, const char *user_id)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(body, "items"))
	{
		if (strcmp(tui_json_str(s, "user_id"), user_id) == 0)
			return s;
	}
	return NULL;
}

static void
build_students(struct tui_app *app, struct teach *t, const struct tui_student *roster,
               size_t n_roster)
{
	cJSON *body = NULL;
	int64_t at = 0;
	char head[64], label[96];
	const cJSON *s;
	int total;

	tui_teach_cache(app, t->students.key, &body, &at);
	total = (int)tui_json_num(body, "total", (double)n_roster);
	snprintf(head, sizeof(head), "Students (%d)",
	         total > (int)n_roster ? total : (int)n_roster);
	part_label(app, &t->students, at, label, sizeof(label));
	add(t, TUI_ROLE_HEADING, 1, head, label);
	if (n_roster == 0 &&
	    cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(body, "items")) == 0)
		add(t, TUI_ROLE_DIM, 3, "Nobody is enrolled yet.", NULL);
	/* The replica's enrollments, with the server's percent when it has been fetched. */
	for (size_t i = 0; i < n_roster; i++) {
		const cJSON *c = body != NULL ? cached_student(body, roster[i].user_id) : NULL;
		struct line *l = add(t, TUI_ROLE_NORMAL, 3, roster[i].username,
		                     c != NULL           ? NULL
		                     : roster[i].pending ? "not yet sent"
		                                         : "-");

		if (c != NULL)
			l->percent = (int)tui_json_num(c, "percent", 0);
	}
	/* Enrolled since the last sync: the server knows them, the replica not yet. */
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(body, "items"))
	{
		if (tui_roster_name(roster, n_roster, tui_json_str(s, "user_id")) != NULL)
			continue;
		add(t, TUI_ROLE_NORMAL, 3, tui_json_str(s, "username"), NULL)->percent =
		    (int)tui_json_num(s, "percent", 0);
	}
	if (total > STUDENTS_LIMIT) {
		snprintf(head, sizeof(head), "(the server sent the first %d)", STUDENTS_LIMIT);
		add(t, TUI_ROLE_DIM, 3, head, NULL);
	}
	cJSON_Delete(body);
}

static void
build_analytics(struct tui_app *app, struct teach *t)
{
	cJSON *body = NULL;
	int64_t at = 0;
	char text[160], label[96];
	const cJSON *avg, *it;

	tui_teach_cache(app, t->analytics.key, &body, &at);
	part_label(app, &t->analytics, at, label, sizeof(label));
	add(t, TUI_ROLE_HEADING, 1, "Analytics", label);
	if (body == NULL) {
		add(t, TUI_ROLE_DIM, 3,
		    t->analytics.state == SYNC_FETCH_WAITING
		        ? "Fetching the analytics from the server..."
		        : "The server computes the analytics: they need a connection once.",
		    NULL);
		if (t->analytics.state == SYNC_FETCH_FAILED && t->analytics.message[0] != '\0')
			add(t, TUI_ROLE_DIM, 3, t->analytics.message, NULL);
		return;
	}
	snprintf(text, sizeof(text), "Completed: %d of %d enrolled",
	         (int)tui_json_num(body, "completed", 0), (int)tui_json_num(body, "enrolled", 0));
	add(t, TUI_ROLE_NORMAL, 3, text, NULL)->percent =
	    rate_percent(tui_json_num(body, "completion_rate", 0));
	avg = cJSON_GetObjectItemCaseSensitive(body, "average_quiz_score");
	if (cJSON_IsNumber(avg))
		add(t, TUI_ROLE_NORMAL, 3, "Average quiz score", NULL)->percent =
		    rate_percent(avg->valuedouble);
	else
		add(t, TUI_ROLE_NORMAL, 3, "Average quiz score", "no attempts yet");
	add(t, TUI_ROLE_NORMAL, 3, "Completion per item:", NULL);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(body, "items"))
	{
		add(t, TUI_ROLE_NORMAL, 5, tui_json_str(it, "title"), NULL)->percent =
		    rate_percent(tui_json_num(it, "completion_rate", 0));
	}
	cJSON_Delete(body);
}

static void
build_attempts(struct tui_app *app, struct teach *t, const struct tui_student *roster,
               size_t n_roster)
{
	struct store_resource_list items = {0};
	int quizzes = 0;

	add(t, TUI_ROLE_HEADING, 1, "Quiz attempts", "from the replica");
	if (tui_course_items(app, t->course_id, &items) < 0)
		items.n = 0;
	for (size_t i = 0; i < items.n; i++) {
		cJSON *doc = cJSON_Parse(items.items[i].doc);
		struct tui_attempt *at = NULL;
		size_t n_at = 0;
		char count[48];

		if (!tui_kind_completes_by_attempt(tui_json_str(doc, "kind"))) {
			cJSON_Delete(doc);
			continue;
		}
		quizzes++;
		if (tui_quiz_attempts(app, items.items[i].id, &at, &n_at) < 0)
			n_at = 0;
		snprintf(count, sizeof(count), "%zu attempt%s", n_at, n_at == 1 ? "" : "s");
		add(t, TUI_ROLE_NORMAL, 3, tui_json_str(doc, "title"), count)->role =
		    TUI_ROLE_NORMAL;
		for (size_t a = 0; a < n_at; a++) {
			const char *who = tui_roster_name(roster, n_roster, at[a].user_id);
			char score[64], *text;

			if (at[a].max_score > 0)
				snprintf(score, sizeof(score), "%g/%g %s", at[a].score,
				         at[a].max_score, at[a].passed ? "passed" : "failed");
			else
				snprintf(score, sizeof(score), "not graded yet");
			text = lc_asprintf("%-16.16s %.10s", who != NULL ? who : at[a].user_id,
			                   at[a].submitted_at);
			add(t, at[a].passed ? TUI_ROLE_GOOD : TUI_ROLE_NORMAL, 5, text, score);
			free(text);
		}
		tui_attempts_free(at, n_at);
		cJSON_Delete(doc);
	}
	if (quizzes == 0)
		add(t, TUI_ROLE_DIM, 3, "This course has no quiz.", NULL);
	store_resource_list_free(&items);
}

static void
build_forum(struct tui_app *app, struct teach *t)
{
	struct store_resource_list topics = {0};
	int64_t unread = 0;
	char text[96];

	add(t, TUI_ROLE_HEADING, 1, "Forum", "f opens it");
	if (store_resource_list(app->db, "topic", t->course_id, NULL, STORE_ORDER_ACTIVITY_DESC,
	                        &topics) < 0)
		topics.n = 0;
	store_unread_count(app->db, t->course_id, &unread);
	snprintf(text, sizeof(text), "%zu topic%s, %lld unread; d there deletes any post", topics.n,
	         topics.n == 1 ? "" : "s", (long long)unread);
	add(t, TUI_ROLE_NORMAL, 3, text, NULL);
	store_resource_list_free(&topics);
}

static void
read_states(struct tui_app *app, struct teach *t)
{
	t->students.state = sync_engine_fetch_state(
	    app->engine, t->students.key, t->students.message, sizeof(t->students.message));
	t->analytics.state = sync_engine_fetch_state(
	    app->engine, t->analytics.key, t->analytics.message, sizeof(t->analytics.message));
}

static void
build(struct tui_app *app, struct teach *t)
{
	struct store_resource res = {0};
	struct tui_student *roster = NULL;
	size_t n_roster = 0;

	clear_lines(t);
	read_states(app, t);
	if (store_resource_get(app->db, "course", t->course_id, &res) == 0) {
		cJSON *doc = cJSON_Parse(res.doc);
		char text[160];

		free(t->title);
		t->title = lc_strdup(tui_json_str(doc, "title"));
		snprintf(text, sizeof(text), "Status: %s", tui_json_str(doc, "status"));
		add(t, TUI_ROLE_NORMAL, 1, text, tui_json_str(doc, "code"));
		cJSON_Delete(doc);
		store_resource_finish(&res);
	}
	if (tui_course_roster(app, t->course_id, &roster, &n_roster) < 0)
		n_roster = 0;
	add(t, TUI_ROLE_NORMAL, 0, "", NULL);
	build_students(app, t, roster, n_roster);
	add(t, TUI_ROLE_NORMAL, 0, "", NULL);
	build_analytics(app, t);
	add(t, TUI_ROLE_NORMAL, 0, "", NULL);
	build_attempts(app, t, roster, n_roster);
	add(t, TUI_ROLE_NORMAL, 0, "", NULL);
	build_forum(app, t);
	tui_roster_free(roster, n_roster);
}

/* Asks the engine for both server-computed parts (on its thread; never blocks). */
static void
ask(struct tui_app *app, struct teach *t)
{
	t->asked_ms = lc_monotonic_ms();
	if (app->engine == NULL)
		return;
	sync_engine_fetch(app->engine, t->students.path, t->students.key);
	sync_engine_fetch(app->engine, t->analytics.path, t->analytics.key);
}

/* Online again, or a while since the last fetch: refresh what the server computes. */
static void
maybe_ask(struct tui_app *app, struct teach *t)
{
	struct sync_status st;

	if (app->engine == NULL || lc_monotonic_ms() - t->asked_ms < REFETCH_MS)
		return;
	sync_engine_status(app->engine, &st);
	if (st.state == SYNC_ONLINE)
		ask(app, t);
}

static void
teach_reload(struct tui_app *app, void *state)
{
	struct teach *t = state;

	maybe_ask(app, t);
	build(app, t);
}

static void
part_init(struct part *p, const char *course_id, const char *what, const char *query)
{
	p->key = tui_teach_key(course_id, what);
	p->path = lc_asprintf("/api/v1/courses/%s/%s%s", course_id, what, query);
}

static int
teach_open(struct tui_app *app, const char *arg, void **state)
{
	struct teach *t;

	if (arg == NULL)
		return -LC_EINVAL;
	t = lc_calloc(1, sizeof(*t));
	t->course_id = lc_strdup(arg);
	part_init(&t->students, arg, "students", "?limit=100");
	part_init(&t->analytics, arg, "analytics", "");
	if (!tui_teaches(app, arg))
		tui_flash(app, "Not your course: the server will refuse");
	ask(app, t);
	build(app, t);
	*state = t;
	return 0;
}

static void
teach_close(void *state)
{
	struct teach *t = state;

	clear_lines(t);
	free(t->students.key);
	free(t->students.path);
	free(t->analytics.key);
	free(t->analytics.path);
	free(t->course_id);
	free(t->title);
	free(t);
}

static void
teach_draw(struct tui_app *app, void *state)
{
	struct teach *t = state;
	int rows = tui_body_rows();
	char title[200];
	enum sync_fetch_state s = t->students.state, a = t->analytics.state;

	/* A fetch that started or ended since the lines were made: say so now. */
	read_states(app, t);
	if (s != t->students.state || a != t->analytics.state)
		build(app, t);
	snprintf(title, sizeof(title), "Teaching: %s", t->title ? t->title : t->course_id);
	tui_draw_title(title, "r refresh  f forum");
	if (t->top > t->n - rows)
		t->top = t->n - rows;
	if (t->top < 0)
		t->top = 0;
	for (int r = 0; r < rows && t->top + r < t->n; r++) {
		const struct line *l = &t->lines[t->top + r];
		int y = tui_body_top() + r, rw = 0, bar = 24;

		if (l->right != NULL && l->right[0] != '\0') {
			rw = (int)strlen(l->right) < 30 ? (int)strlen(l->right) : 30;
			tui_put(y, COLS - rw - 1, l->right, rw,
			        l->role == TUI_ROLE_HEADING ? tui_attr(TUI_ROLE_DIM)
			                                    : tui_attr(l->role));
		}
		if (l->percent >= 0) {
			tui_draw_progress(y, COLS - bar - 1 - (rw > 0 ? rw + 1 : 0), bar,
			                  l->percent);
			rw += bar + 1;
		}
		tui_put(y, 1 + l->indent, l->text, COLS - 3 - l->indent - rw, tui_attr(l->role));
	}
}

static enum tui_key_result
teach_key(struct tui_app *app, void *state, wint_t key, bool fn)
{
	struct teach *t = state;
	int page = tui_body_rows() - 1;

	if ((fn && key == KEY_DOWN) || (!fn && key == 'j'))
		t->top++;
	else if ((fn && key == KEY_UP) || (!fn && key == 'k'))
		t->top--;
	else if ((fn && key == KEY_NPAGE) || (!fn && key == ' '))
		t->top += page;
	else if (fn && key == KEY_PPAGE)
		t->top -= page;
	else if ((!fn && key == 'g') || (fn && key == KEY_HOME))
		t->top = 0;
	else if ((!fn && key == 'G') || (fn && key == KEY_END))
		t->top = t->n;
	else if (!fn && key == 'r') {
		if (app->engine == NULL) {
			tui_flash(app, "Log in first: the server computes these");
		} else {
			ask(app, t);
			build(app, t);
			tui_flash(app, "Fetching from the server...");
		}
	} else if (!fn && key == 'f')
		tui_push(app, &tui_view_forum, t->course_id);
	else if (!fn && (key == 'o' || key == '\r' || key == '\n'))
		tui_push(app, &tui_view_course, t->course_id);
	else
		return TUI_KEY_UNHANDLED;
	if (t->top < 0)
		t->top = 0;
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_teach = {
    .name = "teaching",
    .keys = teach_keys,
    .open = teach_open,
    .close = teach_close,
    .reload = teach_reload,
    .draw = teach_draw,
    .key = teach_key,
};
