/* SPDX-License-Identifier: MIT */
/*
 * The quiz editor: the questions of one quiz item in order, each with its choices below it
 * and the right one(s) marked [*]. Questions of the five kinds are added, edited, deleted
 * and reordered; Space on a choice makes it the right one (single) or toggles it
 * (multiple). What the server would refuse (a single-choice question with two right
 * answers, a choice number past the list, an empty short answer) is refused here first,
 * with the reason on the screen, and nothing is queued. A question's explanation (why the
 * answer is right; lecternd's extension, docs/api.md) shows under it; short ones are edited
 * in the form, any in the editor (x). A prompt or an explanation that a form field cannot
 * hold whole (a long or multi-line text) is never put in the form, where it would be cut:
 * the form keeps it as it is and the editor (E, x) edits it whole.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/author.h"
#include "tui/form.h"

#define CHOICES_MAX 32

#define QUESTION_ROW -1
#define ANSWER_ROW -2  /* the answer of a question without choices */
#define EXPLAIN_ROW -3 /* the first line of the question's explanation */
/* A text longer than a form field holds (its 512 characters) is edited in the editor. */
#define TEXT_FORM_MAX 500

struct qrow {
	char *question_id;
	int choice; /* a choice's index, QUESTION_ROW or ANSWER_ROW */
	char *text;
	double points; /* QUESTION_ROW */
	bool right;
	bool pending;
};

struct qedit {
	char *item_id;
	char *title;
	int n_questions;
	struct qrow *rows;
	int n;
	struct tui_list list;
};

static const struct tui_key_help qedit_keys[] = {
    {"j, k, Down, Up, PgDn, PgUp, g, G", "move between questions and their choices"},
    {"a", "add a question (any of the five kinds)"},
    {"e, Enter", "edit the selected question in a form"},
    {"E", "write the prompt in the editor (long prompts)"},
    {"x", "write the explanation: why the answer is right"},
    {"Space", "mark a choice right (multiple: tick, untick)"},
    {"d", "delete the selected question (asks first)"},
    {"J, K", "move the selected question down, up"},
    {NULL, NULL},
};

static const char *const question_kinds[] = {"single", "multiple", "boolean",
                                             "short",  "numeric",  NULL};

static void
clear_rows(struct qedit *qe)
{
	for (int i = 0; i < qe->n; i++) {
		free(qe->rows[i].question_id);
		free(qe->rows[i].text);
	}
	free(qe->rows);
	qe->rows = NULL;
	qe->n = 0;
}

static struct qrow *
add_row(struct qedit *qe, const char *question_id, int choice, char *text)
{
	struct qrow *r;

	qe->rows = lc_realloc(qe->rows, (size_t)(qe->n + 1) * sizeof(*qe->rows));
	r = &qe->rows[qe->n++];
	memset(r, 0, sizeof(*r));
	r->question_id = lc_strdup(question_id);
	r->choice = choice;
	r->text = text;
	return r;
}

/* Whether choice index i is (one of) the answer(s). */
static bool
is_right(const cJSON *answer, int i)
{
	const cJSON *e;

	if (cJSON_IsNumber(answer))
		return (int)answer->valuedouble == i;
	cJSON_ArrayForEach(e,
	                   answer) if (cJSON_IsNumber(e) && (int)e->valuedouble == i) return true;
	return false;
}

/* The first line of text that holds something, at most max bytes, "..." when there is more. */
static char *
first_line(const char *text, size_t max)
{
	size_t n;
	bool more;

	text += strspn(text, " \t\r\n");
	n = strcspn(text, "\n");
	more = text[n] != '\0';

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--; /* never cut a UTF-8 sequence */
		more = true;
	}
	return lc_asprintf("%.*s%s", (int)n, text, more ? " ..." : "");
}

/* The question's row: number, kind and the prompt on one line. */
static char *
question_line(int number, const cJSON *doc)
{
	struct lc_buf buf = {0};

	lc_buf_printf(&buf, "%d. [%s] ", number, tui_json_str(doc, "kind"));
	for (const char *p = tui_json_str(doc, "prompt"); *p; p++)
		lc_buf_putc(&buf, *p == '\n' ? ' ' : *p);
	return lc_buf_steal(&buf);
}

