/* SPDX-License-Identifier: MIT */
/*
 * The demo content `lecternd --seed-demo` loads: departments, users, courses with their
 * modules, Markdown lessons, quizzes and forum threads, and a learner's enrollments and
 * progress. It is pure data (structs of strings) so that seed.c can feed every piece
 * through the server's own request dispatch, exactly as a client would create it.
 *
 * Rows refer to each other by natural keys, never by id: a department by its code, a user
 * by username, a course by its code, an item by its title within the course. Every array
 * ends with a zeroed sentinel (NULL first field).
 */
#ifndef SRV_SEED_DATA_H
#define SRV_SEED_DATA_H

#include <stdbool.h>

/* The password of every demo user. */
#define SRV_SEED_PASSWORD "lectern-demo"

struct srv_seed_department {
	const char *code; /* NULL ends the table */
	const char *name;
	const char *parent_code; /* NULL for a top-level department */
};

struct srv_seed_user {
	const char *username; /* NULL ends the table */
	const char *first_name;
	const char *last_name;
	const char *role; /* "learner", "instructor" or "admin" */
	const char *bio;
	const char *department_code;  /* NULL: no membership */
	const char *department_roles; /* comma-separated, e.g. "instructor,content-admin" */
};

struct srv_seed_question {
	const char
	    *kind; /* NULL ends the list; "single", "multiple", "boolean", "short", "numeric" */
	const char *prompt;
	const char *const *choices; /* NULL-terminated; NULL for boolean, short, numeric */
	const char *answer;         /* the answer as JSON text: 2, [0,2], true, "grep", 3.5 */
	double tolerance;           /* numeric only */
	int points;                 /* 0 means the default (1) */
};

struct srv_seed_item {
	const char *title;                         /* NULL ends the list */
	const char *kind;                          /* "page", "link", "quiz", "assignment" */
	const char *body;                          /* Markdown, or NULL */
	const char *url;                           /* link items */
	int points;                                /* 0: not sent */
	int max_attempts;                          /* 0: unlimited */
	bool optional;                             /* true sends required:false */
	const struct srv_seed_question *questions; /* quiz items */
};

struct srv_seed_module {
	const char *title; /* NULL ends the list */
	const struct srv_seed_item *items;
};

struct srv_seed_reply {
	const char *author; /* NULL ends the list */
	const char *body;
};

struct srv_seed_topic {
	const char *author; /* NULL ends the list */
	const char *title;
	const char *body;
	const struct srv_seed_reply *replies;
};

struct srv_seed_course {
	const char *code; /* NULL ends the table */
	const char *title;
	const char *description;
	const char *const *keywords; /* NULL-terminated */
	const char *department_code;
	const char *owner;  /* username of the creating instructor */
	const char *status; /* final status: "draft", "published" or "archived" */
	double pass_score;  /* 0 means the default */
	bool certification;
	const struct srv_seed_module *modules;
	const struct srv_seed_topic *topics;
};

/*
 * A learner's place in a course: enrolled, with the first `completed` items of the course
 * (in outline order, quizzes skipped: they are passed through `attempts`) completed and
 * the next one started.
 */
struct srv_seed_enrollment {
	const char *username; /* NULL ends the table */
	const char *course_code;
	int completed;
};

/* A quiz attempt: answers as a JSON array, one value per question in order. */
struct srv_seed_attempt {
	const char *username; /* NULL ends the table */
	const char *course_code;
	const char *item_title;
	const char *answers;
};

extern const struct srv_seed_department srv_seed_departments[];
extern const struct srv_seed_user srv_seed_users[];
extern const struct srv_seed_enrollment srv_seed_enrollments[];
extern const struct srv_seed_attempt srv_seed_attempts[];
/* Every course, in the order the catalog should first show them; NULL-terminated. */
extern const struct srv_seed_course *const srv_seed_courses[];

/* The courses, defined one family per file (seed-data-*.c). */
extern const struct srv_seed_course srv_seed_course_shell;
extern const struct srv_seed_course srv_seed_course_pointers;
extern const struct srv_seed_course srv_seed_course_sql;
extern const struct srv_seed_course srv_seed_course_networking;
extern const struct srv_seed_course srv_seed_course_perl;
extern const struct srv_seed_course srv_seed_course_statistics;
extern const struct srv_seed_course srv_seed_course_finance;
extern const struct srv_seed_course srv_seed_course_firstaid;
extern const struct srv_seed_course srv_seed_course_french;
extern const struct srv_seed_course srv_seed_course_music;
extern const struct srv_seed_course srv_seed_course_photo;
extern const struct srv_seed_course srv_seed_course_watercolour;

#endif
