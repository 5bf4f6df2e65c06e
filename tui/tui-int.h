/* SPDX-License-Identifier: MIT */
/*
 * What the screens of the TUI share (private to tui/). The program is a stack of screens;
 * each screen is a `const struct tui_view` in its own view-*.c, collected in tui_views[]
 * (tmux's command-table idea). A view reads the replica when opened and again when the sync
 * engine's generation changes (reload), draws the body rows, and handles its keys; keys it
 * does not take (back, help, sync, quit) are handled by app.c for every screen.
 */
#ifndef TUI_TUI_INT_H
#define TUI_TUI_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include <cjson/cJSON.h>
#include <curses.h>

#include "store/db.h"
#include "sync/engine.h"
#include "tui/tui.h"
#include "tui/write.h"

struct tui_app;

/* One line of a screen's help: the key(s) and what they do. */
struct tui_key_help {
	const char *keys;
	const char *what;
};

enum tui_key_result {
	TUI_KEY_UNHANDLED = 0, /* app.c handles it (back, help, sync, quit) */
	TUI_KEY_HANDLED = 1,   /* the view took it; redraw */
};

struct tui_view {
	const char *name;
	const struct tui_key_help *keys; /* ends with {NULL, NULL} */
	/* Creates the view's state for arg (an id, or NULL). Returns 0 or a negative lc_err. */
	int (*open)(struct tui_app *app, const char *arg, void **state);
	void (*close)(void *state);
	/* Re-reads the replica after a sync or a write. May be NULL. */
	void (*reload)(struct tui_app *app, void *state);
	/* Draws the title (row 0 text) and the body rows. */
	void (*draw)(struct tui_app *app, void *state);
	enum tui_key_result (*key)(struct tui_app *app, void *state, wint_t key, bool fn_key);
};

extern const struct tui_view tui_view_login;
extern const struct tui_view tui_view_home;
extern const struct tui_view tui_view_catalog;
extern const struct tui_view tui_view_course_info;
extern const struct tui_view tui_view_course;
extern const struct tui_view tui_view_reader;
extern const struct tui_view tui_view_quiz;
extern const struct tui_view tui_view_forum;
extern const struct tui_view tui_view_topic;
extern const struct tui_view tui_view_issues;
extern const struct tui_view tui_view_help;
/* The writes not yet sent, in words (w; issue 15, ux review A10). */
extern const struct tui_view tui_view_waiting;
/* Course staff (issue 11): the course editor (arg: a course id; NULL: the new-course form
 * first), the quiz editor (arg: a quiz item id), an item as learners see it (no progress). */
extern const struct tui_view tui_view_author;
extern const struct tui_view tui_view_quiz_edit;
extern const struct tui_view tui_view_preview;
extern const struct tui_view tui_view_teach;

/* Every view, for help and for tests. NULL-terminated. */
extern const struct tui_view *const tui_views[];

/* Roles of things drawn, mapped to colours or, without colour, to attributes. */
enum tui_role {
	TUI_ROLE_NORMAL,
	TUI_ROLE_TITLE,
	TUI_ROLE_STATUS,
	TUI_ROLE_SELECTED,
	TUI_ROLE_HEADING,
	TUI_ROLE_CODE,
	TUI_ROLE_LINK,
	TUI_ROLE_QUOTE,
	TUI_ROLE_MATCH,
	TUI_ROLE_DIM,
	TUI_ROLE_GOOD,
	TUI_ROLE_WARN,
	TUI_ROLE_BAD,
	TUI_ROLE_OFFLINE, /* the status line's states (ux review 2026-11-29, A9) */
	TUI_ROLE_LOGIN,
	TUI_ROLE_ISSUES,
	TUI_ROLE_COUNT,
};

#define TUI_STACK_MAX 16

struct tui_screen {
	const struct tui_view *view;
	void *state;
	uint64_t loaded_version; /* app->data_version when the view last read the replica */
};