/* The answer row of a question without choices, or NULL. Caller frees. */
static char *
answer_line(const cJSON *doc)
{
	const char *kind = tui_json_str(doc, "kind");
	const cJSON *answer = cJSON_GetObjectItemCaseSensitive(doc, "answer");

	if (strcmp(kind, "boolean") == 0)
		return lc_asprintf("answer: %s", cJSON_IsTrue(answer) ? "true" : "false");
	if (strcmp(kind, "short") == 0 && cJSON_IsString(answer))
		return lc_asprintf("answer: \"%s\"", answer->valuestring);
	if (strcmp(kind, "numeric") == 0 && cJSON_IsNumber(answer)) {
		if (tui_json_num(doc, "tolerance", 0) > 0)
			return lc_asprintf("answer: %g +/- %g", answer->valuedouble,
			                   tui_json_num(doc, "tolerance", 0));
		return lc_asprintf("answer: %g", answer->valuedouble);
	}
	return NULL;
}

static void
qedit_reload(struct tui_app *app, void *state)
{
	struct qedit *qe = state;
	struct store_resource res = {0};
	struct store_resource_list list = {0};
	char *sel_id = qe->list.sel < qe->n ? lc_strdup(qe->rows[qe->list.sel].question_id) : NULL;
	int sel_choice = qe->list.sel < qe->n ? qe->rows[qe->list.sel].choice : -1;

	clear_rows(qe);
	if (store_resource_get(app->db, "item", qe->item_id, &res) == 0) {
		cJSON *doc = cJSON_Parse(res.doc);

		free(qe->title);
		qe->title = lc_strdup(tui_json_str(doc, "title"));
		cJSON_Delete(doc);
		store_resource_finish(&res);
	}
	qe->n_questions = 0;
	if (store_resource_list(app->db, "question", qe->item_id, NULL, STORE_ORDER_POSITION,
	                        &list) == 0) {
		qe->n_questions = (int)list.n;
		for (size_t q = 0; q < list.n; q++) {
			cJSON *doc = cJSON_Parse(list.items[q].doc);
			const cJSON *choices = cJSON_GetObjectItemCaseSensitive(doc, "choices"), *c;
			const cJSON *answer = cJSON_GetObjectItemCaseSensitive(doc, "answer");
			const char *kind = tui_json_str(doc, "kind");
			bool with_choices =
			    strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0;
			char *answer_text = answer_line(doc);
			struct qrow *head;
			int i = 0;

			head = add_row(qe, list.items[q].id, -1, question_line((int)q + 1, doc));
			head->pending = list.items[q].pending;
			head->points = tui_json_num(doc, "points", 1);
			if (answer_text != NULL)
				add_row(qe, list.items[q].id, ANSWER_ROW, answer_text);
			cJSON_ArrayForEach(c, choices)
			{
				if (with_choices && cJSON_IsString(c))
					add_row(qe, list.items[q].id, i, lc_strdup(c->valuestring))
					    ->right = is_right(answer, i);
				i++;
			}
			if (*tui_json_str(doc, "explanation") != '\0')
				add_row(qe, list.items[q].id, EXPLAIN_ROW,
				        first_line(tui_json_str(doc, "explanation"), 200));
			cJSON_Delete(doc);
		}
	}
	store_resource_list_free(&list);
	qe->list.n = qe->n;
	for (int i = 0; sel_id != NULL && i < qe->n; i++)
		if (strcmp(qe->rows[i].question_id, sel_id) == 0 &&
		    (qe->rows[i].choice == sel_choice || qe->rows[i].choice == QUESTION_ROW))
			qe->list.sel = i;
	free(sel_id);
	tui_list_clamp(&qe->list, tui_body_rows() - 2);
}

static int
qedit_open(struct tui_app *app, const char *arg, void **state)
{
	struct qedit *qe;

	if (arg == NULL)
		return -LC_EINVAL;
	qe = lc_calloc(1, sizeof(*qe));
	qe->item_id = lc_strdup(arg);
	qedit_reload(app, qe);
	*state = qe;
	return 0;
}

static void
qedit_close(void *state)
{
	struct qedit *qe = state;

	clear_rows(qe);
	free(qe->item_id);
	free(qe->title);
	free(qe);
}

