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

#endif
