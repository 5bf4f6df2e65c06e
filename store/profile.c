/* SPDX-License-Identifier: MIT */
/*
 * Profiles: paths, creation, listing, lookup by username, parking and restoring a replica
 * (SQLite's backup API), and wiping one so that none of its text is left on the disk.
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/err.h"
#include "common/buf.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/uuid.h"
#include "store/profile.h"
#include "store/replica.h"

bool
store_profile_id_valid(const char *id)
{
	return id != NULL && lc_uuid_valid(id);
}

int
store_profile_paths(const char *data_dir, const char *user_id, char **dir, char **db_path,
                    char **cause)
{
	if (dir != NULL)
		*dir = NULL;
	if (db_path != NULL)
		*db_path = NULL;
	/* The id becomes a path: "../x" or "a/b" must never reach the file system. */
	if (!store_profile_id_valid(user_id))
		return lc_cause_set(cause, -LC_EINVAL, "not a user id: \"%s\"",
		                    user_id != NULL ? user_id : "(none)");
	if (dir != NULL)
		*dir = lc_asprintf("%s/profiles/%s", data_dir, user_id);
	if (db_path != NULL)
		*db_path = lc_asprintf("%s/profiles/%s/replica.db", data_dir, user_id);
	return 0;
}

bool
store_profile_exists(const char *data_dir, const char *user_id)
{
	char *path = NULL;
	struct stat st;
	bool found;

	if (store_profile_paths(data_dir, user_id, NULL, &path, NULL) < 0)
		return false;
	found = lstat(path, &st) == 0;
	free(path);
	return found;
}