static void
qedit_draw(struct tui_app *app, void *state)
{
	struct qedit *qe = state;
	int rows = tui_body_rows() - 2, top = tui_body_top() + 2;
	char title[300], line[128];

	(void)app;
	snprintf(title, sizeof(title), "Quiz editor: %s", qe->title ? qe->title : "");
	tui_draw_title(title, "? keys");
	snprintf(line, sizeof(line),
	         "%d question%s   a add  e edit  x explain  Space right  d delete  "
	         "J/K move",
	         qe->n_questions, qe->n_questions == 1 ? "" : "s");
	tui_put(tui_body_top(), 1, line, COLS - 2, tui_attr(TUI_ROLE_DIM));
	if (qe->n == 0)
		tui_put(top, 3, "No questions yet: press a to add the first one.", COLS - 4,
		        tui_attr(TUI_ROLE_DIM));
	tui_list_clamp(&qe->list, rows);
	for (int r = 0; r < rows && qe->list.top + r < qe->n; r++) {
		const struct qrow *row = &qe->rows[qe->list.top + r];
		bool sel = qe->list.top + r == qe->list.sel;
		attr_t a = sel ? tui_attr(TUI_ROLE_SELECTED) : A_NORMAL;
		int y = top + r;

		if (sel)
			tui_clear_to_eol(y, 0, a);
		tui_put(y, 0, sel ? ">" : " ", 1, a);
		if (row->choice == QUESTION_ROW) {
			char right[48];
			int rw;

			snprintf(right, sizeof(right), "%g pt%s", row->points,
			         row->pending ? "  queued" : "");
			rw = (int)strlen(right);
			tui_put(y, 2, row->text, COLS - 4 - rw, a | A_BOLD);
			tui_put(y, COLS - 1 - rw, right, rw, a | tui_attr(TUI_ROLE_DIM));
			continue;
		}
		if (row->choice == EXPLAIN_ROW) {
			tui_put(y, 6, "why", 3, a | tui_attr(TUI_ROLE_DIM));
			tui_put(y, 10, row->text, COLS - 11, a | tui_attr(TUI_ROLE_DIM));
			continue;
		}
		if (row->choice == ANSWER_ROW) {
			tui_put(y, 6, "=", 1, a | tui_attr(TUI_ROLE_GOOD));
			tui_put(y, 10, row->text, COLS - 11, a);
			continue;
		}
		tui_put(y, 6, row->right ? "[*]" : "[ ]", 3,
		        a | (row->right ? tui_attr(TUI_ROLE_GOOD) : A_NORMAL));
		tui_put(y, 10, row->text, COLS - 11, a);
	}
}

/* ---- The question form --------------------------------------------------------------- */

enum {
	QF_PROMPT,
	QF_KIND,
	QF_CHOICES,
	QF_ANSWER,
	QF_BOOL,
	QF_TOLERANCE,
	QF_POINTS,
	QF_EXPLAIN,
	QF_N
};

static const char *const true_false[] = {"true", "false", NULL};
/* A long prompt or explanation in the form: kept whole (the editor edits it) or removed. */
static const char *const long_prompt[] = {"kept as it is (E writes it)", NULL};
static const char *const long_explain[] = {"kept as it is (x writes it)", "removed", NULL};

struct qform {
	struct tui_app *app;
	const char *item_id;
	const char *question_id; /* NULL: a new question */
	bool had_explanation;    /* the question had a non-empty explanation */
	char *new_id;
};

/* Whether text fits a form field whole: one line of at most TEXT_FORM_MAX characters. */
static bool
fits_form(const char *text)
{
	size_t chars = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++)
		chars += (*p & 0xc0) != 0x80;
	return chars <= TEXT_FORM_MAX && strchr(text, '\n') == NULL;
}

/*
 * The explanation of the form into f: the text; null when emptied or removed (an edit of a
 * question that had one); nothing when it stays as it was or stays empty.
 */
static void
explanation_field(const struct qform *qf, const struct tui_form *form, cJSON *f)
{
	char *text;

	if (form->fields[QF_EXPLAIN].kind != TUI_FORM_TEXT) {
		if (form->fields[QF_EXPLAIN].choice == 1)
			cJSON_AddNullToObject(f, "explanation");
		return;
	}
	text = tui_form_get(form, QF_EXPLAIN);
	if (*text != '\0')
		cJSON_AddStringToObject(f, "explanation", text);
	else if (qf->had_explanation)
		cJSON_AddNullToObject(f, "explanation");
	free(text);
}

