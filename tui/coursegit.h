/* SPDX-License-Identifier: MIT */
/*
 * A course checkout as a git repository (issue 12), made and read with libgit2: no git
 * binary. The replica's version of the course is committed on the branch lectern/server
 * (TUI_CG_SERVER_REF); the instructor works on the checked-out branch (main). Nothing here
 * prints or draws; refusals come back as -LC_E* with *cause, a sentence for a person.
 *
 * The one idea: lectern/server always holds what the replica held at the last checkout,
 * pull or push, so "what push sends" is the diff from its tip to the working tree, and a
 * pull is an ordinary git merge of its new tip.
 */
#ifndef TUI_COURSEGIT_H
#define TUI_COURSEGIT_H

#include <stdbool.h>

#include "store/db.h"
#include "tui/coursefiles.h"

#define TUI_CG_SERVER_REF "refs/heads/lectern/server"
#define TUI_CG_WORK_BRANCH "main"

/* The 40 hex digits of a commit, and a NUL. */
typedef char tui_cg_sha[41];

/*
 * Makes dir (absent or empty) a git repository holding course_id as the replica shows it:
 * committed on lectern/server and on main, checked out. author names the commits of the
 * person (the replica's username). -LC_EINVAL with *cause when dir is not empty.
 */
int tui_cg_checkout(struct store_db *db, const char *course_id, const char *dir, const char *author,
                    char **cause);

/* The files of lectern/server's tip into *out (caller frees), and its sha (may be NULL). */
int tui_cg_server_files(const char *dir, struct tui_cf_files *out, tui_cg_sha sha, char **cause);

/*
 * The course id of the checkout at dir (from lectern/server's .lectern) into id (37 bytes).
 * -LC_EINVAL with *cause when dir is not a course checkout.
 */
int tui_cg_course_id(const char *dir, char id[37], char **cause);

/*
 * Commits the working tree (every change, new files and deletions too) on the working
 * branch when it differs from HEAD; *made says whether a commit was made; head receives
 * HEAD's sha afterwards. A merge a pull left open (MERGE_HEAD) is concluded by this
 * commit. -LC_ECONFLICT with *cause naming the files while conflict markers remain.
 */
int tui_cg_commit_work(const char *dir, const char *author, const char *message, bool *made,
                       tui_cg_sha head, char **cause);

/*
 * The files (course files only, from `git status` and conflict markers) that differ:
 * *changed lists paths changed in the working tree or in commits not yet pushed (against
 * lectern/server), *conflicts the files holding conflict markers. Each a cJSON array of
 * strings; caller frees both.
 */
int tui_cg_changes(const char *dir, cJSON **changed, cJSON **conflicts, char **cause);

/*
 * Prints through fn, line by line, a unified diff from lectern/server's tip to the working
 * tree (new files included) of the course's files: what push would send.
 */
typedef void (*tui_cg_line_fn)(char origin, const char *line, size_t len, void *ctx);
int tui_cg_diff(const char *dir, tui_cg_line_fn fn, void *ctx, char **cause);

/*
 * Commits files on lectern/server (parents: its tip, and extra_parent when not NULL),
 * unless the tree is already its tip's and extra_parent is NULL (*made false).
 */
int tui_cg_commit_server(const char *dir, const struct tui_cf_files *files, const char *message,
                         const char *extra_parent, bool *made, tui_cg_sha sha, char **cause);

/*
 * Merges lectern/server into the working branch: a fast-forward when the branch has no
 * commit of its own, else libgit2's merge; clean merges are committed, conflicts leave
 * standard markers in the files and the merge open (*conflicts true) for the person to
 * finish; `course push` then commits it. The working tree must be committed first.
 */
int tui_cg_merge_server(const char *dir, const char *author, bool *conflicts, char **cause);

/* The files the mapping does not read (README.md, pictures) of the working tree. */
void tui_cg_extras(const struct tui_cf_files *work, struct tui_cf_files *out);

#endif
