/* SPDX-License-Identifier: MIT */
/*
 * Quiz: an overview (attempts so far, their scores or "waiting to be graded", attempts
 * remaining, the per-question results of the last graded attempt), then one question at a
 * time for the five kinds (choose one, choose several, true/false, short text, number),
 * a review page, and submit. The attempt is queued like any write; the server grades it and
 * the score appears after the sync that brings the graded attempt back.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/markdown.h"
#include "tui/text.h"
#include "tui/tui-int.h"

enum mode { MODE_OVERVIEW, MODE_QUESTION, MODE_REVIEW };

struct question {
	char *id;
	char *prompt;
	char *plain; /* the prompt as one line of text, Markdown marks removed, for lists */
	char *kind;
	char **choices;
	int n_choices;
	int chosen;     /* single: index, boolean: 0 false / 1 true; -1 none */
	bool *selected; /* multiple */
	struct tui_field text;
};

struct quiz {
	char *item_id;
	char *course_id;
	char *title;
	int max_attempts; /* 0: unlimited */
	struct question *qs;
	int n_qs;
	cJSON *attempts; /* array of attempt docs, oldest first, with "_pending" */
	enum mode mode;
	int current;    /* question shown */
	int choice_sel; /* highlighted choice */
	struct tui_list review;
};

static const struct tui_key_help quiz_keys[] = {
    {"t, Enter", "overview: take the quiz"},
    {"j, k, Down, Up", "move between choices"},
    {"Space, Enter", "choose (one, true/false) or tick (several)"},
    {"n, p, Tab, Shift-Tab", "next, previous question"},
    {"Enter", "next question, from a text answer"},
    {"r", "review all answers"},
    {"S", "submit (from the review, asks first)"},
    {NULL, NULL},
};

static void
free_questions(struct quiz *qz)
{
	for (int i = 0; i < qz->n_qs; i++) {
		struct question *q = &qz->qs[i];

		free(q->id);
		free(q->prompt);
		free(q->plain);
		free(q->kind);
		for (int c = 0; c < q->n_choices; c++)
			free(q->choices[c]);
		free(q->choices);
		free(q->selected);
	}
	free(qz->qs);
	qz->qs = NULL;
	qz->n_qs = 0;
}

/* Markdown to one line of plain text (code marks, emphasis and links dropped). Caller frees. */
static char *
plain_text(const char *markdown)
{
	struct tui_md_doc doc = {0};
	struct lc_buf buf = {0};

	if (tui_md_render(markdown, 10000, &doc) == 0)
		for (size_t i = 0; i < doc.n; i++) {
			char *line = tui_md_line_text(&doc.lines[i]);

			if (buf.len > 0 && line[0] != '\0')
				lc_buf_putc(&buf, ' ');
			lc_buf_puts(&buf, line);
			free(line);
		}
	tui_md_free(&doc);
	return lc_buf_steal(&buf);
}

static void
load_question(struct question *q, const char *id, const cJSON *doc)
{
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(doc, "choices");
	const cJSON *c;

	memset(q, 0, sizeof(*q));
	q->id = lc_strdup(id);
	q->prompt = lc_strdup(tui_json_str(doc, "prompt"));
	q->plain = plain_text(q->prompt);
	q->kind = lc_strdup(tui_json_str(doc, "kind"));
	q->chosen = -1;
	if (strcmp(q->kind, "boolean") == 0) {
		q->n_choices = 2;
		q->choices = lc_calloc(2, sizeof(char *));
		q->choices[0] = lc_strdup("False");
		q->choices[1] = lc_strdup("True");
	} else if (cJSON_IsArray(choices)) {
		q->choices = lc_calloc((size_t)cJSON_GetArraySize(choices) + 1, sizeof(char *));
		cJSON_ArrayForEach(c, choices) q->choices[q->n_choices++] =
		    lc_strdup(cJSON_IsString(c) ? c->valuestring : "");
	}
	q->selected = lc_calloc((size_t)q->n_choices + 1, sizeof(bool));
}