/* "2" or "1, 3" (choice numbers from 1) into 0-based indexes. */
static int
choice_numbers(const char *text, int n_choices, bool single, cJSON **out, char **cause)
{
	cJSON *arr = cJSON_CreateArray();
	const char *p = text;
	int count = 0;

	while (*p != '\0') {
		char *end;
		long v;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		v = strtol(p, &end, 10);
		if (end == p || v < 1 || v > n_choices) {
			cJSON_Delete(arr);
			return lc_cause_set(cause, -LC_EINVAL,
			                    "Right choice: type the number of a choice, 1 to %d",
			                    n_choices);
		}
		if (is_right(arr, (int)v - 1)) {
			cJSON_Delete(arr);
			return lc_cause_set(cause, -LC_EINVAL, "Right choice %ld is listed twice",
			                    v);
		}
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)(v - 1)));
		count++;
		p = end;
	}
	if (count == 0 || (single && count != 1)) {
		cJSON_Delete(arr);
		return lc_cause_set(cause, -LC_EINVAL,
		                    single ? "A single-choice question needs exactly one right "
		                             "choice: type one number"
		                           : "A multiple-choice question needs at least one right "
		                             "choice");
	}
	if (single) {
		*out = cJSON_CreateNumber(cJSON_GetArrayItem(arr, 0)->valuedouble);
		cJSON_Delete(arr);
	} else {
		*out = arr;
	}
	return 0;
}

/* The answer of the form for its kind, into f. */
static int
answer_field(const struct tui_form *form, const char *kind, int n_choices, cJSON *f, char **cause)
{
	char *text = tui_form_get(form, QF_ANSWER);
	cJSON *answer = NULL;
	double v;
	int rc = 0;

	if (strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0) {
		if (n_choices < 2)
			rc = lc_cause_set(cause, -LC_EINVAL,
			                  "A %s-choice question needs at least two choices, "
			                  "separated by |",
			                  kind);
		else
			rc = choice_numbers(text, n_choices, strcmp(kind, "single") == 0, &answer,
			                    cause);
	} else if (strcmp(kind, "boolean") == 0) {
		answer = cJSON_CreateBool(form->fields[QF_BOOL].choice == 0);
	} else if (strcmp(kind, "short") == 0) {
		if (*text == '\0')
			rc = lc_cause_set(cause, -LC_EINVAL,
			                  "A short-answer question needs its answer");
		else
			answer = cJSON_CreateString(text);
	} else if ((rc = tui_author_parse_num(text, "Answer", -1e15, 1e15, &v, cause)) == 0) {
		answer = cJSON_CreateNumber(v);
	}
	free(text);
	if (answer != NULL)
		cJSON_AddItemToObject(f, "answer", answer);
	return rc;
}

static int
question_fields(const struct qform *qf, const struct tui_form *form, cJSON *f, char **cause)
{
	const char *kind = tui_form_word(form, QF_KIND);
	bool with_choices = strcmp(kind, "single") == 0 || strcmp(kind, "multiple") == 0;
	bool create = qf->question_id == NULL;
	char *text;
	int n_choices = 0, rc;
	double v;

	/* A long prompt is not in the form (it would be cut): it stays as it is. */
	if (form->fields[QF_PROMPT].kind == TUI_FORM_TEXT) {
		text = tui_form_get(form, QF_PROMPT);
		if (*text == '\0') {
			free(text);
			return lc_cause_set(cause, -LC_EINVAL, "The question needs a prompt");
		}
		cJSON_AddStringToObject(f, "prompt", text);
		free(text);
	}
	cJSON_AddStringToObject(f, "kind", kind);
	if (with_choices) {
		text = tui_form_get(form, QF_CHOICES);
		{
			cJSON *choices = tui_author_split(text, '|', true);

			n_choices = cJSON_GetArraySize(choices);
			cJSON_AddItemToObject(f, "choices", choices);
		}
		free(text);
	} else if (!create) {
		cJSON_AddNullToObject(f, "choices");
	}
	rc = answer_field(form, kind, n_choices, f, cause);
	if (rc == 0 && strcmp(kind, "numeric") == 0) {
		text = tui_form_get(form, QF_TOLERANCE);
		if (*text == '\0')
			v = 0;
		else
			rc = tui_author_parse_num(text, "Tolerance", 0, 1e12, &v, cause);
		free(text);
		if (rc == 0)
			cJSON_AddNumberToObject(f, "tolerance", v);
	}
	if (rc == 0) {
		text = tui_form_get(form, QF_POINTS);
		rc = tui_author_parse_num(*text ? text : "1", "Points", 0, 1e6, &v, cause);
		free(text);
		if (rc == 0)
			cJSON_AddNumberToObject(f, "points", v);
	}
	if (rc == 0)
		explanation_field(qf, form, f);
	return rc;
}

