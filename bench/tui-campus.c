/* SPDX-License-Identifier: MIT */
/*
 * The TUI benchmarks' campus replica, built the way sync builds one (store_apply_batch),
 * the pty child running the real tui_run() on it, and the docs section writer.
 */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/tui-campus.h"
#include "common/clock.h"
#include "common/fsutil.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica.h"
#include "tui/tui.h"

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
	static char long_text[4096];

	snprintf(scope, sizeof(scope), "course:%s", course);
	/* The first lesson of a module is a few screens long, so the reader has to scroll. */
	if (long_text[0] == '\0')
		for (int p = 0; p < 40; p++)
			snprintf(
			    long_text + strlen(long_text), sizeof(long_text) - strlen(long_text),
			    "\\nParagraph %d of a longer lesson, which goes on for a while.\\n",
			    p + 1);
	for (int m = 0; m < TUI_CAMPUS_MODULES; m++) {
		lc_uuid_new(mod);
		add(cl, scope, "module", mod,
		    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS
		                ",\"course_id\":\"%s\",\"title\":\"Module %d\",\"position\":%d}",
		                mod, course, m + 1, m + 1));
		for (int i = 0; i < TUI_CAMPUS_ITEMS; i++) {
			lc_uuid_new(item);
			add(cl, scope, "item", item,
			    lc_asprintf(
			        "{\"id\":\"%s\",\"rev\":1," TS ",\"module_id\":\"%s\","
			        "\"course_id\":\"%s\",\"title\":\"Lesson %d.%d\",\"kind\":\"%s\","
			        "\"body\":\"# Lesson\\n\\nSome *text* with a [link](https://"
			        "example.org) and a list:\\n\\n- one\\n- two\\n\\n```\\ncode\\n```"
			        "\\n%s\",\"required\":true,\"position\":%d,\"due_at\":"
			        "\"2026-12-0%dT12:00:00Z\"}",
			        item, mod, course, m + 1, i + 1,
			        i == TUI_CAMPUS_ITEMS - 1 ? "quiz" : "page",
			        i == 0 ? long_text : "", i + 1, 1 + i % 9));
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
	for (int t = 0; t < TUI_CAMPUS_TOPICS; t++) {
		lc_uuid_new(topic);
		add(cl, scope, "topic", topic,
		    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"course_id\":\"%s\",\"title\":"
		                "\"Question %d\",\"body\":\"How does this work?\",\"author_id\":"
		                "\"x\",\"author_name\":\"peer\",\"reply_count\":%d,"
		                "\"last_activity_at\":\"2026-11-0%dT08:00:00Z\"}",
		                topic, course, t, TUI_CAMPUS_REPLIES, 1 + t % 9));
		for (int r = 0; r < TUI_CAMPUS_REPLIES; r++) {
			lc_uuid_new(id);
			add(cl, scope, "reply", id,
			    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"topic_id\":\"%s\","
			                "\"course_id\":\"%s\",\"body\":\"Like this, I think.\","
			                "\"author_id\":\"x\",\"author_name\":\"peer\"}",
			                id, topic, course));
		}
	}
}

size_t
tui_campus_build(const char *path, int enrolled)
{
	struct change_list cl = {0};
	struct store_db *db = NULL;
	char user[LC_UUID_LEN + 1], course[LC_UUID_LEN + 1], id[LC_UUID_LEN + 1];
	const char **scopes;
	char *cause = NULL;
	size_t rows, n_scopes = 0;

	if (store_replica_open(path, &db, &cause) < 0) {
		fprintf(stderr, "tui bench: %s\n", cause);
		exit(1);
	}
	lc_uuid_new(user);
	scopes = lc_calloc(2, sizeof(*scopes));
	scopes[n_scopes++] = "catalog";
	scopes[n_scopes++] = "user";
	add(&cl, "user", "user", user,
	    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"username\":\"learner\","
	                "\"role\":\"learner\",\"departments\":[]}",
	                user));
	for (int c = 0; c < TUI_CAMPUS_CATALOG; c++) {
		lc_uuid_new(course);
		add(&cl, "catalog", "course", course,
		    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"title\":\"Course %04d\","
		                "\"description\":\"A course about topic %d.\",\"status\":"
		                "\"published\",\"owner_name\":\"instructor\",\"rating\":4.5}",
		                course, c, c));
		if (c < enrolled) {
			char *scope = lc_asprintf("course:%s", course);

			/* As sync leaves it: the course in its own scope, each scope with a cursor.
			 */
			add(&cl, scope, "course", course,
			    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"title\":\"Course %04d\","
			                "\"status\":\"published\",\"owner_id\":\"%s\"}",
			                course, c, "00000000-0000-4000-8000-00000000000f"));
			scopes = lc_realloc(scopes, (n_scopes + 1) * sizeof(*scopes));
			scopes[n_scopes++] = keep(&cl, scope);
			lc_uuid_new(id);
			add(&cl, "user", "enrollment", id,
			    lc_asprintf("{\"id\":\"%s\",\"rev\":1," TS ",\"course_id\":\"%s\","
			                "\"user_id\":\"%s\",\"username\":\"learner\"}",
			                id, course, user));
			add_course_content(&cl, course, user);
		}
	}
	struct store_batch batch = {
	    .changes = cl.items,
	    .n_changes = cl.n,
	    .scopes = scopes,
	    .n_scopes = n_scopes,
	};

	if (store_db_begin(db) < 0 || store_apply_batch(db, &batch) < 0 ||
	    store_db_commit(db) < 0 || store_setting_set(db, "user_id", user) < 0 ||
	    store_setting_set(db, "username", "learner") < 0 ||
	    store_setting_set(db, "server_url", "http://127.0.0.1:9") < 0) {
		fprintf(stderr, "tui bench: %s\n", store_db_error(db)->message);
		exit(1);
	}
	rows = cl.n;
	free((void *)scopes);
	change_list_free(&cl);
	store_db_close(db);
	return rows;
}

