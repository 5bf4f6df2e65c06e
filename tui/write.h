/* SPDX-License-Identifier: MIT */
/*
 * Every write a person makes, for the TUI (data.c, the views) and the command line (cli.c)
 * alike: one place builds the request, the optimistic doc the replica shows at once, the
 * scope it lives in and the If-Match it was based on, and queues them with
 * store_local_write(). Nothing here draws or prints: a refusal comes back as a negative
 * lc_err with *cause, a sentence for a person ("a single-choice question needs exactly one
 * answer"), that the caller shows and frees.
 *
 * What the replica already knows the server will refuse is refused here, before anything is
 * queued (staff enrolling in their own course, a field the API does not have, a question
 * the grader could never mark). What only the server can decide is left to it, and its
 * answer lands in sync issues.
 */
#ifndef TUI_WRITE_H
#define TUI_WRITE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "common/uuid.h"
#include "store/db.h"

/* Who writes: the replica and the signed-in user, as the optimistic docs name them. */
struct tui_writer {
	struct store_db *db;
	const char *user_id;
	const char *username;
};

/* Receives a created resource's id; callers that do not need it pass NULL. */
typedef char tui_new_id[LC_UUID_LEN + 1];

/* ---- Checks (no write) -------------------------------------------------------------- */

/*
 * Whether the signed-in user is staff of the course on this replica: admin, owner, or
 * content-admin or department-admin of the course's department (API.md "Roles").
 */
bool tui_is_staff(const struct tui_writer *w, const char *course_id);

/*
 * Whether the user may create a course (API.md "Roles"): role instructor or admin, or a
 * department content-admin or department-admin. True when the replica has no user doc yet.
 */
bool tui_may_create_course(const struct tui_writer *w);

/*
 * Checks the fields of a course, module, item or question as the server would: known
 * names only, types, lengths and ranges, a question's answer against its kind and choices.
 * create: the required fields must be present. Returns 0 or -LC_EINVAL with *cause.
 */
int tui_check_fields(const char *type, const cJSON *fields, bool create, char **cause);

/*
 * True for the item kinds that only a passing attempt completes (a quiz): POST /progress
 * with "completed" is refused for them, by the server (409) and by us before queueing.
 */
bool tui_kind_completes_by_attempt(const char *kind);
/* Why such an item cannot be marked complete, for the TUI and the command line. */
#define TUI_QUIZ_COMPLETE_MSG "a quiz is completed by passing an attempt, not by marking it"
/*
 * The furthest progress of the user on item_id on this replica, pending writes included:
 * 2 completed, 1 started, 0 none.
 */
int tui_progress_status(const struct tui_writer *w, const char *item_id);

/* ---- A learner's writes ------------------------------------------------------------- */

/* Refuses staff of the course and users already enrolled, with a cause that says so. */
int tui_queue_enroll(const struct tui_writer *w, const char *course_id, tui_new_id id_out,
                     char **cause);
/* status: "started" or "completed"; never goes back, and a quiz is completed by attempts. */
int tui_queue_progress(const struct tui_writer *w, const char *item_id, const char *status,
                       char **cause);
/* answers: {question_id: value}; borrowed. */
int tui_queue_attempt(const struct tui_writer *w, const char *item_id, const cJSON *answers,
                      tui_new_id id_out, char **cause);
int tui_queue_topic(const struct tui_writer *w, const char *course_id, const char *title,
                    const char *body, tui_new_id id_out, char **cause);
int tui_queue_reply(const struct tui_writer *w, const char *topic_id, const char *body,
                    tui_new_id id_out, char **cause);

/* ---- Anybody's edits and deletes (the server decides who may) ----------------------- */

/*
 * Changes fields of a course, module, item, question, topic or reply: the optimistic doc
 * is the replica's doc with fields applied, the PATCH carries only fields, If-Match the
 * rev the replica had. A field equal to the doc's value is left out; nothing left, nothing
 * queued (returns 0). fields is borrowed.
 */
int tui_queue_patch(const struct tui_writer *w, const char *type, const char *id,
                    const cJSON *fields, char **cause);
/* Deletes a course, module, item, question, topic or reply (and, locally, what is under it). */
int tui_queue_delete(const struct tui_writer *w, const char *type, const char *id, char **cause);

/* ---- Authoring ---------------------------------------------------------------------- */

/*
 * Creates a course (parent_id NULL), a module (parent: course), an item (parent: module)
 * or a question (parent: a quiz item) from fields (borrowed, checked with
 * tui_check_fields()), placed last among its siblings unless fields has a position.
 */
int tui_queue_create(const struct tui_writer *w, const char *type, const char *parent_id,
                     const cJSON *fields, tui_new_id id_out, char **cause);
/*
 * Moves a module, item or question just before or just after a sibling (exactly one of
 * before_id and after_id). An item may go next to an item of another module of the same
 * course (it changes module: lecternd's extension, docs/api.md); a module stays in its
 * course, a question in its quiz. Queued as a PATCH of the new position (and module_id);
 * the replica shows the new place at once without waiting for the server to renumber the
 * siblings.
 */
int tui_queue_move(const struct tui_writer *w, const char *type, const char *id,
                   const char *before_id, const char *after_id, char **cause);
/*
 * Moves an item to the end of a module of its course (its own module included). Already
 * last there: nothing is queued and 0 is returned. A module of another course, or one the
 * replica does not hold, is refused with a cause.
 */
int tui_queue_move_to_module(const struct tui_writer *w, const char *item_id, const char *module_id,
                             char **cause);
/* action: "publish", "unpublish", "archive" or "unarchive". */
int tui_queue_course_status(const struct tui_writer *w, const char *course_id, const char *action,
                            char **cause);

#endif