static int
qform_submit(void *ctx, const struct tui_form *form, char **cause)
{
	struct qform *qf = ctx;
	cJSON *f = cJSON_CreateObject();
	int rc = question_fields(qf, form, f, cause);

	if (rc == 0)
		rc = tui_author_save(qf->app, "question", qf->item_id, qf->question_id, f,
		                     qf->new_id, cause);
	cJSON_Delete(f);
	return rc;
}

/* The form's text for the doc's answer (choice numbers from 1, or the value). */
static void
answer_text(const cJSON *doc, struct lc_buf *buf)
{
	const cJSON *answer = cJSON_GetObjectItemCaseSensitive(doc, "answer"), *e;

	if (cJSON_IsNumber(answer) && strcmp(tui_json_str(doc, "kind"), "numeric") == 0)
		lc_buf_printf(buf, "%g", answer->valuedouble);
	else if (cJSON_IsNumber(answer))
		lc_buf_printf(buf, "%d", (int)answer->valuedouble + 1);
	else if (cJSON_IsString(answer))
		lc_buf_puts(buf, answer->valuestring);
	else
		cJSON_ArrayForEach(e, answer) if (cJSON_IsNumber(e))
		    lc_buf_printf(buf, "%s%d", buf->len ? ", " : "", (int)e->valuedouble + 1);
}

static bool
question_form(struct tui_app *app, const char *item_id, const char *question_id)
{
	struct qform qf = {.app = app, .item_id = item_id, .question_id = question_id};
	struct tui_form_field fields[QF_N];
	struct tui_form form = {.fields = fields, .n = QF_N};
	struct store_resource res = {0};
	struct lc_buf choices = {0}, answer = {0};
	const cJSON *e;
	cJSON *doc = NULL;
	tui_new_id id;
	char num[32], *key;
	bool saved;

	qf.new_id = id;
	if (question_id != NULL &&
	    store_resource_get(app->db, "question", question_id, &res) == 0) {
		doc = cJSON_Parse(res.doc);
		store_resource_finish(&res);
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "choices"))
	    lc_buf_printf(&choices, "%s%s", choices.len ? " | " : "", cJSON_GetStringValue(e));
	answer_text(doc, &answer);
	form.title = doc ? "Edit question" : "New question";
	if (fits_form(tui_json_str(doc, "prompt")))
		tui_form_text(&form, QF_PROMPT, "Prompt", tui_json_str(doc, "prompt"), NULL);
	else
		tui_form_choice(&form, QF_PROMPT, "Prompt", long_prompt, NULL);
	tui_form_choice(&form, QF_KIND, "Kind", question_kinds,
	                doc ? tui_json_str(doc, "kind") : "single");
	tui_form_text(&form, QF_CHOICES, "Choices", lc_buf_str(&choices), "a | b | c");
	fields[QF_CHOICES].when_field = QF_KIND;
	fields[QF_CHOICES].when_mask = 3u; /* single, multiple */
	tui_form_text(&form, QF_ANSWER, "Answer", lc_buf_str(&answer),
	              "choice no(s), text or number");
	fields[QF_ANSWER].when_field = QF_KIND;
	fields[QF_ANSWER].when_mask = 1u | 2u | 8u | 16u;
	tui_form_choice(&form, QF_BOOL, "Answer", true_false,
	                cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "answer")) ? "false"
	                                                                               : "true");
	fields[QF_BOOL].when_field = QF_KIND;
	fields[QF_BOOL].when_mask = 4u;
	snprintf(num, sizeof(num), "%g", tui_json_num(doc, "tolerance", 0));
	tui_form_text(&form, QF_TOLERANCE, "Tolerance", num, "+/- accepted");
	fields[QF_TOLERANCE].when_field = QF_KIND;
	fields[QF_TOLERANCE].when_mask = 16u;
	snprintf(num, sizeof(num), "%g", tui_json_num(doc, "points", 1));
	tui_form_text(&form, QF_POINTS, "Points", num, NULL);
	qf.had_explanation = *tui_json_str(doc, "explanation") != '\0';
	if (fits_form(tui_json_str(doc, "explanation")))
		tui_form_text(&form, QF_EXPLAIN, "Explanation", tui_json_str(doc, "explanation"),
		              "why it is right; x: editor");
	else
		tui_form_choice(&form, QF_EXPLAIN, "Explanation", long_explain, NULL);
	lc_buf_finish(&choices);
	lc_buf_finish(&answer);
	cJSON_Delete(doc);
	key = question_id != NULL ? lc_asprintf("form:question:%s", question_id)
	                          : lc_asprintf("form:question:new:%s", item_id);
	form.draft_key = key;
	saved = tui_form_run(app, &form, qform_submit, &qf);
	free(key);
	if (saved)
		tui_after_write(app);
	return saved;
}

