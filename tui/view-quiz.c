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
	int max_attempts;  /* 0: unlimited */
	double pass_score; /* the course's pass mark (0..1), < 0 when unknown */
	struct question *qs;
	int n_qs;
	cJSON *attempts; /* array of attempt docs, oldest first, with "_pending" */
	enum mode mode;
	int current;    /* question shown */
	int choice_sel; /* highlighted choice */
	struct tui_list review;
	int overview_top; /* first overview row shown (the results scroll) */
	int choice_top;   /* first choice row shown when they do not all fit */
};

static const struct tui_key_help quiz_keys[] = {
    {"t, Enter", "overview: take the quiz"},
    {"j, k, Down, Up", "overview: scroll the results; question: move between choices"},
    {"Space", "choose (one, true/false) or tick (several)"},
    {"Enter", "choose one / true-false; next question from several or a text"},
    {"n, p, Tab, Shift-Tab", "next, previous question"},
    {"Tab, Enter", "leave a text answer (every other key types into it)"},
    {"r", "review all answers"},
    {"S", "submit (from the review, asks first)"},
    {"Esc, q, Backspace", "leave the attempt (asks when there are answers)"},
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
		/* True first, as every quiz and the review's wording have it (ux review A13). */
		q->choices[0] = lc_strdup("True");
		q->choices[1] = lc_strdup("False");
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
	struct store_resource res = {0}, course = {0};
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
	qz->pass_score = -1;
	if (store_resource_get(app->db, "course", qz->course_id, &course) == 0) {
		doc = cJSON_Parse(course.doc);
		qz->pass_score = tui_json_num(doc, "pass_score", -1);
		cJSON_Delete(doc);
		store_resource_finish(&course);
	}
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
		return q->chosen >= 0 ? cJSON_CreateBool(q->chosen == 0) : NULL;
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

/* The result of question_id in a graded attempt, or NULL. */
static const cJSON *
question_result(const cJSON *attempt, const char *question_id)
{
	const cJSON *results = cJSON_GetObjectItemCaseSensitive(attempt, "results"), *r;

	cJSON_ArrayForEach(r, results)
	{
		if (strcmp(tui_json_str(r, "question_id"), question_id) == 0)
			return r;
	}
	return NULL;
}

/* A value given as an answer to q (the server's answer, or an attempt's), as text. */
static void
value_text(const struct question *q, const cJSON *v, struct lc_buf *out)
{
	const cJSON *el;

	if (cJSON_IsBool(v)) {
		lc_buf_puts(out, cJSON_IsTrue(v) ? "True" : "False");
	} else if (cJSON_IsString(v)) {
		lc_buf_puts(out, v->valuestring);
	} else if (cJSON_IsNumber(v) && strcmp(q->kind, "numeric") == 0) {
		lc_buf_printf(out, "%g", v->valuedouble);
	} else if (cJSON_IsNumber(v)) {
		int c = (int)v->valuedouble;

		lc_buf_puts(out, c >= 0 && c < q->n_choices ? q->choices[c] : "?");
	} else if (cJSON_IsArray(v)) {
		bool first = true;

		cJSON_ArrayForEach(el, v)
		{
			if (!first)
				lc_buf_puts(out, ", ");
			first = false;
			value_text(q, el, out);
		}
	} else {
		lc_buf_puts(out, "(not answered)");
	}
}

/*
 * The overview is a list of wrapped rows that scrolls (j/k): the results of a graded
 * attempt with the right answers and explanations do not fit in 24 rows.
 */
struct rows {
	struct lc_buf text; /* the rows, each ended by '\0' */
	int n;
	int cap;
	size_t *at;
	attr_t *attr;
	int *indent;
};

static void
rows_add(struct rows *r, int indent, const char *text, attr_t attr)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->at = lc_realloc(r->at, (size_t)r->cap * sizeof(*r->at));
		r->attr = lc_realloc(r->attr, (size_t)r->cap * sizeof(*r->attr));
		r->indent = lc_realloc(r->indent, (size_t)r->cap * sizeof(*r->indent));
	}
	r->at[r->n] = r->text.len;
	r->attr[r->n] = attr;
	r->indent[r->n++] = indent;
	lc_buf_puts(&r->text, text);
	lc_buf_putc(&r->text, '\0');
}

