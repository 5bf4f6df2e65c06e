/* SPDX-License-Identifier: MIT */
/*
 * Full-text search over the replica (the FTS5 index of replica-schema.c), and the refresh of
 * that index after writes to server rows: writers note what they changed
 * (store_search_mark()), and replica_end() refreshes it all in one set-based pass
 * (store_search_flush()) before the operation's savepoint is released.
 *
 * The user's text is never handed to FTS5 as syntax: it is cut into words (runs of ASCII
 * letters and digits and of any non-ASCII bytes, which keeps UTF-8 words whole), each word
 * is double-quoted as an FTS5 string, and the last one becomes a prefix query, so
 * `"foo`, `a AND` or `title:x*` are just words to look for.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/mem.h"
#include "store/replica-int.h"
#include "store/replica.h"

#define MAX_WORDS 32
/* Title matches weigh ten times body matches; ordering puts them first anyway. */
#define TITLE_WEIGHT "10.0"

static bool
word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

/* Builds the FTS5 query into buf; returns the number of words (0: nothing to look for). */
static int
build_query(const char *text, struct lc_buf *buf)
{
	const unsigned char *p = (const unsigned char *)text;
	int words = 0;

	while (*p != '\0' && words < MAX_WORDS) {
		const unsigned char *start;

		while (*p != '\0' && !word_byte(*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && word_byte(*p))
			p++;
		if (words > 0)
			lc_buf_putc(buf, ' ');
		lc_buf_putc(buf, '"');
		lc_buf_append(buf, start, (size_t)(p - start));
		lc_buf_putc(buf, '"');
		words++;
	}
	if (words > 0)
		lc_buf_putc(buf, '*');
	return words;
}

static bool
searchable(const char *type)
{
	static const char *const types[] = {"course", "item", "topic", "reply"};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

int
store_search_mark(struct store_db *db, const char *type, const char *id)
{
	sqlite3_stmt *stmt;
	int rc;

	assert(type != NULL && id != NULL);
	if (!searchable(type))
		return 0;
	/* One plain row, no trigger: no statement journal in a long apply transaction. */
	rc = store_db_stmt(db, "INSERT OR IGNORE INTO search_dirty(type, id) VALUES (?1, ?2)",
	                   &stmt);
	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, type);
	store_bind_text(stmt, 2, id);
	return store_replica_step_done(db, stmt, "noting a search row");
}

int
store_search_mark_scope(struct store_db *db, const char *scope)
{
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db,
	                       "INSERT OR IGNORE INTO search_dirty(type, id) SELECT type, id"
	                       " FROM resources WHERE scope = ?1 AND deleted = 0"
	                       " AND type IN " SEARCH_TYPES,
	                       &stmt);

	if (rc != 0)
		return rc;
	store_bind_text(stmt, 1, scope);
	return store_replica_step_done(db, stmt, "noting a scope's search rows");
}

/*
 * What the reader sees of each noted (type, id), as the overlays' search_refresh trigger
 * computes it for one: a live overlay; else, when there is no overlay at all, the live
 * server row of the best (scope_rank, scope), the order store_resource_get() reads in.
 * CROSS JOIN keeps the noted rows outside: search_dirty has no statistics, and left to
 * itself the planner scanned every live row of resources to probe it, 150 ms for a
 * two-change sync on a 23,000-row replica (test_search_flush_seeks_the_noted_rows_only).
 */
#define FLUSH_INSERT                                                                               \
	"INSERT INTO search_docs(type, id, parent_id, title, body)"                                \
	" SELECT s.type, s.id, s.parent_id, " SEARCH_TITLE("s.doc") ", " SEARCH_BODY(              \
	    "s.doc") " FROM search_dirty x CROSS JOIN overlays s ON s.type = x.type AND s.id = "   \
	             "x.id"                                                                        \
	             " WHERE s.deleted = 0"                                                        \
	             " UNION ALL"                                                                  \
	             " SELECT s.type, s.id, s.parent_id, " SEARCH_TITLE("s.doc") ", " SEARCH_BODY( \
	                 "s.doc") " FROM search_dirty x CROSS JOIN resources s ON s.type = x.type" \
	                          " AND "                                                          \
	                          "s.id = x.id"                                                    \
	                          " AND s.deleted = 0"                                             \
	                          " WHERE NOT EXISTS (SELECT 1 FROM overlays o WHERE o.type = "    \
	                          "x.type AND o.id = x.id)"                                        \
	                          " AND NOT EXISTS (SELECT 1 FROM resources b WHERE b.type = "     \
	                          "s.type AND b.id = s.id"                                         \
	                          "  AND b.deleted = 0 AND (b.scope_rank, b.scope) < "             \
	                          "(s.scope_rank, s.scope))"