/* ---- Actions ------------------------------------------------------------------------- */

/* Space on a choice: the right one (single) or toggled (multiple). */
static void
mark_choice(struct tui_app *app, const struct qrow *r)
{
	struct store_resource res = {0};
	struct tui_writer w;
	char *cause = NULL;
	cJSON *doc, *f, *answer;
	const cJSON *old, *e;
	int rc;

	if (r->choice < 0 || store_resource_get(app->db, "question", r->question_id, &res) < 0) {
		tui_flash(app, "Select a choice to mark it right (e edits other answers)");
		return;
	}
	doc = cJSON_Parse(res.doc);
	store_resource_finish(&res);
	old = cJSON_GetObjectItemCaseSensitive(doc, "answer");
	if (strcmp(tui_json_str(doc, "kind"), "single") == 0) {
		answer = cJSON_CreateNumber(r->choice);
	} else {
		answer = cJSON_CreateArray();
		cJSON_ArrayForEach(e,
		                   old) if (cJSON_IsNumber(e) && (int)e->valuedouble != r->choice)
		    cJSON_AddItemToArray(answer, cJSON_CreateNumber(e->valuedouble));
		if (!r->right)
			cJSON_AddItemToArray(answer, cJSON_CreateNumber(r->choice));
	}
	f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "answer", answer);
	/* The check needs the question's kind and choices to judge the answer. */
	cJSON_AddStringToObject(f, "kind", tui_json_str(doc, "kind"));
	cJSON_AddItemToObject(f, "choices",
	                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "choices"), 1));
	cJSON_Delete(doc);
	tui_author_writer(app, &w);
	if (cJSON_GetArraySize(answer) == 0 && cJSON_IsArray(answer))
		rc = lc_cause_set(&cause, -LC_EINVAL,
		                  "A multiple-choice question needs at least one right choice");
	else
		rc = tui_check_fields("question", f, false, &cause);
	if (rc == 0)
		rc = tui_queue_patch(&w, "question", r->question_id, f, &cause);
	cJSON_Delete(f);
	tui_author_written(app, rc, cause, "Answer changed (queued)");
}

/*
 * E and x: the question's prompt or explanation (key) written whole in the editor, with a
 * draft of its own ("edit:question:<id>:<key>"). An editor left empty or failing changes
 * nothing (the form removes an explanation).
 */
static void
edit_question_text(struct tui_app *app, const struct qrow *r, const char *key)
{
	struct store_resource res = {0};
	char *text = NULL, *cause = NULL, *title, *prompt, *draft;
	bool explain = strcmp(key, "explanation") == 0, edited;
	cJSON *doc, *f;
	int rc;

	if (store_resource_get(app->db, "question", r->question_id, &res) < 0) {
		tui_flash(app, "This question is no longer on this replica");
		return;
	}
	doc = cJSON_Parse(res.doc);
	store_resource_finish(&res);
	prompt = first_line(tui_json_str(doc, "prompt"), 60);
	title = explain ? lc_asprintf("Why the answer to '%s' is right (Markdown)", prompt)
	                : lc_strdup("Question prompt (Markdown)");
	free(prompt);
	draft = lc_asprintf("edit:question:%s:%s", r->question_id, key);
	/* A false return has said why (discarded, empty, the editor failed: draft kept). */
	edited = tui_edit_draft(app, draft, title, tui_json_str(doc, key), &text);
	if (!edited || strcmp(text, tui_json_str(doc, key)) == 0) {
		if (edited) {
			tui_draft_done(app, draft);
			tui_flash(app, "Not changed");
		}
		free(text);
		free(title);
		free(draft);
		cJSON_Delete(doc);
		return;
	}
	free(title);
	cJSON_Delete(doc);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, key, text);
	free(text);
	rc = tui_author_save(app, "question", NULL, r->question_id, f, NULL, &cause);
	cJSON_Delete(f);
	tui_author_written(app, rc, cause,
	                   explain ? "Explanation saved (queued)" : "Prompt saved (queued)");
	/* The draft stays until the write is queued: a refusal loses nothing. */
	if (rc == 0)
		tui_draft_done(app, draft);
	else
		tui_draft_kept(app);
	free(draft);
}

