/* SPDX-License-Identifier: MIT */
/*
 * The TUI start-up benchmark (issue 5: "starts in under 100 ms on a replica holding a large
 * campus"). It builds a replica the way sync would (store_apply_batch) holding a large
 * campus: a catalog of courses, and for the learner many enrolled courses of modules,
 * Markdown pages, quizzes and busy forums, plus their progress. Then it starts the real
 * tui_run() in a child on a pseudo-terminal, again and again, and measures the time from
 * fork to the first complete frame (the status line's "? help" reaching the terminal), the
 * server being unreachable as on a train.
 *
 * Usage: tui-start [--runs N] [--courses N] [--docs docs/benchmarks.md]
 * Prints a table; with --docs rewrites the section between <!-- tui-bench --> and
 * <!-- /tui-bench --> of that file (appending the markers when missing).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica.h"
#include "tui/tui.h"

#define CATALOG 2000
#define MODULES 8
#define ITEMS 10
#define TOPICS 40
#define REPLIES 8

struct change_list {
	struct store_change *items;
	char **owned; /* strings to free */
	size_t n, cap, n_owned, cap_owned;
};

static const char *
keep(struct change_list *cl, char *s)
{
	if (cl->n_owned == cl->cap_owned) {
		cl->cap_owned = cl->cap_owned ? cl->cap_owned * 2 : 1024;
		cl->owned = lc_realloc(cl->owned, cl->cap_owned * sizeof(char *));
	}
	cl->owned[cl->n_owned++] = s;
	return s;
}

static void
add(struct change_list *cl, const char *scope, const char *type, const char *id, char *doc)
{
	if (cl->n == cl->cap) {
		cl->cap = cl->cap ? cl->cap * 2 : 1024;
		cl->items = lc_realloc(cl->items, cl->cap * sizeof(*cl->items));
	}
	cl->items[cl->n] = (struct store_change){
	    .scope = keep(cl, lc_strdup(scope)),
	    .type = type,
	    .id = keep(cl, lc_strdup(id)),
	    .rev = 1,
	    .seq = (int64_t)cl->n + 1,
	    .doc = keep(cl, doc),
	};
	cl->n++;
}

static void
change_list_free(struct change_list *cl)
{
	for (size_t i = 0; i < cl->n_owned; i++)
		free(cl->owned[i]);
	free(cl->owned);
	free(cl->items);
}

#define TS "\"created_at\":\"2026-11-01T08:00:00Z\",\"updated_at\":\"2026-11-01T08:00:00Z\""

static void
add_course_content(struct change_list *cl, const char *course, const char *user)
{
	char scope[64], mod[LC_UUID_LEN + 1], item[LC_UUID_LEN + 1], topic[LC_UUID_LEN + 1];
	char id[LC_UUID_LEN + 1];

	snprintf(scope, sizeof(scope), "course:%s", course);
	for (int m = 0; m < MODULES; m++) {
		lc_uuid_new(mod);
		add(cl, scope, "module", mod,
		    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS
		                ",\"course_id\":\"%s\",\"title\":\"Module %d\",\"position\":%d}",
		                mod, course, m + 1, m + 1));
		for (int i = 0; i < ITEMS; i++) {
			lc_uuid_new(item);
			add(cl, scope, "item", item,
			    lc_asprintf(
			        "{\"id\":\"%s\",\"rev\":1," TS ",\"module_id\":\"%s\","
			        "\"course_id\":\"%s\",\"title\":\"Lesson %d.%d\",\"kind\":\"%s\","
			        "\"body\":\"# Lesson\\n\\nSome *text* with a [link](https://"
			        "example.org) and a list:\\n\\n- one\\n- two\\n\\n```\\ncode\\n```"
			        "\\n\",\"required\":true,\"position\":%d,\"due_at\":"
			        "\"2026-12-0%dT12:00:00Z\"}",
			        item, mod, course, m + 1, i + 1, i == ITEMS - 1 ? "quiz" : "page",
			        i + 1, 1 + i % 9));
			if (i % 2 == 0) {
				lc_uuid_new(id);
				add(cl, "user", "progress", id,
				    lc_asprintf(
				        "{\"id\":\"%s\",\"rev\":1," TS ",\"item_id\":\"%s\","
				        "\"course_id\":\"%s\",\"user_id\":\"%s\",\"status\":"
				        "\"completed\"}",
				        id, item, course, user));
			}
		}
	}
	for (int t = 0; t < TOPICS; t++) {
		lc_uuid_new(topic);
		add(cl, scope, "topic", topic,
		    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"course_id\":\"%s\",\"title\":"
		                "\"Question %d\",\"body\":\"How does this work?\",\"author_id\":"
		                "\"x\",\"author_name\":\"peer\",\"reply_count\":%d,"
		                "\"last_activity_at\":\"2026-11-0%dT08:00:00Z\"}",
		                topic, course, t, REPLIES, 1 + t % 9));
		for (int r = 0; r < REPLIES; r++) {
			lc_uuid_new(id);
			add(cl, scope, "reply", id,
			    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"topic_id\":\"%s\","
			                "\"course_id\":\"%s\",\"body\":\"Like this, I think.\","
			                "\"author_id\":\"x\",\"author_name\":\"peer\"}",
			                id, topic, course));
		}
	}
}

