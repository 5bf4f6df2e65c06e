/* SPDX-License-Identifier: MIT */
/*
 * Course forums: topics (listed newest activity first, searchable) and their replies
 * (oldest first). A reply changes its topic's doc (reply_count, last_activity_at), so
 * posting or deleting one also bumps the topic's rev and sends it through the feed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "res-course.h"
#include "srv.h"

#define TOPIC_TITLE_MAX 200

static int
topic_render(struct srv_req *req, const char *id, cJSON **out)
{
	struct rc_course course;
	int rc = rc_render_course(req, "topics", id, &course);

	if (rc != 0)
		return rc;
	*out = rc_topic_doc(req->db, id);
	return rc_doc_result(req->db, *out);
}

static int
reply_render(struct srv_req *req, const char *id, cJSON **out)
{
	struct rc_course course;
	int rc = rc_render_course(req, "replies", id, &course);

	if (rc != 0)
		return rc;
	*out = rc_reply_doc(req->db, id);
	return rc_doc_result(req->db, *out);
}

/*
 * Reads a text column of row id (author_id, topic_id) into out; "" when NULL or no row.
 * Returns 0 or -LC_EDB (a failed read is not a deleted author).
 */
static int
row_text(struct store_db *db, const char *sql, const char *id, char out[LC_UUID_LEN + 1])
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	rc = store_db_stmt(db, sql, &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, id);
	rc = store_db_next_row(db, st, "post");
	if (rc == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(out, LC_UUID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

/*
 * Marks activity on a topic: last_activity_at = now, new rev, and a feed entry that only
 * counters changed (a partial /sync client gets a patch, not the body again).
 */
static int
topic_activity(struct srv_req *req, const char *topic_id, const char *course_id)
{
	char now[32];
	int64_t rev;
	sqlite3_stmt *st;
	int rc = store_db_stmt(req->db, "UPDATE topics SET last_activity_at = ? WHERE id = ?", &st);

	if (rc != 0)
		return rc;
	srv_now(now);
	store_bind_text(st, 1, now);
	store_bind_text(st, 2, topic_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "topic activity");
	sqlite3_reset(st);
	if (rc == 0)
		rc = rc_touch(req->db, "topics", topic_id, &rev);
	if (rc == 0)
		rc = srv_feed_course_counts(req, course_id, "topic", topic_id, rev);
	return rc;
}

static void
topics_list(struct srv_req *req, struct srv_resp *resp)
{
	const char *course_id = req->params[0];
	const char *search = srv_query(req, "search");
	struct rc_course course;
	struct srv_check c;
	struct srv_page page;
	sqlite3_stmt *st = NULL;
	cJSON *items;
	int64_t total = 0;
	int rc;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "courses", course_id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_course_content(req, &course.ref), resp, "course"))
		goto out;
	srv_page_parse(req, &c, &page);
	if (srv_check_failed(&c, resp))
		goto out;
	/* Plain substring search (case-insensitive for ASCII): topics are few per course. */
	if (store_db_prepare_new(req->db,
	                         "SELECT id FROM topics WHERE course_id = ?1 AND (?2 IS NULL OR "
	                         "instr(lower(title || ' ' || body), lower(?2)) > 0) "
	                         "ORDER BY last_activity_at DESC, created_at DESC, rowid DESC",
	                         &st) != 0) {
		srv_internal(req, resp, -LC_EDB, "list topics");
		goto out;
	}
	store_bind_text(st, 1, course_id);
	store_bind_text(st, 2, search != NULL && search[0] != '\0' ? search : NULL);
	items = cJSON_CreateArray();
	while ((rc = store_db_next_row(req->db, st, "list topics")) == 1) {
		if (total >= page.offset && total < page.offset + page.limit) {
			rc = rc_add_doc(
			    req->db, items,
			    rc_topic_doc(req->db, (const char *)sqlite3_column_text(st, 0)));
			if (rc != 0)
				break;
		}
		total++;
	}
	if (rc < 0) {
		cJSON_Delete(items);
		srv_internal(req, resp, rc, "list topics");
		goto out;
	}
	srv_reply(resp, 200, srv_page_body(&page, items, total));
out:
	sqlite3_finalize(st);
	srv_check_finish(&c);
}

/* Inserts a topic or a reply; for a reply topic_id is set and title NULL. */
static int
post_insert(struct srv_req *req, const char *id, const char *course_id, const char *topic_id,
            const char *title, const char *body)
{
	char now[32];
	sqlite3_stmt *st;
	int rc;

	srv_now(now);
	if (topic_id == NULL)
		rc = store_db_stmt(req->db,
		                   "INSERT INTO topics (id, course_id, title, body, author_id, "
		                   "last_activity_at, created_at, updated_at) VALUES (?1, ?2, ?3, "
		                   "?4, ?5, ?6, ?6, ?6)",
		                   &st);
	else
		rc = store_db_stmt(req->db,
		                   "INSERT INTO replies (id, course_id, topic_id, body, author_id, "
		                   "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
		                   &st);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, course_id);
	store_bind_text(st, 3, topic_id != NULL ? topic_id : title);
	store_bind_text(st, 4, body);
	store_bind_text(st, 5, req->viewer->id);
	store_bind_text(st, 6, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(req->db, -1, "insert post");
	sqlite3_reset(st);
	return rc;
}