int
store_search_flush(struct store_db *db)
{
	static const char *const steps[][2] = {
	    {"DELETE FROM search_docs WHERE rowid IN (SELECT d.rowid FROM search_dirty x"
	     " JOIN search_docs d ON d.type = x.type AND d.id = x.id)",
	     "dropping stale search rows"},
	    {FLUSH_INSERT, "refreshing search rows"},
	    {"DELETE FROM search_dirty", "forgetting refreshed search rows"},
	};
	sqlite3_stmt *stmt;
	int rc = store_db_stmt(db, "SELECT 1 FROM search_dirty LIMIT 1", &stmt);

	if (rc != 0)
		return rc;
	rc = store_db_next_row(db, stmt, "looking for search rows to refresh");
	sqlite3_reset(stmt);
	if (rc <= 0)
		return rc; /* nothing noted, or the error */
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((rc = store_db_stmt(db, steps[i][0], &stmt)) != 0)
			return rc;
		if ((rc = store_replica_step_done(db, stmt, steps[i][1])) != 0)
			return rc;
	}
	return 0;
}

void
store_hits_free(struct store_hit *hits, size_t n)
{
	for (size_t i = 0; hits != NULL && i < n; i++) {
		free(hits[i].type);
		free(hits[i].id);
		free(hits[i].title);
		free(hits[i].snippet);
	}
	free(hits);
}

int
store_search(struct store_db *db, const char *query, const char *type, int limit,
             struct store_hit **out, size_t *n)
{
	static const char sql[] =
	    "SELECT d.type, d.id,"
	    " CASE WHEN d.type = 'reply' THEN (SELECT t.title FROM search_docs t"
	    "  WHERE t.type = 'topic' AND t.id = d.parent_id) ELSE d.title END,"
	    " snippet(search_fts, -1, char(2), char(3), '…', 16),"
	    " bm25(search_fts, " TITLE_WEIGHT ", 1.0) AS rank,"
	    " instr(highlight(search_fts, 0, char(2), char(3)), char(2)) = 0 AS body_only"
	    " FROM search_fts JOIN search_docs d ON d.rowid = search_fts.rowid"
	    " WHERE search_fts MATCH ?1 AND (?2 IS NULL OR d.type = ?2)"
	    " ORDER BY body_only, rank, d.type, d.id LIMIT ?3";
	struct lc_buf fts = {0};
	struct store_hit *hits = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *stmt;
	int rc;

	*out = NULL;
	*n = 0;
	if (query == NULL || build_query(query, &fts) == 0) {
		lc_buf_finish(&fts);
		return 0;
	}
	rc = store_db_stmt(db, sql, &stmt);
	if (rc != 0) {
		lc_buf_finish(&fts);
		return rc;
	}
	store_bind_text(stmt, 1, lc_buf_str(&fts));
	store_bind_text(stmt, 2, type);
	sqlite3_bind_int(stmt, 3, limit > 0 ? limit : 50);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			hits = lc_realloc(hits, cap * sizeof(*hits));
		}
		hits[len].type = store_column_dup(stmt, 0);
		hits[len].id = store_column_dup(stmt, 1);
		hits[len].title = store_column_dup(stmt, 2);
		hits[len].snippet = store_column_dup(stmt, 3);
		hits[len].rank = sqlite3_column_double(stmt, 4);
		len++;
	}
	lc_buf_finish(&fts);
	if (rc != SQLITE_DONE) {
		rc = store_db_fail(db, rc, "searching");
		sqlite3_reset(stmt);
		store_hits_free(hits, len);
		return rc;
	}
	sqlite3_reset(stmt);
	*out = hits;
	*n = len;
	return 0;
}