/*
 * Adds text wrapped at the screen's width from column indent, the rows after the first
 * `hang` columns further in (under the text after "[+]  1. ").
 */
static void
rows_wrap(struct rows *r, int indent, int hang, const char *text, attr_t attr)
{
	int width = COLS - indent - hang - 1 > 10 ? COLS - indent - hang - 1 : 10;
	int n = tui_text_width(text) / (width / 2) + 2;
	const char **starts = lc_calloc((size_t)n, sizeof(*starts));
	size_t *lens = lc_calloc((size_t)n, sizeof(*lens));
	int got = tui_text_wrap(text, width, starts, lens, n);

	for (int i = 0; i < got; i++) {
		char *line = lc_strndup(starts[i], lens[i]);

		rows_add(r, i == 0 ? indent : indent + hang, line, attr);
		free(line);
	}
	free(starts);
	free(lens);
}

static void
rows_free(struct rows *r)
{
	lc_buf_finish(&r->text);
	free(r->at);
	free(r->attr);
	free(r->indent);
}

/* The per-question results of a graded attempt, with what the server revealed. */
static void
results_rows(struct quiz *qz, const cJSON *graded, struct rows *r)
{
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(graded, "answers");
	bool revealed = false;

	rows_add(r, 1, "", A_NORMAL);
	rows_add(r, 1, "Results of your last graded attempt", tui_attr(TUI_ROLE_HEADING));
	for (int q = 0; q < qz->n_qs; q++) {
		const struct question *qu = &qz->qs[q];
		const cJSON *res = question_result(graded, qu->id);
		const cJSON *right = cJSON_GetObjectItemCaseSensitive(res, "answer");
		const cJSON *why = cJSON_GetObjectItemCaseSensitive(res, "explanation");
		bool correct = tui_json_bool(res, "correct");
		struct lc_buf line = {0};

		lc_buf_printf(&line, "%s  %d. %s",
		              res == NULL ? "   "
		              : correct   ? "[+]"
		                          : "[-]",
		              q + 1, qu->plain);
		rows_wrap(r, 3, 8, lc_buf_str(&line),
		          res == NULL ? A_NORMAL
		          : correct   ? tui_attr(TUI_ROLE_GOOD)
		                      : tui_attr(TUI_ROLE_BAD));
		lc_buf_reset(&line);
		if (res != NULL && !correct) {
			lc_buf_puts(&line, "You answered: ");
			value_text(qu, cJSON_GetObjectItemCaseSensitive(answers, qu->id), &line);
			rows_wrap(r, 8, 2, lc_buf_str(&line), A_NORMAL);
			lc_buf_reset(&line);
		}
		if (right != NULL && !cJSON_IsNull(right)) {
			revealed = true;
			lc_buf_puts(&line, "Right answer: ");
			value_text(qu, right, &line);
			rows_wrap(r, 8, 2, lc_buf_str(&line), A_BOLD);
			lc_buf_reset(&line);
		}
		if (cJSON_IsString(why) && why->valuestring[0] != '\0') {
			char *plain = plain_text(why->valuestring);

			lc_buf_printf(&line, "Why: %s", plain);
			rows_wrap(r, 8, 2, lc_buf_str(&line), tui_attr(TUI_ROLE_DIM));
			lc_buf_reset(&line);
			free(plain);
		}
		lc_buf_finish(&line);
	}
	if (!revealed && qz->n_qs > 0)
		rows_add(r, 3,
		         "The right answers are shown once you pass or have no attempts left.",
		         tui_attr(TUI_ROLE_DIM));
}

