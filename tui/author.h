/* SPDX-License-Identifier: MIT */
/*
 * What the course editor (view-author.c) and the quiz editor (view-quiz-edit.c) share: the
 * writer of the signed-in user, the forms for a course and an item (author-forms.c), and
 * the parsing of what people type into them (a due date, a number, a percent), each with
 * a cause in words when the text is not one.
 */
#ifndef TUI_AUTHOR_H
#define TUI_AUTHOR_H

#include <stdbool.h>

#include "common/clock.h"
#include "tui/tui-int.h"
#include "tui/write.h"

/* The writer for the signed-in user of app (borrows app's strings). */
void tui_author_writer(struct tui_app *app, struct tui_writer *w);

/*
 * The course form: course_id NULL creates a course (its id into id_out), else edits that
 * course's fields. Returns true when something was queued.
 */
bool tui_author_course_form(struct tui_app *app, const char *course_id, tui_new_id id_out);
/*
 * The item form: item_id NULL creates an item in module_id (its id into id_out, may be
 * NULL), else edits the item. Returns true when something was queued.
 */
bool tui_author_item_form(struct tui_app *app, const char *module_id, const char *item_id,
                          tui_new_id id_out);

/*
 * Checks fields with tui_check_fields() and queues them: a create under parent_id (the
 * new id into id_out) when id is NULL, else a PATCH of id. fields is borrowed. Returns 0
 * or a negative lc_err with *cause.
 */
int tui_author_save(struct tui_app *app, const char *type, const char *parent_id, const char *id,
                    const cJSON *fields, tui_new_id id_out, char **cause);
/* Shows the outcome of a write on the status line (done, or the cause); frees cause. */
void tui_author_written(struct tui_app *app, int rc, char *cause, const char *done);
/*
 * Splits text at sep into a JSON array of strings with their outer spaces trimmed (a
 * course's keywords, a question's choices); empty pieces are kept only when keep_empty.
 */
cJSON *tui_author_split(const char *text, char sep, bool keep_empty);

/*
 * "2026-12-24" (end of that day, UTC), "2026-12-24 17:00", or RFC 3339 with a zone, into
 * RFC 3339 UTC. Returns 0 or -LC_EINVAL with *cause.
 */
int tui_author_parse_due(const char *text, char out[LC_RFC3339_LEN + 1], char **cause);
/* A number in [min, max] from text; what names the field in *cause. */
int tui_author_parse_num(const char *text, const char *what, double min, double max, double *out,
                         char **cause);

#endif