static void
load_attempts(struct tui_app *app, struct quiz *qz)
{
	struct store_resource_list list = {0};

	cJSON_Delete(qz->attempts);
	qz->attempts = cJSON_CreateArray();
	if (store_resource_list(app->db, "attempt", qz->item_id, "user", STORE_ORDER_CREATED,
	                        &list) < 0)
		return;
	for (size_t i = 0; i < list.n; i++) {
		cJSON *doc = cJSON_Parse(list.items[i].doc);

		if (doc == NULL)
			continue;
		if (app->user_id != NULL && *tui_json_str(doc, "user_id") != '\0' &&
		    strcmp(tui_json_str(doc, "user_id"), app->user_id) != 0) {
			cJSON_Delete(doc);
			continue;
		}
		cJSON_AddBoolToObject(doc, "_pending", list.items[i].pending);
		cJSON_AddItemToArray(qz->attempts, doc);
	}
	store_resource_list_free(&list);
}

static int
quiz_load(struct tui_app *app, struct quiz *qz, bool questions)
{
	struct store_resource res = {0};
	struct store_resource_list list = {0};
	cJSON *doc;
	int rc = store_resource_get(app->db, "item", qz->item_id, &res);

	if (rc < 0)
		return rc;
	doc = cJSON_Parse(res.doc);
	free(qz->title);
	free(qz->course_id);
	qz->title = lc_strdup(tui_json_str(doc, "title"));
	qz->course_id = lc_strdup(tui_json_str(doc, "course_id"));
	qz->max_attempts = (int)tui_json_num(doc, "max_attempts", 0);
	cJSON_Delete(doc);
	store_resource_finish(&res);
	load_attempts(app, qz);
	/* Questions are not re-read during an attempt: the answers are kept in them. */
	if (!questions)
		return 0;
	free_questions(qz);
	if (store_resource_list(app->db, "question", qz->item_id, NULL, STORE_ORDER_POSITION,
	                        &list) < 0)
		return 0;
	qz->qs = lc_calloc(list.n + 1, sizeof(*qz->qs));
	for (size_t i = 0; i < list.n; i++) {
		cJSON *qdoc = cJSON_Parse(list.items[i].doc);

		load_question(&qz->qs[qz->n_qs++], list.items[i].id, qdoc);
		cJSON_Delete(qdoc);
	}
	store_resource_list_free(&list);
	return 0;
}

static void
quiz_reload(struct tui_app *app, void *state)
{
	struct quiz *qz = state;

	quiz_load(app, qz, qz->mode == MODE_OVERVIEW);
}

static int
quiz_open(struct tui_app *app, const char *arg, void **state)
{
	struct quiz *qz;
	int rc;

	if (arg == NULL)
		return -LC_EINVAL;
	qz = lc_calloc(1, sizeof(*qz));
	qz->item_id = lc_strdup(arg);
	rc = quiz_load(app, qz, true);
	if (rc < 0) {
		free(qz->item_id);
		cJSON_Delete(qz->attempts);
		free(qz);
		return rc;
	}
	*state = qz;
	return 0;
}

static void
quiz_close(void *state)
{
	struct quiz *qz = state;

	free_questions(qz);
	cJSON_Delete(qz->attempts);
	free(qz->item_id);
	free(qz->course_id);
	free(qz->title);
	free(qz);
}

static int
remaining(const struct quiz *qz)
{
	if (qz->max_attempts <= 0)
		return -1;
	int left = qz->max_attempts - cJSON_GetArraySize(qz->attempts);

	return left > 0 ? left : 0;
}

static bool
is_text_kind(const struct question *q)
{
	return strcmp(q->kind, "short") == 0 || strcmp(q->kind, "numeric") == 0;
}

