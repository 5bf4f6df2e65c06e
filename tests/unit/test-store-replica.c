/* SPDX-License-Identifier: MIT */
/*
 * store/replica: applying server changes (revs, tombstones, scopes, batches), reads with
 * overlays, local writes and every outcome of an outbox entry, sync issues, settings and
 * read marks. Each test uses a fresh replica in its own temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/replica.h"

#define COURSE "11111111-1111-4111-8111-111111111111"
#define MODULE_A "22222222-2222-4222-8222-22222222222a"
#define MODULE_B "22222222-2222-4222-8222-22222222222b"
#define TOPIC "33333333-3333-4333-8333-333333333333"
#define SCOPE "course:" COURSE

struct fixture {
	char dir[64];
	struct store_db *db;
};

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));
	char *path, *cause = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/lc-store-rep-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	path = lc_asprintf("%s/replica.db", f->dir);
	assert_int_equal(store_replica_open(path, &f->db, &cause), 0);
	free(path);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = lc_asprintf("rm -rf '%s'", f->dir);

	store_db_close(f->db);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

static void
put(struct store_db *db, const char *scope, const char *type, const char *id, int64_t rev,
    const char *doc)
{
	struct store_change c = {scope, type, id, rev, 0, doc == NULL, doc};

	assert_int_equal(store_apply_change(db, &c), 0);
}

/* The doc of type/id as a reader sees it, or NULL when absent; caller frees. */
static char *
get_doc(struct store_db *db, const char *type, const char *id, int64_t *rev, bool *pending)
{
	struct store_resource res;
	char *doc;
	int rc = store_resource_get(db, type, id, &res);

	if (rc == -LC_ENOTFOUND)
		return NULL;
	assert_int_equal(rc, 0);
	if (rev != NULL)
		*rev = res.rev;
	if (pending != NULL)
		*pending = res.pending;
	doc = res.doc;
	res.doc = NULL;
	store_resource_finish(&res);
	return doc;
}

static void
assert_doc(struct store_db *db, const char *type, const char *id, const char *expected)
{
	char *doc = get_doc(db, type, id, NULL, NULL);

	if (expected == NULL) {
		assert_null(doc);
		return;
	}
	assert_non_null(doc);
	assert_string_equal(doc, expected);
	free(doc);
}

static void
test_replica_reopens_at_latest_version(void **state)
{
	struct fixture *f = *state;
	struct store_db *again = NULL;

	assert_int_equal(store_db_version(f->db), store_replica_schema.migration_count);
	assert_int_equal(store_replica_open(store_db_path(f->db), &again, NULL), 0);
	assert_int_equal(store_db_version(again), store_replica_schema.migration_count);
	store_db_close(again);
}

static void
test_apply_inserts_updates_and_ignores_older_revs(void **state)
{
	struct fixture *f = *state;
	struct store_resource res;

	put(f->db, SCOPE, "module", MODULE_A, 1,
	    "{\"id\":\"" MODULE_A "\",\"course_id\":\"" COURSE
	    "\",\"title\":\"v1\",\"position\":2}");
	put(f->db, SCOPE, "module", MODULE_A, 3,
	    "{\"id\":\"" MODULE_A "\",\"course_id\":\"" COURSE
	    "\",\"title\":\"v3\",\"position\":2}");
	put(f->db, SCOPE, "module", MODULE_A, 2,
	    "{\"id\":\"" MODULE_A "\",\"course_id\":\"" COURSE
	    "\",\"title\":\"v2\",\"position\":2}");
	put(f->db, SCOPE, "module", MODULE_A, 3, "{\"title\":\"same rev, other doc\"}");
	assert_int_equal(store_resource_get(f->db, "module", MODULE_A, &res), 0);
	assert_int_equal(res.rev, 3);
	assert_non_null(strstr(res.doc, "\"v3\""));
	assert_string_equal(res.parent_id, COURSE);
	assert_string_equal(res.scope, SCOPE);
	assert_true(res.position == 2.0);
	assert_false(res.pending);
	store_resource_finish(&res);
	/* Malformed docs are refused, not stored. */
	struct store_change bad = {SCOPE, "module", MODULE_B, 1, 0, false, "{not json"};
	assert_int_equal(store_apply_change(f->db, &bad), -LC_EPROTO);
	assert_doc(f->db, "module", MODULE_B, NULL);
}

