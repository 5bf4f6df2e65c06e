/* SPDX-License-Identifier: MIT */
/*
 * The content side of the sync test helpers (see test-sync-lib.h): courses built through
 * the REST API, a "world" of one server with an instructor and a learner, and the ledger of
 * marked forum writes that proves each landed exactly once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "test-sync-lib.h"

/* ---- Content ------------------------------------------------------------------------- */

static int
make_quiz(struct st_api *api, struct st_course *c)
{
	char path[128], id[ST_ID_LEN + 1];

	snprintf(path, sizeof(path), "/modules/%s/items", c->module_id);
	if (st_api_create(api, path,
	                  "{\"title\":\"Check yourself\",\"kind\":\"quiz\",\"max_attempts\":5}",
	                  c->quiz_id) < 0)
		return -1;
	snprintf(path, sizeof(path), "/items/%s/questions", c->quiz_id);
	if (st_api_create(api, path,
	                  "{\"prompt\":\"Six times seven?\",\"kind\":\"short\","
	                  "\"answer\":\"secret-answer-42\"}",
	                  id) < 0 ||
	    st_api_create(api, path,
	                  "{\"prompt\":\"Is the sky blue?\",\"kind\":\"boolean\",\"answer\":true}",
	                  id) < 0)
		return -1;
	return 0;
}

int
st_make_course(struct st_api *api, const char *title, int n_items, int n_topics,
               struct st_course *c)
{
	char path[128], *body;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	body = lc_asprintf("{\"title\":\"%s\",\"description\":\"A course made by a test\"}", title);
	rc = st_api_create(api, "/courses", body, c->id);
	free(body);
	snprintf(path, sizeof(path), "/courses/%s/modules", c->id);
	if (rc == 0)
		rc = st_api_create(api, path, "{\"title\":\"Week 1\"}", c->module_id);
	snprintf(path, sizeof(path), "/modules/%s/items", c->module_id);
	for (int i = 0; rc == 0 && i < n_items && i < ST_MAX; i++) {
		body = lc_asprintf(
		    "{\"title\":\"Page %d\",\"kind\":\"page\",\"body\":\"# Page %d\\n\\n"
		    "First paragraph of page %d.\\n\\nSecond paragraph.\\n\\n"
		    "Third paragraph.\\n\"}",
		    i + 1, i + 1, i + 1);
		rc = st_api_create(api, path, body, c->items[i]);
		free(body);
		c->n_items = i + 1;
	}
	if (rc == 0)
		rc = make_quiz(api, c);
	snprintf(path, sizeof(path), "/courses/%s/publish", c->id);
	if (rc == 0 && st_api_call(api, "POST", path, "{}", NULL) != 200) {
		fprintf(stderr, "st: publish %s failed\n", c->id);
		rc = -1;
	}
	snprintf(path, sizeof(path), "/courses/%s/topics", c->id);
	for (int i = 0; rc == 0 && i < n_topics && i < ST_MAX; i++) {
		body = lc_asprintf("{\"title\":\"Topic %d\",\"body\":\"Talk about %d here.\"}",
		                   i + 1, i + 1);
		rc = st_api_create(api, path, body, c->topics[i]);
		free(body);
		c->n_topics = i + 1;
	}
	return rc;
}

static void
append_field(struct lc_buf *buf, const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (cJSON_IsString(v)) {
		lc_buf_puts(buf, v->valuestring);
		lc_buf_putc(buf, '\n');
	}
}

