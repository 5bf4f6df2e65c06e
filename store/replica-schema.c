/* SPDX-License-Identifier: MIT */
/*
 * The replica's schema, as migrations for store_db_open().
 *
 * `resources` holds server rows exactly as sent, one per (scope, type, id): the same
 * resource may live in several scopes. A deleted row stays as a tombstone (deleted = 1, doc
 * NULL) carrying its rev, so an older insert replayed later cannot resurrect it. The
 * columns parent_id, position, created_at, sort_at (last activity, else updated_at) and
 * title are generated from the JSON doc, so the hot queries (children of a parent in
 * position order, a course's topics by activity, replies of a topic) run on indexes and
 * nobody has to keep them in step by hand. scope_rank orders scopes for reads by id: a
 * course scope (full docs) wins over "user", which wins over "catalog".
 *
 * `overlays` holds the user's local, not yet acknowledged state of a resource, one per
 * (type, id): the optimistic doc or a pending delete, and the base doc (and rev) it was
 * made on, which is what a three-way merge needs after a 409. Reads see an overlay instead
 * of every server row of the same (type, id). `outbox` holds the REST requests to send, in
 * seq order, each with its idempotency key. `cursors` is the per-scope position in the
 * server's change feed and also the set of known scopes. `issues` keeps rejected writes and
 * unresolved conflicts with the user's content. `settings` and `read_marks` are small
 * key/value tables.
 *
 * The first release's schema comes as three migrations only to keep each string short.
 *
 * Search: `search_docs` holds one row per searchable (type, id) as the reader sees it
 * (overlay first, else the best-ranked live server row), and `search_fts` is an FTS5 index
 * over it (external content). Triggers on overlays call the INSTEAD OF trigger of the view
 * `search_refresh`, which recomputes that one (type, id), so a reply written offline is
 * searchable at once and a deleted one disappears. Writes to resources (a sync apply of
 * thousands of rows) note the (type, id) in `search_dirty` instead, and the rows are
 * recomputed all at once before the operation's savepoint is released (migration 4).
 */
#include "common/err.h"
#include "store/replica-int.h"
#include "store/replica.h"

/* Doc-derived columns, shared by resources and overlays. */
#define DERIVED_COLUMNS                                                                            \
	"parent_id TEXT GENERATED ALWAYS AS (CASE type"                                            \
	" WHEN 'module' THEN json_extract(doc, '$.course_id')"                                     \
	" WHEN 'item' THEN json_extract(doc, '$.module_id')"                                       \
	" WHEN 'question' THEN json_extract(doc, '$.item_id')"                                     \
	" WHEN 'topic' THEN json_extract(doc, '$.course_id')"                                      \
	" WHEN 'reply' THEN json_extract(doc, '$.topic_id')"                                       \
	" WHEN 'enrollment' THEN json_extract(doc, '$.course_id')"                                 \
	" WHEN 'progress' THEN json_extract(doc, '$.item_id')"                                     \
	" WHEN 'attempt' THEN json_extract(doc, '$.item_id') END) STORED,"                         \
	"position REAL GENERATED ALWAYS AS (coalesce(json_extract(doc, '$.position'), 0))"         \
	" STORED,"                                                                                 \
	"created_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.created_at')) STORED,"          \
	"sort_at TEXT GENERATED ALWAYS AS (coalesce(json_extract(doc, '$.last_activity_at'),"      \
	" json_extract(doc, '$.updated_at'))) STORED,"                                             \
	"title TEXT GENERATED ALWAYS AS (json_extract(doc, '$.title')) STORED"

#define REFRESH_TRIGGER(name, table, event, row)                                                   \
	"CREATE TRIGGER " name " AFTER " event " ON " table " WHEN " row ".type IN " SEARCH_TYPES  \
	" BEGIN INSERT INTO search_refresh(type, id) VALUES (" row ".type, " row ".id); END;"