static void
test_tombstone_keeps_older_reinsert_out(void **state)
{
	struct fixture *f = *state;

	put(f->db, SCOPE, "topic", TOPIC, 2, "{\"course_id\":\"" COURSE "\",\"title\":\"t\"}");
	put(f->db, SCOPE, "topic", TOPIC, 3, NULL);
	assert_doc(f->db, "topic", TOPIC, NULL);
	put(f->db, SCOPE, "topic", TOPIC, 2, "{\"course_id\":\"" COURSE "\",\"title\":\"t\"}");
	assert_doc(f->db, "topic", TOPIC, NULL);
	put(f->db, SCOPE, "topic", TOPIC, 3, "{\"course_id\":\"" COURSE "\",\"title\":\"t\"}");
	assert_doc(f->db, "topic", TOPIC, NULL);
	/* A delete at the same rev as the live row still deletes. */
	put(f->db, SCOPE, "module", MODULE_A, 4, "{\"course_id\":\"" COURSE "\"}");
	put(f->db, SCOPE, "module", MODULE_A, 4, NULL);
	assert_doc(f->db, "module", MODULE_A, NULL);
	/* A tombstone without a rev deletes too, and the stored rev still guards. */
	put(f->db, SCOPE, "module", MODULE_B, 5, "{\"course_id\":\"" COURSE "\"}");
	put(f->db, SCOPE, "module", MODULE_B, 0, NULL);
	assert_doc(f->db, "module", MODULE_B, NULL);
	put(f->db, SCOPE, "module", MODULE_B, 5, "{\"course_id\":\"" COURSE "\"}");
	assert_doc(f->db, "module", MODULE_B, NULL);
	/* An older delete does not remove a newer live row. */
	put(f->db, "catalog", "course", COURSE, 7, "{\"title\":\"live\"}");
	put(f->db, "catalog", "course", COURSE, 6, NULL);
	assert_doc(f->db, "course", COURSE, "{\"title\":\"live\"}");
}

static int
collect_row(const char *type, const char *id, int64_t rev, void *ctx)
{
	struct lc_list {
		char text[512];
	} *out = ctx;
	size_t len = strlen(out->text);

	snprintf(out->text + len, sizeof(out->text) - len, "%s:%.1s:%lld;", type, id,
	         (long long)rev);
	return 0;
}

static void
test_batch_resets_scopes_and_cursors(void **state)
{
	struct fixture *f = *state;
	struct store_change first[] = {
	    {"catalog", "course", COURSE, 1, 1, false, "{\"title\":\"Catalog copy\"}"},
	    {SCOPE, "course", COURSE, 1, 2, false, "{\"title\":\"Full copy\"}"},
	    {SCOPE, "module", MODULE_B, 1, 3, false, "{\"course_id\":\"" COURSE "\"}"},
	    {SCOPE, "module", MODULE_A, 1, 4, false, "{\"course_id\":\"" COURSE "\"}"},
	};
	struct store_cursor cursors[] = {{"catalog", 1}, {SCOPE, 4}};
	const char *const scopes[] = {"catalog", "user", SCOPE};
	struct store_batch batch = {first, 4, cursors, 2, scopes, 3, NULL, 0};
	struct {
		char text[512];
	} rows = {""};
	int64_t cursor = -1;

	assert_int_equal(store_apply_batch(f->db, &batch), 0);
	assert_doc(f->db, "course", COURSE, "{\"title\":\"Full copy\"}");
	assert_int_equal(store_cursor_get(f->db, SCOPE, &cursor), 0);
	assert_int_equal(cursor, 4);
	assert_int_equal(store_cursor_get(f->db, "user", &cursor), 0);
	assert_int_equal(cursor, 0);
	assert_int_equal(store_scope_foreach(f->db, SCOPE, collect_row, &rows), 0);
	assert_string_equal(rows.text, "course:1:1;module:2:1;module:2:1;");

	/* The course scope is gone from the server's list: its rows and cursor go. */
	const char *const fewer[] = {"catalog", "user"};
	struct store_batch drop = {NULL, 0, NULL, 0, fewer, 2, NULL, 0};
	assert_int_equal(store_apply_batch(f->db, &drop), 0);
	assert_doc(f->db, "course", COURSE, "{\"title\":\"Catalog copy\"}");
	assert_doc(f->db, "module", MODULE_A, NULL);
	struct store_cursor *list;
	size_t n;
	assert_int_equal(store_cursor_list(f->db, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].scope, "catalog");
	assert_string_equal(list[1].scope, "user");
	store_cursor_list_free(list, n);

	/* A reset drops the scope, restarts its cursor, then takes the new changes. */
	struct store_change fresh[] = {
	    {"catalog", "course", COURSE, 5, 9, false, "{\"title\":\"Renamed\"}"}};
	struct store_cursor after[] = {{"catalog", 9}};
	const char *const resets[] = {"catalog"};
	put(f->db, "catalog", "course", MODULE_B, 1, "{\"title\":\"gone after reset\"}");
	struct store_batch reset = {fresh, 1, after, 1, NULL, 0, resets, 1};
	assert_int_equal(store_apply_batch(f->db, &reset), 0);
	assert_doc(f->db, "course", MODULE_B, NULL);
	assert_doc(f->db, "course", COURSE, "{\"title\":\"Renamed\"}");
	assert_int_equal(store_cursor_get(f->db, "catalog", &cursor), 0);
	assert_int_equal(cursor, 9);
	/* A failing change undoes the whole batch. */
	struct store_change broken[] = {
	    {"catalog", "course", MODULE_A, 1, 10, false, "{\"title\":\"a\"}"},
	    {"catalog", "course", MODULE_B, 1, 11, false, "[broken"}};
	struct store_batch half = {broken, 2, NULL, 0, NULL, 0, NULL, 0};
	assert_int_not_equal(store_apply_batch(f->db, &half), 0);
	assert_doc(f->db, "course", MODULE_A, NULL);
	assert_false(store_db_in_transaction(f->db));
	assert_int_equal(store_scope_drop(f->db, "catalog"), 0);
	assert_doc(f->db, "course", COURSE, NULL);
}

