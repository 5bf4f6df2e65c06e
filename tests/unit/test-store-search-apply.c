/* SPDX-License-Identifier: MIT */
/*
 * The search index after a sync apply (issue 10, perf review 2026-11-29, bottleneck 1):
 * server rows no longer refresh search_docs / search_fts per row through triggers but are
 * noted and refreshed in one pass before the operation's savepoint is released
 * (store_search_flush(), schema 4). These tests pin that:
 *
 * - the index after the same changes is identical to what the schema-3 trigger chain
 *   built (applied rows, overlays, outbox answers, deletes, tombstones, an older rev
 *   replayed, a title change, a scope drop and a reset), row for row and hit for hit;
 * - a schema-3 replica with data migrates, keeps finding everything, and follows later
 *   changes;
 * - a sync apply opens no temp file (statement journal) and resources carries no trigger.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "store/replica.h"

#define COURSE "11111111-1111-4111-8111-111111111111"
#define MODULE "22222222-2222-4222-8222-222222222222"
#define TOPIC "33333333-3333-4333-8333-333333333333"
#define ITEM1 "44444444-4444-4444-8444-444444444441"
#define ITEM2 "44444444-4444-4444-8444-444444444442"
#define REPLY1 "55555555-5555-4555-8555-555555555551"
#define REPLY2 "55555555-5555-4555-8555-555555555552"
#define LOCAL_REPLY "55555555-5555-4555-8555-55555555555f"
#define SCOPE "course:" COURSE

/* ---- Temp files: a VFS that counts the temporary files SQLite opens ----------------------- */

static sqlite3_vfs counting_vfs;
static sqlite3_vfs *real_vfs;
static int temp_opens;

static int
counting_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	if (flags & (SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_TEMP_DB |
	             SQLITE_OPEN_TRANSIENT_DB))
		temp_opens++;
	return real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
}

/* ---- A schema-3 replica maintained by the old trigger chain --------------------------------- */

static struct store_db *
open_v3(const char *path)
{
	struct store_schema v3 = store_replica_schema;
	struct store_db *db = NULL;

	v3.migration_count = 3;
	assert_int_equal(store_db_open(path, &v3, &db, NULL), 0);
	assert_int_equal(store_db_version(db), 3);
	return db;
}

/* store_replica_put_row()'s statement as it was: the triggers refresh the index. */
static void
old_put(struct store_db *db, const char *scope, const char *type, const char *id, int64_t rev,
        const char *doc)
{
	sqlite3_stmt *st;

	assert_int_equal(
	    store_db_stmt(
	        db,
	        "INSERT INTO resources(scope, type, id, rev, deleted, doc)"
	        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	        " ON CONFLICT(scope, type, id) DO UPDATE SET rev = max(rev, excluded.rev),"
	        " deleted = excluded.deleted, doc = excluded.doc"
	        " WHERE excluded.rev > rev OR (excluded.deleted = 1 AND deleted = 0"
	        " AND (excluded.rev = rev OR excluded.rev = 0))",
	        &st),
	    0);
	store_bind_text(st, 1, scope);
	store_bind_text(st, 2, type);
	store_bind_text(st, 3, id);
	sqlite3_bind_int64(st, 4, rev);
	sqlite3_bind_int(st, 5, doc == NULL);
	store_bind_text(st, 6, doc);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_reset(st);
}