/* Fills the replica at path with a campus; returns the number of rows. */
static size_t
build_campus(const char *path, int enrolled)
{
	struct change_list cl = {0};
	struct store_db *db = NULL;
	char user[LC_UUID_LEN + 1], course[LC_UUID_LEN + 1], id[LC_UUID_LEN + 1];
	char *cause = NULL;
	size_t rows;

	if (store_replica_open(path, &db, &cause) < 0) {
		fprintf(stderr, "tui-start: %s\n", cause);
		exit(1);
	}
	lc_uuid_new(user);
	for (int c = 0; c < CATALOG; c++) {
		lc_uuid_new(course);
		add(&cl, "catalog", "course", course,
		    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"title\":\"Course %04d\","
		                "\"description\":\"A course about topic %d.\",\"status\":"
		                "\"published\",\"owner_name\":\"instructor\",\"rating\":4.5}",
		                course, c, c));
		if (c < enrolled) {
			lc_uuid_new(id);
			add(&cl, "user", "enrollment", id,
			    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"course_id\":\"%s\","
			                "\"user_id\":\"%s\",\"username\":\"learner\"}",
			                id, course, user));
			add_course_content(&cl, course, user);
		}
	}
	struct store_batch batch = {.changes = cl.items, .n_changes = cl.n};

	if (store_db_begin(db) < 0 || store_apply_batch(db, &batch) < 0 ||
	    store_db_commit(db) < 0 || store_setting_set(db, "user_id", user) < 0 ||
	    store_setting_set(db, "username", "learner") < 0 ||
	    store_setting_set(db, "server_url", "http://127.0.0.1:9") < 0) {
		fprintf(stderr, "tui-start: %s\n", store_db_error(db)->message);
		exit(1);
	}
	rows = cl.n;
	change_list_free(&cl);
	store_db_close(db);
	return rows;
}

/* CPU time (user + system, ms) used so far by process pid, from /proc; -1 when unknown. */
static int64_t
cpu_ms(pid_t pid)
{
	char path[64], *text = NULL, *p;
	unsigned long long utime = 0, stime = 0;
	int64_t out = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (lc_read_file(path, &text, NULL) < 0)
		return -1;
	/* Fields after the command name, which may hold spaces: skip to its closing ")". */
	p = strrchr(text, ')');
	if (p != NULL && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	                        &utime, &stime) == 2)
		out = (int64_t)((utime + stime) * 1000 / (unsigned long long)sysconf(_SC_CLK_TCK));
	free(text);
	return out;
}

/*
 * Runs tui_run() on a pty; returns ms from fork to the first frame, or -1, and the CPU time
 * the program had used by then in *cpu.
 */
static int64_t
one_start(const char *db_path, int64_t *cpu)
{
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	struct lc_buf seen = {0};
	int master, status;
	int64_t t0 = lc_monotonic_ms(), elapsed = -1;
	pid_t pid = forkpty(&master, NULL, NULL, &ws);

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct tui_config cfg = {.db_path = db_path, .sync_interval_s = 3600};

		setenv("TERM", "xterm-256color", 1);
		_exit(tui_run(&cfg));
	}
	while (lc_monotonic_ms() - t0 < 10000) {
		struct pollfd pfd = {.fd = master, .events = POLLIN};
		char buf[4096];
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(master, buf, sizeof(buf));
		if (n <= 0)
			break;
		lc_buf_append(&seen, buf, (size_t)n);
		if (strstr(lc_buf_str(&seen), "help") != NULL) {
			elapsed = lc_monotonic_ms() - t0;
			*cpu = cpu_ms(pid);
			break;
		}
	}
	if (write(master, "Q", 1) != 1 || elapsed < 0)
		kill(pid, SIGTERM);
	/* Drain so that the child never blocks writing its last frame. */
	for (int i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; i++) {
		char buf[4096];
		struct pollfd pfd = {.fd = master, .events = POLLIN};

		if (poll(&pfd, 1, 100) > 0 && read(master, buf, sizeof(buf)) < 0)
			break;
	}
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	close(master);
	lc_buf_finish(&seen);
	return elapsed;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Replaces the text between the markers of path with section (appends them when missing). */