/* The question's answer as JSON, or NULL when unanswered. */
static cJSON *
answer_json(const struct question *q)
{
	char *text;
	cJSON *out = NULL;

	if (strcmp(q->kind, "single") == 0)
		return q->chosen >= 0 ? cJSON_CreateNumber(q->chosen) : NULL;
	if (strcmp(q->kind, "boolean") == 0)
		return q->chosen >= 0 ? cJSON_CreateBool(q->chosen == 1) : NULL;
	if (strcmp(q->kind, "multiple") == 0) {
		out = cJSON_CreateArray();
		for (int c = 0; c < q->n_choices; c++)
			if (q->selected[c])
				cJSON_AddItemToArray(out, cJSON_CreateNumber(c));
		if (cJSON_GetArraySize(out) == 0) {
			cJSON_Delete(out);
			out = NULL;
		}
		return out;
	}
	text = tui_field_get(&q->text);
	if (text[0] != '\0') {
		if (strcmp(q->kind, "numeric") == 0) {
			char *end;
			double v = strtod(text, &end);

			if (end != text && *end == '\0' && isfinite(v))
				out = cJSON_CreateNumber(v);
		} else {
			out = cJSON_CreateString(text);
		}
	}
	free(text);
	return out;
}

/* A short text of the answer for the review page. */
static void
answer_summary(const struct question *q, char *out, size_t size)
{
	cJSON *a = answer_json(q);

	if (a == NULL) {
		snprintf(out, size, "(not answered)");
		return;
	}
	if (strcmp(q->kind, "single") == 0 || strcmp(q->kind, "boolean") == 0) {
		snprintf(out, size, "%s", q->choices[q->chosen]);
	} else if (strcmp(q->kind, "multiple") == 0) {
		size_t len = 0;

		out[0] = '\0';
		for (int c = 0; c < q->n_choices; c++)
			if (q->selected[c] && len < size)
				len += (size_t)snprintf(out + len, size - len, "%s%s",
				                        len ? ", " : "", q->choices[c]);
	} else {
		char *text = tui_field_get(&q->text);

		snprintf(out, size, "%s", text);
		free(text);
	}
	cJSON_Delete(a);
}

/* Draws wrapped plain text from row y; returns the next free row. */
static int
draw_wrapped(int y, int x, const char *markdown, int width, int max_y)
{
	struct tui_md_doc doc = {0};

	if (tui_md_render(markdown, width, &doc) < 0)
		return y;
	for (size_t i = 0; i < doc.n && y < max_y; i++)
		tui_draw_md_line(y++, x, &doc.lines[i], width);
	tui_md_free(&doc);
	return y;
}

static const char *
question_results(const cJSON *attempt, const char *question_id, bool *correct)
{
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(attempt, "results"), *r;

	cJSON_ArrayForEach(r, results)
	{
		if (strcmp(tui_json_str(r, "question_id"), question_id) == 0) {
			*correct = tui_json_bool(r, "correct");
			return "";
		}
	}
	return NULL;
}

/* The per-question results of a graded attempt from row y; returns the next free row. */
static int
draw_results(struct quiz *qz, const cJSON *graded, int y, int max_y)
{
	char line[256];

	tui_put(y++, 1, "Results of your last graded attempt", COLS - 2,
	        tui_attr(TUI_ROLE_HEADING));
	for (int q = 0; q < qz->n_qs && y < max_y - 1; q++) {
		bool correct = false;
		const char *have = question_results(graded, qz->qs[q].id, &correct);

		snprintf(line, sizeof(line), "%s  %d. %s",
		         have == NULL ? "   "
		         : correct    ? "[+]"
		                      : "[-]",
		         q + 1, qz->qs[q].plain);
		tui_put(y++, 3, line, COLS - 4,
		        have == NULL ? A_NORMAL
		        : correct    ? tui_attr(TUI_ROLE_GOOD)
		                     : tui_attr(TUI_ROLE_BAD));
	}
	return y;
}

