/* SPDX-License-Identifier: MIT */
/*
 * What `lectern course push` sends (issue 12): the changes from one course tree (base, as
 * lectern/server holds it) to another (work, the person's files) turned into queued writes
 * through tui/write.h: creates, edits of only the fields that changed, deletes, moves.
 * Nothing here knows git or files; coursegit.h and coursefiles.h give the trees.
 */
#ifndef TUI_COURSEPUSH_H
#define TUI_COURSEPUSH_H

#include <cjson/cJSON.h>

#include "tui/write.h"

/*
 * The id a new module, item or question gets: derived from seed (the sha of the commit
 * being pushed) and its file, so that a push run again after a crash makes the same ids
 * and finds them already queued instead of creating twice.
 */
void tui_cp_derive_id(const char *seed, const char *what, char out[LC_UUID_LEN + 1]);

/*
 * Queues the writes that turn base into work (both course trees, borrowed; work's new
 * entities get their ids set). Run inside a replica transaction (store_db_begin) so that
 * all or none are queued. *writes counts the outbox entries queued. Returns 0, or the
 * first refusal of tui/write.h with *cause naming the file it came from.
 */
int tui_cp_queue(const struct tui_writer *w, const cJSON *base, cJSON *work, const char *seed,
                 int *writes, char **cause);

#endif