static void
topic_create(struct srv_req *req, struct srv_resp *resp)
{
	const char *course_id = req->params[0], *title = NULL, *body = NULL;
	char id[LC_UUID_LEN + 1];
	struct rc_course course;
	struct srv_check c;
	int rc;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "courses", course_id, "course", &course) != 0 ||
	    !srv_perm_check(srv_perm_forum_post(req, &course.ref), resp, "course"))
		goto out;
	srv_get_new_id(&c, req->body, id);
	srv_get_str(&c, req->body, "title", SRV_REQUIRED, 1, TOPIC_TITLE_MAX, &title);
	srv_get_str(&c, req->body, "body", SRV_REQUIRED, 1, SRV_MARKDOWN_MAX, &body);
	if (srv_check_failed(&c, resp))
		goto out;
	if (!srv_id_free(req, resp, "topics", id, "topic"))
		goto out;
	rc = post_insert(req, id, course_id, NULL, title, body);
	if (rc == 0)
		rc = rc_emit(req, "topic", id, 1, course_id);
	if (rc != 0)
		srv_internal(req, resp, rc, "create topic");
	else
		srv_reply(resp, 201, rc_topic_doc(req->db, id));
out:
	srv_check_finish(&c);
}

static void
topic_get(struct srv_req *req, struct srv_resp *resp)
{
	const char *id = req->params[0];
	cJSON *doc = NULL, *replies;
	sqlite3_stmt *st;
	int rc;

	if (!rc_content_check(req, resp, "topics", req->params[0], "topic"))
		return;
	rc = topic_render(req, id, &doc);
	if (rc == -LC_ENOTFOUND) {
		srv_not_found(resp, "topic");
		return;
	}
	if (rc != 0) {
		srv_internal(req, resp, rc, "get topic");
		return;
	}
	replies = cJSON_AddArrayToObject(doc, "replies");
	rc = store_db_prepare_new(req->db,
	                          "SELECT id FROM replies WHERE topic_id = ? ORDER BY created_at, "
	                          "rowid",
	                          &st);
	if (rc == 0) {
		store_bind_text(st, 1, id);
		while ((rc = store_db_next_row(req->db, st, "replies")) == 1) {
			rc = rc_add_doc(
			    req->db, replies,
			    rc_reply_doc(req->db, (const char *)sqlite3_column_text(st, 0)));
			if (rc != 0)
				break;
		}
		sqlite3_finalize(st);
	}
	if (rc < 0) {
		cJSON_Delete(doc);
		srv_internal(req, resp, rc, "get topic");
		return;
	}
	srv_reply(resp, 200, doc);
}

/*
 * PATCH of a topic or reply (table "topics"/"replies"): the author may change title
 * (topics) and body.
 */
static void
post_patch(struct srv_req *req, struct srv_resp *resp, const char *table, const char *type)
{
	const char *id = req->params[0], *title = NULL, *body = NULL;
	char author[LC_UUID_LEN + 1], sql[96];
	struct rc_course course;
	struct srv_check c;
	int64_t rev = 0;
	int has_title = SRV_ABSENT, has_body, rc = 0;

	srv_check_init(&c);
	if (rc_load_for(req, resp, table, id, type, &course) != 0)
		goto out;
	snprintf(sql, sizeof sql, "SELECT author_id FROM %s WHERE id = ?", table);
	rc = row_text(req->db, sql, id, author);
	if (rc != 0) {
		srv_internal(req, resp, rc, "post author");
		goto out;
	}
	if (!srv_perm_check(srv_perm_post_edit(req, &course.ref, author[0] ? author : NULL), resp,
	                    type))
		goto out;
	if (strcmp(table, "topics") == 0)
		has_title = srv_get_str(&c, req->body, "title", 0, 1, TOPIC_TITLE_MAX, &title);
	has_body = srv_get_str(&c, req->body, "body", 0, 1, SRV_MARKDOWN_MAX, &body);
	if (srv_check_failed(&c, resp) || rc_rev(req->db, table, id, &rev) != 0 ||
	    !srv_if_match(req, resp, type, id, rev))
		goto out;
	if (has_title == SRV_GOT)
		rc = rc_set(req->db, table, "title", id,
		            cJSON_GetObjectItemCaseSensitive(req->body, "title"));
	if (rc == 0 && has_body == SRV_GOT)
		rc = rc_set(req->db, table, "body", id,
		            cJSON_GetObjectItemCaseSensitive(req->body, "body"));
	if (rc == 0)
		rc = rc_touch(req->db, table, id, &rev);
	if (rc == 0)
		rc = rc_emit(req, type, id, rev, course.ref.id);
	if (rc != 0)
		srv_internal(req, resp, rc, "patch post");
	else
		srv_reply(resp, 200,
		          strcmp(table, "topics") == 0 ? rc_topic_doc(req->db, id)
		                                       : rc_reply_doc(req->db, id));
out:
	srv_check_finish(&c);
}