struct tui_app {
	const struct tui_config *cfg;
	struct store_db *db;
	struct sync_engine *engine; /* NULL until the replica has a server to talk to */
	char *server_url;
	char *user_id; /* NULL when nobody has logged in on this replica */
	char *username;
	/*
	 * The replica app->db is (cfg->db_path, or in kiosk mode the signed-in user's profile;
	 * NULL while a kiosk waits on the sign-in screen with no replica open).
	 */
	char *db_path;
	struct tui_screen stack[TUI_STACK_MAX];
	int depth;
	bool quit;
	bool dirty;    /* the whole screen must be drawn again */
	bool reloaded; /* the replica changed: the top view re-reads it now, the others on return */
	/*
	 * Counts changes of the replica's data (syncs, writes, read marks). A screen whose
	 * loaded_version is older re-reads the replica when it is on top again, so going back
	 * costs nothing when nothing changed meanwhile.
	 */
	uint64_t data_version;
	/*
	 * Counts the changes of content (syncs, writes), which bump data_version too; a read
	 * mark bumps data_version alone, so Home re-reads unread counts, not its percents.
	 */
	uint64_t content_version;
	char flash[256]; /* a one-off message shown on the status line */
	int64_t flash_until_ms;
	bool color;
	uint64_t generation;
	char status_text[512];
	/* Course ids of the user's enrollments, sorted; read once per data change (data.c). */
	char **enrolled;
	size_t n_enrolled;
	bool enrolled_valid;
	bool sync_pending; /* start the engine once the first frame is on the screen */
	/* Kiosk background sync of signed-out profiles (app.c); NULL when none ran yet. */
	struct tui_background *background;
	int64_t background_at_ms; /* when the last round started */
};

/* ---- app.c -------------------------------------------------------------------------- */

