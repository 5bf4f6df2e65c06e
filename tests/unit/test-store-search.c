/* SPDX-License-Identifier: MIT */
/*
 * store/search: the FTS5 index follows server rows and overlays, title hits rank first,
 * snippets carry the \x02 / \x03 markers, and user text is never FTS syntax.
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
#include "store/replica.h"

#define COURSE "11111111-1111-4111-8111-111111111111"
#define ITEM_TITLE "44444444-4444-4444-8444-44444444444a"
#define ITEM_BODY "44444444-4444-4444-8444-44444444444b"
#define TOPIC "33333333-3333-4333-8333-333333333333"
#define REPLY "55555555-5555-4555-8555-555555555555"
#define LOCAL_REPLY "55555555-5555-4555-8555-55555555555f"
#define SCOPE "course:" COURSE

struct fixture {
	char dir[64];
	struct store_db *db;
};

static void
put(struct store_db *db, const char *type, const char *id, int64_t rev, const char *doc)
{
	struct store_change c = {SCOPE, type, id, rev, 0, doc == NULL, doc};

	assert_int_equal(store_apply_change(db, &c), 0);
}

static int
setup(void **state)
{
	struct fixture *f = lc_calloc(1, sizeof(*f));
	char *path;

	snprintf(f->dir, sizeof(f->dir), "/tmp/lc-store-search-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	path = lc_asprintf("%s/replica.db", f->dir);
	assert_int_equal(store_replica_open(path, &f->db, NULL), 0);
	free(path);
	put(f->db, "course", COURSE, 1,
	    "{\"title\":\"Algorithms\",\"description\":\"Sorting, graphs and a café visit\"}");
	/* The body-only item says the word many times; the title item once, in its title. */
	put(f->db, "item", ITEM_BODY, 1,
	    "{\"module_id\":\"m\",\"title\":\"Loops\",\"body\":\"recursion recursion recursion "
	    "recursion recursion is mentioned here, recursion everywhere\"}");
	put(f->db, "item", ITEM_TITLE, 1,
	    "{\"module_id\":\"m\",\"title\":\"Recursion basics\",\"body\":\"Functions that call "
	    "themselves, explained slowly with a long body of text about stacks and frames.\"}");
	put(f->db, "topic", TOPIC, 1,
	    "{\"course_id\":\"" COURSE "\",\"title\":\"Exam questions\",\"body\":\"When is it?\"}");
	put(f->db, "reply", REPLY, 1,
	    "{\"topic_id\":\"" TOPIC "\",\"body\":\"Probably in December, check the syllabus\"}");
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

/* Number of hits for query (any type), asserting success. */
static size_t
count_hits(struct store_db *db, const char *query)
{
	struct store_hit *hits;
	size_t n;

	assert_int_equal(store_search(db, query, NULL, 20, &hits, &n), 0);
	store_hits_free(hits, n);
	return n;
}