static void
test_list_orders_children_and_shows_each_resource_once(void **state)
{
	struct fixture *f = *state;
	struct store_resource_list list;

	put(f->db, "catalog", "course", COURSE, 1, "{\"title\":\"Zebra\"}");
	put(f->db, SCOPE, "course", COURSE, 1, "{\"title\":\"Zebra full\"}");
	put(f->db, "catalog", "course", MODULE_A, 1, "{\"title\":\"apple\"}");
	put(f->db, SCOPE, "module", MODULE_A, 1,
	    "{\"course_id\":\"" COURSE "\",\"position\":2,\"title\":\"second\"}");
	put(f->db, SCOPE, "module", MODULE_B, 1,
	    "{\"course_id\":\"" COURSE "\",\"position\":1,\"title\":\"first\"}");
	assert_int_equal(store_resource_list(f->db, "course", NULL, NULL, STORE_ORDER_TITLE, &list),
	                 0);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.items[0].id, MODULE_A);
	assert_string_equal(list.items[1].scope, SCOPE);
	store_resource_list_free(&list);
	assert_int_equal(
	    store_resource_list(f->db, "course", NULL, "catalog", STORE_ORDER_TITLE, &list), 0);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.items[1].doc, "{\"title\":\"Zebra\"}");
	store_resource_list_free(&list);
	assert_int_equal(
	    store_resource_list(f->db, "module", COURSE, NULL, STORE_ORDER_POSITION, &list), 0);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.items[0].id, MODULE_B);
	assert_string_equal(list.items[1].id, MODULE_A);
	store_resource_list_free(&list);

	/* Topics by last activity, newest first; a local one shows up pending. */
	put(f->db, SCOPE, "topic", TOPIC, 1,
	    "{\"course_id\":\"" COURSE "\",\"last_activity_at\":\"2026-11-20T10:00:00Z\"}");
	struct store_write w = {"POST",
	                        "/api/v1/courses/" COURSE "/topics",
	                        "{}",
	                        0,
	                        "topic",
	                        MODULE_B,
	                        SCOPE,
	                        "{\"course_id\":\"" COURSE "\",\"last_activity_at\":"
	                        "\"2026-11-22T10:00:00Z\"}",
	                        false};
	assert_int_equal(store_local_write(f->db, &w, NULL), 0);
	assert_int_equal(
	    store_resource_list(f->db, "topic", COURSE, SCOPE, STORE_ORDER_ACTIVITY_DESC, &list),
	    0);
	assert_int_equal(list.n, 2);
	assert_string_equal(list.items[0].id, MODULE_B);
	assert_true(list.items[0].pending);
	assert_int_equal(list.items[0].rev, 0);
	assert_false(list.items[1].pending);
	store_resource_list_free(&list);
}