/* Opens view on top of the stack. A failure to open shows a message and keeps the screen. */
void tui_push(struct tui_app *app, const struct tui_view *view, const char *arg);
/* Closes the top screen (never the last one). */
void tui_pop(struct tui_app *app);
/* Replaces the whole stack by view (after login). */
void tui_reset_to(struct tui_app *app, const struct tui_view *view, const char *arg);
/* Shows msg on the status line for a few seconds. */
void tui_flash(struct tui_app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After a local write: views reload and the engine is asked to sync. */
void tui_after_write(struct tui_app *app);
/* After sync_login() stored a session: reads it, opens Home and starts syncing. */
void tui_logged_in(struct tui_app *app);
/* (Re)creates and starts the sync engine once the replica knows a server. */
void tui_sync_start(struct tui_app *app);
/*
 * Signs the user out (issue 13), asking first: confirms; in kiosk wipe mode sends the
 * waiting writes and, when that fails, says what will be lost and asks again; revokes the
 * session, locks (or wipes) the replica, closes it and the engine, and opens the sign-in
 * screen. Callable from any key handler (the sign-out key X; merge hooks: idle sign-out
 * and "quit returns to the sign-in screen" in kiosk mode pass ask = false to skip the
 * first question). Returns true when signed out.
 */
bool tui_sign_out(struct tui_app *app, bool ask);
/*
 * q on the last screen, Q, and Ctrl-C in kiosk mode: outside kiosk mode the program ends;
 * in kiosk mode a signed-in person is asked to sign out, and on the sign-in screen only
 * the administrator's password (the config's admin_hash) ends the program (issue 13, 5).
 */
void tui_request_quit(struct tui_app *app);
/* Waits, drawing a line, until a kiosk background round in flight is over. */
void tui_background_wait(struct tui_app *app);
/*
 * After a sign-in stored a session in db_path (the replica it landed in): opens that
 * replica when it is not the one open (kiosk), reads the session, opens Home, syncs.
 */
void tui_signed_in(struct tui_app *app, const char *db_path);

/* ---- draw.c ------------------------------------------------------------------------- */

void tui_colors_init(struct tui_app *app);
attr_t tui_attr(enum tui_role role);
/* The config file's colours over tui_colors_init()'s (issue 15). */
struct tui_config_file;
void tui_colors_apply(struct tui_app *app, const struct tui_config_file *cf);
/* Body rows: 1 .. LINES-2 (row 0 is the title bar, the last row the status line). */
int tui_body_top(void);
int tui_body_rows(void);
/* Draws UTF-8 text at (y, x) clipped to `cells`; returns the cells used. */
int tui_put(int y, int x, const char *s, int cells, attr_t attr);
/* Like tui_put() for the first len bytes. */
int tui_putn(int y, int x, const char *s, size_t len, int cells, attr_t attr);
/* Fills the rest of row y from x with spaces in attr. */
void tui_clear_to_eol(int y, int x, attr_t attr);
/* Draws text with "\x02"..."\x03" marked matches highlighted. */
int tui_put_marked(int y, int x, const char *s, int cells, attr_t attr);
/* The title bar: the screen's title on the left, a hint on the right. */
void tui_draw_title(const char *title, const char *right);
/* "[#####.....]  42%" in `cells`. */
void tui_draw_progress(int y, int x, int cells, int percent);
void tui_draw_progress_attr(int y, int x, int cells, int percent, attr_t attr);

struct tui_md_line;
/* Draws one rendered Markdown line at (y, x), styles mapped to attributes. */
void tui_draw_md_line(int y, int x, const struct tui_md_line *line, int cells);

/* A scrolling selection over n rows. */
struct tui_list {
	int n;
	int sel;
	int top;
};

/* Handles movement keys (arrows, j k g G, PgUp/PgDn, Home/End). Returns true when taken. */
bool tui_list_key(struct tui_list *list, wint_t key, bool fn_key, int rows);
/* Keeps sel inside the list and visible in `rows` rows. */
void tui_list_clamp(struct tui_list *list, int rows);

/* A one-line text field. */
struct tui_field {
	wchar_t text[512];
	int len;
	int cursor;
	bool secret;
};

void tui_field_set(struct tui_field *field, const char *utf8);
/* The field as UTF-8 (caller frees). */
char *tui_field_get(const struct tui_field *field);
/* Editing keys. Returns true when the key was taken. */
bool tui_field_key(struct tui_field *field, wint_t key, bool fn_key);
/* Draws the field at (y, x) in `cells`; places the cursor when focused. */
void tui_field_draw(const struct tui_field *field, int y, int x, int cells, bool focused);

/*
 * Asks for one line on the bottom row (the status line is hidden meanwhile). Returns true
 * with *out (caller frees) on Enter, false on Esc.
 */
bool tui_prompt(struct tui_app *app, const char *label, const char *initial, char **out);
/* tui_prompt() that shows '*' for what is typed (a password), with no initial text. */
bool tui_prompt_secret(struct tui_app *app, const char *label, char **out);
/* Asks a yes/no question on the bottom row. */
bool tui_confirm(struct tui_app *app, const char *question);
/*
 * Edits a multi-line text: $VISUAL, else $EDITOR, when set (the terminal is handed over
 * meanwhile), else a small editor on the screen, keeping a draft under draft_key in the
 * replica (issue 11, item 7): saved as the user types, kept on Ctrl-C, a crash or an editor
 * that fails, offered again when an editor with the same key opens. The key names what is
 * written, never the editor's title: "reply:<topic_id>", "topic:<course_id>" (a new topic's
 * body; "topic-title:<course_id>" its title), "edit:<type>:<id>:<field>" (an existing
 * topic's or reply's body, an item's body, a course's description, a question's prompt or
 * explanation), "merge:<issue id>".
 * Returns true with *out (caller frees) when the user saved non-empty text; the draft then
 * stays until the caller calls tui_draft_done() after queueing the write, so a write that
 * fails to queue loses nothing (the caller says so with tui_draft_kept()). Returns false
 * after saying why on the status line (discarded, empty, the editor failed and its text is
 * kept): callers add nothing to it.
 */
bool tui_edit_draft(struct tui_app *app, const char *draft_key, const char *title,
                    const char *initial, char **out);
/*
 * tui_edit_draft() for a reply: the built-in editor shows head and the start of body (the
 * post being answered, Markdown) above the text (UX review A15). Not in the text sent.
 */
bool tui_edit_reply(struct tui_app *app, const char *draft_key, const char *title, const char *head,
                    const char *body, char **out);
/* The text tui_edit_draft() returned under draft_key is queued: its draft goes. */
void tui_draft_done(struct tui_app *app, const char *draft_key);
/*
 * The text could not be queued: its draft stays (offered when the same editor opens); puts
 * "Kept as a draft: " before the refusal already on the status line.
 */
void tui_draft_kept(struct tui_app *app);
/* "A draft from HH:MM was kept: r restore, d discard" for a draft saved at `at`. */
void tui_draft_question(int64_t at, char *buf, size_t size);

/* ---- view-author.c ------------------------------------------------------------------ */

/*
 * The new-course form (title, code, description, department, keywords, certification,
 * pass score); when saved, the course editor opens on the new draft. For Home's Teaching
 * section (N) and the course editor's N.
 */
void tui_author_new_course(struct tui_app *app);

/* ---- status.c ----------------------------------------------------------------------- */

/* Draws the status line when it changed (or always when force). Returns true if drawn. */
bool tui_status_draw(struct tui_app *app, bool force);
/*
 * While the replica's first sync has not finished (sync_replica_first_sync()), what an
 * empty list says in place of "not enrolled" or "no courses": "Downloading your
 * courses...", or why they are not coming (offline, sign in again). NULL otherwise.
 */
const char *tui_status_first_sync(struct tui_app *app);

/* ---- data.c: reading docs and making writes -------------------------------------------- */

/* A string field of a JSON object, or "" when missing or not a string. */
const char *tui_json_str(const cJSON *obj, const char *key);
double tui_json_num(const cJSON *obj, const char *key, double dflt);
bool tui_json_bool(const cJSON *obj, const char *key);

/* Appends text to buf with Markdown's punctuation escaped, so titles show as written. */
struct lc_buf;
void tui_md_escape(struct lc_buf *buf, const char *text);
/* Opens an item in the reader, or in the quiz screen for a quiz. */
void tui_open_item(struct tui_app *app, const char *item_id);

/*
 * The items of a course in course order (modules by position, then their items), through
 * the parent index. Caller frees with store_resource_list_free().
 */
struct store_resource_list;
int tui_course_items(struct tui_app *app, const char *course_id, struct store_resource_list *out);
/* The progress status of item_id for this user: 0 none, 1 started, 2 completed. */
int tui_item_progress(struct tui_app *app, const char *item_id);
/*
 * Percent of a course's items completed (required ones when any are required). One query
 * over the course's modules and their items (resources_children both ways), reading only
 * each item's id and "required": no doc is parsed.
 */
int tui_course_percent(struct tui_app *app, const char *course_id);
/* True when this user is enrolled in course_id (or has an enrollment queued). */
bool tui_is_enrolled(struct tui_app *app, const char *course_id);
/*
 * The catalog scope's courses by title, as store_resource_list() of "course" in "catalog"
 * by STORE_ORDER_TITLE returns them (overlays first; each has type, id, doc and pending),
 * read along the primary key. Caller frees with store_resource_list_free().
 */
int tui_catalog_courses(struct tui_app *app, struct store_resource_list *out);
/* Forgets the enrollment cache (after a data change); _finish also frees it. */
void tui_enrolled_invalidate(struct tui_app *app);
void tui_enrolled_finish(struct tui_app *app);

/* An item due soon, for Home. */
struct tui_due {
	int64_t at;
	char *item_id, *course_id, *title, *due_at;
};

/*
 * The items not completed by this user whose due_at lies within window_s of now (either
 * side), of the courses in courses[] (n_courses ids, sorted with strcmp), soonest first
 * (then by item id), at most max. Reads the replica in due_at order through the index
 * resources_due and stops after max, instead of every item of every course. Caller frees
 * with tui_due_free(). Returns 0 or a negative lc_err.
 */
int tui_due_soon(struct tui_app *app, char *const *courses, size_t n_courses, int64_t now,
                 int64_t window_s, size_t max, struct tui_due **out, size_t *n);
void tui_due_free(struct tui_due *due, size_t n);
/*
 * When a due time is, in words for Home: "overdue", "today", "tomorrow" or "in N days"
 * (local calendar days from now). buf of at least 16 bytes.
 */
void tui_due_words(int64_t at, int64_t now, char *buf, size_t size);
/*
 * The ids of the topics of course_id unread for this user (sorted; own posts never count),
 * in *ids when ids is not NULL, and their number in *n. Free with tui_unread_free().
 * Returns 0 or a negative lc_err.
 */
int tui_unread_topics(struct tui_app *app, const char *course_id, char ***ids, size_t *n);
void tui_unread_free(char **ids, size_t n);
/*
 * The user's name as the server signs their posts (author_name of their newest synced
 * post), else the username. Caller frees.
 */
char *tui_display_name(struct tui_app *app);

/* Queues an enrollment. Returns 0 or a negative lc_err. */
int tui_write_enroll(struct tui_app *app, const char *course_id);
/* tui_kind_completes_by_attempt() and TUI_QUIZ_COMPLETE_MSG are in tui/write.h. */
/*
 * Queues progress ("started" or "completed") for item_id unless already at least that.
 * "completed" on a quiz returns -LC_EINVAL and queues nothing.
 */
int tui_write_progress(struct tui_app *app, const char *item_id, const char *course_id,
                       const char *status);
/* Queues a quiz attempt; answers is a JSON object taken over by this function. */
int tui_write_attempt(struct tui_app *app, const char *item_id, const char *course_id,
                      cJSON *answers);
int tui_write_topic(struct tui_app *app, const char *course_id, const char *title,
                    const char *body);
int tui_write_reply(struct tui_app *app, const char *topic_id, const char *course_id,
                    const char *body);
/* Edits the body of a topic or reply ("topic"/"reply") the user wrote. */
int tui_write_edit(struct tui_app *app, const char *type, const char *id, const char *body);
int tui_write_delete(struct tui_app *app, const char *type, const char *id);

/* ---- data.c: teaching (staff of a course) --------------------------------------------- */

/*
 * Whether the signed-in user is staff of course_id on this replica: admin, the course's
 * owner, or content-admin or department-admin of its department or one above it, as the
 * user's own doc says: tui_is_staff() (tui/write.c), and a staff role in a department
 * above the course's (docs/api.md: rights follow the tree), which tui_is_staff() does not
 * read yet. The views ask this.
 */
bool tui_teaches(struct tui_app *app, const char *course_id);

/* A course the user teaches, for Home's "Teaching" section. */
struct tui_teach_course {
	char *id, *title, *code;
	char *status;   /* "draft", "published", "archived" */
	int enrolled;   /* the doc's enrolled_count */
	int64_t issues; /* open sync issues about the course */
	bool pending;   /* a change of the course itself is not yet sent */
};

/*
 * The courses of the user's `course:` scopes (and courses created here, not yet sent) that
 * the user is staff of, drafts and archived ones included, by title. Indexed reads only:
 * a learner pays one primary-key lookup per enrolled course. Caller frees with
 * tui_teaching_free(). Returns 0 or a negative lc_err.
 */
int tui_teaching_courses(struct tui_app *app, struct tui_teach_course **out, size_t *n);
void tui_teaching_free(struct tui_teach_course *courses, size_t n);
/* Open sync issues about course_id: writes in its scope, of it, or naming it. */
int64_t tui_course_issue_count(struct tui_app *app, const char *course_id);

/* An enrolled learner as the replica of staff holds them (enrollment docs). */
struct tui_student {
	char *user_id, *username, *enrolled_at;
	bool pending;
};

/* The course's enrollments by username (staff's replica has all of them). */
int tui_course_roster(struct tui_app *app, const char *course_id, struct tui_student **out,
                      size_t *n);
void tui_roster_free(struct tui_student *students, size_t n);
/* The username of user_id in roster, or NULL. */
const char *tui_roster_name(const struct tui_student *students, size_t n, const char *user_id);

/* One attempt at a quiz (the replica of staff has every attempt of the course). */
struct tui_attempt {
	char *user_id, *submitted_at;
	double score, max_score; /* max_score 0: not graded yet */
	bool passed, pending;
};

/* The attempts at quiz item_id, oldest first. Caller frees with tui_attempts_free(). */
int tui_quiz_attempts(struct tui_app *app, const char *item_id, struct tui_attempt **out,
                      size_t *n);
void tui_attempts_free(struct tui_attempt *attempts, size_t n);

/*
 * A server-computed answer cached in the settings table by sync_engine_fetch() under
 * tui_teach_key(): its body (caller frees with cJSON_Delete) and when it was fetched.
 * -LC_ENOTFOUND when nothing is cached for this user.
 */
int tui_teach_cache(struct tui_app *app, const char *key, cJSON **body, int64_t *fetched_at);
/* "teach:<course_id>:<what>" (what: "students", "analytics"). Caller frees. */
char *tui_teach_key(const char *course_id, const char *what);

#endif
