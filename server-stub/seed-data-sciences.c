/* SPDX-License-Identifier: MIT */
/*
 * Demo courses of the Mathematics and Life Skills department: statistics, personal
 * finance and first aid. Lessons are short but real Markdown.
 */
#include "seed-data.h"

#include <stddef.h>

#define CHOICES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- Statistics ---- */

static const struct srv_seed_question stat_quiz[] = {
    {"single", "Which summary is least affected by one huge outlier?",
     CHOICES("mean", "median", "range", "sum"), "1", 0, 0},
    {"multiple", "Which of these describe the *spread* of data?",
     CHOICES("standard deviation", "mode", "interquartile range", "mean"), "[0, 2]", 0, 0},
    {"boolean", "The mean of 1, 2 and 100 is a typical value of that data.", NULL, "false", 0, 0},
    {"short", "What is the middle value of sorted data called?", NULL, "\"median\"", 0, 0},
    {"numeric", "What is the mean of 2, 4, 4, 4, 5, 5, 7 and 9?", NULL, "5", 0.001, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_question stat_quiz2[] = {
    {"single", "A fair coin is tossed twice. What is the chance of two heads?",
     CHOICES("1/2", "1/3", "1/4", "1/8"), "2", 0, 0},
    {"numeric", "A die is rolled once. What is the probability of a 5 or a 6? (decimal)", NULL,
     "0.3333", 0.01, 0},
    {"boolean", "After five tails in a row, heads is more likely on the next toss.", NULL, "false",
     0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item stat_m1[] = {
    {"Centre: mean and median", "page",
     "# Centre: mean and median\n\n"
     "The **mean** adds the values and divides by how many there are. The **median** is "
     "the middle value once they are sorted (the mean of the two middle ones for an even "
     "count).\n\n"
     "- 3, 4, 5: mean 4, median 4\n"
     "- 3, 4, 50: mean 19, median 4\n\n"
     "One large value drags the mean far away, while the median does not move: it is "
     "**robust**. That is why incomes and house prices are usually reported as medians.\n\n"
     "> When mean and median differ a lot, the data is *skewed*. Look at it before "
     "choosing which to report.\n",
     NULL, 0, 0, false, NULL},
    {"Spread: variance and standard deviation", "page",
     "# Spread: variance and standard deviation\n\n"
     "Two classes can share a mean of 60% and be nothing alike: one all between 55 and "
     "65, the other from 10 to 100. **Spread** says how far values wander from the "
     "centre.\n\n"
     "The *variance* is the mean squared distance from the mean; the **standard "
     "deviation** is its square root, back in the data's own units. For 2, 4, 4, 4, 5, 5, "
     "7, 9 the mean is 5 and the standard deviation is 2.\n\n"
     "The *interquartile range* (the middle half of the data) is the robust alternative.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: describing data", "quiz", NULL, NULL, 0, 0, false, stat_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item stat_m2[] = {
    {"Probability in one page", "page",
     "# Probability in one page\n\n"
     "A probability is a number from 0 (never) to 1 (always). When outcomes are equally "
     "likely, it is *favourable outcomes / all outcomes*: a die shows 5 or 6 with "
     "probability 2/6 = 1/3.\n\n"
     "For **independent** events, multiply: two heads in two tosses is 1/2 × 1/2 = 1/4.\n\n"
     "Coins have no memory. The belief that a long run of tails makes heads \"due\" is the "
     "*gambler's fallacy*.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: chance", "quiz", NULL, NULL, 0, 0, false, stat_quiz2},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_reply stat_t1_replies[] = {
    {"hugo", "Dividing by *n − 1* (the sample standard deviation) corrects for estimating the mean "
             "from the same data. For a whole population, divide by *n*."},
    {"learner", "So spreadsheets use n − 1 by default? That explains my numbers."},
    {NULL, NULL},
};

static const struct srv_seed_topic stat_topics[] = {
    {"chen", "n or n - 1?",
     "My spreadsheet gives a slightly different standard deviation than the lesson. Why?",
     stat_t1_replies},
    {NULL, NULL, NULL, NULL},
};

static const struct srv_seed_module stat_modules[] = {
    {"Describing data", stat_m1},
    {"Chance", stat_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_statistics = {
    "STAT101",
    "Statistics you can use",
    "Averages, spread and probability, explained with small examples and no formulas you "
    "have to memorise.",
    CHOICES("statistics", "probability", "data", "maths"),
    "SCI",
    "hugo",
    "published",
    0.6,
    true,
    stat_modules,
    stat_topics,
};

/* ---- Personal finance ---- */

static const struct srv_seed_question fin_quiz[] = {
    {"single", "You save 100 a year at 5% compound interest. After one year you have:",
     CHOICES("100", "105", "110", "150"), "1", 0, 0},
    {"multiple", "Which belong in an emergency fund?",
     CHOICES("cash in a savings account", "shares of one company", "money you can reach in a day",
             "a car"),
     "[0, 2]", 0, 0},
    {"boolean", "Paying only the minimum on a credit card clears the debt quickly.", NULL, "false",
     0, 0},
    {"numeric", "About how many years does money take to double at 6% a year (rule of 72)?", NULL,
     "12", 0.5, 0},
    {"short", "What is the name for interest earned on interest?", NULL, "\"compound interest\"", 0,
     0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item fin_m1[] = {
    {"A budget that works", "page",
     "# A budget that works\n\n"
     "A budget is not a punishment, it is a plan for money you already have. A simple "
     "start is the **50/30/20** split of take-home pay:\n\n"
     "- **50%** needs: rent, food, transport, bills;\n"
     "- **30%** wants: eating out, hobbies, holidays;\n"
     "- **20%** savings and paying off debt.\n\n"
     "Track one month of spending before changing anything. Most people are surprised by "
     "the small, frequent items.\n\n"
     "## The emergency fund\n\n"
     "Keep three to six months of needs in **cash you can reach within a day**. It turns "
     "a broken boiler from a debt into an inconvenience.\n",
     NULL, 0, 0, false, NULL},
    {"Exercise: your 50/30/20", "assignment",
     "Write down last month's take-home pay and spending in the three groups. Which group "
     "is furthest from its share?",
     NULL, 0, 0, true, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item fin_m2[] = {
    {"Compound interest", "page",
     "# Compound interest\n\n"
     "With **compound interest** you earn interest on the interest. 1000 at 5% a year "
     "grows to 1050, then 1102.50, then 1157.63...\n\n"
     "The **rule of 72** estimates doubling time: divide 72 by the yearly rate. At 6%, "
     "money doubles in about 12 years; at 9%, about 8.\n\n"
     "It works against you too: a credit card at 24% doubles an unpaid balance in three "
     "years. Pay the most expensive debt first.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: money basics", "quiz", NULL, NULL, 0, 0, false, fin_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_module fin_modules[] = {
    {"Spending on purpose", fin_m1},
    {"Making money grow", fin_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_finance = {
    "FIN101",
    "Personal finance essentials",
    "Budgeting, emergency funds, debt and compound interest for everyday life.",
    CHOICES("money", "budget", "savings", "finance"),
    "SCI",
    "hugo",
    "published",
    0.5,
    false,
    fin_modules,
    NULL,
};

/* ---- First aid ---- */

static const struct srv_seed_question aid_quiz[] = {
    {"single", "What do you check first when you reach a casualty?",
     CHOICES("danger to yourself and others", "their pulse", "their name", "for broken bones"), "0",
     0, 0},
    {"multiple", "Which are signs that someone is not breathing normally?",
     CHOICES("talking", "no chest movement", "occasional gasps", "coughing"), "[1, 2]", 0, 0},
    {"boolean", "You should give CPR to someone who is breathing normally.", NULL, "false", 0, 0},
    {"short", "Which number reaches emergency services anywhere in the EU?", NULL, "\"112\"", 0, 0},
    {"numeric", "How many chest compressions come before two rescue breaths in adult CPR?", NULL,
     "30", 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item aid_m1[] = {
    {"Danger, response, airway", "page",
     "# Danger, response, airway\n\n"
     "When someone collapses, work through **DR ABC** in order:\n\n"
     "1. **Danger**: make sure you, bystanders and the casualty are safe. Traffic, fire "
     "and electricity come first.\n"
     "2. **Response**: speak loudly, tap the shoulders. No answer means *unresponsive*.\n"
     "3. **Airway**: tilt the head back, lift the chin.\n"
     "4. **Breathing**: look, listen and feel for up to 10 seconds.\n"
     "5. **Call**: `112` (Europe) or your local number; put the phone on speaker.\n\n"
     "> Occasional gasps are **not** normal breathing. Treat them as no breathing.\n",
     NULL, 0, 0, false, NULL},
    {"CPR step by step", "page",
     "# CPR step by step\n\n"
     "If the person is unresponsive and not breathing normally:\n\n"
     "- Kneel beside them, heel of one hand in the centre of the chest, the other on "
     "top.\n"
     "- Press down 5-6 cm, **30 times**, at 100-120 a minute.\n"
     "- Give **2 rescue breaths** if trained and willing; otherwise keep compressing.\n"
     "- Send someone for a defibrillator (AED) and follow its spoken instructions.\n\n"
     "Keep going until help takes over or the person starts breathing normally.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: the first minutes", "quiz", NULL, NULL, 0, 0, false, aid_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item aid_m2[] = {
    {"Bleeding and burns", "page",
     "# Bleeding and burns\n\n"
     "**Severe bleeding**: press firmly on the wound with a clean pad and keep pressing. "
     "Do not lift it to look.\n\n"
     "**Burns**: cool under cool running water for **20 minutes**, remove rings and "
     "watches, then cover loosely with cling film. No ice, no butter, no creams.\n",
     NULL, 0, 0, false, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_reply aid_t1_replies[] = {
    {"hugo", "Yes. Hands-only CPR is far better than nothing. Push hard and fast in the centre of "
             "the chest."},
    {NULL, NULL},
};

static const struct srv_seed_topic aid_topics[] = {
    {"amira", "CPR without rescue breaths?",
     "If I am not comfortable giving breaths to a stranger, is compression-only CPR still "
     "worth it?",
     aid_t1_replies},
    {NULL, NULL, NULL, NULL},
};

static const struct srv_seed_module aid_modules[] = {
    {"When someone collapses", aid_m1},
    {"Common injuries", aid_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_firstaid = {
    "AID101",
    "First aid: the first ten minutes",
    "What to do before the ambulance arrives: safety, CPR, bleeding and burns.",
    CHOICES("first aid", "cpr", "health", "safety"),
    "SCI",
    "hugo",
    "published",
    0.8,
    true,
    aid_modules,
    aid_topics,
};