/* The attempts so far; returns the last graded one (or NULL). */
static const cJSON *
attempts_rows(struct quiz *qz, struct rows *r)
{
	const cJSON *a, *graded = NULL;
	char line[256];
	int i = 0;

	rows_add(r, 1, "", A_NORMAL);
	rows_add(r, 1, "Your attempts", tui_attr(TUI_ROLE_HEADING));
	if (cJSON_GetArraySize(qz->attempts) == 0)
		rows_add(r, 3, "None yet.", tui_attr(TUI_ROLE_DIM));
	cJSON_ArrayForEach(a, qz->attempts)
	{
		const cJSON *score = cJSON_GetObjectItemCaseSensitive(a, "score");
		const char *when = tui_json_str(a, "submitted_at");
		bool pending = tui_json_bool(a, "_pending");

		i++;
		if (!cJSON_IsNumber(score) || pending) {
			snprintf(line, sizeof(line), "%d. %.10s  waiting to be graded%s", i, when,
			         pending ? " (not yet sent)" : "");
			rows_add(r, 3, line, tui_attr(TUI_ROLE_WARN));
			continue;
		}
		graded = a;
		snprintf(line, sizeof(line), "%d. %.10s  score %g / %g  %s", i, when,
		         score->valuedouble, tui_json_num(a, "max_score", 0),
		         tui_json_bool(a, "passed") ? "passed" : "not passed");
		rows_add(r, 3, line,
		         tui_json_bool(a, "passed") ? tui_attr(TUI_ROLE_GOOD) : A_NORMAL);
	}
	return graded;
}

static void
overview_rows(struct quiz *qz, struct rows *r)
{
	int left = remaining(qz);
	const cJSON *graded;
	char line[256], mark[48] = "";

	if (qz->pass_score >= 0)
		snprintf(mark, sizeof(mark), "   pass mark: %g%%",
		         round(qz->pass_score * 1000) / 10);
	if (left < 0)
		snprintf(line, sizeof(line), "%d question%s   attempts used: %d (no limit)%s",
		         qz->n_qs, qz->n_qs == 1 ? "" : "s", cJSON_GetArraySize(qz->attempts),
		         mark);
	else
		snprintf(line, sizeof(line), "%d question%s   attempts remaining: %d of %d%s",
		         qz->n_qs, qz->n_qs == 1 ? "" : "s", left, qz->max_attempts, mark);
	rows_wrap(r, 1, 0, line, A_BOLD);
	rows_add(r, 1, "", A_NORMAL);
	rows_add(r, 1,
	         left == 0       ? "No attempts left."
	         : qz->n_qs == 0 ? "The questions arrive with the next sync."
	                         : "Press t to take the quiz.",
	         A_BOLD);
	graded = attempts_rows(qz, r);
	if (graded != NULL)
		results_rows(qz, graded, r);
}

static void
draw_overview(struct tui_app *app, struct quiz *qz)
{
	struct rows r = {0};
	int rows = tui_body_rows() - 1, y = tui_body_top();

	(void)app;
	overview_rows(qz, &r);
	if (qz->overview_top > r.n - rows)
		qz->overview_top = r.n - rows;
	if (qz->overview_top < 0)
		qz->overview_top = 0;
	for (int i = qz->overview_top; i < r.n && y < tui_body_top() + rows; i++, y++)
		tui_put(y, r.indent[i], r.text.data + r.at[i], COLS - r.indent[i] - 1, r.attr[i]);
	if (r.n > rows)
		tui_put(LINES - 2, 1,
		        qz->overview_top + rows < r.n ? "-- more: j/Down, Space --" : "-- end --",
		        COLS - 2, tui_attr(TUI_ROLE_DIM));
	rows_free(&r);
}