/* The attempts so far from row y; *graded gets the last graded one (or NULL). */
static int
draw_attempts(struct quiz *qz, int y, int max_y, const cJSON **graded)
{
	const cJSON *a;
	char line[256];
	int i = 0;

	*graded = NULL;
	tui_put(y++, 1, "Your attempts", COLS - 2, tui_attr(TUI_ROLE_HEADING));
	if (cJSON_GetArraySize(qz->attempts) == 0)
		tui_put(y++, 3, "None yet.", COLS - 4, tui_attr(TUI_ROLE_DIM));
	cJSON_ArrayForEach(a, qz->attempts)
	{
		const cJSON *score = cJSON_GetObjectItemCaseSensitive(a, "score");
		const char *when = tui_json_str(a, "submitted_at");
		bool pending = tui_json_bool(a, "_pending");

		i++;
		if (!cJSON_IsNumber(score) || pending) {
			snprintf(line, sizeof(line), "%d. %.10s  waiting to be graded%s", i, when,
			         pending ? " (not yet sent)" : "");
			if (y < max_y)
				tui_put(y++, 3, line, COLS - 4, tui_attr(TUI_ROLE_WARN));
			continue;
		}
		*graded = a;
		snprintf(line, sizeof(line), "%d. %.10s  score %g / %g  %s", i, when,
		         score->valuedouble, tui_json_num(a, "max_score", 0),
		         tui_json_bool(a, "passed") ? "passed" : "not passed");
		if (y < max_y)
			tui_put(y++, 3, line, COLS - 4,
			        tui_json_bool(a, "passed") ? tui_attr(TUI_ROLE_GOOD) : A_NORMAL);
	}
	return y;
}

static void
draw_overview(struct tui_app *app, struct quiz *qz)
{
	int y = tui_body_top(), max_y = LINES - 1, left = remaining(qz);
	const cJSON *graded = NULL;
	char line[256];

	if (left < 0)
		snprintf(line, sizeof(line), "%d question%s   attempts used: %d (no limit)",
		         qz->n_qs, qz->n_qs == 1 ? "" : "s", cJSON_GetArraySize(qz->attempts));
	else
		snprintf(line, sizeof(line), "%d question%s   attempts remaining: %d of %d",
		         qz->n_qs, qz->n_qs == 1 ? "" : "s", left, qz->max_attempts);
	tui_put(y++, 1, line, COLS - 2, A_BOLD);
	y = draw_attempts(qz, y + 1, max_y, &graded);
	if (graded != NULL && y + 2 < max_y)
		y = draw_results(qz, graded, y + 1, max_y);
	if (y + 1 < max_y)
		tui_put(y + 1, 1,
		        left == 0       ? "No attempts left."
		        : qz->n_qs == 0 ? "The questions arrive with the next sync."
		                        : "Press t to take the quiz.",
		        COLS - 2, A_BOLD);
}

static void
draw_question(struct tui_app *app, struct quiz *qz)
{
	static const char *const hints[][2] = {
	    {"single", "choose one"},     {"multiple", "choose all that apply"},
	    {"boolean", "true or false"}, {"short", "type a short answer"},
	    {"numeric", "type a number"},
	};
	struct question *q = &qz->qs[qz->current];
	const char *hint = "";
	char line[160];
	int y = tui_body_top();

	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(q->kind, hints[i][0]) == 0)
			hint = hints[i][1];
	snprintf(line, sizeof(line), "Question %d of %d  (%s)", qz->current + 1, qz->n_qs, hint);
	tui_put(y++, 1, line, COLS - 2, tui_attr(TUI_ROLE_HEADING));
	y = draw_wrapped(y + 1, 2, q->prompt, COLS - 4 > 10 ? COLS - 4 : 10, LINES - 6) + 1;
	if (is_text_kind(q)) {
		tui_put(y, 2, "Answer:", 8, A_BOLD);
		tui_field_draw(&q->text, y, 10, COLS - 14 > 40 ? 40 : COLS - 14, true);
		tui_put(LINES - 2, 1, "Enter/Tab next   Shift-Tab previous   Esc overview",
		        COLS - 2, tui_attr(TUI_ROLE_DIM));
		return;
	}
	curs_set(0);
	for (int c = 0; c < q->n_choices && y < LINES - 2; c++, y++) {
		bool on = strcmp(q->kind, "multiple") == 0 ? q->selected[c] : q->chosen == c;
		bool sel = c == qz->choice_sel;
		attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;

		snprintf(line, sizeof(line), "%s %s %s", sel ? ">" : " ",
		         strcmp(q->kind, "multiple") == 0 ? (on ? "[x]" : "[ ]")
		                                          : (on ? "(*)" : "( )"),
		         q->choices[c]);
		tui_put(y, 2, line, COLS - 4, a);
	}
	tui_put(LINES - 2, 1, "Space choose   n next   p previous   r review   Esc overview",
	        COLS - 2, tui_attr(TUI_ROLE_DIM));
}