char *
st_forum_text(struct st_api *api, const char *course_id)
{
	struct lc_buf text = {0};
	char path[128];
	cJSON *topics, *topic;

	snprintf(path, sizeof(path), "/courses/%s/topics", course_id);
	topics = st_api_list(api, path);
	if (topics == NULL)
		return NULL;
	cJSON_ArrayForEach(topic, topics)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(topic, "id");
		cJSON *full =
		    cJSON_IsString(id) ? st_api_get(api, "/topics/%s", id->valuestring) : NULL;
		const cJSON *reply;

		if (full == NULL) {
			cJSON_Delete(topics);
			lc_buf_finish(&text);
			return NULL;
		}
		append_field(&text, full, "title");
		append_field(&text, full, "body");
		cJSON_ArrayForEach(reply, cJSON_GetObjectItemCaseSensitive(full, "replies"))
		    append_field(&text, reply, "body");
		cJSON_Delete(full);
	}
	cJSON_Delete(topics);
	return lc_buf_steal(&text);
}

int
st_count(const char *text, const char *needle)
{
	size_t len = strlen(needle);
	int n = 0;

	if (text == NULL || len == 0)
		return 0;
	for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + len, needle))
		n++;
	return n;
}

int
st_count_in_forum(struct st_api *api, const char *course_id, const char *marker)
{
	char *text = st_forum_text(api, course_id);
	int n = text != NULL ? st_count(text, marker) : -1;

	free(text);
	return n;
}

/* ---- World ---------------------------------------------------------------------------- */

int
st_world_client(struct st_world *w, const char *name, const char *user, struct st_client *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->data_dir, sizeof(out->data_dir), "%s/%s", w->dir, name);
	snprintf(out->server_url, sizeof(out->server_url), "%s", w->srv.url);
	return st_login(out, user);
}

int
st_world_setup(struct st_world *w, const char *tag, int n_courses, int n_items, int n_topics)
{
	memset(w, 0, sizeof(*w));
	w->dir = st_tmpdir(tag);
	if (w->dir == NULL)
		return -1;
	/* Two users made with --create-user rather than the demo seed: quicker, and the
	 * learner's replica holds only what the test puts in it. */
	snprintf(w->srv.dir, sizeof(w->srv.dir), "%s", w->dir);
	snprintf(w->srv.db, sizeof(w->srv.db), "%s/lecternd.db", w->dir);
	if (st_server_create_user(&w->srv, "instructor", "instructor", ST_PASSWORD) < 0 ||
	    st_server_create_user(&w->srv, "learner", "learner", ST_PASSWORD) < 0 ||
	    st_server_start(&w->srv, w->dir, 0, false) < 0 ||
	    st_api_login(&w->instructor, w->srv.url, "instructor", ST_PASSWORD) < 0 ||
	    st_api_login(&w->learner, w->srv.url, "learner", ST_PASSWORD) < 0)
		return -1;
	for (int i = 0; i < n_courses && i < 4; i++) {
		char title[64];

		snprintf(title, sizeof(title), "Sync test course %d", i + 1);
		if (st_make_course(&w->instructor, title, n_items, n_topics, &w->courses[i]) < 0)
			return -1;
		w->n_courses = i + 1;
	}
	return st_world_client(w, "replica", "learner", &w->cl);
}

void
st_world_teardown(struct st_world *w)
{
	st_server_stop(&w->srv, false);
	st_api_finish(&w->instructor);
	st_api_finish(&w->learner);
	if (w->dir != NULL && getenv("LECTERN_KEEP_TMP") == NULL)
		st_rmtree(w->dir);
	free(w->dir);
	w->dir = NULL;
}

int
st_world_restart(struct st_world *w)
{
	int port = w->srv.port;

	st_server_stop(&w->srv, false);
	/* The port was ours a moment ago; retry briefly in case the kernel still holds it. */
	for (int i = 0; i < 50; i++) {
		if (st_server_start(&w->srv, w->dir, port, false) == 0)
			return 0;
		st_sleep_ms(100);
	}
	return -1;
}

/* ---- Ledger --------------------------------------------------------------------------- */

static struct st_mark *
ledger_add(struct st_ledger *l, const char *suffix)
{
	struct st_mark *m;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->marks = lc_realloc(l->marks, (size_t)l->cap * sizeof(*l->marks));
	}
	m = &l->marks[l->n++];
	memset(m, 0, sizeof(*m));
	snprintf(m->marker, sizeof(m->marker), "[w:%05d%s]", l->next++, suffix);
	m->want = 1;
	return m;
}

