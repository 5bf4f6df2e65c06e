/* SPDX-License-Identifier: MIT */
/*
 * Quiz grading (see grade.h). Every comparison is strict about types: a learner who
 * sends "1" to a single-choice question, or 1.5 as a choice index, is simply wrong,
 * never an error, because an attempt must always produce a score.
 */
#include "grade.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Choice indexes are small; anything else is no index at all. */
#define GRADE_MAX_CHOICES 1000

bool
srv_grade_kind_valid(const char *kind)
{
	static const char *const kinds[] = {"single", "multiple", "boolean", "short", "numeric"};

	if (kind == NULL)
		return false;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return true;
	return false;
}

/* Returns the integer a JSON number holds, or -1 when it is not a whole index. */
static int
index_of(const cJSON *v)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!isfinite(d) || d < 0 || d >= GRADE_MAX_CHOICES || d != floor(d))
		return -1;
	return (int)d;
}

/*
 * Fills seen[] (GRADE_MAX_CHOICES flags) with the indexes of array a. Returns the number
 * of distinct indexes, or -1 when a is not an array of indexes. *repeats counts duplicates.
 */
static int
index_set(const cJSON *a, bool *seen, int *repeats)
{
	const cJSON *el;
	int distinct = 0;

	*repeats = 0;
	if (!cJSON_IsArray(a))
		return -1;
	cJSON_ArrayForEach(el, a)
	{
		int idx = index_of(el);

		if (idx < 0)
			return -1;
		if (seen[idx])
			(*repeats)++;
		else
			distinct++;
		seen[idx] = true;
	}
	return distinct;
}

/* True when s holds at least one character that is not whitespace. */
static bool
not_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return true;
	return false;
}

/* Reads a number from a JSON number or a string holding only a number. */
static bool
number_of(const cJSON *v, double *out)
{
	char *end;

	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return isfinite(*out);
	}
	if (!cJSON_IsString(v) || !not_blank(v->valuestring))
		return false;
	errno = 0;
	*out = strtod(v->valuestring, &end);
	while (isspace((unsigned char)*end))
		end++;
	return errno == 0 && *end == '\0' && isfinite(*out);
}

bool
srv_grade_answer_valid(const char *kind, const cJSON *answer, int n_choices)
{
	double d;

	if (!srv_grade_kind_valid(kind) || answer == NULL)
		return false;
	if (strcmp(kind, "single") == 0) {
		int idx = index_of(answer);

		return idx >= 0 && idx < n_choices;
	}
	if (strcmp(kind, "multiple") == 0) {
		bool seen[GRADE_MAX_CHOICES] = {false};
		const cJSON *el;
		int repeats;
		int distinct = index_set(answer, seen, &repeats);

		if (distinct < 1 || repeats != 0)
			return false;
		cJSON_ArrayForEach(el, answer)
		{
			if (index_of(el) >= n_choices)
				return false;
		}
		return true;
	}
	if (strcmp(kind, "boolean") == 0)
		return cJSON_IsBool(answer);
	if (strcmp(kind, "short") == 0)
		return cJSON_IsString(answer) && not_blank(answer->valuestring);
	return cJSON_IsNumber(answer) && number_of(answer, &d);
}

/* Compares two strings ignoring ASCII case and all whitespace. */
static bool
short_equal(const char *a, const char *b)
{
	for (;;) {
		while (isspace((unsigned char)*a))
			a++;
		while (isspace((unsigned char)*b))
			b++;
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
}

static bool
multiple_correct(const cJSON *answer, const cJSON *value)
{
	bool want[GRADE_MAX_CHOICES] = {false};
	bool got[GRADE_MAX_CHOICES] = {false};
	int repeats;
	int n_want = index_set(answer, want, &repeats);
	int n_got = index_set(value, got, &repeats);

	if (n_want < 0 || n_got != n_want)
		return false;
	return memcmp(want, got, sizeof want) == 0;
}

bool
srv_grade_correct(const char *kind, const cJSON *answer, double tolerance, const cJSON *value)
{
	double want, got;

	if (kind == NULL || answer == NULL || value == NULL)
		return false;
	if (strcmp(kind, "single") == 0)
		return index_of(value) >= 0 && index_of(value) == index_of(answer);
	if (strcmp(kind, "multiple") == 0)
		return multiple_correct(answer, value);
	if (strcmp(kind, "boolean") == 0)
		return cJSON_IsBool(value) && cJSON_IsBool(answer) &&
		       cJSON_IsTrue(value) == cJSON_IsTrue(answer);
	if (strcmp(kind, "short") == 0)
		return cJSON_IsString(value) && cJSON_IsString(answer) &&
		       not_blank(value->valuestring) &&
		       short_equal(answer->valuestring, value->valuestring);
	if (strcmp(kind, "numeric") == 0) {
		if (!number_of(answer, &want) || !number_of(value, &got))
			return false;
		if (!(tolerance > 0))
			tolerance = 0;
		/* A relative hair of slack so 0.1 + 0.2 style decimals still match. */
		return fabs(got - want) <= tolerance + 1e-9 * fmax(1.0, fabs(want));
	}
	return false;
}