static void
test_search_ranks_title_hits_first(void **state)
{
	struct fixture *f = *state;
	struct store_hit *hits;
	size_t n;

	assert_int_equal(store_search(f->db, "recursion", NULL, 10, &hits, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(hits[0].id, ITEM_TITLE);
	assert_string_equal(hits[0].type, "item");
	assert_string_equal(hits[0].title, "Recursion basics");
	assert_non_null(strstr(hits[0].snippet, "\x02Recursion\x03"));
	assert_string_equal(hits[1].id, ITEM_BODY);
	assert_non_null(strstr(hits[1].snippet, "\x02recursion\x03"));
	store_hits_free(hits, n);
}

static void
test_search_finds_body_description_and_reply_words(void **state)
{
	struct fixture *f = *state;
	struct store_hit *hits;
	size_t n;

	assert_int_equal(store_search(f->db, "syllabus", NULL, 10, &hits, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].type, "reply");
	assert_string_equal(hits[0].id, REPLY);
	assert_string_equal(hits[0].title, "Exam questions"); /* the topic's */
	store_hits_free(hits, n);
	assert_int_equal(count_hits(f->db, "graphs"), 1);
	assert_int_equal(count_hits(f->db, "cafe"), 1); /* diacritics folded */
	assert_int_equal(count_hits(f->db, "stacks frames"), 1);
	assert_int_equal(count_hits(f->db, "stacks zebra"), 0);
	assert_int_equal(count_hits(f->db, "recur"), 2); /* prefix on the last word */
	assert_int_equal(store_search(f->db, "recursion", "course", 10, &hits, &n), 0);
	assert_int_equal(n, 0);
	store_hits_free(hits, n);
	/* A newer rev re-indexes; a delete drops the row. */
	put(f->db, "reply", REPLY, 2,
	    "{\"topic_id\":\"" TOPIC "\",\"body\":\"It moved to January\"}");
	assert_int_equal(count_hits(f->db, "syllabus"), 0);
	assert_int_equal(count_hits(f->db, "january"), 1);
	put(f->db, "reply", REPLY, 3, NULL);
	assert_int_equal(count_hits(f->db, "january"), 0);
}

static void
test_search_sees_offline_reply_until_rejected(void **state)
{
	struct fixture *f = *state;
	struct store_write w = {"POST",
	                        "/api/v1/topics/" TOPIC "/replies",
	                        "{\"body\":\"zeppelin\"}",
	                        0,
	                        "reply",
	                        LOCAL_REPLY,
	                        SCOPE,
	                        "{\"topic_id\":\"" TOPIC "\",\"body\":\"A zeppelin answer\"}",
	                        false};
	struct store_write edit = {"PATCH",
	                           "/api/v1/items/" ITEM_BODY,
	                           "{\"title\":\"Loops\"}",
	                           1,
	                           "item",
	                           ITEM_BODY,
	                           SCOPE,
	                           "{\"module_id\":\"m\",\"title\":\"Loops\",\"body\":\"gone\"}",
	                           false};
	int64_t seq, edit_seq;

	assert_int_equal(store_local_write(f->db, &w, &seq), 0);
	assert_int_equal(count_hits(f->db, "zeppelin"), 1);
	assert_int_equal(store_outbox_reject(f->db, seq, 403, "not enrolled"), 0);
	assert_int_equal(count_hits(f->db, "zeppelin"), 0);
	/* An edited overlay replaces the server text in the index, and back when undone. */
	assert_int_equal(store_local_write(f->db, &edit, &edit_seq), 0);
	assert_int_equal(count_hits(f->db, "everywhere"), 0);
	assert_int_equal(count_hits(f->db, "gone"), 1);
	assert_int_equal(store_outbox_reject(f->db, edit_seq, 400, "bad"), 0);
	assert_int_equal(count_hits(f->db, "everywhere"), 1);
}

static void
test_search_survives_hostile_syntax(void **state)
{
	struct fixture *f = *state;
	static const char *const hostile[] = {
	    "\"foo",  "a AND",       "AND",   "OR OR",       "title:x*",      "NEAR(",
	    ")",      "*",           "-",     "\"\"",        "^recursion",    "recursion\"",
	    "{body}", "col : value", "",      "   ",         "NOT recursion", "'; DROP TABLE x;--",
	    "\x02",   "a\"b\"c",     "(((((", "recursion +", "ünïcödé",       "+",
	};

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct store_hit *hits = NULL;
		size_t n = 99;

		assert_int_equal(store_search(f->db, hostile[i], NULL, 10, &hits, &n), 0);
		store_hits_free(hits, n);
	}
	/* Operators are words: "NOT recursion" means both words, not a negation. */
	assert_int_equal(count_hits(f->db, "NOT recursion"), 0);
	assert_int_equal(count_hits(f->db, "recursion\""), 2);
	assert_int_equal(count_hits(f->db, "title:recursion"), 0); /* "title" is a word too */
	assert_int_equal(count_hits(f->db, "\"recursion"), 2);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_search_ranks_title_hits_first),
	    T(test_search_finds_body_description_and_reply_words),
	    T(test_search_sees_offline_reply_until_rejected),
	    T(test_search_survives_hostile_syntax),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