static void
draw_review(struct tui_app *app, struct quiz *qz)
{
	int rows = tui_body_rows() - 3, y0 = tui_body_top() + 2;
	char ans[256], line[512];

	tui_put(tui_body_top(), 1, "Review your answers, then submit", COLS - 2,
	        tui_attr(TUI_ROLE_HEADING));
	qz->review.n = qz->n_qs + 1;
	tui_list_clamp(&qz->review, rows);
	for (int r = 0; r < rows && qz->review.top + r < qz->review.n; r++) {
		int i = qz->review.top + r;
		attr_t a = i == qz->review.sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;

		if (i == qz->n_qs) {
			tui_put(y0 + r, 2, "> Submit this attempt <", COLS - 4, a | A_BOLD);
			continue;
		}
		answer_summary(&qz->qs[i], ans, sizeof(ans));
		snprintf(line, sizeof(line), "%d. %s", i + 1, qz->qs[i].plain);
		tui_put(y0 + r, 2, line, COLS / 2 - 3, a);
		tui_put(y0 + r, COLS / 2, ans, COLS / 2 - 1, a | A_BOLD);
	}
	tui_put(LINES - 2, 1, "Enter: change the answer / submit   S submit   Esc back", COLS - 2,
	        tui_attr(TUI_ROLE_DIM));
}

static void
quiz_draw(struct tui_app *app, void *state)
{
	struct quiz *qz = state;
	char title[256];

	snprintf(title, sizeof(title), "%s%s",
	         strncmp(qz->title, "Quiz", 4) == 0 ? "" : "Quiz: ", qz->title);
	tui_draw_title(title, qz->mode == MODE_OVERVIEW ? "t take" : "r review");
	if (qz->mode == MODE_QUESTION && qz->n_qs > 0)
		draw_question(app, qz);
	else if (qz->mode == MODE_REVIEW)
		draw_review(app, qz);
	else
		draw_overview(app, qz);
}

static void
submit(struct tui_app *app, struct quiz *qz)
{
	cJSON *answers;

	if (!tui_confirm(app, "Submit this attempt?"))
		return;
	answers = cJSON_CreateObject();
	for (int i = 0; i < qz->n_qs; i++) {
		cJSON *a = answer_json(&qz->qs[i]);

		if (a != NULL)
			cJSON_AddItemToObject(answers, qz->qs[i].id, a);
	}
	if (tui_write_attempt(app, qz->item_id, qz->course_id, answers) < 0) {
		tui_flash(app, "Could not record the attempt (see the log)");
		return;
	}
	tui_write_progress(app, qz->item_id, qz->course_id, "started");
	tui_flash(app, "Submitted; the score appears once the server has graded it");
	qz->mode = MODE_OVERVIEW;
	quiz_load(app, qz, true);
}

