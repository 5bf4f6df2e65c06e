/* SPDX-License-Identifier: MIT */
/*
 * A course as plain files (issue 12): the mapping between a course tree and the files of a
 * checkout, both ways, without curses, git or the network.
 *
 *     course.md                  front matter: title, code, department, keywords,
 *                                certification, pass_score; body: the description
 *     01-pointers/module.md      front matter: title (no body)
 *     01-pointers/01-intro.md    front matter: kind, title, required, points, due, url,
 *                                max_attempts, questions (a quiz); body: the item's body
 *     .lectern                   which server id each file is (kept by lectern)
 *
 * The front matter is YAML between two "---" lines, read and written with libyaml. Order
 * comes from the numeric prefixes; the names are NN-slug(title). Ids are not in the files a
 * person writes but in .lectern, keyed by path, so that a file renamed or renumbered keeps
 * its id when its name without the prefix, its title or its body still matches.
 *
 * The one idea: a course is a cJSON tree in the outline's shape (API.md GET
 * /courses/{id}/outline): the course doc with "modules": [module docs with "items": [item
 * docs with "questions": [question docs]]], children in order. tui_cf_emit() reads only the
 * fields it maps and ignores the rest (rev, position, timestamps); tui_cf_parse() gives
 * docs holding exactly the mapped fields, "id" where .lectern knows it, and "_file", the
 * path the entity came from.
 */
#ifndef TUI_COURSEFILES_H
#define TUI_COURSEFILES_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "store/db.h"

/* The name of the managed id file at the top of a checkout. */
#define TUI_CF_IDS ".lectern"

/* One file of a checkout: a path relative to its top ("01-a/02-b.md") and its bytes. */
struct tui_cf_file {
	char *path;
	char *data; /* NUL-terminated too, for convenience; len excludes it */
	size_t len;
};

/* A checkout's files, sorted by path (strcmp). */
struct tui_cf_files {
	struct tui_cf_file *v;
	size_t n;
};

/* Frees the files and resets the list. Accepts NULL. */
void tui_cf_files_free(struct tui_cf_files *files);
/* Adds a copy of path and of len bytes of data (kept sorted). */
void tui_cf_files_add(struct tui_cf_files *files, const char *path, const char *data, size_t len);
/* The file at path, or NULL. */
const struct tui_cf_file *tui_cf_files_find(const struct tui_cf_files *files, const char *path);

/*
 * Writes course (borrowed, in the outline's shape, with ids) as files into *out (caller
 * frees with tui_cf_files_free()), .lectern included. Deterministic: the same tree gives
 * the same bytes. Returns 0, or -LC_EINVAL with *cause when the tree lacks a course id or
 * an entity its id.
 */
int tui_cf_emit(const cJSON *course, struct tui_cf_files *out, char **cause);

/*
 * tui_cf_emit(), keeping the names (after the number) that like's .lectern gave each id:
 * a title changed on the server does not rename its file. like may be NULL.
 */
int tui_cf_emit_like(const cJSON *course, const struct tui_cf_files *like, struct tui_cf_files *out,
                     char **cause);

/*
 * Reads the files of a checkout into a course tree (*out, caller frees with cJSON_Delete)
 * holding the mapped fields under their API names (due_at, department_id), "id" where
 * .lectern (or the renaming rules with base) names one, and "_file". base (may be NULL) is
 * the tree the files were checked out as: with it, a renamed file whose title or body is
 * unchanged keeps its id. Returns 0, or -LC_EINVAL with *cause naming the file and line of
 * the first problem (bad YAML, an unknown key, no front matter, a missing course.md).
 */
int tui_cf_parse(const struct tui_cf_files *files, const cJSON *base, cJSON **out, char **cause);

/*
 * The course course_id as the replica shows it (overlays included), in the outline's
 * shape: modules, items and questions in position order. -LC_ENOTFOUND with *cause when
 * the replica does not hold the course.
 */
int tui_cf_from_replica(struct store_db *db, const char *course_id, cJSON **out, char **cause);

/*
 * The fields the files map for type ("course", "module", "item", "question") out of doc,
 * under their API names, as a new object (caller frees): what two versions are compared on.
 */
cJSON *tui_cf_mapped(const char *type, const cJSON *doc);

/*
 * Reads every regular file under dir, except .git, into *out (caller frees). -LC_EIO with
 * *cause naming the file on a read error.
 */
int tui_cf_read_dir(const char *dir, struct tui_cf_files *out, char **cause);

#endif