int
store_profile_open(const char *data_dir, const char *user_id, struct store_db **out, char **cause)
{
	char *dir = NULL, *path = NULL;
	int rc = store_profile_paths(data_dir, user_id, &dir, &path, cause);

	*out = NULL;
	if (rc < 0)
		return rc;
	/* D/profiles and D/profiles/<id>: 0700 like D; store_db_open() checks both. */
	if (lc_mkdir_p(dir, 0700) < 0)
		rc = lc_cause_set(cause, -LC_EIO, "cannot create %s: %s", dir, strerror(errno));
	else
		rc = store_replica_open(path, out, cause);
	free(dir);
	free(path);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
store_profile_list_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

int
store_profile_list(const char *data_dir, char ***ids, size_t *n, char **cause)
{
	char *root = lc_asprintf("%s/profiles", data_dir);
	DIR *d = opendir(root);
	struct dirent *e;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (d == NULL) {
		int err = errno;

		free(root);
		if (err == ENOENT)
			return 0;
		return lc_cause_set(cause, -LC_EIO, "cannot read %s/profiles: %s", data_dir,
		                    strerror(err));
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (!store_profile_id_valid(e->d_name)) {
			lc_log(LC_LOG_WARN, "profile: skipping %s/%s: not a user id", root,
			       e->d_name);
			continue;
		}
		if (*n == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			*ids = lc_realloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[(*n)++] = lc_strdup(e->d_name);
	}
	closedir(d);
	free(root);
	if (*n > 1)
		qsort(*ids, *n, sizeof(**ids), cmp_str);
	return 0;
}

int
store_profile_find_user(const char *data_dir, const char *username, char **user_id, char **cause)
{
	char **ids = NULL;
	size_t n = 0;
	int rc = store_profile_list(data_dir, &ids, &n, cause);

	*user_id = NULL;
	for (size_t i = 0; rc == 0 && i < n && *user_id == NULL; i++) {
		struct store_db *db = NULL;
		char *name = NULL, *why = NULL;

		if (!store_profile_exists(data_dir, ids[i]))
			continue; /* never create one while looking */
		if (store_profile_open(data_dir, ids[i], &db, &why) < 0) {
			lc_log(LC_LOG_WARN, "profile: skipping %s: %s", ids[i], why ? why : "");
			free(why);
			continue;
		}
		if (store_setting_get(db, "username", &name) == 0 && name != NULL &&
		    strcasecmp(name, username) == 0)
			*user_id = lc_strdup(ids[i]);
		free(name);
		store_db_close(db);
	}
	store_profile_list_free(ids, n);
	if (rc == 0 && *user_id == NULL)
		rc = -LC_ENOTFOUND;
	return rc;
}

/* The whole of src over dst, one step. */
static int
backup(struct store_db *dst, struct store_db *src, char **cause)
{
	sqlite3_backup *b =
	    sqlite3_backup_init(store_db_handle(dst), "main", store_db_handle(src), "main");
	int rc;

	if (b == NULL)
		return lc_cause_set(cause, -LC_EDB, "cannot copy the replica: %s",
		                    sqlite3_errmsg(store_db_handle(dst)));
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		return lc_cause_set(cause, -LC_EDB, "cannot copy the replica: %s",
		                    sqlite3_errstr(rc));
	return 0;
}

int
store_profile_park(struct store_db *src, const char *data_dir, const char *user_id, char **cause)
{
	struct store_db *dst = NULL;
	int64_t waiting = 0;
	int rc;

	assert(!store_db_in_transaction(src));
	rc = store_profile_open(data_dir, user_id, &dst, cause);
	if (rc == 0)
		rc = store_outbox_count(dst, &waiting);
	if (rc == 0 && waiting > 0)
		rc = lc_cause_set(cause, -LC_ECONFLICT,
		                  "the profile of %s already holds %lld waiting writes", user_id,
		                  (long long)waiting);
	if (rc == 0)
		rc = backup(dst, src, cause);
	store_db_close(dst);
	return rc;
}

int
store_profile_restore(struct store_db *dst, const char *data_dir, const char *user_id, char **cause)
{
	struct store_db *src = NULL;
	int rc;

	assert(!store_db_in_transaction(dst));
	if (!store_profile_exists(data_dir, user_id))
		return lc_cause_set(cause, -LC_ENOTFOUND, "no parked replica for %s", user_id);
	rc = store_profile_open(data_dir, user_id, &src, cause);
	if (rc == 0)
		rc = backup(dst, src, cause);
	store_db_close(src);
	if (rc == 0)
		rc = store_profile_wipe(data_dir, user_id, cause);
	return rc;
}

/* Deletes every row of every ordinary table (the triggers' own rows in a second round). */
static int
delete_rows(struct store_db *db)
{
	sqlite3_stmt *stmt = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = store_db_prepare_new(
	    db,
	    "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'"
	    " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
	    &stmt);

	if (rc < 0)
		return rc;
	while ((rc = store_db_next_row(db, stmt, "listing tables")) == 1) {
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			names = lc_realloc(names, cap * sizeof(*names));
		}
		names[n++] = store_column_dup(stmt, 0);
	}
	sqlite3_finalize(stmt);
	for (int round = 0; rc == 0 && round < 2; round++)
		for (size_t i = 0; rc == 0 && i < n; i++) {
			/* Names come from the schema itself; quoted all the same. */
			char *sql = lc_asprintf("DELETE FROM \"%s\"", names[i]);

			rc = store_db_exec(db, sql);
			free(sql);
		}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
store_replica_scrub(struct store_db *db)
{
	int rc = store_db_exec(db, "PRAGMA secure_delete=ON");

	if (rc == 0)
		rc = store_db_begin(db);
	if (rc == 0) {
		rc = delete_rows(db);
		/* The full-text index's own tables hold words of every post. */
		if (rc == 0)
			rc = store_db_exec(
			    db, "INSERT INTO search_fts(search_fts) VALUES('delete-all')");
		if (rc == 0)
			rc = store_db_commit(db);
		else
			store_db_rollback(db);
	}
	/* The -wal still holds old pages: into the file (overwritten there), then cut. */
	if (rc == 0)
		rc = store_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	if (rc == 0)
		rc = store_db_exec(db, "VACUUM");
	if (rc == 0)
		rc = store_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	return rc;
}

static int
unlink_if_there(const char *path, char **cause)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return lc_cause_set(cause, -LC_EIO, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}

int
store_replica_wipe(const char *db_path, char **cause)
{
	struct store_db *db = NULL;
	char *side;
	int rc = store_replica_open(db_path, &db, cause);

	if (rc < 0)
		return rc;
	rc = store_replica_scrub(db);
	if (rc < 0)
		lc_cause_set(cause, rc, "cannot wipe %s: %s", db_path, store_db_error(db)->message);
	store_db_close(db);
	if (rc < 0)
		return rc;
	rc = unlink_if_there(db_path, cause);
	side = lc_asprintf("%s-wal", db_path);
	if (rc == 0)
		rc = unlink_if_there(side, cause);
	free(side);
	side = lc_asprintf("%s-shm", db_path);
	if (rc == 0)
		rc = unlink_if_there(side, cause);
	free(side);
	return rc;
}

/* The other files of a profile's folder (an issue copied out): the user's too. */
static int
remove_files(const char *dir, char **cause)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0
		                       : lc_cause_set(cause, -LC_EIO, "cannot read %s: %s", dir,
		                                      strerror(errno));
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *path;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path = lc_asprintf("%s/%s", dir, e->d_name);
		rc = unlink_if_there(path, cause);
		free(path);
	}
	closedir(d);
	return rc;
}

