/* SPDX-License-Identifier: MIT */
/*
 * Quiz grading: whether one submitted value answers one question, for the five question
 * kinds of the contract, and whether a question's stored answer fits its kind.
 *
 * - single: the answer is a choice index; the value must be that same integer.
 * - multiple: the answer is a set of choice indexes; the value must be an array holding
 *   exactly that set, in any order (a repeated index counts once).
 * - boolean: true or false.
 * - short: a string; compared ignoring ASCII case and every whitespace character, so
 *   " Rule of  Thirds" answers "rule of thirds".
 * - numeric: a number, correct within the question's tolerance (inclusive). A string
 *   holding nothing but a number is accepted too, since terminals send text.
 *
 * Pure functions over cJSON values: no database, no allocation kept.
 */
#ifndef SRV_GRADE_H
#define SRV_GRADE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/* True when kind is one of "single", "multiple", "boolean", "short", "numeric". */
bool srv_grade_kind_valid(const char *kind);

/*
 * True when answer is a valid stored answer for a question of this kind with n_choices
 * choices (single and multiple need indexes in range; multiple needs at least one, no
 * repeats; short needs a non-blank string; numeric a finite number).
 */
bool srv_grade_answer_valid(const char *kind, const cJSON *answer, int n_choices);

/*
 * True when value (what the learner sent; NULL when they skipped the question) is a
 * correct answer to a question of this kind whose stored answer is answer. tolerance is
 * only read for numeric questions (negative counts as 0).
 */
bool srv_grade_correct(const char *kind, const cJSON *answer, double tolerance, const cJSON *value);

#endif