static const char migration_1[] =
    "CREATE TABLE resources ("
    " scope TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " id TEXT NOT NULL,"
    " rev INTEGER NOT NULL,"
    " deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),"
    " doc TEXT CHECK ((deleted = 1) = (doc IS NULL)),"
    " scope_rank INTEGER GENERATED ALWAYS AS (CASE WHEN scope LIKE 'course:%' THEN 0"
    "  WHEN scope = 'user' THEN 1 ELSE 2 END) VIRTUAL," DERIVED_COLUMNS ","
    " PRIMARY KEY (scope, type, id)) WITHOUT ROWID;"
    "CREATE INDEX resources_by_id ON resources(type, id);"
    "CREATE INDEX resources_children ON resources(type, parent_id, position)"
    " WHERE deleted = 0;"
    "CREATE INDEX resources_activity ON resources(type, parent_id, sort_at)"
    " WHERE deleted = 0;"
    "CREATE INDEX resources_created ON resources(type, parent_id, created_at)"
    " WHERE deleted = 0;"

    "CREATE TABLE overlays ("
    " type TEXT NOT NULL,"
    " id TEXT NOT NULL,"
    " scope TEXT NOT NULL,"
    " deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),"
    " doc TEXT CHECK ((deleted = 1) = (doc IS NULL)),"
    " base TEXT," /* the server doc the change was made on; NULL for a local create */
    " base_rev INTEGER NOT NULL DEFAULT 0," DERIVED_COLUMNS ","
    " PRIMARY KEY (type, id)) WITHOUT ROWID;"
    "CREATE INDEX overlays_children ON overlays(type, parent_id, position);";

/* The user's writes and sync bookkeeping. */
static const char migration_2[] =
    "CREATE TABLE outbox ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " key TEXT NOT NULL UNIQUE,"
    " method TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " body TEXT,"
    " if_match INTEGER NOT NULL DEFAULT 0,"
    " type TEXT,"
    " res_id TEXT,"
    " scope TEXT,"
    " has_effect INTEGER NOT NULL DEFAULT 0," /* the write made or changed an overlay */
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX outbox_by_resource ON outbox(type, res_id);"

    "CREATE TABLE cursors (scope TEXT PRIMARY KEY, cursor INTEGER NOT NULL DEFAULT 0)"
    " WITHOUT ROWID;"

    "CREATE TABLE issues ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL CHECK (kind IN ('rejected', 'conflict')),"
    " method TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " if_match INTEGER NOT NULL DEFAULT 0,"
    " status INTEGER NOT NULL DEFAULT 0,"
    " message TEXT,"
    " type TEXT,"
    " res_id TEXT,"
    " scope TEXT,"
    " mine TEXT,"
    " theirs TEXT,"
    " theirs_rev INTEGER NOT NULL DEFAULT 0,"
    " base TEXT,"
    " created_at INTEGER NOT NULL);"

    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE read_marks (topic_id TEXT PRIMARY KEY, read_up_to TEXT NOT NULL)"
    " WITHOUT ROWID;";

static const char migration_3[] =
    "CREATE TABLE search_docs ("
    " rowid INTEGER PRIMARY KEY,"
    " type TEXT NOT NULL,"
    " id TEXT NOT NULL,"
    " parent_id TEXT,"
    " title TEXT,"
    " body TEXT,"
    " UNIQUE (type, id));"
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_docs',"
    " content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');"
    "CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN"
    " INSERT INTO search_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);"
    " END;"
    "CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, title, body)"
    " VALUES ('delete', old.rowid, old.title, old.body); END;"

    /* Recomputes the searchable row of one (type, id) from what a reader sees. */
    "CREATE VIEW search_refresh(type, id) AS SELECT NULL, NULL;"
    "CREATE TRIGGER search_refresh_do INSTEAD OF INSERT ON search_refresh BEGIN"
    " DELETE FROM search_docs WHERE type = new.type AND id = new.id;"
    " INSERT INTO search_docs(type, id, parent_id, title, body)"
    " SELECT s.type, s.id, s.parent_id, " SEARCH_TITLE("s.doc") ", " SEARCH_BODY(
        "s.doc") " FROM (SELECT type, id, parent_id, doc, deleted, -1 AS pri FROM overlays"
                 "  WHERE type = new.type AND id = new.id"
                 "  UNION ALL SELECT type, id, parent_id, doc, deleted, scope_rank FROM resources"
                 "  WHERE type = new.type AND id = new.id AND deleted = 0"
                 "  ORDER BY pri LIMIT 1) AS s WHERE s.deleted = 0;"
                 " END;" REFRESH_TRIGGER("resources_search_ai", "resources", "INSERT", "new")
                     REFRESH_TRIGGER("resources_search_au", "resources", "UPDATE", "new")
                         REFRESH_TRIGGER("resources_search_ad", "resources", "DELETE", "old")
                             REFRESH_TRIGGER("overlays_search_ai", "overlays", "INSERT", "new")
                                 REFRESH_TRIGGER("overlays_search_au", "overlays", "UPDATE", "new")
                                     REFRESH_TRIGGER("overlays_search_ad", "overlays", "DELETE",
                                                     "old");