static void
topic_patch(struct srv_req *req, struct srv_resp *resp)
{
	post_patch(req, resp, "topics", "topic");
}

static void
reply_patch(struct srv_req *req, struct srv_resp *resp)
{
	post_patch(req, resp, "replies", "reply");
}

/* DELETE of a topic (with its replies) or of a reply (its topic's doc changes). */
static void
post_delete(struct srv_req *req, struct srv_resp *resp, const char *table, const char *type)
{
	const char *id = req->params[0];
	char author[LC_UUID_LEN + 1], topic_id[LC_UUID_LEN + 1], sql[96];
	struct rc_course course;
	int64_t rev = 0;
	int rc;

	if (rc_load_for(req, resp, table, id, type, &course) != 0)
		return;
	snprintf(sql, sizeof sql, "SELECT author_id FROM %s WHERE id = ?", table);
	rc = row_text(req->db, sql, id, author);
	if (rc != 0) {
		srv_internal(req, resp, rc, "post author");
		return;
	}
	if (!srv_perm_check(srv_perm_post_delete(req, &course.ref, author[0] ? author : NULL), resp,
	                    type) ||
	    rc_rev(req->db, table, id, &rev) != 0 || !srv_if_match(req, resp, type, id, rev))
		return;
	if (strcmp(table, "topics") == 0) {
		rc = rc_delete_topic(req, id);
	} else {
		rc = row_text(req->db, "SELECT topic_id FROM replies WHERE id = ?", id, topic_id);
		if (rc == 0)
			rc = rc_delete_reply(req, id);
		if (rc == 0)
			rc = rc_touch(req->db, "topics", topic_id, &rev);
		/* Only reply_count (and updated_at) changed: a counters-only feed row. */
		if (rc == 0)
			rc = srv_feed_course_counts(req, course.ref.id, "topic", topic_id, rev);
	}
	if (rc != 0)
		srv_internal(req, resp, rc, "delete post");
	else
		srv_reply(resp, 204, NULL);
}

static void
topic_delete(struct srv_req *req, struct srv_resp *resp)
{
	post_delete(req, resp, "topics", "topic");
}

static void
reply_delete(struct srv_req *req, struct srv_resp *resp)
{
	post_delete(req, resp, "replies", "reply");
}

static void
reply_create(struct srv_req *req, struct srv_resp *resp)
{
	const char *topic_id = req->params[0], *body = NULL;
	char id[LC_UUID_LEN + 1];
	struct rc_course course;
	struct srv_check c;
	int rc;

	srv_check_init(&c);
	if (rc_load_for(req, resp, "topics", topic_id, "topic", &course) != 0 ||
	    !srv_perm_check(srv_perm_forum_post(req, &course.ref), resp, "topic"))
		goto out;
	srv_get_new_id(&c, req->body, id);
	srv_get_str(&c, req->body, "body", SRV_REQUIRED, 1, SRV_MARKDOWN_MAX, &body);
	if (srv_check_failed(&c, resp))
		goto out;
	if (!srv_id_free(req, resp, "replies", id, "reply"))
		goto out;
	rc = post_insert(req, id, course.ref.id, topic_id, NULL, body);
	if (rc == 0)
		rc = rc_emit(req, "reply", id, 1, course.ref.id);
	if (rc == 0)
		rc = topic_activity(req, topic_id, course.ref.id);
	if (rc != 0)
		srv_internal(req, resp, rc, "create reply");
	else
		srv_reply(resp, 201, rc_reply_doc(req->db, id));
out:
	srv_check_finish(&c);
}

const struct srv_route srv_routes_forums[] = {
    {"GET", "/courses/{id}/topics", topics_list, 0, "", "search,page,limit", NULL},
    {"POST", "/courses/{id}/topics", topic_create, 0, "id,title,body", "", NULL},
    {"GET", "/topics/{id}", topic_get, 0, "", "", NULL},
    {"PATCH", "/topics/{id}", topic_patch, 0, "title,body", "", "topic"},
    {"DELETE", "/topics/{id}", topic_delete, 0, "", "", NULL},
    {"POST", "/topics/{id}/replies", reply_create, 0, "id,body", "", NULL},
    {"PATCH", "/replies/{id}", reply_patch, 0, "body", "", "reply"},
    {"DELETE", "/replies/{id}", reply_delete, 0, "", "", NULL},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

const struct srv_type srv_types_forums[] = {
    {"topic", topic_render},
    {"reply", reply_render},
    {NULL, NULL},
};
