/* SPDX-License-Identifier: MIT */
/*
 * The kiosk benchmark (issue 13, item 6: "the 2nd..30th learner of the same course on a
 * kiosk download at most 10% of the bytes the first one did"). A real lecternd on
 * loopback holds a generated campus (bench/campus-gen.c: 3 courses in the catalog, each of
 * 3 modules of 6 Markdown pages and a quiz, a forum of 4 topics of 3 replies); 30 learners
 * are enrolled in the first course. One after the other, as on a lab kiosk, each signs in
 * on a profile of their own under one data folder (D/profiles/<n>/replica.db) and runs a
 * whole sync through the kiosk's shared content store (D/content.db); then, as if during
 * their session, posts one reply in the course, which the next learners pull from the
 * server. Bytes are the engine's count (HTTP headers included) of the sync alone (not the
 * sign-in, the same for everyone). After each measured sync a second sync with verify
 * checks /sync/digest. The course's instructor syncs a profile of their own too: staff
 * neither read nor feed the store, so that row is a whole download.
 *
 * Usage: kiosk [--learners N] [--docs docs/benchmarks.md]
 * Needs LECTERND in the environment (meson sets it for `meson test --benchmark kiosk`).
 * Prints a table and, with --docs, rewrites the section between <!-- kiosk --> and
 * <!-- /kiosk -->.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "campus-gen.h"
#include "common/buf.h"
#include "common/clock.h"
#include "common/mem.h"
#include "sync/engine.h"
#include "test-sync-lib.h"
#include "tui-campus.h"

#define COURSES 3
#define MAX_LEARNERS 200

struct measure {
	int64_t down, up, trips, applied, wall_ms;
	bool verified;
};

struct kiosk {
	char *dir;
	struct st_server srv;
	struct st_api instructor;
	struct campus_course courses[COURSES];
	char data_dir[1024]; /* D */
	char content[1100];  /* D/content.db */
};

static int
sync_profile(struct kiosk *k, const char *name, const char *user, struct measure *m)
{
	char *dir = lc_asprintf("%s/profiles/%s", k->data_dir, name), *cause = NULL;
	char *db = lc_asprintf("%s/replica.db", dir);
	struct sync_options opts = {.db_path = db, .content_path = k->content};
	struct sync_engine *e = NULL;
	struct sync_status st;
	int64_t t0;
	int rc = mkdir(dir, 0700);

	if (rc == 0)
		rc = sync_login(db, k->srv.url, user, ST_PASSWORD, NULL, &cause);
	if (rc == 0)
		rc = sync_engine_create(&opts, &e, &cause);
	t0 = lc_monotonic_ms();
	if (rc == 0)
		rc = sync_engine_run(e, false, &cause);
	m->wall_ms = lc_monotonic_ms() - t0;
	if (rc == 0) {
		sync_engine_status(e, &st);
		m->down = st.bytes_down;
		m->up = st.bytes_up;
		m->trips = st.round_trips;
		m->applied = st.changes_applied;
		/* A second sync (a no-op) with the digests compared: the copy is right. */
		m->verified = sync_engine_run(e, true, &cause) == 0;
		rc = m->verified ? 0 : -1;
	}
	if (rc != 0)
		fprintf(stderr, "kiosk: %s: %s\n", user, cause != NULL ? cause : "failed");
	sync_engine_destroy(e);
	free(cause);
	free(db);
	free(dir);
	return rc == 0 ? 0 : -1;
}

/* The learner's reply during their session: new content for the next learners. */
static int
post_reply(struct kiosk *k, struct st_api *api, int n, uint64_t *rng)
{
	char path[128], id[ST_ID_LEN + 1];
	char *text = campus_page_body(rng, n, 1);
	cJSON *obj = cJSON_CreateObject();
	char *body;
	int rc;

	cJSON_AddStringToObject(obj, "body", text);
	body = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	free(text);
	snprintf(path, sizeof(path), "/topics/%s/replies", k->courses[0].topics[n % CAMPUS_TOPICS]);
	rc = st_api_create(api, path, body, id);
	free(body);
	return rc;
}