int
store_profile_wipe(const char *data_dir, const char *user_id, char **cause)
{
	char *dir = NULL, *path = NULL;
	int rc = store_profile_paths(data_dir, user_id, &dir, &path, cause);

	if (rc == 0 && store_profile_exists(data_dir, user_id))
		rc = store_replica_wipe(path, cause);
	if (rc == 0)
		rc = remove_files(dir, cause);
	if (rc == 0 && rmdir(dir) < 0 && errno != ENOENT)
		rc = lc_cause_set(cause, -LC_EIO, "cannot remove %s: %s", dir, strerror(errno));
	free(dir);
	free(path);
	return rc;
}

/* What one waiting write is, singular and plural. */
static void
write_words(const char *type, const char **one, const char **many)
{
	static const struct {
		const char *type, *one, *many;
	} words[] = {
	    {"reply", "forum reply", "forum replies"},
	    {"topic", "forum topic", "forum topics"},
	    {"attempt", "quiz attempt", "quiz attempts"},
	    {"progress", "progress mark", "progress marks"},
	    {"enrollment", "enrollment", "enrollments"},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (type != NULL && strcmp(type, words[i].type) == 0) {
			*one = words[i].one;
			*many = words[i].many;
			return;
		}
	*one = "other change";
	*many = "other changes";
}

/* The course a write belongs to: its scope's, else its body's course_id. Caller frees. */
static char *
write_course(struct store_db *db, const struct store_outbox_entry *e)
{
	struct store_resource res = {0};
	cJSON *body = NULL, *doc = NULL;
	const cJSON *v;
	char *id = NULL, *name = NULL;

	if (e->scope != NULL && strncmp(e->scope, "course:", 7) == 0) {
		id = lc_strdup(e->scope + 7);
	} else if (e->body != NULL && (body = cJSON_Parse(e->body)) != NULL) {
		v = cJSON_GetObjectItemCaseSensitive(body, "course_id");
		if (cJSON_IsString(v))
			id = lc_strdup(v->valuestring);
		cJSON_Delete(body);
	}
	if (id == NULL)
		return NULL;
	if (store_resource_get(db, "course", id, &res) == 0 &&
	    (doc = cJSON_Parse(res.doc)) != NULL) {
		v = cJSON_GetObjectItemCaseSensitive(doc, "code");
		if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
			v = cJSON_GetObjectItemCaseSensitive(doc, "title");
		if (cJSON_IsString(v) && v->valuestring[0] != '\0')
			name = lc_strdup(v->valuestring);
		cJSON_Delete(doc);
	}
	store_resource_finish(&res);
	if (name == NULL)
		name = lc_asprintf("course %s", id);
	free(id);
	return name;
}

int
store_waiting_describe(struct store_db *db, char **text, int64_t *count)
{
	struct store_outbox_entry *entries = NULL;
	struct {
		const char *one, *many;
		char *course;
		int n;
	} groups[64];
	size_t n = 0, n_groups = 0;
	struct lc_buf buf = {0};
	int rc = store_outbox_list(db, 10000, &entries, &n);

	*text = NULL;
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const char *one, *many;
		char *course = write_course(db, &entries[i]);
		size_t g;

		write_words(entries[i].type, &one, &many);
		for (g = 0; g < n_groups; g++)
			if (groups[g].one == one && ((course == NULL && groups[g].course == NULL) ||
			                             (course != NULL && groups[g].course != NULL &&
			                              strcmp(course, groups[g].course) == 0)))
				break;
		if (g == n_groups && n_groups == sizeof(groups) / sizeof(groups[0]))
			g--; /* beyond 64 kinds: counted with the last, still counted */
		else if (g == n_groups) {
			groups[g].one = one;
			groups[g].many = many;
			groups[g].course = course;
			groups[g].n = 0;
			n_groups++;
			course = NULL;
		}
		free(course);
		groups[g].n++;
	}
	for (size_t g = 0; g < n_groups; g++) {
		lc_buf_printf(&buf, "%s%d %s", g > 0 ? ", " : "", groups[g].n,
		              groups[g].n == 1 ? groups[g].one : groups[g].many);
		if (groups[g].course != NULL)
			lc_buf_printf(&buf, " in %s", groups[g].course);
		free(groups[g].course);
	}
	store_outbox_free(entries, n);
	if (count != NULL)
		*count = (int64_t)n;
	*text = buf.data != NULL ? lc_buf_steal(&buf) : lc_strdup("");
	return 0;
}

