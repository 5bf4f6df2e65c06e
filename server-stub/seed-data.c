/* SPDX-License-Identifier: MIT */
/*
 * The people and places of the demo: departments, users, who is enrolled where and how
 * far they got. The courses themselves live in seed-data-*.c, one family per file.
 */
#include "seed-data.h"

#include <stddef.h>

const struct srv_seed_department srv_seed_departments[] = {
    {"COMP", "Computing", NULL},
    {"SCI", "Mathematics and Life Skills", NULL},
    {"ARTS", "Arts and Languages", NULL},
    {NULL, NULL, NULL},
};

const struct srv_seed_user srv_seed_users[] = {
    {"admin", "Ada", "Okafor", "admin",
     "Runs this Lectern server. Ask me about accounts and departments.", NULL, NULL},
    {"instructor", "Ines", "Marchetti", "instructor",
     "Systems programmer turned teacher. I write the Computing courses.", "COMP",
     "instructor,content-admin"},
    {"hugo", "Hugo", "Lindqvist", "instructor", "Statistician and volunteer first-aid trainer.",
     "SCI", "instructor,department-admin"},
    {"sophie", "Sophie", "Durand", "instructor",
     "Musician, photographer and French teacher from Lyon.", "ARTS", "instructor"},
    {"learner", "Lena", "Park", "learner", "Learning to program on the train to work.", NULL, NULL},
    {"amira", "Amira", "Haddad", "learner", "Nurse, amateur photographer.", NULL, NULL},
    {"bjorn", "Bjorn", "Eriksen", "learner", "Bass player. Trying to read music at last.", NULL,
     NULL},
    {"chen", "Chen", "Wei", "learner", "Data analyst brushing up on the basics.", NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

const struct srv_seed_course *const srv_seed_courses[] = {
    &srv_seed_course_shell,
    &srv_seed_course_pointers,
    &srv_seed_course_sql,
    &srv_seed_course_statistics,
    &srv_seed_course_finance,
    &srv_seed_course_firstaid,
    &srv_seed_course_french,
    &srv_seed_course_music,
    &srv_seed_course_photo,
    &srv_seed_course_networking,
    &srv_seed_course_watercolour,
    &srv_seed_course_perl,
    NULL,
};

const struct srv_seed_enrollment srv_seed_enrollments[] = {
    {"learner", "UNIX101", 3}, {"learner", "C201", 1},   {"learner", "FR101", 0},
    {"learner", "STAT101", 2}, {"amira", "PHOTO101", 3}, {"amira", "AID101", 2},
    {"amira", "FR101", 1},     {"bjorn", "MUS101", 2},   {"bjorn", "UNIX101", 1},
    {"chen", "SQL101", 3},     {"chen", "STAT101", 3},   {"chen", "FIN101", 1},
    {NULL, NULL, 0},
};

const struct srv_seed_attempt srv_seed_attempts[] = {
    {"learner", "UNIX101", "Quiz: finding your way", "[1, [0, 2], true, \"pwd\", 3]"},
    {"chen", "SQL101", "Quiz: querying", "[2, [0, 1, 3], false, \"count\", 4]"},
    {"chen", "STAT101", "Quiz: describing data", "[1, [0, 2], false, \"median\", 5]"},
    {"bjorn", "MUS101", "Quiz: notes and intervals", "[2, [0, 3], true, \"octave\", 5]"},
    {"amira", "AID101", "Quiz: the first minutes", "[0, [1, 2], false, \"112\", 30]"},
    {NULL, NULL, NULL, NULL},
};
