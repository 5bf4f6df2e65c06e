/* SPDX-License-Identifier: MIT */
/*
 * Demo courses of the Arts and Languages department: French, music theory, photography
 * and a draft on watercolour. Lessons are short but real Markdown.
 */
#include "seed-data.h"

#include <stddef.h>

#define CHOICES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- French ---- */

static const struct srv_seed_question fr_quiz[] = {
    {"single", "How do you say *good evening*?",
     CHOICES("Bonjour", "Bonsoir", "Bonne nuit", "Salut"), "1", 0, 0},
    {"multiple", "Which greetings are informal?",
     CHOICES("Salut", "Enchanté, madame", "Coucou", "Bonjour, monsieur"), "[0, 2]", 0, 0},
    {"boolean", "*Vous* can address one person politely.", NULL, "true", 0, 0},
    {"short", "Complete: *Je ___ Lena.* (I am called Lena)", NULL, "\"m'appelle\"", 0, 0},
    {"numeric", "*Soixante-dix* is which number?", NULL, "70", 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item fr_m1[] = {
    {"Greetings", "page",
     "# Greetings\n\n"
     "- *Bonjour*: hello, good morning; all day, to anyone\n"
     "- *Bonsoir*: good evening; from late afternoon\n"
     "- *Salut*: hi / bye; friends only\n"
     "- *Au revoir*: goodbye; to anyone\n\n"
     "In a shop, always start with *Bonjour, madame* or *Bonjour, monsieur*. Skipping it "
     "sounds rude, whatever you ask next.\n\n"
     "## Tu or vous?\n\n"
     "**Tu** is for friends, family, children and animals. **Vous** is for strangers, "
     "elders and colleagues you do not know well, and for *any* group. When in doubt, say "
     "*vous* and wait to be invited to say *tu*.\n",
     NULL, 0, 0, false, NULL},
    {"Introducing yourself", "page",
     "# Introducing yourself\n\n"
     "> — Bonjour ! Je m'appelle Lena. Et vous ?\n"
     "> — Enchanté, Lena. Moi, c'est Marc.\n\n"
     "- *Je m'appelle...*: my name is...\n"
     "- *J'habite à...*: I live in...\n"
     "- *Je suis étudiante / étudiant*: I am a student (f / m).\n\n"
     "Numbers from 70 are built from smaller ones: *soixante-dix* is \"sixty-ten\" (70), "
     "*quatre-vingts* is \"four twenties\" (80).\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: premiers mots", "quiz", NULL, NULL, 0, 0, false, fr_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item fr_m2[] = {
    {"At the café", "page",
     "# At the café\n\n"
     "- *Un café, s'il vous plaît.*: an espresso, please.\n"
     "- *Un crème*: coffee with milk.\n"
     "- *L'addition, s'il vous plaît.*: the bill, please.\n\n"
     "The waiter will not bring the bill until you ask: lingering is normal, not slow "
     "service.\n",
     NULL, 0, 0, false, NULL},
    {"Exercise: record yourself", "assignment",
     "Record a 30-second introduction: your name, where you live and what you like to "
     "drink at a café. Describe any sound you found hard.",
     NULL, 5, 0, false, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_reply fr_t1_replies[] = {
    {"sophie",
     "*Enchanté* (written *enchantée* by a woman) sounds the same. It is a little formal; "
     "among young people *salut* is enough."},
    {"amira", "Merci !"},
    {NULL, NULL},
};

static const struct srv_seed_topic fr_topics[] = {
    {"amira", "Enchanté or enchantée?", "Does the spelling change the pronunciation?",
     fr_t1_replies},
    {NULL, NULL, NULL, NULL},
};

static const struct srv_seed_module fr_modules[] = {
    {"Premiers mots", fr_m1},
    {"Out and about", fr_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_french = {
    "FR101",
    "French for beginners",
    "Greet people, introduce yourself and order a coffee with confidence.",
    CHOICES("french", "language", "beginner"),
    "ARTS",
    "sophie",
    "published",
    0.6,
    false,
    fr_modules,
    fr_topics,
};

/* ---- Music theory ---- */

static const struct srv_seed_question mus_quiz[] = {
    {"single", "How many semitones are in a perfect fifth?", CHOICES("3", "4", "7", "12"), "2", 0,
     0},
    {"multiple", "Which notes are in a C major chord?", CHOICES("C", "D", "F", "E", "G"),
     "[0, 3, 4]", 0, 0},
    {"boolean", "Between E and F there is only a semitone.", NULL, "true", 0, 0},
    {"short", "What is the interval of twelve semitones called?", NULL, "\"octave\"", 0, 0},
    {"numeric", "How many beats does a dotted half note last in 4/4?", NULL, "3", 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item mus_m1[] = {
    {"Notes and the keyboard", "page",
     "# Notes and the keyboard\n\n"
     "Western music names seven notes, **A B C D E F G**, then starts again one "
     "*octave* higher. On a piano, the white keys play them; the black keys lie between.\n\n"
     "The smallest step is the **semitone**: one key to the next, black or white. Two "
     "semitones make a **tone**. E-F and B-C have no black key between them: they are "
     "only a semitone apart.\n\n"
     "```\n C   D   E F   G   A   B C\n |#| |#| | |#| |#| |#| |\n```\n\n"
     "Twelve semitones make an octave: the same note name, twice the frequency.\n",
     NULL, 0, 0, false, NULL},
    {"Intervals and chords", "page",
     "# Intervals and chords\n\n"
     "An **interval** is the distance between two notes, counted in semitones:\n\n"
     "- 3 semitones: minor third (A-C)\n- 4 semitones: major third (C-E)\n"
     "- 7 semitones: perfect fifth (C-G)\n- 12 semitones: octave (C-C)\n\n"
     "Stack a major third and a minor third and you get a **major chord**: C-E-G is C "
     "major. Swap them (minor third first) for a **minor chord**: A-C-E is A minor.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: notes and intervals", "quiz", NULL, NULL, 0, 0, false, mus_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item mus_m2[] = {
    {"Rhythm and time signatures", "page",
     "# Rhythm and time signatures\n\n"
     "In **4/4** a bar holds four quarter-note beats. A half note lasts two beats, a whole "
     "note four. A **dot** adds half the value: a dotted half note lasts three.\n\n"
     "Count aloud while you clap: *one-and-two-and-three-and-four-and*.\n",
     NULL, 0, 0, false, NULL},
    {"musictheory.net lessons", "link", "Interactive exercises for ear and eye.",
     "https://www.musictheory.net/lessons", 0, 0, true, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_reply mus_t1_replies[] = {
    {"sophie",
     "Both are right: C♯ and D♭ are the same key on a piano (*enharmonic*). Which name you "
     "write depends on the key the piece is in."},
    {NULL, NULL},
};

static const struct srv_seed_topic mus_topics[] = {
    {"bjorn", "C sharp or D flat?", "My bass tab says C♯ and the sheet says D♭. Which is it?",
     mus_t1_replies},
    {NULL, NULL, NULL, NULL},
};

static const struct srv_seed_module mus_modules[] = {
    {"Pitch", mus_m1},
    {"Time", mus_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_music = {
    "MUS101",
    "Music theory fundamentals",
    "Notes, intervals, chords and rhythm: read music and understand what you play.",
    CHOICES("music", "theory", "chords", "rhythm"),
    "ARTS",
    "sophie",
    "published",
    0.6,
    false,
    mus_modules,
    mus_topics,
};

/* ---- Photography ---- */

static const struct srv_seed_question photo_quiz[] = {
    {"single", "Which setting controls how much of the scene is in focus?",
     CHOICES("shutter speed", "aperture", "ISO", "white balance"), "1", 0, 0},
    {"multiple", "Which changes make a photo brighter?",
     CHOICES("slower shutter", "smaller aperture (higher f-number)", "higher ISO",
             "faster shutter"),
     "[0, 2]", 0, 0},
    {"boolean", "f/2.8 is a wider aperture than f/11.", NULL, "true", 0, 0},
    {"short", "What is the grid rule for placing subjects off-centre called?", NULL,
     "\"rule of thirds\"", 0, 0},
    {"numeric", "Going from 1/250 s to 1/125 s lets in how many times more light?", NULL, "2", 0,
     0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item photo_m1[] = {
    {"The exposure triangle", "page",
     "# The exposure triangle\n\n"
     "Three settings decide how bright a photo is, and each has a side effect:\n\n"
     "- **Shutter speed**: how long the sensor sees light. Slow (1/30 s) blurs motion; "
     "fast (1/1000 s) freezes it.\n"
     "- **Aperture** (f-number): how wide the lens opens. Wide (f/2) blurs the "
     "background; narrow (f/11) keeps everything sharp.\n"
     "- **ISO**: how much the signal is amplified. High ISO adds grain.\n\n"
     "Each full *stop* doubles or halves the light: 1/125 s lets in twice as much as "
     "1/250 s.\n",
     NULL, 0, 0, false, NULL},
    {"Composition", "page",
     "# Composition\n\n"
     "Imagine the frame cut into thirds each way. Placing the subject on a line or an "
     "intersection, the **rule of thirds**, usually feels more alive than the centre.\n\n"
     "1. Fill the frame: step closer.\n"
     "2. Check the edges for stray objects.\n"
     "3. Look for lines that lead the eye to the subject.\n\n"
     "> Rules are a starting point. A centred, symmetrical subject can be striking too.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: exposure", "quiz", NULL, NULL, 0, 0, false, photo_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item photo_m2[] = {
    {"Light", "page",
     "# Light\n\n"
     "The hour after sunrise and before sunset, the *golden hour*, gives soft, warm, "
     "low light. Midday sun is harsh: find open shade for portraits.\n",
     NULL, 0, 0, false, NULL},
    {"Assignment: three photos of one object", "assignment",
     "Photograph one everyday object three times: in window light, in shade and at "
     "night. Describe how the mood changes.",
     NULL, 10, 0, false, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_reply photo_t1_replies[] = {
    {"sophie", "Your shutter was too slow for handheld. Try at least 1/(focal length): 1/50 s at "
               "50 mm, and raise the ISO if needed."},
    {"amira", "1/60 with ISO 1600 worked. A bit grainy but sharp!"},
    {NULL, NULL},
};

static const struct srv_seed_topic photo_topics[] = {
    {"amira", "Blurry photos indoors",
     "Indoors all my photos come out blurry even though the focus looked right.", photo_t1_replies},
    {NULL, NULL, NULL, NULL},
};

static const struct srv_seed_module photo_modules[] = {
    {"Taking control", photo_m1},
    {"Seeing light", photo_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_photo = {
    "PHOTO101",
    "Photography: beyond auto mode",
    "Shutter, aperture, ISO, composition and light, with assignments you can do with any "
    "camera.",
    CHOICES("photography", "camera", "art"),
    "ARTS",
    "sophie",
    "published",
    0.6,
    false,
    photo_modules,
    photo_topics,
};

/* ---- Watercolour (draft) ---- */

static const struct srv_seed_item wc_m1[] = {
    {"Materials", "page",
     "# Materials\n\n"
     "- Paper: 300 g/m², cold-pressed, 100% cotton if you can.\n"
     "- Three tubes are enough to start: a warm yellow, a cool red, a blue.\n"
     "- One round brush, size 8 or 10.\n",
     NULL, 0, 0, false, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item wc_m2[] = {
    {"Washes", "page",
     "# Washes\n\n"
     "Tilt the board, load the brush and pull a bead of paint down the page, stroke "
     "after stroke, without going back.\n",
     NULL, 0, 0, false, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_module wc_modules[] = {
    {"Getting started", wc_m1},
    {"First techniques", wc_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_watercolour = {
    "ART110",
    "Watercolour for the impatient",
    "Materials and first washes. (Draft: more modules to come.)",
    CHOICES("painting", "watercolour", "art"),
    "ARTS",
    "sophie",
    "draft",
    0,
    false,
    wc_modules,
    NULL,
};