static void
delete_question(struct tui_app *app, const struct qrow *r)
{
	struct tui_writer w;
	char *cause = NULL, *question;
	const char *text = r->text;
	int rc;

	/* "3. [single] Prompt..." : the prompt part names the question. */
	question =
	    lc_asprintf("Delete question %.60s? Attempts already graded keep their scores.", text);
	if (!tui_form_confirm(app, question)) {
		free(question);
		tui_flash(app, "Nothing deleted");
		return;
	}
	free(question);
	tui_author_writer(app, &w);
	rc = tui_queue_delete(&w, "question", r->question_id, &cause);
	tui_author_written(app, rc, cause, "Question deleted (queued)");
}

/* The question row of the question before (-1) or after (+1) row i's question, or -1. */
static int
question_sibling(const struct qedit *qe, int i, int dir)
{
	const char *id = qe->rows[i].question_id;

	for (int k = i + dir; k >= 0 && k < qe->n; k += dir)
		if (qe->rows[k].choice == QUESTION_ROW && strcmp(qe->rows[k].question_id, id) != 0)
			return k;
	return -1;
}

static void
move_question(struct tui_app *app, struct qedit *qe, int dir)
{
	const struct qrow *r = &qe->rows[qe->list.sel];
	int k = question_sibling(qe, qe->list.sel, dir), rc;
	const char *other;
	struct tui_writer w;
	char *cause = NULL;

	if (k < 0) {
		tui_flash(app,
		          dir > 0 ? "Already the last question" : "Already the first question");
		return;
	}
	other = qe->rows[k].question_id;
	tui_author_writer(app, &w);
	rc = tui_queue_move(&w, "question", r->question_id, dir < 0 ? other : NULL,
	                    dir > 0 ? other : NULL, &cause);
	tui_author_written(app, rc, cause, dir > 0 ? "Moved down (queued)" : "Moved up (queued)");
}

static enum tui_key_result
qedit_key(struct tui_app *app, void *state, wint_t key, bool fn_key)
{
	struct qedit *qe = state;
	const struct qrow *r = qe->list.sel < qe->n ? &qe->rows[qe->list.sel] : NULL;

	/* Space marks a choice here; the list would take it as a page down. */
	if (!fn_key && key == ' ' && r != NULL) {
		mark_choice(app, r);
		return TUI_KEY_HANDLED;
	}
	if (tui_list_key(&qe->list, key, fn_key, tui_body_rows() - 2))
		return TUI_KEY_HANDLED;
	if (fn_key)
		return TUI_KEY_UNHANDLED;
	if (key == 'a') {
		if (question_form(app, qe->item_id, NULL))
			tui_flash(app, "Question added (queued)");
	} else if (r == NULL) {
		return key == 'e' || key == 'd' || key == ' ' || key == 'J' || key == 'K' ||
		               key == 'E' || key == 'x'
		           ? TUI_KEY_HANDLED
		           : TUI_KEY_UNHANDLED;
	} else if (key == 'e' || key == '\r' || key == '\n') {
		if (question_form(app, qe->item_id, r->question_id))
			tui_flash(app, "Question saved (queued)");
	} else if (key == 'x') {
		edit_question_text(app, r, "explanation");
	} else if (key == 'E') {
		edit_question_text(app, r, "prompt");
	} else if (key == 'd') {
		delete_question(app, r);
	} else if (key == 'J' || key == 'K') {
		move_question(app, qe, key == 'J' ? 1 : -1);
	} else {
		return TUI_KEY_UNHANDLED;
	}
	return TUI_KEY_HANDLED;
}

const struct tui_view tui_view_quiz_edit = {
    .name = "quiz editor",
    .keys = qedit_keys,
    .open = qedit_open,
    .close = qedit_close,
    .reload = qedit_reload,
    .draw = qedit_draw,
    .key = qedit_key,
};