/* The title of the topic a reply belongs to (its body's topic_id), or NULL. Caller frees. */
static char *
write_topic(struct store_db *db, const struct store_outbox_entry *e)
{
	struct store_resource res = {0};
	cJSON *body, *doc;
	const cJSON *v;
	char *title = NULL, id[40] = "";
	const char *p = e->path != NULL ? strstr(e->path, "/topics/") : NULL;

	/* A new reply names its topic in the path (POST /topics/ID/replies), an edit in its body.
	 */
	if (p != NULL && strlen(p + 8) >= 36)
		snprintf(id, sizeof(id), "%.36s", p + 8);
	if (id[0] == '\0' && e->body != NULL && (body = cJSON_Parse(e->body)) != NULL) {
		v = cJSON_GetObjectItemCaseSensitive(body, "topic_id");
		if (cJSON_IsString(v))
			snprintf(id, sizeof(id), "%s", v->valuestring);
		cJSON_Delete(body);
	}
	if (id[0] != '\0' && store_resource_get(db, "topic", id, &res) == 0 &&
	    (doc = cJSON_Parse(res.doc)) != NULL) {
		v = cJSON_GetObjectItemCaseSensitive(doc, "title");
		if (cJSON_IsString(v) && v->valuestring[0] != '\0')
			title = lc_strdup(v->valuestring);
		cJSON_Delete(doc);
	}
	store_resource_finish(&res);
	return title;
}

int
store_waiting_entry_words(struct store_db *db, const struct store_outbox_entry *e, char **what,
                          char **where)
{
	const char *one, *many;
	char *course = write_course(db, e), *topic = write_topic(db, e);
	const char *verb = e->method == NULL                  ? ""
	                   : strcmp(e->method, "POST") == 0   ? "new "
	                   : strcmp(e->method, "DELETE") == 0 ? "deleted "
	                                                      : "edited ";

	write_words(e->type, &one, &many);
	*what = lc_asprintf("%s%s", verb, one);
	if (course != NULL && topic != NULL)
		*where = lc_asprintf("%s, topic \"%s\"", course, topic);
	else if (topic != NULL)
		*where = lc_asprintf("topic \"%s\"", topic);
	else
		*where = lc_strdup(course != NULL ? course : "");
	free(course);
	free(topic);
	return 0;
}