static int
kiosk_setup(struct kiosk *k, int learners)
{
	uint64_t rng = 42;

	memset(k, 0, sizeof(*k));
	k->dir = st_tmpdir("kiosk");
	if (k->dir == NULL)
		return -1;
	snprintf(k->srv.dir, sizeof(k->srv.dir), "%s", k->dir);
	snprintf(k->srv.db, sizeof(k->srv.db), "%s/lecternd.db", k->dir);
	if (st_server_create_user(&k->srv, "kiosk_instructor", "instructor", ST_PASSWORD) < 0)
		return -1;
	for (int i = 0; i < learners; i++) {
		char name[32];

		snprintf(name, sizeof(name), "kiosk_learner_%02d", i + 1);
		if (st_server_create_user(&k->srv, name, "learner", ST_PASSWORD) < 0)
			return -1;
	}
	if (st_server_start(&k->srv, k->dir, 0, false) < 0 ||
	    st_api_login(&k->instructor, k->srv.url, "kiosk_instructor", ST_PASSWORD) < 0)
		return -1;
	for (int i = 0; i < COURSES; i++)
		if (campus_make_course(&k->instructor, &k->courses[i], i, &rng) < 0)
			return -1;
	snprintf(k->data_dir, sizeof(k->data_dir), "%s/kiosk", k->dir);
	snprintf(k->content, sizeof(k->content), "%s/content.db", k->data_dir);
	if (mkdir(k->data_dir, 0700) != 0)
		return -1;
	{
		char *profiles = lc_asprintf("%s/profiles", k->data_dir);
		int rc = mkdir(profiles, 0700);

		free(profiles);
		return rc == 0 ? 0 : -1;
	}
}

static void
kiosk_teardown(struct kiosk *k)
{
	st_server_stop(&k->srv, false);
	st_api_finish(&k->instructor);
	if (k->dir != NULL && getenv("LECTERN_KEEP_TMP") == NULL)
		st_rmtree(k->dir);
	free(k->dir);
}

