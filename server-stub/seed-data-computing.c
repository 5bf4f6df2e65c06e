/* SPDX-License-Identifier: MIT */
/*
 * Demo courses of the Computing department: the Unix shell, C pointers, SQL, a draft on
 * networking and an archived course on Perl CGI. Lessons are short but real Markdown.
 */
#include "seed-data.h"

#include <stddef.h>

#define CHOICES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- Unix shell basics ---- */

static const struct srv_seed_question shell_quiz[] = {
    {"single", "Which command prints the directory you are in?",
     CHOICES("cd", "pwd", "ls", "whoami"), "1", 0, 0},
    {"multiple", "Which of these are relative paths?",
     CHOICES("docs/notes.txt", "/etc/hosts", "../src", "~/music"), "[0, 2]", 0, 0},
    {"boolean", "`ls -a` also lists files whose names start with a dot.", NULL, "true", 0, 0},
    {"short", "Type the command that prints the working directory.", NULL, "\"pwd\"", 0, 0},
    {"numeric", "How many entries does `ls -a` print in an empty directory?", NULL, "2", 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_question shell_quiz2[] = {
    {"single", "Which operator sends the output of one command into another?",
     CHOICES(">", "|", "&", ";"), "1", 0, 0},
    {"boolean", "`>` appends to a file without erasing it.", NULL, "false", 0, 0},
    {"short", "Which command counts lines when given `-l`?", NULL, "\"wc\"", 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item shell_m1[] = {
    {"Welcome to the shell", "page",
     "# Welcome to the shell\n\n"
     "A **shell** is a program that reads the commands you type and runs them. On most Unix "
     "systems it is `bash` or `zsh`; the ideas in this course work in both.\n\n"
     "When the shell is ready it prints a *prompt*, often ending in `$`:\n\n"
     "```\nlena@laptop:~$ echo hello\nhello\n```\n\n"
     "Every command has the same shape: a **name**, then **options** that change how it "
     "behaves (they usually start with `-`), then **arguments** it works on.\n\n"
     "```\nls -l /etc\n```\n\n"
     "Here `ls` is the name, `-l` asks for the long format, and `/etc` is the directory to "
     "list.\n\n"
     "## Getting help\n\n"
     "- `man ls` opens the manual page of `ls` (press `q` to leave).\n"
     "- Many commands accept `--help` for a short summary.\n"
     "- `Ctrl-C` stops a command that runs too long.\n\n"
     "> The shell never asks \"are you sure?\". Read a command before pressing Enter.\n",
     NULL, 0, 0, false, NULL},
    {"Finding your way around", "page",
     "# Finding your way around\n\n"
     "Files live in a tree of **directories**. The top is `/`, the *root*. You are always "
     "*in* one directory, the **working directory**.\n\n"
     "- `pwd` prints the working directory\n"
     "- `ls` lists what is in it\n"
     "- `cd DIR` moves into `DIR`\n"
     "- `cd ..` moves up one level\n"
     "- `cd` goes back to your home directory\n\n"
     "## Absolute and relative paths\n\n"
     "A path that starts with `/` is **absolute**: it says where a file is from the root, "
     "whatever your working directory. Any other path is **relative** to where you are:\n\n"
     "```\n$ pwd\n/home/lena\n$ ls docs/notes.txt        # means /home/lena/docs/notes.txt\n"
     "$ ls ../sam               # means /home/sam\n```\n\n"
     "`.` is the current directory and `..` its parent. `~` is a shortcut the shell expands "
     "to your home directory before the command runs.\n\n"
     "Files whose names start with a dot are *hidden*: `ls` skips them, `ls -a` shows them, "
     "along with `.` and `..` themselves.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: finding your way", "quiz", "Five questions on paths and listing. Pass mark 60%.", NULL,
     10, 3, false, shell_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item shell_m2[] = {
    {"Pipes and redirection", "page",
     "# Pipes and redirection\n\n"
     "Most commands read **standard input** and write **standard output**. The shell lets "
     "you rewire both without the commands knowing.\n\n"
     "- `cmd > file` writes the output to `file`, *replacing* what was there.\n"
     "- `cmd >> file` appends to `file`.\n"
     "- `cmd < file` reads input from `file`.\n"
     "- `cmd1 | cmd2` feeds the output of `cmd1` into `cmd2`.\n\n"
     "Small tools joined by pipes do big jobs. How many distinct shells do the accounts on "
     "this machine use?\n\n"
     "```\ncut -d: -f7 /etc/passwd | sort | uniq -c | sort -rn\n```\n\n"
     "Read it left to right: take the seventh field of each line, sort them, count equal "
     "neighbours, sort by count, largest first.\n\n"
     "## Errors go elsewhere\n\n"
     "Error messages go to **standard error**, which `>` does not capture. Use `2>` for it: "
     "`make 2> errors.txt`.\n",
     NULL, 0, 0, false, NULL},
    {"Exercise: your own pipeline", "assignment",
     "Write a pipeline that prints the five largest files in your home directory, one per "
     "line, with their sizes. Hint: `du`, `sort` and `head`. Paste the command and its "
     "output.",
     NULL, 10, 0, false, NULL},
    {"The GNU Bash manual", "link", "The complete reference, for when you want to go deeper.",
     "https://www.gnu.org/software/bash/manual/", 0, 0, true, NULL},
    {"Quiz: pipes", "quiz", NULL, NULL, 6, 0, false, shell_quiz2},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_reply shell_t1_replies[] = {
    {"instructor",
     "Good question! `ls -l` shows the **long** format: permissions, owner, size and date. "
     "Try `ls -lh` for sizes like `4.0K` instead of bytes."},
    {"bjorn", "Thanks, `-h` is exactly what I was missing."},
    {NULL, NULL},
};

static const struct srv_seed_reply shell_t2_replies[] = {
    {"learner", "Quote the name: `cd \"My Documents\"`, or escape the space: `cd My\\ Documents`."},
    {NULL, NULL},
};

static const struct srv_seed_topic shell_topics[] = {
    {"bjorn", "What do the columns of ls -l mean?",
     "I see `-rw-r--r-- 1 bjorn bjorn 220` and a date. Which part is the size?", shell_t1_replies},
    {"bjorn", "cd into a folder with a space",
     "`cd My Documents` says *too many arguments*. What am I doing wrong?", shell_t2_replies},
    {NULL, NULL, NULL, NULL},
};

static const struct srv_seed_module shell_modules[] = {
    {"First steps", shell_m1},
    {"Joining commands", shell_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_shell = {
    "UNIX101",
    "Unix shell basics",
    "Move around the file tree, run commands with confidence and join small tools into "
    "pipelines. No experience needed.",
    CHOICES("shell", "bash", "command line", "unix"),
    "COMP",
    "instructor",
    "published",
    0.6,
    true,
    shell_modules,
    shell_topics,
};

/* ---- C pointers ---- */

static const struct srv_seed_question ptr_quiz[] = {
    {"single", "Given `int x = 5; int *p = &x;`, what is `*p`?",
     CHOICES("the address of x", "5", "the address of p", "undefined"), "1", 0, 0},
    {"multiple", "Which expressions are equivalent to `a[2]` for an array `a`?",
     CHOICES("*(a + 2)", "&a[2]", "2[a]", "*a + 2"), "[0, 2]", 0, 0},
    {"boolean", "Dereferencing a NULL pointer is defined to return 0.", NULL, "false", 0, 0},
    {"short", "Which function releases memory obtained from `malloc`?", NULL, "\"free\"", 0, 0},
    {"numeric", "On a system with 4-byte `int`, how many bytes apart are `&a[0]` and `&a[3]`?",
     NULL, "12", 0, 2},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item ptr_m1[] = {
    {"What a pointer is", "page",
     "# What a pointer is\n\n"
     "A **pointer** is a variable that holds the *address* of another object. Two operators "
     "do all the work:\n\n"
     "- `&x` gives the address of `x`;\n"
     "- `*p` gives the object `p` points to.\n\n"
     "```c\nint x = 5;\nint *p = &x;   /* p holds the address of x */\n"
     "*p = 7;        /* writes through p: x is now 7 */\nprintf(\"%d\\n\", x);\n```\n\n"
     "The type matters: an `int *` points to an `int`, and the compiler uses that to know "
     "how many bytes to read and how far `p + 1` moves.\n\n"
     "## Why bother?\n\n"
     "C passes arguments **by value**: a function gets copies. To let a function change "
     "the caller's variable, pass its address:\n\n"
     "```c\nstatic void\nswap(int *a, int *b)\n{\n\tint t = *a;\n\t*a = *b;\n\t*b = t;\n}\n```\n\n"
     "> A pointer that points nowhere should be `NULL`, and must never be dereferenced.\n",
     NULL, 0, 0, false, NULL},
    {"Arrays and pointer arithmetic", "page",
     "# Arrays and pointer arithmetic\n\n"
     "In most expressions an array's name *decays* to a pointer to its first element. That "
     "is why `a[i]` is defined as `*(a + i)`.\n\n"
     "Adding `n` to a pointer moves it by `n` **elements**, not bytes: with 4-byte `int`s, "
     "`p + 3` is 12 bytes past `p`.\n\n"
     "```c\nint a[4] = {10, 20, 30, 40};\nint *p = a;\nprintf(\"%d %d\\n\", *(p + 2), p[3]); "
     "/* 30 40 */\n```\n\n"
     "Things that decay does *not* change:\n\n"
     "1. `sizeof a` is the size of the whole array (16 here), `sizeof p` that of a pointer.\n"
     "2. You cannot assign to an array name: `a = p;` does not compile.\n\n"
     "Walking one element past the end is allowed for comparison, but reading it is "
     "**undefined behaviour**.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: pointers", "quiz", NULL, NULL, 6, 2, false, ptr_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item ptr_m2[] = {
    {"Dynamic memory", "page",
     "# Dynamic memory\n\n"
     "`malloc(n)` asks for `n` bytes that live until you `free` them. Always check the "
     "result and compute sizes from the object, not the type:\n\n"
     "```c\nstruct point *pts = malloc(count * sizeof *pts);\nif (pts == NULL)\n\treturn -1;\n"
     "/* ... */\nfree(pts);\npts = NULL;\n```\n\n"
     "## The three classic bugs\n\n"
     "- **Leak**: losing the last pointer to a block before freeing it.\n"
     "- **Use after free**: reading through a pointer whose block was freed.\n"
     "- **Double free**: freeing the same block twice.\n\n"
     "Tools catch all three: build with `-fsanitize=address` and run your tests.\n",
     NULL, 0, 0, false, NULL},
    {"Exercise: a growable array", "assignment",
     "Write `int vec_push(struct vec *v, int x)` that doubles the capacity with `realloc` "
     "when full. Do not lose the old block if `realloc` fails.",
     NULL, 20, 0, false, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_reply ptr_t1_replies[] = {
    {"instructor",
     "`int *p, q;` declares `p` as a pointer and `q` as a plain `int`: the `*` binds to the "
     "name, not the type. One declaration per line avoids the trap."},
    {NULL, NULL},
};

static const struct srv_seed_topic ptr_topics[] = {
    {"learner", "Why is q not a pointer?",
     "I wrote `int *p, q;` and the compiler complains when I assign an address to `q`.",
     ptr_t1_replies},
    {NULL, NULL, NULL, NULL},
};

static const struct srv_seed_module ptr_modules[] = {
    {"Addresses and arrays", ptr_m1},
    {"The heap", ptr_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_pointers = {
    "C201",
    "C pointers without fear",
    "Addresses, arrays, pointer arithmetic and the heap, with the bugs that go with them "
    "and the tools that find them.",
    CHOICES("c", "pointers", "memory", "programming"),
    "COMP",
    "instructor",
    "published",
    0.7,
    false,
    ptr_modules,
    ptr_topics,
};

/* ---- SQL ---- */

static const struct srv_seed_question sql_quiz[] = {
    {"single", "Which clause filters rows *before* grouping?",
     CHOICES("HAVING", "ORDER BY", "WHERE", "LIMIT"), "2", 0, 0},
    {"multiple", "Which are aggregate functions?", CHOICES("COUNT", "SUM", "UPPER", "AVG"),
     "[0, 1, 3]", 0, 0},
    {"boolean", "`NULL = NULL` is true in SQL.", NULL, "false", 0, 0},
    {"short", "Which aggregate function counts rows?", NULL, "\"count\"", 0, 0},
    {"numeric", "A table has 4 rows with prices 2, 4, 6 and NULL. What does `AVG(price)` return?",
     NULL, "4", 0.01, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item sql_m1[] = {
    {"Tables and SELECT", "page",
     "# Tables and SELECT\n\n"
     "A relational database keeps data in **tables**: rows of the same shape, columns with "
     "names and types. You ask questions with `SELECT`:\n\n"
     "```sql\nSELECT title, price\n  FROM books\n WHERE price < 20\n ORDER BY price DESC\n"
     " LIMIT 5;\n```\n\n"
     "Read it as: *from* the books, keep those *where* the price is under 20, *order* them "
     "by price, largest first, and show the first five.\n\n"
     "## NULL is not a value\n\n"
     "`NULL` means *unknown*. Any comparison with it is unknown too, so `price = NULL` "
     "never matches. Write `price IS NULL` instead.\n",
     NULL, 0, 0, false, NULL},
    {"Grouping and aggregates", "page",
     "# Grouping and aggregates\n\n"
     "Aggregate functions fold many rows into one value: `COUNT`, `SUM`, `AVG`, `MIN`, "
     "`MAX`. With `GROUP BY` they fold each group separately:\n\n"
     "```sql\nSELECT author, COUNT(*) AS books, AVG(price) AS mean_price\n  FROM books\n"
     " GROUP BY author\nHAVING COUNT(*) >= 3;\n```\n\n"
     "- `WHERE` filters **rows** before grouping.\n"
     "- `HAVING` filters **groups** after.\n\n"
     "Aggregates skip `NULL`s (except `COUNT(*)`): the average of 2, 4, 6 and NULL is 4.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: querying", "quiz", NULL, NULL, 5, 0, false, sql_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item sql_m2[] = {
    {"Joins", "page",
     "# Joins\n\n"
     "Data is split across tables to avoid repeating it; a **join** puts it back "
     "together.\n\n"
     "```sql\nSELECT b.title, a.name\n  FROM books b\n  JOIN authors a ON a.id = b.author_id;\n"
     "```\n\n"
     "An inner `JOIN` keeps only rows with a partner. A `LEFT JOIN` keeps every row of the "
     "left table and fills the missing side with `NULL`s: the way to find authors with no "
     "books at all.\n",
     NULL, 0, 0, false, NULL},
    {"SQLite documentation", "link", "The SQL dialect used in these exercises.",
     "https://www.sqlite.org/lang.html", 0, 0, true, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_reply sql_t1_replies[] = {
    {"instructor", "Use `COUNT(DISTINCT author)`: `DISTINCT` works inside aggregates too."},
    {NULL, NULL},
};

static const struct srv_seed_topic sql_topics[] = {
    {"chen", "Counting distinct values", "How do I count how many *different* authors there are?",
     sql_t1_replies},
    {NULL, NULL, NULL, NULL},
};

static const struct srv_seed_module sql_modules[] = {
    {"Asking questions", sql_m1},
    {"Several tables", sql_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_sql = {
    "SQL101",
    "SQL for everyone",
    "Query, filter, group and join: the SQL you need to get answers out of a database.",
    CHOICES("sql", "databases", "sqlite", "data"),
    "COMP",
    "instructor",
    "published",
    0,
    true,
    sql_modules,
    sql_topics,
};

/* ---- Networking (draft) ---- */

static const struct srv_seed_question net_quiz[] = {
    {"single", "Which layer does IP belong to?",
     CHOICES("link", "internet", "transport", "application"), "1", 0, 0},
    {"boolean", "UDP guarantees that datagrams arrive in order.", NULL, "false", 0, 0},
    {"numeric", "How many bits are in an IPv4 address?", NULL, "32", 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};

static const struct srv_seed_item net_m1[] = {
    {"Layers", "page",
     "# Layers\n\n"
     "Networks are built in **layers**, each using the one below:\n\n"
     "1. *Link*: frames between neighbours (Ethernet, Wi-Fi).\n"
     "2. *Internet*: packets across networks (IP).\n"
     "3. *Transport*: conversations between programs (TCP, UDP).\n"
     "4. *Application*: what the programs say (HTTP, DNS).\n\n"
     "TCP gives a reliable, ordered byte stream; UDP sends independent datagrams and "
     "promises nothing.\n",
     NULL, 0, 0, false, NULL},
    {"Quiz: layers", "quiz", NULL, NULL, 0, 0, false, net_quiz},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item net_m2[] = {
    {"Addresses and ports", "page",
     "# Addresses and ports\n\n"
     "An IPv4 address is 32 bits, written as four bytes: `192.0.2.10`. A **port** (16 "
     "bits) picks the program on that machine: `192.0.2.10:443`.\n\n"
     "```\n$ ss -tln      # which programs listen on which TCP ports\n```\n",
     NULL, 0, 0, false, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_module net_modules[] = {
    {"How networks are stacked", net_m1},
    {"Finding a program", net_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_networking = {
    "NET201",
    "Networking from the ground up",
    "Layers, addresses, ports, TCP and UDP. (Work in progress.)",
    CHOICES("networking", "tcp", "ip"),
    "COMP",
    "instructor",
    "draft",
    0,
    false,
    net_modules,
    NULL,
};

/* ---- Perl CGI (archived) ---- */

static const struct srv_seed_item perl_m1[] = {
    {"Hello, CGI", "page",
     "# Hello, CGI\n\n"
     "*This course is archived: CGI scripts are rarely written today.*\n\n"
     "A CGI script prints headers, a blank line, then the page:\n\n"
     "```perl\n#!/usr/bin/perl\nprint \"Content-Type: text/html\\n\\n\";\n"
     "print \"<h1>Hello</h1>\\n\";\n```\n",
     NULL, 0, 0, false, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_item perl_m2[] = {
    {"Reading form data", "page",
     "# Reading form data\n\n"
     "The `CGI` module parses the query string: `my $name = param('name');`. Never print "
     "it back without escaping it: that is how cross-site scripting begins.\n",
     NULL, 0, 0, false, NULL},
    {NULL, NULL, NULL, NULL, 0, 0, false, NULL},
};

static const struct srv_seed_module perl_modules[] = {
    {"The first script", perl_m1},
    {"Forms", perl_m2},
    {NULL, NULL},
};

const struct srv_seed_course srv_seed_course_perl = {
    "PERL100",
    "Web pages with Perl CGI (1999 edition)",
    "How dynamic web pages were made before frameworks. Kept for history.",
    CHOICES("perl", "cgi", "web"),
    "COMP",
    "instructor",
    "archived",
    0,
    false,
    perl_modules,
    NULL,
};
