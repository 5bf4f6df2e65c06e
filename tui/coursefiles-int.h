/* SPDX-License-Identifier: MIT */
/* What the two halves of coursefiles (emitting, parsing) share. Not for other modules. */
#ifndef TUI_COURSEFILES_INT_H
#define TUI_COURSEFILES_INT_H

#include <stdbool.h>

#define TUI_CF_COURSE_FILE "course.md"
#define TUI_CF_MODULE_FILE "module.md"
#define TUI_CF_SLUG_MAX 48
#define TUI_CF_IDS_HEADER                                                                          \
	"# Kept by lectern: the server id of each course file (id path). Do not edit.\n"

/* How a front matter value is read: as written, as a text, as a list of texts. */
enum tui_cf_want { TUI_CF_ANY, TUI_CF_STR, TUI_CF_STRS };

struct tui_cf_key {
	const char *file; /* the key in the front matter */
	const char *api;  /* the field of the API */
	enum tui_cf_want want;
};

extern const struct tui_cf_key tui_cf_course_keys[];
extern const struct tui_cf_key tui_cf_module_keys[];
extern const struct tui_cf_key tui_cf_item_keys[];
extern const struct tui_cf_key tui_cf_question_keys[];

/* Whether a plain (unquoted) scalar s reads back as the text s (not null, a bool, a number). */
bool tui_cf_plain_is_string(const char *s);
/* The shortest decimal text of d that reads back as d. */
void tui_cf_number_text(double d, char out[32]);
/* A file name part for title: lower-case ASCII letters, digits, UTF-8 kept, '-' between. */
void tui_cf_slug(const char *title, const char *fallback, char out[TUI_CF_SLUG_MAX + 1]);

/*
 * Gives the entities of course (parsed from files) their ids: by path from .lectern, else
 * an id .lectern names for a path no longer there whose name without the number, title or
 * (with base) body matches: a rename or renumbering keeps the id. -LC_EINVAL with *cause for
 * a .lectern that is not "id path" lines.
 */
#include <cjson/cJSON.h>
struct tui_cf_files;
int tui_cf_assign_ids(const struct tui_cf_files *files, const cJSON *base, cJSON *course,
                      char **cause);

#endif