/* Makes a reply offline; returns its outbox seq. */
static int64_t
write_reply(struct store_db *db, const char *id, const char *text)
{
	char *doc =
	    lc_asprintf("{\"id\":\"%s\",\"topic_id\":\"" TOPIC "\",\"body\":\"%s\"}", id, text);
	char *body = lc_asprintf("{\"id\":\"%s\",\"body\":\"%s\"}", id, text);
	struct store_write w = {
	    "POST", "/api/v1/topics/" TOPIC "/replies", body, 0, "reply", id, SCOPE, doc, false};
	int64_t seq = 0;

	assert_int_equal(store_local_write(db, &w, &seq), 0);
	assert_true(seq > 0);
	free(doc);
	free(body);
	return seq;
}

static void
test_local_write_then_complete_replaces_overlay(void **state)
{
	struct fixture *f = *state;
	char id[LC_UUID_LEN + 1], *doc, *server;
	struct store_outbox_entry *entries;
	size_t n;
	int64_t count, rev;
	bool pending;
	int64_t seq;

	lc_uuid_new(id);
	seq = write_reply(f->db, id, "offline words");
	doc = get_doc(f->db, "reply", id, &rev, &pending);
	assert_non_null(strstr(doc, "offline words"));
	assert_true(pending);
	assert_int_equal(rev, 0);
	free(doc);
	assert_int_equal(store_outbox_list(f->db, 10, &entries, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(entries[0].seq, seq);
	assert_true(lc_uuid_valid(entries[0].key));
	assert_string_equal(entries[0].method, "POST");
	assert_string_equal(entries[0].res_id, id);
	assert_null(entries[0].last_error);
	store_outbox_free(entries, n);

	server = lc_asprintf("{\"id\":\"%s\",\"rev\":1,\"topic_id\":\"" TOPIC
	                     "\",\"body\":\"offline words\",\"author_name\":\"me\"}",
	                     id);
	assert_int_equal(store_outbox_complete(f->db, seq, server), 0);
	doc = get_doc(f->db, "reply", id, &rev, &pending);
	assert_string_equal(doc, server);
	assert_false(pending);
	assert_int_equal(rev, 1);
	free(doc);
	free(server);
	assert_int_equal(store_outbox_count(f->db, &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_outbox_complete(f->db, seq, NULL), -LC_ENOTFOUND);
	assert_false(store_db_in_transaction(f->db));
}

static void
test_outbox_fail_keeps_entry_and_key(void **state)
{
	struct fixture *f = *state;
	char id[LC_UUID_LEN + 1], key[LC_UUID_LEN + 1], *doc;
	struct store_outbox_entry *entries;
	size_t n;
	int64_t seq;

	lc_uuid_new(id);
	seq = write_reply(f->db, id, "retry me");
	assert_int_equal(store_outbox_list(f->db, 0, &entries, &n), 0);
	snprintf(key, sizeof(key), "%s", entries[0].key);
	store_outbox_free(entries, n);
	assert_int_equal(store_outbox_fail(f->db, seq, "timeout"), 0);
	assert_int_equal(store_outbox_fail(f->db, seq, "502 Bad Gateway"), 0);
	assert_int_equal(store_outbox_list(f->db, 0, &entries, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(entries[0].attempts, 2);
	assert_string_equal(entries[0].last_error, "502 Bad Gateway");
	assert_string_equal(entries[0].key, key);
	store_outbox_free(entries, n);
	doc = get_doc(f->db, "reply", id, NULL, NULL);
	assert_non_null(doc); /* the optimistic reply stays visible */
	free(doc);
	assert_int_equal(store_outbox_fail(f->db, seq + 100, "x"), -LC_ENOTFOUND);
}

#define TOPIC_V1 "{\"course_id\":\"" COURSE "\",\"title\":\"Old\",\"body\":\"b\",\"rev\":1}"

static int64_t
edit_topic(struct store_db *db, const char *doc)
{
	struct store_write w = {
	    "PATCH", "/api/v1/topics/" TOPIC, "{\"title\":\"Mine\"}", 1, "topic", TOPIC, SCOPE, doc,
	    false};
	int64_t seq;

	assert_int_equal(store_local_write(db, &w, &seq), 0);
	return seq;
}

static void
test_outbox_reject_undoes_and_keeps_content(void **state)
{
	struct fixture *f = *state;
	struct store_issue *issues;
	size_t n;
	int64_t seq, count;

	put(f->db, SCOPE, "topic", TOPIC, 1, TOPIC_V1);
	seq = edit_topic(f->db, "{\"course_id\":\"" COURSE "\",\"title\":\"Mine\"}");
	assert_doc(f->db, "topic", TOPIC, "{\"course_id\":\"" COURSE "\",\"title\":\"Mine\"}");
	assert_int_equal(store_outbox_reject(f->db, seq, 403, "You may not edit this topic"), 0);
	assert_doc(f->db, "topic", TOPIC, TOPIC_V1);
	assert_int_equal(store_outbox_count(f->db, &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_issues_list(f->db, &issues, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(issues[0].kind, "rejected");
	assert_int_equal(issues[0].status, 403);
	assert_string_equal(issues[0].mine, "{\"title\":\"Mine\"}");
	assert_string_equal(issues[0].message, "You may not edit this topic");
	assert_string_equal(issues[0].path, "/api/v1/topics/" TOPIC);
	assert_string_equal(issues[0].res_id, TOPIC);
	/* Retrying queues the same request again under a new key. */
	assert_int_equal(store_issue_retry(f->db, issues[0].id), 0);
	assert_int_equal(store_issue_count(f->db, &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_outbox_count(f->db, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(store_issue_discard(f->db, issues[0].id), -LC_ENOTFOUND);
	store_issues_free(issues, n);
}

static void
test_outbox_rebase_and_conflict(void **state)
{
	struct fixture *f = *state;
	static const char theirs[] =
	    "{\"course_id\":\"" COURSE "\",\"title\":\"Old\",\"body\":\"theirs\",\"rev\":2}";
	static const char merged[] = "{\"course_id\":\"" COURSE "\",\"title\":\"Mine\",\"body\":"
	                             "\"theirs\",\"rev\":2}";
	struct store_outbox_entry *entries;
	struct store_issue *issues;
	char *base, *old_key;
	size_t n;
	int64_t seq, rev;

	put(f->db, SCOPE, "topic", TOPIC, 1, TOPIC_V1);
	seq = edit_topic(f->db, "{\"course_id\":\"" COURSE "\",\"title\":\"Mine\"}");
	/* A second edit keeps the first base. */
	seq = edit_topic(f->db, "{\"course_id\":\"" COURSE "\",\"title\":\"Mine!\"}");
	assert_int_equal(store_overlay_base(f->db, "topic", TOPIC, &base), 0);
	assert_string_equal(base, TOPIC_V1);
	free(base);
	assert_int_equal(store_outbox_list(f->db, 0, &entries, &n), 0);
	old_key = lc_strdup(entries[1].key);
	store_outbox_free(entries, n);
	assert_int_equal(
	    store_outbox_rebase(f->db, seq, 2, "{\"title\":\"Mine!\"}", merged, theirs), 0);
	assert_doc(f->db, "topic", TOPIC, merged);
	assert_int_equal(store_overlay_base(f->db, "topic", TOPIC, &base), 0);
	assert_string_equal(base, theirs);
	free(base);
	assert_int_equal(store_outbox_list(f->db, 0, &entries, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(entries[1].if_match, 2);
	assert_string_equal(entries[1].body, "{\"title\":\"Mine!\"}");
	assert_string_not_equal(entries[1].key, old_key);
	store_outbox_free(entries, n);
	free(old_key);

	/* Then the other side moves again and the texts collide. */
	assert_int_equal(store_outbox_conflict(f->db, seq, "{\"title\":\"Mine!\"}",
	                                       "{\"title\":\"Theirs\",\"rev\":3}", 3,
	                                       "both edited"),
	                 0);
	assert_doc(f->db, "topic", TOPIC, "{\"title\":\"Theirs\",\"rev\":3}");
	base = get_doc(f->db, "topic", TOPIC, &rev, NULL);
	assert_int_equal(rev, 3);
	free(base);
	assert_int_equal(store_issues_list(f->db, &issues, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(issues[0].kind, "conflict");
	assert_int_equal(issues[0].status, 409);
	assert_string_equal(issues[0].base, theirs);
	assert_string_equal(issues[0].mine, "{\"title\":\"Mine!\"}");
	assert_string_equal(issues[0].theirs, "{\"title\":\"Theirs\",\"rev\":3}");
	/* Retry no longer sends mine over a conflict; keep mine does, on theirs' rev. */
	assert_int_equal(store_issue_retry(f->db, issues[0].id), -LC_ECONFLICT);
	assert_int_equal(store_issue_keep_mine(f->db, issues[0].id), 0);
	store_issues_free(issues, n);
	assert_int_equal(store_outbox_list(f->db, 0, &entries, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(entries[1].if_match, 3);
	assert_string_equal(entries[1].method, "PATCH");
	store_outbox_free(entries, n);
}

static void
test_local_write_composes_in_outer_transaction(void **state)
{
	struct fixture *f = *state;
	char id[LC_UUID_LEN + 1];
	int64_t count;

	lc_uuid_new(id);
	assert_int_equal(store_db_begin(f->db), 0);
	write_reply(f->db, id, "never");
	assert_true(store_db_in_transaction(f->db));
	store_db_rollback(f->db);
	assert_doc(f->db, "reply", id, NULL);
	assert_int_equal(store_outbox_count(f->db, &count), 0);
	assert_int_equal(count, 0);
	/* A write without a local effect queues the request only. */
	struct store_write publish = {
	    "POST", "/api/v1/courses/" COURSE "/publish", NULL, 0, "course", COURSE, SCOPE, NULL,
	    false};
	assert_int_equal(store_local_write(f->db, &publish, NULL), 0);
	assert_doc(f->db, "course", COURSE, NULL);
	struct store_write bad = {"POST", "/x", NULL, 0, "course", COURSE, SCOPE, "{oops", false};
	assert_int_equal(store_local_write(f->db, &bad, NULL), -LC_EINVAL);
	assert_int_equal(store_outbox_count(f->db, &count), 0);
	assert_int_equal(count, 1);
	/* A pending delete hides the server row until answered. */
	put(f->db, SCOPE, "topic", TOPIC, 1, TOPIC_V1);
	struct store_write del = {
	    "DELETE", "/api/v1/topics/" TOPIC, NULL, 1, "topic", TOPIC, SCOPE, NULL, true};
	int64_t seq;
	assert_int_equal(store_local_write(f->db, &del, &seq), 0);
	assert_doc(f->db, "topic", TOPIC, NULL);
	assert_int_equal(store_outbox_complete(f->db, seq, NULL), 0);
	assert_doc(f->db, "topic", TOPIC, NULL);
	put(f->db, SCOPE, "topic", TOPIC, 1, TOPIC_V1); /* a replayed old change */
	assert_doc(f->db, "topic", TOPIC, NULL);
}

/* The sync engine applies one response (results and changes) in one transaction. */
static void
test_sync_response_applies_in_one_outer_transaction(void **state)
{
	struct fixture *f = *state;
	char id[LC_UUID_LEN + 1], *doc;
	struct store_change change = {SCOPE, "topic", TOPIC, 1, 7, false, TOPIC_V1};
	struct store_cursor cursor = {SCOPE, 7};
	struct store_batch batch = {&change, 1, &cursor, 1, NULL, 0, NULL, 0};
	int64_t seq, n;

	lc_uuid_new(id);
	seq = write_reply(f->db, id, "sent");
	doc = lc_asprintf("{\"id\":\"%s\",\"rev\":1,\"topic_id\":\"" TOPIC "\"}", id);
	assert_int_equal(store_db_begin(f->db), 0);
	assert_int_equal(store_outbox_complete(f->db, seq, doc), 0);
	assert_int_equal(store_apply_batch(f->db, &batch), 0);
	store_db_rollback(f->db);
	assert_doc(f->db, "topic", TOPIC, NULL);
	assert_int_equal(store_outbox_count(f->db, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_cursor_get(f->db, SCOPE, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_db_begin(f->db), 0);
	assert_int_equal(store_outbox_complete(f->db, seq, doc), 0);
	assert_int_equal(store_apply_batch(f->db, &batch), 0);
	assert_int_equal(store_db_commit(f->db), 0);
	assert_doc(f->db, "topic", TOPIC, TOPIC_V1);
	assert_doc(f->db, "reply", id, doc);
	assert_int_equal(store_outbox_count(f->db, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_cursor_get(f->db, SCOPE, &n), 0);
	assert_int_equal(n, 7);
	free(doc);
}

/* Fails unless the unread count of COURSE is want. */
static void
expect_unread(struct store_db *db, int64_t want)
{
	int64_t n = -1;

	assert_int_equal(store_unread_count(db, COURSE, &n), 0);
	assert_int_equal(n, want);
}

static void
test_settings_and_unread_counts(void **state)
{
	struct fixture *f = *state;
	char *value;

	assert_int_equal(store_setting_get(f->db, "username", &value), 0);
	assert_null(value);
	assert_int_equal(store_setting_set(f->db, "username", "ada"), 0);
	assert_int_equal(store_setting_set(f->db, "username", "grace"), 0);
	assert_int_equal(store_setting_get(f->db, "username", &value), 0);
	assert_string_equal(value, "grace");
	free(value);
	assert_int_equal(store_setting_delete(f->db, "username"), 0);
	assert_int_equal(store_setting_get(f->db, "username", &value), 0);
	assert_null(value);

	put(f->db, SCOPE, "topic", TOPIC, 1,
	    "{\"course_id\":\"" COURSE "\",\"last_activity_at\":\"2026-11-20T10:00:00Z\"}");
	put(f->db, SCOPE, "topic", MODULE_A, 1,
	    "{\"course_id\":\"" COURSE "\",\"last_activity_at\":\"2026-11-21T10:00:00Z\"}");
	expect_unread(f->db, 2);
	assert_int_equal(store_topic_mark_read(f->db, TOPIC), 0);
	expect_unread(f->db, 1);
	put(f->db, SCOPE, "reply", MODULE_B, 1,
	    "{\"topic_id\":\"" TOPIC "\",\"created_at\":\"2026-11-22T10:00:00Z\"}");
	expect_unread(f->db, 2);
	assert_int_equal(store_topic_mark_read(f->db, TOPIC), 0);
	expect_unread(f->db, 1);
}

/*
 * A topic is unread when its stamp or its newest reply is past its read mark; the count
 * takes the two apart so that the reply is only looked up when the stamp is not past the
 * mark (issue 10, Home's first frame at 200,000 rows). Pinned: a topic kept in two scopes
 * counts once, unread when either row's stamp is past the mark; a reply past the mark
 * makes a topic unread whatever its stamp; a mark past both leaves it read.
 */
static void
test_unread_count_takes_stamp_and_newest_reply_apart(void **state)
{
	struct fixture *f = *state;

	put(f->db, SCOPE, "topic", TOPIC, 1,
	    "{\"course_id\":\"" COURSE "\",\"last_activity_at\":\"2026-11-20T10:00:00Z\"}");
	put(f->db, "catalog", "topic", TOPIC, 1,
	    "{\"course_id\":\"" COURSE "\",\"last_activity_at\":\"2026-11-20T09:00:00Z\"}");
	expect_unread(f->db, 1);
	assert_int_equal(store_topic_mark_read(f->db, TOPIC), 0);
	expect_unread(f->db, 0);
	/* One of the two rows moves past the mark. */
	put(f->db, "catalog", "topic", TOPIC, 2,
	    "{\"course_id\":\"" COURSE "\",\"last_activity_at\":\"2026-11-21T09:00:00Z\"}");
	expect_unread(f->db, 1);
	assert_int_equal(store_topic_mark_read(f->db, TOPIC), 0);
	expect_unread(f->db, 0);
	/* A reply past the mark, the topic's stamps not. */
	put(f->db, SCOPE, "reply", MODULE_B, 1,
	    "{\"topic_id\":\"" TOPIC "\",\"created_at\":\"2026-11-22T10:00:00Z\"}");
	expect_unread(f->db, 1);
	assert_int_equal(store_topic_mark_read(f->db, TOPIC), 0);
	expect_unread(f->db, 0);
}

/*
 * The unread count of one course reads that course's topics only, through
 * resources_created, not every topic of the replica (perf review 2026-11-29, cause 5: with
 * GROUP BY t.id the plan walked resources_by_id over all topics, so the TUI's start-up grew
 * with courses times topics). Checked on the plan SQLite makes for the very statement the
 * count ran, found among the connection's prepared statements.
 */
static void
test_unread_count_searches_one_course_by_index(void **state)
{
	struct fixture *f = *state;
	sqlite3 *h = store_db_handle(f->db);
	sqlite3_stmt *s, *plan;
	const char *sql = NULL;
	bool by_course = false, by_id = false;
	int rc;
	int64_t n;

	assert_int_equal(store_unread_count(f->db, COURSE, &n), 0);
	for (s = sqlite3_next_stmt(h, NULL); s != NULL; s = sqlite3_next_stmt(h, s))
		if (strstr(sqlite3_sql(s), "read_marks") && strstr(sqlite3_sql(s), "count(*)"))
			sql = sqlite3_sql(s);
	assert_non_null(sql);
	char *explain = lc_asprintf("EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_prepare_v2(h, explain, -1, &plan, NULL), SQLITE_OK);
	while ((rc = sqlite3_step(plan)) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(plan, 3);

		by_course = by_course ||
		            strstr(detail, "SEARCH t USING INDEX resources_created (type=? AND "
		                           "parent_id=?)") != NULL;
		by_id = by_id || strstr(detail, "resources_by_id") != NULL;
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(plan);
	free(explain);
	assert_true(by_course);
	assert_false(by_id);
}

/* SQLITE_STMTSTATUS_REPREPARE of the connection's cached statement whose text holds marker. */
static int
reprepares(struct store_db *db, const char *marker)
{
	sqlite3 *h = store_db_handle(db);
	sqlite3_stmt *s;

	for (s = sqlite3_next_stmt(h, NULL); s != NULL; s = sqlite3_next_stmt(h, s))
		if (strstr(sqlite3_sql(s), marker) != NULL)
			return sqlite3_stmt_status(s, SQLITE_STMTSTATUS_REPREPARE, 0);
	fail_msg("no statement holds %s", marker);
	return -1;
}

/*
 * Reading a resource, or a list of them, binds its type anew each time and must not make
 * SQLite prepare the statement again (issue 10, Home's first frame at 200,000 rows: with
 * `type = ?1` the partial index resources_due, WHERE type = 'item', did so on every call,
 * 7% of the frame). Its plan still searches by (type, ...).
 */
static void
test_reading_by_type_does_not_prepare_again(void **state)
{
	struct fixture *f = *state;
	struct store_resource res;
	struct store_resource_list list;
	const char *const types[] = {"topic", "item", "course", "item"};

	put(f->db, SCOPE, "topic", TOPIC, 1, "{\"course_id\":\"" COURSE "\"}");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int rc = store_resource_get(f->db, types[i], TOPIC, &res);

		assert_true(rc == 0 || rc == -LC_ENOTFOUND);
		if (rc == 0)
			store_resource_finish(&res);
		assert_int_equal(
		    store_resource_list(f->db, types[i], COURSE, NULL, STORE_ORDER_CREATED, &list),
		    0);
		store_resource_list_free(&list);
	}
	assert_int_equal(reprepares(f->db, "AND id = ?2 AND deleted = 0"), 0);
	assert_int_equal(reprepares(f->db, "r.parent_id = ?2"), 0);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_replica_reopens_at_latest_version),
	    T(test_apply_inserts_updates_and_ignores_older_revs),
	    T(test_tombstone_keeps_older_reinsert_out),
	    T(test_batch_resets_scopes_and_cursors),
	    T(test_list_orders_children_and_shows_each_resource_once),
	    T(test_local_write_then_complete_replaces_overlay),
	    T(test_outbox_fail_keeps_entry_and_key),
	    T(test_outbox_reject_undoes_and_keeps_content),
	    T(test_outbox_rebase_and_conflict),
	    T(test_local_write_composes_in_outer_transaction),
	    T(test_sync_response_applies_in_one_outer_transaction),
	    T(test_settings_and_unread_counts),
	    T(test_unread_count_searches_one_course_by_index),
	    T(test_unread_count_takes_stamp_and_newest_reply_apart),
	    T(test_reading_by_type_does_not_prepare_again),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