static int
write_docs(const char *path, const char *section)
{
	const char *open_m = "<!-- tui-bench -->", *close_m = "<!-- /tui-bench -->";
	char *old = NULL, *a, *b;
	struct lc_buf out = {0};
	FILE *fp;

	if (lc_read_file(path, &old, NULL) < 0)
		old = lc_strdup("# Benchmarks\n");
	a = strstr(old, open_m);
	b = a ? strstr(a, close_m) : NULL;
	if (a != NULL && b != NULL) {
		lc_buf_append(&out, old, (size_t)(a - old));
		lc_buf_printf(&out, "%s\n%s%s", open_m, section, b);
	} else {
		lc_buf_printf(&out, "%s\n%s\n%s%s\n", old, open_m, section, close_m);
	}
	free(old);
	fp = fopen(path, "w");
	if (fp == NULL || fputs(lc_buf_str(&out), fp) == EOF) {
		if (fp)
			fclose(fp);
		lc_buf_finish(&out);
		return -1;
	}
	fclose(fp);
	lc_buf_finish(&out);
	return 0;
}

/* The Markdown section for docs/benchmarks.md from sorted timings. */
static void
report(struct lc_buf *section, const int64_t *ms, const int64_t *cpu, int runs, int enrolled,
       size_t rows)
{
	char *load = NULL;
	int p90 = (runs * 9) / 10 < runs ? (runs * 9) / 10 : runs - 1;

	lc_buf_printf(
	    section,
	    "Start-up of the interactive `lectern` to its first full frame (80x24, "
	    "server unreachable), `bench/tui-start --runs %d --courses %d`:\n\n"
	    "| replica | runs | median | p90 | max | goal |\n|---|---|---|---|---|---|\n"
	    "| %zu rows: %d catalog courses, %d enrolled (%d modules x %d items, "
	    "%d topics x %d replies each) | %d | %lld ms | %lld ms | %lld ms | < 100 ms |\n",
	    runs, enrolled, rows, CATALOG, enrolled, MODULES, ITEMS, TOPICS, REPLIES, runs,
	    (long long)ms[runs / 2], (long long)ms[p90], (long long)ms[runs - 1]);
	lc_buf_printf(
	    section,
	    "\nCPU time the program had used when its first frame was out (user + system, "
	    "10 ms ticks): median %lld ms, max %lld ms.\n",
	    (long long)cpu[runs / 2], (long long)cpu[runs - 1]);
	/* The machine's load says how much of the time was waiting for a core. */
	if (lc_read_file("/proc/loadavg", &load, NULL) == 0)
		lc_buf_printf(section, "\nLoad average while measuring: %.14s (%ld cores).\n", load,
		              sysconf(_SC_NPROCESSORS_ONLN));
	free(load);
}

int
main(int argc, char **argv)
{
	const char *docs = NULL;
	int runs = 20, enrolled = 30;
	char dir[] = "/tmp/lectern-tui-bench-XXXXXX", path[256];
	int64_t *ms, *cpu;
	size_t rows;
	int64_t t0;
	struct lc_buf section = {0};

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--courses") == 0 && i + 1 < argc)
			enrolled = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--docs") == 0 && i + 1 < argc)
			docs = argv[++i];
		else {
			fprintf(stderr,
			        "usage: tui-start [--runs N] [--courses N] [--docs FILE]\n");
			return 1;
		}
	}
	if (runs < 1 || enrolled < 1 || enrolled > CATALOG || mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/replica.db", dir);
	t0 = lc_monotonic_ms();
	rows = build_campus(path, enrolled);
	printf("campus: %zu rows (%d catalog courses, %d enrolled), built in %lld ms\n", rows,
	       CATALOG, enrolled, (long long)(lc_monotonic_ms() - t0));
	ms = lc_calloc((size_t)runs, sizeof(*ms));
	cpu = lc_calloc((size_t)runs, sizeof(*cpu));
	for (int i = 0; i < runs; i++) {
		ms[i] = one_start(path, &cpu[i]);
		if (ms[i] < 0) {
			fprintf(stderr, "tui-start: run %d never drew a frame\n", i + 1);
			return 1;
		}
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp64);
	qsort(cpu, (size_t)runs, sizeof(*cpu), cmp64);
	report(&section, ms, cpu, runs, enrolled, rows);
	fputs(lc_buf_str(&section), stdout);
	if (docs != NULL && write_docs(docs, lc_buf_str(&section)) < 0)
		fprintf(stderr, "tui-start: cannot write %s\n", docs);
	unlink(path);
	snprintf(path, sizeof(path), "%s/replica.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/replica.db-shm", dir);
	unlink(path);
	rmdir(dir);
	lc_buf_finish(&section);
	int rc = ms[runs / 2] < 100 ? 0 : 2;

	free(ms);
	free(cpu);
	return rc;
}