static void
old_sql(struct store_db *db, const char *sql, const char *a, const char *b, const char *c)
{
	sqlite3_stmt *st;

	assert_int_equal(store_db_prepare_new(db, sql, &st), 0);
	store_bind_text(st, 1, a);
	store_bind_text(st, 2, b);
	store_bind_text(st, 3, c);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* ---- Comparing two indexes --------------------------------------------------------------------
 */

/* Every search row, in (type, id) order, as one text. Caller frees. */
static char *
dump_index(struct store_db *db)
{
	struct lc_buf b = {0};
	sqlite3_stmt *st;
	int rc;

	assert_int_equal(
	    store_db_prepare_new(db,
	                         "SELECT type, id, parent_id, title, body FROM search_docs"
	                         " ORDER BY type, id",
	                         &st),
	    0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < 5; i++)
			lc_buf_printf(&b, "%s%c",
			              sqlite3_column_text(st, i) != NULL
			                  ? (const char *)sqlite3_column_text(st, i)
			                  : "(null)",
			              i == 4 ? '\n' : '|');
	/* An error is not the end of the rows: a dump cut short must not compare equal. */
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	/* The FTS index agrees with its content table. */
	assert_int_equal(
	    store_db_exec(db,
	                  "INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)"),
	    0);
	return lc_buf_steal(&b);
}

static char *
dump_hits(struct store_db *db, const char *query)
{
	struct store_hit *hits = NULL;
	struct lc_buf b = {0};
	size_t n = 0;

	assert_int_equal(store_search(db, query, NULL, 100, &hits, &n), 0);
	for (size_t i = 0; i < n; i++)
		lc_buf_printf(&b, "%s %s %s %s %.6f\n", hits[i].type, hits[i].id,
		              hits[i].title != NULL ? hits[i].title : "(null)", hits[i].snippet,
		              hits[i].rank);
	store_hits_free(hits, n);
	return lc_buf_steal(&b);
}

static void
assert_same_index(struct store_db *old, struct store_db *now)
{
	static const char *const queries[] = {"algorithms", "advanced",  "graphs",   "loops",
	                                      "exam",       "midterm",   "december", "zeppelin",
	                                      "catalog",    "recursion", "the",      "a"};
	char *a = dump_index(old), *b = dump_index(now);

	assert_string_equal(a, b);
	free(a);
	free(b);
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		a = dump_hits(old, queries[i]);
		b = dump_hits(now, queries[i]);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

static int
hits(struct store_db *db, const char *query)
{
	struct store_hit *h = NULL;
	size_t n = 0;

	assert_int_equal(store_search(db, query, NULL, 100, &h, &n), 0);
	store_hits_free(h, n);
	return (int)n;
}

/* The first column of the first row of sql. */
static int
scalar(struct store_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int v;

	assert_int_equal(store_db_prepare_new(db, sql, &st), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* ---- Fixture ----------------------------------------------------------------------------------
 */

struct fixture {
	char dir[64];
	char *old_path, *new_path;
	struct store_db *old, *now;
};

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/lc-search-apply-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->old_path = lc_asprintf("%s/old.db", f->dir);
	f->new_path = lc_asprintf("%s/new.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = lc_asprintf("rm -rf '%s'", f->dir);

	store_db_close(f->old);
	store_db_close(f->now);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f->old_path);
	free(f->new_path);
	free(f);
	return 0;
}

#define COURSE_CATALOG "{\"title\":\"Algorithms\",\"description\":\"In the catalog\"}"
#define COURSE_FULL                                                                                \
	"{\"title\":\"Algorithms\",\"description\":\"Sorting and graphs, the full text\"}"
#define COURSE_V2 "{\"title\":\"Advanced algorithms\",\"description\":\"Sorting and graphs again\"}"
#define ITEM1_DOC                                                                                  \
	"{\"module_id\":\"" MODULE "\",\"title\":\"Loops\",\"body\":\"recursion and loops\"}"
#define ITEM1_OLD "{\"module_id\":\"" MODULE "\",\"title\":\"Stale\",\"body\":\"stale text\"}"
#define ITEM2_DOC "{\"module_id\":\"" MODULE "\",\"title\":\"Recursion\",\"body\":\"a stack\"}"
#define TOPIC_DOC "{\"course_id\":\"" COURSE "\",\"title\":\"Exam questions\",\"body\":\"When?\"}"
#define TOPIC_EDIT                                                                                 \
	"{\"course_id\":\"" COURSE "\",\"title\":\"Midterm questions\",\"body\":\"When?\"}"
#define REPLY1_DOC "{\"topic_id\":\"" TOPIC "\",\"body\":\"Probably in December\"}"
#define REPLY2_DOC "{\"topic_id\":\"" TOPIC "\",\"body\":\"Or in January, the syllabus says\"}"
#define LOCAL_DOC "{\"topic_id\":\"" TOPIC "\",\"body\":\"zeppelin ride after the exam\"}"

static void
batch(struct store_db *db, const struct store_change *c, size_t n, const char *reset)
{
	struct store_batch b = {
	    .changes = c, .n_changes = n, .resets = &reset, .n_resets = reset != NULL};

	assert_int_equal(store_apply_batch(db, &b), 0);
}

/*
 * Perf review 2026-11-29, bottleneck 1 (issue 10 cause 4). The same
 * story applied through the new apply path and through the schema-3 trigger chain gives
 * the same search rows, FTS index and hits at every step.
 */
static void
test_search_apply_matches_trigger_chain(void **state)
{
	struct fixture *f = *state;
	const struct store_change first[] = {
	    {"catalog", "course", COURSE, 1, 1, false, COURSE_CATALOG},
	    {SCOPE, "course", COURSE, 1, 2, false, COURSE_FULL},
	    {SCOPE, "module", MODULE, 1, 3, false,
	     "{\"course_id\":\"" COURSE "\",\"title\":\"M\"}"},
	    {SCOPE, "item", ITEM1, 2, 4, false, ITEM1_DOC},
	    {SCOPE, "item", ITEM2, 1, 5, false, ITEM2_DOC},
	    {SCOPE, "topic", TOPIC, 1, 6, false, TOPIC_DOC},
	    {SCOPE, "reply", REPLY1, 1, 7, false, REPLY1_DOC},
	    {SCOPE, "reply", REPLY2, 1, 8, false, REPLY2_DOC},
	};
	const struct store_change second[] = {
	    {SCOPE, "course", COURSE, 2, 9, false, COURSE_V2}, /* a new title */
	    {SCOPE, "reply", REPLY2, 2, 10, true, NULL},       /* deleted */
	    {SCOPE, "item", ITEM1, 1, 11, false, ITEM1_OLD},   /* older rev: ignored */
	    {SCOPE, "item", ITEM2, 3, 12, true, NULL},         /* tombstone ... */
	    {SCOPE, "item", ITEM2, 2, 13, false, ITEM2_DOC},   /* ... an older insert stays out */
	};
	const struct store_write reply = {"POST",    "/api/v1/topics/" TOPIC "/replies",
	                                  LOCAL_DOC, 0,
	                                  "reply",   LOCAL_REPLY,
	                                  SCOPE,     LOCAL_DOC,
	                                  false};
	const struct store_write edit = {
	    "PATCH", "/api/v1/topics/" TOPIC, TOPIC_EDIT, 1, "topic", TOPIC, SCOPE, TOPIC_EDIT,
	    false};
	const struct store_write del = {
	    "DELETE", "/api/v1/replies/" REPLY1, NULL, 1, "reply", REPLY1, SCOPE, NULL, true};
	int64_t reply_seq, edit_seq, del_seq;

	f->old = open_v3(f->old_path);
	assert_int_equal(store_replica_open(f->new_path, &f->now, NULL), 0);

	for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		old_put(f->old, first[i].scope, first[i].type, first[i].id, first[i].rev,
		        first[i].doc);
	batch(f->now, first, sizeof(first) / sizeof(first[0]), NULL);
	assert_int_equal(hits(f->now, "graphs"), 1);
	assert_same_index(f->old, f->now);

	/* Local writes: searchable at once (overlays), and a pending delete hides a reply. */
	assert_int_equal(store_local_write(f->now, &reply, &reply_seq), 0);
	assert_int_equal(store_local_write(f->now, &edit, &edit_seq), 0);
	assert_int_equal(store_local_write(f->now, &del, &del_seq), 0);
	old_sql(f->old, "INSERT INTO overlays(type, id, scope, doc) VALUES ('reply', ?1, ?2, ?3)",
	        LOCAL_REPLY, SCOPE, LOCAL_DOC);
	old_sql(f->old, "INSERT INTO overlays(type, id, scope, doc) VALUES ('topic', ?1, ?2, ?3)",
	        TOPIC, SCOPE, TOPIC_EDIT);
	old_sql(f->old,
	        "INSERT INTO overlays(type, id, scope, deleted) VALUES ('reply', ?1, ?2, 1)",
	        REPLY1, SCOPE, NULL);
	assert_int_equal(hits(f->now, "zeppelin"), 1);
	assert_int_equal(hits(f->now, "midterm"), 1);
	assert_int_equal(hits(f->now, "december"), 0);
	assert_same_index(f->old, f->now);

	/* Server changes under the overlays: the overlays still win. */
	for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++)
		old_put(f->old, second[i].scope, second[i].type, second[i].id, second[i].rev,
		        second[i].doc);
	batch(f->now, second, sizeof(second) / sizeof(second[0]), NULL);
	assert_int_equal(hits(f->now, "advanced"), 1);
	assert_int_equal(hits(f->now, "january"), 0);
	assert_int_equal(hits(f->now, "stale"), 0);
	assert_same_index(f->old, f->now);

	/* The answers: rows stored, overlays gone, a DELETE tombstones everywhere. */
	assert_int_equal(store_outbox_complete(f->now, reply_seq,
	                                       "{\"topic_id\":\"" TOPIC "\",\"rev\":1,\"body\":"
	                                       "\"zeppelin ride after the exam\"}"),
	                 0);
	assert_int_equal(store_outbox_complete(f->now, edit_seq,
	                                       "{\"course_id\":\"" COURSE "\",\"rev\":2,\"title\":"
	                                       "\"Midterm questions\",\"body\":\"When?\"}"),
	                 0);
	assert_int_equal(store_outbox_complete(f->now, del_seq, NULL), 0);
	old_put(f->old, SCOPE, "reply", LOCAL_REPLY, 1,
	        "{\"topic_id\":\"" TOPIC "\",\"rev\":1,\"body\":\"zeppelin ride after the exam\"}");
	old_sql(f->old, "DELETE FROM overlays WHERE id = ?1", LOCAL_REPLY, NULL, NULL);
	old_put(f->old, SCOPE, "topic", TOPIC, 2,
	        "{\"course_id\":\"" COURSE "\",\"rev\":2,\"title\":"
	        "\"Midterm questions\",\"body\":\"When?\"}");
	old_sql(f->old, "DELETE FROM overlays WHERE id = ?1", TOPIC, NULL, NULL);
	old_sql(f->old,
	        "UPDATE resources SET deleted = 1, doc = NULL WHERE type = 'reply' AND id = ?1"
	        " AND deleted = 0",
	        REPLY1, NULL, NULL);
	old_sql(f->old, "DELETE FROM overlays WHERE id = ?1", REPLY1, NULL, NULL);
	assert_int_equal(hits(f->now, "zeppelin"), 1);
	assert_int_equal(hits(f->now, "december"), 0);
	assert_same_index(f->old, f->now);

	/* The course scope goes: its course falls back to the catalog copy, the rest goes. */
	assert_int_equal(store_scope_drop(f->now, SCOPE), 0);
	old_sql(f->old, "DELETE FROM resources WHERE scope = ?1", SCOPE, NULL, NULL);
	assert_int_equal(hits(f->now, "catalog"), 1);
	assert_int_equal(hits(f->now, "advanced"), 0);
	assert_int_equal(hits(f->now, "loops"), 0);
	assert_same_index(f->old, f->now);

	/* A reset of the catalog that brings the course back in one batch. */
	old_sql(f->old, "DELETE FROM resources WHERE scope = 'catalog'", NULL, NULL, NULL);
	old_put(f->old, "catalog", "course", COURSE, 3, COURSE_V2);
	{
		const struct store_change again = {"catalog", "course", COURSE,   3,
		                                   1,         false,    COURSE_V2};

		batch(f->now, &again, 1, "catalog");
	}
	assert_int_equal(hits(f->now, "advanced"), 1);
	assert_same_index(f->old, f->now);
}

/*
 * Issue 10 cause 4: schema 4 drops the search triggers of resources; a schema-3 replica
 * with data migrates, still finds everything, and follows the changes applied afterwards.
 */
static void
test_search_migration_from_schema_3_keeps_index(void **state)
{
	struct fixture *f = *state;
	const struct store_change later = {SCOPE, "topic", TOPIC, 2, 9, false, TOPIC_EDIT};
	char *before, *after;

	f->old = open_v3(f->old_path);
	old_put(f->old, "catalog", "course", COURSE, 1, COURSE_CATALOG);
	old_put(f->old, SCOPE, "course", COURSE, 1, COURSE_FULL);
	old_put(f->old, SCOPE, "item", ITEM1, 1, ITEM1_DOC);
	old_put(f->old, SCOPE, "topic", TOPIC, 1, TOPIC_DOC);
	old_put(f->old, SCOPE, "reply", REPLY1, 1, REPLY1_DOC);
	old_put(f->old, SCOPE, "reply", REPLY2, 1, REPLY2_DOC);
	old_put(f->old, SCOPE, "reply", REPLY2, 2, NULL);
	old_sql(f->old, "INSERT INTO overlays(type, id, scope, doc) VALUES ('reply', ?1, ?2, ?3)",
	        LOCAL_REPLY, SCOPE, LOCAL_DOC);
	before = dump_index(f->old);
	store_db_close(f->old);
	f->old = NULL;

	assert_int_equal(store_replica_open(f->old_path, &f->now, NULL), 0);
	assert_int_equal(store_db_version(f->now), store_replica_schema.migration_count);
	after = dump_index(f->now);
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(scalar(f->now, "SELECT count(*) FROM sqlite_master WHERE type ="
	                                " 'trigger' AND tbl_name = 'resources'"),
	                 0);
	assert_int_equal(hits(f->now, "graphs"), 1);
	assert_int_equal(hits(f->now, "loops"), 1);
	assert_int_equal(hits(f->now, "exam"), 2); /* the topic and the local reply */
	assert_int_equal(hits(f->now, "december"), 1);
	assert_int_equal(hits(f->now, "january"), 0);
	assert_int_equal(hits(f->now, "zeppelin"), 1);

	batch(f->now, &later, 1, NULL);
	assert_int_equal(hits(f->now, "midterm"), 1);
	assert_int_equal(hits(f->now, "exam"), 1);
}

/*
 * Perf review 2026-11-29, bottleneck 1: every trigger-firing INSERT of an apply opened a
 * statement journal, spilled to `etilqs_*` temp files (1.56 GB at scale 10). main() sets
 * SQLite's statement-journal spill threshold to 0, so any statement journal kept in a file
 * would be opened here; the replica's apply path (and its refresh of the index) must open
 * none, on an empty replica as on one that already holds rows.
 */
static void
test_search_apply_opens_no_temp_file(void **state)
{
	struct fixture *f = *state;
	enum { ROUNDS = 3, PER_ROUND = 300 };
	struct store_change *c = lc_calloc(PER_ROUND, sizeof(*c));
	char(*ids)[40] = lc_calloc(PER_ROUND, sizeof(*ids));
	char(*docs)[200] = lc_calloc(PER_ROUND, sizeof(*docs));

	assert_int_equal(store_replica_open(f->new_path, &f->now, NULL), 0);
	temp_opens = 0;
	for (int r = 0; r < ROUNDS; r++) {
		static const char *const types[] = {"reply", "topic", "item", "module"};

		for (int i = 0; i < PER_ROUND; i++) {
			/* Half the ids come back in the next round with a newer rev. */
			int n = r * PER_ROUND / 2 + i;

			snprintf(ids[i], sizeof(ids[i]), "id-%06d", n);
			snprintf(docs[i], sizeof(docs[i]),
			         "{\"title\":\"Row %d round %d\",\"body\":\"word%d body text\","
			         "\"topic_id\":\"t\",\"course_id\":\"c\",\"module_id\":\"m\"}",
			         n, r, n);
			c[i] = (struct store_change){SCOPE, types[n % 4], ids[i], r + 1,
			                             n,     false,        docs[i]};
		}
		assert_int_equal(store_db_begin(f->now), 0);
		batch(f->now, c, PER_ROUND, NULL);
		assert_int_equal(store_db_commit(f->now), 0);
	}
	assert_int_equal(temp_opens, 0);
	/*
	 * And the index followed: ids 0-599, of which the modules (n % 4 == 3) are not
	 * searched; a row sent again in a later round shows its later title.
	 */
	assert_int_equal(hits(f->now, "word598"), 1);
	assert_int_equal(hits(f->now, "word600"), 0);
	assert_int_equal(scalar(f->now, "SELECT count(*) FROM search_docs"), 450);
	assert_int_equal(scalar(f->now, "SELECT count(*) FROM search_docs WHERE id = 'id-000150'"
	                                " AND title = 'Row 150 round 1'"),
	                 1);
	free(c);
	free(ids);
	free(docs);
}

/*
 * Issue 10 cause 4: the scopes a batch no longer lists are found by one seek per scope
 * instead of a scan of every row each round; rows in a scope without a cursor (stored
 * from an outbox answer) are found as well, and their search rows go with them.
 */
static void
test_search_batch_drops_every_unlisted_scope(void **state)
{
	struct fixture *f = *state;
	const char *const keep[] = {"catalog", "user"};
	const struct store_change rows[] = {
	    {"catalog", "course", COURSE, 1, 1, false, COURSE_CATALOG},
	    {SCOPE, "topic", TOPIC, 1, 2, false, TOPIC_DOC},
	    {"course:other", "reply", REPLY1, 1, 3, false, REPLY1_DOC},
	};
	const struct store_cursor cursors[] = {{"catalog", 1}, {SCOPE, 2}};
	struct store_batch first = {rows, 3, cursors, 2, NULL, 0, NULL, 0};
	struct store_batch drop = {NULL, 0, NULL, 0, keep, 2, NULL, 0};

	assert_int_equal(store_replica_open(f->new_path, &f->now, NULL), 0);
	assert_int_equal(store_apply_batch(f->now, &first), 0);
	assert_int_equal(hits(f->now, "december"), 1);
	assert_int_equal(hits(f->now, "exam"), 1);
	assert_int_equal(store_apply_batch(f->now, &drop), 0);
	assert_int_equal(scalar(f->now, "SELECT count(*) FROM resources WHERE scope != 'catalog'"),
	                 0);
	assert_int_equal(scalar(f->now, "SELECT count(*) FROM cursors WHERE scope LIKE 'course:%'"),
	                 0);
	assert_int_equal(hits(f->now, "december"), 0);
	assert_int_equal(hits(f->now, "exam"), 0);
	assert_int_equal(hits(f->now, "catalog"), 1);
}

/* Adds up the full-scan steps of every statement that ends, resetting each counter. */
static int
count_fullscan(unsigned type, void *ctx, void *p, void *x)
{
	(void)type;
	(void)x;
	*(int *)ctx += sqlite3_stmt_status(p, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
	return 0;
}

/* Applies n rows of scope (ids from first), rev 1, each a searchable reply. */
static void
fill(struct store_db *db, int first, int n)
{
	struct store_change *c = lc_calloc((size_t)n, sizeof(*c));
	char(*ids)[40] = lc_calloc((size_t)n, sizeof(*ids));

	for (int i = 0; i < n; i++) {
		snprintf(ids[i], sizeof(ids[i]), "fill-%06d", first + i);
		c[i] =
		    (struct store_change){SCOPE, "reply", ids[i], 1, first + i, false, REPLY1_DOC};
	}
	int ignored = 0;

	/* Traced too: a cached statement's counter runs from its last reading. */
	assert_int_equal(
	    sqlite3_trace_v2(store_db_handle(db), SQLITE_TRACE_PROFILE, count_fullscan, &ignored),
	    SQLITE_OK);
	assert_int_equal(store_db_begin(db), 0);
	batch(db, c, (size_t)n, NULL);
	assert_int_equal(store_db_commit(db), 0);
	assert_int_equal(sqlite3_trace_v2(store_db_handle(db), 0, NULL, NULL), SQLITE_OK);
	free(c);
	free(ids);
}

/* The full-scan steps of applying one reply to db. */
static int
fullscan_of_one_change(struct store_db *db, int64_t rev)
{
	const struct store_change c = {SCOPE, "reply", REPLY2, rev, 0, false, REPLY2_DOC};
	int steps = 0;

	assert_int_equal(
	    sqlite3_trace_v2(store_db_handle(db), SQLITE_TRACE_PROFILE, count_fullscan, &steps),
	    SQLITE_OK);
	assert_int_equal(store_db_begin(db), 0);
	batch(db, &c, 1, NULL);
	assert_int_equal(store_db_commit(db), 0);
	assert_int_equal(sqlite3_trace_v2(store_db_handle(db), 0, NULL, NULL), SQLITE_OK);
	return steps;
}

/*
 * Issue 10: the search refresh of an apply costs the rows it noted, not the replica. With
 * search_dirty joined inside, SQLite scanned every live row of resources to probe the
 * noted ones: a two-change incremental sync took 400 ms on a 23,000-row replica (the
 * PouchDB side-by-side bench, 2026-11-30). One change costs the same full-scan steps with
 * 2,000 rows in the replica as with 20.
 */
static void
test_search_flush_seeks_the_noted_rows_only(void **state)
{
	struct fixture *f = *state;
	int small, big;

	assert_int_equal(store_replica_open(f->new_path, &f->now, NULL), 0);
	fill(f->now, 0, 20);
	small = fullscan_of_one_change(f->now, 1);
	fill(f->now, 20, 2000);
	big = fullscan_of_one_change(f->now, 2);
	assert_int_equal(big, small);
	assert_true(small < 20);
	assert_int_equal(hits(f->now, "syllabus"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_search_apply_matches_trigger_chain, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_search_migration_from_schema_3_keeps_index, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_search_apply_opens_no_temp_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_search_flush_seeks_the_noted_rows_only, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_search_batch_drops_every_unlisted_scope, setup,
	                                    teardown),
	};

	/* Before SQLite initialises: every statement journal goes to a file at once. */
	if (sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 0) != SQLITE_OK ||
	    sqlite3_initialize() != SQLITE_OK || (real_vfs = sqlite3_vfs_find(NULL)) == NULL)
		return 1;
	counting_vfs = *real_vfs;
	counting_vfs.zName = "counting";
	counting_vfs.xOpen = counting_open;
	if (sqlite3_vfs_register(&counting_vfs, 1) != SQLITE_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