/* Rows a choice takes, wrapped at width cells after its 6-cell mark ("> (*) "). */
static int
choice_rows(const char *text, int width, const char **starts, size_t *lens, int max)
{
	int n = tui_text_wrap(text, width, starts, lens, max);

	if (n == 0) {
		starts[0] = text;
		lens[0] = 0;
		n = 1;
	}
	return n;
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
	bool multiple = strcmp(q->kind, "multiple") == 0;
	const char *hint = "";
	char line[160];
	int y = tui_body_top(), width = COLS - 10 > 10 ? COLS - 10 : 10, bottom = LINES - 2;

	(void)app;
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(q->kind, hints[i][0]) == 0)
			hint = hints[i][1];
	snprintf(line, sizeof(line), "Question %d of %d  (%s)", qz->current + 1, qz->n_qs, hint);
	tui_put(y++, 1, line, COLS - 2, tui_attr(TUI_ROLE_HEADING));
	y = draw_wrapped(y + 1, 2, q->prompt, COLS - 4 > 10 ? COLS - 4 : 10, LINES - 6) + 1;
	if (is_text_kind(q)) {
		tui_put(y, 2, "Answer:", 8, A_BOLD);
		tui_put(LINES - 2, 1,
		        "Tab/Enter next   Shift-Tab previous   Esc leave (other keys type)",
		        COLS - 2, tui_attr(TUI_ROLE_DIM));
		tui_field_draw(&q->text, y, 10, COLS - 14 > 40 ? 40 : COLS - 14, true);
		return;
	}
	curs_set(0);
	/* Choices wrap (ux review A13: a long one was cut); scroll to keep the highlight seen. */
	if (qz->choice_sel < qz->choice_top)
		qz->choice_top = qz->choice_sel;
	for (;;) {
		int need = 0;

		for (int c = qz->choice_top; c <= qz->choice_sel && c < q->n_choices; c++) {
			const char *starts[64];
			size_t lens[64];

			need += choice_rows(q->choices[c], width, starts, lens, 64);
		}
		if (qz->choice_top >= qz->choice_sel || y + need <= bottom)
			break;
		qz->choice_top++;
	}
	if (qz->choice_top > 0)
		tui_put(y - 1, 2, "(more above)", COLS - 4, tui_attr(TUI_ROLE_DIM));
	for (int c = qz->choice_top; c < q->n_choices && y < bottom; c++) {
		bool on = multiple ? q->selected[c] : q->chosen == c;
		bool sel = c == qz->choice_sel;
		attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;
		const char *starts[64];
		size_t lens[64];
		int n = choice_rows(q->choices[c], width, starts, lens, 64);

		snprintf(line, sizeof(line), "%s %s ", sel ? ">" : " ",
		         multiple ? (on ? "[x]" : "[ ]") : (on ? "(*)" : "( )"));
		for (int r = 0; r < n && y < bottom; r++, y++) {
			if (sel)
				tui_clear_to_eol(y, 2, a);
			tui_put(y, 2, r == 0 ? line : "", 6, a);
			/* The last row shown of a choice that goes on below is cut (with "…"). */
			tui_putn(y, 8, starts[r],
			         r + 1 < n && y + 1 == bottom ? strlen(starts[r]) : lens[r], width,
			         a);
		}
	}
	tui_put(LINES - 2, 1,
	        multiple ? "Space tick   Enter/n next   p previous   r review   Esc leave"
	                 : "Space/Enter choose   n next   p previous   r review   Esc leave",
	        COLS - 2, tui_attr(TUI_ROLE_DIM));
}