/*
 * Server rows no longer refresh the search index per row (issue 10, perf review
 * 2026-11-29, bottleneck 1): each trigger made every INSERT of a sync apply open a
 * statement journal and flush FTS5, 1.56 GB of temp-file writes for an 83 MB replica.
 * Writers of `resources` now note the (type, id) in `search_dirty` and store_search_flush()
 * rebuilds those rows in one set-based pass before the same savepoint is released (see
 * replica_end()). Overlays keep their triggers: a local write is one row. The index of a
 * schema-3 file is already current, so nothing is rebuilt here.
 */
static const char migration_4[] = "DROP TRIGGER resources_search_ai;"
                                  "DROP TRIGGER resources_search_au;"
                                  "DROP TRIGGER resources_search_ad;"
                                  "CREATE TABLE search_dirty (type TEXT NOT NULL, id TEXT NOT NULL,"
                                  " PRIMARY KEY (type, id)) WITHOUT ROWID;";

/*
 * migration_5 (issue 10, TUI at 200,000 rows): Home's "due soon" list reads items in due_at
 * order through this index and stops after the first few not completed, instead of parsing
 * every item of every enrolled course. id follows due_at so that ties come in id order
 * from the index itself, with no sort.
 */
static const char migration_5[] =
    "CREATE INDEX resources_due ON resources(json_extract(doc, '$.due_at'), id)"
    " WHERE type = 'item' AND deleted = 0;";

/*
 * migration_6 (issue 11, item 7): drafts of what the user is writing, saved as they type
 * and offered again when the same editor opens, so that Ctrl-C or a crash loses nothing.
 */
static const char migration_6[] = "CREATE TABLE drafts (key TEXT PRIMARY KEY,"
                                  " text TEXT NOT NULL, updated_at INTEGER NOT NULL);";

static const char *const replica_migrations[] = {migration_1, migration_2, migration_3,
                                                 migration_4, migration_5, migration_6};

const struct store_schema store_replica_schema = {
    .name = "Lectern replica",
    .application_id = STORE_REPLICA_APP_ID,
    .migrations = replica_migrations,
    .migration_count = (int)(sizeof(replica_migrations) / sizeof(replica_migrations[0])),
    .private_file = true,
};

int
store_replica_open(const char *path, struct store_db **out, char **cause)
{
	int rc = store_db_open(path, &store_replica_schema, out, cause);

	/*
	 * How a sync apply (one transaction per 1,000-change round) touches the disk (issue
	 * 10, perf review 2026-11-29, bottleneck 1):
	 * - temp_store=MEMORY: every replica operation runs in a savepoint nested in a
	 *   transaction, and SQLite keeps the first copy of each page it changes there in a
	 *   statement journal, which spills to a temp file (`etilqs_*`) past 64 KiB; in memory
	 *   it costs at most the pages one transaction changes.
	 * - cache_size 16 MiB (default 2): a round changes up to ~10 MB of pages; a smaller
	 *   cache spills them to the WAL mid-transaction and writes them again at commit.
	 * - wal_autocheckpoint 10,000 pages (default 1,000): the rounds rewrite the same hot
	 *   pages (b-tree leaves, indexes, FTS segments), and each checkpoint copies them to
	 *   the db again; journal_size_limit cuts the -wal back to 16 MiB after a checkpoint.
	 * bench/apply-bench.c measures them (docs/benchmarks.md).
	 */
	if (rc == 0 &&
	    (rc = store_db_exec(*out, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16384;"
	                              " PRAGMA wal_autocheckpoint=10000;"
	                              " PRAGMA journal_size_limit=16777216;")) != 0) {
		lc_cause_set(cause, rc, "%s: %s", path, store_db_error(*out)->message);
		store_db_close(*out);
		*out = NULL;
	}
	return rc;
}
