/* SPDX-License-Identifier: MIT */
/*
 * Merging an edit that met a 409. The client holds three versions: base (the server doc
 * the edit was made on), mine (the edit's request body: only the fields the user changed)
 * and theirs (the server's current doc). A field changed on one side only takes that
 * side's value; a text field changed on both sides is merged line by line with libgit2's
 * git_merge_file; anything else changed on both sides to different values is a conflict.
 */
#ifndef SYNC_MERGE_H
#define SYNC_MERGE_H

/*
 * Three-way merge of texts. Returns 0 and *out (caller frees) when the changes do not
 * overlap, -LC_ECONFLICT when they do (*out NULL), or another negative lc_err.
 */
int sync_merge_text(const char *base, const char *mine, const char *theirs, char **out,
                    char **cause);

/*
 * Merges an edit. base_doc may be NULL (unknown ancestor: only fields already equal on
 * both sides merge). On success returns 0 with *merged_body (the request body to send
 * again with If-Match of theirs' rev) and *merged_doc (theirs with the merge applied, the
 * doc to show); caller frees both. Returns -LC_ECONFLICT with a message naming the fields
 * that collide, or -LC_EPROTO when a version is not a JSON object.
 */
int sync_merge_edit(const char *base_doc, const char *mine_body, const char *theirs_doc,
                    char **merged_body, char **merged_doc, char **cause);

/*
 * Like sync_merge_text(), but an overlapping change still yields *out: the merged text
 * with conflict markers ("<<<<<<< yours", "=======", ">>>>>>> server's") around each
 * overlap, for a person to edit. Returns 0 (clean, no markers) or -LC_ECONFLICT (markers
 * present); *out is set in both cases (caller frees).
 */
int sync_merge_text_marked(const char *base, const char *mine, const char *theirs, char **out,
                           char **cause);

/*
 * The text field of a conflicting edit a person can merge: the first field of mine_body
 * that is text on all three sides and whose changes overlap. *field and *marked (the
 * marked three-way merge, see sync_merge_text_marked()) are set; caller frees both.
 * -LC_ENOTFOUND when no such field exists (e.g. a number changed on both sides).
 */
int sync_merge_marked_field(const char *base_doc, const char *mine_body, const char *theirs_doc,
                            char **field, char **marked, char **cause);

/*
 * The request body that resolves a conflict with the person's text for field: the other
 * fields merge as sync_merge_edit() merges them, field takes text as it is. Returns 0 with
 * *body (send with If-Match of theirs' rev), -LC_EINVAL when text still holds conflict
 * markers, -LC_ECONFLICT when another field still collides (cause names it).
 */
int sync_merge_resolve(const char *base_doc, const char *mine_body, const char *theirs_doc,
                       const char *field, const char *text, char **body, char **cause);

/*
 * What each side changed, for a person: for every field of mine_body (but "id" and "rev"),
 * a block named for a person ("Text" for body, "Due date" for due_at) then "Your change:" and "The
 * server's change:" each as a line diff against base ("-" removed, "+" added, " " kept, "@@"
 * between hunks), or "(unchanged)". base_doc or theirs_doc may be NULL (a refused write: only mine
 * is shown). Caller frees.
 */
char *sync_merge_describe(const char *base_doc, const char *mine_body, const char *theirs_doc);

/* A unified line diff of two texts with 2 lines of context, no file header. Caller frees. */
char *sync_merge_diff(const char *old_text, const char *new_text);

#endif