static int64_t
median(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), tui_campus_cmp64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int64_t
maximum(const int64_t *v, int n)
{
	int64_t m = 0;

	for (int i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static void
row(struct lc_buf *b, const char *who, int64_t down, int64_t up, int64_t trips, int64_t applied,
    int64_t first_down)
{
	lc_buf_printf(b, "| %s | %lld | %lld | %lld | %lld | %.1f%% |\n", who, (long long)down,
	              (long long)up, (long long)trips, (long long)applied,
	              first_down > 0 ? 100.0 * (double)down / (double)first_down : 0.0);
}

static void
section(struct lc_buf *b, int learners, const struct measure *m, const struct measure *staff,
        int64_t content_bytes)
{
	int n = learners - 1;
	int64_t *down = lc_calloc((size_t)n + 1, sizeof(int64_t));
	int64_t *up = lc_calloc((size_t)n + 1, sizeof(int64_t));
	int64_t *trips = lc_calloc((size_t)n + 1, sizeof(int64_t));
	int64_t *applied = lc_calloc((size_t)n + 1, sizeof(int64_t));
	int64_t med_down, max_down;
	char date[LC_RFC3339_LEN + 1];
	int verified = 0;

	for (int i = 0; i < learners; i++)
		verified += m[i].verified;
	for (int i = 0; i < n; i++) {
		down[i] = m[i + 1].down;
		up[i] = m[i + 1].up;
		trips[i] = m[i + 1].trips;
		applied[i] = m[i + 1].applied;
	}
	max_down = maximum(down, n);
	lc_rfc3339(lc_now(), date);
	lc_buf_printf(
	    b,
	    "## Kiosk: shared content (bench/kiosk.c)\n\n"
	    "Measured %s by `meson test -C build --benchmark kiosk` (or `build/bench/kiosk "
	    "--docs docs/benchmarks.md`). A real lecternd on loopback holds the generated campus "
	    "of bench/campus-gen.c: %d courses in the catalog, each of %d modules of %d Markdown "
	    "pages and a quiz of %d questions, and a forum of %d topics with %d replies each. "
	    "%d learners are enrolled in the first course. One after the other, each signs in on "
	    "a profile of their own under one data folder and runs a whole sync with the kiosk's "
	    "shared content store (docs/sync.md \"Kiosk: shared content\"), then posts one reply "
	    "in the course (new content the next learners pull from the server). Bytes are the "
	    "sync engine's count of the sync alone, HTTP headers included (the sign-in, the same "
	    "for everyone, is not counted). Every profile then ran a sync with `--verify`: "
	    "%d of %d digests agreed. The shared store ended at %lld bytes.\n\n",
	    date, COURSES, CAMPUS_MODULES, CAMPUS_PAGES, CAMPUS_QUESTIONS, CAMPUS_TOPICS,
	    CAMPUS_REPLIES, learners, verified, learners, (long long)content_bytes);
	lc_buf_puts(b, "| profile | bytes down | bytes up | round trips | changes applied | "
	               "down / learner 1 |\n|---|---|---|---|---|---|\n");
	row(b, "learner 1 (first on the kiosk)", m[0].down, m[0].up, m[0].trips, m[0].applied,
	    m[0].down);
	med_down = median(down, n);
	row(b, "learners 2..N, median", med_down, median(up, n), median(trips, n),
	    median(applied, n), m[0].down);
	row(b, "learners 2..N, max", max_down, maximum(up, n), maximum(trips, n),
	    maximum(applied, n), m[0].down);
	row(b, "the instructor (staff: no shared content)", staff->down, staff->up, staff->trips,
	    staff->applied, m[0].down);
	lc_buf_printf(b,
	              "\nTarget (issue 13, item 6): learners 2..%d download at most 10%% of the "
	              "bytes learner 1 did: %s (median %.1f%%, max %.1f%%).\n",
	              learners, max_down * 10 <= m[0].down ? "met" : "NOT met",
	              100.0 * (double)med_down / (double)m[0].down,
	              100.0 * (double)max_down / (double)m[0].down);
	tui_campus_loadavg(b, "after measuring");
	free(down);
	free(up);
	free(trips);
	free(applied);
}

int
main(int argc, char **argv)
{
	const char *docs = NULL;
	int learners = 30, rc = 0;
	struct kiosk k;
	struct measure *m, staff = {0};
	struct lc_buf out = {0};
	uint64_t rng = 7;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--docs") == 0 && i + 1 < argc) {
			docs = argv[++i];
		} else if (strcmp(argv[i], "--learners") == 0 && i + 1 < argc) {
			learners = (int)strtol(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: kiosk [--learners N] [--docs FILE]\n");
			return 1;
		}
	}
	if (learners < 2 || learners > MAX_LEARNERS) {
		fprintf(stderr, "kiosk: --learners takes 2..%d\n", MAX_LEARNERS);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = lc_calloc((size_t)learners, sizeof(*m));
	fprintf(stderr, "kiosk: generating the campus and %d learners...\n", learners);
	if (kiosk_setup(&k, learners) < 0) {
		fprintf(stderr, "kiosk: cannot set up the campus\n");
		rc = 1;
	}
	for (int i = 0; rc == 0 && i < learners; i++) {
		char name[32], profile[16];
		struct st_api api = {0};

		snprintf(name, sizeof(name), "kiosk_learner_%02d", i + 1);
		snprintf(profile, sizeof(profile), "%d", i + 1);
		if (st_api_login(&api, k.srv.url, name, ST_PASSWORD) < 0 ||
		    st_api_enroll(&api, k.courses[0].id) < 0 ||
		    sync_profile(&k, profile, name, &m[i]) < 0 || post_reply(&k, &api, i, &rng) < 0)
			rc = 1;
		st_api_finish(&api);
		fprintf(stderr, "kiosk: learner %d: %lld bytes down, %lld changes\n", i + 1,
		        (long long)m[i].down, (long long)m[i].applied);
	}
	if (rc == 0 && sync_profile(&k, "staff", "kiosk_instructor", &staff) < 0)
		rc = 1;
	if (rc == 0) {
		section(&out, learners, m, &staff, stat(k.content, &st) == 0 ? st.st_size : 0);
		fputs(lc_buf_str(&out), stdout);
		if (docs != NULL && tui_campus_write_docs(docs, "kiosk", lc_buf_str(&out)) < 0) {
			fprintf(stderr, "kiosk: cannot write %s\n", docs);
			rc = 1;
		}
		if (m[0].down <= 0)
			rc = 1;
	}
	lc_buf_finish(&out);
	kiosk_teardown(&k);
	free(m);
	curl_global_cleanup();
	return rc;
}