static void
move_question(struct quiz *qz, int dir)
{
	int next = qz->current + dir;

	curs_set(0);
	if (next >= qz->n_qs) {
		qz->mode = MODE_REVIEW;
		qz->review.sel = qz->n_qs;
		return;
	}
	if (next < 0)
		next = 0;
	qz->current = next;
	qz->choice_sel = qz->qs[next].chosen > 0 ? qz->qs[next].chosen : 0;
}

static enum tui_key_result
question_key(struct tui_app *app, struct quiz *qz, wint_t key, bool fn)
{
	struct question *q = &qz->qs[qz->current];

	if (!fn && key == 27) {
		curs_set(0);
		qz->mode = MODE_OVERVIEW;
	} else if ((!fn && key == '\t') || (is_text_kind(q) && !fn && (key == '\r' || key == '\n')))
		move_question(qz, 1);
	else if (fn && key == KEY_BTAB)
		move_question(qz, -1);
	else if (is_text_kind(q))
		tui_field_key(&q->text, key, fn);
	else if ((!fn && key == 'n') || (fn && key == KEY_RIGHT))
		move_question(qz, 1);
	else if ((!fn && key == 'p') || (fn && key == KEY_LEFT))
		move_question(qz, -1);
	else if (!fn && key == 'r') {
		qz->mode = MODE_REVIEW;
		qz->review.sel = 0;
	} else if ((!fn && key == 'j') || (fn && key == KEY_DOWN))
		qz->choice_sel =
		    qz->choice_sel + 1 < q->n_choices ? qz->choice_sel + 1 : qz->choice_sel;
	else if ((!fn && key == 'k') || (fn && key == KEY_UP))
		qz->choice_sel = qz->choice_sel > 0 ? qz->choice_sel - 1 : 0;
	else if (!fn && (key == ' ' || key == '\r' || key == '\n') && q->n_choices > 0) {
		if (strcmp(q->kind, "multiple") == 0)
			q->selected[qz->choice_sel] = !q->selected[qz->choice_sel];
		else
			q->chosen = qz->choice_sel;
	} else
		return TUI_KEY_UNHANDLED;
	return TUI_KEY_HANDLED;
}

static enum tui_key_result
quiz_key(struct tui_app *app, void *state, wint_t key, bool fn)
{
	struct quiz *qz = state;

	if (qz->mode == MODE_QUESTION)
		return question_key(app, qz, key, fn);
	if (qz->mode == MODE_REVIEW) {
		if (tui_list_key(&qz->review, key, fn, tui_body_rows() - 3))
			return TUI_KEY_HANDLED;
		if (!fn && key == 'S')
			submit(app, qz);
		else if (!fn && (key == '\r' || key == '\n')) {
			if (qz->review.sel == qz->n_qs) {
				submit(app, qz);
			} else {
				qz->mode = MODE_QUESTION;
				qz->current = qz->review.sel;
			}
		} else if (!fn && (key == 27 || key == 'q'))
			qz->mode = MODE_QUESTION;
		else
			return TUI_KEY_UNHANDLED;
		return TUI_KEY_HANDLED;
	}
	if (!fn && (key == 't' || key == '\r' || key == '\n')) {
		if (!tui_is_enrolled(app, qz->course_id) && tui_teaches(app, qz->course_id))
			tui_flash(app, "You teach it: quizzes are for learners");
		else if (remaining(qz) == 0)
			tui_flash(app, "No attempts left for this quiz");
		else if (qz->n_qs == 0)
			tui_flash(app, "This quiz has no questions on this replica yet");
		else {
			quiz_load(app, qz, true);
			qz->mode = MODE_QUESTION;
			qz->current = 0;
			qz->choice_sel = 0;
		}
		return TUI_KEY_HANDLED;
	}
	return TUI_KEY_UNHANDLED;
}

const struct tui_view tui_view_quiz = {
    .name = "quiz",
    .keys = quiz_keys,
    .open = quiz_open,
    .close = quiz_close,
    .reload = quiz_reload,
    .draw = quiz_draw,
    .key = quiz_key,
};