size_t
tui_campus_rows(int enrolled)
{
	/*
	 * A catalog row per course and the user's doc; per enrolled course an enrollment, the
	 * course in its own scope, its modules and items, progress for every other item, and
	 * its topics and replies.
	 */
	size_t per = 2 + TUI_CAMPUS_MODULES * (1 + TUI_CAMPUS_ITEMS + (TUI_CAMPUS_ITEMS + 1) / 2) +
	             TUI_CAMPUS_TOPICS * (1 + TUI_CAMPUS_REPLIES);

	return TUI_CAMPUS_CATALOG + 1 + (size_t)enrolled * per;
}

void
tui_campus_remove(const char *dir, const char *path)
{
	char extra[512];

	unlink(path);
	snprintf(extra, sizeof(extra), "%s-wal", path);
	unlink(extra);
	snprintf(extra, sizeof(extra), "%s-shm", path);
	unlink(extra);
	rmdir(dir);
}

pid_t
tui_campus_spawn(const char *db_path, int *master)
{
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	pid_t pid = forkpty(master, NULL, NULL, &ws);

	if (pid == 0) {
		struct tui_config cfg = {.db_path = db_path, .sync_interval_s = 3600};

		setenv("TERM", "xterm-256color", 1);
		_exit(tui_run(&cfg));
	}
	return pid;
}

void
tui_campus_stop(pid_t pid, int master, bool clean)
{
	int status;

	if (!clean || write(master, "Q", 1) != 1)
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
}

int64_t
tui_campus_main_cpu_us(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *fp;
	int got;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	got = fscanf(fp, "%llu", &ns);
	fclose(fp);
	return got == 1 ? (int64_t)(ns / 1000) : -1;
}

int
tui_campus_cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void
tui_campus_loadavg(struct lc_buf *out, const char *when)
{
	char *load = NULL;

	/* The machine's load says how much of the time was waiting for a core. */
	if (lc_read_file("/proc/loadavg", &load, NULL) == 0)
		lc_buf_printf(out, "\nLoad average %s: %.14s (%ld cores).\n", when, load,
		              sysconf(_SC_NPROCESSORS_ONLN));
	free(load);
}

int
tui_campus_write_docs(const char *path, const char *name, const char *section)
{
	char *open_m = lc_asprintf("<!-- %s -->", name),
	     *close_m = lc_asprintf("<!-- /%s -->", name);
	char *old = NULL, *a, *b;
	struct lc_buf out = {0};
	FILE *fp;
	int rc = 0;

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
	fp = fopen(path, "w");
	if (fp == NULL || fputs(lc_buf_str(&out), fp) == EOF)
		rc = -1;
	if (fp != NULL && fclose(fp) != 0)
		rc = -1;
	free(old);
	free(open_m);
	free(close_m);
	lc_buf_finish(&out);
	return rc;
}

size_t
tui_campus_prepare(const char *keep, char *dir, int enrolled, char *path, size_t size)
{
	int64_t t0 = lc_monotonic_ms();
	size_t rows;

	snprintf(path, size, "%s/replica.db", dir);
	if (keep != NULL) {
		rmdir(dir);
		snprintf(path, size, "%s", keep);
	}
	rows = keep != NULL && access(path, F_OK) == 0 ? tui_campus_rows(enrolled)
	                                               : tui_campus_build(path, enrolled);
	printf("campus: %zu rows (%d catalog courses, %d enrolled), built in %lld ms\n", rows,
	       TUI_CAMPUS_CATALOG, enrolled, (long long)(lc_monotonic_ms() - t0));
	fflush(stdout);
	return rows;
}
