/* SPDX-License-Identifier: MIT */
/*
 * Issue 12's benchmark: a course as plain files at 100 modules. Against the real lecternd
 * and lectern (through the fault proxy in pass-through mode, which counts the bytes on the
 * wire): `course new --from` a generated folder of 100 modules of 5 items (4 pages of about
 * 1 KB and a quiz of 3 questions), `course checkout` of it, `course pull` after another
 * instructor retitled one lesson, and `course push` of one edited lesson then its sync
 * (writes sent, bytes up and down). Times are wall-clock, whole `lectern` processes
 * included, the median of --runs runs. Prints a Markdown table for docs/benchmarks.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/fsutil.h"
#include "common/mem.h"
#include "faultproxy.h"
#include "test-sync-lib.h"

#define MODULES 100
#define ITEMS 5

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what)
{
	fprintf(stderr, "course-files: %s: %s\n", what, st_last_stderr());
	exit(1);
}

static void
write_text(const char *path, const char *text)
{
	FILE *fp;

	if (lc_mkdir_parents(path, 0700) != 0 || (fp = fopen(path, "w")) == NULL)
		die(path);
	fputs(text, fp);
	if (fclose(fp) != 0)
		die(path);
}

/* The folder of a 100-module course. */
static void
make_course(const char *dir)
{
	char *path = lc_asprintf("%s/course.md", dir), *body;

	write_text(path, "---\ntitle: A hundred modules\ncode: BIG100\n---\nA large course.\n");
	free(path);
	body = lc_malloc(1100);
	memset(body, 'x', 1000);
	for (int i = 0; i < 1000; i += 80)
		body[i] = '\n';
	memcpy(body + 1000, "\n", 2);
	for (int m = 1; m <= MODULES; m++) {
		path = lc_asprintf("%s/%03d-module-%d/module.md", dir, m, m);
		{
			char *text = lc_asprintf("---\ntitle: Module %d\n---\n", m);

			write_text(path, text);
			free(text);
		}
		free(path);
		for (int i = 1; i < ITEMS; i++) {
			char *text = lc_asprintf("---\nkind: page\ntitle: Lesson %d.%d\nrequired: "
			                         "true\n---\n# Lesson %d.%d\n%s",
			                         m, i, m, i, body);

			path = lc_asprintf("%s/%03d-module-%d/%02d-lesson-%d-%d.md", dir, m, m, i,
			                   m, i);
			write_text(path, text);
			free(text);
			free(path);
		}
		path = lc_asprintf("%s/%03d-module-%d/%02d-quiz-%d.md", dir, m, m, ITEMS, m);
		{
			char *text = lc_asprintf(
			    "---\nkind: quiz\ntitle: Quiz %d\nrequired: true\nquestions:\n"
			    "- kind: single\n  prompt: One?\n  choices:\n  - a\n  - b\n  answer: "
			    "0\n"
			    "  points: 1\n- kind: boolean\n  prompt: True?\n  answer: true\n"
			    "  points: 1\n- kind: numeric\n  prompt: Two?\n  answer: 2\n  points: "
			    "1\n"
			    "---\n",
			    m);

			write_text(path, text);
			free(text);
		}
		free(path);
	}
	free(body);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

/* Runs lectern; dies unless it exits 0. Puts the wall time in ms into var. */
#define TIMED(var, cl, out, ...)                                                                   \
	do {                                                                                       \
		double t0_ = now_ms();                                                             \
		if (st_lectern(cl, NULL, out, __VA_ARGS__, NULL) != 0)                             \
			die(#__VA_ARGS__);                                                         \
		var = now_ms() - t0_;                                                              \
	} while (0)

int
main(int argc, char **argv)
{
	int runs = argc > 2 && strcmp(argv[1], "--runs") == 0 ? (int)strtol(argv[2], NULL, 10) : 3;
	char *dir = st_tmpdir("bench-course-files"), *srv_dir = lc_asprintf("%s/server", dir);
	char *src = lc_asprintf("%s/src", dir), *out = NULL, id[ST_ID_LEN + 1], *cause = NULL;
	double t_new, t_checkout[16], t_pull[16], t_push[16], t_other;
	struct st_client teacher = {0}, admin = {0};
	struct st_server srv = {0};
	struct fp_proxy *proxy = NULL;
	struct fp_stats st;
	int64_t up = 0, down = 0;
	int writes = 0;

	if (runs < 1 || runs > ITEMS - 1)
		runs = 3;
	if (lc_mkdir_p(srv_dir, 0700) != 0 || st_server_start(&srv, srv_dir, 0, true) != 0 ||
	    fp_start(srv.port, &proxy, &cause) != 0)
		die("lecternd");
	snprintf(teacher.data_dir, sizeof(teacher.data_dir), "%s/teacher", dir);
	snprintf(admin.data_dir, sizeof(admin.data_dir), "%s/admin", dir);
	snprintf(teacher.server_url, sizeof(teacher.server_url), "http://127.0.0.1:%d",
	         fp_port(proxy));
	snprintf(admin.server_url, sizeof(admin.server_url), "%s", srv.url);
	if (st_login(&teacher, "instructor") != 0 || st_login(&admin, "admin") != 0)
		die("login");
	make_course(src);
	TIMED(t_new, &teacher, &out, "course", "new", "--from", src);
	snprintf(id, sizeof(id), "%.*s", ST_ID_LEN, out);
	free(out);
	TIMED(t_other, &teacher, NULL, "sync");
	TIMED(t_other, &admin, NULL, "sync");
	for (int r = 0; r < runs; r++) {
		char *co = lc_asprintf("%s/checkout-%d", dir, r);
		char *lesson = lc_asprintf("%s/001-module-1/01-lesson-1-1.md", co);
		char *item = NULL, *ids, *at, *title, *edited, *text = NULL;
		size_t len = 0;

		TIMED(t_checkout[r], &teacher, NULL, "course", "checkout", id, co);
		/* Another instructor retitles a lesson of the last module; pull merges it. */
		if (lc_read_file(lesson, &text, &len) != 0)
			die(lesson);
		ids = lc_asprintf("%s/.lectern", co);
		/* A lesson not retitled by an earlier run (its name would have changed). */
		{
			char *needle =
			    lc_asprintf(" 100-module-100/%02d-lesson-100-%d.md\n", r + 1, r + 1);

			if (lc_read_file(ids, &item, &len) != 0 ||
			    (at = strstr(item, needle)) == NULL)
				die(".lectern");
			free(needle);
		}
		at[0] = '\0';
		at -= ST_ID_LEN;
		title = lc_asprintf("Retitled %d", r);
		TIMED(t_other, &admin, NULL, "item", "edit", at, "--title", title);
		TIMED(t_other, &admin, NULL, "sync");
		TIMED(t_other, &teacher, NULL, "sync");
		TIMED(t_pull[r], &teacher, NULL, "course", "pull", co);
		/* One edited lesson, pushed, synced: writes and bytes on the wire. */
		edited = lc_asprintf("%sOne more line, run %d.\n", text, r);
		write_text(lesson, edited);
		TIMED(t_push[r], &teacher, &out, "course", "push", co);
		writes = strncmp(out, "queued\t", 7) == 0 ? (int)strtol(out + 7, NULL, 10) : -1;
		free(out);
		fp_reset_stats(proxy);
		TIMED(t_other, &teacher, NULL, "sync");
		fp_stats(proxy, &st);
		up = st.bytes_up;
		down = st.bytes_down;
		free(edited);
		free(title);
		free(ids);
		free(item);
		free(text);
		free(lesson);
		free(co);
	}
	printf("| course of %d modules x %d items (%d items, %d questions) | median of %d runs |\n",
	       MODULES, ITEMS, MODULES * ITEMS, MODULES * 3, runs);
	printf("|---|---|\n");
	printf("| `course new --from` (queues %d writes) | %.0f ms |\n",
	       1 + MODULES * (1 + ITEMS + 3), t_new);
	printf("| `course checkout` | %.0f ms |\n", median(t_checkout, runs));
	printf("| `course pull` (one lesson retitled on the server) | %.0f ms |\n",
	       median(t_pull, runs));
	printf("| `course push` of one edited lesson | %.0f ms, %d write(s) queued |\n",
	       median(t_push, runs), writes);
	printf("| its `lectern sync` (last run) | %.0f ms; %lld bytes up, %lld bytes down |\n",
	       t_other, (long long)up, (long long)down);
	fp_stop(proxy);
	st_server_stop(&srv, false);
	st_rmtree(dir);
	free(src);
	free(srv_dir);
	free(dir);
	free(cause);
	return 0;
}