static void
draw_review(struct tui_app *app, struct quiz *qz)
{
	int rows = tui_body_rows() - 3, y0 = tui_body_top() + 2;
	char ans[256], line[512];

	(void)app;
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
		/* tui_put() ends a cut prompt with "…" (ux review A13: "than f/1 True"). */
		tui_put(y0 + r, 2, line, COLS / 2 - 4, a);
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
	/* On a text answer r types: the title must not offer it (ux review A13). */
	tui_draw_title(title, qz->mode == MODE_OVERVIEW                            ? "t take"
	                      : qz->mode == MODE_REVIEW                            ? "S submit"
	                      : qz->n_qs > 0 && is_text_kind(&qz->qs[qz->current]) ? "Tab next"
	                                                                           : "r review");
	if (qz->mode == MODE_QUESTION && qz->n_qs > 0)
		draw_question(app, qz);
	else if (qz->mode == MODE_REVIEW)
		draw_review(app, qz);
	else
		draw_overview(app, qz);
}

/* Questions given an answer in the attempt being taken. */
static int
answered(const struct quiz *qz)
{
	int n = 0;

	for (int i = 0; i < qz->n_qs; i++) {
		cJSON *a = answer_json(&qz->qs[i]);

		n += a != NULL;
		cJSON_Delete(a);
	}
	return n;
}

static void
submit(struct tui_app *app, struct quiz *qz)
{
	int missing = qz->n_qs - answered(qz), left = remaining(qz);
	char question[160];
	cJSON *answers;

	/* ux review A13: the prompt said nothing of 2 unanswered questions on the last try. */
	if (missing > 0)
		snprintf(question, sizeof(question), "%d of %d unanswered%s Submit anyway?",
		         missing, qz->n_qs, left == 1 ? "; this is your last attempt." : ".");
	else if (left == 1)
		snprintf(question, sizeof(question), "This is your last attempt. Submit?");
	else
		snprintf(question, sizeof(question), "Submit this attempt?");
	if (!tui_confirm(app, question))
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
	qz->overview_top = 0;
	quiz_load(app, qz, true);
}

/*
 * Leaves the attempt for the overview (dropping its answers) or quits; asks first when
 * there are answers (ux review A13: Esc or q mid-attempt dropped them all).
 */
static void
leave_attempt(struct tui_app *app, struct quiz *qz, bool quit)
{
	int n = answered(qz);
	char question[128];

	if (n > 0) {
		snprintf(question, sizeof(question), "%s and lose your %d answer%s?",
		         quit ? "Quit Lectern" : "Leave this attempt", n, n == 1 ? "" : "s");
		if (!tui_confirm(app, question))
			return;
	}
	curs_set(0);
	if (quit) {
		tui_request_quit(app);
		return;
	}
	qz->mode = MODE_OVERVIEW;
	quiz_load(app, qz, true);
}

/* A number typed as a learner would: "2", "-0.5", "1e3" (not "two", not "1.2.3"). */
static bool
number_ok(const char *text)
{
	char *end;
	double v;

	if (text[0] == '\0')
		return true; /* unanswered is allowed; submit warns */
	v = strtod(text, &end);
	return end != text && *end == '\0' && isfinite(v);
}

/*
 * A numeric answer that does not parse is refused at once (ux review A13: "two" was taken
 * silently and graded as "(not answered)"): keys that cannot be part of a number are not
 * typed, and the field cannot be left holding text that is not a number.
 */
static bool
numeric_refuses(struct tui_app *app, const struct question *q, wint_t key, bool fn)
{
	if (strcmp(q->kind, "numeric") != 0 || fn || key < 0x20 || key == 127)
		return false;
	if (key < 0x80 && strchr("0123456789.-+eE", (int)key) != NULL)
		return false;
	tui_flash(app, "A number: digits with . for decimals, e.g. 2 or -0.5");
	return true;
}

static bool
may_leave_field(struct tui_app *app, const struct question *q)
{
	char *text;
	bool ok;

	if (strcmp(q->kind, "numeric") != 0)
		return true;
	text = tui_field_get(&q->text);
	ok = number_ok(text);
	if (!ok)
		tui_flash(app, "\"%s\" is not a number (e.g. 2, -0.5)", text);
	free(text);
	return ok;
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
	qz->choice_top = 0;
}

/*
 * A text answer (short, numeric) takes every key but Tab, Enter, Shift-Tab and Esc, so r,
 * S, q and the global keys type (ux review A13: the title said "r review" and r typed).
 */
