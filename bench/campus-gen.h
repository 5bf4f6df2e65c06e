/* SPDX-License-Identifier: MIT */
/* The generated campus of the sync benchmarks: see campus-gen.c. */
#ifndef BENCH_CAMPUS_GEN_H
#define BENCH_CAMPUS_GEN_H

#include <stdint.h>

#include "test-sync-lib.h"

#define CAMPUS_MODULES 3
#define CAMPUS_PAGES 6
#define CAMPUS_QUESTIONS 3
#define CAMPUS_TOPICS 4
#define CAMPUS_REPLIES 3

struct campus_course {
	char id[ST_ID_LEN + 1];
	char pages[CAMPUS_MODULES * CAMPUS_PAGES][ST_ID_LEN + 1];
	char topics[CAMPUS_TOPICS][ST_ID_LEN + 1];
	char replies[CAMPUS_TOPICS][CAMPUS_REPLIES]
	            [ST_ID_LEN + 1]; /* the instructor's, for the delta */
};

/* A Markdown page of about `paragraphs` paragraphs with headings, lists and code. Caller frees. */
char *campus_page_body(uint64_t *rng, int n, int paragraphs);
/*
 * Creates course number n (its title says which) as the instructor behind api: modules,
 * pages, quizzes, published, then its forum. Fills c with the ids. Returns 0 or -1.
 */
int campus_make_course(struct st_api *instructor, struct campus_course *c, int n, uint64_t *rng);

#endif