void
st_ledger_finish(struct st_ledger *l)
{
	free(l->marks);
	memset(l, 0, sizeof(*l));
}

/* Runs a lectern write that prints the new id and stores it in m. */
static int
ledger_run(const struct st_client *cl, const char *text, struct st_mark *m, const char *cmd,
           const char *a1, const char *a2, const char *a3)
{
	char *out = NULL;
	int rc = st_lectern(cl, text, &out, cmd, a1, a2, a3, NULL);
	size_t n = out != NULL ? strcspn(out, "\r\n \t") : 0;

	if (rc != 0 || (m != NULL && n != ST_ID_LEN)) {
		fprintf(stderr, "st: lectern %s %s exited %d, printed \"%s\": %s\n", cmd, a1, rc,
		        out != NULL ? out : "", st_last_stderr());
		free(out);
		return -1;
	}
	if (m != NULL) {
		memcpy(m->id, out, ST_ID_LEN);
		m->id[ST_ID_LEN] = '\0';
	}
	free(out);
	return 0;
}

int
st_ledger_reply(struct st_ledger *l, const struct st_client *cl, const char *topic_id)
{
	struct st_mark *m = ledger_add(l, "");
	char text[128];

	m->kind = 'r';
	snprintf(text, sizeof(text), "A reply that must arrive once %s\n", m->marker);
	return ledger_run(cl, text, m, "reply", topic_id, NULL, NULL);
}

int
st_ledger_post(struct st_ledger *l, const struct st_client *cl, const char *course_id)
{
	struct st_mark *m = ledger_add(l, "");
	char title[64];

	m->kind = 't';
	snprintf(title, sizeof(title), "Topic %s", m->marker);
	return ledger_run(cl, "A topic body.\n", m, "post", course_id, "--title", title);
}

int
st_ledger_edit(struct st_ledger *l, const struct st_client *cl, int index)
{
	char id[ST_ID_LEN + 1], text[128];
	struct st_mark *m;

	snprintf(id, sizeof(id), "%s", l->marks[index].id);
	l->marks[index].want = 0;
	m = ledger_add(l, "e");
	m->kind = 'e';
	snprintf(m->id, sizeof(m->id), "%s", id);
	snprintf(text, sizeof(text), "An edited reply %s\n", m->marker);
	return ledger_run(cl, text, NULL, "edit", id, NULL, NULL);
}

static int
ledger_check(const struct st_ledger *l, struct st_api *api, const char *course_id, int from,
             bool quiet)
{
	char *text = st_forum_text(api, course_id);
	int bad = 0;

	if (text == NULL)
		return -1;
	for (int i = from; i < l->n; i++) {
		int got = st_count(text, l->marks[i].marker);

		if (got != l->marks[i].want) {
			if (!quiet)
				fprintf(stderr,
				        "st: %s (id %s) found %d times on the server, want %d\n",
				        l->marks[i].marker, l->marks[i].id, got, l->marks[i].want);
			bad++;
		}
	}
	free(text);
	return bad;
}

int
st_ledger_check(const struct st_ledger *l, struct st_api *api, const char *course_id, int from)
{
	return ledger_check(l, api, course_id, from, false);
}

int
st_ledger_check_quiet(const struct st_ledger *l, struct st_api *api, const char *course_id,
                      int from)
{
	return ledger_check(l, api, course_id, from, true);
}

uint64_t
st_seed(void)
{
	const char *env = getenv("SYNC_TEST_SEED");
	uint64_t seed = 0;

	if (env != NULL)
		seed = strtoull(env, NULL, 10);
	if (seed == 0)
		lc_random_bytes(&seed, sizeof(seed));
	if (seed == 0)
		seed = 1;
	fprintf(stderr, "st: SYNC_TEST_SEED=%llu\n", (unsigned long long)seed);
	return seed;
}

uint64_t
st_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}