static enum tui_key_result
text_key(struct tui_app *app, struct quiz *qz, struct question *q, wint_t key, bool fn)
{
	bool enter = !fn && (key == '\r' || key == '\n' || key == '\t');

	if (!fn && key == 27)
		leave_attempt(app, qz, false);
	else if ((enter || (fn && key == KEY_BTAB)) && may_leave_field(app, q))
		move_question(qz, enter ? 1 : -1);
	else if (!enter && !(fn && key == KEY_BTAB) && !numeric_refuses(app, q, key, fn))
		tui_field_key(&q->text, key, fn);
	return TUI_KEY_HANDLED;
}

static enum tui_key_result
question_key(struct tui_app *app, struct quiz *qz, wint_t key, bool fn)
{
	struct question *q = &qz->qs[qz->current];
	bool multiple = strcmp(q->kind, "multiple") == 0;
	bool enter = !fn && (key == '\r' || key == '\n');

	if (is_text_kind(q))
		return text_key(app, qz, q, key, fn);
	/* Every "back" key the app knows (Esc, q, h, Backspace) asks here, not just some. */
	if ((!fn && (key == 27 || key == 'q' || key == 'h' || key == 127 || key == 8)) ||
	    (fn && key == KEY_BACKSPACE))
		leave_attempt(app, qz, false);
	else if (!fn && key == 'Q')
		leave_attempt(app, qz, true);
	else if ((!fn && (key == '\t' || key == 'n')) || (fn && key == KEY_RIGHT) ||
	         (multiple && enter))
		/* Enter on "choose all" goes on, never ticks (ux review A13); Space ticks. */
		move_question(qz, 1);
	else if ((fn && key == KEY_BTAB) || (!fn && key == 'p') || (fn && key == KEY_LEFT))
		move_question(qz, -1);
	else if (!fn && key == 'r') {
		qz->mode = MODE_REVIEW;
		qz->review.sel = 0;
	} else if ((!fn && key == 'j') || (fn && key == KEY_DOWN))
		qz->choice_sel =
		    qz->choice_sel + 1 < q->n_choices ? qz->choice_sel + 1 : qz->choice_sel;
	else if ((!fn && key == 'k') || (fn && key == KEY_UP))
		qz->choice_sel = qz->choice_sel > 0 ? qz->choice_sel - 1 : 0;
	else if (!fn && (key == ' ' || enter) && q->n_choices > 0) {
		if (multiple)
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
				qz->choice_sel = 0;
				qz->choice_top = 0;
			}
		} else if ((!fn &&
		            (key == 27 || key == 'q' || key == 'h' || key == 127 || key == 8)) ||
		           (fn && key == KEY_BACKSPACE))
			qz->mode = MODE_QUESTION; /* back to the questions; the answers stay */
		else if (!fn && key == 'Q')
			leave_attempt(app, qz, true);
		else
			return TUI_KEY_UNHANDLED;
		return TUI_KEY_HANDLED;
	}
	if ((!fn && key == 'j') || (fn && key == KEY_DOWN))
		qz->overview_top++;
	else if ((!fn && key == 'k') || (fn && key == KEY_UP))
		qz->overview_top = qz->overview_top > 0 ? qz->overview_top - 1 : 0;
	else if ((!fn && key == ' ') || (fn && key == KEY_NPAGE))
		qz->overview_top += tui_body_rows() - 2;
	else if (fn && key == KEY_PPAGE)
		qz->overview_top = qz->overview_top > tui_body_rows() - 2
		                       ? qz->overview_top - (tui_body_rows() - 2)
		                       : 0;
	else if (!fn && (key == 't' || key == '\r' || key == '\n')) {
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
			qz->choice_top = 0;
		}
	} else
		return TUI_KEY_UNHANDLED;
	return TUI_KEY_HANDLED;
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
