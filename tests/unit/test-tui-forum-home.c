/* SPDX-License-Identifier: MIT */
/*
 * What the forum list and Home say about a course's topics and due items (UX review
 * 2026-11-29, A15 and A18): which topics are unread (own posts never count, and Home's
 * count is the list's), the name an unsent own post is signed with, and "Due soon" in
 * words ("tomorrow", "in 2 days", "overdue"). Runs on a real replica, without a terminal
 * or a server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/mem.h"
#include "store/replica.h"
#include "tui/tui-int.h"
#include "tui-test-app.h"

#define ME "a0000000-0000-4000-8000-000000000001"
#define PEER "a0000000-0000-4000-8000-000000000002"
#define C1 "c0000000-0000-4000-8000-000000000001"
#define SCOPE "course:" C1
#define T_PEER "70000000-0000-4000-8000-000000000001"
#define T_MINE "70000000-0000-4000-8000-000000000002"

static int
setup(void **state)
{
	struct tui_test_app *t = lc_calloc(1, sizeof(*t));

	tui_test_app_open(t, "tui-forum-home", ME);
	*state = t;
	return 0;
}

static void
add_topic(struct tui_test_app *t, const char *id, const char *author, const char *at, int64_t rev)
{
	char *doc = lc_asprintf(
	    "{\"id\":\"%s\",\"course_id\":\"%s\",\"title\":\"T\",\"body\":\"b\","
	    "\"author_id\":\"%s\",\"author_name\":\"%s\",\"created_at\":\"%s\","
	    "\"updated_at\":\"%s\",\"last_activity_at\":\"%s\"}",
	    id, C1, author, strcmp(author, ME) == 0 ? "Lena Park" : "Sam Lee", at, at, at);

	tui_test_apply(t, SCOPE, "topic", id, rev, doc);
	free(doc);
}

static void
add_reply(struct tui_test_app *t, const char *id, const char *topic, const char *author,
          const char *at, int64_t rev)
{
	char *doc = lc_asprintf("{\"id\":\"%s\",\"topic_id\":\"%s\",\"body\":\"r\","
	                        "\"author_id\":\"%s\",\"author_name\":\"%s\",\"created_at\":\"%s\","
	                        "\"updated_at\":\"%s\"}",
	                        id, topic, author,
	                        strcmp(author, ME) == 0 ? "Lena Park" : "Sam Lee", at, at);

	tui_test_apply(t, SCOPE, "reply", id, rev, doc);
	free(doc);
}

static size_t
unread(struct tui_test_app *t, char ***ids)
{
	size_t n = 99;

	assert_int_equal(tui_unread_topics(&t->app, C1, ids, &n), 0);
	return n;
}

/*
 * UX review 2026-11-29, A15: "your own new reply counts as unread", and the forum list
 * showed no unread topic while Home said "1 unread". An own topic or reply never makes a
 * topic unread; someone else's does, until the topic is read; Home's count (ids NULL) is
 * the number of topics the list marks.
 */
static void
test_unread_topics_own_posts_never_count(void **state)
{
	struct tui_test_app *t = *state;
	char **ids = NULL;
	size_t n;

	add_topic(t, T_PEER, PEER, "2026-11-20T10:00:00Z", 1);
	add_topic(t, T_MINE, ME, "2026-11-20T11:00:00Z", 2);
	n = unread(t, &ids);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], T_PEER);
	tui_unread_free(ids, n);
	assert_int_equal(unread(t, NULL), 1);

	/* Read, then an own reply: the topic's activity moves, it stays read. */
	assert_int_equal(store_topic_mark_read(t->app.db, T_PEER), 0);
	add_reply(t, "71000000-0000-4000-8000-000000000001", T_PEER, ME, "2026-11-21T09:00:00Z", 3);
	add_reply(t, "71000000-0000-4000-8000-000000000002", T_MINE, ME, "2026-11-21T09:30:00Z", 4);
	assert_int_equal(unread(t, NULL), 0);

	/* Someone else answers in the user's own topic: unread until read. */
	add_reply(t, "71000000-0000-4000-8000-000000000003", T_MINE, PEER, "2026-11-22T09:00:00Z",
	          5);
	n = unread(t, &ids);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], T_MINE);
	tui_unread_free(ids, n);
	assert_int_equal(store_topic_mark_read(t->app.db, T_MINE), 0);
	assert_int_equal(unread(t, NULL), 0);
}

/*
 * UX review 2026-11-29, A15: an own unsent post was signed "learner" (the username), then
 * "Lena Park" after the sync. It is signed with the name the server gives the user's
 * posts, and with the username only before any of them has come.
 */
static void
test_display_name_signs_unsent_posts_as_the_server_does(void **state)
{
	struct tui_test_app *t = *state;
	char *name = tui_display_name(&t->app);

	assert_string_equal(name, "learner");
	free(name);
	add_topic(t, T_PEER, PEER, "2026-11-20T10:00:00Z", 1);
	name = tui_display_name(&t->app);
	assert_string_equal(name, "learner");
	free(name);
	add_reply(t, "71000000-0000-4000-8000-000000000001", T_PEER, ME, "2026-11-21T09:00:00Z", 2);
	name = tui_display_name(&t->app);
	assert_string_equal(name, "Lena Park");
	free(name);
}

static int64_t
at(const char *rfc3339)
{
	int64_t v = 0;

	assert_int_equal(lc_rfc3339_parse(rfc3339, &v), 0);
	return v;
}

static void
assert_due(const char *due, const char *now, const char *want)
{
	char buf[32];

	tui_due_words(at(due), at(now), buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/*
 * UX review 2026-11-29, A18: "Due soon" showed a bare date. It says when in words, by the
 * local calendar day: later today is "today", after midnight "tomorrow", however few hours
 * away.
 */
static void
test_due_words_say_tomorrow_in_days_and_overdue(void **state)
{
	(void)state;
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	assert_due("2026-11-30T23:30:00Z", "2026-11-30T10:00:00Z", "today");
	assert_due("2026-12-01T00:30:00Z", "2026-11-30T23:00:00Z", "tomorrow");
	assert_due("2026-12-01T22:00:00Z", "2026-11-30T08:00:00Z", "tomorrow");
	assert_due("2026-12-02T09:00:00Z", "2026-11-30T10:00:00Z", "in 2 days");
	assert_due("2026-12-13T09:00:00Z", "2026-11-30T10:00:00Z", "in 13 days");
	assert_due("2026-11-30T09:59:00Z", "2026-11-30T10:00:00Z", "overdue");
	assert_due("2026-11-20T09:00:00Z", "2026-11-30T10:00:00Z", "overdue");
	/* Local days, not UTC ones: 23:30 UTC is already tomorrow in Berlin. */
	assert_int_equal(setenv("TZ", "Europe/Berlin", 1), 0);
	tzset();
	assert_due("2026-11-30T23:30:00Z", "2026-11-30T10:00:00Z", "tomorrow");
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tui_test_app_teardown)
	const struct CMUnitTest tests[] = {
	    T(test_unread_topics_own_posts_never_count),
	    T(test_display_name_signs_unsent_posts_as_the_server_does),
	    T(test_due_words_say_tomorrow_in_days_and_overdue),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
